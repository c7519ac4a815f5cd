/* W beats under an abort (rtl only; docs/rtl-control.md "STORE"): a STORE
 * streaming beside a LOAD (so the shared memory bandwidth stalls W beats
 * with WREADY low) is stopped
 *   - by SOFT_RESET at 24 different cycles of the stream (quiesce), and
 *   - by a SLVERR on each of its 16 bursts in turn (the error arrives with
 *     the burst's B while later beats stream);
 * each time a W beat may be waiting for WREADY when the abort starts. AXI4
 * wants its payload unchanged until the handshake; the bus slave model
 * checks that (a violation fails the run with AT_EDEVICE), and on the
 * debug profile so do the RTL assertions (TopWHold_A, StoreWHold_A). The
 * device must then report the right error / come out of reset and run a
 * copy job. Without the rtl backend nothing runs. */
#include "cosim_util.h"
#include "host_mem.h"

#define ROWS 64u
#define COLS 256u                   /* 16 beats a row, rows contiguous: 64 bursts of 16 */
#define BYTES (ROWS * COLS * 2u)    /* 32 KiB each way */
#define SPAD_LOAD 0u                /* activation lines 0..1023 */
#define SPAD_STORE 1024u            /* lines 1024..2047: no hazard with the LOAD */

typedef struct bufs {
    uint64_t src, dst, fw;
} bufs;

static void push_pair(cdev *d, const bufs *b, unsigned t)
{
    uint32_t w[AT_DESC_WORDS];
    desc_xfer(w, AT_OP_STORE, 0, SPAD_STORE, ROWS, COLS, 16, 1, b->dst, COLS * 2, t);
    cu_push(d, w);
    desc_xfer(w, AT_OP_LOAD, 0, SPAD_LOAD, ROWS, COLS, 16, 1, b->src, COLS * 2, t + 1);
    cu_push(d, w);
}

/* LOAD 2 x 24 elements, STORE them elsewhere, FENCE: the device works. */
static void copy_job(cdev *d, const bufs *b, const char *what)
{
    uint8_t in[128], out[128], want[128];
    for (int i = 0; i < 128; i++) {
        in[i] = (uint8_t)(i * 31 + 5);
        want[i] = 0xEE;
    }
    uint64_t src = b->fw + 256, dst = b->fw + 512;
    cu_put(d, src, in, 128);
    cu_put(d, dst, want, 128);
    for (int r = 0; r < 2; r++)
        memcpy(want + 64 * r, in + 64 * r, 48);
    uint32_t w[AT_DESC_WORDS];
    desc_xfer(w, AT_OP_LOAD, 0, 7, 2, 24, 2, 1, src, 64, 0x71);
    cu_push(d, w);
    desc_xfer(w, AT_OP_STORE, 0, 7, 2, 24, 2, 1, dst, 64, 0x72);
    cu_push(d, w);
    desc_fence(w, 0x5EED, b->fw, 0, 0x73);
    cu_push(d, w);
    cu_kick_wait(d, 100000);
    cu_get(d, dst, out, 128);
    cu_same_bytes(what, cu_name(d), out, "expected", want, 128);
    CHECK(cu_rd(d, AT_REG_FENCE_DONE) == 0x5EED, "%s: FENCE_DONE 0x%x", what, cu_rd(d, AT_REG_FENCE_DONE));
}

static int open_dev(cdev *d, bufs *b, uint64_t seed)
{
    if (cu_open(d, AT_COSIM_RTL, AT_COSIM_FAST, seed))
        return -1;
    b->src = cu_alloc(d, BYTES);
    b->dst = cu_alloc(d, BYTES);
    b->fw = cu_alloc(d, 1024);
    static uint8_t pat[BYTES];
    for (unsigned i = 0; i < BYTES; i++)
        pat[i] = (uint8_t)(i * 7 + 1);
    cu_put(d, b->src, pat, BYTES);
    return 0;
}

static void t_soft_reset_during_store(void)
{
    cdev d;
    bufs b;
    if (open_dev(&d, &b, 11))
        return;
    for (unsigned k = 0; k < 24; k++) {
        char what[64];
        snprintf(what, sizeof what, "SOFT_RESET %u cycles into the stream", 120 + 41 * k);
        push_pair(&d, &b, 2 * k + 1);
        cu_wr(&d, AT_REG_RING_TAIL, d.n & ((1u << CU_RING_LOG2) - 1));
        at_err err = {0};
        at_cosim_why why = 0;
        int rc = at_cosim_run(d.c, AT_COSIM_UNTIL_CYCLES, 120 + 41 * k, &why, &err);
        CHECK(rc == 0, "%s: run: %d %s", what, rc, err.msg);
        if (rc)
            break;
        cu_wr(&d, AT_REG_SOFT_RESET, AT_REG_SOFT_RESET_RESET_MASK);
        rc = at_cosim_run(d.c, AT_COSIM_UNTIL_IDLE, 100000, &why, &err);
        CHECK(rc == 0 && why == AT_COSIM_STOPPED_IDLE, "%s: %d why %d %s", what, rc, (int)why, err.msg);
        if (rc)
            break;
        CHECK(cu_rd(&d, AT_REG_STATUS) == AT_REG_STATUS_IDLE_MASK, "%s: STATUS 0x%x", what, cu_rd(&d, AT_REG_STATUS));
        cu_program(&d);
    }
    copy_job(&d, &b, "copy job after the soft resets");
    cu_close(&d);
}

static void t_slverr_on_each_burst(void)
{
    for (unsigned j = 0; j < 16; j++) {
        cdev d;
        bufs b;
        if (open_dev(&d, &b, 20 + j))
            return;
        char what[64];
        snprintf(what, sizeof what, "SLVERR on STORE burst %u", j);
        at_err err = {0};
        uint64_t bad = b.dst + 512ull * j;
        int rc = at_cosim_mem_fault(d.c, bad, 32, AT_AXI_SLVERR, &err);
        CHECK(rc == 0, "%s: fault: %s", what, err.msg);
        push_pair(&d, &b, 1);
        cu_wr(&d, AT_REG_RING_TAIL, d.n & ((1u << CU_RING_LOG2) - 1));
        at_cosim_why why = 0;
        rc = at_cosim_run(d.c, AT_COSIM_UNTIL_IDLE, 200000, &why, &err);
        CHECK(rc == 0 && why == AT_COSIM_STOPPED_IDLE, "%s: %d why %d %s", what, rc, (int)why, err.msg);
        if (!rc) {
            uint32_t code = cu_rd(&d, AT_REG_ERR_CODE), info = cu_rd(&d, AT_REG_ERR_INFO);
            CHECK((code & 0xFF) == AT_DEVERR_BUS_SLVERR && (code >> 16) == 1, "%s: ERR_CODE 0x%08x", what, code);
            CHECK(info == (uint32_t)bad, "%s: ERR_INFO 0x%08x want 0x%08x", what, info, (uint32_t)bad);
            at_cosim_mem_fault(d.c, 0, 0, 0, &err);
            cu_wr(&d, AT_REG_SOFT_RESET, AT_REG_SOFT_RESET_RESET_MASK);
            rc = at_cosim_run(d.c, AT_COSIM_UNTIL_IDLE, 100000, &why, &err);
            CHECK(rc == 0, "%s: soft reset: %s", what, err.msg);
            cu_program(&d);
            if (!rc && j == 15)
                copy_job(&d, &b, "copy job after the bus errors");
        }
        cu_close(&d);
    }
}

int main(void)
{
    (void)check_seed("test_cosim_abort_w", 0);
    if (!at_cosim_available(AT_COSIM_RTL, CU_CONFIG)) {
        printf("test_cosim_abort_w: rtl backend not in this program: skipped\n");
        return check_finish("test_cosim_abort_w");
    }
    RUN_CASE(t_soft_reset_during_store);
    RUN_CASE(t_slverr_on_each_burst);
    return check_finish("test_cosim_abort_w");
}
