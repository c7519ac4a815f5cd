/* config.json loader for BERT models: see bert_config.h and
 * docs/model-files.md. */
#include "bert_config.h"
#include "json_util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest accepted config.json, and the largest accepted size value. */
#define BC_MAX_FILE (16u << 20)
#define BC_MAX_SIZE (1 << 20)

/* Reads path into a NUL-terminated heap buffer. */
static int read_all(const char *path, char **buf, size_t *len, at_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return at_err_set(err, AT_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    if (!b) {
        fclose(fp);
        return at_err_set(err, AT_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            if (cap >= BC_MAX_FILE) {
                free(b);
                fclose(fp);
                return at_err_set(err, AT_EFORMAT,
                                  "%s: larger than %u bytes, not a config.json",
                                  path, BC_MAX_FILE);
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                fclose(fp);
                return at_err_set(err, AT_ENOMEM, "%s: out of memory", path);
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, fp);
        n += r;
        if (r == 0) {
            if (ferror(fp)) {
                int e = errno;
                free(b);
                fclose(fp);
                return at_err_set(err, AT_EIO, "%s: read failed: %s", path,
                                  strerror(e));
            }
            break;
        }
    }
    fclose(fp);
    *buf = b;
    *len = n;
    return 0;
}

/* Required (or, with def >= 0, optional) integer key in [lo, hi]. */
static int get_int(const char *path, json_t *root, const char *key, int lo,
                   int hi, int has_def, int def, int *out, at_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v || (has_def && json_is_null(v))) {
        if (has_def) {
            *out = def;
            return 0;
        }
        return at_err_set(err, AT_EFORMAT, "%s: missing key '%s'", path, key);
    }
    if (!json_is_integer(v))
        return at_err_set(err, AT_EFORMAT,
                          "%s: key '%s' is %s, expected an integer", path, key,
                          at_json_type_name(v));
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return at_err_set(err, AT_ERANGE,
                          "%s: key '%s' is %lld, out of range [%d, %d]", path,
                          key, (long long)x, lo, hi);
    *out = (int)x;
    return 0;
}

/* Optional string key that, when present, must equal want. */
static int check_str(const char *path, json_t *root, const char *key,
                     const char *want, at_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return at_err_set(err, AT_EFORMAT,
                          "%s: key '%s' is %s, expected a string", path, key,
                          at_json_type_name(v));
    const char *s = json_string_value(v);
    if (strcmp(s, want) != 0)
        return at_err_set(err, AT_EUNSUPPORTED,
                          "%s: key '%s' is \"%.*s\", only \"%s\" is supported",
                          path, key, (int)(strlen(s) > 100 ? 100 : strlen(s)),
                          s, want);
    return 0;
}

static int parse_config(const char *path, json_t *root, bert_config *c,
                        at_err *err)
{
    int rc;
    if (!json_is_object(root))
        return at_err_set(err, AT_EFORMAT, "%s: top level is %s, not an object",
                          path, at_json_type_name(root));
    if ((rc = check_str(path, root, "model_type", "bert", err)) ||
        (rc = check_str(path, root, "hidden_act", "gelu", err)) ||
        (rc = check_str(path, root, "position_embedding_type", "absolute",
                        err)))
        return rc;

    if ((rc = get_int(path, root, "vocab_size", 1, BC_MAX_SIZE, 0, 0,
                      &c->vocab_size, err)) ||
        (rc = get_int(path, root, "hidden_size", 1, BC_MAX_SIZE, 0, 0,
                      &c->hidden, err)) ||
        (rc = get_int(path, root, "num_hidden_layers", 1, 1024, 0, 0,
                      &c->layers, err)) ||
        (rc = get_int(path, root, "num_attention_heads", 1, BC_MAX_SIZE, 0, 0,
                      &c->heads, err)) ||
        (rc = get_int(path, root, "intermediate_size", 1, BC_MAX_SIZE, 0, 0,
                      &c->intermediate, err)) ||
        (rc = get_int(path, root, "max_position_embeddings", 1, BC_MAX_SIZE, 0,
                      0, &c->max_positions, err)) ||
        (rc = get_int(path, root, "type_vocab_size", 1, BC_MAX_SIZE, 0, 0,
                      &c->type_vocab, err)))
        return rc;
    if ((rc = get_int(path, root, "pad_token_id", 0, c->vocab_size - 1, 1, 0,
                      &c->pad_token_id, err)))
        return rc;
    if (c->hidden % c->heads != 0)
        return at_err_set(err, AT_EFORMAT,
                          "%s: hidden_size %d is not divisible by "
                          "num_attention_heads %d",
                          path, c->hidden, c->heads);

    json_t *e = json_object_get(root, "layer_norm_eps");
    if (!e || json_is_null(e)) {
        c->ln_eps = 1e-12;
    } else {
        if (!json_is_number(e))
            return at_err_set(err, AT_EFORMAT,
                              "%s: key 'layer_norm_eps' is %s, expected a "
                              "number",
                              path, at_json_type_name(e));
        double x = json_number_value(e);
        if (!(x > 0.0 && x < 1.0) || !isfinite(x))
            return at_err_set(err, AT_ERANGE,
                              "%s: key 'layer_norm_eps' is %g, out of range "
                              "(0, 1)",
                              path, x);
        c->ln_eps = x;
    }
    return 0;
}

int bert_config_load(const char *path, bert_config *cfg, at_err *err)
{
    if (!path || !cfg)
        return at_err_set(err, AT_EINVAL, "bert_config_load: %s is NULL",
                          path ? "cfg" : "path");
    char *buf = NULL;
    size_t len = 0;
    int rc = read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    free(buf);
    if (!root)
        return at_err_set(err, AT_EFORMAT,
                          "%s: not valid JSON: %s (line %d, column %d)", path,
                          je.text, je.line, je.column);
    bert_config c;
    memset(&c, 0, sizeof c);
    rc = parse_config(path, root, &c, err);
    json_decref(root);
    if (rc == 0)
        *cfg = c;
    return rc;
}
