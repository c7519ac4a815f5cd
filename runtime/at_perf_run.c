/* One performance run: see at_perf_run.h. */
#include "at_perf_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "at_session.h"
#include "at_synth.h"

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int at_perf_figures(const at_hw_config *cfg, const at_infer_stats *st, size_t batch, at_perf_result *r,
                    at_err *err)
{
    r->cycles = st->cycles;
    int rc = at_unit_cycles_make(st->cycles, &st->counters, &r->units, err);
    if (rc)
        return rc;
    r->utilization = st->utilization;
    r->clock_mhz = cfg->clock_mhz;
    r->device_seconds = cfg->clock_mhz ? (double)st->cycles / ((double)cfg->clock_mhz * 1e6) : 0.0;
    r->sequences_per_second = r->device_seconds > 0 ? (double)batch / r->device_seconds : 0.0;
    r->dram_bytes = st->dram_bytes;
    r->macs = st->macs;
    r->mac_skipped = st->mac_skipped;
    r->useful_macs = st->useful_macs;
    r->weights_loaded = !st->weights_preloaded;
    r->compute_cycles = st->compute_cycles;
    r->smx_rows = st->smx_rows;
    r->ln_rows = st->ln_rows;
    r->jobs = st->jobs;
    r->commands = st->commands;
    r->resident = st->resident;
    r->kv_weights = st->kv_weights;
    at_roofline_make(cfg, st->cycles, st->compute_cycles, st->macs, st->dram_bytes, &r->roof);
    return at_energy_from_counters(cfg, &st->counters, st->cycles, &r->energy, err);
}

/* Simulated host memory for the run: the packed weights and the batch's
 * activations (with their score matrices), twice over, and room for the
 * ring; a power of two from 256 MiB to 4 GiB. */
static uint64_t mem_for(int layers, int H, int I, int NH, size_t batch, size_t seq)
{
    uint64_t w = (uint64_t)layers * (4ull * H * H + 2ull * H * I) * 2 + (uint64_t)layers * 16 * (6 * H + 2 * I);
    uint64_t T = (uint64_t)batch * seq;
    uint64_t a = T * (10ull * H + 2ull * I) * 2 + (uint64_t)batch * NH * seq * ((seq + 15) / 16 * 32);
    uint64_t need = 2 * (w + a) + (64ull << 20), mem = 256ull << 20;
    while (mem < need && mem < (4ull << 30))
        mem *= 2;
    return mem;
}

int at_perf_run(const at_perf_opts *o, at_perf_result *r, at_err *err)
{
    memset(r, 0, sizeof *r);
    if (!o || !o->model)
        return at_err_set(err, AT_EINVAL, "perf: no model (minilm, bert-tiny, bert-base)");
    const char *config = o->config ? o->config : "tiny", *backend = o->backend ? o->backend : "fmodel";
    const at_hw_config *cfg = at_hw_config_find(config);
    if (!cfg)
        return at_err_set(err, AT_EINVAL, "perf: unknown configuration '%s' (tiny, mid, edge, server)", config);
    int minilm = !strcmp(o->model, "minilm");
    const at_synth_shape *shape = minilm ? NULL : at_synth_find(o->model);
    if (!minilm && !shape)
        return at_err_set(err, AT_EINVAL, "perf: unknown model '%s' (minilm, bert-tiny, bert-base)", o->model);
    if (minilm && !o->model_dir)
        return at_err_set(err, AT_EINVAL, "perf: minilm needs the all-MiniLM-L6-v2 folder");
    size_t max_seq = cfg->max_seq < 512 ? cfg->max_seq : 512;
    if (o->seq < 1 || o->seq > max_seq)
        return at_err_set(err, AT_EINVAL, "perf: --seq %zu out of range (1..%zu: the model's positions and %s's "
                          "softmax unit)", o->seq, max_seq, cfg->name);
    if (o->batch < 1 || o->batch > 65535 / o->seq)
        return at_err_set(err, AT_EINVAL, "perf: --batch %zu out of range (1..%zu: at most 65535 tokens in a batch)",
                          o->batch, 65535 / o->seq);
    if (!(o->tau >= 0))
        return at_err_set(err, AT_EINVAL, "perf: tau must be >= 0");
    snprintf(r->model, sizeof r->model, "%s", o->model);
    snprintf(r->backend, sizeof r->backend, "%s", backend);
    snprintf(r->config, sizeof r->config, "%s", cfg->name);
    r->batch = o->batch;
    r->seq = o->seq;
    r->tokens = o->batch * o->seq;
    /* minilm's shape, for the memory estimate (the model's config.json has the real one) */
    int L = shape ? shape->layers : 6, H = shape ? shape->hidden : 384, NH = shape ? shape->heads : 12;
    int I = shape ? shape->intermediate : 1536;
    at_session_opts so = {.model_dir = minilm ? o->model_dir : NULL,
                          .synth = shape ? shape->name : NULL,
                          .synth_seed = o->seed + 1,
                          .backend = backend,
                          .config = cfg->name,
                          .dtb = o->dtb,
                          .mem_bytes = mem_for(L, H, I, NH, o->batch, o->seq),
                          .threads = o->threads};
    at_session *s = NULL;
    int rc = at_session_open(&so, &s, err);
    if (rc)
        return rc;
    const bert_config *bc = &s->model->cfg;
    r->layers = bc->layers;
    r->hidden = bc->hidden;
    r->heads = bc->heads;
    r->intermediate = bc->intermediate;
    int32_t **ids = calloc(o->batch, sizeof *ids);
    size_t *lens = calloc(o->batch, sizeof *lens);
    float *emb = malloc(o->batch * (size_t)bc->hidden * sizeof *emb);
    if (!ids || !lens || !emb) {
        rc = at_err_set(err, AT_ENOMEM, "perf: out of memory");
        goto done;
    }
    for (size_t b = 0; b < o->batch; b++) {
        lens[b] = o->seq;
        if (!(ids[b] = malloc(o->seq * sizeof *ids[b]))) {
            rc = at_err_set(err, AT_ENOMEM, "perf: out of memory");
            goto done;
        }
    }
    at_synth_tokens(o->seed, bc->vocab_size, ids, lens, o->batch);
    at_infer_opts io = {.tau = o->tau,
                        .sites = o->sites,
                        .preload_weights = o->exclude_weights,
                        .kv_mem = o->kv_mem,
                        .progress = o->progress,
                        .progress_ctx = o->progress_ctx};
    at_infer_stats st;
    double t0 = wall_s();
    rc = at_infer_run(s->infer, (const int32_t *const *)ids, lens, o->batch, &io, emb, NULL, &st, err);
    r->host_seconds = wall_s() - t0;
    if (rc)
        goto done;
    r->stages = (uint32_t)st.num_stages - (st.weights_preloaded ? 1u : 0u); /* the counted ones */
    rc = at_perf_figures(cfg, &st, o->batch, r, err);
done:
    if (ids)
        for (size_t b = 0; b < o->batch; b++)
            free(ids[b]);
    free(ids);
    free(lens);
    free(emb);
    at_session_close(s);
    return rc;
}
