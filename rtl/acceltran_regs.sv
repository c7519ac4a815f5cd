// AXI4-Lite register slave and register file of the device
// (docs/registers.md, generated offsets from acceltran_pkg): ID / CONFIG
// constants (acceltran_id_regs), CTRL, SOFT_RESET, STATUS, ERR_*, IRQ,
// ring, windows and the 48-bit performance counters.
//
// Handshake: AW and W are taken in any order into holding registers; the
// write happens when both are held and no B response is pending (one
// outstanding write); a read is answered the cycle after AR (one
// outstanding read). Unmapped reads return 0, unmapped writes are ignored,
// every response is OKAY. Byte strobes apply to every register.
//
// Counters: CYCLES, BUSY, STALL_DEP, STALL_MEM, MEM_RD_BYTES, MEM_WR_BYTES,
// CMDS, the unit counters (GEMM_BUSY, SMX_BUSY, LN_BUSY: the compute
// engine holds a command of that opcode; LOAD_BUSY, STORE_BUSY: the DMA
// engine holds a command; DMA_ONLY: a DMA engine holds one and the compute
// engine none) and the row counters (SMX_ROWS, LN_ROWS: an engine wrote a
// row's last beat) are counted here from events; the others are running
// sums from the compute engine and scratchpad (SPAD_ACT/WGT/MASK_RD/WR:
// the scratchpad's per-buffer sums). Reading CNT_x_LO returns bits 31:0 and
// latches bits 47:32, which CNT_x_HI returns.
//
// Soft reset: a write of SOFT_RESET.RESET = 1 sets RESETTING, which raises
// quiesce_o; once bus_idle_i, srst_q is 1 for one cycle and rst_int_no = 0:
// every block and every register here goes back to reset, except the
// AXI-Lite handshake state (clocked on rst_ni only), so the response to
// the SOFT_RESET write and later accesses proceed normally.
`include "acceltran_assert.svh"

module acceltran_regs #(
  parameter int unsigned NumWindows = acceltran_pkg::NumWindows,
  localparam int unsigned AW = acceltran_pkg::RegAddrWidth,
  localparam int unsigned CntW = 48,
  localparam int unsigned NumCnt = acceltran_pkg::NumCounters,
  localparam int unsigned CntIdxW = acceltran_pkg::CntIdxWidth
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // AXI4-Lite slave
  input  logic                      s_axil_awvalid_i,
  output logic                      s_axil_awready_o,
  input  logic [AW-1:0]             s_axil_awaddr_i,
  input  logic                      s_axil_wvalid_i,
  output logic                      s_axil_wready_o,
  input  logic [31:0]               s_axil_wdata_i,
  input  logic [3:0]                s_axil_wstrb_i,
  output logic                      s_axil_bvalid_o,
  input  logic                      s_axil_bready_i,
  output logic [1:0]                s_axil_bresp_o,
  input  logic                      s_axil_arvalid_i,
  output logic                      s_axil_arready_o,
  input  logic [AW-1:0]             s_axil_araddr_i,
  output logic                      s_axil_rvalid_o,
  input  logic                      s_axil_rready_i,
  output logic [31:0]               s_axil_rdata_o,
  output logic [1:0]                s_axil_rresp_o,
  output logic                      irq_o,
  // to the command processor
  output logic                      ctrl_enable_o,
  output logic [63:0]               ring_base_o,
  output logic [4:0]                ring_log2_o,
  output logic [15:0]               ring_tail_o,
  output logic                      ring_reset_o,   // pulse: HEAD := 0
  output logic [NumWindows*64-1:0]  win_base_o,
  output logic [NumWindows*64-1:0]  win_size_o,
  // from the command processor
  input  logic [15:0]               ring_head_i,
  input  logic                      busy_i,
  input  logic                      halted_i,
  input  logic                      idle_i,         // nothing in flight, HEAD == TAIL, not halted
  input  logic                      err_valid_i,    // pulse: the queue halted with this error
  input  logic [7:0]                err_code_i,
  input  logic [7:0]                err_opcode_i,
  input  logic [15:0]               err_tag_i,
  input  logic [63:0]               err_desc_i,
  input  logic [31:0]               err_detail_i,
  input  logic                      fence_done_i,   // pulse: a FENCE completed
  input  logic [31:0]               fence_value_i,
  input  logic                      fence_irq_i,
  // counter events
  input  logic                      stall_dep_i,
  input  logic                      stall_mem_i,
  input  logic [2:0]                cmd_done_i,     // commands completed this cycle
  input  logic                      rd_beat_i,      // a 32-byte R beat was taken
  input  logic [5:0]                wr_bytes_i,     // strobed bytes of the W beat taken
  input  logic                      gemm_busy_i,    // the compute engine holds a GEMM
  input  logic                      smx_busy_i,     // ... a SOFTMAX
  input  logic                      ln_busy_i,      // ... a LAYERNORM
  input  logic                      load_busy_i,    // the load engine holds a LOAD
  input  logic                      store_busy_i,   // the store engine holds a STORE
  input  logic [4:0]                smx_row_i,      // rows the softmax engine finished this cycle
  input  logic [4:0]                ln_row_i,       // rows the layer-norm engine finished this cycle
  // running sums from the blocks
  input  logic [CntW-1:0]           cnt_stall_wgt_i,
  input  logic [CntW-1:0]           cnt_stall_act_i,
  input  logic [CntW-1:0]           cnt_pe_busy_i,
  input  logic [CntW-1:0]           cnt_mac_issued_i,
  input  logic [CntW-1:0]           cnt_mac_skipped_i,
  input  logic [CntW-1:0]           cnt_pruned_i,
  input  logic [CntW-1:0]           cnt_spad_rd_i,
  input  logic [CntW-1:0]           cnt_spad_wr_i,
  input  logic [CntW-1:0]           cnt_spad_act_rd_i,
  input  logic [CntW-1:0]           cnt_spad_act_wr_i,
  input  logic [CntW-1:0]           cnt_spad_wgt_rd_i,
  input  logic [CntW-1:0]           cnt_spad_wgt_wr_i,
  input  logic [CntW-1:0]           cnt_spad_mask_rd_i,
  input  logic [CntW-1:0]           cnt_spad_mask_wr_i,
  // soft reset
  output logic                      quiesce_o,
  input  logic                      bus_idle_i,
  output logic                      rst_int_no
);

  // ---------------------------------------------------------------- handshake (rst_ni only)
  logic          aw_held_q, aw_held_d, w_held_q, w_held_d, bvalid_q, bvalid_d;
  logic          rvalid_q, rvalid_d;
  logic [AW-1:0] awaddr_q, awaddr_d;
  logic [31:0]   wdata_q, wdata_d, rdata_q, rdata_d;
  logic [3:0]    wstrb_q, wstrb_d;
  logic          srst_q, srst_d;

  logic          do_write, do_read;
  logic [31:0]   rdata;

  assign s_axil_awready_o = !aw_held_q;
  assign s_axil_wready_o  = !w_held_q;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign s_axil_arready_o = !rvalid_q;
  assign s_axil_rvalid_o  = rvalid_q;
  assign s_axil_rdata_o   = rdata_q;
  assign s_axil_rresp_o   = 2'b00;

  assign do_write = aw_held_q && w_held_q && !bvalid_q;
  assign do_read  = s_axil_arvalid_i && !rvalid_q;

  always_comb begin
    aw_held_d = aw_held_q;
    w_held_d  = w_held_q;
    awaddr_d  = awaddr_q;
    wdata_d   = wdata_q;
    wstrb_d   = wstrb_q;
    bvalid_d  = bvalid_q;
    rvalid_d  = rvalid_q;
    rdata_d   = rdata_q;
    if (s_axil_awvalid_i && !aw_held_q) begin
      aw_held_d = 1'b1;
      awaddr_d  = s_axil_awaddr_i;
    end
    if (s_axil_wvalid_i && !w_held_q) begin
      w_held_d = 1'b1;
      wdata_d  = s_axil_wdata_i;
      wstrb_d  = s_axil_wstrb_i;
    end
    if (bvalid_q && s_axil_bready_i) begin
      bvalid_d = 1'b0;
    end
    if (do_write) begin
      aw_held_d = 1'b0;
      w_held_d  = 1'b0;
      bvalid_d  = 1'b1;
    end
    if (rvalid_q && s_axil_rready_i) begin
      rvalid_d = 1'b0;
    end
    if (do_read) begin
      rvalid_d = 1'b1;
      rdata_d  = rdata;
    end
  end

  // ---------------------------------------------------------------- register file (rst_int_no)
  logic                     rst_int_n;
  logic                     resetting_q, resetting_d;
  logic                     ctrl_en_q, ctrl_en_d;
  logic [1:0]               irq_st_q, irq_st_d, irq_en_q, irq_en_d;
  logic [63:0]              ring_base_q, ring_base_d;
  logic [4:0]               ring_log2_q, ring_log2_d;
  logic [15:0]              ring_tail_q, ring_tail_d;
  logic                     ring_reset;
  logic [31:0]              fence_done_q, fence_done_d;
  logic [31:0]              err_code_q, err_code_d, err_info_q, err_info_d;
  logic [63:0]              err_desc_q, err_desc_d;
  logic [NumWindows*64-1:0] win_base_q, win_base_d, win_size_q, win_size_d;
  // own counters: CYCLES, BUSY, STALL_DEP, STALL_MEM, MEM_RD_BYTES, MEM_WR_BYTES, CMDS
  logic [CntW-1:0]          c_cyc_q, c_cyc_d, c_busy_q, c_busy_d, c_dep_q, c_dep_d;
  logic [CntW-1:0]          c_mem_q, c_mem_d, c_rd_q, c_rd_d, c_wr_q, c_wr_d, c_cmd_q, c_cmd_d;
  // unit and row counters: GEMM_BUSY, SMX_BUSY, LN_BUSY, LOAD_BUSY, STORE_BUSY, DMA_ONLY, SMX_ROWS, LN_ROWS
  logic [CntW-1:0]          c_gb_q, c_gb_d, c_sb_q, c_sb_d, c_lb_q, c_lb_d, c_ldb_q, c_ldb_d;
  logic [CntW-1:0]          c_stb_q, c_stb_d, c_dma_q, c_dma_d, c_sr_q, c_sr_d, c_lr_q, c_lr_d;
  logic [NumCnt*16-1:0]     hi_q, hi_d;

  assign rst_int_n  = rst_ni & ~srst_q;
  assign rst_int_no = rst_int_n;

  // counter k (offset CNT_CYCLES_LO + 8k) at [k*CntW +: CntW], in register-map order
  logic [NumCnt*CntW-1:0] cnt_all;
  always_comb begin
    cnt_all = '0;
    cnt_all[acceltran_pkg::CntCyclesIndex*CntW +: CntW]     = c_cyc_q;
    cnt_all[acceltran_pkg::CntBusyIndex*CntW +: CntW]       = c_busy_q;
    cnt_all[acceltran_pkg::CntStallDepIndex*CntW +: CntW]   = c_dep_q;
    cnt_all[acceltran_pkg::CntStallMemIndex*CntW +: CntW]   = c_mem_q;
    cnt_all[acceltran_pkg::CntStallWgtIndex*CntW +: CntW]   = cnt_stall_wgt_i;
    cnt_all[acceltran_pkg::CntStallActIndex*CntW +: CntW]   = cnt_stall_act_i;
    cnt_all[acceltran_pkg::CntPeBusyIndex*CntW +: CntW]     = cnt_pe_busy_i;
    cnt_all[acceltran_pkg::CntMacIssuedIndex*CntW +: CntW]  = cnt_mac_issued_i;
    cnt_all[acceltran_pkg::CntMacSkippedIndex*CntW +: CntW] = cnt_mac_skipped_i;
    cnt_all[acceltran_pkg::CntPrunedIndex*CntW +: CntW]     = cnt_pruned_i;
    cnt_all[acceltran_pkg::CntSpadRdIndex*CntW +: CntW]     = cnt_spad_rd_i;
    cnt_all[acceltran_pkg::CntSpadWrIndex*CntW +: CntW]     = cnt_spad_wr_i;
    cnt_all[acceltran_pkg::CntMemRdBytesIndex*CntW +: CntW] = c_rd_q;
    cnt_all[acceltran_pkg::CntMemWrBytesIndex*CntW +: CntW] = c_wr_q;
    cnt_all[acceltran_pkg::CntCmdsIndex*CntW +: CntW]       = c_cmd_q;
    cnt_all[acceltran_pkg::CntGemmBusyIndex*CntW +: CntW]   = c_gb_q;
    cnt_all[acceltran_pkg::CntSmxBusyIndex*CntW +: CntW]    = c_sb_q;
    cnt_all[acceltran_pkg::CntLnBusyIndex*CntW +: CntW]     = c_lb_q;
    cnt_all[acceltran_pkg::CntLoadBusyIndex*CntW +: CntW]   = c_ldb_q;
    cnt_all[acceltran_pkg::CntStoreBusyIndex*CntW +: CntW]  = c_stb_q;
    cnt_all[acceltran_pkg::CntDmaOnlyIndex*CntW +: CntW]    = c_dma_q;
    cnt_all[acceltran_pkg::CntSmxRowsIndex*CntW +: CntW]    = c_sr_q;
    cnt_all[acceltran_pkg::CntLnRowsIndex*CntW +: CntW]     = c_lr_q;
    cnt_all[acceltran_pkg::CntSpadActRdIndex*CntW +: CntW]  = cnt_spad_act_rd_i;
    cnt_all[acceltran_pkg::CntSpadActWrIndex*CntW +: CntW]  = cnt_spad_act_wr_i;
    cnt_all[acceltran_pkg::CntSpadWgtRdIndex*CntW +: CntW]  = cnt_spad_wgt_rd_i;
    cnt_all[acceltran_pkg::CntSpadWgtWrIndex*CntW +: CntW]  = cnt_spad_wgt_wr_i;
    cnt_all[acceltran_pkg::CntSpadMaskRdIndex*CntW +: CntW] = cnt_spad_mask_rd_i;
    cnt_all[acceltran_pkg::CntSpadMaskWrIndex*CntW +: CntW] = cnt_spad_mask_wr_i;
  end

  logic        status_idle;
  assign status_idle = idle_i && !resetting_q;

  // write data merged with the byte strobes
  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    for (int b = 0; b < 4; b++) begin
      merge[b*8 +: 8] = strb[b] ? data[b*8 +: 8] : old[b*8 +: 8];
    end
  endfunction

  localparam logic [AW-1:0] CntBase = acceltran_pkg::RegCntBaseOffset;
  localparam logic [AW-1:0] CntEnd  = acceltran_pkg::RegCntEndOffset;
  localparam logic [AW-1:0] WinBase = acceltran_pkg::RegWin0BaseLoOffset;
  localparam logic [AW-1:0] WinEnd  = acceltran_pkg::RegWin0BaseLoOffset + AW'(16 * NumWindows);

  // ---------------------------------------------------------------- read mux
  logic [31:0]   id_rdata;
  logic          id_hit;
  logic [AW-1:0] win_off;
  logic [CntIdxW-1:0] cnt_idx;
  logic [7:0]    win_idx;

  acceltran_id_regs u_id_regs (
    .addr_i  (s_axil_araddr_i),
    .rdata_o (id_rdata),
    .hit_o   (id_hit)
  );

  always_comb begin
    rdata   = 32'd0;
    hi_d    = hi_q;
    win_off = s_axil_araddr_i - WinBase;
    cnt_idx = CntIdxW'((s_axil_araddr_i - CntBase) >> 3);
    win_idx = 8'(win_off >> 4);
    if (id_hit) begin
      rdata = id_rdata;
    end else if ((s_axil_araddr_i >= CntBase) && (s_axil_araddr_i < CntEnd)) begin
      if (!s_axil_araddr_i[2]) begin
        rdata = cnt_all[32'(cnt_idx)*CntW +: 32];
        if (do_read) begin
          hi_d[32'(cnt_idx)*16 +: 16] = cnt_all[32'(cnt_idx)*CntW + 32 +: 16];
        end
      end else begin
        rdata = {16'd0, hi_q[32'(cnt_idx)*16 +: 16]};
      end
    end else if ((s_axil_araddr_i >= WinBase) && (s_axil_araddr_i < WinEnd)) begin
      case (win_off[3:2])
        2'd0:    rdata = win_base_q[32'(win_idx)*64 +: 32];
        2'd1:    rdata = win_base_q[32'(win_idx)*64 + 32 +: 32];
        2'd2:    rdata = win_size_q[32'(win_idx)*64 +: 32];
        default: rdata = win_size_q[32'(win_idx)*64 + 32 +: 32];
      endcase
    end else begin
      case (s_axil_araddr_i)
        acceltran_pkg::RegCtrlOffset:       rdata = {31'd0, ctrl_en_q};
        acceltran_pkg::RegStatusOffset: begin
          rdata[acceltran_pkg::RegStatusBusyLsb]      = busy_i && !resetting_q;
          rdata[acceltran_pkg::RegStatusHaltedLsb]    = halted_i;
          rdata[acceltran_pkg::RegStatusResettingLsb] = resetting_q;
          rdata[acceltran_pkg::RegStatusIdleLsb]      = status_idle;
        end
        acceltran_pkg::RegErrCodeOffset:    rdata = err_code_q;
        acceltran_pkg::RegErrDescLoOffset:  rdata = err_desc_q[31:0];
        acceltran_pkg::RegErrDescHiOffset:  rdata = err_desc_q[63:32];
        acceltran_pkg::RegErrInfoOffset:    rdata = err_info_q;
        acceltran_pkg::RegIrqStatusOffset:  rdata = {30'd0, irq_st_q};
        acceltran_pkg::RegIrqEnableOffset:  rdata = {30'd0, irq_en_q};
        acceltran_pkg::RegRingBaseLoOffset: rdata = ring_base_q[31:0];
        acceltran_pkg::RegRingBaseHiOffset: rdata = ring_base_q[63:32];
        acceltran_pkg::RegRingSizeOffset:   rdata = {27'd0, ring_log2_q};
        acceltran_pkg::RegRingHeadOffset:   rdata = {16'd0, ring_head_i};
        acceltran_pkg::RegRingTailOffset:   rdata = {16'd0, ring_tail_q};
        acceltran_pkg::RegFenceDoneOffset:  rdata = fence_done_q;
        default:                            rdata = 32'd0;
      endcase
    end
  end

  // ---------------------------------------------------------------- writes and events
  logic [31:0]   wv;      // the addressed register's new value (strobes applied to 0)
  logic [AW-1:0] wwin_off;
  logic [7:0]    wwin_idx;

  always_comb begin
    resetting_d  = resetting_q;
    ctrl_en_d    = ctrl_en_q;
    irq_st_d     = irq_st_q;
    irq_en_d     = irq_en_q;
    ring_base_d  = ring_base_q;
    ring_log2_d  = ring_log2_q;
    ring_tail_d  = ring_tail_q;
    ring_reset   = 1'b0;
    fence_done_d = fence_done_q;
    err_code_d   = err_code_q;
    err_info_d   = err_info_q;
    err_desc_d   = err_desc_q;
    win_base_d   = win_base_q;
    win_size_d   = win_size_q;
    wv           = merge(32'd0, wdata_q, wstrb_q);
    wwin_off     = awaddr_q - WinBase;
    wwin_idx     = 8'(wwin_off >> 4);

    if (do_write) begin
      if ((awaddr_q >= WinBase) && (awaddr_q < WinEnd)) begin
        case (wwin_off[3:2])
          2'd0: win_base_d[32'(wwin_idx)*64 +: 32] =
                    merge(win_base_q[32'(wwin_idx)*64 +: 32], wdata_q, wstrb_q);
          2'd1: win_base_d[32'(wwin_idx)*64 + 32 +: 32] =
                    merge(win_base_q[32'(wwin_idx)*64 + 32 +: 32], wdata_q, wstrb_q);
          2'd2: win_size_d[32'(wwin_idx)*64 +: 32] =
                    merge(win_size_q[32'(wwin_idx)*64 +: 32], wdata_q, wstrb_q);
          default: win_size_d[32'(wwin_idx)*64 + 32 +: 32] =
                    merge(win_size_q[32'(wwin_idx)*64 + 32 +: 32], wdata_q, wstrb_q);
        endcase
      end
      case (awaddr_q)
        acceltran_pkg::RegCtrlOffset: begin
          ctrl_en_d = wstrb_q[0] ? wdata_q[0] : ctrl_en_q;
        end
        acceltran_pkg::RegSoftResetOffset: begin
          if (wv[acceltran_pkg::RegSoftResetResetLsb]) begin
            resetting_d = 1'b1;
          end
        end
        acceltran_pkg::RegIrqStatusOffset: begin
          irq_st_d = irq_st_q & ~wv[1:0];
        end
        acceltran_pkg::RegIrqEnableOffset: begin
          irq_en_d = wstrb_q[0] ? wdata_q[1:0] : irq_en_q;
        end
        acceltran_pkg::RegRingBaseLoOffset: begin
          if (status_idle) begin
            ring_base_d[31:0] = merge(ring_base_q[31:0], wdata_q, wstrb_q);
            ring_tail_d       = '0;
            ring_reset        = 1'b1;
          end
        end
        acceltran_pkg::RegRingBaseHiOffset: begin
          if (status_idle) begin
            ring_base_d[63:32] = merge(ring_base_q[63:32], wdata_q, wstrb_q);
            ring_tail_d        = '0;
            ring_reset         = 1'b1;
          end
        end
        acceltran_pkg::RegRingSizeOffset: begin
          if (status_idle) begin
            ring_log2_d = wstrb_q[0] ? wdata_q[4:0] : ring_log2_q;
            ring_tail_d = '0;
            ring_reset  = 1'b1;
          end
        end
        acceltran_pkg::RegRingTailOffset: begin
          if (!halted_i && !resetting_q) begin
            ring_tail_d = {wstrb_q[1] ? wdata_q[15:8] : ring_tail_q[15:8],
                           wstrb_q[0] ? wdata_q[7:0] : ring_tail_q[7:0]};
          end
        end
        default: begin
          // read-only, unmapped or windows (above)
        end
      endcase
    end

    // hardware events win over a software clear in the same cycle
    if (err_valid_i) begin
      err_code_d  = {err_tag_i, err_opcode_i, err_code_i};
      err_desc_d  = err_desc_i;
      err_info_d  = err_detail_i;
      irq_st_d[acceltran_pkg::RegIrqStatusErrorLsb] = 1'b1;
    end
    if (fence_done_i) begin
      fence_done_d = fence_value_i;
      if (fence_irq_i) begin
        irq_st_d[acceltran_pkg::RegIrqStatusDoneLsb] = 1'b1;
      end
    end
  end

  always_comb begin
    c_cyc_d  = c_cyc_q + CntW'(1);
    c_busy_d = c_busy_q + CntW'(busy_i);
    c_dep_d  = c_dep_q + CntW'(stall_dep_i);
    c_mem_d  = c_mem_q + CntW'(stall_mem_i);
    c_rd_d   = c_rd_q + (rd_beat_i ? CntW'(acceltran_pkg::BusBytes) : CntW'(0));
    c_wr_d   = c_wr_q + CntW'(wr_bytes_i);
    c_cmd_d  = c_cmd_q + CntW'(cmd_done_i);
    c_gb_d   = c_gb_q + CntW'(gemm_busy_i);
    c_sb_d   = c_sb_q + CntW'(smx_busy_i);
    c_lb_d   = c_lb_q + CntW'(ln_busy_i);
    c_ldb_d  = c_ldb_q + CntW'(load_busy_i);
    c_stb_d  = c_stb_q + CntW'(store_busy_i);
    c_dma_d  = c_dma_q + CntW'((load_busy_i || store_busy_i) && !(gemm_busy_i || smx_busy_i || ln_busy_i));
    c_sr_d   = c_sr_q + CntW'(smx_row_i);
    c_lr_d   = c_lr_q + CntW'(ln_row_i);
  end

  assign srst_d = resetting_q && bus_idle_i && !srst_q;

  assign quiesce_o     = resetting_q;
  assign irq_o         = |(irq_st_q & irq_en_q);
  assign ctrl_enable_o = ctrl_en_q;
  assign ring_base_o   = ring_base_q;
  assign ring_log2_o   = ring_log2_q;
  assign ring_tail_o   = ring_tail_q;
  assign ring_reset_o  = ring_reset;
  assign win_base_o    = win_base_q;
  assign win_size_o    = win_size_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_held_q <= 1'b0;
      w_held_q  <= 1'b0;
      awaddr_q  <= '0;
      wdata_q   <= '0;
      wstrb_q   <= '0;
      bvalid_q  <= 1'b0;
      rvalid_q  <= 1'b0;
      rdata_q   <= '0;
      srst_q    <= 1'b0;
    end else begin
      aw_held_q <= aw_held_d;
      w_held_q  <= w_held_d;
      awaddr_q  <= awaddr_d;
      wdata_q   <= wdata_d;
      wstrb_q   <= wstrb_d;
      bvalid_q  <= bvalid_d;
      rvalid_q  <= rvalid_d;
      rdata_q   <= rdata_d;
      srst_q    <= srst_d;
    end
  end

  always_ff @(posedge clk_i or negedge rst_int_n) begin
    if (!rst_int_n) begin
      resetting_q  <= 1'b0;
      ctrl_en_q    <= 1'b0;
      irq_st_q     <= '0;
      irq_en_q     <= '0;
      ring_base_q  <= '0;
      ring_log2_q  <= '0;
      ring_tail_q  <= '0;
      fence_done_q <= '0;
      err_code_q   <= '0;
      err_info_q   <= '0;
      err_desc_q   <= '0;
      win_base_q   <= '0;
      win_size_q   <= '0;
      c_cyc_q      <= '0;
      c_busy_q     <= '0;
      c_dep_q      <= '0;
      c_mem_q      <= '0;
      c_rd_q       <= '0;
      c_wr_q       <= '0;
      c_cmd_q      <= '0;
      c_gb_q       <= '0;
      c_sb_q       <= '0;
      c_lb_q       <= '0;
      c_ldb_q      <= '0;
      c_stb_q      <= '0;
      c_dma_q      <= '0;
      c_sr_q       <= '0;
      c_lr_q       <= '0;
      hi_q         <= '0;
    end else begin
      resetting_q  <= resetting_d;
      ctrl_en_q    <= ctrl_en_d;
      irq_st_q     <= irq_st_d;
      irq_en_q     <= irq_en_d;
      ring_base_q  <= ring_base_d;
      ring_log2_q  <= ring_log2_d;
      ring_tail_q  <= ring_tail_d;
      fence_done_q <= fence_done_d;
      err_code_q   <= err_code_d;
      err_info_q   <= err_info_d;
      err_desc_q   <= err_desc_d;
      win_base_q   <= win_base_d;
      win_size_q   <= win_size_d;
      c_cyc_q      <= c_cyc_d;
      c_busy_q     <= c_busy_d;
      c_dep_q      <= c_dep_d;
      c_mem_q      <= c_mem_d;
      c_rd_q       <= c_rd_d;
      c_wr_q       <= c_wr_d;
      c_cmd_q      <= c_cmd_d;
      c_gb_q       <= c_gb_d;
      c_sb_q       <= c_sb_d;
      c_lb_q       <= c_lb_d;
      c_ldb_q      <= c_ldb_d;
      c_stb_q      <= c_stb_d;
      c_dma_q      <= c_dma_d;
      c_sr_q       <= c_sr_d;
      c_lr_q       <= c_lr_d;
      hi_q         <= hi_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  // AXI4-Lite slave: a response is held, with stable data, until taken;
  // one write and one read outstanding at a time
  `AT_ASSERT_HOLD(RegsBHold_A, s_axil_bvalid_o, s_axil_bready_i, s_axil_bresp_o)
  `AT_ASSERT_HOLD(RegsRHold_A, s_axil_rvalid_o, s_axil_rready_i, {s_axil_rdata_o, s_axil_rresp_o})
  `AT_ASSERT(RegsOneWrite_A, do_write |-> !bvalid_q)
  `AT_ASSERT(RegsOneRead_A, do_read |-> !rvalid_q)
  // the soft reset: the internal reset is one cycle, only when the bus is idle
  `AT_ASSERT(RegsSrstIdle_A, srst_q |-> $past(bus_idle_i) && $past(resetting_q))
  `AT_ASSERT(RegsSrstPulse_A, srst_q |=> !srst_q)
  // the compute engine holds one command at a time
  `AT_ASSERT(RegsOneCompute_A, $onehot0({gemm_busy_i, smx_busy_i, ln_busy_i}))

endmodule
