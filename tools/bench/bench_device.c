/* bench_device: the GEMM job (at_gemm_run: tiled LOAD / GEMM / STORE stream
 * through the driver) on every available cosim backend, for a set of shapes
 * on tiny (dense 512^3 and 50% sparse 512^3 among them) and a few on edge
 * (fmodel only unless the rtl build has edge).
 *
 * Prints per run: cycles (device busy), utilization = M N K / (cycles x
 * peak MACs/cycle), the check against the host reference; then the
 * sparse/dense cycle ratio, the fmodel/rtl cycle ratio per shape, the rtl's
 * simulated cycles per second and the fmodel's MACs per second (host wall
 * time); and one JSON line per run ({"bench":"device",...}).
 *
 * ACCELTRAN_BENCH_QUICK=1 skips the 512^3 shapes on rtl. The dtb files are
 * taken from $BUILD/firmware (default: <exe>/../../firmware, then
 * build/firmware). Exit status 1 when a run fails or a result is wrong. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at_gemm_run.h"
#include "at_port_cosim.h"
#include "bench_util.h"

typedef struct shape {
    const char *config;
    uint32_t m, n, k;
    double sparsity;
} shape;

static const shape shapes[] = {
    {"tiny", 64, 64, 64, 0.0},     {"tiny", 128, 128, 128, 0.0}, {"tiny", 256, 256, 256, 0.0},
    {"tiny", 512, 512, 512, 0.0},  {"tiny", 512, 512, 512, 0.5}, {"tiny", 512, 512, 512, 0.9},
    {"tiny", 128, 768, 384, 0.0},  {"edge", 512, 512, 512, 0.0}, {"edge", 512, 1024, 1024, 0.0},
    {"edge", 512, 1024, 1024, 0.5},
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

typedef struct run {
    int done, ok;
    at_gemm_run_result r;
} run;

static int run_one(const char *backend, const shape *s, run *out)
{
    at_err err = {0};
    at_port port;
    uint64_t mem = 256ull << 20;
    at_port_cosim_opts po = {backend, s->config, mem, 0};
    if (at_port_cosim_open(&po, &port, &err)) {
        fprintf(stderr, "bench_device: %s/%s: %s\n", backend, s->config, err.msg);
        return -1;
    }
    char dtb[PATH_MAX];
    at_drv_opts o = {.bo_arena_bytes = mem - (8ull << 20)};
    at_drv *drv = NULL;
    if (at_drv_open(&port, bench_dtb_path(s->config, dtb, sizeof dtb), &o, &drv, &err)) {
        fprintf(stderr, "bench_device: %s/%s: %s\n", backend, s->config, err.msg);
        at_port_close(&port);
        return -1;
    }
    at_gemm_run_opts ro = {.m = s->m, .n = s->n, .k = s->k, .sparsity = s->sparsity, .seed = 1};
    int rc = at_gemm_run(drv, &ro, &out->r, &err);
    if (rc)
        fprintf(stderr, "bench_device: %s/%s %ux%ux%u: %s\n", backend, s->config, s->m, s->n, s->k, err.msg);
    out->done = rc == 0;
    out->ok = rc == 0 && out->r.ok;
    at_drv_close(drv);
    at_port_close(&port);
    return rc ? -1 : 0;
}

int main(void)
{
    static const char *backends[2] = {"fmodel", "rtl"};
    static run runs[2][NSHAPES];
    int quick = getenv("ACCELTRAN_BENCH_QUICK") != NULL;
    int failed = 0;
    printf("bench_device: GEMM jobs through the driver (cycles = device busy cycles; utilization = "
           "M*N*K / (cycles x peak MACs/cycle))\n");
    printf("%-7s %-6s %-16s %5s %10s %8s %6s %9s %s\n", "backend", "config", "shape", "sp", "cycles", "util",
           "cmds", "host_s", "check");
    for (int b = 0; b < 2; b++)
        for (size_t i = 0; i < NSHAPES; i++) {
            const shape *s = &shapes[i];
            if (!at_port_cosim_available(backends[b], s->config))
                continue;
            if (b == 1 && quick && (uint64_t)s->m * s->n * s->k >= 512ull * 512 * 512)
                continue;
            run *r = &runs[b][i];
            char sh[32];
            snprintf(sh, sizeof sh, "%ux%ux%u", s->m, s->n, s->k);
            if (run_one(backends[b], s, r)) {
                failed = 1;
                printf("%-7s %-6s %-16s %5.2f FAILED\n", backends[b], s->config, sh, s->sparsity);
                continue;
            }
            failed |= !r->ok;
            printf("%-7s %-6s %-16s %5.2f %10llu %8.4f %6u %9.3f %s\n", backends[b], s->config, sh, s->sparsity,
                   (unsigned long long)r->r.cycles, r->r.utilization, r->r.commands, r->r.host_seconds,
                   r->ok ? "ok" : "WRONG");
            printf("{\"bench\":\"device\",\"backend\":\"%s\",\"config\":\"%s\",\"m\":%u,\"n\":%u,\"k\":%u,"
                   "\"sparsity\":%.2f,\"ok\":%s,\"cycles\":%llu,\"macs\":%llu,\"peak_macs_per_cycle\":%llu,"
                   "\"utilization\":%.6f,\"mac_issued\":%llu,\"mac_skipped\":%llu,\"commands\":%u,"
                   "\"rows_per_block\":%u,\"cols_per_strip\":%u,\"host_seconds\":%.6f,\"sim_cycles\":%llu,"
                   "\"checksum\":\"%016llx\"}\n",
                   backends[b], s->config, s->m, s->n, s->k, s->sparsity, r->ok ? "true" : "false",
                   (unsigned long long)r->r.cycles, (unsigned long long)r->r.macs,
                   (unsigned long long)r->r.peak_macs_per_cycle, r->r.utilization,
                   (unsigned long long)r->r.mac_issued, (unsigned long long)r->r.mac_skipped, r->r.commands,
                   r->r.plan.rows_per_block, 16 * r->r.plan.tiles_per_strip, r->r.host_seconds,
                   (unsigned long long)r->r.sim_cycles, (unsigned long long)r->r.checksum);
            fflush(stdout);
        }

    printf("\nsparse/dense cycle ratio (same shape and configuration):\n");
    for (int b = 0; b < 2; b++)
        for (size_t i = 0; i < NSHAPES; i++) {
            const run *r = &runs[b][i];
            if (!r->done || shapes[i].sparsity == 0.0)
                continue;
            for (size_t j = 0; j < NSHAPES; j++) {
                const shape *a = &shapes[i], *d = &shapes[j];
                if (d->sparsity == 0.0 && !strcmp(a->config, d->config) && a->m == d->m && a->n == d->n &&
                    a->k == d->k && runs[b][j].done && runs[b][j].r.cycles)
                    printf("  %-7s %-6s %ux%ux%u sparsity %.2f: %.4f (%llu / %llu cycles)\n", backends[b], a->config,
                           a->m, a->n, a->k, a->sparsity, (double)r->r.cycles / (double)runs[b][j].r.cycles,
                           (unsigned long long)r->r.cycles, (unsigned long long)runs[b][j].r.cycles);
            }
        }
    printf("fmodel/rtl cycle ratio per shape:\n");
    int any = 0;
    for (size_t i = 0; i < NSHAPES; i++)
        if (runs[0][i].done && runs[1][i].done && runs[1][i].r.cycles) {
            any = 1;
            printf("  %-6s %ux%ux%u sparsity %.2f: %.4f (fmodel %llu, rtl %llu); checksums %s\n", shapes[i].config,
                   shapes[i].m, shapes[i].n, shapes[i].k, shapes[i].sparsity,
                   (double)runs[0][i].r.cycles / (double)runs[1][i].r.cycles,
                   (unsigned long long)runs[0][i].r.cycles, (unsigned long long)runs[1][i].r.cycles,
                   runs[0][i].r.checksum == runs[1][i].r.checksum ? "equal" : "DIFFER");
            failed |= runs[0][i].r.checksum != runs[1][i].r.checksum;
        }
    if (!any)
        printf("  (no rtl runs: the rtl backend is not in this build)\n");
    double rtl_cyc = 0, rtl_s = 0, fm_macs = 0, fm_s = 0;
    for (size_t i = 0; i < NSHAPES; i++) {
        if (runs[1][i].done) {
            rtl_cyc += (double)runs[1][i].r.sim_cycles;
            rtl_s += runs[1][i].r.host_seconds;
        }
        if (runs[0][i].done) {
            fm_macs += (double)runs[0][i].r.macs;
            fm_s += runs[0][i].r.host_seconds;
        }
    }
    if (rtl_s > 0)
        printf("rtl simulation speed: %.0f simulated cycles per second (host)\n", rtl_cyc / rtl_s);
    if (fm_s > 0)
        printf("fmodel speed: %.3g MACs per second (host, dense-equivalent)\n", fm_macs / fm_s);
    printf("{\"bench\":\"device_summary\",\"rtl_cycles_per_second\":%.1f,\"fmodel_macs_per_second\":%.1f,\"ok\":%s}\n",
           rtl_s > 0 ? rtl_cyc / rtl_s : 0.0, fm_s > 0 ? fm_macs / fm_s : 0.0, failed ? "false" : "true");
    return failed ? 1 : 0;
}
