/* fp32 reference forward of a BERT encoder; see bert_float.h and
 * docs/float-reference.md.
 *
 * The model is immutable after bert_model_load; every call allocates its
 * own activations and its own thread pool, so bert_encode / bert_embed are
 * reentrant (several threads may use one model at the same time).
 *
 * Determinism: every value is computed by one thread in a fixed order
 * (GEMMs split over output tiles, never over k; attention split over
 * (sequence, head); row-wise ops split over rows), so the results do not
 * depend on the thread count, and a sequence's results do not depend on
 * the other sequences in its batch (packed layout, no padding). */
#include "bert_float.h"
#include "bert_tensors.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_gemm.h"
#include "safetensors.h"
#include "thread_pool.h"

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));

typedef struct bert_layer {
    cpu_gemm_b *qkv;    /* [3H, H]: query, key, value weights stacked */
    float *qkv_bias;    /* [3H] */
    cpu_gemm_b *ao;     /* attention.output.dense [H, H] */
    float *ao_bias;
    float *ln1_g, *ln1_b;
    cpu_gemm_b *ffn_in; /* intermediate.dense [I, H] */
    float *ffn_in_bias;
    cpu_gemm_b *ffn_out; /* output.dense [H, I] */
    float *ffn_out_bias;
    float *ln2_g, *ln2_b;
} bert_layer;

struct bert_model {
    bert_config cfg;
    float *word;  /* [vocab, H] */
    float *pos;   /* [max_positions, H] */
    float *type;  /* [type_vocab, H]; row 0 is used */
    float *emb_ln_g, *emb_ln_b;
    bert_layer *layers;
};

/* ================================================================ loading */

/* Reads a Linear weight [n, k] and packs it for the GEMM. */
static int ld_linear(const bert_tensors *ld, const char *name, int64_t n, int64_t k,
                     cpu_gemm_b **out)
{
    float *w = NULL;
    int rc = bert_tensors_read(ld, name, 2, n, k, &w);
    if (rc)
        return rc;
    rc = cpu_gemm_pack_b(w, (size_t)k, (size_t)n, (size_t)k, out, ld->err);
    free(w);
    return rc;
}

static int ld_layer(const bert_tensors *ld, const bert_config *c, int l,
                    bert_layer *ly)
{
    const int64_t H = c->hidden, I = c->intermediate;
    char name[192];
    int rc;
#define LNAME(suffix) (snprintf(name, sizeof name, "encoder.layer.%d.%s", l, suffix), name)

    /* query, key, value stacked into one [3H, H] GEMM. */
    static const char *const qkv_names[3] = {"query", "key", "value"};
    float *w = malloc((size_t)(3 * H * H) * sizeof(float));
    ly->qkv_bias = malloc((size_t)(3 * H) * sizeof(float));
    if (!w || !ly->qkv_bias) {
        free(w);
        return at_err_set(ld->err, AT_ENOMEM, "%s: out of memory",
                          st_path(ld->st));
    }
    for (int p = 0; p < 3; p++) {
        char sub[64];
        float *part = NULL;
        snprintf(sub, sizeof sub, "attention.self.%s.weight", qkv_names[p]);
        rc = bert_tensors_read(ld, LNAME(sub), 2, H, H, &part);
        if (rc) {
            free(w);
            return rc;
        }
        memcpy(w + (size_t)(p * H * H), part, (size_t)(H * H) * sizeof(float));
        free(part);
        snprintf(sub, sizeof sub, "attention.self.%s.bias", qkv_names[p]);
        rc = bert_tensors_read(ld, LNAME(sub), 1, H, 0, &part);
        if (rc) {
            free(w);
            return rc;
        }
        memcpy(ly->qkv_bias + p * H, part, (size_t)H * sizeof(float));
        free(part);
    }
    rc = cpu_gemm_pack_b(w, (size_t)H, (size_t)(3 * H), (size_t)H, &ly->qkv,
                         ld->err);
    free(w);
    if (rc)
        return rc;

    if ((rc = ld_linear(ld, LNAME("attention.output.dense.weight"), H, H, &ly->ao)) ||
        (rc = bert_tensors_read(ld, LNAME("attention.output.dense.bias"), 1, H, 0, &ly->ao_bias)) ||
        (rc = bert_tensors_read(ld, LNAME("attention.output.LayerNorm.weight"), 1, H, 0, &ly->ln1_g)) ||
        (rc = bert_tensors_read(ld, LNAME("attention.output.LayerNorm.bias"), 1, H, 0, &ly->ln1_b)) ||
        (rc = ld_linear(ld, LNAME("intermediate.dense.weight"), I, H, &ly->ffn_in)) ||
        (rc = bert_tensors_read(ld, LNAME("intermediate.dense.bias"), 1, I, 0, &ly->ffn_in_bias)) ||
        (rc = ld_linear(ld, LNAME("output.dense.weight"), H, I, &ly->ffn_out)) ||
        (rc = bert_tensors_read(ld, LNAME("output.dense.bias"), 1, H, 0, &ly->ffn_out_bias)) ||
        (rc = bert_tensors_read(ld, LNAME("output.LayerNorm.weight"), 1, H, 0, &ly->ln2_g)) ||
        (rc = bert_tensors_read(ld, LNAME("output.LayerNorm.bias"), 1, H, 0, &ly->ln2_b)))
        return rc;
#undef LNAME
    return AT_OK;
}

void bert_model_free(bert_model *m)
{
    if (!m)
        return;
    if (m->layers) {
        for (int l = 0; l < m->cfg.layers; l++) {
            bert_layer *ly = &m->layers[l];
            cpu_gemm_b_free(ly->qkv);
            free(ly->qkv_bias);
            cpu_gemm_b_free(ly->ao);
            free(ly->ao_bias);
            free(ly->ln1_g);
            free(ly->ln1_b);
            cpu_gemm_b_free(ly->ffn_in);
            free(ly->ffn_in_bias);
            cpu_gemm_b_free(ly->ffn_out);
            free(ly->ffn_out_bias);
            free(ly->ln2_g);
            free(ly->ln2_b);
        }
        free(m->layers);
    }
    free(m->word);
    free(m->pos);
    free(m->type);
    free(m->emb_ln_g);
    free(m->emb_ln_b);
    free(m);
}

int bert_model_from_st(const bert_config *cfg, const st_file *st, bert_model **out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "bert_model_from_st: out is NULL");
    *out = NULL;
    if (!cfg || !st)
        return at_err_set(err, AT_EINVAL, "bert_model_from_st: NULL argument");
    bert_model *m = calloc(1, sizeof *m);
    if (!m)
        return at_err_set(err, AT_ENOMEM, "bert_model_load: out of memory");
    m->cfg = *cfg;
    const bert_config *c = &m->cfg;
    bert_tensors ld;
    bert_tensors_init(&ld, st, err);
    const int64_t H = c->hidden;
    int rc;
    if ((rc = bert_tensors_read(&ld, "embeddings.word_embeddings.weight", 2, c->vocab_size, H, &m->word)) ||
        (rc = bert_tensors_read(&ld, "embeddings.position_embeddings.weight", 2, c->max_positions, H, &m->pos)) ||
        (rc = bert_tensors_read(&ld, "embeddings.token_type_embeddings.weight", 2, c->type_vocab, H, &m->type)) ||
        (rc = bert_tensors_read(&ld, "embeddings.LayerNorm.weight", 1, H, 0, &m->emb_ln_g)) ||
        (rc = bert_tensors_read(&ld, "embeddings.LayerNorm.bias", 1, H, 0, &m->emb_ln_b)))
        goto fail;
    m->layers = calloc((size_t)c->layers, sizeof *m->layers);
    if (!m->layers) {
        rc = at_err_set(err, AT_ENOMEM, "%s: out of memory", st_path(st));
        goto fail;
    }
    for (int l = 0; l < c->layers; l++)
        if ((rc = ld_layer(&ld, c, l, &m->layers[l])))
            goto fail;
    *out = m;
    return AT_OK;
fail:
    bert_model_free(m);
    return rc;
}

int bert_model_load(const char *dir, bert_model **out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "bert_model_load: out is NULL");
    *out = NULL;
    if (!dir)
        return at_err_set(err, AT_EINVAL, "bert_model_load: dir is NULL");

    size_t dl = strlen(dir);
    char *path = malloc(dl + 32);
    if (!path)
        return at_err_set(err, AT_ENOMEM, "bert_model_load: out of memory");
    bert_config cfg;
    snprintf(path, dl + 32, "%s/config.json", dir);
    int rc = bert_config_load(path, &cfg, err);
    if (rc)
        goto done;
    snprintf(path, dl + 32, "%s/model.safetensors", dir);
    st_file *st = NULL;
    if ((rc = st_open(path, &st, err)))
        goto done;
    rc = bert_model_from_st(&cfg, st, out, err);
    st_close(st);
done:
    free(path);
    return rc;
}

const bert_config *bert_model_config(const bert_model *m)
{
    return &m->cfg;
}

/* ================================================================ forward */

#define ROWS_PER_ITEM 16

typedef struct fwd {
    const bert_model *m;
    const bert_config *c;
    size_t H, I, heads, d;
    size_t T, batch;
    const size_t *lens;
    size_t *offs;      /* [batch] first row of each sequence */
    int32_t *tok;      /* [T] token id per row */
    int32_t *posn;     /* [T] position per row */
    float *x;          /* [T, H] hidden state (residual stream) */
    float *qkv;        /* [T, 3H] */
    float *ctx;        /* [T, H] attention context */
    float *tmp;        /* [T, H] dense outputs; also observer copies */
    float *ffn;        /* [T, I] */
    float *scratch;    /* per worker: attention K^T and scores */
    size_t scratch_per_worker;
    size_t lp_max;     /* longest sequence rounded up to 8 */
    /* observer copies of scores / probs, [heads, len, len] per sequence */
    float *obs_scores, *obs_probs;
    size_t *obs_off;   /* [batch] */
    thread_pool *pool;
    /* per-op arguments */
    const float *ln_g, *ln_b;
    const float *resid; /* row-wise: residual added before layer-norm */
    float *rows;        /* row-wise target */
    size_t cols;
    int avx2;          /* use the AVX2 builds of the kernels */
} fwd;

/* Layer-norm of one row in place: mean and variance in double, each
 * summed in four lanes (lane l takes i = l mod 4, in order; lanes added
 * pairwise), then y = (float)((x - mean) / sqrt(var + eps)) * g + b. */
static void layer_norm_row(float *x, const float *g, const float *b, size_t n,
                           double eps)
{
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s[0] += x[i];
        s[1] += x[i + 1];
        s[2] += x[i + 2];
        s[3] += x[i + 3];
    }
    for (; i < n; i++)
        s[i & 3] += x[i];
    const double mean = ((s[0] + s[1]) + (s[2] + s[3])) / (double)n;
    s[0] = s[1] = s[2] = s[3] = 0;
    for (i = 0; i + 4 <= n; i += 4) {
        double d0 = x[i] - mean, d1 = x[i + 1] - mean;
        double d2 = x[i + 2] - mean, d3 = x[i + 3] - mean;
        s[0] += d0 * d0;
        s[1] += d1 * d1;
        s[2] += d2 * d2;
        s[3] += d3 * d3;
    }
    for (; i < n; i++) {
        double d = x[i] - mean;
        s[i & 3] += d * d;
    }
    const double var = ((s[0] + s[1]) + (s[2] + s[3])) / (double)n;
    const double rstd = 1.0 / sqrt(var + eps);
    for (i = 0; i < n; i++)
        x[i] = (float)(((double)x[i] - mean) * rstd) * g[i] + b[i];
}

/* Embeddings: (word + token_type[0]) + position, then layer-norm. */
static void embed_task(void *vctx, size_t item, int worker)
{
    (void)worker;
    const fwd *f = vctx;
    const bert_model *m = f->m;
    size_t H = f->H;
    size_t r0 = item * ROWS_PER_ITEM;
    size_t r1 = r0 + ROWS_PER_ITEM < f->T ? r0 + ROWS_PER_ITEM : f->T;
    for (size_t r = r0; r < r1; r++) {
        const float *w = m->word + (size_t)f->tok[r] * H;
        const float *p = m->pos + (size_t)f->posn[r] * H;
        const float *t = m->type; /* token type 0 */
        float *y = f->x + r * H;
        for (size_t i = 0; i < H; i++)
            y[i] = (w[i] + t[i]) + p[i];
        layer_norm_row(y, m->emb_ln_g, m->emb_ln_b, H, m->cfg.ln_eps);
    }
}

/* rows[r] = LN(rows[r] + resid[r]) over f->cols, for rows of this item. */
static void add_ln_task(void *vctx, size_t item, int worker)
{
    (void)worker;
    const fwd *f = vctx;
    size_t n = f->cols;
    size_t r0 = item * ROWS_PER_ITEM;
    size_t r1 = r0 + ROWS_PER_ITEM < f->T ? r0 + ROWS_PER_ITEM : f->T;
    for (size_t r = r0; r < r1; r++) {
        float *y = f->rows + r * n;
        const float *a = f->resid + r * n;
        for (size_t i = 0; i < n; i++)
            y[i] = y[i] + a[i];
        layer_norm_row(y, f->ln_g, f->ln_b, n, f->c->ln_eps);
    }
}

/* ---------------------------------------------------------------- math
 * exp (softmax) and erf (GELU) are evaluated in double precision, 16
 * values at a time, and rounded to float once: exp is within 0.5 ulp, GELU
 * within 2.4e-7 absolute and 6 ulp wherever |GELU(x)| >= 1e-4 (the float
 * formula with erff is off by up to 8e3 ulp in the negative tail). They
 * vectorise, use no FMA and have a fixed operation order, so the AVX2 and
 * SSE builds give the same bits. */

#define AI static inline __attribute__((always_inline))

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef float v4fu __attribute__((vector_size(16), aligned(4), may_alias));
typedef int v4i __attribute__((vector_size(16)));

/* Lane select and broadcast (macros: no function takes or returns a
 * 32-byte vector, so nothing depends on the AVX calling convention).
 * Comparisons are done on the float inputs: gcc 12 crashes on some double
 * vector comparisons in the SSE build. */
#define VSEL(mask, a, b) ((v4d)(((mask) & (v4l)(a)) | (~(mask) & (v4l)(b))))
#define VSPLAT(x) ((v4d){(x), (x), (x), (x)})
#define FSPLAT(x) ((v4f){(x), (x), (x), (x)})
#define FSEL(mask, a, b) ((v4f)(((mask) & (v4i)(a)) | (~(mask) & (v4i)(b))))

/* exp(x) for x <= 0 on 16 floats in place, each rounded to float once
 * (inputs below -200 are taken as -200; exp(-200) is 0 in float):
 * x = k ln2 + r, |r| <= ln2/2, Taylor polynomial of degree 11 in r
 * (relative error < 1e-14), times 2^k built in the exponent field. Four
 * independent chains of four lanes hide the latency of Horner's rule. */
static const double EXP_INV_FACT[12] = {
    1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720,
    1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800};

#define EXP_IN(c)                                                              \
    v4f xf##c = *(const v4fu *)(y + 4 * (c));                                  \
    xf##c = FSEL(xf##c < lof, lof, xf##c);                                     \
    const v4d x##c = __builtin_convertvector(xf##c, v4d);                      \
    const v4d t##c = x##c * VSPLAT(1.4426950408889634) + magic;                \
    const v4d kd##c = t##c - magic;                                            \
    const v4d r##c = x##c - kd##c * VSPLAT(6.93147180369123816490e-01)        \
                     - kd##c * VSPLAT(1.90821492927058770002e-10);            \
    v4d p##c = VSPLAT(EXP_INV_FACT[11])
#define EXP_STEP(c) p##c = p##c * r##c + ci
#define EXP_OUT(c)                                                             \
    do {                                                                       \
        v4l k = (v4l)t##c - (v4l)magic;                                        \
        v4d scale = (v4d)((k + 1023) << 52);                                   \
        *(v4fu *)(y + 4 * (c)) = __builtin_convertvector(p##c * scale, v4f);   \
    } while (0)

AI void exp16(float *y)
{
    const v4f lof = FSPLAT(-200.0f);
    const v4d magic = VSPLAT(0x1.8p52); /* t = x/ln2 + magic rounds x/ln2 */
    EXP_IN(0); EXP_IN(1); EXP_IN(2); EXP_IN(3);
    for (int i = 10; i >= 0; i--) {
        const v4d ci = VSPLAT(EXP_INV_FACT[i]);
        EXP_STEP(0); EXP_STEP(1); EXP_STEP(2); EXP_STEP(3);
    }
    EXP_OUT(0); EXP_OUT(1); EXP_OUT(2); EXP_OUT(3);
}

/* Chebyshev interpolant of erf(u) on [0, 5] in s = 2u/5 - 1, degree 26;
 * |error| < 4e-11; |x| > 7 (u > 4.95) is evaluated at |x| = 7, where
 * erfc(4.95) = 2.6e-12. Generated with
 * numpy.polynomial.chebyshev.chebinterpolate(erf((s+1)*5/2), 26). */
static const double ERF_CHEB[27] = {
    0.79778662069412232,     0.36285243235488374,    -0.25904680789226781,
    0.14059519409419347,     -0.050003418289520825,  0.0030057750984150543,
    0.0098400840819839481,   -0.0070105394776232913, 0.0020095241877305155,
    0.00037118511970631512,  -0.00060691872622205734, 0.0002283578015209155,
    6.5528752732748444e-06,  -4.3561418727160542e-05, 1.7045756227177071e-05,
    3.5940126258610299e-07,  -2.7939828465643282e-06, 9.4385834335334684e-07,
    7.9945987147206557e-08,  -1.5622282150006149e-07, 3.7934163978738778e-08,
    8.6861392481999389e-09,  -7.1571783232537169e-09, 9.2907298315586321e-10,
    5.7710286755147318e-10,  -2.488195863340029e-10,  4.9401676165488154e-12,
};

/* GELU(x) = x/2 (1 + erf(x/sqrt 2)), exact erf form, evaluated in double
 * on 16 floats in place (Clenshaw's recurrence, four independent chains).
 * For x < 0, 1 + erf(x/sqrt 2) = 1 - erf(|x|/sqrt 2) is formed in double,
 * so the small negative tail keeps far more relative accuracy than the
 * float formula would. */
#define GELU_IN(c)                                                             \
    const v4f xf##c = *(const v4fu *)(y + 4 * (c));                            \
    const v4i ng##c = xf##c < fzero;                                           \
    v4f ax##c = FSEL(ng##c, -xf##c, xf##c);                                    \
    ax##c = FSEL(ax##c > lim, lim, ax##c);                                     \
    const v4d s2##c = __builtin_convertvector(ax##c, v4d) * sc - two;          \
    v4d b1##c = zero, b2##c = zero
#define GELU_STEP(c)                                                           \
    do {                                                                       \
        v4d b0 = s2##c * b1##c + (ck - b2##c);                                 \
        b2##c = b1##c;                                                         \
        b1##c = b0;                                                            \
    } while (0)
#define GELU_OUT(c)                                                            \
    do {                                                                       \
        v4d e = (VSPLAT(0.5) * s2##c) * b1##c + (c0 - b2##c);                  \
        v4d x = __builtin_convertvector(xf##c, v4d);                           \
        v4l n = __builtin_convertvector(ng##c, v4l);                           \
        v4d g = VSPLAT(0.5) * x * VSEL(n, one - e, one + e);                   \
        *(v4fu *)(y + 4 * (c)) = __builtin_convertvector(g, v4f);              \
    } while (0)

AI void gelu16(float *y)
{
    const v4f fzero = FSPLAT(0.0f);
    const v4f lim = FSPLAT(7.0f); /* |x| >= 7: erf(|x|/sqrt 2) = 1 - 2.6e-12 */
    const v4d zero = VSPLAT(0.0), one = VSPLAT(1.0), two = VSPLAT(2.0);
    /* 2s = 2 (2u/5 - 1) = |x| * 0.8/sqrt(2) - 2 */
    const v4d sc = VSPLAT(0.56568542494923801952);
    const v4d c0 = VSPLAT(ERF_CHEB[0]);
    GELU_IN(0); GELU_IN(1); GELU_IN(2); GELU_IN(3);
    for (int k = 26; k >= 1; k--) {
        const v4d ck = VSPLAT(ERF_CHEB[k]);
        GELU_STEP(0); GELU_STEP(1); GELU_STEP(2); GELU_STEP(3);
    }
    GELU_OUT(0); GELU_OUT(1); GELU_OUT(2); GELU_OUT(3);
}

AI void gelu_row(float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        gelu16(y + i);
    if (i < n) {
        float t[16] = {0};
        memcpy(t, y + i, (n - i) * sizeof(float));
        gelu16(t);
        memcpy(y + i, t, (n - i) * sizeof(float));
    }
}

/* Softmax of s[0..L) in place; s has room for L rounded up to 8. The sum
 * of the exponentials is taken in eight float lanes (lane l adds s[j] for
 * j = l mod 8 in increasing j; lanes then added pairwise), a fixed order. */
AI void softmax_row(float *s, size_t L)
{
    const size_t L8 = (L + 7) & ~(size_t)7;
    float mx = s[0];
    for (size_t j = 1; j < L; j++)
        mx = s[j] > mx ? s[j] : mx;
    for (size_t j = 0; j < L; j++)
        s[j] -= mx;
    size_t j = 0;
    for (; j + 16 <= L; j += 16)
        exp16(s + j);
    if (j < L) {
        float t[16] = {0};
        memcpy(t, s + j, (L - j) * sizeof(float));
        exp16(t);
        memcpy(s + j, t, (L - j) * sizeof(float));
    }
    for (j = L; j < L8; j++)
        s[j] = 0.0f;
    v4f a0 = FSPLAT(0.0f), a1 = FSPLAT(0.0f);
    for (j = 0; j < L8; j += 8) {
        a0 += *(const v4fu *)(s + j);
        a1 += *(const v4fu *)(s + j + 4);
    }
    const float sum = ((a0[0] + a0[1]) + (a0[2] + a0[3])) +
                      ((a1[0] + a1[1]) + (a1[2] + a1[3]));
    const float inv = 1.0f / sum;
    const v4f iv = FSPLAT(inv);
    for (j = 0; j < L8; j += 4)
        *(v4fu *)(s + j) *= iv;
}

/* Kept out of line: inlining the softmax into the attention kernel makes
 * gcc 12 fail (internal compiler error) in the SSE build. */
__attribute__((noinline)) static void softmax_row_sse(float *s, size_t L)
{
    softmax_row(s, L);
}

__attribute__((noinline, target("avx2"))) static void
softmax_row_avx2(float *s, size_t L)
{
    softmax_row(s, L);
}

static void gelu_rows_sse(float *y, size_t n) { gelu_row(y, n); }

__attribute__((target("avx2"))) static void gelu_rows_avx2(float *y, size_t n)
{
    gelu_row(y, n);
}

/* The kernel family the GEMM uses (AVX2 where the CPU has it, unless
 * ACCELTRAN_CPU_KERNEL=sse); both families give the same bits. */
static int have_avx2(void)
{
    return strcmp(cpu_gemm_kernel_name(), "avx2") == 0;
}

/* GELU in place on rows of f->rows (f->cols wide). */
static void gelu_task(void *vctx, size_t item, int worker)
{
    (void)worker;
    const fwd *f = vctx;
    size_t n = f->cols;
    size_t r0 = item * ROWS_PER_ITEM;
    size_t r1 = r0 + ROWS_PER_ITEM < f->T ? r0 + ROWS_PER_ITEM : f->T;
    if (f->avx2)
        gelu_rows_avx2(f->rows + r0 * n, (r1 - r0) * n);
    else
        gelu_rows_sse(f->rows + r0 * n, (r1 - r0) * n);
}

/* ---------------------------------------------------------------- attention
 * One (sequence, head): softmax(Q K^T * scale) V over the sequence's own
 * rows, four query rows at a time. Scores are vectorised over keys and
 * summed over the head dimension in order; the context is vectorised over
 * the head dimension and summed over keys in order: every value has one
 * fixed summation order whatever the ISA, blocking or thread count. */
#define QR 4 /* query rows per step */

AI void attn_one(const fwd *f, size_t b, size_t h, float *kt, float *s,
                 int avx2)
{
    const size_t H = f->H, d = f->d, ld = 3 * H;
    const size_t L = f->lens[b], off = f->offs[b];
    const size_t Lp = (L + 7) & ~(size_t)7;
    const float scale = (float)(1.0 / sqrt((double)d));
    const float *q0 = f->qkv + off * ld + h * d;
    const float *k0 = q0 + H;
    const float *v0 = q0 + 2 * H;
    float *obs_s = NULL, *obs_p = NULL;
    if (f->obs_scores) {
        obs_s = f->obs_scores + f->obs_off[b] + h * L * L;
        obs_p = f->obs_probs + f->obs_off[b] + h * L * L;
    }

    /* K^T of this head, keys padded with zeros to a multiple of 8. */
    for (size_t j = 0; j < L; j++)
        for (size_t e = 0; e < d; e++)
            kt[e * Lp + j] = k0[j * ld + e];
    for (size_t e = 0; e < d; e++)
        for (size_t j = L; j < Lp; j++)
            kt[e * Lp + j] = 0.0f;

    for (size_t i0 = 0; i0 < L; i0 += QR) {
        /* Rows past L repeat row L-1 (computed, never stored). */
        const float *q[QR];
        float *sr[QR];
        for (int r = 0; r < QR; r++) {
            size_t i = i0 + r < L ? i0 + r : L - 1;
            q[r] = q0 + i * ld;
            sr[r] = s + (size_t)r * Lp;
        }
        const size_t nr = L - i0 < QR ? L - i0 : QR;

        /* scores, 16 keys x 4 rows per step (then 8 keys) */
        size_t j = 0;
        for (; j + 16 <= Lp; j += 16) {
            v8 a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0};
            v8 a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
            for (size_t e = 0; e < d; e++) {
                const v8 k0v = *(const v8 *)(kt + e * Lp + j);
                const v8 k1v = *(const v8 *)(kt + e * Lp + j + 8);
                float x0 = q[0][e], x1 = q[1][e], x2 = q[2][e], x3 = q[3][e];
                a00 += k0v * x0; a01 += k1v * x0;
                a10 += k0v * x1; a11 += k1v * x1;
                a20 += k0v * x2; a21 += k1v * x2;
                a30 += k0v * x3; a31 += k1v * x3;
            }
            *(v8 *)(sr[0] + j) = a00 * scale; *(v8 *)(sr[0] + j + 8) = a01 * scale;
            *(v8 *)(sr[1] + j) = a10 * scale; *(v8 *)(sr[1] + j + 8) = a11 * scale;
            *(v8 *)(sr[2] + j) = a20 * scale; *(v8 *)(sr[2] + j + 8) = a21 * scale;
            *(v8 *)(sr[3] + j) = a30 * scale; *(v8 *)(sr[3] + j + 8) = a31 * scale;
        }
        for (; j < Lp; j += 8) {
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (size_t e = 0; e < d; e++) {
                const v8 kv = *(const v8 *)(kt + e * Lp + j);
                a0 += kv * q[0][e];
                a1 += kv * q[1][e];
                a2 += kv * q[2][e];
                a3 += kv * q[3][e];
            }
            *(v8 *)(sr[0] + j) = a0 * scale;
            *(v8 *)(sr[1] + j) = a1 * scale;
            *(v8 *)(sr[2] + j) = a2 * scale;
            *(v8 *)(sr[3] + j) = a3 * scale;
        }

        for (size_t r = 0; r < QR; r++) {
            if (obs_s && r < nr)
                memcpy(obs_s + (i0 + r) * L, sr[r], L * sizeof(float));
            if (avx2)
                softmax_row_avx2(sr[r], L);
            else
                softmax_row_sse(sr[r], L);
            if (obs_p && r < nr)
                memcpy(obs_p + (i0 + r) * L, sr[r], L * sizeof(float));
        }

        /* context = P V: 16 columns x 4 rows per step (then 8, then 1) */
        float *c[QR];
        for (size_t r = 0; r < QR; r++)
            c[r] = r < nr ? f->ctx + (off + i0 + r) * H + h * d : NULL;
        size_t e = 0;
        for (; e + 16 <= d; e += 16) {
            v8 a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0};
            v8 a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
            for (j = 0; j < L; j++) {
                const float *vr = v0 + j * ld + e;
                const v8 w0 = *(const v8u *)vr, w1 = *(const v8u *)(vr + 8);
                float p0 = sr[0][j], p1 = sr[1][j], p2 = sr[2][j], p3 = sr[3][j];
                a00 += w0 * p0; a01 += w1 * p0;
                a10 += w0 * p1; a11 += w1 * p1;
                a20 += w0 * p2; a21 += w1 * p2;
                a30 += w0 * p3; a31 += w1 * p3;
            }
            v8 out[QR][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
            for (size_t r = 0; r < nr; r++) {
                *(v8u *)(c[r] + e) = out[r][0];
                *(v8u *)(c[r] + e + 8) = out[r][1];
            }
        }
        for (; e + 8 <= d; e += 8) {
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (j = 0; j < L; j++) {
                const v8 w = *(const v8u *)(v0 + j * ld + e);
                a0 += w * sr[0][j];
                a1 += w * sr[1][j];
                a2 += w * sr[2][j];
                a3 += w * sr[3][j];
            }
            v8 out[QR] = {a0, a1, a2, a3};
            for (size_t r = 0; r < nr; r++)
                *(v8u *)(c[r] + e) = out[r];
        }
        for (; e < d; e++) {
            for (size_t r = 0; r < nr; r++) {
                float a = 0.0f;
                for (j = 0; j < L; j++)
                    a += v0[j * ld + e] * sr[r][j];
                c[r][e] = a;
            }
        }
    }
}

static void attn_one_sse(const fwd *f, size_t b, size_t h, float *kt, float *s)
{
    attn_one(f, b, h, kt, s, 0);
}

__attribute__((target("avx2"))) static void
attn_one_avx2(const fwd *f, size_t b, size_t h, float *kt, float *s)
{
    attn_one(f, b, h, kt, s, 1);
}

static void attn_task(void *vctx, size_t item, int worker)
{
    const fwd *f = vctx;
    size_t b = item / f->heads, h = item % f->heads;
    float *kt = f->scratch + (size_t)worker * f->scratch_per_worker;
    float *s = kt + f->d * f->lp_max;
    if (f->avx2)
        attn_one_avx2(f, b, h, kt, s);
    else
        attn_one_sse(f, b, h, kt, s);
}

static void observe(const bert_run_opts *o, const char *name, int layer,
                    const float *data, size_t rows, size_t cols)
{
    if (!o || !o->observer)
        return;
    char full[64];
    if (layer >= 0)
        snprintf(full, sizeof full, "layer.%d.%s", layer, name);
    else
        snprintf(full, sizeof full, "%s", name);
    o->observer(o->observer_ctx, full, layer, data, rows, cols);
}

static size_t row_items(size_t T)
{
    return (T + ROWS_PER_ITEM - 1) / ROWS_PER_ITEM;
}

static void run_layer(fwd *f, const bert_run_opts *o, int l)
{
    const bert_layer *ly = &f->m->layers[l];
    const size_t T = f->T, H = f->H, I = f->I;
    const int obs = o && o->observer;

    /* Q, K, V in one GEMM: qkv = x Wqkv^T + b. */
    cpu_gemm_packed(f->pool, T, f->x, H, ly->qkv, ly->qkv_bias, f->qkv, 3 * H);
    if (obs) {
        static const char *const nm[3] = {"q", "k", "v"};
        for (int p = 0; p < 3; p++) {
            for (size_t r = 0; r < T; r++)
                memcpy(f->tmp + r * H, f->qkv + r * 3 * H + (size_t)p * H,
                       H * sizeof(float));
            observe(o, nm[p], l, f->tmp, T, H);
        }
    }

    thread_pool_parallel_for(f->pool, f->batch * f->heads, attn_task, f);
    if (obs) {
        for (size_t b = 0; b < f->batch; b++) {
            size_t L = f->lens[b];
            observe(o, "attn.scores", l, f->obs_scores + f->obs_off[b],
                    f->heads * L, L);
        }
        for (size_t b = 0; b < f->batch; b++) {
            size_t L = f->lens[b];
            observe(o, "attn.probs", l, f->obs_probs + f->obs_off[b],
                    f->heads * L, L);
        }
        observe(o, "attn.ctx", l, f->ctx, T, H);
    }

    /* Attention output dense, residual, layer-norm (into x). */
    cpu_gemm_packed(f->pool, T, f->ctx, H, ly->ao, ly->ao_bias, f->tmp, H);
    observe(o, "attn.out", l, f->tmp, T, H);
    f->rows = f->x;
    f->resid = f->tmp;
    f->cols = H;
    f->ln_g = ly->ln1_g;
    f->ln_b = ly->ln1_b;
    thread_pool_parallel_for(f->pool, row_items(T), add_ln_task, f);
    observe(o, "attn.ln", l, f->x, T, H);

    /* Feed-forward. */
    cpu_gemm_packed(f->pool, T, f->x, H, ly->ffn_in, ly->ffn_in_bias, f->ffn, I);
    observe(o, "ffn.pre", l, f->ffn, T, I);
    f->rows = f->ffn;
    f->cols = I;
    thread_pool_parallel_for(f->pool, row_items(T), gelu_task, f);
    observe(o, "ffn.act", l, f->ffn, T, I);
    cpu_gemm_packed(f->pool, T, f->ffn, I, ly->ffn_out, ly->ffn_out_bias,
                    f->tmp, H);
    observe(o, "ffn.out", l, f->tmp, T, H);
    f->rows = f->x;
    f->resid = f->tmp;
    f->cols = H;
    f->ln_g = ly->ln2_g;
    f->ln_b = ly->ln2_b;
    thread_pool_parallel_for(f->pool, row_items(T), add_ln_task, f);
    observe(o, "out.ln", l, f->x, T, H);
}

static void fwd_free(fwd *f)
{
    thread_pool_destroy(f->pool);
    free(f->offs);
    free(f->tok);
    free(f->posn);
    free(f->x);
    free(f->qkv);
    free(f->ctx);
    free(f->tmp);
    free(f->ffn);
    free(f->scratch);
    free(f->obs_scores);
    free(f->obs_probs);
    free(f->obs_off);
}

static float *alloc_f(size_t n)
{
    size_t bytes = (n ? n : 1) * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, bytes);
}

/* Validates the batch, allocates the activations and runs every layer; the
 * last hidden state is left in f->x. */
static int forward(const bert_model *m, const int32_t *const *ids,
                   const size_t *lens, size_t batch, const bert_run_opts *opts,
                   const char *who, fwd *f, at_err *err)
{
    memset(f, 0, sizeof *f);
    if (!m || !ids || !lens)
        return at_err_set(err, AT_EINVAL, "%s: %s is NULL", who,
                          !m ? "model" : !ids ? "ids" : "lens");
    if (batch == 0)
        return at_err_set(err, AT_EINVAL, "%s: empty batch", who);
    const bert_config *c = &m->cfg;
    size_t T = 0, Lmax = 0;
    for (size_t b = 0; b < batch; b++) {
        if (lens[b] == 0 || lens[b] > (size_t)c->max_positions)
            return at_err_set(err, AT_EINVAL,
                              "%s: sequence %zu has length %zu (must be 1..%d)",
                              who, b, lens[b], c->max_positions);
        if (!ids[b])
            return at_err_set(err, AT_EINVAL, "%s: ids[%zu] is NULL", who, b);
        for (size_t t = 0; t < lens[b]; t++)
            if (ids[b][t] < 0 || ids[b][t] >= c->vocab_size)
                return at_err_set(err, AT_EINVAL,
                                  "%s: sequence %zu token %zu: id %ld out of "
                                  "range [0, %d)", who, b, t, (long)ids[b][t],
                                  c->vocab_size);
        T += lens[b];
        if (lens[b] > Lmax)
            Lmax = lens[b];
    }
    f->m = m;
    f->c = c;
    f->H = (size_t)c->hidden;
    f->I = (size_t)c->intermediate;
    f->heads = (size_t)c->heads;
    f->d = f->H / f->heads;
    f->T = T;
    f->batch = batch;
    f->lens = lens;
    size_t widest = 3 * f->H > f->I ? 3 * f->H : f->I;
    if (T > SIZE_MAX / sizeof(float) / widest / 2)
        return at_err_set(err, AT_ENOMEM, "%s: batch of %zu tokens too large",
                          who, T);

    int rc = thread_pool_create(opts ? opts->threads : 0, &f->pool, err);
    if (rc)
        return rc;
    size_t nw = (size_t)thread_pool_size(f->pool);
    f->lp_max = (Lmax + 7) & ~(size_t)7;
    f->scratch_per_worker = ((f->d + QR) * f->lp_max + 15) & ~(size_t)15;
    f->avx2 = have_avx2();

    f->offs = malloc(batch * sizeof *f->offs);
    f->tok = malloc(T * sizeof *f->tok);
    f->posn = malloc(T * sizeof *f->posn);
    f->x = alloc_f(T * f->H);
    f->qkv = alloc_f(T * 3 * f->H);
    f->ctx = alloc_f(T * f->H);
    f->tmp = alloc_f(T * f->H);
    f->ffn = alloc_f(T * f->I);
    f->scratch = alloc_f(nw * f->scratch_per_worker);
    int ok = f->offs && f->tok && f->posn && f->x && f->qkv && f->ctx &&
             f->tmp && f->ffn && f->scratch;
    if (ok && opts && opts->observer) {
        size_t tot = 0;
        f->obs_off = malloc(batch * sizeof *f->obs_off);
        ok = f->obs_off != NULL;
        for (size_t b = 0; ok && b < batch; b++) {
            f->obs_off[b] = tot;
            tot += f->heads * lens[b] * lens[b];
        }
        if (ok) {
            f->obs_scores = alloc_f(tot);
            f->obs_probs = alloc_f(tot);
            ok = f->obs_scores && f->obs_probs;
        }
    }
    if (!ok)
        return at_err_set(err, AT_ENOMEM, "%s: out of memory for %zu tokens",
                          who, T);

    size_t r = 0;
    for (size_t b = 0; b < batch; b++) {
        f->offs[b] = r;
        for (size_t t = 0; t < lens[b]; t++, r++) {
            f->tok[r] = ids[b][t];
            f->posn[r] = (int32_t)t;
        }
    }

    thread_pool_parallel_for(f->pool, row_items(T), embed_task, f);
    observe(opts, "embed.ln", -1, f->x, T, f->H);
    for (int l = 0; l < c->layers; l++)
        run_layer(f, opts, l);
    return AT_OK;
}

int bert_encode(const bert_model *m, const int32_t *const *ids,
                const size_t *lens, size_t batch, const bert_run_opts *opts,
                float *out, at_err *err)
{
    fwd f;
    if (!out)
        return at_err_set(err, AT_EINVAL, "bert_encode: out is NULL");
    int rc = forward(m, ids, lens, batch, opts, "bert_encode", &f, err);
    if (rc == 0)
        memcpy(out, f.x, f.T * f.H * sizeof(float));
    fwd_free(&f);
    return rc;
}

int bert_embed(const bert_model *m, const int32_t *const *ids,
               const size_t *lens, size_t batch, const bert_run_opts *opts,
               float *out, at_err *err)
{
    fwd f;
    if (!out)
        return at_err_set(err, AT_EINVAL, "bert_embed: out is NULL");
    int rc = forward(m, ids, lens, batch, opts, "bert_embed", &f, err);
    if (rc == 0) {
        /* Mean over the sequence's tokens (double sums in row order), then
         * L2 normalisation (norm clamped at 1e-12 like F.normalize). */
        const size_t H = f.H;
        double *acc = malloc(H * sizeof *acc);
        if (!acc) {
            fwd_free(&f);
            return at_err_set(err, AT_ENOMEM, "bert_embed: out of memory");
        }
        for (size_t b = 0; b < batch; b++) {
            const float *x = f.x + f.offs[b] * H;
            for (size_t i = 0; i < H; i++)
                acc[i] = 0.0;
            for (size_t t = 0; t < lens[b]; t++)
                for (size_t i = 0; i < H; i++)
                    acc[i] += x[t * H + i];
            double nrm = 0.0;
            for (size_t i = 0; i < H; i++) {
                acc[i] /= (double)lens[b];
                nrm += acc[i] * acc[i];
            }
            nrm = sqrt(nrm);
            if (nrm < 1e-12)
                nrm = 1e-12;
            for (size_t i = 0; i < H; i++)
                out[b * H + i] = (float)(acc[i] / nrm);
        }
        free(acc);
    }
    fwd_free(&f);
    return rc;
}
