/* One random int16 GEMM on the device, end to end: data from a seed,
 * buffer objects, the tiled command stream of at_gemm_plan, submit, wait
 * (as several jobs when the plan holds more commands than one job), the
 * device counters, and the check against the host reference. Shared by
 * `acceltran gemm`, tools/bench/bench_device.c and the driver tests. */
#ifndef ACCELTRAN_AT_GEMM_RUN_H
#define ACCELTRAN_AT_GEMM_RUN_H

#include <stdint.h>

#include "at_drv.h"
#include "at_gemm_plan.h"
#include "at_perf.h"

typedef struct at_gemm_run_opts {
    uint32_t m, n, k;
    double sparsity;     /* fraction of A's elements that are 0, 0..1 */
    uint16_t tau;        /* DynaTran threshold */
    uint64_t seed;
    uint64_t timeout_ns; /* each job's deadline (0: 100 s of device time) */
    int order;           /* AT_GEMM_ORDER_* (0: auto) */
    uint32_t max_job_cmds; /* commands per job (0: AT_UAPI_MAX_CMDS); a longer plan runs as several
                              jobs in a row, with the result of one (at_jobs.h) */
    const at_hw_config *plan_cfg; /* plan for these scratchpads instead of the device's (a what-if; each
                                     buffer at most the device's); NULL: the device's configuration */
    int b_preload;       /* 1: one LOAD at the head of the job puts all of B (packed in column tiles) at
                            weight line 0 and the plan uses it there (at_gemm_spec.b_resident, as the
                            compiler's preloaded weights); needs K <= 4095 and B to fit the weight scratchpad */
} at_gemm_run_opts;

typedef struct at_gemm_run_result {
    int ok;                   /* the device's C equals the reference */
    uint64_t mismatches;      /* elements that differ */
    uint64_t cycles;          /* device busy cycles of the jobs, summed (CNT_BUSY) */
    uint64_t macs;            /* M x N x K */
    uint64_t peak_macs_per_cycle;
    double utilization;       /* macs / (cycles x peak) */
    uint64_t mac_issued, mac_skipped, pruned; /* device counters over the jobs */
    uint64_t mem_rd, mem_wr;  /* memory bytes read (descriptors and fences included) and written */
    uint64_t compute_cycles;  /* CNT_GEMM_BUSY over the jobs: cycles the GEMM engine held a command */
    at_roofline roof;         /* at_roofline_make(config, cycles, compute_cycles, macs, mem_rd + mem_wr) */
    at_counters delta;        /* every counter over the jobs */
    uint64_t pruned_ref;      /* reference pruned count */
    double sparsity_actual;   /* zeros in A / (M x K) */
    uint64_t checksum;        /* at_gemm_checksum of the device's C */
    uint32_t commands;        /* commands of the plan (without the jobs' fences; with b_preload, its LOAD included) */
    uint32_t jobs;            /* jobs they ran as (ceil(commands / max_job_cmds)) */
    at_gemm_plan plan;        /* the plan's numbers (cmds freed: NULL) */
    double host_seconds;      /* wall time of submit + wait */
    uint64_t sim_cycles;      /* port cycles elapsed during submit + wait (0: unknown) */
} at_gemm_run_result;

/* Runs it. Returns 0 when the job ran (r->ok tells whether the result is
 * right), else an AT_E* code (job failed, timed out, bad shape, ...). */
int at_gemm_run(at_drv *drv, const at_gemm_run_opts *o, at_gemm_run_result *r, at_err *err);

#endif
