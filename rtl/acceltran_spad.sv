// The three scratchpads (docs/isa.md "Scratchpads", docs/rtl-top.md
// "Scratchpad module"):
// - activation buffer: ActLines lines of 256 bits;
// - mask sidecar: the mask word of activation line L is word L mod 16 of
//   entry L / 16 of a memory of ActLines/16 entries x 16 words (16 banks of
//   16 bits), so a mask-buffer line (16 words) is one access and an
//   activation access reads/writes its line's word alongside;
// - weight buffer: WgtLines/4 entries of 4 lines (4 banks): a quad read is
//   one access, a DMA line access touches one bank.
// Physical ports: activation read (compute act read, DMA read of the
// activation or mask buffer), activation write (compute act write, DMA
// write of the activation or mask buffer), weight read (compute quad read,
// DMA read of a weight line), weight write (DMA only). Each shared port
// grants round-robin between the compute engine and the DMA when both ask
// (grant in the request cycle); read data comes from registers the cycle
// after the grant. Writes take effect at the grant edge.
// Memories are written in their own always_ff (memory inference); they are
// not reset (contents are undefined after reset, docs/isa.md).
// Counters (docs/isa.md, Performance counters): cnt_spad_rd_o / _wr_o are
// the DMA side's lines; the per-buffer ones count every granted access by
// the buffer it is for: activation and weight lines (a quad read is 4) and
// mask words (16 per mask-buffer line; one with each compute activation
// access, and with each DMA activation write that writes the mask word).
`include "acceltran_assert.svh"

module acceltran_spad #(
  localparam int unsigned ActLines  = acceltran_pkg::ActBufKib * 1024 / 32,
  localparam int unsigned WgtLines  = acceltran_pkg::WgtBufKib * 1024 / 32,
  localparam int unsigned MaskLines = ActLines / 16,
  localparam int unsigned ActAddrW  = $clog2(ActLines),
  localparam int unsigned WgtAddrW  = $clog2(WgtLines),
  localparam int unsigned MaskAddrW = ActAddrW - 4,
  localparam int unsigned QuadW     = WgtAddrW - 2,
  localparam int unsigned CntW      = 48
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // compute engine side
  input  logic                act_rd_req_i,
  output logic                act_rd_gnt_o,
  input  logic [ActAddrW-1:0] act_rd_addr_i,
  output logic                act_rvalid_o,
  output logic [255:0]        act_rdata_o,
  output logic [15:0]         act_rmask_o,
  input  logic                act_wr_req_i,
  output logic                act_wr_gnt_o,
  input  logic [ActAddrW-1:0] act_wr_addr_i,
  input  logic [255:0]        act_wr_data_i,
  input  logic [15:0]         act_wr_mask_i,
  input  logic                wgt_rd_req_i,
  output logic                wgt_rd_gnt_o,
  input  logic [QuadW-1:0]    wgt_rd_quad_i,
  output logic                wgt_rvalid_o,
  output logic [1023:0]       wgt_rdata_o,
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

  logic [255:0]  act_mem  [ActLines];
  logic [255:0]  mask_mem [MaskLines];
  logic [1023:0] wgt_mem  [WgtLines / 4];

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

  // ------------------------------------------------------------ arbitration
  logic dma_rd_act, dma_rd_wgt, dma_wr_act, dma_wr_wgt;
  logic ar_dma_pri_d, ar_dma_pri_q, wr_dma_pri_d, wr_dma_pri_q, wg_dma_pri_d, wg_dma_pri_q;
  logic ar_dma, aw_dma, wr_dma;  // the DMA wins the port this cycle

  always_comb begin
    dma_rd_act = dma_rd_req_i && (dma_rd_buf_i != BufWgt);
    dma_rd_wgt = dma_rd_req_i && (dma_rd_buf_i == BufWgt);
    dma_wr_act = dma_wr_req_i && (dma_wr_buf_i != BufWgt);
    dma_wr_wgt = dma_wr_req_i && (dma_wr_buf_i == BufWgt);
    ar_dma = dma_rd_act && (!act_rd_req_i || ar_dma_pri_q);
    aw_dma = dma_wr_act && (!act_wr_req_i || wr_dma_pri_q);
    wr_dma = dma_rd_wgt && (!wgt_rd_req_i || wg_dma_pri_q);
    act_rd_gnt_o = act_rd_req_i && !ar_dma;
    act_wr_gnt_o = act_wr_req_i && !aw_dma;
    wgt_rd_gnt_o = wgt_rd_req_i && !wr_dma;
    dma_rd_gnt_o = ar_dma || wr_dma;
    dma_wr_gnt_o = aw_dma || dma_wr_wgt;
    // round-robin: after a conflict the loser has priority
    ar_dma_pri_d = ar_dma_pri_q;
    wr_dma_pri_d = wr_dma_pri_q;
    wg_dma_pri_d = wg_dma_pri_q;
    if (act_rd_req_i && dma_rd_act) begin
      ar_dma_pri_d = !ar_dma;
    end
    if (act_wr_req_i && dma_wr_act) begin
      wr_dma_pri_d = !aw_dma;
    end
    if (wgt_rd_req_i && dma_rd_wgt) begin
      wg_dma_pri_d = !wr_dma;
    end
  end

  // ------------------------------------------------------------ writes
  logic                 a_we, m_we_word, m_we_line, w_we;
  logic [ActAddrW-1:0]  a_wa;
  logic [255:0]         a_wd;
  logic [15:0]          m_wword;
  logic [MaskAddrW-1:0] m_wa;
  logic [255:0]         m_wline;
  logic [3:0]           m_wsel;
  logic [QuadW-1:0]     w_wa;
  logic [1:0]           w_wsel;

  always_comb begin
    a_we      = 1'b0;
    m_we_word = 1'b0;
    m_we_line = 1'b0;
    a_wa      = act_wr_addr_i;
    a_wd      = act_wr_data_i;
    m_wword   = act_wr_mask_i;
    m_wa      = act_wr_addr_i[ActAddrW-1:4];
    m_wsel    = act_wr_addr_i[3:0];
    m_wline   = dma_wr_data_i;
    if (act_wr_gnt_o) begin
      a_we      = 1'b1;
      m_we_word = 1'b1;
    end else if (aw_dma) begin
      if (dma_wr_buf_i == BufMask) begin
        m_we_line = 1'b1;
        m_wa      = dwa[MaskAddrW-1:0];
      end else begin
        a_we      = 1'b1;
        a_wa      = dwa;
        a_wd      = dma_wr_data_i;
        m_we_word = dma_wr_mask_en_i;
        m_wword   = dma_wr_mask_i;
        m_wa      = dwa[ActAddrW-1:4];
        m_wsel    = dwa[3:0];
      end
    end
    w_we   = dma_wr_wgt;
    w_wa   = dwa_w[WgtAddrW-1:2];
    w_wsel = dwa_w[1:0];
  end

  always_ff @(posedge clk_i) begin
    if (a_we) begin
      act_mem[a_wa] <= a_wd;
    end
    if (m_we_line) begin
      mask_mem[m_wa] <= m_wline;
    end else if (m_we_word) begin
      mask_mem[m_wa][32'(m_wsel)*16 +: 16] <= m_wword;
    end
    if (w_we) begin
      wgt_mem[w_wa][32'(w_wsel)*256 +: 256] <= dma_wr_data_i;
    end
  end

  // ------------------------------------------------------------ reads
  logic [255:0]  ap_d, ap_q;      // activation port: line (or mask line for the DMA)
  logic [15:0]   apm_d, apm_q;    // the line's mask word
  logic [1023:0] wp_d, wp_q;      // weight port: quad
  logic          arv_d, arv_q, wrv_d, wrv_q, drv_d, drv_q;
  logic          dsrc_w_d, dsrc_w_q;  // the DMA read came from the weight port
  logic [1:0]    dsel_d, dsel_q;      // its line within the quad
  logic [CntW-1:0] crd_d, crd_q, cwr_d, cwr_q;
  logic [CntW-1:0] car_d, car_q, caw_d, caw_q, cwgr_d, cwgr_q, cwgw_d, cwgw_q, cmr_d, cmr_q, cmw_d, cmw_q;
  logic            dma_rd_mask;  // the DMA reads a mask-buffer line this cycle

  always_comb begin
    logic [ActAddrW-1:0] ra;
    logic [255:0] mline;
    ra    = ar_dma ? dra : act_rd_addr_i;
    mline = mask_mem[ra[ActAddrW-1:4]];
    ap_d  = ap_q;
    apm_d = apm_q;
    if (act_rd_gnt_o || ar_dma) begin
      ap_d  = act_mem[ra];
      apm_d = mline[32'(ra[3:0])*16 +: 16];
      if (ar_dma && (dma_rd_buf_i == BufMask)) begin
        ap_d = mask_mem[dra[MaskAddrW-1:0]];
      end
    end
    wp_d = wp_q;
    if (wgt_rd_gnt_o) begin
      wp_d = wgt_mem[wgt_rd_quad_i];
    end else if (wr_dma) begin
      wp_d = wgt_mem[dra_w[WgtAddrW-1:2]];
    end
    arv_d    = act_rd_gnt_o;
    wrv_d    = wgt_rd_gnt_o;
    drv_d    = dma_rd_gnt_o;
    dsrc_w_d = wr_dma;
    dsel_d   = dra_w[1:0];
    crd_d    = crd_q + {{(CntW-1){1'b0}}, dma_rd_gnt_o};
    cwr_d    = cwr_q + {{(CntW-1){1'b0}}, dma_wr_gnt_o};
    // per buffer (the writes' enables come from the write block above)
    dma_rd_mask = ar_dma && (dma_rd_buf_i == BufMask);
    car_d  = car_q + CntW'(act_rd_gnt_o) + CntW'(ar_dma && !dma_rd_mask);
    caw_d  = caw_q + CntW'(a_we);
    cwgr_d = cwgr_q + (CntW'(wgt_rd_gnt_o) << 2) + CntW'(wr_dma);
    cwgw_d = cwgw_q + CntW'(w_we);
    cmr_d  = cmr_q + CntW'(act_rd_gnt_o) + (CntW'(dma_rd_mask) << 4);
    cmw_d  = cmw_q + CntW'(m_we_word) + (CntW'(m_we_line) << 4);
  end

  assign act_rvalid_o  = arv_q;
  assign act_rdata_o   = ap_q;
  assign act_rmask_o   = apm_q;
  assign wgt_rvalid_o  = wrv_q;
  assign wgt_rdata_o   = wp_q;
  assign dma_rvalid_o  = drv_q;
  assign dma_rdata_o   = dsrc_w_q ? wp_q[32'(dsel_q)*256 +: 256] : ap_q;
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
      ap_q         <= '0;
      apm_q        <= '0;
      wp_q         <= '0;
      arv_q        <= 1'b0;
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
      ap_q         <= ap_d;
      apm_q        <= apm_d;
      wp_q         <= wp_d;
      arv_q        <= arv_d;
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
  // grants only to requests, one winner per shared port
  `AT_ASSERT(SpadActRdGnt_A, act_rd_gnt_o |-> act_rd_req_i && !ar_dma)
  `AT_ASSERT(SpadActWrGnt_A, act_wr_gnt_o |-> act_wr_req_i && !aw_dma)
  `AT_ASSERT(SpadWgtRdGnt_A, wgt_rd_gnt_o |-> wgt_rd_req_i && !wr_dma)
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

endmodule
