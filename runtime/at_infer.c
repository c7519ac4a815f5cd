/* The inference API: see at_infer.h. */
#include "at_infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_gemm_plan.h"
#include "at_jobs.h"
#include "at_topk.h"
#include "numerics.h"

struct at_infer {
    at_drv *drv;
    const at_qmodel *m;
    at_model_layout wl;
    uint32_t bo_w;
    uint32_t bo_a;
    uint64_t bo_a_bytes;
    at_stage_stats *stages;
    size_t stages_cap;
};

int at_infer_create(at_drv *drv, const at_qmodel *m, at_infer **out, at_err *err)
{
    *out = NULL;
    if (!drv || !m)
        return at_err_set(err, AT_EINVAL, "infer: NULL argument");
    at_infer *h = calloc(1, sizeof *h);
    if (!h)
        return at_err_set(err, AT_ENOMEM, "infer: out of memory");
    h->drv = drv;
    h->m = m;
    at_model_layout_make(m, &h->wl);
    uint8_t *buf = malloc(h->wl.bytes);
    if (!buf) {
        unsigned long long bytes = (unsigned long long)h->wl.bytes;
        free(h);
        return at_err_set(err, AT_ENOMEM, "infer: out of memory for %llu bytes of weights", bytes);
    }
    at_model_layout_fill(m, &h->wl, buf);
    struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = h->wl.bytes};
    int rc = at_drv_bo_create(drv, &bc, err);
    if (!rc) {
        h->bo_w = bc.handle;
        rc = at_drv_bo_write(drv, h->bo_w, 0, buf, h->wl.bytes, err);
    }
    free(buf);
    if (rc) {
        at_infer_destroy(h);
        return rc;
    }
    *out = h;
    return 0;
}

void at_infer_destroy(at_infer *h)
{
    if (!h)
        return;
    if (h->bo_a)
        at_drv_bo_destroy(h->drv, h->bo_a, NULL);
    if (h->bo_w)
        at_drv_bo_destroy(h->drv, h->bo_w, NULL);
    free(h->stages);
    free(h);
}

/* The activation buffer object, grown when a batch needs more. */
static int act_bo(at_infer *h, uint64_t bytes, at_err *err)
{
    if (h->bo_a && h->bo_a_bytes >= bytes)
        return 0;
    if (h->bo_a) {
        int rc = at_drv_bo_destroy(h->drv, h->bo_a, err);
        if (rc)
            return rc;
        h->bo_a = 0;
    }
    struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = bytes};
    int rc = at_drv_bo_create(h->drv, &bc, err);
    if (rc)
        return rc;
    h->bo_a = bc.handle;
    h->bo_a_bytes = bytes;
    return 0;
}

/* Writes rows of int16 (h elements each) into the activation BO at off with stride ld. */
static int gather(at_infer *h, uint64_t off, uint32_t ld, const int16_t *table, const int32_t *const *ids,
                  const size_t *lens, size_t batch, int positions, at_err *err)
{
    uint32_t H = (uint32_t)h->m->cfg.hidden;
    size_t T = 0;
    for (size_t b = 0; b < batch; b++)
        T += lens[b];
    uint8_t *buf = calloc(T ? T : 1, ld);
    if (!buf)
        return at_err_set(err, AT_ENOMEM, "infer: out of memory");
    size_t t = 0;
    for (size_t b = 0; b < batch; b++)
        for (size_t i = 0; i < lens[b]; i++, t++) {
            size_t row = positions ? i : (size_t)ids[b][i];
            memcpy(buf + t * ld, table + row * H, (size_t)H * 2);
        }
    int rc = at_drv_bo_write(h->drv, h->bo_a, off, buf, (uint64_t)T * ld, err);
    free(buf);
    return rc;
}

/* Top-k on the host: reads every sequence's probabilities of one layer
 * from the activation buffer object (heads back to back, L rows of ld
 * bytes each), keeps the k largest of each row's L valid columns and
 * writes them back. *zeros: the zeros after it; *bytes: read + written. */
static int host_topk(at_infer *h, const at_act_layout *al, const size_t *lens, size_t batch, uint32_t k,
                     uint64_t *zeros, uint64_t *bytes, at_err *err)
{
    const uint32_t NH = (uint32_t)h->m->cfg.heads;
    uint64_t n = al->bytes - al->sp;
    uint8_t *buf = malloc(n ? n : 1);
    int16_t *row = malloc(AT_SOFTMAX_MAX_LEN * sizeof *row), *scratch = malloc(AT_SOFTMAX_MAX_LEN * sizeof *scratch);
    int rc = 0;
    if (!buf || !row || !scratch) {
        rc = at_err_set(err, AT_ENOMEM, "infer: top-k: out of memory for %llu bytes", (unsigned long long)n);
        goto out;
    }
    if ((rc = at_drv_bo_read(h->drv, h->bo_a, al->sp, buf, n, err)))
        goto out;
    *zeros = 0;
    for (size_t b = 0; b < batch; b++) {
        uint32_t L = (uint32_t)lens[b], ld = at_gemm_ld_bytes(L);
        for (uint32_t hd = 0; hd < NH; hd++) {
            uint8_t *base = buf + (al->sp_off[b * NH + hd] - al->sp);
            for (uint32_t i = 0; i < L; i++) {
                uint8_t *r = base + (size_t)i * ld;
                for (uint32_t j = 0; j < L; j++)
                    row[j] = (int16_t)(uint16_t)(r[2 * j] | r[2 * j + 1] << 8);
                *zeros += at_topk_row(row, L, k, scratch);
                for (uint32_t j = 0; j < L; j++) {
                    r[2 * j] = (uint8_t)((uint16_t)row[j] & 0xff);
                    r[2 * j + 1] = (uint8_t)((uint16_t)row[j] >> 8);
                }
            }
        }
    }
    rc = at_drv_bo_write(h->drv, h->bo_a, al->sp, buf, n, err);
    *bytes += 2 * n;
out:
    free(buf);
    free(row);
    free(scratch);
    return rc;
}

int at_infer_run(at_infer *h, const int32_t *const *ids, const size_t *lens, size_t batch,
                 const at_infer_opts *o, float *emb, int16_t *hidden, at_infer_stats *stats, at_err *err)
{
    if (!h || !ids || !lens || !batch || !o || !emb)
        return at_err_set(err, AT_EINVAL, "infer: NULL argument or empty batch");
    const at_qmodel *m = h->m;
    const bert_config *bc = &m->cfg;
    const uint32_t H = (uint32_t)bc->hidden;
    size_t T = 0;
    for (size_t b = 0; b < batch; b++) {
        if (lens[b] < 1 || lens[b] > (size_t)bc->max_positions)
            return at_err_set(err, AT_EINVAL, "infer: sequence %zu has %zu tokens (1..%d)", b, lens[b],
                              bc->max_positions);
        for (size_t i = 0; i < lens[b]; i++)
            if (ids[b][i] < 0 || ids[b][i] >= bc->vocab_size)
                return at_err_set(err, AT_EINVAL, "infer: sequence %zu token %zu: id %d out of range", b, i,
                                  ids[b][i]);
        T += lens[b];
    }
    const at_hw_config *cfg = at_drv_config(h->drv);
    at_act_layout al;
    at_program prog = {0};
    int16_t *out = NULL;
    int rc = at_act_layout_make(m, lens, batch, &al, err);
    if (rc)
        goto done;
    if ((rc = act_bo(h, al.bytes, err)))
        goto done;
    if ((rc = gather(h, al.word, al.ld_h, m->word, ids, lens, batch, 0, err)) ||
        (rc = gather(h, al.pos, al.ld_h, m->postype, ids, lens, batch, 1, err)))
        goto done;
    at_compile_opts co = {o->tau, o->sites, h->bo_w, h->bo_a, o->stream, o->preload_weights, o->topk > 0, o->kv_mem};
    if ((rc = at_model_compile(m, cfg, &h->wl, &al, lens, batch, &co, &prog, err)))
        goto done;
    if (h->stages_cap < prog.num_stages) {
        at_stage_stats *p = realloc(h->stages, prog.num_stages * sizeof *p);
        if (!p) {
            rc = at_err_set(err, AT_ENOMEM, "infer: out of memory");
            goto done;
        }
        h->stages = p;
        h->stages_cap = prog.num_stages;
    }
    at_infer_stats st;
    memset(&st, 0, sizeof st);
    uint32_t bos[2] = {h->bo_w, h->bo_a};
    uint64_t peak = (uint64_t)cfg->pes * cfg->lanes * cfg->macs_per_lane;
    for (size_t i = 0; i < prog.num_stages; i++) {
        const at_stage *sg = &prog.stages[i];
        at_stage_stats *ss = &h->stages[i];
        memset(ss, 0, sizeof *ss);
        snprintf(ss->label, sizeof ss->label, "%s", sg->label);
        ss->layer = sg->layer;
        ss->site = sg->site;
        ss->commands = sg->buf.n;
        ss->elements = sg->elements;
        ss->macs = sg->macs;
        at_counters c0, c1;
        if ((rc = at_counters_read(h->drv, &c0, err)))
            goto done;
        /* a stage longer than a job holds runs as several jobs in a row
         * (each ends with the driver's fence, so the split is invisible);
         * each job's deadline is the driver's watchdog (at_jobs_deadline_ns
         * unless the caller gives one) */
        at_jobs_opts jo = {.timeout_ns = o->timeout_ns, .macs = sg->macs};
        at_jobs_result jr;
        if ((rc = at_jobs_run(h->drv, sg->buf.cmds, sg->buf.n, bos, 2, &jo, &jr, err))) {
            char m2[sizeof err->msg];
            snprintf(m2, sizeof m2, "%s", err ? err->msg : "");
            rc = at_err_set(err, rc, "%s: %s", sg->label, m2);
            goto done;
        }
        uint64_t busy = jr.busy_cycles;
        st.jobs += sg->preload ? 0 : jr.jobs; /* the totals leave the preload out */
        if ((rc = at_counters_read(h->drv, &c1, err)))
            goto done;
        /* the counters are 48 bits wide and may wrap between two reads */
        at_counters_delta(&c0, &c1, &ss->delta);
        const uint64_t *dv = ss->delta.v;
        ss->cycles = busy;
        ss->mac_issued = dv[AT_CNT_MAC_ISSUED];
        ss->mac_skipped = dv[AT_CNT_MAC_SKIPPED];
        ss->pruned = dv[AT_CNT_PRUNED];
        ss->mem_rd = dv[AT_CNT_MEM_RD_BYTES];
        ss->mem_wr = dv[AT_CNT_MEM_WR_BYTES];
        ss->gemm_busy = dv[AT_CNT_GEMM_BUSY];
        ss->smx_busy = dv[AT_CNT_SMX_BUSY];
        ss->ln_busy = dv[AT_CNT_LN_BUSY];
        ss->load_busy = dv[AT_CNT_LOAD_BUSY];
        ss->store_busy = dv[AT_CNT_STORE_BUSY];
        ss->dma_only = dv[AT_CNT_DMA_ONLY];
        ss->smx_rows = dv[AT_CNT_SMX_ROWS];
        ss->ln_rows = dv[AT_CNT_LN_ROWS];
        ss->counted = !sg->preload;
        ss->zeros = ss->pruned;
        if (o->topk && sg->site == AT_SITE_PROBS &&
            (rc = host_topk(h, &al, lens, batch, o->topk, &ss->zeros, &st.topk_host_bytes, err))) {
            char m2[sizeof err->msg];
            snprintf(m2, sizeof m2, "%s", err ? err->msg : "");
            rc = at_err_set(err, rc, "%s: top-k: %s", sg->label, m2);
            goto done;
        }
        if (o->progress)
            o->progress(o->progress_ctx, sg->label, i + 1, prog.num_stages);
        if (!ss->counted) {
            st.weights_preloaded = 1;
            continue;
        }
        at_counters_add(&st.counters, &ss->delta);
        st.cycles += ss->cycles;
        st.mac_issued += ss->mac_issued;
        st.mac_skipped += ss->mac_skipped;
        st.useful_macs += ss->macs;
        st.dram_bytes += ss->mem_rd + ss->mem_wr;
        if (sg->site >= 0 && sg->site < AT_NUM_SITES) {
            st.sites[sg->site].elements += ss->elements;
            st.sites[sg->site].zeros += ss->zeros;
        }
        st.commands += sg->buf.n;
    }
    /* the last hidden states */
    out = malloc(T * (size_t)H * sizeof *out);
    uint8_t *raw = malloc(T * (size_t)al.ld_h);
    if (!out || !raw) {
        free(raw);
        rc = at_err_set(err, AT_ENOMEM, "infer: out of memory");
        goto done;
    }
    rc = at_drv_bo_read(h->drv, h->bo_a, al.x, raw, (uint64_t)T * al.ld_h, err);
    for (size_t t = 0; !rc && t < T; t++)
        memcpy(out + t * H, raw + t * al.ld_h, (size_t)H * 2);
    free(raw);
    if (rc)
        goto done;
    at_pool_embed(out, m->s_final, lens, batch, H, emb);
    if (hidden)
        memcpy(hidden, out, T * (size_t)H * sizeof *out);
    st.macs = st.mac_issued + st.mac_skipped;
    st.skipped_fraction = st.macs ? (double)st.mac_skipped / (double)st.macs : 0.0;
    st.utilization = st.cycles && peak ? (double)st.useful_macs / ((double)st.cycles * (double)peak) : 0.0;
    st.device_seconds = (double)st.cycles / (cfg->clock_mhz * 1e6);
    st.compute_cycles = st.counters.v[AT_CNT_GEMM_BUSY];
    st.smx_rows = st.counters.v[AT_CNT_SMX_ROWS];
    st.ln_rows = st.counters.v[AT_CNT_LN_ROWS];
    if ((rc = at_unit_cycles_make(st.cycles, &st.counters, &st.units, err)))
        goto done;
    st.num_stages = prog.num_stages;
    st.resident = prog.resident;
    st.kv_weights = prog.kv_weights;
    st.stages = h->stages;
    if (stats)
        *stats = st;
done:
    free(out);
    at_program_free(&prog);
    at_act_layout_free(&al);
    return rc;
}

void at_infer_bos(const at_infer *h, uint32_t *weights, uint32_t *act)
{
    if (weights)
        *weights = h->bo_w;
    if (act)
        *act = h->bo_a;
}

const at_model_layout *at_infer_layout(const at_infer *h)
{
    return &h->wl;
}
