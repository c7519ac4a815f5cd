/* A bus response held by an injected stall (at_cosim_mem_stall with
 * UINT32_MAX) and then released without a soft reset: on every available
 * backend the held command completes and the rest of the job runs, as on
 * the RTL. The job: LOAD 16 rows (one 1-beat burst per row: MEM_STRIDE 64),
 * STORE them, a second LOAD / STORE pair, a FENCE with write-back and IRQ.
 * The held burst, in turn: the 6th beat of the first LOAD, the 6th beat of
 * the first STORE, the descriptor fetch of that STORE, the fence write.
 * While held (3000 cycles, far beyond the job's own ~500): no IRQ,
 * FENCE_DONE 0, STATUS busy and not idle, fewer than 5 commands done, and
 * for the STORE only its first 5 rows in memory. Released: the IRQ within
 * 2000 cycles, every row copied, the fence value written, the exact
 * counters equal on both backends, and the cycles from the release to the
 * IRQ within 25 % (+ 40) of each other. */
#include "cosim_util.h"

#define ROWS 16u
#define HOLD_CYCLES 3000u
#define FENCE_VALUE 0x5a5a0001u

enum { T_LOAD, T_STORE, T_FETCH, T_FENCE, T_NUM };
static const char *const target_name[T_NUM] = {"LOAD beat 5", "STORE beat 5", "STORE's descriptor fetch",
                                               "fence write-back"};

typedef struct outcome {
    int ran;
    uint64_t resume_cycles;
    cu_counts cnt;
} outcome;

static void one(at_cosim_backend be, int t, outcome *out)
{
    cdev d;
    memset(out, 0, sizeof *out);
    if (cu_open(&d, be, AT_COSIM_FAST, 1))
        return;
    char what[96];
    snprintf(what, sizeof what, "%s, %s held", cu_name(&d), target_name[t]);
    /* rows of 32 bytes 64 bytes apart: every row its own 1-beat burst */
    uint64_t src = cu_alloc(&d, 2 * ROWS * 64), dst = cu_alloc(&d, 2 * ROWS * 64), fw = cu_alloc(&d, 64);
    uint8_t pat[2 * ROWS * 64], zero[2 * ROWS * 64], got[2 * ROWS * 64];
    for (unsigned i = 0; i < sizeof pat; i++)
        pat[i] = (uint8_t)(i * 37 + 11);
    memset(zero, 0, sizeof zero);
    cu_put(&d, src, pat, sizeof pat);
    cu_put(&d, dst, zero, sizeof zero);
    cu_put(&d, fw, zero, 64);
    uint32_t w[AT_DESC_WORDS];
    for (unsigned p = 0; p < 2; p++) {
        uint64_t off = (uint64_t)p * ROWS * 64;
        desc_xfer(w, AT_OP_LOAD, 0, p * ROWS, ROWS, 16, 1, 1, src + off, 64, 1 + 2 * p);
        cu_push(&d, w);
        desc_xfer(w, AT_OP_STORE, 0, p * ROWS, ROWS, 16, 1, 1, dst + off, 64, 2 + 2 * p);
        cu_push(&d, w);
    }
    desc_fence(w, FENCE_VALUE, fw, 1, 5);
    cu_push(&d, w);
    uint64_t addr = t == T_LOAD ? src + 5 * 64 : t == T_STORE ? dst + 5 * 64 : t == T_FETCH ? d.ring + 64 : fw;
    at_err err = {0};
    CHECK(at_cosim_mem_stall(d.c, addr, t == T_FENCE ? 4 : 32, UINT32_MAX, &err) == 0, "%s: stall: %s", what,
          err.msg);
    cu_wr(&d, AT_REG_RING_TAIL, d.n);
    at_cosim_why why = 0;
    int rc = at_cosim_run(d.c, AT_COSIM_UNTIL_IRQ, HOLD_CYCLES, &why, &err);
    CHECK(rc == 0 && why == AT_COSIM_STOPPED_LIMIT, "%s: the job ended while held (rc %d why %d: %s)", what, rc,
          (int)why, err.msg);
    uint32_t st = cu_rd(&d, AT_REG_STATUS);
    uint64_t cmds = cu_cnt(&d, AT_REG_CNT_CMDS_LO);
    CHECK((st & AT_REG_STATUS_BUSY_MASK) && !(st & AT_REG_STATUS_IDLE_MASK) && !(st & AT_REG_STATUS_HALTED_MASK),
          "%s: STATUS 0x%08x while held", what, st);
    CHECK(cu_rd(&d, AT_REG_FENCE_DONE) == 0 && cmds < 5 && !at_cosim_irq(d.c), "%s: FENCE_DONE 0x%08x, %llu commands, irq %d while held",
          what, cu_rd(&d, AT_REG_FENCE_DONE), (unsigned long long)cmds, at_cosim_irq(d.c));
    if (t == T_STORE) {
        cu_get(&d, dst, got, ROWS * 64);
        for (unsigned r = 0; r < ROWS; r++)
            CHECK(!memcmp(got + 64 * r, r < 5 ? pat + 64 * r : zero, 32), "%s: row %u %s while held", what, r,
                  r < 5 ? "not stored" : "stored");
    }
    /* release: the held response comes, the job finishes */
    uint64_t t0 = at_cosim_cycles(d.c);
    CHECK(at_cosim_mem_stall(d.c, 0, 0, 0, &err) == 0, "%s: release: %s", what, err.msg);
    rc = at_cosim_run(d.c, AT_COSIM_UNTIL_IRQ, 2000, &why, &err);
    out->resume_cycles = at_cosim_cycles(d.c) - t0;
    CHECK(rc == 0 && why == AT_COSIM_STOPPED_IRQ, "%s: no IRQ within 2000 cycles of the release (rc %d why %d: %s)",
          what, rc, (int)why, err.msg);
    uint32_t irq = cu_rd(&d, AT_REG_IRQ_STATUS);
    CHECK(irq == AT_REG_IRQ_STATUS_DONE_MASK, "%s: IRQ_STATUS 0x%x (want DONE only)", what, irq);
    cu_wr(&d, AT_REG_IRQ_STATUS, irq);
    rc = at_cosim_run(d.c, AT_COSIM_UNTIL_IDLE, 1000, &why, &err);
    CHECK(rc == 0 && why == AT_COSIM_STOPPED_IDLE, "%s: not idle after the IRQ (why %d)", what, (int)why);
    uint32_t fv = 0;
    cu_get(&d, fw, &fv, 4);
    CHECK(cu_rd(&d, AT_REG_FENCE_DONE) == FENCE_VALUE && fv == FENCE_VALUE, "%s: FENCE_DONE 0x%08x, write-back 0x%08x",
          what, cu_rd(&d, AT_REG_FENCE_DONE), fv);
    cu_get(&d, dst, got, sizeof got);
    for (unsigned r = 0; r < 2 * ROWS; r++)
        if (!cu_same_bytes(what, "dst", got + 64 * r, "src", pat + 64 * r, 32))
            break;
    cu_read_counts(&d, &out->cnt);
    CHECK(out->cnt.cmds == 5, "%s: %llu commands done", what, (unsigned long long)out->cnt.cmds);
    out->ran = !check_g.case_failed;
    printf("  %s: IRQ %llu cycles after the release\n", what, (unsigned long long)out->resume_cycles);
    cu_close(&d);
}

static void case_resume(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    for (int t = 0; t < T_NUM; t++) {
        outcome o[2];
        for (int b = 0; b < nb; b++)
            one(bes[b], t, &o[b]);
        if (nb == 2 && o[0].ran && o[1].ran) {
            cu_check_counts(target_name[t], "fmodel", &o[0].cnt, "rtl", &o[1].cnt, 1);
            double f = (double)o[0].resume_cycles, r = (double)o[1].resume_cycles;
            CHECK(f <= 1.25 * r + 40 && r <= 1.25 * f + 40,
                  "%s: release to IRQ fmodel %.0f vs rtl %.0f cycles (want within 25 %% + 40)", target_name[t], f, r);
        }
    }
}

int main(void)
{
    RUN_CASE(case_resume);
    return check_finish("cosim_stall_resume");
}
