// Thin C shim over the Verilated acceltran_softmax; each instance owns its
// VerilatedContext so instances never share simulation state. The 256-bit
// data ports are VlWide arrays of 32-bit words, lane j in bits [16j, 16j+16).
#include <new>

#include "Vacceltran_softmax.h"
#include "acceltran_softmax_unit.h"
#include "verilated.h"

struct softmax_unit {
    VerilatedContext ctx;
    Vacceltran_softmax *top;
};

extern "C" softmax_unit *softmax_unit_new(void)
{
    softmax_unit *u = new (std::nothrow) softmax_unit;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) Vacceltran_softmax(&u->ctx, "softmax");
    if (!u->top) {
        delete u;
        return nullptr;
    }
    softmax_unit_reset(u);
    return u;
}

extern "C" void softmax_unit_free(softmax_unit *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

extern "C" void softmax_unit_tick(softmax_unit *u)
{
    u->top->clk_i = 0;
    u->top->eval();
    u->top->clk_i = 1;
    u->top->eval();
}

extern "C" void softmax_unit_reset(softmax_unit *u)
{
    softmax_unit_drive_in(u, 0, nullptr, 1, 1, 0, 0);
    softmax_unit_drive_out_ready(u, 0);
    u->top->clk_i = 0;
    u->top->rst_ni = 1;
    u->top->eval();
    u->top->rst_ni = 0;
    u->top->eval();
    softmax_unit_tick(u);
    softmax_unit_tick(u);
    u->top->rst_ni = 1;
    u->top->eval();
}

extern "C" void softmax_unit_drive_in(softmax_unit *u, int valid, const int16_t *data, unsigned n,
                                      unsigned len, unsigned m, unsigned s)
{
    u->top->in_valid_i = valid ? 1 : 0;
    for (int w = 0; w < SOFTMAX_UNIT_WIDTH / 2; w++) {
        uint32_t lo = data ? (uint16_t)data[2 * w] : 0, hi = data ? (uint16_t)data[2 * w + 1] : 0;
        u->top->in_data_i[w] = lo | hi << 16;
    }
    u->top->in_n_i = n;
    u->top->in_len_i = len;
    u->top->in_m_i = m;
    u->top->in_s_i = s;
}

extern "C" void softmax_unit_drive_out_ready(softmax_unit *u, int ready)
{
    u->top->out_ready_i = ready ? 1 : 0;
}

extern "C" void softmax_unit_settle(softmax_unit *u)
{
    u->top->clk_i = 0;
    u->top->eval();
}

extern "C" int softmax_unit_in_ready(softmax_unit *u) { return u->top->in_ready_o; }

extern "C" int softmax_unit_out_valid(softmax_unit *u, int16_t *data, int *last)
{
    if (data)
        for (int w = 0; w < SOFTMAX_UNIT_WIDTH / 2; w++) {
            uint32_t v = u->top->out_data_o[w];
            data[2 * w] = (int16_t)(uint16_t)(v & 0xFFFFu);
            data[2 * w + 1] = (int16_t)(uint16_t)(v >> 16);
        }
    if (last)
        *last = u->top->out_last_o;
    return u->top->out_valid_o;
}

extern "C" int softmax_unit_busy(softmax_unit *u) { return u->top->busy_o; }
