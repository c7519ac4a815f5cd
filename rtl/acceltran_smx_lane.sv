// One lane of the SOFTMAX engine (acceltran_smx_engine, docs/rtl-softmax.md
// "Engine: lanes"): the rows r = Lane, Lane + NumLanes, ... of a command
// (r mod NumLanes == Lane), in order, on the lane's own activation read
// port and write port, through NumUnits acceltran_softmax units (the
// lane's j-th row on its unit j mod NumUnits, i.e. row r on the engine's
// unit r mod (NumUnits * NumLanes)). Per row: its length (SMX_LEN, or
// element r mod 16 of activation line LENS + r/16, read when the lane's
// row leaves the line it holds), a check 1..N, ceil(len/16) source line
// reads into a 3-entry FIFO, and the unit's ceil(N/16) output beats
// written to DST + r*LDD + b after DynaTran (y <= SMX_TAU -> 0), mask bit
// = (element != 0). With LEN_VEC a row is started (its length looked at)
// only when go_i says that every row before it has a good length
// (acceltran_smx_engine compares the lanes' nv_o), so that no row past a
// bad one is read or written. A bad length: the lane waits until its rows
// before it are written and raises err_o (the engine ends the command once
// the other lanes are quiet). With NumLanes = 1 this is the whole engine
// of one read and one write port, cycle for cycle.
`include "acceltran_assert.svh"

module acceltran_smx_lane #(
  parameter int unsigned ActAddrW = 11,
  parameter int unsigned NumUnits = 2,   // units of this lane
  parameter int unsigned NumLanes = 1,   // lanes of the engine: a power of two
  parameter int unsigned Lane     = 0,   // this lane: rows r with r mod NumLanes == Lane
  localparam int unsigned UnitW    = (NumUnits > 1) ? $clog2(NumUnits) : 1,
  localparam int unsigned LaneW    = (NumLanes > 1) ? $clog2(NumLanes) : 0,
  localparam int unsigned Width    = acceltran_pkg::TileSize,
  localparam int unsigned MaxLen   = acceltran_pkg::MaxSeqLen,
  localparam int unsigned LenW     = $clog2(MaxLen + 1),
  localparam int unsigned LineW    = Width * 16,
  localparam int unsigned PrunW    = $clog2(Width + 1),
  // read FIFO: 3 entries let one read per cycle stream (2 gave 2 per 3 cycles)
  localparam int unsigned FifoDepth = 3
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic [511:0]        desc_i,
  // every row before row_o has a good length (LEN_VEC; else ignored)
  input  logic                go_i,
  // the command ends (done or error): back to idle
  input  logic                stop_i,
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
  // the command row of the lane's input pointer; the first of the lane's
  // rows whose length is not known good yet (>= ROWS when none is left)
  output logic [16:0]         row_o,
  output logic [16:0]         nv_o,
  // nothing in flight and every row started is written (a lane stopped
  // before a row past a bad one, or done)
  output logic                quiet_o,
  // a bad length: the lane's rows before it are written
  output logic                err_o,
  output logic [31:0]         err_detail_o,
  // every row of the lane is written
  output logic                fin_o,
  output logic                busy_o,
  output logic                row_done_o,
  // pruned elements of the beat written this cycle (valid columns)
  output logic [PrunW-1:0]    pruned_o
);

  // descriptor
  logic                f_lenvec;
  logic [ActAddrW-1:0] d_src, d_lds, d_dst, d_ldd, d_lens;
  logic [15:0]         d_rows, d_n, d_len, d_m;
  logic [5:0]          d_s;
  logic [acceltran_pkg::DescSmxTauWidth-1:0] d_tau;
  logic [15:0]         l_rows;  // rows of this lane
  always_comb begin
    f_lenvec = desc_i[acceltran_pkg::DescSmxLenVecWord*32 + acceltran_pkg::DescSmxLenVecLsb];
    d_src  = desc_i[acceltran_pkg::DescSmxSrcWord*32 + acceltran_pkg::DescSmxSrcLsb +: ActAddrW];
    d_lds  = desc_i[acceltran_pkg::DescSmxLdsWord*32 + acceltran_pkg::DescSmxLdsLsb +: ActAddrW];
    d_dst  = desc_i[acceltran_pkg::DescSmxDstWord*32 + acceltran_pkg::DescSmxDstLsb +: ActAddrW];
    d_ldd  = desc_i[acceltran_pkg::DescSmxLddWord*32 + acceltran_pkg::DescSmxLddLsb +: ActAddrW];
    d_lens = desc_i[acceltran_pkg::DescSmxLensWord*32 + acceltran_pkg::DescSmxLensLsb +: ActAddrW];
    d_rows = desc_i[acceltran_pkg::DescSmxRowsWord*32 + acceltran_pkg::DescSmxRowsLsb +: 16];
    d_n    = desc_i[acceltran_pkg::DescSmxNWord*32 + acceltran_pkg::DescSmxNLsb +: 16];
    d_len  = desc_i[acceltran_pkg::DescSmxLenWord*32 + acceltran_pkg::DescSmxLenLsb +: 16];
    d_m    = desc_i[acceltran_pkg::DescSmxInMWord*32 + acceltran_pkg::DescSmxInMLsb +: 16];
    d_s    = desc_i[acceltran_pkg::DescSmxInSWord*32 + acceltran_pkg::DescSmxInSLsb +: 6];
    d_tau  = desc_i[acceltran_pkg::DescSmxTauWord*32 + acceltran_pkg::DescSmxTauLsb +:
                    acceltran_pkg::DescSmxTauWidth];
    // rows r < ROWS with r mod NumLanes == Lane
    l_rows = (32'(d_rows) > Lane) ? 16'(((32'(d_rows) - Lane - 1) >> LaneW) + 1) : 16'd0;
  end

  typedef enum logic [2:0] {
    StIdle   = 3'd0,
    StRowGo  = 3'd1,  // decide the next row: lens line needed? length ok?
    StLens   = 3'd2,  // read the lengths line
    StLensW  = 3'd3,  // wait for it
    StRead   = 3'd4,  // read the row's source lines
    StInDone = 3'd5,  // all rows read; wait for the outputs
    StErr    = 3'd6,  // bad length: wait for the rows before it
    StFinish = 3'd7
  } state_e;

  state_e              st_d, st_q;
  logic [15:0]         ri_d, ri_q;           // input row of the lane (the command row: ri*NumLanes + Lane)
  logic [5:0]          rb_d, rb_q;           // beat within the row
  logic [5:0]          rl_d, rl_q;           // beats of the row (ceil(len/16))
  logic [LenW-1:0]     len_d, len_q;
  logic [ActAddrW-1:0] srow_d, srow_q;
  logic [LineW-1:0]    lens_d, lens_q;
  logic [11:0]         lidx_d, lidx_q;       // the lengths line held (r/16)
  logic                lv_d, lv_q;           // one is held
  logic                infl_d, infl_q;       // a data read is in flight
  logic                ilast_d, ilast_q;     // it is its row's last beat
  logic [16:0]         rg;                   // the command row of ri
  // FIFO of (beat, len, last beat of its row)
  localparam int unsigned EntW = LineW + LenW + 1;
  logic [1:0]          fc_d, fc_q;
  logic [FifoDepth*EntW-1:0] fm_d, fm_q;
  // unit of the FIFO head's row and of the row being written
  logic [UnitW-1:0]    ui, uo;  // acceltran_row_cursor units of the FIFO head and the output
  logic                fpush, fpop;
  // output
  logic [15:0]         ro;      // rows of the lane written
  logic [5:0]          ob;
  logic                out_fire;
  logic [ActAddrW-1:0] orow_d, orow_q;
  logic [31:0]         det_d, det_q;
  // the selected units (input: ui, output: uo)
  logic                u_in_valid, u_in_ready, u_out_valid, u_out_ready, u_out_last;
  logic [LineW-1:0]    u_out_data;
  logic [Width-1:0]    u_out_lanes;
  logic [NumUnits-1:0]       v_in_valid, v_in_ready, v_out_valid, v_out_ready, v_out_last;
  logic [NumUnits*LineW-1:0] v_out_data;
  logic [NumUnits*Width-1:0] v_out_lanes;
  // the units' busy flags are implied by the row counts
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NumUnits-1:0]       v_busy;
  /* verilator lint_on UNUSEDSIGNAL */
  // DynaTran on the output beat
  logic [Width-1:0]    prune;
  logic [15:0]         cur_len;
  logic [15:0]         new_len;  // the length in the lengths line arriving

  always_comb begin
    rg      = (17'(ri_q) << LaneW) | 17'(Lane);
    cur_len = f_lenvec ? lens_q[32'(rg[3:0])*16 +: 16] : d_len;
    new_len = act_rdata_i[32'(rg[3:0])*16 +: 16];
  end

  for (genvar u = 0; u < NumUnits; u++) begin : g_unit
    acceltran_softmax #(
      .Width    (Width),
      .MaxLen   (MaxLen),
      .NumSlots (2)
    ) u_smx (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .in_valid_i  (v_in_valid[u]),
      .in_ready_o  (v_in_ready[u]),
      .in_data_i   (fm_q[0 +: LineW]),
      .in_n_i      (d_n[LenW-1:0]),
      .in_len_i    (fm_q[LineW +: LenW]),
      .in_m_i      (d_m),
      .in_s_i      (d_s),
      .out_valid_o (v_out_valid[u]),
      .out_ready_i (v_out_ready[u]),
      .out_data_o  (v_out_data[u*LineW +: LineW]),
      .out_last_o  (v_out_last[u]),
      .out_lanes_o (v_out_lanes[u*Width +: Width]),
      .busy_o      (v_busy[u])
    );
    assign v_in_valid[u]  = u_in_valid && (ui == UnitW'(u));
    assign v_out_ready[u] = u_out_ready && (uo == UnitW'(u));
  end

  // the selected units' handshakes (constant selects under a compare)
  always_comb begin
    u_in_ready  = 1'b0;
    u_out_valid = 1'b0;
    u_out_last  = 1'b0;
    u_out_data  = '0;
    u_out_lanes = '0;
    for (int u = 0; u < NumUnits; u++) begin
      if (ui == UnitW'(u)) begin
        u_in_ready = v_in_ready[u];
      end
      if (uo == UnitW'(u)) begin
        u_out_valid = v_out_valid[u];
        u_out_last  = v_out_last[u];
        u_out_data  = v_out_data[u*LineW +: LineW];
        u_out_lanes = v_out_lanes[u*Width +: Width];
      end
    end
  end

  assign u_in_valid = (fc_q != 2'd0);
  assign fpop       = u_in_valid && u_in_ready;
  assign fpush      = act_rvalid_i && infl_q;

  // read requests (kept apart from the grant-dependent state update)
  always_comb begin
    act_rd_req_o  = 1'b0;
    act_rd_addr_o = srow_q + ActAddrW'(rb_q);
    if (st_q == StLens) begin
      act_rd_req_o  = 1'b1;
      act_rd_addr_o = d_lens + ActAddrW'(lidx_q);
    end else if (st_q == StRead) begin
      // room in the FIFO for this read and the one in flight
      act_rd_req_o = (32'(fc_q) + 32'(infl_q)) < FifoDepth;
    end
  end

  always_comb begin
    st_d    = st_q;
    ri_d    = ri_q;
    rb_d    = rb_q;
    rl_d    = rl_q;
    len_d   = len_q;
    srow_d  = srow_q;
    lens_d  = lens_q;
    lidx_d  = lidx_q;
    lv_d    = lv_q;
    infl_d  = 1'b0;
    ilast_d = ilast_q;
    det_d   = det_q;
    case (st_q)
      StIdle: begin
        if (start_i) begin
          st_d   = (l_rows != 16'd0) ? StRowGo : StInDone;
          ri_d   = '0;
          srow_d = d_src + ActAddrW'(32'(d_lds) * Lane);
          lv_d   = 1'b0;
        end
      end
      StRowGo: begin
        if (f_lenvec && (!lv_q || (lidx_q != rg[15:4]))) begin
          // the lengths line of this row: after the rows before it are
          // known good (go_i), so that a bad length stops every lane
          if (go_i) begin
            st_d   = StLens;
            lidx_d = rg[15:4];
          end
        end else if (f_lenvec && !go_i) begin
          // wait (the length is held)
        end else if ((cur_len == 16'd0) || (cur_len > d_n)) begin
          st_d  = StErr;
          det_d = 32'h10000 + 32'(rg);
        end else begin
          st_d  = StRead;
          rb_d  = '0;
          rl_d  = 6'((32'(cur_len) + Width - 1) / Width);
          len_d = cur_len[LenW-1:0];
        end
      end
      StLens: begin
        if (act_rd_gnt_i) begin
          st_d = StLensW;
        end
      end
      StLensW: begin
        if (act_rvalid_i) begin
          lens_d = act_rdata_i;
          lv_d   = 1'b1;
          // length check on the next visit of StRowGo (not a lens row then)
          st_d = StRead;
          rb_d = '0;
          if ((new_len == 16'd0) || (new_len > d_n)) begin
            st_d  = StErr;
            det_d = 32'h10000 + 32'(rg);
          end
          rl_d  = 6'((32'(new_len) + Width - 1) / Width);
          len_d = new_len[LenW-1:0];
        end
      end
      StRead: begin
        if (act_rd_req_o && act_rd_gnt_i) begin
          infl_d  = 1'b1;
          ilast_d = (rb_q == rl_q - 6'd1);
          rb_d    = rb_q + 6'd1;
          if (rb_q == rl_q - 6'd1) begin
            ri_d   = ri_q + 16'd1;
            srow_d = srow_q + ActAddrW'(32'(d_lds) << LaneW);
            st_d   = (ri_q == l_rows - 16'd1) ? StInDone : StRowGo;
          end
        end
      end
      StInDone, StErr: ;
      default: begin
        st_d = StIdle;
      end
    endcase
    if (stop_i && (st_q != StIdle)) begin
      st_d = StFinish;
    end
  end

  // FIFO: entry 0 is the head
  always_comb begin
    logic [EntW-1:0] ent;
    ent  = {ilast_q, len_q, act_rdata_i};
    fm_d = fm_q;
    fc_d = fc_q;
    if (fpop) begin
      fm_d = fm_q >> EntW;
      fc_d = fc_q - 2'd1;
    end
    if (fpush) begin
      fm_d[32'(fc_d)*EntW +: EntW] = ent;
      fc_d = fc_d + 2'd1;
    end
  end

  // outputs: DynaTran. The probabilities are 0..32767 (bit 15 is 0), so
  // |y| = y; SMX_TAU = 0 prunes exact zeros only. A kept element is then
  // non-zero, so mask bit = !prune = (element != 0).
  always_comb begin
    act_wr_req_o  = u_out_valid;
    act_wr_addr_o = orow_q + ActAddrW'(ob);
    for (int j = 0; j < Width; j++) begin
      prune[j] = u_out_data[j*16 +: 16] <= 16'(d_tau);
      act_wr_data_o[j*16 +: 16] = prune[j] ? 16'd0 : u_out_data[j*16 +: 16];
      act_wr_mask_o[j] = !prune[j];
    end
  end
  assign u_out_ready = act_wr_gnt_i;
  assign out_fire    = u_out_valid && act_wr_gnt_i;

  // the units of the FIFO head's row and of the output row; the output's
  // row and beat. A row's last beat carries its flag (FIFO entry, unit).
  logic cur_clr;
  assign cur_clr = start_i && (st_q == StIdle);
  /* verilator lint_off PINCONNECTEMPTY */
  acceltran_row_cursor #(
    .NumUnits (NumUnits),
    .RowW     (1),
    .BeatW    (1)
  ) u_cur_in (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (cur_clr),
    .step_i  (fpop),
    .last_i  (fm_q[LineW + LenW]),
    .row_o   (),
    .beat_o  (),
    .unit_o  (ui)
  );
  /* verilator lint_on PINCONNECTEMPTY */
  acceltran_row_cursor #(
    .NumUnits (NumUnits),
    .RowW     (16),
    .BeatW    (6)
  ) u_cur_out (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (cur_clr),
    .step_i  (out_fire),
    .last_i  (u_out_last),
    .row_o   (ro),
    .beat_o  (ob),
    .unit_o  (uo)
  );

  // pruned elements of the beat written: valid columns only (padding
  // lanes are 0 but not counted)
  always_comb begin
    pruned_o = '0;
    if (out_fire) begin
      for (int j = 0; j < Width; j++) begin
        pruned_o = pruned_o + PrunW'(prune[j] && u_out_lanes[j]);
      end
    end
  end

  always_comb begin
    orow_d = orow_q;
    if (out_fire && u_out_last) begin
      orow_d = orow_q + ActAddrW'(32'(d_ldd) << LaneW);
    end
    if (start_i && (st_q == StIdle)) begin
      orow_d = d_dst + ActAddrW'(32'(d_ldd) * Lane);
    end
  end

  assign row_done_o   = out_fire && u_out_last;
  assign busy_o       = (st_q != StIdle);
  assign row_o        = rg;
  // the row being read is known good; in StInDone rg is past the lane's rows
  assign nv_o         = (st_q == StRead) ? (rg + 17'(NumLanes)) : rg;
  assign quiet_o      = ((st_q == StRowGo) || (st_q == StInDone)) && (ro == ri_q) && !infl_q &&
                        (fc_q == 2'd0);
  assign err_o        = (st_q == StErr) && (ro == ri_q) && !infl_q && (fc_q == 2'd0);
  assign err_detail_o = det_q;
  assign fin_o        = (st_q == StInDone) && (ro == l_rows);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q    <= StIdle;
      ri_q    <= '0;
      rb_q    <= '0;
      rl_q    <= '0;
      len_q   <= '0;
      srow_q  <= '0;
      lens_q  <= '0;
      lidx_q  <= '0;
      lv_q    <= 1'b0;
      infl_q  <= 1'b0;
      ilast_q <= 1'b0;
      fc_q    <= '0;
      fm_q    <= '0;
      orow_q  <= '0;
      det_q   <= '0;
    end else begin
      st_q    <= st_d;
      ri_q    <= ri_d;
      rb_q    <= rb_d;
      rl_q    <= rl_d;
      len_q   <= len_d;
      srow_q  <= srow_d;
      lens_q  <= lens_d;
      lidx_q  <= lidx_d;
      lv_q    <= lv_d;
      infl_q  <= infl_d;
      ilast_q <= ilast_d;
      fc_q    <= fc_d;
      fm_q    <= fm_d;
      orow_q  <= orow_d;
      det_q   <= det_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  `AT_ASSERT(SmxLaneStartIdle_A, start_i |-> (st_q == StIdle))
  // the read FIFO is never pushed when full
  `AT_ASSERT(SmxLaneFifoRoom_A, fpush |-> (32'(fc_q) < FifoDepth) || fpop)
  // the lane's ports: a request is held, its address (and write data)
  // unchanged, until granted (the command ends only with none pending)
  `AT_ASSERT_HOLD(SmxLaneRdHold_A, act_rd_req_o, act_rd_gnt_i, act_rd_addr_o)
  `AT_ASSERT_HOLD(SmxLaneWrHold_A, act_wr_req_o, act_wr_gnt_i,
                  {act_wr_addr_o, act_wr_data_o, act_wr_mask_o})
  // with LEN_VEC a row is looked at only after the rows before it (go_i)
  `AT_ASSERT(SmxLaneGo_A, f_lenvec && (st_q == StRowGo) && (st_d != StRowGo) && !stop_i |-> go_i)

endmodule
