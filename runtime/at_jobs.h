/* Runs a command list on the device as jobs of at most a job's worth of
 * commands (AT_UAPI_MAX_CMDS, or less when asked), one after the other:
 * submit, wait, next. Each job ends with the driver's fence, so a split
 * between any two commands leaves the result as one job would give it
 * (everything before the fence has completed; the scratchpads keep their
 * contents between jobs). Shared by the model's stages (at_infer) and the
 * GEMM runner (at_gemm_run). */
#ifndef ACCELTRAN_AT_JOBS_H
#define ACCELTRAN_AT_JOBS_H

#include <stdint.h>

#include "at_drv.h"

typedef struct at_jobs_opts {
    uint32_t max_cmds;   /* commands per job (0 or above AT_UAPI_MAX_CMDS: AT_UAPI_MAX_CMDS) */
    uint64_t timeout_ns; /* each job's deadline (0: from macs, below) */
    uint64_t macs;       /* useful MACs of the whole list, for the default deadline */
} at_jobs_opts;

typedef struct at_jobs_result {
    uint64_t busy_cycles; /* sum of the jobs' busy cycles (CNT_BUSY) */
    uint32_t jobs;        /* jobs that completed */
    uint32_t status;      /* AT_UAPI_JOB_* of the job that failed (DONE when none did) */
    uint32_t failed_cmd;  /* FAILED: index of the failing command in the whole list (num_cmds: a fence) */
} at_jobs_result;

/* The default deadline of a job of n of the list's total commands: its share
 * of the MACs at one MAC lane's rate (16 per cycle, far below any PE array),
 * plus 4000 cycles per command (a 64 KiB transfer at 32 bytes per cycle,
 * with latency), plus 1 M cycles, at the configuration's clock. */
uint64_t at_jobs_deadline_ns(const at_hw_config *cfg, uint64_t macs, uint32_t n, uint32_t total);

/* Runs cmds[0..n) naming the buffer objects bos[0..nbos). Each wait outlasts
 * its job's deadline, so a hung job is ended by the driver's watchdog. On a
 * failure the job is abandoned (at_drv_abandon: nothing of it stays in the
 * driver, so the buffer objects can go) and the later jobs are not
 * submitted; err says "command I of N (OP) failed: <the driver's message>"
 * for a failing command, "submit: ..." for a refused job, else the driver's
 * message. Returns 0 or the AT_E* code. */
int at_jobs_run(at_drv *drv, const struct at_uapi_cmd *cmds, uint32_t n, const uint32_t *bos, uint32_t nbos,
                const at_jobs_opts *o, at_jobs_result *r, at_err *err);

#endif
