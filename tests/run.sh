#!/usr/bin/env bash
# Runs every test program given, from the repository root, and sums their
# closing lines "NAME: N passed, N failed[, N skipped]". A program that is
# missing, crashes or prints no closing line counts as one failure; a
# program that ran nothing (0 passed, 0 failed, no skip) counts as one
# skip. Each program's line carries its wall time; the end lists the
# slowest (the make-test budget is 20 minutes on a 2-core CI machine) and
# "total: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; skip=0; bad=(); times=()
for t in "$@"; do
    if [ ! -e "$t" ]; then
        echo "$t: missing (not built)"; fail=$((fail + 1)); bad+=("$t"); continue
    fi
    case "$t" in *.sh) cmd=(bash "$t") ;; *) cmd=("$t") ;; esac
    t0=$(date +%s.%N)
    out=$("${cmd[@]}" 2>&1); rc=$?
    dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    times+=("$dt $t")
    line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed' | tail -1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -20
        echo "$t: no closing line (exit $rc)"; fail=$((fail + 1)); bad+=("$t"); continue
    fi
    p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
    f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    s=0
    if grep -Eq ', [0-9]+ skipped' <<<"$line"; then s=$(sed -E 's/.*, ([0-9]+) skipped.*/\1/' <<<"$line"); fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then s=1; fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    if [ "$f" -ne 0 ]; then printf '%s\n' "$out" | tail -40; bad+=("$t"); fi
    if [ "$s" -ne 0 ]; then printf '%s\n' "$out" | grep -E '^ *skipped|skipped \(' | head -5; fi
    echo "$t: $p passed, $f failed, $s skipped ($dt s)"
done
if ((${#times[@]})); then
    echo "slowest:"; printf '%s\n' "${times[@]}" | sort -rn | head -8 | sed 's/^/  /'
fi
((${#bad[@]})) && echo "failing: ${bad[*]}"
echo "total: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
