// GEMM engine of the compute engine (docs/isa.md GEMM, docs/rtl-top.md
// "GEMM schedule", docs/rtl-compute.md): C = post(A x B) on the scratchpad
// ports, through acceltran_pe_array.
//
// Schedule: the PEs form NumPeRows rows x NC = NumPes / NumPeRows columns;
// PE (r, c) (index r*NC + c) computes row block sb*NumPeRows + r and column
// tile g*NC + c. Super-row-blocks sb are visited in order, column groups g
// within each. Independent pointers walk this order:
// - the issue pointer (sb, g): gives each PE of the step its tile
//   descriptor as soon as the PE is idle, its column's parameter quad is
//   loaded and its output FIFO has room for the whole block (reserved);
// - one activation feeder per PE row: reads every A line of its row block
//   once per group, in the order the lanes consume them (chunk, then row),
//   into per-lane FIFOs whose head is broadcast to the PEs of its row; an
//   entry leaves when every PE of its column mask took it;
// - one weight stream per PE column: one read per chunk of the column's
//   weight stream (its up to 4 quads at once; normal B: one quad = one
//   4-row beat; transposed B: the 4 quads are a 16x16 block, sent as 4-row
//   beats of the transpose) into WgtSlots chunk slots, multicast to the PEs
//   of the column: each PE reads the slots in order at its own pace, a slot
//   is freed when every PE of its row mask took its last beat (PEs skipping
//   zeros at different rates drift apart by up to WgtSlots chunks without
//   stalling each other).
// The weight port does one read per cycle (a chunk: the scratchpad's 4 quad
// banks): parameter quads first, then chunks round-robin over the columns;
// activation read port r is feeder r's, port 0 also the ACCUM read-back
// (first). Output rows leave each PE into its output FIFO; NumOutLanes
// writer lanes drain them into C lines, lane w round-robin over the FIFOs
// of PEs p = w mod NumOutLanes, each on its own activation write port
// (ACCUM: lane 0 over all FIFOs; read the old line, add, write), or with
// C_WGT on its own weight write port (C line (i, nt) = weight line
// C + nt*LDC + i: a tile's rows are consecutive lines, so they walk the
// weight buffer's 16 line banks one after the other).
// Lint in tiny and edge: the server PE array is too big to elaborate.
// rtl-lint-configs: tiny edge
`include "acceltran_assert.svh"

module acceltran_gemm #(
  parameter int unsigned NumPes    = acceltran_pkg::NumPes,
  parameter int unsigned NumLanes  = acceltran_pkg::NumLanes,
  parameter int unsigned NumPeRows = acceltran_pkg::NumPeRows,
  parameter int unsigned NumOutLanes = acceltran_pkg::NumOutLanes,  // C-line write lanes
  parameter int unsigned ActAddrW  = 11,
  parameter int unsigned WgtAddrW  = 11,
  parameter int unsigned CntW      = 48,
  parameter int unsigned ActDepth  = 4,  // per-lane activation FIFO depth
  parameter int unsigned WgtSlots  = 3,  // chunk slots per weight stream
  localparam int unsigned Tile      = acceltran_pkg::TileSize,
  localparam int unsigned WgtRows   = acceltran_pkg::WgtRowsPerBeat,
  localparam int unsigned BlockRows = (NumLanes > Tile) ? NumLanes : Tile,
  localparam int unsigned OutDepth  = 2 * BlockRows,  // per-PE output FIFO
  localparam int unsigned RowsW     = $clog2(BlockRows + 1),
  localparam int unsigned RowW      = $clog2(BlockRows),
  localparam int unsigned QuadW     = WgtAddrW - 2,
  localparam int unsigned PeW       = (NumPes > 1) ? $clog2(NumPes) : 1,
  localparam int unsigned LaneW     = (NumLanes > 1) ? $clog2(NumLanes) : 1,
  localparam int unsigned LineW     = Tile * 16,
  localparam int unsigned CAddrW    = (ActAddrW > WgtAddrW) ? ActAddrW : WgtAddrW  // a C line, either buffer
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,   // one cycle; desc_i stable until done_o
  input  logic [511:0]         desc_i,
  output logic                 done_o,
  output logic                 busy_o,
  // activation reads: port r is feeder r's (port 0 also the ACCUM read-back)
  output logic [NumPeRows-1:0]          act_rd_req_o,
  input  logic [NumPeRows-1:0]          act_rd_gnt_i,
  output logic [NumPeRows*ActAddrW-1:0] act_rd_addr_o,
  input  logic [NumPeRows-1:0]          act_rvalid_i,
  input  logic [NumPeRows*LineW-1:0]    act_rdata_i,
  input  logic [NumPeRows*Tile-1:0]     act_rmask_i,
  // activation writes: lane w drains the output FIFOs of PEs p = w mod
  // NumOutLanes (ACCUM: lane 0 all of them)
  output logic [NumOutLanes-1:0]          act_wr_req_o,
  input  logic [NumOutLanes-1:0]          act_wr_gnt_i,
  output logic [NumOutLanes*ActAddrW-1:0] act_wr_addr_o,
  output logic [NumOutLanes*LineW-1:0]    act_wr_data_o,
  output logic [NumOutLanes*Tile-1:0]     act_wr_mask_o,
  // weight writes (C_WGT): lane w's C lines, no mask words
  output logic [NumOutLanes-1:0]          wgt_wr_req_o,
  input  logic [NumOutLanes-1:0]          wgt_wr_gnt_i,
  output logic [NumOutLanes*WgtAddrW-1:0] wgt_wr_addr_o,
  output logic [NumOutLanes*LineW-1:0]    wgt_wr_data_o,
  // weight read: quads quad .. quad + nq - 1 (a chunk, or a parameter quad)
  output logic                 wgt_rd_req_o,
  input  logic                 wgt_rd_gnt_i,
  output logic [QuadW-1:0]     wgt_rd_quad_o,
  output logic [2:0]           wgt_rd_nq_o,
  input  logic                 wgt_rvalid_i,
  input  logic [16*LineW-1:0]  wgt_rdata_i,   // quad q at [q*4*LineW +: 4*LineW], 0 past nq
  // PE array counters
  output logic [CntW-1:0]      cnt_mac_issued_o,
  output logic [CntW-1:0]      cnt_mac_skipped_o,
  output logic [CntW-1:0]      cnt_pruned_o,
  output logic [CntW-1:0]      cnt_stall_wgt_o,
  output logic [CntW-1:0]      cnt_stall_act_o,
  output logic [CntW-1:0]      cnt_pe_busy_o
);

  localparam int unsigned NP = NumPes;
  localparam int unsigned NL = NumLanes;
  localparam int unsigned NR = NumPeRows;
  localparam int unsigned NC = NumPes / NumPeRows;
  localparam int unsigned BR = BlockRows;
  localparam int unsigned NS = WgtSlots;
  localparam int unsigned NW = NumOutLanes;
  localparam int unsigned NPL = (NumPes + NumOutLanes - 1) / NumOutLanes;  // PEs per writer lane
  localparam int unsigned KW  = (NPL > 1) ? $clog2(NPL) : 1;
  localparam int unsigned CW = (NC > 1) ? $clog2(NC) : 1;
  localparam int unsigned SW = (NS > 1) ? $clog2(NS) : 1;
  localparam int unsigned LaneEntW = LineW + Tile + NC;          // data, mask, column mask
  localparam int unsigned LaneCntW = $clog2(ActDepth + 1);
  localparam int unsigned OutEntW  = LineW + Tile + CAddrW + 6;   // y, mask, line, cols, last row
  localparam int unsigned OutCntW  = $clog2(OutDepth + 1);
  localparam int unsigned CredW    = OutCntW;
  localparam int unsigned QuadBits = 4 * LineW;
  localparam int unsigned SlotBits = 4 * QuadBits;

  // ------------------------------------------------------------ descriptor
  logic                 f_trans, f_params, f_gelu, f_accum, f_amask, f_cwgt;
  logic [ActAddrW-1:0]  d_a, d_lda;
  logic [CAddrW-1:0]    d_c, d_ldc;
  logic [QuadW-1:0]     d_bq, d_ldbq, d_pq;
  logic [15:0]          d_m, d_n, d_k, d_rq_m, d_gim, d_gom;
  logic [14:0]          d_tau;
  logic [5:0]           d_rq_s, d_gis, d_gos;

  always_comb begin
    f_trans  = desc_i[acceltran_pkg::DescGemmTransBWord*32 + acceltran_pkg::DescGemmTransBLsb];
    f_params = desc_i[acceltran_pkg::DescGemmParamsEnWord*32 + acceltran_pkg::DescGemmParamsEnLsb];
    f_gelu   = desc_i[acceltran_pkg::DescGemmGeluWord*32 + acceltran_pkg::DescGemmGeluLsb];
    f_accum  = desc_i[acceltran_pkg::DescGemmAccumWord*32 + acceltran_pkg::DescGemmAccumLsb];
    f_amask  = desc_i[acceltran_pkg::DescGemmAMaskWord*32 + acceltran_pkg::DescGemmAMaskLsb];
    f_cwgt   = desc_i[acceltran_pkg::DescGemmCWgtWord*32 + acceltran_pkg::DescGemmCWgtLsb];
    d_a   = desc_i[acceltran_pkg::DescGemmAWord*32 + acceltran_pkg::DescGemmALsb +: ActAddrW];
    d_lda = desc_i[acceltran_pkg::DescGemmLdaWord*32 + acceltran_pkg::DescGemmLdaLsb +: ActAddrW];
    d_c   = desc_i[acceltran_pkg::DescGemmCWord*32 + acceltran_pkg::DescGemmCLsb +: CAddrW];
    d_ldc = desc_i[acceltran_pkg::DescGemmLdcWord*32 + acceltran_pkg::DescGemmLdcLsb +: CAddrW];
    d_bq  = desc_i[acceltran_pkg::DescGemmBWord*32 + acceltran_pkg::DescGemmBLsb + 2 +: QuadW];
    d_ldbq = desc_i[acceltran_pkg::DescGemmLdbWord*32 + acceltran_pkg::DescGemmLdbLsb + 2 +: QuadW];
    d_pq  = desc_i[acceltran_pkg::DescGemmParamsWord*32 + acceltran_pkg::DescGemmParamsLsb + 2 +: QuadW];
    d_m   = desc_i[acceltran_pkg::DescGemmMWord*32 + acceltran_pkg::DescGemmMLsb +: 16];
    d_n   = desc_i[acceltran_pkg::DescGemmNWord*32 + acceltran_pkg::DescGemmNLsb +: 16];
    d_k   = desc_i[acceltran_pkg::DescGemmKWord*32 + acceltran_pkg::DescGemmKLsb +: 16];
    d_tau = desc_i[acceltran_pkg::DescGemmTauWord*32 + acceltran_pkg::DescGemmTauLsb +: 15];
    d_rq_m = desc_i[acceltran_pkg::DescGemmRqMWord*32 + acceltran_pkg::DescGemmRqMLsb +: 16];
    d_rq_s = desc_i[acceltran_pkg::DescGemmRqSWord*32 + acceltran_pkg::DescGemmRqSLsb +: 6];
    d_gim = desc_i[acceltran_pkg::DescGemmGeluInMWord*32 + acceltran_pkg::DescGemmGeluInMLsb +: 16];
    d_gis = desc_i[acceltran_pkg::DescGemmGeluInSWord*32 + acceltran_pkg::DescGemmGeluInSLsb +: 6];
    d_gom = desc_i[acceltran_pkg::DescGemmGeluOutMWord*32 + acceltran_pkg::DescGemmGeluOutMLsb +: 16];
    d_gos = desc_i[acceltran_pkg::DescGemmGeluOutSWord*32 + acceltran_pkg::DescGemmGeluOutSLsb +: 6];
  end

  // ------------------------------------------------------------ derived (registered at start)
  logic [15:0]          mb_n_d, mb_n_q;        // row blocks
  logic [15:0]          sb_n_d, sb_n_q;        // super-row-blocks
  logic [11:0]          nt_n_d, nt_n_q;        // column tiles
  logic [11:0]          kc_n_d, kc_n_q;        // K chunks
  logic [11:0]          g_n_d, g_n_q;          // column groups
  logic [RowsW-1:0]     rows_last_d, rows_last_q;
  logic [4:0]           cols_last_d, cols_last_q;
  logic [2:0]           nq_last_d, nq_last_q;  // quads (= beats) of the last K chunk
  logic [2:0]           trq_last_d, trq_last_q;// transposed: quads of the last column tile
  logic [NC-1:0]        last_cm_d, last_cm_q;  // PE columns active in the last group
  logic [NR-1:0]        last_rm_d, last_rm_q;  // PE rows active in the last super-row-block
  logic [31:0]          lines_n_d, lines_n_q;  // C lines to write
  // C steps: crow per row (LDC, C_WGT 1), ctile per column tile (1, C_WGT LDC)
  logic [CAddrW-1:0]    crow, ctile;
  logic [ActAddrW-1:0]  blk_lda_d, sb_lda_d, sb_lda_q;  // one row block (at start only), super-row-block
  logic [CAddrW-1:0]    blk_ldc_d, blk_ldc_q, sb_ldc_d, sb_ldc_q;  // C: one row block, one super-row-block
  logic [CAddrW-1:0]    ctile_d, ctile_q, cgrp_d, cgrp_q;        // C: one column tile, one column group
  logic [QuadW-1:0]     wstep_d, wstep_q;      // weight column step per tile (4 or LDB/4)

  always_comb begin
    logic [15:0] mm1, km1, nm1;
    logic [11:0] lastcnt;
    logic [15:0] lastr;
    mm1 = d_m - 16'd1;
    km1 = d_k - 16'd1;
    nm1 = d_n - 16'd1;
    mb_n_d  = 16'(32'(mm1) / BR) + 16'd1;
    sb_n_d  = 16'((32'(mb_n_d) - 1) / NR) + 16'd1;
    nt_n_d  = 12'(nm1 >> 4) + 12'd1;
    kc_n_d  = 12'(km1 >> 4) + 12'd1;
    g_n_d   = 12'((32'(nt_n_d) - 1) / NC) + 12'd1;
    rows_last_d = RowsW'(32'(mm1) % BR) + RowsW'(1);
    cols_last_d = {1'b0, nm1[3:0]} + 5'd1;
    nq_last_d   = 3'((({1'b0, km1[3:0]} + 5'd1) + 5'd3) >> 2);
    trq_last_d  = 3'((cols_last_d + 5'd3) >> 2);
    lastcnt     = nt_n_d - 12'((32'(g_n_d) - 1) * NC);
    lastr       = mb_n_d - 16'((32'(sb_n_d) - 1) * NR);
    for (int c = 0; c < NC; c++) begin
      last_cm_d[c] = (32'(lastcnt) > c);
    end
    for (int r = 0; r < NR; r++) begin
      last_rm_d[r] = (32'(lastr) > r);
    end
    lines_n_d = 32'(d_m) * 32'(nt_n_d);
    crow      = f_cwgt ? CAddrW'(1) : d_ldc;
    ctile     = f_cwgt ? d_ldc : CAddrW'(1);
    blk_lda_d = ActAddrW'(32'(d_lda) * BR);
    blk_ldc_d = CAddrW'(32'(crow) * BR);
    sb_lda_d  = ActAddrW'(32'(d_lda) * BR * NR);
    sb_ldc_d  = CAddrW'(32'(crow) * BR * NR);
    ctile_d   = ctile;
    cgrp_d    = CAddrW'(32'(ctile) * NC);
    wstep_d   = f_trans ? QuadW'(4) : d_ldbq;
  end

  // ------------------------------------------------------------ top state
  typedef enum logic [1:0] {
    StIdle  = 2'd0,
    StSetup = 2'd1,
    StRun   = 2'd2,
    StDone  = 2'd3
  } state_e;
  state_e state_d, state_q;
  logic   run;
  logic   init;  // first cycle of StRun: pointers load their start values
  logic [31:0] wr_cnt_d, wr_cnt_q;

  assign run    = (state_q == StRun);
  assign init   = (state_q == StSetup);
  assign busy_o = (state_q != StIdle);
  assign done_o = (state_q == StDone);

  // ------------------------------------------------------------ PE array
  logic [NP-1:0]             pe_tile_valid, pe_tile_ready;
  logic [NP*RowsW-1:0]       pe_rows;
  logic [NP*5-1:0]           pe_cols;
  logic [NP*16-1:0]          pe_k;
  logic [NP*Tile*32-1:0]     pe_bias;
  logic [NP*Tile*16-1:0]     pe_rq_m;
  logic [NP*Tile*6-1:0]      pe_rq_s;
  logic [NP-1:0]             pe_gelu_en;
  logic [NP*16-1:0]          pe_gim, pe_gom, pe_tau;
  logic [NP*6-1:0]           pe_gis, pe_gos;
  logic [NP-1:0]             pe_wgt_valid, pe_wgt_ready;
  logic [NP*WgtRows*LineW-1:0] pe_wgt;
  logic [NP*NL-1:0]          pe_act_valid, pe_act_ready;
  logic [NP*NL*LineW-1:0]    pe_act;
  logic [NP*NL*Tile-1:0]     pe_act_mask;
  logic [NP-1:0]             pe_out_valid;
  logic [NP*RowW-1:0]        pe_out_row;
  logic [NP*LineW-1:0]       pe_out_y;
  logic [NP*Tile-1:0]        pe_out_mask;
  // busy flags, raw accumulator port and per-row pruned counts: not used here
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NP-1:0]             pe_busy;
  logic [NP-1:0]             pe_acc_valid;
  logic [NP*RowW-1:0]        pe_acc_row;
  logic [NP*Tile*48-1:0]     pe_acc;
  logic [NP*5-1:0]           pe_out_pruned;
  /* verilator lint_on UNUSEDSIGNAL */

  acceltran_pe_array #(
    .NumPes   (NP),
    .NumLanes (NL),
    .CntW     (CntW),
    .WgtRows  (WgtRows)
  ) u_array (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .tile_valid_i      (pe_tile_valid),
    .tile_ready_o      (pe_tile_ready),
    .tile_rows_i       (pe_rows),
    .tile_cols_i       (pe_cols),
    .tile_k_i          (pe_k),
    .bias_i            (pe_bias),
    .rq_m_i            (pe_rq_m),
    .rq_s_i            (pe_rq_s),
    .gelu_en_i         (pe_gelu_en),
    .gelu_in_m_i       (pe_gim),
    .gelu_in_s_i       (pe_gis),
    .gelu_out_m_i      (pe_gom),
    .gelu_out_s_i      (pe_gos),
    .tau_i             (pe_tau),
    .wgt_valid_i       (pe_wgt_valid),
    .wgt_ready_o       (pe_wgt_ready),
    .wgt_i             (pe_wgt),
    .act_valid_i       (pe_act_valid),
    .act_ready_o       (pe_act_ready),
    .act_i             (pe_act),
    .act_mask_i        (pe_act_mask),
    .acc_valid_o       (pe_acc_valid),
    .acc_row_o         (pe_acc_row),
    .acc_o             (pe_acc),
    .out_valid_o       (pe_out_valid),
    .out_row_o         (pe_out_row),
    .out_y_o           (pe_out_y),
    .out_mask_o        (pe_out_mask),
    .out_pruned_o      (pe_out_pruned),
    .busy_o            (pe_busy),
    .cnt_busy_o        (cnt_pe_busy_o),
    .cnt_stall_wgt_o   (cnt_stall_wgt_o),
    .cnt_stall_act_o   (cnt_stall_act_o),
    .cnt_mac_issued_o  (cnt_mac_issued_o),
    .cnt_mac_skipped_o (cnt_mac_skipped_o),
    .cnt_pruned_o      (cnt_pruned_o)
  );

  // ------------------------------------------------------------ issue pointer (sb, g)
  logic [15:0]          is_sb_d, is_sb_q;
  logic [11:0]          is_g_d, is_g_q;
  logic                 is_done_d, is_done_q;
  logic [NP-1:0]        is_started_d, is_started_q;
  logic [CAddrW-1:0]    is_sbase_d, is_sbase_q;   // C line of the super-row-block's row 0, tile 0
  logic [CAddrW-1:0]    is_cbase_d, is_cbase_q;   // ... of its column group g's tile 0
  logic [NR-1:0]        is_ract;                  // PE rows of the issue step
  logic [NC-1:0]        is_cact;                  // PE columns of the issue step
  logic [NP-1:0]        is_act;                   // PEs of the issue step
  logic                 is_adv;                   // every PE of the step started
  logic [NP-1:0]        tile_fire;
  logic [NP-1:0]        cred_ok;
  logic [NC-1:0]        par_ok;

  always_comb begin
    is_ract = (is_sb_q == sb_n_q - 16'd1) ? last_rm_q : '1;
    is_cact = (is_g_q == g_n_q - 12'd1) ? last_cm_q : '1;
    for (int p = 0; p < NP; p++) begin
      is_act[p] = is_ract[p / NC] && is_cact[p % NC];
    end
  end
  assign is_adv = run && !is_done_q && ((is_started_q | tile_fire) == is_act);

  always_comb begin
    is_sb_d      = is_sb_q;
    is_g_d       = is_g_q;
    is_done_d    = is_done_q;
    is_started_d = is_started_q | tile_fire;
    is_sbase_d   = is_sbase_q;
    is_cbase_d   = is_cbase_q;
    if (init) begin
      is_sb_d      = '0;
      is_g_d       = '0;
      is_done_d    = 1'b0;
      is_started_d = '0;
      is_sbase_d   = d_c;
      is_cbase_d   = d_c;
    end else if (is_adv) begin
      is_started_d = '0;
      if (is_g_q == g_n_q - 12'd1) begin
        is_g_d     = '0;
        is_sb_d    = is_sb_q + 16'd1;
        is_sbase_d = is_sbase_q + sb_ldc_q;
        is_cbase_d = is_sbase_q + sb_ldc_q;
        if (is_sb_q == sb_n_q - 16'd1) begin
          is_done_d = 1'b1;
        end
      end else begin
        is_g_d     = is_g_q + 12'd1;
        is_cbase_d = is_cbase_q + cgrp_q;
      end
    end
  end

  // ------------------------------------------------------------ activation feeders (per PE row)
  // each feeder has its own read port (the scratchpad's banks serve them
  // side by side); port 0 also carries the ACCUM read-back, which goes
  // first. fd_inf_q: the feeder's read is in flight (data next cycle).
  logic [NR-1:0]        fd_req, fd_fire, fd_inf_d, fd_inf_q;
  logic [NR*ActAddrW-1:0] fd_addr;
  logic                 ac_rd_req;

  // The requests and the fires (grant side) are separate blocks: the
  // requests never depend on the grants, which come back combinationally
  // from the scratchpad's arbiter, and one block holding both would look
  // like a combinational loop to the linter (UNOPTFLAT on the top).
  always_comb begin
    fd_fire = fd_req & act_rd_gnt_i;
    if (ac_rd_req) begin
      fd_fire[0] = 1'b0;
    end
    fd_inf_d = fd_fire;
    if (init) begin
      fd_inf_d = '0;
    end
  end

  for (genvar r = 0; r < NR; r++) begin : g_fd
    logic [15:0]          sb_d, sb_q;
    logic [11:0]          g_d, g_q, c_d, c_q;
    logic [RowsW-1:0]     i_d, i_q;
    logic [LaneW-1:0]     l_d, l_q;
    logic                 done_d, done_q;
    logic [ActAddrW-1:0]  row_d, row_q, blk_d, blk_q;
    logic [RowsW-1:0]     rows;
    logic [NC-1:0]        cmask;
    // in-flight read of this feeder: its lane and column mask
    logic [LaneW-1:0]     fl_lane_d, fl_lane_q;
    logic [NC-1:0]        fl_cm_d, fl_cm_q;
    logic                 arr;
    // lane FIFOs
    logic [NL-1:0]            lf_push, lf_pop;
    logic [NL*LaneEntW-1:0]   lf_head;
    logic [NL*LaneCntW-1:0]   lf_cnt;
    logic [LaneEntW-1:0]      lf_wdata;
    logic [NL*NC-1:0]         lf_tk_d, lf_tk_q;     // PEs of the row that took the head

    assign rows  = (32'(sb_q) * NR + r == 32'(mb_n_q) - 1) ? rows_last_q : RowsW'(BR);
    assign cmask = (g_q == g_n_q - 12'd1) ? last_cm_q : '1;
    assign arr   = act_rvalid_i[r] && fd_inf_q[r];

    always_comb begin
      logic [LaneCntW:0] occ;
      occ = {1'b0, lf_cnt[32'(l_q)*LaneCntW +: LaneCntW]} +
            {{LaneCntW{1'b0}}, fd_inf_q[r] && (fl_lane_q == l_q)};
      fd_req[r] = run && !done_q && (32'(occ) < ActDepth);
    end
    assign fd_addr[r*ActAddrW +: ActAddrW] = row_q + ActAddrW'(c_q);

    always_comb begin
      sb_d   = sb_q;
      g_d    = g_q;
      c_d    = c_q;
      i_d    = i_q;
      l_d    = l_q;
      done_d = done_q;
      row_d  = row_q;
      blk_d  = blk_q;
      fl_lane_d = fl_lane_q;
      fl_cm_d   = fl_cm_q;
      if (init) begin
        sb_d   = '0;
        g_d    = '0;
        c_d    = '0;
        i_d    = '0;
        l_d    = '0;
        done_d = (32'(mb_n_d) <= r);
        row_d  = d_a + ActAddrW'(32'(blk_lda_d) * r);
        blk_d  = d_a + ActAddrW'(32'(blk_lda_d) * r);
      end else if (fd_fire[r]) begin
        fl_lane_d = l_q;
        fl_cm_d   = cmask;
        i_d   = i_q + 1'b1;
        l_d   = (32'(l_q) == NL - 1) ? '0 : l_q + 1'b1;
        row_d = row_q + d_lda;
        if (i_q == rows - 1'b1) begin
          i_d   = '0;
          l_d   = '0;
          row_d = blk_q;
          c_d   = c_q + 12'd1;
          if (c_q == kc_n_q - 12'd1) begin
            c_d = '0;
            g_d = g_q + 12'd1;
            if (g_q == g_n_q - 12'd1) begin
              g_d   = '0;
              sb_d  = sb_q + 16'd1;
              blk_d = blk_q + sb_lda_q;
              row_d = blk_q + sb_lda_q;
              if ((32'(sb_q) + 1) * NR + r >= 32'(mb_n_q)) begin
                done_d = 1'b1;
              end
            end
          end
        end
      end
    end

    assign lf_wdata = {fl_cm_q, (f_amask ? act_rmask_i[r*Tile +: Tile] : {Tile{1'b1}}),
                       act_rdata_i[r*LineW +: LineW]};

    for (genvar l = 0; l < NL; l++) begin : g_lane
      logic [NC-1:0] cm, tk, fire;
      acceltran_fifo #(
        .Width (LaneEntW),
        .Depth (ActDepth)
      ) u_fifo (
        .clk_i   (clk_i),
        .rst_ni  (rst_ni),
        .clr_i   (init),
        .push_i  (lf_push[l]),
        .wdata_i (lf_wdata),
        .pop_i   (lf_pop[l]),
        .rdata_o (lf_head[l*LaneEntW +: LaneEntW]),
        .count_o (lf_cnt[l*LaneCntW +: LaneCntW])
      );
      assign lf_push[l] = arr && (32'(fl_lane_q) == l);
      assign cm = lf_head[l*LaneEntW + LineW + Tile +: NC];
      assign tk = lf_tk_q[l*NC +: NC];
      for (genvar c = 0; c < NC; c++) begin : g_pe
        localparam int unsigned P = r * NC + c;
        assign pe_act_valid[P*NL + l] = (lf_cnt[l*LaneCntW +: LaneCntW] != '0) && cm[c] && !tk[c];
        assign pe_act[(P*NL + l)*LineW +: LineW] = lf_head[l*LaneEntW +: LineW];
        assign pe_act_mask[(P*NL + l)*Tile +: Tile] = lf_head[l*LaneEntW + LineW +: Tile];
        assign fire[c] = pe_act_valid[P*NL + l] && pe_act_ready[P*NL + l];
      end
      assign lf_pop[l] = (lf_cnt[l*LaneCntW +: LaneCntW] != '0) && (((tk | fire) & cm) == cm);
      always_comb begin
        lf_tk_d[l*NC +: NC] = lf_pop[l] ? '0 : (tk | fire);
        if (init) begin
          lf_tk_d[l*NC +: NC] = '0;
        end
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        sb_q      <= '0;
        g_q       <= '0;
        c_q       <= '0;
        i_q       <= '0;
        l_q       <= '0;
        done_q    <= 1'b1;
        row_q     <= '0;
        blk_q     <= '0;
        fl_lane_q <= '0;
        fl_cm_q   <= '0;
        lf_tk_q   <= '0;
      end else begin
        sb_q      <= sb_d;
        g_q       <= g_d;
        c_q       <= c_d;
        i_q       <= i_d;
        l_q       <= l_d;
        done_q    <= done_d;
        row_q     <= row_d;
        blk_q     <= blk_d;
        fl_lane_q <= fl_lane_d;
        fl_cm_q   <= fl_cm_d;
        lf_tk_q   <= lf_tk_d;
      end
    end
  end

  // ------------------------------------------------------------ output writer
  logic [NP-1:0]            of_push, of_pop;
  logic [NP*OutEntW-1:0]    of_head, of_wdata;
  logic [NP*OutCntW-1:0]    of_cnt;
  logic [NP-1:0]            of_ne;
  // lane w's FIFOs are those of PEs w + NW*k, k < NPL: its pointer and
  // pick are indices k (each lane muxes only its own FIFOs); ACCUM has one
  // picker over all FIFOs (lane 0)
  logic [NW*KW-1:0]         wr_rr_d, wr_rr_q, wr_k;
  logic [NW*PeW-1:0]        wr_sel;     // the picked PE per lane
  logic [NW-1:0]            wr_any;
  logic [PeW-1:0]           ac_rr_d, ac_rr_q, ac_sel;
  logic                     ac_any;
  // ACCUM state: 0 pick+read, 1 wait data, 2 write
  logic [1:0]               ac_st_d, ac_st_q;
  logic [PeW-1:0]           ac_pe_d, ac_pe_q;
  logic [LineW-1:0]         ac_y_d, ac_y_q;
  logic [Tile-1:0]          ac_m_d, ac_m_q;
  logic [OutEntW-1:0]       ac_ent;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NW*OutEntW-1:0]    wr_ent;  // its cols field is used only by ACCUM (ac_ent), its last bit by C_WGT
  /* verilator lint_on UNUSEDSIGNAL */

  always_comb begin
    for (int p = 0; p < NP; p++) begin
      of_ne[p] = (of_cnt[p*OutCntW +: OutCntW] != '0);
    end
    // per lane, round-robin pick: the first non-empty FIFO of the lane at or
    // after its pointer (none under ACCUM)
    for (int w = 0; w < NW; w++) begin
      logic [KW-1:0] kr;
      kr = wr_rr_q[w*KW +: KW];
      wr_any[w] = 1'b0;
      wr_k[w*KW +: KW] = kr;
      for (int j = NPL - 1; j >= 0; j--) begin
        int unsigned k;
        k = (32'(kr) + 32'(j)) % NPL;
        if ((w + NW * k < NP) && of_ne[w + NW * k] && !f_accum) begin
          wr_any[w] = 1'b1;
          wr_k[w*KW +: KW] = KW'(k);
        end
      end
      wr_sel[w*PeW +: PeW] = PeW'(32'(w) + NW * 32'(wr_k[w*KW +: KW]));
      wr_ent[w*OutEntW +: OutEntW] = '0;
      for (int k = 0; k < NPL; k++) begin
        if ((w + NW * k < NP) && (32'(wr_k[w*KW +: KW]) == k)) begin
          wr_ent[w*OutEntW +: OutEntW] = of_head[(w + NW * k)*OutEntW +: OutEntW];
        end
      end
    end
    // ACCUM: one picker over every FIFO
    ac_any = 1'b0;
    ac_sel = ac_rr_q;
    for (int j = NP - 1; j >= 0; j--) begin
      if (of_ne[(32'(ac_rr_q) + j) % NP]) begin
        ac_any = 1'b1;
        ac_sel = PeW'((32'(ac_rr_q) + j) % NP);
      end
    end
  end

  assign ac_ent = of_head[32'(ac_pe_q)*OutEntW +: OutEntW];

  // writer requests and addresses (no grant inputs here: see below)
  always_comb begin
    act_wr_req_o = '0;
    wgt_wr_req_o = '0;
    for (int w = 0; w < NW; w++) begin
      act_wr_addr_o[w*ActAddrW +: ActAddrW] = wr_ent[w*OutEntW + LineW + Tile +: ActAddrW];
      act_wr_data_o[w*LineW +: LineW]       = wr_ent[w*OutEntW +: LineW];
      act_wr_mask_o[w*Tile +: Tile]         = wr_ent[w*OutEntW + LineW +: Tile];
      wgt_wr_addr_o[w*WgtAddrW +: WgtAddrW] = wr_ent[w*OutEntW + LineW + Tile +: WgtAddrW];
      wgt_wr_data_o[w*LineW +: LineW]       = wr_ent[w*OutEntW +: LineW];
    end
    ac_rd_req = 1'b0;
    if (f_cwgt) begin
      wgt_wr_req_o = {NW{run}} & wr_any;
    end else if (!f_accum) begin
      act_wr_req_o = {NW{run}} & wr_any;
    end else begin
      act_wr_addr_o[0 +: ActAddrW] = ac_ent[LineW + Tile +: ActAddrW];
      act_wr_data_o[0 +: LineW]    = ac_y_q;
      act_wr_mask_o[0 +: Tile]     = ac_m_q;
      ac_rd_req       = (ac_st_q == 2'd0) && run && ac_any;
      act_wr_req_o[0] = (ac_st_q == 2'd2);
    end
  end

  // writer state: pops, round-robin pointer, ACCUM read-modify-write
  always_comb begin
    of_pop  = '0;
    wr_rr_d = wr_rr_q;
    ac_rr_d = ac_rr_q;
    ac_st_d = ac_st_q;
    ac_pe_d = ac_pe_q;
    ac_y_d  = ac_y_q;
    ac_m_d  = ac_m_q;
    if (!f_accum) begin
      for (int w = 0; w < NW; w++) begin
        logic [PeW-1:0] sel;
        logic [KW-1:0]  k;
        sel = wr_sel[w*PeW +: PeW];
        k   = wr_k[w*KW +: KW];
        if ((act_wr_req_o[w] && act_wr_gnt_i[w]) || (wgt_wr_req_o[w] && wgt_wr_gnt_i[w])) begin
          of_pop[sel] = 1'b1;
          wr_rr_d[w*KW +: KW] = (32'(k) == NPL - 1) ? '0 : k + 1'b1;
          // C_WGT: the lane stays with the PE until its tile's last row, so
          // that it writes the tile's consecutive lines (consecutive weight
          // line banks) and the lanes, once apart, stay in different banks
          if (f_cwgt && !wr_ent[w*OutEntW + OutEntW - 1]) begin
            wr_rr_d[w*KW +: KW] = k;
          end
        end
      end
    end else begin
      case (ac_st_q)
        2'd0: begin
          ac_pe_d = ac_sel;
          if (ac_rd_req && act_rd_gnt_i[0]) begin
            ac_st_d = 2'd1;
            ac_rr_d = (32'(ac_sel) == NP - 1) ? '0 : ac_sel + 1'b1;
          end
        end
        2'd1: begin
          if (act_rvalid_i[0]) begin
            for (int j = 0; j < Tile; j++) begin
              logic signed [16:0] s;
              logic [15:0] e;
              s = 17'(signed'(act_rdata_i[j*16 +: 16])) + 17'(signed'(ac_ent[j*16 +: 16]));
              if (s > 17'sd32767) begin
                e = 16'h7fff;
              end else if (s < -17'sd32768) begin
                e = 16'h8000;
              end else begin
                e = s[15:0];
              end
              if (32'(ac_ent[LineW + Tile + CAddrW +: 5]) <= j) begin
                e = '0;
              end
              ac_y_d[j*16 +: 16] = e;
              ac_m_d[j] = (e != '0);
            end
            ac_st_d = 2'd2;
          end
        end
        default: begin
          if (act_wr_gnt_i[0]) begin
            of_pop[ac_pe_q] = 1'b1;
            ac_st_d = 2'd0;
          end
        end
      endcase
    end
    if (init) begin
      ac_st_d = 2'd0;
    end
  end

  // activation read ports: feeder r on port r; the ACCUM read on port 0
  // first
  always_comb begin
    act_rd_req_o  = fd_req;
    act_rd_addr_o = fd_addr;
    if (ac_rd_req) begin
      act_rd_req_o[0] = 1'b1;
      act_rd_addr_o[0 +: ActAddrW] = of_head[32'(ac_sel)*OutEntW + LineW + Tile +: ActAddrW];
    end
  end

  // ------------------------------------------------------------ weight port
  logic [NC-1:0]        pq_req, wq_req;      // parameter / weight quad requests per column
  logic [NC*QuadW-1:0]  pq_addr, wq_addr;
  logic [NC*3-1:0]      wq_nq;               // quads of each column's next chunk
  logic [CW-1:0]        wrr_d, wrr_q, wsel;
  logic                 wsel_par, w_any;
  logic [1:0]           wr_kind_d, wr_kind_q;   // in-flight weight read: 0 none, 1 param, 2 weight
  logic [CW-1:0]        wr_col_d, wr_col_q;
  logic [NC-1:0]        pq_fire, wq_fire, pq_arr, wq_arr;

  always_comb begin
    wsel     = wrr_q;
    wsel_par = 1'b0;
    w_any    = 1'b0;
    if (|pq_req) begin
      w_any    = 1'b1;
      wsel_par = 1'b1;
      for (int j = NC - 1; j >= 0; j--) begin
        if (pq_req[j]) begin
          wsel = CW'(j);
        end
      end
    end else if (|wq_req) begin
      w_any = 1'b1;
      for (int j = NC - 1; j >= 0; j--) begin
        if (wq_req[(32'(wrr_q) + j) % NC]) begin
          wsel = CW'((32'(wrr_q) + j) % NC);
        end
      end
    end
    wgt_rd_req_o  = w_any;
    wgt_rd_quad_o = wsel_par ? pq_addr[32'(wsel)*QuadW +: QuadW] : wq_addr[32'(wsel)*QuadW +: QuadW];
    wgt_rd_nq_o   = wsel_par ? 3'd1 : wq_nq[32'(wsel)*3 +: 3];
  end

  always_comb begin
    pq_fire   = '0;
    wq_fire   = '0;
    wrr_d     = wrr_q;
    wr_kind_d = 2'd0;
    wr_col_d  = wr_col_q;
    if (w_any && wgt_rd_gnt_i) begin
      wr_col_d = wsel;
      if (wsel_par) begin
        pq_fire[wsel] = 1'b1;
        wr_kind_d = 2'd1;
      end else begin
        wq_fire[wsel] = 1'b1;
        wr_kind_d = 2'd2;
        wrr_d = (32'(wsel) == NC - 1) ? '0 : wsel + 1'b1;
      end
    end
    if (init) begin
      wrr_d = '0;
    end
    pq_arr = '0;
    wq_arr = '0;
    if (wgt_rvalid_i && (wr_kind_q == 2'd1)) begin
      pq_arr[wr_col_q] = 1'b1;
    end
    if (wgt_rvalid_i && (wr_kind_q == 2'd2)) begin
      wq_arr[wr_col_q] = 1'b1;
    end
  end

  // ------------------------------------------------------------ per PE column: params, weight stream
  logic [NC*QuadBits-1:0] col_pb;      // parameter quad of the column's issue tile

  for (genvar c = 0; c < NC; c++) begin : g_col
    logic [QuadW-1:0]     nt;           // column tile of the issue step (parameter quad)
    // parameter buffer
    logic [QuadBits-1:0]  pb_d, pb_q;
    logic                 pb_v_d, pb_v_q, pb_p_d, pb_p_q;
    // weight pointer
    logic [15:0]          w_sb_d, w_sb_q;
    logic [11:0]          w_g_d, w_g_q, w_c_d, w_c_q;
    logic                 w_done_d, w_done_q;
    logic [QuadW-1:0]     w_col_d, w_col_q, w_ch_d, w_ch_q;
    logic [SW-1:0]        w_ws_d, w_ws_q;   // slot being filled
    logic [2:0]           w_nq, w_nb;
    logic                 w_lastcol;
    logic [NR-1:0]        w_rm;             // PE rows of the stream's super-row-block
    // in-flight chunk: its slot
    logic [SW-1:0]        w_fs_d, w_fs_q;
    // chunk slots
    // packed, slot t at [t*SlotBits +: SlotBits]: Yosys 0.23 takes no
    // whole-array assignment of an unpacked array
    logic [NS*SlotBits-1:0] s_data_d, s_data_q;
    logic [NS-1:0]          s_alloc_d, s_alloc_q;
    logic [NS-1:0]          s_arr_d, s_arr_q;   // the chunk arrived
    logic [NS*3-1:0]        s_nb_d, s_nb_q;
    logic [NS*NR-1:0]       s_rm_d, s_rm_q, s_tk_d, s_tk_q;
    logic [NS-1:0]          s_full;
    // per PE of the column: read position (slot, beat)
    logic [NR*SW-1:0]       rs_d, rs_q;
    logic [NR*2-1:0]        rb_d, rb_q;
    logic [NR-1:0]          take, take_last;

    assign nt = QuadW'(32'(is_g_q) * NC + c);

    // parameter prefetch for the issue step's tile of the column
    assign pq_req[c] = run && f_params && !is_done_q && is_cact[c] && !pb_v_q && !pb_p_q;
    assign pq_addr[c*QuadW +: QuadW] = d_pq + nt;
    assign par_ok[c] = pb_v_q || !f_params;
    assign col_pb[c*QuadBits +: QuadBits] = pb_q;
    always_comb begin
      pb_d   = pb_q;
      pb_v_d = pb_v_q;
      pb_p_d = pb_p_q;
      if (pq_fire[c]) begin
        pb_p_d = 1'b1;
      end
      if (pq_arr[c]) begin
        pb_d   = wgt_rdata_i[QuadBits-1:0];
        pb_v_d = 1'b1;
        pb_p_d = 1'b0;
      end
      if (is_adv) begin
        pb_v_d = 1'b0;
      end
      if (init) begin
        pb_v_d = 1'b0;
        pb_p_d = 1'b0;
      end
    end

    // weight pointer: (sb, g, chunk)
    assign w_lastcol = (12'(32'(w_g_q) * NC + c) == nt_n_q - 12'd1);
    assign w_rm      = (w_sb_q == sb_n_q - 16'd1) ? last_rm_q : '1;
    always_comb begin
      w_nb = (w_c_q == kc_n_q - 12'd1) ? nq_last_q : 3'd4;
      if (f_trans) begin
        w_nq = w_lastcol ? trq_last_q : 3'd4;
      end else begin
        w_nq = w_nb;
      end
    end
    assign wq_addr[c*QuadW +: QuadW] = w_col_q + w_ch_q;
    assign wq_nq[c*3 +: 3] = w_nq;
    assign wq_req[c] = run && !w_done_q && !s_alloc_q[w_ws_q];

    always_comb begin
      logic [11:0] ng;
      w_sb_d   = w_sb_q;
      w_g_d    = w_g_q;
      w_c_d    = w_c_q;
      w_done_d = w_done_q;
      w_col_d  = w_col_q;
      w_ch_d   = w_ch_q;
      w_ws_d   = w_ws_q;
      w_fs_d   = w_fs_q;
      ng       = w_g_q + 12'd1;
      if (init) begin
        w_sb_d   = '0;
        w_g_d    = '0;
        w_c_d    = '0;
        w_done_d = !((g_n_d > 12'd1) || last_cm_d[c]);
        w_col_d  = d_bq + QuadW'(32'(wstep_d) * c);
        w_ch_d   = '0;
        w_ws_d   = '0;
      end else if (wq_fire[c]) begin
        w_fs_d = w_ws_q;
        w_ws_d = (32'(w_ws_q) == NS - 1) ? '0 : w_ws_q + 1'b1;
        w_c_d  = w_c_q + 12'd1;
        w_ch_d = w_ch_q + (f_trans ? d_ldbq : QuadW'(4));
        if (w_c_q == kc_n_q - 12'd1) begin
          w_c_d  = '0;
          w_ch_d = '0;
          if ((ng == g_n_q) || ((ng == g_n_q - 12'd1) && !last_cm_q[c])) begin
            w_g_d   = '0;
            w_sb_d  = w_sb_q + 16'd1;
            w_col_d = d_bq + QuadW'(32'(wstep_q) * c);
            if (w_sb_q == sb_n_q - 16'd1) begin
              w_done_d = 1'b1;
            end
          end else begin
            w_g_d   = ng;
            w_col_d = w_col_q + QuadW'(32'(wstep_q) * NC);
          end
        end
      end
    end

    // slots: allocated with the chunk's read, full when it arrived, freed
    // when every PE of its row mask took its last beat.
    // Slots and quads are selected with constant part-selects under a
    // compare, not variable part-selects (Yosys expands those into wide
    // shifters).
    always_comb begin
      for (int t = 0; t < NS; t++) begin
        s_full[t] = s_alloc_q[t] && s_arr_q[t];
      end
    end

    always_comb begin
      s_data_d  = s_data_q;
      s_alloc_d = s_alloc_q;
      s_arr_d   = s_arr_q;
      s_nb_d    = s_nb_q;
      s_rm_d    = s_rm_q;
      s_tk_d    = s_tk_q;
      for (int t = 0; t < NS; t++) begin
        if (wq_arr[c] && (32'(w_fs_q) == t)) begin
          s_data_d[t*SlotBits +: SlotBits] = wgt_rdata_i;
          s_arr_d[t] = 1'b1;
        end
        for (int r = 0; r < NR; r++) begin
          if (take_last[r] && (32'(rs_q[r*SW +: SW]) == t)) begin
            s_tk_d[t*NR + r] = 1'b1;
          end
        end
        if (s_alloc_q[t] && ((s_tk_d[t*NR +: NR] & s_rm_q[t*NR +: NR]) == s_rm_q[t*NR +: NR])) begin
          s_alloc_d[t] = 1'b0;
        end
        if (wq_fire[c] && (32'(w_ws_q) == t)) begin
          s_alloc_d[t]        = 1'b1;
          s_arr_d[t]          = 1'b0;
          s_nb_d[t*3 +: 3]    = w_nb;
          s_rm_d[t*NR +: NR]  = w_rm;
          s_tk_d[t*NR +: NR]  = '0;
        end
      end
      if (init) begin
        s_alloc_d = '0;
      end
    end

    // the column's PEs: beat at their read position, multicast
    for (genvar r = 0; r < NR; r++) begin : g_pe
      localparam int unsigned P = r * NC + c;
      logic [SW-1:0]        rs;
      logic [1:0]           rb;
      logic [SlotBits-1:0]  sd;          // the slot at rs
      logic                 sv;          // it is full and for this PE, not yet taken
      logic [2:0]           snb;
      logic [WgtRows*LineW-1:0] beat;

      assign rs = rs_q[r*SW +: SW];
      assign rb = rb_q[r*2 +: 2];
      always_comb begin
        sd  = '0;
        sv  = 1'b0;
        snb = 3'd1;
        for (int t = 0; t < NS; t++) begin
          if (32'(rs) == t) begin
            sd  = s_data_q[t*SlotBits +: SlotBits];
            sv  = s_full[t] && s_rm_q[t*NR + r] && !s_tk_q[t*NR + r];
            snb = s_nb_q[t*3 +: 3];
          end
        end
        beat = '0;
        for (int b4 = 0; b4 < 4; b4++) begin
          if (rb == 2'(b4)) begin
            if (f_trans) begin
              for (int b = 0; b < WgtRows; b++) begin
                for (int j = 0; j < Tile; j++) begin
                  // row k = 4*beat + b, column j = element k of line j
                  beat[b*LineW + j*16 +: 16] = sd[j*LineW + (b4*WgtRows + b)*16 +: 16];
                end
              end
            end else begin
              beat = sd[b4*QuadBits +: QuadBits];
            end
          end
        end
      end
      assign pe_wgt_valid[P] = sv;
      assign pe_wgt[P*WgtRows*LineW +: WgtRows*LineW] = beat;
      assign take[r]      = sv && pe_wgt_ready[P];
      assign take_last[r] = take[r] && ({1'b0, rb} == snb - 3'd1);

      always_comb begin
        rs_d[r*SW +: SW] = rs;
        rb_d[r*2 +: 2]   = rb;
        if (take[r]) begin
          rb_d[r*2 +: 2] = rb + 2'd1;
          if (take_last[r]) begin
            rb_d[r*2 +: 2]   = '0;
            rs_d[r*SW +: SW] = (32'(rs) == NS - 1) ? '0 : rs + 1'b1;
          end
        end
        if (init) begin
          rs_d[r*SW +: SW] = '0;
          rb_d[r*2 +: 2]   = '0;
        end
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        pb_q      <= '0;
        pb_v_q    <= 1'b0;
        pb_p_q    <= 1'b0;
        w_sb_q    <= '0;
        w_g_q     <= '0;
        w_c_q     <= '0;
        w_done_q  <= 1'b1;
        w_col_q   <= '0;
        w_ch_q    <= '0;
        w_ws_q    <= '0;
        w_fs_q    <= '0;
        for (int t = 0; t < NS; t++) begin
          s_data_q[t*SlotBits +: SlotBits] <= '0;
        end
        s_alloc_q <= '0;
        s_arr_q   <= '0;
        s_nb_q    <= '0;
        s_rm_q    <= '0;
        s_tk_q    <= '0;
        rs_q      <= '0;
        rb_q      <= '0;
      end else begin
        pb_q      <= pb_d;
        pb_v_q    <= pb_v_d;
        pb_p_q    <= pb_p_d;
        w_sb_q    <= w_sb_d;
        w_g_q     <= w_g_d;
        w_c_q     <= w_c_d;
        w_done_q  <= w_done_d;
        w_col_q   <= w_col_d;
        w_ch_q    <= w_ch_d;
        w_ws_q    <= w_ws_d;
        w_fs_q    <= w_fs_d;
        s_data_q  <= s_data_d;
        s_alloc_q <= s_alloc_d;
        s_arr_q   <= s_arr_d;
        s_nb_q    <= s_nb_d;
        s_rm_q    <= s_rm_d;
        s_tk_q    <= s_tk_d;
        rs_q      <= rs_d;
        rb_q      <= rb_d;
      end
    end

    // a chunk arrives only into the allocated slot it was requested for,
    // once
    `AT_ASSERT(GemmWgtArrSlot_A, wq_arr[c] |-> s_alloc_q[w_fs_q] && !s_full[w_fs_q])
  end

  // ------------------------------------------------------------ per PE: tile descriptor, outputs
  for (genvar p = 0; p < NP; p++) begin : g_pe
    localparam int unsigned R = p / NC;
    localparam int unsigned C = p % NC;
    logic [11:0]          nt;           // column tile of the issue step
    logic                 is_last_col;  // issue tile is the last column tile
    logic [RowsW-1:0]     rows;         // rows of the issue tile
    logic [QuadBits-1:0]  pb;
    // output side
    logic [CredW-1:0]     cr_d, cr_q;
    logic [CAddrW-1:0]    oa_d, oa_q;
    logic [4*(CAddrW+RowsW+5)-1:0] mq_d, mq_q;     // tile meta queue: base, rows, cols
    logic [2:0]           mq_n_d, mq_n_q;
    logic [CAddrW-1:0]    mq_base;
    logic [RowsW-1:0]     mq_rows;
    logic [4:0]           mq_cols;
    logic [CAddrW-1:0]    orow_addr;
    logic                 of_last;

    assign nt          = 12'(32'(is_g_q) * NC + C);
    assign is_last_col = (nt == nt_n_q - 12'd1);
    assign rows        = (32'(is_sb_q) * NR + R == 32'(mb_n_q) - 1) ? rows_last_q : RowsW'(BR);
    assign pb          = col_pb[C*QuadBits +: QuadBits];

    // tile descriptor
    assign cred_ok[p] = (32'(cr_q) >= 32'(rows));
    assign pe_tile_valid[p] = run && !is_done_q && is_act[p] && !is_started_q[p] &&
                              par_ok[C] && cred_ok[p];
    assign tile_fire[p] = pe_tile_valid[p] && pe_tile_ready[p];
    assign pe_rows[p*RowsW +: RowsW] = rows;
    assign pe_cols[p*5 +: 5] = is_last_col ? cols_last_q : 5'd16;
    assign pe_k[p*16 +: 16]  = d_k;
    assign pe_gelu_en[p]     = f_gelu;
    assign pe_gim[p*16 +: 16] = d_gim;
    assign pe_gis[p*6 +: 6]   = d_gis;
    assign pe_gom[p*16 +: 16] = d_gom;
    assign pe_gos[p*6 +: 6]   = d_gos;
    assign pe_tau[p*16 +: 16] = {1'b0, d_tau};
    always_comb begin
      for (int j = 0; j < Tile; j++) begin
        pe_bias[(p*Tile + j)*32 +: 32] = f_params ? pb[j*32 +: 32] : 32'd0;
        pe_rq_m[(p*Tile + j)*16 +: 16] = f_params ? pb[2*LineW + j*16 +: 16] : d_rq_m;
        pe_rq_s[(p*Tile + j)*6 +: 6]   = f_params ? pb[3*LineW + j*16 +: 6] : d_rq_s;
      end
    end

    // output: tile meta queue, row addresses, credits
    assign mq_base = mq_q[0 +: CAddrW];
    assign mq_rows = mq_q[CAddrW +: RowsW];
    assign mq_cols = mq_q[CAddrW + RowsW +: 5];
    assign orow_addr = (pe_out_row[p*RowW +: RowW] == '0) ? mq_base : (oa_q + crow);
    assign of_push[p] = pe_out_valid[p];
    assign of_wdata[p*OutEntW +: OutEntW] = {of_last, mq_cols, orow_addr, pe_out_mask[p*Tile +: Tile],
                                            pe_out_y[p*LineW +: LineW]};
    // the tile's last row (the meta queue's entry leaves with it)
    assign of_last = ({1'b0, pe_out_row[p*RowW +: RowW]} == RowsW'(mq_rows - 1'b1));
    always_comb begin
      localparam int unsigned MW = CAddrW + RowsW + 5;
      logic pop_meta;
      cr_d   = cr_q;
      oa_d   = oa_q;
      mq_d   = mq_q;
      mq_n_d = mq_n_q;
      if (tile_fire[p]) begin
        cr_d = cr_d - CredW'(rows);
      end
      if (of_pop[p]) begin
        cr_d = cr_d + 1'b1;
      end
      pop_meta = pe_out_valid[p] && of_last;
      if (pe_out_valid[p]) begin
        oa_d = orow_addr;
      end
      if (pop_meta) begin
        mq_d   = {{MW{1'b0}}, mq_q[4*MW-1:MW]};
        mq_n_d = mq_n_q - 3'd1;
      end
      if (tile_fire[p]) begin
        mq_d[32'(mq_n_d)*MW +: MW] = {(is_last_col ? cols_last_q : 5'd16), rows,
                                      is_cbase_q + CAddrW'(32'(blk_ldc_q) * R) +
                                      CAddrW'(32'(ctile_q) * C)};
        mq_n_d = mq_n_d + 3'd1;
      end
      if (init) begin
        cr_d   = CredW'(OutDepth);
        mq_n_d = '0;
      end
    end

    acceltran_fifo #(
      .Width (OutEntW),
      .Depth (OutDepth)
    ) u_out (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .clr_i   (init),
      .push_i  (of_push[p]),
      .wdata_i (of_wdata[p*OutEntW +: OutEntW]),
      .pop_i   (of_pop[p]),
      .rdata_o (of_head[p*OutEntW +: OutEntW]),
      .count_o (of_cnt[p*OutCntW +: OutCntW])
    );

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cr_q     <= '0;
        oa_q     <= '0;
        mq_q     <= '0;
        mq_n_q   <= '0;
      end else begin
        cr_q     <= cr_d;
        oa_q     <= oa_d;
        mq_q     <= mq_d;
        mq_n_q   <= mq_n_d;
      end
    end
  end

  // ------------------------------------------------------------ top state
  always_comb begin
    state_d  = state_q;
    wr_cnt_d = wr_cnt_q + 32'($countones(act_wr_req_o & act_wr_gnt_i)) +
               32'($countones(wgt_wr_req_o & wgt_wr_gnt_i));
    case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d = StSetup;
        end
      end
      StSetup: begin
        state_d  = StRun;
        wr_cnt_d = '0;
      end
      StRun: begin
        if (wr_cnt_d == lines_n_q) begin
          state_d = StDone;
        end
      end
      default: begin
        state_d = StIdle;
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      wr_cnt_q     <= '0;
      mb_n_q       <= '0;
      sb_n_q       <= '0;
      nt_n_q       <= '0;
      kc_n_q       <= '0;
      g_n_q        <= '0;
      rows_last_q  <= '0;
      cols_last_q  <= '0;
      nq_last_q    <= '0;
      trq_last_q   <= '0;
      last_cm_q    <= '0;
      last_rm_q    <= '0;
      lines_n_q    <= '0;
      blk_ldc_q    <= '0;
      ctile_q      <= '0;
      cgrp_q       <= '0;
      is_sbase_q   <= '0;
      sb_lda_q     <= '0;
      sb_ldc_q     <= '0;
      wstep_q      <= '0;
      is_sb_q      <= '0;
      is_g_q       <= '0;
      is_done_q    <= 1'b1;
      is_started_q <= '0;
      is_cbase_q   <= '0;
      fd_inf_q     <= '0;
      wr_rr_q      <= '0;
      ac_rr_q      <= '0;
      ac_st_q      <= '0;
      ac_pe_q      <= '0;
      ac_y_q       <= '0;
      ac_m_q       <= '0;
      wrr_q        <= '0;
      wr_kind_q    <= '0;
      wr_col_q     <= '0;
    end else begin
      state_q      <= state_d;
      wr_cnt_q     <= wr_cnt_d;
      mb_n_q       <= mb_n_d;
      sb_n_q       <= sb_n_d;
      nt_n_q       <= nt_n_d;
      kc_n_q       <= kc_n_d;
      g_n_q        <= g_n_d;
      rows_last_q  <= rows_last_d;
      cols_last_q  <= cols_last_d;
      nq_last_q    <= nq_last_d;
      trq_last_q   <= trq_last_d;
      last_cm_q    <= last_cm_d;
      last_rm_q    <= last_rm_d;
      lines_n_q    <= lines_n_d;
      blk_ldc_q    <= blk_ldc_d;
      ctile_q      <= ctile_d;
      cgrp_q       <= cgrp_d;
      is_sbase_q   <= is_sbase_d;
      sb_lda_q     <= sb_lda_d;
      sb_ldc_q     <= sb_ldc_d;
      wstep_q      <= wstep_d;
      is_sb_q      <= is_sb_d;
      is_g_q       <= is_g_d;
      is_done_q    <= is_done_d;
      is_started_q <= is_started_d;
      is_cbase_q   <= is_cbase_d;
      fd_inf_q     <= fd_inf_d;
      wr_rr_q      <= wr_rr_d;
      ac_rr_q      <= ac_rr_d;
      ac_st_q      <= ac_st_d;
      ac_pe_q      <= ac_pe_d;
      ac_y_q       <= ac_y_d;
      ac_m_q       <= ac_m_d;
      wrr_q        <= wrr_d;
      wr_kind_q    <= wr_kind_d;
      wr_col_q     <= wr_col_d;
    end
  end

  // ---------------------------------------------------------------- assertions
  // start_i only when idle; desc_i stable until done_o (port comment)
  `AT_ASSERT(GemmStartIdle_A, start_i |-> (state_q == StIdle))
  `AT_ASSERT(GemmDescStable_A, busy_o && $past(busy_o) |-> $stable(desc_i))
  `AT_ASSERT(GemmState_A, state_q inside {StIdle, StSetup, StRun, StDone})
  // the writer writes only while running, to the buffer of C (C_WGT: the
  // weight buffer, never with ACCUM: the checks refuse it)
  `AT_ASSERT(GemmWrRun_A, (|act_wr_req_o) |-> run && !f_cwgt)
  `AT_ASSERT(GemmWgtWrRun_A, (|wgt_wr_req_o) |-> run && f_cwgt && !f_accum)
  // a weight read is a chunk (1..4 quads) or one parameter quad
  `AT_ASSERT(GemmWgtNq_A, wgt_rd_req_o |-> (wgt_rd_nq_o >= 3'd1) && (wgt_rd_nq_o <= 3'd4))
  // the issue step never starts a PE outside it
  `AT_ASSERT(GemmIssueAct_A, (tile_fire & ~is_act) == '0)

  // NumPeRows must divide NumPes (PE (r, c) = r*NC + c)
  if ((NumPes % NumPeRows) != 0 || NumPeRows == 0) begin : g_bad_rows
    $error("acceltran_gemm: NumPeRows must divide NumPes");
  end
  if (NumOutLanes == 0) begin : g_bad_lanes
    $error("acceltran_gemm: NumOutLanes must be at least 1");
  end

endmodule
