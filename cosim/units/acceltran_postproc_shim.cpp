// Thin C shim over the Verilated acceltran_postproc (vunit.hpp: each
// instance owns its VerilatedContext). Wide ports are VlWide arrays of
// 32-bit words, element j of a w-bit lane vector at bit j*w.
#include "Vacceltran_postproc.h"
#include "acceltran_postproc_unit.h"
#include "vunit.hpp"

struct postproc_unit : VUnit<Vacceltran_postproc> {};

static constexpr int kW = POSTPROC_UNIT_WIDTH;

static_assert(sizeof(((Vacceltran_postproc *)nullptr)->acc_i) * 8 == kW * 48,
              "Verilated Width differs from POSTPROC_UNIT_WIDTH");
static_assert(sizeof(((Vacceltran_postproc *)nullptr)->y_o) * 8 == kW * 16,
              "Verilated Width differs from POSTPROC_UNIT_WIDTH");

extern "C" void postproc_unit_reset(postproc_unit *u)
{
    u->top->valid_i = 0;
    vunit_reset(u->top, 2, true);
}

extern "C" postproc_unit *postproc_unit_new(void)
{
    return vunit_new<postproc_unit>("postproc", postproc_unit_reset);
}

extern "C" void postproc_unit_free(postproc_unit *u) { vunit_free(u); }

extern "C" void postproc_unit_config(postproc_unit *u, const postproc_unit_cfg *c)
{
    Vacceltran_postproc *t = u->top;
    wput_lanes(t->rq_m_i, 0, 16, c->rq_m, kW);
    wput_lanes(t->rq_s_i, 0, 6, c->rq_s, kW);
    t->gelu_en_i = c->gelu_en ? 1 : 0;
    t->gelu_in_m_i = c->gelu_in_m;
    t->gelu_in_s_i = c->gelu_in_s & 63u;
    t->gelu_out_m_i = c->gelu_out_m;
    t->gelu_out_s_i = c->gelu_out_s & 63u;
    t->tau_i = c->tau;
}

extern "C" void postproc_unit_step(postproc_unit *u, int valid, uint32_t tag, const int64_t *acc,
                                   const int32_t *bias, postproc_unit_out *out)
{
    Vacceltran_postproc *t = u->top;
    t->valid_i = valid ? 1 : 0;
    t->tag_i = tag & 0xffu;
    wput_lanes(t->acc_i, 0, 48, acc, kW);
    wput_lanes(t->bias_i, 0, 32, bias, kW);
    vunit_rise(t);
    out->valid = t->valid_o;
    out->tag = t->tag_o;
    wget_lanes(t->y_o, 0, 16, out->y, kW);
    out->mask = t->mask_o;
    out->pruned = t->pruned_o;
}
