/* See at_jobs.h. */
#include "at_jobs.h"

#include <stdio.h>
#include <string.h>

uint64_t at_jobs_deadline_ns(const at_hw_config *cfg, uint64_t macs, uint32_t n, uint32_t total)
{
    uint64_t share = total ? macs / 16 * n / total : 0;
    uint64_t cycles = share + 4000ull * n + 1000000ull;
    uint32_t mhz = cfg && cfg->clock_mhz ? cfg->clock_mhz : 1;
    return cycles * 1000ull / mhz;
}

int at_jobs_run(at_drv *drv, const struct at_uapi_cmd *cmds, uint32_t n, const uint32_t *bos, uint32_t nbos,
                const at_jobs_opts *o, at_jobs_result *r, at_err *err)
{
    if (!drv || !cmds || !o || !r)
        return at_err_set(err, AT_EINVAL, "jobs: NULL argument");
    memset(r, 0, sizeof *r);
    r->status = AT_UAPI_JOB_DONE;
    if (n == 0)
        return at_err_set(err, AT_EINVAL, "jobs: no commands");
    uint32_t per = o->max_cmds && o->max_cmds < AT_UAPI_MAX_CMDS ? o->max_cmds : AT_UAPI_MAX_CMDS;
    const at_hw_config *cfg = at_drv_config(drv);
    for (uint32_t first = 0; first < n; first += per) {
        uint32_t k = n - first < per ? n - first : per;
        uint64_t timeout = o->timeout_ns ? o->timeout_ns : at_jobs_deadline_ns(cfg, o->macs, k, n);
        struct at_uapi_job job = {.size = sizeof job,
                                  .version = AT_UAPI_VERSION,
                                  .num_cmds = k,
                                  .cmds_ptr = (uint64_t)(uintptr_t)(cmds + first),
                                  .cmd_size = sizeof(struct at_uapi_cmd),
                                  .num_bos = nbos,
                                  .bos_ptr = nbos ? (uint64_t)(uintptr_t)bos : 0,
                                  .timeout_ns = timeout};
        char m[sizeof err->msg];
        int rc = at_drv_submit(drv, &job, err);
        if (rc) {
            snprintf(m, sizeof m, "%s", err ? err->msg : "");
            /* a job that failed while it was written is registered NOT_RUN */
            if (job.job_id)
                at_drv_abandon(drv, job.job_id, NULL, NULL);
            r->status = AT_UAPI_JOB_NOT_RUN;
            return at_err_set(err, rc, "submit: %s", m);
        }
        struct at_uapi_wait w = {.size = sizeof w, .job_id = job.job_id, .timeout_ns = 2 * timeout + 1000000};
        rc = at_drv_wait(drv, &w, err);
        if (rc) {
            snprintf(m, sizeof m, "%s", err ? err->msg : "");
            r->status = w.status;
            /* QUEUED (a port error) is stopped, NOT_RUN dropped; a final
             * status was retired by the wait (AT_ENOTFOUND, nothing to do) */
            at_drv_abandon(drv, job.job_id, NULL, NULL);
            if (w.status == AT_UAPI_JOB_FAILED && w.failed_cmd < k) {
                r->failed_cmd = first + w.failed_cmd;
                return at_err_set(err, rc, "command %u of %u (%s) failed: %s", r->failed_cmd, n,
                                  at_drv_opcode_name(AT_DGET(cmds[r->failed_cmd].desc, OPCODE)), m);
            }
            r->failed_cmd = w.status == AT_UAPI_JOB_FAILED ? n : 0;
            return at_err_set(err, rc, "%s", m);
        }
        r->busy_cycles += w.busy_cycles;
        r->jobs++;
    }
    return 0;
}
