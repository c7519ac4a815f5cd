#!/usr/bin/env bash
# The acceltran CLI end to end: tokenize, embed (text and JSON) reproducing
# the similarity matrix published by sentence-transformers for
# all-MiniLM-L6-v2 within 1e-3, help texts, and clear errors with non-zero
# exit for bad options, missing files and bad input.
set -u
cd "$(dirname "$0")/../.."
cli=${BUILD:-build}/bin/acceltran
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*" >&2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

S1="The weather is lovely today."; S2="It's so sunny outside!"; S3="He drove to the stadium."

# tokenize: ids from Hugging Face's tokenizer for this model
out=$("$cli" tokenize "$S1" "$S2" "$S3" "Hello, world!")
want=$'101 1996 4633 2003 8403 2651 1012 102\n101 2009 1005 1055 2061 11559 2648 999 102\n101 2002 5225 2000 1996 3346 1012 102\n101 7592 1010 2088 999 102'
[ "$out" = "$want" ] && ok || bad "tokenize: got"$'\n'"$out"$'\n'"want"$'\n'"$want"

# embed --json: published matrix within 1e-3, keys present
if "$cli" embed --backend float --json "$S1" "$S2" "$S3" > "$tmp/e.json"; then
    if python3 - "$tmp/e.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pub = [[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]]
for k in ("backend", "similarity", "seconds"):
    assert k in d, "missing key " + k
assert d["backend"] == "float"
m = d["similarity"]
err = max(abs(m[i][j] - pub[i][j]) for i in range(3) for j in range(3))
print("  max |similarity - published| = %.2e" % err)
assert err <= 1e-3, "similarity %s vs published %s" % (m, pub)
assert d["seconds"] > 0
PY
    then ok; else bad "embed --json check (output: $(cat "$tmp/e.json"))"; fi
else bad "embed --json failed"; fi

# text output has the matrix row for sentence 0
out=$("$cli" embed --threads 1 "$S1" "$S2" 2>&1)
grep -qE '^\[  0\] +1\.0000 +0\.66' <<<"$out" && ok || bad "embed text output: $out"

# help on every subcommand exits 0 and says usage
for c in "" tokenize embed; do
    "$cli" $c --help | grep -q usage && ok || bad "acceltran $c --help"
done

# errors: message + exit code
expect_fail() { # code, fragment, command...
    local code=$1 frag=$2; shift 2
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$frag" <<<"$out"; then ok; else bad "$* -> rc $rc (want $code), output: $out"; fi
}
expect_fail 2 "unknown option '--bogus'" "$cli" embed --bogus "x"
expect_fail 2 "unknown option '--nope'" "$cli" tokenize --nope "x"
expect_fail 2 "unknown command 'frobnicate'" "$cli" frobnicate
expect_fail 2 "unknown backend 'tpu'" "$cli" embed --backend tpu "x"
expect_fail 2 "no SENTENCE" "$cli" embed
expect_fail 2 "no TEXT" "$cli" tokenize
expect_fail 2 "wants an integer" "$cli" embed --threads zero "x"
expect_fail 1 "config.json" "$cli" embed --model-dir "$tmp/nowhere" "x"
expect_fail 1 "vocab.txt" "$cli" tokenize --model-dir "$tmp/nowhere" "x"
printf '\xff\xfe bad utf8' > "$tmp/bad.txt"
expect_fail 1 "UTF-8" "$cli" tokenize "$(cat "$tmp/bad.txt")"
mkdir -p "$tmp/m" && cp "${ACCELTRAN_MODEL_DIR:-models/all-MiniLM-L6-v2}"/{config.json,vocab.txt} "$tmp/m/" && head -c 1000 "${ACCELTRAN_MODEL_DIR:-models/all-MiniLM-L6-v2}/model.safetensors" > "$tmp/m/model.safetensors"
expect_fail 1 "model.safetensors" "$cli" embed --model-dir "$tmp/m" "x"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
