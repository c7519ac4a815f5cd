// Thin C shim over the Verilated acceltran_id_regs (vunit.hpp: each
// instance owns its VerilatedContext).
#include "Vacceltran_id_regs.h"
#include "acceltran_id_regs_unit.h"
#include "vunit.hpp"

struct id_regs_unit : VUnit<Vacceltran_id_regs> {};

extern "C" id_regs_unit *id_regs_unit_new(void)
{
    return vunit_new<id_regs_unit>("id_regs");
}

extern "C" void id_regs_unit_free(id_regs_unit *u) { vunit_free(u); }

extern "C" uint32_t id_regs_unit_read(id_regs_unit *u, uint32_t addr, int *hit)
{
    u->top->addr_i = addr;
    u->top->eval();
    *hit = u->top->hit_o;
    return u->top->rdata_o;
}
