/* int16 quantization and calibration: see at_quant.h. */
#include "at_quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert_float.h"
#include "bert_tensors.h"
#include "safetensors.h"

#define QMAX 32767.0

uint16_t at_quant_tau(double tau, double s)
{
    if (!(tau > 0) || !(s > 0))
        return 0;
    double t = floor(tau / s);
    return t >= 32767 ? 32767 : (uint16_t)t;
}

/* ------------------------------------------------------------ calibration */

typedef struct calib_ctx {
    at_qstats *st;
    int layers;
} calib_ctx;

static double absmax(const float *d, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs((double)d[i]);
        if (a > m)
            m = a;
    }
    return m;
}

static void upd(double *slot, double v)
{
    if (v > *slot)
        *slot = v;
}

static void calib_observe(void *vctx, const char *name, int layer, const float *data, size_t rows,
                          size_t cols)
{
    calib_ctx *c = vctx;
    double m = absmax(data, rows * cols);
    if (layer < 0) {
        if (!strcmp(name, "embed.ln"))
            upd(&c->st->embed_ln, m);
        return;
    }
    if (layer >= c->layers || layer >= 64)
        return;
    const char *s = strchr(name + 6, '.'); /* after "layer.L" */
    if (!s)
        return;
    s++;
    static const struct {
        const char *n;
        size_t off;
    } map[] = {
        {"q", offsetof(at_qstats, q)},           {"k", offsetof(at_qstats, k)},
        {"v", offsetof(at_qstats, v)},           {"attn.scores", offsetof(at_qstats, scores)},
        {"attn.ctx", offsetof(at_qstats, ctx)},  {"attn.out", offsetof(at_qstats, attn_out)},
        {"attn.ln", offsetof(at_qstats, attn_ln)}, {"ffn.pre", offsetof(at_qstats, ffn_pre)},
        {"ffn.act", offsetof(at_qstats, ffn_act)}, {"ffn.out", offsetof(at_qstats, ffn_out)},
        {"out.ln", offsetof(at_qstats, out_ln)},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(s, map[i].n)) {
            double *arr = (double *)((char *)c->st + map[i].off);
            upd(&arr[layer], m);
            return;
        }
}

/* ------------------------------------------------------------ packing */

static double scale_of(double maxabs, double headroom)
{
    double s = maxabs * headroom / QMAX;
    return s > 1e-30 ? s : 1e-30;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void at_qdense_free(at_qdense *d)
{
    free(d->tiles);
    free(d->params);
    free(d->s_w);
    memset(d, 0, sizeof *d);
}

/* w: [n][k] (Linear weight), b: [n]. Output scale s_out; with gelu, the
 * requant writes s_pre and GELU maps it to s_out. */
static int qdense_make(at_qdense *d, const float *w, const float *b, uint32_t n, uint32_t k, double s_in,
                       double s_out, int gelu, double s_pre, const char *what, at_err *err)
{
    memset(d, 0, sizeof *d);
    d->k = k;
    d->n = n;
    d->kq = (k + 3) / 4 * 4;
    d->s_in = s_in;
    d->s_out = s_out;
    d->gelu = gelu;
    d->s_pre = s_pre;
    uint32_t nt = (n + 15) / 16;
    d->tiles = calloc((size_t)nt * 16 * k, sizeof *d->tiles);
    d->params = calloc((size_t)nt, AT_QPARAM_BYTES);
    d->s_w = calloc(n, sizeof *d->s_w);
    if (!d->tiles || !d->params || !d->s_w) {
        at_qdense_free(d);
        return at_err_set(err, AT_ENOMEM, "quantize %s: out of memory", what);
    }
    double s_y = gelu ? s_pre : s_out;
    for (uint32_t j = 0; j < n; j++) {
        double m = absmax(w + (size_t)j * k, k);
        double sw = m > 0 ? m / QMAX : 1.0;
        d->s_w[j] = (float)sw;
        int16_t *tile = d->tiles + (size_t)(j / 16) * 16 * k;
        for (uint32_t kk = 0; kk < k; kk++)
            tile[(size_t)kk * 16 + j % 16] = at_quant16(w[(size_t)j * k + kk], sw);
        uint8_t *pb = d->params + (size_t)(j / 16) * AT_QPARAM_BYTES;
        double sacc = s_in * sw;
        put32(pb + 4 * (j % 16), (uint32_t)at_quant32(b ? b[j] : 0.0, sacc));
        at_rq rq;
        if (at_rq_from_ratio(sacc / s_y, &rq))
            return at_err_set(err, AT_ERANGE, "quantize %s: requant ratio %g of column %u out of range", what,
                              sacc / s_y, j);
        put16(pb + 64 + 2 * (j % 16), rq.m);
        put16(pb + 96 + 2 * (j % 16), rq.s);
    }
    if (gelu && at_gelu_params_make(s_pre, s_out, &d->gelu_p))
        return at_err_set(err, AT_ERANGE, "quantize %s: GELU scales %g -> %g out of range", what, s_pre, s_out);
    return 0;
}

static int qln_make(at_qln *q, const float *g, const float *b, uint32_t n, double s_in, double s_out, double eps,
                    const char *what, at_err *err)
{
    memset(q, 0, sizeof *q);
    q->n = n;
    q->s_in = s_in;
    q->s_out = s_out;
    uint32_t nb = (n + 15) / 16;
    q->params = calloc(nb, AT_QPARAM_BYTES);
    if (!q->params)
        return at_err_set(err, AT_ENOMEM, "quantize %s: out of memory", what);
    double gm = absmax(g, n);
    q->s_gamma = gm > 0 ? gm / QMAX : 1.0;
    for (uint32_t j = 0; j < n; j++) {
        uint8_t *pb = q->params + (size_t)(j / 16) * AT_QPARAM_BYTES;
        put16(pb + 2 * (j % 16), (uint16_t)at_quant16(g[j], q->s_gamma));
        put32(pb + 32 + 4 * (j % 16), (uint32_t)at_quant32(b[j], s_out));
    }
    if (at_layernorm_params_make((int)n, s_in, q->s_gamma, s_out, eps, &q->p))
        return at_err_set(err, AT_ERANGE, "quantize %s: layer-norm scales out of range", what);
    return 0;
}

static void qln_free(at_qln *q)
{
    free(q->params);
    memset(q, 0, sizeof *q);
}

void at_quant_free(at_qmodel *m)
{
    if (!m)
        return;
    free(m->word);
    free(m->postype);
    qln_free(&m->emb_ln);
    if (m->layers)
        for (int l = 0; l < m->cfg.layers; l++) {
            at_qlayer *ly = &m->layers[l];
            at_qdense *ds[] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
            for (size_t i = 0; i < 6; i++)
                at_qdense_free(ds[i]);
            qln_free(&ly->ln1);
            qln_free(&ly->ln2);
        }
    free(m->layers);
    free(m);
}

/* ------------------------------------------------------------ build */

typedef struct fl_layer {
    float *wq, *wk, *wv, *bq, *bk, *bv, *wo, *bo, *g1, *b1, *w1, *c1, *w2, *c2, *g2, *b2;
} fl_layer;

static int read_layer(const bert_tensors *ld, const bert_config *c, int l, fl_layer *f)
{
    char name[160];
    int64_t H = c->hidden, I = c->intermediate;
    struct {
        const char *suffix;
        float **dst;
        int nd;
        int64_t d0, d1;
    } t[] = {
        {"attention.self.query.weight", &f->wq, 2, H, H},  {"attention.self.query.bias", &f->bq, 1, H, 0},
        {"attention.self.key.weight", &f->wk, 2, H, H},    {"attention.self.key.bias", &f->bk, 1, H, 0},
        {"attention.self.value.weight", &f->wv, 2, H, H},  {"attention.self.value.bias", &f->bv, 1, H, 0},
        {"attention.output.dense.weight", &f->wo, 2, H, H}, {"attention.output.dense.bias", &f->bo, 1, H, 0},
        {"attention.output.LayerNorm.weight", &f->g1, 1, H, 0},
        {"attention.output.LayerNorm.bias", &f->b1, 1, H, 0},
        {"intermediate.dense.weight", &f->w1, 2, I, H},    {"intermediate.dense.bias", &f->c1, 1, I, 0},
        {"output.dense.weight", &f->w2, 2, H, I},          {"output.dense.bias", &f->c2, 1, H, 0},
        {"output.LayerNorm.weight", &f->g2, 1, H, 0},      {"output.LayerNorm.bias", &f->b2, 1, H, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(name, sizeof name, "encoder.layer.%d.%s", l, t[i].suffix);
        int rc = bert_tensors_read(ld, name, t[i].nd, t[i].d0, t[i].d1, t[i].dst);
        if (rc)
            return rc;
    }
    return 0;
}

static void free_layer(fl_layer *f)
{
    float **p = (float **)f;
    for (size_t i = 0; i < sizeof *f / sizeof(float *); i++)
        free(p[i]);
    memset(f, 0, sizeof *f);
}

int at_quant_build_ids(const char *model_dir, const int32_t *const *ids, const size_t *lens, size_t n,
                       const at_quant_opts *opts, at_qmodel **out, at_err *err)
{
    *out = NULL;
    if (!model_dir)
        return at_err_set(err, AT_EINVAL, "quantize: no model folder");
    char path[4096];
    bert_config cfg;
    snprintf(path, sizeof path, "%s/config.json", model_dir);
    int rc = bert_config_load(path, &cfg, err);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/model.safetensors", model_dir);
    st_file *st = NULL;
    if ((rc = st_open(path, &st, err)))
        return rc;
    rc = at_quant_build_st(&cfg, st, ids, lens, n, opts, out, err);
    st_close(st);
    return rc;
}

int at_quant_build_st(const bert_config *cfg, const st_file *st, const int32_t *const *ids, const size_t *lens,
                      size_t n, const at_quant_opts *opts, at_qmodel **out, at_err *err)
{
    *out = NULL;
    if (!cfg || !st)
        return at_err_set(err, AT_EINVAL, "quantize: NULL argument");
    double headroom = opts && opts->headroom > 0 ? opts->headroom : 1.25;
    bert_model *fm = NULL;
    int rc = bert_model_from_st(cfg, st, &fm, err);
    if (rc)
        return rc;
    at_qmodel *m = calloc(1, sizeof *m);
    if (!m) {
        bert_model_free(fm);
        return at_err_set(err, AT_ENOMEM, "quantize: out of memory");
    }
    m->cfg = *bert_model_config(fm);
    m->headroom = headroom;
    const bert_config *c = &m->cfg;
    if (c->layers > 64 || c->hidden % c->heads || c->hidden > AT_LN_MAX_N) {
        rc = at_err_set(err, AT_EUNSUPPORTED, "quantize: %d layers, hidden %d, %d heads not supported",
                        c->layers, c->hidden, c->heads);
        goto fail;
    }
    m->head_dim = (uint32_t)(c->hidden / c->heads);

    /* calibration: the float reference on the calibration sentences */
    calib_ctx cc = {&m->stats, c->layers};
    size_t tot = 0;
    for (size_t i = 0; i < n; i++)
        tot += lens[i];
    float *hid = malloc((tot ? tot : 1) * (size_t)c->hidden * sizeof *hid);
    if (!hid) {
        rc = at_err_set(err, AT_ENOMEM, "quantize: out of memory");
        goto fail;
    }
    bert_run_opts ro = {.threads = opts ? opts->threads : 0, .observer = calib_observe, .observer_ctx = &cc};
    rc = bert_encode(fm, ids, lens, n, &ro, hid, err);
    free(hid);
    bert_model_free(fm);
    fm = NULL;
    if (rc)
        goto fail;

    /* weights */
    bert_tensors ld;
    bert_tensors_init(&ld, st, err);
    const uint32_t H = (uint32_t)c->hidden, I = (uint32_t)c->intermediate;
    float *word = NULL, *pos = NULL, *type = NULL, *eg = NULL, *eb = NULL;
    fl_layer fl = {0};
    if ((rc = bert_tensors_read(&ld, "embeddings.word_embeddings.weight", 2, c->vocab_size, H, &word)) ||
        (rc = bert_tensors_read(&ld, "embeddings.position_embeddings.weight", 2, c->max_positions, H, &pos)) ||
        (rc = bert_tensors_read(&ld, "embeddings.token_type_embeddings.weight", 2, c->type_vocab, H, &type)) ||
        (rc = bert_tensors_read(&ld, "embeddings.LayerNorm.weight", 1, H, 0, &eg)) ||
        (rc = bert_tensors_read(&ld, "embeddings.LayerNorm.bias", 1, H, 0, &eb)))
        goto wfail;
    size_t np = (size_t)c->max_positions * H, nw = (size_t)c->vocab_size * H;
    for (size_t i = 0; i < np; i++)
        pos[i] += type[i % H];
    m->stats.emb_in = fmax(absmax(word, nw), absmax(pos, np));
    m->s_emb = m->stats.emb_in / QMAX; /* weights: exact max, no headroom */
    m->word = malloc(nw * sizeof *m->word);
    m->postype = malloc(np * sizeof *m->postype);
    m->layers = calloc((size_t)c->layers, sizeof *m->layers);
    if (!m->word || !m->postype || !m->layers) {
        rc = at_err_set(err, AT_ENOMEM, "quantize: out of memory");
        goto wfail;
    }
    for (size_t i = 0; i < nw; i++)
        m->word[i] = at_quant16(word[i], m->s_emb);
    for (size_t i = 0; i < np; i++)
        m->postype[i] = at_quant16(pos[i], m->s_emb);

    /* scales of the residual stream: layer l's input (= previous LN's
     * output) shares its scale with attn.out (they meet in LN1); LN1's
     * output shares its scale with ffn.out (LN2) */
    const at_qstats *S = &m->stats;
    int L = c->layers;
    double s_r1[65], s_r2[64];
    for (int l = 0; l < L; l++) {
        double in_max = l == 0 ? S->embed_ln : S->out_ln[l - 1];
        s_r1[l] = scale_of(fmax(in_max, S->attn_out[l]), headroom);
        s_r2[l] = scale_of(fmax(S->attn_ln[l], S->ffn_out[l]), headroom);
    }
    s_r1[L] = scale_of(S->out_ln[L - 1], headroom);
    m->s_final = s_r1[L];
    if ((rc = qln_make(&m->emb_ln, eg, eb, H, m->s_emb, s_r1[0], c->ln_eps, "embeddings.LayerNorm", err)))
        goto wfail;
    for (int l = 0; l < L; l++) {
        at_qlayer *ly = &m->layers[l];
        char what[64];
        if ((rc = read_layer(&ld, c, l, &fl))) {
            free_layer(&fl);
            goto wfail;
        }
        ly->s_q = scale_of(S->q[l], headroom);
        ly->s_k = scale_of(S->k[l], headroom);
        ly->s_v = scale_of(S->v[l], headroom);
        ly->s_scores = scale_of(S->scores[l], headroom);
        ly->s_ctx = scale_of(S->ctx[l], headroom);
        double s_pre = scale_of(S->ffn_pre[l], headroom), s_mid = scale_of(S->ffn_act[l], headroom);
        snprintf(what, sizeof what, "layer %d", l);
        if ((rc = qdense_make(&ly->q, fl.wq, fl.bq, H, H, s_r1[l], ly->s_q, 0, 0, what, err)) ||
            (rc = qdense_make(&ly->k, fl.wk, fl.bk, H, H, s_r1[l], ly->s_k, 0, 0, what, err)) ||
            (rc = qdense_make(&ly->v, fl.wv, fl.bv, H, H, s_r1[l], ly->s_v, 0, 0, what, err)) ||
            (rc = qdense_make(&ly->o, fl.wo, fl.bo, H, H, ly->s_ctx, s_r1[l], 0, 0, what, err)) ||
            (rc = qdense_make(&ly->ffn1, fl.w1, fl.c1, I, H, s_r2[l], s_mid, 1, s_pre, what, err)) ||
            (rc = qdense_make(&ly->ffn2, fl.w2, fl.c2, H, I, s_mid, s_r2[l], 0, 0, what, err)) ||
            (rc = qln_make(&ly->ln1, fl.g1, fl.b1, H, s_r1[l], s_r2[l], c->ln_eps, what, err)) ||
            (rc = qln_make(&ly->ln2, fl.g2, fl.b2, H, s_r2[l], s_r1[l + 1], c->ln_eps, what, err))) {
            free_layer(&fl);
            goto wfail;
        }
        free_layer(&fl);
        /* scores = q.k / sqrt(d): accumulator scale s_q s_k */
        double r_sc = ly->s_q * ly->s_k / sqrt((double)m->head_dim) / ly->s_scores;
        double r_ctx = ly->s_v * ldexp(1.0, -AT_PROB_FRAC_BITS) / ly->s_ctx;
        if (at_rq_from_ratio(r_sc, &ly->rq_scores) || at_rq_from_ratio(r_ctx, &ly->rq_ctx) ||
            at_softmax_params_make(ly->s_scores, &ly->smx)) {
            rc = at_err_set(err, AT_ERANGE, "quantize layer %d: attention scales out of range", l);
            goto wfail;
        }
    }
wfail: /* the float tensors are released on success and failure alike */
    free(word);
    free(pos);
    free(type);
    free(eg);
    free(eb);
    if (!rc) {
        *out = m;
        return 0;
    }
fail:
    bert_model_free(fm);
    at_quant_free(m);
    return rc;
}
