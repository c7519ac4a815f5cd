// Thin C shim over the Verilated acceltran_layernorm; each instance owns its
// VerilatedContext so instances never share simulation state. Wide ports
// are VlWide arrays of 32-bit words: element j of a 16-bit lane vector is
// in word j/2 at bit 16*(j%2); of a 32-bit lane vector in word j.
#include <new>

#include "Vacceltran_layernorm.h"
#include "acceltran_layernorm_unit.h"
#include "verilated.h"

struct ln_unit {
    VerilatedContext ctx;
    Vacceltran_layernorm *top;
};

static_assert(sizeof(Vacceltran_layernorm::in_x_i) * 8 == LN_UNIT_WIDTH * 16,
              "LN_UNIT_WIDTH does not match the Verilated model");
static_assert(sizeof(Vacceltran_layernorm::par_beta_i) * 8 == LN_UNIT_WIDTH * 32,
              "LN_UNIT_WIDTH does not match the Verilated model");

extern "C" ln_unit *ln_unit_new(void)
{
    ln_unit *u = new (std::nothrow) ln_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_layernorm(&u->ctx, "layernorm");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    ln_unit_in idle = {};
    ln_unit_set(u, &idle);
    ln_unit_reset(u);
    return u;
}

extern "C" void ln_unit_free(ln_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" void ln_unit_reset(ln_unit *u)
{
    Vacceltran_layernorm *t = u->top;
    t->clk_i = 0;
    t->rst_ni = 1;
    t->eval();
    t->rst_ni = 0;
    t->eval();
    t->rst_ni = 1;
    t->eval();
}

template <typename W> static void put16(W &w, const int16_t *v)
{
    for (int j = 0; j < LN_UNIT_WIDTH; j += 2)
        w[j / 2] = (uint32_t)(uint16_t)v[j] | ((uint32_t)(uint16_t)v[j + 1] << 16);
}

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
    put16(t->in_x_i, in->x);
    put16(t->in_res_i, in->res);
    t->par_valid_i = in->par_valid ? 1 : 0;
    put16(t->par_gamma_i, in->gamma);
    for (int j = 0; j < LN_UNIT_WIDTH; j++)
        t->par_beta_i[j] = (uint32_t)in->beta[j];
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
    for (int j = 0; j < LN_UNIT_WIDTH; j++)
        out->y[j] = (int16_t)(uint16_t)(t->out_y_o[j / 2] >> (16 * (j % 2)));
}

extern "C" void ln_unit_tick(ln_unit *u)
{
    u->top->clk_i = 1;
    u->top->eval();
    u->top->clk_i = 0;
    u->top->eval();
}
