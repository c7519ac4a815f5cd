/* GEMM through the driver (at_gemm_plan + at_gemm_run): odd shapes, sparsity
 * and DynaTran match the host reference on fmodel (and rtl when built); the
 * plan's tiling for tiny; the dense 512^3 on tiny reaches >= 85%
 * utilization on fmodel. */
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

static void run_shape(const char *backend, const char *config, uint32_t m, uint32_t n, uint32_t k,
                      double sp, uint16_t tau, at_gemm_run_result *out)
{
    dt_dev d;
    if (dt_open(backend, config, NULL, &d)) {
        CHECK(0, "open %s/%s", backend, config);
        return;
    }
    at_gemm_run_opts o = {m, n, k, sp, tau, 7 + m, 0};
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
        if (!at_port_cosim_available(dt_backends[b], "tiny"))
            continue;
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            run_shape(dt_backends[b], "tiny", shapes[i][0], shapes[i][1], shapes[i][2], 0.0, 0, NULL);
        run_shape(dt_backends[b], "tiny", 64, 96, 128, 0.5, 0, NULL);
        run_shape(dt_backends[b], "tiny", 48, 64, 80, 0.3, 2000, NULL);
        /* many strips with double-buffered weights */
        run_shape(dt_backends[b], "tiny", 40, 600, 64, 0.0, 0, NULL);
    }
    if (at_port_cosim_available("fmodel", "edge"))
        run_shape("fmodel", "edge", 100, 300, 200, 0.2, 100, NULL);
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
    RUN_CASE(test_shapes);
    if (getenv("ACCELTRAN_QUICK") == NULL)
        RUN_CASE(test_utilization_512);
    return check_finish("drv_gemm");
}
