/* The Verilated acceltran_pe_array: a whole GEMM tiled into 16x16 output
 * tiles, tile t (row-major) on PE t mod NumPes, all PEs running at once,
 * each PE's tiles back to back. Every tile matches the C model (raw
 * accumulators, outputs, masks, pruned, busy cycles exactly), the assembled
 * GEMM matches a plain int64 reference, and the array's summed counters
 * match the sums of the model's. Seeded; seed and both sides on mismatch. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_pe_array_unit.h"
#include "acceltran_pe_tb.h"
#include "check.h"
#include "numerics.h"
#include "pe_model.h"

static uint64_t g_seed;

static void o_set_tile(void *u, int pe, int v, const pe_unit_tile *t)
{
    pe_array_unit_set_tile((pe_array_unit *)u, pe, v, t);
}
static void o_set_wgt(void *u, int pe, int v, const int16_t *r)
{
    pe_array_unit_set_wgt((pe_array_unit *)u, pe, v, r);
}
static void o_set_act(void *u, int pe, int l, int v, const int16_t *a, uint16_t m)
{
    pe_array_unit_set_act((pe_array_unit *)u, pe, l, v, a, m);
}
static void o_eval(void *u)
{
    pe_array_unit_eval((pe_array_unit *)u);
}
static void o_get(void *u, int pe, pe_unit_out *o)
{
    pe_array_unit_get((pe_array_unit *)u, pe, o);
}
static void o_get_acc(void *u, int pe, int64_t *a)
{
    pe_array_unit_get_acc((pe_array_unit *)u, pe, a);
}
static void o_get_y(void *u, int pe, int16_t *y)
{
    pe_array_unit_get_y((pe_array_unit *)u, pe, y);
}
static void o_tick(void *u)
{
    pe_array_unit_tick((pe_array_unit *)u);
}

/* C = A (m x k) * W (k x n) with sparsity s, through the array. */
static void run_gemm(int m, int n, int k, double s, const char *label)
{
    int npes = pe_array_unit_num_pes(), nl = pe_array_unit_num_lanes();
    int mt = (m + 15) / 16, nt = (n + 15) / 16, nti = mt * nt;
    int16_t *A = calloc((size_t)m * (size_t)k, sizeof(int16_t));
    uint8_t *M = calloc((size_t)m * (size_t)k, 1);
    int16_t *W = calloc((size_t)k * (size_t)n, sizeof(int16_t));
    int64_t *C = calloc((size_t)m * (size_t)n, sizeof(int64_t));
    tb_tile *tiles = calloc((size_t)nti, sizeof(tb_tile));
    tb_tile **per_pe = calloc((size_t)nti, sizeof(tb_tile *));
    tb_stream *st = calloc((size_t)npes, sizeof(tb_stream));
    pe_array_unit *u = pe_array_unit_new();
    if (!A || !M || !W || !C || !tiles || !per_pe || !st || !u) {
        CHECK(0, "allocation");
        goto out;
    }
    for (size_t x = 0; x < (size_t)m * (size_t)k; x++) {
        A[x] = (int16_t)tb_rand();
        M[x] = 1;
        if (tb_unif() < s) {
            if (tb_rand() & 1)
                A[x] = 0;
            else
                M[x] = 0;
        }
    }
    for (size_t x = 0; x < (size_t)k * (size_t)n; x++)
        W[x] = (int16_t)tb_rand();
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            int64_t acc = 0;
            for (int kk = 0; kk < k; kk++)
                if (M[(size_t)i * (size_t)k + (size_t)kk])
                    acc += (int64_t)A[(size_t)i * (size_t)k + (size_t)kk] *
                           W[(size_t)kk * (size_t)n + (size_t)j];
            C[(size_t)i * (size_t)n + (size_t)j] = acc;
        }
    /* tiles: t = ti * nt + tj, on PE t mod npes, in order */
    int cnt = 0;
    for (int p = 0; p < npes; p++) {
        st[p].tiles = &per_pe[cnt];
        for (int t = p; t < nti; t += npes) {
            int ti = t / nt, tj = t % nt;
            int rows = m - ti * 16 < 16 ? m - ti * 16 : 16;
            int cols = n - tj * 16 < 16 ? n - tj * 16 : 16;
            tb_tile *tt = &tiles[t];
            tb_tile_make(tt, rows, cols, k, 0.0, TB_VAL_RANDOM);
            for (int i = 0; i < rows; i++)
                for (int kk = 0; kk < k; kk++) {
                    tt->a[(size_t)i * (size_t)tt->kp + (size_t)kk] =
                        A[(size_t)(ti * 16 + i) * (size_t)k + (size_t)kk];
                    tt->m[(size_t)i * (size_t)tt->kp + (size_t)kk] =
                        M[(size_t)(ti * 16 + i) * (size_t)k + (size_t)kk];
                }
            for (int kk = 0; kk < k; kk++)
                for (int j = 0; j < 16; j++)
                    tt->w[(size_t)kk * 16 + (size_t)j] =
                        j < cols ? W[(size_t)kk * (size_t)n + (size_t)(tj * 16 + j)] : 0;
            tt->mt.tau = (int16_t)(t % 2 ? 1000 : 0);
            tb_tile_desc(tt);
            per_pe[cnt++] = tt;
            st[p].n++;
        }
    }
    tb_ops ops = {u, npes, nl, o_set_tile, o_set_wgt, o_set_act, o_eval, o_get, o_get_acc,
                  o_get_y, o_tick, pe_array_unit_wgt_rows()};
    long cyc = tb_run(&ops, st, 0.0, 50000000L);
    CHECK(cyc > 0, "[%s seed %" PRIu64 "] timeout", label, g_seed);
    if (cyc <= 0)
        goto out;
    for (int w = 0; w < 20; w++)
        pe_array_unit_tick(u);
    pe_array_unit_eval(u);
    pe_unit_out o;
    pe_array_unit_get(u, 0, &o);
    uint64_t sum[PE_CNT_N] = {0}, busy_total = 0;
    for (int t = 0; t < nti; t++) {
        tb_tile *tt = &tiles[t];
        int ti = t / nt, tj = t % nt;
        pe_result r;
        CHECK(pe_model_tile(&tt->mt, nl, pe_array_unit_wgt_rows(), tt->after_tile, &r) == 0, "model");
        int bad = 0;
        for (int i = 0; i < tt->rows && bad < 3; i++) {
            for (int j = 0; j < tt->cols && bad < 3; j++) {
                int64_t ref = C[(size_t)(ti * 16 + i) * (size_t)n + (size_t)(tj * 16 + j)];
                if (tt->acc[i][j] != ref || r.acc[i][j] != ref || tt->y[i][j] != r.y[i][j]) {
                    CHECK(0, "[%s seed %" PRIu64 " tile %d PE %d] C[%d][%d]: rtl %" PRId64
                          " model %" PRId64 " ref %" PRId64 ", y rtl %d model %d", label, g_seed,
                          t, t % npes, ti * 16 + i, tj * 16 + j, tt->acc[i][j], r.acc[i][j], ref,
                          tt->y[i][j], r.y[i][j]);
                    bad++;
                }
            }
            CHECK(tt->mask[i] == r.mask[i] && tt->pruned[i] == r.pruned[i],
                  "[%s tile %d row %d] mask %04x/%04x pruned %d/%d", label, t, i, tt->mask[i],
                  r.mask[i], tt->pruned[i], r.pruned[i]);
        }
        CHECK(tt->busy == r.cycles, "[%s seed %" PRIu64 " tile %d] busy rtl %" PRIu64
              " model %" PRIu64, label, g_seed, t, tt->busy, r.cycles);
        busy_total += tt->busy;
        sum[PE_CNT_BUSY] += r.cycles;
        sum[PE_CNT_STALL_WGT] += r.stall_wgt;
        sum[PE_CNT_MAC_ISSUED] += r.mac_issued;
        sum[PE_CNT_MAC_SKIPPED] += r.mac_skipped;
        sum[PE_CNT_PRUNED] += r.pruned_total;
    }
    for (int c = 0; c < PE_CNT_N; c++)
        CHECK(o.cnt[c] == sum[c], "[%s seed %" PRIu64 "] summed counter %d: rtl %" PRIu64
              " model %" PRIu64, label, g_seed, c, o.cnt[c], sum[c]);
    /* the PEs ran at the same time: wall cycles well below the busy sum */
    if (nti >= npes && npes > 1)
        CHECK((uint64_t)cyc * 2 < busy_total, "[%s] %ld cycles for %" PRIu64 " busy: PEs not "
              "concurrent", label, cyc, busy_total);
    printf("  %s: %dx%dx%d, %d tiles on %d PEs: %ld cycles (busy sum %" PRIu64 ")\n", label, m,
           n, k, nti, npes, cyc, busy_total);
out:
    if (tiles)
        for (int t = 0; t < nti; t++)
            tb_tile_free(&tiles[t]);
    pe_array_unit_free(u);
    free(A);
    free(M);
    free(W);
    free(C);
    free(tiles);
    free(per_pe);
    free(st);
}

static void test_gemm_dense(void)
{
    run_gemm(40, 40, 129, 0.0, "dense");
}

static void test_gemm_sparse(void)
{
    run_gemm(64, 48, 100, 0.5, "sparse-0.5");
}

static void test_gemm_one_tile_per_pe(void)
{
    run_gemm(32, 32, 64, 0.9, "sparse-0.9");
}

int main(int argc, char **argv)
{
    g_seed = argc > 1 ? strtoull(argv[1], NULL, 0) : check_seed("pe_array_" TEST_CONFIG, 0x5EED00A1ull);
    printf("test_acceltran_pe_array (%s, %d PEs x %d lanes, %d weight rows/beat): seed 0x%" PRIx64
           "\n", TEST_CONFIG, pe_array_unit_num_pes(), pe_array_unit_num_lanes(),
           pe_array_unit_wgt_rows(), g_seed);
    tb_seed(g_seed);
    RUN_CASE(test_gemm_dense);
    RUN_CASE(test_gemm_sparse);
    RUN_CASE(test_gemm_one_tile_per_pe);
    return check_finish("pe_array_" TEST_CONFIG);
}
