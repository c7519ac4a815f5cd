/* Helpers of the end-to-end inference tests (tests/e2e/test_infer*.c):
 * the sentence sets, sessions on a backend, comparisons that name the
 * first mismatching element. */
#ifndef ACCELTRAN_INFER_UTIL_H
#define ACCELTRAN_INFER_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_session.h"
#include "bert_float.h"
#include "check.h"

#if defined(__SANITIZE_ADDRESS__)
#define IU_SANITIZED 1
#else
#define IU_SANITIZED 0
#endif

/* The published similarity matrix of the three demo sentences
 * (sentence-transformers, all-MiniLM-L6-v2). */
static const char *const iu_demo[3] = {"The weather is lovely today.", "It's so sunny outside!",
                                       "He drove to the stadium."};
static const double iu_published[3][3] = {{1, 0.6660, 0.1046}, {0.6660, 1, 0.1411}, {0.1046, 0.1411, 1}};

/* Lines of tests/data/sentences/eval.txt (at most cap); returns the count. */
static inline size_t iu_eval_set(char ***out, size_t cap)
{
    FILE *f = fopen("tests/data/sentences/eval.txt", "r");
    *out = NULL;
    if (!f)
        return 0;
    char **v = calloc(cap, sizeof *v);
    char line[8192];
    size_t n = 0;
    while (v && n < cap && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        v[n++] = strdup(line);
    }
    fclose(f);
    *out = v;
    return n;
}

static inline void iu_free_set(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static inline at_session *iu_open(const char *backend, const char *config, int no_device)
{
    at_session_opts o = {.model_dir = check_model_dir(), .backend = backend, .config = config, .no_device = no_device};
    at_session *s = NULL;
    at_err err = {0};
    if (at_session_open(&o, &s, &err)) {
        fprintf(stderr, "  session %s/%s: %s\n", backend, config, err.msg);
        return NULL;
    }
    return s;
}

/* Index of the first element where a and b differ, or -1; prints both
 * sides with the token and column. */
static inline long iu_first_diff(const char *what, const int16_t *a, const int16_t *b, size_t tokens, size_t h)
{
    for (size_t i = 0; i < tokens * h; i++)
        if (a[i] != b[i]) {
            size_t d = 0;
            for (size_t j = i; j < tokens * h; j++)
                d += a[j] != b[j];
            fprintf(stderr, "  %s: first mismatch at hidden[token %zu][%zu]: %d vs %d (%zu elements differ)\n",
                    what, i / h, i % h, a[i], b[i], d);
            return (long)i;
        }
    return -1;
}

static inline double iu_dot(const float *a, const float *b, size_t h)
{
    double d = 0;
    for (size_t j = 0; j < h; j++)
        d += (double)a[j] * b[j];
    return d;
}

/* Float reference embeddings of a batch. */
static inline int iu_float_embed(const at_batch *b, float *out)
{
    bert_model *m = NULL;
    at_err err = {0};
    int rc = bert_model_load(check_model_dir(), &m, &err);
    if (!rc)
        rc = bert_embed(m, (const int32_t *const *)b->ids, b->lens, b->n, NULL, out, &err);
    if (rc)
        fprintf(stderr, "  float reference: %s\n", err.msg);
    bert_model_free(m);
    return rc;
}

#endif
