/* The energy estimate (at_energy.h, docs/energy.md). Units: a module's
 * power in mW divided by a clock in MHz is nJ per cycle; nJ x 1e-6 = mJ. */
#include "at_energy.h"

#include <math.h>
#include <stddef.h>

static const char *const UNIT_NAMES[AT_ENERGY_NUM_UNITS] = {
    "mac_lanes", "sparsity", "softmax", "layernorm", "dma", "buffers", "main_memory", "leakage",
};

const char *at_energy_unit_name(int unit)
{
    return unit >= 0 && unit < AT_ENERGY_NUM_UNITS ? UNIT_NAMES[unit] : NULL;
}

void at_energy_activity_from_counters(const at_counters *delta, uint64_t cycles, at_energy_activity *a)
{
    const uint64_t *v = delta->v;
    *a = (at_energy_activity){
        .cycles = cycles,
        .mac_issued = v[AT_CNT_MAC_ISSUED],
        .pe_busy = v[AT_CNT_PE_BUSY],
        .smx_busy = v[AT_CNT_SMX_BUSY],
        .ln_busy = v[AT_CNT_LN_BUSY],
        .load_busy = v[AT_CNT_LOAD_BUSY],
        .store_busy = v[AT_CNT_STORE_BUSY],
        .act_rd = v[AT_CNT_SPAD_ACT_RD],
        .act_wr = v[AT_CNT_SPAD_ACT_WR],
        .wgt_rd = v[AT_CNT_SPAD_WGT_RD],
        .wgt_wr = v[AT_CNT_SPAD_WGT_WR],
        .mask_rd = v[AT_CNT_SPAD_MASK_RD],
        .mask_wr = v[AT_CNT_SPAD_MASK_WR],
        .mem_rd_bytes = v[AT_CNT_MEM_RD_BYTES],
        .mem_wr_bytes = v[AT_CNT_MEM_WR_BYTES],
    };
}

int at_energy_from_counters(const at_hw_config *cfg, const at_counters *delta, uint64_t cycles, at_energy *out,
                            at_err *err)
{
    if (!delta)
        return at_err_set(err, AT_EINVAL, "energy: NULL counters");
    at_energy_activity a;
    at_energy_activity_from_counters(delta, cycles, &a);
    return at_energy_estimate(cfg, &a, out, err);
}

/* nJ of one active cycle of module m */
static double nj_per_cycle(int m)
{
    return at_energy_modules[m].dynamic_mw / AT_ENERGY_CLOCK_MHZ;
}

static double leak_mw(const at_hw_config *cfg, int m)
{
    return (double)at_energy_module_instances(cfg, m) * at_energy_modules[m].leakage_mw;
}

static double buffer_mb(const at_hw_config *cfg, int b)
{
    return at_energy_buffer_kib(cfg, b) / 1024.0;
}

int at_energy_leakage_mw(const at_hw_config *cfg, double by_unit_mw[AT_ENERGY_NUM_UNITS], double *total_mw,
                         const char **memory, at_err *err)
{
    if (!cfg)
        return at_err_set(err, AT_EINVAL, "energy: no configuration");
    int mem = at_energy_config_memory(cfg->name);
    if (mem < 0)
        return at_err_set(err, AT_ENOTFOUND, "energy: configuration '%s' has no memory in %s", cfg->name,
                          AT_ENERGY_SPEC);
    double u[AT_ENERGY_NUM_UNITS] = {0};
    /* the table's lane has AT_ENERGY_MAC_LANE_MULTIPLIERS multipliers;
     * a lane of another width leaks in proportion */
    u[AT_EU_MAC_LANES] = leak_mw(cfg, AT_ENERGY_MOD_MAC_LANE) * cfg->macs_per_lane / AT_ENERGY_MAC_LANE_MULTIPLIERS;
    u[AT_EU_SPARSITY] = leak_mw(cfg, AT_ENERGY_MOD_PRE_SPARSITY) + leak_mw(cfg, AT_ENERGY_MOD_POST_SPARSITY);
    u[AT_EU_SOFTMAX] = leak_mw(cfg, AT_ENERGY_MOD_SOFTMAX);
    u[AT_EU_LAYERNORM] = leak_mw(cfg, AT_ENERGY_MOD_LAYERNORM);
    u[AT_EU_DMA] = leak_mw(cfg, AT_ENERGY_MOD_DMA) + leak_mw(cfg, AT_ENERGY_MOD_FIFO);
    for (int b = 0; b < AT_ENERGY_NUM_BUFFERS; b++)
        u[AT_EU_BUFFERS] += buffer_mb(cfg, b) * at_energy_buffers[b].leakage_mw_per_mb;
    double total = 0;
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++) {
        total += u[k];
        if (by_unit_mw)
            by_unit_mw[k] = u[k];
    }
    if (total_mw)
        *total_mw = total;
    if (memory)
        *memory = at_energy_memories[mem].name;
    return 0;
}

int at_energy_estimate(const at_hw_config *cfg, const at_energy_activity *a, at_energy *out, at_err *err)
{
    if (!cfg || !a || !out)
        return at_err_set(err, AT_EINVAL, "energy: NULL argument");
    if (cfg->clock_mhz == 0)
        return at_err_set(err, AT_EINVAL, "energy: configuration '%s' has a zero clock", cfg->name);
    double leak[AT_ENERGY_NUM_UNITS], leak_total;
    const char *memory;
    int rc = at_energy_leakage_mw(cfg, leak, &leak_total, &memory, err);
    if (rc)
        return rc;
    int mem = at_energy_config_memory(cfg->name);

    at_energy e = {0};
    double nj[AT_ENERGY_NUM_UNITS] = {0};
    nj[AT_EU_MAC_LANES] =
        (double)a->mac_issued / AT_ENERGY_MAC_LANE_MULTIPLIERS * nj_per_cycle(AT_ENERGY_MOD_MAC_LANE);
    nj[AT_EU_SPARSITY] =
        (double)a->pe_busy * (nj_per_cycle(AT_ENERGY_MOD_PRE_SPARSITY) + nj_per_cycle(AT_ENERGY_MOD_POST_SPARSITY));
    /* every unit of the engine counted active while the engine is busy:
     * an upper bound (a unit idles between its rows) */
    nj[AT_EU_SOFTMAX] = (double)a->smx_busy * (double)at_energy_module_instances(cfg, AT_ENERGY_MOD_SOFTMAX) *
                        nj_per_cycle(AT_ENERGY_MOD_SOFTMAX);
    nj[AT_EU_LAYERNORM] = (double)a->ln_busy * (double)at_energy_module_instances(cfg, AT_ENERGY_MOD_LAYERNORM) *
                          nj_per_cycle(AT_ENERGY_MOD_LAYERNORM);
    /* a busy engine cycle: the engine and its bus FIFO (read or write arbiter) */
    nj[AT_EU_DMA] = ((double)a->load_busy + (double)a->store_busy) *
                    (nj_per_cycle(AT_ENERGY_MOD_DMA) + nj_per_cycle(AT_ENERGY_MOD_FIFO));
    /* every buffer access counts 16 elements (a line or a mask word): a
     * quarter of a 64-element block */
    const uint64_t acc[AT_ENERGY_NUM_BUFFERS] = {
        [AT_ENERGY_BUF_ACT] = a->act_rd + a->act_wr,
        [AT_ENERGY_BUF_WGT] = a->wgt_rd + a->wgt_wr,
        [AT_ENERGY_BUF_MASK] = a->mask_rd + a->mask_wr,
    };
    for (int b = 0; b < AT_ENERGY_NUM_BUFFERS; b++) {
        double blocks = (double)acc[b] * AT_ENERGY_LINE_ELEMENTS / AT_ENERGY_BLOCK_ELEMENTS;
        double bnj = blocks * at_energy_buffers[b].nj_per_block_sqrt_mb * sqrt(buffer_mb(cfg, b));
        e.buffer_mj[b] = bnj * 1e-6;
        nj[AT_EU_BUFFERS] += bnj;
    }
    double mem_blocks = ((double)a->mem_rd_bytes + (double)a->mem_wr_bytes) /
                        (AT_ENERGY_BLOCK_ELEMENTS * AT_ENERGY_ELEMENT_BYTES);
    nj[AT_EU_MAIN_MEMORY] = mem_blocks * at_energy_memories[mem].nj_per_block;
    /* mW x microseconds = nJ */
    double us = (double)a->cycles / cfg->clock_mhz;
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++) {
        e.leakage_by_unit_mj[k] = leak[k] * us * 1e-6;
        nj[AT_EU_LEAKAGE] += leak[k] * us;
    }
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++) {
        e.by_unit_mj[k] = nj[k] * 1e-6;
        e.energy_mj += e.by_unit_mj[k];
    }
    e.leakage_mw = leak_total;
    e.seconds = us * 1e-6;
    e.memory = memory;
    *out = e;
    return 0;
}

static int set(json_t *obj, const char *key, json_t *v)
{
    return !v || json_object_set_new(obj, key, v) ? AT_ENOMEM : 0;
}

int at_energy_json_add(json_t *obj, const at_energy *e)
{
    if (!obj || !e)
        return AT_EINVAL;
    json_t *units = json_object(), *model = json_object(), *leak = json_object(), *bufs = json_object();
    int rc = units && model && leak && bufs ? 0 : AT_ENOMEM;
    for (int k = 0; !rc && k < AT_ENERGY_NUM_UNITS; k++) {
        rc = set(units, UNIT_NAMES[k], json_real(e->by_unit_mj[k]));
        if (!rc && k != AT_EU_LEAKAGE && k != AT_EU_MAIN_MEMORY)
            rc = set(leak, UNIT_NAMES[k], json_real(e->leakage_by_unit_mj[k]));
    }
    for (int b = 0; !rc && b < AT_ENERGY_NUM_BUFFERS; b++)
        rc = set(bufs, at_energy_buffers[b].name, json_real(e->buffer_mj[b]));
    rc = rc ? rc : set(model, "kind", json_string("estimate"));
    rc = rc ? rc : set(model, "data", json_string(AT_ENERGY_SPEC));
    rc = rc ? rc : set(model, "method", json_string("docs/energy.md"));
    rc = rc ? rc : set(model, "memory", json_string(e->memory ? e->memory : ""));
    rc = rc ? rc : set(model, "leakage_mw", json_real(e->leakage_mw));
    rc = rc ? rc : set(model, "seconds", json_real(e->seconds));
    if (!rc) {
        rc = set(model, "leakage_by_unit_mj", leak); /* the reference moves, even on failure */
        leak = NULL;
    }
    if (!rc) {
        rc = set(model, "buffers_mj", bufs); /* the reference moves, even on failure */
        bufs = NULL;
    }
    rc = rc ? rc : set(obj, "energy_mj", json_real(e->energy_mj));
    if (!rc) {
        rc = set(obj, "energy_by_unit", units); /* the reference moves, even on failure */
        units = NULL;
    }
    if (!rc) {
        rc = set(obj, "energy_model", model); /* the reference moves, even on failure */
        model = NULL;
    }
    json_decref(units);
    json_decref(model);
    json_decref(leak);
    json_decref(bufs);
    return rc;
}
