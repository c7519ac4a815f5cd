/* C API over the Verilated acceltran_compute (the compute engine of the
 * device top, docs/rtl-top.md "Compute engine interface"). The test drives
 * the scratchpad side: it sets the inputs (command, grants, read data),
 * evaluates and reads the outputs (requests, addresses, write data). */
#ifndef ACCELTRAN_COMPUTE_UNIT_H
#define ACCELTRAN_COMPUTE_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CU_CNT_MAC_ISSUED,
    CU_CNT_MAC_SKIPPED,
    CU_CNT_PRUNED,
    CU_CNT_STALL_WGT,
    CU_CNT_STALL_ACT,
    CU_CNT_PE_BUSY,
    CU_CNT_SPAD_RD,
    CU_CNT_SPAD_WR,
    CU_CNT_N
};

/* Activation read ports (one per GEMM feeder, compute_unit_act_ports()):
 * at most this many. */
#define CU_ACT_PORTS_MAX 16
/* Activation write ports (the GEMM writer's lanes, compute_unit_wr_ports()):
 * at most this many. */
#define CU_WR_PORTS_MAX 16

typedef struct compute_unit_in {
    int cmd_valid;
    uint32_t cmd[16];
    int act_rd_gnt[CU_ACT_PORTS_MAX], act_rvalid[CU_ACT_PORTS_MAX];
    int16_t act_rdata[CU_ACT_PORTS_MAX][16];
    uint16_t act_rmask[CU_ACT_PORTS_MAX];
    int act_wr_gnt[CU_WR_PORTS_MAX];
    int wgt_wr_gnt[CU_WR_PORTS_MAX]; /* the weight write ports (one per writer lane, C_WGT) */
    int wgt_rd_gnt, wgt_rvalid;
    int16_t wgt_rdata[256]; /* quads quad .. quad + nq - 1 of the read, then 0:
                              * line r of quad q at [64 q + 16 r ..] */
} compute_unit_in;

typedef struct compute_unit_out {
    int cmd_ready, done, err, busy;
    uint32_t err_detail;
    int act_rd_req[CU_ACT_PORTS_MAX];
    uint32_t act_rd_addr[CU_ACT_PORTS_MAX];
    int act_wr_req[CU_WR_PORTS_MAX];
    uint32_t act_wr_addr[CU_WR_PORTS_MAX];
    int16_t act_wr_data[CU_WR_PORTS_MAX][16];
    uint16_t act_wr_mask[CU_WR_PORTS_MAX];
    int wgt_wr_req[CU_WR_PORTS_MAX];
    uint32_t wgt_wr_addr[CU_WR_PORTS_MAX];
    int16_t wgt_wr_data[CU_WR_PORTS_MAX][16];
    int wgt_rd_req;
    uint32_t wgt_rd_quad, wgt_rd_nq; /* quads quad .. quad + nq - 1 (nq 1..4) */
    unsigned smx_rows, ln_rows;      /* rows the row engines finished this cycle (smx/ln_row_o) */
    uint64_t cnt[CU_CNT_N];
} compute_unit_out;

typedef struct compute_unit compute_unit;

compute_unit *compute_unit_new(void);
void compute_unit_free(compute_unit *u);
unsigned compute_unit_act_ports(const compute_unit *u);
unsigned compute_unit_wr_ports(const compute_unit *u);
void compute_unit_set(compute_unit *u, const compute_unit_in *in);
void compute_unit_eval(compute_unit *u);
void compute_unit_get(compute_unit *u, compute_unit_out *o);
void compute_unit_tick(compute_unit *u);

#ifdef __cplusplus
}
#endif
#endif
