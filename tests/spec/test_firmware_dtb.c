/* Each built firmware/<config>.dtb describes the device with the values of
 * the generated C header (both come from spec/acceltran.json). */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_hw.h"
#include "check.h"

static void *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int prop_u32(const void *fdt, int node, const char *name, uint32_t *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    if (!p || len != 4)
        return -1;
    *out = fdt32_to_cpu(*p);
    return 0;
}

static void check_config(const at_hw_config *c)
{
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    char path[512];
    snprintf(path, sizeof path, "%s/firmware/%s.dtb", build, c->name);
    size_t len = 0;
    void *fdt = read_file(path, &len);
    CHECK(fdt != NULL, "cannot read %s (run make firmware)", path);
    if (!fdt)
        return;
    CHECK(fdt_check_header(fdt) == 0 && fdt_totalsize(fdt) == len, "%s: bad dtb header", path);
    int node = fdt_node_offset_by_compatible(fdt, -1, AT_COMPATIBLE);
    CHECK(node >= 0, "%s: no node compatible with %s", path, AT_COMPATIBLE);
    if (node < 0) {
        free(fdt);
        return;
    }
    const char *name = fdt_getprop(fdt, node, "acceltran,config-name", NULL);
    CHECK(name && !strcmp(name, c->name), "%s: config-name %s", path, name ? name : "(none)");
    const struct { const char *prop; uint32_t want; } props[] = {
        {"acceltran,pes", c->pes},
        {"acceltran,lanes-per-pe", c->lanes},
        {"acceltran,macs-per-lane", c->macs_per_lane},
        {"acceltran,tile-size", c->tile},
        {"acceltran,softmax-units", c->softmax_units},
        {"acceltran,act-buffer-kib", c->act_buf_kib},
        {"acceltran,wgt-buffer-kib", c->wgt_buf_kib},
        {"acceltran,mask-buffer-kib", c->mask_buf_kib},
        {"acceltran,mem-bandwidth-mbps", c->mem_bw_mbps},
        {"acceltran,mem-latency-cycles", c->mem_latency_cycles},
        {"acceltran,max-seq-len", c->max_seq},
        {"acceltran,max-hidden", c->max_hidden},
        {"acceltran,clock-mhz", c->clock_mhz},
        {"acceltran,wgt-rows-per-beat", c->wgt_rows_per_beat},
        {"acceltran,pe-rows", c->pe_rows},
        {"acceltran,act-banks", c->act_banks},
        {"acceltran,out-lanes", c->out_lanes},
    };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        uint32_t v = 0;
        int rc = prop_u32(fdt, node, props[i].prop, &v);
        CHECK(rc == 0 && v == props[i].want, "%s: %s = %u (rc %d), header says %u", path, props[i].prop, v,
              rc, props[i].want);
    }
    int len_reg;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len_reg);
    CHECK(reg && len_reg == 16, "%s: reg property length %d", path, len_reg);
    if (reg && len_reg == 16) {
        uint64_t base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
        uint64_t size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
        CHECK(base == AT_MMIO_BASE && size == AT_MMIO_BYTES, "%s: reg 0x%llx+0x%llx", path,
              (unsigned long long)base, (unsigned long long)size);
    }
    uint32_t irq = 99;
    CHECK(prop_u32(fdt, node, "interrupts", &irq) == 0 && irq == AT_IRQ, "%s: interrupts %u", path, irq);
    free(fdt);
}

static void test_tiny(void) { check_config(at_hw_config_find("tiny")); }
static void test_mid(void) { check_config(at_hw_config_find("mid")); }
static void test_edge(void) { check_config(at_hw_config_find("edge")); }
static void test_server(void) { check_config(at_hw_config_find("server")); }

static void test_config_table(void)
{
    CHECK(AT_HW_NUM_CONFIGS == 4, "%d configurations", AT_HW_NUM_CONFIGS);
    CHECK(at_hw_config_find("nope") == NULL, "unknown name found");
    const at_hw_config *t = at_hw_config_find("tiny"), *mi = at_hw_config_find("mid"),
                       *e = at_hw_config_find("edge"), *s = at_hw_config_find("server");
    CHECK(t && at_hw_peak_macs_per_cycle(t) == 256, "tiny peak");
    /* mid: edge's PE (16 lanes) on a 2 x 2 array, 4 banks, 2 writer lanes */
    CHECK(mi && at_hw_peak_macs_per_cycle(mi) == 1024 && mi->pe_rows == 2 && mi->act_banks == 4 &&
              mi->out_lanes == 2 && mi->lanes == 16,
          "mid shape");
    CHECK(e && at_hw_peak_macs_per_cycle(e) == 16384, "edge peak");
    CHECK(s && at_hw_peak_macs_per_cycle(s) == 262144, "server peak");
}

int main(void)
{
    RUN_CASE(test_config_table);
    RUN_CASE(test_tiny);
    RUN_CASE(test_mid);
    RUN_CASE(test_edge);
    RUN_CASE(test_server);
    return check_finish("firmware_dtb");
}
