/* EET-style BERT encoder on the GPU: model upload, input packing and the
 * fused and unfused forwards. See gpu_bert.h and docs/gpu-baseline.md.
 *
 * GEMM convention (written down once, used by every GEMM here).
 * Activations are row-major [rows, cols] (ld = cols) and Linear weights are
 * torch's row-major [out, in]. cuBLAS is column-major: a row-major [r, c]
 * buffer read column-major is the c x r matrix (its transpose), ld c. So
 *     Y[M,N] = X[M,K] W[N,K]^T      (row-major)
 * is computed as the column-major
 *     Y^T (N x M, ldc N) = op_T(W buffer: K x N, lda K) * op_N(X buffer: K x M, ldb K)
 * i.e. gemm(transa = T, transb = N, m = N, n = M, k = K, A = W, lda = K,
 *           B = X, ldb = K, C = Y, ldc = N).
 * In cuBLASLt the layouts describe the stored matrices before op:
 *     A: (rows K, cols N, ld K)  B: (K, M, ld K)  C = D: (N, M, ld N),
 * and the bias epilogue adds a vector of length m = N (one value per
 * output feature, broadcast over the M tokens) -- what a Linear bias is.
 *
 * Attention, per (sequence, head) z with L tokens and head size d, on the
 * head-major layout of gpu_kernels.cuh (Q_z, K_z, V_z row-major [L, d]):
 *     S_z[L,L] = alpha Q_z K_z^T   -> the mapping above with X = Q_z, W = K_z:
 *        gemm(T, N, m = L, n = L, k = d, A = K_z, lda d, B = Q_z, ldb d, C = S_z, ldc L)
 *     C_z[L,d] = P_z V_z           -> column-major C^T (d x L) = V^T (d x L) P^T (L x L):
 *        gemm(N, N, m = d, n = L, k = L, A = V_z, lda d, B = P_z, ldb L, C = C_z, ldc d)
 * Strides between consecutive z: L*d for Q, K, V and C, L*L for S. */
#include "gpu_bert.h"

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_kernels.cuh"

/* ------------------------------------------------------------ error checks */

static int gb_cuda_err(cudaError_t e, const char *what, const char *file, int line,
                       at_err *err)
{
    return at_err_set(err, AT_EDEVICE, "%s:%d: %s: %s (%s)", file, line, what,
                      cudaGetErrorString(e), cudaGetErrorName(e));
}

static int gb_blas_err(cublasStatus_t s, const char *what, const char *file, int line,
                       at_err *err)
{
    return at_err_set(err, AT_EDEVICE, "%s:%d: %s: %s (%d)", file, line, what,
                      cublasGetStatusString(s), (int)s);
}

/* Each returns from the enclosing int function with AT_EDEVICE on failure;
 * `err` must be in scope. */
#define CU(call)                                                              \
    do {                                                                      \
        cudaError_t e_ = (call);                                              \
        if (e_ != cudaSuccess)                                                \
            return gb_cuda_err(e_, #call, __FILE__, __LINE__, err);           \
    } while (0)
#define BL(call)                                                              \
    do {                                                                      \
        cublasStatus_t s_ = (call);                                           \
        if (s_ != CUBLAS_STATUS_SUCCESS)                                      \
            return gb_blas_err(s_, #call, __FILE__, __LINE__, err);           \
    } while (0)
/* After every kernel launch: configuration errors surface here. */
#define KL() CU(cudaGetLastError())
#define RC(call)                                                              \
    do {                                                                      \
        int r_ = (call);                                                      \
        if (r_)                                                               \
            return r_;                                                        \
    } while (0)

int gb_cuda_available(at_err *err)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        cudaGetLastError(); /* reset the runtime's last-error value */
        return at_err_set(err, AT_EDEVICE, "no CUDA device found (%s: %s)",
                          cudaGetErrorName(e), cudaGetErrorString(e));
    }
    if (n <= 0)
        return at_err_set(err, AT_EDEVICE, "no CUDA device found (0 devices)");
    return AT_OK;
}

/* ------------------------------------------------------------ model */

#define GB_MAX_PLANS 64
#define GB_LT_WORKSPACE ((size_t)32 << 20)

typedef struct lt_plan {
    int used, ok;
    int M, N, K;
    cublasLtEpilogue_t epi;
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t a, b, c;
    cublasLtMatmulAlgo_t algo;
} lt_plan;

typedef struct gb_dlayer {
    void *qkv_w, *qkv_b, *ao_w, *ao_b, *fi_w, *fi_b, *fo_w, *fo_b; /* T */
    float *ln1_g, *ln1_b, *ln2_g, *ln2_b;                           /* fp32 */
} gb_dlayer;

struct gb_model {
    bert_config cfg;
    gb_precision prec;
    int device;
    size_t esz;             /* bytes per stored element */
    cudaDataType_t dt;
    int max_batch, max_len;
    size_t max_tokens;      /* max_batch * max_len */
    cudaStream_t stream;
    cublasHandle_t blas;
    cublasLtHandle_t lt;
    void *ws;               /* cuBLASLt workspace */
    void *word, *pos, *type;
    float *emb_g, *emb_b;
    gb_dlayer *layers;
    /* activations (T = stored type) */
    void *x, *x1, *tmp, *qkv, *ctx, *ffn; /* packed [tokens, .] */
    void *q, *k, *v, *ch;   /* head-major, max_tokens * H each */
    void *scores;           /* max_batch * heads * max_len^2 */
    float *out;             /* [max_batch, H] */
    float *mask;            /* [max_batch, max_len], unfused path */
    int32_t *d_ids, *d_row_seq, *d_row_pos, *d_seq_off, *d_seq_len;
    int64_t *d_score_off;
    /* host copy of the current input */
    int32_t *h_ids, *h_row_seq, *h_row_pos, *h_seq_off, *h_seq_len;
    int64_t *h_score_off;
    float *h_mask;
    size_t T, B;
    int S;                  /* longest sequence of the current input */
    int all_equal;          /* every sequence has length S */
    int have_input;
    lt_plan plans[GB_MAX_PLANS];
    int next_plan;
    long lt_fallbacks;
};

const bert_config *gb_model_config(const gb_model *m) { return &m->cfg; }
void *gb_model_stream(gb_model *m) { return (void *)m->stream; }
long gb_model_lt_fallbacks(const gb_model *m) { return m->lt_fallbacks; }

static void plan_destroy(lt_plan *p)
{
    if (p->op) cublasLtMatmulDescDestroy(p->op);
    if (p->a) cublasLtMatrixLayoutDestroy(p->a);
    if (p->b) cublasLtMatrixLayoutDestroy(p->b);
    if (p->c) cublasLtMatrixLayoutDestroy(p->c);
    memset(p, 0, sizeof *p);
}

void gb_model_free(gb_model *m)
{
    if (!m)
        return;
    cudaSetDevice(m->device);
    if (m->stream)
        cudaStreamSynchronize(m->stream);
    for (int i = 0; i < GB_MAX_PLANS; i++)
        plan_destroy(&m->plans[i]);
    if (m->layers) {
        for (int l = 0; l < m->cfg.layers; l++) {
            gb_dlayer *y = &m->layers[l];
            void *p[] = {y->qkv_w, y->qkv_b, y->ao_w, y->ao_b, y->fi_w, y->fi_b,
                         y->fo_w, y->fo_b, y->ln1_g, y->ln1_b, y->ln2_g, y->ln2_b};
            for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
                cudaFree(p[i]);
        }
        free(m->layers);
    }
    void *d[] = {m->ws, m->word, m->pos, m->type, m->emb_g, m->emb_b, m->x, m->x1,
                 m->tmp, m->qkv, m->ctx, m->ffn, m->q, m->k, m->v, m->ch, m->scores,
                 m->out, m->mask, m->d_ids, m->d_row_seq, m->d_row_pos, m->d_seq_off,
                 m->d_seq_len, m->d_score_off};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        cudaFree(d[i]);
    if (m->lt)
        cublasLtDestroy(m->lt);
    if (m->blas)
        cublasDestroy(m->blas);
    if (m->stream)
        cudaStreamDestroy(m->stream);
    free(m->h_ids);
    free(m->h_row_seq);
    free(m->h_row_pos);
    free(m->h_seq_off);
    free(m->h_seq_len);
    free(m->h_score_off);
    free(m->h_mask);
    free(m);
}

/* cudaMalloc of n elements of size esz; n == 0 allocates nothing. */
static int dalloc(void **p, size_t n, size_t esz, at_err *err)
{
    *p = NULL;
    if (n == 0)
        return AT_OK;
    CU(cudaMalloc(p, n * esz));
    return AT_OK;
}

/* Uploads n host floats as fp32 (as_f32) or as the model's type. */
static int upload(gb_model *m, const float *src, size_t n, int as_f32, void **dst,
                  at_err *err)
{
    if (!src)
        return at_err_set(err, AT_EINVAL, "gpu_bert: missing host tensor");
    const size_t esz = as_f32 ? sizeof(float) : m->esz;
    RC(dalloc(dst, n, esz, err));
    if (as_f32 || m->prec == GB_FP32) {
        CU(cudaMemcpy(*dst, src, n * sizeof(float), cudaMemcpyHostToDevice));
        return AT_OK;
    }
    __half *h = (__half *)malloc(n * sizeof(__half));
    if (!h)
        return at_err_set(err, AT_ENOMEM, "gpu_bert: out of memory");
    for (size_t i = 0; i < n; i++)
        h[i] = __float2half_rn(src[i]);
    cudaError_t e = cudaMemcpy(*dst, h, n * sizeof(__half), cudaMemcpyHostToDevice);
    free(h);
    CU(e);
    return AT_OK;
}

static int create_inner(gb_model *m, const gb_host_weights *w, at_err *err)
{
    const bert_config *c = &m->cfg;
    const size_t H = (size_t)c->hidden, I = (size_t)c->intermediate;
    const size_t heads = (size_t)c->heads;
    const size_t MT = m->max_tokens, MB = (size_t)m->max_batch, ML = (size_t)m->max_len;

    CU(cudaSetDevice(m->device));
    CU(cudaStreamCreateWithFlags(&m->stream, cudaStreamNonBlocking));
    BL(cublasCreate(&m->blas));
    BL(cublasSetStream(m->blas, m->stream));
    /* Plain fp32 math: no TF32 (CUBLAS_COMPUTE_32F below also asks for it). */
    BL(cublasSetMathMode(m->blas, CUBLAS_DEFAULT_MATH));
    BL(cublasLtCreate(&m->lt));
    RC(dalloc(&m->ws, GB_LT_WORKSPACE, 1, err));

    RC(upload(m, w->word, (size_t)c->vocab_size * H, 0, &m->word, err));
    RC(upload(m, w->pos, (size_t)c->max_positions * H, 0, &m->pos, err));
    RC(upload(m, w->type, (size_t)c->type_vocab * H, 0, &m->type, err));
    RC(upload(m, w->emb_ln_g, H, 1, (void **)&m->emb_g, err));
    RC(upload(m, w->emb_ln_b, H, 1, (void **)&m->emb_b, err));
    m->layers = (gb_dlayer *)calloc((size_t)c->layers, sizeof *m->layers);
    if (!m->layers)
        return at_err_set(err, AT_ENOMEM, "gpu_bert: out of memory");
    for (int l = 0; l < c->layers; l++) {
        const gb_host_layer *s = &w->layers[l];
        gb_dlayer *y = &m->layers[l];
        RC(upload(m, s->qkv_w, 3 * H * H, 0, &y->qkv_w, err));
        RC(upload(m, s->qkv_b, 3 * H, 0, &y->qkv_b, err));
        RC(upload(m, s->ao_w, H * H, 0, &y->ao_w, err));
        RC(upload(m, s->ao_b, H, 0, &y->ao_b, err));
        RC(upload(m, s->fi_w, I * H, 0, &y->fi_w, err));
        RC(upload(m, s->fi_b, I, 0, &y->fi_b, err));
        RC(upload(m, s->fo_w, H * I, 0, &y->fo_w, err));
        RC(upload(m, s->fo_b, H, 0, &y->fo_b, err));
        RC(upload(m, s->ln1_g, H, 1, (void **)&y->ln1_g, err));
        RC(upload(m, s->ln1_b, H, 1, (void **)&y->ln1_b, err));
        RC(upload(m, s->ln2_g, H, 1, (void **)&y->ln2_g, err));
        RC(upload(m, s->ln2_b, H, 1, (void **)&y->ln2_b, err));
    }

    const size_t e = m->esz;
    RC(dalloc(&m->x, MT * H, e, err));
    RC(dalloc(&m->x1, MT * H, e, err));
    RC(dalloc(&m->tmp, MT * H, e, err));
    RC(dalloc(&m->qkv, MT * 3 * H, e, err));
    RC(dalloc(&m->ctx, MT * H, e, err));
    RC(dalloc(&m->ffn, MT * I, e, err));
    RC(dalloc(&m->q, MT * H, e, err));
    RC(dalloc(&m->k, MT * H, e, err));
    RC(dalloc(&m->v, MT * H, e, err));
    RC(dalloc(&m->ch, MT * H, e, err));
    /* fused: sum_b heads len_b^2 <= heads * max_len * sum_b len_b <= this;
     * unfused: batch * heads * S^2 <= this. */
    RC(dalloc(&m->scores, MB * heads * ML * ML, e, err));
    RC(dalloc((void **)&m->out, MB * H, sizeof(float), err));
    RC(dalloc((void **)&m->mask, MB * ML, sizeof(float), err));
    RC(dalloc((void **)&m->d_ids, MT, sizeof(int32_t), err));
    RC(dalloc((void **)&m->d_row_seq, MT, sizeof(int32_t), err));
    RC(dalloc((void **)&m->d_row_pos, MT, sizeof(int32_t), err));
    RC(dalloc((void **)&m->d_seq_off, MB, sizeof(int32_t), err));
    RC(dalloc((void **)&m->d_seq_len, MB, sizeof(int32_t), err));
    RC(dalloc((void **)&m->d_score_off, MB, sizeof(int64_t), err));
    /* Zero the head-major buffers once, so that no NaN bit pattern is ever
     * read (the unfused path re-zeroes its padding every call). */
    CU(cudaMemset(m->q, 0, MT * H * e));
    CU(cudaMemset(m->k, 0, MT * H * e));
    CU(cudaMemset(m->v, 0, MT * H * e));

    m->h_ids = (int32_t *)malloc(MT * sizeof(int32_t));
    m->h_row_seq = (int32_t *)malloc(MT * sizeof(int32_t));
    m->h_row_pos = (int32_t *)malloc(MT * sizeof(int32_t));
    m->h_seq_off = (int32_t *)malloc(MB * sizeof(int32_t));
    m->h_seq_len = (int32_t *)malloc(MB * sizeof(int32_t));
    m->h_score_off = (int64_t *)malloc(MB * sizeof(int64_t));
    m->h_mask = (float *)malloc(MB * ML * sizeof(float));
    if (!m->h_ids || !m->h_row_seq || !m->h_row_pos || !m->h_seq_off ||
        !m->h_seq_len || !m->h_score_off || !m->h_mask)
        return at_err_set(err, AT_ENOMEM, "gpu_bert: out of memory");
    CU(cudaDeviceSynchronize());
    return AT_OK;
}

int gb_model_create(const gb_host_weights *w, gb_precision prec, int device,
                    int max_batch, int max_len, gb_model **out, at_err *err)
{
    if (!out || !w)
        return at_err_set(err, AT_EINVAL, "gb_model_create: NULL argument");
    *out = NULL;
    const bert_config *c = &w->cfg;
    if (prec != GB_FP32 && prec != GB_FP16)
        return at_err_set(err, AT_EINVAL, "gb_model_create: bad precision %d", (int)prec);
    if (max_batch < 1 || max_len < 1 || max_len > c->max_positions || max_len > 1024 ||
        max_batch > 65535)
        return at_err_set(err, AT_EINVAL,
                          "gb_model_create: max_batch %d must be 1..65535 and "
                          "max_len %d 1..min(%d, 1024)", max_batch, max_len,
                          c->max_positions);
    if (c->hidden < 32 || c->heads < 1 || c->hidden % c->heads || c->hidden > 8192 ||
        c->layers < 1 || c->intermediate < 1 || !w->layers)
        return at_err_set(err, AT_EINVAL, "gb_model_create: unsupported config "
                          "(hidden %d, heads %d)", c->hidden, c->heads);
    /* Index math in the kernels uses size_t; sizes passed to cuBLAS are int. */
    if ((double)max_batch * max_len * c->intermediate > 2e9 ||
        (double)max_batch * c->heads * max_len * (double)max_len > 4e9)
        return at_err_set(err, AT_EINVAL, "gb_model_create: max_batch x max_len too large");
    RC(gb_cuda_available(err));
    gb_model *m = (gb_model *)calloc(1, sizeof *m);
    if (!m)
        return at_err_set(err, AT_ENOMEM, "gb_model_create: out of memory");
    m->cfg = *c;
    m->prec = prec;
    m->device = device;
    m->esz = prec == GB_FP16 ? sizeof(__half) : sizeof(float);
    m->dt = prec == GB_FP16 ? CUDA_R_16F : CUDA_R_32F;
    m->max_batch = max_batch;
    m->max_len = max_len;
    m->max_tokens = (size_t)max_batch * (size_t)max_len;
    int rc = create_inner(m, w, err);
    if (rc) {
        gb_model_free(m);
        return rc;
    }
    *out = m;
    return AT_OK;
}

/* ------------------------------------------------------------ input */

int gb_set_input(gb_model *m, const int32_t *const *ids, const size_t *lens,
                 size_t batch, at_err *err)
{
    if (!m || !ids || !lens)
        return at_err_set(err, AT_EINVAL, "gb_set_input: NULL argument");
    m->have_input = 0;
    if (batch < 1 || batch > (size_t)m->max_batch)
        return at_err_set(err, AT_EINVAL, "gb_set_input: batch %zu must be 1..%d",
                          batch, m->max_batch);
    const int vocab = m->cfg.vocab_size, heads = m->cfg.heads;
    size_t T = 0;
    int S = 0, eq = 1;
    int64_t soff = 0;
    for (size_t b = 0; b < batch; b++) {
        if (!ids[b])
            return at_err_set(err, AT_EINVAL, "gb_set_input: sequence %zu: ids is NULL", b);
        if (lens[b] < 1 || lens[b] > (size_t)m->max_len)
            return at_err_set(err, AT_EINVAL,
                              "gb_set_input: sequence %zu: length %zu must be 1..%d",
                              b, lens[b], m->max_len);
        for (size_t i = 0; i < lens[b]; i++)
            if (ids[b][i] < 0 || ids[b][i] >= vocab)
                return at_err_set(err, AT_EINVAL,
                                  "gb_set_input: sequence %zu, position %zu: id %d "
                                  "outside [0, %d)", b, i, (int)ids[b][i], vocab);
        const int L = (int)lens[b];
        m->h_seq_off[b] = (int32_t)T;
        m->h_seq_len[b] = L;
        m->h_score_off[b] = soff;
        soff += (int64_t)heads * L * L;
        for (int i = 0; i < L; i++) {
            m->h_ids[T + (size_t)i] = ids[b][i];
            m->h_row_seq[T + (size_t)i] = (int32_t)b;
            m->h_row_pos[T + (size_t)i] = i;
        }
        T += (size_t)L;
        if (b > 0 && L != S)
            eq = 0;
        if (L > S)
            S = L;
    }
    /* Explicit additive mask of the unfused path, [batch, S]. */
    for (size_t b = 0; b < batch; b++)
        for (int j = 0; j < S; j++)
            m->h_mask[b * (size_t)S + (size_t)j] = j < m->h_seq_len[b] ? 0.0f : -INFINITY;
    m->T = T;
    m->B = batch;
    m->S = S;
    m->all_equal = eq;
    CU(cudaSetDevice(m->device));
    /* The previous forward may still read these buffers: wait for it. The
     * copies go on the model's (non-blocking) stream and are waited for, so
     * that no kernel can start before its input has landed (a plain
     * cudaMemcpy from pageable memory may return before the DMA is done
     * and does not order against a non-blocking stream). */
    CU(cudaStreamSynchronize(m->stream));
    cudaStream_t st = m->stream;
    CU(cudaMemcpyAsync(m->d_ids, m->h_ids, T * sizeof(int32_t), cudaMemcpyHostToDevice, st));
    CU(cudaMemcpyAsync(m->d_row_seq, m->h_row_seq, T * sizeof(int32_t), cudaMemcpyHostToDevice, st));
    CU(cudaMemcpyAsync(m->d_row_pos, m->h_row_pos, T * sizeof(int32_t), cudaMemcpyHostToDevice, st));
    CU(cudaMemcpyAsync(m->d_seq_off, m->h_seq_off, batch * sizeof(int32_t), cudaMemcpyHostToDevice, st));
    CU(cudaMemcpyAsync(m->d_seq_len, m->h_seq_len, batch * sizeof(int32_t), cudaMemcpyHostToDevice, st));
    CU(cudaMemcpyAsync(m->d_score_off, m->h_score_off, batch * sizeof(int64_t), cudaMemcpyHostToDevice, st));
    CU(cudaMemcpyAsync(m->mask, m->h_mask, batch * (size_t)S * sizeof(float), cudaMemcpyHostToDevice, st));
    CU(cudaStreamSynchronize(st));
    m->have_input = 1;
    return AT_OK;
}

/* ------------------------------------------------------------ GEMMs */

static const float k_one = 1.0f, k_zero = 0.0f;

static inline void *at_elem(void *p, size_t off, size_t esz) { return (char *)p + off * esz; }

/* Y[M,N] = X[M,K] W[N,K]^T with plain cublasGemmEx (fp32 accumulation). */
static int gemm_plain(gb_model *m, const void *X, const void *W, void *Y, int M, int N,
                      int K, at_err *err)
{
    BL(cublasGemmEx(m->blas, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &k_one, W, m->dt, K, X,
                    m->dt, K, &k_zero, Y, m->dt, N, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return AT_OK;
}

static int launch_blocks(size_t n)
{
    size_t b = (n + GB_EW_THREADS - 1) / GB_EW_THREADS;
    if (b < 1)
        b = 1;
    if (b > 65536)
        b = 65536; /* grid-stride loops cover the rest */
    return (int)b;
}

/* Finds or builds the cuBLASLt plan for (M, N, K, epilogue). */
static int lt_get_plan(gb_model *m, int M, int N, int K, cublasLtEpilogue_t epi,
                       lt_plan **out, at_err *err)
{
    for (int i = 0; i < GB_MAX_PLANS; i++) {
        lt_plan *p = &m->plans[i];
        if (p->used && p->M == M && p->N == N && p->K == K && p->epi == epi) {
            *out = p;
            return AT_OK;
        }
    }
    lt_plan *p = &m->plans[m->next_plan];
    m->next_plan = (m->next_plan + 1) % GB_MAX_PLANS;
    /* The stream is in order and cublasLtMatmul reads the descriptors when
     * it is called, so an evicted plan may be destroyed now. */
    plan_destroy(p);
    p->used = 1;
    p->M = M, p->N = N, p->K = K, p->epi = epi;
    BL(cublasLtMatmulDescCreate(&p->op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    BL(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
    BL(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
    BL(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
    /* Stored matrices (see the convention at the top of this file). */
    BL(cublasLtMatrixLayoutCreate(&p->a, m->dt, (uint64_t)K, (uint64_t)N, (int64_t)K));
    BL(cublasLtMatrixLayoutCreate(&p->b, m->dt, (uint64_t)K, (uint64_t)M, (int64_t)K));
    BL(cublasLtMatrixLayoutCreate(&p->c, m->dt, (uint64_t)N, (uint64_t)M, (int64_t)N));
    cublasLtMatmulPreference_t pref = NULL;
    BL(cublasLtMatmulPreferenceCreate(&pref));
    uint64_t wsz = GB_LT_WORKSPACE;
    cublasStatus_t s = cublasLtMatmulPreferenceSetAttribute(
        pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsz, sizeof wsz);
    cublasLtMatmulHeuristicResult_t res;
    memset(&res, 0, sizeof res);
    int nres = 0;
    if (s == CUBLAS_STATUS_SUCCESS) {
        /* A bias pointer must be set for the heuristic to see the epilogue's
         * bias; any aligned device pointer will do (the real one is set per
         * call): use the workspace. */
        if (epi != CUBLASLT_EPILOGUE_DEFAULT) {
            const void *bp = m->ws;
            s = cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                               &bp, sizeof bp);
        }
        if (s == CUBLAS_STATUS_SUCCESS)
            s = cublasLtMatmulAlgoGetHeuristic(m->lt, p->op, p->a, p->b, p->c, p->c, pref,
                                               1, &res, &nres);
    }
    cublasLtMatmulPreferenceDestroy(pref);
    p->ok = s == CUBLAS_STATUS_SUCCESS && nres > 0 && res.state == CUBLAS_STATUS_SUCCESS;
    if (p->ok)
        p->algo = res.algo;
    *out = p;
    return AT_OK;
}

/* Y[M,N] = epilogue(X W^T + bias) through cuBLASLt. epi: DEFAULT (bias
 * must be NULL), BIAS or GELU_BIAS. If cuBLASLt has no algorithm, falls
 * back to cublasGemmEx + a bias (or bias + exact GELU) kernel and counts
 * the fallback. */
template <typename T>
static int gemm_lt(gb_model *m, const void *X, const void *W, const void *bias,
                   cublasLtEpilogue_t epi, void *Y, int M, int N, int K, at_err *err)
{
    lt_plan *p = NULL;
    RC(lt_get_plan(m, M, N, K, epi, &p, err));
    if (p->ok) {
        if (epi != CUBLASLT_EPILOGUE_DEFAULT)
            BL(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                              &bias, sizeof bias));
        BL(cublasLtMatmul(m->lt, p->op, &k_one, W, p->a, X, p->b, &k_zero, Y, p->c, Y, p->c,
                          &p->algo, m->ws, GB_LT_WORKSPACE, m->stream));
        return AT_OK;
    }
    m->lt_fallbacks++;
    RC(gemm_plain(m, X, W, Y, M, N, K, err));
    const size_t n = (size_t)M * (size_t)N;
    if (epi == CUBLASLT_EPILOGUE_BIAS) {
        k_add_bias<T><<<launch_blocks(n), GB_EW_THREADS, 0, m->stream>>>((T *)Y, (const T *)bias, n, N);
        KL();
    } else if (epi == CUBLASLT_EPILOGUE_GELU_BIAS) {
        k_bias_gelu<T><<<launch_blocks(n), GB_EW_THREADS, 0, m->stream>>>((T *)Y, (const T *)bias, n, N);
        KL();
    }
    return AT_OK;
}

/* Scores S_z = alpha Q_z K_z^T for `count` consecutive (sequence, head)
 * blocks of L tokens (see the top of this file). */
static int attn_scores(gb_model *m, const void *q, const void *k, void *s, int L,
                       int count, float alpha, at_err *err)
{
    const int d = m->cfg.hidden / m->cfg.heads;
    BL(cublasGemmStridedBatchedEx(m->blas, CUBLAS_OP_T, CUBLAS_OP_N, L, L, d, &alpha,
                                  k, m->dt, d, (long long)L * d,
                                  q, m->dt, d, (long long)L * d, &k_zero,
                                  s, m->dt, L, (long long)L * L, count,
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return AT_OK;
}

/* Context C_z = P_z V_z. */
static int attn_pv(gb_model *m, const void *p, const void *v, void *c, int L, int count,
                   at_err *err)
{
    const int d = m->cfg.hidden / m->cfg.heads;
    BL(cublasGemmStridedBatchedEx(m->blas, CUBLAS_OP_N, CUBLAS_OP_N, d, L, L, &k_one,
                                  v, m->dt, d, (long long)L * d,
                                  p, m->dt, L, (long long)L * L, &k_zero,
                                  c, m->dt, d, (long long)L * d, count,
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return AT_OK;
}

/* ------------------------------------------------------------ forwards */

template <typename T>
static int forward_fused(gb_model *m, int flags, at_err *err)
{
    const bert_config *c = &m->cfg;
    const int H = c->hidden, I = c->intermediate, heads = c->heads, d = H / heads;
    const int T_ = (int)m->T, B = (int)m->B, S = m->S;
    const float eps = (float)c->ln_eps, alpha = (float)(1.0 / sqrt((double)d));
    const size_t shm = ((size_t)H + 32) * sizeof(float);
    cudaStream_t st = m->stream;
    const size_t nH = (size_t)T_ * H, n3H = 3 * nH, nI = (size_t)T_ * I;

    k_embed_ln<T><<<T_, GB_ROW_THREADS, shm, st>>>(m->d_ids, m->d_row_pos, (const T *)m->word,
                                                   (const T *)m->pos, (const T *)m->type,
                                                   m->emb_g, m->emb_b, (T *)m->x, H, eps);
    KL();
    for (int l = 0; l < c->layers; l++) {
        const gb_dlayer *y = &m->layers[l];
        /* QKV GEMM, bias in the epilogue; split + transpose to head-major. */
        RC(gemm_lt<T>(m, m->x, y->qkv_w, y->qkv_b, CUBLASLT_EPILOGUE_BIAS, m->qkv, T_, 3 * H, H, err));
        k_split_qkv<T><<<launch_blocks(n3H), GB_EW_THREADS, 0, st>>>(
            (const T *)m->qkv, m->d_row_seq, m->d_row_pos, m->d_seq_off, m->d_seq_len,
            (T *)m->q, (T *)m->k, (T *)m->v, n3H, H, d, 0);
        KL();
        /* Attention on each sequence's own len x len block: one batched GEMM
         * over all (sequence, head) pairs when the lengths are equal,
         * otherwise one batched GEMM over the heads per sequence. */
        if (m->all_equal) {
            RC(attn_scores(m, m->q, m->k, m->scores, S, B * heads, alpha, err));
        } else {
            for (int b = 0; b < B; b++) {
                const size_t o = (size_t)m->h_seq_off[b] * H;
                RC(attn_scores(m, at_elem(m->q, o, m->esz), at_elem(m->k, o, m->esz),
                               at_elem(m->scores, (size_t)m->h_score_off[b], m->esz),
                               m->h_seq_len[b], heads, alpha, err));
            }
        }
        k_softmax_len<T><<<dim3((unsigned)S, (unsigned)heads, (unsigned)B), GB_SMX_THREADS, 0, st>>>(
            (T *)m->scores, m->d_seq_len, m->d_score_off);
        KL();
        if (m->all_equal) {
            RC(attn_pv(m, m->scores, m->v, m->ch, S, B * heads, err));
        } else {
            for (int b = 0; b < B; b++) {
                const size_t o = (size_t)m->h_seq_off[b] * H;
                RC(attn_pv(m, at_elem(m->scores, (size_t)m->h_score_off[b], m->esz),
                           at_elem(m->v, o, m->esz), at_elem(m->ch, o, m->esz),
                           m->h_seq_len[b], heads, err));
            }
        }
        k_merge_heads<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>(
            (const T *)m->ch, m->d_row_seq, m->d_row_pos, m->d_seq_off, m->d_seq_len,
            (T *)m->ctx, nH, H, d, 0);
        KL();
        /* Attention output GEMM; add-bias + residual + layer-norm fused. */
        RC(gemm_lt<T>(m, m->ctx, y->ao_w, NULL, CUBLASLT_EPILOGUE_DEFAULT, m->tmp, T_, H, H, err));
        k_bias_res_ln<T><<<T_, GB_ROW_THREADS, shm, st>>>((const T *)m->tmp, (const T *)y->ao_b,
                                                          (const T *)m->x, y->ln1_g, y->ln1_b,
                                                          (T *)m->x1, H, eps);
        KL();
        /* FFN1 + add-bias + exact GELU (or, on request, cuBLASLt's tanh
         * GELU_BIAS epilogue). */
        if (flags & GB_FLAG_LT_GELU_TANH) {
            RC(gemm_lt<T>(m, m->x1, y->fi_w, y->fi_b, CUBLASLT_EPILOGUE_GELU_BIAS, m->ffn, T_, I, H, err));
        } else {
            RC(gemm_lt<T>(m, m->x1, y->fi_w, NULL, CUBLASLT_EPILOGUE_DEFAULT, m->ffn, T_, I, H, err));
            k_bias_gelu<T><<<launch_blocks(nI), GB_EW_THREADS, 0, st>>>((T *)m->ffn, (const T *)y->fi_b, nI, I);
            KL();
        }
        /* FFN2; add-bias + residual + layer-norm fused; back into x. */
        RC(gemm_lt<T>(m, m->ffn, y->fo_w, NULL, CUBLASLT_EPILOGUE_DEFAULT, m->tmp, T_, H, I, err));
        k_bias_res_ln<T><<<T_, GB_ROW_THREADS, shm, st>>>((const T *)m->tmp, (const T *)y->fo_b,
                                                          (const T *)m->x1, y->ln2_g, y->ln2_b,
                                                          (T *)m->x, H, eps);
        KL();
    }
    k_mean_pool_l2<T><<<B, GB_ROW_THREADS, shm, st>>>((const T *)m->x, m->d_seq_off, m->d_seq_len,
                                                      m->out, H);
    KL();
    return AT_OK;
}

template <typename T>
static int forward_unfused(gb_model *m, at_err *err)
{
    const bert_config *c = &m->cfg;
    const int H = c->hidden, I = c->intermediate, heads = c->heads, d = H / heads;
    const int T_ = (int)m->T, B = (int)m->B, S = m->S;
    const float eps = (float)c->ln_eps, alpha = (float)(1.0 / sqrt((double)d));
    const size_t shm = ((size_t)H + 32) * sizeof(float);
    cudaStream_t st = m->stream;
    const size_t nH = (size_t)T_ * H, n3H = 3 * nH, nI = (size_t)T_ * I;
    const size_t npad = (size_t)B * (size_t)S * (size_t)H; /* padded q / k / v elements */

    k_embed_sum<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>(
        m->d_ids, m->d_row_pos, (const T *)m->word, (const T *)m->pos, (const T *)m->type,
        (T *)m->x1, nH, H);
    KL();
    k_ln<T><<<T_, GB_ROW_THREADS, shm, st>>>((const T *)m->x1, m->emb_g, m->emb_b, (T *)m->x, H, eps);
    KL();
    for (int l = 0; l < c->layers; l++) {
        const gb_dlayer *y = &m->layers[l];
        RC(gemm_plain(m, m->x, y->qkv_w, m->qkv, T_, 3 * H, H, err));
        k_add_bias<T><<<launch_blocks(n3H), GB_EW_THREADS, 0, st>>>((T *)m->qkv, (const T *)y->qkv_b, n3H, 3 * H);
        KL();
        /* Padded [batch, heads, S, d]; padding rows zero. */
        CU(cudaMemsetAsync(m->q, 0, npad * m->esz, st));
        CU(cudaMemsetAsync(m->k, 0, npad * m->esz, st));
        CU(cudaMemsetAsync(m->v, 0, npad * m->esz, st));
        k_split_qkv<T><<<launch_blocks(n3H), GB_EW_THREADS, 0, st>>>(
            (const T *)m->qkv, m->d_row_seq, m->d_row_pos, m->d_seq_off, m->d_seq_len,
            (T *)m->q, (T *)m->k, (T *)m->v, n3H, H, d, S);
        KL();
        RC(attn_scores(m, m->q, m->k, m->scores, S, B * heads, alpha, err));
        k_softmax_mask<T><<<dim3((unsigned)S, (unsigned)heads, (unsigned)B), GB_SMX_THREADS, 0, st>>>(
            (T *)m->scores, m->mask, heads, S);
        KL();
        RC(attn_pv(m, m->scores, m->v, m->ch, S, B * heads, err));
        k_merge_heads<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>(
            (const T *)m->ch, m->d_row_seq, m->d_row_pos, m->d_seq_off, m->d_seq_len,
            (T *)m->ctx, nH, H, d, S);
        KL();
        RC(gemm_plain(m, m->ctx, y->ao_w, m->tmp, T_, H, H, err));
        k_add_bias<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>((T *)m->tmp, (const T *)y->ao_b, nH, H);
        KL();
        k_add<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>((T *)m->tmp, (const T *)m->x, nH);
        KL();
        k_ln<T><<<T_, GB_ROW_THREADS, shm, st>>>((const T *)m->tmp, y->ln1_g, y->ln1_b, (T *)m->x1, H, eps);
        KL();
        RC(gemm_plain(m, m->x1, y->fi_w, m->ffn, T_, I, H, err));
        k_add_bias<T><<<launch_blocks(nI), GB_EW_THREADS, 0, st>>>((T *)m->ffn, (const T *)y->fi_b, nI, I);
        KL();
        k_gelu<T><<<launch_blocks(nI), GB_EW_THREADS, 0, st>>>((T *)m->ffn, nI);
        KL();
        RC(gemm_plain(m, m->ffn, y->fo_w, m->tmp, T_, H, I, err));
        k_add_bias<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>((T *)m->tmp, (const T *)y->fo_b, nH, H);
        KL();
        k_add<T><<<launch_blocks(nH), GB_EW_THREADS, 0, st>>>((T *)m->tmp, (const T *)m->x1, nH);
        KL();
        k_ln<T><<<T_, GB_ROW_THREADS, shm, st>>>((const T *)m->tmp, y->ln2_g, y->ln2_b, (T *)m->x, H, eps);
        KL();
    }
    k_mean_pool_l2<T><<<B, GB_ROW_THREADS, shm, st>>>((const T *)m->x, m->d_seq_off, m->d_seq_len,
                                                      m->out, H);
    KL();
    return AT_OK;
}

int gb_forward(gb_model *m, gb_path path, int flags, at_err *err)
{
    if (!m)
        return at_err_set(err, AT_EINVAL, "gb_forward: model is NULL");
    if (!m->have_input)
        return at_err_set(err, AT_EINVAL, "gb_forward: no valid input set (gb_set_input)");
    if (path != GB_FUSED && path != GB_UNFUSED)
        return at_err_set(err, AT_EINVAL, "gb_forward: bad path %d", (int)path);
    if (flags & ~GB_FLAG_LT_GELU_TANH)
        return at_err_set(err, AT_EINVAL, "gb_forward: unknown flags 0x%x", flags);
    /* Shapes against what create allocated (set_input enforces these). */
    if (m->B < 1 || m->B > (size_t)m->max_batch || m->S < 1 || m->S > m->max_len ||
        m->T > m->max_tokens)
        return at_err_set(err, AT_EINVAL, "gb_forward: input shape outside the model's buffers");
    CU(cudaSetDevice(m->device));
    if (m->prec == GB_FP16)
        return path == GB_FUSED ? forward_fused<__half>(m, flags, err)
                                : forward_unfused<__half>(m, err);
    return path == GB_FUSED ? forward_fused<float>(m, flags, err) : forward_unfused<float>(m, err);
}

int gb_sync(gb_model *m, at_err *err)
{
    if (!m)
        return at_err_set(err, AT_EINVAL, "gb_sync: model is NULL");
    CU(cudaStreamSynchronize(m->stream));
    CU(cudaGetLastError());
    return AT_OK;
}

int gb_get_output(gb_model *m, float *out, at_err *err)
{
    if (!m || !out)
        return at_err_set(err, AT_EINVAL, "gb_get_output: NULL argument");
    if (!m->have_input)
        return at_err_set(err, AT_EINVAL, "gb_get_output: no valid input set");
    CU(cudaSetDevice(m->device));
    CU(cudaMemcpyAsync(out, m->out, m->B * (size_t)m->cfg.hidden * sizeof(float),
                       cudaMemcpyDeviceToHost, m->stream));
    CU(cudaStreamSynchronize(m->stream));
    CU(cudaGetLastError());
    return AT_OK;
}

int gb_embed(gb_model *m, const int32_t *const *ids, const size_t *lens, size_t batch,
             gb_path path, int flags, float *out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "gb_embed: out is NULL");
    RC(gb_set_input(m, ids, lens, batch, err));
    RC(gb_forward(m, path, flags, err));
    return gb_get_output(m, out, err);
}
