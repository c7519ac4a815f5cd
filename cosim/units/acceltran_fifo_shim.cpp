// Thin C shim over the Verilated acceltran_fifo (vunit.hpp: each instance
// owns its VerilatedContext, left with Verilator's default fatalOnError:
// a failing assertion stops the process).
#include "Vacceltran_fifo.h"
#include "acceltran_fifo_unit.h"
#include "vunit.hpp"

struct fifo_unit : VUnit<Vacceltran_fifo> {};

extern "C" fifo_unit *fifo_unit_new(void)
{
    return vunit_new<fifo_unit>("fifo", [](fifo_unit *u) {
        auto *t = u->top;
        t->clr_i = 0;
        t->push_i = 0;
        t->pop_i = 0;
        t->wdata_i = 0;
        vunit_reset(t, 1, true);
    });
}

extern "C" void fifo_unit_free(fifo_unit *u) { vunit_free(u); }

extern "C" void fifo_unit_cycle(fifo_unit *u, int push, uint8_t wdata, int pop, int clr)
{
    auto *t = u->top;
    t->push_i = push ? 1 : 0;
    t->wdata_i = wdata;
    t->pop_i = pop ? 1 : 0;
    t->clr_i = clr ? 1 : 0;
    vunit_tick(t);
    t->push_i = 0;
    t->pop_i = 0;
    t->clr_i = 0;
    t->eval();
}

extern "C" uint8_t fifo_unit_head(fifo_unit *u) { return u->top->rdata_o; }

extern "C" unsigned fifo_unit_count(fifo_unit *u) { return u->top->count_o; }
