// LAYERNORM command engine (docs/isa.md LAYERNORM): rows through
// NumUnits acceltran_layernorm units side by side, row r on unit r mod
// NumUnits; rows enter and leave the units in order, so at most NumUnits
// rows are in flight. Independent pointers, each steering to the unit of
// its row:
// - cfg: row r's configuration when its unit is idle (row r - NumUnits
//   written);
// - x/res reads: lines SRC + r*LDS + b (and RES + r*LDR + b) into 2-entry
//   FIFOs (rows in order, so the next row's first beats are prefetched);
// - parameter reads: weight quad PARAMS/4 + b per beat (gamma = line 0,
//   beta = lines 1-2), one per beat of every row, into a 2-entry FIFO;
// - outputs: DST + r*LDD + b after DynaTran (|y| <= LN_TAU -> 0), mask
//   bit = (element != 0); the pruned elements among the N columns are
//   counted in cnt_pruned_o when the beat's write is granted; row_done_o
//   pulses when a row's last beat is written (CNT_LN_ROWS).
`include "acceltran_assert.svh"

module acceltran_ln_engine #(
  parameter int unsigned ActAddrW = 11,
  parameter int unsigned WgtAddrW = 11,
  parameter int unsigned CntW     = 48,
  parameter int unsigned NumUnits = acceltran_pkg::NumLnUnits,
  localparam int unsigned UnitW = (NumUnits > 1) ? $clog2(NumUnits) : 1,
  localparam int unsigned Width = acceltran_pkg::TileSize,
  localparam int unsigned MaxN  = acceltran_pkg::MaxHidden,
  localparam int unsigned NW    = $clog2(MaxN + 1),
  localparam int unsigned LineW = Width * 16,
  localparam int unsigned QuadW = WgtAddrW - 2,
  // read FIFOs: 3 entries let one read per cycle stream (the entry being
  // taken, the one arriving, the one requested); 2 gave 2 beats per 3 cycles
  localparam int unsigned FifoDepth = 3
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic [511:0]        desc_i,
  output logic                done_o,
  output logic                busy_o,
  output logic                act_rd_req_o,
  input  logic                act_rd_gnt_i,
  output logic [ActAddrW-1:0] act_rd_addr_o,
  input  logic                act_rvalid_i,
  input  logic [LineW-1:0]    act_rdata_i,
  output logic                act_wr_req_o,
  input  logic                act_wr_gnt_i,
  output logic [ActAddrW-1:0] act_wr_addr_o,
  output logic [LineW-1:0]    act_wr_data_o,
  output logic [Width-1:0]    act_wr_mask_o,
  output logic                wgt_rd_req_o,
  input  logic                wgt_rd_gnt_i,
  output logic [QuadW-1:0]    wgt_rd_quad_o,
  input  logic                wgt_rvalid_i,
  input  logic [4*LineW-1:0]  wgt_rdata_i,
  output logic                row_done_o,
  output logic [CntW-1:0]     cnt_pruned_o
);

  logic                f_res;
  logic [ActAddrW-1:0] d_src, d_lds, d_dst, d_ldd, d_res, d_ldr;
  logic [QuadW-1:0]    d_pq;
  logic [15:0]         d_rows, d_n, d_om;
  logic [5:0]          d_os;
  logic [61:0]         d_eps;
  logic [6:0]          nb;   // beats per row, 1..64
  logic [acceltran_pkg::DescLnTauWidth-1:0] d_tau;
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
  end

  logic run_d, run_q, done_d, done_q;
  // unit of each pointer's row (row mod NumUnits)
  logic [UnitW-1:0] uc_d, uc_q, ui_d, ui_q, up_d, up_q, uo_d, uo_q;
  // cfg pointer
  logic [15:0] rc_d, rc_q;
  logic        cfg_valid, cfg_ready, cfg_fire;
  logic [15:0] rows_infl;  // rows configured and not yet written
  // pass-1 and parameter consumers: row and beat of the FIFO heads
  logic [15:0] ri_d, ri_q, rq_d, rq_q;
  logic [6:0]  bi_d, bi_q, bq_d, bq_q;
  // x/res read pointer
  logic [15:0]         rx_d, rx_q;
  logic [6:0]          bx_d, bx_q;
  logic                ph_d, ph_q;           // 0: x read next, 1: res read next
  logic [ActAddrW-1:0] xrow_d, xrow_q, rrow_d, rrow_q;
  logic [1:0]          infl_d, infl_q;       // read in flight: 0 none, 1 x, 2 res
  logic [1:0]          xc_d, xc_q, rcn_d, rcn_q;
  logic [FifoDepth*LineW-1:0] xm_d, xm_q, rm_d, rm_q;
  logic                in_valid, in_ready, in_fire;
  // parameter pointer
  logic [15:0]         rp_d, rp_q;
  logic [6:0]          bp_d, bp_q;
  logic                pinfl_d, pinfl_q;
  logic [1:0]          pc_d, pc_q;
  logic [FifoDepth*3*LineW-1:0] pm_d, pm_q;  // gamma + beta (3 lines) per entry
  logic                par_valid, par_ready, par_fire;
  // outputs
  logic [15:0]         ro_d, ro_q;
  logic [6:0]          bo_d, bo_q;
  logic [ActAddrW-1:0] orow_d, orow_q;
  logic                out_valid, out_ready;
  logic [LineW-1:0]    out_y;
  // DynaTran on the output beat
  logic [Width-1:0]    prune;
  logic [CntW-1:0]     cprun_d, cprun_q;

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
    assign u_cfg_valid[u] = cfg_valid && (uc_q == UnitW'(u));
    assign u_in_valid[u]  = in_valid && (ui_q == UnitW'(u)) && (ri_q != rc_q);
    assign u_par_valid[u] = par_valid && (up_q == UnitW'(u)) && (rq_q != rc_q);
    assign u_out_ready[u] = out_ready && (uo_q == UnitW'(u));
  end

  // the selected units' handshakes (constant selects under a compare)
  always_comb begin
    cfg_ready = 1'b0;
    in_ready  = 1'b0;
    par_ready = 1'b0;
    out_valid = 1'b0;
    out_y     = '0;
    for (int u = 0; u < NumUnits; u++) begin
      if (uc_q == UnitW'(u)) begin
        cfg_ready = u_cfg_ready[u];
      end
      if (ui_q == UnitW'(u)) begin
        in_ready = u_in_ready[u] && (ri_q != rc_q);
      end
      if (up_q == UnitW'(u)) begin
        par_ready = u_par_ready[u] && (rq_q != rc_q);
      end
      if (uo_q == UnitW'(u)) begin
        out_valid = u_out_valid[u];
        out_y     = u_out_y[u*LineW +: LineW];
      end
    end
  end

  // at most NumUnits rows in flight: row rc's unit finished row rc - NumUnits
  assign rows_infl = rc_q - ro_q;
  assign cfg_valid = run_q && (rc_q != d_rows) && (32'(rows_infl) < NumUnits);
  assign cfg_fire  = cfg_valid && cfg_ready;
  assign in_valid  = (xc_q != 2'd0) && (!f_res || (rcn_q != 2'd0));
  assign in_fire   = in_valid && in_ready;
  assign par_valid = (pc_q != 2'd0);
  assign par_fire  = par_valid && par_ready;

  // requests (kept apart from the grant-dependent pointer updates)
  always_comb begin
    act_rd_req_o  = 1'b0;
    act_rd_addr_o = ph_q ? (rrow_q + ActAddrW'(bx_q)) : (xrow_q + ActAddrW'(bx_q));
    if (run_q && (rx_q != d_rows)) begin
      if (!ph_q) begin
        act_rd_req_o = (32'(xc_q) + 32'(infl_q == 2'd1)) < FifoDepth;
      end else begin
        act_rd_req_o = (32'(rcn_q) + 32'(infl_q == 2'd2)) < FifoDepth;
      end
    end
    wgt_rd_req_o  = run_q && (rp_q != d_rows) && ((32'(pc_q) + 32'(pinfl_q)) < FifoDepth);
    wgt_rd_quad_o = d_pq + QuadW'(bp_q);
    act_wr_req_o  = out_valid;
    act_wr_addr_o = orow_q + ActAddrW'(bo_q);
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

  // pruned count: columns < N of the beat (the padding lanes are 0, not
  // counted)
  always_comb begin
    cprun_d = cprun_q;
    if (out_valid && act_wr_gnt_i) begin
      for (int j = 0; j < Width; j++) begin
        cprun_d = cprun_d + CntW'(prune[j] && ((32'(bo_q) * Width + j) < 32'(d_n)));
      end
    end
  end
  assign cnt_pruned_o = cprun_q;

  always_comb begin
    run_d  = run_q;
    done_d = 1'b0;
    rc_d   = rc_q + {15'd0, cfg_fire};
    uc_d   = uc_q;
    if (cfg_fire) begin
      uc_d = (32'(uc_q) == NumUnits - 1) ? '0 : uc_q + 1'b1;
    end
    // pass-1 and parameter consumers
    ri_d = ri_q;
    bi_d = bi_q;
    ui_d = ui_q;
    if (in_fire) begin
      bi_d = bi_q + 7'd1;
      if (bi_q == nb - 7'd1) begin
        bi_d = '0;
        ri_d = ri_q + 16'd1;
        ui_d = (32'(ui_q) == NumUnits - 1) ? '0 : ui_q + 1'b1;
      end
    end
    rq_d = rq_q;
    bq_d = bq_q;
    up_d = up_q;
    if (par_fire) begin
      bq_d = bq_q + 7'd1;
      if (bq_q == nb - 7'd1) begin
        bq_d = '0;
        rq_d = rq_q + 16'd1;
        up_d = (32'(up_q) == NumUnits - 1) ? '0 : up_q + 1'b1;
      end
    end
    // x / residual reads
    rx_d   = rx_q;
    bx_d   = bx_q;
    ph_d   = ph_q;
    xrow_d = xrow_q;
    rrow_d = rrow_q;
    infl_d = 2'd0;
    if (act_rd_req_o && act_rd_gnt_i) begin
      infl_d = ph_q ? 2'd2 : 2'd1;
      if (f_res && !ph_q) begin
        ph_d = 1'b1;
      end else begin
        ph_d = 1'b0;
        bx_d = bx_q + 7'd1;
        if (bx_q == nb - 7'd1) begin
          bx_d   = '0;
          rx_d   = rx_q + 16'd1;
          xrow_d = xrow_q + d_lds;
          rrow_d = rrow_q + d_ldr;
        end
      end
    end
    // parameter reads
    rp_d    = rp_q;
    bp_d    = bp_q;
    pinfl_d = 1'b0;
    if (wgt_rd_req_o && wgt_rd_gnt_i) begin
      pinfl_d = 1'b1;
      bp_d    = bp_q + 7'd1;
      if (bp_q == nb - 7'd1) begin
        bp_d = '0;
        rp_d = rp_q + 16'd1;
      end
    end
    // outputs
    ro_d   = ro_q;
    bo_d   = bo_q;
    orow_d = orow_q;
    uo_d   = uo_q;
    if (out_valid && act_wr_gnt_i) begin
      bo_d = bo_q + 7'd1;
      if (bo_q == nb - 7'd1) begin
        bo_d   = '0;
        ro_d   = ro_q + 16'd1;
        uo_d   = (32'(uo_q) == NumUnits - 1) ? '0 : uo_q + 1'b1;
        orow_d = orow_q + d_ldd;
        if (ro_q == d_rows - 16'd1) begin
          run_d  = 1'b0;
          done_d = 1'b1;
        end
      end
    end
    if (start_i && !run_q) begin
      run_d  = 1'b1;
      rc_d   = '0;
      uc_d   = '0;
      ri_d   = '0;
      bi_d   = '0;
      ui_d   = '0;
      rq_d   = '0;
      bq_d   = '0;
      up_d   = '0;
      uo_d   = '0;
      rx_d   = '0;
      bx_d   = '0;
      ph_d   = 1'b0;
      xrow_d = d_src;
      rrow_d = d_res;
      rp_d   = '0;
      bp_d   = '0;
      ro_d   = '0;
      bo_d   = '0;
      orow_d = d_dst;
    end
  end

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
    if (act_rvalid_i && (infl_q == 2'd1)) begin
      xm_d[32'(xc_d)*LineW +: LineW] = act_rdata_i;
      xc_d = xc_d + 2'd1;
    end
    if (act_rvalid_i && (infl_q == 2'd2)) begin
      rm_d[32'(rcn_d)*LineW +: LineW] = act_rdata_i;
      rcn_d = rcn_d + 2'd1;
    end
    if (par_fire) begin
      pm_d = pm_q >> (3*LineW);
      pc_d = pc_q - 2'd1;
    end
    if (wgt_rvalid_i && pinfl_q) begin
      pm_d[32'(pc_d)*3*LineW +: 3*LineW] = wgt_rdata_i[0 +: 3*LineW];
      pc_d = pc_d + 2'd1;
    end
  end

  // line 3 of a parameter quad is unused
  /* verilator lint_off UNUSEDSIGNAL */
  logic [LineW-1:0] unused_l3;
  /* verilator lint_on UNUSEDSIGNAL */
  assign unused_l3 = wgt_rdata_i[3*LineW +: LineW];

  assign row_done_o = out_valid && act_wr_gnt_i && (bo_q == nb - 7'd1);
  assign busy_o = run_q || done_q;
  assign done_o = done_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q   <= 1'b0;
      done_q  <= 1'b0;
      rc_q    <= '0;
      uc_q    <= '0;
      ri_q    <= '0;
      bi_q    <= '0;
      ui_q    <= '0;
      rq_q    <= '0;
      bq_q    <= '0;
      up_q    <= '0;
      uo_q    <= '0;
      rx_q    <= '0;
      bx_q    <= '0;
      ph_q    <= 1'b0;
      xrow_q  <= '0;
      rrow_q  <= '0;
      infl_q  <= '0;
      xc_q    <= '0;
      xm_q    <= '0;
      rcn_q   <= '0;
      rm_q    <= '0;
      rp_q    <= '0;
      bp_q    <= '0;
      pinfl_q <= 1'b0;
      pc_q    <= '0;
      pm_q    <= '0;
      ro_q    <= '0;
      bo_q    <= '0;
      orow_q  <= '0;
      cprun_q <= '0;
    end else begin
      run_q   <= run_d;
      done_q  <= done_d;
      rc_q    <= rc_d;
      uc_q    <= uc_d;
      ri_q    <= ri_d;
      bi_q    <= bi_d;
      ui_q    <= ui_d;
      rq_q    <= rq_d;
      bq_q    <= bq_d;
      up_q    <= up_d;
      uo_q    <= uo_d;
      rx_q    <= rx_d;
      bx_q    <= bx_d;
      ph_q    <= ph_d;
      xrow_q  <= xrow_d;
      rrow_q  <= rrow_d;
      infl_q  <= infl_d;
      xc_q    <= xc_d;
      xm_q    <= xm_d;
      rcn_q   <= rcn_d;
      rm_q    <= rm_d;
      rp_q    <= rp_d;
      bp_q    <= bp_d;
      pinfl_q <= pinfl_d;
      pc_q    <= pc_d;
      pm_q    <= pm_d;
      ro_q    <= ro_d;
      bo_q    <= bo_d;
      orow_q  <= orow_d;
      cprun_q <= cprun_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  `AT_ASSERT(LnEngStartIdle_A, start_i |-> !busy_o)
  `AT_ASSERT(LnEngDescStable_A, busy_o && $past(busy_o) |-> $stable(desc_i))
  // rows enter the units in order and no unit holds two rows
  `AT_ASSERT(LnEngInFlight_A, run_q |-> (32'(rows_infl) <= NumUnits))
  `AT_ASSERT(LnEngRowOrder_A, run_q |-> (ri_q <= rc_q) && (rq_q <= rc_q) && (ro_q <= ri_q))

endmodule
