/* Tests of the bit-exact integer numerics (common/numerics.c):
 * exact corner cases, exact agreement with wide-integer references, the
 * frozen ROMs against their float derivation, and error bounds against
 * float (the bounds stated in docs/numerics.md). Random cases use a fixed
 * seed, printed with every failure. Every intermediate of the model checks
 * its own stated bit width (it aborts otherwise), so the extreme inputs
 * here are also a test of those widths. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "at_error.h"
#include "check.h"
#include "numerics.h"
#include "rng.h"

#define SEED UINT64_C(0xACCE17A2)

__extension__ typedef __int128 i128;

/* floor(v / 2^s) of a 128-bit value */
static i128 floor_div_pow2(i128 v, unsigned s)
{
    i128 d = (i128)1 << s;
    i128 q = v / d;
    if (v % d != 0 && v < 0)
        q -= 1;
    return q;
}

static int64_t sat16_128(i128 v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int64_t)v;
}

/* Reference requant: floor((sat48(acc + bias) * m + 2^(s-1)) / 2^s), sat16,
 * in 128-bit arithmetic (acc first clamped to 48 bits, as the register). */
static int16_t requant_ref(int64_t acc, int32_t bias, at_rq rq)
{
    i128 x = acc;
    i128 lo = -((i128)1 << 47), hi = ((i128)1 << 47) - 1;
    x = x < lo ? lo : x > hi ? hi : x;
    x += bias;
    x = x < lo ? lo : x > hi ? hi : x;
    i128 p = x * rq.m;
    if (rq.s > 0)
        p += (i128)1 << (rq.s - 1);
    return (int16_t)sat16_128(floor_div_pow2(p, rq.s));
}

/* ================================================================ requant */

static void test_rshift_round(void)
{
    struct { int64_t x; unsigned s; int64_t want; } c[] = {
        {5, 1, 3},   {-5, 1, -2}, {3, 1, 2},   {-3, 1, -1}, {1, 1, 1},
        {-1, 1, 0},  {7, 0, 7},   {-7, 0, -7}, {6, 2, 2},   {-6, 2, -1},
        {-10, 2, -2}, {10, 2, 3}, {-1, 63, 0},
        {INT64_MAX, 63, 1},       {INT64_MIN, 63, -1},
        {INT64_MAX, 1, INT64_C(1) << 62}, {INT64_MIN, 1, -(INT64_C(1) << 62)},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int64_t got = at_rshift_round(c[i].x, c[i].s);
        CHECK(got == c[i].want, "rshift_round(%lld, %u) = %lld, want %lld",
              (long long)c[i].x, c[i].s, (long long)got, (long long)c[i].want);
    }
    rng_state = SEED;
    for (int i = 0; i < 200000; i++) {
        int64_t x = (int64_t)rng_next();
        unsigned s = (unsigned)(rng_next() % 64);
        i128 want = floor_div_pow2((i128)x + (s ? ((i128)1 << (s - 1)) : 0), s);
        int64_t got = at_rshift_round(x, s);
        CHECK(got == (int64_t)want, "seed %#llx i %d: rshift_round(%lld, %u) = %lld, want %lld",
              (unsigned long long)SEED, i, (long long)x, s, (long long)got,
              (long long)want);
        if (check_g.case_failed)
            return;
    }
}

static void test_requant_corners(void)
{
    struct { int64_t acc; int32_t bias; uint16_t m; uint8_t s; int16_t want; } c[] = {
        /* S = 0: plain product, saturated */
        {5, 0, 3, 0, 15},
        {-5, 0, 3, 0, -15},
        {32767, 0, 1, 0, 32767},
        {32768, 0, 1, 0, 32767},
        {-32768, 0, 1, 0, -32768},
        {-32769, 0, 1, 0, -32768},
        /* ties round half up */
        {3, 0, 1, 1, 2},
        {-3, 0, 1, 1, -1},
        {1, 0, 1, 1, 1},
        {-1, 0, 1, 1, 0},
        /* rounding to the saturation limits: 32767.5 -> 32768 -> 32767;
         * -32768.5 -> -32768 (half up); -32768.5 - 2^-16 -> -32769 -> sat */
        {65535, 0, 1, 1, 32767},
        {-65537, 0, 1, 1, -32768},
        {-65538, 0, 1, 1, -32768},
        {-65536, 0, 1, 1, -32768},
        /* M max */
        {32767, 0, 65535, 16, 32767}, /* 32766.5 -> 32767 */
        {-32768, 0, 65535, 16, -32767}, /* -32767.5 -> -32767 */
        {1000, 0, 65535, 0, 32767},
        {-1000, 0, 65535, 0, -32768},
        /* accumulator at the 48-bit limits */
        {AT_ACC_MAX, 0, 65535, 63, 1},
        {AT_ACC_MIN, 0, 65535, 63, -1},
        {AT_ACC_MIN, 0, 65535, 48, -32767}, /* exactly -32767.5 */
        {AT_ACC_MAX, 0, 65535, 47, 32767},
        {AT_ACC_MIN, 0, 65535, 47, -32768},
        {AT_ACC_MAX, 0, 16384, 62, 0}, /* just below 0.5 */
        {AT_ACC_MAX, 1, 16384, 62, 0}, /* acc + bias saturates to 48 bits */
        {AT_ACC_MIN, 0, 16384, 62, 0}, /* exactly -0.5 -> 0 */
        {AT_ACC_MIN, 0, 49152, 62, -1}, /* exactly -1.5 -> -1 */
        {AT_ACC_MIN + 1, 0, 49152, 62, -1}, /* just above -1.5 */
        {AT_ACC_MAX, 0, 32768, 62, 1}, /* 1 - 2^-47 */
        /* beyond 48 bits: clamped like the register */
        {INT64_MAX, 0, 1, 47, 1},
        {INT64_MIN, 0, 1, 47, -1},
        {AT_ACC_MAX, INT32_MAX, 1, 47, 1},
        {AT_ACC_MIN, INT32_MIN, 1, 47, -1},
        /* bias in the accumulator domain */
        {1000, -1000, 40000, 10, 0},
        {0, 1 << 20, 32768, 20, 32767},
        {0, -(1 << 20), 32768, 21, -16384},
        /* M = 0 */
        {AT_ACC_MAX, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        at_rq rq = {c[i].m, c[i].s};
        int16_t got = at_requant(c[i].acc, c[i].bias, rq);
        int16_t ref = requant_ref(c[i].acc, c[i].bias, rq);
        CHECK(got == c[i].want && ref == c[i].want,
              "case %zu: requant(acc %lld, bias %d, m %u, s %u) = %d, ref %d, want %d",
              i, (long long)c[i].acc, c[i].bias, c[i].m, c[i].s, got, ref,
              c[i].want);
    }
}

static void test_requant_random_exact(void)
{
    rng_state = SEED + 1;
    for (int i = 0; i < 300000; i++) {
        int bits = (int)(rng_next() % 48) + 1;
        int64_t acc = rand_range(-(INT64_C(1) << (bits - 1)), (INT64_C(1) << (bits - 1)) - 1);
        int32_t bias = (int32_t)(rng_next() >> 32) >> (rng_next() % 32);
        at_rq rq = {(uint16_t)rng_next(), (uint8_t)(rng_next() % 64)};
        int16_t got = at_requant(acc, bias, rq);
        int16_t want = requant_ref(acc, bias, rq);
        CHECK(got == want, "seed %#llx i %d: requant(%lld, %d, m %u, s %u) = %d, want %d",
              (unsigned long long)(SEED + 1), i, (long long)acc, bias, rq.m,
              rq.s, got, want);
        if (check_g.case_failed)
            return;
    }
}

static void test_rq_from_ratio(void)
{
    at_rq rq;
    CHECK(at_rq_from_ratio(1.0, &rq) == 0 && rq.m == 32768 && rq.s == 15,
          "ratio 1 -> m %u s %u", rq.m, rq.s);
    CHECK(at_rq_from_ratio(0.0, &rq) == 0 && rq.m == 0, "ratio 0 -> m %u", rq.m);
    CHECK(at_rq_from_ratio(-1.0, &rq) == 0 && rq.m == 0, "ratio -1 -> m %u", rq.m);
    CHECK(at_rq_from_ratio(65536.0, &rq) == AT_ERANGE && rq.m == 65535 && rq.s == 0,
          "ratio 2^16 -> m %u s %u", rq.m, rq.s);
    CHECK(at_rq_from_ratio(NAN, &rq) == AT_ERANGE, "NaN accepted");
    CHECK(at_rq_from_ratio(65535.4, &rq) == 0 && rq.m == 65535 && rq.s == 0,
          "ratio 65535.4 -> m %u s %u", rq.m, rq.s);
    CHECK(at_rq_from_ratio(65535.6, &rq) == AT_ERANGE, "65535.6 -> m %u s %u", rq.m, rq.s);
    CHECK(at_rq_from_ratio(0x1p-60, &rq) == 0 && rq.s == 63 && rq.m == 8,
          "ratio 2^-60 -> m %u s %u", rq.m, rq.s);
    /* 1 - 2^-18 rounds up to 2^16 at s = 16: renormalised */
    CHECK(at_rq_from_ratio(1.0 - 0x1p-18, &rq) == 0 && rq.m == 32768 && rq.s == 15,
          "ratio 1-2^-18 -> m %u s %u", rq.m, rq.s);
    rng_state = SEED + 2;
    for (int i = 0; i < 100000; i++) {
        double r = exp2(uniform(-48, 16));
        if (r >= 65535.5)
            continue;
        int rc = at_rq_from_ratio(r, &rq);
        double rel = fabs(at_rq_ratio(rq) - r) / r;
        CHECK(rc == 0 && rq.m >= 32768 && rq.s <= 63 && rel <= 0x1p-16,
              "seed %#llx: ratio %.17g -> rc %d m %u s %u rel err %.3g",
              (unsigned long long)(SEED + 2), r, rc, rq.m, rq.s, rel);
        if (check_g.case_failed)
            return;
    }
}

/* |y - r (acc + bias)| <= 1/2 + |r (acc + bias)| 2^-16 (output LSB) when
 * the helper picked (m, s) and the output does not saturate. */
static void test_requant_vs_float(void)
{
    rng_state = SEED + 3;
    double worst = 0;
    for (int i = 0; i < 300000; i++) {
        double r = exp2(uniform(-40, 8));
        at_rq rq;
        at_rq_from_ratio(r, &rq);
        double yr = gauss() * 10000.0;
        double accd = yr / r;
        if (fabs(accd) > 0x1p46)
            continue;
        int64_t acc = (int64_t)llround(accd);
        int32_t bias = (int32_t)llround(fmax(fmin(gauss() * 300.0 / r, 2e9), -2e9));
        double ref = ((double)acc + bias) * r;
        if (fabs(ref) > 32767)
            continue;
        int16_t y = at_requant(acc, bias, rq);
        double err = fabs(y - ref), bound = 0.5 + fabs(ref) * 0x1p-16 + 1e-9;
        if (err > worst)
            worst = err;
        CHECK(err <= bound, "seed %#llx i %d: acc %lld bias %d r %.10g: y %d, float %.6f, "
              "err %.4f > bound %.4f", (unsigned long long)(SEED + 3), i,
              (long long)acc, bias, r, y, ref, err, bound);
        if (check_g.case_failed)
            return;
    }
    CHECK(worst < 1.0, "worst requant error %.4f LSB", worst);
}

/* ================================================================ DynaTran */

static int popcount_bits(const uint8_t *m, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += (m[i >> 3] >> (i & 7)) & 1;
    return c;
}

static void test_dynatran(void)
{
    int16_t y[37], y0[37];
    uint8_t mask[5];
    rng_state = SEED + 4;
    for (int i = 0; i < 37; i++)
        y0[i] = (int16_t)rand_range(-3, 3);
    y0[5] = -32768;
    y0[6] = 32767;
    /* tau = 0: only zeros pruned */
    memcpy(y, y0, sizeof y);
    memset(mask, 0xAA, sizeof mask);
    int zeros = 0;
    for (int i = 0; i < 37; i++)
        zeros += y0[i] == 0;
    int pr = at_dynatran_row(y, 37, 0, mask);
    CHECK(pr == zeros, "tau 0 pruned %d, zeros %d", pr, zeros);
    for (int i = 0; i < 37; i++) {
        int bit = (mask[i >> 3] >> (i & 7)) & 1;
        CHECK(y[i] == y0[i] && bit == (y0[i] != 0), "tau 0 i %d: y %d (in %d) bit %d",
              i, y[i], y0[i], bit);
    }
    CHECK((mask[4] >> 5) == 0, "tail bits of the last mask byte %#x", mask[4]);
    /* tau = 2 */
    memcpy(y, y0, sizeof y);
    pr = at_dynatran_row(y, 37, 2, mask);
    int want = 0;
    for (int i = 0; i < 37; i++) {
        int keep = y0[i] < -2 || y0[i] > 2;
        want += !keep;
        int bit = (mask[i >> 3] >> (i & 7)) & 1;
        CHECK(bit == keep && y[i] == (keep ? y0[i] : 0), "tau 2 i %d: in %d out %d bit %d",
              i, y0[i], y[i], bit);
    }
    CHECK(pr == want && pr == 37 - popcount_bits(mask, 37), "tau 2 pruned %d want %d", pr, want);
    /* tau = 32767: all pruned except -32768 (|-32768| = 32768 > tau) */
    memcpy(y, y0, sizeof y);
    pr = at_dynatran_row(y, 37, 32767, mask);
    CHECK(pr == 36 && y[5] == -32768 && popcount_bits(mask, 37) == 1 &&
              (mask[0] >> 5 & 1), "tau 32767: pruned %d y[5] %d", pr, y[5]);
    for (int i = 0; i < 37; i++)
        if (i != 5)
            CHECK(y[i] == 0, "tau 32767 i %d: %d", i, y[i]);
    /* all pruned */
    for (int i = 0; i < 37; i++)
        y[i] = (int16_t)rand_range(-100, 100);
    memset(mask, 0xFF, sizeof mask);
    pr = at_dynatran_row(y, 37, 100, mask);
    CHECK(pr == 37 && popcount_bits(mask, 37) == 0 && mask[4] == 0, "all: pruned %d", pr);
    for (int i = 0; i < 37; i++)
        CHECK(y[i] == 0, "all pruned: y[%d] = %d", i, y[i]);
    /* none pruned */
    for (int i = 0; i < 37; i++)
        y[i] = (int16_t)(i % 2 ? 100 + i : -100 - i);
    pr = at_dynatran_row(y, 37, 99, mask);
    CHECK(pr == 0 && popcount_bits(mask, 37) == 37, "none: pruned %d", pr);
    /* the boundary |y| == tau is pruned, tau + 1 kept */
    int16_t b[4] = {50, -50, 51, -51};
    pr = at_dynatran_row(b, 4, 50, mask);
    CHECK(pr == 2 && b[0] == 0 && b[1] == 0 && b[2] == 51 && b[3] == -51 &&
              (mask[0] & 0xF) == 0xC, "boundary: pruned %d mask %#x", pr, mask[0]);
    /* NULL mask, n = 0, bad tau */
    CHECK(at_dynatran_row(b, 4, 0, NULL) == 2, "NULL mask");
    CHECK(at_dynatran_row(b, 0, 0, mask) == 0, "n 0");
    CHECK(at_dynatran_row(b, 4, -1, mask) == AT_EINVAL, "tau -1 accepted");
}

static void test_postproc_row(void)
{
    enum { N = 200 };
    int64_t acc[N];
    int32_t bias[N];
    at_rq rq[N];
    int16_t y[N];
    uint8_t mask[(N + 7) / 8];
    rng_state = SEED + 5;
    for (int round = 0; round < 40; round++) {
        double s_y = 8.0 / 32767;
        for (int j = 0; j < N; j++) {
            double r = exp2(uniform(-24, -12));
            at_rq_from_ratio(r, &rq[j]);
            acc[j] = (int64_t)llround(gauss() * 2.0 / s_y / r);
            bias[j] = (int32_t)llround(gauss() * 0.3 / s_y / r);
        }
        at_postproc p = {.rq = rq, .per_channel = round & 1, .gelu = (round >> 1) & 1,
                         .tau = (int16_t)(round % 5 == 0 ? 0 : rand_range(1, 3000))};
        at_gelu_params_make(s_y, 10.0 / 32767, &p.gelu_p);
        int pr = at_postproc_row(acc, round & 2 ? bias : NULL, N, &p, y, mask);
        int want_pr = 0;
        for (int j = 0; j < N; j++) {
            int16_t v = at_requant(acc[j], round & 2 ? bias[j] : 0, rq[p.per_channel ? j : 0]);
            if (p.gelu)
                v = at_gelu(v, &p.gelu_p);
            int keep = v > p.tau || v < -p.tau;
            if (!keep) {
                v = 0;
                want_pr++;
            }
            int bit = (mask[j >> 3] >> (j & 7)) & 1;
            CHECK(y[j] == v && bit == keep, "seed %#llx round %d j %d: y %d want %d bit %d",
                  (unsigned long long)(SEED + 5), round, j, y[j], v, bit);
        }
        CHECK(pr == want_pr, "round %d: pruned %d want %d", round, pr, want_pr);
        if (check_g.case_failed)
            return;
    }
}

/* ================================================================ GELU */

/* Stated bound (docs/numerics.md), real units, for input x (real) and
 * parameters from the helper:
 *   1.13 (2^-17 + |x| 2^-16) + 1.14e-4 + s_out/2 + |gelu(x)| 2^-16 */
static double gelu_bound(double x, double s_out)
{
    return 1.13 * (0x1p-17 + fabs(x) * 0x1p-16) + 1.14e-4 + 0.5 * s_out +
           fabs(at_ref_gelu(x)) * 0x1p-16 + 1e-12;
}

static void test_gelu_lut(void)
{
    for (int i = 0; i <= AT_GELU_LUT_SEGMENTS; i++) {
        double t = i / 32.0;
        double h = t * 0.5 * erfc(t / sqrt(2.0)) * 65536.0;
        CHECK(fabs(at_gelu_lut[i] - h) <= 0.5 + 1e-6, "LUT[%d] = %u, float %.4f", i,
              at_gelu_lut[i], h);
    }
}

static void gelu_sweep(double s_in, double s_out, int check_bound)
{
    at_gelu_params gp;
    int rc = at_gelu_params_make(s_in, s_out, &gp);
    CHECK(rc == 0, "params s_in %g s_out %g rc %d", s_in, s_out, rc);
    int16_t prev = 0;
    const double xmin = -0.7517916; /* argmin of GELU */
    double worst = 0;
    for (int32_t q = INT16_MIN; q <= INT16_MAX; q++) {
        int16_t y = at_gelu((int16_t)q, &gp);
        double x = q * s_in, ref = at_ref_gelu(x);
        double clamped = fmax(fmin(ref / s_out, 32767), -32768);
        if (check_bound && fabs(ref / s_out) < 32767) {
            double err = fabs(y * s_out - ref), b = gelu_bound(x, s_out);
            if (err / b > worst)
                worst = err / b;
            CHECK(err <= b, "s_in %g s_out %g q %d (x %.6f): y %d (%.6g), float %.6g, err %.3g > %.3g",
                  s_in, s_out, q, x, y, y * s_out, ref, err, b);
        }
        if (fabs(clamped) >= 32767)
            CHECK(fabs(y - clamped) <= 1, "saturation: q %d y %d float/s_out %.2f", q, y,
                  ref / s_out);
        /* monotone where float is: non-increasing below the minimum,
         * non-decreasing above (a margin of 0.02 around it) */
        if (q > INT16_MIN) {
            double xp = (q - 1) * s_in;
            if (x <= xmin - 0.02)
                CHECK(y <= prev, "not non-increasing at q %d: %d after %d", q, y, prev);
            if (xp >= xmin + 0.02)
                CHECK(y >= prev, "not non-decreasing at q %d: %d after %d", q, y, prev);
        }
        prev = y;
        if (check_g.case_failed)
            return;
    }
    CHECK(at_gelu(0, &gp) == 0, "gelu(0) = %d", at_gelu(0, &gp));
}

static void test_gelu(void)
{
    gelu_sweep(10.0 / 32767, 10.0 / 32767, 1);  /* FFN pre-activations */
    gelu_sweep(20.0 / 32767, 10.0 / 32767, 1);  /* output saturates above 10 */
    gelu_sweep(4.0 / 32767, 0.2 / 32767, 1);    /* output saturates both ways */
    gelu_sweep(1e-5, 1e-5, 1);                  /* fine input: |x| < 0.33 */
    gelu_sweep(0.9, 0.9, 1);                    /* coarse input */
    gelu_sweep(0.9, 1e-4, 1);                   /* extremes saturate */
    /* extremes: large positive saturates, large negative gives 0 */
    at_gelu_params gp;
    at_gelu_params_make(10.0 / 32767, 1.0 / 32767, &gp);
    CHECK(at_gelu(32767, &gp) == 32767, "gelu(max) = %d", at_gelu(32767, &gp));
    CHECK(at_gelu(-32768, &gp) == 0, "gelu(min) = %d", at_gelu(-32768, &gp));
    CHECK(at_gelu_params_make(1.0, 1.0, &gp) == AT_ERANGE, "s_in 1 accepted");
    CHECK(at_gelu_params_make(0.0, 1.0, &gp) == AT_EINVAL, "s_in 0 accepted");
    /* the largest t: |x| = 32768 with m = 65535, s = 0 */
    gp.in = (at_rq){65535, 0};
    gp.out = (at_rq){1, 0};
    CHECK(at_gelu(-32768, &gp) == 0 && at_gelu(32767, &gp) == 32767, "max t");
}

/* ================================================================ softmax */

static void test_exp2_stage(void)
{
    /* P(f) vs 2^-f over all 65536 fractions: stated bound 5.3e-6
     * (interpolation 5.2e-6, coefficient rounding and floors 2^-26) */
    double worst = 0;
    uint32_t prev = UINT32_MAX;
    for (uint32_t f = 0; f < 65536; f++) {
        uint32_t e = at_exp2_neg_q16(f);
        double want = exp2(-(double)f / 65536.0) * 67108864.0;
        double err = fabs(e - want);
        if (err > worst)
            worst = err;
        CHECK(e <= prev, "exp2 not non-increasing at f %u: %u after %u", f, e, prev);
        prev = e;
        if (check_g.case_failed)
            return;
    }
    CHECK(worst <= 5.3e-6 * 67108864.0, "exp2 polynomial max error %.3g", worst / 67108864.0);
    CHECK(at_exp2_neg_q16(0) == (1u << 26), "exp2(0) = %u", at_exp2_neg_q16(0));
    CHECK(at_exp2_neg_q16(1u << 16) == (1u << 25), "exp2(-1) = %u", at_exp2_neg_q16(1u << 16));
    CHECK(at_exp2_neg_q16(27u << 16) == 1 && at_exp2_neg_q16((27u << 16) + 1) == 0 &&
              at_exp2_neg_q16(28u << 16) == 0 && at_exp2_neg_q16(UINT32_MAX) == 0,
          "exp2 tail: %u %u", at_exp2_neg_q16(27u << 16), at_exp2_neg_q16((27u << 16) + 1));
    /* with a shift: rounding of P >> z */
    rng_state = SEED + 6;
    for (int i = 0; i < 100000; i++) {
        uint32_t u = (uint32_t)rng_next() % (34u << 16);
        uint32_t z = u >> 16;
        uint32_t P = at_exp2_neg_q16(u & 0xFFFF);
        uint32_t want = z >= 28 ? 0 : z == 0 ? P : (uint32_t)((P + (1u << (z - 1))) >> z);
        CHECK(at_exp2_neg_q16(u) == want, "u %#x: %u want %u", u, at_exp2_neg_q16(u), want);
        if (check_g.case_failed)
            return;
    }
}

static void test_exp2_coeffs(void)
{
    /* re-derive: quadratic through 2^-(j/8 + t) at t = 0, 1/16, 1/8, Q26 */
    const double h = 1.0 / 8;
    for (int j = 0; j < 8; j++) {
        double f0 = j / 8.0;
        double g0 = exp2(-f0), g1 = exp2(-(f0 + h / 2)), g2 = exp2(-(f0 + h));
        double b = 2 * (g0 - 2 * g1 + g2) / (h * h);
        double a = (g2 - g0 - b * h * h) / h;
        double want[3] = {g0 * 67108864.0, a * 67108864.0, b * 67108864.0};
        for (int k = 0; k < 3; k++)
            CHECK(fabs(at_exp2_poly[j][k] - want[k]) <= 0.5 + 1e-6,
                  "c%d[%d] = %d, float %.4f", k, j, at_exp2_poly[j][k], want[k]);
    }
}

static void test_recip_isqrt(void)
{
    rng_state = SEED + 7;
    for (int i = 0; i < 200000; i++) {
        uint64_t sum = (1u << 26) + rng_next() % ((UINT64_C(1) << 35) - (1u << 26) + 1);
        if (i == 0)
            sum = 1u << 26;
        if (i == 1)
            sum = UINT64_C(1) << 35;
        uint64_t r = at_recip_div(52, sum, 27);
        CHECK(r == (UINT64_C(1) << 52) / sum, "recip(%llu) = %llu", (unsigned long long)sum,
              (unsigned long long)r);
        uint64_t sq = (UINT64_C(1) << 30) + rng_next() % (UINT64_C(1) << 30);
        uint64_t rs = at_recip_div(55, sq, 26);
        CHECK(rs == (UINT64_C(1) << 55) / sq, "recip55(%llu) = %llu", (unsigned long long)sq,
              (unsigned long long)rs);
        uint64_t N = rng_next() >> (2 + rng_next() % 60);
        if (i == 2)
            N = (UINT64_C(1) << 62) - 1;
        uint64_t root = at_isqrt62(N);
        CHECK(root * root <= N && (root + 1) * (root + 1) > N, "isqrt(%llu) = %llu",
              (unsigned long long)N, (unsigned long long)root);
        if (check_g.case_failed)
            return;
    }
}

/* Stated bound (docs/numerics.md): 4 LSB of 2^-15 for any row. */
#define SOFTMAX_BOUND (4.0 / 32768.0)

static void softmax_check_row(const int16_t *q, int n, int len, double s, const char *what,
                              double *worst)
{
    at_softmax_params sp;
    int16_t y[AT_SOFTMAX_MAX_LEN];
    double xd[AT_SOFTMAX_MAX_LEN], ref[AT_SOFTMAX_MAX_LEN];
    CHECK(at_softmax_params_make(s, &sp) == 0, "%s: params", what);
    for (int i = 0; i < n; i++)
        y[i] = 12345; /* garbage that must be overwritten */
    CHECK(at_softmax_row(q, n, len, &sp, y) == 0, "%s: rc", what);
    for (int i = 0; i < n; i++)
        xd[i] = q[i] * s;
    at_ref_softmax(xd, n, len, ref);
    long sum = 0;
    for (int i = 0; i < n; i++) {
        double err = fabs(y[i] / 32768.0 - ref[i]);
        if (err > *worst)
            *worst = err;
        if (i >= len)
            CHECK(y[i] == 0, "%s: column %d past len %d = %d", what, i, len, y[i]);
        else
            CHECK(err <= SOFTMAX_BOUND && y[i] >= 0,
                  "%s: len %d col %d: y %d (%.7f), float %.7f, err %.3g LSB", what, len, i,
                  y[i], y[i] / 32768.0, ref[i], err * 32768);
        sum += y[i];
        if (check_g.case_failed)
            return;
    }
    /* every probability is rounded to the nearest 2^-15: the row sum is
     * within len/2 + 2 of 32768 */
    CHECK(labs(sum - 32768) <= len / 2 + 2, "%s: len %d row sum %ld", what, len, sum);
}

static void test_softmax_corners(void)
{
    int16_t q[AT_SOFTMAX_MAX_LEN], y[AT_SOFTMAX_MAX_LEN];
    double worst = 0;
    at_softmax_params sp;
    at_softmax_params_make(20.0 / 32767, &sp);
    /* len 1 */
    for (int i = 0; i < 64; i++)
        q[i] = (int16_t)(i * 100 - 3000);
    at_softmax_row(q, 64, 1, &sp, y);
    CHECK(y[0] == 32767, "len 1: y[0] = %d", y[0]);
    for (int i = 1; i < 64; i++)
        CHECK(y[i] == 0, "len 1: y[%d] = %d", i, y[i]);
    softmax_check_row(q, 64, 1, 20.0 / 32767, "len 1", &worst);
    /* equal values -> uniform, for every len */
    for (int len = 1; len <= AT_SOFTMAX_MAX_LEN; len++) {
        for (int i = 0; i < AT_SOFTMAX_MAX_LEN; i++)
            q[i] = (int16_t)(i < len ? -1234 : 32767);
        at_softmax_row(q, AT_SOFTMAX_MAX_LEN, len, &sp, y);
        double want = 32768.0 / len;
        for (int i = 0; i < len; i++)
            CHECK(y[i] == y[0] && fabs(y[i] - want) <= 1.0, "uniform len %d: y[%d] = %d, want %.2f",
                  len, i, y[i], want);
        for (int i = len; i < AT_SOFTMAX_MAX_LEN; i++)
            CHECK(y[i] == 0, "uniform len %d: y[%d] = %d", len, i, y[i]);
        if (check_g.case_failed)
            return;
    }
    /* very negative scores, coarse scale: no overflow, sums near 1 */
    for (int i = 0; i < AT_SOFTMAX_MAX_LEN; i++)
        q[i] = -32768;
    softmax_check_row(q, AT_SOFTMAX_MAX_LEN, AT_SOFTMAX_MAX_LEN, 0.6, "all -32768", &worst);
    q[17] = 32767;
    softmax_check_row(q, AT_SOFTMAX_MAX_LEN, AT_SOFTMAX_MAX_LEN, 0.6, "one max", &worst);
    at_softmax_params coarse;
    at_softmax_params_make(0.6, &coarse);
    at_softmax_row(q, AT_SOFTMAX_MAX_LEN, AT_SOFTMAX_MAX_LEN, &coarse, y);
    CHECK(y[17] == 32767 && y[0] == 0 && y[511] == 0, "one max: %d %d %d", y[17], y[0], y[511]);
    for (int i = 0; i < AT_SOFTMAX_MAX_LEN; i++)
        q[i] = (int16_t)(i % 2 ? -32768 : -32767);
    softmax_check_row(q, AT_SOFTMAX_MAX_LEN, 300, 1e-3, "alternating", &worst);
    /* the largest u: d = 65535 with m = 65535, s = 0 (tail is 0) */
    sp.in = (at_rq){65535, 0};
    q[0] = 32767;
    q[1] = -32768;
    at_softmax_row(q, 2, 2, &sp, y);
    CHECK(y[0] == 32767 && y[1] == 0, "max u: %d %d", y[0], y[1]);
    /* invalid */
    CHECK(at_softmax_row(q, 10, 0, &sp, y) == AT_EINVAL, "len 0 accepted");
    CHECK(at_softmax_row(q, 10, 11, &sp, y) == AT_EINVAL, "len > n accepted");
    CHECK(at_softmax_row(q, 513, 5, &sp, y) == AT_EINVAL, "n 513 accepted");
    CHECK(at_softmax_params_make(0.7, &sp) == AT_ERANGE, "s_in 0.7 accepted");
}

/* Two-level rows (one score above len-1 equal ones) are the worst case of
 * the analysis: the errors of the equal tail elements all point the same
 * way, and the temperature error p (1 - p) D peaks there. */
static void test_softmax_two_level(void)
{
    int16_t q[AT_SOFTMAX_MAX_LEN];
    double worst = 0;
    char what[64];
    for (int si = 0; si < 160; si += 7) {
        double s = 1e-4 * pow(1.04, si);
        for (int len = 2; len <= AT_SOFTMAX_MAX_LEN; len *= 4) {
            for (int gap = 0; gap < 32767; gap += 1 + gap / 20) {
                for (int i = 0; i < len; i++)
                    q[i] = (int16_t)(i == len / 2 ? 0 : -gap);
                snprintf(what, sizeof what, "two-level s %.4g gap %d", s, gap);
                softmax_check_row(q, len, len, s, what, &worst);
                if (check_g.case_failed)
                    return;
            }
        }
    }
    printf("  softmax two-level rows: max error %.3f LSB (bound %.1f)\n", worst * 32768,
           SOFTMAX_BOUND * 32768);
}

static void test_softmax_random(void)
{
    int16_t q[AT_SOFTMAX_MAX_LEN];
    double worst = 0;
    char what[64];
    rng_state = SEED + 8;
    for (int row = 0; row < 20000; row++) {
        int len = row < 20 ? AT_SOFTMAX_MAX_LEN : 1 + (int)(rng_next() % AT_SOFTMAX_MAX_LEN);
        int n = len + (int)(rng_next() % (AT_SOFTMAX_MAX_LEN - len + 1));
        double sigma = uniform(0.5, 6), range = uniform(5, 40);
        double s = range / 32767;
        for (int i = 0; i < n; i++)
            q[i] = at_quant16(fmax(fmin(gauss() * sigma, range), -range), s);
        if (row % 3 == 0)
            q[rng_next() % (uint64_t)len] = at_quant16(range, s); /* a peak */
        snprintf(what, sizeof what, "seed %#llx row %d", (unsigned long long)(SEED + 8), row);
        softmax_check_row(q, n, len, s, what, &worst);
        if (check_g.case_failed)
            return;
    }
    printf("  softmax random rows: max error %.3f LSB (bound %.1f)\n", worst * 32768,
           SOFTMAX_BOUND * 32768);
}

/* ================================================================ layer-norm */

/* Stated bound (docs/numerics.md), real units, element with normalised
 * value z, gamma g (float) and output y:
 *   |g| (|z| (2^-23 + 2^-10 / Ve) + 2^-16) + |z| s_g / 2 + s_out + |y| 2^-16
 * (Ve = n^2 (var + eps) / s_in^2) */
static void ln_case(int n, int residual, double sigma, int outliers, double eps,
                    const char *what, double *worst_lsb)
{
    int16_t x[AT_LN_MAX_N], r[AT_LN_MAX_N], gq[AT_LN_MAX_N], y[AT_LN_MAX_N];
    int32_t bq[AT_LN_MAX_N];
    double g[AT_LN_MAX_N], b[AT_LN_MAX_N], v[AT_LN_MAX_N], ref[AT_LN_MAX_N];
    const double s_in = 64.0 / 32767;
    double gmax = 0;
    if (n < 1 || n > AT_LN_MAX_N)
        return;
    for (int i = 0; i < n; i++) {
        x[i] = at_quant16(fmax(fmin(gauss() * sigma, 60), -60), s_in);
        r[i] = residual ? at_quant16(gauss(), s_in) : 0;
        g[i] = 1.0 + 0.3 * gauss();
        b[i] = 0.1 * gauss();
        if (fabs(g[i]) > gmax)
            gmax = fabs(g[i]);
    }
    for (int k = 0; k < outliers; k++)
        x[rng_next() % (uint64_t)n] = at_quant16((k & 1 ? -1 : 1) * uniform(30, 50), s_in);
    for (int i = 0; i < n; i++)
        v[i] = ((double)x[i] + r[i]) * s_in;
    at_ref_layernorm(v, n, g, b, eps, ref);
    double ymax = 0;
    for (int i = 0; i < n; i++)
        ymax = fmax(ymax, fabs(ref[i]));
    const double s_g = gmax / 32767, s_out = 1.05 * ymax / 32767;
    at_layernorm_params lp;
    CHECK(at_layernorm_params_make(n, s_in, s_g, s_out, eps, &lp) == 0, "%s: params", what);
    for (int i = 0; i < n; i++) {
        gq[i] = at_quant16(g[i], s_g);
        bq[i] = at_quant32(b[i], s_out);
    }
    CHECK(at_layernorm_row(x, residual ? r : NULL, n, gq, bq, &lp, y) == 0, "%s: rc", what);
    /* z and Ve from the float side, for the bound */
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++)
        mean += v[i];
    mean /= n;
    for (int i = 0; i < n; i++)
        var += (v[i] - mean) * (v[i] - mean);
    var /= n;
    double Ve = (double)n * n * (var + eps) / (s_in * s_in);
    for (int i = 0; i < n; i++) {
        double z = (v[i] - mean) / sqrt(var + eps);
        double bound = fabs(g[i]) * (fabs(z) * (0x1p-23 + 0x1p-10 / Ve) + 0x1p-16) +
                       fabs(z) * s_g / 2 + s_out + fabs(ref[i]) * 0x1p-16 + 1e-12;
        double err = fabs(y[i] * s_out - ref[i]);
        if (err / s_out > *worst_lsb)
            *worst_lsb = err / s_out;
        CHECK(err <= bound, "%s i %d: y %d (%.6f), float %.6f, err %.3g > bound %.3g (z %.3f)",
              what, i, y[i], y[i] * s_out, ref[i], err, bound, z);
        if (check_g.case_failed)
            return;
    }
}

static void test_layernorm_random(void)
{
    char what[96];
    double worst = 0;
    rng_state = SEED + 9;
    const int sizes[] = {384, 1024, 128, 1, 2, 3, 777};
    for (int t = 0; t < 1400; t++) {
        int n = sizes[t % 7];
        int residual = (t / 7) & 1;
        double sigma = uniform(0.05, 5);
        int outliers = (t / 14) % 5;
        double eps = t % 3 == 0 ? 1e-5 : 1e-12;
        snprintf(what, sizeof what, "seed %#llx case %d (n %d res %d sigma %.2f outl %d)",
                 (unsigned long long)(SEED + 9), t, n, residual, sigma, outliers);
        ln_case(n, residual, sigma, outliers, eps, what, &worst);
        if (check_g.case_failed)
            return;
    }
    printf("  layernorm random rows: max error %.3f output LSB\n", worst);
}

static void test_layernorm_corners(void)
{
    int16_t x[AT_LN_MAX_N], r[AT_LN_MAX_N], g[AT_LN_MAX_N], y[AT_LN_MAX_N];
    int32_t b[AT_LN_MAX_N];
    at_layernorm_params lp;
    rng_state = SEED + 10;
    for (int i = 0; i < AT_LN_MAX_N; i++) {
        g[i] = (int16_t)rand_range(-32768, 32767);
        b[i] = (int32_t)rand_range(-40000, 40000);
    }
    /* constant rows -> beta exactly (saturated to int16), any eps */
    const int16_t consts[] = {0, 1, -1, 32767, -32768, 1234};
    for (int c = 0; c < 6; c++) {
        for (int e = 0; e < 2; e++) {
            for (int n = 1; n <= AT_LN_MAX_N; n = n * 3 + 1) {
                at_layernorm_params_make(n, 1e-3, 1e-4, 1e-3, e ? 1e-5 : 0, &lp);
                for (int i = 0; i < n; i++) {
                    x[i] = consts[c];
                    r[i] = (int16_t)(c & 1 ? -consts[c] / 2 : consts[c]);
                }
                at_layernorm_row(x, c >= 3 ? r : NULL, n, g, b, &lp, y);
                for (int i = 0; i < n; i++)
                    CHECK(y[i] == at_sat16(b[i]), "constant %d n %d eps %d: y[%d] = %d, beta %d",
                          consts[c], n, e, i, y[i], b[i]);
            }
        }
    }
    /* the largest |z|: one element apart in a row of 1024, eps = 0:
     * z = sqrt(1023); gamma 1, output exact within 1 LSB */
    for (int sign = -1; sign <= 1; sign += 2) {
        for (int i = 0; i < AT_LN_MAX_N; i++) {
            x[i] = (int16_t)(sign > 0 ? -32768 : 32767);
            r[i] = (int16_t)(sign > 0 ? -32768 : 32767);
            g[i] = 16384; /* gamma 1.0 with s_g 2^-14 */
            b[i] = 0;
        }
        x[700] = (int16_t)(sign > 0 ? 32767 : -32768);
        r[700] = (int16_t)(sign > 0 ? 32767 : -32768);
        double s_out = 64.0 / 32767;
        at_layernorm_params_make(AT_LN_MAX_N, 1e-3, 0x1p-14, s_out, 0, &lp);
        at_layernorm_row(x, r, AT_LN_MAX_N, g, b, &lp, y);
        double zmax = sqrt(1023.0), zo = -1.0 / sqrt(1023.0);
        CHECK(fabs(y[700] * s_out - sign * zmax) <= s_out &&
                  fabs(y[0] * s_out - sign * zo) <= s_out,
              "max z (sign %d): y[700] %d (%.5f) want %.5f, y[0] %d (%.5f) want %.5f", sign,
              y[700], y[700] * s_out, sign * zmax, y[0], y[0] * s_out, sign * zo);
    }
    /* extreme alternating row: v = +-65534 (17 bits), z = +-1 */
    for (int i = 0; i < AT_LN_MAX_N; i++) {
        x[i] = (int16_t)(i & 1 ? -32767 : 32767);
        r[i] = x[i];
        g[i] = 32767;
        b[i] = 0;
    }
    at_layernorm_params_make(AT_LN_MAX_N, 1.0 / 32767, 1.0 / 32767, 2.0 / 32767, 0, &lp);
    at_layernorm_row(x, r, AT_LN_MAX_N, g, b, &lp, y);
    CHECK(abs(y[0] - 16384) <= 1 && abs(y[1] + 16384) <= 1, "alternating: %d %d", y[0], y[1]);
    /* tiny variance: a single LSB step, eps 0 and large eps */
    for (int i = 0; i < 384; i++) {
        x[i] = (int16_t)(i == 5);
        g[i] = 32767;
    }
    at_layernorm_params_make(384, 1e-3, 1.0 / 32767, 32.0 / 32767, 0, &lp);
    at_layernorm_row(x, NULL, 384, g, b, &lp, y);
    double w5 = sqrt(383.0) * 32767 / 32, w0 = -1 / sqrt(383.0) * 32767 / 32;
    CHECK(fabs(y[5] - w5) <= 1 && fabs(y[0] - w0) <= 1, "one LSB step: %d (want %.2f) %d (want %.2f)",
          y[5], w5, y[0], w0);
    at_layernorm_params_make(384, 1e-3, 1.0 / 32767, 32.0 / 32767, 1e6, &lp);
    CHECK(lp.eps_q == AT_LN_EPS_MAX, "eps clamp: %lld", (long long)lp.eps_q);
    at_layernorm_row(x, NULL, 384, g, b, &lp, y);
    CHECK(y[5] == 0 && y[0] == 0, "eps dominates: %d %d", y[5], y[0]);
    /* invalid */
    lp.eps_q = -1;
    CHECK(at_layernorm_row(x, NULL, 384, g, b, &lp, y) == AT_EINVAL, "negative eps accepted");
    lp.eps_q = 0;
    CHECK(at_layernorm_row(x, NULL, 0, g, b, &lp, y) == AT_EINVAL, "n 0 accepted");
    CHECK(at_layernorm_row(x, NULL, 1025, g, b, &lp, y) == AT_EINVAL, "n 1025 accepted");
}

int main(void)
{
    RUN_CASE(test_rshift_round);
    RUN_CASE(test_requant_corners);
    RUN_CASE(test_requant_random_exact);
    RUN_CASE(test_rq_from_ratio);
    RUN_CASE(test_requant_vs_float);
    RUN_CASE(test_dynatran);
    RUN_CASE(test_postproc_row);
    RUN_CASE(test_gelu_lut);
    RUN_CASE(test_gelu);
    RUN_CASE(test_exp2_stage);
    RUN_CASE(test_exp2_coeffs);
    RUN_CASE(test_recip_isqrt);
    RUN_CASE(test_softmax_corners);
    RUN_CASE(test_softmax_two_level);
    RUN_CASE(test_softmax_random);
    RUN_CASE(test_layernorm_corners);
    RUN_CASE(test_layernorm_random);
    return check_finish("numerics");
}
