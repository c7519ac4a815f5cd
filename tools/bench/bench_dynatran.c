/* bench_dynatran: DynaTran against top-k attention in the integer pipeline
 * (docs/dynatran.md; committed run: docs/results/dynatran-topk.md).
 *
 * The 66 sentences of tests/data/sentences/eval.txt (kept apart from the
 * calibration set: tests/runtime/test_eval_set) as one packed batch, no
 * padding, on fmodel tiny through the inference API (compiler + driver):
 *   - DynaTran, tau in {0, 0.005, 0.01, 0.02, 0.05, 0.1} at the paper's
 *     sites (all but ln) and at ln,ffn_mid (plus ln,ffn_mid tau 0.06);
 *   - top-k, k in {1, 2, 4, 8, 16, 32}, probabilities only (tau 0), and
 *     k 8 on top of ln,ffn_mid tau 0.06;
 * each: the MAC-weighted skipped fraction (CNT_MAC_SKIPPED / (ISSUED +
 * SKIPPED)), zeros per site and per layer (the device's counters; probs
 * with top-k: the host's count after top-k), mean and minimum cosine of
 * each sentence's int16 embedding to its fp32 one (bert_float), the error
 * of the 66 x 66 cosine-similarity matrix against the fp32 one (max and
 * mean |difference| over the 2145 pairs i < j), device cycles and their
 * ratio to tau 0 (and DRAM bytes, and for top-k the bytes the host moved).
 *
 * Padding (AccelTran pads every sequence to 512 tokens): for every point
 * and P in {128, 512}, the zeros per site a padded run would count, as
 * exact bounds derived from the sequence lengths (the valid rows do not
 * change; padded keys get probability exactly 0 in every row; what padded
 * query rows hold is only bounded), and measured on the host integer
 * reference (at_qref padded to P: the device's operations on padded
 * sequences with the keys masked) for P = 128 at tau 0 and at ln,ffn_mid
 * tau 0.06; ACCELTRAN_BENCH_PAD512=1 measures P = 512 too (about 25 times
 * the work of the packed run per point).
 *
 * The runs go to ACCELTRAN_BENCH_JOBS worker threads (default: the CPUs),
 * each with its own session; the output is in a fixed order.
 *
 * Exit status 1 unless the claims of docs/dynatran.md hold (claims()). One
 * JSON line per result ({"bench":"dynatran","kind":"point"|"sparsity"|
 * "padding",...}), a table on the other lines. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "at_qref.h"
#include "at_session.h"
#include "bert_float.h"
#include "bench_util.h"

#define H 384
#define MAX_LAYERS 64

typedef struct point {
    /* what */
    const char *method; /* "tau" | "topk" */
    const char *sites;  /* "paper" | "ln,ffn_mid" | "probs" */
    double tau;
    uint32_t k;
    uint32_t pad_to;    /* 0: the device run; P: the host reference padded to P (measured padding) */
    /* results */
    int rc;
    char err[sizeof(((at_err *)0)->msg) + 16];
    double skipped, mean_cos, min_cos, sim_max, sim_mean, seconds;
    uint64_t cycles, dram_bytes, host_bytes, macs, mac_skipped;
    at_site_count site[AT_NUM_SITES];
    at_site_count layer[AT_NUM_SITES][MAX_LAYERS + 1]; /* [site][layer + 1]; ln: both layer-norms of a layer */
    int16_t *hidden;                                 /* the last hidden states (T x H), for the padding check */
    float *emb;
} point;

typedef struct shared {
    point *pts;
    size_t npts, next;
    pthread_mutex_t mu;
    const at_batch *b;
    const float *ef;     /* fp32 embeddings */
    const double *simf;  /* fp32 similarity matrix */
    const char *model_dir;
} shared;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0");
}

/* Cosines to float and the similarity-matrix error of embeddings e. */
static void fidelity(point *p, const shared *sh, const float *e)
{
    size_t n = sh->b->n;
    double mean = 0, mn = 2;
    for (size_t i = 0; i < n; i++) {
        double d = 0;
        for (int j = 0; j < H; j++)
            d += (double)e[i * H + j] * sh->ef[i * H + j];
        mean += d / (double)n;
        mn = d < mn ? d : mn;
    }
    double smax = 0, ssum = 0;
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double d = 0;
            for (int c = 0; c < H; c++)
                d += (double)e[i * H + c] * e[j * H + c];
            double err = fabs(d - sh->simf[i * n + j]);
            smax = err > smax ? err : smax;
            ssum += err;
            pairs++;
        }
    p->mean_cos = mean;
    p->min_cos = mn;
    p->sim_max = smax;
    p->sim_mean = pairs ? ssum / (double)pairs : 0;
}

static int run_device(point *p, const shared *sh, at_session *s)
{
    const at_batch *b = sh->b;
    uint32_t mask;
    at_err err = {0};
    if (at_sites_parse(p->sites, &mask, &err))
        return snprintf(p->err, sizeof p->err, "%s", err.msg), -1;
    p->emb = malloc(b->n * H * sizeof *p->emb);
    p->hidden = malloc(b->tokens * H * sizeof *p->hidden);
    if (!p->emb || !p->hidden)
        return snprintf(p->err, sizeof p->err, "out of memory"), -1;
    at_infer_opts io = {.tau = p->tau, .sites = mask, .topk = p->k};
    at_infer_stats st;
    if (at_infer_run(s->infer, (const int32_t *const *)b->ids, b->lens, b->n, &io, p->emb, p->hidden, &st, &err))
        return snprintf(p->err, sizeof p->err, "%s", err.msg), -1;
    p->skipped = st.skipped_fraction;
    p->cycles = st.cycles;
    p->dram_bytes = st.dram_bytes;
    p->host_bytes = st.topk_host_bytes;
    p->macs = st.macs;
    p->mac_skipped = st.mac_skipped;
    memcpy(p->site, st.sites, sizeof p->site);
    for (size_t i = 0; i < st.num_stages; i++) {
        const at_stage_stats *ss = &st.stages[i];
        if (!ss->counted || ss->site < 0 || ss->site >= AT_NUM_SITES || ss->layer < -1 || ss->layer >= MAX_LAYERS)
            continue;
        p->layer[ss->site][ss->layer + 1].elements += ss->elements;
        p->layer[ss->site][ss->layer + 1].zeros += ss->zeros;
    }
    fidelity(p, sh, p->emb);
    return 0;
}

static int run_padded(point *p, const shared *sh, at_session *s)
{
    const at_batch *b = sh->b;
    uint32_t mask;
    at_err err = {0};
    if (at_sites_parse(p->sites, &mask, &err))
        return snprintf(p->err, sizeof p->err, "%s", err.msg), -1;
    at_qref_opts qo = {.tau = p->tau, .sites = mask, .topk = p->k, .pad_to = p->pad_to};
    at_qref_result r;
    if (at_qref_run_opts(s->model, (const int32_t *const *)b->ids, b->lens, b->n, &qo, &r, &err))
        return snprintf(p->err, sizeof p->err, "%s", err.msg), -1;
    memcpy(p->site, r.sites, sizeof p->site);
    p->macs = r.mac_dense;
    p->mac_skipped = r.mac_skipped;
    p->skipped = r.mac_dense ? (double)r.mac_skipped / (double)r.mac_dense : 0;
    p->hidden = r.hidden; /* the valid rows, packed */
    p->emb = malloc(b->n * H * sizeof *p->emb);
    if (!p->emb)
        return snprintf(p->err, sizeof p->err, "out of memory"), -1;
    at_pool_embed(p->hidden, s->model->s_final, b->lens, b->n, H, p->emb);
    fidelity(p, sh, p->emb);
    return 0;
}

static void *worker(void *arg)
{
    shared *sh = arg;
    at_session *s = NULL;
    at_session_opts o = {.model_dir = sh->model_dir, .backend = "fmodel", .config = "tiny", .max_len = 256,
                         .threads = 1};
    at_err err = {0};
    int open_rc = at_session_open(&o, &s, &err);
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        size_t i = sh->next++;
        pthread_mutex_unlock(&sh->mu);
        if (i >= sh->npts)
            break;
        point *p = &sh->pts[i];
        if (open_rc) {
            p->rc = -1;
            snprintf(p->err, sizeof p->err, "session: %s", err.msg);
            continue;
        }
        double t0 = now_s();
        p->rc = p->pad_to ? run_padded(p, sh, s) : run_device(p, sh, s);
        p->seconds = now_s() - t0;
    }
    at_session_close(s);
    return NULL;
}

static double frac(uint64_t z, uint64_t e)
{
    return e ? (double)z / (double)e : 0.0;
}

/* The figures of a point's padded run that follow exactly from the packed
 * run and the lengths: elements, and zeros between zmin and zmax. */
static void derive_padding(const point *p, const at_batch *b, uint32_t P, int site, int layers, int heads,
                           uint64_t *elements, uint64_t *zmin, uint64_t *zmax)
{
    uint64_t T = b->tokens, n = b->n, pad_rows = 0, known = 0, pad_valid = 0, pad_valid_kept = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t L = b->lens[i], k = p->k && p->k < L ? p->k : L;
        pad_rows += P - L;
        known += (uint64_t)P * (P - L);          /* valid and padded rows x padded keys: probability 0 */
        pad_valid += (P - L) * L;                /* padded rows x valid keys: not known */
        pad_valid_kept += (P - L) * k;           /* of those, top-k keeps at most k per row */
    }
    const at_site_count *c = &p->site[site];
    uint64_t c_att = (uint64_t)layers * heads;
    if (site == AT_SITE_SCORES || site == AT_SITE_PROBS) {
        *elements = c_att * n * P * P;
        if (site == AT_SITE_PROBS) {
            *zmin = c->zeros + c_att * (known + (pad_valid - pad_valid_kept));
            *zmax = c->zeros + c_att * (known + pad_valid);
        } else { /* padded keys' scores are computed values (the mask acts in the softmax) */
            *zmin = c->zeros;
            *zmax = c->zeros + *elements - c->elements;
        }
        return;
    }
    uint64_t per_row = T ? c->elements / T : 0; /* row-wise sites: elements = T x width (x instances) */
    *elements = per_row * n * P;
    *zmin = c->zeros;
    *zmax = c->zeros + per_row * pad_rows;
}

static void add_point(point *v, size_t *n, const char *method, const char *sites, double tau, uint32_t k,
                      uint32_t pad_to)
{
    point *p = &v[(*n)++];
    memset(p, 0, sizeof *p);
    p->method = method;
    p->sites = sites;
    p->tau = tau;
    p->k = k;
    p->pad_to = pad_to;
}

static const point *find(const point *v, size_t n, const char *method, const char *sites, double tau, uint32_t k,
                         uint32_t pad_to)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].method, method) && !strcmp(v[i].sites, sites) && fabs(v[i].tau - tau) < 1e-12 &&
            v[i].k == k && v[i].pad_to == pad_to && !v[i].rc)
            return &v[i];
    return NULL;
}

int main(void)
{
    char **txt = NULL;
    size_t n = read_lines("tests/data/sentences/eval.txt", &txt);
    if (n < 64) {
        fprintf(stderr, "bench_dynatran: tests/data/sentences/eval.txt not found or short (run from the repository root)\n");
        return 1;
    }
    double t_start = now_s();
    at_session_opts o = {.model_dir = model_dir(), .no_device = 1, .max_len = 256};
    at_session *s0 = NULL;
    at_err err = {0};
    at_batch b;
    if (at_session_open(&o, &s0, &err) || at_session_tokenize(s0, (const char *const *)txt, n, &b, &err)) {
        fprintf(stderr, "bench_dynatran: %s\n", err.msg);
        return 1;
    }
    const int layers = s0->model->cfg.layers, heads = s0->model->cfg.heads;
    float *ef = malloc(n * H * sizeof *ef);
    double *simf = malloc(n * n * sizeof *simf);
    bert_model *fm = NULL;
    if (!ef || !simf || bert_model_load(model_dir(), &fm, &err) ||
        bert_embed(fm, (const int32_t *const *)b.ids, b.lens, b.n, NULL, ef, &err)) {
        fprintf(stderr, "bench_dynatran: float reference: %s\n", err.msg);
        return 1;
    }
    bert_model_free(fm);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double d = 0;
            for (int c = 0; c < H; c++)
                d += (double)ef[i * H + c] * ef[j * H + c];
            simf[i * n + j] = d;
        }
    size_t lmax = 0, lmin = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        lmax = b.lens[i] > lmax ? b.lens[i] : lmax;
        lmin = b.lens[i] < lmin ? b.lens[i] : lmin;
    }

    /* the points, slowest (padded reference) first so that the threads end together */
    static const double taus[] = {0.005, 0.01, 0.02, 0.05, 0.1};
    static const uint32_t ks[] = {1, 2, 4, 8, 16, 32};
    const int pad512 = env_flag("ACCELTRAN_BENCH_PAD512");
    point pts[48];
    size_t np = 0;
    if (pad512) {
        add_point(pts, &np, "tau", "paper", 0, 0, 512);
        add_point(pts, &np, "tau", "ln,ffn_mid", 0.06, 0, 512);
    }
    add_point(pts, &np, "tau", "paper", 0, 0, 128);
    add_point(pts, &np, "tau", "ln,ffn_mid", 0.06, 0, 128);
    add_point(pts, &np, "tau", "paper", 0, 0, 0); /* tau 0: only exact zeros, whatever the sites */
    for (int li = 0; li < 2; li++)
        for (size_t t = 0; t < sizeof taus / sizeof taus[0]; t++)
            add_point(pts, &np, "tau", li ? "ln,ffn_mid" : "paper", taus[t], 0, 0);
    add_point(pts, &np, "tau", "ln,ffn_mid", 0.06, 0, 0);
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++)
        add_point(pts, &np, "topk", "probs", 0, ks[t], 0);
    add_point(pts, &np, "topk", "ln,ffn_mid", 0.06, 8, 0);

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const char *jv = getenv("ACCELTRAN_BENCH_JOBS");
    long jobs = jv && *jv ? strtol(jv, NULL, 10) : cpus;
    if (jobs < 1)
        jobs = 1;
    if (jobs > 16)
        jobs = 16;
    shared sh = {.pts = pts, .npts = np, .b = &b, .ef = ef, .simf = simf, .model_dir = model_dir()};
    pthread_mutex_init(&sh.mu, NULL);
    pthread_t th[16];
    long started = 0;
    for (long i = 0; i < jobs; i++, started++)
        if (pthread_create(&th[i], NULL, worker, &sh))
            break;
    if (!started)
        worker(&sh);
    for (long i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&sh.mu);

    int rc = 0;
    for (size_t i = 0; i < np; i++)
        if (pts[i].rc) {
            fprintf(stderr, "bench_dynatran: %s %s tau %g k %u pad %u: %s\n", pts[i].method, pts[i].sites, pts[i].tau,
                    pts[i].k, pts[i].pad_to, pts[i].err);
            rc = 1;
        }
    const point *p0 = find(pts, np, "tau", "paper", 0, 0, 0);
    if (!p0) {
        fprintf(stderr, "bench_dynatran: the tau 0 run failed\n");
        return 1;
    }

    printf("DynaTran against top-k: %zu sentences, %zu tokens (%zu to %zu per sentence), one packed batch, no padding, "
           "fmodel tiny, %ld worker threads\n",
           n, b.tokens, lmin, lmax, started ? started : 1);
    printf("%-6s %-11s %6s %3s %8s %9s %9s %9s %9s %12s %7s %9s\n", "method", "sites", "tau", "k", "skipped",
           "mean cos", "min cos", "sim max", "sim mean", "cycles", "vs 0", "probs 0s");
    /* the table and the point / sparsity lines; tau 0 is printed for both site lists */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < np; i++) {
            const point *p = &pts[i];
            if (p->rc || p->pad_to)
                continue;
            int first_dense = p == p0;
            if (pass == 1 && !first_dense)
                continue;
            const char *sites = pass == 1 ? "ln,ffn_mid" : p->sites;
            double ratio = (double)p->cycles / (double)p0->cycles;
            printf("%-6s %-11s %6.3f %3u %8.4f %9.5f %9.5f %9.5f %9.5f %12llu %7.4f %9.4f\n", p->method, sites, p->tau,
                   p->k, p->skipped, p->mean_cos, p->min_cos, p->sim_max, p->sim_mean, (unsigned long long)p->cycles,
                   ratio, frac(p->site[AT_SITE_PROBS].zeros, p->site[AT_SITE_PROBS].elements));
            printf("{\"bench\":\"dynatran\",\"kind\":\"point\",\"method\":\"%s\",\"sites\":\"%s\",\"tau\":%g,\"k\":%u,"
                   "\"skipped\":%.6f,\"mean_cos\":%.6f,\"min_cos\":%.6f,\"sim_err_max\":%.6f,\"sim_err_mean\":%.6f,"
                   "\"cycles\":%llu,\"cycles_ratio\":%.5f,\"sentences\":%zu,\"tokens\":%zu,\"macs\":%llu,"
                   "\"mac_skipped\":%llu,\"dram_bytes\":%llu,\"topk_host_bytes\":%llu,\"config\":\"tiny\","
                   "\"backend\":\"fmodel\"}\n",
                   p->method, sites, p->tau, p->k, p->skipped, p->mean_cos, p->min_cos, p->sim_max, p->sim_mean,
                   (unsigned long long)p->cycles, ratio, n, b.tokens, (unsigned long long)p->macs,
                   (unsigned long long)p->mac_skipped, (unsigned long long)p->dram_bytes,
                   (unsigned long long)p->host_bytes);
            for (int st = 0; st < AT_NUM_SITES; st++)
                for (int l = -1; l < layers && l < MAX_LAYERS; l++) {
                    const at_site_count *c = &p->layer[st][l + 1];
                    if (!c->elements)
                        continue;
                    printf("{\"bench\":\"dynatran\",\"kind\":\"sparsity\",\"method\":\"%s\",\"sites\":\"%s\",\"tau\":%g,"
                           "\"k\":%u,\"site\":\"%s\",\"layer\":%d,\"zeros\":%llu,\"elements\":%llu}\n",
                           p->method, sites, p->tau, p->k, at_site_name((at_site)st), l, (unsigned long long)c->zeros,
                           (unsigned long long)c->elements);
                }
        }

    /* sparsity per site, whole model, of a few points */
    printf("\nzeros per site (fraction of the site's outputs, all layers)\n%-6s %-11s %6s %3s", "method", "sites", "tau",
           "k");
    for (int st = 0; st < AT_NUM_SITES; st++)
        printf(" %8s", at_site_name((at_site)st));
    printf("\n");
    for (size_t i = 0; i < np; i++) {
        const point *p = &pts[i];
        if (p->rc || p->pad_to)
            continue;
        printf("%-6s %-11s %6.3f %3u", p->method, p->sites, p->tau, p->k);
        for (int st = 0; st < AT_NUM_SITES; st++)
            printf(" %8.4f", frac(p->site[st].zeros, p->site[st].elements));
        printf("\n");
    }

    /* padding */
    static const uint32_t pads[2] = {128, 512};
    printf("\npadding: zeros per site if every sequence were padded to P tokens (keys masked) and the padded "
           "positions counted\n");
    printf("derived: exact bounds from the packed run and the lengths; measured: the host integer reference run "
           "padded\n");
    printf("%-6s %-11s %6s %3s %-8s %9s %9s %9s %9s %9s %9s\n", "method", "sites", "tau", "k", "site", "unpadded",
           "128 min", "128 max", "128 meas", "512 min", "512 max");
    int pad_ok = 1, pad_checked = 0;
    for (size_t i = 0; i < np; i++) {
        const point *p = &pts[i];
        if (p->rc || p->pad_to)
            continue;
        for (int st = 0; st < AT_NUM_SITES; st++) {
            uint64_t el[2], lo[2], hi[2];
            for (int pi = 0; pi < 2; pi++)
                derive_padding(p, &b, pads[pi], st, layers, heads, &el[pi], &lo[pi], &hi[pi]);
            const point *m128 = find(pts, np, p->method, p->sites, p->tau, p->k, 128);
            const point *m512 = find(pts, np, p->method, p->sites, p->tau, p->k, 512);
            const point *ms[2] = {m128, m512};
            for (int pi = 0; pi < 2; pi++) {
                printf("{\"bench\":\"dynatran\",\"kind\":\"padding\",\"how\":\"derived\",\"method\":\"%s\",\"sites\":"
                       "\"%s\",\"tau\":%g,\"k\":%u,\"site\":\"%s\",\"pad_to\":%u,\"zeros_unpadded\":%llu,"
                       "\"elements_unpadded\":%llu,\"zeros_min\":%llu,\"zeros_max\":%llu,\"elements\":%llu,"
                       "\"sparsity_unpadded\":%.6f,\"sparsity_min\":%.6f,\"sparsity_max\":%.6f}\n",
                       p->method, p->sites, p->tau, p->k, at_site_name((at_site)st), pads[pi],
                       (unsigned long long)p->site[st].zeros, (unsigned long long)p->site[st].elements,
                       (unsigned long long)lo[pi], (unsigned long long)hi[pi], (unsigned long long)el[pi],
                       frac(p->site[st].zeros, p->site[st].elements), frac(lo[pi], el[pi]), frac(hi[pi], el[pi]));
                const point *m = ms[pi];
                if (!m)
                    continue;
                const at_site_count *c = &m->site[st];
                printf("{\"bench\":\"dynatran\",\"kind\":\"padding\",\"how\":\"measured\",\"method\":\"%s\",\"sites\":"
                       "\"%s\",\"tau\":%g,\"k\":%u,\"site\":\"%s\",\"pad_to\":%u,\"zeros\":%llu,\"elements\":%llu,"
                       "\"sparsity\":%.6f,\"sparsity_unpadded\":%.6f,\"skipped\":%.6f,\"backend\":\"at_qref\"}\n",
                       p->method, p->sites, p->tau, p->k, at_site_name((at_site)st), pads[pi],
                       (unsigned long long)c->zeros, (unsigned long long)c->elements, frac(c->zeros, c->elements),
                       frac(p->site[st].zeros, p->site[st].elements), m->skipped);
                /* the measurement lies inside the derived bounds, element counts agree */
                pad_checked++;
                if (c->elements != el[pi] || c->zeros < lo[pi] || c->zeros > hi[pi]) {
                    printf("FAIL: padded to %u, %s: measured %llu zeros of %llu outside the derived [%llu, %llu] of "
                           "%llu\n",
                           pads[pi], at_site_name((at_site)st), (unsigned long long)c->zeros,
                           (unsigned long long)c->elements, (unsigned long long)lo[pi], (unsigned long long)hi[pi],
                           (unsigned long long)el[pi]);
                    pad_ok = 0;
                }
            }
            if (p == p0 || m128 || !strcmp(p->method, "topk") || (p->tau == 0.06 && !strcmp(p->sites, "ln,ffn_mid")))
                if (st == AT_SITE_PROBS || m128) {
                    char meas[16] = "-";
                    if (m128)
                        snprintf(meas, sizeof meas, "%.4f", frac(m128->site[st].zeros, m128->site[st].elements));
                    printf("%-6s %-11s %6.3f %3u %-8s %9.4f %9.4f %9.4f %9s %9.4f %9.4f\n", p->method, p->sites, p->tau,
                           p->k, at_site_name((at_site)st), frac(p->site[st].zeros, p->site[st].elements),
                           frac(lo[0], el[0]), frac(hi[0], el[0]), meas, frac(lo[1], el[1]), frac(hi[1], el[1]));
                }
        }
    }
    /* the padded reference gives the device's embeddings bit for bit (the valid rows do not change) */
    for (size_t i = 0; i < np; i++) {
        const point *m = &pts[i];
        if (m->rc || !m->pad_to)
            continue;
        const point *d = find(pts, np, m->method, m->sites, m->tau, m->k, 0);
        if (!d || memcmp(d->hidden, m->hidden, b.tokens * H * sizeof *m->hidden)) {
            printf("FAIL: the reference padded to %u (%s tau %g) does not give the device's hidden states\n",
                   m->pad_to, m->sites, m->tau);
            pad_ok = 0;
        }
        printf("padded to %u, %s tau %g: skipped fraction %.4f (unpadded %.4f); valid rows identical to the device's: "
               "%s\n",
               m->pad_to, m->sites, m->tau, m->skipped, d ? d->skipped : 0.0,
               d && !memcmp(d->hidden, m->hidden, b.tokens * H * sizeof *m->hidden) ? "yes" : "no");
    }
    if (!pad_checked)
        pad_ok = 0;

    /* the claims (docs/dynatran.md) */
    printf("\nclaims\n");
    const point *best = find(pts, np, "tau", "ln,ffn_mid", 0.06, 0, 0);
    int ok1 = best && best->skipped >= 0.15 && best->mean_cos >= 0.99 &&
              (double)best->cycles / (double)p0->cycles <= 1 - 0.5 * best->skipped;
    if (best)
        printf("1. ln,ffn_mid tau 0.06: skipped %.4f >= 0.15, mean cosine %.5f >= 0.99, cycles %.4f x tau 0 <= %.4f: "
               "%s\n",
               best->skipped, best->mean_cos, (double)best->cycles / (double)p0->cycles, 1 - 0.5 * best->skipped,
               ok1 ? "holds" : "FAILS");
    /* 2. DynaTran at ln,ffn_mid dominates top-k: for every k there is a tau at least as sparse, with at
     *    least the same mean and minimum cosine, in fewer cycles */
    int ok2 = 1;
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        const point *q = find(pts, np, "topk", "probs", 0, ks[t], 0);
        const point *w = NULL;
        for (size_t i = 0; q && i < np; i++) {
            const point *c = &pts[i];
            if (c->rc || c->pad_to || strcmp(c->method, "tau") || strcmp(c->sites, "ln,ffn_mid") || c->tau <= 0)
                continue;
            if (c->skipped >= q->skipped && c->mean_cos >= q->mean_cos && c->min_cos >= q->min_cos &&
                c->cycles <= q->cycles && (!w || c->tau < w->tau))
                w = c;
        }
        if (!q || !w)
            ok2 = 0;
        if (q)
            printf("2. top-%u: skipped %.4f, mean cos %.5f, min %.5f, %llu cycles; %s\n", ks[t], q->skipped,
                   q->mean_cos, q->min_cos, (unsigned long long)q->cycles, w ? "dominated by" : "NOT dominated");
        if (w)
            printf("   ln,ffn_mid tau %g: skipped %.4f, mean cos %.5f, min %.5f, %llu cycles\n", w->tau, w->skipped,
                   w->mean_cos, w->min_cos, (unsigned long long)w->cycles);
    }
    printf("2. DynaTran at ln,ffn_mid dominates top-k at every k (skipped, mean and min cosine, cycles): %s\n",
           ok2 ? "holds" : "FAILS");
    /* 3. top-k alone cannot skip more than the P x V share of the MACs */
    const point *k1 = find(pts, np, "topk", "probs", 0, 1, 0);
    int ok3 = k1 && best && k1->skipped < best->skipped;
    if (k1)
        printf("3. top-1 skips %.4f of the MACs (P x V only), below DynaTran ln,ffn_mid tau 0.06's %.4f: %s\n",
               k1->skipped, best ? best->skipped : 0.0, ok3 ? "holds" : "FAILS");
    printf("4. padding: %d measured figures inside their derived bounds, the padded reference's valid rows equal to "
           "the device's: %s\n",
           pad_checked, pad_ok ? "holds" : "FAILS");
    if (!ok1 || !ok2 || !ok3 || !pad_ok)
        rc = 1;
    double busy = 0;
    for (size_t i = 0; i < np; i++)
        busy += pts[i].seconds;
    printf("bench_dynatran: %zu runs, %.0f s of runs on %ld threads, %.0f s wall\n", np, busy, started ? started : 1,
           now_s() - t_start);

    for (size_t i = 0; i < np; i++) {
        free(pts[i].hidden);
        free(pts[i].emb);
    }
    free(ef);
    free(simf);
    at_batch_free(&b);
    at_session_close(s0);
    for (size_t i = 0; i < n; i++)
        free(txt[i]);
    free(txt);
    return rc;
}
