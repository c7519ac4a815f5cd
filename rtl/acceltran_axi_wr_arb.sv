// AXI4 write arbitration between NumClients write clients (client 0 the
// STORE engine, client 1 the FENCE write-back) onto the one-ID memory
// master. AW leaves through a register, clients served round-robin. Each
// accepted burst pushes its client into two in-order FIFOs: the W FIFO
// (the W channel is taken from its head client, popped with the burst's
// last beat, so W data follows AW order) and the B FIFO (B responses go to
// its head client). A client presents W beats only for bursts whose AW was
// accepted here. bus_idle_o: no AW waiting or registered and no response
// outstanding (which covers W beats still owed).
module acceltran_axi_wr_arb #(
  parameter int unsigned NumClients = 2,
  parameter int unsigned Depth      = 32,   // outstanding bursts (power of 2)
  parameter int unsigned DataW      = acceltran_pkg::BusBytes * 8,
  localparam int unsigned StrbW = DataW / 8,
  localparam int unsigned IdW   = (NumClients > 1) ? $clog2(NumClients) : 1,
  localparam int unsigned PtrW  = $clog2(Depth)
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

  logic            aw_valid_q, aw_valid_d;
  logic [63:0]     aw_addr_q, aw_addr_d;
  logic [7:0]      aw_len_q, aw_len_d;
  logic [IdW-1:0]  rr_q, rr_d;
  logic [IdW-1:0]  fifo_q [Depth];  // one store, read by the W and the B pointer
  logic [PtrW-1:0] wr_ptr_q, wr_ptr_d, w_ptr_q, w_ptr_d, b_ptr_q, b_ptr_d;
  logic [PtrW:0]   w_cnt_q, w_cnt_d, b_cnt_q, b_cnt_d;

  logic            accept, found, push, w_pop, b_pop;
  logic [IdW-1:0]  sel, cand, w_head, b_head;

  always_comb begin
    found = 1'b0;
    sel   = '0;
    cand  = '0;
    for (int unsigned i = 1; i <= NumClients; i++) begin
      cand = IdW'((32'(rr_q) + i) % NumClients);
      if (!found && c_awvalid_i[cand]) begin
        found = 1'b1;
        sel   = cand;
      end
    end
  end

  assign w_head = fifo_q[w_ptr_q];
  assign b_head = fifo_q[b_ptr_q];
  assign accept = (!aw_valid_q || m_axi_awready_i) && (b_cnt_q < (PtrW+1)'(Depth));
  assign push   = accept && found;
  assign w_pop  = m_axi_wvalid_o && m_axi_wready_i && m_axi_wlast_o;
  assign b_pop  = m_axi_bvalid_i && m_axi_bready_o;

  always_comb begin
    aw_valid_d  = aw_valid_q;
    aw_addr_d   = aw_addr_q;
    aw_len_d    = aw_len_q;
    rr_d        = rr_q;
    c_awready_o = '0;
    if (m_axi_awready_i) begin
      aw_valid_d = 1'b0;
    end
    if (push) begin
      aw_valid_d       = 1'b1;
      aw_addr_d        = c_awaddr_i[32'(sel)*64 +: 64];
      aw_len_d         = c_awlen_i[32'(sel)*8 +: 8];
      rr_d             = sel;
      c_awready_o[sel] = 1'b1;
    end
  end

  always_comb begin
    wr_ptr_d = wr_ptr_q + PtrW'(push);
    w_ptr_d  = w_ptr_q + PtrW'(w_pop);
    b_ptr_d  = b_ptr_q + PtrW'(b_pop);
    w_cnt_d  = w_cnt_q + (PtrW+1)'(push) - (PtrW+1)'(w_pop);
    b_cnt_d  = b_cnt_q + (PtrW+1)'(push) - (PtrW+1)'(b_pop);
  end

  // W from the head client of the W FIFO
  always_comb begin
    c_wready_o     = '0;
    m_axi_wvalid_o = 1'b0;
    m_axi_wdata_o  = c_wdata_i[32'(w_head)*DataW +: DataW];
    m_axi_wstrb_o  = c_wstrb_i[32'(w_head)*StrbW +: StrbW];
    m_axi_wlast_o  = c_wlast_i[w_head];
    if (w_cnt_q != '0) begin
      m_axi_wvalid_o     = c_wvalid_i[w_head];
      c_wready_o[w_head] = m_axi_wready_i;
    end
  end

  // B to the head client of the B FIFO
  always_comb begin
    c_bvalid_o     = '0;
    m_axi_bready_o = 1'b0;
    if (b_cnt_q != '0) begin
      c_bvalid_o[b_head] = m_axi_bvalid_i;
      m_axi_bready_o     = c_bready_i[b_head];
    end
  end
  assign c_bresp_o = m_axi_bresp_i;

  assign m_axi_awvalid_o = aw_valid_q;
  assign m_axi_awaddr_o  = aw_addr_q;
  assign m_axi_awlen_o   = aw_len_q;
  assign bus_idle_o      = !aw_valid_q && (b_cnt_q == '0) && (c_awvalid_i == '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_valid_q <= 1'b0;
      aw_addr_q  <= '0;
      aw_len_q   <= '0;
      rr_q       <= '0;
      wr_ptr_q   <= '0;
      w_ptr_q    <= '0;
      b_ptr_q    <= '0;
      w_cnt_q    <= '0;
      b_cnt_q    <= '0;
    end else begin
      aw_valid_q <= aw_valid_d;
      aw_addr_q  <= aw_addr_d;
      aw_len_q   <= aw_len_d;
      rr_q       <= rr_d;
      wr_ptr_q   <= wr_ptr_d;
      w_ptr_q    <= w_ptr_d;
      b_ptr_q    <= b_ptr_d;
      w_cnt_q    <= w_cnt_d;
      b_cnt_q    <= b_cnt_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) begin
      fifo_q[wr_ptr_q] <= sel;
    end
  end

endmodule
