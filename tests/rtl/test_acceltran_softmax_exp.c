/* The RTL exp datapath acceltran_softmax_exp (2^-u, u Q16 log2 units, Q26
 * out) against at_exp2_neg_q16, bit exact: every fraction f for every
 * integer part z = 0..29 (covers the whole ROM, every segment offset and
 * every shift including the cut to 0 at z >= 28), the largest u values,
 * and random u over the whole 32-bit range. Also checks that the SV ROM
 * constants equal at_exp2_poly indirectly: each segment's c0 is P at t = 0
 * (z = 0), and the full sweep pins c1, c2. Seed: ACCELTRAN_TEST_SEED or fixed. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "acceltran_softmax_exp_unit.h"
#include "check.h"
#include "numerics.h"

static uint64_t seed_g = 0x5eed0e4bu;
static softmax_exp_unit *unit_g;
static long compared_g;
static int mismatches_g;

static void compare(uint32_t u)
{
    uint32_t want = at_exp2_neg_q16(u);
    uint32_t got = softmax_exp_unit_eval(unit_g, u);
    compared_g++;
    if (got != want && mismatches_g++ < 10)
        CHECK(got == want, "seed 0x%" PRIx64 " u 0x%08" PRIx32 ": rtl %" PRIu32 ", C %" PRIu32, seed_g,
              u, got, want);
    else if (got != want)
        check_g.case_failed = 1;
}

static void test_every_f_every_z(void)
{
    for (uint32_t z = 0; z <= 29; z++)
        for (uint32_t f = 0; f < 65536; f++)
            compare(z << 16 | f);
}

static void test_segment_starts(void)
{
    /* P at t = 0 is c0 exactly: the ROM's c0 column, and e(0) = 2^26. */
    for (uint32_t j = 0; j < 8; j++) {
        uint32_t got = softmax_exp_unit_eval(unit_g, j << 13);
        CHECK(got == (uint32_t)at_exp2_poly[j][0], "segment %" PRIu32 ": rtl %" PRIu32 " c0 %" PRId32,
              j, got, at_exp2_poly[j][0]);
    }
    CHECK(softmax_exp_unit_eval(unit_g, 0) == (1u << 26), "e(0) != 2^26");
}

static void test_large_and_random(void)
{
    uint32_t big[] = {0xFFFFFFFFu, 0xFFFF0000u, 0x001BFFFFu, 0x001C0000u, 0x80000000u,
                      0x7FFFFFFFu, 0xFFFE0001u /* 65535 * 65535 */};
    for (unsigned i = 0; i < sizeof big / sizeof big[0]; i++)
        compare(big[i]);
    uint64_t s = seed_g;
    for (int k = 0; k < 1000000; k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t u = (uint32_t)(s >> 32);
        compare(k & 1 ? u : u & 0x1FFFFFu); /* half of them in z < 32 */
    }
}

int main(void)
{
    seed_g = check_seed("softmax_exp_" TEST_CONFIG, seed_g);
    unit_g = softmax_exp_unit_new();
    if (!unit_g) {
        fprintf(stderr, "softmax_exp_unit_new failed\n");
        return 1;
    }
    RUN_CASE(test_segment_starts);
    RUN_CASE(test_every_f_every_z);
    RUN_CASE(test_large_and_random);
    softmax_exp_unit_free(unit_g);
    printf("softmax_exp: seed 0x%" PRIx64 ", %ld values compared, %d mismatches\n", seed_g,
           compared_g, mismatches_g);
    return check_finish("softmax_exp_" TEST_CONFIG);
}
