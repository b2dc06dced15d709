/* merge_train.h — the merge loop of tokenizers' BpeTrainer, shared by the
 * byte-level BPE trainer (bpe_train.c) and the WordPiece trainer
 * (wordpiece_train.c, whose trainer is BpeTrainer with a "##" prefix).
 *
 * A trainer adds its special tokens and alphabet (merge_trainer_add_token),
 * fills the words as symbol ids (n_words, word_count, syms, sym_off,
 * sym_len; all owned by the trainer once set), counts every adjacent pair
 * once (merge_trainer_count_pair), then runs merge_trainer_run. The result
 * is the token pool (id == pool index) and the merges in the order they
 * were applied. */
#ifndef ATTN_TOKENIZERS_MERGE_TRAIN_H
#define ATTN_TOKENIZERS_MERGE_TRAIN_H

#include "core/strset.h"
#include "tokenizers/tokenizer_impl.h"

typedef struct merge_pair {
    uint64_t key;      /* (left << 32) | right */
    int64_t count;     /* tokenizers' pair_counts: never lowered by the pair's own merge */
    int32_t *rose;     /* words whose count of the pair rose in step `stamp` */
    int32_t n_rose, cap_rose;
    int32_t stamp;
} merge_pair;

/* A queue entry: tokenizers' `Merge` {pair, count, pos}. */
typedef struct merge_item {
    int64_t count;
    uint64_t key;
    int32_t *pos;      /* the words to merge in; owned */
    int32_t n_pos;
} merge_item;

typedef struct merge_trainer {
    /* words, set by the caller */
    int32_t n_words;
    int64_t *word_count;  /* [n_words] occurrences */
    int32_t *syms;        /* all words' symbols */
    int64_t *sym_off;     /* [n_words] */
    int32_t *sym_len;     /* [n_words], shrinks as merges apply */
    /* pairs and the queue */
    merge_pair *pairs;
    int32_t n_pairs, cap_pairs;
    int32_t *pair_slots;  /* pair index + 1, 0 free */
    size_t pair_cap;
    int32_t *touched;     /* pairs that rose in this step */
    int32_t n_touched, cap_touched;
    merge_item *heap;
    size_t n_heap, cap_heap;
    /* tokens: pool index == id */
    str_pool tokens;
    str_index token_index;
    /* the merges applied, in order (a pair merged in two halves twice) */
    int32_t (*merges)[2];
    int64_t n_merges, cap_merges;
} merge_trainer;

void merge_trainer_free(merge_trainer *t);
/* The id of token s[0..n), added at the end if new. */
attn_status merge_trainer_add_token(merge_trainer *t, const char *s, size_t n, int32_t *id);
/* Counts one occurrence of the pair (a, b) in word w (before the run). */
attn_status merge_trainer_count_pair(merge_trainer *t, int32_t a, int32_t b, int32_t w);
/* Merges until the vocabulary has vocab_size tokens, no pair is left or the
 * best count is below min_frequency. The new token is left + right, with
 * right's leading `prefix` (NULL: none) removed. */
attn_status merge_trainer_run(merge_trainer *t, int32_t vocab_size, int64_t min_frequency, const char *prefix);

#endif
