/* Differential descriptor fuzzer: running a case on a device, the rules of
 * docs/isa.md as an oracle, the invariants, and the comparison of two
 * backends (docs/results/difffuzz.md).
 *
 * A case runs at the register level, as tests/cosim do (not through the
 * driver, so that descriptors the driver would refuse reach the device):
 * soft reset, the whole host-memory image written, window 0 over host
 * memory and the setup ring (LOADs filling every scratchpad line and mask
 * word), run until idle; then the case's windows, ring, interrupt enables
 * and bus fault, the doorbell, and one run bounded by dfz_cycle_budget.
 *
 * What is compared between fmodel and rtl (and why; nothing else):
 *   STATUS, ERR_CODE, ERR_DESC, ERR_INFO, IRQ_STATUS, the interrupt line,
 *   RING_HEAD, FENCE_DONE: defined by docs/isa.md (Errors, The queue, FENCE)
 *   for any run, run-time errors included.
 *   The counters CMDS, MAC_ISSUED, MAC_SKIPPED, PRUNED, SMX_ROWS, LN_ROWS,
 *   MEM_RD_BYTES, MEM_WR_BYTES where docs/isa.md (Performance counters) says they are
 *   exact: every one without an error, all but MEM_RD_BYTES after a
 *   decode-time halt, and after a run-time error (bus error, SOFTMAX row
 *   length) those that no command that may have run on one backend only
 *   changes (dfz_compare). Each backend is held to the bounds on its own
 *   (dfz_check). The cycle counters and SPAD_RD/SPAD_WR are not
 *   exact.
 *   All of host memory, byte for byte, except after a run-time error the
 *   ranges of the STOREs from the failing command up to the next FENCE (a
 *   STORE that failed part-way leaves unspecified memory; commands issued
 *   past the failing one may have run).
 * Checked on every backend against the oracle (docs/isa.md's checks in
 * their order): halted exactly at the first failing descriptor with its
 * code, detail, descriptor address, opcode and tag; else idle with HEAD =
 * the stream's end and FENCE_DONE = the last FENCE's value; no byte changed
 * outside the open windows or outside the ranges the commands that ran may
 * write; CNT_CMDS, CNT_MEM_WR_BYTES, CNT_MEM_RD_BYTES,
 * CNT_MAC_ISSUED + CNT_MAC_SKIPPED, CNT_SMX_ROWS and CNT_LN_ROWS as the commands that ran imply, within
 * docs/isa.md's bounds after a halt. */
#ifndef ACCELTRAN_DIFFFUZZ_DFZ_H
#define ACCELTRAN_DIFFFUZZ_DFZ_H

#include <stddef.h>
#include <stdint.h>

#include "acceltran_cosim.h"
#include "gen.h"

typedef struct dfz_dev {
    at_cosim *c;
    at_cosim_backend be;
    at_cosim_profile prof;
    const at_hw_config *cfg;
    uint64_t sim_cycles;
} dfz_dev;

/* prof: the rtl model's profile (AT_COSIM_DEBUG: assertions, randomized initial state). */
int dfz_dev_open(dfz_dev *d, at_cosim_backend be, at_cosim_profile prof, at_err *err);
void dfz_dev_close(dfz_dev *d);

/* Descriptors the rtl's fetcher may have read past the one at issue
 * (acceltran_cmdproc's FetchDepth): the bound on CNT_MEM_RD_BYTES after a
 * decode-time halt. */
#define DFZ_FETCH_AHEAD 4u

/* The compared counters; the compute ones first (through DFZ_CNT_LN_ROWS). */
enum {
    DFZ_CNT_MAC_ISSUED, DFZ_CNT_MAC_SKIPPED, DFZ_CNT_PRUNED, DFZ_CNT_SMX_ROWS, DFZ_CNT_LN_ROWS,
    DFZ_CNT_MEM_WR, DFZ_CNT_CMDS, DFZ_CNT_MEM_RD, DFZ_NCNT
};

/* What one backend did with one case. */
typedef struct dfz_obs {
    int rc;             /* host-side failure of the API (0: none) */
    char msg[512];
    int finished;       /* the run ended idle within the budget */
    uint64_t cycles;    /* device cycles of the stream's run */
    uint32_t status, err_code, err_info, irq_status, irq_line, head, fence_done;
    uint64_t err_desc;
    uint64_t cnt[DFZ_NCNT]; /* increments during the stream */
    uint8_t *mem;       /* host memory after the stream (DFZ_MEM_BYTES) */
} dfz_obs;

/* Runs c on d; the image is dfz_gen_image's. Fills o (o->mem must hold
 * DFZ_MEM_BYTES). Returns o->rc. */
int dfz_run_case(dfz_dev *d, const dfz_case *c, const uint8_t *img, dfz_obs *o);

/* The oracle's verdict on descriptor i of a case (fetch included). */
enum { DFZ_V_OK, DFZ_V_FAIL, DFZ_V_BUS, DFZ_V_MAYBE_SMX };
typedef struct dfz_verdict {
    int kind;
    unsigned code, detail; /* DFZ_V_FAIL */
    int fetch;             /* the failure is the descriptor's fetch (ERR_CODE opcode and tag 0) */
} dfz_verdict;

void dfz_oracle(const dfz_case *c, const at_hw_config *cfg, dfz_verdict v[DFZ_MAX_DESC]);

/* Failure text: appended, bounded. */
typedef struct dfz_report {
    int failed;
    char text[4096];
    size_t len;
} dfz_report;

void dfz_fail(dfz_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checks one backend's observation of c against the oracle (r->failed on a
 * violation). fail_out: the index where the stream stopped (ndesc if it
 * did not), bus_out: 1 when that was a run-time error (a bus error or
 * SOFTMAX's row length). */
void dfz_check(const dfz_case *c, const at_hw_config *cfg, const uint8_t *img, const dfz_obs *o, const char *name,
               dfz_report *r, unsigned *fail_out, int *bus_out);

/* Compares the observations of two backends (see the header comment);
 * fail: where the streams stopped, rt: that was a run-time error. */
void dfz_compare(const dfz_case *c, const dfz_obs *a, const char *an, const dfz_obs *b, const char *bn, unsigned fail,
                 int rt, dfz_report *r);

/* fmodel (and rtl) devices, the image and the observations of one case. */
typedef struct dfz_runner {
    dfz_dev dev[2];
    int nbe;
    at_cosim_profile prof;
    const at_hw_config *cfg;
    uint8_t *img;
    dfz_obs obs[2];
} dfz_runner;

int dfz_runner_open(dfz_runner *r, int with_rtl, at_cosim_profile prof, at_err *err);
void dfz_runner_close(dfz_runner *r);
/* Runs c on every backend of r, checks each against the oracle and (two
 * backends) compares them. 1 when everything held; rep says what did not;
 * *fail_out = fmodel's stopping index. */
int dfz_runner_case(dfz_runner *r, const dfz_case *c, dfz_report *rep, unsigned *fail_out);
/* A smaller case that still fails (commands dropped one by one); returns
 * the commands dropped. */
int dfz_minimize(dfz_runner *r, const dfz_case *c, dfz_case *out);

/* Prints the observation of one backend. */
void dfz_obs_print(const dfz_obs *o, const char *name);

#endif
