/* The performance arithmetic of runtime/at_perf.h and at_perf_run.h: the
 * roofline (compute- and memory-bound cases on every configuration, from
 * the spec's peak and bandwidth), the attribution of cycles to units
 * (sums to the cycles; inconsistent counters are an error), counter deltas
 * across the 48-bit wrap, and the figures at_perf_figures derives from a
 * run's statistics. */
#include <math.h>
#include <string.h>

#include "at_perf.h"
#include "at_perf_run.h"
#include "check.h"

static int close_to(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

static void t_roofline(void)
{
    /* edge: 64 x 16 x 16 = 16384 MACs per cycle, 25600 MB/s at 700 MHz */
    const at_hw_config *e = at_hw_config_find("edge");
    at_roofline r;
    /* 512 x 1024 x 1024 from memory: A, B, C once (int16) */
    uint64_t macs = 512ull * 1024 * 1024, bytes = 2ull * (512 * 1024 + 1024 * 1024 + 512 * 1024);
    at_roofline_make(e, 40000, 35000, macs, bytes, &r);
    CHECK(r.peak_macs_per_cycle == 16384.0, "edge peak %g", r.peak_macs_per_cycle);
    CHECK(close_to(r.bytes_per_cycle, 25600.0 / 700.0), "edge bytes/cycle %.9f", r.bytes_per_cycle);
    CHECK(close_to(r.compute_bound_cycles, 32768.0), "compute bound %.3f, want 32768", r.compute_bound_cycles);
    CHECK(close_to(r.memory_bound_cycles, (double)bytes * 700.0 / 25600.0), "memory bound %.3f",
          r.memory_bound_cycles);
    /* 4 MiB at 36.57 bytes/cycle = 114,688 cycles: memory-bound (the issue's ~0.3 of peak) */
    CHECK(r.memory_bound && close_to(r.roofline_cycles, 114688.0), "roofline %.3f (memory_bound %d), want 114688",
          r.roofline_cycles, r.memory_bound);
    CHECK(close_to(r.roofline_ratio, 40000.0 / 114688.0), "ratio %.9f", r.roofline_ratio);
    CHECK(close_to(r.compute_utilization, (double)macs / (35000.0 * 16384.0)), "compute utilization %.9f",
          r.compute_utilization);
    /* compute-bound: the same MACs, hardly any bytes */
    at_roofline_make(e, 50000, 33000, macs, 1000, &r);
    CHECK(!r.memory_bound && close_to(r.roofline_cycles, 32768.0) && close_to(r.roofline_ratio, 50000.0 / 32768.0),
          "compute-bound roofline %.3f ratio %.6f memory_bound %d", r.roofline_cycles, r.roofline_ratio,
          r.memory_bound);
    /* every configuration: the figures follow from the spec */
    for (int i = 0; i < AT_HW_NUM_CONFIGS; i++) {
        const at_hw_config *c = &at_hw_configs[i];
        at_roofline_make(c, 1000, 500, 1u << 20, 1u << 20, &r);
        double peak = (double)c->pes * c->lanes * c->macs_per_lane, bpc = (double)c->mem_bw_mbps / c->clock_mhz;
        double want = fmax((double)(1u << 20) / peak, (double)(1u << 20) / bpc);
        CHECK(close_to(r.peak_macs_per_cycle, peak) && close_to(r.bytes_per_cycle, bpc) &&
                  close_to(r.roofline_cycles, want) && close_to(r.roofline_ratio, 1000.0 / want) &&
                  close_to(r.compute_utilization, (double)(1u << 20) / (500.0 * peak)),
              "%s: peak %g bpc %g roofline %g (want %g) ratio %g", c->name, r.peak_macs_per_cycle, r.bytes_per_cycle,
              r.roofline_cycles, want, r.roofline_ratio);
    }
    /* nothing to do: zeros, no division by zero */
    at_roofline_make(e, 0, 0, 0, 0, &r);
    CHECK(r.roofline_cycles == 0 && r.roofline_ratio == 0 && r.compute_utilization == 0,
          "empty run: roofline %g ratio %g utilization %g", r.roofline_cycles, r.roofline_ratio,
          r.compute_utilization);
}

static void t_units(void)
{
    at_counters d;
    memset(&d, 0, sizeof d);
    d.v[AT_CNT_GEMM_BUSY] = 600;
    d.v[AT_CNT_SMX_BUSY] = 100;
    d.v[AT_CNT_LN_BUSY] = 50;
    d.v[AT_CNT_LOAD_BUSY] = 400; /* mostly under compute */
    d.v[AT_CNT_STORE_BUSY] = 90;
    d.v[AT_CNT_DMA_ONLY] = 120;
    at_unit_cycles u;
    at_err err = {0};
    CHECK(at_unit_cycles_make(1000, &d, &u, &err) == 0, "units: %s", err.msg);
    CHECK(u.gemm == 600 && u.softmax == 100 && u.layernorm == 50 && u.dma == 120 && u.idle == 130,
          "units %llu %llu %llu %llu %llu, want 600 100 50 120 130", (unsigned long long)u.gemm,
          (unsigned long long)u.softmax, (unsigned long long)u.layernorm, (unsigned long long)u.dma,
          (unsigned long long)u.idle);
    CHECK(u.gemm + u.softmax + u.layernorm + u.dma + u.idle == 1000, "units do not sum to the cycles");
    /* exactly the cycles: idle 0 */
    CHECK(at_unit_cycles_make(870, &d, &u, &err) == 0 && u.idle == 0, "870 cycles: idle %llu",
          (unsigned long long)u.idle);
    /* more unit cycles than cycles: an error naming them */
    int rc = at_unit_cycles_make(869, &d, &u, &err);
    CHECK(rc == AT_ERANGE && strstr(err.msg, "869"), "869 cycles: rc %d '%s'", rc, err.msg);
}

static void t_delta(void)
{
    at_counters a, b, d;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.v[AT_CNT_CYCLES] = (1ull << 48) - 10; /* wraps between the two reads */
    b.v[AT_CNT_CYCLES] = 5;
    a.v[AT_CNT_SMX_ROWS] = 7;
    b.v[AT_CNT_SMX_ROWS] = 107;
    at_counters_delta(&a, &b, &d);
    CHECK(d.v[AT_CNT_CYCLES] == 15 && d.v[AT_CNT_SMX_ROWS] == 100, "delta %llu %llu, want 15 100",
          (unsigned long long)d.v[AT_CNT_CYCLES], (unsigned long long)d.v[AT_CNT_SMX_ROWS]);
    at_counters_add(&d, &d);
    CHECK(d.v[AT_CNT_CYCLES] == 30 && d.v[AT_CNT_SMX_ROWS] == 200, "add");
    CHECK(AT_CNT_REG(AT_CNT_CYCLES) == AT_REG_CNT_CYCLES_LO && AT_CNT_REG(AT_CNT_LN_ROWS) == AT_REG_CNT_LN_ROWS_LO &&
              AT_CNT_REG(AT_CNT_DMA_ONLY) == AT_REG_CNT_DMA_ONLY_LO,
          "generated counter indices do not match the register offsets");
    for (unsigned i = 0; i < AT_NUM_COUNTERS; i++)
        CHECK(at_counter_name(i) != NULL, "counter %u has no name", i);
    CHECK(at_counter_name(AT_NUM_COUNTERS) == NULL && !strcmp(at_counter_name(AT_CNT_GEMM_BUSY), "GEMM_BUSY"),
          "counter names");
}

/* at_perf_figures: what `acceltran perf` prints follows from a run's stats */
static void t_figures(void)
{
    const at_hw_config *s = at_hw_config_find("server");
    at_infer_stats st;
    memset(&st, 0, sizeof st);
    st.cycles = 1400000; /* 2 ms at 700 MHz */
    st.counters.v[AT_CNT_GEMM_BUSY] = 900000;
    st.counters.v[AT_CNT_SMX_BUSY] = 100000;
    st.counters.v[AT_CNT_LN_BUSY] = 50000;
    st.counters.v[AT_CNT_DMA_ONLY] = 200000;
    st.compute_cycles = 900000;
    st.macs = 1000000000000ull;
    st.mac_skipped = 5;
    st.useful_macs = 900000000000ull;
    st.utilization = 0.5;
    st.dram_bytes = 1000000000ull;
    st.smx_rows = 3;
    st.ln_rows = 4;
    at_perf_result r;
    memset(&r, 0, sizeof r);
    at_err err = {0};
    CHECK(at_perf_figures(s, &st, 4, &r, &err) == 0, "figures: %s", err.msg);
    CHECK(close_to(r.device_seconds, 0.002) && close_to(r.sequences_per_second, 2000.0),
          "device_seconds %.9f sequences/s %.3f, want 0.002 2000", r.device_seconds, r.sequences_per_second);
    CHECK(r.units.idle == 150000 && r.weights_loaded == 1 && r.compute_cycles == 900000 && r.smx_rows == 3,
          "idle %llu weights_loaded %d", (unsigned long long)r.units.idle, r.weights_loaded);
    /* server: 262,144 MACs and 256000 / 700 bytes per cycle */
    double want = fmax(1e12 / 262144.0, 1e9 * 700.0 / 256000.0);
    CHECK(close_to(r.roof.roofline_cycles, want) && close_to(r.roof.roofline_ratio, 1400000.0 / want) &&
              close_to(r.roof.compute_utilization, 1e12 / (900000.0 * 262144.0)),
          "roofline %.3f (want %.3f) ratio %.6f compute utilization %.6f", r.roof.roofline_cycles, want,
          r.roof.roofline_ratio, r.roof.compute_utilization);
    st.weights_preloaded = 1;
    CHECK(at_perf_figures(s, &st, 4, &r, &err) == 0 && r.weights_loaded == 0, "weights_loaded with a preload");
}

int main(void)
{
    RUN_CASE(t_roofline);
    RUN_CASE(t_units);
    RUN_CASE(t_delta);
    RUN_CASE(t_figures);
    return check_finish("test_perf_figures");
}
