/* Host-side weights of the GPU baseline: loading from a Hugging Face model
 * directory (the same safetensors reader as the CPU reference), seeded
 * random weights for the BERT-base shape, and writing a model directory
 * the CPU reference can load. Host code only: usable without a GPU. */
#include "gpu_bert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "bert_tensors.h"
#include "safetensors.h"
}

bert_config gb_bert_base_config(void)
{
    bert_config c;
    memset(&c, 0, sizeof c);
    c.vocab_size = 30522;
    c.hidden = 768;
    c.layers = 12;
    c.heads = 12;
    c.intermediate = 3072;
    c.max_positions = 512;
    c.type_vocab = 2;
    c.pad_token_id = 0;
    c.ln_eps = 1e-12;
    return c;
}

void gb_weights_free(gb_host_weights *w)
{
    if (!w)
        return;
    if (w->layers) {
        for (int l = 0; l < w->cfg.layers; l++) {
            gb_host_layer *y = &w->layers[l];
            free(y->qkv_w); free(y->qkv_b);
            free(y->ao_w); free(y->ao_b);
            free(y->ln1_g); free(y->ln1_b);
            free(y->fi_w); free(y->fi_b);
            free(y->fo_w); free(y->fo_b);
            free(y->ln2_g); free(y->ln2_b);
        }
        free(w->layers);
    }
    free(w->word);
    free(w->pos);
    free(w->type);
    free(w->emb_ln_g);
    free(w->emb_ln_b);
    free(w);
}

static int check_cfg(const bert_config *c, at_err *err)
{
    if (c->hidden < 1 || c->heads < 1 || c->hidden % c->heads || c->layers < 1 ||
        c->intermediate < 1 || c->vocab_size < 1 || c->max_positions < 1 ||
        c->type_vocab < 1 || c->hidden > 8192)
        return at_err_set(err, AT_EINVAL,
                          "gpu_bert: unsupported config (hidden %d, heads %d, "
                          "layers %d, intermediate %d, vocab %d, positions %d)",
                          c->hidden, c->heads, c->layers, c->intermediate,
                          c->vocab_size, c->max_positions);
    return AT_OK;
}

/* ------------------------------------------------------------ load */

static int wl_layer(const bert_tensors *l, const bert_config *c, int li, gb_host_layer *y)
{
    const int64_t H = c->hidden, I = c->intermediate;
    char name[192], sub[96];
    static const char *const qkv[3] = {"query", "key", "value"};
    y->qkv_w = (float *)malloc((size_t)(3 * H * H) * sizeof(float));
    y->qkv_b = (float *)malloc((size_t)(3 * H) * sizeof(float));
    if (!y->qkv_w || !y->qkv_b)
        return at_err_set(l->err, AT_ENOMEM, "gpu_bert: out of memory");
    for (int p = 0; p < 3; p++) {
        float *part = NULL;
        snprintf(sub, sizeof sub, "attention.self.%s.weight", qkv[p]);
        snprintf(name, sizeof name, "encoder.layer.%d.%s", li, sub);
        int rc = bert_tensors_read(l, name, 2, H, H, &part);
        if (rc)
            return rc;
        memcpy(y->qkv_w + (size_t)(p * H * H), part, (size_t)(H * H) * sizeof(float));
        free(part);
        snprintf(sub, sizeof sub, "attention.self.%s.bias", qkv[p]);
        snprintf(name, sizeof name, "encoder.layer.%d.%s", li, sub);
        rc = bert_tensors_read(l, name, 1, H, 0, &part);
        if (rc)
            return rc;
        memcpy(y->qkv_b + p * H, part, (size_t)H * sizeof(float));
        free(part);
    }
    struct { const char *n; int nd; int64_t d0, d1; float **dst; } t[] = {
        {"attention.output.dense.weight", 2, H, H, &y->ao_w},
        {"attention.output.dense.bias", 1, H, 0, &y->ao_b},
        {"attention.output.LayerNorm.weight", 1, H, 0, &y->ln1_g},
        {"attention.output.LayerNorm.bias", 1, H, 0, &y->ln1_b},
        {"intermediate.dense.weight", 2, I, H, &y->fi_w},
        {"intermediate.dense.bias", 1, I, 0, &y->fi_b},
        {"output.dense.weight", 2, H, I, &y->fo_w},
        {"output.dense.bias", 1, H, 0, &y->fo_b},
        {"output.LayerNorm.weight", 1, H, 0, &y->ln2_g},
        {"output.LayerNorm.bias", 1, H, 0, &y->ln2_b},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(name, sizeof name, "encoder.layer.%d.%s", li, t[i].n);
        int rc = bert_tensors_read(l, name, t[i].nd, t[i].d0, t[i].d1, t[i].dst);
        if (rc)
            return rc;
    }
    return AT_OK;
}

int gb_weights_load(const char *dir, gb_host_weights **out, at_err *err)
{
    if (!out || !dir)
        return at_err_set(err, AT_EINVAL, "gb_weights_load: NULL argument");
    *out = NULL;
    size_t dl = strlen(dir);
    char *path = (char *)malloc(dl + 32);
    gb_host_weights *w = (gb_host_weights *)calloc(1, sizeof *w);
    st_file *st = NULL;
    int rc;
    if (!path || !w) {
        rc = at_err_set(err, AT_ENOMEM, "gb_weights_load: out of memory");
        goto fail;
    }
    snprintf(path, dl + 32, "%s/config.json", dir);
    if ((rc = bert_config_load(path, &w->cfg, err)) || (rc = check_cfg(&w->cfg, err)))
        goto fail;
    snprintf(path, dl + 32, "%s/model.safetensors", dir);
    if ((rc = st_open(path, &st, err)))
        goto fail;
    {
        bert_tensors l;
        bert_tensors_init(&l, st, err);
        const bert_config *c = &w->cfg;
        const int64_t H = c->hidden;
        if ((rc = bert_tensors_read(&l, "embeddings.word_embeddings.weight", 2, c->vocab_size, H, &w->word)) ||
            (rc = bert_tensors_read(&l, "embeddings.position_embeddings.weight", 2, c->max_positions, H, &w->pos)) ||
            (rc = bert_tensors_read(&l, "embeddings.token_type_embeddings.weight", 2, c->type_vocab, H, &w->type)) ||
            (rc = bert_tensors_read(&l, "embeddings.LayerNorm.weight", 1, H, 0, &w->emb_ln_g)) ||
            (rc = bert_tensors_read(&l, "embeddings.LayerNorm.bias", 1, H, 0, &w->emb_ln_b)))
            goto fail;
        w->layers = (gb_host_layer *)calloc((size_t)c->layers, sizeof *w->layers);
        if (!w->layers) {
            rc = at_err_set(err, AT_ENOMEM, "gb_weights_load: out of memory");
            goto fail;
        }
        for (int li = 0; li < c->layers; li++)
            if ((rc = wl_layer(&l, c, li, &w->layers[li])))
                goto fail;
    }
    st_close(st);
    free(path);
    *out = w;
    return AT_OK;
fail:
    st_close(st);
    free(path);
    gb_weights_free(w);
    return rc;
}

/* ------------------------------------------------------------ random */

/* splitmix64 + Box-Muller: deterministic on every machine. */
typedef struct rng { uint64_t s; int have; double spare; } rng;

static uint64_t rng_u64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_normal(rng *r)
{
    if (r->have) {
        r->have = 0;
        return r->spare;
    }
    double u1 = ((double)(rng_u64(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0); /* (0, 1] */
    double u2 = (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);        /* [0, 1) */
    double rad = sqrt(-2.0 * log(u1));
    r->spare = rad * sin(6.283185307179586 * u2);
    r->have = 1;
    return rad * cos(6.283185307179586 * u2);
}

static float *rnd(rng *r, size_t n, double stddev)
{
    float *p = (float *)malloc(n * sizeof(float));
    if (p)
        for (size_t i = 0; i < n; i++)
            p[i] = (float)(stddev * rng_normal(r));
    return p;
}

static float *cst(size_t n, float v)
{
    float *p = (float *)malloc(n * sizeof(float));
    if (p)
        for (size_t i = 0; i < n; i++)
            p[i] = v;
    return p;
}

int gb_weights_random(const bert_config *cfg, uint64_t seed,
                      gb_host_weights **out, at_err *err)
{
    if (!cfg || !out)
        return at_err_set(err, AT_EINVAL, "gb_weights_random: NULL argument");
    *out = NULL;
    int rc = check_cfg(cfg, err);
    if (rc)
        return rc;
    gb_host_weights *w = (gb_host_weights *)calloc(1, sizeof *w);
    if (!w)
        return at_err_set(err, AT_ENOMEM, "gb_weights_random: out of memory");
    w->cfg = *cfg;
    const size_t H = (size_t)cfg->hidden, I = (size_t)cfg->intermediate;
    const double sd = 0.02;
    rng r = {seed, 0, 0.0};
    int ok = (w->word = rnd(&r, (size_t)cfg->vocab_size * H, sd)) &&
             (w->pos = rnd(&r, (size_t)cfg->max_positions * H, sd)) &&
             (w->type = rnd(&r, (size_t)cfg->type_vocab * H, sd)) &&
             (w->emb_ln_g = cst(H, 1.0f)) && (w->emb_ln_b = cst(H, 0.0f)) &&
             (w->layers = (gb_host_layer *)calloc((size_t)cfg->layers, sizeof *w->layers));
    for (int l = 0; ok && l < cfg->layers; l++) {
        gb_host_layer *y = &w->layers[l];
        ok = (y->qkv_w = rnd(&r, 3 * H * H, sd)) && (y->qkv_b = rnd(&r, 3 * H, sd)) &&
             (y->ao_w = rnd(&r, H * H, sd)) && (y->ao_b = rnd(&r, H, sd)) &&
             (y->ln1_g = cst(H, 1.0f)) && (y->ln1_b = cst(H, 0.0f)) &&
             (y->fi_w = rnd(&r, I * H, sd)) && (y->fi_b = rnd(&r, I, sd)) &&
             (y->fo_w = rnd(&r, H * I, sd)) && (y->fo_b = rnd(&r, H, sd)) &&
             (y->ln2_g = cst(H, 1.0f)) && (y->ln2_b = cst(H, 0.0f));
    }
    if (!ok) {
        gb_weights_free(w);
        return at_err_set(err, AT_ENOMEM, "gb_weights_random: out of memory");
    }
    *out = w;
    return AT_OK;
}

/* ------------------------------------------------------------ write */

typedef struct wt {
    char name[128];
    int ndim;
    int64_t d0, d1;
    const float *data;
} wt;

static size_t collect(const gb_host_weights *w, wt *t)
{
    const bert_config *c = &w->cfg;
    const int64_t H = c->hidden, I = c->intermediate;
    size_t n = 0;
#define ADD(nm, nd, a, b, p)                                                 \
    do {                                                                     \
        if (t) {                                                             \
            snprintf(t[n].name, sizeof t[n].name, "%s", nm);                 \
            t[n].ndim = nd, t[n].d0 = a, t[n].d1 = b, t[n].data = p;         \
        }                                                                    \
        n++;                                                                 \
    } while (0)
    ADD("embeddings.word_embeddings.weight", 2, c->vocab_size, H, w->word);
    ADD("embeddings.position_embeddings.weight", 2, c->max_positions, H, w->pos);
    ADD("embeddings.token_type_embeddings.weight", 2, c->type_vocab, H, w->type);
    ADD("embeddings.LayerNorm.weight", 1, H, 0, w->emb_ln_g);
    ADD("embeddings.LayerNorm.bias", 1, H, 0, w->emb_ln_b);
    static const char *const qkv[3] = {"query", "key", "value"};
    for (int l = 0; l < c->layers; l++) {
        const gb_host_layer *y = &w->layers[l];
        char nm[128];
        for (int p = 0; p < 3; p++) {
            snprintf(nm, sizeof nm, "encoder.layer.%d.attention.self.%s.weight", l, qkv[p]);
            ADD(nm, 2, H, H, y->qkv_w + (size_t)(p * H * H));
            snprintf(nm, sizeof nm, "encoder.layer.%d.attention.self.%s.bias", l, qkv[p]);
            ADD(nm, 1, H, 0, y->qkv_b + p * H);
        }
#define LADD(sfx, nd, a, b, p)                                                \
        snprintf(nm, sizeof nm, "encoder.layer.%d.%s", l, sfx);               \
        ADD(nm, nd, a, b, p)
        LADD("attention.output.dense.weight", 2, H, H, y->ao_w);
        LADD("attention.output.dense.bias", 1, H, 0, y->ao_b);
        LADD("attention.output.LayerNorm.weight", 1, H, 0, y->ln1_g);
        LADD("attention.output.LayerNorm.bias", 1, H, 0, y->ln1_b);
        LADD("intermediate.dense.weight", 2, I, H, y->fi_w);
        LADD("intermediate.dense.bias", 1, I, 0, y->fi_b);
        LADD("output.dense.weight", 2, H, I, y->fo_w);
        LADD("output.dense.bias", 1, H, 0, y->fo_b);
        LADD("output.LayerNorm.weight", 1, H, 0, y->ln2_g);
        LADD("output.LayerNorm.bias", 1, H, 0, y->ln2_b);
#undef LADD
    }
#undef ADD
    return n;
}

int gb_weights_write(const gb_host_weights *w, const char *dir, at_err *err)
{
    if (!w || !dir)
        return at_err_set(err, AT_EINVAL, "gb_weights_write: NULL argument");
    const bert_config *c = &w->cfg;
    size_t dl = strlen(dir);
    char *path = (char *)malloc(dl + 32);
    size_t n = collect(w, NULL);
    wt *t = (wt *)calloc(n, sizeof *t);
    size_t cap = 256 + n * 256;
    char *hdr = (char *)malloc(cap + 8);
    FILE *fp = NULL;
    int rc = AT_OK;
    if (!path || !t || !hdr) {
        rc = at_err_set(err, AT_ENOMEM, "gb_weights_write: out of memory");
        goto out;
    }
    collect(w, t);

    snprintf(path, dl + 32, "%s/config.json", dir);
    fp = fopen(path, "w");
    if (!fp) {
        rc = at_err_set(err, AT_EIO, "%s: cannot create", path);
        goto out;
    }
    fprintf(fp,
            "{\n  \"architectures\": [\"BertModel\"],\n  \"model_type\": \"bert\",\n"
            "  \"hidden_act\": \"gelu\",\n  \"position_embedding_type\": \"absolute\",\n"
            "  \"vocab_size\": %d,\n  \"hidden_size\": %d,\n  \"num_hidden_layers\": %d,\n"
            "  \"num_attention_heads\": %d,\n  \"intermediate_size\": %d,\n"
            "  \"max_position_embeddings\": %d,\n  \"type_vocab_size\": %d,\n"
            "  \"pad_token_id\": %d,\n  \"layer_norm_eps\": %.17g\n}\n",
            c->vocab_size, c->hidden, c->layers, c->heads, c->intermediate,
            c->max_positions, c->type_vocab, c->pad_token_id, c->ln_eps);
    if (fclose(fp) != 0) {
        fp = NULL;
        rc = at_err_set(err, AT_EIO, "%s: write failed", path);
        goto out;
    }
    fp = NULL;

    {
        /* Header: {"name": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...}
         * padded with spaces to a multiple of 8 bytes. */
        size_t len = 0;
        uint64_t off = 0;
        len += (size_t)snprintf(hdr + len, cap - len, "{");
        for (size_t i = 0; i < n; i++) {
            uint64_t bytes = (uint64_t)t[i].d0 * (uint64_t)(t[i].ndim == 2 ? t[i].d1 : 1) * 4u;
            if (t[i].ndim == 2)
                len += (size_t)snprintf(hdr + len, cap - len,
                                        "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%lld,%lld],"
                                        "\"data_offsets\":[%llu,%llu]}",
                                        i ? "," : "", t[i].name, (long long)t[i].d0,
                                        (long long)t[i].d1, (unsigned long long)off,
                                        (unsigned long long)(off + bytes));
            else
                len += (size_t)snprintf(hdr + len, cap - len,
                                        "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%lld],"
                                        "\"data_offsets\":[%llu,%llu]}",
                                        i ? "," : "", t[i].name, (long long)t[i].d0,
                                        (unsigned long long)off,
                                        (unsigned long long)(off + bytes));
            off += bytes;
            if (len >= cap - 8) {
                rc = at_err_set(err, AT_ENOMEM, "gb_weights_write: header overflow");
                goto out;
            }
        }
        hdr[len++] = '}';
        while (len % 8)
            hdr[len++] = ' ';
        snprintf(path, dl + 32, "%s/model.safetensors", dir);
        fp = fopen(path, "wb");
        if (!fp) {
            rc = at_err_set(err, AT_EIO, "%s: cannot create", path);
            goto out;
        }
        unsigned char le[8];
        for (int i = 0; i < 8; i++)
            le[i] = (unsigned char)((uint64_t)len >> (8 * i));
        int bad = fwrite(le, 1, 8, fp) != 8 || fwrite(hdr, 1, len, fp) != len;
        for (size_t i = 0; !bad && i < n; i++) {
            size_t cnt = (size_t)t[i].d0 * (size_t)(t[i].ndim == 2 ? t[i].d1 : 1);
            bad = fwrite(t[i].data, sizeof(float), cnt, fp) != cnt; /* little-endian host */
        }
        if (fclose(fp) != 0)
            bad = 1;
        fp = NULL;
        if (bad)
            rc = at_err_set(err, AT_EIO, "%s: write failed", path);
    }
out:
    if (fp)
        fclose(fp);
    free(path);
    free(t);
    free(hdr);
    return rc;
}
