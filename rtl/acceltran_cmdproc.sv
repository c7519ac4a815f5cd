// Command processor (docs/isa.md "The queue", docs/rtl-control.md):
//
// FETCH   With CTRL.ENABLE, the fetch pointer != TAIL and a free entry in
//         the fetch buffer (FetchDepth descriptors, so fetches overlap
//         execution), the descriptor at RING_BASE + 64*pointer is checked
//         (RING_BASE 64-byte aligned, else ILLEGAL_FIELD 0; the 64 bytes
//         inside one open window (acceltran_win_check), else ADDR_WINDOW)
//         and read as one 2-beat burst on read client 0; the fetch pointer
//         advances. A failed check puts an error entry in the buffer
//         instead (in ring order) and stops fetching.
// HEAD    RING_HEAD trails the fetch pointer: it steps over a slot when the
//         slot's last R beat is taken, or, for an error entry, once the
//         reads before it are done. A slot behind HEAD has been read in
//         full, so the host may rewrite it at once (docs/isa.md).
// ISSUE   The oldest filled entry moves into the issue register; the
//         descriptor checker (acceltran_desc_check) decodes it
//         combinationally. In order: a failing command captures its error;
//         NOP completes at once; LOAD / STORE / GEMM-SOFTMAX-LAYERNORM go to
//         their engine when it is free and the hazard table shows no
//         conflict; FENCE waits until every engine is idle, then writes its
//         VALUE (write client 1) and waits for the response.
// HAZARDS One slot per engine (an engine runs one command at a time) holds
//         the running command's scratchpad intervals, memory range (LOAD /
//         STORE), index, opcode and tag. A candidate conflicts with a slot
//         when an interval pair is in the same buffer, one of them writes
//         and they intersect, or when a LOAD and a STORE memory range
//         intersect.
// ERRORS  The first error (a check failure at issue, or a bus / row-length
//         error reported by an engine, which is always older than the issue
//         register) stops fetching and issuing; when every engine is idle
//         the queue halts: err_valid_o pulses with code, opcode, tag,
//         descriptor address and detail, and HEAD and the fetch pointer go
//         back to the failing index (fetches still in flight drain without
//         moving HEAD).
`include "acceltran_assert.svh"

module acceltran_cmdproc #(
  parameter int unsigned NumWindows = acceltran_pkg::NumWindows,
  parameter int unsigned FetchDepth = 4,     // power of 2
  localparam int unsigned DataW = acceltran_pkg::BusBytes * 8,
  localparam int unsigned StrbW = DataW / 8,
  localparam int unsigned EPtrW = $clog2(FetchDepth),
  localparam int unsigned LineW = 24
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // configuration (acceltran_regs)
  input  logic                      ctrl_enable_i,
  input  logic [63:0]               ring_base_i,
  input  logic [4:0]                ring_log2_i,
  input  logic [15:0]               ring_tail_i,
  input  logic                      ring_reset_i,
  input  logic [NumWindows*64-1:0]  win_base_i,
  input  logic [NumWindows*64-1:0]  win_size_i,
  input  logic                      quiesce_i,
  // status
  output logic [15:0]               ring_head_o,
  output logic                      busy_o,
  output logic                      halted_o,
  output logic                      idle_o,
  output logic                      err_valid_o,
  output logic [7:0]                err_code_o,
  output logic [7:0]                err_opcode_o,
  output logic [15:0]               err_tag_o,
  output logic [63:0]               err_desc_o,
  output logic [31:0]               err_detail_o,
  output logic                      fence_done_o,
  output logic [31:0]               fence_value_o,
  output logic                      fence_irq_o,
  output logic [2:0]                cmd_done_o,
  output logic                      stall_dep_o,
  output logic                      stall_mem_o,
  // descriptor fetch: read client 0
  output logic                      ar_valid_o,
  input  logic                      ar_ready_i,
  output logic [63:0]               ar_addr_o,
  output logic [7:0]                ar_len_o,
  input  logic                      r_valid_i,
  output logic                      r_ready_o,
  input  logic [DataW-1:0]          r_data_i,
  input  logic [1:0]                r_resp_i,
  input  logic                      r_last_i,
  // FENCE write-back: write client 1
  output logic                      aw_valid_o,
  input  logic                      aw_ready_i,
  output logic [63:0]               aw_addr_o,
  output logic [7:0]                aw_len_o,
  output logic                      w_valid_o,
  input  logic                      w_ready_i,
  output logic [DataW-1:0]          w_data_o,
  output logic [StrbW-1:0]          w_strb_o,
  output logic                      w_last_o,
  input  logic                      b_valid_i,
  output logic                      b_ready_o,
  input  logic [1:0]                b_resp_i,
  // the issued descriptor (to every engine)
  output logic [511:0]              cmd_o,
  // LOAD engine
  output logic                      load_valid_o,
  input  logic                      load_ready_i,
  input  logic                      load_done_i,
  input  logic                      load_err_i,
  input  logic [7:0]                load_err_code_i,
  input  logic [31:0]               load_err_detail_i,
  // STORE engine
  output logic                      store_valid_o,
  input  logic                      store_ready_i,
  input  logic                      store_done_i,
  input  logic                      store_err_i,
  input  logic [7:0]                store_err_code_i,
  input  logic [31:0]               store_err_detail_i,
  // compute engine
  output logic                      comp_valid_o,
  input  logic                      comp_ready_i,
  input  logic                      comp_done_i,
  input  logic                      comp_err_i,
  input  logic [31:0]               comp_err_detail_i
);

  localparam logic [7:0] OpNop   = 8'(acceltran_pkg::OpNop);
  localparam logic [7:0] OpLoad  = 8'(acceltran_pkg::OpLoad);
  localparam logic [7:0] OpStore = 8'(acceltran_pkg::OpStore);
  localparam logic [7:0] OpFence = 8'(acceltran_pkg::OpFence);
  localparam logic [7:0] ErrNone = 8'(acceltran_pkg::ErrNone);

  function automatic logic ovl(input logic [LineW-1:0] a0, input logic [LineW-1:0] a1,
                               input logic [LineW-1:0] b0, input logic [LineW-1:0] b1);
    ovl = (a0 <= b1) && (b0 <= a1);
  endfunction

  // ---------------------------------------------------------------- fetch buffer
  // Two ring pointers: fhead is the next slot to fetch (runs ahead, up to
  // FetchDepth entries); head is RING_HEAD, the first slot not yet read in
  // full, so the host may rewrite every slot behind it.
  logic [15:0]            fhead_q, fhead_d;          // fetch pointer
  logic [15:0]            head_q, head_d;            // RING_HEAD
  logic                   herr_q, herr_d;            // an error entry's HEAD step is owed
  logic                   fstop_q, fstop_d;          // fetching stopped (error entry queued)
  logic [DataW-1:0]       e_lo_q [FetchDepth];       // descriptor words 0-7
  logic [DataW-1:0]       e_hi_q [FetchDepth];       // descriptor words 8-15
  logic [FetchDepth*16-1:0] e_idx_q, e_idx_d;
  logic [FetchDepth*8-1:0]  e_err_q, e_err_d;        // fetch error code (0: none)
  logic [FetchDepth*32-1:0] e_det_q, e_det_d;
  logic [FetchDepth-1:0]  e_fill_q, e_fill_d;        // entry complete
  logic [EPtrW-1:0]       e_wr_q, e_wr_d, e_fp_q, e_fp_d, e_rd_q, e_rd_d;
  logic [EPtrW:0]         e_cnt_q, e_cnt_d;
  logic                   e_beat_q, e_beat_d;
  logic [EPtrW:0]         fout_q, fout_d;            // fetch bursts outstanding

  logic [15:0]  size_mask, tail_m;
  logic [63:0]  fetch_addr;
  logic [31:0]  fill_addr;
  logic         fetch_want, fetch_bad, fetch_win_hit, alloc, ar_hs, take;
  logic         r_done, herr_step;
  logic [7:0]   fetch_err;
  logic [31:0]  fetch_det;

  assign size_mask  = (ring_log2_i >= 5'd16) ? 16'hffff : 16'((17'd1 << ring_log2_i) - 17'd1);
  assign tail_m     = ring_tail_i & size_mask;
  assign fetch_addr = ring_base_i + {42'd0, fhead_q, 6'd0};
  assign fill_addr  = ring_base_i[31:0] + {10'd0, e_idx_q[32'(e_fp_q)*16 +: 16], 6'd0};

  // ---------------------------------------------------------------- issue register
  logic         iss_valid_q, iss_valid_d;
  logic [511:0] iss_desc_q, iss_desc_d;
  logic [15:0]  iss_idx_q, iss_idx_d;
  logic [7:0]   iss_ferr_q, iss_ferr_d;
  logic [31:0]  iss_fdet_q, iss_fdet_d;

  logic [7:0]   dc_err;
  logic [31:0]  dc_det;
  logic [3:0]   dc_ivv, dc_ivw, dc_ivwr;
  logic [4*LineW-1:0] dc_ivf, dc_ivl;
  logic         dc_mem_valid;
  logic [63:0]  dc_mem_lo;
  logic [64:0]  dc_mem_hi;

  acceltran_desc_check #(
    .NumWindows (NumWindows)
  ) u_check (
    .desc_i      (iss_desc_q),
    .win_base_i  (win_base_i),
    .win_size_i  (win_size_i),
    .err_o       (dc_err),
    .detail_o    (dc_det),
    .iv_valid_o  (dc_ivv),
    .iv_wgt_o    (dc_ivw),
    .iv_write_o  (dc_ivwr),
    .iv_first_o  (dc_ivf),
    .iv_last_o   (dc_ivl),
    .mem_valid_o (dc_mem_valid),
    .mem_lo_o    (dc_mem_lo),
    .mem_hi_o    (dc_mem_hi)
  );

  logic [7:0]   op, chk_err;
  logic [15:0]  tag;
  logic [31:0]  chk_det;
  logic         is_comp, f_write, f_irq;
  logic [63:0]  f_addr;
  logic [31:0]  f_value;

  assign op      = iss_desc_q[7:0];
  assign tag     = iss_desc_q[31:16];
  assign chk_err = (iss_ferr_q != ErrNone) ? iss_ferr_q : dc_err;
  assign chk_det = (iss_ferr_q != ErrNone) ? iss_fdet_q : dc_det;
  assign is_comp = (op == 8'(acceltran_pkg::OpGemm)) || (op == 8'(acceltran_pkg::OpSoftmax)) ||
                   (op == 8'(acceltran_pkg::OpLayernorm));
  assign f_write = iss_desc_q[acceltran_pkg::DescFenceWriteLsb];
  assign f_irq   = iss_desc_q[acceltran_pkg::DescFenceIrqLsb];
  assign f_value = iss_desc_q[acceltran_pkg::DescFenceValueWord*32 +: 32];
  assign f_addr  = {iss_desc_q[acceltran_pkg::DescFenceAddrHiWord*32 +: 32],
                    iss_desc_q[acceltran_pkg::DescFenceAddrLoWord*32 +: 32]};

  // ---------------------------------------------------------------- hazard table (slot 0 LOAD, 1 STORE, 2 compute)
  logic [2:0]           sl_valid_q, sl_valid_d;
  logic [3*4-1:0]       sl_ivv_q, sl_ivv_d, sl_ivw_q, sl_ivw_d, sl_ivwr_q, sl_ivwr_d;
  logic [3*4*LineW-1:0] sl_ivf_q, sl_ivf_d, sl_ivl_q, sl_ivl_d;
  logic [2*64-1:0]      sl_mlo_q, sl_mlo_d;          // LOAD / STORE slots only
  logic [2*65-1:0]      sl_mhi_q, sl_mhi_d;
  logic [3*16-1:0]      sl_idx_q, sl_idx_d, sl_tag_q, sl_tag_d;
  logic [3*8-1:0]       sl_op_q, sl_op_d;

  logic hazard;
  always_comb begin
    hazard = 1'b0;
    for (int s = 0; s < 3; s++) begin
      for (int j = 0; j < 4; j++) begin
        for (int i = 0; i < 4; i++) begin
          if (sl_valid_q[s] && sl_ivv_q[s*4+j] && dc_ivv[i] && (sl_ivw_q[s*4+j] == dc_ivw[i]) &&
              (sl_ivwr_q[s*4+j] || dc_ivwr[i]) &&
              ovl(sl_ivf_q[(s*4+j)*LineW +: LineW], sl_ivl_q[(s*4+j)*LineW +: LineW],
                  dc_ivf[i*LineW +: LineW], dc_ivl[i*LineW +: LineW])) begin
            hazard = 1'b1;
          end
        end
      end
    end
    // LOAD vs a running STORE, STORE vs a running LOAD: memory ranges
    if (dc_mem_valid && (op == OpLoad) && sl_valid_q[1] &&
        ({1'b0, dc_mem_lo} < sl_mhi_q[65 +: 65]) && ({1'b0, sl_mlo_q[64 +: 64]} < dc_mem_hi)) begin
      hazard = 1'b1;
    end
    if (dc_mem_valid && (op == OpStore) && sl_valid_q[0] &&
        ({1'b0, dc_mem_lo} < sl_mhi_q[0 +: 65]) && ({1'b0, sl_mlo_q[0 +: 64]} < dc_mem_hi)) begin
      hazard = 1'b1;
    end
  end

  // ---------------------------------------------------------------- FENCE and error state
  logic         f_aw_q, f_aw_d, f_w_q, f_w_d;      // write-back address / data sent
  logic         pend_q, pend_d, pend_eng_q, pend_eng_d, halted_q, halted_d;
  logic [7:0]   pend_code_q, pend_code_d, pend_op_q, pend_op_d;
  logic [15:0]  pend_tag_q, pend_tag_d, pend_idx_q, pend_idx_d;
  logic [31:0]  pend_det_q, pend_det_d;

  // Engine errors are ranked by age in ring order: distance behind RING_HEAD
  // (every issued command's slot is behind it), larger = older. The oldest
  // failing command is the one reported (docs/isa.md, Errors), whatever the
  // order its engine finds the error in.
  logic [15:0]  age_pend, age_ld, age_st, age_cp, err_age;
  logic         err_have;
  assign age_pend = (head_q - pend_idx_q) & size_mask;
  assign age_ld   = (head_q - sl_idx_q[0 +: 16]) & size_mask;
  assign age_st   = (head_q - sl_idx_q[16 +: 16]) & size_mask;
  assign age_cp   = (head_q - sl_idx_q[32 +: 16]) & size_mask;

  logic         iss_ok, slots_empty, fence_go, fence_fin, nop_fin, leave;
  logic         load_hs, store_hs, comp_hs;

  assign iss_ok      = iss_valid_q && !pend_q && !quiesce_i;
  assign slots_empty = (sl_valid_q == 3'b000);
  assign fence_go    = iss_ok && (chk_err == ErrNone) && (op == OpFence) && slots_empty;

  assign load_valid_o  = iss_ok && (chk_err == ErrNone) && (op == OpLoad) && !sl_valid_q[0] && !hazard;
  assign store_valid_o = iss_ok && (chk_err == ErrNone) && (op == OpStore) && !sl_valid_q[1] && !hazard;
  assign comp_valid_o  = iss_ok && (chk_err == ErrNone) && is_comp && !sl_valid_q[2] && !hazard;
  assign load_hs       = load_valid_o && load_ready_i;
  assign store_hs      = store_valid_o && store_ready_i;
  assign comp_hs       = comp_valid_o && comp_ready_i;
  assign nop_fin       = iss_ok && (chk_err == ErrNone) && (op == OpNop);
  assign cmd_o         = iss_desc_q;

  // FENCE write-back: 4 bytes at f_addr (strobes on its lanes; VALUE in every word);
  // quiesce turns the strobes off, but not those of a W beat already
  // presented and waiting for w_ready_i (AXI4: payload stable until taken)
  logic fw_wait_q, fw_off_q, fw_off;
  assign fw_off = fw_wait_q ? fw_off_q : quiesce_i;
  assign aw_valid_o = fence_go && f_write && !f_aw_q;
  assign aw_addr_o  = f_addr;
  assign aw_len_o   = 8'd0;
  assign w_valid_o  = f_aw_q && !f_w_q;
  assign w_data_o   = {(DataW/32){f_value}};
  assign w_strb_o   = fw_off ? '0 : (StrbW'(4'hf) << f_addr[4:0]);
  assign w_last_o   = 1'b1;
  assign b_ready_o  = 1'b1;
  assign fence_fin  = (fence_go && !f_write) || (f_aw_q && f_w_q && b_valid_i &&
                                                 (b_resp_i == 2'b00) && !quiesce_i);

  assign leave = nop_fin || load_hs || store_hs || comp_hs || fence_fin;

  // ---------------------------------------------------------------- fetch control
  acceltran_win_check #(
    .NumWindows (NumWindows)
  ) u_fetch_win (
    .lo_i       (fetch_addr),
    .hi_i       ({1'b0, fetch_addr} + 65'd64),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .hit_o      (fetch_win_hit)
  );

  always_comb begin
    fetch_want = ctrl_enable_i && !fstop_q && !pend_q && !halted_q && !quiesce_i &&
                 (fhead_q != tail_m) && (e_cnt_q < (EPtrW+1)'(FetchDepth));
    fetch_err  = ErrNone;
    fetch_det  = 32'd0;
    if (ring_base_i[5:0] != 6'd0) begin
      fetch_err = 8'(acceltran_pkg::ErrIllegalField);
      fetch_det = 32'd0;
    end else if (!fetch_win_hit) begin
      fetch_err = 8'(acceltran_pkg::ErrAddrWindow);
      fetch_det = fetch_addr[31:0];
    end
    fetch_bad = (fetch_err != ErrNone);
  end

  assign ar_valid_o = fetch_want && !fetch_bad;
  assign ar_addr_o  = fetch_addr;
  assign ar_len_o   = 8'd1;
  assign ar_hs      = ar_valid_o && ar_ready_i;
  assign alloc      = ar_hs || (fetch_want && fetch_bad);
  assign r_ready_o  = 1'b1;
  assign take       = (e_cnt_q != '0) && e_fill_q[e_rd_q] && (!iss_valid_q || leave) && !pend_q;

  // RING_HEAD steps over a slot when its last R beat is taken (reads finish
  // in ring order). An error entry has no read: it is always the newest
  // entry (fetching stops), so its step waits until no read is outstanding
  // after this cycle; HEAD never passes a slot still being read.
  assign r_done    = r_valid_i && r_last_i && (fout_q != '0);
  assign herr_step = (herr_q || (alloc && fetch_bad)) &&
                     ((fout_q == '0) || ((fout_q == (EPtrW+1)'(1)) && r_done));

  always_comb begin
    fhead_d  = fhead_q;
    head_d   = head_q;
    herr_d   = herr_q;
    fstop_d  = fstop_q;
    e_idx_d  = e_idx_q;
    e_err_d  = e_err_q;
    e_det_d  = e_det_q;
    e_fill_d = e_fill_q;
    e_wr_d   = e_wr_q;
    e_fp_d   = e_fp_q;
    e_rd_d   = e_rd_q;
    e_beat_d = e_beat_q;
    fout_d   = fout_q + (EPtrW+1)'(ar_hs) - (EPtrW+1)'(r_done);

    if (alloc) begin
      fhead_d = (fhead_q + 16'd1) & size_mask;
      e_wr_d  = e_wr_q + 1'b1;
      e_idx_d[32'(e_wr_q)*16 +: 16] = fhead_q;
      e_err_d[32'(e_wr_q)*8 +: 8]   = fetch_err;
      e_det_d[32'(e_wr_q)*32 +: 32] = fetch_det;
      e_fill_d[e_wr_q]              = fetch_bad;  // an error entry needs no data
      if (fetch_bad) begin
        fstop_d = 1'b1;
        herr_d  = 1'b1;
      end
    end
    // a halted queue keeps HEAD at the failing index (reads still drain)
    if (!halted_q) begin
      head_d = (head_q + 16'(r_done) + 16'(herr_step)) & size_mask;
    end
    if (herr_step) begin
      herr_d = 1'b0;
    end
    if (r_valid_i && (fout_q != '0)) begin
      if ((r_resp_i != 2'b00) && (e_err_q[32'(e_fp_q)*8 +: 8] == ErrNone)) begin
        e_err_d[32'(e_fp_q)*8 +: 8]   = (r_resp_i == 2'b11) ? 8'(acceltran_pkg::ErrBusDecerr)
                                                            : 8'(acceltran_pkg::ErrBusSlverr);
        e_det_d[32'(e_fp_q)*32 +: 32] = fill_addr;
      end
      e_beat_d = !r_last_i;
      if (r_last_i) begin
        e_fill_d[e_fp_q] = 1'b1;
        e_fp_d           = e_fp_q + 1'b1;
      end
    end
    if (take) begin
      e_fill_d[e_rd_q] = 1'b0;
      e_rd_d           = e_rd_q + 1'b1;
    end
    if (ring_reset_i) begin
      fhead_d = '0;
      head_d  = '0;
      herr_d  = 1'b0;
    end
    if (halted_d && !halted_q) begin
      fhead_d = pend_idx_d;
      head_d  = pend_idx_d;
      herr_d  = 1'b0;
    end
  end
  assign e_cnt_d = e_cnt_q + (EPtrW+1)'(alloc) - (EPtrW+1)'(take);

  // ---------------------------------------------------------------- issue, slots, errors
  always_comb begin
    iss_valid_d = iss_valid_q;
    iss_desc_d  = iss_desc_q;
    iss_idx_d   = iss_idx_q;
    iss_ferr_d  = iss_ferr_q;
    iss_fdet_d  = iss_fdet_q;
    sl_valid_d  = sl_valid_q;
    sl_ivv_d    = sl_ivv_q;
    sl_ivw_d    = sl_ivw_q;
    sl_ivwr_d   = sl_ivwr_q;
    sl_ivf_d    = sl_ivf_q;
    sl_ivl_d    = sl_ivl_q;
    sl_mlo_d    = sl_mlo_q;
    sl_mhi_d    = sl_mhi_q;
    sl_idx_d    = sl_idx_q;
    sl_tag_d    = sl_tag_q;
    sl_op_d     = sl_op_q;
    f_aw_d      = f_aw_q;
    f_w_d       = f_w_q;
    pend_d      = pend_q;
    pend_eng_d  = pend_eng_q;
    pend_code_d = pend_code_q;
    pend_op_d   = pend_op_q;
    pend_tag_d  = pend_tag_q;
    pend_idx_d  = pend_idx_q;
    pend_det_d  = pend_det_q;
    halted_d    = halted_q;

    // the issue register
    if (leave) begin
      iss_valid_d = 1'b0;
    end
    if (iss_ok && (chk_err != ErrNone)) begin
      iss_valid_d = 1'b0;
      pend_d      = 1'b1;
      pend_eng_d  = 1'b0;
      pend_code_d = chk_err;
      pend_op_d   = (iss_ferr_q != ErrNone) ? 8'd0 : op;
      pend_tag_d  = (iss_ferr_q != ErrNone) ? 16'd0 : tag;
      pend_idx_d  = iss_idx_q;
      pend_det_d  = chk_det;
    end
    if (take) begin
      iss_valid_d = 1'b1;
      iss_desc_d  = {e_hi_q[e_rd_q], e_lo_q[e_rd_q]};
      iss_idx_d   = e_idx_q[32'(e_rd_q)*16 +: 16];
      iss_ferr_d  = e_err_q[32'(e_rd_q)*8 +: 8];
      iss_fdet_d  = e_det_q[32'(e_rd_q)*32 +: 32];
    end

    // FENCE write-back
    if (aw_valid_o && aw_ready_i) begin
      f_aw_d = 1'b1;
    end
    if (w_valid_o && w_ready_i) begin
      f_w_d = 1'b1;
    end
    if (f_aw_q && f_w_q && b_valid_i) begin
      f_aw_d = 1'b0;
      f_w_d  = 1'b0;
      if ((b_resp_i != 2'b00) && !quiesce_i) begin
        iss_valid_d = 1'b0;
        pend_d      = 1'b1;
        pend_eng_d  = 1'b1;
        pend_code_d = (b_resp_i == 2'b11) ? 8'(acceltran_pkg::ErrBusDecerr)
                                          : 8'(acceltran_pkg::ErrBusSlverr);
        pend_op_d   = op;
        pend_tag_d  = tag;
        pend_idx_d  = iss_idx_q;
        pend_det_d  = f_addr[31:0];
      end
    end

    // slots: issue
    for (int s = 0; s < 3; s++) begin
      if ((s == 0 && load_hs) || (s == 1 && store_hs) || (s == 2 && comp_hs)) begin
        sl_valid_d[s]                        = 1'b1;
        sl_ivv_d[s*4 +: 4]                   = dc_ivv;
        sl_ivw_d[s*4 +: 4]                   = dc_ivw;
        sl_ivwr_d[s*4 +: 4]                  = dc_ivwr;
        sl_ivf_d[s*4*LineW +: 4*LineW]       = dc_ivf;
        sl_ivl_d[s*4*LineW +: 4*LineW]       = dc_ivl;
        sl_idx_d[s*16 +: 16]                 = iss_idx_q;
        sl_tag_d[s*16 +: 16]                 = tag;
        sl_op_d[s*8 +: 8]                    = op;
        if (s < 2) begin
          sl_mlo_d[s*64 +: 64] = dc_mem_lo;
          sl_mhi_d[s*65 +: 65] = dc_mem_hi;
        end
      end
    end

    // slots: completion; engine errors are older than anything in the issue register
    if (load_done_i || load_err_i) begin
      sl_valid_d[0] = 1'b0;
    end
    if (store_done_i || store_err_i) begin
      sl_valid_d[1] = 1'b0;
    end
    if (comp_done_i || comp_err_i) begin
      sl_valid_d[2] = 1'b0;
    end
    // a pending decode-time error is younger than any engine's command; a
    // pending engine error gives way to an older one found later
    err_have = pend_q && pend_eng_q;
    err_age  = age_pend;
    if (!quiesce_i) begin
      if (load_err_i && (!err_have || (age_ld > err_age))) begin
        err_have = 1'b1; err_age = age_ld;
        pend_d = 1'b1; pend_eng_d = 1'b1;
        pend_code_d = load_err_code_i;  pend_det_d = load_err_detail_i;
        pend_op_d = sl_op_q[0 +: 8]; pend_tag_d = sl_tag_q[0 +: 16]; pend_idx_d = sl_idx_q[0 +: 16];
      end
      if (store_err_i && (!err_have || (age_st > err_age))) begin
        err_have = 1'b1; err_age = age_st;
        pend_d = 1'b1; pend_eng_d = 1'b1;
        pend_code_d = store_err_code_i; pend_det_d = store_err_detail_i;
        pend_op_d = sl_op_q[8 +: 8]; pend_tag_d = sl_tag_q[16 +: 16]; pend_idx_d = sl_idx_q[16 +: 16];
      end
      if (comp_err_i && (!err_have || (age_cp > err_age))) begin
        pend_d = 1'b1; pend_eng_d = 1'b1;
        pend_code_d = 8'(acceltran_pkg::ErrIllegalField); pend_det_d = comp_err_detail_i;
        pend_op_d = sl_op_q[16 +: 8]; pend_tag_d = sl_tag_q[32 +: 16]; pend_idx_d = sl_idx_q[32 +: 16];
      end
    end

    // halt once every issued command has finished
    if (pend_q && !halted_q && slots_empty && !f_aw_q) begin
      halted_d = 1'b1;
    end
  end

  assign err_valid_o  = halted_q == 1'b0 && halted_d == 1'b1;
  assign err_code_o   = pend_code_q;
  assign err_opcode_o = pend_op_q;
  assign err_tag_o    = pend_tag_q;
  assign err_desc_o   = ring_base_i + {42'd0, pend_idx_q, 6'd0};
  assign err_detail_o = pend_det_q;

  assign fence_done_o  = fence_fin;
  assign fence_value_o = f_value;
  assign fence_irq_o   = f_irq;
  assign cmd_done_o    = 3'(nop_fin) + 3'(fence_fin) + 3'(load_done_i) + 3'(store_done_i) +
                         3'(comp_done_i);

  logic active;
  assign active      = (e_cnt_q != '0) || iss_valid_q || !slots_empty || f_aw_q || pend_q;
  assign ring_head_o = head_q;
  assign halted_o    = halted_q;
  // HEAD != fhead only while a fetch is in flight (e_cnt_q != 0: active)
  assign busy_o      = !halted_q && (active || (ctrl_enable_i && (fhead_q != tail_m)));
  assign idle_o      = !halted_q && !active && (head_q == tail_m);
  assign stall_dep_o = iss_ok && (chk_err == ErrNone) && (op != OpNop) && !leave && !f_aw_q;
  assign stall_mem_o = (ar_valid_o && !ar_ready_i) || ((fout_q != '0) && !r_valid_i && !iss_valid_q);

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fhead_q     <= '0;
      head_q      <= '0;
      herr_q      <= 1'b0;
      fstop_q     <= 1'b0;
      e_idx_q     <= '0;
      e_err_q     <= '0;
      e_det_q     <= '0;
      e_fill_q    <= '0;
      e_wr_q      <= '0;
      e_fp_q      <= '0;
      e_rd_q      <= '0;
      e_cnt_q     <= '0;
      e_beat_q    <= 1'b0;
      fout_q      <= '0;
      iss_valid_q <= 1'b0;
      iss_desc_q  <= '0;
      iss_idx_q   <= '0;
      iss_ferr_q  <= '0;
      iss_fdet_q  <= '0;
      sl_valid_q  <= '0;
      sl_ivv_q    <= '0;
      sl_ivw_q    <= '0;
      sl_ivwr_q   <= '0;
      sl_ivf_q    <= '0;
      sl_ivl_q    <= '0;
      sl_mlo_q    <= '0;
      sl_mhi_q    <= '0;
      sl_idx_q    <= '0;
      sl_tag_q    <= '0;
      sl_op_q     <= '0;
      f_aw_q      <= 1'b0;
      f_w_q       <= 1'b0;
      pend_q      <= 1'b0;
      pend_eng_q  <= 1'b0;
      pend_code_q <= '0;
      pend_op_q   <= '0;
      pend_tag_q  <= '0;
      pend_idx_q  <= '0;
      pend_det_q  <= '0;
      halted_q    <= 1'b0;
      fw_wait_q   <= 1'b0;
      fw_off_q    <= 1'b0;
    end else begin
      fhead_q     <= fhead_d;
      head_q      <= head_d;
      herr_q      <= herr_d;
      fstop_q     <= fstop_d;
      e_idx_q     <= e_idx_d;
      e_err_q     <= e_err_d;
      e_det_q     <= e_det_d;
      e_fill_q    <= e_fill_d;
      e_wr_q      <= e_wr_d;
      e_fp_q      <= e_fp_d;
      e_rd_q      <= e_rd_d;
      e_cnt_q     <= e_cnt_d;
      e_beat_q    <= e_beat_d;
      fout_q      <= fout_d;
      iss_valid_q <= iss_valid_d;
      iss_desc_q  <= iss_desc_d;
      iss_idx_q   <= iss_idx_d;
      iss_ferr_q  <= iss_ferr_d;
      iss_fdet_q  <= iss_fdet_d;
      sl_valid_q  <= sl_valid_d;
      sl_ivv_q    <= sl_ivv_d;
      sl_ivw_q    <= sl_ivw_d;
      sl_ivwr_q   <= sl_ivwr_d;
      sl_ivf_q    <= sl_ivf_d;
      sl_ivl_q    <= sl_ivl_d;
      sl_mlo_q    <= sl_mlo_d;
      sl_mhi_q    <= sl_mhi_d;
      sl_idx_q    <= sl_idx_d;
      sl_tag_q    <= sl_tag_d;
      sl_op_q     <= sl_op_d;
      f_aw_q      <= f_aw_d;
      f_w_q       <= f_w_d;
      pend_q      <= pend_d;
      pend_eng_q  <= pend_eng_d;
      pend_code_q <= pend_code_d;
      pend_op_q   <= pend_op_d;
      pend_tag_q  <= pend_tag_d;
      pend_idx_q  <= pend_idx_d;
      pend_det_q  <= pend_det_d;
      halted_q    <= halted_d;
      fw_wait_q   <= w_valid_o && !w_ready_i;
      fw_off_q    <= fw_off;
    end
  end

  // fetch buffer data (no reset: read only once filled)
  always_ff @(posedge clk_i) begin
    if (r_valid_i && (fout_q != '0)) begin
      if (!e_beat_q) begin
        e_lo_q[e_fp_q] <= r_data_i;
      end else begin
        e_hi_q[e_fp_q] <= r_data_i;
      end
    end
  end

  // ---------------------------------------------------------------- assertions
  // FENCE write-back on write client 1: W goes to the bus combinationally
  // through the arbiter (AXI4 rules); AW only once per FENCE
  `AT_ASSERT_HOLD(CpFenceWHold_A, w_valid_o, w_ready_i, {w_data_o, w_strb_o, w_last_o})
  `AT_ASSERT(CpFenceAwOnce_A, aw_valid_o |-> !f_aw_q && !f_w_q)
  // the fetch buffer: counts in range, no more reads outstanding than
  // entries, an entry taken only when filled
  `AT_ASSERT(CpFetchCount_A, 32'(e_cnt_q) <= FetchDepth)
  `AT_ASSERT(CpFetchOutst_A, fout_q <= e_cnt_q)
  `AT_ASSERT(CpFetchNoStrayBeat_A, r_valid_i |-> (fout_q != '0))
  `AT_ASSERT(CpTakeFilled_A, take |-> (e_cnt_q != '0) && e_fill_q[e_rd_q])
  // the issue register leaves by one path at a time; an engine gets a
  // command only when its hazard slot is free, and only one engine a cycle
  `AT_ASSERT(CpOneIssue_A, $onehot0({nop_fin, load_hs, store_hs, comp_hs, fence_fin}))
  `AT_ASSERT(CpOneEngine_A, $onehot0({load_valid_o, store_valid_o, comp_valid_o}))
  `AT_ASSERT(CpLoadSlot_A, load_valid_o |-> !sl_valid_q[0])
  `AT_ASSERT(CpStoreSlot_A, store_valid_o |-> !sl_valid_q[1])
  `AT_ASSERT(CpCompSlot_A, comp_valid_o |-> !sl_valid_q[2])
  // engines report completion only for a command they hold
  `AT_ASSERT(CpLoadDone_A, (load_done_i || load_err_i) |-> sl_valid_q[0])
  `AT_ASSERT(CpStoreDone_A, (store_done_i || store_err_i) |-> sl_valid_q[1])
  `AT_ASSERT(CpCompDone_A, (comp_done_i || comp_err_i) |-> sl_valid_q[2])
  // a halted queue issues nothing; the error pulse is a single cycle
  `AT_ASSERT(CpHaltedQuiet_A, halted_q |-> !(load_valid_o || store_valid_o || comp_valid_o || aw_valid_o))
  `AT_ASSERT(CpErrPulse_A, err_valid_o |=> !err_valid_o)
  // RING_HEAD never passes the fetch pointer: at most FetchDepth slots between them
  `AT_ASSERT(CpHeadBehindFetch_A, 32'(16'((fhead_q - head_q) & size_mask)) <= FetchDepth)

endmodule
