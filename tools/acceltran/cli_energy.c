/* The energy estimate in the commands' text output (docs/energy.md). */
#include <stdio.h>

#include "at_energy.h"
#include "cli.h"

void cli_print_energy(const struct at_energy *e)
{
    printf("energy      %.6g mJ, an estimate (%s; %s memory, leakage %.1f mW):", e->energy_mj, AT_ENERGY_SPEC,
           e->memory ? e->memory : "?", e->leakage_mw);
    for (int k = 0; k < AT_ENERGY_NUM_UNITS; k++)
        printf("%s %s %.4g", k ? "," : "", at_energy_unit_name(k), e->by_unit_mj[k]);
    printf("\n");
}
