/* Error of the bit-exact integer numerics (cosim/fmodel/numerics.c) against
 * float (double) on realistic synthetic inputs, fixed seed:
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
 * Prints a table, then one JSON line. Options: --seed N, --json. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics.h"
#include "rng.h"

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
           "\"sweep_max_abs\":%.4e,\"ibert_max_abs\":%.4e,\"ibert_mean_abs\":%.4e}}\n",
           (unsigned long long)seed, rq.max_abs, rq.count, sm.err.max_abs,
           stat_mean(&sm.err), sm.max_lsb, sm.max_sum_err, sm.ref_round_sum_err, sm.rows,
           sm.ibert.max_abs, stat_mean(&sm.ibert), ln.err.max_abs,
           stat_mean(&ln.err), ln.max_lsb, ln.err_q.max_abs, ln.s_out, ln.rows, ln1k.err.max_abs,
           stat_mean(&ln1k.err), ln1k.max_lsb, ge.err.max_abs, stat_mean(&ge.err),
           ge.err.max_abs / ge.s_out, ge.sweep.max_abs, ge.ibert.max_abs,
           stat_mean(&ge.ibert));
    return 0;
}
