# RTL rules (lint, synth, Verilated unit models); included by the Makefile.
RTL_TEST_BINS :=
lint:
	@echo "lint: no RTL yet"
synth:
	@echo "synth: no RTL yet"
