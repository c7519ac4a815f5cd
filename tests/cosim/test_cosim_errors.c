/* Every device error code of docs/isa.md provoked on every available
 * backend: ILLEGAL_OPCODE, ILLEGAL_FIELD (field checks and reserved bits),
 * SPAD_RANGE (each buffer), ADDR_WINDOW (LOAD, STORE, FENCE, a range
 * wrapping 2^64, a descriptor fetch outside the windows), BUS_SLVERR and
 * BUS_DECERR (injected with at_cosim_mem_fault, and a window over memory
 * that does not exist). For each: ERR_CODE (code, opcode, tag), ERR_DESC,
 * ERR_INFO, RING_HEAD, STATUS, IRQ_STATUS and the interrupt line, CNT_CMDS;
 * then SOFT_RESET (registers back to reset values), reprogramming, and a
 * copy job that must run correctly. The register snapshots of the backends
 * must be identical. */
#include "cosim_util.h"
#include "host_mem.h"

#define NCASES 32
#define TAG(k) (0x100u + (unsigned)(k))

typedef struct snap {
    uint32_t status, err_code, err_desc_lo, err_desc_hi, err_info, head, irq_status, irq_line;
    uint64_t cmds;
} snap;

typedef struct expect {
    unsigned code;
    uint32_t detail;
    uint32_t head;       /* index of the failing descriptor */
    int check_op;        /* 0 for a failed fetch (opcode/tag not known from the descriptor) */
    unsigned opcode;
} expect;

typedef struct env {
    cdev *d;
    uint64_t data;       /* 64 KiB inside window 0, 4 KiB aligned */
    uint64_t mem_end;
} env;

static void gemm_small(uint32_t w[AT_DESC_WORDS], unsigned tag)
{
    gemm_args g = {.m = 1, .n = 16, .k = 16, .a = 0, .lda = 1, .b = 0, .ldb = 16, .c = 100, .ldc = 1,
                   .rq = {32768, 15}};
    desc_gemm(w, &g, tag);
}

/* Builds case k: the failing descriptor (ring slot 1 after a NOP, unless
 * the case says otherwise), its setup on the device, and what to expect.
 * Returns the case name. *slot0_bad: the failing descriptor is slot 0. */
static const char *build_case(int k, env *e, uint32_t w[AT_DESC_WORDS], expect *x, int *slot0_bad)
{
    cdev *d = e->d;
    const unsigned t = TAG(k);
    const uint64_t data = e->data;
    *slot0_bad = 0;
    memset(x, 0, sizeof *x);
    x->head = 1;
    x->check_op = 1;
    memset(w, 0, AT_DESC_BYTES);
    at_err err = {0};
    switch (k) {
    case 0:
        desc_clear(w, 7, t);
        *x = (expect){AT_DEVERR_ILLEGAL_OPCODE, 7, 1, 1, 7};
        return "ILLEGAL_OPCODE 7";
    case 1:
        desc_clear(w, 0xFF, t);
        w[5] = 0xFFFFFFFFu; /* reserved bits do not matter for an unknown opcode */
        *x = (expect){AT_DEVERR_ILLEGAL_OPCODE, 0xFF, 1, 1, 0xFF};
        return "ILLEGAL_OPCODE 255";
    case 2:
        desc_clear(w, AT_OP_NOP, t);
        w[0] |= 1u << 8; /* a flag NOP does not have */
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 0, 1, 1, AT_OP_NOP};
        return "reserved flag bit (NOP)";
    case 3:
        desc_clear(w, AT_OP_NOP, t);
        w[15] = 0x80000000u;
        w[9] = 1;
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 9, 1, 1, AT_OP_NOP};
        return "reserved bits, lowest word 9 (NOP)";
    case 4:
        desc_xfer(w, AT_OP_LOAD, 0, 0, 1, 16, 1, 1, data, 32, t);
        w[1] |= 1u << 24; /* above XFER_SPAD */
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 1, 1, 1, AT_OP_LOAD};
        return "reserved bit word 1 (LOAD)";
    case 5:
        gemm_small(w, t);
        w[8] |= 1u << 31; /* above GEMM_TAU */
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 8, 1, 1, AT_OP_GEMM};
        return "reserved bit word 8 (GEMM)";
    case 6:
        desc_xfer(w, AT_OP_LOAD, 3, 0, 1, 16, 1, 1, data, 32, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 0, 1, 1, AT_OP_LOAD};
        return "XFER_BUF 3";
    case 7:
        desc_xfer(w, AT_OP_STORE, 0, 0, 1, 16, 1, 1, data, 32, t);
        AT_DPUT(w, XFER_KEEP_MASK, 1);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 0, 1, 1, AT_OP_STORE};
        return "KEEP_MASK on STORE";
    case 8:
        desc_xfer(w, AT_OP_LOAD, 0, 0, 0, 16, 1, 1, data, 32, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 2, 1, 1, AT_OP_LOAD};
        return "LOAD ROWS 0";
    case 9:
        desc_xfer(w, AT_OP_LOAD, 0, 0, 1, 16, 1, 1, data + 16, 32, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 5, 1, 1, AT_OP_LOAD};
        return "LOAD MEM misaligned";
    case 10:
        desc_xfer(w, AT_OP_LOAD, 0, 0, 2, 16, 1, 1, data, 48, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 7, 1, 1, AT_OP_LOAD};
        return "LOAD MEM_STRIDE 48";
    case 11:
        gemm_small(w, t);
        AT_DPUT(w, GEMM_K, 0);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 8, 1, 1, AT_OP_GEMM};
        return "GEMM K 0";
    case 12:
        gemm_small(w, t);
        AT_DPUT(w, GEMM_LDB, 6);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 4, 1, 1, AT_OP_GEMM};
        return "GEMM LDB 6";
    case 13:
        gemm_small(w, t);
        AT_DPUT(w, GEMM_M, 2);
        AT_DPUT(w, GEMM_C, 1); /* C lines 1..2 overlap A lines 0..1 */
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 5, 1, 1, AT_OP_GEMM};
        return "GEMM C overlaps A";
    case 14: {
        smx_args s = {.rows = 1, .n = d->cfg->max_seq + 1, .len = 1, .src = 0, .lds = 33, .dst = 100,
                      .ldd = 33};
        desc_softmax(w, &s, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 5, 1, 1, AT_OP_SOFTMAX};
        return "SOFTMAX N > max_seq";
    }
    case 15: {
        ln_args l = {.rows = 1, .n = 16, .src = 0, .lds = 1, .dst = 10, .ldd = 1, .params = 0,
                     .eps = UINT64_C(0x20000001) << 32}; /* eps_q = 2^61 + 2^32 */
        desc_layernorm(w, &l, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 11, 1, 1, AT_OP_LAYERNORM};
        return "LAYERNORM eps_q > 2^61";
    }
    case 16:
        desc_fence(w, 1, data + 2, 0, t);
        *x = (expect){AT_DEVERR_ILLEGAL_FIELD, 2, 1, 1, AT_OP_FENCE};
        return "FENCE address misaligned";
    case 17:
        desc_xfer(w, AT_OP_LOAD, 0, d->cfg->act_buf_kib * 32 - 1, 2, 16, 1, 1, data, 32, t);
        *x = (expect){AT_DEVERR_SPAD_RANGE, 0, 1, 1, AT_OP_LOAD};
        return "SPAD_RANGE activation";
    case 18:
        desc_xfer(w, AT_OP_STORE, 1, d->cfg->wgt_buf_kib * 32 - 2, 1, 48, 1, 1, data, 32, t);
        *x = (expect){AT_DEVERR_SPAD_RANGE, 1, 1, 1, AT_OP_STORE};
        return "SPAD_RANGE weight (STORE)";
    case 19:
        desc_xfer(w, AT_OP_LOAD, 2, d->cfg->act_buf_kib * 2 - 1, 2, 16, 1, 1, data, 32, t);
        *x = (expect){AT_DEVERR_SPAD_RANGE, 2, 1, 1, AT_OP_LOAD};
        return "SPAD_RANGE mask";
    case 20:
        gemm_small(w, t);
        AT_DPUT(w, GEMM_B, d->cfg->wgt_buf_kib * 32 - 8);
        *x = (expect){AT_DEVERR_SPAD_RANGE, 1, 1, 1, AT_OP_GEMM};
        return "SPAD_RANGE GEMM B";
    case 21:
        desc_xfer(w, AT_OP_LOAD, 0, 0, 1, 16, 1, 1, 0x1000, 32, t);
        *x = (expect){AT_DEVERR_ADDR_WINDOW, 0x1000, 1, 1, AT_OP_LOAD};
        return "ADDR_WINDOW LOAD";
    case 22:
        desc_xfer(w, AT_OP_STORE, 0, 0, 2, 16, 1, 1, e->mem_end - 32, 32, t);
        *x = (expect){AT_DEVERR_ADDR_WINDOW, (uint32_t)(e->mem_end - 32), 1, 1, AT_OP_STORE};
        return "ADDR_WINDOW STORE past the window";
    case 23:
        desc_fence(w, 5, e->mem_end + 64, 1, t);
        *x = (expect){AT_DEVERR_ADDR_WINDOW, (uint32_t)(e->mem_end + 64), 1, 1, AT_OP_FENCE};
        return "ADDR_WINDOW FENCE write";
    case 24:
        desc_xfer(w, AT_OP_LOAD, 0, 0, 2, 16, 1, 1, 0xFFFFFFFFFFFFFFE0ull, 32, t);
        *x = (expect){AT_DEVERR_ADDR_WINDOW, 0xFFFFFFE0u, 1, 1, AT_OP_LOAD};
        return "ADDR_WINDOW range wrapping 2^64";
    case 25: {
        /* window 0 holds ring slots 0 and 1 only; slot 2 is fetched outside */
        desc_clear(w, AT_OP_NOP, t);
        cu_wr(d, AT_REG_WIN0_SIZE_LO, 128);
        cu_wr(d, AT_REG_WIN0_SIZE_HI, 0);
        cu_wr(d, AT_REG_WIN0_BASE_LO, (uint32_t)d->ring);
        cu_wr(d, AT_REG_WIN0_BASE_HI, (uint32_t)(d->ring >> 32));
        *x = (expect){AT_DEVERR_ADDR_WINDOW, (uint32_t)(d->ring + 128), 2, 0, 0};
        return "ADDR_WINDOW descriptor fetch";
    }
    case 26:
        at_cosim_mem_fault(d->c, data + 0x1000, 32, AT_AXI_SLVERR, &err);
        desc_xfer(w, AT_OP_LOAD, 0, 0, 4, 16, 1, 1, data + 0x1000, 32, t);
        *x = (expect){AT_DEVERR_BUS_SLVERR, (uint32_t)(data + 0x1000), 1, 1, AT_OP_LOAD};
        return "BUS_SLVERR LOAD";
    case 27:
        at_cosim_mem_fault(d->c, data + 0x2000, 4, AT_AXI_DECERR, &err);
        desc_xfer(w, AT_OP_LOAD, 1, 0, 2, 32, 1, 4, data + 0x2000, 64, t);
        *x = (expect){AT_DEVERR_BUS_DECERR, (uint32_t)(data + 0x2000), 1, 1, AT_OP_LOAD};
        return "BUS_DECERR LOAD (injected)";
    case 28:
        /* window 1 over addresses past host memory: the bus answers DECERR */
        cu_wr(d, AT_REG_WIN1_BASE_LO, (uint32_t)e->mem_end);
        cu_wr(d, AT_REG_WIN1_BASE_HI, (uint32_t)(e->mem_end >> 32));
        cu_wr(d, AT_REG_WIN1_SIZE_LO, 65536);
        cu_wr(d, AT_REG_WIN1_SIZE_HI, 0);
        desc_xfer(w, AT_OP_LOAD, 0, 0, 1, 16, 1, 1, e->mem_end, 32, t);
        *x = (expect){AT_DEVERR_BUS_DECERR, (uint32_t)e->mem_end, 1, 1, AT_OP_LOAD};
        return "BUS_DECERR LOAD (no memory)";
    case 29:
        at_cosim_mem_fault(d->c, data + 0x3000, 32, AT_AXI_SLVERR, &err);
        desc_xfer(w, AT_OP_STORE, 0, 0, 1, 16, 1, 1, data + 0x3000, 32, t);
        *x = (expect){AT_DEVERR_BUS_SLVERR, (uint32_t)(data + 0x3000), 1, 1, AT_OP_STORE};
        return "BUS_SLVERR STORE";
    case 30:
        at_cosim_mem_fault(d->c, data + 0x4000, 4, AT_AXI_DECERR, &err);
        desc_fence(w, 0x1234, data + 0x4000, 1, t);
        *x = (expect){AT_DEVERR_BUS_DECERR, (uint32_t)(data + 0x4000), 1, 1, AT_OP_FENCE};
        return "BUS_DECERR FENCE write";
    case 31:
        /* the first descriptor's fetch answers SLVERR */
        desc_clear(w, AT_OP_NOP, t);
        at_cosim_mem_fault(d->c, d->ring, 64, AT_AXI_SLVERR, &err);
        *slot0_bad = 1;
        *x = (expect){AT_DEVERR_BUS_SLVERR, (uint32_t)d->ring, 0, 0, 0};
        return "BUS_SLVERR descriptor fetch";
    }
    return NULL;
}

static void take_snap(cdev *d, snap *s)
{
    s->status = cu_rd(d, AT_REG_STATUS);
    s->err_code = cu_rd(d, AT_REG_ERR_CODE);
    s->err_desc_lo = cu_rd(d, AT_REG_ERR_DESC_LO);
    s->err_desc_hi = cu_rd(d, AT_REG_ERR_DESC_HI);
    s->err_info = cu_rd(d, AT_REG_ERR_INFO);
    s->head = cu_rd(d, AT_REG_RING_HEAD);
    s->irq_status = cu_rd(d, AT_REG_IRQ_STATUS);
    s->irq_line = (uint32_t)at_cosim_irq(d->c);
    s->cmds = cu_cnt(d, AT_REG_CNT_CMDS_LO);
}

/* SOFT_RESET, wait for it, check the reset values, program again. */
static void soft_reset(cdev *d, const char *name)
{
    cu_wr(d, AT_REG_SOFT_RESET, AT_REG_SOFT_RESET_RESET_MASK);
    at_cosim_why why = 0;
    at_err err = {0};
    int rc = at_cosim_run(d->c, AT_COSIM_UNTIL_IDLE, 100000, &why, &err);
    CHECK(rc == 0 && why == AT_COSIM_STOPPED_IDLE, "%s on %s: soft reset did not finish: %d why %d %s", name, cu_name(d),
          rc, (int)why, err.msg);
    struct {
        uint32_t off;
        uint32_t want;
        const char *reg;
    } regs[] = {
        {AT_REG_STATUS, AT_REG_STATUS_IDLE_MASK, "STATUS"},
        {AT_REG_ERR_CODE, 0, "ERR_CODE"},
        {AT_REG_ERR_INFO, 0, "ERR_INFO"},
        {AT_REG_ERR_DESC_LO, 0, "ERR_DESC_LO"},
        {AT_REG_IRQ_STATUS, 0, "IRQ_STATUS"},
        {AT_REG_IRQ_ENABLE, 0, "IRQ_ENABLE"},
        {AT_REG_CTRL, 0, "CTRL"},
        {AT_REG_RING_HEAD, 0, "RING_HEAD"},
        {AT_REG_RING_TAIL, 0, "RING_TAIL"},
        {AT_REG_RING_BASE_LO, 0, "RING_BASE_LO"},
        {AT_REG_WIN0_SIZE_LO, 0, "WIN0_SIZE_LO"},
        {AT_REG_WIN1_SIZE_LO, 0, "WIN1_SIZE_LO"},
        {AT_REG_FENCE_DONE, 0, "FENCE_DONE"},
        {AT_REG_CNT_CMDS_LO, 0, "CNT_CMDS_LO"},
        {AT_REG_CNT_MAC_ISSUED_LO, 0, "CNT_MAC_ISSUED_LO"},
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint32_t v = cu_rd(d, regs[i].off);
        CHECK(v == regs[i].want, "%s on %s: after SOFT_RESET %s = 0x%08x (want 0x%08x)", name, cu_name(d), regs[i].reg, v,
              regs[i].want);
    }
    CHECK(!at_cosim_irq(d->c), "%s on %s: interrupt line high after SOFT_RESET", name, cu_name(d));
    cu_program(d);
}

/* A correct job after the reset: copy a 3 x 20 matrix through the
 * activation buffer, FENCE with write-back and interrupt. */
static void copy_job(cdev *d, env *e, const char *name, unsigned k)
{
    uint64_t src = e->data + 0x8000, dst = e->data + 0x9000, fw = e->data + 0xA000;
    uint8_t in[3 * 64], before[3 * 64], out[3 * 64];
    for (unsigned i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 13 + k);
    for (unsigned i = 0; i < sizeof before; i++)
        before[i] = (uint8_t)(0xE0 + (i & 15));
    cu_put(d, src, in, sizeof in);
    cu_put(d, dst, before, sizeof before);
    uint32_t w[AT_DESC_WORDS];
    desc_xfer(w, AT_OP_LOAD, 0, 40, 3, 20, 2, 1, src, 64, 1);
    cu_push(d, w);
    desc_xfer(w, AT_OP_STORE, 0, 40, 3, 20, 2, 1, dst, 64, 2);
    cu_push(d, w);
    desc_fence(w, 0xF00D0000u + k, fw, 1, 3);
    cu_push(d, w);
    cu_kick_wait(d, 1000000);
    uint32_t st = cu_rd(d, AT_REG_STATUS);
    CHECK(st == AT_REG_STATUS_IDLE_MASK, "%s on %s: job after reset: STATUS 0x%x, ERR_CODE 0x%08x ERR_INFO 0x%08x", name,
          cu_name(d), st, cu_rd(d, AT_REG_ERR_CODE), cu_rd(d, AT_REG_ERR_INFO));
    cu_get(d, dst, out, sizeof out);
    uint8_t want[3 * 64];
    memcpy(want, before, sizeof want);
    for (unsigned r = 0; r < 3; r++)
        memcpy(want + 64 * r, in + 64 * r, 40); /* 20 elements */
    char what[128];
    snprintf(what, sizeof what, "%s: copy job after reset", name);
    cu_same_bytes(what, cu_name(d), out, "expected", want, sizeof want);
    uint32_t fv = 0;
    cu_get(d, fw, &fv, 4);
    CHECK(fv == 0xF00D0000u + k && cu_rd(d, AT_REG_FENCE_DONE) == fv, "%s on %s: fence 0x%08x", name, cu_name(d), fv);
    CHECK(at_cosim_irq(d->c) && cu_rd(d, AT_REG_IRQ_STATUS) == AT_REG_IRQ_STATUS_DONE_MASK,
          "%s on %s: no DONE interrupt", name, cu_name(d));
    CHECK(cu_cnt(d, AT_REG_CNT_CMDS_LO) == 3, "%s on %s: CNT_CMDS after the copy job", name, cu_name(d));
    CHECK(cu_cnt(d, AT_REG_CNT_MEM_WR_BYTES_LO) == 2 * 3 * 20 + 4, "%s on %s: CNT_MEM_WR_BYTES after the copy job", name,
          cu_name(d));
    /* leave it as the error cases expect: a fresh ring */
    soft_reset(d, name);
}

static snap g_snaps[2][NCASES];

static void run_backend(int bi, at_cosim_backend be)
{
    cdev d;
    if (cu_open(&d, be, AT_COSIM_FAST, 3))
        return;
    env e = {&d, 0, at_cosim_mem_base(d.c) + at_cosim_mem_size(d.c)};
    at_err err = {0};
    if (at_cosim_mem_alloc(d.c, 65536, 4096, &e.data, &err)) {
        CHECK(0, "alloc: %s", err.msg);
        cu_close(&d);
        return;
    }
    for (int k = 0; k < NCASES; k++) {
        uint32_t w[AT_DESC_WORDS], n0[AT_DESC_WORDS], n2[AT_DESC_WORDS];
        expect x;
        int slot0_bad = 0;
        const char *name = build_case(k, &e, w, &x, &slot0_bad);
        if (!name)
            break;
        desc_clear(n0, AT_OP_NOP, 0x10);
        desc_clear(n2, AT_OP_NOP, 0x12);
        if (slot0_bad) {
            cu_push(&d, w);
            cu_push(&d, n2);
        } else if (k == 25) {
            cu_push(&d, n0);
            cu_push(&d, n0);
            cu_push(&d, w);
            cu_push(&d, n2);
        } else {
            cu_push(&d, n0);
            cu_push(&d, w);
            cu_push(&d, n2);
        }
        cu_kick_wait(&d, 1000000);
        snap *s = &g_snaps[bi][k];
        take_snap(&d, s);
        const char *bn = cu_name(&d);
        uint64_t desc = d.ring + 64ull * x.head;
        CHECK(s->status == AT_REG_STATUS_HALTED_MASK, "%s on %s: STATUS 0x%x (want HALTED only)", name, bn, s->status);
        CHECK(AT_GET(AT_REG_ERR_CODE_CODE, s->err_code) == x.code, "%s on %s: ERR_CODE.CODE %u (%s), want %u (%s)", name,
              bn, AT_GET(AT_REG_ERR_CODE_CODE, s->err_code), at_deverr_name(AT_GET(AT_REG_ERR_CODE_CODE, s->err_code)),
              x.code, at_deverr_name(x.code));
        if (x.check_op) {
            CHECK(AT_GET(AT_REG_ERR_CODE_OPCODE, s->err_code) == x.opcode && AT_GET(AT_REG_ERR_CODE_TAG, s->err_code) == TAG(k),
                  "%s on %s: ERR_CODE 0x%08x: opcode %u tag 0x%x (want %u, 0x%x)", name, bn, s->err_code,
                  AT_GET(AT_REG_ERR_CODE_OPCODE, s->err_code), AT_GET(AT_REG_ERR_CODE_TAG, s->err_code), x.opcode, TAG(k));
        }
        CHECK(s->err_info == x.detail, "%s on %s: ERR_INFO 0x%08x (want 0x%08x)", name, bn, s->err_info, x.detail);
        CHECK(s->err_desc_lo == (uint32_t)desc && s->err_desc_hi == (uint32_t)(desc >> 32),
              "%s on %s: ERR_DESC 0x%08x%08x (want 0x%016" PRIx64 ")", name, bn, s->err_desc_hi, s->err_desc_lo, desc);
        CHECK(s->head == x.head, "%s on %s: RING_HEAD %u (want %u)", name, bn, s->head, x.head);
        CHECK(s->irq_status == AT_REG_IRQ_STATUS_ERROR_MASK && s->irq_line == 1,
              "%s on %s: IRQ_STATUS 0x%x, line %u (want ERROR, high)", name, bn, s->irq_status, s->irq_line);
        if (x.code == AT_DEVERR_BUS_SLVERR || x.code == AT_DEVERR_BUS_DECERR) {
            /* found while running: commands issued after it may have finished
             * (docs/isa.md, Errors), so CNT_CMDS is only bounded below and is
             * left out of the cross-backend comparison */
            CHECK(s->cmds >= x.head, "%s on %s: CNT_CMDS %" PRIu64 " (want >= %u)", name, bn, s->cmds, x.head);
            s->cmds = 0;
        } else {
            CHECK(s->cmds == x.head, "%s on %s: CNT_CMDS %" PRIu64 " (want %u: the commands before the failing one)", name,
                  bn, s->cmds, x.head);
        }
        /* a halted device ignores the doorbell */
        cu_wr(&d, AT_REG_RING_TAIL, 0);
        CHECK(cu_rd(&d, AT_REG_RING_HEAD) == x.head && cu_rd(&d, AT_REG_STATUS) == AT_REG_STATUS_HALTED_MASK,
              "%s on %s: the doorbell changed a halted device", name, bn);
        at_cosim_mem_fault(d.c, 0, 0, 0, &err);
        soft_reset(&d, name);
        copy_job(&d, &e, name, (unsigned)k);
    }
    cu_close(&d);
}

static void t_errors(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    for (int b = 0; b < nb; b++) {
        double t0 = cu_now();
        run_backend(b, bes[b]);
        printf("  %s: %d error cases in %.2f s\n", at_cosim_backend_name(bes[b]), NCASES, cu_now() - t0);
    }
    for (int b = 1; b < nb; b++)
        for (int k = 0; k < NCASES; k++) {
            const snap *a = &g_snaps[0][k], *s = &g_snaps[b][k];
            if (memcmp(a, s, sizeof *a)) {
                CHECK(0,
                      "case %d: %s STATUS 0x%x ERR_CODE 0x%08x DESC 0x%08x%08x INFO 0x%08x HEAD %u IRQ 0x%x/%u CMDS %" PRIu64
                      " vs %s STATUS 0x%x ERR_CODE 0x%08x DESC 0x%08x%08x INFO 0x%08x HEAD %u IRQ 0x%x/%u CMDS %" PRIu64,
                      k, at_cosim_backend_name(bes[0]), a->status, a->err_code, a->err_desc_hi, a->err_desc_lo,
                      a->err_info, a->head, a->irq_status, a->irq_line, a->cmds, at_cosim_backend_name(bes[b]), s->status,
                      s->err_code, s->err_desc_hi, s->err_desc_lo, s->err_info, s->head, s->irq_status, s->irq_line,
                      s->cmds);
            }
        }
}

int main(void)
{
    (void)check_seed("test_cosim_errors", 0); /* deterministic cases; printed for the log */
    RUN_CASE(t_errors);
    return check_finish("test_cosim_errors");
}
