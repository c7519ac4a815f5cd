/* The port layer of the acceltran driver (NVDLA-style core/port split).
 *
 * The OS-independent core (at_drv.h) reaches the device and the platform
 * only through one at_port: a table of function pointers plus the port's
 * context. A port provides
 *   - 32-bit register access at offsets 0 .. AT_MMIO_BYTES-1 of the device;
 *   - DMA-able memory: allocations with a bus address (what the device is
 *     given) and CPU access (a pointer when the memory is mapped, else the
 *     read/write helpers);
 *   - an interrupt wait with a timeout;
 *   - a delay (for polling loops) and a monotonic clock.
 * Time is in nanoseconds of the port's clock: wall time on hardware, device
 * time (cycles / clock MHz) on a simulated device, so timeouts mean the same
 * on both.
 *
 * Ports: driver/at_port_cosim.c (the simulated device of cosim/). A Linux
 * kernel port would map these to ioread32/iowrite32, dma_alloc_coherent,
 * wait_event_timeout on the interrupt handler's flag, and ktime_get_ns.
 *
 * Every operation returns 0 or a negative AT_E* code with a message in err
 * (if non-NULL). No operation may block longer than its timeout. */
#ifndef ACCELTRAN_AT_PORT_H
#define ACCELTRAN_AT_PORT_H

#include <stdint.h>

#include "at_error.h"

/* One DMA-able allocation. */
typedef struct at_port_dma {
    uint64_t bus;   /* address the device uses */
    uint64_t bytes; /* size */
    void *cpu;      /* CPU mapping, or NULL: use dma_read / dma_write */
    void *priv;     /* the port's own bookkeeping */
} at_port_dma;

typedef struct at_port_ops {
    const char *name; /* e.g. "cosim-fmodel" */

    int (*reg_read)(void *ctx, uint32_t off, uint32_t *val, at_err *err);
    int (*reg_write)(void *ctx, uint32_t off, uint32_t val, at_err *err);

    /* align: power of two >= 32. The memory is zero-filled. */
    int (*dma_alloc)(void *ctx, uint64_t bytes, uint64_t align, at_port_dma *out, at_err *err);
    void (*dma_free)(void *ctx, at_port_dma *buf);
    /* CPU access to [off, off + n) of buf (inside it, else AT_ERANGE). */
    int (*dma_write)(void *ctx, const at_port_dma *buf, uint64_t off, const void *src, uint64_t n,
                     at_err *err);
    int (*dma_read)(void *ctx, const at_port_dma *buf, uint64_t off, void *dst, uint64_t n,
                    at_err *err);

    /* Waits until the interrupt line is high or timeout_ns pass; *fired = 1
     * when the line is high on return. Returns at once when it already is. */
    int (*irq_wait)(void *ctx, uint64_t timeout_ns, int *fired, at_err *err);
    /* Lets ns pass (a simulated device runs meanwhile). */
    int (*delay)(void *ctx, uint64_t ns, at_err *err);
    /* Monotonic time in ns. */
    uint64_t (*now_ns)(void *ctx);
    /* Device clock cycles when the port knows them (simulation), else 0. */
    uint64_t (*cycles)(void *ctx);

    /* Frees the port's context (NULL: nothing to free). */
    void (*destroy)(void *ctx);
} at_port_ops;

typedef struct at_port {
    const at_port_ops *ops;
    void *ctx;
} at_port;

/* Frees the port (ops->destroy) and clears it. */
static inline void at_port_close(at_port *p)
{
    if (p && p->ops && p->ops->destroy)
        p->ops->destroy(p->ctx);
    if (p) {
        p->ops = 0;
        p->ctx = 0;
    }
}

#endif
