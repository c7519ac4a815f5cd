// Row-wise softmax unit, bit-exact with at_softmax_row (cosim/fmodel/
// numerics.c; docs/numerics.md section 5). Streams Width int16 scores per
// input beat and Width int16 probabilities (scale 2^-15) per output beat.
// Interface, phases and cycle counts: docs/rtl-softmax.md.
//
// A row of n columns with valid length len (1 <= len <= n <= MaxLen) is
// given as L = ceil(len / Width) input beats (columns >= len cost nothing:
// the producer never sends the beats past L, and lanes >= len of the last
// beat are ignored); its config (n, len, in_m, in_s) is sampled with the
// first beat. The unit sends N = ceil(n / Width) output beats, lanes >= len
// exactly 0, out_last_o on the last; out_lanes_o marks the lanes of the
// beat that are valid columns (column < len).
//
// Rows move through NumSlots row buffers (ping-pong for 2), each holding
// up to MaxLen 27-bit entries (x while filling, e after the exp pass), and
// four stages, each working on one slot at a time in row order:
//   IN   (slot FREE -> FILLED):   store x, running max       L cycles
//   EXP  (FILLED -> SUMMED):      Width exps/cycle, sum       L + 3 cycles
//   DIV  (SUMMED -> READY):       r = floor(2^52 / sum)        QuoWidth cycles
//   OUT  (READY -> FREE):         Width products/cycle         N cycles
// so the next row's input, exp pass and divide overlap the current row's
// output. Each slot memory has one write port (IN or EXP) and one read port
// (EXP or OUT), because a slot is owned by exactly one stage.
`include "acceltran_assert.svh"

module acceltran_softmax #(
  parameter int unsigned Width    = acceltran_pkg::TileSize,
  parameter int unsigned MaxLen   = acceltran_pkg::MaxSeqLen,
  parameter int unsigned NumSlots = 2,
  localparam int unsigned LenWidth = $clog2(MaxLen + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // input beats: ceil(len / Width) per row; config sampled on the first
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [Width*16-1:0]   in_data_i,   // lane j at [j*16 +: 16], int16
  input  logic [LenWidth-1:0]   in_n_i,      // row length, 1..MaxLen
  input  logic [LenWidth-1:0]   in_len_i,    // valid length, 1..n
  input  logic [15:0]           in_m_i,      // at_softmax_params.in.m
  input  logic [5:0]            in_s_i,      // at_softmax_params.in.s
  // output beats: ceil(n / Width) per row
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [Width*16-1:0]   out_data_o,  // lane j at [j*16 +: 16], Q15 probability
  output logic                  out_last_o,  // last beat of a row
  output logic [Width-1:0]      out_lanes_o, // lane j is a column < len
  output logic                  busy_o       // a row is inside the unit
);

  localparam int unsigned Depth     = MaxLen / Width;       // beats per row buffer
  localparam int unsigned BeatWidth = (Depth > 1) ? $clog2(Depth) : 1;
  localparam int unsigned LaneBits  = $clog2(Width);
  localparam int unsigned SlotWidth = (NumSlots > 1) ? $clog2(NumSlots) : 1;
  localparam int unsigned EWidth    = 27;                   // e: Q26, <= 2^26
  localparam int unsigned MemWidth  = Width * EWidth;
  localparam int unsigned SumWidth  = 36;                   // <= 512 * 2^26
  localparam int unsigned QuoWidth  = 27;                   // r in [2^17, 2^26]
  localparam logic [5:0]  RecipPow2 = 6'd52;

  // Slot states (plain constants: Yosys 0.23 rejects packed arrays of enums).
  localparam logic [1:0] SlotFree   = 2'd0;
  localparam logic [1:0] SlotFilled = 2'd1;
  localparam logic [1:0] SlotSummed = 2'd2;
  localparam logic [1:0] SlotReady  = 2'd3;

  // ------------------------------------------------------------ slot state
  // Per-slot fields, flattened (slot g at [g*W +: W]): Yosys 0.23 rejects
  // multi-dimensional packed arrays.
  logic [NumSlots*2-1:0]                       slot_state_d, slot_state_q;
  logic [NumSlots*LenWidth-1:0]             slot_n_d, slot_n_q;
  logic [NumSlots*LenWidth-1:0]             slot_len_d, slot_len_q;
  logic [NumSlots*16-1:0]                      slot_m_d, slot_m_q;
  logic [NumSlots*6-1:0]                       slot_s_d, slot_s_q;
  logic [NumSlots*16-1:0]                      slot_mx_d, slot_mx_q;
  logic [NumSlots*SumWidth-1:0]             slot_sum_d, slot_sum_q;
  logic [NumSlots*QuoWidth-1:0]             slot_r_d, slot_r_q;

  // Memory ports, one write and one read port per slot.
  logic [NumSlots-1:0]                       mem_we;
  logic [NumSlots*BeatWidth-1:0]            mem_waddr;
  logic [NumSlots*MemWidth-1:0]             mem_wdata;
  logic [NumSlots*BeatWidth-1:0]            mem_raddr;
  logic [NumSlots*MemWidth-1:0]             mem_rdata;

  // Last beat index of a row of length len (1..MaxLen): ceil(len/Width)-1.
  function automatic logic [BeatWidth-1:0] last_beat(input logic [LenWidth-1:0] len);
    logic [LenWidth-1:0] lm1;
    lm1 = len - 1'b1;
    last_beat = BeatWidth'(lm1 >> LaneBits);
  endfunction

  function automatic logic [SlotWidth-1:0] next_slot(input logic [SlotWidth-1:0] s);
    next_slot = (32'(s) == NumSlots - 1) ? '0 : s + 1'b1;
  endfunction

  // ------------------------------------------------------------ IN stage
  logic [SlotWidth-1:0]  in_ptr_d, in_ptr_q;
  logic [BeatWidth-1:0]  in_beat_d, in_beat_q;
  logic signed [15:0]    in_max_d, in_max_q;
  logic                  in_fire;
  logic [LenWidth-1:0]   in_len_cur;
  logic signed [15:0]    in_beat_max;
  logic [MemWidth-1:0]   in_wdata;

  // ------------------------------------------------------------ EXP stage
  // Pipeline: issue read (beat b) -> ex_x_q (x) -> ex_u_q (u) -> ex_e_q
  // (e, masked) -> write back + sum. It never stalls.
  logic [SlotWidth-1:0]      ex_ptr_d, ex_ptr_q;
  logic                      ex_busy_d, ex_busy_q;    // a row is in the pass
  logic                      ex_issue_d, ex_issue_q;  // reads still to issue
  logic [BeatWidth-1:0]      ex_beat_d, ex_beat_q;
  logic [2:0]                ex_vld_d, ex_vld_q;      // stage valid: x, u, e
  logic [2:0]                ex_lst_d, ex_lst_q;      // stage holds the last beat
  logic [3*BeatWidth-1:0]    ex_bt_d, ex_bt_q;        // stage beat indices
  logic [Width*16-1:0]       ex_x_d, ex_x_q;
  logic [Width*32-1:0]       ex_u_d, ex_u_q;
  logic [MemWidth-1:0]       ex_e_d, ex_e_q;
  logic [SumWidth-1:0]       ex_sum_d, ex_sum_q;
  logic [Width*EWidth-1:0]   ex_e_raw;
  logic [SumWidth-1:0]       ex_beat_sum;

  // ------------------------------------------------------------ DIV stage
  logic [SlotWidth-1:0]  dv_ptr_d, dv_ptr_q;
  logic                  dv_wait_d, dv_wait_q;
  logic                  div_start, div_busy, div_done;
  logic [QuoWidth-1:0]   div_quo;

  // ------------------------------------------------------------ OUT stage
  // Pipeline with back-pressure: issue (beat b) -> A (e values read) ->
  // B (probabilities, the output register).
  logic [SlotWidth-1:0]  out_ptr_d, out_ptr_q;
  logic [BeatWidth-1:0]  out_beat_d, out_beat_q;
  logic                  oa_valid_d, oa_valid_q;
  logic                  oa_last_d, oa_last_q;
  logic [Width-1:0]      oa_lanes_d, oa_lanes_q;
  logic [MemWidth-1:0]   oa_e_d, oa_e_q;
  logic [QuoWidth-1:0]   oa_r_d, oa_r_q;
  logic                  ob_valid_d, ob_valid_q;
  logic                  ob_last_d, ob_last_q;
  logic [Width-1:0]      ob_lanes_d, ob_lanes_q;
  logic [Width*16-1:0]   ob_data_d, ob_data_q;
  logic                  oa_take, ob_take, out_issue;
  logic [Width*16-1:0]   out_y;

  // ------------------------------------------------------------ row buffers
  for (genvar g = 0; g < NumSlots; g++) begin : g_slot
    logic [MemWidth-1:0] mem_q [Depth];
    always_ff @(posedge clk_i) begin
      if (mem_we[g]) begin
        mem_q[mem_waddr[g*BeatWidth +: BeatWidth]] <= mem_wdata[g*MemWidth +: MemWidth];
      end
    end
    assign mem_rdata[g*MemWidth +: MemWidth] = mem_q[mem_raddr[g*BeatWidth +: BeatWidth]];
  end

  // ------------------------------------------------------------ datapaths
  // IN: lanes past len are ignored for the max (lane 0 of a sent beat is
  // always valid).
  always_comb begin
    in_len_cur  = (in_beat_q == '0) ? in_len_i : slot_len_q[in_ptr_q*LenWidth +: LenWidth];
    in_beat_max = $signed(in_data_i[15:0]);
    in_wdata    = '0;
    for (int unsigned j = 0; j < Width; j++) begin
      in_wdata[j*EWidth +: 16] = in_data_i[j*16 +: 16];
      if ((32'(in_beat_q) * Width + j < 32'(in_len_cur)) &&
          ($signed(in_data_i[j*16 +: 16]) > in_beat_max)) begin
        in_beat_max = $signed(in_data_i[j*16 +: 16]);
      end
    end
  end

  // EXP: d = mx - x (0..65535 on valid lanes), u = rshift_round(d m, s)
  // from one shift of {d m, 0} (bit 0 is the rounding bit; s = 0 gives d m).
  always_comb begin
    logic [15:0] d;
    logic [31:0] dm;
    logic [32:0] dm_shift;
    ex_u_d = ex_u_q;
    for (int unsigned j = 0; j < Width; j++) begin
      d  = 16'(slot_mx_q[ex_ptr_q*16 +: 16] - ex_x_q[j*16 +: 16]);
      dm = 32'(d) * 32'(slot_m_q[ex_ptr_q*16 +: 16]);
      dm_shift = {dm, 1'b0} >> slot_s_q[ex_ptr_q*6 +: 6];
      ex_u_d[j*32 +: 32] = dm_shift[32:1] + 32'(dm_shift[0]);
    end
  end

  for (genvar j = 0; j < Width; j++) begin : g_exp
    acceltran_softmax_exp u_exp (
      .u_i (ex_u_q[j*32 +: 32]),
      .e_o (ex_e_raw[j*EWidth +: EWidth])
    );
  end

  always_comb begin
    ex_beat_sum = '0;
    for (int unsigned j = 0; j < Width; j++) begin
      ex_beat_sum = ex_beat_sum + SumWidth'(ex_e_q[j*EWidth +: EWidth]);
    end
  end

  // OUT: y = min(32767, rshift_round(e r, 37)); e r < 2^53. Lanes past len
  // hold e = 0 (masked by EXP; beats past L are never read) and give 0.
  always_comb begin
    logic [17:0] er_hi;  // e r >> 36
    logic [16:0] y;
    out_y = '0;
    for (int unsigned j = 0; j < Width; j++) begin
      er_hi = 18'((54'(oa_e_q[j*EWidth +: EWidth]) * 54'(oa_r_q)) >> 36);
      y  = 17'(er_hi[17:1]) + 17'(er_hi[0]);
      out_y[j*16 +: 16] = (y > 17'd32767) ? 16'd32767 : y[15:0];
    end
  end

  acceltran_recip_div #(
    .DenWidth (SumWidth),
    .QuoWidth (QuoWidth)
  ) u_recip_div (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (div_start),
    .pow2_i  (RecipPow2),
    .den_i   (slot_sum_q[dv_ptr_q*SumWidth +: SumWidth]),
    .busy_o  (div_busy),
    .done_o  (div_done),
    .quo_o   (div_quo)
  );

  // Read addresses: EXP owns its slot's port while issuing, OUT otherwise
  // (a slot is never FILLED and READY at once).
  always_comb begin
    for (int unsigned g = 0; g < NumSlots; g++) begin
      mem_raddr[g*BeatWidth +: BeatWidth] = (ex_issue_q && 32'(ex_ptr_q) == g) ? ex_beat_q : out_beat_q;
    end
  end

  // ------------------------------------------------------------ control
  always_comb begin
    slot_state_d = slot_state_q;
    slot_n_d     = slot_n_q;
    slot_len_d   = slot_len_q;
    slot_m_d     = slot_m_q;
    slot_s_d     = slot_s_q;
    slot_mx_d    = slot_mx_q;
    slot_sum_d   = slot_sum_q;
    slot_r_d     = slot_r_q;
    mem_we       = '0;
    mem_waddr    = '0;
    mem_wdata    = '0;

    // IN
    in_ptr_d   = in_ptr_q;
    in_beat_d  = in_beat_q;
    in_max_d   = in_max_q;
    in_ready_o = (slot_state_q[in_ptr_q*2 +: 2] == SlotFree);
    in_fire    = in_valid_i && in_ready_o;
    if (in_fire) begin
      mem_we[in_ptr_q]    = 1'b1;
      mem_waddr[in_ptr_q*BeatWidth +: BeatWidth] = in_beat_q;
      mem_wdata[in_ptr_q*MemWidth +: MemWidth] = in_wdata;
      if (in_beat_q == '0) begin
        slot_n_d[in_ptr_q*LenWidth +: LenWidth]   = in_n_i;
        slot_len_d[in_ptr_q*LenWidth +: LenWidth] = in_len_i;
        slot_m_d[in_ptr_q*16 +: 16]   = in_m_i;
        slot_s_d[in_ptr_q*6 +: 6]   = in_s_i;
        in_max_d = in_beat_max;
      end else if (in_beat_max > in_max_q) begin
        in_max_d = in_beat_max;
      end
      if (in_beat_q == last_beat(in_len_cur)) begin
        slot_state_d[in_ptr_q*2 +: 2] = SlotFilled;
        slot_mx_d[in_ptr_q*16 +: 16]    = in_max_d;
        in_ptr_d  = next_slot(in_ptr_q);
        in_beat_d = '0;
      end else begin
        in_beat_d = in_beat_q + 1'b1;
      end
    end

    // EXP
    ex_ptr_d   = ex_ptr_q;
    ex_busy_d  = ex_busy_q;
    ex_issue_d = ex_issue_q;
    ex_beat_d  = ex_beat_q;
    ex_sum_d   = ex_sum_q;
    ex_vld_d   = {ex_vld_q[1:0], 1'b0};
    ex_lst_d   = {ex_lst_q[1:0], 1'b0};
    ex_bt_d    = {ex_bt_q[2*BeatWidth-1:0], ex_beat_q};
    ex_x_d     = ex_x_q;
    ex_e_d     = ex_e_q;
    if (!ex_busy_q && slot_state_q[ex_ptr_q*2 +: 2] == SlotFilled) begin
      ex_busy_d  = 1'b1;
      ex_issue_d = 1'b1;
      ex_beat_d  = '0;
      ex_sum_d   = '0;
    end
    if (ex_issue_q) begin
      ex_x_d      = '0;
      for (int unsigned j = 0; j < Width; j++) begin
        ex_x_d[j*16 +: 16] = mem_rdata[ex_ptr_q*MemWidth + j*EWidth +: 16];
      end
      ex_vld_d[0] = 1'b1;
      if (ex_beat_q == last_beat(slot_len_q[ex_ptr_q*LenWidth +: LenWidth])) begin
        ex_lst_d[0] = 1'b1;
        ex_issue_d  = 1'b0;
      end else begin
        ex_beat_d = ex_beat_q + 1'b1;
      end
    end
    if (ex_vld_q[1]) begin  // u -> e, lanes past len forced to 0
      ex_e_d = ex_e_raw;
      for (int unsigned j = 0; j < Width; j++) begin
        if (32'(ex_bt_q[BeatWidth +: BeatWidth]) * Width + j >= 32'(slot_len_q[ex_ptr_q*LenWidth +: LenWidth])) begin
          ex_e_d[j*EWidth +: EWidth] = '0;
        end
      end
    end
    if (ex_vld_q[2]) begin  // write back e, accumulate the sum
      mem_we[ex_ptr_q]    = 1'b1;
      mem_waddr[ex_ptr_q*BeatWidth +: BeatWidth] = ex_bt_q[2*BeatWidth +: BeatWidth];
      mem_wdata[ex_ptr_q*MemWidth +: MemWidth] = ex_e_q;
      ex_sum_d = ex_sum_q + ex_beat_sum;
      if (ex_lst_q[2]) begin
        slot_state_d[ex_ptr_q*2 +: 2] = SlotSummed;
        slot_sum_d[ex_ptr_q*SumWidth +: SumWidth]   = ex_sum_d;
        ex_busy_d = 1'b0;
        ex_ptr_d  = next_slot(ex_ptr_q);
      end
    end

    // DIV
    dv_ptr_d  = dv_ptr_q;
    dv_wait_d = dv_wait_q;
    div_start = !dv_wait_q && !div_busy && (slot_state_q[dv_ptr_q*2 +: 2] == SlotSummed);
    if (div_start) begin
      dv_wait_d = 1'b1;
    end
    if (dv_wait_q && div_done) begin
      slot_state_d[dv_ptr_q*2 +: 2] = SlotReady;
      slot_r_d[dv_ptr_q*QuoWidth +: QuoWidth]     = div_quo;
      dv_wait_d = 1'b0;
      dv_ptr_d  = next_slot(dv_ptr_q);
    end

    // OUT
    out_ptr_d  = out_ptr_q;
    out_beat_d = out_beat_q;
    ob_take    = !ob_valid_q || out_ready_i;
    oa_take    = !oa_valid_q || ob_take;
    out_issue  = oa_take && (slot_state_q[out_ptr_q*2 +: 2] == SlotReady);
    ob_valid_d = ob_valid_q;
    ob_last_d  = ob_last_q;
    ob_lanes_d = ob_lanes_q;
    ob_data_d  = ob_data_q;
    oa_valid_d = oa_valid_q;
    oa_last_d  = oa_last_q;
    oa_lanes_d = oa_lanes_q;
    oa_e_d     = oa_e_q;
    oa_r_d     = oa_r_q;
    if (ob_take) begin
      ob_valid_d = oa_valid_q;
      ob_last_d  = oa_last_q;
      ob_lanes_d = oa_lanes_q;
      ob_data_d  = oa_valid_q ? out_y : ob_data_q;
    end
    if (oa_take) begin
      oa_valid_d = out_issue;
    end
    if (out_issue) begin
      // Beats past ceil(len/Width) are zeros: no read.
      oa_e_d = (out_beat_q <= last_beat(slot_len_q[out_ptr_q*LenWidth +: LenWidth])) ? mem_rdata[out_ptr_q*MemWidth +: MemWidth] : '0;
      oa_r_d = slot_r_q[out_ptr_q*QuoWidth +: QuoWidth];
      for (int unsigned j = 0; j < Width; j++) begin
        oa_lanes_d[j] = (32'(out_beat_q) * Width + j) <
                        32'(slot_len_q[out_ptr_q*LenWidth +: LenWidth]);
      end
      if (out_beat_q == last_beat(slot_n_q[out_ptr_q*LenWidth +: LenWidth])) begin
        oa_last_d = 1'b1;
        slot_state_d[out_ptr_q*2 +: 2] = SlotFree;
        out_ptr_d  = next_slot(out_ptr_q);
        out_beat_d = '0;
      end else begin
        oa_last_d  = 1'b0;
        out_beat_d = out_beat_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      slot_state_q <= {NumSlots{SlotFree}};
      slot_n_q     <= '0;
      slot_len_q   <= '0;
      slot_m_q     <= '0;
      slot_s_q     <= '0;
      slot_mx_q    <= '0;
      slot_sum_q   <= '0;
      slot_r_q     <= '0;
      in_ptr_q     <= '0;
      in_beat_q    <= '0;
      in_max_q     <= '0;
      ex_ptr_q     <= '0;
      ex_busy_q    <= 1'b0;
      ex_issue_q   <= 1'b0;
      ex_beat_q    <= '0;
      ex_vld_q     <= '0;
      ex_lst_q     <= '0;
      ex_bt_q      <= '0;
      ex_x_q       <= '0;
      ex_u_q       <= '0;
      ex_e_q       <= '0;
      ex_sum_q     <= '0;
      dv_ptr_q     <= '0;
      dv_wait_q    <= 1'b0;
      out_ptr_q    <= '0;
      out_beat_q   <= '0;
      oa_valid_q   <= 1'b0;
      oa_last_q    <= 1'b0;
      oa_lanes_q   <= '0;
      oa_e_q       <= '0;
      oa_r_q       <= '0;
      ob_valid_q   <= 1'b0;
      ob_last_q    <= 1'b0;
      ob_lanes_q   <= '0;
      ob_data_q    <= '0;
    end else begin
      slot_state_q <= slot_state_d;
      slot_n_q     <= slot_n_d;
      slot_len_q   <= slot_len_d;
      slot_m_q     <= slot_m_d;
      slot_s_q     <= slot_s_d;
      slot_mx_q    <= slot_mx_d;
      slot_sum_q   <= slot_sum_d;
      slot_r_q     <= slot_r_d;
      in_ptr_q     <= in_ptr_d;
      in_beat_q    <= in_beat_d;
      in_max_q     <= in_max_d;
      ex_ptr_q     <= ex_ptr_d;
      ex_busy_q    <= ex_busy_d;
      ex_issue_q   <= ex_issue_d;
      ex_beat_q    <= ex_beat_d;
      ex_vld_q     <= ex_vld_d;
      ex_lst_q     <= ex_lst_d;
      ex_bt_q      <= ex_bt_d;
      ex_x_q       <= ex_x_d;
      ex_u_q       <= ex_u_d;
      ex_e_q       <= ex_e_d;
      ex_sum_q     <= ex_sum_d;
      dv_ptr_q     <= dv_ptr_d;
      dv_wait_q    <= dv_wait_d;
      out_ptr_q    <= out_ptr_d;
      out_beat_q   <= out_beat_d;
      oa_valid_q   <= oa_valid_d;
      oa_last_q    <= oa_last_d;
      oa_lanes_q   <= oa_lanes_d;
      oa_e_q       <= oa_e_d;
      oa_r_q       <= oa_r_d;
      ob_valid_q   <= ob_valid_d;
      ob_last_q    <= ob_last_d;
      ob_lanes_q   <= ob_lanes_d;
      ob_data_q    <= ob_data_d;
    end
  end

  assign out_valid_o = ob_valid_q;
  assign out_data_o  = ob_data_q;
  assign out_last_o  = ob_last_q;
  assign out_lanes_o = ob_lanes_q;
  assign busy_o      = (slot_state_q != {NumSlots{SlotFree}}) || (in_beat_q != '0) ||
                       oa_valid_q || ob_valid_q;

  // ---------------------------------------------------------------- assertions
  // output beats: held with stable data until taken
  `AT_ASSERT_HOLD(SmxOutHold_A, out_valid_o, out_ready_i, {out_data_o, out_last_o, out_lanes_o})
  // the row config sampled with the first beat: 1 <= len <= n <= MaxLen
  `AT_ASSERT(SmxInCfg_A, in_fire && (in_beat_q == '0) |->
             (in_len_i != '0) && (in_len_i <= in_n_i) && (32'(in_n_i) <= MaxLen))

endmodule
