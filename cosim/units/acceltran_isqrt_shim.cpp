// Thin C shim over the Verilated acceltran_isqrt; each instance owns its
// VerilatedContext so instances never share simulation state.
#include <new>

#include "Vacceltran_isqrt.h"
#include "acceltran_isqrt_unit.h"
#include "verilated.h"

struct isqrt_unit {
    VerilatedContext ctx;
    Vacceltran_isqrt *top;
};

extern "C" isqrt_unit *isqrt_unit_new(void)
{
    isqrt_unit *u = new (std::nothrow) isqrt_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_isqrt(&u->ctx, "isqrt");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    isqrt_unit_reset(u);
    return u;
}

extern "C" void isqrt_unit_free(isqrt_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" void isqrt_unit_reset(isqrt_unit *u)
{
    Vacceltran_isqrt *t = u->top;
    t->clk_i = 0;
    t->start_i = 0;
    t->rad_i = 0;
    t->rst_ni = 1;
    t->eval();
    t->rst_ni = 0;
    t->eval();
    t->rst_ni = 1;
    t->eval();
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

extern "C" void isqrt_unit_tick(isqrt_unit *u)
{
    u->top->clk_i = 1;
    u->top->eval();
    u->top->clk_i = 0;
    u->top->eval();
}
