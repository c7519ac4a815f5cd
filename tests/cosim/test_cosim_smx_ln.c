/* Cross-backend SOFTMAX and LAYERNORM jobs: LOAD the inputs (rows,
 * residual, per-row lengths, gamma/beta quads), run the command, STORE the
 * result and its mask words, FENCE; on every available backend. The
 * reference is the device_exec semantics (at_exec_compute on scratchpad
 * arrays filled as the LOADs define), and the backends must agree with it
 * and with each other, counters included. One SOFTMAX has a bad per-row
 * length: ILLEGAL_FIELD with DETAIL 0x10000 + row on every backend.
 * DynaTran (SMX_TAU / LN_TAU at 0, small, large and 32767): the outputs,
 * mask words and CNT_PRUNED are also checked against a host reference
 * written here (at_softmax_row / at_layernorm_row, then the threshold),
 * and every case with a threshold > 0 must prune a non-zero output, so
 * that a device ignoring the threshold fails. */
#include <math.h>

#include "cosim_util.h"
#include "device_exec.h"
#include "numerics.h"
#include "rng.h"

typedef struct scase {
    const char *name;
    unsigned op;       /* AT_OP_SOFTMAX or AT_OP_LAYERNORM */
    uint32_t rows, n;
    int lenvec;        /* SOFTMAX: per-row lengths */
    uint32_t len;      /* SOFTMAX without lenvec */
    int inplace;
    int residual;      /* LAYERNORM */
    int bad_row;       /* SOFTMAX lenvec: row with length 0 (-1: none) */
    uint32_t tau;      /* SMX_TAU / LN_TAU */
    double in_scale;   /* SOFTMAX input scale (0: 1/64, peaked) */
    int boundary;      /* LAYERNORM: constant rows, eps 0: y = sat16(beta), beta around tau */
} scase;

static const scase k_cases[] = {
    {"smx 20x77 len 50", AT_OP_SOFTMAX, 20, 77, 0, 50, 0, 0, -1, 0, 0, 0},
    {"smx 20x77 len 77 in place", AT_OP_SOFTMAX, 20, 77, 0, 77, 1, 0, -1, 0, 0, 0},
    {"smx 33x128 len vec", AT_OP_SOFTMAX, 33, 128, 1, 0, 0, 0, -1, 0, 0, 0},
    {"smx 4x512 len vec in place", AT_OP_SOFTMAX, 4, 512, 1, 0, 1, 0, -1, 0, 0, 0},
    {"smx 12x40 bad len row 5", AT_OP_SOFTMAX, 12, 40, 1, 0, 0, 0, 5, 0, 0, 0},
    {"ln 10x64", AT_OP_LAYERNORM, 10, 64, 0, 0, 0, 0, -1, 0, 0, 0},
    {"ln 7x300 residual in place", AT_OP_LAYERNORM, 7, 300, 0, 0, 1, 1, -1, 0, 0, 0},
    {"ln 2x1024 residual", AT_OP_LAYERNORM, 2, 1024, 0, 0, 0, 1, -1, 0, 0, 0},
    {"ln 3x17", AT_OP_LAYERNORM, 3, 17, 0, 0, 0, 0, -1, 0, 0, 0},
    /* long commands: the units side by side; the fmodel's SMX_BUSY /
     * LN_BUSY held to the rtl's (LONG_ROWS) */
    {"smx 96x128 len 128 in place", AT_OP_SOFTMAX, 96, 128, 0, 128, 1, 0, -1, 0, 0, 0},
    {"smx 64x128 len vec", AT_OP_SOFTMAX, 64, 128, 1, 0, 0, 0, -1, 0, 0, 0},
    {"smx 32x512 len 400 in place", AT_OP_SOFTMAX, 32, 512, 0, 400, 1, 0, -1, 0, 0, 0},
    {"ln 64x128 residual", AT_OP_LAYERNORM, 64, 128, 0, 0, 0, 1, -1, 0, 0, 0},
    {"ln 40x384 in place", AT_OP_LAYERNORM, 40, 384, 0, 0, 1, 0, -1, 0, 0, 0},
    /* DynaTran */
    {"smx 33x128 len vec tau 0", AT_OP_SOFTMAX, 33, 128, 1, 0, 0, 0, -1, 0, 1.0 / 1024, 0},
    {"smx 33x128 len vec tau 30", AT_OP_SOFTMAX, 33, 128, 1, 0, 0, 0, -1, 30, 1.0 / 1024, 0},
    {"smx 20x77 len 50 tau 600 ip", AT_OP_SOFTMAX, 20, 77, 0, 50, 1, 0, -1, 600, 1.0 / 1024, 0},
    {"smx 12x40 bad row 5 tau 200", AT_OP_SOFTMAX, 12, 40, 1, 0, 0, 0, 5, 200, 1.0 / 1024, 0},
    {"smx 4x200 len vec tau 32767", AT_OP_SOFTMAX, 4, 200, 1, 0, 0, 0, -1, 32767, 1.0 / 1024, 0},
    {"ln 7x300 res in place tau 50", AT_OP_LAYERNORM, 7, 300, 0, 0, 1, 1, -1, 50, 0, 0},
    {"ln 3x17 tau 2500", AT_OP_LAYERNORM, 3, 17, 0, 0, 0, 0, -1, 2500, 0, 0},
    {"ln 2x1024 res tau 32767", AT_OP_LAYERNORM, 2, 1024, 0, 0, 0, 1, -1, 32767, 0, 0},
    {"ln 4x40 boundary tau 0", AT_OP_LAYERNORM, 4, 40, 0, 0, 0, 0, -1, 0, 0, 1},
    {"ln 4x40 boundary tau 100", AT_OP_LAYERNORM, 4, 40, 0, 0, 0, 0, -1, 100, 0, 1},
    {"ln 4x40 boundary tau 32767", AT_OP_LAYERNORM, 4, 40, 0, 0, 1, 0, -1, 32767, 0, 1},
};
#define NCASES (sizeof k_cases / sizeof k_cases[0])
/* Commands of at least this many rows: |fmodel / rtl - 1| of the engine's
 * busy counter (SMX_BUSY or LN_BUSY) must be <= BUSY_TOL. */
#define LONG_ROWS 32u
#define BUSY_TOL 0.05

/* Host copies of the memory regions a job uses: the reference reads and
 * writes them as the device does. */
typedef struct region {
    uint64_t addr, bytes;
    uint8_t *p;
} region;

enum { R_X, R_RES, R_LENS, R_PAR, R_OUT, R_MASK, R_FENCE, R_N };

typedef struct job {
    const scase *sc;
    region r[R_N];
    uint32_t desc[16][AT_DESC_WORDS];
    int ndesc;
    int op_index;             /* ring index of the SOFTMAX / LAYERNORM */
    uint32_t dst, nb;         /* DST line, column blocks */
    uint32_t mask_first;      /* first mask line stored */
    at_softmax_params smx_p;
    at_layernorm_params ln_p;
} job;

static uint8_t *region_at(job *j, uint64_t addr, uint64_t n)
{
    for (int i = 0; i < R_N; i++)
        if (addr >= j->r[i].addr && addr + n <= j->r[i].addr + j->r[i].bytes)
            return j->r[i].p + (addr - j->r[i].addr);
    return NULL;
}

static void put16(uint8_t *p, unsigned e, int32_t v)
{
    p[2 * e] = (uint8_t)v;
    p[2 * e + 1] = (uint8_t)((uint32_t)v >> 8);
}

/* Inputs, memory layout (same on every backend: the bump allocator is
 * deterministic) and the command stream of a case. */
static void job_make(job *j, const scase *sc, uint64_t base)
{
    memset(j, 0, sizeof *j);
    j->sc = sc;
    const uint32_t rows = sc->rows, n = sc->n, nb = (n + 15) / 16;
    j->nb = nb;
    uint64_t sz[R_N] = {32ull * nb * rows, 32ull * nb * rows, 32ull * ((rows + 15) / 16),
                        128ull * nb,       32ull * nb * rows, 32ull * 64,
                        64};
    uint64_t a = base;
    for (int i = 0; i < R_N; i++) {
        j->r[i].addr = a;
        j->r[i].bytes = sz[i];
        j->r[i].p = calloc(1, sz[i]);
        a += (sz[i] + 63) & ~63ull;
    }
    /* inputs; padding columns in memory hold garbage (LOAD zeroes them) */
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t e = 0; e < 16 * nb; e++) {
            int32_t x = sc->op == AT_OP_SOFTMAX ? (int32_t)rand_range(-3000, 3000) : (int32_t)rand_range(-8000, 8000);
            int32_t res = (int32_t)rand_range(-4000, 4000);
            if (sc->boundary)
                x = (int32_t)(100 * r) - 150; /* constant rows: variance 0 */
            if (e >= n) {
                x = 0x1357;
                res = -0x1357;
            }
            put16(j->r[R_X].p + 32ull * nb * r, e, x);
            put16(j->r[R_RES].p + 32ull * nb * r, e, res);
        }
    for (uint32_t r = 0; r < 16 * ((rows + 15) / 16); r++) {
        int32_t len = r < rows ? (int32_t)rand_range(1, n) : 0;
        if ((int)r == sc->bad_row)
            len = 0;
        put16(j->r[R_LENS].p, r, len);
    }
    for (uint32_t cb = 0; cb < nb; cb++) {
        uint8_t *q = j->r[R_PAR].p + 128ull * cb;
        for (unsigned e = 0; e < 16; e++) {
            put16(q, e, (int32_t)rand_range(4000, 20000)); /* gamma */
            int32_t beta = (int32_t)rand_range(-3000, 3000);
            if (sc->boundary) {
                /* y = sat16(beta): exact zeros, +-tau, +-(tau + 1), the
                 * int16 limits and past them */
                static const int32_t pat[12] = {0, 1, -1, 0, 0, 0, 0, 40000, -40000, -32768, 32767, 7};
                int32_t t = (int32_t)sc->tau;
                beta = pat[(16 * cb + e) % 12];
                switch ((16 * cb + e) % 12) {
                case 3: beta = t; break;
                case 4: beta = -t; break;
                case 5: beta = t < 32767 ? t + 1 : 32767; break;
                case 6: beta = t < 32767 ? -(t + 1) : -32768; break;
                default: break;
                }
            }
            memcpy(q + 32 + 4 * e, &beta, 4);
        }
    }
    memset(j->r[R_OUT].p, 0xA5, j->r[R_OUT].bytes);

    /* scratchpad: X at 0, DST after it (or in place), RES, LENS */
    const uint32_t src = 0, res = rows * nb * 2 + 16, lens = res + rows * nb + 16;
    const uint32_t dst = sc->inplace ? src : ((rows * nb + 15) & ~15u);
    j->dst = dst;
    int k = 0;
    desc_xfer(j->desc[k++], AT_OP_LOAD, 0, src, rows, n, nb, 1, j->r[R_X].addr, 32 * nb, 1);
    if (sc->op == AT_OP_SOFTMAX) {
        if (sc->lenvec)
            desc_xfer(j->desc[k++], AT_OP_LOAD, 0, lens, 1, rows, 1, 1, j->r[R_LENS].addr, 32, 2);
        at_softmax_params sp;
        if (at_softmax_params_make(sc->in_scale > 0 ? sc->in_scale : 1.0 / 64, &sp))
            CHECK(0, "softmax params");
        j->smx_p = sp;
        smx_args s = {.rows = rows, .n = n, .len = sc->lenvec ? 0 : sc->len, .src = src, .lds = nb,
                      .dst = dst, .ldd = nb, .lens = sc->lenvec ? lens : 0, .len_vec = sc->lenvec,
                      .in = sp.in, .tau = sc->tau};
        desc_softmax(j->desc[k], &s, 3);
    } else {
        if (sc->residual)
            desc_xfer(j->desc[k++], AT_OP_LOAD, 0, res, rows, n, nb, 1, j->r[R_RES].addr, 32 * nb, 2);
        desc_xfer(j->desc[k++], AT_OP_LOAD, 1, 0, 4 * nb, 16, 1, 1, j->r[R_PAR].addr, 32, 4);
        at_layernorm_params lp;
        if (at_layernorm_params_make((int)n, 1.0 / 256, 1.0 / 16384, 1.0 / 1024, 1e-5, &lp))
            CHECK(0, "layernorm params");
        if (sc->boundary)
            lp.eps_q = 0; /* with variance 0: every output is sat16(beta) */
        j->ln_p = lp;
        ln_args l = {.rows = rows, .n = n, .src = src, .lds = nb, .dst = dst, .ldd = nb,
                     .res = sc->residual ? res : 0, .ldr = sc->residual ? nb : 0, .params = 0,
                     .residual = sc->residual, .out = lp.out, .eps = (uint64_t)lp.eps_q, .tau = sc->tau};
        desc_layernorm(j->desc[k], &l, 3);
    }
    j->op_index = k++;
    desc_xfer(j->desc[k++], AT_OP_STORE, 0, dst, rows, n, nb, 1, j->r[R_OUT].addr, 32 * nb, 5);
    uint32_t first = dst / 16, last = (dst + rows * nb - 1) / 16;
    j->mask_first = first;
    if (last - first + 1 <= 64)
        desc_xfer(j->desc[k++], AT_OP_STORE, 2, first, 1, 16 * (last - first + 1), 1, 1, j->r[R_MASK].addr, 32 * 64, 6);
    desc_fence(j->desc[k++], 0xFEED0000u, j->r[R_FENCE].addr, 1, 7);
    j->ndesc = k;
}

static void job_free(job *j)
{
    for (int i = 0; i < R_N; i++)
        free(j->r[i].p);
}

/* The reference: the command stream on scratchpad arrays (docs/isa.md
 * LOAD/STORE, at_exec_compute). Returns the error code of the first
 * failing command (its detail in *detail), counting into *want. */
static unsigned reference(job *j, const at_hw_config *cfg, cu_counts *want, uint32_t *detail)
{
    at_spad sp;
    memset(want, 0, sizeof *want);
    if (at_spad_init(&sp, cfg)) {
        CHECK(0, "at_spad_init");
        return 99;
    }
    unsigned code = 0;
    for (int i = 0; i < j->ndesc && !code; i++) {
        const uint32_t *d = j->desc[i];
        unsigned op = AT_DGET(d, OPCODE);
        uint32_t det = 0;
        unsigned c = (unsigned)at_exec_check(d, &sp, cfg, &det);
        if (c) {
            code = c;
            *detail = det;
            break;
        }
        want->mem_rd_bytes += 64;
        if (op == AT_OP_LOAD || op == AT_OP_STORE) {
            unsigned buf = AT_DGET(d, XFER_BUF);
            uint32_t rows = AT_DGET(d, XFER_ROWS), ncb = (AT_DGET(d, XFER_COLS) + 15) / 16;
            for (uint32_t r = 0; r < rows; r++)
                for (uint32_t cb = 0; cb < ncb; cb++) {
                    uint64_t line = at_exec_xfer_line(d, r, cb), addr = at_exec_xfer_addr(d, r, cb);
                    int valid = at_exec_xfer_valid(d, cb);
                    uint8_t *m = region_at(j, addr, 32);
                    if (!m) {
                        CHECK(0, "reference: address 0x%" PRIx64 " outside the regions", addr);
                        continue;
                    }
                    int16_t *l = buf == 0 ? sp.act[line] : buf == 1 ? sp.wgt[line] : NULL;
                    if (op == AT_OP_LOAD) {
                        int16_t v[16];
                        for (int e = 0; e < 16; e++)
                            v[e] = e < valid ? (int16_t)(m[2 * e] | m[2 * e + 1] << 8) : 0;
                        if (l)
                            memcpy(l, v, sizeof v);
                        else
                            for (int e = 0; e < 16; e++)
                                sp.act_mask[16 * line + e] = (uint16_t)v[e];
                        if (buf == 0 && !AT_DGET(d, XFER_KEEP_MASK))
                            sp.act_mask[line] = (uint16_t)((1u << valid) - 1u);
                        want->mem_rd_bytes += 32;
                    } else {
                        for (int e = 0; e < valid; e++) {
                            int16_t v = l ? l[e] : (int16_t)sp.act_mask[16 * line + e];
                            put16(m, (unsigned)e, v);
                        }
                        want->mem_wr_bytes += 2ull * valid;
                    }
                }
        } else if (op == AT_OP_FENCE) {
            uint32_t v = AT_DGET(d, FENCE_VALUE);
            uint8_t *m = region_at(j, (uint64_t)AT_DGET(d, FENCE_ADDR_HI) << 32 | AT_DGET(d, FENCE_ADDR_LO), 4);
            if (m)
                memcpy(m, &v, 4);
            want->mem_wr_bytes += 4;
        } else {
            at_exec_counts cnt = {0};
            c = (unsigned)at_exec_compute(d, &sp, &cnt, &det);
            want->mac_issued += cnt.mac_issued;
            want->mac_skipped += cnt.mac_skipped;
            want->pruned += cnt.pruned;
            want->smx_rows += cnt.smx_rows;
            want->ln_rows += cnt.ln_rows;
            if (c) {
                code = c;
                *detail = det;
                break;
            }
        }
        want->cmds++;
    }
    at_spad_free(&sp);
    return code;
}

static int16_t get16(const uint8_t *p, unsigned e)
{
    return (int16_t)(uint16_t)(p[2 * e] | p[2 * e + 1] << 8);
}

/* Host reference of the SOFTMAX / LAYERNORM with DynaTran, from the job's
 * memory inputs: y[r][e] (e < n) after the threshold, the pruned count
 * (SOFTMAX: e < len_r of the rows before a bad one; LAYERNORM: e < n) and
 * sens = the non-zero outputs the threshold zeroed. */
typedef struct host_ref {
    int16_t *y;      /* rows x n */
    uint32_t rows_done;
    uint64_t pruned, sens;
} host_ref;

static void host_reference(const job *j, host_ref *h)
{
    const scase *sc = j->sc;
    const uint32_t n = sc->n, nb = j->nb;
    h->y = calloc((size_t)sc->rows * n, sizeof *h->y);
    h->rows_done = 0;
    h->pruned = h->sens = 0;
    static int16_t x[1024], res[1024], gamma[1024], y[1024];
    static int32_t beta[1024];
    for (uint32_t r = 0; r < sc->rows; r++) {
        const uint8_t *xr = j->r[R_X].p + 32ull * nb * r, *rr = j->r[R_RES].p + 32ull * nb * r;
        uint32_t len = n;
        if (sc->op == AT_OP_SOFTMAX) {
            len = sc->lenvec ? (uint16_t)get16(j->r[R_LENS].p, r) : sc->len;
            if (len == 0 || len > n)
                break; /* the command stops here */
            memset(x, 0, sizeof x);
            for (uint32_t e = 0; e < len; e++)
                x[e] = get16(xr, e);
            if (at_softmax_row(x, (int)n, (int)len, &j->smx_p, y))
                CHECK(0, "%s: at_softmax_row", sc->name);
        } else {
            for (uint32_t e = 0; e < n; e++) {
                const uint8_t *q = j->r[R_PAR].p + 128ull * (e / 16);
                x[e] = get16(xr, e);
                res[e] = get16(rr, e);
                gamma[e] = get16(q, e % 16);
                memcpy(&beta[e], q + 32 + 4 * (e % 16), 4);
            }
            if (at_layernorm_row(x, sc->residual ? res : NULL, (int)n, gamma, beta, &j->ln_p, y))
                CHECK(0, "%s: at_layernorm_row", sc->name);
        }
        for (uint32_t e = 0; e < n; e++) {
            int32_t v = y[e], a = v < 0 ? -v : v;
            if (a <= (int32_t)sc->tau) {
                h->sens += v != 0;
                v = 0;
                h->pruned += e < len;
            }
            h->y[(size_t)r * n + e] = (int16_t)v;
        }
        h->rows_done = r + 1;
    }
}

/* The device's output rows and mask words against the host reference. */
static void host_compare(const job *j, const host_ref *h, const char *bn, const uint8_t *out, const uint8_t *mask,
                         uint64_t pruned)
{
    const scase *sc = j->sc;
    const uint32_t n = sc->n, nb = j->nb;
    int bad = 0;
    if (sc->bad_row < 0)
        for (uint32_t r = 0; r < sc->rows && bad < 3; r++)
            for (uint32_t e = 0; e < 16 * nb && bad < 3; e++) {
                int16_t want = e < n ? h->y[(size_t)r * n + e] : 0;
                uint32_t line = j->dst + r * nb + e / 16;
                int gotm = (get16(mask, line - 16 * j->mask_first) >> (e % 16)) & 1;
                int16_t got = e < n ? get16(out + 32ull * nb * r, e) : 0;
                if (got != want || gotm != (want != 0)) {
                    CHECK(0, "%s on %s: row %u elem %u = %d mask %d, host reference %d mask %d (tau %u)", sc->name,
                          bn, r, e, got, gotm, want, want != 0, sc->tau);
                    bad++;
                }
            }
    CHECK(pruned == h->pruned, "%s on %s: CNT_PRUNED %" PRIu64 ", host reference %" PRIu64 " (tau %u, %u rows)",
          sc->name, bn, pruned, h->pruned, sc->tau, h->rows_done);
    if (sc->tau > 0)
        CHECK(h->sens > 0, "%s: the threshold %u prunes no non-zero output (the case tests nothing)", sc->name,
              sc->tau);
}

typedef struct outcome {
    uint32_t status, err_code, err_info, head;
    uint8_t *out, *mask;
    uint32_t fence;
    cu_counts cnt;
    cu_units units;
    uint32_t nunits; /* units of the command's engine */
} outcome;

static void run_on(at_cosim_backend be, const scase *sc, uint64_t seed, outcome *o, cu_counts *want, unsigned *rcode,
                   uint32_t *rdetail, job *jref)
{
    memset(o, 0, sizeof *o);
    cdev d;
    if (cu_open(&d, be, AT_COSIM_FAST, 5))
        return;
    uint64_t base = cu_alloc(&d, 1 << 20);
    rng_state = seed;
    job j;
    job_make(&j, sc, base);
    for (int i = 0; i < R_N; i++)
        if (i != R_MASK && i != R_FENCE)
            cu_put(&d, j.r[i].addr, j.r[i].p, j.r[i].bytes);
    for (int i = 0; i < j.ndesc; i++)
        cu_push(&d, j.desc[i]);
    cu_kick_wait(&d, 20000000);
    o->status = cu_rd(&d, AT_REG_STATUS);
    o->err_code = cu_rd(&d, AT_REG_ERR_CODE);
    o->err_info = cu_rd(&d, AT_REG_ERR_INFO);
    o->head = cu_rd(&d, AT_REG_RING_HEAD);
    o->out = malloc(j.r[R_OUT].bytes);
    o->mask = malloc(j.r[R_MASK].bytes);
    cu_get(&d, j.r[R_OUT].addr, o->out, j.r[R_OUT].bytes);
    cu_get(&d, j.r[R_MASK].addr, o->mask, j.r[R_MASK].bytes);
    cu_get(&d, j.r[R_FENCE].addr, &o->fence, 4);
    cu_read_counts(&d, &o->cnt);
    cu_read_units(&d, &o->units);
    o->nunits = sc->op == AT_OP_SOFTMAX ? d.cfg->softmax_units : d.cfg->ln_units;
    if (sc->bad_row < 0) {
        /* LOADs, the unit's command and the STOREs all ran */
        unsigned has = 8u | 16u;
        for (int i = 0; i < j.ndesc; i++)
            has |= AT_DGET(j.desc[i], OPCODE) == AT_OP_SOFTMAX ? 2u : AT_DGET(j.desc[i], OPCODE) == AT_OP_LAYERNORM ? 4u : 0u;
        cu_units u;
        cu_read_units(&d, &u);
        cu_check_units(sc->name, cu_name(&d), &u, has);
    }
    printf("  %-28s %-6s: %7" PRIu64 " cycles in %5.2f s\n", sc->name, cu_name(&d), d.sim_cycles, d.sim_seconds);
    /* the reference, on the same layout */
    *rdetail = 0;
    *rcode = reference(&j, d.cfg, want, rdetail);
    *jref = j;
    cu_close(&d);
}

static void t_cases(void)
{
    uint64_t seed = check_seed("test_cosim_smx_ln", 0x5A17u);
    at_cosim_backend bes[2];
    int nb = cu_backends(bes);
    for (size_t c = 0; c < NCASES; c++) {
        const scase *sc = &k_cases[c];
        outcome o[2];
        for (int b = 0; b < nb; b++) {
            cu_counts want;
            unsigned rcode = 0;
            uint32_t rdet = 0;
            job j;
            memset(&j, 0, sizeof j);
            run_on(bes[b], sc, seed + c, &o[b], &want, &rcode, &rdet, &j);
            const char *bn = at_cosim_backend_name(bes[b]);
            if (!o[b].out) {
                job_free(&j);
                continue;
            }
            host_ref h;
            host_reference(&j, &h);
            host_compare(&j, &h, bn, o[b].out, o[b].mask, o[b].cnt.pruned);
            free(h.y);
            if (sc->bad_row >= 0) {
                CHECK(rcode == AT_DEVERR_ILLEGAL_FIELD && rdet == 0x10000u + (uint32_t)sc->bad_row,
                      "%s: reference error %u detail 0x%x", sc->name, rcode, rdet);
                CHECK(o[b].status == AT_REG_STATUS_HALTED_MASK &&
                          AT_GET(AT_REG_ERR_CODE_CODE, o[b].err_code) == rcode && o[b].err_info == rdet &&
                          o[b].head == (uint32_t)j.op_index,
                      "%s on %s: STATUS 0x%x ERR_CODE 0x%08x ERR_INFO 0x%x HEAD %u vs reference code %u detail 0x%x head %d",
                      sc->name, bn, o[b].status, o[b].err_code, o[b].err_info, o[b].head, rcode, rdet, j.op_index);
                CHECK(o[b].cnt.cmds == want.cmds, "%s on %s: CNT_CMDS %" PRIu64 " vs reference %" PRIu64, sc->name, bn,
                      o[b].cnt.cmds, want.cmds);
            } else {
                CHECK(rcode == 0, "%s: reference failed with %u detail 0x%x", sc->name, rcode, rdet);
                CHECK(o[b].status == AT_REG_STATUS_IDLE_MASK, "%s on %s: STATUS 0x%x ERR_CODE 0x%08x ERR_INFO 0x%x",
                      sc->name, bn, o[b].status, o[b].err_code, o[b].err_info);
                char what[96];
                snprintf(what, sizeof what, "%s: output", sc->name);
                cu_same_bytes(what, bn, o[b].out, "reference", j.r[R_OUT].p, j.r[R_OUT].bytes);
                /* mask words of the DST lines only (other lines are not defined) */
                uint32_t off = j.dst - 16 * j.mask_first, nl = sc->rows * j.nb;
                snprintf(what, sizeof what, "%s: mask words of the output lines", sc->name);
                cu_same_bytes(what, bn, o[b].mask + 2 * off, "reference", j.r[R_MASK].p + 2 * off, 2ull * nl);
                CHECK(o[b].fence == 0xFEED0000u, "%s on %s: fence word 0x%08x", sc->name, bn, o[b].fence);
                cu_check_counts(sc->name, bn, &o[b].cnt, "reference", &want, 1);
            }
            if (b > 0 && o[0].out) {
                char what[96];
                snprintf(what, sizeof what, "%s: output", sc->name);
                cu_same_bytes(what, at_cosim_backend_name(bes[0]), o[0].out, bn, o[b].out, j.r[R_OUT].bytes);
                CHECK(o[0].status == o[b].status && o[0].err_code == o[b].err_code && o[0].err_info == o[b].err_info &&
                          o[0].head == o[b].head,
                      "%s: %s STATUS 0x%x ERR_CODE 0x%08x INFO 0x%x HEAD %u vs %s 0x%x 0x%08x 0x%x %u", sc->name,
                      at_cosim_backend_name(bes[0]), o[0].status, o[0].err_code, o[0].err_info, o[0].head, bn,
                      o[b].status, o[b].err_code, o[b].err_info, o[b].head);
                cu_check_counts(sc->name, at_cosim_backend_name(bes[0]), &o[0].cnt, bn, &o[b].cnt, sc->bad_row < 0);
            }
            job_free(&j);
        }
        if (nb == 2 && o[0].out && o[1].out && sc->bad_row < 0 && sc->rows >= LONG_ROWS) {
            int f = bes[0] == AT_COSIM_FMODEL ? 0 : 1;
            uint64_t fm = sc->op == AT_OP_SOFTMAX ? o[f].units.smx : o[f].units.ln;
            uint64_t rt = sc->op == AT_OP_SOFTMAX ? o[1 - f].units.smx : o[1 - f].units.ln;
            double ratio = rt ? (double)fm / (double)rt : 0.0;
            printf("  %-28s %s_BUSY fmodel %" PRIu64 " rtl %" PRIu64 " ratio %.4f (%u units)\n", sc->name,
                   sc->op == AT_OP_SOFTMAX ? "SMX" : "LN", fm, rt, ratio,
                   o[f].nunits);
            CHECK(fabs(ratio - 1.0) <= BUSY_TOL, "%s: %s_BUSY fmodel %" PRIu64 " / rtl %" PRIu64 " = %.4f, beyond 1 +- %.2f",
                  sc->name, sc->op == AT_OP_SOFTMAX ? "SMX" : "LN", fm, rt, ratio, BUSY_TOL);
        }
        for (int b = 0; b < nb; b++) {
            free(o[b].out);
            free(o[b].mask);
        }
    }
}

int main(void)
{
    RUN_CASE(t_cases);
    return check_finish("test_cosim_smx_ln");
}
