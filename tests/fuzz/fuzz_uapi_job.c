/* libFuzzer harness for the driver's user API job path (driver/at_uapi.c,
 * driver/at_drv.c) on the functional model behind the cosim port.
 *
 * Each input is a small program, read byte by byte (missing bytes read as
 * 0): a header (ring size, buffer objects and their fill), then up to
 * FZ_MAX_OPS operations: submit a job (commands built raw, masked to the
 * opcode's fields, or as plausible LOAD / STORE / GEMM / SOFTMAX /
 * LAYERNORM / FENCE / NOP descriptors with small fields, then optionally
 * one corruption of the job, a command or the handle list), wait for a
 * job (bounded timeout, sometimes a bad wait struct), requeue, release,
 * reset, destroy or write a buffer object. At the end every job left is
 * waited for and released (or, when the header says so, the driver is
 * closed with the jobs still queued). A fresh device and driver per input
 * (the open costs well under a millisecond), so every input replays alone.
 * Seeds: tests/fuzz/corpus/uapi_job/ (seed_* written by gen_uapi_seeds.py,
 * the rest merged finds). ACCELTRAN_FUZZ_STATS=1 prints at exit what the
 * inputs reached (statuses, recoveries); =2 also every submit and wait.
 *
 * Checks (abort on failure):
 *   - every call returns 0 or a negative AT_E* code with a message;
 *   - a refused submit gives validate's answer and changes nothing:
 *     RING_TAIL and the jobs the driver holds stay, no job id or seq is
 *     written back;
 *   - wait: rc agrees with the status (DONE 0, FAILED / NOT_RUN
 *     AT_EDEVICE, TIMEDOUT AT_ETIMEDOUT (the job's own deadline), QUEUED
 *     AT_ETIMEDOUT "still running" when the wait ran out); FAILED names a user command (< num_cmds,
 *     never the driver's fence), a device error a validated command can
 *     have (ILLEGAL_FIELD, SPAD_RANGE; never ILLEGAL_OPCODE, ADDR_WINDOW
 *     or a bus error), and the device's opcode and tag in the message are
 *     those of that command (attribution); DONE has busy cycles; a wait
 *     lasts at most its timeout plus one reset and a margin of device
 *     time, a submit at most the submit timeout (ring space) plus the
 *     same; a retired job is not found by a second wait;
 *   - jobs submitted between two resets end, in submission order, as
 *     DONE* [FAILED | TIMEDOUT] NOT_RUN*;
 *   - at the end every job reached a final status or NOT_RUN, and after
 *     the releases at_drv_jobs_held is 0; a NOP job still completes;
 *   - memory: no byte of the simulated host memory changed outside the
 *     driver's control area and the buffer-object arena, and inside the
 *     arena only bytes within the range of an accepted STORE changed
 *     (host writes through at_drv_bo_write / bo_create are mirrored in
 *     the snapshot). An unlisted canary buffer object is part of that. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_cosim.h"
#include "at_drv.h"
#include "at_drv_priv.h" /* the control and arena areas, read only */
#include "at_port_cosim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MEM_BYTES (512u << 10)
#define FZ_ARENA_BYTES (256u << 10)
#define FZ_MAX_OPS 24
#define FZ_MAX_CMDS 12
#define FZ_MAX_BOS 5
#define FZ_MAX_JOBS 32
#define FZ_LINE 32u

/* ------------------------------------------------------------ input reader */

typedef struct fz_in {
    const uint8_t *p;
    size_t n, i;
} fz_in;

static uint32_t u8(fz_in *in)
{
    return in->i < in->n ? in->p[in->i++] : 0;
}

static uint32_t u16(fz_in *in)
{
    uint32_t lo = u8(in);
    return lo | u8(in) << 8;
}

static uint32_t u32(fz_in *in)
{
    uint32_t lo = u16(in);
    return lo | u16(in) << 16;
}

static int more(const fz_in *in)
{
    return in->i < in->n;
}

#define FZ_CHECK(cond)                                                                       \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "fuzz_uapi_job: %s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* A returned code with its message. */
static void check_rc(int rc, const at_err *e)
{
    FZ_CHECK(rc <= 0 && rc >= AT_EUNSUPPORTED);
    if (rc)
        FZ_CHECK(e->code == rc && e->msg[0]);
}

/* ------------------------------------------------------------ statistics */

/* What the inputs reached, printed at exit when ACCELTRAN_FUZZ_STATS is
 * set (to see that the checks see device errors, timeouts, recovery). */
static struct fz_stats {
    unsigned long inputs, submits, refused, waits, status[5], requeues, resets;
    int verbose; /* ACCELTRAN_FUZZ_STATS=2: every submit's answer too */
} stats;

static void stats_print(void)
{
    fprintf(stderr,
            "fuzz_uapi_job: %lu inputs, %lu submits (%lu refused), %lu waits: %lu queued, %lu done, "
            "%lu failed, %lu timed out, %lu not run; %lu requeues, %lu resets\n",
            stats.inputs, stats.submits, stats.refused, stats.waits, stats.status[0], stats.status[1],
            stats.status[2], stats.status[3], stats.status[4], stats.requeues, stats.resets);
}

/* ------------------------------------------------------------ state */

typedef struct fz_job {
    uint64_t id;
    uint32_t ncmds;
    int final;      /* waited with a final status, or released */
    int seen;       /* the last status a wait returned, -1 none */
    uint64_t epoch; /* the driver's reset count when it was submitted */
    uint32_t w0[FZ_MAX_CMDS]; /* word 0 (opcode, tag) of each command */
} fz_job;

typedef struct fz {
    at_port port;
    at_drv *drv;
    at_cosim *cs;
    uint64_t base;
    uint8_t *snap;   /* expected host memory */
    uint8_t *mayw;   /* per arena line: 1 when an accepted STORE may write it */
    uint8_t *now;
    uint32_t bos[FZ_MAX_BOS + 1];
    int nbos;
    uint32_t canary;
    fz_job jobs[FZ_MAX_JOBS];
    int njobs;
} fz;

static uint32_t reg(fz *f, uint32_t off)
{
    uint32_t v = 0;
    at_err e;
    FZ_CHECK(at_drv_reg_read(f->drv, off, &v, &e) == 0);
    return v;
}

static uint64_t dev_ns(fz *f)
{
    return f->port.ops->now_ns(f->port.ctx);
}

/* Mirrors a host write of [bus, bus + n) into the snapshot. */
static void snap_write(fz *f, uint64_t bus, const void *src, uint64_t n)
{
    FZ_CHECK(bus >= f->base && bus - f->base <= FZ_MEM_BYTES && n <= FZ_MEM_BYTES - (bus - f->base));
    if (src)
        memcpy(f->snap + (bus - f->base), src, n);
    else
        memset(f->snap + (bus - f->base), 0, n);
}

/* Compares [o0, o1) of host memory with the snapshot. */
static void mem_cmp(fz *f, uint64_t o0, uint64_t o1, const char *where)
{
    for (uint64_t o = o0; o < o1; o += FZ_LINE) {
        uint64_t n = o1 - o < FZ_LINE ? o1 - o : FZ_LINE;
        if (memcmp(f->now + o, f->snap + o, n)) {
            fprintf(stderr, "fuzz_uapi_job: host memory changed at bus 0x%llx (%s)\n",
                    (unsigned long long)(f->base + o), where);
            abort();
        }
    }
}

static void mem_check(fz *f)
{
    at_err e;
    FZ_CHECK(at_cosim_mem_read(f->cs, f->base, f->now, FZ_MEM_BYTES, &e) == 0);
    const at_drv *d = f->drv;
    uint64_t c0 = d->ctrl.bus - f->base, c1 = c0 + ((d->ctrl.bytes + 31) & ~31ull);
    uint64_t a0 = d->arena.bus - f->base, a1 = a0 + d->arena.bytes;
    FZ_CHECK(c1 <= a0 && a1 <= FZ_MEM_BYTES && a0 % FZ_LINE == 0);
    /* the ring and the fence slot [c0, c1) belong to the driver and the device */
    if (memcmp(f->now, f->snap, c0))
        mem_cmp(f, 0, c0, "outside the driver's areas");
    if (memcmp(f->now + c1, f->snap + c1, a0 - c1))
        mem_cmp(f, c1, a0, "outside the driver's areas");
    if (memcmp(f->now + a1, f->snap + a1, FZ_MEM_BYTES - a1))
        mem_cmp(f, a1, FZ_MEM_BYTES, "outside the driver's areas");
    for (uint64_t l = 0; l < (a1 - a0) / FZ_LINE; l++)
        if (!f->mayw[l])
            mem_cmp(f, a0 + l * FZ_LINE, a0 + (l + 1) * FZ_LINE, "arena, outside every accepted STORE");
}

static uint32_t bo_create(fz *f, uint64_t bytes, uint8_t fill)
{
    struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = bytes};
    at_err e;
    int rc = at_drv_bo_create(f->drv, &bc, &e);
    check_rc(rc, &e);
    if (rc)
        return 0;
    uint64_t bus = 0, nb = 0;
    FZ_CHECK(at_drv_bo_info(f->drv, bc.handle, &bus, &nb, &e) == 0);
    FZ_CHECK(bus == bc.bus_addr && nb >= bytes && nb % 32 == 0);
    FZ_CHECK(bus >= f->drv->arena.bus && bus + nb <= f->drv->arena.bus + f->drv->arena.bytes);
    snap_write(f, bus, NULL, nb); /* zero-filled by the driver */
    uint8_t buf[256];
    for (uint64_t o = 0; o < nb; o += sizeof buf) {
        uint64_t n = nb - o < sizeof buf ? nb - o : sizeof buf;
        for (uint64_t k = 0; k < n; k++)
            buf[k] = (uint8_t)(fill + 37 * (o + k) + ((o + k) >> 7));
        FZ_CHECK(at_drv_bo_write(f->drv, bc.handle, o, buf, n, &e) == 0);
        snap_write(f, bus + o, buf, n);
    }
    return bc.handle;
}

static uint64_t bo_bytes(fz *f, uint32_t h)
{
    uint64_t nb = 0;
    if (at_drv_bo_info(f->drv, h, NULL, &nb, NULL))
        return 0;
    return nb;
}

/* A handle for a command: mostly a listed one, sometimes the canary, an
 * unknown handle or 0. */
static uint32_t pick_handle(fz *f, fz_in *in)
{
    uint32_t b = u8(in);
    if (b < 200 && f->nbos)
        return f->bos[b % f->nbos];
    if (b < 220)
        return f->canary;
    if (b < 240)
        return 0;
    return 1000 + b;
}

/* ------------------------------------------------------------ commands */

static void cmd_build(fz *f, fz_in *in, struct at_uapi_cmd *c)
{
    memset(c, 0, sizeof *c);
    uint32_t *w = c->desc;
    uint32_t mode = u8(in);
    unsigned op = mode % 7;
    switch ((mode >> 3) % 4) {
    case 0: /* raw words, masked to the opcode's fields (so they reach the device) */
    case 1: {
        for (int k = 0; k < 16; k++)
            w[k] = u32(in);
        if ((mode >> 3) % 4 == 0) {
            op = w[0] & 0xffu;
            break; /* unmasked: any opcode, any bit */
        }
        const uint32_t *used = at_desc_used(op);
        for (int k = 0; k < 16; k++)
            w[k] &= used[k];
        AT_DPUT(w, OPCODE, op);
        if (op == AT_OP_FENCE)
            w[0] &= ~(AT_DESC_FENCE_WRITE_MASK | AT_DESC_FENCE_IRQ_MASK);
        if (op == AT_OP_LOAD || op == AT_OP_STORE) {
            AT_DPUT(w, XFER_MEM_LO, 0);
            AT_DPUT(w, XFER_MEM_HI, 0);
            AT_DPUT(w, XFER_MEM_STRIDE, AT_DGET(w, XFER_MEM_STRIDE) & 0x3fe0u);
            AT_DPUT(w, XFER_ROWS, 1 + AT_DGET(w, XFER_ROWS) % 64);
            AT_DPUT(w, XFER_COLS, 1 + AT_DGET(w, XFER_COLS) % 512);
            c->bo_handle = pick_handle(f, in);
            c->bo_offset = 32ull * (u8(in) % 64);
        }
        break;
    }
    default: { /* plausible small commands */
        AT_DPUT(w, OPCODE, op);
        AT_DPUT(w, TAG, u16(in));
        uint32_t a = u8(in), b = u8(in), x = u8(in), y = u8(in);
        switch (op) {
        case AT_OP_LOAD:
        case AT_OP_STORE: {
            uint32_t rows = 1 + a % 16, cols = 1 + b % 96;
            uint32_t lines = (cols + 15) / 16;
            AT_DPUT(w, XFER_BUF, x % 3);
            if (op == AT_OP_LOAD && x % 3 == 0 && (x & 0x80))
                AT_DPUT(w, XFER_KEEP_MASK, 1);
            AT_DPUT(w, XFER_SPAD, y * 4);
            AT_DPUT(w, XFER_ROWS, rows);
            AT_DPUT(w, XFER_COLS, cols);
            AT_DPUT(w, XFER_SPAD_ROW_STEP, lines + (x >> 4) % 2);
            AT_DPUT(w, XFER_SPAD_CB_STEP, 1);
            AT_DPUT(w, XFER_MEM_STRIDE, 32 * (lines + (y & 3)));
            c->bo_handle = pick_handle(f, in);
            c->bo_offset = 32ull * (u8(in) % 32);
            break;
        }
        case AT_OP_GEMM:
            w[0] |= (x & 0x1fu) << 8; /* TRANS_B, PARAMS_EN, GELU, ACCUM, A_MASK */
            AT_DPUT(w, GEMM_A, a * 4);
            AT_DPUT(w, GEMM_LDA, 1 + b % 8);
            AT_DPUT(w, GEMM_B, 4 * (y % 64));
            AT_DPUT(w, GEMM_LDB, 4 * (1 + b % 16));
            AT_DPUT(w, GEMM_C, 512 + a);
            AT_DPUT(w, GEMM_LDC, 1 + y % 4);
            AT_DPUT(w, GEMM_M, 1 + a % 32);
            AT_DPUT(w, GEMM_N, 1 + b % 48);
            AT_DPUT(w, GEMM_K, 1 + y % 64);
            AT_DPUT(w, GEMM_TAU, x * 7);
            AT_DPUT(w, GEMM_PARAMS, 4 * (x % 32));
            w[10] = u32(in) & 0x003fffffu;
            w[11] = u32(in) & 0x003fffffu;
            w[12] = u32(in) & 0x003fffffu;
            break;
        case AT_OP_SOFTMAX:
            w[0] |= (x & 1u) << 8;
            w[1] = a;
            w[2] = 1 + b % 4;
            w[3] = 256 + b;
            w[4] = 1 + x % 4;
            w[5] = (1 + a % 16) | (1 + y % 128) << 16; /* ROWS, N */
            w[6] = 1 + y % 64;
            w[7] = y;
            w[8] = u32(in) & 0x003fffffu;
            w[9] = u16(in) & 0x7fffu;
            break;
        case AT_OP_LAYERNORM:
            w[0] |= (x & 1u) << 8;
            w[1] = a;
            w[2] = 1 + b % 24;
            w[3] = 300 + b;
            w[4] = 1 + b % 24;
            w[5] = 600 + y;
            w[6] = 1 + x % 24;
            w[7] = (1 + a % 8) | (16 * (1 + y % 24)) << 16; /* ROWS, N */
            w[8] = 4 * (x % 16);
            w[9] = u32(in) & 0x003fffffu;
            w[10] = u32(in);
            w[11] = u32(in) & 0x3fffffffu;
            w[12] = u16(in) & 0x7fffu;
            break;
        case AT_OP_FENCE:
            w[0] |= (x & 0x80 ? x & 3u : 0) << 8; /* rarely the driver-owned flags */
            w[1] = u32(in);
            break;
        default:
            break; /* NOP */
        }
    }
    }
    (void)op;
}

/* One corruption of a job that must be refused (or is harmless). */
static void job_corrupt(fz *f, fz_in *in, struct at_uapi_job *j, struct at_uapi_cmd *cmds,
                        uint32_t *bos)
{
    uint32_t k = u8(in), v = u32(in);
    uint32_t ci = j->num_cmds ? v % j->num_cmds : 0;
    switch (k % 21) {
    case 0: j->size += 1 + v % 64; break;
    case 1: j->size = v % 2 ? 0 : j->size - 8; break;
    case 2: j->version = v; break;
    case 3: j->flags = v | 2u; break;
    case 4: j->reserved0 = v | 1u; break;
    case 5: j->reserved[v % 3] = (uint64_t)v | 1u; break;
    case 6: j->job_id = v | 1u; break;
    case 7: j->seq = v | 1u; break;
    case 8: j->num_cmds = v % 2 ? 0 : AT_UAPI_MAX_CMDS + 1 + v % 5; break;
    case 9: j->cmd_size = v % 2 ? j->cmd_size - 8 : j->cmd_size + 8; break;
    case 10: j->cmds_ptr = 0; break;
    case 11: j->num_bos = AT_UAPI_MAX_BOS + 1 + v % 4; break;
    case 12: j->bos_ptr = j->num_bos ? 0 : (uint64_t)(uintptr_t)bos; break;
    case 13:
        if (j->num_bos > 1)
            bos[v % j->num_bos] = bos[(v + 1) % j->num_bos]; /* listed twice */
        break;
    case 14:
        if (j->num_bos)
            bos[v % j->num_bos] = 5000 + v % 7; /* unknown handle */
        break;
    case 15: cmds[ci].reserved0 = v | 1u; break;
    case 16: cmds[ci].reserved[v % 2] = (uint64_t)v << 8 | 1u; break;
    case 17: cmds[ci].bo_offset += 1 + v % 31; break;
    case 18: cmds[ci].desc[v % 16] ^= 1u << (v >> 4) % 32; break;
    case 19: {
        /* user pointers need not be aligned: the same commands and handles
         * at an odd address (a user program may pass any address) */
        static uint8_t shifted[4 + sizeof(struct at_uapi_cmd) * FZ_MAX_CMDS + 4 * (FZ_MAX_BOS + 2)];
        uint32_t sh = 1 + v % 3;
        size_t cb = sizeof(struct at_uapi_cmd) * (j->num_cmds <= FZ_MAX_CMDS ? j->num_cmds : 0);
        if (v & 0x100) {
            memcpy(shifted + sh, cmds, cb);
            j->cmds_ptr = (uint64_t)(uintptr_t)(shifted + sh);
        } else if (j->num_bos && j->num_bos <= FZ_MAX_BOS + 2) {
            memcpy(shifted + sh + cb, bos, 4 * j->num_bos);
            j->bos_ptr = (uint64_t)(uintptr_t)(shifted + sh + cb);
        }
        break;
    }
    default:
        cmds[ci].bo_offset = (uint64_t)v << 20; /* far outside the object */
        break;
    }
    (void)f;
}

/* Marks the arena lines an accepted STORE may write. */
static void mark_stores(fz *f, const struct at_uapi_cmd *cmds, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t *w = cmds[i].desc;
        if (AT_DGET(w, OPCODE) != AT_OP_STORE)
            continue;
        uint64_t bus = 0;
        FZ_CHECK(at_drv_bo_info(f->drv, cmds[i].bo_handle, &bus, NULL, NULL) == 0);
        uint64_t rows = AT_DGET(w, XFER_ROWS), cols = AT_DGET(w, XFER_COLS);
        uint64_t span = (rows - 1) * AT_DGET(w, XFER_MEM_STRIDE) + 32 * ((cols + 15) / 16);
        uint64_t o = bus + cmds[i].bo_offset - f->drv->arena.bus;
        FZ_CHECK(o + span <= f->drv->arena.bytes);
        for (uint64_t l = o / FZ_LINE; l < (o + span + FZ_LINE - 1) / FZ_LINE; l++)
            f->mayw[l] = 1;
    }
}

static void op_submit(fz *f, fz_in *in)
{
    struct at_uapi_cmd cmds[FZ_MAX_CMDS];
    uint32_t bos[FZ_MAX_BOS + 2];
    uint32_t n = 1 + u8(in) % FZ_MAX_CMDS;
    for (uint32_t i = 0; i < n; i++)
        cmd_build(f, in, &cmds[i]);
    /* the handle list: every object, some, or with the canary */
    uint32_t sel = u8(in), nb = 0;
    for (int i = 0; i < f->nbos; i++)
        if (!(sel & 0x80) || (sel >> i) & 1)
            bos[nb++] = f->bos[i];
    if ((sel & 0x60) == 0x60 && f->canary)
        bos[nb++] = f->canary;
    struct at_uapi_job j;
    memset(&j, 0, sizeof j);
    j.size = sizeof j;
    j.version = AT_UAPI_VERSION;
    j.flags = (sel >> 4) & 1u ? AT_UAPI_JOB_NO_IRQ : 0;
    j.num_cmds = n;
    j.cmds_ptr = (uint64_t)(uintptr_t)cmds;
    j.cmd_size = sizeof cmds[0];
    j.num_bos = nb;
    j.bos_ptr = nb ? (uint64_t)(uintptr_t)bos : 0;
    if (u8(in) < 48)
        job_corrupt(f, in, &j, cmds, bos);

    uint64_t epoch = f->drv->resets;
    uint32_t tail0 = reg(f, AT_REG_RING_TAIL);
    uint64_t id0 = j.job_id;
    uint32_t seq0 = j.seq;
    at_err e;
    size_t held0 = at_drv_jobs_held(f->drv);
    int v = at_drv_validate(f->drv, &j, &e);
    check_rc(v, &e);
    memset(&e, 0, sizeof e);
    uint64_t t0 = dev_ns(f);
    int rc = at_drv_submit(f->drv, &j, &e);
    uint64_t el = dev_ns(f) - t0;
    check_rc(rc, &e);
    /* bounded: waiting for ring space, one recovery and a margin */
    FZ_CHECK(el <= f->drv->opts.submit_timeout_ns + f->drv->opts.reset_tries * f->drv->opts.reset_timeout_ns + 1000000u);
    stats.submits++;
    stats.refused += v != 0;
    if (stats.verbose)
        fprintf(stderr, "fuzz_uapi_job: submit: %s\n", rc ? e.msg : "accepted");
    if (v) {
        /* refused: the same answer as validate, nothing reached the device */
        FZ_CHECK(rc == v);
        FZ_CHECK(j.job_id == id0 && j.seq == seq0);
        FZ_CHECK(reg(f, AT_REG_RING_TAIL) == tail0);
        FZ_CHECK(at_drv_jobs_held(f->drv) == held0);
        return;
    }
    FZ_CHECK(rc == 0); /* a port failure would be an environment problem here */
    FZ_CHECK(j.job_id != 0 && j.seq != 0 && at_drv_jobs_held(f->drv) == held0 + 1);
    for (int i = 0; i < f->njobs; i++)
        FZ_CHECK(f->jobs[i].id != j.job_id);
    mark_stores(f, cmds, n);
    if (f->njobs < FZ_MAX_JOBS) {
        fz_job *r = &f->jobs[f->njobs++];
        *r = (fz_job){j.job_id, n, 0, -1, epoch, {0}};
        for (uint32_t i = 0; i < n; i++)
            r->w0[i] = cmds[i].desc[0];
    }
}

/* Waits for job id; returns the status (or -1 when the wait was refused). */
static int do_wait(fz *f, uint64_t id, uint32_t flags, uint64_t timeout_ns, int bad, const fz_job *job)
{
    struct at_uapi_wait w;
    memset(&w, 0, sizeof w);
    w.size = sizeof w;
    w.flags = flags;
    w.job_id = id;
    w.timeout_ns = timeout_ns;
    switch (bad) {
    case 1: w.size += 8; break;
    case 2: w.flags |= 0x10u; break;
    case 3: w.reserved[1] = 1; break;
    case 4: w.timeout_ns = 0; break;
    case 5: w.job_id = id + 1000; break;
    default: break;
    }
    at_err e;
    memset(&e, 0, sizeof e);
    uint64_t t0 = dev_ns(f);
    int rc = at_drv_wait(f->drv, &w, &e);
    uint64_t el = dev_ns(f) - t0;
    check_rc(rc, &e);
    if (bad) {
        FZ_CHECK(rc == AT_EINVAL || rc == AT_ENOTFOUND);
        return -1;
    }
    if (rc == AT_ENOTFOUND)
        return -1;
    /* bounded: the timeout, one recovery (the watchdog's reset, tried reset_tries times) and a margin */
    FZ_CHECK(el <= w.timeout_ns + f->drv->opts.reset_tries * f->drv->opts.reset_timeout_ns + 1000000u);
    stats.waits++;
    if (stats.verbose)
        fprintf(stderr, "fuzz_uapi_job: wait job %llu (timeout %llu ns, %llu ns): status %u: %s\n",
                (unsigned long long)id, (unsigned long long)w.timeout_ns, (unsigned long long)el, w.status,
                rc ? e.msg : "ok");
    if (w.status < 5)
        stats.status[w.status]++;
    switch (w.status) {
    case AT_UAPI_JOB_DONE:
        /* every job runs at least its closing fence: some busy cycles */
        FZ_CHECK(rc == 0 && w.busy_cycles > 0);
        break;
    case AT_UAPI_JOB_FAILED:
        /* a validated command can fail on a field value or a scratchpad
         * range; never on its opcode, a memory window or the bus (every
         * transfer lies in a buffer object, inside the arena's window), and
         * never at the driver's own closing fence (failed_cmd == ncmds) */
        FZ_CHECK(job && rc == AT_EDEVICE && w.failed_cmd < job->ncmds);
        FZ_CHECK(w.dev_err == AT_DEVERR_ILLEGAL_FIELD || w.dev_err == AT_DEVERR_SPAD_RANGE);
        {
            /* attribution: the device's opcode and tag (ERR_CODE, in the
             * message) are those of the command the driver blames */
            const uint32_t *w0 = &job->w0[w.failed_cmd];
            char want[96];
            snprintf(want, sizeof want, "at command %u of %u (%s, tag 0x%04x", w.failed_cmd, job->ncmds,
                     at_drv_opcode_name(AT_DGET(w0, OPCODE)), AT_DGET(w0, TAG));
            if (!strstr(e.msg, want)) {
                fprintf(stderr, "fuzz_uapi_job: failure blamed on the wrong command: '%s', want '%s'\n",
                        e.msg, want);
                abort();
            }
        }
        break;
    case AT_UAPI_JOB_TIMEDOUT: FZ_CHECK(rc == AT_ETIMEDOUT); break;
    case AT_UAPI_JOB_NOT_RUN: FZ_CHECK(rc == AT_EDEVICE); break;
    case AT_UAPI_JOB_QUEUED: FZ_CHECK(rc == AT_ETIMEDOUT && strstr(e.msg, "still running")); break; /* the wait ran out: nothing reset */
    default: FZ_CHECK(!"unknown status");
    }
    return (int)w.status;
}

static fz_job *pick_job(fz *f, fz_in *in)
{
    uint32_t b = u8(in);
    return f->njobs ? &f->jobs[b % f->njobs] : NULL;
}

static void op_wait(fz *f, fz_in *in)
{
    fz_job *j = pick_job(f, in);
    uint32_t b = u8(in);
    uint64_t timeout = 1 + (uint64_t)u16(in) * (b & 0x80 ? 200 : 5);
    int bad = (b & 0x70) == 0x70 ? 1 + b % 5 : 0;
    uint32_t flags = b & 1 ? AT_UAPI_WAIT_NO_RECOVER : 0;
    if (!j) {
        do_wait(f, 77, flags, timeout, bad ? bad : 5, NULL);
        return;
    }
    int st = do_wait(f, j->id, flags, timeout, bad, j);
    if (st > AT_UAPI_JOB_QUEUED)
        j->seen = st;
    if (st == AT_UAPI_JOB_DONE || st == AT_UAPI_JOB_FAILED || st == AT_UAPI_JOB_TIMEDOUT)
        j->final = 1;
    if (j->final && !bad) {
        /* retired: a second wait does not find it */
        FZ_CHECK(do_wait(f, j->id, 0, 1000, 0, j) == -1);
    }
}

static void op_requeue_release(fz *f, fz_in *in)
{
    fz_job *j = pick_job(f, in);
    uint32_t b = u8(in);
    if (!j)
        return;
    at_err e;
    if (b & 1) {
        uint64_t nid = 0, epoch = f->drv->resets;
        int rc = at_drv_requeue(f->drv, j->id, &nid, &e);
        check_rc(rc, &e);
        stats.requeues += rc == 0;
        if (rc == 0 || nid) {
            /* the old id is gone: the new one is a new submission */
            FZ_CHECK(nid && nid != j->id);
            j->final = 1;
            j->seen = -1;
            if (f->njobs < FZ_MAX_JOBS) {
                fz_job *r = &f->jobs[f->njobs++];
                *r = *j;
                r->id = nid;
                r->final = 0;
                r->epoch = epoch;
            }
        }
    } else {
        int rc = at_drv_job_release(f->drv, j->id, &e);
        check_rc(rc, &e);
        if (rc == 0)
            j->final = 1;
    }
}

static void op_bo(fz *f, fz_in *in)
{
    uint32_t b = u8(in);
    at_err e;
    if (f->nbos == 0)
        return;
    uint32_t h = f->bos[b % f->nbos];
    if (b & 0x80) {
        int rc = at_drv_bo_destroy(f->drv, h, &e);
        check_rc(rc, &e);
        if (rc == 0) {
            for (int i = (int)(b % f->nbos); i + 1 < f->nbos; i++)
                f->bos[i] = f->bos[i + 1];
            f->nbos--;
            /* a new one in its place (first fit may reuse the range) */
            uint32_t nh = bo_create(f, 32 + 32 * u8(in), (uint8_t)b);
            if (nh)
                f->bos[f->nbos++] = nh;
        }
        return;
    }
    uint64_t nb = bo_bytes(f, h), off = u16(in), n = u8(in);
    uint8_t buf[256];
    for (uint64_t k = 0; k < n; k++)
        buf[k] = (uint8_t)u8(in);
    int rc = at_drv_bo_write(f->drv, h, off, buf, n, &e);
    check_rc(rc, &e);
    FZ_CHECK((rc == 0) == (off <= nb && n <= nb - off));
    if (rc == 0 && n) {
        uint64_t bus = 0;
        FZ_CHECK(at_drv_bo_info(f->drv, h, &bus, NULL, NULL) == 0);
        snap_write(f, bus + off, buf, n);
    }
}

/* Jobs submitted between two resets run in order and the ISA is
 * sequential, so their statuses, in submission order, read
 * DONE* [FAILED | TIMEDOUT] NOT_RUN* (a requested reset: DONE* NOT_RUN*).
 * Jobs whose final status no wait returned are skipped. */
static void check_order(fz *f)
{
    for (int a = 0; a < f->njobs; a++) {
        int phase = 0; /* 0: DONE so far, 1: after the failure */
        for (int b = a; b < f->njobs; b++) {
            const fz_job *j = &f->jobs[b];
            if (j->epoch != f->jobs[a].epoch || j->seen < 0)
                continue;
            if (j->seen == AT_UAPI_JOB_DONE) {
                if (phase) {
                    fprintf(stderr, "fuzz_uapi_job: job %llu DONE after a failed or not-run job of its epoch\n",
                            (unsigned long long)j->id);
                    abort();
                }
            } else {
                if (phase && j->seen != AT_UAPI_JOB_NOT_RUN) {
                    fprintf(stderr, "fuzz_uapi_job: job %llu status %d after a failure in its epoch\n",
                            (unsigned long long)j->id, j->seen);
                    abort();
                }
                phase = 1;
            }
        }
    }
}

/* ------------------------------------------------------------ one input */

static fz *fz_open(fz_in *in, int *abandon)
{
    static at_fdt_device dev; /* the tiny configuration as the probe reports it */
    if (!dev.config.name) {
        const at_hw_config *c = at_hw_config_find("tiny");
        FZ_CHECK(c);
        snprintf(dev.path, sizeof dev.path, "/accel@%llx", (unsigned long long)AT_MMIO_BASE);
        dev.mmio_base = AT_MMIO_BASE;
        dev.mmio_size = AT_MMIO_BYTES;
        dev.irq = AT_IRQ;
        snprintf(dev.config_name, sizeof dev.config_name, "%s", c->name);
        dev.config = *c;
    }
    fz *f = calloc(1, sizeof *f);
    FZ_CHECK(f);
    at_err e;
    at_port_cosim_opts po = {"fmodel", "tiny", FZ_MEM_BYTES, 0};
    if (at_port_cosim_open(&po, &f->port, &e)) {
        fprintf(stderr, "fuzz_uapi_job: %s\n", e.msg);
        abort();
    }
    at_drv_opts o = {0};
    uint32_t b = u8(in);
    o.ring_log2 = 2 + (b & 0x7f) % 6; /* 4 .. 128 entries: wraps and streaming */
    *abandon = (b & 0x80) != 0;
    o.bo_arena_bytes = FZ_ARENA_BYTES;
    o.submit_timeout_ns = 2000000;        /* 2 ms of device time for ring space */
    o.job_timeout_ns = 5000000;           /* every job's deadline: the final 20 ms waits end them all */
    if (at_drv_open_dev(&f->port, &dev, &o, &f->drv, &e)) {
        fprintf(stderr, "fuzz_uapi_job: driver: %s\n", e.msg);
        abort();
    }
    f->cs = at_port_cosim_device(&f->port);
    FZ_CHECK(f->cs);
    f->base = at_cosim_mem_base(f->cs);
    FZ_CHECK(at_cosim_mem_size(f->cs) == FZ_MEM_BYTES);
    /* kept across inputs: fresh pages for every input cost more than the run */
    static uint8_t snap[FZ_MEM_BYTES], now[FZ_MEM_BYTES], mayw[FZ_ARENA_BYTES / FZ_LINE];
    f->snap = snap;
    f->now = now;
    f->mayw = mayw;
    memset(mayw, 0, sizeof mayw);
    FZ_CHECK(at_cosim_mem_read(f->cs, f->base, f->snap, FZ_MEM_BYTES, &e) == 0);
    return f;
}

static void fz_close(fz *f)
{
    at_drv_close(f->drv);
    at_port_close(&f->port);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size, 0};
    if (stats.inputs++ == 0 && getenv("ACCELTRAN_FUZZ_STATS")) {
        atexit(stats_print);
        stats.verbose = atoi(getenv("ACCELTRAN_FUZZ_STATS")) >= 2;
    }
    int abandon = 0;
    fz *f = fz_open(&in, &abandon);
    at_err e;

    /* buffer objects: 1..4 listed ones and the canary (never listed on purpose) */
    int nb = 1 + (int)(u8(&in) % 4);
    for (int i = 0; i < nb; i++) {
        uint32_t bytes = 1 + u16(&in) % 16384; /* read in order: argument order is unspecified */
        uint32_t fill = u8(&in);
        uint32_t h = bo_create(f, bytes, (uint8_t)fill);
        if (h)
            f->bos[f->nbos++] = h;
    }
    f->canary = bo_create(f, 4096, 0xa5);
    FZ_CHECK(f->canary);

    for (int op = 0; op < FZ_MAX_OPS && more(&in); op++) {
        uint32_t b = u8(&in);
        switch (b % 10) {
        case 0: case 1: case 2: case 3: op_submit(f, &in); break;
        case 4: case 5: case 6: op_wait(f, &in); break;
        case 7: op_requeue_release(f, &in); break;
        case 8: {
            int rc = at_drv_reset(f->drv, &e);
            check_rc(rc, &e);
            FZ_CHECK(rc == 0);
            stats.resets++;
            break;
        }
        default: op_bo(f, &in); break;
        }
    }

    if (abandon) {
        /* close with whatever is still queued: at_drv_close resets the
         * device and frees the jobs (LeakSanitizer watches) */
        mem_check(f);
        fz_close(f);
        return 0;
    }
    /* the end: every job to a final status (a NOT_RUN one is released) */
    for (int i = 0; i < f->njobs; i++) {
        fz_job *j = &f->jobs[i];
        if (j->final)
            continue;
        int st = do_wait(f, j->id, 0, 20000000, 0, j);
        j->seen = st;
        if (st == AT_UAPI_JOB_NOT_RUN) {
            FZ_CHECK(at_drv_job_release(f->drv, j->id, &e) == 0);
        } else {
            FZ_CHECK(st == AT_UAPI_JOB_DONE || st == AT_UAPI_JOB_FAILED || st == AT_UAPI_JOB_TIMEDOUT);
        }
        j->final = 1;
    }
    FZ_CHECK(at_drv_jobs_held(f->drv) == 0);
    check_order(f);
    mem_check(f);
    /* the device still works: one NOP job completes */
    struct at_uapi_cmd nop;
    memset(&nop, 0, sizeof nop);
    struct at_uapi_job j;
    memset(&j, 0, sizeof j);
    j.size = sizeof j;
    j.version = AT_UAPI_VERSION;
    j.num_cmds = 1;
    j.cmds_ptr = (uint64_t)(uintptr_t)&nop;
    j.cmd_size = sizeof nop;
    FZ_CHECK(at_drv_submit(f->drv, &j, &e) == 0);
    fz_job nj = {j.job_id, 1, 0, -1, 0, {0}};
    FZ_CHECK(do_wait(f, j.job_id, 0, 1000000, 0, &nj) == AT_UAPI_JOB_DONE);
    FZ_CHECK(at_drv_jobs_held(f->drv) == 0);
    fz_close(f);
    return 0;
}
