/* libFuzzer harness for the WordPiece tokenizer (runtime/tokenizer.c).
 * The vocabulary is loaded once: $ACCELTRAN_MODEL_DIR/vocab.txt, else
 * models/all-MiniLM-L6-v2/vocab.txt, else a small built-in one (so the
 * harness and its replay also run before `make deps` fetched the model).
 * Each input is the text (cut at its first NUL, as a C string would be),
 * tokenized three ways: uncased with CJK splitting and max_len 512;
 * the same with a short max_len (2 + size % 9) and a cap one short of
 * the result; cased without CJK splitting. Seeds:
 * tests/fuzz/corpus/tokenizer/ (sentences with accents, emoji, CJK,
 * control bytes, invalid UTF-8, special tokens).
 * Checks: no crash or sanitizer report; rc is 0 or AT_EFORMAT (invalid
 * UTF-8, and then for every configuration); on success [CLS] ... [SEP],
 * n <= max_len, every id inside the vocabulary; the same text gives the
 * same ids twice; the short max_len result is the long one's pieces
 * truncated; a too small cap gives AT_ERANGE with the needed count. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN 512

static const char builtin_vocab[] =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n!\n\"\n#\n'\n,\n-\n.\n?\na\nb\nc\nd\ne\nthe\nwe\n"
    "weather\nis\nlove\n##ly\ntoday\nit\ns\nso\nsun\n##ny\nout\n##side\n##s\n##e\n##a\n"
    "caf\ncafe\n##\xc3\xa9\n\xc3\xa9\n\xe6\x97\xa5\n\xe6\x9c\xac\n\xf0\x9f\x98\x80\n1\n2\n##1\n";

#define NSHORT 9 /* max_len 2 .. 10 */

typedef struct fz_tok {
    at_vocab *v;
    at_tokenizer *uncased, *cased;
    at_tokenizer *shorts[NSHORT]; /* made once: creation scans the whole vocabulary */
} fz_tok;

static fz_tok fz;

static void fz_free(void)
{
    at_tokenizer_free(fz.uncased);
    at_tokenizer_free(fz.cased);
    for (int i = 0; i < NSHORT; i++)
        at_tokenizer_free(fz.shorts[i]);
    at_vocab_free(fz.v);
}

static void fz_init(void)
{
    char path[1024];
    const char *dir = getenv("ACCELTRAN_MODEL_DIR");
    snprintf(path, sizeof path, "%s/vocab.txt", (dir && *dir) ? dir : "models/all-MiniLM-L6-v2");
    at_err e;
    if (at_vocab_load(path, &fz.v, &e) != 0 &&
        at_vocab_load(fuzz_tmp_write("vocab", (const uint8_t *)builtin_vocab, sizeof builtin_vocab - 1),
                      &fz.v, &e) != 0) {
        fprintf(stderr, "fuzz_tokenizer: built-in vocabulary: %s\n", e.msg);
        abort();
    }
    at_tokenizer_opts u = {1, 1, MAXLEN}, c = {0, 0, MAXLEN};
    if (at_tokenizer_new(fz.v, &u, &fz.uncased, &e) || at_tokenizer_new(fz.v, &c, &fz.cased, &e)) {
        fprintf(stderr, "fuzz_tokenizer: %s\n", e.msg);
        abort();
    }
    for (int i = 0; i < NSHORT; i++) {
        at_tokenizer_opts so = {1, 1, (size_t)(2 + i)};
        if (at_tokenizer_new(fz.v, &so, &fz.shorts[i], &e)) {
            fprintf(stderr, "fuzz_tokenizer: %s\n", e.msg);
            abort();
        }
    }
    atexit(fz_free);
}

/* Tokenizes and checks the shape of a success; returns rc. */
static int run(const at_tokenizer *t, const char *text, size_t max_len, int32_t *ids, size_t cap,
               size_t *n)
{
    at_err e;
    memset(&e, 0, sizeof e);
    int rc = at_tokenize(t, text, ids, cap, n, &e);
    if (rc == 0) {
        int32_t nv = (int32_t)at_vocab_size(fz.v);
        if (*n < 2 || *n > max_len || *n > cap || ids[0] != at_vocab_find(fz.v, "[CLS]", 5) ||
            ids[*n - 1] != at_vocab_find(fz.v, "[SEP]", 5))
            abort();
        for (size_t i = 0; i < *n; i++)
            if (ids[i] < 0 || ids[i] >= nv)
                abort();
    } else if (rc != AT_EFORMAT && rc != AT_ERANGE) {
        abort();
    } else if (e.code != rc || !e.msg[0]) {
        abort();
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz.v)
        fz_init();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    static int32_t a[MAXLEN], b[MAXLEN], c[MAXLEN];
    size_t na = 0, nb = 0, nc = 0;
    int ra = run(fz.uncased, text, MAXLEN, a, MAXLEN, &na);
    if (ra != 0 && ra != AT_EFORMAT)
        abort();
    /* deterministic */
    int rb = run(fz.uncased, text, MAXLEN, b, MAXLEN, &nb);
    if (rb != ra || nb != na || (ra == 0 && memcmp(a, b, na * sizeof a[0])))
        abort();
    /* the cased tokenizer agrees on validity */
    if (run(fz.cased, text, MAXLEN, c, MAXLEN, &nc) != ra)
        abort();

    if (ra == 0) {
        /* short max_len: the same pieces, truncated */
        size_t m = 2 + size % NSHORT;
        const at_tokenizer *st = fz.shorts[m - 2];
        size_t ns = 0;
        if (run(st, text, m, c, MAXLEN, &ns) != 0)
            abort();
        size_t keep = na - 2 < m - 2 ? na - 2 : m - 2;
        if (ns != keep + 2 || memcmp(c + 1, a + 1, keep * sizeof a[0]) || c[ns - 1] != a[na - 1])
            abort();
        /* a cap one short of the result: AT_ERANGE, the needed count */
        ns = 0;
        if (run(fz.uncased, text, MAXLEN, c, na - 1, &ns) != AT_ERANGE || ns != na)
            abort();
    }
    free(text);
    return 0;
}
