// Thin C shim over the Verilated acceltran_pe (vunit.hpp: each instance
// owns its VerilatedContext).
#include "Vacceltran_pe.h"
#include "acceltran_pe_unit.h"
#include "vunit.hpp"

struct pe_unit : VUnit<Vacceltran_pe> {};

extern "C" int pe_unit_num_lanes(void)
{
    return (int)(sizeof(((Vacceltran_pe *)nullptr)->act_i) * 8 / 256);
}

extern "C" int pe_unit_wgt_rows(void)
{
    return (int)(sizeof(((Vacceltran_pe *)nullptr)->wgt_i) * 8 / 256);
}

extern "C" pe_unit *pe_unit_new(void)
{
    return vunit_new<pe_unit>("pe", [](pe_unit *u) { vunit_reset(u->top); });
}

extern "C" void pe_unit_free(pe_unit *u) { vunit_free(u); }

extern "C" void pe_unit_set_tile(pe_unit *u, int valid, const pe_unit_tile *d)
{
    Vacceltran_pe *t = u->top;
    t->tile_valid_i = valid ? 1 : 0;
    if (!valid || !d)
        return;
    t->tile_rows_i = (uint8_t)d->rows;
    t->tile_cols_i = (uint8_t)d->cols;
    t->tile_k_i = (uint16_t)d->k;
    wput_lanes(t->bias_i, 0, 32, d->bias, 16);
    wput_lanes(t->rq_m_i, 0, 16, d->rq_m, 16);
    wput_lanes(t->rq_s_i, 0, 6, d->rq_s, 16);
    t->gelu_en_i = d->gelu_en ? 1 : 0;
    t->gelu_in_m_i = d->gelu_in_m;
    t->gelu_in_s_i = d->gelu_in_s;
    t->gelu_out_m_i = d->gelu_out_m;
    t->gelu_out_s_i = d->gelu_out_s;
    t->tau_i = d->tau;
}

extern "C" void pe_unit_set_wgt(pe_unit *u, int valid, const int16_t *row)
{
    Vacceltran_pe *t = u->top;
    t->wgt_valid_i = valid ? 1 : 0;
    if (!valid || !row)
        return;
    wput_lanes(t->wgt_i, 0, 16, row, (unsigned)(16 * pe_unit_wgt_rows()));
}

extern "C" void pe_unit_set_act(pe_unit *u, int lane, int valid, const int16_t *a, uint16_t mask)
{
    Vacceltran_pe *t = u->top;
    wput(t->act_valid_i, (unsigned)lane, 1, valid ? 1 : 0);
    if (!valid || !a)
        return;
    wput_lanes(t->act_i, (unsigned)lane * 256, 16, a, 16);
    wput(t->act_mask_i, (unsigned)lane * 16, 16, mask);
}

extern "C" void pe_unit_eval(pe_unit *u)
{
    u->top->eval();
}

extern "C" void pe_unit_get(pe_unit *u, pe_unit_out *o)
{
    Vacceltran_pe *t = u->top;
    o->tile_ready = t->tile_ready_o;
    o->wgt_ready = t->wgt_ready_o;
    o->busy = t->busy_o;
    o->act_ready = (uint32_t)t->act_ready_o;
    o->acc_valid = t->acc_valid_o;
    o->acc_row = t->acc_row_o;
    o->out_valid = t->out_valid_o;
    o->out_row = t->out_row_o;
    o->out_pruned = t->out_pruned_o;
    o->out_mask = t->out_mask_o;
    o->cnt[PE_CNT_BUSY] = t->cnt_busy_o;
    o->cnt[PE_CNT_STALL_WGT] = t->cnt_stall_wgt_o;
    o->cnt[PE_CNT_STALL_ACT] = t->cnt_stall_act_o;
    o->cnt[PE_CNT_MAC_ISSUED] = t->cnt_mac_issued_o;
    o->cnt[PE_CNT_MAC_SKIPPED] = t->cnt_mac_skipped_o;
    o->cnt[PE_CNT_PRUNED] = t->cnt_pruned_o;
}

extern "C" void pe_unit_get_acc(pe_unit *u, int64_t acc[16])
{
    wget_lanes(u->top->acc_o, 0, 48, acc, 16);
}

extern "C" void pe_unit_get_y(pe_unit *u, int16_t y[16])
{
    wget_lanes(u->top->out_y_o, 0, 16, y, 16);
}

extern "C" void pe_unit_tick(pe_unit *u) { vunit_tick(u->top); }
