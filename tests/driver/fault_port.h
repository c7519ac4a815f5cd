/* A port that fails on demand, for the driver's own error paths
 * (tests/driver/test_drv_recovery.c): it forwards every operation to an
 * inner port (the cosim one) and, when armed,
 *   - stuck_reset: STATUS reads as RESETTING (never IDLE) once SOFT_RESET
 *     was written, as a device whose reset never completes;
 *   - fail_reg_read / fail_reg_write / fail_irq_wait / fail_dma: the n-th
 *     call from now of that operation (1 = the next) fails with AT_EIO,
 *     and every one after it while sticky is set.
 * Counters say how often each was called. */
#ifndef ACCELTRAN_FAULT_PORT_H
#define ACCELTRAN_FAULT_PORT_H

#include <stdint.h>

#include "at_port.h"

typedef struct fault_port {
    at_port inner;
    int stuck_reset, reset_written;
    uint32_t fail_reg_read, fail_reg_write, fail_irq_wait, fail_dma; /* countdowns, 0: off */
    int sticky;
    uint64_t reg_reads, reg_writes, irq_waits, dma_ops, soft_resets;
} fault_port;

/* 1 when this call of an operation with countdown *c fails. */
static inline int fp_trip(fault_port *f, uint32_t *c)
{
    if (*c == 0)
        return 0;
    if (*c == 1) {
        if (!f->sticky)
            *c = 0;
        return 1;
    }
    (*c)--;
    return 0;
}

static inline int fp_reg_read(void *ctx, uint32_t off, uint32_t *val, at_err *err)
{
    fault_port *f = ctx;
    f->reg_reads++;
    if (fp_trip(f, &f->fail_reg_read))
        return at_err_set(err, AT_EIO, "fault port: register read at 0x%03x failed (injected)", off);
    int rc = f->inner.ops->reg_read(f->inner.ctx, off, val, err);
    if (!rc && off == AT_REG_STATUS && f->stuck_reset && f->reset_written)
        *val = (*val & ~AT_REG_STATUS_IDLE_MASK) | AT_REG_STATUS_RESETTING_MASK;
    return rc;
}

static inline int fp_reg_write(void *ctx, uint32_t off, uint32_t val, at_err *err)
{
    fault_port *f = ctx;
    f->reg_writes++;
    if (fp_trip(f, &f->fail_reg_write))
        return at_err_set(err, AT_EIO, "fault port: register write at 0x%03x failed (injected)", off);
    if (off == AT_REG_SOFT_RESET && (val & AT_REG_SOFT_RESET_RESET_MASK)) {
        f->soft_resets++;
        f->reset_written = 1;
    }
    return f->inner.ops->reg_write(f->inner.ctx, off, val, err);
}

static inline int fp_dma_alloc(void *ctx, uint64_t bytes, uint64_t align, at_port_dma *out, at_err *err)
{
    fault_port *f = ctx;
    return f->inner.ops->dma_alloc(f->inner.ctx, bytes, align, out, err);
}

static inline void fp_dma_free(void *ctx, at_port_dma *buf)
{
    fault_port *f = ctx;
    f->inner.ops->dma_free(f->inner.ctx, buf);
}

static inline int fp_dma_write(void *ctx, const at_port_dma *buf, uint64_t off, const void *src, uint64_t n,
                               at_err *err)
{
    fault_port *f = ctx;
    f->dma_ops++;
    if (fp_trip(f, &f->fail_dma))
        return at_err_set(err, AT_EIO, "fault port: DMA write failed (injected)");
    return f->inner.ops->dma_write(f->inner.ctx, buf, off, src, n, err);
}

static inline int fp_dma_read(void *ctx, const at_port_dma *buf, uint64_t off, void *dst, uint64_t n, at_err *err)
{
    fault_port *f = ctx;
    f->dma_ops++;
    if (fp_trip(f, &f->fail_dma))
        return at_err_set(err, AT_EIO, "fault port: DMA read failed (injected)");
    return f->inner.ops->dma_read(f->inner.ctx, buf, off, dst, n, err);
}

static inline int fp_irq_wait(void *ctx, uint64_t timeout_ns, int *fired, at_err *err)
{
    fault_port *f = ctx;
    f->irq_waits++;
    if (fp_trip(f, &f->fail_irq_wait))
        return at_err_set(err, AT_EIO, "fault port: interrupt wait failed (injected)");
    return f->inner.ops->irq_wait(f->inner.ctx, timeout_ns, fired, err);
}

static inline int fp_delay(void *ctx, uint64_t ns, at_err *err)
{
    fault_port *f = ctx;
    return f->inner.ops->delay(f->inner.ctx, ns, err);
}

static inline uint64_t fp_now(void *ctx)
{
    fault_port *f = ctx;
    return f->inner.ops->now_ns(f->inner.ctx);
}

static inline uint64_t fp_cycles(void *ctx)
{
    fault_port *f = ctx;
    return f->inner.ops->cycles ? f->inner.ops->cycles(f->inner.ctx) : 0;
}

static const at_port_ops fault_port_ops = {
    .name = "fault",
    .reg_read = fp_reg_read,
    .reg_write = fp_reg_write,
    .dma_alloc = fp_dma_alloc,
    .dma_free = fp_dma_free,
    .dma_write = fp_dma_write,
    .dma_read = fp_dma_read,
    .irq_wait = fp_irq_wait,
    .delay = fp_delay,
    .now_ns = fp_now,
    .cycles = fp_cycles,
    .destroy = NULL, /* the inner port is closed by its owner */
};

/* The wrapping port (f must outlive it). */
static inline at_port fault_port_of(fault_port *f)
{
    at_port p = {&fault_port_ops, f};
    return p;
}

#endif
