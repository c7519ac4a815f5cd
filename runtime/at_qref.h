/* Host integer reference of the quantized encoder: the same integer
 * operations the device runs for a compiled model (at_model.h), computed
 * directly with include/numerics.h, without tiling. The compiler's output
 * on either backend must equal it bit for bit (tests/e2e), which checks
 * the compiler's tiling, layouts and parameters independently of the
 * device. Also the quick way to sweep DynaTran thresholds. */
#ifndef ACCELTRAN_AT_QREF_H
#define ACCELTRAN_AT_QREF_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"
#include "at_quant.h"
#include "at_sites.h"

typedef struct at_site_count {
    uint64_t elements, zeros; /* outputs of the site, and those that are 0 after pruning */
} at_site_count;

typedef struct at_qref_result {
    int16_t *hidden;                     /* T x hidden, the last layer's output (scale s_final) */
    at_site_count sites[AT_NUM_SITES];
    uint64_t mac_dense, mac_skipped;     /* as the device counts them: 16 x column tiles x A elements */
} at_qref_result;

/* Runs the batch (ids[b]: lens[b] tokens, 1..max_positions). tau, mask:
 * DynaTran (at_sites.h). res->hidden is allocated (free it). */
int at_qref_run(const at_qmodel *m, const int32_t *const *ids, const size_t *lens, size_t batch, double tau,
                uint32_t mask, at_qref_result *res, at_err *err);

typedef struct at_qref_opts {
    double tau;       /* DynaTran threshold (real units) */
    uint32_t sites;   /* at_sites.h mask */
    uint32_t topk;    /* keep the k largest probabilities of each row before P x V (at_topk.h), after
                         the probs site's tau; 0: off. The device pipeline's at_infer_opts.topk. */
    uint32_t pad_to;  /* 0: packed sequences (what the compiler runs). P > 0: every sequence is padded
                         to P tokens with the model's [PAD] id at positions L..P-1 and run as a P-token
                         sequence whose attention masks the padded keys (softmax over the L valid
                         columns, the padded ones exactly 0), as dense BERT implementations do: the
                         padded rows are computed and counted in sites and MACs. The valid rows'
                         values do not change (padded keys contribute exact zeros), and hidden holds
                         only them (T x hidden, packed), so pooling is unchanged. */
} at_qref_opts;

/* at_qref_run with options. */
int at_qref_run_opts(const at_qmodel *m, const int32_t *const *ids, const size_t *lens, size_t batch,
                     const at_qref_opts *o, at_qref_result *res, at_err *err);
void at_qref_result_free(at_qref_result *r);

/* Mean pooling over each sequence of the dequantized hidden states
 * (scale s) and L2 normalisation: out is batch x hidden floats. */
void at_pool_embed(const int16_t *hidden, double s, const size_t *lens, size_t batch, uint32_t h, float *out);

#endif
