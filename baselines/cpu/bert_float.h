/* fp32 reference forward of a BERT encoder (post-layer-norm, exact erf GELU)
 * with sentence-transformers mean pooling and L2 normalisation.
 * Sequences are packed: no padding is ever computed; sequence b owns rows
 * [off_b, off_b + len_b) of every activation, off_b = sum of earlier lens.
 * Token type ids are all 0; positions run 0 .. len_b - 1 per sequence.
 *
 * Determinism: results are bit-identical for every thread count, for the
 * AVX2 and SSE kernels, and for a sequence alone or inside any batch.
 * A loaded model is read-only: bert_encode / bert_embed are reentrant and
 * may run on one model from several threads at once (each call allocates
 * its own activations and thread pool). See docs/float-reference.md. */
#ifndef ACCELTRAN_BERT_FLOAT_H
#define ACCELTRAN_BERT_FLOAT_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"
#include "bert_config.h"
#include "safetensors.h"

typedef struct bert_model bert_model;

/* Loads dir/config.json and dir/model.safetensors; every tensor's shape is
 * checked against the config; a missing tensor is AT_ENOTFOUND naming it. */
int bert_model_load(const char *dir, bert_model **out, at_err *err);
/* The same from a configuration and an open tensor file (for example the
 * in-memory weights of a synthetic model, runtime/at_synth.h). */
int bert_model_from_st(const bert_config *cfg, const st_file *st, bert_model **out, at_err *err);
void bert_model_free(bert_model *m);
const bert_config *bert_model_config(const bert_model *m);

/* Called with every intermediate activation (for calibration and per-op
 * error measurement later), on the calling thread, in this order; data is
 * rows x cols row-major and valid only during the call. T = sum of lens,
 * H = hidden, I = intermediate; L = the layer index (also passed as layer;
 * -1 for "embed.ln"). Packed over the batch unless noted.
 *   "embed.ln"            T x H  embeddings after their layer-norm
 *   "layer.L.q" / ".k" / ".v"   T x H  projections (bias added)
 *   "layer.L.attn.scores" heads*len_b x len_b, once per sequence b in batch
 *                         order: Q K^T x 1/sqrt(head size), row h*len_b + i
 *   "layer.L.attn.probs"  same shape, once per sequence: softmax of scores
 *   "layer.L.attn.ctx"    T x H  probs x V, heads side by side
 *   "layer.L.attn.out"    T x H  attention output dense (bias, no residual)
 *   "layer.L.attn.ln"     T x H  layer-norm(attn.out + layer input)
 *   "layer.L.ffn.pre"     T x I  intermediate dense, before GELU
 *   "layer.L.ffn.act"     T x I  after GELU
 *   "layer.L.ffn.out"     T x H  output dense (bias, no residual)
 *   "layer.L.out.ln"      T x H  layer-norm(ffn.out + attn.ln): layer output
 * May be NULL. Observing costs copies, never changes the results. */
typedef void (*bert_observer)(void *ctx, const char *name, int layer,
                              const float *data, size_t rows, size_t cols);

typedef struct bert_run_opts {
    int threads;              /* <= 0: one per online CPU */
    bert_observer observer;
    void *observer_ctx;
} bert_run_opts;

/* Last hidden states for a batch: out is (sum lens) x hidden, packed.
 * ids[b] has lens[b] token ids (1 <= lens[b] <= max_positions), each in
 * [0, vocab_size); batch >= 1. Errors: AT_EINVAL (bad length, id or
 * argument, naming the sequence and position), AT_ENOMEM, AT_EIO (a thread
 * could not be started). opts may be NULL (threads = online CPUs). */
int bert_encode(const bert_model *m, const int32_t *const *ids,
                const size_t *lens, size_t batch, const bert_run_opts *opts,
                float *out, at_err *err);

/* Sentence embeddings: mean over each sequence's tokens, then L2
 * normalised; out is batch x hidden. */
int bert_embed(const bert_model *m, const int32_t *const *ids,
               const size_t *lens, size_t batch, const bert_run_opts *opts,
               float *out, at_err *err);

#endif
