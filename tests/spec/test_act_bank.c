/* The C bank hash (include/at_act_bank.h) against its definition in
 * rtl/acceltran_spad.sv and the values docs/rtl-compute.md quotes. The RTL
 * unit tests' arbiter models and the bank-load test use the header, so a
 * change of the RTL's hash must fail here rather than make them model a
 * different scratchpad. Run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_act_bank.h"
#include "check.h"

#define SPAD_SV "rtl/acceltran_spad.sv"

/* Reads the whole file (NULL when it cannot). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else
            buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

/* The RTL's fold4 is the XOR of the eight nibbles of a 32-bit address and
 * abank takes it mod the banks: the text the header reproduces. */
static void case_rtl_text(void)
{
    char *sv = slurp(SPAD_SV);
    CHECK(sv, "%s: cannot read (run from the repository root)", SPAD_SV);
    if (!sv)
        return;
    const char *fold = "fold4 = a[3:0] ^ a[7:4] ^ a[11:8] ^ a[15:12] ^ a[19:16] ^ a[23:20] ^ "
                       "a[27:24] ^ a[31:28];";
    CHECK(strstr(sv, "function automatic logic [3:0] fold4(input logic [31:0] a);"),
          "%s: fold4's signature changed: update include/at_act_bank.h", SPAD_SV);
    CHECK(strstr(sv, fold), "%s: fold4 is no longer '%s': update include/at_act_bank.h", SPAD_SV, fold);
    CHECK(strstr(sv, "abank = AbW'(32'(fold4(32'(l))) % AB);"),
          "%s: abank is no longer fold4 mod the banks: update include/at_act_bank.h", SPAD_SV);
    free(sv);
}

static void case_values(void)
{
    CHECK(at_act_fold4(0) == 0 && at_act_fold4(0x12345678u) == (1u ^ 2 ^ 3 ^ 4 ^ 5 ^ 6 ^ 7 ^ 8),
          "fold4(0x12345678) = %u", at_act_fold4(0x12345678u));
    CHECK(at_act_fold4(0xffffffffu) == 0 && at_act_fold4(0xf0000000u) == 15, "fold4 of the top nibble");
    /* docs/rtl-compute.md: edge (16 banks), LDA 64, the feeders' lines
     * r*1024 apart: h = 4*(r mod 4) ^ r/4, eight distinct banks */
    uint32_t seen = 0;
    for (uint32_t r = 0; r < 8; r++) {
        uint32_t b = at_act_bank(r * 1024u, 16);
        CHECK(b == ((4u * (r % 4u)) ^ (r / 4u)), "r %u: bank %u", r, b);
        seen |= 1u << b;
    }
    int distinct = 0;
    for (uint32_t b = 0; b < 16; b++)
        distinct += (seen >> b) & 1u;
    CHECK(distinct == 8, "edge LDA 64: %d distinct banks", distinct);
    /* every bank count in range; 0 and 1 bank: bank 0 */
    for (uint32_t l = 0; l < 70000u; l += 7) {
        CHECK(at_act_bank(l, 0) == 0 && at_act_bank(l, 1) == 0, "line %u with 0/1 banks", l);
        for (uint32_t b = 2; b <= 16; b *= 2)
            CHECK(at_act_bank(l, b) == at_act_fold4(l) % b && at_act_bank(l, b) < b, "line %u, %u banks", l, b);
    }
}

int main(void)
{
    RUN_CASE(case_rtl_text);
    RUN_CASE(case_values);
    return check_finish("act_bank");
}
