/* Device-tree probe of the acceltran accelerator.
 *
 * at_probe_fdt() finds the one node compatible with AT_COMPATIBLE in a
 * flattened device tree (dtb), validates it with libfdt and fills an
 * at_fdt_device: node path, MMIO window, IRQ, configuration name and the
 * hardware parameters (acceltran,<param> properties). at_probe_check_config()
 * then cross-checks the probed values against the device's read-only ID,
 * VERSION and CONFIG_* registers. See docs/driver.md. */
#ifndef ACCELTRAN_PROBE_FDT_H
#define ACCELTRAN_PROBE_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "acceltran_hw.h"
#include "at_error.h"

#define AT_FDT_PATH_MAX 256
#define AT_FDT_NAME_MAX 64

typedef struct at_fdt_device {
    char path[AT_FDT_PATH_MAX];        /* node path, e.g. "/accel@40000000" */
    uint64_t mmio_base;                /* first reg entry: address */
    uint64_t mmio_size;                /* first reg entry: size (non-zero) */
    uint32_t irq;                      /* first cell of "interrupts" */
    char config_name[AT_FDT_NAME_MAX]; /* "acceltran,config-name" */
    /* Parameters; config.name is the static name of the at_hw_configs entry
     * whose values all match, else "custom". */
    at_hw_config config;
} at_fdt_device;

/* One acceltran,<param> property: the dt name, the at_hw_config field it
 * fills (name and offset), and the register field it is reported in
 * (has_field = 0 where no register holds it). */
typedef struct at_fdt_prop {
    const char *dt;
    const char *field;
    size_t offset;
    int has_field;
    const char *reg;
    uint32_t mask;
    unsigned lsb;
} at_fdt_prop;

/* The property table the probe uses (*n entries). */
const at_fdt_prop *at_probe_fdt_props(size_t *n);

/* Probes the dtb in fdt[0..len). Returns 0, or AT_EFORMAT (malformed blob,
 * missing/bad property, more than one compatible node), AT_ENOTFOUND (no
 * compatible node) or AT_ERANGE (a value too wide for its register field). */
int at_probe_fdt(const void *fdt, size_t len, at_fdt_device *out, at_err *err);

/* Reads the dtb file at path (AT_EIO naming it when it cannot be read) and
 * probes it. */
int at_probe_fdt_file(const char *path, at_fdt_device *out, at_err *err);

/* Cross-checks the device: ID == AT_DEVICE_ID, VERSION major ==
 * AT_VERSION_MAJOR, and every constant CONFIG_* register equals
 * at_hw_reg_expected(&d->config, ...). read_reg(ctx, offset) reads one
 * register. Mismatch -> AT_EDEVICE naming the register and both values. */
int at_probe_check_config(const at_fdt_device *d,
                          uint32_t (*read_reg)(void *ctx, uint32_t off), void *ctx,
                          at_err *err);

#endif
