/* libFuzzer harness for the device-tree probe (driver/probe_fdt.c).
 * Each input is a dtb blob handed to at_probe_fdt in a heap buffer of
 * exactly its size (so ASan sees any over-read by the probe). Seeds:
 * tests/fuzz/corpus/probe_fdt/ (the firmware/<config>.dtb files built by
 * `make firmware`, and minimized finds). `make fuzz` runs it.
 * An input starting with 'S' is instead a recipe for a well-formed blob
 * built with libfdt's sequential-write API (structured mode): root cells,
 * one to three nodes (nested under a bus node or not, with one of several
 * compatible lists) and, per property the probe reads, omitted, the
 * tiny value, a value from the input, or a length from the input; so the
 * probe's own checks run on trees libfdt accepts, which byte mutations of
 * a dtb rarely produce.
 * Checks: no crash or sanitizer report; a failure is a negative AT_E*
 * code with a "dtb: " message; a success has NUL-terminated strings, a
 * non-empty non-wrapping MMIO window, every parameter non-zero, act-banks a
 * power of two <= 16 and pe-rows dividing pes, and passes
 * the register cross-check against a fake device built from its own
 * values (what the probe accepts, a device of that configuration must
 * match). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#include <stdio.h>

#include "probe_fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fake_read(void *ctx, uint32_t off)
{
    const at_hw_config *c = ctx;
    int known = 0;
    return at_hw_reg_expected(c, off, &known);
}

typedef struct rd {
    const uint8_t *p;
    size_t n, i;
} rd;

static uint32_t rd8(rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static uint32_t rd32(rd *r)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v << 8 | rd8(r);
    return v;
}

/* One property: omitted, a good u32, an input u32, or input bytes of an
 * input length. */
static int recipe_prop(void *fdt, rd *r, const char *name, uint32_t good)
{
    uint32_t how = rd8(r);
    uint8_t raw[16];
    switch (how % 8) {
    case 0: return 0;
    case 1: return fdt_property_u32(fdt, name, rd32(r));
    case 2: {
        size_t n = rd8(r) % sizeof raw;
        for (size_t k = 0; k < n; k++)
            raw[k] = (uint8_t)rd8(r);
        return fdt_property(fdt, name, raw, (int)n);
    }
    default: return fdt_property_u32(fdt, name, good);
    }
}

static int recipe_node(void *fdt, rd *r, int idx, int ac, int sc)
{
    const at_hw_config *c = &at_hw_configs[rd8(r) % AT_HW_NUM_CONFIGS];
    char name[32];
    snprintf(name, sizeof name, "accel@%x", 0x40000000u + 0x10000u * (unsigned)idx);
    int rc = fdt_begin_node(fdt, name);
    static const char compat2[] = "vendor,other\0" AT_COMPATIBLE;
    switch (rd8(r) % 4) {
    case 0: rc = rc ? rc : fdt_property(fdt, "compatible", compat2, sizeof compat2); break;
    case 1: rc = rc ? rc : fdt_property_string(fdt, "compatible", "acceltran,accel-0.2"); break;
    default: rc = rc ? rc : fdt_property_string(fdt, "compatible", AT_COMPATIBLE); break;
    }
    /* reg: ac + sc cells (give or take one), the first entry from the input */
    int cells = ac + sc + (int)(rd8(r) % 3) - 1;
    if (cells < 0)
        cells = 0;
    fdt32_t reg[8] = {0};
    for (int k = 0; k < cells && k < 8; k++)
        reg[k] = cpu_to_fdt32(rd8(r) & 1 ? rd32(r) : (k == ac - 1 ? 0x40000000u : k == cells - 1 ? 0x1000u : 0));
    if (rd8(r) % 8)
        rc = rc ? rc : fdt_property(fdt, "reg", reg, 4 * (cells < 8 ? cells : 8));
    rc = rc ? rc : recipe_prop(fdt, r, "interrupts", 0);
    uint32_t nm = rd8(r);
    if (nm % 8 == 1) {
        char longname[80];
        memset(longname, 'x', sizeof longname - 1);
        longname[sizeof longname - 1] = 0;
        rc = rc ? rc : fdt_property_string(fdt, "acceltran,config-name", longname + nm % 70);
    } else if (nm % 8 == 2) {
        rc = rc ? rc : fdt_property(fdt, "acceltran,config-name", "a\0b", 4);
    } else if (nm % 8) {
        rc = rc ? rc : fdt_property_string(fdt, "acceltran,config-name", c->name);
    }
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    for (size_t k = 0; k < np && !rc; k++) {
        uint32_t good;
        memcpy(&good, (const char *)c + props[k].offset, sizeof good);
        rc = recipe_prop(fdt, r, props[k].dt, good);
    }
    return rc ? rc : fdt_end_node(fdt);
}

/* Builds the blob of a structured-mode input into buf; returns its size
 * or 0 when libfdt refused the recipe (out of room). */
static size_t recipe_build(const uint8_t *data, size_t size, void *buf, int cap)
{
    rd r = {data, size, 1};
    int rc = fdt_create(buf, cap);
    rc = rc ? rc : fdt_finish_reservemap(buf);
    rc = rc ? rc : fdt_begin_node(buf, "");
    uint32_t ac = rd8(&r) % 4, sc = rd8(&r) % 4; /* 0: left out (libfdt defaults) */
    if (ac)
        rc = rc ? rc : fdt_property_u32(buf, "#address-cells", ac);
    if (sc)
        rc = rc ? rc : fdt_property_u32(buf, "#size-cells", sc);
    int eac = ac ? (int)ac : 2, esc = sc ? (int)sc : 1;
    int bus = rd8(&r) & 1;
    if (bus) {
        rc = rc ? rc : fdt_begin_node(buf, "bus");
        eac = 1;
        esc = 1;
        rc = rc ? rc : fdt_property_u32(buf, "#address-cells", 1);
        rc = rc ? rc : fdt_property_u32(buf, "#size-cells", 1);
    }
    int nodes = 1 + (int)(rd8(&r) % 3);
    for (int i = 0; i < nodes && !rc; i++)
        rc = recipe_node(buf, &r, i, eac, esc);
    if (bus)
        rc = rc ? rc : fdt_end_node(buf);
    rc = rc ? rc : fdt_end_node(buf);
    rc = rc ? rc : fdt_finish(buf);
    return rc ? 0 : fdt_totalsize(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t built[16384];
    if (size && data[0] == 'S') {
        size_t n = recipe_build(data, size, built, (int)sizeof built);
        if (!n)
            return 0;
        data = built;
        size = n;
    }
    /* a copy of exactly size bytes: libFuzzer's own buffer may be reused */
    uint8_t *blob = malloc(size ? size : 1);
    if (!blob)
        return 0;
    memcpy(blob, data, size);
    at_fdt_device d;
    at_err e;
    memset(&e, 0, sizeof e);
    int rc = at_probe_fdt(blob, size, &d, &e);
    if (rc != 0) {
        if (rc > 0 || e.code != rc || strncmp(e.msg, "dtb: ", 5) != 0)
            abort(); /* failures are AT_E* codes with a "dtb: " message */
    } else {
        if (!memchr(d.path, '\0', sizeof d.path) || d.path[0] != '/' ||
            !memchr(d.config_name, '\0', sizeof d.config_name) || !d.config_name[0])
            abort();
        if (d.mmio_size == 0 || d.mmio_base + d.mmio_size < d.mmio_base || !d.config.name)
            abort();
        size_t np;
        const at_fdt_prop *props = at_probe_fdt_props(&np);
        for (size_t i = 0; i < np; i++) {
            uint32_t v;
            memcpy(&v, (const char *)&d.config + props[i].offset, sizeof v);
            if (v == 0 || (props[i].has_field && v > (props[i].mask >> props[i].lsb)))
                abort();
        }
        uint32_t ab = d.config.act_banks;
        uint32_t ol = d.config.out_lanes;
        if (ab > 16 || (ab & (ab - 1u)) || ol > ab || (ol & (ol - 1u)) || d.config.pes % d.config.pe_rows)
            abort(); /* the relations the probe enforces (docs/driver.md) */
        if (at_probe_check_config(&d, fake_read, &d.config, &e) != 0)
            abort();
    }
    free(blob);
    return 0;
}
