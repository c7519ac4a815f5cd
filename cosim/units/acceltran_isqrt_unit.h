/* C API over the Verilated acceltran_isqrt (31-step square root,
 * bit-exact with at_isqrt62). */
#ifndef ACCELTRAN_ISQRT_UNIT_H
#define ACCELTRAN_ISQRT_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct isqrt_unit isqrt_unit;

isqrt_unit *isqrt_unit_new(void); /* NULL on allocation failure; comes out of reset */
void isqrt_unit_free(isqrt_unit *u);
/* Pulses rst_ni low (asynchronous reset) and releases it. */
void isqrt_unit_reset(isqrt_unit *u);
/* Drives start_i / rad_i and settles. */
void isqrt_unit_set(isqrt_unit *u, int start, uint64_t rad);
/* Outputs in the current cycle (registered: they do not depend on the
 * inputs of this cycle). */
int isqrt_unit_busy(isqrt_unit *u);
int isqrt_unit_done(isqrt_unit *u);
uint32_t isqrt_unit_root(isqrt_unit *u);
/* One rising clock edge; the inputs stay as set. */
void isqrt_unit_tick(isqrt_unit *u);

#ifdef __cplusplus
}
#endif
#endif
