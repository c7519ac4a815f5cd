/* acceltran perf: an encoder of a named shape on synthetic tokens through
 * the compiler and the driver, and its figures from the device counters
 * (runtime/at_perf_run.h). */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at_perf_run.h"
#include "at_sites.h"
#include "cli.h"
#include "cli_device.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: acceltran perf --model minilm|bert-tiny|bert-base [--batch B] [--seq S]\n"
            "                      [--config C] [--backend fmodel|rtl] [--tau T] [--prune-sites LIST]\n"
            "                      [--seed N] [--exclude-weight-load] [--json] [--model-dir DIR]\n"
            "                      [--dtb FILE] [--threads N] [--wall-limit S]\n"
            "\n"
            "Runs an encoder of that shape on B seeded synthetic sequences of S tokens\n"
            "through the compiler and the driver on the simulated device and prints its\n"
            "figures from the device counters.\n"
            "\n"
            "  --model M        minilm: all-MiniLM-L6-v2 with its real weights (6 layers,\n"
            "                   hidden 384, 12 heads, FFN 1536); bert-tiny (2 layers, hidden\n"
            "                   128, 2 heads, FFN 512) and bert-base (12 layers, hidden 768,\n"
            "                   12 heads, FFN 3072) with seeded random weights\n"
            "  --batch B        sequences (default 1)\n"
            "  --seq S          tokens per sequence, 1..512 (default 128)\n"
            "  --config C       tiny (default), mid, edge or server\n"
            "  --backend B      fmodel (default) or rtl\n"
            "  --tau T          DynaTran threshold in real units (default 0: only exact zeros)\n"
            "  --prune-sites L  sites tau applies to (as embed; default paper)\n"
            "  --seed N         tokens' seed; the synthetic weights use N + 1 (default 1)\n"
            "  --exclude-weight-load\n"
            "                   preload every weight into the weight scratchpad in a stage\n"
            "                   left out of the figures (weights_loaded false): the figures\n"
            "                   of a run whose weights are already on chip; fails when they\n"
            "                   do not fit the configuration's weight scratchpad\n"
            "  --kv-mem         K and V through memory (STORE, per-head LOAD) even when\n"
            "                   they fit the weight scratchpad (kv_weights false)\n"
            "  --json           print one JSON object (below)\n"
            "  --model-dir DIR  minilm's folder (default: models/all-MiniLM-L6-v2)\n"
            "  --dtb FILE       device tree (default: build/firmware/C.dtb)\n"
            "  --threads N      calibration threads of the float reference (default: all CPUs)\n"
            "  --wall-limit S   stop with an error after S seconds of wall time (default:\n"
            "                   3600 on rtl, none on fmodel; 0: none)\n"
            "  --help           this text\n"
            "\n"
            "JSON keys: cycles (device busy cycles of the counted stages' jobs, CNT_BUSY);\n"
            "cycles_by_unit {gemm, softmax, layernorm, dma, idle}, summing to cycles: GEMM,\n"
            "SOFTMAX and LAYERNORM cycles are the compute engine's (one command at a\n"
            "time), dma the cycles a DMA engine worked while the compute engine did not\n"
            "(CNT_DMA_ONLY: a transfer under compute counts as compute), idle the rest;\n"
            "utilization (useful_macs / (cycles x peak_macs_per_cycle)); device_seconds\n"
            "and sequences_per_second at clock_mhz (700); dram_bytes (read + written,\n"
            "descriptors included); macs (dense-equivalent MACs the PEs count: issued +\n"
            "skipped) and mac_skipped; weights_loaded; compute_cycles (CNT_GEMM_BUSY);\n"
            "compute_utilization (macs / (compute_cycles x peak_macs_per_cycle));\n"
            "roofline_cycles (max(macs / peak_macs_per_cycle, dram_bytes /\n"
            "bytes_per_cycle), bytes_per_cycle = the configuration's memory bandwidth at\n"
            "its clock); roofline_ratio (cycles / roofline_cycles); and the run's shape,\n"
            "smx_rows / ln_rows (CNT_SMX_ROWS, CNT_LN_ROWS), stages, jobs, commands;\n"
            "resident (activations on chip between stages), kv_weights (K and V computed\n"
            "straight into the weight scratchpad, GEMM_C_WGT; --kv-mem: through memory);\n"
            "energy_mj and energy_by_unit {mac_lanes, sparsity, softmax, layernorm, dma,\n"
            "buffers, main_memory, leakage}, summing to energy_mj: an estimate from the\n"
            "counters with AccelTran's 14 nm figures (energy_model names the data file,\n"
            "spec/energy.json, and the method, docs/energy.md).\n"
            "On fmodel the cycle figures are the functional model's estimate\n"
            "(docs/cosim.md). Exit status: 0 ok, 1 run failure, 2 bad arguments.\n");
}

typedef struct perf_args {
    at_perf_opts o;
    const char *sites_arg, *model_dir;
    int json;
    long wall;
} perf_args;

static const char *const with_value[] = {"--model", "--batch", "--seq", "--config", "--backend", "--tau",
                                         "--prune-sites", "--seed", "--model-dir", "--dtb", "--threads",
                                         "--wall-limit", NULL};

static int parse(int argc, char **argv, perf_args *a)
{
    memset(a, 0, sizeof *a);
    a->o.batch = 1;
    a->o.seq = 128;
    a->o.seed = 1;
    a->wall = -1;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        long v;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--exclude-weight-load")) {
            a->o.exclude_weights = 1;
        } else if (!strcmp(s, "--kv-mem")) {
            a->o.kv_mem = 1;
        } else if (!strcmp(s, "--model") && i + 1 < argc) {
            a->o.model = argv[++i];
        } else if (!strcmp(s, "--batch") && i + 1 < argc) {
            if ((v = cli_parse_long("perf", s, argv[++i], 1, 65535)) < 0)
                return -1;
            a->o.batch = (size_t)v;
        } else if (!strcmp(s, "--seq") && i + 1 < argc) {
            if ((v = cli_parse_long("perf", s, argv[++i], 1, 512)) < 0)
                return -1;
            a->o.seq = (size_t)v;
        } else if (!strcmp(s, "--config") && i + 1 < argc) {
            a->o.config = argv[++i];
        } else if (!strcmp(s, "--backend") && i + 1 < argc) {
            a->o.backend = argv[++i];
        } else if (!strcmp(s, "--tau") && i + 1 < argc) {
            char *end = NULL;
            const char *t = argv[++i];
            a->o.tau = strtod(t, &end);
            if (!*t || *end || !(a->o.tau >= 0) || a->o.tau > 1e6) {
                cli_error("perf", "--tau needs a number >= 0 (got '%s')", t);
                return -1;
            }
        } else if (!strcmp(s, "--prune-sites") && i + 1 < argc) {
            a->sites_arg = argv[++i];
        } else if (!strcmp(s, "--seed") && i + 1 < argc) {
            if ((v = cli_parse_long("perf", s, argv[++i], 0, 0x7fffffffL)) < 0)
                return -1;
            a->o.seed = (uint64_t)v;
        } else if (!strcmp(s, "--model-dir") && i + 1 < argc) {
            a->model_dir = argv[++i];
        } else if (!strcmp(s, "--dtb") && i + 1 < argc) {
            a->o.dtb = argv[++i];
        } else if (!strcmp(s, "--threads") && i + 1 < argc) {
            if ((v = cli_parse_long("perf", s, argv[++i], 1, 256)) < 0)
                return -1;
            a->o.threads = (int)v;
        } else if (!strcmp(s, "--wall-limit") && i + 1 < argc) {
            if ((a->wall = cli_parse_long("perf", s, argv[++i], 0, 10000000L)) < 0)
                return -1;
        } else if (s[0] == '-') {
            cli_bad_option("perf", s, with_value);
            return -1;
        } else {
            cli_error("perf", "unexpected argument '%s' (see acceltran perf --help)", s);
            return -1;
        }
    }
    if (!a->o.model) {
        cli_error("perf", "--model minilm|bert-tiny|bert-base is required (see acceltran perf --help)");
        return -1;
    }
    if (strcmp(a->o.model, "minilm") && strcmp(a->o.model, "bert-tiny") && strcmp(a->o.model, "bert-base")) {
        cli_error("perf", "unknown model '%s' (minilm, bert-tiny, bert-base)", a->o.model);
        return -1;
    }
    if (a->o.batch * a->o.seq > 65535) {
        cli_error("perf", "--batch %zu x --seq %zu = %zu tokens; a batch holds at most 65535", a->o.batch, a->o.seq,
                  a->o.batch * a->o.seq);
        return -1;
    }
    if (a->o.backend && !cli_backend_known(a->o.backend)) {
        cli_error("perf", "unknown backend '%s' (available: fmodel, rtl)", a->o.backend);
        return -1;
    }
    if (a->o.config && !at_hw_config_find(a->o.config)) {
        cli_error("perf", "unknown configuration '%s' (tiny, mid, edge, server)", a->o.config);
        return -1;
    }
    at_err err = {0};
    a->o.sites = AT_SITES_PAPER;
    if (a->sites_arg && at_sites_parse(a->sites_arg, &a->o.sites, &err)) {
        cli_error("perf", "--prune-sites: %s", err.msg);
        return -1;
    }
    return 0;
}

static void progress(void *ctx, const char *stage, size_t done, size_t total)
{
    (void)ctx;
    fprintf(stderr, "\r[perf] %-28s %3zu/%zu stages", stage, done, total);
    if (done == total)
        fprintf(stderr, "\n");
}

static void print_json(const perf_args *a, const at_perf_result *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_true());
    json_object_set_new(j, "model", json_string(r->model));
    json_object_set_new(j, "backend", json_string(r->backend));
    json_object_set_new(j, "config", json_string(r->config));
    json_object_set_new(j, "batch", json_integer((json_int_t)r->batch));
    json_object_set_new(j, "seq", json_integer((json_int_t)r->seq));
    json_object_set_new(j, "tokens", json_integer((json_int_t)r->tokens));
    json_object_set_new(j, "layers", json_integer(r->layers));
    json_object_set_new(j, "hidden", json_integer(r->hidden));
    json_object_set_new(j, "heads", json_integer(r->heads));
    json_object_set_new(j, "intermediate", json_integer(r->intermediate));
    json_object_set_new(j, "seed", json_integer((json_int_t)a->o.seed));
    json_object_set_new(j, "tau", json_real(a->o.tau));
    char sites[256];
    at_sites_format(a->o.sites, sites, sizeof sites);
    json_object_set_new(j, "prune_sites", json_string(sites));
    json_object_set_new(j, "cycles", json_integer((json_int_t)r->cycles));
    json_t *u = json_object();
    json_object_set_new(u, "gemm", json_integer((json_int_t)r->units.gemm));
    json_object_set_new(u, "softmax", json_integer((json_int_t)r->units.softmax));
    json_object_set_new(u, "layernorm", json_integer((json_int_t)r->units.layernorm));
    json_object_set_new(u, "dma", json_integer((json_int_t)r->units.dma));
    json_object_set_new(u, "idle", json_integer((json_int_t)r->units.idle));
    json_object_set_new(j, "cycles_by_unit", u);
    json_object_set_new(j, "utilization", json_real(r->utilization));
    json_object_set_new(j, "clock_mhz", json_real(r->clock_mhz));
    json_object_set_new(j, "device_seconds", json_real(r->device_seconds));
    json_object_set_new(j, "sequences_per_second", json_real(r->sequences_per_second));
    json_object_set_new(j, "dram_bytes", json_integer((json_int_t)r->dram_bytes));
    json_object_set_new(j, "macs", json_integer((json_int_t)r->macs));
    json_object_set_new(j, "mac_skipped", json_integer((json_int_t)r->mac_skipped));
    json_object_set_new(j, "useful_macs", json_integer((json_int_t)r->useful_macs));
    json_object_set_new(j, "weights_loaded", json_boolean(r->weights_loaded));
    json_object_set_new(j, "compute_cycles", json_integer((json_int_t)r->compute_cycles));
    json_object_set_new(j, "compute_utilization", json_real(r->roof.compute_utilization));
    json_object_set_new(j, "peak_macs_per_cycle", json_real(r->roof.peak_macs_per_cycle));
    json_object_set_new(j, "bytes_per_cycle", json_real(r->roof.bytes_per_cycle));
    json_object_set_new(j, "roofline_cycles", json_real(r->roof.roofline_cycles));
    json_object_set_new(j, "roofline_ratio", json_real(r->roof.roofline_ratio));
    json_object_set_new(j, "memory_bound", json_boolean(r->roof.memory_bound));
    json_object_set_new(j, "smx_rows", json_integer((json_int_t)r->smx_rows));
    json_object_set_new(j, "ln_rows", json_integer((json_int_t)r->ln_rows));
    json_object_set_new(j, "stages", json_integer(r->stages));
    json_object_set_new(j, "jobs", json_integer(r->jobs));
    json_object_set_new(j, "commands", json_integer(r->commands));
    json_object_set_new(j, "resident", json_boolean(r->resident));
    json_object_set_new(j, "kv_weights", json_boolean(r->kv_weights));
    json_object_set_new(j, "host_seconds", json_real(r->host_seconds));
    if (at_energy_json_add(j, &r->energy))
        cli_error("perf", "out of memory for the energy keys");
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
    json_decref(j);
    if (s) {
        puts(s);
        cli_json_done();
        free(s);
    }
}

static void print_text(const at_perf_result *r)
{
    double c = r->cycles ? (double)r->cycles : 1.0;
    printf("perf %s (%d layers, hidden %d, %d heads, FFN %d), batch %zu x %zu tokens, on %s/%s\n", r->model,
           r->layers, r->hidden, r->heads, r->intermediate, r->batch, r->seq, r->config, r->backend);
    printf("cycles      %llu (%.6f s at %.0f MHz: %.1f sequences/s)%s\n", (unsigned long long)r->cycles,
           r->device_seconds, r->clock_mhz, r->sequences_per_second,
           r->weights_loaded ? "" : ", weights preloaded (not counted)");
    printf("by unit     gemm %llu (%.1f %%), softmax %llu (%.1f %%), layernorm %llu (%.1f %%), dma %llu (%.1f %%), "
           "idle %llu (%.1f %%)\n",
           (unsigned long long)r->units.gemm, 100.0 * (double)r->units.gemm / c, (unsigned long long)r->units.softmax,
           100.0 * (double)r->units.softmax / c, (unsigned long long)r->units.layernorm,
           100.0 * (double)r->units.layernorm / c, (unsigned long long)r->units.dma, 100.0 * (double)r->units.dma / c,
           (unsigned long long)r->units.idle, 100.0 * (double)r->units.idle / c);
    printf("MACs        %llu (dense-equivalent), %llu skipped, %llu useful; utilization %.4f\n",
           (unsigned long long)r->macs, (unsigned long long)r->mac_skipped, (unsigned long long)r->useful_macs,
           r->utilization);
    printf("compute     %llu cycles with the GEMM engine busy: compute utilization %.4f\n",
           (unsigned long long)r->compute_cycles, r->roof.compute_utilization);
    printf("memory      %llu DRAM bytes (%.2f bytes/cycle at the configuration's bandwidth)\n",
           (unsigned long long)r->dram_bytes, r->roof.bytes_per_cycle);
    printf("roofline    %.0f cycles (%s-bound: %.0f compute, %.0f memory); ratio %.3f\n", r->roof.roofline_cycles,
           r->roof.memory_bound ? "memory" : "compute", r->roof.compute_bound_cycles, r->roof.memory_bound_cycles,
           r->roof.roofline_ratio);
    printf("rows        %llu softmax, %llu layer-norm; %u stages, %u jobs, %u commands; activations %s; K and V %s\n",
           (unsigned long long)r->smx_rows, (unsigned long long)r->ln_rows, r->stages, r->jobs, r->commands,
           r->resident ? "on chip" : "streamed",
           r->kv_weights ? "straight into the weight scratchpad" : "through memory");
    cli_print_energy(&r->energy);
}

int cmd_perf(int argc, char **argv)
{
    perf_args a;
    int p = parse(argc, argv, &a);
    if (p)
        return p > 0 ? 0 : CLI_USAGE_ERROR;
    const char *backend = a.o.backend ? a.o.backend : "fmodel";
    if (a.wall < 0)
        a.wall = strcmp(backend, "rtl") ? 0 : 3600;
    if (cli_wall_limit("perf", strcmp(backend, "rtl") ? "the run" : "the rtl simulation", (unsigned)a.wall)) {
        cli_error("perf", "cannot set the wall-clock limit");
        return CLI_RUN_ERROR;
    }
    char buf[PATH_MAX], dtb[4096];
    if (!strcmp(a.o.model, "minilm"))
        a.o.model_dir = cli_model_dir(a.model_dir, buf, sizeof buf);
    const char *config = a.o.config ? a.o.config : "tiny";
    if (!a.o.dtb)
        a.o.dtb = cli_default_dtb(config, dtb, sizeof dtb);
    if (!strcmp(backend, "rtl") && isatty(2))
        a.o.progress = progress;
    at_perf_result r;
    at_err err = {0};
    if (at_perf_run(&a.o, &r, &err)) {
        cli_error("perf", "%s", err.msg);
        return CLI_RUN_ERROR;
    }
    if (a.json)
        print_json(&a, &r);
    else
        print_text(&r);
    return 0;
}
