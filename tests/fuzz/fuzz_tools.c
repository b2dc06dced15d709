/* Fuzzes the tools of include/attn/tools.h on model output and tool
 * arguments: the first byte picks the calculator (attn_calc on the rest),
 * the tool-call parser (attn_tool_calls_parse, each call then run by the
 * built-in tools over a small BM25 index) or BM25 (the rest added as a
 * document, its first 64 bytes searched). */
#include "fuzz_common.h"

#include "attn/tools.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] % 3 == 0) {
        double v;
        attn_status st = attn_calc(s, n, &v);
        fuzz_check_error(st);
        if (st == ATTN_OK && !isfinite(v)) abort();
        if (st == ATTN_OK) {
            char buf[32];
            attn_calc_format(v, buf);
        }
    } else if (data[0] % 3 == 1) {
        attn_tool_call *calls = NULL;
        size_t nc = 0, content = 0;
        attn_status st = attn_tool_calls_parse(s, n, &calls, &nc, &content);
        fuzz_check_error(st);
        if (content > n) abort();
        attn_bm25 *ix = NULL;
        if (st == ATTN_OK && nc && attn_bm25_new(&ix) == ATTN_OK &&
            attn_bm25_add(ix, "d.txt", "the cat sat\n\nthe dog", 20) == ATTN_OK)
            for (size_t i = 0; i < nc; i++) {
                char *r = NULL;
                if (attn_tool_run(ATTN_TOOL_CALCULATOR | ATTN_TOOL_RETRIEVE, ix, &calls[i], &r) == ATTN_OK && !r) abort();
                attn_free(r);
            }
        attn_bm25_free(ix);
        attn_tool_calls_free(calls, nc);
    } else {
        attn_bm25 *ix = NULL;
        if (attn_bm25_new(&ix) != ATTN_OK) return 0;
        if (attn_bm25_add(ix, "doc", s, n) == ATTN_OK) {
            attn_bm25_hit hits[4];
            int64_t nh = 0;
            if (attn_bm25_search(ix, s, n < 64 ? n : 64, 4, hits, &nh) == ATTN_OK)
                for (int64_t i = 0; i < nh; i++) {
                    attn_bm25_passage p;
                    if (attn_bm25_get(ix, hits[i].passage, &p) != ATTN_OK || !(hits[i].score > 0) || p.len > n ||
                        (i && hits[i].score > hits[i - 1].score))
                        abort();
                }
        }
        attn_bm25_free(ix);
    }
    return 0;
}
