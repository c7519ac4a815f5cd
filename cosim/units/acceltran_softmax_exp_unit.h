/* C API over the Verilated acceltran_softmax_exp (combinational 2^-u). */
#ifndef ACCELTRAN_SOFTMAX_EXP_UNIT_H
#define ACCELTRAN_SOFTMAX_EXP_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct softmax_exp_unit softmax_exp_unit;

softmax_exp_unit *softmax_exp_unit_new(void); /* NULL on allocation failure */
void softmax_exp_unit_free(softmax_exp_unit *u);
/* Drives u_i, settles, returns e_o (Q26). */
uint32_t softmax_exp_unit_eval(softmax_exp_unit *u, uint32_t q16);

#ifdef __cplusplus
}
#endif
#endif
