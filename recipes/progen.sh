#!/bin/sh
# recipes/progen.sh — ProGen in miniature: a decoder trained on protein
# families with a family tag before each sequence generates members of the
# family it is given, judged by HMMER, an independent judge.
#
# Data: the Pfam profile HMMs and seed alignments Debian's hmmer-examples
# installs (HMMER_EXAMPLES, default /usr/share/doc/hmmer/examples): the
# families in FAMILIES (moderate lengths, ~70-180 residues). For each family,
# `hmmemit -N N_TRAIN` samples the training sequences, plus the family's seed
# alignment where the package has one (gaps removed), and a second
# `hmmemit -N N_HELD` with another seed the held-out sequences.
# `attn prepare -t amino --family-tag-from-file` puts <FAMILY> before every
# sequence; a small GPT learns the tagged corpus, every training row starting
# at a sequence's tag (`attn train --doc-windows`). Then, per family,
# N_SAMPLES sequences are drawn with `attn generate -p '<FAMILY>'`
# (temperature TEMP, top-p TOP_P) and `hmmsearch --tblout` of every family's
# HMM runs over all samples (full-sequence E-value < 1e-5, -Z the number of
# samples). Reported:
#   own     share of samples hitting their own family's HMM
#   other   share hitting another family's HMM
#   NN id   median identity of a sample to its nearest training sequence
#           (`attn protein identity`: global alignment, identities / columns),
#           so that copying the training set cannot pass
#   ref     the same shares for N_SAMPLES fresh hmmemit sequences per family:
#           HMMER's own samples, the most a generator can expect
#   ppl     perplexity of the held-out sequences with the correct tag and with
#           a wrong one (the next family in FAMILIES), each sequence scored
#           alone as "<TAG>residues<|endoftext|>" (the tag, the first token,
#           is given, not scored: the residues and the end token are)
# The table goes to OUT/progen.md.
#
#   sh recipes/progen.sh                  # README's numbers: 13 min 30 s on a shared 2-core machine
#   QUICK=1 sh recipes/progen.sh          # the pipeline, not the numbers
set -eu
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/progen}
HMMER_EXAMPLES=${HMMER_EXAMPLES:-/usr/share/doc/hmmer/examples}
FAMILIES=${FAMILIES:-"RRM_1 fn3 2OG-FeII_Oxy_3 Caudal_act globins4"}
if [ -n "${QUICK:-}" ]; then
    N_TRAIN=${N_TRAIN:-100} N_HELD=${N_HELD:-5} N_SAMPLES=${N_SAMPLES:-4} STEPS=${STEPS:-60}
fi
N_TRAIN=${N_TRAIN:-1000}
N_HELD=${N_HELD:-20}
N_SAMPLES=${N_SAMPLES:-20}
STEPS=${STEPS:-2500}
TEMP=${TEMP:-0.5}
TOP_P=${TOP_P:-0.95}
SIZE=${SIZE:-"--layers 4 --heads 4 --width 128 --context 192"}
[ -x "$ATTN" ] || { echo "progen: build attn first (make)" >&2; exit 1; }
for tool in hmmemit hmmsearch; do
    command -v $tool > /dev/null || { echo "progen: $tool not found (apt-get install hmmer hmmer-examples)" >&2; exit 1; }
done
rm -rf "$OUT"
mkdir -p "$OUT/hmm" "$OUT/train" "$OUT/held" "$OUT/samples" "$OUT/hits" "$OUT/score"

# a Stockholm alignment as FASTA, gaps removed (interleaved blocks joined per name)
sto_to_fasta() {
    awk '/^#/ || /^\/\// || NF < 2 { next }
         { if (!($1 in seq)) order[n++] = $1; seq[$1] = seq[$1] $2 }
         END { for (i = 0; i < n; i++) { s = seq[order[i]]; gsub(/[-.]/, "", s); if (s != "") print ">" order[i] "\n" s } }'
}

echo "== corpus: hmmemit from $HMMER_EXAMPLES"
fi_=0
for f in $FAMILIES; do
    fi_=$((fi_ + 1))
    hmm=""
    for c in "$HMMER_EXAMPLES/tutorial/$f.hmm" "$HMMER_EXAMPLES/testsuite/$f.hmm" "$HMMER_EXAMPLES/testsuite/$f.hmm.gz"; do
        [ -f "$c" ] && { hmm=$c; break; }
    done
    [ -n "$hmm" ] || { echo "progen: no HMM for $f under $HMMER_EXAMPLES" >&2; exit 1; }
    case $hmm in *.gz) gzip -dc "$hmm" > "$OUT/hmm/$f.hmm" ;; *) cp "$hmm" "$OUT/hmm/$f.hmm" ;; esac
    hmmemit -N "$N_TRAIN" --seed "$fi_" "$OUT/hmm/$f.hmm" > "$OUT/train/$f.fa"
    hmmemit -N "$N_HELD" --seed $((1000 + fi_)) "$OUT/hmm/$f.hmm" > "$OUT/held/$f.fa"
    seeds=0
    for c in "$HMMER_EXAMPLES/tutorial/$f.sto" "$HMMER_EXAMPLES/testsuite/$f.sto" "$HMMER_EXAMPLES/testsuite/$f.sto.gz"; do
        [ -f "$c" ] || continue
        case $c in *.gz) gzip -dc "$c" ;; *) cat "$c" ;; esac > "$OUT/train/$f.seed.sto"
        seeds=$(sto_to_fasta < "$OUT/train/$f.seed.sto" | grep -c '^>' || true)
        break
    done
    echo "$f: HMM length $(awk '$1 == "LENG" { print $2 }' "$OUT/hmm/$f.hmm"), $N_TRAIN emitted + $seeds seed sequences for training, $N_HELD held out"
done
"$ATTN" prepare -t amino --family-tag-from-file --val-fraction 0.02 -o "$OUT/data" "$OUT"/train/*

echo "== training a GPT on the tagged corpus ($STEPS steps)"
start=$(date +%s)
# --doc-windows: every row starts at a sequence's tag, so positions count from the
# sequence's start (random windows begin mid-sequence, tagless, and learn little more
# than the residue frequencies)
"$ATTN" train --data "$OUT/data" --out "$OUT/model" $SIZE --doc-windows --steps "$STEPS" --batch 16 --lr 2e-3 --warmup 100 \
    --eval-every 200 --eval-batches 10
train_s=$(( $(date +%s) - start ))
echo "   $train_s s; $(tail -n 1 "$OUT/model/train_log.jsonl")"

echo "== sampling $N_SAMPLES sequences per family"
ctx=$(printf '%s\n' $SIZE | awk 'p { print; exit } $0 == "--context" { p = 1 }')
: > "$OUT/samples/all.fa"
for f in $FAMILIES; do
    i=0
    while [ $i -lt "$N_SAMPLES" ]; do
        i=$((i + 1))
        # the residues after the tag, up to the end token or another tag
        s=$("$ATTN" generate -m "$OUT/model" -p "<$f>" -n $((ctx - 2)) -t "$TEMP" --top-p "$TOP_P" --seed "$i" 2> /dev/null |
            head -n 1 | sed "s/^<$f>//; s/<.*//")
        [ -n "$s" ] && printf '>%s/%d\n%s\n' "$f" "$i" "$s" >> "$OUT/samples/all.fa"
    done
done
n_total=$(( $(printf '%s\n' $FAMILIES | wc -l) * N_SAMPLES ))
n_made=$(grep -c '^>' "$OUT/samples/all.fa" || true)
echo "   $n_made non-empty samples of $n_total"

echo "== hmmsearch: every family's HMM against every sample (E < 1e-5)"
for f in $FAMILIES; do
    hmmsearch --tblout "$OUT/hits/$f.tbl" -E 1e-5 -Z "$n_total" --noali --cpu 2 "$OUT/hmm/$f.hmm" "$OUT/samples/all.fa" > /dev/null
done
# samples hitting their own family's HMM, samples hitting another's, from the tables PREFIX<family>.tbl
count_hits() {
    for f in $FAMILIES; do
        awk -v fam="$f" '!/^#/ { print $1 "\t" fam }' "$1$f.tbl"
    done | awk -F'\t' '{ split($1, p, "/"); if (p[1] == $2) own[$1] = 1; else other[$1] = 1 }
        END { no = 0; nx = 0; for (s in own) no++; for (s in other) nx++; print no, nx }'
}
count_hits "$OUT/hits/" > "$OUT/hits/counts"
read own other < "$OUT/hits/counts"
# the reference: as many hmmemit sequences per family (new seeds), judged the same way; the
# share of HMMER's own samples that pass is the most a generator can expect
: > "$OUT/samples/hmmemit.fa"
fi_=0
for f in $FAMILIES; do
    fi_=$((fi_ + 1))
    hmmemit -N "$N_SAMPLES" --seed $((2000 + fi_)) "$OUT/hmm/$f.hmm" |
        awk -v f="$f" '/^>/ { print ">" f "/" ++n; next } { print }' >> "$OUT/samples/hmmemit.fa"
done
mkdir -p "$OUT/hits/ref"
for f in $FAMILIES; do
    hmmsearch --tblout "$OUT/hits/ref/$f.tbl" -E 1e-5 -Z "$n_total" --noali --cpu 2 "$OUT/hmm/$f.hmm" "$OUT/samples/hmmemit.fa" > /dev/null
done
count_hits "$OUT/hits/ref/" > "$OUT/hits/ref/counts"
read ref_own ref_other < "$OUT/hits/ref/counts"
per_family=$(for f in $FAMILIES; do
    printf '%s %s\n' "$f" "$(awk '!/^#/ { print $1 }' "$OUT/hits/$f.tbl" | grep -c "^$f/" || true)"
done)

echo "== identity to the nearest training sequence"
for f in $FAMILIES; do
    cat "$OUT/train/$f.fa"
    [ -f "$OUT/train/$f.seed.sto" ] && sto_to_fasta < "$OUT/train/$f.seed.sto"
done > "$OUT/train_all.fa"
ident=$("$ATTN" protein identity --summary "$OUT/samples/all.fa" "$OUT/train_all.fa")
echo "   $ident"
median_id=$(printf '%s\n' "$ident" | sed -n 's/.*median \([0-9.]*\)%.*/\1/p')

echo "== held-out perplexity with the correct and a wrong tag"
set -- $FAMILIES
first=$1
ppl_rows=""
nll_right=0 nll_wrong=0
sum_right=0 sum_wrong=0 n_tok=0
for f in $FAMILIES; do
    shift
    wrong=${1:-$first}
    [ -n "${1:-}" ] || wrong=$first
    awk '/^>/ { if (s != "") print s; s = ""; next } { s = s $0 } END { if (s != "") print s }' "$OUT/held/$f.fa" > "$OUT/score/$f.seqs"
    fr=0 fw=0 ft=0
    while read -r seq; do
        for tag in "$f" "$wrong"; do
            printf '<%s>%s<|endoftext|>' "$tag" "$seq" > "$OUT/score/one.txt"
            "$ATTN" score -m "$OUT/model" --json -q "$OUT/score/one.txt" > "$OUT/score/one.json"
            nll=$(sed 's/.*"nll": *\([^,]*\),.*/\1/' "$OUT/score/one.json")
            tok=$(sed 's/.*"tokens": *\([0-9]*\).*/\1/' "$OUT/score/one.json")
            if [ "$tag" = "$f" ]; then fr=$(echo "$fr $nll $tok" | awk '{ print $1 + $2 * $3 }'); ft=$((ft + tok))
            else fw=$(echo "$fw $nll $tok" | awk '{ print $1 + $2 * $3 }'); fi
        done
    done < "$OUT/score/$f.seqs"
    ppl_rows="$ppl_rows$(echo "$f $wrong $fr $fw $ft" | awk '{ printf "| %s | %s | %.2f | %.2f |", $1, $2, exp($3 / $5), exp($4 / $5) }')
"
    sum_right=$(echo "$sum_right $fr" | awk '{ print $1 + $2 }')
    sum_wrong=$(echo "$sum_wrong $fw" | awk '{ print $1 + $2 }')
    n_tok=$((n_tok + ft))
done
ppl_right=$(echo "$sum_right $n_tok" | awk '{ printf "%.2f", exp($1 / $2) }')
ppl_wrong=$(echo "$sum_wrong $n_tok" | awk '{ printf "%.2f", exp($1 / $2) }')

pct() { echo "$1 $2" | awk '{ printf "%.1f", 100 * $1 / $2 }'; }
own_pct=$(pct "$own" "$n_total")
other_pct=$(pct "$other" "$n_total")
{
    echo "# ProGen in miniature: family-conditioned generation judged by HMMER"
    echo
    echo "\`sh recipes/progen.sh\` ($(date -u +%Y-%m-%d), attn $(git rev-parse --short HEAD 2>/dev/null || echo '?'))."
    echo "Families: $FAMILIES; $N_TRAIN hmmemit sequences per family (+ seed alignments) for training,"
    echo "$N_HELD held out; GPT \`$SIZE\`, $STEPS steps of 16 x $ctx tokens ($train_s s of training);"
    echo "$N_SAMPLES samples per family at temperature $TEMP, top-p $TOP_P; hmmsearch E < 1e-5 (-Z $n_total)."
    echo
    echo "| measure | value | done when | hmmemit's own samples |"
    echo "|---|---|---|---|"
    echo "| samples hitting their own family's HMM | $own / $n_total = $own_pct% | >= 80% | $ref_own / $n_total = $(pct "$ref_own" "$n_total")% |"
    echo "| samples hitting another family's HMM | $other / $n_total = $other_pct% | <= 10% | $ref_other / $n_total = $(pct "$ref_other" "$n_total")% |"
    echo "| median identity to the nearest training sequence | $median_id% | < 90% | |"
    echo "| held-out perplexity, correct tag | $ppl_right | < wrong tag | |"
    echo "| held-out perplexity, wrong tag | $ppl_wrong | | |"
    echo
    echo "Own-family hits per family ($N_SAMPLES samples each): $(printf '%s\n' "$per_family" | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')."
    echo
    echo "| family | wrong tag used | ppl, correct tag | ppl, wrong tag |"
    echo "|---|---|---|---|"
    printf '%s' "$ppl_rows"
    echo
    echo "Identity: $ident"
} > "$OUT/progen.md"
echo
cat "$OUT/progen.md"
