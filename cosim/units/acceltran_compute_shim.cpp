// Thin C shim over the Verilated acceltran_compute (vunit.hpp: each
// instance owns its VerilatedContext).
#include "Vacceltran_compute.h"
#include "acceltran_compute_unit.h"
#include "vunit.hpp"

struct compute_unit : VUnit<Vacceltran_compute> {};

using Top = Vacceltran_compute;

// activation read ports of this build: 256 data bits each
static constexpr unsigned kPorts = sizeof(Top::act_rdata_i) / 32;
static_assert(kPorts >= 1 && kPorts <= CU_ACT_PORTS_MAX, "activation read ports");
// activation write ports (the GEMM writer's lanes): 256 data bits each
static constexpr unsigned kWrPorts = sizeof(Top::act_wr_data_o) / 32;
static_assert(kWrPorts >= 1 && kWrPorts <= CU_WR_PORTS_MAX, "activation write ports");
static constexpr unsigned kAddrW = 11; // tiny: 2048 activation lines, 2048 weight lines

static void drive_idle(Top *t)
{
    t->cmd_valid_i = 0;
    t->act_rd_gnt_i = 0;
    t->act_rvalid_i = 0;
    t->act_wr_gnt_i = 0;
    t->wgt_wr_gnt_i = 0;
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

extern "C" unsigned compute_unit_act_ports(const compute_unit *u)
{
    (void)u;
    return kPorts;
}

extern "C" unsigned compute_unit_wr_ports(const compute_unit *u)
{
    (void)u;
    return kWrPorts;
}

extern "C" void compute_unit_set(compute_unit *u, const compute_unit_in *in)
{
    Top *t = u->top;
    t->cmd_valid_i = in->cmd_valid ? 1 : 0;
    for (unsigned w = 0; w < 16; w++)
        t->cmd_i[w] = in->cmd[w];
    unsigned gnt = 0, rv = 0;
    for (unsigned p = 0; p < kPorts; p++) {
        gnt |= (in->act_rd_gnt[p] ? 1u : 0u) << p;
        rv |= (in->act_rvalid[p] ? 1u : 0u) << p;
        wput_lanes(t->act_rdata_i, 256 * p, 16, in->act_rdata[p], 16);
        wput(t->act_rmask_i, 16 * p, 16, in->act_rmask[p]);
    }
    t->act_rd_gnt_i = gnt;
    t->act_rvalid_i = rv;
    unsigned wgnt = 0, wwgnt = 0;
    for (unsigned p = 0; p < kWrPorts; p++) {
        wgnt |= (in->act_wr_gnt[p] ? 1u : 0u) << p;
        wwgnt |= (in->wgt_wr_gnt[p] ? 1u : 0u) << p;
    }
    t->act_wr_gnt_i = wgnt;
    t->wgt_wr_gnt_i = wwgnt;
    t->wgt_rd_gnt_i = in->wgt_rd_gnt ? 1 : 0;
    t->wgt_rvalid_i = in->wgt_rvalid ? 1 : 0;
    wput_lanes(t->wgt_rdata_i, 0, 16, in->wgt_rdata, 256);
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
    for (unsigned p = 0; p < kPorts; p++) {
        o->act_rd_req[p] = (t->act_rd_req_o >> p) & 1u;
        o->act_rd_addr[p] = (uint32_t)wget(t->act_rd_addr_o, kAddrW * p, kAddrW);
    }
    for (unsigned p = 0; p < kWrPorts; p++) {
        o->act_wr_req[p] = (t->act_wr_req_o >> p) & 1u;
        o->act_wr_addr[p] = (uint32_t)wget(t->act_wr_addr_o, kAddrW * p, kAddrW);
        wget_lanes(t->act_wr_data_o, 256 * p, 16, o->act_wr_data[p], 16);
        o->act_wr_mask[p] = (uint16_t)wget(t->act_wr_mask_o, 16 * p, 16);
        o->wgt_wr_req[p] = (t->wgt_wr_req_o >> p) & 1u;
        o->wgt_wr_addr[p] = (uint32_t)wget(t->wgt_wr_addr_o, kAddrW * p, kAddrW);
        wget_lanes(t->wgt_wr_data_o, 256 * p, 16, o->wgt_wr_data[p], 16);
    }
    o->wgt_rd_req = t->wgt_rd_req_o;
    o->wgt_rd_quad = t->wgt_rd_quad_o;
    o->wgt_rd_nq = t->wgt_rd_nq_o;
    o->smx_rows = t->smx_row_o;
    o->ln_rows = t->ln_row_o;
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
