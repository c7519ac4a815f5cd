#!/usr/bin/env bash
# The committed energy table (runtime/at_energy_table.h, docs/energy-table.md)
# equals what spec/energy.json generates now, and the generator rejects
# malformed energy specs with a message and writes nothing.
set -u
cd "$(dirname "$0")/../.."
gen=${BUILD:-build}/bin/gen_energy
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  $*" >&2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if "$gen" spec/energy.json spec/acceltran.json "$tmp/out"; then
    for f in runtime/at_energy_table.h docs/energy-table.md; do
        if cmp -s "$f" "$tmp/out/$f"; then ok; else bad "$f is stale: run 'make gen' and commit"; diff -u "$f" "$tmp/out/$f" | head -20 >&2; fi
    done
    n=$(find "$tmp/out" -type f | wc -l)
    [ "$n" -eq 2 ] && ok || bad "generator wrote $n files, test expects 2"
else
    bad "gen_energy failed on spec/energy.json"
fi

# Malformed energy specs: each must fail (exit non-zero) with a message
# naming the problem, and write nothing. One python run writes every
# mutated pair (energy, acceltran spec); name|python over e and s|message.
mutations='
negative|e["modules"][0]["dynamic_mw"]=-1|must be positive
zero|e["memories"][0]["nj_per_block"]=0|must be positive
nosource|del e["buffers"][1]["source"]|missing key '"'"'source'"'"'
badsource|e["modules"][2]["source"]="nowhere"|is not in '"'"'sources'"'"'
unused|e["sources"].append({"id": "x", "text": "y"})|cited by no entry
nomodule|e["modules"]=[m for m in e["modules"] if m["name"]!="softmax"]|missing module '"'"'softmax'"'"'
extramod|e["modules"].append(dict(e["modules"][1], name="gpu"))|not one the energy model uses
dupmod|e["modules"].append(dict(e["modules"][1]))|repeats
badper|e["modules"][0]["instances"]["per"]="rack"|lane, pe, device
badsize|e["buffers"][0]["size"]="nope_kib"|is not a parameter
notkib|e["buffers"][0]["size"]="pes"|size in KiB
nomem|e["config_memory"][1]["memory"]="sram"|is not in '"'"'memories'"'"'
nocfgmem|e["config_memory"].pop()|each needs its memory
newcfg|s["configs"].append(dict(s["configs"][0], name="huge"))|each needs its memory
cfgorder|e["config_memory"].reverse()|the order of
unknown|e["bogus"]=1|unknown key '"'"'bogus'"'"'
quote|e["modules"][0]["desc"]="a \"b\""|must not hold
'
python3 - "$tmp" "$mutations" <<'PY'
import copy, json, sys
e0 = json.load(open("spec/energy.json"))
s0 = json.load(open("spec/acceltran.json"))
for line in sys.argv[2].strip().split("\n"):
    name, expr, _ = line.split("|")
    e, s = copy.deepcopy(e0), copy.deepcopy(s0)
    exec(expr)
    json.dump(e, open(f"{sys.argv[1]}/{name}.json", "w"))
    json.dump(s, open(f"{sys.argv[1]}/{name}_spec.json", "w"))
PY
while IFS='|' read -r name expr msg; do
    [ -n "$name" ] || continue
    out=$("$gen" "$tmp/$name.json" "$tmp/${name}_spec.json" "$tmp/m_$name" 2>&1)
    if [ $? -ne 0 ] && grep -q -- "$msg" <<<"$out" && [ ! -e "$tmp/m_$name" ]; then ok
    else bad "energy mutation $name: want failure mentioning '$msg', got: $out"; fi
done <<<"$mutations"
printf '{"clock_mhz": ' > "$tmp/trunc.json"
out=$("$gen" "$tmp/trunc.json" spec/acceltran.json "$tmp/m_trunc" 2>&1)
if [ $? -ne 0 ] && grep -q "line" <<<"$out" && [ ! -e "$tmp/m_trunc" ]; then ok; else bad "truncated energy spec: $out"; fi

echo "energy_table: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
