/* Replays a fuzz harness's committed inputs without libFuzzer, so `make
 * test` runs them (plain and under ASan/UBSan) with every build: linked
 * with one tests/fuzz/fuzz_<name>.c (compiled with -DFUZZ_NAME=<name>),
 * it runs every file of tests/fuzz/corpus/<name>/ and
 * tests/fuzz/crashers/<name>/ (regression inputs; either folder may be
 * missing) through LLVMFuzzerTestOneInput, in name order, from the
 * repository root. A harness aborts on a failed check, so reaching the
 * end means every input passed; the closing line counts the inputs:
 * "fuzz_replay_<name>: N passed, 0 failed". With arguments, runs those
 * files instead (to replay one input under a debugger).
 * ACCELTRAN_FUZZ_DIR overrides the tests/fuzz folder. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME=<harness name>"
#endif
#define FZ_STR2(x) #x
#define FZ_STR(x) FZ_STR2(x)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads and runs one file; returns 0, or -1 when it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            fprintf(stderr, "%s: out of memory\n", path);
            return -1;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: read error\n", path);
        free(buf);
        return -1;
    }
    /* an exact-size copy, so ASan sees reads past the input */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) {
        free(buf);
        return -1;
    }
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir (missing dir: none); adds to *ok, *bad. */
static void run_dir(const char *dir, int *ok, int *bad)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(names, cap * sizeof *p);
            if (!p)
                break;
            names = p;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (run_file(path) == 0)
            (*ok)++;
        else
            (*bad)++;
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    const char *name = FZ_STR(FUZZ_NAME);
    int ok = 0, bad = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            if (run_file(argv[i]) == 0)
                ok++;
            else
                bad++;
        }
    } else {
        const char *root = getenv("ACCELTRAN_FUZZ_DIR");
        if (!root || !*root)
            root = "tests/fuzz";
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/corpus/%s", root, name);
        run_dir(dir, &ok, &bad);
        snprintf(dir, sizeof dir, "%s/crashers/%s", root, name);
        run_dir(dir, &ok, &bad);
        if (ok + bad == 0) {
            fprintf(stderr, "fuzz_replay_%s: no inputs in %s/corpus/%s (run from the repository root)\n",
                    name, root, name);
            bad = 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("fuzz_replay_%s: %d inputs in %.2f s\n", name, ok,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    printf("fuzz_replay_%s: %d passed, %d failed\n", name, ok, bad);
    return bad ? 1 : 0;
}
