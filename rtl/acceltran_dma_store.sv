// STORE engine (docs/isa.md STORE, docs/rtl-control.md): reads the lines
// of a checked STORE descriptor from the scratchpad and writes them to
// memory as AXI4 INCR bursts on write client 0, with byte strobes so that
// only the valid elements (e < COLS) of a row's last block are written.
//
// Address side: acceltran_dma_burst_gen cuts the rows into bursts (up to
// 16 beats, never crossing 4 KiB); up to MaxBursts responses outstanding.
// Each accepted AW pushes its length into the W-burst FIFO and its address
// into the error-address FIFO.
// Data side: scratchpad reads of the lines of acceltran_dma_line_walk
// ((r, cb) order), one per cycle while the data FIFO (DataDepth beats,
// counting the read in flight) has room; the W channel sends the FIFO head
// for the burst at the head of the W-burst FIFO (wlast on its last beat).
// Errors: a B response with SLVERR / DECERR fails the command (DETAIL =
// low word of its burst address); no new AW is sent, bursts already
// addressed finish with strobes off, every response is taken, then err_o.
// quiesce_i (soft reset) does the same without reporting. A W beat already
// presented and not yet taken when the error or quiesce starts is still
// sent as it is (AXI4: W payload stable until WREADY); the beats after it
// go with strobes off.
`include "acceltran_assert.svh"

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
  // (the transfer fields are decoded by the burst generator and line walker;
  // KEEP_MASK is 0 after the checks)
  logic [1:0]  c_buf;
  assign c_buf = cmd_i[acceltran_pkg::DescXferBufLsb +: 2];

  // ---------------------------------------------------------------- state
  logic        busy_q, busy_d;
  logic        err_q, err_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [31:0] err_det_q, err_det_d;
  logic [1:0]  buf_q, buf_d;
  // address side
  logic [PtrW:0] outst_q, outst_d;       // B responses owed
  logic [PtrW:0] wb_cnt_q, wb_cnt_d;     // addressed bursts whose W beats are not all sent
  logic [31:0]   baddr_q [MaxBursts];
  logic [3:0]    blen_q [MaxBursts];     // beats - 1 of each addressed burst
  logic [PtrW-1:0] aw_ptr_q, aw_ptr_d, w_ptr_q, w_ptr_d, b_ptr_q, b_ptr_d;
  logic [3:0]  w_beat_q, w_beat_d;
  // scratchpad read side
  logic        infl_q, infl_d;
  logic [4:0]  infl_nv_q, infl_nv_d;
  // data FIFO
  logic [DataW-1:0] dfifo_q [DataDepth];
  logic [4:0]       dnv_q [DataDepth];
  logic [1:0]  dw_q, dw_d, dr_q, dr_d;
  logic [2:0]  dcnt_q, dcnt_d;

  logic        start, aw_hs, w_hs, b_hs, rd_hs, push_d, pop_d, abort;
  // W side of the abort: follows abort except while a W beat waits for
  // w_ready_i, which keeps the beat's payload until it is taken
  logic        w_wait_q, w_ab_q, w_ab;
  logic        aw_seg_left, rd_empty;
  logic [4:0]  rd_nv, w_nv;

  assign start = cmd_valid_i && !busy_q;
  assign abort = err_q || quiesce_i;
  assign w_ab  = w_wait_q ? w_ab_q : abort;

  // AW bursts
  acceltran_dma_burst_gen u_burst_gen (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (start),
    .cmd_i   (cmd_i),
    .valid_o (aw_seg_left),
    .addr_o  (aw_addr_o),
    .len_o   (aw_len_o),
    .step_i  (aw_hs)
  );

  assign aw_valid_o = busy_q && !abort && aw_seg_left && (outst_q < (PtrW+1)'(MaxBursts));
  assign aw_hs      = aw_valid_o && aw_ready_i;

  // scratchpad reads
  acceltran_dma_line_walk u_line_walk (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (start),
    .cmd_i   (cmd_i),
    .line_o  (spad_rd_addr_o),
    .nv_o    (rd_nv),
    .empty_o (rd_empty),
    .step_i  (rd_hs)
  );

  assign spad_rd_req_o  = busy_q && !abort && !rd_empty &&
                          ((dcnt_q + 3'(infl_q)) < 3'(DataDepth));
  assign spad_rd_buf_o  = buf_q;
  assign rd_hs          = spad_rd_req_o && spad_rd_gnt_i;
  assign push_d         = infl_q && spad_rvalid_i && !abort;

  // W channel
  assign w_nv = dnv_q[dr_q];
  always_comb begin
    w_valid_o = 1'b0;
    w_data_o  = dfifo_q[dr_q];
    w_strb_o  = '0;
    if (wb_cnt_q != '0) begin
      if (w_ab) begin
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
  assign pop_d     = w_hs && !w_ab;
  assign b_ready_o = 1'b1;
  assign b_hs      = b_valid_i && (outst_q != '0);

  always_comb begin
    busy_d     = busy_q;
    err_d      = err_q;
    err_code_d = err_code_q;
    err_det_d  = err_det_q;
    buf_d      = buf_q;
    aw_ptr_d   = aw_ptr_q;
    w_ptr_d    = w_ptr_q;
    b_ptr_d    = b_ptr_q;
    w_beat_d   = w_beat_q;
    infl_d     = rd_hs;
    infl_nv_d  = rd_nv;
    dw_d       = dw_q;
    dr_d       = dr_q;
    dcnt_d     = dcnt_q;
    done_o     = 1'b0;
    err_o      = 1'b0;

    // address side
    if (aw_hs) begin
      aw_ptr_d = aw_ptr_q + 1'b1;
    end

    // data FIFO
    if (push_d) begin
      dw_d = dw_q + 2'd1;
    end
    if (pop_d) begin
      dr_d = dr_q + 2'd1;
    end
    dcnt_d = dcnt_q + 3'(push_d) - 3'(pop_d);
    if (w_ab) begin
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
      end else if (!aw_seg_left && rd_empty && !quiesce_i) begin
        done_o = 1'b1;
        busy_d = 1'b0;
      end
    end

    // new command
    if (start) begin
      busy_d = 1'b1;
      err_d  = 1'b0;
      buf_d  = c_buf;
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
      outst_q    <= '0;
      wb_cnt_q   <= '0;
      aw_ptr_q   <= '0;
      w_ptr_q    <= '0;
      b_ptr_q    <= '0;
      w_beat_q   <= '0;
      infl_q     <= 1'b0;
      infl_nv_q  <= '0;
      dw_q       <= '0;
      dr_q       <= '0;
      dcnt_q     <= '0;
      w_wait_q   <= 1'b0;
      w_ab_q     <= 1'b0;
    end else begin
      busy_q     <= busy_d;
      err_q      <= err_d;
      err_code_q <= err_code_d;
      err_det_q  <= err_det_d;
      buf_q      <= buf_d;
      outst_q    <= outst_d;
      wb_cnt_q   <= wb_cnt_d;
      aw_ptr_q   <= aw_ptr_d;
      w_ptr_q    <= w_ptr_d;
      b_ptr_q    <= b_ptr_d;
      w_beat_q   <= w_beat_d;
      infl_q     <= infl_d;
      infl_nv_q  <= infl_nv_d;
      dw_q       <= dw_d;
      dr_q       <= dr_d;
      dcnt_q     <= dcnt_d;
      w_wait_q   <= w_valid_o && !w_ready_i;
      w_ab_q     <= w_ab;
    end
  end

  // FIFO storage (no reset: entries are read only below their counts)
  always_ff @(posedge clk_i) begin
    if (aw_hs) begin
      baddr_q[aw_ptr_q] <= aw_addr_o[31:0];
      blen_q[aw_ptr_q]  <= aw_len_o[3:0];
    end
    if (push_d) begin
      dfifo_q[dw_q] <= spad_rdata_i;
      dnv_q[dw_q]   <= infl_nv_q;
    end
  end

  // ---------------------------------------------------------------- assertions
  // AW to the arbiter: held with a stable burst until taken, except that an
  // error or quiesce withdraws it (the arbiter's register keeps the bus side
  // AXI4-legal)
  `AT_ASSERT(StoreAwHold_A, aw_valid_o && !aw_ready_i |=> aw_valid_o || abort)
  `AT_ASSERT(StoreAwStable_A, aw_valid_o && !aw_ready_i |=> $stable({aw_addr_o, aw_len_o}))
  // W goes to the bus combinationally through the arbiter: AXI4 rules
  `AT_ASSERT_HOLD(StoreWHold_A, w_valid_o, w_ready_i, {w_data_o, w_strb_o, w_last_o})
  `AT_ASSERT(StoreCmdIdle_A, cmd_valid_i |-> cmd_ready_o)
  // counts within their limits: responses owed, bursts whose W beats are owed
  // (never more than the responses owed), the data FIFO
  `AT_ASSERT(StoreOutstRange_A, 32'(outst_q) <= MaxBursts)
  `AT_ASSERT(StoreWbBelowOutst_A, wb_cnt_q <= outst_q)
  `AT_ASSERT(StoreDataFifo_A, (32'(dcnt_q) + 32'(infl_q)) <= DataDepth)
  `AT_ASSERT(StoreNoStrayB_A, b_valid_i && busy_q |-> (outst_q != '0))
  `AT_ASSERT(StoreDoneErr_A, !(done_o && err_o))
  `AT_ASSERT(StoreDoneBusy_A, (done_o || err_o) |-> busy_q)

endmodule
