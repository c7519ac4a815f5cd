/* The fmodel's cycle estimate against the RTL's cycles, on the device top
 * of every configuration this build has a Verilated model of (tiny and mid,
 * cosim/rtl/rtl_backend.mk; docs/cosim.md "Cycle model"):
 *   - single GEMM commands, A and B loaded into the scratchpads first:
 *     CNT_GEMM_BUSY of the GEMM (accept to done on rtl, at_fm_gemm_cycles
 *     on fmodel), for a set of shapes with M, N and K tails, several row
 *     blocks, super-row-blocks and column groups, each with 0, 0.5 and 0.9
 *     of A zero (MAC_ISSUED / MAC_SKIPPED equal on both);
 *   - an end-to-end model run (`acceltran perf --model bert-tiny --batch 1
 *     --seq 32`, at_perf_run): the whole run's cycles (CNT_BUSY) and its
 *     GEMM cycles.
 * Every case: |fmodel / rtl - 1| <= 0.05. The unit-level form of the GEMM
 * check (the compute engine alone, every flag) is case_cycle_model of
 * tests/rtl/test_acceltran_compute.c (tiny and its 2-row variant).
 * A configuration without its rtl model in this program (the sanitizer
 * build has none) is reported skipped, per case. */
#include "at_perf_run.h"
#include "cosim_util.h"
#include "rng.h"

#define TOL 0.05

static const char *const k_configs[] = {"tiny", "mid"};
#define NCONFIGS (sizeof k_configs / sizeof k_configs[0])

typedef struct shape {
    uint32_t m, n, k;
} shape;

/* Row blocks are max(16, lanes) rows: tiny 1 x 4 PEs, mid 2 x 2. The last
 * two fit only mid's 256 KiB scratchpads (A + C, B). */
static const shape k_shapes[] = {
    {64, 128, 256}, /* tiny: 4 row blocks, 2 groups; mid: 2 super-row-blocks, 4 groups */
    {50, 72, 200},  /* M, N and K tails (50 = 3 x 16 + 2, 4.5 tiles, 12.5 chunks) */
    {96, 40, 160},  /* 6 row blocks, an N tail */
    {17, 130, 96},  /* one row past a block, 9 tiles (mid: a partial last group) */
    {128, 64, 128}, /* 8 row blocks */
    {128, 256, 256},
    {256, 128, 384},
};
static const double k_zeros[] = {0.0, 0.5, 0.9};

static uint64_t g_seed;
static double g_worst[NCONFIGS];

typedef struct gemm_run {
    uint64_t gemm_busy, busy, mac_issued, mac_skipped;
} gemm_run;

static int fits(const at_hw_config *cfg, const shape *s)
{
    uint32_t kc = (s->k + 15) / 16, nt = (s->n + 15) / 16, ldb = 4 * ((s->k + 3) / 4);
    uint32_t act = cfg->act_buf_kib * 1024 / 32, wgt = cfg->wgt_buf_kib * 1024 / 32;
    uint32_t c0 = (s->m * kc + 15) & ~15u;
    return c0 + s->m * nt <= act && nt * ldb <= wgt;
}

/* LOAD A (lines 0..) and B (weight line 0.., ldb = 4 ceil(K/4)), then the
 * GEMM alone (C after A), each job run to idle; the GEMM's counters. */
static int run_gemm(at_cosim_backend be, const char *config, const shape *s, const int16_t *A, const int16_t *B,
                    gemm_run *out)
{
    cdev d;
    memset(out, 0, sizeof *out);
    if (cu_open_config(&d, be, AT_COSIM_FAST, 1, config))
        return -1;
    const uint32_t kc = (s->k + 15) / 16, nt = (s->n + 15) / 16, ldb = 4 * ((s->k + 3) / 4);
    const uint32_t sa = 32 * kc, sb = 32 * nt;
    uint64_t amem = cu_alloc(&d, (uint64_t)sa * s->m), bmem = cu_alloc(&d, (uint64_t)sb * s->k);
    uint8_t *buf = calloc((size_t)sa * s->m + (size_t)sb * s->k, 1);
    if (!buf) {
        cu_close(&d);
        return -1;
    }
    for (uint32_t i = 0; i < s->m; i++)
        for (uint32_t k = 0; k < s->k; k++) {
            uint16_t v = (uint16_t)A[(size_t)i * s->k + k];
            buf[(size_t)i * sa + 2 * k] = (uint8_t)v;
            buf[(size_t)i * sa + 2 * k + 1] = (uint8_t)(v >> 8);
        }
    cu_put(&d, amem, buf, (uint64_t)sa * s->m);
    for (uint32_t k = 0; k < s->k; k++)
        for (uint32_t n = 0; n < s->n; n++) {
            uint16_t v = (uint16_t)B[(size_t)k * s->n + n];
            buf[(size_t)k * sb + 2 * n] = (uint8_t)v;
            buf[(size_t)k * sb + 2 * n + 1] = (uint8_t)(v >> 8);
        }
    cu_put(&d, bmem, buf, (uint64_t)sb * s->k);
    free(buf);
    uint32_t desc[AT_DESC_WORDS];
    desc_xfer(desc, AT_OP_LOAD, 0, 0, s->m, s->k, kc, 1, amem, sa, 1);
    cu_push(&d, desc);
    desc_xfer(desc, AT_OP_LOAD, 1, 0, s->k, s->n, 1, ldb, bmem, sb, 2);
    cu_push(&d, desc);
    cu_kick_wait(&d, 50000000);
    uint64_t g0 = cu_cnt(&d, AT_REG_CNT_GEMM_BUSY_LO), b0 = cu_cnt(&d, AT_REG_CNT_BUSY_LO);
    uint64_t i0 = cu_cnt(&d, AT_REG_CNT_MAC_ISSUED_LO), k0 = cu_cnt(&d, AT_REG_CNT_MAC_SKIPPED_LO);
    gemm_args g = {0};
    g.m = s->m;
    g.n = s->n;
    g.k = s->k;
    g.a = 0;
    g.lda = kc;
    g.b = 0;
    g.ldb = ldb;
    g.c = (s->m * kc + 15) & ~15u;
    g.ldc = nt;
    g.rq = (at_rq){32768u, 18u};
    desc_gemm(desc, &g, 3);
    cu_push(&d, desc);
    cu_kick_wait(&d, 50000000);
    out->gemm_busy = cu_cnt(&d, AT_REG_CNT_GEMM_BUSY_LO) - g0;
    out->busy = cu_cnt(&d, AT_REG_CNT_BUSY_LO) - b0;
    out->mac_issued = cu_cnt(&d, AT_REG_CNT_MAC_ISSUED_LO) - i0;
    out->mac_skipped = cu_cnt(&d, AT_REG_CNT_MAC_SKIPPED_LO) - k0;
    uint32_t st = cu_rd(&d, AT_REG_STATUS), ec = cu_rd(&d, AT_REG_ERR_CODE);
    CHECK(!(st & AT_REG_STATUS_HALTED_MASK) && !(ec & AT_REG_ERR_CODE_CODE_MASK),
          "%s/%s: GEMM %ux%ux%u: STATUS 0x%08x ERR_CODE 0x%08x", at_cosim_backend_name(be), config, s->m, s->n, s->k,
          st, ec);
    cu_close(&d);
    return 0;
}

static double rel_err(uint64_t fm, uint64_t rtl)
{
    if (!rtl)
        return 1.0;
    double r = (double)fm / (double)rtl;
    return r > 1.0 ? r - 1.0 : 1.0 - r;
}

static void t_gemm(void)
{
    int ran = 0;
    for (size_t c = 0; c < NCONFIGS; c++) {
        const char *config = k_configs[c];
        const at_hw_config *cfg = at_hw_config_find(config);
        CHECK(cfg, "configuration %s is not in the spec", config);
        if (!cfg)
            continue;
        if (!at_cosim_available(AT_COSIM_RTL, config)) {
            check_skip(1, "GEMM cycle model on %s: this build has no rtl model of it", config);
            continue;
        }
        ran++;
        for (size_t i = 0; i < sizeof k_shapes / sizeof k_shapes[0]; i++) {
            const shape *s = &k_shapes[i];
            if (!fits(cfg, s)) {
                printf("  %s GEMM %ux%ux%u: does not fit %s's scratchpads (not run there)\n", config, s->m, s->n,
                       s->k, config);
                continue;
            }
            for (size_t z = 0; z < sizeof k_zeros / sizeof k_zeros[0]; z++) {
                int16_t *A = malloc(sizeof *A * s->m * s->k), *B = malloc(sizeof *B * s->k * s->n);
                CHECK(A && B, "out of memory");
                if (!A || !B) {
                    free(A);
                    free(B);
                    return;
                }
                rng_state = g_seed ^ ((uint64_t)s->m << 40 ^ (uint64_t)s->n << 20 ^ s->k ^ (uint64_t)z << 60);
                for (uint32_t e = 0; e < s->m * s->k; e++) {
                    int16_t v = 0;
                    if (urand() >= k_zeros[z])
                        while (!v)
                            v = (int16_t)rand_range(-40, 40);
                    A[e] = v;
                }
                for (uint32_t e = 0; e < s->k * s->n; e++)
                    B[e] = (int16_t)rand_range(-40, 40);
                gemm_run f, r;
                int rf = run_gemm(AT_COSIM_FMODEL, config, s, A, B, &f);
                int rr = run_gemm(AT_COSIM_RTL, config, s, A, B, &r);
                free(A);
                free(B);
                CHECK(rf == 0 && rr == 0, "%s GEMM %ux%ux%u: device setup failed", config, s->m, s->n, s->k);
                if (rf || rr)
                    continue;
                double e = rel_err(f.gemm_busy, r.gemm_busy);
                g_worst[c] = e > g_worst[c] ? e : g_worst[c];
                printf("  %-4s GEMM %3ux%3ux%3u zeros %.1f: rtl %7" PRIu64 " fmodel %7" PRIu64 " (%+.3f)\n", config,
                       s->m, s->n, s->k, k_zeros[z], r.gemm_busy, f.gemm_busy,
                       (double)f.gemm_busy / (double)(r.gemm_busy ? r.gemm_busy : 1) - 1.0);
                CHECK(f.mac_issued == r.mac_issued && f.mac_skipped == r.mac_skipped,
                      "%s GEMM %ux%ux%u zeros %.1f: MAC_ISSUED / SKIPPED fmodel %" PRIu64 " / %" PRIu64
                      ", rtl %" PRIu64 " / %" PRIu64,
                      config, s->m, s->n, s->k, k_zeros[z], f.mac_issued, f.mac_skipped, r.mac_issued, r.mac_skipped);
                CHECK(e <= TOL, "%s GEMM %ux%ux%u zeros %.1f: GEMM_BUSY fmodel %" PRIu64 " vs rtl %" PRIu64
                      ": |fmodel/rtl - 1| = %.3f > %.2f",
                      config, s->m, s->n, s->k, k_zeros[z], f.gemm_busy, r.gemm_busy, e, TOL);
            }
        }
    }
    /* nothing ran (no rtl model at all): the case is a skip, not a pass */
    if (!ran)
        check_g.case_skipped = 1;
}

/* `acceltran perf --model bert-tiny --batch 1 --seq 32` on both backends. */
static void t_model(void)
{
    int ran = 0;
    for (size_t c = 0; c < NCONFIGS; c++) {
        const char *config = k_configs[c];
        if (!at_cosim_available(AT_COSIM_RTL, config)) {
            check_skip(1, "bert-tiny cycle model on %s: this build has no rtl model of it", config);
            continue;
        }
        ran++;
        at_perf_result res[2];
        static const char *const be[2] = {"fmodel", "rtl"};
        int ok = 1;
        for (int b = 0; b < 2; b++) {
            at_perf_opts o = {0};
            o.model = "bert-tiny";
            o.backend = be[b];
            o.config = config;
            o.batch = 1;
            o.seq = 32;
            o.sites = 0;
            o.seed = g_seed;
            at_err err = {0};
            memset(&res[b], 0, sizeof res[b]);
            int rc = at_perf_run(&o, &res[b], &err);
            CHECK(rc == 0, "%s/%s: perf bert-tiny: %d %s", be[b], config, rc, err.msg);
            ok &= rc == 0;
        }
        if (!ok)
            continue;
        const at_perf_result *f = &res[0], *r = &res[1];
        double e = rel_err(f->cycles, r->cycles), eg = rel_err(f->compute_cycles, r->compute_cycles);
        printf("  %-4s bert-tiny batch 1 x 32: cycles rtl %" PRIu64 " fmodel %" PRIu64 " (%+.3f); GEMM_BUSY rtl %" PRIu64
               " fmodel %" PRIu64 " (%+.3f); rtl %.1f s\n",
               config, r->cycles, f->cycles, (double)f->cycles / (double)(r->cycles ? r->cycles : 1) - 1.0,
               r->compute_cycles, f->compute_cycles,
               (double)f->compute_cycles / (double)(r->compute_cycles ? r->compute_cycles : 1) - 1.0,
               r->host_seconds);
        g_worst[c] = e > g_worst[c] ? e : g_worst[c];
        g_worst[c] = eg > g_worst[c] ? eg : g_worst[c];
        CHECK(f->macs == r->macs && f->mac_skipped == r->mac_skipped,
              "%s bert-tiny: MACs fmodel %" PRIu64 " / %" PRIu64 " skipped, rtl %" PRIu64 " / %" PRIu64, config,
              f->macs, f->mac_skipped, r->macs, r->mac_skipped);
        CHECK(e <= TOL && eg <= TOL,
              "%s bert-tiny: |fmodel/rtl - 1| of the cycles %.3f (%" PRIu64 " vs %" PRIu64 "), of GEMM_BUSY %.3f (%" PRIu64
              " vs %" PRIu64 "): above %.2f",
              config, e, f->cycles, r->cycles, eg, f->compute_cycles, r->compute_cycles, TOL);
    }
    if (!ran)
        check_g.case_skipped = 1;
}

int main(void)
{
    g_seed = check_seed("test_cosim_cycles", 0xC1C1Eu);
    RUN_CASE(t_gemm);
    RUN_CASE(t_model);
    for (size_t c = 0; c < NCONFIGS; c++)
        printf("  %s: worst |fmodel/rtl - 1| = %.3f\n", k_configs[c], g_worst[c]);
    return check_finish("test_cosim_cycles");
}
