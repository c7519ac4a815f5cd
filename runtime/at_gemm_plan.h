/* GEMM tiling and command-stream builder: C (M x N) = post(A (M x K) x
 * B (K x N)) for matrices in buffer objects, as one job of LOAD / GEMM /
 * STORE commands (acceltran_uapi.h) that keeps the PE array busy:
 *
 *   - B is best given packed in column tiles (b_tiled): a strip's LOAD then
 *     reads one long contiguous row per column tile (16-beat bursts at the
 *     bus rate); row-major B costs one short burst per row of K (latency-
 *     bound with few outstanding bursts).
 *   - B is cut into weight strips of `tiles_per_strip` column tiles (16
 *     columns each; a multiple of NumPes when possible, so every PE has a
 *     column tile), each strip held in the weight scratchpad in the weight
 *     layout (line (k, t) = slot + t*KQ + k, KQ = 4*ceil(K/4)). Two strip
 *     slots when two fit (the next strip loads, one column tile per
 *     row block, while the current one computes), else one (the strip
 *     reload is the only unhidden transfer: once per strip).
 *   - A is cut into row blocks of `rows_per_block` rows (a multiple of the
 *     PE block rows, max(16, NumLanes); of the lanes when K is so deep
 *     that two such blocks do not fit), double-buffered in the activation
 *     scratchpad (row-major, KC = ceil(K/16) lines per row), and so are
 *     the C blocks (rows_per_block x tiles_per_strip lines).
 *   - Loop order: strips outer or row blocks outer, whichever moves fewer
 *     bytes (at_gemm_spec.order; docs/compiler.md says when each wins).
 *   - Strips-outer order, per (strip, block) item i: LOAD A(i+1) into the other A slot,
 *     [next-strip weight tiles,] GEMM(i), [single slot: LOAD of the next
 *     strip,] STORE C(i). By the dependency rule of docs/isa.md, LOAD
 *     A(i+1) waits only for GEMM(i-1) (its slot), GEMM(i) runs while A(i+1)
 *     loads and C(i-1) stores, and the in-order issue never holds the
 *     compute engine back.
 * docs/driver.md ("GEMM tiling plan") gives the numbers for tiny. */
#ifndef ACCELTRAN_AT_GEMM_PLAN_H
#define ACCELTRAN_AT_GEMM_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "acceltran_hw.h"
#include "acceltran_uapi.h"
#include "at_error.h"
#include "numerics.h"

/* Loop order of a plan's (weight strip, row block) items. */
enum {
    AT_GEMM_ORDER_AUTO = 0,   /* the order that moves fewer bytes (ties: strips outer) */
    AT_GEMM_ORDER_STRIPS = 1, /* strips outer: each weight tile read once, A once per strip */
    AT_GEMM_ORDER_ROWS = 2,   /* row blocks outer: A read once, each strip once per block */
};

typedef struct at_gemm_spec {
    uint32_t m, n, k;                 /* 1..65535 each */
    uint32_t bo_a, bo_b, bo_c;        /* buffer objects of A, B, C (may be equal) */
    uint64_t off_a, off_b, off_c;     /* byte offset of element (0, 0) (32-byte aligned) */
    uint32_t lda, ldb, ldc;           /* bytes between rows: multiples of 32, >= 2 x columns;
                                         with b_tiled, ldb = bytes between column tiles of B */
    int b_tiled;                      /* B packed in column tiles (at_gemm_pack_b): tile t (columns
                                         16t..16t+15, zero past N) is K rows of 32 bytes at
                                         off_b + t * ldb (ldb >= 32 K); needs K <= 4095 */
    uint16_t tau;                     /* DynaTran threshold 0..32767 */
    at_rq rq;                         /* requant of every column (bias 0), without parameter blocks */
    uint32_t bo_p;                    /* non-zero: per-column bias and requant (GEMM_PARAMS_EN) from
                                         parameter blocks in this buffer object, the block of column
                                         tile t (128 bytes, docs/isa.md) at off_p + 128 t; each strip
                                         loads its blocks next to its weight tiles */
    uint64_t off_p;
    int gelu;                         /* GELU after the requant, with gelu_p */
    at_gelu_params gelu_p;
    /* Residency (the compiler's activations kept on chip, docs/compiler.md):
     * with `resident`, A is already in the activation scratchpad (row i at
     * line a_line + i a_ld) and C is written there (row i, column tile t at
     * c_line + i c_ld + t), so the plan loads no A and uses no activation
     * slots of its own; bo_a/off_a/lda are unused, and so are bo_c/off_c/ldc
     * unless c_store also STOREs each C block to memory. */
    int resident, c_store;
    uint32_t a_line, a_ld, c_line, c_ld;
    /* C into the weight scratchpad (GEMM_C_WGT; needs `resident`, no
     * c_store): row i, column tile t at weight line c_line + t c_ld +
     * crow(i), where the rows come in nseg segments (0: one of all m rows,
     * crow(i) = i): segment g has seg_rows[g] rows, its first at crow
     * seg_crow[g] (the attention's per-sequence K and V at token offsets
     * padded to 4). Row blocks do not cross segments. wgt_budget (0: all):
     * the plan's weight strips stay in weight lines [0, wgt_budget). */
    int c_wgt;
    uint32_t nseg;
    const uint32_t *seg_rows, *seg_crow;
    uint32_t wgt_budget;
    /* Preloaded weights (the compiler's at_compile_opts.preload_weights):
     * with `b_resident`, B (needs b_tiled) is already in the weight
     * scratchpad, column tile t at weight line b_line + t * 4 ceil(K/4),
     * and its parameter blocks (with bo_p) at p_line + 4 t; the plan loads
     * no weights and bo_b/off_b/ldb/off_p are unused. */
    int b_resident;
    uint32_t b_line, p_line;
    int order;                        /* AT_GEMM_ORDER_*; AT_GEMM_ORDER_ROWS with more than one strip needs A
                                         in memory and two weight slots (else AT_EUNSUPPORTED) */
} at_gemm_spec;

typedef struct at_gemm_plan {
    uint32_t rows_per_block;  /* A / C row block */
    uint32_t tiles_per_strip; /* 16-column tiles per weight strip */
    uint32_t strips, blocks;  /* weight strips; row blocks per strip */
    int wgt_slots;            /* 1 or 2 */
    uint32_t kc, kq;          /* A lines per row; weight lines per column tile */
    uint32_t act_lines_used, wgt_lines_used;
    int rows_outer;               /* the order chosen (0: strips outer) */
    uint64_t bytes_strips_outer;  /* memory bytes each order moves (A and weights loaded, C stored); */
    uint64_t bytes_rows_outer;    /* rows outer = strips outer when it is not possible */
    uint32_t num_cmds;
    struct at_uapi_cmd *cmds; /* num_cmds commands (free with at_gemm_plan_free) */
} at_gemm_plan;

/* Builds the plan for configuration cfg. AT_EINVAL for bad shapes or
 * layouts, AT_EUNSUPPORTED when K is too deep for the scratchpads (one
 * column tile of B, 4*ceil(K/4) lines, must fit the weight buffer, and
 * two A row blocks of the PE block rows plus their C blocks the activation
 * buffer), AT_ENOMEM. */
int at_gemm_plan_build(const at_hw_config *cfg, const at_gemm_spec *s, at_gemm_plan *out, at_err *err);
void at_gemm_plan_free(at_gemm_plan *p);

/* Bytes of a row of cols int16 elements rounded up to 32 (the device's
 * row-stride granularity). */
uint32_t at_gemm_ld_bytes(uint32_t cols);

/* Packs B (k x n, row stride ldb elements) into column tiles: tile t at
 * out + t * tile_elems (tile_elems >= 16 k), row kk of the tile = B[kk][16t
 * .. 16t+15] (0 past n). out has ceil(n/16) * tile_elems elements. */
void at_gemm_pack_b(const int16_t *b, size_t ldb, uint32_t k, uint32_t n, int16_t *out, size_t tile_elems);

/* A requant that maps sums of K products of uniform int16 values to about
 * +-8192 (m = 2^15, shift from K). */
at_rq at_gemm_default_rq(uint32_t k);

/* Host reference: c = DynaTran(requant(sum_k a*b)) with int64 sums;
 * a is m x k (row stride lda elements), b k x n (ldb), c m x n (ldc).
 * Returns the number of pruned outputs (|y| <= tau). */
uint64_t at_gemm_reference(const int16_t *a, size_t lda, const int16_t *b, size_t ldb, int16_t *c,
                           size_t ldc, uint32_t m, uint32_t n, uint32_t k, at_rq rq, uint16_t tau);

/* FNV-1a 64 over the m x n elements of c (row-major, little-endian bytes). */
uint64_t at_gemm_checksum(const int16_t *c, size_t ldc, uint32_t m, uint32_t n);

#endif
