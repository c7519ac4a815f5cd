// LOAD engine (docs/isa.md LOAD, docs/rtl-control.md): reads the memory
// rows of a checked LOAD descriptor as AXI4 INCR bursts on read client 1
// and writes each 32-byte beat as one scratchpad line.
//
// Address side: a row is a segment of ncb beats at MEM + r*STRIDE; rows
// that follow each other in memory (STRIDE = 32*ncb) form one segment.
// Each segment is cut into bursts of up to 16 beats that never cross a
// 4 KiB boundary; up to MaxBursts bursts are outstanding (~100 cycles of
// memory latency need >= 8 x 16 beats in flight to stream at one beat per
// cycle). The low words of the burst addresses wait in a FIFO for the
// error DETAIL.
// Data side: beats arrive in order; (r, cb) and the line SPAD + r*ROW_STEP
// + cb*CB_STEP advance per beat. Padding elements (e >= COLS) are written 0;
// to the activation buffer the mask word (bit j = e < COLS) goes with the
// line unless KEEP_MASK. m_axi_rready follows the scratchpad write grant.
// Errors: an R beat with SLVERR / DECERR fails the command (DETAIL = low
// word of its burst address); no new burst is started, every outstanding
// beat is taken and dropped, then err_o. quiesce_i (soft reset) stops new
// bursts and drops the remaining beats; the internal reset follows.
module acceltran_dma_load #(
  parameter int unsigned MaxBursts = 16,   // power of 2
  localparam int unsigned DataW = acceltran_pkg::BusBytes * 8,
  localparam int unsigned PtrW  = $clog2(MaxBursts)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              cmd_valid_i,
  output logic              cmd_ready_o,
  input  logic [511:0]      cmd_i,
  input  logic              quiesce_i,
  output logic              done_o,
  output logic              err_o,
  output logic [7:0]        err_code_o,
  output logic [31:0]       err_detail_o,
  output logic              busy_o,
  output logic              stall_o,
  // read client
  output logic              ar_valid_o,
  input  logic              ar_ready_i,
  output logic [63:0]       ar_addr_o,
  output logic [7:0]        ar_len_o,
  input  logic              r_valid_i,
  output logic              r_ready_o,
  input  logic [DataW-1:0]  r_data_i,
  input  logic [1:0]        r_resp_i,
  input  logic              r_last_i,
  // scratchpad line writes
  output logic              spad_wr_req_o,
  input  logic              spad_wr_gnt_i,
  output logic [1:0]        spad_wr_buf_o,
  output logic [23:0]       spad_wr_addr_o,
  output logic [DataW-1:0]  spad_wr_data_o,
  output logic              spad_wr_mask_en_o,
  output logic [15:0]       spad_wr_mask_o
);

  // ---------------------------------------------------------------- command fields
  logic [1:0]  c_buf;
  logic        c_keep;
  logic [23:0] c_spad, c_rs, c_cs;
  logic [15:0] c_rows, c_cols;
  logic [63:0] c_mem;
  logic [31:0] c_stride;
  logic [12:0] c_ncb;
  logic        c_contig;
  assign c_buf    = cmd_i[acceltran_pkg::DescXferBufLsb +: 2];
  assign c_keep   = cmd_i[acceltran_pkg::DescXferKeepMaskLsb];
  assign c_spad   = cmd_i[acceltran_pkg::DescXferSpadWord*32 +: 24];
  assign c_rows   = cmd_i[acceltran_pkg::DescXferRowsWord*32 + acceltran_pkg::DescXferRowsLsb +: 16];
  assign c_cols   = cmd_i[acceltran_pkg::DescXferColsWord*32 + acceltran_pkg::DescXferColsLsb +: 16];
  assign c_rs     = cmd_i[acceltran_pkg::DescXferSpadRowStepWord*32 +: 24];
  assign c_cs     = cmd_i[acceltran_pkg::DescXferSpadCbStepWord*32 +: 24];
  assign c_mem    = {cmd_i[acceltran_pkg::DescXferMemHiWord*32 +: 32],
                     cmd_i[acceltran_pkg::DescXferMemLoWord*32 +: 32]};
  assign c_stride = cmd_i[acceltran_pkg::DescXferMemStrideWord*32 +: 32];
  assign c_ncb    = 13'((17'(c_cols) + 17'd15) >> 4);
  assign c_contig = ({19'd0, c_ncb} << 5) == c_stride;

  // ---------------------------------------------------------------- state
  logic        busy_q, busy_d;
  logic        err_q, err_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [31:0] err_det_q, err_det_d;
  logic [1:0]  buf_q, buf_d;
  logic        mask_en_q, mask_en_d;
  logic [23:0] rs_q, rs_d, cs_q, cs_d;
  logic [12:0] ncb_q, ncb_d;
  logic [4:0]  last_nv_q, last_nv_d;     // valid elements in a row's last block
  logic [31:0] stride_q, stride_d;
  // address side
  logic [63:0] ar_addr_q, ar_addr_d, ar_base_q, ar_base_d;
  logic [28:0] ar_seg_q, ar_seg_d;       // beats left in the segment
  logic [15:0] ar_rows_q, ar_rows_d;     // segments after this one
  logic [PtrW:0] outst_q, outst_d;
  // burst address FIFO
  logic [31:0]   baddr_q [MaxBursts];
  logic [PtrW-1:0] bw_q, bw_d, br_q, br_d;
  // data side
  logic [28:0] r_left_q, r_left_d;
  logic [12:0] r_cb_q, r_cb_d;
  logic [23:0] r_line_q, r_line_d, r_base_q, r_base_d;

  logic [7:0]  to4k;
  logic [4:0]  blen;                     // beats in the next burst, 1..16
  logic        ar_hs, r_hs, r_ok, writing, last_cb;
  logic [4:0]  nv;

  always_comb begin
    to4k = 8'((13'd4096 - {1'b0, ar_addr_q[11:0]}) >> 5);
    blen = 5'd16;
    if (ar_seg_q < 29'(blen)) begin
      blen = 5'(ar_seg_q);
    end
    if ({3'd0, to4k} < 11'(blen)) begin
      blen = 5'(to4k);
    end
  end

  assign ar_valid_o = busy_q && !err_q && !quiesce_i && (ar_seg_q != '0) &&
                      (outst_q < (PtrW+1)'(MaxBursts));
  assign ar_addr_o  = ar_addr_q;
  assign ar_len_o   = {3'd0, blen - 5'd1};
  assign ar_hs      = ar_valid_o && ar_ready_i;

  assign r_ok    = (r_resp_i == 2'b00);
  assign writing = busy_q && !err_q && !quiesce_i && r_ok;
  assign last_cb = (r_cb_q == ncb_q - 13'd1);
  assign nv      = last_cb ? last_nv_q : 5'd16;

  assign spad_wr_req_o     = r_valid_i && writing;
  assign r_ready_o         = writing ? spad_wr_gnt_i : 1'b1;
  assign r_hs              = r_valid_i && r_ready_o;
  assign spad_wr_buf_o     = buf_q;
  assign spad_wr_addr_o    = r_line_q;
  assign spad_wr_mask_en_o = mask_en_q;
  always_comb begin
    spad_wr_data_o = r_data_i;
    spad_wr_mask_o = '0;
    for (int j = 0; j < 16; j++) begin
      if (5'(j) < nv) begin
        spad_wr_mask_o[j] = 1'b1;
      end else begin
        spad_wr_data_o[j*16 +: 16] = 16'd0;
      end
    end
  end

  always_comb begin
    busy_d     = busy_q;
    err_d      = err_q;
    err_code_d = err_code_q;
    err_det_d  = err_det_q;
    buf_d      = buf_q;
    mask_en_d  = mask_en_q;
    rs_d       = rs_q;
    cs_d       = cs_q;
    ncb_d      = ncb_q;
    last_nv_d  = last_nv_q;
    stride_d   = stride_q;
    ar_addr_d  = ar_addr_q;
    ar_base_d  = ar_base_q;
    ar_seg_d   = ar_seg_q;
    ar_rows_d  = ar_rows_q;
    r_left_d   = r_left_q;
    r_cb_d     = r_cb_q;
    r_line_d   = r_line_q;
    r_base_d   = r_base_q;
    bw_d       = bw_q;
    br_d       = br_q;
    done_o     = 1'b0;
    err_o      = 1'b0;

    // address side
    if (ar_hs) begin
      bw_d      = bw_q + 1'b1;
      ar_addr_d = ar_addr_q + {54'd0, blen, 5'd0};
      ar_seg_d  = ar_seg_q - 29'(blen);
      if ((ar_seg_q == 29'(blen)) && (ar_rows_q != '0)) begin
        ar_base_d = ar_base_q + 64'(stride_q);
        ar_addr_d = ar_base_q + 64'(stride_q);
        ar_seg_d  = 29'(ncb_q);
        ar_rows_d = ar_rows_q - 16'd1;
      end
    end

    // data side
    if (r_hs && busy_q) begin
      if (r_last_i) begin
        br_d = br_q + 1'b1;
      end
      if (!r_ok && !err_q) begin
        err_d      = 1'b1;
        err_code_d = (r_resp_i == 2'b11) ? 8'(acceltran_pkg::ErrBusDecerr)
                                         : 8'(acceltran_pkg::ErrBusSlverr);
        err_det_d  = baddr_q[br_q];
      end
      r_left_d = r_left_q - 29'd1;
      if (last_cb) begin
        r_cb_d   = '0;
        r_base_d = r_base_q + rs_q;
        r_line_d = r_base_q + rs_q;
      end else begin
        r_cb_d   = r_cb_q + 13'd1;
        r_line_d = r_line_q + cs_q;
      end
    end

    // completion
    if (busy_q) begin
      if (err_q) begin
        if (outst_q == '0) begin
          err_o  = 1'b1;
          busy_d = 1'b0;
        end
      end else if (r_left_q == '0) begin
        done_o = 1'b1;
        busy_d = 1'b0;
      end
    end

    // new command
    if (cmd_valid_i && !busy_q) begin
      busy_d    = 1'b1;
      err_d     = 1'b0;
      buf_d     = c_buf;
      mask_en_d = (c_buf == 2'd0) && !c_keep;
      rs_d      = c_rs;
      cs_d      = c_cs;
      ncb_d     = c_ncb;
      last_nv_d = (c_cols[3:0] == 4'd0) ? 5'd16 : {1'b0, c_cols[3:0]};
      stride_d  = c_stride;
      ar_addr_d = c_mem;
      ar_base_d = c_mem;
      if (c_contig) begin
        ar_seg_d  = 29'(c_rows) * 29'(c_ncb);
        ar_rows_d = '0;
      end else begin
        ar_seg_d  = 29'(c_ncb);
        ar_rows_d = c_rows - 16'd1;
      end
      r_left_d  = 29'(c_rows) * 29'(c_ncb);
      r_cb_d    = '0;
      r_line_d  = c_spad;
      r_base_d  = c_spad;
    end
  end

  assign outst_d = outst_q + (PtrW+1)'(ar_hs) - (PtrW+1)'(r_hs && r_last_i && (outst_q != '0));

  assign cmd_ready_o  = !busy_q;
  assign busy_o       = busy_q;
  assign err_code_o   = err_code_q;
  assign err_detail_o = err_det_q;
  assign stall_o      = busy_q && ((ar_valid_o && !ar_ready_i) || ((outst_q != '0) && !r_valid_i));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q     <= 1'b0;
      err_q      <= 1'b0;
      err_code_q <= '0;
      err_det_q  <= '0;
      buf_q      <= '0;
      mask_en_q  <= 1'b0;
      rs_q       <= '0;
      cs_q       <= '0;
      ncb_q      <= '0;
      last_nv_q  <= '0;
      stride_q   <= '0;
      ar_addr_q  <= '0;
      ar_base_q  <= '0;
      ar_seg_q   <= '0;
      ar_rows_q  <= '0;
      outst_q    <= '0;
      bw_q       <= '0;
      br_q       <= '0;
      r_left_q   <= '0;
      r_cb_q     <= '0;
      r_line_q   <= '0;
      r_base_q   <= '0;
    end else begin
      busy_q     <= busy_d;
      err_q      <= err_d;
      err_code_q <= err_code_d;
      err_det_q  <= err_det_d;
      buf_q      <= buf_d;
      mask_en_q  <= mask_en_d;
      rs_q       <= rs_d;
      cs_q       <= cs_d;
      ncb_q      <= ncb_d;
      last_nv_q  <= last_nv_d;
      stride_q   <= stride_d;
      ar_addr_q  <= ar_addr_d;
      ar_base_q  <= ar_base_d;
      ar_seg_q   <= ar_seg_d;
      ar_rows_q  <= ar_rows_d;
      outst_q    <= outst_d;
      bw_q       <= bw_d;
      br_q       <= br_d;
      r_left_q   <= r_left_d;
      r_cb_q     <= r_cb_d;
      r_line_q   <= r_line_d;
      r_base_q   <= r_base_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ar_hs) begin
      baddr_q[bw_q] <= ar_addr_q[31:0];
    end
  end

  // the descriptor words a LOAD does not use
  logic unused;
  assign unused = ^{cmd_i[511:256], cmd_i[7:0], cmd_i[31:11], cmd_i[63:56], cmd_i[127:120],
                    cmd_i[159:152]};

endmodule
