/* GEMM tiling and command stream: see at_gemm_plan.h. */
#include "at_gemm_plan.h"

#include "at_cmdbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t at_gemm_ld_bytes(uint32_t cols)
{
    return (uint32_t)(((uint64_t)cols * 2 + 31) / 32 * 32);
}

at_rq at_gemm_default_rq(uint32_t k)
{
    /* sigma of a uniform int16 ~ 18919; sum of k products ~ sqrt(k) * 3.58e8;
     * scale it to a sigma of ~4096: y = acc * 2^15 / 2^s */
    double sigma = sqrt((double)(k ? k : 1)) * 3.579e8;
    int sh = (int)ceil(log2(sigma / 4096.0));
    if (sh < 0)
        sh = 0;
    at_rq rq = {32768, (uint8_t)(sh + 15 > 63 ? 63 : sh + 15)};
    return rq;
}

uint64_t at_gemm_reference(const int16_t *a, size_t lda, const int16_t *b, size_t ldb, int16_t *c,
                           size_t ldc, uint32_t m, uint32_t n, uint32_t k, at_rq rq, uint16_t tau)
{
    int64_t *acc = malloc((size_t)(n ? n : 1) * sizeof *acc);
    if (!acc)
        return UINT64_MAX;
    uint64_t pruned = 0;
    for (uint32_t i = 0; i < m; i++) {
        memset(acc, 0, (size_t)n * sizeof *acc);
        for (uint32_t kk = 0; kk < k; kk++) {
            int64_t av = a[(size_t)i * lda + kk];
            if (!av)
                continue;
            const int16_t *brow = b + (size_t)kk * ldb;
            for (uint32_t j = 0; j < n; j++)
                acc[j] += av * brow[j];
        }
        for (uint32_t j = 0; j < n; j++) {
            int16_t y = at_requant(acc[j], 0, rq);
            if ((y < 0 ? -(int32_t)y : (int32_t)y) <= (int32_t)tau) {
                y = 0;
                pruned++;
            }
            c[(size_t)i * ldc + j] = y;
        }
    }
    free(acc);
    return pruned;
}

void at_gemm_pack_b(const int16_t *b, size_t ldb, uint32_t k, uint32_t n, int16_t *out, size_t tile_elems)
{
    uint32_t nt = (n + 15) / 16;
    for (uint32_t t = 0; t < nt; t++) {
        int16_t *tile = out + (size_t)t * tile_elems;
        memset(tile, 0, tile_elems * sizeof *tile);
        for (uint32_t kk = 0; kk < k; kk++)
            for (uint32_t j = 0; j < 16 && 16 * t + j < n; j++)
                tile[(size_t)kk * 16 + j] = b[(size_t)kk * ldb + 16 * t + j];
    }
}

uint64_t at_gemm_checksum(const int16_t *c, size_t ldc, uint32_t m, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t j = 0; j < n; j++) {
            uint16_t v = (uint16_t)c[(size_t)i * ldc + j];
            h = (h ^ (v & 0xffu)) * 0x100000001b3ull;
            h = (h ^ (v >> 8)) * 0x100000001b3ull;
        }
    return h;
}

void at_gemm_plan_free(at_gemm_plan *p)
{
    if (!p)
        return;
    free(p->cmds);
    p->cmds = NULL;
    p->num_cmds = 0;
}

/* LOAD of column tiles [t0, t0 + nt) of a strip whose first tile is
 * global tile g0, into the weight slot at wbase (tile t at wbase + t*kq),
 * and of their parameter blocks (at pbase + 4 t) when the GEMM has them. */
static void load_strip(at_cmdbuf *b, const at_gemm_spec *s, uint32_t wbase, uint32_t pbase, uint32_t t0,
                       uint32_t nt, uint32_t g0, uint32_t kq)
{
    uint32_t gt = g0 + t0; /* global tile */
    if (s->b_tiled) {
        /* one row per tile: K lines, contiguous in memory */
        at_cmdbuf_xfer(b, AT_OP_LOAD, 1, wbase + t0 * kq, nt, 16 * s->k, kq, 1, s->bo_b, s->off_b + (uint64_t)gt * s->ldb,
             s->ldb);
    } else {
        uint32_t c0 = 16 * gt, cols = s->n - c0 < 16 * nt ? s->n - c0 : 16 * nt;
        at_cmdbuf_xfer(b, AT_OP_LOAD, 1, wbase + t0 * kq, s->k, cols, 1, kq, s->bo_b, s->off_b + 2ull * c0, s->ldb);
    }
    if (s->bo_p) /* 4 lines per tile, contiguous */
        at_cmdbuf_xfer(b, AT_OP_LOAD, 1, pbase + 4 * t0, nt, 64, 4, 1, s->bo_p, s->off_p + 128ull * gt, 128);
}

/* One GEMM command of the plan: rows x cols of C at line c (ldc lines per
 * row) from A at line a (lda) and the strip at weight line w (its
 * parameter blocks at p). */
static void push_gemm(at_cmdbuf *b, const at_gemm_spec *s, uint32_t a, uint32_t lda, uint32_t w, uint32_t kq,
                      uint32_t p, uint32_t c, uint32_t ldc, uint32_t rows, uint32_t cols)
{
    struct at_uapi_cmd *g = at_cmdbuf_push(b);
    if (!g)
        return;
    uint32_t *d = g->desc;
    AT_DPUT(d, OPCODE, AT_OP_GEMM);
    AT_DPUT(d, GEMM_C_WGT, s->c_wgt ? 1 : 0);
    AT_DPUT(d, GEMM_A, a);
    AT_DPUT(d, GEMM_LDA, lda);
    AT_DPUT(d, GEMM_B, w);
    AT_DPUT(d, GEMM_LDB, kq);
    AT_DPUT(d, GEMM_C, c);
    AT_DPUT(d, GEMM_LDC, ldc);
    AT_DPUT(d, GEMM_M, rows);
    AT_DPUT(d, GEMM_N, cols);
    AT_DPUT(d, GEMM_K, s->k);
    AT_DPUT(d, GEMM_TAU, s->tau);
    if (s->bo_p) {
        AT_DPUT(d, GEMM_PARAMS_EN, 1);
        AT_DPUT(d, GEMM_PARAMS, p);
    } else {
        AT_DPUT(d, GEMM_RQ_M, s->rq.m);
        AT_DPUT(d, GEMM_RQ_S, s->rq.s);
    }
    if (s->gelu) {
        AT_DPUT(d, GEMM_GELU, 1);
        AT_DPUT(d, GEMM_GELU_IN_M, s->gelu_p.in.m);
        AT_DPUT(d, GEMM_GELU_IN_S, s->gelu_p.in.s);
        AT_DPUT(d, GEMM_GELU_OUT_M, s->gelu_p.out.m);
        AT_DPUT(d, GEMM_GELU_OUT_S, s->gelu_p.out.s);
    }
}

static uint32_t round_down(uint32_t x, uint32_t m)
{
    return x / m * m;
}

int at_gemm_plan_build(const at_hw_config *cfg, const at_gemm_spec *s, at_gemm_plan *out, at_err *err)
{
    if (!cfg || !s || !out)
        return at_err_set(err, AT_EINVAL, "gemm plan: NULL argument");
    memset(out, 0, sizeof *out);
    if (s->m == 0 || s->n == 0 || s->k == 0 || s->m > 65535 || s->n > 65535 || s->k > 65535)
        return at_err_set(err, AT_EINVAL, "gemm plan: M %u, N %u, K %u must each be in 1..65535", s->m,
                          s->n, s->k);
    if (s->tau > 32767)
        return at_err_set(err, AT_EINVAL, "gemm plan: tau %u above 32767", s->tau);
    if (s->rq.s > 63)
        return at_err_set(err, AT_EINVAL, "gemm plan: requant shift %u above 63", s->rq.s);
    if ((s->off_a | s->off_b | s->off_c | s->off_p) % 32)
        return at_err_set(err, AT_EINVAL, "gemm plan: matrix offsets must be 32-byte aligned");
    if (s->b_tiled && (s->k > 4095 || s->ldb % 32 || (uint64_t)s->ldb < 32ull * s->k))
        return at_err_set(err, AT_EINVAL,
                          "gemm plan: tiled B needs K <= 4095 (K %u) and a tile stride (ldb %u) that is a "
                          "multiple of 32 of at least 32 K bytes",
                          s->k, s->ldb);
    int a_mem = !s->resident, c_mem = !s->resident || s->c_store; /* A loaded, C stored */
    if ((a_mem && (s->lda % 32 || s->lda < 2 * s->k)) || s->ldb % 32 || (!s->b_tiled && s->ldb < 2 * s->n) ||
        (c_mem && (s->ldc % 32 || s->ldc < 2 * s->n)))
        return at_err_set(err, AT_EINVAL,
                          "gemm plan: row strides (lda %u, ldb %u, ldc %u bytes) must be multiples of 32 "
                          "covering the rows (A %u, B %u, C %u bytes)",
                          s->lda, s->ldb, s->ldc, 2 * s->k, 2 * s->n, 2 * s->n);
    uint32_t act_lines = cfg->act_buf_kib * 1024u / 32u, wgt_all = cfg->wgt_buf_kib * 1024u / 32u;
    /* the lines the weight strips may use */
    uint32_t wgt_lines = s->wgt_budget && s->wgt_budget < wgt_all ? s->wgt_budget : wgt_all;
    uint32_t pes = cfg->pes ? cfg->pes : 1;
    uint32_t br = cfg->lanes > 16 ? cfg->lanes : 16; /* PE block rows */
    uint32_t gran = cfg->lanes ? cfg->lanes : 1;     /* rows per step that keep every lane busy */
    uint32_t kc = (s->k + 15) / 16, kq = (s->k + 3) / 4 * 4;
    uint32_t nt = (s->n + 15) / 16;
    uint32_t pl = s->bo_p ? 4 : 0;   /* parameter lines per column tile */
    uint32_t tl = kq + pl;           /* weight lines per column tile */
    /* C_WGT's rows: segments (crow_end: one past the last C row) */
    uint64_t crow_end = s->m, seg_sum = 0;
    if (s->c_wgt && s->nseg) {
        crow_end = 0;
        for (uint32_t g = 0; g < s->nseg; g++) {
            uint64_t e = (uint64_t)s->seg_crow[g] + s->seg_rows[g];
            crow_end = e > crow_end ? e : crow_end;
            seg_sum += s->seg_rows[g];
            if (s->seg_rows[g] == 0 || (g > 0 && s->seg_crow[g] < (uint64_t)s->seg_crow[g - 1] + s->seg_rows[g - 1]))
                return at_err_set(err, AT_EINVAL, "gemm plan: C_WGT row segment %u is empty or overlaps the one before",
                                  g);
        }
        if (seg_sum != s->m)
            return at_err_set(err, AT_EINVAL, "gemm plan: C_WGT row segments hold %llu rows, M is %u",
                              (unsigned long long)seg_sum, s->m);
    }
    uint64_t cw_end = (uint64_t)s->c_line + (uint64_t)(nt - 1) * s->c_ld + crow_end; /* C_WGT: one past C */
    if (s->c_wgt && (!s->resident || s->c_store || (nt > 1 && s->c_ld < crow_end) || cw_end > wgt_all))
        return at_err_set(err, AT_EINVAL,
                          "gemm plan: C into the weight scratchpad (line %u, %u per column tile) needs resident A, "
                          "no C store, and its %u tiles of %llu rows inside the %u weight lines",
                          s->c_line, s->c_ld, nt, (unsigned long long)crow_end, wgt_all);
    if (s->resident) {
        /* bounding line intervals of A and C (as the device checks them) */
        uint64_t a_end = (uint64_t)s->a_line + (uint64_t)(s->m - 1) * s->a_ld + kc;
        uint64_t c_end = (uint64_t)s->c_line + (uint64_t)(s->m - 1) * s->c_ld + nt;
        if (s->c_wgt) /* C is not in the activation buffer */
            c_end = 0;
        if (s->a_ld < kc || (!s->c_wgt && s->c_ld < nt) || a_end > act_lines || c_end > act_lines ||
            (!s->c_wgt && s->a_line < c_end && s->c_line < a_end))
            return at_err_set(err, AT_EINVAL,
                              "gemm plan: resident A (line %u, %u per row) and C (line %u, %u per row) must "
                              "cover their rows (%u and %u lines), fit the %u activation lines and not overlap",
                              s->a_line, s->a_ld, s->c_line, s->c_ld, kc, nt, act_lines);
    }
    if (s->b_resident) {
        uint64_t b_end = (uint64_t)s->b_line + (uint64_t)nt * kq, p_end = (uint64_t)s->p_line + 4ull * nt;
        if (!s->b_tiled || s->b_line % 4 || s->p_line % 4 || b_end > wgt_lines || (s->bo_p && p_end > wgt_lines) ||
            (s->bo_p && s->b_line < p_end && s->p_line < b_end))
            return at_err_set(err, AT_EINVAL,
                              "gemm plan: preloaded B (weight line %u, %u tiles of %u lines) and its parameter "
                              "blocks (line %u) must be tiled, quad-aligned, inside the %u weight lines and apart",
                              s->b_line, nt, kq, s->p_line, wgt_lines);
    } else if (tl > wgt_lines)
        return at_err_set(err, AT_EUNSUPPORTED,
                          "gemm plan: K = %u needs %u weight lines per column tile (with its parameters); "
                          "the %s weight scratchpad has %u",
                          s->k, tl, cfg->name, wgt_lines);

    /* weight strips */
    uint32_t want = nt < pes ? nt : pes;
    uint32_t t1 = wgt_lines / tl, t2 = wgt_lines / (2 * tl);
    uint32_t ts;
    int slots;
    if (s->b_resident) {
        ts = nt; /* the whole of B is there: strips only bound the C slots */
        slots = 1;
    } else if (nt <= t1) {
        ts = nt;
        slots = 1; /* one strip: nothing to overlap */
    } else if (t2 >= want) {
        ts = t2 < nt ? t2 : nt;
        slots = 2;
    } else {
        ts = t1 < nt ? t1 : nt;
        slots = 1;
    }
    if (ts > 4095) /* a strip's C rows are STOREs of 16 ts <= 65535 columns */
        ts = 4095;
    if (ts > pes && ts < nt)
        ts = round_down(ts, pes);
    /* the activation buffer must hold two A blocks and two C blocks of br
     * rows; when K is too deep for that, blocks of fewer rows (a multiple
     * of the lanes). Resident operands need no slots. */
    if (!s->resident && 2ull * br * (kc + 1) > act_lines)
        br = gran;
    while (!s->resident && ts > 1 && 2ull * br * (kc + ts) > act_lines)
        ts--;
    if (!s->resident && 2ull * br * (kc + ts) > act_lines)
        return at_err_set(err, AT_EUNSUPPORTED,
                          "gemm plan: K = %u: two %u-row A blocks (%u lines per row) and their C blocks "
                          "do not fit the %s activation scratchpad (%u lines)",
                          s->k, br, kc, cfg->name, act_lines);
    uint32_t strips = (nt + ts - 1) / ts;
    if (strips == 1)
        slots = 1;

    /* row blocks: as many rows as fit (a multiple of the lanes, so every
     * lane has rows; the fixed cost of a GEMM command, weight start-up and
     * output drain, is spread over more rows), but at least ~4 blocks per
     * strip so loads overlap compute, and at most 256 rows */
    uint32_t mr = (s->m + gran - 1) / gran * gran;
    uint32_t fit = s->resident ? 65535u : (uint32_t)(act_lines / (2ull * (kc + ts)));
    uint32_t r = round_down(fit, gran);
    uint32_t quarter = (s->m / 4 + br - 1) / br * br;
    if (quarter < br)
        quarter = br;
    if (r > quarter)
        r = quarter;
    if (r > 256)
        r = round_down(256, gran) ? round_down(256, gran) : gran;
    /* but a block as tall as one step of the 2-D PE array (pe_rows row
     * blocks) when it fits: a shorter one leaves PE rows idle in every
     * command (server: 16 rows x 32 = 512; edge's 8 x 16 = 128 is within
     * the cap anyway) */
    uint32_t step_rows = (cfg->pe_rows ? cfg->pe_rows : 1u) * gran;
    if (r < step_rows && round_down(fit, gran) >= step_rows)
        r = step_rows;
    if (r > mr)
        r = mr;
    if (r < gran)
        r = gran;
    /* row blocks: r rows each, not crossing a C_WGT row segment; block bl
     * is rows [blk_row0[bl], + blk_rows[bl]), its C rows from blk_crow[bl] */
    uint32_t nseg = s->c_wgt && s->nseg ? s->nseg : 1, blocks = 0;
    for (uint32_t g = 0; g < nseg; g++) {
        uint32_t sr = nseg > 1 || (s->c_wgt && s->nseg) ? s->seg_rows[g] : s->m;
        blocks += (sr + r - 1) / r;
    }
    uint32_t *blk = malloc(3ull * blocks * sizeof *blk);
    if (!blk)
        return at_err_set(err, AT_ENOMEM, "gemm plan: out of memory");
    uint32_t *blk_row0 = blk, *blk_rows = blk + blocks, *blk_crow = blk + 2 * blocks;
    {
        uint32_t bl = 0, row = 0;
        for (uint32_t g = 0; g < nseg; g++) {
            int segd = s->c_wgt && s->nseg;
            uint32_t sr = segd ? s->seg_rows[g] : s->m, cr = segd ? s->seg_crow[g] : 0;
            for (uint32_t o = 0; o < sr; o += r, bl++) {
                blk_row0[bl] = row + o;
                blk_rows[bl] = sr - o < r ? sr - o : r;
                blk_crow[bl] = cr + o;
            }
            row += sr;
        }
    }
    /* C_WGT's C apart from the weight strips (or the preloaded B and its
     * parameter blocks) */
    if (s->c_wgt) {
        uint64_t w_end = s->b_resident ? 0 : (uint64_t)slots * ts * tl;
        uint64_t b_end = (uint64_t)s->b_line + (uint64_t)nt * kq, p_end = (uint64_t)s->p_line + 4ull * nt;
        int clash = s->c_line < w_end ||
                    (s->b_resident && s->b_line < cw_end && s->c_line < b_end) ||
                    (s->b_resident && s->bo_p && s->p_line < cw_end && s->c_line < p_end);
        if (clash) {
            free(blk);
            return at_err_set(err, AT_EINVAL,
                              "gemm plan: C in the weight scratchpad [%u, %llu) overlaps the weights (strips below "
                              "line %llu%s)",
                              s->c_line, (unsigned long long)cw_end, (unsigned long long)w_end,
                              s->b_resident ? ", or the preloaded B / parameters" : "");
        }
    }

    uint32_t a_slot = s->resident ? 0 : r * kc, c_slot = s->resident ? 0 : r * ts;
    uint32_t a_base[2] = {0, a_slot}, c_base[2] = {2 * a_slot, 2 * a_slot + c_slot};
    uint32_t w_base[2] = {0, ts * tl};
    uint32_t p_base[2] = {ts * kq, ts * tl + ts * kq};

    /* loop order: the bytes each moves (A and the weight strips loaded, C
     * stored once either way). Strips outer loads the weights once and A
     * once per strip; rows outer loads A once and every strip once per
     * block (both strips stay when there are two), and needs two weight
     * slots so that the next strip loads while one computes. */
    uint64_t w_bytes = s->b_resident ? 0 : (uint64_t)nt * 32u * (s->k + (s->bo_p ? 4u : 0u));
    uint64_t a_bytes = a_mem ? (uint64_t)s->m * kc * 32u : 0;
    uint64_t c_bytes = c_mem ? (uint64_t)s->m * nt * 32u : 0;
    uint64_t cost_strips = w_bytes + (uint64_t)strips * a_bytes + c_bytes;
    uint64_t cost_rows = a_bytes + (strips <= 2 ? 1 : (uint64_t)blocks) * w_bytes + c_bytes;
    int can_rows = a_mem && strips > 1 && (slots == 2 || s->b_resident);
    if (s->order == AT_GEMM_ORDER_ROWS && !can_rows && strips > 1) {
        free(blk);
        return at_err_set(err, AT_EUNSUPPORTED,
                          "gemm plan: rows-outer needs A in memory and two weight-strip slots (%s: %d slot%s for "
                          "K = %u)",
                          cfg->name, slots, slots == 1 ? "" : "s", s->k);
    }
    int rows_outer = can_rows && (s->order == AT_GEMM_ORDER_ROWS ||
                                  (s->order == AT_GEMM_ORDER_AUTO && cost_rows < cost_strips));

    at_cmdbuf b = {0};
    uint32_t items = strips * blocks;
#define STRIP_COL0(st) ((st) * ts * 16u)
#define STRIP_COLS(st) (s->n - STRIP_COL0(st) < ts * 16u ? s->n - STRIP_COL0(st) : ts * 16u)
#define STRIP_TILES(st) ((STRIP_COLS(st) + 15) / 16)
#define ROW0(bl) (blk_row0[bl])
#define ROWS(bl) (blk_rows[bl])
/* preloaded B: strip st's tiles and parameter blocks where they lie */
#define RES_W(st) (s->b_line + STRIP_COL0(st) / 16u * kq)
#define RES_P(st) (s->p_line + 4u * (STRIP_COL0(st) / 16u))
    if (rows_outer) {
        /* per block: A(bl) in its slot (the next block loads at the block's
         * first strip), each strip in turn, the next one loading into the
         * other weight slot while this one computes */
        uint32_t holds[2] = {0, UINT32_MAX}, ws = 0;
        if (!s->b_resident)
            load_strip(&b, s, w_base[0], p_base[0], 0, STRIP_TILES(0), 0, kq);
        at_cmdbuf_xfer(&b, AT_OP_LOAD, 0, a_base[0], ROWS(0), s->k, kc, 1, s->bo_a, s->off_a, s->lda);
        for (uint32_t i = 0; i < items && !b.oom; i++) {
            uint32_t bl = i / strips, st = i % strips, nws = ws;
            if (i + 1 < items && !s->b_resident) {
                uint32_t st1 = (i + 1) % strips;
                nws = 1 - ws;
                if (holds[nws] != st1) {
                    load_strip(&b, s, w_base[nws], p_base[nws], 0, STRIP_TILES(st1), STRIP_COL0(st1) / 16, kq);
                    holds[nws] = st1;
                }
            }
            if (st == 0 && bl + 1 < blocks)
                at_cmdbuf_xfer(&b, AT_OP_LOAD, 0, a_base[(bl + 1) % 2], ROWS(bl + 1), s->k, kc, 1, s->bo_a,
                               s->off_a + (uint64_t)ROW0(bl + 1) * s->lda, s->lda);
            push_gemm(&b, s, a_base[bl % 2], kc, s->b_resident ? RES_W(st) : w_base[ws], kq,
                      s->b_resident ? RES_P(st) : p_base[ws], c_base[i % 2], ts, ROWS(bl), STRIP_COLS(st));
            at_cmdbuf_xfer(&b, AT_OP_STORE, 0, c_base[i % 2], ROWS(bl), STRIP_COLS(st), ts, 1, s->bo_c,
                           s->off_c + (uint64_t)ROW0(bl) * s->ldc + 2ull * STRIP_COL0(st), s->ldc);
            ws = nws;
        }
        goto emitted;
    }
    /* strips outer. Prologue: strip 0 weights, A block 0 */
    if (!s->b_resident)
        load_strip(&b, s, w_base[0], p_base[0], 0, STRIP_TILES(0), 0, kq);
    if (a_mem)
        at_cmdbuf_xfer(&b, AT_OP_LOAD, 0, a_base[0], ROWS(0), s->k, kc, 1, s->bo_a, s->off_a, s->lda);
    uint32_t next_tile = 0; /* double slots: next strip's tiles already loaded */
    for (uint32_t i = 0; i < items && !b.oom; i++) {
        uint32_t st = i / blocks, bl = i % blocks;
        uint32_t ws = slots == 2 ? st % 2 : 0;
        if (a_mem && i + 1 < items) {
            uint32_t bl1 = (i + 1) % blocks;
            at_cmdbuf_xfer(&b, AT_OP_LOAD, 0, a_base[(i + 1) % 2], ROWS(bl1), s->k, kc, 1, s->bo_a,
                           s->off_a + (uint64_t)ROW0(bl1) * s->lda, s->lda);
        }
        if (slots == 2 && st + 1 < strips) {
            /* the next strip, a share of its tiles per block of this strip */
            uint32_t tiles = STRIP_TILES(st + 1);
            uint32_t share = (tiles + blocks - 1) / blocks;
            if (bl == 0)
                next_tile = 0;
            for (uint32_t t = 0; t < share && next_tile < tiles; t++, next_tile++) {
                load_strip(&b, s, w_base[(st + 1) % 2], p_base[(st + 1) % 2], next_tile, 1,
                           STRIP_COL0(st + 1) / 16, kq);
            }
        }
        /* this item's A and C in the activation scratchpad: a slot, or in place */
        uint32_t ga = s->resident ? s->a_line + ROW0(bl) * s->a_ld : a_base[i % 2];
        uint32_t gc = s->c_wgt      ? s->c_line + st * ts * s->c_ld + blk_crow[bl]
                      : s->resident ? s->c_line + ROW0(bl) * s->c_ld + st * ts
                                    : c_base[i % 2];
        uint32_t gldc = s->resident ? s->c_ld : ts;
        push_gemm(&b, s, ga, s->resident ? s->a_ld : kc, s->b_resident ? RES_W(st) : w_base[ws], kq,
                  s->b_resident ? RES_P(st) : p_base[ws], gc, gldc, ROWS(bl), STRIP_COLS(st));
        if (slots == 1 && !s->b_resident && i + 1 < items && (i + 1) / blocks != st)
            load_strip(&b, s, w_base[0], p_base[0], 0, STRIP_TILES(st + 1), STRIP_COL0(st + 1) / 16, kq);
        if (c_mem)
            at_cmdbuf_xfer(&b, AT_OP_STORE, 0, gc, ROWS(bl), STRIP_COLS(st), gldc, 1, s->bo_c,
                           s->off_c + (uint64_t)ROW0(bl) * s->ldc + 2ull * STRIP_COL0(st), s->ldc);
    }
emitted:
#undef STRIP_COL0
#undef STRIP_COLS
#undef STRIP_TILES
#undef ROW0
#undef ROWS
#undef RES_W
#undef RES_P
    free(blk);
    if (b.oom) {
        free(b.cmds);
        return at_err_set(err, AT_ENOMEM, "gemm plan: out of memory");
    }
    out->rows_per_block = r;
    out->tiles_per_strip = ts;
    out->strips = strips;
    out->blocks = blocks;
    out->wgt_slots = slots;
    out->kc = kc;
    out->kq = kq;
    out->act_lines_used = 2 * (a_slot + c_slot);
    out->wgt_lines_used = s->b_resident ? 0 : slots * ts * tl;
    out->rows_outer = rows_outer;
    out->bytes_strips_outer = cost_strips;
    out->bytes_rows_outer = can_rows ? cost_rows : cost_strips;
    out->num_cmds = b.n;
    out->cmds = b.cmds;
    return 0;
}
