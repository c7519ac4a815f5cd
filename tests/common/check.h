/* Minimal test harness: each test binary runs its cases and ends with the
 * plain line "NAME: N passed, N failed, N skipped". tests/run.sh adds them
 * up. A case that cannot run (its backend is not in this build, no device)
 * is counted with check_skip, never as passed.
 * A case fails when any CHECK in it fails; CHECK prints file:line and the
 * message (both sides on mismatch, by convention of the caller's format). */
#ifndef ACCELTRAN_TEST_CHECK_H
#define ACCELTRAN_TEST_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct check_state {
    int case_failed;
    int case_skipped; /* the running case did not run at all (check_skip_case) */
    int passed;
    int failed;
    int skipped;
} check_state;

static check_state check_g; /* per test binary: tests are programs, not a library */

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            check_g.case_failed = 1;                                          \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, \
                    #cond);                                                   \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
    } while (0)

/* Runs one case; fn is a void(void) function. */
#define RUN_CASE(fn)                                                          \
    do {                                                                      \
        check_g.case_failed = check_g.case_skipped = 0;                       \
        fn();                                                                 \
        if (check_g.case_failed) {                                            \
            check_g.failed++;                                                 \
            fprintf(stderr, "FAIL %s\n", #fn);                                \
        } else if (!check_g.case_skipped) {                                   \
            check_g.passed++;                                                 \
        }                                                                     \
    } while (0)

/* Counts n variants of the running case (a backend, a configuration) that
 * cannot run here and says why; the rest of the case still counts. */
#define check_skip(n, ...)                                                    \
    do {                                                                      \
        check_g.skipped += (n);                                               \
        printf("  skipped %d: ", (int)(n));                                   \
        printf(__VA_ARGS__);                                                  \
        putchar('\n');                                                        \
    } while (0)

/* The running case cannot run here at all: counted as skipped, not passed
 * (return from the case right after). */
#define check_skip_case(...)                                                  \
    do {                                                                      \
        check_g.case_skipped = 1;                                             \
        check_skip(1, __VA_ARGS__);                                           \
    } while (0)

/* Prints the closing line and returns the exit status for main. */
static inline int check_finish(const char *suite)
{
    printf("%s: %d passed, %d failed, %d skipped\n", suite, check_g.passed, check_g.failed, check_g.skipped);
    return check_g.failed ? 1 : 0;
}

/* Seed of a test's random cases: $ACCELTRAN_TEST_SEED when set, else def.
 * Printed first, so any failing run can be replayed with that variable. */
static inline uint64_t check_seed(const char *suite, uint64_t def)
{
    const char *s = getenv("ACCELTRAN_TEST_SEED");
    uint64_t seed = (s && *s) ? strtoull(s, NULL, 0) : def;
    printf("%s: seed 0x%" PRIx64 " (replay: ACCELTRAN_TEST_SEED=0x%" PRIx64 ")\n", suite, seed, seed);
    return seed;
}

/* Directory of the unpacked model; tests find it through this. */
static inline const char *check_model_dir(void)
{
    const char *d = getenv("ACCELTRAN_MODEL_DIR");
    return d ? d : "models/all-MiniLM-L6-v2";
}

#endif
