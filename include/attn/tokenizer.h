/* tokenizer.h — text <-> token ids.
 *
 * One opaque attn_tokenizer serves every kind of tokenizer attn knows; the
 * kind is chosen when it is built or detected from tokenizer.json when it is
 * loaded. Kinds:
 *   "char"       one token per Unicode code point (attn's own tokenizer.json);
 *   "amino"      amino acids for protein models (see attn_tokenizer_new_amino);
 *   "bpe"        byte-level BPE exactly as GPT-2 / Hugging Face `tokenizers`:
 *                tokenizer.json with a BPE model and ByteLevel pre-tokenizer,
 *                or vocab.json (encoder.json) + merges.txt (vocab.bpe). Any
 *                byte string encodes and decodes back exactly (bytes that are
 *                not valid UTF-8 pre-tokenize as "other" characters);
 *   "wordpiece"  BERT's WordPiece as `tokenizers` does it (BertNormalizer,
 *                BertPreTokenizer, greedy longest match with "##"): tokenizer.json
 *                or vocab.txt (uncased). attn_tokenizer_encode adds no [CLS]/[SEP]
 *                (add_special_tokens=False); attn_tokenizer_encode_pair does.
 *                Decoding skips special tokens, as `tokenizers` does by default;
 *                invalid UTF-8 bytes are read as U+FFFD, which normalisation drops.
 * A directory given to attn_tokenizer_load is searched for tokenizer.json,
 * then vocab.txt, then vocab.json/encoder.json + merges.txt/vocab.bpe.
 *
 * Added tokens: "<|endoftext|>" (and any other added token a tokenizer.json
 * lists) is matched literally in the text given to attn_tokenizer_encode and
 * becomes its single id; the rest of the text is encoded by the model.
 *
 * Char tokenizer file (tokenizer.json, the layout of Hugging Face's):
 *   {"version": "1.0",
 *    "model": {"type": "Char", "vocab": {"\n": 0, " ": 1, "!": 2, ...}},
 *    "added_tokens": [{"id": 84, "content": "<|endoftext|>", "special": true}]}
 * Every vocab key is exactly one code point; vocab ids and added-token ids
 * together are 0..V-1, each once. U+0000 cannot be in a char vocabulary
 * (JSON strings here are NUL-terminated). */
#ifndef ATTN_TOKENIZER_H
#define ATTN_TOKENIZER_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_tokenizer attn_tokenizer;

/* The literal text of the end-of-text token. */
#define ATTN_EOT_TEXT "<|endoftext|>"
/* The unknown token of char vocabularies. */
#define ATTN_UNK_TEXT "<unk>"

/* Builds a char-level vocabulary from text: the sorted set of Unicode code
 * points in it (ids 0..V-3), then "<|endoftext|>" (V-2) and "<unk>" (V-1),
 * which stands for any character outside the vocabulary.
 * Errors: ATTN_ERR_INVALID_ARG for empty text; ATTN_ERR_FORMAT for invalid
 * UTF-8 (the message gives the byte offset); ATTN_ERR_UNSUPPORTED for a NUL
 * byte (U+0000 cannot be saved). Free the result with attn_tokenizer_free. */
ATTN_API attn_status attn_tokenizer_new_char(const char *text, size_t len, attn_tokenizer **out);

/* The amino-acid tokenizer of protein language models: <pad> <cls> <sep>
 * <mask> <|endoftext|> (ids 0-4), the 20 standard residues A C D E F G H I K
 * L M N P Q R S T V W Y (5-24) and X (25) for U, Z, O, B and any other
 * letter; letters in either case; whitespace skipped; other bytes are an
 * error naming their offset. */
ATTN_API attn_status attn_tokenizer_new_amino(attn_tokenizer **out);

/* Loads a tokenizer from a model/data directory (reads DIR/tokenizer.json) or
 * from the path of a tokenizer.json; the kind comes from "model.type"
 * ("WordLevel" with a per-character Split pre-tokenizer: attn's char or amino
 * vocabulary as it writes them for Hugging Face; "Char" and "AminoAcid": the
 * files attn wrote before).
 * Errors: ATTN_ERR_IO (missing file), ATTN_ERR_FORMAT (malformed JSON, missing
 * or mistyped fields, duplicate or non-contiguous ids, a char vocab key that is
 * not exactly one code point), ATTN_ERR_UNSUPPORTED (a model type attn does
 * not read yet). */
ATTN_API attn_status attn_tokenizer_load(const char *path, attn_tokenizer **out);

/* Writes DIR/tokenizer.json atomically, creating DIR (one level) if needed. */
ATTN_API attn_status attn_tokenizer_save(const attn_tokenizer *tok, const char *dir);

ATTN_API void attn_tokenizer_free(attn_tokenizer *tok);   /* NULL is a no-op */

ATTN_API int32_t attn_tokenizer_vocab_size(const attn_tokenizer *tok);   /* V, added tokens included */
ATTN_API int32_t attn_tokenizer_eot(const attn_tokenizer *tok);          /* "<|endoftext|>" id, or -1 */
ATTN_API const char *attn_tokenizer_kind(const attn_tokenizer *tok);     /* "char", "bpe", "wordpiece" */
/* Id of the added token whose content is exactly `content` (e.g. "[SEP]",
 * "[MASK]", "<mask>"), or -1. */
ATTN_API int32_t attn_tokenizer_added_id(const attn_tokenizer *tok, const char *content);

/* Encodes len bytes of text (need not be NUL-terminated). *ids is allocated
 * with attn_malloc (attn_free it, also when *n_ids is 0). Char-level errors:
 * invalid UTF-8 -> ATTN_ERR_FORMAT "invalid UTF-8 at byte N (0xNN)". A
 * character not in a char vocabulary becomes its "<unk>" id, or, in a
 * vocabulary without one (char vocabularies attn wrote before "<unk>"), is
 * left out; either way attn_tokenizer_unknown_count counts it. */
ATTN_API attn_status attn_tokenizer_encode(const attn_tokenizer *tok, const char *text, size_t len,
                                           int32_t **ids, int64_t *n_ids);

/* Decodes ids into a NUL-terminated byte string (*len excludes the NUL;
 * attn_free *text). An id outside 0..V-1 -> ATTN_ERR_INVALID_ARG. */
/* Characters the tokenizer has met outside its vocabulary (mapped to its
 * unknown token, or left out where it has none) in every encode call so far;
 * a caller compares it before and after encoding to warn once. Thread-safe. */
ATTN_API int64_t attn_tokenizer_unknown_count(const attn_tokenizer *tok);

ATTN_API attn_status attn_tokenizer_decode(const attn_tokenizer *tok, const int32_t *ids, int64_t n,
                                           char **text, size_t *len);

/* The bytes of one token, for streaming output. *bytes is owned by the
 * tokenizer (valid until attn_tokenizer_free) and not NUL-terminated. For
 * byte-level kinds a token may be part of a UTF-8 sequence. */
ATTN_API attn_status attn_tokenizer_token_bytes(const attn_tokenizer *tok, int32_t id,
                                                const char **bytes, size_t *len);

/* Encodes one sequence (b == NULL) or a pair with the tokenizer's
 * post-processor — BERT: [CLS] A [SEP] and [CLS] A [SEP] B [SEP] with token
 * type ids 0 for the first part and 1 for the second; kinds without one:
 * plain concatenation — truncated to max_len tokens (0 = no limit) the way
 * Hugging Face's "longest_first" strategy does. *ids and *type_ids (which may
 * be NULL) are attn_malloc'ed. */
ATTN_API attn_status attn_tokenizer_encode_pair(const attn_tokenizer *tok, const char *a, size_t a_len, const char *b,
                                                size_t b_len, int64_t max_len, int32_t **ids, int32_t **type_ids,
                                                int64_t *n_ids);

/* Learns a byte-level BPE vocabulary from text files, as Hugging Face
 * `tokenizers`' BpeTrainer does (ByteLevelBPETokenizer.train): each file is
 * read line by line and split by GPT-2's pre-tokenizer; ids are
 * "<|endoftext|>" = 0, the 256 byte-level characters by code point, then one
 * per merge; the most frequent adjacent pair is merged until the vocabulary
 * (special token included) has vocab_size entries, no pair is left, or the
 * best pair occurs fewer than min_frequency times. Ties go to the pair with
 * the smallest (left id, right id). The result is a "bpe" tokenizer (save it
 * with attn_tokenizer_save). Errors: ATTN_ERR_INVALID_ARG for vocab_size
 * below 257, a negative min_frequency, no files or no text; ATTN_ERR_IO for
 * an unreadable file. */
ATTN_API attn_status attn_tokenizer_train_bpe(const char *const *files, int n_files, int32_t vocab_size,
                                              int32_t min_frequency, attn_tokenizer **out);

/* attn_tokenizer_train_bpe with the caller's special tokens instead of
 * "<|endoftext|>": they take ids 0..n_special-1 in the order given (as
 * BpeTrainer(special_tokens=[...]) numbers them), are saved as special added
 * tokens, and vocab_size counts them. A seq2seq vocabulary in BART's order:
 * {"<s>", "<pad>", "</s>", "<unk>"}. Errors as attn_tokenizer_train_bpe, and
 * ATTN_ERR_INVALID_ARG for an empty, repeated or one-byte special token or
 * vocab_size below 256 + n_special. */
ATTN_API attn_status attn_tokenizer_train_bpe_special(const char *const *files, int n_files, int32_t vocab_size,
                                                      int32_t min_frequency, const char *const *special,
                                                      int n_special, attn_tokenizer **out);

/* Learns a BERT WordPiece vocabulary from text files, as Hugging Face
 * `tokenizers`' WordPieceTrainer(vocab_size, min_frequency, special_tokens=
 * ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], continuing_subword_prefix=
 * "##") does for a tokenizer with BertNormalizer(lowercase=True) and
 * BertPreTokenizer: ids are the five special tokens (0-4), every character
 * of the normalized words by code point, "##" + each character seen inside a
 * word by code point, then one token per merge (BPE's rule: most frequent
 * adjacent pair, ties to the smallest ids; "##" dropped from the right part)
 * until there are vocab_size tokens, no pair is left, or the best pair occurs
 * fewer than min_frequency times. The vocabulary is larger than vocab_size
 * when the specials and characters alone are. (`tokenizers` numbers the "##"
 * characters in a random order, so its ids and, at the margin, its merges
 * vary between runs; given that order as ours it learns the same vocabulary.)
 * The result is a "wordpiece" tokenizer with BERT's settings ([CLS] A [SEP]
 * post-processing, lowercase, accents stripped). Errors: ATTN_ERR_INVALID_ARG
 * for vocab_size below 5, a negative min_frequency, no files or no words;
 * ATTN_ERR_IO for an unreadable file. */
ATTN_API attn_status attn_tokenizer_train_wordpiece(const char *const *files, int n_files, int32_t vocab_size,
                                                    int32_t min_frequency, attn_tokenizer **out);

/* Progress of the trainers above, for a caller that shows it: fn(phase,
 * done, total, user) is called in the training thread as each phase
 * advances: "reading" (files read and counted of the files given), then
 * "merging" (vocabulary entries so far of vocab_size; once as it starts,
 * then after each merge). The setting belongs to the calling thread and
 * stays until changed; NULL: none. */
typedef void (*attn_tokenizer_train_progress_fn)(const char *phase, int64_t done, int64_t total, void *user);
ATTN_API void attn_tokenizer_train_set_progress(attn_tokenizer_train_progress_fn fn, void *user);

/* Encodes n texts (text i: lens[i] bytes, need not be NUL-terminated; lens
 * NULL: each text is NUL-terminated; a NULL text is empty) on up
 * to n_threads threads (0 = attn's thread count), each exactly as
 * attn_tokenizer_encode would. The ids of all texts are concatenated into
 * *ids (attn_malloc'ed; attn_free it, also when empty); text i's are
 * (*ids)[offsets[i] .. offsets[i+1]-1], so offsets holds n+1 entries, the
 * caller's. On an error the lowest-numbered failing text's status and
 * message are returned ("text 7: ..."), *ids is NULL and offsets undefined.
 * A tokenizer may be used by several threads at once. */
ATTN_API attn_status attn_tokenizer_encode_batch(const attn_tokenizer *tok, const char *const *texts,
                                                 const size_t *lens, int64_t n, int32_t **ids, int64_t *offsets,
                                                 int n_threads);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_TOKENIZER_H */
