/* BERT uncased WordPiece tokenizer: vocab.txt loading, basic tokenization
 * (clean control characters, whitespace split, CJK split, lower-case, NFD
 * and accent stripping, punctuation split) then greedy longest-match
 * WordPiece with "##" continuations and [UNK] for words that cannot be
 * covered or are longer than 100 characters. */
#ifndef ACCELTRAN_TOKENIZER_H
#define ACCELTRAN_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"

typedef struct at_vocab at_vocab;

/* One token per line; id = line number (0-based). Empty file, duplicate
 * token or missing [PAD]/[UNK]/[CLS]/[SEP] gives AT_EFORMAT. */
int at_vocab_load(const char *path, at_vocab **out, at_err *err);
void at_vocab_free(at_vocab *v);
size_t at_vocab_size(const at_vocab *v);
int32_t at_vocab_find(const at_vocab *v, const char *tok, size_t len); /* -1 if absent */
const char *at_vocab_token(const at_vocab *v, int32_t id);            /* NULL if out of range */

typedef struct at_tokenizer at_tokenizer;

typedef struct at_tokenizer_opts {
    int lowercase;       /* 1 for uncased models (also strips accents) */
    int tokenize_cjk;    /* 1: each CJK ideograph is its own word */
    size_t max_len;      /* including [CLS] and [SEP]; e.g. 512 */
} at_tokenizer_opts;

/* The tokenizer borrows vocab; vocab must outlive it. */
int at_tokenizer_new(const at_vocab *vocab, const at_tokenizer_opts *opts,
                     at_tokenizer **out, at_err *err);
void at_tokenizer_free(at_tokenizer *t);

/* Tokenizes UTF-8 text (invalid UTF-8 gives AT_EFORMAT) into
 * [CLS] pieces... [SEP], truncating the pieces so the total is at most
 * max_len. ids must have room for cap entries; *n gets the count.
 * The tokenizer is immutable after creation: safe to share across threads. */
int at_tokenize(const at_tokenizer *t, const char *text, int32_t *ids,
                size_t cap, size_t *n, at_err *err);

#endif
