/* Fault injection in the AXI memory model (at_cosim_mem_fault / _stall),
 * through the driver, on the fmodel and (when built) the rtl backend. For
 * each target of a job of three commands (LOAD 8 rows, STORE 8 rows, the
 * driver's closing FENCE):
 *   - the descriptor fetch of the STORE, the 6th beat of the LOAD, the 6th
 *     beat of the STORE, the fence write-back;
 * and each fault:
 *   - SLVERR and DECERR: the job FAILED at the right command with the bus
 *     error decoded, the job behind it NOT_RUN, and both right when the
 *     fault is gone (requeued);
 *   - a 20,000-cycle stall: the job DONE, at least that much later;
 *   - a response that never comes: the job TIMEDOUT at its deadline, the
 *     soft reset cannot finish (it waits for the response), the device is
 *     lost; when the memory answers again at_drv_reset brings it back and
 *     the job behind runs.
 * Every job ends with a status; nothing is lost. */
#include "acceltran_cosim.h"
#include "drv_jobs_util.h"

/* waits: far longer than these small jobs take, short enough for the rtl when one hangs */
#define W_NS 300000ull

static const char *g_backend = "fmodel";

enum { T_FETCH, T_LOAD, T_STORE, T_FENCE, T_NUM };
static const char *const target_name[T_NUM] = {"descriptor fetch", "LOAD beat 5", "STORE beat 5", "fence write"};
enum { F_SLVERR, F_DECERR, F_STALL, F_FOREVER, F_NUM };
static const char *const fault_name[F_NUM] = {"SLVERR", "DECERR", "20000-cycle stall", "no response"};

typedef struct bench {
    dt_dev d;
    at_cosim *dev;
    uint32_t src, dst;
    uint64_t ring, fence;       /* bus addresses */
    uint64_t src_bus, dst_bus;
} bench;

static int bench_open(bench *b)
{
    memset(b, 0, sizeof *b);
    at_drv_opts o = {.reset_timeout_ns = 20000, .ring_log2 = 4};
    if (dt_open(g_backend, "tiny", &o, &b->d))
        return -1;
    b->dev = at_port_cosim_device(&b->d.port);
    b->src = pattern_bo(b->d.drv, 64, 3);
    b->dst = dt_bo(b->d.drv, 64 * 64);
    uint32_t lo = 0, hi = 0, l2 = 0;
    at_drv_reg_read(b->d.drv, AT_REG_RING_BASE_LO, &lo, NULL);
    at_drv_reg_read(b->d.drv, AT_REG_RING_BASE_HI, &hi, NULL);
    at_drv_reg_read(b->d.drv, AT_REG_RING_SIZE, &l2, NULL);
    b->ring = ((uint64_t)hi << 32) | lo;
    b->fence = b->ring + 64ull * (1u << l2); /* the driver's fence slot follows the ring */
    at_drv_bo_info(b->d.drv, b->src, &b->src_bus, NULL, NULL);
    at_drv_bo_info(b->d.drv, b->dst, &b->dst_bus, NULL, NULL);
    return b->dev ? 0 : -1;
}

/* Where the fault goes for the next job (its descriptors start at ring slot `slot`). */
static void target_range(const bench *b, int t, uint32_t slot, uint64_t *addr, uint64_t *n)
{
    switch (t) {
    case T_FETCH: *addr = b->ring + 64ull * ((slot + 1) % 16); *n = 64; break; /* the STORE's descriptor */
    case T_LOAD: *addr = b->src_bus + 5 * 64; *n = 32; break;                   /* row 5: the 6th beat */
    case T_STORE: *addr = b->dst_bus + 5 * 64; *n = 32; break;
    default: *addr = b->fence; *n = 4; break;
    }
}

static uint32_t ring_slot(const bench *b)
{
    uint32_t tail = 0;
    at_drv_reg_read(b->d.drv, AT_REG_RING_TAIL, &tail, NULL);
    return tail;
}

static void one(int t, int f)
{
    bench b;
    if (bench_open(&b)) {
        CHECK(0, "open %s", g_backend);
        return;
    }
    char what[96];
    snprintf(what, sizeof what, "%s/%s, %s", g_backend, target_name[t], fault_name[f]);
    at_err err = {0};
    uint64_t addr, n;
    target_range(&b, t, ring_slot(&b), &addr, &n);
    int rc;
    if (f <= F_DECERR)
        rc = at_cosim_mem_fault(b.dev, addr, n, f == F_SLVERR ? 2 : 3, &err);
    else
        rc = at_cosim_mem_stall(b.dev, addr, n, f == F_STALL ? 20000u : UINT32_MAX, &err);
    CHECK(rc == 0, "%s: inject: %s", what, err.msg);
    /* the job (one LOAD + STORE pair of 8 rows), then an innocent one */
    uint64_t j1, j2;
    dj_timeout_ns = f == F_FOREVER ? 50000 : 0;
    CHECK(copy_job(b.d.drv, b.src, b.dst, 0, 8, 1, &j1, &err) == 0, "%s: submit: %s", what, err.msg);
    dj_timeout_ns = 0;
    CHECK(copy_job(b.d.drv, b.src, b.dst, 8, 8, 1, &j2, &err) == 0, "%s: submit 2: %s", what, err.msg);
    struct at_uapi_wait w;
    rc = wait_job(b.d.drv, j1, W_NS, &w, &err);
    int requeue = 0;
    if (f <= F_DECERR) {
        unsigned want_err = f == F_SLVERR ? AT_DEVERR_BUS_SLVERR : AT_DEVERR_BUS_DECERR;
        uint32_t want_cmd = t == T_LOAD ? 0 : t == T_FENCE ? 2 : 1;
        CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_FAILED && w.dev_err == want_err && w.failed_cmd == want_cmd,
              "%s: rc %d status %u dev_err %u failed_cmd %u (want %u at %u): %s", what, rc, w.status, w.dev_err,
              w.failed_cmd, want_err, want_cmd, err.msg);
        if (t == T_LOAD)
            printf("  %s: %s\n", what, err.msg);
        rc = wait_job(b.d.drv, j2, W_NS, &w, &err);
        CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN, "%s: job 2: rc %d status %u", what, rc, w.status);
        at_cosim_mem_fault(b.dev, 0, 0, 0, NULL);
        requeue = 1;
    } else if (f == F_STALL) {
        CHECK(rc == 0 && w.status == AT_UAPI_JOB_DONE && w.busy_cycles >= 20000,
              "%s: rc %d status %u busy %llu: %s", what, rc, w.status, (unsigned long long)w.busy_cycles, err.msg);
        CHECK(wait_job(b.d.drv, j2, W_NS, &w, &err) == 0, "%s: job 2: %s", what, err.msg);
        at_cosim_mem_stall(b.dev, 0, 0, 0, NULL);
    } else {
        CHECK(rc == AT_ETIMEDOUT && w.status == AT_UAPI_JOB_TIMEDOUT && strstr(err.msg, "device lost"),
              "%s: rc %d status %u: %s", what, rc, w.status, err.msg);
        if (t == T_LOAD)
            printf("  %s: %s\n", what, err.msg);
        rc = wait_job(b.d.drv, j2, W_NS, &w, &err);
        CHECK(rc == AT_EDEVICE && w.status == AT_UAPI_JOB_NOT_RUN, "%s: job 2: rc %d status %u", what, rc, w.status);
        uint64_t j3;
        CHECK(copy_job(b.d.drv, b.src, b.dst, 16, 8, 1, &j3, &err) == AT_EDEVICE && strstr(err.msg, "lost"),
              "%s: submit on the lost device: %s", what, err.msg);
        /* the memory answers again: the held response arrives, the reset can finish */
        at_cosim_mem_stall(b.dev, 0, 0, 0, NULL);
        CHECK(at_drv_reset(b.d.drv, &err) == 0, "%s: reset after the stall: %s", what, err.msg);
        requeue = 1;
    }
    if (requeue && !check_g.case_failed) {
        uint64_t n1, n2;
        CHECK(at_drv_requeue(b.d.drv, j2, &n2, &err) == 0, "%s: requeue 2: %s", what, err.msg);
        CHECK(copy_job(b.d.drv, b.src, b.dst, 0, 8, 1, &n1, &err) == 0, "%s: resubmit 1: %s", what, err.msg);
        CHECK(wait_job(b.d.drv, n2, W_NS, &w, &err) == 0, "%s: requeued job 2: %s", what, err.msg);
        CHECK(wait_job(b.d.drv, n1, W_NS, &w, &err) == 0, "%s: resubmitted job 1: %s", what, err.msg);
    }
    CHECK(same_rows(b.d.drv, b.src, b.dst, 0, 16), "%s: the copies differ after recovery", what);
    CHECK(at_drv_jobs_held(b.d.drv) == 0, "%s: the driver holds %zu jobs", what, at_drv_jobs_held(b.d.drv));
    dt_close(&b.d);
}

static void case_all_faults(void)
{
    for (int t = 0; t < T_NUM; t++)
        for (int f = 0; f < F_NUM; f++)
            one(t, f);
}

int main(void)
{
    for (int b = 0; b < 2; b++) {
        g_backend = dt_backends[b];
        if (!dt_backend_wanted(g_backend))
            continue;
        if (!at_port_cosim_available(g_backend, "tiny")) {
            check_skip(1, "%s/tiny: the backend is not in this build", g_backend);
            continue;
        }
        printf("drv_faults: backend %s (%d targets x %d faults)\n", g_backend, T_NUM, F_NUM);
        RUN_CASE(case_all_faults);
    }
    return check_finish("drv_faults");
}
