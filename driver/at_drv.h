/* The OS-independent core of the acceltran driver (docs/driver.md).
 *
 * One at_drv per device, reached through an at_port (at_port.h); no global
 * mutable state. The core probes the device from a device tree (probe_fdt.h
 * plus the register cross-check), resets it, programs the memory windows
 * and the descriptor ring, manages buffer objects, validates and submits
 * jobs (acceltran_uapi.h), waits for them with a timeout, decodes device
 * errors and recovers (reset; the failing job FAILED, the jobs after it
 * NOT_RUN, never lost, resubmittable with at_drv_requeue).
 *
 * Timeouts (docs/driver.md): every job has a deadline (at_uapi_job.timeout_ns
 * or job_timeout_ns), counted from when it starts running. The driver's
 * watchdog, run on every poll (wait, submit), resets the device only for
 * the job that overran its deadline (TIMEDOUT) and reports the jobs after it
 * NOT_RUN with the reason; a wait's own timeout only returns "still
 * running". A soft reset that does not complete is retried (reset_tries),
 * then the device is marked lost: every job still queued becomes NOT_RUN
 * and every later call returns AT_EDEVICE "device lost" until at_drv_reset
 * succeeds.
 *
 * Functions return 0 or a negative AT_E* code with a message in err. A
 * handle is used by one thread at a time. */
#ifndef ACCELTRAN_AT_DRV_H
#define ACCELTRAN_AT_DRV_H

#include <stddef.h>
#include <stdint.h>

#include "acceltran_hw.h"
#include "acceltran_uapi.h"
#include "at_error.h"
#include "at_port.h"
#include "probe_fdt.h"

typedef struct at_drv at_drv;

typedef struct at_drv_opts {
    uint32_t ring_log2;         /* ring entries = 2^ring_log2 (2..16; 0: 10) */
    uint64_t bo_arena_bytes;    /* DMA memory for buffer objects (0: 32 MiB) */
    uint64_t reset_timeout_ns;  /* soft reset must finish within this (0: 1 ms) */
    uint64_t submit_timeout_ns; /* longest wait for ring space (0: 10 s) */
    uint64_t job_timeout_ns;    /* deadline of a job that gives none (0: 10 s of device time) */
    uint32_t reset_tries;       /* soft resets tried before the device is marked lost (0: 3) */
} at_drv_opts;

/* Probes the dtb at dtb_path (at_probe_fdt_file), cross-checks it with the
 * device's ID/VERSION/CONFIG registers (a mismatch is AT_EDEVICE naming
 * the register), then resets the device and programs windows and ring.
 * The port stays the caller's and must outlive the driver. */
int at_drv_open(const at_port *port, const char *dtb_path, const at_drv_opts *opts, at_drv **out,
                at_err *err);
/* The same from an already probed device description. */
int at_drv_open_dev(const at_port *port, const at_fdt_device *dev, const at_drv_opts *opts,
                    at_drv **out, at_err *err);
/* Frees everything (pending jobs are dropped; the device is reset first). */
void at_drv_close(at_drv *d);

const at_fdt_device *at_drv_device(const at_drv *d);
const at_hw_config *at_drv_config(const at_drv *d);
const at_port *at_drv_port(const at_drv *d);

/* Soft reset (SOFT_RESET, then STATUS.IDLE within the reset timeout, tried
 * reset_tries times) and reprogramming of IRQ enables, windows and ring.
 * Jobs still queued become NOT_RUN. Clears the lost state when it works. */
int at_drv_reset(at_drv *d, at_err *err);

/* Register access through the port (for tools and tests). */
int at_drv_reg_read(at_drv *d, uint32_t off, uint32_t *val, at_err *err);
int at_drv_reg_write(at_drv *d, uint32_t off, uint32_t val, at_err *err);
/* A 48-bit counter: reads CNT_x_LO (latching HI), then CNT_x_HI. */
int at_drv_counter(at_drv *d, uint32_t lo_off, uint64_t *val, at_err *err);

/* ------------------------------------------------------------ buffer objects */

int at_drv_bo_create(at_drv *d, struct at_uapi_bo_create *args, at_err *err);
/* AT_EINVAL while a queued or not-run job names the buffer object. */
int at_drv_bo_destroy(at_drv *d, uint32_t handle, at_err *err);
int at_drv_bo_write(at_drv *d, uint32_t handle, uint64_t off, const void *src, uint64_t n,
                    at_err *err);
int at_drv_bo_read(at_drv *d, uint32_t handle, uint64_t off, void *dst, uint64_t n, at_err *err);
/* Bus address and size of a buffer object. */
int at_drv_bo_info(const at_drv *d, uint32_t handle, uint64_t *bus, uint64_t *bytes, at_err *err);

/* ------------------------------------------------------------ jobs */

/* Validates the whole job (at_drv_validate), then writes its commands and a
 * FENCE (write-back of the job's sequence number + interrupt) into the
 * ring and rings the doorbell. When the ring is full it waits for space
 * (submit_timeout_ns); a job longer than the ring streams through it. Sets
 * job->job_id and job->seq. When the device fails or hangs on an earlier
 * job while this one waits for space, recovery runs and this job is
 * registered as NOT_RUN (returned 0: wait tells). */
int at_drv_submit(at_drv *d, struct at_uapi_job *job, at_err *err);

/* Checks a job without submitting it: structure sizes, version, flags,
 * reserved fields, command count, every descriptor (known opcode, no bit
 * outside its fields, no driver-owned FENCE flags), buffer-object handles
 * (existing and listed) and transfer ranges inside their buffer objects.
 * AT_EINVAL (or AT_ERANGE for an out-of-range transfer, AT_ENOTFOUND for an
 * unknown handle) with a message naming the command and field. */
int at_drv_validate(const at_drv *d, const struct at_uapi_job *job, at_err *err);

/* Waits for a job (w->job_id) up to w->timeout_ns. Returns 0 when it is
 * DONE; AT_EDEVICE when it FAILED (err: the decoded device error: job,
 * command, opcode, error name, detail) or was NOT_RUN (err says which job
 * failed before it); AT_ETIMEDOUT when it overran its deadline (TIMEDOUT,
 * the device was reset) or when the wait's own time ran out (QUEUED: still
 * running, nothing changed); AT_ENOTFOUND for an unknown or already retired
 * job; a port error otherwise. w->status is set whenever the job exists. */
int at_drv_wait(at_drv *d, struct at_uapi_wait *w, at_err *err);

/* Resubmits a NOT_RUN job's commands as a new job (*new_id) and retires
 * the old one. */
int at_drv_requeue(at_drv *d, uint64_t job_id, uint64_t *new_id, at_err *err);
/* Retires a job that has a final status or NOT_RUN (drops its commands). */
int at_drv_job_release(at_drv *d, uint64_t job_id, at_err *err);
/* Gives up a job the caller will not wait for again (after a failed wait
 * or submit) and retires it, whatever its status:
 *   - QUEUED and running (the first queued job; a port error in its wait,
 *     or still running): its commands are in the ring, so the device is
 *     reset first (at_drv_reset: every queued job becomes NOT_RUN; the
 *     others stay held for requeue or release);
 *   - QUEUED behind another queued job: refused with AT_EINVAL, nothing
 *     changed (the reset would stop the job ahead, which is not at fault:
 *     wait for that one first);
 *   - NOT_RUN, or DONE / FAILED / TIMEDOUT not yet waited for: dropped.
 * *status (may be NULL) gets the status it had. Afterwards the
 * driver holds nothing of the job, so its buffer objects can be destroyed.
 * Returns 0; AT_ENOTFOUND when no such job is held (e.g. its wait already
 * retired it); the reset's error when the device could not be reset (the
 * job is retired anyway and the device is marked lost, so nothing runs
 * until at_drv_reset succeeds). */
int at_drv_abandon(at_drv *d, uint64_t job_id, uint32_t *status, at_err *err);
/* Jobs the driver holds (queued + not-run + final but not waited). */
size_t at_drv_jobs_held(const at_drv *d);

/* ------------------------------------------------------------ error decode */

/* Device error state as read from ERR_CODE / ERR_DESC / ERR_INFO. */
typedef struct at_drv_deverr {
    uint32_t code, opcode, tag, info;
    uint64_t desc_addr;
} at_drv_deverr;

/* Human-readable text of a device error of descriptor d (NULL: unknown),
 * e.g. "ILLEGAL_FIELD (2): GEMM word 3 (B) bad". */
void at_drv_deverr_text(const at_drv_deverr *e, const uint32_t *desc, char *buf, size_t len);
/* Name of an opcode, "?" if unknown. */
const char *at_drv_opcode_name(unsigned opcode);

#endif
