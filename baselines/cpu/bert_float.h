/* fp32 reference forward of a BERT encoder (post-layer-norm, exact erf GELU)
 * with sentence-transformers mean pooling and L2 normalisation.
 * Sequences are packed: no padding is ever computed; sequence b owns rows
 * [off_b, off_b + len_b) of every activation, off_b = sum of earlier lens. */
#ifndef ACCELTRAN_BERT_FLOAT_H
#define ACCELTRAN_BERT_FLOAT_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"
#include "bert_config.h"

typedef struct bert_model bert_model;

/* Loads dir/config.json and dir/model.safetensors; every tensor's shape is
 * checked against the config; a missing tensor is AT_ENOTFOUND naming it. */
int bert_model_load(const char *dir, bert_model **out, at_err *err);
void bert_model_free(bert_model *m);
const bert_config *bert_model_config(const bert_model *m);

/* Called with every intermediate activation (for calibration and per-op
 * error measurement later): name such as "layer.3.attn.qkv", rows x cols
 * row-major, packed over the batch. May be NULL. */
typedef void (*bert_observer)(void *ctx, const char *name, int layer,
                              const float *data, size_t rows, size_t cols);

typedef struct bert_run_opts {
    int threads;              /* <= 0: one per online CPU */
    bert_observer observer;
    void *observer_ctx;
} bert_run_opts;

/* Last hidden states for a batch: out is (sum lens) x hidden, packed.
 * ids[b] has lens[b] token ids (1 <= lens[b] <= max_positions). */
int bert_encode(const bert_model *m, const int32_t *const *ids,
                const size_t *lens, size_t batch, const bert_run_opts *opts,
                float *out, at_err *err);

/* Sentence embeddings: mean over each sequence's tokens, then L2
 * normalised; out is batch x hidden. */
int bert_embed(const bert_model *m, const int32_t *const *ids,
               const size_t *lens, size_t batch, const bert_run_opts *opts,
               float *out, at_err *err);

#endif
