/* libFuzzer harness for the safetensors reader. How to run (repo root):
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Iinclude -Iruntime tests/fuzz/fuzz_safetensors.c runtime/safetensors.c \
 *     common/at_error.c -ljansson -o /tmp/fuzz_st
 *   mkdir -p /tmp/st_corpus
 *   ACCELTRAN_FUZZ_SEED=/tmp/st_corpus/seed.safetensors /tmp/fuzz_st -runs=0
 *   /tmp/fuzz_st -max_total_time=120 -max_len=4096 /tmp/st_corpus
 * (optionally -dict=FILE with tokens such as "dtype" "shape" "F16" "[0,".)
 * Setting ACCELTRAN_FUZZ_SEED=PATH makes the first call write a small valid
 * file there (a seed for the corpus). Each input is opened from memory with
 * st_open_memory; every tensor found is read with st_read_f32 (with and
 * without a shape) so the conversions run on whatever the validation let
 * through. Any crash, leak or sanitizer report is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_seed(const char *path)
{
    static const char hdr[] =
        "{\"__metadata__\":{\"format\":\"pt\"},"
        "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        "\"b\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
        "\"c\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]},"
        "\"d\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[17,25]},"
        "\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[25,25]}}  ";
    unsigned char buf[8 + sizeof hdr + 25];
    size_t n = sizeof hdr - 1;
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, hdr, n);
    for (int i = 0; i < 25; i++)
        buf[8 + n + i] = (unsigned char)(i * 29 + 3);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(buf, 1, 8 + n + 25, fp);
        fclose(fp);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int seeded;
    if (!seeded) {
        const char *s = getenv("ACCELTRAN_FUZZ_SEED");
        if (s)
            write_seed(s);
        seeded = 1;
    }
    st_file *f = NULL;
    at_err e;
    int rc = st_open_memory(data, size, "fuzz.safetensors", &f, &e);
    if (rc != 0) {
        if (f || rc >= 0 || !strstr(e.msg, "fuzz.safetensors"))
            abort(); /* failure must give NULL and a message naming the file */
        return 0;
    }
    for (size_t i = 0; i < st_count(f); i++) {
        const st_tensor *t = st_at(f, i);
        if (st_find(f, t->name) != t)
            abort();
        float *x = NULL;
        if (st_read_f32(f, t->name, t->ndim, t->shape, &x, &e) == 0) {
            float acc = 0;
            for (uint64_t k = 0; k < t->nelem; k++)
                acc += x[k];
            (void)acc;
            free(x);
        }
        /* raw bytes must be readable in full */
        volatile unsigned char sum = 0;
        const unsigned char *p = t->data;
        for (uint64_t k = t->begin; k < t->end; k++)
            sum ^= p[k - t->begin];
        (void)sum;
    }
    st_close(f);
    return 0;
}
