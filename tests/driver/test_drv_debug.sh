#!/usr/bin/env bash
# The driver's fault and recovery tests again on the rtl backend's debug
# profile (the device top Verilated with --assert, cosim/rtl/rtl_backend.mk),
# so every RTL assertion (docs/rtl-flow.md "Assertions") watches the fault
# paths: test_drv_recovery (deadlines, a soft reset during a long LOAD, a
# reset that never completes, port failures) and test_drv_faults (SLVERR,
# DECERR, a long stall and a response that never comes, on a descriptor
# fetch, a LOAD beat, a STORE beat and the fence write-back, then recovery).
# rtl only (ACCELTRAN_COSIM_BACKENDS=rtl; the fmodel runs in the plain
# tests). A failing assertion stops the model: the driver sees the device
# fail and the test fails, with "Assertion failed in ..." in its output.
# Each program must show that it ran the debug profile (the backend prints
# its random-init seed). About 30 s on the 2-core machine. Reports a skip
# when this build has no rtl backend.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
pass=0; fail=0; skip=0
for t in test_drv_recovery test_drv_faults; do
    bin=$build/tests/driver/$t
    if [ ! -x "$bin" ]; then
        echo "  $bin: not built" >&2; fail=$((fail + 1)); continue
    fi
    out=$(ACCELTRAN_COSIM_BACKENDS=rtl ACCELTRAN_COSIM_PROFILE=debug "$bin" 2>&1); rc=$?
    line=$(grep -E "^${t#test_}: [0-9]+ passed, 0 failed" <<<"$out" | tail -1)
    if [ $rc -eq 0 ] && grep -qE "^${t#test_}: 0 passed, 0 failed, [1-9]" <<<"$out"; then
        skip=$((skip + 1)); echo "  skipped $t on the debug profile: no rtl backend in this build"
    elif [ $rc -eq 0 ] && [ -n "$line" ] && ! grep -q 'Assertion failed' <<<"$out" &&
       grep -q 'acceltran rtl: random init seed' <<<"$out"; then
        pass=$((pass + 1)); echo "  $t (rtl, debug profile, assertions on): ${line#*: }"
    else
        fail=$((fail + 1)); echo "  $t on the debug profile failed (exit $rc):" >&2
        grep -E 'Assertion failed|%Error|CHECK|FAIL|rtl:' <<<"$out" | head -20 >&2
        tail -5 <<<"$out" >&2
    fi
done
echo "drv_debug: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
