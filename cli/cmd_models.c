/* attn models — the models attn knows by a short name, and where they are installed. */
#include "cli.h"

#include <stdio.h>
#include <sys/stat.h>

static void print_one(const char *name, const char *what, const char *path, void *user) {
    (void)user;
    struct stat sb;
    if (path && stat(path, &sb) == 0)
        printf("%-10s %-60s %s (%.1f MB)\n", name, what, path, (double)sb.st_size / 1e6);
    else
        printf("%-10s %-60s not installed\n", name, what);
}

int cmd_models(int argc, char **argv) {
    const cli_option options[] = {CLI_END};
    const cli_spec spec = {
        "usage: attn models",
        "Lists the models attn knows by a short name (-m NAME works wherever -m takes a\n"
        "model directory or GGUF file) and where each is installed: the Python environments\n"
        "$VIRTUAL_ENV, ./.venv, the .venv beside attn, ~/.local, /usr/local and /usr.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos) return cli_usage_error("attn models takes no arguments");
    attn_model_catalog(print_one, NULL);
    return 0;
}
