/* acceltran_cosim.h: argument checks, the shared host memory, and dispatch
 * to a backend (cosim_backend.h). The rtl backend is a weak reference:
 * NULL in programs linked without its objects. */
#include "acceltran_cosim.h"

#include <stdlib.h>
#include <string.h>

#include "cosim_backend.h"
#include "host_mem.h"

#define COSIM_DEFAULT_MEM_BASE UINT64_C(0x80000000)
#define COSIM_DEFAULT_MEM_BYTES (UINT64_C(64) << 20)
#define COSIM_MAX_MEM_BYTES (UINT64_C(4) << 30)

struct at_cosim {
    const at_cosim_ops *ops;
    void *impl;
    at_host_mem *mem;
    const at_hw_config *cfg;
    at_cosim_backend backend;
};

static const at_cosim_ops *backend_ops(at_cosim_backend b)
{
    switch (b) {
    case AT_COSIM_FMODEL:
        return &at_cosim_fmodel_ops;
    case AT_COSIM_RTL: {
        const at_cosim_ops *rtl = &at_cosim_rtl_ops; /* weak: NULL when not linked */
        return rtl;
    }
    default:
        return NULL;
    }
}

int at_cosim_backend_parse(const char *name, at_cosim_backend *out, at_err *err)
{
    if (!name || !out)
        return at_err_set(err, AT_EINVAL, "cosim: NULL backend name or output");
    if (!strcmp(name, "fmodel")) {
        *out = AT_COSIM_FMODEL;
        return 0;
    }
    if (!strcmp(name, "rtl")) {
        *out = AT_COSIM_RTL;
        return 0;
    }
    return at_err_set(err, AT_EINVAL, "cosim: unknown backend '%s' (rtl or fmodel)", name);
}

const char *at_cosim_backend_name(at_cosim_backend b)
{
    switch (b) {
    case AT_COSIM_FMODEL:
        return "fmodel";
    case AT_COSIM_RTL:
        return "rtl";
    default:
        return "unknown";
    }
}

int at_cosim_available(at_cosim_backend b, const char *config)
{
    const at_cosim_ops *ops = backend_ops(b);
    if (!ops || !config || !at_hw_config_find(config))
        return 0;
    return ops->available ? ops->available(config) != 0 : 1;
}

/* Checks opts and fills the defaults into *o. */
static int opts_resolve(const at_cosim_opts *opts, at_cosim_opts *o, const at_hw_config **cfg,
                        at_err *err)
{
    if (opts->backend != AT_COSIM_FMODEL && opts->backend != AT_COSIM_RTL)
        return at_err_set(err, AT_EINVAL, "cosim: unknown backend %d", (int)opts->backend);
    if (!opts->config)
        return at_err_set(err, AT_EINVAL, "cosim: no configuration name");
    *cfg = at_hw_config_find(opts->config);
    if (!*cfg)
        return at_err_set(err, AT_EINVAL, "cosim: unknown configuration '%s' (tiny, mid, edge, server)",
                          opts->config);
    if (opts->profile != AT_COSIM_FAST && opts->profile != AT_COSIM_DEBUG)
        return at_err_set(err, AT_EINVAL, "cosim: unknown profile %d", (int)opts->profile);
    *o = *opts;
    o->config = (*cfg)->name;
    if (!o->mem_base)
        o->mem_base = COSIM_DEFAULT_MEM_BASE;
    if (!o->mem_bytes)
        o->mem_bytes = COSIM_DEFAULT_MEM_BYTES;
    if (!o->seed)
        o->seed = 1;
    if (o->mem_bytes > COSIM_MAX_MEM_BYTES)
        return at_err_set(err, AT_EINVAL, "cosim: host memory of %llu bytes is above 4 GiB",
                          (unsigned long long)o->mem_bytes);
    if (o->mem_base % 32u)
        return at_err_set(err, AT_EINVAL, "cosim: host memory base %#llx is not 32-byte aligned",
                          (unsigned long long)o->mem_base);
    if (o->mem_base + o->mem_bytes < o->mem_base)
        return at_err_set(err, AT_EINVAL, "cosim: host memory [%#llx, +%llu) passes 2^64",
                          (unsigned long long)o->mem_base, (unsigned long long)o->mem_bytes);
    return 0;
}

int at_cosim_create(const at_cosim_opts *opts, at_cosim **out, at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "cosim: NULL output pointer");
    *out = NULL;
    if (!opts)
        return at_err_set(err, AT_EINVAL, "cosim: NULL options");
    at_cosim_opts o;
    const at_hw_config *cfg = NULL;
    int rc = opts_resolve(opts, &o, &cfg, err);
    if (rc)
        return rc;
    const at_cosim_ops *ops = backend_ops(o.backend);
    if (!ops)
        return at_err_set(err, AT_EUNSUPPORTED,
                          "cosim: this program was built without the rtl backend "
                          "(link the objects of COSIM_RTL_LINK, see docs/cosim.md)");
    if (ops->available && !ops->available(o.config))
        return at_err_set(err, AT_EUNSUPPORTED, "cosim: the %s backend of this build has no '%s' configuration",
                          ops->name, o.config);
    at_cosim *c = calloc(1, sizeof *c);
    if (!c)
        return at_err_set(err, AT_ENOMEM, "cosim: out of memory");
    c->ops = ops;
    c->cfg = cfg;
    c->backend = o.backend;
    rc = at_host_mem_create(o.mem_base, o.mem_bytes, cfg, &c->mem, err);
    if (!rc)
        rc = ops->create(&o, cfg, c->mem, &c->impl, err);
    if (rc) {
        at_host_mem_destroy(c->mem);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void at_cosim_destroy(at_cosim *c)
{
    if (!c)
        return;
    if (c->impl)
        c->ops->destroy(c->impl);
    at_host_mem_destroy(c->mem);
    free(c);
}

const at_hw_config *at_cosim_config(const at_cosim *c)
{
    return c ? c->cfg : NULL;
}

at_cosim_backend at_cosim_backend_of(const at_cosim *c)
{
    return c ? c->backend : AT_COSIM_FMODEL;
}

static int mmio_args(const at_cosim *c, uint32_t offset, const char *what, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim %s: NULL device", what);
    if (offset % 4u || offset >= AT_MMIO_BYTES)
        return at_err_set(err, AT_EINVAL, "cosim %s: offset %#x not 4-aligned below %#x", what,
                          offset, AT_MMIO_BYTES);
    return 0;
}

int at_cosim_mmio_read(at_cosim *c, uint32_t offset, uint32_t *value, at_err *err)
{
    int rc = mmio_args(c, offset, "mmio read", err);
    if (rc)
        return rc;
    if (!value)
        return at_err_set(err, AT_EINVAL, "cosim mmio read: NULL value pointer");
    return c->ops->mmio_read(c->impl, offset, value, err);
}

int at_cosim_mmio_write(at_cosim *c, uint32_t offset, uint32_t value, at_err *err)
{
    int rc = mmio_args(c, offset, "mmio write", err);
    if (rc)
        return rc;
    return c->ops->mmio_write(c->impl, offset, value, err);
}

int at_cosim_mem_alloc(at_cosim *c, uint64_t bytes, uint64_t align, uint64_t *addr, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim mem alloc: NULL device");
    return at_host_mem_alloc(c->mem, bytes, align, addr, err);
}

int at_cosim_mem_write(at_cosim *c, uint64_t addr, const void *src, uint64_t n, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim mem write: NULL device");
    return at_host_mem_write(c->mem, addr, src, n, err);
}

int at_cosim_mem_read(at_cosim *c, uint64_t addr, void *dst, uint64_t n, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim mem read: NULL device");
    return at_host_mem_read(c->mem, addr, dst, n, err);
}

uint64_t at_cosim_mem_base(const at_cosim *c)
{
    return c ? at_host_mem_base(c->mem) : 0;
}

uint64_t at_cosim_mem_size(const at_cosim *c)
{
    return c ? at_host_mem_size(c->mem) : 0;
}

int at_cosim_mem_fault(at_cosim *c, uint64_t addr, uint64_t n, unsigned resp, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim mem fault: NULL device");
    return at_host_mem_fault(c->mem, addr, n, resp, err);
}

int at_cosim_mem_stall(at_cosim *c, uint64_t addr, uint64_t n, uint32_t cycles, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim mem stall: NULL device");
    return at_host_mem_stall(c->mem, addr, n, cycles, err);
}

int at_cosim_run(at_cosim *c, at_cosim_stop until, uint64_t max_cycles, at_cosim_why *why, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim run: NULL device");
    if (until != AT_COSIM_UNTIL_IRQ && until != AT_COSIM_UNTIL_IDLE && until != AT_COSIM_UNTIL_CYCLES)
        return at_err_set(err, AT_EINVAL, "cosim run: unknown stop condition %d", (int)until);
    at_cosim_why w = AT_COSIM_STOPPED_LIMIT;
    int rc = c->ops->run(c->impl, until, max_cycles, &w, err);
    if (!rc && why)
        *why = w;
    return rc;
}

int at_cosim_irq(const at_cosim *c)
{
    return c ? c->ops->irq(c->impl) : 0;
}

uint64_t at_cosim_cycles(const at_cosim *c)
{
    return c ? c->ops->cycles(c->impl) : 0;
}

int at_cosim_trace(at_cosim *c, const char *path, at_err *err)
{
    if (!c)
        return at_err_set(err, AT_EINVAL, "cosim trace: NULL device");
    if (!c->ops->trace)
        return at_err_set(err, AT_EUNSUPPORTED, "cosim trace: the %s backend has no waveform trace",
                          c->ops->name);
    return c->ops->trace(c->impl, path, err);
}
