/* Device-tree probe: the built dtbs, the property table against
 * spec/acceltran.json, malformed blobs and the register cross-check.
 * Run from the repository root; $BUILD names the build folder (default
 * "build") holding firmware/<config>.dtb. */
#include <jansson.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../driver/probe_fdt.h"
#include "check.h"
#include "tmpdir.h"

#define BLOB_CAP 8192

static uint32_t cfg_u32(const at_hw_config *c, size_t off)
{
    uint32_t v;
    memcpy(&v, (const char *)c + off, sizeof v);
    return v;
}

static void dtb_path(char *buf, size_t n, const char *cfg)
{
    const char *b = getenv("BUILD");
    snprintf(buf, n, "%s/firmware/%s.dtb", (b && *b) ? b : "build", cfg);
}

/* ------------------------------------------------------------ built dtbs */

static void test_built_dtbs(void)
{
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    for (int i = 0; i < AT_HW_NUM_CONFIGS; i++) {
        const at_hw_config *want = &at_hw_configs[i];
        char path[512];
        dtb_path(path, sizeof path, want->name);
        at_fdt_device d;
        at_err err = {0};
        int rc = at_probe_fdt_file(path, &d, &err);
        CHECK(rc == 0, "%s: rc %d: %s", path, rc, err.msg);
        if (rc)
            continue;
        CHECK(!strcmp(d.path, "/accel@40000000"), "%s: path %s", path, d.path);
        CHECK(d.mmio_base == AT_MMIO_BASE, "%s: base 0x%llx", path, (unsigned long long)d.mmio_base);
        CHECK(d.mmio_size == AT_MMIO_BYTES, "%s: size 0x%llx", path, (unsigned long long)d.mmio_size);
        CHECK(d.irq == AT_IRQ, "%s: irq %u", path, d.irq);
        CHECK(!strcmp(d.config_name, want->name), "%s: config-name %s", path, d.config_name);
        /* at_hw_configs is per translation unit: compare the text */
        CHECK(d.config.name && !strcmp(d.config.name, want->name), "%s: config.name %s, want %s",
              path, d.config.name, want->name);
        for (size_t k = 0; k < np; k++)
            CHECK(cfg_u32(&d.config, props[k].offset) == cfg_u32(want, props[k].offset),
                  "%s: %s = %u, want %u", path, props[k].dt, cfg_u32(&d.config, props[k].offset),
                  cfg_u32(want, props[k].offset));
        CHECK(!memcmp((const char *)&d.config + sizeof(const char *),
                      (const char *)want + sizeof(const char *),
                      sizeof(at_hw_config) - sizeof(const char *)),
              "%s: config bytes differ", path);
    }
}

/* ------------------------------------------------- table covers the spec */

static void test_table_covers_spec(void)
{
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    json_error_t je;
    json_t *root = json_load_file("spec/acceltran.json", 0, &je);
    CHECK(root, "spec/acceltran.json: %s (line %d); run from the repo root", je.text, je.line);
    if (!root)
        return;
    json_t *params = json_object_get(root, "params");
    CHECK(json_is_array(params), "spec: params is not an array");
    size_t ns = json_array_size(params);
    CHECK(ns == np, "spec has %zu params, driver table %zu", ns, np);
    int *used = calloc(np ? np : 1, sizeof *used);
    for (size_t i = 0; i < ns; i++) {
        json_t *p = json_array_get(params, i);
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *dt = json_string_value(json_object_get(p, "dt"));
        CHECK(name && dt, "spec param %zu lacks name/dt", i);
        if (!name || !dt)
            continue;
        int hits = 0;
        for (size_t k = 0; k < np; k++)
            if (!strcmp(props[k].field, name)) {
                hits++;
                used[k]++;
                CHECK(!strcmp(props[k].dt, dt), "param %s: table dt %s, spec %s", name,
                      props[k].dt, dt);
            }
        CHECK(hits == 1, "spec param %s (%s) in the driver table %d times", name, dt, hits);
    }
    for (size_t k = 0; k < np; k++)
        CHECK(used[k] == 1, "table entry %s (%s) matches %d spec params", props[k].field,
              props[k].dt, used[k]);
    free(used);
    json_decref(root);

    /* Every uint32 field of at_hw_config (they follow name contiguously)
     * is filled by exactly one entry. */
    size_t first = offsetof(at_hw_config, pes);
    size_t nfields = (sizeof(at_hw_config) - first) / sizeof(uint32_t);
    CHECK(first + np * sizeof(uint32_t) <= sizeof(at_hw_config) && nfields - np <= 1 &&
              (first + np * sizeof(uint32_t) + 7) / 8 * 8 == sizeof(at_hw_config),
          "at_hw_config has %zu bytes of fields after name, table fills %zu",
          sizeof(at_hw_config) - first, np * sizeof(uint32_t));
    for (size_t j = 0; j < np; j++) {
        size_t off = first + j * sizeof(uint32_t);
        int hits = 0;
        for (size_t k = 0; k < np; k++)
            hits += props[k].offset == off;
        CHECK(hits == 1, "at_hw_config field at offset %zu filled by %d entries", off, hits);
    }
    /* Each entry's register field is one of the header's (mask/lsb agree). */
    for (size_t k = 0; k < np; k++)
        if (props[k].has_field)
            CHECK(props[k].mask && (props[k].mask >> props[k].lsb) & 1u,
                  "%s: mask 0x%x lsb %u", props[k].dt, props[k].mask, props[k].lsb);
}

/* --------------------------------------------------------- built blobs */

typedef struct knobs {
    int addr_cells, size_cells; /* 0: property left out */
    int nodes;                  /* compatible nodes */
    const char *compat;         /* compatible of the node(s) */
    const char *omit;           /* property to leave out */
    const char *wide;           /* property written as 8 bytes */
    int reg_cells_delta;        /* extra/missing cells in reg */
    uint32_t size_lo;           /* reg size (low cell) */
    const char *override;       /* property given the value override_val */
    uint32_t override_val;
} knobs;

static knobs knobs_default(void)
{
    knobs k = {2, 2, 1, AT_COMPATIBLE, NULL, NULL, 0, AT_MMIO_BYTES, NULL, 0};
    return k;
}

static int add_node(void *fdt, const knobs *k, const at_hw_config *c, int idx)
{
    char name[64];
    snprintf(name, sizeof name, "accel@%llx", (unsigned long long)AT_MMIO_BASE + 0x10000ull * idx);
    int rc = fdt_begin_node(fdt, name);
    rc = rc ? rc : fdt_property_string(fdt, "compatible", k->compat);
    uint64_t base = AT_MMIO_BASE + 0x10000ull * idx;
    fdt32_t cells[8];
    int n = 0;
    if (k->addr_cells == 1)
        cells[n++] = cpu_to_fdt32((uint32_t)base);
    else {
        cells[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
        cells[n++] = cpu_to_fdt32((uint32_t)base);
    }
    if (k->size_cells == 1)
        cells[n++] = cpu_to_fdt32(k->size_lo);
    else {
        cells[n++] = 0;
        cells[n++] = cpu_to_fdt32(k->size_lo);
    }
    n += k->reg_cells_delta;
    if (k->reg_cells_delta > 0)
        for (int i = n - k->reg_cells_delta; i < n; i++)
            cells[i] = 0;
    if (!(k->omit && !strcmp(k->omit, "reg")))
        rc = rc ? rc : fdt_property(fdt, "reg", cells, n * 4);
    if (!(k->omit && !strcmp(k->omit, "interrupts")))
        rc = rc ? rc : fdt_property_u32(fdt, "interrupts", AT_IRQ);
    if (!(k->omit && !strcmp(k->omit, "acceltran,config-name")))
        rc = rc ? rc : fdt_property_string(fdt, "acceltran,config-name", c->name);
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    for (size_t i = 0; i < np; i++) {
        const char *dt = props[i].dt;
        uint32_t v = cfg_u32(c, props[i].offset);
        if (k->override && !strcmp(k->override, dt))
            v = k->override_val;
        if (k->omit && !strcmp(k->omit, dt))
            continue;
        if (k->wide && !strcmp(k->wide, dt)) {
            fdt64_t w = cpu_to_fdt64(v);
            rc = rc ? rc : fdt_property(fdt, dt, &w, sizeof w);
        } else
            rc = rc ? rc : fdt_property_u32(fdt, dt, v);
    }
    return rc ? rc : fdt_end_node(fdt);
}

/* Builds a blob for at_hw_configs[0] into buf; returns its size, or 0. */
static size_t build_blob(void *buf, size_t cap, const knobs *k)
{
    const at_hw_config *c = &at_hw_configs[0];
    int rc = fdt_create(buf, (int)cap);
    rc = rc ? rc : fdt_finish_reservemap(buf);
    rc = rc ? rc : fdt_begin_node(buf, "");
    rc = rc ? rc : fdt_property_string(buf, "compatible", "acceltran,sim-platform");
    if (k->addr_cells)
        rc = rc ? rc : fdt_property_u32(buf, "#address-cells", (uint32_t)k->addr_cells);
    if (k->size_cells)
        rc = rc ? rc : fdt_property_u32(buf, "#size-cells", (uint32_t)k->size_cells);
    for (int i = 0; i < k->nodes && !rc; i++)
        rc = add_node(buf, k, c, i);
    rc = rc ? rc : fdt_end_node(buf);
    rc = rc ? rc : fdt_finish(buf);
    if (rc) {
        fprintf(stderr, "  build_blob: %s\n", fdt_strerror(rc));
        return 0;
    }
    return fdt_totalsize(buf);
}

/* Probes a blob built with k; returns the code, message in err. */
static int probe_knobs(const knobs *k, at_fdt_device *d, at_err *err)
{
    static char buf[BLOB_CAP];
    size_t n = build_blob(buf, sizeof buf, k);
    CHECK(n > 0, "blob not built");
    /* a heap copy of exactly n bytes, so ASan catches any over-read */
    char *copy = malloc(n);
    memcpy(copy, buf, n);
    memset(err, 0, sizeof *err);
    int rc = at_probe_fdt(copy, n, d, err);
    free(copy);
    return rc;
}

static void test_built_blob_ok(void)
{
    knobs k = knobs_default();
    at_fdt_device d;
    at_err err;
    int rc = probe_knobs(&k, &d, &err);
    CHECK(rc == 0, "rc %d: %s", rc, err.msg);
    CHECK(!strcmp(d.config.name, at_hw_configs[0].name), "name %s", d.config.name);
    CHECK(d.mmio_base == AT_MMIO_BASE && d.mmio_size == AT_MMIO_BYTES, "reg");
}

static void test_missing_property(void)
{
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    const char *extra[] = {"reg", "interrupts", "acceltran,config-name"};
    for (size_t i = 0; i < np + 3; i++) {
        knobs k = knobs_default();
        k.omit = i < np ? props[i].dt : extra[i - np];
        at_fdt_device d;
        at_err err;
        int rc = probe_knobs(&k, &d, &err);
        CHECK(rc == AT_EFORMAT, "omit %s: rc %d", k.omit, rc);
        CHECK(strstr(err.msg, k.omit) && strstr(err.msg, "/accel@40000000") &&
                  strstr(err.msg, "missing"),
              "omit %s: message '%s'", k.omit, err.msg);
    }
}

static void test_wrong_length(void)
{
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    for (size_t i = 0; i < np; i++) {
        knobs k = knobs_default();
        k.wide = props[i].dt;
        at_fdt_device d;
        at_err err;
        int rc = probe_knobs(&k, &d, &err);
        CHECK(rc == AT_EFORMAT, "%s 8 bytes: rc %d", k.wide, rc);
        CHECK(strstr(err.msg, k.wide) && strstr(err.msg, "8 bytes"), "message '%s'", err.msg);
    }
}

static void test_no_compatible(void)
{
    knobs k = knobs_default();
    k.compat = "acceltran,accel-9.9";
    at_fdt_device d;
    at_err err;
    int rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ENOTFOUND, "rc %d: %s", rc, err.msg);
    CHECK(strstr(err.msg, AT_COMPATIBLE), "message '%s'", err.msg);
    k = knobs_default();
    k.nodes = 0;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ENOTFOUND, "no nodes: rc %d: %s", rc, err.msg);
}

static void test_two_compatible(void)
{
    knobs k = knobs_default();
    k.nodes = 2;
    at_fdt_device d;
    at_err err;
    int rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_EFORMAT, "rc %d: %s", rc, err.msg);
    CHECK(strstr(err.msg, "more than one") && strstr(err.msg, "/accel@40000000") &&
              strstr(err.msg, "/accel@40010000"),
          "message '%s'", err.msg);
}

static void test_bad_reg(void)
{
    int deltas[] = {-1, 1, -3};
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        knobs k = knobs_default();
        k.reg_cells_delta = deltas[i];
        at_fdt_device d;
        at_err err;
        int rc = probe_knobs(&k, &d, &err);
        CHECK(rc == AT_EFORMAT, "delta %d: rc %d: %s", deltas[i], rc, err.msg);
        CHECK(strstr(err.msg, "reg"), "message '%s'", err.msg);
    }
    /* two full entries are fine: the first one is used */
    knobs k = knobs_default();
    k.reg_cells_delta = 4;
    at_fdt_device d;
    at_err err;
    int rc = probe_knobs(&k, &d, &err);
    CHECK(rc == 0, "two entries: rc %d: %s", rc, err.msg);
    /* zero size */
    k = knobs_default();
    k.size_lo = 0;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_EFORMAT && strstr(err.msg, "size is 0"), "zero size: rc %d: %s", rc, err.msg);
    /* #address-cells 3 */
    k = knobs_default();
    k.addr_cells = 3;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_EFORMAT && strstr(err.msg, "#address-cells"), "3 cells: rc %d: %s", rc, err.msg);
}

static void test_cells_variants(void)
{
    int ac[] = {1, 1, 2};
    int sc[] = {1, 2, 1};
    for (int i = 0; i < 3; i++) {
        knobs k = knobs_default();
        k.addr_cells = ac[i];
        k.size_cells = sc[i];
        at_fdt_device d;
        at_err err;
        int rc = probe_knobs(&k, &d, &err);
        CHECK(rc == 0, "cells %d/%d: rc %d: %s", ac[i], sc[i], rc, err.msg);
        CHECK(d.mmio_base == AT_MMIO_BASE && d.mmio_size == AT_MMIO_BYTES,
              "cells %d/%d: base 0x%llx size 0x%llx", ac[i], sc[i],
              (unsigned long long)d.mmio_base, (unsigned long long)d.mmio_size);
    }
}

static void test_field_range(void)
{
    knobs k = knobs_default();
    k.override = "acceltran,pes";
    k.override_val = 65536;
    at_fdt_device d;
    at_err err;
    int rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ERANGE && strstr(err.msg, "acceltran,pes") &&
              strstr(err.msg, "AT_REG_CONFIG_ARRAY_PES"),
          "pes 65536: rc %d: %s", rc, err.msg);
    k.override_val = 65535;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == 0, "pes 65535: rc %d: %s", rc, err.msg);
    CHECK(!strcmp(d.config.name, "custom") && !strcmp(d.config_name, "tiny") &&
              d.config.pes == 65535,
          "pes 65535: name %s pes %u", d.config.name, d.config.pes);
    k.override = "acceltran,mem-latency-cycles";
    k.override_val = 4096;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ERANGE, "latency 4096: rc %d: %s", rc, err.msg);
    k.override = "acceltran,clock-mhz";
    k.override_val = 0;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ERANGE && strstr(err.msg, "is 0"), "clock 0: rc %d: %s", rc, err.msg);
}

/* act-banks must be a power of two in 1..16 and pe-rows must divide pes
 * (the RTL's bank hash and PE array; the blob is tiny's: pes 4, pe-rows 1,
 * act-banks 2). act-banks 0 is refused like every parameter's 0: the
 * property is required, so an old tree without it fails as "missing". */
static void test_shape_relations(void)
{
    at_fdt_device d;
    at_err err;
    knobs k = knobs_default();
    k.override = "acceltran,act-banks";
    const uint32_t bad_banks[] = {3, 5, 6, 12, 17, 24, 32, 0x80000000u};
    for (size_t i = 0; i < sizeof bad_banks / sizeof bad_banks[0]; i++) {
        k.override_val = bad_banks[i];
        int rc = probe_knobs(&k, &d, &err);
        CHECK(rc == AT_ERANGE && strstr(err.msg, "acceltran,act-banks") &&
                  strstr(err.msg, "power of two in 1..16") && strstr(err.msg, "/accel@40000000"),
              "act-banks %u: rc %d: %s", bad_banks[i], rc, err.msg);
    }
    for (uint32_t b = 1; b <= 16; b *= 2) {
        k.override_val = b;
        int rc = probe_knobs(&k, &d, &err);
        CHECK(rc == 0 && d.config.act_banks == b, "act-banks %u: rc %d: %s", b, rc, err.msg);
        CHECK(!strcmp(d.config.name, b == at_hw_configs[0].act_banks ? at_hw_configs[0].name : "custom"),
              "act-banks %u: name %s", b, d.config.name);
    }
    k.override_val = 0;
    int rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ERANGE && strstr(err.msg, "acceltran,act-banks is 0"), "act-banks 0: rc %d: %s", rc, err.msg);

    /* out-lanes: a power of two of at most act-banks (tiny: 2) */
    k.override = "acceltran,out-lanes";
    const uint32_t bad_lanes[] = {3, 4, 16, 0x80000000u};
    for (size_t i = 0; i < sizeof bad_lanes / sizeof bad_lanes[0]; i++) {
        k.override_val = bad_lanes[i];
        rc = probe_knobs(&k, &d, &err);
        CHECK(rc == AT_ERANGE && strstr(err.msg, "acceltran,out-lanes") && strstr(err.msg, "1..act-banks (2)"),
              "out-lanes %u: rc %d: %s", bad_lanes[i], rc, err.msg);
    }
    for (uint32_t l = 1; l <= 2; l *= 2) {
        k.override_val = l;
        rc = probe_knobs(&k, &d, &err);
        CHECK(rc == 0 && d.config.out_lanes == l, "out-lanes %u: rc %d: %s", l, rc, err.msg);
    }

    k.override = "acceltran,pe-rows";
    const uint32_t bad_rows[] = {3, 8, 5, 65536};
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        k.override_val = bad_rows[i];
        rc = probe_knobs(&k, &d, &err);
        char want[96];
        snprintf(want, sizeof want, "acceltran,pe-rows = %u does not divide acceltran,pes = %u", bad_rows[i],
                 at_hw_configs[0].pes);
        CHECK(rc == AT_ERANGE && strstr(err.msg, want), "pe-rows %u: rc %d: %s", bad_rows[i], rc, err.msg);
    }
    const uint32_t ok_rows[] = {1, 2, 4};
    for (size_t i = 0; i < sizeof ok_rows / sizeof ok_rows[0]; i++) {
        k.override_val = ok_rows[i];
        rc = probe_knobs(&k, &d, &err);
        CHECK(rc == 0 && d.config.pe_rows == ok_rows[i], "pe-rows %u: rc %d: %s", ok_rows[i], rc, err.msg);
    }
    k.override_val = 0;
    rc = probe_knobs(&k, &d, &err);
    CHECK(rc == AT_ERANGE && strstr(err.msg, "acceltran,pe-rows is 0"), "pe-rows 0: rc %d: %s", rc, err.msg);
}

static void test_truncated_and_garbage(void)
{
    static char buf[BLOB_CAP];
    knobs k = knobs_default();
    size_t n = build_blob(buf, sizeof buf, &k);
    at_fdt_device d;
    at_err err = {0};
    for (size_t len = 0; len < n; len += (len < 64 ? 1 : 37)) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        int rc = at_probe_fdt(copy, len, &d, &err);
        CHECK(rc == AT_EFORMAT, "len %zu of %zu: rc %d: %s", len, n, rc, err.msg);
        free(copy);
    }
    int rc = at_probe_fdt(buf, n - 1, &d, &err);
    CHECK(rc == AT_EFORMAT && strstr(err.msg, "totalsize"), "n-1: rc %d: %s", rc, err.msg);

    /* garbage: random bytes, and random bytes behind a valid magic */
    uint64_t s = check_seed("probe_fdt", 0x5eedf00dull);
    char g[1024];
    for (int t = 0; t < 200; t++) {
        for (size_t i = 0; i < sizeof g; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            g[i] = (char)(s >> 56);
        }
        if (t & 1)
            memcpy(g, buf, 8 + (size_t)(t % 32)); /* magic, totalsize, ... */
        char *copy = malloc(sizeof g);
        memcpy(copy, g, sizeof g);
        rc = at_probe_fdt(copy, sizeof g, &d, &err);
        CHECK(rc != 0, "garbage %d accepted", t);
        free(copy);
    }
    /* valid blob with bytes flipped: any result, but no out-of-bounds read */
    for (int t = 0; t < 2000; t++) {
        char *copy = malloc(n);
        memcpy(copy, buf, n);
        for (int f = 0; f < 1 + t % 4; f++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            copy[(s >> 33) % n] ^= (char)(1u << ((s >> 20) & 7));
        }
        rc = at_probe_fdt(copy, n, &d, &err);
        CHECK(rc <= 0, "rc %d", rc);
        free(copy);
    }
}

/* Regression (found by tests/fuzz/fuzz_probe_fdt.c): a blob that passes
 * fdt_check_header with a version below 17 made libfdt 1.6.1's
 * fdt_check_full dereference NULL (fdt_get_name fails on a node name
 * without '/' in a version < 16 tree), so `acceltran info --dtb` crashed.
 * Every version below 17 is refused before libfdt walks the tree. */
static void test_old_versions(void)
{
    const char *crasher = "tests/fuzz/crashers/probe_fdt/version14-nameless-node.dtb";
    at_fdt_device d;
    at_err err = {0};
    int rc = at_probe_fdt_file(crasher, &d, &err);
    CHECK(rc == AT_EFORMAT && strstr(err.msg, "version 14") && strstr(err.msg, crasher),
          "%s: rc %d: %s", crasher, rc, err.msg);

    static char buf[BLOB_CAP];
    knobs k = knobs_default();
    size_t n = build_blob(buf, sizeof buf, &k);
    CHECK(n > 0, "blob not built");
    if (!n)
        return;
    for (uint32_t v = 1; v <= 17; v++) {
        char *copy = malloc(n);
        memcpy(copy, buf, n);
        fdt_set_version(copy, v);
        fdt_set_last_comp_version(copy, v < 16 ? v : 16);
        memset(&err, 0, sizeof err);
        rc = at_probe_fdt(copy, n, &d, &err);
        if (v < 17)
            CHECK(rc == AT_EFORMAT && (strstr(err.msg, "version") || strstr(err.msg, "bad header")),
                  "version %u: rc %d: %s", v, rc, err.msg);
        else
            CHECK(rc == 0, "version 17: rc %d: %s", rc, err.msg);
        free(copy);
    }
}

static void test_file_errors(void)
{
    at_fdt_device d;
    at_err err = {0};
    const char *p = "/nonexistent/acceltran/none.dtb";
    int rc = at_probe_fdt_file(p, &d, &err);
    CHECK(rc == AT_EIO && strstr(err.msg, p), "rc %d: %s", rc, err.msg);

    char dir[128], f[256];
    if (tmpdir_make(dir, sizeof dir, "probe_fdt"))
        return;
    snprintf(f, sizeof f, "%s/empty.dtb", dir);
    FILE *fp = fopen(f, "wb");
    CHECK(fp, "create %s", f);
    if (fp)
        fclose(fp);
    rc = at_probe_fdt_file(f, &d, &err);
    CHECK(rc == AT_EFORMAT && strstr(err.msg, f), "empty file: rc %d: %s", rc, err.msg);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------ register check */

typedef struct fake_regs {
    const at_hw_config *cfg;
    uint32_t corrupt_off; /* register to corrupt, or UINT32_MAX */
    uint32_t corrupt_xor;
} fake_regs;

static uint32_t fake_read(void *ctx, uint32_t off)
{
    const fake_regs *f = ctx;
    int known = 0;
    uint32_t v = at_hw_reg_expected(f->cfg, off, &known);
    if (off == f->corrupt_off)
        v ^= f->corrupt_xor;
    return v;
}

static void test_check_config(void)
{
    char path[512];
    dtb_path(path, sizeof path, "edge");
    at_fdt_device d;
    at_err err = {0};
    int rc = at_probe_fdt_file(path, &d, &err);
    CHECK(rc == 0, "%s: %s", path, err.msg);
    if (rc)
        return;
    fake_regs f = {at_hw_config_find("edge"), UINT32_MAX, 0};
    rc = at_probe_check_config(&d, fake_read, &f, &err);
    CHECK(rc == 0, "clean: rc %d: %s", rc, err.msg);

    for (int i = 0; i < AT_HW_NUM_REGS; i++) {
        if (strcmp(at_hw_regs[i].access, "ro"))
            continue; /* only constant registers are cross-checked */
        f.corrupt_off = at_hw_regs[i].offset;
        f.corrupt_xor = 1u << 17; /* in VERSION's major field */
        memset(&err, 0, sizeof err);
        rc = at_probe_check_config(&d, fake_read, &f, &err);
        CHECK(rc == AT_EDEVICE, "corrupt %s: rc %d", at_hw_regs[i].name, rc);
        CHECK(strstr(err.msg, at_hw_regs[i].name), "corrupt %s: message '%s'",
              at_hw_regs[i].name, err.msg);
    }
    f.corrupt_off = AT_REG_CONFIG_ARRAY;
    f.corrupt_xor = 1;
    rc = at_probe_check_config(&d, fake_read, &f, &err);
    char want[128];
    snprintf(want, sizeof want, "dtb value 0x%08x, device value 0x%08x",
             AT_PUT(AT_REG_CONFIG_ARRAY_PES, 64) | AT_PUT(AT_REG_CONFIG_ARRAY_LANES, 16) |
                 AT_PUT(AT_REG_CONFIG_ARRAY_MACS, 16),
             (AT_PUT(AT_REG_CONFIG_ARRAY_PES, 64) | AT_PUT(AT_REG_CONFIG_ARRAY_LANES, 16) |
              AT_PUT(AT_REG_CONFIG_ARRAY_MACS, 16)) ^ 1u);
    CHECK(rc == AT_EDEVICE && strstr(err.msg, "CONFIG_ARRAY") && strstr(err.msg, want),
          "pes off by one: '%s', want '%s'", err.msg, want);

    /* VERSION minor/patch differences are accepted */
    f.corrupt_off = AT_REG_VERSION;
    f.corrupt_xor = 0xffffu;
    rc = at_probe_check_config(&d, fake_read, &f, &err);
    CHECK(rc == 0, "minor change: rc %d: %s", rc, err.msg);

    /* wrong ID */
    f.corrupt_off = AT_REG_ID;
    f.corrupt_xor = 0xffffffffu;
    rc = at_probe_check_config(&d, fake_read, &f, &err);
    CHECK(rc == AT_EDEVICE && strstr(err.msg, "ID") && strstr(err.msg, "0x41435452"),
          "wrong ID: rc %d: %s", rc, err.msg);

    /* device of another configuration */
    fake_regs other = {at_hw_config_find("server"), UINT32_MAX, 0};
    rc = at_probe_check_config(&d, fake_read, &other, &err);
    CHECK(rc == AT_EDEVICE && strstr(err.msg, "CONFIG_"), "server device: rc %d: %s", rc,
          err.msg);
}

int main(void)
{
    RUN_CASE(test_built_dtbs);
    RUN_CASE(test_table_covers_spec);
    RUN_CASE(test_built_blob_ok);
    RUN_CASE(test_missing_property);
    RUN_CASE(test_wrong_length);
    RUN_CASE(test_no_compatible);
    RUN_CASE(test_two_compatible);
    RUN_CASE(test_bad_reg);
    RUN_CASE(test_cells_variants);
    RUN_CASE(test_field_range);
    RUN_CASE(test_shape_relations);
    RUN_CASE(test_truncated_and_garbage);
    RUN_CASE(test_old_versions);
    RUN_CASE(test_file_errors);
    RUN_CASE(test_check_config);
    return check_finish("probe_fdt");
}
