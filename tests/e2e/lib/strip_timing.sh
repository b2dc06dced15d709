# strip FILE: a train_log.jsonl without its timing fields (tokens_per_s and
# PPO's rollout_/train_tokens_per_s, comm_s), which differ from run to run:
# what two runs that must agree are compared on. Sourced by the e2e scripts.
strip() { sed 's/, "[a-z_]*tokens_per_s": [0-9.]*//g; s/, "comm_s": [0-9.]*//' "$1"; }
