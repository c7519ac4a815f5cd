/* The compiler: a quantized encoder (at_quant.h) and a batch of packed
 * sequences -> command buffers for a configuration (docs/compiler.md).
 *
 * The program is a list of stages, one job each (several when a stage has
 * more commands than a job holds), in order. A stage is one
 * operation of one layer over the whole batch (the embeddings'
 * layer-norm; per layer q, k, v, scores, probs, context, attn_out, ln1,
 * ffn_mid, ffn_out, ln2), so that the device counters read between jobs
 * give cycles, MACs and pruned elements per DynaTran site. Inside a stage
 * loads, compute and stores of successive tiles overlap (alternating
 * scratchpad slots; the device's dependency rule orders them). Between
 * stages the activations stay in the activation scratchpad when the
 * batch's working set fits (five regions reused by liveness; only K and V,
 * on their way to the weight scratchpad, and the last hidden states go
 * through memory), else they live in device memory (one buffer object).
 *
 *   - Dense layers: at_gemm_plan (column strips of the packed weights with
 *     their parameter blocks in the weight scratchpad, row blocks of the
 *     activations double-buffered, loop order: strips outer, row blocks
 *     inner, so each weight tile is read from memory once per layer).
 *   - Attention, per sequence and head (no padding: each sequence has its
 *     own length): scores = Q_h K_h^T (K_h loaded into the weight
 *     scratchpad in the transposed-B layout), SOFTMAX in place with the
 *     sequence's length, context = P V_h (V_h in the B layout); query rows
 *     in blocks that fit the activation scratchpad.
 *   - Layer-norms: row blocks with the residual, parameters loaded once.
 *   - Embeddings: the host gathers the int16 word rows and the position
 *     (+ token type) rows; the device's LAYERNORM adds them. */
#ifndef ACCELTRAN_AT_MODEL_H
#define ACCELTRAN_AT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "acceltran_hw.h"
#include "acceltran_uapi.h"
#include "at_cmdbuf.h"
#include "at_error.h"
#include "at_quant.h"
#include "at_sites.h"

/* Where the packed model lies in the weights buffer object. */
typedef struct at_dense_loc {
    uint64_t tiles, params; /* byte offsets */
} at_dense_loc;

typedef struct at_model_layout {
    uint64_t bytes;                       /* size of the weights buffer object */
    uint64_t emb_ln;                      /* embeddings' layer-norm parameter blocks */
    struct {
        at_dense_loc q, k, v, o, ffn1, ffn2;
        uint64_t ln1, ln2;
    } layer[64];
} at_model_layout;

/* Lays out the packed model (offsets 32-byte aligned). */
void at_model_layout_make(const at_qmodel *m, at_model_layout *lay);
/* Writes the packed model into buf (lay->bytes bytes). */
void at_model_layout_fill(const at_qmodel *m, const at_model_layout *lay, uint8_t *buf);

/* Activations of one batch in device memory (offsets in one buffer object). */
typedef struct at_act_layout {
    uint64_t bytes;
    uint64_t word, pos;           /* gathered embedding rows, T x H each */
    uint64_t x, q, k, v, ctx, ao, h1, fo; /* T x H */
    uint64_t mid;                 /* T x I */
    uint64_t sp;                  /* scores / probabilities: per sequence and head L x ld(L) */
    uint64_t *sp_off;             /* [batch * heads] offset of sequence b, head h */
    uint32_t ld_h, ld_i;          /* row strides of T x H and T x I (bytes) */
} at_act_layout;

int at_act_layout_make(const at_qmodel *m, const size_t *lens, size_t batch, at_act_layout *a, at_err *err);
void at_act_layout_free(at_act_layout *a);

typedef struct at_stage {
    char label[48];               /* e.g. "layer 3 ffn_mid" */
    int layer;                    /* -1: embeddings */
    int site;                     /* at_site whose outputs this stage writes */
    uint64_t elements;            /* outputs the stage writes (valid elements) */
    uint64_t macs;                /* useful MACs (sum of M N K) */
    at_cmdbuf buf;                /* the stage's commands (buf.n of them) */
    int preload;                  /* 1: the weights' preload (at_compile_opts.preload_weights) */
} at_stage;

typedef struct at_program {
    size_t num_stages;            /* with preload_weights, stage 0 is the preload */
    at_stage *stages;
    uint64_t macs;                /* sum over stages */
    int resident;                 /* activations kept in the activation scratchpad between stages */
    uint32_t resident_lines;      /* lines they take (0 when streamed) */
    int kv_weights;               /* K and V computed straight into the weight scratchpad (GEMM_C_WGT),
                                     no STORE and per-head LOAD (docs/compiler.md) */
    uint32_t kv_lines;            /* weight lines the K and V regions take (0 without kv_weights) */
} at_program;

typedef struct at_compile_opts {
    double tau;                   /* DynaTran threshold (real units) */
    uint32_t sites;               /* at_sites.h mask */
    uint32_t bo_weights, bo_act;  /* buffer objects */
    int stream;                   /* 1: activations through memory between stages even when they fit on chip */
    int preload_weights;          /* 1: a first stage ("weights preload", at_stage.preload) LOADs every
                                     dense layer's tiles and parameter blocks and every layer-norm's
                                     parameters into the weight scratchpad, above the attention's K/V
                                     slots, and the stages use them there (no weight loads);
                                     AT_EUNSUPPORTED when they do not fit */
    int host_probs;               /* 1: the probabilities go through device memory between the probs and
                                     the context stage even when the activations are resident (a STORE
                                     after SOFTMAX, a LOAD before P x V), so that the host can change
                                     them between the two jobs (top-k, at_infer_opts.topk); streamed
                                     activations pass through memory there anyway */
    int kv_mem;                   /* 1: K and V through memory (STORE, per-head LOAD) even when they fit
                                     the weight scratchpad (at_program.kv_weights): the old path, for
                                     comparisons */
} at_compile_opts;

/* Compiles the batch for configuration cfg. AT_EUNSUPPORTED when a
 * sequence or layer does not fit the configuration's scratchpads. */
int at_model_compile(const at_qmodel *m, const at_hw_config *cfg, const at_model_layout *wl,
                     const at_act_layout *al, const size_t *lens, size_t batch, const at_compile_opts *o,
                     at_program *out, at_err *err);
void at_program_free(at_program *p);

#endif
