// The three scratchpads (docs/isa.md "Scratchpads", docs/rtl-top.md
// "Scratchpad module"):
// - activation buffer: NumActBanks banks of ActLines / NumActBanks lines of
//   256 bits; line L lives in bank h(L) mod NumActBanks at index
//   L >> log2(NumActBanks), where h(L) is the XOR of L's 4-bit chunks (it
//   spreads the GEMM feeders' streams, whose lines differ by multiples of
//   the row block's LDA, over the banks);
// - mask sidecar: 16 word banks of ActLines/16 words of 16 bits; the mask
//   word of activation line L is entry L / 16 of word bank h(L). Lines
//   16e .. 16e+15 (mask-buffer line e) have h = j ^ h(e), one per word bank,
//   so a mask-buffer line is one access (word j in word bank j ^ h(e)); the
//   compute reads granted in one cycle are in distinct activation banks, so
//   distinct h, so distinct word banks: each line's mask word comes with it;
// - weight buffer: 4 quad banks of WgtLines/16 quads (a quad = 4 lines =
//   4 weight rows), quad Q in bank Q mod 4 at index Q / 4: a compute read
//   of up to 4 consecutive quads from any quad (one GEMM weight chunk, 16
//   rows) is one access to distinct banks, a DMA line access touches one
//   bank. Each quad bank is 4 line slices with their own write port (line
//   L in slice L mod 4 of quad bank (L / 4) mod 4: 16 line banks, line
//   bank L mod 16, index L / 16), so that writes of lines in different
//   line banks go in one cycle.
// Physical ports: NumActRdPorts compute activation reads (one per GEMM
// feeder; the row engines use port 0) and the DMA's read of the activation
// or mask buffer, sharing the activation banks; NumActWrPorts compute
// activation writes (one per GEMM writer lane; the row engines use port 0)
// and the DMA's write of the activation or mask buffer, sharing the banks
// likewise (a bank takes one read and one write a cycle); weight read
// (compute chunk read, DMA read of a weight line); weight write:
// NumWgtWrPorts compute line writes (the GEMM writer's lanes with C_WGT)
// and the DMA's line write, one line per line bank and cycle.
// Per activation bank, the compute read ports asking for it are served
// round-robin (a rotating pointer per bank), the write ports likewise (a
// second pointer). The DMA read takes the bank of its line (a mask-buffer
// line: every bank) and, when compute ports ask for that bank too, wins if
// it lost the previous such conflict (a toggle, so neither side starves);
// the DMA write the same against the compute writes (activation banks and
// weight line banks alike: per line bank, the compute weight write ports
// are served round-robin and the DMA's weight write wins a conflict when
// it lost the previous one); the weight read grants round-robin between
// the compute engine and the DMA. Grants come in the request
// cycle; read data comes from registers the cycle after the grant. Writes
// take effect at the grant edge (a read granted in the same cycle returns
// the old line).
// Memories are written in their own always_ff (memory inference); they are
// not reset (contents are undefined after reset, docs/isa.md).
// Counters (docs/isa.md, Performance counters): cnt_spad_rd_o / _wr_o are
// the DMA side's lines; the per-buffer ones count every granted access by
// the buffer it is for: activation and weight lines (a quad read is 4) and
// mask words (16 per mask-buffer line; one with each compute activation
// access, and with each DMA activation write that writes the mask word).
`include "acceltran_assert.svh"

module acceltran_spad #(
  // compute activation read ports: one per GEMM feeder (PE row); the unit
  // test's second build overrides it
  parameter  int unsigned NumActRdPorts = acceltran_pkg::NumPeRows,
  // compute activation write ports: the GEMM writer's lanes (the row
  // engines use port 0)
  parameter  int unsigned NumActWrPorts = acceltran_pkg::NumOutLanes,
  // compute weight write ports: the GEMM writer's lanes (C_WGT)
  parameter  int unsigned NumWgtWrPorts = acceltran_pkg::NumOutLanes,
  localparam int unsigned ActLines  = acceltran_pkg::ActBufKib * 1024 / 32,
  localparam int unsigned WgtLines  = acceltran_pkg::WgtBufKib * 1024 / 32,
  localparam int unsigned MaskLines = ActLines / 16,
  localparam int unsigned ActAddrW  = $clog2(ActLines),
  localparam int unsigned WgtAddrW  = $clog2(WgtLines),
  localparam int unsigned MaskAddrW = ActAddrW - 4,
  localparam int unsigned QuadW     = WgtAddrW - 2,
  localparam int unsigned WbIdxW    = WgtAddrW - 4,  // index in a weight quad bank
  localparam int unsigned CntW      = 48,
  localparam int unsigned NAR       = NumActRdPorts,
  localparam int unsigned AB        = acceltran_pkg::NumActBanks,
  localparam int unsigned AbW       = (AB > 1) ? $clog2(AB) : 1,
  localparam int unsigned AbSh      = $clog2(AB),  // bank index = line >> AbSh
  localparam int unsigned AIdxW     = ActAddrW - AbSh,
  localparam int unsigned NAW       = NumActWrPorts,
  localparam int unsigned NWW       = NumWgtWrPorts
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // compute engine side
  input  logic [NAR-1:0]          act_rd_req_i,
  output logic [NAR-1:0]          act_rd_gnt_o,
  input  logic [NAR*ActAddrW-1:0] act_rd_addr_i,
  output logic [NAR-1:0]          act_rvalid_o,
  output logic [NAR*256-1:0]      act_rdata_o,
  output logic [NAR*16-1:0]       act_rmask_o,
  input  logic [NAW-1:0]          act_wr_req_i,
  output logic [NAW-1:0]          act_wr_gnt_o,
  input  logic [NAW*ActAddrW-1:0] act_wr_addr_i,
  input  logic [NAW*256-1:0]      act_wr_data_i,
  input  logic [NAW*16-1:0]       act_wr_mask_i,
  input  logic [NWW-1:0]          wgt_wr_req_i,    // one line each, any line bank
  output logic [NWW-1:0]          wgt_wr_gnt_o,
  input  logic [NWW*WgtAddrW-1:0] wgt_wr_addr_i,
  input  logic [NWW*256-1:0]      wgt_wr_data_i,
  input  logic                wgt_rd_req_i,
  output logic                wgt_rd_gnt_o,
  input  logic [QuadW-1:0]    wgt_rd_quad_i,   // first quad of the read
  input  logic [2:0]          wgt_rd_nq_i,     // quads read, 1..4
  output logic                wgt_rvalid_o,
  output logic [4*1024-1:0]   wgt_rdata_o,     // quad q at [q*1024 +: 1024]; 0 past nq
  // DMA side
  input  logic                dma_wr_req_i,
  output logic                dma_wr_gnt_o,
  input  logic [1:0]          dma_wr_buf_i,
  input  logic [23:0]         dma_wr_addr_i,
  input  logic [255:0]        dma_wr_data_i,
  input  logic                dma_wr_mask_en_i,
  input  logic [15:0]         dma_wr_mask_i,
  input  logic                dma_rd_req_i,
  output logic                dma_rd_gnt_o,
  input  logic [1:0]          dma_rd_buf_i,
  input  logic [23:0]         dma_rd_addr_i,
  output logic                dma_rvalid_o,
  output logic [255:0]        dma_rdata_o,
  output logic [CntW-1:0]     cnt_spad_rd_o,
  output logic [CntW-1:0]     cnt_spad_wr_o,
  output logic [CntW-1:0]     cnt_act_rd_o,
  output logic [CntW-1:0]     cnt_act_wr_o,
  output logic [CntW-1:0]     cnt_wgt_rd_o,
  output logic [CntW-1:0]     cnt_wgt_wr_o,
  output logic [CntW-1:0]     cnt_mask_rd_o,
  output logic [CntW-1:0]     cnt_mask_wr_o
);

  localparam logic [1:0] BufWgt  = 2'd1;
  localparam logic [1:0] BufMask = 2'd2;

  // The DMA addresses are 24-bit descriptor fields, range-checked by the
  // command processor: only the buffer's address bits are used.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [23:0] dma_wr_addr_unused, dma_rd_addr_unused;
  /* verilator lint_on UNUSEDSIGNAL */
  assign dma_wr_addr_unused = dma_wr_addr_i;
  assign dma_rd_addr_unused = dma_rd_addr_i;

  logic [ActAddrW-1:0] dwa, dra;
  logic [WgtAddrW-1:0] dwa_w, dra_w;
  assign dwa   = dma_wr_addr_i[ActAddrW-1:0];
  assign dra   = dma_rd_addr_i[ActAddrW-1:0];
  assign dwa_w = dma_wr_addr_i[WgtAddrW-1:0];
  assign dra_w = dma_rd_addr_i[WgtAddrW-1:0];

  // XOR of the 4-bit chunks of a line address: the bank hash h
  function automatic logic [3:0] fold4(input logic [31:0] a);
    fold4 = a[3:0] ^ a[7:4] ^ a[11:8] ^ a[15:12] ^ a[19:16] ^ a[23:20] ^ a[27:24] ^ a[31:28];
  endfunction

  function automatic logic [AbW-1:0] abank(input logic [ActAddrW-1:0] l);
    abank = AbW'(32'(fold4(32'(l))) % AB);
  endfunction

  // ------------------------------------------------------------ arbitration
  logic dma_rd_act, dma_rd_wgt, dma_wr_act, dma_wr_wgt;
  logic ar_dma_pri_d, ar_dma_pri_q, wr_dma_pri_d, wr_dma_pri_q, wg_dma_pri_d, wg_dma_pri_q;
  logic ww_dma_pri_d, ww_dma_pri_q;
  logic ar_dma, aw_dma, wr_dma;  // the DMA wins the port (its banks) this cycle
  logic ww_dma;                  // the DMA's weight write wins its line bank
  logic ar_conf;                 // compute reads ask for the DMA read's bank(s)
  logic aw_conf;                 // compute writes ask for the DMA write's bank(s)
  logic ww_conf;                 // compute weight writes ask for the DMA write's line bank
  logic [NWW*4-1:0] wwp_bank;    // line bank of each compute weight write port's line
  logic d_wmask;                 // the DMA write is of a mask-buffer line
  logic [AbW-1:0] d_wbank;
  logic [NAW*AbW-1:0] wp_bank;   // bank of each compute write port's line
  logic d_rmask;                 // the DMA read is of a mask-buffer line
  logic [AbW-1:0] d_rbank;
  logic [NAR*AbW-1:0] rp_bank;   // bank of each compute read port's line

  always_comb begin
    dma_rd_act = dma_rd_req_i && (dma_rd_buf_i != BufWgt);
    dma_rd_wgt = dma_rd_req_i && (dma_rd_buf_i == BufWgt);
    dma_wr_act = dma_wr_req_i && (dma_wr_buf_i != BufWgt);
    dma_wr_wgt = dma_wr_req_i && (dma_wr_buf_i == BufWgt);
    d_rmask    = dma_rd_buf_i == BufMask;
    d_rbank    = abank(dra);
    ar_conf    = 1'b0;
    for (int p = 0; p < NAR; p++) begin
      rp_bank[p*AbW +: AbW] = abank(act_rd_addr_i[p*ActAddrW +: ActAddrW]);
      if (act_rd_req_i[p] && (d_rmask || (rp_bank[p*AbW +: AbW] == d_rbank))) begin
        ar_conf = 1'b1;
      end
    end
    d_wmask    = dma_wr_buf_i == BufMask;
    d_wbank    = abank(dwa);
    aw_conf    = 1'b0;
    for (int p = 0; p < NAW; p++) begin
      wp_bank[p*AbW +: AbW] = abank(act_wr_addr_i[p*ActAddrW +: ActAddrW]);
      if (act_wr_req_i[p] && (d_wmask || (wp_bank[p*AbW +: AbW] == d_wbank))) begin
        aw_conf = 1'b1;
      end
    end
    ww_conf    = 1'b0;
    for (int p = 0; p < NWW; p++) begin
      wwp_bank[p*4 +: 4] = wgt_wr_addr_i[p*WgtAddrW +: 4];
      if (wgt_wr_req_i[p] && (wwp_bank[p*4 +: 4] == dwa_w[3:0])) begin
        ww_conf = 1'b1;
      end
    end
    ar_dma = dma_rd_act && (!ar_conf || ar_dma_pri_q);
    aw_dma = dma_wr_act && (!aw_conf || wr_dma_pri_q);
    wr_dma = dma_rd_wgt && (!wgt_rd_req_i || wg_dma_pri_q);
    ww_dma = dma_wr_wgt && (!ww_conf || ww_dma_pri_q);
    wgt_rd_gnt_o = wgt_rd_req_i && !wr_dma;
    dma_rd_gnt_o = ar_dma || wr_dma;
    dma_wr_gnt_o = aw_dma || ww_dma;
    // round-robin: after a conflict the loser has priority
    ar_dma_pri_d = ar_dma_pri_q;
    wr_dma_pri_d = wr_dma_pri_q;
    wg_dma_pri_d = wg_dma_pri_q;
    ww_dma_pri_d = ww_dma_pri_q;
    if (dma_wr_wgt && ww_conf) begin
      ww_dma_pri_d = !ww_dma;
    end
    if (dma_rd_act && ar_conf) begin
      ar_dma_pri_d = !ar_dma;
    end
    if (dma_wr_act && aw_conf) begin
      wr_dma_pri_d = !aw_dma;
    end
    if (wgt_rd_req_i && dma_rd_wgt) begin
      wg_dma_pri_d = !wr_dma;
    end
  end

  // compute read and write ports: per bank round-robin (acceltran_bank_arb),
  // except in the bank(s) the DMA takes (a mask-buffer line: every bank)
  logic [AB-1:0] rd_held, wr_held;
  always_comb begin
    for (int b = 0; b < AB; b++) begin
      rd_held[b] = ar_dma && (d_rmask || (32'(d_rbank) == b));
      wr_held[b] = aw_dma && (d_wmask || (32'(d_wbank) == b));
    end
  end

  acceltran_bank_arb #(
    .NumPorts (NAR),
    .NumBanks (AB)
  ) u_rd_arb (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .req_i  (act_rd_req_i),
    .bank_i (rp_bank),
    .held_i (rd_held),
    .gnt_o  (act_rd_gnt_o)
  );

  acceltran_bank_arb #(
    .NumPorts (NAW),
    .NumBanks (AB)
  ) u_wr_arb (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .req_i  (act_wr_req_i),
    .bank_i (wp_bank),
    .held_i (wr_held),
    .gnt_o  (act_wr_gnt_o)
  );

  // compute weight writes: per line bank round-robin, except in the line
  // bank the DMA's weight write takes
  logic [15:0] ww_held;
  always_comb begin
    for (int b = 0; b < 16; b++) begin
      ww_held[b] = ww_dma && (32'(dwa_w[3:0]) == b);
    end
  end

  acceltran_bank_arb #(
    .NumPorts (NWW),
    .NumBanks (16)
  ) u_ww_arb (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .req_i  (wgt_wr_req_i),
    .bank_i (wwp_bank),
    .held_i (ww_held),
    .gnt_o  (wgt_wr_gnt_o)
  );

  // ------------------------------------------------------------ writes
  // activation banks: one write per bank and cycle (a granted compute port
  // or the DMA line); mask word banks: the word of each written line in
  // word bank h(L) (distinct activation banks have distinct h), or a whole
  // mask-buffer line
  logic                    m_we_line, w_we;
  logic [AB-1:0]           ab_we;
  logic [AB*AIdxW-1:0]     ab_wa;
  logic [AB*256-1:0]       ab_wd;
  logic [255:0]            m_wline;
  logic [15:0]             wl_we;   // weight line bank l: write enable, index, data
  logic [16*WbIdxW-1:0]    wl_wa;
  logic [16*256-1:0]       wl_wd;
  logic [15:0]             mw_we;
  logic [16*16-1:0]        mw_wd;
  logic [16*MaskAddrW-1:0] mw_wa;
  logic                    dma_wr_word;  // the DMA's activation line write carries its mask word

  always_comb begin
    logic [3:0] hd;
    m_wline     = dma_wr_data_i;
    m_we_line   = aw_dma && d_wmask;
    dma_wr_word = aw_dma && !d_wmask && dma_wr_mask_en_i;
    hd          = fold4(32'(d_wmask ? 32'(dwa[MaskAddrW-1:0]) : 32'(dwa)));
    ab_we = '0;
    ab_wa = '0;
    ab_wd = '0;
    for (int b = 0; b < AB; b++) begin
      for (int p = 0; p < NAW; p++) begin
        if (act_wr_gnt_o[p] && (32'(wp_bank[p*AbW +: AbW]) == b)) begin
          ab_we[b] = 1'b1;
          ab_wa[b*AIdxW +: AIdxW] = act_wr_addr_i[p*ActAddrW + AbSh +: AIdxW];
          ab_wd[b*256 +: 256]     = act_wr_data_i[p*256 +: 256];
        end
      end
      if (aw_dma && !d_wmask && (32'(d_wbank) == b)) begin
        ab_we[b] = 1'b1;
        ab_wa[b*AIdxW +: AIdxW] = dwa[AbSh +: AIdxW];
        ab_wd[b*256 +: 256]     = dma_wr_data_i;
      end
    end
    mw_we = '0;
    mw_wd = '0;
    mw_wa = '0;
    for (int w = 0; w < 16; w++) begin
      logic [3:0] j;
      j = 4'(w) ^ hd;
      for (int p = 0; p < NAW; p++) begin
        logic [ActAddrW-1:0] l;
        l = act_wr_addr_i[p*ActAddrW +: ActAddrW];
        if (act_wr_gnt_o[p] && (fold4(32'(l)) == 4'(w))) begin
          mw_we[w] = 1'b1;
          mw_wa[w*MaskAddrW +: MaskAddrW] = l[ActAddrW-1:4];
          mw_wd[w*16 +: 16] = act_wr_mask_i[p*16 +: 16];
        end
      end
      if (m_we_line) begin
        mw_we[w] = 1'b1;
        mw_wa[w*MaskAddrW +: MaskAddrW] = dwa[MaskAddrW-1:0];
        mw_wd[w*16 +: 16] = m_wline[32'(j)*16 +: 16];
      end else if (dma_wr_word && (4'(w) == hd)) begin
        mw_we[w] = 1'b1;
        mw_wa[w*MaskAddrW +: MaskAddrW] = dwa[ActAddrW-1:4];
        mw_wd[w*16 +: 16] = dma_wr_mask_i;
      end
    end
    // weight line banks: a granted compute port or the DMA line
    w_we  = ww_dma;
    wl_we = '0;
    wl_wa = '0;
    wl_wd = '0;
    for (int l = 0; l < 16; l++) begin
      for (int p = 0; p < NWW; p++) begin
        if (wgt_wr_gnt_o[p] && (32'(wwp_bank[p*4 +: 4]) == l)) begin
          wl_we[l] = 1'b1;
          wl_wa[l*WbIdxW +: WbIdxW] = wgt_wr_addr_i[p*WgtAddrW + 4 +: WbIdxW];
          wl_wd[l*256 +: 256]       = wgt_wr_data_i[p*256 +: 256];
        end
      end
      if (ww_dma && (32'(dwa_w[3:0]) == l)) begin
        wl_we[l] = 1'b1;
        wl_wa[l*WbIdxW +: WbIdxW] = dwa_w[4 +: WbIdxW];
        wl_wd[l*256 +: 256]       = dma_wr_data_i;
      end
    end
  end

  // weight quad banks: the compute read enables the banks of quads
  // base .. base + nq - 1 (consecutive quads: distinct banks), the DMA read
  // the bank of its line's quad; a bank not read holds 0 (the quads past nq
  // come back as 0)
  logic [3:0]            wb_re;
  logic [4*WbIdxW-1:0]   wb_ra;
  logic [4*1024-1:0]     wb_rd, wb_d, wb_q;

  always_comb begin
    wb_re = '0;
    wb_ra = '0;
    for (int b = 0; b < 4; b++) begin
      logic [1:0] off;
      off = 2'(b) - wgt_rd_quad_i[1:0];
      if (wgt_rd_gnt_o && ({1'b0, off} < wgt_rd_nq_i)) begin
        wb_re[b] = 1'b1;
        wb_ra[b*WbIdxW +: WbIdxW] = WbIdxW'((wgt_rd_quad_i + QuadW'(off)) >> 2);
      end
      if (wr_dma && (dra_w[3:2] == 2'(b))) begin
        wb_re[b] = 1'b1;
        wb_ra[b*WbIdxW +: WbIdxW] = dra_w[WgtAddrW-1:4];
      end
    end
  end

  always_comb begin
    wb_d = '0;
    for (int b = 0; b < 4; b++) begin
      if (wb_re[b]) begin
        wb_d[b*1024 +: 1024] = wb_rd[b*1024 +: 1024];
      end
    end
  end

  // quad bank b: line slices s (line bank 4b + s), read at one index
  for (genvar b = 0; b < 4; b++) begin : g_wbank
    for (genvar s = 0; s < 4; s++) begin : g_wline
      localparam int unsigned L = 4 * b + s;
      logic [255:0] mem [WgtLines / 16];
      assign wb_rd[b*1024 + s*256 +: 256] = mem[wb_ra[b*WbIdxW +: WbIdxW]];
      always_ff @(posedge clk_i) begin
        if (wl_we[L]) begin
          mem[wl_wa[L*WbIdxW +: WbIdxW]] <= wl_wd[L*256 +: 256];
        end
      end
    end
  end

  // ------------------------------------------------------------ banks
  // per activation bank: the read of this cycle (granted port or DMA) into
  // the bank's read register; per word bank likewise
  logic [AB-1:0]         ab_re;
  logic [AB*AIdxW-1:0]   ab_ra;
  logic [AB*256-1:0]     ab_rd, ab_d, ab_q;
  logic [16*MaskAddrW-1:0] mw_ra;
  logic [16*16-1:0]      mw_rd;
  logic [3:0]            d_rfold;

  always_comb begin
    ab_re = '0;
    ab_ra = '0;
    mw_ra = '0;
    for (int b = 0; b < AB; b++) begin
      for (int p = 0; p < NAR; p++) begin
        if (act_rd_gnt_o[p] && (32'(rp_bank[p*AbW +: AbW]) == b)) begin
          ab_re[b] = 1'b1;
          ab_ra[b*AIdxW +: AIdxW] = act_rd_addr_i[p*ActAddrW + AbSh +: AIdxW];
        end
      end
      if (ar_dma && !d_rmask && (32'(d_rbank) == b)) begin
        ab_re[b] = 1'b1;
        ab_ra[b*AIdxW +: AIdxW] = dra[AbSh +: AIdxW];
      end
    end
    for (int w = 0; w < 16; w++) begin
      for (int p = 0; p < NAR; p++) begin
        logic [ActAddrW-1:0] l;
        l = act_rd_addr_i[p*ActAddrW +: ActAddrW];
        if (act_rd_gnt_o[p] && (fold4(32'(l)) == 4'(w))) begin
          mw_ra[w*MaskAddrW +: MaskAddrW] = l[ActAddrW-1:4];
        end
      end
      if (ar_dma && d_rmask) begin
        mw_ra[w*MaskAddrW +: MaskAddrW] = dra[MaskAddrW-1:0];
      end
    end
    ab_d = ab_q;
    for (int b = 0; b < AB; b++) begin
      if (ab_re[b]) begin
        ab_d[b*256 +: 256] = ab_rd[b*256 +: 256];
      end
    end
  end

  for (genvar b = 0; b < AB; b++) begin : g_abank
    logic [255:0] mem [ActLines / AB];
    assign ab_rd[b*256 +: 256] = mem[ab_ra[b*AIdxW +: AIdxW]];
    always_ff @(posedge clk_i) begin
      if (ab_we[b]) begin
        mem[ab_wa[b*AIdxW +: AIdxW]] <= ab_wd[b*256 +: 256];
      end
    end
  end

  for (genvar w = 0; w < 16; w++) begin : g_mbank
    logic [15:0] mem [MaskLines];
    assign mw_rd[w*16 +: 16] = mem[mw_ra[w*MaskAddrW +: MaskAddrW]];
    always_ff @(posedge clk_i) begin
      if (mw_we[w]) begin
        mem[mw_wa[w*MaskAddrW +: MaskAddrW]] <= mw_wd[w*16 +: 16];
      end
    end
  end

  // ------------------------------------------------------------ reads
  logic [NAR-1:0]     arv_d, arv_q;
  logic [NAR*AbW-1:0] arb_d, arb_q;   // the bank each port read
  logic [NAR*16-1:0]  arm_d, arm_q;   // the line's mask word
  logic [AbW-1:0]     dab_d, dab_q;   // the bank of the DMA's activation read
  logic [255:0]       dml_d, dml_q;   // the DMA's mask-buffer line
  logic               dmk_d, dmk_q;   // the DMA read was of a mask-buffer line
  logic [1:0]    wbase_d, wbase_q;    // the compute read's first quad mod 4
  logic          wrv_d, wrv_q, drv_d, drv_q;
  logic          dsrc_w_d, dsrc_w_q;  // the DMA read came from the weight port
  logic [3:0]    dsel_d, dsel_q;      // its line within the 4 quad banks
  logic [CntW-1:0] crd_d, crd_q, cwr_d, cwr_q;
  logic [CntW-1:0] car_d, car_q, caw_d, caw_q, cwgr_d, cwgr_q, cwgw_d, cwgw_q, cmr_d, cmr_q, cmw_d, cmw_q;
  logic            dma_rd_mask;  // the DMA reads a mask-buffer line this cycle

  logic [255:0] dml_rd;  // the mask-buffer line e: word j from word bank j ^ h(e)

  assign d_rfold = fold4(32'(dra[MaskAddrW-1:0]));

  always_comb begin
    for (int j = 0; j < 16; j++) begin
      logic [3:0] w;
      w = 4'(j) ^ d_rfold;
      dml_rd[j*16 +: 16] = mw_rd[32'(w)*16 +: 16];
    end
  end

  always_comb begin
    arv_d = act_rd_gnt_o;
    arb_d = rp_bank;
    arm_d = arm_q;
    for (int p = 0; p < NAR; p++) begin
      if (act_rd_gnt_o[p]) begin
        arm_d[p*16 +: 16] = mw_rd[32'(fold4(32'(act_rd_addr_i[p*ActAddrW +: ActAddrW])))*16 +: 16];
      end
    end
    dma_rd_mask = ar_dma && d_rmask;
    dab_d = dab_q;
    dmk_d = dmk_q;
    dml_d = dml_q;
    if (ar_dma) begin
      dab_d = d_rbank;
      dmk_d = d_rmask;
    end
    if (dma_rd_mask) begin
      dml_d = dml_rd;
    end
    wbase_d  = wgt_rd_quad_i[1:0];
    wrv_d    = wgt_rd_gnt_o;
    drv_d    = dma_rd_gnt_o;
    dsrc_w_d = wr_dma;
    dsel_d   = dra_w[3:0];
    crd_d    = crd_q + {{(CntW-1){1'b0}}, dma_rd_gnt_o};
    cwr_d    = cwr_q + {{(CntW-1){1'b0}}, dma_wr_gnt_o};
    // per buffer (the writes' enables come from the write block above)
    car_d  = car_q + CntW'($countones(act_rd_gnt_o)) + CntW'(ar_dma && !d_rmask);
    caw_d  = caw_q + CntW'($countones(act_wr_gnt_o)) + CntW'(aw_dma && !d_wmask);
    cwgr_d = cwgr_q + (wgt_rd_gnt_o ? (CntW'(wgt_rd_nq_i) << 2) : '0) + CntW'(wr_dma);
    cwgw_d = cwgw_q + CntW'(w_we) + CntW'($countones(wgt_wr_gnt_o));
    cmr_d  = cmr_q + CntW'($countones(act_rd_gnt_o)) + (CntW'(dma_rd_mask) << 4);
    cmw_d  = cmw_q + CntW'($countones(act_wr_gnt_o)) + CntW'(dma_wr_word) + (CntW'(m_we_line) << 4);
  end

  always_comb begin
    for (int p = 0; p < NAR; p++) begin
      act_rdata_o[p*256 +: 256] = ab_q[32'(arb_q[p*AbW +: AbW])*256 +: 256];
    end
    // quad q of the compute read is in bank (base + q) mod 4
    for (int q = 0; q < 4; q++) begin
      wgt_rdata_o[q*1024 +: 1024] = wb_q[32'(2'(wbase_q + 2'(q)))*1024 +: 1024];
    end
    if (dsrc_w_q) begin
      dma_rdata_o = wb_q[32'(dsel_q)*256 +: 256];
    end else if (dmk_q) begin
      dma_rdata_o = dml_q;
    end else begin
      dma_rdata_o = ab_q[32'(dab_q)*256 +: 256];
    end
  end

  assign act_rvalid_o  = arv_q;
  assign act_rmask_o   = arm_q;
  assign wgt_rvalid_o  = wrv_q;
  assign dma_rvalid_o  = drv_q;
  assign cnt_spad_rd_o = crd_q;
  assign cnt_spad_wr_o = cwr_q;
  assign cnt_act_rd_o  = car_q;
  assign cnt_act_wr_o  = caw_q;
  assign cnt_wgt_rd_o  = cwgr_q;
  assign cnt_wgt_wr_o  = cwgw_q;
  assign cnt_mask_rd_o = cmr_q;
  assign cnt_mask_wr_o = cmw_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_dma_pri_q <= 1'b0;
      wr_dma_pri_q <= 1'b0;
      wg_dma_pri_q <= 1'b0;
      ww_dma_pri_q <= 1'b0;
      ab_q         <= '0;
      arv_q        <= '0;
      arb_q        <= '0;
      arm_q        <= '0;
      dab_q        <= '0;
      dml_q        <= '0;
      dmk_q        <= 1'b0;
      wbase_q      <= '0;
      wb_q         <= '0;
      wrv_q        <= 1'b0;
      drv_q        <= 1'b0;
      dsrc_w_q     <= 1'b0;
      dsel_q       <= '0;
      crd_q        <= '0;
      cwr_q        <= '0;
      car_q        <= '0;
      caw_q        <= '0;
      cwgr_q       <= '0;
      cwgw_q       <= '0;
      cmr_q        <= '0;
      cmw_q        <= '0;
    end else begin
      ar_dma_pri_q <= ar_dma_pri_d;
      wr_dma_pri_q <= wr_dma_pri_d;
      wg_dma_pri_q <= wg_dma_pri_d;
      ww_dma_pri_q <= ww_dma_pri_d;
      ab_q         <= ab_d;
      arv_q        <= arv_d;
      arb_q        <= arb_d;
      arm_q        <= arm_d;
      dab_q        <= dab_d;
      dml_q        <= dml_d;
      dmk_q        <= dmk_d;
      wbase_q      <= wbase_d;
      wb_q         <= wb_d;
      wrv_q        <= wrv_d;
      drv_q        <= drv_d;
      dsrc_w_q     <= dsrc_w_d;
      dsel_q       <= dsel_d;
      crd_q        <= crd_d;
      cwr_q        <= cwr_d;
      car_q        <= car_d;
      caw_q        <= caw_d;
      cwgr_q       <= cwgr_d;
      cwgw_q       <= cwgw_d;
      cmr_q        <= cmr_d;
      cmw_q        <= cmw_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  // grants only to requests (the activation ports: acceltran_bank_arb), one
  // winner per shared port
  // a DMA mask-buffer read excludes every compute read (it uses all word banks)
  `AT_ASSERT(SpadMaskRdExcl_A, dma_rd_mask |-> (act_rd_gnt_o == '0))
  // a DMA mask-buffer write excludes every compute write (all word banks)
  `AT_ASSERT(SpadMaskWrExcl_A, m_we_line |-> (act_wr_gnt_o == '0))
  // per activation bank at most one granted compute read and one granted
  // compute write, and none in a bank the DMA holds (else a line or its
  // mask word would be lost in the bank loops above)
  for (genvar b = 0; b < AB; b++) begin : g_bank_asserts
    logic [NAR-1:0] rg;
    logic [NAW-1:0] wg;
    always_comb begin
      for (int p = 0; p < NAR; p++) begin
        rg[p] = act_rd_gnt_o[p] && (32'(rp_bank[p*AbW +: AbW]) == b);
      end
      for (int p = 0; p < NAW; p++) begin
        wg[p] = act_wr_gnt_o[p] && (32'(wp_bank[p*AbW +: AbW]) == b);
      end
    end
    `AT_ASSERT(SpadBankRdOne_A, $onehot0(rg) && !((|rg) && ar_dma && (d_rmask || (32'(d_rbank) == b))))
    `AT_ASSERT(SpadBankWrOne_A, $onehot0(wg) && !((|wg) && aw_dma && (d_wmask || (32'(d_wbank) == b))))
  end
  // per weight line bank at most one granted compute write, none in the
  // line bank the DMA writes (the line-bank loop above keeps one)
  for (genvar l = 0; l < 16; l++) begin : g_wline_asserts
    logic [NWW-1:0] wg;
    always_comb begin
      for (int p = 0; p < NWW; p++) begin
        wg[p] = wgt_wr_gnt_o[p] && (32'(wwp_bank[p*4 +: 4]) == l);
      end
    end
    `AT_ASSERT(SpadWgtWrOne_A, $onehot0(wg) && !((|wg) && ww_dma && (32'(dwa_w[3:0]) == l)))
  end
  // a compute weight write is inside the buffer and never to a line of the
  // compute read granted in the same cycle (the GEMM checks keep C_WGT's C
  // apart from B and the parameter quads)
  for (genvar p = 0; p < NWW; p++) begin : g_wwr_asserts
    logic [WgtAddrW-1:0] wl;
    assign wl = wgt_wr_addr_i[p*WgtAddrW +: WgtAddrW];
    `AT_ASSERT(SpadWgtWrRange_A, wgt_wr_req_i[p] |-> (32'(wl) < WgtLines))
    `AT_ASSERT(SpadWgtWrRd_A, (wgt_wr_gnt_o[p] && wgt_rd_gnt_o) |->
               ((32'(wl) < 4 * 32'(wgt_rd_quad_i)) || (32'(wl) >= 4 * (32'(wgt_rd_quad_i) + 32'(wgt_rd_nq_i)))))
  end
  `AT_ASSERT(SpadWgtRdGnt_A, wgt_rd_gnt_o |-> wgt_rd_req_i && !wr_dma)
  // a compute weight read is 1..4 quads inside the buffer (the banks would
  // wrap silently)
  `AT_ASSERT(SpadWgtRdNq_A, wgt_rd_req_i |-> (wgt_rd_nq_i >= 3'd1) && (wgt_rd_nq_i <= 3'd4) &&
             ((32'(wgt_rd_quad_i) + 32'(wgt_rd_nq_i)) <= WgtLines / 4))
  `AT_ASSERT(SpadDmaRdGnt_A, dma_rd_gnt_o |-> dma_rd_req_i)
  `AT_ASSERT(SpadDmaWrGnt_A, dma_wr_gnt_o |-> dma_wr_req_i)
  // the DMA's 24-bit addresses come from checked descriptors: always inside
  // their buffer (only the buffer's address bits are used above), and the
  // buffer field is one of act (0), wgt (1), mask (2)
  `AT_ASSERT(SpadDmaWrBuf_A, dma_wr_req_i |-> (dma_wr_buf_i != 2'd3))
  `AT_ASSERT(SpadDmaRdBuf_A, dma_rd_req_i |-> (dma_rd_buf_i != 2'd3))
  `AT_ASSERT(SpadDmaWrRange_A, dma_wr_req_i |->
             (32'(dma_wr_addr_i) < ((dma_wr_buf_i == BufWgt) ? WgtLines :
                                    (dma_wr_buf_i == BufMask) ? MaskLines : ActLines)))
  `AT_ASSERT(SpadDmaRdRange_A, dma_rd_req_i |->
             (32'(dma_rd_addr_i) < ((dma_rd_buf_i == BufWgt) ? WgtLines :
                                    (dma_rd_buf_i == BufMask) ? MaskLines : ActLines)))

  // banks: a power of two up to 16 (the mask word banks carry the hash)
  if ((AB & (AB - 1)) != 0 || AB > 16 || AB == 0 || NAR == 0 || NAW == 0 || NAW > AB || NWW == 0 ||
      NWW > 16) begin : g_bad_banks
    $error("acceltran_spad: act_banks must be a power of two <= 16, read ports >= 1, write ports 1..act_banks, weight write ports 1..16");
  end

endmodule
