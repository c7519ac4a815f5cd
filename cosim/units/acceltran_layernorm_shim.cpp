// Thin C shim over the Verilated acceltran_layernorm (vunit.hpp: each
// instance owns its VerilatedContext). Wide ports are VlWide arrays of
// 32-bit words: element j of a 16-bit lane vector is in word j/2 at bit
// 16*(j%2); of a 32-bit lane vector in word j.
#include "Vacceltran_layernorm.h"
#include "acceltran_layernorm_unit.h"
#include "vunit.hpp"

struct ln_unit : VUnit<Vacceltran_layernorm> {};

static_assert(sizeof(Vacceltran_layernorm::in_x_i) * 8 == LN_UNIT_WIDTH * 16,
              "LN_UNIT_WIDTH does not match the Verilated model");
static_assert(sizeof(Vacceltran_layernorm::par_beta_i) * 8 == LN_UNIT_WIDTH * 32,
              "LN_UNIT_WIDTH does not match the Verilated model");

extern "C" ln_unit *ln_unit_new(void)
{
    return vunit_new<ln_unit>("layernorm", [](ln_unit *u) {
        ln_unit_in idle = {};
        ln_unit_set(u, &idle);
        ln_unit_reset(u);
    });
}

extern "C" void ln_unit_free(ln_unit *u) { vunit_free(u); }

extern "C" void ln_unit_reset(ln_unit *u) { vunit_reset(u->top); }

extern "C" void ln_unit_set(ln_unit *u, const ln_unit_in *in)
{
    Vacceltran_layernorm *t = u->top;
    t->cfg_valid_i = in->cfg_valid ? 1 : 0;
    t->cfg_n_i = (uint32_t)in->n & 0x7ffu;
    t->cfg_res_en_i = in->res_en ? 1 : 0;
    t->cfg_eps_q_i = (uint64_t)in->eps_q & ((UINT64_C(1) << 62) - 1);
    t->cfg_out_m_i = in->out_m;
    t->cfg_out_s_i = in->out_s & 63u;
    t->in_valid_i = in->in_valid ? 1 : 0;
    wput_lanes(t->in_x_i, 0, 16, in->x, LN_UNIT_WIDTH);
    wput_lanes(t->in_res_i, 0, 16, in->res, LN_UNIT_WIDTH);
    t->par_valid_i = in->par_valid ? 1 : 0;
    wput_lanes(t->par_gamma_i, 0, 16, in->gamma, LN_UNIT_WIDTH);
    wput_lanes(t->par_beta_i, 0, 32, in->beta, LN_UNIT_WIDTH);
    t->out_ready_i = in->out_ready ? 1 : 0;
    t->eval();
}

extern "C" void ln_unit_get(ln_unit *u, ln_unit_out *out)
{
    Vacceltran_layernorm *t = u->top;
    out->cfg_ready = t->cfg_ready_o;
    out->in_ready = t->in_ready_o;
    out->par_ready = t->par_ready_o;
    out->out_valid = t->out_valid_o;
    out->out_last = t->out_last_o;
    out->busy = t->busy_o;
    wget_lanes(t->out_y_o, 0, 16, out->y, LN_UNIT_WIDTH);
}

extern "C" void ln_unit_tick(ln_unit *u) { vunit_tick(u->top); }
