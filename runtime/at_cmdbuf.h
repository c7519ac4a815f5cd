/* A growing buffer of device commands (struct at_uapi_cmd) for the
 * user-space builders of command streams: the GEMM planner and the model
 * compiler. Each pushed command is zeroed and tagged with its 1-based
 * index (low 16 bits, echoed by the device in ERR_CODE). An allocation
 * failure sets oom and makes later pushes return NULL. */
#ifndef ACCELTRAN_AT_CMDBUF_H
#define ACCELTRAN_AT_CMDBUF_H

#include <stdint.h>

#include "acceltran_hw.h"
#include "acceltran_uapi.h"

typedef struct at_cmdbuf {
    struct at_uapi_cmd *cmds;
    uint32_t n, cap;
    int oom;
} at_cmdbuf;

struct at_uapi_cmd *at_cmdbuf_push(at_cmdbuf *b);
/* LOAD / STORE (op) of rows x cols elements between scratchpad buf (line
 * spad + r*row_step + cb*cb_step) and buffer object bo at off (stride
 * bytes between rows): docs/isa.md. */
void at_cmdbuf_xfer(at_cmdbuf *b, unsigned op, unsigned buf, uint32_t spad, uint32_t rows, uint32_t cols,
                    uint32_t row_step, uint32_t cb_step, uint32_t bo, uint64_t off, uint32_t stride);
/* Appends n commands, retagged with their new indices. */
void at_cmdbuf_append(at_cmdbuf *b, const struct at_uapi_cmd *cmds, uint32_t n);
void at_cmdbuf_free(at_cmdbuf *b);

#endif
