// Thin C shim over the Verilated acceltran_pe_array (vunit.hpp: each
// instance owns its VerilatedContext).
#include "Vacceltran_pe_array.h"
#include "acceltran_pe_array_unit.h"
#include "vunit.hpp"

struct pe_array_unit : VUnit<Vacceltran_pe_array> {};

using Top = Vacceltran_pe_array;

extern "C" int pe_array_unit_num_pes(void)
{
    return (int)(sizeof(((Top *)nullptr)->acc_o) * 8 / (16 * 48));
}

extern "C" int pe_array_unit_wgt_rows(void)
{
    return (int)(sizeof(((Top *)nullptr)->wgt_i) * 8 / 256) / pe_array_unit_num_pes();
}

extern "C" int pe_array_unit_num_lanes(void)
{
    return (int)(sizeof(((Top *)nullptr)->act_i) * 8 / 256) / pe_array_unit_num_pes();
}

// Widths of the per-PE rows field and row index (acceltran_pe: BlockRows =
// max(16, NumLanes) rows; RowsW = clog2(BlockRows + 1), RowW = clog2(BlockRows)).
static unsigned block_rows(void)
{
    unsigned nl = (unsigned)pe_array_unit_num_lanes();
    return nl > 16 ? nl : 16;
}
static unsigned clog2u(unsigned v)
{
    unsigned w = 0;
    while ((1u << w) < v)
        w++;
    return w;
}

extern "C" pe_array_unit *pe_array_unit_new(void)
{
    return vunit_new<pe_array_unit>("pe_array", [](pe_array_unit *u) { vunit_reset(u->top); });
}

extern "C" void pe_array_unit_free(pe_array_unit *u) { vunit_free(u); }

extern "C" void pe_array_unit_set_tile(pe_array_unit *u, int pe, int valid, const pe_unit_tile *d)
{
    Top *t = u->top;
    unsigned p = (unsigned)pe;
    wput(t->tile_valid_i, p, 1, valid ? 1 : 0);
    if (!valid || !d)
        return;
    unsigned rw = clog2u(block_rows() + 1);
    wput(t->tile_rows_i, p * rw, rw, (unsigned)d->rows);
    wput(t->tile_cols_i, p * 5, 5, (unsigned)d->cols);
    wput(t->tile_k_i, p * 16, 16, (unsigned)d->k);
    wput_lanes(t->bias_i, p * 16 * 32, 32, d->bias, 16);
    wput_lanes(t->rq_m_i, p * 16 * 16, 16, d->rq_m, 16);
    wput_lanes(t->rq_s_i, p * 16 * 6, 6, d->rq_s, 16);
    wput(t->gelu_en_i, p, 1, d->gelu_en ? 1 : 0);
    wput(t->gelu_in_m_i, p * 16, 16, d->gelu_in_m);
    wput(t->gelu_in_s_i, p * 6, 6, d->gelu_in_s);
    wput(t->gelu_out_m_i, p * 16, 16, d->gelu_out_m);
    wput(t->gelu_out_s_i, p * 6, 6, d->gelu_out_s);
    wput(t->tau_i, p * 16, 16, d->tau);
}

extern "C" void pe_array_unit_set_wgt(pe_array_unit *u, int pe, int valid, const int16_t *row)
{
    Top *t = u->top;
    unsigned p = (unsigned)pe;
    wput(t->wgt_valid_i, p, 1, valid ? 1 : 0);
    if (!valid || !row)
        return;
    unsigned r = (unsigned)pe_array_unit_wgt_rows();
    wput_lanes(t->wgt_i, p * r * 16 * 16, 16, row, r * 16);
}

extern "C" void pe_array_unit_set_act(pe_array_unit *u, int pe, int lane, int valid,
                                      const int16_t *a, uint16_t mask)
{
    Top *t = u->top;
    unsigned pl = (unsigned)(pe * pe_array_unit_num_lanes() + lane);
    wput(t->act_valid_i, pl, 1, valid ? 1 : 0);
    if (!valid || !a)
        return;
    wput_lanes(t->act_i, pl * 256, 16, a, 16);
    wput(t->act_mask_i, pl * 16, 16, mask);
}

extern "C" void pe_array_unit_eval(pe_array_unit *u)
{
    u->top->eval();
}

extern "C" void pe_array_unit_get(pe_array_unit *u, int pe, pe_unit_out *o)
{
    Top *t = u->top;
    unsigned p = (unsigned)pe;
    unsigned nl = (unsigned)pe_array_unit_num_lanes();
    o->tile_ready = (int)wget(t->tile_ready_o, p, 1);
    o->wgt_ready = (int)wget(t->wgt_ready_o, p, 1);
    o->busy = (int)wget(t->busy_o, p, 1);
    o->act_ready = (uint32_t)wget(t->act_ready_o, p * nl, nl);
    o->acc_valid = (int)wget(t->acc_valid_o, p, 1);
    unsigned iw = clog2u(block_rows());
    o->acc_row = (int)wget(t->acc_row_o, p * iw, iw);
    o->out_valid = (int)wget(t->out_valid_o, p, 1);
    o->out_row = (int)wget(t->out_row_o, p * iw, iw);
    o->out_pruned = (int)wget(t->out_pruned_o, p * 5, 5);
    o->out_mask = (uint16_t)wget(t->out_mask_o, p * 16, 16);
    o->cnt[PE_CNT_BUSY] = t->cnt_busy_o;
    o->cnt[PE_CNT_STALL_WGT] = t->cnt_stall_wgt_o;
    o->cnt[PE_CNT_STALL_ACT] = t->cnt_stall_act_o;
    o->cnt[PE_CNT_MAC_ISSUED] = t->cnt_mac_issued_o;
    o->cnt[PE_CNT_MAC_SKIPPED] = t->cnt_mac_skipped_o;
    o->cnt[PE_CNT_PRUNED] = t->cnt_pruned_o;
}

extern "C" void pe_array_unit_get_acc(pe_array_unit *u, int pe, int64_t acc[16])
{
    wget_lanes(u->top->acc_o, (unsigned)pe * 16 * 48, 48, acc, 16);
}

extern "C" void pe_array_unit_get_y(pe_array_unit *u, int pe, int16_t y[16])
{
    wget_lanes(u->top->out_y_o, (unsigned)pe * 16 * 16, 16, y, 16);
}

extern "C" void pe_array_unit_tick(pe_array_unit *u) { vunit_tick(u->top); }
