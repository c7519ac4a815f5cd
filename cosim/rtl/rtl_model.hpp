// One Verilated acceltran_top behind a small virtual interface, so that
// cosim_rtl.cpp can drive models of several (configuration, profile)
// pairs, each Verilated with its own --prefix. cosim_rtl_model.cpp
// instantiates RtlModelT for one of them (rtl_backend.mk compiles it once
// per model). C++17.
#ifndef ACCELTRAN_RTL_MODEL_HPP
#define ACCELTRAN_RTL_MODEL_HPP

#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

#include "axi_mem_slave.h"
#include "verilated.h"
#include "verilated_fst_c.h"

// What the testbench drives.
struct RtlPinsIn {
    uint8_t rst_n;
    // AXI4-Lite (register) master
    uint8_t awvalid, wvalid, bready, arvalid, rready;
    uint32_t awaddr, wdata, araddr;
    uint8_t wstrb;
    // AXI4 memory slave
    at_axi_s2m mem;
};

// What the device drives.
struct RtlPinsOut {
    uint8_t awready, wready, bvalid, bresp, arready, rvalid, rresp;
    uint32_t rdata;
    uint8_t irq;
    at_axi_m2s mem;
};

class RtlModel {
  public:
    virtual ~RtlModel() = default;
    // The clock to clk, inputs in, eval (and a trace sample at time t when
    // tracing); then the outputs into out.
    virtual void half(int clk, const RtlPinsIn &in, RtlPinsOut *out, uint64_t t) = 0;
    virtual bool has_trace() const = 0;
    virtual bool trace_open(const char *path) = 0;
    virtual void trace_close() = 0;
    // An assertion, $stop, $error or $fatal fired, or $finish ran.
    virtual bool stopped() const = 0;
    virtual void make_current() = 0;
};

// Bit copies between byte arrays and ports of any width.
template <typename T> static inline void rtl_put_bytes(T &p, const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n && i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    p = (T)v;
}

template <std::size_t N> static inline void rtl_put_bytes(VlWide<N> &p, const uint8_t *b, unsigned n)
{
    for (std::size_t w = 0; w < N; w++) {
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; k++)
            if (w * 4 + k < n)
                v |= (uint32_t)b[w * 4 + k] << (8 * k);
        p[w] = v;
    }
}

template <std::size_t N> static inline void rtl_get_bytes(const VlWide<N> &p, uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(p[i / 4] >> (8 * (i % 4)));
}

template <class V, bool Trace> class RtlModelT final : public RtlModel {
  public:
    RtlModelT(bool randomize, int seed)
    {
        ctx_.fatalOnError(false);
        if constexpr (Trace)
            ctx_.traceEverOn(true);
        if (randomize) {
            ctx_.randReset(2);
            ctx_.randSeed(seed);
        }
        Verilated::threadContextp(&ctx_);
        top_ = new (std::nothrow) V(&ctx_, "acceltran_top");
    }
    ~RtlModelT() override
    {
        if (top_) {
            Verilated::threadContextp(&ctx_);
            trace_close();
            top_->final();
            delete top_;
        }
    }
    bool ok() const { return top_ != nullptr; }

    void make_current() override { Verilated::threadContextp(&ctx_); }

    void half(int clk, const RtlPinsIn &in, RtlPinsOut *out, uint64_t t) override
    {
        V *v = top_;
        v->clk_i = (uint8_t)clk;
        v->rst_ni = in.rst_n;
        v->s_axil_awvalid_i = in.awvalid;
        v->s_axil_awaddr_i = in.awaddr;
        v->s_axil_wvalid_i = in.wvalid;
        v->s_axil_wdata_i = in.wdata;
        v->s_axil_wstrb_i = in.wstrb;
        v->s_axil_bready_i = in.bready;
        v->s_axil_arvalid_i = in.arvalid;
        v->s_axil_araddr_i = in.araddr;
        v->s_axil_rready_i = in.rready;
        v->m_axi_arready_i = (uint8_t)in.mem.arready;
        v->m_axi_rvalid_i = (uint8_t)in.mem.rvalid;
        rtl_put_bytes(v->m_axi_rdata_i, in.mem.rdata, AT_AXI_BEAT_BYTES);
        v->m_axi_rresp_i = (uint8_t)in.mem.rresp;
        v->m_axi_rlast_i = (uint8_t)in.mem.rlast;
        v->m_axi_awready_i = (uint8_t)in.mem.awready;
        v->m_axi_wready_i = (uint8_t)in.mem.wready;
        v->m_axi_bvalid_i = (uint8_t)in.mem.bvalid;
        v->m_axi_bresp_i = (uint8_t)in.mem.bresp;
        ctx_.time(t);
        v->eval();
        if constexpr (Trace) {
            if (tfp_ && (!dumped_ || t > last_dump_)) {
                tfp_->dump(t);
                last_dump_ = t;
                dumped_ = true;
            }
        }
        out->awready = v->s_axil_awready_o;
        out->wready = v->s_axil_wready_o;
        out->bvalid = v->s_axil_bvalid_o;
        out->bresp = v->s_axil_bresp_o;
        out->arready = v->s_axil_arready_o;
        out->rvalid = v->s_axil_rvalid_o;
        out->rresp = v->s_axil_rresp_o;
        out->rdata = v->s_axil_rdata_o;
        out->irq = v->irq_o;
        at_axi_m2s &m = out->mem;
        m.arvalid = v->m_axi_arvalid_o;
        m.araddr = v->m_axi_araddr_o;
        m.arlen = v->m_axi_arlen_o;
        m.rready = v->m_axi_rready_o;
        m.awvalid = v->m_axi_awvalid_o;
        m.awaddr = v->m_axi_awaddr_o;
        m.awlen = v->m_axi_awlen_o;
        m.wvalid = v->m_axi_wvalid_o;
        rtl_get_bytes(v->m_axi_wdata_o, m.wdata, AT_AXI_BEAT_BYTES);
        m.wstrb = v->m_axi_wstrb_o;
        m.wlast = v->m_axi_wlast_o;
        m.bready = v->m_axi_bready_o;
    }

    bool has_trace() const override { return Trace; }

    bool trace_open(const char *path) override
    {
        if constexpr (Trace) {
            trace_close();
            tfp_ = new (std::nothrow) VerilatedFstC;
            if (!tfp_)
                return false;
            top_->trace(tfp_, 99);
            dumped_ = false;
            tfp_->open(path);
            if (!tfp_->isOpen()) {
                delete tfp_;
                tfp_ = nullptr;
                return false;
            }
            return true;
        } else {
            (void)path;
            return false;
        }
    }

    void trace_close() override
    {
        if constexpr (Trace) {
            if (tfp_) {
                tfp_->close();
                delete tfp_;
                tfp_ = nullptr;
            }
        }
    }

    bool stopped() const override { return ctx_.gotError() || ctx_.gotFinish(); }

  private:
    VerilatedContext ctx_;
    V *top_ = nullptr;
    VerilatedFstC *tfp_ = nullptr;
    uint64_t last_dump_ = 0;
    bool dumped_ = false;
};

#endif
