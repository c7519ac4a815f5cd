// Thin C shim over the Verilated acceltran_postproc; each instance owns its
// VerilatedContext. Wide ports are VlWide arrays of 32-bit words, packed
// and unpacked here bit by bit range.
#include <cstring>
#include <new>

#include "Vacceltran_postproc.h"
#include "acceltran_postproc_unit.h"
#include "verilated.h"

struct postproc_unit {
    VerilatedContext ctx;
    Vacceltran_postproc *top;
};

namespace {

constexpr int kW = POSTPROC_UNIT_WIDTH;

// Writes the low `bits` bits of v at bit lsb of a little-endian word array.
void put_bits(uint32_t *w, unsigned lsb, unsigned bits, uint64_t v)
{
    for (unsigned b = 0; b < bits; b++) {
        unsigned pos = lsb + b;
        uint32_t m = 1u << (pos & 31);
        if ((v >> b) & 1u)
            w[pos >> 5] |= m;
        else
            w[pos >> 5] &= ~m;
    }
}

uint64_t get_bits(const uint32_t *w, unsigned lsb, unsigned bits)
{
    uint64_t v = 0;
    for (unsigned b = 0; b < bits; b++) {
        unsigned pos = lsb + b;
        v |= (uint64_t)((w[pos >> 5] >> (pos & 31)) & 1u) << b;
    }
    return v;
}

void tick(postproc_unit *u)
{
    u->top->clk_i = 0;
    u->top->eval();
    u->top->clk_i = 1;
    u->top->eval();
}

}  // namespace

static_assert(sizeof(((Vacceltran_postproc *)nullptr)->acc_i) * 8 == kW * 48,
              "Verilated Width differs from POSTPROC_UNIT_WIDTH");
static_assert(sizeof(((Vacceltran_postproc *)nullptr)->y_o) * 8 == kW * 16,
              "Verilated Width differs from POSTPROC_UNIT_WIDTH");

extern "C" void postproc_unit_reset(postproc_unit *u)
{
    u->top->valid_i = 0;
    u->top->rst_ni = 1;
    u->top->clk_i = 0;
    u->top->eval();
    u->top->rst_ni = 0;
    u->top->eval();
    tick(u);
    tick(u);
    u->top->clk_i = 0;
    u->top->eval();
    u->top->rst_ni = 1;
    u->top->eval();
}

extern "C" postproc_unit *postproc_unit_new(void)
{
    postproc_unit *u = new (std::nothrow) postproc_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_postproc(&u->ctx, "postproc");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    postproc_unit_reset(u);
    return u;
}

extern "C" void postproc_unit_free(postproc_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" void postproc_unit_config(postproc_unit *u, const postproc_unit_cfg *c)
{
    Vacceltran_postproc *t = u->top;
    for (int j = 0; j < kW; j++) {
        put_bits(&t->rq_m_i[0], j * 16, 16, c->rq_m[j]);
        put_bits(&t->rq_s_i[0], j * 6, 6, c->rq_s[j]);
    }
    t->gelu_en_i = c->gelu_en ? 1 : 0;
    t->gelu_in_m_i = c->gelu_in_m;
    t->gelu_in_s_i = c->gelu_in_s & 63u;
    t->gelu_out_m_i = c->gelu_out_m;
    t->gelu_out_s_i = c->gelu_out_s & 63u;
    t->tau_i = c->tau;
}

extern "C" void postproc_unit_step(postproc_unit *u, int valid, uint32_t tag, const int64_t *acc,
                                   const int32_t *bias, postproc_unit_out *out)
{
    Vacceltran_postproc *t = u->top;
    t->valid_i = valid ? 1 : 0;
    t->tag_i = tag & 0xffu;
    for (int j = 0; j < kW; j++) {
        put_bits(&t->acc_i[0], j * 48, 48, acc ? (uint64_t)acc[j] : 0);
        put_bits(&t->bias_i[0], j * 32, 32, bias ? (uint32_t)bias[j] : 0);
    }
    tick(u);
    out->valid = t->valid_o;
    out->tag = t->tag_o;
    for (int j = 0; j < kW; j++)
        out->y[j] = (int16_t)(uint16_t)get_bits(&t->y_o[0], j * 16, 16);
    out->mask = t->mask_o;
    out->pruned = t->pruned_o;
}
