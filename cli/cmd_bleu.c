/* attn bleu — corpus BLEU of a hypothesis file against references. */
#include "cli.h"

#include "attn/eval.h"

#include <stdlib.h>
#include <string.h>

/* Splits text into lines in place (a final newline ends the last line). */
static char **split_lines(char *text, size_t len, int64_t *n) {
    int64_t k = 0, cap = 1;
    for (size_t i = 0; i < len; i++) cap += text[i] == '\n';
    char **lines = malloc((size_t)cap * sizeof *lines);
    if (!lines) return NULL;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len && start == len) break;
        if (i == len || text[i] == '\n') {
            text[i] = 0;
            if (i > start && text[i - 1] == '\r') text[i - 1] = 0;
            lines[k++] = text + start;
            start = i + 1;
        }
    }
    *n = k;
    return lines;
}

int cmd_bleu(int argc, char **argv) {
    const char *refs_path[16], *hyp_path = NULL;
    int n_refs = 0;
    bool json = false;
    const cli_option options[] = {
        {CLI_LIST("--ref", "-r", "REF", refs_path, &n_refs, 16, "a reference file (up to 16: give --ref again)")},
        {CLI_FLAG("--json", NULL, &json, "print {\"score\": ..., \"precisions\": [...], \"bp\": ..., ...}")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn bleu --ref REF [--ref REF2 ...] [HYP] [--json]",
        "Corpus BLEU of HYP (stdin without it; on a terminal, read until Ctrl-D) against\n"
        "one or more reference files, one sentence per line, computed as sacreBLEU does\n"
        "by default (13a tokenization, BLEU-4, exponential smoothing, brevity penalty).\n"
        "Prints sacreBLEU's line:\n"
        "BLEU = 31.25 62.1/38.0/25.3/17.2 (BP = 0.971 ratio = 0.971 hyp_len = 1234 ref_len = 1271)",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one hypothesis file at most");
    if (n_pos) hyp_path = argv[1];
    if (!n_refs) return cli_usage_error("--ref REF is required (see attn bleu --help)");
    int rc = 1;
    char *htext = NULL, *rtext[16] = {0};
    char **hyps = NULL, **refs[16] = {0};
    size_t len;
    int64_t n_hyp = 0, n_ref;
    attn_status st = cli_read_input(hyp_path, &htext, &len);
    if (st) goto fail;
    if (!(hyps = split_lines(htext, len, &n_hyp))) goto oom;
    for (int k = 0; k < n_refs; k++) {
        if ((st = cli_read_input(refs_path[k], &rtext[k], &len)) != ATTN_OK) goto fail;
        if (!(refs[k] = split_lines(rtext[k], len, &n_ref))) goto oom;
        if (n_ref != n_hyp) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s has %lld lines but the hypotheses have %lld", refs_path[k],
                             (long long)n_ref, (long long)n_hyp);
            goto fail;
        }
    }
    attn_bleu b;
    if ((st = attn_bleu_corpus((const char *const *)hyps, n_hyp, (const char *const *const *)refs, n_refs, &b)) != ATTN_OK)
        goto fail;
    double ratio = b.ref_len ? (double)b.hyp_len / (double)b.ref_len : 0.0;
    if (json)
        printf("{\"score\": %.6f, \"precisions\": [%.6f, %.6f, %.6f, %.6f], \"bp\": %.6f, \"hyp_len\": %lld, \"ref_len\": %lld}\n",
               b.score, b.precisions[0], b.precisions[1], b.precisions[2], b.precisions[3], b.brevity_penalty,
               (long long)b.hyp_len, (long long)b.ref_len);
    else
        printf("BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld ref_len = %lld)\n", b.score,
               b.precisions[0], b.precisions[1], b.precisions[2], b.precisions[3], b.brevity_penalty, ratio,
               (long long)b.hyp_len, (long long)b.ref_len);
    rc = 0;
    goto done;
oom:
    st = ATTN_ERR_OUT_OF_MEMORY;
fail:
    rc = cli_fail("bleu", st, NULL);
done:
    free(hyps);
    free(htext);
    for (int k = 0; k < n_refs; k++) {
        free(refs[k]);
        free(rtext[k]);
    }
    return rc;
}
