#!/usr/bin/env bash
# docs/rtl-flow.md's table of assertions per module ("Assertions") is the
# output of tools/rtl_assert_count.sh over rtl/ and tests/ (counted, not
# written by hand): fails naming the difference when an assertion or a
# negative test is added without regenerating the table. The script must
# also count a known sample right (a module with each kind, a comment, a
# test naming one assertion).
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }

# the sample
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rtl" "$tmp/tests/x"
cat >"$tmp/rtl/m_a.sv" <<'SV'
module m_a;
  `AT_ASSERT(OneA_A, x)
  `AT_ASSERT(TwoA_A,
             y)  // two lines, one use
  `AT_ASSERT_HOLD(HoldA_A, v, r, p)
  // `AT_ASSERT(Commented_A, z)
  Raw_A: assert property (@(posedge clk_i) q);
endmodule
SV
printf 'module m_b;\nendmodule\n' >"$tmp/rtl/m_b.sv"
printf 'expect_stop(1, "TwoA_A");\n' >"$tmp/tests/x/test_x.c"
got=$(tools/rtl_assert_count.sh "$tmp/rtl" "$tmp/tests" | tail -n +3)
want="| \`m_a\` | 2 | 1 | 1 | 4 | \`TwoA_A\` (\`$tmp/tests/x/test_x.c\`) |
| **all** | 2 | 1 | 1 | 4 | 1 |"
if [ "$got" = "$want" ]; then ok; else bad "sample counted as:
$got
want:
$want"; fi

# the doc's table
table=$(tools/rtl_assert_count.sh rtl tests)
doc=$(sed -n '/^  | module | `AT_ASSERT`/,/^  | \*\*all\*\*/p' docs/rtl-flow.md | sed 's/^  //')
if [ -n "$doc" ] && [ "$doc" = "$table" ]; then ok; else
    bad "docs/rtl-flow.md's assertion table differs from tools/rtl_assert_count.sh (regenerate it):"
    diff <(printf '%s\n' "$doc") <(printf '%s\n' "$table") >&2
fi
echo "rtl_assert_count: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
