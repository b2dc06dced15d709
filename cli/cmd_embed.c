/* attn embed / attn similar — sentence embeddings from an encoder (BERT,
 * RoBERTa, MiniLM), as sentence-transformers computes them: each line is
 * tokenized as [CLS] line [SEP] (truncated to the model's maximum input
 * length: max_seq_length of sentence_bert_config.json when present), the
 * last hidden states are averaged over the real tokens, and optionally
 * L2-normalised. Lines are batched by length so that little padding is
 * computed; results come out in input order.
 *
 * Protein models (ESM, or an encoder on attn's amino-acid tokenizer; or
 * --protein, or --per-residue): each sequence (a line, or a FASTA record: its lines joined,
 * whitespace dropped) is framed <cls> residues <eos> (<sep> / [SEP] where
 * the vocabulary has no <eos>), and the embedding is the mean of the last
 * hidden states over the residues only, the framing tokens excluded;
 * --per-residue DIR writes each sequence's residue states as DIR/N.npy
 * (residues, width), N its 0-based index, with DIR/index.tsv naming them. */
#include "cli.h"

#include "attn/encoder.h"
#include "attn/model.h"
#include "attn/tokenizer.h"

#include <errno.h>
#include <sys/stat.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- embedding ------------------------------------------------------------ */

typedef struct tokenized {
    int32_t *ids, *types;
    int64_t n;
} tokenized;

static const int64_t *sort_lengths; /* for qsort */
static int by_length(const void *a, const void *b) {
    int64_t x = sort_lengths[*(const int64_t *)a], y = sort_lengths[*(const int64_t *)b];
    if (x != y) return x < y ? -1 : 1;
    return *(const int64_t *)a < *(const int64_t *)b ? -1 : 1;
}

/* Embeds n texts into out (n, C); *n_tokens (when not NULL) receives the
 * number of real tokens, padding excluded. Batches are formed in order of
 * length; with packed, each batch's tokens go back to back without padding
 * (attn_encoder_embed_packed), else each row is padded to the batch's longest. */
static attn_status embed_texts(attn_model *model, const attn_tokenizer *tok, char *const *texts, const size_t *lens, int64_t n,
                               int64_t max_len, int64_t batch, bool normalize, bool packed, int64_t C, float *out,
                               int64_t *n_tokens) {
    attn_bert_config cfg;
    attn_model_encoder_config(model, &cfg);
    attn_status st = ATTN_OK;
    tokenized *tk = calloc((size_t)(n ? n : 1), sizeof *tk);
    int64_t *order = malloc((size_t)(n ? n : 1) * sizeof *order), *lengths = malloc((size_t)(n ? n : 1) * sizeof *lengths);
    int32_t *ids = NULL, *types = NULL;
    uint8_t *mask = NULL;
    float *emb = NULL;
    int64_t *counts = NULL;
    if (!tk || !order || !lengths) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int64_t longest = 1;
    for (int64_t i = 0; i < n; i++) {
        if ((st = attn_tokenizer_encode_pair(tok, texts[i], lens[i], NULL, 0, max_len, &tk[i].ids, &tk[i].types, &tk[i].n)))
            goto done;
        if (tk[i].n < 1) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "line %lld gives no tokens", (long long)i + 1);
            goto done;
        }
        order[i] = i;
        lengths[i] = tk[i].n;
        if (n_tokens) *n_tokens += tk[i].n;
        if (tk[i].n > longest) longest = tk[i].n;
    }
    cli_warn_unknown("embed", tok, 0);
    sort_lengths = lengths;
    qsort(order, (size_t)n, sizeof *order, by_length);
    ids = malloc((size_t)(batch * longest) * sizeof *ids);
    types = malloc((size_t)(batch * longest) * sizeof *types);
    mask = malloc((size_t)(batch * longest));
    emb = malloc((size_t)(batch * C) * sizeof *emb);
    counts = malloc((size_t)batch * sizeof *counts);
    if (!ids || !types || !mask || !emb || !counts) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int32_t pad = cfg.pad_token_id >= 0 ? cfg.pad_token_id : 0;
    for (int64_t b0 = 0; b0 < n; b0 += batch) {
        int64_t B = n - b0 < batch ? n - b0 : batch, T = 1;
        if (packed) { /* the batch's tokens back to back, no padding */
            int64_t at = 0;
            for (int64_t b = 0; b < B; b++) {
                const tokenized *t = &tk[order[b0 + b]];
                memcpy(ids + at, t->ids, (size_t)t->n * sizeof *ids);
                for (int64_t j = 0; j < t->n; j++) types[at + j] = t->types ? t->types[j] : 0;
                counts[b] = t->n;
                at += t->n;
            }
            st = attn_encoder_embed_packed(model, ids, types, counts, B, normalize, emb);
            if (st == ATTN_ERR_UNSUPPORTED) { /* quantized weights, ESM: the padded pass runs them */
                packed = false;
                b0 -= batch;
                continue;
            }
            if (st) goto done;
        } else {
            for (int64_t b = 0; b < B; b++)
                if (tk[order[b0 + b]].n > T) T = tk[order[b0 + b]].n;
            for (int64_t b = 0; b < B; b++) {
                const tokenized *t = &tk[order[b0 + b]];
                for (int64_t j = 0; j < T; j++) {
                    bool real = j < t->n;
                    ids[b * T + j] = real ? t->ids[j] : pad;
                    types[b * T + j] = real && t->types ? t->types[j] : 0;
                    mask[b * T + j] = real;
                }
            }
            if ((st = attn_encoder_embed(model, ids, types, mask, B, T, normalize, emb))) goto done;
        }
        for (int64_t b = 0; b < B; b++) memcpy(out + order[b0 + b] * C, emb + b * C, (size_t)C * sizeof(float));
    }
done:
    if (tk)
        for (int64_t i = 0; i < n; i++) attn_free(tk[i].ids), attn_free(tk[i].types);
    free(tk), free(order), free(lengths), free(ids), free(types), free(mask), free(emb), free(counts);
    return st;
}

/* Writes the .npy atomically: a failed or interrupted write leaves any
 * earlier file at path as it was. */
static attn_status write_npy(const char *path, const float *x, int64_t rows, int64_t cols) {
    cli_atomic af;
    attn_status st = cli_atomic_open(&af, path);
    if (st) return st;
    FILE *f = af.f;
    char header[128];
    int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %lld), }",
                     (long long)rows, (long long)cols);
    /* magic (6) + version (2) + length (2) + header + padding + '\n', a multiple of 64 */
    int total = (10 + n + 1 + 63) / 64 * 64, pad = total - 10 - n - 1;
    unsigned short hl = (unsigned short)(total - 10);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
    bool ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n;
    for (int i = 0; i < pad && ok; i++) ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    ok = ok && fwrite(x, sizeof(float), (size_t)(rows * cols), f) == (size_t)(rows * cols); /* little-endian host */
    if (!ok) {
        st = attn_errorf(ATTN_ERR_IO, "error writing %s: %s", path, strerror(errno));
        cli_atomic_abort(&af);
        return st;
    }
    return cli_atomic_commit(&af);
}

/* ---- protein sequences ------------------------------------------------------ */

typedef struct seq_list {
    char **name, **seq;      /* malloc'ed; name NULL for a plain line */
    size_t *len;
    int64_t n;
} seq_list;

static void seq_list_free(seq_list *l) {
    for (int64_t i = 0; i < l->n; i++) free(l->name[i]), free(l->seq[i]);
    free(l->name), free(l->seq), free(l->len);
    memset(l, 0, sizeof *l);
}

static bool seq_push(seq_list *l, const char *name, size_t name_len) {
    if (!(l->n & (l->n + 1)) || l->n == 0) { /* grow at 0, 1, 3, 7, ... */
        size_t cap = (size_t)(l->n + 1) * 2;
        char **a = realloc(l->name, cap * sizeof *a), **b = a ? realloc(l->seq, cap * sizeof *b) : NULL;
        if (a) l->name = a;
        if (b) l->seq = b;
        size_t *c = b ? realloc(l->len, cap * sizeof *c) : NULL;
        if (!c) return false;
        l->len = c;
    }
    l->name[l->n] = name ? strndup(name, name_len) : NULL;
    l->seq[l->n] = malloc(1);
    l->len[l->n] = 0;
    if (!l->seq[l->n] || (name && !l->name[l->n])) return false;
    l->seq[l->n][0] = 0;
    l->n++;
    return true;
}

static bool seq_append(seq_list *l, const char *s, size_t n) {
    char *t = realloc(l->seq[l->n - 1], l->len[l->n - 1] + n + 1);
    if (!t) return false;
    size_t k = l->len[l->n - 1];
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') t[k++] = s[i];
    t[k] = 0;
    l->seq[l->n - 1] = t;
    l->len[l->n - 1] = k;
    return true;
}

/* Sequences from text: FASTA when its first non-blank line starts with '>'
 * (records; a blank line inside is skipped), else one per line. */
static attn_status read_sequences(char *text, size_t len, seq_list *out) {
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
    bool fasta = i < len && text[i] == '>';
    for (size_t at = 0; at < len;) {
        char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        const char *line = text + at;
        at += n + 1;
        if (n && line[n - 1] == '\r') n--;
        bool ok = true;
        if (fasta && n && line[0] == '>') {
            ok = seq_push(out, line + 1, n - 1);
        } else if (fasta) {
            if (!n) continue;
            if (!out->n) return attn_errorf(ATTN_ERR_FORMAT, "FASTA: sequence before the first '>' header");
            ok = seq_append(out, line, n);
        } else {
            ok = seq_push(out, NULL, 0) && seq_append(out, line, n);
        }
        if (!ok) return ATTN_ERR_OUT_OF_MEMORY;
    }
    return ATTN_OK;
}

/* The first of names the tokenizer has as an added token, or -1. */
static int32_t first_added(const attn_tokenizer *tok, const char *const *names) {
    for (; *names; names++) {
        int32_t id = attn_tokenizer_added_id(tok, *names);
        if (id >= 0) return id;
    }
    return -1;
}

/* Mean residue embeddings (n, C) into out, and with dir each sequence's
 * residue states as dir/N.npy; sequences are truncated to max_len - 2 residues. */
static attn_status embed_proteins(attn_model *model, const attn_tokenizer *tok, const seq_list *sq, int64_t max_len,
                                  int64_t batch, bool normalize, int64_t C, const char *dir, float *out,
                                  int64_t *n_tokens) {
    static const char *const CLS[] = {"<cls>", "[CLS]", "<s>", NULL}, *const END[] = {"<eos>", "<sep>", "[SEP]", "</s>", NULL};
    attn_bert_config cfg;
    attn_model_encoder_config(model, &cfg);
    int32_t cls = first_added(tok, CLS), end = first_added(tok, END), pad = cfg.pad_token_id >= 0 ? cfg.pad_token_id : 0;
    if (cls < 0 || end < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "protein embeddings need a tokenizer with a start token (<cls>, [CLS]) and "
                           "an end token (<eos>, <sep>, [SEP])");
    if (max_len < 3) return attn_errorf(ATTN_ERR_INVALID_ARG, "--max-length must leave room for a residue (3 at least)");
    int64_t n = sq->n;
    attn_status st = ATTN_OK;
    tokenized *tk = calloc((size_t)(n ? n : 1), sizeof *tk);
    int64_t *order = malloc((size_t)(n ? n : 1) * sizeof *order), *lengths = malloc((size_t)(n ? n : 1) * sizeof *lengths);
    int32_t *ids = NULL;
    uint8_t *mask = NULL;
    float *h = NULL;
    FILE *index = NULL;
    char path[4096];
    if (!tk || !order || !lengths) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int64_t longest = 3;
    for (int64_t i = 0; i < n; i++) {
        int32_t *raw = NULL;
        int64_t k = 0;
        if ((st = attn_tokenizer_encode(tok, sq->seq[i], sq->len[i], &raw, &k))) {
            attn_free(raw);
            char msg[512];
            snprintf(msg, sizeof msg, "%s", attn_last_error());
            st = attn_errorf(st, "sequence %lld: %s", (long long)i + 1, msg);
            goto done;
        }
        if (k < 1) {
            attn_free(raw);
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "sequence %lld is empty", (long long)i + 1);
            goto done;
        }
        if (k > max_len - 2) k = max_len - 2;
        tk[i].n = k + 2;
        tk[i].ids = attn_malloc((size_t)tk[i].n * sizeof *tk[i].ids);
        if (!tk[i].ids) {
            attn_free(raw);
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
        tk[i].ids[0] = cls;
        memcpy(tk[i].ids + 1, raw, (size_t)k * sizeof *raw);
        tk[i].ids[k + 1] = end;
        attn_free(raw);
        order[i] = i;
        lengths[i] = tk[i].n;
        if (n_tokens) *n_tokens += tk[i].n;
        if (tk[i].n > longest) longest = tk[i].n;
    }
    cli_warn_unknown("embed", tok, 0);
    if (dir) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            st = attn_errorf(ATTN_ERR_IO, "--per-residue %s: %s", dir, strerror(errno));
            goto done;
        }
        snprintf(path, sizeof path, "%s/index.tsv", dir);
        if (!(index = fopen(path, "w"))) {
            st = attn_errorf(ATTN_ERR_IO, "cannot write %s: %s", path, strerror(errno));
            goto done;
        }
        fputs("file\tresidues\tname\n", index);
    }
    sort_lengths = lengths;
    qsort(order, (size_t)n, sizeof *order, by_length);
    ids = malloc((size_t)(batch * longest) * sizeof *ids);
    mask = malloc((size_t)(batch * longest));
    h = malloc((size_t)(batch * longest * C) * sizeof *h);
    if (!ids || !mask || !h) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int64_t b0 = 0; b0 < n; b0 += batch) {
        int64_t B = n - b0 < batch ? n - b0 : batch, T = 1;
        for (int64_t b = 0; b < B; b++)
            if (tk[order[b0 + b]].n > T) T = tk[order[b0 + b]].n;
        for (int64_t b = 0; b < B; b++) {
            const tokenized *t = &tk[order[b0 + b]];
            for (int64_t j = 0; j < T; j++) {
                ids[b * T + j] = j < t->n ? t->ids[j] : pad;
                mask[b * T + j] = j < t->n;
            }
        }
        if ((st = attn_encoder_hidden(model, ids, NULL, mask, B, T, h))) goto done;
        for (int64_t b = 0; b < B; b++) {
            int64_t i = order[b0 + b], R = tk[i].n - 2; /* residues: positions 1 .. R */
            const float *res = h + (b * T + 1) * C;
            float *o = out + i * C;
            double ss = 0;
            for (int64_t c = 0; c < C; c++) {
                double sum = 0;
                for (int64_t r = 0; r < R; r++) sum += (double)res[r * C + c];
                o[c] = (float)(sum / (double)R);
                ss += (double)o[c] * (double)o[c];
            }
            if (normalize)
                for (int64_t c = 0; c < C; c++) o[c] = (float)((double)o[c] / fmax(sqrt(ss), 1e-12));
            if (dir) {
                snprintf(path, sizeof path, "%s/%06lld.npy", dir, (long long)i);
                if ((st = write_npy(path, res, R, C))) goto done;
            }
        }
    }
    for (int64_t i = 0; index && i < n; i++)
        fprintf(index, "%06lld.npy\t%lld\t%s\n", (long long)i, (long long)(tk[i].n - 2), sq->name[i] ? sq->name[i] : "");
    if (index) {
        bool bad = ferror(index) != 0;
        if (fclose(index) != 0 || bad) st = attn_errorf(ATTN_ERR_IO, "error writing %s/index.tsv", dir);
        index = NULL;
    }
done:
    if (index) fclose(index);
    if (tk)
        for (int64_t i = 0; i < n; i++) attn_free(tk[i].ids);
    free(tk), free(order), free(lengths), free(ids), free(mask), free(h);
    return st;
}

/* ---- the commands --------------------------------------------------------- */

typedef struct embed_args {
    const char *model_dir, *file, *out, *query, *per_residue;
    bool normalize, time, protein, padded;
    long long threads, max_len, batch, top;
    int precision;
} embed_args;

/* Parses both commands' options; returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, bool similar, embed_args *a) {
    const char *cmd = similar ? "similar" : "embed";
    memset(a, 0, sizeof *a);
    a->batch = 32;
    a->precision = ATTN_PRECISION_F32;
    const cli_option embed_options[] = {
        {CLI_STR("--model", "-m", "DIR", &a->model_dir, "model directory (an encoder)")},
        {CLI_FLAG("--normalize", NULL, &a->normalize, "divide each embedding by its L2 norm")},
        {CLI_STR("--out", "-o", "FILE.npy", &a->out, "write a NumPy array instead of printing")},
        {CLI_INT("--max-length", NULL, "N", &a->max_len, 0, CLI_MAX_LEN, "truncate lines to N tokens"),
         .def = "the model's maximum"},
        {CLI_INT("--batch", NULL, "N", &a->batch, 1, CLI_MAX_BATCH, "lines per forward pass")},
        {CLI_FLAG("--protein", NULL, &a->protein,
                  "protein sequences, one per line or FASTA (on by itself for ESM models and amino-acid tokenizers): "
                  "each is framed <cls> residues <eos> and its embedding is the mean over the residues only, the "
                  "special tokens excluded")},
        {CLI_STR("--per-residue", NULL, "DIR", &a->per_residue,
                 "proteins: also write each sequence's residue embeddings as DIR/N.npy, float32 (residues, width), N "
                 "the 0-based sequence index in 6 digits, listed in DIR/index.tsv (file, residues, FASTA name)")},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16|q8_0|q4_0|q4_1", &a->precision, cli_inference_precisions,
                    "the weights and the matrix products' inputs: bf16 rounds both (products summed in fp32); q8_0, "
                    "q4_0 and q4_1 quantize the weight matrices (ggml's blocks; these run padded batches)")},
        {CLI_FLAG("--padded", NULL, &a->padded,
                  "pad each batch to its longest line instead of packing its tokens back to back (slower; the same "
                  "embeddings up to rounding)")},
        {CLI_THREADS(&a->threads)},
        {CLI_FLAG("--time", NULL, &a->time,
                  "print to stderr the encoding time (tokenizing, the forward passes and pooling; not loading the "
                  "model or writing the output)")},
        CLI_END,
    };
    const cli_option similar_options[] = {
        {CLI_STR("--model", "-m", "DIR", &a->model_dir, "model directory (an encoder)")},
        {CLI_STR("--query", "-q", "TEXT", &a->query, "the text to rank the lines against")},
        {CLI_INT("--top", NULL, "N", &a->top, 0, LLONG_MAX, "print the N best lines only; 0 = all")},
        {CLI_INT("--max-length", NULL, "N", &a->max_len, 0, CLI_MAX_LEN, "truncate lines to N tokens"),
         .def = "the model's maximum"},
        {CLI_INT("--batch", NULL, "N", &a->batch, 1, CLI_MAX_BATCH, "lines per forward pass")},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16", &a->precision, cli_precisions,
                    "the weights and the matrix products' inputs: bf16 rounds both (products summed in fp32)")},
        {CLI_THREADS(&a->threads)},
        CLI_END,
    };
    const cli_spec embed_spec = {
        "usage: attn embed -m MODEL [FILE] [--normalize] [--out FILE.npy] [--per-residue DIR]",
        "One embedding per input line (stdin without FILE; on a terminal, read until Ctrl-D):\n"
        "the mean of the encoder's last hidden states over the line's real tokens, as\n"
        "sentence-transformers' mean pooling. Printed as one JSON array per line, or written\n"
        "as a float32 (lines, width) .npy, atomically (a temporary file renamed over FILE).\n"
        "Protein models (ESM, an encoder on the amino-acid tokenizer, --protein) read one\n"
        "sequence per line or FASTA, and average over the residues only: the <cls> and <eos>\n"
        "(<sep>) tokens around each sequence are left out of the mean.",
        embed_options, NULL};
    const cli_spec similar_spec = {
        "usage: attn similar -m MODEL --query TEXT [FILE] [--top N]",
        "Ranks the lines of FILE (stdin without it; on a terminal, read until Ctrl-D) by\n"
        "the cosine similarity of their embeddings (see attn embed) to the query's; prints\n"
        "\"score<TAB>line\", best first.",
        similar_options, NULL};
    int n_pos, r = cli_parse(similar ? &similar_spec : &embed_spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one input file at most");
    if (n_pos) a->file = argv[1];
    if (!a->model_dir) return cli_usage_error("-m MODEL is required (see attn %s --help)", cmd);
    if (similar && !a->query) return cli_usage_error("--query TEXT is required");
    if (a->per_residue) a->protein = true;
    return -1;
}

static const float *rank_scores;
static int by_score(const void *a, const void *b) {
    float x = rank_scores[*(const int64_t *)a], y = rank_scores[*(const int64_t *)b];
    if (x != y) return x > y ? -1 : 1;
    return *(const int64_t *)a < *(const int64_t *)b ? -1 : 1;
}

static int run(int argc, char **argv, bool similar) {
    const char *cmd = similar ? "similar" : "embed";
    embed_args a;
    int rc = parse(argc, argv, similar, &a);
    if (rc >= 0) return rc;
    if ((rc = cli_set_threads(a.threads)) != 0) return rc;
    rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL;
    size_t len = 0;
    cli_lines ln = {0};
    float *emb = NULL, *q = NULL;
    int64_t *order = NULL;
    attn_bert_config cfg;
    attn_status st = attn_model_load(a.model_dir, &model);
    if (st) goto fail;
    if (!attn_model_encoder_config(model, &cfg)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is not an encoder (BERT-family) model", a.model_dir);
        goto fail;
    }
    if (a.precision != ATTN_PRECISION_F32 && (st = attn_model_set_precision(model, (attn_precision)a.precision)))
        goto fail;
    if ((st = attn_tokenizer_load(a.model_dir, &tok))) goto fail;
    if (attn_tokenizer_vocab_size(tok) > cfg.vocab_size) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the tokenizer has %d tokens but the model's vocabulary only %lld",
                         (int)attn_tokenizer_vocab_size(tok), (long long)cfg.vocab_size);
        goto fail;
    }
    int64_t max_len = attn_encoder_max_length(model);
    if (a.max_len > 0 && a.max_len < max_len) max_len = a.max_len;
    if ((st = cli_read_text(a.file, &text, &len))) goto fail;
    int64_t C = cfg.hidden_size;
    if (!similar && (a.protein || cfg.esm || !strcmp(attn_tokenizer_kind(tok), "amino"))) {
        seq_list sq;
        if (!(st = read_sequences(text, len, &sq)) && !(emb = malloc((size_t)((sq.n ? sq.n : 1) * C) * sizeof *emb)))
            st = ATTN_ERR_OUT_OF_MEMORY;
        int64_t n_tokens = 0;
        if (!st) st = embed_proteins(model, tok, &sq, max_len, a.batch, a.normalize, C, a.per_residue, emb, &n_tokens);
        if (!st && a.out) st = write_npy(a.out, emb, sq.n, C);
        for (int64_t i = 0; !st && !a.out && i < sq.n; i++) {
            putchar('[');
            for (int64_t c = 0; c < C; c++) printf(c ? ", %.9g" : "%.9g", (double)emb[i * C + c]);
            fputs("]\n", stdout);
        }
        seq_list_free(&sq);
        if (!st) st = cli_stdout_check();
        if (!st) rc = 0;
        goto fail;
    }
    if (a.per_residue) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--per-residue is for protein sequences (see --protein)");
        goto fail;
    }
    if ((st = cli_split_lines(text, len, &ln))) goto fail;
    emb = malloc((size_t)((ln.n ? ln.n : 1) * C) * sizeof *emb);
    if (!emb) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    struct timespec t0, t1;
    int64_t n_tokens = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((st = embed_texts(model, tok, ln.s, ln.len, ln.n, max_len, a.batch, a.normalize || similar, !a.padded, C, emb,
                          &n_tokens)))
        goto fail;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (a.time) {
        double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        fprintf(stderr, "attn embed: encoded %lld lines (%lld tokens) in %.6f s: %.1f lines/s\n", (long long)ln.n,
                (long long)n_tokens, sec, sec > 0 ? (double)ln.n / sec : 0.0);
    }
    if (similar) {
        char *qtext = malloc(strlen(a.query) + 1);
        size_t qlen = strlen(a.query);
        if (qtext) memcpy(qtext, a.query, qlen + 1);
        if (!(q = malloc((size_t)C * sizeof *q)) || !(order = malloc((size_t)(ln.n ? ln.n : 1) * sizeof *order))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        st = qtext ? embed_texts(model, tok, &qtext, &qlen, 1, max_len, 1, true, true, C, q, NULL) : ATTN_ERR_OUT_OF_MEMORY;
        free(qtext);
        if (st) goto fail;
        float *scores = malloc((size_t)(ln.n ? ln.n : 1) * sizeof *scores);
        if (!scores) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        for (int64_t i = 0; i < ln.n; i++) {
            double s = 0;
            for (int64_t c = 0; c < C; c++) s += (double)q[c] * (double)emb[i * C + c];
            scores[i] = (float)s;
            order[i] = i;
        }
        rank_scores = scores;
        qsort(order, (size_t)ln.n, sizeof *order, by_score);
        int64_t top = a.top > 0 && a.top < ln.n ? a.top : ln.n;
        for (int64_t i = 0; i < top; i++) printf("%.6f\t%s\n", (double)scores[order[i]], ln.s[order[i]]);
        free(scores);
    } else if (a.out) {
        if ((st = write_npy(a.out, emb, ln.n, C))) goto fail;
    } else {
        for (int64_t i = 0; i < ln.n; i++) {
            putchar('[');
            for (int64_t c = 0; c < C; c++) printf(c ? ", %.9g" : "%.9g", (double)emb[i * C + c]);
            fputs("]\n", stdout);
        }
    }
    if ((st = cli_stdout_check()) != ATTN_OK) goto fail;
    rc = 0;
fail:
    if (rc) cli_fail(cmd, st, NULL);
    free(q), free(order), free(emb), free(ln.s), free(ln.len), free(text);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}

int cmd_embed(int argc, char **argv) { return run(argc, argv, false); }
int cmd_similar(int argc, char **argv) { return run(argc, argv, true); }
