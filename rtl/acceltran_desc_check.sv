// Combinational checks of one 64-byte command descriptor (docs/isa.md):
// unknown opcode, reserved bits, then the opcode's field checks in exactly
// the documented order with the documented DETAIL words, the scratchpad
// range checks and the memory-window check (acceltran_win_check). Also
// gives what the command processor's hazard table needs: up to four
// scratchpad line intervals and, for LOAD / STORE, the memory byte range.
//
// All arithmetic is wide enough never to overflow: scratchpad lines in 64
// bits (at most 24 + 16x24 + 16x24 bits of magnitude), memory ranges in 65
// bits (a range whose end reaches 2^64 wraps: outside every window).
//
// Intervals (iv_*[i]): buffer (iv_wgt: 1 weight, 0 activation; a mask
// buffer access [a, b] is given as activation lines [16a, 16b + 15]),
// write flag and [first, last] lines. They are meaningful only when err_o
// is ErrNone (then every line fits in LineW bits).
//   LOAD / STORE : 0 = the transfer's lines (written by LOAD, read by STORE)
//   GEMM         : 0 = A (read), 1 = C (write; ACCUM reads it too; in the
//                  weight buffer with C_WGT), 2 = B (read), 3 = parameter
//                  quads (read, PARAMS_EN)
//   SOFTMAX      : 0 = source (read), 1 = destination (write),
//                  2 = length lines (read, LEN_VEC)
//   LAYERNORM    : 0 = source (read), 1 = destination (write),
//                  2 = residual (read, RESIDUAL), 3 = gamma/beta quads (read)
module acceltran_desc_check #(
  parameter int unsigned NumWindows = acceltran_pkg::NumWindows,
  localparam int unsigned ActLines  = acceltran_pkg::ActBufKib * 1024 / acceltran_pkg::BusBytes,
  localparam int unsigned WgtLines  = acceltran_pkg::WgtBufKib * 1024 / acceltran_pkg::BusBytes,
  localparam int unsigned MaskLines = ActLines / 16,
  localparam int unsigned LineW     = 24
) (
  input  logic [511:0]              desc_i,      // word w at [w*32 +: 32]
  input  logic [NumWindows*64-1:0]  win_base_i,  // window i at [i*64 +: 64]
  input  logic [NumWindows*64-1:0]  win_size_i,  // 0: closed
  output logic [7:0]                err_o,       // acceltran_pkg::err_e value
  output logic [31:0]               detail_o,
  output logic [3:0]                iv_valid_o,
  output logic [3:0]                iv_wgt_o,
  output logic [3:0]                iv_write_o,
  output logic [4*LineW-1:0]        iv_first_o,  // interval i at [i*LineW +: LineW]
  output logic [4*LineW-1:0]        iv_last_o,
  output logic                      mem_valid_o, // LOAD / STORE: [mem_lo_o, mem_hi_o)
  output logic [63:0]               mem_lo_o,
  output logic [64:0]               mem_hi_o
);

  localparam logic [63:0] ActLines64  = 64'(ActLines);
  localparam logic [63:0] WgtLines64  = 64'(WgtLines);
  localparam logic [63:0] MaskLines64 = 64'(MaskLines);

  // in place (identical intervals) or disjoint
  function automatic logic same_or_disjoint(input logic [63:0] a0, input logic [63:0] a1,
                                            input logic [63:0] b0, input logic [63:0] b1);
    same_or_disjoint = ((a0 == b0) && (a1 == b1)) || !((a0 <= b1) && (b0 <= a1));
  endfunction

  // [a0, a1] and [b0, b1] intersect
  function automatic logic overlap(input logic [63:0] a0, input logic [63:0] a1,
                                   input logic [63:0] b0, input logic [63:0] b1);
    overlap = (a0 <= b1) && (b0 <= a1);
  endfunction

  // ceil(x / 16) and ceil(x / 4) of a 16-bit count, 64 bits wide
  function automatic logic [63:0] cdiv16(input logic [15:0] x);
    cdiv16 = (64'(x) + 64'd15) >> 4;
  endfunction
  function automatic logic [63:0] cdiv4(input logic [15:0] x);
    cdiv4 = (64'(x) + 64'd3) >> 2;
  endfunction
  // x - 1 for a count already checked non-zero (0 when it is 0)
  function automatic logic [63:0] dec(input logic [63:0] x);
    dec = (x == 64'd0) ? 64'd0 : x - 64'd1;
  endfunction

  logic [7:0]  opcode;
  logic [7:0]  flags;
  assign opcode = desc_i[acceltran_pkg::DescOpcodeLsb +: acceltran_pkg::DescOpcodeWidth];
  assign flags  = desc_i[acceltran_pkg::DescFlagsLsb +: acceltran_pkg::DescFlagsWidth];

  // reserved bits: the lowest descriptor word with a bit outside the opcode's fields
  logic [511:0] used;
  logic [511:0] resv;
  logic         resv_any;
  logic [31:0]  resv_word;
  always_comb begin
    case (opcode)
      8'(acceltran_pkg::OpNop):       used = acceltran_pkg::DescUsedNop;
      8'(acceltran_pkg::OpLoad):      used = acceltran_pkg::DescUsedLoad;
      8'(acceltran_pkg::OpStore):     used = acceltran_pkg::DescUsedStore;
      8'(acceltran_pkg::OpGemm):      used = acceltran_pkg::DescUsedGemm;
      8'(acceltran_pkg::OpSoftmax):   used = acceltran_pkg::DescUsedSoftmax;
      8'(acceltran_pkg::OpLayernorm): used = acceltran_pkg::DescUsedLayernorm;
      8'(acceltran_pkg::OpFence):     used = acceltran_pkg::DescUsedFence;
      default:                        used = '1;
    endcase
    resv      = desc_i & ~used;
    resv_any  = |resv;
    resv_word = 32'd0;
    for (int i = 15; i >= 0; i--) begin
      if (resv[i*32 +: 32] != 32'd0) begin
        resv_word = 32'(i);
      end
    end
  end

  // ---------------------------------------------------------------- LOAD / STORE
  logic [1:0]  x_buf;
  logic        x_keep;
  logic [63:0] x_spad, x_rows, x_cols, x_rs, x_cs, x_ncb, x_last, x_lines;
  logic [63:0] x_mem, x_stride, x_span;
  logic [64:0] x_hi;
  always_comb begin
    x_buf    = desc_i[acceltran_pkg::DescXferBufLsb +: acceltran_pkg::DescXferBufWidth];
    x_keep   = desc_i[acceltran_pkg::DescXferKeepMaskLsb];
    x_spad   = 64'(desc_i[acceltran_pkg::DescXferSpadWord*32 +: acceltran_pkg::DescXferSpadWidth]);
    x_rows   = 64'(desc_i[acceltran_pkg::DescXferRowsWord*32 +: 16]);
    x_cols   = 64'(desc_i[acceltran_pkg::DescXferColsWord*32 + 16 +: 16]);
    x_rs     = 64'(desc_i[acceltran_pkg::DescXferSpadRowStepWord*32 +: 24]);
    x_cs     = 64'(desc_i[acceltran_pkg::DescXferSpadCbStepWord*32 +: 24]);
    x_mem    = {desc_i[acceltran_pkg::DescXferMemHiWord*32 +: 32], desc_i[acceltran_pkg::DescXferMemLoWord*32 +: 32]};
    x_stride = 64'(desc_i[acceltran_pkg::DescXferMemStrideWord*32 +: 32]);
    x_ncb    = cdiv16(x_cols[15:0]);
    x_last   = x_spad + dec(x_rows) * x_rs + dec(x_ncb) * x_cs;
    x_span   = dec(x_rows) * x_stride + (x_ncb << 5);  // < 2^49
    x_hi     = {1'b0, x_mem} + {1'b0, x_span};
    case (x_buf)
      2'd0:    x_lines = ActLines64;
      2'd1:    x_lines = WgtLines64;
      default: x_lines = MaskLines64;
    endcase
  end

  // ---------------------------------------------------------------- GEMM
  logic        g_trans, g_pen, g_accum, g_cw;
  logic [63:0] g_a, g_lda, g_b, g_ldb, g_c, g_ldc, g_m, g_n, g_k, g_par;
  logic [63:0] g_nt, g_kc, g_last_a, g_last_c, g_last_b, g_last_p;
  logic        g_ldc_bad, g_act_bad, g_wgt_bad, g_apart_bad;
  always_comb begin
    g_trans  = desc_i[acceltran_pkg::DescGemmTransBLsb];
    g_pen    = desc_i[acceltran_pkg::DescGemmParamsEnLsb];
    g_accum  = desc_i[acceltran_pkg::DescGemmAccumLsb];
    g_cw     = desc_i[acceltran_pkg::DescGemmCWgtLsb];
    g_a      = 64'(desc_i[acceltran_pkg::DescGemmAWord*32 +: 24]);
    g_lda    = 64'(desc_i[acceltran_pkg::DescGemmLdaWord*32 +: 24]);
    g_b      = 64'(desc_i[acceltran_pkg::DescGemmBWord*32 +: 24]);
    g_ldb    = 64'(desc_i[acceltran_pkg::DescGemmLdbWord*32 +: 24]);
    g_c      = 64'(desc_i[acceltran_pkg::DescGemmCWord*32 +: 24]);
    g_ldc    = 64'(desc_i[acceltran_pkg::DescGemmLdcWord*32 +: 24]);
    g_m      = 64'(desc_i[acceltran_pkg::DescGemmMWord*32 +: 16]);
    g_n      = 64'(desc_i[acceltran_pkg::DescGemmNWord*32 + 16 +: 16]);
    g_k      = 64'(desc_i[acceltran_pkg::DescGemmKWord*32 +: 16]);
    g_par    = 64'(desc_i[acceltran_pkg::DescGemmParamsWord*32 +: 24]);
    g_nt     = cdiv16(g_n[15:0]);
    g_kc     = cdiv16(g_k[15:0]);
    g_last_a = dec(g_a + dec(g_m) * g_lda + g_kc);
    // C line (i, nt): activation C + i*LDC + nt; C_WGT: weight C + nt*LDC + i
    g_last_c = g_cw ? dec(g_c + dec(g_nt) * g_ldc + g_m) : dec(g_c + dec(g_m) * g_ldc + g_nt);
    g_last_b = g_trans ? dec(g_b + dec(g_kc) * g_ldb + (cdiv4(g_n[15:0]) << 2))
                       : dec(g_b + dec(g_nt) * g_ldb + (cdiv4(g_k[15:0]) << 2));
    g_last_p = dec(g_par + (g_nt << 2));
    // C rows (C_WGT: column tiles) would overlap
    g_ldc_bad = g_cw ? ((g_nt > 64'd1) && (g_ldc < g_m)) : ((g_m > 64'd1) && (g_ldc < g_nt));
    g_act_bad = (g_last_a >= ActLines64) || (!g_cw && (g_last_c >= ActLines64));
    g_wgt_bad = (g_last_b >= WgtLines64) || (g_pen && (g_last_p >= WgtLines64)) ||
                (g_cw && (g_last_c >= WgtLines64));
    // no in-place GEMM: C apart from A, or with C_WGT from B and the parameter quads
    g_apart_bad = g_cw ? (overlap(g_c, g_last_c, g_b, g_last_b) ||
                          (g_pen && overlap(g_c, g_last_c, g_par, g_last_p)))
                       : overlap(g_c, g_last_c, g_a, g_last_a);
  end

  // ---------------------------------------------------------------- SOFTMAX
  logic        s_lv;
  logic [63:0] s_src, s_lds, s_dst, s_ldd, s_rows, s_n, s_len, s_lens;
  logic [63:0] s_nb, s_last_s, s_last_d, s_last_l;
  always_comb begin
    s_lv     = desc_i[acceltran_pkg::DescSmxLenVecLsb];
    s_src    = 64'(desc_i[acceltran_pkg::DescSmxSrcWord*32 +: 24]);
    s_lds    = 64'(desc_i[acceltran_pkg::DescSmxLdsWord*32 +: 24]);
    s_dst    = 64'(desc_i[acceltran_pkg::DescSmxDstWord*32 +: 24]);
    s_ldd    = 64'(desc_i[acceltran_pkg::DescSmxLddWord*32 +: 24]);
    s_rows   = 64'(desc_i[acceltran_pkg::DescSmxRowsWord*32 +: 16]);
    s_n      = 64'(desc_i[acceltran_pkg::DescSmxNWord*32 + 16 +: 16]);
    s_len    = 64'(desc_i[acceltran_pkg::DescSmxLenWord*32 +: 16]);
    s_lens   = 64'(desc_i[acceltran_pkg::DescSmxLensWord*32 +: 24]);
    s_nb     = cdiv16(s_n[15:0]);
    s_last_s = dec(s_src + dec(s_rows) * s_lds + s_nb);
    s_last_d = dec(s_dst + dec(s_rows) * s_ldd + s_nb);
    s_last_l = s_lens + (dec(s_rows) >> 4);
  end

  // ---------------------------------------------------------------- LAYERNORM
  logic        l_res_en;
  logic [63:0] l_src, l_lds, l_dst, l_ldd, l_res, l_ldr, l_rows, l_n, l_par, l_eps;
  logic [63:0] l_nb, l_last_s, l_last_d, l_last_r, l_last_p;
  always_comb begin
    l_res_en = desc_i[acceltran_pkg::DescLnResidualLsb];
    l_src    = 64'(desc_i[acceltran_pkg::DescLnSrcWord*32 +: 24]);
    l_lds    = 64'(desc_i[acceltran_pkg::DescLnLdsWord*32 +: 24]);
    l_dst    = 64'(desc_i[acceltran_pkg::DescLnDstWord*32 +: 24]);
    l_ldd    = 64'(desc_i[acceltran_pkg::DescLnLddWord*32 +: 24]);
    l_res    = 64'(desc_i[acceltran_pkg::DescLnResWord*32 +: 24]);
    l_ldr    = 64'(desc_i[acceltran_pkg::DescLnLdrWord*32 +: 24]);
    l_rows   = 64'(desc_i[acceltran_pkg::DescLnRowsWord*32 +: 16]);
    l_n      = 64'(desc_i[acceltran_pkg::DescLnNWord*32 + 16 +: 16]);
    l_par    = 64'(desc_i[acceltran_pkg::DescLnParamsWord*32 +: 24]);
    l_eps    = {2'b00, desc_i[acceltran_pkg::DescLnEpsHiWord*32 +: 30], desc_i[acceltran_pkg::DescLnEpsLoWord*32 +: 32]};
    l_nb     = cdiv16(l_n[15:0]);
    l_last_s = dec(l_src + dec(l_rows) * l_lds + l_nb);
    l_last_d = dec(l_dst + dec(l_rows) * l_ldd + l_nb);
    l_last_r = dec(l_res + dec(l_rows) * l_ldr + l_nb);
    l_last_p = dec(l_par + (l_nb << 2));
  end

  // ---------------------------------------------------------------- FENCE
  logic        f_write;
  logic [63:0] f_addr;
  assign f_write = desc_i[acceltran_pkg::DescFenceWriteLsb];
  assign f_addr  = {desc_i[acceltran_pkg::DescFenceAddrHiWord*32 +: 32], desc_i[acceltran_pkg::DescFenceAddrLoWord*32 +: 32]};

  // ---------------------------------------------------------------- window check
  // One checker for both uses: only LOAD / STORE look at the transfer range
  // and only FENCE at the write address, so the opcode selects its input.
  logic        win_fence, win_hit;
  logic [63:0] win_lo;
  logic [64:0] win_hi;
  assign win_fence = (opcode == 8'(acceltran_pkg::OpFence));
  assign win_lo    = win_fence ? f_addr : x_mem;
  assign win_hi    = win_fence ? ({1'b0, f_addr} + 65'd4) : x_hi;

  acceltran_win_check #(
    .NumWindows (NumWindows)
  ) u_win_check (
    .lo_i       (win_lo),
    .hi_i       (win_hi),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .hit_o      (win_hit)
  );

  // ---------------------------------------------------------------- checks, in order
  localparam logic [7:0] EIllOp  = 8'(acceltran_pkg::ErrIllegalOpcode);
  localparam logic [7:0] EIllFld = 8'(acceltran_pkg::ErrIllegalField);
  localparam logic [7:0] ESpad   = 8'(acceltran_pkg::ErrSpadRange);
  localparam logic [7:0] EWin    = 8'(acceltran_pkg::ErrAddrWindow);

  logic [7:0]  err;
  logic [31:0] detail;
  always_comb begin
    err    = 8'(acceltran_pkg::ErrNone);
    detail = 32'd0;
    if (opcode > 8'(acceltran_pkg::OpFence)) begin
      err    = EIllOp;
      detail = 32'(opcode);
    end else if (resv_any) begin
      err    = EIllFld;
      detail = resv_word;
    end else begin
      case (opcode)
        8'(acceltran_pkg::OpLoad), 8'(acceltran_pkg::OpStore): begin
          if (x_buf == 2'd3) begin
            err = EIllFld; detail = 32'd0;
          end else if (x_keep && ((opcode == 8'(acceltran_pkg::OpStore)) || (x_buf != 2'd0))) begin
            err = EIllFld; detail = 32'd0;
          end else if ((x_rows == 64'd0) || (x_cols == 64'd0)) begin
            err = EIllFld; detail = 32'd2;
          end else if (x_mem[4:0] != 5'd0) begin
            err = EIllFld; detail = 32'd5;
          end else if (x_stride[4:0] != 5'd0) begin
            err = EIllFld; detail = 32'd7;
          end else if (x_last >= x_lines) begin
            err = ESpad; detail = 32'(x_buf);
          end else if (!win_hit) begin
            err = EWin; detail = x_mem[31:0];
          end
        end
        8'(acceltran_pkg::OpGemm): begin
          if (g_cw && g_accum) begin
            err = EIllFld; detail = 32'd0;
          end else if ((g_m == 64'd0) || (g_n == 64'd0)) begin
            err = EIllFld; detail = 32'd7;
          end else if (g_k == 64'd0) begin
            err = EIllFld; detail = 32'd8;
          end else if (g_b[1:0] != 2'd0) begin
            err = EIllFld; detail = 32'd3;
          end else if (g_ldb[1:0] != 2'd0) begin
            err = EIllFld; detail = 32'd4;
          end else if (g_pen && (g_par[1:0] != 2'd0)) begin
            err = EIllFld; detail = 32'd9;
          end else if (g_ldc_bad) begin
            err = EIllFld; detail = 32'd6;
          end else if (g_act_bad) begin
            err = ESpad; detail = 32'd0;
          end else if (g_wgt_bad) begin
            err = ESpad; detail = 32'd1;
          end else if (g_apart_bad) begin
            err = EIllFld; detail = 32'd5;
          end
        end
        8'(acceltran_pkg::OpSoftmax): begin
          if ((s_rows == 64'd0) || (s_n == 64'd0) || (s_n > 64'(acceltran_pkg::MaxSeqLen))) begin
            err = EIllFld; detail = 32'd5;
          end else if (!s_lv && ((s_len == 64'd0) || (s_len > s_n))) begin
            err = EIllFld; detail = 32'd6;
          end else if ((s_rows > 64'd1) && (s_ldd < s_nb)) begin
            err = EIllFld; detail = 32'd4;
          end else if ((s_last_s >= ActLines64) || (s_last_d >= ActLines64) ||
                       (s_lv && (s_last_l >= ActLines64))) begin
            err = ESpad; detail = 32'd0;
          end else if (!same_or_disjoint(s_dst, s_last_d, s_src, s_last_s)) begin
            err = EIllFld; detail = 32'd3;
          end else if (s_lv && overlap(s_lens, s_last_l, s_dst, s_last_d)) begin
            err = EIllFld; detail = 32'd7;
          end
        end
        8'(acceltran_pkg::OpLayernorm): begin
          if ((l_rows == 64'd0) || (l_n == 64'd0) || (l_n > 64'(acceltran_pkg::MaxHidden))) begin
            err = EIllFld; detail = 32'd7;
          end else if (l_par[1:0] != 2'd0) begin
            err = EIllFld; detail = 32'd8;
          end else if (l_eps > 64'h2000_0000_0000_0000) begin
            err = EIllFld; detail = 32'd11;
          end else if ((l_rows > 64'd1) && (l_ldd < l_nb)) begin
            err = EIllFld; detail = 32'd4;
          end else if ((l_last_s >= ActLines64) || (l_last_d >= ActLines64) ||
                       (l_res_en && (l_last_r >= ActLines64))) begin
            err = ESpad; detail = 32'd0;
          end else if (l_last_p >= WgtLines64) begin
            err = ESpad; detail = 32'd1;
          end else if (!same_or_disjoint(l_dst, l_last_d, l_src, l_last_s)) begin
            err = EIllFld; detail = 32'd3;
          end else if (l_res_en && !same_or_disjoint(l_dst, l_last_d, l_res, l_last_r)) begin
            err = EIllFld; detail = 32'd5;
          end
        end
        8'(acceltran_pkg::OpFence): begin
          if (f_write && (f_addr[1:0] != 2'd0)) begin
            err = EIllFld; detail = 32'd2;
          end else if (f_write && !win_hit) begin
            err = EWin; detail = f_addr[31:0];
          end
        end
        default: begin
          // NOP: nothing beyond the reserved bits
        end
      endcase
    end
  end
  assign err_o    = err;
  assign detail_o = detail;

  // ---------------------------------------------------------------- intervals and memory range
  logic [3:0]         ivv, ivw, ivwr;
  logic [4*64-1:0]    ivf, ivl;   // interval i at [i*64 +: 64]
  always_comb begin
    ivv  = 4'd0;
    ivw  = 4'd0;
    ivwr = 4'd0;
    ivf  = '0;
    ivl  = '0;
    case (opcode)
      8'(acceltran_pkg::OpLoad), 8'(acceltran_pkg::OpStore): begin
        ivv[0]  = 1'b1;
        ivw[0]  = (x_buf == 2'd1);
        ivwr[0] = (opcode == 8'(acceltran_pkg::OpLoad));
        if (x_buf == 2'd2) begin
          ivf[0*64 +: 64] = x_spad << 4;
          ivl[0*64 +: 64] = (x_last << 4) + 64'd15;
        end else begin
          ivf[0*64 +: 64] = x_spad;
          ivl[0*64 +: 64] = x_last;
        end
      end
      8'(acceltran_pkg::OpGemm): begin
        ivv    = {g_pen, 3'b111};
        ivw    = {2'b11, g_cw, 1'b0};  // C (1) in the weight buffer with C_WGT
        ivwr   = 4'b0010;
        ivf[0*64 +: 64] = g_a;   ivl[0*64 +: 64] = g_last_a;
        ivf[1*64 +: 64] = g_c;   ivl[1*64 +: 64] = g_last_c;
        ivf[2*64 +: 64] = g_b;   ivl[2*64 +: 64] = g_last_b;
        ivf[3*64 +: 64] = g_par; ivl[3*64 +: 64] = g_last_p;
      end
      8'(acceltran_pkg::OpSoftmax): begin
        ivv    = {1'b0, s_lv, 2'b11};
        ivwr   = 4'b0010;
        ivf[0*64 +: 64] = s_src;  ivl[0*64 +: 64] = s_last_s;
        ivf[1*64 +: 64] = s_dst;  ivl[1*64 +: 64] = s_last_d;
        ivf[2*64 +: 64] = s_lens; ivl[2*64 +: 64] = s_last_l;
      end
      8'(acceltran_pkg::OpLayernorm): begin
        ivv    = {1'b1, l_res_en, 2'b11};
        ivw    = 4'b1000;
        ivwr   = 4'b0010;
        ivf[0*64 +: 64] = l_src; ivl[0*64 +: 64] = l_last_s;
        ivf[1*64 +: 64] = l_dst; ivl[1*64 +: 64] = l_last_d;
        ivf[2*64 +: 64] = l_res; ivl[2*64 +: 64] = l_last_r;
        ivf[3*64 +: 64] = l_par; ivl[3*64 +: 64] = l_last_p;
      end
      default: begin
        // NOP / FENCE: no scratchpad access
      end
    endcase
  end

  always_comb begin
    for (int i = 0; i < 4; i++) begin
      iv_first_o[i*LineW +: LineW] = ivf[i*64 +: LineW];
      iv_last_o[i*LineW +: LineW]  = ivl[i*64 +: LineW];
    end
  end
  assign iv_valid_o = ivv;
  assign iv_wgt_o   = ivw;
  assign iv_write_o = ivwr;

  assign mem_valid_o = (opcode == 8'(acceltran_pkg::OpLoad)) ||
                       (opcode == 8'(acceltran_pkg::OpStore));
  assign mem_lo_o    = x_mem;
  assign mem_hi_o    = x_hi;

  // Only the used descriptor bits matter; the rest of flags is covered by resv.
  logic unused;
  assign unused = ^{flags, x_rs[63:24], l_eps[63:62]};

endmodule
