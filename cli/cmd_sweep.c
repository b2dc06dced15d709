/* attn sweep — a declarative sweep of GPT shapes x FLOP budgets x seeds over
 * one dataset, run one after another with attn train --budget-flops, each
 * finished run appended as one row of OUT/runs.jsonl (the input of attn
 * scaling fit). Resumable: finished runs (rows in runs.jsonl) are skipped,
 * an interrupted one continues from its checkpoint. */
#include "cli.h"

#include "attn/train.h"

#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t sweep_signal;

static void on_sweep_signal(int sig) {
    if (sweep_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    sweep_signal = sig;
    static const char msg[] = "\nattn sweep: stopping after this step with a checkpoint (signal again to quit at once)\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
}

static bool sweep_should_stop(void *user) {
    (void)user;
    return sweep_signal != 0;
}

typedef struct sweep_shape {
    int64_t layers, heads, width;
} sweep_shape;

enum { MAX_AXIS = 256 };

typedef struct sweep_spec {
    const char *data, *out;
    sweep_shape shapes[MAX_AXIS];
    int n_shapes;
    double budgets[MAX_AXIS];
    int n_budgets;
    uint64_t seeds[MAX_AXIS];
    int n_seeds;
    attn_train_params tp;    /* everything but the shape, budget, seed, directories */
} sweep_spec;

/* A non-negative integer key of o in [lo, hi] into *v; absent: unchanged. */
static attn_status int_key(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *v, const char *file) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x) return ATTN_OK;
    if (!cJSON_IsNumber(x) || x->valuedouble != floor(x->valuedouble) || x->valuedouble < (double)lo ||
        x->valuedouble > (double)hi)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be an integer in %lld..%lld", file, key, (long long)lo,
                           (long long)hi);
    *v = (int64_t)x->valuedouble;
    return ATTN_OK;
}

static attn_status float_key(const cJSON *o, const char *key, double lo, double hi, float *v, const char *file) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x) return ATTN_OK;
    if (!cJSON_IsNumber(x) || !(x->valuedouble >= lo && x->valuedouble <= hi))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be a number in %g..%g", file, key, lo, hi);
    *v = (float)x->valuedouble;
    return ATTN_OK;
}

/* Refuses keys of o not in the NULL-ended list (a misspelt key is an error, not a default). */
static attn_status known_keys(const cJSON *o, const char *const *keys, const char *where, const char *file) {
    const cJSON *x;
    cJSON_ArrayForEach(x, o) {
        bool ok = false;
        for (int k = 0; keys[k]; k++) ok |= x->string && !strcmp(x->string, keys[k]);
        if (!ok) return attn_errorf(ATTN_ERR_FORMAT, "%s: unknown key \"%s\" in %s", file, x->string ? x->string : "", where);
    }
    return ATTN_OK;
}

static attn_status parse_spec(cJSON *root, const char *file, sweep_spec *s) {
    static const char *const top[] = {"data", "out", "shapes", "budgets", "seeds", "train", NULL};
    static const char *const shape_keys[] = {"layers", "heads", "width", NULL};
    static const char *const train_keys[] = {"batch", "context", "seq_len", "accum", "lr", "min_lr", "warmup",
                                             "schedule", "eval_every", "eval_batches", "checkpoint_every",
                                             "dropout", "weight_decay", "clip", NULL};
    attn_status st;
    if (!cJSON_IsObject(root)) return attn_errorf(ATTN_ERR_FORMAT, "%s: not a JSON object", file);
    if ((st = known_keys(root, top, "the sweep", file))) return st;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data"), *o = cJSON_GetObjectItemCaseSensitive(root, "out");
    if (!cJSON_IsString(d)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"data\" (the shards of attn prepare) is required", file);
    s->data = d->valuestring;
    if (o && !cJSON_IsString(o)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"out\" must be a directory name", file);
    if (o && !s->out) s->out = o->valuestring;
    const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(root, "shapes"), *x;
    if (!cJSON_IsArray(shapes) || cJSON_GetArraySize(shapes) < 1 || cJSON_GetArraySize(shapes) > MAX_AXIS)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"shapes\" must list 1 to %d {\"layers\", \"heads\", \"width\"}", file, MAX_AXIS);
    cJSON_ArrayForEach(x, shapes) {
        sweep_shape *sh = &s->shapes[s->n_shapes++];
        *sh = (sweep_shape){0, 0, 0};
        if (!cJSON_IsObject(x)) return attn_errorf(ATTN_ERR_FORMAT, "%s: shape %d is not an object", file, s->n_shapes);
        if ((st = known_keys(x, shape_keys, "a shape", file)) || (st = int_key(x, "layers", 1, 1000, &sh->layers, file)) ||
            (st = int_key(x, "heads", 1, 1024, &sh->heads, file)) || (st = int_key(x, "width", 1, 65536, &sh->width, file)))
            return st;
        if (!sh->layers || !sh->heads || !sh->width || sh->width % sh->heads)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: shape %d needs layers, heads and a width that heads divide", file,
                               s->n_shapes);
    }
    const cJSON *budgets = cJSON_GetObjectItemCaseSensitive(root, "budgets");
    if (!cJSON_IsArray(budgets) || cJSON_GetArraySize(budgets) < 1 || cJSON_GetArraySize(budgets) > MAX_AXIS)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"budgets\" must list 1 to %d FLOP budgets", file, MAX_AXIS);
    cJSON_ArrayForEach(x, budgets) {
        if (!cJSON_IsNumber(x) || !(x->valuedouble > 0) || !(x->valuedouble <= 1e30))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: every budget must be a positive number of FLOPs", file);
        s->budgets[s->n_budgets++] = x->valuedouble;
    }
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    if (!seeds) {
        s->seeds[s->n_seeds++] = 0;
    } else {
        if (!cJSON_IsArray(seeds) || cJSON_GetArraySize(seeds) < 1 || cJSON_GetArraySize(seeds) > MAX_AXIS)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: \"seeds\" must list 1 to %d seeds", file, MAX_AXIS);
        cJSON_ArrayForEach(x, seeds) {
            if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > 9007199254740992.0 ||
                x->valuedouble != floor(x->valuedouble))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: every seed must be a non-negative integer", file);
            s->seeds[s->n_seeds++] = (uint64_t)x->valuedouble;
        }
    }
    attn_train_params *p = &s->tp;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "train");
    if (t && !cJSON_IsObject(t)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"train\" must be an object", file);
    if (!t) return ATTN_OK;
    if ((st = known_keys(t, train_keys, "\"train\"", file)) || (st = int_key(t, "batch", 1, CLI_MAX_BATCH, &p->batch_size, file)) ||
        (st = int_key(t, "context", 1, CLI_MAX_LEN, &p->model.n_ctx, file)) ||
        (st = int_key(t, "seq_len", 0, CLI_MAX_LEN, &p->seq_len, file)) ||
        (st = int_key(t, "accum", 1, CLI_MAX_ACCUM, &p->grad_accum, file)) ||
        (st = float_key(t, "lr", 1e-30, 1e30, &p->optim.lr, file)) ||
        (st = float_key(t, "min_lr", 0, 1e30, &p->optim.min_lr, file)) ||
        (st = int_key(t, "warmup", 0, CLI_MAX_STEPS, &p->optim.warmup_steps, file)) ||
        (st = int_key(t, "eval_every", 0, CLI_MAX_STEPS, &p->eval_every, file)) ||
        (st = int_key(t, "eval_batches", 1, CLI_MAX_BATCH, &p->eval_batches, file)) ||
        (st = int_key(t, "checkpoint_every", 0, CLI_MAX_STEPS, &p->checkpoint_every, file)) ||
        (st = float_key(t, "dropout", 0, 0.999, &p->model.dropout, file)) ||
        (st = float_key(t, "weight_decay", 0, 1e30, &p->optim.weight_decay, file)) ||
        (st = float_key(t, "clip", 0, 1e30, &p->optim.grad_clip, file)))
        return st;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(t, "schedule");
    if (sc) {
        if (cJSON_IsString(sc) && !strcmp(sc->valuestring, "cosine"))
            p->optim.schedule = ATTN_SCHEDULE_COSINE;
        else if (cJSON_IsString(sc) && !strcmp(sc->valuestring, "one-cycle"))
            p->optim.schedule = ATTN_SCHEDULE_ONE_CYCLE;
        else
            return attn_errorf(ATTN_ERR_FORMAT, "%s: \"schedule\" must be \"cosine\" or \"one-cycle\"", file);
    }
    return ATTN_OK;
}

/* The row of a finished run from its train_log.jsonl and model: N, D, C,
 * the final validation loss and the curve of validation losses by FLOPs. */
static attn_status run_row(const char *dir, const char *name, const sweep_shape *sh, double budget, uint64_t seed,
                           double wall_s, cJSON **out) {
    char path[4096 + 200];
    snprintf(path, sizeof path, "%s/train_log.jsonl", dir);
    char *text = NULL;
    size_t len = 0;
    attn_status st = cli_read_input(path, &text, &len);
    if (st) return st;
    cJSON *row = cJSON_CreateObject(), *curve = cJSON_CreateArray();
    double flops = 0, loss = NAN, fpt = 0;
    int64_t steps = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        if (!o) continue;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "flops"), *v = cJSON_GetObjectItemCaseSensitive(o, "val_loss"),
                    *k = cJSON_GetObjectItemCaseSensitive(o, "step"), *t = cJSON_GetObjectItemCaseSensitive(o, "flops_per_token");
        if (cJSON_IsNumber(f) && cJSON_IsNumber(k) && cJSON_IsNumber(t)) {
            flops = f->valuedouble, steps = (int64_t)k->valuedouble, fpt = t->valuedouble;
            loss = cJSON_IsNumber(v) ? v->valuedouble : (double)NAN;
            if (cJSON_IsNumber(v)) {
                cJSON *pt = cJSON_CreateArray();
                cJSON_AddItemToArray(pt, cJSON_CreateNumber(f->valuedouble));
                cJSON_AddItemToArray(pt, cJSON_CreateNumber(v->valuedouble));
                cJSON_AddItemToArray(curve, pt);
            }
        }
        cJSON_Delete(o);
    }
    free(text);
    attn_model *m = NULL;
    if (!(flops > 0) || !isfinite(loss)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: no final validation loss with its FLOPs (the data need val.bin)", path);
        goto fail;
    }
    if ((st = attn_model_load(dir, &m)) != ATTN_OK) goto fail;
    cJSON_AddStringToObject(row, "name", name);
    cJSON_AddNumberToObject(row, "layers", (double)sh->layers);
    cJSON_AddNumberToObject(row, "heads", (double)sh->heads);
    cJSON_AddNumberToObject(row, "width", (double)sh->width);
    cJSON_AddNumberToObject(row, "seed", (double)seed);
    cJSON_AddNumberToObject(row, "budget", budget);
    cJSON_AddNumberToObject(row, "params", (double)attn_model_num_params(m));
    cJSON_AddNumberToObject(row, "tokens", flops / fpt);
    cJSON_AddNumberToObject(row, "flops", flops);
    cJSON_AddNumberToObject(row, "loss", loss);
    cJSON_AddNumberToObject(row, "steps", (double)steps);
    cJSON_AddNumberToObject(row, "wall_s", wall_s);
    cJSON_AddItemToObject(row, "curve", curve);
    attn_model_free(m);
    *out = row;
    return ATTN_OK;
fail:
    cJSON_Delete(row);
    cJSON_Delete(curve);
    return st;
}

/* Whether a line of runs.jsonl (rows[0..len)) is an object whose "name" is name. */
static bool has_row(const char *rows, size_t len, const char *name) {
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && rows[j] != '\n') j++;
        cJSON *o = cJSON_ParseWithLength(rows + i, j - i);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
        bool hit = cJSON_IsString(n) && !strcmp(n->valuestring, name);
        cJSON_Delete(o);
        if (hit) return true;
        i = j + 1;
    }
    return false;
}

typedef struct sweep_progress {
    bool quiet;
    cli_progress pr;
    int64_t k, n;
    const char *name;
} sweep_progress;

static void on_sweep_progress(const attn_train_progress *p, void *user) {
    sweep_progress *sp = user;
    if (sp->quiet || !cli_progress_due(&sp->pr)) return;
    cli_progress_print(&sp->pr, "attn sweep: run %lld/%lld %s | step %lld/%lld | loss %.4f", (long long)sp->k,
                       (long long)sp->n, sp->name, (long long)p->step, (long long)p->max_steps, (double)p->loss);
}

int cmd_sweep(int argc, char **argv) {
    const char *out = NULL;
    int64_t max_runs = 0;
    long long threads = 0;
    bool quiet = false;
    const cli_option options[] = {
        {CLI_STR("--out", "-o", "DIR", &out, "the sweep's directory (default: the file's \"out\")")},
        {CLI_INT("--max-runs", NULL, "N", &max_runs, 0, 1000000, "stop after N runs (0: all); run again to go on")},
        {CLI_THREADS(&threads)},
        {CLI_FLAG("--quiet", "-q", &quiet, "no progress")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn sweep SWEEP.json [--out DIR] [--max-runs N]",
        "Trains every GPT shape x FLOP budget x seed of a sweep file on one dataset with\n"
        "attn train --budget-flops, one run after another into OUT/runs/NAME, and appends a row\n"
        "per finished run to OUT/runs.jsonl: name, shape, seed, budget, params N (embeddings\n"
        "included), tokens D, flops C, loss (the final validation loss), steps, wall_s and curve\n"
        "([flops, val_loss] at each evaluation) -- the input of attn scaling fit. A sweep run\n"
        "again skips the runs in runs.jsonl and continues an interrupted one from its checkpoint.\n"
        "The file:\n\n"
        "  {\"data\": \"DIR\", \"out\": \"DIR\", \"shapes\": [{\"layers\": 2, \"heads\": 2, \"width\": 64}],\n"
        "   \"budgets\": [1e12, 3e12], \"seeds\": [0],\n"
        "   \"train\": {\"batch\": 8, \"context\": 64, \"lr\": 3e-3, \"schedule\": \"cosine\", \"eval_every\": 10,\n"
        "             \"eval_batches\": 8, \"checkpoint_every\": 50}}\n\n"
        "(train also takes seq_len, accum, min_lr, warmup, dropout, weight_decay, clip;\n"
        "schedule cosine or one-cycle).",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 1) return cli_usage_error("needs one SWEEP.json (see attn sweep --help)");
    if ((r = cli_set_threads(threads)) != 0) return r;
    const char *file = argv[1];
    char *text = NULL, *rows_text = NULL;
    size_t len = 0, rows_len = 0;
    cJSON *root = NULL;
    sweep_spec *s = calloc(1, sizeof *s);
    attn_status st = s ? cli_read_input(file, &text, &len) : ATTN_ERR_OUT_OF_MEMORY;
    if (st) goto fail;
    if (!(root = cJSON_ParseWithLength(text, len))) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not JSON", file);
        goto fail;
    }
    s->out = out;
    s->tp = attn_train_default_params();
    s->tp.eval_every = 0;
    if ((st = parse_spec(root, file, s))) goto fail;
    if (!s->out) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: no \"out\" directory (or --out)", file);
        goto fail;
    }
    if (mkdir(s->out, 0777) != 0 && errno != EEXIST) {
        st = attn_errorf(ATTN_ERR_IO, "cannot create %s: %s", s->out, strerror(errno));
        goto fail;
    }
    char rows_path[4096], runs_dir[4096];
    snprintf(rows_path, sizeof rows_path, "%s/runs.jsonl", s->out);
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", s->out);
    if (mkdir(runs_dir, 0777) != 0 && errno != EEXIST) {
        st = attn_errorf(ATTN_ERR_IO, "cannot create %s: %s", runs_dir, strerror(errno));
        goto fail;
    }
    if (access(rows_path, F_OK) == 0 && (st = cli_read_input(rows_path, &rows_text, &rows_len))) goto fail;
    int64_t total = (int64_t)s->n_shapes * s->n_budgets * s->n_seeds, k = 0, ran = 0, skipped = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sweep_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sweep_progress sp = {quiet, {0}, 0, total, NULL};
    cli_progress_start(&sp.pr);
    for (int a = 0; a < s->n_shapes && !sweep_signal; a++)
        for (int b = 0; b < s->n_budgets && !sweep_signal; b++)
            for (int c = 0; c < s->n_seeds && !sweep_signal; c++) {
                const sweep_shape *sh = &s->shapes[a];
                char name[128], dir[4096 + 160];
                snprintf(name, sizeof name, "L%lld-H%lld-W%lld-C%.3g-s%llu", (long long)sh->layers, (long long)sh->heads,
                         (long long)sh->width, s->budgets[b], (unsigned long long)s->seeds[c]);
                snprintf(dir, sizeof dir, "%s/%s", runs_dir, name);
                k++;
                if (rows_text && has_row(rows_text, rows_len, name)) { /* finished before */
                    skipped++;
                    continue;
                }
                if (max_runs && ran == max_runs) goto stopped;
                attn_train_params p = s->tp;
                p.data_dir = s->data;
                p.out_dir = dir;
                p.model.n_layer = sh->layers, p.model.n_head = sh->heads, p.model.n_embd = sh->width;
                p.budget_flops = s->budgets[b];
                p.seed = s->seeds[c];
                char state[4096 + 200], log[4096 + 200];
                snprintf(state, sizeof state, "%s/trainer_state.safetensors", dir);
                snprintf(log, sizeof log, "%s/train_log.jsonl", dir);
                p.resume = access(state, F_OK) == 0 || access(log, F_OK) == 0;
                p.should_stop = sweep_should_stop;
                p.callback = on_sweep_progress;
                p.user = &sp;
                sp.k = k;
                sp.name = name;
                if (!quiet)
                    fprintf(stderr, "attn sweep: run %lld/%lld %s%s\n", (long long)k, (long long)total, name,
                            p.resume ? " (continuing)" : "");
                double t0 = cli_now_s();
                if ((st = attn_train(&p)) != ATTN_OK) {
                    char why[1024];
                    snprintf(why, sizeof why, "%s", attn_last_error());
                    st = attn_errorf(st, "run %s: %s", name, why);
                    goto fail;
                }
                if (sweep_signal) break; /* stopped inside the run: its checkpoint is complete */
                cJSON *row = NULL;
                if ((st = run_row(dir, name, sh, s->budgets[b], s->seeds[c], cli_now_s() - t0, &row))) goto fail;
                char *line = cJSON_PrintUnformatted(row);
                cJSON_Delete(row);
                cli_atomic af;
                if (!line) {
                    st = ATTN_ERR_OUT_OF_MEMORY;
                    goto fail;
                }
                /* the whole file again, replaced atomically: a crash leaves the old rows or the new */
                if ((st = cli_atomic_open(&af, rows_path)) != ATTN_OK) {
                    cJSON_free(line);
                    goto fail;
                }
                if (rows_text) fwrite(rows_text, 1, rows_len, af.f);
                fprintf(af.f, "%s\n", line);
                st = cli_atomic_commit(&af);
                size_t add = strlen(line) + 1;
                char *grown = st ? NULL : realloc(rows_text, rows_len + add + 1);
                if (grown) {
                    memcpy(grown + rows_len, line, add - 1);
                    grown[rows_len + add - 1] = '\n';
                    grown[rows_len + add] = 0;
                    rows_text = grown;
                    rows_len += add;
                }
                cJSON_free(line);
                if (st) goto fail;
                if (!grown) {
                    st = ATTN_ERR_OUT_OF_MEMORY;
                    goto fail;
                }
                ran++;
            }
stopped:
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    cli_progress_end(&sp.pr);
    int64_t done = skipped + ran;
    if (!quiet || sweep_signal)
        fprintf(stderr, "attn sweep: %lld of %lld runs done (%lld now, %lld before) in %s\n", (long long)done,
                (long long)total, (long long)ran, (long long)skipped, rows_path);
    cJSON_Delete(root);
    free(text);
    free(rows_text);
    free(s);
    return sweep_signal ? 128 + sweep_signal : 0;
fail:
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    cJSON_Delete(root);
    free(text);
    free(rows_text);
    free(s);
    return cli_fail(cli_command, st, NULL);
}
