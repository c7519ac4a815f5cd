// Sequential reciprocal: quo = floor(2^pow2 / den), one quotient bit per
// cycle from bit QuoWidth-1 down to 0, bit-exact with at_recip_div(pow2,
// den, QuoWidth) of common/numerics.c under its preconditions
// (den > 0, 2^pow2 < den * 2^QuoWidth).
//
// Why a long division instead of the C model's "rem >= den << k" form: the
// numerator is a power of two, so its bits can be brought down one at a
// time (bit k of 2^pow2 is (k == pow2)) into a partial remainder that stays
// below den. The datapath is then a DenWidth+1-bit compare/subtract instead
// of a 63-bit one; the quotient bits are the same (textbook restoring
// division). The initial remainder floor(2^pow2 / 2^QuoWidth) is < den by
// the precondition.
//
// Timing: start_i accepted (while !busy_o) in cycle 0 performs the first
// step; done_o pulses in cycle QuoWidth, with quo_o valid (and held until
// the next start). busy_o is high in cycles 1..QuoWidth-1, so a new start
// may be given in the done_o cycle: back-to-back divisions every QuoWidth
// cycles.
module acceltran_recip_div #(
  parameter int unsigned DenWidth = 36,
  parameter int unsigned QuoWidth = 27
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,    // accepted when !busy_o
  input  logic [5:0]          pow2_i,     // numerator is 2^pow2 (<= 62)
  input  logic [DenWidth-1:0] den_i,      // > 0
  output logic                busy_o,
  output logic                done_o,     // one-cycle pulse, QuoWidth cycles after start
  output logic [QuoWidth-1:0] quo_o       // valid with done_o, held until the next start
);

  localparam int unsigned CntWidth = (QuoWidth > 1) ? $clog2(QuoWidth) : 1;

  logic                busy_d, busy_q;
  logic                done_d, done_q;
  logic [CntWidth-1:0] k_d, k_q;       // quotient bit being produced
  logic [5:0]          pow2_d, pow2_q;
  logic [DenWidth-1:0] den_d, den_q;
  logic [DenWidth-1:0] rem_d, rem_q;   // partial remainder, always < den
  logic [QuoWidth-1:0] quo_d, quo_q;

  // Operands of the current step: the start cycle uses the inputs directly.
  logic                step;
  logic [CntWidth-1:0] k_cur;
  logic [5:0]          pow2_cur;
  logic [DenWidth-1:0] den_cur;
  logic [DenWidth-1:0] rem_cur;
  logic [DenWidth:0]   trial;          // 2 * rem + numerator bit k
  logic                take;

  always_comb begin
    busy_d   = busy_q;
    done_d   = 1'b0;
    k_d      = k_q;
    pow2_d   = pow2_q;
    den_d    = den_q;
    rem_d    = rem_q;
    quo_d    = quo_q;

    step     = 1'b0;
    k_cur    = k_q;
    pow2_cur = pow2_q;
    den_cur  = den_q;
    rem_cur  = rem_q;

    if (!busy_q && start_i) begin
      step     = 1'b1;
      k_cur    = CntWidth'(QuoWidth - 1);
      pow2_cur = pow2_i;
      den_cur  = den_i;
      // floor(2^pow2 / 2^QuoWidth): the numerator bits above the quotient.
      rem_cur  = '0;
      if (32'(pow2_i) >= QuoWidth) begin
        rem_cur = DenWidth'(1) << (32'(pow2_i) - QuoWidth);
      end
    end else if (busy_q) begin
      step = 1'b1;
    end

    trial = {rem_cur, 1'b0};
    trial[0] = (32'(k_cur) == 32'(pow2_cur));
    take = (trial >= {1'b0, den_cur});

    if (step) begin
      pow2_d = pow2_cur;
      den_d  = den_cur;
      rem_d  = take ? DenWidth'(trial - {1'b0, den_cur}) : DenWidth'(trial);
      quo_d  = {quo_q[QuoWidth-2:0], take};
      if (k_cur == '0) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end else begin
        busy_d = 1'b1;
        k_d    = k_cur - 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      k_q    <= '0;
      pow2_q <= '0;
      den_q  <= '0;
      rem_q  <= '0;
      quo_q  <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      k_q    <= k_d;
      pow2_q <= pow2_d;
      den_q  <= den_d;
      rem_q  <= rem_d;
      quo_q  <= quo_d;
    end
  end

  assign busy_o = busy_q;
  assign done_o = done_q;
  assign quo_o  = quo_q;

endmodule
