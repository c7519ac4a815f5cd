/* What a cosim backend implements (cosim/cosim.c dispatches
 * acceltran_cosim.h to it). The fmodel backend is always linked; the rtl
 * backend is in separate objects (COSIM_RTL_LINK in the Makefile) and is
 * referenced weakly, so programs without it see it as unavailable. */
#ifndef ACCELTRAN_COSIM_BACKEND_H
#define ACCELTRAN_COSIM_BACKEND_H

#include "acceltran_cosim.h"
#include "host_mem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct at_cosim_ops {
    const char *name;
    /* 1 when the backend can make a device of this configuration. */
    int (*available)(const char *config);
    /* mem belongs to the caller and outlives the device. */
    int (*create)(const at_cosim_opts *opts, const at_hw_config *cfg, at_host_mem *mem, void **impl, at_err *err);
    void (*destroy)(void *impl);
    int (*mmio_read)(void *impl, uint32_t offset, uint32_t *value, at_err *err);
    int (*mmio_write)(void *impl, uint32_t offset, uint32_t value, at_err *err);
    int (*run)(void *impl, at_cosim_stop until, uint64_t max_cycles, at_cosim_why *why, at_err *err);
    int (*irq)(const void *impl);
    uint64_t (*cycles)(const void *impl);
    int (*trace)(void *impl, const char *path, at_err *err);
} at_cosim_ops;

extern const at_cosim_ops at_cosim_fmodel_ops;
extern const at_cosim_ops at_cosim_rtl_ops __attribute__((weak));

#ifdef __cplusplus
}
#endif

#endif
