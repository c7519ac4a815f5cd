/* Host memory of the simulated platform (host_mem.h): anonymous mmap
 * storage (pages appear on first touch, so a 4 GiB memory costs only what
 * is used), a bump allocator, one fault range and the configuration's
 * timing. */
#include "host_mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HOST_MEM_MAX_BYTES (UINT64_C(4) << 30)
#define HOST_MEM_MIN_ALIGN 32u

struct at_host_mem {
    uint64_t base, bytes;
    uint8_t *data;
    uint64_t next; /* bump pointer: offset of the first free byte */
    uint64_t fault_addr, fault_n;
    unsigned fault_resp;
    uint64_t stall_addr, stall_n;
    uint32_t stall_cycles;
    uint32_t latency;
    double bytes_per_cycle;
};

int at_host_mem_create(uint64_t base, uint64_t bytes, const at_hw_config *cfg, at_host_mem **out,
                       at_err *err)
{
    if (!out)
        return at_err_set(err, AT_EINVAL, "host memory: NULL output pointer");
    *out = NULL;
    if (!cfg || cfg->clock_mhz == 0)
        return at_err_set(err, AT_EINVAL, "host memory: missing configuration");
    if (bytes == 0 || bytes > HOST_MEM_MAX_BYTES)
        return at_err_set(err, AT_EINVAL, "host memory: size %llu bytes not in 1..4 GiB",
                          (unsigned long long)bytes);
    if (base % HOST_MEM_MIN_ALIGN)
        return at_err_set(err, AT_EINVAL, "host memory: base %#llx not 32-byte aligned",
                          (unsigned long long)base);
    if (base + bytes < base)
        return at_err_set(err, AT_EINVAL, "host memory: [%#llx, +%llu) passes 2^64",
                          (unsigned long long)base, (unsigned long long)bytes);
    at_host_mem *m = calloc(1, sizeof *m);
    if (!m)
        return at_err_set(err, AT_ENOMEM, "host memory: out of memory");
    void *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        free(m);
        return at_err_set(err, AT_ENOMEM, "host memory: cannot map %llu bytes",
                          (unsigned long long)bytes);
    }
    m->base = base;
    m->bytes = bytes;
    m->data = p;
    m->latency = cfg->mem_latency_cycles;
    m->bytes_per_cycle = (double)cfg->mem_bw_mbps / (double)cfg->clock_mhz;
    *out = m;
    return 0;
}

void at_host_mem_destroy(at_host_mem *m)
{
    if (!m)
        return;
    munmap(m->data, (size_t)m->bytes);
    free(m);
}

uint64_t at_host_mem_base(const at_host_mem *m)
{
    return m ? m->base : 0;
}

uint64_t at_host_mem_size(const at_host_mem *m)
{
    return m ? m->bytes : 0;
}

/* 1 when [addr, addr + n) lies in host memory (n = 0: addr in [base, end]). */
static int in_mem(const at_host_mem *m, uint64_t addr, uint64_t n)
{
    if (addr < m->base)
        return 0;
    uint64_t off = addr - m->base;
    return off <= m->bytes && n <= m->bytes - off;
}

int at_host_mem_alloc(at_host_mem *m, uint64_t bytes, uint64_t align, uint64_t *addr, at_err *err)
{
    if (!m || !addr)
        return at_err_set(err, AT_EINVAL, "host memory alloc: NULL argument");
    if (align == 0 || (align & (align - 1)))
        return at_err_set(err, AT_EINVAL, "host memory alloc: alignment %llu not a power of two",
                          (unsigned long long)align);
    if (bytes == 0)
        return at_err_set(err, AT_EINVAL, "host memory alloc: 0 bytes");
    if (align < HOST_MEM_MIN_ALIGN)
        align = HOST_MEM_MIN_ALIGN;
    if (align > m->bytes)
        return at_err_set(err, AT_ENOMEM, "host memory alloc: alignment %llu larger than memory",
                          (unsigned long long)align);
    /* align the bus address (base is 32-byte aligned, maybe not more) */
    uint64_t start = m->base + m->next;
    uint64_t aligned = (start + align - 1) & ~(align - 1);
    if (aligned < start || !in_mem(m, aligned, bytes))
        return at_err_set(err, AT_ENOMEM,
                          "host memory alloc: %llu bytes (align %llu) do not fit: %llu of %llu used",
                          (unsigned long long)bytes, (unsigned long long)align,
                          (unsigned long long)m->next, (unsigned long long)m->bytes);
    memset(m->data + (aligned - m->base), 0, (size_t)bytes);
    m->next = aligned - m->base + bytes;
    *addr = aligned;
    return 0;
}

int at_host_mem_write(at_host_mem *m, uint64_t addr, const void *src, uint64_t n, at_err *err)
{
    if (!m || (!src && n))
        return at_err_set(err, AT_EINVAL, "host memory write: NULL argument");
    if (!in_mem(m, addr, n))
        return at_err_set(err, AT_ERANGE, "host memory write: [%#llx, +%llu) outside [%#llx, +%llu)",
                          (unsigned long long)addr, (unsigned long long)n,
                          (unsigned long long)m->base, (unsigned long long)m->bytes);
    if (n)
        memcpy(m->data + (addr - m->base), src, (size_t)n);
    return 0;
}

int at_host_mem_read(const at_host_mem *m, uint64_t addr, void *dst, uint64_t n, at_err *err)
{
    if (!m || (!dst && n))
        return at_err_set(err, AT_EINVAL, "host memory read: NULL argument");
    if (!in_mem(m, addr, n))
        return at_err_set(err, AT_ERANGE, "host memory read: [%#llx, +%llu) outside [%#llx, +%llu)",
                          (unsigned long long)addr, (unsigned long long)n,
                          (unsigned long long)m->base, (unsigned long long)m->bytes);
    if (n)
        memcpy(dst, m->data + (addr - m->base), (size_t)n);
    return 0;
}

uint8_t *at_host_mem_ptr(at_host_mem *m, uint64_t addr, uint64_t n)
{
    if (!m || !in_mem(m, addr, n))
        return NULL;
    return m->data + (addr - m->base);
}

int at_host_mem_fault(at_host_mem *m, uint64_t addr, uint64_t n, unsigned resp, at_err *err)
{
    if (!m)
        return at_err_set(err, AT_EINVAL, "host memory fault: NULL memory");
    if (resp == AT_AXI_OKAY || n == 0) {
        m->fault_addr = m->fault_n = 0;
        m->fault_resp = AT_AXI_OKAY;
        return 0;
    }
    if (resp != AT_AXI_SLVERR && resp != AT_AXI_DECERR)
        return at_err_set(err, AT_EINVAL, "host memory fault: response %u is not 0, 2 or 3", resp);
    if (addr + n < addr)
        return at_err_set(err, AT_EINVAL, "host memory fault: [%#llx, +%llu) passes 2^64",
                          (unsigned long long)addr, (unsigned long long)n);
    m->fault_addr = addr;
    m->fault_n = n;
    m->fault_resp = resp;
    return 0;
}

/* [addr, addr + n) (n >= 1, not wrapping) meets the range [lo, lo + len) (len 0: none). */
static int touches(uint64_t addr, uint64_t n, uint64_t lo, uint64_t len)
{
    uint64_t end = addr + n;
    return len && end > addr && addr < lo + len && lo < end;
}

unsigned at_host_mem_bus_resp(const at_host_mem *m, uint64_t addr, uint64_t n)
{
    if (!m)
        return AT_AXI_DECERR;
    if (n == 0)
        n = 1;
    uint64_t end = addr + n; /* a wrapping access is outside memory anyway */
    if (touches(addr, n, m->fault_addr, m->fault_n))
        return m->fault_resp;
    if (end < addr || !in_mem(m, addr, n))
        return AT_AXI_DECERR;
    return AT_AXI_OKAY;
}

int at_host_mem_stall(at_host_mem *m, uint64_t addr, uint64_t n, uint32_t cycles, at_err *err)
{
    if (!m)
        return at_err_set(err, AT_EINVAL, "host memory stall: NULL memory");
    if (cycles == 0 || n == 0) {
        m->stall_addr = m->stall_n = 0;
        m->stall_cycles = 0;
        return 0;
    }
    if (addr + n < addr)
        return at_err_set(err, AT_EINVAL, "host memory stall: [%#llx, +%llu) passes 2^64",
                          (unsigned long long)addr, (unsigned long long)n);
    m->stall_addr = addr;
    m->stall_n = n;
    m->stall_cycles = cycles;
    return 0;
}

uint32_t at_host_mem_bus_stall(const at_host_mem *m, uint64_t addr, uint64_t n)
{
    if (!m)
        return 0;
    return touches(addr, n ? n : 1, m->stall_addr, m->stall_n) ? m->stall_cycles : 0;
}

uint32_t at_host_mem_latency(const at_host_mem *m)
{
    return m ? m->latency : 0;
}

double at_host_mem_bytes_per_cycle(const at_host_mem *m)
{
    return m ? m->bytes_per_cycle : 0.0;
}
