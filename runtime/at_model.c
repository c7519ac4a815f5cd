/* The compiler: see at_model.h and docs/compiler.md. */
#include "at_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_cmdbuf.h"
#include "at_gemm_plan.h"

#define ALIGN32(x) (((x) + 31u) & ~(uint64_t)31u)

static uint32_t ceil16(uint32_t x)
{
    return (x + 15) / 16;
}

static uint32_t ceil4x(uint32_t x)
{
    return (x + 3) / 4 * 4;
}

/* ------------------------------------------------------------ weights layout */

static uint64_t dense_bytes(const at_qdense *d)
{
    return (uint64_t)ceil16(d->n) * 32u * d->k;
}

void at_model_layout_make(const at_qmodel *m, at_model_layout *lay)
{
    memset(lay, 0, sizeof *lay);
    uint64_t o = 0;
    uint32_t hb = ceil16((uint32_t)m->cfg.hidden);
    lay->emb_ln = o;
    o = ALIGN32(o + (uint64_t)hb * AT_QPARAM_BYTES);
    for (int l = 0; l < m->cfg.layers; l++) {
        const at_qlayer *ly = &m->layers[l];
        const at_qdense *ds[6] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
        at_dense_loc *locs[6] = {&lay->layer[l].q, &lay->layer[l].k, &lay->layer[l].v,
                                 &lay->layer[l].o, &lay->layer[l].ffn1, &lay->layer[l].ffn2};
        for (int i = 0; i < 6; i++) {
            locs[i]->tiles = o;
            o = ALIGN32(o + dense_bytes(ds[i]));
            locs[i]->params = o;
            o = ALIGN32(o + (uint64_t)ceil16(ds[i]->n) * AT_QPARAM_BYTES);
        }
        lay->layer[l].ln1 = o;
        o = ALIGN32(o + (uint64_t)hb * AT_QPARAM_BYTES);
        lay->layer[l].ln2 = o;
        o = ALIGN32(o + (uint64_t)hb * AT_QPARAM_BYTES);
    }
    lay->bytes = o;
}

void at_model_layout_fill(const at_qmodel *m, const at_model_layout *lay, uint8_t *buf)
{
    memset(buf, 0, lay->bytes);
    size_t hb = ceil16((uint32_t)m->cfg.hidden);
    memcpy(buf + lay->emb_ln, m->emb_ln.params, hb * AT_QPARAM_BYTES);
    for (int l = 0; l < m->cfg.layers; l++) {
        const at_qlayer *ly = &m->layers[l];
        const at_qdense *ds[6] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
        const at_dense_loc *locs[6] = {&lay->layer[l].q, &lay->layer[l].k, &lay->layer[l].v,
                                       &lay->layer[l].o, &lay->layer[l].ffn1, &lay->layer[l].ffn2};
        for (int i = 0; i < 6; i++) {
            memcpy(buf + locs[i]->tiles, ds[i]->tiles, dense_bytes(ds[i]));
            memcpy(buf + locs[i]->params, ds[i]->params, (size_t)ceil16(ds[i]->n) * AT_QPARAM_BYTES);
        }
        memcpy(buf + lay->layer[l].ln1, ly->ln1.params, hb * AT_QPARAM_BYTES);
        memcpy(buf + lay->layer[l].ln2, ly->ln2.params, hb * AT_QPARAM_BYTES);
    }
}

/* ------------------------------------------------------------ activations layout */

int at_act_layout_make(const at_qmodel *m, const size_t *lens, size_t batch, at_act_layout *a, at_err *err)
{
    memset(a, 0, sizeof *a);
    size_t T = 0;
    for (size_t b = 0; b < batch; b++)
        T += lens[b];
    uint32_t H = (uint32_t)m->cfg.hidden, I = (uint32_t)m->cfg.intermediate, NH = (uint32_t)m->cfg.heads;
    a->ld_h = at_gemm_ld_bytes(H);
    a->ld_i = at_gemm_ld_bytes(I);
    a->sp_off = malloc((batch * NH > 0 ? batch * NH : 1) * sizeof *a->sp_off);
    if (!a->sp_off)
        return at_err_set(err, AT_ENOMEM, "compile: out of memory");
    uint64_t th = ALIGN32((uint64_t)T * a->ld_h), o = 0;
    uint64_t *slots[] = {&a->word, &a->pos, &a->x, &a->q, &a->k, &a->v, &a->ctx, &a->ao, &a->h1, &a->fo};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        *slots[i] = o;
        o += th;
    }
    a->mid = o;
    o += ALIGN32((uint64_t)T * a->ld_i);
    a->sp = o;
    for (size_t b = 0; b < batch; b++)
        for (uint32_t h = 0; h < NH; h++) {
            a->sp_off[b * NH + h] = o;
            o += ALIGN32((uint64_t)lens[b] * at_gemm_ld_bytes((uint32_t)lens[b]));
        }
    a->bytes = o;
    if (o > AT_UAPI_MAX_BO_BYTES)
        return at_err_set(err, AT_ERANGE, "compile: %zu tokens need %llu bytes of activations", T,
                          (unsigned long long)o);
    return 0;
}

void at_act_layout_free(at_act_layout *a)
{
    free(a->sp_off);
    a->sp_off = NULL;
}

/* ------------------------------------------------------------ command emission */

typedef struct emit {
    at_stage *st;
} emit;

static struct at_uapi_cmd *push(emit *e)
{
    return at_cmdbuf_push(&e->st->buf);
}

#define xfer(e, ...) at_cmdbuf_xfer(&(e)->st->buf, __VA_ARGS__)

static at_stage *new_stage(at_program *p, int layer, int site, const char *what)
{
    at_stage *s = &p->stages[p->num_stages++];
    memset(s, 0, sizeof *s);
    s->layer = layer;
    s->site = site;
    if (layer < 0)
        snprintf(s->label, sizeof s->label, "embeddings %s", what);
    else
        snprintf(s->label, sizeof s->label, "layer %d %s", layer, what);
    return s;
}

typedef struct cctx {
    const at_qmodel *m;
    const at_hw_config *cfg;
    const at_act_layout *al;
    const size_t *lens;
    size_t batch, T;
    uint32_t act_lines, wgt_lines, gran;
    uint32_t bo_w, bo_a;
    at_err *err;
    /* residency: the activations stay in the activation scratchpad between
     * stages in five regions (lines), reused by liveness within a layer:
     *   rx   x (layer input, ln1's residual; ln2 writes the next x)
     *   rh1  h1 (ln1 output, ffn_mid's input, ln2's residual)
     *   ra   q -> ctx -> ffn_out (embeddings: the word rows)
     *   rb   k and v before their STORE -> attn_out (embeddings: position rows)
     *   rbig scores / probabilities (sequence b, head h at rbig + sp_line[b NH + h]) -> ffn_mid
     * With kvw, K and V go straight into the weight scratchpad instead
     * (GEMM_C_WGT): regions kv_k and kv_v of hl column tiles x kv_ld lines,
     * token j of sequence b at row kv_row[b] + j - its first token, line
     * (cb, row) = region + cb kv_ld + row, which is the transposed-B layout
     * of Q K^T and the B layout of P V; the sequences' first rows are
     * multiples of 4 (padded when a length is not), so that head h of
     * sequence b is B = region + h dc kv_ld + kv_row[b], LDB = kv_ld. The
     * dense plans of k and v keep their weight strips below kv_k. Else
     * (streamed, or no room) K_h and V_h reach the weight scratchpad
     * through memory. */
    int res;
    int kvw;
    uint32_t kv_k, kv_v, kv_ld, kv_lines, kv_nseg;
    uint32_t *kv_row, *kv_seg_rows;
    int host_probs; /* probabilities through memory between probs and context (at_compile_opts) */
    uint32_t hl, il, rx, rh1, ra, rb, rbig, res_lines;
    uint32_t *sp_line;
    /* preloaded weights: every tensor's weight line (tiles, parameter
     * blocks of the six dense layers q k v o ffn1 ffn2; layer-norms) */
    int wres;
    uint32_t w_emb_ln;
    struct {
        uint32_t t[6], p[6], ln1, ln2;
    } wline[64];
} cctx;

/* A T-row tensor of the batch: where it lies in device memory and, when
 * activations are resident, in the activation scratchpad (line of row 0,
 * lines per row). */
typedef struct tens {
    uint64_t off;
    uint32_t ld;
    uint32_t line, lpr;
} tens;

static tens tres(uint64_t off, uint32_t ld, uint32_t line, uint32_t lpr)
{
    tens t = {off, ld, line, lpr};
    return t;
}

/* Lays the resident regions out; 0 (streamed) when they do not fit. */
static int res_layout(cctx *c)
{
    const uint32_t NH = (uint32_t)c->m->cfg.heads;
    c->hl = ceil16((uint32_t)c->m->cfg.hidden);
    c->il = ceil16((uint32_t)c->m->cfg.intermediate);
    uint64_t sp = 0;
    for (size_t b = 0; b < c->batch; b++) {
        for (uint32_t h = 0; h < NH; h++) {
            c->sp_line[b * NH + h] = (uint32_t)(sp < UINT32_MAX ? sp : UINT32_MAX);
            sp += (uint64_t)c->lens[b] * ceil16((uint32_t)c->lens[b]);
        }
    }
    uint64_t th = (uint64_t)c->T * c->hl, big = (uint64_t)c->T * c->il;
    if (sp > big)
        big = sp;
    uint64_t need = 4 * th + big;
    if (need > c->act_lines)
        return 0;
    c->rx = 0;
    c->rh1 = (uint32_t)th;
    c->ra = (uint32_t)(2 * th);
    c->rb = (uint32_t)(3 * th);
    c->rbig = (uint32_t)(4 * th);
    c->res_lines = (uint32_t)need;
    return 1;
}

/* Rows per block: the most that fit `lines_per_row` lines per row in
 * `budget` lines, at most `cap` (all of them when they fit), else a
 * multiple of 16 (of the lanes, or any count, when fewer fit). 0 when not
 * one row fits. */
static uint32_t rows_fit(const cctx *c, uint64_t budget, uint32_t lines_per_row, uint32_t cap)
{
    uint64_t r = budget / (lines_per_row ? lines_per_row : 1);
    if (r >= cap)
        return cap;
    if (r >= 16)
        return (uint32_t)(r / 16 * 16);
    if (r >= c->gran)
        return (uint32_t)(r / c->gran * c->gran);
    return (uint32_t)r;
}

/* store: with resident activations, also STORE the output to memory.
 * b_line / p_line: where the preloaded weights lie (with c->wres).
 * kv_line (not KV_NONE, with c->kvw): the output goes to the weight
 * scratchpad, column-major at kv_line (C_WGT), in place of out. */
#define KV_NONE UINT32_MAX
static int dense_stage(cctx *c, emit *e, const at_qdense *d, const at_dense_loc *loc, tens in, tens out,
                       int store, uint16_t tau, uint32_t b_line, uint32_t p_line, uint32_t kv_line)
{
    if (d->k > 4095 || c->T > 65535)
        return at_err_set(c->err, AT_EUNSUPPORTED,
                          "compile: %s: a dense layer with K = %u over %zu tokens (K <= 4095, at most 65535 tokens)",
                          e->st->label, d->k, c->T);
    at_gemm_spec s = {0};
    s.m = (uint32_t)c->T;
    s.n = d->n;
    s.k = d->k;
    s.bo_a = c->bo_a;
    s.bo_b = c->bo_w;
    s.bo_c = c->bo_a;
    s.off_a = in.off;
    s.off_b = loc->tiles;
    s.off_c = out.off;
    s.lda = in.ld;
    s.ldb = 32u * d->k;
    s.ldc = out.ld;
    s.resident = c->res;
    s.c_store = store;
    s.a_line = in.line;
    s.a_ld = in.lpr;
    s.c_line = out.line;
    s.c_ld = out.lpr;
    s.b_tiled = 1;
    s.tau = tau;
    s.bo_p = c->bo_w;
    s.off_p = loc->params;
    s.gelu = d->gelu;
    s.gelu_p = d->gelu_p;
    s.b_resident = c->wres;
    s.b_line = b_line;
    s.p_line = p_line;
    if (kv_line != KV_NONE) {
        s.c_store = 0;
        s.c_wgt = 1;
        s.c_line = kv_line;
        s.c_ld = c->kv_ld;
        s.nseg = c->kv_nseg;
        s.seg_rows = c->kv_seg_rows;
        s.seg_crow = c->kv_row;
        s.wgt_budget = c->kv_k; /* the strips below the K and V regions */
    }
    at_gemm_plan plan;
    int rc = at_gemm_plan_build(c->cfg, &s, &plan, c->err);
    if (rc)
        return rc;
    at_cmdbuf_append(&e->st->buf, plan.cmds, plan.num_cmds);
    at_gemm_plan_free(&plan);
    e->st->macs += (uint64_t)s.m * s.n * s.k;
    e->st->elements += (uint64_t)s.m * s.n;
    return 0;
}

/* Row-wise layer-norm with residual over the T rows: parameters into the
 * weight scratchpad once, then row blocks (x and res in two slots each,
 * normalised in place) double-buffered. */
static void ln_cmd(emit *e, const at_qln *q, uint32_t src, uint32_t lds, uint32_t res, uint32_t ldr, uint32_t dst,
                   uint32_t ldd, uint32_t rows, uint16_t tau, uint32_t params)
{
    struct at_uapi_cmd *cmd = push(e);
    if (!cmd)
        return;
    uint32_t *d = cmd->desc;
    AT_DPUT(d, OPCODE, AT_OP_LAYERNORM);
    AT_DPUT(d, LN_RESIDUAL, 1);
    AT_DPUT(d, LN_SRC, src);
    AT_DPUT(d, LN_LDS, lds);
    AT_DPUT(d, LN_DST, dst);
    AT_DPUT(d, LN_LDD, ldd);
    AT_DPUT(d, LN_RES, res);
    AT_DPUT(d, LN_LDR, ldr);
    AT_DPUT(d, LN_ROWS, rows);
    AT_DPUT(d, LN_N, q->n);
    AT_DPUT(d, LN_PARAMS, params);
    AT_DPUT(d, LN_OUT_M, q->p.out.m);
    AT_DPUT(d, LN_OUT_S, q->p.out.s);
    AT_DPUT(d, LN_EPS_LO, (uint32_t)q->p.eps_q);
    AT_DPUT(d, LN_EPS_HI, (uint32_t)((uint64_t)q->p.eps_q >> 32));
    AT_DPUT(d, LN_TAU, tau);
}

/* Resident layer-norm: out = LN(x + res) in the activation scratchpad, in
 * row blocks; operands flagged *_mem are LOADed into their lines first (the
 * embeddings), and with store the output is STOREd too (the last layer). */
/* The parameters of a layer-norm: LOADed to weight line 0, or preloaded
 * at pline (c->wres); returns the line. */
static uint32_t ln_params(cctx *c, emit *e, uint32_t nb, uint64_t params, uint32_t pline)
{
    if (c->wres)
        return pline;
    xfer(e, AT_OP_LOAD, 1, 0, nb, 64, 4, 1, c->bo_w, params, 128);
    return 0;
}

static int ln_stage_res(cctx *c, emit *e, const at_qln *q, uint64_t params, uint32_t pline, tens x, int x_mem,
                        tens res, int res_mem, tens out, int store, uint16_t tau)
{
    uint32_t nb = ceil16(q->n);
    if (q->n > c->cfg->max_hidden || 4u * nb > c->wgt_lines)
        return at_err_set(c->err, AT_EUNSUPPORTED, "compile: layer-norm of %u columns does not fit %s", q->n,
                          c->cfg->name);
    uint32_t pl = ln_params(c, e, nb, params, pline);
    const uint32_t r = 256; /* blocks, so that loads and stores overlap the unit */
    for (size_t r0 = 0; r0 < c->T; r0 += r) {
        uint32_t rows = (uint32_t)(c->T - r0 < r ? c->T - r0 : r);
        uint32_t xs = x.line + (uint32_t)r0 * x.lpr, rs = res.line + (uint32_t)r0 * res.lpr;
        uint32_t os = out.line + (uint32_t)r0 * out.lpr;
        if (x_mem)
            xfer(e, AT_OP_LOAD, 0, xs, rows, q->n, x.lpr, 1, c->bo_a, x.off + r0 * x.ld, x.ld);
        if (res_mem)
            xfer(e, AT_OP_LOAD, 0, rs, rows, q->n, res.lpr, 1, c->bo_a, res.off + r0 * res.ld, res.ld);
        ln_cmd(e, q, xs, x.lpr, rs, res.lpr, os, out.lpr, rows, tau, pl);
        if (store)
            xfer(e, AT_OP_STORE, 0, os, rows, q->n, out.lpr, 1, c->bo_a, out.off + r0 * out.ld, out.ld);
    }
    e->st->elements += (uint64_t)c->T * q->n;
    return 0;
}

static int ln_stage(cctx *c, emit *e, const at_qln *q, uint64_t params, uint32_t pline, uint64_t x_off,
                    uint64_t res_off, uint64_t out_off, uint32_t ld, uint16_t tau)
{
    uint32_t nb = ceil16(q->n);
    if (q->n > c->cfg->max_hidden || 4u * nb > c->wgt_lines)
        return at_err_set(c->err, AT_EUNSUPPORTED, "compile: layer-norm of %u columns does not fit %s", q->n,
                          c->cfg->name);
    uint32_t r = rows_fit(c, c->act_lines / 2, 2 * nb, 256);
    if (!r)
        return at_err_set(c->err, AT_EUNSUPPORTED, "compile: layer-norm rows do not fit %s", c->cfg->name);
    uint32_t pl = ln_params(c, e, nb, params, pline);
    uint32_t slot = r * 2 * nb;
    size_t i = 0;
    for (size_t r0 = 0; r0 < c->T; r0 += r, i++) {
        uint32_t rows = (uint32_t)(c->T - r0 < r ? c->T - r0 : r);
        uint32_t xs = (uint32_t)(i % 2) * slot, rs = xs + r * nb;
        xfer(e, AT_OP_LOAD, 0, xs, rows, q->n, nb, 1, c->bo_a, x_off + r0 * ld, ld);
        xfer(e, AT_OP_LOAD, 0, rs, rows, q->n, nb, 1, c->bo_a, res_off + r0 * ld, ld);
        ln_cmd(e, q, xs, nb, rs, nb, xs, nb, rows, tau, pl);
        xfer(e, AT_OP_STORE, 0, xs, rows, q->n, nb, 1, c->bo_a, out_off + r0 * ld, ld);
    }
    e->st->elements += (uint64_t)c->T * q->n;
    return 0;
}

/* Sequence b's head h: offset of its first row in a T x H tensor. */
static uint64_t head_off(const cctx *c, uint64_t base, size_t row0, uint32_t h)
{
    return base + (uint64_t)row0 * c->al->ld_h + 2ull * h * c->m->head_dim;
}

/* The two attention GEMMs, per sequence and head, query rows in blocks:
 *   scores:  A = Q_h rows (L x D), B = K_h in the transposed-B layout,
 *            C = L score columns, stored to the sequence's score matrix;
 *   context: A = P rows (L x L) from the score matrix, B = V_h in the B
 *            layout, C = D columns, stored into the head's columns of ctx.
 * B is loaded once per head (LOAD rows = tokens, line (cb, j) = wb +
 * cb*ldb + j, which is both layouts); B and the A/C slots alternate. */
static int attn_gemm_stage(cctx *c, emit *e, const at_qlayer *ly, uint16_t tau, int context)
{
    const uint32_t D = c->m->head_dim, NH = (uint32_t)c->m->cfg.heads, dc = ceil16(D);
    const at_rq rq = context ? ly->rq_ctx : ly->rq_scores;
    uint64_t b_base = context ? c->al->v : c->al->k;
    size_t off = 0, item = 0, wi = 0;
    for (size_t b = 0; b < c->batch; b++) {
        uint32_t L = (uint32_t)c->lens[b], lb = ceil16(L), ldb = ceil4x(L), ldsp = at_gemm_ld_bytes(L);
        uint32_t wslot = dc * ldb;
        uint32_t a_lines = context ? lb : dc, c_lines = context ? dc : lb; /* per row */
        uint32_t n = context ? D : L, k = context ? L : D;
        if (!c->kvw && 2ull * wslot > c->wgt_lines)
            return at_err_set(c->err, AT_EUNSUPPORTED, "compile: a %u-token sequence does not fit %s", L,
                              c->cfg->name);
        /* resident: all L query rows in one GEMM, A and C in place */
        uint32_t r = c->res ? L : rows_fit(c, c->act_lines / 2, a_lines + c_lines, L);
        if (!r)
            return at_err_set(c->err, AT_EUNSUPPORTED, "compile: attention rows of a %u-token sequence do not fit %s",
                              L, c->cfg->name);
        uint32_t aslot = r * (a_lines + c_lines);
        for (uint32_t h = 0; h < NH; h++, wi++) {
            uint32_t wb = (uint32_t)(wi % 2) * wslot;
            if (c->kvw) { /* K_h / V_h where the k / v GEMM wrote them */
                wb = (context ? c->kv_v : c->kv_k) + h * dc * c->kv_ld + c->kv_row[b];
                ldb = c->kv_ld;
            } else
                xfer(e, AT_OP_LOAD, 1, wb, L, D, 1, ldb, c->bo_a, head_off(c, b_base, off, h), c->al->ld_h);
            uint64_t sp = c->al->sp_off[b * NH + h];
            for (uint32_t r0 = 0; r0 < L; r0 += r, item++) {
                uint32_t rows = L - r0 < r ? L - r0 : r;
                uint32_t as = (uint32_t)(item % 2) * aslot, cs = as + r * a_lines;
                uint32_t lda = a_lines, ldc = c_lines;
                if (c->res) {
                    uint32_t spl = c->rbig + c->sp_line[b * NH + h];
                    uint32_t hd = c->ra + (uint32_t)off * c->hl + h * dc; /* q, or ctx, of this head */
                    as = context ? spl : hd;
                    cs = context ? hd : spl;
                    lda = context ? lb : c->hl;
                    ldc = context ? c->hl : lb;
                    if (context && c->host_probs) /* the host's probabilities (at_compile_opts.host_probs) */
                        xfer(e, AT_OP_LOAD, 0, spl, L, L, lb, 1, c->bo_a, sp, ldsp);
                } else if (context)
                    xfer(e, AT_OP_LOAD, 0, as, rows, L, lb, 1, c->bo_a, sp + (uint64_t)r0 * ldsp, ldsp);
                else
                    xfer(e, AT_OP_LOAD, 0, as, rows, D, dc, 1, c->bo_a, head_off(c, c->al->q, off + r0, h),
                         c->al->ld_h);
                struct at_uapi_cmd *cmd = push(e);
                if (!cmd)
                    return 0;
                uint32_t *d = cmd->desc;
                AT_DPUT(d, OPCODE, AT_OP_GEMM);
                AT_DPUT(d, GEMM_TRANS_B, context ? 0 : 1);
                AT_DPUT(d, GEMM_A, as);
                AT_DPUT(d, GEMM_LDA, lda);
                AT_DPUT(d, GEMM_B, wb);
                AT_DPUT(d, GEMM_LDB, ldb);
                AT_DPUT(d, GEMM_C, cs);
                AT_DPUT(d, GEMM_LDC, ldc);
                AT_DPUT(d, GEMM_M, rows);
                AT_DPUT(d, GEMM_N, n);
                AT_DPUT(d, GEMM_K, k);
                AT_DPUT(d, GEMM_TAU, tau);
                AT_DPUT(d, GEMM_RQ_M, rq.m);
                AT_DPUT(d, GEMM_RQ_S, rq.s);
                if (c->res)
                    continue; /* stays in place */
                if (context)
                    xfer(e, AT_OP_STORE, 0, cs, rows, D, dc, 1, c->bo_a, head_off(c, c->al->ctx, off + r0, h),
                         c->al->ld_h);
                else
                    xfer(e, AT_OP_STORE, 0, cs, rows, L, lb, 1, c->bo_a, sp + (uint64_t)r0 * ldsp, ldsp);
            }
            e->st->macs += (uint64_t)L * L * D;
            e->st->elements += (uint64_t)L * n;
        }
        off += L;
    }
    return 0;
}

/* SOFTMAX in place of rows x L at line s0 (ld lines per row), every row of length L. */
static void smx_cmd(emit *e, const at_qlayer *ly, uint32_t s0, uint32_t ld, uint32_t rows, uint32_t L, uint16_t tau)
{
    struct at_uapi_cmd *cmd = push(e);
    if (!cmd)
        return;
    uint32_t *d = cmd->desc;
    AT_DPUT(d, OPCODE, AT_OP_SOFTMAX);
    AT_DPUT(d, SMX_SRC, s0);
    AT_DPUT(d, SMX_LDS, ld);
    AT_DPUT(d, SMX_DST, s0);
    AT_DPUT(d, SMX_LDD, ld);
    AT_DPUT(d, SMX_ROWS, rows);
    AT_DPUT(d, SMX_N, L);
    AT_DPUT(d, SMX_LEN, L);
    AT_DPUT(d, SMX_IN_M, ly->smx.in.m);
    AT_DPUT(d, SMX_IN_S, ly->smx.in.s);
    AT_DPUT(d, SMX_TAU, tau);
}

/* probabilities = softmax of every score row over its sequence's length, in place. */
static int probs_stage(cctx *c, emit *e, const at_qlayer *ly, uint16_t tau)
{
    const uint32_t NH = (uint32_t)c->m->cfg.heads;
    size_t item = 0;
    for (size_t b = 0; b < c->batch; b++) {
        uint32_t L = (uint32_t)c->lens[b], lb = ceil16(L), ldsp = at_gemm_ld_bytes(L);
        if (L > c->cfg->max_seq)
            return at_err_set(c->err, AT_EUNSUPPORTED, "compile: a %u-token sequence exceeds the softmax unit (%u)", L,
                              c->cfg->max_seq);
        if (c->res) {
            /* the sequence's heads lie back to back: one command over NH L rows, in place */
            smx_cmd(e, ly, c->rbig + c->sp_line[b * NH], lb, NH * L, L, tau);
            /* for the host: the heads lie back to back in memory too (L ldsp bytes each, a multiple of 32) */
            if (c->host_probs)
                xfer(e, AT_OP_STORE, 0, c->rbig + c->sp_line[b * NH], NH * L, L, lb, 1, c->bo_a,
                     c->al->sp_off[b * NH], ldsp);
            e->st->elements += (uint64_t)NH * L * L;
            continue;
        }
        uint32_t r = rows_fit(c, c->act_lines / 2, lb, 4096);
        if (!r)
            return at_err_set(c->err, AT_EUNSUPPORTED, "compile: softmax rows do not fit %s", c->cfg->name);
        /* all heads of a sequence are one matrix of NH*L rows in memory when laid out back to back */
        for (uint32_t h = 0; h < NH; h++) {
            uint64_t sp = c->al->sp_off[b * NH + h];
            for (uint32_t r0 = 0; r0 < L; r0 += r, item++) {
                uint32_t rows = L - r0 < r ? L - r0 : r;
                uint32_t s0 = (uint32_t)(item % 2) * r * lb;
                xfer(e, AT_OP_LOAD, 0, s0, rows, L, lb, 1, c->bo_a, sp + (uint64_t)r0 * ldsp, ldsp);
                smx_cmd(e, ly, s0, lb, rows, L, tau);
                xfer(e, AT_OP_STORE, 0, s0, rows, L, lb, 1, c->bo_a, sp + (uint64_t)r0 * ldsp, ldsp);
            }
            e->st->elements += (uint64_t)L * L;
        }
    }
    return 0;
}

/* Preloaded weights: lays every tensor out in the weight scratchpad above
 * the attention's two K/V slots (weight lines [0, 2 ceil16(D) ceil4(L)) for
 * the longest sequence) and emits the preload stage's LOADs (the packed
 * layout of at_model_layout_make: a dense layer's column tiles are K rows
 * of 32 bytes each, its parameter blocks and a layer-norm's 128 bytes per
 * 16 columns). */
/* Weight lines of the preloaded weights (without the K/V slots). */
static uint64_t preload_lines(const at_qmodel *m)
{
    const uint32_t hb = ceil16((uint32_t)m->cfg.hidden);
    uint64_t need = 4ull * hb;
    for (int l = 0; l < m->cfg.layers; l++) {
        const at_qlayer *ly = &m->layers[l];
        const at_qdense *ds[6] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
        for (int i = 0; i < 6; i++)
            need += (uint64_t)ceil16(ds[i]->n) * (ceil4x(ds[i]->k) + 4u);
        need += 8ull * hb;
    }
    return need;
}

/* K and V into the weight scratchpad (cctx.kvw): lays the two regions out
 * at the top of the weight buffer when the activations are resident and
 * there is room below them (the preloaded weights, or two column tiles of
 * the k / v projection's strips); 0 (the old path) otherwise. */
static int kv_layout(cctx *c)
{
    const at_qmodel *m = c->m;
    if (!c->res || m->cfg.heads < 1 || c->T > 65535)
        return 0;
    const uint32_t hl = ceil16((uint32_t)m->cfg.hidden);
    uint64_t off = 0, row = 0;
    int aligned = 1;
    for (size_t b = 0; b < c->batch; b++) {
        aligned &= off % 4 == 0;
        off += c->lens[b];
    }
    for (size_t b = 0; b < c->batch; b++) {
        c->kv_row[b] = (uint32_t)row;
        c->kv_seg_rows[b] = (uint32_t)c->lens[b];
        row += aligned ? c->lens[b] : ceil4x((uint32_t)c->lens[b]);
    }
    c->kv_nseg = aligned ? 0 : (uint32_t)c->batch; /* aligned: the rows as they are */
    uint64_t ld = ceil4x((uint32_t)row), lines = 2ull * hl * ld;
    if (lines + 4 > c->wgt_lines || ld > 65535)
        return 0;
    uint32_t kv = (uint32_t)((c->wgt_lines - lines) & ~(uint64_t)3);
    uint64_t below = c->wres ? preload_lines(m) : 2ull * (ceil4x(m->layers[0].k.k) + 4u);
    if (below > kv)
        return 0;
    c->kv_ld = (uint32_t)ld;
    c->kv_k = kv;
    c->kv_v = kv + hl * (uint32_t)ld;
    c->kv_lines = (uint32_t)lines;
    return 1;
}

static int preload_stage(cctx *c, emit *e, const at_model_layout *wl)
{
    const at_qmodel *m = c->m;
    uint32_t lmax = 0;
    for (size_t b = 0; b < c->batch; b++)
        lmax = (uint32_t)c->lens[b] > lmax ? (uint32_t)c->lens[b] : lmax;
    const uint32_t hb = ceil16((uint32_t)m->cfg.hidden);
    /* the old path's two K/V slots below the weights; with kvw, K and V lie
     * above them (kv_k) */
    const uint64_t base = c->kvw ? 0 : 2ull * ceil16(m->head_dim) * ceil4x(lmax);
    const uint64_t limit = c->kvw ? c->kv_k : c->wgt_lines;
    uint64_t need = base + 4ull * hb;
    for (int l = 0; l < m->cfg.layers; l++) {
        const at_qlayer *ly = &m->layers[l];
        const at_qdense *ds[6] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
        for (int i = 0; i < 6; i++) {
            if (ds[i]->k > 4095)
                return at_err_set(c->err, AT_EUNSUPPORTED, "compile: preload: a dense layer with K = %u (K <= 4095)",
                                  ds[i]->k);
            need += (uint64_t)ceil16(ds[i]->n) * (ceil4x(ds[i]->k) + 4u);
        }
        need += 8ull * hb;
    }
    if (need > limit)
        return at_err_set(c->err, AT_EUNSUPPORTED,
                          "compile: preloading the weights needs %llu weight lines (%.1f MiB: the packed weights "
                          "and the attention's K/V slots); %s has %u (%u KiB)",
                          (unsigned long long)need, (double)need * 32.0 / 1048576.0, c->cfg->name, c->wgt_lines,
                          c->cfg->wgt_buf_kib);
    uint32_t line = (uint32_t)base;
    c->w_emb_ln = line;
    xfer(e, AT_OP_LOAD, 1, line, hb, 64, 4, 1, c->bo_w, wl->emb_ln, 128);
    line += 4u * hb;
    for (int l = 0; l < m->cfg.layers; l++) {
        const at_qlayer *ly = &m->layers[l];
        const at_qdense *ds[6] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->ffn1, &ly->ffn2};
        const at_dense_loc *locs[6] = {&wl->layer[l].q, &wl->layer[l].k, &wl->layer[l].v,
                                       &wl->layer[l].o, &wl->layer[l].ffn1, &wl->layer[l].ffn2};
        for (int i = 0; i < 6; i++) {
            const at_qdense *d = ds[i];
            uint32_t nt = ceil16(d->n), kq = ceil4x(d->k);
            c->wline[l].t[i] = line;
            xfer(e, AT_OP_LOAD, 1, line, nt, 16 * d->k, kq, 1, c->bo_w, locs[i]->tiles, 32u * d->k);
            line += nt * kq;
            c->wline[l].p[i] = line;
            xfer(e, AT_OP_LOAD, 1, line, nt, 64, 4, 1, c->bo_w, locs[i]->params, 128);
            line += 4u * nt;
        }
        c->wline[l].ln1 = line;
        xfer(e, AT_OP_LOAD, 1, line, hb, 64, 4, 1, c->bo_w, wl->layer[l].ln1, 128);
        line += 4u * hb;
        c->wline[l].ln2 = line;
        xfer(e, AT_OP_LOAD, 1, line, hb, 64, 4, 1, c->bo_w, wl->layer[l].ln2, 128);
        line += 4u * hb;
    }
    return 0;
}

void at_program_free(at_program *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->num_stages; i++)
        at_cmdbuf_free(&p->stages[i].buf);
    free(p->stages);
    memset(p, 0, sizeof *p);
}

int at_model_compile(const at_qmodel *m, const at_hw_config *cfg, const at_model_layout *wl,
                     const at_act_layout *al, const size_t *lens, size_t batch, const at_compile_opts *o,
                     at_program *out, at_err *err)
{
    memset(out, 0, sizeof *out);
    if (!m || !cfg || !wl || !al || !lens || !batch || !o)
        return at_err_set(err, AT_EINVAL, "compile: NULL argument or empty batch");
    const int NL = m->cfg.layers;
    if (NL < 1 || NL > 64)
        return at_err_set(err, AT_EUNSUPPORTED, "compile: %d layers (1..64)", NL);
    if (m->cfg.heads > 1 && m->head_dim % 16)
        return at_err_set(err, AT_EUNSUPPORTED,
                          "compile: head size %u is not a multiple of 16 (heads are 16-element column blocks)",
                          m->head_dim);
    out->stages = calloc((size_t)(2 + 11 * NL), sizeof *out->stages);
    if (!out->stages)
        return at_err_set(err, AT_ENOMEM, "compile: out of memory");
    cctx c = {.m = m,
              .cfg = cfg,
              .al = al,
              .lens = lens,
              .batch = batch,
              .act_lines = cfg->act_buf_kib * 1024u / 32u,
              .wgt_lines = cfg->wgt_buf_kib * 1024u / 32u,
              .gran = cfg->lanes ? cfg->lanes : 1,
              .bo_w = o->bo_weights,
              .bo_a = o->bo_act,
              .err = err};
    for (size_t b = 0; b < batch; b++)
        c.T += lens[b];
    c.sp_line = calloc(batch * (size_t)(m->cfg.heads > 0 ? m->cfg.heads : 1), sizeof *c.sp_line);
    c.kv_row = calloc(batch, sizeof *c.kv_row);
    c.kv_seg_rows = calloc(batch, sizeof *c.kv_seg_rows);
    if (!c.sp_line || !c.kv_row || !c.kv_seg_rows) {
        free(c.sp_line);
        free(c.kv_row);
        free(c.kv_seg_rows);
        free(out->stages);
        out->stages = NULL;
        return at_err_set(err, AT_ENOMEM, "compile: out of memory");
    }
    c.res = !o->stream && res_layout(&c);
    c.host_probs = o->host_probs;
    c.wres = o->preload_weights;
    c.kvw = !o->kv_mem && kv_layout(&c);
    out->resident = c.res;
    out->resident_lines = c.res ? c.res_lines : 0;
    out->kv_weights = c.kvw;
    out->kv_lines = c.kvw ? c.kv_lines : 0;
    const uint32_t hl = c.hl, il = c.il, ldh = al->ld_h, ldi = al->ld_i;
    /* every tensor's place: memory, and its region when resident */
    const tens x = tres(al->x, ldh, c.rx, hl), h1 = tres(al->h1, ldh, c.rh1, hl);
    const tens q = tres(al->q, ldh, c.ra, hl), ctx = tres(al->ctx, ldh, c.ra, hl), fo = tres(al->fo, ldh, c.ra, hl);
    const tens k = tres(al->k, ldh, c.rb, hl), v = tres(al->v, ldh, c.rb, hl), ao = tres(al->ao, ldh, c.rb, hl);
    const tens mid = tres(al->mid, ldi, c.rbig, il);
    const tens word = tres(al->word, ldh, c.ra, hl), pos = tres(al->pos, ldh, c.rb, hl);
    double tau = o->tau;
    uint32_t mask = o->sites;
    int rc = 0;
    emit e = {0};
    if (c.wres) {
        e.st = new_stage(out, -1, -1, "weights");
        snprintf(e.st->label, sizeof e.st->label, "weights preload");
        e.st->preload = 1;
        rc = preload_stage(&c, &e, wl);
    }
    if (!rc) {
        e.st = new_stage(out, -1, AT_SITE_LN, "ln");
        if (c.res)
            rc = ln_stage_res(&c, &e, &m->emb_ln, wl->emb_ln, c.w_emb_ln, word, 1, pos, 1, x, 0,
                              at_site_tau(m, -1, AT_SITE_LN, 0, tau, mask));
        else
            rc = ln_stage(&c, &e, &m->emb_ln, wl->emb_ln, c.w_emb_ln, al->word, al->pos, al->x, ldh,
                          at_site_tau(m, -1, AT_SITE_LN, 0, tau, mask));
    }
    for (int l = 0; l < NL && !rc; l++) {
        const at_qlayer *ly = &m->layers[l];
        const at_dense_loc *w = &wl->layer[l].q;
#define TAU(site, w) at_site_tau(m, l, site, w, tau, mask)
#define STAGE(site, what) (e.st = new_stage(out, l, site, what))
#define WL(i) c.wline[l].t[i], c.wline[l].p[i]
        STAGE(AT_SITE_Q, "q");
        if ((rc = dense_stage(&c, &e, &ly->q, w, x, q, 0, TAU(AT_SITE_Q, 0), WL(0), KV_NONE)))
            break;
        /* K and V into the weight scratchpad: straight (kvw), or through memory */
        STAGE(AT_SITE_K, "k");
        if ((rc = dense_stage(&c, &e, &ly->k, &wl->layer[l].k, x, k, !c.kvw, TAU(AT_SITE_K, 0), WL(1),
                              c.kvw ? c.kv_k : KV_NONE)))
            break;
        STAGE(AT_SITE_V, "v");
        if ((rc = dense_stage(&c, &e, &ly->v, &wl->layer[l].v, x, v, !c.kvw, TAU(AT_SITE_V, 0), WL(2),
                              c.kvw ? c.kv_v : KV_NONE)))
            break;
        STAGE(AT_SITE_SCORES, "scores");
        if ((rc = attn_gemm_stage(&c, &e, ly, TAU(AT_SITE_SCORES, 0), 0)))
            break;
        STAGE(AT_SITE_PROBS, "probs");
        if ((rc = probs_stage(&c, &e, ly, TAU(AT_SITE_PROBS, 0))))
            break;
        STAGE(AT_SITE_CONTEXT, "context");
        if ((rc = attn_gemm_stage(&c, &e, ly, TAU(AT_SITE_CONTEXT, 0), 1)))
            break;
        STAGE(AT_SITE_ATTN_OUT, "attn_out");
        if ((rc = dense_stage(&c, &e, &ly->o, &wl->layer[l].o, ctx, ao, 0, TAU(AT_SITE_ATTN_OUT, 0), WL(3), KV_NONE)))
            break;
        STAGE(AT_SITE_LN, "ln1");
        rc = c.res ? ln_stage_res(&c, &e, &ly->ln1, wl->layer[l].ln1, c.wline[l].ln1, ao, 0, x, 0, h1, 0, TAU(AT_SITE_LN, 0))
                   : ln_stage(&c, &e, &ly->ln1, wl->layer[l].ln1, c.wline[l].ln1, al->ao, al->x, al->h1, ldh, TAU(AT_SITE_LN, 0));
        if (rc)
            break;
        STAGE(AT_SITE_FFN_MID, "ffn_mid");
        if ((rc = dense_stage(&c, &e, &ly->ffn1, &wl->layer[l].ffn1, h1, mid, 0, TAU(AT_SITE_FFN_MID, 0), WL(4),
                              KV_NONE)))
            break;
        STAGE(AT_SITE_FFN_OUT, "ffn_out");
        if ((rc = dense_stage(&c, &e, &ly->ffn2, &wl->layer[l].ffn2, mid, fo, 0, TAU(AT_SITE_FFN_OUT, 0), WL(5),
                              KV_NONE)))
            break;
        STAGE(AT_SITE_LN, "ln2");
        /* the last layer's output goes to memory for the host's pooling */
        rc = c.res ? ln_stage_res(&c, &e, &ly->ln2, wl->layer[l].ln2, c.wline[l].ln2, fo, 0, h1, 0, x, l == NL - 1, TAU(AT_SITE_LN, 1))
                   : ln_stage(&c, &e, &ly->ln2, wl->layer[l].ln2, c.wline[l].ln2, al->fo, al->h1, al->x, ldh, TAU(AT_SITE_LN, 1));
#undef STAGE
#undef WL
#undef TAU
    }
    free(c.sp_line);
    free(c.kv_row);
    free(c.kv_seg_rows);
    for (size_t i = 0; !rc && i < out->num_stages; i++)
        if (out->stages[i].buf.oom)
            rc = at_err_set(err, AT_ENOMEM, "compile: out of memory");
    if (!rc)
        for (size_t i = 0; i < out->num_stages; i++)
            out->macs += out->stages[i].macs;
    if (rc)
        at_program_free(out);
    return rc;
}
