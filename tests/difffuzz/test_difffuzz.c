/* The short deterministic run of the differential descriptor fuzzer that
 * `make test` runs (the full budgets are `make fuzz-diff`,
 * docs/results/difffuzz.md):
 *   - the generator is a function of (seed, case index) and its hex dump
 *     reads back to the same case;
 *   - the oracle flags a wrong observation, and agrees with the fmodel on
 *     hand-made failing streams;
 *   - a few hundred descriptors on fmodel against the oracle's invariants;
 *   - ~150 descriptors on fmodel and rtl, compared (skipped without rtl);
 *   - every committed reproducer (tests/difffuzz/repro/) parses, keeps the
 *     invariants on fmodel and (with rtl) compares equal: each was a
 *     mismatch that the counter and run-time-error rules of docs/isa.md
 *     now settle (see the files). */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dfz.h"
#include "tmpdir.h"

#define SEED UINT64_C(0xD1FF0001)
#define FMODEL_DESCS 400
#define RTL_DESCS 150

static uint64_t g_seed;

static void report(const dfz_runner *r, const dfz_case *c, const dfz_report *rep)
{
    CHECK(0, "seed 0x%" PRIx64 " case %" PRIu64 " (replay: build/bin/difffuzz --mode %s --seed 0x%" PRIx64 " --case %" PRIu64
             "):\n%s",
          c->seed, c->index, r->nbe == 2 ? "diff" : "fmodel", c->seed, c->index, rep->text);
    for (int b = 0; b < r->nbe; b++)
        dfz_obs_print(&r->obs[b], at_cosim_backend_name(r->dev[b].be));
}

static void t_generator(void)
{
    dfz_knobs k;
    dfz_knobs_default(&k);
    const at_hw_config *cfg = at_hw_config_find("tiny");
    static dfz_case a, b, rd;
    dfz_gen_case(g_seed, 7, &k, cfg, &a);
    dfz_gen_case(g_seed, 7, &k, cfg, &b);
    CHECK(!memcmp(&a, &b, sizeof a), "case 7 of the same seed generated twice differs");
    dfz_gen_case(g_seed, 8, &k, cfg, &b);
    CHECK(memcmp(a.desc, b.desc, sizeof a.desc), "cases 7 and 8 are the same stream");
    CHECK(a.ndesc >= 2 && AT_DGET(a.desc[a.ndesc - 1], OPCODE) == AT_OP_FENCE, "case 7 does not end with a FENCE");
    char dir[128], path[256], msg[256];
    if (tmpdir_make(dir, sizeof dir, "difffuzz")) {
        CHECK(0, "no temporary folder");
        return;
    }
    snprintf(path, sizeof path, "%s/case7.hex", dir);
    CHECK(dfz_case_write(&a, path, "roundtrip") == 0, "write %s", path);
    int rc = dfz_case_read(path, &rd, msg, sizeof msg);
    CHECK(rc == 0, "read back: %s", msg);
    CHECK(!rc && !memcmp(&a, &rd, sizeof a), "the hex dump of case 7 reads back different");
    tmpdir_remove(dir);
    /* every opcode (and an unknown one) over 200 cases */
    unsigned seen[8] = {0};
    for (uint64_t i = 0; i < 200; i++) {
        dfz_gen_case(g_seed, i, &k, cfg, &b);
        for (unsigned j = 0; j < b.ndesc; j++) {
            unsigned op = AT_DGET(b.desc[j], OPCODE);
            seen[op < 7 ? op : 7]++;
        }
    }
    for (unsigned op = 0; op < 8; op++)
        CHECK(seen[op] > 0, "no %s in 200 cases", op < 7 ? dfz_op_name(op) : "unknown opcode");
}

/* A hand-made stream: NOP, one bad command, FENCE. */
static void bad_case(dfz_case *c, const uint32_t bad[AT_DESC_WORDS])
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->mem_seed = 42;
    c->win_base[1] = DFZ_MEM_BASE;
    c->win_size[1] = DFZ_MEM_BYTES;
    c->ring_base = DFZ_MEM_BASE + DFZ_RING_AREA;
    c->ring_log2 = 3;
    c->irq_enable = 3;
    c->ndesc = 3;
    AT_DPUT(c->desc[0], TAG, 0x11);
    memcpy(c->desc[1], bad, AT_DESC_BYTES);
    AT_DPUT(c->desc[2], OPCODE, AT_OP_FENCE);
    AT_DPUT(c->desc[2], FENCE_WRITE, 1);
    AT_DPUT(c->desc[2], FENCE_VALUE, 0xabcd);
    AT_DPUT(c->desc[2], FENCE_ADDR_LO, (uint32_t)(DFZ_MEM_BASE + DFZ_OUT));
}

static void t_oracle(void)
{
    dfz_runner r;
    at_err err = {0};
    if (dfz_runner_open(&r, 0, AT_COSIM_FAST, &err)) {
        CHECK(0, "runner: %s", err.msg);
        return;
    }
    static dfz_case c;
    dfz_report rep;
    unsigned f;
    /* GEMM with LDB not a multiple of 4: ILLEGAL_FIELD 4 at index 1 */
    uint32_t d[AT_DESC_WORDS] = {0};
    AT_DPUT(d, OPCODE, AT_OP_GEMM);
    AT_DPUT(d, TAG, 0x77);
    AT_DPUT(d, GEMM_M, 3);
    AT_DPUT(d, GEMM_N, 5);
    AT_DPUT(d, GEMM_K, 7);
    AT_DPUT(d, GEMM_LDB, 6);
    AT_DPUT(d, GEMM_C, 100);
    AT_DPUT(d, GEMM_LDC, 1);
    AT_DPUT(d, GEMM_LDA, 1);
    bad_case(&c, d);
    dfz_verdict v[DFZ_MAX_DESC];
    dfz_oracle(&c, r.cfg, v);
    CHECK(v[0].kind == DFZ_V_OK && v[1].kind == DFZ_V_FAIL && v[1].code == AT_DEVERR_ILLEGAL_FIELD && v[1].detail == 4,
          "oracle on GEMM LDB 6: kind %d code %u detail %u", v[1].kind, v[1].code, v[1].detail);
    CHECK(dfz_runner_case(&r, &c, &rep, &f) && f == 1, "fmodel on GEMM LDB 6 (stopped at %u):\n%s", f, rep.text);
    CHECK(r.obs[0].err_info == 4 && r.obs[0].head == 1, "fmodel: ERR_INFO %u HEAD %u", r.obs[0].err_info, r.obs[0].head);
    /* a tampered observation is caught */
    dfz_obs o = r.obs[0];
    o.head = 2;
    memset(&rep, 0, sizeof rep);
    int bus;
    dfz_check(&c, r.cfg, r.img, &o, "tampered", &rep, &f, &bus);
    CHECK(rep.failed && strstr(rep.text, "RING_HEAD"), "a wrong RING_HEAD passed the check");
    o = r.obs[0];
    o.mem = malloc(DFZ_MEM_BYTES);
    if (o.mem) {
        memcpy(o.mem, r.obs[0].mem, DFZ_MEM_BYTES);
        o.mem[DFZ_IN + 5] ^= 1; /* a byte no command writes */
        memset(&rep, 0, sizeof rep);
        dfz_check(&c, r.cfg, r.img, &o, "tampered", &rep, &f, &bus);
        CHECK(rep.failed && strstr(rep.text, "no command that ran writes it"), "a stray write passed the check");
        free(o.mem);
    }
    /* the FENCE outside every window: ADDR_WINDOW with the address */
    AT_DPUT(d, GEMM_LDB, 8);
    bad_case(&c, d);
    c.win_size[1] = DFZ_OUT; /* window ends where the fence write goes */
    CHECK(dfz_runner_case(&r, &c, &rep, &f) && f == 2, "fmodel on a FENCE outside the window (stopped at %u):\n%s", f,
          rep.text);
    CHECK(AT_GET(AT_REG_ERR_CODE_CODE, r.obs[0].err_code) == AT_DEVERR_ADDR_WINDOW &&
              r.obs[0].err_info == (uint32_t)(DFZ_MEM_BASE + DFZ_OUT),
          "fmodel: ERR_CODE 0x%08x ERR_INFO 0x%08x", r.obs[0].err_code, r.obs[0].err_info);
    dfz_runner_close(&r);
}

/* Cases of seed from index first on until descs descriptors ran. */
static void run_mode(int with_rtl, uint64_t first, unsigned descs)
{
    dfz_runner r;
    at_err err = {0};
    if (dfz_runner_open(&r, with_rtl, AT_COSIM_FAST, &err)) {
        CHECK(0, "runner: %s", err.msg);
        return;
    }
    dfz_knobs k;
    dfz_knobs_default(&k);
    k.fault_pct = 25; /* more bus errors in a short run */
    static dfz_case c;
    dfz_report rep;
    unsigned n = 0, cases = 0, halted = 0;
    for (uint64_t i = first; n < descs; i++) {
        dfz_gen_case(g_seed, i, &k, r.cfg, &c);
        unsigned f;
        if (!dfz_runner_case(&r, &c, &rep, &f))
            report(&r, &c, &rep);
        n += c.ndesc;
        cases++;
        halted += f < c.ndesc;
    }
    printf("  %s: %u descriptors in %u streams (%u halted)\n", with_rtl ? "fmodel vs rtl" : "fmodel", n, cases, halted);
    dfz_runner_close(&r);
}

static void t_fmodel(void)
{
    run_mode(0, 0, FMODEL_DESCS);
}

static void t_diff(void)
{
    if (!at_cosim_available(AT_COSIM_RTL, "tiny")) {
        check_skip_case("fmodel vs rtl: the rtl backend is not in this build");
        return;
    }
    run_mode(1, 1000, RTL_DESCS);
}

static void t_repros(void)
{
    const char *dir = "tests/difffuzz/repro";
    DIR *dd = opendir(dir);
    if (!dd) {
        CHECK(0, "cannot open %s", dir);
        return;
    }
    dfz_runner r;
    at_err err = {0};
    int with_rtl = at_cosim_available(AT_COSIM_RTL, "tiny");
    if (!with_rtl)
        check_skip(1, "reproducers on fmodel vs rtl: the rtl backend is not in this build (fmodel only)");
    if (dfz_runner_open(&r, with_rtl, AT_COSIM_FAST, &err)) {
        CHECK(0, "runner: %s", err.msg);
        closedir(dd);
        return;
    }
    static dfz_case c;
    struct dirent *e;
    unsigned n = 0;
    while ((e = readdir(dd)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".hex"))
            continue;
        char path[512], msg[256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int rc = dfz_case_read(path, &c, msg, sizeof msg);
        CHECK(rc == 0, "%s", msg);
        if (rc)
            continue;
        dfz_report rep;
        unsigned f = 0;
        CHECK(dfz_runner_case(&r, &c, &rep, &f), "%s on %s:\n%s", path, with_rtl ? "fmodel vs rtl" : "fmodel",
              rep.text);
        n++;
        /* the counter bounds after the halt can fail: a tampered count is caught */
        if (f < c.ndesc) {
            static const struct {
                unsigned k;
                const char *name;
            } tamper[] = {{DFZ_CNT_CMDS, "CNT_CMDS"}, {DFZ_CNT_MEM_RD, "CNT_MEM_RD_BYTES"}, {DFZ_CNT_MEM_WR, "CNT_MEM_WR_BYTES"}};
            for (size_t t = 0; t < sizeof tamper / sizeof tamper[0]; t++) {
                dfz_obs o = r.obs[0];
                o.cnt[tamper[t].k] += 1000000;
                dfz_report tr;
                memset(&tr, 0, sizeof tr);
                unsigned ff;
                int bus;
                dfz_check(&c, r.cfg, r.img, &o, "tampered", &tr, &ff, &bus);
                CHECK(tr.failed && strstr(tr.text, tamper[t].name), "%s: %s + 10^6 passed the check", path,
                      tamper[t].name);
            }
        }
    }
    closedir(dd);
    CHECK(n >= 1, "no reproducers in %s", dir);
    dfz_runner_close(&r);
}

int main(void)
{
    g_seed = check_seed("difffuzz", SEED);
    RUN_CASE(t_generator);
    RUN_CASE(t_oracle);
    RUN_CASE(t_fmodel);
    RUN_CASE(t_diff);
    RUN_CASE(t_repros);
    return check_finish("difffuzz");
}
