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
# naming the problem, and write nothing.
mutate() { # name, python expression over dict e (energy) and s (acceltran spec), expected message fragment
    python3 - "$tmp/$1.json" "$tmp/$1_spec.json" "$2" <<'PY'
import json, sys
e = json.load(open("spec/energy.json"))
s = json.load(open("spec/acceltran.json"))
exec(sys.argv[3])
json.dump(e, open(sys.argv[1], "w"))
json.dump(s, open(sys.argv[2], "w"))
PY
    out=$("$gen" "$tmp/$1.json" "$tmp/$1_spec.json" "$tmp/m_$1" 2>&1)
    if [ $? -ne 0 ] && grep -q -- "$3" <<<"$out" && [ ! -e "$tmp/m_$1" ]; then ok; else bad "energy mutation $1: want failure mentioning '$3', got: $out"; fi
}
mutate negative  'e["modules"][0]["dynamic_mw"]=-1' "must be positive"
mutate zero      'e["memories"][0]["nj_per_block"]=0' "must be positive"
mutate nosource  'del e["buffers"][1]["source"]' "missing key 'source'"
mutate badsource 'e["modules"][2]["source"]="nowhere"' "is not in 'sources'"
mutate unused    'e["sources"].append({"id": "x", "text": "y"})' "cited by no entry"
mutate nomodule  'e["modules"]=[m for m in e["modules"] if m["name"]!="softmax"]' "missing module 'softmax'"
mutate extramod  'e["modules"].append(dict(e["modules"][1], name="gpu"))' "not one the energy model uses"
mutate dupmod    'e["modules"].append(dict(e["modules"][1]))' "repeats"
mutate badper    'e["modules"][0]["instances"]["per"]="rack"' "lane, pe or device"
mutate badsize   'e["buffers"][0]["size"]="nope_kib"' "is not a parameter"
mutate notkib    'e["buffers"][0]["size"]="pes"' "size in KiB"
mutate nomem     'e["config_memory"][1]["memory"]="sram"' "is not in 'memories'"
mutate nocfgmem  'e["config_memory"].pop()' "each needs its memory"
mutate newcfg    's["configs"].append(dict(s["configs"][0], name="huge"))' "each needs its memory"
mutate cfgorder  'e["config_memory"].reverse()' "the order of"
mutate unknown   'e["bogus"]=1' "unknown key 'bogus'"
mutate quote     'e["modules"][0]["desc"]="a \"b\""' "must not hold"
printf '{"clock_mhz": ' > "$tmp/trunc.json"
out=$("$gen" "$tmp/trunc.json" spec/acceltran.json "$tmp/m_trunc" 2>&1)
if [ $? -ne 0 ] && grep -q "line" <<<"$out" && [ ! -e "$tmp/m_trunc" ]; then ok; else bad "truncated energy spec: $out"; fi

echo "energy_table: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
