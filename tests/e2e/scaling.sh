#!/bin/sh
# attn scaling fit on runs drawn from Chinchilla's law (E 1.69, A 406.4,
# B 410.7, alpha 0.34, beta 0.28; 4 IsoFLOP budgets x 7 sizes, a 0.1%
# deterministic perturbation): the table, the JSON that attn scaling plan
# --fit reads back, the three SVG figures; attn scaling plan with the
# paper's law and GPT-2 small's shape among the closest to 124M; bad input
# gets one error line naming the file and line, exit 1; bad usage exit 2.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "scaling.sh: $*"; exit 1; }
awk 'BEGIN { k = 0
  for (c = 0; c < 4; c++) { C = 10 ^ (18 + c)
    for (i = 0; i < 7; i++) { N = 10 ^ (7.5 + 0.5 * c + (i - 3) * 0.2); D = C / (6 * N)
      L = (1.69 + 406.4 / N ^ 0.34 + 410.7 / D ^ 0.28) * (1 + 0.001 * sin(k * 12.9898)); k++
      printf "{\"params\": %.9g, \"tokens\": %.9g, \"flops\": %.9g, \"loss\": %.9g, \"name\": \"r%d\"}\n", N, D, C, L, k } } }' \
    > "$tmp/runs.jsonl"
"$ATTN" scaling fit "$tmp/runs.jsonl" --bootstrap 20 --json "$tmp/fit.json" --svg-dir "$tmp/fig" > "$tmp/out"
grep -q '^28 runs; intervals: 95% percentile, 20 resamples' "$tmp/out" || fail "no header: $(cat "$tmp/out")"
grep -q '^2 IsoFLOP (4 budgets) *a 0\.4[4-6][0-9]* \[' "$tmp/out" || fail "IsoFLOP exponent: $(cat "$tmp/out")"
grep -q '^3 parametric L(N, D) *a 0\.45[0-9]* \[' "$tmp/out" || fail "parametric exponent: $(cat "$tmp/out")"
grep -q 'alpha 0\.3[34][0-9]* \[.*beta 0\.2[78][0-9]* \[' "$tmp/out" || fail "alpha, beta: $(cat "$tmp/out")"
for f in isoflop nopt loss_contours; do
    head -c 200 "$tmp/fig/$f.svg" | grep -q '<svg' && tail -n 1 "$tmp/fig/$f.svg" | grep -q '</svg>' || fail "$f.svg"
done
grep -q 'C = 1e+18' "$tmp/fig/isoflop.svg" || fail "isoflop.svg has no budget legend"
grep -q '"approach3"' "$tmp/fit.json" || fail "no approach3 in the JSON"
if [ -x .venv/bin/python ]; then
    .venv/bin/python - "$tmp/fit.json" "$tmp/fig" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
a3 = d["approach3"]
assert d["runs"] == 28 and a3["ok"] and a3["starts"] == 4500
for k, want in (("E", 1.69), ("alpha", 0.34), ("beta", 0.28)):
    e = a3[k]
    assert abs(e["value"] / want - 1) < 0.05 and e["lo"] <= e["value"] <= e["hi"] and e["n_boot"] == 20, (k, e)
assert len(d["approach2"]["budgets"]) == 4 and all(b["used"] for b in d["approach2"]["budgets"])
for f in ("isoflop", "nopt", "loss_contours"):
    ET.parse(f"{sys.argv[2]}/{f}.svg")
PY
fi
"$ATTN" scaling plan --flops 1e21 --fit "$tmp/fit.json" > "$tmp/plan"
grep -q "^law: E 1\.6.*($tmp/fit.json)" "$tmp/plan" || fail "plan --fit: $(cat "$tmp/plan")"
"$ATTN" scaling plan --params 124e6 --shapes 3 > "$tmp/plan"
grep -q "Chinchilla's" "$tmp/plan" || fail "plan does not name the paper's law: $(cat "$tmp/plan")"
grep -Eq '^ +12 +768 +12 +124439808 ' "$tmp/plan" || fail "GPT-2 small not among the shapes: $(cat "$tmp/plan")"
[ "$(grep -c '^ \+[0-9]' "$tmp/plan")" -eq 3 ] || fail "want 3 shapes: $(cat "$tmp/plan")"
# 20 budgets of 4 sizes each: the figures hold every budget's points (under ASan, no overflow)
awk 'BEGIN { for (c = 0; c < 20; c++) for (i = 0; i < 4; i++) { C = 10 ^ (16 + 0.25 * c); N = 10 ^ (6 + 0.12 * c + 0.3 * i)
    printf "{\"params\": %.9g, \"tokens\": %.9g, \"flops\": %.9g, \"loss\": %.9g}\n", N, C / (6 * N), C, 2 + 1 / (1 + c) + 0.01 * (i - 1.5) ^ 2 } }' \
    > "$tmp/many.jsonl"
"$ATTN" scaling fit "$tmp/many.jsonl" --bootstrap 0 --svg-dir "$tmp/many" > "$tmp/many.out"
grep -q "^2 IsoFLOP (20 budgets)" "$tmp/many.out" || fail "20 parabolas: $(cat "$tmp/many.out")"
[ "$(grep -c '<circle' "$tmp/many/isoflop.svg")" -ge 16 ] || fail "isoflop.svg of 20 budgets"
# bad inputs: one error line naming the file and line, exit 1
printf '{"params": 1e6, "tokens": 1e8, "loss": 3}\n{"params": 1e6, "tokens": -1, "loss": 3}\n' > "$tmp/bad.jsonl"
set +e
"$ATTN" scaling fit "$tmp/bad.jsonl" > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
    grep -q "^attn scaling fit: error: $tmp/bad.jsonl:2: \"tokens\" must be a positive number" "$tmp/err" ||
    fail "bad run: exit $rc: $(cat "$tmp/err")"
set +e
"$ATTN" scaling plan --fit "$tmp/bad.jsonl" --flops 1e20 > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "^attn scaling plan: error: $tmp/bad.jsonl: not JSON (one document)" "$tmp/err" || fail "plan --fit bad: $rc $(cat "$tmp/err")"
"$ATTN" scaling plan > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^attn scaling plan: error: give one of --flops F and --params X" "$tmp/err" || fail "plan usage: $rc"
"$ATTN" scaling nope > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^attn scaling: error: unknown subcommand 'nope'" "$tmp/err" || fail "unknown subcommand: $rc $(cat "$tmp/err")"
"$ATTN" scaling fit > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "fit without a file: exit $rc"
set -e
echo "scaling.sh: ok"
