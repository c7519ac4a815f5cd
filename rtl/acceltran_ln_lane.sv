// One lane of the LAYERNORM engine (acceltran_ln_engine,
// docs/rtl-layernorm.md "Engine: lanes"): the rows r = Lane, Lane +
// NumLanes, ... of a command (r mod NumLanes == Lane), in order, through
// NumUnits acceltran_layernorm units (the lane's j-th row on its unit
// j mod NumUnits, i.e. row r on the engine's unit r mod (NumUnits *
// NumLanes)); rows enter and leave the units in order, so at most NumUnits
// rows of the lane are in flight. Independent pointers, each steering to
// the unit of its row:
// - cfg: row r's configuration when its unit is idle (the lane's row
//   before, on the same unit, written);
// - x/res reads: lines SRC + r*LDS + b (and RES + r*LDR + b) into 3-entry
//   FIFOs (rows in order, so the next row's first beats are prefetched).
//   One read port (DualRd = 0): x and res alternate on the x port; two
//   (DualRd = 1): x on the x port, res on the res port, each at its own
//   pace;
// - parameter reads: weight quads PARAMS/4 + b (gamma = line 0, beta =
//   lines 1-2), one per beat of every row, into a ParDepth-entry FIFO. A
//   read takes up to MaxNq consecutive quads of the row (the weight port
//   returns up to 4) and is asked for when at least min(MinNq, quads left
//   in the row) fit; acceltran_ln_engine shares the one weight port among
//   the lanes (round-robin). MaxNq = MinNq = 1, ParDepth = 3: one quad a
//   read, as the engine of one lane does;
// - outputs: DST + r*LDD + b after DynaTran (|y| <= LN_TAU -> 0), mask bit
//   = (element != 0) on the lane's write port; pruned_o: the pruned
//   elements among the N columns of the beat written this cycle;
//   row_done_o when a row's last beat is written.
// With NumLanes = 1, DualRd = 0 and the one-quad parameter reads this is
// the whole engine of one read and one write port, cycle for cycle.
`include "acceltran_assert.svh"

module acceltran_ln_lane #(
  parameter int unsigned ActAddrW = 11,
  parameter int unsigned WgtAddrW = 11,
  parameter int unsigned NumUnits = 2,   // units of this lane
  parameter int unsigned NumLanes = 1,   // lanes of the engine: a power of two
  parameter int unsigned Lane     = 0,   // this lane: rows r with r mod NumLanes == Lane
  parameter bit          DualRd   = 1'b0,
  parameter int unsigned ParDepth = 3,
  parameter int unsigned MaxNq    = 1,
  parameter int unsigned MinNq    = 1,
  localparam int unsigned LaneW = (NumLanes > 1) ? $clog2(NumLanes) : 0,
  localparam int unsigned UnitW = (NumUnits > 1) ? $clog2(NumUnits) : 1,
  localparam int unsigned Width = acceltran_pkg::TileSize,
  localparam int unsigned MaxN  = acceltran_pkg::MaxHidden,
  localparam int unsigned NW    = $clog2(MaxN + 1),
  localparam int unsigned LineW = Width * 16,
  localparam int unsigned QuadW = WgtAddrW - 2,
  localparam int unsigned PrunW = $clog2(Width + 1),
  localparam int unsigned PcW   = $clog2(ParDepth + 1),
  // read FIFOs: 3 entries let one read per cycle stream (the entry being
  // taken, the one arriving, the one requested); 2 gave 2 beats per 3 cycles
  localparam int unsigned FifoDepth = 3
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic [511:0]        desc_i,
  // x port (and res, with one read port)
  output logic                act_rd_req_o,
  input  logic                act_rd_gnt_i,
  output logic [ActAddrW-1:0] act_rd_addr_o,
  input  logic                act_rvalid_i,
  input  logic [LineW-1:0]    act_rdata_i,
  // res port (DualRd; else idle)
  output logic                res_rd_req_o,
  input  logic                res_rd_gnt_i,
  output logic [ActAddrW-1:0] res_rd_addr_o,
  input  logic                res_rvalid_i,
  input  logic [LineW-1:0]    res_rdata_i,
  output logic                act_wr_req_o,
  input  logic                act_wr_gnt_i,
  output logic [ActAddrW-1:0] act_wr_addr_o,
  output logic [LineW-1:0]    act_wr_data_o,
  output logic [Width-1:0]    act_wr_mask_o,
  output logic                wgt_rd_req_o,
  input  logic                wgt_rd_gnt_i,
  output logic [QuadW-1:0]    wgt_rd_quad_o,
  output logic [2:0]          wgt_rd_nq_o,
  input  logic                wgt_rvalid_i,   // the data of this lane's read
  input  logic [16*LineW-1:0] wgt_rdata_i,   // quad q at [q*4*LineW +: 4*LineW]
  // the lane's rows run (from start_i to its last row's last write)
  output logic                run_o,
  // this cycle's write is the lane's last
  output logic                last_o,
  output logic                row_done_o,
  output logic [PrunW-1:0]    pruned_o
);

  logic                f_res;
  logic [ActAddrW-1:0] d_src, d_lds, d_dst, d_ldd, d_res, d_ldr;
  logic [QuadW-1:0]    d_pq;
  logic [15:0]         d_rows, d_n, d_om;
  logic [5:0]          d_os;
  logic [61:0]         d_eps;
  logic [6:0]          nb;   // beats per row, 1..64
  logic [acceltran_pkg::DescLnTauWidth-1:0] d_tau;
  logic [15:0]         l_rows;  // rows of this lane
  always_comb begin
    f_res = desc_i[acceltran_pkg::DescLnResidualWord*32 + acceltran_pkg::DescLnResidualLsb];
    d_src = desc_i[acceltran_pkg::DescLnSrcWord*32 + acceltran_pkg::DescLnSrcLsb +: ActAddrW];
    d_lds = desc_i[acceltran_pkg::DescLnLdsWord*32 + acceltran_pkg::DescLnLdsLsb +: ActAddrW];
    d_dst = desc_i[acceltran_pkg::DescLnDstWord*32 + acceltran_pkg::DescLnDstLsb +: ActAddrW];
    d_ldd = desc_i[acceltran_pkg::DescLnLddWord*32 + acceltran_pkg::DescLnLddLsb +: ActAddrW];
    d_res = desc_i[acceltran_pkg::DescLnResWord*32 + acceltran_pkg::DescLnResLsb +: ActAddrW];
    d_ldr = desc_i[acceltran_pkg::DescLnLdrWord*32 + acceltran_pkg::DescLnLdrLsb +: ActAddrW];
    d_pq  = desc_i[acceltran_pkg::DescLnParamsWord*32 + acceltran_pkg::DescLnParamsLsb + 2 +: QuadW];
    d_rows = desc_i[acceltran_pkg::DescLnRowsWord*32 + acceltran_pkg::DescLnRowsLsb +: 16];
    d_n    = desc_i[acceltran_pkg::DescLnNWord*32 + acceltran_pkg::DescLnNLsb +: 16];
    d_om   = desc_i[acceltran_pkg::DescLnOutMWord*32 + acceltran_pkg::DescLnOutMLsb +: 16];
    d_os   = desc_i[acceltran_pkg::DescLnOutSWord*32 + acceltran_pkg::DescLnOutSLsb +: 6];
    d_eps  = {desc_i[acceltran_pkg::DescLnEpsHiWord*32 + acceltran_pkg::DescLnEpsHiLsb +: 30],
              desc_i[acceltran_pkg::DescLnEpsLoWord*32 + acceltran_pkg::DescLnEpsLoLsb +: 32]};
    d_tau  = desc_i[acceltran_pkg::DescLnTauWord*32 + acceltran_pkg::DescLnTauLsb +:
                    acceltran_pkg::DescLnTauWidth];
    nb     = 7'((32'(d_n) + Width - 1) / Width);
    l_rows = (32'(d_rows) > Lane) ? 16'(((32'(d_rows) - Lane - 1) >> LaneW) + 1) : 16'd0;
  end

  logic run_d, run_q;
  // row (of the lane), beat and unit of the cfg, pass-1, parameter and
  // output pointers: one acceltran_row_cursor each
  logic [UnitW-1:0] uc, ui, up, uo;
  // cfg pointer
  logic [15:0] rc;
  logic        cfg_valid, cfg_ready, cfg_fire;
  logic [15:0] rows_infl;  // rows configured and not yet written
  // pass-1 and parameter consumers: row and beat of the FIFO heads
  logic [15:0] ri, rq;
  logic [6:0]  bi, bq;
  // x/res read pointer (one port); x pointer (two ports)
  logic [15:0]         rx_d, rx_q;
  logic [6:0]          bx_d, bx_q;
  logic                ph_d, ph_q;           // 0: x read next, 1: res read next
  logic [ActAddrW-1:0] xrow_d, xrow_q, rrow_d, rrow_q;
  logic [1:0]          infl_d, infl_q;       // read in flight on the x port: 0 none, 1 x, 2 res
  // res pointer (two ports)
  logic [15:0]         rr_d, rr_q;
  logic [6:0]          br_d, br_q;
  logic                rinfl_d, rinfl_q;     // read in flight on the res port
  logic [1:0]          xc_d, xc_q, rcn_d, rcn_q;
  logic [FifoDepth*LineW-1:0] xm_d, xm_q, rm_d, rm_q;
  logic                in_valid, in_ready, in_fire;
  logic                x_push, r_push;
  logic [LineW-1:0]    r_data;
  // parameter pointer
  logic [15:0]         rp_d, rp_q;
  logic [6:0]          bp_d, bp_q;
  logic [2:0]          pinfl_d, pinfl_q;     // quads in flight
  logic [PcW-1:0]      pc_d, pc_q;
  logic [ParDepth*3*LineW-1:0] pm_d, pm_q;   // gamma + beta (3 lines) per entry
  logic                par_valid, par_ready, par_fire;
  logic [7:0]          p_room, p_left, p_nq;
  // outputs
  logic [15:0]         ro;
  logic [6:0]          bo;
  logic [ActAddrW-1:0] orow_d, orow_q;
  logic                out_valid, out_ready, out_fire, out_last;
  logic [LineW-1:0]    out_y;
  // DynaTran on the output beat
  logic [Width-1:0]    prune;

  logic [NumUnits-1:0]       u_cfg_valid, u_cfg_ready, u_in_valid, u_in_ready;
  logic [NumUnits-1:0]       u_par_valid, u_par_ready, u_out_valid, u_out_ready;
  logic [NumUnits*LineW-1:0] u_out_y;
  // the units' busy and last flags are implied by the beat counts
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NumUnits-1:0]       u_busy, u_out_last;
  /* verilator lint_on UNUSEDSIGNAL */

  for (genvar u = 0; u < NumUnits; u++) begin : g_unit
    acceltran_layernorm #(
      .Width (Width),
      .MaxN  (MaxN)
    ) u_ln (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .cfg_valid_i  (u_cfg_valid[u]),
      .cfg_ready_o  (u_cfg_ready[u]),
      .cfg_n_i      (d_n[NW-1:0]),
      .cfg_res_en_i (f_res),
      .cfg_eps_q_i  (d_eps),
      .cfg_out_m_i  (d_om),
      .cfg_out_s_i  (d_os),
      .in_valid_i   (u_in_valid[u]),
      .in_ready_o   (u_in_ready[u]),
      .in_x_i       (xm_q[0 +: LineW]),
      .in_res_i     (rm_q[0 +: LineW]),
      .par_valid_i  (u_par_valid[u]),
      .par_ready_o  (u_par_ready[u]),
      .par_gamma_i  (pm_q[0 +: LineW]),
      .par_beta_i   (pm_q[LineW +: 2*LineW]),
      .out_valid_o  (u_out_valid[u]),
      .out_ready_i  (u_out_ready[u]),
      .out_y_o      (u_out_y[u*LineW +: LineW]),
      .out_last_o   (u_out_last[u]),
      .busy_o       (u_busy[u])
    );
    // a row enters its unit only once configured there (ri, rq < rc)
    assign u_cfg_valid[u] = cfg_valid && (uc == UnitW'(u));
    assign u_in_valid[u]  = in_valid && (ui == UnitW'(u)) && (ri != rc);
    assign u_par_valid[u] = par_valid && (up == UnitW'(u)) && (rq != rc);
    assign u_out_ready[u] = out_ready && (uo == UnitW'(u));
  end

  // the selected units' handshakes (constant selects under a compare)
  always_comb begin
    cfg_ready = 1'b0;
    in_ready  = 1'b0;
    par_ready = 1'b0;
    out_valid = 1'b0;
    out_y     = '0;
    for (int u = 0; u < NumUnits; u++) begin
      if (uc == UnitW'(u)) begin
        cfg_ready = u_cfg_ready[u];
      end
      if (ui == UnitW'(u)) begin
        in_ready = u_in_ready[u] && (ri != rc);
      end
      if (up == UnitW'(u)) begin
        par_ready = u_par_ready[u] && (rq != rc);
      end
      if (uo == UnitW'(u)) begin
        out_valid = u_out_valid[u];
        out_y     = u_out_y[u*LineW +: LineW];
      end
    end
  end

  // at most NumUnits rows in flight: row rc's unit finished the lane's row
  // rc - NumUnits
  assign rows_infl = rc - ro;
  assign cfg_valid = run_q && (rc != l_rows) && (32'(rows_infl) < NumUnits);
  assign cfg_fire  = cfg_valid && cfg_ready;
  assign in_valid  = (xc_q != 2'd0) && (!f_res || (rcn_q != 2'd0));
  assign in_fire   = in_valid && in_ready;
  assign par_valid = (pc_q != '0);
  assign par_fire  = par_valid && par_ready;
  assign out_fire  = out_valid && act_wr_gnt_i;
  assign out_last  = (bo == nb - 7'd1);

  // the pointers' rows, beats and units
  logic cur_clr;
  assign cur_clr = start_i && !run_q;
  // the cfg pointer moves a whole row at a time: its beat is always 0
  /* verilator lint_off PINCONNECTEMPTY */
  acceltran_row_cursor #(
    .NumUnits (NumUnits),
    .RowW     (16),
    .BeatW    (1)
  ) u_cur_cfg (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (cur_clr),
    .step_i  (cfg_fire),
    .last_i  (1'b1),
    .row_o   (rc),
    .beat_o  (),
    .unit_o  (uc)
  );
  /* verilator lint_on PINCONNECTEMPTY */
  acceltran_row_cursor #(
    .NumUnits (NumUnits),
    .RowW     (16),
    .BeatW    (7)
  ) u_cur_in (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (cur_clr),
    .step_i  (in_fire),
    .last_i  (bi == nb - 7'd1),
    .row_o   (ri),
    .beat_o  (bi),
    .unit_o  (ui)
  );
  acceltran_row_cursor #(
    .NumUnits (NumUnits),
    .RowW     (16),
    .BeatW    (7)
  ) u_cur_par (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (cur_clr),
    .step_i  (par_fire),
    .last_i  (bq == nb - 7'd1),
    .row_o   (rq),
    .beat_o  (bq),
    .unit_o  (up)
  );
  acceltran_row_cursor #(
    .NumUnits (NumUnits),
    .RowW     (16),
    .BeatW    (7)
  ) u_cur_out (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (cur_clr),
    .step_i  (out_fire),
    .last_i  (out_last),
    .row_o   (ro),
    .beat_o  (bo),
    .unit_o  (uo)
  );

  // parameter read size: what fits, up to MaxNq quads of the row
  always_comb begin
    p_room = 8'(ParDepth) - 8'(pc_q) - 8'(pinfl_q);
    p_left = 8'(nb) - 8'(bp_q);
    p_nq   = (p_room < p_left) ? p_room : p_left;
    if (p_nq > 8'(MaxNq)) begin
      p_nq = 8'(MaxNq);
    end
  end

  // requests (kept apart from the grant-dependent pointer updates)
  always_comb begin
    act_rd_req_o  = 1'b0;
    res_rd_req_o  = 1'b0;
    res_rd_addr_o = rrow_q + ActAddrW'(br_q);
    if (DualRd) begin
      act_rd_addr_o = xrow_q + ActAddrW'(bx_q);
      if (run_q && (rx_q != l_rows)) begin
        act_rd_req_o = (32'(xc_q) + 32'(infl_q == 2'd1)) < FifoDepth;
      end
      if (run_q && f_res && (rr_q != l_rows)) begin
        res_rd_req_o = (32'(rcn_q) + 32'(rinfl_q)) < FifoDepth;
      end
    end else begin
      act_rd_addr_o = ph_q ? (rrow_q + ActAddrW'(bx_q)) : (xrow_q + ActAddrW'(bx_q));
      if (run_q && (rx_q != l_rows)) begin
        if (!ph_q) begin
          act_rd_req_o = (32'(xc_q) + 32'(infl_q == 2'd1)) < FifoDepth;
        end else begin
          act_rd_req_o = (32'(rcn_q) + 32'(infl_q == 2'd2)) < FifoDepth;
        end
      end
    end
    wgt_rd_req_o  = run_q && (rp_q != l_rows) && (p_nq != 8'd0) &&
                    (32'(p_nq) >= ((32'(p_left) < MinNq) ? 32'(p_left) : MinNq));
    wgt_rd_quad_o = d_pq + QuadW'(bp_q);
    wgt_rd_nq_o   = 3'(p_nq);
    act_wr_req_o  = out_valid;
    act_wr_addr_o = orow_q + ActAddrW'(bo);
    // DynaTran: |y| as u16 (|-32768| = 32768 > any tau, never pruned);
    // LN_TAU = 0 prunes exact zeros only. A kept element is non-zero, so
    // mask bit = !prune = (element != 0).
    for (int j = 0; j < Width; j++) begin
      logic [15:0] y, ay;
      y        = out_y[j*16 +: 16];
      ay       = y[15] ? 16'(-y) : y;
      prune[j] = ay <= 16'(d_tau);
      act_wr_data_o[j*16 +: 16] = prune[j] ? 16'd0 : y;
      act_wr_mask_o[j] = !prune[j];
    end
  end
  assign out_ready = act_wr_gnt_i;

  // pruned elements of the beat written: columns < N (the padding lanes
  // are 0, not counted)
  always_comb begin
    pruned_o = '0;
    if (out_fire) begin
      for (int j = 0; j < Width; j++) begin
        pruned_o = pruned_o + PrunW'(prune[j] && ((32'(bo) * Width + j) < 32'(d_n)));
      end
    end
  end

  always_comb begin
    run_d  = run_q;
    // x / residual reads
    rx_d    = rx_q;
    bx_d    = bx_q;
    ph_d    = ph_q;
    xrow_d  = xrow_q;
    rrow_d  = rrow_q;
    infl_d  = 2'd0;
    rr_d    = rr_q;
    br_d    = br_q;
    rinfl_d = 1'b0;
    if (act_rd_req_o && act_rd_gnt_i) begin
      infl_d = ph_q ? 2'd2 : 2'd1;
      if (!DualRd && f_res && !ph_q) begin
        ph_d = 1'b1;
      end else begin
        ph_d = 1'b0;
        bx_d = bx_q + 7'd1;
        if (bx_q == nb - 7'd1) begin
          bx_d   = '0;
          rx_d   = rx_q + 16'd1;
          xrow_d = xrow_q + ActAddrW'(32'(d_lds) << LaneW);
          if (!DualRd) begin
            rrow_d = rrow_q + ActAddrW'(32'(d_ldr) << LaneW);
          end
        end
      end
    end
    if (DualRd && res_rd_req_o && res_rd_gnt_i) begin
      rinfl_d = 1'b1;
      br_d    = br_q + 7'd1;
      if (br_q == nb - 7'd1) begin
        br_d   = '0;
        rr_d   = rr_q + 16'd1;
        rrow_d = rrow_q + ActAddrW'(32'(d_ldr) << LaneW);
      end
    end
    // parameter reads
    rp_d    = rp_q;
    bp_d    = bp_q;
    pinfl_d = 3'd0;
    if (wgt_rd_req_o && wgt_rd_gnt_i) begin
      pinfl_d = 3'(p_nq);
      bp_d    = bp_q + 7'(p_nq);
      if (8'(bp_q) + p_nq == 8'(nb)) begin
        bp_d = '0;
        rp_d = rp_q + 16'd1;
      end
    end
    // outputs
    orow_d = orow_q;
    if (out_fire && out_last) begin
      orow_d = orow_q + ActAddrW'(32'(d_ldd) << LaneW);
      if (ro == l_rows - 16'd1) begin
        run_d = 1'b0;
      end
    end
    if (start_i && !run_q) begin
      run_d  = (l_rows != 16'd0);
      rx_d   = '0;
      bx_d   = '0;
      ph_d   = 1'b0;
      rr_d   = '0;
      br_d   = '0;
      xrow_d = d_src + ActAddrW'(32'(d_lds) * Lane);
      rrow_d = d_res + ActAddrW'(32'(d_ldr) * Lane);
      rp_d   = '0;
      bp_d   = '0;
      orow_d = d_dst + ActAddrW'(32'(d_ldd) * Lane);
    end
  end

  assign x_push = act_rvalid_i && (infl_q == 2'd1);
  assign r_push = DualRd ? (res_rvalid_i && rinfl_q) : (act_rvalid_i && (infl_q == 2'd2));
  assign r_data = DualRd ? res_rdata_i : act_rdata_i;

  // FIFOs (entry 0 is the head)
  always_comb begin
    xm_d = xm_q;
    xc_d = xc_q;
    rm_d = rm_q;
    rcn_d = rcn_q;
    pm_d = pm_q;
    pc_d = pc_q;
    if (in_fire) begin
      xm_d = xm_q >> LineW;
      xc_d = xc_q - 2'd1;
      if (f_res) begin
        rm_d = rm_q >> LineW;
        rcn_d = rcn_q - 2'd1;
      end
    end
    if (x_push) begin
      xm_d[32'(xc_d)*LineW +: LineW] = act_rdata_i;
      xc_d = xc_d + 2'd1;
    end
    if (r_push) begin
      rm_d[32'(rcn_d)*LineW +: LineW] = r_data;
      rcn_d = rcn_d + 2'd1;
    end
    if (par_fire) begin
      pm_d = pm_q >> (3*LineW);
      pc_d = pc_q - 1'b1;
    end
    if (wgt_rvalid_i) begin
      for (int q = 0; q < MaxNq; q++) begin
        if (q < 32'(pinfl_q)) begin
          pm_d[(32'(pc_d) + q)*3*LineW +: 3*LineW] = wgt_rdata_i[q*4*LineW +: 3*LineW];
        end
      end
      pc_d = pc_d + PcW'(pinfl_q);
    end
  end

  // line 3 of a parameter quad is unused, and so are the quads past MaxNq
  /* verilator lint_off UNUSEDSIGNAL */
  logic [16*LineW-1:0] unused_wgt;
  /* verilator lint_on UNUSEDSIGNAL */
  assign unused_wgt = wgt_rdata_i;

  assign row_done_o = out_fire && out_last;
  assign last_o     = out_fire && out_last && (ro == l_rows - 16'd1);
  assign run_o      = run_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q   <= 1'b0;
      rx_q    <= '0;
      bx_q    <= '0;
      ph_q    <= 1'b0;
      xrow_q  <= '0;
      rrow_q  <= '0;
      infl_q  <= '0;
      rr_q    <= '0;
      br_q    <= '0;
      rinfl_q <= 1'b0;
      xc_q    <= '0;
      xm_q    <= '0;
      rcn_q   <= '0;
      rm_q    <= '0;
      rp_q    <= '0;
      bp_q    <= '0;
      pinfl_q <= '0;
      pc_q    <= '0;
      pm_q    <= '0;
      orow_q  <= '0;
    end else begin
      run_q   <= run_d;
      rx_q    <= rx_d;
      bx_q    <= bx_d;
      ph_q    <= ph_d;
      xrow_q  <= xrow_d;
      rrow_q  <= rrow_d;
      infl_q  <= infl_d;
      rr_q    <= rr_d;
      br_q    <= br_d;
      rinfl_q <= rinfl_d;
      xc_q    <= xc_d;
      xm_q    <= xm_d;
      rcn_q   <= rcn_d;
      rm_q    <= rm_d;
      rp_q    <= rp_d;
      bp_q    <= bp_d;
      pinfl_q <= pinfl_d;
      pc_q    <= pc_d;
      pm_q    <= pm_d;
      orow_q  <= orow_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  // rows enter the units in order and no unit holds two rows
  `AT_ASSERT(LnLaneInFlight_A, run_q |-> (32'(rows_infl) <= NumUnits))
  `AT_ASSERT(LnLaneRowOrder_A, run_q |-> (ri <= rc) && (rq <= rc) && (ro <= ri))
  // the lane's ports: a request is held, its address (write: and data)
  // unchanged, until granted; a parameter read's first quad likewise (its
  // size only grows while it waits), 1..MaxNq quads inside the row
  `AT_ASSERT_HOLD(LnLaneRdHold_A, act_rd_req_o, act_rd_gnt_i, act_rd_addr_o)
  `AT_ASSERT_HOLD(LnLaneResHold_A, res_rd_req_o, res_rd_gnt_i, res_rd_addr_o)
  `AT_ASSERT_HOLD(LnLaneWrHold_A, act_wr_req_o, act_wr_gnt_i,
                  {act_wr_addr_o, act_wr_data_o, act_wr_mask_o})
  `AT_ASSERT_HOLD(LnLaneWgtHold_A, wgt_rd_req_o, wgt_rd_gnt_i, wgt_rd_quad_o)
  `AT_ASSERT(LnLaneWgtNq_A, wgt_rd_req_o |-> (32'(wgt_rd_nq_o) >= 1) && (32'(wgt_rd_nq_o) <= MaxNq) &&
             ((32'(bp_q) + 32'(wgt_rd_nq_o)) <= 32'(nb)))
  // the parameter FIFO never overflows; with one read port the res port idles
  `AT_ASSERT(LnLaneParRoom_A, 32'(pc_q) + 32'(pinfl_q) <= ParDepth)
  `AT_ASSERT(LnLaneResIdle_A, !DualRd |-> !res_rd_req_o)

  if ((MaxNq < 1) || (MaxNq > 4) || (MinNq < 1) || (MinNq > MaxNq) || (ParDepth < MaxNq)) begin : g_bad_par
    $error("acceltran_ln_lane: parameter reads of 1..4 quads into a FIFO that holds them");
  end

endmodule
