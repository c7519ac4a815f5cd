// Sequential integer square root: root = floor(sqrt(rad)), digit by digit
// (restoring, two radicand bits per step), RootWidth = RadWidth / 2 steps,
// bit-exact with at_isqrt62(N) of common/numerics.c for RadWidth = 62
// (N < 2^62, 31 steps).
//
// Step (as in the C model): rem = (rem << 2) | next two radicand bits;
// trial = (root << 2) | 1; root <<= 1; if rem >= trial: rem -= trial,
// root |= 1. The remainder stays <= 2 * root < 2^(RootWidth+1) (32 bits
// stored), so the shifted remainder and the trial fit RootWidth + 3 bits
// (not 64 as in the C container).
//
// Timing (same convention as acceltran_recip_div): start_i accepted (while
// !busy_o) in cycle 0 performs the first step; done_o pulses in cycle
// RootWidth with root_o valid (held until the next start). busy_o is high in
// cycles 1..RootWidth-1, so a new start may be given in the done_o cycle.
module acceltran_isqrt #(
  parameter int unsigned RadWidth = 62  // even
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      start_i,  // accepted when !busy_o
  input  logic [RadWidth-1:0]       rad_i,
  output logic                      busy_o,
  output logic                      done_o,   // one-cycle pulse, RootWidth cycles after start
  output logic [RadWidth/2-1:0]     root_o    // valid with done_o, held until the next start
);

  localparam int unsigned RootWidth = RadWidth / 2;
  localparam int unsigned RemWidth  = RootWidth + 1;  // stored remainder
  localparam int unsigned CntWidth  = (RootWidth > 1) ? $clog2(RootWidth) : 1;

  logic                 busy_d, busy_q;
  logic                 done_d, done_q;
  logic [CntWidth-1:0]  cnt_d, cnt_q;    // steps left after the current one
  logic [RadWidth-1:0]  rad_d, rad_q;    // radicand, consumed from the top
  logic [RemWidth-1:0]  rem_d, rem_q;
  logic [RootWidth-1:0] root_d, root_q;

  // Operands of the current step: the start cycle uses the inputs directly.
  logic                 step;
  logic [CntWidth-1:0]  cnt_cur;
  logic [RadWidth-1:0]  rad_cur;
  logic [RemWidth-1:0]  rem_cur;
  logic [RootWidth-1:0] root_cur;
  logic [RemWidth+1:0]  rem_sh;          // (rem << 2) | two radicand bits
  logic [RemWidth+1:0]  trial;           // (root << 2) | 1
  logic                 take;

  always_comb begin
    busy_d   = busy_q;
    done_d   = 1'b0;
    cnt_d    = cnt_q;
    rad_d    = rad_q;
    rem_d    = rem_q;
    root_d   = root_q;

    step     = 1'b0;
    cnt_cur  = cnt_q;
    rad_cur  = rad_q;
    rem_cur  = rem_q;
    root_cur = root_q;

    if (!busy_q && start_i) begin
      step     = 1'b1;
      cnt_cur  = CntWidth'(RootWidth - 1);
      rad_cur  = rad_i;
      rem_cur  = '0;
      root_cur = '0;
    end else if (busy_q) begin
      step = 1'b1;
    end

    rem_sh = {rem_cur, rad_cur[RadWidth-1 -: 2]};
    trial  = {1'b0, root_cur, 2'b01};
    take   = (rem_sh >= trial);

    if (step) begin
      rad_d  = {rad_cur[RadWidth-3:0], 2'b00};
      // rem <= 2 * root after the step: the dropped top bits are zero.
      rem_d  = RemWidth'(take ? (rem_sh - trial) : rem_sh);
      root_d = {root_cur[RootWidth-2:0], take};
      if (cnt_cur == '0) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end else begin
        busy_d = 1'b1;
        cnt_d  = cnt_cur - 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      cnt_q  <= '0;
      rad_q  <= '0;
      rem_q  <= '0;
      root_q <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      cnt_q  <= cnt_d;
      rad_q  <= rad_d;
      rem_q  <= rem_d;
      root_q <= root_d;
    end
  end

  assign busy_o = busy_q;
  assign done_o = done_q;
  assign root_o = root_q;

endmodule
