#!/bin/sh
# The modern recipe ladder (the nanoGPT speedrun's idea, on a CPU): a fixed
# GPT-2 baseline (the README demo's model: character-level Austen, 4 layers,
# 4 heads, width 192, context 64, batch 32, AdamW at 3e-3, warmup 50, cosine
# to 3e-4, weight decay 0.1, clip 1) trains for MINUTES minutes, and each rung
# adds one change of attn train to the rung before it:
#   rotary      --rotary              rotary positions instead of learned ones
#   qk-norm     --qk-norm             RMSNorm of each head's q and k
#   relu2       --activation relu2    ReLU^2 in the MLP
#   untied      --untied-head         an output projection apart from wte
#   zero-init   --zero-init-proj      attention and MLP output projections start at 0
#   muon        --optimizer muon      Muon on the blocks' matrices (--muon-lr 0.02)
# (LADDER=alone: each change alone on the baseline instead.) For each seed the
# baseline's final validation loss is the target, and each rung reports the
# training seconds until its validation loss (every EVAL steps) first is at
# or below it: its time-to-baseline-loss. Seconds are the steps' wall time
# (each step's tokens / its tokens_per_s, summed from train_log.jsonl),
# evaluations left out.
#
# Every run has the same schedule: STEPS steps, calibrated so that the
# baseline takes about MINUTES minutes (a CAL_STEPS-step baseline run
# measures a step; STEPS=N skips that). A rung stops (SIGINT: it writes its
# checkpoint) once it reaches its seed's target, or at 2 x MINUTES.
#
# The seconds in the run depend on what else shares the machine, and the
# host's speed drifts; so each rung's step is also timed apart, on its own:
# the median of ROUNDS runs of TIME_STEPS steps (default 3 x 40; TIME_STEPS=0
# skips it), rung after rung in turn, into OUT/step_time.csv. Steps to the
# baseline's loss x that step time is the time to the baseline's loss that
# the speed-up compares (the in-run seconds where no step time exists).
#
# Output: a Markdown table on stdout, one row per rung: the mean and sample
# standard deviation over SEEDS of the steps and of the training seconds to
# the baseline's loss (in the run, and at the quiet step time), the speed-up
# against the baseline, the seeds that reached it, and the last validation
# loss (at the stop for a rung that reached the target); OUT/ladder.csv
# holds one row per run. THREADS=N passes --threads N.
#   sh recipes/ladder.sh                              (MINUTES=2, 3 seeds: about 20-40 min on 2 cores)
#   MINUTES=10 sh recipes/ladder.sh                   (the issue's ladder)
#   MINUTES=0.2 SEEDS=1 EVAL=5 TIME_STEPS=8 ROUNDS=1 sh recipes/ladder.sh   (a smoke test)
#   sh recipes/ladder.sh time                         (only the step times, then the table of OUT/ladder.csv)
#   sh recipes/ladder.sh table A/ladder.csv B/ladder.csv   (one table of runs made apart, e.g. seeds
#                                                       on separate cores; OUT/step_time.csv if present)
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/ladder}
MINUTES=${MINUTES:-2}
SEEDS=${SEEDS:-1 2 3}
EVAL=${EVAL:-25}
EVAL_BATCHES=${EVAL_BATCHES:-20}
CAL_STEPS=${CAL_STEPS:-30}
LADDER=${LADDER:-cumulative}
THREADS=${THREADS:-}
TIME_STEPS=${TIME_STEPS:-40}
ROUNDS=${ROUNDS:-3}
B=32 T=64
case $LADDER in cumulative | alone) ;; *) echo "ladder.sh: LADDER is cumulative or alone, not $LADDER" >&2; exit 2 ;; esac
rungs="baseline rotary qk-norm relu2 untied zero-init muon"

# table CSV...: per rung, the mean and sample standard deviation over the
# seeds of the rows of the CSV files (their header lines are skipped)
table() {
    st=$OUT/step_time.csv
    [ -f "$st" ] || st=/dev/null
    printf '| rung (%s) | options | steps to baseline loss | seconds to baseline loss (in the run) | quiet step (ms) | seconds at the quiet step time | speed-up | seeds reaching it | last val loss |\n' "$LADDER"
    printf '|---|---|---:|---:|---:|---:|---:|---:|---:|\n'
    awk -F, -v rungs="$rungs" -v stfile="$st" '
        BEGIN { while ((getline line < stfile) > 0) { split(line, f, ","); if (f[1] != "rung") q[f[1]] = f[2] } }
        FNR == 1 { next }
        { n[$1]++; v[$1] += $5; vv[$1] += $5 * $5; opt[$1] = $2
          if ($9 != "") { r[$1]++; t[$1] += $9; tt[$1] += $9 * $9; s[$1] += $8; ss[$1] += $8 * $8 } }
        function sd(a, aa, k,   var) { var = k > 1 ? (aa - a * a / k) / (k - 1) : 0; return var > 0 ? sqrt(var) : 0 }
        END {
            split(rungs, order, " ")
            base = r["baseline"] ? t["baseline"] / r["baseline"] : 0
            qbase = r["baseline"] && ("baseline" in q) ? s["baseline"] / r["baseline"] * q["baseline"] : 0
            for (i = 1; i in order; i++) {
                k = order[i]
                if (!n[k]) continue
                fv = sprintf("%.4f ± %.4f", v[k] / n[k], sd(v[k], vv[k], n[k]))
                qs = k in q ? sprintf("%.1f", 1000 * q[k]) : "-"
                if (r[k]) {
                    m = t[k] / r[k]; ts = sprintf("%.1f ± %.1f", m, sd(t[k], tt[k], r[k]))
                    st = sprintf("%.0f ± %.0f", s[k] / r[k], sd(s[k], ss[k], r[k]))
                    if (k in q) {
                        qm = s[k] / r[k] * q[k]; qt = sprintf("%.1f ± %.1f", qm, sd(s[k], ss[k], r[k]) * q[k])
                        x = qbase > 0 ? sprintf("%.2fx", qbase / qm) : "-"
                    } else { qt = "-"; x = base > 0 ? sprintf("%.2fx", base / m) : "-" }
                } else { ts = "not reached"; qt = "-"; x = "-"; st = "-" }
                printf "| %s | %s | %s | %s | %s | %s | %s | %d of %d | %s |\n", k, opt[k] == "" ? "-" : opt[k], st, ts, qs, qt, x, r[k], n[k], fv
            }
        }' "$@"
}

# opts_of RUNG: the options of a rung (with the rungs before it unless LADDER=alone)
opts_of() {
    o=""
    for r in $rungs; do
        if [ "$LADDER" = cumulative ]; then o="$o $(option_of "$r")"; else o=$(option_of "$r"); fi
        [ "$r" = "$1" ] && break
    done
    echo "${o# }"
}

# step_times: each rung's seconds per step on this machine, the median of
# ROUNDS short runs taken in turn (rung after rung, round after round), into
# $OUT/step_time.csv. Measured apart from the ladder's runs so that the
# seconds to the baseline's loss do not depend on what else ran beside them.
step_times() {
    : > "$OUT/step_time.raw"
    for round in $(seq 1 "$ROUNDS"); do
        for rung in $rungs; do
            # shellcheck disable=SC2046
            "$ATTN" train $model --steps "$TIME_STEPS" --eval-every 0 --eval-batches 1 --out "$OUT/time" $(opts_of "$rung") > /dev/null
            awk -v tok=$((B * T)) -v rung="$rung" 'NR > 5 { match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16); n++ }
                END { printf "%s,%.6f\n", rung, t / n }' "$OUT/time/train_log.jsonl" >> "$OUT/step_time.raw"
        done
        echo "ladder.sh: step times, round $round of $ROUNDS" >&2
    done
    echo "rung,step_s" > "$OUT/step_time.csv"
    for rung in $rungs; do
        grep "^$rung," "$OUT/step_time.raw" | cut -d, -f2 | sort -g | awk -v rung="$rung" '{ a[n++] = $1 }
            END { printf "%s,%s\n", rung, n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2 }' >> "$OUT/step_time.csv"
    done
}

if [ "${1:-}" = table ]; then # ladder.sh table CSV...: the table of earlier runs (e.g. seeds run apart)
    shift
    table "$@"
    exit 0
fi

mkdir -p "$OUT"
[ -f "$OUT/data/meta.json" ] || "$ATTN" prepare -t char -o "$OUT/data" data/austen/*.txt > /dev/null
model="--data $OUT/data --layers 4 --heads 4 --width 192 --context $T --batch $B --lr 3e-3 --min-lr 3e-4 --warmup 50
    --weight-decay 0.1 --clip 1.0 --overwrite ${THREADS:+--threads $THREADS}"

# secs LOG [STEP]: training seconds of the steps up to STEP (all when absent)
secs() {
    awk -v tok=$((B * T)) -v upto="${2:-0}" '
        { match($0, /"step": [0-9]+/); s = substr($0, RSTART + 8, RLENGTH - 8) + 0
          if (upto > 0 && s > upto) exit
          match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16) }
        END { printf "%.1f", t }' "$1"
}
last_val() { grep -o '"val_loss": [0-9.]*' "$1" | tail -n 1 | cut -d' ' -f2; }
# reach LOG TARGET: the first step whose validation loss is <= TARGET, or nothing
reach() {
    awk -v target="$2" '/"val_loss"/ { match($0, /"val_loss": [0-9.]+/); v = substr($0, RSTART + 12, RLENGTH - 12)
        match($0, /"step": [0-9]+/); if (v + 0 <= target + 0) { print substr($0, RSTART + 8, RLENGTH - 8); exit } }' "$1"
}

# The schedule's length: the baseline's step time from a short run.
if [ -z "${STEPS:-}" ]; then
    # shellcheck disable=SC2086
    "$ATTN" train $model --steps "$CAL_STEPS" --eval-every 0 --eval-batches 1 --out "$OUT/calibrate"
    per=$(awk -v tok=$((B * T)) 'NR > 3 { match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16); n++ }
        END { printf "%.6f", n ? t / n : 0 }' "$OUT/calibrate/train_log.jsonl")
    STEPS=$(awk -v m="$MINUTES" -v per="$per" 'BEGIN { s = int(m * 60 / per); print s < 10 ? 10 : s }')
    echo "ladder.sh: a baseline step takes ${per} s; $STEPS steps for $MINUTES minutes" >&2
fi
limit=$(awk -v m="$MINUTES" 'BEGIN { print 2 * m }')

# train NAME SEED TARGET OPTIONS...: one run into $OUT/NAME-SEED; with a
# TARGET (not "-") it is stopped once a validation loss is <= TARGET
train() {
    name=$1 seed=$2 target=$3
    shift 3
    dir=$OUT/$name-$seed
    # shellcheck disable=SC2086
    "$ATTN" train $model --steps "$STEPS" --eval-every "$EVAL" --eval-batches "$EVAL_BATCHES" --seed "$seed" \
        --time-limit "$limit" --out "$dir" "$@" &
    pid=$!
    if [ "$target" != - ]; then
        while kill -0 "$pid" 2>/dev/null; do
            if [ -f "$dir/train_log.jsonl" ] && [ -n "$(reach "$dir/train_log.jsonl" "$target")" ]; then
                kill -INT "$pid" 2>/dev/null || true
                break
            fi
            sleep 1
        done
    fi
    rc=0
    wait "$pid" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ]; then # 130: stopped at the target by SIGINT, its checkpoint written
        echo "ladder.sh: $name seed $seed: attn train exited $rc" >&2
        exit 1
    fi
}

option_of() {
    case $1 in
    baseline) ;; rotary) echo --rotary ;; qk-norm) echo --qk-norm ;; relu2) echo --activation relu2 ;;
    untied) echo --untied-head ;; zero-init) echo --zero-init-proj ;; muon) echo --optimizer muon ;;
    esac
}

if [ "${1:-}" = time ]; then # ladder.sh time: only the step times (then the table of OUT/ladder.csv)
    step_times
    table "$OUT/ladder.csv"
    exit 0
fi

csv=$OUT/ladder.csv
echo "rung,options,seed,steps,final_val,train_s,target,reach_step,reach_s" > "$csv"
for seed in $SEEDS; do
    train baseline "$seed" -
    log=$OUT/baseline-$seed/train_log.jsonl
    target=$(last_val "$log")
    step=$(reach "$log" "$target")
    echo "baseline,,$seed,$STEPS,$target,$(secs "$log"),$target,$step,$(secs "$log" "$step")" >> "$csv"
    opts=""
    for rung in $rungs; do
        [ "$rung" = baseline ] && continue
        if [ "$LADDER" = cumulative ]; then opts="$opts $(option_of "$rung")"; else opts=$(option_of "$rung"); fi
        # shellcheck disable=SC2086
        train "$rung" "$seed" "$target" $opts
        log=$OUT/$rung-$seed/train_log.jsonl
        step=$(reach "$log" "$target")
        reach_s=""
        [ -z "$step" ] || reach_s=$(secs "$log" "$step")
        echo "$rung,${opts# },$seed,$STEPS,$(last_val "$log"),$(secs "$log"),$target,$step,$reach_s" >> "$csv"
    done
done

[ "$TIME_STEPS" -gt 0 ] && step_times
table "$csv"
echo "ladder.sh: one row per run in $csv" >&2
