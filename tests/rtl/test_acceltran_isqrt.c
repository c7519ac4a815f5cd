/* The RTL square root (rtl/acceltran_isqrt.sv) against at_isqrt62, bit for
 * bit: corners, random radicands of every magnitude, exact timing (done_o
 * 31 cycles after start, busy_o in between, root held), starts ignored
 * while busy, back-to-back starts in the done cycle and random idle gaps.
 * Seed: ACCELTRAN_TEST_SEED (default below), printed with every mismatch. */
// rtl-test-configs: tiny
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "acceltran_isqrt_unit.h"
#include "check.h"
#include "numerics.h"

#define STEPS 31
#define RAD_MASK ((UINT64_C(1) << 62) - 1)

static uint64_t seed_g = 0x15C0FFEEu;
static uint64_t rng_g;

static uint64_t rnd(void) /* xorshift64* */
{
    rng_g ^= rng_g >> 12;
    rng_g ^= rng_g << 25;
    rng_g ^= rng_g >> 27;
    return rng_g * UINT64_C(2685821657736338717);
}

/* Runs one root with start held at cycle 0 and checks timing and value. */
static void check_one(isqrt_unit *u, uint64_t n)
{
    isqrt_unit_set(u, 1, n);
    CHECK(!isqrt_unit_busy(u), "busy before start (N=%" PRIu64 ")", n);
    isqrt_unit_tick(u);
    int cyc = 1;
    /* A start while busy must be ignored: drive garbage. */
    isqrt_unit_set(u, 1, (~n) & RAD_MASK);
    while (!isqrt_unit_done(u) && cyc < 100) {
        CHECK(isqrt_unit_busy(u), "not busy at cycle %d (N=%" PRIu64 ")", cyc, n);
        isqrt_unit_tick(u);
        cyc++;
    }
    isqrt_unit_set(u, 0, 0);
    uint64_t want = at_isqrt62(n);
    uint32_t got = isqrt_unit_root(u);
    CHECK(cyc == STEPS, "done after %d cycles, want %d (N=%" PRIu64 ")", cyc, STEPS, n);
    CHECK(got == want, "seed 0x%" PRIx64 " N=%" PRIu64 ": rtl %u, C %" PRIu64, seed_g, n, got, want);
    CHECK(!isqrt_unit_busy(u), "busy in the done cycle");
    isqrt_unit_tick(u);
    CHECK(!isqrt_unit_done(u), "done longer than one cycle");
    CHECK(isqrt_unit_root(u) == got, "root not held");
}

static void test_corners(void)
{
    isqrt_unit *u = isqrt_unit_new();
    CHECK(u != NULL, "isqrt_unit_new");
    if (!u)
        return;
    uint64_t c[] = {0, 1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 255, 256, 65535, 65536,
                    RAD_MASK, RAD_MASK - 1, UINT64_C(1) << 61,
                    (UINT64_C(1) << 60) - 1, UINT64_C(1) << 60, (UINT64_C(1) << 60) + 1,
                    (UINT64_C(1) << 62) - (UINT64_C(1) << 32) + 1, /* (2^31-1)^2 */
                    (UINT64_C(1) << 62) - (UINT64_C(1) << 32),
                    (UINT64_C(1) << 60) + (UINT64_C(1) << 31), (UINT64_C(1) << 60) + (UINT64_C(1) << 31) + 1};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        check_one(u, c[i]);
    /* perfect squares and their neighbours, r across all magnitudes */
    for (int b = 0; b < 31; b++) {
        uint64_t r[] = {UINT64_C(1) << b, (UINT64_C(1) << (b + 1)) - 1};
        for (int j = 0; j < 2; j++) {
            uint64_t s = r[j] * r[j];
            check_one(u, s);
            if (s > 0)
                check_one(u, s - 1);
            check_one(u, s + 1);
        }
    }
    isqrt_unit_free(u);
}

static void test_random(void)
{
    isqrt_unit *u = isqrt_unit_new();
    CHECK(u != NULL, "isqrt_unit_new");
    if (!u)
        return;
    for (int i = 0; i < 3000; i++) {
        uint64_t n;
        switch (i % 4) {
        case 0: n = rnd() & RAD_MASK; break;                          /* uniform */
        case 1: n = rnd() >> (2 + rnd() % 62); break;                  /* any magnitude */
        case 2: { uint64_t r = (rnd() >> 33); n = r * r + rnd() % 3 - 1; n &= RAD_MASK; break; }
        default: n = (UINT64_C(1) << 60) + (rnd() >> 2) % (UINT64_C(3) << 60); break; /* LN range */
        }
        check_one(u, n);
    }
    isqrt_unit_free(u);
}

/* Starts in the done cycle (back to back) and after random gaps; the
 * results must come out in order, one every 31 cycles when back to back. */
static void test_back_to_back(void)
{
    isqrt_unit *u = isqrt_unit_new();
    CHECK(u != NULL, "isqrt_unit_new");
    if (!u)
        return;
    enum { COUNT = 400 };
    uint64_t in[COUNT];
    for (int i = 0; i < COUNT; i++)
        in[i] = (i & 1) ? (rnd() & RAD_MASK) : (rnd() >> (2 + rnd() % 62));
    int issued = 0, done = 0;
    long cycles = 0;
    int gap = 0;
    while (done < COUNT && cycles < 100000) {
        if (isqrt_unit_done(u)) {
            uint64_t want = at_isqrt62(in[done]);
            CHECK(isqrt_unit_root(u) == want, "seed 0x%" PRIx64 " #%d N=%" PRIu64 ": rtl %u, C %" PRIu64,
                  seed_g, done, in[done], isqrt_unit_root(u), want);
            done++;
        }
        int start = 0;
        if (!isqrt_unit_busy(u) && issued < COUNT) {
            if (gap > 0) {
                gap--;
            } else {
                start = 1;
                gap = (rnd() % 4 == 0) ? (int)(rnd() % 5) : 0;
            }
        }
        isqrt_unit_set(u, start, start ? in[issued] : 0);
        if (start)
            issued++;
        isqrt_unit_tick(u);
        cycles++;
    }
    CHECK(done == COUNT, "only %d of %d roots after %ld cycles", done, COUNT, cycles);
    isqrt_unit_free(u);
}

/* Reset in the middle of a root: idle afterwards, and the next root is right. */
static void test_reset(void)
{
    isqrt_unit *u = isqrt_unit_new();
    CHECK(u != NULL, "isqrt_unit_new");
    if (!u)
        return;
    isqrt_unit_set(u, 1, RAD_MASK);
    for (int i = 0; i < 10; i++)
        isqrt_unit_tick(u);
    isqrt_unit_set(u, 0, 0);
    isqrt_unit_reset(u);
    CHECK(!isqrt_unit_busy(u) && !isqrt_unit_done(u) && isqrt_unit_root(u) == 0,
          "state after reset: busy %d done %d root %u", isqrt_unit_busy(u), isqrt_unit_done(u),
          isqrt_unit_root(u));
    check_one(u, 12345678987654321ull & RAD_MASK);
    isqrt_unit_free(u);
}

int main(void)
{
    seed_g = check_seed("isqrt_" TEST_CONFIG, seed_g);
    rng_g = seed_g ? seed_g : 1;
    RUN_CASE(test_corners);
    RUN_CASE(test_random);
    RUN_CASE(test_back_to_back);
    RUN_CASE(test_reset);
    return check_finish("isqrt_" TEST_CONFIG);
}
