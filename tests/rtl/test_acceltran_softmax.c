/* The RTL softmax unit acceltran_softmax against at_softmax_row, bit exact,
 * streaming: rows are fed as ceil(len/16) input beats (lanes past len in
 * the last beat hold garbage) and read back as ceil(n/16) output beats,
 * with random stalls on in_valid and out_ready. Cases: attention-like
 * rows (logit std 2-4 real units), len 1 and 512, n not a multiple of 16,
 * len < n, equal rows, several maxima, -32768 next to 32767 at a coarse
 * scale, the largest u (m = 65535, s = 0), raw random (m, s), back-to-back
 * rows of different n/len; and the cycles per row (printed; checked
 * against the formula of docs/rtl-softmax.md). Seed: ACCELTRAN_TEST_SEED or
 * fixed; mismatches print the seed, row, column and both values. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_softmax_unit.h"
#include "check.h"
#include "numerics.h"

#define W SOFTMAX_UNIT_WIDTH
#define MAXN AT_SOFTMAX_MAX_LEN

typedef struct row {
    int n, len;
    at_softmax_params p;
    int16_t x[MAXN + W]; /* + garbage lanes of the last beat */
    int16_t y[MAXN];     /* C model */
} row;

static uint64_t seed_g = 0x5eed50f7u;
static uint64_t rng_s;
static softmax_unit *unit_g;
static long rows_g, beats_g, cycles_g;
static int reports_g;

static uint64_t rng(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int rng_int(int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); }
static double rng_unit(void) { return (double)(rng() >> 11) / 9007199254740992.0; }
static double rng_gauss(void)
{
    double a = rng_unit(), b = rng_unit();
    return sqrt(-2.0 * log(a + 1e-300)) * cos(6.283185307179586 * b);
}

static void row_finish(row *r)
{
    int L = (r->len + W - 1) / W;
    for (int i = r->len; i < L * W; i++) /* garbage the unit must ignore */
        r->x[i] = (int16_t)rng();
    int rc = at_softmax_row(r->x, r->n, r->len, &r->p, r->y);
    CHECK(rc == 0, "at_softmax_row rc %d (n %d len %d)", rc, r->n, r->len);
}

/* attention-like: logits of std sd (real units), int16 scale covering 8 sd */
static void row_attention(row *r, int n, int len, double sd)
{
    double s_in = 8.0 * sd / 32767.0;
    r->n = n;
    r->len = len;
    at_softmax_params_make(s_in, &r->p);
    for (int i = 0; i < len; i++)
        r->x[i] = at_quant16(rng_gauss() * sd, s_in);
    row_finish(r);
}

/* Streams rows through the unit. p_in / p_out: stall probabilities of
 * in_valid and out_ready. first[i] / lastc[i] (optional) get the cycle of
 * row i's first input beat and last output beat. Returns cycles run. */
static long stream(row *rows, int count, double p_in, double p_out, long *first, long *lastc)
{
    int pi = 0, pb = 0, ci = 0, cb = 0;
    long cyc = 0, limit = 2000 + (long)count * 400 * (long)(1.0 / (1.0 - fmax(p_in, p_out)) + 1);
    while (ci < count && cyc < limit) {
        int in_valid = pi < count && rng_unit() >= p_in;
        int out_ready = rng_unit() >= p_out;
        const row *r = pi < count ? &rows[pi] : NULL;
        if (r)
            softmax_unit_drive_in(unit_g, in_valid, r->x + pb * W, (unsigned)r->n, (unsigned)r->len,
                                  r->p.in.m, r->p.in.s);
        else
            softmax_unit_drive_in(unit_g, 0, NULL, 1, 1, 0, 0);
        softmax_unit_drive_out_ready(unit_g, out_ready);
        softmax_unit_settle(unit_g);
        if (in_valid && softmax_unit_in_ready(unit_g)) {
            if (pb == 0 && first)
                first[pi] = cyc;
            if (++pb == (r->len + W - 1) / W) {
                pb = 0;
                pi++;
            }
        }
        int16_t got[W];
        int last;
        if (softmax_unit_out_valid(unit_g, got, &last) && out_ready) {
            const row *o = &rows[ci];
            int N = (o->n + W - 1) / W;
            beats_g++;
            for (int j = 0; j < W; j++) {
                int col = cb * W + j;
                int16_t want = col < o->n ? o->y[col] : 0;
                if (got[j] != want) {
                    if (reports_g++ < 20)
                        CHECK(0,
                              "seed 0x%" PRIx64 " row %d (n %d len %d m %u s %u) col %d: rtl %d, C %d",
                              seed_g, ci, o->n, o->len, o->p.in.m, o->p.in.s, col, got[j], want);
                    check_g.case_failed = 1;
                }
            }
            CHECK(last == (cb == N - 1), "seed 0x%" PRIx64 " row %d beat %d of %d: last %d", seed_g, ci,
                  cb, N, last);
            unsigned lanes = softmax_unit_out_lanes(unit_g), want_lanes = 0;
            for (int j = 0; j < W; j++)
                if (cb * W + j < o->len)
                    want_lanes |= 1u << j;
            if (lanes != want_lanes && reports_g++ < 20)
                CHECK(0, "seed 0x%" PRIx64 " row %d (n %d len %d) beat %d: out_lanes 0x%04x, want 0x%04x",
                      seed_g, ci, o->n, o->len, cb, lanes, want_lanes);
            if (++cb == N) {
                if (lastc)
                    lastc[ci] = cyc;
                cb = 0;
                ci++;
                rows_g++;
            }
        }
        softmax_unit_tick(unit_g);
        cyc++;
    }
    CHECK(ci == count, "seed 0x%" PRIx64 ": only %d of %d rows out after %ld cycles (input at row %d)",
          seed_g, ci, count, cyc, pi);
    /* drained: nothing more comes out, the unit goes idle */
    for (int k = 0; k < 4; k++) {
        softmax_unit_drive_in(unit_g, 0, NULL, 1, 1, 0, 0);
        softmax_unit_drive_out_ready(unit_g, 1);
        softmax_unit_settle(unit_g);
        CHECK(!softmax_unit_out_valid(unit_g, NULL, NULL), "extra output beat after the last row");
        softmax_unit_tick(unit_g);
    }
    CHECK(!softmax_unit_busy(unit_g), "busy after draining");
    cycles_g += cyc;
    return cyc;
}

static row rows_g_buf[64];

static void stream_all_stall_mixes(row *rows, int count)
{
    const double mix[][2] = {{0, 0}, {0.3, 0.3}, {0.7, 0.1}, {0.1, 0.7}};
    for (unsigned k = 0; k < sizeof mix / sizeof mix[0]; k++)
        stream(rows, count, mix[k][0], mix[k][1], NULL, NULL);
}

static void test_attention_rows(void)
{
    for (int rep = 0; rep < 400; rep++) {
        int count = 16;
        for (int i = 0; i < count; i++) {
            int n = rng_int(1, MAXN), len = rng() % 3 ? rng_int(1, n) : n;
            row_attention(&rows_g_buf[i], n, len, 2.0 + 2.0 * rng_unit());
        }
        stream(rows_g_buf, count, rng_unit() * 0.6, rng_unit() * 0.6, NULL, NULL);
    }
}

static void test_lengths(void)
{
    const int nl[][2] = {{1, 1},     {16, 1},    {17, 1},   {512, 1},  {512, 512}, {511, 511},
                         {100, 100}, {100, 37},  {17, 16},  {17, 17},  {33, 32},   {15, 15},
                         {512, 100}, {128, 128}, {500, 499}, {512, 496}, {496, 481}, {2, 2}};
    int count = (int)(sizeof nl / sizeof nl[0]);
    for (int i = 0; i < count; i++)
        row_attention(&rows_g_buf[i], nl[i][0], nl[i][1], 3.0);
    stream_all_stall_mixes(rows_g_buf, count);
}

static void test_equal_and_extremes(void)
{
    int c = 0;
    row *r;
    /* equal rows: uniform output */
    const int eq_len[] = {1, 3, 16, 100, 512};
    for (unsigned k = 0; k < sizeof eq_len / sizeof eq_len[0]; k++) {
        r = &rows_g_buf[c++];
        r->n = 512;
        r->len = eq_len[k];
        at_softmax_params_make(0.01, &r->p);
        for (int i = 0; i < r->len; i++)
            r->x[i] = (int16_t)(k * 1000 - 2000);
        row_finish(r);
    }
    /* several maxima, -32768 next to 32767 at a coarse scale */
    r = &rows_g_buf[c++];
    r->n = 300;
    r->len = 290;
    at_softmax_params_make(0.6, &r->p);
    for (int i = 0; i < r->len; i++)
        r->x[i] = (int16_t)(i % 3 == 0 ? 32767 : i % 3 == 1 ? -32768 : (int)(rng() % 65536) - 32768);
    row_finish(r);
    r = &rows_g_buf[c++];
    r->n = 64;
    r->len = 64;
    at_softmax_params_make(0.001, &r->p);
    for (int i = 0; i < r->len; i++)
        r->x[i] = (int16_t)(i & 1 ? -32768 : 32767);
    row_finish(r);
    /* largest u: d = 65535, m = 65535, s = 0 (u = 2^32 - ...: e = 0) */
    r = &rows_g_buf[c++];
    r->n = 40;
    r->len = 33;
    r->p.in.m = 65535;
    r->p.in.s = 0;
    for (int i = 0; i < r->len; i++)
        r->x[i] = (int16_t)(i == 7 ? 32767 : i == 32 ? 32767 : -32768);
    row_finish(r);
    /* raw (m, s) pairs, including s past 32 (u = 0 or 1) */
    for (int k = 0; k < 12; k++) {
        r = &rows_g_buf[c++];
        r->n = rng_int(1, MAXN);
        r->len = rng_int(1, r->n);
        r->p.in.m = (uint16_t)rng();
        r->p.in.s = (uint8_t)(k < 4 ? rng_int(0, 63) : rng_int(8, 30));
        for (int i = 0; i < r->len; i++)
            r->x[i] = (int16_t)rng();
        row_finish(r);
    }
    /* maximum at the last valid lane, and only just above the rest */
    r = &rows_g_buf[c++];
    r->n = 512;
    r->len = 300;
    at_softmax_params_make(0.02, &r->p);
    for (int i = 0; i < r->len; i++)
        r->x[i] = (int16_t)(i == r->len - 1 ? 101 : 100);
    row_finish(r);
    stream_all_stall_mixes(rows_g_buf, c);
}

/* Cycles of one row alone (first input beat to last output beat,
 * inclusive) and the steady-state period of back-to-back equal rows, no
 * stalls. Formula (docs/rtl-softmax.md): latency 2L + N + 34. */
static void measure(int n, int len, long *lat, double *period)
{
    static long first[24], lastc[24];
    for (int i = 0; i < 24; i++)
        row_attention(&rows_g_buf[i], n, len, 3.0);
    softmax_unit_reset(unit_g);
    stream(rows_g_buf, 1, 0, 0, first, lastc);
    *lat = lastc[0] - first[0] + 1;
    softmax_unit_reset(unit_g);
    stream(rows_g_buf, 24, 0, 0, first, lastc);
    *period = (double)(lastc[23] - lastc[7]) / 16.0;
}

static void test_cycles(void)
{
    const int nl[][2] = {{16, 16},   {64, 64},   {128, 128}, {128, 40},
                         {256, 256}, {512, 100}, {512, 512}, {384, 384}};
    printf("softmax cycles (no stalls): n len L N | one row | per row back-to-back\n");
    for (unsigned k = 0; k < sizeof nl / sizeof nl[0]; k++) {
        long lat;
        double per;
        int n = nl[k][0], len = nl[k][1], L = (len + W - 1) / W, N = (n + W - 1) / W;
        measure(n, len, &lat, &per);
        printf("  %4d %4d %3d %3d | %4ld | %6.2f\n", n, len, L, N, lat, per);
        CHECK(lat == 2 * L + N + 34, "n %d len %d: latency %ld, formula %d", n, len, lat,
              2 * L + N + 34);
    }
}

int main(void)
{
    seed_g = check_seed("softmax_" TEST_CONFIG, seed_g);
    rng_s = seed_g;
    unit_g = softmax_unit_new();
    if (!unit_g) {
        fprintf(stderr, "softmax_unit_new failed\n");
        return 1;
    }
    RUN_CASE(test_lengths);
    RUN_CASE(test_equal_and_extremes);
    RUN_CASE(test_attention_rows);
    RUN_CASE(test_cycles);
    softmax_unit_free(unit_g);
    printf("softmax: seed 0x%" PRIx64 ", %ld rows, %ld output beats, %ld cycles\n", seed_g, rows_g,
           beats_g, cycles_g);
    return check_finish("softmax_" TEST_CONFIG);
}
