/* cpu_gemm: C = A * B^T + bias against a naive double-precision reference
 * (error bound), against the documented float summation order (bit exact),
 * and across thread counts and kernels (bit exact). Random inputs from a
 * seed: ACCELTRAN_TEST_SEED=N to replay; the seed is printed on failure. */
#include <inttypes.h>
#include <stdatomic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_error.h"
#include "check.h"
#include "cpu_gemm.h"
#include "thread_pool.h"

static uint64_t g_seed;
static uint64_t g_rng;

static uint64_t rng_next(void)
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static float rng_float(void) /* uniform in [-1, 1) */
{
    return (float)((double)(rng_next() >> 40) / (double)(1u << 23) - 1.0);
}

static float *rand_mat(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = rng_float();
    return p;
}

typedef struct shape {
    size_t m, n, k, lda, ldb, ldc;
} shape;

static int same_bits(const float *x, const float *y, size_t rows, size_t cols,
                     size_t ld, size_t *bad)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            if (memcmp(&x[i * ld + j], &y[i * ld + j], sizeof(float)) != 0) {
                *bad = i * ld + j;
                return 0;
            }
    return 1;
}

/* One shape: reference checks with 1 thread, then 2 and 3 threads and the
 * SSE kernel must give the same bits. */
static void check_shape(shape s, int with_bias)
{
    float *a = rand_mat(s.m * s.lda);
    float *b = rand_mat(s.n * s.ldb);
    float *bias = with_bias ? rand_mat(s.n) : NULL;
    size_t csz = s.m * s.ldc;
    float *c1 = malloc(csz * sizeof(float));
    float *cn = malloc(csz * sizeof(float));
    for (size_t i = 0; i < csz; i++)
        c1[i] = cn[i] = 12345.0f; /* padding columns must stay untouched */

    at_err err = {0};
    int rc = cpu_gemm_abt(NULL, s.m, s.n, s.k, a, s.lda, b, s.ldb, bias, c1,
                          s.ldc, &err);
    CHECK(rc == 0, "%zux%zux%zu: rc %d %s (seed %" PRIu64 ")", s.m, s.n, s.k,
          rc, err.msg, g_seed);

    double worst = 0.0;
    int exact_ok = 1, bound_ok = 1, pad_ok = 1;
    for (size_t i = 0; i < s.m; i++) {
        for (size_t j = 0; j < s.n; j++) {
            double ref = 0.0, mag = 0.0;
            float f = 0.0f;
            for (size_t k = 0; k < s.k; k++) {
                double p = (double)a[i * s.lda + k] * (double)b[j * s.ldb + k];
                ref += p;
                mag += fabs(p);
                f += a[i * s.lda + k] * b[j * s.ldb + k];
            }
            if (bias) {
                ref += bias[j];
                mag += fabs(bias[j]);
                f = f + bias[j];
            }
            float got = c1[i * s.ldc + j];
            double u = ldexp(1.0, -24);
            double bound = (double)(s.k + 2) * u * mag + 1e-30;
            double e = fabs((double)got - ref);
            if (e / bound > worst)
                worst = e / bound;
            if (e > bound && bound_ok) {
                bound_ok = 0;
                CHECK(e <= bound, "%zux%zux%zu [%zu,%zu]: got %.9g ref %.9g "
                      "bound %.3g (seed %" PRIu64 ")", s.m, s.n, s.k, i, j,
                      got, ref, bound, g_seed);
            }
            if (memcmp(&f, &got, sizeof f) != 0 && exact_ok) {
                exact_ok = 0;
                CHECK(0, "%zux%zux%zu [%zu,%zu]: got %.9g, sequential float "
                      "sum %.9g (seed %" PRIu64 ")", s.m, s.n, s.k, i, j, got,
                      f, g_seed);
            }
        }
        for (size_t j = s.n; j < s.ldc; j++)
            if (c1[i * s.ldc + j] != 12345.0f && pad_ok) {
                pad_ok = 0;
                CHECK(0, "%zux%zux%zu: wrote past n at [%zu,%zu]", s.m, s.n,
                      s.k, i, j);
            }
    }

    for (int t = 2; t <= 3; t++) {
        thread_pool *pool = NULL;
        rc = thread_pool_create(t, &pool, &err);
        CHECK(rc == 0, "pool %d: %s", t, err.msg);
        rc = cpu_gemm_abt(pool, s.m, s.n, s.k, a, s.lda, b, s.ldb, bias, cn,
                          s.ldc, &err);
        CHECK(rc == 0, "rc %d", rc);
        size_t bad = 0;
        CHECK(same_bits(c1, cn, s.m, s.ldc, s.ldc, &bad),
              "%zux%zux%zu: %d threads differ from 1 at %zu: %.9g vs %.9g "
              "(seed %" PRIu64 ")", s.m, s.n, s.k, t, bad, cn[bad], c1[bad],
              g_seed);
        thread_pool_destroy(pool);
    }

    /* The SSE kernel (forced) must match the default one (AVX2 here). */
    setenv("ACCELTRAN_CPU_KERNEL", "sse", 1);
    memset(cn, 0, csz * sizeof(float));
    for (size_t i = 0; i < csz; i++)
        cn[i] = 12345.0f;
    rc = cpu_gemm_abt(NULL, s.m, s.n, s.k, a, s.lda, b, s.ldb, bias, cn,
                      s.ldc, &err);
    unsetenv("ACCELTRAN_CPU_KERNEL");
    size_t bad = 0;
    CHECK(rc == 0 && same_bits(c1, cn, s.m, s.ldc, s.ldc, &bad),
          "%zux%zux%zu: sse kernel differs at %zu: %.9g vs %.9g (seed %" PRIu64
          ")", s.m, s.n, s.k, bad, cn[bad], c1[bad], g_seed);

    free(a);
    free(b);
    free(bias);
    free(c1);
    free(cn);
}

static void test_small_shapes(void)
{
    shape shapes[] = {
        {1, 1, 1, 1, 1, 1},
        {17, 33, 65, 65, 65, 33},
        {300, 7, 129, 129, 129, 7},
        {5, 16, 3, 3, 3, 16},
        {6, 17, 300, 301, 303, 20}, /* strides larger than the rows */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        check_shape(shapes[i], 1);
        check_shape(shapes[i], 0);
    }
}

static void test_blocked_shapes(void)
{
    /* Crosses every block edge: MC (96) rows, KC (256) depth, many panels. */
    shape shapes[] = {
        {97, 161, 513, 513, 513, 161},
        {200, 384, 384, 384, 384, 384},
        {33, 1536, 257, 257, 257, 1536},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        check_shape(shapes[i], 1);
}

static void test_packed_reuse(void)
{
    /* One packed B used for several A's and with m = 0. */
    size_t n = 40, k = 50;
    float *b = rand_mat(n * k), *a = rand_mat(7 * k), *bias = rand_mat(n);
    float c[7 * 40], d[7 * 40];
    at_err err = {0};
    cpu_gemm_b *pb = NULL;
    CHECK(cpu_gemm_pack_b(b, k, n, k, &pb, &err) == 0, "%s", err.msg);
    CHECK(cpu_gemm_b_n(pb) == n && cpu_gemm_b_k(pb) == k, "dims");
    cpu_gemm_packed(NULL, 0, a, k, pb, bias, c, n); /* nothing */
    cpu_gemm_packed(NULL, 7, a, k, pb, bias, c, n);
    cpu_gemm_packed(NULL, 7, a, k, pb, bias, d, n);
    CHECK(memcmp(c, d, sizeof c) == 0, "repeat differs");
    cpu_gemm_b_free(pb);
    cpu_gemm_b_free(NULL);
    free(a);
    free(b);
    free(bias);
}

static void test_errors(void)
{
    float x = 1.0f, y = 0.0f;
    at_err err = {0};
    cpu_gemm_b *pb = (cpu_gemm_b *)&x;
    CHECK(cpu_gemm_pack_b(&x, 1, 0, 1, &pb, &err) == AT_EINVAL && !pb,
          "n = 0 accepted");
    CHECK(cpu_gemm_pack_b(&x, 0, 1, 1, &pb, &err) == AT_EINVAL, "ldb < k");
    CHECK(cpu_gemm_abt(NULL, 1, 1, 2, &x, 1, &x, 2, NULL, &y, 1, &err) ==
              AT_EINVAL, "lda < k accepted");
    CHECK(strstr(err.msg, "cpu_gemm") != NULL, "message: %s", err.msg);
}

typedef struct pool_ctx {
    _Atomic int hits[300];
    _Atomic int bad_worker;
    int size;
} pool_ctx;

static void pool_item(void *ctx, size_t item, int worker)
{
    pool_ctx *pc = ctx;
    pc->hits[item]++;
    if (worker < 0 || worker >= pc->size)
        pc->bad_worker++;
}

static void test_pool(void)
{
    /* parallel_for runs every item exactly once, for several sizes. */
    for (int t = 0; t <= 4; t++) {
        thread_pool *pool = NULL;
        at_err err = {0};
        CHECK(thread_pool_create(t, &pool, &err) == 0, "%s", err.msg);
        int want = t > 0 ? t : thread_pool_online_cpus();
        CHECK(thread_pool_size(pool) == want, "size %d, want %d",
              thread_pool_size(pool), want);
        for (size_t n = 0; n < 300; n += 37) {
            static pool_ctx pc;
            memset(&pc, 0, sizeof pc);
            pc.size = thread_pool_size(pool);
            for (int rep = 0; rep < 3; rep++)
                thread_pool_parallel_for(pool, n, pool_item, &pc);
            for (size_t i = 0; i < 300; i++)
                CHECK(pc.hits[i] == (i < n ? 3 : 0), "t=%d n=%zu item %zu: %d",
                      t, n, i, (int)pc.hits[i]);
            CHECK(pc.bad_worker == 0, "worker index out of range");
        }
        thread_pool_destroy(pool);
    }
    CHECK(thread_pool_size(NULL) == 1, "NULL pool size");
    thread_pool_destroy(NULL);
}

int main(void)
{
    g_seed = check_seed("cpu_gemm", UINT64_C(0xC0FFEE5EED));
    g_rng = g_seed;
    RUN_CASE(test_small_shapes);
    RUN_CASE(test_blocked_shapes);
    RUN_CASE(test_packed_reuse);
    RUN_CASE(test_errors);
    RUN_CASE(test_pool);
    printf("cpu_gemm: kernel %s, seed %" PRIu64 "\n", cpu_gemm_kernel_name(),
           g_seed);
    return check_finish("cpu_gemm");
}
