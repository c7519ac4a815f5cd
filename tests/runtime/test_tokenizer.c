/* Tests of the BERT uncased WordPiece tokenizer (runtime/tokenizer.h).
 *
 * The main check is tests/data/tokenizer/golden.tsv: expected ids produced by
 * the Hugging Face `tokenizers` package from the model's tokenizer.json
 * (tests/data/tokenizer/make_golden.py, dev-time only; the format is
 * described there). Run from the repository root:
 *
 *   test_tokenizer              all cases, default golden file
 *   test_tokenizer FILE.tsv     same, another golden file (e.g. a big one)
 *   test_tokenizer --bench      throughput on the golden sentences
 */
#include "check.h"
#include "tokenizer.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GOLDEN_DEFAULT "tests/data/tokenizer/golden.tsv"
#define MAXIDS 4096

static const char *golden_path = GOLDEN_DEFAULT;
static at_vocab *vocab;     /* the model's vocabulary, loaded once */
static char vocab_path[1024];

/* ------------------------------------------------------------ helpers */

typedef struct gcase {
    char *text;
    int32_t *ids;
    size_t n;
    int line;
} gcase;

typedef struct golden {
    gcase *c;
    size_t n;
} golden;

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Unescapes the text column in place (the result is never longer). */
static int unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        switch (*p) {
        case '\\': *o++ = '\\'; p++; break;
        case 't': *o++ = '\t'; p++; break;
        case 'n': *o++ = '\n'; p++; break;
        case 'r': *o++ = '\r'; p++; break;
        case 'x': {
            int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
            if (h < 0 || l < 0)
                return -1;
            *o++ = (char)(h * 16 + l);
            p += 3;
            break;
        }
        case 'u': {
            if (p[1] != '{')
                return -1;
            uint32_t c = 0;
            p += 2;
            while (*p && *p != '}') {
                int h = hexval(*p++);
                if (h < 0)
                    return -1;
                c = c * 16 + (uint32_t)h;
            }
            if (*p != '}' || c > 0x10FFFF)
                return -1;
            p++;
            o += put_utf8(o, c);
            break;
        }
        default: return -1;
        }
    }
    *o = '\0';
    return 0;
}

static void golden_free(golden *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->c[i].text);
        free(g->c[i].ids);
    }
    free(g->c);
    g->c = NULL;
    g->n = 0;
}

static int golden_load(const char *path, golden *g)
{
    g->c = NULL;
    g->n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "  cannot open %s (run from the repository root)\n", path);
        return -1;
    }
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "  %s:%d: no tab\n", path, lineno);
            rc = -1;
            break;
        }
        *tab = '\0';
        if (g->n == cap) {
            cap = cap ? 2 * cap : 512;
            gcase *nc = realloc(g->c, cap * sizeof *nc);
            if (!nc) {
                rc = -1;
                break;
            }
            g->c = nc;
        }
        gcase *c = &g->c[g->n];
        c->line = lineno;
        c->text = strdup(line);
        c->ids = malloc(MAXIDS * sizeof *c->ids);
        c->n = 0;
        if (!c->text || !c->ids) {
            free(c->text);
            free(c->ids);
            rc = -1;
            break;
        }
        g->n++;
        if (unescape(c->text) != 0) {
            fprintf(stderr, "  %s:%d: bad escape\n", path, lineno);
            rc = -1;
            break;
        }
        for (char *p = tab + 1; *p;) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || c->n == MAXIDS) {
                fprintf(stderr, "  %s:%d: bad ids\n", path, lineno);
                rc = -1;
                break;
            }
            c->ids[c->n++] = (int32_t)v;
            p = end;
            while (*p == ' ')
                p++;
        }
        if (rc)
            break;
    }
    free(line);
    fclose(f);
    if (rc)
        golden_free(g);
    return rc;
}

static void print_ids(const char *what, const int32_t *ids, size_t n)
{
    fprintf(stderr, "    %s (%zu):", what, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %d", ids[i]);
    fputc('\n', stderr);
}

static void print_text(const char *text)
{
    fprintf(stderr, "    text: \"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7F || *p == '\\')
            fprintf(stderr, "\\x%02X", *p);
        else
            fputc(*p, stderr);
    }
    fprintf(stderr, "\"\n");
}

static at_tokenizer *new_tok(int lowercase, int cjk, size_t max_len)
{
    at_tokenizer_opts o = {lowercase, cjk, max_len};
    at_tokenizer *t = NULL;
    at_err e = {0};
    int rc = at_tokenizer_new(vocab, &o, &t, &e);
    CHECK(rc == AT_OK, "at_tokenizer_new: %s %s", at_err_name(rc), e.msg);
    return t;
}

/* Tokenizes and compares with the expected ids; prints both on mismatch. */
static int expect_ids(const at_tokenizer *t, const char *text, const int32_t *want, size_t nwant)
{
    int32_t got[MAXIDS];
    size_t n = 0;
    at_err e = {0};
    int rc = at_tokenize(t, text, got, MAXIDS, &n, &e);
    int ok = rc == AT_OK && n == nwant && memcmp(got, want, n * sizeof *got) == 0;
    if (!ok) {
        print_text(text);
        if (rc)
            fprintf(stderr, "    at_tokenize: %s %s\n", at_err_name(rc), e.msg);
        print_ids("want", want, nwant);
        print_ids("got ", got, rc ? 0 : n);
    }
    return ok;
}

static int32_t id_of(const char *tok)
{
    return at_vocab_find(vocab, tok, strlen(tok));
}

/* Writes content to a new temporary file; path gets its name. */
static int temp_file(char *path, size_t cap, const char *content, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/at_vocab_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, content + off, len - off);
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        off += (size_t)w;
    }
    close(fd);
    return 0;
}

/* Loads a vocabulary from content and expects code; checks the message
 * names the file and contains what (if not NULL). */
static void vocab_case(const char *content, size_t len, int code, const char *what)
{
    char path[512];
    if (temp_file(path, sizeof path, content, len) != 0) {
        CHECK(0, "cannot write a temporary file");
        return;
    }
    at_vocab *v = (at_vocab *)1;
    at_err e = {0};
    int rc = at_vocab_load(path, &v, &e);
    CHECK(rc == code, "vocab load: want %s, got %s (%s)", at_err_name(code), at_err_name(rc),
          e.msg);
    if (code != AT_OK) {
        CHECK(v == NULL, "out not NULL after an error");
        CHECK(e.code == code, "err.code %d, want %d", e.code, code);
        CHECK(strstr(e.msg, path) != NULL, "message does not name the file: want '%s' in '%s'",
              path, e.msg);
        if (what)
            CHECK(strstr(e.msg, what) != NULL, "message: want '%s' in '%s'", what, e.msg);
    }
    if (rc == AT_OK)
        at_vocab_free(v);
    unlink(path);
}

/* ------------------------------------------------------------ cases */

static void test_vocab_model(void)
{
    CHECK(vocab != NULL, "model vocabulary %s not loaded", vocab_path);
    if (!vocab)
        return;
    size_t n = at_vocab_size(vocab);
    CHECK(n == 30522, "vocab size: want 30522, got %zu", n);
    CHECK(id_of("[PAD]") == 0, "[PAD]: want 0, got %d", id_of("[PAD]"));
    CHECK(id_of("[UNK]") == 100, "[UNK]: want 100, got %d", id_of("[UNK]"));
    CHECK(id_of("[CLS]") == 101, "[CLS]: want 101, got %d", id_of("[CLS]"));
    CHECK(id_of("[SEP]") == 102, "[SEP]: want 102, got %d", id_of("[SEP]"));
    CHECK(id_of("[MASK]") == 103, "[MASK]: want 103, got %d", id_of("[MASK]"));
    CHECK(id_of("hello") == 7592, "hello: want 7592, got %d", id_of("hello"));
    CHECK(id_of("##a") == 2050, "##a: want 2050, got %d", id_of("##a"));
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *tok = at_vocab_token(vocab, (int32_t)i);
        int32_t back = tok ? at_vocab_find(vocab, tok, strlen(tok)) : -2;
        if (back != (int32_t)i && bad++ < 5)
            CHECK(0, "round trip of id %zu ('%s'): got %d", i, tok ? tok : "(null)", back);
    }
    CHECK(bad == 0, "%zu ids do not round trip", bad);
    CHECK(at_vocab_find(vocab, "notawordatall", 13) == -1, "absent token found");
    CHECK(at_vocab_find(vocab, "hello", 4) == id_of("hell"), "length is honoured");
    CHECK(at_vocab_find(vocab, "", 0) == -1, "empty token found");
    CHECK(at_vocab_token(vocab, -1) == NULL, "token(-1) not NULL");
    CHECK(at_vocab_token(vocab, (int32_t)n) == NULL, "token(size) not NULL");
    CHECK(at_vocab_token(NULL, 0) == NULL && at_vocab_size(NULL) == 0 &&
              at_vocab_find(NULL, "a", 1) == -1,
          "NULL vocab");
}

static void test_vocab_errors(void)
{
    vocab_case("", 0, AT_EFORMAT, "empty");
    static const char dup[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nfoo\nbar\nfoo\n";
    vocab_case(dup, sizeof dup - 1, AT_EFORMAT, ":7: duplicate token 'foo' (first at line 5)");
    static const char nounk[] = "[PAD]\n[CLS]\n[SEP]\nfoo\n";
    vocab_case(nounk, sizeof nounk - 1, AT_EFORMAT, "[UNK]");
    static const char nopad[] = "[UNK]\n[CLS]\n[SEP]\n";
    vocab_case(nopad, sizeof nopad - 1, AT_EFORMAT, "[PAD]");
    static const char blank[] = "[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n";
    vocab_case(blank, sizeof blank - 1, AT_EFORMAT, ":3: empty token");
    static const char nul[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\na\0b\n";
    vocab_case(nul, sizeof nul - 1, AT_EFORMAT, ":5:");
    static const char badutf8[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nok\n\xc3(\n";
    vocab_case(badutf8, sizeof badutf8 - 1, AT_EFORMAT, ":6: invalid UTF-8");
    /* duplicates that differ only by the '\r' of a CRLF line */
    static const char crdup[] = "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nx\r\nx\n";
    vocab_case(crdup, sizeof crdup - 1, AT_EFORMAT, ":6: duplicate");

    /* nonexistent path */
    const char *missing = "/nonexistent-dir/at_no_such_vocab.txt";
    at_vocab *v = (at_vocab *)1;
    at_err e = {0};
    int rc = at_vocab_load(missing, &v, &e);
    CHECK(rc == AT_EIO, "missing file: want EIO, got %s (%s)", at_err_name(rc), e.msg);
    CHECK(v == NULL, "out not NULL");
    CHECK(strstr(e.msg, missing) != NULL, "message does not name the file: '%s'", e.msg);
    /* a directory cannot be read as a file */
    rc = at_vocab_load("/", &v, &e);
    CHECK(rc == AT_EIO, "directory: want EIO, got %s (%s)", at_err_name(rc), e.msg);
    rc = at_vocab_load(NULL, &v, &e);
    CHECK(rc == AT_EINVAL, "NULL path: want EINVAL, got %s", at_err_name(rc));
    rc = at_vocab_load("x", NULL, &e);
    CHECK(rc == AT_EINVAL, "NULL out: want EINVAL, got %s", at_err_name(rc));
    rc = at_vocab_load(missing, &v, NULL); /* err may be NULL */
    CHECK(rc == AT_EIO, "NULL err: want EIO, got %s", at_err_name(rc));
}

static void test_vocab_formats(void)
{
    /* CRLF lines and no final newline; ids are line numbers */
    static const char crlf[] = "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n##lo\r\nhe";
    char path[512];
    if (temp_file(path, sizeof path, crlf, sizeof crlf - 1) != 0) {
        CHECK(0, "cannot write a temporary file");
        return;
    }
    at_vocab *v = NULL;
    at_err e = {0};
    int rc = at_vocab_load(path, &v, &e);
    unlink(path);
    CHECK(rc == AT_OK, "CRLF vocab: %s %s", at_err_name(rc), e.msg);
    if (rc)
        return;
    CHECK(at_vocab_size(v) == 7, "size: want 7, got %zu", at_vocab_size(v));
    CHECK(at_vocab_find(v, "hello", 5) == 4, "hello: got %d", at_vocab_find(v, "hello", 5));
    CHECK(at_vocab_find(v, "he", 2) == 6, "he (last line, no newline): got %d",
          at_vocab_find(v, "he", 2));
    CHECK(at_vocab_find(v, "hello\r", 6) == -1, "'\\r' kept in a token");
    CHECK(strcmp(at_vocab_token(v, 5), "##lo") == 0, "token 5: '%s'", at_vocab_token(v, 5));

    /* a tiny vocabulary without [MASK]: [MASK] in the text is not special */
    at_tokenizer_opts o = {1, 1, 64};
    at_tokenizer *t = NULL;
    rc = at_tokenizer_new(v, &o, &t, &e);
    CHECK(rc == AT_OK, "tokenizer on small vocab: %s", e.msg);
    if (rc == AT_OK) {
        /* hello he ##lo [ mask ] */
        static const int32_t want[] = {2, 4, 6, 5, 1, 1, 1, 3};
        CHECK(expect_ids(t, "Hello HELO [MASK]", want, 8), "small vocab");
        static const int32_t want2[] = {2, 4, 0, 3};
        CHECK(expect_ids(t, "hello[PAD]", want2, 4), "small vocab, [PAD] in the text");
        at_tokenizer_free(t);
    }
    at_vocab_free(v);
}

static void test_golden(void)
{
    golden g;
    if (golden_load(golden_path, &g) != 0) {
        CHECK(0, "cannot load %s", golden_path);
        return;
    }
    CHECK(g.n >= 300, "golden file has only %zu cases", g.n);
    at_tokenizer *t = new_tok(1, 1, MAXIDS);
    if (!t) {
        golden_free(&g);
        return;
    }
    size_t bad = 0;
    for (size_t i = 0; i < g.n; i++) {
        if (bad >= 10) {
            bad++;
            continue;
        }
        if (!expect_ids(t, g.c[i].text, g.c[i].ids, g.c[i].n)) {
            fprintf(stderr, "    at %s:%d\n", golden_path, g.c[i].line);
            bad++;
        }
    }
    CHECK(bad == 0, "%zu of %zu golden cases differ (first 10 shown)", bad, g.n);
    printf("golden: %zu cases from %s, %zu differ\n", g.n, golden_path, bad);
    at_tokenizer_free(t);
    golden_free(&g);
}

static void test_demo_sentences(void)
{
    at_tokenizer *t = new_tok(1, 1, 128);
    if (!t)
        return;
    static const int32_t a[] = {101, 1996, 4633, 2003, 8403, 2651, 1012, 102};
    static const int32_t b[] = {101, 2009, 1005, 1055, 2061, 11559, 2648, 999, 102};
    static const int32_t c[] = {101, 2002, 5225, 2000, 1996, 3346, 1012, 102};
    CHECK(expect_ids(t, "The weather is lovely today.", a, 8), "sentence 1");
    CHECK(expect_ids(t, "It's so sunny outside!", b, 9), "sentence 2");
    CHECK(expect_ids(t, "He drove to the stadium.", c, 8), "sentence 3");
    at_tokenizer_free(t);
}

static void test_truncation(void)
{
    const char *text = "Hello, world! Tokenization of unaffable words is fun.";
    at_tokenizer *full = new_tok(1, 1, 512);
    if (!full)
        return;
    int32_t all[64];
    size_t nall = 0;
    at_err e = {0};
    int rc = at_tokenize(full, text, all, 64, &nall, &e);
    CHECK(rc == AT_OK && nall > 12, "full: %s n=%zu", e.msg, nall);
    for (size_t max_len = 2; max_len <= nall + 2 && rc == AT_OK; max_len++) {
        at_tokenizer *t = new_tok(1, 1, max_len);
        if (!t)
            break;
        int32_t want[64];
        size_t nw = max_len < nall ? max_len : nall;
        memcpy(want, all, (nw - 1) * sizeof *want);
        want[nw - 1] = 102;
        if (!expect_ids(t, text, want, nw))
            CHECK(0, "max_len %zu", max_len);
        at_tokenizer_free(t);
    }
    /* max_len 8 and 7: [CLS] 6 (5) pieces [SEP]; 5 cuts a word's pieces */
    int32_t w[16];
    size_t nw = 0;
    rc = at_tokenize(full, "unaffable", w, 16, &nw, &e);
    CHECK(rc == AT_OK && nw == 5, "unaffable: want 3 pieces, got %zu ids", nw);
    for (size_t max_len = 7; rc == AT_OK && nw == 5 && max_len <= 8; max_len++) {
        at_tokenizer *t = new_tok(1, 1, max_len);
        if (!t)
            break;
        int32_t want[16];
        want[0] = 101;
        for (size_t i = 1; i < max_len - 1; i++)
            want[i] = w[1 + (i - 1) % 3];
        want[max_len - 1] = 102;
        CHECK(expect_ids(t, "unaffable Unaffable UNAFFABLE unaffable", want, max_len),
              "max_len %zu", max_len);
        at_tokenizer_free(t);
    }
    at_tokenizer_free(full);

    at_tokenizer_opts o = {1, 1, 1};
    at_tokenizer *bad = (at_tokenizer *)1;
    rc = at_tokenizer_new(vocab, &o, &bad, &e);
    CHECK(rc == AT_EINVAL && bad == NULL, "max_len 1: want EINVAL, got %s", at_err_name(rc));
    rc = at_tokenizer_new(vocab, NULL, &bad, &e);
    CHECK(rc == AT_EINVAL, "NULL opts: want EINVAL, got %s", at_err_name(rc));
}

static void test_cap(void)
{
    at_tokenizer *t = new_tok(1, 1, 512);
    if (!t)
        return;
    const char *text = "Hello, world!"; /* [CLS] hello , world ! [SEP] */
    int32_t ids[8] = {0};
    size_t n = 99;
    at_err e = {0};
    int rc = at_tokenize(t, text, ids, 5, &n, &e);
    CHECK(rc == AT_ERANGE, "cap 5: want ERANGE, got %s", at_err_name(rc));
    CHECK(e.code == AT_ERANGE && strstr(e.msg, "cap") != NULL, "message: '%s'", e.msg);
    CHECK(n == 6, "cap 5: *n should be the needed count 6, got %zu", n);
    rc = at_tokenize(t, text, NULL, 0, &n, &e);
    CHECK(rc == AT_ERANGE && n == 6, "cap 0: got %s n=%zu", at_err_name(rc), n);
    rc = at_tokenize(t, text, ids, 6, &n, &e);
    CHECK(rc == AT_OK && n == 6 && ids[0] == 101 && ids[5] == 102, "cap 6: %s n=%zu", e.msg, n);
    rc = at_tokenize(t, "", ids, 1, &n, &e);
    CHECK(rc == AT_ERANGE, "empty text, cap 1: want ERANGE, got %s", at_err_name(rc));
    rc = at_tokenize(t, "", ids, 2, &n, &e);
    CHECK(rc == AT_OK && n == 2, "empty text, cap 2: %s", e.msg);
    rc = at_tokenize(NULL, text, ids, 8, &n, &e);
    CHECK(rc == AT_EINVAL, "NULL tokenizer: got %s", at_err_name(rc));
    rc = at_tokenize(t, NULL, ids, 8, &n, &e);
    CHECK(rc == AT_EINVAL, "NULL text: got %s", at_err_name(rc));
    rc = at_tokenize(t, text, ids, 8, NULL, &e);
    CHECK(rc == AT_EINVAL, "NULL n: got %s", at_err_name(rc));
    at_tokenizer_free(t);
}

static void test_invalid_utf8(void)
{
    at_tokenizer *t = new_tok(1, 1, 512);
    if (!t)
        return;
    static const char *const bad[] = {
        "\xff",                 /* never valid */
        "abc\xc3",              /* truncated at the end */
        "caf\xc3\x28 x",        /* bad continuation */
        "\xc0\xaf",             /* overlong '/' */
        "\xe0\x80\xaf",         /* overlong, 3 bytes */
        "\xed\xa0\x80",         /* UTF-16 surrogate */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
        "ok \x80 lone continuation",
        "\xf8\x88\x80\x80\x80", /* 5-byte form */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t ids[16];
        size_t n = 7;
        at_err e = {0};
        int rc = at_tokenize(t, bad[i], ids, 16, &n, &e);
        CHECK(rc == AT_EFORMAT, "case %zu: want EFORMAT, got %s", i, at_err_name(rc));
        CHECK(strstr(e.msg, "UTF-8") != NULL, "case %zu: message '%s'", i, e.msg);
        CHECK(n == 0, "case %zu: *n = %zu after an error", i, n);
    }
    /* an error beyond the truncation point is still an error */
    at_tokenizer *t4 = new_tok(1, 1, 4);
    if (t4) {
        int32_t ids[8];
        size_t n;
        at_err e = {0};
        int rc = at_tokenize(t4, "one two three four five \xff", ids, 8, &n, &e);
        CHECK(rc == AT_EFORMAT, "late invalid byte: want EFORMAT, got %s", at_err_name(rc));
        at_tokenizer_free(t4);
    }
    at_tokenizer_free(t);
}

static void test_options(void)
{
    int32_t hello = id_of("hello"), unk = 100, wo = id_of("我");
    /* lowercase = 0: no lower-casing, no accent stripping */
    at_tokenizer *cased = new_tok(0, 1, 64);
    if (cased) {
        const int32_t a[] = {101, unk, hello, 102};
        CHECK(expect_ids(cased, "Hello hello", a, 4), "cased");
        const int32_t b[] = {101, unk, 102};
        CHECK(expect_ids(cased, "CAFÉ", b, 3), "cased keeps accents");
        at_tokenizer_free(cased);
    }
    /* tokenize_cjk = 0: CJK ideographs stay inside words */
    at_tokenizer *nocjk = new_tok(1, 0, 64);
    at_tokenizer *cjk = new_tok(1, 1, 64);
    if (nocjk && cjk) {
        const int32_t a[] = {101, unk, 102};
        CHECK(expect_ids(nocjk, "我爱", a, 3), "cjk off");
        const int32_t b[] = {101, wo, unk, 102};
        CHECK(expect_ids(cjk, "我爱", b, 4), "cjk on");
    }
    at_tokenizer_free(nocjk);
    at_tokenizer_free(cjk);
}

/* The tokenizer is shared read-only by several threads. */
typedef struct thr_arg {
    const at_tokenizer *t;
    const golden *g;
    size_t bad;
} thr_arg;

static void *thr_main(void *p)
{
    thr_arg *a = p;
    int32_t ids[MAXIDS];
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < a->g->n; i++) {
            size_t n = 0;
            const gcase *c = &a->g->c[i];
            if (at_tokenize(a->t, c->text, ids, MAXIDS, &n, NULL) != AT_OK || n != c->n ||
                memcmp(ids, c->ids, n * sizeof *ids) != 0)
                a->bad++;
        }
    }
    return NULL;
}

static void test_threads(void)
{
    golden g;
    if (golden_load(golden_path, &g) != 0) {
        CHECK(0, "cannot load %s", golden_path);
        return;
    }
    at_tokenizer *t = new_tok(1, 1, MAXIDS);
    enum { NT = 4 };
    pthread_t th[NT];
    thr_arg args[NT];
    int started = 0;
    for (int i = 0; t && i < NT; i++) {
        args[i] = (thr_arg){t, &g, 0};
        if (pthread_create(&th[i], NULL, thr_main, &args[i]) == 0)
            started++;
    }
    CHECK(started == NT, "started %d threads", started);
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        CHECK(args[i].bad == 0, "thread %d: %zu mismatches", i, args[i].bad);
    }
    at_tokenizer_free(t);
    golden_free(&g);
}

/* ------------------------------------------------------------ benchmark */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench(void)
{
    golden g;
    if (golden_load(golden_path, &g) != 0)
        return 1;
    at_tokenizer *t = new_tok(1, 1, MAXIDS);
    if (!t)
        return 1;
    /* typical sentences: the ASCII-only golden cases of 5..128 tokens */
    size_t bytes = 0, toks = 0, ns = 0;
    int32_t ids[MAXIDS];
    size_t *sel = malloc(g.n * sizeof *sel);
    for (size_t i = 0; sel && i < g.n; i++) {
        int ascii = 1;
        for (const unsigned char *p = (const unsigned char *)g.c[i].text; *p; p++)
            ascii &= *p >= 0x20 && *p < 0x7F;
        if (ascii && g.c[i].n >= 5 && g.c[i].n <= 128)
            sel[ns++] = i;
    }
    double best = 1e30;
    const int reps = 200;
    for (int round = 0; round < 5; round++) {
        double t0 = now_s();
        bytes = toks = 0;
        for (int r = 0; r < reps; r++) {
            for (size_t k = 0; k < ns; k++) {
                size_t n;
                at_tokenize(t, g.c[sel[k]].text, ids, MAXIDS, &n, NULL);
                toks += n;
                bytes += strlen(g.c[sel[k]].text);
            }
        }
        double dt = now_s() - t0;
        if (dt < best)
            best = dt;
    }
    printf("bench: %zu ASCII sentences x %d: %.0f sentences/s, %.1f M tokens/s, %.1f MB/s, "
           "%.2f us/sentence (avg %.1f tokens)\n",
           ns, reps, (double)(ns * reps) / best, (double)toks / best / 1e6,
           (double)bytes / best / 1e6, best / (double)(ns * reps) * 1e6,
           (double)toks / (double)(ns * reps));
    /* all golden cases, any script */
    double t0 = now_s();
    toks = 0;
    for (int r = 0; r < reps; r++)
        for (size_t i = 0; i < g.n; i++) {
            size_t n;
            at_tokenize(t, g.c[i].text, ids, MAXIDS, &n, NULL);
            toks += n;
        }
    double dt = now_s() - t0;
    printf("bench: all %zu golden cases x %d: %.0f cases/s, %.1f M tokens/s\n", g.n, reps,
           (double)(g.n * reps) / dt, (double)toks / dt / 1e6);
    free(sel);
    at_tokenizer_free(t);
    golden_free(&g);
    return 0;
}

int main(int argc, char **argv)
{
    int do_bench = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bench") == 0)
            do_bench = 1;
        else
            golden_path = argv[i];
    }
    snprintf(vocab_path, sizeof vocab_path, "%s/vocab.txt", check_model_dir());
    at_err e = {0};
    int rc = at_vocab_load(vocab_path, &vocab, &e);
    if (rc) {
        fprintf(stderr, "cannot load %s: %s %s\n", vocab_path, at_err_name(rc), e.msg);
        vocab = NULL;
    }
    if (do_bench) {
        int r = vocab ? bench() : 1;
        at_vocab_free(vocab);
        return r;
    }
    RUN_CASE(test_vocab_model);
    RUN_CASE(test_vocab_errors);
    RUN_CASE(test_vocab_formats);
    if (vocab) {
        RUN_CASE(test_golden);
        RUN_CASE(test_demo_sentences);
        RUN_CASE(test_truncation);
        RUN_CASE(test_cap);
        RUN_CASE(test_invalid_utf8);
        RUN_CASE(test_options);
        RUN_CASE(test_threads);
    }
    at_vocab_free(vocab);
    return check_finish("tokenizer");
}
