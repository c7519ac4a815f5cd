/* UAPI validation: every bad field of a job, a command, a buffer-object
 * create and a wait is rejected with a message naming it, before anything
 * reaches the device (RING_TAIL and CNT_CMDS unchanged); then the good job
 * runs. */
#include "drv_test_util.h"
#include "numerics.h"

static dt_dev g_dev; /* opened in main, one device for the cases */

typedef struct bad_case {
    const char *what;
    int code;
    const char *frag;
} bad_case;

/* A good job: LOAD 4x32 from bo a, STORE it to bo b, NOP. */
static void good_job(struct at_uapi_job *j, struct at_uapi_cmd c[3], uint32_t bos[2], uint32_t a, uint32_t b)
{
    dt_xfer(&c[0], AT_OP_LOAD, 0, 4, 32, a, 0, 64);
    dt_xfer(&c[1], AT_OP_STORE, 0, 4, 32, b, 0, 64);
    memset(&c[2], 0, sizeof c[2]);
    AT_DPUT(c[2].desc, OPCODE, AT_OP_NOP);
    bos[0] = a;
    bos[1] = b;
    dt_job(j, c, 3, bos, 2);
}

static void expect(at_drv *drv, struct at_uapi_job *j, const bad_case *bc)
{
    at_err err = {0};
    int rc = at_drv_submit(drv, j, &err);
    CHECK(rc == bc->code && strstr(err.msg, bc->frag), "%s: rc %d (want %d), message '%s' (want '%s')",
          bc->what, rc, bc->code, err.msg, bc->frag);
}

static void test_job_fields(void)
{
    at_drv *drv = g_dev.drv;
    uint32_t a = dt_bo(drv, 256), b = dt_bo(drv, 256), other = dt_bo(drv, 64);
    uint32_t tail0 = 0, cmds0 = 0;
    at_drv_reg_read(drv, AT_REG_RING_TAIL, &tail0, NULL);
    at_drv_reg_read(drv, AT_REG_CNT_CMDS_LO, &cmds0, NULL);
    struct at_uapi_job j;
    struct at_uapi_cmd c[3];
    uint32_t bos[2];
    uint32_t bad_bos[2];

#define CASE(desc, code, frag, mutate)                           \
    do {                                                         \
        good_job(&j, c, bos, a, b);                              \
        mutate;                                                  \
        bad_case bc_ = {desc, code, frag};                       \
        expect(drv, &j, &bc_);                                   \
    } while (0)

    CASE("job size", AT_EINVAL, "struct size", j.size = 8);
    CASE("version", AT_EINVAL, "version 7", j.version = 7);
    CASE("flags", AT_EINVAL, "unknown flags 0x80", j.flags = 0x80);
    CASE("reserved0", AT_EINVAL, "reserved0", j.reserved0 = 1);
    CASE("reserved[2]", AT_EINVAL, "reserved[2]", j.reserved[2] = 5);
    CASE("job_id in", AT_EINVAL, "outputs", j.job_id = 9);
    CASE("num_cmds 0", AT_EINVAL, "num_cmds 0", j.num_cmds = 0);
    CASE("num_cmds huge", AT_EINVAL, "num_cmds", j.num_cmds = AT_UAPI_MAX_CMDS + 1);
    CASE("cmd_size", AT_EINVAL, "cmd_size 64", j.cmd_size = 64);
    CASE("cmds_ptr", AT_EINVAL, "cmds_ptr is NULL", j.cmds_ptr = 0);
    CASE("num_bos", AT_EINVAL, "num_bos 65", j.num_bos = 65);
    CASE("bos_ptr", AT_EINVAL, "bos_ptr", j.bos_ptr = 0);
    CASE("unknown handle", AT_ENOTFOUND, "bos[1] = 999", bos[1] = 999);
    CASE("duplicate handle", AT_EINVAL, "listed twice", bos[1] = bos[0]);
    CASE("cmd reserved0", AT_EINVAL, "command 1 (STORE): reserved0", c[1].reserved0 = 3);
    CASE("cmd reserved[1]", AT_EINVAL, "reserved[1]", c[0].reserved[1] = 3);
    CASE("opcode", AT_EINVAL, "command 2: unknown opcode 9", AT_DPUT(c[2].desc, OPCODE, 9));
    CASE("stray bits", AT_EINVAL, "word 9 has bits 0x00000001", c[2].desc[9] = 1);
    CASE("load stray bits", AT_EINVAL, "word 1 has bits 0xff000000", c[0].desc[1] |= 0xff000000u);
    CASE("nop with bo", AT_EINVAL, "must be 0", c[2].bo_handle = a);
    CASE("fence write", AT_EINVAL, "reserved to the driver",
         (memset(c[2].desc, 0, 64), AT_DPUT(c[2].desc, OPCODE, AT_OP_FENCE), AT_DPUT(c[2].desc, FENCE_WRITE, 1)));
    CASE("fence irq", AT_EINVAL, "reserved to the driver",
         (memset(c[2].desc, 0, 64), AT_DPUT(c[2].desc, OPCODE, AT_OP_FENCE), AT_DPUT(c[2].desc, FENCE_IRQ, 1)));
    CASE("load bo 0", AT_EINVAL, "bo_handle is 0", c[0].bo_handle = 0);
    CASE("bo not listed", AT_EINVAL, "not in the job's bos list", c[0].bo_handle = other);
    CASE("mem_lo set", AT_EINVAL, "MEM_LO/MEM_HI must be 0", AT_DPUT(c[0].desc, XFER_MEM_LO, 0x80000000u));
    CASE("xfer_buf 3", AT_EINVAL, "XFER_BUF 3", AT_DPUT(c[0].desc, XFER_BUF, 3));
    CASE("keep_mask store", AT_EINVAL, "KEEP_MASK", AT_DPUT(c[1].desc, XFER_KEEP_MASK, 1));
    CASE("rows 0", AT_EINVAL, "ROWS 0", AT_DPUT(c[0].desc, XFER_ROWS, 0));
    CASE("offset align", AT_EINVAL, "not 32-byte aligned", c[0].bo_offset = 16);
    CASE("stride", AT_EINVAL, "MEM_STRIDE 48", AT_DPUT(c[0].desc, XFER_MEM_STRIDE, 48));
    CASE("outside bo", AT_ERANGE, "outside buffer object", c[1].bo_offset = 64);
    CASE("outside bo rows", AT_ERANGE, "outside buffer object", AT_DPUT(c[0].desc, XFER_ROWS, 5));
    CASE("offset huge", AT_ERANGE, "outside buffer object", c[0].bo_offset = ~31ull);
    /* the bits above SMX_TAU (word 9 [14:0]) and LN_TAU (word 12 [14:0]) stay reserved */
    CASE("softmax word 9 bit 15", AT_EINVAL, "word 9 has bits 0x00008000",
         (memset(c[2].desc, 0, 64), AT_DPUT(c[2].desc, OPCODE, AT_OP_SOFTMAX), AT_DPUT(c[2].desc, SMX_TAU, 5),
          c[2].desc[9] |= 1u << 15));
    CASE("layernorm word 12 bit 15", AT_EINVAL, "word 12 has bits 0x00008000",
         (memset(c[2].desc, 0, 64), AT_DPUT(c[2].desc, OPCODE, AT_OP_LAYERNORM), AT_DPUT(c[2].desc, LN_TAU, 5),
          c[2].desc[12] |= 1u << 15));
    (void)bad_bos;
#undef CASE

    /* nothing reached the device */
    uint32_t tail1 = 0, cmds1 = 0;
    at_drv_reg_read(drv, AT_REG_RING_TAIL, &tail1, NULL);
    at_drv_reg_read(drv, AT_REG_CNT_CMDS_LO, &cmds1, NULL);
    CHECK(tail1 == tail0 && cmds1 == cmds0, "RING_TAIL %u -> %u, CNT_CMDS %u -> %u", tail0, tail1, cmds0, cmds1);
    CHECK(at_drv_jobs_held(drv) == 0, "%zu jobs held after rejections", at_drv_jobs_held(drv));

    /* the good job runs and copies */
    int16_t src[128], dst[128];
    for (int i = 0; i < 128; i++)
        src[i] = (int16_t)(i * 37 - 1000);
    at_err err = {0};
    CHECK(at_drv_bo_write(drv, a, 0, src, sizeof src, &err) == 0, "%s", err.msg);
    good_job(&j, c, bos, a, b);
    CHECK(at_drv_submit(drv, &j, &err) == 0, "good job: %s", err.msg);
    CHECK(j.job_id != 0 && j.seq != 0, "job id %llu seq %u", (unsigned long long)j.job_id, j.seq);
    struct at_uapi_wait w;
    dt_wait_init(&w, j.job_id, 1000000000ull);
    CHECK(at_drv_wait(drv, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "wait: %s", err.msg);
    CHECK(at_drv_bo_read(drv, b, 0, dst, sizeof dst, &err) == 0, "%s", err.msg);
    CHECK(!memcmp(src, dst, sizeof src), "copied data differs");
    /* a retired job is gone */
    CHECK(at_drv_wait(drv, &w, &err) == AT_ENOTFOUND, "second wait");
    at_drv_bo_destroy(drv, a, NULL);
    at_drv_bo_destroy(drv, b, NULL);
    at_drv_bo_destroy(drv, other, NULL);
}

static void test_bo_and_wait_fields(void)
{
    at_drv *drv = g_dev.drv;
    at_err err = {0};
    struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = 64};
    bc.size = 4;
    CHECK(at_drv_bo_create(drv, &bc, &err) == AT_EINVAL && strstr(err.msg, "size 4"), "%s", err.msg);
    bc.size = sizeof bc;
    bc.flags = 2;
    CHECK(at_drv_bo_create(drv, &bc, &err) == AT_EINVAL && strstr(err.msg, "flags"), "%s", err.msg);
    bc.flags = 0;
    bc.reserved[1] = 1;
    CHECK(at_drv_bo_create(drv, &bc, &err) == AT_EINVAL && strstr(err.msg, "reserved"), "%s", err.msg);
    bc.reserved[1] = 0;
    bc.bytes = 0;
    CHECK(at_drv_bo_create(drv, &bc, &err) == AT_EINVAL && strstr(err.msg, "bytes 0"), "%s", err.msg);
    bc.bytes = 1ull << 40;
    CHECK(at_drv_bo_create(drv, &bc, &err) == AT_EINVAL, "%s", err.msg);
    bc.bytes = 1ull << 31; /* valid size, larger than the arena */
    CHECK(at_drv_bo_create(drv, &bc, &err) == AT_ENOMEM && strstr(err.msg, "arena"), "%s", err.msg);
    CHECK(at_drv_bo_destroy(drv, 12345, &err) == AT_ENOTFOUND, "destroy unknown");
    uint32_t h = dt_bo(drv, 100);
    uint8_t x[8] = {0};
    CHECK(at_drv_bo_write(drv, h, 124, x, 8, &err) == AT_ERANGE, "write past the bo (128 bytes)");
    CHECK(at_drv_bo_write(drv, h, 120, x, 8, &err) == 0, "write at the end: %s", err.msg);
    CHECK(at_drv_bo_read(drv, h, ~0ull, x, 8, &err) == AT_ERANGE, "read at huge offset");
    at_drv_bo_destroy(drv, h, NULL);

    struct at_uapi_wait w;
    dt_wait_init(&w, 1, 1000);
    w.size = 12;
    CHECK(at_drv_wait(drv, &w, &err) == AT_EINVAL && strstr(err.msg, "size 12"), "%s", err.msg);
    dt_wait_init(&w, 1, 0);
    CHECK(at_drv_wait(drv, &w, &err) == AT_EINVAL && strstr(err.msg, "timeout_ns is 0"), "%s", err.msg);
    dt_wait_init(&w, 1, 1000);
    w.flags = 0x10;
    CHECK(at_drv_wait(drv, &w, &err) == AT_EINVAL && strstr(err.msg, "flags"), "%s", err.msg);
    dt_wait_init(&w, 1, 1000);
    w.reserved[2] = 1;
    CHECK(at_drv_wait(drv, &w, &err) == AT_EINVAL && strstr(err.msg, "reserved[2]"), "%s", err.msg);
    dt_wait_init(&w, 777777, 1000);
    CHECK(at_drv_wait(drv, &w, &err) == AT_ENOTFOUND && strstr(err.msg, "777777"), "%s", err.msg);
    uint64_t nid;
    CHECK(at_drv_requeue(drv, 777777, &nid, &err) == AT_ENOTFOUND, "requeue unknown");
}

/* SMX_TAU and LN_TAU pass the driver's validation and run: a SOFTMAX of
 * one row (N 32, len 32) with tau 1000 gives the host reference
 * (at_softmax_row, then |y| <= tau -> 0); a LAYERNORM with LN_TAU 32767
 * completes. */
static void test_dynatran_fields(void)
{
    at_drv *drv = g_dev.drv;
    at_err err = {0};
    uint32_t a = dt_bo(drv, 64), b = dt_bo(drv, 64);
    int16_t x[32], y[32], got[32];
    for (int e = 0; e < 32; e++)
        x[e] = (int16_t)(e * 53 % 700 - 350);
    CHECK(at_drv_bo_write(drv, a, 0, x, sizeof x, &err) == 0, "%s", err.msg);
    at_softmax_params sp;
    CHECK(at_softmax_params_make(1.0 / 128, &sp) == 0, "softmax params");
    CHECK(at_softmax_row(x, 32, 32, &sp, y) == 0, "at_softmax_row");
    const int tau = 1000;
    int pruned_nz = 0;
    for (int e = 0; e < 32; e++)
        if (y[e] <= tau) {
            pruned_nz += y[e] != 0;
            y[e] = 0;
        }
    CHECK(pruned_nz > 0, "the threshold prunes no non-zero probability");
    struct at_uapi_cmd c[4];
    dt_xfer(&c[0], AT_OP_LOAD, 0, 1, 32, a, 0, 64);
    memset(&c[1], 0, sizeof c[1]);
    AT_DPUT(c[1].desc, OPCODE, AT_OP_SOFTMAX);
    AT_DPUT(c[1].desc, SMX_LDS, 2);
    AT_DPUT(c[1].desc, SMX_LDD, 2);
    AT_DPUT(c[1].desc, SMX_ROWS, 1);
    AT_DPUT(c[1].desc, SMX_N, 32);
    AT_DPUT(c[1].desc, SMX_LEN, 32);
    AT_DPUT(c[1].desc, SMX_IN_M, sp.in.m);
    AT_DPUT(c[1].desc, SMX_IN_S, sp.in.s);
    AT_DPUT(c[1].desc, SMX_TAU, tau);
    memset(&c[2], 0, sizeof c[2]);
    AT_DPUT(c[2].desc, OPCODE, AT_OP_LAYERNORM);
    AT_DPUT(c[2].desc, LN_SRC, 100);
    AT_DPUT(c[2].desc, LN_DST, 100);
    AT_DPUT(c[2].desc, LN_ROWS, 1);
    AT_DPUT(c[2].desc, LN_N, 16);
    AT_DPUT(c[2].desc, LN_OUT_M, 32768);
    AT_DPUT(c[2].desc, LN_OUT_S, 15);
    AT_DPUT(c[2].desc, LN_EPS_LO, 1000);
    AT_DPUT(c[2].desc, LN_TAU, 32767);
    dt_xfer(&c[3], AT_OP_STORE, 0, 1, 32, b, 0, 64);
    uint32_t bos[2] = {a, b};
    struct at_uapi_job j;
    dt_job(&j, c, 4, bos, 2);
    CHECK(at_drv_submit(drv, &j, &err) == 0, "SOFTMAX / LAYERNORM with TAU: %s", err.msg);
    struct at_uapi_wait w;
    dt_wait_init(&w, j.job_id, 1000000000ull);
    CHECK(at_drv_wait(drv, &w, &err) == 0 && w.status == AT_UAPI_JOB_DONE, "wait: %s (status %u)", err.msg,
          w.status);
    CHECK(at_drv_bo_read(drv, b, 0, got, sizeof got, &err) == 0, "%s", err.msg);
    for (int e = 0; e < 32; e++)
        if (got[e] != y[e]) {
            CHECK(0, "SOFTMAX tau %d elem %d: device %d, host reference %d", tau, e, got[e], y[e]);
            break;
        }
    at_drv_bo_destroy(drv, a, NULL);
    at_drv_bo_destroy(drv, b, NULL);
}

int main(void)
{
    if (dt_open("fmodel", "tiny", NULL, &g_dev)) {
        printf("drv_uapi: 0 passed, 1 failed\n");
        return 1;
    }
    RUN_CASE(test_job_fields);
    RUN_CASE(test_bo_and_wait_fields);
    RUN_CASE(test_dynatran_fields);
    dt_close(&g_dev);
    return check_finish("drv_uapi");
}
