/* The simulated acceltran device behind one C header, with two backends:
 *   rtl     the Verilated rtl/acceltran_top.sv (each instance has its own
 *           VerilatedContext), with a host-memory AXI4 slave model;
 *   fmodel  the C functional model (cosim/fmodel/device_*.c): the same
 *           registers, commands, errors and exact counters, bit for bit,
 *           with a cycle estimate of its own.
 * The same test runs on both and compares memory and counters.
 *
 * The device sits on a simulated platform: MMIO registers (32-bit AXI4-Lite)
 * at offsets 0..AT_MMIO_BYTES-1, one level interrupt, and host memory of
 * mem_bytes bytes at bus addresses [mem_base, mem_base + mem_bytes). Bus
 * accesses outside host memory answer DECERR. The memory model has the
 * latency (mem_latency_cycles, first read beat) and bandwidth
 * (mem_bw_mbps / clock_mhz bytes per cycle, at most one 32-byte beat per
 * cycle per direction) of the configuration, in both backends.
 *
 * Every function returns 0 or a negative AT_E* code (include/at_error.h)
 * and fills err (if non-NULL) with a message. No function aborts on bad
 * arguments. A handle is used by one thread at a time; handles are
 * independent. See docs/cosim.md. */
#ifndef ACCELTRAN_COSIM_H
#define ACCELTRAN_COSIM_H

#include <stddef.h>
#include <stdint.h>

#include "acceltran_hw.h"
#include "at_error.h"

typedef enum at_cosim_backend {
    AT_COSIM_FMODEL = 0,
    AT_COSIM_RTL = 1
} at_cosim_backend;

typedef enum at_cosim_profile {
    AT_COSIM_FAST = 0,  /* rtl: -O3, x-assign fast */
    AT_COSIM_DEBUG = 1  /* rtl: assertions, trace support, randomized initial state (seed printed) */
} at_cosim_profile;

typedef struct at_cosim_opts {
    at_cosim_backend backend;
    const char *config;      /* "tiny", "mid", "edge", "server"; the rtl backend has the configurations it was built for */
    at_cosim_profile profile;
    uint64_t mem_base;       /* bus address of host memory (0: 0x80000000) */
    uint64_t mem_bytes;      /* host memory size (0: 64 MiB); at most 4 GiB */
    uint64_t seed;           /* debug profile: initial-state randomization seed (0: 1) */
} at_cosim_opts;

typedef struct at_cosim at_cosim;

/* Backend name "rtl" / "fmodel" -> enum; AT_EINVAL otherwise. */
int at_cosim_backend_parse(const char *name, at_cosim_backend *out, at_err *err);
const char *at_cosim_backend_name(at_cosim_backend b);
/* 1 when this build has the backend for that configuration. */
int at_cosim_available(at_cosim_backend b, const char *config);

/* Creates a device in reset-released state (registers at reset values). */
int at_cosim_create(const at_cosim_opts *opts, at_cosim **out, at_err *err);
void at_cosim_destroy(at_cosim *c);

/* The configuration the device was built with. */
const at_hw_config *at_cosim_config(const at_cosim *c);
at_cosim_backend at_cosim_backend_of(const at_cosim *c);

/* 32-bit register access (offset 4-aligned, < AT_MMIO_BYTES; else AT_EINVAL).
 * Each access takes simulated time (an AXI4-Lite transaction in rtl). */
int at_cosim_mmio_read(at_cosim *c, uint32_t offset, uint32_t *value, at_err *err);
int at_cosim_mmio_write(at_cosim *c, uint32_t offset, uint32_t value, at_err *err);

/* Host memory: a bump allocator over [mem_base, mem_base + mem_bytes) (align:
 * power of two >= 32), and byte access by bus address (the range must lie in
 * host memory: else AT_ERANGE). Reads and writes do not take simulated time;
 * do not change memory the device is using. */
int at_cosim_mem_alloc(at_cosim *c, uint64_t bytes, uint64_t align, uint64_t *addr, at_err *err);
int at_cosim_mem_write(at_cosim *c, uint64_t addr, const void *src, uint64_t n, at_err *err);
int at_cosim_mem_read(at_cosim *c, uint64_t addr, void *dst, uint64_t n, at_err *err);
uint64_t at_cosim_mem_base(const at_cosim *c);
uint64_t at_cosim_mem_size(const at_cosim *c);

/* Fault injection for tests: bus accesses touching [addr, addr + n) answer
 * resp (2 = SLVERR, 3 = DECERR; 0 removes the fault). One fault at a time. */
int at_cosim_mem_fault(at_cosim *c, uint64_t addr, uint64_t n, unsigned resp, at_err *err);
/* Stall injection for tests: bus bursts touching [addr, addr + n) answer
 * `cycles` late (UINT32_MAX: not until the stall is removed; 0 removes it).
 * Both backends; a held response holds its command (the device stays
 * busy, a soft reset waits for it) until the stall is removed, then the
 * command completes (docs/cosim.md, "Fault injection"). */
int at_cosim_mem_stall(at_cosim *c, uint64_t addr, uint64_t n, uint32_t cycles, at_err *err);

/* Runs the clock until the stop condition holds or max_cycles pass.
 * Returns 0 and sets *why (may be NULL). */
typedef enum at_cosim_stop {
    AT_COSIM_UNTIL_IRQ = 1,   /* the interrupt line is high */
    AT_COSIM_UNTIL_IDLE = 2,  /* STATUS.BUSY and STATUS.RESETTING are 0 */
    AT_COSIM_UNTIL_CYCLES = 3 /* exactly max_cycles cycles */
} at_cosim_stop;

typedef enum at_cosim_why {
    AT_COSIM_STOPPED_IRQ = 1,
    AT_COSIM_STOPPED_IDLE = 2,
    AT_COSIM_STOPPED_LIMIT = 3 /* max_cycles passed first */
} at_cosim_why;

int at_cosim_run(at_cosim *c, at_cosim_stop until, uint64_t max_cycles, at_cosim_why *why, at_err *err);

/* Level of the interrupt line now. */
int at_cosim_irq(const at_cosim *c);
/* Device clock cycles since creation (soft resets do not clear it). */
uint64_t at_cosim_cycles(const at_cosim *c);

/* FST waveform of the rtl backend into path from now on (NULL: stop and
 * close). AT_EUNSUPPORTED on fmodel or a fast-profile build without trace. */
int at_cosim_trace(at_cosim *c, const char *path, at_err *err);

#endif
