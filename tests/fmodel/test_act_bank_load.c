/* The activation bank hash (include/at_act_bank.h) on the GEMMs the
 * compiler emits for real workloads: minilm, bert-tiny and bert-base at
 * batch 4 x 128 tokens (what `acceltran perf` compiles: at_model_compile
 * with the perf run's options), on edge and server.
 *
 * The fmodel charges a chunk of a GEMM step the activation port time
 * max(ceil(lines / (min(R, act_banks) x FM_GEMM_ACT_LINES_PER_CYCLE)),
 * rows of the step's first block) and does not model bank conflicts
 * (docs/cosim.md "GEMM"), on the claim that the hash spreads the R
 * feeders' lines over the banks. A bank serves one line a cycle, so a
 * chunk needs at least as many cycles as its most loaded bank has lines.
 * Per step (super-row-block) and chunk kc this test takes the lines feeder
 * r reads, A + ((sb*R + r)*BR + i)*LDA + kc for the rows i of its block
 * (rows past M skipped), and checks that the worst bank's load over the
 * chunk is at most 2x that port time (the slack the weight port leaves,
 * docs/cosim.md). It prints per shape and stage: distinct banks per
 * "round" (row i of every feeder's block, what the feeders read about
 * together) against the feeders in the round, the worst round, the worst
 * chunk load against the port time, and the lockstep time (the sum of the
 * rounds' worst banks: the time if the feeders could not drift apart).
 *
 * Only the descriptors' addresses matter here, and the compiler derives
 * them from the model's shape alone (no weight or scale values), so each
 * model is a shape-only at_qmodel: no weights, no calibration. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_hw.h"
#include "at_act_bank.h"
#include "at_error.h"
#include "at_model.h"
#include "at_quant.h"
#include "at_synth.h"
#include "bert_config.h"
#include "check.h"
#include "device_fmodel.h"
#include "pe_model.h"

#define BATCH 4
#define SEQ 128
#define MAX_KINDS 32
#define MAX_REPORTS 5 /* violations printed per shape (all are counted) */

/* all-MiniLM-L6-v2's shape when its config.json is not at hand */
static const bert_config minilm_fallback = {30522, 384, 6, 12, 1536, 512, 2, 0, 1e-12};

/* Figures of one stage kind ("q", "scores", ...) of one shape. */
typedef struct kind_figs {
    char name[48];
    uint32_t m_min, m_max, k_min, k_max, lda_min, lda_max;
    uint64_t gemms, chunks;
    uint64_t rounds, round_feeders, round_distinct; /* sums over rounds */
    uint32_t worst_round;                             /* most lines of one round in one bank */
    uint32_t worst_load, worst_ideal;                 /* the chunk with the highest load / ideal */
    uint64_t lockstep, ideal;                         /* sums over chunks */
    uint64_t over;                                    /* chunks over 2x the port time */
    uint64_t over_literal;                            /* chunks over 2x ceil(lines / min(R, banks)) */
} kind_figs;

typedef struct shape_run {
    const char *model, *config;
    kind_figs kinds[MAX_KINDS];
    int nkinds;
    uint64_t violations;
} shape_run;

/* The stage's kind: its label without "layer N " ("embeddings ..." whole). */
static kind_figs *kind_of(shape_run *s, const char *label)
{
    const char *k = label;
    if (!strncmp(label, "layer ", 6)) {
        const char *sp = strchr(label + 6, ' ');
        k = sp ? sp + 1 : label;
    }
    for (int i = 0; i < s->nkinds; i++)
        if (!strcmp(s->kinds[i].name, k))
            return &s->kinds[i];
    if (s->nkinds == MAX_KINDS)
        return NULL;
    kind_figs *f = &s->kinds[s->nkinds++];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", k);
    f->m_min = f->k_min = f->lda_min = UINT32_MAX;
    return f;
}

/* One GEMM descriptor d of stage `label`, command `cmd`. */
static void gemm_load(const at_hw_config *cfg, shape_run *s, kind_figs *f, const char *label, uint32_t cmd,
                      const uint32_t *d)
{
    const uint32_t a = AT_DGET(d, GEMM_A), lda = AT_DGET(d, GEMM_LDA);
    const uint32_t m = AT_DGET(d, GEMM_M), k = AT_DGET(d, GEMM_K);
    const uint32_t br = (uint32_t)pe_model_block_rows((int)cfg->lanes);
    const uint32_t R = at_fm_gemm_pe_rows(cfg), banks = cfg->act_banks ? cfg->act_banks : 1u;
    const uint32_t act_l = at_fm_gemm_act_lines(cfg), lit_l = R < banks ? R : banks;
    const uint32_t nch = (k + 15u) / 16u, mb = (m + br - 1u) / br;
    f->gemms++;
    f->m_min = m < f->m_min ? m : f->m_min;
    f->m_max = m > f->m_max ? m : f->m_max;
    f->k_min = k < f->k_min ? k : f->k_min;
    f->k_max = k > f->k_max ? k : f->k_max;
    f->lda_min = lda < f->lda_min ? lda : f->lda_min;
    f->lda_max = lda > f->lda_max ? lda : f->lda_max;
    for (uint32_t sb0 = 0; sb0 < mb; sb0 += R) {
        const uint32_t nr = mb - sb0 < R ? mb - sb0 : R;
        const uint32_t rows_all = (m - sb0 * br < nr * br) ? m - sb0 * br : nr * br;
        const uint32_t rows0 = m - sb0 * br < br ? m - sb0 * br : br;
        /* the port time the fmodel charges this step's chunks */
        uint32_t ideal = (rows_all + act_l - 1u) / act_l;
        ideal = ideal > rows0 ? ideal : rows0;
        const uint32_t literal = (rows_all + lit_l - 1u) / lit_l;
        for (uint32_t kc = 0; kc < nch; kc++) {
            uint32_t tot[16] = {0}, lockstep = 0;
            for (uint32_t i = 0; i < br; i++) {
                uint32_t cnt[16] = {0}, n = 0, distinct = 0, top = 0;
                for (uint32_t r = 0; r < nr; r++) {
                    uint32_t row = (sb0 + r) * br + i;
                    if (row >= m)
                        continue;
                    uint32_t b = at_act_bank(a + row * lda + kc, banks);
                    distinct += cnt[b]++ == 0;
                    top = cnt[b] > top ? cnt[b] : top;
                    tot[b]++;
                    n++;
                }
                if (!n)
                    continue;
                f->rounds++;
                f->round_feeders += n;
                f->round_distinct += distinct;
                f->worst_round = top > f->worst_round ? top : f->worst_round;
                lockstep += top;
            }
            uint32_t worst = 0;
            for (uint32_t b = 0; b < banks; b++)
                worst = tot[b] > worst ? tot[b] : worst;
            f->chunks++;
            f->lockstep += lockstep;
            f->ideal += ideal;
            if ((uint64_t)worst * f->worst_ideal > (uint64_t)f->worst_load * ideal || !f->worst_ideal) {
                f->worst_load = worst;
                f->worst_ideal = ideal;
            }
            f->over_literal += worst > 2u * literal;
            if (worst > 2u * ideal) {
                f->over++;
                if (s->violations++ < MAX_REPORTS)
                    CHECK(0, "%s/%s: %s (command %u, A %u, LDA %u, M %u, K %u): step %u, chunk %u: worst bank "
                          "%u lines > 2 x %u", s->model, s->config, label, cmd, a, lda, m, k, sb0 / R, kc, worst,
                          ideal);
            }
        }
    }
}

/* The shape-only model of bc: what at_model_layout_make and
 * at_model_compile read (sizes, GELU flag); every value and scale is 0. */
static int shape_qmodel(const bert_config *bc, at_qmodel *m)
{
    memset(m, 0, sizeof *m);
    m->cfg = *bc;
    m->head_dim = (uint32_t)(bc->hidden / bc->heads);
    m->layers = calloc((size_t)bc->layers, sizeof *m->layers);
    if (!m->layers)
        return -1;
    const uint32_t H = (uint32_t)bc->hidden, I = (uint32_t)bc->intermediate;
    m->emb_ln.n = H;
    for (int l = 0; l < bc->layers; l++) {
        at_qlayer *ly = &m->layers[l];
        at_qdense *ds[6] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
        for (int i = 0; i < 6; i++) {
            ds[i]->k = i == 5 ? I : H;
            ds[i]->n = i == 4 ? I : H;
            ds[i]->kq = 4u * ((ds[i]->k + 3u) / 4u);
        }
        ly->ffn1.gelu = 1;
        ly->ln1.n = ly->ln2.n = H;
    }
    return 0;
}

static void print_run(const shape_run *s, const at_hw_config *cfg)
{
    printf("  %s on %s (R = %u feeders, %u banks, block rows %d):\n", s->model, s->config, at_fm_gemm_pe_rows(cfg),
           cfg->act_banks, pe_model_block_rows((int)cfg->lanes));
    printf("    %-14s %5s %7s %9s %9s %8s %10s %10s %9s %6s %6s\n", "stage", "gemms", "M", "K", "LDA", "distinct",
           "worst rnd", "worst/port", "lockstep", "over", "over*");
    for (int i = 0; i < s->nkinds; i++) {
        const kind_figs *f = &s->kinds[i];
        if (!f->gemms)
            continue;
        char mr[24], kr[24], lr[24], dist[24], wl[24];
        snprintf(mr, sizeof mr, f->m_min == f->m_max ? "%u" : "%u-%u", f->m_min, f->m_max);
        snprintf(kr, sizeof kr, f->k_min == f->k_max ? "%u" : "%u-%u", f->k_min, f->k_max);
        snprintf(lr, sizeof lr, f->lda_min == f->lda_max ? "%u" : "%u-%u", f->lda_min, f->lda_max);
        snprintf(dist, sizeof dist, "%.2f/%.1f", (double)f->round_distinct / (double)f->rounds,
                 (double)f->round_feeders / (double)f->rounds);
        snprintf(wl, sizeof wl, "%u/%u", f->worst_load, f->worst_ideal);
        printf("    %-14s %5llu %7s %9s %9s %8s %10u %10s %8.2fx %6llu %6llu\n", f->name, (unsigned long long)f->gemms, mr, kr,
               lr, dist, f->worst_round, wl, (double)f->lockstep / (double)f->ideal, (unsigned long long)f->over,
               (unsigned long long)f->over_literal);
    }
}

static void run_shape(const char *model, const bert_config *bc, const char *config)
{
    const at_hw_config *cfg = at_hw_config_find(config);
    CHECK(cfg, "no configuration %s", config);
    if (!cfg)
        return;
    at_qmodel m;
    CHECK(shape_qmodel(bc, &m) == 0, "%s: out of memory", model);
    if (!m.layers)
        return;
    size_t lens[BATCH];
    for (int b = 0; b < BATCH; b++)
        lens[b] = SEQ;
    at_model_layout wl;
    at_model_layout_make(&m, &wl);
    at_act_layout al;
    memset(&al, 0, sizeof al);
    at_err err = {0};
    int rc = at_act_layout_make(&m, lens, BATCH, &al, &err);
    CHECK(rc == 0, "%s/%s: activation layout: %s", model, config, err.msg);
    /* as at_perf_run compiles (at_infer_run with its defaults): tau 0, no
     * sites, activations resident when they fit, weights loaded per stage */
    at_compile_opts co = {0, 0, 1, 2, 0, 0, 0, 0};
    at_program prog;
    memset(&prog, 0, sizeof prog);
    if (!rc) {
        rc = at_model_compile(&m, cfg, &wl, &al, lens, BATCH, &co, &prog, &err);
        CHECK(rc == 0, "%s/%s: compile: %s", model, config, err.msg);
    }
    if (!rc) {
        shape_run *s = calloc(1, sizeof *s);
        CHECK(s, "out of memory");
        if (s) {
            s->model = model;
            s->config = config;
            uint64_t gemms = 0;
            for (size_t i = 0; i < prog.num_stages; i++) {
                const at_stage *st = &prog.stages[i];
                kind_figs *f = kind_of(s, st->label);
                CHECK(f, "more than %d stage kinds", MAX_KINDS);
                for (uint32_t c = 0; f && c < st->buf.n; c++) {
                    const uint32_t *d = st->buf.cmds[c].desc;
                    if (AT_DGET(d, OPCODE) != AT_OP_GEMM)
                        continue;
                    gemm_load(cfg, s, f, st->label, c + 1, d);
                    gemms++;
                }
            }
            CHECK(gemms > 0, "%s/%s: no GEMM compiled", model, config);
            print_run(s, cfg);
            CHECK(s->violations == 0, "%s/%s: %llu chunks load a bank over 2x the port time", model, config,
                  (unsigned long long)s->violations);
            free(s);
        }
    }
    at_program_free(&prog);
    at_act_layout_free(&al);
    free(m.layers);
}

static void shapes_on(const char *config)
{
    bert_config mini = minilm_fallback;
    const char *dir = getenv("ACCELTRAN_MODEL_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/config.json", dir && *dir ? dir : "models/all-MiniLM-L6-v2");
    at_err err = {0};
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        CHECK(bert_config_load(path, &mini, &err) == 0, "%s: %s", path, err.msg);
    } else if (!strcmp(config, "edge"))
        printf("  %s not found: minilm's shape from this test (6 x 384, 12 heads, FFN 1536)\n", path);
    run_shape("minilm", &mini, config);
    const char *synth[] = {"bert-tiny", "bert-base"};
    for (int i = 0; i < 2; i++) {
        const at_synth_shape *sh = at_synth_find(synth[i]);
        CHECK(sh, "no synthetic shape %s", synth[i]);
        if (!sh)
            continue;
        bert_config bc;
        at_synth_config(sh, &bc);
        run_shape(synth[i], &bc, config);
    }
}

/* The hand count docs/rtl-compute.md quotes, through gemm_load: on edge at
 * LDA 64 (K = 1024) the 8 in-step feeders' lines, BlockRows x 64 = 1024
 * lines apart, fall in 8 distinct banks every round; at LDA 24 (K = 384)
 * some rounds share a bank. Guards the walk above against miscounting. */
static void case_hand_count(void)
{
    const at_hw_config *cfg = at_hw_config_find("edge");
    CHECK(cfg, "no edge");
    if (!cfg)
        return;
    const uint32_t ldas[2] = {64, 24};
    for (int t = 0; t < 2; t++) {
        shape_run *s = calloc(1, sizeof *s);
        CHECK(s, "out of memory");
        if (!s)
            return;
        s->model = "hand";
        s->config = "edge";
        kind_figs *f = kind_of(s, "gemm");
        uint32_t d[16] = {0};
        AT_DPUT(d, OPCODE, AT_OP_GEMM);
        AT_DPUT(d, GEMM_LDA, ldas[t]);
        AT_DPUT(d, GEMM_M, 128);
        AT_DPUT(d, GEMM_N, 16);
        AT_DPUT(d, GEMM_K, 16 * ldas[t]);
        gemm_load(cfg, s, f, "gemm", 1, d);
        CHECK(f->rounds == 16u * ldas[t] && f->round_feeders == 8u * f->rounds, "LDA %u: %llu rounds, %llu feeders",
              ldas[t], (unsigned long long)f->rounds, (unsigned long long)f->round_feeders);
        if (t == 0)
            CHECK(f->round_distinct == f->round_feeders && f->worst_load == 8 && f->worst_ideal == 16,
                  "LDA 64: %llu distinct of %llu, worst %u/%u", (unsigned long long)f->round_distinct,
                  (unsigned long long)f->round_feeders, f->worst_load, f->worst_ideal);
        else
            CHECK(f->round_distinct < f->round_feeders && f->worst_round >= 2, "LDA 24: %llu distinct of %llu",
                  (unsigned long long)f->round_distinct, (unsigned long long)f->round_feeders);
        free(s);
    }
}

static void case_edge(void)
{
    shapes_on("edge");
}

static void case_server(void)
{
    shapes_on("server");
}

int main(void)
{
    printf("act_bank_load: batch %d x %d tokens; distinct = banks per round / feeders in it; worst/port = the\n"
           "  worst chunk's most loaded bank / the fmodel's port time for it; lockstep = sum of the rounds'\n"
           "  worst banks / port time; over = chunks over 2x the port time (fail), over* = chunks over 2x\n"
           "  ceil(lines / min(R, banks)) (information: differs where a step has fewer than R blocks)\n",
           BATCH, SEQ);
    RUN_CASE(case_hand_count);
    RUN_CASE(case_edge);
    RUN_CASE(case_server);
    return check_finish("act_bank_load");
}
