/* C API over the Verilated acceltran_softmax (Width 16 lanes, rows up to
 * 512). A cycle: drive the inputs, softmax_unit_settle, sample the
 * handshake outputs (what the unit shows before the clock edge), then
 * softmax_unit_tick. */
#ifndef ACCELTRAN_SOFTMAX_UNIT_H
#define ACCELTRAN_SOFTMAX_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SOFTMAX_UNIT_WIDTH 16

typedef struct softmax_unit softmax_unit;

softmax_unit *softmax_unit_new(void); /* NULL on allocation failure; comes out of reset */
void softmax_unit_free(softmax_unit *u);
void softmax_unit_reset(softmax_unit *u); /* two cycles with rst_ni low, inputs idle */
/* Input beat (data: SOFTMAX_UNIT_WIDTH int16; NULL drives zeros) and the
 * row config sampled with a row's first beat. */
void softmax_unit_drive_in(softmax_unit *u, int valid, const int16_t *data, unsigned n,
                           unsigned len, unsigned m, unsigned s);
void softmax_unit_drive_out_ready(softmax_unit *u, int ready);
void softmax_unit_settle(softmax_unit *u); /* evaluates with the clock low */
int softmax_unit_in_ready(softmax_unit *u);
/* out_valid_o; when data is non-NULL it gets the SOFTMAX_UNIT_WIDTH lanes,
 * *last out_last_o when last is non-NULL. */
int softmax_unit_out_valid(softmax_unit *u, int16_t *data, int *last);
/* out_lanes_o of the output beat: bit j = lane j is a column < len. */
unsigned softmax_unit_out_lanes(softmax_unit *u);
int softmax_unit_busy(softmax_unit *u);
void softmax_unit_tick(softmax_unit *u); /* one rising edge */

#ifdef __cplusplus
}
#endif
#endif
