// Assertion macros of the RTL (docs/rtl-flow.md "Assertions"), in the
// manner of lowRISC's prim_assert: a concurrent SVA assertion clocked on
// the rising edge and disabled during reset. They expand to nothing for
// synthesis (Yosys defines SYNTHESIS); Verilator parses them always (so
// `make lint` checks them) and runs them only in models built with
// --assert (the rtl unit tests, the cosim debug profile). A failing
// assertion calls $error: the Verilated model stops ($stop: the process
// aborts unless the VerilatedContext has fatalOnError(false), which the
// cosim rtl backend sets and then reports as a device failure).
//
//   `AT_ASSERT(Name_A, prop)                  clocked by clk_i, reset rst_ni
//   `AT_ASSERT(Name_A, prop, clk, rst_n)      other clock / active-low reset
//   `AT_ASSERT_HOLD(Name_A, valid, ready, payload)
//       valid/ready handshake rule (AXI): once valid is high without ready,
//       valid stays high and payload stays stable the next cycle.
// Names end in _A (lowRISC convention) and are unique in their scope.
`ifndef ACCELTRAN_ASSERT_SVH
`define ACCELTRAN_ASSERT_SVH

`ifndef SYNTHESIS

`define AT_ASSERT(name, prop, clk = clk_i, rst_n = rst_ni) \
  name: assert property (@(posedge clk) disable iff (!(rst_n)) (prop)) \
    else $error("assertion %m failed");

`define AT_ASSERT_HOLD(name, valid, ready, payload, clk = clk_i, rst_n = rst_ni) \
  `AT_ASSERT(name, (valid) && !(ready) |=> (valid) && $stable(payload), clk, rst_n)

`else  // SYNTHESIS

`define AT_ASSERT(name, prop, clk = clk_i, rst_n = rst_ni)
`define AT_ASSERT_HOLD(name, valid, ready, payload, clk = clk_i, rst_n = rst_ni)

`endif  // SYNTHESIS

`endif  // ACCELTRAN_ASSERT_SVH
