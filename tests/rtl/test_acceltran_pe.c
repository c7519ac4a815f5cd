/* The Verilated acceltran_pe against its C model (cosim/fmodel/pe_model.c)
 * and a plain int64 GEMM: raw accumulators, post-processed rows, masks,
 * pruned counts, busy cycles per tile (cycle-exact with ideal sources),
 * and the counters (busy, stalls, MACs issued / skipped, pruned). Seeded;
 * the seed and both sides are printed on a mismatch. */
// rtl-test-configs: tiny server
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_pe_tb.h"
#include "acceltran_pe_unit.h"
#include "check.h"
#include "numerics.h"
#include "pe_model.h"

static uint64_t g_seed;

static void ops_set_tile(void *u, int pe, int v, const pe_unit_tile *t)
{
    (void)pe;
    pe_unit_set_tile((pe_unit *)u, v, t);
}
static void ops_set_wgt(void *u, int pe, int v, const int16_t *r)
{
    (void)pe;
    pe_unit_set_wgt((pe_unit *)u, v, r);
}
static void ops_set_act(void *u, int pe, int l, int v, const int16_t *a, uint16_t m)
{
    (void)pe;
    pe_unit_set_act((pe_unit *)u, l, v, a, m);
}
static void ops_eval(void *u)
{
    pe_unit_eval((pe_unit *)u);
}
static void ops_get(void *u, int pe, pe_unit_out *o)
{
    (void)pe;
    pe_unit_get((pe_unit *)u, o);
}
static void ops_get_acc(void *u, int pe, int64_t *a)
{
    (void)pe;
    pe_unit_get_acc((pe_unit *)u, a);
}
static void ops_get_y(void *u, int pe, int16_t *y)
{
    (void)pe;
    pe_unit_get_y((pe_unit *)u, y);
}
static void ops_tick(void *u)
{
    pe_unit_tick((pe_unit *)u);
}

/* Plain int64 GEMM with the effective non-zeros (mask AND value). */
static void ref_gemm(const tb_tile *t, int64_t out[PE_MAX_ROWS][16])
{
    for (int i = 0; i < t->rows; i++)
        for (int j = 0; j < 16; j++) {
            int64_t s = 0;
            for (int kk = 0; kk < t->k; kk++) {
                size_t x = (size_t)i * (size_t)t->kp + (size_t)kk;
                if (t->m[x])
                    s += (int64_t)t->a[x] * (int64_t)t->w[(size_t)kk * 16 + (size_t)j];
            }
            out[i][j] = s;
        }
}

/* Runs tiles back to back on a fresh PE and checks everything. gap > 0:
 * random source stalls (cycles then only bounded, not exact). */
static void run_check(tb_tile **tiles, int n, double gap, const char *label)
{
    pe_unit *u = pe_unit_new();
    CHECK(u != NULL, "pe_unit_new");
    if (!u)
        return;
    tb_ops ops = {u, 1, pe_unit_num_lanes(), ops_set_tile, ops_set_wgt, ops_set_act, ops_eval,
                  ops_get, ops_get_acc, ops_get_y, ops_tick, pe_unit_wgt_rows()};
    tb_stream st;
    memset(&st, 0, sizeof(st));
    st.tiles = tiles;
    st.n = n;
    long cyc = tb_run(&ops, &st, gap, 50000000L);
    CHECK(cyc >= 0, "[%s seed %" PRIu64 "] timeout", label, g_seed);
    for (int w = 0; w < 20; w++) /* let the pruned counter catch up */
        pe_unit_tick(u);
    pe_unit_eval(u);
    pe_unit_out o;
    pe_unit_get(u, &o);
    uint64_t sum[PE_CNT_N] = {0};
    for (int ti = 0; ti < n && cyc >= 0; ti++) {
        tb_tile *t = tiles[ti];
        pe_result r;
        int rc = pe_model_tile(&t->mt, pe_unit_num_lanes(), pe_unit_wgt_rows(), t->after_tile, &r);
        CHECK(rc == 0, "model rc %d", rc);
        static int64_t ref[PE_MAX_ROWS][16];
        ref_gemm(t, ref);
        int bad = 0;
        for (int i = 0; i < t->rows && bad < 3; i++) {
            for (int j = 0; j < 16 && bad < 3; j++) {
                if (t->acc[i][j] != r.acc[i][j] || r.acc[i][j] != ref[i][j]) {
                    CHECK(0, "[%s seed %" PRIu64 " tile %d K %d] acc[%d][%d]: rtl %" PRId64
                          " model %" PRId64 " ref %" PRId64, label, g_seed, ti, t->k, i, j,
                          t->acc[i][j], r.acc[i][j], ref[i][j]);
                    bad++;
                }
                if (t->y[i][j] != r.y[i][j]) {
                    CHECK(0, "[%s seed %" PRIu64 " tile %d] y[%d][%d]: rtl %d model %d", label,
                          g_seed, ti, i, j, t->y[i][j], r.y[i][j]);
                    bad++;
                }
            }
            if (t->mask[i] != r.mask[i] || t->pruned[i] != r.pruned[i]) {
                CHECK(0, "[%s seed %" PRIu64 " tile %d] row %d mask rtl %04x model %04x, "
                      "pruned rtl %d model %d", label, g_seed, ti, i, t->mask[i], r.mask[i],
                      t->pruned[i], r.pruned[i]);
                bad++;
            }
        }
        CHECK(t->acc_rows == t->rows && t->out_rows == t->rows, "[%s] rows %d/%d of %d", label,
              t->acc_rows, t->out_rows, t->rows);
        if (gap == 0)
            CHECK(t->busy == r.cycles, "[%s seed %" PRIu64 " tile %d rows %d K %d] busy cycles: "
                  "rtl %" PRIu64 " model %" PRIu64, label, g_seed, ti, t->rows, t->k, t->busy,
                  r.cycles);
        else
            CHECK(t->busy >= r.cycles, "[%s] busy %" PRIu64 " < model %" PRIu64, label, t->busy,
                  r.cycles);
        sum[PE_CNT_BUSY] += r.cycles;
        sum[PE_CNT_STALL_WGT] += r.stall_wgt;
        sum[PE_CNT_MAC_ISSUED] += r.mac_issued;
        sum[PE_CNT_MAC_SKIPPED] += r.mac_skipped;
        sum[PE_CNT_PRUNED] += r.pruned_total;
    }
    static const char *names[PE_CNT_N] = {"busy", "stall_wgt", "stall_act", "mac_issued",
                                          "mac_skipped", "pruned"};
    for (int c = 0; c < PE_CNT_N && cyc >= 0; c++) {
        if (gap > 0 && (c == PE_CNT_BUSY || c == PE_CNT_STALL_WGT || c == PE_CNT_STALL_ACT))
            continue;
        CHECK(o.cnt[c] == sum[c], "[%s seed %" PRIu64 "] counter %s: rtl %" PRIu64
              " model %" PRIu64, label, g_seed, names[c], o.cnt[c], sum[c]);
    }
    if (gap > 0)
        CHECK(o.cnt[PE_CNT_STALL_ACT] > 0, "[%s] no activation stall counted", label);
    pe_unit_free(u);
}

static const int ks[] = {1, 15, 16, 17, 33, 64, 129, 384};
static const double sps[] = {0.0, 0.5, 0.9, 1.0};

/* Rows of a full block: 16, or NumLanes for a PE with more than 16 lanes
 * (server: 32 rows, two 16-row tiles on one weight stream). */
static int block_rows(void)
{
    return pe_model_block_rows(pe_unit_num_lanes());
}

/* Every K x sparsity, random rows < block rows, cols < 16, one tile per PE. */
static void test_k_sparsity_sweep(void)
{
    int br = block_rows();
    for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
        for (size_t si = 0; si < sizeof(sps) / sizeof(sps[0]); si++) {
            tb_tile t;
            int rows = 1 + (int)(tb_rand() % (uint64_t)(br - 1)), cols = 1 + (int)(tb_rand() % 15);
            tb_tile_make(&t, rows, cols, ks[ki], sps[si], TB_VAL_RANDOM);
            tb_tile_desc(&t);
            tb_tile *tp = &t;
            char label[64];
            snprintf(label, sizeof(label), "K=%d s=%.1f %dx%d", ks[ki], sps[si], rows, cols);
            run_check(&tp, 1, 0.0, label);
            tb_tile_free(&t);
        }
    }
}

/* Full blocks (block rows x 16) and random ones, K in the sweep, mixed
 * sparsity, all back to back. */
static void test_back_to_back(void)
{
    enum { N = 12 };
    int br = block_rows();
    tb_tile t[N];
    tb_tile *tp[N];
    for (int i = 0; i < N; i++) {
        int k = ks[tb_rand() % 8];
        int rows = (i % 3 == 0) ? br : 1 + (int)(tb_rand() % (uint64_t)br);
        tb_tile_make(&t[i], rows, 1 + (int)(tb_rand() % 16), k, sps[tb_rand() % 4], TB_VAL_RANDOM);
        tb_tile_desc(&t[i]);
        tp[i] = &t[i];
    }
    run_check(tp, N, 0.0, "back-to-back");
    for (int i = 0; i < N; i++)
        tb_tile_free(&t[i]);
}

/* +-32767 / -32768 products accumulated over K = 384 and 129; requant that
 * saturates at both ends. */
static void test_saturating(void)
{
    int kk[] = {384, 129, 17};
    for (int i = 0; i < 3; i++) {
        tb_tile t;
        tb_tile_make(&t, block_rows(), 16, kk[i], i == 2 ? 0.5 : 0.0, TB_VAL_EXTREME);
        for (int j = 0; j < 16; j++) {
            t.mt.rq_m[j] = (uint16_t)(32768 + tb_rand() % 32768);
            t.mt.rq_s[j] = (uint8_t)(j < 8 ? 20 + j : 40 + j); /* saturating and not */
        }
        tb_tile_desc(&t);
        tb_tile *tp = &t;
        run_check(&tp, 1, 0.0, "saturating");
        tb_tile_free(&t);
    }
}

/* Realistic post-processing: small values, requant to an int16 scale,
 * GELU on and off, tau 0 and > 0 (DynaTran prunes), several back to back. */
static void test_postproc(void)
{
    enum { N = 6 };
    tb_tile t[N];
    tb_tile *tp[N];
    at_gelu_params gp;
    int rc = at_gelu_params_make(0.002, 0.002, &gp);
    CHECK(rc == 0, "gelu params rc %d", rc);
    for (int i = 0; i < N; i++) {
        tb_tile_make(&t[i], block_rows() - i, 16 - (i % 4), i % 2 ? 64 : 33, i % 3 ? 0.5 : 0.0,
                     TB_VAL_SMALL);
        for (int j = 0; j < 16; j++) {
            at_rq rq;
            at_rq_from_ratio(1.0 / 8.0 * (1.0 + j / 16.0), &rq);
            t[i].mt.rq_m[j] = rq.m;
            t[i].mt.rq_s[j] = rq.s;
            t[i].bias[j] = (int32_t)(tb_rand() % 20001) - 10000;
        }
        t[i].mt.gelu = i >= 2;
        t[i].mt.gelu_p = gp;
        t[i].mt.tau = (int16_t)(i % 2 ? 300 : 0);
        tb_tile_desc(&t[i]);
        tp[i] = &t[i];
    }
    run_check(tp, N, 0.0, "postproc");
    uint64_t pr = 0;
    for (int i = 0; i < N; i++)
        for (int r = 0; r < t[i].rows; r++)
            pr += (uint64_t)t[i].pruned[r];
    CHECK(pr > 0, "tau > 0 pruned nothing");
    for (int i = 0; i < N; i++)
        tb_tile_free(&t[i]);
}

/* Sources that withhold valid at random: same results, MAC counts, and
 * busy cycles no fewer than the ideal model's. */
static void test_source_stalls(void)
{
    enum { N = 5 };
    tb_tile t[N];
    tb_tile *tp[N];
    for (int i = 0; i < N; i++) {
        tb_tile_make(&t[i], 1 + (int)(tb_rand() % (uint64_t)block_rows()), 16, ks[tb_rand() % 8],
                     sps[i % 4],
                     TB_VAL_RANDOM);
        tb_tile_desc(&t[i]);
        tp[i] = &t[i];
    }
    run_check(tp, N, 0.3, "source-stalls");
    for (int i = 0; i < N; i++)
        tb_tile_free(&t[i]);
}

int main(int argc, char **argv)
{
    g_seed = argc > 1 ? strtoull(argv[1], NULL, 0) : check_seed("pe_" TEST_CONFIG, 0x5EED0001ull);
    printf("test_acceltran_pe (%s, %d lanes, %d weight rows/beat): seed 0x%" PRIx64 "\n",
           TEST_CONFIG, pe_unit_num_lanes(), pe_unit_wgt_rows(), g_seed);
    tb_seed(g_seed);
    RUN_CASE(test_k_sparsity_sweep);
    RUN_CASE(test_back_to_back);
    RUN_CASE(test_saturating);
    RUN_CASE(test_postproc);
    RUN_CASE(test_source_stalls);
    return check_finish("pe_" TEST_CONFIG);
}
