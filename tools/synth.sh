#!/usr/bin/env bash
# Yosys synthesis of one RTL module (as its own top) for one configuration,
# mapped to the sky130_fd_sc_hd standard cells (dfflibmap + abc on the area
# liberty tools/sky130_liberty.py builds at setup; docs/area.md).
#   tools/synth.sh CONFIG OUTDIR LIBERTY MODULE
# writes OUTDIR/MODULE.row (one summary line), OUTDIR/MODULE.d (the files
# Yosys read, as make dependencies of MODULE.row), MODULE.log, .stat, .mem.
#   tools/synth.sh --summary OUTDIR MODULE...
# joins the rows into OUTDIR/summary.tsv and prints it.
# Memories are kept as $mem cells instead of being mapped to flip-flops:
# they would be SRAM macros, so their area is the bit count times a per-bit
# figure (SRAM_UM2_PER_BIT below); mapping them to flip-flops also makes
# Yosys run for tens of minutes. Any latch, cell left unmapped, Yosys warning
# or error fails the run.
set -euo pipefail

# OpenRAM's sky130 macro sky130_sram_2kbyte_1rw_32x512_8 (VLSIDA/sky130_sram_macros):
# LEF SIZE 483.86 x 326.1 um for 512 x 32 bits = 157,786.7 um^2 / 16,384 bits.
SRAM_UM2_PER_BIT=9.6305
HEADER='module\tcells\tflip_flops\tlatches\tarea_um2\tmemory_bits\tmemory_um2\tsynth_s\tpeak_mib\n'

if [ "${1:-}" = "--summary" ]; then
    out=$2; shift 2
    { printf "$HEADER"; for m in "$@"; do cat "$out/$m.row"; done; } > "$out/summary.tsv.part"
    mv "$out/summary.tsv.part" "$out/summary.tsv"
    column -t -s $'\t' "$out/summary.tsv"
    exit 0
fi

cfg=$1; out=$2; lib=$3; m=$4
mkdir -p "$out"
define="-DACCELTRAN_CONFIG_${cfg^^}"
log="$out/$m.log"
rm -f "$out/$m.row"
start=$(date +%s)
# The package, the top and (hierarchy -libdir) the modules it instantiates;
# `synth` with the fine stage's memory_map left out, then flip-flops and
# logic mapped to the liberty's cells. Hierarchical, so a module
# instantiated many times (the PEs of the array) is synthesized once; the
# mapped netlist is flattened only for counting. read_liberty -lib gives
# `check` the cells' port directions.
if ! /usr/bin/time -f %M -o "$out/$m.rss" yosys -q -l "$log" -p "read_liberty -lib $lib; read_verilog -sv $define rtl/acceltran_pkg.sv rtl/$m.sv; hierarchy -libdir rtl -top $m; synth -top $m -run begin:fine; opt -fast -full; opt -full; techmap; opt -fast; dfflibmap -liberty $lib; opt -fast; abc -fast -liberty $lib; opt -fast; flatten; opt_clean; check -assert; select -assert-none t:\$* t:\$mem_v2 %d; tee -q -o $out/$m.mem dump t:\$mem_v2; tee -o $out/$m.stat stat -liberty $lib" >/dev/null 2>&1; then
    echo "synth: $m failed, see $log" >&2; tail -5 "$log" >&2; exit 1
fi
secs=$(( $(date +%s) - start ))
if grep -q '^Warning' "$log"; then
    echo "synth: $m has Yosys warnings:" >&2; grep '^Warning' "$log" | sort -u >&2; exit 1
fi
# cells of the liberty with a flip-flop / latch group
seqcells() { awk -v g="$1" '/^  cell \(/ {c=$2; gsub(/[()]/, "", c)} $1 == g && $2 == "(IQ," {print c}' "$lib"; }
count() { awk 'NR == FNR {want[$1] = 1; next} ($1 in want) {n += $2} END {print n + 0}' <(seqcells "$1") "$out/$m.stat"; }
cells=$(awk '/Number of cells:/ {c=$4} END {print c+0}' "$out/$m.stat")
ffs=$(count ff)
lat=$(count latch)
area=$(awk '/Chip area for module/ {a=$NF} END {printf "%.1f", a}' "$out/$m.stat")
# stat does not count collected memories: add up SIZE x WIDTH of $mem_v2 cells
mem=$(awk '/^ *cell .mem_v2/ {inm=1; s=0; w=0} inm && /parameter .SIZE / {s=$3}
           inm && /parameter .WIDTH / {w=$3} inm && /^ *end/ {t+=s*w; inm=0} END {print t+0}' "$out/$m.mem")
memarea=$(awk -v b="$mem" -v a="$SRAM_UM2_PER_BIT" 'BEGIN {printf "%.1f", b * a}')
if [ "$lat" -ne 0 ]; then echo "synth: $m has $lat latches" >&2; exit 1; fi
# make dependencies: every file Yosys parsed and the files they include
srcs=$(sed -n "s/^Parsing SystemVerilog input from \`\([^']*\)'.*/\1/p" "$log" | sort -u)
incs=$(for f in $srcs; do sed -n 's/^ *`include "\([^"]*\)".*/rtl\/\1/p' "$f"; done | sort -u)
{ echo "$out/$m.row:" $srcs $incs; for f in $srcs $incs; do echo "$f:"; done; } > "$out/$m.d"
rss=$(( $(tail -1 "$out/$m.rss") / 1024 ))   # peak resident set of Yosys (GNU time, KiB)
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$cells" "$ffs" "$lat" "$area" "$mem" "$memarea" "$secs" "$rss" > "$out/$m.row.part"
mv "$out/$m.row.part" "$out/$m.row"
echo "synth $m: $cells cells, $ffs flip-flops, $area um^2 logic, $mem memory bits (${secs} s, ${rss} MiB)"
