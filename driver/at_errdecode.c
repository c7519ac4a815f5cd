/* Device error decode: ERR_CODE / ERR_INFO of a failing descriptor as text
 * (docs/isa.md, Errors). */
#include <stdio.h>
#include <string.h>

#include "at_drv.h"

const char *at_drv_opcode_name(unsigned opcode)
{
    switch (opcode) {
    case AT_OP_NOP: return "NOP";
    case AT_OP_LOAD: return "LOAD";
    case AT_OP_STORE: return "STORE";
    case AT_OP_GEMM: return "GEMM";
    case AT_OP_SOFTMAX: return "SOFTMAX";
    case AT_OP_LAYERNORM: return "LAYERNORM";
    case AT_OP_FENCE: return "FENCE";
    default: return "?";
    }
}

/* Fields of descriptor word w for an opcode (docs/registers.md). */
static const char *word_fields(unsigned op, unsigned w)
{
    static const char *xfer[8] = {"OPCODE/FLAGS/TAG (XFER_BUF, KEEP_MASK)", "SPAD", "ROWS/COLS",
                                  "SPAD_ROW_STEP", "SPAD_CB_STEP", "MEM_LO (32-byte alignment)",
                                  "MEM_HI", "MEM_STRIDE (multiple of 32)"};
    static const char *gemm[13] = {"OPCODE/FLAGS/TAG (C_WGT with ACCUM)", "A", "LDA", "B (multiple of 4)",
                                   "LDB (multiple of 4)", "C (C overlaps A; C_WGT: B or PARAMS)",
                                   "LDC (C rows overlap; C_WGT: column tiles)",
                                   "M/N", "K/TAU", "PARAMS (multiple of 4)", "RQ_M/RQ_S",
                                   "GELU_IN", "GELU_OUT"};
    static const char *smx[9] = {"OPCODE/FLAGS/TAG", "SRC", "LDS", "DST (overlaps SRC)",
                                 "LDD (rows overlap)", "ROWS/N", "LEN", "LENS (overlap DST)", "IN_M/IN_S"};
    static const char *ln[12] = {"OPCODE/FLAGS/TAG", "SRC", "LDS", "DST (overlaps SRC)",
                                 "LDD (rows overlap)", "RES (overlaps DST)", "LDR", "ROWS/N",
                                 "PARAMS (multiple of 4)", "OUT_M/OUT_S", "EPS_LO", "EPS_HI (eps > 2^61)"};
    static const char *fence[4] = {"OPCODE/FLAGS/TAG", "VALUE", "ADDR_LO (4-byte alignment)", "ADDR_HI"};
    switch (op) {
    case AT_OP_LOAD:
    case AT_OP_STORE: return w < 8 ? xfer[w] : "reserved";
    case AT_OP_GEMM: return w < 13 ? gemm[w] : "reserved";
    case AT_OP_SOFTMAX: return w < 9 ? smx[w] : "reserved";
    case AT_OP_LAYERNORM: return w < 12 ? ln[w] : "reserved";
    case AT_OP_FENCE: return w < 4 ? fence[w] : "reserved";
    default: return w == 0 ? "OPCODE/FLAGS/TAG" : "reserved";
    }
}

static const char *buf_name(uint32_t b)
{
    return b == 0 ? "activation" : b == 1 ? "weight" : b == 2 ? "mask" : "?";
}

void at_drv_deverr_text(const at_drv_deverr *e, const uint32_t *desc, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    const char *name = at_deverr_name(e->code);
    const char *op = at_drv_opcode_name(e->opcode);
    char detail[256];
    switch (e->code) {
    case AT_DEVERR_ILLEGAL_OPCODE:
        snprintf(detail, sizeof detail, "unknown opcode %u", e->info);
        break;
    case AT_DEVERR_ILLEGAL_FIELD:
        if (e->info >= 0x10000u)
            snprintf(detail, sizeof detail, "%s row %u has a valid length outside 1..N", op,
                     e->info - 0x10000u);
        else if (desc && e->info < 16) {
            const uint32_t *used = at_desc_used(e->opcode);
            uint32_t stray = used ? desc[e->info] & ~used[e->info] : 0;
            if (stray)
                snprintf(detail, sizeof detail, "%s word %u has bits 0x%08x outside its fields", op,
                         e->info, stray);
            else
                snprintf(detail, sizeof detail, "%s word %u (%s) is bad (value 0x%08x)", op, e->info,
                         word_fields(e->opcode, e->info), desc[e->info]);
        } else
            snprintf(detail, sizeof detail, "%s word %u (%s) is bad", op, e->info,
                     word_fields(e->opcode, e->info));
        break;
    case AT_DEVERR_SPAD_RANGE:
        snprintf(detail, sizeof detail, "%s accesses past the end of the %s scratchpad", op,
                 buf_name(e->info));
        break;
    case AT_DEVERR_ADDR_WINDOW:
        snprintf(detail, sizeof detail, "%s memory range at 0x%08x (low word) is outside every open window",
                 op, e->info);
        break;
    case AT_DEVERR_BUS_SLVERR:
    case AT_DEVERR_BUS_DECERR:
        snprintf(detail, sizeof detail, "%s: the memory bus answered %s for the burst at 0x%08x (low word)",
                 op, e->code == AT_DEVERR_BUS_SLVERR ? "SLVERR" : "DECERR", e->info);
        break;
    default:
        snprintf(detail, sizeof detail, "%s: detail 0x%08x", op, e->info);
        break;
    }
    snprintf(buf, len, "%s (%u): %s", name ? name : "unknown error code", e->code, detail);
}
