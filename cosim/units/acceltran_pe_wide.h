// Bit-field access to Verilated ports of any width (integral types up to
// 64 bits, VlWide above), shared by the PE and PE-array shims. C++ only.
#ifndef ACCELTRAN_PE_WIDE_H
#define ACCELTRAN_PE_WIDE_H

#include <cstdint>
#include <type_traits>

#include "verilated.h"

template <typename T>
static inline void wput(T &p, unsigned lsb, unsigned w, uint64_t v)
{
    static_assert(std::is_integral<T>::value, "integral port");
    uint64_t m = w >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << w) - 1);
    uint64_t x = (uint64_t)p;
    x = (x & ~(m << lsb)) | ((v & m) << lsb);
    p = (T)x;
}

template <std::size_t N>
static inline void wput(VlWide<N> &p, unsigned lsb, unsigned w, uint64_t v)
{
    // fields here are at most 48 bits and never straddle more than 3 words
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

template <typename T>
static inline uint64_t wget(const T &p, unsigned lsb, unsigned w)
{
    static_assert(std::is_integral<T>::value, "integral port");
    uint64_t m = w >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << w) - 1);
    return ((uint64_t)p >> lsb) & m;
}

template <std::size_t N>
static inline uint64_t wget(const VlWide<N> &p, unsigned lsb, unsigned w)
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

static inline int64_t sext48(uint64_t v)
{
    return (int64_t)(v << 16) >> 16;
}

#endif
