/* settings.h — the training settings a checkpoint records and a resume
 * compares, as one table (settings.c): each row names its JSON key in the
 * trainer state's "settings", its type, its field of train_settings, the
 * command-line option a message names, and what a difference on --resume
 * means (refused, warned or allowed). The same rows write the settings,
 * read them back and compare them. */
#ifndef ATTN_TRAIN_SETTINGS_H
#define ATTN_TRAIN_SETTINGS_H

#include "attn/train.h"

/* One run's settings. `present` has bit i set when row i of the table is
 * recorded: which rows a run records follows from its objective (the
 * masked-LM settings only under mlm, the noise ratios only under denoise,
 * ...), and a checkpoint of an older version may lack some. */
typedef struct train_settings {
    uint64_t present;
    int64_t batch_size, seq_len, grad_accum, max_steps, warmup_steps, d_model, batch_tokens, world_size, group;
    int64_t ppo_epochs, max_new, kl_horizon;
    float lr, min_lr, weight_decay, beta1, beta2, eps, grad_clip, label_smoothing;
    float mask_ratio, poisson_lambda, random_ratio, delete_ratio, permute_ratio, rotate_ratio, dpo_beta, kl_coef, muon_lr, muon_momentum;
    float cliprange, cliprange_value, vf_coef, gamma, lam, ppo_kl_coef, kl_target, ptx_coef;
    bool static_masking, whole_word_masking, doc_windows, nsp, deterministic_reduce, train_on_prompt, packing, dpo_ipo;
    char seed[24], objective[16], schedule[16], data[16], precision[8], optimizer[8];
} train_settings;

/* The `present` bit of the row whose key is `key` (0 for none). */
uint64_t train_settings_has(const char *key);
/* The settings of a run of p (in a run of dist_size() processes) with windows of T tokens (0 for pair data);
 * `pairs`: pair shards, batches of batch_tokens padded tokens. */
void train_settings_of(const attn_train_params *p, int64_t T, bool pairs, int64_t batch_tokens, train_settings *s);
/* The run's number of processes (1 where not recorded) and its global
 * micro-batches per step (world_size x grad_accum). */
int64_t train_settings_world(const train_settings *s);
int64_t train_settings_global_micro(const train_settings *s);
/* s as the trainer state's settings JSON (cJSON_free it; NULL with an
 * out-of-memory message when an allocation failed). */
char *train_settings_write(const train_settings *s);
/* The settings JSON `json` of the trainer state `path` into *s: unknown
 * keys, wrong types and a missing max_steps are ATTN_ERR_FORMAT naming
 * path; out of memory is ATTN_ERR_OUT_OF_MEMORY. */
attn_status train_settings_read(const char *json, const char *path, train_settings *s);
/* A resume's check of the checkpoint's settings `saved` against this run's
 * `now`, row by row: a refused row that differs is ATTN_ERR_INVALID_ARG
 * naming the option and both values (out_dir: the run's directory); a
 * warned one that differs calls p->warning (when set) and goes on; an
 * allowed one (max_steps) is not compared. grad_accum and world_size are
 * compared as their product: another number of processes is allowed (and
 * warned of without --deterministic-reduce) when --accum keeps the step's
 * global micro-batches. */
attn_status train_settings_compare(const train_settings *saved, const train_settings *now, const attn_train_params *p);

#endif
