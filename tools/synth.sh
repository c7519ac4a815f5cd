#!/usr/bin/env bash
# Synthesizes each RTL module (as its own top) with Yosys for one
# configuration and writes OUTDIR/summary.tsv: module, cells, flip-flops,
# latches, transistor estimate (yosys `stat -tech cmos`, logic only) and
# memory bits. Memories are kept as $mem cells instead of being mapped to
# flip-flops: they would be SRAM macros in a real flow and are estimated
# separately (CACTI-style figures in the energy model); mapping them to
# flip-flops also makes Yosys run for tens of minutes. Any latch, Yosys
# warning or error fails the run. Logs: OUTDIR/<module>.log.
#   tools/synth.sh CONFIG OUTDIR MODULE...
set -euo pipefail
cfg=$1; out=$2; shift 2
mkdir -p "$out"
define="-DACCELTRAN_CONFIG_${cfg^^}"
printf 'module\tcells\tflip_flops\tlatches\ttransistors\tmemory_bits\n' > "$out/summary.tsv.part"
for m in "$@"; do
    log="$out/$m.log"
    # the package, the top, and (hierarchy -libdir) the modules it instantiates
    # = `synth` with the fine stage's memory_map left out. Hierarchical, so
    # a module instantiated many times (the PEs of the array) is synthesized
    # once; the mapped netlist is flattened only for counting.
    if ! yosys -q -l "$log" -p "read_verilog -sv $define rtl/acceltran_pkg.sv rtl/$m.sv; hierarchy -libdir rtl -top $m; synth -top $m -run begin:fine; opt -fast -full; opt -full; techmap; opt -fast; abc -fast; opt -fast; flatten; opt_clean; check -assert; tee -q -o $out/$m.mem dump t:\\\$mem_v2; tee -o $out/$m.stat stat -tech cmos" >/dev/null 2>&1; then
        echo "synth: $m failed, see $log" >&2; tail -5 "$log" >&2; exit 1
    fi
    cells=$(awk '/Number of cells:/ {c=$4} END {print c+0}' "$out/$m.stat")
    ffs=$(awk '$1 ~ /^\$_(S?DFF|DFFE|SDFFE|SDFFCE|ALDFF|DFFSR)/ {n+=$2} END {print n+0}' "$out/$m.stat")
    lat=$(awk '$1 ~ /^\$_DLATCH/ {n+=$2} END {print n+0}' "$out/$m.stat")
    tr=$(awk '/Estimated number of transistors:/ {t=$5} END {print t+0}' "$out/$m.stat")
    # stat does not count collected memories: add up SIZE x WIDTH of $mem_v2 cells
    mem=$(awk '/^ *cell .mem_v2/ {inm=1; s=0; w=0} inm && /parameter .SIZE / {s=$3}
               inm && /parameter .WIDTH / {w=$3} inm && /^ *end/ {t+=s*w; inm=0} END {print t+0}' "$out/$m.mem")
    if [ "$lat" -ne 0 ]; then echo "synth: $m has $lat latches" >&2; exit 1; fi
    if grep -q '^Warning' "$log"; then
        echo "synth: $m has Yosys warnings:" >&2; grep '^Warning' "$log" | sort -u >&2; exit 1
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$cells" "$ffs" "$lat" "$tr" "$mem" >> "$out/summary.tsv.part"
done
mv "$out/summary.tsv.part" "$out/summary.tsv"
column -t -s $'\t' "$out/summary.tsv"
