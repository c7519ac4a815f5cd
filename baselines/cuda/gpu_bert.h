/* GPU baseline: an EET-style BERT encoder in CUDA (cuBLAS / cuBLASLt GEMMs
 * plus a few custom kernels), fp32 and fp16, fused and unfused, for the same
 * weights as the CPU float reference (baselines/cpu/bert_float.h).
 * See docs/gpu-baseline.md.
 *
 * Layout: sequences are packed exactly like the CPU reference: sequence b
 * owns rows [off_b, off_b + len_b) of every activation; the dense layers
 * run on T = sum len_b rows and never touch padding.
 *
 * Host code is C with a C API; every function returns 0 or a negative AT_E*
 * code and fills err (AT_EDEVICE names the file:line of the failing CUDA /
 * cuBLAS call and the error string). A gb_model holds its weights and its
 * activations: one model is used by one host thread at a time. */
#ifndef ACCELTRAN_GPU_BERT_H
#define ACCELTRAN_GPU_BERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "at_error.h"
#include "bert_config.h"

/* ------------------------------------------------------------ host weights
 * fp32 weights in host memory, torch layout (Linear weight [out, in],
 * row-major). Query, key and value are stacked into one [3H, H] weight and
 * one [3H] bias, in that order. */
typedef struct gb_host_layer {
    float *qkv_w, *qkv_b;   /* [3H, H], [3H] */
    float *ao_w, *ao_b;     /* attention.output.dense [H, H], [H] */
    float *ln1_g, *ln1_b;   /* attention.output.LayerNorm [H] */
    float *fi_w, *fi_b;     /* intermediate.dense [I, H], [I] */
    float *fo_w, *fo_b;     /* output.dense [H, I], [H] */
    float *ln2_g, *ln2_b;   /* output.LayerNorm [H] */
} gb_host_layer;

typedef struct gb_host_weights {
    bert_config cfg;
    float *word;            /* [vocab, H] */
    float *pos;             /* [max_positions, H] */
    float *type;            /* [type_vocab, H]; row 0 is used */
    float *emb_ln_g, *emb_ln_b;
    gb_host_layer *layers;  /* [cfg.layers] */
} gb_host_weights;

/* Reads dir/config.json and dir/model.safetensors (Hugging Face names, an
 * optional "bert." prefix), every shape checked against the config. */
int gb_weights_load(const char *dir, gb_host_weights **out, at_err *err);

/* Deterministic random weights for cfg: every matrix, bias and embedding
 * normal(0, 0.02) from a seeded generator, layer-norm gamma 1, beta 0. */
int gb_weights_random(const bert_config *cfg, uint64_t seed,
                      gb_host_weights **out, at_err *err);

/* Writes dir/config.json and dir/model.safetensors (F32, Hugging Face
 * names) so that bert_model_load (the CPU reference) can read them. dir
 * must exist. */
int gb_weights_write(const gb_host_weights *w, const char *dir, at_err *err);

void gb_weights_free(gb_host_weights *w);

/* The BERT-base shape (12 layers, hidden 768, 12 heads, FFN 3072, vocab
 * 30522, 512 positions, 2 token types, eps 1e-12). */
bert_config gb_bert_base_config(void);

/* ------------------------------------------------------------ device */

/* 0 if a CUDA device can be used; otherwise AT_EDEVICE with the reason
 * ("no CUDA device found (...)"). Never crashes without a GPU or driver. */
int gb_cuda_available(at_err *err);

typedef enum gb_precision { GB_FP32 = 0, GB_FP16 = 1 } gb_precision;

typedef enum gb_path {
    GB_FUSED = 0,   /* EET: epilogue bias, fused kernels, length softmax */
    GB_UNFUSED = 1  /* plain GEMMs + one kernel per elementwise step,
                       padded attention with an explicit mask tensor */
} gb_path;

/* Flags of gb_forward. */
enum {
    /* Fused path only: FFN1 through cuBLASLt's GELU_BIAS epilogue, which is
     * the tanh approximation of GELU, not the model's exact erf GELU. For
     * throughput measurements only; off by default. */
    GB_FLAG_LT_GELU_TANH = 1
};

typedef struct gb_model gb_model;

/* Uploads w to device `device` in the given precision (fp16: weights and
 * activations stored as half, GEMMs accumulate in fp32, layer-norm,
 * softmax, GELU and pooling math in fp32) and allocates activations for up
 * to max_batch sequences of up to max_len tokens (max_len <=
 * cfg.max_positions). */
int gb_model_create(const gb_host_weights *w, gb_precision prec, int device,
                    int max_batch, int max_len, gb_model **out, at_err *err);
void gb_model_free(gb_model *m);
const bert_config *gb_model_config(const gb_model *m);

/* Validates the batch (1 <= batch <= max_batch, 1 <= lens[b] <= max_len,
 * ids in [0, vocab); AT_EINVAL naming the sequence and position) and
 * uploads the ids and the per-sequence lengths and offsets. Synchronous. */
int gb_set_input(gb_model *m, const int32_t *const *ids, const size_t *lens,
                 size_t batch, at_err *err);

/* Enqueues the whole forward (embeddings, layers, mean pooling and L2
 * normalisation) of the current input on the model's stream; does not
 * wait. flags: GB_FLAG_*. */
int gb_forward(gb_model *m, gb_path path, int flags, at_err *err);

/* Waits for the stream and copies the embeddings (batch x hidden, fp32)
 * to out. Reports any asynchronous CUDA error. */
int gb_get_output(gb_model *m, float *out, at_err *err);

/* gb_set_input + gb_forward + gb_get_output. */
int gb_embed(gb_model *m, const int32_t *const *ids, const size_t *lens,
             size_t batch, gb_path path, int flags, float *out, at_err *err);

/* Waits for all the model's queued work. */
int gb_sync(gb_model *m, at_err *err);

/* The model's cudaStream_t (as void *), for timing with events. */
void *gb_model_stream(gb_model *m);

/* How many GEMMs fell back from a cuBLASLt epilogue to cublasGemmEx plus a
 * separate bias kernel because cuBLASLt offered no algorithm (0 expected). */
long gb_model_lt_fallbacks(const gb_model *m);

#ifdef __cplusplus
}
#endif

#endif
