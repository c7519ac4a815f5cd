/* C API over the Verilated acceltran_id_regs (combinational read decode). */
#ifndef ACCELTRAN_ID_REGS_UNIT_H
#define ACCELTRAN_ID_REGS_UNIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct id_regs_unit id_regs_unit;

id_regs_unit *id_regs_unit_new(void); /* NULL on allocation failure */
void id_regs_unit_free(id_regs_unit *u);
/* Drives addr_i, settles, returns rdata_o; *hit gets hit_o. */
uint32_t id_regs_unit_read(id_regs_unit *u, uint32_t addr, int *hit);

#ifdef __cplusplus
}
#endif
#endif
