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
#include "desc_build.h"
#include "device_exec.h"
#include "numerics.h"
#include "rng.h"

static uint64_t g_seed;

static const at_hw_config *tiny(void)
{
    return at_hw_config_find("tiny");
}

static int rint_in(int lo, int hi)
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static int16_t rand16(void)
{
    return (int16_t)(uint16_t)rng_next();
}

/* ------------------------------------------------------------ valid descriptors */

/* A valid small GEMM on tiny: 20 x 24 x 36. */
static gemm_args gemm_ok(void)
{
    gemm_args g = {.m = 20, .n = 24, .k = 36, .a = 0, .lda = 3, .b = 0, .ldb = 36,
                   .c = 100, .ldc = 2, .params = 200, .rq = {40000, 20}};
    return g;
}

static smx_args smx_ok(void)
{
    smx_args s = {.rows = 4, .n = 40, .len = 33, .src = 0, .lds = 3, .dst = 20, .ldd = 3,
                  .lens = 50, .in = {47274, 18}};
    return s;
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
        desc_clear(d, op, 0);
        d[5] = 0xffffffffu; /* the opcode check comes first */
        EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_OPCODE, op, "unknown opcode");
    }
    desc_clear(d, 0xff, 0);
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_OPCODE, 0xff, "opcode 0xff");
    desc_clear(d, AT_OP_NOP, 0);
    AT_DPUT(d, TAG, 0xbeef);
    EXPECT_CHECK(&f, d, AT_DEVERR_NONE, 0, "NOP with a tag");
    /* every reserved bit of every opcode, one at a time: the word is reported */
    for (unsigned op = 0; op <= AT_OP_FENCE; op++) {
        const uint32_t *used = at_desc_used(op);
        for (unsigned w = 0; w < AT_DESC_WORDS; w++)
            for (unsigned b = 0; b < 32; b++) {
                if (used[w] & (1u << b))
                    continue;
                desc_clear(d, op, 0);
                d[w] |= 1u << b;
                uint32_t det = 0;
                int code = at_exec_check(d, &f.sp, f.cfg, &det);
                CHECK(code == AT_DEVERR_ILLEGAL_FIELD && det == w,
                      "op %u reserved word %u bit %u: code %d detail %u", op, w, b, code, det);
            }
    }
    /* lowest word wins, before any opcode check */
    desc_clear(d, AT_OP_GEMM, 0);
    d[15] = 1;
    d[13] = 1u << 7;
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 13, "two reserved words");
    desc_clear(d, AT_OP_LOAD, 0);
    AT_DPUT(d, XFER_BUF, 3);
    d[8] = 1;
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 8, "reserved before XFER_BUF");
    /* a GEMM flag bit not defined (flags bits 6..7) */
    desc_clear(d, AT_OP_GEMM, 0);
    d[0] |= 1u << 14;
    EXPECT_CHECK(&f, d, AT_DEVERR_ILLEGAL_FIELD, 0, "GEMM flag 6");
    at_spad_free(&f.sp);
}

/* The decode checks of one opcode as a table: each case is the opcode's
 * valid descriptor with a few fields set, and the code and DETAIL that
 * docs/isa.md gives for it. Fields are set on the descriptor, not on the
 * builder's arguments, so that a case names the fields it changes. */
typedef struct field_set {
    uint32_t word, mask, lsb, value; /* mask 0: unused entry */
} field_set;

#define SET(F, x) {AT_DESC_##F##_WORD, AT_DESC_##F##_MASK, AT_DESC_##F##_LSB, (uint32_t)(x)}

typedef struct check_case {
    const char *what;
    field_set set[8];
    int code;
    uint32_t detail;
} check_case;

#define PASSES AT_DEVERR_NONE, 0
#define BAD_FIELD(word) AT_DEVERR_ILLEGAL_FIELD, (word)
#define BAD_RANGE(buf) AT_DEVERR_SPAD_RANGE, (buf)

static void field_put(uint32_t d[AT_DESC_WORDS], const field_set *s)
{
    d[s->word] = (d[s->word] & ~s->mask) | ((s->value << s->lsb) & s->mask);
}

/* Every case on the scratchpads of tiny (2048 activation and weight lines, 128 mask lines). */
static void run_check_cases(const uint32_t valid[AT_DESC_WORDS], const check_case *cases, size_t n)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    for (size_t i = 0; i < n; i++) {
        uint32_t d[AT_DESC_WORDS];
        memcpy(d, valid, sizeof d);
        for (size_t k = 0; k < sizeof cases[i].set / sizeof cases[i].set[0] && cases[i].set[k].mask; k++)
            field_put(d, &cases[i].set[k]);
        EXPECT_CHECK(&f, d, cases[i].code, cases[i].detail, cases[i].what);
    }
    at_spad_free(&f.sp);
}

#define RUN_CHECK_CASES(valid, cases) run_check_cases((valid), (cases), sizeof(cases) / sizeof(cases)[0])

/* Valid: LOAD of 4 x 40 to activation line 0 (row step 3) from 0x80001000, stride 128. */
static const check_case xfer_cases[] = {
    {"valid LOAD", {{0}}, PASSES},
    {"XFER_BUF 3 before ROWS 0", {SET(XFER_BUF, 3), SET(XFER_ROWS, 0)}, BAD_FIELD(0)},
    {"KEEP_MASK on STORE", {SET(OPCODE, AT_OP_STORE), SET(XFER_KEEP_MASK, 1)}, BAD_FIELD(0)},
    {"KEEP_MASK to weights", {SET(XFER_BUF, 1), SET(XFER_KEEP_MASK, 1)}, BAD_FIELD(0)},
    {"KEEP_MASK to mask", {SET(XFER_BUF, 2), SET(XFER_KEEP_MASK, 1)}, BAD_FIELD(0)},
    {"KEEP_MASK LOAD to act", {SET(XFER_KEEP_MASK, 1)}, PASSES},
    {"ROWS 0 before MEM", {SET(XFER_ROWS, 0), SET(XFER_MEM_LO, 0x80001001u)}, BAD_FIELD(2)},
    {"COLS 0", {SET(OPCODE, AT_OP_STORE), SET(XFER_COLS, 0)}, BAD_FIELD(2)},
    {"MEM misaligned before stride", {SET(XFER_MEM_LO, 0x80001010u), SET(XFER_MEM_STRIDE, 100)},
     BAD_FIELD(5)},
    {"stride not a multiple of 32", {SET(XFER_MEM_HI, 0x100), SET(XFER_MEM_STRIDE, 100)}, BAD_FIELD(7)},
    {"stride before SPAD_RANGE", {SET(XFER_MEM_STRIDE, 16), SET(XFER_SPAD, 5000)}, BAD_FIELD(7)},
    /* huge steps do not overflow */
    {"huge last line",
     {SET(XFER_SPAD, 0xffffff), SET(XFER_ROWS, 65535), SET(XFER_COLS, 65535),
      SET(XFER_SPAD_ROW_STEP, 0xffffff), SET(XFER_SPAD_CB_STEP, 0xffffff), SET(XFER_MEM_STRIDE, 0)},
     BAD_RANGE(0)},
    /* the memory window is the device's check: a wrapping range passes here */
    {"wrapping memory range",
     {SET(XFER_ROWS, 2), SET(XFER_COLS, 16), SET(XFER_SPAD_ROW_STEP, 1), SET(XFER_MEM_LO, 0xffffffe0u),
      SET(XFER_MEM_HI, 0xffffffffu), SET(XFER_MEM_STRIDE, 64)},
     PASSES},
    /* last line: SPAD + (ROWS-1)*ROW_STEP + (ncb-1)*CB_STEP, per buffer; 5 rows
     * of 40 columns (3 cb), row step 7, cb step 2: last = SPAD + 28 + 4 */
#define LAST_LINE_AT(buf, last)                                                                     \
    SET(XFER_BUF, buf), SET(XFER_SPAD, (last) - 32), SET(XFER_ROWS, 5), SET(XFER_SPAD_ROW_STEP, 7), \
        SET(XFER_SPAD_CB_STEP, 2), SET(XFER_MEM_STRIDE, 0)
    {"activation last line 2047", {LAST_LINE_AT(0, 2047)}, PASSES},
    {"activation last line 2048", {SET(OPCODE, AT_OP_STORE), LAST_LINE_AT(0, 2048)}, BAD_RANGE(0)},
    {"weight last line 2047", {LAST_LINE_AT(1, 2047)}, PASSES},
    {"weight last line 2048", {SET(OPCODE, AT_OP_STORE), LAST_LINE_AT(1, 2048)}, BAD_RANGE(1)},
    {"mask last line 127", {LAST_LINE_AT(2, 127)}, PASSES},
    {"mask last line 128", {SET(OPCODE, AT_OP_STORE), LAST_LINE_AT(2, 128)}, BAD_RANGE(2)},
#undef LAST_LINE_AT
};

static void test_check_xfer(void)
{
    uint32_t d[AT_DESC_WORDS];
    desc_xfer(d, AT_OP_LOAD, 0, 0, 4, 40, 3, 1, 0x80001000ull, 128, 0);
    RUN_CHECK_CASES(d, xfer_cases);
}

/* Valid (gemm_ok): A [0, 59], B [0, 71], C [100, 139], PARAMS 200 unused. */
static const check_case gemm_cases[] = {
    {"valid GEMM", {{0}}, PASSES},
    {"M 0 before K 0", {SET(GEMM_M, 0), SET(GEMM_K, 0)}, BAD_FIELD(7)},
    {"N 0", {SET(GEMM_N, 0)}, BAD_FIELD(7)},
    {"K 0 before B", {SET(GEMM_K, 0), SET(GEMM_B, 1)}, BAD_FIELD(8)},
    {"B % 4 before LDB", {SET(GEMM_B, 2), SET(GEMM_LDB, 3)}, BAD_FIELD(3)},
    {"LDB % 4 before PARAMS", {SET(GEMM_LDB, 38), SET(GEMM_PARAMS_EN, 1), SET(GEMM_PARAMS, 1)},
     BAD_FIELD(4)},
    {"PARAMS ignored without PARAMS_EN", {SET(GEMM_PARAMS, 3)}, PASSES},
    {"PARAMS % 4 before LDC", {SET(GEMM_PARAMS, 3), SET(GEMM_PARAMS_EN, 1), SET(GEMM_LDC, 1)},
     BAD_FIELD(9)},
    {"LDC < NT before SPAD_RANGE", {SET(GEMM_LDC, 1), SET(GEMM_A, 3000)}, BAD_FIELD(6)},
    {"M 1 ignores LDC", {SET(GEMM_M, 1), SET(GEMM_LDC, 0)}, PASSES},
    /* last A line = A + 19*3 + 2 = A + 59 */
    {"last A line 2047", {SET(GEMM_A, 2048 - 60), SET(GEMM_C, 0)}, PASSES},
    {"last A line 2048 (act before wgt)", {SET(GEMM_A, 2048 - 59), SET(GEMM_C, 0), SET(GEMM_B, 2048)},
     BAD_RANGE(0)},
    /* last C line = C + 19*2 + 1 = C + 39 */
    {"last C line 2047", {SET(GEMM_C, 2048 - 40)}, PASSES},
    {"last C line 2048", {SET(GEMM_C, 2048 - 39)}, BAD_RANGE(0)},
    /* last B line normal = B + (NT-1)*LDB + 4*ceil(K/4) - 1 = B + 36 + 35 */
    {"last B line 2047", {SET(GEMM_B, 2048 - 72)}, PASSES},
    {"last B line past", {SET(GEMM_B, 2048 - 68)}, BAD_RANGE(1)},
    /* K = 33: 4*ceil(33/4) = 36 lines per column tile */
    {"K 33 rounds to 36 lines", {SET(GEMM_K, 33), SET(GEMM_B, 2048 - 72)}, PASSES},
    /* transposed: B + (KC-1)*LDB + 4*ceil(N/4) - 1; K 36 -> KC 3, N 24 */
    {"transposed last B line 2047", {SET(GEMM_TRANS_B, 1), SET(GEMM_LDB, 24), SET(GEMM_B, 2048 - 72)},
     PASSES},
    {"transposed last B line past", {SET(GEMM_TRANS_B, 1), SET(GEMM_LDB, 24), SET(GEMM_B, 2048 - 68)},
     BAD_RANGE(1)},
    /* N = 21 transposed: 4*ceil(21/4) = 24 */
    {"transposed N 21",
     {SET(GEMM_TRANS_B, 1), SET(GEMM_N, 21), SET(GEMM_LDB, 24), SET(GEMM_B, 2048 - 72)}, PASSES},
    /* params: PARAMS + 4*NT - 1 */
    {"params last line 2047", {SET(GEMM_PARAMS_EN, 1), SET(GEMM_PARAMS, 2048 - 8)}, PASSES},
    {"params past", {SET(GEMM_PARAMS_EN, 1), SET(GEMM_PARAMS, 2048 - 4)}, BAD_RANGE(1)},
    {"params past but not enabled", {SET(GEMM_PARAMS, 2048 - 4)}, PASSES},
    /* overlap of C with A: A [0, 59], C [59, ...] */
    {"SPAD_RANGE before overlap", {SET(GEMM_C, 59), SET(GEMM_B, 2048)}, BAD_RANGE(1)},
    {"C overlaps A end", {SET(GEMM_C, 59)}, BAD_FIELD(5)},
    {"C right after A", {SET(GEMM_C, 60)}, PASSES},
    /* A [100, 159]: C [61, 100] touches A's first line */
    {"C overlaps A start", {SET(GEMM_A, 100), SET(GEMM_C, 61)}, BAD_FIELD(5)},
    {"C right before A", {SET(GEMM_A, 100), SET(GEMM_C, 60)}, PASSES},
};

/* Valid with C_WGT (gemm_ok, C at weight line 1000, LDC 24): A [0, 59],
 * B [0, 71], C [1000, 1000 + 24 + 19] = [1000, 1043] in the weight buffer. */
static const check_case gemm_wgt_cases[] = {
    {"valid C_WGT", {{0}}, PASSES},
    {"C_WGT with ACCUM before M 0", {SET(GEMM_ACCUM, 1), SET(GEMM_M, 0)}, BAD_FIELD(0)},
    {"ACCUM alone", {SET(GEMM_C_WGT, 0), SET(GEMM_ACCUM, 1), SET(GEMM_C, 100), SET(GEMM_LDC, 2)}, PASSES},
    {"PARAMS % 4 before LDC", {SET(GEMM_PARAMS, 3), SET(GEMM_PARAMS_EN, 1), SET(GEMM_LDC, 1)}, BAD_FIELD(9)},
    /* columns overlap: NT 2 and LDC < M (20) */
    {"LDC < M before SPAD_RANGE", {SET(GEMM_LDC, 19), SET(GEMM_C, 3000)}, BAD_FIELD(6)},
    {"LDC = M", {SET(GEMM_LDC, 20)}, PASSES},
    {"C_WGT ignores LDC < NT", {SET(GEMM_LDC, 20), SET(GEMM_M, 40), SET(GEMM_LDA, 1), SET(GEMM_K, 16)},
     BAD_FIELD(6)},
    {"NT 1 ignores LDC", {SET(GEMM_N, 16), SET(GEMM_LDC, 0)}, PASSES},
    {"M 1 does not ignore LDC", {SET(GEMM_M, 1), SET(GEMM_LDC, 0)}, BAD_FIELD(6)},
    /* last C line = C + (NT-1)*LDC + M-1 = C + 24 + 19 = C + 43 in the weight buffer */
    {"last C line 2047", {SET(GEMM_C, 2048 - 44)}, PASSES},
    {"last C line 2048 (weight)", {SET(GEMM_C, 2048 - 43)}, BAD_RANGE(1)},
    {"act range before C's weight range", {SET(GEMM_C, 2048 - 43), SET(GEMM_A, 2048 - 59)}, BAD_RANGE(0)},
    {"C past the activation lines is fine", {SET(GEMM_C, 2040 - 43), SET(GEMM_A, 2048 - 60)}, PASSES},
    /* C vs B [0, 71]: B's last line, one past */
    {"C overlaps B end", {SET(GEMM_C, 71)}, BAD_FIELD(5)},
    {"C right after B", {SET(GEMM_C, 72)}, PASSES},
    /* B [400, 471]: C [357, 400] touches B's first line */
    {"C overlaps B start", {SET(GEMM_B, 400), SET(GEMM_C, 357)}, BAD_FIELD(5)},
    {"C right before B", {SET(GEMM_B, 400), SET(GEMM_C, 356)}, PASSES},
    /* C vs the parameter quads [PARAMS, PARAMS + 7] */
    {"C overlaps PARAMS", {SET(GEMM_PARAMS_EN, 1), SET(GEMM_PARAMS, 1040)}, BAD_FIELD(5)},
    {"C overlaps PARAMS end", {SET(GEMM_PARAMS_EN, 1), SET(GEMM_PARAMS, 996)}, BAD_FIELD(5)},
    {"C right after PARAMS", {SET(GEMM_PARAMS_EN, 1), SET(GEMM_PARAMS, 992)}, PASSES},
    {"PARAMS overlap ignored without PARAMS_EN", {SET(GEMM_PARAMS, 1000)}, PASSES},
    /* C in the weight buffer never overlaps A, even at the same line numbers */
    {"C at A's lines", {SET(GEMM_C, 100), SET(GEMM_A, 100), SET(GEMM_B, 1000)}, PASSES},
};

static void test_check_gemm(void)
{
    uint32_t d[AT_DESC_WORDS];
    gemm_args g = gemm_ok();
    desc_gemm(d, &g, 0);
    RUN_CHECK_CASES(d, gemm_cases);
    g.c_wgt = 1;
    g.c = 1000;
    g.ldc = 24;
    desc_gemm(d, &g, 0);
    RUN_CHECK_CASES(d, gemm_wgt_cases);
}

/* Valid (smx_ok): 4 rows of N 40 (NB 3), src [0, 11], dst [20, 31], LENS 50 unused. */
static const check_case smx_cases[] = {
    {"valid SOFTMAX", {{0}}, PASSES},
    {"ROWS 0", {SET(SMX_ROWS, 0), SET(SMX_LEN, 0)}, BAD_FIELD(5)},
    {"N 0", {SET(SMX_N, 0)}, BAD_FIELD(5)},
    {"N > max_seq", {SET(SMX_N, 513), SET(SMX_LEN, 1)}, BAD_FIELD(5)},
    {"N = max_seq",
     {SET(SMX_N, 512), SET(SMX_LEN, 512), SET(SMX_LDS, 32), SET(SMX_LDD, 32), SET(SMX_DST, 200)}, PASSES},
    {"LEN 0 before LDD", {SET(SMX_LEN, 0), SET(SMX_LDD, 1)}, BAD_FIELD(6)},
    {"LEN > N", {SET(SMX_LEN, 41)}, BAD_FIELD(6)},
    {"LEN ignored with LEN_VEC", {SET(SMX_LEN, 0), SET(SMX_LEN_VEC, 1)}, PASSES},
    {"LDD < NB", {SET(SMX_LDD, 2)}, BAD_FIELD(4)},
    {"ROWS 1 ignores LDD", {SET(SMX_ROWS, 1), SET(SMX_LDD, 0)}, PASSES},
    /* last src = SRC + 3*3 + 2 = SRC + 11 */
    {"last src 2047", {SET(SMX_SRC, 2048 - 12), SET(SMX_DST, 0)}, PASSES},
    {"last src 2048", {SET(SMX_SRC, 2048 - 11), SET(SMX_DST, 0)}, BAD_RANGE(0)},
    {"last dst 2048", {SET(SMX_DST, 2048 - 11)}, BAD_RANGE(0)},
    /* 17 rows: two length lines, LENS and LENS + 1 */
    {"last lens line 2047",
     {SET(SMX_LEN_VEC, 1), SET(SMX_ROWS, 17), SET(SMX_DST, 100), SET(SMX_LENS, 2046)}, PASSES},
    {"last lens line 2048",
     {SET(SMX_LEN_VEC, 1), SET(SMX_ROWS, 17), SET(SMX_DST, 100), SET(SMX_LENS, 2047)}, BAD_RANGE(0)},
    {"LENS ignored without LEN_VEC",
     {SET(SMX_ROWS, 17), SET(SMX_DST, 100), SET(SMX_LENS, 2047), SET(SMX_LEN, 1)}, PASSES},
    /* in place, disjoint, partial overlap */
    {"in place", {SET(SMX_DST, 0)}, PASSES},
    {"same start, other stride", {SET(SMX_DST, 0), SET(SMX_LDD, 4)}, BAD_FIELD(3)},
    {"dst overlaps src end", {SET(SMX_DST, 11)}, BAD_FIELD(3)},
    {"dst right after src", {SET(SMX_DST, 12)}, PASSES},
    /* lens vs dst [20, 31] */
    {"lens overlap dst", {SET(SMX_LEN_VEC, 1), SET(SMX_LENS, 31)}, BAD_FIELD(7)},
    {"lens inside the source", {SET(SMX_LEN_VEC, 1), SET(SMX_LENS, 5)}, PASSES},
    {"overlap (3) before lens (7)", {SET(SMX_LEN_VEC, 1), SET(SMX_DST, 11), SET(SMX_LENS, 31)},
     BAD_FIELD(3)},
    /* SMX_TAU is word 9 bits 14:0; bit 15 and above stay reserved */
    {"TAU 32767", {SET(SMX_TAU, 32767)}, PASSES},
    {"word 9 bit 15", {{9, 1u << 15, 15, 1}}, BAD_FIELD(9)},
    {"word 9 bit 31 with TAU", {SET(SMX_TAU, 5), {9, 1u << 31, 31, 1}}, BAD_FIELD(9)},
};

static void test_check_softmax(void)
{
    uint32_t d[AT_DESC_WORDS];
    smx_args s = smx_ok();
    desc_softmax(d, &s, 0);
    RUN_CHECK_CASES(d, smx_cases);
}

/* Valid (ln_ok): 3 rows of N 40 (NB 3), src [0, 8], dst [10, 18], res [20, 28],
 * params [0, 11]. eps_q = 2^61 is EPS_HI 0x20000000, EPS_LO 0. */
static const check_case ln_cases[] = {
    {"valid LAYERNORM", {{0}}, PASSES},
    {"ROWS 0", {SET(LN_ROWS, 0), SET(LN_PARAMS, 1)}, BAD_FIELD(7)},
    {"N 0", {SET(LN_N, 0)}, BAD_FIELD(7)},
    {"N > max_hidden", {SET(LN_N, 1025)}, BAD_FIELD(7)},
    {"N = max_hidden",
     {SET(LN_N, 1024), SET(LN_LDS, 64), SET(LN_LDD, 64), SET(LN_LDR, 64), SET(LN_DST, 200),
      SET(LN_RES, 400)},
     PASSES},
    {"PARAMS % 4 before eps", {SET(LN_PARAMS, 2), SET(LN_EPS_HI, 0x20000000u), SET(LN_EPS_LO, 1)},
     BAD_FIELD(8)},
    {"eps > 2^61 before LDD", {SET(LN_EPS_HI, 0x20000000u), SET(LN_EPS_LO, 1), SET(LN_LDD, 1)},
     BAD_FIELD(11)},
    {"eps = 2^61", {SET(LN_EPS_HI, 0x20000000u), SET(LN_EPS_LO, 0)}, PASSES},
    {"LDD < NB", {SET(LN_LDD, 2)}, BAD_FIELD(4)},
    /* last lines: X + 2*3 + 2 = X + 8 */
    {"last src", {SET(LN_SRC, 2048 - 8)}, BAD_RANGE(0)},
    {"last src 2047", {SET(LN_SRC, 2048 - 9)}, PASSES},
    {"last dst (act before wgt)", {SET(LN_DST, 2048 - 8), SET(LN_PARAMS, 2048)}, BAD_RANGE(0)},
    {"last res", {SET(LN_RES, 2048 - 8)}, BAD_RANGE(0)},
    {"res ignored without RESIDUAL", {SET(LN_RES, 2048 - 8), SET(LN_RESIDUAL, 0)}, PASSES},
    /* params: PARAMS + 4*NB - 1 = PARAMS + 11 */
    {"params last 2047", {SET(LN_PARAMS, 2048 - 12)}, PASSES},
    {"params past", {SET(LN_PARAMS, 2048 - 8)}, BAD_RANGE(1)},
    /* dst vs src, dst vs res */
    {"in place", {SET(LN_DST, 0)}, PASSES},
    {"dst overlaps src (before res)", {SET(LN_DST, 1), SET(LN_RES, 2)}, BAD_FIELD(3)},
    {"dst = res", {SET(LN_DST, 20)}, PASSES},
    {"dst overlaps res", {SET(LN_DST, 28)}, BAD_FIELD(5)},
    {"res overlap ignored without RESIDUAL", {SET(LN_DST, 28), SET(LN_RESIDUAL, 0)}, PASSES},
    {"res = src", {SET(LN_RES, 0)}, PASSES},
    /* LN_TAU is word 12 bits 14:0; bit 15 and above stay reserved */
    {"TAU 32767", {SET(LN_TAU, 32767)}, PASSES},
    {"word 12 bit 15", {{12, 1u << 15, 15, 1}}, BAD_FIELD(12)},
    {"word 12 bit 16 with TAU", {SET(LN_TAU, 5), {12, 1u << 16, 16, 1}}, BAD_FIELD(12)},
};

static void test_check_layernorm(void)
{
    uint32_t d[AT_DESC_WORDS];
    ln_args l = ln_ok();
    desc_layernorm(d, &l, 0);
    RUN_CHECK_CASES(d, ln_cases);
}

static void test_check_fence(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    uint32_t d[AT_DESC_WORDS];
    desc_clear(d, AT_OP_FENCE, 0);
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
    desc_clear(d, AT_OP_NOP, 0);
    CHECK(at_exec_ranges(d, r) == 0, "NOP ranges");
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 0, "NOP memory");
    desc_xfer(d, AT_OP_LOAD, 2, 10, 5, 40, 7, 2, 0x1000, 96, 0);
    int n = at_exec_ranges(d, r);
    CHECK(n == 1 && r[0].buf == 2 && r[0].first == 10 && r[0].last == 10 + 28 + 4 && r[0].write == 1,
          "LOAD range n %d buf %d [%llu, %llu] w %d", n, r[0].buf,
          (unsigned long long)r[0].first, (unsigned long long)r[0].last, r[0].write);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && lo == 0x1000 &&
              hi == 0x1000 + 4 * 96 + 96 && wraps == 0,
          "LOAD memory [%#llx, %#llx) wraps %d", (unsigned long long)lo, (unsigned long long)hi, wraps);
    desc_xfer(d, AT_OP_STORE, 1, 10, 1, 1, 0, 0, 0xffffffffffffffe0ull, 0, 0);
    n = at_exec_ranges(d, r);
    CHECK(n == 1 && r[0].buf == 1 && r[0].first == 10 && r[0].last == 10 && r[0].write == 0,
          "STORE range");
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && wraps == 1, "end at 2^64 counts as wrap");
    desc_xfer(d, AT_OP_STORE, 1, 10, 2, 1, 0, 0, 0xffffffffffffff80ull, 32, 0);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && wraps == 0 && hi == 0xffffffffffffffc0ull,
          "just below 2^64: hi %#llx wraps %d", (unsigned long long)hi, wraps);
    desc_xfer(d, AT_OP_STORE, 1, 10, 3, 1, 0, 0, 0xffffffffffffffc0ull, 32, 0);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 1 && wraps == 1, "wrapping STORE");
    gemm_args g = gemm_ok();
    g.params_en = 1;
    g.trans_b = 1;
    g.ldb = 24;
    desc_gemm(d, &g, 0);
    n = at_exec_ranges(d, r);
    int ok = n == 4;
    /* A [0, 59] r, B [0, 2*24 + 24 - 1] r, params [200, 207] r, C [100, 139] w */
    uint64_t want[4][4] = {{0, 0, 59, 0}, {1, 0, 71, 0}, {1, 200, 207, 0}, {0, 100, 139, 1}};
    for (int i = 0; ok && i < 4; i++)
        ok = (uint64_t)r[i].buf == want[i][0] && r[i].first == want[i][1] &&
             r[i].last == want[i][2] && (uint64_t)r[i].write == want[i][3];
    CHECK(ok, "GEMM ranges (n %d)", n);
    CHECK(at_exec_mem_range(d, &lo, &hi, &wraps) == 0, "GEMM has no memory range");
    /* C_WGT: C [C, C + (NT-1)*LDC + M-1] written in the weight buffer */
    g.c_wgt = 1;
    g.c = 1000;
    g.ldc = 30;
    desc_gemm(d, &g, 0);
    n = at_exec_ranges(d, r);
    CHECK(n == 4 && r[3].buf == 1 && r[3].first == 1000 && r[3].last == 1000 + 30 + 19 && r[3].write,
          "GEMM C_WGT ranges (n %d, C buf %d [%llu, %llu])", n, r[3].buf, (unsigned long long)r[3].first,
          (unsigned long long)r[3].last);
    smx_args s = smx_ok();
    s.len_vec = 1;
    s.rows = 17;
    desc_softmax(d, &s, 0);
    n = at_exec_ranges(d, r);
    CHECK(n == 3 && r[0].first == 0 && r[0].last == 16 * 3 + 2 && r[1].first == 50 && r[1].last == 51 &&
              r[2].first == 20 && r[2].last == 20 + 48 + 2 && r[2].write,
          "SOFTMAX ranges n %d", n);
    ln_args l = ln_ok();
    desc_layernorm(d, &l, 0);
    n = at_exec_ranges(d, r);
    CHECK(n == 4 && r[0].first == 0 && r[0].last == 8 && r[1].first == 20 && r[1].last == 28 &&
              r[2].buf == 1 && r[2].first == 0 && r[2].last == 11 && r[3].first == 10 &&
              r[3].last == 18 && r[3].write,
          "LAYERNORM ranges n %d", n);
    desc_clear(d, AT_OP_FENCE, 0);
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
    desc_xfer(d, AT_OP_LOAD, 0, 100, 5, 40, 7, 2, 0x80000000ull, 96, 0);
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
    before.wgt = malloc(sizeof *before.wgt * sp->wgt_lines);
    memcpy(before.wgt, sp->wgt, sizeof *before.wgt * sp->wgt_lines);
    uint32_t d[AT_DESC_WORDS], det = 0;
    desc_gemm(d, g, 0);
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
            /* C_WGT: weight line C + nt*LDC + i, no mask word (compared as 0) */
            uint32_t line = g->c_wgt ? g->c + (n / 16) * g->ldc + i : g->c + i * g->ldc + n / 16;
            int16_t got = g->c_wgt ? sp->wgt[line][n % 16] : sp->act[line][n % 16];
            int gotm = g->c_wgt ? 0 : (sp->act_mask[line] >> (n % 16)) & 1;
            int16_t want = 0;
            int wantm = 0;
            if (n < g->n) {
                want = gemm_ref(c, i, n, g->c_wgt ? 0 : before.act[line][n % 16], &wantm);
                if (g->c_wgt)
                    wantm = 0;
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
    /* lines between C rows untouched (C_WGT: between column tiles, and the
     * activation buffer as a whole) */
    for (unsigned i = 0; !g->c_wgt && i + 1 < g->m && ok; i++)
        for (uint32_t l = g->c + i * g->ldc + nt; l < g->c + (i + 1) * g->ldc; l++)
            if (memcmp(sp->act[l], before.act[l], 32) || sp->act_mask[l] != before.act_mask[l]) {
                CHECK(0, "%s: line %u between C rows changed", what, l);
                ok = 0;
                break;
            }
    for (unsigned t = 0; g->c_wgt && t + 1 < nt && ok; t++)
        for (uint32_t l = g->c + t * g->ldc + g->m; l < g->c + (t + 1) * g->ldc; l++)
            if (memcmp(sp->wgt[l], before.wgt[l], 32)) {
                CHECK(0, "%s: weight line %u between C column tiles changed", what, l);
                ok = 0;
                break;
            }
    if (g->c_wgt && ok) {
        CHECK(memcmp(sp->act, before.act, sizeof *sp->act * sp->act_lines) == 0 &&
                  memcmp(sp->act_mask, before.act_mask, sizeof *sp->act_mask * sp->act_lines) == 0,
              "%s: C_WGT changed the activation buffer", what);
        uint64_t c_last = g->c + (uint64_t)(nt - 1) * g->ldc + g->m - 1;
        for (uint32_t l = 0; l < sp->wgt_lines; l++)
            if ((l < g->c || l > c_last) && memcmp(sp->wgt[l], before.wgt[l], 32)) {
                CHECK(0, "%s: weight line %u outside C changed", what, l);
                break;
            }
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
    /* by buffer: B and the parameter blocks from the weight buffer, A and
     * the old C from the activation buffer, C written there */
    uint64_t wrd = (g->trans_b ? kc * 4ull * ((g->n + 3) / 4) : nt * 4ull * ((g->k + 3) / 4)) +
                   (g->params_en ? 4ull * nt : 0);
    uint64_t want_aw = g->c_wgt ? 0 : cnt.spad_wr, want_ww = g->c_wgt ? cnt.spad_wr : 0;
    CHECK(cnt.wgt_rd == wrd && cnt.act_rd == rd - wrd && cnt.act_wr == want_aw && cnt.wgt_wr == want_ww,
          "%s: act rd %llu wgt rd %llu act wr %llu wgt wr %llu, want %llu %llu %llu %llu", what,
          (unsigned long long)cnt.act_rd, (unsigned long long)cnt.wgt_rd, (unsigned long long)cnt.act_wr,
          (unsigned long long)cnt.wgt_wr, (unsigned long long)(rd - wrd), (unsigned long long)wrd,
          (unsigned long long)want_aw, (unsigned long long)want_ww);
    free(before.act);
    free(before.act_mask);
    free(before.wgt);
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
        {"c_wgt", 0, 0, 0, 0, 0, 0},     {"c_wgt all", 1, 1, 1, 0, 1, 300},
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
        if (strncmp(v[t].what, "c_wgt", 5) == 0) { /* weight lines [1000, 1000 + 2*25 + 20] */
            c.g.c_wgt = 1;
            c.g.c = 1000;
            c.g.ldc = 25;
        }
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
    desc_gemm(d, &g, 0);
    at_exec_counts cnt = {0};
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == -30000 && f.sp.act[10][1] == 0 && f.sp.act[10][15] == 0 &&
              f.sp.act_mask[10] == 1,
          "1x1x1: %d %d mask %#x", f.sp.act[10][0], f.sp.act[10][1], f.sp.act_mask[10]);
    CHECK(cnt.mac_issued == 16 && cnt.mac_skipped == 0 && cnt.pruned == 0, "1x1x1 counters");
    g.accum = 1;
    desc_gemm(d, &g, 0);
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == -32768 && f.sp.act_mask[10] == 1, "accum saturates: %d", f.sp.act[10][0]);
    /* ACCUM to exactly zero clears the mask bit */
    f.sp.act[10][0] = 30000;
    desc_gemm(d, &g, 0);
    CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "compute");
    CHECK(f.sp.act[10][0] == 0 && f.sp.act_mask[10] == 0, "accum to 0: %d mask %#x",
          f.sp.act[10][0], f.sp.act_mask[10]);
    /* A_MASK: the masked activation is skipped */
    g.accum = 0;
    g.a_mask = 1;
    f.sp.act_mask[0] = 0;
    desc_gemm(d, &g, 0);
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
        g->c_wgt = rint_in(0, 3) == 0;
        if (g->c_wgt) {
            g->accum = 0;
            g->ldc = g->m + (unsigned)rint_in(0, 5);
        }
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
        if (g->c_wgt) { /* C in the weight buffer after the parameter quads (or before B) */
            g->c = g->params + 4 * nt + (uint32_t)rint_in(0, 9);
            if (rint_in(0, 1) && g->b > (nt - 1) * g->ldc + g->m) {
                g->c = g->b - ((nt - 1) * g->ldc + g->m) - (uint32_t)rint_in(0, g->b - ((nt - 1) * g->ldc + g->m));
            }
        }
        g->rq = (at_rq){(uint16_t)rint_in(32768, 65535), (uint8_t)rint_in(8, 40)};
        at_gelu_params_make(1.0 / rint_in(16, 1024), 1.0 / rint_in(16, 1024), &g->gp);
        gemm_case_alloc(&c);
        gemm_case_fill(&c, urand(), rint_in(0, 1));
        spad_randomize(&f.sp);
        char what[200];
        snprintf(what, sizeof what,
                 "random %d: M %u N %u K %u trans %d params %d gelu %d accum %d amask %d c_wgt %d tau %u", it,
                 g->m, g->n, g->k, g->trans_b, g->params_en, g->gelu, g->accum, g->a_mask, g->c_wgt, g->tau);
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
    uint64_t sens = 0; /* non-zero outputs the thresholds pruned */
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
        /* DynaTran: 0, small, large or maximal threshold */
        static const int tau_hi[4] = {0, 300, 8000, 32767};
        int tk = rint_in(0, 3);
        s.tau = (unsigned)(tk == 3 ? 32767 : tk == 0 ? 0 : rint_in(tau_hi[tk - 1] + 1, tau_hi[tk]));
        at_softmax_params p;
        at_softmax_params_make(s.tau ? 1.0 / rint_in(512, 8192) : 1.0 / rint_in(8, 512), &p);
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
        desc_softmax(d, &s, 0);
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
        uint64_t want_rd = 0, want_pruned = 0;
        int ok = 1;
        for (unsigned r = 0; r < s.rows && ok; r++) {
            int16_t y[512];
            if (r < done) {
                at_softmax_row(x[r], (int)s.n, (int)lens[r], &p, y);
                want_rd += (lens[r] + 15) / 16;
                /* DynaTran reference: |y| <= tau -> 0, counted over e < len */
                for (unsigned e = 0; e < s.n; e++)
                    if (abs(y[e]) <= (int)s.tau) {
                        sens += y[e] != 0;
                        y[e] = 0;
                        want_pruned += e < lens[r];
                    }
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
        CHECK(cnt.act_rd == cnt.spad_rd && cnt.wgt_rd == 0 && cnt.act_wr == cnt.spad_wr,
              "softmax %d: act rd %llu wgt rd %llu act wr %llu: a SOFTMAX touches only the activation buffer", it,
              (unsigned long long)cnt.act_rd, (unsigned long long)cnt.wgt_rd, (unsigned long long)cnt.act_wr);
        CHECK(!ok || cnt.pruned == want_pruned, "softmax %d (seed %#llx) tau %u: pruned %llu, want %llu",
              it, (unsigned long long)g_seed, s.tau, (unsigned long long)cnt.pruned,
              (unsigned long long)want_pruned);
        free(before.act);
        free(before.act_mask);
        if (!ok)
            break;
    }
    CHECK(sens > 0, "softmax: the thresholds pruned no non-zero output (seed %#llx)",
          (unsigned long long)g_seed);
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
    desc_softmax(d, &s, 0);
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
    uint64_t sens = 0; /* non-zero outputs the thresholds pruned */
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
        int tk = rint_in(0, 3);
        l.tau = (unsigned)(tk == 0 ? 0 : tk == 1 ? rint_in(1, 200) : tk == 2 ? rint_in(201, 6000) : 32767);
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
        desc_layernorm(d, &l, 0);
        int code = at_exec_check(d, &f.sp, f.cfg, &det);
        CHECK(code == 0, "layernorm %d: check %d detail %#x", it, code, det);
        at_exec_counts cnt = {0};
        code = at_exec_compute(d, &f.sp, &cnt, &det);
        CHECK(code == 0, "layernorm %d: compute %d", it, code);
        at_layernorm_params p = {.eps_q = (int64_t)l.eps, .out = l.out};
        int ok = 1;
        uint64_t want_pruned = 0;
        for (unsigned r = 0; r < l.rows && ok; r++) {
            int16_t y[1024];
            at_layernorm_row(x[r], l.residual ? rs[r] : NULL, (int)l.n, gamma, beta, &p, y);
            /* DynaTran reference (|-32768| = 32768 is never pruned) */
            for (unsigned e = 0; e < l.n; e++)
                if (abs(y[e]) <= (int)l.tau) {
                    sens += y[e] != 0;
                    y[e] = 0;
                    want_pruned++;
                }
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
        CHECK(cnt.wgt_rd == 4ull * nb && cnt.act_rd == rd - 4ull * nb && cnt.act_wr == cnt.spad_wr,
              "layernorm %d: wgt rd %llu (the parameter quads) act rd %llu act wr %llu", it,
              (unsigned long long)cnt.wgt_rd, (unsigned long long)cnt.act_rd, (unsigned long long)cnt.act_wr);
        CHECK(!ok || cnt.pruned == want_pruned, "layernorm %d (seed %#llx) tau %u: pruned %llu, want %llu",
              it, (unsigned long long)g_seed, l.tau, (unsigned long long)cnt.pruned,
              (unsigned long long)want_pruned);
        if (!ok)
            break;
    }
    CHECK(sens > 0, "layernorm: the thresholds pruned no non-zero output (seed %#llx)",
          (unsigned long long)g_seed);
    at_spad_free(&f.sp);
}

/* DynaTran at its boundaries. LAYERNORM of constant rows with eps 0 gives
 * y = sat16(beta) exactly, so the outputs are chosen: |y| = tau is pruned,
 * tau + 1 kept, -32768 kept even at tau 32767, 32767 pruned by it; exact
 * zeros are counted at tau 0. SOFTMAX: tau = an output value prunes it and
 * every smaller one; the padding (columns >= len) is never counted. */
static void test_dynatran_boundary(void)
{
    spad_fix f;
    if (fix_init(&f, "tiny"))
        return;
    static const int taus[] = {0, 1, 100, 32766, 32767};
    for (size_t t = 0; t < sizeof taus / sizeof taus[0]; t++) {
        int tau = taus[t];
        ln_args l = ln_ok();
        l.residual = 0;
        l.eps = 0;
        l.rows = 2;
        l.n = 40;
        l.tau = (unsigned)tau;
        memset(f.sp.act[0], 0, 32 * 9);
        for (unsigned r = 0; r < 2; r++)
            for (unsigned e = 0; e < 40; e++)
                f.sp.act[r * 3 + e / 16][e % 16] = (int16_t)(100 * r + 7);
        int16_t want[40];
        for (unsigned e = 0; e < 40; e++) {
            static const int32_t pat[10] = {0, 1, -1, 0, 0, 40000, -40000, -32768, 32767, 5};
            int32_t v = pat[e % 10];
            if (e % 10 == 3)
                v = tau;
            if (e % 10 == 4)
                v = tau < 32767 ? -(tau + 1) : -32767;
            int32_t y = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
            want[e] = (int16_t)y;
            uint32_t q = 4 * (e / 16), j = e % 16;
            f.sp.wgt[q][j] = 1000;
            f.sp.wgt[q + 1 + j / 8][2 * (j % 8)] = (int16_t)(uint16_t)(uint32_t)v;
            f.sp.wgt[q + 1 + j / 8][2 * (j % 8) + 1] = (int16_t)(uint16_t)((uint32_t)v >> 16);
        }
        uint32_t d[AT_DESC_WORDS], det = 0;
        desc_layernorm(d, &l, 0);
        CHECK(at_exec_check(d, &f.sp, f.cfg, &det) == 0, "LN tau %d: check", tau);
        at_exec_counts cnt = {0};
        CHECK(at_exec_compute(d, &f.sp, &cnt, &det) == 0, "LN tau %d: compute", tau);
        uint64_t pruned = 0;
        for (unsigned r = 0; r < 2; r++)
            for (unsigned e = 0; e < 48; e++) {
                int16_t w = e < 40 ? want[e] : 0;
                int a = abs(w);
                if (e < 40 && a <= tau) {
                    w = 0;
                    pruned++;
                }
                uint32_t line = 10 + r * 3 + e / 16;
                int16_t got = f.sp.act[line][e % 16];
                int gotm = (f.sp.act_mask[line] >> (e % 16)) & 1;
                CHECK(got == w && gotm == (w != 0), "LN tau %d row %u elem %u: %d/%d, want %d/%d", tau, r,
                      e, got, gotm, w, w != 0);
            }
        CHECK(cnt.pruned == pruned, "LN tau %d: pruned %llu, want %llu", tau,
              (unsigned long long)cnt.pruned, (unsigned long long)pruned);
        if (tau == 32767)
            CHECK(pruned == 2 * 32, "LN tau 32767: all but the -32768s (%llu)", (unsigned long long)pruned);
        if (tau == 0)
            CHECK(pruned == 2 * 8, "LN tau 0: the exact zeros (%llu)", (unsigned long long)pruned);
    }
    /* SOFTMAX: one row, N 40, len 29; tau = the k-th smallest output */
    int16_t x[40] = {0}, y[40];
    for (int e = 0; e < 29; e++)
        x[e] = (int16_t)(e * 37 % 200 - 100);
    smx_args s = smx_ok();
    s.rows = 1;
    s.len = 29;
    at_softmax_params p = {s.in};
    at_softmax_row(x, 40, 29, &p, y);
    int16_t taus2[4] = {0, y[5], y[11], 32767};
    for (int t = 0; t < 4; t++) {
        s.tau = (unsigned)taus2[t];
        memset(f.sp.act[0], 0, 32 * 3);
        for (int e = 0; e < 29; e++)
            f.sp.act[e / 16][e % 16] = x[e];
        uint32_t d[AT_DESC_WORDS];
        desc_softmax(d, &s, 0);
        at_exec_counts cnt = {0};
        CHECK(at_exec_compute(d, &f.sp, &cnt, NULL) == 0, "softmax tau %u: compute", s.tau);
        uint64_t pruned = 0, nz_pruned = 0;
        for (int e = 0; e < 48; e++) {
            int16_t w = e < 40 ? y[e] : 0;
            if (e < 29 && w <= (int)s.tau) {
                nz_pruned += w != 0;
                w = 0;
                pruned++;
            }
            int16_t got = f.sp.act[20 + e / 16][e % 16];
            int gotm = (f.sp.act_mask[20 + e / 16] >> (e % 16)) & 1;
            CHECK(got == w && gotm == (w != 0), "softmax tau %u elem %d: %d/%d, want %d/%d", s.tau, e, got,
                  gotm, w, w != 0);
        }
        CHECK(cnt.pruned == pruned, "softmax tau %u: pruned %llu, want %llu", s.tau,
              (unsigned long long)cnt.pruned, (unsigned long long)pruned);
        if (t == 1 || t == 2)
            CHECK(nz_pruned > 0, "softmax tau %u prunes a non-zero output", s.tau);
        if (t == 3)
            CHECK(pruned == 29, "softmax tau 32767: the 29 valid columns (%llu)",
                  (unsigned long long)pruned);
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
    desc_clear(d, AT_OP_NOP, 0);
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
    RUN_CASE(test_dynatran_boundary);
    RUN_CASE(test_layernorm);
    RUN_CASE(test_compute_other);
    return check_finish("test_device_exec");
}
