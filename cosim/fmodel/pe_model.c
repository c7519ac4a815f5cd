/* C model of the acceltran PE: numerics and the exact cycle schedule of
 * rtl/acceltran_pe.sv (docs/rtl-pe.md derives the recurrences). */
#include "pe_model.h"

#include <stdlib.h>
#include <string.h>

#include "at_error.h"

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

int pe_model_lanes(int num_lanes)
{
    return num_lanes;
}

int pe_model_block_rows(int num_lanes)
{
    return num_lanes > PE_TILE ? num_lanes : PE_TILE;
}

int pe_model_wgt_rows_ok(int wgt_rows_per_beat)
{
    return wgt_rows_per_beat >= 1 && wgt_rows_per_beat <= PE_TILE &&
           PE_TILE % wgt_rows_per_beat == 0;
}

/* Schedule (times are cycles after the tile is accepted):
 *   weights: chunk c has Lc rows (16, or K mod 16 for a short tail) and
 *     loads in Bc = ceil(Lc / R) beats of R = wgt_rows_per_beat rows; the
 *     loader starts it when chunk c-1 is loaded and the bank of chunk c-2
 *     is free: S_w[c] = max(Wd[c-1] + 1, E[c-2] + 1), Wd[c] = S_w[c] + Bc - 1.
 *   lanes: D_c = max over lanes of sum over its beats of max(nnz, 1);
 *     chunk 0 is issued when its bank is seen full: I[0] = Wd[0] + 1;
 *     it runs in cycles I[c] + 1 .. E[c] = I[c] + D_c; chunk c+1 is issued
 *     in the last cycle of chunk c if loaded: I[c+1] = max(E[c], Wd[c+1] + 1).
 *   drain: post-processing must be empty (P: first cycle with no row of the
 *     previous tile inside, PE_PP_LATENCY - 1 back to back, else 0):
 *     W = max(E[last] + 1, P); rows drain in W + 1 .. W + rows.
 *   busy = W + rows + 1; stall_wgt = cycles with no chunk in the lanes
 *     = (I[0] + 1) + sum_{c >= 1} (I[c] - E[c-1]). */
uint64_t pe_model_cycles(int rows, int k, const uint8_t *nnz, int num_lanes,
                         int wgt_rows_per_beat, int after_tile, uint64_t *stall_wgt)
{
    int lanes = pe_model_lanes(num_lanes);
    int nch = (k + PE_TILE - 1) / PE_TILE;
    int tail = k % PE_TILE;
    int64_t wd_prev = -1, e_prev = -1, e_prev2 = -1; /* Wd[c-1], E[c-1], E[c-2] */
    int64_t stall = 0;
    for (int c = 0; c < nch; c++) {
        int lc = (c == nch - 1 && tail) ? tail : PE_TILE;
        int64_t sw = wd_prev + 1;
        if (c >= 2)
            sw = max64(sw, e_prev2 + 1);
        int64_t wd = sw + (lc + wgt_rows_per_beat - 1) / wgt_rows_per_beat - 1;
        int64_t d = 0;
        for (int l = 0; l < lanes; l++) {
            int64_t s = 0;
            for (int i = l; i < rows; i += lanes) {
                int n = nnz[i * nch + c];
                s += n ? n : 1;
            }
            d = max64(d, s);
        }
        int64_t issue = (c == 0) ? wd + 1 : max64(e_prev, wd + 1);
        stall += (c == 0) ? issue + 1 : issue - e_prev;
        int64_t e = issue + d;
        wd_prev = wd;
        e_prev2 = e_prev;
        e_prev = e;
    }
    int64_t p = after_tile ? PE_PP_LATENCY - 1 : 0;
    int64_t w = max64(e_prev + 1, p);
    if (stall_wgt)
        *stall_wgt = (uint64_t)stall;
    return (uint64_t)(w + rows + 1);
}

int pe_model_tile(const pe_tile *t, int num_lanes, int wgt_rows_per_beat, int after_tile,
                  pe_result *r)
{
    if (!t || !r || !t->a || !t->w || num_lanes < 1 || num_lanes > PE_MAX_ROWS ||
        !pe_model_wgt_rows_ok(wgt_rows_per_beat) || t->rows < 1 ||
        t->rows > pe_model_block_rows(num_lanes) || t->cols < 1 || t->cols > PE_TILE ||
        t->k < 1 || t->k > PE_MAX_K || t->lda < t->k || t->tau < 0)
        return AT_EINVAL;
    memset(r, 0, sizeof(*r));
    int nch = (t->k + PE_TILE - 1) / PE_TILE;
    uint8_t *nnz = calloc((size_t)t->rows * (size_t)nch, 1);
    if (!nnz)
        return AT_EINVAL;
    uint64_t nz_total = 0;
    for (int i = 0; i < t->rows; i++) {
        for (int kk = 0; kk < t->k; kk++) {
            int16_t a = t->a[(size_t)i * (size_t)t->lda + (size_t)kk];
            int marked = t->a_mask ? t->a_mask[(size_t)i * (size_t)t->lda + (size_t)kk] : 1;
            if (!marked || a == 0)
                continue; /* skipped: no MAC, no cycle */
            nnz[i * nch + kk / PE_TILE]++;
            nz_total++;
            for (int j = 0; j < PE_TILE; j++)
                r->acc[i][j] += (int64_t)a * t->w[(size_t)kk * PE_TILE + (size_t)j];
        }
    }
    at_rq rq[PE_TILE];
    for (int j = 0; j < PE_TILE; j++) {
        rq[j].m = t->rq_m[j];
        rq[j].s = t->rq_s[j];
    }
    at_postproc pp = {.rq = rq, .per_channel = 1, .gelu = t->gelu, .gelu_p = t->gelu_p,
                      .tau = t->tau};
    for (int i = 0; i < t->rows; i++) {
        uint8_t mb[2] = {0, 0};
        int pr = at_postproc_row(r->acc[i], t->bias, t->cols, &pp, r->y[i], mb);
        if (pr < 0) {
            free(nnz);
            return pr;
        }
        r->pruned[i] = pr;
        r->pruned_total += (uint64_t)pr;
        r->mask[i] = (uint16_t)(mb[0] | (mb[1] << 8));
    }
    r->mac_issued = nz_total * PE_MACS;
    r->mac_skipped = ((uint64_t)t->rows * (uint64_t)t->k - nz_total) * PE_MACS;
    r->cycles = pe_model_cycles(t->rows, t->k, nnz, num_lanes, wgt_rows_per_beat, after_tile,
                                &r->stall_wgt);
    r->stall_act = 0;
    free(nnz);
    return 0;
}
