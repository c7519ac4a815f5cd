/* Throughput of the fp32 reference forward (baselines/cpu/bert_float.c):
 * sentence embeddings per second at a fixed sequence length and batch,
 * single-threaded and threaded. Synthetic token ids: [CLS] random ids in
 * [1000, 30000) [SEP], fixed seed. Prints a table and one JSON line;
 * besides the mean over the run it reports the fastest single call. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert_float.h"
#include "cpu_gemm.h"
#include "thread_pool.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: bench_float [--model DIR] [--seq N] [--batch N] "
            "[--threads N] [--seconds S] [--json]\n"
            "  --model DIR   model directory (default $ACCELTRAN_MODEL_DIR or "
            "models/all-MiniLM-L6-v2)\n"
            "  --seq N       tokens per sentence, [CLS] and [SEP] included "
            "(default 128)\n"
            "  --batch N     sentences per call (default 8)\n"
            "  --threads N   threads of the threaded run (default: online "
            "CPUs)\n"
            "  --seconds S   minimum timed seconds per run (default 3)\n"
            "  --json        print only the JSON line\n");
}

/* Times bert_embed with `threads` threads: one warm-up call, then calls
 * until at least `seconds` have passed. Returns sentences per second over
 * the whole run (and in *best those of the fastest single call, a figure
 * that other jobs on a shared machine disturb less), or a negative value
 * on error. */
static double run(const bert_model *m, const int32_t *const *ids,
                  const size_t *lens, size_t batch, int threads, double seconds,
                  float *out, double *best)
{
    bert_run_opts o = {.threads = threads};
    at_err err = {0};
    if (bert_embed(m, ids, lens, batch, &o, out, &err) != 0) {
        fprintf(stderr, "bench_float: %s\n", err.msg);
        return -1;
    }
    long iters = 0;
    double t0 = now_s(), t, fastest = 1e300;
    do {
        double c0 = now_s();
        if (bert_embed(m, ids, lens, batch, &o, out, &err) != 0) {
            fprintf(stderr, "bench_float: %s\n", err.msg);
            return -1;
        }
        double c1 = now_s();
        if (c1 - c0 < fastest)
            fastest = c1 - c0;
        iters++;
        t = c1 - t0;
    } while (t < seconds);
    *best = (double)batch / fastest;
    return (double)iters * (double)batch / t;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("ACCELTRAN_MODEL_DIR");
    if (!dir)
        dir = "models/all-MiniLM-L6-v2";
    long seq = 128, batch = 8;
    int threads = thread_pool_online_cpus(), json_only = 0;
    double seconds = 3.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json_only = 1;
        } else if (v && !strcmp(a, "--model")) {
            dir = v, i++;
        } else if (v && !strcmp(a, "--seq")) {
            seq = strtol(v, NULL, 10), i++;
        } else if (v && !strcmp(a, "--batch")) {
            batch = strtol(v, NULL, 10), i++;
        } else if (v && !strcmp(a, "--threads")) {
            threads = (int)strtol(v, NULL, 10), i++;
        } else if (v && !strcmp(a, "--seconds")) {
            seconds = strtod(v, NULL), i++;
        } else {
            fprintf(stderr, "bench_float: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (threads <= 0)
        threads = thread_pool_online_cpus();
    if (batch < 1 || batch > 4096 || seconds < 0) {
        fprintf(stderr, "bench_float: bad --batch or --seconds\n");
        return 2;
    }

    bert_model *m = NULL;
    at_err err = {0};
    if (bert_model_load(dir, &m, &err) != 0) {
        fprintf(stderr, "bench_float: %s\n", err.msg);
        return 1;
    }
    const bert_config *c = bert_model_config(m);
    if (seq < 2 || seq > c->max_positions) {
        fprintf(stderr, "bench_float: --seq must be 2..%d\n", c->max_positions);
        bert_model_free(m);
        return 2;
    }

    /* Synthetic ids: [CLS] random [SEP], xorshift with a fixed seed. */
    size_t B = (size_t)batch, L = (size_t)seq, H = (size_t)c->hidden;
    int32_t *buf = malloc(B * L * sizeof *buf);
    const int32_t **ids = malloc(B * sizeof *ids);
    size_t *lens = malloc(B * sizeof *lens);
    float *out = malloc(B * H * sizeof *out);
    if (!buf || !ids || !lens || !out) {
        fprintf(stderr, "bench_float: out of memory\n");
        return 1;
    }
    uint32_t x = 12345u;
    for (size_t b = 0; b < B; b++) {
        int32_t *s = buf + b * L;
        for (size_t t = 0; t < L; t++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            s[t] = 1000 + (int32_t)(x % 29000u);
        }
        s[0] = 101;
        s[L - 1] = 102;
        ids[b] = s;
        lens[b] = L;
    }

    if (!json_only)
        printf("fp32 reference forward, %s, seq %zu, batch %zu, GEMM kernel "
               "%s, >= %.1f s per run\n", dir, L, B, cpu_gemm_kernel_name(),
               seconds);
    double sb = 0, mb = 0;
    double st = run(m, ids, lens, B, 1, seconds, out, &sb);
    double mt = st < 0 ? st : run(m, ids, lens, B, threads, seconds, out, &mb);
    if (st < 0 || mt < 0)
        return 1;
    if (!json_only) {
        printf("  1 thread   : %8.2f sentences/s  (%.2f ms per batch; fastest "
               "batch %.2f ms = %.2f sentences/s)\n", st, 1e3 * (double)B / st,
               1e3 * (double)B / sb, sb);
        printf("  %d threads %s: %8.2f sentences/s  (%.2f ms per batch; fastest "
               "batch %.2f ms = %.2f sentences/s)\n", threads,
               threads < 10 ? " " : "", mt, 1e3 * (double)B / mt,
               1e3 * (double)B / mb, mb);
        printf("  speedup    : %8.2fx  (fastest batches: %.2fx)\n", mt / st,
               mb / sb);
    }
    printf("{\"bench\": \"float_reference\", \"seq_len\": %zu, \"batch\": %zu, "
           "\"threads\": %d, \"single_thread_sps\": %.3f, \"threaded_sps\": "
           "%.3f, \"speedup\": %.3f, \"single_thread_best_sps\": %.3f, "
           "\"threaded_best_sps\": %.3f}\n", L, B, threads, st, mt, mt / st, sb,
           mb);
    free(buf);
    free(ids);
    free(lens);
    free(out);
    bert_model_free(m);
    return 0;
}
