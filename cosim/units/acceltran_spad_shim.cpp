// Thin C shim over the Verilated acceltran_spad (vunit.hpp).
#include "Vacceltran_spad.h"
#include "acceltran_spad_unit.h"
#include "vunit.hpp"

struct spad_unit : VUnit<Vacceltran_spad> {};

using Top = Vacceltran_spad;

// compute activation read ports of this build: 256 data bits each
static constexpr unsigned kPorts = sizeof(Top::act_rdata_o) / 32;
static_assert(kPorts >= 1 && kPorts <= SU_ACT_PORTS_MAX, "activation read ports");
// compute activation write ports: 256 data bits each
static constexpr unsigned kWrPorts = sizeof(Top::act_wr_data_i) / 32;
static_assert(kWrPorts >= 1 && kWrPorts <= SU_WR_PORTS_MAX, "activation write ports");
// compute weight write ports: 256 data bits each
static constexpr unsigned kWgtWrPorts = sizeof(Top::wgt_wr_data_i) / 32;
static_assert(kWgtWrPorts >= 1 && kWgtWrPorts <= SU_WR_PORTS_MAX, "weight write ports");
static constexpr unsigned kAddrW = 11; // the unit test runs on tiny: 2048 lines (both buffers)

extern "C" spad_unit *spad_unit_new(void)
{
    return vunit_new<spad_unit>("spad", [](spad_unit *u) {
        spad_unit_in in = {};
        spad_unit_set(u, &in);
        vunit_reset(u->top);
    });
}

extern "C" void spad_unit_free(spad_unit *u) { vunit_free(u); }

extern "C" unsigned spad_unit_act_ports(const spad_unit *u)
{
    (void)u;
    return kPorts;
}

extern "C" unsigned spad_unit_wr_ports(const spad_unit *u)
{
    (void)u;
    return kWrPorts;
}

extern "C" unsigned spad_unit_wgt_wr_ports(const spad_unit *u)
{
    (void)u;
    return kWgtWrPorts;
}

extern "C" void spad_unit_set(spad_unit *u, const spad_unit_in *in)
{
    Top *t = u->top;
    unsigned req = 0;
    for (unsigned p = 0; p < kPorts; p++) {
        req |= (in->act_rd_req[p] ? 1u : 0u) << p;
        wput(t->act_rd_addr_i, kAddrW * p, kAddrW, in->act_rd_addr[p]);
    }
    t->act_rd_req_i = req;
    unsigned wreq = 0;
    for (unsigned p = 0; p < kWrPorts; p++) {
        wreq |= (in->act_wr_req[p] ? 1u : 0u) << p;
        wput(t->act_wr_addr_i, kAddrW * p, kAddrW, in->act_wr_addr[p]);
        wput_lanes(t->act_wr_data_i, 256 * p, 16, in->act_wr_data[p], 16);
        wput(t->act_wr_mask_i, 16 * p, 16, in->act_wr_mask[p]);
    }
    t->act_wr_req_i = wreq;
    unsigned wwreq = 0;
    for (unsigned p = 0; p < kWgtWrPorts; p++) {
        wwreq |= (in->wgt_wr_req[p] ? 1u : 0u) << p;
        wput(t->wgt_wr_addr_i, kAddrW * p, kAddrW, in->wgt_wr_addr[p]);
        wput_lanes(t->wgt_wr_data_i, 256 * p, 16, in->wgt_wr_data[p], 16);
    }
    t->wgt_wr_req_i = wwreq;
    t->wgt_rd_req_i = in->wgt_rd_req ? 1 : 0;
    t->wgt_rd_quad_i = in->wgt_rd_quad;
    t->wgt_rd_nq_i = in->wgt_rd_nq;
    t->dma_wr_req_i = in->dma_wr_req ? 1 : 0;
    t->dma_wr_buf_i = (uint8_t)in->dma_wr_buf;
    t->dma_wr_addr_i = in->dma_wr_addr;
    wput_lanes(t->dma_wr_data_i, 0, 16, in->dma_wr_data, 16);
    t->dma_wr_mask_en_i = in->dma_wr_mask_en ? 1 : 0;
    t->dma_wr_mask_i = in->dma_wr_mask;
    t->dma_rd_req_i = in->dma_rd_req ? 1 : 0;
    t->dma_rd_buf_i = (uint8_t)in->dma_rd_buf;
    t->dma_rd_addr_i = in->dma_rd_addr;
}

extern "C" void spad_unit_eval(spad_unit *u) { u->top->eval(); }

extern "C" void spad_unit_get(spad_unit *u, spad_unit_out *o)
{
    Top *t = u->top;
    for (unsigned p = 0; p < kPorts; p++) {
        o->act_rd_gnt[p] = (t->act_rd_gnt_o >> p) & 1u;
        o->act_rvalid[p] = (t->act_rvalid_o >> p) & 1u;
        wget_lanes(t->act_rdata_o, 256 * p, 16, o->act_rdata[p], 16);
        o->act_rmask[p] = (uint16_t)wget(t->act_rmask_o, 16 * p, 16);
    }
    for (unsigned p = 0; p < kWrPorts; p++)
        o->act_wr_gnt[p] = (t->act_wr_gnt_o >> p) & 1u;
    for (unsigned p = 0; p < kWgtWrPorts; p++)
        o->wgt_wr_gnt[p] = (t->wgt_wr_gnt_o >> p) & 1u;
    o->wgt_rd_gnt = t->wgt_rd_gnt_o;
    o->dma_wr_gnt = t->dma_wr_gnt_o;
    o->dma_rd_gnt = t->dma_rd_gnt_o;
    o->wgt_rvalid = t->wgt_rvalid_o;
    o->dma_rvalid = t->dma_rvalid_o;
    wget_lanes(t->wgt_rdata_o, 0, 16, o->wgt_rdata, 256);
    wget_lanes(t->dma_rdata_o, 0, 16, o->dma_rdata, 16);
    o->cnt_rd = t->cnt_spad_rd_o;
    o->cnt_wr = t->cnt_spad_wr_o;
    o->cnt_act_rd = t->cnt_act_rd_o;
    o->cnt_act_wr = t->cnt_act_wr_o;
    o->cnt_wgt_rd = t->cnt_wgt_rd_o;
    o->cnt_wgt_wr = t->cnt_wgt_wr_o;
    o->cnt_mask_rd = t->cnt_mask_rd_o;
    o->cnt_mask_wr = t->cnt_mask_wr_o;
}

extern "C" void spad_unit_tick(spad_unit *u) { vunit_tick(u->top); }
