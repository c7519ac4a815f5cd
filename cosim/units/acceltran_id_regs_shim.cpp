// Thin C shim over the Verilated acceltran_id_regs; each instance owns its
// VerilatedContext so instances never share simulation state.
#include <new>

#include "Vacceltran_id_regs.h"
#include "acceltran_id_regs_unit.h"
#include "verilated.h"

struct id_regs_unit {
    VerilatedContext ctx;
    Vacceltran_id_regs *top;
};

extern "C" id_regs_unit *id_regs_unit_new(void)
{
    id_regs_unit *u = new (std::nothrow) id_regs_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_id_regs(&u->ctx, "id_regs");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    return u;
}

extern "C" void id_regs_unit_free(id_regs_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" uint32_t id_regs_unit_read(id_regs_unit *u, uint32_t addr, int *hit)
{
    u->top->addr_i = addr;
    u->top->eval();
    *hit = u->top->hit_o;
    return u->top->rdata_o;
}
