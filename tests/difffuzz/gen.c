/* The case generator of the differential descriptor fuzzer (gen.h). */
#include "gen.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "at_error.h"

/* splitmix64 with its state in the caller: one generator per case, so
 * that a case does not depend on the cases before it. */
typedef struct grng {
    uint64_t s;
} grng;

static uint64_t g_next(grng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* uniform in [lo, hi] */
static uint64_t g_range(grng *r, uint64_t lo, uint64_t hi)
{
    return lo + g_next(r) % (hi - lo + 1);
}

static int g_pct(grng *r, unsigned pct)
{
    return g_next(r) % 100 < pct;
}

/* Sizes: mostly small (the rtl backend simulates ~50k cycles/s), odd
 * counts often, sometimes the extremes. */
static unsigned g_count(grng *r, unsigned small, unsigned big)
{
    unsigned c = (unsigned)g_range(r, 0, 9);
    if (c < 6)
        return (unsigned)g_range(r, 1, small);
    if (c < 9)
        return (unsigned)g_range(r, 1, small / 2 + 1) | 1u;
    return (unsigned)g_range(r, 1, big);
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

void dfz_knobs_default(dfz_knobs *k)
{
    memset(k, 0, sizeof *k);
    k->bad_pct = 4;
    k->min_len = 2;
    k->max_len = 24;
    k->fault_pct = 10;
    k->frag_pct = 30;
    k->exclude_smx_row_error = 0;
}

int dfz_smx_lens_valid(const uint32_t *ld, const uint32_t *d)
{
    if (AT_DGET(ld, OPCODE) != AT_OP_LOAD || AT_DGET(ld, XFER_BUF) != 0 || ld[0] & ~at_desc_used(AT_OP_LOAD)[0])
        return 0;
    uint64_t mem = ((uint64_t)AT_DGET(ld, XFER_MEM_HI) << 32) | AT_DGET(ld, XFER_MEM_LO);
    uint64_t rows = AT_DGET(d, SMX_ROWS), nl = ceil_div(rows, 16);
    return AT_DGET(d, SMX_N) >= 32 && AT_DGET(ld, XFER_SPAD) == AT_DGET(d, SMX_LENS) && AT_DGET(ld, XFER_ROWS) >= nl &&
           AT_DGET(ld, XFER_COLS) == 16 && AT_DGET(ld, XFER_SPAD_ROW_STEP) == 1 && AT_DGET(ld, XFER_MEM_STRIDE) == 32 &&
           mem >= DFZ_MEM_BASE + DFZ_LENS && mem + 32 * AT_DGET(ld, XFER_ROWS) <= DFZ_MEM_BASE + DFZ_LENS_END;
}

const char *dfz_op_name(unsigned op)
{
    static const char *n[] = {"NOP", "LOAD", "STORE", "GEMM", "SOFTMAX", "LAYERNORM", "FENCE"};
    return op < 7 ? n[op] : "unknown";
}

typedef struct genctx {
    grng r;
    const dfz_knobs *k;
    const at_hw_config *cfg;
    uint64_t act_lines, wgt_lines, mask_lines;
    unsigned tag;
} genctx;

static uint64_t buf_lines(const genctx *g, unsigned buf)
{
    return buf == 0 ? g->act_lines : buf == 1 ? g->wgt_lines : g->mask_lines;
}

/* A first line so that [first, first + span) fits in lines (span may exceed
 * it: then 0). */
static uint64_t g_base(genctx *g, uint64_t lines, uint64_t span, uint64_t align)
{
    if (span >= lines)
        return 0;
    uint64_t b = g_range(&g->r, 0, lines - span);
    return b / align * align;
}

static void d_clear(uint32_t d[AT_DESC_WORDS], unsigned op, unsigned tag)
{
    memset(d, 0, AT_DESC_BYTES);
    AT_DPUT(d, OPCODE, op);
    AT_DPUT(d, TAG, tag);
}

/* A memory address (offset in host memory + DFZ_MEM_BASE) for bytes bytes
 * in [lo, hi), 32-aligned. */
static uint64_t g_mem(genctx *g, uint64_t lo, uint64_t hi, uint64_t bytes)
{
    if (bytes >= hi - lo)
        return DFZ_MEM_BASE + lo;
    return DFZ_MEM_BASE + (lo + g_range(&g->r, 0, hi - lo - bytes) / 32 * 32);
}

static void gen_xfer(genctx *g, uint32_t d[AT_DESC_WORDS], unsigned op)
{
    grng *r = &g->r;
    d_clear(d, op, g->tag);
    unsigned buf = g_pct(r, 55) ? 0 : g_pct(r, 70) ? 1 : 2;
    unsigned rows = g_count(r, 12, 64), cols = g_count(r, 80, 300);
    if (buf == 2) { /* the mask buffer has activation lines / 16 lines (tiny: 128) */
        rows = (rows - 1) % 8 + 1;
        cols = (cols - 1) % 64 + 1;
    }
    uint64_t ncb = ceil_div(cols, 16);
    uint64_t row_step, cb_step;
    unsigned lay = (unsigned)g_range(r, 0, 9);
    if (lay < 5) { /* row-major */
        row_step = ncb + (g_pct(r, 30) ? g_range(r, 0, 3) : 0);
        cb_step = 1;
    } else if (lay < 8) { /* weight layout */
        row_step = 1;
        cb_step = (rows + 3) / 4 * 4 + 4 * g_range(r, 0, 1);
    } else { /* anything, repeated lines included */
        row_step = g_range(r, 0, 5);
        cb_step = g_range(r, 0, 5);
    }
    uint64_t span = (rows - 1) * row_step + (ncb - 1) * cb_step + 1;
    uint64_t spad = g_base(g, buf_lines(g, buf), span, 1);
    uint64_t stride = 32 * ncb;
    if (g_pct(r, 40))
        stride += 32 * g_range(r, 0, 4);
    else if (g_pct(r, 10))
        stride = 32 * g_range(r, 0, ncb);
    uint64_t bytes = (rows - 1) * stride + 32 * ncb;
    uint64_t mem;
    if (op == AT_OP_STORE)
        mem = g_mem(g, DFZ_OUT, DFZ_OUT_END, bytes);
    else
        mem = g_pct(r, 75) ? g_mem(g, DFZ_IN, DFZ_IN_END, bytes) : g_mem(g, DFZ_OUT, DFZ_OUT_END, bytes);
    AT_DPUT(d, XFER_BUF, buf);
    AT_DPUT(d, XFER_KEEP_MASK, op == AT_OP_LOAD && buf == 0 && g_pct(r, 30));
    AT_DPUT(d, XFER_SPAD, spad);
    AT_DPUT(d, XFER_ROWS, rows);
    AT_DPUT(d, XFER_COLS, cols);
    AT_DPUT(d, XFER_SPAD_ROW_STEP, row_step);
    AT_DPUT(d, XFER_SPAD_CB_STEP, cb_step);
    AT_DPUT(d, XFER_MEM_LO, (uint32_t)mem);
    AT_DPUT(d, XFER_MEM_HI, (uint32_t)(mem >> 32));
    AT_DPUT(d, XFER_MEM_STRIDE, stride);
}

/* Requant parameters that keep most outputs off the saturation rails. */
static void g_rq(genctx *g, uint32_t *m, uint32_t *s, unsigned s_lo, unsigned s_hi)
{
    *m = (uint32_t)g_range(&g->r, 1, 65535);
    *s = (uint32_t)g_range(&g->r, s_lo, s_hi);
    if (g_pct(&g->r, 5))
        *s = (uint32_t)g_range(&g->r, 0, 63);
}

static unsigned g_tau(genctx *g)
{
    unsigned c = (unsigned)g_range(&g->r, 0, 9);
    return c < 4 ? 0 : c < 8 ? (unsigned)g_range(&g->r, 1, 300) : c < 9 ? (unsigned)g_range(&g->r, 0, 32767) : 32767;
}

static void gen_gemm(genctx *g, uint32_t d[AT_DESC_WORDS])
{
    grng *r = &g->r;
    d_clear(d, AT_OP_GEMM, g->tag);
    unsigned m = g_count(r, 24, 80), n = g_count(r, 40, 100), k = g_count(r, 48, 160);
    int tb = g_pct(r, 30), pe = g_pct(r, 30);
    uint64_t mt = ceil_div(n, 16), kc = ceil_div(k, 16);
    uint64_t lda = kc + (g_pct(r, 30) ? g_range(r, 0, 2) : 0);
    uint64_t ldc = mt + (g_pct(r, 30) ? g_range(r, 0, 2) : 0);
    uint64_t aspan = (m - 1) * lda + kc, cspan = (m - 1) * ldc + mt;
    /* A and C disjoint: C after A or before it */
    uint64_t a, c;
    if (aspan + cspan < g->act_lines && g_pct(r, 50)) {
        a = g_base(g, g->act_lines - cspan, aspan, 1);
        c = a + aspan + g_base(g, g->act_lines - a - aspan, cspan, 1);
    } else {
        c = g_base(g, g->act_lines / 2, cspan, 1);
        a = g->act_lines / 2 + g_base(g, g->act_lines / 2, aspan, 1);
    }
    uint64_t ldb, bspan;
    if (!tb) {
        ldb = 4 * ceil_div(k, 4) + 4 * (g_pct(r, 30) ? g_range(r, 0, 2) : 0);
        bspan = (mt - 1) * ldb + 4 * ceil_div(k, 4);
    } else {
        ldb = 4 * ceil_div(n, 4) + 4 * (g_pct(r, 30) ? g_range(r, 0, 2) : 0);
        bspan = (kc - 1) * ldb + 4 * ceil_div(n, 4);
    }
    uint64_t b = g_base(g, g->wgt_lines, bspan, 4);
    uint64_t params = g_base(g, g->wgt_lines, 4 * mt, 4);
    /* C_WGT (no ACCUM): C column-major in the upper half of the weight
     * buffer, B and the parameter quads in the lower half */
    uint64_t wldc = m + (g_pct(r, 30) ? g_range(r, 0, 5) : 0), wspan = (mt - 1) * wldc + m;
    int cw = g_pct(r, 15) && wspan < g->wgt_lines / 2 && bspan < g->wgt_lines / 2;
    if (cw) {
        b = g_base(g, g->wgt_lines / 2, bspan, 4);
        params = g_base(g, g->wgt_lines / 2, 4 * mt, 4);
        c = g->wgt_lines / 2 + g_base(g, g->wgt_lines / 2, wspan, 1);
        ldc = wldc;
    }
    uint32_t rqm, rqs, gim, gis, gom, gos;
    g_rq(g, &rqm, &rqs, 8, 22);
    g_rq(g, &gim, &gis, 10, 16);
    g_rq(g, &gom, &gos, 14, 18);
    AT_DPUT(d, GEMM_TRANS_B, tb);
    AT_DPUT(d, GEMM_PARAMS_EN, pe);
    AT_DPUT(d, GEMM_GELU, g_pct(r, 25));
    AT_DPUT(d, GEMM_ACCUM, !cw && g_pct(r, 20));
    AT_DPUT(d, GEMM_C_WGT, cw);
    AT_DPUT(d, GEMM_A_MASK, g_pct(r, 30));
    AT_DPUT(d, GEMM_A, a);
    AT_DPUT(d, GEMM_LDA, lda);
    AT_DPUT(d, GEMM_B, b);
    AT_DPUT(d, GEMM_LDB, ldb);
    AT_DPUT(d, GEMM_C, c);
    AT_DPUT(d, GEMM_LDC, ldc);
    AT_DPUT(d, GEMM_M, m);
    AT_DPUT(d, GEMM_N, n);
    AT_DPUT(d, GEMM_K, k);
    AT_DPUT(d, GEMM_TAU, g_tau(g));
    AT_DPUT(d, GEMM_PARAMS, params);
    AT_DPUT(d, GEMM_RQ_M, rqm);
    AT_DPUT(d, GEMM_RQ_S, rqs);
    AT_DPUT(d, GEMM_GELU_IN_M, gim);
    AT_DPUT(d, GEMM_GELU_IN_S, gis);
    AT_DPUT(d, GEMM_GELU_OUT_M, gom);
    AT_DPUT(d, GEMM_GELU_OUT_S, gos);
}

/* Source and destination intervals of a row op: in place or disjoint. */
static void g_rowop_lines(genctx *g, unsigned rows, uint64_t nb, uint64_t *src, uint64_t *lds, uint64_t *dst,
                          uint64_t *ldd)
{
    grng *r = &g->r;
    *lds = nb + (g_pct(r, 30) ? g_range(r, 0, 2) : 0);
    if (rows > 1 && g_pct(r, 5))
        *lds = g_range(r, 0, nb);
    *ldd = nb + (g_pct(r, 30) ? g_range(r, 0, 2) : 0);
    uint64_t sspan = (rows - 1) * *lds + nb;
    if (g_pct(r, 30)) { /* in place */
        *ldd = *lds < nb && rows > 1 ? nb : *lds;
        *lds = *ldd;
        *src = *dst = g_base(g, g->act_lines, sspan, 1);
        return;
    }
    uint64_t dspan = (rows - 1) * *ldd + nb;
    *src = g_base(g, g->act_lines / 2, sspan, 1);
    *dst = g->act_lines / 2 + g_base(g, g->act_lines / 2, dspan, 1);
    if (g_pct(r, 50)) {
        uint64_t t = *src;
        *src = *dst - g->act_lines / 2;
        *dst = t + g->act_lines / 2;
        (void)t;
    }
}

/* A SOFTMAX, preceded (with LEN_VEC, mostly) by a LOAD of valid lengths
 * from the lens area into the length lines; returns the descriptors used. */
static unsigned gen_softmax(genctx *g, uint32_t (*out)[AT_DESC_WORDS], unsigned room)
{
    grng *r = &g->r;
    uint32_t *d = out[0];
    unsigned rows = g_count(r, 20, 64);
    unsigned n = g_pct(r, 90) ? g_count(r, 64, 200) + 31 : (unsigned)g_range(r, 1, g->cfg->max_seq);
    if (n > g->cfg->max_seq)
        n = g->cfg->max_seq;
    uint64_t nb = ceil_div(n, 16);
    uint64_t src, lds, dst, ldd;
    g_rowop_lines(g, rows, nb, &src, &lds, &dst, &ldd);
    int lv = g_pct(r, 30);
    if (lv && g->k->exclude_smx_row_error && room < 2)
        lv = 0;
    if (lv && g->k->exclude_smx_row_error && n < 32)
        n = 32 > g->cfg->max_seq ? g->cfg->max_seq : 32;
    nb = ceil_div(n, 16);
    g_rowop_lines(g, rows, nb, &src, &lds, &dst, &ldd);
    uint64_t nlens = ceil_div(rows, 16);
    /* length lines away from the destination: after max(src, dst) spans or at the start */
    uint64_t lens = 0;
    uint64_t dlast = dst + (rows - 1) * ldd + nb - 1;
    if (dst > nlens + 1 && g_pct(r, 50))
        lens = g_range(r, 0, dst - nlens);
    else if (dlast + 1 + nlens < g->act_lines)
        lens = g_range(r, dlast + 1, g->act_lines - nlens);
    unsigned used = 1;
    if (lv && room >= 2 && (g->k->exclude_smx_row_error || g_pct(r, 80))) {
        uint32_t *ld = out[0];
        d_clear(ld, AT_OP_LOAD, g->tag);
        uint64_t mem = g_mem(g, DFZ_LENS, DFZ_LENS_END, 32 * nlens);
        AT_DPUT(ld, XFER_SPAD, lens);
        AT_DPUT(ld, XFER_ROWS, nlens);
        AT_DPUT(ld, XFER_COLS, 16);
        AT_DPUT(ld, XFER_SPAD_ROW_STEP, 1);
        AT_DPUT(ld, XFER_SPAD_CB_STEP, 1);
        AT_DPUT(ld, XFER_MEM_LO, (uint32_t)mem);
        AT_DPUT(ld, XFER_MEM_HI, (uint32_t)(mem >> 32));
        AT_DPUT(ld, XFER_MEM_STRIDE, 32);
        d = out[1];
        used = 2;
        g->tag++;
    }
    d_clear(d, AT_OP_SOFTMAX, g->tag);
    uint32_t im, is;
    g_rq(g, &im, &is, 10, 18);
    AT_DPUT(d, SMX_LEN_VEC, lv);
    AT_DPUT(d, SMX_SRC, src);
    AT_DPUT(d, SMX_LDS, lds);
    AT_DPUT(d, SMX_DST, dst);
    AT_DPUT(d, SMX_LDD, ldd);
    AT_DPUT(d, SMX_ROWS, rows);
    AT_DPUT(d, SMX_N, n);
    AT_DPUT(d, SMX_LEN, g_range(r, 1, n));
    AT_DPUT(d, SMX_LENS, lens);
    AT_DPUT(d, SMX_IN_M, im);
    AT_DPUT(d, SMX_IN_S, is);
    AT_DPUT(d, SMX_TAU, g_tau(g));
    return used;
}

static void gen_layernorm(genctx *g, uint32_t d[AT_DESC_WORDS])
{
    grng *r = &g->r;
    d_clear(d, AT_OP_LAYERNORM, g->tag);
    unsigned rows = g_count(r, 16, 48);
    unsigned n = g_pct(r, 90) ? g_count(r, 64, 300) : (unsigned)g_range(r, 1, g->cfg->max_hidden);
    if (n > g->cfg->max_hidden)
        n = g->cfg->max_hidden;
    uint64_t nb = ceil_div(n, 16);
    uint64_t src, lds, dst, ldd;
    g_rowop_lines(g, rows, nb, &src, &lds, &dst, &ldd);
    int res = g_pct(r, 40);
    uint64_t ldr = nb + (g_pct(r, 30) ? g_range(r, 0, 2) : 0), rspan = (rows - 1) * ldr + nb, rs;
    if (g_pct(r, 30)) { /* residual in the destination rows */
        rs = dst;
        ldr = ldd;
    } else {
        rs = g_base(g, g->act_lines, rspan, 1);
        uint64_t dlast = dst + (rows - 1) * ldd + nb - 1;
        if (!(rs + rspan <= dst || rs > dlast)) /* keep it disjoint from the destination */
            rs = dlast + 1 + rspan < g->act_lines ? dlast + 1 : (dst >= rspan ? 0 : dst);
    }
    uint64_t eps;
    unsigned ec = (unsigned)g_range(r, 0, 9);
    eps = ec < 3 ? 0 : ec < 8 ? g_range(r, 1, 1u << 20) : g_range(r, 0, UINT64_C(1) << 61);
    uint32_t om, os;
    g_rq(g, &om, &os, 10, 20);
    AT_DPUT(d, LN_RESIDUAL, res);
    AT_DPUT(d, LN_SRC, src);
    AT_DPUT(d, LN_LDS, lds);
    AT_DPUT(d, LN_DST, dst);
    AT_DPUT(d, LN_LDD, ldd);
    AT_DPUT(d, LN_RES, rs);
    AT_DPUT(d, LN_LDR, ldr);
    AT_DPUT(d, LN_ROWS, rows);
    AT_DPUT(d, LN_N, n);
    AT_DPUT(d, LN_PARAMS, g_base(g, g->wgt_lines, 4 * nb, 4));
    AT_DPUT(d, LN_OUT_M, om);
    AT_DPUT(d, LN_OUT_S, os);
    AT_DPUT(d, LN_EPS_LO, (uint32_t)eps);
    AT_DPUT(d, LN_EPS_HI, (uint32_t)(eps >> 32));
    AT_DPUT(d, LN_TAU, g_tau(g));
}

static void gen_fence(genctx *g, uint32_t d[AT_DESC_WORDS], int write, int irq)
{
    d_clear(d, AT_OP_FENCE, g->tag);
    uint64_t a = DFZ_MEM_BASE + DFZ_OUT + g_range(&g->r, 0, (DFZ_OUT_END - DFZ_OUT) / 4 - 1) * 4;
    AT_DPUT(d, FENCE_WRITE, write);
    AT_DPUT(d, FENCE_IRQ, irq);
    AT_DPUT(d, FENCE_VALUE, (uint32_t)g_next(&g->r));
    AT_DPUT(d, FENCE_ADDR_LO, (uint32_t)a);
    AT_DPUT(d, FENCE_ADDR_HI, (uint32_t)(a >> 32));
}

/* A memory address somewhere bad: in a gap between windows, outside host
 * memory, near 2^64 (wrapping ranges), or unaligned by align. */
static uint64_t g_bad_addr(genctx *g, uint64_t a)
{
    grng *r = &g->r;
    switch (g_range(r, 0, 5)) {
    case 0: return a + g_range(r, 1, 31);                       /* unaligned */
    case 1: return DFZ_MEM_BASE + DFZ_MEM_BYTES + 32 * g_range(r, 0, 2047); /* past host memory */
    case 2: return UINT64_MAX - 32 * g_range(r, 0, 64) + 1;    /* wraps 2^64 */
    case 3: return g_range(r, 0, 1u << 20) * 32;               /* below host memory */
    case 4: return DFZ_MEM_BASE + DFZ_LENS_END + 32 * g_range(r, 0, 0x80); /* the gap after "lens" */
    default: return a ^ (UINT64_C(1) << g_range(r, 20, 63)); /* outside host memory */
    }
}

/* One deliberate fault in a valid descriptor: a reserved bit, a bad
 * opcode, or a field of its opcode out of range. */
static void mutate(genctx *g, uint32_t d[AT_DESC_WORDS])
{
    grng *r = &g->r;
    unsigned op = AT_DGET(d, OPCODE);
    unsigned c = (unsigned)g_range(r, 0, 19);
    if (c == 0) { /* unknown opcode */
        AT_DPUT(d, OPCODE, g_range(r, 7, 255));
        return;
    }
    if (c <= 3) { /* a bit outside the opcode's fields */
        const uint32_t *used = at_desc_used(op);
        for (int tries = 0; tries < 64; tries++) {
            unsigned w = (unsigned)g_range(r, 0, 15), b = (unsigned)g_range(r, 0, 31);
            if (!(used[w] >> b & 1)) {
                d[w] |= 1u << b;
                return;
            }
        }
        return;
    }
    if (c <= 5) { /* any field word of the opcode gets a random value */
        unsigned w = (unsigned)g_range(r, 1, 12);
        const uint32_t *used = at_desc_used(op);
        d[w] = (uint32_t)g_next(r) & used[w];
        if (g_pct(r, 50))
            d[w] &= 0xff;
        return;
    }
    uint64_t mem;
    switch (op) {
    case AT_OP_NOP:
        d[0] |= 1u << g_range(r, 8, 15);
        break;
    case AT_OP_LOAD:
    case AT_OP_STORE:
        switch (g_range(r, 0, 8)) {
        case 0: AT_DPUT(d, XFER_BUF, 3); break;
        case 1: AT_DPUT(d, XFER_KEEP_MASK, 1); break;
        case 2: if (g_pct(r, 50)) AT_DPUT(d, XFER_ROWS, 0); else AT_DPUT(d, XFER_COLS, 0); break;
        case 3: AT_DPUT(d, XFER_MEM_STRIDE, AT_DGET(d, XFER_MEM_STRIDE) + g_range(r, 1, 31)); break;
        case 4: AT_DPUT(d, XFER_SPAD, buf_lines(g, AT_DGET(d, XFER_BUF)) - g_range(r, 0, 8)); break;
        case 5: AT_DPUT(d, XFER_SPAD_ROW_STEP, g_range(r, 100, 0xffffff)); break;
        case 6: AT_DPUT(d, XFER_MEM_STRIDE, g_range(r, 1, 1u << 20) * 32); break;
        default:
            mem = g_bad_addr(g, ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO));
            AT_DPUT(d, XFER_MEM_LO, (uint32_t)mem);
            AT_DPUT(d, XFER_MEM_HI, (uint32_t)(mem >> 32));
        }
        break;
    case AT_OP_GEMM:
        switch (g_range(r, 0, 9)) {
        case 0: if (g_pct(r, 50)) AT_DPUT(d, GEMM_M, 0); else AT_DPUT(d, GEMM_N, 0); break;
        case 1: AT_DPUT(d, GEMM_K, 0); break;
        case 2: AT_DPUT(d, GEMM_B, AT_DGET(d, GEMM_B) | g_range(r, 1, 3)); break;
        case 3: AT_DPUT(d, GEMM_LDB, AT_DGET(d, GEMM_LDB) | g_range(r, 1, 3)); break;
        case 4: AT_DPUT(d, GEMM_PARAMS_EN, 1); AT_DPUT(d, GEMM_PARAMS, AT_DGET(d, GEMM_PARAMS) | g_range(r, 1, 3)); break;
        case 5: AT_DPUT(d, GEMM_LDC, g_range(r, 0, ceil_div(AT_DGET(d, GEMM_N), 16) - 1)); break;
        case 6: AT_DPUT(d, GEMM_C, AT_DGET(d, GEMM_A) + g_range(r, 0, 4)); break; /* overlaps A */
        case 7: AT_DPUT(d, GEMM_A, g->act_lines - g_range(r, 0, 8)); break;
        case 8: AT_DPUT(d, GEMM_B, (g->wgt_lines - 4 * g_range(r, 0, 4)) & ~3u); break;
        default: AT_DPUT(d, GEMM_PARAMS_EN, 1); AT_DPUT(d, GEMM_PARAMS, (g->wgt_lines - 4 * g_range(r, 0, 2)) & ~3u); break;
        }
        break;
    case AT_OP_SOFTMAX:
        switch (g_range(r, 0, 8)) {
        case 0: if (g_pct(r, 50)) AT_DPUT(d, SMX_ROWS, 0); else AT_DPUT(d, SMX_N, 0); break;
        case 1: AT_DPUT(d, SMX_N, g->cfg->max_seq + g_range(r, 1, 100)); break;
        case 2: AT_DPUT(d, SMX_LEN_VEC, 0); AT_DPUT(d, SMX_LEN, g_pct(r, 50) ? 0 : AT_DGET(d, SMX_N) + g_range(r, 1, 9)); break;
        case 3: AT_DPUT(d, SMX_ROWS, AT_DGET(d, SMX_ROWS) | 2); AT_DPUT(d, SMX_LDD, g_range(r, 0, ceil_div(AT_DGET(d, SMX_N), 16) - 1)); break;
        case 4: AT_DPUT(d, SMX_DST, AT_DGET(d, SMX_SRC) + g_range(r, 1, 3)); break; /* partial overlap */
        case 5: AT_DPUT(d, SMX_LEN_VEC, 1); AT_DPUT(d, SMX_LENS, AT_DGET(d, SMX_DST)); break;
        case 6: d[9] |= 1u << g_range(r, 15, 31); break;
        case 7: /* lengths from whatever the lines hold */
            if (!g->k->exclude_smx_row_error)
                AT_DPUT(d, SMX_LEN_VEC, 1);
            break;
        default: AT_DPUT(d, SMX_SRC, g->act_lines - g_range(r, 0, 8)); break;
        }
        break;
    case AT_OP_LAYERNORM:
        switch (g_range(r, 0, 8)) {
        case 0: if (g_pct(r, 50)) AT_DPUT(d, LN_ROWS, 0); else AT_DPUT(d, LN_N, 0); break;
        case 1: AT_DPUT(d, LN_N, g->cfg->max_hidden + g_range(r, 1, 100)); break;
        case 2: AT_DPUT(d, LN_PARAMS, AT_DGET(d, LN_PARAMS) | g_range(r, 1, 3)); break;
        case 3: AT_DPUT(d, LN_EPS_HI, g_range(r, 1u << 29, (1u << 30) - 1)); AT_DPUT(d, LN_EPS_LO, g_next(r)); break;
        case 4: AT_DPUT(d, LN_ROWS, AT_DGET(d, LN_ROWS) | 2); AT_DPUT(d, LN_LDD, g_range(r, 0, ceil_div(AT_DGET(d, LN_N), 16) - 1)); break;
        case 5: AT_DPUT(d, LN_DST, AT_DGET(d, LN_SRC) + g_range(r, 1, 3)); break;
        case 6: AT_DPUT(d, LN_RESIDUAL, 1); AT_DPUT(d, LN_RES, AT_DGET(d, LN_DST) + g_range(r, 1, 3)); break;
        case 7: d[12] |= 1u << g_range(r, 15, 31); break;
        default: AT_DPUT(d, LN_PARAMS, (g->wgt_lines - 4 * g_range(r, 0, 3)) & ~3u); break;
        }
        break;
    case AT_OP_FENCE:
        AT_DPUT(d, FENCE_WRITE, 1);
        mem = ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO);
        mem = g_pct(r, 40) ? mem + g_range(r, 1, 3) : g_bad_addr(g, mem) & ~(uint64_t)3;
        AT_DPUT(d, FENCE_ADDR_LO, (uint32_t)mem);
        AT_DPUT(d, FENCE_ADDR_HI, (uint32_t)(mem >> 32));
        break;
    default:
        break;
    }
}

/* 1 when a STORE or FENCE write of d could reach the rings or the lens
 * area: device writes there would race with the fetcher (the slots ahead
 * of HEAD must not change) or spoil the valid lengths. */
static int writes_protected(const uint32_t d[AT_DESC_WORDS])
{
    unsigned __int128 a, e;
    unsigned op = AT_DGET(d, OPCODE);
    if (op == AT_OP_STORE) {
        uint64_t rows = AT_DGET(d, XFER_ROWS), ncb = ceil_div(AT_DGET(d, XFER_COLS), 16);
        if (!rows || !ncb)
            return 0;
        a = ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO);
        e = a + (unsigned __int128)(rows - 1) * AT_DGET(d, XFER_MEM_STRIDE) + 32 * ncb;
    } else if (op == AT_OP_FENCE && AT_DGET(d, FENCE_WRITE)) {
        a = ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO);
        e = a + 4;
    } else {
        return 0;
    }
    unsigned __int128 r0 = DFZ_MEM_BASE + DFZ_SETUP_RING, r1 = DFZ_MEM_BASE + DFZ_RING_AREA_END;
    unsigned __int128 l0 = DFZ_MEM_BASE + DFZ_LENS, l1 = DFZ_MEM_BASE + DFZ_LENS_END;
    return (a < r1 && r0 < e) || (a < l1 && l0 < e);
}

static void mutate_safe(genctx *g, uint32_t d[AT_DESC_WORDS])
{
    uint32_t keep[AT_DESC_WORDS];
    memcpy(keep, d, sizeof keep);
    for (int tries = 0; tries < 8; tries++) {
        mutate(g, d);
        if (!writes_protected(d))
            return;
        memcpy(d, keep, sizeof keep);
    }
}

static void gen_windows(genctx *g, dfz_case *c)
{
    grng *r = &g->r;
    memset(c->win_base, 0, sizeof c->win_base);
    memset(c->win_size, 0, sizeof c->win_size);
    unsigned slot = (unsigned)g_range(r, 0, 3);
    if (!g_pct(r, g->k->frag_pct)) {
        c->win_base[slot] = DFZ_MEM_BASE;
        c->win_size[slot] = DFZ_MEM_BYTES;
    } else {
        /* up to four pieces of memory, each in its own window (some left
         * closed): the ring area (often cut short), "in" (maybe partly),
         * lens, "out" (maybe partly) */
        uint64_t pieces[4][2] = {
            {DFZ_RING_AREA, DFZ_RING_AREA_END - (g_pct(r, 30) ? 64 * g_range(r, 1, 200) : 0)},
            {DFZ_IN, DFZ_IN_END - (g_pct(r, 30) ? 32 * g_range(r, 1, 4000) : 0)},
            {DFZ_LENS - (g_pct(r, 50) ? 0 : DFZ_LENS - DFZ_SETUP_RING), DFZ_LENS_END},
            {DFZ_OUT + (g_pct(r, 30) ? 32 * g_range(r, 1, 4000) : 0), DFZ_OUT_END},
        };
        for (unsigned i = 0; i < 4; i++) {
            unsigned w = (slot + i) & 3;
            if (g_pct(r, 12))
                continue; /* closed */
            c->win_base[w] = DFZ_MEM_BASE + pieces[i][0];
            c->win_size[w] = pieces[i][1] - pieces[i][0];
        }
    }
    /* sometimes one window reaches past host memory (DECERR) or sits at
     * the top of the address space */
    if (g_pct(r, 8)) {
        unsigned w = (unsigned)g_range(r, 0, 3);
        if (g_pct(r, 60)) {
            c->win_base[w] = DFZ_MEM_BASE + DFZ_OUT;
            c->win_size[w] = DFZ_MEM_BYTES - DFZ_OUT + 0x10000;
        } else {
            c->win_base[w] = UINT64_MAX - 0xFFFF;
            c->win_size[w] = 0x10000;
        }
    }
}

void dfz_gen_case(uint64_t seed, uint64_t index, const dfz_knobs *k, const at_hw_config *cfg, dfz_case *c)
{
    genctx g;
    memset(&g, 0, sizeof g);
    grng seedr = {seed};
    g.r.s = g_next(&seedr) ^ (index * UINT64_C(0xD1B54A32D192ED03));
    g_next(&g.r);
    g.k = k;
    g.cfg = cfg;
    g.act_lines = cfg->act_buf_kib * 1024ull / 32;
    g.wgt_lines = cfg->wgt_buf_kib * 1024ull / 32;
    g.mask_lines = g.act_lines / 16;
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->index = index;
    c->mem_seed = g_next(&g.r);
    gen_windows(&g, c);
    unsigned lo = k->min_len < 2 ? 2 : k->min_len, hi = k->max_len > DFZ_MAX_DESC ? DFZ_MAX_DESC : k->max_len;
    if (hi < lo)
        hi = lo;
    unsigned n = (unsigned)g_range(&g.r, lo, hi);
    c->ring_log2 = 0;
    while ((1u << c->ring_log2) <= n)
        c->ring_log2++;
    if (c->ring_log2 < 8 && g_pct(&g.r, 30))
        c->ring_log2 += (unsigned)g_range(&g.r, 0, 8 - c->ring_log2);
    uint64_t ring_bytes = 64ull << c->ring_log2;
    c->ring_base = DFZ_MEM_BASE + DFZ_RING_AREA + g_range(&g.r, 0, (DFZ_RING_AREA_END - DFZ_RING_AREA - ring_bytes) / 64) * 64;
    if (g_pct(&g.r, k->bad_pct / 4 + 1)) /* a misaligned ring */
        c->ring_base += 32 * g_range(&g.r, 0, 1) + (g_pct(&g.r, 50) ? 4 : 0);
    c->irq_enable = (uint32_t)g_range(&g.r, 0, 3);
    if (g_pct(&g.r, k->fault_pct)) {
        static const uint64_t areas[][2] = {{DFZ_IN, DFZ_IN_END}, {DFZ_OUT, DFZ_OUT_END}, {DFZ_RING_AREA, DFZ_RING_AREA_END},
                                            {DFZ_LENS, DFZ_LENS_END}};
        unsigned a = (unsigned)g_range(&g.r, 0, 3);
        c->fault_len = g_range(&g.r, 1, 4096);
        c->fault_addr = DFZ_MEM_BASE + g_range(&g.r, areas[a][0], areas[a][1] - 1);
        c->fault_resp = g_pct(&g.r, 50) ? 2 : 3;
    }
    g.tag = (unsigned)g_range(&g.r, 0, 0xff00);
    unsigned i = 0;
    while (i < n - 1) {
        uint32_t *d = c->desc[i];
        unsigned op = (unsigned)g_range(&g.r, 0, 99);
        unsigned used = 1;
        if (op < 4)
            d_clear(d, AT_OP_NOP, g.tag);
        else if (op < 30)
            gen_xfer(&g, d, AT_OP_LOAD);
        else if (op < 48)
            gen_xfer(&g, d, AT_OP_STORE);
        else if (op < 68)
            gen_gemm(&g, d);
        else if (op < 80)
            used = gen_softmax(&g, &c->desc[i], n - 1 - i);
        else if (op < 92)
            gen_layernorm(&g, d);
        else
            gen_fence(&g, d, g_pct(&g.r, 60), g_pct(&g.r, 50));
        uint32_t *last = c->desc[i + used - 1];
        if (g_pct(&g.r, k->bad_pct))
            mutate_safe(&g, last);
        i += used;
        g.tag++;
    }
    /* the stream ends with a FENCE write (and sometimes an interrupt) */
    gen_fence(&g, c->desc[n - 1], 1, g_pct(&g.r, 50));
    if (g_pct(&g.r, k->bad_pct / 2))
        mutate_safe(&g, c->desc[n - 1]);
    c->ndesc = n;
    /* a fault mostly where a command of the stream goes: over part of a
     * LOAD/STORE range, a FENCE write or a ring slot */
    if (c->fault_len && g_pct(&g.r, 80)) {
        unsigned j = (unsigned)g_range(&g.r, 0, n - 1);
        const uint32_t *d = c->desc[j];
        unsigned op = AT_DGET(d, OPCODE);
        uint64_t a = c->ring_base + 64ull * j, len = 64;
        if ((op == AT_OP_LOAD || op == AT_OP_STORE) && AT_DGET(d, XFER_ROWS) && AT_DGET(d, XFER_COLS) && g_pct(&g.r, 80)) {
            uint64_t r = g_range(&g.r, 0, AT_DGET(d, XFER_ROWS) - 1);
            a = (((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO)) + r * AT_DGET(d, XFER_MEM_STRIDE);
            len = 2 * AT_DGET(d, XFER_COLS);
        } else if (op == AT_OP_FENCE && AT_DGET(d, FENCE_WRITE) && g_pct(&g.r, 80)) {
            a = ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO);
            len = 4;
        }
        if (a >= DFZ_MEM_BASE && a + len <= DFZ_MEM_BASE + DFZ_MEM_BYTES) {
            c->fault_addr = a + g_range(&g.r, 0, len - 1);
            c->fault_len = g_range(&g.r, 1, 256);
        }
    }
    /* the exclusion, after the mutations: a LEN_VEC SOFTMAX whose lengths
     * are not known valid loses LEN_VEC (then SMX_LEN holds, checked at decode) */
    for (i = 0; k->exclude_smx_row_error && i < n; i++) {
        uint32_t *d = c->desc[i];
        if (AT_DGET(d, OPCODE) == AT_OP_SOFTMAX && AT_DGET(d, SMX_LEN_VEC) &&
            !(i > 0 && dfz_smx_lens_valid(c->desc[i - 1], d)))
            AT_DPUT(d, SMX_LEN_VEC, 0);
    }
}

/* ---------------------------------------------------------------- memory image */

void dfz_gen_image(const dfz_case *c, const at_hw_config *cfg, uint8_t *img)
{
    grng r = {c->mem_seed};
    /* random data in 32-byte lines of mixed kinds: dense int16, sparse
     * small values, zeros (zero-skipping), saturating extremes */
    for (uint64_t off = 0; off < DFZ_MEM_BYTES; off += 32) {
        unsigned kind = (unsigned)g_range(&r, 0, 9);
        uint16_t *e = (uint16_t *)(img + off);
        for (unsigned j = 0; j < 16; j++) {
            uint64_t x = g_next(&r);
            uint16_t v;
            if (kind < 4)
                v = (uint16_t)x;
            else if (kind < 7)
                v = (x & 3) ? 0 : (uint16_t)((int16_t)((x >> 8) % 512) - 256);
            else if (kind < 9)
                v = 0;
            else
                v = (x & 1) ? 0x7fff : 0x8000;
            e[j] = v;
        }
    }
    uint16_t *lens = (uint16_t *)(img + DFZ_LENS);
    for (unsigned i = 0; i < (DFZ_LENS_END - DFZ_LENS) / 2; i++)
        lens[i] = (uint16_t)g_range(&r, 1, 32);
    memset(img + DFZ_SETUP_RING, 0, DFZ_RING_AREA - DFZ_SETUP_RING);
    memset(img + DFZ_RING_AREA, 0, DFZ_RING_AREA_END - DFZ_RING_AREA);
    /* setup ring: fill activation and weight buffers from "in", then the
     * mask words (LOAD to the mask buffer) */
    uint64_t act = cfg->act_buf_kib * 1024ull / 32, wgt = cfg->wgt_buf_kib * 1024ull / 32;
    uint64_t lines[3] = {act, wgt, act / 16};
    uint64_t src[3] = {DFZ_IN, DFZ_IN + (DFZ_IN_END - DFZ_IN) / 2, DFZ_OUT};
    for (unsigned b = 0; b < DFZ_SETUP_DESC; b++) {
        uint32_t d[AT_DESC_WORDS];
        d_clear(d, AT_OP_LOAD, 0xfff0 + b);
        uint64_t mem = DFZ_MEM_BASE + src[b];
        AT_DPUT(d, XFER_BUF, b);
        AT_DPUT(d, XFER_ROWS, lines[b]);
        AT_DPUT(d, XFER_COLS, 16);
        AT_DPUT(d, XFER_SPAD_ROW_STEP, 1);
        AT_DPUT(d, XFER_SPAD_CB_STEP, 1);
        AT_DPUT(d, XFER_MEM_LO, (uint32_t)mem);
        AT_DPUT(d, XFER_MEM_HI, (uint32_t)(mem >> 32));
        AT_DPUT(d, XFER_MEM_STRIDE, 32);
        memcpy(img + DFZ_SETUP_RING + 64 * b, d, 64); /* little-endian host */
    }
    /* the fuzzed ring: descriptor i at ring_base + 64 i, where it lies in
     * host memory (a misaligned or outside ring is the device's problem) */
    for (unsigned i = 0; i < c->ndesc; i++) {
        uint64_t a = c->ring_base + 64ull * i;
        if (a >= DFZ_MEM_BASE && a + 64 <= DFZ_MEM_BASE + DFZ_MEM_BYTES)
            memcpy(img + (a - DFZ_MEM_BASE), c->desc[i], 64);
    }
}

/* ---------------------------------------------------------------- cycle budget */

uint64_t dfz_cycle_budget(const dfz_case *c)
{
    /* per command a bound well above docs/cosim.md's timing model (which
     * is within 5 % of the rtl): DMA one line per cycle plus a latency per
     * row, GEMM 16 cycles per (row, K chunk, column tile) on one PE,
     * softmax/layer-norm rows at their documented periods; x4 on top */
    uint64_t sum = 2000 + 200ull * c->ndesc;
    for (unsigned i = 0; i < c->ndesc; i++) {
        const uint32_t *d = c->desc[i];
        uint64_t rows, ncb, m, n, k;
        switch (AT_DGET(d, OPCODE)) {
        case AT_OP_LOAD:
        case AT_OP_STORE:
            rows = AT_DGET(d, XFER_ROWS);
            ncb = ceil_div(AT_DGET(d, XFER_COLS), 16);
            sum += 300 + rows * (2 * ncb + 120);
            break;
        case AT_OP_GEMM:
            m = AT_DGET(d, GEMM_M);
            n = ceil_div(AT_DGET(d, GEMM_N), 16);
            k = ceil_div(AT_DGET(d, GEMM_K), 16);
            sum += 300 + (m + 16) * (k + 2) * (n + 1) * 20 + 8 * (k + n) * 16;
            break;
        case AT_OP_SOFTMAX:
            rows = AT_DGET(d, SMX_ROWS);
            n = ceil_div(AT_DGET(d, SMX_N), 16);
            sum += 300 + rows * (4 * n + 100);
            break;
        case AT_OP_LAYERNORM:
            rows = AT_DGET(d, LN_ROWS);
            n = ceil_div(AT_DGET(d, LN_N), 16);
            sum += 300 + rows * (4 * n + 120) + 4 * n;
            break;
        default:
            sum += 300;
        }
    }
    return 4 * sum;
}

/* ---------------------------------------------------------------- reproducers */

void dfz_desc_print(FILE *f, const char *prefix, const uint32_t d[AT_DESC_WORDS])
{
    fprintf(f, "%s", prefix);
    for (unsigned w = 0; w < AT_DESC_WORDS; w++)
        fprintf(f, " %08x", d[w]);
    fprintf(f, "  # %s tag 0x%x\n", dfz_op_name(AT_DGET(d, OPCODE)), AT_DGET(d, TAG));
}

int dfz_case_write(const dfz_case *c, const char *path, const char *why)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return AT_EIO;
    fprintf(f, "# acceltran difffuzz reproducer (tests/difffuzz/gen.h; build/bin/difffuzz --replay %s)\n", path);
    if (why)
        fprintf(f, "# %s\n", why);
    fprintf(f, "seed 0x%016" PRIx64 "\ncase %" PRIu64 "\nmem_seed 0x%016" PRIx64 "\n", c->seed, c->index, c->mem_seed);
    for (unsigned w = 0; w < 4; w++)
        fprintf(f, "win %u 0x%016" PRIx64 " 0x%016" PRIx64 "\n", w, c->win_base[w], c->win_size[w]);
    fprintf(f, "ring 0x%016" PRIx64 " %u\nirq_enable %u\n", c->ring_base, c->ring_log2, c->irq_enable);
    fprintf(f, "fault 0x%016" PRIx64 " %" PRIu64 " %u\n", c->fault_addr, c->fault_len, c->fault_resp);
    fprintf(f, "ndesc %u\n", c->ndesc);
    for (unsigned i = 0; i < c->ndesc; i++) {
        char p[16];
        snprintf(p, sizeof p, "desc %u", i);
        dfz_desc_print(f, p, c->desc[i]);
    }
    return fclose(f) ? AT_EIO : 0;
}

int dfz_case_read(const char *path, dfz_case *c, char *msg, size_t msg_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(msg, msg_len, "cannot open %s", path);
        return AT_EIO;
    }
    memset(c, 0, sizeof *c);
    char line[512];
    int ln = 0, rc = 0;
    unsigned got = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        unsigned u, v;
        uint64_t a, b;
        int ok = 1;
        if (sscanf(line, " seed %" SCNx64, &a) == 1)
            c->seed = a;
        else if (sscanf(line, " case %" SCNu64, &a) == 1)
            c->index = a;
        else if (sscanf(line, " mem_seed %" SCNx64, &a) == 1)
            c->mem_seed = a;
        else if (sscanf(line, " win %u %" SCNx64 " %" SCNx64, &u, &a, &b) == 3 && u < 4) {
            c->win_base[u] = a;
            c->win_size[u] = b;
        } else if (sscanf(line, " ring %" SCNx64 " %u", &a, &u) == 2 && u <= 16) {
            c->ring_base = a;
            c->ring_log2 = u;
        } else if (sscanf(line, " irq_enable %u", &u) == 1)
            c->irq_enable = u;
        else if (sscanf(line, " fault %" SCNx64 " %" SCNu64 " %u", &a, &b, &u) == 3) {
            c->fault_addr = a;
            c->fault_len = b;
            c->fault_resp = u;
        } else if (sscanf(line, " ndesc %u", &u) == 1 && u <= DFZ_MAX_DESC)
            c->ndesc = u;
        else if (sscanf(line, " desc %u", &u) == 1 && u < DFZ_MAX_DESC) {
            char *p = strchr(line, 'c') + 1;
            while (*p == ' ')
                p++;
            while (*p && *p != ' ')
                p++; /* past the index */
            for (v = 0; v < AT_DESC_WORDS; v++) {
                char *e;
                unsigned long x = strtoul(p, &e, 16);
                if (e == p) {
                    ok = 0;
                    break;
                }
                c->desc[u][v] = (uint32_t)x;
                p = e;
            }
            got++;
        } else {
            for (char *p = line; *p; p++)
                if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
                    ok = 0;
        }
        if (!ok) {
            snprintf(msg, msg_len, "%s:%d: cannot parse '%s'", path, ln, line);
            rc = AT_EINVAL;
            break;
        }
    }
    fclose(f);
    if (!rc && (c->ndesc == 0 || got != c->ndesc)) {
        snprintf(msg, msg_len, "%s: %u descriptors for ndesc %u", path, got, c->ndesc);
        rc = AT_EINVAL;
    }
    return rc;
}
