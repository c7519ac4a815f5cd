#!/usr/bin/env bash
# The area liberty `make synth` maps to (pdk/sky130_fd_sc_hd_area.lib, made
# at setup by tools/sky130_liberty.py) says what the SkyWater cells do:
# - every combinational cell whose functional Verilog is plain gate
#   primitives is proved equivalent by Yosys (its own Verilog reader on the
#   cell's file, its own liberty reader on our function) with a SAT miter;
#   the cells built on the library's UDP tables (muxes, flip-flops, latches)
#   are checked by the generator itself against a simulation of the tables;
# - areas are the LEF SIZE (spot checks against the LEF text);
# - the generator rejects a cell whose function it cannot check (a corrupted
#   copy of a cell file fails the run) and is deterministic.
set -u
cd "$(dirname "$0")/../.."
src=pdk/sky130_fd_sc_hd
lib=pdk/sky130_fd_sc_hd_area.lib
if [ ! -s "$lib" ] || [ ! -d "$src/cells" ]; then
    echo "  skipped: $lib is missing (run make deps)"
    echo "sky130_liberty: 0 passed, 0 failed, 1 skipped"; exit 0
fi
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# cells of the liberty without a ff/latch group, whose functional model has no UDP
cells=$(awk '/^  cell \(/ {if (c != "" && !s) print c; c=$2; gsub(/[()]/, "", c); s=0}
             /^    (ff|latch) \(/ {s=1} END {if (c != "" && !s) print c}' "$lib")
# one Yosys run: the cell's own file (module renamed so that the liberty's
# can sit beside it), a miter, SAT, then both deleted to keep the design small
prove() {   # LIBERTY CELL... -> script on stdout
    local l=$1; shift
    echo "read_liberty -ignore_miss_func $l"
    for c in "$@"; do
        echo "read_verilog $tmp/$c.v; miter -equiv -flatten -make_assert gold_$c $c miter_$c;" \
             "sat -verify -prove-asserts miter_$c; delete gold_$c $c miter_$c"
    done
}
gates=()
for c in $cells; do
    base=${c#sky130_fd_sc_hd__}; fam=${base%_*}
    f=$src/cells/$fam/$c.functional.v
    grep -q 'udp_' "$f" && continue
    sed "s/^module $c\b/module gold_$c/" "$f" > "$tmp/$c.v"
    gates+=("$c")
done
if out=$(yosys -q -s <(prove "$lib" "${gates[@]}") 2>&1) && [ "${#gates[@]}" -ge 150 ]; then ok; else
    bad "Yosys equivalence of ${#gates[@]} gate-level cells: $(echo "$out" | grep -m3 -i 'error\|fail')"
fi
echo "  ${#gates[@]} combinational cells proved equivalent to their functional Verilog"
# the proof can fail: a21oi_1 given the wrong function
c=sky130_fd_sc_hd__a21oi_1
sed 's/function : "!(B1|(A1\&A2))"/function : "!(B1|(A1|A2))"/' "$lib" > "$tmp/bad.lib"
if ! grep -q 'A1|A2' "$tmp/bad.lib"; then bad "could not plant a wrong function";
elif yosys -q -s <(prove "$tmp/bad.lib" "$c") >/dev/null 2>&1; then bad "a wrong function of $c was proved"; else ok; fi

# areas: the LEF SIZE product (nand2_1 3.75 um^2, dfrtp_1 25.02 um^2, ...)
for c in nand2_1 inv_1 dfrtp_1 fa_1 mux4_1; do
    fam=${c%_*}
    want=$(awk '/SIZE/ {printf "%.4f", $2 * $4; exit}' "$src/cells/$fam/sky130_fd_sc_hd__$c.lef")
    got=$(awk -v c="sky130_fd_sc_hd__$c" '$0 ~ "cell \\(" c "\\)" {f=1} f && /area :/ {print $3; exit}' "$lib")
    if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else bad "area of $c: liberty $got, LEF $want"; fi
done

# deterministic, and a cell it cannot read or check is an error, not a skip
cp -r "$src" "$tmp/src"
if python3 tools/sky130_liberty.py "$tmp/src" "$tmp/a.lib" >/dev/null && cmp -s "$tmp/a.lib" "$lib"; then ok; else
    bad "regenerating the liberty gives a different file"; fi
# a UDP table with a row missing leaves the mux undefined for some inputs
u=$tmp/src/models/udp_mux_2to1/sky130_fd_sc_hd__udp_mux_2to1.v
sed -i '/^ *? *1 *1 *: *1 *;/d' "$u"
if out=$(python3 tools/sky130_liberty.py "$tmp/src" "$tmp/b.lib" 2>&1); then
    bad "an incomplete UDP table was accepted"; else ok; echo "  incomplete table rejected: $out"; fi
echo "sky130_liberty: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
