/* DynaTran sites: see at_sites.h. */
#include "at_sites.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const names[AT_NUM_SITES] = {"q",       "k",        "v",       "scores",  "probs",
                                                "context", "attn_out", "ffn_mid", "ffn_out", "ln"};

const char *at_site_name(at_site s)
{
    return (unsigned)s < AT_NUM_SITES ? names[s] : "?";
}

int at_sites_parse(const char *list, uint32_t *mask, at_err *err)
{
    *mask = 0;
    if (!list)
        return at_err_set(err, AT_EINVAL, "prune sites: no list");
    if (!strcmp(list, "paper")) {
        *mask = AT_SITES_PAPER;
        return 0;
    }
    if (!strcmp(list, "all")) {
        *mask = AT_SITES_ALL;
        return 0;
    }
    if (!strcmp(list, "none") || !*list)
        return 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int found = -1;
        for (int i = 0; i < AT_NUM_SITES; i++)
            if (strlen(names[i]) == n && !strncmp(names[i], p, n))
                found = i;
        if (found < 0)
            return at_err_set(err, AT_EINVAL,
                              "prune sites: unknown site '%.*s' (q, k, v, scores, probs, context, attn_out, "
                              "ffn_mid, ffn_out, ln, or paper, all, none)",
                              (int)n, p);
        *mask |= 1u << found;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

void at_sites_format(uint32_t mask, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = 0;
    size_t o = 0;
    for (int i = 0; i < AT_NUM_SITES && o + 1 < len; i++)
        if (mask & (1u << i)) {
            int w = snprintf(buf + o, len - o, "%s%s", o ? "," : "", names[i]);
            if (w < 0)
                break;
            o += (size_t)w < len - o ? (size_t)w : len - o - 1;
        }
    if (!mask)
        snprintf(buf, len, "none");
}

double at_site_scale(const at_qmodel *m, int l, at_site s, int which)
{
    if (l < 0)
        return m->emb_ln.s_out;
    const at_qlayer *ly = &m->layers[l];
    switch (s) {
    case AT_SITE_Q: return ly->s_q;
    case AT_SITE_K: return ly->s_k;
    case AT_SITE_V: return ly->s_v;
    case AT_SITE_SCORES: return ly->s_scores;
    case AT_SITE_PROBS: return ldexp(1.0, -AT_PROB_FRAC_BITS);
    case AT_SITE_CONTEXT: return ly->s_ctx;
    case AT_SITE_ATTN_OUT: return ly->o.s_out;
    case AT_SITE_FFN_MID: return ly->ffn1.s_out;
    case AT_SITE_FFN_OUT: return ly->ffn2.s_out;
    case AT_SITE_LN: return which ? ly->ln2.s_out : ly->ln1.s_out;
    default: return 1.0;
    }
}

uint16_t at_site_tau(const at_qmodel *m, int l, at_site s, int which, double tau, uint32_t mask)
{
    if (!(mask & (1u << s)))
        return 0;
    return at_quant_tau(tau, at_site_scale(m, l, s, which));
}
