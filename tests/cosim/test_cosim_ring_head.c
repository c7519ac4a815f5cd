/* The RING_HEAD rule of docs/isa.md ("The queue"): HEAD moves past a ring
 * slot only once the slot's descriptor has been read in full (or its fetch
 * failed a check), so the slots behind HEAD may be rewritten at once. On
 * every available backend:
 *   - head_waits_for_data: four FENCEs rung at once; while their fetches
 *     wait out the memory latency RING_HEAD stays 0; each slot is rewritten
 *     (a FENCE of another value) as soon as HEAD is seen past it, and the
 *     FENCEs that ran must be the old ones;
 *   - failed_fetch: a fetch failing the window check behind two reads in
 *     flight: HEAD stays 0 until their data can have arrived, and the halt
 *     leaves it at the failing index;
 *   - reuse_small_ring: FENCEs streamed through a 4-entry ring, each slot
 *     refilled as soon as HEAD passes it, with seeded random pauses between
 *     the producer's steps; every FENCE value must land where its own
 *     descriptor says.
 * A device that advances HEAD when a fetch is requested (before its data
 * arrives) fails all three on the rtl backend. */
#include "cosim_util.h"
#include "rng.h"

#define SMALL_LOG2 2u
#define STREAM_N 200u

static uint64_t g_seed;

/* Descriptor w into ring slot `slot` (no doorbell). */
static void put_slot(cdev *d, uint32_t slot, const uint32_t w[AT_DESC_WORDS])
{
    uint8_t b[AT_DESC_BYTES];
    for (unsigned i = 0; i < AT_DESC_WORDS; i++)
        for (unsigned k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(w[i] >> (8 * k));
    cu_put(d, d->ring + 64ull * slot, b, AT_DESC_BYTES);
}

/* Runs until idle (or halted); CHECKs that it got there. */
static void wait_idle(cdev *d, const char *what)
{
    at_cosim_why why = 0;
    at_err err = {0};
    int rc = at_cosim_run(d->c, AT_COSIM_UNTIL_IDLE, 1000000, &why, &err);
    CHECK(rc == 0 && why == AT_COSIM_STOPPED_IDLE, "%s on %s: run: rc %d why %d %s", what, cu_name(d), rc, (int)why,
          err.msg);
}

static void head_waits_for_data(at_cosim_backend be)
{
    cdev d;
    if (cu_open(&d, be, AT_COSIM_FAST, 1))
        return;
    const char *bn = cu_name(&d);
    const uint64_t lat = d.cfg->mem_latency_cycles;
    uint64_t fw = cu_alloc(&d, 64);
    uint32_t zero[4] = {0}, w[AT_DESC_WORDS];
    cu_put(&d, fw, zero, sizeof zero);
    for (uint32_t i = 0; i < 4; i++) {
        desc_fence(w, 0xA0000000u + i, fw + 4 * i, 0, i);
        put_slot(&d, i, w);
    }
    uint64_t t0 = at_cosim_cycles(d.c);
    cu_wr(&d, AT_REG_RING_TAIL, 4);
    uint32_t passed = 0, early = 0;
    int early_bad = 0;
    for (int it = 0; it < 20000 && passed < 4; it++) {
        uint32_t h = cu_rd(&d, AT_REG_RING_HEAD);
        uint64_t t = at_cosim_cycles(d.c) - t0;
        if (t < lat) {
            /* read back before any descriptor can have arrived (first failure only) */
            CHECK(h == 0 || early_bad, "%s: RING_HEAD %u %" PRIu64 " cycles after the doorbell (memory latency %" PRIu64
                  "): moved before the descriptor was read", bn, h, t, lat);
            early_bad |= h != 0;
            early++;
        }
        CHECK(h >= passed && h <= 4, "%s: RING_HEAD %u after %u (4 descriptors)", bn, h, passed);
        if (h < passed || h > 4)
            break;
        /* the slots behind HEAD are free: overwrite them at once */
        for (; passed < h; passed++) {
            desc_fence(w, 0xBAD00000u + passed, fw + 4 * passed, 0, 0x80 + passed);
            put_slot(&d, passed, w);
        }
    }
    CHECK(early > 0, "%s: no RING_HEAD read within the memory latency (%" PRIu64 " cycles)", bn, lat);
    CHECK(passed == 4, "%s: RING_HEAD reached %u of 4", bn, passed);
    wait_idle(&d, "head_waits_for_data");
    uint32_t got[4];
    cu_get(&d, fw, got, sizeof got);
    for (uint32_t i = 0; i < 4; i++)
        CHECK(got[i] == 0xA0000000u + i, "%s: FENCE %u wrote 0x%08x, want 0x%08x (its slot, rewritten once HEAD "
              "passed it, was read afterwards)", bn, i, got[i], 0xA0000000u + i);
    uint32_t st = cu_rd(&d, AT_REG_STATUS), head = cu_rd(&d, AT_REG_RING_HEAD), fd = cu_rd(&d, AT_REG_FENCE_DONE);
    uint64_t cmds = cu_cnt(&d, AT_REG_CNT_CMDS_LO);
    CHECK(st == AT_REG_STATUS_IDLE_MASK && head == 4 && fd == 0xA0000003u && cmds == 4,
          "%s: STATUS 0x%x RING_HEAD %u FENCE_DONE 0x%08x CNT_CMDS %" PRIu64 " (want IDLE, 4, 0xa0000003, 4)", bn, st,
          head, fd, cmds);
    printf("  %s: HEAD 0 in %u reads within the memory latency\n", bn, early);
    cu_close(&d);
}

static void failed_fetch(at_cosim_backend be)
{
    cdev d;
    if (cu_open(&d, be, AT_COSIM_FAST, 1))
        return;
    const char *bn = cu_name(&d);
    const uint64_t lat = d.cfg->mem_latency_cycles;
    /* window 0 holds ring slots 0 and 1 only: slot 2's fetch fails its check */
    cu_wr(&d, AT_REG_WIN0_BASE_LO, (uint32_t)d.ring);
    cu_wr(&d, AT_REG_WIN0_BASE_HI, (uint32_t)(d.ring >> 32));
    cu_wr(&d, AT_REG_WIN0_SIZE_LO, 128);
    cu_wr(&d, AT_REG_WIN0_SIZE_HI, 0);
    uint32_t w[AT_DESC_WORDS];
    for (uint32_t i = 0; i < 3; i++) {
        memset(w, 0, sizeof w);
        AT_DPUT(w, OPCODE, AT_OP_NOP);
        AT_DPUT(w, TAG, 0x40 + i);
        put_slot(&d, i, w);
    }
    uint64_t t0 = at_cosim_cycles(d.c);
    cu_wr(&d, AT_REG_RING_TAIL, 3);
    uint32_t early = 0, moved = 0;
    for (;;) {
        uint32_t h = cu_rd(&d, AT_REG_RING_HEAD);
        uint64_t t = at_cosim_cycles(d.c) - t0;
        if (t >= lat)
            break;
        CHECK(h == 0, "%s: RING_HEAD %u %" PRIu64 " cycles after the doorbell (memory latency %" PRIu64
              "): moved before slot 0 was read", bn, h, t, lat);
        moved = h != 0;
        if (moved)
            break;
        early++;
    }
    CHECK(early > 0 || moved, "%s: no RING_HEAD read within the memory latency", bn);
    wait_idle(&d, "failed_fetch");
    uint32_t st = cu_rd(&d, AT_REG_STATUS), head = cu_rd(&d, AT_REG_RING_HEAD), code = cu_rd(&d, AT_REG_ERR_CODE);
    CHECK(st == AT_REG_STATUS_HALTED_MASK && head == 2 &&
              AT_GET(AT_REG_ERR_CODE_CODE, code) == AT_DEVERR_ADDR_WINDOW,
          "%s: STATUS 0x%x RING_HEAD %u ERR_CODE 0x%08x (want HALTED, 2, ADDR_WINDOW)", bn, st, head, code);
    cu_close(&d);
}

static void reuse_small_ring(at_cosim_backend be)
{
    cdev d;
    if (cu_open(&d, be, AT_COSIM_FAST, 1))
        return;
    const char *bn = cu_name(&d);
    const uint32_t size = 1u << SMALL_LOG2, mask = size - 1;
    const uint64_t lat = d.cfg->mem_latency_cycles;
    cu_wr(&d, AT_REG_RING_SIZE, SMALL_LOG2); /* idle: HEAD = TAIL = 0 */
    uint64_t fw = cu_alloc(&d, 4ull * STREAM_N);
    static uint32_t got[STREAM_N];
    memset(got, 0, sizeof got);
    cu_put(&d, fw, got, sizeof got);
    rng_state = g_seed;
    uint32_t n = 0, steps = 0;
    at_err err = {0};
    while (n < STREAM_N && steps < 100000) {
        steps++;
        uint32_t h = cu_rd(&d, AT_REG_RING_HEAD);
        CHECK(h < size, "%s: RING_HEAD %u outside a %u-entry ring", bn, h, size);
        uint32_t used = ((n & mask) - h) & mask, wrote = 0;
        for (; used + wrote < size - 1 && n < STREAM_N; wrote++, n++) {
            uint32_t w[AT_DESC_WORDS];
            desc_fence(w, 0xC0000000u + n, fw + 4ull * n, 0, n);
            put_slot(&d, n & mask, w);
        }
        if (wrote)
            cu_wr(&d, AT_REG_RING_TAIL, n & mask);
        uint64_t pause = (uint64_t)rand_range(0, (int64_t)(2 * lat));
        if (pause)
            at_cosim_run(d.c, AT_COSIM_UNTIL_CYCLES, pause, NULL, &err);
    }
    CHECK(n == STREAM_N, "%s: wrote %u of %u descriptors in %u steps (seed 0x%" PRIx64 ")", bn, n, STREAM_N, steps,
          g_seed);
    wait_idle(&d, "reuse_small_ring");
    cu_get(&d, fw, got, sizeof got);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < STREAM_N; i++)
        if (got[i] != 0xC0000000u + i && bad++ < 4)
            CHECK(0, "%s: FENCE %u wrote 0x%08x, want 0x%08x (seed 0x%" PRIx64 ")", bn, i, got[i], 0xC0000000u + i,
                  g_seed);
    CHECK(bad == 0, "%s: %u of %u FENCE values wrong (seed 0x%" PRIx64 ")", bn, bad, STREAM_N, g_seed);
    uint32_t st = cu_rd(&d, AT_REG_STATUS), head = cu_rd(&d, AT_REG_RING_HEAD);
    uint64_t cmds = cu_cnt(&d, AT_REG_CNT_CMDS_LO);
    CHECK(st == AT_REG_STATUS_IDLE_MASK && head == (STREAM_N & mask) && cmds == STREAM_N,
          "%s: STATUS 0x%x RING_HEAD %u CNT_CMDS %" PRIu64 " (want IDLE, %u, %u; seed 0x%" PRIx64 ")", bn, st, head,
          cmds, STREAM_N & mask, STREAM_N, g_seed);
    printf("  %s: %u FENCEs through a %u-entry ring in %u producer steps\n", bn, STREAM_N, size, steps);
    cu_close(&d);
}

static void t_head_waits_for_data(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    for (int b = 0; b < nb; b++)
        head_waits_for_data(bes[b]);
}

static void t_failed_fetch(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    for (int b = 0; b < nb; b++)
        failed_fetch(bes[b]);
}

static void t_reuse_small_ring(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    for (int b = 0; b < nb; b++)
        reuse_small_ring(bes[b]);
}

int main(void)
{
    g_seed = check_seed("test_cosim_ring_head", 0x2eadu);
    RUN_CASE(t_head_waits_for_data);
    RUN_CASE(t_failed_fetch);
    RUN_CASE(t_reuse_small_ring);
    return check_finish("test_cosim_ring_head");
}
