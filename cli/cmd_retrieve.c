/* attn retrieve — BM25 search over a folder of text files: the passages that
 * best match a query, with file:line and score (the retrieval tool of attn
 * chat --tools retrieve, include/attn/tools.h). */
#include "cli.h"

#include "attn/tools.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_retrieve(int argc, char **argv) {
    const char *docs = "data";
    long long k = 3;
    bool json = false, stats = false;
    const cli_option options[] = {
        {CLI_STR("--docs", "-d", "DIR", &docs, "the folder searched (its .txt and .md files, recursively)")},
        {CLI_INT("--top", "-k", "N", &k, 1, 1000, "passages to print")},
        {CLI_FLAG("--json", NULL, &json, "one JSON object per passage: file, line, score, text")},
        {CLI_FLAG("--stats", NULL, &stats, "print the index's size and the time to build it (stderr)")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn retrieve [--docs DIR] [-k N] QUERY...",
        "Okapi BM25 (k1 = 1.2, b = 0.75) over the paragraphs of the .txt and .md files\n"
        "under DIR (a paragraph longer than 120 words is cut into windows of 120 words).\n"
        "Words are runs of Unicode letters, marks and digits, lower-cased. Prints the best\n"
        "passages as \"FILE:LINE score\" and the passage's text; nothing matching is no error.",
        options, "example:\n  attn retrieve --docs data 'Captain Wentworth letter' -k 2"};
    int n_pos, rc = cli_parse(&spec, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos < 1) return cli_usage_error("a QUERY is required (see attn retrieve --help)");
    cli_buf q = {0};
    for (int i = 1; i <= n_pos; i++)
        if ((i > 1 && !cli_buf_add(&q, " ", 1)) || !cli_buf_add(&q, argv[i], strlen(argv[i]))) {
            free(q.p);
            return cli_fail("retrieve", ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        }
    attn_bm25 *ix = NULL;
    attn_bm25_hit *hits = NULL;
    int64_t n = 0;
    attn_status st = attn_text_check("the query", q.p, q.len);
    double t0 = cli_now_s();
    if (!st) st = attn_bm25_new(&ix);
    if (!st) st = attn_bm25_add_dir(ix, docs);
    if (!st) st = attn_bm25_build(ix);
    if (!st && stats)
        fprintf(stderr, "attn retrieve: %lld passages, %lld distinct words, indexed in %.3f s\n",
                (long long)attn_bm25_passages(ix), (long long)attn_bm25_terms(ix), cli_now_s() - t0);
    if (!st && !(hits = malloc((size_t)k * sizeof *hits))) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    if (!st) st = attn_bm25_search(ix, q.p, q.len, k, hits, &n);
    for (int64_t i = 0; i < n && !st; i++) {
        attn_bm25_passage p;
        if ((st = attn_bm25_get(ix, hits[i].passage, &p))) break;
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "file", p.file);
            cJSON_AddNumberToObject(o, "line", (double)p.line);
            cJSON_AddNumberToObject(o, "score", hits[i].score);
            char *text = malloc(p.len + 1);
            if (text) {
                memcpy(text, p.text, p.len);
                text[p.len] = '\0';
                cJSON_AddStringToObject(o, "text", text);
            }
            free(text);
            char *s = cJSON_PrintUnformatted(o);
            if (s) printf("%s\n", s);
            cJSON_free(s);
            cJSON_Delete(o);
        } else {
            printf("%s%s:%lld %.4f\n%.*s\n", i ? "\n" : "", p.file, (long long)p.line, hits[i].score, (int)p.len, p.text);
        }
    }
    if (!st) st = cli_stdout_check();
    free(q.p);
    free(hits);
    attn_bm25_free(ix);
    return st ? cli_fail("retrieve", st, NULL) : 0;
}
