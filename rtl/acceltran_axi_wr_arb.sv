// AXI4 write arbitration between NumClients write clients (client 0 the
// STORE engine, client 1 the FENCE write-back) onto the one-ID memory
// master. The AW channel (round-robin pick, output register) is
// acceltran_axi_addr_arb. Each accepted burst pushes its client into two
// in-order FIFOs: the W FIFO (the W channel is taken from its head client,
// popped with the burst's last beat, so W data follows AW order) and the B
// FIFO (B responses go to its head client, popped with the response). A
// client presents W beats only for bursts whose AW was accepted here.
// bus_idle_o: no AW waiting or registered and no response outstanding
// (which covers W beats still owed).
`include "acceltran_assert.svh"

module acceltran_axi_wr_arb #(
  parameter int unsigned NumClients = 2,
  parameter int unsigned Depth      = 32,   // outstanding bursts
  parameter int unsigned DataW      = acceltran_pkg::BusBytes * 8,
  localparam int unsigned StrbW = DataW / 8,
  localparam int unsigned IdW   = (NumClients > 1) ? $clog2(NumClients) : 1,
  localparam int unsigned CntW  = $clog2(Depth + 1)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // clients (client c at [c*W +: W])
  input  logic [NumClients-1:0]       c_awvalid_i,
  output logic [NumClients-1:0]       c_awready_o,
  input  logic [NumClients*64-1:0]    c_awaddr_i,
  input  logic [NumClients*8-1:0]     c_awlen_i,
  input  logic [NumClients-1:0]       c_wvalid_i,
  output logic [NumClients-1:0]       c_wready_o,
  input  logic [NumClients*DataW-1:0] c_wdata_i,
  input  logic [NumClients*StrbW-1:0] c_wstrb_i,
  input  logic [NumClients-1:0]       c_wlast_i,
  output logic [NumClients-1:0]       c_bvalid_o,
  input  logic [NumClients-1:0]       c_bready_i,
  output logic [1:0]                  c_bresp_o,
  // memory master
  output logic                        m_axi_awvalid_o,
  input  logic                        m_axi_awready_i,
  output logic [63:0]                 m_axi_awaddr_o,
  output logic [7:0]                  m_axi_awlen_o,
  output logic                        m_axi_wvalid_o,
  input  logic                        m_axi_wready_i,
  output logic [DataW-1:0]            m_axi_wdata_o,
  output logic [StrbW-1:0]            m_axi_wstrb_o,
  output logic                        m_axi_wlast_o,
  input  logic                        m_axi_bvalid_i,
  output logic                        m_axi_bready_o,
  input  logic [1:0]                  m_axi_bresp_i,
  output logic                        bus_idle_o
);

  logic            push, w_pop, b_pop;
  logic [IdW-1:0]  push_idx, w_head, b_head;
  logic [CntW-1:0] w_cnt, b_cnt;

  // The B FIFO bounds the outstanding bursts: a burst leaves the W FIFO
  // (last W beat) no later than the B FIFO (its response), so the W FIFO
  // always has room when the B FIFO has.
  acceltran_axi_addr_arb #(
    .NumClients (NumClients)
  ) u_aw (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .c_valid_i    (c_awvalid_i),
    .c_ready_o    (c_awready_o),
    .c_addr_i     (c_awaddr_i),
    .c_len_i      (c_awlen_i),
    .room_i       (32'(b_cnt) < Depth),
    .m_valid_o    (m_axi_awvalid_o),
    .m_ready_i    (m_axi_awready_i),
    .m_addr_o     (m_axi_awaddr_o),
    .m_len_o      (m_axi_awlen_o),
    .accept_o     (push),
    .accept_idx_o (push_idx)
  );

  // client of each burst whose W beats are still to send, in AW order
  acceltran_fifo #(
    .Width (IdW),
    .Depth (Depth)
  ) u_w_route (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (1'b0),
    .push_i  (push),
    .wdata_i (push_idx),
    .pop_i   (w_pop),
    .rdata_o (w_head),
    .count_o (w_cnt)
  );

  // client of each burst whose response is still owed, in AW order
  acceltran_fifo #(
    .Width (IdW),
    .Depth (Depth)
  ) u_b_route (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (1'b0),
    .push_i  (push),
    .wdata_i (push_idx),
    .pop_i   (b_pop),
    .rdata_o (b_head),
    .count_o (b_cnt)
  );

  assign w_pop = m_axi_wvalid_o && m_axi_wready_i && m_axi_wlast_o;
  assign b_pop = m_axi_bvalid_i && m_axi_bready_o;

  // W from the head client of the W FIFO
  always_comb begin
    c_wready_o     = '0;
    m_axi_wvalid_o = 1'b0;
    m_axi_wdata_o  = c_wdata_i[32'(w_head)*DataW +: DataW];
    m_axi_wstrb_o  = c_wstrb_i[32'(w_head)*StrbW +: StrbW];
    m_axi_wlast_o  = c_wlast_i[w_head];
    if (w_cnt != '0) begin
      m_axi_wvalid_o     = c_wvalid_i[w_head];
      c_wready_o[w_head] = m_axi_wready_i;
    end
  end

  // B to the head client of the B FIFO
  always_comb begin
    c_bvalid_o     = '0;
    m_axi_bready_o = 1'b0;
    if (b_cnt != '0) begin
      c_bvalid_o[b_head] = m_axi_bvalid_i;
      m_axi_bready_o     = c_bready_i[b_head];
    end
  end
  assign c_bresp_o = m_axi_bresp_i;

  assign bus_idle_o = !m_axi_awvalid_o && (b_cnt == '0) && (c_awvalid_i == '0);

  // ---------------------------------------------------------------- assertions
  // a burst leaves the W FIFO no later than the B FIFO, so the W FIFO has
  // room whenever the B FIFO has (the comment above u_aw); B only for
  // bursts whose last W beat was sent (AXI4 slave rule)
  `AT_ASSERT(WrArbWBelowB_A, w_cnt <= b_cnt)
  `AT_ASSERT(WrArbNoStrayB_A, m_axi_bvalid_i |-> (b_cnt > w_cnt))
  // a client presents W beats only for bursts whose AW was accepted here
  `AT_ASSERT(WrArbWOnlyAddressed_A, (w_cnt == '0) |-> (c_wvalid_i == '0))
  `AT_ASSERT(WrArbBvalidOneHot_A, $onehot0(c_bvalid_o))

endmodule
