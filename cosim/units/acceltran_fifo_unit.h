/* C API over the Verilated acceltran_fifo (default parameters: Width 8,
 * Depth 4), built with --assert like every unit model (rtl/rtl.mk): a
 * push into a full FIFO or a pop from an empty one fails an assertion,
 * which stops the process (Verilator's $stop aborts it). */
#ifndef ACCELTRAN_FIFO_UNIT_H
#define ACCELTRAN_FIFO_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fifo_unit fifo_unit;

fifo_unit *fifo_unit_new(void); /* NULL on allocation failure; comes out of reset */
void fifo_unit_free(fifo_unit *u);
/* One clock cycle with these inputs; then the head and count after it. */
void fifo_unit_cycle(fifo_unit *u, int push, uint8_t wdata, int pop, int clr);
uint8_t fifo_unit_head(fifo_unit *u);
unsigned fifo_unit_count(fifo_unit *u);

#ifdef __cplusplus
}
#endif
#endif
