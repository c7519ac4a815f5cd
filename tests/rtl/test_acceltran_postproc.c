/* acceltran_postproc (requant + optional GELU + DynaTran, one row of 16 per
 * cycle) against the C model at_postproc_row, bit for bit: every element,
 * mask bit, pruned count and tag, with rows streamed back-to-back (and with
 * bubbles) through the fixed-latency pipeline. The seed is printed; set
 * ACCELTRAN_TEST_SEED to replay a run. The unit has no configuration-dependent
 * parameter, so only tiny is built. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_postproc_unit.h"
#include "check.h"
#include "numerics.h"

#define W POSTPROC_UNIT_WIDTH
#define LATENCY 11 /* docs/rtl-postproc.md */
#define MAX_REPORTS 8

static uint64_t g_seed;
static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t rnd_below(uint64_t n) { return rnd() % n; }
static double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

static int64_t sext48(uint64_t v)
{
    v &= (UINT64_C(1) << 48) - 1;
    return (v & (UINT64_C(1) << 47)) ? (int64_t)(v | ~((UINT64_C(1) << 48) - 1)) : (int64_t)v;
}

/* A random value of about `bits` magnitude bits, either sign. */
static int64_t rnd_signed_bits(int bits)
{
    uint64_t v = bits >= 64 ? rnd() : rnd() & ((UINT64_C(1) << bits) - 1);
    return (rnd() & 1) ? -(int64_t)(v >> 1) : (int64_t)(v >> 1);
}

/* ---------------------------------------------------------------- harness */

typedef struct batch {
    postproc_unit_cfg cfg;
    int per_channel; /* C model: rq[j] per column, else rq[0] for all */
    int n;           /* rows */
    int64_t (*acc)[W];
    int32_t (*bias)[W];
    int bubble_pct;  /* chance of an idle cycle before each row */
    const char *what;
} batch;

static postproc_unit *g_unit;
static long g_rows_checked, g_elems_checked;

static void model_row(const batch *b, int r, int16_t *y, uint8_t *mask, int *pruned)
{
    at_rq rq[W];
    for (int j = 0; j < W; j++) {
        rq[j].m = b->cfg.rq_m[b->per_channel ? j : 0];
        rq[j].s = b->cfg.rq_s[b->per_channel ? j : 0];
    }
    at_postproc p = {
        .rq = rq,
        .per_channel = b->per_channel,
        .gelu = b->cfg.gelu_en,
        .gelu_p = {.in = {b->cfg.gelu_in_m, b->cfg.gelu_in_s},
                   .out = {b->cfg.gelu_out_m, b->cfg.gelu_out_s}},
        .tau = (int16_t)b->cfg.tau,
    };
    *pruned = at_postproc_row(b->acc[r], b->bias ? b->bias[r] : NULL, W, &p, y, mask);
}

/* Compares one RTL output row with the model; returns mismatching fields. */
static int compare_row(const batch *b, int r, const postproc_unit_out *o, int *reports)
{
    int16_t y[W];
    uint8_t mask[(W + 7) / 8];
    int pruned;
    model_row(b, r, y, mask, &pruned);
    int bad = 0;
    for (int j = 0; j < W; j++) {
        int mbit = (mask[j >> 3] >> (j & 7)) & 1;
        int rbit = (int)((o->mask >> j) & 1u);
        if (o->y[j] != y[j] || rbit != mbit) {
            bad++;
            if ((*reports)++ < MAX_REPORTS) {
                const postproc_unit_cfg *c = &b->cfg;
                int k = b->per_channel ? j : 0;
                fprintf(stderr,
                        "  [%s seed %" PRIu64 "] row %d col %d: acc %" PRId64 " bias %" PRId32
                        " m %u s %u gelu %d (in %u/%u out %u/%u) tau %u: rtl y %d mask %d, "
                        "C y %d mask %d\n",
                        b->what, g_seed, r, j, b->acc[r][j], b->bias ? b->bias[r][j] : 0,
                        c->rq_m[k], c->rq_s[k], c->gelu_en, c->gelu_in_m, c->gelu_in_s,
                        c->gelu_out_m, c->gelu_out_s, c->tau, o->y[j], rbit, y[j], mbit);
            }
        }
        g_elems_checked++;
    }
    if ((int)o->pruned != pruned || o->tag != ((uint32_t)r & 0xffu)) {
        bad++;
        if ((*reports)++ < MAX_REPORTS)
            fprintf(stderr, "  [%s seed %" PRIu64 "] row %d: rtl pruned %u tag %u, C pruned %d tag %d\n",
                    b->what, g_seed, r, o->pruned, o->tag, pruned, r & 0xff);
    }
    g_rows_checked++;
    return bad;
}

/* Streams the batch (a row per cycle, optional bubbles), drains the
 * pipeline and checks every output row and its arrival cycle. Returns the
 * number of mismatches (also reported through CHECK). */
static int run_batch(const batch *b)
{
    postproc_unit_config(g_unit, &b->cfg);
    long cycle = 0, *in_cycle = malloc(sizeof(long) * (size_t)(b->n ? b->n : 1));
    int next_in = 0, next_out = 0, bad = 0, reports = 0, stray = 0, late = 0;
    postproc_unit_out o;
    /* Idle cycles after the last row: the pipeline must be empty after
     * LATENCY of them; a few more catch rows that come out twice. */
    int idle_after = 0;
    while (idle_after < LATENCY + 3) {
        int valid = 0;
        if (next_in < b->n && !(b->bubble_pct && (int)rnd_below(100) < b->bubble_pct))
            valid = 1;
        if (valid) {
            in_cycle[next_in] = cycle;
            postproc_unit_step(g_unit, 1, (uint32_t)next_in, b->acc[next_in],
                               b->bias ? b->bias[next_in] : NULL, &o);
            next_in++;
        } else {
            postproc_unit_step(g_unit, 0, 0xa5, NULL, NULL, &o);
            if (next_in == b->n)
                idle_after++;
        }
        if (o.valid) {
            if (next_out >= b->n) {
                stray++;
            } else {
                /* the row registered at edge `cycle` left at edge
                 * in_cycle + LATENCY - 1 (step returns after the edge) */
                if (cycle != in_cycle[next_out] + LATENCY - 1)
                    late++;
                bad += compare_row(b, next_out, &o, &reports);
                next_out++;
            }
        }
        cycle++;
    }
    CHECK(bad == 0, "%s: %d mismatches in %d rows (seed %" PRIu64 ")", b->what, bad, b->n, g_seed);
    CHECK(next_out == b->n && stray == 0, "%s: %d of %d rows came out, %d extra", b->what,
          next_out, b->n, stray);
    CHECK(late == 0, "%s: %d rows not exactly %d cycles after their input", b->what, late,
          LATENCY);
    free(in_cycle);
    return bad + stray + late + (b->n - next_out);
}

static batch batch_new(int n, const char *what)
{
    batch b;
    memset(&b, 0, sizeof b);
    b.n = n;
    b.what = what;
    b.acc = calloc((size_t)n, sizeof *b.acc);
    b.bias = calloc((size_t)n, sizeof *b.bias);
    b.cfg.rq_m[0] = 1;
    for (int j = 0; j < W; j++)
        b.cfg.rq_m[j] = 1;
    b.cfg.gelu_in_m = 1;
    b.cfg.gelu_out_m = 1;
    return b;
}

static void batch_free(batch *b)
{
    free(b->acc);
    free(b->bias);
}

static void set_rq_tensor(batch *b, at_rq rq)
{
    b->per_channel = 0;
    for (int j = 0; j < W; j++) {
        b->cfg.rq_m[j] = rq.m;
        b->cfg.rq_s[j] = rq.s;
    }
}

static void set_gelu(batch *b, int en, const at_gelu_params *gp)
{
    b->cfg.gelu_en = en;
    if (gp) {
        b->cfg.gelu_in_m = gp->in.m;
        b->cfg.gelu_in_s = gp->in.s;
        b->cfg.gelu_out_m = gp->out.m;
        b->cfg.gelu_out_s = gp->out.s;
    }
}

/* Random GELU parameters on realistic scales (at_gelu_params_make). */
static at_gelu_params rnd_gelu_params(void)
{
    at_gelu_params gp;
    double in_range = 0.5 + 20.0 * rnd_unit(), out_range = 0.5 + 20.0 * rnd_unit();
    int rc = at_gelu_params_make(in_range / 32767.0, out_range / 32767.0, &gp);
    CHECK(rc == 0, "at_gelu_params_make(%g, %g) = %d", in_range, out_range, rc);
    return gp;
}

/* ---------------------------------------------------------------- cases */

/* Random rows: full-range or realistic accumulators, random biases,
 * per-tensor and per-column rq from at_rq_from_ratio or raw random (m, s),
 * GELU on/off, random tau; rows back-to-back, some batches with bubbles. */
static void test_random(void)
{
    static const char *names[] = {"random/full48", "random/realistic", "random/raw-rq"};
    for (int it = 0; it < 240; it++) {
        int kind = it % 3;
        batch b = batch_new(1000, names[kind]);
        b.bubble_pct = (it % 4 == 1) ? 30 : 0;
        int acc_bits = 8 + (int)rnd_below(37); /* realistic: |acc| < 2^(bits-1) */
        for (int r = 0; r < b.n; r++)
            for (int j = 0; j < W; j++) {
                if (kind == 0) {
                    b.acc[r][j] = sext48(rnd());
                    b.bias[r][j] = (int32_t)(uint32_t)rnd();
                } else {
                    b.acc[r][j] = rnd_signed_bits(acc_bits);
                    b.bias[r][j] = (int32_t)rnd_signed_bits(1 + (int)rnd_below(32));
                }
            }
        b.per_channel = (int)(rnd() & 1);
        /* ratio so that outputs span about int16 for realistic accumulators */
        double base = ldexp(1.0, 16 - acc_bits);
        for (int j = 0; j < W; j++) {
            at_rq rq;
            if (kind == 2) {
                rq.m = (uint16_t)rnd();
                uint64_t pick = rnd_below(8);
                rq.s = pick == 0 ? 0 : pick == 1 ? 63 : (uint8_t)rnd_below(64);
            } else {
                double ratio = kind == 0 ? ldexp(rnd_unit() + 0.5, -(int)rnd_below(64))
                                         : base * (0.05 + 2.0 * rnd_unit());
                (void)at_rq_from_ratio(ratio, &rq);
            }
            b.cfg.rq_m[j] = rq.m;
            b.cfg.rq_s[j] = rq.s;
            if (!b.per_channel) {
                set_rq_tensor(&b, rq);
                break;
            }
        }
        int gelu = (int)(rnd() % 3 == 0);
        at_gelu_params gp = rnd_gelu_params();
        set_gelu(&b, gelu, &gp);
        uint64_t tp = rnd_below(6);
        b.cfg.tau = tp == 0 ? 0 : tp == 1 ? 32767 : tp < 4 ? (uint16_t)rnd_below(64)
                                                               : (uint16_t)rnd_below(32768);
        run_batch(&b);
        batch_free(&b);
    }
}

/* Corners: acc at +-2^47 boundaries, bias pushing past 48 bits (sat48),
 * m in {0, 1, 2^15, 65535}, s in {0, 1, ..., 63}: every combination, as
 * per-column rq. */
static void test_corners(void)
{
    const int64_t accs[] = {AT_ACC_MIN,     AT_ACC_MIN + 1, AT_ACC_MIN + 2, -1, 0, 1,
                            AT_ACC_MAX - 1, AT_ACC_MAX,     -32768,         32767,
                            -32769,         32768,          (INT64_C(1) << 46), -(INT64_C(1) << 46)};
    const int32_t biases[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX};
    const uint16_t ms[] = {0, 1, 2, 32767, 32768, 65535};
    const uint8_t ss[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 46, 47, 48, 49, 62, 63};
    const int na = sizeof accs / sizeof accs[0], nb = sizeof biases / sizeof biases[0];
    const int nm = sizeof ms / sizeof ms[0], ns = sizeof ss / sizeof ss[0];
    /* each row: one (m, s) pair per column, all (acc, bias) combinations */
    int pairs = nm * ns, combos = na * nb;
    int rows_per_group = combos;
    int groups = (pairs + W - 1) / W;
    for (int gelu = 0; gelu < 2; gelu++) {
        batch b = batch_new(groups * rows_per_group, gelu ? "corners/gelu" : "corners");
        b.per_channel = 1;
        /* per-column (m, s) can only change per batch: run one batch per group */
        for (int g = 0; g < groups; g++) {
            batch gb = b;
            gb.n = rows_per_group;
            gb.acc = b.acc + (size_t)g * rows_per_group;
            gb.bias = b.bias + (size_t)g * rows_per_group;
            for (int j = 0; j < W; j++) {
                int k = (g * W + j) % pairs;
                gb.cfg.rq_m[j] = ms[k / ns];
                gb.cfg.rq_s[j] = ss[k % ns];
            }
            for (int r = 0; r < rows_per_group; r++)
                for (int j = 0; j < W; j++) {
                    int c = (r + j) % combos; /* vary per column too */
                    gb.acc[r][j] = accs[c / nb];
                    gb.bias[r][j] = biases[c % nb];
                }
            if (gelu) {
                at_gelu_params gp;
                (void)at_gelu_params_make(8.0 / 32767, 8.0 / 32767, &gp);
                set_gelu(&gb, 1, &gp);
            }
            run_batch(&gb);
        }
        batch_free(&b);
    }
}

/* Rounding ties: p = (2q + 1) 2^(s-1) with m = 1 and m = 3, both signs: round
 * half up gives q + 1 (towards +inf). Checked against the model and against
 * the expected value directly. */
static void test_ties(void)
{
    batch b = batch_new(64, "ties");
    b.per_channel = 1;
    int reports = 0;
    for (int j = 0; j < W; j++) {
        b.cfg.rq_m[j] = (j & 1) ? 3 : 1;
        b.cfg.rq_s[j] = (uint8_t)(1 + (j * 3) % 40); /* 1..40 */
    }
    for (int r = 0; r < b.n; r++)
        for (int j = 0; j < W; j++) {
            int s = b.cfg.rq_s[j];
            int64_t q = (int64_t)rnd_below(20000) - 10000;
            /* acc = (2q + 1) 2^(s-1): p = acc * m is an odd multiple of
             * 2^(s-1) for m = 1 and m = 3, i.e. exactly half-way */
            int64_t acc = (2 * q + 1) * (INT64_C(1) << (s - 1));
            if (acc > AT_ACC_MAX / 4 || acc < AT_ACC_MIN / 4)
                acc = (2 * (q % 7) + 1) << (s - 1);
            b.acc[r][j] = acc;
            b.bias[r][j] = 0;
        }
    run_batch(&b);
    for (int r = 0; r < b.n; r++)
        for (int j = 0; j < W; j++) {
            /* direct: floor(p / 2^s + 1/2) */
            int64_t p = b.acc[r][j] * b.cfg.rq_m[j];
            int s = b.cfg.rq_s[j];
            int64_t want = at_sat16((p >= 0 ? p >> s : ~(~p >> s)) + ((p >> (s - 1)) & 1));
            int64_t c = at_requant(b.acc[r][j], 0, (at_rq){b.cfg.rq_m[j], (uint8_t)s});
            if (c != want && reports++ < MAX_REPORTS)
                CHECK(0, "tie acc %" PRId64 " m %u s %d: C %" PRId64 " direct %" PRId64, b.acc[r][j],
                      b.cfg.rq_m[j], s, c, want);
        }
    batch_free(&b);
}

/* GELU over all 65536 int16 inputs (requant m = 1, s = 0 passes acc through),
 * for realistic and extreme parameter sets, rows of 16 back-to-back. */
static void test_gelu_exhaustive(void)
{
    at_gelu_params sets[12];
    int ns = 0;
    (void)at_gelu_params_make(10.0 / 32767, 10.0 / 32767, &sets[ns++]); /* FFN-like */
    (void)at_gelu_params_make(4.0 / 32767, 8.0 / 32767, &sets[ns++]);
    (void)at_gelu_params_make(0.5 / 32767, 0.1 / 32767, &sets[ns++]);   /* output saturates */
    (void)at_gelu_params_make(0.9, 1.0 / 32767, &sets[ns++]);           /* t beyond the table */
    sets[ns++] = (at_gelu_params){{65535, 0}, {65535, 0}};              /* widest products */
    sets[ns++] = (at_gelu_params){{1, 63}, {1, 63}};                    /* everything to 0 */
    sets[ns++] = (at_gelu_params){{2048, 0}, {1, 0}};                   /* y = -T[|x|] */
    while (ns < (int)(sizeof sets / sizeof sets[0]))
        sets[ns++] = rnd_gelu_params();
    for (int k = 0; k < ns; k++) {
        batch b = batch_new(65536 / W, "gelu/exhaustive");
        set_rq_tensor(&b, (at_rq){1, 0});
        set_gelu(&b, 1, &sets[k]);
        b.cfg.tau = 0;
        for (int r = 0; r < b.n; r++)
            for (int j = 0; j < W; j++) {
                b.acc[r][j] = (int64_t)(r * W + j) - 32768;
                b.bias[r][j] = 0;
            }
        if (run_batch(&b))
            fprintf(stderr, "  gelu set %d: in %u/%u out %u/%u\n", k, sets[k].in.m, sets[k].in.s,
                    sets[k].out.m, sets[k].out.s);
        batch_free(&b);
    }
}

/* (m, s, |x|) with rshift_round(|x| m, s) == t, searched; 0 if none. */
static int find_t(int64_t t, uint16_t *m_out, uint8_t *s_out, int *ax_out)
{
    for (int s = 0; s <= 14; s++)
        for (int ax = 32768; ax >= 1; ax--) {
            /* |x| m in [t 2^s - 2^(s-1), t 2^s + 2^(s-1) - 1] (s >= 1), = t 2^s (s = 0) */
            int64_t lo = s ? (t << s) - (INT64_C(1) << (s - 1)) : t;
            int64_t hi = s ? (t << s) + (INT64_C(1) << (s - 1)) - 1 : t;
            int64_t m = lo > 0 ? (lo + ax - 1) / ax : 1;
            if (m <= 65535 && m * ax <= hi) {
                at_rq rq = {(uint16_t)m, (uint8_t)s};
                if (at_rq_apply(ax, rq) != t)
                    continue;
                *m_out = (uint16_t)m;
                *s_out = (uint8_t)s;
                *ax_out = ax;
                return 1;
            }
        }
    return 0;
}

/* Every GELU ROM entry read back through the RTL and compared with
 * at_gelu_lut directly: t = 2^11 i (f = 0) reads T[i], t = 2^11 i + 2047
 * reads T[i] + round((T[i+1] - T[i]) 2047 / 2048) = T[i+1] (|dh| < 1024);
 * with x < 0 and out = (1, 0) the output is -h. */
static void test_gelu_rom_readback(void)
{
    int bad = 0, read = 0;
    for (int i = 0; i < AT_GELU_LUT_SEGMENTS; i++)
        for (int hi = 0; hi < 2; hi++) {
            int64_t t = ((int64_t)i << 11) + (hi ? 2047 : 0);
            uint16_t m;
            uint8_t s;
            int ax;
            if (!find_t(t, &m, &s, &ax)) {
                CHECK(0, "no (m, s, x) gives t = %" PRId64, t);
                continue;
            }
            batch b = batch_new(1, "gelu/rom");
            set_rq_tensor(&b, (at_rq){1, 0});
            at_gelu_params gp = {{m, s}, {1, 0}};
            set_gelu(&b, 1, &gp);
            for (int j = 0; j < W; j++)
                b.acc[0][j] = -ax;
            bad += run_batch(&b);
            /* and directly against the table, through one more row */
            postproc_unit_out o;
            postproc_unit_step(g_unit, 1, 0, b.acc[0], NULL, &o);
            for (int c = 1; c < LATENCY; c++)
                postproc_unit_step(g_unit, 0, 0, NULL, NULL, &o);
            int want = -(int)at_gelu_lut[i + hi];
            CHECK(o.valid && o.y[0] == want && o.y[W - 1] == want,
                  "ROM T[%d] (t = %" PRId64 "): rtl %d, at_gelu_lut %d", i + hi, t, o.y[0], want);
            read++;
            batch_free(&b);
        }
    CHECK(read == 2 * AT_GELU_LUT_SEGMENTS && bad == 0, "%d reads, %d mismatches", read, bad);
}

/* DynaTran: tau = 0 prunes only zeros, tau = 32767 prunes everything but
 * -32768, -32768 is never pruned, values at tau - 1, tau, tau + 1 and their
 * negatives; counts. The requant (m = 1, s = 0) passes values through. */
static void test_dynatran(void)
{
    const uint16_t taus[] = {0, 1, 2, 100, 16384, 32766, 32767};
    for (size_t k = 0; k < sizeof taus / sizeof taus[0]; k++) {
        int tau = taus[k];
        batch b = batch_new(256, "dynatran");
        set_rq_tensor(&b, (at_rq){1, 0});
        b.cfg.tau = (uint16_t)tau;
        const int64_t special[] = {0, -32768, 32767, -32767, tau, -tau, tau + 1, -tau - 1,
                                   tau - 1, -tau + 1, 1, -1};
        int nsp = sizeof special / sizeof special[0];
        for (int r = 0; r < b.n; r++)
            for (int j = 0; j < W; j++) {
                uint64_t pick = rnd_below(4);
                int64_t v = pick < 2 ? special[rnd_below((uint64_t)nsp)]
                                     : (int64_t)rnd_below(65536) - 32768;
                if (r == 0)
                    v = 0; /* all-zero row: all pruned */
                if (r == 1)
                    v = -32768; /* never pruned */
                b.acc[r][j] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
            }
        run_batch(&b);
        /* direct properties, on the model's numbers checked above */
        postproc_unit_out o;
        postproc_unit_step(g_unit, 1, 0, b.acc[0], NULL, &o);
        postproc_unit_step(g_unit, 1, 1, b.acc[1], NULL, &o);
        for (int c = 2; c < LATENCY; c++)
            postproc_unit_step(g_unit, 0, 0, NULL, NULL, &o);
        CHECK(o.valid && o.pruned == W && o.mask == 0, "tau %d: zero row pruned %u mask 0x%x", tau,
              o.pruned, o.mask);
        postproc_unit_step(g_unit, 0, 0, NULL, NULL, &o);
        CHECK(o.valid && o.pruned == 0 && o.mask == 0xffffu && o.y[3] == -32768,
              "tau %d: -32768 row pruned %u mask 0x%x y %d", tau, o.pruned, o.mask, o.y[3]);
        batch_free(&b);
    }
    /* tau = 32767 on random int16: everything but -32768 pruned */
    batch b = batch_new(64, "dynatran/32767");
    set_rq_tensor(&b, (at_rq){1, 0});
    b.cfg.tau = 32767;
    for (int r = 0; r < b.n; r++)
        for (int j = 0; j < W; j++)
            b.acc[r][j] = (int64_t)rnd_below(65536) - 32768;
    postproc_unit_config(g_unit, &b.cfg);
    int bad = 0;
    for (int r = 0; r < b.n + LATENCY - 1; r++) {
        postproc_unit_out o;
        postproc_unit_step(g_unit, r < b.n, (uint32_t)r, r < b.n ? b.acc[r] : NULL, NULL, &o);
        if (r >= LATENCY - 1) {
            int src = r - (LATENCY - 1);
            unsigned n_min = 0, want_mask = 0;
            for (int j = 0; j < W; j++)
                if (b.acc[src][j] == -32768) {
                    n_min++;
                    want_mask |= 1u << j;
                }
            bad += !(o.valid && o.mask == want_mask && o.pruned == W - n_min);
        }
    }
    CHECK(bad == 0, "tau 32767: %d rows wrong", bad);
    run_batch(&b);
    batch_free(&b);
}

/* Reset in the middle of a stream drops the rows in flight: valid_o stays
 * low afterwards until new rows have gone through. */
static void test_reset_midstream(void)
{
    batch b = batch_new(40, "reset");
    set_rq_tensor(&b, (at_rq){1, 0});
    postproc_unit_config(g_unit, &b.cfg);
    postproc_unit_out o;
    for (int r = 0; r < 5; r++)
        postproc_unit_step(g_unit, 1, (uint32_t)r, b.acc[r], NULL, &o);
    postproc_unit_reset(g_unit);
    int stray = 0;
    for (int c = 0; c < 2 * LATENCY; c++) {
        postproc_unit_step(g_unit, 0, 0, NULL, NULL, &o);
        stray += o.valid;
    }
    CHECK(stray == 0, "%d rows came out after reset", stray);
    for (int r = 0; r < b.n; r++)
        for (int j = 0; j < W; j++)
            b.acc[r][j] = (int64_t)rnd_below(65536) - 32768;
    run_batch(&b);
    batch_free(&b);
}

int main(void)
{
    g_seed = check_seed("postproc_" TEST_CONFIG, UINT64_C(0x5eed0f00d1234567));
    rng_state = g_seed ? g_seed : 1;
    g_unit = postproc_unit_new();
    if (!g_unit) {
        fprintf(stderr, "postproc_unit_new failed\n");
        return 1;
    }
    RUN_CASE(test_random);
    RUN_CASE(test_corners);
    RUN_CASE(test_ties);
    RUN_CASE(test_gelu_exhaustive);
    RUN_CASE(test_gelu_rom_readback);
    RUN_CASE(test_dynatran);
    RUN_CASE(test_reset_midstream);
    printf("test_acceltran_postproc: %ld rows, %ld elements compared\n", g_rows_checked,
           g_elems_checked);
    postproc_unit_free(g_unit);
    return check_finish("postproc_" TEST_CONFIG);
}
