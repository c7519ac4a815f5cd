/* Helpers of the driver tests (tests/driver/test_drv_*.c): the simulated
 * device through the cosim port, the built dtb files, small jobs. */
#ifndef ACCELTRAN_DRV_TEST_UTIL_H
#define ACCELTRAN_DRV_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_drv.h"
#include "at_port_cosim.h"
#include "check.h"

static inline const char *dt_dtb(const char *config, char *buf, size_t len)
{
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    snprintf(buf, len, "%s/firmware/%s.dtb", build, config);
    return buf;
}

/* Backends to run on: fmodel always, rtl when this build has it. */
static const char *const dt_backends[2] = {"fmodel", "rtl"};

/* 0 when ACCELTRAN_COSIM_BACKENDS (as in tests/cosim/cosim_util.h) leaves
 * the backend out. */
static inline int dt_backend_wanted(const char *backend)
{
    const char *only = getenv("ACCELTRAN_COSIM_BACKENDS");
    return !only || strstr(only, backend) != NULL;
}

/* The cosim port's options: rtl devices in the debug profile (--assert,
 * randomized initial state) when ACCELTRAN_COSIM_PROFILE=debug. */
static inline at_port_cosim_opts dt_port_opts(const char *backend, const char *config)
{
    const char *pe = getenv("ACCELTRAN_COSIM_PROFILE");
    at_port_cosim_opts po = {backend, config, 0, 0};
    po.debug = !strcmp(backend, "rtl") && pe && !strcmp(pe, "debug");
    return po;
}

typedef struct dt_dev {
    at_port port;
    at_drv *drv;
} dt_dev;

/* Opens backend/config with the config's dtb; returns 0 or the AT_E code
 * (message printed). */
static inline int dt_open(const char *backend, const char *config, const at_drv_opts *o, dt_dev *d)
{
    memset(d, 0, sizeof *d);
    at_err err = {0};
    at_port_cosim_opts po = dt_port_opts(backend, config);
    int rc = at_port_cosim_open(&po, &d->port, &err);
    if (rc) {
        fprintf(stderr, "  open %s/%s: %s\n", backend, config, err.msg);
        return rc;
    }
    char dtb[512];
    rc = at_drv_open(&d->port, dt_dtb(config, dtb, sizeof dtb), o, &d->drv, &err);
    if (rc) {
        fprintf(stderr, "  driver %s/%s: %s\n", backend, config, err.msg);
        at_port_close(&d->port);
    }
    return rc;
}

static inline void dt_close(dt_dev *d)
{
    at_drv_close(d->drv);
    d->drv = NULL;
    at_port_close(&d->port);
}

static inline uint32_t dt_bo(at_drv *drv, uint64_t bytes)
{
    struct at_uapi_bo_create bc = {.size = sizeof bc, .bytes = bytes};
    at_err err = {0};
    if (at_drv_bo_create(drv, &bc, &err)) {
        fprintf(stderr, "  bo_create: %s\n", err.msg);
        return 0;
    }
    return bc.handle;
}

/* A LOAD or STORE of rows x cols int16 between BO bo (offset off, row
 * stride stride bytes) and activation lines from spad (row-major). */
static inline void dt_xfer(struct at_uapi_cmd *c, unsigned op, uint32_t spad, uint32_t rows, uint32_t cols,
                           uint32_t bo, uint64_t off, uint32_t stride)
{
    memset(c, 0, sizeof *c);
    AT_DPUT(c->desc, OPCODE, op);
    AT_DPUT(c->desc, XFER_SPAD, spad);
    AT_DPUT(c->desc, XFER_ROWS, rows);
    AT_DPUT(c->desc, XFER_COLS, cols);
    AT_DPUT(c->desc, XFER_SPAD_ROW_STEP, (cols + 15) / 16);
    AT_DPUT(c->desc, XFER_SPAD_CB_STEP, 1);
    AT_DPUT(c->desc, XFER_MEM_STRIDE, stride);
    c->bo_handle = bo;
    c->bo_offset = off;
}

static inline void dt_job(struct at_uapi_job *j, struct at_uapi_cmd *cmds, uint32_t n, uint32_t *bos,
                          uint32_t nbos)
{
    memset(j, 0, sizeof *j);
    j->size = sizeof *j;
    j->version = AT_UAPI_VERSION;
    j->num_cmds = n;
    j->cmds_ptr = (uint64_t)(uintptr_t)cmds;
    j->cmd_size = sizeof *cmds;
    j->num_bos = nbos;
    j->bos_ptr = nbos ? (uint64_t)(uintptr_t)bos : 0;
}

static inline void dt_wait_init(struct at_uapi_wait *w, uint64_t id, uint64_t timeout_ns)
{
    memset(w, 0, sizeof *w);
    w->size = sizeof *w;
    w->job_id = id;
    w->timeout_ns = timeout_ns;
}

#endif
