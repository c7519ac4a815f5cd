/* GEMM with C_WGT (C into the weight scratchpad, docs/isa.md) through the
 * whole device, on every available backend:
 *   - t_chain: the attention's use of it: LOAD X and W_k, K^T = X W_k with
 *     C_WGT (line (cb, j) = KB + cb LDK + j), then scores = Q K^T (TRANS_B,
 *     B = KB + t0, the sequence's first token) and context = P V (B = KB +
 *     t0) straight from those lines, STOREs of the scores, the context and
 *     K (from the weight buffer). The outputs must equal the command
 *     semantics (device_exec on local scratchpads), K and the scores also a
 *     host product written here, and the backends each other, counters
 *     included (SPAD_WGT_WR counts the C_WGT lines, SPAD_ACT_WR not);
 *   - t_hazard: the dependency rule puts C_WGT's C in the weight buffer: a
 *     STORE of those weight lines right after the GEMM waits for it (and
 *     stores the new C), a STORE of the activation lines with the same
 *     numbers does not (it overlaps the GEMM), a LOAD into the C lines
 *     waits (its data wins). */
#include "cosim_util.h"
#include "device_exec.h"
#include "numerics.h"
#include "rng.h"

/* ------------------------------------------------------------ a local reference */

static void ref_load(at_spad *sp, const uint32_t *d, const uint8_t *mem, uint64_t mem_base)
{
    unsigned buf = AT_DGET(d, XFER_BUF), rows = AT_DGET(d, XFER_ROWS), cols = AT_DGET(d, XFER_COLS);
    uint64_t a = ((uint64_t)AT_DGET(d, XFER_MEM_HI) << 32 | AT_DGET(d, XFER_MEM_LO)) - mem_base;
    for (unsigned r = 0; r < rows; r++)
        for (unsigned cb = 0; cb < (cols + 15) / 16; cb++) {
            uint64_t line = at_exec_xfer_line(d, r, cb);
            int16_t *l = buf == 1 ? sp->wgt[line] : sp->act[line];
            uint16_t m = 0;
            for (unsigned j = 0; j < 16; j++) {
                uint64_t o = a + (uint64_t)r * AT_DGET(d, XFER_MEM_STRIDE) + 32u * cb + 2u * j;
                int valid = 16 * cb + j < cols;
                l[j] = valid ? (int16_t)(uint16_t)(mem[o] | mem[o + 1] << 8) : 0;
                m |= (uint16_t)(valid << j);
            }
            if (buf == 0)
                sp->act_mask[line] = m;
        }
}

/* A STORE's elements, row-major rows x cols int16 (the test's layouts are dense). */
static void ref_store(const at_spad *sp, const uint32_t *d, int16_t *out)
{
    unsigned buf = AT_DGET(d, XFER_BUF), rows = AT_DGET(d, XFER_ROWS), cols = AT_DGET(d, XFER_COLS);
    for (unsigned r = 0; r < rows; r++)
        for (unsigned e = 0; e < cols; e++) {
            uint64_t line = at_exec_xfer_line(d, r, e / 16);
            out[(size_t)r * cols + e] = buf == 1 ? sp->wgt[line][e % 16] : sp->act[line][e % 16];
        }
}

static void gemm_fill(uint32_t *d, uint32_t a, uint32_t lda, uint32_t b, uint32_t ldb, uint32_t c, uint32_t ldc,
                      uint32_t m, uint32_t n, uint32_t k, int trans, int cwgt, uint32_t tau, unsigned rq_s)
{
    desc_clear(d, AT_OP_GEMM, 0);
    AT_DPUT(d, GEMM_TRANS_B, trans);
    AT_DPUT(d, GEMM_C_WGT, cwgt);
    AT_DPUT(d, GEMM_A, a);
    AT_DPUT(d, GEMM_LDA, lda);
    AT_DPUT(d, GEMM_B, b);
    AT_DPUT(d, GEMM_LDB, ldb);
    AT_DPUT(d, GEMM_C, c);
    AT_DPUT(d, GEMM_LDC, ldc);
    AT_DPUT(d, GEMM_M, m);
    AT_DPUT(d, GEMM_N, n);
    AT_DPUT(d, GEMM_K, k);
    AT_DPUT(d, GEMM_TAU, tau);
    AT_DPUT(d, GEMM_RQ_M, 40000);
    AT_DPUT(d, GEMM_RQ_S, rq_s);
}

static void put16s(uint8_t *p, const int16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[2 * i] = (uint8_t)(uint16_t)v[i];
        p[2 * i + 1] = (uint8_t)((uint16_t)v[i] >> 8);
    }
}

static void get16s(const uint8_t *p, int16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (int16_t)(uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
}

/* ------------------------------------------------------------ t_chain */

enum { T = 40, H = 64, D = 32, L = 20, T0 = 8, TAU_K = 30 };
/* requant shifts (multiplier 40000) that keep the outputs around 2000 */
enum { RQ_K = 22, RQ_S = 25, RQ_C = 28 };
enum { KB = 512, LDK = 40, QA = 200, SA = 300, PA = 400, CX = 500 };
/* memory: X (T x H), W (H x D), Q (L x D), P (L x L) in; S (L x L), CTX (L x D), K (T x D) out */
enum { M_X = 0, M_W = 8192, M_Q = 16384, M_P = 20480, M_S = 24576, M_CTX = 28672, M_K = 32768, M_BYTES = 40960 };

typedef struct chain_out {
    int16_t s[L * L], ctx[L * D], k[T * D];
    cu_counts cnt;
    cu_spad spad;
    uint32_t status;
} chain_out;

static int chain_job(uint64_t base, uint32_t desc[][AT_DESC_WORDS])
{
    int n = 0;
    desc_xfer(desc[n++], AT_OP_LOAD, 0, 0, T, H, H / 16, 1, base + M_X, 2 * H, 0);
    desc_xfer(desc[n++], AT_OP_LOAD, 1, 0, H, D, 1, H, base + M_W, 2 * D, 0);
    gemm_fill(desc[n++], 0, H / 16, 0, H, KB, LDK, T, D, H, 0, 1, TAU_K, RQ_K);
    desc_xfer(desc[n++], AT_OP_LOAD, 0, QA, L, D, D / 16, 1, base + M_Q, 2 * D, 0);
    gemm_fill(desc[n++], QA, D / 16, KB + T0, LDK, SA, (L + 15) / 16, L, L, D, 1, 0, 0, RQ_S);
    desc_xfer(desc[n++], AT_OP_LOAD, 0, PA, L, L, (L + 15) / 16, 1, base + M_P, 64, 0);
    gemm_fill(desc[n++], PA, (L + 15) / 16, KB + T0, LDK, CX, D / 16, L, D, L, 0, 0, 0, RQ_C);
    desc_xfer(desc[n++], AT_OP_STORE, 0, SA, L, L, (L + 15) / 16, 1, base + M_S, 64, 0);
    desc_xfer(desc[n++], AT_OP_STORE, 0, CX, L, D, D / 16, 1, base + M_CTX, 2 * D, 0);
    desc_xfer(desc[n++], AT_OP_STORE, 1, KB, T, D, 1, LDK, base + M_K, 2 * D, 0);
    return n;
}

static void chain_inputs(uint8_t *mem)
{
    int16_t v[T * H];
    rng_state = 0xC3A7u;
    for (int i = 0; i < T * H; i++)
        v[i] = (int16_t)((int)(rng_next() % 601) - 300);
    put16s(mem + M_X, v, T * H);
    for (int i = 0; i < H * D; i++)
        v[i] = (int16_t)((int)(rng_next() % 601) - 300);
    put16s(mem + M_W, v, H * D);
    for (int i = 0; i < L * D; i++)
        v[i] = (int16_t)((int)(rng_next() % 601) - 300);
    put16s(mem + M_Q, v, L * D);
    for (int r = 0; r < L; r++)
        for (int c = 0; c < 32; c++)
            v[r * 32 + c] = c < L ? (int16_t)(rng_next() % 3000) : 0; /* P rows of 64 bytes */
    put16s(mem + M_P, v, L * 32);
}

static void chain_run(at_cosim_backend be, chain_out *o)
{
    memset(o, 0, sizeof *o);
    cdev d;
    if (cu_open(&d, be, AT_COSIM_FAST, 3))
        return;
    uint64_t base = cu_alloc(&d, M_BYTES);
    uint8_t *mem = calloc(1, M_BYTES);
    chain_inputs(mem);
    cu_put(&d, base, mem, M_BYTES);
    uint32_t desc[16][AT_DESC_WORDS];
    int n = chain_job(base, desc);
    for (int i = 0; i < n; i++)
        cu_push(&d, desc[i]);
    cu_kick_wait(&d, 10000000);
    o->status = cu_rd(&d, AT_REG_STATUS);
    cu_get(&d, base, mem, M_BYTES);
    for (int r = 0; r < L; r++) /* rows of 64 bytes */
        get16s(mem + M_S + 64 * r, o->s + r * L, L);
    get16s(mem + M_CTX, o->ctx, L * D);
    get16s(mem + M_K, o->k, T * D);
    cu_read_counts(&d, &o->cnt);
    cu_read_spad(&d, &o->spad);
    printf("  chain on %-6s: %7" PRIu64 " cycles\n", cu_name(&d), d.sim_cycles);
    free(mem);
    cu_close(&d);
}

static void t_chain(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    /* the reference: the command semantics on local scratchpads */
    const at_hw_config *cfg = at_hw_config_find(CU_CONFIG);
    at_spad sp;
    if (!cfg || at_spad_init(&sp, cfg)) {
        CHECK(0, "reference scratchpads");
        return;
    }
    uint8_t *mem = calloc(1, M_BYTES);
    chain_inputs(mem);
    uint32_t desc[16][AT_DESC_WORDS];
    int n = chain_job(0, desc);
    chain_out want;
    memset(&want, 0, sizeof want);
    for (int i = 0; i < n; i++) {
        uint32_t det = 0;
        int e = at_exec_check(desc[i], &sp, cfg, &det);
        CHECK(e == AT_DEVERR_NONE, "chain command %d fails the checks: %d detail %u", i, e, det);
        unsigned op = AT_DGET(desc[i], OPCODE);
        if (op == AT_OP_LOAD)
            ref_load(&sp, desc[i], mem, 0);
        else if (op == AT_OP_GEMM)
            at_exec_compute(desc[i], &sp, NULL, NULL);
    }
    ref_store(&sp, desc[7], want.s);
    ref_store(&sp, desc[8], want.ctx);
    ref_store(&sp, desc[9], want.k);
    /* K and the scores against a host product from the inputs */
    int16_t x[T * H], w[H * D], q[L * D];
    get16s(mem + M_X, x, T * H);
    get16s(mem + M_W, w, H * D);
    get16s(mem + M_Q, q, L * D);
    at_rq rq = {40000, RQ_K}, rqs = {40000, RQ_S};
    int kbad = 0, sbad = 0, kzero = 0, ssat = 0;
    for (int j = 0; j < T; j++)
        for (int c = 0; c < D; c++) {
            int64_t acc = 0;
            for (int e = 0; e < H; e++)
                acc += (int64_t)x[j * H + e] * w[e * D + c];
            int16_t y = at_requant(acc, 0, rq);
            if ((y < 0 ? -(int)y : (int)y) <= TAU_K)
                y = 0;
            kzero += y == 0;
            kbad += want.k[j * D + c] != y;
        }
    for (int r = 0; r < L; r++)
        for (int j = 0; j < L; j++) {
            int64_t acc = 0;
            for (int e = 0; e < D; e++)
                acc += (int64_t)q[r * D + e] * want.k[(T0 + j) * D + e];
            int16_t y = at_requant(acc, 0, rqs);
            sbad += want.s[r * L + j] != y;
            ssat += y == 32767 || y == -32768;
        }
    CHECK(kbad == 0 && sbad == 0 && kzero > 0 && ssat < L * L / 10,
          "reference: %d K elements, %d scores off the host product (%d K pruned, %d scores saturated)", kbad, sbad,
          kzero, ssat);
    chain_out o[2];
    for (int b = 0; b < nb; b++) {
        chain_run(bes[b], &o[b]);
        const char *bn = at_cosim_backend_name(bes[b]);
        CHECK(!(o[b].status & AT_REG_STATUS_HALTED_MASK), "chain on %s halted (status %#x)", bn, o[b].status);
        CHECK(!memcmp(o[b].k, want.k, sizeof want.k), "chain on %s: K (STOREd from the weight buffer) differs", bn);
        for (int i = 0; i < L * L; i++)
            if (o[b].s[i] != want.s[i]) {
                CHECK(0, "chain on %s: score (%d, %d) is %d, want %d", bn, i / L, i % L, o[b].s[i], want.s[i]);
                break;
            }
        CHECK(!memcmp(o[b].ctx, want.ctx, sizeof want.ctx), "chain on %s: context differs", bn);
        /* the writes: W's 128 lines and K^T's T x 2 by the C_WGT GEMM into
         * the weight buffer; X, Q, P and the two GEMMs' C lines into the
         * activation buffer */
        uint64_t wgt_wr = H * 2 + T * 2, act_wr = T * 4 + L * 2 + L * 2 + L * 2 + L * 2;
        CHECK(o[b].spad.wgt_wr == wgt_wr && o[b].spad.act_wr == act_wr && o[b].spad.wr == wgt_wr + act_wr,
              "chain on %s: SPAD_WGT_WR %" PRIu64 " ACT_WR %" PRIu64 " WR %" PRIu64 ", want %" PRIu64 " %" PRIu64, bn,
              o[b].spad.wgt_wr, o[b].spad.act_wr, o[b].spad.wr, wgt_wr, act_wr);
        if (b > 0)
            cu_check_counts("chain", at_cosim_backend_name(bes[0]), &o[0].cnt, bn, &o[b].cnt, 1);
    }
    CHECK(o[0].cnt.pruned >= (uint64_t)kzero, "CNT_PRUNED %" PRIu64 " below K's %d pruned", o[0].cnt.pruned, kzero);
    free(mem);
    at_spad_free(&sp);
}

/* ------------------------------------------------------------ t_hazard */

/* A (128 x 128) at activation line 0 (lines 0..1023), B (128 x 64) at weight
 * line 0 (lines 0..511); the GEMM writes C (128 x 64) with C_WGT at weight
 * lines [1024, 1535] (LDC 128). */
enum { HM = 128, HN = 64, HK = 128, HC = 1024, HLDC = 128 };
enum { HM_A = 0, HM_B = 65536, HM_OUT = 131072, HM_LD = 196608, HM_BYTES = 262144 };

typedef struct hz {
    uint64_t cycles, stall_dep;
} hz;

static hz hz_job(cdev *d, const uint32_t (*desc)[AT_DESC_WORDS], int n)
{
    hz h;
    uint64_t c0 = at_cosim_cycles(d->c), s0 = cu_cnt(d, AT_REG_CNT_STALL_DEP_LO);
    for (int i = 0; i < n; i++)
        cu_push(d, desc[i]);
    cu_kick_wait(d, 10000000);
    h.cycles = at_cosim_cycles(d->c) - c0;
    h.stall_dep = cu_cnt(d, AT_REG_CNT_STALL_DEP_LO) - s0;
    return h;
}

static void t_hazard(void)
{
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    int16_t c_first[2][16] = {{0}};
    for (int b = 0; b < nb; b++) {
        cdev d;
        if (cu_open(&d, bes[b], AT_COSIM_FAST, 4))
            continue;
        const char *bn = cu_name(&d);
        uint64_t base = cu_alloc(&d, HM_BYTES);
        uint8_t *mem = calloc(1, HM_BYTES);
        rng_state = 0x4A2Au;
        for (int i = 0; i < HM_BYTES / 2; i++) {
            int16_t v = (int16_t)((int)(rng_next() % 401) - 200);
            mem[2 * i] = (uint8_t)(uint16_t)v;
            mem[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
        }
        cu_put(&d, base, mem, HM_BYTES);
        uint32_t ds[4][AT_DESC_WORDS], g[AT_DESC_WORDS], st_w[AT_DESC_WORDS], st_a[AT_DESC_WORDS], ld_w[AT_DESC_WORDS];
        desc_xfer(ds[0], AT_OP_LOAD, 0, 0, HM, HK, HK / 16, 1, base + HM_A, 2 * HK, 0);
        desc_xfer(ds[1], AT_OP_LOAD, 1, 0, HK, HN, 1, HK, base + HM_B, 2 * HN, 0);
        /* the activation lines [1024, 1535] hold data too (the independent STORE's) */
        desc_xfer(ds[2], AT_OP_LOAD, 0, HC, HM, HN, 1, HLDC, base + HM_LD, 2 * HN, 0);
        hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])ds, 3);
        gemm_fill(g, 0, HK / 16, 0, HK, HC, HLDC, HM, HN, HK, 0, 1, 0, 22);
        /* C as the weight layout stores it: row i = token, column n */
        desc_xfer(st_w, AT_OP_STORE, 1, HC, HM, HN, 1, HLDC, base + HM_OUT, 2 * HN, 0);
        desc_xfer(st_a, AT_OP_STORE, 0, HC, HM, HN, 1, HLDC, base + HM_OUT, 2 * HN, 0);
        /* 16 rows of 16 into C's first column tile, rows 32..47 */
        desc_xfer(ld_w, AT_OP_LOAD, 1, HC + 32, 16, 16, 1, HLDC, base + HM_LD, 2 * HN, 0);
        uint32_t job[2][AT_DESC_WORDS];
        memcpy(job[0], g, sizeof g);
        hz t_g = hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])job, 1);
        memcpy(job[0], st_w, sizeof g);
        hz t_s = hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])job, 1);
        /* dependent: the STORE reads C's weight lines */
        memcpy(job[0], g, sizeof g);
        memcpy(job[1], st_w, sizeof g);
        hz t_dep = hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])job, 2);
        int16_t out[HM * HN];
        uint8_t *ob = malloc(2 * HM * HN);
        cu_get(&d, base + HM_OUT, ob, 2 * HM * HN);
        get16s(ob, out, HM * HN);
        memcpy(c_first[b], out, sizeof c_first[b]);
        /* the STORE stored the GEMM's C: C(i, n) = requant(sum_k A(i, k) B(k, n)) */
        int16_t ha[HM * HK], hb[HK * HN];
        get16s(mem + HM_A, ha, HM * HK);
        get16s(mem + HM_B, hb, HK * HN);
        int cbad = 0;
        for (int i = 0; i < HM; i++)
            for (int c = 0; c < HN; c++) {
                int64_t acc = 0;
                for (int e = 0; e < HK; e++)
                    acc += (int64_t)ha[i * HK + e] * hb[e * HN + c];
                cbad += out[i * HN + c] != at_requant(acc, 0, (at_rq){40000, 22});
            }
        CHECK(cbad == 0, "%s: %d elements of the dependent STORE are not the GEMM's C", bn, cbad);
        /* independent: the same line numbers in the activation buffer */
        memcpy(job[1], st_a, sizeof g);
        hz t_ind = hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])job, 2);
        cu_get(&d, base + HM_OUT, ob, 2 * HM * HN);
        int16_t ld[HM * HN];
        get16s(mem + HM_LD, ld, HM * HN);
        CHECK(!memcmp(ob, mem + HM_LD, 2 * HM * HN), "%s: the activation STORE did not store the activation lines", bn);
        /* write after write: the LOAD into C's lines waits; its data stays */
        memcpy(job[1], ld_w, sizeof g);
        hz t_waw = hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])job, 2);
        memcpy(job[0], st_w, sizeof g);
        hz_job(&d, (const uint32_t(*)[AT_DESC_WORDS])job, 1);
        cu_get(&d, base + HM_OUT, ob, 2 * HM * HN);
        int16_t after[HM * HN];
        get16s(ob, after, HM * HN);
        int waw_bad = 0;
        for (int i = 0; i < HM; i++)
            for (int c = 0; c < HN; c++) {
                int in_ld = i >= 32 && i < 48 && c < 16;
                waw_bad += after[i * HN + c] != (in_ld ? ld[(i - 32) * HN + c] : out[i * HN + c]);
            }
        printf("  hazard on %-6s: GEMM %" PRIu64 ", STORE %" PRIu64 ", GEMM + STORE of C's weight lines %" PRIu64
               " (STALL_DEP %" PRIu64 "), of the activation lines %" PRIu64 " (%" PRIu64 "), GEMM + LOAD into C %" PRIu64
               " (%" PRIu64 ") cycles\n",
               bn, t_g.cycles, t_s.cycles, t_dep.cycles, t_dep.stall_dep, t_ind.cycles, t_ind.stall_dep, t_waw.cycles,
               t_waw.stall_dep);
        CHECK(t_dep.cycles + 150 >= t_g.cycles + t_s.cycles && t_dep.stall_dep + 300 >= t_g.cycles,
              "%s: the STORE of C's weight lines overlapped the GEMM (%" PRIu64 " cycles, STALL_DEP %" PRIu64 ")", bn,
              t_dep.cycles, t_dep.stall_dep);
        CHECK(t_ind.cycles + 200 <= t_g.cycles + t_s.cycles && t_ind.stall_dep < 100,
              "%s: the STORE of activation lines waited for the C_WGT GEMM (%" PRIu64 " cycles, STALL_DEP %" PRIu64 ")",
              bn, t_ind.cycles, t_ind.stall_dep);
        CHECK(t_waw.stall_dep + 300 >= t_g.cycles && waw_bad == 0,
              "%s: the LOAD into C's lines: STALL_DEP %" PRIu64 ", %d elements not the LOAD's / the GEMM's", bn,
              t_waw.stall_dep, waw_bad);
        free(ob);
        free(mem);
        cu_close(&d);
    }
    if (nb == 2)
        CHECK(!memcmp(c_first[0], c_first[1], sizeof c_first[0]), "the dependent STORE's C differs between backends");
}

int main(void)
{
    RUN_CASE(t_chain);
    RUN_CASE(t_hazard);
    return check_finish("test_cosim_cwgt");
}
