#!/usr/bin/env bash
# Counts the assertions written in each RTL module (rtl/*.sv): uses of
# `AT_ASSERT(...) and `AT_ASSERT_HOLD(...) (rtl/acceltran_assert.svh) and
# plain `assert property`, outside // comments, one per use in the source
# (an assertion inside a generate loop counts once). Prints the markdown
# table of docs/rtl-flow.md ("Assertions"): per module the three counts,
# the total, and the assertions a negative test shows firing (a test
# under tests/ that names the assertion in a string, as
# tests/rtl/test_acceltran_fifo.c does: it must see "Assertion failed" with
# that name); a total row; modules without assertions are left out.
#   tools/rtl_assert_count.sh [RTL_DIR [TESTS_DIR]]   (default: rtl tests)
# tests/rtl/test_rtl_assert_count.sh checks that the doc's table is this
# output.
set -eu
dir=${1:-rtl}
tests=${2:-tests}
echo "| module | \`AT_ASSERT\` | \`AT_ASSERT_HOLD\` | \`assert property\` | total | shown to fire by a negative test |"
echo "|---|---|---|---|---|---|"
ta=0; th=0; tp=0; tf=0
# "Name_A" strings in the tests: file<TAB>name, sorted by file
named=$(grep -rHoE '"[A-Za-z0-9_]+_A"' "$tests" --include='*.c' --include='*.sh' 2>/dev/null |
        sed -E 's/^([^:]*):"(.*)"$/\1\t\2/' | sort || true)
for f in "$dir"/*.sv; do
    code=$(sed -e 's://.*$::' "$f")
    a=$(grep -o '`AT_ASSERT(' <<<"$code" | wc -l || true)
    h=$(grep -o '`AT_ASSERT_HOLD(' <<<"$code" | wc -l || true)
    p=$(grep -oE '\bassert[[:space:]]+property\b' <<<"$code" | wc -l || true)
    n=$((a + h + p))
    [ "$n" -eq 0 ] && continue
    fired=""
    for name in $(grep -oE '`AT_ASSERT(_HOLD)?\([[:space:]]*[A-Za-z0-9_]+' <<<"$code" | sed -E 's/.*\([[:space:]]*//'); do
        t=$(awk -F '\t' -v n="$name" '$2 == n { print $1; exit }' <<<"$named")
        if [ -n "$t" ]; then
            fired="$fired${fired:+, }\`$name\` (\`$t\`)"; tf=$((tf + 1))
        fi
    done
    echo "| \`$(basename "$f" .sv)\` | $a | $h | $p | $n | ${fired:--} |"
    ta=$((ta + a)); th=$((th + h)); tp=$((tp + p))
done
echo "| **all** | $ta | $th | $tp | $((ta + th + tp)) | $tf |"
