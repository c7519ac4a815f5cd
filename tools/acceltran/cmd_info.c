/* acceltran info: probe the (simulated) device and print its configuration. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_device.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: acceltran info [--config C | --dtb FILE] [--backend rtl|fmodel] [--json]\n"
               "\n"
               "Probes the accelerator: reads the device tree (dtb), creates the simulated\n"
               "device of that configuration, cross-checks the dtb against the ID, VERSION\n"
               "and CONFIG_* registers, resets it, and prints the configuration.\n"
               "\n"
               "  --config C      tiny, mid, edge or server (default: the dtb's\n"
               "                  acceltran,config-name, else tiny); with --dtb, the\n"
               "                  device is made in configuration C and must match the dtb\n"
               "  --dtb FILE      device tree blob (default: build/firmware/C.dtb)\n"
               "  --backend B     fmodel (C functional model, default) or rtl (Verilated RTL)\n"
               "  --json          print one JSON object\n"
               "  --help          this text\n"
               "\n"
               "Exit status: 0 ok, 1 probe failure (e.g. dtb and device differ), 2 bad arguments.\n");
}

static const char *const with_value[] = {"--config", "--dtb", "--backend", NULL};

int cmd_info(int argc, char **argv)
{
    const char *config = NULL, *dtb = NULL, *backend = "fmodel";
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(s, "--json")) {
            json = 1;
        } else if (!strcmp(s, "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strcmp(s, "--dtb") && i + 1 < argc) {
            dtb = argv[++i];
        } else if (!strcmp(s, "--backend") && i + 1 < argc) {
            backend = argv[++i];
        } else if (s[0] == '-') {
            cli_bad_option("info", s, with_value);
            return CLI_USAGE_ERROR;
        } else {
            cli_error("info", "unexpected argument '%s' (see acceltran info --help)", s);
            return CLI_USAGE_ERROR;
        }
    }
    if (!cli_backend_known(backend)) {
        cli_error("info", "unknown backend '%s' (available: fmodel, rtl)", backend);
        return CLI_USAGE_ERROR;
    }
    if (config && !at_hw_config_find(config)) {
        cli_error("info", "unknown configuration '%s' (tiny, mid, edge, server)", config);
        return CLI_USAGE_ERROR;
    }
    cli_device dev;
    at_err err = {0};
    if (cli_device_open(backend, config, dtb, 0, &dev, &err)) {
        cli_error("info", "%s", err.msg);
        return CLI_RUN_ERROR;
    }
    const at_fdt_device *d = at_drv_device(dev.drv);
    const at_hw_config *c = &d->config;
    uint32_t ver = 0, id = 0, st = 0;
    at_drv_reg_read(dev.drv, AT_REG_ID, &id, NULL);
    at_drv_reg_read(dev.drv, AT_REG_VERSION, &ver, NULL);
    at_drv_reg_read(dev.drv, AT_REG_STATUS, &st, NULL);
    uint64_t peak = at_hw_peak_macs_per_cycle(c);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_true());
        json_object_set_new(o, "dtb", json_string(dev.dtb));
        json_object_set_new(o, "backend", json_string(dev.backend));
        json_object_set_new(o, "node", json_string(d->path));
        json_object_set_new(o, "config", json_string(c->name));
        json_object_set_new(o, "config_name", json_string(d->config_name));
        json_object_set_new(o, "mmio_base", json_integer((json_int_t)d->mmio_base));
        json_object_set_new(o, "mmio_size", json_integer((json_int_t)d->mmio_size));
        json_object_set_new(o, "irq", json_integer(d->irq));
        char v[32];
        snprintf(v, sizeof v, "%u.%u.%u", AT_GET(AT_REG_VERSION_MAJOR, ver), AT_GET(AT_REG_VERSION_MINOR, ver),
                 AT_GET(AT_REG_VERSION_PATCH, ver));
        json_object_set_new(o, "version", json_string(v));
        size_t np;
        const at_fdt_prop *props = at_probe_fdt_props(&np);
        json_t *p = json_object();
        for (size_t i = 0; i < np; i++) {
            uint32_t val;
            memcpy(&val, (const char *)c + props[i].offset, sizeof val);
            json_object_set_new(p, props[i].field, json_integer(val));
        }
        json_object_set_new(o, "params", p);
        json_object_set_new(o, "peak_macs_per_cycle", json_integer((json_int_t)peak));
        json_object_set_new(o, "registers_match", json_true());
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (s) {
            puts(s);
            cli_json_done();
            free(s);
        }
    } else {
        printf("device     %s (compatible %s), mmio 0x%" PRIx64 " + 0x%" PRIx64 ", irq %u\n", d->path,
               AT_COMPATIBLE, d->mmio_base, d->mmio_size, d->irq);
        printf("dtb        %s\n", dev.dtb);
        printf("backend    %s\n", dev.backend);
        printf("config     %s (dtb acceltran,config-name \"%s\")\n", c->name, d->config_name);
        printf("registers  ID 0x%08x, VERSION %u.%u.%u, STATUS 0x%08x; ID/VERSION/CONFIG_* match the dtb\n", id,
               AT_GET(AT_REG_VERSION_MAJOR, ver), AT_GET(AT_REG_VERSION_MINOR, ver),
               AT_GET(AT_REG_VERSION_PATCH, ver), st);
        printf("PE array   %u PEs x %u lanes x %u MACs = %" PRIu64 " MACs/cycle (%.1f GMAC/s at %u MHz), tile %u\n",
               c->pes, c->lanes, c->macs_per_lane, peak, (double)peak * c->clock_mhz / 1000.0, c->clock_mhz,
               c->tile);
        printf("scratchpad activation %u KiB, weight %u KiB, mask %u KiB\n", c->act_buf_kib, c->wgt_buf_kib,
               c->mask_buf_kib);
        printf("units      softmax %u, max seq %u, max hidden %u, weight rows/beat %u\n", c->softmax_units,
               c->max_seq, c->max_hidden, c->wgt_rows_per_beat);
        printf("memory     %u MB/s, latency %u cycles, bus %u bytes, %u windows\n", c->mem_bw_mbps,
               c->mem_latency_cycles, c->bus_bytes, c->windows);
    }
    cli_device_close(&dev);
    return 0;
}
