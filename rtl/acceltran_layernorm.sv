// Row layer-norm unit, bit-exact with at_layernorm_row (cosim/fmodel/
// numerics.c; docs/numerics.md section 6; docs/rtl-layernorm.md).
//
// One row at a time, Width elements per beat:
//   cfg     one handshake per row: n, residual enable, eps_q, out (m, s).
//   in      pass 1, ceil(n/Width) beats of x (and res): v = x + res (17
//           bits) is stored, S1 = sum v and S2 = sum v^2 accumulate through
//           Width-wide adder trees.
//   stats   V = n*S2 - S1^2, Ve = (V << 8) + eps_q, k from the leading one,
//           N = Ve << 2k, sq = isqrt(N) (31 cycles), rs = floor(2^55 / sq)
//           (acceltran_recip_div, 26 cycles). Ve == 0 gives rs = 0, k = 0.
//   par/out pass 2, ceil(n/Width) beats of gamma/beta in, the same number of
//           y beats out, through a 5-stage pipeline (stored v read, c, zf,
//           zg, y) that stalls as a whole on out_ready_i.
// Why gamma/beta come in pass 2 instead of with x: they are needed only
// after the statistics, and storing them would triple the row memory (48
// bits per element against 17 for v); the producer reads them from the
// weight buffer while the output streams out.
// Lanes past n in the last beat: their x/res are ignored (v = 0), their
// gamma/beta are forced to 0, so their y is 0.
`include "acceltran_assert.svh"

module acceltran_layernorm #(
  parameter int unsigned Width = acceltran_pkg::TileSize,  // elements per beat
  parameter int unsigned MaxN  = acceltran_pkg::MaxHidden  // longest row (<= 1024: spec widths)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,

  // Row configuration (accepted when idle). n in 1..MaxN (0 acts as 1,
  // larger values as MaxN); eps_q in 0..2^61; out_s in 0..63.
  input  logic                        cfg_valid_i,
  output logic                        cfg_ready_o,
  input  logic [$clog2(MaxN+1)-1:0]   cfg_n_i,
  input  logic                        cfg_res_en_i,
  input  logic [61:0]                 cfg_eps_q_i,
  input  logic [15:0]                 cfg_out_m_i,
  input  logic [5:0]                  cfg_out_s_i,

  // Pass 1: element j of a beat at [j*16 +: 16]; res ignored unless enabled.
  input  logic                        in_valid_i,
  output logic                        in_ready_o,
  input  logic [Width*16-1:0]         in_x_i,
  input  logic [Width*16-1:0]         in_res_i,

  // Pass 2: gamma int16 at [j*16 +: 16], beta int32 at [j*32 +: 32].
  input  logic                        par_valid_i,
  output logic                        par_ready_o,
  input  logic [Width*16-1:0]         par_gamma_i,
  input  logic [Width*32-1:0]         par_beta_i,

  // Output: y int16 at [j*16 +: 16]; out_last_o marks the row's last beat.
  output logic                        out_valid_o,
  input  logic                        out_ready_i,
  output logic [Width*16-1:0]         out_y_o,
  output logic                        out_last_o,

  output logic                        busy_o
);

  // Widths of the specification (numerics.h, for rows of up to 1024).
  localparam int unsigned NWidth   = $clog2(MaxN + 1);
  localparam int unsigned VWidth   = 17;   // v = x + res
  localparam int unsigned S1Width  = 27;   // sum v
  localparam int unsigned S2Width  = 43;   // sum v^2
  localparam int unsigned SqWidth  = 33;   // v^2 (u33: (-65536)^2 = 2^32)
  localparam int unsigned VarWidth = 53;   // n*S2, S1^2, V
  localparam int unsigned VeWidth  = 62;
  localparam int unsigned CWidth   = 28;   // c = n*v - S1
  localparam int unsigned CrsWidth = 53;   // c * rs
  localparam int unsigned ZfWidth  = 21;
  localparam int unsigned ZgWidth  = 36;   // zf * gamma
  localparam int unsigned PWidth   = 52;   // zg * out_m
  localparam int unsigned YsWidth  = 53;   // rounded product + beta
  localparam int unsigned SqrtWidth = 31;
  localparam int unsigned RsWidth  = 26;
  localparam int          Int16Max = 32767;
  localparam int          Int16Min = -32768;

  localparam int unsigned Depth     = (MaxN + Width - 1) / Width;
  localparam int unsigned AddrWidth = (Depth > 1) ? $clog2(Depth) : 1;
  // Adder trees run over a power-of-two number of leaves (extra leaves 0).
  localparam int unsigned TreeW     = 1 << $clog2(Width);
  localparam int unsigned T1Width   = VWidth + $clog2(TreeW);    // sum of a beat's v
  localparam int unsigned T2Width   = SqWidth + $clog2(TreeW);   // sum of a beat's v^2
  localparam int unsigned CountWidth = NWidth;

  typedef enum logic [2:0] {
    PhIdle,      // waiting for cfg
    PhSum,       // pass 1
    PhMul,       // n*S2, S1^2
    PhVe,        // Ve
    PhNorm,      // k, N
    PhSqrt,      // start isqrt (one cycle)
    PhWait,      // isqrt, then recip_div
    PhOut        // pass 2
  } phase_e;

  // ---------------------------------------------------------------- state
  phase_e                      phase_d, phase_q;
  logic [NWidth-1:0]           n_d, n_q;
  logic                        res_en_d, res_en_q;
  logic [VeWidth-1:0]          eps_d, eps_q;
  logic [15:0]                 out_m_d, out_m_q;
  logic [5:0]                  out_s_d, out_s_q;
  logic [CountWidth-1:0]       left_d, left_q;     // elements not yet taken (pass 1) / issued (pass 2)
  logic [AddrWidth-1:0]        addr_d, addr_q;     // beat address, both passes
  logic signed [S1Width-1:0]   s1_d, s1_q;
  logic [S2Width-1:0]          s2_d, s2_q;
  logic [VarWidth-1:0]         ns2_d, ns2_q;
  logic [VarWidth-1:0]         s1sq_d, s1sq_q;
  logic [VeWidth-1:0]          ve_d, ve_q;
  logic [VeWidth-1:0]          rad_d, rad_q;       // N = Ve << 2k
  logic [4:0]                  k_d, k_q;
  logic                        div_busy_d, div_busy_q; // recip_div started, waiting for done
  logic [RsWidth-1:0]          rs_d, rs_q;

  // Pass-2 pipeline: p0 (stored v), p1 (c), p2 (zf), p3 (zg), out (y).
  logic                        vld0_d, vld0_q, vld1_d, vld1_q, vld2_d, vld2_q, vld3_d, vld3_q;
  logic                        last0_d, last0_q, last1_d, last1_q, last2_d, last2_q, last3_d, last3_q;
  logic [Width*VWidth-1:0]     v0_d, v0_q;
  logic [Width*16-1:0]         g0_d, g0_q, g1_d, g1_q, g2_d, g2_q;
  logic [Width*32-1:0]         b0_d, b0_q, b1_d, b1_q, b2_d, b2_q, b3_d, b3_q;
  logic [Width*CWidth-1:0]     c1_d, c1_q;
  logic [Width*ZfWidth-1:0]    zf2_d, zf2_q;
  logic [Width*ZgWidth-1:0]    zg3_d, zg3_q;
  logic                        out_valid_d, out_valid_q;
  logic                        out_last_d, out_last_q;
  logic [Width*16-1:0]         out_y_d, out_y_q;

  // v memory: one word per beat (no reset: every word is written in pass 1
  // before pass 2 reads it).
  logic [Width*VWidth-1:0]     mem_q [Depth];
  logic                        mem_we;
  logic [Width*VWidth-1:0]     mem_wdata;

  // Square root and reciprocal.
  logic                        sqrt_start, sqrt_busy, sqrt_done;
  logic [SqrtWidth-1:0]        sqrt_root;
  logic                        div_start, div_busy, div_done;
  logic [RsWidth-1:0]          div_quo;

  // --------------------------------------------------------- pass 1: sums
  // v^2 as u33: the signed 34-bit square is never negative.
  function automatic logic [SqWidth-1:0] ln_sq(input logic [VWidth-1:0] v);
    ln_sq = SqWidth'((2*VWidth)'($signed(v)) * (2*VWidth)'($signed(v)));
  endfunction

  logic                           in_fire;
  logic [Width*VWidth-1:0]        lane_v;
  // Heap-ordered trees (node i = node 2i+1 + node 2i+2, leaves from TreeW-1).
  logic [(2*TreeW-1)*T1Width-1:0] t1;
  logic [(2*TreeW-1)*T2Width-1:0] t2;

  always_comb begin
    lane_v = '0;
    t1     = '0;
    t2     = '0;
    for (int j = 0; j < Width; j++) begin
      // Lanes at or past the row end contribute 0 (left_q >= 1 in pass 1).
      if (CountWidth'(j) < left_q) begin
        lane_v[j*VWidth +: VWidth] = res_en_q
            ? VWidth'($signed(in_x_i[j*16 +: 16])) + VWidth'($signed(in_res_i[j*16 +: 16]))
            : VWidth'($signed(in_x_i[j*16 +: 16]));
      end
      t1[(TreeW-1+j)*T1Width +: T1Width] = T1Width'($signed(lane_v[j*VWidth +: VWidth]));
      t2[(TreeW-1+j)*T2Width +: T2Width] = T2Width'(ln_sq(lane_v[j*VWidth +: VWidth]));
    end
    for (int j = TreeW - 2; j >= 0; j--) begin
      t1[j*T1Width +: T1Width] = t1[(2*j+1)*T1Width +: T1Width] + t1[(2*j+2)*T1Width +: T1Width];
      t2[j*T2Width +: T2Width] = t2[(2*j+1)*T2Width +: T2Width] + t2[(2*j+2)*T2Width +: T2Width];
    end
    mem_wdata = lane_v;
  end

  // ------------------------------------------------ statistics (combinational parts)
  logic [VarWidth-1:0]         var_v;
  logic [5:0]                  ve_msb;
  logic [4:0]                  k_norm;

  always_comb begin
    var_v  = ns2_q - s1sq_q;                  // n^2 var >= 0 (Cauchy-Schwarz)
    ve_msb = '0;                              // 62-bit priority encoder
    for (int i = 0; i < VeWidth; i++) begin
      if (ve_q[i]) begin
        ve_msb = 6'(i);
      end
    end
    k_norm = 5'((6'(VeWidth - 1) - ve_msb) >> 1);  // 0..30
  end

  // ----------------------------------------------- pass 2: the pipeline
  // p1: c = n*v - S1 (exact, s28).
  function automatic logic [CWidth-1:0] ln_c(input logic [NWidth-1:0] n, input logic [VWidth-1:0] v,
                                             input logic [S1Width-1:0] s1);
    ln_c = CWidth'($signed({1'b0, n})) * CWidth'($signed(v)) - CWidth'($signed(s1));
  endfunction

  // p2: zf = rshift_round(c * rs, 36 - k). The shift is 6..36: shift by
  // 35 - k, keep bit 0 as the round bit, shift once more (one shifter).
  function automatic logic [ZfWidth-1:0] ln_zf(input logic [CWidth-1:0] c, input logic [RsWidth-1:0] rs,
                                               input logic [4:0] k);
    logic signed [CrsWidth-1:0] crs, sh, sh1;
    crs   = CrsWidth'($signed(c)) * CrsWidth'($signed({1'b0, rs}));
    sh    = crs >>> (6'd35 - {1'b0, k});
    sh1   = sh >>> 1;
    ln_zf = ZfWidth'(sh1 + CrsWidth'($signed({1'b0, sh[0]})));
  endfunction

  // p3: zg = zf * gamma (s36).
  function automatic logic [ZgWidth-1:0] ln_zg(input logic [ZfWidth-1:0] zf, input logic [15:0] g);
    ln_zg = ZgWidth'($signed(zf)) * ZgWidth'($signed(g));
  endfunction

  // out: y = sat16(rshift_round(zg * m, s) + beta). m is unsigned (17-bit
  // signed operand); s = 0 passes the product through; s up to 63 (an
  // arithmetic shift past the width gives the sign, as at_asr does).
  function automatic logic [15:0] ln_y(input logic [ZgWidth-1:0] zg, input logic [15:0] m,
                                       input logic [5:0] s, input logic [31:0] beta);
    logic signed [PWidth-1:0]  prod, sh, sh1;
    logic signed [YsWidth-1:0] ys;
    prod = PWidth'($signed(zg)) * PWidth'($signed({1'b0, m}));
    sh   = prod >>> (s - 6'd1);     // s = 0: unused
    sh1  = sh >>> 1;
    if (s == 6'd0) begin
      ys = YsWidth'(prod);
    end else begin
      ys = YsWidth'(sh1) + YsWidth'($signed({1'b0, sh[0]}));
    end
    ys = ys + YsWidth'($signed(beta));
    if (ys > YsWidth'(Int16Max)) begin
      ln_y = 16'h7fff;
    end else if (ys < YsWidth'(Int16Min)) begin
      ln_y = 16'h8000;
    end else begin
      ln_y = ys[15:0];
    end
  endfunction

  logic [Width*CWidth-1:0]  lane_c;
  logic [Width*ZfWidth-1:0] lane_zf;
  logic [Width*ZgWidth-1:0] lane_zg;
  logic [Width*16-1:0]      lane_y;

  always_comb begin
    for (int j = 0; j < Width; j++) begin
      lane_c[j*CWidth +: CWidth]    = ln_c(n_q, v0_q[j*VWidth +: VWidth], s1_q);
      lane_zf[j*ZfWidth +: ZfWidth] = ln_zf(c1_q[j*CWidth +: CWidth], rs_q, k_q);
      lane_zg[j*ZgWidth +: ZgWidth] = ln_zg(zf2_q[j*ZfWidth +: ZfWidth], g2_q[j*16 +: 16]);
      lane_y[j*16 +: 16]            = ln_y(zg3_q[j*ZgWidth +: ZgWidth], out_m_q, out_s_q,
                                           b3_q[j*32 +: 32]);
    end
  end

  logic adv;        // the whole pipeline moves (output register free or taken)
  logic issue;      // a beat enters p0

  // --------------------------------------------------------- control
  always_comb begin
    phase_d    = phase_q;
    n_d        = n_q;
    res_en_d   = res_en_q;
    eps_d      = eps_q;
    out_m_d    = out_m_q;
    out_s_d    = out_s_q;
    left_d     = left_q;
    addr_d     = addr_q;
    s1_d       = s1_q;
    s2_d       = s2_q;
    ns2_d      = ns2_q;
    s1sq_d     = s1sq_q;
    ve_d       = ve_q;
    rad_d      = rad_q;
    k_d        = k_q;
    div_busy_d = div_busy_q;
    rs_d       = rs_q;

    cfg_ready_o = (phase_q == PhIdle);
    in_ready_o  = (phase_q == PhSum);
    in_fire     = in_valid_i && in_ready_o;
    mem_we      = in_fire;
    sqrt_start  = (phase_q == PhSqrt) && !sqrt_busy;
    div_start   = 1'b0;

    adv         = !out_valid_q || out_ready_i;
    par_ready_o = (phase_q == PhOut) && (left_q != '0) && adv;
    issue       = par_valid_i && par_ready_o;

    case (phase_q)
      PhIdle: begin
        if (cfg_valid_i) begin
          phase_d  = PhSum;
          // Out-of-range n is clamped so that the unit always finishes a row.
          n_d      = cfg_n_i;
          if (cfg_n_i == '0) begin
            n_d = NWidth'(1);
          end else if (cfg_n_i > NWidth'(MaxN)) begin
            n_d = NWidth'(MaxN);
          end
          res_en_d = cfg_res_en_i;
          eps_d    = cfg_eps_q_i;
          out_m_d  = cfg_out_m_i;
          out_s_d  = cfg_out_s_i;
          left_d   = n_d;
          addr_d   = '0;
          s1_d     = '0;
          s2_d     = '0;
        end
      end
      PhSum: begin
        if (in_fire) begin
          s1_d   = s1_q + S1Width'($signed(t1[0 +: T1Width]));
          s2_d   = s2_q + S2Width'(t2[0 +: T2Width]);
          addr_d = addr_q + 1'b1;
          if (left_q <= CountWidth'(Width)) begin
            phase_d = PhMul;
            left_d  = n_q;          // reused as the pass-2 issue count
            addr_d  = '0;
          end else begin
            left_d = left_q - CountWidth'(Width);
          end
        end
      end
      PhMul: begin
        ns2_d   = VarWidth'(n_q) * VarWidth'(s2_q);
        s1sq_d  = VarWidth'((2*S1Width)'(s1_q) * (2*S1Width)'(s1_q));  // S1^2 <= 2^52
        phase_d = PhVe;
      end
      PhVe: begin
        ve_d    = VeWidth'({var_v, 8'h00}) + eps_q;
        phase_d = PhNorm;
      end
      PhNorm: begin
        k_d   = k_norm;
        rad_d = ve_q << {k_norm, 1'b0};   // [2^60, 2^62)
        if (ve_q == '0) begin
          // Zero variance and eps: c = 0 everywhere, every output is beta.
          k_d     = '0;
          rs_d    = '0;
          phase_d = PhOut;
        end else begin
          phase_d = PhSqrt;
        end
      end
      PhSqrt: begin
        if (sqrt_start) begin
          phase_d    = PhWait;
          div_busy_d = 1'b0;
        end
      end
      PhWait: begin
        // The divider starts in the cycle the root is done (root_o valid).
        if (sqrt_done && !div_busy) begin
          div_start  = 1'b1;
          div_busy_d = 1'b1;
        end
        if (div_busy_q && div_done) begin
          rs_d       = div_quo;
          div_busy_d = 1'b0;
          phase_d    = PhOut;
        end
      end
      PhOut: begin
        if (issue) begin
          addr_d = addr_q + 1'b1;
          if (left_q <= CountWidth'(Width)) begin
            left_d = '0;
          end else begin
            left_d = left_q - CountWidth'(Width);
          end
        end
        if (out_valid_q && out_ready_i && out_last_q) begin
          phase_d = PhIdle;
        end
      end
      default: begin
        phase_d = PhIdle;
      end
    endcase
  end

  // Pipeline registers move together when adv.
  always_comb begin
    vld0_d = vld0_q;  vld1_d = vld1_q;  vld2_d = vld2_q;  vld3_d = vld3_q;
    last0_d = last0_q; last1_d = last1_q; last2_d = last2_q; last3_d = last3_q;
    v0_d = v0_q;
    c1_d = c1_q;  zf2_d = zf2_q;  zg3_d = zg3_q;  out_y_d = out_y_q;
    g0_d = g0_q;  g1_d = g1_q;  g2_d = g2_q;
    b0_d = b0_q;  b1_d = b1_q;  b2_d = b2_q;  b3_d = b3_q;
    out_valid_d = out_valid_q;
    out_last_d  = out_last_q;
    if (adv) begin
      vld0_d  = issue;
      last0_d = issue && (left_q <= CountWidth'(Width));
      v0_d    = mem_q[addr_q];
      g0_d    = '0;
      b0_d    = '0;
      for (int j = 0; j < Width; j++) begin
        // Lanes past the row end get gamma = beta = 0, hence y = 0.
        if (CountWidth'(j) < left_q) begin
          g0_d[j*16 +: 16] = par_gamma_i[j*16 +: 16];
          b0_d[j*32 +: 32] = par_beta_i[j*32 +: 32];
        end
      end
      c1_d    = lane_c;
      zf2_d   = lane_zf;
      zg3_d   = lane_zg;
      out_y_d = lane_y;
      vld1_d = vld0_q;  last1_d = last0_q;  g1_d = g0_q;  b1_d = b0_q;
      vld2_d = vld1_q;  last2_d = last1_q;  g2_d = g1_q;  b2_d = b1_q;
      vld3_d = vld2_q;  last3_d = last2_q;                b3_d = b2_q;
      out_valid_d = vld3_q;
      out_last_d  = vld3_q && last3_q;
    end
  end

  // --------------------------------------------------------- submodules
  acceltran_isqrt #(
    .RadWidth (VeWidth)
  ) u_isqrt (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (sqrt_start),
    .rad_i   (rad_q),
    .busy_o  (sqrt_busy),
    .done_o  (sqrt_done),
    .root_o  (sqrt_root)
  );

  acceltran_recip_div #(
    .DenWidth (SqrtWidth),
    .QuoWidth (RsWidth)
  ) u_recip_div (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (div_start),
    .pow2_i  (6'd55),
    .den_i   (sqrt_root),
    .busy_o  (div_busy),
    .done_o  (div_done),
    .quo_o   (div_quo)
  );

  // --------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (mem_we) begin
      mem_q[addr_q] <= mem_wdata;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q     <= PhIdle;
      n_q         <= '0;
      res_en_q    <= 1'b0;
      eps_q       <= '0;
      out_m_q     <= '0;
      out_s_q     <= '0;
      left_q      <= '0;
      addr_q      <= '0;
      s1_q        <= '0;
      s2_q        <= '0;
      ns2_q       <= '0;
      s1sq_q      <= '0;
      ve_q        <= '0;
      rad_q       <= '0;
      k_q         <= '0;
      div_busy_q  <= 1'b0;
      rs_q        <= '0;
      vld0_q      <= 1'b0;
      vld1_q      <= 1'b0;
      vld2_q      <= 1'b0;
      vld3_q      <= 1'b0;
      last0_q     <= 1'b0;
      last1_q     <= 1'b0;
      last2_q     <= 1'b0;
      last3_q     <= 1'b0;
      v0_q        <= '0;
      g0_q        <= '0;
      g1_q        <= '0;
      g2_q        <= '0;
      b0_q        <= '0;
      b1_q        <= '0;
      b2_q        <= '0;
      b3_q        <= '0;
      c1_q        <= '0;
      zf2_q       <= '0;
      zg3_q       <= '0;
      out_valid_q <= 1'b0;
      out_last_q  <= 1'b0;
      out_y_q     <= '0;
    end else begin
      phase_q     <= phase_d;
      n_q         <= n_d;
      res_en_q    <= res_en_d;
      eps_q       <= eps_d;
      out_m_q     <= out_m_d;
      out_s_q     <= out_s_d;
      left_q      <= left_d;
      addr_q      <= addr_d;
      s1_q        <= s1_d;
      s2_q        <= s2_d;
      ns2_q       <= ns2_d;
      s1sq_q      <= s1sq_d;
      ve_q        <= ve_d;
      rad_q       <= rad_d;
      k_q         <= k_d;
      div_busy_q  <= div_busy_d;
      rs_q        <= rs_d;
      vld0_q      <= vld0_d;
      vld1_q      <= vld1_d;
      vld2_q      <= vld2_d;
      vld3_q      <= vld3_d;
      last0_q     <= last0_d;
      last1_q     <= last1_d;
      last2_q     <= last2_d;
      last3_q     <= last3_d;
      v0_q        <= v0_d;
      g0_q        <= g0_d;
      g1_q        <= g1_d;
      g2_q        <= g2_d;
      b0_q        <= b0_d;
      b1_q        <= b1_d;
      b2_q        <= b2_d;
      b3_q        <= b3_d;
      c1_q        <= c1_d;
      zf2_q       <= zf2_d;
      zg3_q       <= zg3_d;
      out_valid_q <= out_valid_d;
      out_last_q  <= out_last_d;
      out_y_q     <= out_y_d;
    end
  end

  assign out_valid_o = out_valid_q;
  assign out_last_o  = out_last_q;
  assign out_y_o     = out_y_q;
  assign busy_o      = (phase_q != PhIdle);

  // ---------------------------------------------------------------- assertions
  // output beats: held with stable data until taken
  `AT_ASSERT_HOLD(LnOutHold_A, out_valid_o, out_ready_i, {out_y_o, out_last_o})
  // the phase register holds one of its states
  `AT_ASSERT(LnPhase_A, phase_q inside {PhIdle, PhSum, PhMul, PhVe, PhNorm, PhSqrt, PhWait, PhOut})
  // one stream open at a time, by phase
  `AT_ASSERT(LnReadyPhase_A, $onehot0({cfg_ready_o, in_ready_o, par_ready_o}))

endmodule
