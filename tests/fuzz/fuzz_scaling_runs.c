/* Fuzzes attn scaling's readers (src/eval/scaling.c): byte 0 even, the rest
 * is a runs file (JSON Lines: attn_scaling_read_runs), whose runs, when
 * 1 to 4 of them load, are then fitted (approaches 1 and 2 only: the
 * parametric fit needs 5 runs and its 4,500 L-BFGS starts would take
 * seconds an input) and written as JSON; byte 0 odd, the rest is a fit's
 * JSON (attn_scaling_law_from_json), whose law then plans a budget. */
#include "fuzz_common.h"
#include "attn/scaling.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    fuzz_dir(); /* the allocator cap */
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 1) {
        attn_scaling_law law;
        attn_status st = attn_scaling_law_from_json(text, len, "fit.json", &law);
        fuzz_check_error(st);
        if (st == ATTN_OK) {
            if (!(law.alpha > 0 && law.beta > 0 && law.A > 0 && law.B > 0)) abort();
            double n, d;
            if (attn_scaling_optimum_for_flops(&law, 1e20, &n, &d) == ATTN_OK && (isnan(n) || isnan(d))) abort();
        }
        return 0;
    }
    attn_scaling_run *runs = NULL;
    int64_t n = 0;
    attn_status st = attn_scaling_read_runs(text, len, "runs.jsonl", &runs, &n);
    fuzz_check_error(st);
    if (st == ATTN_OK) {
        if (n < 1) abort();
        for (int64_t i = 0; i < n; i++)
            if (!(runs[i].params > 0 && runs[i].tokens > 0 && runs[i].flops > 0 && runs[i].loss > 0)) abort();
        if (n <= 4) {
            attn_scaling_options o = attn_scaling_default_options();
            o.bootstrap = 3;
            attn_scaling_fit f;
            st = attn_scaling_fit_runs(runs, n, &o, &f);
            fuzz_check_error(st);
            if (st == ATTN_OK) {
                if (f.a3_ok) abort();
                char *js = NULL;
                fuzz_check_error(attn_scaling_fit_json(&f, &o, &js));
                attn_free(js);
                attn_scaling_fit_free(&f);
            }
        }
    }
    attn_scaling_runs_free(runs, n);
    return 0;
}
