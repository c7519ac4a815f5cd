/* Helpers shared by the fuzz harnesses (tests/fuzz/fuzz_*.c): a private
 * temporary file for loaders that only take a path. One per process,
 * removed at exit. Harness state is per process by design (libFuzzer
 * calls LLVMFuzzerTestOneInput many times in one process). */
#ifndef ACCELTRAN_FUZZ_UTIL_H
#define ACCELTRAN_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_tmp_path[256];

static void fuzz_tmp_cleanup(void)
{
    if (fuzz_tmp_path[0])
        unlink(fuzz_tmp_path);
}

/* Writes data to the process's temporary file (made on first use) and
 * returns its path; aborts when the file cannot be written (an
 * environment problem, not a finding). */
static inline const char *fuzz_tmp_write(const char *tag, const uint8_t *data, size_t size)
{
    if (!fuzz_tmp_path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/acceltran_fuzz_%s_XXXXXX",
                 (dir && *dir) ? dir : "/tmp", tag);
        int fd = mkstemp(fuzz_tmp_path);
        if (fd < 0) {
            perror("fuzz: mkstemp");
            abort();
        }
        close(fd);
        atexit(fuzz_tmp_cleanup);
    }
    FILE *f = fopen(fuzz_tmp_path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: writing the temporary file");
        abort();
    }
    return fuzz_tmp_path;
}

#endif
