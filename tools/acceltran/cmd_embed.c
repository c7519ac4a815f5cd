/* acceltran embed: sentence embeddings and their cosine-similarity matrix. */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "at_energy.h"
#include "at_session.h"
#include "at_sites.h"
#include "bert_float.h"
#include "cli.h"
#include "cli_device.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: acceltran embed [--backend float|fmodel|rtl] [--config tiny|mid|edge|server]\n"
               "                       [--tau T] [--prune-sites LIST] [--topk K] [--stream] [--json] [--threads N]\n"
               "                       [--model-dir DIR] [--dtb FILE] [--max-len N] [--wall-limit S]\n"
               "                       SENTENCE...\n"
               "\n"
               "Embeds the sentences with all-MiniLM-L6-v2 (mean pooling, L2 normalisation)\n"
               "as one batch of packed sequences and prints their cosine-similarity matrix.\n"
               "\n"
               "  --backend B      float: the fp32 C reference (default); fmodel / rtl: the\n"
               "                   int16 model compiled to command buffers and run through\n"
               "                   the driver on the simulated device (bit-exact C model /\n"
               "                   Verilated RTL); prints device cycles and time at the clock\n"
               "  --config C       device configuration (default tiny)\n"
               "  --tau T          DynaTran threshold in real units: |x| <= T -> 0 at the\n"
               "                   pruning sites (default 0: only exact zeros)\n"
               "  --prune-sites L  comma-separated sites: q, k, v, scores, probs, context,\n"
               "                   attn_out, ffn_mid, ffn_out, ln; or paper (default: all\n"
               "                   but ln), all, none\n"
               "  --topk K         top-k attention: keep the K largest probabilities of each\n"
               "                   row, zero the rest, before the P x V GEMM (on the host\n"
               "                   between the two stages; docs/dynatran.md; default 0: off)\n"
               "  --stream         keep the activations in device memory between stages even\n"
               "                   when the batch fits the activation scratchpad\n"
               "  --json           print a JSON object: backend, sentences, tokens,\n"
               "                   similarity (N x N), embeddings (N x hidden), seconds,\n"
               "                   load_seconds, threads; on the device backends also config,\n"
               "                   cycles, device_seconds, clock_mhz, macs (dense-equivalent\n"
               "                   MACs the PEs count: issued + skipped), mac_skipped,\n"
               "                   skipped_fraction (= mac_skipped / macs), useful_macs (sum\n"
               "                   of M N K), utilization (useful_macs / (cycles x peak)),\n"
               "                   dram_bytes, jobs, commands, resident (activations kept on\n"
               "                   chip between stages), tau, prune_sites, topk,\n"
               "                   topk_host_bytes, sites {site:\n"
               "                   {elements, zeros, pruned}}, stages [{stage, cycles,\n"
               "                   useful_macs, mac_issued, mac_skipped, zeros, dram_bytes,\n"
               "                   commands, energy_mj}], energy_mj and energy_by_unit (an\n"
               "                   estimate from the counters, energy_model; docs/energy.md)\n"
               "  --threads N      worker threads of the float reference (default: one per CPU)\n"
               "  --model-dir DIR  model folder (default: models/all-MiniLM-L6-v2)\n"
               "  --dtb FILE       device tree of the device (default: build/firmware/C.dtb)\n"
               "  --max-len N      truncate each sentence to N tokens (default 256, the\n"
               "                   sentence-transformers setting for this model)\n"
               "  --wall-limit S   stop with an error after S seconds of wall time (default:\n"
               "                   3600 on rtl, none otherwise; 0: none)\n"
               "  --help           this text\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct embed_args {
    const char *backend, *model_dir, *config, *dtb, *sites_arg;
    double tau;
    uint32_t sites;
    int json, threads, stream;
    long max_len, wall, topk;
    int first, argc;
    char **argv;
} embed_args;

static const char *const with_value[] = {"--backend", "--model-dir", "--config", "--dtb", "--prune-sites",
                                         "--tau", "--threads", "--max-len", "--wall-limit", "--topk", NULL};

static int parse(int argc, char **argv, embed_args *a)
{
    memset(a, 0, sizeof *a);
    a->backend = "float";
    a->max_len = 256;
    a->wall = -1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *s = argv[i];
        long v;
        if (!strcmp(s, "--")) {
            i++;
            break;
        } else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--stream")) {
            a->stream = 1;
        } else if (!strcmp(s, "--backend") && i + 1 < argc) {
            a->backend = argv[++i];
        } else if (!strcmp(s, "--model-dir") && i + 1 < argc) {
            a->model_dir = argv[++i];
        } else if (!strcmp(s, "--config") && i + 1 < argc) {
            a->config = argv[++i];
        } else if (!strcmp(s, "--dtb") && i + 1 < argc) {
            a->dtb = argv[++i];
        } else if (!strcmp(s, "--prune-sites") && i + 1 < argc) {
            a->sites_arg = argv[++i];
        } else if (!strcmp(s, "--tau") && i + 1 < argc) {
            char *end = NULL;
            const char *t = argv[++i];
            a->tau = strtod(t, &end);
            if (!*t || *end || !(a->tau >= 0) || a->tau > 1e6) {
                cli_error("embed", "--tau needs a number >= 0 (got '%s')", t);
                return -1;
            }
        } else if (!strcmp(s, "--threads") && i + 1 < argc) {
            if ((v = cli_parse_long("embed", s, argv[++i], 1, 256)) < 0)
                return -1;
            a->threads = (int)v;
        } else if (!strcmp(s, "--wall-limit") && i + 1 < argc) {
            if ((v = cli_parse_long("embed", s, argv[++i], 0, 10000000L)) < 0)
                return -1;
            a->wall = v;
        } else if (!strcmp(s, "--topk") && i + 1 < argc) {
            if ((v = cli_parse_long("embed", s, argv[++i], 0, 65535)) < 0)
                return -1;
            a->topk = v;
        } else if (!strcmp(s, "--max-len") && i + 1 < argc) {
            if ((v = cli_parse_long("embed", s, argv[++i], 3, 512)) < 0)
                return -1;
            a->max_len = v;
        } else {
            cli_bad_option("embed", s, with_value);
            return -1;
        }
    }
    if (strcmp(a->backend, "float") && strcmp(a->backend, "fmodel") && strcmp(a->backend, "rtl")) {
        cli_error("embed", "unknown backend '%s' (float, fmodel, rtl)", a->backend);
        return -1;
    }
    if (a->config && !at_hw_config_find(a->config)) {
        cli_error("embed", "unknown configuration '%s' (tiny, mid, edge, server)", a->config);
        return -1;
    }
    a->sites = AT_SITES_PAPER;
    if (a->sites_arg) {
        at_err e = {0};
        if (at_sites_parse(a->sites_arg, &a->sites, &e)) {
            cli_error("embed", "%s", e.msg);
            return -1;
        }
    }
    if (!strcmp(a->backend, "float") && (a->tau > 0 || a->config || a->dtb || a->sites_arg || a->stream || a->topk)) {
        cli_error("embed", "--tau, --prune-sites, --topk, --stream, --config and --dtb need --backend fmodel or rtl");
        return -1;
    }
    if (a->wall < 0)
        a->wall = strcmp(a->backend, "rtl") ? 0 : 3600;
    if (cli_wall_limit("embed", strcmp(a->backend, "rtl") ? "the run" : "the rtl simulation", (unsigned)a->wall)) {
        cli_error("embed", "cannot set the wall-clock limit");
        return -1;
    }
    if (i >= argc) {
        cli_error("embed", "no SENTENCE given (see acceltran embed --help)");
        return -1;
    }
    a->first = i;
    a->argc = argc;
    a->argv = argv;
    return 0;
}

/* What a device run adds to the output. */
typedef struct dev_out {
    int on;
    const char *config;
    unsigned clock_mhz;
    at_infer_stats st;
    at_energy energy;   /* the estimate from the run's counters */
    float *fsim;        /* the float reference's similarity of the same batch (NULL: none) */
} dev_out;

static void print_text(const embed_args *a, size_t n, const size_t *lens, const float *sim, double secs,
                       int threads, const dev_out *dv)
{
    if (dv->on)
        printf("backend %s (int16, config %s), %zu sentences, %.4f s host time\n", a->backend, dv->config, n,
               secs);
    else
        printf("backend %s, %zu sentences, %d threads, %.4f s\n", a->backend, n, threads, secs);
    printf("%6s", "");
    for (int side = 0; side < (dv->fsim ? 2 : 1); side++) {
        if (side)
            printf("   |");
        for (size_t j = 0; j < n; j++) {
            char label[32];
            snprintf(label, sizeof label, "[%zu]", j);
            printf(" %8s", label);
        }
    }
    if (dv->fsim)
        printf("   (left: %s, right: float reference)", a->backend);
    putchar('\n');
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        printf("[%3zu] ", i);
        for (size_t j = 0; j < n; j++)
            printf(" %8.4f", sim[i * n + j]);
        if (dv->fsim) {
            printf("   |");
            for (size_t j = 0; j < n; j++) {
                printf(" %8.4f", dv->fsim[i * n + j]);
                double d = fabs((double)sim[i * n + j] - dv->fsim[i * n + j]);
                worst = d > worst ? d : worst;
            }
        }
        putchar('\n');
    }
    if (dv->fsim)
        printf("max |%s - float| over the matrix: %.5f\n", a->backend, worst);
    for (size_t i = 0; i < n; i++)
        printf("[%3zu] (%zu tokens) %s\n", i, lens[i], a->argv[a->first + (int)i]);
    if (dv->on) {
        char sites[160];
        at_sites_format(a->sites, sites, sizeof sites);
        printf("device: %llu cycles = %.3f ms at %u MHz, utilization %.3f, %u jobs, %u commands\n",
               (unsigned long long)dv->st.cycles, dv->st.device_seconds * 1e3, dv->clock_mhz, dv->st.utilization,
               dv->st.jobs, dv->st.commands);
        printf("memory: %llu DRAM bytes; activations %s between stages\n", (unsigned long long)dv->st.dram_bytes,
               dv->st.resident ? "kept in the scratchpad" : "through memory");
        printf("DynaTran: tau %g at %s: skipped fraction %.4f (%llu of %llu MACs)\n", a->tau, sites,
               dv->st.skipped_fraction, (unsigned long long)dv->st.mac_skipped, (unsigned long long)dv->st.macs);
        if (a->topk)
            printf("top-k: k %ld on the host between SOFTMAX and P x V: %llu bytes of device memory read and written "
                   "by the host\n",
                   a->topk, (unsigned long long)dv->st.topk_host_bytes);
        cli_print_energy(&dv->energy);
    }
}

static int print_json(const embed_args *a, size_t n, const size_t *lens, const float *sim, const float *emb,
                      size_t h, double secs, double load_secs, int threads, const dev_out *dv)
{
    json_t *o = json_object(), *sents = json_array(), *toks = json_array(), *m = json_array();
    json_t *e = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(sents, json_string(a->argv[a->first + (int)i]));
        json_array_append_new(toks, json_integer((json_int_t)lens[i]));
        json_t *row = json_array(), *er = json_array();
        for (size_t j = 0; j < n; j++)
            json_array_append_new(row, json_real(sim[i * n + j]));
        json_array_append_new(m, row);
        for (size_t j = 0; j < h; j++)
            json_array_append_new(er, json_real(emb[i * h + j]));
        json_array_append_new(e, er);
    }
    json_object_set_new(o, "backend", json_string(a->backend));
    json_object_set_new(o, "model", json_string("all-MiniLM-L6-v2"));
    json_object_set_new(o, "sentences", sents);
    json_object_set_new(o, "tokens", toks);
    json_object_set_new(o, "similarity", m);
    json_object_set_new(o, "embeddings", e);
    json_object_set_new(o, "seconds", json_real(secs));
    json_object_set_new(o, "load_seconds", json_real(load_secs));
    json_object_set_new(o, "threads", json_integer(threads));
    if (dv->on) {
        const at_infer_stats *st = &dv->st;
        char sl[160];
        at_sites_format(a->sites, sl, sizeof sl);
        json_object_set_new(o, "config", json_string(dv->config));
        json_object_set_new(o, "cycles", json_integer((json_int_t)st->cycles));
        json_object_set_new(o, "device_seconds", json_real(st->device_seconds));
        json_object_set_new(o, "clock_mhz", json_integer(dv->clock_mhz));
        json_object_set_new(o, "macs", json_integer((json_int_t)st->macs));
        json_object_set_new(o, "useful_macs", json_integer((json_int_t)st->useful_macs));
        json_object_set_new(o, "mac_skipped", json_integer((json_int_t)st->mac_skipped));
        json_object_set_new(o, "skipped_fraction", json_real(st->skipped_fraction));
        json_object_set_new(o, "utilization", json_real(st->utilization));
        json_object_set_new(o, "dram_bytes", json_integer((json_int_t)st->dram_bytes));
        json_object_set_new(o, "jobs", json_integer(st->jobs));
        json_object_set_new(o, "commands", json_integer(st->commands));
        json_object_set_new(o, "resident", json_boolean(st->resident));
        json_object_set_new(o, "tau", json_real(a->tau));
        json_object_set_new(o, "prune_sites", json_string(sl));
        json_object_set_new(o, "topk", json_integer(a->topk));
        json_object_set_new(o, "topk_host_bytes", json_integer((json_int_t)st->topk_host_bytes));
        if (at_energy_json_add(o, &dv->energy)) {
            json_decref(o);
            return -1;
        }
        json_t *sites = json_object();
        for (int i = 0; i < AT_NUM_SITES; i++) {
            json_t *so = json_object();
            json_object_set_new(so, "elements", json_integer((json_int_t)st->sites[i].elements));
            json_object_set_new(so, "zeros", json_integer((json_int_t)st->sites[i].zeros));
            json_object_set_new(so, "pruned", json_boolean((a->sites >> i) & 1));
            json_object_set_new(sites, at_site_name((at_site)i), so);
        }
        json_object_set_new(o, "sites", sites);
        json_t *stages = json_array();
        for (size_t i = 0; i < st->num_stages; i++) {
            const at_stage_stats *ss = &st->stages[i];
            json_t *so = json_object();
            json_object_set_new(so, "stage", json_string(ss->label));
            json_object_set_new(so, "cycles", json_integer((json_int_t)ss->cycles));
            json_object_set_new(so, "useful_macs", json_integer((json_int_t)ss->macs));
            json_object_set_new(so, "mac_issued", json_integer((json_int_t)ss->mac_issued));
            json_object_set_new(so, "mac_skipped", json_integer((json_int_t)ss->mac_skipped));
            json_object_set_new(so, "zeros", json_integer((json_int_t)ss->zeros));
            json_object_set_new(so, "dram_bytes", json_integer((json_int_t)(ss->mem_rd + ss->mem_wr)));
            json_object_set_new(so, "commands", json_integer(ss->commands));
            at_energy se;
            if (!at_energy_from_counters(at_hw_config_find(dv->config), &ss->delta, ss->cycles, &se, NULL))
                json_object_set_new(so, "energy_mj", json_real(se.energy_mj));
            json_array_append_new(stages, so);
        }
        json_object_set_new(o, "stages", stages);
    }
    char *s = json_dumps(o, JSON_REAL_PRECISION(8));
    json_decref(o);
    if (!s)
        return -1;
    puts(s);
    cli_json_done();
    free(s);
    return 0;
}

static void progress(void *ctx, const char *stage, size_t done, size_t total)
{
    (void)ctx;
    fprintf(stderr, "\r[rtl] %-28s %3zu/%zu stages", stage, done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* The device backends: tokenize, quantize (calibration), compile, run. */
static int embed_device(const embed_args *a, const char *dir, size_t n, const char *const *texts, size_t *lens,
                        float **emb_out, size_t *hidden, dev_out *dv, double *load_secs, double *secs, at_err *err)
{
    float *emb = NULL;
    char dtb[4096];
    const char *config = a->config ? a->config : "tiny";
    at_session_opts so = {.model_dir = dir,
                          .backend = a->backend,
                          .config = config,
                          .dtb = a->dtb ? a->dtb : cli_default_dtb(config, dtb, sizeof dtb),
                          .threads = a->threads,
                          .max_len = (size_t)a->max_len};
    double t0 = now_s();
    at_session *s = NULL;
    int rc = at_session_open(&so, &s, err);
    if (rc)
        return rc;
    *load_secs = now_s() - t0;
    double t1 = now_s();
    at_batch b;
    *hidden = (size_t)s->model->cfg.hidden;
    emb = malloc(n * *hidden * sizeof *emb);
    rc = emb ? at_session_tokenize(s, texts, n, &b, err) : at_err_set(err, AT_ENOMEM, "out of memory");
    if (!emb)
        memset(&b, 0, sizeof b);
    if (!rc) {
        at_infer_opts io = {.tau = a->tau, .sites = a->sites, .stream = a->stream, .topk = (uint32_t)a->topk};
        if (!strcmp(a->backend, "rtl") && isatty(2))
            io.progress = progress;
        rc = at_infer_run(s->infer, (const int32_t *const *)b.ids, b.lens, b.n, &io, emb, NULL, &dv->st, err);
        for (size_t i = 0; !rc && i < n; i++)
            lens[i] = b.lens[i];
    }
    *secs = now_s() - t1;
    if (!rc && !a->json) {
        /* the float reference of the same batch, printed beside the device's matrix */
        bert_model *fm = NULL;
        float *fe = malloc(n * *hidden * sizeof *fe);
        dv->fsim = malloc(n * n * sizeof *dv->fsim);
        at_err ferr = {0};
        if (fe && dv->fsim && !bert_model_load(dir, &fm, &ferr) &&
            !bert_embed(fm, (const int32_t *const *)b.ids, b.lens, b.n, NULL, fe, &ferr)) {
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    double d = 0;
                    for (size_t k = 0; k < *hidden; k++)
                        d += (double)fe[i * *hidden + k] * fe[j * *hidden + k];
                    dv->fsim[i * n + j] = (float)d;
                }
        } else {
            free(dv->fsim);
            dv->fsim = NULL;
        }
        bert_model_free(fm);
        free(fe);
    }
    if (!rc) {
        /* stats point into the handle: copy the stage table before closing */
        size_t ns = dv->st.num_stages;
        at_stage_stats *copy = malloc((ns ? ns : 1) * sizeof *copy);
        if (!copy)
            rc = at_err_set(err, AT_ENOMEM, "out of memory");
        else
            memcpy(copy, dv->st.stages, ns * sizeof *copy);
        dv->st.stages = copy;
        dv->on = 1;
        dv->config = at_hw_config_find(config)->name;
        dv->clock_mhz = at_hw_config_find(config)->clock_mhz;
        if (!rc)
            rc = at_energy_from_counters(at_hw_config_find(config), &dv->st.counters, dv->st.cycles, &dv->energy, err);
    }
    at_batch_free(&b);
    at_session_close(s);
    if (rc)
        free(emb);
    else
        *emb_out = emb;
    return rc;
}

int cmd_embed(int argc, char **argv)
{
    embed_args a;
    int p = parse(argc, argv, &a);
    if (p)
        return p > 0 ? 0 : CLI_USAGE_ERROR;

    size_t n = (size_t)(argc - a.first);
    char buf[PATH_MAX];
    const char *dir = cli_model_dir(a.model_dir, buf, sizeof buf);
    at_err err = {0};
    double t0 = now_s(), load_secs = 0, secs = 0;
    bert_model *model = NULL;
    cli_tokenizer tk = {0};
    int rc = CLI_RUN_ERROR;
    int32_t *ids = NULL, **rows = NULL;
    size_t *lens = NULL;
    float *emb = NULL, *sim = NULL;
    dev_out dv = {0};
    size_t h = 384;

    lens = calloc(n, sizeof *lens);
    sim = malloc(n * n * sizeof *sim);
    if (!lens || !sim) {
        cli_error("embed", "out of memory");
        goto out;
    }
    if (strcmp(a.backend, "float")) {
        if (embed_device(&a, dir, n, (const char *const *)(argv + a.first), lens, &emb, &h, &dv, &load_secs,
                         &secs, &err)) {
            cli_error("embed", "%s", err.msg);
            goto out;
        }
    } else {
        if (bert_model_load(dir, &model, &err) || cli_tokenizer_load(dir, (size_t)a.max_len, &tk, &err)) {
            cli_error("embed", "%s", err.msg);
            goto out;
        }
        load_secs = now_s() - t0;
        const bert_config *cfg = bert_model_config(model);
        h = (size_t)cfg->hidden;
        ids = malloc(n * (size_t)a.max_len * sizeof *ids);
        rows = malloc(n * sizeof *rows);
        emb = malloc(n * h * sizeof *emb);
        if (!ids || !rows || !emb) {
            cli_error("embed", "out of memory");
            goto out;
        }
        double t1 = now_s();
        for (size_t i = 0; i < n; i++) {
            rows[i] = ids + i * (size_t)a.max_len;
            if (at_tokenize(tk.tok, argv[a.first + (int)i], rows[i], (size_t)a.max_len, &lens[i], &err)) {
                cli_error("embed", "sentence %zu: %s", i, err.msg);
                goto out;
            }
        }
        bert_run_opts ro = {.threads = a.threads};
        if (bert_embed(model, (const int32_t *const *)rows, lens, n, &ro, emb, &err)) {
            cli_error("embed", "%s", err.msg);
            goto out;
        }
        secs = now_s() - t1;
    }
    /* embeddings are unit vectors: cosine similarity is the dot product */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double d = 0;
            for (size_t k = 0; k < h; k++)
                d += (double)emb[i * h + k] * emb[j * h + k];
            sim[i * n + j] = (float)d;
        }
    int threads = a.threads > 0 ? a.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (a.json) {
        if (print_json(&a, n, lens, sim, emb, h, secs, load_secs, threads, &dv)) {
            cli_error("embed", "JSON output failed");
            goto out;
        }
    } else {
        print_text(&a, n, lens, sim, secs, threads, &dv);
    }
    rc = 0;
out:
    free(ids);
    free(rows);
    free(lens);
    free(emb);
    free(sim);
    free(dv.st.stages);
    free(dv.fsim);
    cli_tokenizer_free(&tk);
    bert_model_free(model);
    return rc;
}
