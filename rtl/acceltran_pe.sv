// Processing element: one output block C = A (rows x K) * W (K x 16) of up
// to BlockRows = max(16, NumLanes) rows (one 16x16 tile, or for NumLanes > 16
// several 16-row tiles stacked that share the weight stream),
// output-stationary, over any K >= 1, with zero-skipping MAC lanes.
//
// Schedule (docs/rtl-pe.md has the cycle model):
// - A tile is accepted (tile_valid_i & tile_ready_o) when the PE is idle:
//   its rows/cols/K, per-column bias and post-processing parameters are
//   registered and all accumulators are cleared.
// - Weights stream in WgtRows 16-wide rows W[k..k+WgtRows-1][0..15] per beat
//   (row k + r at wgt_i[r*256 +: 256]) into a double buffer of two 16x16
//   chunks: chunk c+1 loads while the lanes compute chunk c. A full chunk
//   takes 16 / WgtRows beats; the tail chunk (K mod 16 rows) takes
//   ceil((K mod 16) / WgtRows) beats, the rows >= K of its last beat are
//   don't care (the lanes mask them with kmask).
// - Rows are spread over the lanes: lane l owns rows l, l+Lanes, ... Each
//   lane has its own activation port; per chunk it takes one beat (16
//   activations + 16 mask bits) per owned row, in row order.
// - Lanes sync per chunk: chunk c+1 is issued in the cycle in which every
//   lane finishes chunk c (no bubble) if its weights are loaded, otherwise
//   as soon as they are. Finishing chunk c frees its weight bank.
// - After the last chunk, the rows drain one per cycle (row 0 first) into
//   post-processing; acc_* shows the raw accumulators of the row drained.
// Lanes: all NumLanes lanes are built; a block has BlockRows rows, so with
// more than 16 lanes (server, 32) the block is 32 rows, one per lane.
`include "acceltran_assert.svh"

module acceltran_pe #(
  parameter int unsigned NumLanes = acceltran_pkg::NumLanes,
  parameter int unsigned CntW = 48,
  // weight rows per beat; divides 16 (acceltran_pkg::WgtRowsPerBeat)
  parameter int unsigned WgtRows = acceltran_pkg::WgtRowsPerBeat,
  localparam int unsigned Tile = acceltran_pkg::TileSize,
  localparam int unsigned Macs = acceltran_pkg::MacsPerLane,
  localparam int unsigned AccW = 48,
  localparam int unsigned Lanes = NumLanes,
  localparam int unsigned BlockRows = (NumLanes > Tile) ? NumLanes : Tile,
  localparam int unsigned RowsW = $clog2(BlockRows + 1),     // rows field: 1..BlockRows
  localparam int unsigned RowW = $clog2(BlockRows),          // row index
  localparam int unsigned RowsPerLane = (BlockRows + Lanes - 1) / Lanes,
  localparam int unsigned LaneRowW = (RowsPerLane > 1) ? $clog2(RowsPerLane) : 1,
  localparam int unsigned BeatW = $clog2(RowsPerLane + 1),
  localparam int unsigned LaneW = (Lanes > 1) ? $clog2(Lanes) : 1,
  localparam int unsigned ChunkW = 12  // K <= 65535: up to 4096 chunks
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // Tile descriptor.
  input  logic                        tile_valid_i,
  output logic                        tile_ready_o,
  input  logic [RowsW-1:0]            tile_rows_i,   // 1..BlockRows
  input  logic [4:0]                  tile_cols_i,   // 1..16
  input  logic [15:0]                 tile_k_i,      // 1..65535
  input  logic [Macs*32-1:0]          bias_i,        // int32 per column
  input  logic [Macs*16-1:0]          rq_m_i,        // requant m per column
  input  logic [Macs*6-1:0]           rq_s_i,        // requant s per column
  input  logic                        gelu_en_i,
  input  logic [15:0]                 gelu_in_m_i,
  input  logic [5:0]                  gelu_in_s_i,
  input  logic [15:0]                 gelu_out_m_i,
  input  logic [5:0]                  gelu_out_s_i,
  input  logic [15:0]                 tau_i,
  // Weight beats: WgtRows rows each, k ascending (row k0 + r at [r*Macs*16 +: Macs*16]).
  input  logic                        wgt_valid_i,
  output logic                        wgt_ready_o,
  input  logic [WgtRows*Macs*16-1:0]  wgt_i,
  // Activation beats, one port per lane.
  input  logic [NumLanes-1:0]         act_valid_i,
  output logic [NumLanes-1:0]         act_ready_o,
  input  logic [NumLanes*Tile*16-1:0] act_i,
  input  logic [NumLanes*Tile-1:0]    act_mask_i,
  // Raw accumulators of the row being drained (no bias, no backpressure).
  output logic                        acc_valid_o,
  output logic [RowW-1:0]             acc_row_o,
  output logic [Macs*AccW-1:0]        acc_o,
  // Post-processed output rows (fixed latency after acc_*, no backpressure):
  // columns >= cols read 0 with mask 0 and are not counted as pruned.
  output logic                        out_valid_o,
  output logic [RowW-1:0]             out_row_o,
  output logic [Macs*16-1:0]          out_y_o,
  output logic [Macs-1:0]             out_mask_o,
  output logic [4:0]                  out_pruned_o,
  output logic                        busy_o,
  // Free-running counters (since reset), docs/rtl-pe.md.
  output logic [CntW-1:0]             cnt_busy_o,
  output logic [CntW-1:0]             cnt_stall_wgt_o,
  output logic [CntW-1:0]             cnt_stall_act_o,
  output logic [CntW-1:0]             cnt_mac_issued_o,
  output logic [CntW-1:0]             cnt_mac_skipped_o,
  output logic [CntW-1:0]             cnt_pruned_o
);

  typedef enum logic [1:0] {
    StIdle  = 2'd0,
    StComp  = 2'd1,
    StWait  = 2'd2,  // rows of the previous tile still in post-processing
    StDrain = 2'd3
  } state_e;

  state_e              state_q, state_d;
  logic [RowsW-1:0]    rows_q, rows_d;
  logic [4:0]          cols_q, cols_d;
  logic [ChunkW-1:0]   last_chunk_q, last_chunk_d;   // nchunks - 1
  logic [3:0]          tail_q, tail_d;               // K mod 16
  logic [Macs*32-1:0]  bias_q, bias_d;
  logic [Macs*16-1:0]  rq_m_q, rq_m_d;
  logic [Macs*6-1:0]   rq_s_q, rq_s_d;
  logic                gelu_en_q, gelu_en_d;
  logic [15:0]         gelu_in_m_q, gelu_in_m_d, gelu_out_m_q, gelu_out_m_d;
  logic [5:0]          gelu_in_s_q, gelu_in_s_d, gelu_out_s_q, gelu_out_s_d;
  logic [15:0]         tau_q, tau_d;
  // weight double buffer
  logic [Tile*Macs*16-1:0] bank0_q, bank0_d, bank1_q, bank1_d;
  logic [1:0]          full_q, full_d;
  logic [ChunkW:0]     wl_chunk_q, wl_chunk_d;       // chunk being loaded
  logic [3:0]          wl_row_q, wl_row_d;         // first row of the next beat
  // compute
  logic [ChunkW-1:0]   cc_q, cc_d;                   // chunk in (or next to) the lanes
  logic                run_q, run_d;                 // chunk cc_q is in the lanes
  logic [RowW-1:0]     drain_q, drain_d;
  // counters
  logic [CntW-1:0]     c_busy_q, c_busy_d, c_swgt_q, c_swgt_d, c_sact_q, c_sact_d;
  logic [CntW-1:0]     c_mac_q, c_mac_d, c_skip_q, c_skip_d, c_prun_q, c_prun_d;

  // lane interface
  logic                    lane_clear, lane_start;
  logic [Lanes*BeatW-1:0]  lane_nbeats;   // lane l at [l*BeatW +: BeatW]
  logic [Tile-1:0]         lane_kmask;
  logic [Lanes-1:0]        lane_done_next, lane_mac, lane_stall, lane_ready;
  logic [Lanes*5-1:0]      lane_skip;
  logic [Lanes*Macs*AccW-1:0] lane_acc;
  logic [LaneRowW-1:0]     lane_rd_row;
  logic [Tile*Macs*16-1:0] wgt_active;

  logic                    tile_go, wgt_go, all_done_next, chunk_end, issue;
  logic [ChunkW-1:0]       issue_chunk;
  logic [3:0]              wl_last_row;
  localparam logic [3:0] RowMask = 4'(WgtRows - 1);  // row offset within a beat
  localparam logic [3:0] RowStep = 4'(WgtRows);      // 16 wraps to 0: one beat per chunk
  localparam int unsigned SkipW = $clog2(Lanes * Tile + 1);
  localparam int unsigned MacW = $clog2(Lanes + 1);
  localparam int unsigned TagW = 5 + RowW;  // {cols, row}
  logic [MacW-1:0]         n_mac;
  logic [SkipW-1:0]        n_skip;   // zero activations taken this cycle
  logic                    pp_load;
  logic [5:0]              pp_cnt_q, pp_cnt_d;
  logic [Macs*32-1:0]      pp_bias_q, pp_bias_d;
  logic [Macs*16-1:0]      pp_rq_m_q, pp_rq_m_d;
  logic [Macs*6-1:0]       pp_rq_s_q, pp_rq_s_d;
  logic                    pp_gelu_en_q, pp_gelu_en_d;
  logic [15:0]             pp_gelu_in_m_q, pp_gelu_in_m_d, pp_gelu_out_m_q, pp_gelu_out_m_d;
  logic [5:0]              pp_gelu_in_s_q, pp_gelu_in_s_d, pp_gelu_out_s_q, pp_gelu_out_s_d;
  logic [15:0]             pp_tau_q, pp_tau_d;

  assign tile_ready_o = (state_q == StIdle);
  assign tile_go      = tile_valid_i && tile_ready_o;
  assign busy_o       = (state_q != StIdle);
  assign wgt_active   = cc_q[0] ? bank1_q : bank0_q;

  always_comb begin
    state_d      = state_q;
    rows_d       = rows_q;
    cols_d       = cols_q;
    last_chunk_d = last_chunk_q;
    tail_d       = tail_q;
    bias_d       = bias_q;
    rq_m_d       = rq_m_q;
    rq_s_d       = rq_s_q;
    gelu_en_d    = gelu_en_q;
    gelu_in_m_d  = gelu_in_m_q;
    gelu_in_s_d  = gelu_in_s_q;
    gelu_out_m_d = gelu_out_m_q;
    gelu_out_s_d = gelu_out_s_q;
    tau_d        = tau_q;
    bank0_d      = bank0_q;
    bank1_d      = bank1_q;
    full_d       = full_q;
    wl_chunk_d   = wl_chunk_q;
    wl_row_d     = wl_row_q;
    cc_d         = cc_q;
    run_d        = run_q;
    drain_d      = drain_q;
    lane_clear   = 1'b0;
    lane_start   = 1'b0;

    // ---- weight loader: fills the bank of chunk wl_chunk_q when it is free
    wl_last_row = (wl_chunk_q[ChunkW-1:0] == last_chunk_q && tail_q != 4'd0) ?
                  tail_q - 4'd1 : 4'd15;
    wgt_ready_o = (state_q == StComp) && (wl_chunk_q <= {1'b0, last_chunk_q}) &&
                  !full_q[wl_chunk_q[0]];
    wgt_go = wgt_valid_i && wgt_ready_o;
    if (wgt_go) begin
      for (int k = 0; k < Tile; k++) begin
        if ((4'(k) & ~RowMask) == wl_row_q) begin
          if (wl_chunk_q[0]) bank1_d[k*Macs*16 +: Macs*16] = wgt_i[(k % WgtRows)*Macs*16 +: Macs*16];
          else               bank0_d[k*Macs*16 +: Macs*16] = wgt_i[(k % WgtRows)*Macs*16 +: Macs*16];
        end
      end
      // last beat of the chunk: it holds row wl_last_row
      if ({1'b0, wl_row_q} + {1'b0, RowMask} >= {1'b0, wl_last_row}) begin
        full_d[wl_chunk_q[0]] = 1'b1;
        wl_chunk_d = wl_chunk_q + 1'b1;
        wl_row_d   = '0;
      end else begin
        wl_row_d = wl_row_q + RowStep;
      end
    end

    // ---- compute: issue chunks to the lanes, sync on all done_next
    all_done_next = &lane_done_next;
    chunk_end     = (state_q == StComp) && run_q && all_done_next;
    issue         = 1'b0;
    issue_chunk   = cc_q;
    if (chunk_end) begin
      full_d[cc_q[0]] = 1'b0;  // its weights are no longer needed
      if (cc_q == last_chunk_q) begin
        state_d = StWait;
        run_d   = 1'b0;
        drain_d = '0;
      end else begin
        cc_d        = cc_q + 1'b1;
        issue_chunk = cc_q + 1'b1;
        issue       = full_q[issue_chunk[0]];
        run_d       = issue;
      end
    end else if ((state_q == StComp) && !run_q && full_q[cc_q[0]]) begin
      issue = 1'b1;
      run_d = 1'b1;
    end
    lane_start = issue;
    lane_kmask = '1;
    if (issue_chunk == last_chunk_q && tail_q != 4'd0) begin
      lane_kmask = Tile'((17'd1 << tail_q) - 17'd1);
    end

    // ---- drain: one row per cycle. Post-processing takes its parameters
    // from the pp_* copies, which change only when it is empty.
    pp_load = (state_q == StWait) && (pp_cnt_q == '0);
    if (pp_load) state_d = StDrain;
    if (state_q == StDrain) begin
      drain_d = drain_q + 1'b1;
      if (RowsW'(drain_q) + RowsW'(1) == rows_q) state_d = StIdle;
    end

    // ---- tile accept
    if (tile_go) begin
      state_d      = StComp;
      rows_d       = tile_rows_i;
      cols_d       = tile_cols_i;
      last_chunk_d = ChunkW'((tile_k_i - 16'd1) >> 4);
      tail_d       = tile_k_i[3:0];
      bias_d       = bias_i;
      rq_m_d       = rq_m_i;
      rq_s_d       = rq_s_i;
      gelu_en_d    = gelu_en_i;
      gelu_in_m_d  = gelu_in_m_i;
      gelu_in_s_d  = gelu_in_s_i;
      gelu_out_m_d = gelu_out_m_i;
      gelu_out_s_d = gelu_out_s_i;
      tau_d        = tau_i;
      full_d       = '0;
      wl_chunk_d   = '0;
      wl_row_d     = '0;
      cc_d         = '0;
      run_d        = 1'b0;
      lane_clear   = 1'b1;
    end
  end

  // Beats per lane this tile: rows r < rows with r mod Lanes == l.
  always_comb begin
    for (int l = 0; l < Lanes; l++) begin
      lane_nbeats[l*BeatW +: BeatW] = (rows_q > RowsW'(l)) ?
                                      BeatW'((rows_q - RowsW'(l) - RowsW'(1)) / RowsW'(Lanes) + RowsW'(1)) : '0;
    end
  end

  assign lane_rd_row = LaneRowW'(RowsW'(drain_q) / RowsW'(Lanes));

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    acceltran_mac_lane #(
      .Rows(RowsPerLane)
    ) u_lane (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .clear_i     (lane_clear),
      .start_i     (lane_start),
      .nbeats_i    (lane_nbeats[l*BeatW +: BeatW]),
      .kmask_i     (lane_kmask),
      .act_valid_i (act_valid_i[l]),
      .act_ready_o (lane_ready[l]),
      .act_i       (act_i[l*Tile*16 +: Tile*16]),
      .act_mask_i  (act_mask_i[l*Tile +: Tile]),
      .wgt_i       (wgt_active),
      .done_next_o (lane_done_next[l]),
      .mac_o       (lane_mac[l]),
      .skip_o      (lane_skip[l*5 +: 5]),
      .stall_o     (lane_stall[l]),
      .rd_row_i    (lane_rd_row),
      .rd_acc_o    (lane_acc[l*Macs*AccW +: Macs*AccW])
    );
  end

  assign act_ready_o = lane_ready;

  // ---- drain output
  always_comb begin
    acc_valid_o = (state_q == StDrain);
    acc_row_o   = drain_q;
    acc_o       = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (LaneW'(l) == LaneW'(RowsW'(drain_q) % RowsW'(Lanes))) acc_o = lane_acc[l*Macs*AccW +: Macs*AccW];
    end
  end

  // ---- post-processing (requant, GELU, DynaTran)
  // The tag carries the row and the tile's cols: rows leave post-processing
  // after the next tile may have been accepted.
  logic               pp_valid;
  logic [TagW-1:0]    pp_tag;
  logic [Macs*16-1:0] pp_y;
  logic [Macs-1:0]    pp_mask;
  logic [4:0]         pp_pruned;
  logic [Macs-1:0]    col_mask;

  always_comb begin
    pp_bias_d       = pp_bias_q;
    pp_rq_m_d       = pp_rq_m_q;
    pp_rq_s_d       = pp_rq_s_q;
    pp_gelu_en_d    = pp_gelu_en_q;
    pp_gelu_in_m_d  = pp_gelu_in_m_q;
    pp_gelu_in_s_d  = pp_gelu_in_s_q;
    pp_gelu_out_m_d = pp_gelu_out_m_q;
    pp_gelu_out_s_d = pp_gelu_out_s_q;
    pp_tau_d        = pp_tau_q;
    if (pp_load) begin
      pp_bias_d       = bias_q;
      pp_rq_m_d       = rq_m_q;
      pp_rq_s_d       = rq_s_q;
      pp_gelu_en_d    = gelu_en_q;
      pp_gelu_in_m_d  = gelu_in_m_q;
      pp_gelu_in_s_d  = gelu_in_s_q;
      pp_gelu_out_m_d = gelu_out_m_q;
      pp_gelu_out_s_d = gelu_out_s_q;
      pp_tau_d        = tau_q;
    end
    // rows inside post-processing
    pp_cnt_d = pp_cnt_q + 6'(acc_valid_o) - 6'(pp_valid);
  end

  acceltran_postproc #(
    .Width    (Macs),
    .TagWidth (TagW)
  ) u_postproc (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .rq_m_i       (pp_rq_m_q),
    .rq_s_i       (pp_rq_s_q),
    .gelu_en_i    (pp_gelu_en_q),
    .gelu_in_m_i  (pp_gelu_in_m_q),
    .gelu_in_s_i  (pp_gelu_in_s_q),
    .gelu_out_m_i (pp_gelu_out_m_q),
    .gelu_out_s_i (pp_gelu_out_s_q),
    .tau_i        (pp_tau_q),
    .valid_i      (acc_valid_o),
    .tag_i        ({cols_q, acc_row_o}),
    .acc_i        (acc_o),
    .bias_i       (pp_bias_q),
    .valid_o      (pp_valid),
    .tag_o        (pp_tag),
    .y_o          (pp_y),
    .mask_o       (pp_mask),
    .pruned_o     (pp_pruned)
  );

  always_comb begin
    for (int j = 0; j < Macs; j++) col_mask[j] = (5'(j) < pp_tag[TagW-1:RowW]);
    out_valid_o = pp_valid;
    out_row_o   = pp_tag[RowW-1:0];
    out_mask_o  = pp_mask & col_mask;
    out_y_o     = '0;
    for (int j = 0; j < Macs; j++) begin
      if (col_mask[j]) out_y_o[j*16 +: 16] = pp_y[j*16 +: 16];
    end
    // pruned among the tile's columns (what at_postproc_row(n = cols)
    // counts); pp_pruned also counts the unused columns.
    out_pruned_o = '0;
    for (int j = 0; j < Macs; j++) begin
      out_pruned_o = out_pruned_o + {4'd0, col_mask[j] & ~pp_mask[j]};
    end
  end

  logic unused_pp;
  assign unused_pp = ^pp_pruned;

  // ---- counters
  always_comb begin
    n_mac  = '0;
    n_skip = '0;
    for (int l = 0; l < Lanes; l++) begin
      n_mac  = n_mac + MacW'(lane_mac[l]);
      n_skip = n_skip + SkipW'(lane_skip[l*5 +: 5]);
    end
    c_busy_d = c_busy_q + CntW'(busy_o);
    c_swgt_d = c_swgt_q + CntW'((state_q == StComp) && !run_q);
    c_sact_d = c_sact_q + CntW'((state_q == StComp) && run_q && (lane_stall != '0));
    c_mac_d  = c_mac_q + CntW'({n_mac, 4'd0});
    c_skip_d = c_skip_q + CntW'({n_skip, 4'd0});
    c_prun_d = c_prun_q + (out_valid_o ? CntW'(out_pruned_o) : '0);
  end

  assign cnt_busy_o        = c_busy_q;
  assign cnt_stall_wgt_o   = c_swgt_q;
  assign cnt_stall_act_o   = c_sact_q;
  assign cnt_mac_issued_o  = c_mac_q;
  assign cnt_mac_skipped_o = c_skip_q;
  assign cnt_pruned_o      = c_prun_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      rows_q       <= RowsW'(1);
      cols_q       <= 5'd16;
      last_chunk_q <= '0;
      tail_q       <= '0;
      bias_q       <= '0;
      rq_m_q       <= '0;
      rq_s_q       <= '0;
      gelu_en_q    <= 1'b0;
      gelu_in_m_q  <= '0;
      gelu_in_s_q  <= '0;
      gelu_out_m_q <= '0;
      gelu_out_s_q <= '0;
      tau_q        <= '0;
      bank0_q      <= '0;
      bank1_q      <= '0;
      full_q       <= '0;
      wl_chunk_q   <= '0;
      wl_row_q     <= '0;
      cc_q         <= '0;
      run_q        <= 1'b0;
      drain_q      <= '0;
      c_busy_q     <= '0;
      c_swgt_q     <= '0;
      c_sact_q     <= '0;
      c_mac_q      <= '0;
      c_skip_q     <= '0;
      c_prun_q     <= '0;
      pp_cnt_q        <= '0;
      pp_bias_q       <= '0;
      pp_rq_m_q       <= '0;
      pp_rq_s_q       <= '0;
      pp_gelu_en_q    <= 1'b0;
      pp_gelu_in_m_q  <= '0;
      pp_gelu_in_s_q  <= '0;
      pp_gelu_out_m_q <= '0;
      pp_gelu_out_s_q <= '0;
      pp_tau_q        <= '0;
    end else begin
      state_q      <= state_d;
      rows_q       <= rows_d;
      cols_q       <= cols_d;
      last_chunk_q <= last_chunk_d;
      tail_q       <= tail_d;
      bias_q       <= bias_d;
      rq_m_q       <= rq_m_d;
      rq_s_q       <= rq_s_d;
      gelu_en_q    <= gelu_en_d;
      gelu_in_m_q  <= gelu_in_m_d;
      gelu_in_s_q  <= gelu_in_s_d;
      gelu_out_m_q <= gelu_out_m_d;
      gelu_out_s_q <= gelu_out_s_d;
      tau_q        <= tau_d;
      bank0_q      <= bank0_d;
      bank1_q      <= bank1_d;
      full_q       <= full_d;
      wl_chunk_q   <= wl_chunk_d;
      wl_row_q     <= wl_row_d;
      cc_q         <= cc_d;
      run_q        <= run_d;
      drain_q      <= drain_d;
      c_busy_q     <= c_busy_d;
      c_swgt_q     <= c_swgt_d;
      c_sact_q     <= c_sact_d;
      c_mac_q      <= c_mac_d;
      c_skip_q     <= c_skip_d;
      c_prun_q     <= c_prun_d;
      pp_cnt_q        <= pp_cnt_d;
      pp_bias_q       <= pp_bias_d;
      pp_rq_m_q       <= pp_rq_m_d;
      pp_rq_s_q       <= pp_rq_s_d;
      pp_gelu_en_q    <= pp_gelu_en_d;
      pp_gelu_in_m_q  <= pp_gelu_in_m_d;
      pp_gelu_in_s_q  <= pp_gelu_in_s_d;
      pp_gelu_out_m_q <= pp_gelu_out_m_d;
      pp_gelu_out_s_q <= pp_gelu_out_s_d;
      pp_tau_q        <= pp_tau_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  `AT_ASSERT(PeState_A, state_q inside {StIdle, StComp, StWait, StDrain})

endmodule
