/* DynaTran pruning sites of the encoder (docs/dynatran.md): where the
 * run-time threshold |x| <= tau -> 0 is applied. One real tau is turned
 * into each site's integer threshold from the site's scale. */
#ifndef ACCELTRAN_AT_SITES_H
#define ACCELTRAN_AT_SITES_H

#include <stdint.h>

#include "at_error.h"
#include "at_quant.h"

typedef enum at_site {
    AT_SITE_Q,        /* query projection output */
    AT_SITE_K,        /* key projection output */
    AT_SITE_V,        /* value projection output */
    AT_SITE_SCORES,   /* Q K^T / sqrt(d) (softmax input) */
    AT_SITE_PROBS,    /* softmax output */
    AT_SITE_CONTEXT,  /* P V */
    AT_SITE_ATTN_OUT, /* attention output dense (before its layer-norm) */
    AT_SITE_FFN_MID,  /* FFN intermediate, after GELU */
    AT_SITE_FFN_OUT,  /* FFN output dense (before its layer-norm) */
    AT_SITE_LN,       /* every layer-norm output (embeddings, attention, FFN) */
    AT_NUM_SITES
} at_site;

#define AT_SITES_ALL ((1u << AT_NUM_SITES) - 1u)
/* The paper's set: every site but the layer-norm outputs. */
#define AT_SITES_PAPER (AT_SITES_ALL & ~(1u << AT_SITE_LN))

const char *at_site_name(at_site s);
/* Parses a comma-separated list of site names, or "paper", "all", "none".
 * AT_EINVAL naming the unknown entry. */
int at_sites_parse(const char *list, uint32_t *mask, at_err *err);
/* Formats a mask as a comma-separated list into buf. */
void at_sites_format(uint32_t mask, char *buf, size_t len);

/* The scale of site s in layer l (for AT_SITE_LN, which = 0: the
 * attention layer-norm, 1: the FFN layer-norm; l = -1: the embeddings'
 * layer-norm). */
double at_site_scale(const at_qmodel *m, int l, at_site s, int which);
/* The integer threshold of tau at that site (0 when s is not in mask). */
uint16_t at_site_tau(const at_qmodel *m, int l, at_site s, int which, double tau, uint32_t mask);

#endif
