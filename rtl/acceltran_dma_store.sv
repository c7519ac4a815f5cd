// STORE engine (docs/isa.md STORE, docs/rtl-control.md): reads the lines
// of a checked STORE descriptor from the scratchpad and writes them to
// memory as AXI4 INCR bursts on write client 0, with byte strobes so that
// only the valid elements (e < COLS) of a row's last block are written.
//
// Address side: as in the LOAD engine (segments of ncb beats per row, or
// one segment when the rows are contiguous in memory; bursts of up to 16
// beats that never cross 4 KiB; up to MaxBursts responses outstanding).
// Each accepted AW pushes its length into the W-burst FIFO and its address
// into the error-address FIFO.
// Data side: scratchpad reads in (r, cb) order, one per cycle while the
// data FIFO (DataDepth beats, counting the read in flight) has room; the
// W channel sends the FIFO head for the burst at the head of the W-burst
// FIFO (wlast on its last beat).
// Errors: a B response with SLVERR / DECERR fails the command (DETAIL =
// low word of its burst address); no new AW is sent, bursts already
// addressed finish with strobes off, every response is taken, then err_o.
// quiesce_i (soft reset) does the same without reporting.
module acceltran_dma_store #(
  parameter int unsigned MaxBursts = 16,   // power of 2
  localparam int unsigned DataW     = acceltran_pkg::BusBytes * 8,
  localparam int unsigned StrbW     = DataW / 8,
  localparam int unsigned PtrW      = $clog2(MaxBursts),
  localparam int unsigned DataDepth = 4
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
  // write client
  output logic              aw_valid_o,
  input  logic              aw_ready_i,
  output logic [63:0]       aw_addr_o,
  output logic [7:0]        aw_len_o,
  output logic              w_valid_o,
  input  logic              w_ready_i,
  output logic [DataW-1:0]  w_data_o,
  output logic [StrbW-1:0]  w_strb_o,
  output logic              w_last_o,
  input  logic              b_valid_i,
  output logic              b_ready_o,
  input  logic [1:0]        b_resp_i,
  // scratchpad line reads
  output logic              spad_rd_req_o,
  input  logic              spad_rd_gnt_i,
  output logic [1:0]        spad_rd_buf_o,
  output logic [23:0]       spad_rd_addr_o,
  input  logic              spad_rvalid_i,
  input  logic [DataW-1:0]  spad_rdata_i
);

  // ---------------------------------------------------------------- command fields
  logic [1:0]  c_buf;
  logic [23:0] c_spad, c_rs, c_cs;
  logic [15:0] c_rows, c_cols;
  logic [63:0] c_mem;
  logic [31:0] c_stride;
  logic [12:0] c_ncb;
  logic        c_contig;
  assign c_buf    = cmd_i[acceltran_pkg::DescXferBufLsb +: 2];
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
  logic [23:0] rs_q, rs_d, cs_q, cs_d;
  logic [12:0] ncb_q, ncb_d;
  logic [4:0]  last_nv_q, last_nv_d;
  logic [31:0] stride_q, stride_d;
  // address side
  logic [63:0] aw_addr_q, aw_addr_d, aw_base_q, aw_base_d;
  logic [28:0] aw_seg_q, aw_seg_d;
  logic [15:0] aw_rows_q, aw_rows_d;
  logic [PtrW:0] outst_q, outst_d;       // B responses owed
  logic [PtrW:0] wb_cnt_q, wb_cnt_d;     // addressed bursts whose W beats are not all sent
  logic [31:0]   baddr_q [MaxBursts];
  logic [3:0]    blen_q [MaxBursts];     // beats - 1 of each addressed burst
  logic [PtrW-1:0] aw_ptr_q, aw_ptr_d, w_ptr_q, w_ptr_d, b_ptr_q, b_ptr_d;
  logic [3:0]  w_beat_q, w_beat_d;
  // scratchpad read side
  logic [28:0] rd_left_q, rd_left_d;
  logic [12:0] rd_cb_q, rd_cb_d;
  logic [23:0] rd_line_q, rd_line_d, rd_base_q, rd_base_d;
  logic        infl_q, infl_d;
  logic [4:0]  infl_nv_q, infl_nv_d;
  // data FIFO
  logic [DataW-1:0] dfifo_q [DataDepth];
  logic [4:0]       dnv_q [DataDepth];
  logic [1:0]  dw_q, dw_d, dr_q, dr_d;
  logic [2:0]  dcnt_q, dcnt_d;

  logic [7:0]  to4k;
  logic [4:0]  blen;
  logic        aw_hs, w_hs, b_hs, rd_hs, push_d, pop_d, abort, rd_last_cb;
  logic [4:0]  rd_nv, w_nv;

  assign abort = err_q || quiesce_i;

  always_comb begin
    to4k = 8'((13'd4096 - {1'b0, aw_addr_q[11:0]}) >> 5);
    blen = 5'd16;
    if (aw_seg_q < 29'(blen)) begin
      blen = 5'(aw_seg_q);
    end
    if ({3'd0, to4k} < 11'(blen)) begin
      blen = 5'(to4k);
    end
  end

  assign aw_valid_o = busy_q && !abort && (aw_seg_q != '0) && (outst_q < (PtrW+1)'(MaxBursts));
  assign aw_addr_o  = aw_addr_q;
  assign aw_len_o   = {3'd0, blen - 5'd1};
  assign aw_hs      = aw_valid_o && aw_ready_i;

  // scratchpad reads
  assign rd_last_cb     = (rd_cb_q == ncb_q - 13'd1);
  assign rd_nv          = rd_last_cb ? last_nv_q : 5'd16;
  assign spad_rd_req_o  = busy_q && !abort && (rd_left_q != '0) &&
                          ((dcnt_q + 3'(infl_q)) < 3'(DataDepth));
  assign spad_rd_buf_o  = buf_q;
  assign spad_rd_addr_o = rd_line_q;
  assign rd_hs          = spad_rd_req_o && spad_rd_gnt_i;
  assign push_d         = infl_q && spad_rvalid_i && !abort;

  // W channel
  assign w_nv = dnv_q[dr_q];
  always_comb begin
    w_valid_o = 1'b0;
    w_data_o  = dfifo_q[dr_q];
    w_strb_o  = '0;
    if (wb_cnt_q != '0) begin
      if (abort) begin
        w_valid_o = 1'b1;
        w_data_o  = '0;
      end else begin
        w_valid_o = (dcnt_q != '0);
        for (int j = 0; j < StrbW; j++) begin
          w_strb_o[j] = (6'(j) < {w_nv, 1'b0});
        end
      end
    end
  end
  assign w_last_o  = (w_beat_q == blen_q[w_ptr_q]);
  assign w_hs      = w_valid_o && w_ready_i;
  assign pop_d     = w_hs && !abort;
  assign b_ready_o = 1'b1;
  assign b_hs      = b_valid_i && (outst_q != '0);

  always_comb begin
    busy_d     = busy_q;
    err_d      = err_q;
    err_code_d = err_code_q;
    err_det_d  = err_det_q;
    buf_d      = buf_q;
    rs_d       = rs_q;
    cs_d       = cs_q;
    ncb_d      = ncb_q;
    last_nv_d  = last_nv_q;
    stride_d   = stride_q;
    aw_addr_d  = aw_addr_q;
    aw_base_d  = aw_base_q;
    aw_seg_d   = aw_seg_q;
    aw_rows_d  = aw_rows_q;
    aw_ptr_d   = aw_ptr_q;
    w_ptr_d    = w_ptr_q;
    b_ptr_d    = b_ptr_q;
    w_beat_d   = w_beat_q;
    rd_left_d  = rd_left_q;
    rd_cb_d    = rd_cb_q;
    rd_line_d  = rd_line_q;
    rd_base_d  = rd_base_q;
    infl_d     = rd_hs;
    infl_nv_d  = rd_nv;
    dw_d       = dw_q;
    dr_d       = dr_q;
    dcnt_d     = dcnt_q;
    done_o     = 1'b0;
    err_o      = 1'b0;

    // address side
    if (aw_hs) begin
      aw_ptr_d  = aw_ptr_q + 1'b1;
      aw_addr_d = aw_addr_q + {54'd0, blen, 5'd0};
      aw_seg_d  = aw_seg_q - 29'(blen);
      if ((aw_seg_q == 29'(blen)) && (aw_rows_q != '0)) begin
        aw_base_d = aw_base_q + 64'(stride_q);
        aw_addr_d = aw_base_q + 64'(stride_q);
        aw_seg_d  = 29'(ncb_q);
        aw_rows_d = aw_rows_q - 16'd1;
      end
    end

    // scratchpad reads
    if (rd_hs) begin
      rd_left_d = rd_left_q - 29'd1;
      if (rd_last_cb) begin
        rd_cb_d   = '0;
        rd_base_d = rd_base_q + rs_q;
        rd_line_d = rd_base_q + rs_q;
      end else begin
        rd_cb_d   = rd_cb_q + 13'd1;
        rd_line_d = rd_line_q + cs_q;
      end
    end

    // data FIFO
    if (push_d) begin
      dw_d = dw_q + 2'd1;
    end
    if (pop_d) begin
      dr_d = dr_q + 2'd1;
    end
    dcnt_d = dcnt_q + 3'(push_d) - 3'(pop_d);
    if (abort) begin
      dr_d   = '0;
      dw_d   = '0;
      dcnt_d = '0;
    end

    // W beats
    if (w_hs) begin
      w_beat_d = w_beat_q + 4'd1;
      if (w_last_o) begin
        w_beat_d = '0;
        w_ptr_d  = w_ptr_q + 1'b1;
      end
    end

    // B responses
    if (b_hs) begin
      b_ptr_d = b_ptr_q + 1'b1;
      if ((b_resp_i != 2'b00) && !err_q && busy_q) begin
        err_d      = 1'b1;
        err_code_d = (b_resp_i == 2'b11) ? 8'(acceltran_pkg::ErrBusDecerr)
                                         : 8'(acceltran_pkg::ErrBusSlverr);
        err_det_d  = baddr_q[b_ptr_q];
      end
    end

    // completion
    if (busy_q && (wb_cnt_q == '0) && (outst_q == '0) && !infl_q) begin
      if (err_q) begin
        err_o  = 1'b1;
        busy_d = 1'b0;
      end else if ((aw_seg_q == '0) && (rd_left_q == '0) && !quiesce_i) begin
        done_o = 1'b1;
        busy_d = 1'b0;
      end
    end

    // new command
    if (cmd_valid_i && !busy_q) begin
      busy_d    = 1'b1;
      err_d     = 1'b0;
      buf_d     = c_buf;
      rs_d      = c_rs;
      cs_d      = c_cs;
      ncb_d     = c_ncb;
      last_nv_d = (c_cols[3:0] == 4'd0) ? 5'd16 : {1'b0, c_cols[3:0]};
      stride_d  = c_stride;
      aw_addr_d = c_mem;
      aw_base_d = c_mem;
      if (c_contig) begin
        aw_seg_d  = 29'(c_rows) * 29'(c_ncb);
        aw_rows_d = '0;
      end else begin
        aw_seg_d  = 29'(c_ncb);
        aw_rows_d = c_rows - 16'd1;
      end
      rd_left_d = 29'(c_rows) * 29'(c_ncb);
      rd_cb_d   = '0;
      rd_line_d = c_spad;
      rd_base_d = c_spad;
    end
  end

  assign outst_d  = outst_q + (PtrW+1)'(aw_hs) - (PtrW+1)'(b_hs);
  assign wb_cnt_d = wb_cnt_q + (PtrW+1)'(aw_hs) - (PtrW+1)'(w_hs && w_last_o);

  assign cmd_ready_o  = !busy_q;
  assign busy_o       = busy_q;
  assign err_code_o   = err_code_q;
  assign err_detail_o = err_det_q;
  assign stall_o      = busy_q && ((aw_valid_o && !aw_ready_i) || (w_valid_o && !w_ready_i) ||
                                   ((outst_q != '0) && (wb_cnt_q == '0) && !b_valid_i));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q     <= 1'b0;
      err_q      <= 1'b0;
      err_code_q <= '0;
      err_det_q  <= '0;
      buf_q      <= '0;
      rs_q       <= '0;
      cs_q       <= '0;
      ncb_q      <= '0;
      last_nv_q  <= '0;
      stride_q   <= '0;
      aw_addr_q  <= '0;
      aw_base_q  <= '0;
      aw_seg_q   <= '0;
      aw_rows_q  <= '0;
      outst_q    <= '0;
      wb_cnt_q   <= '0;
      aw_ptr_q   <= '0;
      w_ptr_q    <= '0;
      b_ptr_q    <= '0;
      w_beat_q   <= '0;
      rd_left_q  <= '0;
      rd_cb_q    <= '0;
      rd_line_q  <= '0;
      rd_base_q  <= '0;
      infl_q     <= 1'b0;
      infl_nv_q  <= '0;
      dw_q       <= '0;
      dr_q       <= '0;
      dcnt_q     <= '0;
    end else begin
      busy_q     <= busy_d;
      err_q      <= err_d;
      err_code_q <= err_code_d;
      err_det_q  <= err_det_d;
      buf_q      <= buf_d;
      rs_q       <= rs_d;
      cs_q       <= cs_d;
      ncb_q      <= ncb_d;
      last_nv_q  <= last_nv_d;
      stride_q   <= stride_d;
      aw_addr_q  <= aw_addr_d;
      aw_base_q  <= aw_base_d;
      aw_seg_q   <= aw_seg_d;
      aw_rows_q  <= aw_rows_d;
      outst_q    <= outst_d;
      wb_cnt_q   <= wb_cnt_d;
      aw_ptr_q   <= aw_ptr_d;
      w_ptr_q    <= w_ptr_d;
      b_ptr_q    <= b_ptr_d;
      w_beat_q   <= w_beat_d;
      rd_left_q  <= rd_left_d;
      rd_cb_q    <= rd_cb_d;
      rd_line_q  <= rd_line_d;
      rd_base_q  <= rd_base_d;
      infl_q     <= infl_d;
      infl_nv_q  <= infl_nv_d;
      dw_q       <= dw_d;
      dr_q       <= dr_d;
      dcnt_q     <= dcnt_d;
    end
  end

  // FIFO storage (no reset: entries are read only below their counts)
  always_ff @(posedge clk_i) begin
    if (aw_hs) begin
      baddr_q[aw_ptr_q] <= aw_addr_q[31:0];
      blen_q[aw_ptr_q]  <= 4'(blen - 5'd1);
    end
    if (push_d) begin
      dfifo_q[dw_q] <= spad_rdata_i;
      dnv_q[dw_q]   <= infl_nv_q;
    end
  end

  // the descriptor words a STORE does not use (KEEP_MASK is 0 after the checks)
  logic unused;
  assign unused = ^{cmd_i[511:256], cmd_i[7:0], cmd_i[31:10], cmd_i[63:56], cmd_i[127:120],
                    cmd_i[159:152]};

endmodule
