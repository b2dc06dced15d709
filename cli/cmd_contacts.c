/* attn contacts — residue contacts from an encoder's attention (ESM's
 * recipe, include/attn/contacts.h): `potts` samples a synthetic family
 * (a planted contact map and sequences from a Potts model on it), `fit`
 * trains the logistic regression on symmetrised, APC-corrected attention
 * maps of a few sequences with known contacts, `predict` scores others:
 * top-L precision against the random-pair baseline and an SVG contact map.
 *
 * Files: sequences are FASTA (or one sequence a line); a contact map is
 * text: '#' comments, a line "length L", then one "i j" line (1-based) per
 * contact. A family's map applies to every sequence read with it (aligned
 * members of one length). The regression is JSON (layers, heads, min_sep,
 * format, bias, weights). */
#include "cli.h"

#include "attn/contacts.h"
#include "attn/encoder.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { FORMAT_CLS = 0, FORMAT_SEP = 1 };
static const cli_choice formats[] = {{"cls", FORMAT_CLS}, {"sep", FORMAT_SEP}, {NULL, 0}};
#define FORMAT_HELP                                                                                                     \
    "the encoder's input around the residues: cls = [CLS] residues [SEP] (the rows of attn train --doc-windows on a " \
    "corpus whose sequences each follow a <sep>, as recipes/contacts.sh trains); sep = [CLS] [SEP] residues [SEP]"

/* ---- files ------------------------------------------------------------------- */

typedef struct seqs {
    char **s;     /* upper-case residue letters, NUL-terminated */
    int64_t n;
} seqs;

static void seqs_free(seqs *q) {
    for (int64_t i = 0; i < q->n; i++) free(q->s[i]);
    free(q->s);
    q->s = NULL;
    q->n = 0;
}

static bool seqs_push(seqs *q, cli_buf *b) {
    if (!b->len) return true;
    char **s = realloc(q->s, sizeof *s * (size_t)(q->n + 1));
    if (!s) return false;
    q->s = s;
    q->s[q->n++] = b->p;
    *b = (cli_buf){0};
    return true;
}

/* FASTA (records after '>' lines) or one sequence a line; letters only. */
static int read_seqs(const char *path, seqs *out) {
    char *text = NULL;
    size_t len = 0;
    attn_status st = cli_read_text(path, &text, &len);
    if (st) return cli_fail(cli_command, st, NULL);
    *out = (seqs){0};
    bool fasta = len > 0 && text[0] == '>';
    cli_buf cur = {0};
    int64_t line = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '>' && (i == 0 || text[i - 1] == '\n')) {
            if (!seqs_push(out, &cur)) goto oom;
            while (i < len && text[i] != '\n') i++;
            line++;
            continue;
        }
        if (c == '\n') {
            line++;
            if (!fasta && !seqs_push(out, &cur)) goto oom;
            continue;
        }
        if (isspace(c)) continue;
        if (!isalpha(c)) {
            free(cur.p);
            free(text);
            seqs_free(out);
            char msg[512];
            snprintf(msg, sizeof msg, "%s: line %lld: '%c' is not a residue letter", path, (long long)line, c);
            return cli_fail(cli_command, ATTN_ERR_FORMAT, msg);
        }
        char u = (char)toupper(c);
        if (!cli_buf_add(&cur, &u, 1)) goto oom;
    }
    if (!seqs_push(out, &cur)) goto oom;
    free(text);
    if (!out->n) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s holds no sequence", path);
        return cli_fail(cli_command, ATTN_ERR_FORMAT, msg);
    }
    return 0;
oom:
    free(cur.p);
    free(text);
    seqs_free(out);
    return cli_fail(cli_command, ATTN_ERR_OUT_OF_MEMORY, "out of memory");
}

/* "length L" then "i j" lines (1-based); map (L, L) malloc'ed. */
static int read_map(const char *path, int64_t *L_out, uint8_t **map_out) {
    char *text = NULL;
    size_t len = 0;
    attn_status st = cli_read_input(path, &text, &len);
    if (st) return cli_fail(cli_command, st, NULL);
    char msg[512];
    int64_t L = 0, line = 0;
    uint8_t *map = NULL;
    char *save = NULL;
    for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        while (isspace((unsigned char)*ln)) ln++;
        if (!*ln || *ln == '#') continue;
        long long a, b;
        char extra;
        if (!map) {
            if (sscanf(ln, "length %lld %c", &a, &extra) != 1 || a < 16 || a > 4096) {
                snprintf(msg, sizeof msg, "%s: line %lld: expected \"length L\" (16 to 4096) before the contacts", path, (long long)line);
                goto bad;
            }
            L = a;
            if (!(map = calloc((size_t)(L * L), 1))) {
                free(text);
                return cli_fail(cli_command, ATTN_ERR_OUT_OF_MEMORY, "out of memory");
            }
            continue;
        }
        if (sscanf(ln, "%lld %lld %c", &a, &b, &extra) != 2 || a < 1 || b < 1 || a > L || b > L || a == b) {
            snprintf(msg, sizeof msg, "%s: line %lld: expected a contact \"i j\" with 1 <= i, j <= %lld, i != j", path, (long long)line,
                     (long long)L);
            goto bad;
        }
        map[(a - 1) * L + (b - 1)] = map[(b - 1) * L + (a - 1)] = 1;
    }
    free(text);
    if (!map) {
        snprintf(msg, sizeof msg, "%s: no \"length L\" line", path);
        return cli_fail(cli_command, ATTN_ERR_FORMAT, msg);
    }
    *L_out = L;
    *map_out = map;
    return 0;
bad:
    free(text);
    free(map);
    return cli_fail(cli_command, ATTN_ERR_FORMAT, msg);
}

static attn_status write_text(const char *path, const char *data, size_t len) {
    cli_atomic out;
    attn_status st = cli_atomic_open(&out, path);
    if (st) return st;
    fwrite(data, 1, len, out.f);
    return cli_atomic_commit(&out);
}

/* ---- features of a sequence ------------------------------------------------------ */

typedef struct encoder {
    attn_model *model;
    attn_tokenizer *tok;
    int64_t layers, heads;
    int32_t cls, sep;
    int format;
} encoder;

static int encoder_open(const char *dir, int format, encoder *e) {
    *e = (encoder){0};
    e->format = format;
    attn_status st = attn_model_load(dir, &e->model);
    if (st) return cli_fail(cli_command, st, NULL);
    attn_bert_config c;
    if (!attn_model_encoder_config(e->model, &c)) {
        attn_model_free(e->model);
        char msg[512];
        snprintf(msg, sizeof msg, "%s is not an encoder: contacts read a BERT-family model's attention", dir);
        return cli_fail(cli_command, ATTN_ERR_INVALID_ARG, msg);
    }
    e->layers = c.n_layer, e->heads = c.n_head;
    if ((st = attn_tokenizer_load(dir, &e->tok))) {
        attn_model_free(e->model);
        return cli_fail(cli_command, st, NULL);
    }
    static const char *const cls[] = {"<cls>", "[CLS]", "<s>", NULL}, *const sep[] = {"<sep>", "[SEP]", "</s>", NULL};
    e->cls = e->sep = -1;
    for (int i = 0; cls[i] && e->cls < 0; i++) e->cls = attn_tokenizer_added_id(e->tok, cls[i]);
    for (int i = 0; sep[i] && e->sep < 0; i++) e->sep = attn_tokenizer_added_id(e->tok, sep[i]);
    if (e->cls < 0 || e->sep < 0) {
        attn_tokenizer_free(e->tok);
        attn_model_free(e->model);
        char msg[512];
        snprintf(msg, sizeof msg, "%s: the tokenizer has no start and end tokens (<cls> <sep>, [CLS] [SEP] or <s> </s>)", dir);
        return cli_fail(cli_command, ATTN_ERR_INVALID_ARG, msg);
    }
    return 0;
}

static void encoder_close(encoder *e) {
    attn_tokenizer_free(e->tok);
    attn_model_free(e->model);
}

/* feat (L, L, layers x heads) of sequence s (L residues). */
static attn_status seq_features(const encoder *e, const char *s, int64_t L, float *feat) {
    int32_t *res = NULL;
    int64_t n = 0;
    attn_status st = attn_tokenizer_encode(e->tok, s, strlen(s), &res, &n);
    if (st) return st;
    if (n != L) {
        attn_free(res);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "a sequence of %lld residues became %lld tokens", (long long)L, (long long)n);
    }
    int64_t first = e->format == FORMAT_SEP ? 2 : 1, T = L + first + 1, nm = e->layers * e->heads;
    int32_t *ids = malloc(sizeof *ids * (size_t)T);
    float *maps = malloc(sizeof *maps * (size_t)(nm * T * T));
    if (!ids || !maps) {
        st = ATTN_ERR_OUT_OF_MEMORY;
    } else {
        ids[0] = e->cls;
        if (first == 2) ids[1] = e->sep;
        memcpy(ids + first, res, sizeof *ids * (size_t)L);
        ids[T - 1] = e->sep;
        st = attn_encoder_attention_maps(e->model, ids, NULL, T, maps);
        if (!st) st = attn_contacts_features(maps, nm, T, first, L, feat);
    }
    attn_free(res);
    free(ids);
    free(maps);
    return st;
}

/* ---- potts ------------------------------------------------------------------------- */

static int contacts_potts(int argc, char **argv) {
    attn_potts_params p = attn_potts_default_params();
    int64_t n = 1000;
    const char *out_dir = NULL;
    const cli_option options[] = {
        {CLI_STR("--out", "-o", "DIR", &out_dir, "write DIR/contacts.txt (the planted map) and DIR/sequences.fasta")},
        {CLI_INT("--length", "-L", "N", &p.length, 1, 4096, "residues per sequence, 16 or more")},
        {CLI_INT("--count", "-n", "N", &n, 1, 10000000, "sequences to sample")},
        {CLI_INT("--seed", NULL, "N", &p.seed, 0, LLONG_MAX, "the map, the model and the samples are functions of it")},
        {CLI_FLOAT("--coupling", NULL, "X", &p.coupling, 0, 50, CLI_CLOSED, "strength of each planted coupling")},
        {CLI_FLOAT("--field", NULL, "X", &p.field, 0, 50, CLI_CLOSED, "standard deviation of the per-site fields")},
        {CLI_INT("--chains", NULL, "N", &p.chains, 1, 1 << 20, "independent Gibbs chains")},
        {CLI_INT("--burn-in", NULL, "N", &p.burn_in, 0, 1 << 20, "sweeps before a chain's first sample")},
        {CLI_INT("--thin", NULL, "N", &p.thin, 1, 1 << 20, "sweeps between a chain's samples")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn contacts potts -o DIR [--length N] [--count N] [--seed N] [options]",
        "A synthetic protein family (not a real structure): a 3D-like contact map planted on a chain\n"
        "(a compact self-avoiding walk on the cubic lattice; residues |i-j| >= 3 on neighbouring sites\n"
        "are in contact), and sequences Gibbs-sampled from a Potts model whose fields are random and\n"
        "whose couplings sit on exactly the planted pairs (include/attn/contacts.h). Defaults:\n"
        "coupling 4, field 0.5, 8 chains, burn-in 200, thin 10.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos) return cli_usage_error("takes no positional arguments");
    if (!out_dir) return cli_usage_error("give the output directory with -o DIR");
    int64_t L = p.length;
    uint8_t *map = malloc((size_t)(L * L)), *s = malloc((size_t)(n * L));
    if (!map || !s) {
        free(map);
        free(s);
        return cli_fail(cli_command, ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    attn_status st = attn_potts_sample(&p, n, map, s);
    cli_buf b = {0};
    char line[256], path[4096];
    bool ok = !st;
    if (ok && mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        ok = false;
        st = attn_errorf(ATTN_ERR_IO, "%s: %s", out_dir, strerror(errno));
    }
    if (ok) {
        int k = snprintf(line, sizeof line,
                         "# synthetic contact map planted by attn contacts potts (not a real structure)\n"
                         "# seed %llu coupling %g field %g\nlength %lld\n",
                         (unsigned long long)p.seed, (double)p.coupling, (double)p.field, (long long)L);
        ok = cli_buf_add(&b, line, (size_t)k);
        for (int64_t i = 0; ok && i < L; i++)
            for (int64_t j = i + 1; ok && j < L; j++)
                if (map[i * L + j]) {
                    k = snprintf(line, sizeof line, "%lld %lld\n", (long long)(i + 1), (long long)(j + 1));
                    ok = cli_buf_add(&b, line, (size_t)k);
                }
        if (!ok) st = ATTN_ERR_OUT_OF_MEMORY;
        snprintf(path, sizeof path, "%s/contacts.txt", out_dir);
        if (ok && (st = write_text(path, b.p, b.len)) != ATTN_OK) ok = false;
    }
    b.len = 0;
    for (int64_t k = 0; ok && k < n; k++) {
        int m = snprintf(line, sizeof line, ">synthetic_potts_seed%llu_%lld\n", (unsigned long long)p.seed, (long long)(k + 1));
        ok = cli_buf_add(&b, line, (size_t)m);
        for (int64_t i = 0; ok && i < L; i++) ok = cli_buf_add(&b, &ATTN_POTTS_ALPHABET[s[k * L + i]], 1);
        ok = ok && cli_buf_add(&b, "\n", 1);
        if (!ok) st = ATTN_ERR_OUT_OF_MEMORY;
    }
    if (ok) {
        snprintf(path, sizeof path, "%s/sequences.fasta", out_dir);
        st = write_text(path, b.p, b.len);
    }
    free(b.p);
    free(map);
    free(s);
    if (st) return cli_fail(cli_command, st, NULL);
    printf("synthetic family: %lld sequences of %lld residues in %s/sequences.fasta, planted map in %s/contacts.txt\n",
           (long long)n, (long long)L, out_dir, out_dir);
    st = cli_stdout_check();
    return st ? cli_fail(cli_command, st, NULL) : 0;
}

/* ---- fit ---------------------------------------------------------------------------- */

static int contacts_fit(int argc, char **argv) {
    const char *model_dir = NULL, *map_path = NULL, *out_path = NULL;
    int64_t n_train = 10, min_sep = 6, first = 1;
    double l2 = 0.01;
    int format = FORMAT_CLS;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "the encoder (a BERT-family Hugging Face directory with its tokenizer)")},
        {CLI_STR("--map", NULL, "FILE", &map_path, "the family's contact map (attn contacts potts writes one)")},
        {CLI_STR("--out", "-o", "FILE", &out_path, "the fitted regression (JSON)")},
        {CLI_INT("--first", NULL, "N", &first, 1, INT64_MAX, "the first sequence to train on (1-based)")},
        {CLI_INT("--train", NULL, "N", &n_train, 1, 100000, "sequences to train on, from --first")},
        {CLI_INT("--min-sep", NULL, "N", &min_sep, 1, 4096, "train on pairs with |i - j| >= N")},
        {CLI_FLOAT("--l2", NULL, "X", &l2, 0, 1e6, CLI_CLOSED, "L2 penalty on the (standardised) weights")},
        {CLI_CHOICE("--format", NULL, "cls|sep", &format, formats, FORMAT_HELP)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn contacts fit -m MODEL --map MAP -o REG.json FASTA [--train N] [options]",
        "Fits ESM's contact regression: features per residue pair are the encoder's attention maps of\n"
        "every layer and head, each symmetrised and APC-corrected; a logistic regression (L2, L-BFGS)\n"
        "learns contact / no contact on the pairs of --train sequences whose contacts MAP gives.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 1) return cli_usage_error("give one FASTA file of sequences");
    if (!model_dir || !map_path || !out_path) return cli_usage_error("give --model, --map and --out");
    seqs q;
    int64_t L;
    uint8_t *map;
    if ((r = read_seqs(argv[1], &q))) return r;
    if ((r = read_map(map_path, &L, &map))) {
        seqs_free(&q);
        return r;
    }
    encoder e;
    if ((r = encoder_open(model_dir, format, &e))) {
        seqs_free(&q);
        free(map);
        return r;
    }
    int64_t F = e.layers * e.heads, used = 0, rows = 0;
    attn_status st = ATTN_OK;
    char msg[512] = "";
    if (first - 1 + n_train > q.n) {
        snprintf(msg, sizeof msg, "%s has %lld sequences: --first %lld --train %lld needs %lld", argv[1], (long long)q.n,
                 (long long)first, (long long)n_train, (long long)(first - 1 + n_train));
        st = ATTN_ERR_INVALID_ARG;
    }
    int64_t per = 0;
    for (int64_t i = 0; i < L; i++) per += L - i - min_sep > 0 ? L - i - min_sep : 0;
    if (!st && per < 1) {
        snprintf(msg, sizeof msg, "no pair of %lld residues is %lld apart (--min-sep)", (long long)L, (long long)min_sep);
        st = ATTN_ERR_INVALID_ARG;
    }
    float *x = NULL, *feat = NULL;
    uint8_t *y = NULL;
    if (!st) {
        x = malloc(sizeof *x * (size_t)(n_train * per * F));
        y = malloc((size_t)(n_train * per));
        feat = malloc(sizeof *feat * (size_t)(L * L * F));
        if (!x || !y || !feat) st = ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int64_t k = first - 1; !st && k < first - 1 + n_train; k++) {
        if ((int64_t)strlen(q.s[k]) != L) {
            snprintf(msg, sizeof msg, "%s: sequence %lld has %lld residues, the map %lld", argv[1], (long long)(k + 1),
                     (long long)strlen(q.s[k]), (long long)L);
            st = ATTN_ERR_INVALID_ARG;
            break;
        }
        if ((st = seq_features(&e, q.s[k], L, feat))) break;
        for (int64_t i = 0; i < L; i++)
            for (int64_t j = i + min_sep; j < L; j++) {
                memcpy(x + rows * F, feat + (i * L + j) * F, sizeof *x * (size_t)F);
                y[rows++] = map[i * L + j];
            }
        used++;
    }
    attn_logreg reg = {0};
    if (!st) st = attn_logreg_fit(x, y, rows, F, l2, &reg);
    if (!st) {
        cJSON *o = cJSON_CreateObject(), *w = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "kind", "attn contacts logistic regression");
        cJSON_AddNumberToObject(o, "layers", (double)e.layers);
        cJSON_AddNumberToObject(o, "heads", (double)e.heads);
        cJSON_AddNumberToObject(o, "min_sep", (double)min_sep);
        cJSON_AddStringToObject(o, "format", format == FORMAT_SEP ? "sep" : "cls");
        cJSON_AddNumberToObject(o, "l2", l2);
        cJSON_AddNumberToObject(o, "train_sequences", (double)used);
        cJSON_AddNumberToObject(o, "bias", reg.b);
        for (int64_t k = 0; k < F; k++) cJSON_AddItemToArray(w, cJSON_CreateNumber(reg.w[k]));
        cJSON_AddItemToObject(o, "weights", w);
        char *text = cJSON_Print(o);
        cJSON_Delete(o);
        if (!text) st = ATTN_ERR_OUT_OF_MEMORY;
        else {
            size_t n = strlen(text);
            text[n] = '\n';
            st = write_text(out_path, text, n + 1);
            cJSON_free(text);
        }
    }
    int64_t pos = 0;
    for (int64_t k = 0; k < rows; k++) pos += y[k];
    attn_logreg_free(&reg);
    free(x);
    free(y);
    free(feat);
    encoder_close(&e);
    seqs_free(&q);
    free(map);
    if (st) return cli_fail(cli_command, st, msg[0] ? msg : NULL);
    printf("fitted on %lld sequences: %lld pairs with |i-j| >= %lld (%lld contacts), %lld features (%lld layers x %lld "
           "heads) -> %s\n",
           (long long)used, (long long)rows, (long long)min_sep, (long long)pos, (long long)F, (long long)e.layers,
           (long long)e.heads, out_path);
    st = cli_stdout_check();
    return st ? cli_fail(cli_command, st, NULL) : 0;
}

/* ---- predict --------------------------------------------------------------------------- */

static int read_regression(const char *path, attn_logreg *reg, int64_t *layers, int64_t *heads, int *format) {
    char *text = NULL;
    size_t len = 0;
    attn_status st = cli_read_input(path, &text, &len);
    if (st) return cli_fail(cli_command, st, NULL);
    cJSON *o = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "weights"), *b = cJSON_GetObjectItemCaseSensitive(o, "bias"),
                *l = cJSON_GetObjectItemCaseSensitive(o, "layers"), *h = cJSON_GetObjectItemCaseSensitive(o, "heads"),
                *f = cJSON_GetObjectItemCaseSensitive(o, "format");
    char msg[512];
    if (!cJSON_IsArray(w) || !cJSON_IsNumber(b) || !cJSON_IsNumber(l) || !cJSON_IsNumber(h) || !cJSON_IsString(f) ||
        l->valuedouble < 1 || h->valuedouble < 1 || l->valuedouble * h->valuedouble != (double)cJSON_GetArraySize(w)) {
        cJSON_Delete(o);
        snprintf(msg, sizeof msg, "%s: not a contact regression of attn contacts fit (layers, heads, format, bias, weights)", path);
        return cli_fail(cli_command, ATTN_ERR_FORMAT, msg);
    }
    *layers = (int64_t)l->valuedouble, *heads = (int64_t)h->valuedouble;
    *format = !strcmp(f->valuestring, "sep") ? FORMAT_SEP : FORMAT_CLS;
    reg->n_features = cJSON_GetArraySize(w);
    reg->b = b->valuedouble;
    if (!(reg->w = attn_malloc(sizeof *reg->w * (size_t)reg->n_features))) {
        cJSON_Delete(o);
        return cli_fail(cli_command, ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    int64_t k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, w) reg->w[k++] = cJSON_IsNumber(it) ? it->valuedouble : (double)NAN;
    cJSON_Delete(o);
    for (k = 0; k < reg->n_features; k++)
        if (!isfinite(reg->w[k]) || !isfinite(reg->b)) {
            attn_logreg_free(reg);
            snprintf(msg, sizeof msg, "%s: weight %lld is not a finite number", path, (long long)k);
            return cli_fail(cli_command, ATTN_ERR_FORMAT, msg);
        }
    return 0;
}

static int contacts_predict(int argc, char **argv) {
    const char *model_dir = NULL, *map_path = NULL, *reg_path = NULL, *svg_path = NULL, *title = NULL;
    int64_t first = 1, count = 0, long_sep = 24, short_sep = 6;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "the encoder the regression was fitted on")},
        {CLI_STR("--regression", "-r", "FILE", &reg_path, "the regression of attn contacts fit")},
        {CLI_STR("--map", NULL, "FILE", &map_path, "the family's true contacts: precision against them")},
        {CLI_INT("--first", NULL, "N", &first, 1, INT64_MAX, "the first sequence to score (1-based)")},
        {CLI_INT("--count", "-n", "N", &count, 0, INT64_MAX, "sequences to score from --first"), .def = "all"},
        {CLI_INT("--min-sep", NULL, "N", &short_sep, 1, 4096, "the shorter separation reported")},
        {CLI_INT("--long-sep", NULL, "N", &long_sep, 1, 4096, "the long-range separation reported (ESM's 24)")},
        {CLI_STR("--svg", NULL, "FILE", &svg_path, "the first scored sequence's contact map: top-L predicted (|i-j| >= "
                                                  "--min-sep) against the true contacts (needs --map)")},
        {CLI_STR("--title", NULL, "TEXT", &title, "the figure's title")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn contacts predict -m MODEL -r REG.json [--map MAP] FASTA [options]",
        "Contact probabilities of each sequence from the encoder's attention through the regression.\n"
        "With --map: precision of the top L, L/2 and L/5 pairs at two separations, averaged over the\n"
        "sequences, against the random-pair baseline (the share of contacts among those pairs).\n"
        "Without: each sequence's top-L pairs (|i-j| >= --min-sep) as \"sequence i j probability\" lines.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 1) return cli_usage_error("give one FASTA file of sequences");
    if (!model_dir || !reg_path) return cli_usage_error("give --model and --regression");
    if (svg_path && !map_path) return cli_usage_error("--svg draws the true contacts too: give --map");
    attn_logreg reg = {0};
    int64_t layers = 0, heads = 0, L = 0;
    int format = FORMAT_CLS;
    if ((r = read_regression(reg_path, &reg, &layers, &heads, &format))) return r;
    seqs q = {0};
    uint8_t *map = NULL;
    encoder e = {0};
    if ((r = read_seqs(argv[1], &q)) || (map_path && (r = read_map(map_path, &L, &map))) ||
        (r = encoder_open(model_dir, format, &e))) {
        attn_logreg_free(&reg);
        seqs_free(&q);
        free(map);
        return r;
    }
    attn_status st = ATTN_OK;
    char msg[512] = "";
    if (e.layers != layers || e.heads != heads) {
        snprintf(msg, sizeof msg, "%s was fitted on %lld layers x %lld heads; %s has %lld x %lld", reg_path, (long long)layers,
                 (long long)heads, model_dir, (long long)e.layers, (long long)e.heads);
        st = ATTN_ERR_INVALID_ARG;
    }
    if (!st && first > q.n) {
        snprintf(msg, sizeof msg, "%s has %lld sequences: --first %lld is past them", argv[1], (long long)q.n, (long long)first);
        st = ATTN_ERR_INVALID_ARG;
    }
    int64_t last = count > 0 && first - 1 + count < q.n ? first - 1 + count : q.n, scored = 0;
    const int64_t seps[2] = {short_sep, long_sep}, div[3] = {1, 2, 5};
    double prec[2][3] = {{0}}, base[2] = {0};
    bool sep_ok[2] = {true, true};
    float *feat = NULL, *prob = NULL;
    for (int64_t k = first - 1; !st && k < last; k++) {
        int64_t n = (int64_t)strlen(q.s[k]);
        if (map && n != L) {
            snprintf(msg, sizeof msg, "%s: sequence %lld has %lld residues, the map %lld", argv[1], (long long)(k + 1), (long long)n,
                     (long long)L);
            st = ATTN_ERR_INVALID_ARG;
            break;
        }
        float *f2 = realloc(feat, sizeof *feat * (size_t)(n * n * reg.n_features)), *p2 = f2 ? realloc(prob, sizeof *prob * (size_t)(n * n)) : NULL;
        if (f2) feat = f2;
        if (p2) prob = p2;
        if (!f2 || !p2) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            break;
        }
        if ((st = seq_features(&e, q.s[k], n, feat))) break;
        attn_logreg_predict(&reg, feat, n * n, prob);
        if (!map) {
            /* the top-L pairs at --min-sep, best first */
            for (int64_t t = 0; t < n; t++) {
                int64_t bi = -1, bj = -1;
                float best = -1;
                for (int64_t i = 0; i < n; i++)
                    for (int64_t j = i + short_sep; j < n; j++)
                        if (prob[i * n + j] > best) best = prob[i * n + j], bi = i, bj = j;
                if (bi < 0) break;
                printf("%lld %lld %lld %.4f\n", (long long)(k + 1), (long long)(bi + 1), (long long)(bj + 1), (double)best);
                prob[bi * n + bj] = -2;
            }
            scored++;
            continue;
        }
        for (int s = 0; s < 2 && !st; s++) {
            if (seps[s] >= L) {
                sep_ok[s] = false;
                continue;
            }
            for (int d = 0; d < 3; d++) {
                double pr, bs;
                if ((st = attn_contacts_precision(prob, map, L, seps[s], L / div[d] > 0 ? L / div[d] : 1, &pr, &bs))) break;
                prec[s][d] += pr;
                if (d == 0) base[s] += bs;
            }
        }
        if (!st && svg_path && scored == 0) {
            char *svg = NULL, t[256];
            size_t len = 0;
            if (!title) snprintf(t, sizeof t, "sequence %lld: predicted vs true contacts", (long long)(k + 1));
            st = attn_contacts_svg(prob, map, L, short_sep, L, title ? title : t, &svg, &len);
            if (!st) st = write_text(svg_path, svg, len);
            attn_free(svg);
        }
        scored++;
    }
    if (!st && map) {
        printf("%lld sequences of %lld residues (%lld to %lld of %s), %lld layers x %lld heads\n", (long long)scored,
               (long long)L, (long long)first, (long long)last, argv[1], (long long)e.layers, (long long)e.heads);
        printf("%-9s %9s %9s %9s %9s %9s %8s\n", "min_sep", "contacts", "baseline", "top-L", "top-L/2", "top-L/5", "L/base");
        for (int s = 0; s < 2; s++) {
            if (!sep_ok[s] || !scored) {
                printf("%-9lld (no pair of %lld residues is that far apart)\n", (long long)seps[s], (long long)L);
                continue;
            }
            int64_t nc = 0;
            for (int64_t i = 0; i < L; i++)
                for (int64_t j = i + seps[s]; j < L; j++) nc += map[i * L + j];
            double bs = base[s] / (double)scored;
            printf("%-9lld %9lld %9.4f %9.4f %9.4f %9.4f %8.2f\n", (long long)seps[s], (long long)nc, bs,
                   prec[s][0] / (double)scored, prec[s][1] / (double)scored, prec[s][2] / (double)scored,
                   bs > 0 ? prec[s][0] / (double)scored / bs : 0.0);
        }
    }
    free(feat);
    free(prob);
    attn_logreg_free(&reg);
    encoder_close(&e);
    seqs_free(&q);
    free(map);
    if (st) return cli_fail(cli_command, st, msg[0] ? msg : NULL);
    st = cli_stdout_check();
    return st ? cli_fail(cli_command, st, NULL) : 0;
}

int cmd_contacts(int argc, char **argv) {
    static const struct {
        const char *name, *command;
        int (*fn)(int, char **);
    } subs[] = {{"potts", "contacts potts", contacts_potts}, {"fit", "contacts fit", contacts_fit},
                {"predict", "contacts predict", contacts_predict}};
    for (size_t i = 0; argc >= 2 && i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[1], subs[i].name)) {
            cli_command = subs[i].command;
            return subs[i].fn(argc - 1, argv + 1);
        }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: attn contacts potts -o DIR [options]\n"
               "       attn contacts fit -m MODEL --map MAP -o REG.json FASTA [options]\n"
               "       attn contacts predict -m MODEL -r REG.json [--map MAP] FASTA [options]\n\n"
               "Residue contacts from an encoder's attention maps (ESM's logistic regression on\n"
               "symmetrised, APC-corrected maps), and synthetic Potts-model families with a planted\n"
               "contact map to test it on. attn contacts SUBCOMMAND --help lists the options.\n");
        return 0;
    }
    if (argc < 2) return cli_usage_error("give a subcommand: potts, fit or predict (see attn contacts --help)");
    return cli_usage_error("unknown subcommand '%s' (see attn contacts --help)", argv[1]);
}
