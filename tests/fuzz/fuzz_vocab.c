/* libFuzzer harness for vocab.txt loading (runtime/vocab.c). at_vocab_load
 * takes a path, so each input is written to a private temporary file.
 * Seeds: tests/fuzz/corpus/vocab/ (snippets of the model's vocab.txt, CRLF
 * and unterminated files). Checks: no crash, leak or sanitizer report; a
 * failure is a negative AT_E* code whose message names the file; a loaded
 * vocabulary has one token per line (ids in line order), every token
 * found under its own id, no token out of range, the four required
 * tokens, and a tokenizer built on it tokenizes a fixed text (with
 * specials, accents and CJK) into ids inside the vocabulary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_write("vocab", data, size);
    at_vocab *v = NULL;
    at_err e;
    memset(&e, 0, sizeof e);
    int rc = at_vocab_load(path, &v, &e);
    if (rc != 0) {
        if (v || rc > 0 || e.code != rc || !strstr(e.msg, path))
            abort();
        return 0;
    }
    size_t lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (size && data[size - 1] != '\n')
        lines++;
    size_t n = at_vocab_size(v);
    if (n != lines || at_vocab_token(v, (int32_t)n) || at_vocab_token(v, -1))
        abort();
    for (size_t id = 0; id < n; id++) {
        const char *t = at_vocab_token(v, (int32_t)id);
        if (!t || !*t || at_vocab_find(v, t, strlen(t)) != (int32_t)id)
            abort();
    }
    const char *req[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]"};
    for (int i = 0; i < 4; i++)
        if (at_vocab_find(v, req[i], strlen(req[i])) < 0)
            abort();

    at_tokenizer_opts o = {1, 1, 64};
    at_tokenizer *tk = NULL;
    if (at_tokenizer_new(v, &o, &tk, &e))
        abort();
    int32_t ids[64];
    size_t nt = 0;
    if (at_tokenize(tk, "[CLS] Hello, W\xc3\x96rld! caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac [MASK] ##s xyzzy",
                    ids, 64, &nt, &e))
        abort();
    for (size_t i = 0; i < nt; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= n)
            abort();
    at_tokenizer_free(tk);
    at_vocab_free(v);
    return 0;
}
