// The PE array: NumPes independent PEs (acceltran_pe), each computing its
// own output blocks (16x16 tiles; BlockRows x 16 when NumLanes > 16). Ports are the PE's ports flattened per PE (PE p at
// [p*W +: W]; Yosys 0.23 takes no multi-dimensional ports); counters are
// summed over the PEs.
//
// Tile distribution (done by the device's scheduler, docs/rtl-pe.md): the
// output tiles of one GEMM are spread over the PEs, tile t = (mt, nt) to PE
// t mod NumPes in row-major tile order, so PEs that hold the same column
// tile nt can be fed the same weight stream (broadcast) and each PE reads
// its own activation rows. Nothing here forces that: every PE has its own
// descriptor, weight and activation ports.
// Lint in tiny and edge only: the server array (512 PEs) runs Verilator
// out of memory (docs/rtl-flow.md).
// rtl-lint-configs: tiny edge
module acceltran_pe_array #(
  parameter int unsigned NumPes   = acceltran_pkg::NumPes,
  parameter int unsigned NumLanes = acceltran_pkg::NumLanes,
  parameter int unsigned CntW     = 48,
  parameter int unsigned WgtRows  = acceltran_pkg::WgtRowsPerBeat,
  localparam int unsigned Tile = acceltran_pkg::TileSize,
  localparam int unsigned Macs = acceltran_pkg::MacsPerLane,
  localparam int unsigned AccW = 48,
  localparam int unsigned BlockRows = (NumLanes > Tile) ? NumLanes : Tile,
  localparam int unsigned RowsW = $clog2(BlockRows + 1),  // the PE's tile_rows_i
  localparam int unsigned RowW = $clog2(BlockRows),       // the PE's acc_row_o / out_row_o
  localparam int unsigned SumW = CntW
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic [NumPes-1:0]                   tile_valid_i,
  output logic [NumPes-1:0]                   tile_ready_o,
  input  logic [NumPes*RowsW-1:0]             tile_rows_i,
  input  logic [NumPes*5-1:0]                 tile_cols_i,
  input  logic [NumPes*16-1:0]                tile_k_i,
  input  logic [NumPes*Macs*32-1:0]           bias_i,
  input  logic [NumPes*Macs*16-1:0]           rq_m_i,
  input  logic [NumPes*Macs*6-1:0]            rq_s_i,
  input  logic [NumPes-1:0]                   gelu_en_i,
  input  logic [NumPes*16-1:0]                gelu_in_m_i,
  input  logic [NumPes*6-1:0]                 gelu_in_s_i,
  input  logic [NumPes*16-1:0]                gelu_out_m_i,
  input  logic [NumPes*6-1:0]                 gelu_out_s_i,
  input  logic [NumPes*16-1:0]                tau_i,
  input  logic [NumPes-1:0]                   wgt_valid_i,
  output logic [NumPes-1:0]                   wgt_ready_o,
  input  logic [NumPes*WgtRows*Macs*16-1:0]   wgt_i,
  input  logic [NumPes*NumLanes-1:0]          act_valid_i,
  output logic [NumPes*NumLanes-1:0]          act_ready_o,
  input  logic [NumPes*NumLanes*Tile*16-1:0]  act_i,
  input  logic [NumPes*NumLanes*Tile-1:0]     act_mask_i,
  output logic [NumPes-1:0]                   acc_valid_o,
  output logic [NumPes*RowW-1:0]              acc_row_o,
  output logic [NumPes*Macs*AccW-1:0]         acc_o,
  output logic [NumPes-1:0]                   out_valid_o,
  output logic [NumPes*RowW-1:0]              out_row_o,
  output logic [NumPes*Macs*16-1:0]           out_y_o,
  output logic [NumPes*Macs-1:0]              out_mask_o,
  output logic [NumPes*5-1:0]                 out_pruned_o,
  output logic [NumPes-1:0]                   busy_o,
  // sums over the PEs
  output logic [SumW-1:0]                     cnt_busy_o,
  output logic [SumW-1:0]                     cnt_stall_wgt_o,
  output logic [SumW-1:0]                     cnt_stall_act_o,
  output logic [SumW-1:0]                     cnt_mac_issued_o,
  output logic [SumW-1:0]                     cnt_mac_skipped_o,
  output logic [SumW-1:0]                     cnt_pruned_o
);

  logic [NumPes*CntW-1:0] c_busy, c_swgt, c_sact, c_mac, c_skip, c_prun;

  for (genvar p = 0; p < NumPes; p++) begin : g_pe
    acceltran_pe #(
      .NumLanes (NumLanes),
      .CntW     (CntW),
      .WgtRows  (WgtRows)
    ) u_pe (
      .clk_i             (clk_i),
      .rst_ni            (rst_ni),
      .tile_valid_i      (tile_valid_i[p]),
      .tile_ready_o      (tile_ready_o[p]),
      .tile_rows_i       (tile_rows_i[p*RowsW +: RowsW]),
      .tile_cols_i       (tile_cols_i[p*5 +: 5]),
      .tile_k_i          (tile_k_i[p*16 +: 16]),
      .bias_i            (bias_i[p*Macs*32 +: Macs*32]),
      .rq_m_i            (rq_m_i[p*Macs*16 +: Macs*16]),
      .rq_s_i            (rq_s_i[p*Macs*6 +: Macs*6]),
      .gelu_en_i         (gelu_en_i[p]),
      .gelu_in_m_i       (gelu_in_m_i[p*16 +: 16]),
      .gelu_in_s_i       (gelu_in_s_i[p*6 +: 6]),
      .gelu_out_m_i      (gelu_out_m_i[p*16 +: 16]),
      .gelu_out_s_i      (gelu_out_s_i[p*6 +: 6]),
      .tau_i             (tau_i[p*16 +: 16]),
      .wgt_valid_i       (wgt_valid_i[p]),
      .wgt_ready_o       (wgt_ready_o[p]),
      .wgt_i             (wgt_i[p*WgtRows*Macs*16 +: WgtRows*Macs*16]),
      .act_valid_i       (act_valid_i[p*NumLanes +: NumLanes]),
      .act_ready_o       (act_ready_o[p*NumLanes +: NumLanes]),
      .act_i             (act_i[p*NumLanes*Tile*16 +: NumLanes*Tile*16]),
      .act_mask_i        (act_mask_i[p*NumLanes*Tile +: NumLanes*Tile]),
      .acc_valid_o       (acc_valid_o[p]),
      .acc_row_o         (acc_row_o[p*RowW +: RowW]),
      .acc_o             (acc_o[p*Macs*AccW +: Macs*AccW]),
      .out_valid_o       (out_valid_o[p]),
      .out_row_o         (out_row_o[p*RowW +: RowW]),
      .out_y_o           (out_y_o[p*Macs*16 +: Macs*16]),
      .out_mask_o        (out_mask_o[p*Macs +: Macs]),
      .out_pruned_o      (out_pruned_o[p*5 +: 5]),
      .busy_o            (busy_o[p]),
      .cnt_busy_o        (c_busy[p*CntW +: CntW]),
      .cnt_stall_wgt_o   (c_swgt[p*CntW +: CntW]),
      .cnt_stall_act_o   (c_sact[p*CntW +: CntW]),
      .cnt_mac_issued_o  (c_mac[p*CntW +: CntW]),
      .cnt_mac_skipped_o (c_skip[p*CntW +: CntW]),
      .cnt_pruned_o      (c_prun[p*CntW +: CntW])
    );
  end

  // Counter sums (wrap at SumW bits like the PE counters).
  always_comb begin
    cnt_busy_o        = '0;
    cnt_stall_wgt_o   = '0;
    cnt_stall_act_o   = '0;
    cnt_mac_issued_o  = '0;
    cnt_mac_skipped_o = '0;
    cnt_pruned_o      = '0;
    for (int p = 0; p < NumPes; p++) begin
      cnt_busy_o        = cnt_busy_o        + c_busy[p*CntW +: CntW];
      cnt_stall_wgt_o   = cnt_stall_wgt_o   + c_swgt[p*CntW +: CntW];
      cnt_stall_act_o   = cnt_stall_act_o   + c_sact[p*CntW +: CntW];
      cnt_mac_issued_o  = cnt_mac_issued_o  + c_mac[p*CntW +: CntW];
      cnt_mac_skipped_o = cnt_mac_skipped_o + c_skip[p*CntW +: CntW];
      cnt_pruned_o      = cnt_pruned_o      + c_prun[p*CntW +: CntW];
    end
  end

endmodule
