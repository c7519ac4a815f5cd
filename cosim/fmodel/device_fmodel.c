/* The functional-model backend of the cosim library: the whole device of
 * docs/isa.md and docs/registers.md in C.
 *
 * Semantics: commands execute completely, in ring order, at the time they
 * issue (device_exec.c for checks and compute, the DMA here). The
 * dependency rule makes this equal to the overlapped hardware.
 *
 * Time: an event-driven estimate (docs/cosim.md, "fmodel timing model").
 * Actions (a descriptor fetch, the issue of the oldest fetched
 * descriptor) and events (a command's completion with its counter
 * increments, a FENCE's FENCE_DONE / IRQ, the halt after an error, the end
 * of a soft reset) happen at computed cycles; at_cosim_run processes them
 * in time order up to the stop condition. Three engines (load, store,
 * compute) run one command each; a command issues when its engine is free,
 * the commands it has a hazard with have ended, and the previous one
 * issued. */
#include "device_fmodel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acceltran_hw.h"
#include "at_act_bank.h"
#include "device_exec.h"
#include "host_mem.h"
#include "numerics.h"
#include "pe_model.h"

#define T_NEVER UINT64_MAX
#define FM_MAX_EVENTS 32
#define FM_NUM_WINDOWS 4u

enum { ENG_LOAD, ENG_STORE, ENG_COMPUTE, ENG_NUM };

/* Counters in register order (generated indices: CNT_x_LO = AT_CNT_REG(index)). */
enum {
    CNT_CYCLES = AT_CNT_CYCLES, CNT_BUSY = AT_CNT_BUSY, CNT_STALL_DEP = AT_CNT_STALL_DEP,
    CNT_STALL_MEM = AT_CNT_STALL_MEM, CNT_STALL_WGT = AT_CNT_STALL_WGT, CNT_STALL_ACT = AT_CNT_STALL_ACT,
    CNT_PE_BUSY = AT_CNT_PE_BUSY, CNT_MAC_ISSUED = AT_CNT_MAC_ISSUED, CNT_MAC_SKIPPED = AT_CNT_MAC_SKIPPED,
    CNT_PRUNED = AT_CNT_PRUNED, CNT_SPAD_RD = AT_CNT_SPAD_RD, CNT_SPAD_WR = AT_CNT_SPAD_WR,
    CNT_MEM_RD = AT_CNT_MEM_RD_BYTES, CNT_MEM_WR = AT_CNT_MEM_WR_BYTES, CNT_CMDS = AT_CNT_CMDS,
    CNT_GEMM_BUSY = AT_CNT_GEMM_BUSY, CNT_SMX_BUSY = AT_CNT_SMX_BUSY, CNT_LN_BUSY = AT_CNT_LN_BUSY,
    CNT_LOAD_BUSY = AT_CNT_LOAD_BUSY, CNT_STORE_BUSY = AT_CNT_STORE_BUSY, CNT_DMA_ONLY = AT_CNT_DMA_ONLY,
    CNT_SMX_ROWS = AT_CNT_SMX_ROWS, CNT_LN_ROWS = AT_CNT_LN_ROWS, CNT_ACT_RD = AT_CNT_SPAD_ACT_RD,
    CNT_ACT_WR = AT_CNT_SPAD_ACT_WR, CNT_WGT_RD = AT_CNT_SPAD_WGT_RD, CNT_WGT_WR = AT_CNT_SPAD_WGT_WR,
    CNT_MASK_RD = AT_CNT_SPAD_MASK_RD, CNT_MASK_WR = AT_CNT_SPAD_MASK_WR, CNT_NUM = AT_NUM_COUNTERS
};
#define CNT_MASK ((UINT64_C(1) << 48) - 1)

enum { EV_DONE, EV_FENCE, EV_HALT, EV_RESET };

typedef struct fm_event {
    uint64_t t, seq;
    int kind;
    uint64_t delta[CNT_NUM];
    uint32_t value;   /* FENCE: FENCE_DONE value */
    int irq;          /* FENCE: set IRQ_STATUS.DONE */
    uint8_t *wr;      /* FENCE: where the write-back goes (NULL: none), written when the event applies */
    uint32_t err_code, err_info, index; /* HALT */
    uint64_t err_desc;
} fm_event;

/* A fetch whose slot RING_HEAD has not yet passed. */
typedef struct fm_inflight {
    uint32_t index;
    uint64_t arrive; /* cycle its last beat arrived (a failed check: the fetch cycle) */
} fm_inflight;

/* A fetched descriptor waiting for issue. */
typedef struct fm_fetched {
    uint32_t d[AT_DESC_WORDS];
    uint32_t index;
    uint64_t addr;
    uint64_t arrive;     /* cycle its last beat arrived */
    uint64_t stall_mem;  /* fetch cycles without data */
    int err;             /* fetch error code (AT_DEVERR_*) or 0 */
    uint32_t err_detail;
} fm_fetched;

/* Read bursts of one command: requests one per cycle from t0, at most
 * FM_RD_OUTSTANDING in flight, data latency after the request, beats at
 * the bus rate. */
typedef struct bus_seq {
    uint64_t req;          /* next request cycle */
    double done[16];       /* completion of the last bursts (ring) */
    unsigned n;            /* bursts so far */
    unsigned limit;
    double last;           /* last completion */
    uint64_t beats;
} bus_seq;

typedef struct issue_plan {
    uint64_t t_dec;   /* decoded and checked */
    uint64_t t;       /* issue (or error) cycle */
    int err;
    uint32_t detail;
    int nr;
    at_spad_range r[8];
    int mem, wraps;
    uint64_t mlo, mhi;
} issue_plan;

typedef struct xfer_result {
    uint64_t end;
    int err;
    uint32_t detail;
    uint64_t delta[CNT_NUM];
} xfer_result;

/* A LOAD or STORE in progress: where its bursts have got to (resumable
 * when a burst's response is held). */
typedef struct xfer_state {
    uint32_t d[AT_DESC_WORDS];
    uint64_t t;          /* issue cycle */
    int load;
    uint32_t ncb;
    uint64_t seg, total; /* beats per segment, in all */
    uint64_t s0, g;      /* the segment and the beat of the next burst */
    bus_seq b;
    xfer_result x;
} xfer_state;

/* A bus burst whose response an injected stall holds until it is removed
 * (at_host_mem_stall with AT_HOST_MEM_STALL_FOREVER), and what waits for
 * it: a descriptor fetch or a LOAD (reads), a STORE or a FENCE's
 * write-back (writes); a LOAD / STORE stops before the held burst. One
 * per direction: responses come in order, so a held read holds every
 * later read (no fetch or LOAD issues meanwhile) and a held write every
 * later write (no STORE); the other direction and compute go on, and no
 * FENCE issues while anything is held. When the stall goes, the burst is
 * requested at that cycle and the work continues (docs/cosim.md, "Fault
 * injection"). */
enum { HELD_NONE, HELD_FETCH, HELD_XFER, HELD_FENCE };
enum { DIR_RD, DIR_WR };
typedef struct fm_held {
    int kind;
    uint64_t addr, n;    /* the held burst's bytes (32-byte aligned) */
    uint64_t t;          /* FETCH: the fetch cycle; FENCE: its issue cycle */
    unsigned qslot;      /* FETCH: its entry in q */
    fm_fetched f;        /* XFER / FENCE: the command */
    issue_plan p;        /* XFER: its scratchpad ranges */
    uint64_t delta[CNT_NUM]; /* XFER / FENCE: counter increments before the transfer */
    xfer_state xs;       /* XFER */
} fm_held;

/* The last command of an engine (the only one that may still run): it
 * holds the engine over [start, end). */
typedef struct fm_engine {
    uint64_t start, end;
    int nr;
    at_spad_range r[8]; /* mask-buffer intervals converted to activation lines */
    int mem;            /* 1: LOAD/STORE with [mlo, mhi) */
    uint64_t mlo, mhi;
    unsigned op;
} fm_engine;

typedef struct fm_dev {
    const at_hw_config *cfg;
    at_host_mem *mem;
    at_spad sp;
    double cpb;     /* cycles per beat on one direction of the bus (>= 1) */
    double bw_cpb;  /* cycles per beat of the shared bandwidth */
    uint32_t latency;

    uint64_t now;      /* device clock since creation */
    uint64_t reset_at; /* CNT_CYCLES = now - reset_at */
    uint64_t seq;

    /* registers */
    uint32_t ctrl, irq_status, irq_enable, fence_done;
    uint32_t ring_lo, ring_hi, ring_log2, tail;
    uint32_t head;      /* fetch pointer: the next slot to fetch */
    uint32_t win[FM_NUM_WINDOWS][4]; /* base lo, base hi, size lo, size hi */
    uint32_t err_code, err_info;
    uint64_t err_desc;
    int halted, resetting;
    fm_held held[2];             /* DIR_RD / DIR_WR: a burst's response held by an injected stall */
    uint64_t cnt[CNT_NUM];
    uint32_t cnt_hi[CNT_NUM];

    /* pipeline */
    fm_fetched q[FM_FETCH_DEPTH];
    unsigned qhead, qlen;
    /* RING_HEAD trails the fetch pointer: the oldest of these fetches whose
     * data has not arrived by now (none: RING_HEAD = head). In ring order;
     * at most FM_FETCH_DEPTH have not arrived (they are still in q, or were
     * dropped by an error, after which nothing more is fetched). */
    fm_inflight fl[FM_FETCH_DEPTH + 1];
    unsigned fl_n;
    int fetch_blocked;  /* a fetch failed: nothing more is fetched */
    int stopping;       /* an error was found: nothing more issues; HALT pending */
    uint64_t fetch_free, issue_free, fence_until;
    double rd_free, wr_free, bw_free;
    fm_engine eng[ENG_NUM];
    fm_event ev[FM_MAX_EVENTS];
    int nev;
} fm_dev;

/* ================================================================ helpers */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static double max_d(double a, double b)
{
    return a > b ? a : b;
}

static uint64_t ceil_d(double x)
{
    uint64_t t = (uint64_t)x;
    return (double)t < x ? t + 1 : t;
}

static uint32_t ring_mask(const fm_dev *v)
{
    unsigned l = v->ring_log2 > 16 ? 16 : v->ring_log2;
    return (1u << l) - 1u;
}

static uint64_t ring_base(const fm_dev *v)
{
    return ((uint64_t)v->ring_hi << 32) | v->ring_lo;
}

static int fetch_possible(const fm_dev *v)
{
    return (v->ctrl & 1u) && !v->halted && !v->resetting && !v->stopping && !v->fetch_blocked &&
           !v->held[DIR_RD].kind && v->head != (v->tail & ring_mask(v));
}

static int dev_busy(const fm_dev *v)
{
    if (v->halted || v->resetting)
        return 0;
    return v->nev > 0 || v->qlen > 0 || v->stopping || v->held[DIR_RD].kind || v->held[DIR_WR].kind ||
           fetch_possible(v);
}

static int dev_idle(const fm_dev *v)
{
    return !dev_busy(v) && !v->halted && !v->resetting && v->head == (v->tail & ring_mask(v));
}

/* RING_HEAD: a slot is passed once its descriptor has been read in full
 * (or its fetch failed a check), in ring order (docs/isa.md). */
static uint32_t ring_head(const fm_dev *v)
{
    for (unsigned i = 0; i < v->fl_n; i++)
        if (v->fl[i].arrive > v->now)
            return v->fl[i].index;
    return v->head;
}

static int irq_line(const fm_dev *v)
{
    return (v->irq_status & v->irq_enable & 3u) != 0;
}

/* 1 when [lo, hi) lies in one open window (65-bit arithmetic). */
static int in_window(const fm_dev *v, uint64_t lo, uint64_t hi, int wraps)
{
    if (wraps)
        return 0;
    unsigned n = v->cfg->windows < FM_NUM_WINDOWS ? v->cfg->windows : FM_NUM_WINDOWS;
    for (unsigned w = 0; w < n; w++) {
        uint64_t base = ((uint64_t)v->win[w][1] << 32) | v->win[w][0];
        uint64_t size = ((uint64_t)v->win[w][3] << 32) | v->win[w][2];
        if (size == 0 || lo < base)
            continue;
        /* hi - base <= size, in 65 bits: hi >= lo >= base */
        if (hi - base <= size)
            return 1;
    }
    return 0;
}

/* ================================================================ events */

static fm_event *event_new(fm_dev *v, uint64_t t, int kind)
{
    if (v->nev == FM_MAX_EVENTS) /* cannot happen: at most one command per engine runs */
        v->nev--;
    fm_event *e = &v->ev[v->nev++];
    memset(e, 0, sizeof *e);
    e->t = t;
    e->kind = kind;
    e->seq = v->seq++;
    return e;
}

static int event_first(const fm_dev *v)
{
    int best = -1;
    for (int i = 0; i < v->nev; i++)
        if (best < 0 || v->ev[i].t < v->ev[best].t ||
            (v->ev[i].t == v->ev[best].t && v->ev[i].seq < v->ev[best].seq))
            best = i;
    return best;
}

static void counters_add(fm_dev *v, const uint64_t *delta)
{
    for (int i = 0; i < CNT_NUM; i++)
        v->cnt[i] = (v->cnt[i] + delta[i]) & CNT_MASK;
}

static void dev_reset_state(fm_dev *v);

static void event_apply(fm_dev *v, fm_event e)
{
    counters_add(v, e.delta);
    switch (e.kind) {
    case EV_FENCE:
        /* the write-back lands when the fence completes (a soft reset
         * before then cancels it, as in the RTL) */
        for (int i = 0; e.wr && i < 4; i++)
            e.wr[i] = (uint8_t)(e.value >> (8 * i));
        v->fence_done = e.value;
        if (e.irq)
            v->irq_status |= AT_REG_IRQ_STATUS_DONE_MASK;
        break;
    case EV_HALT:
        v->halted = 1;
        v->stopping = 0;
        v->err_code = e.err_code;
        v->err_info = e.err_info;
        v->err_desc = e.err_desc;
        v->head = e.index;
        v->fl_n = 0; /* reads still in flight do not move HEAD from the failing index */
        v->irq_status |= AT_REG_IRQ_STATUS_ERROR_MASK;
        break;
    case EV_RESET:
        dev_reset_state(v);
        break;
    default:
        break;
    }
}

/* Length of [lo, hi) within [a, b). */
static uint64_t span_in(uint64_t a, uint64_t b, uint64_t lo, uint64_t hi)
{
    lo = lo > a ? lo : a;
    hi = hi < b ? hi : b;
    return hi > lo ? hi - lo : 0;
}

static void cnt_add(fm_dev *v, int i, uint64_t n)
{
    v->cnt[i] = (v->cnt[i] + n) & CNT_MASK;
}

/* The unit counters over [a, b): each engine holds its last command over
 * [start, end); DMA_ONLY = |(load U store) \ compute|. */
static void count_units(fm_dev *v, uint64_t a, uint64_t b)
{
    const fm_engine *L = &v->eng[ENG_LOAD], *S = &v->eng[ENG_STORE], *C = &v->eng[ENG_COMPUTE];
    uint64_t l = span_in(a, b, L->start, L->end), s = span_in(a, b, S->start, S->end);
    uint64_t c = span_in(a, b, C->start, C->end);
    cnt_add(v, CNT_LOAD_BUSY, l);
    cnt_add(v, CNT_STORE_BUSY, s);
    if (c)
        cnt_add(v, C->op == AT_OP_GEMM ? CNT_GEMM_BUSY : C->op == AT_OP_SOFTMAX ? CNT_SMX_BUSY : CNT_LN_BUSY, c);
    uint64_t ls_lo = max_u64(L->start, S->start), ls_hi = L->end < S->end ? L->end : S->end;
    uint64_t ls = span_in(a, b, ls_lo, ls_hi);
    uint64_t lc = span_in(a, b, max_u64(L->start, C->start), L->end < C->end ? L->end : C->end);
    uint64_t sc = span_in(a, b, max_u64(S->start, C->start), S->end < C->end ? S->end : C->end);
    uint64_t lsc = span_in(a, b, max_u64(ls_lo, C->start), ls_hi < C->end ? ls_hi : C->end);
    cnt_add(v, CNT_DMA_ONLY, (l + s - ls) - (lc + sc - lsc));
}

/* Moves the clock to t (>= now), counting busy cycles. */
static void clock_to(fm_dev *v, uint64_t t)
{
    if (t <= v->now)
        return;
    if (dev_busy(v))
        cnt_add(v, CNT_BUSY, t - v->now);
    count_units(v, v->now, t);
    v->now = t;
}

/* ================================================================ errors */

static uint64_t engines_end(const fm_dev *v)
{
    uint64_t t = v->fence_until;
    for (int e = 0; e < ENG_NUM; e++)
        t = max_u64(t, v->eng[e].end);
    return t;
}

/* The first error: nothing more issues; the halt comes when every issued
 * command has ended. The prefetched descriptors are dropped. */
static void raise_error(fm_dev *v, uint64_t t, const fm_fetched *f, int code, uint32_t detail,
                        const uint64_t *delta)
{
    fm_event *e = event_new(v, max_u64(t, engines_end(v)), EV_HALT);
    if (delta)
        memcpy(e->delta, delta, sizeof e->delta);
    e->delta[CNT_CMDS] = 0;
    e->err_code = AT_PUT(AT_REG_ERR_CODE_CODE, (uint32_t)code) |
                  AT_PUT(AT_REG_ERR_CODE_OPCODE, AT_DGET(f->d, OPCODE)) |
                  AT_PUT(AT_REG_ERR_CODE_TAG, AT_DGET(f->d, TAG));
    e->err_info = detail;
    e->err_desc = f->addr;
    e->index = f->index;
    v->stopping = 1;
    v->qlen = 0;
}

/* ================================================================ bus timing */

static void bus_seq_init(bus_seq *b, uint64_t t0, unsigned limit)
{
    memset(b, 0, sizeof *b);
    b->req = t0;
    b->limit = limit;
    b->last = (double)t0;
}

/* 1 when an injected stall holds the response of the burst at addr until
 * the stall is removed (the caller then holds its work: fm_held). */
static int burst_held(const fm_dev *v, uint64_t addr, unsigned beats)
{
    return at_host_mem_bus_stall(v->mem, addr & ~(uint64_t)31u, 32ull * beats) == AT_HOST_MEM_STALL_FOREVER;
}

static fm_held *hold(fm_dev *v, int dir, int kind, uint64_t addr, unsigned beats)
{
    fm_held *h = &v->held[dir];
    h->kind = kind;
    h->addr = addr & ~(uint64_t)31u;
    h->n = 32ull * beats;
    return h;
}

/* One burst of `beats` (not held: burst_held); returns its completion time
 * (last beat + 1, or for writes the B response). */
static double bus_burst(fm_dev *v, bus_seq *b, uint64_t addr, unsigned beats, int write)
{
    double req = (double)b->req;
    if (b->n >= b->limit)
        req = max_d(req, b->done[(b->n - b->limit) % 16u]);
    double *dir = write ? &v->wr_free : &v->rd_free;
    double first = write ? req + 1.0 : req + (double)v->latency;
    first = max_d(first, max_d(*dir, v->bw_free));
    /* an injected stall delays the response (reads: the first beat; writes: B) */
    uint64_t lo = addr & ~(uint64_t)31u;
    uint32_t st = at_host_mem_bus_stall(v->mem, lo, 32ull * beats);
    if (st == AT_HOST_MEM_STALL_FOREVER) /* the callers hold such a burst instead */
        st = 0;
    if (!write)
        first += (double)st;
    double end = first + (double)beats * v->cpb;
    *dir = end;
    v->bw_free = first + (double)beats * v->bw_cpb;
    double done = write ? end + FM_WR_RESP_LATENCY + (double)st : end;
    b->done[b->n % 16u] = done;
    b->n++;
    b->req = ceil_d(req) + 1;
    b->last = max_d(b->last, done);
    b->beats += beats;
    return done;
}

/* ================================================================ fetch */

/* The descriptor's read burst, requested at `req` (the fetch started at t),
 * and its bytes. */
static void fetch_read(fm_dev *v, fm_fetched *f, uint64_t t, uint64_t req)
{
    bus_seq b;
    bus_seq_init(&b, req, FM_RD_OUTSTANDING);
    f->arrive = ceil_d(bus_burst(v, &b, f->addr, AT_DESC_BYTES / 32u, 0));
    f->stall_mem = f->arrive - t - AT_DESC_BYTES / 32u;
    unsigned resp = at_host_mem_bus_resp(v->mem, f->addr, AT_DESC_BYTES);
    const uint8_t *p = at_host_mem_ptr(v->mem, f->addr, AT_DESC_BYTES);
    if (resp != AT_AXI_OKAY || !p) {
        f->err = resp == AT_AXI_SLVERR ? AT_DEVERR_BUS_SLVERR : AT_DEVERR_BUS_DECERR;
        f->err_detail = (uint32_t)f->addr;
    } else {
        for (unsigned w = 0; w < AT_DESC_WORDS; w++)
            f->d[w] = (uint32_t)p[4 * w] | (uint32_t)p[4 * w + 1] << 8 | (uint32_t)p[4 * w + 2] << 16 |
                      (uint32_t)p[4 * w + 3] << 24;
    }
    if (f->err) {
        memset(f->d, 0, sizeof f->d);
        v->fetch_blocked = 1;
    }
}

static void do_fetch(fm_dev *v, uint64_t t)
{
    unsigned slot = (v->qhead + v->qlen) % FM_FETCH_DEPTH;
    fm_fetched *f = &v->q[slot];
    memset(f, 0, sizeof *f);
    f->index = v->head;
    f->addr = ring_base(v) + (uint64_t)AT_DESC_BYTES * v->head;
    if (ring_base(v) % 64u) {
        f->err = AT_DEVERR_ILLEGAL_FIELD;
        f->err_detail = 0;
        f->arrive = t;
    } else if (!in_window(v, f->addr, f->addr + AT_DESC_BYTES, f->addr + AT_DESC_BYTES < f->addr)) {
        f->err = AT_DEVERR_ADDR_WINDOW;
        f->err_detail = (uint32_t)f->addr;
        f->arrive = t;
    } else if (burst_held(v, f->addr, AT_DESC_BYTES / 32u)) {
        /* the data comes once the stall is removed (held_release) */
        f->arrive = T_NEVER;
        fm_held *h = hold(v, DIR_RD, HELD_FETCH, f->addr, AT_DESC_BYTES / 32u);
        h->t = t;
        h->qslot = slot;
    } else {
        fetch_read(v, f, t, t);
    }
    if (f->err) {
        memset(f->d, 0, sizeof f->d);
        v->fetch_blocked = 1;
    }
    /* forget the fetches HEAD has passed, then log this one */
    unsigned keep = 0;
    while (keep < v->fl_n && v->fl[keep].arrive <= v->now)
        keep++;
    memmove(v->fl, v->fl + keep, (v->fl_n - keep) * sizeof v->fl[0]);
    v->fl_n -= keep;
    if (v->fl_n < FM_FETCH_DEPTH + 1) /* always: see fl */
        v->fl[v->fl_n++] = (fm_inflight){f->index, f->arrive};
    v->qlen++;
    v->head = (v->head + 1) & ring_mask(v);
    v->fetch_free = t + 1;
}

/* ================================================================ issue planning */

static int engine_of(unsigned op)
{
    switch (op) {
    case AT_OP_LOAD: return ENG_LOAD;
    case AT_OP_STORE: return ENG_STORE;
    case AT_OP_GEMM:
    case AT_OP_SOFTMAX:
    case AT_OP_LAYERNORM: return ENG_COMPUTE;
    default: return -1;
    }
}

/* The intervals of a command with mask-buffer lines as activation lines. */
static int norm_ranges(const uint32_t *d, at_spad_range r[8])
{
    int n = at_exec_ranges(d, r);
    for (int i = 0; i < n; i++)
        if (r[i].buf == 2) {
            r[i].buf = 0;
            r[i].first *= 16u;
            r[i].last = r[i].last * 16u + 15u;
        }
    return n;
}

static int hazard(const fm_engine *a, const at_spad_range *r, int nr, unsigned op, int mem,
                  uint64_t mlo, uint64_t mhi)
{
    for (int i = 0; i < a->nr; i++)
        for (int j = 0; j < nr; j++)
            if (a->r[i].buf == r[j].buf && (a->r[i].write || r[j].write) &&
                a->r[i].first <= r[j].last && r[j].first <= a->r[i].last)
                return 1;
    if (mem && a->mem && a->op != op && mlo < a->mhi && a->mlo < mhi)
        return 1;
    return 0;
}

static void plan_head(const fm_dev *v, issue_plan *p)
{
    const fm_fetched *f = &v->q[v->qhead];
    memset(p, 0, sizeof *p);
    p->t_dec = max_u64(f->arrive + FM_DECODE_CYCLES, v->issue_free);
    p->t = max_u64(p->t_dec, v->now);
    if (f->err) {
        p->err = f->err;
        p->detail = f->err_detail;
        return;
    }
    p->err = at_exec_check(f->d, &v->sp, v->cfg, &p->detail);
    if (p->err)
        return;
    p->mem = at_exec_mem_range(f->d, &p->mlo, &p->mhi, &p->wraps);
    if (p->mem && !in_window(v, p->mlo, p->mhi, p->wraps)) {
        p->err = AT_DEVERR_ADDR_WINDOW;
        p->detail = (uint32_t)p->mlo;
        return;
    }
    unsigned op = AT_DGET(f->d, OPCODE);
    p->t = max_u64(p->t, v->fence_until);
    if (op == AT_OP_FENCE)
        return; /* waits for the engines itself */
    int e = engine_of(op);
    if (e >= 0)
        p->t = max_u64(p->t, v->eng[e].end);
    p->nr = norm_ranges(f->d, p->r);
    int xfer = op == AT_OP_LOAD || op == AT_OP_STORE;
    for (int i = 0; i < ENG_NUM; i++)
        if (v->eng[i].end > p->t && hazard(&v->eng[i], p->r, p->nr, op, xfer, p->mlo, p->mhi))
            p->t = max_u64(p->t, v->eng[i].end);
}

/* ================================================================ LOAD / STORE */

/* Beats of the burst at addr: up to 16, never crossing 4 KiB. */
static unsigned burst_beats(uint64_t addr, uint64_t remaining)
{
    uint64_t to4k = (4096u - (addr & 4095u)) / 32u;
    uint64_t b = remaining < 16u ? remaining : 16u;
    return (unsigned)(b < to4k ? b : to4k);
}

static void spad_put_line(fm_dev *v, unsigned buf, uint64_t line, const uint8_t *src, int valid,
                          int keep_mask)
{
    int16_t el[16];
    for (int j = 0; j < 16; j++)
        el[j] = j < valid ? (int16_t)(uint16_t)(src[2 * j] | src[2 * j + 1] << 8) : 0;
    if (buf == 0) {
        memcpy(v->sp.act[line], el, sizeof el);
        if (!keep_mask)
            v->sp.act_mask[line] = (uint16_t)((1u << valid) - 1u);
    } else if (buf == 1) {
        memcpy(v->sp.wgt[line], el, sizeof el);
    } else {
        for (int j = 0; j < 16; j++)
            v->sp.act_mask[16u * line + (unsigned)j] = (uint16_t)el[j];
    }
}

static void spad_get_line(const fm_dev *v, unsigned buf, uint64_t line, uint8_t *dst)
{
    for (int j = 0; j < 16; j++) {
        uint16_t e = buf == 0   ? (uint16_t)v->sp.act[line][j]
                     : buf == 1 ? (uint16_t)v->sp.wgt[line][j]
                                : v->sp.act_mask[16u * line + (unsigned)j];
        dst[2 * j] = (uint8_t)e;
        dst[2 * j + 1] = (uint8_t)(e >> 8);
    }
}

/* Moves one burst of `beats` beats starting at transfer beat g (row
 * g / ncb, column block g % ncb; a burst may span rows only when the rows
 * are contiguous). Returns 0 or the bus error. */
static int xfer_burst(fm_dev *v, const uint32_t *d, int load, uint64_t g, uint32_t ncb,
                      unsigned beats, xfer_result *x)
{
    uint64_t addr = at_exec_xfer_addr(d, (uint32_t)(g / ncb), (uint32_t)(g % ncb));
    unsigned resp = at_host_mem_bus_resp(v->mem, addr, 32u * beats);
    uint8_t *p = at_host_mem_ptr(v->mem, addr, 32u * beats);
    if (resp != AT_AXI_OKAY || !p) {
        /* the failing burst still crossed the bus (every R beat comes back
         * with the error, every W beat is sent before the B response), so
         * the memory counters count it as the RTL's do (docs/isa.md) */
        for (unsigned i = 0; i < beats; i++) {
            if (load)
                x->delta[CNT_MEM_RD] += 32u;
            else
                x->delta[CNT_MEM_WR] += 2u * (unsigned)at_exec_xfer_valid(d, (uint32_t)((g + i) % ncb));
        }
        x->err = resp == AT_AXI_SLVERR ? AT_DEVERR_BUS_SLVERR : AT_DEVERR_BUS_DECERR;
        x->detail = (uint32_t)addr;
        return x->err;
    }
    unsigned buf = AT_DGET(d, XFER_BUF);
    int keep = (int)AT_DGET(d, XFER_KEEP_MASK);
    for (unsigned i = 0; i < beats; i++) {
        uint32_t r = (uint32_t)((g + i) / ncb), cb = (uint32_t)((g + i) % ncb);
        uint64_t line = at_exec_xfer_line(d, r, cb);
        int valid = at_exec_xfer_valid(d, cb);
        if (load) {
            spad_put_line(v, buf, line, p + 32u * i, valid, keep);
            x->delta[CNT_SPAD_WR]++;
            x->delta[CNT_MEM_RD] += 32u;
            /* by buffer: a mask-buffer line is 16 mask words; an activation
             * line writes its mask word unless KEEP_MASK */
            x->delta[buf == 0 ? CNT_ACT_WR : buf == 1 ? CNT_WGT_WR : CNT_MASK_WR] += buf == 2 ? 16u : 1u;
            x->delta[CNT_MASK_WR] += buf == 0 && !keep;
        } else {
            uint8_t tmp[32];
            spad_get_line(v, buf, line, tmp);
            memcpy(p + 32u * i, tmp, 2u * (unsigned)valid);
            x->delta[CNT_SPAD_RD]++;
            x->delta[CNT_MEM_WR] += 2u * (unsigned)valid;
            x->delta[buf == 0 ? CNT_ACT_RD : buf == 1 ? CNT_WGT_RD : CNT_MASK_RD] += buf == 2 ? 16u : 1u;
        }
    }
    return 0;
}

/* Segments (docs/rtl-control.md): each row is one, except that contiguous
 * rows (MEM_STRIDE = 32*ncb) make the whole transfer one segment. Bursts:
 * min(16, beats left in the segment, beats to the next 4 KiB boundary). */
static void xfer_start(xfer_state *s, const uint32_t *d, uint64_t t, int load)
{
    memset(s, 0, sizeof *s);
    memcpy(s->d, d, sizeof s->d);
    s->t = t;
    s->load = load;
    uint32_t rows = AT_DGET(d, XFER_ROWS);
    s->ncb = (AT_DGET(d, XFER_COLS) + 15u) / 16u;
    s->seg = AT_DGET(d, XFER_MEM_STRIDE) == 32u * s->ncb ? (uint64_t)rows * s->ncb : s->ncb;
    s->total = (uint64_t)rows * s->ncb;
    bus_seq_init(&s->b, t + FM_DMA_START, load ? FM_RD_OUTSTANDING : FM_WR_OUTSTANDING);
}

/* Moves the bursts from where s stands. Returns 1 when it stopped before a
 * burst whose response a stall holds (v->held[direction] says which;
 * nothing of that burst has moved), else 0 with s->x complete. */
static int xfer_run(fm_dev *v, xfer_state *s)
{
    xfer_result *x = &s->x;
    while (s->s0 < s->total && !x->err) {
        while (s->g < s->s0 + s->seg && !x->err) {
            uint64_t addr = at_exec_xfer_addr(s->d, (uint32_t)(s->g / s->ncb), (uint32_t)(s->g % s->ncb));
            unsigned beats = burst_beats(addr, s->s0 + s->seg - s->g);
            if (burst_held(v, addr, beats)) {
                hold(v, s->load ? DIR_RD : DIR_WR, HELD_XFER, addr, beats);
                return 1;
            }
            bus_burst(v, &s->b, addr, beats, !s->load);
            xfer_burst(v, s->d, s->load, s->g, s->ncb, beats, x);
            s->g += beats;
        }
        if (!x->err)
            s->s0 += s->seg;
    }
    x->end = ceil_d(s->b.last) + FM_DMA_END;
    uint64_t span = x->end - s->t;
    x->delta[CNT_STALL_MEM] = span > s->b.beats ? span - s->b.beats : 0;
    return 0;
}

/* ================================================================ compute timing */

uint64_t at_fm_pe_group_cycles(int rows, int k, const uint8_t *nnz, int num_lanes,
                               int wgt_rows_per_beat, int after_tile, uint64_t wgt_period,
                               uint64_t act_cycles, uint64_t *stall_wgt, uint64_t *stall_act)
{
    int lanes = pe_model_lanes(num_lanes);
    int nch = (k + PE_TILE - 1) / PE_TILE;
    int tail = k % PE_TILE;
    int64_t wd_prev = -1, e_prev = -1, e_prev2 = -1;
    int64_t stall = 0, astall = 0;
    if (wgt_period < 1)
        wgt_period = 1;
    for (int c = 0; c < nch; c++) {
        int lc = (c == nch - 1 && tail) ? tail : PE_TILE;
        int64_t sw = wd_prev + 1;
        if (c >= 2 && e_prev2 + 1 > sw)
            sw = e_prev2 + 1;
        int64_t beats = (lc + wgt_rows_per_beat - 1) / wgt_rows_per_beat;
        int64_t wd = sw + beats * (int64_t)wgt_period - 1;
        int64_t dmax = 0;
        for (int l = 0; l < lanes; l++) {
            int64_t s = 0;
            for (int i = l; i < rows; i += lanes) {
                int n = nnz[i * nch + c];
                s += n ? n : 1;
            }
            dmax = s > dmax ? s : dmax;
        }
        if ((int64_t)act_cycles > dmax) {
            astall += ((int64_t)act_cycles - dmax) * lanes;
            dmax = (int64_t)act_cycles;
        }
        int64_t issue = (c == 0) ? wd + 1 : (e_prev > wd + 1 ? e_prev : wd + 1);
        stall += (c == 0) ? issue + 1 : issue - e_prev;
        int64_t e = issue + dmax;
        wd_prev = wd;
        e_prev2 = e_prev;
        e_prev = e;
    }
    int64_t p = after_tile ? PE_PP_LATENCY - 1 : 0;
    int64_t w = e_prev + 1 > p ? e_prev + 1 : p;
    if (stall_wgt)
        *stall_wgt = (uint64_t)stall;
    if (stall_act)
        *stall_act = (uint64_t)astall;
    return (uint64_t)(w + rows + 1);
}

/* Effective non-zero counts of the (row, chunk) beats of rows [i0, i0+rows). */
static void gemm_nnz(const at_spad *sp, const uint32_t *d, uint32_t i0, int rows, uint8_t *nnz)
{
    uint32_t k = AT_DGET(d, GEMM_K), nch = (k + 15u) / 16u;
    uint64_t a = AT_DGET(d, GEMM_A), lda = AT_DGET(d, GEMM_LDA);
    int amask = (int)AT_DGET(d, GEMM_A_MASK);
    for (int i = 0; i < rows; i++)
        for (uint32_t c = 0; c < nch; c++) {
            uint64_t line = a + (uint64_t)(i0 + (uint32_t)i) * lda + c;
            uint32_t lc = (c == nch - 1 && k % 16u) ? k % 16u : 16u;
            int n = 0;
            for (uint32_t j = 0; j < lc; j++)
                n += sp->act[line][j] != 0 && (!amask || ((sp->act_mask[line] >> j) & 1u));
            nnz[(uint32_t)i * nch + c] = (uint8_t)n;
        }
}

uint32_t at_fm_gemm_pe_rows(const at_hw_config *cfg)
{
    uint32_t pes = cfg->pes ? cfg->pes : 1;
    uint32_t r = cfg->pe_rows;
    return r >= 1 && pes % r == 0 ? r : 1;
}

/* Activation lines the feeders read per cycle: each feeder has its own read
 * port and the banks serve one line each per cycle, so min(pe_rows,
 * act_banks) (0 banks, only in a hand-built at_hw_config since the probe
 * refuses it: one). Bank conflicts come on top: gemm_feed_sim runs the
 * feeders' address streams through the per-bank arbiter (docs/cosim.md). */
uint32_t at_fm_gemm_act_lines(const at_hw_config *cfg)
{
    uint32_t r = at_fm_gemm_pe_rows(cfg);
    uint32_t b = cfg->act_banks ? cfg->act_banks : 1u;
    uint32_t l = r < b ? r : b;
    return l * FM_GEMM_ACT_LINES_PER_CYCLE;
}

/* Address streams through the activation banks (at_fm_bank_arb_cycle): port p
 * asks for its lines addr(ctx, p, 0), addr(ctx, p, 1), .. (total[p] of
 * them), one per cycle at most. The ports run greedily; t[p] = the cycle
 * port p's last line is granted (0 for a port without lines); with mark,
 * tm[p] = the cycle its mark[p]-th line is granted. With one port, one
 * bank (or more than 16) there are no conflicts: t[p] = total[p],
 * tm[p] = mark[p]. At most 32 ports. */
typedef uint32_t (*bank_addr_fn)(const void *ctx, uint32_t port, uint64_t n);

static void bank_streams_sim(uint32_t banks, uint32_t np, const uint64_t *total, bank_addr_fn addr,
                             const void *ctx, uint64_t *t, const uint64_t *mark, uint64_t *tm)
{
    if (np <= 1u || banks <= 1u || banks > 16u || np > 32u) {
        for (uint32_t p = 0; p < np; p++) {
            t[p] = total[p];
            if (mark)
                tm[p] = mark[p];
        }
        return;
    }
    uint64_t next[32] = {0}, left = 0;
    uint32_t rr[16] = {0}, line[32] = {0};
    uint8_t req[32] = {0}, gnt[32];
    for (uint32_t p = 0; p < np; p++) {
        left += total[p];
        t[p] = 0;
        if (mark)
            tm[p] = 0;
    }
    for (uint64_t cyc = 1; left; cyc++) {
        for (uint32_t p = 0; p < np; p++) {
            req[p] = next[p] < total[p];
            if (req[p])
                line[p] = addr(ctx, p, next[p]);
        }
        at_fm_bank_arb_cycle(banks, np, req, line, rr, gnt);
        for (uint32_t p = 0; p < np; p++)
            if (gnt[p]) {
                ++next[p];
                if (mark && next[p] == mark[p])
                    tm[p] = cyc;
                if (next[p] == total[p])
                    t[p] = cyc;
                left--;
            }
    }
}

/* The GEMM feeders' address streams: feeder r reads the lines
 * A + i*LDA + kc of its row block, chunk by chunk, pass after pass (pass =
 * rows x chunks lines). */
typedef struct gemm_feed_ctx {
    uint64_t a, lda;
    uint32_t i0, brows;
    const uint32_t *rows;
    const uint64_t *pass;
} gemm_feed_ctx;

static uint32_t gemm_feed_addr(const void *ctx, uint32_t r, uint64_t n)
{
    const gemm_feed_ctx *c = ctx;
    n %= c->pass[r];
    uint64_t row = c->i0 + r * (uint64_t)c->brows + n % c->rows[r];
    return (uint32_t)(c->a + row * c->lda + n / c->rows[r]);
}

/* The feeders' reads of a super-row-block through the activation banks
 * (bank_streams_sim, acceltran_spad's per-bank round-robin): feeder r
 * (read port r) reads the lines A + i*LDA + kc of its row block, chunk by
 * chunk, one per cycle at most. The feeders run greedily (as they do when
 * the PEs keep up: a dense chunk needs a line per cycle from every feeder,
 * so a lost cycle is a lost PE cycle); t[r] = the cycle feeder r's last
 * line is granted. The RTL re-reads the same lines for every column group
 * with its round-robin pointers and the feeders' offsets carried on, so
 * the streams run twice here without a restart: t2[r] = the cycles feeder
 * r takes for the second pass (the pace of every group after the first).
 * With one feeder this is rows x chunks; with one bank (or more than 16)
 * it is that too, and the caller's floor ceil(lines of the step / min(R,
 * banks)) per chunk serializes the feeders. */
static void gemm_feed_sim(const at_hw_config *cfg, const uint32_t *d, uint32_t i0, uint32_t nr,
                          uint32_t brows, const uint32_t *rows, uint32_t nch, uint64_t *t, uint64_t *t2)
{
    uint32_t banks = cfg->act_banks ? cfg->act_banks : 1u;
    uint64_t pass[16] = {0}, total[16] = {0}, end[16] = {0};
    for (uint32_t r = 0; r < nr && r < 16u; r++) {
        pass[r] = (uint64_t)rows[r] * nch;
        total[r] = 2u * pass[r];
    }
    gemm_feed_ctx c = {AT_DGET(d, GEMM_A), AT_DGET(d, GEMM_LDA), i0, brows, rows, pass};
    bank_streams_sim(banks, nr, total, gemm_feed_addr, &c, end, pass, t);
    for (uint32_t r = 0; r < nr && r < 16u; r++)
        t2[r] = end[r] - t[r];
}

/* A feeder's state across the tiles of its PE row: the feeder streams its
 * row's A lines tile after tile, chunk by chunk, and runs ahead of the lanes
 * by at most `ahead` chunks (the lane FIFOs, FM_GEMM_ACT_DEPTH entries each,
 * ceil(rows / lanes) entries a chunk), across the end of a tile too: while
 * the PE drains a tile and takes the next, its feeder fills the FIFOs with
 * the next tile's first chunks. */
typedef struct gemm_feeder {
    double t;          /* the cycle the feeder's last line was granted (absolute) */
    uint64_t start[4]; /* issue cycles of the row's last chunks (absolute), ring */
    uint64_t n;        /* chunks issued so far */
} gemm_feeder;

/* One PE row's tile of a step, from cycle t0 (absolute): the recurrences of
 * at_fm_pe_group_cycles (weights at one beat a cycle), each chunk also
 * waiting for its A lines: the feeder reads them in `dur` cycles a chunk
 * (its simulated pace through the banks, gemm_feed_sim), once it is done
 * with the previous chunk's and chunk c - ahead has been issued to the
 * lanes; the chunk's last line reaches its lane FM_GEMM_ACT_FILL after its
 * grant. A chunk takes at least `wfloor` cycles (the weight port's time for
 * the step's columns), the first `wfree` chunks excepted (prefetched into
 * free slots). Returns the tile's cycles from t0; updates *f. */
static uint64_t gemm_tile_fed(int rows, int k, const uint8_t *nnz, int num_lanes, int wgt_rows_per_beat,
                              int after_tile, uint64_t t0, double dur, uint32_t ahead, uint64_t wfloor,
                              uint32_t wfree, gemm_feeder *f, uint64_t *stall_wgt, uint64_t *stall_act)
{
    int lanes = pe_model_lanes(num_lanes);
    int nch = (k + PE_TILE - 1) / PE_TILE;
    int tail = k % PE_TILE;
    int64_t wd_prev = -1, e_prev = -1, e_prev2 = -1;
    int64_t stall = 0, astall = 0;
    double ft = f->t - (double)t0; /* the feeder, relative to t0 */
    if (ahead < 1)
        ahead = 1;
    if (ahead > 4)
        ahead = 4;
    for (int c = 0; c < nch; c++) {
        int lc = (c == nch - 1 && tail) ? tail : PE_TILE;
        int64_t sw = wd_prev + 1;
        if (c >= 2 && e_prev2 + 1 > sw)
            sw = e_prev2 + 1;
        int64_t beats = (lc + wgt_rows_per_beat - 1) / wgt_rows_per_beat;
        int64_t wd = sw + beats - 1;
        int64_t dmax = 0;
        for (int l = 0; l < lanes; l++) {
            int64_t s = 0;
            for (int i = l; i < rows; i += lanes) {
                int n = nnz[i * nch + c];
                s += n ? n : 1;
            }
            dmax = s > dmax ? s : dmax;
        }
        int64_t issue = (c == 0) ? wd + 1 : (e_prev > wd + 1 ? e_prev : wd + 1);
        stall += (c == 0) ? issue + 1 : issue - e_prev;
        /* the feeder: after its previous chunk, and once the FIFOs have room */
        double fs = ft;
        if (f->n >= ahead) {
            double room = (double)f->start[(f->n - ahead) % 4u] - (double)t0;
            fs = room > fs ? room : fs;
        }
        ft = fs + dur;
        int64_t e = issue + dmax;
        if ((uint32_t)c >= wfree && issue + (int64_t)wfloor > e)
            e = issue + (int64_t)wfloor;
        int64_t fe = (int64_t)ceil(ft - 1e-9) + (int64_t)FM_GEMM_ACT_FILL;
        if (fe > e)
            e = fe;
        if (e > issue + dmax)
            astall += (e - issue - dmax) * lanes;
        f->start[f->n % 4u] = t0 + (uint64_t)issue;
        f->n++;
        wd_prev = wd;
        e_prev2 = e_prev;
        e_prev = e;
    }
    f->t = ft + (double)t0;
    int64_t p = after_tile ? PE_PP_LATENCY - 1 : 0;
    int64_t w = e_prev + 1 > p ? e_prev + 1 : p;
    if (stall_wgt)
        *stall_wgt = (uint64_t)stall;
    if (stall_act)
        *stall_act = (uint64_t)astall;
    return (uint64_t)(w + rows + 1);
}

uint32_t at_fm_gemm_wgt_quads(const at_hw_config *cfg)
{
    (void)cfg;
    return FM_GEMM_WGT_QUADS_PER_CYCLE;
}

/* C lines the writer writes per cycle: one per lane (out_lanes; the spec
 * keeps it a power of two of at most act_banks). */
uint32_t at_fm_gemm_out_lines(const at_hw_config *cfg)
{
    uint32_t l = cfg->out_lanes ? cfg->out_lanes : 1u;
    return l * FM_GEMM_OUT_LINES_PER_CYCLE;
}

/* Duration of a GEMM (docs/cosim.md) and its cycle counters. The PEs form
 * R rows x C columns; a step (super-row-block sb, column group g) runs the
 * tiles (sb*R + r, g*C + c). The PEs of a row share their A lines (identical
 * timing); the rows run on independently, each at its own pace (a row
 * starts its next tile when it is done), except that they share each
 * column's weight slots: a row can run at most FM_GEMM_WGT_SLOTS - 1 chunks
 * ahead of the slowest. Each chunk takes at least the time the shared ports
 * need for it (the feeders' A lines at the activation read rate, the
 * columns' weight quads at the weight read rate), and a PE starts a tile
 * only when the writer has drained its tile before last (output FIFO of
 * two blocks). */
uint64_t at_fm_gemm_cycles(const at_hw_config *cfg, const at_spad *sp, const uint32_t *d,
                           uint64_t *delta)
{
    uint32_t m = AT_DGET(d, GEMM_M), n = AT_DGET(d, GEMM_N), k = AT_DGET(d, GEMM_K);
    uint32_t nt = (n + 15u) / 16u, nch = (k + 15u) / 16u;
    int lanes = (int)cfg->lanes, brows = pe_model_block_rows(lanes);
    uint32_t pes = cfg->pes ? cfg->pes : 1;
    uint32_t pr = at_fm_gemm_pe_rows(cfg), pc = pes / pr;
    uint32_t act_l = at_fm_gemm_act_lines(cfg), wgt_q = at_fm_gemm_wgt_quads(cfg);
    uint32_t out_l = at_fm_gemm_out_lines(cfg);
    int accum = (int)AT_DGET(d, GEMM_ACCUM);
    uint32_t mb = (m + (uint32_t)brows - 1u) / (uint32_t)brows;
    uint8_t *nnz = malloc((size_t)brows * nch * pr);
    uint64_t *rt = calloc(pr, sizeof *rt); /* per PE row: end of its last tile */
    gemm_feeder *fd = calloc(pr, sizeof *fd); /* per PE row: its feeder */
    if (!nnz || !rt || !fd) {
        free(nnz);
        free(rt);
        free(fd);
        return FM_GEMM_CMD_OVERHEAD;
    }
    /* chunks a feeder may run ahead of its lanes: FM_GEMM_ACT_DEPTH entries
     * per lane FIFO, BlockRows / lanes of them a chunk */
    uint32_t per_lane = (uint32_t)brows / (uint32_t)pe_model_lanes(lanes);
    uint32_t ahead = per_lane ? FM_GEMM_ACT_DEPTH / per_lane : 1u;
    /* w1 / w2: the writer's end of the previous step's / the one before's lines */
    uint64_t w1 = 0, w2 = 0, drain_last = 0, tmax = 0;
    uint64_t prev_pe = 0, prev_port = 0; /* previous step: longest PE time, weight port busy time */
    uint64_t prev_lines = 0;             /* previous step's C lines (ACCUM reads them on port 0) */
    int first = 1;
    for (uint32_t sb0 = 0; sb0 < mb; sb0 += pr) {
        uint32_t nr = mb - sb0 < pr ? mb - sb0 : pr;
        uint32_t rows_all = 0;
        for (uint32_t r = 0; r < nr; r++) {
            uint32_t i0 = (sb0 + r) * (uint32_t)brows;
            int rows = (int)(m - i0 < (uint32_t)brows ? m - i0 : (uint32_t)brows);
            gemm_nnz(sp, d, i0, rows, nnz + (size_t)r * brows * nch);
            rows_all += (uint32_t)rows;
        }
        /* the feeders' reads through the banks (the same A lines for every
         * group of the super-row-block) */
        uint32_t rows_r[16] = {0};
        uint64_t feed_r[16] = {0}, feed2_r[16] = {0};
        uint32_t nsim = nr <= 16u ? nr : 16u;
        for (uint32_t r = 0; r < nsim; r++) {
            uint32_t i0 = (sb0 + r) * (uint32_t)brows;
            rows_r[r] = m - i0 < (uint32_t)brows ? m - i0 : (uint32_t)brows;
        }
        gemm_feed_sim(cfg, d, sb0 * (uint32_t)brows, nsim, (uint32_t)brows, rows_r, nch, feed_r, feed2_r);
        for (uint32_t g0 = 0; g0 < nt; g0 += pc) {
            uint32_t nc = nt - g0 < pc ? nt - g0 : pc;
            /* per chunk: the feeders' lines and the columns' 4 quads */
            uint64_t acyc = (rows_all + act_l - 1u) / act_l;
            /* a feeder reads at most one line per cycle (row block 0 is the
             * longest) */
            uint64_t rows0 = m - sb0 * (uint32_t)brows < (uint32_t)brows ? m - sb0 * (uint32_t)brows
                                                                       : (uint32_t)brows;
            acyc = acyc > rows0 ? acyc : rows0;
            uint64_t wcyc = (4u * nc + wgt_q - 1u) / wgt_q;
            uint64_t sum = 0, pe_max = 0;
            /* port time the previous step left idle, as prefetch credit */
            uint64_t credit = 0;
            if (!first && prev_pe > prev_port) {
                credit = prev_pe - prev_port;
                uint64_t cap = (FM_GEMM_WGT_SLOTS - 1u) * wcyc;
                credit = credit < cap ? credit : cap;
            }
            /* the weight streams prefetched up to WGT_SLOTS - 1 of this
             * step's chunks while the previous step left the port idle:
             * those chunks do not wait for the weight port */
            uint32_t wfree = 0;
            if (credit && wcyc > 1) {
                uint64_t fc = credit / wcyc;
                wfree = (uint32_t)(fc < FM_GEMM_WGT_SLOTS - 1u ? fc : FM_GEMM_WGT_SLOTS - 1u);
            }
            for (uint32_t r = 0; r < nr; r++) {
                uint32_t i0 = (sb0 + r) * (uint32_t)brows;
                int rows = (int)(m - i0 < (uint32_t)brows ? m - i0 : (uint32_t)brows);
                uint64_t sw = 0, sa = 0;
                uint64_t start = rt[r] > w2 ? rt[r] : w2;
                /* the feeder's pace: its simulated finish over the step's
                 * lines through the banks, at least the ports' floor a chunk */
                double fr = r < nsim ? (double)(g0 ? feed2_r[r] : feed_r[r]) : 0.0;
                double dur = max_d(fr / (double)nch, (double)acyc);
                /* ACCUM: the writer's read-back of the previous step's C
                 * lines goes first on read port 0, feeder 0's, one line
                 * every FM_GEMM_ACCUM_LINE cycles while the step computes:
                 * feeder 0 loses those cycles, spread over the step's
                 * chunks (all of them charged to this step: at 3 cycles a
                 * line the drain can outlast the step; the compiler emits
                 * no ACCUM GEMMs today) */
                if (accum && r == 0)
                    dur += (double)prev_lines / (double)nch;
                /* the first slot fills at the weight rate */
                uint64_t t0 = start + (first ? wcyc : 0);
                uint64_t pe = gemm_tile_fed(rows, (int)k, nnz + (size_t)r * brows * nch, lanes,
                                            (int)cfg->wgt_rows_per_beat, !first, t0, dur, ahead, wcyc, wfree,
                                            &fd[r], &sw, &sa);
                if (first) {
                    pe += wcyc;
                    sw += wcyc;
                }
                rt[r] = start + pe + FM_GEMM_TILE_OVERHEAD;
                sum += pe;
                pe_max = pe > pe_max ? pe : pe_max;
                delta[CNT_PE_BUSY] += pe * nc;
                delta[CNT_STALL_WGT] += sw * nc;
                delta[CNT_STALL_ACT] += sa * nc;
            }
            /* the rows' drift is bounded by the weight slots */
            uint64_t slack = (FM_GEMM_WGT_SLOTS - 1u) * (sum / nr / nch);
            tmax = 0;
            for (uint32_t r = 0; r < nr; r++)
                tmax = rt[r] > tmax ? rt[r] : tmax;
            for (uint32_t r = 0; r < pr; r++)
                if (rt[r] + slack < tmax)
                    rt[r] = tmax - slack;
            /* writer lane w drains the PEs p = r*C + c with p mod lanes = w
             * (ACCUM: lane 0 all, read-add-write); the busiest lane's lines
             * set the drain (bank conflicts between the lanes are not
             * modelled: their lines are in different column tiles) */
            uint64_t drain = 0;
            if (accum) {
                drain = (uint64_t)rows_all * nc * FM_GEMM_ACCUM_LINE;
            } else {
                uint64_t lane[16] = {0};
                uint32_t nl = out_l < 16u ? out_l : 16u;
                for (uint32_t r = 0; r < nr; r++) {
                    uint32_t i0 = (sb0 + r) * (uint32_t)brows;
                    uint32_t rows = m - i0 < (uint32_t)brows ? m - i0 : (uint32_t)brows;
                    for (uint32_t c = 0; c < nc; c++)
                        lane[(r * pc + c) % nl] += rows;
                }
                for (uint32_t w = 0; w < nl; w++)
                    drain = lane[w] > drain ? lane[w] : drain;
            }
            w2 = w1;
            w1 = (w1 > tmax ? w1 : tmax) + drain;
            drain_last = drain;
            prev_pe = pe_max;
            prev_lines = (uint64_t)rows_all * nc;
            prev_port = wcyc * nch;
            first = 0;
        }
    }
    free(nnz);
    free(rt);
    free(fd);
    uint64_t end = tmax + PE_PP_LATENCY + drain_last;
    if (w1 > end)
        end = w1;
    return FM_GEMM_CMD_OVERHEAD + end;
}

static uint64_t gemm_cycles(const fm_dev *v, const uint32_t *d, uint64_t *delta)
{
    return at_fm_gemm_cycles(v->cfg, &v->sp, d, delta);
}

static uint64_t softmax_cycles(const fm_dev *v, const uint32_t *d)
{
    return at_fm_softmax_cycles(v->cfg, &v->sp, d);
}

static uint64_t layernorm_cycles(const fm_dev *v, const uint32_t *d)
{
    return at_fm_layernorm_cycles(v->cfg, &v->sp, d);
}

/* ================================================================ issue */

static void engine_set(fm_dev *v, int e, unsigned op, uint64_t start, uint64_t end, const issue_plan *p)
{
    fm_engine *g = &v->eng[e];
    g->start = start;
    g->end = end;
    g->op = op;
    g->nr = p->nr;
    memcpy(g->r, p->r, sizeof g->r);
    g->mem = p->mem;
    g->mlo = p->mlo;
    g->mhi = p->mhi;
}

/* A FENCE issued at t; its write-back is requested no earlier than
 * not_before (a write-back held by a stall: when the stall went). */
static void issue_fence(fm_dev *v, const fm_fetched *f, uint64_t t, uint64_t not_before, uint64_t *delta)
{
    uint64_t start = max_u64(max_u64(t, not_before), engines_end(v));
    uint64_t end = start + 1;
    uint8_t *wr = NULL;
    if (AT_DGET(f->d, FENCE_WRITE)) {
        uint64_t addr = ((uint64_t)AT_DGET(f->d, FENCE_ADDR_HI) << 32) | AT_DGET(f->d, FENCE_ADDR_LO);
        if (burst_held(v, addr, 1)) {
            fm_held *h = hold(v, DIR_WR, HELD_FENCE, addr, 1);
            h->f = *f;
            h->t = t;
            memcpy(h->delta, delta, sizeof h->delta);
            v->fence_until = T_NEVER; /* nothing issues after the FENCE until it is done */
            return;
        }
    }
    delta[CNT_STALL_DEP] += start - t; /* waiting for the engines, before the write */
    if (AT_DGET(f->d, FENCE_WRITE)) {
        uint64_t addr = ((uint64_t)AT_DGET(f->d, FENCE_ADDR_HI) << 32) | AT_DGET(f->d, FENCE_ADDR_LO);
        bus_seq b;
        bus_seq_init(&b, start, FM_WR_OUTSTANDING);
        end = ceil_d(bus_burst(v, &b, addr, 1, 1)) + 1;
        unsigned resp = at_host_mem_bus_resp(v->mem, addr, 4);
        uint8_t *p = at_host_mem_ptr(v->mem, addr, 4);
        delta[CNT_MEM_WR] += 4; /* the beat is sent whatever the response */
        if (resp != AT_AXI_OKAY || !p) {
            v->fence_until = end;
            raise_error(v, end, f, resp == AT_AXI_SLVERR ? AT_DEVERR_BUS_SLVERR : AT_DEVERR_BUS_DECERR,
                        (uint32_t)addr, delta);
            return;
        }
        wr = p;
    }
    v->fence_until = end;
    v->issue_free = max_u64(v->issue_free, end);
    fm_event *e = event_new(v, end, EV_FENCE);
    memcpy(e->delta, delta, sizeof e->delta);
    e->delta[CNT_CMDS]++;
    e->value = AT_DGET(f->d, FENCE_VALUE);
    e->irq = (int)AT_DGET(f->d, FENCE_IRQ);
    e->wr = wr;
}

static void issue_compute(fm_dev *v, const fm_fetched *f, uint64_t t, const issue_plan *p,
                          uint64_t *delta)
{
    unsigned op = AT_DGET(f->d, OPCODE);
    uint64_t dur;
    if (op == AT_OP_GEMM)
        dur = gemm_cycles(v, f->d, delta);
    else if (op == AT_OP_SOFTMAX) {
        dur = softmax_cycles(v, f->d);
    } else {
        dur = layernorm_cycles(v, f->d);
    }
    at_exec_counts c = {0};
    uint32_t detail = 0;
    int rc = at_exec_compute(f->d, &v->sp, &c, &detail);
    delta[CNT_MAC_ISSUED] += c.mac_issued;
    delta[CNT_MAC_SKIPPED] += c.mac_skipped;
    delta[CNT_PRUNED] += c.pruned;
    delta[CNT_SPAD_RD] += c.spad_rd;
    delta[CNT_SPAD_WR] += c.spad_wr;
    delta[CNT_ACT_RD] += c.act_rd;
    delta[CNT_MASK_RD] += c.act_rd; /* the line's mask word comes with it */
    delta[CNT_WGT_RD] += c.wgt_rd;
    delta[CNT_ACT_WR] += c.act_wr;
    delta[CNT_MASK_WR] += c.act_wr;
    delta[CNT_WGT_WR] += c.wgt_wr; /* a GEMM's C lines with C_WGT */
    delta[CNT_SMX_ROWS] += c.smx_rows;
    delta[CNT_LN_ROWS] += c.ln_rows;
    uint64_t end = t + dur;
    engine_set(v, ENG_COMPUTE, op, t, end, p);
    if (rc > 0) {
        raise_error(v, end, f, rc, detail, delta);
        return;
    }
    fm_event *e = event_new(v, end, EV_DONE);
    memcpy(e->delta, delta, sizeof e->delta);
    e->delta[CNT_CMDS]++;
}

/* The end of a LOAD / STORE: its engine's end, the completion or error. */
static void xfer_done(fm_dev *v, const fm_fetched *f, const issue_plan *p, const xfer_state *xs, uint64_t *delta)
{
    const xfer_result *x = &xs->x;
    unsigned op = AT_DGET(f->d, OPCODE);
    for (int i = 0; i < CNT_NUM; i++)
        delta[i] += x->delta[i];
    engine_set(v, engine_of(op), op, xs->t, x->end, p);
    if (x->err) {
        raise_error(v, x->end, f, x->err, x->detail, delta);
        return;
    }
    fm_event *e = event_new(v, x->end, EV_DONE);
    memcpy(e->delta, delta, sizeof e->delta);
    e->delta[CNT_CMDS]++;
}

/* The stall holding v->held[dir]'s burst was removed (the clock is at
 * v->now): the burst is requested now, and the work waiting for it
 * continues. */
static void held_release(fm_dev *v, int dir)
{
    fm_held *h = &v->held[dir];
    int kind = h->kind;
    h->kind = HELD_NONE;
    if (kind == HELD_FETCH) {
        fm_fetched *f = &v->q[h->qslot];
        fetch_read(v, f, h->t, v->now);
        for (unsigned i = 0; i < v->fl_n; i++)
            if (v->fl[i].index == f->index && v->fl[i].arrive == T_NEVER)
                v->fl[i].arrive = f->arrive;
        v->fetch_free = max_u64(v->fetch_free, v->now + 1);
    } else if (kind == HELD_XFER) {
        xfer_state *xs = &h->xs;
        xs->b.req = max_u64(xs->b.req, v->now);
        if (xfer_run(v, xs)) /* held again, on a later burst */
            return;
        fm_fetched f = h->f;
        issue_plan p = h->p;
        uint64_t delta[CNT_NUM];
        memcpy(delta, h->delta, sizeof delta);
        xfer_done(v, &f, &p, xs, delta);
    } else if (kind == HELD_FENCE) {
        fm_fetched f = h->f;
        uint64_t delta[CNT_NUM];
        memcpy(delta, h->delta, sizeof delta);
        v->fence_until = h->t;
        issue_fence(v, &f, h->t, v->now, delta);
    }
    /* a halt found meanwhile (a compute command's error) waited for the
     * held command's end, unknown until now */
    if (!v->held[DIR_RD].kind && !v->held[DIR_WR].kind)
        for (int i = 0; i < v->nev; i++)
            if (v->ev[i].kind == EV_HALT && v->ev[i].t == T_NEVER)
                v->ev[i].t = max_u64(v->now, engines_end(v));
}

static void do_issue(fm_dev *v, const issue_plan *p)
{
    fm_fetched f = v->q[v->qhead];
    v->qhead = (v->qhead + 1) % FM_FETCH_DEPTH;
    v->qlen--;
    uint64_t delta[CNT_NUM] = {0};
    /* a fetch that failed a check read nothing; one answered with a bus
     * error read its two beats */
    delta[CNT_MEM_RD] = f.err == 0 || f.err == AT_DEVERR_BUS_SLVERR || f.err == AT_DEVERR_BUS_DECERR ? AT_DESC_BYTES : 0;
    delta[CNT_STALL_MEM] = f.stall_mem;
    if (p->err) {
        raise_error(v, p->t, &f, p->err, p->detail, delta);
        return;
    }
    uint64_t t = p->t;
    delta[CNT_STALL_DEP] = t - p->t_dec;
    v->issue_free = t + FM_ISSUE_CYCLES;
    unsigned op = AT_DGET(f.d, OPCODE);
    if (op == AT_OP_FENCE) {
        issue_fence(v, &f, t, t, delta);
        return;
    }
    if (op == AT_OP_LOAD || op == AT_OP_STORE) {
        xfer_state xs;
        xfer_start(&xs, f.d, t, op == AT_OP_LOAD);
        if (xfer_run(v, &xs)) {
            /* a burst's response is held: the rest waits for the stall to go */
            fm_held *h = &v->held[op == AT_OP_LOAD ? DIR_RD : DIR_WR];
            h->xs = xs;
            h->f = f;
            h->p = *p;
            memcpy(h->delta, delta, sizeof h->delta);
            engine_set(v, engine_of(op), op, t, T_NEVER, p);
            return;
        }
        xfer_done(v, &f, p, &xs, delta);
        return;
    }
    if (engine_of(op) == ENG_COMPUTE) {
        issue_compute(v, &f, t, p, delta);
        return;
    }
    fm_event *e = event_new(v, t + 1, EV_DONE); /* NOP */
    memcpy(e->delta, delta, sizeof e->delta);
    e->delta[CNT_CMDS]++;
}

/* ================================================================ the loop */

enum { ACT_NONE, ACT_FETCH, ACT_ISSUE };

static int next_action(const fm_dev *v, uint64_t *t, issue_plan *plan)
{
    int kind = ACT_NONE;
    *t = T_NEVER;
    if (v->halted || v->resetting || v->stopping)
        return ACT_NONE;
    const fm_held *hr = &v->held[DIR_RD], *hw = &v->held[DIR_WR];
    if (v->qlen > 0 && !(hr->kind == HELD_FETCH && v->qhead == hr->qslot)) {
        plan_head(v, plan);
        unsigned op = AT_DGET(v->q[v->qhead].d, OPCODE);
        /* what a held response holds back (fm_held); a command whose
         * engine or data waits for the held one has plan->t = T_NEVER */
        int blocked = (hr->kind || hw->kind) && (plan->err || op == AT_OP_FENCE);
        blocked |= hr->kind && op == AT_OP_LOAD;
        blocked |= hw->kind && op == AT_OP_STORE;
        if (!blocked) {
            *t = plan->t;
            kind = ACT_ISSUE;
        }
    }
    if (fetch_possible(v) && v->qlen < FM_FETCH_DEPTH) {
        uint64_t tf = max_u64(v->fetch_free, v->now);
        if (tf < *t) {
            *t = tf;
            kind = ACT_FETCH;
        }
    }
    return kind;
}

/* Runs until the condition (0: none) holds or the clock reaches limit. */
static double reset_drain(const fm_dev *v);

static at_cosim_why dev_advance(fm_dev *v, uint64_t limit, at_cosim_stop until)
{
    for (int dir = DIR_RD; dir <= DIR_WR; dir++) {
        fm_held *h = &v->held[dir];
        if (!h->kind || at_host_mem_bus_stall(v->mem, h->addr, h->n) == AT_HOST_MEM_STALL_FOREVER)
            continue;
        if (v->resetting) {
            /* the held response came: the reset can end once nothing is held */
            h->kind = HELD_NONE;
            if (!v->held[DIR_RD].kind && !v->held[DIR_WR].kind)
                event_new(v, v->now + ceil_d(reset_drain(v)) + FM_RESET_CYCLES, EV_RESET);
        } else {
            held_release(v, dir); /* the held command continues, as in the RTL */
        }
    }
    for (;;) {
        if (until == AT_COSIM_UNTIL_IRQ && irq_line(v))
            return AT_COSIM_STOPPED_IRQ;
        if (until == AT_COSIM_UNTIL_IDLE && !dev_busy(v) && !v->resetting)
            return AT_COSIM_STOPPED_IDLE;
        int ei = event_first(v);
        uint64_t te = ei >= 0 ? v->ev[ei].t : T_NEVER;
        issue_plan plan;
        uint64_t ta;
        int kind = next_action(v, &ta, &plan);
        uint64_t t = te <= ta ? te : ta;
        if (t == T_NEVER || t > limit)
            break;
        clock_to(v, t);
        if (te <= ta) {
            fm_event e = v->ev[ei];
            v->ev[ei] = v->ev[--v->nev];
            event_apply(v, e);
        } else if (kind == ACT_FETCH) {
            do_fetch(v, t);
        } else {
            do_issue(v, &plan);
        }
    }
    clock_to(v, limit);
    return AT_COSIM_STOPPED_LIMIT;
}

/* ================================================================ registers */

static void dev_reset_state(fm_dev *v)
{
    v->ctrl = v->irq_status = v->irq_enable = v->fence_done = 0;
    v->ring_lo = v->ring_hi = v->ring_log2 = v->head = v->tail = 0;
    v->fl_n = 0;
    memset(v->win, 0, sizeof v->win);
    v->err_code = v->err_info = 0;
    v->err_desc = 0;
    v->halted = v->resetting = v->stopping = v->fetch_blocked = 0;
    v->held[DIR_RD].kind = v->held[DIR_WR].kind = HELD_NONE;
    memset(v->cnt, 0, sizeof v->cnt);
    memset(v->cnt_hi, 0, sizeof v->cnt_hi);
    v->qhead = v->qlen = 0;
    v->nev = 0;
    v->fetch_free = v->issue_free = v->fence_until = v->now;
    v->rd_free = v->wr_free = v->bw_free = (double)v->now;
    memset(v->eng, 0, sizeof v->eng);
    for (int e = 0; e < ENG_NUM; e++)
        v->eng[e].start = v->eng[e].end = v->now;
    v->reset_at = v->now;
}

/* Soft reset: the bus transactions in flight end first (RESETTING), as in
 * the RTL: the DMA engines stop requesting at once, so only the bursts
 * already requested drain (at most FM_RD/WR_OUTSTANDING of 16 beats each,
 * after the memory latency), not the rest of a long LOAD or STORE, whose
 * bus time the model reserved when it issued. */
static double reset_drain(const fm_dev *v)
{
    return (double)v->latency + (double)(FM_RD_OUTSTANDING + FM_WR_OUTSTANDING) * 16.0 * v->bw_cpb +
           FM_WR_RESP_LATENCY;
}

static void soft_reset_start(fm_dev *v)
{
    if (v->resetting)
        return;
    if (v->held[DIR_RD].kind || v->held[DIR_WR].kind) {
        /* a response held by a stall: the reset waits for it (dev_advance
         * finishes it once the stall is removed), as the RTL's does */
        v->nev = 0;
        v->qlen = 0;
        v->stopping = 0;
        v->resetting = 1;
        return;
    }
    uint64_t done = v->now + FM_RESET_CYCLES;
    double drain = reset_drain(v);
    uint64_t bus_end = ceil_d(max_d(v->rd_free, v->wr_free));
    bus_end = max_u64(bus_end, max_u64(v->eng[ENG_LOAD].end, v->eng[ENG_STORE].end));
    uint64_t bus_cap = v->now + ceil_d(drain);
    done = max_u64(done, (bus_end < bus_cap ? bus_end : bus_cap) + FM_RESET_CYCLES);
    done = max_u64(done, v->fence_until < bus_cap ? v->fence_until : bus_cap);
    for (unsigned i = 0; i < v->qlen; i++)
        done = max_u64(done, v->q[(v->qhead + i) % FM_FETCH_DEPTH].arrive);
    v->nev = 0;
    v->qlen = 0;
    v->stopping = 0;
    v->resetting = 1;
    event_new(v, done, EV_RESET);
}

static uint32_t status_word(const fm_dev *v)
{
    uint32_t s = 0;
    if (dev_busy(v))
        s |= AT_REG_STATUS_BUSY_MASK;
    if (v->halted)
        s |= AT_REG_STATUS_HALTED_MASK;
    if (v->resetting)
        s |= AT_REG_STATUS_RESETTING_MASK;
    if (dev_idle(v))
        s |= AT_REG_STATUS_IDLE_MASK;
    return s;
}

static uint64_t counter(const fm_dev *v, int i)
{
    if (i == CNT_CYCLES)
        return (v->now - v->reset_at) & CNT_MASK;
    return v->cnt[i] & CNT_MASK;
}

static uint32_t reg_read(fm_dev *v, uint32_t off)
{
    int known = 0;
    uint32_t k = at_hw_reg_expected(v->cfg, off, &known);
    if (known)
        return k;
    if (off >= AT_CNT_BASE && off < AT_CNT_REG(CNT_NUM)) {
        int i = (int)((off - AT_CNT_BASE) / 8u);
        if (off % 8u)
            return v->cnt_hi[i];
        uint64_t c = counter(v, i);
        v->cnt_hi[i] = (uint32_t)(c >> 32) & 0xffffu;
        return (uint32_t)c;
    }
    if (off >= AT_REG_WIN0_BASE_LO && off < AT_REG_WIN0_BASE_LO + 16u * FM_NUM_WINDOWS)
        return v->win[(off - AT_REG_WIN0_BASE_LO) / 16u][(off % 16u) / 4u];
    switch (off) {
    case AT_REG_CTRL: return v->ctrl;
    case AT_REG_STATUS: return status_word(v);
    case AT_REG_ERR_CODE: return v->err_code;
    case AT_REG_ERR_DESC_LO: return (uint32_t)v->err_desc;
    case AT_REG_ERR_DESC_HI: return (uint32_t)(v->err_desc >> 32);
    case AT_REG_ERR_INFO: return v->err_info;
    case AT_REG_IRQ_STATUS: return v->irq_status;
    case AT_REG_IRQ_ENABLE: return v->irq_enable;
    case AT_REG_RING_BASE_LO: return v->ring_lo;
    case AT_REG_RING_BASE_HI: return v->ring_hi;
    case AT_REG_RING_SIZE: return v->ring_log2;
    case AT_REG_RING_HEAD: return ring_head(v);
    case AT_REG_RING_TAIL: return v->tail;
    case AT_REG_FENCE_DONE: return v->fence_done;
    default: return 0; /* SOFT_RESET (wo) and unmapped offsets */
    }
}

static void ring_write(fm_dev *v, uint32_t off, uint32_t val)
{
    if (!dev_idle(v))
        return;
    if (off == AT_REG_RING_BASE_LO)
        v->ring_lo = val;
    else if (off == AT_REG_RING_BASE_HI)
        v->ring_hi = val;
    else
        v->ring_log2 = val & AT_REG_RING_SIZE_LOG2_MASK;
    v->head = v->tail = 0;
    v->fl_n = 0;
}

static void reg_write(fm_dev *v, uint32_t off, uint32_t val)
{
    if (v->resetting)
        return; /* the reset returns every register to its reset value */
    if (off >= AT_REG_WIN0_BASE_LO && off < AT_REG_WIN0_BASE_LO + 16u * FM_NUM_WINDOWS) {
        v->win[(off - AT_REG_WIN0_BASE_LO) / 16u][(off % 16u) / 4u] = val;
        return;
    }
    switch (off) {
    case AT_REG_CTRL:
        v->ctrl = val & AT_REG_CTRL_ENABLE_MASK;
        break;
    case AT_REG_SOFT_RESET:
        if (val & AT_REG_SOFT_RESET_RESET_MASK)
            soft_reset_start(v);
        break;
    case AT_REG_IRQ_STATUS:
        v->irq_status &= ~(val & 3u);
        break;
    case AT_REG_IRQ_ENABLE:
        v->irq_enable = val & 3u;
        break;
    case AT_REG_RING_BASE_LO:
    case AT_REG_RING_BASE_HI:
    case AT_REG_RING_SIZE:
        ring_write(v, off, val);
        break;
    case AT_REG_RING_TAIL:
        if (!v->halted)
            v->tail = val & AT_REG_RING_TAIL_INDEX_MASK;
        break;
    default:
        break; /* ro, rh and unmapped: ignored */
    }
}

/* ================================================================ ops */

static int fm_available(const char *config)
{
    return config && at_hw_config_find(config) != NULL;
}

static int fm_create(const at_cosim_opts *opts, const at_hw_config *cfg, at_host_mem *mem, void **impl,
                     at_err *err)
{
    if (!cfg || !mem || !impl)
        return at_err_set(err, AT_EINVAL, "fmodel: NULL argument");
    fm_dev *v = calloc(1, sizeof *v);
    if (!v)
        return at_err_set(err, AT_ENOMEM, "fmodel: out of memory");
    v->cfg = cfg;
    v->mem = mem;
    int rc = at_spad_init(&v->sp, cfg);
    if (rc) {
        free(v);
        return at_err_set(err, rc, "fmodel: cannot allocate the scratchpads of '%s'", cfg->name);
    }
    double bpc = at_host_mem_bytes_per_cycle(mem);
    v->bw_cpb = bpc > 0 ? 32.0 / bpc : 1.0;
    v->cpb = v->bw_cpb > 1.0 ? v->bw_cpb : 1.0;
    v->latency = at_host_mem_latency(mem);
    if (v->latency < 1)
        v->latency = 1;
    dev_reset_state(v);
    (void)opts;
    *impl = v;
    return 0;
}

static void fm_destroy(void *impl)
{
    fm_dev *v = impl;
    if (!v)
        return;
    at_spad_free(&v->sp);
    free(v);
}

static int fm_mmio_read(void *impl, uint32_t offset, uint32_t *value, at_err *err)
{
    fm_dev *v = impl;
    if (!v || !value || offset % 4u || offset >= AT_MMIO_BYTES)
        return at_err_set(err, AT_EINVAL, "fmodel mmio read: bad arguments (offset %#x)", offset);
    *value = reg_read(v, offset);
    dev_advance(v, v->now + FM_MMIO_CYCLES, (at_cosim_stop)0);
    return 0;
}

static int fm_mmio_write(void *impl, uint32_t offset, uint32_t value, at_err *err)
{
    fm_dev *v = impl;
    if (!v || offset % 4u || offset >= AT_MMIO_BYTES)
        return at_err_set(err, AT_EINVAL, "fmodel mmio write: bad arguments (offset %#x)", offset);
    reg_write(v, offset, value);
    dev_advance(v, v->now + FM_MMIO_CYCLES, (at_cosim_stop)0);
    return 0;
}

static int fm_run(void *impl, at_cosim_stop until, uint64_t max_cycles, at_cosim_why *why, at_err *err)
{
    fm_dev *v = impl;
    if (!v)
        return at_err_set(err, AT_EINVAL, "fmodel run: NULL device");
    if (until != AT_COSIM_UNTIL_IRQ && until != AT_COSIM_UNTIL_IDLE && until != AT_COSIM_UNTIL_CYCLES)
        return at_err_set(err, AT_EINVAL, "fmodel run: unknown stop condition %d", (int)until);
    uint64_t limit = v->now + max_cycles < v->now ? UINT64_MAX - 1 : v->now + max_cycles;
    at_cosim_why w = dev_advance(v, limit, until == AT_COSIM_UNTIL_CYCLES ? (at_cosim_stop)0 : until);
    if (why)
        *why = w;
    return 0;
}

static int fm_irq(const void *impl)
{
    return impl ? irq_line(impl) : 0;
}

static uint64_t fm_cycles(const void *impl)
{
    return impl ? ((const fm_dev *)impl)->now : 0;
}

static int fm_trace(void *impl, const char *path, at_err *err)
{
    (void)impl;
    (void)path;
    return at_err_set(err, AT_EUNSUPPORTED, "fmodel: no waveform trace (rtl backend only)");
}

const at_cosim_ops at_cosim_fmodel_ops = {
    .name = "fmodel",
    .available = fm_available,
    .create = fm_create,
    .destroy = fm_destroy,
    .mmio_read = fm_mmio_read,
    .mmio_write = fm_mmio_write,
    .run = fm_run,
    .irq = fm_irq,
    .cycles = fm_cycles,
    .trace = fm_trace,
};
