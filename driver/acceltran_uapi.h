/* acceltran user API (Linux UAPI style): the structures a user program
 * hands to the driver (an ioctl argument in a kernel driver; arguments of
 * at_drv_bo_create / at_drv_submit / at_drv_wait in driver/at_drv.h).
 *
 * Rules, as in Linux UAPI headers:
 *   - fixed-width fields only, naturally aligned, no pointers (user
 *     addresses travel as uint64_t), no implicit padding;
 *   - every structure starts with `size` (the caller sets it to sizeof the
 *     structure it was compiled with) and has reserved fields that must be
 *     zero, so the structure can grow: the driver refuses a size it does
 *     not know and any non-zero reserved field or unknown flag bit;
 *   - AT_UAPI_VERSION names this layout; a job carries it.
 * Everything in a job is validated before anything reaches the device
 * (docs/driver.md, "UAPI"). Little-endian host assumed (as the device). */
#ifndef ACCELTRAN_UAPI_H
#define ACCELTRAN_UAPI_H

#include <stdint.h>

#define AT_UAPI_VERSION 1u

/* Most commands in one job (the driver adds a FENCE after them). */
#define AT_UAPI_MAX_CMDS 65536u
/* Most buffer objects one job may name. */
#define AT_UAPI_MAX_BOS 64u
/* Largest buffer object. */
#define AT_UAPI_MAX_BO_BYTES (1ull << 32)

/* ------------------------------------------------------------ buffer objects */

/* Create a buffer object of `bytes` bytes of device-visible memory. */
struct at_uapi_bo_create {
    uint32_t size;        /* in: sizeof(struct at_uapi_bo_create) */
    uint32_t flags;       /* in: 0 (none defined) */
    uint64_t bytes;       /* in: 1 .. AT_UAPI_MAX_BO_BYTES; rounded up to 32 */
    uint32_t handle;      /* out: non-zero handle */
    uint32_t reserved0;   /* must be 0 */
    uint64_t bus_addr;    /* out: device address (informative) */
    uint64_t reserved[2]; /* must be 0 */
};

/* ------------------------------------------------------------ commands and jobs */

/* One command: a descriptor (docs/isa.md) whose memory address is given as
 * (buffer object, offset) instead of a bus address.
 *   - LOAD / STORE: bo_handle names the buffer object of the transfer, and
 *     bo_offset the byte offset of row 0 in it (32-byte aligned); the
 *     descriptor's MEM_LO / MEM_HI words must be 0 (the driver fills them).
 *     The whole transfer, (ROWS-1) * MEM_STRIDE + 32 * ceil(COLS/16)
 *     bytes from bo_offset, must lie inside the buffer object.
 *   - NOP, GEMM, SOFTMAX, LAYERNORM: bo_handle and bo_offset must be 0.
 *   - FENCE: only without FENCE_WRITE and FENCE_IRQ (the driver owns the
 *     completion fence); bo_handle and bo_offset must be 0.
 * Every descriptor bit outside the opcode's fields must be 0. */
struct at_uapi_cmd {
    uint32_t desc[16];    /* the 64-byte descriptor, word 0 first */
    uint32_t bo_handle;   /* see above */
    uint32_t reserved0;   /* must be 0 */
    uint64_t bo_offset;   /* see above */
    uint64_t reserved[2]; /* must be 0 */
};

/* Job flags */
#define AT_UAPI_JOB_NO_IRQ 0x1u /* complete by polling the fence write-back (no interrupt) */
#define AT_UAPI_JOB_FLAGS_ALL 0x1u

/* A job: cmds_ptr points to num_cmds struct at_uapi_cmd (each cmd_size
 * bytes), bos_ptr to num_bos uint32_t handles: every buffer object the
 * commands name must be listed (and a listed handle must exist). The
 * driver appends a FENCE (write-back + interrupt) carrying the job's
 * sequence number and returns the job id. */
struct at_uapi_job {
    uint32_t size;        /* in: sizeof(struct at_uapi_job) */
    uint32_t version;     /* in: AT_UAPI_VERSION */
    uint32_t flags;       /* in: AT_UAPI_JOB_* */
    uint32_t num_cmds;    /* in: 1 .. AT_UAPI_MAX_CMDS */
    uint64_t cmds_ptr;    /* in: user address of the commands */
    uint32_t cmd_size;    /* in: sizeof(struct at_uapi_cmd) */
    uint32_t num_bos;     /* in: 0 .. AT_UAPI_MAX_BOS */
    uint64_t bos_ptr;     /* in: user address of the handles (0 when num_bos = 0) */
    uint64_t job_id;      /* out: non-zero job id */
    uint32_t seq;         /* out: fence sequence number */
    uint32_t reserved0;   /* must be 0 */
    uint64_t timeout_ns;  /* in: the job's deadline, device time from when it starts running (the
                             jobs before it are done); 0: the driver's job_timeout_ns. A job that
                             overruns it is TIMEDOUT and the device reset; no other job is blamed */
    uint64_t reserved[3]; /* must be 0 */
};

/* Job status (struct at_uapi_wait.status) */
enum at_uapi_job_status {
    AT_UAPI_JOB_QUEUED = 0,  /* submitted, not finished (still running or waiting: a wait that ran out) */
    AT_UAPI_JOB_DONE = 1,    /* every command ran; the fence completed */
    AT_UAPI_JOB_FAILED = 2,  /* a command failed on the device (failed_cmd, dev_err, dev_info) */
    AT_UAPI_JOB_TIMEDOUT = 3, /* overran its own deadline (at_uapi_job.timeout_ns); the device was reset */
    AT_UAPI_JOB_NOT_RUN = 4  /* never ran: an earlier job failed or timed out and the device was
                                reset (or the device was lost); resubmit with at_drv_requeue */
};

/* Wait flags */
#define AT_UAPI_WAIT_NO_RECOVER 0x1u /* accepted for compatibility: a wait that runs out never resets
                                        (only a job's own deadline does) */
#define AT_UAPI_WAIT_FLAGS_ALL 0x1u

/* Wait for a job. A wait that returns a final status (DONE, FAILED,
 * TIMEDOUT) retires the job; NOT_RUN jobs stay until requeued or released.
 * A wait whose own timeout_ns runs out returns "still running" (QUEUED) and
 * changes nothing. status is set on every return that found the job. */
struct at_uapi_wait {
    uint32_t size;        /* in: sizeof(struct at_uapi_wait) */
    uint32_t flags;       /* in: AT_UAPI_WAIT_* */
    uint64_t job_id;      /* in */
    uint64_t timeout_ns;  /* in: 1 .. ; device time on a simulated device */
    uint32_t status;      /* out: enum at_uapi_job_status */
    uint32_t failed_cmd;  /* out, FAILED: index of the failing command (num_cmds = the fence) */
    uint32_t dev_err;     /* out, FAILED: ERR_CODE.CODE (AT_DEVERR_*) */
    uint32_t dev_info;    /* out, FAILED: ERR_INFO.DETAIL */
    uint64_t busy_cycles; /* out, DONE: device busy cycles between submit and completion
                             (CNT_BUSY; exact when no other job overlapped) */
    uint64_t reserved[3]; /* must be 0 */
};

#endif
