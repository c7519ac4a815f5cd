/* Blocked fp32 GEMM, C = A * B^T + bias (see cpu_gemm.h for the numerics).
 *
 * Layout (BLIS-like, simplified):
 *   - B (the weights, n x k) is packed once into panels of NR = 16 columns:
 *     panel p holds B[16p .. 16p+15][0..k) as k rows of 16 floats, zero
 *     padded past n. A k-block [k0, k0+kc) of a panel is contiguous.
 *   - The output is cut into tasks of MC rows x NC columns, run on the pool.
 *     A task walks k in blocks of KC; for each block it packs its rows of A
 *     (MR-row micro-panels, k-major) and runs the MR x 16 micro-kernel over
 *     every (column panel, row micro-panel) pair, keeping the running sums
 *     in C between k-blocks (a float accumulator stored as a float: no
 *     rounding change).
 *   - Micro-kernels vectorise over the 16 columns; each output element is
 *     one float accumulator updated in increasing k, so every kernel,
 *     blocking and thread count gives the same bits.
 * Two kernels: AVX2 (6 x 16, eight-float vectors, no FMA) when the CPU has
 * it, otherwise SSE (3 x 16, four-float vectors) — the baseline ISA of
 * -march=x86-64-v2. ACCELTRAN_CPU_KERNEL=sse forces the SSE one (bert_float
 * follows the same choice for its own kernels). */
#include "cpu_gemm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NR 16
#define MC 96  /* multiple of both MRs (6 and 3) */
#define KC 256

struct cpu_gemm_b {
    size_t n, k;
    size_t panels;
    float *data; /* panels * k * NR floats, 64-byte aligned */
};

typedef float v4 __attribute__((vector_size(16)));
typedef float v4u __attribute__((vector_size(16), aligned(4), may_alias));
typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));

/* ------------------------------------------------------------ packing */

int cpu_gemm_pack_b(const float *b, size_t ldb, size_t n, size_t k,
                    cpu_gemm_b **out, at_err *err)
{
    *out = NULL;
    if (!b || n == 0 || k == 0 || ldb < k)
        return at_err_set(err, AT_EINVAL,
                          "cpu_gemm_pack_b: bad arguments (n=%zu k=%zu ldb=%zu)",
                          n, k, ldb);
    size_t panels = (n + NR - 1) / NR;
    if (panels > SIZE_MAX / NR / k / sizeof(float))
        return at_err_set(err, AT_ENOMEM, "cpu_gemm_pack_b: %zu x %zu too large",
                          n, k);
    size_t bytes = panels * NR * k * sizeof(float);
    cpu_gemm_b *p = calloc(1, sizeof *p);
    if (!p)
        return at_err_set(err, AT_ENOMEM, "cpu_gemm_pack_b: out of memory");
    bytes = (bytes + 63) / 64 * 64;
    p->data = aligned_alloc(64, bytes);
    if (!p->data) {
        free(p);
        return at_err_set(err, AT_ENOMEM,
                          "cpu_gemm_pack_b: out of memory (%zu bytes)", bytes);
    }
    p->n = n;
    p->k = k;
    p->panels = panels;
    for (size_t pn = 0; pn < panels; pn++) {
        float *dst = p->data + pn * k * NR;
        size_t j0 = pn * NR;
        size_t nj = n - j0 < NR ? n - j0 : NR;
        for (size_t kk = 0; kk < k; kk++) {
            float *row = dst + kk * NR;
            size_t jj = 0;
            for (; jj < nj; jj++)
                row[jj] = b[(j0 + jj) * ldb + kk];
            for (; jj < NR; jj++)
                row[jj] = 0.0f;
        }
    }
    *out = p;
    return AT_OK;
}

void cpu_gemm_b_free(cpu_gemm_b *b)
{
    if (!b)
        return;
    free(b->data);
    free(b);
}

size_t cpu_gemm_b_n(const cpu_gemm_b *b) { return b->n; }
size_t cpu_gemm_b_k(const cpu_gemm_b *b) { return b->k; }

/* Packs rows [0, m) x cols [0, kc) of a (stride lda) into micro-panels of
 * mr rows: panel p is kc groups of mr floats; rows past m are zero. */
static inline __attribute__((always_inline)) void
pack_a(const float *a, size_t lda, size_t m, size_t kc, size_t mr, float *ap)
{
    for (size_t i0 = 0; i0 < m; i0 += mr) {
        size_t rows = m - i0 < mr ? m - i0 : mr;
        float *dst = ap + i0 * kc;
        for (size_t r = 0; r < rows; r++) {
            const float *src = a + (i0 + r) * lda;
            for (size_t kk = 0; kk < kc; kk++)
                dst[kk * mr + r] = src[kk];
        }
        for (size_t r = rows; r < mr; r++)
            for (size_t kk = 0; kk < kc; kk++)
                dst[kk * mr + r] = 0.0f;
    }
}

/* ------------------------------------------------------------ kernels */

/* 6 x 16 with eight-float vectors: 12 accumulators. */
#define K6_ROW(r)                                                              \
    v8 c##r##0, c##r##1
#define K6_ZERO(r) c##r##0 = z; c##r##1 = z
#define K6_LOAD(r)                                                             \
    c##r##0 = *(const v8u *)(c + (r) * ldc);                                   \
    c##r##1 = *(const v8u *)(c + (r) * ldc + 8)
#define K6_STEP(r)                                                             \
    do {                                                                       \
        float ar = ak[r];                                                      \
        c##r##0 += b0 * ar;                                                    \
        c##r##1 += b1 * ar;                                                    \
    } while (0)
#define K6_BIAS(r) c##r##0 += bb0; c##r##1 += bb1
#define K6_STORE(r)                                                            \
    *(v8u *)(c + (r) * ldc) = c##r##0;                                         \
    *(v8u *)(c + (r) * ldc + 8) = c##r##1

static inline __attribute__((always_inline)) void
kern_6x16(size_t kc, const float *restrict a, const float *restrict b,
          float *restrict c, size_t ldc, int first, const float *bias)
{
    K6_ROW(0); K6_ROW(1); K6_ROW(2); K6_ROW(3); K6_ROW(4); K6_ROW(5);
    if (first) {
        const v8 z = {0};
        K6_ZERO(0); K6_ZERO(1); K6_ZERO(2); K6_ZERO(3); K6_ZERO(4); K6_ZERO(5);
    } else {
        K6_LOAD(0); K6_LOAD(1); K6_LOAD(2); K6_LOAD(3); K6_LOAD(4); K6_LOAD(5);
    }
    for (size_t kk = 0; kk < kc; kk++) {
        const v8 b0 = *(const v8 *)(b + kk * NR);
        const v8 b1 = *(const v8 *)(b + kk * NR + 8);
        const float *ak = a + kk * 6;
        K6_STEP(0); K6_STEP(1); K6_STEP(2); K6_STEP(3); K6_STEP(4); K6_STEP(5);
    }
    if (bias) {
        const v8 bb0 = *(const v8u *)bias, bb1 = *(const v8u *)(bias + 8);
        K6_BIAS(0); K6_BIAS(1); K6_BIAS(2); K6_BIAS(3); K6_BIAS(4); K6_BIAS(5);
    }
    K6_STORE(0); K6_STORE(1); K6_STORE(2); K6_STORE(3); K6_STORE(4); K6_STORE(5);
}

/* 3 x 16 with four-float vectors: 12 accumulators. */
#define K3_ROW(r) v4 c##r##0, c##r##1, c##r##2, c##r##3
#define K3_ZERO(r) c##r##0 = z; c##r##1 = z; c##r##2 = z; c##r##3 = z
#define K3_LOAD(r)                                                             \
    c##r##0 = *(const v4u *)(c + (r) * ldc);                                   \
    c##r##1 = *(const v4u *)(c + (r) * ldc + 4);                               \
    c##r##2 = *(const v4u *)(c + (r) * ldc + 8);                               \
    c##r##3 = *(const v4u *)(c + (r) * ldc + 12)
#define K3_STEP(r)                                                             \
    do {                                                                       \
        float ar = ak[r];                                                      \
        c##r##0 += b0 * ar;                                                    \
        c##r##1 += b1 * ar;                                                    \
        c##r##2 += b2 * ar;                                                    \
        c##r##3 += b3 * ar;                                                    \
    } while (0)
#define K3_BIAS(r) c##r##0 += bb0; c##r##1 += bb1; c##r##2 += bb2; c##r##3 += bb3
#define K3_STORE(r)                                                            \
    *(v4u *)(c + (r) * ldc) = c##r##0;                                         \
    *(v4u *)(c + (r) * ldc + 4) = c##r##1;                                     \
    *(v4u *)(c + (r) * ldc + 8) = c##r##2;                                     \
    *(v4u *)(c + (r) * ldc + 12) = c##r##3

static inline __attribute__((always_inline)) void
kern_3x16(size_t kc, const float *restrict a, const float *restrict b,
          float *restrict c, size_t ldc, int first, const float *bias)
{
    K3_ROW(0); K3_ROW(1); K3_ROW(2);
    if (first) {
        const v4 z = {0};
        K3_ZERO(0); K3_ZERO(1); K3_ZERO(2);
    } else {
        K3_LOAD(0); K3_LOAD(1); K3_LOAD(2);
    }
    for (size_t kk = 0; kk < kc; kk++) {
        const v4 b0 = *(const v4 *)(b + kk * NR);
        const v4 b1 = *(const v4 *)(b + kk * NR + 4);
        const v4 b2 = *(const v4 *)(b + kk * NR + 8);
        const v4 b3 = *(const v4 *)(b + kk * NR + 12);
        const float *ak = a + kk * 3;
        K3_STEP(0); K3_STEP(1); K3_STEP(2);
    }
    if (bias) {
        const v4 bb0 = *(const v4u *)bias, bb1 = *(const v4u *)(bias + 4);
        const v4 bb2 = *(const v4u *)(bias + 8), bb3 = *(const v4u *)(bias + 12);
        K3_BIAS(0); K3_BIAS(1); K3_BIAS(2);
    }
    K3_STORE(0); K3_STORE(1); K3_STORE(2);
}

/* ------------------------------------------------------------ driver */

typedef struct gemm_job {
    size_t m, n, k;
    const float *a;
    size_t lda;
    const cpu_gemm_b *b;
    const float *bias;
    float *c;
    size_t ldc;
    size_t row_blocks, nc; /* tasks: row_blocks x ceil(n / nc) */
    int avx2;
} gemm_job;

/* One output tile, rows [m0, m0+mt) (mt <= MC), columns [n0, n1) (n0 a
 * multiple of NR). The kernel choice is a compile-time constant after
 * inlining, so each wrapper below gets its own straight-line code. */
static inline __attribute__((always_inline)) void
gemm_tile(const gemm_job *j, size_t m0, size_t mt, size_t n0, size_t n1,
          size_t mr, float *ap)
{
    const size_t k = j->k;
    for (size_t k0 = 0; k0 < k; k0 += KC) {
        size_t kc = k - k0 < KC ? k - k0 : KC;
        int first = k0 == 0, last = k0 + kc == k;
        pack_a(j->a + m0 * j->lda + k0, j->lda, mt, kc, mr, ap);
        for (size_t jc = n0; jc < n1; jc += NR) {
            const float *bp = j->b->data + (jc / NR) * k * NR + k0 * NR;
            size_t nc = n1 - jc < NR ? n1 - jc : NR;
            const float *bias = last && j->bias ? j->bias + jc : NULL;
            _Alignas(64) float bias_pad[NR];
            if (bias && nc < NR) {
                memset(bias_pad, 0, sizeof bias_pad);
                memcpy(bias_pad, bias, nc * sizeof(float));
                bias = bias_pad;
            }
            for (size_t i0 = 0; i0 < mt; i0 += mr) {
                size_t rows = mt - i0 < mr ? mt - i0 : mr;
                float *c = j->c + (m0 + i0) * j->ldc + jc;
                const float *apn = ap + i0 * kc;
                if (rows == mr && nc == NR) {
                    if (mr == 6)
                        kern_6x16(kc, apn, bp, c, j->ldc, first, bias);
                    else
                        kern_3x16(kc, apn, bp, c, j->ldc, first, bias);
                    continue;
                }
                _Alignas(64) float tile[6 * NR];
                if (!first)
                    for (size_t r = 0; r < rows; r++)
                        memcpy(tile + r * NR, c + r * j->ldc, nc * sizeof(float));
                if (mr == 6)
                    kern_6x16(kc, apn, bp, tile, NR, first, bias);
                else
                    kern_3x16(kc, apn, bp, tile, NR, first, bias);
                for (size_t r = 0; r < rows; r++)
                    memcpy(c + r * j->ldc, tile + r * NR, nc * sizeof(float));
            }
        }
    }
}

static void gemm_tile_sse(const gemm_job *j, size_t m0, size_t mt, size_t n0,
                          size_t n1)
{
    _Alignas(64) float ap[MC * KC];
    gemm_tile(j, m0, mt, n0, n1, 3, ap);
}

__attribute__((target("avx2"))) static void
gemm_tile_avx2(const gemm_job *j, size_t m0, size_t mt, size_t n0, size_t n1)
{
    _Alignas(64) float ap[MC * KC];
    gemm_tile(j, m0, mt, n0, n1, 6, ap);
}

static void gemm_task(void *ctx, size_t item, int worker)
{
    (void)worker;
    const gemm_job *j = ctx;
    size_t rb = item % j->row_blocks, cb = item / j->row_blocks;
    size_t m0 = rb * MC;
    size_t mt = j->m - m0 < MC ? j->m - m0 : MC;
    size_t n0 = cb * j->nc;
    size_t n1 = n0 + j->nc < j->n ? n0 + j->nc : j->n;
    if (j->avx2)
        gemm_tile_avx2(j, m0, mt, n0, n1);
    else
        gemm_tile_sse(j, m0, mt, n0, n1);
}

static int want_avx2(void)
{
    const char *e = getenv("ACCELTRAN_CPU_KERNEL");
    if (e && strcmp(e, "sse") == 0)
        return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

const char *cpu_gemm_kernel_name(void)
{
    return want_avx2() ? "avx2" : "sse";
}

void cpu_gemm_packed(thread_pool *pool, size_t m, const float *a, size_t lda,
                     const cpu_gemm_b *b, const float *bias, float *c,
                     size_t ldc)
{
    if (m == 0)
        return;
    gemm_job j = {
        .m = m, .n = b->n, .k = b->k, .a = a, .lda = lda, .b = b,
        .bias = bias, .c = c, .ldc = ldc, .avx2 = want_avx2(),
    };
    j.row_blocks = (m + MC - 1) / MC;
    /* Enough column blocks for about eight tasks per thread: items are
     * handed out dynamically, so many tasks even out the short last row
     * block and other threads' interference. */
    size_t threads = (size_t)thread_pool_size(pool);
    size_t want = 8 * threads;
    size_t col_blocks = 1;
    if (threads > 1 && j.row_blocks < want)
        col_blocks = (want + j.row_blocks - 1) / j.row_blocks;
    if (col_blocks > b->panels)
        col_blocks = b->panels;
    size_t panels_per = (b->panels + col_blocks - 1) / col_blocks;
    j.nc = panels_per * NR;
    col_blocks = (b->panels + panels_per - 1) / panels_per;
    thread_pool_parallel_for(pool, j.row_blocks * col_blocks, gemm_task, &j);
}

int cpu_gemm_abt(thread_pool *pool, size_t m, size_t n, size_t k,
                 const float *a, size_t lda, const float *b, size_t ldb,
                 const float *bias, float *c, size_t ldc, at_err *err)
{
    if (m > 0 && (!a || !c || lda < k || ldc < n))
        return at_err_set(err, AT_EINVAL,
                          "cpu_gemm_abt: bad arguments (m=%zu n=%zu k=%zu "
                          "lda=%zu ldc=%zu)", m, n, k, lda, ldc);
    cpu_gemm_b *pb;
    int rc = cpu_gemm_pack_b(b, ldb, n, k, &pb, err);
    if (rc)
        return rc;
    cpu_gemm_packed(pool, m, a, lda, pb, bias, c, ldc);
    cpu_gemm_b_free(pb);
    return AT_OK;
}
