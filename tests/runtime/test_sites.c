/* DynaTran site lists and thresholds (runtime/at_sites.c, at_quant_tau):
 * parsing of names, paper / all / none, unknown names refused with the
 * name in the message, formatting back, and the integer threshold
 * floor(tau / s) with its clamps. */
#include <math.h>
#include <string.h>

#include "at_sites.h"
#include "check.h"

static void case_parse(void)
{
    uint32_t m = 0;
    at_err err = {0};
    CHECK(at_sites_parse("paper", &m, &err) == 0 && m == AT_SITES_PAPER && !(m & (1u << AT_SITE_LN)), "paper %x", m);
    CHECK(at_sites_parse("all", &m, &err) == 0 && m == AT_SITES_ALL, "all %x", m);
    CHECK(at_sites_parse("none", &m, &err) == 0 && m == 0, "none %x", m);
    CHECK(at_sites_parse("ln,ffn_mid", &m, &err) == 0 && m == ((1u << AT_SITE_LN) | (1u << AT_SITE_FFN_MID)),
          "ln,ffn_mid %x", m);
    CHECK(at_sites_parse("q,k,v,scores,probs,context,attn_out,ffn_mid,ffn_out,ln", &m, &err) == 0 &&
              m == AT_SITES_ALL,
          "every name %x", m);
    CHECK(at_sites_parse("q,qq", &m, &err) == AT_EINVAL && strstr(err.msg, "'qq'"), "qq: %s", err.msg);
    CHECK(at_sites_parse("ffn", &m, &err) == AT_EINVAL, "a prefix of a name is not a name");
    CHECK(at_sites_parse("lnx", &m, &err) == AT_EINVAL, "a name with a suffix is not a name");
    CHECK(at_sites_parse(NULL, &m, &err) == AT_EINVAL, "NULL list");
}

static void case_format(void)
{
    char buf[200];
    at_sites_format(AT_SITES_PAPER, buf, sizeof buf);
    CHECK(!strcmp(buf, "q,k,v,scores,probs,context,attn_out,ffn_mid,ffn_out"), "paper: %s", buf);
    at_sites_format(0, buf, sizeof buf);
    CHECK(!strcmp(buf, "none"), "none: %s", buf);
    at_sites_format(AT_SITES_ALL, buf, 8); /* truncated, still terminated */
    CHECK(strlen(buf) < 8, "truncation: %s", buf);
    uint32_t m = 0;
    at_err err = {0};
    at_sites_format(AT_SITES_ALL, buf, sizeof buf);
    CHECK(at_sites_parse(buf, &m, &err) == 0 && m == AT_SITES_ALL, "round trip %s", buf);
}

static void case_tau(void)
{
    CHECK(at_quant_tau(0, 0.01) == 0, "tau 0");
    CHECK(at_quant_tau(0.05, 0.01) == 5, "0.05 / 0.01 -> %u", at_quant_tau(0.05, 0.01));
    CHECK(at_quant_tau(0.0499, 0.01) == 4, "floor");
    CHECK(at_quant_tau(1e9, 1e-3) == 32767, "clamped high");
    CHECK(at_quant_tau(-1, 0.01) == 0 && at_quant_tau(NAN, 0.01) == 0 && at_quant_tau(0.1, 0) == 0,
          "negative, NaN, zero scale");
    /* |y| <= tau_int <=> |y s| <= tau for integer y */
    double s = 3.7e-4, tau = 0.02;
    uint16_t t = at_quant_tau(tau, s);
    CHECK(t * s <= tau && (t + 1) * s > tau, "t %u s %g tau %g", t, s, tau);
    /* probabilities: scale 2^-15 */
    CHECK(at_quant_tau(0.01, ldexp(1.0, -15)) == 327, "probs threshold %u", at_quant_tau(0.01, ldexp(1.0, -15)));
}

int main(void)
{
    RUN_CASE(case_parse);
    RUN_CASE(case_format);
    RUN_CASE(case_tau);
    return check_finish("runtime_sites");
}
