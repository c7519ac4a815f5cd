/* C API over the Verilated acceltran_pe_array: the PE API of
 * acceltran_pe_unit.h with a PE index. Counters in pe_array_unit_get are
 * the array's sums over all PEs (the same for every pe). */
#ifndef ACCELTRAN_PE_ARRAY_UNIT_H
#define ACCELTRAN_PE_ARRAY_UNIT_H

#include <stdint.h>

#include "acceltran_pe_unit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pe_array_unit pe_array_unit;

pe_array_unit *pe_array_unit_new(void);
void pe_array_unit_free(pe_array_unit *u);
int pe_array_unit_num_pes(void);
int pe_array_unit_num_lanes(void);
int pe_array_unit_wgt_rows(void); /* weight rows per beat (acceltran_pkg::WgtRowsPerBeat) */
void pe_array_unit_set_tile(pe_array_unit *u, int pe, int valid, const pe_unit_tile *t);
/* One weight beat of PE pe: pe_array_unit_wgt_rows() rows of 16. */
void pe_array_unit_set_wgt(pe_array_unit *u, int pe, int valid, const int16_t *rows);
void pe_array_unit_set_act(pe_array_unit *u, int pe, int lane, int valid, const int16_t *a16,
                           uint16_t mask);
void pe_array_unit_eval(pe_array_unit *u);
void pe_array_unit_get(pe_array_unit *u, int pe, pe_unit_out *o);
void pe_array_unit_get_acc(pe_array_unit *u, int pe, int64_t acc16[16]);
void pe_array_unit_get_y(pe_array_unit *u, int pe, int16_t y16[16]);
void pe_array_unit_tick(pe_array_unit *u);

#ifdef __cplusplus
}
#endif
#endif
