/* safetensors reader: see safetensors.h and docs/model-files.md.
 *
 * The file's bytes are mapped read-only (mmap, falling back to read() into a
 * heap buffer) and the JSON header is parsed with jansson. Every tensor entry
 * is validated against the file before st_open returns, so the tensors'
 * data pointers always lie inside the bytes that were actually loaded. */
#include "safetensors.h"
#include "json_util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest accepted JSON header, as in the reference implementation. */
#define ST_MAX_HEADER 100000000ull
/* Longest tensor name quoted in an error message (the message is 512 bytes). */
#define ST_NAME_SHOWN 160

struct st_file {
    char *path;
    unsigned char *bytes;    /* the whole file; never written */
    size_t size;
    int mapped;              /* bytes came from mmap (else malloc) */
    st_tensor *tensors;      /* header order */
    size_t count;
    const st_tensor **by_name; /* sorted by name, for st_find */
};

static const struct {
    const char *name;
    size_t size;
} st_dtypes[] = {
    [ST_BOOL] = {"BOOL", 1}, [ST_U8] = {"U8", 1},     [ST_I8] = {"I8", 1},
    [ST_U16] = {"U16", 2},   [ST_I16] = {"I16", 2},   [ST_F16] = {"F16", 2},
    [ST_BF16] = {"BF16", 2}, [ST_U32] = {"U32", 4},   [ST_I32] = {"I32", 4},
    [ST_F32] = {"F32", 4},   [ST_U64] = {"U64", 8},   [ST_I64] = {"I64", 8},
    [ST_F64] = {"F64", 8},
};
#define ST_NDTYPES (sizeof st_dtypes / sizeof st_dtypes[0])

const char *st_dtype_name(st_dtype t)
{
    if ((unsigned)t >= ST_NDTYPES)
        return "?";
    return st_dtypes[t].name;
}

size_t st_dtype_size(st_dtype t)
{
    if ((unsigned)t >= ST_NDTYPES)
        return 0;
    return st_dtypes[t].size;
}

/* ------------------------------------------------------------ scalars */

float st_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    float f;

    if (exp == 0) {
        /* zero or subnormal: mant * 2^-24, exact in float */
        f = (float)mant * 0x1p-24f;
        return sign ? -f : f;
    }
    if (exp == 31)
        bits = sign | 0x7f800000u | (mant << 13); /* inf, NaN (payload kept) */
    else
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    memcpy(&f, &bits, sizeof f);
    return f;
}

float st_bf16_to_f32(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint64_t rd_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t rd_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t rd_le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* ------------------------------------------------------------ helpers */

/* Precision for quoting a name with "%.*s". */
static int shown(const char *s)
{
    size_t n = strlen(s);
    return n > ST_NAME_SHOWN ? ST_NAME_SHOWN : (int)n;
}

static void fmt_shape(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t used = 0;
    int n = snprintf(buf, cap, "[");
    used = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < ndim && used < cap; i++) {
        n = snprintf(buf + used, cap - used, "%s%lld", i ? ", " : "",
                     (long long)shape[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
}

/* ------------------------------------------------------------ loading */

static int load_bytes(const char *path, unsigned char **bytes, size_t *size,
                      int *mapped, at_err *err)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return at_err_set(err, AT_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return at_err_set(err, AT_EIO, "%s: cannot stat: %s", path,
                          strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return at_err_set(err, AT_EIO, "%s: is a directory", path);
    }
    if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
        if ((uint64_t)sb.st_size > SIZE_MAX) {
            close(fd);
            return at_err_set(err, AT_ENOMEM, "%s: file too large to map",
                              path);
        }
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            *bytes = p;
            *size = (size_t)sb.st_size;
            *mapped = 1;
            return 0;
        }
    }

    /* read() fallback: pipes, special files, or mmap refused. */
    size_t cap = S_ISREG(sb.st_mode) && sb.st_size > 0 ? (size_t)sb.st_size + 1
                                                       : 65536;
    size_t len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return at_err_set(err, AT_ENOMEM, "%s: out of memory reading %zu bytes",
                          path, cap);
    }
    for (;;) {
        if (len == cap) {
            if (cap > SIZE_MAX / 2) {
                free(buf);
                close(fd);
                return at_err_set(err, AT_ENOMEM, "%s: file too large", path);
            }
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                close(fd);
                return at_err_set(err, AT_ENOMEM,
                                  "%s: out of memory reading %zu bytes", path,
                                  cap * 2);
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return at_err_set(err, AT_EIO, "%s: read failed: %s", path,
                              strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    *bytes = buf;
    *size = len;
    *mapped = 0;
    return 0;
}

/* ------------------------------------------------------------ parsing */

static int parse_metadata(const char *path, json_t *meta, at_err *err)
{
    const char *k;
    json_t *v;
    if (!json_is_object(meta))
        return at_err_set(err, AT_EFORMAT,
                          "%s: '__metadata__' is %s, not an object", path,
                          at_json_type_name(meta));
    json_object_foreach(meta, k, v) {
        if (!json_is_string(v))
            return at_err_set(err, AT_EFORMAT,
                              "%s: '__metadata__' value of '%.*s' is %s, "
                              "not a string",
                              path, shown(k), k, at_json_type_name(v));
    }
    return 0;
}

/* Validates one tensor entry and fills t (except name and data). */
static int parse_entry(const char *path, const char *name, json_t *v,
                       uint64_t dsize, st_tensor *t, at_err *err)
{
    int nl = shown(name);
    if (!json_is_object(v))
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': entry is %s, not an object",
                          path, nl, name, at_json_type_name(v));

    static const char *const keys[3] = {"dtype", "shape", "data_offsets"};
    json_t *jv[3];
    for (int i = 0; i < 3; i++) {
        jv[i] = json_object_get(v, keys[i]);
        if (!jv[i])
            return at_err_set(err, AT_EFORMAT,
                              "%s: tensor '%.*s': missing key '%s'", path, nl,
                              name, keys[i]);
    }
    if (json_object_size(v) != 3) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            if (strcmp(k, "dtype") && strcmp(k, "shape") &&
                strcmp(k, "data_offsets"))
                return at_err_set(err, AT_EFORMAT,
                                  "%s: tensor '%.*s': unexpected key '%.*s'",
                                  path, nl, name, shown(k), k);
        }
    }
    json_t *jd = jv[0], *js = jv[1], *jo = jv[2];

    /* dtype */
    if (!json_is_string(jd))
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': 'dtype' is %s, not a string",
                          path, nl, name, at_json_type_name(jd));
    const char *ds = json_string_value(jd);
    size_t di;
    for (di = 0; di < ST_NDTYPES; di++)
        if (strcmp(ds, st_dtypes[di].name) == 0)
            break;
    if (di == ST_NDTYPES)
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': unknown dtype '%.*s'", path, nl,
                          name, shown(ds), ds);
    t->dtype = (st_dtype)di;

    /* shape */
    if (!json_is_array(js))
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': 'shape' is %s, not an array",
                          path, nl, name, at_json_type_name(js));
    size_t nd = json_array_size(js);
    if (nd > ST_MAX_DIMS)
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': shape has %zu dimensions, more "
                          "than %d",
                          path, nl, name, nd, ST_MAX_DIMS);
    t->ndim = (int)nd;
    int any_zero = 0;
    for (size_t i = 0; i < nd; i++) {
        json_t *d = json_array_get(js, i);
        if (!json_is_integer(d))
            return at_err_set(err, AT_EFORMAT,
                              "%s: tensor '%.*s': shape[%zu] is %s, not an "
                              "integer",
                              path, nl, name, i, at_json_type_name(d));
        json_int_t x = json_integer_value(d);
        if (x < 0)
            return at_err_set(err, AT_EFORMAT,
                              "%s: tensor '%.*s': shape[%zu] is negative (%lld)",
                              path, nl, name, i, (long long)x);
        t->shape[i] = (int64_t)x;
        if (x == 0)
            any_zero = 1;
    }
    char shp[ST_MAX_DIMS * 22 + 4];
    fmt_shape(shp, sizeof shp, t->ndim, t->shape);
    uint64_t nelem = 1;
    if (any_zero) {
        nelem = 0;
    } else {
        for (int i = 0; i < t->ndim; i++) {
            uint64_t d = (uint64_t)t->shape[i];
            if (nelem > UINT64_MAX / d)
                return at_err_set(err, AT_EFORMAT,
                                  "%s: tensor '%.*s': shape %s: element count "
                                  "overflows 64 bits",
                                  path, nl, name, shp);
            nelem *= d;
        }
    }
    size_t esz = st_dtypes[di].size;
    if (nelem > UINT64_MAX / esz)
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': shape %s of %s: byte size "
                          "overflows 64 bits",
                          path, nl, name, shp, st_dtypes[di].name);
    uint64_t nbytes = nelem * esz;
    t->nelem = nelem;

    /* data_offsets */
    if (!json_is_array(jo))
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': 'data_offsets' is %s, not an "
                          "array",
                          path, nl, name, at_json_type_name(jo));
    if (json_array_size(jo) != 2)
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': 'data_offsets' has %zu entries, "
                          "not 2 [begin, end]",
                          path, nl, name, json_array_size(jo));
    json_t *jb = json_array_get(jo, 0), *je = json_array_get(jo, 1);
    if (!json_is_integer(jb) || !json_is_integer(je))
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': 'data_offsets' entries must be "
                          "integers (got %s, %s)",
                          path, nl, name, at_json_type_name(jb),
                          at_json_type_name(je));
    long long b = (long long)json_integer_value(jb);
    long long e = (long long)json_integer_value(je);
    if (b < 0 || e < 0)
        return at_err_set(err, AT_ERANGE,
                          "%s: tensor '%.*s': data_offsets [%lld, %lld] are "
                          "negative",
                          path, nl, name, b, e);
    if (b > e)
        return at_err_set(err, AT_ERANGE,
                          "%s: tensor '%.*s': data_offsets [%lld, %lld]: begin "
                          "is after end",
                          path, nl, name, b, e);
    if ((uint64_t)e > dsize)
        return at_err_set(err, AT_ERANGE,
                          "%s: tensor '%.*s': data_offsets [%lld, %lld] end "
                          "past the data section (%llu bytes; file "
                          "truncated?)",
                          path, nl, name, b, e, (unsigned long long)dsize);
    if ((uint64_t)(e - b) != nbytes)
        return at_err_set(err, AT_EFORMAT,
                          "%s: tensor '%.*s': shape %s of %s is %llu bytes but "
                          "data_offsets [%lld, %lld] span %llu (size mismatch)",
                          path, nl, name, shp, st_dtypes[di].name,
                          (unsigned long long)nbytes, b, e,
                          (unsigned long long)(e - b));
    t->begin = (uint64_t)b;
    t->end = (uint64_t)e;
    return 0;
}

static int cmp_by_begin(const void *a, const void *b)
{
    const st_tensor *x = *(const st_tensor *const *)a;
    const st_tensor *y = *(const st_tensor *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x < y ? -1 : x > y; /* same array: header order */
}

static int cmp_by_name(const void *a, const void *b)
{
    const st_tensor *x = *(const st_tensor *const *)a;
    const st_tensor *y = *(const st_tensor *const *)b;
    return strcmp(x->name, y->name);
}

static int cmp_name_key(const void *key, const void *elem)
{
    const st_tensor *y = *(const st_tensor *const *)elem;
    return strcmp((const char *)key, y->name);
}

/* Checks that no two non-empty byte ranges overlap. */
static int check_overlaps(const st_file *f, at_err *err)
{
    const st_tensor **v = malloc((f->count ? f->count : 1) * sizeof *v);
    if (!v)
        return at_err_set(err, AT_ENOMEM, "%s: out of memory", f->path);
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++)
        if (f->tensors[i].end > f->tensors[i].begin)
            v[n++] = &f->tensors[i];
    qsort(v, n, sizeof *v, cmp_by_begin);
    int rc = 0;
    for (size_t i = 1; i < n; i++) {
        const st_tensor *p = v[i - 1], *c = v[i];
        if (c->begin < p->end) {
            rc = at_err_set(err, AT_ERANGE,
                            "%s: tensor '%.*s': data_offsets [%llu, %llu] "
                            "overlap tensor '%.*s' [%llu, %llu]",
                            f->path, shown(p->name), p->name,
                            (unsigned long long)p->begin,
                            (unsigned long long)p->end, shown(c->name),
                            c->name, (unsigned long long)c->begin,
                            (unsigned long long)c->end);
            break;
        }
    }
    free(v);
    return rc;
}

static int parse(st_file *f, at_err *err)
{
    const char *path = f->path;
    if (f->size < 8)
        return at_err_set(err, AT_EFORMAT,
                          "%s: truncated: file is %zu bytes, shorter than the "
                          "8-byte header length",
                          path, f->size);
    uint64_t n = rd_le64(f->bytes);
    uint64_t avail = (uint64_t)f->size - 8;
    if (n > avail)
        return at_err_set(err, AT_EFORMAT,
                          "%s: truncated: header length %llu exceeds the %llu "
                          "bytes after the length field",
                          path, (unsigned long long)n,
                          (unsigned long long)avail);
    if (n > ST_MAX_HEADER)
        return at_err_set(err, AT_EFORMAT,
                          "%s: header length %llu exceeds the limit of %llu "
                          "bytes",
                          path, (unsigned long long)n, ST_MAX_HEADER);

    json_error_t je;
    json_t *root = json_loadb((const char *)f->bytes + 8, (size_t)n,
                              JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return at_err_set(err, AT_EFORMAT,
                          "%s: header is not valid JSON: %s (line %d, column "
                          "%d)",
                          path, je.text, je.line, je.column);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = at_err_set(err, AT_EFORMAT,
                        "%s: header JSON is %s, not an object", path,
                        at_json_type_name(root));
        goto out;
    }

    const unsigned char *data = f->bytes + 8 + n;
    uint64_t dsize = avail - n;
    size_t total = json_object_size(root);
    f->tensors = calloc(total ? total : 1, sizeof *f->tensors);
    if (!f->tensors) {
        rc = at_err_set(err, AT_ENOMEM, "%s: out of memory for %zu tensors",
                        path, total);
        goto out;
    }

    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "__metadata__") == 0) {
            rc = parse_metadata(path, val, err);
            if (rc)
                goto out;
            continue;
        }
        st_tensor *t = &f->tensors[f->count];
        rc = parse_entry(path, key, val, dsize, t, err);
        if (rc)
            goto out;
        char *nm = strdup(key);
        if (!nm) {
            rc = at_err_set(err, AT_ENOMEM, "%s: out of memory", path);
            goto out;
        }
        t->name = nm;
        t->data = data + t->begin;
        f->count++;
    }

    rc = check_overlaps(f, err);
    if (rc)
        goto out;

    f->by_name = malloc((f->count ? f->count : 1) * sizeof *f->by_name);
    if (!f->by_name) {
        rc = at_err_set(err, AT_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    for (size_t i = 0; i < f->count; i++)
        f->by_name[i] = &f->tensors[i];
    qsort(f->by_name, f->count, sizeof *f->by_name, cmp_by_name);
out:
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------ public */

void st_close(st_file *f)
{
    if (!f)
        return;
    if (f->tensors) {
        for (size_t i = 0; i < f->count; i++)
            free((char *)f->tensors[i].name);
        free(f->tensors);
    }
    free(f->by_name);
    if (f->bytes) {
        if (f->mapped)
            munmap(f->bytes, f->size);
        else
            free(f->bytes);
    }
    free(f->path);
    free(f);
}

static st_file *new_file(const char *label, at_err *err)
{
    st_file *f = calloc(1, sizeof *f);
    if (f)
        f->path = strdup(label);
    if (!f || !f->path) {
        free(f);
        at_err_set(err, AT_ENOMEM, "%s: out of memory", label);
        return NULL;
    }
    return f;
}

int st_open(const char *path, st_file **out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "st_open: out is NULL");
    *out = NULL;
    if (!path)
        return at_err_set(err, AT_EINVAL, "st_open: path is NULL");
    st_file *f = new_file(path, err);
    if (!f)
        return AT_ENOMEM;
    int rc = load_bytes(path, &f->bytes, &f->size, &f->mapped, err);
    if (rc == 0)
        rc = parse(f, err);
    if (rc) {
        st_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

int st_open_memory(const void *buf, size_t len, const char *label,
                   st_file **out, at_err *err)
{
    if (!label)
        label = "<memory>";
    if (!out)
        return at_err_set(err, AT_EINVAL, "%s: st_open_memory: out is NULL",
                          label);
    *out = NULL;
    if (!buf && len)
        return at_err_set(err, AT_EINVAL, "%s: st_open_memory: buf is NULL",
                          label);
    st_file *f = new_file(label, err);
    if (!f)
        return AT_ENOMEM;
    f->bytes = malloc(len ? len : 1);
    if (!f->bytes) {
        st_close(f);
        return at_err_set(err, AT_ENOMEM, "%s: out of memory copying %zu bytes",
                          label, len);
    }
    if (len)
        memcpy(f->bytes, buf, len);
    f->size = len;
    int rc = parse(f, err);
    if (rc) {
        st_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

size_t st_count(const st_file *f)
{
    return f ? f->count : 0;
}

const st_tensor *st_at(const st_file *f, size_t i)
{
    if (!f || i >= f->count)
        return NULL;
    return &f->tensors[i];
}

const st_tensor *st_find(const st_file *f, const char *name)
{
    if (!f || !name || !f->count)
        return NULL;
    const st_tensor **p =
        bsearch(name, f->by_name, f->count, sizeof *f->by_name, cmp_name_key);
    return p ? *p : NULL;
}

const char *st_path(const st_file *f)
{
    return f ? f->path : NULL;
}

int st_read_f32(const st_file *f, const char *name, int ndim,
                const int64_t *shape, float **out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "st_read_f32: out is NULL");
    *out = NULL;
    if (!f || !name)
        return at_err_set(err, AT_EINVAL, "st_read_f32: %s is NULL",
                          f ? "name" : "file");
    const st_tensor *t = st_find(f, name);
    if (!t)
        return at_err_set(err, AT_ENOTFOUND, "%s: tensor '%.*s' not found",
                          f->path, shown(name), name);
    if (t->dtype != ST_F32 && t->dtype != ST_F16 && t->dtype != ST_BF16)
        return at_err_set(err, AT_EUNSUPPORTED,
                          "%s: tensor '%.*s': dtype %s cannot be read as "
                          "float (F32, F16 or BF16 only)",
                          f->path, shown(name), name, st_dtype_name(t->dtype));
    if (shape) {
        int ok = ndim == t->ndim;
        for (int i = 0; ok && i < ndim; i++)
            ok = shape[i] == t->shape[i];
        if (!ok) {
            char have[ST_MAX_DIMS * 22 + 4], want[ST_MAX_DIMS * 22 + 4];
            fmt_shape(have, sizeof have, t->ndim, t->shape);
            if (ndim >= 0 && ndim <= ST_MAX_DIMS)
                fmt_shape(want, sizeof want, ndim, shape);
            else
                snprintf(want, sizeof want, "(%d dimensions)", ndim);
            return at_err_set(err, AT_EFORMAT,
                              "%s: tensor '%.*s': shape %s but expected %s "
                              "(shape mismatch)",
                              f->path, shown(name), name, have, want);
        }
    }
    if (t->nelem > SIZE_MAX / sizeof(float))
        return at_err_set(err, AT_ENOMEM, "%s: tensor '%.*s': too large",
                          f->path, shown(name), name);
    size_t n = (size_t)t->nelem;
    float *dst = malloc(n ? n * sizeof(float) : 1);
    if (!dst)
        return at_err_set(err, AT_ENOMEM,
                          "%s: tensor '%.*s': out of memory for %zu floats",
                          f->path, shown(name), name, n);
    const unsigned char *src = t->data;
    switch (t->dtype) {
    case ST_F32:
        for (size_t i = 0; i < n; i++) {
            uint32_t bits = rd_le32(src + 4 * i);
            memcpy(&dst[i], &bits, sizeof bits);
        }
        break;
    case ST_F16:
        for (size_t i = 0; i < n; i++)
            dst[i] = st_f16_to_f32(rd_le16(src + 2 * i));
        break;
    default: /* ST_BF16 */
        for (size_t i = 0; i < n; i++)
            dst[i] = st_bf16_to_f32(rd_le16(src + 2 * i));
        break;
    }
    *out = dst;
    return 0;
}
