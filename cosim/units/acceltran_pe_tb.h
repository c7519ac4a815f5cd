/* Testbench helpers shared by the PE / PE-array tests and the PE bench:
 * random tiles, and a cycle-by-cycle driver that streams tiles through one
 * or more PEs (descriptor, weight beats of wgt_rows rows, per-lane activation
 * beats), collects
 * raw accumulator rows, output rows and busy cycles. Header-only (static
 * functions): each program includes it once. */
#ifndef ACCELTRAN_PE_TB_H
#define ACCELTRAN_PE_TB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_pe_unit.h"
#include "pe_model.h"

static uint64_t tb_rng_state = 1;
static inline void tb_seed(uint64_t s)
{
    tb_rng_state = s ? s : 0x9E3779B97F4A7C15ull;
}
static inline uint64_t tb_rand(void)
{
    uint64_t x = tb_rng_state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    tb_rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}
static inline double tb_unif(void)
{
    return (double)(tb_rand() >> 11) / 9007199254740992.0;
}

/* One tile (a block of up to pe_model_block_rows(lanes) rows) with its
 * storage. A is rows x kp (kp = K rounded up to 16):
 * columns >= K hold random garbage with mask 1 that the PE must ignore. */
typedef struct tb_tile {
    int rows, cols, k, kp;
    int16_t *a;
    uint8_t *m;
    int16_t *w;
    int32_t bias[16];
    pe_tile mt;      /* model view */
    pe_unit_tile d;  /* descriptor */
    int after_tile;  /* accepted back to back after another tile */
    /* measured */
    int64_t acc[PE_MAX_ROWS][16];   /* rows up to the PE's block rows */
    int16_t y[PE_MAX_ROWS][16];
    uint16_t mask[PE_MAX_ROWS];
    int pruned[PE_MAX_ROWS];
    int acc_rows, out_rows;
    uint64_t busy;
} tb_tile;

enum { TB_VAL_RANDOM, TB_VAL_EXTREME, TB_VAL_SMALL };

/* sparsity s: probability that an activation is zero; half of those are
 * value 0 (mask 1), half non-zero data with mask 0 (DynaTran-pruned). */
static inline void tb_tile_make(tb_tile *t, int rows, int cols, int k, double s, int vals)
{
    memset(t, 0, sizeof(*t));
    t->rows = rows;
    t->cols = cols;
    t->k = k;
    t->kp = (k + 15) / 16 * 16;
    t->a = (int16_t *)calloc((size_t)rows * (size_t)t->kp, sizeof(int16_t));
    t->m = (uint8_t *)calloc((size_t)rows * (size_t)t->kp, 1);
    t->w = (int16_t *)calloc((size_t)t->kp * 16, sizeof(int16_t));
    for (int i = 0; i < rows; i++) {
        for (int kk = 0; kk < t->kp; kk++) {
            size_t x = (size_t)i * (size_t)t->kp + (size_t)kk;
            int16_t v;
            if (vals == TB_VAL_EXTREME)
                v = (tb_rand() & 1) ? -32768 : ((tb_rand() & 1) ? 32767 : -32767);
            else if (vals == TB_VAL_SMALL)
                v = (int16_t)((int)(tb_rand() % 201) - 100);
            else
                v = (int16_t)tb_rand();
            if (v == 0)
                v = 1;
            t->a[x] = v;
            t->m[x] = 1;
            if (kk < k && tb_unif() < s) {
                if (tb_rand() & 1)
                    t->a[x] = 0;
                else
                    t->m[x] = 0;
            }
        }
    }
    for (int kk = 0; kk < t->kp; kk++) {
        for (int j = 0; j < 16; j++) {
            int16_t v;
            if (vals == TB_VAL_EXTREME)
                v = (tb_rand() & 1) ? -32768 : 32767;
            else if (vals == TB_VAL_SMALL)
                v = (int16_t)((int)(tb_rand() % 201) - 100);
            else
                v = (int16_t)tb_rand();
            /* rows >= K: garbage the PE never reads (not sent) */
            t->w[(size_t)kk * 16 + (size_t)j] = v;
        }
    }
    for (int j = 0; j < 16; j++)
        t->bias[j] = (int32_t)(uint32_t)tb_rand();
    t->mt.rows = rows;
    t->mt.cols = cols;
    t->mt.k = k;
    t->mt.a = t->a;
    t->mt.lda = t->kp;
    t->mt.a_mask = t->m;
    t->mt.w = t->w;
    t->mt.bias = t->bias;
    /* default post-processing: requant to int16 of roughly the accumulator
     * range of random data, no GELU, tau 0 */
    for (int j = 0; j < 16; j++) {
        t->mt.rq_m[j] = (uint16_t)(32768 + tb_rand() % 32768);
        t->mt.rq_s[j] = (uint8_t)(30 + tb_rand() % 16);
    }
    t->mt.gelu = 0;
    t->mt.tau = 0;
}

/* Copies the model's post-processing parameters into the descriptor. */
static inline void tb_tile_desc(tb_tile *t)
{
    pe_unit_tile *d = &t->d;
    memset(d, 0, sizeof(*d));
    d->rows = t->rows;
    d->cols = t->cols;
    d->k = t->k;
    memcpy(d->bias, t->bias, sizeof(d->bias));
    memcpy(d->rq_m, t->mt.rq_m, sizeof(d->rq_m));
    memcpy(d->rq_s, t->mt.rq_s, sizeof(d->rq_s));
    d->gelu_en = t->mt.gelu;
    d->gelu_in_m = t->mt.gelu_p.in.m;
    d->gelu_in_s = t->mt.gelu_p.in.s;
    d->gelu_out_m = t->mt.gelu_p.out.m;
    d->gelu_out_s = t->mt.gelu_p.out.s;
    d->tau = (uint16_t)t->mt.tau;
}

static inline void tb_tile_free(tb_tile *t)
{
    free(t->a);
    free(t->m);
    free(t->w);
    t->a = NULL;
    t->m = NULL;
    t->w = NULL;
}

/* Port access to PE number `pe` of a unit (a PE or a PE array). */
typedef struct tb_ops {
    void *u;
    int npes, nports;
    void (*set_tile)(void *u, int pe, int valid, const pe_unit_tile *t);
    void (*set_wgt)(void *u, int pe, int valid, const int16_t *row);
    void (*set_act)(void *u, int pe, int lane, int valid, const int16_t *a, uint16_t mask);
    void (*eval)(void *u);
    void (*get)(void *u, int pe, pe_unit_out *o);
    void (*get_acc)(void *u, int pe, int64_t *acc);
    void (*get_y)(void *u, int pe, int16_t *y);
    void (*tick)(void *u);
    int wgt_rows;   /* weight rows per beat (acceltran_pkg::WgtRowsPerBeat) */
} tb_ops;

/* Stream state of one PE. */
typedef struct tb_stream {
    tb_tile **tiles;
    int n;
    int offered;          /* tiles accepted */
    int w_tile, w_row;    /* first weight row of the next beat */
    int l_tile[32], l_beat[32]; /* next beat of each lane: beat index within the tile */
    int acc_tile, out_tile;
    int wv, av[32];       /* valids offered this cycle */
} tb_stream;

static inline int tb_lane_beats(const tb_tile *t, int lanes, int l)
{
    int nb = 0;
    for (int i = l; i < t->rows; i += lanes)
        nb++;
    return nb * (t->kp / 16);
}

/* Beat b of lane l of tile t: chunk b / nb, local row b % nb. */
static inline void tb_lane_beat(const tb_tile *t, int lanes, int l, int b, const int16_t **a,
                                uint16_t *mask)
{
    int nb = 0;
    for (int i = l; i < t->rows; i += lanes)
        nb++;
    int c = b / nb, r = l + (b % nb) * lanes;
    size_t x = (size_t)r * (size_t)t->kp + (size_t)c * 16;
    *a = &t->a[x];
    uint16_t mm = 0;
    for (int kk = 0; kk < 16; kk++)
        mm |= (uint16_t)(t->m[x + (size_t)kk] ? 1u << kk : 0u);
    *mask = mm;
}

/* Runs the streams until every tile's rows came out (or max_cycles).
 * gap: probability that a source withholds valid in a cycle (0 = ideal
 * sources, cycle-exact against the model). Returns cycles run, or -1 on
 * timeout. */
static inline long tb_run(const tb_ops *ops, tb_stream *st, double gap, long max_cycles)
{
    int lanes = pe_model_lanes(ops->nports);
    int wr = ops->wgt_rows;
    long cyc = 0;
    if (!pe_model_wgt_rows_ok(wr))
        return -1;
    for (;;) {
        int all_done = 1;
        for (int p = 0; p < ops->npes; p++)
            if (st[p].out_tile < st[p].n)
                all_done = 0;
        if (all_done)
            return cyc;
        if (cyc >= max_cycles)
            return -1;
        for (int p = 0; p < ops->npes; p++) {
            tb_stream *s = &st[p];
            /* descriptor */
            ops->set_tile(ops->u, p, s->offered < s->n, s->offered < s->n ? &s->tiles[s->offered]->d : NULL);
            /* weights: tile w_tile rows 0..k-1, wr rows a beat; the last
             * beat of a tail chunk carries rows >= k (garbage in w, kp
             * rows long) that the PE must ignore */
            while (s->w_tile < s->n && s->w_row >= s->tiles[s->w_tile]->k) {
                s->w_tile++;
                s->w_row = 0;
            }
            int wv = s->w_tile < s->n && !(gap > 0 && tb_unif() < gap);
            s->wv = wv;
            ops->set_wgt(ops->u, p, wv, wv ? &s->tiles[s->w_tile]->w[(size_t)s->w_row * 16] : NULL);
            for (int l = 0; l < ops->nports; l++) {
                s->av[l] = 0;
                if (l >= lanes) {
                    ops->set_act(ops->u, p, l, 0, NULL, 0);
                    continue;
                }
                while (s->l_tile[l] < s->n &&
                       s->l_beat[l] >= tb_lane_beats(s->tiles[s->l_tile[l]], lanes, l)) {
                    s->l_tile[l]++;
                    s->l_beat[l] = 0;
                }
                int av = s->l_tile[l] < s->n && !(gap > 0 && tb_unif() < gap);
                const int16_t *a = NULL;
                uint16_t mm = 0;
                if (av)
                    tb_lane_beat(s->tiles[s->l_tile[l]], lanes, l, s->l_beat[l], &a, &mm);
                s->av[l] = av;
                ops->set_act(ops->u, p, l, av, a, mm);
            }
        }
        ops->eval(ops->u);
        for (int p = 0; p < ops->npes; p++) {
            tb_stream *s = &st[p];
            pe_unit_out o;
            ops->get(ops->u, p, &o);
            if (o.busy && s->offered > 0)
                s->tiles[s->offered - 1]->busy++;
            if (s->offered < s->n && o.tile_ready) {
                /* tiles are offered continuously, so a tile after another
                 * is accepted in the first idle cycle (back to back) */
                s->tiles[s->offered]->after_tile = s->offered > 0;
                s->offered++;
            }
            if (s->wv && o.wgt_ready)
                s->w_row += wr;
            for (int l = 0; l < lanes; l++)
                if (s->av[l] && ((o.act_ready >> l) & 1u))
                    s->l_beat[l]++;
            if (o.acc_valid && s->acc_tile < s->n) {
                tb_tile *t = s->tiles[s->acc_tile];
                ops->get_acc(ops->u, p, t->acc[o.acc_row]);
                t->acc_rows++;
                if (t->acc_rows == t->rows)
                    s->acc_tile++;
            }
            if (o.out_valid && s->out_tile < s->n) {
                tb_tile *t = s->tiles[s->out_tile];
                ops->get_y(ops->u, p, t->y[o.out_row]);
                t->mask[o.out_row] = o.out_mask;
                t->pruned[o.out_row] = o.out_pruned;
                t->out_rows++;
                if (t->out_rows == t->rows)
                    s->out_tile++;
            }
        }
        ops->tick(ops->u);
        cyc++;
    }
}

#endif
