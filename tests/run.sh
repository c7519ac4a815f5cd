#!/usr/bin/env bash
# Runs every test program given, from the repository root, and sums their
# closing lines "NAME: N passed, N failed". A program that crashes or prints
# no closing line counts as one failure. Ends with "total: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; bad=()
for t in "$@"; do
    [ -e "$t" ] || continue
    case "$t" in *.sh) cmd=(bash "$t") ;; *) cmd=("$t") ;; esac
    out=$("${cmd[@]}" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed' | tail -1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -20
        echo "$t: no closing line (exit $rc)"; fail=$((fail + 1)); bad+=("$t"); continue
    fi
    p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
    f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -ne 0 ]; then printf '%s\n' "$out" | tail -40; bad+=("$t"); fi
    echo "$t: $p passed, $f failed"
done
((${#bad[@]})) && echo "failing: ${bad[*]}"
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
