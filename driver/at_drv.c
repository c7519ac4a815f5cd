/* The OS-independent driver core: probe, reset, windows, ring, buffer
 * objects, submit, wait, error attribution and recovery. See at_drv.h and
 * docs/driver.md. UAPI validation is in at_uapi.c. */
#include "at_drv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_drv_priv.h"

/* ------------------------------------------------------------ port helpers */

int at_drv_reg_read(at_drv *d, uint32_t off, uint32_t *val, at_err *err)
{
    return d->port.ops->reg_read(d->port.ctx, off, val, err);
}

int at_drv_reg_write(at_drv *d, uint32_t off, uint32_t val, at_err *err)
{
    return d->port.ops->reg_write(d->port.ctx, off, val, err);
}

int at_drv_counter(at_drv *d, uint32_t lo_off, uint64_t *val, at_err *err)
{
    uint32_t lo = 0, hi = 0;
    int rc = at_drv_reg_read(d, lo_off, &lo, err);
    if (!rc)
        rc = at_drv_reg_read(d, lo_off + 4, &hi, err);
    if (!rc)
        *val = ((uint64_t)(hi & 0xffffu) << 32) | lo;
    return rc;
}

static uint64_t drv_now(at_drv *d)
{
    return d->port.ops->now_ns(d->port.ctx);
}

/* probe_fdt's register reader: a failing read reads as all ones. */
static uint32_t probe_read(void *ctx, uint32_t off)
{
    at_drv *d = ctx;
    uint32_t v = 0xffffffffu;
    if (d->port.ops->reg_read(d->port.ctx, off, &v, NULL))
        return 0xffffffffu;
    return v;
}

/* ------------------------------------------------------------ jobs list */

static void job_free(drv_job *j)
{
    if (!j)
        return;
    free(j->desc);
    free(j->bos);
    free(j);
}

static drv_job *job_find(const at_drv *d, uint64_t id, size_t *pos)
{
    for (size_t i = 0; i < d->njobs; i++)
        if (d->jobs[i]->id == id) {
            if (pos)
                *pos = i;
            return d->jobs[i];
        }
    return NULL;
}

static void job_remove(at_drv *d, size_t pos)
{
    job_free(d->jobs[pos]);
    memmove(&d->jobs[pos], &d->jobs[pos + 1], (d->njobs - pos - 1) * sizeof d->jobs[0]);
    d->njobs--;
}

static int job_append(at_drv *d, drv_job *j, at_err *err)
{
    if (d->njobs == d->capjobs) {
        size_t cap = d->capjobs ? 2 * d->capjobs : 16;
        drv_job **p = realloc(d->jobs, cap * sizeof *p);
        if (!p)
            return at_err_set(err, AT_ENOMEM, "driver: out of memory for the job list");
        d->jobs = p;
        d->capjobs = cap;
    }
    d->jobs[d->njobs++] = j;
    return 0;
}

size_t at_drv_jobs_held(const at_drv *d)
{
    return d ? d->njobs : 0;
}

/* seq a is at or before b (32-bit wrap-around). */
static int seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(b - a) >= 0;
}

/* ------------------------------------------------------------ hardware setup */

static int drv_program(at_drv *d, at_err *err)
{
    int rc = 0;
    /* windows: 0 = ring + fence slot, 1 = buffer-object arena, others
     * closed; a device with one window gets one spanning both */
    uint64_t wb[4] = {d->ctrl.bus, d->arena.bus, 0, 0};
    uint64_t ws[4] = {d->ctrl.bytes, d->arena.bytes, 0, 0};
    uint32_t nwin = d->dev.config.windows < 4 ? d->dev.config.windows : 4;
    if (nwin == 1) {
        uint64_t lo = wb[0] < wb[1] ? wb[0] : wb[1];
        uint64_t hi0 = wb[0] + ws[0], hi1 = wb[1] + ws[1];
        wb[0] = lo;
        ws[0] = (hi0 > hi1 ? hi0 : hi1) - lo;
    }
    for (uint32_t i = 0; i < nwin; i++) {
        uint32_t base = AT_REG_WIN0_BASE_LO + 0x10u * i;
        uint64_t b = wb[i], sz = ws[i];
        if ((rc = at_drv_reg_write(d, base + 0x0, (uint32_t)b, err)) ||
            (rc = at_drv_reg_write(d, base + 0x4, (uint32_t)(b >> 32), err)) ||
            (rc = at_drv_reg_write(d, base + 0x8, (uint32_t)sz, err)) ||
            (rc = at_drv_reg_write(d, base + 0xc, (uint32_t)(sz >> 32), err)))
            return rc;
    }
    if ((rc = at_drv_reg_write(d, AT_REG_RING_BASE_LO, (uint32_t)d->ring_bus, err)) ||
        (rc = at_drv_reg_write(d, AT_REG_RING_BASE_HI, (uint32_t)(d->ring_bus >> 32), err)) ||
        (rc = at_drv_reg_write(d, AT_REG_RING_SIZE, d->ring_log2, err)) ||
        (rc = at_drv_reg_write(d, AT_REG_IRQ_STATUS, 0x3u, err)) ||
        (rc = at_drv_reg_write(d, AT_REG_IRQ_ENABLE,
                               AT_REG_IRQ_ENABLE_DONE_MASK | AT_REG_IRQ_ENABLE_ERROR_MASK, err)) ||
        (rc = at_drv_reg_write(d, AT_REG_CTRL, AT_REG_CTRL_ENABLE_MASK, err)))
        return rc;
    d->abs_tail = 0;
    /* the fence slot holds the last sequence number known complete */
    uint32_t s = d->seq_done;
    return d->port.ops->dma_write(d->port.ctx, &d->ctrl, d->fence_off, &s, 4, err);
}

/* One soft reset: SOFT_RESET, then STATUS.IDLE within the reset timeout. */
static int drv_soft_reset_once(at_drv *d, at_err *err)
{
    int rc = at_drv_reg_write(d, AT_REG_SOFT_RESET, AT_REG_SOFT_RESET_RESET_MASK, err);
    if (rc)
        return rc;
    uint64_t t0 = drv_now(d);
    for (;;) {
        uint32_t st = 0;
        if ((rc = at_drv_reg_read(d, AT_REG_STATUS, &st, err)))
            return rc;
        if ((st & AT_REG_STATUS_IDLE_MASK) && !(st & AT_REG_STATUS_RESETTING_MASK))
            return 0;
        if (drv_now(d) - t0 > d->opts.reset_timeout_ns)
            return at_err_set(err, AT_ETIMEDOUT,
                              "%s: soft reset did not finish within %" PRIu64 " ns (STATUS 0x%08x)",
                              d->dev.path, d->opts.reset_timeout_ns, st);
        if ((rc = d->port.ops->delay(d->port.ctx, 100, err)))
            return rc;
    }
}

/* The device is unusable: every job still queued becomes NOT_RUN, and every
 * later call says so until a reset works. */
static int drv_mark_lost(at_drv *d, const char *why, at_err *err)
{
    d->lost = 1;
    snprintf(d->lost_msg, sizeof d->lost_msg, "%.40s: device lost: %.190s", d->dev.path, why);
    for (size_t i = 0; i < d->njobs; i++) {
        drv_job *j = d->jobs[i];
        if (j->status != AT_UAPI_JOB_QUEUED)
            continue;
        j->status = AT_UAPI_JOB_NOT_RUN;
        snprintf(j->msg, sizeof j->msg, "job %" PRIu64 " was not run: %s", j->id, d->lost_msg);
    }
    return at_err_set(err, AT_EDEVICE, "%s", d->lost_msg);
}

/* Soft reset (tried reset_tries times), reprogram. A reset that never
 * completes marks the device lost. Does not touch the jobs otherwise. */
static int drv_hw_reset(at_drv *d, at_err *err)
{
    int rc = 0;
    at_err e1 = {0};
    for (uint32_t t = 0; t < d->opts.reset_tries; t++) {
        rc = drv_soft_reset_once(d, &e1);
        if (rc != AT_ETIMEDOUT)
            break;
    }
    if (rc == AT_ETIMEDOUT) {
        char why[sizeof d->lost_msg];
        snprintf(why, sizeof why, "%u soft resets did not complete (%.180s)", d->opts.reset_tries, e1.msg);
        return drv_mark_lost(d, why, err);
    }
    if (rc) {
        /* a port error left the reset undone: the device may still be
         * running what was queued, so nothing may be submitted (or a job's
         * buffers freed) until a reset works */
        char why[sizeof d->lost_msg];
        snprintf(why, sizeof why, "the soft reset failed on the port (%.180s)", e1.msg);
        return drv_mark_lost(d, why, err);
    }
    d->resets++;
    d->lost = 0;
    d->lost_msg[0] = 0;
    return drv_program(d, err);
}

static int drv_lost_err(const at_drv *d, at_err *err)
{
    return at_err_set(err, AT_EDEVICE, "%s (at_drv_reset tries again)", d->lost_msg);
}

/* ------------------------------------------------------------ completion and recovery */

static int read_fence_slot(at_drv *d, uint32_t *v, at_err *err)
{
    return d->port.ops->dma_read(d->port.ctx, &d->ctrl, d->fence_off, v, 4, err);
}

/* The first queued job is the one running (the jobs before it are done):
 * its deadline counts from the first time the driver sees that. */
static drv_job *drv_running(const at_drv *d, size_t *pos)
{
    for (size_t i = 0; i < d->njobs; i++)
        if (d->jobs[i]->status == AT_UAPI_JOB_QUEUED) {
            if (pos)
                *pos = i;
            return d->jobs[i];
        }
    return NULL;
}

static void drv_mark_started(at_drv *d)
{
    drv_job *j = drv_running(d, NULL);
    if (j && !j->started) {
        j->started = 1;
        j->start_ns = drv_now(d);
    }
}

/* Marks every queued job whose fence value has been written as DONE. */
static int drv_update_done(at_drv *d, at_err *err)
{
    uint32_t done = 0;
    int rc = read_fence_slot(d, &done, err);
    if (rc)
        return rc;
    uint64_t busy = 0;
    int have_busy = 0;
    for (size_t i = 0; i < d->njobs; i++) {
        drv_job *j = d->jobs[i];
        if (j->status != AT_UAPI_JOB_QUEUED)
            continue;
        if (j->n_written < j->n_cmds + 1 || !seq_le(j->seq, done))
            break; /* jobs complete in order */
        if (!have_busy) {
            if (at_drv_counter(d, AT_REG_CNT_BUSY_LO, &busy, NULL))
                busy = j->busy_start;
            have_busy = 1;
        }
        j->status = AT_UAPI_JOB_DONE;
        j->busy_cycles = busy - j->busy_start;
        if (seq_le(d->seq_done, j->seq))
            d->seq_done = j->seq;
    }
    drv_mark_started(d);
    return 0;
}

/* After a failure of job index `fail` (in d->jobs): the jobs before it that
 * are still queued ran completely (sequential semantics) -> DONE; the jobs
 * after it -> NOT_RUN. */
static void drv_mark_rest(at_drv *d, size_t fail, const char *why)
{
    for (size_t i = 0; i < d->njobs; i++) {
        drv_job *j = d->jobs[i];
        if (j->status != AT_UAPI_JOB_QUEUED || i == fail)
            continue;
        if (i < fail) {
            j->status = AT_UAPI_JOB_DONE;
            if (seq_le(d->seq_done, j->seq))
                d->seq_done = j->seq;
        } else {
            j->status = AT_UAPI_JOB_NOT_RUN;
            snprintf(j->msg, sizeof j->msg, "job %" PRIu64 " was not run: %s", j->id, why);
        }
    }
}

/* The device halted: decode the error, attribute it, reset. */
static int drv_handle_halt(at_drv *d, at_err *err)
{
    int rc = drv_update_done(d, err);
    if (rc)
        return rc;
    uint32_t code = 0, lo = 0, hi = 0, info = 0, head = 0;
    if ((rc = at_drv_reg_read(d, AT_REG_ERR_CODE, &code, err)) ||
        (rc = at_drv_reg_read(d, AT_REG_ERR_DESC_LO, &lo, err)) ||
        (rc = at_drv_reg_read(d, AT_REG_ERR_DESC_HI, &hi, err)) ||
        (rc = at_drv_reg_read(d, AT_REG_ERR_INFO, &info, err)) ||
        (rc = at_drv_reg_read(d, AT_REG_RING_HEAD, &head, err)))
        return rc;
    at_drv_deverr e = {AT_GET(AT_REG_ERR_CODE_CODE, code), AT_GET(AT_REG_ERR_CODE_OPCODE, code),
                       AT_GET(AT_REG_ERR_CODE_TAG, code), info, ((uint64_t)hi << 32) | lo};
    uint64_t n = d->ring_n;
    uint64_t idx = AT_GET(AT_REG_RING_HEAD_INDEX, head) & (n - 1);
    if (e.desc_addr >= d->ring_bus && e.desc_addr < d->ring_bus + 64 * n)
        idx = (e.desc_addr - d->ring_bus) / 64;
    /* absolute position: the one in [abs_tail - n, abs_tail) congruent to idx */
    uint64_t k = (d->abs_tail - idx) & (n - 1);
    if (k == 0)
        k = n;
    uint64_t abs = d->abs_tail >= k ? d->abs_tail - k : UINT64_MAX;

    size_t fail = d->njobs;
    for (size_t i = 0; i < d->njobs; i++) {
        drv_job *j = d->jobs[i];
        if (j->status == AT_UAPI_JOB_QUEUED && abs != UINT64_MAX && abs >= j->abs_first &&
            abs < j->abs_first + j->n_written) {
            fail = i;
            break;
        }
    }
    if (fail == d->njobs) /* not found: blame the first queued job */
        for (size_t i = 0; i < d->njobs; i++)
            if (d->jobs[i]->status == AT_UAPI_JOB_QUEUED) {
                fail = i;
                break;
            }
    char why[512];
    if (fail < d->njobs) {
        drv_job *j = d->jobs[fail];
        uint32_t ci = abs != UINT64_MAX && abs >= j->abs_first ? (uint32_t)(abs - j->abs_first) : 0;
        if (ci > j->n_cmds)
            ci = 0;
        char text[384];
        at_drv_deverr_text(&e, j->desc[ci], text, sizeof text);
        j->status = AT_UAPI_JOB_FAILED;
        j->failed_cmd = ci;
        j->dev_err = e.code;
        j->dev_info = e.info;
        snprintf(j->msg, sizeof j->msg,
                 "job %" PRIu64 " failed at command %u of %u (%s%s, tag 0x%04x, descriptor at 0x%" PRIx64
                 "): %s",
                 j->id, ci, j->n_cmds, at_drv_opcode_name(e.opcode), ci == j->n_cmds ? ", the job's fence" : "",
                 e.tag, e.desc_addr, text);
        snprintf(why, sizeof why, "job %" PRIu64 " failed before it (%s); the device was reset", j->id,
                 at_deverr_name(e.code) ? at_deverr_name(e.code) : "?");
    } else {
        snprintf(why, sizeof why, "the device halted");
    }
    drv_mark_rest(d, fail, why);
    return drv_hw_reset(d, err);
}

/* The running job (index first) overran its deadline (or the ring stayed
 * full past submit_timeout_ns): TIMEDOUT, the jobs after it NOT_RUN, reset. */
static int drv_handle_timeout(at_drv *d, size_t first, uint64_t ran_ns, const char *what)
{
    uint32_t st = 0, head = 0, fd = 0;
    at_drv_reg_read(d, AT_REG_STATUS, &st, NULL);
    at_drv_reg_read(d, AT_REG_RING_HEAD, &head, NULL);
    at_drv_reg_read(d, AT_REG_FENCE_DONE, &fd, NULL);
    char why[256] = "the device was reset";
    if (first < d->njobs) {
        drv_job *j = d->jobs[first];
        j->status = AT_UAPI_JOB_TIMEDOUT;
        snprintf(j->msg, sizeof j->msg,
                 "job %" PRIu64 " timed out: %s, not finished after %" PRIu64
                 " ns of running (STATUS 0x%08x, RING_HEAD %u, FENCE_DONE %u, job seq %u)",
                 j->id, what, ran_ns, st, head, fd, j->seq);
        snprintf(why, sizeof why, "job %" PRIu64 " timed out before it; the device was reset", j->id);
    }
    drv_mark_rest(d, first, why);
    int rc = drv_hw_reset(d, NULL);
    if (first < d->njobs) {
        drv_job *j = d->jobs[first];
        size_t l = strlen(j->msg);
        if (rc)
            snprintf(j->msg + l, sizeof j->msg - l, "; the reset failed: %s", d->lost ? d->lost_msg : "port error");
        else
            snprintf(j->msg + l, sizeof j->msg - l, "; the device was reset");
    }
    return rc;
}

/* The watchdog: the running job past its deadline -> drv_handle_timeout.
 * *fired = 1 then. */
static int drv_watchdog(at_drv *d, int *fired)
{
    size_t pos = 0;
    drv_job *j = drv_running(d, &pos);
    if (!j || !j->started)
        return 0;
    uint64_t ran = drv_now(d) - j->start_ns;
    if (ran < j->timeout_ns)
        return 0;
    *fired = 1;
    char what[96];
    snprintf(what, sizeof what, "its deadline is %" PRIu64 " ns", j->timeout_ns);
    drv_handle_timeout(d, pos, ran, what);
    return 0;
}

/* Time left before the running job's deadline (UINT64_MAX: no running job). */
static uint64_t drv_deadline_left(at_drv *d)
{
    drv_job *j = drv_running(d, NULL);
    if (!j || !j->started)
        return UINT64_MAX;
    uint64_t ran = drv_now(d) - j->start_ns;
    return ran >= j->timeout_ns ? 0 : j->timeout_ns - ran;
}

int at_drv_reset(at_drv *d, at_err *err)
{
    if (!d)
        return at_err_set(err, AT_EINVAL, "at_drv_reset: NULL driver");
    int rc = d->lost ? 0 : drv_update_done(d, err);
    if (rc)
        return rc;
    drv_mark_rest(d, 0, "the device was reset by request");
    if (d->njobs && d->jobs[0]->status == AT_UAPI_JOB_QUEUED) {
        d->jobs[0]->status = AT_UAPI_JOB_NOT_RUN;
        snprintf(d->jobs[0]->msg, sizeof d->jobs[0]->msg,
                 "job %" PRIu64 " was not run: the device was reset by request", d->jobs[0]->id);
    }
    return drv_hw_reset(d, err);
}

/* Checks the device state once: halted -> recovery. *recovered = 1 then. */
static int drv_poll(at_drv *d, int *recovered, at_err *err)
{
    *recovered = 0;
    uint32_t st = 0;
    int rc = at_drv_reg_read(d, AT_REG_STATUS, &st, err);
    if (rc)
        return rc;
    if (st & AT_REG_STATUS_HALTED_MASK) {
        *recovered = 1;
        return drv_handle_halt(d, err);
    }
    if ((rc = drv_update_done(d, err)))
        return rc;
    return drv_watchdog(d, recovered);
}

/* ------------------------------------------------------------ ring */

/* Free ring slots. A slot is reused only when the command in it has
 * completed: CNT_CMDS (commands completed since the reset) = k means the
 * first k descriptors were issued (issue is in order), so their data was
 * read. The device would allow more (docs/isa.md: a slot behind RING_HEAD
 * may be rewritten once HEAD has passed it, as HEAD moves only when the
 * slot's data has been read), but HEAD runs ahead of execution, up to the
 * fetch depth past a command that may still fail; drv_handle_halt maps the
 * failing index to the one absolute position in [abs_tail - n, abs_tail),
 * which holds only while the failing slot has not been written again. */
static int ring_space(at_drv *d, uint32_t *space, at_err *err)
{
    uint64_t done = 0;
    int rc = at_drv_counter(d, AT_REG_CNT_CMDS_LO, &done, err);
    if (rc)
        return rc;
    if (done > d->abs_tail)
        done = d->abs_tail;
    uint64_t used = d->abs_tail - done;
    *space = used >= d->ring_n - 1 ? 0 : (uint32_t)(d->ring_n - 1 - used);
    return 0;
}

/* The port failed while j's descriptors were written: this run is not in
 * the ring (the tail was not moved, or its write failed). When nothing of
 * j reached the device, j is NOT_RUN and the ring is as before; when part
 * of it did (a job longer than the ring), the device would run a job
 * without its fence, so it is marked lost until at_drv_reset. */
static int drv_enqueue_failed(at_drv *d, drv_job *j, int rc, at_err *err)
{
    char m[256];
    snprintf(m, sizeof m, "%.200s", err ? err->msg : "port error");
    if (j->n_written == 0) {
        j->status = AT_UAPI_JOB_NOT_RUN;
        snprintf(j->msg, sizeof j->msg, "job %" PRIu64 " was not run: submission failed: %s", j->id, m);
        return at_err_set(err, rc, "job %" PRIu64 ": submission failed: %s", j->id, m);
    }
    char why[256];
    snprintf(why, sizeof why, "submission of job %" PRIu64 " failed after %u of %u descriptors (%.120s)", j->id,
             j->n_written, j->n_cmds + 1, m);
    drv_mark_lost(d, why, NULL);
    return at_err_set(err, rc, "%s", d->lost_msg);
}

/* Writes the descriptors of j from j->n_written on, waiting for ring space.
 * Returns 0 when all are written or when recovery ran meanwhile (j is then
 * NOT_RUN). */
static int drv_enqueue(at_drv *d, drv_job *j, at_err *err)
{
    uint32_t total = j->n_cmds + 1;
    uint64_t t0 = drv_now(d);
    int rc;
    j->abs_first = d->abs_tail;
    j->n_written = 0;
    if (at_drv_counter(d, AT_REG_CNT_BUSY_LO, &j->busy_start, NULL))
        j->busy_start = 0;
    while (j->n_written < total) {
        uint32_t space = 0;
        if ((rc = ring_space(d, &space, err)))
            return rc;
        if (space == 0) {
            int rec = 0;
            if ((rc = drv_poll(d, &rec, err)))
                return rc;
            if (rec || j->status != AT_UAPI_JOB_QUEUED)
                return 0;
            if (drv_now(d) - t0 > d->opts.submit_timeout_ns) {
                /* a safety bound: the running job's deadline normally ends this wait first */
                size_t pos = 0;
                drv_job *r = drv_running(d, &pos);
                char what[96];
                snprintf(what, sizeof what, "the ring stayed full for %" PRIu64 " ns", d->opts.submit_timeout_ns);
                drv_handle_timeout(d, r ? pos : d->njobs, r && r->started ? drv_now(d) - r->start_ns : 0, what);
                return 0;
            }
            if ((rc = d->port.ops->delay(d->port.ctx, 1000, err)))
                return rc;
            continue;
        }
        /* write a contiguous run up to the ring end */
        uint32_t tail = (uint32_t)(d->abs_tail & (d->ring_n - 1));
        uint32_t run = total - j->n_written;
        if (run > space)
            run = space;
        if (run > d->ring_n - tail)
            run = d->ring_n - tail;
        if ((rc = d->port.ops->dma_write(d->port.ctx, &d->ctrl, (uint64_t)tail * 64,
                                         j->desc[j->n_written], (uint64_t)run * 64, err)) ||
            (rc = at_drv_reg_write(d, AT_REG_RING_TAIL, (uint32_t)((d->abs_tail + run) & (d->ring_n - 1)), err)))
            return drv_enqueue_failed(d, j, rc, err);
        j->n_written += run;
        d->abs_tail += run;
        t0 = drv_now(d); /* the bound is on the ring staying full, not on the whole submit */
    }
    return 0;
}

/* ------------------------------------------------------------ open / close */

int at_drv_open_dev(const at_port *port, const at_fdt_device *dev, const at_drv_opts *opts,
                    at_drv **out, at_err *err)
{
    if (!port || !port->ops || !dev || !out)
        return at_err_set(err, AT_EINVAL, "at_drv_open: NULL argument");
    *out = NULL;
    const at_port_ops *o = port->ops;
    if (!o->reg_read || !o->reg_write || !o->dma_alloc || !o->dma_free || !o->dma_read ||
        !o->dma_write || !o->irq_wait || !o->delay || !o->now_ns)
        return at_err_set(err, AT_EINVAL, "at_drv_open: port %s lacks an operation",
                          o->name ? o->name : "?");
    at_drv_opts op = opts ? *opts : (at_drv_opts){0};
    if (op.ring_log2 == 0)
        op.ring_log2 = 10;
    if (op.ring_log2 < 2 || op.ring_log2 > 16)
        return at_err_set(err, AT_EINVAL, "at_drv_open: ring_log2 %u outside 2..16", op.ring_log2);
    if (op.bo_arena_bytes == 0)
        op.bo_arena_bytes = 32ull << 20;
    op.bo_arena_bytes = (op.bo_arena_bytes + 31) & ~31ull;
    if (op.reset_timeout_ns == 0)
        op.reset_timeout_ns = 1000000;
    if (op.submit_timeout_ns == 0)
        op.submit_timeout_ns = 10000000000ull;
    if (op.job_timeout_ns == 0)
        op.job_timeout_ns = 10000000000ull;
    if (op.reset_tries == 0)
        op.reset_tries = 3;

    at_drv *d = calloc(1, sizeof *d);
    if (!d)
        return at_err_set(err, AT_ENOMEM, "at_drv_open: out of memory");
    d->port = *port;
    d->dev = *dev;
    d->opts = op;
    d->ring_log2 = op.ring_log2;
    d->ring_n = 1u << op.ring_log2;
    d->next_handle = 1;
    d->next_job = 1;
    d->next_seq = 1;

    int rc = at_probe_check_config(&d->dev, probe_read, d, err);
    if (rc)
        goto fail;
    /* control area: the ring, then the 4-byte fence slot (own 32-byte line) */
    d->fence_off = (uint64_t)d->ring_n * 64;
    if ((rc = o->dma_alloc(port->ctx, d->fence_off + 32, 4096, &d->ctrl, err)))
        goto fail;
    d->ring_bus = d->ctrl.bus;
    if ((rc = o->dma_alloc(port->ctx, op.bo_arena_bytes, 4096, &d->arena, err))) {
        char m[sizeof err->msg];
        if (err) {
            snprintf(m, sizeof m, "%s", err->msg);
            at_err_set(err, rc, "buffer-object arena of %" PRIu64 " bytes: %s", op.bo_arena_bytes, m);
        }
        goto fail;
    }
    if ((rc = drv_hw_reset(d, err)))
        goto fail;
    *out = d;
    return 0;
fail:
    at_drv_close(d);
    return rc;
}

int at_drv_open(const at_port *port, const char *dtb_path, const at_drv_opts *opts, at_drv **out,
                at_err *err)
{
    if (!dtb_path)
        return at_err_set(err, AT_EINVAL, "at_drv_open: no dtb path");
    at_fdt_device dev;
    int rc = at_probe_fdt_file(dtb_path, &dev, err);
    if (rc)
        return rc;
    return at_drv_open_dev(port, &dev, opts, out, err);
}

void at_drv_close(at_drv *d)
{
    if (!d)
        return;
    if (d->ctrl.bytes) {
        /* stop the device before its memory goes */
        at_drv_reg_write(d, AT_REG_CTRL, 0, NULL);
        if (d->arena.bytes)
            drv_hw_reset(d, NULL);
    }
    for (size_t i = 0; i < d->njobs; i++)
        job_free(d->jobs[i]);
    free(d->jobs);
    free(d->bos);
    if (d->arena.bytes)
        d->port.ops->dma_free(d->port.ctx, &d->arena);
    if (d->ctrl.bytes)
        d->port.ops->dma_free(d->port.ctx, &d->ctrl);
    free(d);
}

const at_fdt_device *at_drv_device(const at_drv *d)
{
    return d ? &d->dev : NULL;
}

const at_hw_config *at_drv_config(const at_drv *d)
{
    return d ? &d->dev.config : NULL;
}

const at_port *at_drv_port(const at_drv *d)
{
    return d ? &d->port : NULL;
}

/* ------------------------------------------------------------ submit / wait */

static int job_new(at_drv *d, uint32_t ncmds, drv_job **out, at_err *err)
{
    drv_job *j = calloc(1, sizeof *j);
    if (!j || !(j->desc = calloc((size_t)ncmds + 1, sizeof *j->desc))) {
        free(j);
        return at_err_set(err, AT_ENOMEM, "driver: out of memory for a job of %u commands", ncmds);
    }
    j->n_cmds = ncmds;
    j->id = d->next_job++;
    *out = j;
    return 0;
}

/* The closing FENCE with the job's sequence number. */
static void job_set_fence(at_drv *d, drv_job *j)
{
    j->seq = d->next_seq++;
    if (j->seq == 0) /* 0 is the fence slot's reset value: skip it */
        j->seq = d->next_seq++;
    uint32_t *f = j->desc[j->n_cmds];
    memset(f, 0, 64);
    AT_DPUT(f, OPCODE, AT_OP_FENCE);
    AT_DPUT(f, FENCE_WRITE, 1);
    AT_DPUT(f, FENCE_IRQ, (j->flags & AT_UAPI_JOB_NO_IRQ) ? 0 : 1);
    AT_DPUT(f, TAG, j->seq & 0xffffu);
    AT_DPUT(f, FENCE_VALUE, j->seq);
    uint64_t a = d->ctrl.bus + d->fence_off;
    AT_DPUT(f, FENCE_ADDR_LO, (uint32_t)a);
    AT_DPUT(f, FENCE_ADDR_HI, (uint32_t)(a >> 32));
}

static int drv_queue_job(at_drv *d, drv_job *j, uint64_t *id, uint32_t *seq, at_err *err)
{
    job_set_fence(d, j);
    j->status = AT_UAPI_JOB_QUEUED;
    int rc = job_append(d, j, err);
    if (rc) {
        job_free(j);
        return rc;
    }
    *id = j->id;
    *seq = j->seq;
    j->started = 0;
    rc = drv_enqueue(d, j, err);
    if (rc == 0)
        drv_mark_started(d);
    if (rc == 0 && j->status == AT_UAPI_JOB_QUEUED && j->n_written < j->n_cmds + 1) {
        /* recovery ran while this job waited for ring space */
        j->status = AT_UAPI_JOB_NOT_RUN;
        snprintf(j->msg, sizeof j->msg, "job %" PRIu64 " was not run: the device was reset while it was submitted",
                 j->id);
    }
    if (rc && j->status == AT_UAPI_JOB_QUEUED && j->n_written < j->n_cmds + 1)
        rc = drv_enqueue_failed(d, j, rc, err); /* the port failed while it waited for ring space */
    return rc;
}

int at_drv_submit(at_drv *d, struct at_uapi_job *job, at_err *err)
{
    if (!d)
        return at_err_set(err, AT_EINVAL, "at_drv_submit: NULL driver");
    int rc = at_drv_validate(d, job, err);
    if (rc)
        return rc;
    if (d->lost)
        return drv_lost_err(d, err);
    const struct at_uapi_cmd *cmds = (const struct at_uapi_cmd *)(uintptr_t)job->cmds_ptr;
    const uint32_t *bos = (const uint32_t *)(uintptr_t)job->bos_ptr;
    drv_job *j = NULL;
    if ((rc = job_new(d, job->num_cmds, &j, err)))
        return rc;
    j->flags = job->flags;
    j->timeout_ns = job->timeout_ns ? job->timeout_ns : d->opts.job_timeout_ns;
    if (job->num_bos) {
        j->bos = malloc(job->num_bos * sizeof *j->bos);
        if (!j->bos) {
            job_free(j);
            return at_err_set(err, AT_ENOMEM, "driver: out of memory");
        }
        memcpy(j->bos, bos, job->num_bos * sizeof *j->bos);
        j->nbos = job->num_bos;
    }
    for (uint32_t i = 0; i < job->num_cmds; i++) {
        memcpy(j->desc[i], cmds[i].desc, 64);
        unsigned op = AT_DGET(j->desc[i], OPCODE);
        if (op == AT_OP_LOAD || op == AT_OP_STORE) {
            uint64_t bus = 0;
            at_drv_bo_info(d, cmds[i].bo_handle, &bus, NULL, NULL);
            uint64_t a = bus + cmds[i].bo_offset;
            AT_DPUT(j->desc[i], XFER_MEM_LO, (uint32_t)a);
            AT_DPUT(j->desc[i], XFER_MEM_HI, (uint32_t)(a >> 32));
        }
    }
    uint64_t id = 0;
    uint32_t seq = 0;
    rc = drv_queue_job(d, j, &id, &seq, err);
    job->job_id = id;
    job->seq = seq;
    return rc;
}

int at_drv_requeue(at_drv *d, uint64_t job_id, uint64_t *new_id, at_err *err)
{
    if (!d || !new_id)
        return at_err_set(err, AT_EINVAL, "at_drv_requeue: NULL argument");
    size_t pos;
    drv_job *old = job_find(d, job_id, &pos);
    if (!old)
        return at_err_set(err, AT_ENOTFOUND, "job %" PRIu64 ": no such job", job_id);
    if (old->status != AT_UAPI_JOB_NOT_RUN)
        return at_err_set(err, AT_EINVAL, "job %" PRIu64 ": only a job that was not run can be requeued",
                          job_id);
    if (d->lost)
        return drv_lost_err(d, err);
    /* move the commands to a new job at the end of the queue */
    memmove(&d->jobs[pos], &d->jobs[pos + 1], (d->njobs - pos - 1) * sizeof d->jobs[0]);
    d->njobs--;
    old->id = d->next_job++;
    old->msg[0] = 0;
    old->failed_cmd = old->dev_err = old->dev_info = 0;
    old->busy_cycles = 0;
    uint32_t seq = 0;
    return drv_queue_job(d, old, new_id, &seq, err);
}

int at_drv_job_release(at_drv *d, uint64_t job_id, at_err *err)
{
    size_t pos;
    drv_job *j = d ? job_find(d, job_id, &pos) : NULL;
    if (!j)
        return at_err_set(err, AT_ENOTFOUND, "job %" PRIu64 ": no such job", job_id);
    if (j->status == AT_UAPI_JOB_QUEUED)
        return at_err_set(err, AT_EINVAL, "job %" PRIu64 " is still queued: wait for it first", job_id);
    job_remove(d, pos);
    return 0;
}

int at_drv_abandon(at_drv *d, uint64_t job_id, uint32_t *status, at_err *err)
{
    if (!d)
        return at_err_set(err, AT_EINVAL, "at_drv_abandon: NULL driver");
    size_t pos;
    drv_job *j = job_find(d, job_id, &pos);
    if (!j)
        return at_err_set(err, AT_ENOTFOUND, "job %" PRIu64 ": no such job (never submitted or already retired)",
                          job_id);
    if (status)
        *status = j->status;
    int rc = 0;
    if (j->status == AT_UAPI_JOB_QUEUED && !d->lost) {
        /* its descriptors are in the ring: only a reset stops them, and a
         * reset stops the job running ahead of it too, which is not at
         * fault: refused (wait for that one first) */
        drv_job *run = drv_running(d, NULL);
        if (run && run != j)
            return at_err_set(err, AT_EINVAL,
                              "job %" PRIu64 " is queued behind job %" PRIu64
                              ", which the reset that abandoning it needs would stop: wait for job %" PRIu64 " first",
                              job_id, run->id, run->id);
        /* a reset that fails marks the device lost (every queued job
         * NOT_RUN, nothing submitted until at_drv_reset works) */
        at_err e1 = {0};
        rc = at_drv_reset(d, &e1);
        if (rc && !d->lost) {
            /* the port failed before the reset ran (collecting finished
             * jobs): the device may still run the job */
            char why[200];
            snprintf(why, sizeof why, "abandoning job %" PRIu64 ": the reset failed: %.140s", job_id, e1.msg);
            drv_mark_lost(d, why, NULL);
        }
        if (rc)
            at_err_set(err, rc, "%s", e1.msg);
    }
    j = job_find(d, job_id, &pos); /* recovery may have moved it */
    if (j)
        job_remove(d, pos);
    return rc;
}

int at_drv_wait(at_drv *d, struct at_uapi_wait *w, at_err *err)
{
    if (!d || !w)
        return at_err_set(err, AT_EINVAL, "at_drv_wait: NULL argument");
    if (w->size != sizeof *w)
        return at_err_set(err, AT_EINVAL, "struct at_uapi_wait: size %u, expected %zu", w->size, sizeof *w);
    if (w->flags & ~AT_UAPI_WAIT_FLAGS_ALL)
        return at_err_set(err, AT_EINVAL, "struct at_uapi_wait: unknown flags 0x%x", w->flags & ~AT_UAPI_WAIT_FLAGS_ALL);
    for (int i = 0; i < 3; i++)
        if (w->reserved[i])
            return at_err_set(err, AT_EINVAL, "struct at_uapi_wait: reserved[%d] is not 0", i);
    if (w->timeout_ns == 0)
        return at_err_set(err, AT_EINVAL, "struct at_uapi_wait: timeout_ns is 0 (every wait needs a timeout)");
    size_t pos;
    drv_job *j = job_find(d, w->job_id, &pos);
    if (!j)
        return at_err_set(err, AT_ENOTFOUND, "job %" PRIu64 ": no such job (never submitted or already waited for)",
                          w->job_id);
    uint64_t t0 = drv_now(d);
    int rc = 0;
    while (j->status == AT_UAPI_JOB_QUEUED) {
        int rec = 0;
        if ((rc = drv_poll(d, &rec, err)))
            break;
        if (j->status != AT_UAPI_JOB_QUEUED)
            break;
        uint64_t el = drv_now(d) - t0;
        if (el >= w->timeout_ns) {
            /* the wait's own limit: the job keeps running, nothing is reset */
            w->status = AT_UAPI_JOB_QUEUED;
            return at_err_set(err, AT_ETIMEDOUT, "job %" PRIu64 ": still running after a wait of %" PRIu64 " ns",
                              j->id, el);
        }
        /* sleep until the wait ends or the running job's deadline passes */
        uint64_t slice = w->timeout_ns - el, left = drv_deadline_left(d);
        if (left < slice)
            slice = left + 1;
        int fired = 0;
        if (j->flags & AT_UAPI_JOB_NO_IRQ) {
            if (slice > 10000)
                slice = 10000;
            rc = d->port.ops->delay(d->port.ctx, slice, err);
        } else {
            rc = d->port.ops->irq_wait(d->port.ctx, slice, &fired, err);
        }
        if (rc)
            break;
        if (fired) {
            uint32_t irq = 0;
            if ((rc = at_drv_reg_read(d, AT_REG_IRQ_STATUS, &irq, err)) ||
                (irq && (rc = at_drv_reg_write(d, AT_REG_IRQ_STATUS, irq, err))))
                break;
        }
    }
    /* the job may have moved in the list during recovery */
    j = job_find(d, w->job_id, &pos);
    if (!j)
        return at_err_set(err, AT_ENOTFOUND, "job %" PRIu64 ": lost", w->job_id);
    w->status = j->status;
    w->failed_cmd = j->failed_cmd;
    w->dev_err = j->dev_err;
    w->dev_info = j->dev_info;
    w->busy_cycles = j->busy_cycles;
    if (rc) /* a port error (err has it); the job keeps the status it has */
        return rc;
    switch (j->status) {
    case AT_UAPI_JOB_DONE:
        rc = 0;
        break;
    case AT_UAPI_JOB_FAILED:
        rc = at_err_set(err, AT_EDEVICE, "%s", j->msg);
        break;
    case AT_UAPI_JOB_TIMEDOUT:
        rc = at_err_set(err, AT_ETIMEDOUT, "%s", j->msg);
        break;
    default: /* NOT_RUN: kept for requeue */
        return at_err_set(err, AT_EDEVICE, "%s", j->msg);
    }
    job_remove(d, pos);
    return rc;
}
