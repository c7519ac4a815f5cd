/* The AXI4 slave model of host memory (cosim/rtl/axi_mem_slave.c) driven
 * directly from C, edge by edge: read latency and bandwidth, several
 * outstanding bursts, writes with strobes, shared bandwidth without
 * starvation, SLVERR/DECERR, and the protocol checks.
 * The model's source is compiled into this test, so it runs in the plain
 * and the sanitizer builds alike. */
#include <string.h>

#include "check.h"
#include "host_mem.h"
#include "rtl/axi_mem_slave.c"

#define BASE 0x80000000ull
#define MEMSZ (1u << 20)

static const at_hw_config *tiny(void) { return at_hw_config_find("tiny"); }

typedef struct bench {
    at_host_mem *mem;
    at_axi_mem_slave *s;
    at_axi_m2s m;
    uint64_t edge;
} bench;

static int bench_init(bench *b, uint32_t lat, double bpc)
{
    at_err err = {0};
    memset(b, 0, sizeof *b);
    if (at_host_mem_create(BASE, MEMSZ, tiny(), &b->mem, &err)) {
        CHECK(0, "host mem: %s", err.msg);
        return -1;
    }
    at_axi_slave_opts o = {lat, bpc};
    if (at_axi_mem_slave_create(b->mem, &o, &b->s, &err)) {
        CHECK(0, "slave: %s", err.msg);
        return -1;
    }
    for (uint32_t i = 0; i < MEMSZ / 4; i++) {
        uint32_t v = i * 2654435761u;
        at_host_mem_write(b->mem, BASE + 4ull * i, &v, 4, NULL);
    }
    return 0;
}

static void bench_free(bench *b)
{
    at_axi_mem_slave_destroy(b->s);
    at_host_mem_destroy(b->mem);
}

static int edge(bench *b)
{
    at_err err = {0};
    int rc = at_axi_mem_slave_edge(b->s, &b->m, &err);
    b->edge++;
    return rc;
}

/* Reads nb bursts of len beats at addr, addr + 1024, ... back to back;
 * returns the edge of the last beat, and checks data and RLAST. */
static uint64_t read_bursts(bench *b, uint64_t addr, unsigned nb, unsigned len, uint64_t *first_beat)
{
    unsigned issued = 0, got = 0, total = nb * len;
    *first_beat = 0;
    b->m.rready = 1;
    for (int guard = 0; guard < 100000 && got < total; guard++) {
        const at_axi_s2m *o = at_axi_mem_slave_out(b->s);
        if (!b->m.arvalid && issued < nb) {
            b->m.arvalid = 1;
            b->m.araddr = addr + 1024ull * issued;
            b->m.arlen = len - 1;
        }
        int ar_hs = b->m.arvalid && o->arready;
        int r_hs = o->rvalid && b->m.rready;
        if (r_hs) {
            unsigned bi = got / len, i = got % len;
            uint8_t want[32];
            at_host_mem_read(b->mem, addr + 1024ull * bi + 32ull * i, want, 32, NULL);
            CHECK(!memcmp(o->rdata, want, 32), "read data burst %u beat %u", bi, i);
            CHECK(o->rlast == (i == len - 1), "RLAST %u on beat %u of %u", o->rlast, i, len);
            CHECK(o->rresp == 0, "RRESP %u", o->rresp);
            if (!got)
                *first_beat = b->edge + 1;
            got++;
        }
        CHECK(edge(b) == 0, "edge");
        if (ar_hs) {
            issued++;
            b->m.arvalid = 0;
        }
    }
    CHECK(got == total, "got %u of %u beats", got, total);
    CHECK(at_axi_mem_slave_idle(b->s), "idle after reads");
    return b->edge;
}

static void t_read_latency_and_rate(void)
{
    bench b;
    if (bench_init(&b, 100, 25600.0 / 700.0))
        return;
    uint64_t first;
    uint64_t last = read_bursts(&b, BASE + 4096, 1, 1, &first);
    /* AR taken at edge 1; the beat is taken at edge 1 + 100 */
    CHECK(first == 101 && last == 101, "single beat: first %llu last %llu (want 101)", (unsigned long long)first,
          (unsigned long long)last);
    bench_free(&b);

    if (bench_init(&b, 100, 25600.0 / 700.0))
        return;
    last = read_bursts(&b, BASE, 4, 16, &first);
    /* 4 bursts back to back: latency once, then one beat per cycle */
    CHECK(first == 101, "first beat at %llu (want 101)", (unsigned long long)first);
    CHECK(last >= 101 + 63 && last <= 101 + 66, "64 beats end at %llu (want ~164)", (unsigned long long)last);
    bench_free(&b);

    /* 16 bytes/cycle: one beat every other cycle */
    if (bench_init(&b, 10, 16.0))
        return;
    last = read_bursts(&b, BASE, 4, 16, &first);
    uint64_t span = last - first;
    CHECK(span >= 120 && span <= 130, "64 beats at 16 B/cycle took %llu edges (want ~126)", (unsigned long long)span);
    bench_free(&b);
}

static void t_write_strobes(void)
{
    bench b;
    if (bench_init(&b, 100, 36.0))
        return;
    uint8_t before[128], after[128];
    uint64_t a = BASE + 8192;
    at_host_mem_read(b.mem, a, before, 128, NULL);
    /* W before AW: the slave waits for AW */
    b.m.wvalid = 1;
    memset(b.m.wdata, 0xAB, 32);
    b.m.wstrb = 0x0000FFFFu;
    b.m.wlast = 0;
    b.m.bready = 1;
    for (int i = 0; i < 3; i++) {
        CHECK(!at_axi_mem_slave_out(b.s)->wready, "WREADY before AW");
        CHECK(edge(&b) == 0, "edge");
    }
    b.m.awvalid = 1;
    b.m.awaddr = a;
    b.m.awlen = 3;
    unsigned beats = 0;
    int bdone = 0;
    for (int g = 0; g < 100 && !bdone; g++) {
        const at_axi_s2m *o = at_axi_mem_slave_out(b.s);
        int aw_hs = b.m.awvalid && o->awready;
        int w_hs = b.m.wvalid && o->wready;
        if (o->bvalid && b.m.bready) {
            CHECK(o->bresp == 0, "BRESP %u", o->bresp);
            CHECK(beats == 4, "B before all beats (%u)", beats);
            bdone = 1;
        }
        CHECK(edge(&b) == 0, "edge");
        if (aw_hs)
            b.m.awvalid = 0;
        if (w_hs) {
            beats++;
            if (beats < 4) {
                memset(b.m.wdata, 0xA0 + beats, 32);
                b.m.wstrb = beats == 2 ? 0 : 0xF0F0F0F0u;
                b.m.wlast = beats == 3;
            } else {
                b.m.wvalid = 0;
                b.m.wlast = 0;
            }
        }
    }
    CHECK(bdone, "no B response");
    at_host_mem_read(b.mem, a, after, 128, NULL);
    int ok = 1;
    for (unsigned k = 0; k < 128; k++) {
        unsigned beat = k / 32, byte = k % 32;
        uint8_t want = before[k];
        if (beat == 0 && byte < 16)
            want = 0xAB;
        if ((beat == 1 || beat == 3) && ((0xF0F0F0F0u >> byte) & 1))
            want = (uint8_t)(0xA0 + beat);
        if (after[k] != want) {
            CHECK(0, "byte %u: got 0x%02x want 0x%02x", k, after[k], want);
            ok = 0;
            break;
        }
    }
    CHECK(ok, "strobed write");
    at_axi_slave_stats st;
    at_axi_mem_slave_stats(b.s, &st);
    CHECK(st.wr_bytes == 16 + 16 + 16, "written bytes %llu (want 48)", (unsigned long long)st.wr_bytes);
    CHECK(at_axi_mem_slave_idle(b.s), "idle");
    bench_free(&b);
}

/* Reads and writes at once on 32 bytes/cycle: both make progress and the
 * total is about one beat per cycle. */
static void t_shared_bandwidth(void)
{
    bench b;
    if (bench_init(&b, 4, 32.0))
        return;
    unsigned rgot = 0, wput = 0, rissued = 0, wissued = 0, bgot = 0;
    const unsigned N = 8; /* bursts of 16 each way */
    b.m.rready = 1;
    b.m.bready = 1;
    unsigned wbeat = 0;
    uint64_t start = b.edge, half_r = 0, half_w = 0;
    for (int g = 0; g < 2000 && (rgot < N * 16 || bgot < N); g++) {
        const at_axi_s2m *o = at_axi_mem_slave_out(b.s);
        if (!b.m.arvalid && rissued < N) {
            b.m.arvalid = 1;
            b.m.araddr = BASE + 4096ull * rissued;
            b.m.arlen = 15;
        }
        if (!b.m.awvalid && wissued < N) {
            b.m.awvalid = 1;
            b.m.awaddr = BASE + 65536 + 4096ull * wissued;
            b.m.awlen = 15;
        }
        if (!b.m.wvalid && wput < N * 16) {
            b.m.wvalid = 1;
            b.m.wstrb = 0xFFFFFFFFu;
            b.m.wlast = wbeat == 15;
        }
        int ar = b.m.arvalid && o->arready, aw = b.m.awvalid && o->awready, w = b.m.wvalid && o->wready;
        if (o->rvalid)
            rgot++;
        if (o->bvalid)
            bgot++;
        CHECK(edge(&b) == 0, "edge");
        if (ar) {
            rissued++;
            b.m.arvalid = 0;
        }
        if (aw) {
            wissued++;
            b.m.awvalid = 0;
        }
        if (w) {
            wput++;
            wbeat = (wbeat + 1) % 16;
            b.m.wvalid = 0;
        }
        if (!half_r && rgot >= N * 8)
            half_r = b.edge;
        if (!half_w && wput >= N * 8)
            half_w = b.edge;
    }
    uint64_t span = b.edge - start;
    CHECK(rgot == N * 16 && bgot == N, "reads %u writes %u", rgot, bgot);
    /* 256 beats at one per cycle at most */
    CHECK(span >= 256 && span <= 290, "256 beats took %llu edges", (unsigned long long)span);
    CHECK(half_r && half_w && half_r < span * 3 / 4 && half_w < span * 3 / 4, "no starvation: half of reads at %llu, of writes at %llu of %llu",
          (unsigned long long)half_r, (unsigned long long)half_w, (unsigned long long)span);
    bench_free(&b);
}

static void t_faults(void)
{
    bench b;
    if (bench_init(&b, 3, 36.0))
        return;
    at_err err = {0};
    CHECK(at_host_mem_fault(b.mem, BASE + 0x1040, 4, AT_AXI_SLVERR, &err) == 0, "fault: %s", err.msg);
    /* a 4-beat read over it: every beat answers SLVERR with zero data */
    b.m.arvalid = 1;
    b.m.araddr = BASE + 0x1000;
    b.m.arlen = 3;
    b.m.rready = 1;
    unsigned got = 0;
    unsigned resp[4] = {9, 9, 9, 9};
    for (int g = 0; g < 50 && got < 4; g++) {
        const at_axi_s2m *o = at_axi_mem_slave_out(b.s);
        int ar = b.m.arvalid && o->arready;
        if (o->rvalid) {
            resp[got] = o->rresp;
            if (o->rresp) {
                static const uint8_t z[32];
                CHECK(!memcmp(o->rdata, z, 32), "error beat carries data");
            }
            got++;
        }
        edge(&b);
        if (ar)
            b.m.arvalid = 0;
    }
    CHECK(got == 4 && resp[0] == AT_AXI_SLVERR && resp[1] == AT_AXI_SLVERR && resp[2] == AT_AXI_SLVERR &&
              resp[3] == AT_AXI_SLVERR,
          "RRESP %u %u %u %u (want SLVERR on every beat)", resp[0], resp[1], resp[2], resp[3]);

    /* a write touching an injected DECERR: DECERR, nothing written */
    CHECK(at_host_mem_fault(b.mem, BASE + 0x2030, 4, AT_AXI_DECERR, &err) == 0, "fault: %s", err.msg);
    b.m.awvalid = 1;
    b.m.awaddr = BASE + 0x2000;
    b.m.awlen = 1;
    b.m.wvalid = 1;
    b.m.wstrb = 0xFFFFFFFFu;
    memset(b.m.wdata, 0x5A, 32);
    b.m.bready = 1;
    unsigned beats = 0, bresp = 9;
    for (int g = 0; g < 50 && bresp == 9; g++) {
        const at_axi_s2m *o = at_axi_mem_slave_out(b.s);
        int aw = b.m.awvalid && o->awready, w = b.m.wvalid && o->wready;
        b.m.wlast = beats == 1;
        if (o->bvalid)
            bresp = o->bresp;
        edge(&b);
        if (aw)
            b.m.awvalid = 0;
        if (w && ++beats == 2)
            b.m.wvalid = 0;
    }
    CHECK(bresp == AT_AXI_DECERR, "BRESP %u (want DECERR)", bresp);
    uint8_t first[32];
    at_host_mem_read(b.mem, BASE + 0x2000, first, 32, NULL);
    CHECK(first[0] != 0x5A || first[1] != 0x5A, "a DECERR burst wrote memory");

    /* a read past the end of host memory: DECERR */
    CHECK(at_host_mem_fault(b.mem, 0, 0, AT_AXI_OKAY, &err) == 0, "fault off: %s", err.msg);
    b.m.arvalid = 1;
    b.m.araddr = BASE + MEMSZ;
    b.m.arlen = 0;
    unsigned rr = 9;
    for (int g = 0; g < 50 && rr == 9; g++) {
        const at_axi_s2m *o = at_axi_mem_slave_out(b.s);
        int ar = b.m.arvalid && o->arready;
        if (o->rvalid)
            rr = o->rresp;
        edge(&b);
        if (ar)
            b.m.arvalid = 0;
    }
    CHECK(rr == AT_AXI_DECERR, "RRESP %u outside memory (want DECERR)", rr);
    bench_free(&b);
}

/* Each violation: one fresh slave, the bad cycle, AT_EDEVICE (sticky). */
static void t_violations(void)
{
    for (int k = 0; k < 6; k++) {
        bench b;
        if (bench_init(&b, 5, 36.0))
            return;
        int rc = 0;
        switch (k) {
        case 0: /* ARLEN 16 */
            b.m.arvalid = 1;
            b.m.araddr = BASE;
            b.m.arlen = 16;
            rc = edge(&b);
            break;
        case 1: /* crossing 4 KiB */
            b.m.arvalid = 1;
            b.m.araddr = BASE + 4096 - 64;
            b.m.arlen = 2;
            rc = edge(&b);
            break;
        case 2: /* misaligned read */
            b.m.arvalid = 1;
            b.m.araddr = BASE + 8;
            b.m.arlen = 0;
            rc = edge(&b);
            break;
        case 3: /* WLAST early */
            b.m.awvalid = 1;
            b.m.awaddr = BASE;
            b.m.awlen = 1;
            b.m.wvalid = 1;
            b.m.wstrb = 1;
            b.m.wlast = 1;
            for (int g = 0; g < 10 && !rc; g++) {
                int aw = b.m.awvalid && at_axi_mem_slave_out(b.s)->awready;
                rc = edge(&b);
                if (aw)
                    b.m.awvalid = 0;
            }
            break;
        case 4: /* AWVALID dropped before AWREADY: fill the write slots first */
            b.m.awlen = 0;
            for (int g = 0; g < 40 && !rc; g++) {
                const at_axi_s2m *o = at_axi_mem_slave_out(b.s);
                b.m.awvalid = 1;
                b.m.awaddr = BASE + 32ull * (uint64_t)g;
                if (!o->awready) {
                    rc = edge(&b);
                    b.m.awvalid = 0;
                    if (!rc)
                        rc = edge(&b);
                    break;
                }
                rc = edge(&b);
            }
            break;
        case 5: /* strobes below an unaligned write address */
            b.m.awvalid = 1;
            b.m.awaddr = BASE + 4;
            b.m.awlen = 0;
            b.m.wvalid = 1;
            b.m.wstrb = 0xFF;
            b.m.wlast = 1;
            for (int g = 0; g < 10 && !rc; g++) {
                int aw = b.m.awvalid && at_axi_mem_slave_out(b.s)->awready;
                rc = edge(&b);
                if (aw)
                    b.m.awvalid = 0;
            }
            break;
        }
        CHECK(rc == AT_EDEVICE, "violation %d: rc %d (want AT_EDEVICE)", k, rc);
        at_err err = {0};
        memset(&b.m, 0, sizeof b.m);
        CHECK(at_axi_mem_slave_edge(b.s, &b.m, &err) == AT_EDEVICE && strstr(err.msg, "protocol"),
              "violation %d not sticky: '%s'", k, err.msg);
        bench_free(&b);
    }
}

int main(void)
{
    RUN_CASE(t_read_latency_and_rate);
    RUN_CASE(t_write_strobes);
    RUN_CASE(t_shared_bandwidth);
    RUN_CASE(t_faults);
    RUN_CASE(t_violations);
    return check_finish("test_axi_mem_slave");
}
