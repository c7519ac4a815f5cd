/* Performance figures from the device counters (docs/isa.md, Performance
 * counters): snapshots of every counter, their deltas over a run, the
 * attribution of a run's cycles to units, and the roofline of a run on a
 * configuration. Used by at_infer, at_gemm_run and the CLI's `perf` and
 * `gemm` commands (docs/compiler.md, "Performance figures"). */
#ifndef ACCELTRAN_AT_PERF_H
#define ACCELTRAN_AT_PERF_H

#include <stdint.h>

#include "acceltran_hw.h"
#include "at_drv.h"
#include "at_error.h"

/* Every counter, indexed by AT_CNT_* (generated from the spec). */
typedef struct at_counters {
    uint64_t v[AT_NUM_COUNTERS];
} at_counters;

/* Reads every counter (CNT_x_LO then CNT_x_HI). */
int at_counters_read(at_drv *d, at_counters *out, at_err *err);
/* after - before, counter by counter, modulo 2^48 (the counters wrap). */
void at_counters_delta(const at_counters *before, const at_counters *after, at_counters *out);
/* a += b, counter by counter. */
void at_counters_add(at_counters *a, const at_counters *b);

/* A run's cycles by unit, summing to the cycles: the compute engine runs
 * one command at a time, so GEMM_BUSY, SMX_BUSY and LN_BUSY never overlap
 * and are taken as they are; a DMA transfer that overlaps compute is
 * counted with the compute (priority gemm > softmax > layernorm > dma), so
 * dma = DMA_ONLY (a DMA engine busy, the compute engine not); idle is the
 * rest (fetch, decode, fences, the gaps between jobs' commands). */
typedef struct at_unit_cycles {
    uint64_t gemm, softmax, layernorm, dma, idle;
} at_unit_cycles;

/* From the run's cycles (CNT_BUSY over its jobs) and its counter deltas.
 * AT_ERANGE when the units' cycles exceed the cycles (inconsistent
 * counters: they cannot sum to the cycles). */
int at_unit_cycles_make(uint64_t cycles, const at_counters *delta, at_unit_cycles *out, at_err *err);

/* The roofline of a run on configuration cfg:
 *   peak_macs_per_cycle  = pes x lanes x macs_per_lane
 *   bytes_per_cycle      = mem_bw_mbps / clock_mhz (the spec's bandwidth at its clock)
 *   compute_utilization  = macs / (compute_cycles x peak)       (0 when compute_cycles is 0)
 *   roofline_cycles      = max(macs / peak, dram_bytes / bytes_per_cycle)
 *   roofline_ratio       = cycles / roofline_cycles             (0 when roofline_cycles is 0)
 * memory_bound says which term is the larger. */
typedef struct at_roofline {
    double peak_macs_per_cycle, bytes_per_cycle;
    double compute_utilization;
    double compute_bound_cycles, memory_bound_cycles, roofline_cycles, roofline_ratio;
    int memory_bound;
} at_roofline;

void at_roofline_make(const at_hw_config *cfg, uint64_t cycles, uint64_t compute_cycles, uint64_t macs,
                      uint64_t dram_bytes, at_roofline *out);

#endif
