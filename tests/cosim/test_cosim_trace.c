/* Waveform tracing: on rtl in the debug profile (assertions, randomized
 * initial state, FST support) at_cosim_trace writes a non-empty FST file
 * while a job runs, and the job still gives the right result; the fast
 * rtl profile and fmodel answer AT_EUNSUPPORTED. Without the rtl backend
 * only the fmodel part runs. */
#include <sys/stat.h>

#include "cosim_util.h"
#include "tmpdir.h"

/* LOAD 2 x 24 elements, STORE them elsewhere, FENCE; checks the copy. */
static void copy_job(cdev *d, const char *what)
{
    uint64_t src = cu_alloc(d, 128), dst = cu_alloc(d, 128), fw = cu_alloc(d, 64);
    uint8_t in[128], out[128], want[128];
    for (int i = 0; i < 128; i++) {
        in[i] = (uint8_t)(i * 29 + 3);
        want[i] = 0xEE;
    }
    cu_put(d, src, in, 128);
    cu_put(d, dst, want, 128);
    for (int r = 0; r < 2; r++)
        memcpy(want + 64 * r, in + 64 * r, 48);
    uint32_t w[AT_DESC_WORDS];
    desc_xfer(w, AT_OP_LOAD, 0, 7, 2, 24, 2, 1, src, 64, 1);
    cu_push(d, w);
    desc_xfer(w, AT_OP_STORE, 0, 7, 2, 24, 2, 1, dst, 64, 2);
    cu_push(d, w);
    desc_fence(w, 0xABCD, fw, 1, 3);
    cu_push(d, w);
    cu_kick_wait(d, 100000);
    cu_get(d, dst, out, 128);
    cu_same_bytes(what, cu_name(d), out, "expected", want, 128);
    CHECK(cu_rd(d, AT_REG_FENCE_DONE) == 0xABCD, "%s: FENCE_DONE", what);
}

static void t_fmodel_unsupported(void)
{
    cdev d;
    if (cu_open(&d, AT_COSIM_FMODEL, AT_COSIM_FAST, 1))
        return;
    at_err err = {0};
    int rc = at_cosim_trace(d.c, "/tmp/acceltran_never_written.fst", &err);
    CHECK(rc == AT_EUNSUPPORTED, "fmodel trace: %d (want AT_EUNSUPPORTED) %s", rc, err.msg);
    cu_close(&d);
}

static void t_rtl_trace(void)
{
    if (!at_cosim_available(AT_COSIM_RTL, CU_CONFIG)) {
        check_skip_case("rtl trace: the rtl backend is not in this program");
        return;
    }
    char dir[128], path[256];
    if (tmpdir_make(dir, sizeof dir, "trace")) {
        CHECK(0, "tmpdir");
        return;
    }
    snprintf(path, sizeof path, "%s/top.fst", dir);

    /* fast profile: no trace support */
    cdev d;
    at_err err = {0};
    if (!cu_open(&d, AT_COSIM_RTL, AT_COSIM_FAST, 1)) {
        int rc = at_cosim_trace(d.c, path, &err);
        CHECK(rc == AT_EUNSUPPORTED, "rtl fast trace: %d (want AT_EUNSUPPORTED) %s", rc, err.msg);
        cu_close(&d);
    }
    struct stat st;
    CHECK(stat(path, &st) != 0, "the fast profile wrote %s", path);

    /* debug profile: an FST of the job */
    if (!cu_open(&d, AT_COSIM_RTL, AT_COSIM_DEBUG, 0x1234)) {
        int rc = at_cosim_trace(d.c, path, &err);
        CHECK(rc == 0, "rtl debug trace: %d %s", rc, err.msg);
        copy_job(&d, "debug profile copy job (traced)");
        rc = at_cosim_trace(d.c, NULL, &err);
        CHECK(rc == 0, "closing the trace: %d %s", rc, err.msg);
        CHECK(stat(path, &st) == 0 && st.st_size > 1000, "FST file %s: %lld bytes", path,
              stat(path, &st) == 0 ? (long long)st.st_size : -1LL);
        printf("test_cosim_trace: FST %lld bytes for %" PRIu64 " cycles\n", (long long)st.st_size, d.sim_cycles);
        /* tracing stopped: the device goes on */
        copy_job(&d, "debug profile copy job (not traced)");
        cu_close(&d);
    }
    tmpdir_remove(dir);
}

/* mid's debug model is built without --trace-fst (cosim/rtl/rtl_backend.mk,
 * RTLB_TRACE_mid_debug ?= 0): refused with the reason, and the device still
 * runs. A skip when mid's top is not in this program. */
static void t_rtl_mid_untraced(void)
{
    if (!at_cosim_available(AT_COSIM_RTL, "mid")) {
        check_skip_case("rtl mid trace refusal: mid's top is not in this program");
        return;
    }
    cdev d;
    at_err err = {0};
    if (cu_open_config(&d, AT_COSIM_RTL, AT_COSIM_DEBUG, 0x99, "mid"))
        return;
    int rc = at_cosim_trace(d.c, "/tmp/acceltran_never_written.fst", &err);
    CHECK(rc == AT_EUNSUPPORTED && strstr(err.msg, "--trace-fst"),
          "mid debug trace: %d (want AT_EUNSUPPORTED naming --trace-fst) %s", rc, err.msg);
    copy_job(&d, "mid debug profile copy job (no trace)");
    cu_close(&d);
}

int main(void)
{
    (void)check_seed("test_cosim_trace", 0);
    RUN_CASE(t_fmodel_unsupported);
    RUN_CASE(t_rtl_trace);
    RUN_CASE(t_rtl_mid_untraced);
    return check_finish("test_cosim_trace");
}
