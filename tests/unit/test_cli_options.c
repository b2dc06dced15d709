/* The CLI's option tables (cli/options.c): values reach their typed
 * destinations (32- and 64-bit integers, float and double, scaled, choices
 * with aliases, lists), ranges are checked where a value is read with the
 * message naming the option as typed, positional arguments come back in
 * order (all of them after `--`), and --help prints each default from the
 * destination as it is before parsing. */
#include "../cli/cli.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cli_parse over the words of `line` (at most 16), stderr captured in err. */
static int parse(const cli_spec *spec, const char *line, char *err, size_t cap, char ***pos, int *n_pos) {
    static char buf[512];
    static char *argv[18];
    snprintf(buf, sizeof buf, "%s", line);
    int argc = 0;
    argv[argc++] = (char *)"test";
    for (char *w = strtok(buf, " "); w && argc < 17; w = strtok(NULL, " ")) argv[argc++] = w;
    argv[argc] = NULL;
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int rc = cli_parse(spec, argc, argv, n_pos);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(err, 1, cap - 1, tmp);
    err[n] = 0;
    fclose(tmp);
    *pos = argv + 1;
    return rc;
}

enum { RED = 3, GREEN = 5 };
static const cli_choice colours[] = {{"red", RED}, {"green", GREEN}, {"rouge", RED}, {NULL, 0}};

typedef struct opts {
    int32_t small, after_small; /* a 32-bit value is written as 32 bits */
    int64_t big;
    float f;
    double seconds;
    int colour;
    bool flag, big_set;
    const char *name, *list[3];
    int n_list;
} opts;

#define TABLE(o)                                                                                              \
    const cli_option options[] = {                                                                            \
        {CLI_INT("--small", "-s", "N", &(o).small, -5, 100, "a 32-bit integer")},                           \
        {CLI_INT("--big", NULL, "N", &(o).big, 0, INT64_MAX, "a 64-bit integer"), .set = &(o).big_set},     \
        {CLI_FLOAT("--f", NULL, "X", &(o).f, 0, 1, CLI_MAX_OPEN, "a float in [0, 1)")},                     \
        {CLI_FLOAT("--minutes", NULL, "MIN", &(o).seconds, 0, 1e9, CLI_MIN_OPEN, "minutes"), .scale = 60}, \
        {CLI_CHOICE("--colour", NULL, "red|green", &(o).colour, colours, "a colour")},                      \
        {CLI_FLAG("--flag", "-F", &(o).flag, "a flag")},                                                    \
        {CLI_STR("--name", "-n", "TEXT", &(o).name, "a string"), .def = "anonymous"},                       \
        {CLI_LIST("--item", NULL, "X", (o).list, &(o).n_list, 3, "an item")},                               \
        CLI_END,                                                                                              \
    };                                                                                                        \
    const cli_spec spec = {"usage: attn test [options] FILE...", "Tests.", options, NULL}

static opts fresh(void) {
    opts o;
    memset(&o, 0, sizeof o);
    o.small = 7;
    o.big = 11;
    o.f = 0.25f;
    o.seconds = 120;
    o.colour = GREEN;
    return o;
}

TEST("values reach their destinations with their sizes, scale and aliases") {
    opts o = fresh();
    TABLE(o);
    char err[512], **pos;
    int n;
    cli_command = "test";
    int rc = parse(&spec, "--small=-5 --big 9223372036854775807 --f=0.5 --minutes 1.5 --colour rouge -F -n x "
                          "--item a --item=b",
                   err, sizeof err, &pos, &n);
    CHECK(rc == CLI_GO_ON);
    CHECK(err[0] == 0);
    CHECK(o.small == -5);
    CHECK(o.after_small == 0);
    CHECK(o.big == INT64_MAX);
    CHECK(o.big_set);
    CHECK(o.f == 0.5f);
    CHECK(o.seconds == 90.0);
    CHECK(o.colour == RED);
    CHECK(o.flag);
    CHECK(o.name && !strcmp(o.name, "x"));
    CHECK(o.n_list == 2 && !strcmp(o.list[0], "a") && !strcmp(o.list[1], "b"));
    CHECK(n == 0);
}

TEST("positional arguments come back in order; after -- every argument is one") {
    opts o = fresh();
    TABLE(o);
    char err[512], **pos;
    int n;
    cli_command = "test";
    CHECK(parse(&spec, "a - --flag b -- --small c", err, sizeof err, &pos, &n) == CLI_GO_ON);
    CHECK(n == 5);
    CHECK(!strcmp(pos[0], "a") && !strcmp(pos[1], "-") && !strcmp(pos[2], "b") && !strcmp(pos[3], "--small") &&
          !strcmp(pos[4], "c"));
    CHECK(o.flag);
    CHECK(o.small == 7);
}

TEST("bad values are usage errors naming the option as typed; the destination keeps its value") {
    const struct {
        const char *line, *msg;
    } cases[] = {
        {"--small 101", "attn test: error: --small must be an integer in -5..100, not '101'\n"},
        {"-s -6", "attn test: error: -s must be an integer in -5..100, not '-6'\n"},
        {"--small=2147483648", "attn test: error: --small must be an integer in -5..100, not '2147483648'\n"},
        {"--big -1", "attn test: error: --big must be an integer in 0..9223372036854775807, not '-1'\n"},
        {"--big 9223372036854775808", "attn test: error: --big must be an integer in 0..9223372036854775807, not "
                                      "'9223372036854775808'\n"},
        {"--f 1", "attn test: error: --f must be a finite number in [0, 1), not '1'\n"},
        {"--f=nan", "attn test: error: --f must be a finite number in [0, 1), not 'nan'\n"},
        {"--minutes 0", "attn test: error: --minutes must be a finite number in (0, 1e+09], not '0'\n"},
        {"--colour blue", "attn test: error: --colour must be red or green, not 'blue'\n"},
        {"--flag=1", "attn test: error: --flag takes no value, not '1'\n"},
        {"--small", "attn test: error: --small needs a value (see attn test --help)\n"},
        {"--item a --item b --item c --item d", "attn test: error: --item given more than 3 times\n"},
        {"--smal 3", "attn test: error: unknown option '--smal'; did you mean '--small'? (see attn test --help)\n"},
        {"--zzzzzz", "attn test: error: unknown option '--zzzzzz' (see attn test --help)\n"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        opts o = fresh();
        TABLE(o);
        char err[512], **pos;
        int n;
        cli_command = "test";
        int rc = parse(&spec, cases[k].line, err, sizeof err, &pos, &n);
        CHECK(rc == 2);
        if (strcmp(err, cases[k].msg)) fprintf(stderr, "for '%s': got %s", cases[k].line, err);
        CHECK(!strcmp(err, cases[k].msg));
        CHECK(o.small == 7 && o.big == 11 && o.f == 0.25f && o.seconds == 120 && o.colour == GREEN);
    }
}

TEST("--help prints every option with the default its destination holds") {
    opts o = fresh();
    o.small = 42;
    TABLE(o);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_print_help(&spec, f);
    fclose(f);
    CHECK(strstr(text, "usage: attn test [options] FILE...\n\nTests.\n\noptions:\n") == text);
    CHECK(strstr(text, "  -s, --small N ") && strstr(text, "a 32-bit integer (default 42)\n"));
    CHECK(strstr(text, "a 64-bit integer (default 11)\n"));
    CHECK(strstr(text, "a float in [0, 1) (default 0.25)\n"));
    CHECK(strstr(text, "minutes (default 2)\n")); /* 120 s shown in the unit given */
    CHECK(strstr(text, "a colour (default green)\n"));
    CHECK(strstr(text, "  -F, --flag ") && strstr(text, "a flag\n"));
    CHECK(strstr(text, "a string (default anonymous)\n"));
    CHECK(strstr(text, "  -h, --help "));
    free(text);
    /* and --help itself prints it to stdout and ends the command with status 0 */
    char err[512], **pos;
    int n;
    fflush(stdout);
    FILE *tmp = tmpfile();
    int saved = dup(1);
    dup2(fileno(tmp), 1);
    int rc = parse(&spec, "--small 3 --help --small 1000", err, sizeof err, &pos, &n);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    CHECK(rc == 0);
    CHECK(err[0] == 0);
    CHECK(ftell(tmp) > 100);
    fclose(tmp);
}
