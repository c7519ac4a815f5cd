/* The RTL identification/configuration registers read exactly what the C
 * header (generated from the same spec) says, in configuration TEST_CONFIG;
 * every other address misses and reads 0. */
#include <stdint.h>
#include <stdio.h>

#include "acceltran_hw.h"
#include "acceltran_id_regs_unit.h"
#include "check.h"

static void test_constant_registers(void)
{
    const at_hw_config *cfg = at_hw_config_find(TEST_CONFIG);
    CHECK(cfg != NULL, "configuration %s not in acceltran_hw.h", TEST_CONFIG);
    if (!cfg)
        return;
    id_regs_unit *u = id_regs_unit_new();
    CHECK(u != NULL, "id_regs_unit_new failed");
    if (!u)
        return;
    int n = 0;
    for (int i = 0; i < AT_HW_NUM_REGS; i++) {
        int known, hit;
        uint32_t want = at_hw_reg_expected(cfg, at_hw_regs[i].offset, &known);
        if (!known)
            continue;
        uint32_t got = id_regs_unit_read(u, at_hw_regs[i].offset, &hit);
        CHECK(hit && got == want, "%s @0x%03x: rtl 0x%08x (hit %d), C 0x%08x", at_hw_regs[i].name,
              at_hw_regs[i].offset, got, hit, want);
        n++;
    }
    CHECK(n >= 10, "only %d constant registers compared", n);
    id_regs_unit_free(u);
}

static void test_decoded_fields(void)
{
    const at_hw_config *cfg = at_hw_config_find(TEST_CONFIG);
    id_regs_unit *u = id_regs_unit_new();
    if (!cfg || !u) {
        CHECK(0, "setup failed");
        id_regs_unit_free(u);
        return;
    }
    int hit;
    uint32_t id = id_regs_unit_read(u, AT_REG_ID, &hit);
    CHECK(id == AT_DEVICE_ID, "ID 0x%08x, want 0x%08x", id, AT_DEVICE_ID);
    uint32_t arr = id_regs_unit_read(u, AT_REG_CONFIG_ARRAY, &hit);
    CHECK(AT_GET(AT_REG_CONFIG_ARRAY_PES, arr) == cfg->pes, "PES %u want %u",
          AT_GET(AT_REG_CONFIG_ARRAY_PES, arr), cfg->pes);
    CHECK(AT_GET(AT_REG_CONFIG_ARRAY_LANES, arr) == cfg->lanes, "LANES %u want %u",
          AT_GET(AT_REG_CONFIG_ARRAY_LANES, arr), cfg->lanes);
    CHECK(AT_GET(AT_REG_CONFIG_ARRAY_MACS, arr) == cfg->macs_per_lane, "MACS %u want %u",
          AT_GET(AT_REG_CONFIG_ARRAY_MACS, arr), cfg->macs_per_lane);
    uint32_t mem = id_regs_unit_read(u, AT_REG_CONFIG_MEM, &hit);
    CHECK(AT_GET(AT_REG_CONFIG_MEM_BW_MBPS, mem) == cfg->mem_bw_mbps, "BW %u want %u",
          AT_GET(AT_REG_CONFIG_MEM_BW_MBPS, mem), cfg->mem_bw_mbps);
    id_regs_unit_free(u);
}

static void test_unmapped_addresses(void)
{
    id_regs_unit *u = id_regs_unit_new();
    CHECK(u != NULL, "id_regs_unit_new failed");
    if (!u)
        return;
    int misses = 0;
    for (uint32_t a = 0; a < AT_MMIO_BYTES; a++) {
        int mapped = 0;
        for (int i = 0; i < AT_HW_NUM_REGS; i++)
            mapped |= at_hw_regs[i].offset == a;
        int hit;
        uint32_t v = id_regs_unit_read(u, a, &hit);
        if (!mapped) {
            CHECK(!hit && v == 0, "unmapped 0x%03x: hit %d data 0x%08x", a, hit, v);
            misses++;
        }
    }
    CHECK(misses == (int)AT_MMIO_BYTES - AT_HW_NUM_REGS, "misses %d", misses);
    id_regs_unit_free(u);
}

int main(void)
{
    RUN_CASE(test_constant_registers);
    RUN_CASE(test_decoded_fields);
    RUN_CASE(test_unmapped_addresses);
    return check_finish("id_regs_" TEST_CONFIG);
}
