#!/usr/bin/env bash
# The device commands of the acceltran CLI on the simulated device: `info`
# on each configuration's dtb (text and JSON; a dtb of another
# configuration is refused with the mismatching register), `gemm` on small
# shapes with --json checked (ok true, the keys, utilization, compute
# utilization and the roofline consistent with cycles, compute_cycles and
# dram_bytes, the energy estimate's keys: energy_keys.py), on rtl too when
# this build has it, and bad arguments
# exiting 2 with a message.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
cli=$build/bin/acceltran
pass=0; fail=0; skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }

# info on every configuration's dtb
for c in tiny mid edge server; do
    dtb=$build/firmware/$c.dtb
    out=$("$cli" info --dtb "$dtb" 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -q "config     $c" <<<"$out" && grep -q "match the dtb" <<<"$out"; then ok
    else bad "info --dtb $dtb -> rc $rc: $out"; fi
    out=$("$cli" info --config $c --json 2>&1); rc=$?
    if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.loads(sys.argv[1]); c = sys.argv[2]
assert d["ok"] is True and d["config"] == c and d["registers_match"] is True, d
p = d["params"]
assert d["peak_macs_per_cycle"] == p["pes"] * p["lanes"] * p["macs_per_lane"], d
' "$out" $c; then ok; else bad "info --config $c --json -> rc $rc: $out"; fi
done

# a dtb of another configuration on the device: refused, register named
out=$("$cli" info --config tiny --dtb "$build/firmware/edge.dtb" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "register CONFIG_ARRAY" <<<"$out"; then ok; else bad "mismatch -> rc $rc: $out"; fi

# gemm --json on small shapes (fmodel, and rtl when built)
backends="fmodel"
if "$cli" info --backend rtl >/dev/null 2>&1; then backends="fmodel rtl"
else skip=$((skip + 6)); echo "  skipped 6: gemm --backend rtl (5 shapes on tiny, one on mid): the rtl backend is not in this build"; fi
for be in $backends; do
    for args in "16 16 16" "33 17 40" "64 64 64" "--sparsity 0.5 --tau 100 48 80 96" "--seed 9 100 20 7"; do
        out=$("$cli" gemm --backend $be --json $args 2>&1); rc=$?
        if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.loads(sys.argv[1])
for k in ("ok", "cycles", "macs", "peak_macs_per_cycle", "utilization", "checksum"):
    assert k in d, "missing key " + k
assert d["ok"] is True and d["cycles"] > 0 and d["mismatches"] == 0, d
assert d["macs"] == d["m"] * d["n"] * d["k"], d
u = d["macs"] / (d["cycles"] * d["peak_macs_per_cycle"])
assert abs(u - d["utilization"]) < 1e-4, (u, d["utilization"])
assert len(d["checksum"]) == 16, d
# the compute and roofline figures (tiny: 4 x 4 x 16 MACs per cycle, 25600 MB/s at 700 MHz)
for k in ("compute_cycles", "compute_utilization", "dram_bytes", "roofline_cycles", "roofline_ratio"):
    assert k in d, "missing key " + k
peak, bpc = d["peak_macs_per_cycle"], 25600 / 700
assert peak == 256 and abs(d["bytes_per_cycle"] - bpc) < 1e-6, d
assert 0 < d["compute_cycles"] < d["cycles"] and d["dram_bytes"] > 0, d
assert abs(d["compute_utilization"] - d["macs"] / (d["compute_cycles"] * peak)) < 1e-5, d
roof = max(d["macs"] / peak, d["dram_bytes"] / bpc)
assert abs(d["roofline_cycles"] - roof) < 1e-3 * max(1, roof), (d["roofline_cycles"], roof)
assert abs(d["roofline_ratio"] - d["cycles"] / roof) < 1e-5 * d["cycles"] / roof, d
assert d["memory_bound"] is (d["dram_bytes"] / bpc > d["macs"] / peak), d
# the energy estimate: a GEMM spends in the lanes, the sparsity modules, the
# buffers and the DMA, not in the softmax or layer-norm engines
u = d["energy_by_unit"]
assert u["mac_lanes"] > 0 and u["sparsity"] > 0 and u["buffers"] > 0 and u["dma"] > 0, u
assert u["softmax"] == 0 and u["layernorm"] == 0, u
sys.path.insert(0, "tests/e2e")
import energy_keys
energy_keys.check(d, "tiny")
' "$out"; then ok; else bad "gemm --backend $be --json $args -> rc $rc: $out"; fi
    done
done
# gemm --config mid (edge's 16-lane PE on a 2 x 2 array; docs/architecture.md
# "Configurations"): the result matches, the peak is mid's, fmodel and rtl
for be in $backends; do
    out=$("$cli" gemm --backend $be --config mid --json --sparsity 0.5 100 70 130 2>&1); rc=$?
    if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True and d["mismatches"] == 0 and d["config"] == "mid", d
assert d["peak_macs_per_cycle"] == 4 * 16 * 16 and 0 < d["compute_cycles"] < d["cycles"], d
sys.path.insert(0, "tests/e2e")
import energy_keys
energy_keys.check(d, "mid")
' "$out"; then ok; else bad "gemm --backend $be --config mid --json -> rc $rc: $out"; fi
done
# the checksum is stable for a seed (and differs for another seed)
c1=$("$cli" gemm --json --seed 5 32 32 32 | python3 -c 'import json,sys; print(json.load(sys.stdin)["checksum"])')
c2=$("$cli" gemm --json --seed 5 32 32 32 | python3 -c 'import json,sys; print(json.load(sys.stdin)["checksum"])')
c3=$("$cli" gemm --json --seed 6 32 32 32 | python3 -c 'import json,sys; print(json.load(sys.stdin)["checksum"])')
if [ -n "$c1" ] && [ "$c1" = "$c2" ] && [ "$c1" != "$c3" ]; then ok; else bad "checksums $c1 $c2 $c3"; fi
# text output
out=$("$cli" gemm 20 30 40 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "result matches the reference" <<<"$out" && grep -q "^utilization" <<<"$out"; then ok
else bad "gemm text -> rc $rc: $out"; fi

# help
for c in info gemm; do
    "$cli" $c --help | grep -q usage && ok || bad "acceltran $c --help"
done
"$cli" --help | grep -q "gemm M N K" && ok || bad "acceltran --help lists gemm"

# bad arguments: exit 2 and a message
expect_fail() { # code, fragment, command...
    local code=$1 frag=$2; shift 2
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$frag" <<<"$out"; then ok; else bad "$* -> rc $rc (want $code), output: $out"; fi
}
expect_fail 2 "unknown option '--bogus'" "$cli" info --bogus
expect_fail 2 "unknown backend 'tpu'" "$cli" info --backend tpu
expect_fail 2 "unknown configuration 'huge'" "$cli" info --config huge
expect_fail 2 "unexpected argument" "$cli" info extra
expect_fail 2 "M N K required" "$cli" gemm 16 16
expect_fail 2 "too many arguments" "$cli" gemm 16 16 16 16
expect_fail 2 "wants an integer" "$cli" gemm 0 16 16
expect_fail 2 "wants an integer" "$cli" gemm 16 x 16
expect_fail 2 "wants an integer" "$cli" gemm 16 16 70000
expect_fail 2 "wants a number" "$cli" gemm --sparsity 1.5 16 16 16
expect_fail 2 "wants an integer" "$cli" gemm --tau 40000 16 16 16
expect_fail 2 "unknown backend 'gpu'" "$cli" gemm --backend gpu 16 16 16
expect_fail 2 "unknown option '--fast'" "$cli" gemm --fast 16 16 16
expect_fail 2 "unknown configuration" "$cli" gemm --config big 16 16 16
# run failures: exit 1
expect_fail 1 "cannot open" "$cli" info --dtb /nonexistent.dtb
expect_fail 1 "K = 9000" "$cli" gemm 16 16 9000

# --json failures: every subcommand prints one JSON error object on stdout
json_fail() {
    local code=$1; shift
    local o; o=$("$@" 2>/dev/null); local r=$?
    if [ $r -eq "$code" ] && python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is False and d["error"] and d["exit_code"] == int(sys.argv[2]) and d["command"], d
' "$o" "$code"; then ok; else bad "$* -> rc $r (want $code and a JSON error object): $o"; fi
}
json_fail 2 "$cli" tokenize --json --bogus
json_fail 2 "$cli" tokenize --json --max-len
json_fail 1 "$cli" tokenize --json --model-dir /nonexistent "A."
json_fail 2 "$cli" info --json --config
json_fail 1 "$cli" info --json --dtb /nonexistent.dtb
json_fail 2 "$cli" gemm --json --seed
json_fail 2 "$cli" gemm --json 1 2
json_fail 2 "$cli" embed --json --tau
json_fail 1 "$cli" embed --json --backend fmodel --model-dir /nonexistent "A."
json_fail 2 "$cli" nosuchcommand --json
# the wall-clock limit stops a long run with a clear error (fmodel: 1 s is far too little for this)
json_fail 1 "$cli" gemm --json --wall-limit 1 2048 2048 1024
o=$("$cli" gemm --wall-limit 1 2048 2048 1024 2>&1); r=$?
if [ $r -eq 1 ] && grep -q "wall-clock limit of 1 s" <<<"$o"; then ok; else bad "wall limit text -> rc $r: $o"; fi

echo "cli_device: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
