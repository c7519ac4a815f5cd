/* The commands of docs/isa.md on scratchpad arrays: the bit-exact
 * definition shared by the functional-model device (device_fmodel.c) and
 * the RTL tests of the compute engine. No memory, no timing: transfers
 * between memory and scratchpads are in the device model, which calls
 * at_exec_check_* for the checks that need no memory windows. */
#ifndef ACCELTRAN_DEVICE_EXEC_H
#define ACCELTRAN_DEVICE_EXEC_H

#include <stdint.h>

#include "acceltran_hw.h"

/* Scratchpads of one device. Lines are 16 int16 elements. */
typedef struct at_spad {
    uint32_t act_lines, wgt_lines, mask_lines; /* mask_lines = act_lines / 16 */
    int16_t (*act)[16];
    uint16_t *act_mask; /* mask word of activation line L (= element L%16 of mask line L/16) */
    int16_t (*wgt)[16];
} at_spad;

/* Allocates zeroed scratchpads sized by cfg; 0 or AT_ENOMEM / AT_EINVAL. */
int at_spad_init(at_spad *sp, const at_hw_config *cfg);
void at_spad_free(at_spad *sp);

/* Exact per-command counts (docs/isa.md, Performance counters). */
typedef struct at_exec_counts {
    uint64_t mac_issued, mac_skipped, pruned;
    uint64_t spad_rd, spad_wr; /* lines, as the command semantics touch them */
    /* the same by buffer: spad_rd = act_rd + wgt_rd, spad_wr = act_wr +
     * wgt_wr (wgt_wr: the C lines of a GEMM with C_WGT); each activation
     * line read or written also reads or writes its mask word (weight lines
     * have none) */
    uint64_t act_rd, wgt_rd, act_wr, wgt_wr;
    uint64_t smx_rows, ln_rows; /* rows written (SOFTMAX: those before a bad length) */
} at_exec_counts;

/* Inclusive line interval of one scratchpad access; buf: 0 act, 1 wgt, 2 mask. */
typedef struct at_spad_range {
    int buf;
    uint64_t first, last;
    int write; /* 1: written, 0: read */
} at_spad_range;

/* The decode-time checks of docs/isa.md for any opcode, in the documented
 * order, except the memory-window check (the device model does that with
 * at_exec_mem_range()). Returns AT_DEVERR_NONE or the device error code
 * (AT_DEVERR_*) and sets *detail. cfg gives max_seq / max_hidden. */
int at_exec_check(const uint32_t d[AT_DESC_WORDS], const at_spad *sp, const at_hw_config *cfg,
                  uint32_t *detail);

/* The scratchpad intervals a checked command touches (up to 8), for the
 * dependency rule. Returns the count. */
int at_exec_ranges(const uint32_t d[AT_DESC_WORDS], at_spad_range out[8]);

/* Memory byte range [*lo, *hi) of a checked LOAD / STORE / FENCE-with-write;
 * returns 0 when the opcode touches no memory. *wraps = 1 when the range
 * passes 2^64. */
int at_exec_mem_range(const uint32_t d[AT_DESC_WORDS], uint64_t *lo, uint64_t *hi, int *wraps);

/* Runs a checked GEMM, SOFTMAX or LAYERNORM. Returns AT_DEVERR_NONE, or
 * AT_DEVERR_ILLEGAL_FIELD with *detail = 0x10000 + row for a SOFTMAX row
 * length outside 1..N (rows before it are written). Adds to *cnt. */
int at_exec_compute(const uint32_t d[AT_DESC_WORDS], at_spad *sp, at_exec_counts *cnt, uint32_t *detail);

/* LOAD / STORE on one line (the device model moves the bytes): the line
 * (r, cb) of a checked transfer, its memory address, and how many elements
 * of it are valid (1..16). */
uint64_t at_exec_xfer_line(const uint32_t d[AT_DESC_WORDS], uint32_t r, uint32_t cb);
uint64_t at_exec_xfer_addr(const uint32_t d[AT_DESC_WORDS], uint32_t r, uint32_t cb);
int at_exec_xfer_valid(const uint32_t d[AT_DESC_WORDS], uint32_t cb);

#endif
