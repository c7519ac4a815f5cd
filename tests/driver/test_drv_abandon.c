/* at_drv_abandon (docs/driver.md, "Job lifecycle"): giving up a job the
 * caller will not wait for again, on the fmodel and (when built) the rtl
 * backend:
 *   - QUEUED (a wait that ran out): the device is reset, the job dropped,
 *     its buffer object can be destroyed, the job behind it is NOT_RUN and
 *     runs when requeued;
 *   - NOT_RUN (behind a failed job): dropped without a reset (a job running
 *     meanwhile finishes);
 *   - DONE but not waited for: dropped;
 *   - unknown or already retired: AT_ENOTFOUND; NULL: AT_EINVAL;
 *   - the reset fails on a port error (before it ran, or its own register
 *     write): the error is returned, the job is dropped anyway and the
 *     device marked lost until at_drv_reset works (nothing is submitted to
 *     a device that may still run the job);
 *   - QUEUED behind a running job: refused, nothing changed, both finish;
 *   - at_gemm_run after a port error in its wait: nothing of the job or its
 *     buffer objects stays in the driver, and the next run is right. */
#include "acceltran_cosim.h"
#include "at_gemm_run.h"
#include "drv_jobs_util.h"
#include "fault_dev.h"

static const char *g_backend = "fmodel";

static void case_queued(void)
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
    int rc = wait_job(d.drv, ja, 2000, &w, &err);
    CHECK(rc == AT_ETIMEDOUT && w.status == AT_UAPI_JOB_QUEUED, "short wait: rc %d status %u: %s", rc, w.status,
          err.msg);
    CHECK(at_drv_bo_destroy(d.drv, a, &err) == AT_EINVAL, "destroying a queued job's buffer object was accepted");
    uint32_t st = 99;
    rc = at_drv_abandon(d.drv, ja, &st, &err);
    CHECK(rc == 0 && st == AT_UAPI_JOB_QUEUED, "abandon A: rc %d status %u: %s", rc, st, err.msg);
    CHECK(at_drv_jobs_held(d.drv) == 1, "held %zu after abandoning A (want B)", at_drv_jobs_held(d.drv));
    CHECK(at_drv_bo_destroy(d.drv, a, &err) == 0, "A's buffer object: %s", err.msg);
    uint32_t s = 0;
    at_drv_reg_read(d.drv, AT_REG_STATUS, &s, NULL);
    CHECK((s & AT_REG_STATUS_IDLE_MASK) && !(s & AT_REG_STATUS_HALTED_MASK), "STATUS 0x%08x after the abandon", s);
    rc = wait_job(d.drv, jb, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN && strstr(err.msg, "reset"),
          "B: rc %d status %u: %s", rc, w.status, err.msg);
    printf("  %s: B after abandoning A: %s\n", g_backend, err.msg);
    CHECK(wait_job(d.drv, ja, T_SEC, &w, &err) == AT_ENOTFOUND, "A still waitable");
    CHECK(at_drv_abandon(d.drv, ja, NULL, &err) == AT_ENOTFOUND, "A abandoned twice");
    uint64_t nb;
    CHECK(at_drv_requeue(d.drv, jb, &nb, &err) == 0, "requeue B: %s", err.msg);
    CHECK(wait_job(d.drv, nb, T_SEC, &w, &err) == 0, "requeued B: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst, 0, 16), "B's copy differs");
    CHECK(at_drv_jobs_held(d.drv) == 0, "held %zu", at_drv_jobs_held(d.drv));
    dt_close(&d);
}

static void case_not_run_and_done(void)
{
    dt_dev d;
    if (dt_open(g_backend, "tiny", NULL, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(d.drv, 1024, 4), src = pattern_bo(d.drv, 64, 5), dst = dt_bo(d.drv, 64 * 64);
    at_cosim *dev = at_port_cosim_device(&d.port);
    uint64_t src_bus = 0;
    at_drv_bo_info(d.drv, src, &src_bus, NULL, NULL);
    /* X fails on a bus error, Y behind it is NOT_RUN */
    uint64_t jx, jy, jz;
    CHECK(at_cosim_mem_fault(dev, src_bus, 32, 2, &err) == 0, "%s", err.msg);
    CHECK(copy_job(d.drv, src, dst, 0, 8, 1, &jx, &err) == 0, "%s", err.msg);
    CHECK(copy_job(d.drv, src, dst, 8, 8, 1, &jy, &err) == 0, "%s", err.msg);
    struct at_uapi_wait w;
    int rc = wait_job(d.drv, jx, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_FAILED, "X: rc %d status %u: %s", rc, w.status, err.msg);
    at_cosim_mem_fault(dev, 0, 0, 0, NULL);
    /* Z runs; abandoning the NOT_RUN Y resets nothing, so Z finishes */
    CHECK(long_job(d.drv, a, 8, &jz, &err) == 0, "%s", err.msg);
    uint32_t st = 99;
    rc = at_drv_abandon(d.drv, jy, &st, &err);
    CHECK(rc == 0 && st == AT_UAPI_JOB_NOT_RUN, "abandon Y: rc %d status %u: %s", rc, st, err.msg);
    rc = wait_job(d.drv, jz, T_SEC, &w, &err);
    CHECK(rc == 0 && w.status == AT_UAPI_JOB_DONE && w.busy_cycles > 8 * 2048, "Z: rc %d status %u busy %llu: %s",
          rc, w.status, (unsigned long long)w.busy_cycles, err.msg);
    /* P done but not waited for (the wait on Q saw it finish) */
    uint64_t jp, jq;
    CHECK(copy_job(d.drv, src, dst, 0, 8, 1, &jp, &err) == 0, "%s", err.msg);
    CHECK(copy_job(d.drv, src, dst, 8, 8, 1, &jq, &err) == 0, "%s", err.msg);
    CHECK(wait_job(d.drv, jq, T_SEC, &w, &err) == 0, "Q: %s", err.msg);
    CHECK(at_drv_jobs_held(d.drv) == 1, "held %zu (want P)", at_drv_jobs_held(d.drv));
    st = 99;
    rc = at_drv_abandon(d.drv, jp, &st, &err);
    CHECK(rc == 0 && st == AT_UAPI_JOB_DONE, "abandon P: rc %d status %u: %s", rc, st, err.msg);
    CHECK(same_rows(d.drv, src, dst, 0, 16), "P and Q's copies differ");
    CHECK(at_drv_jobs_held(d.drv) == 0, "held %zu", at_drv_jobs_held(d.drv));
    /* bad arguments */
    CHECK(at_drv_abandon(NULL, 1, NULL, &err) == AT_EINVAL, "NULL driver accepted");
    CHECK(at_drv_abandon(d.drv, 9999, NULL, &err) == AT_ENOTFOUND && strstr(err.msg, "no such job"),
          "unknown job: %s", err.msg);
    dt_close(&d);
}

/* The reset fails (the fence-slot read of its first step): the port's
 * error comes back, the job is gone, the device is lost until a reset
 * works, and the job behind runs when requeued. */
static void case_reset_port_error(void)
{
    fdev f;
    if (fdev_open(&f, g_backend, NULL)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(f.drv, 1024, 4), src = pattern_bo(f.drv, 64, 5), dst = dt_bo(f.drv, 64 * 64);
    uint64_t ja, jb, jc;
    CHECK(long_job(f.drv, a, 40, &ja, &err) == 0, "%s", err.msg);
    CHECK(copy_job(f.drv, src, dst, 0, 8, 2, &jb, &err) == 0, "%s", err.msg);
    f.fp.fail_dma = 1;
    uint32_t st = 99;
    int rc = at_drv_abandon(f.drv, ja, &st, &err);
    CHECK(rc == AT_EIO && st == AT_UAPI_JOB_QUEUED && strstr(err.msg, "injected"), "abandon: rc %d status %u: %s", rc,
          st, err.msg);
    CHECK(at_drv_jobs_held(f.drv) == 1, "held %zu (want B)", at_drv_jobs_held(f.drv));
    rc = copy_job(f.drv, src, dst, 16, 8, 1, &jc, &err);
    CHECK(rc == AT_EDEVICE && strstr(err.msg, "device lost") && strstr(err.msg, "abandoning job"),
          "submit after the failed abandon: rc %d: %s", rc, err.msg);
    printf("  %s: %s\n", g_backend, err.msg);
    struct at_uapi_wait w;
    rc = wait_job(f.drv, jb, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN, "B: rc %d status %u: %s", rc, w.status, err.msg);
    CHECK(at_drv_reset(f.drv, &err) == 0, "reset: %s", err.msg);
    uint64_t nb;
    CHECK(at_drv_requeue(f.drv, jb, &nb, &err) == 0, "requeue B: %s", err.msg);
    CHECK(wait_job(f.drv, nb, T_SEC, &w, &err) == 0, "B: %s", err.msg);
    CHECK(same_rows(f.drv, src, dst, 0, 16), "B's copy differs");
    CHECK(at_drv_jobs_held(f.drv) == 0, "held %zu", at_drv_jobs_held(f.drv));
    fdev_close(&f);
}

/* The SOFT_RESET write itself fails: the device still runs A, so it is
 * lost (no submit) until a reset works; then it is idle and usable. */
static void case_reset_write_fails(void)
{
    fdev f;
    if (fdev_open(&f, g_backend, NULL)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t a = pattern_bo(f.drv, 1024, 4), src = pattern_bo(f.drv, 64, 5), dst = dt_bo(f.drv, 64 * 64);
    uint64_t ja, jc;
    CHECK(long_job(f.drv, a, 40, &ja, &err) == 0, "%s", err.msg);
    f.fp.fail_reg_write = 1;
    int rc = at_drv_abandon(f.drv, ja, NULL, &err);
    CHECK(rc != 0 && strstr(err.msg, "device lost"), "abandon with the reset write failing: rc %d: %s", rc, err.msg);
    CHECK(at_drv_jobs_held(f.drv) == 0, "held %zu", at_drv_jobs_held(f.drv));
    rc = copy_job(f.drv, src, dst, 16, 8, 1, &jc, &err);
    CHECK(rc == AT_EDEVICE && strstr(err.msg, "device lost"), "submit after the failed reset write: rc %d: %s", rc,
          err.msg);
    CHECK(at_drv_reset(f.drv, &err) == 0, "reset: %s", err.msg);
    uint32_t s = 0;
    at_drv_reg_read(f.drv, AT_REG_STATUS, &s, NULL);
    CHECK((s & AT_REG_STATUS_IDLE_MASK) && !(s & AT_REG_STATUS_BUSY_MASK), "STATUS 0x%08x after the reset", s);
    CHECK(copy_job(f.drv, src, dst, 0, 8, 2, &jc, &err) == 0, "submit after the reset: %s", err.msg);
    struct at_uapi_wait w;
    CHECK(wait_job(f.drv, jc, T_SEC, &w, &err) == 0, "copy after the reset: %s", err.msg);
    CHECK(same_rows(f.drv, src, dst, 0, 16), "the copy differs");
    fdev_close(&f);
}

/* Abandoning a job queued behind a running one would reset the running
 * one, which is not at fault: refused, and both still finish. */
static void case_behind_running(void)
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
    int rc = at_drv_abandon(d.drv, jb, NULL, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "queued behind"), "abandon B behind A: rc %d: %s", rc, err.msg);
    CHECK(at_drv_jobs_held(d.drv) == 2, "held %zu (want A and B)", at_drv_jobs_held(d.drv));
    struct at_uapi_wait w;
    CHECK(wait_job(d.drv, ja, 10 * T_SEC, &w, &err) == 0, "A: %s", err.msg);
    CHECK(wait_job(d.drv, jb, T_SEC, &w, &err) == 0, "B: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst, 0, 16), "B's copy differs");
    dt_close(&d);
}

/* The runtime's use: at_gemm_run's wait fails on the port; afterwards the
 * driver holds no job and every buffer object is gone (a buffer object of
 * the whole arena can be created), and the next run is right. */
static void case_gemm_run_port_error(void)
{
    fdev f;
    at_drv_opts o = {.bo_arena_bytes = 4u << 20};
    if (fdev_open(&f, g_backend, &o)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    at_gemm_run_opts go = {.m = 40, .n = 200, .k = 300, .seed = 3};
    at_gemm_run_result r;
    f.fp.fail_irq_wait = 1;
    int rc = at_gemm_run(f.drv, &go, &r, &err);
    CHECK(rc == AT_EIO && strstr(err.msg, "injected"), "gemm with a failing interrupt wait: rc %d: %s", rc, err.msg);
    CHECK(at_drv_jobs_held(f.drv) == 0, "held %zu after the failed run", at_drv_jobs_held(f.drv));
    struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = 4u << 20};
    CHECK(at_drv_bo_create(f.drv, &bc, &err) == 0, "the whole arena after the failed run: %s", err.msg);
    if (bc.handle)
        at_drv_bo_destroy(f.drv, bc.handle, NULL);
    rc = at_gemm_run(f.drv, &go, &r, &err);
    CHECK(rc == 0 && r.ok, "gemm after the failed run: rc %d ok %d: %s", rc, r.ok, err.msg);
    fdev_close(&f);
}

int main(void)
{
    for (int b = 0; b < 2; b++) {
        g_backend = dt_backends[b];
        if (!dt_backend_wanted(g_backend))
            continue;
        if (!at_port_cosim_available(g_backend, "tiny")) {
            check_skip(4, "%s/tiny: the backend is not in this build (4 cases)", g_backend);
            continue;
        }
        printf("drv_abandon: backend %s\n", g_backend);
        RUN_CASE(case_queued);
        RUN_CASE(case_not_run_and_done);
        RUN_CASE(case_reset_port_error);
        RUN_CASE(case_reset_write_fails);
        RUN_CASE(case_behind_running);
        RUN_CASE(case_gemm_run_port_error);
    }
    return check_finish("drv_abandon");
}
