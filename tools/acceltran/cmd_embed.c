/* acceltran embed: sentence embeddings and their cosine-similarity matrix. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bert_float.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: acceltran embed [--backend float] [--json] [--threads N] [--model-dir DIR]\n"
               "                       [--max-len N] SENTENCE...\n"
               "\n"
               "Embeds the sentences with all-MiniLM-L6-v2 (mean pooling, L2 normalisation)\n"
               "as one batch and prints their cosine-similarity matrix.\n"
               "\n"
               "  --backend B      float: the fp32 C reference (the only backend so far)\n"
               "  --json           print a JSON object: backend, sentences, tokens,\n"
               "                   similarity (N x N), seconds (tokenize + forward),\n"
               "                   load_seconds, threads\n"
               "  --threads N      worker threads (default: one per online CPU)\n"
               "  --model-dir DIR  model folder (default: models/all-MiniLM-L6-v2)\n"
               "  --max-len N      truncate each sentence to N tokens (default 256, the\n"
               "                   sentence-transformers setting for this model)\n"
               "  --help           this text\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct embed_args {
    const char *backend, *model_dir;
    int json, threads;
    long max_len;
    int first, argc;
    char **argv;
} embed_args;

static int parse(int argc, char **argv, embed_args *a)
{
    memset(a, 0, sizeof *a);
    a->backend = "float";
    a->max_len = 256;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *s = argv[i];
        long v;
        if (!strcmp(s, "--")) {
            i++;
            break;
        } else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--backend") && i + 1 < argc) {
            a->backend = argv[++i];
        } else if (!strcmp(s, "--model-dir") && i + 1 < argc) {
            a->model_dir = argv[++i];
        } else if (!strcmp(s, "--threads") && i + 1 < argc) {
            if ((v = cli_parse_long("embed", s, argv[++i], 1, 256)) < 0)
                return -1;
            a->threads = (int)v;
        } else if (!strcmp(s, "--max-len") && i + 1 < argc) {
            if ((v = cli_parse_long("embed", s, argv[++i], 3, 512)) < 0)
                return -1;
            a->max_len = v;
        } else {
            cli_bad_option("embed", s);
            return -1;
        }
    }
    if (strcmp(a->backend, "float")) {
        fprintf(stderr, "acceltran embed: unknown backend '%s' (available: float)\n", a->backend);
        return -1;
    }
    if (i >= argc) {
        fprintf(stderr, "acceltran embed: no SENTENCE given (see acceltran embed --help)\n");
        return -1;
    }
    a->first = i;
    a->argc = argc;
    a->argv = argv;
    return 0;
}

static void print_text(const embed_args *a, size_t n, const size_t *lens, const float *sim, double secs,
                       int threads)
{
    printf("backend %s, %zu sentences, %d threads, %.4f s\n", a->backend, n, threads, secs);
    printf("%6s", "");
    for (size_t j = 0; j < n; j++) {
        char label[32];
        snprintf(label, sizeof label, "[%zu]", j);
        printf(" %8s", label);
    }
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        printf("[%3zu] ", i);
        for (size_t j = 0; j < n; j++)
            printf(" %8.4f", sim[i * n + j]);
        putchar('\n');
    }
    for (size_t i = 0; i < n; i++)
        printf("[%3zu] (%zu tokens) %s\n", i, lens[i], a->argv[a->first + (int)i]);
}

static int print_json(const embed_args *a, size_t n, const size_t *lens, const float *sim, double secs,
                      double load_secs, int threads)
{
    json_t *o = json_object(), *sents = json_array(), *toks = json_array(), *m = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(sents, json_string(a->argv[a->first + (int)i]));
        json_array_append_new(toks, json_integer((json_int_t)lens[i]));
        json_t *row = json_array();
        for (size_t j = 0; j < n; j++)
            json_array_append_new(row, json_real(sim[i * n + j]));
        json_array_append_new(m, row);
    }
    json_object_set_new(o, "backend", json_string(a->backend));
    json_object_set_new(o, "model", json_string("all-MiniLM-L6-v2"));
    json_object_set_new(o, "sentences", sents);
    json_object_set_new(o, "tokens", toks);
    json_object_set_new(o, "similarity", m);
    json_object_set_new(o, "seconds", json_real(secs));
    json_object_set_new(o, "load_seconds", json_real(load_secs));
    json_object_set_new(o, "threads", json_integer(threads));
    char *s = json_dumps(o, JSON_REAL_PRECISION(8));
    json_decref(o);
    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
}

int cmd_embed(int argc, char **argv)
{
    embed_args a;
    int p = parse(argc, argv, &a);
    if (p)
        return p > 0 ? 0 : CLI_USAGE_ERROR;

    size_t n = (size_t)(argc - a.first);
    char buf[PATH_MAX];
    const char *dir = cli_model_dir(a.model_dir, buf, sizeof buf);
    at_err err = {0};
    double t0 = now_s();
    bert_model *model = NULL;
    cli_tokenizer tk = {0};
    int rc = CLI_RUN_ERROR;
    int32_t *ids = NULL, **rows = NULL;
    size_t *lens = NULL;
    float *emb = NULL, *sim = NULL;

    if (bert_model_load(dir, &model, &err) || cli_tokenizer_load(dir, (size_t)a.max_len, &tk, &err)) {
        fprintf(stderr, "acceltran embed: %s\n", err.msg);
        goto out;
    }
    double load_secs = now_s() - t0;
    const bert_config *cfg = bert_model_config(model);
    size_t h = (size_t)cfg->hidden;
    ids = malloc(n * (size_t)a.max_len * sizeof *ids);
    rows = malloc(n * sizeof *rows);
    lens = malloc(n * sizeof *lens);
    emb = malloc(n * h * sizeof *emb);
    sim = malloc(n * n * sizeof *sim);
    if (!ids || !rows || !lens || !emb || !sim) {
        fprintf(stderr, "acceltran embed: out of memory\n");
        goto out;
    }
    double t1 = now_s();
    for (size_t i = 0; i < n; i++) {
        rows[i] = ids + i * (size_t)a.max_len;
        if (at_tokenize(tk.tok, argv[a.first + (int)i], rows[i], (size_t)a.max_len, &lens[i], &err)) {
            fprintf(stderr, "acceltran embed: sentence %zu: %s\n", i, err.msg);
            goto out;
        }
    }
    bert_run_opts ro = {.threads = a.threads};
    if (bert_embed(model, (const int32_t *const *)rows, lens, n, &ro, emb, &err)) {
        fprintf(stderr, "acceltran embed: %s\n", err.msg);
        goto out;
    }
    double secs = now_s() - t1;
    /* embeddings are unit vectors: cosine similarity is the dot product */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double d = 0;
            for (size_t k = 0; k < h; k++)
                d += (double)emb[i * h + k] * emb[j * h + k];
            sim[i * n + j] = (float)d;
        }
    int threads = a.threads > 0 ? a.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (a.json) {
        if (print_json(&a, n, lens, sim, secs, load_secs, threads)) {
            fprintf(stderr, "acceltran embed: JSON output failed\n");
            goto out;
        }
    } else {
        print_text(&a, n, lens, sim, secs, threads);
    }
    rc = 0;
out:
    free(ids);
    free(rows);
    free(lens);
    free(emb);
    free(sim);
    cli_tokenizer_free(&tk);
    bert_model_free(model);
    return rc;
}
