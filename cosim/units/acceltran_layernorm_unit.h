/* C API over the Verilated acceltran_layernorm (row layer-norm, bit-exact
 * with at_layernorm_row). Cycle-level: the caller drives every handshake.
 * The interface is described in docs/rtl-layernorm.md. */
#ifndef ACCELTRAN_LAYERNORM_UNIT_H
#define ACCELTRAN_LAYERNORM_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Elements per beat of the Verilated model (acceltran_pkg::TileSize). */
#define LN_UNIT_WIDTH 16

typedef struct ln_unit ln_unit;

typedef struct ln_unit_in {
    int cfg_valid;          /* row configuration */
    int n;                  /* 1..1024 */
    int res_en;
    int64_t eps_q;          /* 0..2^61 */
    uint16_t out_m;
    uint8_t out_s;          /* 0..63 */
    int in_valid;           /* pass 1 beat */
    int16_t x[LN_UNIT_WIDTH];
    int16_t res[LN_UNIT_WIDTH];
    int par_valid;          /* pass 2 beat */
    int16_t gamma[LN_UNIT_WIDTH];
    int32_t beta[LN_UNIT_WIDTH];
    int out_ready;
} ln_unit_in;

typedef struct ln_unit_out {
    int cfg_ready, in_ready, par_ready;
    int out_valid, out_last, busy;
    int16_t y[LN_UNIT_WIDTH];
} ln_unit_out;

ln_unit *ln_unit_new(void); /* NULL on allocation failure; comes out of reset */
void ln_unit_free(ln_unit *u);
void ln_unit_reset(ln_unit *u); /* asynchronous reset pulse */
/* Drives all inputs and settles the combinational outputs. */
void ln_unit_set(ln_unit *u, const ln_unit_in *in);
/* Outputs in the current cycle (after ln_unit_set: the readys depend on
 * out_ready). A handshake happens at the next tick when valid && ready. */
void ln_unit_get(ln_unit *u, ln_unit_out *out);
/* One rising clock edge; the inputs stay as set. */
void ln_unit_tick(ln_unit *u);

#ifdef __cplusplus
}
#endif
#endif
