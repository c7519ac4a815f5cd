/* GEMM through the driver (at_gemm_plan + at_gemm_run): odd shapes, sparsity
 * and DynaTran match the host reference on fmodel (and rtl when built); the
 * plan's tiling for tiny; a plan split over several jobs gives one job's
 * result; the dense 512^3 on tiny reaches >= 85% utilization on fmodel. */
#include "at_gemm_run.h"
#include "drv_test_util.h"

static void test_plan_tiny(void)
{
    const at_hw_config *tiny = at_hw_config_find("tiny");
    at_gemm_spec s = {.m = 512, .n = 512, .k = 512, .bo_a = 1, .bo_b = 2, .bo_c = 3, .lda = 1024, .ldb = 1024,
                      .ldc = 1024, .rq = {32768, 35}};
    at_gemm_plan p;
    at_err err = {0};
    CHECK(at_gemm_plan_build(tiny, &s, &p, &err) == 0, "%s", err.msg);
    /* 28 rows: 2 x (28 x 32) A lines + 2 x (28 x 4) C lines = 2016 of 2048 */
    CHECK(p.rows_per_block == 28 && p.tiles_per_strip == 4 && p.strips == 8 && p.blocks == 19 &&
              p.wgt_slots == 1,
          "plan: %u rows, %u tiles, %u strips, %u blocks, %d slots", p.rows_per_block, p.tiles_per_strip,
          p.strips, p.blocks, p.wgt_slots);
    CHECK(p.act_lines_used <= 2048 && p.wgt_lines_used <= 2048, "lines %u / %u", p.act_lines_used,
          p.wgt_lines_used);
    /* 1 + 1 prologue loads, per item LOAD A + GEMM + STORE (minus the last
     * LOAD A), one strip reload per strip change */
    CHECK(p.num_cmds == 2 + 8 * 19 * 3 - 1 + 7, "%u commands", p.num_cmds);
    at_gemm_plan_free(&p);
    /* errors */
    s.k = 9000; /* 9000 weight lines per column tile > 2048 */
    s.lda = at_gemm_ld_bytes(9000);
    CHECK(at_gemm_plan_build(tiny, &s, &p, &err) == AT_EUNSUPPORTED && strstr(err.msg, "K = 9000"), "%s", err.msg);
    s.k = 512;
    s.lda = 1000;
    CHECK(at_gemm_plan_build(tiny, &s, &p, &err) == AT_EINVAL && strstr(err.msg, "strides"), "%s", err.msg);
    s.lda = 1024;
    s.m = 0;
    CHECK(at_gemm_plan_build(tiny, &s, &p, &err) == AT_EINVAL, "M 0 accepted");
    /* K = 1536 (FFN2): two 16-row A blocks do not fit tiny; blocks of the lanes' multiple do, with
     * one 16-column tile and its parameter block per strip */
    at_gemm_spec s3 = {.m = 100, .n = 384, .k = 1536, .bo_a = 1, .bo_b = 2, .bo_c = 3, .lda = 3072,
                       .ldb = 32 * 1536, .ldc = 768, .b_tiled = 1, .bo_p = 2, .off_p = 1 << 20};
    CHECK(at_gemm_plan_build(tiny, &s3, &p, &err) == 0 && p.rows_per_block % tiny->lanes == 0 &&
              p.rows_per_block < 16 && p.tiles_per_strip == 1 && p.wgt_lines_used <= 2048,
          "K 1536: rows %u tiles %u wgt lines %u (%s)", p.rows_per_block, p.tiles_per_strip, p.wgt_lines_used,
          err.msg);
    at_gemm_plan_free(&p);
    /* double weight slots when two strips fit (K = 64: 64 lines per tile) */
    at_gemm_spec s2 = {.m = 64, .n = 1024, .k = 64, .bo_a = 1, .bo_b = 2, .bo_c = 3, .lda = 128, .ldb = 2048,
                       .ldc = 2048, .rq = {32768, 30}};
    CHECK(at_gemm_plan_build(tiny, &s2, &p, &err) == 0 && p.wgt_slots == 2 && p.strips > 1,
          "K 64 N 1024: %d slots %u strips (%s)", p.wgt_slots, p.strips, err.msg);
    at_gemm_plan_free(&p);
}

/* Loop order: on tiny, edge and server, every dense GEMM of MiniLM (128
 * tokens, streamed) is cheaper strips outer, and the planner picks it
 * (docs/compiler.md); with a weight scratchpad of 4 KiB beside tiny's 64 KiB
 * of activations, a shallow GEMM is cheaper rows outer. */
static void test_plan_order(void)
{
    static const char *const cfgs[3] = {"tiny", "edge", "server"};
    static const uint32_t nk[4][2] = {{384, 384}, {1536, 384}, {384, 1536}, {1152, 384}};
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 4; i++) {
            uint32_t n = nk[i][0], k = nk[i][1];
            at_gemm_spec s = {.m = 128, .n = n, .k = k, .bo_a = 1, .bo_b = 2, .bo_c = 3,
                              .lda = at_gemm_ld_bytes(k), .ldb = 32 * k, .ldc = at_gemm_ld_bytes(n), .b_tiled = 1,
                              .bo_p = 2, .off_p = 1 << 24};
            at_gemm_plan p;
            at_err err = {0};
            int rc = at_gemm_plan_build(at_hw_config_find(cfgs[c]), &s, &p, &err);
            CHECK(rc == 0, "%s %ux%ux%u: %s", cfgs[c], 128, n, k, err.msg);
            if (rc)
                continue;
            CHECK(!p.rows_outer && p.bytes_rows_outer >= p.bytes_strips_outer,
                  "%s 128x%ux%u: rows outer %d, bytes strips %llu rows %llu", cfgs[c], n, k, p.rows_outer,
                  (unsigned long long)p.bytes_strips_outer, (unsigned long long)p.bytes_rows_outer);
            at_gemm_plan_free(&p);
        }
}

static void run_shape(const char *backend, const char *config, uint32_t m, uint32_t n, uint32_t k,
                      double sp, uint16_t tau, at_gemm_run_result *out)
{
    dt_dev d;
    if (dt_open(backend, config, NULL, &d)) {
        CHECK(0, "open %s/%s", backend, config);
        return;
    }
    at_gemm_run_opts o = {.m = m, .n = n, .k = k, .sparsity = sp, .tau = tau, .seed = 7 + m};
    at_gemm_run_result r;
    at_err err = {0};
    int rc = at_gemm_run(d.drv, &o, &r, &err);
    CHECK(rc == 0, "%s/%s %ux%ux%u: %s", backend, config, m, n, k, err.msg);
    if (rc == 0) {
        CHECK(r.ok, "%s/%s %ux%ux%u sp %.2f tau %u: %llu mismatches", backend, config, m, n, k, sp, tau,
              (unsigned long long)r.mismatches);
        CHECK(r.pruned == r.pruned_ref, "pruned %llu, reference %llu", (unsigned long long)r.pruned,
              (unsigned long long)r.pruned_ref);
        uint64_t nt = (n + 15) / 16;
        CHECK(r.mac_issued + r.mac_skipped == 16 * nt * (uint64_t)m * k, "issued %llu + skipped %llu",
              (unsigned long long)r.mac_issued, (unsigned long long)r.mac_skipped);
        printf("  %s/%s %ux%ux%u sp %.2f tau %u: %llu cycles, utilization %.3f, %u commands\n", backend, config, m,
               n, k, sp, tau, (unsigned long long)r.cycles, r.utilization, r.commands);
        if (out)
            *out = r;
    }
    dt_close(&d);
}

static void test_shapes(void)
{
    static const uint32_t shapes[][3] = {{1, 1, 1}, {17, 33, 19}, {50, 70, 100}, {64, 64, 64}, {40, 200, 300}};
    for (int b = 0; b < 2; b++) {
        if (!at_port_cosim_available(dt_backends[b], "tiny")) {
            check_skip(1, "%s/tiny shapes: the backend is not in this build", dt_backends[b]);
            continue;
        }
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            run_shape(dt_backends[b], "tiny", shapes[i][0], shapes[i][1], shapes[i][2], 0.0, 0, NULL);
        run_shape(dt_backends[b], "tiny", 64, 96, 128, 0.5, 0, NULL);
        run_shape(dt_backends[b], "tiny", 48, 64, 80, 0.3, 2000, NULL);
        /* many strips with double-buffered weights */
        run_shape(dt_backends[b], "tiny", 40, 600, 64, 0.0, 0, NULL);
    }
    if (at_port_cosim_available("fmodel", "edge"))
        run_shape("fmodel", "edge", 100, 300, 200, 0.2, 100, NULL);
    else
        check_skip(1, "fmodel/edge: not in this build");
}

/* Both loop orders run right on the device and move the bytes the plan
 * says (the memory counters, less the descriptors and the fence): a
 * what-if plan for tiny with a 4 KiB weight scratchpad, where rows outer is
 * cheaper and the planner picks it. */
static void test_order_run(void)
{
    at_hw_config small = *at_hw_config_find("tiny");
    small.wgt_buf_kib = 4;
    for (int b = 0; b < 2; b++) {
        if (!at_port_cosim_available(dt_backends[b], "tiny")) {
            check_skip(1, "%s/tiny loop orders: the backend is not in this build", dt_backends[b]);
            continue;
        }
        dt_dev d;
        if (dt_open(dt_backends[b], "tiny", NULL, &d)) {
            CHECK(0, "open %s/tiny", dt_backends[b]);
            continue;
        }
        at_gemm_run_result r[2];
        for (int o = 0; o < 2; o++) {
            at_gemm_run_opts ro = {.m = 512, .n = 1024, .k = 16, .seed = 11, .order = o ? AT_GEMM_ORDER_AUTO
                                                                                         : AT_GEMM_ORDER_STRIPS,
                                   .plan_cfg = &small};
            at_err err = {0};
            int rc = at_gemm_run(d.drv, &ro, &r[o], &err);
            CHECK(rc == 0 && r[o].ok, "%s order %d: rc %d, %llu mismatches: %s", dt_backends[b], o, rc,
                  (unsigned long long)r[o].mismatches, err.msg);
            if (rc)
                break;
            const at_gemm_plan *p = &r[o].plan;
            uint64_t est = p->rows_outer ? p->bytes_rows_outer : p->bytes_strips_outer;
            /* less the descriptors (the plan's and the driver's fence) and the fence's 4-byte write */
            uint64_t moved = r[o].mem_rd - 64ull * (r[o].commands + r[o].jobs) + r[o].mem_wr - 4ull * r[o].jobs;
            printf("  %s/tiny, 4 KiB weights, 512x1024x16 %s outer: %llu cycles, %llu bytes moved (plan %llu; "
                   "strips %llu, rows %llu)\n",
                   dt_backends[b], p->rows_outer ? "rows" : "strips", (unsigned long long)r[o].cycles,
                   (unsigned long long)moved, (unsigned long long)est, (unsigned long long)p->bytes_strips_outer,
                   (unsigned long long)p->bytes_rows_outer);
            CHECK(p->rows_outer == o, "order %d: rows_outer %d", o, p->rows_outer);
            CHECK(moved == est, "%s: moved %llu bytes, the plan says %llu", dt_backends[b],
                  (unsigned long long)moved, (unsigned long long)est);
        }
        if (!check_g.case_failed)
            CHECK(r[1].plan.bytes_rows_outer < r[1].plan.bytes_strips_outer && r[1].checksum == r[0].checksum,
                  "rows outer moves %llu bytes, strips %llu; checksums %llx %llx",
                  (unsigned long long)r[1].plan.bytes_rows_outer, (unsigned long long)r[1].plan.bytes_strips_outer,
                  (unsigned long long)r[1].checksum, (unsigned long long)r[0].checksum);
        dt_close(&d);
    }
}

/* A plan longer than a job holds runs as several jobs in a row: forced
 * with a small per-job limit, the split run gives the unsplit run's C bits
 * and its PE counters exactly, and its memory counters plus one fence per
 * extra job (a 64-byte descriptor read, a 4-byte write-back); the summed
 * busy cycles stay close (each job boundary drains the pipeline). */
static void test_split_jobs(void)
{
    static const struct {
        uint32_t m, n, k, per;
        double sp;
        uint16_t tau;
    } cases[] = {{40, 600, 64, 7, 0.0, 0}, {64, 96, 128, 3, 0.5, 2000}, {17, 33, 19, 1, 0.3, 0}};
    for (int b = 0; b < 2; b++) {
        if (!at_port_cosim_available(dt_backends[b], "tiny")) {
            check_skip(1, "%s/tiny split jobs: the backend is not in this build", dt_backends[b]);
            continue;
        }
        dt_dev d;
        if (dt_open(dt_backends[b], "tiny", NULL, &d)) {
            CHECK(0, "open %s/tiny", dt_backends[b]);
            continue;
        }
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            at_gemm_run_opts o = {.m = cases[i].m, .n = cases[i].n, .k = cases[i].k, .sparsity = cases[i].sp,
                                  .tau = cases[i].tau, .seed = 21 + i};
            at_gemm_run_result one, split;
            at_err err = {0};
            int rc = at_gemm_run(d.drv, &o, &one, &err);
            CHECK(rc == 0 && one.ok && one.jobs == 1, "%s %ux%ux%u unsplit: rc %d ok %d jobs %u: %s", dt_backends[b],
                  o.m, o.n, o.k, rc, one.ok, one.jobs, err.msg);
            o.max_job_cmds = cases[i].per;
            rc = at_gemm_run(d.drv, &o, &split, &err);
            CHECK(rc == 0 && split.ok, "%s %ux%ux%u in jobs of %u: rc %d, %llu mismatches: %s", dt_backends[b], o.m,
                  o.n, o.k, o.max_job_cmds, rc, (unsigned long long)split.mismatches, err.msg);
            if (rc || check_g.case_failed)
                break;
            uint32_t jobs = (one.commands + cases[i].per - 1) / cases[i].per;
            printf("  %s/tiny %ux%ux%u: %u commands, 1 job %llu cycles, %u jobs of <= %u %llu cycles (%.3fx)\n",
                   dt_backends[b], o.m, o.n, o.k, one.commands, (unsigned long long)one.cycles, split.jobs,
                   cases[i].per, (unsigned long long)split.cycles, (double)split.cycles / (double)one.cycles);
            CHECK(split.jobs == jobs && jobs > 1, "%u jobs, want %u", split.jobs, jobs);
            CHECK(split.checksum == one.checksum, "C checksum split %016llx vs one job %016llx",
                  (unsigned long long)split.checksum, (unsigned long long)one.checksum);
            CHECK(split.mac_issued == one.mac_issued && split.mac_skipped == one.mac_skipped &&
                      split.pruned == one.pruned && split.pruned == split.pruned_ref,
                  "PE counters split (issued %llu skipped %llu pruned %llu) vs one job (%llu %llu %llu)",
                  (unsigned long long)split.mac_issued, (unsigned long long)split.mac_skipped,
                  (unsigned long long)split.pruned, (unsigned long long)one.mac_issued,
                  (unsigned long long)one.mac_skipped, (unsigned long long)one.pruned);
            CHECK(split.mem_rd == one.mem_rd + 64ull * (jobs - 1) && split.mem_wr == one.mem_wr + 4ull * (jobs - 1),
                  "memory bytes split rd %llu wr %llu vs one job rd %llu wr %llu (+%u fences)",
                  (unsigned long long)split.mem_rd, (unsigned long long)split.mem_wr,
                  (unsigned long long)one.mem_rd, (unsigned long long)one.mem_wr, jobs - 1);
            /* each boundary costs at most a pipeline drain and refill (memory latency, a fence) */
            CHECK(split.cycles >= one.cycles / 2 && split.cycles <= one.cycles + 2000ull * jobs,
                  "summed cycles %llu vs one job %llu (%u jobs)", (unsigned long long)split.cycles,
                  (unsigned long long)one.cycles, jobs);
        }
        dt_close(&d);
    }
}

/* A plan of more than 65,536 commands (one job's most) runs as several
 * jobs by default: a what-if tiny with 1 KiB scratchpads (8-row A blocks,
 * one 16-column tile per strip) makes 4096 x 1024 x 16 about 98,000
 * commands; fmodel only (the rtl would take minutes). */
static void test_split_default(void)
{
    at_hw_config small = *at_hw_config_find("tiny");
    small.act_buf_kib = 1;
    small.wgt_buf_kib = 1;
    dt_dev d;
    if (dt_open("fmodel", "tiny", NULL, &d)) {
        CHECK(0, "open fmodel/tiny");
        return;
    }
    at_gemm_run_opts o = {.m = 4096, .n = 1024, .k = 16, .sparsity = 0.2, .seed = 5, .plan_cfg = &small};
    at_gemm_run_result r;
    at_err err = {0};
    int rc = at_gemm_run(d.drv, &o, &r, &err);
    CHECK(rc == 0 && r.ok, "%ux%ux%u: rc %d, %llu mismatches: %s", o.m, o.n, o.k, rc,
          (unsigned long long)r.mismatches, err.msg);
    if (rc == 0) {
        uint32_t jobs = (r.commands + AT_UAPI_MAX_CMDS - 1) / AT_UAPI_MAX_CMDS;
        printf("  fmodel/tiny, 1 KiB scratchpads, %ux%ux%u: %u commands in %u jobs, %llu cycles\n", o.m, o.n, o.k,
               r.commands, r.jobs, (unsigned long long)r.cycles);
        CHECK(r.commands > AT_UAPI_MAX_CMDS && r.jobs == jobs, "%u commands in %u jobs (want %u)", r.commands, r.jobs,
              jobs);
        CHECK(r.mac_issued + r.mac_skipped == 16ull * (o.n / 16) * o.m * o.k && r.pruned == r.pruned_ref,
              "issued %llu + skipped %llu, pruned %llu (reference %llu)", (unsigned long long)r.mac_issued,
              (unsigned long long)r.mac_skipped, (unsigned long long)r.pruned, (unsigned long long)r.pruned_ref);
        const at_gemm_plan *p = &r.plan;
        uint64_t est = p->rows_outer ? p->bytes_rows_outer : p->bytes_strips_outer;
        uint64_t moved = r.mem_rd - 64ull * (r.commands + r.jobs) + r.mem_wr - 4ull * r.jobs;
        CHECK(moved == est, "moved %llu bytes, the plan says %llu", (unsigned long long)moved,
              (unsigned long long)est);
    }
    dt_close(&d);
}

/* B preloaded into the weight scratchpad (at_gemm_spec.b_resident, the
 * compiler's preloaded weights): 192x1024x16 on tiny is 64 column tiles of
 * 16 lines (all of B in 1024 weight lines) cut into two strips by the C
 * slots; both loop orders give the streamed plan's bits, load no weights
 * in the plan, and move the plan's bytes plus B's once. */
static void test_preload_run(void)
{
    for (int b = 0; b < 2; b++) {
        if (!at_port_cosim_available(dt_backends[b], "tiny")) {
            check_skip(1, "%s/tiny preloaded B: the backend is not in this build", dt_backends[b]);
            continue;
        }
        dt_dev d;
        if (dt_open(dt_backends[b], "tiny", NULL, &d)) {
            CHECK(0, "open %s/tiny", dt_backends[b]);
            continue;
        }
        at_gemm_run_result r[3];
        for (int o = 0; o < 3; o++) {
            at_gemm_run_opts ro = {.m = 192, .n = 1024, .k = 16, .seed = 11, .b_preload = o > 0,
                                   .order = o == 1 ? AT_GEMM_ORDER_STRIPS : AT_GEMM_ORDER_AUTO};
            at_err err = {0};
            int rc = at_gemm_run(d.drv, &ro, &r[o], &err);
            CHECK(rc == 0 && r[o].ok, "%s preload %d: rc %d, %llu mismatches: %s", dt_backends[b], o, rc,
                  (unsigned long long)r[o].mismatches, err.msg);
            if (rc)
                break;
            const at_gemm_plan *p = &r[o].plan;
            uint64_t est = p->rows_outer ? p->bytes_rows_outer : p->bytes_strips_outer;
            uint64_t moved = r[o].mem_rd - 64ull * (r[o].commands + 1) + r[o].mem_wr - 4;
            printf("  %s/tiny 192x1024x16 %s, %s outer: %llu cycles, %u strips, %llu bytes moved\n", dt_backends[b],
                   o ? "B preloaded" : "B streamed", p->rows_outer ? "rows" : "strips", (unsigned long long)r[o].cycles,
                   p->strips, (unsigned long long)moved);
            if (o) {
                CHECK(p->strips == 2 && p->wgt_lines_used == 0 && p->rows_outer == (o == 2),
                      "preloaded plan: %u strips, %u weight lines, rows_outer %d", p->strips, p->wgt_lines_used,
                      p->rows_outer);
                CHECK(moved == est + 64ull * 32 * 16, "%s: moved %llu bytes, want the plan's %llu + B's 32768",
                      dt_backends[b], (unsigned long long)moved, (unsigned long long)est);
                CHECK(r[o].checksum == r[0].checksum, "%s: preloaded checksum %llx, streamed %llx", dt_backends[b],
                      (unsigned long long)r[o].checksum, (unsigned long long)r[0].checksum);
            }
        }
        dt_close(&d);
    }
}

static void test_utilization_512(void)
{
    at_gemm_run_result r;
    memset(&r, 0, sizeof r);
    run_shape("fmodel", "tiny", 512, 512, 512, 0.0, 0, &r);
    CHECK(r.utilization >= 0.85, "dense 512^3 on tiny: utilization %.4f < 0.85", r.utilization);
}

int main(void)
{
    RUN_CASE(test_plan_tiny);
    RUN_CASE(test_plan_order);
    RUN_CASE(test_order_run);
    RUN_CASE(test_preload_run);
    RUN_CASE(test_shapes);
    RUN_CASE(test_split_jobs);
    RUN_CASE(test_split_default);
    if (getenv("ACCELTRAN_QUICK") == NULL)
        RUN_CASE(test_utilization_512);
    return check_finish("drv_gemm");
}
