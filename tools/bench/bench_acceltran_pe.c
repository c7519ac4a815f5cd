/* Cycle benchmark of the Verilated acceltran_pe (configuration TEST_CONFIG,
 * tiny by default): full output blocks of BxK (B = pe_model_block_rows: 16,
 * or NumLanes for a PE with more than 16 lanes; K = 256, 1024, 4096) at 0, 50%
 * and 90% random activation sparsity (uniform random zeros, fixed seed),
 * weights streaming WgtRowsPerBeat 16-wide rows per cycle, ideal sources.
 * Reports busy cycles per tile (RTL, checked equal to the C cycle model
 * pe_model_tile), speedup over dense, its ratio to the ideal 1/(1-s),
 * utilization = MACs issued / (cycles * lanes * 16) and the simulation
 * speed of the Verilated PE. Prints a table, then one JSON line.
 * Options: --seed N. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acceltran_pe_tb.h"
#include "acceltran_pe_unit.h"
#include "pe_model.h"

static void o_set_tile(void *u, int pe, int v, const pe_unit_tile *t)
{
    (void)pe;
    pe_unit_set_tile((pe_unit *)u, v, t);
}
static void o_set_wgt(void *u, int pe, int v, const int16_t *r)
{
    (void)pe;
    pe_unit_set_wgt((pe_unit *)u, v, r);
}
static void o_set_act(void *u, int pe, int l, int v, const int16_t *a, uint16_t m)
{
    (void)pe;
    pe_unit_set_act((pe_unit *)u, l, v, a, m);
}
static void o_eval(void *u)
{
    pe_unit_eval((pe_unit *)u);
}
static void o_get(void *u, int pe, pe_unit_out *o)
{
    (void)pe;
    pe_unit_get((pe_unit *)u, o);
}
static void o_get_acc(void *u, int pe, int64_t *a)
{
    (void)pe;
    pe_unit_get_acc((pe_unit *)u, a);
}
static void o_get_y(void *u, int pe, int16_t *y)
{
    (void)pe;
    pe_unit_get_y((pe_unit *)u, y);
}
static void o_tick(void *u)
{
    pe_unit_tick((pe_unit *)u);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    uint64_t seed = 0xBE4C4001ull;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
    tb_seed(seed);
    static const int ks[] = {256, 1024, 4096};
    static const double sps[] = {0.0, 0.5, 0.9};
    enum { NK = 3, NS = 3, REPS = 4 };
    int lanes = pe_model_lanes(pe_unit_num_lanes());
    int brows = pe_model_block_rows(pe_unit_num_lanes());
    double cyc[NK][NS], util[NK][NS], stallw[NK][NS];
    long sim_cycles = 0;
    double sim_time = 0;
    int model_ok = 1;
    int wrows = pe_unit_wgt_rows();
    printf("bench_acceltran_pe: config %s, %d lanes x 16 MACs, %dx16xK blocks, %d weight rows/beat "
           "(%d beats/chunk), seed 0x%" PRIx64 ", mean of %d tiles\n", TEST_CONFIG, lanes, brows,
           wrows, 16 / wrows, seed, REPS);
    for (int ki = 0; ki < NK; ki++) {
        for (int si = 0; si < NS; si++) {
            double csum = 0, msum = 0, swsum = 0;
            for (int r = 0; r < REPS; r++) {
                tb_tile t;
                tb_tile_make(&t, brows, 16, ks[ki], sps[si], TB_VAL_RANDOM);
                tb_tile_desc(&t);
                tb_tile *tp = &t;
                pe_unit *u = pe_unit_new();
                if (!u)
                    return 1;
                tb_ops ops = {u, 1, pe_unit_num_lanes(), o_set_tile, o_set_wgt, o_set_act,
                              o_eval, o_get, o_get_acc, o_get_y, o_tick, pe_unit_wgt_rows()};
                tb_stream st;
                memset(&st, 0, sizeof(st));
                st.tiles = &tp;
                st.n = 1;
                double t0 = now_s();
                long c = tb_run(&ops, &st, 0.0, 100000000L);
                sim_time += now_s() - t0;
                sim_cycles += c;
                pe_unit_out o;
                pe_unit_eval(u);
                pe_unit_get(u, &o);
                pe_result mr;
                pe_model_tile(&t.mt, pe_unit_num_lanes(), pe_unit_wgt_rows(), 0, &mr);
                if (c < 0 || t.busy != mr.cycles || o.cnt[PE_CNT_MAC_ISSUED] != mr.mac_issued) {
                    fprintf(stderr, "mismatch K=%d s=%.1f: rtl %" PRIu64 " model %" PRIu64 "\n",
                            ks[ki], sps[si], t.busy, mr.cycles);
                    model_ok = 0;
                }
                csum += (double)t.busy;
                msum += (double)o.cnt[PE_CNT_MAC_ISSUED];
                swsum += (double)o.cnt[PE_CNT_STALL_WGT];
                pe_unit_free(u);
                tb_tile_free(&t);
            }
            cyc[ki][si] = csum / REPS;
            util[ki][si] = msum / REPS / (cyc[ki][si] * lanes * 16);
            stallw[ki][si] = swsum / REPS;
        }
    }
    printf("%6s %9s %12s %9s %9s %11s %12s\n", "K", "sparsity", "cycles", "speedup", "ideal",
           "ratio", "utilization");
    for (int ki = 0; ki < NK; ki++)
        for (int si = 0; si < NS; si++) {
            double sp = cyc[ki][0] / cyc[ki][si], ideal = 1.0 / (1.0 - sps[si]);
            printf("%6d %9.1f %12.1f %9.3f %9.3f %11.3f %12.3f   (stall_wgt %.0f)\n", ks[ki],
                   sps[si], cyc[ki][si], sp, ideal, sp / ideal, util[ki][si], stallw[ki][si]);
        }
    double cps = sim_time > 0 ? (double)sim_cycles / sim_time : 0;
    printf("simulation: %ld cycles in %.3f s = %.0f cycles/s (Verilated PE, %s)\n", sim_cycles,
           sim_time, cps, TEST_CONFIG);
    printf("cycle model agrees with RTL on every tile: %s\n", model_ok ? "yes" : "NO");
    printf("{\"bench\":\"acceltran_pe\",\"config\":\"%s\",\"lanes\":%d,\"seed\":%" PRIu64
           ",\"block_rows\":%d,\"wgt_rows_per_beat\":%d,\"tiles\":[", TEST_CONFIG, lanes, seed,
           brows, wrows);
    for (int ki = 0; ki < NK; ki++)
        for (int si = 0; si < NS; si++) {
            double sp = cyc[ki][0] / cyc[ki][si], ideal = 1.0 / (1.0 - sps[si]);
            printf("%s{\"k\":%d,\"sparsity\":%.1f,\"cycles\":%.1f,\"speedup\":%.4f,"
                   "\"ratio_to_ideal\":%.4f,\"utilization\":%.4f}",
                   ki + si ? "," : "", ks[ki], sps[si], cyc[ki][si], sp, sp / ideal,
                   util[ki][si]);
        }
    printf("],\"sim_cycles_per_s\":%.0f,\"model_agrees\":%s}\n", cps, model_ok ? "true" : "false");
    return model_ok ? 0 : 1;
}
