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
 * instead, and one with neither is refused (ATTN_ERR_UNSUPPORTED).
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
} attn_prepare_params;

ATTN_API attn_prepare_params attn_prepare_default_params(void);

typedef struct attn_prepare_result {
    int64_t n_train, n_val;       /* tokens written, eot tokens included */
    int32_t vocab_size;
} attn_prepare_result;

/* Tokenizes the inputs and writes out_dir/{train.bin,val.bin,tokenizer.json,
 * meta.json}. Errors name the file: a missing input (ATTN_ERR_IO), an empty
 * one (ATTN_ERR_INVALID_ARG), invalid UTF-8 (ATTN_ERR_FORMAT, with the byte
 * offset), no inputs or val_fraction outside [0, 0.5] (ATTN_ERR_INVALID_ARG).
 * res may be NULL. */
ATTN_API attn_status attn_prepare(const attn_prepare_params *p, attn_prepare_result *res);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_DATA_H */
