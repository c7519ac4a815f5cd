/* Cache-blocked fp32 GEMM for the torch Linear layout:
 *
 *     C[i][j] = sum_k A[i][k] * B[j][k]  (+ bias[j])      A: m x k, B: n x k
 *
 * Numerics (the contract, tested bit for bit): every product is rounded to
 * float and added to a float accumulator that starts at 0, in increasing k
 * order; the bias is added last. That is exactly
 *
 *     float s = 0; for (k...) s += A[i][k] * B[j][k]; C[i][j] = s + bias[j];
 *
 * compiled without FP contraction (ISO C mode: gcc -std=c11 implies
 * -ffp-contract=off). The SIMD kernels vectorise across output columns, never
 * across k, so the result is the same for every thread count, every blocking,
 * and both kernels (SSE and, where the CPU has it, AVX2 without FMA).
 *
 * Work is split over output tiles (rows x columns), never over k, and run on
 * a thread_pool (NULL: the calling thread only). */
#ifndef ACCELTRAN_CPU_GEMM_H
#define ACCELTRAN_CPU_GEMM_H

#include <stddef.h>

#include "at_error.h"
#include "thread_pool.h"

/* B packed into 16-column panels (k-major inside a panel, zero padded), so
 * that constant weights are packed once at model load. */
typedef struct cpu_gemm_b cpu_gemm_b;

/* Packs B (n rows of k floats, row stride ldb >= k). n, k >= 1.
 * Errors: AT_EINVAL, AT_ENOMEM. */
int cpu_gemm_pack_b(const float *b, size_t ldb, size_t n, size_t k,
                    cpu_gemm_b **out, at_err *err);
void cpu_gemm_b_free(cpu_gemm_b *b);
size_t cpu_gemm_b_n(const cpu_gemm_b *b);
size_t cpu_gemm_b_k(const cpu_gemm_b *b);

/* C (m x n, row stride ldc) = A (m x k, row stride lda) * B^T + bias, with n
 * and k those of the packed B; bias may be NULL (then nothing is added).
 * C must not overlap A. m == 0 does nothing. */
void cpu_gemm_packed(thread_pool *pool, size_t m, const float *a, size_t lda,
                     const cpu_gemm_b *b, const float *bias, float *c,
                     size_t ldc);

/* Same with an unpacked B (n x k, row stride ldb): packs it, then runs.
 * Errors: AT_EINVAL, AT_ENOMEM. */
int cpu_gemm_abt(thread_pool *pool, size_t m, size_t n, size_t k,
                 const float *a, size_t lda, const float *b, size_t ldb,
                 const float *bias, float *c, size_t ldc, at_err *err);

/* Name of the kernel family used on this CPU: "avx2" or "sse" ("sse" also
 * when the environment has ACCELTRAN_CPU_KERNEL=sse; read at every call). */
const char *cpu_gemm_kernel_name(void);

#endif
