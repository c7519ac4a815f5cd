// Thin C shim over the Verilated acceltran_recip_div (vunit.hpp: each
// instance owns its VerilatedContext).
#include "Vacceltran_recip_div.h"
#include "acceltran_recip_div_unit.h"
#include "vunit.hpp"

struct recip_div_unit : VUnit<Vacceltran_recip_div> {};

extern "C" recip_div_unit *recip_div_unit_new(void)
{
    return vunit_new<recip_div_unit>("recip_div", recip_div_unit_reset);
}

extern "C" void recip_div_unit_free(recip_div_unit *u) { vunit_free(u); }

extern "C" void recip_div_unit_tick(recip_div_unit *u) { vunit_rise(u->top); }

extern "C" void recip_div_unit_reset(recip_div_unit *u)
{
    recip_div_unit_drive(u, 0, 0, 1);
    vunit_reset(u->top, 2);
}

extern "C" void recip_div_unit_drive(recip_div_unit *u, int start, unsigned pow2, uint64_t den)
{
    u->top->start_i = start ? 1 : 0;
    u->top->pow2_i = pow2 & 63u;
    u->top->den_i = den;
}

extern "C" int recip_div_unit_busy(recip_div_unit *u) { return u->top->busy_o; }
extern "C" int recip_div_unit_done(recip_div_unit *u) { return u->top->done_o; }
extern "C" uint64_t recip_div_unit_quo(recip_div_unit *u) { return u->top->quo_o; }

extern "C" uint64_t recip_div_unit_run(recip_div_unit *u, unsigned pow2, uint64_t den, int *cycles)
{
    for (int i = 0; i < 1000 && u->top->busy_o; i++)
        recip_div_unit_tick(u);
    recip_div_unit_drive(u, 1, pow2, den);
    recip_div_unit_tick(u);
    recip_div_unit_drive(u, 0, pow2, den);
    int c = 1;
    while (!u->top->done_o && c < 1000) {
        recip_div_unit_tick(u);
        c++;
    }
    if (cycles)
        *cycles = u->top->done_o ? c : -1;
    return u->top->quo_o;
}
