// Exp stage of the softmax unit: e = 2^-u, u in Q16 log2 units, e in Q26,
// bit-exact with at_exp2_neg_q16 (common/numerics.c). Purely
// combinational; acceltran_softmax instantiates one per lane.
//
//   z = u >> 16, f = u & 0xFFFF, j = f >> 13, t = f & 0x1FFF
//   a = c1[j] + ((c2[j] * t) >>> 16)          (a < 0)
//   P = c0[j] + ((a * t) >>> 16)              Q26, (2^25, 2^26]
//   e = z >= 28 ? 0 : rshift_round(P, z)
//
// Why unsigned: every c1 is negative and a stays negative (|c1| > 2^25 >
// c2 t / 2^16), so with na = -a = nc1 - ((c2 t) >> 16) > 0 the floor of a
// negative product is P = c0 - ceil(na t / 2^16). No signed multiplier.
// The ROM holds exactly at_exp2_poly (c0, -c1, c2); the unit test sweeps
// every f for every z against the C model.
module acceltran_softmax_exp (
  input  logic [31:0] u_i,  // Q16 log2 units
  output logic [26:0] e_o   // Q26, <= 2^26
);

  logic [15:0] z;
  logic [2:0]  j;
  logic [12:0] t;
  logic [26:0] c0;          // < 2^27
  logic [25:0] nc1;         // -c1 < 2^26
  logic [23:0] c2;          // < 2^24
  logic [20:0] c2t_hi;      // (c2 t) >> 16, c2 t: 24 x 13 = 37 bits
  logic [25:0] na;          // -a, > 0
  logic [38:0] nat;         // 26 x 13 bits
  logic [23:0] nat_ceil;    // ceil(na t / 2^16)
  logic [26:0] p;           // Q26
  logic [27:0] p_shift;     // {P, 0} >> z: bit 0 is the rounding bit

  // at_exp2_poly, Q26, as {c0, -c1, c2} per segment j.
  always_comb begin
    c0  = 27'd67108864;
    nc1 = 26'd46488146;
    c2  = 24'd15440251;
    unique case (j)
      3'd0: begin c0 = 27'd67108864; nc1 = 26'd46488146; c2 = 24'd15440251; end
      3'd1: begin c0 = 27'd61539100; nc1 = 26'd42629818; c2 = 24'd14158773; end
      3'd2: begin c0 = 27'd56431603; nc1 = 26'd39091716; c2 = 24'd12983652; end
      3'd3: begin c0 = 27'd51748008; nc1 = 26'd35847261; c2 = 24'd11906061; end
      3'd4: begin c0 = 27'd47453133; nc1 = 26'd32872084; c2 = 24'd10917906; end
      3'd5: begin c0 = 27'd43514715; nc1 = 26'd30143834; c2 = 24'd10011764; end
      3'd6: begin c0 = 27'd39903169; nc1 = 26'd27642017; c2 = 24'd9180828;  end
      3'd7: begin c0 = 27'd36591368; nc1 = 26'd25347842; c2 = 24'd8418857;  end
      default: ;
    endcase
  end

  always_comb begin
    z   = u_i[31:16];
    j   = u_i[15:13];
    t   = u_i[12:0];
    c2t_hi = 21'((37'(c2) * 37'(t)) >> 16);
    na  = nc1 - 26'(c2t_hi);
    nat = 39'(na) * 39'(t);
    // ceil(x / 2^16) = floor(x / 2^16) + (any of the low 16 bits set)
    nat_ceil = 24'(nat[38:16]) + 24'(|nat[15:0]);
    p   = c0 - 27'(nat_ceil);
    // rshift_round(P, z) = (P >> z) + bit z-1 of P, from one shift of {P, 0}
    p_shift = {p, 1'b0} >> z[4:0];
    e_o = 27'(p_shift[27:1]) + 27'(p_shift[0]);
    if (z >= 16'd28) begin
      e_o = '0;
    end
  end

endmodule
