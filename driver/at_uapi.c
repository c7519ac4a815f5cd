/* Buffer objects and the validation of user jobs (acceltran_uapi.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_drv.h"
#include "at_drv_priv.h"

/* ------------------------------------------------------------ buffer objects */

static drv_bo *bo_find(const at_drv *d, uint32_t handle)
{
    if (!d || handle == 0)
        return NULL;
    for (size_t i = 0; i < d->nbos; i++)
        if (d->bos[i].handle == handle)
            return &d->bos[i];
    return NULL;
}

int at_drv_bo_create(at_drv *d, struct at_uapi_bo_create *a, at_err *err)
{
    if (!d || !a)
        return at_err_set(err, AT_EINVAL, "at_drv_bo_create: NULL argument");
    if (a->size != sizeof *a)
        return at_err_set(err, AT_EINVAL, "struct at_uapi_bo_create: size %u, expected %zu", a->size,
                          sizeof *a);
    if (a->flags)
        return at_err_set(err, AT_EINVAL, "struct at_uapi_bo_create: unknown flags 0x%x", a->flags);
    if (a->reserved0 || a->reserved[0] || a->reserved[1])
        return at_err_set(err, AT_EINVAL, "struct at_uapi_bo_create: reserved fields must be 0");
    if (a->bytes == 0 || a->bytes > AT_UAPI_MAX_BO_BYTES)
        return at_err_set(err, AT_EINVAL, "struct at_uapi_bo_create: bytes %" PRIu64 " outside 1..%llu",
                          a->bytes, (unsigned long long)AT_UAPI_MAX_BO_BYTES);
    uint64_t need = (a->bytes + 31) & ~31ull;
    /* first fit between the sorted objects */
    uint64_t at = 0;
    size_t pos = 0;
    for (; pos < d->nbos; pos++) {
        if (d->bos[pos].off - at >= need)
            break;
        at = d->bos[pos].off + d->bos[pos].bytes;
    }
    if (at > d->arena.bytes || d->arena.bytes - at < need)
        return at_err_set(err, AT_ENOMEM,
                          "buffer object of %" PRIu64 " bytes: the %" PRIu64 "-byte arena has no room "
                          "(at_drv_opts.bo_arena_bytes)",
                          a->bytes, d->arena.bytes);
    if (d->nbos == d->capbos) {
        size_t cap = d->capbos ? 2 * d->capbos : 16;
        drv_bo *p = realloc(d->bos, cap * sizeof *p);
        if (!p)
            return at_err_set(err, AT_ENOMEM, "driver: out of memory for buffer objects");
        d->bos = p;
        d->capbos = cap;
    }
    /* zero the object (the arena may hold an earlier object's data) */
    static const uint8_t zero[4096];
    for (uint64_t o = 0; o < need; o += sizeof zero) {
        uint64_t n = need - o < sizeof zero ? need - o : sizeof zero;
        int rc = d->port.ops->dma_write(d->port.ctx, &d->arena, at + o, zero, n, err);
        if (rc)
            return rc;
    }
    memmove(&d->bos[pos + 1], &d->bos[pos], (d->nbos - pos) * sizeof *d->bos);
    uint32_t h = d->next_handle++;
    if (h == 0)
        h = d->next_handle++;
    while (bo_find(d, h))
        h = d->next_handle++;
    d->bos[pos] = (drv_bo){h, at, need};
    d->nbos++;
    a->handle = h;
    a->bus_addr = d->arena.bus + at;
    return 0;
}

int at_drv_bo_destroy(at_drv *d, uint32_t handle, at_err *err)
{
    drv_bo *b = bo_find(d, handle);
    if (!b)
        return at_err_set(err, AT_ENOTFOUND, "buffer object %u: no such handle", handle);
    for (size_t i = 0; i < d->njobs; i++) {
        const drv_job *j = d->jobs[i];
        if (j->status != AT_UAPI_JOB_QUEUED && j->status != AT_UAPI_JOB_NOT_RUN)
            continue;
        for (uint32_t k = 0; k < j->nbos; k++)
            if (j->bos[k] == handle)
                return at_err_set(err, AT_EINVAL, "buffer object %u is used by job %" PRIu64 " (%s)",
                                  handle, j->id, j->status == AT_UAPI_JOB_QUEUED ? "queued" : "not run");
    }
    size_t pos = (size_t)(b - d->bos);
    memmove(&d->bos[pos], &d->bos[pos + 1], (d->nbos - pos - 1) * sizeof *d->bos);
    d->nbos--;
    return 0;
}

static int bo_access(const at_drv *d, uint32_t handle, uint64_t off, uint64_t n, const drv_bo **out,
                     at_err *err)
{
    const drv_bo *b = bo_find(d, handle);
    if (!b)
        return at_err_set(err, AT_ENOTFOUND, "buffer object %u: no such handle", handle);
    if (off > b->bytes || n > b->bytes - off)
        return at_err_set(err, AT_ERANGE, "buffer object %u: access [%" PRIu64 ", +%" PRIu64
                          ") outside its %" PRIu64 " bytes", handle, off, n, b->bytes);
    *out = b;
    return 0;
}

int at_drv_bo_write(at_drv *d, uint32_t handle, uint64_t off, const void *src, uint64_t n, at_err *err)
{
    const drv_bo *b;
    int rc = bo_access(d, handle, off, n, &b, err);
    if (rc || n == 0)
        return rc;
    return d->port.ops->dma_write(d->port.ctx, &d->arena, b->off + off, src, n, err);
}

int at_drv_bo_read(at_drv *d, uint32_t handle, uint64_t off, void *dst, uint64_t n, at_err *err)
{
    const drv_bo *b;
    int rc = bo_access(d, handle, off, n, &b, err);
    if (rc || n == 0)
        return rc;
    return d->port.ops->dma_read(d->port.ctx, &d->arena, b->off + off, dst, n, err);
}

int at_drv_bo_info(const at_drv *d, uint32_t handle, uint64_t *bus, uint64_t *bytes, at_err *err)
{
    const drv_bo *b = bo_find(d, handle);
    if (!b)
        return at_err_set(err, AT_ENOTFOUND, "buffer object %u: no such handle", handle);
    if (bus)
        *bus = d->arena.bus + b->off;
    if (bytes)
        *bytes = b->bytes;
    return 0;
}

/* ------------------------------------------------------------ validation */

static int cmd_err(at_err *err, int code, uint32_t i, const uint32_t *desc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int cmd_err(at_err *err, int code, uint32_t i, const uint32_t *desc, const char *fmt, ...)
{
    char m[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return at_err_set(err, code, "job: command %u (%s): %s", i, at_drv_opcode_name(AT_DGET(desc, OPCODE)), m);
}

static int validate_cmd(const at_drv *d, const struct at_uapi_cmd *c, uint32_t i, const uint32_t *bos,
                        uint32_t nbos, at_err *err)
{
    const uint32_t *w = c->desc;
    if (c->reserved0)
        return cmd_err(err, AT_EINVAL, i, w, "reserved0 is 0x%x, must be 0", c->reserved0);
    for (int r = 0; r < 2; r++)
        if (c->reserved[r])
            return cmd_err(err, AT_EINVAL, i, w, "reserved[%d] is 0x%" PRIx64 ", must be 0", r, c->reserved[r]);
    unsigned op = AT_DGET(w, OPCODE);
    const uint32_t *used = at_desc_used(op);
    if (!used)
        return at_err_set(err, AT_EINVAL, "job: command %u: unknown opcode %u", i, op);
    for (unsigned k = 0; k < AT_DESC_WORDS; k++)
        if (w[k] & ~used[k])
            return cmd_err(err, AT_EINVAL, i, w, "descriptor word %u has bits 0x%08x outside the opcode's fields",
                           k, w[k] & ~used[k]);
    if (op != AT_OP_LOAD && op != AT_OP_STORE) {
        if (c->bo_handle || c->bo_offset)
            return cmd_err(err, AT_EINVAL, i, w, "bo_handle %u / bo_offset %" PRIu64
                           " must be 0 (the opcode does not access memory)", c->bo_handle, c->bo_offset);
        if (op == AT_OP_FENCE && (AT_DGET(w, FENCE_WRITE) || AT_DGET(w, FENCE_IRQ)))
            return cmd_err(err, AT_EINVAL, i, w, "FENCE_WRITE / FENCE_IRQ are reserved to the driver's "
                           "completion fence");
        return 0;
    }
    /* LOAD / STORE */
    if (c->bo_handle == 0)
        return cmd_err(err, AT_EINVAL, i, w, "bo_handle is 0: a transfer names its buffer object");
    int listed = 0;
    for (uint32_t k = 0; k < nbos; k++)
        listed |= bos[k] == c->bo_handle;
    if (!listed)
        return cmd_err(err, AT_EINVAL, i, w, "buffer object %u is not in the job's bos list", c->bo_handle);
    uint64_t bo_bytes = 0;
    if (at_drv_bo_info(d, c->bo_handle, NULL, &bo_bytes, NULL))
        return cmd_err(err, AT_ENOTFOUND, i, w, "buffer object %u does not exist", c->bo_handle);
    if (AT_DGET(w, XFER_MEM_LO) || AT_DGET(w, XFER_MEM_HI))
        return cmd_err(err, AT_EINVAL, i, w, "MEM_LO/MEM_HI must be 0 (the driver fills the address from "
                       "bo_handle + bo_offset)");
    if (AT_DGET(w, XFER_BUF) == 3)
        return cmd_err(err, AT_EINVAL, i, w, "XFER_BUF 3 is not a scratchpad");
    if (AT_DGET(w, XFER_KEEP_MASK) && (op == AT_OP_STORE || AT_DGET(w, XFER_BUF) != 0))
        return cmd_err(err, AT_EINVAL, i, w, "KEEP_MASK is only for a LOAD to the activation buffer");
    uint32_t rows = AT_DGET(w, XFER_ROWS), cols = AT_DGET(w, XFER_COLS);
    uint32_t stride = AT_DGET(w, XFER_MEM_STRIDE);
    if (rows == 0 || cols == 0)
        return cmd_err(err, AT_EINVAL, i, w, "ROWS %u / COLS %u must be at least 1", rows, cols);
    if (c->bo_offset % 32)
        return cmd_err(err, AT_EINVAL, i, w, "bo_offset %" PRIu64 " is not 32-byte aligned", c->bo_offset);
    if (stride % 32)
        return cmd_err(err, AT_EINVAL, i, w, "MEM_STRIDE %u is not a multiple of 32", stride);
    uint64_t span = (uint64_t)(rows - 1) * stride + 32ull * ((cols + 15) / 16);
    if (c->bo_offset > bo_bytes || span > bo_bytes - c->bo_offset)
        return cmd_err(err, AT_ERANGE, i, w,
                       "transfer [%" PRIu64 ", +%" PRIu64 ") is outside buffer object %u (%" PRIu64 " bytes)",
                       c->bo_offset, span, c->bo_handle, bo_bytes);
    return 0;
}

int at_drv_validate(const at_drv *d, const struct at_uapi_job *job, at_err *err)
{
    if (!d || !job)
        return at_err_set(err, AT_EINVAL, "job: NULL argument");
    if (job->size != sizeof *job)
        return at_err_set(err, AT_EINVAL, "job: struct size %u, expected %zu (sizeof struct at_uapi_job)",
                          job->size, sizeof *job);
    if (job->version != AT_UAPI_VERSION)
        return at_err_set(err, AT_EINVAL, "job: version %u, this driver speaks %u", job->version,
                          AT_UAPI_VERSION);
    if (job->flags & ~AT_UAPI_JOB_FLAGS_ALL)
        return at_err_set(err, AT_EINVAL, "job: unknown flags 0x%x", job->flags & ~AT_UAPI_JOB_FLAGS_ALL);
    if (job->reserved0)
        return at_err_set(err, AT_EINVAL, "job: reserved0 is 0x%x, must be 0", job->reserved0);
    for (int r = 0; r < 3; r++)
        if (job->reserved[r])
            return at_err_set(err, AT_EINVAL, "job: reserved[%d] is 0x%" PRIx64 ", must be 0", r, job->reserved[r]);
    if (job->job_id || job->seq)
        return at_err_set(err, AT_EINVAL, "job: job_id / seq are outputs and must be 0 on input");
    if (job->num_cmds == 0 || job->num_cmds > AT_UAPI_MAX_CMDS)
        return at_err_set(err, AT_EINVAL, "job: num_cmds %u outside 1..%u", job->num_cmds, AT_UAPI_MAX_CMDS);
    if (job->cmd_size != sizeof(struct at_uapi_cmd))
        return at_err_set(err, AT_EINVAL, "job: cmd_size %u, expected %zu (sizeof struct at_uapi_cmd)",
                          job->cmd_size, sizeof(struct at_uapi_cmd));
    if (job->cmds_ptr == 0)
        return at_err_set(err, AT_EINVAL, "job: cmds_ptr is NULL");
    /* the arrays are read in place: a misaligned one would be undefined
     * behaviour (found by tests/fuzz/fuzz_uapi_job.c) */
    if (job->cmds_ptr % _Alignof(struct at_uapi_cmd))
        return at_err_set(err, AT_EINVAL, "job: cmds_ptr 0x%" PRIx64 " is not %zu-byte aligned", job->cmds_ptr,
                          _Alignof(struct at_uapi_cmd));
    if (job->num_bos > AT_UAPI_MAX_BOS)
        return at_err_set(err, AT_EINVAL, "job: num_bos %u above %u", job->num_bos, AT_UAPI_MAX_BOS);
    if ((job->num_bos == 0) != (job->bos_ptr == 0))
        return at_err_set(err, AT_EINVAL, "job: bos_ptr must be set exactly when num_bos > 0 (num_bos %u)",
                          job->num_bos);
    if (job->bos_ptr % _Alignof(uint32_t))
        return at_err_set(err, AT_EINVAL, "job: bos_ptr 0x%" PRIx64 " is not %zu-byte aligned", job->bos_ptr,
                          _Alignof(uint32_t));
    const uint32_t *bos = (const uint32_t *)(uintptr_t)job->bos_ptr;
    for (uint32_t k = 0; k < job->num_bos; k++) {
        if (!bo_find(d, bos[k]))
            return at_err_set(err, AT_ENOTFOUND, "job: bos[%u] = %u is not a buffer object", k, bos[k]);
        for (uint32_t m = 0; m < k; m++)
            if (bos[m] == bos[k])
                return at_err_set(err, AT_EINVAL, "job: bos[%u] = %u is listed twice", k, bos[k]);
    }
    const struct at_uapi_cmd *cmds = (const struct at_uapi_cmd *)(uintptr_t)job->cmds_ptr;
    for (uint32_t i = 0; i < job->num_cmds; i++) {
        int rc = validate_cmd(d, &cmds[i], i, bos, job->num_bos, err);
        if (rc)
            return rc;
    }
    return 0;
}
