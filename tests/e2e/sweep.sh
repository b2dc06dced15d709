#!/bin/sh
# attn sweep: 2 shapes x 2 budgets of tiny char GPTs on Austen, stopped after
# one run (--max-runs 1) and run again: the first row is kept, the other
# three runs are added (4 rows with N, D, C, the final validation loss and
# the curve), and attn scaling fit reads the file. A run stopped part way
# (its checkpoint at step 3) is continued by the sweep to the loss of an
# uninterrupted one. A misspelt key in the sweep file is an error naming it.
set -eu
ATTN=${ATTN_BIN:-./attn}
case $ATTN in /*) ;; */*) ATTN=$PWD/$ATTN ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "sweep.sh: $*"; exit 1; }
head -c 30000 data/austen/persuasion.txt > "$tmp/a.txt"
cd "$tmp"
"$ATTN" prepare -t char -o data a.txt > /dev/null
cat > sweep.json <<'JSON'
{"data": "data", "out": "out", "shapes": [{"layers": 1, "heads": 2, "width": 16}, {"layers": 2, "heads": 2, "width": 32}],
 "budgets": [1e9, 3e9], "seeds": [0],
 "train": {"batch": 4, "context": 32, "lr": 3e-3, "eval_every": 20, "eval_batches": 2}}
JSON
"$ATTN" sweep sweep.json --max-runs 1 2> err
[ "$(wc -l < out/runs.jsonl)" -eq 1 ] || fail "--max-runs 1: $(cat err)"
grep -q "1 of 4 runs done (1 now, 0 before)" err || fail "summary: $(cat err)"
head -n 1 out/runs.jsonl > first
"$ATTN" sweep sweep.json 2> err
[ "$(wc -l < out/runs.jsonl)" -eq 4 ] || fail "want 4 rows: $(cat err)"
grep -q "4 of 4 runs done (3 now, 1 before)" err || fail "summary: $(cat err)"
head -n 1 out/runs.jsonl | cmp -s - first || fail "the finished run's row changed"
grep -q '^{"name":"L2-H2-W32-C3e+09-s0","layers":2,"heads":2,"width":32,"seed":0,"budget":3000000000,"params":[0-9]*,"tokens":[0-9]*,"flops":[0-9]*,"loss":[0-9.]*,"steps":[0-9]*,"wall_s":[0-9.e-]*,"curve":\[\[' out/runs.jsonl ||
    fail "row: $(tail -n 1 out/runs.jsonl)"
# rows written with other spacing (an edited file) still count as finished
sed 's/,"/, "/g; s/":/": /g' out/runs.jsonl > spaced && cp spaced out/runs.jsonl
"$ATTN" sweep sweep.json 2> err
grep -q "4 of 4 runs done (0 now, 4 before)" err || fail "a finished sweep ran again: $(cat err)"
"$ATTN" scaling fit out/runs.jsonl --bootstrap 0 > fit.txt || fail "scaling fit on the sweep"
grep -q "^4 runs" fit.txt && grep -q "^1 envelope (curves)" fit.txt || fail "fit: $(cat fit.txt)"
# a run interrupted at step 3 continues to the uninterrupted run's loss
mkdir -p out2/runs
"$ATTN" train --data data --out out2/runs/L1-H2-W16-C1e+09-s0 --layers 1 --heads 2 --width 16 --context 32 --batch 4 \
    --lr 3e-3 --eval-every 20 --eval-batches 2 --seed 0 --budget-flops 1e9 --stop-at 3 --quiet
sed 's/"budgets": \[1e9, 3e9\]/"budgets": [1e9]/; s/"out": "out"/"out": "out2"/; s/, {"layers": 2, "heads": 2, "width": 32}//' sweep.json > one.json
"$ATTN" sweep one.json 2> err
grep -q "run 1/1 L1-H2-W16-C1e+09-s0 (continuing)" err || fail "not continued: $(cat err)"
loss() { sed 's/.*"loss":\([0-9.e+-]*\).*/\1/' "$1"; }
[ "$(loss out2/runs.jsonl)" = "$(loss first)" ] || fail "continued run's loss $(loss out2/runs.jsonl), uninterrupted $(loss first)"
printf '{"data": "data", "out": "o", "shapes": [{"layers": 1, "heads": 1, "width": 8}], "budgets": [1e9], "train": {"bach": 4}}' > bad.json
set +e
"$ATTN" sweep bad.json 2> err; rc=$?
set -e
[ $rc -eq 1 ] && grep -q '^attn sweep: error: bad.json: unknown key "bach" in "train"' err || fail "misspelt key: $rc $(cat err)"
echo "sweep.sh: ok"
