/* What the model benchmarks share (bench_model, bench_dynatran): the model
 * directory and the sentence files. Header-only, as tests/e2e/infer_util.h. */
#ifndef ACCELTRAN_BENCH_UTIL_H
#define ACCELTRAN_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *model_dir(void)
{
    const char *d = getenv("ACCELTRAN_MODEL_DIR");
    return d && *d ? d : "models/all-MiniLM-L6-v2";
}

/* The lines of a text file (newlines removed), strdup'd into *out; the count
 * (0 when the file cannot be read). */
static inline size_t read_lines(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    *out = NULL;
    if (!f)
        return 0;
    size_t n = 0, cap = 0;
    char line[8192];
    char **v = NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(v, cap * sizeof *p);
            if (!p)
                break;
            v = p;
        }
        v[n++] = strdup(line);
    }
    fclose(f);
    *out = v;
    return n;
}

#endif
