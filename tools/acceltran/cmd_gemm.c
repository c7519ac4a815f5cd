/* acceltran gemm: a random int16 GEMM through the driver on the simulated
 * device, checked against the host reference. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_energy.h"
#include "at_gemm_run.h"
#include "cli.h"
#include "cli_device.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: acceltran gemm [--backend rtl|fmodel] [--config C] [--dtb FILE] [--tau T]\n"
            "                      [--seed S] [--sparsity P] [--order auto|strips|rows] [--timeout-ms MS]\n"
            "                      [--wall-limit S] [--json] M N K\n"
            "\n"
            "Builds a random int16 GEMM C (MxN) = A (MxK) x B (KxN) (A with a fraction P\n"
            "of zeros), tiles it through the scratchpads (double-buffered LOAD / GEMM /\n"
            "STORE, docs/driver.md), runs it through the driver (one job, or several in a\n"
            "row when the plan has more than 65536 commands) and checks C against the\n"
            "host reference (int64 sums, at_requant, DynaTran).\n"
            "\n"
            "  --backend B      fmodel (default) or rtl\n"
            "  --config C       tiny (default), mid, edge or server\n"
            "  --dtb FILE       device tree blob (default: build/firmware/C.dtb)\n"
            "  --tau T          DynaTran threshold 0..32767 (default 0: prunes only zeros)\n"
            "  --seed S         data seed (default 1)\n"
            "  --sparsity P     fraction of zeros in A, 0..1 (default 0)\n"
            "  --order O        loop order of the tiles: auto (default: the one that moves\n"
            "                   fewer bytes), strips (weight strips outer) or rows (row\n"
            "                   blocks outer; needs two weight-strip slots)\n"
            "  --timeout-ms MS  deadline of each job in device time (default 100000)\n"
            "  --wall-limit S   stop with an error after S seconds of wall time (default:\n"
            "                   3600 on rtl, none on fmodel; 0: none)\n"
            "  --json           print one JSON object (keys: ok, cycles, macs,\n"
            "                   peak_macs_per_cycle, utilization, compute_cycles,\n"
            "                   compute_utilization, dram_bytes, roofline_cycles,\n"
            "                   roofline_ratio, checksum, energy_mj, energy_by_unit, ...)\n"
            "  --help           this text\n"
            "\n"
            "cycles = device busy cycles of the jobs (CNT_BUSY); macs = M x N x K;\n"
            "utilization = macs / (cycles x peak_macs_per_cycle), the dense-equivalent\n"
            "rate (with sparsity it counts the skipped MACs as done);\n"
            "compute_cycles = cycles the GEMM engine held a command (CNT_GEMM_BUSY),\n"
            "compute_utilization = macs / (compute_cycles x peak_macs_per_cycle);\n"
            "dram_bytes = memory bytes read and written (descriptors included);\n"
            "roofline_cycles = max(macs / peak_macs_per_cycle, dram_bytes / bytes_per_cycle)\n"
            "with bytes_per_cycle = the configuration's mem_bw_mbps / clock_mhz;\n"
            "roofline_ratio = cycles / roofline_cycles;\n"
            "energy_mj, energy_by_unit = the energy estimate from the job's counters\n"
            "(AccelTran's 14 nm figures, spec/energy.json; docs/energy.md).\n"
            "Exit status: 0 ok, 1 run failure or wrong result, 2 bad arguments.\n");
}

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        cli_error("gemm", "%s wants a number in [%g, %g], got '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static const char *const with_value[] = {"--backend", "--config", "--dtb", "--tau", "--seed", "--timeout-ms",
                                         "--sparsity", "--order", "--wall-limit", NULL};

int cmd_gemm(int argc, char **argv)
{
    const char *backend = "fmodel", *config = NULL, *dtb = NULL;
    at_gemm_run_opts o = {0};
    o.seed = 1;
    long timeout_ms = 100000, wall = -1;
    int json = 0;
    long dims[3];
    int nd = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        long v;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(s, "--json")) {
            json = 1;
        } else if (!strcmp(s, "--backend") && i + 1 < argc) {
            backend = argv[++i];
        } else if (!strcmp(s, "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strcmp(s, "--dtb") && i + 1 < argc) {
            dtb = argv[++i];
        } else if (!strcmp(s, "--tau") && i + 1 < argc) {
            if ((v = cli_parse_long("gemm", s, argv[++i], 0, 32767)) < 0)
                return CLI_USAGE_ERROR;
            o.tau = (uint16_t)v;
        } else if (!strcmp(s, "--seed") && i + 1 < argc) {
            if ((v = cli_parse_long("gemm", s, argv[++i], 0, 0x7fffffffL)) < 0)
                return CLI_USAGE_ERROR;
            o.seed = (uint64_t)v;
        } else if (!strcmp(s, "--timeout-ms") && i + 1 < argc) {
            if ((timeout_ms = cli_parse_long("gemm", s, argv[++i], 1, 100000000L)) < 0)
                return CLI_USAGE_ERROR;
        } else if (!strcmp(s, "--order") && i + 1 < argc) {
            const char *v2 = argv[++i];
            if (!strcmp(v2, "auto"))
                o.order = AT_GEMM_ORDER_AUTO;
            else if (!strcmp(v2, "strips"))
                o.order = AT_GEMM_ORDER_STRIPS;
            else if (!strcmp(v2, "rows"))
                o.order = AT_GEMM_ORDER_ROWS;
            else {
                cli_error("gemm", "--order wants auto, strips or rows, got '%s'", v2);
                return CLI_USAGE_ERROR;
            }
        } else if (!strcmp(s, "--wall-limit") && i + 1 < argc) {
            if ((wall = cli_parse_long("gemm", s, argv[++i], 0, 10000000L)) < 0)
                return CLI_USAGE_ERROR;
        } else if (!strcmp(s, "--sparsity") && i + 1 < argc) {
            if (parse_double(s, argv[++i], 0.0, 1.0, &o.sparsity))
                return CLI_USAGE_ERROR;
        } else if (s[0] == '-' && s[1] != 0) {
            cli_bad_option("gemm", s, with_value);
            return CLI_USAGE_ERROR;
        } else {
            if (nd == 3) {
                cli_error("gemm", "too many arguments: '%s' (see acceltran gemm --help)", s);
                return CLI_USAGE_ERROR;
            }
            static const char *names[3] = {"M", "N", "K"};
            if ((v = cli_parse_long("gemm", names[nd], s, 1, 65535)) < 0)
                return CLI_USAGE_ERROR;
            dims[nd++] = v;
        }
    }
    if (nd != 3) {
        cli_error("gemm", "M N K required (see acceltran gemm --help)");
        return CLI_USAGE_ERROR;
    }
    if (!cli_backend_known(backend)) {
        cli_error("gemm", "unknown backend '%s' (available: fmodel, rtl)", backend);
        return CLI_USAGE_ERROR;
    }
    if (config && !at_hw_config_find(config)) {
        cli_error("gemm", "unknown configuration '%s' (tiny, mid, edge, server)", config);
        return CLI_USAGE_ERROR;
    }
    if (wall < 0)
        wall = strcmp(backend, "rtl") ? 0 : 3600;
    if (cli_wall_limit("gemm", strcmp(backend, "rtl") ? "the run" : "the rtl simulation", (unsigned)wall)) {
        cli_error("gemm", "cannot set the wall-clock limit");
        return CLI_RUN_ERROR;
    }
    o.m = (uint32_t)dims[0];
    o.n = (uint32_t)dims[1];
    o.k = (uint32_t)dims[2];
    o.timeout_ns = (uint64_t)timeout_ms * 1000000ull;

    /* host memory: the three matrices with padding, twice over, plus room */
    uint64_t need = 2 * ((uint64_t)o.m * at_gemm_ld_bytes(o.k) + (uint64_t)o.k * at_gemm_ld_bytes(o.n) +
                         (uint64_t)o.m * at_gemm_ld_bytes(o.n));
    if (need / 2 + (16ull << 20) > (4ull << 30)) {
        cli_error("gemm", "%ux%ux%u needs %llu MiB of device memory; the simulated host memory "
                        "has at most 4096 MiB",
                o.m, o.n, o.k, (unsigned long long)(need / 2 >> 20));
        return CLI_RUN_ERROR;
    }
    uint64_t mem = 64ull << 20;
    while (mem < need + (16ull << 20) && mem < (4ull << 30))
        mem *= 2;
    cli_device dev;
    at_err err = {0};
    if (cli_device_open(backend, config, dtb, mem, &dev, &err)) {
        cli_error("gemm", "%s", err.msg);
        return CLI_RUN_ERROR;
    }
    at_gemm_run_result r;
    int rc = at_gemm_run(dev.drv, &o, &r, &err);
    const at_hw_config *cfg = at_drv_config(dev.drv);
    int status = 0;
    if (rc) {
        cli_error("gemm", "%s", err.msg);
        if (json) {
            json_t *j = json_object();
            json_object_set_new(j, "ok", json_false());
            json_object_set_new(j, "error", json_string(err.msg));
            char *s = json_dumps(j, JSON_COMPACT);
            json_decref(j);
            if (s) {
                puts(s);
                cli_json_done();
                free(s);
            }
        }
        cli_device_close(&dev);
        return CLI_RUN_ERROR;
    }
    at_energy en;
    if (at_energy_from_counters(cfg, &r.delta, r.cycles, &en, &err)) {
        cli_error("gemm", "%s", err.msg);
        cli_device_close(&dev);
        return CLI_RUN_ERROR;
    }
    char cks[32];
    snprintf(cks, sizeof cks, "%016" PRIx64, r.checksum);
    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "ok", json_boolean(r.ok));
        json_object_set_new(j, "backend", json_string(dev.backend));
        json_object_set_new(j, "config", json_string(cfg->name));
        json_object_set_new(j, "m", json_integer(o.m));
        json_object_set_new(j, "n", json_integer(o.n));
        json_object_set_new(j, "k", json_integer(o.k));
        json_object_set_new(j, "seed", json_integer((json_int_t)o.seed));
        json_object_set_new(j, "tau", json_integer(o.tau));
        json_object_set_new(j, "sparsity", json_real(o.sparsity));
        json_object_set_new(j, "sparsity_actual", json_real(r.sparsity_actual));
        json_object_set_new(j, "cycles", json_integer((json_int_t)r.cycles));
        json_object_set_new(j, "macs", json_integer((json_int_t)r.macs));
        json_object_set_new(j, "peak_macs_per_cycle", json_integer((json_int_t)r.peak_macs_per_cycle));
        json_object_set_new(j, "utilization", json_real(r.utilization));
        json_object_set_new(j, "mac_issued", json_integer((json_int_t)r.mac_issued));
        json_object_set_new(j, "mac_skipped", json_integer((json_int_t)r.mac_skipped));
        json_object_set_new(j, "pruned", json_integer((json_int_t)r.pruned));
        json_object_set_new(j, "pruned_ref", json_integer((json_int_t)r.pruned_ref));
        json_object_set_new(j, "mismatches", json_integer((json_int_t)r.mismatches));
        json_object_set_new(j, "checksum", json_string(cks));
        json_object_set_new(j, "commands", json_integer(r.commands));
        json_object_set_new(j, "jobs", json_integer(r.jobs));
        json_object_set_new(j, "rows_per_block", json_integer(r.plan.rows_per_block));
        json_object_set_new(j, "cols_per_strip", json_integer(16 * r.plan.tiles_per_strip));
        json_object_set_new(j, "weight_slots", json_integer(r.plan.wgt_slots));
        json_object_set_new(j, "order", json_string(r.plan.rows_outer ? "rows" : "strips"));
        json_object_set_new(j, "dram_bytes", json_integer((json_int_t)(r.mem_rd + r.mem_wr)));
        json_object_set_new(j, "compute_cycles", json_integer((json_int_t)r.compute_cycles));
        json_object_set_new(j, "compute_utilization", json_real(r.roof.compute_utilization));
        json_object_set_new(j, "bytes_per_cycle", json_real(r.roof.bytes_per_cycle));
        json_object_set_new(j, "roofline_cycles", json_real(r.roof.roofline_cycles));
        json_object_set_new(j, "roofline_ratio", json_real(r.roof.roofline_ratio));
        json_object_set_new(j, "memory_bound", json_boolean(r.roof.memory_bound));
        json_object_set_new(j, "host_seconds", json_real(r.host_seconds));
        json_object_set_new(j, "sim_cycles", json_integer((json_int_t)r.sim_cycles));
        if (at_energy_json_add(j, &en))
            cli_error("gemm", "out of memory for the energy keys");
        char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
        json_decref(j);
        if (s) {
            puts(s);
            cli_json_done();
            free(s);
        }
    } else {
        printf("gemm %ux%ux%u on %s/%s: %s\n", o.m, o.n, o.k, cfg->name, dev.backend,
               r.ok ? "result matches the reference" : "RESULT DIFFERS from the reference");
        printf("plan       %u-row A blocks x %u-column weight strips (%d weight slot%s), %u strips x %u blocks, %u commands in %u job%s\n",
               r.plan.rows_per_block, 16 * r.plan.tiles_per_strip, r.plan.wgt_slots, r.plan.wgt_slots > 1 ? "s" : "",
               r.plan.strips, r.plan.blocks, r.commands, r.jobs, r.jobs == 1 ? "" : "s");
        printf("order      %s outer (plan: %" PRIu64 " bytes strips outer, %" PRIu64 " rows outer)\n",
               r.plan.rows_outer ? "row blocks" : "strips", r.plan.bytes_strips_outer, r.plan.bytes_rows_outer);
        printf("memory     %" PRIu64 " bytes read (descriptors included), %" PRIu64 " written\n", r.mem_rd,
               r.mem_wr);
        printf("cycles     %" PRIu64 " (device busy)\n", r.cycles);
        printf("MACs       %" PRIu64 " (M*N*K); issued %" PRIu64 ", skipped %" PRIu64 "\n", r.macs, r.mac_issued,
               r.mac_skipped);
        printf("utilization %.4f = MACs / (cycles x %" PRIu64 " peak MACs/cycle)\n", r.utilization,
               r.peak_macs_per_cycle);
        printf("compute    %" PRIu64 " cycles with the GEMM engine busy: utilization %.4f of them\n",
               r.compute_cycles, r.roof.compute_utilization);
        printf("roofline   %.0f cycles (%s-bound: %.0f compute, %.0f memory at %.2f bytes/cycle); ratio %.3f\n",
               r.roof.roofline_cycles, r.roof.memory_bound ? "memory" : "compute", r.roof.compute_bound_cycles,
               r.roof.memory_bound_cycles, r.roof.bytes_per_cycle, r.roof.roofline_ratio);
        printf("sparsity   %.4f of A is zero (asked %.4f); pruned %" PRIu64 " (reference %" PRIu64 ")\n",
               r.sparsity_actual, o.sparsity, r.pruned, r.pruned_ref);
        printf("checksum   %s; mismatches %" PRIu64 "\n", cks, r.mismatches);
        cli_print_energy(&en);
        printf("host       %.3f s for %" PRIu64 " simulated cycles\n", r.host_seconds, r.sim_cycles);
    }
    if (!r.ok) {
        cli_error("gemm", "%" PRIu64 " of %" PRIu64 " outputs differ from the reference",
                r.mismatches, (uint64_t)o.m * o.n);
        status = CLI_RUN_ERROR;
    }
    cli_device_close(&dev);
    return status;
}
