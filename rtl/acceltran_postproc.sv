// Post-processing of one GEMM output row of Width elements per cycle:
// requantization, optional GELU and DynaTran pruning, bit-exact with
// at_postproc_row (at_requant, at_gelu, at_dynatran_row) in
// common/numerics.c; docs/numerics.md sections 2-4 give the
// arithmetic, docs/rtl-postproc.md the pipeline.
//
// Fully pipelined, no backpressure: a row on valid_i comes out on valid_o
// exactly Latency = 11 cycles later, a new row every cycle.
//
//   R1      x = sat48(acc + bias)                          s48 + s32 -> s49 -> s48
//   R2      p = x * m                                      s48 x u16 -> s64
//   R3      y = sat16(rshift_round(p, s))                  64-bit shifter, s 0..63
//   G1..G7  y = gelu_en ? at_gelu(y) : y                   acceltran_gelu
//   D1      |y| <= tau -> y = 0, mask 0; pruned = count
//
// Each configuration input is sampled at the stage that uses it (rq_m: R2,
// rq_s: R3, GELU parameters: G1..G7, tau: D1), so it must stay stable from
// a command's first valid_i until its last valid_o. Outputs other than
// valid_o are meaningful only while valid_o is set.
module acceltran_postproc #(
  parameter int unsigned Width    = 16,   // elements per row (one row per cycle)
  parameter int unsigned TagWidth = 8     // sideband carried alongside (e.g. row index)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // configuration, stable for a whole command
  input  logic [Width*16-1:0]         rq_m_i,       // per-column multiplier m (unsigned), col j at [j*16 +: 16]
  input  logic [Width*6-1:0]          rq_s_i,       // per-column shift s (0..63), col j at [j*6 +: 6]
  input  logic                        gelu_en_i,
  input  logic [15:0]                 gelu_in_m_i,
  input  logic [5:0]                  gelu_in_s_i,
  input  logic [15:0]                 gelu_out_m_i,
  input  logic [5:0]                  gelu_out_s_i,
  input  logic [15:0]                 tau_i,        // 0..32767 (bit 15 must be 0)
  // input row
  input  logic                        valid_i,
  input  logic [TagWidth-1:0]         tag_i,
  input  logic [Width*48-1:0]         acc_i,        // 48-bit signed accumulators, col j at [j*48 +: 48]
  input  logic [Width*32-1:0]         bias_i,       // int32 bias per column
  // output row, a fixed number of cycles later (no backpressure: a fixed-latency pipeline)
  output logic                        valid_o,
  output logic [TagWidth-1:0]         tag_o,
  output logic [Width*16-1:0]         y_o,          // int16 results
  output logic [Width-1:0]            mask_o,       // 1 = kept (non-zero), 0 = pruned
  output logic [$clog2(Width+1)-1:0]  pruned_o      // number of pruned elements in this row
);

  localparam int unsigned RqLatency   = 3;  // R1..R3
  localparam int unsigned GeluLatency = 7;  // acceltran_gelu's stages (G1..G7)
  localparam int unsigned Latency     = RqLatency + GeluLatency + 1;  // + D1
  localparam int unsigned CountWidth  = $clog2(Width + 1);

  // ---------------------------------------------------------------- sideband
  // valid and tag walk beside the data; only valid is needed for control.
  logic [Latency-1:0]          valid_d, valid_q;
  logic [Latency*TagWidth-1:0] tag_d, tag_q;

  assign valid_d = {valid_q[Latency-2:0], valid_i};
  assign tag_d   = {tag_q[(Latency-1)*TagWidth-1:0], tag_i};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      tag_q   <= '0;
    end else begin
      valid_q <= valid_d;
      tag_q   <= tag_d;
    end
  end

  assign valid_o = valid_q[Latency-1];
  assign tag_o   = tag_q[Latency*TagWidth-1 -: TagWidth];

  // ---------------------------------------------------------------- columns
  logic [Width-1:0] prune;       // D1 decision of each column
  logic [Width-1:0] mask_d, mask_q;

  for (genvar j = 0; j < Width; j++) begin : g_col
    logic [48:0] sum;
    logic [47:0] x_d, x_q;
    logic [63:0] p_d, p_q;
    logic [63:0] p_sh;
    logic        rbit;
    logic [63:0] r;
    logic [15:0] rq_y_d, rq_y_q;
    logic [15:0] gelu_y;
    logic [15:0] ay;
    logic [15:0] y_d, y_q;

    always_comb begin
      // R1: the 49-bit sum saturates to the 48-bit accumulator range. (The
      // C model's first sat48, on acc alone, is a no-op for a 48-bit input.)
      sum = 49'($signed(acc_i[j*48 +: 48])) + 49'($signed(bias_i[j*32 +: 32]));
      if (sum[48] != sum[47]) begin
        x_d = sum[48] ? {1'b1, 47'd0} : {1'b0, {47{1'b1}}};
      end else begin
        x_d = sum[47:0];
      end

      // R2: |x| <= 2^47, m < 2^16: the product fits 64 bits signed. The
      // operands are extended to the product width so no bit is lost.
      p_d = 64'($signed(x_q)) * 64'($signed({1'b0, rq_m_i[j*16 +: 16]}));

      // R3: rshift_round = (p >>> s) + bit s-1 of p (s = 0: p), then sat16.
      // (p >>> s) <= 2^62 for s >= 1, so the add cannot overflow.
      p_sh = $signed(p_q) >>> rq_s_i[j*6 +: 6];
      rbit = (rq_s_i[j*6 +: 6] != 6'd0) && p_q[rq_s_i[j*6 +: 6] - 6'd1];
      r    = p_sh + 64'(rbit);
      if (r[63:15] == {49{r[63]}}) begin
        rq_y_d = r[15:0];
      end else begin
        rq_y_d = r[63] ? 16'h8000 : 16'h7fff;
      end

      // D1: |y| as u16 (|-32768| = 32768 > any tau with bit 15 clear, so
      // -32768 is never pruned); tau = 0 prunes exact zeros only.
      ay       = gelu_y[15] ? 16'(-gelu_y) : gelu_y;
      prune[j] = ay <= tau_i;
      y_d      = prune[j] ? 16'd0 : gelu_y;
      mask_d[j] = !prune[j];
    end

    acceltran_gelu u_gelu (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .en_i    (gelu_en_i),
      .in_m_i  (gelu_in_m_i),
      .in_s_i  (gelu_in_s_i),
      .out_m_i (gelu_out_m_i),
      .out_s_i (gelu_out_s_i),
      .x_i     (rq_y_q),
      .y_o     (gelu_y)
    );

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        x_q    <= '0;
        p_q    <= '0;
        rq_y_q <= '0;
        y_q    <= '0;
      end else begin
        x_q    <= x_d;
        p_q    <= p_d;
        rq_y_q <= rq_y_d;
        y_q    <= y_d;
      end
    end

    assign y_o[j*16 +: 16] = y_q;
  end

  // ---------------------------------------------------------------- D1 count
  logic [CountWidth-1:0] pruned_d, pruned_q;

  always_comb begin
    pruned_d = '0;
    for (int unsigned j = 0; j < Width; j++) begin
      pruned_d = pruned_d + CountWidth'(prune[j]);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mask_q   <= '0;
      pruned_q <= '0;
    end else begin
      mask_q   <= mask_d;
      pruned_q <= pruned_d;
    end
  end

  assign mask_o   = mask_q;
  assign pruned_o = pruned_q;

endmodule
