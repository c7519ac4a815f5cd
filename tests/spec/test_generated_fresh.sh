#!/usr/bin/env bash
# The committed generated files equal what spec/acceltran.json generates now,
# and the generator rejects malformed specs with a message.
set -u
cd "$(dirname "$0")/../.."
gen=${BUILD:-build}/bin/gen_spec
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  $*" >&2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if "$gen" spec/acceltran.json "$tmp/out"; then
    for f in rtl/acceltran_pkg.sv include/acceltran_hw.h firmware/tiny.dts firmware/mid.dts firmware/edge.dts firmware/server.dts docs/registers.md; do
        if cmp -s "$f" "$tmp/out/$f"; then ok; else bad "$f is stale: run 'make gen' and commit"; diff -u "$f" "$tmp/out/$f" | head -20 >&2; fi
    done
    # every generated dts file is listed above
    n=$(ls "$tmp/out/firmware" | wc -l)
    [ "$n" -eq 4 ] && ok || bad "generator wrote $n dts files, test expects 4"
else
    bad "gen_spec failed on spec/acceltran.json"
fi

# The GELU ROM is generated from the C model's table.
if "${BUILD:-build}/bin/gen_gelu_rom" --check rtl/acceltran_gelu_rom.sv; then ok; else bad "rtl/acceltran_gelu_rom.sv is stale: run 'make gen' and commit"; fi

# Malformed specs: each must fail (exit non-zero) with a message naming the problem.
mutate() { # name, python expression over dict s, expected message fragment
    python3 - "$tmp/$1.json" "$2" <<'PY'
import json, sys
s = json.load(open("spec/acceltran.json"))
exec(sys.argv[2])
json.dump(s, open(sys.argv[1], "w"))
PY
    out=$("$gen" "$tmp/$1.json" "$tmp/m_$1" 2>&1)
    if [ $? -ne 0 ] && grep -q -- "$3" <<<"$out" && [ ! -e "$tmp/m_$1" ]; then ok; else bad "spec mutation $1: want failure mentioning '$3', got: $out"; fi
}
mutate overlap   's["registers"][2]["fields"][1]["lsb"]=8' "overlaps"
mutate dupoff    's["registers"][3]["offset"]="0x008"' "share offset"
mutate toobig    's["configs"][0]["pes"]=70000' "does not fit"
mutate unaligned 's["registers"][1]["offset"]="0x006"' "not 4-aligned"
mutate missing   'del s["configs"][1]["lanes"]' "missing key 'lanes'"
mutate unknown   's["configs"][0]["bogus"]=1' "unknown parameter"
mutate badref    's["registers"][2]["fields"][0]["value"]="param:nope"' "unknown parameter"
mutate dupop     's["descriptor"]["opcodes"][1]["value"]=0' "repeats"
# the counter block: consecutive 8-byte slots, each _LO with its _HI
mutate cntgap    'r=[x for x in s["registers"] if x["name"].startswith("CNT_")]; r[-2]["offset"]=hex(int(r[-2]["offset"],16)+8); r[-1]["offset"]=hex(int(r[-1]["offset"],16)+8)' "consecutive 8-byte slots"
mutate cntnohi   's["registers"]=[x for x in s["registers"] if x["name"]!="CNT_LN_ROWS_HI"]' "no register CNT_LN_ROWS_HI"
printf '{"device": ' > "$tmp/trunc.json"
out=$("$gen" "$tmp/trunc.json" "$tmp/m_trunc" 2>&1)
if [ $? -ne 0 ] && grep -q "line" <<<"$out"; then ok; else bad "truncated spec: $out"; fi

echo "spec_generated: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
