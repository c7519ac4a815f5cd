/* Differential descriptor fuzzer: the case generator (docs/results/difffuzz.md).
 *
 * A case is one command stream with everything around it: the memory
 * windows, the ring, an optional injected bus fault, and the seed of the
 * host-memory image. Case i of seed s is a pure function of (s, i, knobs),
 * so any case replays from its seed and index alone; dfz_case_write /
 * dfz_case_read keep one as a text hex dump (the reproducers).
 *
 * Host memory (DFZ_MEM_BYTES at the cosim default base) is laid out as:
 *   [0x00000, 0x01000)  setup ring: the LOADs that fill the scratchpads
 *   [0x01000, 0x05000)  the fuzzed ring (never a STORE or FENCE target)
 *   [0x05000, 0x45000)  "in": random data (scratchpad fill, LOAD sources)
 *   [0x45000, 0x46000)  "lens": valid SOFTMAX row lengths 1..32
 *   [0x48000, 0xC8000)  "out": random data, STORE and FENCE targets (and LOAD sources)
 * The scratchpads are filled from "in" before every stream, because
 * their contents are undefined after a reset (docs/isa.md, Soft reset). */
#ifndef ACCELTRAN_DIFFFUZZ_GEN_H
#define ACCELTRAN_DIFFFUZZ_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "acceltran_hw.h"

#define DFZ_MEM_BASE UINT64_C(0x80000000)
#define DFZ_MEM_BYTES (UINT64_C(1) << 20)
#define DFZ_SETUP_RING 0x00000u
#define DFZ_RING_AREA 0x01000u
#define DFZ_RING_AREA_END 0x05000u
#define DFZ_IN 0x05000u
#define DFZ_IN_END 0x45000u
#define DFZ_LENS 0x45000u
#define DFZ_LENS_END 0x46000u
#define DFZ_OUT 0x48000u
#define DFZ_OUT_END 0xC8000u
#define DFZ_MAX_DESC 64u
#define DFZ_SETUP_DESC 3u

/* Tunable knobs of the generator. */
typedef struct dfz_knobs {
    unsigned bad_pct;    /* share (percent) of descriptors given one deliberate fault */
    unsigned min_len;    /* commands per stream, final FENCE included (2..DFZ_MAX_DESC) */
    unsigned max_len;
    unsigned fault_pct;  /* share of streams with an injected SLVERR/DECERR range */
    unsigned frag_pct;   /* share of streams with fragmented windows (else one window over all memory) */
    /* 1 (--no-smx-row-errors): no SOFTMAX whose per-row lengths (LEN_VEC)
     * may be invalid, i.e. may fail while running (a run-time error,
     * docs/isa.md); every LEN_VEC SOFTMAX then follows a LOAD of valid
     * lengths and has N >= 32. 0 (default): they are generated. */
    int exclude_smx_row_error;
} dfz_knobs;

void dfz_knobs_default(dfz_knobs *k);

typedef struct dfz_case {
    uint64_t seed, index;
    uint64_t mem_seed;           /* seed of the host-memory image */
    uint64_t win_base[4], win_size[4];
    uint64_t ring_base;          /* fuzzed ring (bus address; may be misaligned or outside the windows) */
    unsigned ring_log2;
    uint32_t irq_enable;
    uint64_t fault_addr, fault_len; /* fault_len 0: none */
    unsigned fault_resp;            /* 2 SLVERR, 3 DECERR */
    unsigned ndesc;
    uint32_t desc[DFZ_MAX_DESC][AT_DESC_WORDS];
} dfz_case;

/* Case index of seed, deterministic. */
void dfz_gen_case(uint64_t seed, uint64_t index, const dfz_knobs *k, const at_hw_config *cfg, dfz_case *out);

/* The host-memory image of c (DFZ_MEM_BYTES bytes, offset 0 = DFZ_MEM_BASE):
 * random data, the lens area, the setup ring and the fuzzed ring. */
void dfz_gen_image(const dfz_case *c, const at_hw_config *cfg, uint8_t *img);

/* Upper bound of the device cycles of the stream (with generous margins):
 * the run budget; a stream still running after it is a hang. */
uint64_t dfz_cycle_budget(const dfz_case *c);

/* Text hex dump of a case (a reproducer) and back. 0 or a negative AT_E*. */
int dfz_case_write(const dfz_case *c, const char *path, const char *why);
int dfz_case_read(const char *path, dfz_case *c, char *msg, size_t msg_len);
void dfz_desc_print(FILE *f, const char *prefix, const uint32_t d[AT_DESC_WORDS]);

const char *dfz_op_name(unsigned op);

/* 1 when the SOFTMAX d (LEN_VEC) directly follows ld, a LOAD of valid
 * lengths (1..32, the lens area) into all of its length lines, and has
 * N >= 32: its lengths are valid (the oracle and the exclusion above). */
int dfz_smx_lens_valid(const uint32_t *ld, const uint32_t *d);

#endif
