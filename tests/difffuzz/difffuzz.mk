# The differential descriptor fuzzer (tests/difffuzz/, docs/results/difffuzz.md),
# included by the Makefile after the rtl backend (COSIM_RTL_LINK) is known.
#
#   $(BUILD)/bin/difffuzz                 the fuzzer (modes fmodel and diff)
#   $(BUILD)/tests/difffuzz/test_difffuzz the short deterministic test `make test` runs
#                                         (the generic test rules build it plain and
#                                         under ASan/UBSan; here it gets gen.o and dfz.o)
#   make fuzz-diff                        the full budgets: DIFFFUZZ_FMODEL_DESCS
#                                         descriptors on fmodel, DIFFFUZZ_DIFF_DESCS on both

DFZ_SRCS    := tests/difffuzz/gen.c tests/difffuzz/dfz.c
DFZ_OBJS    := $(DFZ_SRCS:%.c=$(OBJ)/%.o)
DFZ_SANOBJS := $(DFZ_SRCS:%.c=$(SANOBJ)/%.o)
DFZ_BIN     := $(BUILD)/bin/difffuzz
DFZ_TEST    := $(BUILD)/tests/difffuzz/test_difffuzz

DIFFFUZZ_SEED         ?= $(shell date +%s)
DIFFFUZZ_FMODEL_DESCS ?= 100000
DIFFFUZZ_DIFF_DESCS   ?= 1000
# more injected bus faults in the short diff run, so that it meets some
DIFFFUZZ_DIFF_ARGS    ?= --fault-pct 25

$(DFZ_BIN): $(OBJ)/tests/difffuzz/difffuzz.o $(DFZ_OBJS) $(LIB) $(COSIM_RTL_LINK)
	@mkdir -p $(@D)
	$(LINK_RTL) $(CFLAGS) -o $@ $< $(DFZ_OBJS) $(COSIM_RTL_LINK) $(LIB) $(LDLIBS)

$(DFZ_TEST): $(OBJ)/tests/difffuzz/test_difffuzz.o $(DFZ_OBJS) $(LIB) $(COSIM_RTL_LINK)
	@mkdir -p $(@D)
	$(LINK_RTL) $(CFLAGS) -o $@ $< $(DFZ_OBJS) $(COSIM_RTL_LINK) $(LIB) $(LDLIBS)

$(BUILD)/asan/tests/difffuzz/test_difffuzz: $(SANOBJ)/tests/difffuzz/test_difffuzz.o $(DFZ_SANOBJS) $(SANLIB)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -pthread -o $@ $< $(DFZ_SANOBJS) $(SANLIB) $(LDLIBS)

tests: $(DFZ_BIN)

.PHONY: fuzz-diff
fuzz-diff: $(DFZ_BIN)
	@echo "== difffuzz --mode fmodel ($(DIFFFUZZ_FMODEL_DESCS) descriptors)"
	@$(DFZ_BIN) --mode fmodel --seed $(DIFFFUZZ_SEED) --descs $(DIFFFUZZ_FMODEL_DESCS) --repro-dir $(BUILD)/difffuzz
	@echo "== difffuzz --mode diff ($(DIFFFUZZ_DIFF_DESCS) descriptors on fmodel and rtl)"
	@$(DFZ_BIN) --mode diff --seed $(DIFFFUZZ_SEED) --descs $(DIFFFUZZ_DIFF_DESCS) $(DIFFFUZZ_DIFF_ARGS) --repro-dir $(BUILD)/difffuzz
