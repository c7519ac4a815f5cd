/* C API over the Verilated acceltran_desc_check (combinational): drive a
 * 16-word descriptor and the memory windows, read back the error code and
 * detail, the up to four scratchpad intervals and the LOAD / STORE memory
 * range. */
#ifndef ACCELTRAN_DESC_CHECK_UNIT_H
#define ACCELTRAN_DESC_CHECK_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DESC_CHECK_UNIT_WINDOWS 4
#define DESC_CHECK_UNIT_IVS 4

typedef struct desc_check_unit desc_check_unit;

typedef struct desc_check_iv {
    int valid, wgt, write; /* wgt: weight buffer, else activation (mask as activation lines) */
    uint32_t first, last;
} desc_check_iv;

typedef struct desc_check_out {
    unsigned err;
    uint32_t detail;
    desc_check_iv iv[DESC_CHECK_UNIT_IVS];
    int mem_valid;
    uint64_t mem_lo;
    uint64_t mem_hi;   /* bits 63:0 of the 65-bit end */
    int mem_hi_top;    /* bit 64 of the end */
} desc_check_out;

desc_check_unit *desc_check_unit_new(void); /* NULL on allocation failure */
void desc_check_unit_free(desc_check_unit *u);
/* base[i] / size[i] of window i (size 0: closed) */
void desc_check_unit_windows(desc_check_unit *u, const uint64_t *base, const uint64_t *size);
void desc_check_unit_eval(desc_check_unit *u, const uint32_t *desc, desc_check_out *out);

#ifdef __cplusplus
}
#endif
#endif
