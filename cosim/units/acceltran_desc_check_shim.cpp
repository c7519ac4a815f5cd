// Thin C shim over the Verilated acceltran_desc_check (vunit.hpp). The
// module is combinational: drive the ports and eval().
#include "Vacceltran_desc_check.h"
#include "acceltran_desc_check_unit.h"
#include "vunit.hpp"

struct desc_check_unit : VUnit<Vacceltran_desc_check> {};

extern "C" desc_check_unit *desc_check_unit_new(void)
{
    return vunit_new<desc_check_unit>("desc_check");
}

extern "C" void desc_check_unit_free(desc_check_unit *u) { vunit_free(u); }

extern "C" void desc_check_unit_windows(desc_check_unit *u, const uint64_t *base,
                                        const uint64_t *size)
{
    for (unsigned i = 0; i < DESC_CHECK_UNIT_WINDOWS; i++) {
        wput(u->top->win_base_i, 64 * i, 64, base[i]);
        wput(u->top->win_size_i, 64 * i, 64, size[i]);
    }
}

extern "C" void desc_check_unit_eval(desc_check_unit *u, const uint32_t *desc, desc_check_out *out)
{
    auto *t = u->top;
    for (unsigned w = 0; w < 16; w++)
        wput(t->desc_i, 32 * w, 32, desc[w]);
    t->eval();
    out->err = t->err_o;
    out->detail = t->detail_o;
    for (unsigned i = 0; i < DESC_CHECK_UNIT_IVS; i++) {
        out->iv[i].valid = (int)wget(t->iv_valid_o, i, 1);
        out->iv[i].wgt = (int)wget(t->iv_wgt_o, i, 1);
        out->iv[i].write = (int)wget(t->iv_write_o, i, 1);
        out->iv[i].first = (uint32_t)wget(t->iv_first_o, 24 * i, 24);
        out->iv[i].last = (uint32_t)wget(t->iv_last_o, 24 * i, 24);
    }
    out->mem_valid = t->mem_valid_o;
    out->mem_lo = t->mem_lo_o;
    out->mem_hi = wget(t->mem_hi_o, 0, 64);
    out->mem_hi_top = (int)wget(t->mem_hi_o, 64, 1);
}
