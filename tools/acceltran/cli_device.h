/* Opening the (simulated) device for the device commands of the CLI
 * (info, gemm) and the device benchmark: backend and configuration
 * parsing, the dtb lookup, the cosim port and the driver. */
#ifndef ACCELTRAN_CLI_DEVICE_H
#define ACCELTRAN_CLI_DEVICE_H

#include <stddef.h>

#include "at_drv.h"
#include "at_port.h"

int cmd_info(int argc, char **argv);
int cmd_gemm(int argc, char **argv);

typedef struct cli_device {
    at_port port;
    at_drv *drv;
    char dtb[4096];
    char backend[16];
    char config[64];
} cli_device;

/* Path of the dtb of a configuration: <exe dir>/../firmware/<config>.dtb
 * (build/bin/acceltran -> build/firmware), else build/firmware/<config>.dtb
 * under the current folder. */
const char *cli_default_dtb(const char *config, char *buf, size_t len);

/* Opens the device: backend "fmodel" (NULL) or "rtl"; config (NULL: the
 * dtb's acceltran,config-name, else tiny); dtb (NULL: cli_default_dtb).
 * mem_bytes: simulated host memory (0: 64 MiB). On error err says why. */
int cli_device_open(const char *backend, const char *config, const char *dtb, uint64_t mem_bytes,
                    cli_device *out, at_err *err);
void cli_device_close(cli_device *d);

/* 1 when name is a backend name the CLI knows (fmodel, rtl). */
int cli_backend_known(const char *name);

#endif
