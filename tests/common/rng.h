/* Seeded random numbers for tests and benchmarks (splitmix64): one stream
 * per program, reseeded by assigning rng_state. Programs print the seed
 * they used so a failure can be replayed. */
#ifndef ACCELTRAN_TEST_RNG_H
#define ACCELTRAN_TEST_RNG_H

#include <math.h>
#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static inline double urand(void)
{
    return (double)(rng_next() >> 11) * 0x1p-53;
}

static inline double uniform(double a, double b)
{
    return a + (b - a) * urand();
}

/* standard normal (Box-Muller) */
static inline double gauss(void)
{
    double u1 = urand(), u2 = urand();
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* uniform integer in [lo, hi], inclusive */
static inline int64_t rand_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

#endif
