#!/usr/bin/env bash
# `acceltran embed --backend fmodel`: the demo sentences through the int16
# model on the simulated device. --json has the keys README.md lists, with
# consistent values (similarity within 0.005 of the published matrix,
# unit-norm embeddings, skipped_fraction = mac_skipped / macs, utilization
# and device_seconds from cycles, site counts, the energy estimate's keys
# (energy_keys.py) with the stages' energies summing to the run's); the
# text output prints the matrix, cycles, time at 700 MHz, the skipped
# fraction and the energy; bad arguments
# exit 2 with a message.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
cli=$build/bin/acceltran
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }
demo=("The weather is lovely today." "It's so sunny outside!" "He drove to the stadium.")

out=$("$cli" embed --backend fmodel --json "${demo[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ] && python3 -c '
import json, sys, math
d = json.loads(sys.argv[1])
pub = [[1, 0.6660, 0.1046], [0.6660, 1, 0.1411], [0.1046, 0.1411, 1]]
for k in ("backend", "config", "embeddings", "cycles", "device_seconds", "macs", "mac_skipped",
          "skipped_fraction", "utilization", "tau", "sites", "similarity", "tokens", "stages", "clock_mhz",
          "dram_bytes", "useful_macs", "jobs", "commands", "prune_sites", "sentences", "seconds", "load_seconds"):
    assert k in d, k
assert d["backend"] == "fmodel" and d["config"] == "tiny" and d["tau"] == 0
assert len(d["embeddings"]) == 3 and all(len(e) == 384 for e in d["embeddings"])
assert all(abs(math.sqrt(sum(x * x for x in e)) - 1) < 1e-4 for e in d["embeddings"])
assert max(abs(d["similarity"][i][j] - pub[i][j]) for i in range(3) for j in range(3)) <= 0.005
assert abs(d["skipped_fraction"] - d["mac_skipped"] / d["macs"]) < 1e-9
assert abs(d["device_seconds"] - d["cycles"] / 700e6) < 1e-9
assert 0 < d["utilization"] <= 1 and d["cycles"] == sum(s["cycles"] for s in d["stages"])
assert len(d["stages"]) == 67 and d["jobs"] == 67 and d["clock_mhz"] == 700
assert d["commands"] == sum(s["commands"] for s in d["stages"]) and d["dram_bytes"] > 21000000
assert d["useful_macs"] == sum(s["useful_macs"] for s in d["stages"]) <= d["macs"]
assert d["mac_skipped"] == sum(s["mac_skipped"] for s in d["stages"])
s = d["sites"]
assert set(s) == {"q", "k", "v", "scores", "probs", "context", "attn_out", "ffn_mid", "ffn_out", "ln"}
assert s["q"]["elements"] == 6 * 25 * 384 and s["ffn_mid"]["elements"] == 6 * 25 * 1536
assert s["probs"]["elements"] == 6 * 12 * (8 * 8 + 9 * 9 + 8 * 8)
assert s["ln"]["elements"] == 13 * 25 * 384 and s["ln"]["pruned"] is False and s["q"]["pruned"] is True
sys.path.insert(0, "tests/e2e")
import energy_keys
energy_keys.check(d, "tiny")
assert all(v > 0 for v in d["energy_by_unit"].values()), d["energy_by_unit"]
st = sum(x["energy_mj"] for x in d["stages"])
assert abs(st - d["energy_mj"]) <= 1e-6 * d["energy_mj"], (st, d["energy_mj"])
' "$out"; then ok; else bad "embed --backend fmodel --json -> rc $rc: ${out:0:600}"; fi

out=$("$cli" embed --backend fmodel --tau 0.06 --prune-sites ln,ffn_mid --json "${demo[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["tau"] == 0.06 and d["prune_sites"] == "ffn_mid,ln", d["prune_sites"]
assert d["skipped_fraction"] > 0.05, d["skipped_fraction"]
assert d["sites"]["ln"]["zeros"] > 0 and d["sites"]["ffn_mid"]["zeros"] > 0
' "$out"; then ok; else bad "embed --tau 0.06 --prune-sites ln,ffn_mid -> rc $rc: ${out:0:600}"; fi

out=$("$cli" embed --backend fmodel "${demo[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "0.6657" <<<"$out" && grep -Eq "device: [0-9]+ cycles = [0-9.]+ ms at 700 MHz" <<<"$out" &&
   grep -q "skipped fraction" <<<"$out" && grep -q "^energy      .* mJ, an estimate" <<<"$out"; then ok
else bad "embed --backend fmodel text -> rc $rc: $out"; fi

# residency: "Hi there" fits edge's activation scratchpad; --stream keeps it in memory
out=$("$cli" embed --backend fmodel --config edge --json "Hi there" 2>&1); rc=$?
out2=$("$cli" embed --backend fmodel --config edge --stream --json "Hi there" 2>&1); rc2=$?
if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && python3 -c '
import json, sys
r, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert r["resident"] is True and s["resident"] is False
assert r["embeddings"] == s["embeddings"]
assert r["dram_bytes"] < s["dram_bytes"] and r["cycles"] < s["cycles"]
# edge: LP-DDR3; streaming costs main-memory energy
sys.path.insert(0, "tests/e2e")
import energy_keys
energy_keys.check(r, "edge")
energy_keys.check(s, "edge")
assert r["energy_by_unit"]["main_memory"] < s["energy_by_unit"]["main_memory"], (r["energy_by_unit"], s["energy_by_unit"])
' "$out" "$out2"; then ok; else bad "embed --config edge [--stream] -> rc $rc/$rc2: ${out:0:300} ${out2:0:300}"; fi

expect_fail() {
    local code=$1 msg=$2; shift 2
    local o; o=$("$@" 2>&1); local r=$?
    if [ $r -eq "$code" ] && grep -q -- "$msg" <<<"$o"; then ok; else bad "$* -> rc $r (want $code, '$msg'): $o"; fi
}
expect_fail 2 "unknown backend 'gpu'" "$cli" embed --backend gpu "A."
expect_fail 2 "unknown site 'qq'" "$cli" embed --backend fmodel --prune-sites q,qq "A."
expect_fail 2 "needs a number" "$cli" embed --backend fmodel --tau -1 "A."
expect_fail 2 "needs a number" "$cli" embed --backend fmodel --tau abc "A."
expect_fail 2 "need --backend fmodel or rtl" "$cli" embed --tau 0.1 "A."
expect_fail 2 "need --backend fmodel or rtl" "$cli" embed --prune-sites ln "A."
expect_fail 2 "need --backend fmodel or rtl" "$cli" embed --stream "A."
expect_fail 2 "unknown configuration" "$cli" embed --backend fmodel --config big "A."
expect_fail 2 "needs a value" "$cli" embed --backend fmodel --tau
expect_fail 2 "no SENTENCE" "$cli" embed --backend fmodel
expect_fail 1 "cannot open" "$cli" embed --backend fmodel --dtb /nonexistent.dtb "A."

echo "cli_embed_device: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
