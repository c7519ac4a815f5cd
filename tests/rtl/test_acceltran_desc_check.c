/* The RTL descriptor checker acceltran_desc_check against the C reference
 * of docs/isa.md: at_exec_check (checks in order, code and DETAIL bit
 * exact), then the memory-window check of the device model on
 * at_exec_mem_range (ADDR_WINDOW, DETAIL = low word of the range start; a
 * range whose end reaches 2^64 is outside every window), and for accepted
 * commands the scratchpad intervals of at_exec_ranges (mask-buffer lines as
 * activation lines [16a, 16b + 15]) and the LOAD / STORE memory range.
 * Descriptors: directed corners (limits +-1, exact buffer ends, in-place
 * vs overlapping, eps_q = 2^61 / 2^61 + 1, window edges, 2^64 wrap) and
 * random ones built valid-ish per opcode, then mutated (random bits,
 * reserved bits, unknown opcodes). Seed: ACCELTRAN_TEST_SEED or fixed;
 * a mismatch prints the descriptor. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_desc_check_unit.h"
#include "acceltran_hw.h"
#include "check.h"
#include "device_exec.h"

#define NW DESC_CHECK_UNIT_WINDOWS

static uint64_t seed_g = 0xdc5eed01u;
static uint64_t rng_s;
static const at_hw_config *cfg_g;
static at_spad sp_g;
static desc_check_unit *unit_g;
static uint64_t wb_g[NW], ws_g[NW];
static long n_g, code_g[8];
/* hits per (opcode 0..7 (7: unknown), code (7: reserved bit), detail 0..15 (16: other)) */
static long hit_g[8][8][17];
/* GEMMs with C_WGT: hits per (code, detail) */
static long hit_cw_g[8][17];
static int reports_g;

static uint64_t rng(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t rn(uint64_t n) { return n ? rng() % n : 0; }

/* ---------------------------------------------------------------- reference */

static int in_windows(uint64_t lo, uint64_t hi, int wraps)
{
    if (wraps)
        return 0;
    for (int w = 0; w < NW; w++) {
        unsigned __int128 end = (unsigned __int128)wb_g[w] + ws_g[w];
        if (ws_g[w] && lo >= wb_g[w] && (unsigned __int128)hi <= end)
            return 1;
    }
    return 0;
}

static int ref_check(const uint32_t *d, uint32_t *detail)
{
    int code = at_exec_check(d, &sp_g, cfg_g, detail);
    if (code != AT_DEVERR_NONE)
        return code;
    uint64_t lo, hi;
    int wraps;
    if (at_exec_mem_range(d, &lo, &hi, &wraps) && !in_windows(lo, hi, wraps)) {
        *detail = (uint32_t)lo;
        return AT_DEVERR_ADDR_WINDOW;
    }
    return AT_DEVERR_NONE;
}

static void report(const uint32_t *d, const char *what)
{
    if (reports_g++ >= 8)
        return;
    fprintf(stderr, "  %s: descriptor", what);
    for (int w = 0; w < 16; w++)
        fprintf(stderr, " %08x", d[w]);
    fprintf(stderr, "\n  windows");
    for (int w = 0; w < NW; w++)
        fprintf(stderr, " [%016" PRIx64 " +%" PRIx64 "]", wb_g[w], ws_g[w]);
    fprintf(stderr, "\n");
}

/* One descriptor through both; returns 1 when they agree. */
static int compare(const uint32_t *d)
{
    desc_check_out o;
    uint32_t det = 0;
    int code = ref_check(d, &det);
    desc_check_unit_eval(unit_g, d, &o);
    n_g++;
    code_g[code & 7]++;
    {
        unsigned op = AT_DGET(d, OPCODE);
        const uint32_t *used = at_desc_used(op);
        int resv = 0;
        for (int w = 0; used && w < 16; w++)
            resv |= (d[w] & ~used[w]) != 0;
        /* code 7: ILLEGAL_FIELD from a reserved bit */
        hit_g[op > 6 ? 7 : op][resv ? 7 : code & 7][det < 16 ? det : 16]++;
        if (op == AT_OP_GEMM && !resv && AT_DGET(d, GEMM_C_WGT))
            hit_cw_g[code & 7][det < 16 ? det : 16]++;
    }
    if ((int)o.err != code || o.detail != det) {
        CHECK((int)o.err == code && o.detail == det, "code %u detail 0x%x, reference %d 0x%x",
              o.err, o.detail, code, det);
        report(d, "check");
        return 0;
    }
    if (code != AT_DEVERR_NONE)
        return 1;
    /* intervals */
    at_spad_range r[8];
    int n = at_exec_ranges(d, r), ok = 1, used[DESC_CHECK_UNIT_IVS] = {0}, nv = 0;
    for (int i = 0; i < DESC_CHECK_UNIT_IVS; i++)
        nv += o.iv[i].valid;
    if (nv != n)
        ok = 0;
    for (int k = 0; k < n && ok; k++) {
        int wgt = r[k].buf == 1;
        uint64_t f = r[k].buf == 2 ? r[k].first * 16 : r[k].first;
        uint64_t l = r[k].buf == 2 ? r[k].last * 16 + 15 : r[k].last;
        int found = 0;
        for (int i = 0; i < DESC_CHECK_UNIT_IVS && !found; i++) {
            if (o.iv[i].valid && !used[i] && o.iv[i].wgt == wgt && o.iv[i].write == r[k].write &&
                o.iv[i].first == f && o.iv[i].last == l) {
                used[i] = 1;
                found = 1;
            }
        }
        ok = found;
    }
    CHECK(ok, "intervals differ (%d reference, %d rtl)", n, nv);
    if (!ok) {
        report(d, "intervals");
        return 0;
    }
    /* memory range of LOAD / STORE */
    unsigned op = AT_DGET(d, OPCODE);
    if (op == AT_OP_LOAD || op == AT_OP_STORE) {
        uint64_t lo, hi;
        int wraps;
        at_exec_mem_range(d, &lo, &hi, &wraps);
        unsigned __int128 end = (unsigned __int128)lo + (uint64_t)(hi - lo);
        int mok = o.mem_valid && o.mem_lo == lo && o.mem_hi == (uint64_t)end &&
                  o.mem_hi_top == (int)(end >> 64);
        CHECK(mok, "memory range rtl [%" PRIx64 ", %d:%" PRIx64 ") reference [%" PRIx64 ", %" PRIx64 ")",
              o.mem_lo, o.mem_hi_top, o.mem_hi, lo, hi);
        if (!mok) {
            report(d, "memory range");
            return 0;
        }
    } else {
        CHECK(!o.mem_valid, "mem_valid for opcode %u", op);
        if (o.mem_valid)
            return 0;
    }
    return 1;
}

static void set_windows(const uint64_t *b, const uint64_t *s)
{
    memcpy(wb_g, b, sizeof wb_g);
    memcpy(ws_g, s, sizeof ws_g);
    desc_check_unit_windows(unit_g, wb_g, ws_g);
}

/* ---------------------------------------------------------------- field pickers */

static uint64_t pick_line(uint64_t lines)
{
    switch (rn(9)) {
    case 0: return 0;
    case 1: return rn(8);
    case 2: return rn(lines);
    case 3: return lines - 1 - rn(8);
    case 4: return lines - rn(3);
    case 5: return lines + rn(16);
    case 6: return rng() & 0xffffff;
    case 7: return 0xffffff - rn(4);
    default: return rn(lines / 4);
    }
}

static uint32_t pick_step(void)
{
    switch (rn(7)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return (uint32_t)rn(8);
    case 3: return (uint32_t)rn(64);
    case 4: return (uint32_t)(rng() & 0xffffff);
    case 5: return 4 * (uint32_t)rn(32);
    default: return (uint32_t)rn(512);
    }
}

static uint32_t pick_count(uint32_t typical)
{
    switch (rn(8)) {
    case 0: return rn(16) ? 1 : 0;
    case 1: return 1;
    case 2: return 0xffff - (uint32_t)rn(2);
    case 3: return (uint32_t)(rng() & 0xffff);
    case 4: return typical;
    case 5: return typical + 1;
    default: return 1 + (uint32_t)rn(typical);
    }
}

/* a memory address near a window edge for a range of span bytes */
static uint64_t pick_mem(uint64_t span, uint64_t align)
{
    int w = (int)rn(NW);
    uint64_t a;
    switch (rn(6)) {
    case 0: a = wb_g[w] + align * rn(4); break;
    case 1: a = wb_g[w] + ws_g[w] - span + align * (rn(3) - 1); break;
    case 2: a = wb_g[w] - align * rn(2); break;
    case 3: a = rng(); break;
    case 4: a = UINT64_C(0) - span - align * rn(2); break;
    default: a = wb_g[w] + (ws_g[w] ? rn(ws_g[w]) : 0); break;
    }
    if (rn(8))
        a &= ~(align - 1);
    return a;
}

/* ---------------------------------------------------------------- generators */

static void gen_xfer(uint32_t *d, unsigned op)
{
    AT_DPUT(d, OPCODE, op);
    unsigned buf = rn(10) ? (unsigned)rn(3) : 3;
    AT_DPUT(d, XFER_BUF, buf);
    AT_DPUT(d, XFER_KEEP_MASK, rn(6) == 0);
    uint64_t lines = buf == 0 ? sp_g.act_lines : buf == 1 ? sp_g.wgt_lines : sp_g.mask_lines;
    uint32_t rows = pick_count(8), cols = pick_count(64);
    uint32_t rs = pick_step(), cs = pick_step();
    uint64_t ncb = (cols + 15) / 16;
    uint64_t spad = pick_line(lines);
    if (rn(2) && rows && cols) { /* aim the last line at the buffer end */
        uint64_t ext = (uint64_t)(rows - 1) * rs + (ncb - 1) * cs;
        if (ext < lines)
            spad = lines - 1 - ext + (rn(3) == 0);
    }
    AT_DPUT(d, XFER_SPAD, spad & 0xffffff);
    AT_DPUT(d, XFER_ROWS, rows);
    AT_DPUT(d, XFER_COLS, cols);
    AT_DPUT(d, XFER_SPAD_ROW_STEP, rs);
    AT_DPUT(d, XFER_SPAD_CB_STEP, cs);
    uint32_t stride = rn(4) ? (uint32_t)(32 * ncb + 32 * rn(4)) : (uint32_t)rng();
    if (rn(8) == 0)
        stride = (uint32_t)(rng() & ~31u);
    if (rn(10) == 0)
        stride |= 1u << rn(5);
    AT_DPUT(d, XFER_MEM_STRIDE, stride);
    uint64_t span = (uint64_t)(rows ? rows - 1 : 0) * stride + 32 * ncb;
    uint64_t mem = pick_mem(span, 32);
    AT_DPUT(d, XFER_MEM_LO, (uint32_t)mem);
    AT_DPUT(d, XFER_MEM_HI, (uint32_t)(mem >> 32));
}

static void gen_gemm(uint32_t *d)
{
    AT_DPUT(d, OPCODE, AT_OP_GEMM);
    AT_DPUT(d, GEMM_TRANS_B, rn(2));
    AT_DPUT(d, GEMM_PARAMS_EN, rn(2));
    AT_DPUT(d, GEMM_GELU, rn(2));
    AT_DPUT(d, GEMM_ACCUM, rn(2));
    AT_DPUT(d, GEMM_A_MASK, rn(2));
    int cw = rn(3) == 0;
    AT_DPUT(d, GEMM_C_WGT, cw);
    if (cw && rn(4)) /* ACCUM with C_WGT: refused (now and then) */
        AT_DPUT(d, GEMM_ACCUM, 0);
    uint32_t m = pick_count(40), n = pick_count(64), k = pick_count(64);
    uint64_t nt = (n + 15) / 16, kc = (k + 15) / 16;
    AT_DPUT(d, GEMM_M, m);
    AT_DPUT(d, GEMM_N, n);
    AT_DPUT(d, GEMM_K, k);
    uint32_t lda = rn(3) ? (uint32_t)(kc + rn(3)) : pick_step();
    uint32_t ldc = rn(3) ? (uint32_t)(nt + rn(3) - (rn(4) == 0)) : pick_step();
    if (cw && rn(3)) /* column tiles: LDC around M */
        ldc = (uint32_t)(m + rn(3) - (rn(4) == 0));
    uint32_t ldb = rn(3) ? (uint32_t)(4 * ((k + 3) / 4) + 4 * rn(3)) : pick_step();
    if (rn(6) == 0)
        ldb |= (uint32_t)rn(4);
    AT_DPUT(d, GEMM_LDA, lda);
    AT_DPUT(d, GEMM_LDC, ldc);
    AT_DPUT(d, GEMM_LDB, ldb);
    uint64_t a = pick_line(sp_g.act_lines);
    uint64_t c;
    uint64_t a_ext = (uint64_t)(m ? m - 1 : 0) * lda + kc;
    switch (rn(4)) {
    case 0: c = a + a_ext - (rn(2)); break;   /* just after A, or overlapping its last line */
    case 1: c = a - rn(4); break;
    default: c = pick_line(sp_g.act_lines); break;
    }
    AT_DPUT(d, GEMM_A, a & 0xffffff);
    AT_DPUT(d, GEMM_C, c & 0xffffff);
    uint64_t b = pick_line(sp_g.wgt_lines);
    if (rn(3))
        b &= ~UINT64_C(3);
    AT_DPUT(d, GEMM_B, b & 0xffffff);
    uint64_t p = rn(2) ? sp_g.wgt_lines - 4 * nt - 4 * rn(2) + 4 * rn(2) : pick_line(sp_g.wgt_lines);
    if (rn(4))
        p &= ~UINT64_C(3);
    AT_DPUT(d, GEMM_PARAMS, p & 0xffffff);
    if (cw) { /* C in the weight buffer: near B, near the parameter quads, at the end, anywhere */
        uint64_t span = (uint64_t)(nt ? nt - 1 : 0) * ldc + m;
        uint64_t b_ext = AT_DGET(d, GEMM_TRANS_B) ? (uint64_t)(kc ? kc - 1 : 0) * ldb + 4 * ((n + 3) / 4)
                                                  : (uint64_t)(nt ? nt - 1 : 0) * ldb + 4 * ((k + 3) / 4);
        switch (rn(5)) {
        case 0: c = b + b_ext - rn(2); break;
        case 1: c = b - span + rn(2); break;
        case 2: c = p + 4 * nt - rn(2); break;
        case 3: c = sp_g.wgt_lines - span + rn(3) - 1; break;
        default: c = pick_line(sp_g.wgt_lines); break;
        }
        AT_DPUT(d, GEMM_C, c & 0xffffff);
    }
    AT_DPUT(d, GEMM_TAU, rng() & 0x7fff);
    AT_DPUT(d, GEMM_RQ_M, rng() & 0xffff);
    AT_DPUT(d, GEMM_RQ_S, rng() & 0x3f);
    AT_DPUT(d, GEMM_GELU_IN_M, rng() & 0xffff);
    AT_DPUT(d, GEMM_GELU_IN_S, rng() & 0x3f);
    AT_DPUT(d, GEMM_GELU_OUT_M, rng() & 0xffff);
    AT_DPUT(d, GEMM_GELU_OUT_S, rng() & 0x3f);
}

static void gen_smx(uint32_t *d)
{
    AT_DPUT(d, OPCODE, AT_OP_SOFTMAX);
    unsigned lv = (unsigned)rn(2);
    AT_DPUT(d, SMX_LEN_VEC, lv);
    uint32_t rows = pick_count(40);
    uint32_t n = rn(4) ? 1 + (uint32_t)rn(cfg_g->max_seq + 1) : pick_count(cfg_g->max_seq);
    uint32_t len = rn(4) ? 1 + (uint32_t)rn(n + 1) : pick_count(n);
    uint64_t nb = (n + 15) / 16;
    AT_DPUT(d, SMX_ROWS, rows);
    AT_DPUT(d, SMX_N, n);
    AT_DPUT(d, SMX_LEN, len);
    uint32_t lds = rn(3) ? (uint32_t)(nb + rn(3)) : pick_step();
    uint32_t ldd = rn(3) ? (uint32_t)(nb + rn(3) - (rn(4) == 0)) : pick_step();
    if (rn(3) == 0)
        ldd = lds;
    AT_DPUT(d, SMX_LDS, lds);
    AT_DPUT(d, SMX_LDD, ldd);
    uint64_t src = pick_line(sp_g.act_lines), dst;
    uint64_t ext = (uint64_t)(rows ? rows - 1 : 0) * lds + nb;
    switch (rn(4)) {
    case 0: dst = src; break;
    case 1: dst = src + ext - rn(2); break;
    case 2: dst = src - rn(3); break;
    default: dst = pick_line(sp_g.act_lines); break;
    }
    AT_DPUT(d, SMX_SRC, src & 0xffffff);
    AT_DPUT(d, SMX_DST, dst & 0xffffff);
    uint64_t lens = rn(3) ? dst - 1 - rn(2) + rn(3) * 0 : pick_line(sp_g.act_lines);
    if (rn(3) == 0)
        lens = dst + (uint64_t)(rows ? rows - 1 : 0) * ldd + nb - rn(2);
    AT_DPUT(d, SMX_LENS, lens & 0xffffff);
    AT_DPUT(d, SMX_IN_M, rng() & 0xffff);
    AT_DPUT(d, SMX_IN_S, rng() & 0x3f);
}

static void gen_ln(uint32_t *d)
{
    AT_DPUT(d, OPCODE, AT_OP_LAYERNORM);
    unsigned res = (unsigned)rn(2);
    AT_DPUT(d, LN_RESIDUAL, res);
    uint32_t rows = pick_count(40);
    uint32_t n = rn(4) ? 1 + (uint32_t)rn(cfg_g->max_hidden + 1) : pick_count(cfg_g->max_hidden);
    uint64_t nb = (n + 15) / 16;
    AT_DPUT(d, LN_ROWS, rows);
    AT_DPUT(d, LN_N, n);
    uint32_t lds = rn(3) ? (uint32_t)(nb + rn(3)) : pick_step();
    uint32_t ldd = rn(3) ? (uint32_t)(nb + rn(3) - (rn(4) == 0)) : pick_step();
    uint32_t ldr = rn(3) ? (uint32_t)(nb + rn(3)) : pick_step();
    if (rn(3) == 0)
        ldd = lds;
    if (rn(3) == 0)
        ldr = ldd;
    AT_DPUT(d, LN_LDS, lds);
    AT_DPUT(d, LN_LDD, ldd);
    AT_DPUT(d, LN_LDR, ldr);
    uint64_t src = pick_line(sp_g.act_lines), dst, r;
    uint64_t ext = (uint64_t)(rows ? rows - 1 : 0) * lds + nb;
    switch (rn(4)) {
    case 0: dst = src; break;
    case 1: dst = src + ext - rn(2); break;
    case 2: dst = src - rn(3); break;
    default: dst = pick_line(sp_g.act_lines); break;
    }
    switch (rn(3)) {
    case 0: r = dst; break;
    case 1: r = dst + (uint64_t)(rows ? rows - 1 : 0) * ldd + nb - rn(2); break;
    default: r = pick_line(sp_g.act_lines); break;
    }
    AT_DPUT(d, LN_SRC, src & 0xffffff);
    AT_DPUT(d, LN_DST, dst & 0xffffff);
    AT_DPUT(d, LN_RES, r & 0xffffff);
    uint64_t p = rn(2) ? sp_g.wgt_lines - 4 * nb - 4 * rn(2) + 4 * rn(2) : pick_line(sp_g.wgt_lines);
    if (rn(4))
        p &= ~UINT64_C(3);
    AT_DPUT(d, LN_PARAMS, p & 0xffffff);
    AT_DPUT(d, LN_OUT_M, rng() & 0xffff);
    AT_DPUT(d, LN_OUT_S, rng() & 0x3f);
    uint64_t eps;
    switch (rn(4)) {
    case 0: eps = (UINT64_C(1) << 61) + rn(2); break;
    case 1: eps = rng() & ((UINT64_C(1) << 62) - 1); break;
    default: eps = rng() & 0xffffffff; break;
    }
    AT_DPUT(d, LN_EPS_LO, (uint32_t)eps);
    AT_DPUT(d, LN_EPS_HI, (uint32_t)(eps >> 32));
}

static void gen_fence(uint32_t *d)
{
    AT_DPUT(d, OPCODE, AT_OP_FENCE);
    AT_DPUT(d, FENCE_WRITE, rn(4) != 0);
    AT_DPUT(d, FENCE_IRQ, rn(2));
    AT_DPUT(d, FENCE_VALUE, (uint32_t)rng());
    uint64_t a = pick_mem(4, 4);
    if (rn(8) == 0)
        a |= rn(4);
    AT_DPUT(d, FENCE_ADDR_LO, (uint32_t)a);
    AT_DPUT(d, FENCE_ADDR_HI, (uint32_t)(a >> 32));
}

static void gen_random(uint32_t *d)
{
    memset(d, 0, 16 * sizeof *d);
    unsigned op = (unsigned)rn(7);
    switch (op) {
    case AT_OP_LOAD:
    case AT_OP_STORE: gen_xfer(d, op); break;
    case AT_OP_GEMM: gen_gemm(d); break;
    case AT_OP_SOFTMAX: gen_smx(d); break;
    case AT_OP_LAYERNORM: gen_ln(d); break;
    case AT_OP_FENCE: gen_fence(d); break;
    default: AT_DPUT(d, OPCODE, AT_OP_NOP); break;
    }
    AT_DPUT(d, TAG, rng() & 0xffff);
    switch (rn(12)) {
    case 0: d[rn(16)] ^= 1u << rn(32); break;                /* any bit: reserved or a field */
    case 1: d[rn(16)] |= 1u << (24 + rn(8)); break;          /* high bits: mostly reserved */
    case 2: AT_DPUT(d, OPCODE, 7 + rn(249)); break;          /* unknown opcode */
    case 3: AT_DPUT(d, FLAGS, rng() & 0xff); break;
    default: break;
    }
}

static void random_windows(void)
{
    uint64_t b[NW], s[NW];
    b[0] = 0x80000000u + 32 * rn(1024);
    s[0] = rn(4) ? (UINT64_C(1) << (12 + rn(20))) : 0;
    b[1] = UINT64_C(0) - (UINT64_C(1) << 20); /* ends exactly at 2^64 */
    s[1] = UINT64_C(1) << 20;
    b[2] = rng() & ~UINT64_C(31);
    s[2] = rn(3) ? rng() >> rn(64) : 0;        /* may wrap past 2^64 */
    b[3] = rn(2) ? 0 : (rng() & 0xffffffe0u);
    s[3] = rn(2) ? 0 : 32 * (1 + rn(1 << 16));
    set_windows(b, s);
}

/* ---------------------------------------------------------------- cases */

static uint32_t dz[16];

static void xfer_base(uint32_t *d, unsigned op, unsigned buf, uint64_t spad, uint32_t rows,
                      uint32_t cols, uint32_t rs, uint32_t cs, uint64_t mem, uint32_t stride)
{
    memset(d, 0, 16 * sizeof *d);
    AT_DPUT(d, OPCODE, op);
    AT_DPUT(d, XFER_BUF, buf);
    AT_DPUT(d, XFER_SPAD, (uint32_t)spad);
    AT_DPUT(d, XFER_ROWS, rows);
    AT_DPUT(d, XFER_COLS, cols);
    AT_DPUT(d, XFER_SPAD_ROW_STEP, rs);
    AT_DPUT(d, XFER_SPAD_CB_STEP, cs);
    AT_DPUT(d, XFER_MEM_LO, (uint32_t)mem);
    AT_DPUT(d, XFER_MEM_HI, (uint32_t)(mem >> 32));
    AT_DPUT(d, XFER_MEM_STRIDE, stride);
}

static void test_directed(void)
{
    uint64_t b[NW] = {0x10000000u, UINT64_C(0) - 4096, 0x40000000u, 0};
    uint64_t s[NW] = {0x100000u, 4096, 0, 0};
    set_windows(b, s);
    uint32_t d[16];
    uint64_t A = sp_g.act_lines, W = sp_g.wgt_lines, M = sp_g.mask_lines;
    int ok = 1;

    ok &= compare(dz); /* NOP */
    for (unsigned op = 1; op <= 2; op++) {
        for (unsigned buf = 0; buf < 4; buf++) {
            uint64_t L = buf == 0 ? A : buf == 1 ? W : M;
            /* exactly the last line, then one past; 16 rows x 33 cols (3 blocks) */
            xfer_base(d, op, buf, L - 1 - 15 * 4 - 2, 16, 33, 4, 1, 0x10000000u, 128);
            ok &= compare(d);
            xfer_base(d, op, buf, L - 15 * 4 - 2, 16, 33, 4, 1, 0x10000000u, 128);
            ok &= compare(d);
            /* window: exactly at the end, one line past */
            xfer_base(d, op, buf, 0, 2, 16, 1, 1, 0x10000000u + 0x100000u - 64, 32);
            ok &= compare(d);
            xfer_base(d, op, buf, 0, 2, 16, 1, 1, 0x10000000u + 0x100000u - 32, 32);
            ok &= compare(d);
            /* a range ending exactly at 2^64 wraps */
            xfer_base(d, op, buf, 0, 1, 16, 1, 1, UINT64_C(0) - 32, 32);
            ok &= compare(d);
            xfer_base(d, op, buf, 0, 1, 16, 1, 1, UINT64_C(0) - 64, 32);
            ok &= compare(d);
            AT_DPUT(d, XFER_KEEP_MASK, 1);
            ok &= compare(d);
            xfer_base(d, op, buf, 0, 0, 16, 1, 1, 0x10000000u, 32);
            ok &= compare(d);
            xfer_base(d, op, buf, 0, 1, 16, 1, 1, 0x10000010u, 32);
            ok &= compare(d);
            xfer_base(d, op, buf, 0, 2, 16, 1, 1, 0x10000000u, 48);
            ok &= compare(d);
            /* 65535 rows x 65535 cols with the largest steps: no overflow */
            xfer_base(d, op, buf, 0xffffff, 0xffff, 0xffff, 0xffffff, 0xffffff, 0x10000000u,
                      0xffffffe0u);
            ok &= compare(d);
        }
    }
    /* GEMM: A/C adjacent and overlapping by one line; B / params at the end */
    memset(d, 0, sizeof d);
    AT_DPUT(d, OPCODE, AT_OP_GEMM);
    AT_DPUT(d, GEMM_M, 20);
    AT_DPUT(d, GEMM_N, 40);
    AT_DPUT(d, GEMM_K, 33);
    AT_DPUT(d, GEMM_LDA, 3);
    AT_DPUT(d, GEMM_LDC, 3);
    AT_DPUT(d, GEMM_A, 100);
    AT_DPUT(d, GEMM_C, 100 + 19 * 3 + 3);
    AT_DPUT(d, GEMM_LDB, 36);
    AT_DPUT(d, GEMM_B, (uint32_t)(W - 2 * 36 - 36));
    ok &= compare(d);
    AT_DPUT(d, GEMM_C, 100 + 19 * 3 + 2);
    ok &= compare(d);
    AT_DPUT(d, GEMM_B, (uint32_t)(W - 2 * 36 - 36 + 4));
    ok &= compare(d);
    AT_DPUT(d, GEMM_B, 0);
    AT_DPUT(d, GEMM_PARAMS_EN, 1);
    AT_DPUT(d, GEMM_PARAMS, (uint32_t)(W - 12));
    ok &= compare(d);
    AT_DPUT(d, GEMM_PARAMS, (uint32_t)(W - 8));
    ok &= compare(d);
    AT_DPUT(d, GEMM_TRANS_B, 1);
    ok &= compare(d);
    AT_DPUT(d, GEMM_LDC, 2);
    ok &= compare(d);
    /* GEMM with C_WGT: C [C, C + (NT-1)*LDC + M-1] in the weight buffer, at
     * its end and one past; next to B and the parameter quads, overlapping
     * each by a line; LDC = M and M - 1; with ACCUM */
    memset(d, 0, sizeof d);
    AT_DPUT(d, OPCODE, AT_OP_GEMM);
    AT_DPUT(d, GEMM_C_WGT, 1);
    AT_DPUT(d, GEMM_M, 20);
    AT_DPUT(d, GEMM_N, 40); /* NT 3 */
    AT_DPUT(d, GEMM_K, 33);
    AT_DPUT(d, GEMM_LDA, 3);
    AT_DPUT(d, GEMM_A, 100);
    AT_DPUT(d, GEMM_LDB, 36);
    AT_DPUT(d, GEMM_B, 0); /* B [0, 2*36 + 35] */
    AT_DPUT(d, GEMM_LDC, 20);
    AT_DPUT(d, GEMM_C, (uint32_t)(W - 60));
    ok &= compare(d);
    AT_DPUT(d, GEMM_C, (uint32_t)(W - 59));
    ok &= compare(d);
    AT_DPUT(d, GEMM_C, 108);
    ok &= compare(d);
    AT_DPUT(d, GEMM_C, 107);
    ok &= compare(d);
    AT_DPUT(d, GEMM_B, 400);
    AT_DPUT(d, GEMM_C, 400 - 60);
    ok &= compare(d);
    AT_DPUT(d, GEMM_C, 400 - 59);
    ok &= compare(d);
    AT_DPUT(d, GEMM_PARAMS_EN, 1);
    AT_DPUT(d, GEMM_PARAMS, 400 - 60 - 12);
    ok &= compare(d);
    AT_DPUT(d, GEMM_PARAMS, 400 - 60 - 8);
    ok &= compare(d);
    AT_DPUT(d, GEMM_PARAMS, 1000);
    AT_DPUT(d, GEMM_C, 1000 + 12);
    ok &= compare(d);
    AT_DPUT(d, GEMM_C, 1000 + 11);
    ok &= compare(d);
    AT_DPUT(d, GEMM_LDC, 19);
    ok &= compare(d);
    AT_DPUT(d, GEMM_N, 16);
    ok &= compare(d);
    AT_DPUT(d, GEMM_ACCUM, 1);
    ok &= compare(d);
    /* SOFTMAX: N = max_seq / + 1, in place, overlapping, lens on the destination */
    memset(d, 0, sizeof d);
    AT_DPUT(d, OPCODE, AT_OP_SOFTMAX);
    AT_DPUT(d, SMX_ROWS, 1);
    AT_DPUT(d, SMX_N, cfg_g->max_seq);
    AT_DPUT(d, SMX_LEN, cfg_g->max_seq);
    AT_DPUT(d, SMX_SRC, 64);
    AT_DPUT(d, SMX_DST, 64);
    AT_DPUT(d, SMX_LDS, 5);
    AT_DPUT(d, SMX_LDD, 7); /* one row: identical intervals despite LDS != LDD */
    ok &= compare(d);
    AT_DPUT(d, SMX_N, cfg_g->max_seq + 1);
    ok &= compare(d);
    AT_DPUT(d, SMX_N, 16);
    AT_DPUT(d, SMX_ROWS, 3);
    AT_DPUT(d, SMX_LDS, 1);
    AT_DPUT(d, SMX_LDD, 1);
    AT_DPUT(d, SMX_DST, 65);
    ok &= compare(d);
    AT_DPUT(d, SMX_DST, 67);
    AT_DPUT(d, SMX_LEN_VEC, 1);
    AT_DPUT(d, SMX_LENS, 69);
    ok &= compare(d);
    AT_DPUT(d, SMX_LENS, 70);
    ok &= compare(d);
    /* LAYERNORM: eps_q = 2^61 and 2^61 + 1, N = max_hidden + 1 */
    memset(d, 0, sizeof d);
    AT_DPUT(d, OPCODE, AT_OP_LAYERNORM);
    AT_DPUT(d, LN_ROWS, 2);
    AT_DPUT(d, LN_N, cfg_g->max_hidden);
    AT_DPUT(d, LN_LDS, 64);
    AT_DPUT(d, LN_LDD, 64);
    AT_DPUT(d, LN_DST, 200);
    AT_DPUT(d, LN_EPS_HI, 1u << 29);
    ok &= compare(d);
    AT_DPUT(d, LN_EPS_LO, 1);
    ok &= compare(d);
    AT_DPUT(d, LN_EPS_LO, 0);
    AT_DPUT(d, LN_N, cfg_g->max_hidden + 1);
    ok &= compare(d);
    AT_DPUT(d, LN_N, 16);
    AT_DPUT(d, LN_RESIDUAL, 1);
    AT_DPUT(d, LN_RES, 200);
    ok &= compare(d);
    AT_DPUT(d, LN_RES, 201);
    ok &= compare(d);
    AT_DPUT(d, LN_PARAMS, (uint32_t)(W - 4));
    ok &= compare(d);
    d[11] |= 1u << 30; /* reserved bit above EPS_HI */
    ok &= compare(d);
    /* FENCE: alignment, window end, 2^64 */
    uint64_t fa[] = {0x10000000u, 0x10000000u + 0x100000u - 4, 0x10000000u + 0x100000u,
                     0x10000002u, UINT64_C(0) - 4, UINT64_C(0) - 8, 0x0fffffffcu};
    for (unsigned i = 0; i < sizeof fa / sizeof fa[0]; i++) {
        memset(d, 0, sizeof d);
        AT_DPUT(d, OPCODE, AT_OP_FENCE);
        AT_DPUT(d, FENCE_WRITE, 1);
        AT_DPUT(d, FENCE_ADDR_LO, (uint32_t)fa[i]);
        AT_DPUT(d, FENCE_ADDR_HI, (uint32_t)(fa[i] >> 32));
        ok &= compare(d);
    }
    /* every opcode, every flag bit */
    for (unsigned op = 0; op < 9; op++) {
        for (unsigned f = 0; f < 8; f++) {
            memset(d, 0, sizeof d);
            AT_DPUT(d, OPCODE, op);
            AT_DPUT(d, FLAGS, 1u << f);
            ok &= compare(d);
        }
    }
    CHECK(ok, "directed cases differ");
}

static void test_random(void)
{
    uint32_t d[16];
    long bad = 0;
    for (int batch = 0; batch < 200; batch++) {
        random_windows();
        for (int i = 0; i < 1000; i++) {
            gen_random(d);
            if (!compare(d) && ++bad > 20)
                return;
        }
    }
}

/* every documented check was reached (not through a reserved bit) */
static void test_coverage(void)
{
    static const int need[][3] = {
        {1, 2, 0}, {1, 2, 2}, {1, 2, 5}, {1, 2, 7}, {1, 3, 0}, {1, 3, 1}, {1, 3, 2}, {1, 4, 16},
        {2, 2, 0}, {2, 2, 2}, {2, 2, 5}, {2, 2, 7}, {2, 3, 0}, {2, 3, 1}, {2, 3, 2}, {2, 4, 16},
        {3, 2, 3}, {3, 2, 4}, {3, 2, 5}, {3, 2, 6}, {3, 2, 7}, {3, 2, 8}, {3, 2, 9}, {3, 3, 0},
        {3, 3, 1}, {4, 2, 3}, {4, 2, 4}, {4, 2, 5}, {4, 2, 6}, {4, 2, 7}, {4, 3, 0}, {5, 2, 3},
        {5, 2, 4}, {5, 2, 5}, {5, 2, 7}, {5, 2, 8}, {5, 2, 11}, {5, 3, 0}, {5, 3, 1}, {6, 2, 2},
        {6, 4, 16}, {7, 1, 16}, {0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {4, 0, 0}, {5, 0, 0},
        {6, 0, 0},
    };
    for (unsigned i = 0; i < sizeof need / sizeof need[0]; i++)
        CHECK(hit_g[need[i][0]][need[i][1]][need[i][2]] > 0, "opcode %d code %d detail %d never reached",
              need[i][0], need[i][1], need[i][2]);
    /* GEMM with C_WGT: ACCUM (word 0), LDC < M (6), C apart from B and the
     * parameter quads (5), C past the weight buffer (SPAD_RANGE 1), valid */
    static const int need_cw[][2] = {{2, 0}, {2, 5}, {2, 6}, {3, 1}, {3, 0}, {0, 0}};
    for (unsigned i = 0; i < sizeof need_cw / sizeof need_cw[0]; i++)
        CHECK(hit_cw_g[need_cw[i][0]][need_cw[i][1]] > 0, "C_WGT GEMM: code %d detail %d never reached",
              need_cw[i][0], need_cw[i][1]);
}

int main(void)
{
    seed_g = check_seed("desc_check_" TEST_CONFIG, seed_g);
    rng_s = seed_g;
    cfg_g = at_hw_config_find(TEST_CONFIG);
    if (!cfg_g || at_spad_init(&sp_g, cfg_g) != 0) {
        fprintf(stderr, "no configuration / scratchpads for %s\n", TEST_CONFIG);
        return 1;
    }
    unit_g = desc_check_unit_new();
    if (!unit_g) {
        fprintf(stderr, "desc_check_unit_new failed\n");
        return 1;
    }
    RUN_CASE(test_directed);
    RUN_CASE(test_random);
    RUN_CASE(test_coverage);
    printf("desc_check: %ld descriptors; by code:", n_g);
    for (int c = 0; c < 7; c++)
        printf(" %d:%ld", c, code_g[c]);
    printf("\n");
    if (getenv("DESC_CHECK_COVER")) {
        for (int o = 0; o < 8; o++)
            for (int c = 0; c < 8; c++)
                for (int t = 0; t < 17; t++)
                    if (hit_g[o][c][t])
                        printf("  op %d code %d detail %d: %ld\n", o, c, t, hit_g[o][c][t]);
    }
    desc_check_unit_free(unit_g);
    at_spad_free(&sp_g);
    return check_finish("desc_check_" TEST_CONFIG);
}
