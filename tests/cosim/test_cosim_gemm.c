/* Cross-backend GEMM jobs: random matrices, LOAD/GEMM/STORE/FENCE
 * command streams built by hand from descriptors (tiled through the
 * 64 KiB scratchpads of the tiny configuration with double-buffered A and
 * C blocks), on every available backend. Memory (results, untouched
 * padding, C's mask words, the fence write) must equal a reference
 * computed here and be identical across backends, and so must the exact
 * counters (MAC_ISSUED/SKIPPED, PRUNED, MEM_WR_BYTES, CMDS, MEM_RD_BYTES);
 * the scratchpad counters by buffer follow from the commands (cu_check_spad:
 * writes and DMA reads exact, compute reads exact on fmodel, at least those
 * on rtl) and their writes are identical across backends.
 * Shapes 1x1x1, 17x33x65, 300x7x129 with and without a DynaTran threshold
 * (17x33x65 also with per-column parameters and GELU), and 512x512x512
 * once. */
#include "cosim_util.h"
#include "numerics.h"
#include "rng.h"

typedef struct job {
    const char *name;
    uint32_t M, N, K;
    uint32_t tau;
    int params_gelu; /* PARAMS_EN + GELU */
} job;

/* Data and reference of one job (independent of the backend). */
typedef struct jobdata {
    const job *j;
    uint32_t KC, NT;
    int16_t *A, *B;         /* M x K, K x N */
    int32_t *bias;          /* N (params) */
    uint16_t *rqm, *rqs;    /* N (params) */
    at_gelu_params gp;
    int16_t *C;             /* M x N, reference */
    uint64_t *row_nnz;      /* non-zeros of A row i */
} jobdata;

#define PAD_A 0x7777 /* garbage in A/B padding columns: LOAD must zero them */
#define PAD_C 0x5A5A /* C padding in memory: STORE must leave it */
#define RQ_M 32768u
#define RQ_S 18u

static void jobdata_make(jobdata *jd, const job *j)
{
    memset(jd, 0, sizeof *jd);
    jd->j = j;
    jd->KC = (j->K + 15) / 16;
    jd->NT = (j->N + 15) / 16;
    jd->A = malloc(sizeof(int16_t) * j->M * j->K);
    jd->B = malloc(sizeof(int16_t) * j->K * j->N);
    jd->C = malloc(sizeof(int16_t) * j->M * j->N);
    jd->row_nnz = calloc(j->M, sizeof(uint64_t));
    jd->bias = calloc(16 * jd->NT, sizeof(int32_t));
    jd->rqm = calloc(16 * jd->NT, sizeof(uint16_t));
    jd->rqs = calloc(16 * jd->NT, sizeof(uint16_t));
    for (uint32_t i = 0; i < j->M * j->K; i++)
        jd->A[i] = rng_next() % 10 < 3 ? 0 : (int16_t)rand_range(-40, 40);
    for (uint32_t i = 0; i < j->K * j->N; i++)
        jd->B[i] = (int16_t)rand_range(-40, 40);
    for (uint32_t n = 0; n < 16 * jd->NT; n++) {
        jd->bias[n] = (int32_t)rand_range(-5000, 5000);
        jd->rqm[n] = (uint16_t)rand_range(32768, 65535);
        jd->rqs[n] = (uint16_t)rand_range(17, 20);
    }
    if (at_gelu_params_make(1.0 / 256, 1.0 / 256, &jd->gp))
        CHECK(0, "gelu params");
    for (uint32_t i = 0; i < j->M; i++)
        for (uint32_t k = 0; k < j->K; k++)
            jd->row_nnz[i] += jd->A[(size_t)i * j->K + k] != 0;
    /* reference */
    int64_t *acc = calloc(j->N, sizeof(int64_t));
    for (uint32_t i = 0; i < j->M; i++) {
        memset(acc, 0, sizeof(int64_t) * j->N);
        for (uint32_t k = 0; k < j->K; k++) {
            int64_t a = jd->A[(size_t)i * j->K + k];
            if (!a)
                continue;
            const int16_t *b = jd->B + (size_t)k * j->N;
            for (uint32_t n = 0; n < j->N; n++)
                acc[n] += a * b[n];
        }
        for (uint32_t n = 0; n < j->N; n++) {
            int16_t y;
            if (j->params_gelu) {
                at_rq rq = {jd->rqm[n], (uint8_t)(jd->rqs[n] & 63)};
                y = at_requant(acc[n], jd->bias[n], rq);
                y = at_gelu(y, &jd->gp);
            } else {
                at_rq rq = {RQ_M, RQ_S};
                y = at_requant(acc[n], 0, rq);
            }
            if ((y < 0 ? -(int32_t)y : (int32_t)y) <= (int32_t)j->tau)
                y = 0;
            jd->C[(size_t)i * j->N + n] = y;
        }
    }
    free(acc);
}

static void jobdata_free(jobdata *jd)
{
    free(jd->A);
    free(jd->B);
    free(jd->C);
    free(jd->row_nnz);
    free(jd->bias);
    free(jd->rqm);
    free(jd->rqs);
}

/* What one backend produced. */
typedef struct result {
    uint8_t *cmem;    /* C region, M rows x 32*NT bytes */
    uint16_t *cmask;  /* mask word of every C line (single-block jobs), else NULL */
    uint32_t fence_word, fence_done;
    cu_counts cnt;
    cu_units units;
    cu_spad spad;
    cu_spad_want wspad;
    uint64_t cycles;
    double seconds;
} result;

static void put_matrix(cdev *d, uint64_t addr, const int16_t *x, uint32_t rows, uint32_t cols, uint32_t stride_bytes)
{
    uint8_t *buf = malloc((size_t)rows * stride_bytes);
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t e = 0; e < stride_bytes / 2; e++) {
            uint16_t v = e < cols ? (uint16_t)x[(size_t)r * cols + e] : PAD_A;
            buf[(size_t)r * stride_bytes + 2 * e] = (uint8_t)v;
            buf[(size_t)r * stride_bytes + 2 * e + 1] = (uint8_t)(v >> 8);
        }
    cu_put(d, addr, buf, (uint64_t)rows * stride_bytes);
    free(buf);
}

/* The tiling plan and the command stream of a job; adds the expected
 * counters to *want. Weight buffer: the B block of nbt column tiles (K
 * rows each, ldb = 4*ceil(K/4)) at line 0, its parameter quads after it.
 * Activation buffer: two A blocks of mb rows (lda = KC) and two C blocks
 * (ldc = nbt); while block i computes, block i+1 loads and block i-1
 * stores (the dependency rule overlaps them). */
static int emit_job(cdev *d, const jobdata *jd, uint64_t amem, uint64_t bmem, uint64_t pmem, uint64_t cmem,
                    uint64_t maskmem, uint64_t fencemem, cu_counts *want, cu_spad_want *ws, int *have_mask,
                    uint32_t *mask_lo_line, uint32_t *cbuf0)
{
    const job *j = jd->j;
    const uint32_t act_lines = d->cfg->act_buf_kib * 1024 / 32, wgt_lines = d->cfg->wgt_buf_kib * 1024 / 32;
    const uint32_t KC = jd->KC, NT = jd->NT, ldb = 4 * ((j->K + 3) / 4);
    const uint32_t sa = 32 * KC, sb = 32 * NT, sc = 32 * NT;
    const uint32_t pq = j->params_gelu ? 4 : 0;
    uint32_t nbt = wgt_lines / (ldb + pq);
    if (nbt > NT)
        nbt = NT;
    if (!nbt)
        return -1;
    uint32_t mb = act_lines / 2 / (KC + nbt);
    if (mb >= 16)
        mb -= mb % 16;
    if (mb > j->M)
        mb = j->M;
    if (!mb)
        return -1;
    const uint32_t nmb = (j->M + mb - 1) / mb, nnb = (NT + nbt - 1) / nbt;
    const uint32_t abuf[2] = {0, mb * KC};
    uint32_t cb = 2 * mb * KC;
    cb = (cb + 15) & ~15u;
    const uint32_t cbuf[2] = {cb, cb + mb * nbt};
    *cbuf0 = cbuf[0];
    uint32_t desc[AT_DESC_WORDS];
    unsigned tag = 1;
    memset(want, 0, sizeof *want);
    memset(ws, 0, sizeof *ws);
    for (uint32_t nb = 0; nb < nnb; nb++) {
        uint32_t t0 = nb * nbt, tiles = NT - t0 < nbt ? NT - t0 : nbt;
        uint32_t n0 = 16 * t0, ncols = j->N - n0 < 16 * tiles ? j->N - n0 : 16 * tiles;
        /* B block: rows k -> lines k + cb*ldb */
        desc_xfer(desc, AT_OP_LOAD, 1, 0, j->K, ncols, 1, ldb, bmem + 32ull * t0, sb, tag++);
        cu_push(d, desc);
        want->mem_rd_bytes += 32ull * j->K * ((ncols + 15) / 16);
        ws->dma_wgt_wr += (uint64_t)j->K * ((ncols + 15) / 16);
        want->cmds++;
        if (pq) {
            desc_xfer(desc, AT_OP_LOAD, 1, tiles * ldb, 4 * tiles, 16, 1, 1, pmem + 128ull * t0, 32, tag++);
            cu_push(d, desc);
            want->mem_rd_bytes += 32ull * 4 * tiles;
            ws->dma_wgt_wr += 4ull * tiles;
            want->cmds++;
        }
        for (uint32_t mi = 0; mi <= nmb; mi++) {
            /* load block mi (the one after the block computed below) */
            if (mi < nmb) {
                uint32_t m0 = mi * mb, rows = j->M - m0 < mb ? j->M - m0 : mb;
                desc_xfer(desc, AT_OP_LOAD, 0, abuf[mi % 2], rows, j->K, KC, 1, amem + (uint64_t)sa * m0, sa, tag++);
                cu_push(d, desc);
                want->mem_rd_bytes += 32ull * rows * KC;
                ws->dma_act_wr += (uint64_t)rows * KC;
                ws->dma_act_wr_mask += (uint64_t)rows * KC;
                want->cmds++;
            }
            if (mi == 0)
                continue;
            uint32_t bi = mi - 1, m0 = bi * mb, rows = j->M - m0 < mb ? j->M - m0 : mb;
            gemm_args g = {0};
            g.a = abuf[bi % 2];
            g.lda = KC;
            g.b = 0;
            g.ldb = ldb;
            g.c = cbuf[bi % 2];
            g.ldc = tiles;
            g.m = rows;
            g.n = ncols;
            g.k = j->K;
            g.tau = j->tau;
            g.rq = (at_rq){RQ_M, RQ_S};
            if (pq) {
                g.params_en = 1;
                g.params = tiles * ldb;
                g.gelu = 1;
                g.gp = jd->gp;
            }
            desc_gemm(desc, &g, tag++);
            cu_push(d, desc);
            ws->c_act_rd += (uint64_t)rows * KC;                            /* A */
            ws->c_wgt_rd += tiles * 4ull * ((j->K + 3) / 4) + 4ull * (pq ? tiles : 0); /* B, params */
            ws->c_act_wr += (uint64_t)rows * tiles;                         /* C */
            uint64_t nnz = 0;
            for (uint32_t i = m0; i < m0 + rows; i++)
                nnz += jd->row_nnz[i];
            want->mac_issued += 16ull * tiles * nnz;
            want->mac_skipped += 16ull * tiles * ((uint64_t)rows * j->K - nnz);
            for (uint32_t i = m0; i < m0 + rows; i++)
                for (uint32_t n = n0; n < n0 + ncols; n++)
                    want->pruned += jd->C[(size_t)i * j->N + n] == 0;
            want->cmds++;
            desc_xfer(desc, AT_OP_STORE, 0, cbuf[bi % 2], rows, ncols, tiles, 1, cmem + (uint64_t)sc * m0 + 32ull * t0, sc,
                    tag++);
            cu_push(d, desc);
            want->mem_wr_bytes += 2ull * rows * ncols;
            ws->dma_act_rd += (uint64_t)rows * tiles;
            want->cmds++;
        }
    }
    *have_mask = 0;
    *mask_lo_line = 0;
    if (nmb == 1 && nnb == 1 && maskmem) {
        /* the mask words of C's lines: mask lines [cbuf/16, last/16] */
        uint32_t first = cbuf[0] / 16, last = (cbuf[0] + j->M * nbt - 1) / 16;
        uint32_t n = last - first + 1;
        if (n > 160)
            return -1;
        desc_xfer(desc, AT_OP_STORE, 2, first, 1, 16 * n, 1, 1, maskmem, 32 * n, tag++);
        cu_push(d, desc);
        want->mem_wr_bytes += 2ull * 16 * n;
        ws->dma_mask_rd += n;
        want->cmds++;
        *mask_lo_line = first * 16;
        *have_mask = 1;
    }
    desc_fence(desc, 0xC0DE0000u | (tag & 0xFFFFu), fencemem, 1, tag);
    cu_push(d, desc);
    want->mem_wr_bytes += 4;
    want->cmds++;
    want->mem_rd_bytes += 64ull * d->n;
    return 0;
}

static int run_job(at_cosim_backend be, const jobdata *jd, result *res, cu_counts *want)
{
    const job *j = jd->j;
    cdev d;
    memset(res, 0, sizeof *res);
    if (cu_open(&d, be, AT_COSIM_FAST, 1))
        return -1;
    const uint32_t KC = jd->KC, NT = jd->NT;
    uint64_t amem = cu_alloc(&d, 32ull * KC * j->M), bmem = cu_alloc(&d, 32ull * NT * j->K);
    uint64_t pmem = cu_alloc(&d, 128ull * NT), cmem = cu_alloc(&d, 32ull * NT * j->M);
    uint64_t maskmem = cu_alloc(&d, 32ull * 160), fencemem = cu_alloc(&d, 64);
    put_matrix(&d, amem, jd->A, j->M, j->K, 32 * KC);
    put_matrix(&d, bmem, jd->B, j->K, j->N, 32 * NT);
    {
        /* C prefilled with the padding pattern */
        size_t n = (size_t)32 * NT * j->M;
        uint8_t *f = malloc(n);
        for (size_t i = 0; i < n; i++)
            f[i] = (uint8_t)(PAD_C >> (8 * (i & 1)));
        cu_put(&d, cmem, f, n);
        free(f);
        /* parameter quads: bias[0..7], bias[8..15], rq_m[16], rq_s[16] */
        uint8_t *p = calloc(128, NT);
        for (uint32_t t = 0; t < NT; t++)
            for (uint32_t e = 0; e < 16; e++) {
                uint32_t n2 = 16 * t + e;
                memcpy(p + 128 * t + 4 * e, &jd->bias[n2], 4);
                memcpy(p + 128 * t + 64 + 2 * e, &jd->rqm[n2], 2);
                memcpy(p + 128 * t + 96 + 2 * e, &jd->rqs[n2], 2);
            }
        cu_put(&d, pmem, p, 128ull * NT);
        free(p);
    }
    uint32_t mask_lo = 0, cbuf0 = 0;
    int have_mask = 0;
    if (emit_job(&d, jd, amem, bmem, pmem, cmem, maskmem, fencemem, want, &res->wspad, &have_mask, &mask_lo,
                 &cbuf0)) {
        CHECK(0, "%s: no tiling fits", j->name);
        cu_close(&d);
        return -1;
    }
    cu_kick_wait(&d, 50000000);
    res->cycles = d.sim_cycles;
    res->seconds = d.sim_seconds;
    uint32_t st = cu_rd(&d, AT_REG_STATUS);
    CHECK(!(st & AT_REG_STATUS_HALTED_MASK), "%s on %s: halted, ERR_CODE 0x%08x ERR_INFO 0x%08x HEAD %u", j->name,
          cu_name(&d), cu_rd(&d, AT_REG_ERR_CODE), cu_rd(&d, AT_REG_ERR_INFO), cu_rd(&d, AT_REG_RING_HEAD));
    CHECK(at_cosim_irq(d.c), "%s on %s: FENCE interrupt not raised", j->name, cu_name(&d));
    res->fence_done = cu_rd(&d, AT_REG_FENCE_DONE);
    cu_get(&d, fencemem, &res->fence_word, 4);
    res->cmem = malloc((size_t)32 * NT * j->M);
    cu_get(&d, cmem, res->cmem, 32ull * NT * j->M);
    if (have_mask) {
        uint32_t nlines = j->M * NT; /* C lines, contiguous (ldc = NT) */
        uint16_t *all = malloc(32 * 160);
        cu_get(&d, maskmem, all, 32 * 160);
        res->cmask = malloc(sizeof(uint16_t) * nlines);
        for (uint32_t l = 0; l < nlines; l++)
            res->cmask[l] = all[cbuf0 + l - mask_lo];
        free(all);
    }
    cu_read_counts(&d, &res->cnt);
    cu_read_units(&d, &res->units);
    cu_read_spad(&d, &res->spad);
    cu_check_spad(j->name, cu_name(&d), &res->spad, &res->wspad, be == AT_COSIM_FMODEL);
    cu_check_units(j->name, cu_name(&d), &res->units, 1u | 8u | 16u); /* GEMM, LOAD, STORE */
    cu_close(&d);
    return 0;
}

static void check_against_reference(const jobdata *jd, const result *r, const char *be, const cu_counts *want)
{
    const job *j = jd->j;
    const uint32_t NT = jd->NT;
    char what[96];
    snprintf(what, sizeof what, "%s (%ux%ux%u tau %u%s)", j->name, j->M, j->N, j->K, j->tau,
             j->params_gelu ? " params+gelu" : "");
    int bad = 0;
    for (uint32_t i = 0; i < j->M && bad < 5; i++)
        for (uint32_t e = 0; e < 16 * NT && bad < 5; e++) {
            const uint8_t *p = r->cmem + (size_t)32 * NT * i + 2 * e;
            uint16_t got = (uint16_t)(p[0] | p[1] << 8);
            uint16_t exp = e < j->N ? (uint16_t)jd->C[(size_t)i * j->N + e] : PAD_C;
            if (got != exp) {
                CHECK(0, "%s: C[%u][%u]: %s %d vs reference %d", what, i, e, be, (int16_t)got, (int16_t)exp);
                bad++;
            }
        }
    if (r->cmask) {
        for (uint32_t i = 0; i < j->M && bad < 5; i++)
            for (uint32_t t = 0; t < NT && bad < 5; t++) {
                uint16_t exp = 0;
                for (uint32_t e = 0; e < 16; e++)
                    if (16 * t + e < j->N && jd->C[(size_t)i * j->N + 16 * t + e])
                        exp |= (uint16_t)(1u << e);
                uint16_t got = r->cmask[i * NT + t];
                if (got != exp) {
                    CHECK(0, "%s: mask word of C line (%u, %u): %s 0x%04x vs reference 0x%04x", what, i, t, be, got,
                          exp);
                    bad++;
                }
            }
    }
    CHECK(r->fence_word == r->fence_done && (r->fence_done >> 16) == 0xC0DEu, "%s: fence: %s wrote 0x%08x, FENCE_DONE 0x%08x",
          what, be, r->fence_word, r->fence_done);
    cu_check_counts(what, be, &r->cnt, "reference", want, 1);
}

static void compare_backends(const jobdata *jd, const result *a, const char *an, const result *b, const char *bn)
{
    const job *j = jd->j;
    char what[96];
    snprintf(what, sizeof what, "%s %ux%ux%u tau %u", j->name, j->M, j->N, j->K, j->tau);
    cu_same_bytes(what, an, a->cmem, bn, b->cmem, 32ull * jd->NT * j->M);
    if (a->cmask && b->cmask)
        cu_same_bytes(what, an, (const uint8_t *)a->cmask, bn, (const uint8_t *)b->cmask, 2ull * j->M * jd->NT);
    CHECK(a->fence_word == b->fence_word, "%s: fence word %s 0x%08x vs %s 0x%08x", what, an, a->fence_word, bn,
          b->fence_word);
    cu_check_counts(what, an, &a->cnt, bn, &b->cnt, 1);
    CHECK(a->spad.act_wr == b->spad.act_wr && a->spad.wgt_wr == b->spad.wgt_wr && a->spad.mask_wr == b->spad.mask_wr &&
              a->spad.wr == b->spad.wr,
          "%s: SPAD writes (all, act, wgt, mask) %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " vs %s %" PRIu64
          " %" PRIu64 " %" PRIu64 " %" PRIu64,
          what, an, a->spad.wr, a->spad.act_wr, a->spad.wgt_wr, a->spad.mask_wr, bn, b->spad.wr, b->spad.act_wr,
          b->spad.wgt_wr, b->spad.mask_wr);
}

static uint64_t g_seed;

static void run_case(const job *j)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    jobdata jd;
    rng_state = g_seed ^ ((uint64_t)j->M << 40 ^ (uint64_t)j->N << 20 ^ j->K ^ (uint64_t)j->tau << 56 ^
                          (uint64_t)j->params_gelu << 62);
    jobdata_make(&jd, j);
    result res[2];
    cu_counts want[2];
    for (int b = 0; b < nb; b++) {
        if (run_job(bes[b], &jd, &res[b], &want[b]))
            continue;
        const char *bn = at_cosim_backend_name(bes[b]);
        printf("  %-10s %3ux%3ux%3u tau %2u%s %-6s: %9" PRIu64 " cycles in %6.2f s (%.0f cycles/s), %" PRIu64 " commands\n",
               j->name, j->M, j->N, j->K, j->tau, j->params_gelu ? " p+g" : "    ", bn, res[b].cycles, res[b].seconds,
               res[b].seconds > 0 ? res[b].cycles / res[b].seconds : 0.0, res[b].cnt.cmds);
        printf("  %-10s %-6s units: GEMM_BUSY %" PRIu64 " LOAD_BUSY %" PRIu64 " STORE_BUSY %" PRIu64
               " DMA_ONLY %" PRIu64 " BUSY %" PRIu64 "\n",
               j->name, bn, res[b].units.gemm, res[b].units.load, res[b].units.store, res[b].units.dma_only,
               res[b].units.busy);
        printf("  %-10s %-6s spad: ACT rd %" PRIu64 " wr %" PRIu64 ", WGT rd %" PRIu64 " wr %" PRIu64 ", MASK rd %" PRIu64
               " wr %" PRIu64 " (the commands' compute reads: act %" PRIu64 ", wgt %" PRIu64 ")\n",
               j->name, bn, res[b].spad.act_rd, res[b].spad.act_wr, res[b].spad.wgt_rd, res[b].spad.wgt_wr,
               res[b].spad.mask_rd, res[b].spad.mask_wr, res[b].wspad.c_act_rd, res[b].wspad.c_wgt_rd);
        check_against_reference(&jd, &res[b], bn, &want[b]);
        if (b > 0)
            compare_backends(&jd, &res[0], at_cosim_backend_name(bes[0]), &res[b], bn);
        /* the unit counters are the fmodel's estimate: on a job long enough
         * for the per-command constants not to matter, within 5 % of the rtl
         * (measured: 1.2 % GEMM_BUSY, 1.1 % DMA_ONLY on 512^3) */
        if (b > 0 && res[b].units.busy > 100000) {
            const cu_units *f = &res[0].units, *r = &res[b].units;
            double eg = (double)f->gemm / (double)r->gemm - 1.0, ed = (double)f->dma_only / (double)r->dma_only - 1.0;
            CHECK(eg <= 0.05 && eg >= -0.05 && ed <= 0.05 && ed >= -0.05,
                  "%s: fmodel/rtl - 1 of GEMM_BUSY %.4f (%" PRIu64 " vs %" PRIu64 "), of DMA_ONLY %.4f (%" PRIu64
                  " vs %" PRIu64 "): above 0.05",
                  j->name, eg, f->gemm, r->gemm, ed, f->dma_only, r->dma_only);
        }
    }
    for (int b = 0; b < nb; b++) {
        free(res[b].cmem);
        free(res[b].cmask);
    }
    jobdata_free(&jd);
}

static const job k_small[] = {
    {"1x1x1", 1, 1, 1, 0, 0},          {"1x1x1", 1, 1, 1, 64, 0},
    {"17x33x65", 17, 33, 65, 0, 0},    {"17x33x65", 17, 33, 65, 64, 0},
    {"17x33x65", 17, 33, 65, 40, 1},   {"300x7x129", 300, 7, 129, 0, 0},
    {"300x7x129", 300, 7, 129, 64, 0},
};
static const job k_big = {"512^3", 512, 512, 512, 64, 0};

static void t_small_shapes(void)
{
    for (size_t i = 0; i < sizeof k_small / sizeof k_small[0]; i++)
        run_case(&k_small[i]);
}

static void t_512_cubed(void) { run_case(&k_big); }

int main(void)
{
    g_seed = check_seed("test_cosim_gemm", 0x6E3Au);
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    printf("test_cosim_gemm: backends:");
    for (int b = 0; b < nb; b++)
        printf(" %s", at_cosim_backend_name(bes[b]));
    printf("\n");
    RUN_CASE(t_small_shapes);
    RUN_CASE(t_512_cubed);
    return check_finish("test_cosim_gemm");
}
