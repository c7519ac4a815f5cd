/* AXI4 slave model of host memory for the rtl cosim backend, driven one
 * clock edge at a time (docs/cosim.md, "rtl backend").
 *
 * The device is an AXI4 master with one ID (in-order), 32-byte beats and
 * INCR bursts of 1..16 beats that do not cross 4 KiB (docs/rtl-top.md).
 * The model:
 *   - AR/R: several outstanding bursts (AT_AXI_SLAVE_MAX_RD), responses in
 *     order; the first beat of a burst comes at_host_mem_latency() edges
 *     after its AR handshake at the earliest, later beats one per cycle;
 *   - AW/W/B: several outstanding bursts (AT_AXI_SLAVE_MAX_WR); W beats
 *     are taken only for an accepted AW (W before AW waits); strobed bytes
 *     are written; B comes AT_AXI_SLAVE_B_LATENCY edges after the last beat;
 *   - bandwidth: a token bucket of at_host_mem_bytes_per_cycle() bytes per
 *     cycle shared by reads and writes (32 per beat, at most one beat per
 *     cycle per direction, round-robin when both wait);
 *   - responses per burst from at_host_mem_bus_resp() over the burst's
 *     bytes (SLVERR and DECERR faults, DECERR outside host memory): every
 *     R beat of a failing read burst carries the error and zero data; a
 *     failing write burst writes nothing and answers the error in B;
 *   - protocol checks on the device: ARLEN/AWLEN above 15, bursts crossing
 *     4 KiB, misaligned read bursts, strobes below an unaligned write
 *     address, WLAST on the wrong beat, VALID dropped or payload changed
 *     before READY. A violation makes at_axi_mem_slave_edge() return
 *     AT_EDEVICE (sticky: every later call returns it again).
 * Outputs are registered: they change only in at_axi_mem_slave_edge(). */
#ifndef ACCELTRAN_AXI_MEM_SLAVE_H
#define ACCELTRAN_AXI_MEM_SLAVE_H

#include <stdint.h>

#include "at_error.h"
#include "host_mem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AT_AXI_BEAT_BYTES 32u
#define AT_AXI_SLAVE_MAX_RD 8      /* outstanding read bursts (AR accepted, not all beats taken) */
#define AT_AXI_SLAVE_MAX_WR 8      /* outstanding write bursts (AW accepted, B not taken) */
#define AT_AXI_SLAVE_B_LATENCY 2u  /* edges from the last W beat to the first edge B can be taken */

/* Driven by the device (the master), sampled before a rising edge. */
typedef struct at_axi_m2s {
    unsigned arvalid;
    uint64_t araddr;
    unsigned arlen;
    unsigned rready;
    unsigned awvalid;
    uint64_t awaddr;
    unsigned awlen;
    unsigned wvalid;
    uint8_t wdata[AT_AXI_BEAT_BYTES];
    uint32_t wstrb;
    unsigned wlast;
    unsigned bready;
} at_axi_m2s;

/* Driven by the slave, constant between edges. */
typedef struct at_axi_s2m {
    unsigned arready;
    unsigned rvalid;
    uint8_t rdata[AT_AXI_BEAT_BYTES];
    unsigned rresp;
    unsigned rlast;
    unsigned awready;
    unsigned wready;
    unsigned bvalid;
    unsigned bresp;
} at_axi_s2m;

/* Timing overrides (0: the host memory's values). */
typedef struct at_axi_slave_opts {
    uint32_t latency;        /* edges from AR handshake to the first R handshake, >= 1 */
    double bytes_per_cycle;  /* token refill per edge */
} at_axi_slave_opts;

typedef struct at_axi_slave_stats {
    uint64_t edges;
    uint64_t rd_bursts, rd_beats;
    uint64_t wr_bursts, wr_beats, wr_bytes; /* wr_bytes: strobed bytes of OKAY bursts */
    uint64_t rd_errors, wr_errors;          /* bursts answered SLVERR/DECERR */
} at_axi_slave_stats;

typedef struct at_axi_mem_slave at_axi_mem_slave;

/* mem belongs to the caller and outlives the slave; opts may be NULL. */
int at_axi_mem_slave_create(at_host_mem *mem, const at_axi_slave_opts *opts, at_axi_mem_slave **out,
                            at_err *err);
void at_axi_mem_slave_destroy(at_axi_mem_slave *s);

/* The outputs to drive until the next edge. */
const at_axi_s2m *at_axi_mem_slave_out(const at_axi_mem_slave *s);

/* One rising edge. m: what the device drove just before it (with the
 * current at_axi_mem_slave_out()). Takes the handshakes of this edge,
 * moves data, then computes the outputs for the next cycle. Returns 0 or
 * AT_EDEVICE (protocol violation, message in err). */
int at_axi_mem_slave_edge(at_axi_mem_slave *s, const at_axi_m2s *m, at_err *err);

/* 1 when no burst is outstanding in either direction. */
int at_axi_mem_slave_idle(const at_axi_mem_slave *s);

void at_axi_mem_slave_stats(const at_axi_mem_slave *s, at_axi_slave_stats *st);

#ifdef __cplusplus
}
#endif

#endif
