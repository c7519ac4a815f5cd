/* Tests of the GPU baseline (baselines/cuda/gpu_bert.h) against the CPU
 * float reference (baselines/cpu/bert_float.h) on all-MiniLM-L6-v2
 * ($ACCELTRAN_MODEL_DIR, default models/all-MiniLM-L6-v2) and on a
 * BERT-base-shaped model with random weights. Without a CUDA device every
 * case is skipped and the closing line says so (exit 0).
 *
 * Bounds: fp32 cosine >= 0.9999 per sentence against the CPU reference,
 * fp16 >= 0.999; the published similarity matrix within 1e-3 (fp32) and
 * 5e-3 (fp16); fused against unfused cosine >= 0.99999 (fp32) / 0.9999
 * (fp16); a sentence alone against the same sentence in a batch cosine >=
 * 0.99999 (fp32); bad input rejected with AT_EINVAL. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpu_bert.h"

extern "C" {
#include "bert_float.h"
#include "tokenizer.h"
}
#include "check.h"

#define NCASES 8
#define MAX_BATCH 16
#define MAX_LEN 512

static const char *const k_sent[3] = {"The weather is lovely today.", "It's so sunny outside!",
                                      "He drove to the stadium."};
static const double k_published[3][3] = {
    {1.0000, 0.6660, 0.1046}, {0.6660, 1.0000, 0.1411}, {0.1046, 0.1411, 1.0000}};
static const char *const k_extra[2] = {
    "A man is playing a guitar.",
    "Sentence embeddings map a piece of text to a single vector whose direction "
    "captures its meaning, so that texts about the same thing end up close to "
    "one another. The model used here is a small BERT encoder with six layers, "
    "a hidden size of three hundred and eighty-four and twelve attention heads; "
    "its output is the mean of the last hidden states over the tokens, divided "
    "by its length. Accelerators for such models spend most of their time in "
    "matrix multiplications, and the rest in softmax, layer normalisation and "
    "the GELU activation, which is why those get their own units."};

/* Shared state, created once. */
static bert_model *g_cpu;          /* MiniLM CPU reference */
static gb_host_weights *g_w;       /* MiniLM host weights */
static gb_model *g_gpu[2];         /* MiniLM on the GPU, fp32 / fp16 */
static at_vocab *g_vocab;
static at_tokenizer *g_tok;
static int g_ready;

static double cosine(const float *a, const float *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / (sqrt(aa) * sqrt(bb) + 1e-300);
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (!(d <= m)) /* NaN counts as a difference */
            m = isnan(d) ? INFINITY : d;
    }
    return m;
}

/* A batch of token sequences. */
typedef struct seqs {
    int32_t *ids[MAX_BATCH];
    size_t lens[MAX_BATCH];
    size_t n;
} seqs;

static void seqs_free(seqs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->ids[i]);
    s->n = 0;
}

static int add_text(seqs *s, const char *text)
{
    at_err err;
    memset(&err, 0, sizeof err);
    int32_t *ids = (int32_t *)malloc(MAX_LEN * sizeof(int32_t));
    size_t n = 0;
    if (!ids || at_tokenize(g_tok, text, ids, MAX_LEN, &n, &err)) {
        fprintf(stderr, "  tokenize: %s\n", err.msg);
        free(ids);
        return -1;
    }
    s->ids[s->n] = ids;
    s->lens[s->n++] = n;
    return 0;
}

/* [CLS] random ids [SEP] of length len, from a seed. */
static int add_random(seqs *s, size_t len, uint32_t seed, int vocab)
{
    int32_t *ids = (int32_t *)malloc(len * sizeof(int32_t));
    if (!ids)
        return -1;
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        ids[i] = (int32_t)(1000 % vocab) + (int32_t)(x % (uint32_t)(vocab - 1000 % vocab));
    }
    ids[0] = vocab > 101 ? 101 : 0;
    if (len > 1)
        ids[len - 1] = vocab > 102 ? 102 : 0;
    s->ids[s->n] = ids;
    s->lens[s->n++] = len;
    return 0;
}

static int cpu_embed(const bert_model *m, const seqs *s, float *out)
{
    at_err err;
    memset(&err, 0, sizeof err);
    if (bert_embed(m, (const int32_t *const *)s->ids, s->lens, s->n, NULL, out, &err)) {
        fprintf(stderr, "  cpu: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int gpu_embed(gb_model *m, const seqs *s, gb_path path, int flags, float *out)
{
    at_err err;
    memset(&err, 0, sizeof err);
    if (gb_embed(m, (const int32_t *const *)s->ids, s->lens, s->n, path, flags, out, &err)) {
        fprintf(stderr, "  gpu: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Every sequence of got against want: cosine >= cmin and max |diff| <= dmax. */
static void compare(const char *what, const float *got, const float *want, size_t n, size_t H,
                    double cmin, double dmax)
{
    double worst = 2, worst_d = 0;
    for (size_t b = 0; b < n; b++) {
        double c = cosine(got + b * H, want + b * H, H);
        double d = max_abs_diff(got + b * H, want + b * H, H);
        CHECK(c >= cmin, "%s: sequence %zu: cosine %.9f < %.6f", what, b, c, cmin);
        CHECK(d <= dmax, "%s: sequence %zu: max |diff| %.3g > %.3g", what, b, d, dmax);
        if (c < worst)
            worst = c;
        if (d > worst_d)
            worst_d = d;
    }
    printf("  %-40s worst cosine %.9f, max |diff| %.3g\n", what, worst, worst_d);
}

static int setup(void)
{
    const char *dir = check_model_dir();
    at_err err;
    memset(&err, 0, sizeof err);
    char path[1024];
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    at_tokenizer_opts o;
    memset(&o, 0, sizeof o);
    o.lowercase = 1, o.tokenize_cjk = 1, o.max_len = MAX_LEN;
    if (at_vocab_load(path, &g_vocab, &err) || at_tokenizer_new(g_vocab, &o, &g_tok, &err) ||
        bert_model_load(dir, &g_cpu, &err) || gb_weights_load(dir, &g_w, &err) ||
        gb_model_create(g_w, GB_FP32, 0, MAX_BATCH, MAX_LEN, &g_gpu[0], &err) ||
        gb_model_create(g_w, GB_FP16, 0, MAX_BATCH, MAX_LEN, &g_gpu[1], &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void teardown(void)
{
    gb_model_free(g_gpu[0]);
    gb_model_free(g_gpu[1]);
    gb_weights_free(g_w);
    bert_model_free(g_cpu);
    at_tokenizer_free(g_tok);
    at_vocab_free(g_vocab);
}

/* ------------------------------------------------------------ cases */

static void similarity_case(int prec, double cmin, double sim_tol)
{
    CHECK(g_ready, "setup failed");
    if (!g_ready)
        return;
    seqs s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 3; i++)
        CHECK(add_text(&s, k_sent[i]) == 0, "tokenize");
    const size_t H = 384;
    float ref[3 * 384], got[3 * 384];
    if (s.n == 3 && cpu_embed(g_cpu, &s, ref) == 0 &&
        gpu_embed(g_gpu[prec], &s, GB_FUSED, 0, got) == 0) {
        compare(prec ? "fp16 fused vs cpu (3 sentences)" : "fp32 fused vs cpu (3 sentences)",
                got, ref, 3, H, cmin, prec ? 2e-2 : 1e-3);
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 3; k++) {
                double sim = cosine(got + i * H, got + k * H, H);
                CHECK(fabs(sim - k_published[i][k]) <= sim_tol,
                      "similarity[%d][%d] %.6f vs published %.4f (tolerance %g)", i, k, sim,
                      k_published[i][k], sim_tol);
            }
        printf("  similarity row 1: %.4f %.4f %.4f\n", cosine(got, got, H),
               cosine(got, got + H, H), cosine(got, got + 2 * H, H));
    } else {
        CHECK(0, "embedding failed");
    }
    seqs_free(&s);
}

static void case_similarity_fp32(void) { similarity_case(0, 0.9999, 1e-3); }
static void case_similarity_fp16(void) { similarity_case(1, 0.999, 5e-3); }

/* The mixed-length batch: the 3 sentences, two more (one long), and random
 * ids of lengths 1, 2, 17, 130 and 512. */
static void mixed_batch(seqs *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 3; i++)
        add_text(s, k_sent[i]);
    for (int i = 0; i < 2; i++)
        add_text(s, k_extra[i]);
    static const size_t lens[5] = {1, 2, 17, 130, 512};
    for (int i = 0; i < 5; i++)
        add_random(s, lens[i], (uint32_t)(i + 7), 30522);
}

static void case_mixed_lengths(void)
{
    CHECK(g_ready, "setup failed");
    if (!g_ready)
        return;
    seqs s;
    mixed_batch(&s);
    CHECK(s.n == 10, "batch has %zu sequences", s.n);
    const size_t H = 384;
    float *ref = (float *)malloc(s.n * H * sizeof(float));
    float *got = (float *)malloc(s.n * H * sizeof(float));
    float *fused = (float *)malloc(s.n * H * sizeof(float));
    if (ref && got && fused && cpu_embed(g_cpu, &s, ref) == 0) {
        for (int prec = 0; prec < 2; prec++) {
            const double cmin = prec ? 0.999 : 0.9999, dmax = prec ? 2e-2 : 1e-3;
            char what[96];
            snprintf(what, sizeof what, "%s fused vs cpu (mixed lengths)", prec ? "fp16" : "fp32");
            if (gpu_embed(g_gpu[prec], &s, GB_FUSED, 0, fused) == 0)
                compare(what, fused, ref, s.n, H, cmin, dmax);
            else
                CHECK(0, "%s failed", what);
            snprintf(what, sizeof what, "%s unfused vs cpu (mixed lengths)", prec ? "fp16" : "fp32");
            if (gpu_embed(g_gpu[prec], &s, GB_UNFUSED, 0, got) == 0) {
                compare(what, got, ref, s.n, H, cmin, dmax);
                snprintf(what, sizeof what, "%s unfused vs fused", prec ? "fp16" : "fp32");
                compare(what, got, fused, s.n, H, prec ? 0.9999 : 0.99999, prec ? 1e-2 : 5e-4);
            } else {
                CHECK(0, "%s failed", what);
            }
        }
    } else {
        CHECK(0, "setup of the case failed");
    }
    free(ref);
    free(got);
    free(fused);
    seqs_free(&s);
}

/* Equal lengths take the one-call batched attention path; check it
 * against the per-sequence path (different lengths) and the CPU. */
static void case_equal_lengths(void)
{
    CHECK(g_ready, "setup failed");
    if (!g_ready)
        return;
    seqs s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 4; i++)
        add_random(&s, 128, (uint32_t)(100 + i), 30522);
    const size_t H = 384;
    float ref[4 * 384], got[4 * 384];
    if (cpu_embed(g_cpu, &s, ref) == 0) {
        for (int prec = 0; prec < 2; prec++)
            for (int path = 0; path < 2; path++) {
                char what[96];
                snprintf(what, sizeof what, "%s %s vs cpu (4 x 128 tokens)", prec ? "fp16" : "fp32",
                         path ? "unfused" : "fused");
                if (gpu_embed(g_gpu[prec], &s, (gb_path)path, 0, got) == 0)
                    compare(what, got, ref, s.n, H, prec ? 0.999 : 0.9999, prec ? 2e-2 : 1e-3);
                else
                    CHECK(0, "%s failed", what);
            }
    }
    seqs_free(&s);
}

static void case_batch_invariance(void)
{
    CHECK(g_ready, "setup failed");
    if (!g_ready)
        return;
    seqs s;
    mixed_batch(&s);
    const size_t H = 384;
    float *all = (float *)malloc(s.n * H * sizeof(float));
    float one[384];
    for (int path = 0; path < 2 && all; path++) {
        if (gpu_embed(g_gpu[0], &s, (gb_path)path, 0, all)) {
            CHECK(0, "batch embed failed");
            continue;
        }
        double worst = 2;
        for (size_t b = 0; b < s.n; b++) {
            seqs single;
            memset(&single, 0, sizeof single);
            single.ids[0] = s.ids[b];
            single.lens[0] = s.lens[b];
            single.n = 1;
            if (gpu_embed(g_gpu[0], &single, (gb_path)path, 0, one)) {
                CHECK(0, "single embed failed");
                continue;
            }
            double c = cosine(one, all + b * H, H);
            CHECK(c >= 0.99999, "%s: sequence %zu alone vs in batch: cosine %.9f",
                  path ? "unfused" : "fused", b, c);
            if (c < worst)
                worst = c;
        }
        printf("  fp32 %-8s alone vs in batch: worst cosine %.9f\n", path ? "unfused" : "fused",
               worst);
    }
    free(all);
    seqs_free(&s);
}

static void case_errors(void)
{
    CHECK(g_ready, "setup failed");
    if (!g_ready)
        return;
    gb_model *m = g_gpu[0];
    at_err err;
    memset(&err, 0, sizeof err);
    int32_t good[4] = {101, 2000, 2001, 102};
    int32_t bad_neg[3] = {101, -1, 102};
    int32_t bad_big[3] = {101, 30522, 102};
    const int32_t *ids[MAX_BATCH + 1];
    size_t lens[MAX_BATCH + 1];
    float out[(MAX_BATCH + 1) * 384];
    for (int i = 0; i <= MAX_BATCH; i++)
        ids[i] = good, lens[i] = 4;

    ids[1] = bad_neg, lens[1] = 3;
    int rc = gb_embed(m, ids, lens, 2, GB_FUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "negative id: rc %d (%s)", rc, err.msg);
    CHECK(strstr(err.msg, "sequence 1") && strstr(err.msg, "position 1"),
          "message names the place: %s", err.msg);
    rc = gb_forward(m, GB_FUSED, 0, &err);
    CHECK(rc == AT_EINVAL, "forward after a rejected input: rc %d", rc);
    ids[1] = bad_big;
    rc = gb_embed(m, ids, lens, 2, GB_UNFUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "id == vocab: rc %d (%s)", rc, err.msg);
    ids[1] = good, lens[1] = 0;
    rc = gb_embed(m, ids, lens, 2, GB_FUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "length 0: rc %d (%s)", rc, err.msg);
    lens[1] = MAX_LEN + 1;
    rc = gb_embed(m, ids, lens, 2, GB_FUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "length > max_len: rc %d (%s)", rc, err.msg);
    lens[1] = 4;
    rc = gb_embed(m, ids, lens, 0, GB_FUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "batch 0: rc %d", rc);
    rc = gb_embed(m, ids, lens, MAX_BATCH + 1, GB_FUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "batch > max_batch: rc %d", rc);
    ids[1] = NULL;
    rc = gb_embed(m, ids, lens, 2, GB_FUSED, 0, out, &err);
    CHECK(rc == AT_EINVAL, "NULL sequence: rc %d", rc);
    ids[1] = good;
    CHECK(gb_embed(m, NULL, lens, 2, GB_FUSED, 0, out, &err) == AT_EINVAL, "NULL ids");
    CHECK(gb_embed(m, ids, NULL, 2, GB_FUSED, 0, out, &err) == AT_EINVAL, "NULL lens");
    CHECK(gb_embed(m, ids, lens, 2, GB_FUSED, 0, NULL, &err) == AT_EINVAL, "NULL out");
    CHECK(gb_embed(NULL, ids, lens, 2, GB_FUSED, 0, out, &err) == AT_EINVAL, "NULL model");
    CHECK(gb_embed(m, ids, lens, 2, (gb_path)7, 0, out, &err) == AT_EINVAL, "bad path");
    CHECK(gb_embed(m, ids, lens, 2, GB_FUSED, 0x100, out, &err) == AT_EINVAL, "bad flags");
    gb_model *m2 = NULL;
    CHECK(gb_model_create(g_w, GB_FP32, 0, 1, MAX_LEN + 1, &m2, &err) == AT_EINVAL && !m2,
          "max_len > max_positions accepted");
    CHECK(gb_model_create(g_w, GB_FP32, 0, 0, 8, &m2, &err) == AT_EINVAL && !m2,
          "max_batch 0 accepted");
    /* Still usable after all that. */
    rc = gb_embed(m, ids, lens, 2, GB_FUSED, 0, out, &err);
    CHECK(rc == 0, "good input after errors: rc %d (%s)", rc, err.msg);
    if (rc == 0)
        CHECK(cosine(out, out + 384, 384) > 0.999999, "two equal sequences differ");
}

/* BERT-base shape (hidden 768, 12 heads of 64, FFN 3072), 2 layers and a
 * 2000-token vocabulary to keep the CPU side short, random weights: GPU
 * fp32 / fp16, fused / unfused against the CPU reference, which loads the
 * same weights from a temporary directory. */
static void case_bert_base_shape(void)
{
    bert_config c = gb_bert_base_config();
    c.layers = 2;
    c.vocab_size = 2000;
    at_err err;
    memset(&err, 0, sizeof err);
    gb_host_weights *w = NULL;
    bert_model *cpu = NULL;
    gb_model *g[2] = {NULL, NULL};
    char dir[] = "/tmp/acceltran_test_cuda_XXXXXX";
    char p[128];
    int ok = gb_weights_random(&c, 42, &w, &err) == 0 && mkdtemp(dir) != NULL;
    if (ok) {
        ok = gb_weights_write(w, dir, &err) == 0 && bert_model_load(dir, &cpu, &err) == 0;
        snprintf(p, sizeof p, "%s/config.json", dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/model.safetensors", dir);
        unlink(p);
        rmdir(dir);
    }
    ok = ok && gb_model_create(w, GB_FP32, 0, 4, 256, &g[0], &err) == 0 &&
         gb_model_create(w, GB_FP16, 0, 4, 256, &g[1], &err) == 0;
    CHECK(ok, "setup: %s", err.msg);
    if (ok) {
        seqs s;
        memset(&s, 0, sizeof s);
        add_random(&s, 5, 1, 2000);
        add_random(&s, 128, 2, 2000);
        add_random(&s, 77, 3, 2000);
        add_random(&s, 256, 4, 2000);
        const size_t H = 768;
        float ref[4 * 768], got[4 * 768], fused[4 * 768];
        if (cpu_embed(cpu, &s, ref) == 0) {
            for (int prec = 0; prec < 2; prec++) {
                char what[96];
                snprintf(what, sizeof what, "bert-base %s fused vs cpu", prec ? "fp16" : "fp32");
                if (gpu_embed(g[prec], &s, GB_FUSED, 0, fused) == 0)
                    compare(what, fused, ref, s.n, H, prec ? 0.999 : 0.9999, prec ? 2e-2 : 1e-3);
                else
                    CHECK(0, "%s failed", what);
                snprintf(what, sizeof what, "bert-base %s unfused vs cpu", prec ? "fp16" : "fp32");
                if (gpu_embed(g[prec], &s, GB_UNFUSED, 0, got) == 0)
                    compare(what, got, ref, s.n, H, prec ? 0.999 : 0.9999, prec ? 2e-2 : 1e-3);
                else
                    CHECK(0, "%s failed", what);
            }
        } else {
            CHECK(0, "cpu reference failed");
        }
        seqs_free(&s);
    }
    gb_model_free(g[0]);
    gb_model_free(g[1]);
    bert_model_free(cpu);
    gb_weights_free(w);
}

/* The cuBLASLt GELU_BIAS epilogue (tanh GELU, throughput option): runs
 * and stays close to the exact-erf reference (cosine >= 0.999). Also
 * reports how many GEMMs fell back from cuBLASLt (expected 0). */
static void case_lt_gelu_epilogue(void)
{
    CHECK(g_ready, "setup failed");
    if (!g_ready)
        return;
    seqs s;
    mixed_batch(&s);
    const size_t H = 384;
    float *ref = (float *)malloc(s.n * H * sizeof(float));
    float *got = (float *)malloc(s.n * H * sizeof(float));
    if (ref && got && cpu_embed(g_cpu, &s, ref) == 0) {
        for (int prec = 0; prec < 2; prec++) {
            char what[96];
            snprintf(what, sizeof what, "%s fused + Lt tanh-GELU vs cpu", prec ? "fp16" : "fp32");
            if (gpu_embed(g_gpu[prec], &s, GB_FUSED, GB_FLAG_LT_GELU_TANH, got) == 0)
                compare(what, got, ref, s.n, H, 0.999, 5e-2);
            else
                CHECK(0, "%s failed", what);
            printf("  %s model: %ld GEMMs fell back from cuBLASLt to cublasGemmEx%s\n",
                   prec ? "fp16" : "fp32", gb_model_lt_fallbacks(g_gpu[prec]),
                   gb_model_lt_fallbacks(g_gpu[prec]) ? "  (NOTE: epilogue not offered)" : "");
        }
    } else {
        CHECK(0, "setup of the case failed");
    }
    free(ref);
    free(got);
    seqs_free(&s);
}

int main(void)
{
    at_err err;
    memset(&err, 0, sizeof err);
    if (gb_cuda_available(&err)) {
        fprintf(stderr, "cuda: %s\n", err.msg);
        printf("cuda: 0 passed, 0 failed, %d skipped (no CUDA device)\n", NCASES);
        return 0;
    }
    g_ready = setup() == 0;
    RUN_CASE(case_similarity_fp32);
    RUN_CASE(case_similarity_fp16);
    RUN_CASE(case_mixed_lengths);
    RUN_CASE(case_equal_lengths);
    RUN_CASE(case_batch_invariance);
    RUN_CASE(case_errors);
    RUN_CASE(case_bert_base_shape);
    RUN_CASE(case_lt_gelu_epilogue);
    teardown();
    return check_finish("cuda");
}
