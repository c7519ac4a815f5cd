/* The RTL sequential reciprocal acceltran_recip_div (DenWidth 36,
 * QuoWidth 27) against at_recip_div, bit exact, for the operand ranges of
 * softmax (2^52 / sum, sum in [2^26, 2^35], 27 steps) and layer-norm
 * (2^55 / sq, sq in [2^30, 2^31), 26 steps: the same floor, since the
 * quotient fits in 26 bits), plus any (pow2, den) meeting at_recip_div's
 * preconditions for 27 steps; and the handshake: done_o exactly 27 cycles
 * after start, a one-cycle pulse, quo_o held, start ignored while busy,
 * back-to-back starts in the done cycle. Seed: ACCELTRAN_TEST_SEED or fixed. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "acceltran_recip_div_unit.h"
#include "check.h"
#include "numerics.h"

#define QUO_BITS 27
#define DEN_BITS 36

static uint64_t seed_g = 0x5eed2025u;
static uint64_t rng_s;

static uint64_t rng(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* uniform in [lo, hi] */
static uint64_t rng_range(uint64_t lo, uint64_t hi) { return lo + rng() % (hi - lo + 1); }

static recip_div_unit *unit_g;
static int compared_g;

static void compare(unsigned pow2, uint64_t den, unsigned qbits)
{
    int cyc;
    uint64_t want = at_recip_div(pow2, den, qbits);
    uint64_t got = recip_div_unit_run(unit_g, pow2, den, &cyc);
    compared_g++;
    CHECK(got == want && cyc == QUO_BITS,
          "seed 0x%" PRIx64 " 2^%u / %" PRIu64 ": rtl %" PRIu64 " (%d cycles), C %" PRIu64, seed_g,
          pow2, den, got, cyc, want);
}

static void test_softmax_range(void)
{
    const uint64_t lo = 1ull << 26, hi = 1ull << 35;
    uint64_t corners[] = {lo, lo + 1, lo + 2, 3ull << 25, (1ull << 27) - 1, 1ull << 27,
                          (1ull << 27) + 1, (1ull << 34) + 12345, hi - 1, hi};
    for (unsigned i = 0; i < sizeof corners / sizeof corners[0]; i++)
        compare(52, corners[i], 27);
    for (int b = 26; b <= 35; b++) /* every binade, both ends */
        for (int k = 0; k < 200; k++)
            compare(52, rng_range(1ull << b, b == 35 ? hi : (2ull << b) - 1), 27);
    for (int k = 0; k < 20000; k++)
        compare(52, rng_range(lo, hi), 27);
    /* sums of the exp of a row of n: n * 2^26 exactly (uniform rows) */
    for (uint64_t n = 1; n <= 512; n++)
        compare(52, n << 26, 27);
}

static void test_layernorm_range(void)
{
    const uint64_t lo = 1ull << 30, hi = (1ull << 31) - 1;
    uint64_t corners[] = {lo, lo + 1, 3037000499ull /* ~ 2^31.5 / sqrt 2 */, hi - 1, hi};
    for (unsigned i = 0; i < sizeof corners / sizeof corners[0]; i++)
        compare(55, corners[i], 26);
    for (int k = 0; k < 20000; k++)
        compare(55, rng_range(lo, hi), 26);
}

/* Any (pow2, den) inside at_recip_div's preconditions for 27 steps that the
 * 36-bit port holds: den < 2^36 and 2^pow2 < den 2^27. */
static void test_any_valid(void)
{
    int done = 0;
    while (done < 20000) {
        unsigned pow2 = (unsigned)rng_range(0, 62);
        int bits = (int)rng_range(1, DEN_BITS);
        uint64_t den = rng_range(1ull << (bits - 1), (bits == 64 ? ~0ull : (1ull << bits) - 1));
        if ((unsigned __int128)1 << pow2 >= (unsigned __int128)den << QUO_BITS)
            continue;
        compare(pow2, den, QUO_BITS);
        done++;
    }
    for (unsigned pow2 = 0; pow2 <= 62; pow2++) { /* smallest and largest den per pow2 */
        uint64_t dmin = pow2 >= QUO_BITS ? (1ull << (pow2 - QUO_BITS)) + 1 : 1;
        if (dmin < (1ull << DEN_BITS)) {
            compare(pow2, dmin, QUO_BITS);
            compare(pow2, (1ull << DEN_BITS) - 1, QUO_BITS);
        }
    }
}

/* done_o is a single pulse exactly QuoWidth cycles after the start cycle,
 * busy_o covers the cycles between, start_i is ignored while busy, quo_o
 * holds until the next start, and a start in the done cycle is taken. */
static void test_handshake(void)
{
    recip_div_unit *u = unit_g;
    recip_div_unit_reset(u);
    CHECK(!recip_div_unit_busy(u) && !recip_div_unit_done(u), "after reset busy %d done %d",
          recip_div_unit_busy(u), recip_div_unit_done(u));
    uint64_t d1 = 123456789012ull % (1ull << 35) + (1ull << 26), d2 = (1ull << 26) + 77;
    recip_div_unit_drive(u, 1, 52, d1); /* cycle 0: start */
    recip_div_unit_tick(u);
    for (int c = 1; c < QUO_BITS; c++) { /* cycles 1..26: busy; a start is ignored */
        CHECK(recip_div_unit_busy(u) && !recip_div_unit_done(u), "cycle %d busy %d done %d", c,
              recip_div_unit_busy(u), recip_div_unit_done(u));
        recip_div_unit_drive(u, 1, 55, 3); /* garbage start while busy */
        recip_div_unit_tick(u);
    }
    CHECK(recip_div_unit_done(u) && !recip_div_unit_busy(u), "cycle 27: busy %d done %d",
          recip_div_unit_busy(u), recip_div_unit_done(u));
    uint64_t q1 = recip_div_unit_quo(u);
    CHECK(q1 == at_recip_div(52, d1, 27), "q1 rtl %" PRIu64 " C %" PRIu64, q1,
          at_recip_div(52, d1, 27));
    /* back to back: start again in the done cycle */
    recip_div_unit_drive(u, 1, 52, d2);
    recip_div_unit_tick(u);
    recip_div_unit_drive(u, 0, 0, 1);
    int c = 1;
    while (!recip_div_unit_done(u) && c < 100) {
        CHECK(recip_div_unit_busy(u), "second division: not busy at cycle %d", c);
        recip_div_unit_tick(u);
        c++;
    }
    CHECK(c == QUO_BITS, "second division took %d cycles", c);
    uint64_t q2 = recip_div_unit_quo(u);
    CHECK(q2 == at_recip_div(52, d2, 27), "q2 rtl %" PRIu64 " C %" PRIu64, q2,
          at_recip_div(52, d2, 27));
    /* idle: done falls after one cycle, the quotient holds */
    for (int k = 0; k < 10; k++) {
        recip_div_unit_tick(u);
        CHECK(!recip_div_unit_done(u) && !recip_div_unit_busy(u), "idle %d: busy %d done %d", k,
              recip_div_unit_busy(u), recip_div_unit_done(u));
        CHECK(recip_div_unit_quo(u) == q2, "quo not held: %" PRIu64 " want %" PRIu64,
              recip_div_unit_quo(u), q2);
    }
}

int main(void)
{
    seed_g = check_seed("recip_div_" TEST_CONFIG, seed_g);
    rng_s = seed_g;
    unit_g = recip_div_unit_new();
    if (!unit_g) {
        fprintf(stderr, "recip_div_unit_new failed\n");
        return 1;
    }
    RUN_CASE(test_handshake);
    RUN_CASE(test_softmax_range);
    RUN_CASE(test_layernorm_range);
    RUN_CASE(test_any_valid);
    recip_div_unit_free(unit_g);
    printf("recip_div: seed 0x%" PRIx64 ", %d divisions compared\n", seed_g, compared_g);
    return check_finish("recip_div_" TEST_CONFIG);
}
