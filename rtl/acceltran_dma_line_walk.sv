// Scratchpad line walker of the DMA engines (docs/rtl-control.md): the
// scratchpad side of an XFER descriptor (LOAD / STORE), one line per beat.
//
// Lines go in (r, cb) order, r < ROWS, cb < ncb = ceil(COLS/16), at
// SPAD + r*ROW_STEP + cb*CB_STEP. The line is kept incrementally (no
// multiplier): line += CB_STEP, at a row end base += ROW_STEP.
// start_i loads the transfer of cmd_i (a checked descriptor); line_o and
// nv_o (valid elements of the line's 16-element block: ((COLS-1) mod 16)+1
// in a row's last block, else 16) describe the current line, empty_o says
// no line is left; step_i moves to the next line. The client steps only
// over lines of the transfer (at most ROWS*ncb), so counting the rows left
// (ROWS, COLS >= 1 after the checks) says "no line left" without a
// ROWS*ncb multiplier.
`include "acceltran_assert.svh"

module acceltran_dma_line_walk (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [511:0] cmd_i,
  output logic [23:0]  line_o,
  output logic [4:0]   nv_o,
  output logic         empty_o,
  input  logic         step_i
);

  // ---------------------------------------------------------------- command fields
  logic [23:0] c_spad, c_rs, c_cs;
  logic [15:0] c_rows, c_cols;
  logic [12:0] c_ncb;
  assign c_spad = cmd_i[acceltran_pkg::DescXferSpadWord*32 +: 24];
  assign c_rows = cmd_i[acceltran_pkg::DescXferRowsWord*32 + acceltran_pkg::DescXferRowsLsb +: 16];
  assign c_cols = cmd_i[acceltran_pkg::DescXferColsWord*32 + acceltran_pkg::DescXferColsLsb +: 16];
  assign c_rs   = cmd_i[acceltran_pkg::DescXferSpadRowStepWord*32 +: 24];
  assign c_cs   = cmd_i[acceltran_pkg::DescXferSpadCbStepWord*32 +: 24];
  assign c_ncb  = 13'((17'(c_cols) + 17'd15) >> 4);

  // ---------------------------------------------------------------- state
  logic [23:0] rs_q, rs_d, cs_q, cs_d;
  logic [12:0] ncb_q, ncb_d;
  logic [4:0]  last_nv_q, last_nv_d;     // valid elements in a row's last block
  logic [15:0] rows_q, rows_d;           // rows not fully stepped over
  logic [12:0] cb_q, cb_d;
  logic [23:0] line_q, line_d, base_q, base_d;   // this line, its row's first line

  logic        last_cb;

  assign last_cb = (cb_q == ncb_q - 13'd1);
  assign line_o  = line_q;
  assign nv_o    = last_cb ? last_nv_q : 5'd16;
  assign empty_o = (rows_q == '0);

  always_comb begin
    rs_d      = rs_q;
    cs_d      = cs_q;
    ncb_d     = ncb_q;
    last_nv_d = last_nv_q;
    rows_d    = rows_q;
    cb_d      = cb_q;
    line_d    = line_q;
    base_d    = base_q;

    if (step_i) begin
      if (last_cb) begin
        rows_d = rows_q - 16'd1;
        cb_d   = '0;
        base_d = base_q + rs_q;
        line_d = base_q + rs_q;
      end else begin
        cb_d   = cb_q + 13'd1;
        line_d = line_q + cs_q;
      end
    end

    if (start_i) begin
      rs_d      = c_rs;
      cs_d      = c_cs;
      ncb_d     = c_ncb;
      last_nv_d = (c_cols[3:0] == 4'd0) ? 5'd16 : {1'b0, c_cols[3:0]};
      rows_d    = c_rows;
      cb_d      = '0;
      line_d    = c_spad;
      base_d    = c_spad;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rs_q      <= '0;
      cs_q      <= '0;
      ncb_q     <= '0;
      last_nv_q <= '0;
      rows_q    <= '0;
      cb_q      <= '0;
      line_q    <= '0;
      base_q    <= '0;
    end else begin
      rs_q      <= rs_d;
      cs_q      <= cs_d;
      ncb_q     <= ncb_d;
      last_nv_q <= last_nv_d;
      rows_q    <= rows_d;
      cb_q      <= cb_d;
      line_q    <= line_d;
      base_q    <= base_d;
    end
  end

  // the descriptor words the scratchpad side does not use
  logic unused;
  assign unused = ^{cmd_i[511:160], cmd_i[31:0], cmd_i[63:56], cmd_i[127:120], cmd_i[159:152]};

  // ---------------------------------------------------------------- assertions
  // the client steps only over lines of the transfer
  `AT_ASSERT(LineWalkStep_A, step_i |-> !empty_o)
  `AT_ASSERT(LineWalkCb_A, !empty_o |-> (cb_q < ncb_q))

endmodule
