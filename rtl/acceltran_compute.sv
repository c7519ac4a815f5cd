// The compute engine (docs/rtl-top.md "Compute engine interface",
// docs/rtl-compute.md): takes one checked GEMM / SOFTMAX / LAYERNORM
// descriptor at a time, registers it and starts the engine of its opcode
// (acceltran_gemm, acceltran_smx_engine, acceltran_ln_engine). The active
// engine owns the scratchpad ports; the others see no grants. done_o (or
// err_o for a SOFTMAX bad row length) pulses when the command's last
// scratchpad write has been granted. Counters: the PE array's (from the
// GEMM engine), CNT_PRUNED = the sum of the GEMM, SOFTMAX and LAYERNORM
// engines' pruned counts, and this engine's scratchpad accesses (lines: a
// quad is 4; the GEMM's C_WGT lines count as writes). The GEMM's writer
// lanes also have a weight write port each (C_WGT). Unit events for the
// register block's counters: which opcode
// the engine holds (gemm/smx/ln_busy_o, from the command's acceptance to
// its done_o or err_o) and the rows the softmax and layer-norm engines
// finish each cycle (smx/ln_row_o: a count, since their lanes write side
// by side). The row engines' lanes use read ports 0.. and write ports
// 0.. (docs/rtl-compute.md "SOFTMAX and LAYERNORM").
// Lint in tiny and edge: the server PE array is too big to elaborate.
// rtl-lint-configs: tiny edge
`include "acceltran_assert.svh"

module acceltran_compute #(
  // The GEMM engine's array shape and writer lanes: the configuration's,
  // overridden only by the unit tests' variant builds (tiny_r2: 2 PE rows
  // and 2 lanes, tiny_l16: edge's 16-lane PE on a 2 x 2 array) so that a
  // configuration with one PE row still tests the 2-D schedule.
  parameter  int unsigned NumPes    = acceltran_pkg::NumPes,
  parameter  int unsigned NumLanes  = acceltran_pkg::NumLanes,
  parameter  int unsigned NumPeRows = acceltran_pkg::NumPeRows,
  parameter  int unsigned NumOutLanes = acceltran_pkg::NumOutLanes,
  localparam int unsigned ActLines = acceltran_pkg::ActBufKib * 1024 / 32,
  localparam int unsigned WgtLines = acceltran_pkg::WgtBufKib * 1024 / 32,
  localparam int unsigned ActAddrW = $clog2(ActLines),
  localparam int unsigned WgtAddrW = $clog2(WgtLines),
  localparam int unsigned CntW     = 48,
  localparam int unsigned NR       = NumPeRows,  // activation read ports
  localparam int unsigned NW       = NumOutLanes // activation write ports (one per GEMM writer lane)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  cmd_valid_i,
  output logic                  cmd_ready_o,
  input  logic [511:0]          cmd_i,
  output logic                  done_o,
  output logic                  err_o,
  output logic [31:0]           err_detail_o,
  // activation reads: one port per GEMM feeder; the row engines' lanes
  // use ports 0.. (LAYERNORM's residuals: the next ones)
  output logic [NR-1:0]          act_rd_req_o,
  input  logic [NR-1:0]          act_rd_gnt_i,
  output logic [NR*ActAddrW-1:0] act_rd_addr_o,
  input  logic [NR-1:0]          act_rvalid_i,
  input  logic [NR*256-1:0]      act_rdata_i,
  input  logic [NR*16-1:0]       act_rmask_i,
  output logic [NW-1:0]          act_wr_req_o,
  input  logic [NW-1:0]          act_wr_gnt_i,
  output logic [NW*ActAddrW-1:0] act_wr_addr_o,
  output logic [NW*256-1:0]      act_wr_data_o,
  output logic [NW*16-1:0]       act_wr_mask_o,
  // weight line writes: the GEMM's writer lanes with C_WGT
  output logic [NW-1:0]          wgt_wr_req_o,
  input  logic [NW-1:0]          wgt_wr_gnt_i,
  output logic [NW*WgtAddrW-1:0] wgt_wr_addr_o,
  output logic [NW*256-1:0]      wgt_wr_data_o,
  output logic                  wgt_rd_req_o,
  input  logic                  wgt_rd_gnt_i,
  output logic [WgtAddrW-3:0]   wgt_rd_quad_o,
  output logic [2:0]            wgt_rd_nq_o,
  input  logic                  wgt_rvalid_i,
  input  logic [4*1024-1:0]     wgt_rdata_i,
  output logic [CntW-1:0]       cnt_mac_issued_o,
  output logic [CntW-1:0]       cnt_mac_skipped_o,
  output logic [CntW-1:0]       cnt_pruned_o,
  output logic [CntW-1:0]       cnt_stall_wgt_o,
  output logic [CntW-1:0]       cnt_stall_act_o,
  output logic [CntW-1:0]       cnt_pe_busy_o,
  output logic [CntW-1:0]       cnt_spad_rd_o,
  output logic [CntW-1:0]       cnt_spad_wr_o,
  output logic                  gemm_busy_o,
  output logic                  smx_busy_o,
  output logic                  ln_busy_o,
  output logic [4:0]            smx_row_o,      // rows finished this cycle
  output logic [4:0]            ln_row_o,
  output logic                  busy_o
);

  localparam int unsigned QuadW = WgtAddrW - 2;
  localparam logic [1:0] SelGemm = 2'd0;
  localparam logic [1:0] SelSmx  = 2'd1;
  localparam logic [1:0] SelLn   = 2'd2;
  localparam logic [1:0] SelNone = 2'd3;

  logic [511:0]    desc_d, desc_q;
  logic            busy_d, busy_q, start_d, start_q;
  logic [1:0]      sel_d, sel_q;
  logic [CntW-1:0] crd_d, crd_q, cwr_d, cwr_q;
  logic [7:0]      opc;

  // engine ports
  logic            g_done, g_busy, s_done, s_err, s_busy, l_done, l_busy;
  logic [31:0]     s_det;
  logic [CntW-1:0] g_prun, s_prun, l_prun;
  logic [NR-1:0]   g_ar_req;
  logic [NR*ActAddrW-1:0] g_ar_addr;
  logic            g_w_req, l_w_req;
  // the row engines' ports (all NR / NW of them)
  logic [NR-1:0]          s_ar_req, l_ar_req;
  logic [NR*ActAddrW-1:0] s_ar_addr, l_ar_addr;
  logic [NW-1:0]          s_aw_req, l_aw_req;
  logic [NW*ActAddrW-1:0] s_aw_addr, l_aw_addr;
  logic [NW*256-1:0]      s_aw_data, l_aw_data;
  logic [NW*16-1:0]       s_aw_mask, l_aw_mask;
  logic [NW-1:0]          g_aw_req;
  logic [NW*ActAddrW-1:0] g_aw_addr;
  logic [NW*256-1:0]      g_aw_data;
  logic [NW*16-1:0]       g_aw_mask;
  logic [NW-1:0]          g_ww_req;
  logic [QuadW-1:0] g_w_quad, l_w_quad;
  logic [2:0]       g_w_nq, l_w_nq;  // quads of the GEMM's / LN engine's weight read
  logic            is_g, is_s, is_l;

  assign opc  = cmd_i[acceltran_pkg::DescOpcodeWord*32 + acceltran_pkg::DescOpcodeLsb +: 8];
  assign is_g = (sel_q == SelGemm);
  assign is_s = (sel_q == SelSmx);
  assign is_l = (sel_q == SelLn);

  assign cmd_ready_o = !busy_q;
  assign busy_o      = busy_q;
  assign gemm_busy_o = busy_q && is_g;
  assign smx_busy_o  = busy_q && is_s;
  assign ln_busy_o   = busy_q && is_l;

  always_comb begin
    desc_d  = desc_q;
    busy_d  = busy_q;
    sel_d   = sel_q;
    start_d = 1'b0;
    if (cmd_valid_i && !busy_q) begin
      desc_d  = cmd_i;
      busy_d  = 1'b1;
      start_d = 1'b1;
      case (opc)
        8'(acceltran_pkg::OpGemm):      sel_d = SelGemm;
        8'(acceltran_pkg::OpSoftmax):   sel_d = SelSmx;
        8'(acceltran_pkg::OpLayernorm): sel_d = SelLn;
        default:                        sel_d = SelNone;
      endcase
    end
    // an opcode that is not a compute command (cannot be issued here)
    // completes at once
    if (done_o || err_o) begin
      busy_d = 1'b0;
    end
  end

  assign done_o       = (is_g && g_done) || (is_s && s_done) || (is_l && l_done) ||
                        ((sel_q == SelNone) && start_q);
  assign err_o        = is_s && s_err;
  assign err_detail_o = s_det;

  acceltran_gemm #(
    .NumPes     (NumPes),
    .NumLanes   (NumLanes),
    .NumPeRows  (NumPeRows),
    .NumOutLanes(NumOutLanes),
    .ActAddrW (ActAddrW),
    .WgtAddrW (WgtAddrW),
    .CntW     (CntW)
  ) u_gemm (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .start_i           (start_q && is_g),
    .desc_i            (desc_q),
    .done_o            (g_done),
    .busy_o            (g_busy),
    .act_rd_req_o      (g_ar_req),
    .act_rd_gnt_i      (act_rd_gnt_i & {NR{is_g}}),
    .act_rd_addr_o     (g_ar_addr),
    .act_rvalid_i      (act_rvalid_i & {NR{is_g}}),
    .act_rdata_i       (act_rdata_i),
    .act_rmask_i       (act_rmask_i),
    .act_wr_req_o      (g_aw_req),
    .act_wr_gnt_i      (act_wr_gnt_i & {NW{is_g}}),
    .act_wr_addr_o     (g_aw_addr),
    .act_wr_data_o     (g_aw_data),
    .act_wr_mask_o     (g_aw_mask),
    .wgt_wr_req_o      (g_ww_req),
    .wgt_wr_gnt_i      (wgt_wr_gnt_i & {NW{is_g}}),
    .wgt_wr_addr_o     (wgt_wr_addr_o),
    .wgt_wr_data_o     (wgt_wr_data_o),
    .wgt_rd_req_o      (g_w_req),
    .wgt_rd_gnt_i      (wgt_rd_gnt_i && is_g),
    .wgt_rd_quad_o     (g_w_quad),
    .wgt_rd_nq_o       (g_w_nq),
    .wgt_rvalid_i      (wgt_rvalid_i && is_g),
    .wgt_rdata_i       (wgt_rdata_i),
    .cnt_mac_issued_o  (cnt_mac_issued_o),
    .cnt_mac_skipped_o (cnt_mac_skipped_o),
    .cnt_pruned_o      (g_prun),
    .cnt_stall_wgt_o   (cnt_stall_wgt_o),
    .cnt_stall_act_o   (cnt_stall_act_o),
    .cnt_pe_busy_o     (cnt_pe_busy_o)
  );

  acceltran_smx_engine #(
    .ActAddrW   (ActAddrW),
    .CntW       (CntW),
    .NumRdPorts (NR),
    .NumWrPorts (NW)
  ) u_smx (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .start_i       (start_q && is_s),
    .desc_i        (desc_q),
    .done_o        (s_done),
    .err_o         (s_err),
    .err_detail_o  (s_det),
    .busy_o        (s_busy),
    .act_rd_req_o  (s_ar_req),
    .act_rd_gnt_i  (act_rd_gnt_i & {NR{is_s}}),
    .act_rd_addr_o (s_ar_addr),
    .act_rvalid_i  (act_rvalid_i & {NR{is_s}}),
    .act_rdata_i   (act_rdata_i),
    .act_wr_req_o  (s_aw_req),
    .act_wr_gnt_i  (act_wr_gnt_i & {NW{is_s}}),
    .act_wr_addr_o (s_aw_addr),
    .act_wr_data_o (s_aw_data),
    .act_wr_mask_o (s_aw_mask),
    .row_done_o    (smx_row_o),
    .cnt_pruned_o  (s_prun)
  );

  acceltran_ln_engine #(
    .ActAddrW   (ActAddrW),
    .WgtAddrW   (WgtAddrW),
    .CntW       (CntW),
    .NumRdPorts (NR),
    .NumWrPorts (NW)
  ) u_ln (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .start_i       (start_q && is_l),
    .desc_i        (desc_q),
    .done_o        (l_done),
    .busy_o        (l_busy),
    .act_rd_req_o  (l_ar_req),
    .act_rd_gnt_i  (act_rd_gnt_i & {NR{is_l}}),
    .act_rd_addr_o (l_ar_addr),
    .act_rvalid_i  (act_rvalid_i & {NR{is_l}}),
    .act_rdata_i   (act_rdata_i),
    .act_wr_req_o  (l_aw_req),
    .act_wr_gnt_i  (act_wr_gnt_i & {NW{is_l}}),
    .act_wr_addr_o (l_aw_addr),
    .act_wr_data_o (l_aw_data),
    .act_wr_mask_o (l_aw_mask),
    .wgt_rd_req_o  (l_w_req),
    .wgt_rd_gnt_i  (wgt_rd_gnt_i && is_l),
    .wgt_rd_quad_o (l_w_quad),
    .wgt_rd_nq_o   (l_w_nq),
    .wgt_rvalid_i  (wgt_rvalid_i && is_l),
    .wgt_rdata_i   (wgt_rdata_i),
    .row_done_o    (ln_row_o),
    .cnt_pruned_o  (l_prun)
  );

  // only the GEMM writes weight lines
  assign wgt_wr_req_o = is_g ? g_ww_req : '0;

  // DynaTran pruned elements of all three engines (each counts its own)
  assign cnt_pruned_o = g_prun + s_prun + l_prun;

  // the engines' busy flags are implied by busy_q
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_busy;
  /* verilator lint_on UNUSEDSIGNAL */
  assign unused_busy = g_busy ^ s_busy ^ l_busy;

  always_comb begin
    act_rd_req_o  = '0;
    act_rd_addr_o = g_ar_addr;
    act_wr_req_o  = '0;
    act_wr_addr_o = g_aw_addr;
    act_wr_data_o = g_aw_data;
    act_wr_mask_o = g_aw_mask;
    wgt_rd_req_o  = 1'b0;
    wgt_rd_quad_o = g_w_quad;
    wgt_rd_nq_o   = 3'd1;
    case (sel_q)
      SelGemm: begin
        act_rd_req_o = g_ar_req;
        act_wr_req_o = g_aw_req;
        wgt_rd_req_o = g_w_req;
        wgt_rd_nq_o  = g_w_nq;
      end
      SelSmx: begin
        act_rd_req_o  = s_ar_req;
        act_rd_addr_o = s_ar_addr;
        act_wr_req_o  = s_aw_req;
        act_wr_addr_o = s_aw_addr;
        act_wr_data_o = s_aw_data;
        act_wr_mask_o = s_aw_mask;
      end
      SelLn: begin
        act_rd_req_o  = l_ar_req;
        act_rd_addr_o = l_ar_addr;
        act_wr_req_o  = l_aw_req;
        act_wr_addr_o = l_aw_addr;
        act_wr_data_o = l_aw_data;
        act_wr_mask_o = l_aw_mask;
        wgt_rd_req_o  = l_w_req;
        wgt_rd_quad_o = l_w_quad;
        wgt_rd_nq_o   = l_w_nq;
      end
      default: ;
    endcase
  end

  // kept apart from the port mux: the requests never depend on the grants
  always_comb begin
    crd_d = crd_q + CntW'($countones(act_rd_req_o & act_rd_gnt_i)) +
            ((wgt_rd_req_o && wgt_rd_gnt_i) ? (CntW'(wgt_rd_nq_o) << 2) : '0);
    cwr_d = cwr_q + CntW'($countones(act_wr_req_o & act_wr_gnt_i)) +
            CntW'($countones(wgt_wr_req_o & wgt_wr_gnt_i));
  end

  assign cnt_spad_rd_o = crd_q;
  assign cnt_spad_wr_o = cwr_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      desc_q  <= '0;
      busy_q  <= 1'b0;
      start_q <= 1'b0;
      sel_q   <= SelNone;
      crd_q   <= '0;
      cwr_q   <= '0;
    end else begin
      desc_q  <= desc_d;
      busy_q  <= busy_d;
      start_q <= start_d;
      sel_q   <= sel_d;
      crd_q   <= crd_d;
      cwr_q   <= cwr_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  // one command at a time: an engine runs only when selected, at most one
  // runs, completion only for the command held
  `AT_ASSERT(CompOneEngine_A, $onehot0({g_busy, s_busy, l_busy}))
  `AT_ASSERT(CompGemmSel_A, g_busy |-> is_g && busy_q)
  `AT_ASSERT(CompSmxSel_A, s_busy |-> is_s && busy_q)
  `AT_ASSERT(CompLnSel_A, l_busy |-> is_l && busy_q)
  `AT_ASSERT(CompDoneBusy_A, (done_o || err_o) |-> busy_q)
  `AT_ASSERT(CompDoneErr_A, !(done_o && err_o))
  // the descriptor is stable while the command runs
  `AT_ASSERT(CompDescStable_A, busy_q && $past(busy_q) |-> $stable(desc_q))

endmodule
