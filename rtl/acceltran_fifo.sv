// Small synchronous FIFO (GEMM activation lanes and per-PE outputs, the
// client-routing FIFOs of the AXI arbiters). Head read combinationally,
// synchronous clear; any Depth >= 1. A push into a full FIFO is taken
// only when a pop frees the slot in the same cycle; a pop from an empty
// one is ignored (the users check count_o first). Both are protocol
// errors of the user: the logic ignores them (defined for synthesis) and
// the assertions FifoNoOverflow_A / FifoNoUnderflow_A fire in simulation
// (models built with --assert; docs/rtl-flow.md "Assertions").
`include "acceltran_assert.svh"

module acceltran_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4,
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clr_i,
  input  logic             push_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             pop_i,
  output logic [Width-1:0] rdata_o,
  output logic [CntW-1:0]  count_o
);

  // Storage is an array written in place and not reset: entries are read
  // only below count_o, and a plain array lets synthesis see a small
  // register file / memory instead of a Depth*Width-bit vector rewritten
  // through a variable part-select (which Yosys expands into wide shifters).
  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  wp_d, wp_q, rp_d, rp_q;
  logic [CntW-1:0]  cnt_d, cnt_q;
  logic             do_push, do_pop;

  function automatic logic [PtrW-1:0] inc(input logic [PtrW-1:0] v);
    inc = (32'(v) == Depth - 1) ? '0 : v + 1'b1;
  endfunction

  always_comb begin
    wp_d    = wp_q;
    rp_d    = rp_q;
    cnt_d   = cnt_q;
    do_pop  = pop_i && (cnt_q != '0);
    do_push = push_i && ((32'(cnt_q) < Depth) || do_pop);
    if (do_push) begin
      wp_d = inc(wp_q);
    end
    if (do_pop) begin
      rp_d = inc(rp_q);
    end
    if (do_push && !do_pop) begin
      cnt_d = cnt_q + 1'b1;
    end else if (do_pop && !do_push) begin
      cnt_d = cnt_q - 1'b1;
    end
    if (clr_i) begin
      wp_d  = '0;
      rp_d  = '0;
      cnt_d = '0;
    end
  end

  assign rdata_o = mem_q[rp_q];
  assign count_o = cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wp_q  <= '0;
      rp_q  <= '0;
      cnt_q <= '0;
    end else begin
      wp_q  <= wp_d;
      rp_q  <= rp_d;
      cnt_q <= cnt_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (do_push) begin
      mem_q[wp_q] <= wdata_i;
    end
  end

  // ---------------------------------------------------------------- assertions
  // no push into a full FIFO unless a pop frees the slot in the same cycle
  `AT_ASSERT(FifoNoOverflow_A, push_i && !clr_i && (32'(cnt_q) == Depth) |-> pop_i)
  // no pop from an empty FIFO
  `AT_ASSERT(FifoNoUnderflow_A, pop_i && !clr_i |-> (cnt_q != '0))
  // the count and the pointers agree and stay in range
  `AT_ASSERT(FifoCountRange_A, (32'(cnt_q) <= Depth) && (32'(wp_q) < Depth) && (32'(rp_q) < Depth))
  `AT_ASSERT(FifoPtrs_A, 32'(wp_q) == (32'(rp_q) + 32'(cnt_q)) % Depth)

endmodule
