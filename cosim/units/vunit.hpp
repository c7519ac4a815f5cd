// Boilerplate shared by the unit shims (cosim/units/*_shim.cpp): the
// instance (its own VerilatedContext and the Verilated top), creation and
// destruction, the reset and clock sequences, and bit-field access to
// ports of any width. C++17, header-only.
//
// A shim defines its C handle as `struct foo_unit : VUnit<Vfoo> {};`.
#ifndef ACCELTRAN_VUNIT_HPP
#define ACCELTRAN_VUNIT_HPP

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "verilated.h"

// One instance: its own context, so instances never share simulation state.
template <class V> struct VUnit {
    using Top = V;
    VerilatedContext ctx;
    V *top = nullptr;
};

// A new U (derived from VUnit<V>) with its top named `name`; nullptr on
// allocation failure.
template <class U> U *vunit_new(const char *name)
{
    U *u = new (std::nothrow) U;
    if (!u)
        return nullptr;
    u->top = new (std::nothrow) typename U::Top(&u->ctx, name);
    if (!u->top) {
        delete u;
        return nullptr;
    }
    return u;
}

// The same, then init(u) (e.g. the unit's reset) when it was created.
template <class U, class F> U *vunit_new(const char *name, F init)
{
    U *u = vunit_new<U>(name);
    if (u)
        init(u);
    return u;
}

// final(), then frees the top and the instance; u may be nullptr.
template <class U> void vunit_free(U *u)
{
    if (!u)
        return;
    u->top->final();
    delete u->top;
    delete u;
}

// One rising edge, then the clock back low: clk_i 1, eval, 0, eval.
template <class V> void vunit_tick(V *t)
{
    t->clk_i = 1;
    t->eval();
    t->clk_i = 0;
    t->eval();
}

// One rising edge from a low clock, left high: clk_i 0, eval, 1, eval.
template <class V> void vunit_rise(V *t)
{
    t->clk_i = 0;
    t->eval();
    t->clk_i = 1;
    t->eval();
}

// Asynchronous reset: with the clock low, an explicit falling edge of
// rst_ni, held over `edges` vunit_rise edges (0: none), then released (with
// the clock brought low and settled first when release_low). The caller
// drives the other inputs idle before.
template <class V> void vunit_reset(V *t, int edges = 0, bool release_low = false)
{
    t->clk_i = 0;
    t->rst_ni = 1;
    t->eval();
    t->rst_ni = 0;
    t->eval();
    for (int i = 0; i < edges; i++)
        vunit_rise(t);
    if (release_low) {
        t->clk_i = 0;
        t->eval();
    }
    t->rst_ni = 1;
    t->eval();
}

// Bit fields of ports: bits [lsb, lsb + w) of an integral port (up to 64
// bits) or of a VlWide port (32-bit words, word 0 least significant);
// w <= 64.
template <typename T> void wput(T &p, unsigned lsb, unsigned w, uint64_t v)
{
    static_assert(std::is_integral<T>::value, "integral port");
    uint64_t m = w >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << w) - 1);
    uint64_t x = (uint64_t)p;
    x = (x & ~(m << lsb)) | ((v & m) << lsb);
    p = (T)x;
}

template <std::size_t N> void wput(VlWide<N> &p, unsigned lsb, unsigned w, uint64_t v)
{
    while (w) {
        unsigned wi = lsb / 32, sh = lsb % 32;
        unsigned n = 32 - sh < w ? 32 - sh : w;
        uint32_t m = n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1u);
        p[wi] = (p[wi] & ~(m << sh)) | ((uint32_t)(v & m) << sh);
        v >>= n;
        lsb += n;
        w -= n;
    }
}

template <typename T> uint64_t wget(const T &p, unsigned lsb, unsigned w)
{
    static_assert(std::is_integral<T>::value, "integral port");
    uint64_t m = w >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << w) - 1);
    return ((uint64_t)p >> lsb) & m;
}

template <std::size_t N> uint64_t wget(const VlWide<N> &p, unsigned lsb, unsigned w)
{
    uint64_t v = 0;
    unsigned got = 0;
    while (got < w) {
        unsigned wi = lsb / 32, sh = lsb % 32;
        unsigned n = 32 - sh < w - got ? 32 - sh : w - got;
        uint32_t m = n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1u);
        v |= (uint64_t)((p[wi] >> sh) & m) << got;
        got += n;
        lsb += n;
    }
    return v;
}

// The low w bits of v as a signed value (1 <= w <= 64).
inline int64_t vunit_sext(uint64_t v, unsigned w)
{
    return (int64_t)(v << (64 - w)) >> (64 - w);
}

// Lanes: element j of a vector of n fields of w bits is at bit lsb + j*w.
// wput_lanes drives the low w bits of v[j] (zeros when v is nullptr);
// wget_lanes reads them into out[j], sign-extended for a signed T.
template <typename P, typename T>
void wput_lanes(P &p, unsigned lsb, unsigned w, const T *v, unsigned n)
{
    for (unsigned j = 0; j < n; j++)
        wput(p, lsb + j * w, w, v ? (uint64_t)v[j] : 0);
}

template <typename P, typename T>
void wget_lanes(const P &p, unsigned lsb, unsigned w, T *out, unsigned n)
{
    for (unsigned j = 0; j < n; j++) {
        uint64_t x = wget(p, lsb + j * w, w);
        if constexpr (std::is_signed<T>::value)
            out[j] = (T)vunit_sext(x, w);
        else
            out[j] = (T)x;
    }
}

#endif
