/* The models of `acceltran perf` (docs/compiler.md "Performance runs"):
 *   - the synthetic shapes and their seeded weights (deterministic per
 *     seed, BERT's initializer) and tokens;
 *   - a synthetic BERT-tiny compiled for edge and run on the fmodel, with
 *     two sequences of different lengths: the hidden states equal the host
 *     integer reference (at_qref) bit for bit, with the weights streamed
 *     per stage and preloaded (at_infer_opts.preload_weights), with the
 *     activations on chip and streamed; the row counters are the model's
 *     rows exactly; the preloaded run leaves its preload stage out of the
 *     figures and moves fewer bytes;
 *   - preloading on a configuration whose weight scratchpad is too small
 *     fails with a clear error;
 *   - K and V straight into the weight scratchpad (GEMM_C_WGT,
 *     at_program.kv_weights) with resident activations, sequences starting
 *     at token offsets that are multiples of 4 and not (the k / v GEMMs
 *     split at the sequences, rows padded to 4), against K and V through
 *     memory (at_infer_opts.kv_mem): both the host reference's bits, and
 *     the DRAM bytes fall by exactly the STOREs of K and V and their
 *     per-head LOADs (8 T H bytes a layer) and the dropped commands'
 *     descriptors. */
#include <math.h>
#include <string.h>

#include "at_qref.h"
#include "at_session.h"
#include "at_synth.h"
#include "check.h"

static uint64_t g_seed;

static void t_shapes(void)
{
    const at_synth_shape *t = at_synth_find("bert-tiny"), *b = at_synth_find("bert-base");
    CHECK(t && t->layers == 2 && t->hidden == 128 && t->heads == 2 && t->intermediate == 512, "bert-tiny shape");
    CHECK(b && b->layers == 12 && b->hidden == 768 && b->heads == 12 && b->intermediate == 3072, "bert-base shape");
    CHECK(!at_synth_find("bert-huge") && !at_synth_find(NULL), "unknown shapes");
    bert_config c;
    at_synth_config(t, &c);
    CHECK(c.vocab_size == 30522 && c.max_positions == 512 && c.type_vocab == 2 && c.hidden % c.heads == 0,
          "bert-tiny config");
}

static void t_weights(void)
{
    bert_config c;
    at_synth_config(at_synth_find("bert-tiny"), &c);
    st_file *a = NULL, *b = NULL, *o = NULL;
    at_err err = {0};
    CHECK(!at_synth_weights(&c, g_seed, &a, &err) && !at_synth_weights(&c, g_seed, &b, &err) &&
              !at_synth_weights(&c, g_seed + 1, &o, &err),
          "synthetic weights: %s", err.msg);
    if (!a || !b || !o)
        goto done;
    CHECK(st_count(a) == 5 + 16 * 2, "%zu tensors, want 37", st_count(a));
    const char *names[] = {"embeddings.word_embeddings.weight", "encoder.layer.1.intermediate.dense.weight",
                           "encoder.layer.0.output.LayerNorm.weight"};
    for (int i = 0; i < 3; i++) {
        const st_tensor *ta = st_find(a, names[i]), *tb = st_find(b, names[i]), *to = st_find(o, names[i]);
        CHECK(ta && tb && to && ta->dtype == ST_BF16, "%s missing or not BF16", names[i]);
        if (!ta || !tb || !to)
            continue;
        size_t n = (size_t)(ta->end - ta->begin);
        CHECK(!memcmp(ta->data, tb->data, n), "%s: the same seed gave different weights", names[i]);
        CHECK(i == 2 ? !memcmp(ta->data, to->data, n) : memcmp(ta->data, to->data, n) != 0,
              "%s: %s", names[i], i == 2 ? "layer-norm gains depend on the seed" : "another seed gave the same weights");
    }
    /* BERT's initializer: N(0, 0.02) */
    float *w = NULL;
    int64_t shape[2] = {c.intermediate, c.hidden};
    if (!st_read_f32(a, "encoder.layer.1.intermediate.dense.weight", 2, shape, &w, &err)) {
        double s = 0, s2 = 0;
        size_t n = (size_t)c.intermediate * c.hidden;
        for (size_t i = 0; i < n; i++) {
            s += w[i];
            s2 += (double)w[i] * w[i];
        }
        double mean = s / (double)n, sd = sqrt(s2 / (double)n - mean * mean);
        CHECK(fabs(mean) < 1e-3 && fabs(sd - 0.02) < 0.0005, "FFN1 weights: mean %g sd %g, want 0, 0.02", mean, sd);
        free(w);
    } else {
        CHECK(0, "read: %s", err.msg);
    }
done:
    st_close(a);
    st_close(b);
    st_close(o);
}

static void t_tokens(void)
{
    int32_t a0[40], a1[7], b0[40], b1[7];
    int32_t *ia[2] = {a0, a1}, *ib[2] = {b0, b1};
    size_t lens[2] = {40, 7};
    at_synth_tokens(g_seed, 30522, ia, lens, 2);
    at_synth_tokens(g_seed, 30522, ib, lens, 2);
    CHECK(!memcmp(a0, b0, sizeof a0) && !memcmp(a1, b1, sizeof a1), "tokens not deterministic");
    CHECK(a0[0] == 101 && a0[39] == 102 && a1[0] == 101 && a1[6] == 102, "[CLS] / [SEP]");
    int ok = 1;
    for (int i = 1; i < 39; i++)
        ok &= a0[i] >= 999 && a0[i] < 30522;
    CHECK(ok, "token ids outside [999, 30522)");
}

typedef struct run_out {
    int16_t *hidden;
    at_infer_stats st;
    at_stage_stats first;
} run_out;

static int run_kv(at_session *s, int32_t *const *ids, const size_t *lens, size_t n, int preload, int stream,
                  int kv_mem, run_out *o)
{
    memset(o, 0, sizeof *o);
    size_t T = 0;
    for (size_t b = 0; b < n; b++)
        T += lens[b];
    const size_t H = (size_t)s->model->cfg.hidden;
    o->hidden = malloc(T * H * sizeof *o->hidden);
    float *emb = malloc(n * H * sizeof *emb);
    at_infer_opts io = {.sites = AT_SITES_PAPER, .preload_weights = preload, .stream = stream, .kv_mem = kv_mem};
    at_err err = {0};
    int rc = o->hidden && emb ? at_infer_run(s->infer, (const int32_t *const *)ids, lens, n, &io, emb, o->hidden,
                                             &o->st, &err)
                              : AT_ENOMEM;
    CHECK(rc == 0, "preload %d stream %d: %s", preload, stream, err.msg);
    if (!rc && o->st.num_stages)
        o->first = o->st.stages[0];
    free(emb);
    return rc;
}

static int run(at_session *s, int32_t *const *ids, const size_t *lens, size_t n, int preload, int stream,
               run_out *o)
{
    return run_kv(s, ids, lens, n, preload, stream, 0, o);
}

static void t_preload(void)
{
    at_session_opts so = {.synth = "bert-tiny", .synth_seed = g_seed + 1, .backend = "fmodel", .config = "edge"};
    at_session *s = NULL;
    at_err err = {0};
    if (at_session_open(&so, &s, &err)) {
        CHECK(0, "session bert-tiny/edge: %s", err.msg);
        return;
    }
    enum { NB = 2 };
    size_t lens[NB] = {16, 23};
    int32_t i0[16], i1[23];
    int32_t *ids[NB] = {i0, i1};
    at_synth_tokens(g_seed, s->model->cfg.vocab_size, ids, lens, NB);
    const size_t T = 16 + 23, H = (size_t)s->model->cfg.hidden;
    at_qref_result ref;
    if (at_qref_run(s->model, (const int32_t *const *)ids, lens, NB, 0.0, AT_SITES_PAPER, &ref, &err)) {
        CHECK(0, "qref: %s", err.msg);
        at_session_close(s);
        return;
    }
    const bert_config *bc = &s->model->cfg;
    run_out o[4];
    static const char *const what[4] = {"streamed weights, resident activations", "preloaded weights, resident",
                                        "streamed weights, streamed activations", "preloaded weights, streamed"};
    for (int v = 0; v < 4; v++) {
        if (run(s, ids, lens, NB, v & 1, v >> 1, &o[v])) {
            o[v].hidden = o[v].hidden ? o[v].hidden : NULL;
            continue;
        }
        size_t bad = T * H;
        for (size_t i = 0; i < T * H && bad == T * H; i++)
            if (o[v].hidden[i] != ref.hidden[i])
                bad = i;
        CHECK(bad == T * H, "%s: hidden state of token %zu column %zu: %d, host reference %d", what[v], bad / H, bad % H,
              bad < T * H ? o[v].hidden[bad] : 0, bad < T * H ? ref.hidden[bad] : 0);
        const at_infer_stats *st = &o[v].st;
        CHECK(st->resident == !(v >> 1), "%s: resident %d", what[v], st->resident);
        /* K and V into the weight scratchpad whenever resident (edge has the room) */
        CHECK(st->kv_weights == st->resident, "%s: kv_weights %d", what[v], st->kv_weights);
        uint64_t smx = (uint64_t)bc->layers * bc->heads * T, ln = (uint64_t)(1 + 2 * bc->layers) * T;
        CHECK(st->smx_rows == smx && st->ln_rows == ln, "%s: SMX_ROWS %llu LN_ROWS %llu, want %llu %llu", what[v],
              (unsigned long long)st->smx_rows, (unsigned long long)st->ln_rows, (unsigned long long)smx,
              (unsigned long long)ln);
        CHECK(st->macs == ref.mac_dense && st->mac_skipped == ref.mac_skipped, "%s: MACs %llu/%llu, reference %llu/%llu",
              what[v], (unsigned long long)st->macs, (unsigned long long)st->mac_skipped,
              (unsigned long long)ref.mac_dense, (unsigned long long)ref.mac_skipped);
        const at_unit_cycles *u = &st->units;
        CHECK(u->gemm + u->softmax + u->layernorm + u->dma + u->idle == st->cycles && u->gemm == st->compute_cycles &&
                  u->gemm > 0 && u->softmax > 0 && u->layernorm > 0,
              "%s: units %llu %llu %llu %llu %llu vs cycles %llu", what[v], (unsigned long long)u->gemm,
              (unsigned long long)u->softmax, (unsigned long long)u->layernorm, (unsigned long long)u->dma,
              (unsigned long long)u->idle, (unsigned long long)st->cycles);
        CHECK(st->weights_preloaded == (v & 1) && o[v].first.counted == !(v & 1) &&
                  (!(v & 1) || !strcmp(o[v].first.label, "weights preload")),
              "%s: weights_preloaded %d, first stage '%s' counted %d", what[v], st->weights_preloaded,
              o[v].first.label, o[v].first.counted);
        printf("  %-40s %8llu cycles, %9llu DRAM bytes, units gemm %llu softmax %llu layernorm %llu dma %llu idle "
               "%llu\n",
               what[v], (unsigned long long)st->cycles, (unsigned long long)st->dram_bytes, (unsigned long long)u->gemm,
               (unsigned long long)u->softmax, (unsigned long long)u->layernorm, (unsigned long long)u->dma,
               (unsigned long long)u->idle);
    }
    /* the preload took the weights' bytes out of the figures: at least the
     * packed dense tiles (2 bytes per weight) */
    uint64_t wbytes = 0;
    for (int l = 0; l < bc->layers; l++)
        wbytes += 2ull * (4ull * bc->hidden * bc->hidden + 2ull * bc->hidden * bc->intermediate);
    for (int v = 1; v < 4; v += 2)
        if (o[v].hidden && o[v - 1].hidden)
            CHECK(o[v - 1].st.dram_bytes >= o[v].st.dram_bytes + wbytes && o[v].st.cycles < o[v - 1].st.cycles &&
                      o[v].first.mem_rd >= wbytes,
                  "%s: %llu DRAM bytes, %llu cycles; streamed weights %llu, %llu (weights %llu bytes, preload read %llu)",
                  what[v], (unsigned long long)o[v].st.dram_bytes, (unsigned long long)o[v].st.cycles,
                  (unsigned long long)o[v - 1].st.dram_bytes, (unsigned long long)o[v - 1].st.cycles,
                  (unsigned long long)wbytes, (unsigned long long)o[v].first.mem_rd);
    for (int v = 0; v < 4; v++)
        free(o[v].hidden);
    at_qref_result_free(&ref);
    at_session_close(s);
}

static void t_kv_weights(void)
{
    at_session_opts so = {.synth = "bert-tiny", .synth_seed = g_seed + 1, .backend = "fmodel", .config = "edge"};
    at_session *s = NULL;
    at_err err = {0};
    if (at_session_open(&so, &s, &err)) {
        CHECK(0, "session bert-tiny/edge: %s", err.msg);
        return;
    }
    const bert_config *bc = &s->model->cfg;
    /* offsets 0, 16 (multiples of 4), then 0, 13, 36 (not) */
    static const size_t lens_all[2][3] = {{16, 23, 0}, {13, 23, 5}};
    for (int t = 0; t < 2; t++) {
        size_t nb = lens_all[t][2] ? 3 : 2, T = 0;
        size_t lens[3];
        int32_t buf[3][32], *ids[3] = {buf[0], buf[1], buf[2]};
        for (size_t b = 0; b < nb; b++) {
            lens[b] = lens_all[t][b];
            T += lens[b];
        }
        at_synth_tokens(g_seed + (uint64_t)t, bc->vocab_size, ids, lens, nb);
        at_qref_result ref;
        if (at_qref_run(s->model, (const int32_t *const *)ids, lens, nb, 0.0, AT_SITES_PAPER, &ref, &err)) {
            CHECK(0, "qref: %s", err.msg);
            break;
        }
        run_out o[2];
        for (int v = 0; v < 2; v++) {
            if (run_kv(s, ids, lens, nb, 0, 0, v, &o[v]))
                continue;
            size_t H = (size_t)bc->hidden, bad = T * H;
            for (size_t i = 0; i < T * H && bad == T * H; i++)
                if (o[v].hidden[i] != ref.hidden[i])
                    bad = i;
            CHECK(bad == T * H, "batch %d, kv_mem %d: hidden state of token %zu column %zu differs from the host "
                  "reference", t, v, bad / H, bad % H);
            CHECK(o[v].st.resident && o[v].st.kv_weights == !v, "batch %d, kv_mem %d: resident %d kv_weights %d", t, v,
                  o[v].st.resident, o[v].st.kv_weights);
            printf("  batch %d (%zu tokens), K and V %-28s %7llu cycles, %8llu DRAM bytes, %u commands\n", t, T,
                   v ? "through memory:" : "into the weight scratchpad:", (unsigned long long)o[v].st.cycles,
                   (unsigned long long)o[v].st.dram_bytes, o[v].st.commands);
        }
        if (o[0].hidden && o[1].hidden) {
            uint64_t kv = 8ull * T * (uint64_t)bc->hidden * (uint64_t)bc->layers;
            uint64_t desc = 64ull * (o[1].st.commands - o[0].st.commands);
            CHECK(o[1].st.commands > o[0].st.commands && o[1].st.dram_bytes == o[0].st.dram_bytes + kv + desc &&
                      o[0].st.cycles < o[1].st.cycles,
                  "batch %d: %llu DRAM bytes, %llu cycles, %u commands; through memory %llu, %llu, %u (want %llu "
                  "more bytes: K and V %llu, descriptors %llu)",
                  t, (unsigned long long)o[0].st.dram_bytes, (unsigned long long)o[0].st.cycles, o[0].st.commands,
                  (unsigned long long)o[1].st.dram_bytes, (unsigned long long)o[1].st.cycles, o[1].st.commands,
                  (unsigned long long)(kv + desc), (unsigned long long)kv, (unsigned long long)desc);
        }
        for (int v = 0; v < 2; v++)
            free(o[v].hidden);
        at_qref_result_free(&ref);
    }
    at_session_close(s);
}

static void t_preload_unfit(void)
{
    at_session_opts so = {.synth = "bert-tiny", .synth_seed = g_seed + 1, .backend = "fmodel", .config = "tiny"};
    at_session *s = NULL;
    at_err err = {0};
    if (at_session_open(&so, &s, &err)) {
        CHECK(0, "session bert-tiny/tiny: %s", err.msg);
        return;
    }
    int32_t i0[8];
    int32_t *ids[1] = {i0};
    size_t lens[1] = {8};
    at_synth_tokens(g_seed, s->model->cfg.vocab_size, ids, lens, 1);
    float emb[128];
    at_infer_opts io = {.preload_weights = 1};
    at_infer_stats st;
    int rc = at_infer_run(s->infer, (const int32_t *const *)ids, lens, 1, &io, emb, NULL, &st, &err);
    CHECK(rc == AT_EUNSUPPORTED && strstr(err.msg, "weight lines") && strstr(err.msg, "tiny"),
          "preload on tiny: rc %d '%s'", rc, err.msg);
    /* and the session still runs the same batch with streamed weights */
    io.preload_weights = 0;
    rc = at_infer_run(s->infer, (const int32_t *const *)ids, lens, 1, &io, emb, NULL, &st, &err);
    CHECK(rc == 0, "streamed after the refused preload: %s", err.msg);
    /* a synthetic session has no tokenizer: a clear error */
    at_batch b;
    const char *txt[1] = {"hello"};
    rc = at_session_tokenize(s, txt, 1, &b, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "tokenizer"), "tokenize without a tokenizer: rc %d '%s'", rc, err.msg);
    at_session_close(s);
    so.synth = "bert-huge";
    rc = at_session_open(&so, &s, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "bert-huge"), "unknown synthetic model: rc %d '%s'", rc, err.msg);
}

int main(void)
{
    g_seed = check_seed("test_perf_model", 0x9e7f);
    RUN_CASE(t_shapes);
    RUN_CASE(t_weights);
    RUN_CASE(t_tokens);
    RUN_CASE(t_preload);
    RUN_CASE(t_kv_weights);
    RUN_CASE(t_preload_unfit);
    return check_finish("test_perf_model");
}
