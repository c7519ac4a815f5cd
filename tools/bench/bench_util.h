/* What the benchmarks share: the model directory and the sentence files
 * (bench_model, bench_dynatran), the device trees (bench_device,
 * bench_scaling). Header-only, as tests/e2e/infer_util.h. */
#ifndef ACCELTRAN_BENCH_UTIL_H
#define ACCELTRAN_BENCH_UTIL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The dtb of a configuration: $BUILD/firmware/<config>.dtb, else
 * <exe>/../../firmware (the bench binary lives in <build>/tools/bench), else
 * build/firmware. buf needs PATH_MAX bytes for the second. */
static inline const char *bench_dtb_path(const char *config, char *buf, size_t len)
{
    const char *b = getenv("BUILD");
    if (b && *b) {
        snprintf(buf, len, "%s/firmware/%s.dtb", b, config);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    char exe[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0 && len >= PATH_MAX) {
        exe[n] = 0;
        for (int up = 0; up < 3; up++) { /* <build>/tools/bench/bench_x -> <build> */
            char *s = strrchr(exe, '/');
            if (s)
                *s = 0;
        }
        snprintf(buf, len, "%s/firmware/%s.dtb", exe, config);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    snprintf(buf, len, "build/firmware/%s.dtb", config);
    return buf;
}

#endif
