/* C API over the Verilated acceltran_spad (docs/rtl-compute.md
 * "Scratchpads"): the compute-side and DMA-side request ports. */
#ifndef ACCELTRAN_SPAD_UNIT_H
#define ACCELTRAN_SPAD_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* compute activation read ports (spad_unit_act_ports()): at most this many */
#define SU_ACT_PORTS_MAX 16
/* compute activation write ports (spad_unit_wr_ports()): at most this many */
#define SU_WR_PORTS_MAX 16

typedef struct spad_unit_in {
    int act_rd_req[SU_ACT_PORTS_MAX]; uint32_t act_rd_addr[SU_ACT_PORTS_MAX];
    int act_wr_req[SU_WR_PORTS_MAX]; uint32_t act_wr_addr[SU_WR_PORTS_MAX];
    int16_t act_wr_data[SU_WR_PORTS_MAX][16]; uint16_t act_wr_mask[SU_WR_PORTS_MAX];
    int wgt_rd_req; uint32_t wgt_rd_quad, wgt_rd_nq; /* quads quad .. quad + nq - 1, nq 1..4 */
    /* compute weight line writes (spad_unit_wgt_wr_ports()) */
    int wgt_wr_req[SU_WR_PORTS_MAX]; uint32_t wgt_wr_addr[SU_WR_PORTS_MAX];
    int16_t wgt_wr_data[SU_WR_PORTS_MAX][16];
    int dma_wr_req, dma_wr_buf; uint32_t dma_wr_addr; int16_t dma_wr_data[16];
    int dma_wr_mask_en; uint16_t dma_wr_mask;
    int dma_rd_req, dma_rd_buf; uint32_t dma_rd_addr;
} spad_unit_in;

typedef struct spad_unit_out {
    int act_rd_gnt[SU_ACT_PORTS_MAX], act_wr_gnt[SU_WR_PORTS_MAX], wgt_rd_gnt, dma_wr_gnt, dma_rd_gnt;
    int wgt_wr_gnt[SU_WR_PORTS_MAX];
    int act_rvalid[SU_ACT_PORTS_MAX], wgt_rvalid, dma_rvalid;
    int16_t act_rdata[SU_ACT_PORTS_MAX][16]; uint16_t act_rmask[SU_ACT_PORTS_MAX];
    int16_t wgt_rdata[256]; /* quad q line r at [64 q + 16 r ..]; 0 past nq */
    int16_t dma_rdata[16];
    uint64_t cnt_rd, cnt_wr; /* DMA side, lines */
    /* per buffer: activation / weight lines, mask words (docs/isa.md) */
    uint64_t cnt_act_rd, cnt_act_wr, cnt_wgt_rd, cnt_wgt_wr, cnt_mask_rd, cnt_mask_wr;
} spad_unit_out;

typedef struct spad_unit spad_unit;

spad_unit *spad_unit_new(void);
void spad_unit_free(spad_unit *u);
unsigned spad_unit_act_ports(const spad_unit *u);
unsigned spad_unit_wr_ports(const spad_unit *u);
unsigned spad_unit_wgt_wr_ports(const spad_unit *u);
void spad_unit_set(spad_unit *u, const spad_unit_in *in);
void spad_unit_eval(spad_unit *u);
void spad_unit_get(spad_unit *u, spad_unit_out *o);
void spad_unit_tick(spad_unit *u);

#ifdef __cplusplus
}
#endif
#endif
