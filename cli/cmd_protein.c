/* attn protein — tools for protein sequence files. `attn protein identity
 * SAMPLES TRAIN`: each sample's identity to its nearest training sequence by
 * global alignment (include/attn/protein.h), per sample and summarised. */
#include "cli.h"

#include "attn/protein.h"

#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_identity(int argc, char **argv, bool help_only) {
    bool summary = false;
    long long threads = 0;
    const cli_option options[] = {
        {CLI_FLAG("--summary", NULL, &summary, "print only the summary line")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn protein identity SAMPLES TRAIN [--summary]",
        "For each sequence of SAMPLES, the percent identity to its nearest sequence of TRAIN\n"
        "(both FASTA or Stockholm files): a global (Needleman-Wunsch) alignment scoring +2 for\n"
        "equal residues, -1 for different ones and -2 for each residue against a gap (end gaps\n"
        "too); of the best-scoring alignments the one with the most identities, then the\n"
        "shortest. Identity = identical pairs / alignment columns (gap columns included).\n"
        "Prints 'NAME<TAB>IDENTITY%<TAB>NEAREST' per sample, then\n"
        "'summary: N samples, identity to the nearest training sequence: median M%, mean A%,\n"
        "min L%, max H%'.",
        options, NULL};
    if (help_only) {
        cli_print_help(&spec, stdout);
        return 0;
    }
    int n_pos, rc = cli_parse(&spec, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos != 2) return cli_usage_error("give SAMPLES and TRAIN (see attn protein identity --help)");
    if ((rc = cli_set_threads(threads)) != 0) return rc;
    attn_seqs *samples = NULL, *train = NULL;
    double *id = NULL, *sorted = NULL;
    int64_t *nearest = NULL;
    attn_status st = attn_seqs_read(argv[1], &samples);
    if (st == ATTN_OK) st = attn_seqs_read(argv[2], &train);
    int64_t n = attn_seqs_count(samples);
    if (st == ATTN_OK) {
        id = malloc((size_t)n * sizeof *id);
        sorted = malloc((size_t)n * sizeof *sorted);
        nearest = malloc((size_t)n * sizeof *nearest);
        st = id && sorted && nearest ? attn_seq_nearest(samples, train, id, nearest) : ATTN_ERR_OUT_OF_MEMORY;
    }
    if (st != ATTN_OK) {
        rc = cli_fail("protein identity", st, NULL);
        goto done;
    }
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t ln, lt;
        const char *name = attn_seqs_name(samples, i, &ln), *near = attn_seqs_name(train, nearest[i], &lt);
        if (!summary)
            printf("%.*s\t%.1f%%\t%.*s\n", (int)ln, ln ? name : "-", 100.0 * id[i], (int)lt, lt ? near : "-");
        sum += id[i];
        sorted[i] = id[i];
    }
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
    double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    printf("summary: %lld samples, identity to the nearest training sequence: median %.1f%%, mean %.1f%%, min %.1f%%, "
           "max %.1f%%\n",
           (long long)n, 100.0 * median, 100.0 * sum / (double)n, 100.0 * sorted[0], 100.0 * sorted[n - 1]);
    st = cli_stdout_check();
    rc = st == ATTN_OK ? 0 : cli_fail("protein identity", st, NULL);
done:
    free(id);
    free(sorted);
    free(nearest);
    attn_seqs_free(samples);
    attn_seqs_free(train);
    return rc;
}

int cmd_protein(int argc, char **argv) {
    if (argc < 2) return cli_usage_error("give a subcommand: attn protein identity ... (see attn protein --help)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return cmd_identity(0, NULL, true);
    if (!strcmp(argv[1], "identity")) {
        cli_command = "protein identity";
        return cmd_identity(argc - 1, argv + 1, false);
    }
    return cli_usage_error("unknown subcommand '%s' (see attn protein --help)", argv[1]);
}
