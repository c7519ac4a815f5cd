/* Performance figures: see at_perf.h. */
#include "at_perf.h"

#include <string.h>

#define CNT_MASK ((1ull << 48) - 1)

int at_counters_read(at_drv *d, at_counters *out, at_err *err)
{
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; i < AT_NUM_COUNTERS; i++) {
        int rc = at_drv_counter(d, AT_CNT_REG(i), &out->v[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

void at_counters_delta(const at_counters *before, const at_counters *after, at_counters *out)
{
    for (unsigned i = 0; i < AT_NUM_COUNTERS; i++)
        out->v[i] = (after->v[i] - before->v[i]) & CNT_MASK;
}

void at_counters_add(at_counters *a, const at_counters *b)
{
    for (unsigned i = 0; i < AT_NUM_COUNTERS; i++)
        a->v[i] += b->v[i];
}

int at_unit_cycles_make(uint64_t cycles, const at_counters *delta, at_unit_cycles *out, at_err *err)
{
    memset(out, 0, sizeof *out);
    out->gemm = delta->v[AT_CNT_GEMM_BUSY];
    out->softmax = delta->v[AT_CNT_SMX_BUSY];
    out->layernorm = delta->v[AT_CNT_LN_BUSY];
    out->dma = delta->v[AT_CNT_DMA_ONLY];
    uint64_t used = out->gemm + out->softmax + out->layernorm + out->dma;
    if (used > cycles)
        return at_err_set(err, AT_ERANGE,
                          "perf: unit cycles (GEMM %llu + SOFTMAX %llu + LAYERNORM %llu + DMA only %llu) exceed the "
                          "run's %llu busy cycles",
                          (unsigned long long)out->gemm, (unsigned long long)out->softmax,
                          (unsigned long long)out->layernorm, (unsigned long long)out->dma,
                          (unsigned long long)cycles);
    out->idle = cycles - used;
    return 0;
}

void at_roofline_make(const at_hw_config *cfg, uint64_t cycles, uint64_t compute_cycles, uint64_t macs,
                      uint64_t dram_bytes, at_roofline *out)
{
    memset(out, 0, sizeof *out);
    out->peak_macs_per_cycle = (double)at_hw_peak_macs_per_cycle(cfg);
    out->bytes_per_cycle = cfg->clock_mhz ? (double)cfg->mem_bw_mbps / (double)cfg->clock_mhz : 0.0;
    if (compute_cycles && out->peak_macs_per_cycle > 0)
        out->compute_utilization = (double)macs / ((double)compute_cycles * out->peak_macs_per_cycle);
    out->compute_bound_cycles = out->peak_macs_per_cycle > 0 ? (double)macs / out->peak_macs_per_cycle : 0.0;
    out->memory_bound_cycles = out->bytes_per_cycle > 0 ? (double)dram_bytes / out->bytes_per_cycle : 0.0;
    out->memory_bound = out->memory_bound_cycles > out->compute_bound_cycles;
    out->roofline_cycles = out->memory_bound ? out->memory_bound_cycles : out->compute_bound_cycles;
    out->roofline_ratio = out->roofline_cycles > 0 ? (double)cycles / out->roofline_cycles : 0.0;
}
