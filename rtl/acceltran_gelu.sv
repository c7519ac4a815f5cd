// Integer GELU of one int16 element (docs/numerics.md section 3; bit-exact
// with at_gelu in common/numerics.c), fully pipelined: one element per
// cycle, the result Latency = 7 cycles after x_i. With en_i = 0 the element
// passes through unchanged with the same latency, so the caller's pipeline
// depth does not depend on the configuration.
//
//   G1  ax = |x| (u16), prod = ax * in.m              16x16 -> u31
//   G2  t = rshift_round(prod, in.s)                  u31, Q16
//   G3  ROM: T[i], T[i+1] for i = t >> 11             a = (x > 0 ? t : 0) - T[i]
//       (t >= 160 << 11: h = 0)                       dh = T[i+1] - T[i] (s11)
//   G4  dhf = dh * f, f = t & 0x7ff                   s11 x u11 -> s22 (keep [21:10])
//   G5  g = a - rshift_round(dhf, 11)                 s32, = (x > 0 ? t : 0) - h
//   G6  gm = g * out.m                                s32 x u16 -> s48
//   G7  y = en ? sat16(rshift_round(gm, out.s)) : x
//
// The parameters are sampled at the stage that uses them (in.m: G1, in.s:
// G2, out.m: G6, out.s and en: G7): hold them until the last element is out.
module acceltran_gelu (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        en_i,
  input  logic [15:0] in_m_i,
  input  logic [5:0]  in_s_i,
  input  logic [15:0] out_m_i,
  input  logic [5:0]  out_s_i,
  input  logic [15:0] x_i,      // int16
  output logic [15:0] y_o       // int16, 7 cycles after x_i
);

  localparam int unsigned Stages = 7;
  // 160 segments of 2^11 (1/32 in Q16) cover t in [0, 5); beyond, h = 0.
  localparam logic [20:0] NumSegments = 21'd160;

  // The input element travels beside the datapath (G1..G6) for the
  // en_i = 0 bypass, which y_q takes at G7.
  logic [(Stages-1)*16-1:0] x_d, x_q;

  // G1
  logic [15:0] ax;
  logic [31:0] prod_d, prod_q;
  logic        pos1_d, pos1_q;
  // G2
  logic [32:0] t_sh;
  logic [31:0] t_d, t_q;
  logic        pos2_d, pos2_q;
  // G3
  logic        in_range;
  logic [13:0] rom_lo, rom_hi, lo;
  logic [31:0] tp;
  logic [31:0] a3_d, a3_q;
  logic [10:0] dh_d, dh_q;
  logic [10:0] f_d, f_q;
  // G4
  logic [21:0] dhf;
  logic [11:0] dhf_d, dhf_q;  // dhf[21:10]: rshift_round(dhf, 11) needs no more
  logic [31:0] a4_d, a4_q;
  // G5
  logic [10:0] r5;
  logic [31:0] g_d, g_q;
  // G6
  logic [47:0] gm_d, gm_q;
  // G7
  logic [48:0] gm_sh;
  logic [47:0] gr;
  logic [15:0] sat;
  logic [15:0] y_d, y_q;

  assign x_d = {x_q[(Stages-2)*16-1:0], x_i};

  always_comb begin
    // G1: |-32768| = 32768 still fits 16 bits unsigned. ax * m < 2^31.
    ax     = x_i[15] ? 16'(-x_i) : x_i;
    prod_d = 32'(ax) * 32'(in_m_i);
    pos1_d = !x_i[15] && (x_i != 16'd0);

    // G2: rshift_round of an unsigned value: shifting {prod, 0} keeps the
    // first dropped bit (bit s-1) as bit 0, so one shifter serves both the
    // truncation and the rounding bit; s >= 33 gives 0 as in the C model.
    t_sh   = {prod_q, 1'b0} >> in_s_i;
    t_d    = t_sh[32:1] + 32'(t_sh[0]);
    pos2_d = pos1_q;

    // G3: table lookup; a = (x > 0 ? t : 0) - T[i] (t < 2^31, so s32).
    in_range = t_q[31:11] < NumSegments;
    lo       = in_range ? rom_lo : 14'd0;
    // |T[i+1] - T[i]| < 2^10 (checked by the C model): 11 bits hold it.
    dh_d     = in_range ? 11'(rom_hi - rom_lo) : 11'd0;
    f_d      = t_q[10:0];
    tp       = pos2_q ? t_q : 32'd0;
    a3_d     = tp - 32'(lo);

    // G4: s11 x u11 -> s22.
    dhf   = 22'($signed(dh_q)) * 22'($signed({1'b0, f_q}));
    dhf_d = 12'($signed(dhf) >>> 10);
    a4_d  = a3_q;

    // G5: h = T[i] + rshift_round(dhf, 11); g = (x > 0 ? t : 0) - h.
    // dhf >>> 11 is dhf_q[11:1] read as signed, the rounding bit is
    // dhf_q[0]; |r5| <= |dh| < 2^10.
    r5     = dhf_q[11:1] + 11'(dhf_q[0]);
    g_d    = a4_q - 32'($signed(r5));

    // G6: s32 x u16 -> s48 (operands extended to the product width).
    gm_d = 48'($signed(g_q)) * 48'($signed({1'b0, out_m_i}));

    // G7: rshift_round (same trick as G2, arithmetic) and sat16.
    gm_sh = $signed({gm_q, 1'b0}) >>> out_s_i;
    gr    = gm_sh[48:1] + 48'(gm_sh[0]);
    if (gr[47:15] == {33{gr[47]}}) begin
      sat = gr[15:0];
    end else begin
      sat = gr[47] ? 16'h8000 : 16'h7fff;
    end
    y_d = en_i ? sat : x_q[(Stages-1)*16-1 -: 16];
  end

  acceltran_gelu_rom u_rom (
    .idx_i (t_q[18:11]),
    .lo_o  (rom_lo),
    .hi_o  (rom_hi)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      x_q    <= '0;
      prod_q <= '0;
      pos1_q <= 1'b0;
      t_q    <= '0;
      pos2_q <= 1'b0;
      a3_q   <= '0;
      dh_q   <= '0;
      f_q    <= '0;
      dhf_q  <= '0;
      a4_q   <= '0;
      g_q    <= '0;
      gm_q   <= '0;
      y_q    <= '0;
    end else begin
      x_q    <= x_d;
      prod_q <= prod_d;
      pos1_q <= pos1_d;
      t_q    <= t_d;
      pos2_q <= pos2_d;
      a3_q   <= a3_d;
      dh_q   <= dh_d;
      f_q    <= f_d;
      dhf_q  <= dhf_d;
      a4_q   <= a4_d;
      g_q    <= g_d;
      gm_q   <= gm_d;
      y_q    <= y_d;
    end
  end

  assign y_o = y_q;

endmodule
