/* bench_model: all-MiniLM-L6-v2 end to end on the simulated device through
 * the inference API (compiler + driver), the int16 model against the fp32
 * reference (docs/results/model.md has a committed run).
 *
 *  1. One 128-token sequence (the longest test paragraphs, truncated at
 *     128 tokens) on tiny, edge and server (fmodel) and on rtl tiny: device
 *     cycles, time at the clock, utilization (M N K / (cycles x peak)),
 *     skipped fraction, DRAM bytes, and the fmodel/rtl cycle ratio.
 *  2. Per stage kind on fmodel tiny for the 128-token sequence: share of
 *     the cycles and utilization of each kind of stage (q, k, v, scores,
 *     probs, context, attn_out, ln1, ffn_mid, ffn_out, ln2, embeddings).
 *  3. The host integer reference (at_qref, bit-identical to the device)
 *     over the 66 sentences: the calibration headroom sweep (1, 1.25, 2, 4,
 *     16) at tau 0, and one site at a time at tau 0.05 (headroom 1.25).
 *
 * The DynaTran sweep over the 66 sentences on fmodel tiny, against top-k,
 * and its claims (ln,ffn_mid at tau 0.06 among them) are bench_dynatran's.
 * Exit status 1 when the residency claim of part 1 fails.
 *
 * ACCELTRAN_BENCH_QUICK=1 skips the rtl run. One JSON line per result
 * ({"bench":"model",...}). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "at_port_cosim.h"
#include "at_qref.h"
#include "at_session.h"
#include "bert_float.h"
#include "bench_util.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static at_session *open_session(const char *backend, const char *config, size_t max_len)
{
    at_session_opts o = {.model_dir = model_dir(), .backend = backend, .config = config, .max_len = max_len};
    at_session *s = NULL;
    at_err err = {0};
    if (at_session_open(&o, &s, &err)) {
        fprintf(stderr, "bench_model: %s/%s: %s\n", backend, config, err.msg);
        return NULL;
    }
    return s;
}

static int run_opt(at_session *s, const at_batch *b, double tau, uint32_t sites, int stream, float *emb,
                   at_infer_stats *st)
{
    at_err err = {0};
    at_infer_opts io = {.tau = tau, .sites = sites, .stream = stream};
    if (at_infer_run(s->infer, (const int32_t *const *)b->ids, b->lens, b->n, &io, emb, NULL, st, &err)) {
        fprintf(stderr, "bench_model: %s/%s: %s\n", s->backend, s->config, err.msg);
        return -1;
    }
    return 0;
}

/* Cycles and utilization per kind of stage (labels "layer L <kind>"). */
static void stage_kinds(const at_infer_stats *st)
{
    static const char *const kinds[] = {"q", "k", "v", "scores", "probs", "context", "attn_out", "ln1",
                                        "ffn_mid", "ffn_out", "ln2", "embeddings"};
    printf("\n2. per stage kind (fmodel tiny, 128 tokens): kind, share of cycles, utilization\n");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        uint64_t cyc = 0, macs = 0;
        for (size_t i = 0; i < st->num_stages; i++) {
            const char *sp = strrchr(st->stages[i].label, ' ');
            int emb = !strncmp(st->stages[i].label, "embeddings", 10);
            if ((k == 11 && emb) || (k < 11 && !emb && sp && !strcmp(sp + 1, kinds[k]))) {
                cyc += st->stages[i].cycles;
                macs += st->stages[i].macs;
            }
        }
        printf("   %-10s %6.3f %6.3f\n", kinds[k], st->cycles ? (double)cyc / (double)st->cycles : 0.0,
               cyc ? (double)macs / (256.0 * (double)cyc) : 0.0);
    }
}

static int seq128(char **txt, size_t n, int quick)
{
    /* the last three paragraphs, truncated at 128 tokens */
    size_t need = 0;
    for (size_t i = n - 3; i < n; i++)
        need += strlen(txt[i]) + 1;
    char *text = malloc(need + 1);
    text[0] = 0;
    for (size_t i = n - 3; i < n; i++) {
        strcat(text, txt[i]);
        strcat(text, " ");
    }
    /* rows: backend, config, activations streamed through memory (1) or resident when they fit (0) */
    const char *cfgs[6][2] = {{"fmodel", "tiny"}, {"fmodel", "edge"}, {"fmodel", "edge"},
                              {"fmodel", "server"}, {"fmodel", "server"}, {"rtl", "tiny"}};
    const int streamed[6] = {0, 1, 0, 1, 0, 0};
    uint64_t fm_tiny = 0, edge_streamed = 0;
    int rc = 0;
    printf("\n1. one sequence of 128 tokens, tau 0 (dense)\n");
    printf("%-7s %-7s %-9s %12s %10s %8s %8s %12s %9s\n", "backend", "config", "acts", "cycles", "ms@700MHz",
           "util", "skipped", "DRAM bytes", "host s");
    for (int c = 0; c < 6; c++) {
        if (c == 5 && (quick || !at_port_cosim_available("rtl", "tiny"))) {
            printf("%-7s %-7s skipped (%s)\n", "rtl", "tiny", quick ? "ACCELTRAN_BENCH_QUICK" : "no rtl backend");
            continue;
        }
        at_session *s = open_session(cfgs[c][0], cfgs[c][1], 128);
        if (!s)
            return -1;
        at_batch b;
        at_err err = {0};
        const char *one[1] = {text};
        if (at_session_tokenize(s, one, 1, &b, &err)) {
            fprintf(stderr, "bench_model: %s\n", err.msg);
            return -1;
        }
        float emb[384];
        at_infer_stats st;
        double t0 = now_s();
        if (run_opt(s, &b, 0, AT_SITES_PAPER, streamed[c], emb, &st)) {
            rc = -1;
        } else {
            double host = now_s() - t0;
            const char *acts = st.resident ? "resident" : "streamed";
            printf("%-7s %-7s %-9s %12llu %10.3f %8.4f %8.4f %12llu %9.1f\n", cfgs[c][0], cfgs[c][1], acts,
                   (unsigned long long)st.cycles, st.device_seconds * 1e3, st.utilization, st.skipped_fraction,
                   (unsigned long long)st.dram_bytes, host);
            printf("{\"bench\":\"model\",\"part\":\"seq128\",\"backend\":\"%s\",\"config\":\"%s\",\"activations\":\"%s\","
                   "\"tokens\":%zu,\"cycles\":%llu,\"device_seconds\":%.6g,\"utilization\":%.5f,\"skipped_fraction\":%.5f,"
                   "\"dram_bytes\":%llu,\"host_seconds\":%.2f}\n",
                   cfgs[c][0], cfgs[c][1], acts, b.tokens, (unsigned long long)st.cycles, st.device_seconds,
                   st.utilization, st.skipped_fraction, (unsigned long long)st.dram_bytes, host);
            if (c == 0) {
                fm_tiny = st.cycles;
                stage_kinds(&st);
            }
            if (c == 1)
                edge_streamed = st.cycles;
            /* claim (docs/compiler.md): on edge the 128-token sequence stays on chip */
            if (c == 2 && (!st.resident || st.cycles >= edge_streamed)) {
                printf("FAIL: edge seq128 resident %d, %llu cycles against %llu streamed\n", st.resident,
                       (unsigned long long)st.cycles, (unsigned long long)edge_streamed);
                rc = -1;
            }
            if (c == 5)
                printf("fmodel/rtl cycles on tiny: %.4f; rtl simulated %.0f cycles/s\n",
                       (double)fm_tiny / (double)st.cycles, (double)st.cycles / host);
        }
        at_batch_free(&b);
        at_session_close(s);
    }
    free(text);
    return rc;
}

static double cos_mean_min(const float *a, const float *b, size_t n, double *mn)
{
    double mean = 0;
    *mn = 2;
    for (size_t i = 0; i < n; i++) {
        double d = 0;
        for (int j = 0; j < 384; j++)
            d += (double)a[i * 384 + j] * b[i * 384 + j];
        mean += d / (double)n;
        *mn = d < *mn ? d : *mn;
    }
    return mean;
}

/* Host integer reference: one site at a time, and the headroom sweep. */
static int reference_sweeps(char **txt, size_t n)
{
    static const double heads[] = {1.0, 1.25, 2.0, 4.0, 16.0};
    float *ef = malloc(n * 384 * sizeof *ef), *eq = malloc(n * 384 * sizeof *eq);
    int rc = 0;
    if (!ef || !eq)
        return -1;
    printf("\n3. host integer reference (at_qref, the device's bits), %zu sentences\n", n);
    for (size_t hi = 0; hi < sizeof heads / sizeof heads[0] && !rc; hi++) {
        at_session_opts o = {.model_dir = model_dir(), .headroom = heads[hi], .no_device = 1};
        at_session *s = NULL;
        at_err err = {0};
        at_batch b;
        if (at_session_open(&o, &s, &err) || at_session_tokenize(s, (const char *const *)txt, n, &b, &err)) {
            fprintf(stderr, "bench_model: %s\n", err.msg);
            at_session_close(s);
            rc = -1;
            break;
        }
        if (hi == 0) {
            bert_model *fm = NULL;
            if (bert_model_load(model_dir(), &fm, &err) ||
                bert_embed(fm, (const int32_t *const *)b.ids, b.lens, b.n, NULL, ef, &err)) {
                fprintf(stderr, "bench_model: float reference: %s\n", err.msg);
                rc = -1;
            }
            bert_model_free(fm);
        }
        int last = heads[hi] == 1.25 ? AT_NUM_SITES : 0; /* -1: dense; then each site alone */
        for (int si = -1; !rc && si < last; si++) {
            at_qref_result r;
            double tau = si < 0 ? 0 : 0.05;
            uint32_t mask = si < 0 ? 0 : 1u << si;
            if (at_qref_run(s->model, (const int32_t *const *)b.ids, b.lens, b.n, tau, mask, &r, &err)) {
                fprintf(stderr, "bench_model: %s\n", err.msg);
                rc = -1;
                break;
            }
            at_pool_embed(r.hidden, s->model->s_final, b.lens, b.n, 384, eq);
            double mn, mean = cos_mean_min(eq, ef, n, &mn);
            double sk = r.mac_dense ? (double)r.mac_skipped / (double)r.mac_dense : 0;
            if (si < 0)
                printf("headroom %5.2f, tau 0:            skipped %.4f  mean cos %.6f  min cos %.6f\n", heads[hi], sk,
                       mean, mn);
            else
                printf("headroom %5.2f, tau 0.05 at %-8s skipped %.4f  mean cos %.6f  min cos %.6f\n", heads[hi],
                       at_site_name((at_site)si), sk, mean, mn);
            printf("{\"bench\":\"model\",\"part\":\"reference\",\"headroom\":%g,\"tau\":%g,\"site\":\"%s\","
                   "\"skipped_fraction\":%.5f,\"mean_cos\":%.6f,\"min_cos\":%.6f}\n",
                   heads[hi], tau, si < 0 ? "none" : at_site_name((at_site)si), sk, mean, mn);
            at_qref_result_free(&r);
        }
        at_batch_free(&b);
        at_session_close(s);
    }
    free(ef);
    free(eq);
    return rc;
}

int main(void)
{
    char **txt = NULL;
    size_t n = read_lines("tests/data/sentences/eval.txt", &txt);
    if (n < 4) {
        fprintf(stderr, "bench_model: tests/data/sentences/eval.txt not found (run from the repository root)\n");
        return 1;
    }
    const char *q = getenv("ACCELTRAN_BENCH_QUICK");
    int quick = q && *q && strcmp(q, "0");
    int rc = seq128(txt, n, quick);
    if (reference_sweeps(txt, n))
        rc = -1;
    for (size_t i = 0; i < n; i++)
        free(txt[i]);
    free(txt);
    return rc ? 1 : 0;
}
