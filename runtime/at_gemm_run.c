/* See at_gemm_run.h. */
#include "at_gemm_run.h"

#include "at_cmdbuf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "at_jobs.h"

static uint64_t sm64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int at_gemm_run(at_drv *drv, const at_gemm_run_opts *o, at_gemm_run_result *r, at_err *err)
{
    if (!drv || !o || !r)
        return at_err_set(err, AT_EINVAL, "gemm: NULL argument");
    memset(r, 0, sizeof *r);
    if (o->m == 0 || o->n == 0 || o->k == 0 || o->m > 65535 || o->n > 65535 || o->k > 65535)
        return at_err_set(err, AT_EINVAL, "gemm: M %u, N %u, K %u must each be in 1..65535", o->m, o->n, o->k);
    if (!(o->sparsity >= 0.0 && o->sparsity <= 1.0))
        return at_err_set(err, AT_EINVAL, "gemm: sparsity must be in [0, 1]");
    if (o->tau > 32767)
        return at_err_set(err, AT_EINVAL, "gemm: tau %u above 32767", o->tau);
    const at_hw_config *cfg = at_drv_config(drv), *pcfg = o->plan_cfg ? o->plan_cfg : cfg;
    if (pcfg->act_buf_kib > cfg->act_buf_kib || pcfg->wgt_buf_kib > cfg->wgt_buf_kib)
        return at_err_set(err, AT_EINVAL, "gemm: the plan's scratchpads (%u / %u KiB) exceed the device's (%u / %u KiB)",
                          pcfg->act_buf_kib, pcfg->wgt_buf_kib, cfg->act_buf_kib, cfg->wgt_buf_kib);
    uint32_t m = o->m, n = o->n, k = o->k;
    uint32_t lda = at_gemm_ld_bytes(k), ldb = at_gemm_ld_bytes(n), ldc = at_gemm_ld_bytes(n);
    size_t ea = lda / 2, eb = ldb / 2, ec = ldc / 2; /* elements per padded row */
    if ((uint64_t)m * lda > AT_UAPI_MAX_BO_BYTES || (uint64_t)k * ldb > AT_UAPI_MAX_BO_BYTES ||
        (uint64_t)m * ldc > AT_UAPI_MAX_BO_BYTES)
        return at_err_set(err, AT_ERANGE, "gemm: %ux%ux%u: a matrix exceeds the largest buffer object (%llu bytes)",
                          m, n, k, (unsigned long long)AT_UAPI_MAX_BO_BYTES);
    int16_t *a = calloc((size_t)m * ea, 2), *b = calloc((size_t)k * eb, 2);
    int16_t *c = calloc((size_t)m * ec, 2), *cref = calloc((size_t)m * ec, 2);
    uint32_t hb[3] = {0, 0, 0};
    int rc = 0;
    int16_t *bp = NULL;
    at_gemm_plan plan = {0};
    if (!a || !b || !c || !cref) {
        rc = at_err_set(err, AT_ENOMEM, "gemm: out of memory for %ux%ux%u", m, n, k);
        goto out;
    }
    /* data: A with the requested fraction of zeros, B dense */
    uint64_t st = o->seed ^ 0x6a09e667f3bcc909ull, zeros = 0;
    uint64_t zthr = (uint64_t)(o->sparsity * 18446744073709551616.0 > 18446744073709551615.0
                                   ? UINT64_MAX
                                   : o->sparsity * 18446744073709551616.0);
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t j = 0; j < k; j++) {
            int16_t v;
            if (o->sparsity > 0 && (o->sparsity >= 1.0 || sm64(&st) < zthr))
                v = 0;
            else {
                do
                    v = (int16_t)(uint16_t)sm64(&st);
                while (v == 0);
            }
            zeros += v == 0;
            a[(size_t)i * ea + j] = v;
        }
    for (uint32_t i = 0; i < k; i++)
        for (uint32_t j = 0; j < n; j++)
            b[(size_t)i * eb + j] = (int16_t)(uint16_t)sm64(&st);
    at_rq rq = at_gemm_default_rq(k);

    /* buffer objects */
    /* B packed in column tiles when K allows (contiguous strip loads) */
    int tiled = k <= 4095;
    uint32_t nt = (n + 15) / 16;
    uint32_t tile_bytes = 32u * k;
    if (tiled) {
        bp = malloc((size_t)nt * tile_bytes);
        if (!bp) {
            rc = at_err_set(err, AT_ENOMEM, "gemm: out of memory");
            goto out;
        }
        at_gemm_pack_b(b, eb, k, n, bp, tile_bytes / 2);
    }
    uint64_t sz[3] = {(uint64_t)m * lda, tiled ? (uint64_t)nt * tile_bytes : (uint64_t)k * ldb,
                      (uint64_t)m * ldc};
    for (int i = 0; i < 3; i++) {
        struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = sz[i]};
        if ((rc = at_drv_bo_create(drv, &bc, err)))
            goto out;
        hb[i] = bc.handle;
    }
    if ((rc = at_drv_bo_write(drv, hb[0], 0, a, sz[0], err)) ||
        (rc = at_drv_bo_write(drv, hb[1], 0, tiled ? bp : b, sz[1], err)))
        goto out;
    free(bp);
    bp = NULL;

    at_gemm_spec spec = {.m = m, .n = n, .k = k, .bo_a = hb[0], .bo_b = hb[1], .bo_c = hb[2], .lda = lda,
                         .ldb = tiled ? tile_bytes : ldb, .ldc = ldc, .b_tiled = tiled, .tau = o->tau, .rq = rq,
                         .order = o->order, .b_resident = o->b_preload};
    if (o->b_preload && !tiled) {
        rc = at_err_set(err, AT_EUNSUPPORTED, "gemm: preloading B needs K <= 4095 (K %u)", k);
        goto out;
    }
    if ((rc = at_gemm_plan_build(pcfg, &spec, &plan, err)))
        goto out;
    if (o->b_preload) {
        /* the preload: column tile t at weight line t * 4 ceil(K/4) */
        at_cmdbuf cb = {0};
        at_cmdbuf_xfer(&cb, AT_OP_LOAD, 1, 0, nt, 16 * k, (k + 3) / 4 * 4, 1, hb[1], 0, tile_bytes);
        at_cmdbuf_append(&cb, plan.cmds, plan.num_cmds);
        if (cb.oom) {
            free(cb.cmds);
            rc = at_err_set(err, AT_ENOMEM, "gemm: out of memory");
            goto out;
        }
        free(plan.cmds);
        plan.cmds = cb.cmds;
        plan.num_cmds = cb.n;
    }

    at_counters c0, c1;
    if ((rc = at_counters_read(drv, &c0, err)))
        goto out;
    const at_port *port = at_drv_port(drv);
    uint64_t cyc0 = port->ops->cycles ? port->ops->cycles(port->ctx) : 0;
    double t0 = wall_s();
    /* a plan longer than a job holds runs as several jobs in a row (the
     * driver's fence between them changes nothing: at_jobs.h) */
    at_jobs_opts jo = {.max_cmds = o->max_job_cmds,
                       .timeout_ns = o->timeout_ns ? o->timeout_ns : 100000000000ull}; /* each job's deadline */
    at_jobs_result jr;
    if ((rc = at_jobs_run(drv, plan.cmds, plan.num_cmds, hb, 3, &jo, &jr, err)))
        goto out;
    r->host_seconds = wall_s() - t0;
    r->sim_cycles = port->ops->cycles ? port->ops->cycles(port->ctx) - cyc0 : 0;
    if ((rc = at_counters_read(drv, &c1, err)))
        goto out;
    if ((rc = at_drv_bo_read(drv, hb[2], 0, c, sz[2], err)))
        goto out;

    r->pruned_ref = at_gemm_reference(a, ea, b, eb, cref, ec, m, n, k, rq, o->tau);
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t j = 0; j < n; j++)
            r->mismatches += c[(size_t)i * ec + j] != cref[(size_t)i * ec + j];
    r->ok = r->mismatches == 0;
    r->cycles = jr.busy_cycles;
    r->jobs = jr.jobs;
    r->macs = (uint64_t)m * n * k;
    r->peak_macs_per_cycle = at_hw_peak_macs_per_cycle(cfg);
    r->utilization = r->cycles ? (double)r->macs / ((double)r->cycles * (double)r->peak_macs_per_cycle) : 0;
    at_counters_delta(&c0, &c1, &r->delta); /* 48 bits wide: they may wrap between two reads */
    r->mac_issued = r->delta.v[AT_CNT_MAC_ISSUED];
    r->mac_skipped = r->delta.v[AT_CNT_MAC_SKIPPED];
    r->pruned = r->delta.v[AT_CNT_PRUNED];
    r->mem_rd = r->delta.v[AT_CNT_MEM_RD_BYTES];
    r->mem_wr = r->delta.v[AT_CNT_MEM_WR_BYTES];
    r->compute_cycles = r->delta.v[AT_CNT_GEMM_BUSY];
    at_roofline_make(cfg, r->cycles, r->compute_cycles, r->macs, r->mem_rd + r->mem_wr, &r->roof);
    r->sparsity_actual = (double)zeros / ((double)m * k);
    r->checksum = at_gemm_checksum(c, ec, m, n);
    r->commands = plan.num_cmds;
out:
    r->plan = plan;
    r->plan.cmds = NULL;
    at_gemm_plan_free(&plan);
    for (int i = 0; i < 3; i++)
        if (hb[i])
            at_drv_bo_destroy(drv, hb[i], NULL);
    free(bp);
    free(a);
    free(b);
    free(c);
    free(cref);
    return rc;
}
