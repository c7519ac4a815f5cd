/* Timeouts and recovery of the driver (docs/driver.md, "Timeouts"), on the
 * fmodel and (when built) the rtl backend:
 *   - a wait that runs out returns "still running" and fails nobody: a long
 *     job A and a small job B behind it both finish afterwards;
 *   - a job that overruns its own deadline is TIMEDOUT, the device reset,
 *     the job behind it NOT_RUN with the reason, and it runs when requeued;
 *   - a deadline counts from when the job starts running: a short deadline
 *     behind a long job is met;
 *   - a soft reset during a long LOAD ends once the bursts in flight drain,
 *     on both backends;
 *   - a soft reset that never completes (a port whose STATUS stays
 *     RESETTING) is retried, then the device is marked lost: every job has
 *     a status, every call says "device lost", at_drv_reset brings it back;
 *   - port failures in a wait (interrupt wait, register read) return the
 *     port's error with the job's status set, and the job still finishes;
 *     a failed descriptor write leaves the job NOT_RUN and the ring usable.
 */
#include "drv_jobs_util.h"
#include "fault_dev.h"

static const char *g_backend = "fmodel";

static int idle(at_drv *drv)
{
    uint32_t st = 0;
    at_drv_reg_read(drv, AT_REG_STATUS, &st, NULL);
    return (st & AT_REG_STATUS_IDLE_MASK) != 0;
}

static void case_wait_timeout_harmless(void)
{
    dt_dev d;
    if (dt_open(g_backend, "tiny", NULL, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(d.drv, 1024, 4), src = pattern_bo(d.drv, 64, 5), dst = dt_bo(d.drv, 64 * 64);
    uint64_t ja, jb;
    dj_timeout_ns = 0;
    CHECK(long_job(d.drv, a, 40, &ja, &err) == 0, "%s", err.msg);
    CHECK(copy_job(d.drv, src, dst, 0, 8, 2, &jb, &err) == 0, "%s", err.msg);
    struct at_uapi_wait w;
    int rc = wait_job(d.drv, jb, 2000, &w, &err);
    CHECK(rc == AT_ETIMEDOUT && w.status == AT_UAPI_JOB_QUEUED && strstr(err.msg, "still running"),
          "short wait on B: rc %d status %u: %s", rc, w.status, err.msg);
    printf("  %s\n", err.msg);
    rc = wait_job(d.drv, ja, 3000, &w, &err);
    CHECK(rc == AT_ETIMEDOUT && w.status == AT_UAPI_JOB_QUEUED, "short wait on A: rc %d status %u", rc, w.status);
    CHECK(wait_job(d.drv, jb, T_SEC, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "B: %s", err.msg);
    CHECK(wait_job(d.drv, ja, T_SEC, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "A: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst, 0, 16), "B's copy differs");
    CHECK(at_drv_jobs_held(d.drv) == 0, "held %zu", at_drv_jobs_held(d.drv));
    dt_close(&d);
}

static void case_deadline(void)
{
    dt_dev d;
    if (dt_open(g_backend, "tiny", NULL, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(d.drv, 1024, 4), src = pattern_bo(d.drv, 64, 5), dst = dt_bo(d.drv, 64 * 64);
    uint64_t ja, jb, jc, jd;
    /* A overruns its 5 us; B behind it is innocent */
    dj_timeout_ns = 5000;
    CHECK(long_job(d.drv, a, 40, &ja, &err) == 0, "%s", err.msg);
    dj_timeout_ns = 0;
    CHECK(copy_job(d.drv, src, dst, 0, 8, 2, &jb, &err) == 0, "%s", err.msg);
    struct at_uapi_wait w;
    int rc = wait_job(d.drv, jb, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN && strstr(err.msg, "timed out before it"),
          "B: rc %d status %u: %s", rc, w.status, err.msg);
    printf("  %s\n", err.msg);
    rc = wait_job(d.drv, ja, T_SEC, &w, &err);
    CHECK(rc == AT_ETIMEDOUT && w.status == AT_UAPI_JOB_TIMEDOUT && strstr(err.msg, "deadline is 5000 ns"),
          "A: rc %d status %u: %s", rc, w.status, err.msg);
    printf("  %s\n", err.msg);
    CHECK(idle(d.drv), "device not idle after the timeout's reset");
    uint64_t nb;
    CHECK(at_drv_requeue(d.drv, jb, &nb, &err) == 0, "%s", err.msg);
    CHECK(wait_job(d.drv, nb, T_SEC, &w, &err) == 0, "requeued B: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst, 0, 16), "requeued B's copy differs");
    /* a 20 us deadline behind a long job with the default one: met, since it
     * counts from when the job starts */
    CHECK(long_job(d.drv, a, 40, &jc, &err) == 0, "%s", err.msg);
    dj_timeout_ns = 20000;
    CHECK(copy_job(d.drv, src, dst, 16, 8, 2, &jd, &err) == 0, "%s", err.msg);
    dj_timeout_ns = 0;
    CHECK(wait_job(d.drv, jd, T_SEC, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "short deadline: %s", err.msg);
    CHECK(wait_job(d.drv, jc, T_SEC, &w, &err) == 0 && w.busy_cycles > 40 * 2048, "long job: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst, 16, 16), "copy differs");
    CHECK(at_drv_jobs_held(d.drv) == 0, "held %zu", at_drv_jobs_held(d.drv));
    dt_close(&d);
}

/* A soft reset in the middle of a long LOAD ends once the bursts in flight
 * drain, not when the LOAD would have ended (both backends, docs/isa.md). */
static void case_reset_during_load(void)
{
    dt_dev d;
    if (dt_open(g_backend, "tiny", NULL, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(d.drv, 1024, 4);
    struct at_uapi_cmd c[1];
    dt_xfer(&c[0], AT_OP_LOAD, 0, 2048, 16, a, 0, 32); /* 2048 beats: >= 2048 cycles at 32 bytes per cycle */
    struct at_uapi_job j;
    dt_job(&j, c, 1, &a, 1);
    CHECK(at_drv_submit(d.drv, &j, &err) == 0, "%s", err.msg);
    const at_port *p = at_drv_port(d.drv);
    p->ops->delay(p->ctx, 400, NULL); /* well into the LOAD */
    uint64_t t0 = p->ops->now_ns(p->ctx), t1 = t0;
    at_drv_reg_write(d.drv, AT_REG_SOFT_RESET, AT_REG_SOFT_RESET_RESET_MASK, NULL);
    for (int i = 0; i < 100000; i++) {
        uint32_t st = 0;
        at_drv_reg_read(d.drv, AT_REG_STATUS, &st, NULL);
        t1 = p->ops->now_ns(p->ctx);
        if ((st & AT_REG_STATUS_IDLE_MASK) && !(st & AT_REG_STATUS_RESETTING_MASK))
            break;
        p->ops->delay(p->ctx, 10, NULL);
    }
    double cycles = (double)(t1 - t0) * 0.7; /* 700 MHz */
    printf("  %s: soft reset during a 2048-beat LOAD took %.0f cycles\n", g_backend, cycles);
    CHECK(cycles < 600, "%s: soft reset took %.0f cycles (the LOAD alone takes >= 2048)", g_backend, cycles);
    CHECK(at_drv_reset(d.drv, &err) == 0, "driver reset: %s", err.msg);
    struct at_uapi_wait w;
    int rc = wait_job(d.drv, j.job_id, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN, "job after the reset: rc %d status %u", rc, w.status);
    at_drv_job_release(d.drv, j.job_id, NULL);
    dt_close(&d);
}

static void case_reset_fails(void)
{
    fdev f;
    at_drv_opts o = {.reset_timeout_ns = 20000}; /* 20 us per try: short on the rtl too */
    if (fdev_open(&f, g_backend, &o)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(f.drv, 1024, 4), src = pattern_bo(f.drv, 64, 5), dst = dt_bo(f.drv, 64 * 64);
    uint64_t ja, jb, jc;
    dj_timeout_ns = 5000;
    CHECK(long_job(f.drv, a, 40, &ja, &err) == 0, "%s", err.msg);
    dj_timeout_ns = 0;
    CHECK(copy_job(f.drv, src, dst, 0, 8, 2, &jb, &err) == 0, "%s", err.msg);
    f.fp.stuck_reset = 1;
    f.fp.reset_written = 0;
    uint64_t r0 = f.fp.soft_resets;
    struct at_uapi_wait w;
    int rc = wait_job(f.drv, ja, T_SEC, &w, &err);
    CHECK(rc == AT_ETIMEDOUT && w.status == AT_UAPI_JOB_TIMEDOUT && strstr(err.msg, "device lost"),
          "A: rc %d status %u: %s", rc, w.status, err.msg);
    printf("  %s\n", err.msg);
    CHECK(f.fp.soft_resets - r0 == 3, "%llu soft resets tried, want 3", (unsigned long long)(f.fp.soft_resets - r0));
    rc = wait_job(f.drv, jb, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN, "B: rc %d status %u: %s", rc, w.status, err.msg);
    rc = copy_job(f.drv, src, dst, 16, 8, 2, &jc, &err);
    CHECK(rc == AT_EDEVICE && strstr(err.msg, "device lost"), "submit on a lost device: rc %d: %s", rc, err.msg);
    printf("  %s\n", err.msg);
    uint64_t nb;
    CHECK(at_drv_requeue(f.drv, jb, &nb, &err) == AT_EDEVICE, "requeue on a lost device accepted");
    /* still lost while the reset hangs; back once it works */
    CHECK(at_drv_reset(f.drv, &err) == AT_EDEVICE, "reset of a stuck device succeeded");
    f.fp.stuck_reset = 0;
    CHECK(at_drv_reset(f.drv, &err) == 0, "reset: %s", err.msg);
    CHECK(at_drv_requeue(f.drv, jb, &nb, &err) == 0, "requeue: %s", err.msg);
    CHECK(wait_job(f.drv, nb, T_SEC, &w, &err) == 0, "B after the reset: %s", err.msg);
    CHECK(same_rows(f.drv, src, dst, 0, 16), "B's copy differs");
    CHECK(at_drv_jobs_held(f.drv) == 0, "held %zu", at_drv_jobs_held(f.drv));
    fdev_close(&f);
}

static void case_port_errors(void)
{
    fdev f;
    if (fdev_open(&f, g_backend, NULL)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(f.drv, 1024, 4), src = pattern_bo(f.drv, 64, 5), dst = dt_bo(f.drv, 64 * 64);
    uint64_t ja, jb;
    struct at_uapi_wait w;
    CHECK(long_job(f.drv, a, 8, &ja, &err) == 0, "%s", err.msg);
    f.fp.fail_irq_wait = 1;
    int rc = wait_job(f.drv, ja, T_SEC, &w, &err);
    CHECK(rc == AT_EIO && w.status == AT_UAPI_JOB_QUEUED && strstr(err.msg, "injected"),
          "interrupt wait failure: rc %d status %u: %s", rc, w.status, err.msg);
    f.fp.fail_reg_read = 1;
    rc = wait_job(f.drv, ja, T_SEC, &w, &err);
    CHECK(rc == AT_EIO && w.status == AT_UAPI_JOB_QUEUED, "register read failure: rc %d status %u: %s", rc,
          w.status, err.msg);
    CHECK(wait_job(f.drv, ja, T_SEC, &w, &err) == 0, "A after the port errors: %s", err.msg);
    /* the descriptors' write fails: NOT_RUN, nothing reached the ring */
    f.fp.fail_dma = 1;
    rc = copy_job(f.drv, src, dst, 0, 8, 2, &jb, &err);
    CHECK(rc == AT_EIO, "submit with a failing DMA write: rc %d: %s", rc, err.msg);
    rc = wait_job(f.drv, jb, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN && strstr(err.msg, "submission failed"),
          "job after a failed submit: rc %d status %u: %s", rc, w.status, err.msg);
    /* the doorbell fails: the same */
    uint64_t jc;
    f.fp.fail_reg_write = 1;
    rc = copy_job(f.drv, src, dst, 0, 8, 2, &jc, &err);
    CHECK(rc == AT_EIO, "submit with a failing doorbell: rc %d: %s", rc, err.msg);
    CHECK(at_drv_job_release(f.drv, jc, &err) == 0, "release: %s", err.msg);
    /* the requeued job runs, alone (the failed ones left nothing behind) */
    uint64_t nb;
    CHECK(at_drv_requeue(f.drv, jb, &nb, &err) == 0, "requeue: %s", err.msg);
    CHECK(wait_job(f.drv, nb, T_SEC, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "requeued: %s", err.msg);
    CHECK(same_rows(f.drv, src, dst, 0, 16), "copy differs");
    CHECK(at_drv_jobs_held(f.drv) == 0, "held %zu", at_drv_jobs_held(f.drv));
    fdev_close(&f);
}

int main(void)
{
    for (int b = 0; b < 2; b++) {
        g_backend = dt_backends[b];
        if (!dt_backend_wanted(g_backend))
            continue;
        if (!at_port_cosim_available(g_backend, "tiny")) {
            check_skip(5, "%s/tiny: the backend is not in this build (5 cases)", g_backend);
            continue;
        }
        printf("drv_recovery: backend %s\n", g_backend);
        RUN_CASE(case_wait_timeout_harmless);
        RUN_CASE(case_deadline);
        RUN_CASE(case_reset_during_load);
        RUN_CASE(case_reset_fails);
        RUN_CASE(case_port_errors);
    }
    return check_finish("drv_recovery");
}
