#!/usr/bin/env bash
# The report's table logic (tools/report/report.py, docs/report.md) on the
# committed sample tests/data/report/ (real output of one `make report` run,
# without bench_dynatran): every tables/*.dat equal to
# tests/data/report/expected/; sections 3 and 4 saying "bench_dynatran not
# built"; the area read from the committed synthesis snapshot (and from a
# build/synth/summary.tsv when there is one, with its date); a malformed
# data line, a missing data file and counters that do not add up each
# failing with a message that names them; a failing or missing measurement
# command failing the report (exit 1) by name; the measurement plan; gnuplot
# drawing every plot. `--update` rewrites the expected tables (review the diff).
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0; skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }
rp=tools/report/report.py
sample=${REPORT_SAMPLE:-tests/data/report}  # another sample folder, to try one
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# With a dynatran.jsonl in the sample (bench_dynatran's output), sections 3
# and 4 have their tables and plots too; the "not built" path is then
# checked on a copy without it.
if [ -f "$sample/dynatran.jsonl" ]; then ntab=11; nplot=10; ncmd=7; else ntab=8; nplot=8; ncmd=5; fi

render() { # out, data, build, extra args...
    local out=$1 data=$2 build=$3; shift 3
    python3 $rp --render-only --data "$data" --out "$out" --build "$build" "$@"
}

# 1. the sample renders; its tables equal the expected ones
# (with gnuplot when it is installed: section 6 checks its PNGs)
noplots=; command -v gnuplot > /dev/null || noplots=--no-plots
if render "$tmp/a" "$sample" "$tmp/nobuild" $noplots > "$tmp/a.log" 2>&1; then ok; else bad "render of the sample: $(cat "$tmp/a.log")"; fi
if [ "${1:-}" = "--update" ]; then
    rm -rf "$sample/expected"; mkdir -p "$sample/expected"; cp "$tmp"/a/tables/*.dat "$sample/expected/"
    echo "updated $sample/expected"
fi
n=0
for f in "$sample"/expected/*.dat; do
    n=$((n + 1)); b=$(basename "$f")
    if [ ! -f "$tmp/a/tables/$b" ]; then bad "tables/$b not written"
    elif ! diff -u "$f" "$tmp/a/tables/$b" > "$tmp/diff" 2>&1; then bad "tables/$b differs:"; head -20 "$tmp/diff" >&2
    else ok; fi
done
[ "$n" -eq "$ntab" ] && ok || bad "$n expected tables, want $ntab"
extra=$(comm -13 <(ls "$sample/expected") <(ls "$tmp/a/tables"))
[ -z "$extra" ] && ok || bad "tables without an expected file: $extra"

# 2. what the report says
md=$tmp/a/report.md
nd=$md
if [ -f "$sample/dynatran.jsonl" ]; then
    mkdir -p "$tmp/nd"; cp "$sample"/* "$tmp/nd/" 2>/dev/null; rm "$tmp/nd/dynatran.jsonl"
    render "$tmp/ndo" "$tmp/nd" "$tmp/nobuild" --no-plots > /dev/null 2>&1; nd=$tmp/ndo/report.md
    grep -q 'bench_dynatran not built' "$md" && bad "report.md says bench_dynatran not built with its data" || ok
fi
c=$(grep -c '^\*\*bench_dynatran not built' "$nd")
[ "$c" -eq 2 ] && ok || bad "without dynatran.jsonl report.md says 'bench_dynatran not built' $c times, want 2 (sections 3 and 4)"
grep -q 'the committed snapshot docs/results/synth-tiny.md, synthesized 2026-12-03' "$md" && ok || bad "the synthesis snapshot and its date are not named"
grep -q '| GPU | n/a | n/a | n/a | n/a | not measured' "$md" && ok || bad "the GPU row does not say not measured"
grep -q 'Public figure, not measured here' "$md" && ok || bad "the public GPU figure is not labelled"
c=$(grep -c '^!\[' "$md")
[ "$c" -eq "$nplot" ] && ok || bad "report.md has $c plots, want $nplot"
c=$(grep -c '^Reproduce:' "$md")
[ "$c" -eq "$ncmd" ] && ok || bad "report.md has $c command blocks, want $ncmd (one per section with data)"
grep -q '^build/bin/acceltran perf --backend rtl --config tiny --model minilm --seq 128 --json$' "$md" \
    && ok || bad "the RTL MiniLM command is not listed"
grep -q "<img src='plots/roofline_edge.png'" "$tmp/a/index.html" && ok || bad "index.html lacks the edge roofline"
# a table's numbers follow from the records: tiny's cycles by unit add up to its cycles
python3 - "$sample/perf.jsonl" "$tmp/a/tables/cycles_by_unit.dat" <<'PY' && ok || bad "cycles_by_unit.dat does not follow from perf.jsonl"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
rows = {l.split("\t")[0]: l.split("\t") for l in open(sys.argv[2]) if not l.startswith("#")}
for r in recs:
    if r["meta"]["variant"] != "dense":
        continue
    c, row = r["result"]["cycles"], rows[r["meta"]["config"]]
    assert abs(float(row[6]) * 1e6 - c) < 1, (row, c)
    assert abs(sum(float(x) for x in row[7:12]) - 1) < 1e-4, row
PY

# 3. a build/synth/summary.tsv is read instead, with its date
mkdir -p "$tmp/b/synth"
sed -n '/^module\tcells/,/^```/p' docs/results/synth-tiny.md | sed '$d' > "$tmp/b/synth/summary.tsv"
touch -d '2026-11-30 12:34 UTC' "$tmp/b/synth/summary.tsv"
if render "$tmp/c" "$sample" "$tmp/b" --no-plots > "$tmp/c.log" 2>&1 &&
   grep -q 'synth/summary.tsv, written by the last `make synth` on 2026-11-30 12:34 UTC' "$tmp/c/report.md" &&
   cmp -s "$tmp/a/tables/area_modules.dat" "$tmp/c/tables/area_modules.dat"; then ok
else bad "build/synth/summary.tsv not read or not dated: $(cat "$tmp/c.log")"; fi
printf 'module\tcells\n' > "$tmp/b/synth/summary.tsv"
if render "$tmp/c" "$sample" "$tmp/b" --no-plots > "$tmp/c.log" 2>&1; then bad "a summary without area_um2 was accepted"
else grep -q 'lacks one of' "$tmp/c.log" && ok || bad "bad summary message: $(cat "$tmp/c.log")"; fi

# 4. bad data fails, naming the file and line / the run
mkdir -p "$tmp/d"; cp "$sample"/* "$tmp/d/" 2>/dev/null
echo '{"id": "x", "cmd": "y", "result": ' >> "$tmp/d/gemm.jsonl"
lines=$(wc -l < "$tmp/d/gemm.jsonl")
if render "$tmp/e" "$tmp/d" "$tmp/nobuild" --no-plots > "$tmp/e.log" 2>&1; then bad "a malformed line was accepted"
else grep -q "gemm.jsonl:$lines: not JSON" "$tmp/e.log" && ok || bad "malformed-line message: $(cat "$tmp/e.log")"; fi
cp "$sample/gemm.jsonl" "$tmp/d/"; rm "$tmp/d/calib.jsonl"
if render "$tmp/e" "$tmp/d" "$tmp/nobuild" --no-plots > "$tmp/e.log" 2>&1; then bad "a missing calib.jsonl was accepted"
else grep -q 'no calib.jsonl' "$tmp/e.log" && ok || bad "missing-file message: $(cat "$tmp/e.log")"; fi
cp "$sample/calib.jsonl" "$tmp/d/"
python3 - "$tmp/d/perf.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs[0]["result"]["cycles_by_unit"]["idle"] += 1
open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in recs))
PY
if render "$tmp/e" "$tmp/d" "$tmp/nobuild" --no-plots > "$tmp/e.log" 2>&1; then bad "inconsistent cycles_by_unit accepted"
else grep -q 'perf-tiny-dense: cycles_by_unit sums to' "$tmp/e.log" && ok || bad "sum message: $(cat "$tmp/e.log")"; fi

# 5. the plan: the RTL calibration runs, bench_dynatran only when built
python3 $rp --list --build "$tmp/nobuild" > "$tmp/plan" 2>&1
grep -c -- '--backend rtl --config tiny' "$tmp/plan" | grep -qx 9 && ok || bad "plan: want 9 rtl runs: $(cat "$tmp/plan")"
grep -q bench_dynatran "$tmp/plan" && bad "plan runs bench_dynatran that is not built" || ok
mkdir -p "$tmp/nobuild/tools/bench"; touch "$tmp/nobuild/tools/bench/bench_dynatran"
python3 $rp --list --build "$tmp/nobuild" | grep -q "^dynatran	.*/nobuild/tools/bench/bench_dynatran\$" \
    && ok || bad "plan does not run a built bench_dynatran"
python3 $rp --list --jobs 0 > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--jobs 0 not rejected with status 2"

# 5b. a measurement that fails (exit status, "ok": false) or cannot run fails the report, by name
mkdir -p "$tmp/fb/bin"
printf '#!/bin/sh\necho "{\\"ok\\": false}"\nexit 1\n' > "$tmp/fb/bin/acceltran"; chmod +x "$tmp/fb/bin/acceltran"
python3 $rp --build "$tmp/fb" --out "$tmp/fo" --quick > "$tmp/fo.log" 2>&1; rc=$?
if [ "$rc" -eq 1 ] && grep -q 'float: FAILED: cannot run it' "$tmp/fo.log" &&
   grep -q 'FAILED perf-edge-dense (exit status 1)' "$tmp/fo.log" && grep -q 'measurement(s) failed' "$tmp/fo.log" &&
   [ ! -e "$tmp/fo/report.md" ]; then ok
else bad "failing measurements: exit $rc: $(tail -5 "$tmp/fo.log")"; fi

# 6. gnuplot drew every plot (PNG signature)
if [ -z "$noplots" ]; then
    n=0
    for p in "$tmp"/a/plots/*.png; do
        n=$((n + 1))
        head -c 8 "$p" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' || bad "$p is not a PNG"
    done
    [ "$n" -eq "$nplot" ] && ok || bad "$n PNGs, want $nplot"
else
    echo "  skipped: gnuplot not installed (make deps)"; skip=$((skip + 1))
fi

echo "test_report: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
