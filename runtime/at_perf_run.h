/* One performance run of an encoder on the simulated device (`acceltran
 * perf`, docs/compiler.md "Performance runs"): a model of a named shape
 * (all-MiniLM-L6-v2 with its real weights, or the synthetic BERT-tiny /
 * BERT-base of at_synth.h), a batch of seeded synthetic token sequences,
 * compiled (at_model) and run through the driver (at_infer), and the
 * figures from the device counters: cycles by unit, utilization, time and
 * throughput at the configuration's clock, memory traffic and the
 * roofline. */
#ifndef ACCELTRAN_AT_PERF_RUN_H
#define ACCELTRAN_AT_PERF_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "at_energy.h"
#include "at_error.h"
#include "at_infer.h"
#include "at_perf.h"

typedef struct at_perf_opts {
    const char *model;       /* "minilm", "bert-tiny" or "bert-base" */
    const char *model_dir;   /* minilm: the all-MiniLM-L6-v2 folder */
    const char *backend;     /* "fmodel" (NULL) or "rtl" */
    const char *config;      /* "tiny" (NULL), "mid", "edge", "server" */
    const char *dtb;         /* NULL: $BUILD/firmware/<config>.dtb */
    size_t batch, seq;       /* sequences, tokens each (1..512) */
    double tau;              /* DynaTran threshold (real units; 0: only exact zeros) */
    uint32_t sites;          /* at_sites.h mask of the sites tau applies to */
    uint64_t seed;           /* tokens (and synthetic weights: seed + 1) */
    int exclude_weights;     /* 1: preload the weights (a stage left out of the figures): the figures
                                of a run whose weights are already on chip */
    int kv_mem;              /* 1: K and V through memory (at_infer_opts.kv_mem): the old path */
    int threads;             /* calibration threads (0: all CPUs) */
    at_infer_progress progress;
    void *progress_ctx;
} at_perf_opts;

typedef struct at_perf_result {
    char model[16], backend[16], config[16];
    int layers, hidden, heads, intermediate;
    size_t batch, seq, tokens;
    uint64_t cycles;              /* CNT_BUSY over the counted stages' jobs */
    at_unit_cycles units;         /* sum to cycles (at_perf.h) */
    double utilization;           /* useful MACs / (cycles x peak) */
    double clock_mhz, device_seconds, sequences_per_second;
    uint64_t dram_bytes, macs, mac_skipped, useful_macs;
    int weights_loaded;           /* the weights' loads are in the figures */
    uint64_t compute_cycles;      /* CNT_GEMM_BUSY */
    at_roofline roof;             /* from cycles, compute_cycles, macs, dram_bytes */
    uint64_t smx_rows, ln_rows;   /* CNT_SMX_ROWS, CNT_LN_ROWS */
    uint32_t stages, jobs, commands;
    int resident;                 /* activations stayed on chip between stages */
    int kv_weights;               /* K and V straight into the weight scratchpad */
    double host_seconds;          /* wall time of the device run (not of the calibration) */
    at_energy energy;             /* the energy estimate of the counted stages (at_energy.h) */
} at_perf_result;

/* Validates the options (AT_EINVAL naming the bad one), builds the model
 * and the device, runs the batch, fills *r. */
int at_perf_run(const at_perf_opts *o, at_perf_result *r, at_err *err);

/* The figures of r derived from its counters: units' sum, roofline,
 * energy estimate, time at the clock (used by at_perf_run; exposed for the tests). */
int at_perf_figures(const at_hw_config *cfg, const at_infer_stats *st, size_t batch, at_perf_result *r,
                    at_err *err);

#endif
