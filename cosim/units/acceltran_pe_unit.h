/* C API over the Verilated acceltran_pe (rtl/acceltran_pe.sv). Drive it one
 * cycle at a time: set the inputs, pe_unit_eval, read the outputs (ready
 * signals depend only on state, so they may be read before or after the
 * valids are set), then pe_unit_tick (one rising edge). */
#ifndef ACCELTRAN_PE_UNIT_H
#define ACCELTRAN_PE_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tile descriptor (tile_* ports and the post-processing parameters). */
typedef struct pe_unit_tile {
    int rows, cols, k;
    int32_t bias[16];
    uint16_t rq_m[16];
    uint8_t rq_s[16];
    int gelu_en;
    uint16_t gelu_in_m, gelu_out_m;
    uint8_t gelu_in_s, gelu_out_s;
    uint16_t tau;
} pe_unit_tile;

enum { PE_CNT_BUSY, PE_CNT_STALL_WGT, PE_CNT_STALL_ACT, PE_CNT_MAC_ISSUED,
       PE_CNT_MAC_SKIPPED, PE_CNT_PRUNED, PE_CNT_N };

typedef struct pe_unit_out {
    int tile_ready, wgt_ready, busy;
    uint32_t act_ready;   /* bit l = lane l */
    int acc_valid, acc_row;
    int out_valid, out_row, out_pruned;
    uint16_t out_mask;
    uint64_t cnt[PE_CNT_N];
} pe_unit_out;

typedef struct pe_unit pe_unit;

pe_unit *pe_unit_new(void); /* NULL on allocation failure; comes out of reset */
void pe_unit_free(pe_unit *u);
int pe_unit_num_lanes(void); /* activation ports (acceltran_pkg::NumLanes) */
int pe_unit_wgt_rows(void);  /* weight rows per beat (acceltran_pkg::WgtRowsPerBeat) */
void pe_unit_set_tile(pe_unit *u, int valid, const pe_unit_tile *t); /* t may be NULL if !valid */
/* One weight beat: pe_unit_wgt_rows() rows of 16, row r at rows[r * 16]
 * (rows may be NULL if !valid). */
void pe_unit_set_wgt(pe_unit *u, int valid, const int16_t *rows);
void pe_unit_set_act(pe_unit *u, int lane, int valid, const int16_t *a16, uint16_t mask);
void pe_unit_eval(pe_unit *u);
void pe_unit_get(pe_unit *u, pe_unit_out *o);
void pe_unit_get_acc(pe_unit *u, int64_t acc16[16]);                  /* acc_o */
void pe_unit_get_y(pe_unit *u, int16_t y16[16]);                      /* out_y_o */
void pe_unit_tick(pe_unit *u);

#ifdef __cplusplus
}
#endif
#endif
