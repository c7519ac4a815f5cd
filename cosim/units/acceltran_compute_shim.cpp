// Thin C shim over the Verilated acceltran_compute (vunit.hpp: each
// instance owns its VerilatedContext).
#include "Vacceltran_compute.h"
#include "acceltran_compute_unit.h"
#include "vunit.hpp"

struct compute_unit : VUnit<Vacceltran_compute> {};

using Top = Vacceltran_compute;

static void drive_idle(Top *t)
{
    t->cmd_valid_i = 0;
    t->act_rd_gnt_i = 0;
    t->act_rvalid_i = 0;
    t->act_wr_gnt_i = 0;
    t->wgt_rd_gnt_i = 0;
    t->wgt_rvalid_i = 0;
}

extern "C" compute_unit *compute_unit_new(void)
{
    return vunit_new<compute_unit>("compute", [](compute_unit *u) {
        drive_idle(u->top);
        vunit_reset(u->top);
    });
}

extern "C" void compute_unit_free(compute_unit *u) { vunit_free(u); }

extern "C" void compute_unit_set(compute_unit *u, const compute_unit_in *in)
{
    Top *t = u->top;
    t->cmd_valid_i = in->cmd_valid ? 1 : 0;
    for (unsigned w = 0; w < 16; w++)
        t->cmd_i[w] = in->cmd[w];
    t->act_rd_gnt_i = in->act_rd_gnt ? 1 : 0;
    t->act_rvalid_i = in->act_rvalid ? 1 : 0;
    wput_lanes(t->act_rdata_i, 0, 16, in->act_rdata, 16);
    t->act_rmask_i = in->act_rmask;
    t->act_wr_gnt_i = in->act_wr_gnt ? 1 : 0;
    t->wgt_rd_gnt_i = in->wgt_rd_gnt ? 1 : 0;
    t->wgt_rvalid_i = in->wgt_rvalid ? 1 : 0;
    wput_lanes(t->wgt_rdata_i, 0, 16, in->wgt_rdata, 64);
}

extern "C" void compute_unit_eval(compute_unit *u) { u->top->eval(); }

extern "C" void compute_unit_get(compute_unit *u, compute_unit_out *o)
{
    Top *t = u->top;
    o->cmd_ready = t->cmd_ready_o;
    o->done = t->done_o;
    o->err = t->err_o;
    o->busy = t->busy_o;
    o->err_detail = t->err_detail_o;
    o->act_rd_req = t->act_rd_req_o;
    o->act_rd_addr = t->act_rd_addr_o;
    o->act_wr_req = t->act_wr_req_o;
    o->act_wr_addr = t->act_wr_addr_o;
    wget_lanes(t->act_wr_data_o, 0, 16, o->act_wr_data, 16);
    o->act_wr_mask = t->act_wr_mask_o;
    o->wgt_rd_req = t->wgt_rd_req_o;
    o->wgt_rd_quad = t->wgt_rd_quad_o;
    o->cnt[CU_CNT_MAC_ISSUED] = t->cnt_mac_issued_o;
    o->cnt[CU_CNT_MAC_SKIPPED] = t->cnt_mac_skipped_o;
    o->cnt[CU_CNT_PRUNED] = t->cnt_pruned_o;
    o->cnt[CU_CNT_STALL_WGT] = t->cnt_stall_wgt_o;
    o->cnt[CU_CNT_STALL_ACT] = t->cnt_stall_act_o;
    o->cnt[CU_CNT_PE_BUSY] = t->cnt_pe_busy_o;
    o->cnt[CU_CNT_SPAD_RD] = t->cnt_spad_rd_o;
    o->cnt[CU_CNT_SPAD_WR] = t->cnt_spad_wr_o;
}

extern "C" void compute_unit_tick(compute_unit *u) { vunit_tick(u->top); }
