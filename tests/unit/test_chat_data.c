/* Chat data files (attn_chat_data_read): conversations, preference pairs in
 * every shape TRL takes (plain strings, message lists, a string beside
 * lists, the implicit prompt), prompts; every malformed-line error names the
 * file, the line and what is wrong; allocation failures leave nothing. */
#include "attn/chat_data.h"
#include "test.h"

static const char *write_file(const char *name, const char *text) {
    const char *path = test_tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(text, 1, strlen(text), f);
        fclose(f);
    }
    return path;
}

static bool msg_is(const attn_chat_turns *t, int64_t i, const char *role, const char *content) {
    if (i >= t->n) return false;
    const attn_chat_message *m = &t->m[i];
    return (role ? m->role && !strcmp(m->role, role) : !m->role) && !strcmp(m->content, content);
}

/* Reading text as kind fails with ATTN_ERR_FORMAT naming the file, "line N" and frag. */
static void expect_error(const char *text, attn_chat_data_kind kind, int line, const char *frag) {
    const char *path = write_file("bad.jsonl", text);
    attn_chat_data *d = (attn_chat_data *)1;
    CHECK_STATUS(attn_chat_data_read(path, kind, &d), ATTN_ERR_FORMAT);
    CHECK(d == NULL);
    const char *msg = attn_last_error();
    char where[32];
    snprintf(where, sizeof where, ": line %d: ", line);
    if (!strstr(msg, path) || (line && !strstr(msg, where)) || !strstr(msg, frag)) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: message \"%s\" lacks the path, \"%s\" or \"%s\"\n", test_current, msg, where, frag);
    }
}

TEST("conversations: messages with roles and contents, blank lines skipped, line numbers kept") {
    const char *path = write_file("conv.jsonl",
                                  "\xef\xbb\xbf{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
                                  "{\"role\": \"user\", \"content\": \"Hi \\u00e9\"}, {\"role\": \"assistant\", \"content\": \"Hello\", \"x\": 1}]}\r\n"
                                  "\n"
                                  "  {\"messages\": [{\"role\": \"user\", \"content\": \"\"}], \"id\": 7}\n");
    attn_chat_data *d = NULL;
    CHECK_OK(attn_chat_data_read(path, ATTN_CHAT_CONVERSATIONS, &d));
    CHECK(d && d->n == 2 && d->kind == ATTN_CHAT_CONVERSATIONS);
    if (d && d->n == 2) {
        CHECK(d->ex[0].line == 1 && d->ex[1].line == 3);
        CHECK(d->ex[0].prompt.n == 3);
        CHECK(msg_is(&d->ex[0].prompt, 0, "system", "Be brief."));
        CHECK(msg_is(&d->ex[0].prompt, 1, "user", "Hi \xc3\xa9"));
        CHECK(msg_is(&d->ex[0].prompt, 2, "assistant", "Hello"));
        CHECK(d->ex[1].prompt.n == 1 && msg_is(&d->ex[1].prompt, 0, "user", ""));
        CHECK(d->ex[0].chosen.n == 0 && d->ex[0].rejected.n == 0);
    }
    attn_chat_data_free(d);
}

TEST("pairs: plain strings, message lists, strings beside lists, the implicit prompt") {
    const char *path = write_file(
        "pairs.jsonl",
        "{\"prompt\": \"The sky is\", \"chosen\": \" blue.\", \"rejected\": \" green.\"}\n"
        "{\"prompt\": [{\"role\": \"user\", \"content\": \"Q\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"A\"}], "
        "\"rejected\": [{\"role\": \"assistant\", \"content\": \"B\"}]}\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Q2\"}], \"chosen\": \"yes\", \"rejected\": \"no\"}\n"
        "{\"prompt\": \"Q3\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"c\"}], \"rejected\": \"r\"}\n"
        "{\"chosen\": [{\"role\": \"user\", \"content\": \"Q4\"}, {\"role\": \"assistant\", \"content\": \"good\"}], "
        "\"rejected\": [{\"role\": \"user\", \"content\": \"Q4\"}, {\"role\": \"assistant\", \"content\": \"bad\"}]}\n");
    attn_chat_data *d = NULL;
    CHECK_OK(attn_chat_data_read(path, ATTN_CHAT_PAIRS, &d));
    CHECK(d && d->n == 5);
    if (d && d->n == 5) {
        const attn_chat_example *e = d->ex;
        CHECK(e[0].plain && msg_is(&e[0].prompt, 0, NULL, "The sky is") && msg_is(&e[0].chosen, 0, NULL, " blue.") &&
              msg_is(&e[0].rejected, 0, NULL, " green."));
        CHECK(!e[1].plain && msg_is(&e[1].prompt, 0, "user", "Q") && msg_is(&e[1].chosen, 0, "assistant", "A") &&
              msg_is(&e[1].rejected, 0, "assistant", "B"));
        CHECK(!e[2].plain && msg_is(&e[2].prompt, 0, "user", "Q2") && msg_is(&e[2].chosen, 0, "assistant", "yes") &&
              msg_is(&e[2].rejected, 0, "assistant", "no"));
        CHECK(!e[3].plain && msg_is(&e[3].prompt, 0, "user", "Q3") && msg_is(&e[3].chosen, 0, "assistant", "c") &&
              msg_is(&e[3].rejected, 0, "assistant", "r"));
        CHECK(!e[4].plain && e[4].prompt.n == 1 && msg_is(&e[4].prompt, 0, "user", "Q4") && e[4].chosen.n == 1 &&
              msg_is(&e[4].chosen, 0, "assistant", "good") && e[4].rejected.n == 1 && msg_is(&e[4].rejected, 0, "assistant", "bad"));
    }
    attn_chat_data_free(d);
}

TEST("prompts: a string (plain), a message list under prompt or messages") {
    const char *path = write_file("prompts.jsonl", "{\"prompt\": \"Tell me\"}\n"
                                                   "{\"prompt\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"u\"}]}\n"
                                                   "{\"messages\": [{\"role\": \"user\", \"content\": \"m\"}]}\n");
    attn_chat_data *d = NULL;
    CHECK_OK(attn_chat_data_read(path, ATTN_CHAT_PROMPTS, &d));
    CHECK(d && d->n == 3);
    if (d && d->n == 3) {
        CHECK(msg_is(&d->ex[0].prompt, 0, "user", "Tell me"));
        CHECK(d->ex[1].prompt.n == 2 && msg_is(&d->ex[1].prompt, 1, "user", "u"));
        CHECK(msg_is(&d->ex[2].prompt, 0, "user", "m"));
        /* a string is plain text (TRL's standard format); message lists are conversations */
        CHECK(d->ex[0].plain && !d->ex[1].plain && !d->ex[2].plain);
    }
    attn_chat_data_free(d);
}

TEST("every malformed line: one error with the file, the line and what is wrong") {
    const char *ok = "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]\n", ok);
    expect_error(buf, ATTN_CHAT_CONVERSATIONS, 2, "not valid JSON");
    snprintf(buf, sizeof buf, "%s%s[1, 2]\n", ok, ok);
    expect_error(buf, ATTN_CHAT_CONVERSATIONS, 3, "not a JSON object");
    expect_error("{\"msgs\": []}\n", ATTN_CHAT_CONVERSATIONS, 1, "no \"messages\"");
    expect_error("{\"messages\": \"hi\"}\n", ATTN_CHAT_CONVERSATIONS, 1, "\"messages\" is not a list of messages");
    expect_error("{\"messages\": []}\n", ATTN_CHAT_CONVERSATIONS, 1, "\"messages\" is an empty list");
    expect_error("{\"messages\": [\"hi\"]}\n", ATTN_CHAT_CONVERSATIONS, 1, "\"messages\"[0] is not an object");
    expect_error("{\"messages\": [{\"content\": \"x\"}]}\n", ATTN_CHAT_CONVERSATIONS, 1, "\"messages\"[0] has no \"role\"");
    expect_error("{\"messages\": [{\"role\": 3, \"content\": \"x\"}]}\n", ATTN_CHAT_CONVERSATIONS, 1, "\"messages\"[0].role is not a string");
    expect_error("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"bot\", \"content\": \"y\"}]}\n",
                 ATTN_CHAT_CONVERSATIONS, 1, "\"messages\"[1]: unknown role \"bot\"");
    expect_error("{\"messages\": [{\"role\": \"user\"}]}\n", ATTN_CHAT_CONVERSATIONS, 1, "\"messages\"[0] has no \"content\"");
    expect_error("{\"messages\": [{\"role\": \"user\", \"content\": null}]}\n", ATTN_CHAT_CONVERSATIONS, 1,
                 "\"messages\"[0].content is not a string");
    snprintf(buf, sizeof buf, "%s{\"messages\": [{\"role\": \"user\", \"content\": \"\xff\"}]}\n", ok);
    expect_error(buf, ATTN_CHAT_CONVERSATIONS, 2, "invalid UTF-8 at byte offset");
    expect_error("{\"messages\": [{\"role\": \"user\", \"content\": \"a\\u0000b\"}]}\n", ATTN_CHAT_CONVERSATIONS, 1, "\\u0000");
    expect_error("\n  \n", ATTN_CHAT_CONVERSATIONS, 0, "no examples");
    /* pairs */
    expect_error("{\"prompt\": \"p\", \"rejected\": \"r\"}\n", ATTN_CHAT_PAIRS, 1, "no \"chosen\"");
    expect_error("{\"prompt\": \"p\", \"chosen\": \"c\"}\n", ATTN_CHAT_PAIRS, 1, "no \"rejected\"");
    expect_error("{\"prompt\": \"p\", \"chosen\": 1, \"rejected\": \"r\"}\n", ATTN_CHAT_PAIRS, 1,
                 "\"chosen\" is neither a string nor a list of messages");
    expect_error("{\"prompt\": {}, \"chosen\": \"c\", \"rejected\": \"r\"}\n", ATTN_CHAT_PAIRS, 1,
                 "\"prompt\" is neither a string nor a list of messages");
    expect_error("{\"chosen\": \"c\", \"rejected\": \"r\"}\n", ATTN_CHAT_PAIRS, 1, "no \"prompt\"");
    expect_error("{\"chosen\": [{\"role\": \"user\", \"content\": \"q\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"q\"}]}\n",
                 ATTN_CHAT_PAIRS, 1, "need completions after their common prompt");
    expect_error("{\"prompt\": \"p\", \"chosen\": [{\"role\": \"robot\", \"content\": \"c\"}], \"rejected\": \"r\"}\n",
                 ATTN_CHAT_PAIRS, 1, "\"chosen\"[0]: unknown role \"robot\"");
    /* prompts */
    expect_error("{\"text\": \"p\"}\n", ATTN_CHAT_PROMPTS, 1, "no \"prompt\" or \"messages\"");
    expect_error("{\"prompt\": 5}\n", ATTN_CHAT_PROMPTS, 1, "\"prompt\" is neither a string nor a list of messages");
}

TEST("a missing file is an I/O error; allocation failures leave nothing allocated") {
    attn_chat_data *d = (attn_chat_data *)1;
    CHECK_STATUS(attn_chat_data_read(test_tmp_path("absent.jsonl"), ATTN_CHAT_PAIRS, &d), ATTN_ERR_IO);
    CHECK(d == NULL);
    const char *path = write_file(
        "oom.jsonl",
        "{\"chosen\": [{\"role\": \"user\", \"content\": \"Q4\"}, {\"role\": \"assistant\", \"content\": \"good\"}], "
        "\"rejected\": [{\"role\": \"user\", \"content\": \"Q4\"}, {\"role\": \"assistant\", \"content\": \"bad\"}]}\n"
        "{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}\n");
    bool succeeded = false;
    for (long k = 0; k < 200 && !succeeded; k++) {
        test_alloc_count = 0;
        test_alloc_fail_at = k;
        attn_set_allocator(test_failing_realloc, NULL);
        d = NULL;
        attn_status st = attn_chat_data_read(path, ATTN_CHAT_PAIRS, &d);
        attn_set_allocator(NULL, NULL);
        CHECK(st == ATTN_OK || st == ATTN_ERR_OUT_OF_MEMORY);
        CHECK((st == ATTN_OK) == (d != NULL));
        succeeded = st == ATTN_OK;
        attn_chat_data_free(d);
    }
    CHECK(succeeded);
}

/* ---- attn_chat_encode ------------------------------------------------------ */

/* A character tokenizer over every character the texts below use. */
static attn_tokenizer *char_tok(void) {
    static const char alphabet[] = "<|>_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?.,: \n";
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char(alphabet, sizeof alphabet - 1, &tok));
    return tok;
}

static attn_chat_template *parse(const char *src) {
    attn_chat_template *t = NULL;
    CHECK_OK(attn_chat_template_parse("test", src, strlen(src), &t));
    return t;
}

TEST("chat encode: ChatML's assistant spans are the message and its end-of-turn, every token with all_tokens") {
    attn_tokenizer *tok = char_tok();
    attn_chat_template *t = parse(attn_chat_default_template());
    attn_chat_message m[] = {{"system", "Be brief."}, {"user", "Hi?"}, {"assistant", "Hello."}, {"user", "Bye?"},
                             {"assistant", "Bye."}};
    int32_t *ids = NULL;
    uint8_t *mask = NULL;
    int64_t n = 0;
    CHECK_OK(attn_chat_encode(t, tok, m, 5, NULL, false, &ids, &mask, &n));
    /* one token per character: the mask is over the rendering's characters */
    const char *text = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n"
                       "Hello.<|im_end|>\n<|im_start|>user\nBye?<|im_end|>\n<|im_start|>assistant\nBye.<|im_end|>\n";
    CHECK(n == (int64_t)strlen(text));
    char want[512] = {0};
    for (size_t i = 0; i < strlen(text); i++) want[i] = '0';
    const char *spans[] = {"Hello.<|im_end|>\n", "Bye.<|im_end|>\n"};
    for (int k = 0; k < 2; k++) {
        const char *at = strstr(text, spans[k]);
        for (size_t i = 0; at && i < strlen(spans[k]); i++) want[at - text + i] = '1';
    }
    char got[512] = {0};
    for (int64_t i = 0; mask && i < n && i < 511; i++) got[i] = mask[i] ? '1' : '0';
    CHECK(!strcmp(got, want));
    attn_free(ids);
    attn_free(mask);
    CHECK_OK(attn_chat_encode(t, tok, m, 2, NULL, true, &ids, &mask, &n));
    bool all = n > 0;
    for (int64_t i = 0; i < n; i++) all = all && mask[i];
    CHECK(all);
    attn_free(ids);
    attn_free(mask);
    attn_chat_template_free(t);
    attn_tokenizer_free(tok);
}

TEST("chat encode: a template whose spans cannot be found is refused naming the message and the check") {
    attn_tokenizer *tok = char_tok();
    attn_chat_message m[] = {{"user", "Hi?"}, {"assistant", "Hello."}, {"user", "Ok."}, {"assistant", "Bye."}};
    int32_t *ids = (int32_t *)1;
    uint8_t *mask = (uint8_t *)1;
    int64_t n = 1;
    /* the generation prompt is not how the template opens an assistant message */
    attn_chat_template *t = parse("{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
                                  "{% if add_generation_prompt %}<bot>{% endif %}");
    CHECK_STATUS(attn_chat_encode(t, tok, m, 2, NULL, false, &ids, &mask, &n), ATTN_ERR_FORMAT);
    CHECK(ids == NULL && mask == NULL && n == 0);
    CHECK(strstr(attn_last_error(), "message 2 (assistant)") && strstr(attn_last_error(), "generation prompt"));
    attn_chat_template_free(t);
    /* the last message is rendered otherwise than an earlier one */
    t = parse("{% for m in messages %}<{{ m.role }}>{{ m.content }}{% if loop.last and m.role == 'assistant' %}!{% endif %}"
              "{% endfor %}"
              "{% if add_generation_prompt %}<assistant>{% endif %}");
    CHECK_STATUS(attn_chat_encode(t, tok, m, 4, NULL, false, &ids, &mask, &n), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "message 2 (assistant)") && strstr(attn_last_error(), "whole conversation"));
    attn_chat_template_free(t);
    attn_tokenizer_free(tok);
}
