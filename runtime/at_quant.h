/* int16 quantization of a BERT encoder for the device (docs/quantization.md).
 *
 * Weights: int16 with one scale per output channel (per column of B), so
 * the GEMM requant is per column (GEMM_PARAMS_EN parameter blocks), with
 * int32 biases in the accumulator's scale. Activations: int16 with one
 * scale per tensor, calibrated as max|x| x headroom over the float
 * reference run on a calibration set of sentences (at_calib_sentences).
 * Both operands of a layer-norm share one scale (the unit adds them), so
 * the producer of the residual stream (the previous layer-norm) writes in
 * the joint scale of the stream and of the branch that is added to it.
 *
 * The embeddings are gathered on the host from int16 tables: the word
 * table and a position table that already holds position + token-type 0
 * (both in one scale); the device's LAYERNORM adds them (RESIDUAL).
 *
 * Everything here is host-side policy: the device only sees the packed
 * tensors and the descriptor parameters derived from the scales. */
#ifndef ACCELTRAN_AT_QUANT_H
#define ACCELTRAN_AT_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"
#include "bert_config.h"
#include "numerics.h"
#include "safetensors.h"

/* Bytes of a GEMM parameter block / layer-norm parameter block per 16
 * columns (one weight quad: docs/isa.md). */
#define AT_QPARAM_BYTES 128u

/* A dense layer y = x W^T + b as the device's B (K x N) operand. */
typedef struct at_qdense {
    uint32_t k, n;       /* in, out features */
    uint32_t kq;         /* 4 * ceil(k / 4): weight lines per column tile */
    int16_t *tiles;      /* ceil(n/16) column tiles of k rows x 16 (tile t at t * 16 * k elements) */
    uint8_t *params;     /* ceil(n/16) x AT_QPARAM_BYTES: int32 bias[16], u16 rq_m[16], u16 rq_s[16] */
    float *s_w;          /* per output channel weight scale (n) */
    double s_in, s_out;  /* input scale, output scale (after GELU when gelu) */
    int gelu;
    double s_pre;        /* GELU input scale (requant output) when gelu */
    at_gelu_params gelu_p;
} at_qdense;

/* A layer-norm over n columns: parameter blocks for the device. */
typedef struct at_qln {
    uint32_t n;
    uint8_t *params;     /* ceil(n/16) x AT_QPARAM_BYTES: int16 gamma[16], int32 beta[16], 32 bytes 0 */
    at_layernorm_params p;
    double s_in, s_out, s_gamma;
} at_qln;

typedef struct at_qlayer {
    at_qdense q, k, v, o, ffn1, ffn2;
    at_qln ln1, ln2;
    double s_q, s_k, s_v;  /* projection outputs */
    double s_scores;       /* attention scores (1/sqrt(head size) folded in) */
    double s_ctx;          /* P x V */
    at_rq rq_scores, rq_ctx;
    at_softmax_params smx;
} at_qlayer;

/* Calibrated maxima of one run of the float reference (per tensor). */
typedef struct at_qstats {
    double emb_in;                      /* word and position+type tables (from the weights) */
    double embed_ln;
    double q[64], k[64], v[64], scores[64], ctx[64], attn_out[64], attn_ln[64];
    double ffn_pre[64], ffn_act[64], ffn_out[64], out_ln[64];
} at_qstats;

typedef struct at_qmodel {
    bert_config cfg;
    uint32_t head_dim;
    double headroom;     /* calibration headroom factor */
    int16_t *word;       /* vocab x hidden, scale s_emb */
    int16_t *postype;    /* max_positions x hidden: position + token type 0, scale s_emb */
    double s_emb;
    at_qln emb_ln;
    at_qlayer *layers;
    double s_final;      /* scale of the last layer's output */
    at_qstats stats;
} at_qmodel;

typedef struct at_quant_opts {
    double headroom;          /* scale = max|x| x headroom / 32767 (0: 1.25) */
    int threads;              /* float reference threads (0: all CPUs) */
} at_quant_opts;

/* Loads the model at model_dir (config.json, model.safetensors), runs the
 * float reference on the n calibration sequences ids[i] (lens[i] tokens)
 * and quantizes. Errors name the file or tensor. */
int at_quant_build_ids(const char *model_dir, const int32_t *const *ids, const size_t *lens, size_t n,
                       const at_quant_opts *opts, at_qmodel **out, at_err *err);
/* The same from a configuration and an open tensor file (the weights of
 * a synthetic model, runtime/at_synth.h); st stays the caller's. */
int at_quant_build_st(const bert_config *cfg, const st_file *st, const int32_t *const *ids, const size_t *lens,
                      size_t n, const at_quant_opts *opts, at_qmodel **out, at_err *err);
void at_quant_free(at_qmodel *m);
void at_qdense_free(at_qdense *d);

/* The calibration sentences (runtime/at_calib_set.c; kept apart from every
 * test and benchmark sentence set). */
extern const char *const at_calib_sentences[];
extern const size_t at_calib_sentence_count;

/* Integer DynaTran threshold of a real tau at scale s: |y| <= t <=> |y s| <= tau
 * (floor(tau / s), clamped to 0..32767). */
uint16_t at_quant_tau(double tau, double s);

#endif
