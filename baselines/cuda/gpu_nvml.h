/* GPU energy and device facts through NVML, loaded at run time with
 * dlopen("libnvidia-ml.so.1") (the CUDA toolkit here ships no nvml.h; the
 * few prototypes used are declared in gpu_nvml.cu). Without the library,
 * a driver or a GPU every call fails cleanly with a message; nothing
 * crashes. One process-wide session (a benchmark tool's needs). */
#ifndef ACCELTRAN_GPU_NVML_H
#define ACCELTRAN_GPU_NVML_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opens NVML for the device on PCI bus pci_bus_id (as from
 * cudaDeviceGetPCIBusId; NULL or unknown: NVML index 0). Returns 0, or -1
 * with the reason in msg. */
int gb_nvml_open(const char *pci_bus_id, char *msg, size_t msglen);
void gb_nvml_close(void);

/* Millijoules since the driver was loaded (Volta or newer; the counter
 * updates every 20-100 ms). 0 or -1. */
int gb_nvml_energy_mj(unsigned long long *mj);
/* Current power draw in milliwatts. 0 or -1. */
int gb_nvml_power_mw(unsigned int *mw);
/* Current clocks in MHz (graphics, SM, memory); -1 if unavailable. */
int gb_nvml_clocks(unsigned int *graphics, unsigned int *sm, unsigned int *mem);
int gb_nvml_name(char *buf, size_t len);
int gb_nvml_driver_version(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
