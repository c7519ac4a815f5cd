// One MAC lane of a PE: 16 multipliers (acceltran_pkg::MacsPerLane) and the
// 48-bit accumulators of the output rows this lane owns (Rows of them).
//
// Zero-skipping: per chunk the lane takes NBeats activation beats (one
// 16-element chunk of one of its rows each) and walks only the effective
// non-zeros of each beat, mask bit AND value != 0 AND k < K (kmask), lowest
// k first. Each cycle it multiplies one non-zero a[k] by the weight row
// W[k][0..15] and adds the 16 products into that row's accumulators.
//
// Cost: a beat with n effective non-zeros takes max(n, 1) cycles. The first
// non-zero of a beat is taken straight from the port (no load bubble); the
// rest wait in cur_*_q. An all-zero beat costs 1 cycle: the port moves one
// beat per cycle (docs/rtl-pe.md).
module acceltran_mac_lane #(
  parameter int unsigned Rows = 4,
  localparam int unsigned Tile = acceltran_pkg::TileSize,
  localparam int unsigned Macs = acceltran_pkg::MacsPerLane,
  localparam int unsigned AccW = 48,
  localparam int unsigned RowW = (Rows > 1) ? $clog2(Rows) : 1,
  localparam int unsigned BeatW = $clog2(Rows + 1)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // Tile start: zero every accumulator.
  input  logic                        clear_i,
  // Chunk start: take nbeats_i beats with k-valid mask kmask_i (the tail
  // chunk of a K that is not a multiple of 16 has fewer valid k).
  input  logic                        start_i,
  input  logic [BeatW-1:0]            nbeats_i,
  input  logic [Tile-1:0]             kmask_i,
  // Activation beats: local rows 0..nbeats-1 of this chunk, in order.
  input  logic                        act_valid_i,
  output logic                        act_ready_o,
  input  logic [Tile*16-1:0]          act_i,
  input  logic [Tile-1:0]             act_mask_i,
  // The active weight chunk: W[k][j] at [(k*Macs + j)*16 +: 16].
  input  logic [Tile*Macs*16-1:0]     wgt_i,
  // Nothing left of the chunk after this cycle (the PE syncs the lanes on
  // it without a bubble).
  output logic                        done_next_o,
  // Events this cycle: a non-zero processed (Macs MACs), zero activations
  // (within K) of the beat taken, waiting for an activation beat.
  output logic                        mac_o,
  output logic [4:0]                  skip_o,
  output logic                        stall_o,
  // Accumulator read port (drain).
  input  logic [RowW-1:0]             rd_row_i,
  output logic [Macs*AccW-1:0]        rd_acc_o
);

  logic [Rows*Macs*AccW-1:0] acc_q, acc_d;
  logic [Tile-1:0]           cur_mask_q, cur_mask_d;
  logic [Tile*16-1:0]        cur_act_q, cur_act_d;
  logic [RowW-1:0]           cur_row_q, cur_row_d;
  logic [BeatW-1:0]          beat_q, beat_d;      // beats taken this chunk
  logic [BeatW-1:0]          nbeats_q, nbeats_d;
  logic [Tile-1:0]           kmask_q, kmask_d;

  // Pre-sparsity walker: lowest set bit of the working non-zero set.
  function automatic logic [3:0] lowest_bit(logic [Tile-1:0] m);
    lowest_bit = 4'd0;
    for (int b = Tile - 1; b >= 0; b--) begin
      if (m[b]) lowest_bit = 4'(b);
    end
  endfunction

  function automatic logic [4:0] popcount16(logic [Tile-1:0] m);
    popcount16 = 5'd0;
    for (int b = 0; b < Tile; b++) popcount16 = popcount16 + 5'(m[b]);
  endfunction

  logic [Tile-1:0]    eff_mask, work_mask;
  logic [Tile*16-1:0] work_act;
  logic [RowW-1:0]    work_row;
  logic               take;
  logic [3:0]         kk;
  logic signed [15:0] a_val;
  logic [Macs*16-1:0] w_row;
  logic signed [31:0] prod;
  logic [Macs*AccW-1:0] row_acc, row_sum;

  // Kept apart from the state update: the PE derives start_i from
  // done_next_o of every lane.
  logic [Tile-1:0]  rem_mask;
  logic [BeatW-1:0] beat_next;
  always_comb begin
    // Remaining non-zeros: drop the lowest set bit.
    rem_mask    = work_mask & (work_mask - 16'd1);
    beat_next   = take ? beat_q + 1'b1 : beat_q;
    done_next_o = (rem_mask == '0) && (beat_next == nbeats_q);
  end

  always_comb begin
    // Effective non-zero set of the beat on the port.
    for (int k = 0; k < Tile; k++) begin
      eff_mask[k] = act_mask_i[k] & (act_i[k*16 +: 16] != 16'd0) & kmask_q[k];
    end

    act_ready_o = (cur_mask_q == '0) && (beat_q != nbeats_q);
    take        = act_ready_o && act_valid_i;
    stall_o     = act_ready_o && !act_valid_i;
    work_mask   = take ? eff_mask : cur_mask_q;
    work_act    = take ? act_i : cur_act_q;
    work_row    = take ? RowW'(beat_q) : cur_row_q;
    skip_o      = take ? popcount16(kmask_q & ~eff_mask) : 5'd0;
    mac_o       = (work_mask != '0);

    kk    = lowest_bit(work_mask);
    a_val = '0;
    w_row = '0;
    for (int k = 0; k < Tile; k++) begin
      if (4'(k) == kk) begin
        a_val = work_act[k*16 +: 16];
        w_row = wgt_i[k*Macs*16 +: Macs*16];
      end
    end

    // 16 multipliers and 16 adders, shared by the rows: read the working
    // row, add the products, write it back.
    row_acc = '0;
    for (int r = 0; r < Rows; r++) begin
      if (RowW'(r) == work_row) row_acc = acc_q[r*Macs*AccW +: Macs*AccW];
    end
    for (int j = 0; j < Macs; j++) begin
      // 16 x 16 -> 32-bit signed product, sign-extended to 48 bits
      prod = $signed({{16{a_val[15]}}, a_val}) *
             $signed({{16{w_row[j*16+15]}}, w_row[j*16 +: 16]});
      row_sum[j*AccW +: AccW] = row_acc[j*AccW +: AccW] + {{(AccW-32){prod[31]}}, prod};
    end
    acc_d = acc_q;
    if (clear_i) begin
      acc_d = '0;
    end else if (mac_o) begin
      for (int r = 0; r < Rows; r++) begin
        if (RowW'(r) == work_row) acc_d[r*Macs*AccW +: Macs*AccW] = row_sum;
      end
    end

    cur_mask_d = rem_mask;
    cur_act_d  = take ? act_i : cur_act_q;
    cur_row_d  = work_row;
    beat_d     = beat_next;
    nbeats_d   = nbeats_q;
    kmask_d    = kmask_q;
    if (start_i || clear_i) begin
      // A chunk starts only once every lane is done_next, so nothing is lost.
      cur_mask_d = '0;
      beat_d     = '0;
      nbeats_d   = start_i ? nbeats_i : '0;
      kmask_d    = kmask_i;
    end

    rd_acc_o = '0;
    for (int r = 0; r < Rows; r++) begin
      if (RowW'(r) == rd_row_i) rd_acc_o = acc_q[r*Macs*AccW +: Macs*AccW];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q      <= '0;
      cur_mask_q <= '0;
      cur_act_q  <= '0;
      cur_row_q  <= '0;
      beat_q     <= '0;
      nbeats_q   <= '0;
      kmask_q    <= '0;
    end else begin
      acc_q      <= acc_d;
      cur_mask_q <= cur_mask_d;
      cur_act_q  <= cur_act_d;
      cur_row_q  <= cur_row_d;
      beat_q     <= beat_d;
      nbeats_q   <= nbeats_d;
      kmask_q    <= kmask_d;
    end
  end

endmodule
