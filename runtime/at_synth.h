/* Synthetic BERT encoders for performance runs (`acceltran perf`,
 * docs/compiler.md "Performance runs"): the shapes of BERT-tiny and
 * BERT-base with seeded random weights, built as an in-memory safetensors
 * file so that the float reference, the calibration and the quantizer
 * read them exactly as they read a checkpoint; and seeded synthetic token
 * sequences. The weights follow BERT's initializer: N(0, 0.02) for every
 * matrix and embedding table, zero biases, layer-norm gains 1 and biases
 * 0. Nothing here is meant to compute a useful embedding: it gives the
 * device the work of a model of that shape. */
#ifndef ACCELTRAN_AT_SYNTH_H
#define ACCELTRAN_AT_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"
#include "at_quant.h"
#include "bert_config.h"
#include "safetensors.h"

typedef struct at_synth_shape {
    const char *name;  /* "bert-tiny", "bert-base" */
    int layers, hidden, heads, intermediate;
} at_synth_shape;

/* The shape called name, or NULL. */
const at_synth_shape *at_synth_find(const char *name);
/* Its configuration: BERT's vocabulary (30522), 512 positions, 2 token
 * types, layer-norm eps 1e-12. */
void at_synth_config(const at_synth_shape *s, bert_config *cfg);

/* The weights of cfg from seed, as an open in-memory safetensors file
 * (BF16 tensors under Hugging Face BertModel names). */
int at_synth_weights(const bert_config *cfg, uint64_t seed, st_file **out, at_err *err);

/* Fills ids[b][0 .. lens[b]) for b < batch with a seeded sequence of token
 * ids: [CLS] (101), ids drawn uniformly from [999, vocab), [SEP] (102)
 * (for vocab > 999; else uniform over the vocabulary). */
void at_synth_tokens(uint64_t seed, int vocab, int32_t *const *ids, const size_t *lens, size_t batch);

/* The quantized model of shape s with seeded weights, calibrated on four
 * synthetic sequences (16, 48, 96 and 128 tokens) from seed + 1. */
int at_synth_qmodel(const at_synth_shape *s, uint64_t seed, const at_quant_opts *qo, at_qmodel **out,
                    at_err *err);

#endif
