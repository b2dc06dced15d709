/* attn gguf — print a GGUF file's metadata and tensor list (as gguf-dump does). */
#include "cli.h"

#include "attn/gguf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int cmd_gguf(int argc, char **argv) {
    long long items = 6;
    bool no_tensors = false;
    const cli_option options[] = {
        {CLI_INT("--items", "-n", "N", &items, 0, 1LL << 40,
                 "print arrays' first N elements (0 = all of them)")},
        {CLI_FLAG("--no-tensors", NULL, &no_tensors, "print the metadata only")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn gguf FILE [--items N] [--no-tensors]",
        "Reads a GGUF file (checking its whole layout) and prints its version, then one line\n"
        "per key/value (type, element count, key = value as JSON; long arrays cut to their\n"
        "first N elements) and one per tensor (elements, dims in ggml's order: row length\n"
        "first, type, offset in the data section, name).",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 1) return cli_usage_error("give one GGUF FILE (see attn gguf --help)");
    attn_gguf *g = NULL;
    attn_status st = attn_gguf_open(argv[1], &g);
    if (st) return cli_fail("gguf", st, NULL);
    int64_t n_kv = attn_gguf_n_kv(g), n_t = attn_gguf_n_tensors(g);
    printf("%s: GGUF version %u, alignment %u, %" PRId64 " key/values, %" PRId64 " tensors, data at byte %" PRIu64
           "\n", argv[1], attn_gguf_version(g), attn_gguf_alignment(g), n_kv, n_t, attn_gguf_data_offset(g));
    printf("* key/values\n");
    for (int64_t i = 0; i < n_kv; i++) {
        const char *elem = NULL;
        uint64_t count = 0;
        const char *type = attn_gguf_kv_type(g, i, &elem, &count);
        char *text = NULL;
        if ((st = attn_gguf_kv_text(g, i, items ? items : -1, &text)) != ATTN_OK) {
            attn_gguf_close(g);
            return cli_fail("gguf", st, NULL);
        }
        char tname[40];
        if (elem) snprintf(tname, sizeof tname, "[%s]", elem);
        else snprintf(tname, sizeof tname, "%s", type);
        printf("%6" PRId64 ": %-9s | %8" PRIu64 " | %s = %s\n", i + 1, tname, count, attn_gguf_kv_key(g, i), text);
        attn_free(text);
    }
    if (!no_tensors) {
        printf("* tensors\n");
        for (int64_t i = 0; i < n_t; i++) {
            attn_gguf_tensor_info t;
            if ((st = attn_gguf_tensor(g, i, &t)) != ATTN_OK) {
                attn_gguf_close(g);
                return cli_fail("gguf", st, NULL);
            }
            printf("%6" PRId64 ": %10" PRId64 " | %6" PRId64 ", %6" PRId64 ", %6" PRId64 ", %6" PRId64
                   " | %-5s | %12" PRIu64 " | %s\n", i + 1, t.numel, t.ne[0], t.ne[1], t.ne[2], t.ne[3], t.type,
                   t.offset, t.name);
        }
    }
    attn_gguf_close(g);
    return 0;
}
