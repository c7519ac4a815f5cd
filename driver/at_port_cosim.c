/* The cosim port (at_port_cosim.h): the only driver file that talks to
 * cosim/acceltran_cosim.h. */
#include "at_port_cosim.h"

#include <stdlib.h>
#include <string.h>

#include "acceltran_cosim.h"

/* A freed block of simulated host memory, kept for reuse. */
typedef struct cp_free {
    uint64_t bus, bytes;
} cp_free;

typedef struct cp_ctx {
    at_cosim *dev;
    uint32_t mhz;
    cp_free *freed;
    size_t nfreed, capfreed;
} cp_ctx;

static int cp_reg_read(void *ctx, uint32_t off, uint32_t *val, at_err *err)
{
    cp_ctx *c = ctx;
    return at_cosim_mmio_read(c->dev, off, val, err);
}

static int cp_reg_write(void *ctx, uint32_t off, uint32_t val, at_err *err)
{
    cp_ctx *c = ctx;
    return at_cosim_mmio_write(c->dev, off, val, err);
}

static int cp_dma_alloc(void *ctx, uint64_t bytes, uint64_t align, at_port_dma *out, at_err *err)
{
    cp_ctx *c = ctx;
    if (!out || bytes == 0)
        return at_err_set(err, AT_EINVAL, "cosim port: DMA allocation of 0 bytes");
    if (align < 32)
        align = 32;
    if (align & (align - 1))
        return at_err_set(err, AT_EINVAL, "cosim port: DMA alignment %llu is not a power of two",
                          (unsigned long long)align);
    uint64_t rounded = (bytes + 31) & ~(uint64_t)31;
    if (rounded < bytes)
        return at_err_set(err, AT_ERANGE, "cosim port: DMA allocation of %llu bytes is too large",
                          (unsigned long long)bytes);
    memset(out, 0, sizeof *out);
    /* first fit in the freed blocks (the block must start aligned) */
    for (size_t i = 0; i < c->nfreed; i++) {
        cp_free *f = &c->freed[i];
        if ((f->bus & (align - 1)) == 0 && f->bytes >= rounded) {
            out->bus = f->bus;
            out->bytes = bytes;
            if (f->bytes > rounded) {
                f->bus += rounded;
                f->bytes -= rounded;
            } else {
                c->freed[i] = c->freed[--c->nfreed];
            }
            /* zero-fill like a fresh allocation */
            uint8_t zero[4096] = {0};
            for (uint64_t o = 0; o < rounded; o += sizeof zero) {
                uint64_t n = rounded - o < sizeof zero ? rounded - o : sizeof zero;
                int rc = at_cosim_mem_write(c->dev, out->bus + o, zero, n, err);
                if (rc)
                    return rc;
            }
            return 0;
        }
    }
    uint64_t addr = 0;
    int rc = at_cosim_mem_alloc(c->dev, rounded, align, &addr, err);
    if (rc)
        return rc;
    out->bus = addr;
    out->bytes = bytes;
    return 0;
}

static void cp_dma_free(void *ctx, at_port_dma *buf)
{
    cp_ctx *c = ctx;
    if (!buf || buf->bytes == 0)
        return;
    if (c->nfreed == c->capfreed) {
        size_t cap = c->capfreed ? 2 * c->capfreed : 16;
        cp_free *f = realloc(c->freed, cap * sizeof *f);
        if (!f)
            return; /* the block is lost to reuse, nothing worse */
        c->freed = f;
        c->capfreed = cap;
    }
    c->freed[c->nfreed].bus = buf->bus;
    c->freed[c->nfreed].bytes = (buf->bytes + 31) & ~(uint64_t)31;
    c->nfreed++;
    memset(buf, 0, sizeof *buf);
}

static int cp_range(const at_port_dma *buf, uint64_t off, uint64_t n, at_err *err)
{
    if (!buf || off > buf->bytes || n > buf->bytes - off)
        return at_err_set(err, AT_ERANGE,
                          "cosim port: access [%llu, +%llu) outside a %llu-byte DMA buffer",
                          (unsigned long long)off, (unsigned long long)n,
                          (unsigned long long)(buf ? buf->bytes : 0));
    return 0;
}

static int cp_dma_write(void *ctx, const at_port_dma *buf, uint64_t off, const void *src, uint64_t n,
                        at_err *err)
{
    cp_ctx *c = ctx;
    int rc = cp_range(buf, off, n, err);
    if (rc || n == 0)
        return rc;
    return at_cosim_mem_write(c->dev, buf->bus + off, src, n, err);
}

static int cp_dma_read(void *ctx, const at_port_dma *buf, uint64_t off, void *dst, uint64_t n,
                       at_err *err)
{
    cp_ctx *c = ctx;
    int rc = cp_range(buf, off, n, err);
    if (rc || n == 0)
        return rc;
    return at_cosim_mem_read(c->dev, buf->bus + off, dst, n, err);
}

static uint64_t ns_to_cycles(const cp_ctx *c, uint64_t ns)
{
    /* ns * MHz / 1000, without overflow for any ns */
    uint64_t q = ns / 1000, r = ns % 1000;
    uint64_t cyc = q * c->mhz + (r * c->mhz + 999) / 1000;
    if (c->mhz && q > UINT64_MAX / c->mhz)
        cyc = UINT64_MAX;
    return cyc ? cyc : 1;
}

static int cp_irq_wait(void *ctx, uint64_t timeout_ns, int *fired, at_err *err)
{
    cp_ctx *c = ctx;
    *fired = 0;
    if (at_cosim_irq(c->dev)) {
        *fired = 1;
        return 0;
    }
    at_cosim_why why = 0;
    int rc = at_cosim_run(c->dev, AT_COSIM_UNTIL_IRQ, ns_to_cycles(c, timeout_ns), &why, err);
    if (rc)
        return rc;
    *fired = at_cosim_irq(c->dev) != 0;
    return 0;
}

static int cp_delay(void *ctx, uint64_t ns, at_err *err)
{
    cp_ctx *c = ctx;
    return at_cosim_run(c->dev, AT_COSIM_UNTIL_CYCLES, ns_to_cycles(c, ns), NULL, err);
}

static uint64_t cp_cycles(void *ctx)
{
    cp_ctx *c = ctx;
    return at_cosim_cycles(c->dev);
}

static uint64_t cp_now_ns(void *ctx)
{
    cp_ctx *c = ctx;
    uint64_t cyc = at_cosim_cycles(c->dev);
    return cyc / c->mhz * 1000 + cyc % c->mhz * 1000 / c->mhz;
}

static void cp_destroy(void *ctx)
{
    cp_ctx *c = ctx;
    if (!c)
        return;
    at_cosim_destroy(c->dev);
    free(c->freed);
    free(c);
}

static const at_port_ops cp_ops_fmodel = {
    "cosim-fmodel", cp_reg_read, cp_reg_write, cp_dma_alloc, cp_dma_free, cp_dma_write,
    cp_dma_read, cp_irq_wait, cp_delay, cp_now_ns, cp_cycles, cp_destroy,
};
static const at_port_ops cp_ops_rtl = {
    "cosim-rtl", cp_reg_read, cp_reg_write, cp_dma_alloc, cp_dma_free, cp_dma_write,
    cp_dma_read, cp_irq_wait, cp_delay, cp_now_ns, cp_cycles, cp_destroy,
};

int at_port_cosim_available(const char *backend, const char *config)
{
    at_cosim_backend b;
    if (!config || at_cosim_backend_parse(backend ? backend : "fmodel", &b, NULL))
        return 0;
    return at_cosim_available(b, config);
}

int at_port_cosim_open(const at_port_cosim_opts *opts, at_port *out, at_err *err)
{
    if (!opts || !out)
        return at_err_set(err, AT_EINVAL, "at_port_cosim_open: NULL argument");
    memset(out, 0, sizeof *out);
    const char *bname = opts->backend ? opts->backend : "fmodel";
    at_cosim_backend b;
    int rc = at_cosim_backend_parse(bname, &b, err);
    if (rc)
        return rc;
    if (!opts->config || !at_hw_config_find(opts->config))
        return at_err_set(err, AT_EINVAL, "cosim port: unknown configuration '%s' (tiny, mid, edge, server)",
                          opts->config ? opts->config : "(null)");
    if (!at_cosim_available(b, opts->config))
        return at_err_set(err, AT_EUNSUPPORTED,
                          "cosim port: backend %s is not available for configuration %s in this build",
                          bname, opts->config);
    cp_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return at_err_set(err, AT_ENOMEM, "cosim port: out of memory");
    at_cosim_opts co = {0};
    co.backend = b;
    co.config = opts->config;
    co.profile = opts->debug ? AT_COSIM_DEBUG : AT_COSIM_FAST;
    co.mem_bytes = opts->mem_bytes;
    rc = at_cosim_create(&co, &c->dev, err);
    if (rc) {
        free(c);
        return rc;
    }
    const at_hw_config *cfg = at_cosim_config(c->dev);
    c->mhz = cfg && cfg->clock_mhz ? cfg->clock_mhz : 1000;
    out->ops = b == AT_COSIM_RTL ? &cp_ops_rtl : &cp_ops_fmodel;
    out->ctx = c;
    return 0;
}

struct at_cosim *at_port_cosim_device(const at_port *p)
{
    if (!p || (p->ops != &cp_ops_fmodel && p->ops != &cp_ops_rtl) || !p->ctx)
        return NULL;
    return ((cp_ctx *)p->ctx)->dev;
}
