/* Error of the bit-exact integer numerics (common/numerics.c) against
 * float (double), first on realistic synthetic inputs (fixed seed), then on
 * real activations of all-MiniLM-L6-v2 (below). Synthetic inputs:
 *   requant    GEMM outputs, ratio log-uniform in [2^-20, 2^-6]
 *   softmax    BERT attention scores: rows of 8..512 valid columns, logits
 *              N(0, sigma), sigma ~ U[2, 4], half the rows with 1..3 peaks
 *              2..8 above the row max, clipped to [-20, 20], scale 20/32767
 *   layernorm  pre-LN residual sums, hidden 384 (and 1024): x ~ N(0, sigma),
 *              sigma ~ U[1, 5], 4 outlier channels at +-U[30, 50], plus a
 *              residual N(0, 1); scale 64/32767 for both; gamma ~ N(1, 0.3)
 *              (0.1 on outlier channels), beta ~ N(0, 0.1); eps 1e-12
 *   gelu       FFN pre-activations N(0, sigma), sigma ~ U[1, 2], clipped to
 *              [-10, 10], in and out scale 10/32767; plus all 65536 inputs
 * The float reference takes the dequantized int16 inputs (the op's own
 * error, not the input quantization). For comparison, I-BERT's integer
 * softmax (i-exp) and GELU (i-GELU), emulated, on the same inputs.
 *
 * Real activations: the fp32 forward (baselines/cpu/bert_float.c) of the
 * model in $ACCELTRAN_MODEL_DIR (default models/all-MiniLM-L6-v2, from the
 * repository root) on 16 fixed sentences, one batch; its observer provides
 * each layer's attention scores (already times 1/sqrt(head size)), the two
 * operands of each pre-LN residual sum and the FFN pre-activations. Inputs
 * are quantized per layer and tensor with s = max|value| / 32767; errors are
 * measured against the float op on the fp32 inputs, and split into the op's
 * own error (float on the dequantized inputs) and the input quantization.
 * Without the model directory the section is skipped (exit 0).
 * Prints the tables, then one JSON line. Options: --seed N, --json. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert_float.h"
#include "numerics.h"
#include "rng.h"
#include "safetensors.h"
#include "tokenizer.h"

static double clip(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

typedef struct stat {
    double max_abs, sum_abs;
    long count;
} stat;

static void stat_add(stat *s, double err)
{
    double a = fabs(err);
    if (a > s->max_abs)
        s->max_abs = a;
    s->sum_abs += a;
    s->count++;
}

static double stat_mean(const stat *s)
{
    return s->count ? s->sum_abs / (double)s->count : 0.0;
}

/* ------------------------------------------------ I-BERT, emulated */

/* I-BERT IntSoftmax (Kim et al. 2021; the IBertSoftmax of Hugging Face
 * transformers): i-exp, the exp requantized to 16 bits (QuantAct(16), here
 * with the row's exact range: 1.0 -> 32767), factor = floor(2^32 / sum),
 * output 15 bits instead of its 8. Emulated in double. */
static void ibert_softmax(const int16_t *q, int len, double s, double *p)
{
    const double x0 = -0.6931, c0 = 0.35815147;
    const double c1 = 0.96963238 / c0, c2 = 1.0 / c0;
    const int cst = 30;
    double x0_int = floor(x0 / s);
    double b_int = floor(c1 / s), c_int = floor(c2 / (s * s));
    double exp_s = c0 * s * s / ldexp(1.0, cst);
    int16_t mx = q[0];
    for (int i = 1; i < len; i++)
        if (q[i] > mx)
            mx = q[i];
    double e[AT_SOFTMAX_MAX_LEN], sum = 0;
    for (int i = 0; i < len; i++) {
        double x = (double)q[i] - mx;
        if (x < cst * x0_int)
            x = cst * x0_int;
        double qq = floor(x / x0_int);
        double r = x - x0_int * qq;
        double z = (r + b_int) * r + c_int;
        double ei = floor(z * ldexp(1.0, cst - (int)qq));
        if (ei < 0)
            ei = 0;
        e[i] = floor(ei * exp_s * 32767.0 + 0.5); /* QuantAct(16) */
        if (e[i] > 32767)
            e[i] = 32767;
        sum += e[i];
    }
    double factor = floor(ldexp(1.0, 32) / sum);
    for (int i = 0; i < len; i++)
        p[i] = floor(e[i] * factor / ldexp(1.0, 32 - 15)) / 32768.0;
}

/* I-BERT IntGELU on an int16 input of scale s: returns the real output. */
static double ibert_gelu(int16_t q, double s)
{
    const double k = 1.4142, a = -0.2888, b = -1.769, c = 1.0 / a;
    const int cst = 14;
    double se = s / k;
    int64_t b_int = (int64_t)floor(b / se);
    int64_t c_int = (int64_t)floor(c / (se * se));
    int64_t x = q;
    int64_t sign = x > 0 ? 1 : x < 0 ? -1 : 0;
    int64_t ax = x < 0 ? -x : x;
    if (ax > -b_int)
        ax = -b_int;
    int64_t y = sign * ((ax + b_int) * (ax + b_int) + c_int);
    double sig_s = se * se * a;
    y = (int64_t)floor((double)y / (double)(1 << cst));
    sig_s *= (double)(1 << cst);
    int64_t shift = (int64_t)floor(1.0 / sig_s);
    int64_t out = x * (y + shift);
    return (double)out * s * sig_s / 2.0;
}

/* ------------------------------------------------ requant */

static stat bench_requant(void)
{
    stat st = {0};
    for (int i = 0; i < 200000; i++) {
        double r = exp2(uniform(-20, -6));
        at_rq rq;
        at_rq_from_ratio(r, &rq);
        /* accumulator so that the output spans the int16 range */
        double yr = gauss() * 8000.0;
        int64_t acc = (int64_t)llround(yr / r);
        int32_t bias = (int32_t)llround(gauss() * 100.0 / r);
        if (llabs(acc) > AT_ACC_MAX / 2)
            continue;
        int16_t y = at_requant(acc, bias, rq);
        double ref = ((double)acc + bias) * r;
        if (fabs(ref) > 32767)
            continue;
        stat_add(&st, y - ref); /* in output LSB */
    }
    return st;
}

/* ------------------------------------------------ softmax */

typedef struct sm_result {
    stat err, ibert;
    double max_lsb, max_sum_err, ibert_max_sum_err, ref_round_sum_err;
    long rows;
} sm_result;

static sm_result bench_softmax(int rows)
{
    sm_result R = {0};
    const double s = 20.0 / 32767.0;
    at_softmax_params sp;
    at_softmax_params_make(s, &sp);
    int16_t q[AT_SOFTMAX_MAX_LEN], y[AT_SOFTMAX_MAX_LEN];
    double xd[AT_SOFTMAX_MAX_LEN], ref[AT_SOFTMAX_MAX_LEN],
        ib[AT_SOFTMAX_MAX_LEN];
    for (int r = 0; r < rows; r++) {
        int len = 8 + (int)(rng_next() % 505);
        int n = (len + 15) / 16 * 16;
        double sigma = uniform(2, 4);
        double x[AT_SOFTMAX_MAX_LEN], mx = -1e9;
        for (int i = 0; i < n; i++) {
            x[i] = gauss() * sigma;
            if (i < len && x[i] > mx)
                mx = x[i];
        }
        if (rng_next() & 1) {
            int peaks = 1 + (int)(rng_next() % 3);
            for (int k = 0; k < peaks; k++)
                x[rng_next() % (uint64_t)len] = mx + uniform(2, 8);
        }
        for (int i = 0; i < n; i++) {
            q[i] = at_quant16(clip(x[i], -20, 20), s);
            xd[i] = q[i] * s;
        }
        at_softmax_row(q, n, len, &sp, y);
        at_ref_softmax(xd, n, len, ref);
        ibert_softmax(q, len, s, ib);
        double sum = 0, isum = 0, rsum = 0;
        for (int i = 0; i < len; i++) {
            double p = y[i] / 32768.0;
            stat_add(&R.err, p - ref[i]);
            stat_add(&R.ibert, ib[i] - ref[i]);
            sum += p;
            isum += ib[i];
            rsum += floor(ref[i] * 32768.0 + 0.5) / 32768.0;
        }
        if (fabs(sum - 1) > R.max_sum_err)
            R.max_sum_err = fabs(sum - 1);
        if (fabs(rsum - 1) > R.ref_round_sum_err)
            R.ref_round_sum_err = fabs(rsum - 1);
        if (fabs(isum - 1) > R.ibert_max_sum_err)
            R.ibert_max_sum_err = fabs(isum - 1);
        R.rows++;
    }
    R.max_lsb = R.err.max_abs * 32768.0;
    return R;
}

/* ------------------------------------------------ layer-norm */

typedef struct ln_result {
    stat err, err_q; /* vs float with the original / the quantized gamma, beta */
    double s_out, max_lsb;
    long rows;
} ln_result;

static ln_result bench_layernorm(int n, int rows)
{
    ln_result R = {0};
    const double s_in = 64.0 / 32767.0, eps = 1e-12;
    double gamma[AT_LN_MAX_N], beta[AT_LN_MAX_N];
    int outl[4] = {n / 23, n / 4 + 7, n / 2 + 11, n - n / 7};
    double osign[4] = {1, -1, 1, -1};
    double gmax = 0;
    for (int i = 0; i < n; i++) {
        gamma[i] = 1.0 + 0.3 * gauss();
        beta[i] = 0.1 * gauss();
    }
    for (int k = 0; k < 4; k++)
        gamma[outl[k]] = 0.1;
    for (int i = 0; i < n; i++)
        if (fabs(gamma[i]) > gmax)
            gmax = fabs(gamma[i]);
    const double s_g = gmax / 32767.0;

    int16_t *xq = malloc(sizeof(int16_t) * (size_t)n * (size_t)rows);
    int16_t *rq = malloc(sizeof(int16_t) * (size_t)n * (size_t)rows);
    double *yref = malloc(sizeof(double) * (size_t)n * (size_t)rows);
    double v[AT_LN_MAX_N];
    double ymax = 0;
    for (int r = 0; r < rows; r++) {
        double sigma = uniform(1, 5);
        int16_t *xr = xq + (size_t)r * (size_t)n, *rr = rq + (size_t)r * (size_t)n;
        for (int i = 0; i < n; i++) {
            xr[i] = at_quant16(clip(gauss() * sigma, -50, 50), s_in);
            rr[i] = at_quant16(clip(gauss(), -10, 10), s_in);
        }
        for (int k = 0; k < 4; k++)
            xr[outl[k]] = at_quant16(osign[k] * uniform(30, 50), s_in);
        for (int i = 0; i < n; i++)
            v[i] = ((double)xr[i] + rr[i]) * s_in;
        double *yr = yref + (size_t)r * (size_t)n;
        at_ref_layernorm(v, n, gamma, beta, eps, yr);
        for (int i = 0; i < n; i++)
            if (fabs(yr[i]) > ymax)
                ymax = fabs(yr[i]);
    }
    /* output scale calibrated on the float outputs, 5% headroom */
    const double s_out = 1.05 * ymax / 32767.0;
    at_layernorm_params lp;
    at_layernorm_params_make(n, s_in, s_g, s_out, eps, &lp);
    int16_t gq[AT_LN_MAX_N], y[AT_LN_MAX_N];
    int32_t bq[AT_LN_MAX_N];
    double gd[AT_LN_MAX_N], bd[AT_LN_MAX_N], yq[AT_LN_MAX_N];
    for (int i = 0; i < n; i++) {
        gq[i] = at_quant16(gamma[i], s_g);
        bq[i] = at_quant32(beta[i], s_out);
        gd[i] = gq[i] * s_g;
        bd[i] = bq[i] * s_out;
    }
    for (int r = 0; r < rows; r++) {
        at_layernorm_row(xq + (size_t)r * (size_t)n, rq + (size_t)r * (size_t)n, n,
                         gq, bq, &lp, y);
        const double *yr = yref + (size_t)r * (size_t)n;
        const int16_t *xr = xq + (size_t)r * (size_t)n, *rr = rq + (size_t)r * (size_t)n;
        for (int i = 0; i < n; i++)
            v[i] = ((double)xr[i] + rr[i]) * s_in;
        at_ref_layernorm(v, n, gd, bd, eps, yq);
        for (int i = 0; i < n; i++) {
            stat_add(&R.err, y[i] * s_out - yr[i]);
            stat_add(&R.err_q, y[i] * s_out - yq[i]);
        }
        R.rows++;
    }
    R.s_out = s_out;
    R.max_lsb = R.err.max_abs / s_out;
    free(xq);
    free(rq);
    free(yref);
    return R;
}

/* ------------------------------------------------ GELU */

typedef struct gelu_result {
    stat err, ibert, sweep, ibert_sweep;
    double s_out;
} gelu_result;

static gelu_result bench_gelu(long samples)
{
    gelu_result R = {0};
    const double s = 10.0 / 32767.0, s_out = 10.0 / 32767.0;
    at_gelu_params gp;
    at_gelu_params_make(s, s_out, &gp);
    double sigma = 1;
    for (long i = 0; i < samples; i++) {
        if (i % 1000 == 0)
            sigma = uniform(1, 2);
        int16_t q = at_quant16(clip(gauss() * sigma, -10, 10), s);
        double ref = at_ref_gelu(q * s);
        stat_add(&R.err, at_gelu(q, &gp) * s_out - ref);
        double ib = at_quant16(ibert_gelu(q, s), s_out) * s_out;
        stat_add(&R.ibert, ib - ref);
    }
    for (int32_t q = INT16_MIN; q <= INT16_MAX; q++) {
        double ref = at_ref_gelu(q * s);
        stat_add(&R.sweep, at_gelu((int16_t)q, &gp) * s_out - ref);
        double ib = at_quant16(ibert_gelu((int16_t)q, s), s_out) * s_out;
        stat_add(&R.ibert_sweep, ib - ref);
    }
    R.s_out = s_out;
    return R;
}

/* ------------------------------------------------ real activations
 * all-MiniLM-L6-v2 run in fp32 (baselines/cpu/bert_float.c) on a fixed set
 * of sentences; the observer hands over every layer's attention scores
 * (already times 1/sqrt(head size)), the two operands of each pre-LN
 * residual sum and the FFN pre-activations. Each op is measured on them per
 * layer, with a per-tensor calibration: s = max|value| / 32767 over the
 * layer's captured tensor (all sentences). */

static const char *const real_sentences[] = {
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "She smiled.",
    "Is this the way to the museum?",
    "A man is playing a guitar.",
    "Can you recommend a good Italian restaurant near the train station?",
    "The quarterly report shows that revenue grew 12% while operating costs "
    "fell slightly.",
    "Photosynthesis converts light energy into chemical energy stored in "
    "glucose.",
    "Please remember to water the plants and feed the cat before Sunday.",
    "The committee postponed its decision until more data were available.",
    "Quantum computers exploit superposition and entanglement to solve "
    "certain problems faster than classical machines.",
    "The Industrial Revolution began in Britain in the late eighteenth "
    "century, when new machines powered by water and later by steam "
    "transformed the production of textiles. Factories drew workers from the "
    "countryside into rapidly growing cities, where living conditions were "
    "often crowded and unhealthy. Over the following decades the changes "
    "spread to Europe and North America, reshaping transport, agriculture "
    "and the relationship between employers and workers. Historians still "
    "debate why it started in Britain rather than elsewhere: cheap coal, a "
    "large colonial market, high wages that rewarded labour-saving "
    "inventions and a stable banking system are all part of the answer.",
    "To reproduce the bug, clone the repository, check out the release "
    "branch and run the test suite with the debug flag enabled. The failure "
    "only appears when two threads open the same file at the same time: one "
    "of them reads a partially written header and reports a corrupt "
    "archive. We suspect that the lock is released too early in the writer, "
    "before the final flush, but we have not confirmed this on Windows or "
    "macOS yet.",
    "I stayed at the hotel for three nights in March. The room was clean and "
    "quiet, and the staff at the front desk were friendly and helpful, "
    "although breakfast was expensive for what it offered. The location is "
    "excellent: the old town, the river and most of the museums are within "
    "a ten-minute walk, and there is a bus stop right outside. I would "
    "happily stay there again, but next time I would book a room facing the "
    "courtyard rather than the busy street, because the trams start running "
    "at five in the morning.",
    "Regular physical activity lowers the risk of heart disease, type 2 "
    "diabetes and several cancers. Adults are advised to do at least 150 "
    "minutes of moderate exercise, such as brisk walking or cycling, every "
    "week, spread over several days, and to include muscle-strengthening "
    "activities twice a week. Even short periods of movement help: replacing "
    "sitting time with light activity improves blood sugar control and "
    "mood, particularly in older adults who have been inactive for a long "
    "time.",
};
#define REAL_N (sizeof real_sentences / sizeof real_sentences[0])
#define REAL_MAX_LAYERS 32

enum { RL_SOFTMAX, RL_LN_ATTN, RL_LN_FFN, RL_GELU, RL_OPS };
static const char *const rl_label[RL_OPS] = {"softmax", "layernorm attn",
                                             "layernorm ffn", "gelu"};
static const char *const rl_key[RL_OPS] = {"softmax", "layernorm_attn",
                                           "layernorm_ffn", "gelu"};

/* One op in one layer (or aggregated over the layers). */
typedef struct rl_op {
    stat tot;   /* integer op on the quantized inputs vs float op on the fp32 inputs */
    stat own;   /* integer op vs float op on the dequantized inputs */
    stat inq;   /* float op on dequantized vs on fp32 inputs: input quantization */
    stat arith; /* layer-norm: vs float on dequantized inputs, quantized gamma/beta */
    double lsb; /* output scale (softmax: 2^-15) */
    double in_max, in_rms;    /* calibration: max |input|, RMS of the input */
    int in_max_col;           /* layer-norm: channel of max |v| */
    double in_max_body;       /* layer-norm: max |v| outside the [CLS] rows */
    double bound_ratio;       /* max over elements of |own| / the stated bound */
    double max_lsb, own_lsb, inq_lsb, arith_lsb; /* max errors in output LSB */
    long rows;
} rl_op;

typedef struct rl_ctx {
    size_t T, batch, H, I, heads;
    int layers;
    const size_t *lens;
    double eps;
    float *x_in, *attn_out, *attn_ln, *ffn_pre, *ffn_out, *scores;
    size_t scores_fill, scores_cap;
    float *gamma[2][REAL_MAX_LAYERS], *beta[2][REAL_MAX_LAYERS];
    rl_op op[REAL_MAX_LAYERS][RL_OPS];
    int layers_done, bad;
    char why[160];
} rl_ctx;

static double maxabs_f(const float *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

static void rl_finish(rl_op *o)
{
    o->max_lsb = o->tot.max_abs / o->lsb;
    o->own_lsb = o->own.max_abs / o->lsb;
    o->inq_lsb = o->inq.max_abs / o->lsb;
    o->arith_lsb = o->arith.max_abs / o->lsb;
}

static int rl_softmax(rl_ctx *c, rl_op *o)
{
    o->lsb = 1.0 / 32768.0;
    o->in_max = maxabs_f(c->scores, c->scores_fill);
    const double s = o->in_max / 32767.0;
    at_softmax_params sp;
    if (at_softmax_params_make(s, &sp))
        return -1;
    int16_t q[AT_SOFTMAX_MAX_LEN], y[AT_SOFTMAX_MAX_LEN];
    double xr[AT_SOFTMAX_MAX_LEN], xd[AT_SOFTMAX_MAX_LEN];
    double pr[AT_SOFTMAX_MAX_LEN], pd[AT_SOFTMAX_MAX_LEN];
    double ss = 0;
    size_t off = 0;
    for (size_t b = 0; b < c->batch; b++) {
        const int L = (int)c->lens[b];
        for (size_t r = 0; r < c->heads * (size_t)L; r++) {
            const float *x = c->scores + off + r * (size_t)L;
            for (int i = 0; i < L; i++) {
                q[i] = at_quant16(x[i], s);
                xd[i] = q[i] * s;
                xr[i] = x[i];
                ss += xr[i] * xr[i];
            }
            at_softmax_row(q, L, L, &sp, y);
            at_ref_softmax(xr, L, L, pr);
            at_ref_softmax(xd, L, L, pd);
            for (int i = 0; i < L; i++) {
                double p = y[i] / 32768.0;
                stat_add(&o->tot, p - pr[i]);
                stat_add(&o->own, p - pd[i]);
                stat_add(&o->inq, pd[i] - pr[i]);
            }
            o->rows++;
        }
        off += c->heads * (size_t)L * (size_t)L;
    }
    o->in_rms = sqrt(ss / (double)c->scores_fill);
    o->bound_ratio = o->own.max_abs / 1.22e-4; /* docs/numerics.md, Section 5 */
    rl_finish(o);
    return 0;
}

/* Layer-norm of v = x + r, both quantized with one scale (the larger of
 * the two max |.|), gamma int16 with its own scale, beta int32 in the
 * output scale. */
static int rl_layernorm(rl_ctx *c, rl_op *o, const float *x, const float *r,
                        const float *gamma, const float *beta)
{
    const size_t T = c->T, H = c->H;
    const int n = (int)H;
    double *yref = malloc(sizeof(double) * T * H);
    double *cmax = calloc(H, sizeof(double));
    size_t pos = 0, seq = 0; /* position of row t in its sentence */
    if (!yref || !cmax) {
        free(yref);
        free(cmax);
        return -1;
    }
    double g[AT_LN_MAX_N], bt[AT_LN_MAX_N], gd[AT_LN_MAX_N], bd[AT_LN_MAX_N];
    double v[AT_LN_MAX_N], vd[AT_LN_MAX_N], yd[AT_LN_MAX_N], ya[AT_LN_MAX_N];
    int16_t xq[AT_LN_MAX_N], rq[AT_LN_MAX_N], gq[AT_LN_MAX_N], y[AT_LN_MAX_N];
    int32_t bq[AT_LN_MAX_N];
    double gmax = 0, ymax = 0, ss = 0;
    for (size_t i = 0; i < H; i++) {
        g[i] = gamma[i];
        bt[i] = beta[i];
        if (fabs(g[i]) > gmax)
            gmax = fabs(g[i]);
    }
    const double mx = fmax(maxabs_f(x, T * H), maxabs_f(r, T * H));
    const double s_in = mx / 32767.0, s_g = gmax / 32767.0;
    /* float layer-norm on the fp32 inputs; its max |y| calibrates s_out */
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < H; i++) {
            v[i] = (double)x[t * H + i] + (double)r[t * H + i];
            ss += v[i] * v[i];
            if (fabs(v[i]) > cmax[i])
                cmax[i] = fabs(v[i]);
            if (pos != 0 && fabs(v[i]) > o->in_max_body)
                o->in_max_body = fabs(v[i]);
        }
        if (++pos == c->lens[seq]) {
            pos = 0;
            seq++;
        }
        at_ref_layernorm(v, n, g, bt, c->eps, yref + t * H);
        for (size_t i = 0; i < H; i++)
            if (fabs(yref[t * H + i]) > ymax)
                ymax = fabs(yref[t * H + i]);
    }
    o->in_rms = sqrt(ss / (double)(T * H));
    for (size_t i = 0; i < H; i++) {
        if (cmax[i] > o->in_max) {
            o->in_max = cmax[i];
            o->in_max_col = (int)i;
        }
    }
    const double s_out = ymax / 32767.0;
    o->lsb = s_out;
    at_layernorm_params lp;
    if (at_layernorm_params_make(n, s_in, s_g, s_out, c->eps, &lp)) {
        free(yref);
        free(cmax);
        return -1;
    }
    for (size_t i = 0; i < H; i++) {
        gq[i] = at_quant16(g[i], s_g);
        bq[i] = at_quant32(bt[i], s_out);
        gd[i] = gq[i] * s_g;
        bd[i] = bq[i] * s_out;
    }
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < H; i++) {
            xq[i] = at_quant16(x[t * H + i], s_in);
            rq[i] = at_quant16(r[t * H + i], s_in);
            vd[i] = ((double)xq[i] + rq[i]) * s_in;
        }
        at_layernorm_row(xq, rq, n, gq, bq, &lp, y);
        at_ref_layernorm(vd, n, g, bt, c->eps, yd);
        at_ref_layernorm(vd, n, gd, bd, c->eps, ya);
        const double *yr = yref + t * H;
        /* the stated bound (docs/numerics.md, Section 6) of each element */
        double mu = 0, var = 0;
        for (size_t i = 0; i < H; i++)
            mu += vd[i];
        mu /= (double)H;
        for (size_t i = 0; i < H; i++)
            var += (vd[i] - mu) * (vd[i] - mu);
        var /= (double)H;
        const double Ve = (double)H * (double)H * (var + c->eps) / (s_in * s_in);
        for (size_t i = 0; i < H; i++) {
            double yi = y[i] * s_out;
            double z = fabs(vd[i] - mu) / sqrt(var + c->eps);
            double bound = fabs(g[i]) * (z * (0x1p-23 + 0x1p-10 / Ve) + 0x1p-16) +
                           z * s_g / 2 + s_out + fabs(yd[i]) * 0x1p-16;
            if (fabs(yi - yd[i]) / bound > o->bound_ratio)
                o->bound_ratio = fabs(yi - yd[i]) / bound;
            stat_add(&o->tot, yi - yr[i]);
            stat_add(&o->own, yi - yd[i]);
            stat_add(&o->arith, yi - ya[i]);
            stat_add(&o->inq, yd[i] - yr[i]);
        }
        o->rows++;
    }
    rl_finish(o);
    free(yref);
    free(cmax);
    return 0;
}

static int rl_gelu(rl_ctx *c, rl_op *o)
{
    const size_t N = c->T * c->I;
    double *yref = malloc(sizeof(double) * N);
    if (!yref)
        return -1;
    const float *x = c->ffn_pre;
    double ymax = 0, ss = 0;
    o->in_max = maxabs_f(x, N);
    for (size_t k = 0; k < N; k++) {
        yref[k] = at_ref_gelu(x[k]);
        ss += (double)x[k] * x[k];
        if (fabs(yref[k]) > ymax)
            ymax = fabs(yref[k]);
    }
    o->in_rms = sqrt(ss / (double)N);
    const double s_in = o->in_max / 32767.0, s_out = ymax / 32767.0;
    o->lsb = s_out;
    at_gelu_params gp;
    if (at_gelu_params_make(s_in, s_out, &gp)) {
        free(yref);
        return -1;
    }
    for (size_t k = 0; k < N; k++) {
        int16_t q = at_quant16(x[k], s_in);
        double xd = q * s_in, yi = at_gelu(q, &gp) * s_out, yd = at_ref_gelu(xd);
        /* the stated bound (docs/numerics.md, Section 3) */
        double bound = 1.13 * (0x1p-17 + fabs(xd) * 0x1p-16) + 1.14e-4 +
                       s_out / 2 + fabs(yd) * 0x1p-16;
        if (fabs(yi - yd) / bound > o->bound_ratio)
            o->bound_ratio = fabs(yi - yd) / bound;
        stat_add(&o->tot, yi - yref[k]);
        stat_add(&o->own, yi - yd);
        stat_add(&o->inq, yd - yref[k]);
    }
    o->rows = (long)c->T;
    rl_finish(o);
    free(yref);
    return 0;
}

static void rl_fail(rl_ctx *c, const char *what)
{
    if (!c->bad)
        snprintf(c->why, sizeof c->why, "%s", what);
    c->bad = 1;
}

static void rl_copy(rl_ctx *c, float *dst, const float *data, size_t rows,
                    size_t cols, size_t want_cols, const char *name)
{
    if (rows != c->T || cols != want_cols) {
        char m[160];
        snprintf(m, sizeof m, "observer: %s is %zux%zu, expected %zux%zu", name,
                 rows, cols, c->T, want_cols);
        rl_fail(c, m);
        return;
    }
    memcpy(dst, data, sizeof(float) * rows * cols);
}

/* The observer: keeps the current layer's tensors, and measures the layer
 * when its output ("layer.L.out.ln", the last name of a layer) arrives. */
static void rl_observe(void *vctx, const char *name, int layer,
                       const float *data, size_t rows, size_t cols)
{
    rl_ctx *c = vctx;
    if (c->bad)
        return;
    if (layer < 0) {
        if (!strcmp(name, "embed.ln"))
            rl_copy(c, c->x_in, data, rows, cols, c->H, name);
        return;
    }
    const char *sfx = strchr(name + strlen("layer."), '.');
    if (!sfx || layer >= c->layers || layer != c->layers_done)
        return;
    sfx++;
    if (!strcmp(sfx, "attn.scores")) {
        size_t nel = rows * cols;
        if (c->scores_fill + nel > c->scores_cap) {
            rl_fail(c, "observer: more attention scores than heads x len^2");
            return;
        }
        memcpy(c->scores + c->scores_fill, data, sizeof(float) * nel);
        c->scores_fill += nel;
    } else if (!strcmp(sfx, "attn.out")) {
        rl_copy(c, c->attn_out, data, rows, cols, c->H, name);
    } else if (!strcmp(sfx, "attn.ln")) {
        rl_copy(c, c->attn_ln, data, rows, cols, c->H, name);
    } else if (!strcmp(sfx, "ffn.pre")) {
        rl_copy(c, c->ffn_pre, data, rows, cols, c->I, name);
    } else if (!strcmp(sfx, "ffn.out")) {
        rl_copy(c, c->ffn_out, data, rows, cols, c->H, name);
    } else if (!strcmp(sfx, "out.ln")) {
        rl_op *o = c->op[layer];
        if (c->scores_fill != c->scores_cap) {
            rl_fail(c, "observer: missing attention scores");
            return;
        }
        if (rl_softmax(c, &o[RL_SOFTMAX]) ||
            rl_layernorm(c, &o[RL_LN_ATTN], c->x_in, c->attn_out,
                         c->gamma[0][layer], c->beta[0][layer]) ||
            rl_layernorm(c, &o[RL_LN_FFN], c->attn_ln, c->ffn_out,
                         c->gamma[1][layer], c->beta[1][layer]) ||
            rl_gelu(c, &o[RL_GELU])) {
            rl_fail(c, "out of memory, or a scale outside the parameter "
                       "helpers' range");
            return;
        }
        rl_copy(c, c->x_in, data, rows, cols, c->H, name);
        c->scores_fill = 0;
        c->layers_done++;
    }
}

/* Aggregate over the layers; *worst = the layer with the largest max LSB. */
static rl_op rl_aggregate(const rl_ctx *c, int k, int *worst)
{
    rl_op a = {0};
    *worst = 0;
    for (int l = 0; l < c->layers; l++) {
        const rl_op *o = &c->op[l][k];
        const stat *src[4] = {&o->tot, &o->own, &o->inq, &o->arith};
        stat *dst[4] = {&a.tot, &a.own, &a.inq, &a.arith};
        for (int j = 0; j < 4; j++) {
            if (src[j]->max_abs > dst[j]->max_abs)
                dst[j]->max_abs = src[j]->max_abs;
            dst[j]->sum_abs += src[j]->sum_abs;
            dst[j]->count += src[j]->count;
        }
        a.max_lsb = fmax(a.max_lsb, o->max_lsb);
        a.own_lsb = fmax(a.own_lsb, o->own_lsb);
        a.inq_lsb = fmax(a.inq_lsb, o->inq_lsb);
        a.arith_lsb = fmax(a.arith_lsb, o->arith_lsb);
        a.bound_ratio = fmax(a.bound_ratio, o->bound_ratio);
        a.rows += o->rows;
        if (o->max_lsb > c->op[*worst][k].max_lsb)
            *worst = l;
    }
    return a;
}

typedef struct real_result {
    int ran, failed;
    char why[1024]; /* reason when skipped / failed */
    char model[128];
    size_t sentences, tokens, min_len, max_len;
    int layers;
    rl_op agg[RL_OPS];
    int worst[RL_OPS];
    rl_ctx *c;
} real_result;

static int rl_read_ln(rl_ctx *c, const st_file *sf, int l, int site, at_err *err)
{
    static const char *const part[2] = {"attention.output.LayerNorm",
                                        "output.LayerNorm"};
    const int64_t shape[1] = {(int64_t)c->H};
    for (int wb = 0; wb < 2; wb++) {
        float **dst = wb ? &c->beta[site][l] : &c->gamma[site][l];
        char nm[128], alt[136];
        snprintf(nm, sizeof nm, "encoder.layer.%d.%s.%s", l, part[site],
                 wb ? "bias" : "weight");
        snprintf(alt, sizeof alt, "bert.%s", nm);
        /* Hugging Face names, with or without the "bert." prefix */
        int rc = st_read_f32(sf, st_find(sf, nm) || !st_find(sf, alt) ? nm : alt,
                             1, shape, dst, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void rl_free(rl_ctx *c)
{
    if (!c)
        return;
    free(c->x_in);
    free(c->attn_out);
    free(c->attn_ln);
    free(c->ffn_pre);
    free(c->ffn_out);
    free(c->scores);
    for (int l = 0; l < REAL_MAX_LAYERS; l++)
        for (int s = 0; s < 2; s++) {
            free(c->gamma[s][l]);
            free(c->beta[s][l]);
        }
    free(c);
}

/* Returns 0 when it ran or was skipped for a missing model (R->ran tells),
 * -1 on a real failure (R->why). */
static int bench_real(real_result *R)
{
    memset(R, 0, sizeof *R);
    const char *dir = getenv("ACCELTRAN_MODEL_DIR");
    if (!dir || !*dir)
        dir = "models/all-MiniLM-L6-v2";
    char path[512];
    if (strlen(dir) > sizeof path - 32) {
        snprintf(R->why, sizeof R->why, "model directory path too long");
        return -1;
    }
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *probe = fopen(path, "r");
    if (!probe) {
        snprintf(R->why, sizeof R->why,
                 "no model at %s (%s missing; set ACCELTRAN_MODEL_DIR)", dir,
                 path);
        return 0;
    }
    fclose(probe);
    {
        size_t dl = strlen(dir);
        while (dl > 1 && dir[dl - 1] == '/')
            dl--;
        size_t b = dl;
        while (b > 0 && dir[b - 1] != '/')
            b--;
        snprintf(R->model, sizeof R->model, "%.*s", (int)(dl - b), dir + b);
    }

    at_err err = {0};
    bert_model *m = NULL;
    at_vocab *vocab = NULL;
    at_tokenizer *tok = NULL;
    st_file *sf = NULL;
    rl_ctx *c = calloc(1, sizeof *c);
    int32_t *ids[REAL_N] = {0};
    size_t lens[REAL_N];
    float *out = NULL;
    int rc = -1;
    if (!c) {
        snprintf(R->why, sizeof R->why, "out of memory");
        goto done;
    }
    if (bert_model_load(dir, &m, &err))
        goto fail;
    const bert_config *cfg = bert_model_config(m);
    if (cfg->layers > REAL_MAX_LAYERS || cfg->hidden > AT_LN_MAX_N) {
        snprintf(R->why, sizeof R->why, "model too large for this bench");
        goto done;
    }
    c->H = (size_t)cfg->hidden;
    c->I = (size_t)cfg->intermediate;
    c->heads = (size_t)cfg->heads;
    c->layers = cfg->layers;
    c->eps = cfg->ln_eps;

    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    if (at_vocab_load(path, &vocab, &err))
        goto fail;
    at_tokenizer_opts topts = {.lowercase = 1, .tokenize_cjk = 1, .max_len = 256};
    if (at_tokenizer_new(vocab, &topts, &tok, &err))
        goto fail;
    R->min_len = SIZE_MAX;
    for (size_t b = 0; b < REAL_N; b++) {
        ids[b] = malloc(sizeof(int32_t) * 256);
        if (!ids[b]) {
            snprintf(R->why, sizeof R->why, "out of memory");
            goto done;
        }
        if (at_tokenize(tok, real_sentences[b], ids[b], 256, &lens[b], &err))
            goto fail;
        c->T += lens[b];
        c->scores_cap += c->heads * lens[b] * lens[b];
        if (lens[b] < R->min_len)
            R->min_len = lens[b];
        if (lens[b] > R->max_len)
            R->max_len = lens[b];
    }
    c->batch = REAL_N;
    c->lens = lens;

    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (st_open(path, &sf, &err))
        goto fail;
    for (int l = 0; l < c->layers; l++)
        for (int s = 0; s < 2; s++)
            if (rl_read_ln(c, sf, l, s, &err))
                goto fail;
    st_close(sf);
    sf = NULL;

    c->x_in = malloc(sizeof(float) * c->T * c->H);
    c->attn_out = malloc(sizeof(float) * c->T * c->H);
    c->attn_ln = malloc(sizeof(float) * c->T * c->H);
    c->ffn_out = malloc(sizeof(float) * c->T * c->H);
    c->ffn_pre = malloc(sizeof(float) * c->T * c->I);
    c->scores = malloc(sizeof(float) * c->scores_cap);
    out = malloc(sizeof(float) * c->T * c->H);
    if (!c->x_in || !c->attn_out || !c->attn_ln || !c->ffn_out || !c->ffn_pre ||
        !c->scores || !out) {
        snprintf(R->why, sizeof R->why, "out of memory");
        goto done;
    }
    bert_run_opts ro = {.threads = 0, .observer = rl_observe, .observer_ctx = c};
    if (bert_encode(m, (const int32_t *const *)ids, lens, REAL_N, &ro, out, &err))
        goto fail;
    if (c->bad || c->layers_done != c->layers) {
        snprintf(R->why, sizeof R->why, "%s",
                 c->bad ? c->why : "observer: not every layer was seen");
        goto done;
    }
    R->ran = 1;
    R->sentences = REAL_N;
    R->tokens = c->T;
    R->layers = c->layers;
    for (int k = 0; k < RL_OPS; k++)
        R->agg[k] = rl_aggregate(c, k, &R->worst[k]);
    R->c = c;
    c = NULL;
    rc = 0;
    goto done;
fail:
    snprintf(R->why, sizeof R->why, "%s: %s", at_err_name(err.code), err.msg);
done:
    free(out);
    for (size_t b = 0; b < REAL_N; b++)
        free(ids[b]);
    st_close(sf);
    at_tokenizer_free(tok);
    at_vocab_free(vocab);
    bert_model_free(m);
    rl_free(c);
    R->failed = rc != 0;
    return rc;
}

static void real_print(const real_result *R)
{
    if (!R->ran) {
        printf("\nreal activations: %s: %s\n", R->failed ? "FAILED" : "skipped",
               R->why);
        return;
    }
    const rl_ctx *c = R->c;
    printf("\nreal activations (%s, %zu sentences, %zu tokens, len %zu..%zu, "
           "%d layers)\n",
           R->model, R->sentences, R->tokens, R->min_len, R->max_len, R->layers);
    printf("calibration per layer and tensor: s_in = max|input| / 32767, "
           "s_out = max|float output| / 32767\n");
    printf("%-30s %11s %11s %9s %-14s %s\n", "op (vs float on fp32 inputs)",
           "max |err|", "mean |err|", "max (LSB)", "worst layer", "inputs");
    for (int k = 0; k < RL_OPS; k++) {
        const rl_op *a = &R->agg[k];
        const rl_op *w = &c->op[R->worst[k]][k];
        char wl[32];
        snprintf(wl, sizeof wl, "%d (%.2f)", R->worst[k], w->max_lsb);
        if (k == RL_SOFTMAX)
            printf("%-30s %11.3e %11.3e %9.2f %-14s %ld rows, %ld probs, LSB 2^-15\n",
                   rl_label[k], a->tot.max_abs, stat_mean(&a->tot), a->max_lsb, wl,
                   a->rows, a->tot.count);
        else if (k == RL_GELU)
            printf("%-30s %11.3e %11.3e %9.2f %-14s %ld elements\n", rl_label[k],
                   a->tot.max_abs, stat_mean(&a->tot), a->max_lsb, wl, a->tot.count);
        else
            printf("%-30s %11.3e %11.3e %9.2f %-14s %ld rows of %zu\n", rl_label[k],
                   a->tot.max_abs, stat_mean(&a->tot), a->max_lsb, wl, a->rows, c->H);
        printf("%-30s %11.3e %11.3e %9.2f %-14s vs float on the dequantized inputs; "
               "max %.2f x stated bound\n",
               "  op alone", a->own.max_abs, stat_mean(&a->own), a->own_lsb, "",
               a->bound_ratio);
        if (k == RL_LN_ATTN || k == RL_LN_FFN)
            printf("%-30s %11.3e %11.3e %9.2f %-14s same, float with quantized gamma/beta\n",
                   "  op alone, q-param", a->arith.max_abs, stat_mean(&a->arith),
                   a->arith_lsb, "");
        printf("%-30s %11.3e %11.3e %9.2f %-14s float on dequantized vs fp32 inputs\n",
               "  input quantization alone", a->inq.max_abs, stat_mean(&a->inq),
               a->inq_lsb, "");
    }
    printf("per layer: max |input| (rms) [LN: channel of the max; max outside "
           "the [CLS] rows]; max |err| in LSB\n");
    printf("%-5s %-15s %-26s %-26s %-14s %s\n", "layer", "scores", "attn-LN input",
           "ffn-LN input", "ffn.pre", "sm / lnA / lnF / gelu LSB");
    for (int l = 0; l < c->layers; l++) {
        const rl_op *o = c->op[l];
        char s0[48], s1[64], s2[64], s3[48];
        snprintf(s0, sizeof s0, "%.2f (%.2f)", o[RL_SOFTMAX].in_max,
                 o[RL_SOFTMAX].in_rms);
        snprintf(s1, sizeof s1, "%.1f (%.2f) [%d; %.1f]", o[RL_LN_ATTN].in_max,
                 o[RL_LN_ATTN].in_rms, o[RL_LN_ATTN].in_max_col,
                 o[RL_LN_ATTN].in_max_body);
        snprintf(s2, sizeof s2, "%.1f (%.2f) [%d; %.1f]", o[RL_LN_FFN].in_max,
                 o[RL_LN_FFN].in_rms, o[RL_LN_FFN].in_max_col,
                 o[RL_LN_FFN].in_max_body);
        snprintf(s3, sizeof s3, "%.2f (%.2f)", o[RL_GELU].in_max, o[RL_GELU].in_rms);
        printf("%-5d %-15s %-26s %-26s %-14s %.2f / %.2f / %.2f / %.2f\n", l, s0,
               s1, s2, s3, o[RL_SOFTMAX].max_lsb, o[RL_LN_ATTN].max_lsb,
               o[RL_LN_FFN].max_lsb, o[RL_GELU].max_lsb);
    }
}

static void json_escape_print(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
}

static void real_json(const real_result *R)
{
    printf(",\"real\":{");
    if (!R->ran) {
        printf("\"%s\":\"", R->failed ? "failed" : "skipped");
        json_escape_print(R->why);
        printf("\"}");
        return;
    }
    printf("\"model\":\"");
    json_escape_print(R->model);
    printf("\",\"sentences\":%zu,\"tokens\":%zu,\"layers\":%d", R->sentences,
           R->tokens, R->layers);
    for (int k = 0; k < RL_OPS; k++) {
        const rl_op *a = &R->agg[k];
        printf(",\"%s\":{\"max_abs\":%.4e,\"mean_abs\":%.4e,\"max_lsb\":%.3f,"
               "\"op_max_abs\":%.4e,\"op_mean_abs\":%.4e,\"op_max_lsb\":%.3f,"
               "\"op_bound_ratio\":%.3f,\"inq_max_abs\":%.4e,\"inq_max_lsb\":%.3f,",
               rl_key[k], a->tot.max_abs, stat_mean(&a->tot), a->max_lsb,
               a->own.max_abs, stat_mean(&a->own), a->own_lsb, a->bound_ratio,
               a->inq.max_abs, a->inq_lsb);
        if (k == RL_LN_ATTN || k == RL_LN_FFN)
            printf("\"qparam_max_abs\":%.4e,\"qparam_max_lsb\":%.3f,",
                   a->arith.max_abs, a->arith_lsb);
        printf("\"rows\":%ld,\"n\":%ld,\"worst_layer\":%d,\"layer_max_lsb\":[",
               a->rows, a->tot.count, R->worst[k]);
        for (int l = 0; l < R->layers; l++)
            printf("%s%.3f", l ? "," : "", R->c->op[l][k].max_lsb);
        printf("],\"layer_in_max\":[");
        for (int l = 0; l < R->layers; l++)
            printf("%s%.3f", l ? "," : "", R->c->op[l][k].in_max);
        printf("]}");
    }
    printf("}");
}

int main(int argc, char **argv)
{
    uint64_t seed = 0x5EEDu;
    int json_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--json"))
            json_only = 1;
        else {
            fprintf(stderr, "usage: bench_numerics [--seed N] [--json]\n");
            return 2;
        }
    }
    rng_state = seed;
    stat rq = bench_requant();
    sm_result sm = bench_softmax(4000);
    ln_result ln = bench_layernorm(384, 2000);
    ln_result ln1k = bench_layernorm(1024, 500);
    gelu_result ge = bench_gelu(1000000);
    real_result re;
    int real_rc = bench_real(&re);

    if (!json_only) {
        printf("integer numerics vs float (seed %#llx), errors in real units\n",
               (unsigned long long)seed);
        printf("%-26s %12s %12s %10s %s\n", "op", "max |err|", "mean |err|",
               "max (LSB)", "inputs");
        printf("%-26s %12s %12s %10.3f %ld outputs\n", "requant", "-", "-",
               rq.max_abs, rq.count);
        printf("%-26s %12.3e %12.3e %10.2f %ld rows, %ld probs, LSB 2^-15\n",
               "softmax", sm.err.max_abs, stat_mean(&sm.err), sm.max_lsb, sm.rows,
               sm.err.count);
        printf("%-26s %12.3e %12s %10.2f max |sum p - 1| (rounded float: %.3e)\n",
               "softmax row sum", sm.max_sum_err, "-", sm.max_sum_err * 32768,
               sm.ref_round_sum_err);
        printf("%-26s %12.3e %12.3e %10.2f (emulated, same inputs; row sum %.3e)\n",
               "softmax I-BERT i-exp", sm.ibert.max_abs, stat_mean(&sm.ibert),
               sm.ibert.max_abs * 32768, sm.ibert_max_sum_err);
        printf("%-26s %12.3e %12.3e %10.2f %ld rows, s_out %.3g\n",
               "layernorm n=384", ln.err.max_abs, stat_mean(&ln.err), ln.max_lsb,
               ln.rows, ln.s_out);
        printf("%-26s %12.3e %12.3e %10.2f same, float with quantized gamma/beta\n",
               "layernorm n=384 (q-param)", ln.err_q.max_abs, stat_mean(&ln.err_q),
               ln.err_q.max_abs / ln.s_out);
        printf("%-26s %12.3e %12.3e %10.2f %ld rows, s_out %.3g\n",
               "layernorm n=1024", ln1k.err.max_abs, stat_mean(&ln1k.err),
               ln1k.max_lsb, ln1k.rows, ln1k.s_out);
        printf("%-26s %12.3e %12.3e %10.2f %ld samples, s_out %.3g\n", "gelu",
               ge.err.max_abs, stat_mean(&ge.err), ge.err.max_abs / ge.s_out,
               ge.err.count, ge.s_out);
        printf("%-26s %12.3e %12.3e %10.2f all int16 inputs\n", "gelu sweep",
               ge.sweep.max_abs, stat_mean(&ge.sweep), ge.sweep.max_abs / ge.s_out);
        printf("%-26s %12.3e %12.3e %10.2f (emulated, same inputs)\n",
               "gelu I-BERT i-GELU", ge.ibert.max_abs, stat_mean(&ge.ibert),
               ge.ibert.max_abs / ge.s_out);
        printf("%-26s %12.3e %12.3e %10.2f all int16 inputs\n",
               "gelu I-BERT sweep", ge.ibert_sweep.max_abs,
               stat_mean(&ge.ibert_sweep), ge.ibert_sweep.max_abs / ge.s_out);
        real_print(&re);
    }
    printf("{\"bench\":\"numerics\",\"seed\":%llu,"
           "\"requant\":{\"max_abs_lsb\":%.4f,\"n\":%ld},"
           "\"softmax\":{\"max_abs\":%.4e,\"mean_abs\":%.4e,\"max_lsb\":%.3f,"
           "\"max_row_sum_err\":%.4e,\"rounded_float_row_sum_err\":%.4e,\"rows\":%ld,"
           "\"ibert_max_abs\":%.4e,\"ibert_mean_abs\":%.4e},"
           "\"layernorm\":{\"max_abs\":%.4e,\"mean_abs\":%.4e,\"max_lsb\":%.3f,"
           "\"qparam_max_abs\":%.4e,\"s_out\":%.4e,\"rows\":%ld,"
           "\"n1024_max_abs\":%.4e,\"n1024_mean_abs\":%.4e,\"n1024_max_lsb\":%.3f},"
           "\"gelu\":{\"max_abs\":%.4e,\"mean_abs\":%.4e,\"max_lsb\":%.3f,"
           "\"sweep_max_abs\":%.4e,\"ibert_max_abs\":%.4e,\"ibert_mean_abs\":%.4e}",
           (unsigned long long)seed, rq.max_abs, rq.count, sm.err.max_abs,
           stat_mean(&sm.err), sm.max_lsb, sm.max_sum_err, sm.ref_round_sum_err, sm.rows,
           sm.ibert.max_abs, stat_mean(&sm.ibert), ln.err.max_abs,
           stat_mean(&ln.err), ln.max_lsb, ln.err_q.max_abs, ln.s_out, ln.rows, ln1k.err.max_abs,
           stat_mean(&ln1k.err), ln1k.max_lsb, ge.err.max_abs, stat_mean(&ge.err),
           ge.err.max_abs / ge.s_out, ge.sweep.max_abs, ge.ibert.max_abs,
           stat_mean(&ge.ibert));
    real_json(&re);
    printf("}\n");
    rl_free(re.c);
    if (real_rc) {
        fprintf(stderr, "bench_numerics: real activations failed: %s\n", re.why);
        return 1;
    }
    return 0;
}
