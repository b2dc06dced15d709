/* post.c — post-processors shared by every tokenizer kind: the special
 * tokens attn_tokenizer_encode_pair puts around one sequence or a pair, as
 * Hugging Face's TemplateProcessing, BertProcessing and RobertaProcessing
 * do (see tokenizer_impl.h). */
#include "tokenizers/tokenizer_impl.h"

static tok_piece special_piece(int32_t id, const char *name, int32_t type_id) {
    tok_piece p = {.seq = -1, .type_id = type_id, .ids = {id}, .n_ids = 1};
    snprintf(p.name, sizeof p.name, "%s", name);
    return p;
}

static tok_piece seq_piece(int seq, int32_t type_id) {
    tok_piece p = {.seq = seq, .type_id = type_id};
    return p;
}

void tok_post_bert(tok_post *pp, int32_t cls, const char *cls_name, int32_t sep, const char *sep_name) {
    memset(pp, 0, sizeof *pp);
    pp->kind = TOK_POST_TEMPLATE;
    pp->single[0] = special_piece(cls, cls_name, 0);
    pp->single[1] = seq_piece(0, 0);
    pp->single[2] = special_piece(sep, sep_name, 0);
    pp->n_single = 3;
    pp->pair[0] = special_piece(cls, cls_name, 0);
    pp->pair[1] = seq_piece(0, 0);
    pp->pair[2] = special_piece(sep, sep_name, 0);
    pp->pair[3] = seq_piece(1, 1);
    pp->pair[4] = special_piece(sep, sep_name, 1);
    pp->n_pair = 5;
}

void tok_post_roberta(tok_post *pp, int32_t cls, const char *cls_name, int32_t sep, const char *sep_name) {
    memset(pp, 0, sizeof *pp);
    pp->kind = TOK_POST_ROBERTA;
    pp->single[0] = special_piece(cls, cls_name, 0);
    pp->single[1] = seq_piece(0, 0);
    pp->single[2] = special_piece(sep, sep_name, 0);
    pp->n_single = 3;
    pp->pair[0] = special_piece(cls, cls_name, 0);
    pp->pair[1] = seq_piece(0, 0);
    pp->pair[2] = special_piece(sep, sep_name, 0);
    pp->pair[3] = special_piece(sep, sep_name, 0);
    pp->pair[4] = seq_piece(1, 0);
    pp->pair[5] = special_piece(sep, sep_name, 0);
    pp->n_pair = 6;
}

/* TemplateProcessing's special_tokens[name]. */
static attn_status template_special(const cJSON *specials, const char *name, int32_t type_id, int32_t vocab_size,
                                    tok_piece *out, const char *path) {
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(specials, name);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(sp, "ids");
    if (!cJSON_IsArray(ids))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: post_processor.special_tokens has no \"%s\" with \"ids\"", path, name);
    int n = cJSON_GetArraySize(ids);
    if (n > TOK_POST_MAX_IDS || strlen(name) >= TOK_POST_NAME_MAX)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: special token \"%.40s\" is too long", path, name);
    out->seq = -1;
    out->type_id = type_id;
    out->n_ids = 0;
    snprintf(out->name, sizeof out->name, "%s", name);
    const cJSON *id;
    cJSON_ArrayForEach(id, ids) {
        int32_t v;
        if (!tokenizer_json_id(id, &v) || v >= vocab_size)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: special token \"%s\" has an id outside the vocabulary", path, name);
        out->ids[out->n_ids++] = v;
    }
    return ATTN_OK;
}

static attn_status parse_template(const cJSON *list, const cJSON *specials, int32_t vocab_size, tok_piece *out,
                                  int *n_out, const char *path, const char *which) {
    if (!cJSON_IsArray(list)) return attn_errorf(ATTN_ERR_FORMAT, "%s: post_processor.%s is not an array", path, which);
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (n == TOK_POST_MAX_PIECES)
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: post_processor.%s has too many items", path, which);
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(item, "SpecialToken");
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(item, "Sequence");
        const cJSON *obj = sp ? sp : seq;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(obj, "type_id");
        int32_t type_id;
        if (!obj || !cJSON_IsString(id) || !tokenizer_json_id(ty, &type_id))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: post_processor.%s[%d] is not a SpecialToken or Sequence with id and type_id",
                               path, which, n);
        if (sp) {
            attn_status st = template_special(specials, id->valuestring, type_id, vocab_size, &out[n], path);
            if (st != ATTN_OK) return st;
        } else {
            if (strcmp(id->valuestring, "A") && strcmp(id->valuestring, "B"))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: post_processor.%s[%d] sequence is not A or B", path, which, n);
            out[n] = seq_piece(id->valuestring[0] == 'B', type_id);
        }
        n++;
    }
    *n_out = n;
    return ATTN_OK;
}

/* {"cls": ["<s>", 0], "sep": ["</s>", 2]} of BertProcessing / RobertaProcessing */
static attn_status cls_sep(const cJSON *p, int32_t vocab_size, const char *path, const char *type, const char **cn,
                           int32_t *ci, const char **sn, int32_t *si) {
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(p, "cls"), *sep = cJSON_GetObjectItemCaseSensitive(p, "sep");
    const cJSON *c0 = cJSON_GetArrayItem(cls, 0), *s0 = cJSON_GetArrayItem(sep, 0);
    if (!cJSON_IsString(c0) || !cJSON_IsString(s0) || !tokenizer_json_id(cJSON_GetArrayItem(cls, 1), ci) ||
        !tokenizer_json_id(cJSON_GetArrayItem(sep, 1), si) || *ci >= vocab_size || *si >= vocab_size ||
        strlen(c0->valuestring) >= TOK_POST_NAME_MAX || strlen(s0->valuestring) >= TOK_POST_NAME_MAX)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s needs \"cls\" and \"sep\" as [token, id] within the vocabulary", path, type);
    *cn = c0->valuestring;
    *sn = s0->valuestring;
    return ATTN_OK;
}

static attn_status parse_one(tok_post *pp, const cJSON *p, int32_t vocab_size, const char *path) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
    if (!cJSON_IsString(type)) return attn_errorf(ATTN_ERR_FORMAT, "%s: a post_processor has no string \"type\"", path);
    const char *t = type->valuestring;
    if (!strcmp(t, "ByteLevel")) return ATTN_OK; /* offsets only; ids unchanged */
    if (pp->kind != TOK_POST_NONE)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: more than one post_processor that adds tokens", path);
    if (!strcmp(t, "TemplateProcessing")) {
        const cJSON *specials = cJSON_GetObjectItemCaseSensitive(p, "special_tokens");
        pp->kind = TOK_POST_TEMPLATE;
        attn_status st = parse_template(cJSON_GetObjectItemCaseSensitive(p, "single"), specials, vocab_size, pp->single,
                                        &pp->n_single, path, "single");
        if (st != ATTN_OK) return st;
        return parse_template(cJSON_GetObjectItemCaseSensitive(p, "pair"), specials, vocab_size, pp->pair, &pp->n_pair,
                              path, "pair");
    }
    if (!strcmp(t, "BertProcessing") || !strcmp(t, "RobertaProcessing")) {
        const char *cn = NULL, *sn = NULL;
        int32_t ci = 0, si = 0;
        attn_status st = cls_sep(p, vocab_size, path, t, &cn, &ci, &sn, &si);
        if (st != ATTN_OK) return st;
        if (t[0] == 'B')
            tok_post_bert(pp, ci, cn, si, sn);
        else
            tok_post_roberta(pp, ci, cn, si, sn);
        return ATTN_OK;
    }
    return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: post_processor \"%s\" is not supported", path, t);
}

attn_status tok_post_parse(tok_post *pp, const cJSON *p, int32_t vocab_size, const char *path) {
    memset(pp, 0, sizeof *pp);
    if (!p || cJSON_IsNull(p)) return ATTN_OK;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
    if (cJSON_IsString(type) && !strcmp(type->valuestring, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "processors"), *item;
        if (!cJSON_IsArray(list)) return attn_errorf(ATTN_ERR_FORMAT, "%s: post_processor Sequence has no \"processors\"", path);
        cJSON_ArrayForEach(item, list) {
            attn_status st = parse_one(pp, item, vocab_size, path);
            if (st != ATTN_OK) return st;
        }
        return ATTN_OK;
    }
    return parse_one(pp, p, vocab_size, path);
}

int64_t tok_post_num_special(const tok_post *pp, bool pair) {
    const tok_piece *p = pair ? pp->pair : pp->single;
    int n = pair ? pp->n_pair : pp->n_single;
    int64_t k = 0;
    for (int i = 0; i < n; i++)
        if (p[i].seq < 0) k += p[i].n_ids;
    return k;
}

attn_status tok_post_apply(const tok_post *pp, const tok_ids *a, const tok_ids *b, tok_ids *ids, tok_ids *types) {
    const tok_piece *p = b ? pp->pair : pp->single;
    int n = b ? pp->n_pair : pp->n_single;
    attn_status st;
    if (n == 0) { /* no post-processor: a then b */
        for (int s = 0; s < 2; s++) {
            const tok_ids *src = s ? b : a;
            if (!src) continue;
            if ((st = tok_ids_reserve(ids, src->n)) != ATTN_OK || (st = tok_ids_reserve(types, src->n)) != ATTN_OK)
                return st;
            for (int64_t j = 0; j < src->n; j++) {
                ids->data[ids->n++] = src->data[j];
                types->data[types->n++] = s;
            }
        }
        return ATTN_OK;
    }
    for (int i = 0; i < n; i++) {
        const int32_t *src = p[i].ids;
        int64_t k = p[i].n_ids;
        if (p[i].seq >= 0) {
            const tok_ids *seq = p[i].seq ? b : a;
            src = seq->data;
            k = seq->n;
        }
        if ((st = tok_ids_reserve(ids, k)) != ATTN_OK || (st = tok_ids_reserve(types, k)) != ATTN_OK) return st;
        for (int64_t j = 0; j < k; j++) {
            ids->data[ids->n++] = src[j];
            types->data[types->n++] = p[i].type_id;
        }
    }
    return ATTN_OK;
}

/* ---- tokenizer.json --------------------------------------------------------------- */

static cJSON *template_json(const tok_piece *p, int n) {
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < n; i++) {
        cJSON *item = cJSON_CreateObject(), *o = NULL;
        if (!item) goto oom;
        cJSON_AddItemToArray(arr, item);
        if (!(o = cJSON_AddObjectToObject(item, p[i].seq < 0 ? "SpecialToken" : "Sequence"))) goto oom;
        if (!cJSON_AddStringToObject(o, "id", p[i].seq < 0 ? p[i].name : p[i].seq ? "B" : "A") ||
            !cJSON_AddNumberToObject(o, "type_id", p[i].type_id))
            goto oom;
    }
    return arr;
oom:
    cJSON_Delete(arr);
    return NULL;
}

static cJSON *pair_json(const char *name, int32_t id) {
    cJSON *a = cJSON_CreateArray(), *s = cJSON_CreateString(name), *v = cJSON_CreateNumber(id);
    if (!a || !s || !v) {
        cJSON_Delete(a);
        cJSON_Delete(s);
        cJSON_Delete(v);
        return NULL;
    }
    cJSON_AddItemToArray(a, s);
    cJSON_AddItemToArray(a, v);
    return a;
}

attn_status tok_post_json(const tok_post *pp, const attn_tokenizer *tok, cJSON **out) {
    *out = NULL;
    if (pp->kind == TOK_POST_NONE) return ATTN_OK;
    cJSON *p = cJSON_CreateObject(), *t;
    if (!p) goto oom;
    if (pp->kind == TOK_POST_ROBERTA) {
        cJSON *sep = pair_json(pp->single[2].name, pp->single[2].ids[0]), *cls = pair_json(pp->single[0].name, pp->single[0].ids[0]);
        if (!sep || !cls || !cJSON_AddStringToObject(p, "type", "RobertaProcessing")) {
            cJSON_Delete(sep);
            cJSON_Delete(cls);
            goto oom;
        }
        /* cJSON leaves an item it could not attach to the caller */
        if (!cJSON_AddItemToObject(p, "sep", sep)) {
            cJSON_Delete(sep);
            cJSON_Delete(cls);
            goto oom;
        }
        if (!cJSON_AddItemToObject(p, "cls", cls)) {
            cJSON_Delete(cls);
            goto oom;
        }
        if (!cJSON_AddBoolToObject(p, "trim_offsets", true) || !cJSON_AddBoolToObject(p, "add_prefix_space", true)) goto oom;
        *out = p;
        return ATTN_OK;
    }
    if (!cJSON_AddStringToObject(p, "type", "TemplateProcessing")) goto oom;
    if (!(t = template_json(pp->single, pp->n_single))) goto oom;
    if (!cJSON_AddItemToObject(p, "single", t)) {
        cJSON_Delete(t);
        goto oom;
    }
    if (!(t = template_json(pp->pair, pp->n_pair))) goto oom;
    if (!cJSON_AddItemToObject(p, "pair", t)) {
        cJSON_Delete(t);
        goto oom;
    }
    cJSON *sp = cJSON_AddObjectToObject(p, "special_tokens");
    if (!sp) goto oom;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < (s ? pp->n_pair : pp->n_single); i++) {
            const tok_piece *pc = s ? &pp->pair[i] : &pp->single[i];
            if (pc->seq >= 0 || cJSON_GetObjectItemCaseSensitive(sp, pc->name)) continue;
            cJSON *o = cJSON_AddObjectToObject(sp, pc->name), *ids, *toks;
            if (!o || !cJSON_AddStringToObject(o, "id", pc->name) || !(ids = cJSON_AddArrayToObject(o, "ids")) ||
                !(toks = cJSON_AddArrayToObject(o, "tokens")))
                goto oom;
            for (int j = 0; j < pc->n_ids; j++) {
                const char *bytes;
                size_t len;
                char buf[256];
                if (attn_tokenizer_token_bytes(tok, pc->ids[j], &bytes, &len) != ATTN_OK) len = 0;
                if (len >= sizeof buf) len = sizeof buf - 1;
                memcpy(buf, len ? bytes : "", len);
                buf[len] = 0;
                cJSON *v = cJSON_CreateNumber(pc->ids[j]), *ts = cJSON_CreateString(buf);
                if (v) cJSON_AddItemToArray(ids, v);
                if (ts) cJSON_AddItemToArray(toks, ts);
                if (!v || !ts) goto oom;
            }
        }
    *out = p;
    return ATTN_OK;
oom:
    cJSON_Delete(p);
    return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
}
