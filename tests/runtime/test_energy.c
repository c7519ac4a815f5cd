/* at_energy: the estimate on hand-computed counts (every expected value is
 * written out below from the figures of spec/energy.json, not taken from
 * the generated table), its sums, linearity, errors and JSON keys. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "at_energy.h"
#include "check.h"

static int near(double got, double want)
{
    return fabs(got - want) <= 1e-9 * fabs(want) + 1e-15;
}

#define CHECK_NEAR(got, want, what)                                                                    \
    CHECK(near((got), (want)), "%s: got %.12g, want %.12g", (what), (double)(got), (double)(want))

/* One of everything on edge, 1 ms (700,000 cycles at 700 MHz). */
static at_energy_activity edge_activity(void)
{
    at_energy_activity a = {0};
    a.cycles = 700000;
    a.mac_issued = 16000; /* 1000 lane-cycles */
    a.pe_busy = 7000;
    a.smx_busy = 700;
    a.ln_busy = 1400;
    a.load_busy = 700;
    a.store_busy = 700;
    a.act_rd = 400;
    a.act_wr = 400;
    a.wgt_rd = 4000;
    a.mask_rd = 800;
    a.mask_wr = 800;
    a.mem_rd_bytes = 128000;
    a.mem_wr_bytes = 12800; /* 1100 blocks of 128 bytes */
    return a;
}

static void test_edge_by_hand(void)
{
    const at_hw_config *cfg = at_hw_config_find("edge");
    at_energy_activity a = edge_activity();
    at_energy e;
    at_err err = {0};
    int rc = at_energy_estimate(cfg, &a, &e, &err);
    CHECK(rc == 0, "estimate: %d %s", rc, err.msg);
    if (rc)
        return;
    /* nJ: lane-cycles x 5.1955 mW / 700 MHz, ... */
    double mac = 1000 * 5.1955 / 700;
    double sparsity = 7000 * (0.2852968 + 0.2613971) / 700;
    /* edge: 4 softmax and 4 layer-norm units, each counted active while
     * its engine is busy */
    double smx = 4 * 700 * 34.6343 / 700;
    double ln = 4 * 1400 * 43.8378 / 700;
    double dma = 1400 * (0.0335287 + 0.0563909) / 700;
    /* 16-element accesses / 4 = blocks; x nJ/sqrt(MB) x sqrt(MB): act 4 MB,
     * weight 8 MB, mask 4 MB / 16 = 0.25 MB */
    double act = 800 / 4.0 * 0.079275099 * sqrt(4.0);
    double wgt = 4000 / 4.0 * 0.0856588 * sqrt(8.0);
    double mask = 1600 / 4.0 * 0.08200675 * sqrt(0.25);
    double mem = 1100 * 13.43777522; /* LP-DDR3 */
    /* mW: 1024 lanes, 64 PEs x (pre + post), 4 softmax and 4 layer-norm
     * units, two DMA engines and two FIFOs, buffers per MB */
    double l_mac = 1024 * 0.3189685, l_sp = 64 * (0.1507329 + 0.0324301), l_smx = 4 * 2.6696, l_ln = 4 * 2.5753;
    double l_dma = 2 * 0.0063819 + 2 * 0.0140774;
    double l_buf = 4 * 247.918667 + 8 * 210.40467 + 0.25 * 238.196;
    double l_mw = l_mac + l_sp + l_smx + l_ln + l_dma + l_buf;
    double leak = l_mw * 1000.0; /* x 1000 us = nJ */

    CHECK_NEAR(e.by_unit_mj[AT_EU_MAC_LANES], mac * 1e-6, "mac_lanes");
    CHECK_NEAR(e.by_unit_mj[AT_EU_SPARSITY], sparsity * 1e-6, "sparsity");
    CHECK_NEAR(e.by_unit_mj[AT_EU_SOFTMAX], smx * 1e-6, "softmax");
    CHECK_NEAR(e.by_unit_mj[AT_EU_LAYERNORM], ln * 1e-6, "layernorm");
    CHECK_NEAR(e.by_unit_mj[AT_EU_DMA], dma * 1e-6, "dma");
    CHECK_NEAR(e.by_unit_mj[AT_EU_BUFFERS], (act + wgt + mask) * 1e-6, "buffers");
    CHECK_NEAR(e.buffer_mj[AT_ENERGY_BUF_ACT], act * 1e-6, "act buffer");
    CHECK_NEAR(e.buffer_mj[AT_ENERGY_BUF_WGT], wgt * 1e-6, "weight buffer");
    CHECK_NEAR(e.buffer_mj[AT_ENERGY_BUF_MASK], mask * 1e-6, "mask buffer");
    CHECK_NEAR(e.by_unit_mj[AT_EU_MAIN_MEMORY], mem * 1e-6, "main_memory");
    CHECK_NEAR(e.by_unit_mj[AT_EU_LEAKAGE], leak * 1e-6, "leakage");
    CHECK_NEAR(e.leakage_mw, l_mw, "leakage_mw");
    CHECK_NEAR(e.leakage_by_unit_mj[AT_EU_MAC_LANES], l_mac * 1e-3, "leakage mac_lanes");
    CHECK_NEAR(e.leakage_by_unit_mj[AT_EU_BUFFERS], l_buf * 1e-3, "leakage buffers");
    CHECK_NEAR(e.leakage_by_unit_mj[AT_EU_DMA], l_dma * 1e-3, "leakage dma");
    CHECK_NEAR(e.energy_mj, (mac + sparsity + smx + ln + dma + act + wgt + mask + mem + leak) * 1e-6, "energy_mj");
    CHECK_NEAR(e.seconds, 1e-3, "seconds");
    CHECK(e.memory && !strcmp(e.memory, "lpddr3"), "edge memory %s, want lpddr3", e.memory ? e.memory : "(null)");

    double sum = 0, lsum = 0;
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++) {
        sum += e.by_unit_mj[k];
        lsum += e.leakage_by_unit_mj[k];
        CHECK(e.by_unit_mj[k] > 0 || k == AT_EU_MAIN_MEMORY, "unit %s is %g", at_energy_unit_name(k), e.by_unit_mj[k]);
    }
    CHECK_NEAR(sum, e.energy_mj, "sum of energy_by_unit");
    CHECK_NEAR(lsum, e.by_unit_mj[AT_EU_LEAKAGE], "sum of leakage_by_unit");
    CHECK(e.leakage_by_unit_mj[AT_EU_MAIN_MEMORY] == 0 && e.leakage_by_unit_mj[AT_EU_LEAKAGE] == 0,
          "main memory / leakage entries of the leakage split are not 0");
}

/* tiny (LP-DDR3) and server (RRAM): the leakage power and one memory block. */
static void test_tiny_server_by_hand(void)
{
    /* row units: tiny 2 softmax + 2 layer-norm, server 4 + 4 */
    double tiny_mw = 16 * 0.3189685 + 4 * (0.1507329 + 0.0324301) + 2 * (2.6696 + 2.5753) + 2 * 0.0063819 +
                     2 * 0.0140774 + (64 * 247.918667 + 64 * 210.40467 + 4 * 238.196) / 1024.0;
    double server_mw = 512 * 32 * 0.3189685 + 512 * (0.1507329 + 0.0324301) + 4 * (2.6696 + 2.5753) + 2 * 0.0063819 +
                       2 * 0.0140774 + 32 * 247.918667 + 64 * 210.40467 + 2 * 238.196;
    struct {
        const char *name, *memory;
        double mw, nj_block;
    } c[] = {{"tiny", "lpddr3", tiny_mw, 13.43777522}, {"server", "rram", server_mw, 8.63281599}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        at_energy_activity a = {0};
        a.cycles = 7000; /* 10 us */
        a.mem_rd_bytes = 96;
        a.mem_wr_bytes = 32; /* one block */
        at_energy e;
        at_err err = {0};
        int rc = at_energy_estimate(at_hw_config_find(c[i].name), &a, &e, &err);
        CHECK(rc == 0, "%s: %d %s", c[i].name, rc, err.msg);
        if (rc)
            continue;
        CHECK_NEAR(e.leakage_mw, c[i].mw, c[i].name);
        CHECK_NEAR(e.by_unit_mj[AT_EU_LEAKAGE], c[i].mw * 10 * 1e-6, c[i].name);
        CHECK_NEAR(e.by_unit_mj[AT_EU_MAIN_MEMORY], c[i].nj_block * 1e-6, c[i].name);
        CHECK(!strcmp(e.memory, c[i].memory), "%s: memory %s, want %s", c[i].name, e.memory, c[i].memory);
        CHECK(e.by_unit_mj[AT_EU_MAC_LANES] == 0 && e.by_unit_mj[AT_EU_BUFFERS] == 0, "%s: idle units cost",
              c[i].name);
        double mw = 0;
        at_err e2 = {0};
        CHECK(at_energy_leakage_mw(at_hw_config_find(c[i].name), NULL, &mw, NULL, &e2) == 0 && near(mw, c[i].mw),
              "%s: at_energy_leakage_mw %g, want %g", c[i].name, mw, c[i].mw);
    }
}

/* No activity and no time cost nothing; every count is linear. */
static void test_zero_and_linear(void)
{
    const at_hw_config *cfg = at_hw_config_find("edge");
    at_energy_activity z = {0}, a = edge_activity(), a2 = a;
    at_energy e0, e1, e2;
    CHECK(at_energy_estimate(cfg, &z, &e0, NULL) == 0 && e0.energy_mj == 0, "zero activity: %g mJ", e0.energy_mj);
    a2.cycles *= 2;
    a2.mac_issued *= 2;
    a2.pe_busy *= 2;
    a2.smx_busy *= 2;
    a2.ln_busy *= 2;
    a2.load_busy *= 2;
    a2.store_busy *= 2;
    a2.act_rd *= 2;
    a2.act_wr *= 2;
    a2.wgt_rd *= 2;
    a2.wgt_wr = 2 * a.wgt_wr;
    a2.mask_rd *= 2;
    a2.mask_wr *= 2;
    a2.mem_rd_bytes *= 2;
    a2.mem_wr_bytes *= 2;
    CHECK(at_energy_estimate(cfg, &a, &e1, NULL) == 0 && at_energy_estimate(cfg, &a2, &e2, NULL) == 0, "estimate");
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++)
        CHECK_NEAR(e2.by_unit_mj[k], 2 * e1.by_unit_mj[k], at_energy_unit_name(k));
    /* a weight write costs what a weight read does */
    at_energy_activity w = {0}, r = {0};
    w.wgt_wr = 40;
    r.wgt_rd = 40;
    CHECK(at_energy_estimate(cfg, &w, &e1, NULL) == 0 && at_energy_estimate(cfg, &r, &e2, NULL) == 0 &&
              e1.energy_mj > 0 && near(e1.energy_mj, e2.energy_mj),
          "weight write %g vs read %g", e1.energy_mj, e2.energy_mj);
}

/* A lane of 32 multipliers leaks twice the table's 16-multiplier lane; a
 * MAC costs the same. */
static void test_lane_width(void)
{
    at_hw_config c = *at_hw_config_find("tiny");
    at_energy_activity a = {0};
    a.cycles = 700;
    a.mac_issued = 1600;
    at_energy e16, e32;
    CHECK(at_energy_estimate(&c, &a, &e16, NULL) == 0, "tiny");
    c.macs_per_lane = 32;
    CHECK(at_energy_estimate(&c, &a, &e32, NULL) == 0, "tiny, 32 multipliers");
    CHECK_NEAR(e32.leakage_by_unit_mj[AT_EU_MAC_LANES], 2 * e16.leakage_by_unit_mj[AT_EU_MAC_LANES], "lane leakage");
    CHECK_NEAR(e32.by_unit_mj[AT_EU_MAC_LANES], e16.by_unit_mj[AT_EU_MAC_LANES], "lane dynamic");
    CHECK_NEAR(e16.by_unit_mj[AT_EU_MAC_LANES], 100 * 5.1955 / 700 * 1e-6, "lane dynamic by hand");
}

static void test_errors(void)
{
    at_energy_activity a = edge_activity();
    at_energy e;
    at_err err = {0};
    at_hw_config c = *at_hw_config_find("edge");
    CHECK(at_energy_estimate(NULL, &a, &e, &err) == AT_EINVAL, "NULL config");
    CHECK(at_energy_estimate(&c, NULL, &e, &err) == AT_EINVAL, "NULL activity");
    CHECK(at_energy_estimate(&c, &a, NULL, &err) == AT_EINVAL, "NULL result");
    c.name = "huge";
    int rc = at_energy_estimate(&c, &a, &e, &err);
    CHECK(rc == AT_ENOTFOUND && strstr(err.msg, "huge") && strstr(err.msg, "spec/energy.json"),
          "unknown configuration: %d '%s'", rc, err.msg);
    c = *at_hw_config_find("edge");
    c.clock_mhz = 0;
    rc = at_energy_estimate(&c, &a, &e, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "clock"), "zero clock: %d '%s'", rc, err.msg);
    CHECK(at_energy_unit_name(-1) == NULL && at_energy_unit_name(AT_ENERGY_NUM_UNITS) == NULL, "unit name range");
    for (int i = 0; i < AT_ENERGY_NUM_UNITS; i++)
        for (int j = i + 1; j < AT_ENERGY_NUM_UNITS; j++)
            CHECK(strcmp(at_energy_unit_name(i), at_energy_unit_name(j)), "unit names %d and %d repeat", i, j);
}

/* Every action reads its counter (docs/energy.md, Actions and their counters). */
static void test_from_counters(void)
{
    at_counters c;
    for (unsigned i = 0; i < AT_NUM_COUNTERS; i++)
        c.v[i] = 1000003u * (i + 1); /* distinct per counter */
    at_energy_activity a;
    at_energy_activity_from_counters(&c, 777, &a);
    struct {
        uint64_t got;
        unsigned cnt;
    } m[] = {{a.mac_issued, AT_CNT_MAC_ISSUED}, {a.pe_busy, AT_CNT_PE_BUSY},
             {a.smx_busy, AT_CNT_SMX_BUSY},     {a.ln_busy, AT_CNT_LN_BUSY},
             {a.load_busy, AT_CNT_LOAD_BUSY},   {a.store_busy, AT_CNT_STORE_BUSY},
             {a.act_rd, AT_CNT_SPAD_ACT_RD},    {a.act_wr, AT_CNT_SPAD_ACT_WR},
             {a.wgt_rd, AT_CNT_SPAD_WGT_RD},    {a.wgt_wr, AT_CNT_SPAD_WGT_WR},
             {a.mask_rd, AT_CNT_SPAD_MASK_RD},  {a.mask_wr, AT_CNT_SPAD_MASK_WR},
             {a.mem_rd_bytes, AT_CNT_MEM_RD_BYTES}, {a.mem_wr_bytes, AT_CNT_MEM_WR_BYTES}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        CHECK(m[i].got == c.v[m[i].cnt], "activity from CNT_%s: %llu, want %llu", at_counter_name(m[i].cnt),
              (unsigned long long)m[i].got, (unsigned long long)c.v[m[i].cnt]);
    CHECK(a.cycles == 777, "cycles %llu", (unsigned long long)a.cycles);
    at_energy e1, e2;
    CHECK(at_energy_from_counters(at_hw_config_find("edge"), &c, 777, &e1, NULL) == 0 &&
              at_energy_estimate(at_hw_config_find("edge"), &a, &e2, NULL) == 0 && e1.energy_mj == e2.energy_mj,
          "at_energy_from_counters %g vs the estimate of its activity %g", e1.energy_mj, e2.energy_mj);
    CHECK(at_energy_from_counters(at_hw_config_find("edge"), NULL, 777, &e1, NULL) == AT_EINVAL, "NULL counters");
}

static void test_json(void)
{
    at_energy_activity a = edge_activity();
    at_energy e;
    CHECK(at_energy_estimate(at_hw_config_find("edge"), &a, &e, NULL) == 0, "estimate");
    json_t *o = json_object();
    CHECK(at_energy_json_add(o, &e) == 0, "json_add");
    CHECK(at_energy_json_add(NULL, &e) == AT_EINVAL, "json_add NULL");
    json_t *mj = json_object_get(o, "energy_mj"), *by = json_object_get(o, "energy_by_unit"),
           *model = json_object_get(o, "energy_model");
    CHECK(json_is_real(mj) && near(json_real_value(mj), e.energy_mj), "energy_mj");
    CHECK(json_is_object(by) && json_object_size(by) == AT_ENERGY_NUM_UNITS, "energy_by_unit has %zu keys",
          json_object_size(by));
    double sum = 0;
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++) {
        json_t *v = json_object_get(by, at_energy_unit_name(k));
        CHECK(json_is_real(v), "energy_by_unit.%s missing", at_energy_unit_name(k));
        sum += json_real_value(v);
    }
    CHECK_NEAR(sum, e.energy_mj, "json sum");
    CHECK(json_is_object(model) && !strcmp(json_string_value(json_object_get(model, "kind")), "estimate") &&
              !strcmp(json_string_value(json_object_get(model, "data")), "spec/energy.json") &&
              !strcmp(json_string_value(json_object_get(model, "memory")), "lpddr3"),
          "energy_model labels");
    CHECK(json_is_object(json_object_get(model, "leakage_by_unit_mj")) &&
              json_is_object(json_object_get(model, "buffers_mj")) &&
              near(json_real_value(json_object_get(model, "leakage_mw")), e.leakage_mw),
          "energy_model figures");
    json_decref(o);
}

int main(void)
{
    RUN_CASE(test_edge_by_hand);
    RUN_CASE(test_tiny_server_by_hand);
    RUN_CASE(test_zero_and_linear);
    RUN_CASE(test_lane_width);
    RUN_CASE(test_errors);
    RUN_CASE(test_from_counters);
    RUN_CASE(test_json);
    return check_finish("energy");
}
