// Row / beat / unit cursor of the row engines (SOFTMAX, LAYERNORM): the
// position of one pointer that walks a command's rows beat by beat, and
// the unit its row runs on (row r on unit r mod NumUnits). The engines
// keep one per pointer (configuration, reads, FIFO consumers, writes); the
// pointers move independently, but each visits the rows in order, so the
// unit follows from the row alone and is carried here instead of a
// division.
module acceltran_row_cursor #(
  parameter int unsigned NumUnits = 2,
  parameter int unsigned RowW     = 16,
  parameter int unsigned BeatW    = 7,
  localparam int unsigned UnitW = (NumUnits > 1) ? $clog2(NumUnits) : 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // a command starts: row 0, beat 0, unit 0 (wins over step_i)
  input  logic             clear_i,
  // the beat at the cursor is done; last_i: it was its row's last beat
  input  logic             step_i,
  input  logic             last_i,
  output logic [RowW-1:0]  row_o,
  output logic [BeatW-1:0] beat_o,
  output logic [UnitW-1:0] unit_o
);

  logic [RowW-1:0]  row_d, row_q;
  logic [BeatW-1:0] beat_d, beat_q;
  logic [UnitW-1:0] unit_d, unit_q;

  always_comb begin
    row_d  = row_q;
    beat_d = beat_q;
    unit_d = unit_q;
    if (step_i) begin
      beat_d = beat_q + 1'b1;
      if (last_i) begin
        beat_d = '0;
        row_d  = row_q + 1'b1;
        unit_d = (32'(unit_q) == NumUnits - 1) ? '0 : unit_q + 1'b1;
      end
    end
    if (clear_i) begin
      row_d  = '0;
      beat_d = '0;
      unit_d = '0;
    end
  end

  assign row_o  = row_q;
  assign beat_o = beat_q;
  assign unit_o = unit_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      row_q  <= '0;
      beat_q <= '0;
      unit_q <= '0;
    end else begin
      row_q  <= row_d;
      beat_q <= beat_d;
      unit_q <= unit_d;
    end
  end

endmodule
