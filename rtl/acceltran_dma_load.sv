// LOAD engine (docs/isa.md LOAD, docs/rtl-control.md): reads the memory
// rows of a checked LOAD descriptor as AXI4 INCR bursts on read client 1
// and writes each 32-byte beat as one scratchpad line.
//
// Address side: acceltran_dma_burst_gen cuts the rows into bursts (up to
// 16 beats, never crossing 4 KiB); up to MaxBursts bursts are outstanding
// (~100 cycles of memory latency need >= 8 x 16 beats in flight to stream
// at one beat per cycle). The low words of the burst addresses wait in a
// FIFO for the error DETAIL.
// Data side: beats arrive in order; acceltran_dma_line_walk gives each
// beat's line ((r, cb) order) and valid elements, stepping once per beat.
// Padding elements (e >= COLS) are written 0; to the activation buffer the
// mask word (bit j = e < COLS) goes with the line unless KEEP_MASK.
// m_axi_rready follows the scratchpad write grant.
// Errors: an R beat with SLVERR / DECERR fails the command (DETAIL = low
// word of its burst address); no new burst is started, every outstanding
// beat is taken and dropped, then err_o. quiesce_i (soft reset) stops new
// bursts and drops the remaining beats; the internal reset follows.
`include "acceltran_assert.svh"

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
  // (the transfer fields are decoded by the burst generator and line walker)
  logic [1:0]  c_buf;
  logic        c_keep;
  assign c_buf  = cmd_i[acceltran_pkg::DescXferBufLsb +: 2];
  assign c_keep = cmd_i[acceltran_pkg::DescXferKeepMaskLsb];

  // ---------------------------------------------------------------- state
  logic        busy_q, busy_d;
  logic        err_q, err_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [31:0] err_det_q, err_det_d;
  logic [1:0]  buf_q, buf_d;
  logic        mask_en_q, mask_en_d;
  logic [PtrW:0] outst_q, outst_d;
  logic          ar_hold_q, ar_hold_d; // the AR presented last cycle and not taken
  // burst address FIFO
  logic [31:0]   baddr_q [MaxBursts];
  logic [PtrW-1:0] bw_q, bw_d, br_q, br_d;

  logic        start, ar_hs, r_hs, r_step, r_ok, writing;
  logic        ar_seg_left, r_empty;
  logic [4:0]  nv;

  assign start = cmd_valid_i && !busy_q;

  // address side: AR bursts
  acceltran_dma_burst_gen u_burst_gen (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (start),
    .cmd_i   (cmd_i),
    .valid_o (ar_seg_left),
    .addr_o  (ar_addr_o),
    .len_o   (ar_len_o),
    .step_i  (ar_hs)
  );

  // AXI4: a presented AR stays until taken (an error or quiesce never
  // withdraws it; its beats are then dropped like the others in flight)
  assign ar_valid_o = ar_hold_q || (busy_q && !err_q && !quiesce_i && ar_seg_left &&
                                    (outst_q < (PtrW+1)'(MaxBursts)));
  assign ar_hs      = ar_valid_o && ar_ready_i;
  assign ar_hold_d  = ar_valid_o && !ar_ready_i;

  // data side: one scratchpad line per R beat, also for beats dropped after
  // an error (they still count towards completion)
  acceltran_dma_line_walk u_line_walk (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (start),
    .cmd_i   (cmd_i),
    .line_o  (spad_wr_addr_o),
    .nv_o    (nv),
    .empty_o (r_empty),
    .step_i  (r_step)
  );

  assign r_ok    = (r_resp_i == 2'b00);
  assign writing = busy_q && !err_q && !quiesce_i && r_ok;

  assign spad_wr_req_o     = r_valid_i && writing;
  assign r_ready_o         = writing ? spad_wr_gnt_i : 1'b1;
  assign r_hs              = r_valid_i && r_ready_o;
  assign r_step            = r_hs && busy_q;
  assign spad_wr_buf_o     = buf_q;
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
    bw_d       = bw_q;
    br_d       = br_q;
    done_o     = 1'b0;
    err_o      = 1'b0;

    // address side
    if (ar_hs) begin
      bw_d = bw_q + 1'b1;
    end

    // data side
    if (r_step) begin
      if (r_last_i) begin
        br_d = br_q + 1'b1;
      end
      if (!r_ok && !err_q) begin
        err_d      = 1'b1;
        err_code_d = (r_resp_i == 2'b11) ? 8'(acceltran_pkg::ErrBusDecerr)
                                         : 8'(acceltran_pkg::ErrBusSlverr);
        err_det_d  = baddr_q[br_q];
      end
    end

    // completion
    if (busy_q) begin
      if (err_q) begin
        if (outst_q == '0) begin
          err_o  = 1'b1;
          busy_d = 1'b0;
        end
      end else if (r_empty) begin
        done_o = 1'b1;
        busy_d = 1'b0;
      end
    end

    // new command
    if (start) begin
      busy_d    = 1'b1;
      err_d     = 1'b0;
      buf_d     = c_buf;
      mask_en_d = (c_buf == 2'd0) && !c_keep;
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
      outst_q    <= '0;
      bw_q       <= '0;
      br_q       <= '0;
      ar_hold_q  <= 1'b0;
    end else begin
      busy_q     <= busy_d;
      err_q      <= err_d;
      err_code_q <= err_code_d;
      err_det_q  <= err_det_d;
      buf_q      <= buf_d;
      mask_en_q  <= mask_en_d;
      outst_q    <= outst_d;
      bw_q       <= bw_d;
      br_q       <= br_d;
      ar_hold_q  <= ar_hold_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ar_hs) begin
      baddr_q[bw_q] <= ar_addr_o[31:0];
    end
  end

  // ---------------------------------------------------------------- assertions
  // AR to the arbiter: held with a stable burst until taken, except that an
  // error or quiesce withdraws it (the arbiter's register keeps the bus
  // side AXI4-legal; acceltran_dma_burst_gen: valid_o is not an AXI valid)
  `AT_ASSERT(LoadArHold_A, ar_valid_o && !ar_ready_i |=> ar_valid_o || err_q || quiesce_i)
  `AT_ASSERT(LoadArStable_A, ar_valid_o && !ar_ready_i |=> $stable({ar_addr_o, ar_len_o}))
  // the command processor issues only to an idle engine
  `AT_ASSERT(LoadCmdIdle_A, cmd_valid_i |-> cmd_ready_o)
  // bursts outstanding within the limit; R beats only for them
  `AT_ASSERT(LoadOutstRange_A, 32'(outst_q) <= MaxBursts)
  `AT_ASSERT(LoadNoStrayBeat_A, r_valid_i && busy_q |-> (outst_q != '0))
  `AT_ASSERT(LoadDoneErr_A, !(done_o && err_o))
  `AT_ASSERT(LoadDoneBusy_A, (done_o || err_o) |-> busy_q)
  `AT_ASSERT(LoadDoneDrained_A, done_o |-> (outst_q == '0) && !ar_seg_left)

endmodule
