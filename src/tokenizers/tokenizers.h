/* tokenizers.h — what the data layer uses of the tokenizers beyond the
 * public API (include/attn/tokenizer.h): encoding into a growing buffer
 * with file-relative offsets, building a character vocabulary, writing a
 * tokenizer.json. The tokenizers' own internals stay in tokenizer_impl.h. */
#ifndef ATTN_TOKENIZERS_H
#define ATTN_TOKENIZERS_H

#include "attn/tokenizer.h"
#include "core/core.h"

#include <cJSON.h>

/* Encodes text (added tokens included), appending to out; offsets in errors
 * are base + offset. attn_tokenizer_encode is this plus allocation; prepare
 * calls it to encode a document in pieces with file-relative offsets. */
attn_status tokenizer_encode_append(const attn_tokenizer *tok, const char *text, size_t len, size_t base,
                                    tok_ids *out);

/* Builds a char vocabulary over several texts: the sorted set of their code
 * points, then "<|endoftext|>". Errors name text i as names[i] when names
 * is non-NULL. */
attn_status char_tokenizer_new(const char *const *texts, const size_t *lens, int n_texts,
                               const char *const *names, attn_tokenizer **out);

/* Adds a family tag ("<Pkinase>") to an amino-acid tokenizer as a special
 * added token with the next id (the vocabulary grows by one); a tag it holds
 * already keeps its id. *id is the tag's id. Another kind of tokenizer:
 * ATTN_ERR_UNSUPPORTED. */
attn_status amino_tokenizer_add_tag(attn_tokenizer *tok, const char *tag, int32_t *id);

/* Prints root into path atomically. */
attn_status tokenizer_json_write(const cJSON *root, const char *path);

#endif
