/* Tests of the BERT config.json loader (runtime/bert_config.c): the real
 * model's file, defaults, and malformed files (each error names the file and
 * the key or problem). Files are written into a mkdtemp directory. */
#include "bert_config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static char tmpdir[64];
static int file_no;

static const char *write_text(const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/config%03d.json", tmpdir, file_no++);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        perror(path);
        exit(2);
    }
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* The MiniLM config's keys as JSON text; a config is built from these with
 * one key dropped and/or one key set to a given JSON value. */
static const char *const base_keys[][2] = {
    {"vocab_size", "30522"},
    {"hidden_size", "384"},
    {"num_hidden_layers", "6"},
    {"num_attention_heads", "12"},
    {"intermediate_size", "1536"},
    {"max_position_embeddings", "512"},
    {"type_vocab_size", "2"},
    {"pad_token_id", "0"},
    {"layer_norm_eps", "1e-12"},
    {"hidden_act", "\"gelu\""},
    {"model_type", "\"bert\""},
};
#define NBASE (sizeof base_keys / sizeof base_keys[0])

static const char *make_config(const char *drop, const char *set_key,
                               const char *set_val)
{
    char text[4096];
    size_t n = 0;
    int set_done = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "{\n");
    for (size_t i = 0; i < NBASE; i++) {
        const char *k = base_keys[i][0], *v = base_keys[i][1];
        if (drop && !strcmp(drop, k))
            continue;
        if (set_key && !strcmp(set_key, k)) {
            v = set_val;
            set_done = 1;
        }
        n += (size_t)snprintf(text + n, sizeof text - n, "%s  \"%s\": %s",
                              n > 2 ? ",\n" : "", k, v);
    }
    if (set_key && !set_done)
        n += (size_t)snprintf(text + n, sizeof text - n, ",\n  \"%s\": %s",
                              set_key, set_val);
    snprintf(text + n, sizeof text - n, "\n}\n");
    return write_text(text);
}

static void expect_fail_at(const char *path, int code, const char *w1,
                           const char *w2, int line)
{
    bert_config c;
    memset(&c, 0x5a, sizeof c);
    bert_config before = c;
    at_err e = {0, ""};
    int rc = bert_config_load(path, &c, &e);
    CHECK(rc == code, "line %d: rc %s, want %s (%s)", line, at_err_name(rc),
          at_err_name(code), e.msg);
    CHECK(strstr(e.msg, path) != NULL, "line %d: message lacks path: %s", line,
          e.msg);
    CHECK(strstr(e.msg, w1) != NULL, "line %d: message lacks '%s': %s", line,
          w1, e.msg);
    CHECK(!w2 || strstr(e.msg, w2) != NULL, "line %d: message lacks '%s': %s",
          line, w2 ? w2 : "", e.msg);
    CHECK(memcmp(&c, &before, sizeof c) == 0, "line %d: cfg written on failure",
          line);
}
#define EXPECT_FAIL(path, code, w1, w2) expect_fail_at(path, code, w1, w2, __LINE__)

static void test_real_file(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/config.json", check_model_dir());
    bert_config c;
    at_err e = {0, ""};
    int rc = bert_config_load(p, &c, &e);
    CHECK(rc == 0, "%s", e.msg);
    if (rc)
        return;
    CHECK(c.vocab_size == 30522 && c.hidden == 384 && c.layers == 6 &&
              c.heads == 12 && c.intermediate == 1536 &&
              c.max_positions == 512 && c.type_vocab == 2 &&
              c.pad_token_id == 0 && c.ln_eps == 1e-12,
          "values: %d %d %d %d %d %d %d %d %g", c.vocab_size, c.hidden,
          c.layers, c.heads, c.intermediate, c.max_positions, c.type_vocab,
          c.pad_token_id, c.ln_eps);
}

static void test_defaults(void)
{
    bert_config c;
    at_err e = {0, ""};
    const char *p = write_text(
        "{\"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 2,"
        " \"num_attention_heads\": 4, \"intermediate_size\": 256,"
        " \"max_position_embeddings\": 128, \"type_vocab_size\": 1,"
        " \"unrelated\": [1, {\"x\": null}]}");
    int rc = bert_config_load(p, &c, &e);
    CHECK(rc == 0, "%s", e.msg);
    CHECK(rc == 0 && c.pad_token_id == 0 && c.ln_eps == 1e-12 &&
              c.hidden == 64 && c.heads == 4,
          "defaults pad %d eps %g", c.pad_token_id, c.ln_eps);
    /* eps as a real and as an integer-free exponent; pad null = default */
    rc = bert_config_load(make_config(NULL, "layer_norm_eps", "1e-5"), &c, &e);
    CHECK(rc == 0 && c.ln_eps == 1e-5, "eps 1e-5: %s", e.msg);
    rc = bert_config_load(make_config(NULL, "pad_token_id", "null"), &c, &e);
    CHECK(rc == 0 && c.pad_token_id == 0, "pad null: %s", e.msg);
    rc = bert_config_load(make_config(NULL, "pad_token_id", "30521"), &c, &e);
    CHECK(rc == 0 && c.pad_token_id == 30521, "pad last: %s", e.msg);
}

static void test_missing_keys(void)
{
    static const char *const req[] = {
        "vocab_size",        "hidden_size",
        "num_hidden_layers", "num_attention_heads",
        "intermediate_size", "max_position_embeddings",
        "type_vocab_size"};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
        char want[96];
        snprintf(want, sizeof want, "missing key '%s'", req[i]);
        EXPECT_FAIL(make_config(req[i], NULL, NULL), AT_EFORMAT, want, NULL);
    }
}

static void test_wrong_types(void)
{
    EXPECT_FAIL(make_config(NULL, "hidden_size", "\"384\""), AT_EFORMAT,
                "'hidden_size'", "expected an integer");
    EXPECT_FAIL(make_config(NULL, "num_hidden_layers", "6.0"), AT_EFORMAT,
                "'num_hidden_layers'", "real number");
    EXPECT_FAIL(make_config(NULL, "vocab_size", "true"), AT_EFORMAT,
                "'vocab_size'", "integer");
    EXPECT_FAIL(make_config(NULL, "layer_norm_eps", "\"1e-12\""), AT_EFORMAT,
                "'layer_norm_eps'", "expected a number");
    EXPECT_FAIL(make_config(NULL, "hidden_act", "5"), AT_EFORMAT,
                "'hidden_act'", "expected a string");
    EXPECT_FAIL(make_config(NULL, "model_type", "null"), AT_EFORMAT,
                "'model_type'", "string");
}

static void test_ranges(void)
{
    EXPECT_FAIL(make_config(NULL, "hidden_size", "0"), AT_ERANGE,
                "'hidden_size'", "out of range");
    EXPECT_FAIL(make_config(NULL, "num_attention_heads", "-12"), AT_ERANGE,
                "'num_attention_heads'", "-12");
    EXPECT_FAIL(make_config(NULL, "vocab_size", "1099511627776"), AT_ERANGE,
                "'vocab_size'", "1099511627776");
    EXPECT_FAIL(make_config(NULL, "intermediate_size", "4294967680"),
                AT_ERANGE, "'intermediate_size'", "out of range");
    EXPECT_FAIL(make_config(NULL, "pad_token_id", "30522"), AT_ERANGE,
                "'pad_token_id'", "out of range");
    EXPECT_FAIL(make_config(NULL, "pad_token_id", "-1"), AT_ERANGE,
                "'pad_token_id'", "out of range");
    EXPECT_FAIL(make_config(NULL, "layer_norm_eps", "0"), AT_ERANGE,
                "'layer_norm_eps'", "out of range");
    EXPECT_FAIL(make_config(NULL, "layer_norm_eps", "-1e-12"), AT_ERANGE,
                "'layer_norm_eps'", "out of range");
    EXPECT_FAIL(make_config(NULL, "vocab_size", "99999999999999999999"),
                AT_EFORMAT, "not valid JSON", "too big");
}

static void test_not_divisible(void)
{
    EXPECT_FAIL(make_config(NULL, "num_attention_heads", "10"), AT_EFORMAT,
                "hidden_size 384", "not divisible by num_attention_heads 10");
}

static void test_unsupported(void)
{
    EXPECT_FAIL(make_config(NULL, "hidden_act", "\"relu\""), AT_EUNSUPPORTED,
                "'hidden_act'", "\"relu\"");
    EXPECT_FAIL(make_config(NULL, "model_type", "\"roberta\""),
                AT_EUNSUPPORTED, "'model_type'", "roberta");
    EXPECT_FAIL(make_config(NULL, "position_embedding_type", "\"relative_key\""),
                AT_EUNSUPPORTED, "'position_embedding_type'", "relative_key");
}

static void test_not_json(void)
{
    EXPECT_FAIL(write_text("vocab_size = 3\n"), AT_EFORMAT, "not valid JSON",
                "line 1");
    EXPECT_FAIL(write_text("{\"vocab_size\": 3,\n}"), AT_EFORMAT,
                "not valid JSON", "line 2");
    EXPECT_FAIL(write_text(""), AT_EFORMAT, "not valid JSON", NULL);
    EXPECT_FAIL(write_text("[1, 2]"), AT_EFORMAT, "not an object", NULL);
    EXPECT_FAIL(write_text("{\"vocab_size\": 3, \"vocab_size\": 4}"), AT_EFORMAT,
                "duplicate", NULL);
}

static void test_io_errors(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/absent.json", tmpdir);
    EXPECT_FAIL(p, AT_EIO, "cannot open", NULL);
    EXPECT_FAIL(tmpdir, AT_EIO, "read failed", NULL);
    bert_config c;
    CHECK(bert_config_load(NULL, &c, NULL) == AT_EINVAL, "NULL path");
    CHECK(bert_config_load(p, NULL, NULL) == AT_EINVAL, "NULL cfg");
}

int main(void)
{
    if (tmpdir_make(tmpdir, sizeof tmpdir, "cfg"))
        return 2;
    RUN_CASE(test_real_file);
    RUN_CASE(test_defaults);
    RUN_CASE(test_missing_keys);
    RUN_CASE(test_wrong_types);
    RUN_CASE(test_ranges);
    RUN_CASE(test_not_divisible);
    RUN_CASE(test_unsupported);
    RUN_CASE(test_not_json);
    RUN_CASE(test_io_errors);
    tmpdir_remove(tmpdir);
    return check_finish("bert_config");
}
