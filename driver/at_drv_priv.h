/* Internal state of the driver core, shared by at_drv.c and at_uapi.c
 * (not part of the driver's interface). */
#ifndef ACCELTRAN_AT_DRV_PRIV_H
#define ACCELTRAN_AT_DRV_PRIV_H

#include <stdint.h>

#include "at_drv.h"

typedef struct drv_bo {
    uint32_t handle;
    uint64_t off, bytes; /* in the arena; bytes rounded up to 32 */
} drv_bo;

typedef struct drv_job {
    uint64_t id;
    uint32_t seq;
    uint32_t status; /* enum at_uapi_job_status */
    uint32_t flags;  /* AT_UAPI_JOB_* */
    uint32_t n_cmds; /* user commands; desc[n_cmds] is the closing FENCE */
    uint32_t (*desc)[16];
    uint32_t *bos, nbos;
    uint64_t abs_first;  /* ring position (since the last reset) of desc[0] */
    uint32_t n_written;  /* descriptors written to the ring */
    uint64_t busy_start, busy_cycles;
    uint64_t timeout_ns;  /* deadline from start_ns (device time) */
    uint64_t start_ns;    /* when the driver saw it become the running job (the jobs before it done) */
    int started;
    uint32_t failed_cmd, dev_err, dev_info;
    char msg[512];
} drv_job;

struct at_drv {
    at_port port;
    at_fdt_device dev;
    at_drv_opts opts;
    at_port_dma ctrl;   /* ring + fence slot */
    at_port_dma arena;  /* buffer objects */
    uint64_t ring_bus, fence_off;
    uint32_t ring_log2, ring_n;
    uint64_t abs_tail;  /* descriptors written since the last reset */
    uint32_t next_seq, seq_done;
    uint64_t next_job;
    uint64_t resets;
    drv_job **jobs;     /* in submission order */
    size_t njobs, capjobs;
    drv_bo *bos;        /* sorted by off */
    size_t nbos, capbos;
    uint32_t next_handle;
    int lost;           /* a soft reset did not complete after the retries: every call fails */
    char lost_msg[256];
};

#endif
