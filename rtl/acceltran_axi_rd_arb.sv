// AXI4 read-address arbitration between NumClients read clients (client 0
// the descriptor fetch, client 1 the LOAD engine) onto the one-ID memory
// master. The AR channel (round-robin pick, output register) is
// acceltran_axi_addr_arb. Every accepted burst pushes its client's index
// into an in-order FIFO; R beats go to the client at the FIFO head (the bus
// returns bursts in order: one ID) and the head is popped with the burst's
// last beat. m_axi_rready_o is the head client's ready. bus_idle_o: no
// request waiting, none in the register and no burst outstanding.
`include "acceltran_assert.svh"

module acceltran_axi_rd_arb #(
  parameter int unsigned NumClients = 2,
  parameter int unsigned Depth      = 32,   // outstanding bursts
  parameter int unsigned DataW      = acceltran_pkg::BusBytes * 8,
  localparam int unsigned IdW  = (NumClients > 1) ? $clog2(NumClients) : 1,
  localparam int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // clients (client c at [c*W +: W])
  input  logic [NumClients-1:0]    c_arvalid_i,
  output logic [NumClients-1:0]    c_arready_o,
  input  logic [NumClients*64-1:0] c_araddr_i,
  input  logic [NumClients*8-1:0]  c_arlen_i,
  output logic [NumClients-1:0]    c_rvalid_o,
  input  logic [NumClients-1:0]    c_rready_i,
  output logic [DataW-1:0]         c_rdata_o,   // shared by the clients
  output logic [1:0]               c_rresp_o,
  output logic                     c_rlast_o,
  // memory master
  output logic                     m_axi_arvalid_o,
  input  logic                     m_axi_arready_i,
  output logic [63:0]              m_axi_araddr_o,
  output logic [7:0]               m_axi_arlen_o,
  input  logic                     m_axi_rvalid_i,
  output logic                     m_axi_rready_o,
  input  logic [DataW-1:0]         m_axi_rdata_i,
  input  logic [1:0]               m_axi_rresp_i,
  input  logic                     m_axi_rlast_i,
  output logic                     bus_idle_o
);

  logic            push, pop;
  logic [IdW-1:0]  push_idx, head;
  logic [CntW-1:0] cnt;

  acceltran_axi_addr_arb #(
    .NumClients (NumClients)
  ) u_ar (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .c_valid_i    (c_arvalid_i),
    .c_ready_o    (c_arready_o),
    .c_addr_i     (c_araddr_i),
    .c_len_i      (c_arlen_i),
    .room_i       (32'(cnt) < Depth),
    .m_valid_o    (m_axi_arvalid_o),
    .m_ready_i    (m_axi_arready_i),
    .m_addr_o     (m_axi_araddr_o),
    .m_len_o      (m_axi_arlen_o),
    .accept_o     (push),
    .accept_idx_o (push_idx)
  );

  // client of each outstanding burst, in AR order
  acceltran_fifo #(
    .Width (IdW),
    .Depth (Depth)
  ) u_route (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (1'b0),
    .push_i  (push),
    .wdata_i (push_idx),
    .pop_i   (pop),
    .rdata_o (head),
    .count_o (cnt)
  );

  assign pop = m_axi_rvalid_i && m_axi_rready_o && m_axi_rlast_i;

  // R routing to the FIFO head
  always_comb begin
    c_rvalid_o     = '0;
    m_axi_rready_o = 1'b0;
    if (cnt != '0) begin
      c_rvalid_o[head] = m_axi_rvalid_i;
      m_axi_rready_o   = c_rready_i[head];
    end
  end
  assign c_rdata_o = m_axi_rdata_i;
  assign c_rresp_o = m_axi_rresp_i;
  assign c_rlast_o = m_axi_rlast_i;

  assign bus_idle_o = !m_axi_arvalid_o && (cnt == '0) && (c_arvalid_i == '0);

  // ---------------------------------------------------------------- assertions
  // the memory returns R beats only for bursts addressed here (slave side
  // of the one-ID contract); a beat goes to exactly the head client
  `AT_ASSERT(RdArbNoStrayBeat_A, m_axi_rvalid_i |-> (cnt != '0))
  `AT_ASSERT(RdArbRvalidOneHot_A, $onehot0(c_rvalid_o))
  `AT_ASSERT(RdArbIdle_A, bus_idle_o |-> !m_axi_rvalid_i)

endmodule
