// Burst address generator of the DMA engines (docs/rtl-control.md): the
// memory side of an XFER descriptor (LOAD / STORE) as AXI4 INCR bursts.
//
// Row r is a segment of ncb = ceil(COLS/16) 32-byte beats at MEM + r*STRIDE;
// when STRIDE = 32*ncb the rows follow each other in memory and the whole
// transfer is one segment of ROWS*ncb beats, so short rows still give long
// bursts. A segment is cut into bursts of up to 16 beats that never cross a
// 4 KiB boundary (AXI4 rule).
// start_i loads the transfer of cmd_i (a checked descriptor); valid_o (a
// segment is left), addr_o and len_o (beats - 1) present the next burst,
// step_i (its handshake) moves to the one after. valid_o is not an AXI
// valid: the client gates issuing (errors, quiesce, outstanding limit).
`include "acceltran_assert.svh"

module acceltran_dma_burst_gen (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [511:0] cmd_i,
  output logic         valid_o,
  output logic [63:0]  addr_o,
  output logic [7:0]   len_o,
  input  logic         step_i
);

  // ---------------------------------------------------------------- command fields
  logic [15:0] c_rows, c_cols;
  logic [63:0] c_mem;
  logic [31:0] c_stride;
  logic [12:0] c_ncb;
  logic        c_contig;
  assign c_rows   = cmd_i[acceltran_pkg::DescXferRowsWord*32 + acceltran_pkg::DescXferRowsLsb +: 16];
  assign c_cols   = cmd_i[acceltran_pkg::DescXferColsWord*32 + acceltran_pkg::DescXferColsLsb +: 16];
  assign c_mem    = {cmd_i[acceltran_pkg::DescXferMemHiWord*32 +: 32],
                     cmd_i[acceltran_pkg::DescXferMemLoWord*32 +: 32]};
  assign c_stride = cmd_i[acceltran_pkg::DescXferMemStrideWord*32 +: 32];
  assign c_ncb    = 13'((17'(c_cols) + 17'd15) >> 4);
  assign c_contig = ({19'd0, c_ncb} << 5) == c_stride;

  // ---------------------------------------------------------------- state
  logic [31:0] stride_q, stride_d;
  logic [12:0] ncb_q, ncb_d;
  logic [63:0] addr_q, addr_d, base_q, base_d;   // next burst, start of its row
  logic [28:0] seg_q, seg_d;                     // beats left in the segment
  logic [15:0] rows_q, rows_d;                   // segments after this one

  logic [7:0]  to4k;
  logic [4:0]  blen;                             // beats in the next burst, 1..16

  always_comb begin
    to4k = 8'((13'd4096 - {1'b0, addr_q[11:0]}) >> 5);
    blen = 5'd16;
    if (seg_q < 29'(blen)) begin
      blen = 5'(seg_q);
    end
    if ({3'd0, to4k} < 11'(blen)) begin
      blen = 5'(to4k);
    end
  end

  assign valid_o = (seg_q != '0);
  assign addr_o  = addr_q;
  assign len_o   = {3'd0, blen - 5'd1};

  always_comb begin
    stride_d = stride_q;
    ncb_d    = ncb_q;
    addr_d   = addr_q;
    base_d   = base_q;
    seg_d    = seg_q;
    rows_d   = rows_q;

    if (step_i) begin
      addr_d = addr_q + {54'd0, blen, 5'd0};
      seg_d  = seg_q - 29'(blen);
      if ((seg_q == 29'(blen)) && (rows_q != '0)) begin
        base_d = base_q + 64'(stride_q);
        addr_d = base_q + 64'(stride_q);
        seg_d  = 29'(ncb_q);
        rows_d = rows_q - 16'd1;
      end
    end

    if (start_i) begin
      stride_d = c_stride;
      ncb_d    = c_ncb;
      addr_d   = c_mem;
      base_d   = c_mem;
      if (c_contig) begin
        seg_d  = 29'(c_rows) * 29'(c_ncb);
        rows_d = '0;
      end else begin
        seg_d  = 29'(c_ncb);
        rows_d = c_rows - 16'd1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      stride_q <= '0;
      ncb_q    <= '0;
      addr_q   <= '0;
      base_q   <= '0;
      seg_q    <= '0;
      rows_q   <= '0;
    end else begin
      stride_q <= stride_d;
      ncb_q    <= ncb_d;
      addr_q   <= addr_d;
      base_q   <= base_d;
      seg_q    <= seg_d;
      rows_q   <= rows_d;
    end
  end

  // the descriptor words the memory side does not use
  logic unused;
  assign unused = ^{cmd_i[511:256], cmd_i[63:0], cmd_i[159:96]};

  // ---------------------------------------------------------------- assertions
  // every burst presented is 1..16 beats and stays inside one 4 KiB page
  // (AXI4); the client steps only over a presented burst
  `AT_ASSERT(BurstGenLen_A, valid_o |-> (blen != 5'd0) && (blen <= 5'd16))
  `AT_ASSERT(BurstGen4k_A, valid_o |-> (13'(addr_q[11:0]) + 13'({blen, 5'd0}) <= 13'd4096))
  `AT_ASSERT(BurstGenStep_A, step_i |-> valid_o)

endmodule
