/* The Verilated acceltran_spad against a C model: random requests on all
 * five ports every cycle (compute act read / act write / weight quad read,
 * DMA write and read of the activation, weight and mask buffers), checking
 * the round-robin grants, the read data one cycle after each grant
 * (read-before-write within a cycle), the mask sidecar (an activation
 * line's mask word = word L mod 16 of mask line L / 16), the DMA-side
 * counters and the per-buffer counters (docs/isa.md: activation and weight
 * lines, a quad read 4; mask words, 16 per mask-buffer line, one with each
 * compute activation access and each DMA activation write with its mask),
 * and the activation banks: line L in bank h(L) mod banks (h the XOR of
 * L's 4-bit chunks), per bank one compute read port per cycle,
 * round-robin, the DMA read against the ports of its bank (a mask-buffer
 * line: all); the weight buffer's 16 line banks (line L in line bank L
 * mod 16): per line bank one compute weight write per cycle, round-robin
 * among the write ports, the DMA's weight write against the ports of its
 * line bank (a toggle). The second tiny build (rtl/rtl.mk, three read
 * ports, two activation and three weight write ports) checks the per-bank
 * round-robins. Only lines written earlier are compared (contents are undefined
 * after reset). Seeded; seed and both sides on mismatch. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_hw.h"
#include "at_act_bank.h"
#include "acceltran_spad_unit.h"
#include "check.h"
#include "rng.h"

static uint32_t g_al, g_wl, g_banks;
static int16_t (*g_act)[16], (*g_wgt)[16];
static uint16_t *g_mask;
static uint8_t *g_act_ok, *g_mask_ok, *g_wgt_ok;

static uint32_t rnd(uint32_t n) { return (uint32_t)(rng_next() % n); }

static void rand_line(int16_t *l)
{
    for (int j = 0; j < 16; j++)
        l[j] = (int16_t)rng_next();
}

/* A DMA access of line bank d_bank (every bank for a mask-buffer line)
 * conflicts with the compute ports asking for that bank. */
static int bank_conflict(unsigned np, const int *req, const uint32_t *addr, int d_mask, unsigned d_bank)
{
    for (unsigned p = 0; p < np; p++)
        if (req[p] && (d_mask || at_act_bank(addr[p], g_banks) == d_bank))
            return 1;
    return 0;
}

/* acceltran_bank_arb: per bank the first asking port at or after rr[bank],
 * unless the DMA holds the bank (dma: it won; d_mask: every bank); the
 * pointer moves past the winner. Returns the grants' count. */
static unsigned bank_grant(unsigned np, const int *req, const uint32_t *addr, int dma, int d_mask,
                           unsigned d_bank, unsigned *rr, int *gnt)
{
    unsigned n = 0;
    for (unsigned b = 0; b < g_banks; b++)
        for (unsigned j = 0; j < np; j++) {
            unsigned p = (rr[b] + j) % np;
            if (req[p] && at_act_bank(addr[p], g_banks) == b) {
                if (!(dma && (d_mask || d_bank == b))) {
                    gnt[p] = 1;
                    n++;
                    rr[b] = (p + 1) % np;
                }
                break;
            }
        }
    return n;
}

/* The weight line banks: per line bank (L mod 16) the first asking port at
 * or after rr[bank], unless the DMA's weight write holds it; the pointer
 * moves past the winner. Returns the grants' count. */
static unsigned wline_grant(unsigned np, const int *req, const uint32_t *addr, int dma, unsigned d_bank, unsigned *rr,
                            int *gnt)
{
    unsigned n = 0;
    for (unsigned b = 0; b < 16; b++)
        for (unsigned j = 0; j < np; j++) {
            unsigned p = (rr[b] + j) % np;
            if (req[p] && addr[p] % 16u == b) {
                if (!(dma && d_bank == b)) {
                    gnt[p] = 1;
                    n++;
                    rr[b] = (p + 1) % np;
                }
                break;
            }
        }
    return n;
}

static void case_random(void)
{
    spad_unit *u = spad_unit_new();
    unsigned np = spad_unit_act_ports(u), nw = spad_unit_wr_ports(u), nww = spad_unit_wgt_wr_ports(u);
    unsigned wwrr[16] = {0}; /* per weight line bank: the weight write port served first */
    int ww_pri = 0;
    unsigned rr[16] = {0};  /* per activation bank: the read port served first */
    unsigned wrr[16] = {0}; /* per activation bank: the write port served first */
    int ar_pri = 0, aw_pri = 0, wr_pri = 0; /* 1: the DMA wins the next conflict */
    uint64_t n_rd = 0, n_wr = 0;
    uint64_t n_ar = 0, n_aw = 0, n_wgr = 0, n_wgw = 0, n_mr = 0, n_mw = 0;
    /* expected read data for the next cycle */
    int e_act[SU_ACT_PORTS_MAX] = {0}, e_act_ok[SU_ACT_PORTS_MAX] = {0};
    int e_wgt = 0, e_dma = 0, e_wgt_ok = 0, e_dma_ok = 0;
    int16_t x_act[SU_ACT_PORTS_MAX][16], x_wgt[256], x_dma[16];
    uint16_t x_amask[SU_ACT_PORTS_MAX] = {0};
    printf("  %u activation read port(s), %u write port(s), %u bank(s), %u weight write port(s)\n", np, nw,
           g_banks, nww);
    int mism = 0;
    /* hot spot: a small address window so reads hit written lines */
    for (int cyc = 0; cyc < 200000 && mism < 5; cyc++) {
        uint32_t win = cyc < 100000 ? 64 : g_al;
        spad_unit_in in;
        memset(&in, 0, sizeof in);
        for (unsigned p = 0; p < np; p++) {
            in.act_rd_req[p] = (int)rnd(2);
            in.act_rd_addr[p] = rnd(win);
        }
        for (unsigned p = 0; p < nw; p++) {
            in.act_wr_req[p] = (int)rnd(2);
            in.act_wr_addr[p] = rnd(win);
            rand_line(in.act_wr_data[p]);
            in.act_wr_mask[p] = (uint16_t)rng_next();
        }
        in.wgt_rd_req = rnd(2);
        in.wgt_rd_nq = 1 + rnd(4);
        in.wgt_rd_quad = rnd(win / 4 - in.wgt_rd_nq + 1);
        /* compute weight writes: a third of the cycles, never to a line of
         * this cycle's compute read (the port contract: C_WGT's C is apart
         * from B) */
        int ww_on = rnd(3) == 0;
        for (unsigned p = 0; p < nww; p++) {
            in.wgt_wr_req[p] = ww_on && (int)rnd(2);
            in.wgt_wr_addr[p] = rnd(win);
            if (in.wgt_rd_req && in.wgt_wr_addr[p] >= 4 * in.wgt_rd_quad &&
                in.wgt_wr_addr[p] < 4 * (in.wgt_rd_quad + in.wgt_rd_nq))
                in.wgt_wr_req[p] = 0;
            rand_line(in.wgt_wr_data[p]);
        }
        in.dma_wr_req = rnd(2);
        in.dma_wr_buf = (int)rnd(3);
        in.dma_wr_addr = in.dma_wr_buf == 2 ? rnd(win / 16) : rnd(win);
        rand_line(in.dma_wr_data);
        in.dma_wr_mask_en = (int)rnd(2);
        in.dma_wr_mask = (uint16_t)rng_next();
        in.dma_rd_req = rnd(2);
        in.dma_rd_buf = (int)rnd(3);
        in.dma_rd_addr = in.dma_rd_buf == 2 ? rnd(win / 16) : rnd(win);
        spad_unit_set(u, &in);
        spad_unit_eval(u);
        spad_unit_out o;
        spad_unit_get(u, &o);
        /* read data of last cycle's grants */
        CHECK(o.wgt_rvalid == e_wgt && o.dma_rvalid == e_dma, "cycle %d: rvalid wgt %d/%d dma %d/%d",
              cyc, o.wgt_rvalid, e_wgt, o.dma_rvalid, e_dma);
        for (unsigned p = 0; p < np; p++) {
            CHECK(o.act_rvalid[p] == e_act[p], "cycle %d: act port %u rvalid %d/%d", cyc, p,
                  o.act_rvalid[p], e_act[p]);
            if (e_act[p] && e_act_ok[p] &&
                (memcmp(o.act_rdata[p], x_act[p], 32) || o.act_rmask[p] != x_amask[p])) {
                CHECK(0, "cycle %d: act port %u read data/mask (mask rtl %04x ref %04x)", cyc, p,
                      o.act_rmask[p], x_amask[p]);
                mism++;
            }
        }
        if (e_wgt && e_wgt_ok && memcmp(o.wgt_rdata, x_wgt, sizeof x_wgt)) {
            CHECK(0, "cycle %d: weight chunk read data", cyc);
            mism++;
        }
        if (e_dma && e_dma_ok && memcmp(o.dma_rdata, x_dma, 32)) {
            CHECK(0, "cycle %d: DMA read data (rtl[0] %d ref[0] %d)", cyc, o.dma_rdata[0], x_dma[0]);
            mism++;
        }
        /* model grants */
        int d_ra = in.dma_rd_req && in.dma_rd_buf != 1, d_rw = in.dma_rd_req && in.dma_rd_buf == 1;
        int d_wa = in.dma_wr_req && in.dma_wr_buf != 1, d_ww = in.dma_wr_req && in.dma_wr_buf == 1;
        /* the DMA read conflicts with the compute reads of its bank (a
         * mask-buffer line: of any bank); per bank round-robin among the
         * compute ports */
        int d_rmask = in.dma_rd_buf == 2;
        unsigned d_bank = at_act_bank(in.dma_rd_addr, g_banks);
        int conf = bank_conflict(np, in.act_rd_req, in.act_rd_addr, d_rmask, d_bank);
        int ar_dma = d_ra && (!conf || ar_pri);
        int g_ar[SU_ACT_PORTS_MAX] = {0};
        unsigned n_gar = bank_grant(np, in.act_rd_req, in.act_rd_addr, ar_dma, d_rmask, d_bank, rr, g_ar);
        /* the DMA write likewise against the compute writes of its bank (a
         * mask-buffer line: of any bank); per bank round-robin among the
         * compute write ports */
        int d_wmask = in.dma_wr_buf == 2;
        unsigned d_wbank = at_act_bank(in.dma_wr_addr, g_banks);
        int wconf = bank_conflict(nw, in.act_wr_req, in.act_wr_addr, d_wmask, d_wbank);
        int aw_dma = d_wa && (!wconf || aw_pri);
        int g_aw[SU_WR_PORTS_MAX] = {0};
        unsigned n_gaw = bank_grant(nw, in.act_wr_req, in.act_wr_addr, aw_dma, d_wmask, d_wbank, wrr, g_aw);
        int wr_dma = d_rw && (!in.wgt_rd_req || wr_pri);
        int g_wr = in.wgt_rd_req && !wr_dma;
        /* the DMA's weight write against the compute weight writes of its line bank */
        unsigned d_wl = in.dma_wr_addr % 16u;
        int wwconf = 0;
        for (unsigned p = 0; p < nww; p++)
            wwconf |= in.wgt_wr_req[p] && in.wgt_wr_addr[p] % 16u == d_wl;
        int ww_dma = d_ww && (!wwconf || ww_pri);
        int g_ww[SU_WR_PORTS_MAX] = {0};
        unsigned n_gww = wline_grant(nww, in.wgt_wr_req, in.wgt_wr_addr, ww_dma, d_wl, wwrr, g_ww);
        if (d_ww && wwconf)
            ww_pri = !ww_dma;
        for (unsigned p = 0; p < nww; p++)
            CHECK(o.wgt_wr_gnt[p] == g_ww[p], "cycle %d: weight write port %u (line %u) grant rtl %d ref %d", cyc, p,
                  in.wgt_wr_addr[p], o.wgt_wr_gnt[p], g_ww[p]);
        int g_dr = ar_dma || wr_dma, g_dw = aw_dma || ww_dma;
        CHECK(o.wgt_rd_gnt == g_wr && o.dma_rd_gnt == g_dr && o.dma_wr_gnt == g_dw,
              "cycle %d: grants (wgt rd, dma rd, dma wr) rtl %d%d%d ref %d%d%d", cyc, o.wgt_rd_gnt, o.dma_rd_gnt,
              o.dma_wr_gnt, g_wr, g_dr, g_dw);
        for (unsigned p = 0; p < nw; p++)
            CHECK(o.act_wr_gnt[p] == g_aw[p], "cycle %d: act write port %u (line %u, bank %u) grant rtl %d ref %d",
                  cyc, p, in.act_wr_addr[p], at_act_bank(in.act_wr_addr[p], g_banks), o.act_wr_gnt[p], g_aw[p]);
        for (unsigned p = 0; p < np; p++)
            CHECK(o.act_rd_gnt[p] == g_ar[p], "cycle %d: act read port %u (line %u, bank %u) grant rtl %d ref %d",
                  cyc, p, in.act_rd_addr[p], at_act_bank(in.act_rd_addr[p], g_banks), o.act_rd_gnt[p], g_ar[p]);
        if (d_ra && conf)
            ar_pri = !ar_dma;
        if (d_wa && wconf)
            aw_pri = !aw_dma;
        if (in.wgt_rd_req && d_rw)
            wr_pri = !wr_dma;
        CHECK(o.cnt_rd == n_rd && o.cnt_wr == n_wr, "cycle %d: counters rd %" PRIu64 "/%" PRIu64
              " wr %" PRIu64 "/%" PRIu64, cyc, o.cnt_rd, n_rd, o.cnt_wr, n_wr);
        n_rd += (uint64_t)g_dr;
        n_wr += (uint64_t)g_dw;
        CHECK(o.cnt_act_rd == n_ar && o.cnt_act_wr == n_aw && o.cnt_wgt_rd == n_wgr && o.cnt_wgt_wr == n_wgw &&
                  o.cnt_mask_rd == n_mr && o.cnt_mask_wr == n_mw,
              "cycle %d: per-buffer counters act rd %" PRIu64 "/%" PRIu64 " wr %" PRIu64 "/%" PRIu64
              " wgt rd %" PRIu64 "/%" PRIu64 " wr %" PRIu64 "/%" PRIu64 " mask rd %" PRIu64 "/%" PRIu64
              " wr %" PRIu64 "/%" PRIu64 " (rtl/ref)",
              cyc, o.cnt_act_rd, n_ar, o.cnt_act_wr, n_aw, o.cnt_wgt_rd, n_wgr, o.cnt_wgt_wr, n_wgw, o.cnt_mask_rd,
              n_mr, o.cnt_mask_wr, n_mw);
        if (o.cnt_act_rd != n_ar || o.cnt_mask_wr != n_mw || o.cnt_wgt_rd != n_wgr)
            mism++;
        int dma_mask_rd = ar_dma && in.dma_rd_buf == 2, dma_mask_wr = aw_dma && in.dma_wr_buf == 2;
        n_ar += (uint64_t)n_gar + (uint64_t)(ar_dma && !dma_mask_rd);
        n_aw += (uint64_t)n_gaw + (uint64_t)(aw_dma && !dma_mask_wr);
        n_wgr += 4u * in.wgt_rd_nq * (uint64_t)g_wr + (uint64_t)wr_dma;
        n_wgw += (uint64_t)ww_dma + n_gww;
        n_mr += (uint64_t)n_gar + 16u * (uint64_t)dma_mask_rd;
        n_mw += (uint64_t)n_gaw + (uint64_t)(aw_dma && !dma_mask_wr && in.dma_wr_mask_en) + 16u * (uint64_t)dma_mask_wr;
        /* reads (old contents) */
        e_wgt = g_wr;
        e_dma = g_dr;
        for (unsigned p = 0; p < np; p++) {
            e_act[p] = g_ar[p];
            if (g_ar[p]) {
                uint32_t a = in.act_rd_addr[p];
                memcpy(x_act[p], g_act[a], 32);
                x_amask[p] = g_mask[a];
                e_act_ok[p] = g_act_ok[a] && g_mask_ok[a];
            }
        }
        if (g_wr) {
            /* quads q .. q + nq - 1 (in the 4 quad banks), zeros after */
            uint32_t q = in.wgt_rd_quad;
            memset(x_wgt, 0, sizeof x_wgt);
            memcpy(x_wgt, g_wgt[4 * q], 128u * in.wgt_rd_nq);
            e_wgt_ok = 1;
            for (uint32_t l = 4 * q; l < 4 * (q + in.wgt_rd_nq); l++)
                e_wgt_ok &= g_wgt_ok[l];
        }
        if (g_dr) {
            uint32_t a = in.dma_rd_addr;
            if (in.dma_rd_buf == 0) {
                memcpy(x_dma, g_act[a], 32);
                e_dma_ok = g_act_ok[a];
            } else if (in.dma_rd_buf == 1) {
                memcpy(x_dma, g_wgt[a], 32);
                e_dma_ok = g_wgt_ok[a];
            } else {
                e_dma_ok = 1;
                for (int j = 0; j < 16; j++) {
                    x_dma[j] = (int16_t)g_mask[16 * a + (uint32_t)j];
                    e_dma_ok &= g_mask_ok[16 * a + (uint32_t)j];
                }
            }
        }
        /* writes */
        /* granted writes are in distinct banks: distinct lines */
        for (unsigned p = 0; p < nw; p++)
            if (g_aw[p]) {
                uint32_t a = in.act_wr_addr[p];
                memcpy(g_act[a], in.act_wr_data[p], 32);
                g_mask[a] = in.act_wr_mask[p];
                g_act_ok[a] = g_mask_ok[a] = 1;
            }
        if (aw_dma) {
            uint32_t a = in.dma_wr_addr;
            if (in.dma_wr_buf == 2) {
                for (int j = 0; j < 16; j++) {
                    g_mask[16 * a + (uint32_t)j] = (uint16_t)in.dma_wr_data[j];
                    g_mask_ok[16 * a + (uint32_t)j] = 1;
                }
            } else {
                memcpy(g_act[a], in.dma_wr_data, 32);
                g_act_ok[a] = 1;
                if (in.dma_wr_mask_en) {
                    g_mask[a] = in.dma_wr_mask;
                    g_mask_ok[a] = 1;
                }
            }
        }
        if (ww_dma) {
            memcpy(g_wgt[in.dma_wr_addr], in.dma_wr_data, 32);
            g_wgt_ok[in.dma_wr_addr] = 1;
        }
        /* granted compute weight writes: distinct line banks, distinct lines,
         * none the DMA's */
        for (unsigned p = 0; p < nww; p++)
            if (g_ww[p]) {
                memcpy(g_wgt[in.wgt_wr_addr[p]], in.wgt_wr_data[p], 32);
                g_wgt_ok[in.wgt_wr_addr[p]] = 1;
            }
        spad_unit_tick(u);
    }
    spad_unit_free(u);
}

int main(int argc, char **argv)
{
    uint64_t seed = check_seed("test_acceltran_spad", 0x59AD0001u);
    if (argc > 1)
        seed = strtoull(argv[1], NULL, 0);
    rng_state = seed;
    const at_hw_config *cfg = at_hw_config_find(TEST_CONFIG);
    if (!cfg)
        return 1;
    g_al = cfg->act_buf_kib * 32u;
    g_wl = cfg->wgt_buf_kib * 32u;
    g_banks = cfg->act_banks ? cfg->act_banks : 1u;
    g_act = calloc(g_al, sizeof *g_act);
    g_wgt = calloc(g_wl, sizeof *g_wgt);
    g_mask = calloc(g_al, sizeof *g_mask);
    g_act_ok = calloc(g_al, 1);
    g_mask_ok = calloc(g_al, 1);
    g_wgt_ok = calloc(g_wl, 1);
    if (!g_act || !g_wgt || !g_mask || !g_act_ok || !g_mask_ok || !g_wgt_ok)
        return 1;
    RUN_CASE(case_random);
    free(g_act);
    free(g_wgt);
    free(g_mask);
    free(g_act_ok);
    free(g_mask_ok);
    free(g_wgt_ok);
    return check_finish("test_acceltran_spad");
}
