// The device top (docs/rtl-top.md, docs/rtl-control.md): wiring only.
//   acceltran_regs       AXI4-Lite slave, register file, counters, soft reset
//   acceltran_cmdproc    ring fetch (read client 0), checks, hazards, issue,
//                        FENCE write-back (write client 1), errors
//   acceltran_dma_load   LOAD engine (read client 1)
//   acceltran_dma_store  STORE engine (write client 0)
//   acceltran_axi_rd_arb / acceltran_axi_wr_arb  the AXI4 memory master
//   acceltran_spad       scratchpads
//   acceltran_compute    GEMM / SOFTMAX / LAYERNORM
// Every block but the register slave's handshake state is reset by the
// internal reset rst_int_n (rst_ni, or one cycle at the end of a soft reset).
// Lint in tiny and edge only (the server PE array is too big to elaborate).
// rtl-lint-configs: tiny edge
`include "acceltran_assert.svh"

module acceltran_top #(
  localparam int unsigned AW    = acceltran_pkg::RegAddrWidth,
  localparam int unsigned DataW = acceltran_pkg::BusBytes * 8,
  localparam int unsigned StrbW = DataW / 8,
  localparam int unsigned NumWindows = acceltran_pkg::NumWindows,
  localparam int unsigned CntW  = 48
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  output logic              irq_o,
  // AXI4-Lite slave: registers
  input  logic              s_axil_awvalid_i,
  output logic              s_axil_awready_o,
  input  logic [AW-1:0]     s_axil_awaddr_i,
  input  logic              s_axil_wvalid_i,
  output logic              s_axil_wready_o,
  input  logic [31:0]       s_axil_wdata_i,
  input  logic [3:0]        s_axil_wstrb_i,
  output logic              s_axil_bvalid_o,
  input  logic              s_axil_bready_i,
  output logic [1:0]        s_axil_bresp_o,
  input  logic              s_axil_arvalid_i,
  output logic              s_axil_arready_o,
  input  logic [AW-1:0]     s_axil_araddr_i,
  output logic              s_axil_rvalid_o,
  input  logic              s_axil_rready_i,
  output logic [31:0]       s_axil_rdata_o,
  output logic [1:0]        s_axil_rresp_o,
  // AXI4 master: memory (one ID, INCR, size 5)
  output logic              m_axi_arvalid_o,
  input  logic              m_axi_arready_i,
  output logic [63:0]       m_axi_araddr_o,
  output logic [7:0]        m_axi_arlen_o,
  input  logic              m_axi_rvalid_i,
  output logic              m_axi_rready_o,
  input  logic [DataW-1:0]  m_axi_rdata_i,
  input  logic [1:0]        m_axi_rresp_i,
  input  logic              m_axi_rlast_i,
  output logic              m_axi_awvalid_o,
  input  logic              m_axi_awready_i,
  output logic [63:0]       m_axi_awaddr_o,
  output logic [7:0]        m_axi_awlen_o,
  output logic              m_axi_wvalid_o,
  input  logic              m_axi_wready_i,
  output logic [DataW-1:0]  m_axi_wdata_o,
  output logic [StrbW-1:0]  m_axi_wstrb_o,
  output logic              m_axi_wlast_o,
  input  logic              m_axi_bvalid_i,
  output logic              m_axi_bready_o,
  input  logic [1:0]        m_axi_bresp_i
);

  localparam int unsigned ActLines = acceltran_pkg::ActBufKib * 1024 / 32;
  localparam int unsigned WgtLines = acceltran_pkg::WgtBufKib * 1024 / 32;
  localparam int unsigned ActAddrW = $clog2(ActLines);
  localparam int unsigned WgtAddrW = $clog2(WgtLines);

  logic rst_int_n;

  // ---------------------------------------------------------------- registers <-> control
  logic                     ctrl_enable, ring_reset, quiesce, bus_idle, rd_idle, wr_idle;
  logic [63:0]              ring_base;
  logic [4:0]               ring_log2;
  logic [15:0]              ring_tail, ring_head;
  logic [NumWindows*64-1:0] win_base, win_size;
  logic                     cp_busy, cp_halted, cp_idle;
  logic                     err_valid;
  logic [7:0]               err_code, err_opcode;
  logic [15:0]              err_tag;
  logic [63:0]              err_desc;
  logic [31:0]              err_detail;
  logic                     fence_done, fence_irq;
  logic [31:0]              fence_value;
  logic [2:0]               cmd_done;
  logic                     stall_dep, stall_fetch, stall_load, stall_store;
  logic [5:0]               wr_bytes;
  logic [CntW-1:0]          cnt_mac_issued, cnt_mac_skipped, cnt_pruned, cnt_stall_wgt;
  logic [CntW-1:0]          cnt_stall_act, cnt_pe_busy, cnt_c_spad_rd, cnt_c_spad_wr;
  logic [CntW-1:0]          cnt_d_spad_rd, cnt_d_spad_wr;
  logic [CntW-1:0]          cnt_act_rd, cnt_act_wr, cnt_wgt_rd, cnt_wgt_wr, cnt_mask_rd, cnt_mask_wr;
  logic                     gemm_busy, smx_busy, ln_busy;
  logic [4:0]               smx_row, ln_row;  // rows the row engines finished this cycle
  logic                     load_busy, store_busy;

  always_comb begin
    wr_bytes = '0;
    if (m_axi_wvalid_o && m_axi_wready_i) begin
      for (int i = 0; i < StrbW; i++) begin
        wr_bytes = wr_bytes + 6'(m_axi_wstrb_o[i]);
      end
    end
  end
  assign bus_idle = rd_idle && wr_idle;

  acceltran_regs #(
    .NumWindows (NumWindows)
  ) u_regs (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .s_axil_awvalid_i  (s_axil_awvalid_i),
    .s_axil_awready_o  (s_axil_awready_o),
    .s_axil_awaddr_i   (s_axil_awaddr_i),
    .s_axil_wvalid_i   (s_axil_wvalid_i),
    .s_axil_wready_o   (s_axil_wready_o),
    .s_axil_wdata_i    (s_axil_wdata_i),
    .s_axil_wstrb_i    (s_axil_wstrb_i),
    .s_axil_bvalid_o   (s_axil_bvalid_o),
    .s_axil_bready_i   (s_axil_bready_i),
    .s_axil_bresp_o    (s_axil_bresp_o),
    .s_axil_arvalid_i  (s_axil_arvalid_i),
    .s_axil_arready_o  (s_axil_arready_o),
    .s_axil_araddr_i   (s_axil_araddr_i),
    .s_axil_rvalid_o   (s_axil_rvalid_o),
    .s_axil_rready_i   (s_axil_rready_i),
    .s_axil_rdata_o    (s_axil_rdata_o),
    .s_axil_rresp_o    (s_axil_rresp_o),
    .irq_o             (irq_o),
    .ctrl_enable_o     (ctrl_enable),
    .ring_base_o       (ring_base),
    .ring_log2_o       (ring_log2),
    .ring_tail_o       (ring_tail),
    .ring_reset_o      (ring_reset),
    .win_base_o        (win_base),
    .win_size_o        (win_size),
    .ring_head_i       (ring_head),
    .busy_i            (cp_busy),
    .halted_i          (cp_halted),
    .idle_i            (cp_idle),
    .err_valid_i       (err_valid),
    .err_code_i        (err_code),
    .err_opcode_i      (err_opcode),
    .err_tag_i         (err_tag),
    .err_desc_i        (err_desc),
    .err_detail_i      (err_detail),
    .fence_done_i      (fence_done),
    .fence_value_i     (fence_value),
    .fence_irq_i       (fence_irq),
    .stall_dep_i       (stall_dep),
    .stall_mem_i       (stall_fetch || stall_load || stall_store),
    .cmd_done_i        (cmd_done),
    .rd_beat_i         (m_axi_rvalid_i && m_axi_rready_o),
    .wr_bytes_i        (wr_bytes),
    .gemm_busy_i       (gemm_busy),
    .smx_busy_i        (smx_busy),
    .ln_busy_i         (ln_busy),
    .load_busy_i       (load_busy),
    .store_busy_i      (store_busy),
    .smx_row_i         (smx_row),
    .ln_row_i          (ln_row),
    .cnt_stall_wgt_i   (cnt_stall_wgt),
    .cnt_stall_act_i   (cnt_stall_act),
    .cnt_pe_busy_i     (cnt_pe_busy),
    .cnt_mac_issued_i  (cnt_mac_issued),
    .cnt_mac_skipped_i (cnt_mac_skipped),
    .cnt_pruned_i      (cnt_pruned),
    .cnt_spad_rd_i     (cnt_c_spad_rd + cnt_d_spad_rd),
    .cnt_spad_wr_i     (cnt_c_spad_wr + cnt_d_spad_wr),
    .cnt_spad_act_rd_i  (cnt_act_rd),
    .cnt_spad_act_wr_i  (cnt_act_wr),
    .cnt_spad_wgt_rd_i  (cnt_wgt_rd),
    .cnt_spad_wgt_wr_i  (cnt_wgt_wr),
    .cnt_spad_mask_rd_i (cnt_mask_rd),
    .cnt_spad_mask_wr_i (cnt_mask_wr),
    .quiesce_o         (quiesce),
    .bus_idle_i        (bus_idle),
    .rst_int_no        (rst_int_n)
  );

  // ---------------------------------------------------------------- AXI clients
  // read client 0: fetch, 1: LOAD; write client 0: STORE, 1: FENCE
  logic [1:0]        rc_arvalid, rc_arready, rc_rvalid, rc_rready;
  logic [2*64-1:0]   rc_araddr;
  logic [2*8-1:0]    rc_arlen;
  logic [DataW-1:0]  rc_rdata;
  logic [1:0]        rc_rresp;
  logic              rc_rlast;
  logic [1:0]        wc_awvalid, wc_awready, wc_wvalid, wc_wready, wc_wlast, wc_bvalid, wc_bready;
  logic [2*64-1:0]   wc_awaddr;
  logic [2*8-1:0]    wc_awlen;
  logic [2*DataW-1:0] wc_wdata;
  logic [2*StrbW-1:0] wc_wstrb;
  logic [1:0]        wc_bresp;

  acceltran_axi_rd_arb #(
    .NumClients (2),
    .Depth      (32)
  ) u_rd_arb (
    .clk_i           (clk_i),
    .rst_ni          (rst_int_n),
    .c_arvalid_i     (rc_arvalid),
    .c_arready_o     (rc_arready),
    .c_araddr_i      (rc_araddr),
    .c_arlen_i       (rc_arlen),
    .c_rvalid_o      (rc_rvalid),
    .c_rready_i      (rc_rready),
    .c_rdata_o       (rc_rdata),
    .c_rresp_o       (rc_rresp),
    .c_rlast_o       (rc_rlast),
    .m_axi_arvalid_o (m_axi_arvalid_o),
    .m_axi_arready_i (m_axi_arready_i),
    .m_axi_araddr_o  (m_axi_araddr_o),
    .m_axi_arlen_o   (m_axi_arlen_o),
    .m_axi_rvalid_i  (m_axi_rvalid_i),
    .m_axi_rready_o  (m_axi_rready_o),
    .m_axi_rdata_i   (m_axi_rdata_i),
    .m_axi_rresp_i   (m_axi_rresp_i),
    .m_axi_rlast_i   (m_axi_rlast_i),
    .bus_idle_o      (rd_idle)
  );

  acceltran_axi_wr_arb #(
    .NumClients (2),
    .Depth      (32)
  ) u_wr_arb (
    .clk_i           (clk_i),
    .rst_ni          (rst_int_n),
    .c_awvalid_i     (wc_awvalid),
    .c_awready_o     (wc_awready),
    .c_awaddr_i      (wc_awaddr),
    .c_awlen_i       (wc_awlen),
    .c_wvalid_i      (wc_wvalid),
    .c_wready_o      (wc_wready),
    .c_wdata_i       (wc_wdata),
    .c_wstrb_i       (wc_wstrb),
    .c_wlast_i       (wc_wlast),
    .c_bvalid_o      (wc_bvalid),
    .c_bready_i      (wc_bready),
    .c_bresp_o       (wc_bresp),
    .m_axi_awvalid_o (m_axi_awvalid_o),
    .m_axi_awready_i (m_axi_awready_i),
    .m_axi_awaddr_o  (m_axi_awaddr_o),
    .m_axi_awlen_o   (m_axi_awlen_o),
    .m_axi_wvalid_o  (m_axi_wvalid_o),
    .m_axi_wready_i  (m_axi_wready_i),
    .m_axi_wdata_o   (m_axi_wdata_o),
    .m_axi_wstrb_o   (m_axi_wstrb_o),
    .m_axi_wlast_o   (m_axi_wlast_o),
    .m_axi_bvalid_i  (m_axi_bvalid_i),
    .m_axi_bready_o  (m_axi_bready_o),
    .m_axi_bresp_i   (m_axi_bresp_i),
    .bus_idle_o      (wr_idle)
  );

  // ---------------------------------------------------------------- command processor
  logic [511:0] cmd;
  logic         load_valid, load_ready, load_done, load_err;
  logic [7:0]   load_err_code;
  logic [31:0]  load_err_detail;
  logic         store_valid, store_ready, store_done, store_err;
  logic [7:0]   store_err_code;
  logic [31:0]  store_err_detail;
  logic         comp_valid, comp_ready, comp_done, comp_err;
  logic [31:0]  comp_err_detail;

  acceltran_cmdproc #(
    .NumWindows (NumWindows)
  ) u_cmdproc (
    .clk_i              (clk_i),
    .rst_ni             (rst_int_n),
    .ctrl_enable_i      (ctrl_enable),
    .ring_base_i        (ring_base),
    .ring_log2_i        (ring_log2),
    .ring_tail_i        (ring_tail),
    .ring_reset_i       (ring_reset),
    .win_base_i         (win_base),
    .win_size_i         (win_size),
    .quiesce_i          (quiesce),
    .ring_head_o        (ring_head),
    .busy_o             (cp_busy),
    .halted_o           (cp_halted),
    .idle_o             (cp_idle),
    .err_valid_o        (err_valid),
    .err_code_o         (err_code),
    .err_opcode_o       (err_opcode),
    .err_tag_o          (err_tag),
    .err_desc_o         (err_desc),
    .err_detail_o       (err_detail),
    .fence_done_o       (fence_done),
    .fence_value_o      (fence_value),
    .fence_irq_o        (fence_irq),
    .cmd_done_o         (cmd_done),
    .stall_dep_o        (stall_dep),
    .stall_mem_o        (stall_fetch),
    .ar_valid_o         (rc_arvalid[0]),
    .ar_ready_i         (rc_arready[0]),
    .ar_addr_o          (rc_araddr[0 +: 64]),
    .ar_len_o           (rc_arlen[0 +: 8]),
    .r_valid_i          (rc_rvalid[0]),
    .r_ready_o          (rc_rready[0]),
    .r_data_i           (rc_rdata),
    .r_resp_i           (rc_rresp),
    .r_last_i           (rc_rlast),
    .aw_valid_o         (wc_awvalid[1]),
    .aw_ready_i         (wc_awready[1]),
    .aw_addr_o          (wc_awaddr[64 +: 64]),
    .aw_len_o           (wc_awlen[8 +: 8]),
    .w_valid_o          (wc_wvalid[1]),
    .w_ready_i          (wc_wready[1]),
    .w_data_o           (wc_wdata[DataW +: DataW]),
    .w_strb_o           (wc_wstrb[StrbW +: StrbW]),
    .w_last_o           (wc_wlast[1]),
    .b_valid_i          (wc_bvalid[1]),
    .b_ready_o          (wc_bready[1]),
    .b_resp_i           (wc_bresp),
    .cmd_o              (cmd),
    .load_valid_o       (load_valid),
    .load_ready_i       (load_ready),
    .load_done_i        (load_done),
    .load_err_i         (load_err),
    .load_err_code_i    (load_err_code),
    .load_err_detail_i  (load_err_detail),
    .store_valid_o      (store_valid),
    .store_ready_i      (store_ready),
    .store_done_i       (store_done),
    .store_err_i        (store_err),
    .store_err_code_i   (store_err_code),
    .store_err_detail_i (store_err_detail),
    .comp_valid_o       (comp_valid),
    .comp_ready_i       (comp_ready),
    .comp_done_i        (comp_done),
    .comp_err_i         (comp_err),
    .comp_err_detail_i  (comp_err_detail)
  );

  // ---------------------------------------------------------------- DMA engines
  logic              dma_wr_req, dma_wr_gnt, dma_wr_mask_en;
  logic [1:0]        dma_wr_buf;
  logic [23:0]       dma_wr_addr;
  logic [DataW-1:0]  dma_wr_data;
  logic [15:0]       dma_wr_mask;
  logic              dma_rd_req, dma_rd_gnt, dma_rvalid;
  logic [1:0]        dma_rd_buf;
  logic [23:0]       dma_rd_addr;
  logic [DataW-1:0]  dma_rdata;

  acceltran_dma_load #(
    .MaxBursts (16)
  ) u_dma_load (
    .clk_i             (clk_i),
    .rst_ni            (rst_int_n),
    .cmd_valid_i       (load_valid),
    .cmd_ready_o       (load_ready),
    .cmd_i             (cmd),
    .quiesce_i         (quiesce),
    .done_o            (load_done),
    .err_o             (load_err),
    .err_code_o        (load_err_code),
    .err_detail_o      (load_err_detail),
    .busy_o            (load_busy),
    .stall_o           (stall_load),
    .ar_valid_o        (rc_arvalid[1]),
    .ar_ready_i        (rc_arready[1]),
    .ar_addr_o         (rc_araddr[64 +: 64]),
    .ar_len_o          (rc_arlen[8 +: 8]),
    .r_valid_i         (rc_rvalid[1]),
    .r_ready_o         (rc_rready[1]),
    .r_data_i          (rc_rdata),
    .r_resp_i          (rc_rresp),
    .r_last_i          (rc_rlast),
    .spad_wr_req_o     (dma_wr_req),
    .spad_wr_gnt_i     (dma_wr_gnt),
    .spad_wr_buf_o     (dma_wr_buf),
    .spad_wr_addr_o    (dma_wr_addr),
    .spad_wr_data_o    (dma_wr_data),
    .spad_wr_mask_en_o (dma_wr_mask_en),
    .spad_wr_mask_o    (dma_wr_mask)
  );

  acceltran_dma_store #(
    .MaxBursts (16)
  ) u_dma_store (
    .clk_i          (clk_i),
    .rst_ni         (rst_int_n),
    .cmd_valid_i    (store_valid),
    .cmd_ready_o    (store_ready),
    .cmd_i          (cmd),
    .quiesce_i      (quiesce),
    .done_o         (store_done),
    .err_o          (store_err),
    .err_code_o     (store_err_code),
    .err_detail_o   (store_err_detail),
    .busy_o         (store_busy),
    .stall_o        (stall_store),
    .aw_valid_o     (wc_awvalid[0]),
    .aw_ready_i     (wc_awready[0]),
    .aw_addr_o      (wc_awaddr[0 +: 64]),
    .aw_len_o       (wc_awlen[0 +: 8]),
    .w_valid_o      (wc_wvalid[0]),
    .w_ready_i      (wc_wready[0]),
    .w_data_o       (wc_wdata[0 +: DataW]),
    .w_strb_o       (wc_wstrb[0 +: StrbW]),
    .w_last_o       (wc_wlast[0]),
    .b_valid_i      (wc_bvalid[0]),
    .b_ready_o      (wc_bready[0]),
    .b_resp_i       (wc_bresp),
    .spad_rd_req_o  (dma_rd_req),
    .spad_rd_gnt_i  (dma_rd_gnt),
    .spad_rd_buf_o  (dma_rd_buf),
    .spad_rd_addr_o (dma_rd_addr),
    .spad_rvalid_i  (dma_rvalid),
    .spad_rdata_i   (dma_rdata)
  );

  // ---------------------------------------------------------------- scratchpads and compute
  // compute activation reads: one port per GEMM feeder (PE row)
  localparam int unsigned NR = acceltran_pkg::NumPeRows;
  logic [NR-1:0]          act_rd_req, act_rd_gnt, act_rvalid;
  logic [NR*ActAddrW-1:0] act_rd_addr;
  logic [NR*256-1:0]      act_rdata;
  logic [NR*16-1:0]       act_rmask;
  localparam int unsigned NOL = acceltran_pkg::NumOutLanes;
  logic [NOL-1:0]          act_wr_req, act_wr_gnt;
  logic [NOL*ActAddrW-1:0] act_wr_addr;
  logic [NOL*256-1:0]      act_wr_data;
  logic [NOL*16-1:0]       act_wr_mask;
  logic [NOL-1:0]          wgt_wr_req, wgt_wr_gnt;
  logic [NOL*WgtAddrW-1:0] wgt_wr_addr;
  logic [NOL*256-1:0]      wgt_wr_data;
  logic                 wgt_rd_req, wgt_rd_gnt, wgt_rvalid;
  logic [WgtAddrW-3:0]  wgt_rd_quad;
  logic [2:0]           wgt_rd_nq;
  logic [4*1024-1:0]    wgt_rdata;
  logic                 comp_busy;

  acceltran_spad u_spad (
    .clk_i            (clk_i),
    .rst_ni           (rst_int_n),
    .act_rd_req_i     (act_rd_req),
    .act_rd_gnt_o     (act_rd_gnt),
    .act_rd_addr_i    (act_rd_addr),
    .act_rvalid_o     (act_rvalid),
    .act_rdata_o      (act_rdata),
    .act_rmask_o      (act_rmask),
    .act_wr_req_i     (act_wr_req),
    .act_wr_gnt_o     (act_wr_gnt),
    .act_wr_addr_i    (act_wr_addr),
    .act_wr_data_i    (act_wr_data),
    .act_wr_mask_i    (act_wr_mask),
    .wgt_wr_req_i     (wgt_wr_req),
    .wgt_wr_gnt_o     (wgt_wr_gnt),
    .wgt_wr_addr_i    (wgt_wr_addr),
    .wgt_wr_data_i    (wgt_wr_data),
    .wgt_rd_req_i     (wgt_rd_req),
    .wgt_rd_gnt_o     (wgt_rd_gnt),
    .wgt_rd_quad_i    (wgt_rd_quad),
    .wgt_rd_nq_i      (wgt_rd_nq),
    .wgt_rvalid_o     (wgt_rvalid),
    .wgt_rdata_o      (wgt_rdata),
    .dma_wr_req_i     (dma_wr_req),
    .dma_wr_gnt_o     (dma_wr_gnt),
    .dma_wr_buf_i     (dma_wr_buf),
    .dma_wr_addr_i    (dma_wr_addr),
    .dma_wr_data_i    (dma_wr_data),
    .dma_wr_mask_en_i (dma_wr_mask_en),
    .dma_wr_mask_i    (dma_wr_mask),
    .dma_rd_req_i     (dma_rd_req),
    .dma_rd_gnt_o     (dma_rd_gnt),
    .dma_rd_buf_i     (dma_rd_buf),
    .dma_rd_addr_i    (dma_rd_addr),
    .dma_rvalid_o     (dma_rvalid),
    .dma_rdata_o      (dma_rdata),
    .cnt_spad_rd_o    (cnt_d_spad_rd),
    .cnt_spad_wr_o    (cnt_d_spad_wr),
    .cnt_act_rd_o     (cnt_act_rd),
    .cnt_act_wr_o     (cnt_act_wr),
    .cnt_wgt_rd_o     (cnt_wgt_rd),
    .cnt_wgt_wr_o     (cnt_wgt_wr),
    .cnt_mask_rd_o    (cnt_mask_rd),
    .cnt_mask_wr_o    (cnt_mask_wr)
  );

  acceltran_compute u_compute (
    .clk_i             (clk_i),
    .rst_ni            (rst_int_n),
    .cmd_valid_i       (comp_valid),
    .cmd_ready_o       (comp_ready),
    .cmd_i             (cmd),
    .done_o            (comp_done),
    .err_o             (comp_err),
    .err_detail_o      (comp_err_detail),
    .act_rd_req_o      (act_rd_req),
    .act_rd_gnt_i      (act_rd_gnt),
    .act_rd_addr_o     (act_rd_addr),
    .act_rvalid_i      (act_rvalid),
    .act_rdata_i       (act_rdata),
    .act_rmask_i       (act_rmask),
    .act_wr_req_o      (act_wr_req),
    .act_wr_gnt_i      (act_wr_gnt),
    .act_wr_addr_o     (act_wr_addr),
    .act_wr_data_o     (act_wr_data),
    .act_wr_mask_o     (act_wr_mask),
    .wgt_wr_req_o      (wgt_wr_req),
    .wgt_wr_gnt_i      (wgt_wr_gnt),
    .wgt_wr_addr_o     (wgt_wr_addr),
    .wgt_wr_data_o     (wgt_wr_data),
    .wgt_rd_req_o      (wgt_rd_req),
    .wgt_rd_gnt_i      (wgt_rd_gnt),
    .wgt_rd_quad_o     (wgt_rd_quad),
    .wgt_rd_nq_o       (wgt_rd_nq),
    .wgt_rvalid_i      (wgt_rvalid),
    .wgt_rdata_i       (wgt_rdata),
    .cnt_mac_issued_o  (cnt_mac_issued),
    .cnt_mac_skipped_o (cnt_mac_skipped),
    .cnt_pruned_o      (cnt_pruned),
    .cnt_stall_wgt_o   (cnt_stall_wgt),
    .cnt_stall_act_o   (cnt_stall_act),
    .cnt_pe_busy_o     (cnt_pe_busy),
    .cnt_spad_rd_o     (cnt_c_spad_rd),
    .cnt_spad_wr_o     (cnt_c_spad_wr),
    .gemm_busy_o       (gemm_busy),
    .smx_busy_o        (smx_busy),
    .ln_busy_o         (ln_busy),
    .smx_row_o         (smx_row),
    .ln_row_o          (ln_row),
    .busy_o            (comp_busy)
  );

  // the compute engine's busy flag is for debug visibility only (the unit
  // counters use the per-opcode flags)
  logic unused;
  assign unused = comp_busy;

  // ---------------------------------------------------------------- assertions
  // AXI4 master (memory): valid held until ready, payload stable meanwhile,
  // on AR, AW and W (AXI4 A3.2.1); bursts of 1..16 beats (docs/rtl-top.md)
  `AT_ASSERT_HOLD(TopArHold_A, m_axi_arvalid_o, m_axi_arready_i, {m_axi_araddr_o, m_axi_arlen_o})
  `AT_ASSERT_HOLD(TopAwHold_A, m_axi_awvalid_o, m_axi_awready_i, {m_axi_awaddr_o, m_axi_awlen_o})
  `AT_ASSERT_HOLD(TopWHold_A, m_axi_wvalid_o, m_axi_wready_i, {m_axi_wdata_o, m_axi_wstrb_o, m_axi_wlast_o})
  `AT_ASSERT(TopArLen_A, m_axi_arvalid_o |-> (m_axi_arlen_o <= 8'd15) && (m_axi_araddr_o[4:0] == 5'd0))
  `AT_ASSERT(TopAwLen_A, m_axi_awvalid_o |-> (m_axi_awlen_o <= 8'd15))
  // command processor -> engines: a command is offered only to an idle
  // engine (its hazard slot mirrors the engine's busy state), so valid
  // always meets ready
  `AT_ASSERT(TopLoadIssue_A, load_valid |-> load_ready, clk_i, rst_int_n)
  `AT_ASSERT(TopStoreIssue_A, store_valid |-> store_ready, clk_i, rst_int_n)
  `AT_ASSERT(TopCompIssue_A, comp_valid |-> comp_ready, clk_i, rst_int_n)
  // the soft reset lands only on an idle bus
  `AT_ASSERT(TopSrstIdle_A, !rst_int_n |-> bus_idle && !m_axi_wvalid_o)

endmodule
