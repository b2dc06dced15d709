#!/bin/sh
# A synthetic translation task with real reordering, for the RNNsearch
# length experiment (recipes/rnnsearch_length.sh TASK=synthetic): a source
# language whose noun phrases put the adjective after the noun ("el gato
# negro") and a target language that puts it before ("the black cat"), with
# a one-to-one word dictionary between them (pseudo-words built from
# syllables, so no real language is assumed). A sentence is 1-7 clauses
# "NP VERB NP [ADVERB]" joined by a conjunction; a noun phrase is
# "DET NOUN [ADJ]" (an adjective half of the time), so lengths run from 3 to
# about 60 words and every content word is drawn from a vocabulary large
# enough (240 nouns, 80 adjectives, 80 verbs, 20 adverbs) that a fixed-size
# summary of a long sentence cannot hold it. Deterministic for a seed: the
# random numbers come from a Park-Miller generator in plain awk arithmetic
# (exact in doubles), so every awk gives the same files.
#   sh recipes/reorder_task.sh OUTDIR [TRAIN_PAIRS] [SEED]
# writes OUTDIR/train.tsv, valid.tsv and test.tsv (source TAB target).
set -eu
out=${1:?usage: reorder_task.sh OUTDIR [TRAIN_PAIRS] [SEED]}
n_train=${2:-40000}
seed=${3:-1}
mkdir -p "$out"
awk -v n_train="$n_train" -v seed="$seed" -v out="$out" '
function rnd() { state = (state * 16807) % 2147483647; return state / 2147483647 }
function pick(n) { return int(rnd() * n) }
# word(kind, i, lang): a pseudo-word, the same for every call with these arguments
function word(prefix, i, sy, nsy,    w, k, j) {
    w = prefix
    j = i
    for (k = 0; k < 2; k++) { w = w sy[j % nsy + 1]; j = int(j / nsy) + k + 1 }
    return w
}
BEGIN {
    state = seed * 7919 + 17
    ns = split("ba be bi bo bu da de di do du fa fe fi fo fu ga ge gi go gu la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu", S, " ")
    nt = split("ka ke ki ko ku ha he hi ho hu wa we wi wo wu ya ye yo zo za ze zi zu ja je ji jo ju va ve vi vo vu xa xe xi xo xu ca ce ci co cu qa qe qi qo qu", T, " ")
    NN = 240; NA = 80; NV = 80; NR = 20
    for (i = 0; i < NN; i++) { sn[i] = word("", i, S, ns); tn[i] = word("", i, T, nt) }
    for (i = 0; i < NA; i++) { sa[i] = word("", i + 300, S, ns) "l"; ta[i] = word("", i + 300, T, nt) "n" }
    for (i = 0; i < NV; i++) { sv[i] = word("", i + 600, S, ns) "r"; tv[i] = word("", i + 600, T, nt) "s" }
    for (i = 0; i < NR; i++) { sr[i] = word("", i + 900, S, ns) "mente"; tr[i] = word("", i + 900, T, nt) "ly" }
    split("el la los las", sd, " "); split("the this that these", td, " ")
    split("y pero porque", sc, " "); split("and but because", tc, " ")
    split("train valid test", part, " ")
    count["train"] = n_train; count["valid"] = 1000; count["test"] = 1500
    for (p = 1; p <= 3; p++) {
        f = out "/" part[p] ".tsv"
        for (s = 0; s < count[part[p]]; s++) {
            src = ""; tgt = ""
            clauses = 1 + pick(7)
            for (c = 0; c < clauses; c++) {
                if (c > 0) { k = 1 + pick(3); src = src " " sc[k]; tgt = tgt " " tc[k] }
                for (np = 0; np < 2; np++) {
                    d = 1 + pick(4); n = pick(NN)
                    src = src " " sd[d] " " sn[n]; tp = td[d]
                    if (pick(2)) { a = pick(NA); src = src " " sa[a]; tp = tp " " ta[a] }
                    tgt = tgt " " tp " " tn[n]
                    if (np == 0) { v = pick(NV); src = src " " sv[v]; tgt = tgt " " tv[v] }
                }
                if (pick(3) == 0) { r = pick(NR); src = src " " sr[r]; tgt = tgt " " tr[r] }
            }
            print substr(src, 2) "\t" substr(tgt, 2) > f
        }
        close(f)
    }
}'
