#!/usr/bin/env bash
# The cosim workloads again on the rtl backend's debug profile, the model
# Verilated with --assert (cosim/rtl/rtl_backend.mk): every assertion of
# the RTL (docs/rtl-flow.md "Assertions") checks the device top while it
# runs GEMMs up to 512^3 with DynaTran, SOFTMAX and LAYERNORM, the error
# cases (bus errors on LOAD / STORE / FENCE / fetch, bad descriptors, soft
# reset), the ring-head protocol and W beats under an abort
# (test_cosim_abort_w: soft reset and bus errors during a STORE), on tiny
# and on mid (ACCELTRAN_COSIM_CONFIG: edge's 16-lane PE on a 2 x 2 array,
# two feeders over 4 activation banks, 2 writer lanes: the assertions on
# the bank arbiters, the writer lanes and the weight slots see their
# contention). A failing assertion stops the model: the backend reports
# "the RTL stopped" and the test program fails; the assertion's name is in
# its output ("Assertion failed in ..."). Each program must also show that
# it ran the debug profile (the backend prints its random-init seed).
# About 25 s.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
pass=0; fail=0
for cfg in tiny mid; do
for t in test_cosim_gemm test_cosim_smx_ln test_cosim_errors test_cosim_ring_head test_cosim_abort_w; do
    bin=$build/tests/cosim/$t
    if [ ! -x "$bin" ]; then
        echo "  $bin: not built" >&2; fail=$((fail + 1)); continue
    fi
    out=$(ACCELTRAN_COSIM_CONFIG=$cfg ACCELTRAN_COSIM_PROFILE=debug "$bin" 2>&1); rc=$?
    line=$(grep -E "^$t: [0-9]+ passed, 0 failed" <<<"$out" | tail -1)
    if [ $rc -eq 0 ] && [ -n "$line" ] && ! grep -q 'Assertion failed' <<<"$out" &&
       grep -q 'acceltran rtl: random init seed' <<<"$out"; then
        pass=$((pass + 1)); echo "  $t on $cfg (debug profile, assertions on): ${line#*: }"
    else
        fail=$((fail + 1)); echo "  $t on $cfg, debug profile, failed (exit $rc):" >&2
        grep -E 'Assertion failed|%Error|CHECK|FAIL|rtl:' <<<"$out" | head -20 >&2
        tail -5 <<<"$out" >&2
    fi
done
done
echo "cosim_debug: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
