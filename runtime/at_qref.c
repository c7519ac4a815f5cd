/* Host integer reference: see at_qref.h. */
#include "at_qref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "at_topk.h"

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int32_t get32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static void count(at_site_count *c, const int16_t *y, size_t n)
{
    c->elements += n;
    for (size_t i = 0; i < n; i++)
        c->zeros += y[i] == 0;
}

static void macs(at_qref_result *r, const int16_t *a, size_t rows, size_t k, uint32_t n)
{
    uint64_t nz = 0;
    for (size_t i = 0; i < rows * k; i++)
        nz += a[i] != 0;
    uint64_t nt = (n + 15) / 16;
    r->mac_dense += 16 * nt * rows * k;
    r->mac_skipped += 16 * nt * (rows * k - nz);
}

/* y (rows x n) = postproc(x (rows x k) W) with the dense layer's packed
 * tiles and parameter blocks; DynaTran tau. */
static void dense(const at_qdense *d, const int16_t *x, size_t rows, uint16_t tau, int16_t *y, int64_t *acc,
                  at_qref_result *r)
{
    uint32_t n = d->n, k = d->k, nt = (n + 15) / 16;
    macs(r, x, rows, k, n);
    for (size_t i = 0; i < rows; i++) {
        const int16_t *xi = x + i * k;
        memset(acc, 0, (size_t)nt * 16 * sizeof *acc);
        for (uint32_t t = 0; t < nt; t++) {
            const int16_t *tile = d->tiles + (size_t)t * 16 * k;
            int64_t *at = acc + 16 * t;
            for (uint32_t kk = 0; kk < k; kk++) {
                int64_t a = xi[kk];
                if (!a)
                    continue;
                const int16_t *b = tile + (size_t)kk * 16;
                for (int j = 0; j < 16; j++)
                    at[j] += a * b[j];
            }
        }
        for (uint32_t j = 0; j < n; j++) {
            const uint8_t *pb = d->params + (size_t)(j / 16) * AT_QPARAM_BYTES;
            at_rq rq = {get16(pb + 64 + 2 * (j % 16)), (uint8_t)(get16(pb + 96 + 2 * (j % 16)) & 63)};
            int16_t v = at_requant(acc[j], get32(pb + 4 * (j % 16)), rq);
            if (d->gelu)
                v = at_gelu(v, &d->gelu_p);
            int32_t av = v < 0 ? -(int32_t)v : v;
            y[i * n + j] = av <= (int32_t)tau ? 0 : v;
        }
    }
}

static void lnorm(const at_qln *q, const int16_t *x, const int16_t *res, size_t rows, uint16_t tau, int16_t *y)
{
    uint32_t n = q->n, nb = (n + 15) / 16;
    int16_t g[1024];
    int32_t b[1024];
    for (uint32_t j = 0; j < nb * 16 && j < 1024; j++) {
        const uint8_t *pb = q->params + (size_t)(j / 16) * AT_QPARAM_BYTES;
        g[j] = (int16_t)get16(pb + 2 * (j % 16));
        b[j] = get32(pb + 32 + 4 * (j % 16));
    }
    for (size_t i = 0; i < rows; i++) {
        at_layernorm_row(x + i * n, res ? res + i * n : NULL, (int)n, g, b, &q->p, y + i * n);
        for (uint32_t j = 0; j < n; j++) {
            int16_t v = y[i * n + j];
            int32_t av = v < 0 ? -(int32_t)v : v;
            if (av <= (int32_t)tau)
                y[i * n + j] = 0;
        }
    }
}

static void prune(int16_t *y, size_t n, uint16_t tau)
{
    for (size_t i = 0; i < n; i++) {
        int32_t av = y[i] < 0 ? -(int32_t)y[i] : y[i];
        if (av <= (int32_t)tau)
            y[i] = 0;
    }
}

void at_qref_result_free(at_qref_result *r)
{
    if (r) {
        free(r->hidden);
        r->hidden = NULL;
    }
}

int at_qref_run(const at_qmodel *m, const int32_t *const *ids, const size_t *lens, size_t batch, double tau,
                uint32_t mask, at_qref_result *res, at_err *err)
{
    at_qref_opts o = {.tau = tau, .sites = mask};
    return at_qref_run_opts(m, ids, lens, batch, &o, res, err);
}

/* The computation over sequences of lens[b] rows, of which the first
 * valid[b] are tokens (the rest padding, keys masked). */
static int qref_core(const at_qmodel *m, const int32_t *const *ids, const size_t *lens, const size_t *valid,
                     size_t batch, const at_qref_opts *o, at_qref_result *res, at_err *err);

int at_qref_run_opts(const at_qmodel *m, const int32_t *const *ids, const size_t *lens, size_t batch,
                     const at_qref_opts *o, at_qref_result *res, at_err *err)
{
    memset(res, 0, sizeof *res);
    if (!m || !ids || !lens || !batch || !o)
        return at_err_set(err, AT_EINVAL, "qref: NULL argument or empty batch");
    const bert_config *c = &m->cfg;
    if (!o->pad_to)
        return qref_core(m, ids, lens, lens, batch, o, res, err);
    size_t P = o->pad_to;
    if (P > (size_t)c->max_positions || P > AT_SOFTMAX_MAX_LEN)
        return at_err_set(err, AT_EINVAL, "qref: padding to %zu tokens (at most %d)", P,
                          c->max_positions < AT_SOFTMAX_MAX_LEN ? c->max_positions : AT_SOFTMAX_MAX_LEN);
    for (size_t b = 0; b < batch; b++)
        if (lens[b] < 1 || lens[b] > P)
            return at_err_set(err, AT_EINVAL, "qref: sequence %zu has %zu tokens (1..%zu, the padding)", b, lens[b],
                              P);
    int32_t *pid = malloc(batch * P * sizeof *pid);
    const int32_t **pids = malloc(batch * sizeof *pids);
    size_t *plens = malloc(batch * sizeof *plens);
    int rc;
    if (!pid || !pids || !plens) {
        rc = at_err_set(err, AT_ENOMEM, "qref: out of memory");
    } else {
        for (size_t b = 0; b < batch; b++) {
            for (size_t i = 0; i < P; i++)
                pid[b * P + i] = i < lens[b] ? ids[b][i] : c->pad_token_id;
            pids[b] = pid + b * P;
            plens[b] = P;
        }
        rc = qref_core(m, pids, plens, lens, batch, o, res, err);
    }
    free(pid);
    free(pids);
    free(plens);
    if (rc || !res->hidden)
        return rc;
    /* keep the valid rows only, packed */
    size_t H = (size_t)c->hidden, t = 0;
    for (size_t b = 0; b < batch; b++)
        for (size_t i = 0; i < lens[b]; i++, t++)
            memmove(res->hidden + t * H, res->hidden + (b * P + i) * H, H * sizeof *res->hidden);
    return 0;
}

static int qref_core(const at_qmodel *m, const int32_t *const *ids, const size_t *lens, const size_t *valid,
                     size_t batch, const at_qref_opts *o, at_qref_result *res, at_err *err)
{
    const double tau = o->tau;
    const uint32_t mask = o->sites;
    const bert_config *c = &m->cfg;
    const uint32_t H = (uint32_t)c->hidden, I = (uint32_t)c->intermediate, D = m->head_dim;
    const uint32_t NH = (uint32_t)c->heads;
    size_t T = 0, lmax = 0;
    for (size_t b = 0; b < batch; b++) {
        if (lens[b] < 1 || lens[b] > (size_t)c->max_positions || lens[b] > AT_SOFTMAX_MAX_LEN || valid[b] < 1 ||
            valid[b] > lens[b])
            return at_err_set(err, AT_EINVAL, "qref: sequence %zu has %zu tokens (1..%d)", b, lens[b],
                              c->max_positions < AT_SOFTMAX_MAX_LEN ? c->max_positions : AT_SOFTMAX_MAX_LEN);
        for (size_t i = 0; i < lens[b]; i++)
            if (ids[b][i] < 0 || ids[b][i] >= c->vocab_size)
                return at_err_set(err, AT_EINVAL, "qref: sequence %zu token %zu: id %d out of range", b, i,
                                  ids[b][i]);
        T += lens[b];
        if (lens[b] > lmax)
            lmax = lens[b];
    }
    int16_t *x = malloc(T * H * 2), *x2 = malloc(T * H * 2), *q = malloc(T * H * 2), *k = malloc(T * H * 2);
    int16_t *v = malloc(T * H * 2), *ctx = malloc(T * H * 2), *ao = malloc(T * H * 2), *h1 = malloc(T * H * 2);
    int16_t *mid = malloc(T * I * 2), *fo = malloc(T * H * 2), *s = malloc(lmax * lmax * 2);
    int16_t *p = malloc(lmax * lmax * 2), *scratch = malloc(lmax * 2);
    size_t wide = H > I ? H : I;
    wide = wide > D ? wide : D;
    int64_t *acc = malloc((wide + 15) / 16 * 16 * sizeof *acc);
    int rc = 0;
    if (!x || !x2 || !q || !k || !v || !ctx || !ao || !h1 || !mid || !fo || !s || !p || !scratch || !acc) {
        rc = at_err_set(err, AT_ENOMEM, "qref: out of memory for %zu tokens", T);
        goto out;
    }
    /* embeddings: host gather, device layer-norm with the position rows as residual */
    {
        size_t t = 0;
        for (size_t b = 0; b < batch; b++)
            for (size_t i = 0; i < lens[b]; i++, t++) {
                memcpy(x2 + t * H, m->word + (size_t)ids[b][i] * H, H * 2);
                memcpy(ctx + t * H, m->postype + i * H, H * 2);
            }
        lnorm(&m->emb_ln, x2, ctx, T, at_site_tau(m, -1, AT_SITE_LN, 0, tau, mask), x);
        count(&res->sites[AT_SITE_LN], x, T * H);
    }
    for (int l = 0; l < c->layers; l++) {
        const at_qlayer *ly = &m->layers[l];
#define TAU(site, w) at_site_tau(m, l, site, w, tau, mask)
        dense(&ly->q, x, T, TAU(AT_SITE_Q, 0), q, acc, res);
        dense(&ly->k, x, T, TAU(AT_SITE_K, 0), k, acc, res);
        dense(&ly->v, x, T, TAU(AT_SITE_V, 0), v, acc, res);
        count(&res->sites[AT_SITE_Q], q, T * H);
        count(&res->sites[AT_SITE_K], k, T * H);
        count(&res->sites[AT_SITE_V], v, T * H);
        size_t off = 0;
        for (size_t b = 0; b < batch; b++) {
            size_t L = lens[b];
            for (uint32_t h = 0; h < NH; h++) {
                /* scores: Q_h (L x D) K_h^T, requant without bias */
                for (size_t i = 0; i < L; i++)
                    for (size_t j = 0; j < L; j++) {
                        int64_t a = 0;
                        const int16_t *qi = q + (off + i) * H + h * D, *kj = k + (off + j) * H + h * D;
                        for (uint32_t d = 0; d < D; d++)
                            a += (int64_t)qi[d] * kj[d];
                        s[i * L + j] = at_requant(a, 0, ly->rq_scores);
                    }
                uint64_t nzq = 0;
                for (size_t i = 0; i < L; i++)
                    for (uint32_t d = 0; d < D; d++)
                        nzq += q[(off + i) * H + h * D + d] != 0;
                res->mac_dense += 16 * ((L + 15) / 16) * L * D;
                res->mac_skipped += 16 * ((L + 15) / 16) * (L * D - nzq);
                prune(s, L * L, TAU(AT_SITE_SCORES, 0));
                count(&res->sites[AT_SITE_SCORES], s, L * L);
                for (size_t i = 0; i < L; i++)
                    at_softmax_row(s + i * L, (int)L, (int)valid[b], &ly->smx, p + i * L);
                prune(p, L * L, TAU(AT_SITE_PROBS, 0));
                if (o->topk) /* the padded keys are 0 already */
                    for (size_t i = 0; i < L; i++)
                        at_topk_row(p + i * L, (uint32_t)valid[b], o->topk, scratch);
                count(&res->sites[AT_SITE_PROBS], p, L * L);
                /* context: P (L x L) V_h (L x D) */
                uint64_t nzp = 0;
                for (size_t i = 0; i < L * L; i++)
                    nzp += p[i] != 0;
                res->mac_dense += 16 * ((D + 15) / 16) * L * L;
                res->mac_skipped += 16 * ((D + 15) / 16) * (L * L - nzp);
                for (size_t i = 0; i < L; i++) {
                    memset(acc, 0, D * sizeof *acc);
                    for (size_t j = 0; j < L; j++) {
                        int64_t a = p[i * L + j];
                        if (!a)
                            continue;
                        const int16_t *vj = v + (off + j) * H + h * D;
                        for (uint32_t d = 0; d < D; d++)
                            acc[d] += a * vj[d];
                    }
                    for (uint32_t d = 0; d < D; d++)
                        ctx[(off + i) * H + h * D + d] = at_requant(acc[d], 0, ly->rq_ctx);
                }
            }
            off += L;
        }
        prune(ctx, T * H, TAU(AT_SITE_CONTEXT, 0));
        count(&res->sites[AT_SITE_CONTEXT], ctx, T * H);
        dense(&ly->o, ctx, T, TAU(AT_SITE_ATTN_OUT, 0), ao, acc, res);
        count(&res->sites[AT_SITE_ATTN_OUT], ao, T * H);
        lnorm(&ly->ln1, ao, x, T, TAU(AT_SITE_LN, 0), h1);
        count(&res->sites[AT_SITE_LN], h1, T * H);
        dense(&ly->ffn1, h1, T, TAU(AT_SITE_FFN_MID, 0), mid, acc, res);
        count(&res->sites[AT_SITE_FFN_MID], mid, T * I);
        dense(&ly->ffn2, mid, T, TAU(AT_SITE_FFN_OUT, 0), fo, acc, res);
        count(&res->sites[AT_SITE_FFN_OUT], fo, T * H);
        lnorm(&ly->ln2, fo, h1, T, TAU(AT_SITE_LN, 1), x);
        count(&res->sites[AT_SITE_LN], x, T * H);
#undef TAU
    }
    res->hidden = x;
    x = NULL;
out:
    free(x);
    free(x2);
    free(q);
    free(k);
    free(v);
    free(ctx);
    free(ao);
    free(h1);
    free(mid);
    free(fo);
    free(s);
    free(p);
    free(scratch);
    free(acc);
    return rc;
}

void at_pool_embed(const int16_t *hidden, double s, const size_t *lens, size_t batch, uint32_t h, float *out)
{
    size_t off = 0;
    for (size_t b = 0; b < batch; b++) {
        double norm = 0;
        for (uint32_t j = 0; j < h; j++) {
            double sum = 0;
            for (size_t i = 0; i < lens[b]; i++)
                sum += hidden[(off + i) * h + j];
            double mean = sum * s / (double)lens[b];
            out[b * h + j] = (float)mean;
            norm += mean * mean;
        }
        norm = sqrt(norm);
        for (uint32_t j = 0; j < h; j++)
            out[b * h + j] = norm > 0 ? (float)(out[b * h + j] / norm) : 0.0f;
        off += lens[b];
    }
}
