/* One object for "run the model on the simulated device": the tokenizer,
 * the quantized model (calibrated on at_calib_sentences), the cosim port,
 * the driver and the inference handle. The CLI, the end-to-end tests and
 * the benchmarks open one of these and call at_infer_run through it. */
#ifndef ACCELTRAN_AT_SESSION_H
#define ACCELTRAN_AT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "at_drv.h"
#include "at_error.h"
#include "at_infer.h"
#include "at_port.h"
#include "at_quant.h"
#include "tokenizer.h"

/* Tokens per calibration sentence, whatever the caller's max_len. */
#define AT_SESSION_CALIB_LEN 256

typedef struct at_session_opts {
    const char *model_dir;   /* config.json, model.safetensors, vocab.txt */
    const char *synth;       /* instead of model_dir: a synthetic model (at_synth.h: "bert-tiny",
                                "bert-base") with seeded weights; no tokenizer (feed token ids) */
    uint64_t synth_seed;     /* its weights' seed */
    const char *backend;     /* "fmodel" (NULL) or "rtl" */
    const char *config;      /* "tiny" (NULL), "mid", "edge", "server" */
    const char *dtb;         /* NULL: $BUILD/firmware/<config>.dtb, BUILD defaulting to "build" */
    uint64_t mem_bytes;      /* simulated host memory (0: 256 MiB) */
    double headroom;         /* calibration headroom (0: at_quant's default) */
    int threads;             /* float reference threads for calibration (0: all CPUs) */
    size_t max_len;          /* tokens per sentence incl. [CLS]/[SEP] (0: 256) */
    int no_device;           /* 1: tokenizer and quantized model only (host reference) */
} at_session_opts;

typedef struct at_session {
    at_vocab *vocab;         /* NULL for a synthetic model */
    at_tokenizer *tok;       /* NULL for a synthetic model */
    at_qmodel *model;
    at_port port;
    at_drv *drv;
    at_infer *infer;
    size_t max_len;
    char backend[16], config[16];
} at_session;

int at_session_open(const at_session_opts *o, at_session **out, at_err *err);
void at_session_close(at_session *s);

/* A tokenized batch: ids[i] has lens[i] tokens. */
typedef struct at_batch {
    size_t n;
    int32_t **ids;
    size_t *lens;
    size_t tokens;
} at_batch;

int at_session_tokenize(const at_session *s, const char *const *texts, size_t n, at_batch *b, at_err *err);
void at_batch_free(at_batch *b);

#endif
