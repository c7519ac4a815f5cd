// Thin C shim over the Verilated acceltran_isqrt (vunit.hpp: each instance
// owns its VerilatedContext).
#include "Vacceltran_isqrt.h"
#include "acceltran_isqrt_unit.h"
#include "vunit.hpp"

struct isqrt_unit : VUnit<Vacceltran_isqrt> {};

extern "C" isqrt_unit *isqrt_unit_new(void)
{
    return vunit_new<isqrt_unit>("isqrt", isqrt_unit_reset);
}

extern "C" void isqrt_unit_free(isqrt_unit *u) { vunit_free(u); }

extern "C" void isqrt_unit_reset(isqrt_unit *u)
{
    u->top->start_i = 0;
    u->top->rad_i = 0;
    vunit_reset(u->top);
}

extern "C" void isqrt_unit_set(isqrt_unit *u, int start, uint64_t rad)
{
    u->top->start_i = start ? 1 : 0;
    u->top->rad_i = rad;
    u->top->eval();
}

extern "C" int isqrt_unit_busy(isqrt_unit *u) { return u->top->busy_o; }
extern "C" int isqrt_unit_done(isqrt_unit *u) { return u->top->done_o; }
extern "C" uint32_t isqrt_unit_root(isqrt_unit *u) { return u->top->root_o; }

extern "C" void isqrt_unit_tick(isqrt_unit *u) { vunit_tick(u->top); }
