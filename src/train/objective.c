/* objective.c — the objective table (objective.h): one row per thing a
 * model can learn, run by loop.c's train_objective_run. */
#include "train/objective.h"

static const train_objective OBJECTIVES[] = {
    /* name, trains, who, need, pairs, data source, loss (NULL: the model's), metric, higher is better */
    {"clm", TRAINS_CLM, "--objective clm on token shards", "a GPT-2 model", false, &train_lm_ops, NULL, "val_loss", false},
    {"mlm", TRAINS_MLM, "--objective mlm", "a BERT-family encoder", false, &train_lm_ops, NULL, "val_loss", false},
    {"classify", TRAINS_CLASSIFY, "--objective classify", "a classifier on a GPT-2 model or a BERT-family encoder", false,
     &train_classify_ops, NULL, "val_accuracy", true},
    {"denoise", TRAINS_DENOISE, "--objective denoise", "a BART encoder-decoder", false, &train_denoise_ops, NULL, "val_loss",
     false},
    {"sft", TRAINS_CLM, "--objective sft", "a decoder (GPT-2, OPT, Llama, BLOOM ...)", false, &train_sft_ops, NULL, "val_loss",
     false},
    {"dpo", TRAINS_CLM, "--objective dpo", "a decoder (GPT-2, OPT, Llama, BLOOM ...)", false, &train_dpo_ops, train_dpo_loss,
     "val_loss", false},
    {"reward", TRAINS_CLASSIFY, "--objective reward", "a reward head on a GPT-2 model or a BERT-family encoder", false,
     &train_reward_ops, train_reward_loss, "val_reward_accuracy", true},
    {"grpo", TRAINS_CLM, "--objective grpo", "a decoder (GPT-2, OPT, Llama, BLOOM ...)", false, &train_grpo_ops, train_grpo_loss,
     "val_exact_match", true},
    {"ppo", TRAINS_CLM, "--objective ppo", "a decoder (GPT-2, OPT, Llama, BLOOM ...)", false, &train_ppo_ops, train_ppo_loss,
     "val_exact_match", true},
    {"seq2seq", TRAINS_PAIRS, "pair data", "an encoder-decoder or RNN model", true, &train_seq2seq_ops, NULL, "val_loss", false},
};

static const train_objective *row(const char *name) {
    for (size_t i = 0; i < sizeof OBJECTIVES / sizeof *OBJECTIVES; i++)
        if (!strcmp(OBJECTIVES[i].name, name)) return &OBJECTIVES[i];
    return NULL;
}

const train_objective *train_objective_for(const attn_train_params *p) {
    switch (p->objective) {
    case ATTN_OBJECTIVE_CLASSIFY: return row("classify");
    case ATTN_OBJECTIVE_DENOISE: return row("denoise");
    case ATTN_OBJECTIVE_SFT: return row("sft");
    case ATTN_OBJECTIVE_DPO: return row("dpo");
    case ATTN_OBJECTIVE_REWARD: return row("reward");
    case ATTN_OBJECTIVE_GRPO: return row("grpo");
    case ATTN_OBJECTIVE_PPO: return row("ppo");
    default: break;
    }
    if (train_data_is_pairs(p->data_dir)) return row("seq2seq"); /* which refuses --objective mlm */
    return row(p->objective == ATTN_OBJECTIVE_MLM ? "mlm" : "clm");
}
