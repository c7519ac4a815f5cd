/* The functional-model device (device_fmodel.c): at_cosim_fmodel_ops, and
 * the constants and helpers of its cycle estimate (docs/cosim.md, "fmodel
 * timing model"). Every constant is a cycle count of the estimate; change
 * them here to calibrate against the RTL. */
#ifndef ACCELTRAN_DEVICE_FMODEL_H
#define ACCELTRAN_DEVICE_FMODEL_H

#include <stdint.h>

#include "acceltran_hw.h"
#include "cosim_backend.h"
#include "device_exec.h"

/* Register access: cycles one MMIO read or write advances the clock. */
#define FM_MMIO_CYCLES 2u
/* Soft reset: cycles from the write to the end of the reset when no bus
 * transaction is outstanding. */
#define FM_RESET_CYCLES 2u

/* Memory bus (as cosim/rtl/axi_mem_slave.h): outstanding bursts per
 * direction, cycles from the last W beat to B. The read latency and the
 * bandwidth come from the host memory (at_host_mem_latency/bytes_per_cycle). */
#define FM_RD_OUTSTANDING 8u
#define FM_WR_OUTSTANDING 8u
#define FM_WR_RESP_LATENCY 2u

/* Command processor: descriptors fetched ahead (buffer depth), cycles from
 * a descriptor's last beat to its decoded, checked form, and the minimum
 * distance between two issues. */
#define FM_FETCH_DEPTH 4u
#define FM_DECODE_CYCLES 2u
#define FM_ISSUE_CYCLES 1u

/* DMA engines: cycles from issue to the first request, and from the last
 * beat / response to the engine's done. */
#define FM_DMA_START 1u
#define FM_DMA_END 1u

/* GEMM (docs/rtl-top.md, GEMM schedule): scratchpad port rates, the fixed
 * cost per PE tile (parameter quad read and tile handshake), and per
 * command (start and done). The output rows of a group drain through the
 * activation write port while the next group computes; the last group's
 * drain and PE_PP_LATENCY are added at the end. */
#define FM_GEMM_WGT_QUADS_PER_CYCLE 4u /* weight port: one chunk (4 quads) of one column per cycle */
#define FM_GEMM_ACT_LINES_PER_CYCLE 1u /* A lines per cycle per feeder port and bank (broadcast to its row) */
#define FM_GEMM_OUT_LINES_PER_CYCLE 1u /* C line writes per cycle and writer lane (out_lanes) */
#define FM_GEMM_ACT_FILL 2u           /* feeder: read latency before the first beat */
#define FM_GEMM_ACCUM_LINE 3u         /* ACCUM: cycles per C line (read, add, write) */
#define FM_GEMM_WGT_SLOTS 3u          /* chunk slots per weight stream (acceltran_gemm WgtSlots) */
#define FM_GEMM_ACT_DEPTH 4u          /* entries of a lane's activation FIFO (acceltran_gemm ActDepth) */
#define FM_GEMM_TILE_OVERHEAD 2u
#define FM_GEMM_CMD_OVERHEAD 4u

/* SOFTMAX (docs/rtl-softmax.md, cosim/fmodel/row_model.c): a row's EXP
 * pass takes L + EXP_ADD cycles (L = its source lines), its division
 * DIV_CYCLES; from the command's acceptance to the lanes' first cycle
 * START, from the last write (or the bad length) to done / err DONE. */
#define FM_SMX_EXP_ADD 4u
#define FM_SMX_DIV_CYCLES 28u
#define FM_SMX_START 2u
#define FM_SMX_DONE 2u

/* LAYERNORM (docs/rtl-layernorm.md, cosim/fmodel/row_model.c): a row's
 * first output is written ROW cycles after its last pass-1 beat (ROW_VE0
 * for a constant row with eps 0), through pass 2's PIPE registers; START
 * and DONE as for SOFTMAX. */
#define FM_LN_ROW 67u
#define FM_LN_ROW_VE0 9u
#define FM_LN_PIPE 5u
#define FM_LN_START 2u
#define FM_LN_DONE 1u

/* Row engines: the most units a SOFTMAX or LAYERNORM engine is modelled with. */
#define FM_ROW_UNITS_MAX 64u

/* Busy cycles of one GEMM PE group tile: the recurrences of
 * pe_model_cycles() (cosim/fmodel/pe_model.h) with a weight beat every
 * wgt_period cycles (round-robin weight feeder) and each chunk taking at
 * least act_cycles (activation feeder: one line per row of the block).
 * With wgt_period = 1 and act_cycles = 0 it equals pe_model_cycles().
 * *stall_wgt / *stall_act (may be NULL): cycles without a weight chunk,
 * and cycles the lanes waited for activations. */
uint64_t at_fm_pe_group_cycles(int rows, int k, const uint8_t *nnz, int num_lanes,
                               int wgt_rows_per_beat, int after_tile, uint64_t wgt_period,
                               uint64_t act_cycles, uint64_t *stall_wgt, uint64_t *stall_act);

/* GEMM port rates of a configuration (docs/rtl-compute.md, "Scratchpad
 * bandwidth"): PE rows R (C = pes / R columns), activation lines read per
 * cycle, weight quads read per cycle, C lines written per cycle. */
uint32_t at_fm_gemm_pe_rows(const at_hw_config *cfg);
uint32_t at_fm_gemm_act_lines(const at_hw_config *cfg);
uint32_t at_fm_gemm_wgt_quads(const at_hw_config *cfg);
uint32_t at_fm_gemm_out_lines(const at_hw_config *cfg);

/* The fmodel's estimate of a GEMM descriptor's compute-engine cycles on the
 * scratchpad contents sp (the sparsity of A matters), from the start of the
 * command to its done; adds PE_BUSY, STALL_WGT and STALL_ACT to
 * delta[AT_CNT_*] (AT_NUM_COUNTERS entries). */
uint64_t at_fm_gemm_cycles(const at_hw_config *cfg, const at_spad *sp, const uint32_t *d,
                           uint64_t *delta);

/* One cycle of acceltran_spad's per-bank round-robin over np compute
 * ports (acceltran_bank_arb): per bank (line L in bank at_act_bank(L,
 * banks)) the first port at or after rr[bank] asking for it (req[p],
 * line addr[p]) is granted (gnt[p] = 1, the others 0) and the pointer
 * moves past it. The GEMM's feeder simulation and the row engines' lanes
 * (cosim/fmodel/row_model.c) run their requests through it. */
void at_fm_bank_arb_cycle(uint32_t banks, uint32_t np, const uint8_t *req, const uint32_t *addr,
                          uint32_t *rr, uint8_t *gnt);

/* Lanes of a SOFTMAX / LAYERNORM engine of `units` units
 * (docs/rtl-compute.md "SOFTMAX and LAYERNORM"): each lane has its own
 * activation read and write port. */
uint32_t at_fm_row_lanes(const at_hw_config *cfg, uint32_t units);

/* The fmodel's estimate of a SOFTMAX / LAYERNORM descriptor's compute-engine
 * cycles on the scratchpad contents sp (the per-row lengths, constant
 * rows), from the start of the command to its done (SOFTMAX: or its
 * bad-length error). */
uint64_t at_fm_softmax_cycles(const at_hw_config *cfg, const at_spad *sp, const uint32_t *d);
uint64_t at_fm_layernorm_cycles(const at_hw_config *cfg, const at_spad *sp, const uint32_t *d);

#endif
