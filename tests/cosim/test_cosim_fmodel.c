/* Tests of the cosim API (cosim/acceltran_cosim.h) on the fmodel backend:
 * creation and argument checks, host memory, the registers (reset values,
 * access types, ID/CONFIG, counter latches), a descriptor ring with
 * LOAD / GEMM / STORE / FENCE run to the interrupt and checked against
 * the command semantics (device_exec on a local scratchpad, LOAD/STORE
 * written here), every device error provoked and recovered with a soft
 * reset, the run() limits and the timing estimate's basic properties. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_cosim.h"
#include "check.h"
#include "desc_build.h"
#include "cosim_backend.h"
#include "device_exec.h"
#include "device_fmodel.h"
#include "pe_model.h"
#include "rng.h"

static uint64_t g_seed;

/* ------------------------------------------------------------ helpers */

static at_cosim *dev_new(const char *config)
{
    at_cosim_opts o = {.backend = AT_COSIM_FMODEL, .config = config};
    at_cosim *c = NULL;
    at_err err = {0};
    int rc = at_cosim_create(&o, &c, &err);
    CHECK(rc == 0 && c, "create %s: %d %s", config, rc, err.msg);
    return c;
}

static uint32_t rd(at_cosim *c, uint32_t off)
{
    uint32_t v = 0xdeadbeef;
    at_err err = {0};
    int rc = at_cosim_mmio_read(c, off, &v, &err);
    CHECK(rc == 0, "mmio read %#x: %d %s", off, rc, err.msg);
    return v;
}

static void wr(at_cosim *c, uint32_t off, uint32_t v)
{
    at_err err = {0};
    int rc = at_cosim_mmio_write(c, off, v, &err);
    CHECK(rc == 0, "mmio write %#x: %d %s", off, rc, err.msg);
}

static uint64_t cnt(at_cosim *c, uint32_t lo_off)
{
    uint64_t lo = rd(c, lo_off);
    uint64_t hi = rd(c, lo_off + 4);
    return lo | hi << 32;
}

static uint64_t alloc(at_cosim *c, uint64_t bytes, uint64_t align)
{
    uint64_t a = 0;
    at_err err = {0};
    int rc = at_cosim_mem_alloc(c, bytes, align, &a, &err);
    CHECK(rc == 0, "alloc %llu: %d %s", (unsigned long long)bytes, rc, err.msg);
    return a;
}

static void mwrite(at_cosim *c, uint64_t a, const void *p, uint64_t n)
{
    at_err err = {0};
    int rc = at_cosim_mem_write(c, a, p, n, &err);
    CHECK(rc == 0, "mem write %#llx: %s", (unsigned long long)a, err.msg);
}

static void mread(at_cosim *c, uint64_t a, void *p, uint64_t n)
{
    at_err err = {0};
    int rc = at_cosim_mem_read(c, a, p, n, &err);
    CHECK(rc == 0, "mem read %#llx: %s", (unsigned long long)a, err.msg);
}

static at_cosim_why run(at_cosim *c, at_cosim_stop until, uint64_t max)
{
    at_cosim_why why = 0;
    at_err err = {0};
    int rc = at_cosim_run(c, until, max, &why, &err);
    CHECK(rc == 0, "run: %d %s", rc, err.msg);
    return why;
}

/* A platform set up for a job: window 0 = all host memory, a ring of 64
 * entries, IRQs enabled, device enabled. */
typedef struct job {
    at_cosim *c;
    uint64_t ring;
    uint32_t log2, tail;
} job;

static void job_setup(job *j, at_cosim *c)
{
    j->c = c;
    j->log2 = 6;
    j->ring = alloc(c, 64u << j->log2, 64);
    j->tail = 0;
    uint64_t base = at_cosim_mem_base(c), size = at_cosim_mem_size(c);
    wr(c, AT_REG_WIN0_BASE_LO, (uint32_t)base);
    wr(c, AT_REG_WIN0_BASE_HI, (uint32_t)(base >> 32));
    wr(c, AT_REG_WIN0_SIZE_LO, (uint32_t)size);
    wr(c, AT_REG_WIN0_SIZE_HI, (uint32_t)(size >> 32));
    wr(c, AT_REG_RING_BASE_LO, (uint32_t)j->ring);
    wr(c, AT_REG_RING_BASE_HI, (uint32_t)(j->ring >> 32));
    wr(c, AT_REG_RING_SIZE, j->log2);
    wr(c, AT_REG_IRQ_ENABLE, 3);
    wr(c, AT_REG_CTRL, 1);
}

static void job_push(job *j, const uint32_t d[AT_DESC_WORDS])
{
    uint8_t b[64];
    for (int w = 0; w < 16; w++)
        for (int i = 0; i < 4; i++)
            b[4 * w + i] = (uint8_t)(d[w] >> (8 * i));
    mwrite(j->c, j->ring + 64u * j->tail, b, 64);
    j->tail = (j->tail + 1) & ((1u << j->log2) - 1);
}

static void job_ring(job *j)
{
    wr(j->c, AT_REG_RING_TAIL, j->tail);
}

/* LOAD semantics on a local scratchpad, written independently of the model:
 * mem points at the transfer's row 0. */
static void local_load(at_spad *sp, const uint32_t *d, const uint8_t *mem)
{
    unsigned buf = AT_DGET(d, XFER_BUF), rows = AT_DGET(d, XFER_ROWS), cols = AT_DGET(d, XFER_COLS);
    unsigned ncb = (cols + 15) / 16;
    for (unsigned r = 0; r < rows; r++)
        for (unsigned cb = 0; cb < ncb; cb++) {
            uint64_t line = AT_DGET(d, XFER_SPAD) + (uint64_t)r * AT_DGET(d, XFER_SPAD_ROW_STEP) +
                            (uint64_t)cb * AT_DGET(d, XFER_SPAD_CB_STEP);
            const uint8_t *p = mem + (uint64_t)r * AT_DGET(d, XFER_MEM_STRIDE) + 32u * cb;
            uint16_t mask = 0;
            for (unsigned j = 0; j < 16; j++) {
                int16_t e = 0;
                if (16 * cb + j < cols) {
                    e = (int16_t)(uint16_t)(p[2 * j] | p[2 * j + 1] << 8);
                    mask |= (uint16_t)(1u << j);
                }
                if (buf == 0)
                    sp->act[line][j] = e;
                else if (buf == 1)
                    sp->wgt[line][j] = e;
                else
                    sp->act_mask[16 * line + j] = (uint16_t)e;
            }
            if (buf == 0 && !AT_DGET(d, XFER_KEEP_MASK))
                sp->act_mask[line] = mask;
        }
}

/* ------------------------------------------------------------ creation */

static void test_create(void)
{
    at_err err = {0};
    at_cosim *c = (at_cosim *)1;
    at_cosim_opts o = {.backend = AT_COSIM_FMODEL, .config = "tiny"};
    CHECK(at_cosim_create(NULL, &c, &err) == AT_EINVAL && c == NULL, "NULL opts");
    CHECK(at_cosim_create(&o, NULL, &err) == AT_EINVAL, "NULL out");
    o.config = "huge";
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL && strstr(err.msg, "huge"), "bad config: %s", err.msg);
    o.config = NULL;
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL, "NULL config");
    o.config = "tiny";
    o.backend = (at_cosim_backend)7;
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL, "bad backend");
    o.backend = AT_COSIM_FMODEL;
    o.profile = (at_cosim_profile)5;
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL, "bad profile");
    o.profile = AT_COSIM_DEBUG;
    o.mem_bytes = (UINT64_C(4) << 30) + 1;
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL, "memory above 4 GiB");
    o.mem_bytes = 4096;
    o.mem_base = 0x1010;
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL, "unaligned memory base");
    o.mem_base = UINT64_MAX - 31;
    CHECK(at_cosim_create(&o, &c, &err) == AT_EINVAL, "memory past 2^64");
    o.mem_base = 0;
    o.mem_bytes = 0;
    CHECK(at_cosim_create(&o, &c, &err) == 0 && c, "defaults: %s", err.msg);
    if (!c)
        return;
    CHECK(at_cosim_mem_base(c) == 0x80000000ull && at_cosim_mem_size(c) == (64ull << 20),
          "default memory %#llx %llu", (unsigned long long)at_cosim_mem_base(c),
          (unsigned long long)at_cosim_mem_size(c));
    CHECK(at_cosim_config(c) && !strcmp(at_cosim_config(c)->name, "tiny"), "config");
    CHECK(at_cosim_backend_of(c) == AT_COSIM_FMODEL, "backend_of");
    CHECK(at_cosim_trace(c, "/tmp/x.fst", &err) == AT_EUNSUPPORTED, "trace on fmodel");
    CHECK(at_cosim_irq(c) == 0 && at_cosim_cycles(c) == 0, "irq %d cycles %llu", at_cosim_irq(c),
          (unsigned long long)at_cosim_cycles(c));
    at_cosim_destroy(c);
    at_cosim_destroy(NULL);
    for (int i = 0; i < AT_HW_NUM_CONFIGS; i++) {
        o.config = at_hw_configs[i].name;
        c = NULL;
        CHECK(at_cosim_create(&o, &c, &err) == 0, "create %s: %s", o.config, err.msg);
        at_cosim_destroy(c);
    }
}

static void test_backends(void)
{
    at_err err = {0};
    at_cosim_backend b = AT_COSIM_RTL;
    CHECK(at_cosim_backend_parse("fmodel", &b, &err) == 0 && b == AT_COSIM_FMODEL, "parse fmodel");
    CHECK(at_cosim_backend_parse("rtl", &b, &err) == 0 && b == AT_COSIM_RTL, "parse rtl");
    CHECK(at_cosim_backend_parse("verilog", &b, &err) == AT_EINVAL, "parse bad");
    CHECK(at_cosim_backend_parse(NULL, &b, &err) == AT_EINVAL, "parse NULL");
    CHECK(!strcmp(at_cosim_backend_name(AT_COSIM_FMODEL), "fmodel") &&
              !strcmp(at_cosim_backend_name(AT_COSIM_RTL), "rtl"),
          "names");
    CHECK(at_cosim_available(AT_COSIM_FMODEL, "tiny") && at_cosim_available(AT_COSIM_FMODEL, "server"),
          "fmodel available");
    CHECK(!at_cosim_available(AT_COSIM_FMODEL, "bogus") && !at_cosim_available(AT_COSIM_FMODEL, NULL),
          "fmodel bogus config");
    CHECK(!at_cosim_available((at_cosim_backend)9, "tiny"), "unknown backend");
    const at_cosim_ops *rtl = &at_cosim_rtl_ops;
    if (!rtl) {
        CHECK(!at_cosim_available(AT_COSIM_RTL, "tiny"), "rtl not linked but available");
        at_cosim_opts o = {.backend = AT_COSIM_RTL, .config = "tiny"};
        at_cosim *c = NULL;
        CHECK(at_cosim_create(&o, &c, &err) == AT_EUNSUPPORTED && !c &&
                  strstr(err.msg, "without the rtl backend"),
              "rtl create without rtl: %s", err.msg);
    }
}

static void test_args(void)
{
    at_cosim *c = dev_new("tiny");
    if (!c)
        return;
    at_err err = {0};
    uint32_t v;
    CHECK(at_cosim_mmio_read(c, 2, &v, &err) == AT_EINVAL, "unaligned read");
    CHECK(at_cosim_mmio_read(c, AT_MMIO_BYTES, &v, &err) == AT_EINVAL, "read past window");
    CHECK(at_cosim_mmio_read(c, 0, NULL, &err) == AT_EINVAL, "NULL value");
    CHECK(at_cosim_mmio_read(NULL, 0, &v, &err) == AT_EINVAL, "NULL device");
    CHECK(at_cosim_mmio_write(c, 0x41, 1, &err) == AT_EINVAL, "unaligned write");
    CHECK(at_cosim_mmio_write(c, 0xfffffffc, 1, &err) == AT_EINVAL, "write far");
    CHECK(at_cosim_mmio_write(NULL, 0, 1, &err) == AT_EINVAL, "write NULL");
    CHECK(at_cosim_run(c, (at_cosim_stop)0, 10, NULL, &err) == AT_EINVAL, "bad stop");
    CHECK(at_cosim_run(NULL, AT_COSIM_UNTIL_IDLE, 10, NULL, &err) == AT_EINVAL, "run NULL");
    uint64_t a;
    CHECK(at_cosim_mem_alloc(c, 100, 48, &a, &err) == AT_EINVAL, "align not a power of two");
    CHECK(at_cosim_mem_alloc(c, 100, 64, NULL, &err) == AT_EINVAL, "alloc NULL addr");
    CHECK(at_cosim_mem_alloc(c, 1ull << 40, 64, &a, &err) == AT_ENOMEM, "alloc too big");
    CHECK(at_cosim_mem_alloc(NULL, 100, 64, &a, &err) == AT_EINVAL, "alloc NULL device");
    uint64_t a1 = alloc(c, 100, 1), a2 = alloc(c, 10, 4096), a3 = alloc(c, 10, 0x100000);
    CHECK(a1 % 32 == 0 && a2 % 4096 == 0 && a3 % 0x100000 == 0 && a2 >= a1 + 100 && a3 > a2,
          "alignment %#llx %#llx %#llx", (unsigned long long)a1, (unsigned long long)a2,
          (unsigned long long)a3);
    uint8_t buf[16] = {1, 2, 3};
    uint64_t end = at_cosim_mem_base(c) + at_cosim_mem_size(c);
    CHECK(at_cosim_mem_write(c, end - 8, buf, 16, &err) == AT_ERANGE, "write past end");
    CHECK(at_cosim_mem_read(c, at_cosim_mem_base(c) - 1, buf, 2, &err) == AT_ERANGE, "read below");
    CHECK(at_cosim_mem_write(c, end - 16, buf, 16, &err) == 0, "write at end");
    CHECK(at_cosim_mem_read(c, UINT64_MAX - 4, buf, 16, &err) == AT_ERANGE, "wrapping read");
    CHECK(at_cosim_mem_fault(c, a1, 32, 1, &err) == AT_EINVAL, "fault resp 1");
    CHECK(at_cosim_mem_fault(c, a1, 32, 2, &err) == 0 && at_cosim_mem_fault(c, 0, 0, 0, &err) == 0,
          "fault set / clear");
    /* allocations are zero-filled */
    uint8_t z[64];
    uint64_t a4 = alloc(c, 64, 32);
    mread(c, a4, z, 64);
    int zero = 1;
    for (int i = 0; i < 64; i++)
        zero &= z[i] == 0;
    CHECK(zero, "allocation not zero");
    at_cosim_destroy(c);
}

/* ------------------------------------------------------------ registers */

static void test_registers(void)
{
    at_cosim *c = dev_new("edge");
    if (!c)
        return;
    const at_hw_config *cfg = at_cosim_config(c);
    for (uint32_t off = 0; off < 0x40; off += 4) {
        int known = 0;
        uint32_t want = at_hw_reg_expected(cfg, off, &known);
        uint32_t got = rd(c, off);
        CHECK(got == (known ? want : 0), "ro %#x = %#x, want %#x", off, got, known ? want : 0);
        wr(c, off, 0x12345678);
        CHECK(rd(c, off) == got, "ro %#x changed by a write", off);
    }
    CHECK(rd(c, AT_REG_ID) == AT_DEVICE_ID, "ID");
    CHECK(rd(c, AT_REG_STATUS) == AT_REG_STATUS_IDLE_MASK, "reset STATUS %#x", rd(c, AT_REG_STATUS));
    static const uint32_t zero_regs[] = {AT_REG_CTRL, AT_REG_SOFT_RESET, AT_REG_ERR_CODE,
        AT_REG_ERR_DESC_LO, AT_REG_ERR_DESC_HI, AT_REG_ERR_INFO, AT_REG_IRQ_STATUS,
        AT_REG_IRQ_ENABLE, AT_REG_RING_BASE_LO, AT_REG_RING_BASE_HI, AT_REG_RING_SIZE,
        AT_REG_RING_HEAD, AT_REG_RING_TAIL, AT_REG_FENCE_DONE, 0x30, 0x3c, 0x5c, 0x88, 0x8c,
        0xd0, AT_CNT_REG(AT_NUM_COUNTERS), AT_CNT_REG(AT_NUM_COUNTERS) + 4, 0x800, 0xffc};
    for (size_t i = 0; i < sizeof zero_regs / sizeof zero_regs[0]; i++)
        CHECK(rd(c, zero_regs[i]) == 0, "reset %#x = %#x", zero_regs[i], rd(c, zero_regs[i]));
    for (uint32_t off = AT_REG_WIN0_BASE_LO; off <= AT_REG_WIN3_SIZE_HI; off += 4)
        CHECK(rd(c, off) == 0, "reset window reg %#x", off);
    for (uint32_t off = AT_REG_CNT_BUSY_LO; off < AT_CNT_REG(AT_NUM_COUNTERS); off += 4)
        CHECK(rd(c, off) == 0, "reset counter %#x = %u", off, rd(c, off));
    /* rw with field masks */
    wr(c, AT_REG_CTRL, 0xfffffffe);
    CHECK(rd(c, AT_REG_CTRL) == 0, "CTRL reserved bits");
    wr(c, AT_REG_IRQ_ENABLE, 0xffffffff);
    CHECK(rd(c, AT_REG_IRQ_ENABLE) == 3, "IRQ_ENABLE mask");
    wr(c, AT_REG_IRQ_ENABLE, 0);
    wr(c, AT_REG_RING_SIZE, 0xffffffe5);
    CHECK(rd(c, AT_REG_RING_SIZE) == 5, "RING_SIZE mask %#x", rd(c, AT_REG_RING_SIZE));
    wr(c, AT_REG_RING_BASE_LO, 0x80000040);
    wr(c, AT_REG_RING_BASE_HI, 0x1);
    CHECK(rd(c, AT_REG_RING_BASE_LO) == 0x80000040 && rd(c, AT_REG_RING_BASE_HI) == 1, "ring base");
    for (uint32_t off = AT_REG_WIN0_BASE_LO; off <= AT_REG_WIN3_SIZE_HI; off += 4) {
        wr(c, off, 0xa5a50000u + off);
        CHECK(rd(c, off) == 0xa5a50000u + off, "window reg %#x", off);
    }
    /* IRQ_STATUS is w1c, not writable */
    wr(c, AT_REG_IRQ_STATUS, 3);
    CHECK(rd(c, AT_REG_IRQ_STATUS) == 0, "IRQ_STATUS set by a write");
    /* the doorbell while disabled: remembered, nothing fetched, not idle */
    wr(c, AT_REG_RING_TAIL, 0x12345);
    CHECK(rd(c, AT_REG_RING_TAIL) == 0x2345, "TAIL 16 bits: %#x", rd(c, AT_REG_RING_TAIL));
    run(c, AT_COSIM_UNTIL_CYCLES, 1000);
    CHECK(rd(c, AT_REG_RING_HEAD) == 0, "fetched while disabled");
    CHECK(rd(c, AT_REG_STATUS) == 0, "STATUS with pending doorbell, disabled: %#x", rd(c, AT_REG_STATUS));
    /* ring registers are written only while idle */
    wr(c, AT_REG_RING_BASE_LO, 0x80000080);
    CHECK(rd(c, AT_REG_RING_BASE_LO) == 0x80000040, "ring base written while not idle");
    /* counters: CYCLES runs, LO latches HI */
    uint64_t c0 = cnt(c, AT_REG_CNT_CYCLES_LO);
    run(c, AT_COSIM_UNTIL_CYCLES, 500);
    uint64_t c1 = cnt(c, AT_REG_CNT_CYCLES_LO);
    CHECK(c1 >= c0 + 500 && c1 <= c0 + 500 + 4 * FM_MMIO_CYCLES, "CYCLES %llu -> %llu",
          (unsigned long long)c0, (unsigned long long)c1);
    CHECK(cnt(c, AT_REG_CNT_BUSY_LO) == 0, "BUSY while disabled");
    /* soft reset: everything back */
    wr(c, AT_REG_SOFT_RESET, 1);
    CHECK(run(c, AT_COSIM_UNTIL_IDLE, 1000) == AT_COSIM_STOPPED_IDLE, "reset ends");
    CHECK(rd(c, AT_REG_STATUS) == AT_REG_STATUS_IDLE_MASK && rd(c, AT_REG_RING_TAIL) == 0 &&
              rd(c, AT_REG_RING_BASE_LO) == 0 && rd(c, AT_REG_WIN2_SIZE_LO) == 0,
          "after reset STATUS %#x TAIL %#x", rd(c, AT_REG_STATUS), rd(c, AT_REG_RING_TAIL));
    CHECK(cnt(c, AT_REG_CNT_CYCLES_LO) < 50, "CYCLES after reset %llu",
          (unsigned long long)cnt(c, AT_REG_CNT_CYCLES_LO));
    CHECK(at_cosim_cycles(c) > 1500, "soft reset cleared the creation clock");
    at_cosim_destroy(c);
}

/* ------------------------------------------------------------ a GEMM job */

typedef struct gemm_job {
    unsigned m, n, k;
    uint64_t a_mem, b_mem, c_mem, fence_mem;
    uint32_t a_stride, b_stride, c_stride;
    uint32_t d[5][AT_DESC_WORDS];
} gemm_job;

/* LOAD A, LOAD B, GEMM, STORE C, FENCE (write + IRQ). */
static void gemm_job_make(gemm_job *g, at_cosim *c, unsigned m, unsigned n, unsigned k, double zeros,
                          int a_mask)
{
    g->m = m; g->n = n; g->k = k;
    unsigned kc = (k + 15) / 16, nt = (n + 15) / 16;
    g->a_stride = 32 * kc;
    g->b_stride = 32 * nt;
    g->c_stride = 32 * nt + 64;
    g->a_mem = alloc(c, (uint64_t)m * g->a_stride, 4096);
    g->b_mem = alloc(c, (uint64_t)k * g->b_stride, 64);
    g->c_mem = alloc(c, (uint64_t)m * g->c_stride, 64);
    g->fence_mem = alloc(c, 64, 64);
    int16_t *a = calloc((size_t)m * g->a_stride / 2, 2), *b = calloc((size_t)k * g->b_stride / 2, 2);
    for (unsigned i = 0; i < m; i++)
        for (unsigned kk = 0; kk < k; kk++)
            a[i * g->a_stride / 2 + kk] = urand() < zeros ? 0 : (int16_t)((int)(rng_next() % 601) - 300);
    for (unsigned kk = 0; kk < k; kk++)
        for (unsigned j = 0; j < n; j++)
            b[kk * g->b_stride / 2 + j] = (int16_t)((int)(rng_next() % 601) - 300);
    mwrite(c, g->a_mem, a, (uint64_t)m * g->a_stride);
    mwrite(c, g->b_mem, b, (uint64_t)k * g->b_stride);
    /* garbage in C's padding bytes: STORE must leave them */
    uint8_t *cm = malloc((size_t)m * g->c_stride);
    memset(cm, 0xee, (size_t)m * g->c_stride);
    mwrite(c, g->c_mem, cm, (uint64_t)m * g->c_stride);
    free(cm);
    free(a);
    free(b);
    unsigned ldb = 4 * ((k + 3) / 4);
    desc_xfer(g->d[0], AT_OP_LOAD, 0, 0, m, k, kc, 1, g->a_mem, g->a_stride, 1);
    desc_xfer(g->d[1], AT_OP_LOAD, 1, 0, k, n, 1, ldb, g->b_mem, g->b_stride, 2);
    gemm_args ga = {.m = m, .n = n, .k = k, .a = 0, .lda = kc, .b = 0, .ldb = ldb, .c = 1024, .ldc = nt,
                    .a_mask = a_mask, .tau = 3, .rq = {40000, 22}};
    desc_gemm(g->d[2], &ga, 3);
    desc_xfer(g->d[3], AT_OP_STORE, 0, 1024, m, n, nt, 1, g->c_mem, g->c_stride, 4);
    desc_fence(g->d[4], 0xC0FFEE, g->fence_mem, 1, 5);
}

/* Expected memory of C and counters, from a local scratchpad. */
static void gemm_job_expect(const gemm_job *g, at_cosim *c, uint8_t *cmem, at_exec_counts *ec)
{
    at_spad sp;
    if (at_spad_init(&sp, at_cosim_config(c)))
        return;
    uint8_t *a = malloc((size_t)g->m * g->a_stride), *b = malloc((size_t)g->k * g->b_stride);
    mread(c, g->a_mem, a, (uint64_t)g->m * g->a_stride);
    mread(c, g->b_mem, b, (uint64_t)g->k * g->b_stride);
    local_load(&sp, g->d[0], a);
    local_load(&sp, g->d[1], b);
    memset(ec, 0, sizeof *ec);
    uint32_t det;
    at_exec_compute(g->d[2], &sp, ec, &det);
    memset(cmem, 0xee, (size_t)g->m * g->c_stride);
    unsigned nt = (g->n + 15) / 16;
    for (unsigned i = 0; i < g->m; i++)
        for (unsigned j = 0; j < g->n; j++) {
            int16_t v = sp.act[1024 + i * nt + j / 16][j % 16];
            cmem[i * g->c_stride + 2 * j] = (uint8_t)v;
            cmem[i * g->c_stride + 2 * j + 1] = (uint8_t)((uint16_t)v >> 8);
        }
    free(a);
    free(b);
    at_spad_free(&sp);
}

static void test_ring_gemm(void)
{
    at_cosim *c = dev_new("tiny");
    if (!c)
        return;
    rng_state = g_seed ^ 11;
    job j;
    job_setup(&j, c);
    gemm_job g;
    gemm_job_make(&g, c, 37, 45, 70, 0.4, 1 /* A_MASK */);
    for (int i = 0; i < 5; i++)
        job_push(&j, g.d[i]);
    job_ring(&j);
    CHECK(rd(c, AT_REG_STATUS) & AT_REG_STATUS_BUSY_MASK, "busy after the doorbell");
    at_cosim_why why = run(c, AT_COSIM_UNTIL_IRQ, 10000000);
    CHECK(why == AT_COSIM_STOPPED_IRQ && at_cosim_irq(c), "stopped %d irq %d", why, at_cosim_irq(c));
    CHECK(rd(c, AT_REG_IRQ_STATUS) == 1 && rd(c, AT_REG_FENCE_DONE) == 0xC0FFEE, "IRQ_STATUS %#x FENCE_DONE %#x",
          rd(c, AT_REG_IRQ_STATUS), rd(c, AT_REG_FENCE_DONE));
    uint32_t fv = 0;
    mread(c, g.fence_mem, &fv, 4);
    CHECK(fv == 0xC0FFEE, "fence write %#x", fv);
    size_t cb = (size_t)g.m * g.c_stride;
    uint8_t *got = malloc(cb), *want = malloc(cb);
    at_exec_counts ec;
    mread(c, g.c_mem, got, cb);
    gemm_job_expect(&g, c, want, &ec);
    size_t bad = cb;
    for (size_t i = 0; i < cb && bad == cb; i++)
        if (got[i] != want[i])
            bad = i;
    CHECK(bad == cb, "C byte %zu (row %zu col %zu): %#x, want %#x", bad, bad / g.c_stride,
          (bad % g.c_stride) / 2, bad < cb ? got[bad] : 0, bad < cb ? want[bad] : 0);
    CHECK(cnt(c, AT_REG_CNT_CMDS_LO) == 5, "CMDS %llu", (unsigned long long)cnt(c, AT_REG_CNT_CMDS_LO));
    CHECK(cnt(c, AT_REG_CNT_MAC_ISSUED_LO) == ec.mac_issued &&
              cnt(c, AT_REG_CNT_MAC_SKIPPED_LO) == ec.mac_skipped && cnt(c, AT_REG_CNT_PRUNED_LO) == ec.pruned,
          "MAC %llu/%llu PRUNED %llu, want %llu/%llu %llu", (unsigned long long)cnt(c, AT_REG_CNT_MAC_ISSUED_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_MAC_SKIPPED_LO), (unsigned long long)cnt(c, AT_REG_CNT_PRUNED_LO),
          (unsigned long long)ec.mac_issued, (unsigned long long)ec.mac_skipped, (unsigned long long)ec.pruned);
    unsigned kc = (g.k + 15) / 16, nt = (g.n + 15) / 16;
    uint64_t rd_bytes = 5 * 64 + 32ull * g.m * kc + 32ull * g.k * nt;
    CHECK(cnt(c, AT_REG_CNT_MEM_RD_BYTES_LO) == rd_bytes, "MEM_RD %llu, want %llu",
          (unsigned long long)cnt(c, AT_REG_CNT_MEM_RD_BYTES_LO), (unsigned long long)rd_bytes);
    CHECK(cnt(c, AT_REG_CNT_MEM_WR_BYTES_LO) == 2ull * g.m * g.n + 4, "MEM_WR %llu",
          (unsigned long long)cnt(c, AT_REG_CNT_MEM_WR_BYTES_LO));
    uint64_t spad_wr = (uint64_t)g.m * kc + (uint64_t)g.k * nt + ec.spad_wr;
    uint64_t spad_rd = ec.spad_rd + (uint64_t)g.m * nt;
    CHECK(cnt(c, AT_REG_CNT_SPAD_WR_LO) == spad_wr && cnt(c, AT_REG_CNT_SPAD_RD_LO) == spad_rd,
          "SPAD wr %llu rd %llu, want %llu %llu", (unsigned long long)cnt(c, AT_REG_CNT_SPAD_WR_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_SPAD_RD_LO), (unsigned long long)spad_wr,
          (unsigned long long)spad_rd);
    /* by buffer: LOAD A (activation lines and their mask words), LOAD B
     * (weight lines), the GEMM's reads and C writes, STORE C (activation
     * lines; a STORE reads no mask words) */
    uint64_t act_wr = (uint64_t)g.m * kc + ec.act_wr, act_rd = ec.act_rd + (uint64_t)g.m * nt;
    CHECK(cnt(c, AT_REG_CNT_SPAD_ACT_WR_LO) == act_wr && cnt(c, AT_REG_CNT_SPAD_MASK_WR_LO) == act_wr &&
              cnt(c, AT_REG_CNT_SPAD_WGT_WR_LO) == (uint64_t)g.k * nt && cnt(c, AT_REG_CNT_SPAD_ACT_RD_LO) == act_rd &&
              cnt(c, AT_REG_CNT_SPAD_MASK_RD_LO) == ec.act_rd && cnt(c, AT_REG_CNT_SPAD_WGT_RD_LO) == ec.wgt_rd,
          "SPAD by buffer: act wr %llu rd %llu, mask wr %llu rd %llu, wgt wr %llu rd %llu; want %llu %llu, %llu %llu, "
          "%llu %llu",
          (unsigned long long)cnt(c, AT_REG_CNT_SPAD_ACT_WR_LO), (unsigned long long)cnt(c, AT_REG_CNT_SPAD_ACT_RD_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_SPAD_MASK_WR_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_SPAD_MASK_RD_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_SPAD_WGT_WR_LO), (unsigned long long)cnt(c, AT_REG_CNT_SPAD_WGT_RD_LO),
          (unsigned long long)act_wr, (unsigned long long)act_rd, (unsigned long long)act_wr,
          (unsigned long long)ec.act_rd, (unsigned long long)g.k * nt, (unsigned long long)ec.wgt_rd);
    uint64_t cyc = cnt(c, AT_REG_CNT_CYCLES_LO), busy = cnt(c, AT_REG_CNT_BUSY_LO);
    uint64_t pe = cnt(c, AT_REG_CNT_PE_BUSY_LO);
    CHECK(busy > 0 && busy <= cyc && pe > 0, "CYCLES %llu BUSY %llu PE_BUSY %llu", (unsigned long long)cyc,
          (unsigned long long)busy, (unsigned long long)pe);
    CHECK(cnt(c, AT_REG_CNT_STALL_DEP_LO) > 0, "the GEMM waited for its loads: STALL_DEP 0");
    /* unit counters: LOAD A, LOAD B, then the GEMM (waits for both), then
     * the STORE (waits for the GEMM): nothing overlaps the compute */
    uint64_t gb = cnt(c, AT_REG_CNT_GEMM_BUSY_LO), lb = cnt(c, AT_REG_CNT_LOAD_BUSY_LO);
    uint64_t sb = cnt(c, AT_REG_CNT_STORE_BUSY_LO), dma = cnt(c, AT_REG_CNT_DMA_ONLY_LO);
    CHECK(gb > 0 && lb > 0 && sb > 0 && dma == lb + sb && gb + dma <= busy && pe <= gb * 4 &&
              cnt(c, AT_REG_CNT_SMX_BUSY_LO) == 0 && cnt(c, AT_REG_CNT_LN_BUSY_LO) == 0 &&
              cnt(c, AT_REG_CNT_SMX_ROWS_LO) == 0 && cnt(c, AT_REG_CNT_LN_ROWS_LO) == 0,
          "GEMM_BUSY %llu LOAD_BUSY %llu STORE_BUSY %llu DMA_ONLY %llu BUSY %llu PE_BUSY %llu SMX %llu LN %llu",
          (unsigned long long)gb, (unsigned long long)lb, (unsigned long long)sb, (unsigned long long)dma,
          (unsigned long long)busy, (unsigned long long)pe, (unsigned long long)cnt(c, AT_REG_CNT_SMX_BUSY_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_LN_BUSY_LO));
    CHECK(rd(c, AT_REG_RING_HEAD) == 5 && rd(c, AT_REG_STATUS) == AT_REG_STATUS_IDLE_MASK,
          "HEAD %u STATUS %#x", rd(c, AT_REG_RING_HEAD), rd(c, AT_REG_STATUS));
    /* w1c */
    wr(c, AT_REG_IRQ_STATUS, 2);
    CHECK(at_cosim_irq(c), "w1c of another bit cleared DONE");
    wr(c, AT_REG_IRQ_STATUS, 1);
    CHECK(!at_cosim_irq(c) && rd(c, AT_REG_IRQ_STATUS) == 0, "w1c DONE");
    CHECK(run(c, AT_COSIM_UNTIL_IDLE, 100) == AT_COSIM_STOPPED_IDLE, "idle");
    /* IRQ_ENABLE gates the line */
    wr(c, AT_REG_IRQ_ENABLE, 2);
    uint32_t d[AT_DESC_WORDS];
    desc_fence(d, 7, 0, 1, 6);
    job_push(&j, d);
    job_ring(&j);
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 5000) == AT_COSIM_STOPPED_LIMIT, "masked DONE raised the line");
    CHECK(rd(c, AT_REG_IRQ_STATUS) == 1 && rd(c, AT_REG_FENCE_DONE) == 7, "masked fence");
    wr(c, AT_REG_IRQ_ENABLE, 3);
    CHECK(at_cosim_irq(c), "enable raises the line");
    free(got);
    free(want);
    at_cosim_destroy(c);
}

/* ------------------------------------------------------------ errors */

typedef struct err_case {
    const char *what;
    int code;
    uint32_t detail;
    unsigned opcode, tag;
    unsigned index; /* failing descriptor */
} err_case;

/* Runs the pushed ring to the error IRQ and checks the error registers;
 * then resets and checks the reset state. */
static void expect_error(job *j, const err_case *e)
{
    at_cosim *c = j->c;
    job_ring(j);
    at_cosim_why why = run(c, AT_COSIM_UNTIL_IRQ, 10000000);
    uint32_t st = rd(c, AT_REG_STATUS), ec = rd(c, AT_REG_ERR_CODE), info = rd(c, AT_REG_ERR_INFO);
    uint64_t desc = rd(c, AT_REG_ERR_DESC_LO) | (uint64_t)rd(c, AT_REG_ERR_DESC_HI) << 32;
    uint32_t want_ec = AT_PUT(AT_REG_ERR_CODE_CODE, e->code) | AT_PUT(AT_REG_ERR_CODE_OPCODE, e->opcode) |
                       AT_PUT(AT_REG_ERR_CODE_TAG, e->tag);
    CHECK(why == AT_COSIM_STOPPED_IRQ && rd(c, AT_REG_IRQ_STATUS) == 2, "%s: why %d IRQ_STATUS %#x", e->what,
          why, rd(c, AT_REG_IRQ_STATUS));
    CHECK(st == AT_REG_STATUS_HALTED_MASK, "%s: STATUS %#x", e->what, st);
    CHECK(ec == want_ec && info == e->detail, "%s: ERR_CODE %#x INFO %#x, want %#x %#x", e->what, ec, info,
          want_ec, e->detail);
    CHECK(desc == j->ring + 64u * e->index && rd(c, AT_REG_RING_HEAD) == e->index,
          "%s: ERR_DESC %#llx HEAD %u, want index %u", e->what, (unsigned long long)desc,
          rd(c, AT_REG_RING_HEAD), e->index);
    /* a halted device ignores the doorbell */
    wr(c, AT_REG_RING_TAIL, (j->tail + 1) & 63);
    CHECK(rd(c, AT_REG_RING_TAIL) == j->tail, "%s: doorbell taken while halted", e->what);
    CHECK(run(c, AT_COSIM_UNTIL_IDLE, 10) == AT_COSIM_STOPPED_IDLE, "%s: halted is not busy", e->what);
    wr(c, AT_REG_SOFT_RESET, 1);
    CHECK(run(c, AT_COSIM_UNTIL_IDLE, 100000) == AT_COSIM_STOPPED_IDLE, "%s: reset", e->what);
    CHECK(rd(c, AT_REG_STATUS) == AT_REG_STATUS_IDLE_MASK && rd(c, AT_REG_ERR_CODE) == 0 &&
              rd(c, AT_REG_ERR_INFO) == 0 && rd(c, AT_REG_IRQ_STATUS) == 0 && !at_cosim_irq(c) &&
              rd(c, AT_REG_RING_HEAD) == 0 && cnt(c, AT_REG_CNT_CMDS_LO) == 0 && rd(c, AT_REG_CTRL) == 0,
          "%s: after reset STATUS %#x ERR %#x", e->what, rd(c, AT_REG_STATUS), rd(c, AT_REG_ERR_CODE));
}

/* After a reset the device runs a good job again. */
static void expect_recovered(at_cosim *c, const char *what)
{
    job j;
    job_setup(&j, c);
    uint32_t d[AT_DESC_WORDS];
    desc_clear(d, AT_OP_NOP, 1);
    job_push(&j, d);
    desc_fence(d, 0x600D, 0, 1, 2);
    job_push(&j, d);
    job_ring(&j);
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 100000) == AT_COSIM_STOPPED_IRQ && rd(c, AT_REG_FENCE_DONE) == 0x600D &&
              cnt(c, AT_REG_CNT_CMDS_LO) == 2,
          "%s: not recovered (FENCE_DONE %#x)", what, rd(c, AT_REG_FENCE_DONE));
    wr(c, AT_REG_SOFT_RESET, 1);
    run(c, AT_COSIM_UNTIL_IDLE, 100000);
}

static void test_errors(void)
{
    at_cosim *c = dev_new("tiny");
    if (!c)
        return;
    uint64_t buf = alloc(c, 64 * 1024, 4096);
    uint64_t out = alloc(c, 4096, 4096);
    uint32_t d[AT_DESC_WORDS];
    job j;

    /* ILLEGAL_OPCODE after two good commands; a STORE after it never runs */
    job_setup(&j, c);
    desc_clear(d, AT_OP_NOP, 1);
    job_push(&j, d);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 1, 16, 1, 1, buf, 32, 2);
    job_push(&j, d);
    desc_clear(d, 9, 0x1234);
    job_push(&j, d);
    uint8_t ones[32];
    memset(ones, 0x5a, sizeof ones);
    mwrite(c, buf, ones, 32);
    desc_xfer(d, AT_OP_STORE, 0, 0, 1, 16, 1, 1, out, 32, 4);
    job_push(&j, d);
    job_ring(&j);
    run(c, AT_COSIM_UNTIL_IRQ, 1000000);
    CHECK(cnt(c, AT_REG_CNT_CMDS_LO) == 2, "commands before the error: %llu",
          (unsigned long long)cnt(c, AT_REG_CNT_CMDS_LO));
    uint8_t o[32];
    mread(c, out, o, 32);
    CHECK(o[0] == 0 && o[31] == 0, "the STORE after the error ran");
    err_case e1 = {"ILLEGAL_OPCODE", AT_DEVERR_ILLEGAL_OPCODE, 9, 9, 0x1234, 2};
    expect_error(&j, &e1);
    expect_recovered(c, e1.what);

    /* ILLEGAL_FIELD: reserved bit in word 9 of a LOAD */
    job_setup(&j, c);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 1, 16, 1, 1, buf, 32, 7);
    d[9] = 1;
    job_push(&j, d);
    err_case e2 = {"ILLEGAL_FIELD", AT_DEVERR_ILLEGAL_FIELD, 9, AT_OP_LOAD, 7, 0};
    expect_error(&j, &e2);
    expect_recovered(c, e2.what);

    /* SPAD_RANGE on the mask buffer */
    job_setup(&j, c);
    desc_xfer(d, AT_OP_STORE, 2, 127, 2, 16, 1, 1, buf, 32, 8);
    job_push(&j, d);
    err_case e3 = {"SPAD_RANGE", AT_DEVERR_SPAD_RANGE, 2, AT_OP_STORE, 8, 0};
    expect_error(&j, &e3);

    /* ADDR_WINDOW: a LOAD whose line-rounded range leaves the window */
    job_setup(&j, c);
    uint64_t wend = buf + 4096;
    wr(c, AT_REG_WIN1_BASE_LO, (uint32_t)j.ring);
    wr(c, AT_REG_WIN1_BASE_HI, (uint32_t)(j.ring >> 32));
    wr(c, AT_REG_WIN1_SIZE_LO, 4096);
    wr(c, AT_REG_WIN0_BASE_LO, (uint32_t)buf);
    wr(c, AT_REG_WIN0_BASE_HI, (uint32_t)(buf >> 32));
    wr(c, AT_REG_WIN0_SIZE_LO, 4096);
    wr(c, AT_REG_WIN0_SIZE_HI, 0);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 2, 17, 2, 1, wend - 96, 64, 9); /* the last row ends at wend + 32 */
    job_push(&j, d);
    err_case e4 = {"ADDR_WINDOW (LOAD)", AT_DEVERR_ADDR_WINDOW, (uint32_t)(wend - 96), AT_OP_LOAD, 9, 0};
    expect_error(&j, &e4);

    /* ADDR_WINDOW on the descriptor fetch: the ring outside every window */
    job_setup(&j, c);
    wr(c, AT_REG_WIN0_SIZE_LO, 0);
    wr(c, AT_REG_WIN0_SIZE_HI, 0);
    desc_clear(d, AT_OP_NOP, 3);
    job_push(&j, d);
    err_case e5 = {"ADDR_WINDOW (fetch)", AT_DEVERR_ADDR_WINDOW, (uint32_t)j.ring, 0, 0, 0};
    expect_error(&j, &e5);

    /* misaligned RING_BASE: ILLEGAL_FIELD, detail 0, on the first fetch */
    job_setup(&j, c);
    j.ring += 32;
    wr(c, AT_REG_RING_BASE_LO, (uint32_t)j.ring);
    desc_clear(d, AT_OP_NOP, 3);
    job_push(&j, d);
    err_case e6 = {"misaligned RING_BASE", AT_DEVERR_ILLEGAL_FIELD, 0, 0, 0, 0};
    expect_error(&j, &e6);
    expect_recovered(c, e6.what);

    /* BUS_SLVERR on a LOAD: the burst crossing 4 KiB is split; the fault in
     * the second burst reports that burst's address */
    job_setup(&j, c);
    uint64_t b4k = buf + 8192;
    at_err err = {0};
    CHECK(at_cosim_mem_fault(c, b4k + 600, 8, AT_AXI_SLVERR, &err) == 0, "fault");
    desc_clear(d, AT_OP_NOP, 1);
    job_push(&j, d);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 1, 640, 1, 1, b4k - 64, 0, 10);
    job_push(&j, d);
    err_case e7 = {"BUS_SLVERR (LOAD)", AT_DEVERR_BUS_SLVERR, (uint32_t)(b4k + 512), AT_OP_LOAD, 10, 1};
    expect_error(&j, &e7);
    at_cosim_mem_fault(c, 0, 0, 0, &err);

    /* contiguous rows (STRIDE = 32*ncb) are one segment: 4 one-beat rows
     * make one burst, whose address is row 0's */
    job_setup(&j, c);
    at_cosim_mem_fault(c, buf + 64, 4, AT_AXI_SLVERR, &err);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 4, 16, 1, 1, buf, 32, 14);
    job_push(&j, d);
    err_case e7b = {"BUS_SLVERR (contiguous LOAD)", AT_DEVERR_BUS_SLVERR, (uint32_t)buf, AT_OP_LOAD, 14, 0};
    expect_error(&j, &e7b);
    /* the same rows with a gap: one burst per row, the third fails */
    job_setup(&j, c);
    at_cosim_mem_fault(c, buf + 128, 4, AT_AXI_SLVERR, &err);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 4, 16, 1, 1, buf, 64, 15);
    job_push(&j, d);
    err_case e7c = {"BUS_SLVERR (row bursts)", AT_DEVERR_BUS_SLVERR, (uint32_t)(buf + 128), AT_OP_LOAD, 15, 0};
    expect_error(&j, &e7c);
    at_cosim_mem_fault(c, 0, 0, 0, &err);

    /* BUS_DECERR: a window past the end of host memory, STORE there */
    job_setup(&j, c);
    uint64_t end = at_cosim_mem_base(c) + at_cosim_mem_size(c);
    wr(c, AT_REG_WIN1_BASE_LO, (uint32_t)(end - 4096));
    wr(c, AT_REG_WIN1_BASE_HI, (uint32_t)((end - 4096) >> 32));
    wr(c, AT_REG_WIN1_SIZE_LO, (1 << 20) + 4096);
    desc_xfer(d, AT_OP_STORE, 0, 0, 3, 16, 1, 1, end - 64, 64, 11);
    job_push(&j, d);
    err_case e8 = {"BUS_DECERR (STORE)", AT_DEVERR_BUS_DECERR, (uint32_t)end, AT_OP_STORE, 11, 0};
    expect_error(&j, &e8);

    /* BUS_SLVERR on the FENCE write */
    job_setup(&j, c);
    at_cosim_mem_fault(c, out + 8, 4, AT_AXI_SLVERR, &err);
    desc_fence(d, 1, out + 8, 1, 12);
    job_push(&j, d);
    err_case e9 = {"BUS_SLVERR (FENCE)", AT_DEVERR_BUS_SLVERR, (uint32_t)(out + 8), AT_OP_FENCE, 12, 0};
    expect_error(&j, &e9);
    at_cosim_mem_fault(c, 0, 0, 0, &err);

    /* BUS_DECERR on a descriptor fetch (fault on the ring) */
    job_setup(&j, c);
    at_cosim_mem_fault(c, j.ring + 64, 1, AT_AXI_DECERR, &err);
    desc_clear(d, AT_OP_NOP, 1);
    job_push(&j, d);
    job_push(&j, d);
    err_case e10 = {"BUS_DECERR (fetch)", AT_DEVERR_BUS_DECERR, (uint32_t)(j.ring + 64), 0, 0, 1};
    expect_error(&j, &e10);
    at_cosim_mem_fault(c, 0, 0, 0, &err);

    /* SOFTMAX with a bad per-row length: ILLEGAL_FIELD 0x10000 + row */
    job_setup(&j, c);
    uint16_t lens[16] = {5, 16, 3, 0};
    mwrite(c, buf, lens, 32);
    desc_xfer(d, AT_OP_LOAD, 0, 100, 1, 16, 1, 1, buf, 32, 1);
    job_push(&j, d);
    smx_args s = {.rows = 4, .n = 16, .src = 0, .lds = 1, .dst = 10, .ldd = 1, .lens = 100, .len_vec = 1,
                  .in = {47274, 18}};
    desc_softmax(d, &s, 13);
    job_push(&j, d);
    err_case e11 = {"SOFTMAX row length", AT_DEVERR_ILLEGAL_FIELD, 0x10003, AT_OP_SOFTMAX, 13, 1};
    expect_error(&j, &e11);
    expect_recovered(c, e11.what);
    at_cosim_destroy(c);
}

/* ------------------------------------------------------------ run limits and timing */

static void test_run_limits(void)
{
    at_cosim *c = dev_new("tiny");
    if (!c)
        return;
    uint64_t t0 = at_cosim_cycles(c);
    CHECK(run(c, AT_COSIM_UNTIL_CYCLES, 12345) == AT_COSIM_STOPPED_LIMIT && at_cosim_cycles(c) == t0 + 12345,
          "UNTIL_CYCLES: %llu", (unsigned long long)(at_cosim_cycles(c) - t0));
    t0 = at_cosim_cycles(c);
    CHECK(run(c, AT_COSIM_UNTIL_IDLE, 1000) == AT_COSIM_STOPPED_IDLE && at_cosim_cycles(c) == t0,
          "UNTIL_IDLE on an idle device took %llu", (unsigned long long)(at_cosim_cycles(c) - t0));
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 777) == AT_COSIM_STOPPED_LIMIT && at_cosim_cycles(c) == t0 + 777,
          "UNTIL_IRQ without IRQ");
    CHECK(run(c, AT_COSIM_UNTIL_CYCLES, 0) == AT_COSIM_STOPPED_LIMIT && at_cosim_cycles(c) == t0 + 777,
          "0 cycles");
    /* a long job: stop at the limit, then continue to the IRQ */
    rng_state = g_seed ^ 12;
    job j;
    job_setup(&j, c);
    gemm_job g;
    gemm_job_make(&g, c, 64, 64, 256, 0.0, 0);
    for (int i = 0; i < 5; i++)
        job_push(&j, g.d[i]);
    job_ring(&j);
    t0 = at_cosim_cycles(c);
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 300) == AT_COSIM_STOPPED_LIMIT && at_cosim_cycles(c) == t0 + 300,
          "limit first");
    CHECK(rd(c, AT_REG_STATUS) & AT_REG_STATUS_BUSY_MASK, "busy mid-job");
    /* the ring registers are not written while busy */
    wr(c, AT_REG_RING_SIZE, 3);
    CHECK(rd(c, AT_REG_RING_SIZE) == 6, "RING_SIZE written while busy");
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 100000000) == AT_COSIM_STOPPED_IRQ, "then the IRQ");
    uint64_t t1 = at_cosim_cycles(c);
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 100) == AT_COSIM_STOPPED_IRQ && at_cosim_cycles(c) == t1,
          "IRQ already high: no cycles");
    at_cosim_destroy(c);
}

/* GEMM-only PE group model = pe_model_cycles with ideal feeders. */
static void test_pe_group_cycles(void)
{
    rng_state = g_seed ^ 13;
    for (int it = 0; it < 500; it++) {
        int lanes = (int)(rng_next() % 2) ? 4 : 16;
        int rows = 1 + (int)(rng_next() % 16), k = 1 + (int)(rng_next() % 300);
        int nch = (k + 15) / 16, after = (int)(rng_next() % 2);
        uint8_t nnz[16 * 19];
        for (int i = 0; i < rows * nch; i++)
            nnz[i] = (uint8_t)(rng_next() % 17);
        uint64_t s1 = 0, s2 = 0;
        uint64_t want = pe_model_cycles(rows, k, nnz, lanes, 4, after, &s1);
        uint64_t got = at_fm_pe_group_cycles(rows, k, nnz, lanes, 4, after, 1, 0, &s2, NULL);
        CHECK(got == want && s1 == s2, "it %d (seed %#llx): rows %d k %d lanes %d: %llu/%llu, want %llu/%llu", it,
              (unsigned long long)g_seed, rows, k, lanes, (unsigned long long)got, (unsigned long long)s2,
              (unsigned long long)want, (unsigned long long)s1);
        uint64_t slow = at_fm_pe_group_cycles(rows, k, nnz, lanes, 4, after, 8, 16, NULL, NULL);
        CHECK(slow >= got, "slower feeders faster: %llu < %llu", (unsigned long long)slow,
              (unsigned long long)got);
        if (check_g.case_failed)
            return;
    }
}

/* Rings the doorbell and runs until idle; returns the cycles that took. */
static uint64_t job_ring_cycles(job *j)
{
    job_ring(j);
    uint64_t t0 = at_cosim_cycles(j->c);
    run(j->c, AT_COSIM_UNTIL_IDLE, 10000000);
    return at_cosim_cycles(j->c) - t0;
}

/* Loads of independent data overlap compute; a dependent GEMM waits. */
static void test_overlap(void)
{
    at_cosim *c = dev_new("tiny");
    if (!c)
        return;
    uint64_t buf = alloc(c, 1 << 20, 4096);
    job j;
    job_setup(&j, c);
    uint32_t d[AT_DESC_WORDS];
    /* one big LOAD alone */
    desc_xfer(d, AT_OP_LOAD, 0, 1024, 32, 256, 16, 1, buf, 512, 1);
    job_push(&j, d);
    uint64_t t_load = job_ring_cycles(&j);
    CHECK(t_load >= 512 + 100 && t_load < 512 + 100 + 200, "LOAD of 512 beats: %llu cycles",
          (unsigned long long)t_load);
    /* a GEMM on lines [0, ..) alone */
    uint32_t gd[AT_DESC_WORDS];
    gemm_args ga = {.m = 64, .n = 64, .k = 64, .a = 0, .lda = 4, .ldb = 64, .c = 600, .ldc = 4, .rq = {1, 0}};
    desc_gemm(gd, &ga, 2);
    job_push(&j, gd);
    uint64_t t_gemm = job_ring_cycles(&j);
    /* both, independent: overlap */
    job_push(&j, d);
    job_push(&j, gd);
    uint64_t t_both = job_ring_cycles(&j);
    printf("overlap: load %llu gemm %llu both %llu\n", (unsigned long long)t_load, (unsigned long long)t_gemm,
           (unsigned long long)t_both);
    CHECK(t_both < (t_load > t_gemm ? t_load : t_gemm) + 150, "no overlap: load %llu gemm %llu both %llu",
          (unsigned long long)t_load, (unsigned long long)t_gemm, (unsigned long long)t_both);
    /* dependent (the LOAD writes A): serial */
    uint64_t dep0 = cnt(c, AT_REG_CNT_STALL_DEP_LO);
    desc_xfer(d, AT_OP_LOAD, 0, 0, 32, 256, 16, 1, buf, 512, 1);
    job_push(&j, d);
    job_push(&j, gd);
    uint64_t t_dep = job_ring_cycles(&j);
    CHECK(t_dep >= t_load + t_gemm - 150, "dependent GEMM overlapped its LOAD: load %llu gemm %llu both %llu",
          (unsigned long long)t_load, (unsigned long long)t_gemm, (unsigned long long)t_dep);
    CHECK(cnt(c, AT_REG_CNT_STALL_DEP_LO) > dep0 + 400, "STALL_DEP %llu -> %llu", (unsigned long long)dep0,
          (unsigned long long)cnt(c, AT_REG_CNT_STALL_DEP_LO));
    at_cosim_destroy(c);
}

/* LOAD/STORE semantics: padding zeroed, masks, KEEP_MASK, mask buffer,
 * strobes, with steps and strides. */
static void test_xfer_semantics(void)
{
    at_cosim *c = dev_new("tiny");
    if (!c)
        return;
    rng_state = g_seed ^ 14;
    uint64_t src = alloc(c, 64 * 1024, 4096), dst = alloc(c, 64 * 1024, 4096);
    uint8_t *m = malloc(64 * 1024);
    for (int i = 0; i < 64 * 1024; i++)
        m[i] = (uint8_t)rng_next();
    mwrite(c, src, m, 64 * 1024);
    memset(m, 0x77, 64 * 1024);
    mwrite(c, dst, m, 64 * 1024);
    job j;
    job_setup(&j, c);
    uint32_t d[AT_DESC_WORDS];
    /* 7 rows x 40 cols to act lines 10 + 5r + 2cb, then back out with stride 160 */
    desc_xfer(d, AT_OP_LOAD, 0, 10, 7, 40, 5, 2, src + 64, 96, 1);
    job_push(&j, d);
    desc_xfer(d, AT_OP_STORE, 0, 10, 7, 40, 5, 2, dst, 160, 2);
    job_push(&j, d);
    /* the mask words of those lines through the mask buffer: lines 0..3 */
    desc_xfer(d, AT_OP_STORE, 2, 0, 1, 64, 1, 1, dst + 4096, 0, 3);
    job_push(&j, d);
    desc_fence(d, 1, 0, 1, 4);
    job_push(&j, d);
    job_ring(&j);
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 1000000) == AT_COSIM_STOPPED_IRQ, "xfer job");
    uint8_t s[64 * 1024], o[64 * 1024];
    mread(c, src, s, sizeof s);
    mread(c, dst, o, sizeof o);
    int ok = 1;
    for (int r = 0; r < 7 && ok; r++)
        for (int b = 0; b < 160 && ok; b++) {
            uint8_t want = b < 80 ? s[64 + r * 96 + b] : 0x77;
            if (o[r * 160 + b] != want) {
                CHECK(0, "STORE row %d byte %d = %#x, want %#x", r, b, o[r * 160 + b], want);
                ok = 0;
            }
        }
    /* mask words: lines 10 + 5r + 2cb hold 16, 16, 8 valid elements */
    uint16_t mw[64];
    memcpy(mw, o + 4096, sizeof mw);
    for (int l = 0; l < 64 && ok; l++) {
        uint16_t want = 0;
        for (int r = 0; r < 7; r++)
            for (int cb = 0; cb < 3; cb++)
                if (l == 10 + 5 * r + 2 * cb)
                    want = cb == 2 ? 0xff : 0xffff;
        if (mw[l] != want) {
            CHECK(0, "mask word of line %d = %#x, want %#x", l, mw[l], want);
            ok = 0;
        }
    }
    CHECK(cnt(c, AT_REG_CNT_MEM_WR_BYTES_LO) == 2 * 7 * 40 + 2 * 64, "MEM_WR %llu",
          (unsigned long long)cnt(c, AT_REG_CNT_MEM_WR_BYTES_LO));
    /* the scratchpad counters by buffer: 21 activation lines written with
     * their mask words and read back, 4 mask lines (64 words) read */
    static const uint32_t bufcnt[6] = {AT_REG_CNT_SPAD_ACT_RD_LO, AT_REG_CNT_SPAD_ACT_WR_LO,
                                       AT_REG_CNT_SPAD_WGT_RD_LO, AT_REG_CNT_SPAD_WGT_WR_LO,
                                       AT_REG_CNT_SPAD_MASK_RD_LO, AT_REG_CNT_SPAD_MASK_WR_LO};
    static const char *const bufname[6] = {"ACT_RD", "ACT_WR", "WGT_RD", "WGT_WR", "MASK_RD", "MASK_WR"};
    const uint64_t want1[6] = {21, 21, 0, 0, 64, 21};
    for (int k = 0; k < 6; k++)
        CHECK(cnt(c, bufcnt[k]) == want1[k], "CNT_SPAD_%s %llu, want %llu", bufname[k],
              (unsigned long long)cnt(c, bufcnt[k]), (unsigned long long)want1[k]);
    /* a LOAD with KEEP_MASK writes no mask word, a mask-buffer line is 16,
     * weight lines count in the weight buffer */
    wr(c, AT_REG_IRQ_STATUS, 1); /* the first job's DONE */
    job_setup(&j, c);
    desc_xfer(d, AT_OP_LOAD, 0, 200, 1, 16, 1, 1, src, 32, 1);
    AT_DPUT(d, XFER_KEEP_MASK, 1);
    job_push(&j, d);
    desc_xfer(d, AT_OP_LOAD, 2, 8, 1, 16, 1, 1, src, 32, 2);
    job_push(&j, d);
    desc_xfer(d, AT_OP_LOAD, 1, 0, 2, 16, 1, 1, src, 32, 3);
    job_push(&j, d);
    desc_xfer(d, AT_OP_STORE, 1, 0, 2, 16, 1, 1, dst + 8192, 32, 4);
    job_push(&j, d);
    desc_fence(d, 2, 0, 1, 5);
    job_push(&j, d);
    job_ring(&j);
    CHECK(run(c, AT_COSIM_UNTIL_IRQ, 1000000) == AT_COSIM_STOPPED_IRQ && rd(c, AT_REG_FENCE_DONE) == 2,
          "second xfer job: FENCE_DONE %u", rd(c, AT_REG_FENCE_DONE));
    const uint64_t want2[6] = {21, 22, 2, 2, 64, 21 + 16};
    for (int k = 0; k < 6; k++)
        CHECK(cnt(c, bufcnt[k]) == want2[k], "after KEEP_MASK, mask and weight lines: CNT_SPAD_%s %llu, want %llu",
              bufname[k], (unsigned long long)cnt(c, bufcnt[k]), (unsigned long long)want2[k]);
    CHECK(cnt(c, AT_REG_CNT_SPAD_RD_LO) == 21 + 4 + 2 && cnt(c, AT_REG_CNT_SPAD_WR_LO) == 21 + 1 + 1 + 2,
          "SPAD_RD %llu SPAD_WR %llu", (unsigned long long)cnt(c, AT_REG_CNT_SPAD_RD_LO),
          (unsigned long long)cnt(c, AT_REG_CNT_SPAD_WR_LO));
    free(m);
    at_cosim_destroy(c);
}

int main(void)
{
    g_seed = check_seed("test_cosim_fmodel", UINT64_C(0xC051F0DE));
    RUN_CASE(test_create);
    RUN_CASE(test_backends);
    RUN_CASE(test_args);
    RUN_CASE(test_registers);
    RUN_CASE(test_ring_gemm);
    RUN_CASE(test_errors);
    RUN_CASE(test_run_limits);
    RUN_CASE(test_pe_group_cycles);
    RUN_CASE(test_overlap);
    RUN_CASE(test_xfer_semantics);
    return check_finish("test_cosim_fmodel");
}
