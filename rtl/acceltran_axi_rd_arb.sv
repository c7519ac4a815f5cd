// AXI4 read-address arbitration between NumClients read clients (client 0
// the descriptor fetch, client 1 the LOAD engine) onto the one-ID memory
// master. The AR channel leaves through a register (the bus sees a stable
// request); clients are served round-robin. Every accepted burst pushes
// its client's index into an in-order FIFO; R beats go to the client at the
// FIFO head (the bus returns bursts in order: one ID) and the head is
// popped with the burst's last beat. m_axi_rready_o is the head client's
// ready. bus_idle_o: no request waiting, none in the register and no burst
// outstanding.
module acceltran_axi_rd_arb #(
  parameter int unsigned NumClients = 2,
  parameter int unsigned Depth      = 32,   // outstanding bursts (power of 2)
  parameter int unsigned DataW      = acceltran_pkg::BusBytes * 8,
  localparam int unsigned IdW  = (NumClients > 1) ? $clog2(NumClients) : 1,
  localparam int unsigned PtrW = $clog2(Depth)
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

  logic            ar_valid_q, ar_valid_d;
  logic [63:0]     ar_addr_q, ar_addr_d;
  logic [7:0]      ar_len_q, ar_len_d;
  logic [IdW-1:0]  rr_q, rr_d;
  logic [IdW-1:0]  fifo_q [Depth];
  logic [PtrW-1:0] wptr_q, wptr_d, rptr_q, rptr_d;
  logic [PtrW:0]   cnt_q, cnt_d;

  logic            accept, found, push, pop;
  logic [IdW-1:0]  sel, head;
  logic [IdW-1:0]  cand;

  // round-robin pick, starting after the last client served
  always_comb begin
    found = 1'b0;
    sel   = '0;
    cand  = '0;
    for (int unsigned i = 1; i <= NumClients; i++) begin
      cand = IdW'((32'(rr_q) + i) % NumClients);
      if (!found && c_arvalid_i[cand]) begin
        found = 1'b1;
        sel   = cand;
      end
    end
  end

  assign head   = fifo_q[rptr_q];
  assign accept = (!ar_valid_q || m_axi_arready_i) && (cnt_q < (PtrW+1)'(Depth));
  assign push   = accept && found;
  assign pop    = m_axi_rvalid_i && m_axi_rready_o && m_axi_rlast_i && (cnt_q != '0);

  always_comb begin
    ar_valid_d  = ar_valid_q;
    ar_addr_d   = ar_addr_q;
    ar_len_d    = ar_len_q;
    rr_d        = rr_q;
    c_arready_o = '0;
    if (m_axi_arready_i) begin
      ar_valid_d = 1'b0;
    end
    if (push) begin
      ar_valid_d       = 1'b1;
      ar_addr_d        = c_araddr_i[32'(sel)*64 +: 64];
      ar_len_d         = c_arlen_i[32'(sel)*8 +: 8];
      rr_d             = sel;
      c_arready_o[sel] = 1'b1;
    end
  end

  always_comb begin
    wptr_d = wptr_q;
    rptr_d = rptr_q;
    cnt_d  = cnt_q;
    if (push) begin
      wptr_d = wptr_q + 1'b1;
    end
    if (pop) begin
      rptr_d = rptr_q + 1'b1;
    end
    cnt_d = cnt_q + (PtrW+1)'(push) - (PtrW+1)'(pop);
  end

  // R routing to the FIFO head
  always_comb begin
    c_rvalid_o     = '0;
    m_axi_rready_o = 1'b0;
    if (cnt_q != '0) begin
      c_rvalid_o[head] = m_axi_rvalid_i;
      m_axi_rready_o   = c_rready_i[head];
    end
  end
  assign c_rdata_o = m_axi_rdata_i;
  assign c_rresp_o = m_axi_rresp_i;
  assign c_rlast_o = m_axi_rlast_i;

  assign m_axi_arvalid_o = ar_valid_q;
  assign m_axi_araddr_o  = ar_addr_q;
  assign m_axi_arlen_o   = ar_len_q;
  assign bus_idle_o      = !ar_valid_q && (cnt_q == '0) && (c_arvalid_i == '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_valid_q <= 1'b0;
      ar_addr_q  <= '0;
      ar_len_q   <= '0;
      rr_q       <= '0;
      wptr_q     <= '0;
      rptr_q     <= '0;
      cnt_q      <= '0;
    end else begin
      ar_valid_q <= ar_valid_d;
      ar_addr_q  <= ar_addr_d;
      ar_len_q   <= ar_len_d;
      rr_q       <= rr_d;
      wptr_q     <= wptr_d;
      rptr_q     <= rptr_d;
      cnt_q      <= cnt_d;
    end
  end

  // FIFO storage (no reset: entries are read only below cnt_q)
  always_ff @(posedge clk_i) begin
    if (push) begin
      fifo_q[wptr_q] <= sel;
    end
  end

endmodule
