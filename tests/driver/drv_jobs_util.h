/* Small jobs of the driver tests (test_drv_jobs.c, test_drv_recovery.c):
 * copies through the activation scratchpad, a long GEMM job, pattern
 * buffer objects. A job's deadline is dj_timeout_ns (0: the driver's). */
#ifndef ACCELTRAN_DRV_JOBS_UTIL_H
#define ACCELTRAN_DRV_JOBS_UTIL_H

#include "drv_test_util.h"

#define T_SEC 1000000000ull

/* deadline given to the jobs the helpers submit (0: the driver's default) */
static uint64_t dj_timeout_ns;

/* Copy job: n_pairs x (LOAD rows x 32 from src at row r0, STORE to dst). */
static inline int copy_job(at_drv *drv, uint32_t src, uint32_t dst, uint32_t r0, uint32_t rows, uint32_t pairs,
                    uint64_t *id, at_err *err)
{
    struct at_uapi_cmd c[64];
    uint32_t n = 0;
    for (uint32_t p = 0; p < pairs && n + 2 <= 64; p++) {
        uint32_t rr = r0 + p * rows;
        dt_xfer(&c[n++], AT_OP_LOAD, (p % 4) * 64, rows, 32, src, (uint64_t)rr * 64, 64);
        dt_xfer(&c[n++], AT_OP_STORE, (p % 4) * 64, rows, 32, dst, (uint64_t)rr * 64, 64);
    }
    uint32_t bos[2] = {src, dst};
    struct at_uapi_job j;
    dt_job(&j, c, n, bos, 2);
    j.timeout_ns = dj_timeout_ns;
    int rc = at_drv_submit(drv, &j, err);
    *id = j.job_id;
    return rc;
}

static inline int wait_job(at_drv *drv, uint64_t id, uint64_t timeout, struct at_uapi_wait *w, at_err *err)
{
    dt_wait_init(w, id, timeout);
    return at_drv_wait(drv, w, err);
}

/* src holds rows x 32 int16 of a pattern; returns the BO. */
static inline uint32_t pattern_bo(at_drv *drv, uint32_t rows, int salt)
{
    uint32_t h = dt_bo(drv, (uint64_t)rows * 64);
    int16_t *v = malloc((size_t)rows * 64);
    for (uint32_t i = 0; i < rows * 32; i++)
        v[i] = (int16_t)(i * 7 + salt * 131);
    at_drv_bo_write(drv, h, 0, v, (uint64_t)rows * 64, NULL);
    free(v);
    return h;
}

static inline int same_rows(at_drv *drv, uint32_t a, uint32_t b, uint32_t r0, uint32_t rows)
{
    int16_t *x = malloc((size_t)rows * 64), *y = malloc((size_t)rows * 64);
    at_drv_bo_read(drv, a, (uint64_t)r0 * 64, x, (uint64_t)rows * 64, NULL);
    at_drv_bo_read(drv, b, (uint64_t)r0 * 64, y, (uint64_t)rows * 64, NULL);
    int same = !memcmp(x, y, (size_t)rows * 64);
    free(x);
    free(y);
    return same;
}

/* A long job: LOAD a dense A block, then n GEMMs 16x64x512 over it. */
static inline int long_job(at_drv *drv, uint32_t a_bo, uint32_t n, uint64_t *id, at_err *err)
{
    struct at_uapi_cmd *c = calloc(n + 2, sizeof *c);
    dt_xfer(&c[0], AT_OP_LOAD, 0, 16, 512, a_bo, 0, 1024);
    /* weights: 512 x 64 in the weight layout from the same BO (garbage is fine) */
    dt_xfer(&c[1], AT_OP_LOAD, 0, 512, 64, a_bo, 0, 128);
    AT_DPUT(c[1].desc, XFER_BUF, 1);
    AT_DPUT(c[1].desc, XFER_SPAD_ROW_STEP, 1);
    AT_DPUT(c[1].desc, XFER_SPAD_CB_STEP, 512);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t *g = c[2 + i].desc;
        AT_DPUT(g, OPCODE, AT_OP_GEMM);
        AT_DPUT(g, GEMM_A, 0);
        AT_DPUT(g, GEMM_LDA, 32);
        AT_DPUT(g, GEMM_LDB, 512);
        AT_DPUT(g, GEMM_C, 512);
        AT_DPUT(g, GEMM_LDC, 4);
        AT_DPUT(g, GEMM_M, 16);
        AT_DPUT(g, GEMM_N, 64);
        AT_DPUT(g, GEMM_K, 512);
        AT_DPUT(g, GEMM_RQ_M, 1);
        AT_DPUT(g, GEMM_RQ_S, 40);
    }
    struct at_uapi_job j;
    dt_job(&j, c, n + 2, &a_bo, 1);
    j.timeout_ns = dj_timeout_ns;
    int rc = at_drv_submit(drv, &j, err);
    *id = j.job_id;
    free(c);
    return rc;
}

#endif
