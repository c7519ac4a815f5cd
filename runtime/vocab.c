/* vocab.txt loading for the WordPiece tokenizer: one token per line,
 * id = 0-based line number, a trailing '\r' is dropped (CRLF files).
 * The file is read into one buffer; each line is NUL-terminated in place and
 * indexed by an open-addressing hash table (linear probing, power-of-two
 * size, load factor <= 1/2). Immutable after loading. */
#include "tokenizer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

struct at_vocab {
    char *buf;        /* file contents, every token NUL-terminated */
    size_t *off;      /* token id -> offset in buf */
    uint32_t *len;    /* token id -> length in bytes */
    size_t n;         /* number of tokens */
    int32_t *slot;    /* hash table: token id or -1 */
    uint32_t *shash;  /* hash of the token in that slot (quick reject) */
    size_t mask;      /* table size - 1 */
};

static uint32_t vocab_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void at_vocab_free(at_vocab *v)
{
    if (!v)
        return;
    free(v->buf);
    free(v->off);
    free(v->len);
    free(v->slot);
    free(v->shash);
    free(v);
}

/* Reads the whole file; *size gets its length. The buffer has one extra
 * byte, so the last line can be NUL-terminated even without a newline. */
static int read_file(const char *path, char **out, size_t *size, at_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return at_err_set(err, AT_EIO, "%s: cannot open vocabulary: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return at_err_set(err, AT_ENOMEM, "%s: out of memory reading vocabulary", path);
    }
    for (;;) {
        if (n == cap) {
            char *nb = cap > ((size_t)-1) / 4 ? NULL : realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return at_err_set(err, AT_ENOMEM, "%s: out of memory reading vocabulary", path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                fclose(f);
                return at_err_set(err, AT_EIO, "%s: read error: %s", path, e ? strerror(e) : "I/O error");
            }
            break;
        }
    }
    fclose(f);
    *out = buf;
    *size = n;
    return AT_OK;
}

/* Inserts id; returns the id already holding the same token, or -1. */
static int32_t vocab_insert(at_vocab *v, int32_t id)
{
    const char *tok = v->buf + v->off[id];
    uint32_t len = v->len[id];
    uint32_t h = vocab_hash(tok, len);
    for (size_t i = h & v->mask;; i = (i + 1) & v->mask) {
        int32_t s = v->slot[i];
        if (s < 0) {
            v->slot[i] = id;
            v->shash[i] = h;
            return -1;
        }
        if (v->shash[i] == h && v->len[s] == len && memcmp(v->buf + v->off[s], tok, len) == 0)
            return s;
    }
}

int at_vocab_load(const char *path, at_vocab **out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "at_vocab_load: out is NULL");
    *out = NULL;
    if (!path)
        return at_err_set(err, AT_EINVAL, "at_vocab_load: path is NULL");

    at_vocab *v = calloc(1, sizeof *v);
    if (!v)
        return at_err_set(err, AT_ENOMEM, "%s: out of memory", path);
    size_t size = 0;
    int rc = read_file(path, &v->buf, &size, err);
    if (rc) {
        free(v);
        return rc;
    }
    if (size == 0) {
        at_vocab_free(v);
        return at_err_set(err, AT_EFORMAT, "%s: empty vocabulary file", path);
    }

    /* Count lines: a final line without '\n' counts, a final '\n' adds none. */
    size_t lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += v->buf[i] == '\n';
    if (v->buf[size - 1] != '\n')
        lines++;
    if (lines > (size_t)INT32_MAX) {
        at_vocab_free(v);
        return at_err_set(err, AT_EFORMAT, "%s: too many tokens (%zu)", path, lines);
    }
    size_t tsize = 16;
    while (tsize < 2 * lines)
        tsize *= 2;
    v->off = malloc(lines * sizeof *v->off);
    v->len = malloc(lines * sizeof *v->len);
    v->slot = malloc(tsize * sizeof *v->slot);
    v->shash = malloc(tsize * sizeof *v->shash);
    if (!v->off || !v->len || !v->slot || !v->shash) {
        at_vocab_free(v);
        return at_err_set(err, AT_ENOMEM, "%s: out of memory (%zu tokens)", path, lines);
    }
    memset(v->slot, 0xff, tsize * sizeof *v->slot); /* all -1 */
    v->mask = tsize - 1;

    size_t pos = 0;
    for (size_t id = 0; id < lines; id++) {
        size_t lineno = id + 1;
        char *nl = memchr(v->buf + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - v->buf) : size;
        size_t len = end - pos;
        if (len > 0 && v->buf[pos + len - 1] == '\r')
            len--;
        v->buf[pos + len] = '\0';
        const char *tok = v->buf + pos;
        if (len == 0) {
            at_vocab_free(v);
            return at_err_set(err, AT_EFORMAT, "%s:%zu: empty token", path, lineno);
        }
        if (len > UINT32_MAX || memchr(tok, '\0', len)) {
            at_vocab_free(v);
            return at_err_set(err, AT_EFORMAT, "%s:%zu: token contains a NUL byte or is too long",
                              path, lineno);
        }
        for (size_t i = 0; i < len;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)tok + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            if (k <= 0) {
                at_vocab_free(v);
                return at_err_set(err, AT_EFORMAT, "%s:%zu: invalid UTF-8 at byte %zu of the token",
                                  path, lineno, i);
            }
            i += (size_t)k;
        }
        v->off[id] = pos;
        v->len[id] = (uint32_t)len;
        v->n = id + 1;
        int32_t dup = vocab_insert(v, (int32_t)id);
        if (dup >= 0) {
            at_err_set(err, AT_EFORMAT, "%s:%zu: duplicate token '%.64s' (first at line %d)",
                       path, lineno, tok, dup + 1);
            at_vocab_free(v);
            return AT_EFORMAT;
        }
        pos = end + 1;
    }

    static const char *const required[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (at_vocab_find(v, required[i], strlen(required[i])) < 0) {
            at_vocab_free(v);
            return at_err_set(err, AT_EFORMAT, "%s: missing required token %s", path, required[i]);
        }
    }
    *out = v;
    return AT_OK;
}

size_t at_vocab_size(const at_vocab *v)
{
    return v ? v->n : 0;
}

int32_t at_vocab_find(const at_vocab *v, const char *tok, size_t len)
{
    if (!v || (!tok && len))
        return -1;
    uint32_t h = vocab_hash(tok, len);
    for (size_t i = h & v->mask;; i = (i + 1) & v->mask) {
        int32_t s = v->slot[i];
        if (s < 0)
            return -1;
        if (v->shash[i] == h && v->len[s] == len && memcmp(v->buf + v->off[s], tok, len) == 0)
            return s;
    }
}

const char *at_vocab_token(const at_vocab *v, int32_t id)
{
    if (!v || id < 0 || (size_t)id >= v->n)
        return NULL;
    return v->buf + v->off[id];
}
