/* Device kernels of the GPU baseline (included by gpu_bert.cu only).
 * Every kernel is a template over the storage type T (float or __half);
 * all arithmetic is fp32. Kernels are kept simple on purpose: one block per
 * row for the row-wise ops, one thread per element (grid-stride loops) for
 * the elementwise ops.
 *
 * Packed layout (see gpu_bert.h): row r of an activation belongs to
 * sequence row_seq[r] at position row_pos[r]; sequence b starts at row
 * seq_off[b] and has seq_len[b] rows.
 *
 * Head-major attention layout, used for Q, K, V and the attention context:
 *   packed (S_pad == 0): sequence b owns elements [seq_off[b]*H,
 *     (seq_off[b]+seq_len[b])*H), as [heads][seq_len[b]][d];
 *   padded (S_pad > 0, unfused path): sequence b owns elements
 *     [b*S_pad*H, (b+1)*S_pad*H), as [heads][S_pad][d]; rows >= seq_len[b]
 *     are padding (zeroed by the caller).
 * Element (b, h, i, dd) is at  base_b + (h*L_b + i)*d + dd  with
 * (base_b, L_b) = (seq_off[b]*H, seq_len[b]) or (b*S_pad*H, S_pad). */
#ifndef ACCELTRAN_GPU_KERNELS_CUH
#define ACCELTRAN_GPU_KERNELS_CUH

#include <cuda_fp16.h>
#include <stdint.h>

#define GB_ROW_THREADS 256  /* row kernels (layer-norm, pooling) */
#define GB_SMX_THREADS 128  /* softmax rows (<= 512 columns) */
#define GB_EW_THREADS 256   /* elementwise kernels */

__device__ __forceinline__ float gb_tof(float x) { return x; }
__device__ __forceinline__ float gb_tof(__half x) { return __half2float(x); }
template <typename T> __device__ __forceinline__ T gb_fromf(float x);
template <> __device__ __forceinline__ float gb_fromf<float>(float x) { return x; }
template <> __device__ __forceinline__ __half gb_fromf<__half>(float x) { return __float2half_rn(x); }

/* Sum / max over the block; every thread gets the result. blockDim.x must
 * be a multiple of 32 (<= 1024); red has 32 floats of shared memory. The
 * leading __syncthreads lets red be reused by consecutive calls. All
 * threads of the block must call it (no early return before it). */
__device__ __forceinline__ float gb_block_sum(float v, float *red)
{
    for (int o = 16; o > 0; o >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();
    if ((threadIdx.x & 31) == 0)
        red[threadIdx.x >> 5] = v;
    __syncthreads();
    float r = 0.0f;
    const int nw = (int)(blockDim.x >> 5);
    for (int w = 0; w < nw; w++)
        r += red[w];
    return r;
}

__device__ __forceinline__ float gb_block_max(float v, float *red)
{
    for (int o = 16; o > 0; o >>= 1)
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();
    if ((threadIdx.x & 31) == 0)
        red[threadIdx.x >> 5] = v;
    __syncthreads();
    float r = -INFINITY;
    const int nw = (int)(blockDim.x >> 5);
    for (int w = 0; w < nw; w++)
        r = fmaxf(r, red[w]);
    return r;
}

/* Layer-norm of the row held in buf[0..H) (each thread owns the columns
 * c = threadIdx.x + k*blockDim.x, and only touches those), written to out.
 * Two-pass mean / variance in fp32. */
template <typename T>
__device__ __forceinline__ void gb_ln_row(const float *buf, float *red, float s,
                                          const float *__restrict__ g,
                                          const float *__restrict__ b, T *out,
                                          int H, float eps)
{
    const float mean = gb_block_sum(s, red) / (float)H;
    float q = 0.0f;
    for (int c = threadIdx.x; c < H; c += blockDim.x) {
        const float dv = buf[c] - mean;
        q += dv * dv;
    }
    const float var = gb_block_sum(q, red) / (float)H;
    const float rstd = rsqrtf(var + eps);
    for (int c = threadIdx.x; c < H; c += blockDim.x)
        out[c] = gb_fromf<T>((buf[c] - mean) * rstd * g[c] + b[c]);
}

/* ---------------------------------------------------------------- embeddings */

/* Fused: out[r] = LN((word[id_r] + type[0]) + pos[pos_r]). Grid: T blocks;
 * dynamic shared memory (H + 32) floats. */
template <typename T>
__global__ void k_embed_ln(const int32_t *__restrict__ ids,
                           const int32_t *__restrict__ row_pos,
                           const T *__restrict__ word, const T *__restrict__ pos,
                           const T *__restrict__ type0, const float *__restrict__ g,
                           const float *__restrict__ b, T *__restrict__ out,
                           int H, float eps)
{
    extern __shared__ float gb_sm[];
    float *buf = gb_sm, *red = gb_sm + H;
    const size_t r = blockIdx.x;
    const T *w = word + (size_t)ids[r] * H;
    const T *p = pos + (size_t)row_pos[r] * H;
    float s = 0.0f;
    for (int c = threadIdx.x; c < H; c += blockDim.x) {
        const float v = (gb_tof(w[c]) + gb_tof(type0[c])) + gb_tof(p[c]);
        buf[c] = v;
        s += v;
    }
    gb_ln_row<T>(buf, red, s, g, b, out + r * H, H, eps);
}

/* Unfused, step 1: out[r] = (word[id_r] + type[0]) + pos[pos_r]. */
template <typename T>
__global__ void k_embed_sum(const int32_t *__restrict__ ids,
                            const int32_t *__restrict__ row_pos,
                            const T *__restrict__ word, const T *__restrict__ pos,
                            const T *__restrict__ type0, T *__restrict__ out,
                            size_t n, int H)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        const size_t r = i / (size_t)H;
        const int c = (int)(i - r * (size_t)H);
        const float v = (gb_tof(word[(size_t)ids[r] * H + c]) + gb_tof(type0[c])) +
                        gb_tof(pos[(size_t)row_pos[r] * H + c]);
        out[i] = gb_fromf<T>(v);
    }
}

/* ---------------------------------------------------------------- row-wise */

/* Fused (EET): out[r] = LN(x[r] + bias + resid[r]). x is the GEMM output
 * without bias. out must not alias x or resid. Grid: rows blocks; dynamic
 * shared memory (H + 32) floats. */
template <typename T>
__global__ void k_bias_res_ln(const T *__restrict__ x, const T *__restrict__ bias,
                              const T *__restrict__ resid,
                              const float *__restrict__ g,
                              const float *__restrict__ b, T *__restrict__ out,
                              int H, float eps)
{
    extern __shared__ float gb_sm[];
    float *buf = gb_sm, *red = gb_sm + H;
    const size_t r = blockIdx.x;
    float s = 0.0f;
    for (int c = threadIdx.x; c < H; c += blockDim.x) {
        const float v = (gb_tof(x[r * H + c]) + gb_tof(bias[c])) + gb_tof(resid[r * H + c]);
        buf[c] = v;
        s += v;
    }
    gb_ln_row<T>(buf, red, s, g, b, out + r * H, H, eps);
}

/* Unfused: out[r] = LN(x[r]). out must not alias x. */
template <typename T>
__global__ void k_ln(const T *__restrict__ x, const float *__restrict__ g,
                     const float *__restrict__ b, T *__restrict__ out, int H,
                     float eps)
{
    extern __shared__ float gb_sm[];
    float *buf = gb_sm, *red = gb_sm + H;
    const size_t r = blockIdx.x;
    float s = 0.0f;
    for (int c = threadIdx.x; c < H; c += blockDim.x) {
        const float v = gb_tof(x[r * H + c]);
        buf[c] = v;
        s += v;
    }
    gb_ln_row<T>(buf, red, s, g, b, out + r * H, H, eps);
}

/* ---------------------------------------------------------------- elementwise */

/* x[i] += bias[i mod N], x is rows x N. */
template <typename T>
__global__ void k_add_bias(T *__restrict__ x, const T *__restrict__ bias, size_t n, int N)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        x[i] = gb_fromf<T>(gb_tof(x[i]) + gb_tof(bias[i % (size_t)N]));
}

/* x[i] += y[i]. */
template <typename T>
__global__ void k_add(T *__restrict__ x, const T *__restrict__ y, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        x[i] = gb_fromf<T>(gb_tof(x[i]) + gb_tof(y[i]));
}

/* Exact GELU: 0.5 v (1 + erf(v / sqrt 2)) (CUDA's erff: <= 2 ulp). */
__device__ __forceinline__ float gb_gelu(float v)
{
    return 0.5f * v * (1.0f + erff(v * 0.70710678118654752440f));
}

/* Fused (EET): x[i] = GELU(x[i] + bias[i mod N]). */
template <typename T>
__global__ void k_bias_gelu(T *__restrict__ x, const T *__restrict__ bias, size_t n, int N)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        x[i] = gb_fromf<T>(gb_gelu(gb_tof(x[i]) + gb_tof(bias[i % (size_t)N])));
}

/* Unfused: x[i] = GELU(x[i]). */
template <typename T>
__global__ void k_gelu(T *__restrict__ x, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        x[i] = gb_fromf<T>(gb_gelu(gb_tof(x[i])));
}

/* ---------------------------------------------------------------- attention */

/* Split qkv [T, 3H] (bias already added) into head-major q, k, v (layout in
 * the header comment). One thread per element of qkv. */
template <typename T>
__global__ void k_split_qkv(const T *__restrict__ qkv, const int32_t *__restrict__ row_seq,
                            const int32_t *__restrict__ row_pos,
                            const int32_t *__restrict__ seq_off,
                            const int32_t *__restrict__ seq_len, T *__restrict__ q,
                            T *__restrict__ k, T *__restrict__ v, size_t n, int H,
                            int d, int S_pad)
{
    const size_t H3 = 3 * (size_t)H;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        const size_t r = i / H3;
        const int c = (int)(i - r * H3);
        const int which = c / H;       /* 0 q, 1 k, 2 v */
        const int cc = c - which * H;  /* column within q / k / v */
        const int h = cc / d, dd = cc - h * d;
        const int b = row_seq[r], pi = row_pos[r];
        size_t base, L;
        if (S_pad > 0) {
            base = (size_t)b * (size_t)S_pad * (size_t)H;
            L = (size_t)S_pad;
        } else {
            base = (size_t)seq_off[b] * (size_t)H;
            L = (size_t)seq_len[b];
        }
        const size_t dst = base + ((size_t)h * L + (size_t)pi) * (size_t)d + (size_t)dd;
        T *o = which == 0 ? q : (which == 1 ? k : v);
        o[dst] = qkv[i];
    }
}

/* Transpose back: ctx[r][h*d + dd] = ch[(b, h, pos_r, dd)] for the packed
 * [T, H] output. One thread per element of ctx. */
template <typename T>
__global__ void k_merge_heads(const T *__restrict__ ch, const int32_t *__restrict__ row_seq,
                              const int32_t *__restrict__ row_pos,
                              const int32_t *__restrict__ seq_off,
                              const int32_t *__restrict__ seq_len, T *__restrict__ ctx,
                              size_t n, int H, int d, int S_pad)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        const size_t r = i / (size_t)H;
        const int c = (int)(i - r * (size_t)H);
        const int h = c / d, dd = c - h * d;
        const int b = row_seq[r], pi = row_pos[r];
        size_t base, L;
        if (S_pad > 0) {
            base = (size_t)b * (size_t)S_pad * (size_t)H;
            L = (size_t)S_pad;
        } else {
            base = (size_t)seq_off[b] * (size_t)H;
            L = (size_t)seq_len[b];
        }
        ctx[i] = ch[base + ((size_t)h * L + (size_t)pi) * (size_t)d + (size_t)dd];
    }
}

/* Fused (EET, cost-free padding): softmax of row i of head h of sequence b,
 * in place, over that sequence's own len_b columns. Scores of sequence b
 * are [heads][len_b][len_b] at score_off[b]. Grid (max_len, heads, batch);
 * blocks with i >= len_b return at once (the whole block, before any
 * barrier). Block: GB_SMX_THREADS threads, static shared memory. */
template <typename T>
__global__ void k_softmax_len(T *__restrict__ s, const int32_t *__restrict__ seq_len,
                              const int64_t *__restrict__ score_off)
{
    __shared__ float red[32];
    const int i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    const int L = seq_len[b];
    if (i >= L)
        return; /* uniform over the block */
    T *row = s + score_off[b] + ((int64_t)h * L + i) * (int64_t)L;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < L; j += blockDim.x)
        m = fmaxf(m, gb_tof(row[j]));
    m = gb_block_max(m, red);
    float sum = 0.0f;
    for (int j = threadIdx.x; j < L; j += blockDim.x)
        sum += expf(gb_tof(row[j]) - m);
    sum = gb_block_sum(sum, red);
    const float inv = 1.0f / sum;
    for (int j = threadIdx.x; j < L; j += blockDim.x)
        row[j] = gb_fromf<T>(expf(gb_tof(row[j]) - m) * inv);
}

/* Unfused (Hugging Face style): padded scores [batch][heads][S][S], an
 * explicit additive mask [batch][S] (0 for a token, -inf for padding),
 * every one of the S rows computed. Grid (S, heads, batch). Column 0 is
 * never masked (len_b >= 1), so the row maximum is finite. */
template <typename T>
__global__ void k_softmax_mask(T *__restrict__ s, const float *__restrict__ mask, int heads, int S)
{
    __shared__ float red[32];
    const int i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    T *row = s + (((size_t)b * heads + h) * S + i) * (size_t)S;
    const float *mk = mask + (size_t)b * S;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < S; j += blockDim.x)
        m = fmaxf(m, gb_tof(row[j]) + mk[j]);
    m = gb_block_max(m, red);
    float sum = 0.0f;
    for (int j = threadIdx.x; j < S; j += blockDim.x)
        sum += expf(gb_tof(row[j]) + mk[j] - m);
    sum = gb_block_sum(sum, red);
    const float inv = 1.0f / sum;
    for (int j = threadIdx.x; j < S; j += blockDim.x)
        row[j] = gb_fromf<T>(expf(gb_tof(row[j]) + mk[j] - m) * inv);
}

/* ---------------------------------------------------------------- pooling */

/* out[b] = normalize(mean over the len_b rows of x), fp32, norm clamped at
 * 1e-12 (F.normalize). Grid: batch blocks; dynamic shared (H + 32) floats. */
template <typename T>
__global__ void k_mean_pool_l2(const T *__restrict__ x, const int32_t *__restrict__ seq_off,
                               const int32_t *__restrict__ seq_len, float *__restrict__ out,
                               int H)
{
    extern __shared__ float gb_sm[];
    float *buf = gb_sm, *red = gb_sm + H;
    const int b = blockIdx.x;
    const size_t off = (size_t)seq_off[b];
    const int L = seq_len[b];
    float ss = 0.0f;
    for (int c = threadIdx.x; c < H; c += blockDim.x) {
        float a = 0.0f;
        for (int i = 0; i < L; i++)
            a += gb_tof(x[(off + i) * H + c]);
        a /= (float)L;
        buf[c] = a;
        ss += a * a;
    }
    const float nrm = fmaxf(sqrtf(gb_block_sum(ss, red)), 1e-12f);
    for (int c = threadIdx.x; c < H; c += blockDim.x)
        out[(size_t)b * H + c] = buf[c] / nrm;
}

#endif
