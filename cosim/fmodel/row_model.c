/* The fmodel's cycle estimate of the row engines (SOFTMAX, LAYERNORM;
 * docs/cosim.md "fmodel timing model"): a cycle-by-cycle simulation of
 * the engines' lanes (acceltran_smx_lane, acceltran_ln_lane: lane k runs
 * the rows r = k mod K in order, on its own activation read and write
 * ports) with their port requests going through the activation banks'
 * per-bank round-robin (at_fm_bank_arb_cycle, the one acceltran_spad
 * applies; the GEMM's feeder simulation uses it too), and the units'
 * phases as recurrences (docs/rtl-softmax.md, docs/rtl-layernorm.md).
 * Why simulate: the lanes start together and collide in the banks, then
 * drift apart until their port phases interleave; a closed form either
 * charges every row the first rows' collisions or none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_hw.h"
#include "at_act_bank.h"
#include "device_exec.h"
#include "device_fmodel.h"

#define T_NONE UINT64_MAX
/* the lanes' activation read FIFOs (acceltran_smx_lane / acceltran_ln_lane
 * FifoDepth): a read is asked for while fewer beats are granted and not
 * yet taken by the units */
#define ROW_FIFO 3u
/* a bound on a command's cycles that no schedule reaches (a guard) */
#define ROW_CYCLES_MAX(rows, nb) ((uint64_t)(rows) * (8u * (uint64_t)(nb) + 512u) + 4096u)

static uint64_t max2(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Units of a row engine: 0 in an old device tree means one; at most
 * FM_ROW_UNITS_MAX. */
static uint32_t units_of(uint32_t n)
{
    return n == 0 ? 1u : n > FM_ROW_UNITS_MAX ? FM_ROW_UNITS_MAX : n;
}

void at_fm_bank_arb_cycle(uint32_t banks, uint32_t np, const uint8_t *req, const uint32_t *addr,
                          uint32_t *rr, uint8_t *gnt)
{
    uint32_t nb = banks ? banks : 1u;
    memset(gnt, 0, np);
    for (uint32_t b = 0; b < nb; b++)
        for (uint32_t j = 0; j < np; j++) {
            uint32_t p = (rr[b] + j) % np;
            if (req[p] && at_act_bank(addr[p], banks) == b) {
                gnt[p] = 1;
                rr[b] = (p + 1u) % np;
                break;
            }
        }
}

uint32_t at_fm_row_lanes(const at_hw_config *cfg, uint32_t units)
{
    uint32_t nr = at_fm_gemm_pe_rows(cfg), nw = cfg->out_lanes ? cfg->out_lanes : 1u;
    uint32_t np = nr < nw ? nr : nw, k = 1;
    units = units_of(units);
    while (k < 16u && 2u * k <= np && units % (2u * k) == 0)
        k *= 2u;
    return k;
}

/* ================================================================ LAYERNORM */

/* Ve = 0 for a row: eps_q = 0 and a constant row (x, or x + res). */
static int ln_row_ve0(const at_spad *sp, const uint32_t *d, uint32_t r)
{
    if (AT_DGET(d, LN_EPS_LO) || AT_DGET(d, LN_EPS_HI))
        return 0;
    uint32_t n = AT_DGET(d, LN_N);
    uint64_t src = AT_DGET(d, LN_SRC) + (uint64_t)r * AT_DGET(d, LN_LDS);
    uint64_t res = AT_DGET(d, LN_RES) + (uint64_t)r * AT_DGET(d, LN_LDR);
    int resid = (int)AT_DGET(d, LN_RESIDUAL);
    int32_t v0 = 0;
    for (uint32_t e = 0; e < n; e++) {
        int32_t x = sp->act[src + e / 16u][e % 16u];
        if (resid)
            x += sp->act[res + e / 16u][e % 16u];
        if (e == 0)
            v0 = x;
        else if (x != v0)
            return 0;
    }
    return 1;
}

/* The LAYERNORM unit (docs/rtl-layernorm.md): a row is configured when its
 * unit is idle (the cycle after its previous row's last output), takes its
 * pass-1 beats from the cycle after, one a cycle, each two cycles after
 * its line's grant at the earliest; its pass 2 starts ROW - PIPE cycles
 * after the last pass-1 beat (ROW: FM_LN_ROW, FM_LN_ROW_VE0 for a constant
 * row with eps 0) and takes a gamma/beta beat a cycle (two cycles after
 * its grant at the earliest) into a lockstep pipeline of PIPE registers,
 * the last the output register: a beat is written PIPE cycles after it
 * entered, and nothing moves in a cycle whose output is not taken. */
#define LN_PIPE FM_LN_PIPE

typedef struct ln_lane {
    uint32_t nj, nc;                /* rows of the lane, rows configured */
    uint64_t *cfgt, *p1, *endt;     /* per row of the lane (T_NONE: not yet) */
    uint64_t na, nbr, ta, tb;       /* port A / B lines granted, and of how many */
    uint64_t gx, grs;               /* beats whose x / res line is granted */
    uint64_t tgx[4], tgr[4];        /* their grant cycles (beat mod 4) */
    uint64_t cb, lc;                /* beats taken by the units, cycle of the last */
    uint64_t gp, pp;                /* gamma/beta beats granted, taken */
    uint64_t tgp[16];               /* their grant cycles (beat mod 16) */
    uint64_t wi;                    /* beats written */
    int64_t pipe[FM_ROW_UNITS_MAX][LN_PIPE]; /* per unit: the beats in pass 2's registers (-1: none) */
} ln_lane;

uint64_t at_fm_layernorm_cycles(const at_hw_config *cfg, const at_spad *sp, const uint32_t *d)
{
    uint32_t rows = AT_DGET(d, LN_ROWS), nb = (AT_DGET(d, LN_N) + 15u) / 16u;
    uint32_t units = units_of(cfg->ln_units), lanes = at_fm_row_lanes(cfg, units);
    uint32_t lu = units / lanes, banks = cfg->act_banks ? cfg->act_banks : 1u;
    int resid = (int)AT_DGET(d, LN_RESIDUAL);
    int dual = at_fm_gemm_pe_rows(cfg) >= 2u * lanes;
    int inter = resid && !dual; /* x and res alternate on one port */
    /* gamma/beta reads (acceltran_ln_engine ParDepth, MaxNq, MinNq) */
    uint32_t pdepth = lanes > 1 ? 6u : 3u, maxnq = lanes > 1 ? 4u : 1u, minnq = lanes > 1 ? 3u : 1u;
    uint64_t src = AT_DGET(d, LN_SRC), lds = AT_DGET(d, LN_LDS), res = AT_DGET(d, LN_RES);
    uint64_t ldr = AT_DGET(d, LN_LDR), dst = AT_DGET(d, LN_DST), ldd = AT_DGET(d, LN_LDD);
    if (rows == 0 || nb == 0)
        return FM_LN_START + FM_LN_DONE;
    ln_lane *ln = calloc(lanes, sizeof *ln);
    uint8_t *ve0 = malloc(rows);
    uint64_t *mem = malloc(sizeof(uint64_t) * 3u * ((size_t)rows + lanes));
    if (!ln || !ve0 || !mem) {
        free(ln);
        free(ve0);
        free(mem);
        return FM_LN_START + FM_LN_DONE;
    }
    for (uint32_t r = 0; r < rows; r++)
        ve0[r] = (uint8_t)ln_row_ve0(sp, d, r);
    size_t off = 0;
    for (uint32_t k = 0; k < lanes; k++) {
        ln_lane *l = &ln[k];
        l->nj = k < rows ? (rows - k + lanes - 1u) / lanes : 0;
        l->cfgt = mem + off;
        l->p1 = mem + off + l->nj;
        l->endt = mem + off + 2u * l->nj;
        off += 3u * l->nj;
        for (uint32_t j = 0; j < l->nj; j++)
            l->cfgt[j] = l->p1[j] = l->endt[j] = T_NONE;
        l->ta = (uint64_t)l->nj * nb * (inter ? 2u : 1u);
        l->tb = resid && dual ? (uint64_t)l->nj * nb : 0;
        for (uint32_t u = 0; u < lu; u++)
            for (uint32_t q = 0; q < LN_PIPE; q++)
                l->pipe[u][q] = -1;
    }
    uint32_t nrp = dual ? 2u * lanes : lanes; /* read ports: x (and res) */
    uint8_t rreq[32], rgnt[32], wreq[16], wgnt[16];
    uint32_t raddr[32], waddr[16], rrr[16] = {0}, wrr[16] = {0}, wp = 0;
    uint64_t rows_left = rows, end = 0;
    for (uint64_t c = 0; rows_left && c < ROW_CYCLES_MAX(rows, nb); c++) {
        /* requests, from the state at the start of the cycle */
        memset(rreq, 0, sizeof rreq);
        memset(wreq, 0, sizeof wreq);
        int wgt_k = -1;
        uint32_t wgt_nq = 0;
        for (uint32_t q = 0; q < lanes; q++) {
            uint32_t k = (wp + q) % lanes;
            ln_lane *l = &ln[k];
            /* port A: x, or x and res alternating */
            if (l->na < l->ta) {
                uint64_t beat = inter ? l->na / 2u : l->na;
                int isr = inter && (l->na % 2u);
                uint64_t out = isr ? l->grs - l->cb : l->gx - l->cb;
                if (out < ROW_FIFO) {
                    uint64_t r = k + (beat / nb) * lanes, b = beat % nb;
                    rreq[k] = 1;
                    raddr[k] = (uint32_t)((isr ? res + r * ldr : src + r * lds) + b);
                }
            }
            /* port B: res (dual) */
            if (l->nbr < l->tb && l->grs - l->cb < ROW_FIFO) {
                uint64_t r = k + (l->nbr / nb) * lanes, b = l->nbr % nb;
                rreq[lanes + k] = 1;
                raddr[lanes + k] = (uint32_t)(res + r * ldr + b);
            }
            /* the weight port: the first asking lane from the pointer */
            if (wgt_k < 0 && l->gp < (uint64_t)l->nj * nb) {
                uint64_t room = pdepth - (l->gp - l->pp), left = nb - l->gp % nb;
                uint64_t nq = room < left ? room : left;
                nq = nq < maxnq ? nq : maxnq;
                if (nq >= 1 && nq >= (left < minnq ? left : minnq)) {
                    wgt_k = (int)k;
                    wgt_nq = (uint32_t)nq;
                }
            }
            /* the write port: the next output beat, once in its unit's
             * output register */
            if (l->wi < (uint64_t)l->nj * nb && l->pipe[(l->wi / nb) % lu][LN_PIPE - 1u] == (int64_t)l->wi) {
                uint64_t r = k + (l->wi / nb) * lanes, b = l->wi % nb;
                wreq[k] = 1;
                waddr[k] = (uint32_t)(dst + r * ldd + b);
            }
        }
        at_fm_bank_arb_cycle(banks, nrp, rreq, raddr, rrr, rgnt);
        at_fm_bank_arb_cycle(banks, lanes, wreq, waddr, wrr, wgnt);
        if (wgt_k >= 0)
            wp = ((uint32_t)wgt_k + 1u) % lanes;
        /* the cycle's events */
        for (uint32_t k = 0; k < lanes; k++) {
            ln_lane *l = &ln[k];
            if (l->nj == 0)
                continue;
            if (rgnt[k]) {
                int isr = inter && (l->na % 2u);
                if (isr)
                    l->tgr[l->grs++ % 4u] = c;
                else
                    l->tgx[l->gx++ % 4u] = c;
                if (!resid)
                    l->tgr[l->grs++ % 4u] = c; /* no residual: x alone */
                l->na++;
            }
            if (dual && rgnt[lanes + k]) {
                l->tgr[l->grs++ % 4u] = c;
                l->nbr++;
            }
            if ((int)k == wgt_k)
                for (uint32_t q = 0; q < wgt_nq; q++)
                    l->tgp[l->gp++ % 16u] = c;
            /* configuration: row j once its unit is idle (its row j - U/K
             * written), at most one a cycle */
            while (l->nc < l->nj && (l->nc < lu || l->endt[l->nc - lu] != T_NONE)) {
                uint32_t j = l->nc++;
                uint64_t t = j ? l->cfgt[j - 1] + 1u : 0;
                if (j >= lu)
                    t = max2(t, l->endt[j - lu] + 1u);
                l->cfgt[j] = t;
            }
            /* pass 1: the next beat, x and res two cycles after their grants */
            if (l->cb < l->gx && l->cb < l->grs && (l->cb == 0 || l->lc < c)) {
                uint32_t j = (uint32_t)(l->cb / nb);
                if (l->tgx[l->cb % 4u] + 2u <= c && l->tgr[l->cb % 4u] + 2u <= c && l->cfgt[j] != T_NONE &&
                    l->cfgt[j] + 1u <= c) {
                    l->lc = c;
                    if (++l->cb % nb == 0)
                        l->p1[j] = c;
                }
            }
            /* pass 2: each unit's pipeline moves unless its output register
             * holds a beat not written this cycle; the next gamma/beta beat
             * enters its row's unit */
            int moved[FM_ROW_UNITS_MAX];
            for (uint32_t u = 0; u < lu; u++) {
                int64_t *pq = l->pipe[u];
                int gnt = wgnt[k] && pq[LN_PIPE - 1u] == (int64_t)l->wi;
                moved[u] = pq[LN_PIPE - 1u] < 0 || gnt;
                if (gnt) {
                    if (++l->wi % nb == 0) {
                        l->endt[l->wi / nb - 1u] = c;
                        end = max2(end, c);
                        rows_left--;
                    }
                }
                if (moved[u]) {
                    for (uint32_t q = LN_PIPE - 1u; q > 0; q--)
                        pq[q] = pq[q - 1u];
                    pq[0] = -1;
                }
            }
            if (l->pp < l->gp) {
                uint32_t j = (uint32_t)(l->pp / nb), u = j % lu;
                uint64_t row = ve0[k + j * lanes] ? FM_LN_ROW_VE0 : FM_LN_ROW;
                if (moved[u] && l->p1[j] != T_NONE && l->p1[j] + row - LN_PIPE <= c &&
                    l->tgp[l->pp % 16u] + 2u <= c) {
                    l->pipe[u][0] = (int64_t)l->pp;
                    l->pp++;
                }
            }
        }
    }
    free(ln);
    free(ve0);
    free(mem);
    return FM_LN_START + end + FM_LN_DONE;
}

/* ================================================================ SOFTMAX */

/* The SOFTMAX lane and unit (docs/rtl-softmax.md): the lane's read state
 * machine spends a cycle between rows (StRowGo) and, with LEN_VEC, reads
 * a lengths line when its row leaves the line it holds (after the rows
 * before it are known good: go); its FIFO of 3 beats feeds the unit of the
 * head's row, a beat two cycles after its grant at the earliest, into a
 * FREE row slot (2 per unit, rows of a unit in turn). A row's EXP pass
 * starts the cycle after its last beat (or when the unit's previous one
 * ends) and takes L + 4 cycles, its division DIV_CYCLES after that (or
 * after the unit's previous division); the OUT stage then issues a beat a
 * cycle into two output registers (beat b no earlier than the write of
 * beat b - 2), each written two cycles after its issue at the earliest,
 * and the slot is FREE the cycle after the last issue. */

enum { SS_ROWGO, SS_LENS, SS_LENSW, SS_READ, SS_INDONE, SS_ERR };

typedef struct smx_lane {
    uint32_t nj, nbad;               /* rows of the lane; those before a bad length */
    int st;
    uint32_t ri, rb;                 /* read pointer: lane row, beat */
    uint32_t lidx;                   /* lengths line held (r / 16) */
    int lv;
    uint64_t g, tg[4];               /* data lines granted, their grant cycles (mod 4) */
    uint64_t cb, lc;                 /* beats taken by the units, cycle of the last */
    uint32_t jh, bh;                 /* FIFO head: lane row, beat */
    uint32_t jw, bw;                 /* output: lane row, beat */
    int iss_ok;                      /* iss[] set for row jw */
    uint64_t iss[32], wlast;
    uint64_t expend[FM_ROW_UNITS_MAX], dnext[FM_ROW_UNITS_MAX], outfree[FM_ROW_UNITS_MAX];
    uint32_t *len;                   /* per lane row: beats (0: bad length) */
    uint64_t *ready, *freet;         /* per lane row: first beat issuable, slot free */
} smx_lane;

uint64_t at_fm_softmax_cycles(const at_hw_config *cfg, const at_spad *sp, const uint32_t *d)
{
    uint32_t rows = AT_DGET(d, SMX_ROWS), n = AT_DGET(d, SMX_N), nb = (n + 15u) / 16u;
    uint32_t units = units_of(cfg->softmax_units), lanes = at_fm_row_lanes(cfg, units);
    uint32_t lu = units / lanes, banks = cfg->act_banks ? cfg->act_banks : 1u;
    int lenvec = (int)AT_DGET(d, SMX_LEN_VEC);
    uint64_t src = AT_DGET(d, SMX_SRC), lds = AT_DGET(d, SMX_LDS), dst = AT_DGET(d, SMX_DST);
    uint64_t ldd = AT_DGET(d, SMX_LDD), lens = AT_DGET(d, SMX_LENS);
    if (rows == 0 || nb == 0 || nb > 32u)
        return FM_SMX_START + FM_SMX_DONE;
    /* the first bad length: rows from it on never run */
    uint32_t bad = rows;
    for (uint32_t r = 0; r < rows && bad == rows; r++) {
        uint32_t len = lenvec ? (uint16_t)sp->act[lens + r / 16u][r % 16u] : AT_DGET(d, SMX_LEN);
        if (len == 0 || len > n)
            bad = r;
    }
    smx_lane *sl = calloc(lanes, sizeof *sl);
    uint32_t *lmem = malloc(sizeof(uint32_t) * ((size_t)rows + lanes));
    uint64_t *tmem = malloc(sizeof(uint64_t) * 2u * ((size_t)rows + lanes));
    if (!sl || !lmem || !tmem) {
        free(sl);
        free(lmem);
        free(tmem);
        return FM_SMX_START + FM_SMX_DONE;
    }
    size_t off = 0;
    uint64_t rows_left = 0;
    for (uint32_t k = 0; k < lanes; k++) {
        smx_lane *l = &sl[k];
        l->nj = k < rows ? (rows - k + lanes - 1u) / lanes : 0;
        l->nbad = k < bad ? (bad - k + lanes - 1u) / lanes : 0;
        l->len = lmem + off;
        l->ready = tmem + 2u * off;
        l->freet = tmem + 2u * off + l->nj;
        off += l->nj;
        for (uint32_t j = 0; j < l->nj; j++) {
            uint32_t r = k + j * lanes;
            uint32_t len = lenvec ? (uint16_t)sp->act[lens + r / 16u][r % 16u] : AT_DGET(d, SMX_LEN);
            l->len[j] = len == 0 || len > n ? 0 : (len + 15u) / 16u;
            l->ready[j] = l->freet[j] = T_NONE;
        }
        l->st = l->nj ? SS_ROWGO : SS_INDONE;
        rows_left += l->nbad;
    }
    uint8_t rreq[16], rgnt[16], wreq[16], wgnt[16];
    uint32_t raddr[16], waddr[16], rrr[16] = {0}, wrr[16] = {0};
    uint64_t nv[16], end = 0, t_err = T_NONE;
    for (uint64_t c = 0; (rows_left || (bad < rows && t_err == T_NONE)) && c < ROW_CYCLES_MAX(rows, nb); c++) {
        memset(rreq, 0, sizeof rreq);
        memset(wreq, 0, sizeof wreq);
        for (uint32_t k = 0; k < lanes; k++) {
            smx_lane *l = &sl[k];
            uint64_t rg = k + (uint64_t)l->ri * lanes;
            nv[k] = l->st == SS_READ ? rg + lanes : rg;
            if (l->st == SS_LENS) {
                rreq[k] = 1;
                raddr[k] = (uint32_t)(lens + l->lidx);
            } else if (l->st == SS_READ && l->g - l->cb < ROW_FIFO) {
                rreq[k] = 1;
                raddr[k] = (uint32_t)(src + rg * lds + l->rb);
            }
            /* the output row's issue times, once its unit has it ready */
            if (l->jw < l->nbad && !l->iss_ok && l->ready[l->jw] != T_NONE) {
                uint32_t u = l->jw % lu;
                l->iss[0] = max2(l->ready[l->jw], l->outfree[u]);
                if (nb > 1)
                    l->iss[1] = l->iss[0] + 1u;
                if (nb <= 2)
                    l->freet[l->jw] = l->outfree[u] = l->iss[nb - 1u] + 1u;
                l->iss_ok = 1;
            }
            if (l->jw < l->nbad && l->iss_ok && l->iss[l->bw] + 2u <= c && (l->wlast < c || c == 0)) {
                wreq[k] = 1;
                waddr[k] = (uint32_t)(dst + (k + (uint64_t)l->jw * lanes) * ldd + l->bw);
            }
        }
        at_fm_bank_arb_cycle(banks, lanes, rreq, raddr, rrr, rgnt);
        at_fm_bank_arb_cycle(banks, lanes, wreq, waddr, wrr, wgnt);
        for (uint32_t k = 0; k < lanes; k++) {
            smx_lane *l = &sl[k];
            uint64_t rg = k + (uint64_t)l->ri * lanes;
            int go = 1;
            if (lenvec)
                for (uint32_t q = 0; q < lanes; q++)
                    if (q != k && nv[q] < rg)
                        go = 0;
            switch (l->st) {
            case SS_ROWGO:
                if (lenvec && (!l->lv || l->lidx != (uint32_t)(rg / 16u))) {
                    if (go) {
                        l->st = SS_LENS;
                        l->lidx = (uint32_t)(rg / 16u);
                    }
                } else if (lenvec && !go) {
                } else if (l->len[l->ri] == 0) {
                    l->st = SS_ERR;
                    t_err = c;
                } else {
                    l->st = SS_READ;
                    l->rb = 0;
                }
                break;
            case SS_LENS:
                if (rgnt[k])
                    l->st = SS_LENSW;
                break;
            case SS_LENSW:
                l->lv = 1;
                if (l->len[l->ri] == 0) {
                    l->st = SS_ERR;
                    t_err = c;
                } else {
                    l->st = SS_READ;
                    l->rb = 0;
                }
                break;
            case SS_READ:
                if (rgnt[k]) {
                    l->tg[l->g++ % 4u] = c;
                    if (++l->rb == l->len[l->ri]) {
                        l->ri++;
                        l->rb = 0;
                        l->st = l->ri == l->nj ? SS_INDONE : SS_ROWGO;
                    }
                }
                break;
            default:
                break;
            }
            /* the FIFO head into its unit's free slot */
            if (l->cb < l->g && (l->cb == 0 || l->lc < c) && l->tg[l->cb % 4u] + 2u <= c) {
                uint32_t j = l->jh;
                uint64_t ok = j < 2u * lu ? 0 : l->freet[j - 2u * lu];
                if (ok != T_NONE && ok <= c) {
                    l->lc = c;
                    l->cb++;
                    if (++l->bh == l->len[j]) {
                        uint32_t u = j % lu;
                        uint64_t e = max2(c + 1u, l->expend[u]);
                        l->expend[u] = e + l->len[j] + FM_SMX_EXP_ADD;
                        uint64_t dv = max2(l->expend[u], l->dnext[u]);
                        l->dnext[u] = dv + FM_SMX_DIV_CYCLES;
                        l->ready[j] = dv + FM_SMX_DIV_CYCLES;
                        l->jh++;
                        l->bh = 0;
                    }
                }
            }
            if (wgnt[k]) {
                uint32_t b = l->bw, u = l->jw % lu;
                l->wlast = c;
                end = max2(end, c);
                if (b + 2u < nb) {
                    l->iss[b + 2u] = max2(l->iss[b + 1u] + 1u, c);
                    if (b + 2u == nb - 1u)
                        l->freet[l->jw] = l->outfree[u] = l->iss[nb - 1u] + 1u;
                }
                if (++l->bw == nb) {
                    l->bw = 0;
                    l->jw++;
                    l->iss_ok = 0;
                    rows_left--;
                }
            }
        }
    }
    free(sl);
    free(lmem);
    free(tmem);
    if (t_err != T_NONE)
        end = max2(end, t_err);
    return FM_SMX_START + end + FM_SMX_DONE;
}
