/* Descriptor builders shared by the tests of the command semantics
 * (tests/fmodel) and of the cosim backends (tests/cosim): one builder per
 * command of docs/isa.md, from its arguments or a struct of its fields,
 * the tag last. Kept in one place so that the tests of every layer build
 * the same descriptor from the same fields. */
#ifndef ACCELTRAN_TESTS_DESC_BUILD_H
#define ACCELTRAN_TESTS_DESC_BUILD_H

#include <stdint.h>
#include <string.h>

#include "acceltran_hw.h"
#include "numerics.h"

/* All fields 0 but the opcode and the tag (op may be any 8-bit value, so
 * that the tests can build unknown opcodes too). */
static inline void desc_clear(uint32_t d[AT_DESC_WORDS], unsigned op, unsigned tag)
{
    memset(d, 0, AT_DESC_BYTES);
    AT_DPUT(d, OPCODE, op);
    AT_DPUT(d, TAG, tag);
}

/* LOAD or STORE (op) between buffer buf and memory at mem. */
static inline void desc_xfer(uint32_t d[AT_DESC_WORDS], unsigned op, unsigned buf, uint32_t spad,
                             uint32_t rows, uint32_t cols, uint32_t row_step, uint32_t cb_step,
                             uint64_t mem, uint32_t stride, unsigned tag)
{
    desc_clear(d, op, tag);
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
    int trans_b, params_en, gelu, accum, a_mask, c_wgt;
    unsigned tau;
    at_rq rq;
    at_gelu_params gp;
} gemm_args;

static inline void desc_gemm(uint32_t d[AT_DESC_WORDS], const gemm_args *g, unsigned tag)
{
    desc_clear(d, AT_OP_GEMM, tag);
    AT_DPUT(d, GEMM_TRANS_B, g->trans_b);
    AT_DPUT(d, GEMM_PARAMS_EN, g->params_en);
    AT_DPUT(d, GEMM_GELU, g->gelu);
    AT_DPUT(d, GEMM_ACCUM, g->accum);
    AT_DPUT(d, GEMM_A_MASK, g->a_mask);
    AT_DPUT(d, GEMM_C_WGT, g->c_wgt);
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

typedef struct smx_args {
    unsigned rows, n, len;
    uint32_t src, lds, dst, ldd, lens;
    int len_vec;
    at_rq in;
    unsigned tau; /* SMX_TAU, 0..32767 */
} smx_args;

static inline void desc_softmax(uint32_t d[AT_DESC_WORDS], const smx_args *s, unsigned tag)
{
    desc_clear(d, AT_OP_SOFTMAX, tag);
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
    AT_DPUT(d, SMX_TAU, s->tau);
}

typedef struct ln_args {
    unsigned rows, n;
    uint32_t src, lds, dst, ldd, res, ldr, params;
    int residual;
    at_rq out;
    uint64_t eps;
    unsigned tau; /* LN_TAU, 0..32767 */
} ln_args;

static inline void desc_layernorm(uint32_t d[AT_DESC_WORDS], const ln_args *l, unsigned tag)
{
    desc_clear(d, AT_OP_LAYERNORM, tag);
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
    AT_DPUT(d, LN_TAU, l->tau);
}

/* FENCE; addr 0: no write-back (FENCE_WRITE 0). */
static inline void desc_fence(uint32_t d[AT_DESC_WORDS], uint32_t value, uint64_t addr, int irq,
                              unsigned tag)
{
    desc_clear(d, AT_OP_FENCE, tag);
    AT_DPUT(d, FENCE_WRITE, addr != 0);
    AT_DPUT(d, FENCE_IRQ, irq != 0);
    AT_DPUT(d, FENCE_VALUE, value);
    AT_DPUT(d, FENCE_ADDR_LO, (uint32_t)addr);
    AT_DPUT(d, FENCE_ADDR_HI, (uint32_t)(addr >> 32));
}

#endif
