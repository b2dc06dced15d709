/* data.h — token shards on disk, and `prepare` (text files -> shards).
 *
 * ---- Token shard file format (".bin"), version 1 --------------------------
 * All integers little-endian. Header is 32 bytes:
 *
 *   offset size  field
 *        0    8  magic "ATTNTOK1" (bytes 41 54 54 4E 54 4F 4B 31)
 *        8    4  uint32 version = 1
 *       12    4  uint32 bytes_per_token: 2 if vocab_size <= 65536, else 4
 *       16    8  uint64 n_tokens
 *       24    4  uint32 vocab_size (every token is < vocab_size)
 *       28    4  uint32 reserved = 0
 *       32    -  n_tokens tokens, each a uint16 or uint32 (bytes_per_token)
 *
 * The file is exactly 32 + n_tokens * bytes_per_token bytes long; anything
 * else is an error. A shard is written atomically (temp file + rename) and
 * read through mmap.
 *
 * ---- prepare -----------------------------------------------------------------
 * Each input file is one document. The last val_fraction of each document's
 * bytes goes to validation: the cut is placed just after the first newline at
 * or after byte floor(len * (1 - val_fraction)), so validation text starts at
 * a line start (if no newline follows that point, the cut falls on the next
 * code-point boundary instead). Every non-empty piece is followed by the
 * end-of-text token, so both streams are documents separated by eot:
 *   train.bin = doc1[:cut1] eot doc2[:cut2] eot ...
 *   val.bin   = doc1[cut1:] eot doc2[cut2:] eot ...   (empty pieces skipped)
 * eot is the tokenizer's "<|endoftext|>"; a tokenizer without one (BERT's
 * WordPiece vocabularies) ends documents with its "[SEP]" added token
 * instead, or else with "</s>" (BART's and RoBERTa's), and one with none of
 * them is refused (ATTN_ERR_UNSUPPORTED).
 * Protein sequence files: with the amino-acid tokenizer, a FASTA file (first
 * non-blank character '>') or a Stockholm alignment ("# STOCKHOLM" first,
 * gaps removed; src/data/fasta.h) gives one document per sequence instead:
 * [tag] residues eot. The last floor(n * val_fraction) of a file's n
 * sequences go to val.bin, the rest to train.bin. A family tag ("<Pkinase>"
 * from family_tag, or from the file's base name up to its first '.' with
 * family_tag_from_file) starts each of the file's sequences; tags are added
 * special tokens of the tokenizer (ids 26, 27, ... in the order first met;
 * a loaded tokenizer's own tags keep theirs). Tags need sequence files.
 * out_dir receives train.bin, val.bin, tokenizer.json and meta.json
 * ({"tokenizer", "vocab_size", "n_train", "n_val", "val_fraction", "inputs"}). */
#ifndef ATTN_DATA_H
#define ATTN_DATA_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATTN_SHARD_MAGIC "ATTNTOK1"
#define ATTN_SHARD_VERSION 1
#define ATTN_SHARD_HEADER_BYTES 32

/* Writes n tokens (each in 0..vocab_size-1, else ATTN_ERR_INVALID_ARG) to
 * path atomically. ids may be NULL when n is 0. */
ATTN_API attn_status attn_shard_write(const char *path, const int32_t *ids, int64_t n, int32_t vocab_size);

typedef struct attn_shard attn_shard;   /* an mmapped, read-only shard */

/* Opens and checks the header: magic, version, bytes_per_token, reserved,
 * and the file size against n_tokens (short file -> ATTN_ERR_FORMAT
 * "... truncated ..."). Token values are not scanned here; attn_shard_read
 * checks the ones it returns. */
ATTN_API attn_status attn_shard_open(const char *path, attn_shard **out);
ATTN_API int64_t attn_shard_len(const attn_shard *s);          /* n_tokens */
ATTN_API int32_t attn_shard_vocab_size(const attn_shard *s);

/* Copies tokens [start, start+n) into out. A range outside 0..len ->
 * ATTN_ERR_INVALID_ARG; a token >= vocab_size -> ATTN_ERR_FORMAT. */
ATTN_API attn_status attn_shard_read(const attn_shard *s, int64_t start, int64_t n, int32_t *out);
ATTN_API void attn_shard_close(attn_shard *s);                 /* NULL is a no-op */

typedef struct attn_prepare_params {
    const char *tokenizer;        /* "char" (learn a char vocab from the inputs), "amino", or a
                                     tokenizer directory / tokenizer.json path */
    const char *const *inputs;    /* text files, UTF-8, one document each */
    int n_inputs;
    const char *out_dir;          /* created (with parents) if missing */
    double val_fraction;          /* in [0, 0.5]; default 0.1 */
    const char *family_tag;       /* NULL, or a family name: "<NAME>" starts every sequence */
    bool family_tag_from_file;    /* the tag of each file's sequences is its base name */
} attn_prepare_params;

ATTN_API attn_prepare_params attn_prepare_default_params(void);

typedef struct attn_prepare_result {
    int64_t n_train, n_val;       /* tokens written, eot tokens included */
    int32_t vocab_size;
    int64_t n_unknown;            /* characters outside a given tokenizer's vocabulary
                                     (attn_tokenizer_unknown_count) ... */
    bool unknown_as_unk;          /* ... written as its "<unk>" (else left out) */
    int64_t n_sequences;          /* documents read from FASTA / Stockholm files */
} attn_prepare_result;

/* Tokenizes the inputs and writes out_dir/{train.bin,val.bin,tokenizer.json,
 * meta.json}. Errors name the file: a missing input (ATTN_ERR_IO), an empty
 * one (ATTN_ERR_INVALID_ARG), invalid UTF-8 (ATTN_ERR_FORMAT, with the byte
 * offset; NUL bytes too: attn_text_check), no inputs or val_fraction outside
 * [0, 0.5] (ATTN_ERR_INVALID_ARG).
 * res may be NULL. */
ATTN_API attn_status attn_prepare(const attn_prepare_params *p, attn_prepare_result *res);


/* ---- Pair shard file format (".pairs"), version 1 ----------------------------
 * Translation pairs, tokenized and wrapped, for seq2seq models. All integers
 * little-endian. Header is 72 bytes:
 *
 *   offset size  field
 *        0    8  magic "ATTNPAR1" (bytes 41 54 54 4E 50 41 52 31)
 *        8    4  uint32 version = 1
 *       12    4  uint32 bytes_per_token: 2 if vocab_size <= 65536, else 4
 *       16    8  uint64 n_pairs
 *       24    8  uint64 n_src_tokens (sum of the source lengths)
 *       32    8  uint64 n_tgt_tokens (sum of the target lengths)
 *       40    4  uint32 vocab_size (every token is < vocab_size)
 *       44    4  int32  pad_id            (-1: the tokenizer has none)
 *       48    4  int32  decoder_start_id  first decoder input of every target
 *       52    4  int32  src_bos  \
 *       56    4  int32  src_eos   | the wrapping prepare applied (-1: none):
 *       60    4  int32  tgt_bos   | source = [src_bos] ids [src_eos],
 *       64    4  int32  tgt_eos  /  target = [tgt_bos] ids [tgt_eos]
 *       68    4  uint32 reserved = 0
 *       72    -  n_pairs length records: uint32 src_len, uint32 tgt_len
 *                (wrapped lengths, each >= 1)
 *        -    -  n_src_tokens source tokens, pair after pair, no separators
 *        -    -  n_tgt_tokens target tokens, pair after pair
 *
 * The file is exactly 72 + 8 n_pairs + (n_src_tokens + n_tgt_tokens) *
 * bytes_per_token bytes long; the lengths must add up to the totals; ids in
 * the header are -1 or < vocab_size (decoder_start_id never -1). Written
 * atomically, read through mmap.
 *
 * Wrapping (attn_pairs_wrap), with the tokenizer's "<s>" and "</s>":
 *   ATTN_WRAP_BART  source <s> x </s>, target <s> y </s>, decoder start </s>
 *                   (BART / transformers: decoder input </s> <s> y, labels
 *                   <s> y </s>); the default.
 *   ATTN_WRAP_EOS   source x </s>, target y </s>, decoder start </s>
 *                   (fairseq's Transformer: decoder input </s> y, labels y </s>).
 * The batch loader forms decoder input = decoder_start_id, target[0..len-2]
 * and labels = target[0..len-1] (see attn_pair_batch). */

#define ATTN_PAIRS_MAGIC "ATTNPAR1"
#define ATTN_PAIRS_VERSION 1
#define ATTN_PAIRS_HEADER_BYTES 72

typedef enum attn_pairs_wrap { ATTN_WRAP_BART = 0, ATTN_WRAP_EOS = 1 } attn_pairs_wrap;

/* What a pair shard's header holds (plus the longest lengths, found on open). */
typedef struct attn_pairs_info {
    int64_t n_pairs, n_src_tokens, n_tgt_tokens;
    int32_t vocab_size, pad_id, decoder_start_id;
    int32_t src_bos, src_eos, tgt_bos, tgt_eos;
    int32_t max_src_len, max_tgt_len;   /* ignored by attn_pairs_write */
} attn_pairs_info;

/* Writes info->n_pairs pairs to path atomically. Pair i's source is
 * src[src_off[i] .. src_off[i+1]) and its target tgt[tgt_off[i] ..
 * tgt_off[i+1]) (offsets: n_pairs + 1 entries, starting at 0). Every side
 * must be non-empty and every id in 0..vocab_size-1 (else
 * ATTN_ERR_INVALID_ARG); totals come from the offsets. */
ATTN_API attn_status attn_pairs_write(const char *path, const attn_pairs_info *info, const int32_t *src,
                                      const int64_t *src_off, const int32_t *tgt, const int64_t *tgt_off);

typedef struct attn_pairs attn_pairs;   /* an mmapped, read-only pair shard */

/* Opens path and checks everything but the token values: magic, version,
 * sizes, header ids, every length record against the totals (ATTN_ERR_FORMAT
 * naming the file and what is wrong; ATTN_ERR_UNSUPPORTED for another
 * version). attn_pairs_read checks the tokens it returns. */
ATTN_API attn_status attn_pairs_open(const char *path, attn_pairs **out);
ATTN_API void attn_pairs_close(attn_pairs *p);   /* NULL is a no-op */
ATTN_API attn_pairs_info attn_pairs_get_info(const attn_pairs *p);
/* Wrapped lengths of pair i (0 <= i < n_pairs; else 0). */
ATTN_API int32_t attn_pairs_src_len(const attn_pairs *p, int64_t i);
ATTN_API int32_t attn_pairs_tgt_len(const attn_pairs *p, int64_t i);
/* Copies pair i's source and target (src_len / tgt_len ids; either buffer
 * may be NULL to skip it). A token >= vocab_size -> ATTN_ERR_FORMAT. */
ATTN_API attn_status attn_pairs_read(const attn_pairs *p, int64_t i, int32_t *src, int32_t *tgt);

/* ---- prepare for parallel text -------------------------------------------------
 * Input files hold one pair per line: source TAB target, UTF-8, LF (a CR
 * before the LF is dropped; the last line may lack its LF). Errors, each
 * naming file and line (ATTN_ERR_FORMAT): a line without a tab, a line with
 * more than one tab, an empty (or all-blank) source or target, invalid UTF-8
 * (with the byte offset in the line); an empty file or an unreadable one
 * (ATTN_ERR_INVALID_ARG / ATTN_ERR_IO). Nothing is written when any input
 * fails. A pair whose wrapped source or target is longer than max_len tokens
 * is skipped and counted (max_len 0: no limit). Each side is tokenized on its
 * own, without the tokenizer's post-processor; the wrapping is explicit (see
 * the format above) and needs the tokenizer's "</s>" (and "<s>" for BART). */
typedef struct attn_prepare_pairs_params {
    const char *tokenizer;   /* tokenizer directory or tokenizer.json */
    const char *train;       /* required */
    const char *val, *test;  /* optional (NULL) */
    const char *out_dir;     /* created (with parents) if missing */
    attn_pairs_wrap wrap;
    int64_t max_len;         /* per side, wrapped; 0 = no limit */
} attn_prepare_pairs_params;

ATTN_API attn_prepare_pairs_params attn_prepare_pairs_default_params(void);

typedef struct attn_pairs_split_stats {
    int64_t n_lines, n_pairs, n_skipped;   /* skipped: over max_len */
    int64_t n_src_tokens, n_tgt_tokens;
    int32_t max_src_len, max_tgt_len;
} attn_pairs_split_stats;

typedef struct attn_prepare_pairs_result {
    attn_pairs_split_stats train, val, test;   /* val / test all 0 when not given */
    int32_t vocab_size;
    int64_t n_unknown;            /* characters outside a character tokenizer's vocabulary, all
                                     splits (attn_tokenizer_unknown_count) ... */
    bool unknown_as_unk;          /* ... written as its "<unk>" (else left out) */
} attn_prepare_pairs_result;

/* Writes out_dir/train.pairs (and val.pairs, test.pairs for the files given),
 * tokenizer.json and meta.json ({"format": "pairs", "tokenizer", "vocab_size",
 * "wrap", "max_len", "pad_id", "decoder_start_id", "splits": {"train": {"input",
 * "lines", "pairs", "skipped", "src_tokens", "tgt_tokens", "max_src_len",
 * "max_tgt_len"}, ...}}). res may be NULL. */
ATTN_API attn_status attn_prepare_pairs(const attn_prepare_pairs_params *p, attn_prepare_pairs_result *res);

/* ---- pair-batch loader -----------------------------------------------------------
 * Batches of whole pairs under a token budget, grouped by length. An epoch's
 * plan is a pure function of (seed, epoch): with shuffle, the pairs are
 * permuted, the permutation is cut into chunks of chunk_pairs, each chunk is
 * sorted by (max(src_len, tgt_len), src_len, tgt_len, index), cut greedily
 * into batches, and the epoch's batches are permuted; without shuffle (for
 * evaluation) the pairs are taken in file order, each chunk sorted and cut the
 * same way, and the batches keep that order. A batch of B pairs padded to S
 * source and T target positions satisfies B * max(S, T) <= batch_tokens and
 * B <= max_batch_pairs (if set). Every pair is in exactly one batch of an
 * epoch. After the last batch of epoch e the next call starts epoch e + 1.
 * The state (epoch, position) is all a checkpoint needs: seeking to it in a
 * loader made with the same params and shard gives the same batches. */
typedef struct attn_pair_loader_params {
    int64_t batch_tokens;      /* the budget (default 4096) */
    int64_t max_batch_pairs;   /* 0: no cap */
    int64_t chunk_pairs;       /* sorting window (default 4096 pairs) */
    uint64_t seed;
    bool shuffle;              /* default true */
    int32_t pad_id;            /* -1 (default): the shard's pad_id, which must exist */
    int32_t label_pad;         /* tgt_out at padding (default -1, ignored by the loss) */
} attn_pair_loader_params;

ATTN_API attn_pair_loader_params attn_pair_loader_default_params(void);

/* One batch. Arrays are row-major and owned by the loader: valid until the
 * next attn_pair_loader_next or _free. Row b holds pair index[b]:
 *   src[b*S + s]     = source[s] for s < src_len[b], then pad_id
 *   tgt_in[b*T + t]  = decoder_start_id for t = 0, target[t-1] for
 *                      0 < t < tgt_len[b], then pad_id
 *   tgt_out[b*T + t] = target[t] for t < tgt_len[b], then label_pad
 * S and T are the batch's longest source and target. */
typedef struct attn_pair_batch {
    int64_t B, S, T;
    const int32_t *src, *tgt_in, *tgt_out;
    const int32_t *src_len, *tgt_len;
    const int64_t *index;
    int64_t n_src_tokens, n_tgt_tokens;   /* non-padding tokens */
} attn_pair_batch;

typedef struct attn_pair_loader attn_pair_loader;

/* Makes a loader over an open shard (borrowed: close it after the loader)
 * at epoch 0, position 0; buffers are allocated here, none later. Errors:
 * ATTN_ERR_INVALID_ARG for batch_tokens or chunk_pairs < 1, an empty shard,
 * no pad id, or a pair with max(src_len, tgt_len) > batch_tokens (the
 * message names it). */
ATTN_API attn_status attn_pair_loader_new(const attn_pairs *pairs, const attn_pair_loader_params *params,
                                          attn_pair_loader **out);
ATTN_API void attn_pair_loader_free(attn_pair_loader *l);   /* NULL is a no-op */
/* Fills *batch with the next batch (moving to the next epoch as needed). */
ATTN_API attn_status attn_pair_loader_next(attn_pair_loader *l, attn_pair_batch *batch);
/* Where the next batch comes from: epoch and batch position within it. */
ATTN_API void attn_pair_loader_state(const attn_pair_loader *l, int64_t *epoch, int64_t *position);
/* Jumps to (epoch, position); position may equal the epoch's batch count
 * (then the next batch is the next epoch's first). Negative values or a
 * position past the end -> ATTN_ERR_INVALID_ARG. */
ATTN_API attn_status attn_pair_loader_seek(attn_pair_loader *l, int64_t epoch, int64_t position);
/* Batches in the current epoch. */
ATTN_API int64_t attn_pair_loader_num_batches(const attn_pair_loader *l);
/* Jumps to where a loader that has handed out k batches since epoch 0,
 * position 0 stands (epochs differ in batch count, so this plans each epoch
 * it passes: about 10 ms per epoch of 26k pairs). A training loop taking a
 * fixed number of batches per step resumes from the step count alone. */
ATTN_API attn_status attn_pair_loader_seek_batches(attn_pair_loader *l, int64_t k);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_DATA_H */
