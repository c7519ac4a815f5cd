/* The cosim port: the driver's port layer over the simulated device of
 * cosim/acceltran_cosim.h (fmodel or rtl backend). Time is device time:
 * now_ns = cycles * 1000 / clock_mhz; irq_wait runs the simulation until
 * the interrupt line is high or the timeout's cycles pass. DMA memory is
 * the simulated host memory, with a first-fit free list on top of the
 * cosim bump allocator (freed blocks are reused). */
#ifndef ACCELTRAN_AT_PORT_COSIM_H
#define ACCELTRAN_AT_PORT_COSIM_H

#include <stdint.h>

#include "at_port.h"

struct at_cosim;

typedef struct at_port_cosim_opts {
    const char *backend; /* "fmodel" (NULL: fmodel) or "rtl" */
    const char *config;  /* "tiny", "mid", "edge", "server" */
    uint64_t mem_bytes;  /* simulated host memory (0: 64 MiB) */
    int debug;           /* rtl: the debug profile */
} at_port_cosim_opts;

/* Creates the simulated device and the port over it. AT_EINVAL for an
 * unknown backend or configuration, AT_EUNSUPPORTED when this build lacks
 * the backend for that configuration. */
int at_port_cosim_open(const at_port_cosim_opts *opts, at_port *out, at_err *err);

/* The simulated device behind a cosim port (for fault injection in tests),
 * or NULL when p is not a cosim port. */
struct at_cosim *at_port_cosim_device(const at_port *p);

/* 1 when this build has backend ("fmodel" / "rtl") for config. */
int at_port_cosim_available(const char *backend, const char *config);

#endif
