/* The energy estimate of a run, from what the hardware counted
 * (docs/energy.md): energy = sum over actions (count x energy per action)
 * + leakage power x time, with the energies per action and the leakage of
 * spec/energy.json (generated into at_energy_table.h) and the instance
 * counts and buffer sizes of the configuration. It applies AccelTran's
 * 14 nm figures to this RTL's activity: an estimate, not a measurement. */
#ifndef ACCELTRAN_AT_ENERGY_H
#define ACCELTRAN_AT_ENERGY_H

#include <jansson.h>
#include <stdint.h>

#include "acceltran_hw.h"
#include "at_energy_table.h"
#include "at_error.h"
#include "at_perf.h"

/* A run's activity, each field the counter (docs/isa.md, Performance
 * counters) that the action is mapped to. */
typedef struct at_energy_activity {
    uint64_t cycles;                /* the run's time in device cycles (leakage x time) */
    uint64_t mac_issued;            /* CNT_MAC_ISSUED: MACs issued; a lane-cycle is 16 of them */
    uint64_t pe_busy;               /* CNT_PE_BUSY: PE-cycles with a tile (pre- and post-sparsity) */
    uint64_t smx_busy;              /* CNT_SMX_BUSY: cycles the softmax engine holds a command */
    uint64_t ln_busy;               /* CNT_LN_BUSY: cycles the layer-norm engine holds a command */
    uint64_t load_busy, store_busy; /* CNT_LOAD_BUSY, CNT_STORE_BUSY: DMA engine cycles */
    uint64_t act_rd, act_wr;        /* CNT_SPAD_ACT_RD/WR: activation lines (16 elements each) */
    uint64_t wgt_rd, wgt_wr;        /* CNT_SPAD_WGT_RD/WR: weight lines (a quad read is 4) */
    uint64_t mask_rd, mask_wr;      /* CNT_SPAD_MASK_RD/WR: mask words (the masks of 16 elements) */
    uint64_t mem_rd_bytes;          /* CNT_MEM_RD_BYTES: bus read traffic, descriptors included */
    uint64_t mem_wr_bytes;          /* CNT_MEM_WR_BYTES: bus write traffic (strobed bytes) */
} at_energy_activity;

/* The activity of a run from its counters (deltas over the run, at_perf.h)
 * and its time in cycles (the cycles the run reports: CNT_BUSY over its
 * jobs). */
void at_energy_activity_from_counters(const at_counters *delta, uint64_t cycles, at_energy_activity *a);

/* The units of energy_by_unit: the dynamic energy of each unit, then the
 * leakage of the whole device as one entry (split in leakage_by_unit_mj). */
enum at_energy_unit {
    AT_EU_MAC_LANES,   /* MAC lanes (multipliers, accumulators, GELU) */
    AT_EU_SPARSITY,    /* pre-sparsity (zero-skip) + post-sparsity (DynaTran) modules of the PEs */
    AT_EU_SOFTMAX,     /* the softmax engine */
    AT_EU_LAYERNORM,   /* the layer-norm engine */
    AT_EU_DMA,         /* the load and store engines and their bus FIFOs */
    AT_EU_BUFFERS,     /* activation, weight and mask scratchpad accesses */
    AT_EU_MAIN_MEMORY, /* main-memory traffic */
    AT_EU_LEAKAGE,     /* leakage power of every module and buffer x time */
    AT_ENERGY_NUM_UNITS
};

/* "mac_lanes", "sparsity", ..., "leakage"; NULL past the last. */
const char *at_energy_unit_name(int unit);

typedef struct at_energy {
    double energy_mj;                             /* the sum of by_unit_mj */
    double by_unit_mj[AT_ENERGY_NUM_UNITS];       /* dynamic per unit, then leakage */
    double leakage_by_unit_mj[AT_ENERGY_NUM_UNITS]; /* leakage of each unit (0 for main memory
                                                     * and the leakage entry); sums to
                                                     * by_unit_mj[AT_EU_LEAKAGE] */
    double buffer_mj[AT_ENERGY_NUM_BUFFERS];      /* AT_EU_BUFFERS by buffer */
    double leakage_mw;                            /* the configuration's leakage power */
    double seconds;                               /* cycles at the configuration's clock */
    const char *memory;                           /* the main memory (at_energy_memories) */
} at_energy;

/* The configuration's leakage power in mW, split by unit into
 * by_unit_mw (may be NULL); the memory of the configuration in *memory
 * (may be NULL). AT_ENOTFOUND for a configuration spec/energy.json does
 * not give a memory. */
int at_energy_leakage_mw(const at_hw_config *cfg, double by_unit_mw[AT_ENERGY_NUM_UNITS], double *total_mw,
                         const char **memory, at_err *err);

/* The estimate of activity a on configuration cfg. AT_EINVAL for a NULL
 * argument or a zero clock, AT_ENOTFOUND for a configuration without a
 * memory in spec/energy.json. */
int at_energy_estimate(const at_hw_config *cfg, const at_energy_activity *a, at_energy *out, at_err *err);

/* at_energy_activity_from_counters + at_energy_estimate. */
int at_energy_from_counters(const at_hw_config *cfg, const at_counters *delta, uint64_t cycles, at_energy *out,
                            at_err *err);

/* Adds "energy_mj", "energy_by_unit" {unit: mJ} and "energy_model" (the data
 * file, "estimate", the memory, the leakage power and its split) to obj.
 * AT_ENOMEM when jansson cannot allocate. */
int at_energy_json_add(json_t *obj, const at_energy *e);

#endif
