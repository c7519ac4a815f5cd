/* Synthetic BERT encoders: see at_synth.h. */
#include "at_synth.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const at_synth_shape k_shapes[] = {
    {"bert-tiny", 2, 128, 2, 512},
    {"bert-base", 12, 768, 12, 3072},
};

const at_synth_shape *at_synth_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof k_shapes / sizeof k_shapes[0]; i++)
        if (!strcmp(k_shapes[i].name, name))
            return &k_shapes[i];
    return NULL;
}

void at_synth_config(const at_synth_shape *s, bert_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->vocab_size = 30522;
    cfg->hidden = s->hidden;
    cfg->layers = s->layers;
    cfg->heads = s->heads;
    cfg->intermediate = s->intermediate;
    cfg->max_positions = 512;
    cfg->type_vocab = 2;
    cfg->pad_token_id = 0;
    cfg->ln_eps = 1e-12;
}

/* ------------------------------------------------------------ random numbers */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in (0, 1) */
static double unit(uint64_t *s)
{
    return ((double)(splitmix(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static uint16_t to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest even */
    return (uint16_t)(u >> 16);
}

/* ------------------------------------------------------------ the tensor list */

enum { INIT_NORMAL, INIT_ZERO, INIT_ONE };

typedef struct tdesc {
    char name[96];
    int ndim;
    int64_t d0, d1;
    int init;
} tdesc;

static size_t tensor_list(const bert_config *c, tdesc *t)
{
    size_t n = 0;
    const int64_t H = c->hidden, I = c->intermediate;
#define T(nm, nd, a, b, in)                                              \
    do {                                                                 \
        if (t)                                                           \
            t[n] = (tdesc){"", nd, a, b, in};                            \
        if (t)                                                           \
            snprintf(t[n].name, sizeof t[n].name, "%s", nm);             \
        n++;                                                             \
    } while (0)
    T("embeddings.word_embeddings.weight", 2, c->vocab_size, H, INIT_NORMAL);
    T("embeddings.position_embeddings.weight", 2, c->max_positions, H, INIT_NORMAL);
    T("embeddings.token_type_embeddings.weight", 2, c->type_vocab, H, INIT_NORMAL);
    T("embeddings.LayerNorm.weight", 1, H, 0, INIT_ONE);
    T("embeddings.LayerNorm.bias", 1, H, 0, INIT_ZERO);
    static const struct {
        const char *suffix;
        int nd, rows_i, cols_i, init; /* rows / cols: 0 = H, 1 = I */
    } per[] = {
        {"attention.self.query.weight", 2, 0, 0, INIT_NORMAL},   {"attention.self.query.bias", 1, 0, 0, INIT_ZERO},
        {"attention.self.key.weight", 2, 0, 0, INIT_NORMAL},     {"attention.self.key.bias", 1, 0, 0, INIT_ZERO},
        {"attention.self.value.weight", 2, 0, 0, INIT_NORMAL},   {"attention.self.value.bias", 1, 0, 0, INIT_ZERO},
        {"attention.output.dense.weight", 2, 0, 0, INIT_NORMAL}, {"attention.output.dense.bias", 1, 0, 0, INIT_ZERO},
        {"attention.output.LayerNorm.weight", 1, 0, 0, INIT_ONE},
        {"attention.output.LayerNorm.bias", 1, 0, 0, INIT_ZERO},
        {"intermediate.dense.weight", 2, 1, 0, INIT_NORMAL},     {"intermediate.dense.bias", 1, 1, 0, INIT_ZERO},
        {"output.dense.weight", 2, 0, 1, INIT_NORMAL},           {"output.dense.bias", 1, 0, 0, INIT_ZERO},
        {"output.LayerNorm.weight", 1, 0, 0, INIT_ONE},          {"output.LayerNorm.bias", 1, 0, 0, INIT_ZERO},
    };
    for (int l = 0; l < c->layers; l++)
        for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
            char nm[96];
            snprintf(nm, sizeof nm, "encoder.layer.%d.%s", l, per[i].suffix);
            T(nm, per[i].nd, per[i].rows_i ? I : H, per[i].nd == 2 ? (per[i].cols_i ? I : H) : 0, per[i].init);
        }
#undef T
    return n;
}

int at_synth_weights(const bert_config *cfg, uint64_t seed, st_file **out, at_err *err)
{
    *out = NULL;
    size_t n = tensor_list(cfg, NULL);
    tdesc *t = calloc(n, sizeof *t);
    json_t *hdr = json_object();
    uint8_t *buf = NULL;
    int rc = 0;
    if (!t || !hdr) {
        rc = at_err_set(err, AT_ENOMEM, "synthetic weights: out of memory");
        goto done;
    }
    tensor_list(cfg, t);
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t elems = (uint64_t)t[i].d0 * (uint64_t)(t[i].ndim == 2 ? t[i].d1 : 1);
        json_t *shape = t[i].ndim == 2 ? json_pack("[II]", (json_int_t)t[i].d0, (json_int_t)t[i].d1)
                                       : json_pack("[I]", (json_int_t)t[i].d0);
        json_t *e = json_pack("{s:s, s:o, s:[II]}", "dtype", "BF16", "shape", shape, "data_offsets",
                              (json_int_t)off, (json_int_t)(off + 2 * elems));
        if (!e || json_object_set_new(hdr, t[i].name, e)) {
            rc = at_err_set(err, AT_ENOMEM, "synthetic weights: out of memory");
            goto done;
        }
        off += 2 * elems;
    }
    char *h = json_dumps(hdr, JSON_COMPACT);
    if (!h) {
        rc = at_err_set(err, AT_ENOMEM, "synthetic weights: out of memory");
        goto done;
    }
    size_t hl = strlen(h), hpad = (hl + 7) / 8 * 8; /* the header is padded with spaces to 8 bytes */
    size_t total = 8 + hpad + (size_t)off;
    buf = malloc(total);
    if (!buf) {
        free(h);
        rc = at_err_set(err, AT_ENOMEM, "synthetic weights: out of memory for %zu bytes", total);
        goto done;
    }
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)((uint64_t)hpad >> (8 * i));
    memcpy(buf + 8, h, hl);
    memset(buf + 8 + hl, ' ', hpad - hl);
    free(h);
    uint8_t *p = buf + 8 + hpad;
    uint64_t rs = seed ^ 0x5eed5eed5eed5eedull;
    const double std = 0.02; /* BERT's initializer_range */
    for (size_t i = 0; i < n; i++) {
        uint64_t elems = (uint64_t)t[i].d0 * (uint64_t)(t[i].ndim == 2 ? t[i].d1 : 1);
        for (uint64_t k = 0; k < elems; k++) {
            float v = t[i].init == INIT_ONE ? 1.0f : 0.0f;
            if (t[i].init == INIT_NORMAL) /* Box-Muller */
                v = (float)(std * sqrt(-2.0 * log(unit(&rs))) * cos(6.283185307179586 * unit(&rs)));
            uint16_t b = to_bf16(v);
            p[0] = (uint8_t)b;
            p[1] = (uint8_t)(b >> 8);
            p += 2;
        }
    }
    char label[64];
    snprintf(label, sizeof label, "synthetic weights (seed %llu)", (unsigned long long)seed);
    rc = st_open_memory(buf, total, label, out, err);
done:
    free(buf);
    free(t);
    json_decref(hdr);
    return rc;
}

void at_synth_tokens(uint64_t seed, int vocab, int32_t *const *ids, const size_t *lens, size_t batch)
{
    uint64_t rs = seed ^ 0x70c3e570c3e5ull;
    int lo = vocab > 999 ? 999 : 0;
    for (size_t b = 0; b < batch; b++)
        for (size_t i = 0; i < lens[b]; i++) {
            int32_t id = (int32_t)(lo + (int)(splitmix(&rs) % (uint64_t)(vocab - lo)));
            if (vocab > 999 && i == 0)
                id = 101;
            else if (vocab > 999 && i + 1 == lens[b] && lens[b] > 1)
                id = 102;
            ids[b][i] = id;
        }
}

int at_synth_qmodel(const at_synth_shape *s, uint64_t seed, const at_quant_opts *qo, at_qmodel **out, at_err *err)
{
    *out = NULL;
    if (!s)
        return at_err_set(err, AT_EINVAL, "synthetic model: no shape");
    bert_config cfg;
    at_synth_config(s, &cfg);
    st_file *st = NULL;
    int rc = at_synth_weights(&cfg, seed, &st, err);
    if (rc)
        return rc;
    enum { NCAL = 4 };
    static const size_t lens[NCAL] = {16, 48, 96, 128};
    int32_t *ids[NCAL] = {0};
    for (int i = 0; i < NCAL && !rc; i++)
        if (!(ids[i] = malloc(lens[i] * sizeof *ids[i])))
            rc = at_err_set(err, AT_ENOMEM, "synthetic model: out of memory");
    if (!rc) {
        at_synth_tokens(seed + 1, cfg.vocab_size, ids, lens, NCAL);
        rc = at_quant_build_st(&cfg, st, (const int32_t *const *)ids, lens, NCAL, qo, out, err);
    }
    for (int i = 0; i < NCAL; i++)
        free(ids[i]);
    st_close(st);
    return rc;
}
