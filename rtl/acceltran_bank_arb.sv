// Per-bank round-robin arbiter of the activation scratchpad
// (docs/rtl-compute.md "Scratchpads"): NumPorts ports each ask for one
// bank; per bank the first asking port at or after the bank's pointer is
// granted, unless the bank is held (the DMA took it this cycle); the
// pointer then moves past the winner. acceltran_spad has one for the
// compute read ports and one for the compute write ports. Grants are
// combinational in the request cycle.
`include "acceltran_assert.svh"

module acceltran_bank_arb #(
  parameter  int unsigned NumPorts = 1,
  parameter  int unsigned NumBanks = 1,
  localparam int unsigned BankW    = (NumBanks > 1) ? $clog2(NumBanks) : 1,
  localparam int unsigned PortW    = (NumPorts > 1) ? $clog2(NumPorts) : 1
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic [NumPorts-1:0]       req_i,
  input  logic [NumPorts*BankW-1:0] bank_i,   // port p's bank at [p*BankW +: BankW]
  input  logic [NumBanks-1:0]       held_i,   // banks no port may have this cycle
  output logic [NumPorts-1:0]       gnt_o
);

  logic [NumBanks*PortW-1:0] rr_d, rr_q;

  always_comb begin
    gnt_o = '0;
    rr_d  = rr_q;
    for (int b = 0; b < NumBanks; b++) begin
      logic found;
      logic [PortW-1:0] win;
      found = 1'b0;
      win   = '0;
      for (int j = 0; j < NumPorts; j++) begin
        logic [PortW-1:0] p;
        p = PortW'((32'(rr_q[b*PortW +: PortW]) + 32'(j)) % NumPorts);
        if (!found && req_i[p] && (32'(bank_i[32'(p)*BankW +: BankW]) == b)) begin
          found = 1'b1;
          win   = p;
        end
      end
      if (found && !held_i[b]) begin
        gnt_o[win] = 1'b1;
        rr_d[b*PortW +: PortW] = (32'(win) == NumPorts - 1) ? '0 : PortW'(32'(win) + 1);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rr_q <= '0;
    end else begin
      rr_q <= rr_d;
    end
  end

  // grants only to requests
  `AT_ASSERT(BankArbGnt_A, (gnt_o & ~req_i) == '0)

endmodule
