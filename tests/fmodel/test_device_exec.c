/* Tests of the command semantics of docs/isa.md on scratchpads
 * (cosim/fmodel/device_exec.c): every decode check with its detail word
 * and its order, the intervals of the dependency rule, the transfer
 * helpers, and GEMM / SOFTMAX / LAYERNORM against references written here
 * from dense matrices (int64 sums, at_requant, at_gelu, DynaTran), with
 * random shapes and layouts. Random cases use check_seed; every mismatch
 * prints the seed, the case and both values. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_hw.h"
#include "at_error.h"
#include "check.h"
#include "device_exec.h"
#include "numerics.h"
#include "rng.h"

static uint64_t g_seed;

static const at_hw_config *tiny(void)
{
    return at_hw_config_find("tiny");
}

static void desc_clear(uint32_t d[AT_DESC_WORDS], unsigned op)
{
    memset(d, 0, AT_DESC_WORDS * sizeof d[0]);
    AT_DPUT(d, OPCODE, op);
}

static int rint_in(int lo, int hi)
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static int16_t rand16(void)
{
    return (int16_t)(uint16_t)rng_next();
}

/* ------------------------------------------------------------ descriptors */

static void xfer_desc(uint32_t d[AT_DESC_WORDS], unsigned op, unsigned buf, uint32_t spad,
                      unsigned rows, unsigned cols, uint32_t row_step, uint32_t cb_step,
                      uint64_t mem, uint32_t stride)
{
    desc_clear(d, op);
    AT_DPUT(d, XFER_BUF, buf);
    AT_DPUT(d, XFER_SPAD, spad);
    AT_DPUT(d, XFER_ROWS, rows);
    AT_DPUT(d, XFER_COLS, cols);
    AT_DPUT(d, XFER_SPAD_ROW_STEP, row_step);
    AT_DPUT(d, XFER_SPAD_CB_STEP, cb_step);
    AT_DPUT(d, XFER_MEM_LO, (uint32_t)mem);
    AT_DPUT(d, XFER_MEM_HI, (uint32_t)(mem >> 32));
    AT_DPUT(d, XFER_MEM_STRIDE, stride);
}

typedef struct gemm_args {
    unsigned m, n, k;
    uint32_t a, lda, b, ldb, c, ldc, params;
    int trans_b, params_en, gelu, accum, a_mask;
    unsigned tau;
    at_rq rq;
    at_gelu_params gp;
} gemm_args;

static void gemm_desc(uint32_t d[AT_DESC_WORDS], const gemm_args *g)
{
    desc_clear(d, AT_OP_GEMM);
    AT_DPUT(d, GEMM_TRANS_B, g->trans_b);
    AT_DPUT(d, GEMM_PARAMS_EN, g->params_en);
    AT_DPUT(d, GEMM_GELU, g->gelu);
    AT_DPUT(d, GEMM_ACCUM, g->accum);
    AT_DPUT(d, GEMM_A_MASK, g->a_mask);
    AT_DPUT(d, GEMM_A, g->a);
    AT_DPUT(d, GEMM_LDA, g->lda);
    AT_DPUT(d, GEMM_B, g->b);
    AT_DPUT(d, GEMM_LDB, g->ldb);
    AT_DPUT(d, GEMM_C, g->c);
    AT_DPUT(d, GEMM_LDC, g->ldc);
    AT_DPUT(d, GEMM_M, g->m);
    AT_DPUT(d, GEMM_N, g->n);
    AT_DPUT(d, GEMM_K, g->k);
    AT_DPUT(d, GEMM_TAU, g->tau);
    AT_DPUT(d, GEMM_PARAMS, g->params);
    AT_DPUT(d, GEMM_RQ_M, g->rq.m);
    AT_DPUT(d, GEMM_RQ_S, g->rq.s);
    AT_DPUT(d, GEMM_GELU_IN_M, g->gp.in.m);
    AT_DPUT(d, GEMM_GELU_IN_S, g->gp.in.s);
    AT_DPUT(d, GEMM_GELU_OUT_M, g->gp.out.m);
    AT_DPUT(d, GEMM_GELU_OUT_S, g->gp.out.s);
}

/* A valid small GEMM on tiny: 20 x 24 x 36. */
static gemm_args gemm_ok(void)
{
    gemm_args g = {.m = 20, .n = 24, .k = 36, .a = 0, .lda = 3, .b = 0, .ldb = 36,
                   .c = 100, .ldc = 2, .params = 200, .rq = {40000, 20}};
    return g;
}

typedef struct smx_args {
    unsigned rows, n, len;
    uint32_t src, lds, dst, ldd, lens;
    int len_vec;
    at_rq in;
} smx_args;

static void smx_desc(uint32_t d[AT_DESC_WORDS], const smx_args *s)
{
    desc_clear(d, AT_OP_SOFTMAX);
    AT_DPUT(d, SMX_LEN_VEC, s->len_vec);
    AT_DPUT(d, SMX_SRC, s->src);
    AT_DPUT(d, SMX_LDS, s->lds);
    AT_DPUT(d, SMX_DST, s->dst);
    AT_DPUT(d, SMX_LDD, s->ldd);
    AT_DPUT(d, SMX_ROWS, s->rows);
    AT_DPUT(d, SMX_N, s->n);
    AT_DPUT(d, SMX_LEN, s->len);
    AT_DPUT(d, SMX_LENS, s->lens);
    AT_DPUT(d, SMX_IN_M, s->in.m);
    AT_DPUT(d, SMX_IN_S, s->in.s);
}

static smx_args smx_ok(void)
{
    smx_args s = {.rows = 4, .n = 40, .len = 33, .src = 0, .lds = 3, .dst = 20, .ldd = 3,
                  .lens = 50, .in = {47274, 18}};
    return s;
}

typedef struct ln_args {
    unsigned rows, n;
    uint32_t src, lds, dst, ldd, res, ldr, params;
    int residual;
    at_rq out;
    uint64_t eps;
} ln_args;

static void ln_desc(uint32_t d[AT_DESC_WORDS], const ln_args *l)
{
    desc_clear(d, AT_OP_LAYERNORM);
    AT_DPUT(d, LN_RESIDUAL, l->residual);
    AT_DPUT(d, LN_SRC, l->src);
    AT_DPUT(d, LN_LDS, l->lds);
    AT_DPUT(d, LN_DST, l->dst);
    AT_DPUT(d, LN_LDD, l->ldd);
    AT_DPUT(d, LN_RES, l->res);
    AT_DPUT(d, LN_LDR, l->ldr);
    AT_DPUT(d, LN_ROWS, l->rows);
    AT_DPUT(d, LN_N, l->n);
    AT_DPUT(d, LN_PARAMS, l->params);
    AT_DPUT(d, LN_OUT_M, l->out.m);
    AT_DPUT(d, LN_OUT_S, l->out.s);
    AT_DPUT(d, LN_EPS_LO, (uint32_t)l->eps);
    AT_DPUT(d, LN_EPS_HI, (uint32_t)(l->eps >> 32));
}

static ln_args ln_ok(void)
{
    ln_args l = {.rows = 3, .n = 40, .src = 0, .lds = 3, .dst = 10, .ldd = 3, .res = 20,
                 .ldr = 3, .params = 0, .residual = 1, .out = {32768, 15}, .eps = 1000};
    return l;
}

/* ------------------------------------------------------------ checks */

typedef struct spad_fix {
    at_spad sp;
    const at_hw_config *cfg;
} spad_fix;

static int fix_init(spad_fix *f, const char *config)
{
    f->cfg = at_hw_config_find(config);
    int rc = at_spad_init(&f->sp, f->cfg);
    CHECK(rc == 0, "at_spad_init(%s) = %d", config, rc);
    return rc;
}

#define EXPECT_CHECK(fix, d, want_code, want_detail, what)                                  \
    do {                                                                                    \
        uint32_t det_ = 0xdeadbeef;                                                         \
        int code_ = at_exec_check((d), &(fix)->sp, (fix)->cfg, &det_);                      \
        CHECK(code_ == (int)(want_code) && (code_ == AT_DEVERR_NONE || det_ == (uint32_t)(want_detail)), \
              "%s: got code %d (%s) detail %#x, want code %d (%s) detail %#x", what, code_, \
              at_deverr_name((unsigned)code_) ? at_deverr_name((unsigned)code_) : "?",      \
              det_, (int)(want_code), at_deverr_name(want_code), (unsigned)(want_detail));  \
    } while (0)

static void test_spad_init(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    CHECK(f.sp.act_lines == 2048 && f.sp.wgt_lines == 2048 && f.sp.mask_lines == 128,
          "tiny lines act %u wgt %u mask %u, want 2048 2048 128", f.sp.act_lines,
          f.sp.wgt_lines, f.sp.mask_lines);
    at_spad_free(&f.sp);
    if (fix_init(&f, "edge"))
        return;
    CHECK(f.sp.act_lines == 4096u * 32u && f.sp.wgt_lines == 8192u * 32u &&
              f.sp.mask_lines == 4096u * 2u,
          "edge lines act %u wgt %u mask %u", f.sp.act_lines, f.sp.wgt_lines, f.sp.mask_lines);
    at_spad_free(&f.sp);
    at_spad sp;
    CHECK(at_spad_init(&sp, NULL) == AT_EINVAL, "NULL config accepted");
    CHECK(at_spad_init(NULL, tiny()) == AT_EINVAL, "NULL spad accepted");
    at_spad_free(NULL);
}

static void test_check_common(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    for (unsigned op = 7; op < 256; op += 31) {
        desc_clear(d, op);
        d[5] = 0xffffffffu; /* the opcode check comes first */
        EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_OPCODE, op, "unknown opcode");
    }
    desc_clear(d, 0xff);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_OPCODE, 0xff, "opcode 0xff");
    desc_clear(d, AT_OP_NOP);
    AT_DPUT(d, TAG, 0xbeef);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "NOP with a tag");
    /* every reserved bit of every opcode, one at a time: the word is reported */
    for (unsigned op = 0; op <= AT_OP_FENCE; op++) {
        const uint32_t *used = at_desc_used(op);
        for (unsigned w = 0; w < AT_DESC_WORDS; w++)
            for (unsigned b = 0; b < 32; b++) {
                if (used[w] & (1u << b))
                    continue;
                desc_clear(d, op);
                d[w] |= 1u << b;
                uint32_t det = 0;
                int code = at_exec_check(d, &f.sp, f.cfg, &det);
                CHECK(code == AT_DEVERR_ILLEGAL_FIELD && det == w,
                      "op %u reserved word %u bit %u: code %d detail %u", op, w, b, code, det);
            }
    }
    /* lowest word wins, before any opcode check */
    desc_clear(d, AT_OP_GEMM);
    d[15] = 1;
    d[13] = 1u << 7;
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 13, "two reserved words");
    desc_clear(d, AT_OP_LOAD);
    AT_DPUT(d, XFER_BUF, 3);
    d[8] = 1;
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 8, "reserved before XFER_BUF");
    /* a GEMM flag bit not defined (flags bits 5..7) */
    desc_clear(d, AT_OP_GEMM);
    d[0] |= 1u << 13;
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 0, "GEMM flag 5");
    at_spad_free(&f.sp);
}

static void test_check_xfer(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    const uint64_t mem = 0x80001000ull;
    xfer_desc(d, AT_OP_LOAD, 0, 0, 4, 40, 3, 1, mem, 128);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "valid LOAD");
    AT_DPUT(d, XFER_BUF, 3);
    AT_DPUT(d, XFER_ROWS, 0);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 0, "XFER_BUF 3 before ROWS 0");
    xfer_desc(d, AT_OP_STORE, 0, 0, 4, 40, 3, 1, mem, 128);
    AT_DPUT(d, XFER_KEEP_MASK, 1);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 0, "KEEP_MASK on STORE");
    xfer_desc(d, AT_OP_LOAD, 1, 0, 4, 40, 3, 1, mem, 128);
    AT_DPUT(d, XFER_KEEP_MASK, 1);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 0, "KEEP_MASK to weights");
    xfer_desc(d, AT_OP_LOAD, 2, 0, 4, 40, 3, 1, mem, 128);
    AT_DPUT(d, XFER_KEEP_MASK, 1);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 0, "KEEP_MASK to mask");
    xfer_desc(d, AT_OP_LOAD, 0, 0, 4, 40, 3, 1, mem, 128);
    AT_DPUT(d, XFER_KEEP_MASK, 1);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "KEEP_MASK LOAD to act");
    xfer_desc(d, AT_OP_LOAD, 0, 0, 0, 40, 3, 1, mem + 1, 128);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 2, "ROWS 0 before MEM");
    xfer_desc(d, AT_OP_STORE, 0, 0, 4, 0, 3, 1, mem, 128);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 2, "COLS 0");
    xfer_desc(d, AT_OP_LOAD, 0, 0, 4, 40, 3, 1, mem + 16, 100);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "MEM misaligned before stride");
    xfer_desc(d, AT_OP_LOAD, 0, 0, 4, 40, 3, 1, mem + (1ull << 40), 100);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "stride not a multiple of 32");
    xfer_desc(d, AT_OP_LOAD, 0, 0, 4, 40, 3, 1, mem, 16);
    AT_DPUT(d, XFER_SPAD, 5000);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "stride before SPAD_RANGE");
    /* last line: SPAD + (ROWS-1)*ROW_STEP + (ncb-1)*CB_STEP, per buffer */
    const unsigned lines[3] = {2048, 2048, 128};
    for (unsigned buf = 0; buf < 3; buf++) {
        /* 5 rows of 40 columns (3 cb), row step 7, cb step 2: last = spad + 28 + 4 */
        uint32_t spad = lines[buf] - 33;
        xfer_desc(d, AT_OP_LOAD, buf, spad, 5, 40, 7, 2, mem, 0);
        EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last line = lines - 1");
        xfer_desc(d, AT_OP_STORE, buf, spad + 1, 5, 40, 7, 2, mem, 0);
        EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, buf, "last line = lines");
    }
    /* huge steps do not overflow */
    xfer_desc(d, AT_OP_LOAD, 0, 0xffffff, 65535, 65535, 0xffffff, 0xffffff, mem, 0);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "huge last line");
    /* the memory window is the device's check: a wrapping range passes here */
    xfer_desc(d, AT_OP_LOAD, 0, 0, 2, 16, 1, 1, 0xffffffffffffffe0ull, 64);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "wrapping memory range");
    at_spad_free(&f.sp);
}

static void test_check_gemm(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    gemm_args g = gemm_ok();
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "valid GEMM");
    g = gemm_ok(); g.m = 0; g.k = 0;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "M 0 before K 0");
    g = gemm_ok(); g.n = 0;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "N 0");
    g = gemm_ok(); g.k = 0; g.b = 1;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 8, "K 0 before B");
    g = gemm_ok(); g.b = 2; g.ldb = 3;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 3, "B % 4 before LDB");
    g = gemm_ok(); g.ldb = 38; g.params_en = 1; g.params = 1;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 4, "LDB % 4 before PARAMS");
    g = gemm_ok(); g.params = 3;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "PARAMS ignored without PARAMS_EN");
    g.params_en = 1; g.ldc = 1;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 9, "PARAMS % 4 before LDC");
    g = gemm_ok(); g.ldc = 1; g.a = 3000;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 6, "LDC < NT before SPAD_RANGE");
    g = gemm_ok(); g.m = 1; g.ldc = 0;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "M 1 ignores LDC");
    /* last A line = A + 19*3 + 2 = A + 59 */
    g = gemm_ok(); g.a = 2048 - 60; g.c = 0;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last A line 2047");
    g.a++;
    g.b = 2048;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last A line 2048 (act before wgt)");
    /* last C line = C + 19*2 + 1 = C + 39 */
    g = gemm_ok(); g.c = 2048 - 40;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last C line 2047");
    g.c++;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last C line 2048");
    /* last B line normal = B + (NT-1)*LDB + 4*ceil(K/4) - 1 = B + 36 + 35 */
    g = gemm_ok(); g.b = 2048 - 72;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last B line 2047");
    g.b += 4;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 1, "last B line past");
    /* K = 33: 4*ceil(33/4) = 36 lines per column tile */
    g = gemm_ok(); g.k = 33; g.b = 2048 - 72; g.lda = 3;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "K 33 rounds to 36 lines");
    /* transposed: B + (KC-1)*LDB + 4*ceil(N/4) - 1; K 36 -> KC 3, N 24 */
    g = gemm_ok(); g.trans_b = 1; g.ldb = 24; g.b = 2048 - 72;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "transposed last B line 2047");
    g.b += 4;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 1, "transposed last B line past");
    /* N = 21 transposed: 4*ceil(21/4) = 24 */
    g = gemm_ok(); g.trans_b = 1; g.n = 21; g.ldb = 24; g.b = 2048 - 72;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "transposed N 21");
    /* params: PARAMS + 4*NT - 1 */
    g = gemm_ok(); g.params_en = 1; g.params = 2048 - 8;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "params last line 2047");
    g.params += 4;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 1, "params past");
    g.params_en = 0;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "params past but not enabled");
    /* overlap of C with A: A [0, 59], C [59, ...] */
    g = gemm_ok(); g.c = 59;
    g.b = 2048;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 1, "SPAD_RANGE before overlap");
    g.b = 0;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "C overlaps A end");
    g.c = 60;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "C right after A");
    g.a = 100; g.c = 61; /* C [61, 100] touches A's first line */
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "C overlaps A start");
    g.c = 60;
    gemm_desc(d, &g);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "C right before A");
    at_spad_free(&f.sp);
}

static void test_check_softmax(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    smx_args s = smx_ok();
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "valid SOFTMAX");
    s = smx_ok(); s.rows = 0; s.len = 0;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "ROWS 0");
    s = smx_ok(); s.n = 0;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "N 0");
    s = smx_ok(); s.n = 513; s.len = 1;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "N > max_seq");
    s = smx_ok(); s.n = 512; s.len = 512; s.lds = 32; s.ldd = 32; s.dst = 200;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "N = max_seq");
    s = smx_ok(); s.len = 0; s.ldd = 1;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 6, "LEN 0 before LDD");
    s = smx_ok(); s.len = 41;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 6, "LEN > N");
    s = smx_ok(); s.len = 0; s.len_vec = 1;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "LEN ignored with LEN_VEC");
    s = smx_ok(); s.ldd = 2;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 4, "LDD < NB");
    s = smx_ok(); s.rows = 1; s.ldd = 0;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "ROWS 1 ignores LDD");
    /* last src = SRC + 3*3 + 2 = SRC + 11 */
    s = smx_ok(); s.src = 2048 - 12; s.dst = 0;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last src 2047");
    s.src++;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last src 2048");
    s = smx_ok(); s.dst = 2048 - 11;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last dst 2048");
    s = smx_ok(); s.len_vec = 1; s.rows = 17; s.lds = 3; s.ldd = 3; s.dst = 100; s.lens = 2046;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last lens line 2047");
    s.lens = 2047;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last lens line 2048");
    s.len_vec = 0;
    s.len = 1;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "LENS ignored without LEN_VEC");
    /* in place, disjoint, partial overlap */
    s = smx_ok(); s.dst = s.src;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "in place");
    s.ldd = 4; s.dst = 0;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 3, "same start, other stride");
    s = smx_ok(); s.dst = 11;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 3, "dst overlaps src end");
    s.dst = 12;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "dst right after src");
    /* lens vs dst [20, 31] */
    s = smx_ok(); s.len_vec = 1; s.lens = 31;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "lens overlap dst");
    s.lens = 5; /* inside the source: allowed */
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "lens inside the source");
    s.dst = 11; s.lens = 31;
    smx_desc(d, &s);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 3, "overlap (3) before lens (7)");
    at_spad_free(&f.sp);
}

static void test_check_layernorm(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    ln_args l = ln_ok();
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "valid LAYERNORM");
    l = ln_ok(); l.rows = 0; l.params = 1;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "ROWS 0");
    l = ln_ok(); l.n = 0;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "N 0");
    l = ln_ok(); l.n = 1025;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 7, "N > max_hidden");
    l = ln_ok(); l.n = 1024; l.lds = l.ldd = l.ldr = 64; l.dst = 200; l.res = 400;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "N = max_hidden");
    l = ln_ok(); l.params = 2; l.eps = (1ull << 61) + 1;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 8, "PARAMS % 4 before eps");
    l = ln_ok(); l.eps = (1ull << 61) + 1; l.ldd = 1;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 11, "eps > 2^61 before LDD");
    l = ln_ok(); l.eps = 1ull << 61;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "eps = 2^61");
    l = ln_ok(); l.ldd = 2;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 4, "LDD < NB");
    /* last lines: X + 2*3 + 2 = X + 8 */
    l = ln_ok(); l.src = 2048 - 8;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last src");
    l.src = 2048 - 9;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "last src 2047");
    l = ln_ok(); l.dst = 2048 - 8; l.params = 2048;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last dst (act before wgt)");
    l = ln_ok(); l.res = 2048 - 8;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 0, "last res");
    l.residual = 0;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "res ignored without RESIDUAL");
    /* params: PARAMS + 4*NB - 1 = PARAMS + 11 */
    l = ln_ok(); l.params = 2048 - 12;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "params last 2047");
    l.params += 4;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_SPAD_RANGE, 1, "params past");
    /* dst vs src, dst vs res */
    l = ln_ok(); l.dst = l.src;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "in place");
    l.dst = 1;
    l.res = 2;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 3, "dst overlaps src (before res)");
    l = ln_ok(); l.dst = l.res;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "dst = res");
    l.dst = l.res + 8;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 5, "dst overlaps res");
    l.residual = 0;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "res overlap ignored without RESIDUAL");
    l = ln_ok(); l.res = l.src;
    ln_desc(d, &l);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "res = src");
    at_spad_free(&f.sp);
}

static void test_check_fence(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    desc_clear(d, AT_OP_FENCE);
    AT_DPUT(d, FENCE_ADDR_LO, 2);
    AT_DPUT(d, FENCE_VALUE, 0xffffffffu);
    AT_DPUT(d, FENCE_IRQ, 1);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "misaligned address without WRITE");
    AT_DPUT(d, FENCE_WRITE, 1);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 2, "misaligned write address");
    AT_DPUT(d, FENCE_ADDR_LO, 4);
    AT_DPUT(d, FENCE_ADDR_HI, 0xffffffffu);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "aligned write");
    at_spad_free(&f.sp);
}

/* ------------------------------------------------------------ ranges */

static void test_ranges(void)
{
    uint32_t d[AT_DESC_WORDS];
    at_spad_range r[8];
    uint64_t lo = 0, hi = 0;
    int wraps = -1;
    desc_clear(d, AT_OP_NOP);
    CHECK(at_exec_ranges(d, r) == 0, "NOP ranges");
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 0, "NOP memory");
    xfer_desc(d, AT_OP_LOAD, 2, 10, 5, 40, 7, 2, 0x1000, 96);
    int n = at_exec_ranges(d, r);
    CHECK(n == 1 && r[0].buf == 2 && r[0].first == 10 && r[0].last == 10 + 28 + 4 && r[0].write == 1,
          "LOAD range n %d buf %d [%llu, %llu] w %d", n, r[0].buf,
          (unsigned long long)r[0].first, (unsigned long long)r[0].last, r[0].write);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && lo == 0x1000 &&
              hi == 0x1000 + 4 * 96 + 96 && wraps == 0,
          "LOAD memory [%#llx, %#llx) wraps %d", (unsigned long long)lo, (unsigned long long)hi, wraps);
    xfer_desc(d, AT_OP_STORE, 1, 10, 1, 1, 0, 0, 0xffffffffffffffe0ull, 0);
    n = at_exec_ranges(d, r);
    CHECK(n == 1 && r[0].buf == 1 && r[0].first == 10 && r[0].last == 10 && r[0].write == 0,
          "STORE range");
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && wraps == 1, "end at 2^64 counts as wrap");
    xfer_desc(d, AT_OP_STORE, 1, 10, 2, 1, 0, 0, 0xffffffffffffff80ull, 32);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && wraps == 0 && hi == 0xffffffffffffffc0ull,
          "just below 2^64: hi %#llx wraps %d", (unsigned long long)hi, wraps);
    xfer_desc(d, AT_OP_STORE, 1, 10, 3, 1, 0, 0, 0xffffffffffffffc0ull, 32);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && wraps == 1, "wrapping STORE");
    gemm_args g = gemm_ok();
    g.params_en = 1;
    g.trans_b = 1;
    g.ldb = 24;
    gemm_desc(d, &g);
    n = at_exec_ranges(d, r);
    int ok = n == 4;
    /* A [0, 59] r, B [0, 2*24 + 24 - 1] r, params [200, 207] r, C [100, 139] w */
    uint64_t want[4][4] = {{0, 0, 59, 0}, {1, 0, 71, 0}, {1, 200, 207, 0}, {0, 100, 139, 1}};
    for (int i = 0; ok && i < 4; i++)
        ok = (uint64_t)r[i].buf == want[i][0] && r[i].first == want[i][1] &&
             r[i].last == want[i][2] && (uint64_t)r[i].write == want[i][3];
    CHECK(ok, "GEMM ranges (n %d)", n);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 0, "GEMM has no memory range");
    smx_args s = smx_ok();
    s.len_vec = 1;
    s.rows = 17;
    smx_desc(d, &s);
    n = at_exec_ranges(d, r);
    CHECK(n == 3 && r[0].first == 0 && r[0].last == 16 * 3 + 2 && r[1].first == 50 && r[1].last == 51 &&
              r[2].first == 20 && r[2].last == 20 + 48 + 2 && r[2].write,
          "SOFTMAX ranges n %d", n);
    ln_args l = ln_ok();
    ln_desc(d, &l);
    n = at_exec_ranges(d, r);
    CHECK(n == 4 && r[0].first == 0 && r[0].last == 8 && r[1].first == 20 && r[1].last == 28 &&
              r[2].buf == 1 && r[2].first == 0 && r[2].last == 11 && r[3].first == 10 &&
              r[3].last == 18 && r[3].write,
          "LAYERNORM ranges n %d", n);
    desc_clear(d, AT_OP_FENCE);
    AT_DPUT(d, FENCE_ADDR_LO, 0x100);
    AT_DPUT(d, FENCE_ADDR_HI, 1);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 0, "FENCE without write");
    AT_DPUT(d, FENCE_WRITE, 1);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && lo == 0x100000100ull && hi == lo + 4 && !wraps,
          "FENCE write range");
}

static void test_xfer_helpers(void)
{
    uint32_t d[AT_DESC_WORDS];
    xfer_desc(d, AT_OP_LOAD, 0, 100, 5, 40, 7, 2, 0x80000000ull, 96);
    CHECK(at_exec_xfer_line(d, 3, 2) == 100 + 21 + 4, "xfer line %llu",
          (unsigned long long)at_exec_xfer_line(d, 3, 2));
    CHECK(at_exec_xfer_addr(d, 3, 2) == 0x80000000ull + 288 + 64, "xfer addr");
    CHECK(at_exec_xfer_valid(d, 0) == 16 && at_exec_xfer_valid(d, 1) == 16 &&
              at_exec_xfer_valid(d, 2) == 8 && at_exec_xfer_valid(d, 3) == 0,
          "xfer valid %d %d %d %d", at_exec_xfer_valid(d, 0), at_exec_xfer_valid(d, 1),
          at_exec_xfer_valid(d, 2), at_exec_xfer_valid(d, 3));
}

/* ------------------------------------------------------------ GEMM */

/* Dense operands of one GEMM case and where they go. */
typedef struct gemm_case {
    gemm_args g;
    int16_t *a, *b;      /* M x K, K x N */
    uint8_t *am;         /* M x K mask bits */
    int32_t bias[4096];
    uint16_t rqm[4096];
    uint16_t rqs[4096];  /* raw 16 bits: only 5:0 count */
} gemm_case;

static void gemm_place(const gemm_case *c, at_spad *sp)
{
    const gemm_args *g = &c->g;
    unsigned kc = (g->k + 15) / 16, nt = (g->n + 15) / 16;
    for (unsigned i = 0; i < g->m; i++)
        for (unsigned k = 0; k < kc * 16; k++) {
            uint32_t line = g->a + i * g->lda + k / 16;
            if (k < g->k) {
                sp->act[line][k % 16] = c->a[i * g->k + k];
                uint16_t bit = (uint16_t)(1u << (k % 16));
                sp->act_mask[line] = (uint16_t)((sp->act_mask[line] & ~bit) |
                                                (c->am[i * g->k + k] ? bit : 0));
            }
        }
    for (unsigned k = 0; k < g->k; k++)
        for (unsigned n = 0; n < g->n; n++) {
            int16_t v = c->b[k * g->n + n];
            if (g->trans_b)
                sp->wgt[g->b + (k / 16) * g->ldb + n][k % 16] = v;
            else
                sp->wgt[g->b + (n / 16) * g->ldb + k][n % 16] = v;
        }
    if (g->params_en)
        for (unsigned n = 0; n < nt * 16; n++) {
            uint32_t q = g->params + 4 * (n / 16);
            unsigned j = n % 16;
            uint32_t bv = (uint32_t)c->bias[n];
            sp->wgt[q + j / 8][2 * (j % 8)] = (int16_t)(uint16_t)bv;
            sp->wgt[q + j / 8][2 * (j % 8) + 1] = (int16_t)(uint16_t)(bv >> 16);
            sp->wgt[q + 2][j] = (int16_t)c->rqm[n];
            sp->wgt[q + 3][j] = (int16_t)c->rqs[n];
        }
}

/* Reference: output row i, column n, from the dense operands. */
static int16_t gemm_ref(const gemm_case *c, unsigned i, unsigned n, int16_t old, int *kept)
{
    const gemm_args *g = &c->g;
    int64_t acc = 0;
    for (unsigned k = 0; k < g->k; k++) {
        int64_t a = c->a[i * g->k + k];
        if (g->a_mask && !c->am[i * g->k + k])
            a = 0;
        acc += a * c->b[k * g->n + n];
    }
    at_rq rq = g->rq;
    int32_t bias = 0;
    if (g->params_en) {
        rq.m = c->rqm[n];
        rq.s = (uint8_t)(c->rqs[n] & 63);
        bias = c->bias[n];
    }
    int16_t y = at_requant(acc, bias, rq);
    if (g->gelu)
        y = at_gelu(y, &g->gp);
    int32_t ay = y < 0 ? -(int32_t)y : y;
    *kept = ay > (int32_t)g->tau;
    if (!*kept)
        y = 0;
    if (g->accum) {
        y = at_sat16((int64_t)old + y);
        *kept = y != 0;
    }
    return y;
}

static void spad_randomize(at_spad *sp)
{
    for (uint32_t l = 0; l < sp->act_lines; l++) {
        for (int j = 0; j < 16; j++)
            sp->act[l][j] = rand16();
        sp->act_mask[l] = (uint16_t)rng_next();
    }
    for (uint32_t l = 0; l < sp->wgt_lines; l++)
        for (int j = 0; j < 16; j++)
            sp->wgt[l][j] = rand16();
}

/* Runs one case on sp and compares every C line (and the lines between C
 * rows, which must be untouched) and the counters. Returns 1 when equal. */
static int gemm_run_compare(gemm_case *c, at_spad *sp, const at_hw_config *cfg, const char *what)
{
    const gemm_args *g = &c->g;
    unsigned nt = (g->n + 15) / 16, kc = (g->k + 15) / 16;
    gemm_place(c, sp);
    at_spad before;
    before.act_lines = sp->act_lines;
    before.act = malloc(sizeof *before.act * sp->act_lines);
    before.act_mask = malloc(sizeof *before.act_mask * sp->act_lines);
    memcpy(before.act, sp->act, sizeof *before.act * sp->act_lines);
    memcpy(before.act_mask, sp->act_mask, sizeof *before.act_mask * sp->act_lines);
    uint32_t d[AT_DESC_WORDS], det = 0;
    gemm_desc(d, g);
    int code = at_exec_check(d, sp, cfg, &det);
    CHECK(code == AT_DEVERR_NONE, "%s: check code %d detail %u", what, code, det);
    at_exec_counts cnt = {0};
    code = at_exec_compute(d, sp, &cnt, &det);
    CHECK(code == AT_DEVERR_NONE, "%s: compute code %d", what, code);
    int ok = 1;
    uint64_t nnz = 0, pruned = 0;
    for (unsigned i = 0; i < g->m; i++)
        for (unsigned k = 0; k < g->k; k++)
            nnz += c->a[i * g->k + k] != 0 && (!g->a_mask || c->am[i * g->k + k]);
    for (unsigned i = 0; i < g->m && ok; i++)
        for (unsigned n = 0; n < nt * 16 && ok; n++) {
            uint32_t line = g->c + i * g->ldc + n / 16;
            int16_t got = sp->act[line][n % 16];
            int gotm = (sp->act_mask[line] >> (n % 16)) & 1;
            int16_t want = 0;
            int wantm = 0;
            if (n < g->n) {
                want = gemm_ref(c, i, n, before.act[line][n % 16], &wantm);
                gemm_args plain = *g;
                plain.accum = 0;
                gemm_case pc = *c;
                pc.g = plain;
                int kept;
                (void)gemm_ref(&pc, i, n, 0, &kept);
                pruned += !kept;
            }
            if (got != want || gotm != wantm) {
                CHECK(0, "%s (seed %#llx): C(%u, %u) line %u = %d mask %d, want %d mask %d", what,
                      (unsigned long long)g_seed, i, n, line, got, gotm, want, wantm);
                ok = 0;
            }
        }
    /* lines between C rows untouched */
    for (unsigned i = 0; i + 1 < g->m && ok; i++)
        for (uint32_t l = g->c + i * g->ldc + nt; l < g->c + (i + 1) * g->ldc; l++)
            if (memcmp(sp->act[l], before.act[l], 32) || sp->act_mask[l] != before.act_mask[l]) {
                CHECK(0, "%s: line %u between C rows changed", what, l);
                ok = 0;
                break;
            }
    CHECK(cnt.mac_issued == 16ull * nt * nnz, "%s: mac_issued %llu, want %llu", what,
          (unsigned long long)cnt.mac_issued, 16ull * nt * nnz);
    CHECK(cnt.mac_skipped == 16ull * nt * ((uint64_t)g->m * g->k - nnz),
          "%s: mac_skipped %llu, want %llu", what, (unsigned long long)cnt.mac_skipped,
          16ull * nt * ((uint64_t)g->m * g->k - nnz));
    if (ok)
        CHECK(cnt.pruned == pruned, "%s: pruned %llu, want %llu", what,
              (unsigned long long)cnt.pruned, (unsigned long long)pruned);
    uint64_t rd = (uint64_t)g->m * kc + (g->trans_b ? kc * 4ull * ((g->n + 3) / 4) : nt * 4ull * ((g->k + 3) / 4)) +
                  (g->params_en ? 4ull * nt : 0) + (g->accum ? (uint64_t)g->m * nt : 0);
    CHECK(cnt.spad_rd == rd && cnt.spad_wr == (uint64_t)g->m * nt,
          "%s: spad rd %llu wr %llu, want %llu %llu", what, (unsigned long long)cnt.spad_rd,
          (unsigned long long)cnt.spad_wr, (unsigned long long)rd, (unsigned long long)g->m * nt);
    free(before.act);
    free(before.act_mask);
    return ok;
}

static void gemm_case_alloc(gemm_case *c)
{
    c->a = malloc(sizeof *c->a * c->g.m * c->g.k);
    c->am = malloc(c->g.m * c->g.k);
    c->b = malloc(sizeof *c->b * c->g.k * c->g.n);
}

static void gemm_case_free(gemm_case *c)
{
    free(c->a);
    free(c->am);
    free(c->b);
}

/* Random operands: A with the given density of zeros, B and params random. */
static void gemm_case_fill(gemm_case *c, double zero_frac, int small)
{
    const gemm_args *g = &c->g;
    for (unsigned i = 0; i < g->m * g->k; i++) {
        c->a[i] = urand() < zero_frac ? 0 : (small ? (int16_t)rint_in(-300, 300) : rand16());
        c->am[i] = urand() < 0.8;
    }
    for (unsigned i = 0; i < g->k * g->n; i++)
        c->b[i] = small ? (int16_t)rint_in(-300, 300) : rand16();
    for (unsigned n = 0; n < 4096; n++) {
        c->bias[n] = (int32_t)(uint32_t)rng_next();
        c->rqm[n] = (uint16_t)rint_in(32768, 65535);
        c->rqs[n] = (uint16_t)((rng_next() & 0xffc0u) | (uint16_t)rint_in(12, 40));
    }
}

static void test_gemm_fixed(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    rng_state = g_seed ^ 1;
    static const struct {
        const char *what;
        int trans_b, params_en, gelu, accum, a_mask;
        unsigned tau;
    } v[] = {
        {"plain", 0, 0, 0, 0, 0, 0},     {"trans_b", 1, 0, 0, 0, 0, 0},
        {"params", 0, 1, 0, 0, 0, 0},    {"gelu", 0, 1, 1, 0, 0, 0},
        {"tau", 0, 0, 0, 0, 0, 200},     {"accum", 0, 0, 0, 1, 0, 50},
        {"a_mask", 0, 0, 0, 0, 1, 0},    {"all", 1, 1, 1, 1, 1, 300},
    };
    for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
        spad_randomize(&f.sp);
        gemm_case c;
        memset(&c, 0, sizeof c);
        c.g = gemm_ok();
        c.g.m = 21; c.g.n = 37; c.g.k = 45; c.g.lda = 3; c.g.ldc = 4; c.g.c = 100;
        c.g.ldb = 48; c.g.b = 8; c.g.params = 400;
        if (v[t].trans_b)
            c.g.ldb = 40; /* >= 4*ceil(N/4) = 40 */
        c.g.trans_b = v[t].trans_b;
        c.g.params_en = v[t].params_en;
        c.g.gelu = v[t].gelu;
        c.g.accum = v[t].accum;
        c.g.a_mask = v[t].a_mask;
        c.g.tau = v[t].tau;
        c.g.rq = (at_rq){45000, 14};
        at_gelu_params_make(1.0 / 256, 1.0 / 256, &c.g.gp);
        gemm_case_alloc(&c);
        gemm_case_fill(&c, 0.3, 1);
        gemm_run_compare(&c, &f.sp, f.cfg, v[t].what);
        gemm_case_free(&c);
    }
    at_spad_free(&f.sp);
}

/* Hand-computed case: 1 x 1 x 1, and a saturating ACCUM. */
static void test_gemm_tiny_values(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    gemm_args g = {.m = 1, .n = 1, .k = 1, .a = 0, .b = 0, .c = 10, .rq = {1, 0}};
    f.sp.act[0][0] = 300;
    f.sp.act[0][1] = 7; /* padding of A: ignored */
    f.sp.wgt[0][0] = -100;
    f.sp.wgt[0][1] = 9; /* column 1 >= N: ignored */
    f.sp.wgt[1][0] = 9; /* k = 1 >= K: ignored */
    for (int j = 0; j < 16; j++)
        f.sp.act[10][j] = 1234;
    f.sp.act_mask[10] = 0xffff;
    gemm_desc(d, &g);
    at_exec_counts cnt = {0};
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == -30000 && f.sp.act[10][1] == 0 && f.sp.act[10][15] == 0 &&
              f.sp.act_mask[10] == 1,
          "1x1x1: %d %d mask %#x", f.sp.act[10][0], f.sp.act[10][1], f.sp.act_mask[10]);
    CHECK(cnt.mac_issued == 16 && cnt.mac_skipped == 0 && cnt.pruned == 0, "1x1x1 counters");
    g.accum = 1;
    gemm_desc(d, &g);
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == -32768 && f.sp.act_mask[10] == 1, "accum saturates: %d", f.sp.act[10][0]);
    /* ACCUM to exactly zero clears the mask bit */
    f.sp.act[10][0] = 30000;
    gemm_desc(d, &g);
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == 0 && f.sp.act_mask[10] == 0, "accum to 0: %d mask %#x",
          f.sp.act[10][0], f.sp.act_mask[10]);
    /* A_MASK: the masked activation is skipped */
    g.accum = 0;
    g.a_mask = 1;
    f.sp.act_mask[0] = 0;
    gemm_desc(d, &g);
    memset(&cnt, 0, sizeof cnt);
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == 0 && f.sp.act_mask[10] == 0 && cnt.mac_issued == 0 &&
              cnt.mac_skipped == 16 && cnt.pruned == 1,
          "a_mask: %d mask %#x issued %llu skipped %llu pruned %llu", f.sp.act[10][0],
          f.sp.act_mask[10], (unsigned long long)cnt.mac_issued,
          (unsigned long long)cnt.mac_skipped, (unsigned long long)cnt.pruned);
    at_spad_free(&f.sp);
}

static void test_gemm_random(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    rng_state = g_seed ^ 2;
    for (int it = 0; it < 150; it++) {
        gemm_case c;
        memset(&c, 0, sizeof c);
        gemm_args *g = &c.g;
        g->m = (unsigned)rint_in(1, 40);
        g->n = (unsigned)rint_in(1, 70);
        g->k = (unsigned)rint_in(1, 90);
        unsigned kc = (g->k + 15) / 16, nt = (g->n + 15) / 16;
        g->trans_b = rint_in(0, 1);
        g->params_en = rint_in(0, 1);
        g->gelu = rint_in(0, 3) == 0;
        g->accum = rint_in(0, 3) == 0;
        g->a_mask = rint_in(0, 2) == 0;
        g->tau = rint_in(0, 1) ? 0 : (unsigned)rint_in(0, 2000);
        g->lda = kc + (unsigned)rint_in(0, 2);
        g->ldc = nt + (unsigned)rint_in(0, 2);
        g->a = (uint32_t)rint_in(0, 300);
        g->c = g->a + (g->m - 1) * g->lda + kc + (uint32_t)rint_in(0, 20);
        if (rint_in(0, 1)) { /* C below A */
            g->c = (uint32_t)rint_in(0, 100);
            g->a = g->c + (g->m - 1) * g->ldc + nt + (uint32_t)rint_in(0, 20);
        }
        unsigned span = g->trans_b ? 4 * ((g->n + 3) / 4) : 4 * ((g->k + 3) / 4);
        g->ldb = span + 4u * (unsigned)rint_in(0, 2);
        g->b = 4u * (unsigned)rint_in(0, 50);
        unsigned blines = (g->trans_b ? kc : nt) * g->ldb;
        g->params = g->b + blines + 4u * (unsigned)rint_in(0, 8);
        g->rq = (at_rq){(uint16_t)rint_in(32768, 65535), (uint8_t)rint_in(8, 40)};
        at_gelu_params_make(1.0 / rint_in(16, 1024), 1.0 / rint_in(16, 1024), &g->gp);
        gemm_case_alloc(&c);
        gemm_case_fill(&c, urand(), rint_in(0, 1));
        spad_randomize(&f.sp);
        char what[200];
        snprintf(what, sizeof what,
                 "random %d: M %u N %u K %u trans %d params %d gelu %d accum %d amask %d tau %u", it,
                 g->m, g->n, g->k, g->trans_b, g->params_en, g->gelu, g->accum, g->a_mask, g->tau);
        int ok = gemm_run_compare(&c, &f.sp, f.cfg, what);
        gemm_case_free(&c);
        if (!ok)
            break;
    }
    at_spad_free(&f.sp);
}

/* ------------------------------------------------------------ SOFTMAX */

static void test_softmax(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    rng_state = g_seed ^ 3;
    for (int it = 0; it < 60; it++) {
        spad_randomize(&f.sp);
        smx_args s = {0};
        s.rows = (unsigned)rint_in(1, 40);
        s.n = (unsigned)rint_in(1, 130);
        unsigned nb = (s.n + 15) / 16;
        s.lds = nb + (unsigned)rint_in(0, 2);
        s.src = (uint32_t)rint_in(0, 100);
        int inplace = rint_in(0, 2) == 0;
        s.ldd = inplace ? s.lds : nb + (unsigned)rint_in(0, 2);
        s.dst = inplace ? s.src : s.src + (s.rows - 1) * s.lds + nb + (uint32_t)rint_in(0, 10);
        s.len_vec = rint_in(0, 1);
        s.len = (unsigned)rint_in(1, (int)s.n);
        s.lens = s.dst + (s.rows - 1) * s.ldd + nb + (uint32_t)rint_in(0, 4);
        at_softmax_params p;
        at_softmax_params_make(1.0 / rint_in(8, 512), &p);
        s.in = p.in;
        int bad = s.len_vec && rint_in(0, 2) == 0 ? rint_in(0, (int)s.rows - 1) : -1;
        unsigned lens[64];
        for (unsigned r = 0; r < s.rows; r++) {
            lens[r] = s.len_vec ? (unsigned)rint_in(1, (int)s.n) : s.len;
            if ((int)r == bad)
                lens[r] = rint_in(0, 1) ? 0 : s.n + (unsigned)rint_in(1, 100);
            if (s.len_vec)
                f.sp.act[s.lens + r / 16][r % 16] = (int16_t)(uint16_t)lens[r];
        }
        /* dense source rows and the destination before */
        int16_t x[40][512];
        for (unsigned r = 0; r < s.rows; r++)
            for (unsigned e = 0; e < s.n; e++)
                x[r][e] = f.sp.act[s.src + r * s.lds + e / 16][e % 16];
        at_spad before = f.sp;
        before.act = malloc(sizeof *before.act * f.sp.act_lines);
        before.act_mask = malloc(sizeof *before.act_mask * f.sp.act_lines);
        memcpy(before.act, f.sp.act, sizeof *before.act * f.sp.act_lines);
        memcpy(before.act_mask, f.sp.act_mask, sizeof *before.act_mask * f.sp.act_lines);
        uint32_t d[AT_DESC_WORDS], det = 0;
        smx_desc(d, &s);
        int code = at_exec_check(d, &f.sp, f.cfg, &det);
        CHECK(code == 0, "softmax %d: check %d detail %#x", it, code, det);
        at_exec_counts cnt = {0};
        code = at_exec_compute(d, &f.sp, &cnt, &det);
        if (bad >= 0)
            CHECK(code == AT_DEVERR_ILLEGAL_FIELD && det == 0x10000u + (unsigned)bad,
                  "softmax %d (seed %#llx): bad row %d len %u: code %d detail %#x", it,
                  (unsigned long long)g_seed, bad, lens[bad], code, det);
        else
            CHECK(code == 0, "softmax %d: compute %d", it, code);
        unsigned done = bad >= 0 ? (unsigned)bad : s.rows;
        uint64_t want_rd = 0;
        int ok = 1;
        for (unsigned r = 0; r < s.rows && ok; r++) {
            int16_t y[512];
            if (r < done) {
                at_softmax_row(x[r], (int)s.n, (int)lens[r], &p, y);
                want_rd += (lens[r] + 15) / 16;
            }
            for (unsigned e = 0; e < nb * 16 && ok; e++) {
                uint32_t line = s.dst + r * s.ldd + e / 16;
                int16_t got = f.sp.act[line][e % 16];
                int gotm = (f.sp.act_mask[line] >> (e % 16)) & 1;
                int16_t want = r < done ? (e < s.n ? y[e] : 0) : before.act[line][e % 16];
                int wantm = r < done ? want != 0 : (before.act_mask[line] >> (e % 16)) & 1;
                if (got != want || gotm != wantm) {
                    CHECK(0, "softmax %d (seed %#llx) rows %u N %u len %u: row %u elem %u = %d/%d, want %d/%d",
                          it, (unsigned long long)g_seed, s.rows, s.n, lens[r], r, e, got, gotm,
                          want, wantm);
                    ok = 0;
                }
            }
        }
        if (s.len_vec)
            want_rd += (done + (bad >= 0 ? 1 : 0) + 15) / 16;
        CHECK(!ok || (cnt.spad_rd == want_rd && cnt.spad_wr == (uint64_t)done * nb),
              "softmax %d: spad rd %llu wr %llu, want %llu %llu", it,
              (unsigned long long)cnt.spad_rd, (unsigned long long)cnt.spad_wr,
              (unsigned long long)want_rd, (unsigned long long)done * nb);
        free(before.act);
        free(before.act_mask);
        if (!ok)
            break;
    }
    at_spad_free(&f.sp);
}

/* Only the first ceil(len/16) source lines are read: garbage past them
 * (even huge values) does not change the row. */
static void test_softmax_reads_len_only(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    smx_args s = smx_ok();
    s.rows = 1; s.n = 64; s.len = 17; s.lds = 4; s.ldd = 4;
    for (int e = 0; e < 64; e++)
        f.sp.act[e / 16][e % 16] = (int16_t)(e < 17 ? e * 10 : 32767);
    uint32_t d[AT_DESC_WORDS];
    smx_desc(d, &s);
    at_exec_counts cnt = {0};
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    int16_t x[64] = {0}, y[64];
    for (int e = 0; e < 17; e++)
        x[e] = (int16_t)(e * 10);
    at_softmax_params p = {s.in};
    at_softmax_row(x, 64, 17, &p, y);
    int ok = 1;
    for (int e = 0; e < 64; e++)
        ok &= f.sp.act[20 + e / 16][e % 16] == y[e];
    CHECK(ok, "softmax with len 17 of 64");
    CHECK(cnt.spad_rd == 2 && cnt.spad_wr == 4, "counts rd %llu wr %llu",
          (unsigned long long)cnt.spad_rd, (unsigned long long)cnt.spad_wr);
    at_spad_free(&f.sp);
}

/* ------------------------------------------------------------ LAYERNORM */

static void test_layernorm(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    rng_state = g_seed ^ 4;
    for (int it = 0; it < 40; it++) {
        spad_randomize(&f.sp);
        ln_args l = {0};
        l.rows = (unsigned)rint_in(1, 12);
        l.n = (unsigned)rint_in(1, 300);
        unsigned nb = (l.n + 15) / 16;
        l.residual = rint_in(0, 1);
        l.lds = nb + (unsigned)rint_in(0, 2);
        l.ldr = nb + (unsigned)rint_in(0, 2);
        l.src = (uint32_t)rint_in(0, 50);
        l.res = l.src + (l.rows - 1) * l.lds + nb + (uint32_t)rint_in(0, 5);
        int mode = rint_in(0, 2); /* 0 separate, 1 in place on src, 2 in place on res */
        l.ldd = mode == 1 ? l.lds : mode == 2 ? l.ldr : nb + (unsigned)rint_in(0, 2);
        l.dst = mode == 1 ? l.src : mode == 2 ? l.res : l.res + (l.rows - 1) * l.ldr + nb + 3;
        if (mode == 2 && !l.residual)
            l.residual = 1;
        l.params = 4u * (unsigned)rint_in(0, 100);
        l.out = (at_rq){(uint16_t)rint_in(32768, 65535), (uint8_t)rint_in(14, 20)};
        l.eps = rng_next() % (1ull << 40);
        static int16_t x[12][1024], rs[12][1024], gamma[1024];
        static int32_t beta[1024];
        for (unsigned r = 0; r < l.rows; r++)
            for (unsigned e = 0; e < l.n; e++) {
                /* moderate values: keep the reference's widths valid */
                x[r][e] = (int16_t)rint_in(-20000, 20000);
                rs[r][e] = (int16_t)rint_in(-12000, 12000);
                f.sp.act[l.src + r * l.lds + e / 16][e % 16] = x[r][e];
                if (l.residual)
                    f.sp.act[l.res + r * l.ldr + e / 16][e % 16] = rs[r][e];
            }
        for (unsigned e = 0; e < l.n; e++) {
            gamma[e] = rand16();
            beta[e] = (int32_t)rint_in(-100000, 100000);
            uint32_t q = l.params + 4 * (e / 16), j = e % 16;
            f.sp.wgt[q][j] = gamma[e];
            f.sp.wgt[q + 1 + j / 8][2 * (j % 8)] = (int16_t)(uint16_t)(uint32_t)beta[e];
            f.sp.wgt[q + 1 + j / 8][2 * (j % 8) + 1] = (int16_t)(uint16_t)((uint32_t)beta[e] >> 16);
        }
        uint32_t d[AT_DESC_WORDS], det = 0;
        ln_desc(d, &l);
        int code = at_exec_check(d, &f.sp, f.cfg, &det);
        CHECK(code == 0, "layernorm %d: check %d detail %#x", it, code, det);
        at_exec_counts cnt = {0};
        code = at_exec_compute(d, &f.sp, &cnt, &det);
        CHECK(code == 0, "layernorm %d: compute %d", it, code);
        at_layernorm_params p = {.eps_q = (int64_t)l.eps, .out = l.out};
        int ok = 1;
        for (unsigned r = 0; r < l.rows && ok; r++) {
            int16_t y[1024];
            at_layernorm_row(x[r], l.residual ? rs[r] : NULL, (int)l.n, gamma, beta, &p, y);
            for (unsigned e = 0; e < nb * 16 && ok; e++) {
                uint32_t line = l.dst + r * l.ldd + e / 16;
                int16_t want = e < l.n ? y[e] : 0;
                int16_t got = f.sp.act[line][e % 16];
                int gotm = (f.sp.act_mask[line] >> (e % 16)) & 1;
                if (got != want || gotm != (want != 0)) {
                    CHECK(0, "layernorm %d (seed %#llx) rows %u N %u res %d mode %d: row %u elem %u = %d/%d, want %d",
                          it, (unsigned long long)g_seed, l.rows, l.n, l.residual, mode, r, e, got,
                          gotm, want);
                    ok = 0;
                }
            }
        }
        uint64_t rd = 4ull * nb + (uint64_t)l.rows * nb * (l.residual ? 2 : 1);
        CHECK(cnt.spad_rd == rd && cnt.spad_wr == (uint64_t)l.rows * nb,
              "layernorm %d: rd %llu wr %llu", it, (unsigned long long)cnt.spad_rd,
              (unsigned long long)cnt.spad_wr);
        if (!ok)
            break;
    }
    at_spad_free(&f.sp);
}

static void test_compute_other(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS], det = 7;
    at_exec_counts cnt = {0};
    desc_clear(d, AT_OP_NOP);
    CHECK(at_exec_compute(d, &f.sp, &cnt, &det) == 0 && det == 0, "NOP compute");
    CHECK(cnt.spad_rd == 0 && cnt.mac_issued == 0, "NOP counts");
    at_spad_free(&f.sp);
}

int main(void)
{
    g_seed = check_seed("test_device_exec", UINT64_C(0xDE71CE0E));
    RUN_CASE(test_spad_init);
    RUN_CASE(test_check_common);
    RUN_CASE(test_check_xfer);
    RUN_CASE(test_check_gemm);
    RUN_CASE(test_check_softmax);
    RUN_CASE(test_check_layernorm);
    RUN_CASE(test_check_fence);
    RUN_CASE(test_ranges);
    RUN_CASE(test_xfer_helpers);
    RUN_CASE(test_gemm_tiny_values);
    RUN_CASE(test_gemm_fixed);
    RUN_CASE(test_gemm_random);
    RUN_CASE(test_softmax);
    RUN_CASE(test_softmax_reads_len_only);
    RUN_CASE(test_layernorm);
    RUN_CASE(test_compute_other);
    return check_finish("test_device_exec");
}
