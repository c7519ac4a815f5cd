// Thin C shim over the Verilated acceltran_softmax_exp (vunit.hpp: each
// instance owns its VerilatedContext).
#include "Vacceltran_softmax_exp.h"
#include "acceltran_softmax_exp_unit.h"
#include "vunit.hpp"

struct softmax_exp_unit : VUnit<Vacceltran_softmax_exp> {};

extern "C" softmax_exp_unit *softmax_exp_unit_new(void)
{
    return vunit_new<softmax_exp_unit>("softmax_exp");
}

extern "C" void softmax_exp_unit_free(softmax_exp_unit *u) { vunit_free(u); }

extern "C" uint32_t softmax_exp_unit_eval(softmax_exp_unit *u, uint32_t q16)
{
    u->top->u_i = q16;
    u->top->eval();
    return u->top->e_o;
}
