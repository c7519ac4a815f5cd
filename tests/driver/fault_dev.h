/* The driver on a fault port (fault_port.h) around the cosim port, for the
 * driver tests of port failures (test_drv_recovery.c, test_drv_abandon.c). */
#ifndef ACCELTRAN_FAULT_DEV_H
#define ACCELTRAN_FAULT_DEV_H

#include "drv_test_util.h"
#include "fault_port.h"

typedef struct fdev {
    at_port inner, outer;
    fault_port fp;
    at_drv *drv;
} fdev;

/* backend/tiny behind a fault port (nothing armed); 0 or -1 (printed). */
static inline int fdev_open(fdev *f, const char *backend, const at_drv_opts *o)
{
    memset(f, 0, sizeof *f);
    at_err err = {0};
    at_port_cosim_opts po = dt_port_opts(backend, "tiny");
    if (at_port_cosim_open(&po, &f->inner, &err)) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return -1;
    }
    f->fp.inner = f->inner;
    f->outer = fault_port_of(&f->fp);
    char dtb[512];
    if (at_drv_open(&f->outer, dt_dtb("tiny", dtb, sizeof dtb), o, &f->drv, &err)) {
        fprintf(stderr, "  driver: %s\n", err.msg);
        at_port_close(&f->inner);
        return -1;
    }
    return 0;
}

static inline void fdev_close(fdev *f)
{
    f->fp.stuck_reset = 0;
    f->fp.fail_reg_read = f->fp.fail_reg_write = f->fp.fail_irq_wait = f->fp.fail_dma = 0;
    at_drv_close(f->drv);
    at_port_close(&f->inner);
}

#endif
