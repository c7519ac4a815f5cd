/* Running, checking and comparing fuzz cases (dfz.h). */
#include "dfz.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

#define ACT_LINES(cfg) ((uint64_t)(cfg)->act_buf_kib * 1024u / 32u)
#define WGT_LINES(cfg) ((uint64_t)(cfg)->wgt_buf_kib * 1024u / 32u)

static uint64_t cdiv(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

void dfz_fail(dfz_report *r, const char *fmt, ...)
{
    r->failed = 1;
    if (r->len + 2 >= sizeof r->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text + r->len, sizeof r->text - r->len - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    r->len += (size_t)n < sizeof r->text - r->len - 1 ? (size_t)n : sizeof r->text - r->len - 2;
    r->text[r->len++] = '\n';
    r->text[r->len] = 0;
}

/* ---------------------------------------------------------------- device */

int dfz_dev_open(dfz_dev *d, at_cosim_backend be, at_cosim_profile prof, at_err *err)
{
    memset(d, 0, sizeof *d);
    at_cosim_opts o = {be, "tiny", be == AT_COSIM_RTL ? prof : AT_COSIM_FAST, DFZ_MEM_BASE, DFZ_MEM_BYTES, 1};
    int rc = at_cosim_create(&o, &d->c, err);
    if (rc)
        return rc;
    d->be = be;
    d->prof = prof;
    d->cfg = at_cosim_config(d->c);
    return 0;
}

void dfz_dev_close(dfz_dev *d)
{
    if (d->c)
        at_cosim_destroy(d->c);
    d->c = NULL;
}

/* Register access that keeps the first failure in o. */
static uint32_t rd(dfz_dev *d, dfz_obs *o, uint32_t off)
{
    uint32_t v = 0;
    at_err err = {0};
    if (o->rc)
        return 0;
    int rc = at_cosim_mmio_read(d->c, off, &v, &err);
    if (rc) {
        o->rc = rc;
        snprintf(o->msg, sizeof o->msg, "mmio_read 0x%03x: %.400s", off, err.msg);
    }
    return v;
}

static void wr(dfz_dev *d, dfz_obs *o, uint32_t off, uint32_t v)
{
    at_err err = {0};
    if (o->rc)
        return;
    int rc = at_cosim_mmio_write(d->c, off, v, &err);
    if (rc) {
        o->rc = rc;
        snprintf(o->msg, sizeof o->msg, "mmio_write 0x%03x: %.400s", off, err.msg);
    }
}

static void wr64(dfz_dev *d, dfz_obs *o, uint32_t lo, uint64_t v)
{
    wr(d, o, lo, (uint32_t)v);
    wr(d, o, lo + 4, (uint32_t)(v >> 32));
}

static uint64_t cnt(dfz_dev *d, dfz_obs *o, uint32_t lo)
{
    uint64_t l = rd(d, o, lo);
    return l | (uint64_t)rd(d, o, lo + 4) << 32;
}

static int run_idle(dfz_dev *d, dfz_obs *o, uint64_t max, const char *what)
{
    at_cosim_why why = 0;
    at_err err = {0};
    if (o->rc)
        return 0;
    uint64_t c0 = at_cosim_cycles(d->c);
    int rc = at_cosim_run(d->c, AT_COSIM_UNTIL_IDLE, max, &why, &err);
    d->sim_cycles += at_cosim_cycles(d->c) - c0;
    if (rc) {
        o->rc = rc;
        snprintf(o->msg, sizeof o->msg, "%s: run: %.400s", what, err.msg);
        return 0;
    }
    return why == AT_COSIM_STOPPED_IDLE;
}

static const uint32_t cnt_regs[DFZ_NCNT] = {AT_REG_CNT_MAC_ISSUED_LO, AT_REG_CNT_MAC_SKIPPED_LO, AT_REG_CNT_PRUNED_LO,
                                            AT_REG_CNT_SMX_ROWS_LO,   AT_REG_CNT_LN_ROWS_LO,      AT_REG_CNT_MEM_WR_BYTES_LO,
                                            AT_REG_CNT_CMDS_LO,       AT_REG_CNT_MEM_RD_BYTES_LO};
static const char *const cnt_names[DFZ_NCNT] = {"MAC_ISSUED", "MAC_SKIPPED", "PRUNED", "SMX_ROWS", "LN_ROWS",
                                                "MEM_WR_BYTES", "CMDS", "MEM_RD_BYTES"};

int dfz_run_case(dfz_dev *d, const dfz_case *c, const uint8_t *img, dfz_obs *o)
{
    uint8_t *mem = o->mem;
    memset(o, 0, sizeof *o);
    o->mem = mem;
    at_err err = {0};
    /* a clean device: soft reset (a device a previous case left unusable
     * is created again) */
    wr(d, o, AT_REG_SOFT_RESET, AT_REG_SOFT_RESET_RESET_MASK);
    if (o->rc || !run_idle(d, o, 100000, "soft reset") || o->rc) {
        at_cosim_backend be = d->be;
        at_cosim_profile prof = d->prof;
        dfz_dev_close(d);
        memset(o, 0, sizeof *o);
        o->mem = mem;
        if ((o->rc = dfz_dev_open(d, be, prof, &err))) {
            snprintf(o->msg, sizeof o->msg, "create: %.400s", err.msg);
            return o->rc;
        }
    }
    at_cosim_mem_fault(d->c, 0, 0, 0, &err);
    if ((o->rc = at_cosim_mem_write(d->c, DFZ_MEM_BASE, img, DFZ_MEM_BYTES, &err))) {
        snprintf(o->msg, sizeof o->msg, "mem_write: %.400s", err.msg);
        return o->rc;
    }
    /* setup: every scratchpad line defined */
    wr64(d, o, AT_REG_WIN0_BASE_LO, DFZ_MEM_BASE);
    wr64(d, o, AT_REG_WIN0_SIZE_LO, DFZ_MEM_BYTES);
    for (unsigned w = 1; w < 4; w++)
        wr64(d, o, AT_REG_WIN0_SIZE_LO + 16 * w, 0);
    wr64(d, o, AT_REG_RING_BASE_LO, DFZ_MEM_BASE + DFZ_SETUP_RING);
    wr(d, o, AT_REG_RING_SIZE, 6);
    wr(d, o, AT_REG_IRQ_ENABLE, 0);
    wr(d, o, AT_REG_CTRL, AT_REG_CTRL_ENABLE_MASK);
    wr(d, o, AT_REG_RING_TAIL, DFZ_SETUP_DESC);
    int idle = run_idle(d, o, 200000, "setup");
    uint32_t st = rd(d, o, AT_REG_STATUS);
    if (!o->rc && (!idle || st != AT_REG_STATUS_IDLE_MASK)) {
        o->rc = AT_EDEVICE;
        snprintf(o->msg, sizeof o->msg, "setup stream: idle %d STATUS 0x%x ERR_CODE 0x%08x ERR_INFO 0x%08x", idle, st,
                 rd(d, o, AT_REG_ERR_CODE), rd(d, o, AT_REG_ERR_INFO));
    }
    uint64_t base[DFZ_NCNT];
    for (unsigned k = 0; k < DFZ_NCNT; k++)
        base[k] = cnt(d, o, cnt_regs[k]);
    /* the case */
    for (unsigned w = 0; w < 4; w++) {
        wr64(d, o, AT_REG_WIN0_BASE_LO + 16 * w, c->win_base[w]);
        wr64(d, o, AT_REG_WIN0_SIZE_LO + 16 * w, c->win_size[w]);
    }
    wr64(d, o, AT_REG_RING_BASE_LO, c->ring_base);
    wr(d, o, AT_REG_RING_SIZE, c->ring_log2);
    wr(d, o, AT_REG_IRQ_ENABLE, c->irq_enable);
    if (o->rc)
        return o->rc;
    if (c->fault_len && (o->rc = at_cosim_mem_fault(d->c, c->fault_addr, c->fault_len, c->fault_resp, &err))) {
        snprintf(o->msg, sizeof o->msg, "mem_fault: %.400s", err.msg);
        return o->rc;
    }
    wr(d, o, AT_REG_RING_TAIL, c->ndesc & ((1u << c->ring_log2) - 1));
    uint64_t c0 = at_cosim_cycles(d->c);
    o->finished = run_idle(d, o, dfz_cycle_budget(c), "stream");
    o->cycles = at_cosim_cycles(d->c) - c0;
    o->status = rd(d, o, AT_REG_STATUS);
    o->err_code = rd(d, o, AT_REG_ERR_CODE);
    o->err_desc = rd(d, o, AT_REG_ERR_DESC_LO);
    o->err_desc |= (uint64_t)rd(d, o, AT_REG_ERR_DESC_HI) << 32;
    o->err_info = rd(d, o, AT_REG_ERR_INFO);
    o->irq_status = rd(d, o, AT_REG_IRQ_STATUS);
    o->irq_line = (uint32_t)at_cosim_irq(d->c);
    o->head = rd(d, o, AT_REG_RING_HEAD);
    o->fence_done = rd(d, o, AT_REG_FENCE_DONE);
    for (unsigned k = 0; k < DFZ_NCNT; k++)
        o->cnt[k] = cnt(d, o, cnt_regs[k]) - base[k];
    at_cosim_mem_fault(d->c, 0, 0, 0, &err);
    if (!o->rc && (o->rc = at_cosim_mem_read(d->c, DFZ_MEM_BASE, o->mem, DFZ_MEM_BYTES, &err)))
        snprintf(o->msg, sizeof o->msg, "mem_read: %.400s", err.msg);
    return o->rc;
}

void dfz_obs_print(const dfz_obs *o, const char *name)
{
    fprintf(stderr,
            "    %-6s %s STATUS 0x%x ERR_CODE 0x%08x (%s) ERR_DESC 0x%016" PRIx64 " ERR_INFO 0x%08x IRQ 0x%x line %u "
            "HEAD %u FENCE_DONE 0x%08x cycles %" PRIu64 "\n",
            name, o->finished ? "idle" : "NOT IDLE", o->status, o->err_code,
            at_deverr_name(o->err_code & 0xff) ? at_deverr_name(o->err_code & 0xff) : "?", o->err_desc, o->err_info,
            o->irq_status, o->irq_line, o->head, o->fence_done, o->cycles);
    fprintf(stderr, "    %-6s", name);
    for (unsigned k = 0; k < DFZ_NCNT; k++)
        fprintf(stderr, " %s %" PRIu64, cnt_names[k], o->cnt[k]);
    fprintf(stderr, "\n");
    if (o->rc)
        fprintf(stderr, "    %-6s host error %d: %s\n", name, o->rc, o->msg);
}

/* ---------------------------------------------------------------- oracle */

/* [a, a + n) inside one open window, in 65-bit arithmetic (docs/isa.md,
 * Memory): a range that reaches 2^64 is outside every window. */
static int in_window(const dfz_case *c, u128 a, u128 n)
{
    u128 e = a + n;
    if (e > (u128)UINT64_MAX)
        return 0;
    for (unsigned w = 0; w < 4; w++) {
        if (!c->win_size[w])
            continue;
        u128 b = c->win_base[w], we = b + c->win_size[w];
        if (a >= b && e <= we)
            return 1;
    }
    return 0;
}

/* Bus response over [a, a + n): the injected fault's, DECERR outside host
 * memory, else 0 (cosim/host_mem.c's rule). Returns the device error code. */
static unsigned bus_code(const dfz_case *c, u128 a, u128 n, int *both)
{
    u128 e = a + n;
    unsigned code = 0;
    *both = 0;
    if (c->fault_len && a < (u128)c->fault_addr + c->fault_len && (u128)c->fault_addr < e)
        code = c->fault_resp == 2 ? AT_DEVERR_BUS_SLVERR : AT_DEVERR_BUS_DECERR;
    if (a < DFZ_MEM_BASE || e > (u128)DFZ_MEM_BASE + DFZ_MEM_BYTES) {
        if (code && code != AT_DEVERR_BUS_DECERR)
            *both = 1;
        else
            code = AT_DEVERR_BUS_DECERR;
    }
    return code;
}

static int overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    return a0 <= b1 && b0 <= a1;
}

static void v_fail(dfz_verdict *v, unsigned code, unsigned detail)
{
    v->kind = DFZ_V_FAIL;
    v->code = code;
    v->detail = detail;
}

/* The decode-time checks of docs/isa.md in their order; 1 when one fails. */
static int decode_check(const dfz_case *c, const at_hw_config *cfg, const uint32_t *d, dfz_verdict *v)
{
    unsigned op = AT_DGET(d, OPCODE);
    const uint32_t *used = at_desc_used(op);
    if (!used) {
        v_fail(v, AT_DEVERR_ILLEGAL_OPCODE, op);
        return 1;
    }
    for (unsigned w = 0; w < AT_DESC_WORDS; w++)
        if (d[w] & ~used[w]) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, w);
            return 1;
        }
    uint64_t act = ACT_LINES(cfg), wgt = WGT_LINES(cfg);
    switch (op) {
    case AT_OP_LOAD:
    case AT_OP_STORE: {
        unsigned buf = AT_DGET(d, XFER_BUF);
        uint64_t rows = AT_DGET(d, XFER_ROWS), cols = AT_DGET(d, XFER_COLS), ncb = cdiv(cols, 16);
        uint64_t mem = ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO);
        uint64_t stride = AT_DGET(d, XFER_MEM_STRIDE);
        if (buf == 3) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 0);
            return 1;
        }
        if (AT_DGET(d, XFER_KEEP_MASK) && (op == AT_OP_STORE || buf != 0)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 0);
            return 1;
        }
        if (!rows || !cols) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 2);
            return 1;
        }
        if (mem & 31) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 5);
            return 1;
        }
        if (stride & 31) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 7);
            return 1;
        }
        uint64_t last = AT_DGET(d, XFER_SPAD) + (rows - 1) * AT_DGET(d, XFER_SPAD_ROW_STEP) +
                        (ncb - 1) * AT_DGET(d, XFER_SPAD_CB_STEP);
        uint64_t lines = buf == 0 ? act : buf == 1 ? wgt : act / 16;
        if (last >= lines) {
            v_fail(v, AT_DEVERR_SPAD_RANGE, buf);
            return 1;
        }
        if (!in_window(c, mem, (u128)(rows - 1) * stride + 32 * ncb)) {
            v_fail(v, AT_DEVERR_ADDR_WINDOW, (uint32_t)mem);
            return 1;
        }
        return 0;
    }
    case AT_OP_GEMM: {
        uint64_t m = AT_DGET(d, GEMM_M), n = AT_DGET(d, GEMM_N), k = AT_DGET(d, GEMM_K);
        uint64_t nt = cdiv(n, 16), kc = cdiv(k, 16);
        uint64_t a = AT_DGET(d, GEMM_A), lda = AT_DGET(d, GEMM_LDA), b = AT_DGET(d, GEMM_B), ldb = AT_DGET(d, GEMM_LDB);
        uint64_t cc = AT_DGET(d, GEMM_C), ldc = AT_DGET(d, GEMM_LDC), pr = AT_DGET(d, GEMM_PARAMS);
        int pe = AT_DGET(d, GEMM_PARAMS_EN), cw = AT_DGET(d, GEMM_C_WGT);
        if (cw && AT_DGET(d, GEMM_ACCUM)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 0);
            return 1;
        }
        if (!m || !n) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 7);
            return 1;
        }
        if (!k) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 8);
            return 1;
        }
        if (b % 4) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 3);
            return 1;
        }
        if (ldb % 4) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 4);
            return 1;
        }
        if (pe && pr % 4) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 9);
            return 1;
        }
        /* C_WGT: C line (i, nt) = weight line C + nt LDC + i */
        if (cw ? (nt > 1 && ldc < m) : (m > 1 && ldc < nt)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 6);
            return 1;
        }
        uint64_t alast = a + (m - 1) * lda + kc - 1;
        uint64_t clast = cw ? cc + (nt - 1) * ldc + m - 1 : cc + (m - 1) * ldc + nt - 1;
        if (alast >= act || (!cw && clast >= act)) {
            v_fail(v, AT_DEVERR_SPAD_RANGE, 0);
            return 1;
        }
        uint64_t blast = AT_DGET(d, GEMM_TRANS_B) ? b + (kc - 1) * ldb + 4 * cdiv(n, 4) - 1
                                                  : b + (nt - 1) * ldb + 4 * cdiv(k, 4) - 1;
        if (blast >= wgt || (pe && pr + 4 * nt - 1 >= wgt) || (cw && clast >= wgt)) {
            v_fail(v, AT_DEVERR_SPAD_RANGE, 1);
            return 1;
        }
        if (cw ? overlap(cc, clast, b, blast) || (pe && overlap(cc, clast, pr, pr + 4 * nt - 1))
               : overlap(cc, clast, a, alast)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 5);
            return 1;
        }
        return 0;
    }
    case AT_OP_SOFTMAX: {
        uint64_t rows = AT_DGET(d, SMX_ROWS), n = AT_DGET(d, SMX_N), len = AT_DGET(d, SMX_LEN), nb = cdiv(n, 16);
        int lv = AT_DGET(d, SMX_LEN_VEC);
        if (!rows || !n || n > cfg->max_seq) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 5);
            return 1;
        }
        if (!lv && (!len || len > n)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 6);
            return 1;
        }
        uint64_t ldd = AT_DGET(d, SMX_LDD);
        if (rows > 1 && ldd < nb) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 4);
            return 1;
        }
        uint64_t s0 = AT_DGET(d, SMX_SRC), s1 = s0 + (rows - 1) * AT_DGET(d, SMX_LDS) + nb - 1;
        uint64_t d0 = AT_DGET(d, SMX_DST), d1 = d0 + (rows - 1) * ldd + nb - 1;
        uint64_t l0 = AT_DGET(d, SMX_LENS), l1 = l0 + (rows - 1) / 16;
        if (s1 >= act || d1 >= act || (lv && l1 >= act)) {
            v_fail(v, AT_DEVERR_SPAD_RANGE, 0);
            return 1;
        }
        if (!(s0 == d0 && s1 == d1) && overlap(s0, s1, d0, d1)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 3);
            return 1;
        }
        if (lv && overlap(l0, l1, d0, d1)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 7);
            return 1;
        }
        return 0;
    }
    case AT_OP_LAYERNORM: {
        uint64_t rows = AT_DGET(d, LN_ROWS), n = AT_DGET(d, LN_N), nb = cdiv(n, 16);
        uint64_t eps = ((uint64_t)AT_DGET(d, LN_EPS_HI) << 32) | AT_DGET(d, LN_EPS_LO);
        uint64_t pr = AT_DGET(d, LN_PARAMS), ldd = AT_DGET(d, LN_LDD);
        int res = AT_DGET(d, LN_RESIDUAL);
        if (!rows || !n || n > cfg->max_hidden) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 7);
            return 1;
        }
        if (pr % 4) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 8);
            return 1;
        }
        if (eps > (UINT64_C(1) << 61)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 11);
            return 1;
        }
        if (rows > 1 && ldd < nb) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 4);
            return 1;
        }
        uint64_t s0 = AT_DGET(d, LN_SRC), s1 = s0 + (rows - 1) * AT_DGET(d, LN_LDS) + nb - 1;
        uint64_t d0 = AT_DGET(d, LN_DST), d1 = d0 + (rows - 1) * ldd + nb - 1;
        uint64_t r0 = AT_DGET(d, LN_RES), r1 = r0 + (rows - 1) * AT_DGET(d, LN_LDR) + nb - 1;
        if (s1 >= act || d1 >= act || (res && r1 >= act)) {
            v_fail(v, AT_DEVERR_SPAD_RANGE, 0);
            return 1;
        }
        if (pr + 4 * nb - 1 >= wgt) {
            v_fail(v, AT_DEVERR_SPAD_RANGE, 1);
            return 1;
        }
        if (!(s0 == d0 && s1 == d1) && overlap(s0, s1, d0, d1)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 3);
            return 1;
        }
        if (res && !(r0 == d0 && r1 == d1) && overlap(r0, r1, d0, d1)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 5);
            return 1;
        }
        return 0;
    }
    case AT_OP_FENCE: {
        uint64_t a = ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO);
        if (AT_DGET(d, FENCE_WRITE) && (a & 3)) {
            v_fail(v, AT_DEVERR_ILLEGAL_FIELD, 2);
            return 1;
        }
        if (AT_DGET(d, FENCE_WRITE) && !in_window(c, a, 4)) {
            v_fail(v, AT_DEVERR_ADDR_WINDOW, (uint32_t)a);
            return 1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* The bus error a command that passed its checks will meet, or 0. */
static unsigned exec_bus(const dfz_case *c, const uint32_t *d, int *both)
{
    unsigned op = AT_DGET(d, OPCODE), code = 0;
    *both = 0;
    if (op == AT_OP_LOAD || op == AT_OP_STORE) {
        uint64_t rows = AT_DGET(d, XFER_ROWS), ncb = cdiv(AT_DGET(d, XFER_COLS), 16);
        uint64_t mem = ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO);
        for (uint64_t r = 0; r < rows; r++) {
            int b2;
            unsigned k = bus_code(c, (u128)mem + (u128)r * AT_DGET(d, XFER_MEM_STRIDE), 32 * ncb, &b2);
            if (k && !code)
                code = k;
            else if (k && k != code)
                *both = 1;
            *both |= b2;
        }
    } else if (op == AT_OP_FENCE && AT_DGET(d, FENCE_WRITE)) {
        code = bus_code(c, ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO), 4, both);
    }
    return code;
}

void dfz_oracle(const dfz_case *c, const at_hw_config *cfg, dfz_verdict v[DFZ_MAX_DESC])
{
    for (unsigned i = 0; i < c->ndesc; i++) {
        dfz_verdict *x = &v[i];
        memset(x, 0, sizeof *x);
        const uint32_t *d = c->desc[i];
        u128 a = (u128)c->ring_base + 64u * i;
        int both = 0;
        x->fetch = 1;
        if (c->ring_base & 63) {
            v_fail(x, AT_DEVERR_ILLEGAL_FIELD, 0);
            continue;
        }
        if (!in_window(c, a, 64)) {
            v_fail(x, AT_DEVERR_ADDR_WINDOW, (uint32_t)a);
            continue;
        }
        unsigned bc = bus_code(c, a, 64, &both);
        if (bc) {
            x->kind = DFZ_V_BUS;
            x->code = both ? 0 : bc;
            continue;
        }
        x->fetch = 0;
        if (decode_check(c, cfg, d, x))
            continue;
        bc = exec_bus(c, d, &both);
        if (bc) {
            x->kind = DFZ_V_BUS;
            x->code = both ? 0 : bc;
            continue;
        }
        if (AT_DGET(d, OPCODE) == AT_OP_SOFTMAX && AT_DGET(d, SMX_LEN_VEC) &&
            !(i > 0 && v[i - 1].kind == DFZ_V_OK && dfz_smx_lens_valid(c->desc[i - 1], d)))
            x->kind = DFZ_V_MAYBE_SMX;
    }
}

/* ---------------------------------------------------------------- checks */

/* Marks in map (one byte per byte of host memory) the bytes a command may
 * write: a STORE's valid elements, a FENCE write's 4 bytes. */
static void mark_writes(const uint32_t *d, uint8_t *map)
{
    unsigned op = AT_DGET(d, OPCODE);
    if (op == AT_OP_STORE) {
        uint64_t rows = AT_DGET(d, XFER_ROWS), cols = AT_DGET(d, XFER_COLS);
        uint64_t mem = ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO);
        for (uint64_t r = 0; r < rows; r++) {
            u128 a = (u128)mem + (u128)r * AT_DGET(d, XFER_MEM_STRIDE);
            for (uint64_t j = 0; j < 2 * cols; j++) {
                u128 x = a + j;
                if (x >= DFZ_MEM_BASE && x < (u128)DFZ_MEM_BASE + DFZ_MEM_BYTES)
                    map[(uint64_t)x - DFZ_MEM_BASE] = 1;
            }
        }
    } else if (op == AT_OP_FENCE && AT_DGET(d, FENCE_WRITE)) {
        uint64_t a = ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO);
        for (uint64_t j = 0; j < 4; j++)
            if (a + j >= DFZ_MEM_BASE && a + j < DFZ_MEM_BASE + DFZ_MEM_BYTES)
                map[a + j - DFZ_MEM_BASE] = 1;
    }
}

/* The index of the first FENCE at or after f (ndesc if none): the commands
 * in [f, it) are the ones a run-time error at f may let run (docs/isa.md,
 * Errors). */
static unsigned past_next_fence(const dfz_case *c, unsigned f)
{
    unsigned e = f;
    while (e < c->ndesc && AT_DGET(c->desc[e], OPCODE) != AT_OP_FENCE)
        e++;
    return e;
}

/* What the commands in [from, to) may add to the counters. */
typedef struct dfz_span {
    uint64_t cmds, rd, wr, macs; /* commands, LOAD bytes, STORE bytes (+ 4 per FENCE write), 16 x NT x M x K */
    uint64_t smx_rows, ln_rows;  /* rows of the SOFTMAXes, LAYERNORMs */
    int compute, store;          /* a GEMM / SOFTMAX / LAYERNORM, a STORE among them */
} dfz_span;

static dfz_span span_of(const dfz_case *c, unsigned from, unsigned to)
{
    dfz_span s = {0};
    for (unsigned i = from; i < to && i < c->ndesc; i++) {
        const uint32_t *d = c->desc[i];
        unsigned op = AT_DGET(d, OPCODE);
        s.cmds++;
        if (op == AT_OP_LOAD)
            s.rd += 32ull * AT_DGET(d, XFER_ROWS) * cdiv(AT_DGET(d, XFER_COLS), 16);
        else if (op == AT_OP_STORE) {
            s.wr += 2ull * AT_DGET(d, XFER_ROWS) * AT_DGET(d, XFER_COLS);
            s.store = 1;
        } else if (op == AT_OP_FENCE && AT_DGET(d, FENCE_WRITE))
            s.wr += 4;
        else if (op == AT_OP_GEMM || op == AT_OP_SOFTMAX || op == AT_OP_LAYERNORM) {
            s.compute = 1;
            if (op == AT_OP_GEMM)
                s.macs += 16ull * cdiv(AT_DGET(d, GEMM_N), 16) * AT_DGET(d, GEMM_M) * AT_DGET(d, GEMM_K);
            else if (op == AT_OP_SOFTMAX)
                s.smx_rows += AT_DGET(d, SMX_ROWS);
            else
                s.ln_rows += AT_DGET(d, LN_ROWS);
        }
    }
    return s;
}

static void check_range(dfz_report *r, const char *name, unsigned f, const char *cnt, uint64_t got, uint64_t lo,
                        uint64_t hi)
{
    if (got < lo || got > hi)
        dfz_fail(r, "%s: halted at command %u: %s %" PRIu64 ", want %" PRIu64 "..%" PRIu64 " (docs/isa.md, Performance counters)",
                 name, f, cnt, got, lo, hi);
}

/* docs/isa.md's counter rules after a halt at f; wr, rdb, macs, smx_rows
 * (with the rows a SOFTMAX stopped by a bad row length finished), ln_rows:
 * what the commands before f give (rdb with 64 per descriptor before f). */
static void check_halt_counters(const dfz_case *c, const dfz_verdict *v, unsigned f, int rt, const dfz_obs *o,
                                const char *name, dfz_report *r, uint64_t wr, uint64_t rdb, uint64_t macs,
                                uint64_t smx_rows, uint64_t ln_rows)
{
    const dfz_verdict *x = &v[f];
    uint64_t mac = o->cnt[DFZ_CNT_MAC_ISSUED] + o->cnt[DFZ_CNT_MAC_SKIPPED];
    if (!rt) {
        /* decode-time: nothing after f ran; f's descriptor was read unless
         * its fetch failed a check, and the fetcher may have read up to
         * DFZ_FETCH_AHEAD more (none after a failed fetch check) */
        uint64_t ahead = x->fetch ? 0 : c->ndesc - f - 1;
        if (ahead > DFZ_FETCH_AHEAD)
            ahead = DFZ_FETCH_AHEAD;
        uint64_t lo = rdb + (x->fetch ? 0 : 64);
        check_range(r, name, f, "CNT_CMDS", o->cnt[DFZ_CNT_CMDS], f, f);
        check_range(r, name, f, "CNT_MEM_RD_BYTES", o->cnt[DFZ_CNT_MEM_RD], lo, lo + 64 * ahead);
        return;
    }
    /* run-time: the commands after f up to the next FENCE may have run, f
     * itself part-way (its fetch failed: nothing after it was issued) */
    unsigned e = past_next_fence(c, f);
    /* nothing issues past a later command that fails at decode either */
    for (unsigned i = f + 1; i < e; i++)
        if (v[i].kind == DFZ_V_FAIL) {
            e = i;
            break;
        }
    dfz_span after = x->fetch ? (dfz_span){0} : span_of(c, f + 1, e), self = x->fetch ? (dfz_span){0} : span_of(c, f, f + 1);
    uint64_t fence_wr = !x->fetch && AT_DGET(c->desc[f], OPCODE) == AT_OP_FENCE ? self.wr : 0; /* the beat was sent */
    /* descriptors read: at most those up to the last command that can
     * issue (e) and the fetch buffer behind it; a fetch answered with a bus
     * error read its two beats */
    uint64_t nrd = (uint64_t)e + 1 + DFZ_FETCH_AHEAD;
    if (nrd > c->ndesc)
        nrd = c->ndesc;
    if (x->fetch && nrd > (uint64_t)f + 1 + DFZ_FETCH_AHEAD)
        nrd = (uint64_t)f + 1 + DFZ_FETCH_AHEAD; /* reads after it may have gone out before its error came back */
    check_range(r, name, f, "CNT_CMDS", o->cnt[DFZ_CNT_CMDS], f, f + after.cmds);
    check_range(r, name, f, "CNT_MEM_RD_BYTES", o->cnt[DFZ_CNT_MEM_RD], rdb + (x->fetch ? 64 : 0),
                64ull * nrd + (rdb - 64ull * f) + self.rd + after.rd);
    check_range(r, name, f, "CNT_MEM_WR_BYTES", o->cnt[DFZ_CNT_MEM_WR], wr + fence_wr, wr + self.wr + after.wr);
    check_range(r, name, f, "CNT_MAC_ISSUED + CNT_MAC_SKIPPED", mac, macs, macs + after.macs);
    check_range(r, name, f, "CNT_SMX_ROWS", o->cnt[DFZ_CNT_SMX_ROWS], smx_rows, smx_rows + after.smx_rows);
    check_range(r, name, f, "CNT_LN_ROWS", o->cnt[DFZ_CNT_LN_ROWS], ln_rows, ln_rows + after.ln_rows);
}

void dfz_check(const dfz_case *c, const at_hw_config *cfg, const uint8_t *img, const dfz_obs *o, const char *name,
               dfz_report *r, unsigned *fail_out, int *bus_out)
{
    dfz_verdict v[DFZ_MAX_DESC];
    dfz_oracle(c, cfg, v);
    unsigned f = c->ndesc;
    int bus = 0, smx_rt = 0;
    for (unsigned i = 0; i < c->ndesc && f == c->ndesc; i++) {
        if (v[i].kind == DFZ_V_FAIL)
            f = i;
        else if (v[i].kind == DFZ_V_BUS) {
            f = i;
            bus = 1;
        } else if (v[i].kind == DFZ_V_MAYBE_SMX) {
            unsigned det = o->err_info, rows = AT_DGET(c->desc[i], SMX_ROWS);
            if ((o->status & AT_REG_STATUS_HALTED_MASK) && o->head == i &&
                AT_GET(AT_REG_ERR_CODE_CODE, o->err_code) == AT_DEVERR_ILLEGAL_FIELD && det >= 0x10000 &&
                det < 0x10000 + rows) {
                f = i;
                smx_rt = 1;
            }
        }
    }
    /* run-time errors (docs/isa.md, Errors): the bus errors and SOFTMAX's
     * row length; commands after f up to the next FENCE may have run */
    int rt = bus || smx_rt;
    *fail_out = f;
    *bus_out = rt;
    if (o->rc) {
        dfz_fail(r, "%s: host error %d: %s", name, o->rc, o->msg);
        return;
    }
    if (!o->finished) {
        dfz_fail(r, "%s: hang: not idle after the budget of %" PRIu64 " cycles", name, dfz_cycle_budget(c));
        return;
    }
    uint32_t mask = (1u << c->ring_log2) - 1;
    uint32_t done = 0, last_fence = 0;
    uint64_t wr = 0, rdb = UINT64_C(64) * f, macs = 0, smx_rows = 0, ln_rows = 0;
    for (unsigned i = 0; i < f; i++) {
        const uint32_t *d = c->desc[i];
        switch (AT_DGET(d, OPCODE)) {
        case AT_OP_SOFTMAX:
            smx_rows += AT_DGET(d, SMX_ROWS);
            break;
        case AT_OP_LAYERNORM:
            ln_rows += AT_DGET(d, LN_ROWS);
            break;
        case AT_OP_FENCE:
            last_fence = AT_DGET(d, FENCE_VALUE);
            if (AT_DGET(d, FENCE_IRQ))
                done = AT_REG_IRQ_STATUS_DONE_MASK;
            if (AT_DGET(d, FENCE_WRITE))
                wr += 4;
            break;
        case AT_OP_STORE:
            wr += 2ull * AT_DGET(d, XFER_ROWS) * AT_DGET(d, XFER_COLS);
            break;
        case AT_OP_LOAD:
            rdb += 32ull * AT_DGET(d, XFER_ROWS) * cdiv(AT_DGET(d, XFER_COLS), 16);
            break;
        case AT_OP_GEMM:
            macs += 16ull * cdiv(AT_DGET(d, GEMM_N), 16) * AT_DGET(d, GEMM_M) * AT_DGET(d, GEMM_K);
            break;
        default:
            break;
        }
    }
    if (f < c->ndesc) {
        const dfz_verdict *x = &v[f];
        const uint32_t *d = c->desc[f];
        unsigned code = AT_GET(AT_REG_ERR_CODE_CODE, o->err_code);
        if (o->status != AT_REG_STATUS_HALTED_MASK)
            dfz_fail(r, "%s: command %u should fail (%s): STATUS 0x%x, want HALTED only", name, f,
                     bus ? "bus error" : at_deverr_name(x->code), o->status);
        if (o->head != (f & mask))
            dfz_fail(r, "%s: RING_HEAD %u, want %u (the failing descriptor)", name, o->head, f & mask);
        if (bus ? (x->code ? code != x->code : code != AT_DEVERR_BUS_SLVERR && code != AT_DEVERR_BUS_DECERR)
                : !smx_rt && code != x->code)
            dfz_fail(r, "%s: command %u: ERR_CODE.CODE %u (%s), want %u (%s)", name, f, code,
                     at_deverr_name(code) ? at_deverr_name(code) : "?", x->code,
                     x->code ? at_deverr_name(x->code) : "SLVERR or DECERR");
        if (!bus && !smx_rt && o->err_info != x->detail)
            dfz_fail(r, "%s: command %u: ERR_INFO 0x%x, want 0x%x", name, f, o->err_info, x->detail);
        uint32_t want_op = x->fetch ? 0 : AT_DGET(d, OPCODE), want_tag = x->fetch ? 0 : AT_DGET(d, TAG);
        if (AT_GET(AT_REG_ERR_CODE_OPCODE, o->err_code) != want_op || AT_GET(AT_REG_ERR_CODE_TAG, o->err_code) != want_tag)
            dfz_fail(r, "%s: command %u: ERR_CODE 0x%08x: opcode %u tag 0x%x, want %u 0x%x", name, f, o->err_code,
                     AT_GET(AT_REG_ERR_CODE_OPCODE, o->err_code), AT_GET(AT_REG_ERR_CODE_TAG, o->err_code), want_op,
                     want_tag);
        if (o->err_desc != c->ring_base + UINT64_C(64) * f)
            dfz_fail(r, "%s: command %u: ERR_DESC 0x%" PRIx64 ", want 0x%" PRIx64, name, f, o->err_desc,
                     c->ring_base + UINT64_C(64) * f);
        if (o->irq_status != (done | AT_REG_IRQ_STATUS_ERROR_MASK))
            dfz_fail(r, "%s: IRQ_STATUS 0x%x, want 0x%x", name, o->irq_status, done | AT_REG_IRQ_STATUS_ERROR_MASK);
        /* a SOFTMAX stopped by a bad row length finished the rows before it
         * (the detail names the row) */
        check_halt_counters(c, v, f, rt, o, name, r, wr, rdb, macs,
                            smx_rows + (smx_rt ? o->err_info - 0x10000u : 0), ln_rows);
    } else {
        if (o->status != AT_REG_STATUS_IDLE_MASK || o->err_code)
            dfz_fail(r, "%s: no command should fail: STATUS 0x%x ERR_CODE 0x%08x (%s) ERR_INFO 0x%x HEAD %u", name,
                     o->status, o->err_code, at_deverr_name(o->err_code & 0xff) ? at_deverr_name(o->err_code & 0xff) : "?",
                     o->err_info, o->head);
        if (o->head != (c->ndesc & mask))
            dfz_fail(r, "%s: RING_HEAD %u, want %u", name, o->head, c->ndesc & mask);
        if (o->irq_status != done)
            dfz_fail(r, "%s: IRQ_STATUS 0x%x, want 0x%x", name, o->irq_status, done);
        if (o->cnt[DFZ_CNT_CMDS] != c->ndesc)
            dfz_fail(r, "%s: CNT_CMDS %" PRIu64 ", want %u", name, o->cnt[DFZ_CNT_CMDS], c->ndesc);
        if (o->cnt[DFZ_CNT_MEM_RD] != rdb)
            dfz_fail(r, "%s: CNT_MEM_RD_BYTES %" PRIu64 ", want %" PRIu64 " (descriptors + LOAD lines)", name,
                     o->cnt[DFZ_CNT_MEM_RD], rdb);
    }
    if (o->fence_done != last_fence)
        dfz_fail(r, "%s: FENCE_DONE 0x%08x, want 0x%08x (the last FENCE before command %u)", name, o->fence_done,
                 last_fence, f);
    if (o->irq_line != ((o->irq_status & c->irq_enable) != 0))
        dfz_fail(r, "%s: interrupt line %u with IRQ_STATUS 0x%x IRQ_ENABLE 0x%x", name, o->irq_line, o->irq_status,
                 c->irq_enable);
    if (!rt && o->cnt[DFZ_CNT_MEM_WR] != wr)
        dfz_fail(r, "%s: CNT_MEM_WR_BYTES %" PRIu64 ", want %" PRIu64 " (STORE elements + FENCE writes)", name,
                 o->cnt[DFZ_CNT_MEM_WR], wr);
    if (!rt && o->cnt[DFZ_CNT_LN_ROWS] != ln_rows)
        dfz_fail(r, "%s: CNT_LN_ROWS %" PRIu64 ", want %" PRIu64 " (rows of the LAYERNORMs that ran)", name,
                 o->cnt[DFZ_CNT_LN_ROWS], ln_rows);
    if (!rt && o->cnt[DFZ_CNT_SMX_ROWS] != smx_rows)
        dfz_fail(r, "%s: CNT_SMX_ROWS %" PRIu64 ", want %" PRIu64 " (rows of the SOFTMAXes that ran)", name,
                 o->cnt[DFZ_CNT_SMX_ROWS], smx_rows);
    if (!rt && o->cnt[DFZ_CNT_MAC_ISSUED] + o->cnt[DFZ_CNT_MAC_SKIPPED] != macs)
        dfz_fail(r, "%s: CNT_MAC_ISSUED + CNT_MAC_SKIPPED %" PRIu64 ", want %" PRIu64 " (16 x NT x M x K per GEMM)", name,
                 o->cnt[DFZ_CNT_MAC_ISSUED] + o->cnt[DFZ_CNT_MAC_SKIPPED], macs);
    /* memory: what changed must be inside an open window and writable by
     * a command that ran (up to the next FENCE after a bus error) */
    static uint8_t map[DFZ_MEM_BYTES];
    memset(map, 0, sizeof map);
    unsigned end = rt ? past_next_fence(c, f) : f;
    for (unsigned i = 0; i < end && i < c->ndesc; i++)
        if (i < f || AT_DGET(c->desc[i], OPCODE) == AT_OP_STORE)
            mark_writes(c->desc[i], map);
    int reported = 0;
    for (uint64_t off = 0; off < DFZ_MEM_BYTES && reported < 2; off += 4096) {
        if (!memcmp(o->mem + off, img + off, 4096))
            continue;
        for (uint64_t j = off; j < off + 4096; j++) {
            if (o->mem[j] == img[j])
                continue;
            if (!in_window(c, DFZ_MEM_BASE + j, 1)) {
                dfz_fail(r, "%s: write outside the open windows: byte 0x%" PRIx64 " 0x%02x -> 0x%02x", name,
                         DFZ_MEM_BASE + j, img[j], o->mem[j]);
                reported++;
                break;
            }
            if (!map[j]) {
                dfz_fail(r, "%s: byte 0x%" PRIx64 " changed 0x%02x -> 0x%02x, no command that ran writes it", name,
                         DFZ_MEM_BASE + j, img[j], o->mem[j]);
                reported++;
                break;
            }
        }
    }
}

/* Last command before end whose write range covers host byte off (for
 * naming the command of a memory mismatch), or -1. */
static int writer_of(const dfz_case *c, unsigned end, uint64_t off)
{
    static uint8_t one[DFZ_MEM_BYTES];
    for (int i = (int)(end < c->ndesc ? end : c->ndesc - 1); i >= 0; i--) {
        unsigned op = AT_DGET(c->desc[i], OPCODE);
        if (op != AT_OP_STORE && op != AT_OP_FENCE)
            continue;
        memset(one, 0, sizeof one);
        mark_writes(c->desc[i], one);
        if (one[off])
            return i;
    }
    return -1;
}

void dfz_compare(const dfz_case *c, const dfz_obs *a, const char *an, const dfz_obs *b, const char *bn, unsigned fail,
                 int rt, dfz_report *r)
{
    if (a->rc || b->rc || !a->finished || !b->finished)
        return; /* already reported by dfz_check */
#define CMP(f, what)                                                                                         \
    if (a->f != b->f)                                                                                        \
        dfz_fail(r, "command %u: %s differs: %s 0x%" PRIx64 " vs %s 0x%" PRIx64, fail, what, an, (uint64_t)a->f, bn, \
                 (uint64_t)b->f);
    CMP(status, "STATUS");
    CMP(err_code, "ERR_CODE");
    CMP(err_desc, "ERR_DESC");
    CMP(err_info, "ERR_INFO");
    CMP(irq_status, "IRQ_STATUS");
    CMP(irq_line, "the interrupt line");
    CMP(head, "RING_HEAD");
    CMP(fence_done, "FENCE_DONE");
#undef CMP
    /* docs/isa.md, Performance counters: every counter exact without an
     * error; after a decode-time halt all but MEM_RD_BYTES (the rtl counts
     * what its fetcher read ahead); after a run-time error at fail only
     * the counters that neither the failing command's timing nor the
     * commands after it up to the next FENCE (which may have run on one
     * backend only) can change: CMDS when no command is there, MEM_WR_BYTES
     * when none of them is a STORE and the failing one is not a STORE (a
     * failing FENCE write counts its beat on both), MAC/PRUNED when none of
     * them computes. dfz_check holds each backend to the bounds. */
    int halted = fail < c->ndesc, skip_cmds = 0, skip_mac = 0, skip_wr = 0;
    if (rt && halted) {
        dfz_span after = span_of(c, fail + 1, past_next_fence(c, fail));
        skip_cmds = after.cmds > 0;
        skip_mac = after.compute;
        skip_wr = after.store || AT_DGET(c->desc[fail], OPCODE) == AT_OP_STORE;
    }
    for (unsigned k = 0; k < DFZ_NCNT; k++) {
        if (halted && k == DFZ_CNT_MEM_RD)
            continue;
        if ((skip_cmds && k == DFZ_CNT_CMDS) || (skip_mac && k <= DFZ_CNT_LN_ROWS) || (skip_wr && k == DFZ_CNT_MEM_WR))
            continue;
        if (a->cnt[k] != b->cnt[k])
            dfz_fail(r, "command %u: CNT_%s differs: %s %" PRIu64 " vs %s %" PRIu64, fail, cnt_names[k], an, a->cnt[k],
                     bn, b->cnt[k]);
    }
    static uint8_t skip[DFZ_MEM_BYTES];
    memset(skip, 0, sizeof skip);
    unsigned end = rt ? past_next_fence(c, fail) : fail;
    for (unsigned i = fail; rt && i < end; i++)
        if (AT_DGET(c->desc[i], OPCODE) == AT_OP_STORE)
            mark_writes(c->desc[i], skip);
    for (uint64_t off = 0; off < DFZ_MEM_BYTES; off += 4096) {
        if (!memcmp(a->mem + off, b->mem + off, 4096))
            continue;
        uint64_t j;
        for (j = off; j < off + 4096; j++)
            if (a->mem[j] != b->mem[j] && !skip[j])
                break;
        if (j == off + 4096)
            continue;
        int w = writer_of(c, c->ndesc, j);
        uint64_t e = j & ~(uint64_t)1;
        dfz_fail(r,
                 "memory differs first at 0x%" PRIx64 " (written by command %d%s%s): %s 0x%02x (int16 %d) vs %s 0x%02x "
                 "(int16 %d)",
                 DFZ_MEM_BASE + j, w, w >= 0 ? " " : "", w >= 0 ? dfz_op_name(AT_DGET(c->desc[w], OPCODE)) : "", an,
                 a->mem[j], (int16_t)(a->mem[e] | a->mem[e + 1] << 8), bn, b->mem[j],
                 (int16_t)(b->mem[e] | b->mem[e + 1] << 8));
        break;
    }
}

/* ---------------------------------------------------------------- runner */

int dfz_runner_open(dfz_runner *r, int with_rtl, at_cosim_profile prof, at_err *err)
{
    memset(r, 0, sizeof *r);
    r->img = malloc(DFZ_MEM_BYTES);
    for (unsigned b = 0; b < 2; b++)
        r->obs[b].mem = malloc(DFZ_MEM_BYTES);
    if (!r->img || !r->obs[0].mem || !r->obs[1].mem) {
        dfz_runner_close(r);
        return at_err_set(err, AT_ENOMEM, "difffuzz: out of memory");
    }
    int rc = dfz_dev_open(&r->dev[0], AT_COSIM_FMODEL, prof, err);
    if (!rc && with_rtl)
        rc = dfz_dev_open(&r->dev[1], AT_COSIM_RTL, prof, err);
    if (rc) {
        dfz_runner_close(r);
        return rc;
    }
    r->nbe = with_rtl ? 2 : 1;
    r->prof = prof;
    r->cfg = r->dev[0].cfg;
    return 0;
}

void dfz_runner_close(dfz_runner *r)
{
    for (unsigned b = 0; b < 2; b++) {
        dfz_dev_close(&r->dev[b]);
        free(r->obs[b].mem);
        r->obs[b].mem = NULL;
    }
    free(r->img);
    r->img = NULL;
}

int dfz_runner_case(dfz_runner *r, const dfz_case *c, dfz_report *rep, unsigned *fail_out)
{
    memset(rep, 0, sizeof *rep);
    dfz_gen_image(c, r->cfg, r->img);
    unsigned f[2] = {0, 0};
    int bus[2] = {0, 0};
    for (int b = 0; b < r->nbe; b++) {
        dfz_run_case(&r->dev[b], c, r->img, &r->obs[b]);
        dfz_check(c, r->cfg, r->img, &r->obs[b], at_cosim_backend_name(r->dev[b].be), rep, &f[b], &bus[b]);
    }
    if (r->nbe == 2) {
        if (f[0] != f[1])
            dfz_fail(rep, "the streams stopped at different commands: fmodel %u, rtl %u", f[0], f[1]);
        dfz_compare(c, &r->obs[0], "fmodel", &r->obs[1], "rtl", f[0], bus[0] || bus[1], rep);
    }
    if (fail_out)
        *fail_out = f[0];
    return !rep->failed;
}

int dfz_minimize(dfz_runner *r, const dfz_case *c, dfz_case *out)
{
    dfz_report rep;
    *out = *c;
    int steps = 0;
    /* drop one command at a time (never the final FENCE) while the case
     * still fails, from the end so that the failing command stays */
    for (int i = (int)out->ndesc - 2; i >= 0; i--) {
        dfz_case t = *out;
        memmove(t.desc[i], t.desc[i + 1], (size_t)(t.ndesc - 1 - (unsigned)i) * AT_DESC_BYTES);
        t.ndesc--;
        if (!dfz_runner_case(r, &t, &rep, NULL)) {
            *out = t;
            steps++;
        }
    }
    /* the injected fault and the extra windows, when not needed */
    if (out->fault_len) {
        dfz_case t = *out;
        t.fault_len = 0;
        if (!dfz_runner_case(r, &t, &rep, NULL))
            *out = t;
    }
    return steps;
}
