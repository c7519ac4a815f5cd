// Thin C shim over the Verilated acceltran_pe; each instance owns its
// VerilatedContext so instances never share simulation state.
#include <new>

#include "Vacceltran_pe.h"
#include "acceltran_pe_unit.h"
#include "acceltran_pe_wide.h"
#include "verilated.h"

struct pe_unit {
    VerilatedContext ctx;
    Vacceltran_pe *top;
};

extern "C" int pe_unit_num_lanes(void)
{
    return (int)(sizeof(((Vacceltran_pe *)nullptr)->act_i) * 8 / 256);
}

extern "C" pe_unit *pe_unit_new(void)
{
    pe_unit *u = new (std::nothrow) pe_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_pe(&u->ctx, "pe");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    Vacceltran_pe *t = u->top;
    // an explicit falling edge of the asynchronous reset
    t->clk_i = 0;
    t->rst_ni = 1;
    t->eval();
    t->rst_ni = 0;
    t->eval();
    t->rst_ni = 1;
    t->eval();
    return u;
}

extern "C" void pe_unit_free(pe_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" void pe_unit_set_tile(pe_unit *u, int valid, const pe_unit_tile *d)
{
    Vacceltran_pe *t = u->top;
    t->tile_valid_i = valid ? 1 : 0;
    if (!valid || !d)
        return;
    t->tile_rows_i = (uint8_t)d->rows;
    t->tile_cols_i = (uint8_t)d->cols;
    t->tile_k_i = (uint16_t)d->k;
    for (unsigned j = 0; j < 16; j++) {
        wput(t->bias_i, j * 32, 32, (uint32_t)d->bias[j]);
        wput(t->rq_m_i, j * 16, 16, d->rq_m[j]);
        wput(t->rq_s_i, j * 6, 6, d->rq_s[j]);
    }
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
    for (unsigned j = 0; j < 16; j++)
        wput(t->wgt_i, j * 16, 16, (uint16_t)row[j]);
}

extern "C" void pe_unit_set_act(pe_unit *u, int lane, int valid, const int16_t *a, uint16_t mask)
{
    Vacceltran_pe *t = u->top;
    wput(t->act_valid_i, (unsigned)lane, 1, valid ? 1 : 0);
    if (!valid || !a)
        return;
    for (unsigned k = 0; k < 16; k++)
        wput(t->act_i, (unsigned)lane * 256 + k * 16, 16, (uint16_t)a[k]);
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
    for (unsigned j = 0; j < 16; j++)
        acc[j] = sext48(wget(u->top->acc_o, j * 48, 48));
}

extern "C" void pe_unit_get_y(pe_unit *u, int16_t y[16])
{
    for (unsigned j = 0; j < 16; j++)
        y[j] = (int16_t)(uint16_t)wget(u->top->out_y_o, j * 16, 16);
}

extern "C" void pe_unit_tick(pe_unit *u)
{
    Vacceltran_pe *t = u->top;
    t->clk_i = 1;
    t->eval();
    t->clk_i = 0;
    t->eval();
}
