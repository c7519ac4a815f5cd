/* Shared by the cross-backend cosim tests (tests/cosim/test_cosim_*.c):
 * the backends to run, a device with its ring programmed, register and
 * counter access (the descriptor builders are tests/common/desc_build.h).
 * Each test loops over every available backend (fmodel always; rtl when
 * this program has its model of the configuration) and compares the
 * backends with each other and with a reference computed in C. Set
 * ACCELTRAN_COSIM_BACKENDS=fmodel (or rtl) to run one,
 * ACCELTRAN_COSIM_PROFILE=debug to use the debug profile (assertions,
 * randomized initial state) for every device, ACCELTRAN_COSIM_CONFIG=mid
 * (any configuration of the spec) to run on another configuration than
 * tiny (tests/cosim/test_cosim_mid.sh). */
#ifndef ACCELTRAN_TESTS_COSIM_UTIL_H
#define ACCELTRAN_TESTS_COSIM_UTIL_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acceltran_cosim.h"
#include "check.h"
#include "desc_build.h"

/* The configuration of every device: ACCELTRAN_COSIM_CONFIG, else tiny. */
static inline const char *cu_config(void)
{
    const char *c = getenv("ACCELTRAN_COSIM_CONFIG");
    return c && *c ? c : "tiny";
}
#define CU_CONFIG cu_config()
#define CU_MEM_BYTES (64ull << 20)
#define CU_RING_LOG2 12u /* 4096 descriptors: every job of these tests fits without wrapping */

static inline double cu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The backends to test: fmodel, then rtl when available. */
static inline int cu_backends(at_cosim_backend out[2])
{
    const char *only = getenv("ACCELTRAN_COSIM_BACKENDS");
    int n = 0;
    if (!only || strstr(only, "fmodel"))
        out[n++] = AT_COSIM_FMODEL;
    if (!only || strstr(only, "rtl")) {
        if (at_cosim_available(AT_COSIM_RTL, CU_CONFIG))
            out[n++] = AT_COSIM_RTL;
        else
            check_skip(1, "rtl/%s: the rtl backend is not in this build", CU_CONFIG);
    }
    return n;
}

typedef struct cdev {
    at_cosim *c;
    at_cosim_backend be;
    const at_hw_config *cfg;
    uint64_t ring;
    uint32_t n; /* descriptors written since the ring was programmed */
    uint64_t sim_cycles;
    double sim_seconds;
} cdev;

static inline uint32_t cu_rd(cdev *d, uint32_t off)
{
    at_err err = {0};
    uint32_t v = 0;
    int rc = at_cosim_mmio_read(d->c, off, &v, &err);
    CHECK(rc == 0, "%s: mmio_read 0x%03x: %d %s", at_cosim_backend_name(d->be), off, rc, err.msg);
    return v;
}

static inline void cu_wr(cdev *d, uint32_t off, uint32_t v)
{
    at_err err = {0};
    int rc = at_cosim_mmio_write(d->c, off, v, &err);
    CHECK(rc == 0, "%s: mmio_write 0x%03x: %d %s", at_cosim_backend_name(d->be), off, rc, err.msg);
}

/* 48-bit counter: LO then HI (reading LO latches HI). */
static inline uint64_t cu_cnt(cdev *d, uint32_t lo)
{
    uint64_t l = cu_rd(d, lo);
    uint64_t h = cu_rd(d, lo + 4);
    return l | (h << 32);
}

/* Window 0 over all host memory, the ring, interrupts, enable. */
static inline void cu_program(cdev *d)
{
    uint64_t base = at_cosim_mem_base(d->c), size = at_cosim_mem_size(d->c);
    cu_wr(d, AT_REG_WIN0_BASE_LO, (uint32_t)base);
    cu_wr(d, AT_REG_WIN0_BASE_HI, (uint32_t)(base >> 32));
    cu_wr(d, AT_REG_WIN0_SIZE_LO, (uint32_t)size);
    cu_wr(d, AT_REG_WIN0_SIZE_HI, (uint32_t)(size >> 32));
    cu_wr(d, AT_REG_RING_BASE_LO, (uint32_t)d->ring);
    cu_wr(d, AT_REG_RING_BASE_HI, (uint32_t)(d->ring >> 32));
    cu_wr(d, AT_REG_RING_SIZE, CU_RING_LOG2);
    cu_wr(d, AT_REG_IRQ_ENABLE, AT_REG_IRQ_ENABLE_DONE_MASK | AT_REG_IRQ_ENABLE_ERROR_MASK);
    cu_wr(d, AT_REG_CTRL, AT_REG_CTRL_ENABLE_MASK);
    d->n = 0;
}

/* A device of configuration config (cu_open: CU_CONFIG). */
static inline int cu_open_config(cdev *d, at_cosim_backend be, at_cosim_profile prof, uint64_t seed,
                                 const char *config)
{
    memset(d, 0, sizeof *d);
    const char *pe = getenv("ACCELTRAN_COSIM_PROFILE");
    if (pe && !strcmp(pe, "debug"))
        prof = AT_COSIM_DEBUG;
    at_cosim_opts o = {be, config, prof, 0, CU_MEM_BYTES, seed};
    at_err err = {0};
    int rc = at_cosim_create(&o, &d->c, &err);
    CHECK(rc == 0, "%s: create: %d %s", at_cosim_backend_name(be), rc, err.msg);
    if (rc)
        return rc;
    d->be = be;
    d->cfg = at_cosim_config(d->c);
    rc = at_cosim_mem_alloc(d->c, 64ull << CU_RING_LOG2, 4096, &d->ring, &err);
    CHECK(rc == 0, "ring alloc: %s", err.msg);
    if (rc)
        return rc;
    cu_program(d);
    return 0;
}

static inline int cu_open(cdev *d, at_cosim_backend be, at_cosim_profile prof, uint64_t seed)
{
    return cu_open_config(d, be, prof, seed, CU_CONFIG);
}

static inline void cu_close(cdev *d)
{
    at_cosim_destroy(d->c);
    d->c = NULL;
}

static inline const char *cu_name(const cdev *d) { return at_cosim_backend_name(d->be); }

static inline uint64_t cu_alloc(cdev *d, uint64_t bytes)
{
    uint64_t a = 0;
    at_err err = {0};
    int rc = at_cosim_mem_alloc(d->c, bytes, 64, &a, &err);
    CHECK(rc == 0, "alloc %" PRIu64 ": %s", bytes, err.msg);
    return a;
}

static inline void cu_put(cdev *d, uint64_t addr, const void *p, uint64_t n)
{
    at_err err = {0};
    int rc = at_cosim_mem_write(d->c, addr, p, n, &err);
    CHECK(rc == 0, "mem_write: %s", err.msg);
}

static inline void cu_get(cdev *d, uint64_t addr, void *p, uint64_t n)
{
    at_err err = {0};
    int rc = at_cosim_mem_read(d->c, addr, p, n, &err);
    CHECK(rc == 0, "mem_read: %s", err.msg);
}

/* Writes a descriptor into the next ring slot (not yet announced). */
static inline void cu_push(cdev *d, const uint32_t desc[AT_DESC_WORDS])
{
    uint32_t size = 1u << CU_RING_LOG2;
    CHECK(d->n < size - 1, "ring full (%u descriptors)", d->n);
    if (d->n >= size - 1)
        return;
    uint8_t b[AT_DESC_BYTES];
    for (unsigned w = 0; w < AT_DESC_WORDS; w++)
        for (unsigned k = 0; k < 4; k++)
            b[4 * w + k] = (uint8_t)(desc[w] >> (8 * k));
    cu_put(d, d->ring + 64ull * d->n, b, AT_DESC_BYTES);
    d->n++;
}

/* Rings the doorbell and runs until idle; returns the why. */
static inline at_cosim_why cu_kick_wait(cdev *d, uint64_t max_cycles)
{
    cu_wr(d, AT_REG_RING_TAIL, d->n & ((1u << CU_RING_LOG2) - 1));
    at_cosim_why why = 0;
    at_err err = {0};
    uint64_t c0 = at_cosim_cycles(d->c);
    double t0 = cu_now();
    int rc = at_cosim_run(d->c, AT_COSIM_UNTIL_IDLE, max_cycles, &why, &err);
    d->sim_seconds += cu_now() - t0;
    d->sim_cycles += at_cosim_cycles(d->c) - c0;
    CHECK(rc == 0, "%s: run: %d %s", cu_name(d), rc, err.msg);
    CHECK(why == AT_COSIM_STOPPED_IDLE, "%s: run stopped with why %d after %" PRIu64 " cycles (not idle)", cu_name(d),
          (int)why, at_cosim_cycles(d->c) - c0);
    return why;
}

/* The exact counters compared across backends. */
typedef struct cu_counts {
    uint64_t mac_issued, mac_skipped, pruned, mem_wr_bytes, cmds, mem_rd_bytes;
    uint64_t smx_rows, ln_rows;
} cu_counts;

/* The unit counters (the fmodel's estimate in fmodel; checked for
 * consistency, not compared exactly across backends). */
typedef struct cu_units {
    uint64_t busy, gemm, smx, ln, load, store, dma_only;
} cu_units;

static inline void cu_read_counts(cdev *d, cu_counts *c)
{
    c->mac_issued = cu_cnt(d, AT_REG_CNT_MAC_ISSUED_LO);
    c->mac_skipped = cu_cnt(d, AT_REG_CNT_MAC_SKIPPED_LO);
    c->pruned = cu_cnt(d, AT_REG_CNT_PRUNED_LO);
    c->mem_wr_bytes = cu_cnt(d, AT_REG_CNT_MEM_WR_BYTES_LO);
    c->cmds = cu_cnt(d, AT_REG_CNT_CMDS_LO);
    c->mem_rd_bytes = cu_cnt(d, AT_REG_CNT_MEM_RD_BYTES_LO);
    c->smx_rows = cu_cnt(d, AT_REG_CNT_SMX_ROWS_LO);
    c->ln_rows = cu_cnt(d, AT_REG_CNT_LN_ROWS_LO);
}

static inline void cu_read_units(cdev *d, cu_units *u)
{
    u->busy = cu_cnt(d, AT_REG_CNT_BUSY_LO);
    u->gemm = cu_cnt(d, AT_REG_CNT_GEMM_BUSY_LO);
    u->smx = cu_cnt(d, AT_REG_CNT_SMX_BUSY_LO);
    u->ln = cu_cnt(d, AT_REG_CNT_LN_BUSY_LO);
    u->load = cu_cnt(d, AT_REG_CNT_LOAD_BUSY_LO);
    u->store = cu_cnt(d, AT_REG_CNT_STORE_BUSY_LO);
    u->dma_only = cu_cnt(d, AT_REG_CNT_DMA_ONLY_LO);
}

/* The scratchpad counters (docs/isa.md): SPAD_RD / SPAD_WR and the
 * per-buffer ones. Writes are exact in both backends; the compute engine's
 * reads are exact in rtl and the command semantics' count in fmodel. */
typedef struct cu_spad {
    uint64_t rd, wr, act_rd, act_wr, wgt_rd, wgt_wr, mask_rd, mask_wr;
} cu_spad;

static inline void cu_read_spad(cdev *d, cu_spad *s)
{
    s->rd = cu_cnt(d, AT_REG_CNT_SPAD_RD_LO);
    s->wr = cu_cnt(d, AT_REG_CNT_SPAD_WR_LO);
    s->act_rd = cu_cnt(d, AT_REG_CNT_SPAD_ACT_RD_LO);
    s->act_wr = cu_cnt(d, AT_REG_CNT_SPAD_ACT_WR_LO);
    s->wgt_rd = cu_cnt(d, AT_REG_CNT_SPAD_WGT_RD_LO);
    s->wgt_wr = cu_cnt(d, AT_REG_CNT_SPAD_WGT_WR_LO);
    s->mask_rd = cu_cnt(d, AT_REG_CNT_SPAD_MASK_RD_LO);
    s->mask_wr = cu_cnt(d, AT_REG_CNT_SPAD_MASK_WR_LO);
}

/* What one job's commands give the scratchpad counters: the DMA's lines by
 * buffer (exact on both backends), the compute engine's writes (exact) and
 * its reads as the command semantics touch them (the fmodel's count; the
 * rtl reads at least these). */
typedef struct cu_spad_want {
    uint64_t dma_act_rd, dma_wgt_rd, dma_mask_rd; /* STORE lines from each buffer */
    uint64_t dma_act_wr, dma_act_wr_mask, dma_wgt_wr, dma_mask_wr; /* LOAD lines (_mask: without KEEP_MASK) */
    uint64_t c_act_rd, c_wgt_rd, c_act_wr; /* the compute engine's lines */
} cu_spad_want;

/* CHECKs s against w: the writes exactly, the DMA reads exactly (a compute
 * activation read takes its mask word, so MASK_RD - 16 x the mask lines
 * STOREd is the compute's activation reads, and ACT_RD less that is the
 * STOREs' lines), the compute reads exactly when `exact_rd` (fmodel) or at
 * least (rtl), and the sums SPAD_RD / SPAD_WR. */
static inline void cu_check_spad(const char *what, const char *bn, const cu_spad *s, const cu_spad_want *w,
                                 int exact_rd)
{
    uint64_t act_wr = w->dma_act_wr + w->c_act_wr, mask_wr = w->dma_act_wr_mask + w->c_act_wr + 16 * w->dma_mask_wr;
    CHECK(s->act_wr == act_wr && s->wgt_wr == w->dma_wgt_wr && s->mask_wr == mask_wr,
          "%s on %s: SPAD_ACT_WR %" PRIu64 " WGT_WR %" PRIu64 " MASK_WR %" PRIu64 ", want %" PRIu64 " %" PRIu64
          " %" PRIu64,
          what, bn, s->act_wr, s->wgt_wr, s->mask_wr, act_wr, w->dma_wgt_wr, mask_wr);
    CHECK(s->wr == s->act_wr + s->wgt_wr + w->dma_mask_wr, "%s on %s: SPAD_WR %" PRIu64 " != ACT_WR + WGT_WR + %" PRIu64
          " mask lines", what, bn, s->wr, w->dma_mask_wr);
    CHECK(s->rd == s->act_rd + s->wgt_rd + w->dma_mask_rd, "%s on %s: SPAD_RD %" PRIu64 " != ACT_RD %" PRIu64
          " + WGT_RD %" PRIu64 " + %" PRIu64 " mask lines", what, bn, s->rd, s->act_rd, s->wgt_rd, w->dma_mask_rd);
    uint64_t c_ar = s->mask_rd - 16 * w->dma_mask_rd;
    CHECK(s->mask_rd >= 16 * w->dma_mask_rd && s->act_rd - c_ar == w->dma_act_rd,
          "%s on %s: SPAD_ACT_RD %" PRIu64 " MASK_RD %" PRIu64 ": the STOREs' activation lines %" PRIu64
          " and mask lines %" PRIu64 " do not follow",
          what, bn, s->act_rd, s->mask_rd, w->dma_act_rd, w->dma_mask_rd);
    uint64_t c_wr = s->wgt_rd - w->dma_wgt_rd;
    if (exact_rd)
        CHECK(c_ar == w->c_act_rd && c_wr == w->c_wgt_rd,
              "%s on %s: compute reads: activation %" PRIu64 " weight %" PRIu64 ", the commands touch %" PRIu64
              " %" PRIu64,
              what, bn, c_ar, c_wr, w->c_act_rd, w->c_wgt_rd);
    else
        CHECK(c_ar >= w->c_act_rd && c_wr >= w->c_wgt_rd && s->wgt_rd >= w->dma_wgt_rd,
              "%s on %s: compute reads: activation %" PRIu64 " weight %" PRIu64 ", fewer than the %" PRIu64 " %" PRIu64
              " the commands touch",
              what, bn, c_ar, c_wr, w->c_act_rd, w->c_wgt_rd);
}

/* What holds for the unit counters of any run: the compute engine runs one
 * command at a time inside the busy time, DMA_ONLY is the part of the
 * DMA engines' time without compute. `has` (bit 0 GEMM, 1 SOFTMAX, 2
 * LAYERNORM, 3 LOAD, 4 STORE) says which must be non-zero; the others
 * must be 0. */
static inline void cu_check_units(const char *what, const char *bn, const cu_units *u, unsigned has)
{
    const uint64_t v[5] = {u->gemm, u->smx, u->ln, u->load, u->store};
    static const char *const nm[5] = {"GEMM_BUSY", "SMX_BUSY", "LN_BUSY", "LOAD_BUSY", "STORE_BUSY"};
    for (int i = 0; i < 5; i++)
        CHECK(((has >> i) & 1u) ? v[i] > 0 : v[i] == 0, "%s on %s: CNT_%s %" PRIu64 " (want %s)", what, bn, nm[i],
              v[i], ((has >> i) & 1u) ? "> 0" : "0");
    uint64_t comp = u->gemm + u->smx + u->ln, dma = u->load > u->store ? u->load : u->store;
    CHECK(comp + u->dma_only <= u->busy, "%s on %s: GEMM+SMX+LN_BUSY %" PRIu64 " + DMA_ONLY %" PRIu64 " > BUSY %" PRIu64,
          what, bn, comp, u->dma_only, u->busy);
    CHECK(u->dma_only <= u->load + u->store && u->dma_only + comp >= dma,
          "%s on %s: DMA_ONLY %" PRIu64 " outside [max(LOAD %" PRIu64 ", STORE %" PRIu64 ") - compute %" PRIu64
          ", LOAD + STORE]",
          what, bn, u->dma_only, u->load, u->store, comp);
}

/* CHECKs every counter of got against want (names both sides). */
static inline void cu_check_counts(const char *what, const char *gname, const cu_counts *got, const char *wname,
                            const cu_counts *want, int with_rd)
{
#define CU_CMP(f)                                                                                           \
    CHECK(got->f == want->f, "%s: CNT %s: %s %" PRIu64 " vs %s %" PRIu64, what, #f, gname, got->f, wname, \
          want->f)
    CU_CMP(mac_issued);
    CU_CMP(mac_skipped);
    CU_CMP(pruned);
    CU_CMP(mem_wr_bytes);
    CU_CMP(cmds);
    CU_CMP(smx_rows);
    CU_CMP(ln_rows);
    if (with_rd)
        CU_CMP(mem_rd_bytes);
#undef CU_CMP
}

/* First differing byte of two buffers, printed with both sides. */
static inline int cu_same_bytes(const char *what, const char *an, const uint8_t *a, const char *bn, const uint8_t *b,
                         uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            uint64_t e = i & ~(uint64_t)1;
            CHECK(0, "%s: byte %" PRIu64 " (int16 #%" PRIu64 "): %s 0x%02x (%d) vs %s 0x%02x (%d)", what, i, e / 2, an,
                  a[i], (int16_t)(a[e] | a[e + 1] << 8), bn, b[i], (int16_t)(b[e] | b[e + 1] << 8));
            return 0;
        }
    return 1;
}

#endif
