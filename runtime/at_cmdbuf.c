/* See at_cmdbuf.h. */
#include "at_cmdbuf.h"

#include <stdlib.h>
#include <string.h>

struct at_uapi_cmd *at_cmdbuf_push(at_cmdbuf *b)
{
    if (b->oom)
        return NULL;
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 256;
        struct at_uapi_cmd *p = realloc(b->cmds, (size_t)cap * sizeof *p);
        if (!p) {
            b->oom = 1;
            return NULL;
        }
        b->cmds = p;
        b->cap = cap;
    }
    struct at_uapi_cmd *c = &b->cmds[b->n++];
    memset(c, 0, sizeof *c);
    AT_DPUT(c->desc, TAG, b->n & 0xffffu);
    return c;
}

void at_cmdbuf_xfer(at_cmdbuf *b, unsigned op, unsigned buf, uint32_t spad, uint32_t rows, uint32_t cols,
                    uint32_t row_step, uint32_t cb_step, uint32_t bo, uint64_t off, uint32_t stride)
{
    struct at_uapi_cmd *c = at_cmdbuf_push(b);
    if (!c)
        return;
    uint32_t *d = c->desc;
    AT_DPUT(d, OPCODE, op);
    AT_DPUT(d, XFER_BUF, buf);
    AT_DPUT(d, XFER_SPAD, spad);
    AT_DPUT(d, XFER_ROWS, rows);
    AT_DPUT(d, XFER_COLS, cols);
    AT_DPUT(d, XFER_SPAD_ROW_STEP, row_step);
    AT_DPUT(d, XFER_SPAD_CB_STEP, cb_step);
    AT_DPUT(d, XFER_MEM_STRIDE, stride);
    c->bo_handle = bo;
    c->bo_offset = off;
}

void at_cmdbuf_append(at_cmdbuf *b, const struct at_uapi_cmd *cmds, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        struct at_uapi_cmd *c = at_cmdbuf_push(b);
        if (!c)
            return;
        uint32_t tag = AT_DGET(c->desc, TAG);
        *c = cmds[i];
        AT_DPUT(c->desc, TAG, tag);
    }
}

void at_cmdbuf_free(at_cmdbuf *b)
{
    free(b->cmds);
    memset(b, 0, sizeof *b);
}
