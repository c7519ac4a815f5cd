/* Driver jobs on the simulated device (fmodel; rtl when built): several
 * jobs queued and waited in and out of order, ring wrap-around on an
 * 8-entry ring (and a job longer than the ring), a failing job in the middle
 * of the queue (decoded error; the jobs after it NOT_RUN; requeued they
 * run), a bus error. Timeouts and recovery: test_drv_recovery.c. */
#include "acceltran_cosim.h"
#include "drv_test_util.h"
#include "drv_jobs_util.h"

static const char *g_backend = "fmodel";

static void test_several_jobs(void)
{
    dt_dev d;
    if (dt_open(g_backend, "tiny", NULL, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t src = pattern_bo(d.drv, 160, 1), dst = dt_bo(d.drv, 160 * 64);
    uint64_t id[5];
    for (int i = 0; i < 5; i++)
        CHECK(copy_job(d.drv, src, dst, 32 * i, 8, 4, &id[i], &err) == 0, "submit %d: %s", i, err.msg);
    CHECK(at_drv_jobs_held(d.drv) == 5, "held %zu", at_drv_jobs_held(d.drv));
    struct at_uapi_wait w;
    /* the last first: every earlier one is then complete too */
    CHECK(wait_job(d.drv, id[4], T_SEC, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "job 4: %s", err.msg);
    for (int i = 0; i < 4; i++)
        CHECK(wait_job(d.drv, id[i], 1000, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "job %d: %s", i,
              err.msg);
    CHECK(same_rows(d.drv, src, dst, 0, 160), "copies differ");
    CHECK(at_drv_jobs_held(d.drv) == 0, "held %zu", at_drv_jobs_held(d.drv));
    uint64_t cmds = 0;
    at_drv_counter(d.drv, AT_REG_CNT_CMDS_LO, &cmds, NULL);
    CHECK(cmds == 5 * (8 + 1), "CNT_CMDS %llu, want 45", (unsigned long long)cmds);
    dt_close(&d);
}

static void test_ring_wrap(void)
{
    at_drv_opts o = {.ring_log2 = 3}; /* 8 entries: 7 usable */
    dt_dev d;
    if (dt_open(g_backend, "tiny", &o, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    uint32_t src = pattern_bo(d.drv, 256, 2), dst = dt_bo(d.drv, 256 * 64);
    struct at_uapi_wait w;
    /* 12 rounds of two 5-descriptor jobs: the second waits for ring space */
    for (int r = 0; r < 12; r++) {
        uint64_t a, b;
        uint32_t r0 = (uint32_t)(r % 8) * 32;
        CHECK(copy_job(d.drv, src, dst, r0, 8, 2, &a, &err) == 0, "round %d a: %s", r, err.msg);
        CHECK(copy_job(d.drv, src, dst, r0 + 16, 8, 2, &b, &err) == 0, "round %d b: %s", r, err.msg);
        CHECK(wait_job(d.drv, a, T_SEC, &w, &err) == 0, "round %d a: %s", r, err.msg);
        CHECK(wait_job(d.drv, b, T_SEC, &w, &err) == 0, "round %d b: %s", r, err.msg);
    }
    CHECK(same_rows(d.drv, src, dst, 0, 256), "copies differ after wrap-around");
    uint32_t head = 0, tail = 0;
    at_drv_reg_read(d.drv, AT_REG_RING_HEAD, &head, NULL);
    at_drv_reg_read(d.drv, AT_REG_RING_TAIL, &tail, NULL);
    CHECK(head == tail && tail == (12 * 10) % 8, "HEAD %u TAIL %u", head, tail);
    /* a job of 32 + 1 descriptors streams through the 8-entry ring */
    uint32_t dst2 = dt_bo(d.drv, 256 * 64);
    uint64_t big;
    CHECK(copy_job(d.drv, src, dst2, 0, 16, 16, &big, &err) == 0, "big: %s", err.msg);
    CHECK(wait_job(d.drv, big, T_SEC, &w, &err) == 0, "big: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst2, 0, 256), "streamed job's copy differs");
    dt_close(&d);
}

static void test_error_in_queue(void)
{
    dt_dev d;
    if (dt_open(g_backend, "tiny", NULL, &d)) {
        CHECK(0, "open");
        return;
    }
    at_err err = {0};
    const at_hw_config *cfg = at_drv_config(d.drv);
    uint32_t act_lines = cfg->act_buf_kib * 1024 / 32;
    uint32_t src = pattern_bo(d.drv, 128, 3), dst = dt_bo(d.drv, 128 * 64);
    uint64_t j1, j3, j4;
    CHECK(copy_job(d.drv, src, dst, 0, 8, 2, &j1, &err) == 0, "%s", err.msg);
    /* j2: NOP, a GEMM whose A lies past the activation buffer, NOP */
    struct at_uapi_cmd c[3];
    memset(c, 0, sizeof c);
    AT_DPUT(c[0].desc, OPCODE, AT_OP_NOP);
    AT_DPUT(c[2].desc, OPCODE, AT_OP_NOP);
    uint32_t *g = c[1].desc;
    AT_DPUT(g, OPCODE, AT_OP_GEMM);
    AT_DPUT(g, TAG, 0xbeef);
    AT_DPUT(g, GEMM_A, act_lines);
    AT_DPUT(g, GEMM_LDA, 1);
    AT_DPUT(g, GEMM_B, 0);
    AT_DPUT(g, GEMM_LDB, 16);
    AT_DPUT(g, GEMM_C, 0);
    AT_DPUT(g, GEMM_LDC, 1);
    AT_DPUT(g, GEMM_M, 1);
    AT_DPUT(g, GEMM_N, 16);
    AT_DPUT(g, GEMM_K, 16);
    AT_DPUT(g, GEMM_RQ_M, 1);
    struct at_uapi_job jb;
    dt_job(&jb, c, 3, NULL, 0);
    CHECK(at_drv_submit(d.drv, &jb, &err) == 0, "bad job passes validation: %s", err.msg);
    uint64_t j2 = jb.job_id;
    CHECK(copy_job(d.drv, src, dst, 32, 8, 2, &j3, &err) == 0, "%s", err.msg);
    CHECK(copy_job(d.drv, src, dst, 64, 8, 2, &j4, &err) == 0, "%s", err.msg);

    struct at_uapi_wait w;
    CHECK(wait_job(d.drv, j1, T_SEC, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "j1: %s", err.msg);
    int rc = wait_job(d.drv, j2, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_FAILED, "j2: rc %d status %u", rc, w.status);
    CHECK(w.failed_cmd == 1 && w.dev_err == AT_DEVERR_SPAD_RANGE && w.dev_info == 0,
          "j2: failed_cmd %u dev_err %u info %u", w.failed_cmd, w.dev_err, w.dev_info);
    CHECK(strstr(err.msg, "command 1 of 3 (GEMM") && strstr(err.msg, "SPAD_RANGE") &&
              strstr(err.msg, "activation") && strstr(err.msg, "tag 0xbeef"),
          "j2 message: %s", err.msg);
    printf("  %s\n", err.msg);
    rc = wait_job(d.drv, j3, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN && strstr(err.msg, "not run"), "j3: rc %d %s", rc,
          err.msg);
    printf("  %s\n", err.msg);
    rc = wait_job(d.drv, j4, T_SEC, &w, &err);
    CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN, "j4: rc %d", rc);
    /* not run: the rows of j3 / j4 are not copied; the BO cannot go yet */
    CHECK(!same_rows(d.drv, src, dst, 32, 8), "j3 copied before requeue");
    CHECK(at_drv_bo_destroy(d.drv, src, &err) == AT_EINVAL, "bo of a not-run job destroyed");
    /* requeued, they run */
    uint64_t n3, n4;
    CHECK(at_drv_requeue(d.drv, j3, &n3, &err) == 0, "requeue j3: %s", err.msg);
    CHECK(at_drv_requeue(d.drv, j4, &n4, &err) == 0, "requeue j4: %s", err.msg);
    CHECK(at_drv_requeue(d.drv, j3, &n3, &err) == AT_ENOTFOUND, "j3 requeued twice");
    CHECK(wait_job(d.drv, n3, T_SEC, &w, &err) == 0, "n3: %s", err.msg);
    CHECK(wait_job(d.drv, n4, T_SEC, &w, &err) == 0, "n4: %s", err.msg);
    CHECK(same_rows(d.drv, src, dst, 32, 16) && same_rows(d.drv, src, dst, 64, 16), "requeued copies differ");
    CHECK(at_drv_jobs_held(d.drv) == 0, "held %zu", at_drv_jobs_held(d.drv));

    /* a bus error on a LOAD's source */
    struct at_cosim *dev = at_port_cosim_device(&d.port);
    uint64_t bus = 0;
    at_drv_bo_info(d.drv, src, &bus, NULL, NULL);
    if (dev && at_cosim_mem_fault(dev, bus + 96 * 64, 64, 2, &err) == 0) {
        uint64_t jf;
        CHECK(copy_job(d.drv, src, dst, 96, 8, 1, &jf, &err) == 0, "%s", err.msg);
        rc = wait_job(d.drv, jf, T_SEC, &w, &err);
        CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_FAILED && w.failed_cmd == 0 &&
                  w.dev_err == AT_DEVERR_BUS_SLVERR && strstr(err.msg, "SLVERR"),
              "bus error: rc %d status %u cmd %u err %u: %s", rc, w.status, w.failed_cmd, w.dev_err, err.msg);
        printf("  %s\n", err.msg);
        at_cosim_mem_fault(dev, 0, 0, 0, NULL);
        CHECK(copy_job(d.drv, src, dst, 96, 8, 1, &jf, &err) == 0, "%s", err.msg);
        CHECK(wait_job(d.drv, jf, T_SEC, &w, &err) == 0, "after the fault: %s", err.msg);
        CHECK(same_rows(d.drv, src, dst, 96, 8), "copy after the bus error differs");
    } else {
        CHECK(0, "fault injection unavailable: %s", err.msg);
    }
    dt_close(&d);
}

int main(void)
{
    for (int b = 0; b < 2; b++) {
        g_backend = dt_backends[b];
        if (!at_port_cosim_available(g_backend, "tiny")) {
            check_skip(3, "%s/tiny: the backend is not in this build (3 cases)", g_backend);
            continue;
        }
        printf("drv_jobs: backend %s\n", g_backend);
        RUN_CASE(test_several_jobs);
        RUN_CASE(test_ring_wrap);
        RUN_CASE(test_error_in_queue);
    }
    return check_finish("drv_jobs");
}
