// Thin C shim over the Verilated acceltran_softmax_exp; each instance owns
// its VerilatedContext so instances never share simulation state.
#include <new>

#include "Vacceltran_softmax_exp.h"
#include "acceltran_softmax_exp_unit.h"
#include "verilated.h"

struct softmax_exp_unit {
    VerilatedContext ctx;
    Vacceltran_softmax_exp *top;
};

extern "C" softmax_exp_unit *softmax_exp_unit_new(void)
{
    softmax_exp_unit *u = new (std::nothrow) softmax_exp_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_softmax_exp(&u->ctx, "softmax_exp");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    return u;
}

extern "C" void softmax_exp_unit_free(softmax_exp_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" uint32_t softmax_exp_unit_eval(softmax_exp_unit *u, uint32_t q16)
{
    u->top->u_i = q16;
    u->top->eval();
    return u->top->e_o;
}
