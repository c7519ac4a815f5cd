/* C API over the Verilated acceltran_recip_div (default parameters:
 * DenWidth 36, QuoWidth 27): floor(2^pow2 / den), sequential. */
#ifndef ACCELTRAN_RECIP_DIV_UNIT_H
#define ACCELTRAN_RECIP_DIV_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct recip_div_unit recip_div_unit;

recip_div_unit *recip_div_unit_new(void); /* NULL on allocation failure; comes out of reset */
void recip_div_unit_free(recip_div_unit *u);
/* Two cycles with rst_ni low, inputs idle. */
void recip_div_unit_reset(recip_div_unit *u);
/* Drives the inputs for the current cycle (held until changed). */
void recip_div_unit_drive(recip_div_unit *u, int start, unsigned pow2, uint64_t den);
/* One rising clock edge; the outputs below then show the next cycle. */
void recip_div_unit_tick(recip_div_unit *u);
int recip_div_unit_busy(recip_div_unit *u);
int recip_div_unit_done(recip_div_unit *u);
uint64_t recip_div_unit_quo(recip_div_unit *u);
/* Convenience: waits until !busy, starts, waits for done_o; returns the
 * quotient and writes the cycles from the start cycle to the done cycle
 * (QuoWidth when the unit behaves) to *cycles when non-NULL; *cycles = -1
 * if done_o never came within 1000 cycles. */
uint64_t recip_div_unit_run(recip_div_unit *u, unsigned pow2, uint64_t den, int *cycles);

#ifdef __cplusplus
}
#endif
#endif
