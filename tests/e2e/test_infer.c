/* The encoder end to end on the fmodel backend, through the compiler, the
 * inference API and the driver (docs/compiler.md):
 *   - the device's last hidden states equal the host integer reference
 *     (at_qref) bit for bit, on tiny, edge and server, dense and with
 *     DynaTran at every site, with the per-site zero counts from the
 *     hardware counters equal to the reference's;
 *   - the demo sentences give the published similarity matrix within 0.005;
 *   - every sentence of tests/data/sentences/eval.txt (66, 3 to 128 tokens)
 *     has cosine >= 0.999 to the float reference at tau 0;
 *   - a stage that fails on the device (a bus error injected in the
 *     weights of layer 2's FFN) returns an error naming the layer, stage and
 *     command, and the next run is right.
 * Under the sanitizers the 66-sentence set is cut to its first 6. */
#include "infer_util.h"

#include "acceltran_cosim.h"
#include "at_port_cosim.h"
#include "at_qref.h"

/* Runs b on s and checks the hidden states against at_qref. */
static void run_vs_ref_opt(at_session *s, const at_batch *b, double tau, uint32_t sites, int stream, float *emb,
                           at_infer_stats *st, const char *what)
{
    at_err err = {0};
    int16_t *hid = malloc(b->tokens * 384 * sizeof *hid);
    CHECK(hid, "out of memory");
    if (!hid)
        return;
    at_infer_opts io = {.tau = tau, .sites = sites, .stream = stream};
    int rc = at_infer_run(s->infer, (const int32_t *const *)b->ids, b->lens, b->n, &io, emb, hid, st, &err);
    CHECK(rc == 0, "%s: run: %s", what, err.msg);
    at_qref_result r;
    int rr = at_qref_run(s->model, (const int32_t *const *)b->ids, b->lens, b->n, tau, sites, &r, &err);
    CHECK(rr == 0, "%s: reference: %s", what, err.msg);
    if (!rc && !rr) {
        long d = iu_first_diff(what, hid, r.hidden, b->tokens, 384);
        CHECK(d < 0, "%s: device and host reference differ", what);
        if (st)
            for (int i = 0; i < AT_NUM_SITES; i++) {
                CHECK(st->sites[i].elements == r.sites[i].elements && st->sites[i].zeros == r.sites[i].zeros,
                      "%s: site %s: device %llu zeros of %llu, reference %llu of %llu", what,
                      at_site_name((at_site)i), (unsigned long long)st->sites[i].zeros,
                      (unsigned long long)st->sites[i].elements, (unsigned long long)r.sites[i].zeros,
                      (unsigned long long)r.sites[i].elements);
            }
        if (st)
            CHECK(st->mac_skipped == r.mac_skipped && st->macs == r.mac_dense,
                  "%s: MACs: device %llu skipped of %llu, reference %llu of %llu", what,
                  (unsigned long long)st->mac_skipped, (unsigned long long)st->macs,
                  (unsigned long long)r.mac_skipped, (unsigned long long)r.mac_dense);
    }
    at_qref_result_free(&r);
    free(hid);
}

static void run_vs_ref(at_session *s, const at_batch *b, double tau, uint32_t sites, float *emb,
                       at_infer_stats *st, const char *what)
{
    run_vs_ref_opt(s, b, tau, sites, 0, emb, st, what);
}

/* One fmodel/tiny session for the tiny cases (calibration runs once). */
static at_session *g_tiny;

static at_session *tiny(void)
{
    if (!g_tiny)
        g_tiny = iu_open("fmodel", "tiny", 0);
    return g_tiny;
}

static void case_demo_published(void)
{
    at_session *s = tiny();
    CHECK(s, "open");
    if (!s)
        return;
    at_batch b;
    at_err err = {0};
    CHECK(at_session_tokenize(s, iu_demo, 3, &b, &err) == 0, "tokenize: %s", err.msg);
    float emb[3 * 384];
    at_infer_stats st;
    run_vs_ref(s, &b, 0, AT_SITES_PAPER, emb, &st, "demo");
    double worst = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double d = fabs(iu_dot(emb + i * 384, emb + j * 384, 384) - iu_published[i][j]);
            worst = d > worst ? d : worst;
        }
    printf("  demo on fmodel/tiny: max |similarity - published| = %.5f, %llu cycles\n", worst,
           (unsigned long long)st.cycles);
    CHECK(worst <= 0.005, "similarity off the published matrix by %.5f", worst);
    CHECK(st.cycles > 0 && st.jobs == 67, "cycles %llu, jobs %u", (unsigned long long)st.cycles, st.jobs);
    at_batch_free(&b);
}

static void case_eval_fidelity(void)
{
    char **txt = NULL;
    size_t total = iu_eval_set(&txt, 256), n = total;
    CHECK(n >= 64, "eval set has %zu sentences", n);
    if (IU_SANITIZED && n > 6)
        n = 6;
    at_session *s = tiny();
    CHECK(s, "open");
    if (!s) {
        iu_free_set(txt, total);
        return;
    }
    at_batch b;
    at_err err = {0};
    CHECK(at_session_tokenize(s, (const char *const *)txt, n, &b, &err) == 0, "tokenize: %s", err.msg);
    float *emb = malloc(n * 384 * sizeof *emb), *ef = malloc(n * 384 * sizeof *ef);
    CHECK(emb && ef, "out of memory");
    if (emb && ef)
        run_vs_ref(s, &b, 0, AT_SITES_PAPER, emb, NULL, "eval set");
    if (emb && ef && !check_g.case_failed && iu_float_embed(&b, ef) == 0) {
        double mn = 2, mean = 0;
        size_t worst = 0, lmin = 9999, lmax = 0;
        for (size_t i = 0; i < n; i++) {
            double c = iu_dot(emb + i * 384, ef + i * 384, 384);
            mean += c / (double)n;
            if (c < mn) {
                mn = c;
                worst = i;
            }
            lmin = b.lens[i] < lmin ? b.lens[i] : lmin;
            lmax = b.lens[i] > lmax ? b.lens[i] : lmax;
            CHECK(c >= 0.999, "sentence %zu (%zu tokens): cosine %.6f to float: %s", i, b.lens[i], c, txt[i]);
        }
        printf("  %zu sentences (%zu to %zu tokens, %zu in all): cosine to float min %.6f (sentence %zu), mean %.6f\n",
               n, lmin, lmax, b.tokens, mn, worst, mean);
    } else {
        CHECK(0, "float reference failed");
    }
    free(emb);
    free(ef);
    at_batch_free(&b);
    iu_free_set(txt, total);
}

static void case_configs_and_dynatran(void)
{
    static const char *const cfgs[3] = {"tiny", "edge", "server"};
    static const char *const two[2] = {"Naïve coöperation costs 3.5% more!", "Hi"};
    for (int c = 0; c < 3; c++) {
        at_session *s = c == 0 ? tiny() : iu_open("fmodel", cfgs[c], 0);
        CHECK(s, "open %s", cfgs[c]);
        if (!s)
            continue;
        at_batch b;
        at_err err = {0};
        CHECK(at_session_tokenize(s, two, 2, &b, &err) == 0, "tokenize: %s", err.msg);
        float emb[2 * 384];
        at_infer_stats st;
        char what[64];
        snprintf(what, sizeof what, "%s dense", cfgs[c]);
        run_vs_ref(s, &b, 0, AT_SITES_PAPER, emb, &st, what);
        /* 15 tokens: too many for tiny's 2048 activation lines, resident on edge and server */
        CHECK(st.resident == (c > 0), "%s: resident %d", what, st.resident);
        /* every site pruned at once: the thresholds differ per site and layer */
        uint32_t sites = AT_SITES_ALL;
        snprintf(what, sizeof what, "%s tau 0.05", cfgs[c]);
        run_vs_ref(s, &b, 0.05, sites, emb, &st, what);
        CHECK(st.mac_skipped > 0, "%s: no MAC skipped", what);
        if (c > 0) {
            /* the same program streamed through memory: same bits, more DRAM traffic and cycles */
            at_infer_stats ss;
            snprintf(what, sizeof what, "%s tau 0.05 streamed", cfgs[c]);
            run_vs_ref_opt(s, &b, 0.05, sites, 1, emb, &ss, what);
            printf("  %s: resident %llu cycles, %llu DRAM bytes; streamed %llu cycles, %llu bytes\n", cfgs[c],
                   (unsigned long long)st.cycles, (unsigned long long)st.dram_bytes, (unsigned long long)ss.cycles,
                   (unsigned long long)ss.dram_bytes);
            CHECK(!ss.resident && ss.dram_bytes > st.dram_bytes && ss.cycles > st.cycles,
                  "%s: streamed %llu cycles %llu bytes, resident %llu cycles %llu bytes", cfgs[c],
                  (unsigned long long)ss.cycles, (unsigned long long)ss.dram_bytes, (unsigned long long)st.cycles,
                  (unsigned long long)st.dram_bytes);
        }
        at_batch_free(&b);
        if (c)
            at_session_close(s);
    }
}

/* A batch small enough for tiny's activation scratchpad runs resident
 * there too (the RTL test runs the same case). */
static void case_tiny_resident(void)
{
    at_session *s = tiny();
    CHECK(s, "open");
    if (!s)
        return;
    static const char *const hi[1] = {"Hi"};
    at_batch b;
    at_err err = {0};
    CHECK(at_session_tokenize(s, hi, 1, &b, &err) == 0, "tokenize: %s", err.msg);
    float emb[384];
    at_infer_stats st, ss;
    run_vs_ref(s, &b, 0.05, AT_SITES_ALL, emb, &st, "tiny Hi resident");
    CHECK(st.resident, "Hi on tiny is not resident");
    run_vs_ref_opt(s, &b, 0.05, AT_SITES_ALL, 1, emb, &ss, "tiny Hi streamed");
    printf("  tiny \"Hi\": resident %llu cycles, %llu DRAM bytes; streamed %llu cycles, %llu bytes\n",
           (unsigned long long)st.cycles, (unsigned long long)st.dram_bytes, (unsigned long long)ss.cycles,
           (unsigned long long)ss.dram_bytes);
    CHECK(ss.dram_bytes > st.dram_bytes && ss.cycles > st.cycles, "residency saved nothing");
    at_batch_free(&b);
}

static void case_failure_and_rerun(void)
{
    at_session *s = tiny();
    CHECK(s, "open");
    if (!s)
        return;
    at_batch b;
    at_err err = {0};
    CHECK(at_session_tokenize(s, iu_demo, 2, &b, &err) == 0, "tokenize: %s", err.msg);
    uint32_t bo_w = 0;
    at_infer_bos(s->infer, &bo_w, NULL);
    uint64_t bus = 0, bytes = 0;
    CHECK(at_drv_bo_info(s->drv, bo_w, &bus, &bytes, &err) == 0, "bo info: %s", err.msg);
    at_cosim *dev = at_port_cosim_device(&s->port);
    uint64_t addr = bus + at_infer_layout(s->infer)->layer[2].ffn1.tiles + 4096;
    CHECK(at_cosim_mem_fault(dev, addr, 32, 2, &err) == 0, "fault: %s", err.msg);
    float emb[2 * 384];
    at_infer_opts io = {.sites = AT_SITES_PAPER};
    int rc = at_infer_run(s->infer, (const int32_t *const *)b.ids, b.lens, b.n, &io, emb, NULL, NULL, &err);
    printf("  injected SLVERR: %s\n", err.msg);
    CHECK(rc == AT_EDEVICE, "run with a bus fault returned %d (%s)", rc, err.msg);
    CHECK(strstr(err.msg, "layer 2 ffn_mid") && strstr(err.msg, "LOAD") && strstr(err.msg, "command"),
          "error does not name the stage and command: %s", err.msg);
    CHECK(at_cosim_mem_fault(dev, addr, 32, 0, &err) == 0, "clear fault: %s", err.msg);
    at_infer_stats st;
    run_vs_ref(s, &b, 0, AT_SITES_PAPER, emb, &st, "rerun after the failure");
    CHECK(at_drv_jobs_held(s->drv) == 0, "driver still holds %zu jobs", at_drv_jobs_held(s->drv));
    at_batch_free(&b);
}

int main(void)
{
    RUN_CASE(case_demo_published);
    RUN_CASE(case_eval_fidelity);
    RUN_CASE(case_configs_and_dynatran);
    RUN_CASE(case_tiny_resident);
    RUN_CASE(case_failure_and_rerun);
    at_session_close(g_tiny);
    return check_finish("e2e_infer");
}
