/* Device-tree probe of the acceltran accelerator: see probe_fdt.h and
 * docs/driver.md. */
#include "probe_fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The header (generated from spec/acceltran.json) has no dt-name table, so
 * this is the one table mapping property -> at_hw_config field; the test
 * tests/driver/test_probe_fdt.c checks it against the spec's "params". */
#define P_REG(dt, fld, REG) {dt, #fld, offsetof(at_hw_config, fld), 1, #REG, REG##_MASK, REG##_LSB}
#define P_NOREG(dt, fld) {dt, #fld, offsetof(at_hw_config, fld), 0, NULL, 0, 0}

static const at_fdt_prop at_fdt_props[] = {
    P_REG("acceltran,pes", pes, AT_REG_CONFIG_ARRAY_PES),
    P_REG("acceltran,lanes-per-pe", lanes, AT_REG_CONFIG_ARRAY_LANES),
    P_REG("acceltran,macs-per-lane", macs_per_lane, AT_REG_CONFIG_ARRAY_MACS),
    P_REG("acceltran,tile-size", tile, AT_REG_CONFIG_UNITS_TILE),
    P_REG("acceltran,softmax-units", softmax_units, AT_REG_CONFIG_UNITS_SOFTMAX),
    P_REG("acceltran,layernorm-units", ln_units, AT_REG_CONFIG_UNITS_LAYERNORM),
    P_REG("acceltran,act-buffer-kib", act_buf_kib, AT_REG_CONFIG_ACT_BUF_KIB),
    P_REG("acceltran,wgt-buffer-kib", wgt_buf_kib, AT_REG_CONFIG_WGT_BUF_KIB),
    P_REG("acceltran,mask-buffer-kib", mask_buf_kib, AT_REG_CONFIG_MASK_BUF_KIB),
    P_REG("acceltran,mem-bandwidth-mbps", mem_bw_mbps, AT_REG_CONFIG_MEM_BW_MBPS),
    P_REG("acceltran,mem-latency-cycles", mem_latency_cycles, AT_REG_CONFIG_MEM_LAT_CYCLES),
    P_REG("acceltran,max-seq-len", max_seq, AT_REG_CONFIG_LIMITS_MAX_SEQ),
    P_REG("acceltran,max-hidden", max_hidden, AT_REG_CONFIG_LIMITS_MAX_HIDDEN),
    P_REG("acceltran,clock-mhz", clock_mhz, AT_REG_CONFIG_CLOCK_MHZ),
    P_NOREG("acceltran,wgt-rows-per-beat", wgt_rows_per_beat),
    P_NOREG("acceltran,pe-rows", pe_rows),
    P_NOREG("acceltran,act-banks", act_banks),
    P_NOREG("acceltran,out-lanes", out_lanes),
    P_REG("acceltran,bus-bytes", bus_bytes, AT_REG_CONFIG_BUS_BYTES),
    P_REG("acceltran,mem-windows", windows, AT_REG_CONFIG_BUS_WINDOWS),
};
#define AT_FDT_NUM_PROPS (sizeof at_fdt_props / sizeof at_fdt_props[0])

#define AT_FDT_CONFIG_NAME_PROP "acceltran,config-name"
#define AT_FDT_FILE_MAX (16u << 20) /* larger dtb files are refused */

const at_fdt_prop *at_probe_fdt_props(size_t *n)
{
    *n = AT_FDT_NUM_PROPS;
    return at_fdt_props;
}

static void cfg_set(at_hw_config *c, size_t offset, uint32_t v)
{
    memcpy((char *)c + offset, &v, sizeof v);
}

static uint32_t cfg_get(const at_hw_config *c, size_t offset)
{
    uint32_t v;
    memcpy(&v, (const char *)c + offset, sizeof v);
    return v;
}

/* Reads a property of exactly 4 bytes. */
static int get_u32(const void *fdt, int node, const char *path, const char *name,
                   uint32_t *v, at_err *err)
{
    int len = 0;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    if (!p)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: missing property %s", path, name);
    if (len != 4)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: property %s is %d bytes, expected 4",
                          path, name, len);
    *v = fdt32_ld(p);
    return 0;
}

/* Reads #address-cells or #size-cells of the parent node (libfdt's
 * defaults apply when absent); only 1 or 2 are accepted. */
static int parent_cells(const void *fdt, int parent, int size, int *cells, at_err *err)
{
    const char *prop = size ? "#size-cells" : "#address-cells";
    int c = size ? fdt_size_cells(fdt, parent) : fdt_address_cells(fdt, parent);
    if (c < 0)
        return at_err_set(err, AT_EFORMAT, "dtb: parent node: bad %s (%s)", prop,
                          fdt_strerror(c));
    if (c != 1 && c != 2)
        return at_err_set(err, AT_EFORMAT, "dtb: parent node: %s is %d, expected 1 or 2",
                          prop, c);
    *cells = c;
    return 0;
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 32) | fdt32_ld(p + i);
    return v;
}

static int find_node(const void *fdt, int *node, at_err *err)
{
    int first = fdt_node_offset_by_compatible(fdt, -1, AT_COMPATIBLE);
    if (first == -FDT_ERR_NOTFOUND)
        return at_err_set(err, AT_ENOTFOUND, "dtb: no node compatible with \"%s\"",
                          AT_COMPATIBLE);
    if (first < 0)
        return at_err_set(err, AT_EFORMAT, "dtb: searching for \"%s\": %s", AT_COMPATIBLE,
                          fdt_strerror(first));
    int second = fdt_node_offset_by_compatible(fdt, first, AT_COMPATIBLE);
    if (second >= 0) {
        char p1[AT_FDT_PATH_MAX] = "?", p2[AT_FDT_PATH_MAX] = "?";
        fdt_get_path(fdt, first, p1, sizeof p1);
        fdt_get_path(fdt, second, p2, sizeof p2);
        return at_err_set(err, AT_EFORMAT,
                          "dtb: more than one node compatible with \"%s\" (%s, %s)",
                          AT_COMPATIBLE, p1, p2);
    }
    if (second != -FDT_ERR_NOTFOUND)
        return at_err_set(err, AT_EFORMAT, "dtb: searching for \"%s\": %s", AT_COMPATIBLE,
                          fdt_strerror(second));
    *node = first;
    return 0;
}

static int probe_reg(const void *fdt, int node, at_fdt_device *d, at_err *err)
{
    int parent = fdt_parent_offset(fdt, node);
    if (parent < 0)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: no parent node (%s)", d->path,
                          fdt_strerror(parent));
    int ac, sc, rc;
    if ((rc = parent_cells(fdt, parent, 0, &ac, err)) || (rc = parent_cells(fdt, parent, 1, &sc, err)))
        return rc;
    int len = 0;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: missing property reg", d->path);
    int entry = 4 * (ac + sc);
    if (len <= 0 || len % entry)
        return at_err_set(err, AT_EFORMAT,
                          "dtb: %s: property reg is %d bytes, expected a multiple of %d "
                          "(#address-cells %d, #size-cells %d)",
                          d->path, len, entry, ac, sc);
    d->mmio_base = read_cells(reg, ac);
    d->mmio_size = read_cells(reg + ac, sc);
    if (d->mmio_size == 0)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: reg size is 0", d->path);
    if (d->mmio_base + d->mmio_size < d->mmio_base)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: reg 0x%llx+0x%llx wraps around",
                          d->path, (unsigned long long)d->mmio_base,
                          (unsigned long long)d->mmio_size);
    return 0;
}

static int probe_irq(const void *fdt, int node, at_fdt_device *d, at_err *err)
{
    int len = 0;
    const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);
    if (!p)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: missing property interrupts", d->path);
    if (len < 4 || len % 4)
        return at_err_set(err, AT_EFORMAT,
                          "dtb: %s: property interrupts is %d bytes, expected a non-zero multiple of 4",
                          d->path, len);
    d->irq = fdt32_ld(p);
    return 0;
}

static int probe_name(const void *fdt, int node, at_fdt_device *d, at_err *err)
{
    int len = 0;
    const char *s = fdt_getprop(fdt, node, AT_FDT_CONFIG_NAME_PROP, &len);
    if (!s)
        return at_err_set(err, AT_EFORMAT, "dtb: %s: missing property %s", d->path,
                          AT_FDT_CONFIG_NAME_PROP);
    if (len < 2 || len > AT_FDT_NAME_MAX || s[len - 1] != '\0' || memchr(s, '\0', (size_t)len) != s + len - 1)
        return at_err_set(err, AT_EFORMAT,
                          "dtb: %s: property %s is not one string of 1 to %d characters",
                          d->path, AT_FDT_CONFIG_NAME_PROP, AT_FDT_NAME_MAX - 1);
    memcpy(d->config_name, s, (size_t)len);
    return 0;
}

/* Relations between parameters that the RTL and the fmodel rely on, so a
 * device tree that breaks them is refused here rather than elaborating a
 * different array or bank mapping (spec/acceltran.json "params"):
 * act-banks is a power of two of at most 16 (the bank hash takes 4 bits
 * mod the banks and the mask sidecar has 16 word banks), out-lanes a
 * power of two of at most act-banks (the scratchpad grants one write per
 * bank and cycle, so more lanes than banks could never all write), and pe-rows
 * divides pes (an array of pe-rows x pes/pe-rows PEs). Both are present
 * and non-zero by now (every parameter property is required, so there is
 * no "absent" act-banks to read as one bank); 0 is refused again here so
 * the checks stand on their own. */
static int check_shape(const at_hw_config *c, const char *path, at_err *err)
{
    if (!c->act_banks || c->act_banks > 16 || (c->act_banks & (c->act_banks - 1u)))
        return at_err_set(err, AT_ERANGE,
                          "dtb: %s: property acceltran,act-banks = %u is not a power of two in 1..16",
                          path, c->act_banks);
    if (!c->out_lanes || c->out_lanes > c->act_banks || (c->out_lanes & (c->out_lanes - 1u)))
        return at_err_set(err, AT_ERANGE,
                          "dtb: %s: property acceltran,out-lanes = %u is not a power of two in 1..act-banks (%u)",
                          path, c->out_lanes, c->act_banks);
    if (!c->pe_rows || c->pes % c->pe_rows)
        return at_err_set(err, AT_ERANGE,
                          "dtb: %s: property acceltran,pe-rows = %u does not divide acceltran,pes = %u",
                          path, c->pe_rows, c->pes);
    return 0;
}

static int probe_params(const void *fdt, int node, at_fdt_device *d, at_err *err)
{
    for (size_t i = 0; i < AT_FDT_NUM_PROPS; i++) {
        const at_fdt_prop *p = &at_fdt_props[i];
        uint32_t v = 0;
        int rc = get_u32(fdt, node, d->path, p->dt, &v, err);
        if (rc)
            return rc;
        if (v == 0)
            return at_err_set(err, AT_ERANGE, "dtb: %s: property %s is 0", d->path, p->dt);
        if (p->has_field && v > (p->mask >> p->lsb))
            return at_err_set(err, AT_ERANGE,
                              "dtb: %s: property %s = %u does not fit register field %s (max %u)",
                              d->path, p->dt, v, p->reg, p->mask >> p->lsb);
        cfg_set(&d->config, p->offset, v);
    }
    int rc = check_shape(&d->config, d->path, err);
    if (rc)
        return rc;
    d->config.name = "custom";
    for (int c = 0; c < AT_HW_NUM_CONFIGS; c++) {
        size_t i = 0;
        while (i < AT_FDT_NUM_PROPS &&
               cfg_get(&at_hw_configs[c], at_fdt_props[i].offset) ==
                   cfg_get(&d->config, at_fdt_props[i].offset))
            i++;
        if (i == AT_FDT_NUM_PROPS) {
            d->config.name = at_hw_configs[c].name;
            break;
        }
    }
    return 0;
}

int at_probe_fdt(const void *fdt, size_t len, at_fdt_device *out, at_err *err)
{
    if (!fdt || !out)
        return at_err_set(err, AT_EINVAL, "at_probe_fdt: NULL argument");
    memset(out, 0, sizeof *out);
    if (len < sizeof(struct fdt_header))
        return at_err_set(err, AT_EFORMAT, "dtb: %zu bytes, shorter than the %zu-byte header",
                          len, sizeof(struct fdt_header));
    int rc = fdt_check_header(fdt);
    if (rc)
        return at_err_set(err, AT_EFORMAT, "dtb: bad header: %s", fdt_strerror(rc));
    if (fdt_totalsize(fdt) > len)
        return at_err_set(err, AT_EFORMAT, "dtb: totalsize %u exceeds the %zu bytes given",
                          fdt_totalsize(fdt), len);
    /* libfdt 1.6.1 dereferences NULL in fdt_check_full on some blobs of
     * version < 16 (fdt_get_name fails on a node name without '/'), and
     * before 17 it does not bound reads by size_dt_struct: dtc writes 17. */
    if (fdt_version(fdt) < 17)
        return at_err_set(err, AT_EFORMAT, "dtb: version %u, expected 17 or later",
                          fdt_version(fdt));
    rc = fdt_check_full(fdt, len);
    if (rc)
        return at_err_set(err, AT_EFORMAT, "dtb: malformed: %s", fdt_strerror(rc));

    int node;
    if ((rc = find_node(fdt, &node, err)))
        return rc;
    rc = fdt_get_path(fdt, node, out->path, sizeof out->path);
    if (rc)
        return at_err_set(err, AT_EFORMAT, "dtb: node path of \"%s\" node: %s", AT_COMPATIBLE,
                          fdt_strerror(rc));
    if ((rc = probe_reg(fdt, node, out, err)) || (rc = probe_irq(fdt, node, out, err)) ||
        (rc = probe_name(fdt, node, out, err)) || (rc = probe_params(fdt, node, out, err)))
        return rc;
    return 0;
}

int at_probe_fdt_file(const char *path, at_fdt_device *out, at_err *err)
{
    if (!path || !out)
        return at_err_set(err, AT_EINVAL, "at_probe_fdt_file: NULL argument");
    FILE *f = fopen(path, "rb");
    if (!f)
        return at_err_set(err, AT_EIO, "%s: cannot open: %s", path, strerror(errno));
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        int e = errno;
        fclose(f);
        return at_err_set(err, AT_EIO, "%s: cannot seek: %s", path, strerror(e));
    }
    if ((unsigned long)size > AT_FDT_FILE_MAX) {
        fclose(f);
        return at_err_set(err, AT_EFORMAT, "%s: %ld bytes, larger than %u", path, size,
                          AT_FDT_FILE_MAX);
    }
    char *buf = malloc((size_t)size + 1);
    if (!buf) {
        fclose(f);
        return at_err_set(err, AT_ENOMEM, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, (size_t)size, f);
    int bad = ferror(f) || n != (size_t)size;
    int e = errno;
    fclose(f);
    int rc;
    if (bad)
        rc = at_err_set(err, AT_EIO, "%s: read failed: %s", path, strerror(e));
    else {
        rc = at_probe_fdt(buf, n, out, err);
        if (rc && err) {
            /* name the file in front of the message */
            char m[sizeof err->msg];
            snprintf(m, sizeof m, "%s", err->msg);
            at_err_set(err, rc, "%s: %s", path, m);
        }
    }
    free(buf);
    return rc;
}

int at_probe_check_config(const at_fdt_device *d,
                          uint32_t (*read_reg)(void *ctx, uint32_t off), void *ctx,
                          at_err *err)
{
    if (!d || !read_reg)
        return at_err_set(err, AT_EINVAL, "at_probe_check_config: NULL argument");
    uint32_t id = read_reg(ctx, AT_REG_ID);
    if (id != AT_DEVICE_ID)
        return at_err_set(err, AT_EDEVICE, "%s: register ID reads 0x%08x, expected 0x%08x",
                          d->path, id, AT_DEVICE_ID);
    uint32_t ver = read_reg(ctx, AT_REG_VERSION);
    if (AT_GET(AT_REG_VERSION_MAJOR, ver) != AT_VERSION_MAJOR)
        return at_err_set(err, AT_EDEVICE,
                          "%s: register VERSION reads 0x%08x: major %u, driver supports %u",
                          d->path, ver, AT_GET(AT_REG_VERSION_MAJOR, ver), AT_VERSION_MAJOR);
    for (int i = 0; i < AT_HW_NUM_REGS; i++) {
        const at_hw_reg_info *r = &at_hw_regs[i];
        if (r->offset == AT_REG_ID || r->offset == AT_REG_VERSION)
            continue;
        int known = 0;
        uint32_t want = at_hw_reg_expected(&d->config, r->offset, &known);
        if (!known)
            continue;
        uint32_t got = read_reg(ctx, r->offset);
        if (got != want)
            return at_err_set(err, AT_EDEVICE,
                              "%s: register %s (0x%03x): dtb value 0x%08x, device value 0x%08x",
                              d->path, r->name, r->offset, want, got);
    }
    return 0;
}
