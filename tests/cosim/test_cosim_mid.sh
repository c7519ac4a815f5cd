#!/usr/bin/env bash
# The cross-backend cosim tests again on the mid configuration
# (docs/architecture.md "Configurations": edge's 16-lane PE on a 2 x 2
# array, 4 activation banks, 2 writer lanes), through
# ACCELTRAN_COSIM_CONFIG=mid (tests/cosim/cosim_util.h): GEMM jobs up to
# 512^3 (memory, exact counters, GEMM_BUSY and DMA_ONLY within 5 % of the
# rtl on 512^3), SOFTMAX / LAYERNORM on the row units, the error cases, the
# ring-head protocol, stall and resume, W beats under an abort. Each
# program compares the fmodel and the Verilated mid top (fast profile) with
# its C reference and with each other. A program that cannot run the rtl
# backend on mid (the sanitizer build has none) reports skips, and so does
# this script: it counts a program as passed only when it skipped nothing.
# About 6 s.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
pass=0; fail=0; skip=0
for t in test_cosim_gemm test_cosim_smx_ln test_cosim_errors test_cosim_ring_head test_cosim_stall_resume test_cosim_abort_w; do
    bin=$build/tests/cosim/$t
    if [ ! -x "$bin" ]; then
        echo "  $bin: not built" >&2; fail=$((fail + 1)); continue
    fi
    out=$(ACCELTRAN_COSIM_CONFIG=mid "$bin" 2>&1); rc=$?
    line=$(grep -E "^[A-Za-z0-9_]+: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -1)
    p=$(sed -nE 's/.*: ([0-9]+) passed.*/\1/p' <<<"$line"); f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
    s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
    if [ $rc -eq 0 ] && [ -n "$line" ] && [ "${f:-1}" -eq 0 ] && [ "${s:-0}" -eq 0 ] && [ "${p:-0}" -gt 0 ]; then
        pass=$((pass + 1)); echo "  $t on mid: ${line#*: }"
    elif [ $rc -eq 0 ] && [ -n "$line" ] && [ "${f:-1}" -eq 0 ]; then
        skip=$((skip + 1)); echo "  skipped $t on mid: ${line#*: }"; grep -E '^ *skipped' <<<"$out" | head -3
    else
        fail=$((fail + 1)); echo "  $t on mid failed (exit $rc):" >&2
        grep -E 'CHECK|FAIL|rtl:|Error' <<<"$out" | head -20 >&2
        tail -5 <<<"$out" >&2
    fi
done
echo "cosim_mid: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
