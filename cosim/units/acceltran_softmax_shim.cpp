// Thin C shim over the Verilated acceltran_softmax (vunit.hpp: each
// instance owns its VerilatedContext). The 256-bit data ports are VlWide
// arrays of 32-bit words, lane j in bits [16j, 16j+16).
#include "Vacceltran_softmax.h"
#include "acceltran_softmax_unit.h"
#include "vunit.hpp"

struct softmax_unit : VUnit<Vacceltran_softmax> {};

extern "C" softmax_unit *softmax_unit_new(void)
{
    return vunit_new<softmax_unit>("softmax", softmax_unit_reset);
}

extern "C" void softmax_unit_free(softmax_unit *u) { vunit_free(u); }

extern "C" void softmax_unit_tick(softmax_unit *u) { vunit_rise(u->top); }

extern "C" void softmax_unit_reset(softmax_unit *u)
{
    softmax_unit_drive_in(u, 0, nullptr, 1, 1, 0, 0);
    softmax_unit_drive_out_ready(u, 0);
    vunit_reset(u->top, 2);
}

extern "C" void softmax_unit_drive_in(softmax_unit *u, int valid, const int16_t *data, unsigned n,
                                      unsigned len, unsigned m, unsigned s)
{
    u->top->in_valid_i = valid ? 1 : 0;
    wput_lanes(u->top->in_data_i, 0, 16, data, SOFTMAX_UNIT_WIDTH);
    u->top->in_n_i = n;
    u->top->in_len_i = len;
    u->top->in_m_i = m;
    u->top->in_s_i = s;
}

extern "C" void softmax_unit_drive_out_ready(softmax_unit *u, int ready)
{
    u->top->out_ready_i = ready ? 1 : 0;
}

extern "C" void softmax_unit_settle(softmax_unit *u)
{
    u->top->clk_i = 0;
    u->top->eval();
}

extern "C" int softmax_unit_in_ready(softmax_unit *u) { return u->top->in_ready_o; }

extern "C" int softmax_unit_out_valid(softmax_unit *u, int16_t *data, int *last)
{
    if (data)
        wget_lanes(u->top->out_data_o, 0, 16, data, SOFTMAX_UNIT_WIDTH);
    if (last)
        *last = u->top->out_last_o;
    return u->top->out_valid_o;
}

extern "C" unsigned softmax_unit_out_lanes(softmax_unit *u) { return u->top->out_lanes_o; }

extern "C" int softmax_unit_busy(softmax_unit *u) { return u->top->busy_o; }
