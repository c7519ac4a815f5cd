// LAYERNORM command engine (docs/isa.md LAYERNORM, docs/rtl-layernorm.md
// "Engine: lanes"): NumUnits acceltran_layernorm units in NumLanes lanes
// (acceltran_ln_lane). NumLanes is the largest power of two that divides
// NumUnits and is at most both port counts (tiny, one port each: 1 lane,
// the engine of one port pair; edge and server: one lane per unit). Lane
// k runs the rows r with r mod NumLanes == k, in order, on its NumUnits /
// NumLanes units (row r on unit r mod NumUnits as with one lane): its x
// reads on activation read port k, its residual reads on read port
// NumLanes + k when there are at least 2 x NumLanes read ports (edge and
// server: x and res stream side by side, one beat of both a cycle, as the
// unit's pass 1 takes them), else alternating with x on port k; its
// writes on write port k. The one weight port is shared round-robin among
// the lanes' gamma/beta reads; with more than one lane each read takes up
// to 4 consecutive quads of the row into the lane's 6-entry parameter
// FIFO (docs/rtl-layernorm.md: why). Per row: x from SRC + r*LDS + b (and
// the residual RES + r*LDR + b), gamma/beta quads PARAMS/4 + b, outputs
// to DST + r*LDD + b after DynaTran (|y| <= LN_TAU -> 0), mask bit =
// (element != 0); the pruned elements among the N columns are counted in
// cnt_pruned_o when the beat's write is granted; row_done_o counts the
// rows whose last beat is written this cycle (CNT_LN_ROWS); done_o pulses
// the cycle after every lane's last write is granted.
`include "acceltran_assert.svh"

module acceltran_ln_engine #(
  parameter int unsigned ActAddrW   = 11,
  parameter int unsigned WgtAddrW   = 11,
  parameter int unsigned CntW       = 48,
  parameter int unsigned NumUnits   = acceltran_pkg::NumLnUnits,
  parameter int unsigned NumRdPorts = acceltran_pkg::NumPeRows,
  parameter int unsigned NumWrPorts = acceltran_pkg::NumOutLanes,
  localparam int unsigned Width  = acceltran_pkg::TileSize,
  localparam int unsigned LineW  = Width * 16,
  localparam int unsigned QuadW  = WgtAddrW - 2,
  localparam int unsigned NP     = (NumRdPorts < NumWrPorts) ? NumRdPorts : NumWrPorts,
  // lanes: the largest power of two (at most 16) dividing NumUnits and at
  // most both port counts
  localparam int unsigned NumLanes = ((NP >= 16) && (NumUnits % 16 == 0)) ? 16 :
                                     ((NP >= 8) && (NumUnits % 8 == 0)) ? 8 :
                                     ((NP >= 4) && (NumUnits % 4 == 0)) ? 4 :
                                     ((NP >= 2) && (NumUnits % 2 == 0)) ? 2 : 1,
  localparam int unsigned LaneUnits = NumUnits / NumLanes,
  localparam int unsigned LaneW     = (NumLanes > 1) ? $clog2(NumLanes) : 1,
  // the residual on its own read port
  localparam bit          DualRd    = (NumRdPorts >= 2 * NumLanes),
  // gamma/beta reads: one quad into 3 entries with one lane (the weight
  // port is the lane's alone); with several, up to 4 quads, asked for when
  // 3 fit (or the rest of the row), into 6 entries
  localparam int unsigned ParDepth  = (NumLanes > 1) ? 6 : 3,
  localparam int unsigned MaxNq     = (NumLanes > 1) ? 4 : 1,
  localparam int unsigned MinNq     = (NumLanes > 1) ? 3 : 1,
  localparam int unsigned PrunW     = $clog2(Width + 1),
  localparam int unsigned RowCntW   = 5
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           start_i,
  input  logic [511:0]                   desc_i,
  output logic                           done_o,
  output logic                           busy_o,
  output logic [NumRdPorts-1:0]          act_rd_req_o,
  input  logic [NumRdPorts-1:0]          act_rd_gnt_i,
  output logic [NumRdPorts*ActAddrW-1:0] act_rd_addr_o,
  input  logic [NumRdPorts-1:0]          act_rvalid_i,
  input  logic [NumRdPorts*LineW-1:0]    act_rdata_i,
  output logic [NumWrPorts-1:0]          act_wr_req_o,
  input  logic [NumWrPorts-1:0]          act_wr_gnt_i,
  output logic [NumWrPorts*ActAddrW-1:0] act_wr_addr_o,
  output logic [NumWrPorts*LineW-1:0]    act_wr_data_o,
  output logic [NumWrPorts*Width-1:0]    act_wr_mask_o,
  output logic                           wgt_rd_req_o,
  input  logic                           wgt_rd_gnt_i,
  output logic [QuadW-1:0]               wgt_rd_quad_o,
  output logic [2:0]                     wgt_rd_nq_o,
  input  logic                           wgt_rvalid_i,
  input  logic [16*LineW-1:0]            wgt_rdata_i,  // quad q at [q*4*LineW +: 4*LineW]
  // rows whose last beat was written this cycle (0..NumLanes)
  output logic [RowCntW-1:0]             row_done_o,
  output logic [CntW-1:0]                cnt_pruned_o
);

  logic [NumLanes-1:0]          l_rd_req, l_rs_req, l_wr_req, l_w_req, l_w_gnt;
  logic [NumLanes-1:0]          l_run, l_last, l_rdone;
  logic [NumLanes*ActAddrW-1:0] l_rd_addr, l_rs_addr, l_wr_addr;
  logic [NumLanes*LineW-1:0]    l_wr_data;
  logic [NumLanes*Width-1:0]    l_wr_mask;
  logic [NumLanes*QuadW-1:0]    l_w_quad;
  logic [NumLanes*3-1:0]        l_w_nq;
  logic [NumLanes*PrunW-1:0]    l_prun;
  logic [NumLanes-1:0]          rs_gnt, rs_rvalid;
  logic [NumLanes*LineW-1:0]    rs_rdata;
  logic                         run_d, run_q, done_d, done_q;
  logic [CntW-1:0]              cprun_d, cprun_q;
  // weight port: round-robin pointer and this cycle's lane
  logic [LaneW-1:0]             wp_d, wp_q, wsel;
  logic                         wany;

  // the residual ports' grants and data: read port NumLanes + k (dual)
  always_comb begin
    rs_gnt    = '0;
    rs_rvalid = '0;
    rs_rdata  = '0;
    if (DualRd) begin
      rs_gnt    = NumLanes'(act_rd_gnt_i >> NumLanes);
      rs_rvalid = NumLanes'(act_rvalid_i >> NumLanes);
      rs_rdata  = (NumLanes*LineW)'(act_rdata_i >> (NumLanes * LineW));
    end
  end

  for (genvar k = 0; k < NumLanes; k++) begin : g_lane
    acceltran_ln_lane #(
      .ActAddrW (ActAddrW),
      .WgtAddrW (WgtAddrW),
      .NumUnits (LaneUnits),
      .NumLanes (NumLanes),
      .Lane     (k),
      .DualRd   (DualRd),
      .ParDepth (ParDepth),
      .MaxNq    (MaxNq),
      .MinNq    (MinNq)
    ) u_lane (
      .clk_i         (clk_i),
      .rst_ni        (rst_ni),
      .start_i       (start_i),
      .desc_i        (desc_i),
      .act_rd_req_o  (l_rd_req[k]),
      .act_rd_gnt_i  (act_rd_gnt_i[k]),
      .act_rd_addr_o (l_rd_addr[k*ActAddrW +: ActAddrW]),
      .act_rvalid_i  (act_rvalid_i[k]),
      .act_rdata_i   (act_rdata_i[k*LineW +: LineW]),
      .res_rd_req_o  (l_rs_req[k]),
      .res_rd_gnt_i  (rs_gnt[k]),
      .res_rd_addr_o (l_rs_addr[k*ActAddrW +: ActAddrW]),
      .res_rvalid_i  (rs_rvalid[k]),
      .res_rdata_i   (rs_rdata[k*LineW +: LineW]),
      .act_wr_req_o  (l_wr_req[k]),
      .act_wr_gnt_i  (act_wr_gnt_i[k]),
      .act_wr_addr_o (l_wr_addr[k*ActAddrW +: ActAddrW]),
      .act_wr_data_o (l_wr_data[k*LineW +: LineW]),
      .act_wr_mask_o (l_wr_mask[k*Width +: Width]),
      .wgt_rd_req_o  (l_w_req[k]),
      .wgt_rd_gnt_i  (l_w_gnt[k]),
      .wgt_rd_quad_o (l_w_quad[k*QuadW +: QuadW]),
      .wgt_rd_nq_o   (l_w_nq[k*3 +: 3]),
      .wgt_rvalid_i  (wgt_rvalid_i),
      .wgt_rdata_i   (wgt_rdata_i),
      .run_o         (l_run[k]),
      .last_o        (l_last[k]),
      .row_done_o    (l_rdone[k]),
      .pruned_o      (l_prun[k*PrunW +: PrunW])
    );
  end

  // the activation ports: lane k's x on read port k (and its residual on
  // read port NumLanes + k, dual), its writes on write port k
  always_comb begin
    act_rd_req_o  = '0;
    act_rd_addr_o = '0;
    act_wr_req_o  = '0;
    act_wr_addr_o = '0;
    act_wr_data_o = '0;
    act_wr_mask_o = '0;
    act_rd_req_o[NumLanes-1:0]           = l_rd_req;
    act_rd_addr_o[NumLanes*ActAddrW-1:0] = l_rd_addr;
    if (DualRd) begin
      for (int k = 0; k < NumLanes; k++) begin
        act_rd_req_o[(NumLanes + k) % NumRdPorts] = l_rs_req[k];
        act_rd_addr_o[((NumLanes + k) % NumRdPorts)*ActAddrW +: ActAddrW] =
            l_rs_addr[k*ActAddrW +: ActAddrW];
      end
    end
    act_wr_req_o[NumLanes-1:0]           = l_wr_req;
    act_wr_addr_o[NumLanes*ActAddrW-1:0] = l_wr_addr;
    act_wr_data_o[NumLanes*LineW-1:0]    = l_wr_data;
    act_wr_mask_o[NumLanes*Width-1:0]    = l_wr_mask;
  end

  // the weight port: the first asking lane at or after the pointer, which
  // then moves past it when granted (each lane takes the data of its own
  // read: its quads in flight)
  always_comb begin
    wany = 1'b0;
    wsel = wp_q;
    for (int j = 0; j < NumLanes; j++) begin
      logic [LaneW-1:0] k;
      k = LaneW'((32'(wp_q) + j) % NumLanes);
      if (!wany && l_w_req[k]) begin
        wany = 1'b1;
        wsel = k;
      end
    end
    wgt_rd_req_o  = wany;
    wgt_rd_quad_o = l_w_quad[32'(wsel)*QuadW +: QuadW];
    wgt_rd_nq_o   = l_w_nq[32'(wsel)*3 +: 3];
  end

  // kept apart from the request: the grant goes to the lane selected
  always_comb begin
    l_w_gnt       = '0;
    wp_d          = wp_q;
    if (wany && wgt_rd_gnt_i) begin
      l_w_gnt[wsel] = 1'b1;
      wp_d = LaneW'((32'(wsel) + 1) % NumLanes);
    end
    if (start_i && !run_q) begin
      wp_d = '0;
    end
  end

  // done: every lane's last write granted (a lane without rows never runs)
  always_comb begin
    run_d  = run_q;
    done_d = 1'b0;
    if (run_q && ((l_run & ~l_last) == '0)) begin
      run_d  = 1'b0;
      done_d = 1'b1;
    end
    if (start_i && !run_q) begin
      run_d = 1'b1;
    end
  end

  always_comb begin
    cprun_d    = cprun_q;
    row_done_o = '0;
    for (int k = 0; k < NumLanes; k++) begin
      cprun_d    = cprun_d + CntW'(l_prun[k*PrunW +: PrunW]);
      row_done_o = row_done_o + RowCntW'(l_rdone[k]);
    end
  end
  assign cnt_pruned_o = cprun_q;

  // the ports past the lanes' are idle
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ports;
  /* verilator lint_on UNUSEDSIGNAL */
  assign unused_ports = ^{act_rd_gnt_i, act_rvalid_i, act_rdata_i, act_wr_gnt_i};

  assign busy_o = run_q || done_q;
  assign done_o = done_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q   <= 1'b0;
      done_q  <= 1'b0;
      wp_q    <= '0;
      cprun_q <= '0;
    end else begin
      run_q   <= run_d;
      done_q  <= done_d;
      wp_q    <= wp_d;
      cprun_q <= cprun_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  `AT_ASSERT(LnEngStartIdle_A, start_i |-> !busy_o)
  `AT_ASSERT(LnEngDescStable_A, busy_o && $past(busy_o) |-> $stable(desc_i))
  // the lanes run only inside the command; the weight grant goes to one
  // asking lane
  `AT_ASSERT(LnEngLaneRun_A, (|l_run) |-> run_q)
  `AT_ASSERT(LnEngWgtGnt_A, $onehot0(l_w_gnt) && ((l_w_gnt & ~l_w_req) == '0))

  if ((NumLanes > NumRdPorts) || (NumLanes > NumWrPorts) || (NumUnits % NumLanes != 0) ||
      (NumLanes > 31)) begin : g_bad_lanes
    $error("acceltran_ln_engine: lanes must divide the units and fit the ports");
  end

endmodule
