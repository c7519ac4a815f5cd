/* C model of one acceltran PE (rtl/acceltran_pe.sv): the output block
 * (rows x 16, rows up to pe_model_block_rows(lanes): 16, or NumLanes when
 * NumLanes > 16; raw accumulators, post-processed rows, masks, pruned counts), the exact
 * cycle count of the RTL schedule and its counters. docs/rtl-pe.md.
 *
 * The cycle model assumes ideal sources: a weight beat (wgt_rows_per_beat
 * rows, acceltran_pkg::WgtRowsPerBeat) and every lane's next
 * activation beat are always offered (valid) when the PE is ready for them,
 * and the tile descriptor is offered as soon as the PE is idle. Cycle 0 is
 * the first cycle after the tile is accepted; `cycles` is the number of
 * cycles the PE is busy (tile accepted -> last row into post-processing),
 * which is what the RTL's busy counter adds for the tile. */
#ifndef ACCELTRAN_PE_MODEL_H
#define ACCELTRAN_PE_MODEL_H

#include <stdint.h>

#include "numerics.h"

#define PE_TILE 16          /* tile edge (acceltran_pkg::TileSize) */
#define PE_MACS 16          /* multipliers per lane */
#define PE_PP_LATENCY 11    /* acceltran_postproc: valid_i -> valid_o */
#define PE_MAX_K 65535
#define PE_MAX_ROWS 32      /* largest block: max(16, NumLanes) for every config */

typedef struct pe_tile {
    int rows, cols, k;          /* 1..pe_model_block_rows(lanes), 1..16, 1..65535 */
    const int16_t *a;           /* A: rows x k, a[i * lda + kk] */
    int lda;
    const uint8_t *a_mask;      /* same layout as a: 1 = marked non-zero; NULL = all marked */
    const int16_t *w;           /* W: k x 16, w[kk * 16 + j] */
    const int32_t *bias;        /* 16 per-column biases, NULL = 0 */
    uint16_t rq_m[PE_TILE];     /* per-column requant */
    uint8_t rq_s[PE_TILE];
    int gelu;                   /* 0 or 1 */
    at_gelu_params gelu_p;
    int16_t tau;                /* 0..32767 */
} pe_tile;

typedef struct pe_result {
    int64_t acc[PE_MAX_ROWS][PE_TILE];  /* raw accumulators, rows x 16 (cols ignored) */
    int16_t y[PE_MAX_ROWS][PE_TILE];    /* post-processed, columns >= cols are 0 */
    uint16_t mask[PE_MAX_ROWS];         /* bit j = column j kept; 0 for j >= cols */
    int pruned[PE_MAX_ROWS];            /* per row, among the cols columns */
    /* cycle model and counters for this tile */
    uint64_t cycles;                /* busy cycles */
    uint64_t stall_wgt;             /* cycles with no chunk in the lanes */
    uint64_t stall_act;             /* 0 with ideal sources */
    uint64_t mac_issued;            /* 16 per processed non-zero activation */
    uint64_t mac_skipped;           /* 16 per zero activation within K */
    uint64_t pruned_total;
} pe_result;

/* Lanes a PE uses: all num_lanes (lane l owns rows l, l + lanes, ...). */
int pe_model_lanes(int num_lanes);

/* Rows of the largest block a PE computes: max(16, num_lanes) (with more
 * than 16 lanes, several 16-row tiles stacked on one weight stream). At most
 * PE_MAX_ROWS. */
int pe_model_block_rows(int num_lanes);

/* Weight rows per beat must divide PE_TILE: 1, 2, 4, 8 or 16. */
int pe_model_wgt_rows_ok(int wgt_rows_per_beat);

/* Computes the tile. wgt_rows_per_beat: weight rows the PE takes per beat
 * (a chunk of L rows loads in ceil(L / wgt_rows_per_beat) beats). after_tile: 1 when this tile is accepted right after
 * the previous tile of the same PE (back to back: its last rows are still
 * in post-processing), 0 when post-processing is empty. Returns 0, or
 * AT_EINVAL on bad arguments. */
int pe_model_tile(const pe_tile *t, int num_lanes, int wgt_rows_per_beat, int after_tile,
                  pe_result *r);

/* Cycle model alone: busy cycles of a tile from the effective non-zero
 * count of every (row, chunk) beat: nnz[i * nchunks + c], i < rows. */
uint64_t pe_model_cycles(int rows, int k, const uint8_t *nnz, int num_lanes,
                         int wgt_rows_per_beat, int after_tile, uint64_t *stall_wgt);

#endif
