/* NVML through dlopen; see gpu_nvml.h. Host code only. */
#include "gpu_nvml.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The subset of nvml.h used here (types and values as in NVML's public
 * header: nvmlReturn_t is an int enum with NVML_SUCCESS = 0,
 * nvmlClockType_t has GRAPHICS 0, SM 1, MEM 2). */
typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
enum { NVML_SUCCESS_ = 0, NVML_CLOCK_GRAPHICS_ = 0, NVML_CLOCK_SM_ = 1, NVML_CLOCK_MEM_ = 2 };

typedef nvmlReturn_t (*fn_init)(void);
typedef nvmlReturn_t (*fn_shutdown)(void);
typedef const char *(*fn_error_string)(nvmlReturn_t);
typedef nvmlReturn_t (*fn_by_index)(unsigned int, nvmlDevice_t *);
typedef nvmlReturn_t (*fn_by_pci)(const char *, nvmlDevice_t *);
typedef nvmlReturn_t (*fn_energy)(nvmlDevice_t, unsigned long long *);
typedef nvmlReturn_t (*fn_power)(nvmlDevice_t, unsigned int *);
typedef nvmlReturn_t (*fn_name)(nvmlDevice_t, char *, unsigned int);
typedef nvmlReturn_t (*fn_driver)(char *, unsigned int);
typedef nvmlReturn_t (*fn_clock)(nvmlDevice_t, int, unsigned int *);

static struct {
    void *lib;
    int inited;
    nvmlDevice_t dev;
    fn_shutdown shutdown;
    fn_error_string error_string;
    fn_energy energy;
    fn_power power;
    fn_name name;
    fn_driver driver;
    fn_clock clock;
} g_nvml;

static const char *errstr(nvmlReturn_t r)
{
    return g_nvml.error_string ? g_nvml.error_string(r) : "unknown NVML error";
}

void gb_nvml_close(void)
{
    if (g_nvml.inited && g_nvml.shutdown)
        g_nvml.shutdown();
    if (g_nvml.lib)
        dlclose(g_nvml.lib);
    memset(&g_nvml, 0, sizeof g_nvml);
}

int gb_nvml_open(const char *pci_bus_id, char *msg, size_t msglen)
{
    gb_nvml_close();
    g_nvml.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!g_nvml.lib) {
        const char *e = dlerror();
        snprintf(msg, msglen, "NVML not available: %s", e ? e : "dlopen failed");
        return -1;
    }
    fn_init init = (fn_init)dlsym(g_nvml.lib, "nvmlInit_v2");
    fn_by_index by_index = (fn_by_index)dlsym(g_nvml.lib, "nvmlDeviceGetHandleByIndex_v2");
    fn_by_pci by_pci = (fn_by_pci)dlsym(g_nvml.lib, "nvmlDeviceGetHandleByPciBusId_v2");
    g_nvml.shutdown = (fn_shutdown)dlsym(g_nvml.lib, "nvmlShutdown");
    g_nvml.error_string = (fn_error_string)dlsym(g_nvml.lib, "nvmlErrorString");
    g_nvml.energy = (fn_energy)dlsym(g_nvml.lib, "nvmlDeviceGetTotalEnergyConsumption");
    g_nvml.power = (fn_power)dlsym(g_nvml.lib, "nvmlDeviceGetPowerUsage");
    g_nvml.name = (fn_name)dlsym(g_nvml.lib, "nvmlDeviceGetName");
    g_nvml.driver = (fn_driver)dlsym(g_nvml.lib, "nvmlSystemGetDriverVersion");
    g_nvml.clock = (fn_clock)dlsym(g_nvml.lib, "nvmlDeviceGetClockInfo");
    if (!init || !by_index || !g_nvml.shutdown) {
        snprintf(msg, msglen, "NVML: libnvidia-ml.so.1 lacks nvmlInit_v2 / "
                              "nvmlDeviceGetHandleByIndex_v2 / nvmlShutdown");
        gb_nvml_close();
        return -1;
    }
    nvmlReturn_t r = init();
    if (r != NVML_SUCCESS_) {
        snprintf(msg, msglen, "NVML: nvmlInit_v2 failed: %s (%d)", errstr(r), r);
        g_nvml.shutdown = NULL; /* not initialised: no shutdown */
        gb_nvml_close();
        return -1;
    }
    g_nvml.inited = 1;
    r = -1;
    if (pci_bus_id && pci_bus_id[0] && by_pci)
        r = by_pci(pci_bus_id, &g_nvml.dev);
    if (r != NVML_SUCCESS_)
        r = by_index(0, &g_nvml.dev);
    if (r != NVML_SUCCESS_) {
        snprintf(msg, msglen, "NVML: no device handle: %s (%d)", errstr(r), r);
        gb_nvml_close();
        return -1;
    }
    snprintf(msg, msglen, "NVML loaded");
    return 0;
}

int gb_nvml_energy_mj(unsigned long long *mj)
{
    if (!g_nvml.inited || !g_nvml.energy)
        return -1;
    return g_nvml.energy(g_nvml.dev, mj) == NVML_SUCCESS_ ? 0 : -1;
}

int gb_nvml_power_mw(unsigned int *mw)
{
    if (!g_nvml.inited || !g_nvml.power)
        return -1;
    return g_nvml.power(g_nvml.dev, mw) == NVML_SUCCESS_ ? 0 : -1;
}

int gb_nvml_clocks(unsigned int *graphics, unsigned int *sm, unsigned int *mem)
{
    if (!g_nvml.inited || !g_nvml.clock)
        return -1;
    if (g_nvml.clock(g_nvml.dev, NVML_CLOCK_GRAPHICS_, graphics) != NVML_SUCCESS_ ||
        g_nvml.clock(g_nvml.dev, NVML_CLOCK_SM_, sm) != NVML_SUCCESS_ ||
        g_nvml.clock(g_nvml.dev, NVML_CLOCK_MEM_, mem) != NVML_SUCCESS_)
        return -1;
    return 0;
}

int gb_nvml_name(char *buf, size_t len)
{
    if (!g_nvml.inited || !g_nvml.name || len == 0)
        return -1;
    return g_nvml.name(g_nvml.dev, buf, (unsigned int)len) == NVML_SUCCESS_ ? 0 : -1;
}

int gb_nvml_driver_version(char *buf, size_t len)
{
    if (!g_nvml.inited || !g_nvml.driver || len == 0)
        return -1;
    return g_nvml.driver(buf, (unsigned int)len) == NVML_SUCCESS_ ? 0 : -1;
}
