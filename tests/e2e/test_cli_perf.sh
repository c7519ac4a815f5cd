#!/usr/bin/env bash
# `acceltran perf` on the fmodel: a synthetic BERT-tiny (batch 2 x 32 tokens
# on edge) with --json: every key, cycles_by_unit summing to cycles, the
# roofline, utilization, time and throughput following from the other keys
# and the configuration, the row counters equal to the model's rows, the
# energy estimate's keys (energy_keys.py; every unit spends); the
# same with --exclude-weight-load (weights_loaded false, fewer cycles and
# bytes, the same MACs); all-MiniLM-L6-v2 with its real weights (skipped
# without the model); the text output; bad arguments exiting 2 and a run
# failure exiting 1, each with the CLI's JSON error object.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
cli=$build/bin/acceltran
pass=0; fail=0; skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }

check_json() { # json, exclude (0/1), model, batch, seq; prints nothing on success
    python3 - "$@" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); excl = sys.argv[2] == "1"
model, batch, seq = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
keys = ("cycles", "cycles_by_unit", "utilization", "device_seconds", "sequences_per_second", "dram_bytes", "macs",
        "mac_skipped", "weights_loaded", "compute_cycles", "compute_utilization", "roofline_cycles", "roofline_ratio",
        "peak_macs_per_cycle", "bytes_per_cycle", "clock_mhz", "useful_macs", "smx_rows", "ln_rows", "resident",
        "kv_weights")
for k in keys:
    assert k in d, "missing key " + k
assert d["ok"] is True and d["model"] == model and d["batch"] == batch and d["seq"] == seq, d
assert d["config"] == "edge" and d["backend"] == "fmodel", d
# on edge these runs are resident, with K and V straight into the weight scratchpad
assert d["resident"] is True and d["kv_weights"] is True, d
u = d["cycles_by_unit"]
assert sorted(u) == ["dma", "gemm", "idle", "layernorm", "softmax"], u
assert all(isinstance(v, int) and v >= 0 for v in u.values()), u
assert sum(u.values()) == d["cycles"], (u, d["cycles"])
assert u["gemm"] == d["compute_cycles"] > 0 and u["softmax"] > 0 and u["layernorm"] > 0, u
# the configuration: edge, 64 x 16 x 16 MACs per cycle, 25600 MB/s at 700 MHz
peak, bpc = 64 * 16 * 16, 25600 / 700
assert d["peak_macs_per_cycle"] == peak and abs(d["bytes_per_cycle"] - bpc) < 1e-6 and d["clock_mhz"] == 700, d
def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))
roof = max(d["macs"] / peak, d["dram_bytes"] / bpc)
assert close(d["roofline_cycles"], roof), (d["roofline_cycles"], roof)
assert close(d["roofline_ratio"], d["cycles"] / roof), d["roofline_ratio"]
assert close(d["compute_utilization"], d["macs"] / (d["compute_cycles"] * peak)), d["compute_utilization"]
assert close(d["utilization"], d["useful_macs"] / (d["cycles"] * peak)), d["utilization"]
assert close(d["device_seconds"], d["cycles"] / 700e6), d["device_seconds"]
assert close(d["sequences_per_second"], batch / d["device_seconds"]), d["sequences_per_second"]
assert d["macs"] >= d["useful_macs"] > 0 and 0 <= d["mac_skipped"] <= d["macs"], d
assert d["weights_loaded"] is (not excl), d["weights_loaded"]
T = batch * seq
assert d["smx_rows"] == d["layers"] * d["heads"] * T, (d["smx_rows"], d["layers"], d["heads"], T)
assert d["ln_rows"] == (1 + 2 * d["layers"]) * T, d["ln_rows"]
# the useful MACs of the shape: per layer 4 H^2 + 2 H I per token, and the
# two attention GEMMs, L^2 x head size per head, twice
H, I, NH, L = d["hidden"], d["intermediate"], d["heads"], d["layers"]
want = L * (T * (4 * H * H + 2 * H * I) + batch * 2 * NH * seq * seq * (H // NH))
assert d["useful_macs"] == want, (d["useful_macs"], want)
sys.path.insert(0, "tests/e2e")
import energy_keys
energy_keys.check(d, d["config"])
assert all(v > 0 for v in d["energy_by_unit"].values()), d["energy_by_unit"]
PY
}

# bert-tiny, weights counted and excluded
args="--model bert-tiny --batch 2 --seq 32 --config edge --json"
j1=$("$cli" perf $args 2>/tmp/perf_err.$$); rc=$?
if [ $rc -eq 0 ] && out=$(check_json "$j1" 0 bert-tiny 2 32 2>&1); then ok; else bad "perf $args -> rc $rc: $j1 $(cat /tmp/perf_err.$$) $out"; fi
j2=$("$cli" perf $args --exclude-weight-load 2>/tmp/perf_err.$$); rc=$?
if [ $rc -eq 0 ] && out=$(check_json "$j2" 1 bert-tiny 2 32 2>&1); then ok; else bad "perf $args --exclude-weight-load -> rc $rc: $j2 $(cat /tmp/perf_err.$$) $out"; fi
if python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert b["cycles"] < a["cycles"] and b["dram_bytes"] < a["dram_bytes"], (a["cycles"], b["cycles"])
assert a["macs"] == b["macs"] and a["mac_skipped"] == b["mac_skipped"] and a["smx_rows"] == b["smx_rows"], "work differs"
# the weights loaded cost main-memory energy and time: less of both without them
ea, eb = a["energy_by_unit"], b["energy_by_unit"]
assert b["energy_mj"] < a["energy_mj"] and eb["main_memory"] < ea["main_memory"], (a["energy_mj"], b["energy_mj"])
# bert-tiny packed weights: 2 layers x (4 x 128^2 + 2 x 128 x 512) int16 = 786,432 bytes
assert a["dram_bytes"] - b["dram_bytes"] >= 786432, (a["dram_bytes"], b["dram_bytes"])
' "$j1" "$j2" 2>/dev/null; then ok; else bad "excluding the weight load: $j1 vs $j2"; fi
# the same seed gives the same run
j3=$("$cli" perf $args 2>/dev/null)
if [ "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["cycles"], d["dram_bytes"], d["mac_skipped"])' "$j1")" = \
     "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["cycles"], d["dram_bytes"], d["mac_skipped"])' "$j3")" ]; then ok
else bad "two runs of the same seed differ: $j1 vs $j3"; fi

# all-MiniLM-L6-v2 with its real weights
mdir=${ACCELTRAN_MODEL_DIR:-models/all-MiniLM-L6-v2}
if [ -f "$mdir/model.safetensors" ]; then
    j=$("$cli" perf --model minilm --batch 1 --seq 16 --config edge --json 2>/tmp/perf_err.$$); rc=$?
    if [ $rc -eq 0 ] && out=$(check_json "$j" 0 minilm 1 16 2>&1) &&
       python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert (d["layers"], d["hidden"], d["heads"], d["intermediate"]) == (6, 384, 12, 1536), d' "$j"
    then ok; else bad "perf --model minilm -> rc $rc: $j $(cat /tmp/perf_err.$$) $out"; fi
else
    skip=$((skip + 1)); echo "  skipped 1: perf --model minilm: no model in $mdir"
fi

# text output
out=$("$cli" perf --model bert-tiny --batch 1 --seq 8 --config edge 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "^by unit     gemm" <<<"$out" && grep -q "^roofline" <<<"$out" &&
   grep -Eq "^energy      [0-9.e+-]+ mJ, an estimate \(spec/energy.json; lpddr3 memory" <<<"$out"; then ok; else bad "text: rc $rc: $out"; fi

# bad arguments: exit 2 and the CLI's JSON error object naming the problem
err_case() { # want_rc, message fragment, args...
    local want=$1 frag=$2; shift 2
    local o; o=$("$cli" perf "$@" --json 2>/tmp/perf_err.$$); local r=$?
    if [ $r -eq "$want" ] && grep -q -- "$frag" /tmp/perf_err.$$ && python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is False and d["command"] == "perf" and d["exit_code"] == int(sys.argv[2]) and sys.argv[3] in d["error"], d
' "$o" "$want" "$frag"; then ok; else bad "perf $* -> rc $r (want $want): $o $(cat /tmp/perf_err.$$)"; fi
}
err_case 2 "is required" --batch 1
err_case 2 "unknown model 'bert-huge'" --model bert-huge
err_case 2 "--seq" --model bert-tiny --seq 0
err_case 2 "65535" --model bert-tiny --batch 200 --seq 512
err_case 2 "unknown configuration" --model bert-tiny --config huge
err_case 2 "unknown backend" --model bert-tiny --backend gpu
err_case 2 "unknown option '--bogus'" --model bert-tiny --bogus
# a run failure: the weights do not fit tiny's weight scratchpad
err_case 1 "weight lines" --model bert-tiny --batch 1 --seq 8 --config tiny --exclude-weight-load
rm -f /tmp/perf_err.$$

echo "cli_perf: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
