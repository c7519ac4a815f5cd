# The rtl backend of the cosim library, included by the Makefile (before
# rtl/rtl.mk, so nothing of rtl.mk is used at parse time here).
#
# For each configuration in COSIM_RTL_CONFIGS (default: tiny and mid) and
# each of its profiles (COSIM_RTL_PROFILES_<config>, default both),
# acceltran_top is Verilated into
#   $(BUILD)/verilator/top/<profile>/<config>/  --prefix Vacceltran_top_<config>_<profile>
#     fast:  -O3 --x-assign fast --x-initial fast, no trace (C++ -O2)
#     debug: --assert --trace-fst --x-assign unique --x-initial unique
#            (--trace-fst only where RTLB_TRACE_<config>_debug is 1: tiny's
#            debug model traces; mid's does not, which saves about a minute
#            of build in make test, and at_cosim_trace refuses it)
# and linked, with the shim (cosim_rtl.cpp), one factory object per model
# (cosim_rtl_model.cpp), the AXI4 slave model (axi_mem_slave.c), the FST
# writer (libverilated_fst.a, needs zlib) and rtl.mk's libverilated.a,
# into every program through COSIM_RTL_LINK.
#
# Until rtl/acceltran_top.sv exists, nothing here is defined and the rtl
# backend is unavailable (COSIM_RTL_LINK stays empty).

COSIM_RTL_CONFIGS ?= tiny mid
COSIM_RTL_PROFILES := fast debug
# mid (docs/architecture.md "Configurations"): both profiles; its debug
# model runs the short cosim tests with the assertions on
# (tests/cosim/test_cosim_debug.sh).
COSIM_RTL_PROFILES_tiny ?= fast debug
COSIM_RTL_PROFILES_mid  ?= fast debug

ifneq ($(wildcard rtl/acceltran_top.sv),)

RTLB            := $(BUILD)/verilator/top
RTLB_VROOT      := $(shell verilator --getenv VERILATOR_ROOT 2>/dev/null)
RTLB_VLIB       := $(BUILD)/verilator/libverilated.a
RTLB_RTL_SRCS   := $(wildcard rtl/*.sv) $(wildcard rtl/*.svh) $(wildcard cosim/rtl/*.vlt)
RTLB_CXXFLAGS   := -std=c++17 -O2 -g -Wall -Wextra -Icosim/rtl -Icosim -Iinclude \
                   -isystem $(RTLB_VROOT)/include -isystem $(RTLB_VROOT)/include/vltstd
RTLB_VFLAGS_fast  := -O3 --x-assign fast --x-initial fast
RTLB_VFLAGS_debug := --assert --x-assign unique --x-initial unique
# C++ optimisation of the generated model (Verilator's default is -Os):
# -O2 simulates ~1.3x faster for the fast profile; debug keeps the default.
RTLB_MAKEFLAGS_fast  := -s OPT_FAST=-O2
RTLB_MAKEFLAGS_debug := -s
RTLB_TRACE_fast   := 0
RTLB_TRACE_debug  := 1
# Per (config, profile) override: mid's debug model runs the short cosim
# tests with assertions on (test_cosim_debug.sh) and needs no waveforms;
# tracing stays on tiny (test_cosim_trace.c). RTLB_TRACE_mid_debug=1 to trace mid.
RTLB_TRACE_mid_debug ?= 0
RTLB_TRACE_OF = $(or $(RTLB_TRACE_$(1)_$(2)),$(RTLB_TRACE_$(2)))

# model archive of (config, profile)
RTLB_MODEL = $(RTLB)/$(2)/$(1)/Vacceltran_top_$(1)_$(2)__ALL.a
RTLB_PAIRS := $(foreach c,$(COSIM_RTL_CONFIGS),$(foreach p,$(or $(COSIM_RTL_PROFILES_$(c)),$(COSIM_RTL_PROFILES)),$(c):$(p)))

# MAKEFLAGS= on the Verilator line: its --build runs a make -j 2 of its own,
# which must not look for the parent's jobserver (it is not passed down).
define RTLB_MODEL_RULE
$(call RTLB_MODEL,$(1),$(2)): $(RTLB_RTL_SRCS) cosim/rtl/rtl_backend.mk
	@mkdir -p $$(@D)
	@echo "verilator: acceltran_top ($(1), $(2))"
	MAKEFLAGS= verilator --cc $(RTLB_VFLAGS_$(2)) $(if $(filter 1,$(call RTLB_TRACE_OF,$(1),$(2))),--trace-fst) -Wno-fatal -Wno-lint -Wno-style --no-timing \
	  -DACCELTRAN_CONFIG_$(shell echo $(1) | tr a-z A-Z) --top-module acceltran_top --Mdir $$(@D) \
	  --prefix Vacceltran_top_$(1)_$(2) --build -j 2 -MAKEFLAGS "$(RTLB_MAKEFLAGS_$(2))" -y rtl \
	  rtl/acceltran_pkg.sv $(wildcard cosim/rtl/*.vlt) rtl/acceltran_top.sv >$$(@D)/verilator.log 2>&1 || \
	  { tail -40 $$(@D)/verilator.log; exit 1; }
	@touch $$@

$(RTLB)/$(2)/$(1)/model.o: cosim/rtl/cosim_rtl_model.cpp cosim/rtl/rtl_model.hpp cosim/rtl/axi_mem_slave.h $(call RTLB_MODEL,$(1),$(2))
	$(CXX) $(RTLB_CXXFLAGS) -isystem $$(@D) -DAT_RTL_CLASS=Vacceltran_top_$(1)_$(2) \
	  -DAT_RTL_TRACE=$(call RTLB_TRACE_OF,$(1),$(2)) -DAT_RTL_FACTORY=at_rtl_model_$(1)_$(2) -c $$< -o $$@
endef
$(foreach pr,$(RTLB_PAIRS),$(eval $(call RTLB_MODEL_RULE,$(word 1,$(subst :, ,$(pr))),$(word 2,$(subst :, ,$(pr))))))

RTLB_MODEL_ARS  := $(foreach pr,$(RTLB_PAIRS),$(call RTLB_MODEL,$(word 1,$(subst :, ,$(pr))),$(word 2,$(subst :, ,$(pr)))))
RTLB_MODEL_OBJS := $(foreach pr,$(RTLB_PAIRS),$(RTLB)/$(word 2,$(subst :, ,$(pr)))/$(word 1,$(subst :, ,$(pr)))/model.o)
RTLB_MODEL_LIST := $(foreach pr,$(RTLB_PAIRS),X($(word 1,$(subst :, ,$(pr))),$(word 2,$(subst :, ,$(pr)))))

# The list of models for cosim_rtl.cpp; rewritten only when it changes.
$(RTLB)/at_rtl_models.h: FORCE_RTLB
	@mkdir -p $(@D)
	@echo '#define AT_RTL_MODELS $(RTLB_MODEL_LIST)' | cmp -s - $@ || \
	  echo '#define AT_RTL_MODELS $(RTLB_MODEL_LIST)' > $@
.PHONY: FORCE_RTLB

$(RTLB)/cosim_rtl.o: cosim/rtl/cosim_rtl.cpp $(RTLB)/at_rtl_models.h
	@mkdir -p $(@D)
	$(CXX) $(RTLB_CXXFLAGS) -I$(RTLB) -MMD -MP -c $< -o $@

$(RTLB)/axi_mem_slave.o: cosim/rtl/axi_mem_slave.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# Members are pulled only when referenced: a test that compiles
# axi_mem_slave.c itself keeps its own copy.
$(RTLB)/libcosim_rtl.a: $(RTLB)/axi_mem_slave.o $(RTLB_MODEL_OBJS)
	rm -f $@ && ar rcs $@ $^

# The FST writer (verilated_fst_c.cpp includes the gtkwave sources; zlib).
$(RTLB)/libverilated_fst.a: $(RTLB_VROOT)/include/verilated_fst_c.cpp
	@mkdir -p $(@D)/rt
	$(CXX) -std=c++17 -O2 -w -I$(RTLB_VROOT)/include -I$(RTLB_VROOT)/include/vltstd -DVM_TRACE=1 -DVM_TRACE_FST=1 \
	  -c $< -o $(@D)/rt/verilated_fst_c.o
	rm -f $@ && ar rcs $@ $(@D)/rt/verilated_fst_c.o

COSIM_RTL_LINK := $(RTLB)/cosim_rtl.o $(RTLB)/libcosim_rtl.a $(RTLB_MODEL_ARS) $(RTLB)/libverilated_fst.a $(RTLB_VLIB)
LDLIBS += -lz

# Only the Verilated models: make rtl-models
.PHONY: rtl-models
rtl-models: $(COSIM_RTL_LINK)

endif
