// SOFTMAX command engine (docs/isa.md SOFTMAX, docs/rtl-softmax.md
// "Engine: lanes"): NumUnits acceltran_softmax units in NumLanes lanes
// (acceltran_smx_lane), lane k on activation read port k and write port k,
// so that the lanes stream side by side through the scratchpad's banks.
// NumLanes is the largest power of two that divides NumUnits and is at
// most both port counts (tiny, one port each: 1 lane, the engine of one
// port pair; edge and server: one lane per unit). Lane k runs the rows r
// with r mod NumLanes == k, in order, on its NumUnits / NumLanes units:
// row r runs on unit r mod NumUnits as with one lane. Per row: its length
// (SMX_LEN, or element r mod 16 of activation line LENS + r/16), a check
// 1..N, ceil(len/16) source line reads and ceil(N/16) output beats written
// to DST + r*LDD + b after DynaTran (y <= SMX_TAU -> 0), mask bit =
// (element != 0). Pruned elements among the row's len valid columns are
// counted in cnt_pruned_o when the beat's write is granted. With LEN_VEC a
// lane looks at its next row's length only once every row before it is
// known good (go, from the lanes' nv), so a bad length at row r (the
// command stops with err_o, detail 0x10000 + r) comes after the rows
// before it are written and before any row after it is read. row_done_o
// counts the rows whose last output beat is written this cycle
// (CNT_SMX_ROWS); done_o pulses once every lane's last write is granted.
`include "acceltran_assert.svh"

module acceltran_smx_engine #(
  parameter int unsigned ActAddrW   = 11,
  parameter int unsigned CntW       = 48,
  parameter int unsigned NumUnits   = acceltran_pkg::NumSoftmaxUnits,
  parameter int unsigned NumRdPorts = acceltran_pkg::NumPeRows,
  parameter int unsigned NumWrPorts = acceltran_pkg::NumOutLanes,
  localparam int unsigned Width  = acceltran_pkg::TileSize,
  localparam int unsigned LineW  = Width * 16,
  localparam int unsigned NP     = (NumRdPorts < NumWrPorts) ? NumRdPorts : NumWrPorts,
  // lanes: the largest power of two (at most 16) dividing NumUnits and at
  // most both port counts
  localparam int unsigned NumLanes = ((NP >= 16) && (NumUnits % 16 == 0)) ? 16 :
                                     ((NP >= 8) && (NumUnits % 8 == 0)) ? 8 :
                                     ((NP >= 4) && (NumUnits % 4 == 0)) ? 4 :
                                     ((NP >= 2) && (NumUnits % 2 == 0)) ? 2 : 1,
  localparam int unsigned LaneUnits = NumUnits / NumLanes,
  localparam int unsigned PrunW     = $clog2(Width + 1),
  localparam int unsigned RowCntW   = 5
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           start_i,
  input  logic [511:0]                   desc_i,
  output logic                           done_o,
  output logic                           err_o,
  output logic [31:0]                    err_detail_o,
  output logic                           busy_o,
  // the compute engine's activation ports: lane k on read port k and write
  // port k, the others idle
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
  // rows whose last beat was written this cycle (0..NumLanes)
  output logic [RowCntW-1:0]             row_done_o,
  output logic [CntW-1:0]                cnt_pruned_o
);

  logic f_lenvec;
  assign f_lenvec = desc_i[acceltran_pkg::DescSmxLenVecWord*32 + acceltran_pkg::DescSmxLenVecLsb];

  logic [NumLanes-1:0]       l_go, l_quiet, l_err, l_fin, l_busy, l_rdone;
  logic [NumLanes-1:0]       l_rd_req, l_wr_req;
  logic [NumLanes*17-1:0]    l_row, l_nv;
  logic [NumLanes*32-1:0]    l_det;
  logic [NumLanes*PrunW-1:0] l_prun;
  logic [NumLanes*ActAddrW-1:0] l_rd_addr, l_wr_addr;
  logic [NumLanes*LineW-1:0] l_wr_data;
  logic [NumLanes*Width-1:0] l_wr_mask;
  logic                      stop;
  logic                      err_d, err_q, done_d, done_q;
  logic [31:0]               det_d, det_q;
  logic [CntW-1:0]           cprun_d, cprun_q;

  for (genvar k = 0; k < NumLanes; k++) begin : g_lane
    acceltran_smx_lane #(
      .ActAddrW (ActAddrW),
      .NumUnits (LaneUnits),
      .NumLanes (NumLanes),
      .Lane     (k)
    ) u_lane (
      .clk_i         (clk_i),
      .rst_ni        (rst_ni),
      .start_i       (start_i),
      .desc_i        (desc_i),
      .go_i          (l_go[k]),
      .stop_i        (stop),
      .act_rd_req_o  (l_rd_req[k]),
      .act_rd_gnt_i  (act_rd_gnt_i[k]),
      .act_rd_addr_o (l_rd_addr[k*ActAddrW +: ActAddrW]),
      .act_rvalid_i  (act_rvalid_i[k]),
      .act_rdata_i   (act_rdata_i[k*LineW +: LineW]),
      .act_wr_req_o  (l_wr_req[k]),
      .act_wr_gnt_i  (act_wr_gnt_i[k]),
      .act_wr_addr_o (l_wr_addr[k*ActAddrW +: ActAddrW]),
      .act_wr_data_o (l_wr_data[k*LineW +: LineW]),
      .act_wr_mask_o (l_wr_mask[k*Width +: Width]),
      .row_o         (l_row[k*17 +: 17]),
      .nv_o          (l_nv[k*17 +: 17]),
      .quiet_o       (l_quiet[k]),
      .err_o         (l_err[k]),
      .err_detail_o  (l_det[k*32 +: 32]),
      .fin_o         (l_fin[k]),
      .busy_o        (l_busy[k]),
      .row_done_o    (l_rdone[k]),
      .pruned_o      (l_prun[k*PrunW +: PrunW])
    );
  end

  // LEN_VEC: lane k looks at its row's length once every other lane's
  // first row of unknown length is past it
  always_comb begin
    for (int k = 0; k < NumLanes; k++) begin
      l_go[k] = 1'b1;
      for (int j = 0; j < NumLanes; j++) begin
        if ((j != k) && (l_nv[j*17 +: 17] < l_row[k*17 +: 17])) begin
          l_go[k] = 1'b0;
        end
      end
      if (!f_lenvec) begin
        l_go[k] = 1'b1;
      end
    end
  end

  // the ports: lane k's on read port k and write port k
  always_comb begin
    act_rd_req_o  = '0;
    act_rd_addr_o = '0;
    act_wr_req_o  = '0;
    act_wr_addr_o = '0;
    act_wr_data_o = '0;
    act_wr_mask_o = '0;
    act_rd_req_o[NumLanes-1:0]               = l_rd_req;
    act_rd_addr_o[NumLanes*ActAddrW-1:0]     = l_rd_addr;
    act_wr_req_o[NumLanes-1:0]               = l_wr_req;
    act_wr_addr_o[NumLanes*ActAddrW-1:0]     = l_wr_addr;
    act_wr_data_o[NumLanes*LineW-1:0]        = l_wr_data;
    act_wr_mask_o[NumLanes*Width-1:0]        = l_wr_mask;
  end

  // done: every lane's rows written; error: a lane's bad row with its rows
  // before it written and every other lane quiet (so every row before the
  // bad one is written and none after it started)
  always_comb begin
    done_d = &l_fin;
    err_d  = 1'b0;
    det_d  = det_q;
    for (int k = 0; k < NumLanes; k++) begin
      logic others;
      others = 1'b1;
      for (int j = 0; j < NumLanes; j++) begin
        if ((j != k) && !l_quiet[j]) begin
          others = 1'b0;
        end
      end
      if (l_err[k] && others) begin
        err_d = 1'b1;
        det_d = l_det[k*32 +: 32];
      end
    end
  end
  assign stop = done_d || err_d;

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

  assign busy_o       = |l_busy;
  assign done_o       = done_q;
  assign err_o        = err_q;
  assign err_detail_o = det_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_q   <= 1'b0;
      done_q  <= 1'b0;
      det_q   <= '0;
      cprun_q <= '0;
    end else begin
      err_q   <= err_d;
      done_q  <= done_d;
      det_q   <= det_d;
      cprun_q <= cprun_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  `AT_ASSERT(SmxEngStartIdle_A, start_i |-> !busy_o)
  `AT_ASSERT(SmxEngDescStable_A, busy_o && $past(busy_o) |-> $stable(desc_i))
  // the command ends once: done and error exclude each other
  `AT_ASSERT(SmxEngDoneErr_A, !(done_d && err_d))
  // at most one lane waits on a bad length (the first: the later ones are
  // held before their rows by go)
  `AT_ASSERT(SmxEngOneErr_A, $onehot0(l_err))

  if ((NumLanes > NumRdPorts) || (NumLanes > NumWrPorts) || (NumUnits % NumLanes != 0) ||
      (NumLanes > 31)) begin : g_bad_lanes
    $error("acceltran_smx_engine: lanes must divide the units and fit the ports");
  end

endmodule
