/* The activation buffer's bank hash, as rtl/acceltran_spad.sv computes it
 * (fold4 / abank; docs/rtl-compute.md "Scratchpads"): line L lives in bank
 * fold4(L) mod act_banks, fold4 = the XOR of L's eight 4-bit nibbles. It
 * describes the hardware, so it lives here rather than in the driver or
 * the runtime: the RTL unit tests' arbiter models and the bank-load test
 * (tests/fmodel/test_act_bank_load.c) use this one definition. */
#ifndef ACCELTRAN_AT_ACT_BANK_H
#define ACCELTRAN_AT_ACT_BANK_H

#include <stdint.h>

/* XOR of the 4-bit nibbles of line (also the mask sidecar's word bank). */
static inline uint32_t at_act_fold4(uint32_t line)
{
    uint32_t h = 0;
    for (; line; line >>= 4)
        h ^= line & 15u;
    return h;
}

/* Bank of activation line `line` among `banks` banks (a power of two, at
 * most 16: spec/acceltran.json act_banks). 0 or 1 banks: bank 0, so that a
 * caller never divides by zero. */
static inline uint32_t at_act_bank(uint32_t line, uint32_t banks)
{
    return banks > 1u ? at_act_fold4(line) % banks : 0u;
}

#endif
