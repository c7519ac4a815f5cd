// Memory-window check (docs/isa.md, "Memory"): hit_o = 1 when the byte
// range [lo_i, hi_i) lies inside one open window (size != 0). Used for the
// descriptor fetch address (acceltran_cmdproc) and for the LOAD / STORE
// memory range and the FENCE write address (acceltran_desc_check).
//
// hi_i is the exclusive end in 65 bits (lo + length cannot overflow); an
// end that reaches 2^64 (hi_i[64] set) wraps and lies in no window, as
// at_exec_mem_range's wraps flag. Window ends are 65-bit sums, so a window
// reaching 2^64 needs no special case.
module acceltran_win_check #(
  parameter int unsigned NumWindows = acceltran_pkg::NumWindows
) (
  input  logic [63:0]               lo_i,
  input  logic [64:0]               hi_i,
  input  logic [NumWindows*64-1:0]  win_base_i,  // window i at [i*64 +: 64]
  input  logic [NumWindows*64-1:0]  win_size_i,  // 0: closed
  output logic                      hit_o
);

  always_comb begin
    hit_o = 1'b0;
    for (int i = 0; i < NumWindows; i++) begin
      if ((win_size_i[i*64 +: 64] != 64'd0) && (lo_i >= win_base_i[i*64 +: 64]) && !hi_i[64] &&
          (hi_i <= ({1'b0, win_base_i[i*64 +: 64]} + {1'b0, win_size_i[i*64 +: 64]}))) begin
        hit_o = 1'b1;
      end
    end
  end

endmodule
