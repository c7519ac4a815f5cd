/* The RTL layer-norm unit (rtl/acceltran_layernorm.sv) against
 * at_layernorm_row, bit for bit: realistic pre-LN residual rows (n = 384
 * and 1024, with and without residual), odd n (1, 17, 383, random), constant
 * rows (y = beta exactly), saturating extremes, the largest |z|, eps 0 and
 * huge, random parameters over their whole ranges, and back-to-back rows of
 * different n, with random stalls on every valid and on out_ready. Also the
 * cycle count per row without stalls (docs/rtl-layernorm.md).
 * Seed: ACCELTRAN_TEST_SEED (default below), printed with every mismatch. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_layernorm_unit.h"
#include "check.h"
#include "numerics.h"

#define W LN_UNIT_WIDTH
#define MAXN AT_LN_MAX_N

static uint64_t seed_g = 0x1A7E0u;
static uint64_t rng_g;

static uint64_t rnd(void) /* xorshift64* */
{
    rng_g ^= rng_g >> 12;
    rng_g ^= rng_g << 25;
    rng_g ^= rng_g >> 27;
    return rng_g * UINT64_C(2685821657736338717);
}

static double urand(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

static double nrand(void) /* N(0, 1), Box-Muller */
{
    double a = urand(), b = urand();
    if (a < 1e-300)
        a = 1e-300;
    return sqrt(-2.0 * log(a)) * cos(2.0 * M_PI * b);
}

typedef struct row {
    const char *what;
    int n, res_en;
    int16_t x[MAXN], res[MAXN], gamma[MAXN];
    int32_t beta[MAXN];
    at_layernorm_params p;
    int16_t want[MAXN];
    long t_cfg, t_done; /* cycles of the cfg and the last output handshakes */
} row;

/* Stall probabilities, percent. */
typedef struct stalls {
    int cfg, in, par, out;
} stalls;

static const stalls no_stalls = {0, 0, 0, 0};
static const stalls some_stalls = {30, 30, 30, 30};

static int beats(int n) { return (n + W - 1) / W; }

static void reference(row *r)
{
    int rc = at_layernorm_row(r->x, r->res_en ? r->res : NULL, r->n, r->gamma, r->beta, &r->p, r->want);
    CHECK(rc == 0, "at_layernorm_row(%s, n=%d) returned %d", r->what, r->n, rc);
}

static int coin(int pct) { return (int)(rnd() % 100) < pct; }

/* Streams the rows through the unit back to back: independent producers
 * for cfg, pass-1 beats and pass-2 beats, and a consumer for the output,
 * each with random stalls (a valid, once raised, is held until taken).
 * Checks every output element and the last flag. Returns the cycles. */
static long run_rows(ln_unit *u, row **rows, int count, stalls st)
{
    int rc = 0, ri = 0, bi = 0, rp = 0, bp = 0, ro = 0, bo = 0;
    int cfg_v = 0, in_v = 0, par_v = 0;
    long cyc = 0, limit = 20000L + 2000L * count;
    int reported = 0;
    ln_unit_in in;
    ln_unit_out o;
    memset(&in, 0, sizeof in);
    while (ro < count && cyc < limit) {
        /* producers: raise valid at random, hold it once raised */
        if (!cfg_v && rc < count && !coin(st.cfg))
            cfg_v = 1;
        if (!in_v && ri < count && !coin(st.in))
            in_v = 1;
        if (!par_v && rp < count && !coin(st.par))
            par_v = 1;
        memset(&in, 0, sizeof in);
        if (cfg_v) {
            in.cfg_valid = 1;
            in.n = rows[rc]->n;
            in.res_en = rows[rc]->res_en;
            in.eps_q = rows[rc]->p.eps_q;
            in.out_m = rows[rc]->p.out.m;
            in.out_s = rows[rc]->p.out.s;
        }
        if (in_v) {
            in.in_valid = 1;
            for (int j = 0; j < W; j++) {
                int i = bi * W + j;
                /* lanes past n carry garbage: the unit must ignore it */
                in.x[j] = i < rows[ri]->n ? rows[ri]->x[i] : (int16_t)rnd();
                in.res[j] = i < rows[ri]->n ? rows[ri]->res[i] : (int16_t)rnd();
            }
        }
        if (par_v) {
            in.par_valid = 1;
            for (int j = 0; j < W; j++) {
                int i = bp * W + j;
                in.gamma[j] = i < rows[rp]->n ? rows[rp]->gamma[i] : (int16_t)rnd();
                in.beta[j] = i < rows[rp]->n ? rows[rp]->beta[i] : (int32_t)rnd();
            }
        }
        in.out_ready = !coin(st.out);
        ln_unit_set(u, &in);
        ln_unit_get(u, &o);
        if (cfg_v && o.cfg_ready) {
            rows[rc]->t_cfg = cyc;
            rc++;
            cfg_v = 0;
        }
        if (in_v && o.in_ready) {
            if (++bi == beats(rows[ri]->n)) {
                bi = 0;
                ri++;
            }
            in_v = 0;
        }
        if (par_v && o.par_ready) {
            if (++bp == beats(rows[rp]->n)) {
                bp = 0;
                rp++;
            }
            par_v = 0;
        }
        if (o.out_valid && in.out_ready) {
            row *r = rows[ro];
            int last = bo == beats(r->n) - 1;
            CHECK(o.out_last == last, "seed 0x%" PRIx64 " %s n=%d beat %d: out_last %d, want %d", seed_g,
                  r->what, r->n, bo, o.out_last, last);
            for (int j = 0; j < W; j++) {
                int i = bo * W + j;
                int16_t want = i < r->n ? r->want[i] : 0;
                if (o.y[j] != want && reported < 8) {
                    reported++;
                    int v = r->x[i < r->n ? i : 0] + (r->res_en ? r->res[i < r->n ? i : 0] : 0);
                    CHECK(0,
                          "seed 0x%" PRIx64 " row %d (%s) n=%d res=%d eps_q=%" PRId64
                          " m=%u s=%u: y[%d] rtl %d, C %d (v %d gamma %d beta %d)",
                          seed_g, ro, r->what, r->n, r->res_en, r->p.eps_q, r->p.out.m, r->p.out.s, i,
                          o.y[j], want, i < r->n ? v : 0, i < r->n ? r->gamma[i] : 0,
                          i < r->n ? r->beta[i] : 0);
                }
            }
            if (last) {
                r->t_done = cyc;
                bo = 0;
                ro++;
            } else {
                bo++;
            }
        }
        ln_unit_tick(u);
        cyc++;
    }
    CHECK(ro == count, "seed 0x%" PRIx64 ": %d of %d rows out after %ld cycles (hang)", seed_g, ro, count,
          cyc);
    return cyc;
}

static row *row_new(const char *what, int n, int res_en)
{
    row *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    r->what = what;
    r->n = n;
    r->res_en = res_en;
    return r;
}

/* Pre-LN residual sums (docs/numerics.md section 7): x ~ N(0, sigma),
 * sigma ~ U[1, 5], four outlier channels at +-U[30, 50], residual N(0, 1),
 * one scale 64/32767; gamma ~ N(1, 0.3) (0.1 on outliers), beta ~ N(0,
 * 0.1), eps 1e-12; s_out from the float reference (1.05 max|y|). */
static row *row_realistic(const char *what, int n, int res_en, double eps)
{
    row *r = row_new(what, n, res_en);
    double s_in = 64.0 / 32767.0, sigma = 1 + 4 * urand();
    double g[MAXN] = {0}, b[MAXN] = {0}, v[MAXN] = {0}, y[MAXN];
    double gmax = 0;
    int out_ch[4];
    for (int k = 0; k < 4; k++)
        out_ch[k] = (int)(rnd() % (unsigned)n);
    for (int i = 0; i < n; i++) {
        double xv = sigma * nrand();
        g[i] = 1 + 0.3 * nrand();
        for (int k = 0; k < 4; k++)
            if (i == out_ch[k]) {
                xv = (rnd() & 1 ? 1 : -1) * (30 + 20 * urand());
                g[i] = 0.1;
            }
        if (xv > 50) xv = 50;
        if (xv < -50) xv = -50;
        r->x[i] = at_quant16(xv, s_in);
        r->res[i] = at_quant16(nrand(), s_in);
        v[i] = ((double)r->x[i] + (res_en ? r->res[i] : 0)) * s_in;
        b[i] = 0.1 * nrand();
        if (fabs(g[i]) > gmax)
            gmax = fabs(g[i]);
    }
    double s_g = gmax / 32767.0;
    for (int i = 0; i < n; i++)
        r->gamma[i] = at_quant16(g[i], s_g);
    at_ref_layernorm(v, n, g, b, eps, y);
    double ymax = 1e-3;
    for (int i = 0; i < n; i++)
        if (fabs(y[i]) > ymax)
            ymax = fabs(y[i]);
    double s_out = 1.05 * ymax / 32767.0;
    for (int i = 0; i < n; i++)
        r->beta[i] = at_quant32(b[i], s_out);
    int rc = at_layernorm_params_make(n, s_in, s_g, s_out, eps, &r->p);
    CHECK(rc == 0, "at_layernorm_params_make: %d", rc);
    reference(r);
    return r;
}

/* Every field random over its whole range. */
static row *row_random(const char *what, int n, int res_en)
{
    row *r = row_new(what, n, res_en);
    int mode = (int)(rnd() % 3); /* full-range, small, or a few values */
    for (int i = 0; i < n; i++) {
        switch (mode) {
        case 0: r->x[i] = (int16_t)rnd(); r->res[i] = (int16_t)rnd(); break;
        case 1: r->x[i] = (int16_t)((int)(rnd() % 201) - 100); r->res[i] = (int16_t)((int)(rnd() % 9) - 4); break;
        default: r->x[i] = (rnd() & 1) ? 32767 : -32768; r->res[i] = (rnd() & 1) ? 32767 : -32768; break;
        }
        r->gamma[i] = (int16_t)rnd();
        r->beta[i] = (rnd() & 1) ? (int32_t)rnd() : (int32_t)((int)(rnd() % 20001) - 10000);
    }
    switch (rnd() % 4) {
    case 0: r->p.eps_q = 0; break;
    case 1: r->p.eps_q = (int64_t)(rnd() % (AT_LN_EPS_MAX + 1)); break;
    case 2: r->p.eps_q = AT_LN_EPS_MAX; break;
    default: r->p.eps_q = (int64_t)(rnd() % 100000); break;
    }
    r->p.out.m = (uint16_t)rnd();
    r->p.out.s = (uint8_t)(rnd() % 64);
    reference(r);
    return r;
}

static void run_and_free(row **rows, int count, stalls st)
{
    ln_unit *u = ln_unit_new();
    CHECK(u != NULL, "ln_unit_new");
    if (u)
        run_rows(u, rows, count, st);
    ln_unit_free(u);
    for (int i = 0; i < count; i++)
        free(rows[i]);
}

static long cycles_384, cycles_1024;

static void test_cycles(void)
{
    /* one row at a time, no stalls: cfg handshake to last output handshake */
    int ns[] = {1, 16, 17, 384, 1024};
    ln_unit *u = ln_unit_new();
    CHECK(u != NULL, "ln_unit_new");
    if (!u)
        return;
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        row *r = row_realistic("cycles", ns[k], 1, 1e-12);
        row *rows[1] = {r};
        run_rows(u, rows, 1, no_stalls);
        long c = r->t_done - r->t_cfg + 1;
        /* docs/rtl-layernorm.md: 2 ceil(n/W) + 67; n = 1 has V = 0 and here
         * eps_q = 0, so Ve = 0 skips the root and the division: 2 + 9 */
        long want = 2L * beats(ns[k]) + (ns[k] == 1 && r->p.eps_q == 0 ? 9 : 67);
        printf("  n=%4d: %ld cycles per row (cfg to last output beat)\n", ns[k], c);
        CHECK(c == want, "n=%d: %ld cycles, formula %ld", ns[k], c, want);
        if (ns[k] == 384)
            cycles_384 = c;
        if (ns[k] == 1024)
            cycles_1024 = c;
        free(r);
    }
    /* back to back without stalls: the next cfg is taken the cycle after
     * the last output beat, so the period equals the row's cycle count */
    row *rows[3];
    for (int i = 0; i < 3; i++)
        rows[i] = row_realistic("b2b", 384, 1, 1e-12);
    run_rows(u, rows, 3, no_stalls);
    long per = rows[2]->t_done - rows[1]->t_done;
    printf("  n= 384 back to back: %ld cycles per row\n", per);
    CHECK(per == 2L * beats(384) + 67, "back-to-back period %ld", per);
    for (int i = 0; i < 3; i++)
        free(rows[i]);
    ln_unit_free(u);
}

static void test_realistic(void)
{
    enum { R = 200 };
    row *rows[R];
    for (int i = 0; i < R; i++)
        rows[i] = row_realistic(i & 2 ? "real1024" : "real384", i & 2 ? 1024 : 384, i & 1, 1e-12);
    run_and_free(rows, R, some_stalls);
}

static void test_odd_n(void)
{
    int ns[] = {1, 2, 3, 15, 16, 17, 31, 33, 383, 385, 777, 1023, 1024};
    enum { R = 2 * (int)(sizeof ns / sizeof ns[0]) + 300 };
    row *rows[R];
    int c = 0;
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        rows[c++] = row_realistic("odd", ns[k], 0, 1e-5);
        rows[c++] = row_realistic("odd-res", ns[k], 1, 1e-12);
    }
    while (c < R) {
        int n = 1 + (int)(rnd() % MAXN);
        rows[c] = (c & 1) ? row_realistic("rand-n", n, (int)(rnd() & 1), 1e-12)
                          : row_random("rand-n-full", n, (int)(rnd() & 1));
        c++;
    }
    run_and_free(rows, R, some_stalls);
}

/* Constant rows give c = 0 for every element: y = sat16(beta) exactly. */
static void test_constant(void)
{
    int16_t vals[][2] = {{0, 0}, {5, 0}, {-7, 3}, {32767, 0}, {-32768, 0}, {32767, 32767},
                         {-32768, -32768}, {32767, -32768}, {1234, -4321}};
    enum { R = 2 * 9 };
    row *rows[R];
    int c = 0;
    for (int k = 0; k < 9; k++)
        for (int e = 0; e < 2; e++) {
            int n = e ? 1024 : 1 + (int)(rnd() % MAXN);
            row *r = row_new("constant", n, vals[k][1] != 0);
            for (int i = 0; i < n; i++) {
                r->x[i] = vals[k][0];
                r->res[i] = vals[k][1];
                r->gamma[i] = (int16_t)rnd();
                r->beta[i] = (i % 7 == 0) ? (int32_t)rnd() : (int32_t)((int)(rnd() % 65535) - 32767);
            }
            r->p.eps_q = e ? 0 : 1000;
            r->p.out.m = (uint16_t)rnd();
            r->p.out.s = (uint8_t)(rnd() % 64);
            reference(r);
            for (int i = 0; i < n; i++)
                CHECK(r->want[i] == at_sat16(r->beta[i]), "C model: constant row gives %d, beta %d",
                      r->want[i], r->beta[i]);
            rows[c++] = r;
        }
    run_and_free(rows, c, some_stalls);
}

/* Saturating and extreme rows: all +-32767/-32768 (with residual: v of
 * +-65534/-65536), one element apart in 1024 (the largest |z|), alternating
 * rows, gamma at +-32767/-32768, out (65535, 0..63), beta at the int32 ends. */
static void test_extremes(void)
{
    enum { R = 16 };
    row *rows[R];
    for (int k = 0; k < R; k++) {
        int n = (k & 4) ? 1024 : (k & 8) ? 1 + (int)(rnd() % MAXN) : 384;
        row *r = row_new("extreme", n, k & 1);
        int apart = (int)(rnd() % (unsigned)n);
        for (int i = 0; i < n; i++) {
            switch (k >> 1 & 1) {
            case 0: /* one element apart: the largest |z| */
                r->x[i] = i == apart ? 32767 : -32768;
                r->res[i] = i == apart ? 32767 : -32768;
                break;
            default: /* alternating / random extremes */
                r->x[i] = (i & 1) ? 32767 : -32768;
                r->res[i] = (rnd() & 1) ? 32767 : -32768;
                if (k & 8)
                    r->x[i] = (rnd() & 1) ? 32767 : -32768;
                break;
            }
            r->gamma[i] = (k & 2) ? ((i & 2) ? 32767 : -32768) : (int16_t)rnd();
            r->beta[i] = (i % 5 == 0) ? INT32_MAX : (i % 5 == 1) ? INT32_MIN : 0;
        }
        r->p.eps_q = 0;
        r->p.out.m = (k & 1) ? 65535 : 32768;
        r->p.out.s = (uint8_t)((k * 7) % 64);
        if (k == 0)
            r->p.out.s = 0;
        if (k == 3)
            r->p.out.s = 63;
        reference(r);
        rows[k] = r;
    }
    run_and_free(rows, R, some_stalls);
}

/* eps: 0 (also with zero variance: Ve = 0), the maximum 2^61 (output ~0
 * plus beta), larger than the variance, and random. */
static void test_eps(void)
{
    enum { R = 16 };
    row *rows[R];
    int64_t eps[] = {0, AT_LN_EPS_MAX, AT_LN_EPS_MAX - 1, INT64_C(1) << 40, 1, 255, 256};
    for (int k = 0; k < R; k++) {
        row *r = row_random("eps", k < 8 ? 384 : 1 + (int)(rnd() % MAXN), k & 1);
        r->p.eps_q = k < 7 ? eps[k] : (int64_t)(rnd() % (AT_LN_EPS_MAX + 1));
        if (k == 7) { /* Ve = 0: constant row and eps 0 */
            for (int i = 0; i < r->n; i++) {
                r->x[i] = -3;
                r->res[i] = 0;
            }
            r->p.eps_q = 0;
        }
        reference(r);
        rows[k] = r;
    }
    /* realistic scales with a big eps (eps >> var) and eps = 0 */
    rows[14] = row_realistic("eps-large", 384, 1, 1e3);
    rows[15] = row_realistic("eps-zero", 1024, 0, 0);
    run_and_free(rows, R, some_stalls);
}

/* A long stream of rows of different n and parameters, with stalls of
 * every kind, then heavier stalls, then none. */
static void test_back_to_back(void)
{
    enum { R = 400 };
    static row *rows[R];
    for (int i = 0; i < R; i++) {
        int n = (i % 5 == 0) ? 1024 : (i % 5 == 1) ? 1 : 1 + (int)(rnd() % MAXN);
        rows[i] = (i & 1) ? row_random("b2b-full", n, (int)(rnd() & 1))
                          : row_realistic("b2b", n, (int)(rnd() & 1), 1e-12);
    }
    ln_unit *u = ln_unit_new();
    CHECK(u != NULL, "ln_unit_new");
    if (u) {
        stalls heavy = {70, 70, 70, 70}, outonly = {0, 0, 0, 60};
        run_rows(u, rows, 150, some_stalls);
        run_rows(u, rows + 150, 80, heavy);
        run_rows(u, rows + 230, 80, outonly);
        run_rows(u, rows + 310, 90, no_stalls);
    }
    ln_unit_free(u);
    for (int i = 0; i < R; i++)
        free(rows[i]);
}

/* Reset in the middle of a row: idle afterwards, the next row is right. */
static void test_reset(void)
{
    ln_unit *u = ln_unit_new();
    CHECK(u != NULL, "ln_unit_new");
    if (!u)
        return;
    ln_unit_in in;
    ln_unit_out o;
    memset(&in, 0, sizeof in);
    in.cfg_valid = 1;
    in.n = 100;
    in.in_valid = 1;
    for (int i = 0; i < 5; i++) {
        ln_unit_set(u, &in);
        ln_unit_tick(u);
    }
    memset(&in, 0, sizeof in);
    ln_unit_set(u, &in);
    ln_unit_reset(u);
    ln_unit_get(u, &o);
    CHECK(o.cfg_ready && !o.busy && !o.out_valid && !o.in_ready && !o.par_ready,
          "after reset: cfg_ready %d busy %d out_valid %d in_ready %d par_ready %d", o.cfg_ready, o.busy,
          o.out_valid, o.in_ready, o.par_ready);
    row *rows[1] = {row_realistic("after-reset", 384, 1, 1e-12)};
    run_rows(u, rows, 1, some_stalls);
    free(rows[0]);
    ln_unit_free(u);
}

int main(void)
{
    seed_g = check_seed("layernorm_" TEST_CONFIG, seed_g);
    rng_g = seed_g ? seed_g : 1;
    RUN_CASE(test_cycles);
    RUN_CASE(test_realistic);
    RUN_CASE(test_odd_n);
    RUN_CASE(test_constant);
    RUN_CASE(test_extremes);
    RUN_CASE(test_eps);
    RUN_CASE(test_back_to_back);
    RUN_CASE(test_reset);
    printf("  cycles per row: n=384 %ld, n=1024 %ld\n", cycles_384, cycles_1024);
    return check_finish("layernorm_" TEST_CONFIG);
}
