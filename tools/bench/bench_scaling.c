/* bench_scaling: issue 11's "Done when" targets as a benchmark, on the
 * fmodel (edge and server have no Verilated top; the fmodel is held to the
 * tops of tiny and mid, mid with edge's 16-lane PE: docs/cosim.md,
 * tests/cosim/test_cosim_cycles.c).
 *
 * Runs:
 *   1. edge dense GEMM 512x1024x1024 (at_gemm_run): compute_utilization,
 *      roofline_ratio;
 *   2. all-MiniLM-L6-v2's dense-layer GEMMs at batch 4 x seq 128 on edge,
 *      as the compiler emits them (runtime/at_model.c: Q, K and V are three
 *      512x384x384 GEMMs, not one fused 512x1152x384; attention output
 *      512x384x384, FFN1 512x1536x384, FFN2 512x384x1536), through
 *      at_gemm_run; the fused QKV shape beside them for reference; and the
 *      attention GEMMs batched over heads (scores 128x128x32, context
 *      128x32x128 per sequence and head) from the per-stage counters of a
 *      MiniLM run through the compiler (at_gemm_run has neither a batch over
 *      heads nor the scores' transposed B; at_perf_run keeps no per-stage
 *      figures, so the bench opens the session itself as at_perf_run does);
 *   3. edge 512x1024x1024 with 50 % zeros in A against dense: ratio of
 *      compute_cycles;
 *   4. server 2048x4096x1024: compute_utilization, roofline_ratio;
 *   5. perf bert-tiny batch 4 seq 128 on edge (weights' load included) and
 *      bert-base batch 4 seq 128 on server (at_perf_run).
 * Each target is a row: measured, target, met / not met. Exit status 1 when
 * a run fails, a result check fails (a GEMM's C against the host reference,
 * a perf run's figures), a target named in asserted[] is not met, or an
 * open target misses its regression floor (the reported figure with a few
 * per cent of slack); the other open targets print "not met (open, issue
 * 11)" without failing. One JSON
 * line per run and per target ({"bench":"scaling",...}).
 *
 * The dtb files are taken from $BUILD/firmware (default:
 * <exe>/../../firmware, then build/firmware); MiniLM from
 * $ACCELTRAN_MODEL_DIR (default models/all-MiniLM-L6-v2). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "at_gemm_run.h"
#include "at_perf_run.h"
#include "at_port_cosim.h"
#include "at_session.h"
#include "at_sites.h"
#include "at_synth.h"
#include "bench_util.h"

/* The targets the docs claim as reached: a miss fails the bench. The rest
 * of issue 11's targets are reported as open. */
static const char *const asserted[] = {
    "edge_gemm_compute_util", "edge_gemm_roofline_ratio", "minilm_qkv_compute_util",
    "minilm_attn_out_compute_util", "minilm_ffn1_compute_util", "minilm_ffn2_compute_util",
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ GEMM runs */

typedef struct gemm_case {
    const char *name, *config;
    uint32_t m, n, k;
    double sparsity;
} gemm_case;

enum { G_EDGE, G_EDGE_SP, G_QKV, G_FFN1, G_FFN2, G_QKV_FUSED, G_SERVER, NGEMM };
static const gemm_case gemms[NGEMM] = {
    [G_EDGE] = {"edge dense", "edge", 512, 1024, 1024, 0.0},
    [G_EDGE_SP] = {"edge 50% zeros", "edge", 512, 1024, 1024, 0.5},
    [G_QKV] = {"minilm q/k/v, attn_out", "edge", 512, 384, 384, 0.0},
    [G_FFN1] = {"minilm ffn1", "edge", 512, 1536, 384, 0.0},
    [G_FFN2] = {"minilm ffn2", "edge", 512, 384, 1536, 0.0},
    [G_QKV_FUSED] = {"qkv fused (not compiled)", "edge", 512, 1152, 384, 0.0},
    [G_SERVER] = {"server dense", "server", 2048, 4096, 1024, 0.0},
};

typedef struct gemm_out {
    int done, ok;
    double wall;
    at_gemm_run_result r;
} gemm_out;

static int gemm_one(const gemm_case *g, gemm_out *out)
{
    at_err err = {0};
    at_port port;
    /* the three matrices with padding, twice over, and room (as cmd_gemm) */
    uint64_t need = 2 * ((uint64_t)g->m * at_gemm_ld_bytes(g->k) + (uint64_t)g->k * at_gemm_ld_bytes(g->n) +
                         (uint64_t)g->m * at_gemm_ld_bytes(g->n));
    uint64_t mem = 64ull << 20;
    while (mem < need + (16ull << 20) && mem < (4ull << 30))
        mem *= 2;
    at_port_cosim_opts po = {"fmodel", g->config, mem, 0};
    double t0 = wall_s();
    if (at_port_cosim_open(&po, &port, &err)) {
        fprintf(stderr, "bench_scaling: fmodel/%s: %s\n", g->config, err.msg);
        return -1;
    }
    char dtb[PATH_MAX];
    at_drv_opts o = {.bo_arena_bytes = mem - (8ull << 20)};
    at_drv *drv = NULL;
    if (at_drv_open(&port, bench_dtb_path(g->config, dtb, sizeof dtb), &o, &drv, &err)) {
        fprintf(stderr, "bench_scaling: fmodel/%s: %s: %s\n", g->config, dtb, err.msg);
        at_port_close(&port);
        return -1;
    }
    at_gemm_run_opts ro = {.m = g->m, .n = g->n, .k = g->k, .sparsity = g->sparsity, .seed = 1};
    int rc = at_gemm_run(drv, &ro, &out->r, &err);
    if (rc)
        fprintf(stderr, "bench_scaling: %s %ux%ux%u: %s\n", g->config, g->m, g->n, g->k, err.msg);
    else if (!out->r.ok)
        fprintf(stderr, "bench_scaling: %s %ux%ux%u: C differs from the host reference (%llu elements)\n",
                g->config, g->m, g->n, g->k, (unsigned long long)out->r.mismatches);
    at_drv_close(drv);
    at_port_close(&port);
    out->wall = wall_s() - t0;
    out->done = rc == 0;
    out->ok = rc == 0 && out->r.ok;
    return out->ok ? 0 : -1;
}

/* ------------------------------------------------------------ perf runs */

typedef struct perf_out {
    int done, ok;
    double wall;
    at_perf_result r;
} perf_out;

/* at_perf_run, then the checks of its figures: the units sum to the cycles,
 * the weights' load is counted, work was done, and the PEs counted the
 * compiler's M N K (issued + skipped = useful: no padding at these shapes). */
static int perf_one(const char *model, const char *config, perf_out *out)
{
    char dtb[PATH_MAX];
    at_perf_opts o = {.model = model,
                      .backend = "fmodel",
                      .config = config,
                      .dtb = bench_dtb_path(config, dtb, sizeof dtb),
                      .batch = 4,
                      .seq = 128,
                      .sites = AT_SITES_PAPER,
                      .seed = 1};
    at_err err = {0};
    double t0 = wall_s();
    int rc = at_perf_run(&o, &out->r, &err);
    out->wall = wall_s() - t0;
    if (rc) {
        fprintf(stderr, "bench_scaling: perf %s on %s: %s\n", model, config, err.msg);
        return -1;
    }
    out->done = 1;
    const at_perf_result *r = &out->r;
    const at_unit_cycles *u = &r->units;
    uint64_t by_unit = u->gemm + u->softmax + u->layernorm + u->dma + u->idle;
    if (by_unit != r->cycles || !r->weights_loaded || !r->cycles || !r->compute_cycles || r->useful_macs != r->macs) {
        fprintf(stderr,
                "bench_scaling: perf %s on %s: inconsistent figures (cycles %llu, by unit %llu, compute %llu, "
                "weights loaded %d, useful MACs %llu, PE MACs %llu)\n",
                model, config, (unsigned long long)r->cycles, (unsigned long long)by_unit,
                (unsigned long long)r->compute_cycles, r->weights_loaded, (unsigned long long)r->useful_macs,
                (unsigned long long)r->macs);
        return -1;
    }
    out->ok = 1;
    return 0;
}

/* ------------------------------------------- MiniLM's per-stage figures */

/* One site's stages summed over the layers. */
typedef struct site_sum {
    uint32_t stages, commands;
    uint64_t cycles, macs, gemm_busy;
} site_sum;

typedef struct stage_out {
    int done, ok;
    double wall, peak;
    uint64_t cycles;
    site_sum site[AT_NUM_SITES];
} stage_out;

/* all-MiniLM-L6-v2, batch 4 x 128 synthetic tokens on edge through the
 * compiler and the driver, as at_perf_run runs it (same tokens, same
 * sites), keeping the per-stage counters at_perf_run drops. */
static int minilm_stages(stage_out *out)
{
    enum { B = 4, S = 128 };
    char dtb[PATH_MAX];
    /* weights ~21 MiB and activations ~9 MiB, twice over, and the ring: 256 MiB
       (at_perf_run's estimate for this shape) */
    at_session_opts so = {.model_dir = model_dir(),
                          .backend = "fmodel",
                          .config = "edge",
                          .dtb = bench_dtb_path("edge", dtb, sizeof dtb),
                          .mem_bytes = 256ull << 20};
    at_session *s = NULL;
    at_err err = {0};
    double t0 = wall_s();
    if (at_session_open(&so, &s, &err)) {
        fprintf(stderr, "bench_scaling: minilm (%s) on edge: %s\n", so.model_dir, err.msg);
        return -1;
    }
    static int32_t tok[B][S];
    int32_t *ids[B];
    size_t lens[B];
    for (int b = 0; b < B; b++) {
        ids[b] = tok[b];
        lens[b] = S;
    }
    at_synth_tokens(1, s->model->cfg.vocab_size, ids, lens, B);
    static float emb[B * 1024];
    if (s->model->cfg.hidden > 1024) {
        fprintf(stderr, "bench_scaling: minilm: hidden %d, more than this bench's 1024\n", s->model->cfg.hidden);
        at_session_close(s);
        return -1;
    }
    at_infer_opts io = {.sites = AT_SITES_PAPER};
    at_infer_stats st;
    int rc = at_infer_run(s->infer, (const int32_t *const *)ids, lens, B, &io, emb, NULL, &st, &err);
    if (rc) {
        fprintf(stderr, "bench_scaling: minilm on edge: %s\n", err.msg);
        at_session_close(s);
        return -1;
    }
    out->peak = (double)at_hw_peak_macs_per_cycle(at_drv_config(s->drv));
    out->cycles = st.cycles;
    for (size_t i = 0; i < st.num_stages; i++) {
        const at_stage_stats *g = &st.stages[i];
        if (!g->counted || g->layer < 0 || g->site < 0 || g->site >= AT_NUM_SITES)
            continue;
        site_sum *p = &out->site[g->site];
        p->stages++;
        p->commands += g->commands;
        p->cycles += g->cycles;
        p->macs += g->macs;
        p->gemm_busy += g->gemm_busy;
    }
    at_session_close(s);
    out->wall = wall_s() - t0;
    out->done = 1;
    /* every layer has each GEMM stage, and each did work */
    static const int gemm_sites[] = {AT_SITE_Q,       AT_SITE_K,        AT_SITE_V,       AT_SITE_SCORES,
                                     AT_SITE_CONTEXT, AT_SITE_ATTN_OUT, AT_SITE_FFN_MID, AT_SITE_FFN_OUT};
    for (size_t i = 0; i < sizeof gemm_sites / sizeof gemm_sites[0]; i++) {
        const site_sum *p = &out->site[gemm_sites[i]];
        if (p->stages != 6 || !p->macs || !p->gemm_busy) {
            fprintf(stderr, "bench_scaling: minilm on edge: site %s: %u stages, %llu MACs, %llu GEMM cycles "
                            "(expected 6 layers' worth)\n",
                    at_site_name((at_site)gemm_sites[i]), p->stages, (unsigned long long)p->macs,
                    (unsigned long long)p->gemm_busy);
            return -1;
        }
    }
    out->ok = 1;
    return 0;
}

static double site_util(const stage_out *s, at_site i)
{
    const site_sum *p = &s->site[i];
    return p->gemm_busy ? (double)p->macs / ((double)p->gemm_busy * s->peak) : 0.0;
}

/* ------------------------------------------------------------ the table */

typedef enum { GE, LE, REPORT } cmp;

typedef struct row {
    const char *key, *item, *what;
    int have;        /* the measurement exists (its run succeeded) */
    double measured;
    cmp op;
    double limit;
    const char *fmt; /* of measured and limit */
    /* An open target's regression floor (0: none): the figure the docs
     * report, with a few per cent of slack. A miss fails the bench, so an
     * unmet target cannot quietly get worse. */
    double floor;
} row;

static int is_asserted(const char *key)
{
    for (size_t i = 0; i < sizeof asserted / sizeof asserted[0]; i++)
        if (!strcmp(asserted[i], key))
            return 1;
    return 0;
}

static int row_holds(const row *r, double bound)
{
    return r->op == GE ? r->measured >= bound : r->measured <= bound;
}

static int row_met(const row *r)
{
    return r->have && (r->op == REPORT || row_holds(r, r->limit));
}

/* 1 when the row has a floor and its measurement misses it. */
static int row_regressed(const row *r)
{
    return r->have && r->op != REPORT && r->floor != 0.0 && !row_holds(r, r->floor);
}

/* Prints the row and its JSON line; returns 1 when it fails the bench. */
static int print_row(const row *r)
{
    char m[32] = "-", t[40] = "reported";
    if (r->have)
        snprintf(m, sizeof m, r->fmt, r->measured);
    if (r->op != REPORT) {
        char l[24];
        snprintf(l, sizeof l, r->fmt, r->limit);
        snprintf(t, sizeof t, "%s %s", r->op == GE ? ">=" : "<=", l);
    }
    int a = is_asserted(r->key), met = row_met(r), reg = row_regressed(r);
    const char *status = !r->have ? "not run" : r->op == REPORT ? "reported" : met ? "met"
                                             : a                ? "NOT MET (asserted)"
                                             : reg              ? "REGRESSED past its floor"
                                                                : "not met (open, issue 11)";
    char fl[40] = "";
    if (r->op != REPORT && r->floor != 0.0 && !met) {
        char l[24];
        snprintf(l, sizeof l, r->fmt, r->floor);
        snprintf(fl, sizeof fl, "; floor %s %s", r->op == GE ? ">=" : "<=", l);
    }
    printf("%-4s %-46s %14s %12s  %s%s\n", r->item, r->what, m, t, status, fl);
    printf("{\"bench\":\"scaling\",\"kind\":\"target\",\"key\":\"%s\",\"item\":\"%s\",\"what\":\"%s\",\"measured\":",
           r->key, r->item, r->what);
    if (r->have)
        printf("%.6g", r->measured);
    else
        printf("null");
    printf(",\"op\":\"%s\",\"limit\":", r->op == GE ? ">=" : r->op == LE ? "<=" : "report");
    if (r->op == REPORT)
        printf("null");
    else
        printf("%.6g", r->limit);
    printf(",\"met\":%s,\"asserted\":%s,\"floor\":", met ? "true" : "false", a ? "true" : "false");
    if (r->floor != 0.0)
        printf("%.6g", r->floor);
    else
        printf("null");
    printf(",\"regressed\":%s}\n", reg ? "true" : "false");
    return !r->have || (a && !met) || reg;
}

static void gemm_json(const gemm_case *g, const gemm_out *o)
{
    const at_gemm_run_result *r = &o->r;
    printf("{\"bench\":\"scaling\",\"kind\":\"gemm\",\"name\":\"%s\",\"backend\":\"fmodel\",\"config\":\"%s\","
           "\"m\":%u,\"n\":%u,\"k\":%u,\"sparsity\":%.2f,\"ok\":%s,\"cycles\":%llu,\"compute_cycles\":%llu,"
           "\"macs\":%llu,\"mac_skipped\":%llu,\"peak_macs_per_cycle\":%llu,\"utilization\":%.6f,"
           "\"compute_utilization\":%.6f,\"dram_bytes\":%llu,\"roofline_cycles\":%.1f,\"roofline_ratio\":%.6f,"
           "\"memory_bound\":%s,\"commands\":%u,\"host_seconds\":%.3f}\n",
           g->name, g->config, g->m, g->n, g->k, g->sparsity, o->ok ? "true" : "false",
           (unsigned long long)r->cycles, (unsigned long long)r->compute_cycles, (unsigned long long)r->macs,
           (unsigned long long)r->mac_skipped, (unsigned long long)r->peak_macs_per_cycle, r->utilization,
           r->roof.compute_utilization, (unsigned long long)(r->mem_rd + r->mem_wr), r->roof.roofline_cycles,
           r->roof.roofline_ratio, r->roof.memory_bound ? "true" : "false", r->commands, o->wall);
}

static void perf_json(const perf_out *o)
{
    const at_perf_result *r = &o->r;
    printf("{\"bench\":\"scaling\",\"kind\":\"perf\",\"model\":\"%s\",\"backend\":\"fmodel\",\"config\":\"%s\","
           "\"batch\":%zu,\"seq\":%zu,\"ok\":%s,\"weights_loaded\":%s,\"cycles\":%llu,\"compute_cycles\":%llu,"
           "\"utilization\":%.6f,\"compute_utilization\":%.6f,\"dram_bytes\":%llu,\"roofline_cycles\":%.1f,"
           "\"roofline_ratio\":%.6f,\"memory_bound\":%s,\"sequences_per_second\":%.3f,\"host_seconds\":%.3f}\n",
           r->model, r->config, r->batch, r->seq, o->ok ? "true" : "false", r->weights_loaded ? "true" : "false",
           (unsigned long long)r->cycles, (unsigned long long)r->compute_cycles, r->utilization,
           r->roof.compute_utilization, (unsigned long long)r->dram_bytes, r->roof.roofline_cycles,
           r->roof.roofline_ratio, r->roof.memory_bound ? "true" : "false", r->sequences_per_second, o->wall);
}

int main(void)
{
    static gemm_out g[NGEMM];
    static perf_out tiny_p, base_p;
    static stage_out ms;
    int failed = 0;
    double t_start = wall_s();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench_scaling: issue 11's targets on the fmodel (cycle estimates; held to the RTL within 0.05: the "
           "tiny and 2 x 2 compute unit builds, the tops of tiny and mid (edge's 16-lane PE, 2 x 2, 4 banks); "
           "edge's and server's tops are not simulated)\n");

    printf("\nGEMM jobs (at_gemm_run; compute util. = macs / (compute_cycles x peak), roofline ratio = cycles / "
           "max(macs / peak, dram_bytes / bytes per cycle)):\n");
    printf("%-26s %-6s %-14s %4s %9s %9s %8s %8s %8s %6s %7s\n", "run", "config", "shape", "sp", "cycles", "compute",
           "c.util", "roofline", "util", "check", "host_s");
    for (int i = 0; i < NGEMM; i++) {
        const gemm_case *c = &gemms[i];
        char sh[32];
        snprintf(sh, sizeof sh, "%ux%ux%u", c->m, c->n, c->k);
        if (gemm_one(c, &g[i]))
            failed = 1;
        if (!g[i].done) {
            printf("%-26s %-6s %-14s %4.2f FAILED\n", c->name, c->config, sh, c->sparsity);
            continue;
        }
        const at_gemm_run_result *r = &g[i].r;
        printf("%-26s %-6s %-14s %4.2f %9llu %9llu %8.4f %8.3f %8.4f %6s %7.1f\n", c->name, c->config, sh,
               c->sparsity, (unsigned long long)r->cycles, (unsigned long long)r->compute_cycles,
               r->roof.compute_utilization, r->roof.roofline_ratio, r->utilization, g[i].ok ? "ok" : "WRONG",
               g[i].wall);
        gemm_json(c, &g[i]);
    }

    printf("\nMiniLM (all-MiniLM-L6-v2) batch 4 x 128 tokens on edge through the compiler: GEMM stages summed "
           "over the 6 layers\n");
    if (minilm_stages(&ms))
        failed = 1;
    if (ms.done) {
        static const struct {
            at_site site;
            const char *what;
        } st[] = {{AT_SITE_Q, "q 512x384x384"},
                  {AT_SITE_K, "k 512x384x384"},
                  {AT_SITE_V, "v 512x384x384"},
                  {AT_SITE_SCORES, "scores 128x128x32 x 4 seq x 12 heads"},
                  {AT_SITE_CONTEXT, "context 128x32x128 x 4 seq x 12 heads"},
                  {AT_SITE_ATTN_OUT, "attn_out 512x384x384"},
                  {AT_SITE_FFN_MID, "ffn1 512x1536x384"},
                  {AT_SITE_FFN_OUT, "ffn2 512x384x1536"}};
        printf("%-40s %10s %10s %12s %8s %8s\n", "stage", "cycles", "gemm_busy", "MACs", "c.util", "commands");
        for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
            const site_sum *p = &ms.site[st[i].site];
            printf("%-40s %10llu %10llu %12llu %8.4f %8u\n", st[i].what, (unsigned long long)p->cycles,
                   (unsigned long long)p->gemm_busy, (unsigned long long)p->macs, site_util(&ms, st[i].site),
                   p->commands);
            printf("{\"bench\":\"scaling\",\"kind\":\"stage\",\"model\":\"minilm\",\"config\":\"edge\",\"batch\":4,"
                   "\"seq\":128,\"site\":\"%s\",\"layers\":%u,\"cycles\":%llu,\"gemm_busy\":%llu,\"macs\":%llu,"
                   "\"compute_utilization\":%.6f,\"commands\":%u}\n",
                   at_site_name(st[i].site), p->stages, (unsigned long long)p->cycles,
                   (unsigned long long)p->gemm_busy, (unsigned long long)p->macs, site_util(&ms, st[i].site),
                   p->commands);
        }
        printf("(whole run %llu cycles; host %.1f s)\n", (unsigned long long)ms.cycles, ms.wall);
    } else {
        printf("FAILED (the message above); its rows are \"not run\"\n");
    }

    printf("\nperf runs (at_perf_run, batch 4 x 128 synthetic tokens, weights' load included):\n");
    printf("%-10s %-6s %10s %10s %8s %8s %8s %10s %7s\n", "model", "config", "cycles", "compute", "util", "c.util",
           "roofline", "seq/s", "host_s");
    perf_out *pr[2] = {&tiny_p, &base_p};
    const char *pm[2] = {"bert-tiny", "bert-base"}, *pc[2] = {"edge", "server"};
    for (int i = 0; i < 2; i++) {
        if (perf_one(pm[i], pc[i], pr[i]))
            failed = 1;
        if (!pr[i]->done) {
            printf("%-10s %-6s FAILED\n", pm[i], pc[i]);
            continue;
        }
        const at_perf_result *r = &pr[i]->r;
        printf("%-10s %-6s %10llu %10llu %8.4f %8.4f %8.3f %10.1f %7.1f%s\n", pm[i], pc[i],
               (unsigned long long)r->cycles, (unsigned long long)r->compute_cycles, r->utilization,
               r->roof.compute_utilization, r->roof.roofline_ratio, r->sequences_per_second, pr[i]->wall,
               pr[i]->ok ? "" : "  (figures inconsistent)");
        perf_json(pr[i]);
    }

    /* issue 11's "Done when", one row per target; a run that failed leaves its rows "not run" */
    const at_gemm_run_result *e = &g[G_EDGE].r, *sv = &g[G_SERVER].r;
    const at_perf_result *bt = &tiny_p.r, *bb = &base_p.r;
    double sp_ratio = g[G_EDGE_SP].r.compute_cycles ? (double)e->compute_cycles / (double)g[G_EDGE_SP].r.compute_cycles
                                                    : 0.0;
    const row rows[] = {
        {"edge_gemm_compute_util", "1", "edge 512x1024x1024 compute_utilization", g[G_EDGE].ok,
         e->roof.compute_utilization, GE, 0.85, "%.4f", 0},
        {"edge_gemm_roofline_ratio", "1", "edge 512x1024x1024 roofline_ratio", g[G_EDGE].ok, e->roof.roofline_ratio,
         LE, 1.2, "%.3f", 0},
        {"minilm_qkv_compute_util", "2", "minilm Q/K/V 512x384x384 compute_util (each)", g[G_QKV].ok,
         g[G_QKV].r.roof.compute_utilization, GE, 0.70, "%.4f", 0},
        {"minilm_attn_out_compute_util", "2", "minilm attn_out 512x384x384 compute_util", g[G_QKV].ok,
         g[G_QKV].r.roof.compute_utilization, GE, 0.70, "%.4f", 0},
        {"minilm_ffn1_compute_util", "2", "minilm FFN1 512x1536x384 compute_util", g[G_FFN1].ok,
         g[G_FFN1].r.roof.compute_utilization, GE, 0.70, "%.4f", 0},
        {"minilm_ffn2_compute_util", "2", "minilm FFN2 512x384x1536 compute_util", g[G_FFN2].ok,
         g[G_FFN2].r.roof.compute_utilization, GE, 0.70, "%.4f", 0},
        {"minilm_scores_compute_util", "2", "minilm scores, batched over heads, c.util", ms.ok,
         site_util(&ms, AT_SITE_SCORES), REPORT, 0, "%.4f", 0},
        {"minilm_context_compute_util", "2", "minilm context, batched over heads, c.util", ms.ok,
         site_util(&ms, AT_SITE_CONTEXT), REPORT, 0, "%.4f", 0},
        {"edge_sparse_compute_ratio", "3", "edge 512x1024x1024 dense/50%-zeros compute",
         g[G_EDGE].ok && g[G_EDGE_SP].ok, sp_ratio, GE, 1.6, "%.3f", 0.99},
        {"server_gemm_compute_util", "4", "server 2048x4096x1024 compute_utilization", g[G_SERVER].ok,
         sv->roof.compute_utilization, GE, 0.80, "%.4f", 0.45},
        {"server_gemm_roofline_ratio", "4", "server 2048x4096x1024 roofline_ratio", g[G_SERVER].ok,
         sv->roof.roofline_ratio, LE, 1.2, "%.3f", 11.8},
        {"bert_tiny_edge_cycles", "5", "bert-tiny 4x128 edge cycles (weights loaded)", tiny_p.ok, (double)bt->cycles,
         LE, 40000, "%.0f", 139000},
        {"bert_tiny_edge_roofline_ratio", "5", "bert-tiny 4x128 edge roofline_ratio", tiny_p.ok,
         bt->roof.roofline_ratio, LE, 1.3, "%.3f", 4.2},
        {"bert_base_server_cycles", "5", "bert-base 4x128 server cycles", base_p.ok, (double)bb->cycles, REPORT, 0,
         "%.0f", 0},
        {"bert_base_server_utilization", "5", "bert-base 4x128 server utilization", base_p.ok, bb->utilization,
         REPORT, 0, "%.4f", 0},
        {"bert_base_server_roofline_ratio", "5", "bert-base 4x128 server roofline_ratio", base_p.ok,
         bb->roof.roofline_ratio, REPORT, 0, "%.3f", 0},
        {"bert_base_server_seq_per_s", "5", "bert-base 4x128 server sequences/s", base_p.ok,
         bb->sequences_per_second, REPORT, 0, "%.1f", 0},
    };
    printf("\nissue 11 targets (fmodel; asserted: those the docs claim; the rest open):\n");
    printf("%-4s %-46s %14s %12s  %s\n", "item", "target", "measured", "target", "status");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        failed |= print_row(&rows[i]);
    /* the error bound issue 11 asks for beside server's figures does not exist yet */
    printf("%-4s %-46s %14s %12s  %s\n", "5", "fmodel error bound on server (|fmodel/rtl-1|)", "none", "stated",
           "not met (open, issue 11: no server RTL)");
    printf("{\"bench\":\"scaling\",\"kind\":\"target\",\"key\":\"server_error_bound\",\"item\":\"5\",\"what\":"
           "\"fmodel error bound on server\",\"measured\":null,\"op\":\"stated\",\"limit\":null,\"met\":false,"
           "\"asserted\":false}\n");
    if (g[G_QKV_FUSED].ok)
        printf("(beside item 2: a fused QKV 512x1152x384, which the compiler does not emit: compute_utilization "
               "%.4f)\n",
               g[G_QKV_FUSED].r.roof.compute_utilization);

    double secs = wall_s() - t_start;
    printf("\nbench_scaling: %s in %.1f s of host time\n", failed ? "FAILED" : "ok", secs);
    printf("{\"bench\":\"scaling_summary\",\"ok\":%s,\"host_seconds\":%.1f}\n", failed ? "false" : "true", secs);
    return failed ? 1 : 0;
}
