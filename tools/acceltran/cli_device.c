#include "cli_device.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "at_port_cosim.h"
#include "probe_fdt.h"

int cli_backend_known(const char *name)
{
    return name && (!strcmp(name, "fmodel") || !strcmp(name, "rtl"));
}

const char *cli_default_dtb(const char *config, char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0; /* <build>/bin */
            snprintf(buf, len, "%s/../firmware/%s.dtb", exe, config);
            if (access(buf, R_OK) == 0)
                return buf;
        }
    }
    snprintf(buf, len, "build/firmware/%s.dtb", config);
    return buf;
}

int cli_device_open(const char *backend, const char *config, const char *dtb, uint64_t mem_bytes,
                    cli_device *out, at_err *err)
{
    memset(out, 0, sizeof *out);
    if (!backend)
        backend = "fmodel";
    snprintf(out->backend, sizeof out->backend, "%s", backend);
    at_fdt_device dev;
    if (dtb) {
        snprintf(out->dtb, sizeof out->dtb, "%s", dtb);
        int rc = at_probe_fdt_file(out->dtb, &dev, err);
        if (rc)
            return rc;
        if (!config)
            config = dev.config_name;
    } else {
        if (!config)
            config = "tiny";
        cli_default_dtb(config, out->dtb, sizeof out->dtb);
        int rc = at_probe_fdt_file(out->dtb, &dev, err);
        if (rc) {
            char m[sizeof err->msg];
            snprintf(m, sizeof m, "%s", err ? err->msg : "");
            return at_err_set(err, rc, "%s (build the dtb files with 'make firmware' or give --dtb)", m);
        }
    }
    snprintf(out->config, sizeof out->config, "%s", config);
    if (!at_hw_config_find(out->config))
        return at_err_set(err, AT_EINVAL, "unknown configuration '%s' (tiny, mid, edge, server)", out->config);
    at_port_cosim_opts po = {backend, out->config, mem_bytes, 0};
    int rc = at_port_cosim_open(&po, &out->port, err);
    if (rc)
        return rc;
    at_drv_opts o = {0};
    if (mem_bytes > (8ull << 20))
        o.bo_arena_bytes = mem_bytes - (4ull << 20);
    rc = at_drv_open_dev(&out->port, &dev, &o, &out->drv, err);
    if (rc) {
        at_port_close(&out->port);
        return rc;
    }
    return 0;
}

void cli_device_close(cli_device *d)
{
    if (!d)
        return;
    at_drv_close(d->drv);
    d->drv = NULL;
    at_port_close(&d->port);
}
