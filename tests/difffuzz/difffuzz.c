/* difffuzz: the differential descriptor fuzzer of acceltran
 * (docs/results/difffuzz.md).
 *
 *   difffuzz --mode fmodel --descs 100000 [--seed S]   fmodel against the oracle's invariants
 *   difffuzz --mode diff --descs 1000 [--seed S]       fmodel and rtl on the same streams, compared
 *   difffuzz --mode diff --seed S --case I             one case again
 *   difffuzz --replay FILE                             a reproducer (both backends when rtl is built)
 *
 * Every failing case is printed (seed, case, command, both sides),
 * minimized (diff mode) and written as a hex dump under --repro-dir. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfz.h"

/* A host crash names its case: the line is made before each case, the
 * handler only writes it (write is async-signal-safe) and dies as before. */
static char crash_line[160];

static void on_crash(int sig)
{
    ssize_t n = write(2, crash_line, strlen(crash_line));
    (void)n;
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: difffuzz [--mode fmodel|diff] [--seed S] [--descs N] [--case I] [--first I]\n"
            "                [--bad-pct P] [--fault-pct P] [--frag-pct P] [--min-len N] [--max-len N]\n"
            "                [--repro-dir DIR] [--max-fail N] [--no-minimize] [--verbose] \n"
            "                [--no-smx-row-errors]\n"
            "       difffuzz --replay FILE [--mode fmodel|diff]\n"
            "  --mode fmodel  run on the functional model only, checking the invariants (default)\n"
            "  --mode diff    run on fmodel and rtl, check both and compare them\n"
            "  --descs N      stop after at least N descriptors (default 1000)\n"
            "  --case I       run only case I of the seed\n"
            "  --rtl-debug    the rtl model in its debug profile (assertions, randomized initial state)\n"
            "  --no-smx-row-errors  no SOFTMAX whose per-row lengths (LEN_VEC) may fail while running\n");
}

static int parse_u64(const char *opt, const char *v, uint64_t *out)
{
    char *e;
    if (!v) {
        fprintf(stderr, "difffuzz: %s needs a value\n", opt);
        return -1;
    }
    *out = strtoull(v, &e, 0);
    if (*e) {
        fprintf(stderr, "difffuzz: %s: '%s' is not a number\n", opt, v);
        return -1;
    }
    return 0;
}

static void print_case_failure(const dfz_runner *r, const dfz_case *c, unsigned f, const dfz_report *rep)
{
    fprintf(stderr, "FAIL seed 0x%016" PRIx64 " case %" PRIu64 " (command %u of %u", c->seed, c->index, f, c->ndesc);
    if (f < c->ndesc)
        fprintf(stderr, ", %s", dfz_op_name(AT_DGET(c->desc[f], OPCODE)));
    fprintf(stderr, ")\n%s", rep->text);
    for (int b = 0; b < r->nbe; b++)
        dfz_obs_print(&r->obs[b], at_cosim_backend_name(r->dev[b].be));
    if (f < c->ndesc)
        dfz_desc_print(stderr, "    command", c->desc[f]);
}

int main(int argc, char **argv)
{
    dfz_knobs k;
    dfz_knobs_default(&k);
    const char *mode = "fmodel", *repro_dir = "build/difffuzz", *replay = NULL;
    uint64_t seed = (uint64_t)time(NULL), descs = 1000, one = UINT64_MAX, first = 0, max_fail = 5, v;
    int minimize = 1, verbose = 0;
    at_cosim_profile prof = AT_COSIM_FAST;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NUM(name, dst)                          \
    if (!strcmp(a, name)) {                     \
        if (parse_u64(a, val, &v))              \
            return 2;                           \
        dst = v;                                \
        i++;                                    \
        continue;                               \
    }
        NUM("--seed", seed);
        NUM("--descs", descs);
        NUM("--case", one);
        NUM("--first", first);
        NUM("--bad-pct", k.bad_pct);
        NUM("--fault-pct", k.fault_pct);
        NUM("--frag-pct", k.frag_pct);
        NUM("--min-len", k.min_len);
        NUM("--max-len", k.max_len);
        NUM("--max-fail", max_fail);
#undef NUM
        if (!strcmp(a, "--mode") || !strcmp(a, "--repro-dir") || !strcmp(a, "--replay")) {
            if (!val) {
                fprintf(stderr, "difffuzz: %s needs a value\n", a);
                return 2;
            }
            if (!strcmp(a, "--mode"))
                mode = val;
            else if (!strcmp(a, "--repro-dir"))
                repro_dir = val;
            else
                replay = val;
            i++;
        } else if (!strcmp(a, "--no-smx-row-errors")) {
            k.exclude_smx_row_error = 1;
        } else if (!strcmp(a, "--rtl-debug")) {
            prof = AT_COSIM_DEBUG;
        } else if (!strcmp(a, "--no-minimize")) {
            minimize = 0;
        } else if (!strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "difffuzz: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    int diff = !strcmp(mode, "diff");
    if (!diff && strcmp(mode, "fmodel")) {
        fprintf(stderr, "difffuzz: --mode must be fmodel or diff (got '%s')\n", mode);
        return 2;
    }
    if (k.max_len > DFZ_MAX_DESC || k.min_len > k.max_len || k.bad_pct > 100 || k.fault_pct > 100 || k.frag_pct > 100) {
        fprintf(stderr, "difffuzz: lengths must satisfy 2 <= min-len <= max-len <= %u, shares <= 100\n", DFZ_MAX_DESC);
        return 2;
    }
    if (diff && !at_cosim_available(AT_COSIM_RTL, "tiny")) {
        fprintf(stderr, "difffuzz: --mode diff needs the rtl backend, which this program was built without\n");
        return 2;
    }
    dfz_runner r;
    at_err err = {0};
    if (dfz_runner_open(&r, diff, prof, &err)) {
        fprintf(stderr, "difffuzz: %s\n", err.msg);
        return 1;
    }
    dfz_report rep;
    if (replay) {
        dfz_case c;
        char msg[256];
        if (dfz_case_read(replay, &c, msg, sizeof msg)) {
            fprintf(stderr, "difffuzz: %s\n", msg);
            dfz_runner_close(&r);
            return 2;
        }
        unsigned f;
        int ok = dfz_runner_case(&r, &c, &rep, &f);
        if (!ok)
            print_case_failure(&r, &c, f, &rep);
        else if (verbose)
            for (int b = 0; b < r.nbe; b++)
                dfz_obs_print(&r.obs[b], at_cosim_backend_name(r.dev[b].be));
        fflush(stderr);
        printf("difffuzz: replay %s on %s: %s\n", replay, diff ? "fmodel and rtl" : "fmodel", ok ? "ok" : "FAILED");
        dfz_runner_close(&r);
        return ok ? 0 : 1;
    }
    printf("difffuzz: mode %s, seed 0x%016" PRIx64 " (replay: --seed 0x%" PRIx64 " --case I), %" PRIu64
           " descriptors, bad %u%%, faults %u%%, fragmented windows %u%%, %u..%u commands per stream%s\n",
           mode, seed, seed, descs, k.bad_pct, k.fault_pct, k.frag_pct, k.min_len, k.max_len,
           k.exclude_smx_row_error ? ", SOFTMAX row errors excluded" : "");
    fflush(stdout);
    uint64_t ndesc = 0, ncases = 0, nfail = 0, halted = 0, bus = 0, ran = 0;
    uint64_t per_op[8] = {0};
    double worst = 0; /* largest share of its cycle budget a stream used */
    uint64_t worst_case = 0;
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGABRT, on_crash);
    double t0 = now_s();
    for (uint64_t idx = (one != UINT64_MAX ? one : first);; idx++) {
        if (one != UINT64_MAX ? idx != one : ndesc >= descs)
            break;
        dfz_case c;
        dfz_gen_case(seed, idx, &k, r.cfg, &c);
        snprintf(crash_line, sizeof crash_line,
                 "difffuzz: host crash in seed 0x%016" PRIx64 " case %" PRIu64 " (replay: --mode %s --seed 0x%" PRIx64
                 " --case %" PRIu64 ")\n",
                 seed, idx, mode, seed, idx);
        unsigned f;
        int ok = dfz_runner_case(&r, &c, &rep, &f);
        ncases++;
        ndesc += c.ndesc;
        for (unsigned i = 0; i < c.ndesc; i++) {
            unsigned op = AT_DGET(c.desc[i], OPCODE);
            per_op[op < 7 ? op : 7]++;
        }
        ran += f;
        for (int b = 0; b < r.nbe; b++) {
            double u = (double)r.obs[b].cycles / (double)dfz_cycle_budget(&c);
            if (u > worst) {
                worst = u;
                worst_case = idx;
            }
        }
        if (f < c.ndesc) {
            halted++;
            unsigned code = AT_GET(AT_REG_ERR_CODE_CODE, r.obs[0].err_code);
            bus += code == AT_DEVERR_BUS_SLVERR || code == AT_DEVERR_BUS_DECERR;
        }
        if (verbose)
            printf("  case %" PRIu64 ": %u commands, stopped at %u (%s, %s %u), %s\n", idx, c.ndesc, f,
                   f < c.ndesc ? dfz_op_name(AT_DGET(c.desc[f], OPCODE)) : "-",
                   at_deverr_name(r.obs[0].err_code & 0xff) ? at_deverr_name(r.obs[0].err_code & 0xff) : "?",
                   r.obs[0].err_info, ok ? "ok" : "FAILED");
        if (ok)
            continue;
        nfail++;
        fflush(stdout);
        print_case_failure(&r, &c, f, &rep);
        dfz_case m = c;
        if (minimize && diff) {
            int dropped = dfz_minimize(&r, &c, &m);
            fprintf(stderr, "  minimized: %u commands (%d dropped)\n", m.ndesc, dropped);
            for (unsigned i = 0; i < m.ndesc; i++) {
                char p[24];
                snprintf(p, sizeof p, "    [%u]", i);
                dfz_desc_print(stderr, p, m.desc[i]);
            }
        }
        char path[512], cmd[600];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", repro_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "difffuzz: cannot create %s\n", repro_dir);
        snprintf(path, sizeof path, "%s/repro-%016" PRIx64 "-%" PRIu64 ".hex", repro_dir, seed, idx);
        dfz_report mrep = rep;
        if (m.ndesc != c.ndesc)
            dfz_runner_case(&r, &m, &mrep, NULL); /* the minimized case's own findings */
        char why[700];
        snprintf(why, sizeof why, "replay: difffuzz --replay FILE --mode %s%s; finding: %.500s", mode,
                 k.exclude_smx_row_error ? " --no-smx-row-errors" : "", mrep.text);
        for (char *p = why; *p; p++)
            if (*p == '\n')
                *p = ' ';
        if (dfz_case_write(&m, path, why))
            fprintf(stderr, "difffuzz: cannot write %s\n", path);
        else
            fprintf(stderr, "  reproducer: %s (difffuzz --replay %s%s)\n", path, path, diff ? " --mode diff" : "");
        if (nfail >= max_fail) {
            fprintf(stderr, "difffuzz: stopping after %" PRIu64 " failing cases\n", nfail);
            break;
        }
    }
    double t = now_s() - t0;
    printf("difffuzz: %" PRIu64 " descriptors (%" PRIu64 " before the stopping point) in %" PRIu64 " streams (%" PRIu64
           " halted, %" PRIu64 " by bus errors) in %.1f s (%.0f descriptors/s); %" PRIu64 " failing\n",
           ndesc, ran, ncases, halted, bus, t, t > 0 ? ndesc / t : 0.0, nfail);
    printf("difffuzz: per opcode: NOP %" PRIu64 " LOAD %" PRIu64 " STORE %" PRIu64 " GEMM %" PRIu64 " SOFTMAX %" PRIu64
           " LAYERNORM %" PRIu64 " FENCE %" PRIu64 " unknown %" PRIu64 "\n",
           per_op[0], per_op[1], per_op[2], per_op[3], per_op[4], per_op[5], per_op[6], per_op[7]);
    printf("difffuzz: the longest stream used %.1f %% of its cycle budget (case %" PRIu64 ")\n", 100.0 * worst, worst_case);
    for (int b = 0; b < r.nbe; b++)
        printf("difffuzz: %s simulated %" PRIu64 " cycles\n", at_cosim_backend_name(r.dev[b].be), r.dev[b].sim_cycles);
    dfz_runner_close(&r);
    return nfail ? 1 : 0;
}
