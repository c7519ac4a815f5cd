/* C API over the Verilated acceltran_postproc (default parameters: Width =
 * POSTPROC_UNIT_WIDTH elements per row, TagWidth = 8). One call of
 * postproc_unit_step is one clock cycle: it drives the inputs, applies a
 * rising edge and returns the outputs registered by that edge. */
#ifndef ACCELTRAN_POSTPROC_UNIT_H
#define ACCELTRAN_POSTPROC_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POSTPROC_UNIT_WIDTH 16

typedef struct postproc_unit postproc_unit;

/* Configuration, held by the unit until the next postproc_unit_config. */
typedef struct postproc_unit_cfg {
    uint16_t rq_m[POSTPROC_UNIT_WIDTH];
    uint8_t rq_s[POSTPROC_UNIT_WIDTH]; /* 0..63 */
    int gelu_en;
    uint16_t gelu_in_m, gelu_out_m;
    uint8_t gelu_in_s, gelu_out_s; /* 0..63 */
    uint16_t tau;
} postproc_unit_cfg;

typedef struct postproc_unit_out {
    int valid;
    uint32_t tag;
    int16_t y[POSTPROC_UNIT_WIDTH];
    uint32_t mask;   /* bit j = column j kept */
    unsigned pruned;
} postproc_unit_out;

postproc_unit *postproc_unit_new(void); /* NULL on allocation failure; reset applied */
void postproc_unit_free(postproc_unit *u);
/* Holds rst_ni low for two clock edges (inputs idle), then releases it. */
void postproc_unit_reset(postproc_unit *u);
void postproc_unit_config(postproc_unit *u, const postproc_unit_cfg *cfg);
/* One cycle. acc: POSTPROC_UNIT_WIDTH values, the low 48 bits are driven;
 * bias may be NULL (zeros); acc may be NULL when !valid (zeros). */
void postproc_unit_step(postproc_unit *u, int valid, uint32_t tag, const int64_t *acc,
                        const int32_t *bias, postproc_unit_out *out);

#ifdef __cplusplus
}
#endif
#endif
