// AXI4 address-channel (AR or AW) arbitration between NumClients clients,
// shared by acceltran_axi_rd_arb and acceltran_axi_wr_arb. Clients are
// served round-robin, starting after the last client served; the request
// leaves through a register so the bus sees a stable request. A client is
// accepted (its ready, the register's load enable) when the register is
// empty or being taken by the bus this cycle, and room_i says the caller
// can track one more outstanding burst. accept_o / accept_idx_o pulse with
// the accepted client so the caller can push it into its routing FIFOs.
`include "acceltran_assert.svh"

module acceltran_axi_addr_arb #(
  parameter int unsigned NumClients = 2,
  localparam int unsigned IdW = (NumClients > 1) ? $clog2(NumClients) : 1
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // clients (client c at [c*W +: W])
  input  logic [NumClients-1:0]    c_valid_i,
  output logic [NumClients-1:0]    c_ready_o,
  input  logic [NumClients*64-1:0] c_addr_i,
  input  logic [NumClients*8-1:0]  c_len_i,
  // room for one more outstanding burst
  input  logic                     room_i,
  // memory master address channel
  output logic                     m_valid_o,
  input  logic                     m_ready_i,
  output logic [63:0]              m_addr_o,
  output logic [7:0]               m_len_o,
  // the request accepted this cycle
  output logic                     accept_o,
  output logic [IdW-1:0]           accept_idx_o
);

  logic           valid_q, valid_d;
  logic [63:0]    addr_q, addr_d;
  logic [7:0]     len_q, len_d;
  logic [IdW-1:0] rr_q, rr_d;

  logic           found;
  logic [IdW-1:0] sel, cand;

  // round-robin pick, starting after the last client served
  always_comb begin
    found = 1'b0;
    sel   = '0;
    cand  = '0;
    for (int unsigned i = 1; i <= NumClients; i++) begin
      cand = IdW'((32'(rr_q) + i) % NumClients);
      if (!found && c_valid_i[cand]) begin
        found = 1'b1;
        sel   = cand;
      end
    end
  end

  assign accept_o     = (!valid_q || m_ready_i) && room_i && found;
  assign accept_idx_o = sel;

  always_comb begin
    valid_d   = valid_q;
    addr_d    = addr_q;
    len_d     = len_q;
    rr_d      = rr_q;
    c_ready_o = '0;
    if (m_ready_i) begin
      valid_d = 1'b0;
    end
    if (accept_o) begin
      valid_d        = 1'b1;
      addr_d         = c_addr_i[32'(sel)*64 +: 64];
      len_d          = c_len_i[32'(sel)*8 +: 8];
      rr_d           = sel;
      c_ready_o[sel] = 1'b1;
    end
  end

  assign m_valid_o = valid_q;
  assign m_addr_o  = addr_q;
  assign m_len_o   = len_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
      addr_q  <= '0;
      len_q   <= '0;
      rr_q    <= '0;
    end else begin
      valid_q <= valid_d;
      addr_q  <= addr_d;
      len_q   <= len_d;
      rr_q    <= rr_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  // the registered request on the bus side follows AXI4: valid held until
  // ready, address and length stable meanwhile
  `AT_ASSERT_HOLD(AddrArbMHold_A, m_valid_o, m_ready_i, {m_addr_o, m_len_o})
  // a client is accepted only when it asks, one at a time, with room
  `AT_ASSERT(AddrArbReadyOneHot_A, $onehot0(c_ready_o))
  `AT_ASSERT(AddrArbReadyValid_A, (c_ready_o & ~c_valid_i) == '0)
  `AT_ASSERT(AddrArbAcceptRoom_A, accept_o |-> room_i && c_valid_i[accept_idx_o])
  `AT_ASSERT(AddrArbRrRange_A, 32'(rr_q) < NumClients)

endmodule
