/* The commands of docs/isa.md on scratchpad arrays (device_exec.h): the
 * decode-time checks in the documented order, the scratchpad intervals of
 * the dependency rule, and the compute commands, bit-exact through the
 * numerics of numerics.h. */
#include "device_exec.h"

#include <stdlib.h>
#include <string.h>

#include "at_error.h"
#include "numerics.h"

#define LINE_ELEMS 16u
#define LINE_BYTES 32u

static uint64_t ceil16(uint64_t n)
{
    return (n + 15u) / 16u;
}

static uint64_t ceil4(uint64_t n)
{
    return (n + 3u) / 4u;
}

/* ---------------------------------------------------------------- scratchpads */

int at_spad_init(at_spad *sp, const at_hw_config *cfg)
{
    if (!sp || !cfg || cfg->act_buf_kib == 0 || cfg->wgt_buf_kib == 0)
        return AT_EINVAL;
    memset(sp, 0, sizeof *sp);
    sp->act_lines = cfg->act_buf_kib * (1024u / LINE_BYTES);
    sp->wgt_lines = cfg->wgt_buf_kib * (1024u / LINE_BYTES);
    sp->mask_lines = sp->act_lines / 16u;
    sp->act = calloc(sp->act_lines, sizeof *sp->act);
    sp->act_mask = calloc(sp->act_lines, sizeof *sp->act_mask);
    sp->wgt = calloc(sp->wgt_lines, sizeof *sp->wgt);
    if (!sp->act || !sp->act_mask || !sp->wgt) {
        at_spad_free(sp);
        return AT_ENOMEM;
    }
    return 0;
}

void at_spad_free(at_spad *sp)
{
    if (!sp)
        return;
    free(sp->act);
    free(sp->act_mask);
    free(sp->wgt);
    memset(sp, 0, sizeof *sp);
}

static uint64_t buf_lines(const at_spad *sp, int buf)
{
    return buf == 0 ? sp->act_lines : buf == 1 ? sp->wgt_lines : sp->mask_lines;
}

/* Entry j of an int32[16] held in the weight lines line, line+1 (8 per
 * line, each as two int16 halves, low half first): the layout of GEMM's
 * bias and LAYERNORM's beta. */
static int32_t wgt_int32(const at_spad *sp, uint64_t line, unsigned j)
{
    const int16_t *half = sp->wgt[line + j / 8u];
    uint32_t lo = (uint16_t)half[2u * (j % 8u)], hi = (uint16_t)half[2u * (j % 8u) + 1u];
    return (int32_t)(lo | (hi << 16));
}

/* ---------------------------------------------------------------- decoded fields */

typedef struct xfer_f {
    unsigned buf, keep, rows, cols;
    uint64_t spad, row_step, cb_step, mem, stride, ncb;
} xfer_f;

static xfer_f xfer_decode(const uint32_t *d)
{
    xfer_f f;
    f.buf = AT_DGET(d, XFER_BUF);
    f.keep = AT_DGET(d, XFER_KEEP_MASK);
    f.rows = AT_DGET(d, XFER_ROWS);
    f.cols = AT_DGET(d, XFER_COLS);
    f.spad = AT_DGET(d, XFER_SPAD);
    f.row_step = AT_DGET(d, XFER_SPAD_ROW_STEP);
    f.cb_step = AT_DGET(d, XFER_SPAD_CB_STEP);
    f.mem = ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32) | AT_DGET(d, XFER_MEM_LO);
    f.stride = AT_DGET(d, XFER_MEM_STRIDE);
    f.ncb = ceil16(f.cols);
    return f;
}

static uint64_t xfer_last_line(const xfer_f *f)
{
    return f->spad + (uint64_t)(f->rows - 1) * f->row_step + (f->ncb - 1) * f->cb_step;
}

typedef struct gemm_f {
    unsigned trans_b, params_en, gelu, accum, a_mask, c_wgt;
    uint64_t a, lda, b, ldb, c, ldc, params;
    unsigned m, n, k, tau;
    uint64_t mt, nt, kc;
} gemm_f;

static gemm_f gemm_decode(const uint32_t *d)
{
    gemm_f g;
    g.trans_b = AT_DGET(d, GEMM_TRANS_B);
    g.params_en = AT_DGET(d, GEMM_PARAMS_EN);
    g.gelu = AT_DGET(d, GEMM_GELU);
    g.accum = AT_DGET(d, GEMM_ACCUM);
    g.a_mask = AT_DGET(d, GEMM_A_MASK);
    g.c_wgt = AT_DGET(d, GEMM_C_WGT);
    g.a = AT_DGET(d, GEMM_A);
    g.lda = AT_DGET(d, GEMM_LDA);
    g.b = AT_DGET(d, GEMM_B);
    g.ldb = AT_DGET(d, GEMM_LDB);
    g.c = AT_DGET(d, GEMM_C);
    g.ldc = AT_DGET(d, GEMM_LDC);
    g.params = AT_DGET(d, GEMM_PARAMS);
    g.m = AT_DGET(d, GEMM_M);
    g.n = AT_DGET(d, GEMM_N);
    g.k = AT_DGET(d, GEMM_K);
    g.tau = AT_DGET(d, GEMM_TAU);
    g.mt = ceil16(g.m);
    g.nt = ceil16(g.n);
    g.kc = ceil16(g.k);
    return g;
}

static uint64_t gemm_last_a(const gemm_f *g)
{
    return g->a + (uint64_t)(g->m - 1) * g->lda + g->kc - 1;
}

/* C line (i, nt): activation C + i*LDC + nt, with C_WGT weight C + nt*LDC + i. */
static uint64_t gemm_c_line(const gemm_f *g, uint64_t i, uint64_t nt)
{
    return g->c_wgt ? g->c + nt * g->ldc + i : g->c + i * g->ldc + nt;
}

static uint64_t gemm_last_c(const gemm_f *g)
{
    return gemm_c_line(g, g->m - 1, g->nt - 1);
}

static uint64_t gemm_last_b(const gemm_f *g)
{
    if (g->trans_b)
        return g->b + (g->kc - 1) * g->ldb + 4 * ceil4(g->n) - 1;
    return g->b + (g->nt - 1) * g->ldb + 4 * ceil4(g->k) - 1;
}

typedef struct smx_f {
    unsigned len_vec, rows, n, len;
    uint64_t src, lds, dst, ldd, lens, nb;
    int16_t tau;
    at_softmax_params p;
} smx_f;

static smx_f smx_decode(const uint32_t *d)
{
    smx_f s;
    s.len_vec = AT_DGET(d, SMX_LEN_VEC);
    s.src = AT_DGET(d, SMX_SRC);
    s.lds = AT_DGET(d, SMX_LDS);
    s.dst = AT_DGET(d, SMX_DST);
    s.ldd = AT_DGET(d, SMX_LDD);
    s.rows = AT_DGET(d, SMX_ROWS);
    s.n = AT_DGET(d, SMX_N);
    s.len = AT_DGET(d, SMX_LEN);
    s.lens = AT_DGET(d, SMX_LENS);
    s.p.in.m = (uint16_t)AT_DGET(d, SMX_IN_M);
    s.p.in.s = (uint8_t)AT_DGET(d, SMX_IN_S);
    s.tau = (int16_t)AT_DGET(d, SMX_TAU);
    s.nb = ceil16(s.n);
    return s;
}

typedef struct ln_f {
    unsigned residual, rows, n;
    uint64_t src, lds, dst, ldd, res, ldr, params, nb;
    int16_t tau;
    at_layernorm_params p;
} ln_f;

static ln_f ln_decode(const uint32_t *d)
{
    ln_f l;
    l.residual = AT_DGET(d, LN_RESIDUAL);
    l.src = AT_DGET(d, LN_SRC);
    l.lds = AT_DGET(d, LN_LDS);
    l.dst = AT_DGET(d, LN_DST);
    l.ldd = AT_DGET(d, LN_LDD);
    l.res = AT_DGET(d, LN_RES);
    l.ldr = AT_DGET(d, LN_LDR);
    l.rows = AT_DGET(d, LN_ROWS);
    l.n = AT_DGET(d, LN_N);
    l.params = AT_DGET(d, LN_PARAMS);
    l.p.out.m = (uint16_t)AT_DGET(d, LN_OUT_M);
    l.p.out.s = (uint8_t)AT_DGET(d, LN_OUT_S);
    l.p.eps_q = (int64_t)(((uint64_t)AT_DGET(d, LN_EPS_HI) << 32) | AT_DGET(d, LN_EPS_LO));
    l.tau = (int16_t)AT_DGET(d, LN_TAU);
    l.nb = ceil16(l.n);
    return l;
}

/* Last line of a row-strided block: base + (rows-1)*ld + nb-1. */
static uint64_t rows_last(uint64_t base, unsigned rows, uint64_t ld, uint64_t nb)
{
    return base + (uint64_t)(rows - 1) * ld + nb - 1;
}

/* ---------------------------------------------------------------- intervals */

/* Each command's scratchpad intervals are listed once, here: the SPAD_RANGE
 * and overlap checks and the dependency rule (at_exec_ranges) all use
 * these, as docs/isa.md defines both on the same [first, last] intervals.
 * The order is fixed: the first source first, the written interval last. */

static int put_range(at_spad_range *out, int n, int buf, uint64_t first, uint64_t last, int write)
{
    out[n].buf = buf;
    out[n].first = first;
    out[n].last = last;
    out[n].write = write;
    return n + 1;
}

/* An activation block of rows x nb lines, row step ld. */
static int put_rows(at_spad_range *out, int n, uint64_t base, unsigned rows, uint64_t ld,
                    uint64_t nb, int write)
{
    return put_range(out, n, 0, base, rows_last(base, rows, ld, nb), write);
}

/* The one interval of a transfer: the buffer it writes (LOAD) or reads (STORE). */
static int xfer_ranges(const xfer_f *f, unsigned op, at_spad_range *out)
{
    return put_range(out, 0, (int)f->buf, f->spad, xfer_last_line(f), op == AT_OP_LOAD);
}

/* A, B, the parameter quads (with PARAMS_EN), C (in the weight buffer with C_WGT). */
static int gemm_ranges(const gemm_f *g, at_spad_range *out)
{
    int n = put_range(out, 0, 0, g->a, gemm_last_a(g), 0);
    n = put_range(out, n, 1, g->b, gemm_last_b(g), 0);
    if (g->params_en)
        n = put_range(out, n, 1, g->params, g->params + 4 * g->nt - 1, 0);
    return put_range(out, n, g->c_wgt ? 1 : 0, g->c, gemm_last_c(g), 1);
}

/* Source, the length lines (with LEN_VEC), destination. */
static int smx_ranges(const smx_f *s, at_spad_range *out)
{
    int n = put_rows(out, 0, s->src, s->rows, s->lds, s->nb, 0);
    if (s->len_vec)
        n = put_range(out, n, 0, s->lens, s->lens + (s->rows - 1) / 16u, 0);
    return put_rows(out, n, s->dst, s->rows, s->ldd, s->nb, 1);
}

/* Source, residual (with RESIDUAL), the parameter quads, destination. */
static int ln_ranges(const ln_f *l, at_spad_range *out)
{
    int n = put_rows(out, 0, l->src, l->rows, l->lds, l->nb, 0);
    if (l->residual)
        n = put_rows(out, n, l->res, l->rows, l->ldr, l->nb, 0);
    n = put_range(out, n, 1, l->params, l->params + 4 * l->nb - 1, 0);
    return put_rows(out, n, l->dst, l->rows, l->ldd, l->nb, 1);
}

/* ---------------------------------------------------------------- checks */

static int fail(uint32_t *detail, int code, uint32_t w)
{
    *detail = w;
    return code;
}

/* SPAD_RANGE, DETAIL = buffer id: the buffers are tried in the order
 * activation, weight, mask, so a command past the end of two buffers
 * reports the first (the RTL checks in the same order). */
static int check_in_spad(const at_spad_range *r, int n, const at_spad *sp, uint32_t *detail)
{
    for (int buf = 0; buf < 3; buf++)
        for (int i = 0; i < n; i++)
            if (r[i].buf == buf && r[i].last >= buf_lines(sp, buf))
                return fail(detail, AT_DEVERR_SPAD_RANGE, (uint32_t)buf);
    return AT_DEVERR_NONE;
}

enum { DISJOINT = 0, IN_PLACE_OK = 1 };

/* An overlap rule of a compute command: its written interval (the last one
 * of its ranges) and the read interval r[read] must not share a line, else
 * ILLEGAL_FIELD with DETAIL = word; with IN_PLACE_OK they may also be the
 * very same interval (the command then works in place). */
typedef struct apart_rule {
    int read, in_place;
    uint32_t word;
} apart_rule;

/* The interval checks a compute command ends with: SPAD_RANGE, then its
 * overlap rules in the order given. */
static int check_intervals(const at_spad_range *r, int n, const apart_rule *rules, int nrules,
                           const at_spad *sp, uint32_t *detail)
{
    int rc = check_in_spad(r, n, sp, detail);
    const at_spad_range *w = &r[n - 1];
    for (int i = 0; rc == AT_DEVERR_NONE && i < nrules; i++) {
        const at_spad_range *x = &r[rules[i].read];
        int same = w->first == x->first && w->last == x->last;
        int shared = w->first <= x->last && x->first <= w->last;
        if (shared && !(rules[i].in_place && same))
            rc = fail(detail, AT_DEVERR_ILLEGAL_FIELD, rules[i].word);
    }
    return rc;
}

static int check_xfer(const uint32_t *d, unsigned op, const at_spad *sp, uint32_t *detail)
{
    xfer_f f = xfer_decode(d);
    if (f.buf == 3)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 0);
    if (f.keep && (op == AT_OP_STORE || f.buf != 0))
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 0);
    if (f.rows == 0 || f.cols == 0)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 2);
    if (f.mem % LINE_BYTES)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 5);
    if (f.stride % LINE_BYTES)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 7);
    at_spad_range r[1];
    return check_in_spad(r, xfer_ranges(&f, op, r), sp, detail);
}

static int check_gemm(const uint32_t *d, const at_spad *sp, uint32_t *detail)
{
    gemm_f g = gemm_decode(d);
    if (g.c_wgt && g.accum) /* the weight buffer has no read-back path for C */
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 0);
    if (g.m == 0 || g.n == 0)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 7);
    if (g.k == 0)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 8);
    if (g.b % 4)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 3);
    if (g.ldb % 4)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 4);
    if (g.params_en && g.params % 4)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 9);
    /* C rows (C_WGT: column tiles) would overlap */
    if (g.c_wgt ? (g.nt > 1 && g.ldc < g.m) : (g.m > 1 && g.ldc < g.nt))
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 6);
    /* no in-place GEMM: C apart from A, or with C_WGT from B and the
     * parameter quads (ranges: A 0, B 1, parameters 2) */
    static const apart_rule c_vs_a = {0, DISJOINT, 5};
    static const apart_rule c_vs_w[2] = {{1, DISJOINT, 5}, {2, DISJOINT, 5}};
    at_spad_range r[4];
    int n = gemm_ranges(&g, r);
    if (g.c_wgt)
        return check_intervals(r, n, c_vs_w, g.params_en ? 2 : 1, sp, detail);
    return check_intervals(r, n, &c_vs_a, 1, sp, detail);
}

static int check_softmax(const uint32_t *d, const at_spad *sp, const at_hw_config *cfg,
                         uint32_t *detail)
{
    smx_f s = smx_decode(d);
    if (s.rows == 0 || s.n == 0 || s.n > cfg->max_seq)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 5);
    if (!s.len_vec && (s.len == 0 || s.len > s.n))
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 6);
    if (s.rows > 1 && s.ldd < s.nb)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 4);
    /* dst vs src, then (with LEN_VEC) dst vs the length lines */
    static const apart_rule dst_vs[2] = {{0, IN_PLACE_OK, 3}, {1, DISJOINT, 7}};
    at_spad_range r[3];
    int n = smx_ranges(&s, r);
    return check_intervals(r, n, dst_vs, s.len_vec ? 2 : 1, sp, detail);
}

static int check_layernorm(const uint32_t *d, const at_spad *sp, const at_hw_config *cfg,
                           uint32_t *detail)
{
    ln_f l = ln_decode(d);
    if (l.rows == 0 || l.n == 0 || l.n > cfg->max_hidden)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 7);
    if (l.params % 4)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 8);
    if ((uint64_t)l.p.eps_q > (UINT64_C(1) << 61))
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 11);
    if (l.rows > 1 && l.ldd < l.nb)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 4);
    /* dst vs src, then (with RESIDUAL) dst vs res */
    static const apart_rule dst_vs[2] = {{0, IN_PLACE_OK, 3}, {1, IN_PLACE_OK, 5}};
    at_spad_range r[4];
    int n = ln_ranges(&l, r);
    return check_intervals(r, n, dst_vs, l.residual ? 2 : 1, sp, detail);
}

static int check_fence(const uint32_t *d, uint32_t *detail)
{
    if (AT_DGET(d, FENCE_WRITE) && AT_DGET(d, FENCE_ADDR_LO) % 4u)
        return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 2);
    return AT_DEVERR_NONE;
}

int at_exec_check(const uint32_t d[AT_DESC_WORDS], const at_spad *sp, const at_hw_config *cfg,
                  uint32_t *detail)
{
    uint32_t dummy;
    if (!detail)
        detail = &dummy;
    *detail = 0;
    unsigned op = AT_DGET(d, OPCODE);
    const uint32_t *used = at_desc_used(op);
    if (!used)
        return fail(detail, AT_DEVERR_ILLEGAL_OPCODE, op);
    for (uint32_t w = 0; w < AT_DESC_WORDS; w++)
        if (d[w] & ~used[w])
            return fail(detail, AT_DEVERR_ILLEGAL_FIELD, w);
    switch (op) {
    case AT_OP_LOAD:
    case AT_OP_STORE:
        return check_xfer(d, op, sp, detail);
    case AT_OP_GEMM:
        return check_gemm(d, sp, detail);
    case AT_OP_SOFTMAX:
        return check_softmax(d, sp, cfg, detail);
    case AT_OP_LAYERNORM:
        return check_layernorm(d, sp, cfg, detail);
    case AT_OP_FENCE:
        return check_fence(d, detail);
    default:
        return AT_DEVERR_NONE;
    }
}

/* ---------------------------------------------------------------- ranges */

int at_exec_ranges(const uint32_t d[AT_DESC_WORDS], at_spad_range out[8])
{
    unsigned op = AT_DGET(d, OPCODE);
    switch (op) {
    case AT_OP_LOAD:
    case AT_OP_STORE: {
        xfer_f f = xfer_decode(d);
        return xfer_ranges(&f, op, out);
    }
    case AT_OP_GEMM: {
        gemm_f g = gemm_decode(d);
        return gemm_ranges(&g, out);
    }
    case AT_OP_SOFTMAX: {
        smx_f s = smx_decode(d);
        return smx_ranges(&s, out);
    }
    case AT_OP_LAYERNORM: {
        ln_f l = ln_decode(d);
        return ln_ranges(&l, out);
    }
    default:
        return 0;
    }
}

int at_exec_mem_range(const uint32_t d[AT_DESC_WORDS], uint64_t *lo, uint64_t *hi, int *wraps)
{
    unsigned op = AT_DGET(d, OPCODE);
    uint64_t base, len;
    if (op == AT_OP_LOAD || op == AT_OP_STORE) {
        xfer_f f = xfer_decode(d);
        base = f.mem;
        len = (uint64_t)(f.rows - 1) * f.stride + LINE_BYTES * f.ncb;
    } else if (op == AT_OP_FENCE && AT_DGET(d, FENCE_WRITE)) {
        base = ((uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32) | AT_DGET(d, FENCE_ADDR_LO);
        len = 4;
    } else {
        return 0;
    }
    *lo = base;
    *hi = base + len;
    *wraps = *hi < base; /* the end passes (or reaches) 2^64 */
    return 1;
}

/* ---------------------------------------------------------------- transfers */

uint64_t at_exec_xfer_line(const uint32_t d[AT_DESC_WORDS], uint32_t r, uint32_t cb)
{
    xfer_f f = xfer_decode(d);
    return f.spad + (uint64_t)r * f.row_step + (uint64_t)cb * f.cb_step;
}

uint64_t at_exec_xfer_addr(const uint32_t d[AT_DESC_WORDS], uint32_t r, uint32_t cb)
{
    xfer_f f = xfer_decode(d);
    return f.mem + (uint64_t)r * f.stride + (uint64_t)LINE_BYTES * cb;
}

int at_exec_xfer_valid(const uint32_t d[AT_DESC_WORDS], uint32_t cb)
{
    uint32_t cols = AT_DGET(d, XFER_COLS);
    uint64_t first = (uint64_t)LINE_ELEMS * cb;
    if (first >= cols)
        return 0;
    uint64_t v = cols - first;
    return v > LINE_ELEMS ? (int)LINE_ELEMS : (int)v;
}

/* ---------------------------------------------------------------- GEMM */

/* Effective A(i, k). */
static int16_t gemm_a(const gemm_f *g, const at_spad *sp, uint64_t i, unsigned k)
{
    uint64_t line = g->a + i * g->lda + k / 16u;
    unsigned j = k % 16u;
    if (g->a_mask && !((sp->act_mask[line] >> j) & 1u))
        return 0;
    return sp->act[line][j];
}

static int16_t gemm_b(const gemm_f *g, const at_spad *sp, unsigned k, unsigned n)
{
    if (g->trans_b)
        return sp->wgt[g->b + (uint64_t)(k / 16u) * g->ldb + n][k % 16u];
    return sp->wgt[g->b + (uint64_t)(n / 16u) * g->ldb + k][n % 16u];
}

/* Per-column bias and requant of the whole row of N columns. */
static void gemm_params(const gemm_f *g, const at_spad *sp, int32_t *bias, at_rq *rq)
{
    for (unsigned n = 0; n < g->n; n++) {
        if (!g->params_en) {
            bias[n] = 0;
            continue;
        }
        uint64_t q = g->params + 4u * (n / 16u);
        unsigned j = n % 16u;
        bias[n] = wgt_int32(sp, q, j);
        rq[n].m = (uint16_t)sp->wgt[q + 2][j];
        rq[n].s = (uint8_t)((uint16_t)sp->wgt[q + 3][j] & 0x3Fu);
    }
}

/* Writes C row i from the post-processed row y / mask (C_WGT: into the
 * weight lines, without mask words; a pruned y is 0 there too). */
static uint64_t gemm_write_row(const gemm_f *g, at_spad *sp, uint64_t i, const int16_t *y,
                               const uint8_t *mask)
{
    for (uint64_t nt = 0; nt < g->nt; nt++) {
        uint64_t line = gemm_c_line(g, i, nt);
        if (g->c_wgt) {
            for (unsigned j = 0; j < 16u; j++) {
                uint64_t n = nt * 16u + j;
                sp->wgt[line][j] = n < g->n ? y[n] : 0;
            }
            continue;
        }
        int16_t out[16];
        uint16_t mw = 0;
        for (unsigned j = 0; j < 16u; j++) {
            uint64_t n = nt * 16u + j;
            out[j] = 0;
            if (n >= g->n)
                continue;
            if (g->accum) {
                out[j] = at_sat16((int64_t)sp->act[line][j] + y[n]);
                if (out[j] != 0)
                    mw |= (uint16_t)(1u << j);
            } else {
                out[j] = y[n];
                if ((mask[n >> 3] >> (n & 7u)) & 1u)
                    mw |= (uint16_t)(1u << j);
            }
        }
        memcpy(sp->act[line], out, sizeof out);
        sp->act_mask[line] = mw;
    }
    return g->nt;
}

typedef struct gemm_work {
    int16_t *arow, *y;
    int64_t *acc;
    int32_t *bias;
    at_rq *rq;
    uint8_t *mask;
} gemm_work;

static void gemm_work_free(gemm_work *w)
{
    free(w->arow);
    free(w->y);
    free(w->acc);
    free(w->bias);
    free(w->rq);
    free(w->mask);
}

static int gemm_work_alloc(gemm_work *w, const gemm_f *g)
{
    w->arow = malloc(sizeof *w->arow * g->k);
    w->y = malloc(sizeof *w->y * g->n);
    w->acc = malloc(sizeof *w->acc * g->n);
    w->bias = malloc(sizeof *w->bias * g->n);
    w->rq = malloc(sizeof *w->rq * g->n);
    w->mask = malloc((g->n + 7u) / 8u);
    if (!w->arow || !w->y || !w->acc || !w->bias || !w->rq || !w->mask) {
        gemm_work_free(w);
        return AT_ENOMEM;
    }
    return 0;
}

static int exec_gemm(const uint32_t *d, at_spad *sp, at_exec_counts *cnt)
{
    gemm_f g = gemm_decode(d);
    gemm_work w;
    if (gemm_work_alloc(&w, &g))
        return AT_ENOMEM;
    at_postproc pp = {.rq = w.rq, .per_channel = 1, .gelu = (int)g.gelu, .tau = (int16_t)g.tau};
    pp.gelu_p.in.m = (uint16_t)AT_DGET(d, GEMM_GELU_IN_M);
    pp.gelu_p.in.s = (uint8_t)AT_DGET(d, GEMM_GELU_IN_S);
    pp.gelu_p.out.m = (uint16_t)AT_DGET(d, GEMM_GELU_OUT_M);
    pp.gelu_p.out.s = (uint8_t)AT_DGET(d, GEMM_GELU_OUT_S);
    at_rq rq0 = {(uint16_t)AT_DGET(d, GEMM_RQ_M), (uint8_t)AT_DGET(d, GEMM_RQ_S)};
    for (unsigned n = 0; n < g.n; n++)
        w.rq[n] = rq0;
    gemm_params(&g, sp, w.bias, w.rq);
    uint64_t nnz = 0;
    for (uint64_t i = 0; i < g.m; i++) {
        memset(w.acc, 0, sizeof *w.acc * g.n);
        for (unsigned k = 0; k < g.k; k++) {
            int16_t a = gemm_a(&g, sp, i, k);
            if (a == 0)
                continue;
            nnz++;
            for (unsigned n = 0; n < g.n; n++)
                w.acc[n] += (int64_t)a * gemm_b(&g, sp, k, n);
        }
        int pr = at_postproc_row(w.acc, w.bias, (int)g.n, &pp, w.y, w.mask);
        cnt->pruned += pr > 0 ? (uint64_t)pr : 0;
        uint64_t wr = gemm_write_row(&g, sp, i, w.y, w.mask);
        cnt->spad_wr += wr;
        if (g.c_wgt)
            cnt->wgt_wr += wr;
        else
            cnt->act_wr += wr;
    }
    uint64_t total = (uint64_t)g.m * g.k;
    cnt->mac_issued += 16u * g.nt * nnz;
    cnt->mac_skipped += 16u * g.nt * (total - nnz);
    uint64_t a_rd = (uint64_t)g.m * g.kc;                                   /* A */
    uint64_t b_rd = g.trans_b ? g.kc * 4u * ceil4(g.n) : g.nt * 4u * ceil4(g.k); /* B */
    b_rd += g.params_en ? 4u * g.nt : 0;                                   /* params */
    a_rd += g.accum ? (uint64_t)g.m * g.nt : 0;                            /* old C */
    cnt->spad_rd += a_rd + b_rd;
    cnt->act_rd += a_rd;
    cnt->wgt_rd += b_rd;
    gemm_work_free(&w);
    return AT_DEVERR_NONE;
}

/* ---------------------------------------------------------------- SOFTMAX */

static void write_row(at_spad *sp, uint64_t base, uint64_t nb, unsigned n, const int16_t *y)
{
    for (uint64_t b = 0; b < nb; b++) {
        uint16_t mw = 0;
        for (unsigned j = 0; j < 16u; j++) {
            uint64_t e = b * 16u + j;
            int16_t v = e < n ? y[e] : 0;
            sp->act[base + b][j] = v;
            if (v != 0)
                mw |= (uint16_t)(1u << j);
        }
        sp->act_mask[base + b] = mw;
    }
}

static void read_row(const at_spad *sp, uint64_t base, unsigned n, int16_t *x)
{
    for (unsigned e = 0; e < n; e++)
        x[e] = sp->act[base + e / 16u][e % 16u];
}

static int exec_softmax(const uint32_t *d, at_spad *sp, at_exec_counts *cnt, uint32_t *detail)
{
    smx_f s = smx_decode(d);
    int16_t x[AT_SOFTMAX_MAX_LEN], y[AT_SOFTMAX_MAX_LEN];
    for (unsigned r = 0; r < s.rows; r++) {
        unsigned len = s.len;
        if (s.len_vec) {
            len = (uint16_t)sp->act[s.lens + r / 16u][r % 16u];
            if (r % 16u == 0) {
                cnt->spad_rd++;
                cnt->act_rd++;
            }
        }
        if (len == 0 || len > s.n)
            return fail(detail, AT_DEVERR_ILLEGAL_FIELD, 0x10000u + r);
        memset(x, 0, sizeof x);
        read_row(sp, s.src + (uint64_t)r * s.lds, len, x);
        cnt->spad_rd += ceil16(len);
        cnt->act_rd += ceil16(len);
        at_softmax_row(x, (int)s.n, (int)len, &s.p, y);
        /* DynaTran on the len valid columns (the padding is 0, not counted). */
        int pr = at_dynatran_row(y, (int)len, s.tau, NULL);
        cnt->pruned += pr > 0 ? (uint64_t)pr : 0;
        write_row(sp, s.dst + (uint64_t)r * s.ldd, s.nb, s.n, y);
        cnt->spad_wr += s.nb;
        cnt->act_wr += s.nb;
        cnt->smx_rows++;
    }
    return AT_DEVERR_NONE;
}

/* ---------------------------------------------------------------- LAYERNORM */

static void ln_params(const ln_f *l, const at_spad *sp, int16_t *gamma, int32_t *beta)
{
    for (unsigned e = 0; e < l->n; e++) {
        uint64_t q = l->params + 4u * (e / 16u);
        unsigned j = e % 16u;
        gamma[e] = sp->wgt[q][j];
        beta[e] = wgt_int32(sp, q + 1, j);
    }
}

static int exec_layernorm(const uint32_t *d, at_spad *sp, at_exec_counts *cnt)
{
    ln_f l = ln_decode(d);
    int16_t x[AT_LN_MAX_N], res[AT_LN_MAX_N], y[AT_LN_MAX_N], gamma[AT_LN_MAX_N];
    int32_t beta[AT_LN_MAX_N];
    ln_params(&l, sp, gamma, beta);
    cnt->spad_rd += 4u * l.nb;
    cnt->wgt_rd += 4u * l.nb;
    for (unsigned r = 0; r < l.rows; r++) {
        read_row(sp, l.src + (uint64_t)r * l.lds, l.n, x);
        cnt->spad_rd += l.nb;
        cnt->act_rd += l.nb;
        if (l.residual) {
            read_row(sp, l.res + (uint64_t)r * l.ldr, l.n, res);
            cnt->spad_rd += l.nb;
            cnt->act_rd += l.nb;
        }
        at_layernorm_row(x, l.residual ? res : NULL, (int)l.n, gamma, beta, &l.p, y);
        int pr = at_dynatran_row(y, (int)l.n, l.tau, NULL);
        cnt->pruned += pr > 0 ? (uint64_t)pr : 0;
        write_row(sp, l.dst + (uint64_t)r * l.ldd, l.nb, l.n, y);
        cnt->spad_wr += l.nb;
        cnt->act_wr += l.nb;
        cnt->ln_rows++;
    }
    return AT_DEVERR_NONE;
}

int at_exec_compute(const uint32_t d[AT_DESC_WORDS], at_spad *sp, at_exec_counts *cnt, uint32_t *detail)
{
    uint32_t dummy_detail;
    at_exec_counts dummy_cnt = {0};
    if (!detail)
        detail = &dummy_detail;
    if (!cnt)
        cnt = &dummy_cnt;
    *detail = 0;
    switch (AT_DGET(d, OPCODE)) {
    case AT_OP_GEMM:
        return exec_gemm(d, sp, cnt);
    case AT_OP_SOFTMAX:
        return exec_softmax(d, sp, cnt, detail);
    case AT_OP_LAYERNORM:
        return exec_layernorm(d, sp, cnt);
    default:
        return AT_DEVERR_NONE;
    }
}
