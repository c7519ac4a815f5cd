/* libFuzzer harness for the device-tree probe (driver/probe_fdt.c).
 * Each input is a dtb blob handed to at_probe_fdt in a heap buffer of
 * exactly its size (so ASan sees any over-read by the probe). Seeds:
 * tests/fuzz/corpus/probe_fdt/ (the firmware/<config>.dtb files built by
 * `make firmware`, and minimized finds). `make fuzz` runs it.
 * Checks: no crash or sanitizer report; a failure is a negative AT_E*
 * code with a "dtb: " message; a success has NUL-terminated strings, a
 * non-empty non-wrapping MMIO window, every parameter non-zero, and passes
 * the register cross-check against a fake device built from its own
 * values (what the probe accepts, a device of that configuration must
 * match). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe_fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fake_read(void *ctx, uint32_t off)
{
    const at_hw_config *c = ctx;
    int known = 0;
    return at_hw_reg_expected(c, off, &known);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
        if (at_probe_check_config(&d, fake_read, &d.config, &e) != 0)
            abort();
    }
    free(blob);
    return 0;
}
