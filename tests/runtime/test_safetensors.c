/* Tests of the safetensors reader (runtime/safetensors.c): every malformed
 * case gives the right code and a message naming the file and the problem;
 * valid files convert F32/F16/BF16 exactly; the real model file loads.
 * Files are written into a mkdtemp directory that is removed at the end. */
#include "safetensors.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static char tmpdir[64];
static int file_no;

/* ------------------------------------------------------------ writers */

/* Writes raw bytes to a new file in tmpdir; returns its path (static slot
 * rotated among a few, enough for one case). */
static const char *write_raw(const void *buf, size_t len)
{
    static char paths[4][128];
    char *p = paths[file_no % 4];
    snprintf(p, sizeof paths[0], "%s/t%03d.safetensors", tmpdir, file_no++);
    FILE *fp = fopen(p, "wb");
    if (!fp) {
        perror(p);
        exit(2);
    }
    if (len && fwrite(buf, 1, len, fp) != len) {
        perror(p);
        exit(2);
    }
    fclose(fp);
    return p;
}

/* Builds the bytes of a safetensors file: 8-byte length (hlen_override when
 * not UINT64_MAX, else the header's length), header, data. Caller frees. */
static unsigned char *build(const char *header, const void *data, size_t dlen,
                            uint64_t hlen_override, size_t *len)
{
    size_t hl = strlen(header);
    uint64_t n = hlen_override != UINT64_MAX ? hlen_override : hl;
    unsigned char *b = malloc(8 + hl + dlen + 1);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(n >> (8 * i));
    memcpy(b + 8, header, hl);
    if (dlen)
        memcpy(b + 8 + hl, data, dlen);
    *len = 8 + hl + dlen;
    return b;
}

static const char *write_st(const char *header, const void *data, size_t dlen)
{
    size_t len;
    unsigned char *b = build(header, data, dlen, UINT64_MAX, &len);
    const char *p = write_raw(b, len);
    free(b);
    return p;
}

/* ------------------------------------------------------------ helpers */

/* Opens header+data; expects failure with code and a message naming the
 * file and containing word. */
static void expect_fail_at(const char *header, const void *data, size_t dlen,
                           int code, const char *word, int line)
{
    const char *p = write_st(header, data, dlen);
    st_file *f = (st_file *)1;
    at_err e = {0, ""};
    int rc = st_open(p, &f, &e);
    CHECK(rc == code, "line %d: rc %s, want %s (%s)", line, at_err_name(rc),
          at_err_name(code), e.msg);
    CHECK(e.code == code, "line %d: err.code %d", line, e.code);
    CHECK(f == NULL, "line %d: *out not NULL on failure", line);
    CHECK(strstr(e.msg, p) != NULL, "line %d: message lacks path: %s", line,
          e.msg);
    CHECK(strstr(e.msg, word) != NULL, "line %d: message lacks '%s': %s", line,
          word, e.msg);
    st_close(f);
}
#define EXPECT_FAIL(h, d, n, code, word) \
    expect_fail_at(h, d, n, code, word, __LINE__)

static void expect_raw_fail_at(const void *buf, size_t len, int code,
                               const char *word, int line)
{
    const char *p = write_raw(buf, len);
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open(p, &f, &e);
    CHECK(rc == code, "line %d: rc %s, want %s (%s)", line, at_err_name(rc),
          at_err_name(code), e.msg);
    CHECK(f == NULL, "line %d: *out not NULL", line);
    CHECK(strstr(e.msg, p) != NULL, "line %d: message lacks path: %s", line,
          e.msg);
    CHECK(strstr(e.msg, word) != NULL, "line %d: message lacks '%s': %s", line,
          word, e.msg);
    st_close(f);
}
#define EXPECT_RAW_FAIL(b, n, code, word) \
    expect_raw_fail_at(b, n, code, word, __LINE__)

static st_file *open_ok(const char *header, const void *data, size_t dlen)
{
    const char *p = write_st(header, data, dlen);
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open(p, &f, &e);
    CHECK(rc == 0 && f, "open failed: %s", e.msg);
    return rc == 0 ? f : NULL;
}

static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void put_f32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

/* ------------------------------------------------------------ truncation */

static void test_shorter_than_8(void)
{
    EXPECT_RAW_FAIL("\x01\x00\x00", 3, AT_EFORMAT, "truncated");
    EXPECT_RAW_FAIL("", 0, AT_EFORMAT, "truncated");
}

static void test_header_len_past_eof(void)
{
    size_t len;
    unsigned char *b = build("{}", NULL, 0, 1000, &len);
    EXPECT_RAW_FAIL(b, len, AT_EFORMAT, "truncated");
    free(b);
    b = build("{}", NULL, 0, UINT64_MAX - 3, &len); /* huge, no wrap */
    EXPECT_RAW_FAIL(b, len, AT_EFORMAT, "header length");
    free(b);
}

static void test_header_over_limit(void)
{
    /* A sparse 100 MB + 16 file whose header length is just over the limit. */
    char p[128];
    snprintf(p, sizeof p, "%s/big.safetensors", tmpdir);
    FILE *fp = fopen(p, "wb");
    CHECK(fp != NULL, "cannot create %s", p);
    if (!fp)
        return;
    unsigned char n[8];
    uint64_t v = 100000001;
    for (int i = 0; i < 8; i++)
        n[i] = (unsigned char)(v >> (8 * i));
    fwrite(n, 1, 8, fp);
    fclose(fp);
    CHECK(truncate(p, 100000016) == 0, "truncate failed");
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open(p, &f, &e);
    CHECK(rc == AT_EFORMAT, "rc %s (%s)", at_err_name(rc), e.msg);
    CHECK(strstr(e.msg, p) && strstr(e.msg, "limit"), "msg: %s", e.msg);
    st_close(f);
    unlink(p);
}

static void test_data_truncated(void)
{
    const char *h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],"
                    "\"data_offsets\":[0,16]}}";
    unsigned char d[16] = {0};
    EXPECT_FAIL(h, d, 15, AT_ERANGE, "past the data section");
    EXPECT_FAIL(h, d, 0, AT_ERANGE, "truncated");
    /* Really truncate a valid file on disk. */
    const char *p = write_st(h, d, 16);
    char path[128];
    snprintf(path, sizeof path, "%s", p);
    struct stat sb;
    stat(path, &sb);
    CHECK(truncate(path, sb.st_size - 3) == 0, "truncate");
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open(path, &f, &e);
    CHECK(rc == AT_ERANGE && strstr(e.msg, path) && strstr(e.msg, "'a'"),
          "rc %s: %s", at_err_name(rc), e.msg);
    st_close(f);
}

/* ------------------------------------------------------------ bad header */

static void test_not_json(void)
{
    EXPECT_FAIL("hello", NULL, 0, AT_EFORMAT, "not valid JSON");
    EXPECT_FAIL("{\"a\": }", NULL, 0, AT_EFORMAT, "line 1, column");
    EXPECT_FAIL("", NULL, 0, AT_EFORMAT, "JSON");
    EXPECT_FAIL("{} x", NULL, 0, AT_EFORMAT, "JSON");
    EXPECT_FAIL("{\"a\xff\":1}", NULL, 0, AT_EFORMAT, "JSON"); /* bad UTF-8 */
    /* NUL inside the header is rejected, not read as a terminator */
    static const unsigned char nul[13] = {5, 0, 0, 0, 0, 0, 0, 0,
                                          '{', '}', 0, ' ', ' '};
    EXPECT_RAW_FAIL(nul, sizeof nul, AT_EFORMAT, "JSON");
}

static void test_not_object(void)
{
    EXPECT_FAIL("[1, 2]", NULL, 0, AT_EFORMAT, "not an object");
    EXPECT_FAIL("{\"a\": 5}", NULL, 0, AT_EFORMAT, "not an object");
    EXPECT_FAIL("{\"a\": [\"F32\"]}", NULL, 0, AT_EFORMAT, "not an object");
}

static void test_missing_keys(void)
{
    EXPECT_FAIL("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", NULL, 0,
                AT_EFORMAT, "missing key 'dtype'");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", NULL, 0,
                AT_EFORMAT, "missing key 'shape'");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", NULL, 0,
                AT_EFORMAT, "missing key 'data_offsets'");
    unsigned char d[4] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
                "\"extra\":1}}",
                d, 4, AT_EFORMAT, "unexpected key 'extra'");
}

static void test_wrong_types(void)
{
    unsigned char d[8] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", d,
                4, AT_EFORMAT, "'dtype' is an integer, not a string");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}",
                d, 4, AT_EFORMAT, "'shape' is a string, not an array");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}",
                d, 4, AT_EFORMAT, "shape[0] is a real number");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,null],\"data_offsets\":[0,4]}}",
                d, 4, AT_EFORMAT, "shape[1] is null");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}", d,
                4, AT_EFORMAT, "'data_offsets' is an object");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}",
                d, 4, AT_EFORMAT, "integers");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", d,
                4, AT_EFORMAT, "not 2");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
                d, 8, AT_EFORMAT, "not 2");
    EXPECT_FAIL("{\"__metadata__\":[1]}", NULL, 0, AT_EFORMAT, "'__metadata__'");
    EXPECT_FAIL("{\"__metadata__\":{\"format\":1}}", NULL, 0, AT_EFORMAT,
                "not a string");
}

static void test_negative_shape(void)
{
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,0]}}",
                NULL, 0, AT_EFORMAT, "shape[1] is negative");
}

static void test_too_many_dims(void)
{
    EXPECT_FAIL("{\"w\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],"
                "\"data_offsets\":[0,1]}}",
                "x", 1, AT_EFORMAT, "dimensions");
    /* exactly ST_MAX_DIMS is fine */
    st_file *f = open_ok("{\"w\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1],"
                         "\"data_offsets\":[0,1]}}",
                         "x", 1);
    CHECK(f && st_find(f, "w")->ndim == 8, "8 dims");
    st_close(f);
}

static void test_begin_after_end(void)
{
    unsigned char d[8] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}",
                d, 8, AT_ERANGE, "begin is after end");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}",
                d, 8, AT_ERANGE, "negative");
}

static void test_offsets_out_of_range(void)
{
    unsigned char d[8] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                d, 8, AT_ERANGE, "data_offsets [8, 12] end past the data section");
    /* Above 2^53: exact 64-bit values, not rounded doubles. */
    EXPECT_FAIL("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],"
                "\"data_offsets\":[9007199254740993,9007199254740993]}}",
                d, 8, AT_ERANGE, "[9007199254740993, 9007199254740993]");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],"
                "\"data_offsets\":[9223372036854775806,9223372036854775807]}}",
                d, 8, AT_ERANGE, "past the data section");
    /* Beyond int64: jansson reports it as a JSON error. */
    EXPECT_FAIL("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],"
                "\"data_offsets\":[0,18446744073709551616]}}",
                d, 8, AT_EFORMAT, "JSON");
}

static void test_overlap(void)
{
    unsigned char d[40] = {0};
    EXPECT_FAIL("{\"b.bias\":{\"dtype\":\"U8\",\"shape\":[24],\"data_offsets\":[16,40]},"
                "\"a.weight\":{\"dtype\":\"U8\",\"shape\":[10],\"data_offsets\":[10,20]}}",
                d, 40, AT_ERANGE,
                "tensor 'a.weight': data_offsets [10, 20] overlap tensor "
                "'b.bias' [16, 40]");
    /* identical ranges */
    EXPECT_FAIL("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                "\"y\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                d, 4, AT_ERANGE, "overlap");
    /* one range inside another */
    EXPECT_FAIL("{\"x\":{\"dtype\":\"U8\",\"shape\":[40],\"data_offsets\":[0,40]},"
                "\"y\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]}}",
                d, 40, AT_ERANGE, "overlap");
}

static void test_unknown_dtype(void)
{
    unsigned char d[4] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                d, 1, AT_EFORMAT, "unknown dtype 'F8'");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                d, 4, AT_EFORMAT, "unknown dtype 'f32'");
}

static void test_size_mismatch(void)
{
    unsigned char d[16] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}",
                d, 16, AT_EFORMAT, "size mismatch");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,12]}}",
                d, 16, AT_EFORMAT, "is 6 bytes but data_offsets [0, 12] span 12");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,2],"
                "\"data_offsets\":[0,0]}}",
                d, 0, AT_EFORMAT, "overflows");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967295],"
                "\"data_offsets\":[0,0]}}",
                d, 0, AT_EFORMAT, "overflows");
}

static void test_duplicate_keys(void)
{
    unsigned char d[8] = {0};
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                d, 8, AT_EFORMAT, "duplicate");
    EXPECT_FAIL("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],"
                "\"data_offsets\":[0,4]}}",
                d, 4, AT_EFORMAT, "duplicate");
}

static void test_open_errors(void)
{
    char p[128];
    st_file *f = (st_file *)1;
    at_err e = {0, ""};
    snprintf(p, sizeof p, "%s/does-not-exist.safetensors", tmpdir);
    int rc = st_open(p, &f, &e);
    CHECK(rc == AT_EIO && f == NULL && strstr(e.msg, p), "rc %d %s", rc, e.msg);
    rc = st_open(tmpdir, &f, &e);
    CHECK(rc == AT_EIO && f == NULL && strstr(e.msg, tmpdir), "dir: %d %s", rc,
          e.msg);
    rc = st_open(NULL, &f, &e);
    CHECK(rc == AT_EINVAL, "NULL path: %d", rc);
    rc = st_open(p, NULL, &e);
    CHECK(rc == AT_EINVAL, "NULL out: %d", rc);
    rc = st_open(p, &f, NULL); /* NULL err is allowed */
    CHECK(rc == AT_EIO, "NULL err: %d", rc);
    st_close(NULL);
    CHECK(st_count(NULL) == 0 && st_find(NULL, "x") == NULL &&
              st_at(NULL, 0) == NULL && st_path(NULL) == NULL,
          "NULL handle accessors");
}

/* A pipe cannot be mapped: the read() fallback loads it (200 KB, so the
 * buffer grows several times). */
static void test_read_fallback_pipe(void)
{
    enum { NF = 50000 };
    char h[128];
    snprintf(h, sizeof h,
             "{\"p\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[0,%d]}}",
             NF, 4 * NF);
    unsigned char *d = malloc(4 * NF);
    for (int i = 0; i < NF; i++)
        put_f32(d + 4 * i, (float)i * 0.5f);
    size_t len;
    unsigned char *b = build(h, d, 4 * NF, UINT64_MAX, &len);
    free(d);
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(fds[1], b + off, len - off);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    free(b);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open(path, &f, &e);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(rc == 0 && f, "pipe open: %s", e.msg);
    if (!f)
        return;
    float *x = NULL;
    rc = st_read_f32(f, "p", 0, NULL, &x, &e);
    CHECK(rc == 0 && x[0] == 0.0f && x[NF - 1] == (float)(NF - 1) * 0.5f,
          "pipe values: %s", e.msg);
    free(x);
    st_close(f);
}

/* ------------------------------------------------------------ st_read_f32 */

static void test_read_errors(void)
{
    unsigned char d[12] = {0};
    st_file *f = open_ok(
        "{\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        "\"w\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[4,12]}}",
        d, 12);
    if (!f)
        return;
    float *x = (float *)1;
    at_err e = {0, ""};
    int rc = st_read_f32(f, "nope", 0, NULL, &x, &e);
    CHECK(rc == AT_ENOTFOUND && x == NULL, "missing: %d", rc);
    CHECK(strstr(e.msg, st_path(f)) && strstr(e.msg, "'nope' not found"),
          "msg: %s", e.msg);
    rc = st_read_f32(f, "i", 0, NULL, &x, &e);
    CHECK(rc == AT_EUNSUPPORTED && x == NULL, "I32: %d", rc);
    CHECK(strstr(e.msg, st_path(f)) && strstr(e.msg, "dtype I32"), "msg: %s",
          e.msg);
    int64_t s21[2] = {2, 1}, s12[2] = {1, 2}, s2[1] = {2};
    rc = st_read_f32(f, "w", 2, s12, &x, &e);
    CHECK(rc == AT_EFORMAT && x == NULL, "shape: %d", rc);
    CHECK(strstr(e.msg, st_path(f)) &&
              strstr(e.msg, "shape [2, 1] but expected [1, 2]"),
          "msg: %s", e.msg);
    rc = st_read_f32(f, "w", 1, s2, &x, &e);
    CHECK(rc == AT_EFORMAT && strstr(e.msg, "expected [2]"), "ndim: %s", e.msg);
    rc = st_read_f32(f, "w", 99, s21, &x, &e);
    CHECK(rc == AT_EFORMAT, "bad ndim: %d", rc);
    rc = st_read_f32(f, "w", 2, s21, &x, &e);
    CHECK(rc == 0 && x, "good shape: %s", e.msg);
    free(x);
    rc = st_read_f32(f, "w", 7, NULL, &x, &e); /* no shape: no check */
    CHECK(rc == 0 && x, "NULL shape: %s", e.msg);
    free(x);
    rc = st_read_f32(f, "w", 0, NULL, NULL, &e);
    CHECK(rc == AT_EINVAL, "NULL out: %d", rc);
    st_close(f);
}

/* ------------------------------------------------------------ valid files */

static void test_f32_unaligned_padded_metadata(void)
{
    /* Header padded with trailing spaces to an odd length, so the data
     * section starts unaligned; tensor "b" begins at data offset 1. */
    char h[256];
    snprintf(h, sizeof h,
             "{\"__metadata__\":{\"format\":\"pt\",\"x\":\"y\"},"
             "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
             "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[1,25]}}");
    size_t hl = strlen(h);
    while (hl % 2 == 0 || hl < 200)
        h[hl++] = ' ';
    h[hl] = 0;
    const float v[6] = {1.0f, -2.5f, 3.14159274f, -0.0f, 1e-40f /* subnormal */,
                        INFINITY};
    unsigned char d[25];
    d[0] = 7;
    for (int i = 0; i < 6; i++)
        put_f32(d + 1 + 4 * i, v[i]);
    st_file *f = open_ok(h, d, sizeof d);
    if (!f)
        return;
    CHECK(st_count(f) == 2, "count %zu (metadata is not a tensor)",
          st_count(f));
    CHECK(st_find(f, "__metadata__") == NULL, "metadata found as tensor");
    const st_tensor *t = st_find(f, "b");
    CHECK(t && t->dtype == ST_F32 && t->ndim == 2 && t->shape[0] == 2 &&
              t->shape[1] == 3 && t->nelem == 6 && t->begin == 1 && t->end == 25,
          "tensor b fields");
    CHECK(st_at(f, 0) == st_find(f, "a") && st_at(f, 1) == t &&
              st_at(f, 2) == NULL,
          "header order");
    CHECK(((uintptr_t)t->data & 3) != 0, "data should be unaligned here");
    CHECK(*(const unsigned char *)st_find(f, "a")->data == 7, "U8 data");
    float *x = NULL;
    at_err e = {0, ""};
    int64_t s[2] = {2, 3};
    int rc = st_read_f32(f, "b", 2, s, &x, &e);
    CHECK(rc == 0, "%s", e.msg);
    for (int i = 0; rc == 0 && i < 6; i++)
        CHECK(same_bits(x[i], v[i]), "b[%d] = %a, want %a", i, x[i], v[i]);
    free(x);
    st_close(f);
}

/* Reference half -> float through double arithmetic (independent path). */
static float ref_f16(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 31)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp((double)m, -24);
    else
        v = ldexp(1024.0 + m, e - 25);
    return (float)(s ? -v : v);
}

static void test_f16_conversion(void)
{
    static const struct {
        uint16_t h;
        float f;
    } cases[] = {
        {0x0000, 0.0f},          {0x8000, -0.0f},       {0x3c00, 1.0f},
        {0xc000, -2.0f},         {0x7bff, 65504.0f},    {0xfbff, -65504.0f},
        {0x0001, 0x1p-24f},      {0x8001, -0x1p-24f},   {0x03ff, 0x3ffp-24f},
        {0x0400, 0x1p-14f},      {0x3555, 0.333251953125f},
        {0x7c00, INFINITY},      {0xfc00, -INFINITY},   {0x3bff, 0.99951171875f},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        float g = st_f16_to_f32(cases[i].h);
        CHECK(same_bits(g, cases[i].f), "f16 %04x -> %a, want %a", cases[i].h,
              g, cases[i].f);
    }
    CHECK(isnan(st_f16_to_f32(0x7e00)) && isnan(st_f16_to_f32(0xfc01)), "NaN");
    CHECK(signbit(st_f16_to_f32(0xfe00)), "negative NaN keeps sign");
    /* every one of the 65536 values against an independent reference */
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float g = st_f16_to_f32((uint16_t)h), r = ref_f16((uint16_t)h);
        if (isnan(r) ? !isnan(g) : !same_bits(g, r))
            bad++;
    }
    CHECK(bad == 0, "%d f16 values differ from the reference", bad);

    /* the same through a file, at an odd data offset */
    unsigned char d[1 + 2 * 16];
    d[0] = 0;
    for (size_t i = 0; i < n; i++) {
        d[1 + 2 * i] = (unsigned char)cases[i].h;
        d[2 + 2 * i] = (unsigned char)(cases[i].h >> 8);
    }
    char h[160];
    snprintf(h, sizeof h,
             "{\"h\":{\"dtype\":\"F16\",\"shape\":[%zu],\"data_offsets\":[1,%zu]}}",
             n, 1 + 2 * n);
    st_file *f = open_ok(h, d, 1 + 2 * n);
    if (!f)
        return;
    float *x = NULL;
    at_err e = {0, ""};
    int rc = st_read_f32(f, "h", 0, NULL, &x, &e);
    CHECK(rc == 0, "%s", e.msg);
    for (size_t i = 0; rc == 0 && i < n; i++)
        CHECK(same_bits(x[i], cases[i].f), "file f16[%zu] = %a", i, x[i]);
    free(x);
    st_close(f);
}

static void test_bf16_conversion(void)
{
    CHECK(st_bf16_to_f32(0x3f80) == 1.0f, "bf16 1");
    CHECK(st_bf16_to_f32(0xc049) == -3.140625f, "bf16 -3.140625");
    CHECK(same_bits(st_bf16_to_f32(0x8000), -0.0f), "bf16 -0");
    CHECK(st_bf16_to_f32(0x7f80) == INFINITY, "bf16 inf");
    CHECK(st_bf16_to_f32(0x0001) == 0x1p-133f, "bf16 subnormal");
    CHECK(isnan(st_bf16_to_f32(0x7fc0)), "bf16 NaN");
    int bad = 0;
    for (uint32_t b = 0; b < 65536; b++) {
        uint32_t u = b << 16;
        float r, g = st_bf16_to_f32((uint16_t)b);
        memcpy(&r, &u, 4);
        if (!same_bits(g, r))
            bad++;
    }
    CHECK(bad == 0, "%d bf16 values differ", bad);

    unsigned char d[6] = {0x80, 0x3f, 0x49, 0xc0, 0x80, 0x7f};
    st_file *f = open_ok(
        "{\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}", d, 6);
    if (!f)
        return;
    float *x = NULL;
    at_err e = {0, ""};
    int64_t s[1] = {3};
    int rc = st_read_f32(f, "b", 1, s, &x, &e);
    CHECK(rc == 0 && x[0] == 1.0f && x[1] == -3.140625f && x[2] == INFINITY,
          "bf16 file: %s", e.msg);
    free(x);
    st_close(f);
}

static void test_zero_size_and_scalar(void)
{
    unsigned char d[8];
    put_f32(d, 42.5f);
    put_f32(d + 4, -1.0f);
    /* empty tensors may sit anywhere, even inside another's range or at the
     * very end; a scalar has shape [] and one element; gaps are allowed. */
    st_file *f = open_ok(
        "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
        "\"e0\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]},"
        "\"e1\":{\"dtype\":\"F16\",\"shape\":[3,0,5],\"data_offsets\":[8,8]},"
        "\"e2\":{\"dtype\":\"I64\",\"shape\":[0],\"data_offsets\":[0,0]}}",
        d, 8);
    if (!f)
        return;
    CHECK(st_count(f) == 4, "count");
    const st_tensor *s = st_find(f, "s");
    CHECK(s && s->ndim == 0 && s->nelem == 1, "scalar");
    float *x = NULL;
    at_err e = {0, ""};
    int rc = st_read_f32(f, "s", 0, NULL, &x, &e);
    CHECK(rc == 0 && x[0] == 42.5f, "scalar value");
    free(x);
    int64_t shp0[1] = {0};
    rc = st_read_f32(f, "e0", 1, shp0, &x, &e);
    CHECK(rc == 0 && x != NULL, "empty read gives a freeable pointer: %s", e.msg);
    free(x);
    rc = st_read_f32(f, "e1", 0, NULL, &x, &e);
    CHECK(rc == 0 && x != NULL && st_find(f, "e1")->nelem == 0, "empty 3d");
    free(x);
    st_close(f);

    /* only metadata, and the empty header {} */
    f = open_ok("{\"__metadata__\":{}}", NULL, 0);
    CHECK(f && st_count(f) == 0 && st_find(f, "x") == NULL, "no tensors");
    st_close(f);
    f = open_ok("{}", NULL, 0);
    CHECK(f && st_count(f) == 0, "{}");
    st_close(f);
}

static void test_all_dtypes(void)
{
    static const char *names[] = {"BOOL", "U8",  "I8",  "U16", "I16",
                                  "F16",  "BF16", "U32", "I32", "F32",
                                  "U64",  "I64", "F64"};
    static const size_t sizes[] = {1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8};
    char h[2048];
    size_t off = 0, hl = 0;
    hl += (size_t)snprintf(h + hl, sizeof h - hl, "{");
    for (int i = 0; i < 13; i++) {
        CHECK(!strcmp(st_dtype_name((st_dtype)i), names[i]), "name %d", i);
        CHECK(st_dtype_size((st_dtype)i) == sizes[i], "size %d", i);
        hl += (size_t)snprintf(h + hl, sizeof h - hl,
                               "%s\"t%d\":{\"dtype\":\"%s\",\"shape\":[2],"
                               "\"data_offsets\":[%zu,%zu]}",
                               i ? "," : "", i, names[i], off,
                               off + 2 * sizes[i]);
        off += 2 * sizes[i] + 3; /* with gaps */
    }
    snprintf(h + hl, sizeof h - hl, "}");
    CHECK(st_dtype_size((st_dtype)99) == 0 && st_dtype_name((st_dtype)99),
          "bad dtype");
    unsigned char d[256] = {0};
    st_file *f = open_ok(h, d, off);
    if (!f)
        return;
    CHECK(st_count(f) == 13, "count");
    for (int i = 0; i < 13; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "t%d", i);
        const st_tensor *t = st_find(f, nm);
        CHECK(t && t->dtype == (st_dtype)i && t->nelem == 2, "%s", nm);
    }
    st_close(f);
}

static void test_open_memory(void)
{
    size_t len;
    unsigned char d[4];
    put_f32(d, 2.0f);
    unsigned char *b = build(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", d, 4,
        UINT64_MAX, &len);
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open_memory(b, len, "mem.safetensors", &f, &e);
    CHECK(rc == 0 && f, "%s", e.msg);
    memset(b, 0xff, len); /* the handle owns a copy */
    float *x = NULL;
    rc = f ? st_read_f32(f, "w", 0, NULL, &x, &e) : -1;
    CHECK(rc == 0 && x && x[0] == 2.0f, "copy: %s", e.msg);
    CHECK(f && !strcmp(st_path(f), "mem.safetensors"), "label");
    free(x);
    st_close(f);
    rc = st_open_memory(b, len, "mem.safetensors", &f, &e);
    CHECK(rc == AT_EFORMAT && strstr(e.msg, "mem.safetensors"), "bad: %s",
          e.msg);
    rc = st_open_memory(NULL, 0, NULL, &f, &e);
    CHECK(rc == AT_EFORMAT && strstr(e.msg, "<memory>"), "empty: %s", e.msg);
    free(b);
}

/* Every prefix and every single-byte corruption of a small valid file either
 * opens or fails with a message; never crashes (ASan checks the reads). */
static void test_prefixes_and_flips(void)
{
    unsigned char d[20];
    for (int i = 0; i < 20; i++)
        d[i] = (unsigned char)(i * 37);
    size_t len;
    unsigned char *b = build(
        "{\"__metadata__\":{\"k\":\"v\"},"
        "\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
        "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,20]}}",
        d, 20, UINT64_MAX, &len);
    int opened = 0, failed_bad = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        st_file *f = NULL;
        at_err e = {0, ""};
        int rc = st_open_memory(b, cut, "prefix", &f, &e);
        if (rc == 0) {
            opened++;
            st_close(f);
        } else if (f || !strstr(e.msg, "prefix")) {
            failed_bad++;
        }
    }
    CHECK(opened == 1, "only the full file opens (%d did)", opened);
    static const unsigned char vals[] = {0, ' ', '"', '-', '9', '{', '}', ']',
                                         0x80, 0xff};
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof vals; k++) {
            unsigned char save = b[i];
            b[i] = vals[k];
            st_file *f = NULL;
            at_err e = {0, ""};
            int rc = st_open_memory(b, len, "flip", &f, &e);
            if (rc == 0) {
                for (size_t j = 0; j < st_count(f); j++) {
                    const st_tensor *t = st_at(f, j);
                    float *x = NULL;
                    if (st_read_f32(f, t->name, 0, NULL, &x, NULL) == 0)
                        free(x);
                }
                st_close(f);
            } else if (f || !strstr(e.msg, "flip")) {
                failed_bad++;
            }
            b[i] = save;
        }
    }
    CHECK(failed_bad == 0, "%d failures without a proper message", failed_bad);
    free(b);
}

/* ------------------------------------------------------------ real model */

static void test_real_model(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/model.safetensors", check_model_dir());
    st_file *f = NULL;
    at_err e = {0, ""};
    int rc = st_open(p, &f, &e);
    CHECK(rc == 0 && f, "open %s: %s", p, e.msg);
    if (!f)
        return;
    /* 105 header keys: 104 tensors + __metadata__ {"format": "pt"} */
    CHECK(st_count(f) == 104, "count %zu", st_count(f));
    const st_tensor *t = st_find(f, "embeddings.word_embeddings.weight");
    CHECK(t && t->dtype == ST_F32 && t->ndim == 2 && t->shape[0] == 30522 &&
              t->shape[1] == 384 && t->begin == 796672 && t->end == 47678464,
          "word embeddings");
    const st_tensor *pi = st_find(f, "embeddings.position_ids");
    CHECK(pi && pi->dtype == ST_I64 && pi->ndim == 2 && pi->shape[0] == 1 &&
              pi->shape[1] == 512,
          "position_ids");
    if (pi) {
        int ok = 1;
        for (int i = 0; i < 512; i++) {
            int64_t v;
            memcpy(&v, (const char *)pi->data + 8 * i, 8);
            ok &= v == i;
        }
        CHECK(ok, "position_ids are 0..511");
    }
    float *x = NULL;
    int64_t s[2] = {30522, 384};
    rc = st_read_f32(f, "embeddings.word_embeddings.weight", 2, s, &x, &e);
    CHECK(rc == 0 && x, "%s", e.msg);
    if (x) {
        /* read with Python struct.unpack('<f') from the file */
        static const float first[8] = {
            -0.019989013671875f,     -0.0034027099609375f,
            -0.014678955078125f,     0.0117034912109375f,
            -0.0032482147216796875f, 0.012664794921875f,
            0.015899658203125f,      0.007541656494140625f};
        for (int i = 0; i < 8; i++)
            CHECK(x[i] == first[i], "we[%d] = %.9g, want %.9g", i, x[i],
                  first[i]);
        size_t last = (size_t)30522 * 384 - 4;
        CHECK(fabsf(x[last] - 0.0957080126f) < 1e-9f &&
                  fabsf(x[last + 3] - 0.00457006367f) < 1e-10f,
              "last row: %.9g %.9g", x[last], x[last + 3]);
        free(x);
    }
    rc = st_read_f32(f, "embeddings.position_ids", 0, NULL, &x, &e);
    CHECK(rc == AT_EUNSUPPORTED, "I64 as float: %d", rc);
    st_close(f);
}

int main(void)
{
    if (tmpdir_make(tmpdir, sizeof tmpdir, "st"))
        return 2;
    RUN_CASE(test_shorter_than_8);
    RUN_CASE(test_header_len_past_eof);
    RUN_CASE(test_header_over_limit);
    RUN_CASE(test_data_truncated);
    RUN_CASE(test_not_json);
    RUN_CASE(test_not_object);
    RUN_CASE(test_missing_keys);
    RUN_CASE(test_wrong_types);
    RUN_CASE(test_negative_shape);
    RUN_CASE(test_too_many_dims);
    RUN_CASE(test_begin_after_end);
    RUN_CASE(test_offsets_out_of_range);
    RUN_CASE(test_overlap);
    RUN_CASE(test_unknown_dtype);
    RUN_CASE(test_size_mismatch);
    RUN_CASE(test_duplicate_keys);
    RUN_CASE(test_open_errors);
    RUN_CASE(test_read_fallback_pipe);
    RUN_CASE(test_read_errors);
    RUN_CASE(test_f32_unaligned_padded_metadata);
    RUN_CASE(test_f16_conversion);
    RUN_CASE(test_bf16_conversion);
    RUN_CASE(test_zero_size_and_scalar);
    RUN_CASE(test_all_dtypes);
    RUN_CASE(test_open_memory);
    RUN_CASE(test_prefixes_and_flips);
    RUN_CASE(test_real_model);
    tmpdir_remove(tmpdir);
    return check_finish("safetensors");
}
