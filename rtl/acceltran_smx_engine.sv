// SOFTMAX command engine (docs/isa.md SOFTMAX): streams rows through
// acceltran_softmax. Per row r: its length (SMX_LEN, or element r mod 16 of
// activation line LENS + r/16, read once per 16 rows), a check 1..N (else
// the command stops with err_o, detail 0x10000 + r, after the rows before
// it are written), ceil(len/16) source line reads into a 2-entry FIFO, and
// the unit's ceil(N/16) output beats written to DST + r*LDD + b after
// DynaTran (y <= SMX_TAU -> 0), with mask bit = (element != 0). Pruned
// elements among the row's len valid columns (the unit's out_lanes_o) are
// counted in cnt_pruned_o when the beat's write is granted. Reads of the
// next rows go on while earlier rows are in the units. Rows run on
// NumUnits acceltran_softmax units side by side, row r on unit r mod
// NumUnits: beats enter and leave the units in row order (each FIFO entry
// carries its row's last-beat flag). row_done_o pulses when a row's last
// output beat is written (CNT_SMX_ROWS).
`include "acceltran_assert.svh"

module acceltran_smx_engine #(
  parameter int unsigned ActAddrW = 11,
  parameter int unsigned CntW     = 48,
  parameter int unsigned NumUnits = acceltran_pkg::NumSoftmaxUnits,
  localparam int unsigned UnitW    = (NumUnits > 1) ? $clog2(NumUnits) : 1,
  localparam int unsigned Width    = acceltran_pkg::TileSize,
  localparam int unsigned MaxLen   = acceltran_pkg::MaxSeqLen,
  localparam int unsigned LenW     = $clog2(MaxLen + 1),
  localparam int unsigned LineW    = Width * 16,
  // read FIFO: 3 entries let one read per cycle stream (2 gave 2 per 3 cycles)
  localparam int unsigned FifoDepth = 3
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic [511:0]        desc_i,
  output logic                done_o,
  output logic                err_o,
  output logic [31:0]         err_detail_o,
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
  output logic                row_done_o,
  output logic [CntW-1:0]     cnt_pruned_o
);

  // descriptor
  logic                f_lenvec;
  logic [ActAddrW-1:0] d_src, d_lds, d_dst, d_ldd, d_lens;
  logic [15:0]         d_rows, d_n, d_len, d_m;
  logic [5:0]          d_s;
  logic [acceltran_pkg::DescSmxTauWidth-1:0] d_tau;
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
  end

  typedef enum logic [2:0] {
    StIdle   = 3'd0,
    StRowGo  = 3'd1,  // decide the next row: lens line needed? length ok?
    StLens   = 3'd2,  // read the lengths line
    StLensW  = 3'd3,  // wait for it
    StRead   = 3'd4,  // read the row's source lines
    StInDone = 3'd5,  // all rows read; wait for the outputs
    StErr    = 3'd6,  // bad length: wait for the rows before it, then err_o
    StFinish = 3'd7
  } state_e;

  state_e              st_d, st_q;
  logic [15:0]         ri_d, ri_q;           // input row
  logic [5:0]          rb_d, rb_q;           // beat within the row
  logic [5:0]          rl_d, rl_q;           // beats of the row (ceil(len/16))
  logic [LenW-1:0]     len_d, len_q;
  logic [ActAddrW-1:0] srow_d, srow_q, lens_a_d, lens_a_q;
  logic [LineW-1:0]    lens_d, lens_q;
  logic                infl_d, infl_q;       // a data read is in flight
  logic                ilast_d, ilast_q;     // it is its row's last beat
  // FIFO of (beat, len, last beat of its row)
  localparam int unsigned EntW = LineW + LenW + 1;
  logic [1:0]          fc_d, fc_q;
  logic [FifoDepth*EntW-1:0] fm_d, fm_q;
  // unit of the FIFO head's row and of the row being written
  logic [UnitW-1:0]    ui_d, ui_q, uo_d, uo_q;
  logic                fpush, fpop;
  // output
  logic [15:0]         ro_d, ro_q;
  logic [5:0]          ob_d, ob_q;
  logic [ActAddrW-1:0] orow_d, orow_q;
  logic [31:0]         det_d, det_q;
  logic                err_d, err_q, done_d, done_q;
  // the selected units (input: ui_q, output: uo_q)
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
  logic [CntW-1:0]     cprun_d, cprun_q;
  logic [15:0]         cur_len;

  always_comb begin
    cur_len = f_lenvec ? lens_q[32'(ri_q[3:0])*16 +: 16] : d_len;
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
    assign v_in_valid[u]  = u_in_valid && (ui_q == UnitW'(u));
    assign v_out_ready[u] = u_out_ready && (uo_q == UnitW'(u));
  end

  // the selected units' handshakes (constant selects under a compare)
  always_comb begin
    u_in_ready  = 1'b0;
    u_out_valid = 1'b0;
    u_out_last  = 1'b0;
    u_out_data  = '0;
    u_out_lanes = '0;
    for (int u = 0; u < NumUnits; u++) begin
      if (ui_q == UnitW'(u)) begin
        u_in_ready = v_in_ready[u];
      end
      if (uo_q == UnitW'(u)) begin
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
      act_rd_addr_o = lens_a_q;
    end else if (st_q == StRead) begin
      // room in the FIFO for this read and the one in flight
      act_rd_req_o = (32'(fc_q) + 32'(infl_q)) < FifoDepth;
    end
  end

  always_comb begin
    st_d     = st_q;
    ri_d     = ri_q;
    rb_d     = rb_q;
    rl_d     = rl_q;
    len_d    = len_q;
    srow_d   = srow_q;
    lens_a_d = lens_a_q;
    lens_d   = lens_q;
    infl_d   = 1'b0;
    ilast_d  = ilast_q;
    det_d    = det_q;
    err_d    = 1'b0;
    done_d   = 1'b0;
    case (st_q)
      StIdle: begin
        if (start_i) begin
          st_d     = StRowGo;
          ri_d     = '0;
          srow_d   = d_src;
          lens_a_d = d_lens;
        end
      end
      StRowGo: begin
        if (f_lenvec && ((ri_q[3:0] == 4'd0) || (ri_q == '0))) begin
          st_d = StLens;
        end else if ((cur_len == 16'd0) || (cur_len > d_n)) begin
          st_d  = StErr;
          det_d = 32'h10000 + 32'(ri_q);
        end else begin
          st_d  = StRead;
          rb_d  = '0;
          rl_d  = 6'((32'(cur_len) + Width - 1) / Width);
          len_d = cur_len[LenW-1:0];
        end
      end
      StLens: begin
        if (act_rd_gnt_i) begin
          st_d     = StLensW;
          lens_a_d = lens_a_q + 1'b1;
        end
      end
      StLensW: begin
        if (act_rvalid_i) begin
          lens_d = act_rdata_i;
          // length check on the next visit of StRowGo (not a lens row then)
          st_d = StRead;
          rb_d = '0;
          if ((act_rdata_i[32'(ri_q[3:0])*16 +: 16] == 16'd0) ||
              (act_rdata_i[32'(ri_q[3:0])*16 +: 16] > d_n)) begin
            st_d  = StErr;
            det_d = 32'h10000 + 32'(ri_q);
          end
          rl_d  = 6'((32'(act_rdata_i[32'(ri_q[3:0])*16 +: 16]) + Width - 1) / Width);
          len_d = act_rdata_i[32'(ri_q[3:0])*16 +: LenW];
        end
      end
      StRead: begin
        if (act_rd_req_o && act_rd_gnt_i) begin
          infl_d  = 1'b1;
          ilast_d = (rb_q == rl_q - 6'd1);
          rb_d    = rb_q + 6'd1;
          if (rb_q == rl_q - 6'd1) begin
            ri_d   = ri_q + 16'd1;
            srow_d = srow_q + d_lds;
            st_d   = (ri_q == d_rows - 16'd1) ? StInDone : StRowGo;
          end
        end
      end
      StInDone: begin
        if (ro_q == d_rows) begin
          st_d   = StFinish;
          done_d = 1'b1;
        end
      end
      StErr: begin
        if ((ro_q == ri_q) && !infl_q && (fc_q == 2'd0)) begin
          st_d  = StFinish;
          err_d = 1'b1;
        end
      end
      default: begin
        st_d = StIdle;
      end
    endcase
  end

  // FIFO: entry 0 is the head
  always_comb begin
    logic [EntW-1:0] ent;
    ent  = {ilast_q, len_q, act_rdata_i};
    fm_d = fm_q;
    fc_d = fc_q;
    ui_d = ui_q;
    if (fpop) begin
      fm_d = fm_q >> EntW;
      fc_d = fc_q - 2'd1;
      if (fm_q[LineW + LenW]) begin
        ui_d = (32'(ui_q) == NumUnits - 1) ? '0 : ui_q + 1'b1;
      end
    end
    if (fpush) begin
      fm_d[32'(fc_d)*EntW +: EntW] = ent;
      fc_d = fc_d + 2'd1;
    end
    if (start_i && (st_q == StIdle)) begin
      ui_d = '0;
    end
  end

  // outputs: DynaTran. The probabilities are 0..32767 (bit 15 is 0), so
  // |y| = y; SMX_TAU = 0 prunes exact zeros only. A kept element is then
  // non-zero, so mask bit = !prune = (element != 0).
  always_comb begin
    act_wr_req_o  = u_out_valid;
    act_wr_addr_o = orow_q + ActAddrW'(ob_q);
    for (int j = 0; j < Width; j++) begin
      prune[j] = u_out_data[j*16 +: 16] <= 16'(d_tau);
      act_wr_data_o[j*16 +: 16] = prune[j] ? 16'd0 : u_out_data[j*16 +: 16];
      act_wr_mask_o[j] = !prune[j];
    end
  end
  assign u_out_ready = act_wr_gnt_i;

  // pruned count: valid columns only (padding lanes are 0 but not counted)
  always_comb begin
    cprun_d = cprun_q;
    if (u_out_valid && act_wr_gnt_i) begin
      for (int j = 0; j < Width; j++) begin
        cprun_d = cprun_d + CntW'(prune[j] && u_out_lanes[j]);
      end
    end
  end
  assign cnt_pruned_o = cprun_q;

  always_comb begin
    ro_d   = ro_q;
    ob_d   = ob_q;
    orow_d = orow_q;
    uo_d   = uo_q;
    if (u_out_valid && act_wr_gnt_i) begin
      ob_d = ob_q + 6'd1;
      if (u_out_last) begin
        ob_d   = '0;
        ro_d   = ro_q + 16'd1;
        orow_d = orow_q + d_ldd;
        uo_d   = (32'(uo_q) == NumUnits - 1) ? '0 : uo_q + 1'b1;
      end
    end
    if (start_i && (st_q == StIdle)) begin
      uo_d   = '0;
      ro_d   = '0;
      ob_d   = '0;
      orow_d = d_dst;
    end
  end

  assign row_done_o   = u_out_valid && act_wr_gnt_i && u_out_last;
  assign busy_o       = (st_q != StIdle);
  assign done_o       = done_q;
  assign err_o        = err_q;
  assign err_detail_o = det_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q     <= StIdle;
      ri_q     <= '0;
      rb_q     <= '0;
      rl_q     <= '0;
      len_q    <= '0;
      srow_q   <= '0;
      lens_a_q <= '0;
      lens_q   <= '0;
      infl_q   <= 1'b0;
      ilast_q  <= 1'b0;
      ui_q     <= '0;
      uo_q     <= '0;
      fc_q     <= '0;
      fm_q     <= '0;
      ro_q     <= '0;
      ob_q     <= '0;
      orow_q   <= '0;
      det_q    <= '0;
      err_q    <= 1'b0;
      done_q   <= 1'b0;
      cprun_q  <= '0;
    end else begin
      st_q     <= st_d;
      ri_q     <= ri_d;
      rb_q     <= rb_d;
      rl_q     <= rl_d;
      len_q    <= len_d;
      srow_q   <= srow_d;
      lens_a_q <= lens_a_d;
      lens_q   <= lens_d;
      infl_q   <= infl_d;
      ilast_q  <= ilast_d;
      ui_q     <= ui_d;
      uo_q     <= uo_d;
      fc_q     <= fc_d;
      fm_q     <= fm_d;
      ro_q     <= ro_d;
      ob_q     <= ob_d;
      orow_q   <= orow_d;
      det_q    <= det_d;
      err_q    <= err_d;
      done_q   <= done_d;
      cprun_q  <= cprun_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  `AT_ASSERT(SmxEngStartIdle_A, start_i |-> (st_q == StIdle))
  `AT_ASSERT(SmxEngDescStable_A, busy_o && $past(busy_o) |-> $stable(desc_i))
  // the read FIFO is never pushed when full
  `AT_ASSERT(SmxEngFifoRoom_A, fpush |-> (32'(fc_q) < FifoDepth) || fpop)

endmodule
