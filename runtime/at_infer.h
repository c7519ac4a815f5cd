/* The inference API: a quantized encoder on the device, through the driver
 * (docs/compiler.md). The CLI (`acceltran embed --backend fmodel|rtl`),
 * the tests and the benchmarks all run the model through it.
 *
 *   at_infer_create   uploads the packed weights once (one buffer object)
 *   at_infer_run      one batch of packed sequences: host gather of the
 *                     embeddings, compile, one job per stage (submit, wait,
 *                     counters), read back the last hidden states, mean
 *                     pooling and L2 normalisation on the host
 *
 * A stage that fails on the device returns AT_EDEVICE with a message
 * naming the stage (layer and operation), the command and the device
 * error; the driver has recovered the device by then, so the next run is
 * correct. */
#ifndef ACCELTRAN_AT_INFER_H
#define ACCELTRAN_AT_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "at_drv.h"
#include "at_error.h"
#include "at_model.h"
#include "at_perf.h"
#include "at_qref.h"
#include "at_quant.h"
#include "at_sites.h"

typedef struct at_infer at_infer;

/* Per-stage figures from the device counters (deltas over the stage's job). */
typedef struct at_stage_stats {
    char label[48];
    int layer, site;
    uint32_t commands;
    uint64_t cycles;             /* CNT_BUSY over the job */
    uint64_t mac_issued, mac_skipped, pruned;
    uint64_t mem_rd, mem_wr;     /* bytes */
    uint64_t elements;           /* outputs the stage wrote */
    uint64_t zeros;              /* zeros among them as the next stage reads them: pruned, or for the
                                    probs stage with top-k the host's count after top-k */
    uint64_t macs;               /* useful MACs (M N K); the PE counters are mac_issued/mac_skipped */
    uint64_t gemm_busy, smx_busy, ln_busy, load_busy, store_busy, dma_only; /* CNT_*_BUSY, CNT_DMA_ONLY */
    uint64_t smx_rows, ln_rows;  /* CNT_SMX_ROWS, CNT_LN_ROWS */
    int counted;                 /* 0: the weights' preload, left out of the run's totals */
    at_counters delta;           /* every counter over the stage's jobs */
} at_stage_stats;

typedef struct at_infer_stats {
    uint64_t cycles;             /* sum of the stages' busy cycles */
    double device_seconds;       /* cycles at the configuration's clock */
    uint64_t macs;               /* dense-equivalent MACs as the PEs count them: issued + skipped */
    uint64_t useful_macs;        /* sum of M N K of the GEMMs */
    uint64_t mac_issued, mac_skipped;
    double skipped_fraction;     /* mac_skipped / macs */
    double utilization;          /* useful_macs / (cycles x peak MACs per cycle) */
    uint64_t dram_bytes;         /* read + written */
    uint64_t compute_cycles;     /* CNT_GEMM_BUSY: cycles the GEMM engine held a command */
    uint64_t smx_rows, ln_rows;  /* rows the softmax / layer-norm engine finished */
    at_unit_cycles units;        /* the cycles by unit (at_perf.h; they sum to cycles) */
    at_counters counters;        /* every counter, summed over the counted stages */
    int weights_preloaded;       /* the weights were loaded by a preload stage left out of the totals */
    at_site_count sites[AT_NUM_SITES]; /* elements written, and zeros among them (CNT_PRUNED; probs with
                                          top-k: the zeros after top-k, counted by the host) */
    uint64_t topk_host_bytes;    /* top-k: bytes the host read and wrote in device memory (0 without) */
    uint32_t jobs, commands;     /* of the counted stages */
    int resident;                /* activations stayed on chip between stages */
    int kv_weights;              /* K and V went straight into the weight scratchpad (at_program.kv_weights) */
    size_t num_stages;
    at_stage_stats *stages;      /* num_stages entries (owned by the handle; valid until the next run) */
} at_infer_stats;

typedef void (*at_infer_progress)(void *ctx, const char *stage, size_t done, size_t total);

typedef struct at_infer_opts {
    double tau;                  /* DynaTran threshold, real units (0: only exact zeros) */
    uint32_t sites;              /* at_sites.h mask (AT_SITES_PAPER by default in the CLI) */
    uint64_t timeout_ns;         /* deadline of each job (device time; 0: from the stage's work: its MACs
                                    at 16 per cycle + 4000 cycles per command + 1 M cycles) */
    int stream;                  /* 1: activations through memory between stages even when they fit
                                    the activation scratchpad (at_compile_opts.stream) */
    int kv_mem;                  /* 1: K and V through memory even when they fit the weight scratchpad
                                    (at_compile_opts.kv_mem) */
    int preload_weights;         /* 1: a first stage loads every weight into the weight scratchpad
                                    (at_compile_opts.preload_weights; AT_EUNSUPPORTED when they do not
                                    fit) and the totals leave it out: the figures of a run whose weights
                                    are already on chip */
    uint32_t topk;               /* top-k attention (docs/dynatran.md): 0 off; k keeps the k largest
                                    probabilities of each row (at_topk_row), on the host between the probs
                                    and the context stage's jobs: it reads the probabilities from device
                                    memory and writes them back (with resident activations the program
                                    stores and reloads them: at_compile_opts.host_probs). After the probs
                                    site's tau. The selection's host time is not in the cycles; the
                                    device's extra transfers are */
    at_infer_progress progress;  /* called after each stage (may be NULL) */
    void *progress_ctx;
} at_infer_opts;

/* The model stays the caller's and must outlive the handle. */
int at_infer_create(at_drv *drv, const at_qmodel *m, at_infer **out, at_err *err);
void at_infer_destroy(at_infer *h);

/* Runs a batch: ids[b] has lens[b] token ids. emb: batch x hidden floats
 * (L2-normalised); hidden (may be NULL): T x hidden int16 last hidden
 * states (scale m->s_final); stats may be NULL. */
int at_infer_run(at_infer *h, const int32_t *const *ids, const size_t *lens, size_t batch,
                 const at_infer_opts *o, float *emb, int16_t *hidden, at_infer_stats *stats, at_err *err);

/* The buffer objects of the weights and of the activations (0 before the
 * first run), and where each packed tensor lies in the weights (for tests
 * and tools that inspect or fault the device's memory). */
void at_infer_bos(const at_infer *h, uint32_t *weights, uint32_t *act);
const at_model_layout *at_infer_layout(const at_infer *h);

#endif
