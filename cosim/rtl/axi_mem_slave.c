/* AXI4 slave model of host memory (see axi_mem_slave.h). */
#include "axi_mem_slave.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd_burst {
    uint64_t addr;     /* burst address (32-byte aligned) */
    unsigned beats;    /* 1..16 */
    unsigned sent;     /* beats presented so far */
    uint64_t ready_at; /* first edge at which beat 0 may be taken (UINT64_MAX: held by a stall) */
    unsigned resp;     /* of every beat: the burst's at_host_mem_bus_resp() */
} rd_burst;

typedef struct wr_burst {
    uint64_t addr;     /* AWADDR as given */
    unsigned beats;
    unsigned got;      /* W beats taken */
    unsigned resp;     /* the burst's at_host_mem_bus_resp(): B, and nothing written unless OKAY */
    uint64_t b_at;     /* first edge at which B may be taken (when got == beats; UINT64_MAX: held) */
} wr_burst;

struct at_axi_mem_slave {
    at_host_mem *mem;
    uint32_t latency;
    double bpc, tokens, cap;
    int prefer_w;

    rd_burst rd[AT_AXI_SLAVE_MAX_RD];
    unsigned rd_head, rd_n;
    wr_burst wr[AT_AXI_SLAVE_MAX_WR];
    unsigned wr_head, wr_n;  /* bursts with AW accepted and B not taken */
    unsigned w_idx;          /* offset from wr_head of the burst taking W beats */

    at_axi_s2m out;
    /* payload held by VALID without READY at the previous edge */
    int ar_hold, aw_hold, w_hold;
    at_axi_m2s held;

    uint64_t edge;
    int failed;
    char fail_msg[400];
    at_axi_slave_stats st;
};

int at_axi_mem_slave_create(at_host_mem *mem, const at_axi_slave_opts *opts, at_axi_mem_slave **out,
                            at_err *err)
{
    if (!mem || !out)
        return at_err_set(err, AT_EINVAL, "axi_mem_slave: NULL argument");
    at_axi_mem_slave *s = calloc(1, sizeof *s);
    if (!s)
        return at_err_set(err, AT_ENOMEM, "axi_mem_slave: out of memory");
    s->mem = mem;
    s->latency = (opts && opts->latency) ? opts->latency : at_host_mem_latency(mem);
    if (s->latency < 1)
        s->latency = 1;
    s->bpc = (opts && opts->bytes_per_cycle > 0) ? opts->bytes_per_cycle : at_host_mem_bytes_per_cycle(mem);
    if (!(s->bpc > 0)) {
        double bpc = s->bpc;
        free(s);
        return at_err_set(err, AT_EINVAL, "axi_mem_slave: bandwidth must be positive (got %g bytes/cycle)", bpc);
    }
    s->cap = 2.0 * s->bpc > 2.0 * AT_AXI_BEAT_BYTES ? 2.0 * s->bpc : 2.0 * AT_AXI_BEAT_BYTES;
    s->tokens = s->cap;
    s->out.arready = 1;
    s->out.awready = 1;
    *out = s;
    return 0;
}

void at_axi_mem_slave_destroy(at_axi_mem_slave *s) { free(s); }

const at_axi_s2m *at_axi_mem_slave_out(const at_axi_mem_slave *s) { return &s->out; }

int at_axi_mem_slave_idle(const at_axi_mem_slave *s) { return s->rd_n == 0 && s->wr_n == 0; }

void at_axi_mem_slave_stats(const at_axi_mem_slave *s, at_axi_slave_stats *st) { *st = s->st; }

__attribute__((format(printf, 3, 4))) static int violation(at_axi_mem_slave *s, at_err *err, const char *fmt, ...)
{
    char m[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(s->fail_msg, sizeof s->fail_msg, "AXI4 protocol violation by the device at edge %" PRIu64 ": %s",
             s->edge, m);
    s->failed = 1;
    return at_err_set(err, AT_EDEVICE, "%s", s->fail_msg);
}

/* Response of a whole burst: every beat of a burst that touches a fault
 * or leaves host memory answers it, and such a write burst writes nothing. */
static unsigned burst_resp(const at_axi_mem_slave *s, uint64_t addr, unsigned beats)
{
    uint64_t end = (addr & ~(uint64_t)(AT_AXI_BEAT_BYTES - 1)) + (uint64_t)beats * AT_AXI_BEAT_BYTES;
    unsigned r = at_host_mem_bus_resp(s->mem, addr, end - addr);
    if (r == AT_AXI_OKAY && !at_host_mem_ptr(s->mem, addr, end - addr))
        r = AT_AXI_DECERR;
    return r;
}

/* When a response due at `at` may go out under the injected stall
 * (at_host_mem_stall): later by its cycles, or UINT64_MAX while held. */
static uint64_t stalled(const at_axi_mem_slave *s, uint64_t addr, unsigned beats, uint64_t at)
{
    uint64_t lo = addr & ~(uint64_t)(AT_AXI_BEAT_BYTES - 1);
    uint32_t st = at_host_mem_bus_stall(s->mem, lo, (uint64_t)beats * AT_AXI_BEAT_BYTES);
    if (st == AT_HOST_MEM_STALL_FOREVER)
        return UINT64_MAX;
    return at + st;
}

static int crosses_4k(uint64_t aligned, unsigned beats)
{
    uint64_t end = aligned + (uint64_t)beats * AT_AXI_BEAT_BYTES; /* exclusive */
    if (end < aligned)
        return 1; /* wraps past 2^64 */
    return (aligned >> 12) != ((end - 1) >> 12);
}

/* The checks of the address channels at an edge. */
static int check_addr(at_axi_mem_slave *s, const at_axi_m2s *m, at_err *err)
{
    if (s->ar_hold) {
        if (!m->arvalid)
            return violation(s, err, "ARVALID dropped before ARREADY (ARADDR 0x%" PRIx64 ")", s->held.araddr);
        if (m->araddr != s->held.araddr || m->arlen != s->held.arlen)
            return violation(s, err, "AR payload changed while waiting for ARREADY (0x%" PRIx64 "/%u -> 0x%" PRIx64 "/%u)",
                             s->held.araddr, s->held.arlen, m->araddr, m->arlen);
    }
    if (s->aw_hold) {
        if (!m->awvalid)
            return violation(s, err, "AWVALID dropped before AWREADY (AWADDR 0x%" PRIx64 ")", s->held.awaddr);
        if (m->awaddr != s->held.awaddr || m->awlen != s->held.awlen)
            return violation(s, err, "AW payload changed while waiting for AWREADY (0x%" PRIx64 "/%u -> 0x%" PRIx64 "/%u)",
                             s->held.awaddr, s->held.awlen, m->awaddr, m->awlen);
    }
    if (s->w_hold) {
        if (!m->wvalid)
            return violation(s, err, "WVALID dropped before WREADY");
        if (memcmp(m->wdata, s->held.wdata, AT_AXI_BEAT_BYTES) || m->wstrb != s->held.wstrb ||
            m->wlast != s->held.wlast)
            return violation(s, err, "W payload changed while waiting for WREADY");
    }
    if (m->arvalid) {
        if (m->arlen > 15)
            return violation(s, err, "ARLEN %u (bursts are 1..16 beats)", m->arlen);
        if (m->araddr % AT_AXI_BEAT_BYTES)
            return violation(s, err, "ARADDR 0x%" PRIx64 " not 32-byte aligned", m->araddr);
        if (crosses_4k(m->araddr, m->arlen + 1))
            return violation(s, err, "read burst 0x%" PRIx64 " x %u beats crosses a 4 KiB boundary", m->araddr,
                             m->arlen + 1);
    }
    if (m->awvalid) {
        if (m->awlen > 15)
            return violation(s, err, "AWLEN %u (bursts are 1..16 beats)", m->awlen);
        if (crosses_4k(m->awaddr & ~(uint64_t)(AT_AXI_BEAT_BYTES - 1), m->awlen + 1))
            return violation(s, err, "write burst 0x%" PRIx64 " x %u beats crosses a 4 KiB boundary", m->awaddr,
                             m->awlen + 1);
    }
    return 0;
}

/* The byte range [lo, hi) of beat i of a burst at addr. */
static void beat_range(uint64_t addr, unsigned i, uint64_t *lo, uint64_t *hi)
{
    uint64_t base = (addr & ~(uint64_t)(AT_AXI_BEAT_BYTES - 1)) + (uint64_t)i * AT_AXI_BEAT_BYTES;
    *lo = i == 0 ? addr : base;
    *hi = base + AT_AXI_BEAT_BYTES;
}

int at_axi_mem_slave_edge(at_axi_mem_slave *s, const at_axi_m2s *m, at_err *err)
{
    if (s->failed)
        return at_err_set(err, AT_EDEVICE, "%s", s->fail_msg);
    s->edge++;
    s->st.edges++;
    int rc = check_addr(s, m, err);
    if (rc)
        return rc;

    at_axi_s2m *o = &s->out;
    const unsigned wready_before = o->wready;

    /* ---- handshakes of this edge */
    if (o->rvalid && m->rready) {
        rd_burst *b = &s->rd[s->rd_head];
        s->st.rd_beats++;
        if (b->sent == b->beats) {
            s->rd_head = (s->rd_head + 1) % AT_AXI_SLAVE_MAX_RD;
            s->rd_n--;
        }
        o->rvalid = 0;
        o->rlast = 0;
    }
    if (o->bvalid && m->bready) {
        s->wr_head = (s->wr_head + 1) % AT_AXI_SLAVE_MAX_WR;
        s->wr_n--;
        s->w_idx--;
        o->bvalid = 0;
    }
    if (o->wready) {
        if (m->wvalid) {
            wr_burst *b = &s->wr[(s->wr_head + s->w_idx) % AT_AXI_SLAVE_MAX_WR];
            unsigned i = b->got;
            int last = i + 1 == b->beats;
            if (!!m->wlast != last)
                return violation(s, err, "WLAST %u on beat %u of a %u-beat burst at 0x%" PRIx64, m->wlast, i,
                                 b->beats, b->addr);
            uint64_t lo, hi;
            beat_range(b->addr, i, &lo, &hi);
            unsigned off = (unsigned)(lo % AT_AXI_BEAT_BYTES);
            uint32_t below = off ? ((1u << off) - 1u) : 0u;
            if (m->wstrb & below)
                return violation(s, err, "WSTRB 0x%08x has bytes below the unaligned AWADDR 0x%" PRIx64,
                                 m->wstrb, b->addr);
            if (b->resp == AT_AXI_OKAY && m->wstrb) {
                uint8_t *p = at_host_mem_ptr(s->mem, hi - AT_AXI_BEAT_BYTES, AT_AXI_BEAT_BYTES);
                for (unsigned k = 0; p && k < AT_AXI_BEAT_BYTES; k++)
                    if (m->wstrb >> k & 1u) {
                        p[k] = m->wdata[k];
                        s->st.wr_bytes++;
                    }
            }
            b->got++;
            s->st.wr_beats++;
            if (last) {
                b->b_at = s->edge + AT_AXI_SLAVE_B_LATENCY;
                b->b_at = stalled(s, b->addr, b->beats, b->b_at);
                if (b->resp != AT_AXI_OKAY)
                    s->st.wr_errors++;
                s->w_idx++;
            }
        } else {
            s->tokens += AT_AXI_BEAT_BYTES; /* reservation not used */
        }
        o->wready = 0;
    }
    if (m->arvalid && o->arready) {
        rd_burst *b = &s->rd[(s->rd_head + s->rd_n) % AT_AXI_SLAVE_MAX_RD];
        b->addr = m->araddr;
        b->beats = m->arlen + 1;
        b->sent = 0;
        b->ready_at = stalled(s, m->araddr, m->arlen + 1, s->edge + s->latency);
        b->resp = burst_resp(s, m->araddr, b->beats);
        s->rd_n++;
        s->st.rd_bursts++;
    }
    if (m->awvalid && o->awready) {
        wr_burst *b = &s->wr[(s->wr_head + s->wr_n) % AT_AXI_SLAVE_MAX_WR];
        b->addr = m->awaddr;
        b->beats = m->awlen + 1;
        b->got = 0;
        b->resp = burst_resp(s, m->awaddr, b->beats);
        b->b_at = 0;
        s->wr_n++;
        s->st.wr_bursts++;
    }
    s->ar_hold = m->arvalid && !o->arready;
    s->aw_hold = m->awvalid && !o->awready;
    s->w_hold = m->wvalid && !wready_before;
    s->held = *m;

    /* ---- outputs for the next cycle */
    s->tokens += s->bpc;
    if (s->tokens > s->cap)
        s->tokens = s->cap;

    o->arready = s->rd_n < AT_AXI_SLAVE_MAX_RD;
    o->awready = s->wr_n < AT_AXI_SLAVE_MAX_WR;

    /* a response held by a stall goes out once the stall is removed */
    if (s->rd_n && s->rd[s->rd_head].ready_at == UINT64_MAX)
        s->rd[s->rd_head].ready_at = stalled(s, s->rd[s->rd_head].addr, s->rd[s->rd_head].beats, s->edge + s->latency);
    if (s->wr_n && s->wr[s->wr_head].b_at == UINT64_MAX)
        s->wr[s->wr_head].b_at = stalled(s, s->wr[s->wr_head].addr, s->wr[s->wr_head].beats,
                                         s->edge + AT_AXI_SLAVE_B_LATENCY);

    /* the read burst whose next beat is due: the first one with beats left */
    rd_burst *rb = NULL;
    if (!o->rvalid && s->rd_n) {
        rd_burst *h = &s->rd[s->rd_head];
        if (h->sent < h->beats && s->edge + 1 >= h->ready_at)
            rb = h;
    }
    wr_burst *wb = NULL;
    if (s->w_idx < s->wr_n)
        wb = &s->wr[(s->wr_head + s->w_idx) % AT_AXI_SLAVE_MAX_WR];
    /* a write held forever by a stall takes no W beat: nothing lands in memory */
    if (wb && stalled(s, wb->addr, wb->beats, 0) == UINT64_MAX)
        wb = NULL;

    int want_r = rb != NULL, want_w = wb != NULL;
    int grant_r = 0, grant_w = 0;
    for (int pass = 0; pass < 2; pass++) {
        int w_turn = (pass == 0) == (s->prefer_w != 0);
        if (w_turn && want_w && s->tokens >= AT_AXI_BEAT_BYTES) {
            grant_w = 1;
            s->tokens -= AT_AXI_BEAT_BYTES;
        } else if (!w_turn && want_r && s->tokens >= AT_AXI_BEAT_BYTES) {
            grant_r = 1;
            s->tokens -= AT_AXI_BEAT_BYTES;
        }
    }
    if (want_r && want_w && grant_r != grant_w)
        s->prefer_w = !grant_w; /* the one left waiting goes first next time */

    if (grant_r) {
        unsigned i = rb->sent;
        uint64_t lo, hi;
        beat_range(rb->addr, i, &lo, &hi);
        unsigned r = rb->resp;
        const uint8_t *p = r == AT_AXI_OKAY ? at_host_mem_ptr(s->mem, lo, hi - lo) : NULL;
        if (p)
            memcpy(o->rdata, p, AT_AXI_BEAT_BYTES);
        else
            memset(o->rdata, 0, AT_AXI_BEAT_BYTES);
        if (r != AT_AXI_OKAY && i == 0)
            s->st.rd_errors++;
        o->rresp = r;
        o->rvalid = 1;
        rb->sent++;
        o->rlast = rb->sent == rb->beats;
    }
    if (grant_w)
        o->wready = 1; /* its tokens are reserved; given back if no beat comes */

    if (!o->bvalid && s->wr_n) {
        wr_burst *h = &s->wr[s->wr_head];
        if (s->w_idx > 0 && s->edge + 1 >= h->b_at) { /* its W beats are all in */
            o->bvalid = 1;
            o->bresp = h->resp;
        }
    }
    return 0;
}
