/* Top-k attention (runtime/at_topk.c, at_infer_opts.topk, at_qref_opts.topk;
 * docs/dynatran.md "Top-k"):
 *   - at_topk_row against a brute-force reference (sort by value, then by
 *     column) on seeded random rows: few distinct values (many ties),
 *     negative values, rows shorter than k, k = 0;
 *   - the pipeline with top-k on fmodel tiny gives at_qref's bits with
 *     top-k, the same per-site zeros (probs: the zeros after top-k) and the
 *     same MAC counters, with the activations streamed and resident (where
 *     the program stores and reloads the probabilities for the host);
 *   - k at least the longest row changes no bit (and, streamed, no cycle);
 *   - the host reference padded to P tokens (at_qref_opts.pad_to, used by
 *     bench_dynatran's padding figures) keeps the valid rows' bits, and
 *     its padded keys are exact zeros.
 * Under the sanitizers the random rows are fewer and two runs are left out. */
#include "infer_util.h"

#include "at_qref.h"
#include "at_topk.h"

static uint64_t g_rng;

static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng >> 16);
}

/* Brute force: column order by (value descending, column ascending); the first k stay. */
static void brute_topk(const int16_t *in, uint32_t n, uint32_t k, int16_t *out)
{
    uint32_t idx[512];
    for (uint32_t j = 0; j < n; j++)
        idx[j] = j;
    for (uint32_t a = 1; a < n; a++) /* insertion sort, stable: equal values keep column order */
        for (uint32_t b = a; b > 0 && in[idx[b]] > in[idx[b - 1]]; b--) {
            uint32_t t = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = t;
        }
    for (uint32_t j = 0; j < n; j++)
        out[j] = 0;
    for (uint32_t j = 0; j < n; j++)
        if (!k || j < k)
            out[idx[j]] = in[idx[j]];
}

static void case_select_vs_brute(void)
{
    int16_t row[512], ref[512], orig[512], scratch[512];
    int bad = 0;
    for (int it = 0; it < (IU_SANITIZED ? 800 : 4000) && bad < 3; it++) {
        uint32_t n = 1 + rnd() % (it % 4 == 0 ? 512 : 40);
        uint32_t k = rnd() % (n + 4); /* includes 0 (off) and k >= n */
        int mode = it % 4;            /* 0: probabilities, 1: few values (ties), 2: signed, 3: all equal */
        int16_t c = (int16_t)(rnd() % 100);
        for (uint32_t j = 0; j < n; j++) {
            int32_t v = mode == 0 ? (int32_t)(rnd() % 32768) >> (rnd() % 12)
                        : mode == 1 ? (int32_t)(rnd() % 4)
                        : mode == 2 ? (int32_t)(rnd() % 65536) - 32768
                                    : c;
            row[j] = orig[j] = (int16_t)v;
        }
        brute_topk(orig, n, k, ref);
        uint32_t z = at_topk_row(row, n, k, scratch), zr = 0;
        for (uint32_t j = 0; j < n; j++)
            zr += ref[j] == 0;
        for (uint32_t j = 0; j < n; j++)
            if (row[j] != ref[j]) {
                CHECK(0, "case %d (n %u, k %u, mode %d): column %u: top-k %d, brute force %d (input %d)", it, n, k,
                      mode, j, row[j], ref[j], orig[j]);
                bad++;
                break;
            }
        CHECK(z == zr, "case %d (n %u, k %u): %u zeros reported, %u in the reference", it, n, k, z, zr);
    }
    /* hand cases: ties go to the lower column; k >= n and k = 0 change nothing */
    int16_t a[6] = {5, 7, 5, 7, 5, 1};
    at_topk_row(a, 6, 3, scratch);
    CHECK(a[0] == 5 && a[1] == 7 && a[2] == 0 && a[3] == 7 && a[4] == 0 && a[5] == 0, "ties: %d %d %d %d %d %d", a[0],
          a[1], a[2], a[3], a[4], a[5]);
    int16_t b2[3] = {3, 2, 1};
    CHECK(at_topk_row(b2, 3, 3, scratch) == 0 && b2[2] == 1, "k = n changed the row");
    CHECK(at_topk_row(b2, 3, 0, scratch) == 0 && b2[2] == 1, "k = 0 changed the row");
    CHECK(at_topk_row(b2, 3, 1, scratch) == 2 && b2[0] == 3 && !b2[1] && !b2[2], "k = 1: %d %d %d", b2[0], b2[1],
          b2[2]);
}

/* Runs b with top-k on the device and at_qref; bits, zeros per site and MACs must agree. */
static void run_topk_vs_ref(at_session *s, const at_batch *b, uint32_t k, double tau, uint32_t sites, int stream,
                            at_infer_stats *st, int16_t *hid, const char *what)
{
    at_err err = {0};
    float emb[8 * 384];
    at_infer_opts io = {.tau = tau, .sites = sites, .stream = stream, .topk = k};
    int rc = at_infer_run(s->infer, (const int32_t *const *)b->ids, b->lens, b->n, &io, emb, hid, st, &err);
    CHECK(rc == 0, "%s: run: %s", what, err.msg);
    at_qref_opts qo = {.tau = tau, .sites = sites, .topk = k};
    at_qref_result r;
    int rr = at_qref_run_opts(s->model, (const int32_t *const *)b->ids, b->lens, b->n, &qo, &r, &err);
    CHECK(rr == 0, "%s: reference: %s", what, err.msg);
    if (!rc && !rr) {
        CHECK(iu_first_diff(what, hid, r.hidden, b->tokens, 384) < 0, "%s: device and host reference differ", what);
        for (int i = 0; i < AT_NUM_SITES; i++)
            CHECK(st->sites[i].elements == r.sites[i].elements && st->sites[i].zeros == r.sites[i].zeros,
                  "%s: site %s: device %llu zeros of %llu, reference %llu of %llu", what, at_site_name((at_site)i),
                  (unsigned long long)st->sites[i].zeros, (unsigned long long)st->sites[i].elements,
                  (unsigned long long)r.sites[i].zeros, (unsigned long long)r.sites[i].elements);
        CHECK(st->mac_skipped == r.mac_skipped && st->macs == r.mac_dense,
              "%s: MACs: device %llu skipped of %llu, reference %llu of %llu", what,
              (unsigned long long)st->mac_skipped, (unsigned long long)st->macs, (unsigned long long)r.mac_skipped,
              (unsigned long long)r.mac_dense);
        CHECK(k == 0 || st->topk_host_bytes > 0, "%s: no host transfer counted", what);
    }
    at_qref_result_free(&r);
}

static void case_pipeline(void)
{
    at_session *s = iu_open("fmodel", "tiny", 0);
    CHECK(s, "open");
    if (!s)
        return;
    static const char *const three[3] = {"The weather is lovely today.", "Naïve coöperation costs 3.5% more!",
                                         "He drove to the stadium."};
    static const char *const hi[1] = {"Hi"};
    at_batch b, bh;
    at_err err = {0};
    CHECK(at_session_tokenize(s, three, 3, &b, &err) == 0, "tokenize: %s", err.msg);
    CHECK(at_session_tokenize(s, hi, 1, &bh, &err) == 0, "tokenize: %s", err.msg);
    size_t lmax = 0;
    for (size_t i = 0; i < b.n; i++)
        lmax = b.lens[i] > lmax ? b.lens[i] : lmax;
    int16_t *h0 = malloc(b.tokens * 384 * sizeof *h0), *h1 = malloc(b.tokens * 384 * sizeof *h1);
    CHECK(h0 && h1, "out of memory");
    if (!h0 || !h1)
        goto out;
    at_infer_stats st0, st;
    /* streamed (3 sentences do not fit tiny's activation scratchpad) */
    run_topk_vs_ref(s, &b, 0, 0, AT_SITES_PAPER, 0, &st0, h0, "streamed, no top-k");
    CHECK(!st0.resident, "three sentences resident on tiny");
    run_topk_vs_ref(s, &b, 2, 0, AT_SITES_PAPER, 0, &st, h1, "streamed top-2");
    uint64_t want = 0; /* each row keeps at most 2 */
    for (size_t i = 0; i < b.n; i++)
        want += 6ull * 12 * b.lens[i] * (b.lens[i] > 2 ? b.lens[i] - 2 : 0);
    CHECK(st.sites[AT_SITE_PROBS].zeros >= want, "top-2: %llu probability zeros, at least %llu expected",
          (unsigned long long)st.sites[AT_SITE_PROBS].zeros, (unsigned long long)want);
    CHECK(st.mac_skipped > st0.mac_skipped, "top-2 skipped %llu MACs, none more than %llu",
          (unsigned long long)st.mac_skipped, (unsigned long long)st0.mac_skipped);
    printf("  3 sentences streamed: top-2 %llu cycles (%llu without), %llu MACs skipped (%llu), %llu host bytes\n",
           (unsigned long long)st.cycles, (unsigned long long)st0.cycles, (unsigned long long)st.mac_skipped,
           (unsigned long long)st0.mac_skipped, (unsigned long long)st.topk_host_bytes);
    /* with DynaTran at every site too (top-k after the probs' tau); not under the sanitizers (time) */
    if (!IU_SANITIZED)
        run_topk_vs_ref(s, &b, 3, 0.02, AT_SITES_ALL, 0, &st, h1, "streamed top-3, tau 0.02 everywhere");
    /* k >= the longest row: the same bits, counters and (no extra command streamed) cycles */
    run_topk_vs_ref(s, &b, (uint32_t)lmax, 0, AT_SITES_PAPER, 0, &st, h1, "streamed top-lmax");
    CHECK(iu_first_diff("top-lmax against no top-k", h1, h0, b.tokens, 384) < 0, "k = %zu changed the bits", lmax);
    CHECK(st.cycles == st0.cycles && st.mac_skipped == st0.mac_skipped &&
              st.sites[AT_SITE_PROBS].zeros == st0.sites[AT_SITE_PROBS].zeros,
          "k = %zu: %llu cycles, %llu skipped against %llu, %llu", lmax, (unsigned long long)st.cycles,
          (unsigned long long)st.mac_skipped, (unsigned long long)st0.cycles, (unsigned long long)st0.mac_skipped);
    /* resident ("Hi", 3 tokens): the probabilities are stored and reloaded for the host */
    at_infer_stats r0, r1;
    run_topk_vs_ref(s, &bh, 0, 0, AT_SITES_PAPER, 0, &r0, h0, "resident, no top-k");
    run_topk_vs_ref(s, &bh, 1, 0, AT_SITES_PAPER, 0, &r1, h1, "resident top-1");
    CHECK(r0.resident && r1.resident, "Hi not resident (%d, %d)", r0.resident, r1.resident);
    /* per layer: one STORE of 12 heads x 3 rows x 3 columns (2 bytes each, strobed), 12 LOADs of 3
     * rows (a 32-byte beat per row), 13 descriptors of 64 bytes (docs/isa.md, CNT_MEM_*_BYTES) */
    const uint64_t extra = 6ull * (12 * 3 * 3 * 2 + 12 * 3 * 32 + 13 * 64);
    CHECK(r1.dram_bytes == r0.dram_bytes + extra, "resident top-1: %llu DRAM bytes against %llu + %llu",
          (unsigned long long)r1.dram_bytes, (unsigned long long)r0.dram_bytes, (unsigned long long)extra);
    run_topk_vs_ref(s, &bh, 3, 0, AT_SITES_PAPER, 0, &r1, h1, "resident top-3");
    CHECK(iu_first_diff("resident top-3 against no top-k", h1, h0, bh.tokens, 384) < 0, "k = 3 changed Hi's bits");
    printf("  Hi resident: %llu cycles, %llu DRAM bytes; with the host pass %llu cycles, %llu bytes\n",
           (unsigned long long)r0.cycles, (unsigned long long)r0.dram_bytes, (unsigned long long)r1.cycles,
           (unsigned long long)r1.dram_bytes);
    /* padded host reference: valid rows keep their bits, padded keys are zeros */
    for (int k = 0; k < (IU_SANITIZED ? 1 : 2); k++) {
        at_qref_opts po = {.topk = k ? 2 : 0, .pad_to = 32}, uo = {.topk = k ? 2 : 0};
        at_qref_result rp, ru;
        int a = at_qref_run_opts(s->model, (const int32_t *const *)b.ids, b.lens, b.n, &po, &rp, &err);
        CHECK(a == 0, "padded reference: %s", err.msg);
        int c = at_qref_run_opts(s->model, (const int32_t *const *)b.ids, b.lens, b.n, &uo, &ru, &err);
        CHECK(c == 0, "reference: %s", err.msg);
        if (!a && !c) {
            CHECK(iu_first_diff("padded to 32 against packed", rp.hidden, ru.hidden, b.tokens, 384) < 0,
                  "padding changed the valid rows (top-k %d)", k ? 2 : 0);
            uint64_t known = 0;
            for (size_t i = 0; i < b.n; i++)
                known += 6ull * 12 * 32 * (32 - b.lens[i]);
            CHECK(rp.sites[AT_SITE_PROBS].elements == 6ull * 12 * 32 * 32 * b.n &&
                      rp.sites[AT_SITE_PROBS].zeros >= known + ru.sites[AT_SITE_PROBS].zeros,
                  "padded probs: %llu zeros of %llu; %llu padded keys + %llu", (unsigned long long)rp.sites[AT_SITE_PROBS].zeros,
                  (unsigned long long)rp.sites[AT_SITE_PROBS].elements, (unsigned long long)known,
                  (unsigned long long)ru.sites[AT_SITE_PROBS].zeros);
            CHECK(rp.sites[AT_SITE_FFN_MID].elements == 32ull * 1536 * 6 * b.n, "padded ffn_mid elements %llu",
                  (unsigned long long)rp.sites[AT_SITE_FFN_MID].elements);
        }
        at_qref_result_free(&rp);
        at_qref_result_free(&ru);
    }
    at_qref_opts bad = {.pad_to = 4};
    at_qref_result rb;
    CHECK(at_qref_run_opts(s->model, (const int32_t *const *)b.ids, b.lens, b.n, &bad, &rb, &err) == AT_EINVAL &&
              strstr(err.msg, "padding"),
          "padding shorter than a sequence: %s", err.msg);
out:
    free(h0);
    free(h1);
    at_batch_free(&b);
    at_batch_free(&bh);
    at_session_close(s);
}

int main(void)
{
    g_rng = check_seed("e2e_topk", 0x70b4c0ffee11ull);
    if (!g_rng)
        g_rng = 1;
    RUN_CASE(case_select_vs_brute);
    RUN_CASE(case_pipeline);
    return check_finish("e2e_topk");
}
