#!/usr/bin/env bash
# Every RTL module, as its own top, is accepted by both tools the project
# uses: `verilator --lint-only -Wall` clean in every configuration, and
# Yosys 0.23 elaborates it (hierarchy, proc) with no latch and no problem
# reported by `check`. Full synthesis figures come from `make synth`.
# A module whose big configurations are impractical to elaborate (the PE
# array of server is 262,144 multipliers) names the ones to check in a line
# "// rtl-lint-configs: tiny edge" of its source; the CI-size
# configurations (tiny, mid: their tops are Verilated in make test) are
# checked whatever the line says (rtl/rtl.mk RTL_LINT_ALWAYS).
set -u
cd "$(dirname "$0")/../.."
# One module per job, RTL_ACCEPTED_JOBS (default: the cores) side by side:
# the checks are independent and this test is a large part of make test.
jobs=${RTL_ACCEPTED_JOBS:-$(nproc 2>/dev/null || echo 2)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check_mod() { # module outdir: writes <module>.res ("pass fail") and <module>.err
    local m=$1 out pass=0 fail=0 c cfgs
    cfgs=$(sed -n 's|^// rtl-lint-configs:||p' "rtl/$m.sv" | tr a-z A-Z)
    cfgs=$(echo TINY MID ${cfgs:-EDGE SERVER} | tr ' ' '\n' | awk 'NF && !s[$0]++')
    for c in $cfgs; do
        if out=$(verilator --lint-only -Wall -DACCELTRAN_CONFIG_$c --top-module "$m" -y rtl rtl/acceltran_pkg.sv "rtl/$m.sv" 2>&1); then
            pass=$((pass + 1))
        else
            fail=$((fail + 1)); { echo "  lint $m ($c):"; echo "$out" | head -20; } >> "$2/$m.err"
        fi
    done
    # Yosys warnings count as failures too (e.g. "Replacing memory ... with
    # list of registers": an array of wires that should be a packed vector).
    if out=$(yosys -q -p "read_verilog -sv -DACCELTRAN_CONFIG_TINY rtl/acceltran_pkg.sv rtl/$m.sv; hierarchy -libdir rtl -check -top $m; proc; select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$_DLATCH*; check -assert" 2>&1) &&
       ! grep -q '^Warning' <<<"$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); { echo "  yosys $m:"; echo "$out" | tail -20; } >> "$2/$m.err"
    fi
    echo "$pass $fail" > "$2/$m.res"
}
export -f check_mod
mods=$(ls rtl/*.sv | xargs -n1 basename | sed 's/\.sv$//' | grep -v '^acceltran_pkg$')
printf '%s\n' $mods | xargs -P "$jobs" -I{} bash -c 'check_mod "$1" "$2"' _ {} "$tmp"
pass=0; fail=0
for m in $mods; do
    if [ ! -f "$tmp/$m.res" ]; then
        fail=$((fail + 1)); echo "  $m: no result" >&2; continue
    fi
    read -r p f < "$tmp/$m.res"
    pass=$((pass + p)); fail=$((fail + f))
    [ -f "$tmp/$m.err" ] && cat "$tmp/$m.err" >&2
done
echo "rtl_accepted: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
