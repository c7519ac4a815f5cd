/* Host memory of the simulated platform, shared by both cosim backends:
 * storage at bus addresses [base, base + bytes), a bump allocator, one
 * injected fault range, and the configuration's timing (latency of the
 * first read beat, bandwidth as bytes per device cycle). The rtl backend's
 * AXI4 slave and the functional model's cycle estimate use the same
 * numbers (docs/cosim.md). */
#ifndef ACCELTRAN_HOST_MEM_H
#define ACCELTRAN_HOST_MEM_H

#include <stdint.h>

#include "acceltran_hw.h"
#include "at_error.h"

#define AT_AXI_OKAY 0u
#define AT_AXI_SLVERR 2u
#define AT_AXI_DECERR 3u

typedef struct at_host_mem at_host_mem;

/* bytes: 1..4 GiB; base 32-byte aligned. */
int at_host_mem_create(uint64_t base, uint64_t bytes, const at_hw_config *cfg, at_host_mem **out, at_err *err);
void at_host_mem_destroy(at_host_mem *m);

uint64_t at_host_mem_base(const at_host_mem *m);
uint64_t at_host_mem_size(const at_host_mem *m);

/* Bump allocation, zero-filled; align a power of two (values below 32 act as 32). */
int at_host_mem_alloc(at_host_mem *m, uint64_t bytes, uint64_t align, uint64_t *addr, at_err *err);
/* Host-side access; the range must lie in host memory (AT_ERANGE). */
int at_host_mem_write(at_host_mem *m, uint64_t addr, const void *src, uint64_t n, at_err *err);
int at_host_mem_read(const at_host_mem *m, uint64_t addr, void *dst, uint64_t n, at_err *err);
/* Direct pointer to [addr, addr + n) or NULL when the range is not all host memory. */
uint8_t *at_host_mem_ptr(at_host_mem *m, uint64_t addr, uint64_t n);

/* Injected fault: bus accesses touching [addr, addr + n) answer resp
 * (AT_AXI_SLVERR or AT_AXI_DECERR; AT_AXI_OKAY or n = 0 removes it). */
int at_host_mem_fault(at_host_mem *m, uint64_t addr, uint64_t n, unsigned resp, at_err *err);
/* Response of a bus access to [addr, addr + n): the fault's resp when it
 * touches the fault range, DECERR when any byte is outside host memory,
 * else OKAY. */
unsigned at_host_mem_bus_resp(const at_host_mem *m, uint64_t addr, uint64_t n);

/* Injected stall: bus bursts touching [addr, addr + n) get their response
 * `cycles` later (reads: the first beat; writes: B); AT_HOST_MEM_STALL_FOREVER
 * holds it until the stall is removed (cycles 0 or n 0 remove it). One
 * stall at a time, independent of the fault. */
#define AT_HOST_MEM_STALL_FOREVER UINT32_MAX
int at_host_mem_stall(at_host_mem *m, uint64_t addr, uint64_t n, uint32_t cycles, at_err *err);
/* Extra cycles of a burst to [addr, addr + n) (0: none). */
uint32_t at_host_mem_bus_stall(const at_host_mem *m, uint64_t addr, uint64_t n);

/* Timing of the configuration. */
uint32_t at_host_mem_latency(const at_host_mem *m);        /* cycles from read request to first beat */
double at_host_mem_bytes_per_cycle(const at_host_mem *m);  /* mem_bw_mbps / clock_mhz */

#endif
