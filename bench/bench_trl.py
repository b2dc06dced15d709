#!/usr/bin/env python3
"""attn's DPO (and PPO) training step against Hugging Face TRL's trainers (PyTorch), same model, same data.

    .venv/bin/python bench/bench_trl.py [--mode dpo] [--layers 6] [--heads 6] [--width 384] [--context 128]
        [--vocab 4096] [--batch 8] [--steps 12] [--skip 2] [--rounds 3] [--threads 2]
        [--trl-ref precompute|live] [--workdir DIR] [--smoke]
    PYTHON_WITH_TRL_1_12/bin/python bench/bench_trl.py --mode ppo [--max-new 32] [...]

needs `make attn` and the .venv of tools/setup.sh with bench/requirements.txt (trl). --mode ppo
needs TRL 1.12.0 or older: TRL moved PPOTrainer to trl.experimental.ppo in 1.10 and removed it in
1.13.0 (huggingface/trl#7020). trl==1.12.0 installs over the .venv's torch and transformers (one
way that leaves the .venv alone: a venv whose site-packages has a .pth line naming the .venv's
site-packages, and `pip install --no-deps trl==1.12.0` into it).

Setup (into --workdir, a temporary folder by default): a byte-level BPE of --vocab tokens trained
by `attn tokenizer train` on data/austen/persuasion.txt, the text as shards (`attn prepare`), and
an untrained GPT-2 (`attn train --steps 0`: transformers' GPT2 layout, config.json +
model.safetensors + tokenizer.json) that both engines load as the policy and the frozen
reference. The pairs are plain-text {"prompt", "chosen", "rejected"} JSON lines cut from the
same text: a prompt of --prompt-tokens tokens, then the chosen completion (the text that follows,
between --min-completion and --max-completion tokens) and the rejected one (a passage from
elsewhere) of 2 x the mean completion length minus the chosen one's, so every pair, and so every
step, has the same number of real tokens (the table's tokens/step). Each completion ends with
"<|endoftext|>" written in the text: TRL appends the eos token to completions that lack it and
attn reads added tokens in text, so both engines train on the same token ids (checked against
TRL's tokenized dataset). There are --batch x --steps pairs: one epoch.

Both engines: float32, AdamW (betas 0.9 / 0.95, eps 1e-8, weight decay 0.1) at a constant --lr
(attn: no warmup, --min-lr = --lr), gradient-norm clip 1, beta 0.1 (sigmoid loss), no gradient
accumulation, no evaluation, no checkpoint until the end (attn writes its model once at the end;
TRL saves nothing), --threads threads (attn --threads N --fixed-threads; torch.set_num_threads(N),
TRL's use_cpu=True, dataloader in the main process, report_to none, no progress bar, gradient
checkpointing off: TRL turns it on by default, attn does not recompute). TRL's DPO step still
computes its per-step metrics (entropy, token accuracy, rewards): that is its step as shipped.
Both run under the same OpenMP wait policy, GOMP_SPINCOUNT=--spincount (attn's default, 1000; the
script sets it before torch loads): with libgomp's default spin (about 300,000 iterations) on a
machine with other jobs, torch's 2-thread forward + backward of the --smoke model ran 60-90x
slower here than with it, as each parallel region waited for a descheduled thread
(bench/contention.sh measures the same for attn).

The reference log-probabilities: attn computes them once per run and caches them beside the data
(the cache is deleted before each attn run so every run pays for it, as TRL's does); TRL with
--trl-ref precompute (the default: like for like) computes them in the trainer's constructor
(precompute_ref_log_probs=True), with --trl-ref live it runs the reference model in every step
(TRL's default).

Measured, in --rounds interleaved rounds (attn, TRL, attn, TRL, ...), each a whole training run
of --steps steps:
- step seconds: the median over the steps after the first --skip of a run (attn: the step's
  real tokens / the tokens_per_s of OUT/train_log.jsonl, which times the batch assembly and the
  step; TRL: the time between consecutive on_step_end callbacks, batch collation included);
- run seconds: the whole run's wall time with the reference pass (attn: the `attn train`
  process, start-up and model write included; TRL: from_pretrained, the DPOTrainer constructor
  with its tokenization and reference pass, and train(); Python's imports excluded).
The table gives the median over rounds and the ratio TRL / attn of the medians (above 1: attn is
faster).

--mode ppo: one rollout and one update per step on both sides (attn --objective ppo --ppo-epochs 1;
TRL's PPOTrainer with num_ppo_epochs 1, one mini-batch): --batch prompts (the pairs' prompts, as
plain-text {"prompt"} lines for attn and their token ids for TRL), completions sampled at
temperature 1 up to --max-new tokens, stopping at the eos token, scored by a reward model (attn's
`--objective reward` on the untrained GPT-2 after one step, a GPT2ForSequenceClassification),
kl_coef 0.05 (k1), cliprange 0.2, cliprange_value 0.2, vf_coef 0.1, gamma 1, lam 0.95, no reward
whitening, no missing-eos penalty, no sample generations. The value function differs by design:
attn's is a linear head on the policy's final hidden states (one network trained), TRL's a
separate value model (the reward model's copy: a second network of the same shape run in the
rollout and trained in the update), so TRL's step does more work; the ratio is of the two
trainers as they are. attn's step times are the gaps between its log's lines, stamped as they are
written (the log is flushed each step; polled every 5 ms); the run time has no reference pass
(the reference model runs in each rollout on both sides).

Run it on a quiet machine: other jobs make both engines' numbers noisy."""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EOS = "<|endoftext|>"


def die(msg):
    print("bench_trl: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def step_clock(callback_base):
    """A list and a TrainerCallback class that appends the time of every step's end to it."""
    ends = []

    class Clock(callback_base):
        def on_step_end(self, args, state, control, **kw):
            ends.append(time.perf_counter())

    return ends, Clock


def run(cmd):
    r = subprocess.run([str(c) for c in cmd], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        die("`%s` exited %d: %s" % (" ".join(map(str, cmd)), r.returncode, (r.stderr or r.stdout).strip()[-2000:]))
    return r.stdout


def make_model(d, a):
    """The tokenizer, the shards and the untrained GPT-2 (d/sft), once per workdir and shape."""
    text = REPO / "data" / "austen" / "persuasion.txt"
    tok, shards, sft = d / "tok", d / "shards", d / "sft"
    if not (tok / "tokenizer.json").exists():
        run([REPO / "attn", "tokenizer", "train", "--type", "bpe", "--vocab-size", a.vocab, "--special-tokens", EOS,
             "-o", tok, text])
    if not shards.exists():
        run([REPO / "attn", "prepare", "-t", tok, "-o", shards, text])
    if not (sft / "model.safetensors").exists():
        run([REPO / "attn", "train", "--data", shards, "--out", sft, "--layers", a.layers, "--heads", a.heads,
             "--width", a.width, "--context", a.context, "--steps", 0, "--seed", a.seed, "--quiet"])
    return text, sft


def make_pairs(text, sft, path, a):
    """--batch x --steps pairs with exact token counts (prompt and completions encoded apart, as
    both engines encode them)."""
    from tokenizers import Tokenizer
    tk = Tokenizer.from_file(str(sft / "tokenizer.json"))
    s = " ".join(Path(text).read_text(encoding="utf-8").split())
    enc = tk.encode(s, add_special_tokens=False)
    offs = enc.offsets
    n = lambda t: len(tk.encode(t, add_special_tokens=False).ids)  # noqa: E731
    rng = random.Random(a.seed)
    mean_c = (a.min_completion + a.max_completion) // 2
    P = a.prompt_tokens
    pairs, tries = [], 0
    while len(pairs) < a.batch * a.steps:
        tries += 1
        if tries > 100000:
            die("could not cut %d pairs from %s" % (a.batch * a.steps, text))
        lc = rng.randint(a.min_completion, a.max_completion)
        lr = 2 * mean_c - lc
        i = rng.randrange(0, len(offs) - P - lc - 1)
        j = rng.randrange(0, len(offs) - lr - 1)
        # completions are counted with the eos token, so cut lc - 1 and lr - 1 text tokens
        prompt = s[offs[i][0]:offs[i + P][0]]
        chosen = s[offs[i + P][0]:offs[i + P + lc - 1][0]] + EOS
        rejected = s[offs[j][0]:offs[j + lr - 1][0]] + EOS
        if not (chosen.startswith(" ") and rejected.startswith(" ")) or prompt.endswith(" "):
            continue
        if n(prompt) != P or n(chosen) != lc or n(rejected) != lr or n(prompt + chosen) != P + lc \
                or n(prompt + rejected) != P + lr:
            continue
        pairs.append({"prompt": prompt, "chosen": chosen, "rejected": rejected})
    with open(path, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p) + "\n")
    return pairs, 2 * P + 2 * mean_c  # real tokens per pair


def attn_side(sft, data, out, a, tokens_per_step):
    for c in data.parent.glob(data.name + ".ref-*.bin"):
        c.unlink()  # every run pays for its reference pass, as TRL's does
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    run([REPO / "attn", "train", "--objective", "dpo", "--init", sft, "--data", data, "--beta", a.beta,
         "--batch", a.batch, "--steps", a.steps, "--out", out, "--threads", a.threads, "--fixed-threads",
         "--lr", a.lr, "--min-lr", a.lr, "--warmup", 0, "--weight-decay", 0.1, "--beta1", 0.9, "--beta2", 0.95,
         "--eps", 1e-8, "--clip", 1, "--seed", a.seed, "--quiet"])
    wall = time.perf_counter() - t0
    log = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines() if line.strip()]
    steps = [r for r in log if "tokens_per_s" in r and r["step"] > a.skip]
    if len(steps) != a.steps - a.skip:
        die("attn's log has %d timed steps, not %d" % (len(steps), a.steps - a.skip))
    return statistics.median(tokens_per_step / r["tokens_per_s"] for r in steps), wall, log[-1]["loss"]


class TRLSide:
    def __init__(self, sft, data, a, tokens_per_pair):
        import datasets
        import torch
        import transformers
        import trl
        from datasets import load_dataset
        datasets.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        warnings.filterwarnings("ignore", category=FutureWarning)
        torch.set_num_threads(a.threads)
        self.torch, self.transformers, self.trl = torch, transformers, trl
        self.sft, self.a = sft, a
        self.ds = load_dataset("json", data_files=str(data), split="train", keep_in_memory=True)
        self.tokens_per_pair = tokens_per_pair

    def run(self, out):
        torch, trl, a = self.torch, self.trl, self.a
        from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast, TrainerCallback
        from transformers.trainer_callback import PrinterCallback

        ends, Clock = step_clock(TrainerCallback)

        t0 = time.perf_counter()
        torch.manual_seed(a.seed)
        tok = PreTrainedTokenizerFast(tokenizer_file=str(self.sft / "tokenizer.json"), eos_token=EOS, pad_token=EOS)
        model = GPT2LMHeadModel.from_pretrained(str(self.sft), torch_dtype=torch.float32)
        cfg = trl.DPOConfig(
            output_dir=str(out), per_device_train_batch_size=a.batch, gradient_accumulation_steps=1,
            max_steps=a.steps, learning_rate=a.lr, lr_scheduler_type="constant", warmup_steps=0,
            weight_decay=0.1, adam_beta1=0.9, adam_beta2=0.95, adam_epsilon=1e-8, max_grad_norm=1.0,
            optim="adamw_torch", beta=a.beta, max_length=a.context, loss_type=["sigmoid"],
            precompute_ref_log_probs=a.trl_ref == "precompute", use_cpu=True, bf16=False, fp16=False,
            gradient_checkpointing=False, dataloader_num_workers=0, dataloader_pin_memory=False, report_to="none",
            logging_strategy="no", save_strategy="no", eval_strategy="no", disable_tqdm=True, seed=a.seed,
            dataset_num_proc=None)
        trainer = trl.DPOTrainer(model=model, args=cfg, processing_class=tok, train_dataset=self.ds,
                                 callbacks=[Clock()])
        trainer.remove_callback(PrinterCallback)  # the end-of-run metrics line
        if not self.checked:
            self.check(trainer.train_dataset)
        res = trainer.train()
        wall = time.perf_counter() - t0
        if len(ends) != a.steps:
            die("TRL ran %d steps, not %d" % (len(ends), a.steps))
        dts = [ends[i] - ends[i - 1] for i in range(a.skip, a.steps)] if a.skip else \
            [ends[0] - t0] + [ends[i] - ends[i - 1] for i in range(1, a.steps)]
        return statistics.median(dts), wall, res.training_loss

    checked = False

    def check(self, ds):
        """TRL's token counts are attn's: prompt + chosen + prompt + rejected per pair."""
        for ex in ds:
            n = 2 * len(ex["prompt_ids"]) + len(ex["chosen_ids"]) + len(ex["rejected_ids"])
            if n != self.tokens_per_pair:
                die("TRL tokenized a pair to %d tokens, not %d" % (n, self.tokens_per_pair))
        self.checked = True


def make_rm(sft, data, d, a):
    """The reward model: attn's *ForSequenceClassification head on the untrained GPT-2."""
    rm = d / "rm"
    if not (rm / "model.safetensors").exists():
        run([REPO / "attn", "train", "--objective", "reward", "--init", sft, "--data", data, "--out", rm, "--batch",
             a.batch, "--steps", 1, "--lr", a.lr, "--threads", a.threads, "--seed", a.seed, "--quiet"])
    return rm


def attn_ppo_side(sft, rm, prompts, out, a):
    """One `attn train --objective ppo` run; the step times are the gaps between the log's lines,
    stamped as they appear (the log is flushed each step)."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(c) for c in [REPO / "attn", "train", "--objective", "ppo", "--init", sft, "--reward", rm, "--prompts",
                            prompts, "--batch", a.batch, "--max-new", a.max_new, "--ppo-epochs", 1, "--steps", a.steps,
                            "--out", out, "--threads", a.threads, "--fixed-threads", "--lr", a.lr, "--min-lr", a.lr,
                            "--warmup", 0, "--weight-decay", 0.1, "--beta1", 0.9, "--beta2", 0.95, "--eps", 1e-8,
                            "--clip", 1, "--kl-coef", 0.05, "--cliprange", 0.2, "--cliprange-value", 0.2,
                            "--vf-coef", 0.1, "--gamma", 1, "--lam", 0.95, "--seed", a.seed, "--quiet"]]
    log = out / "train_log.jsonl"
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ends, size = [], 0
    while proc.poll() is None:
        time.sleep(0.005)
        try:
            n = log.stat().st_size
        except FileNotFoundError:
            continue
        if n != size:
            size = n
            lines = log.read_text().count("\n")
            now = time.perf_counter()
            ends += [now] * (lines - len(ends))
    wall = time.perf_counter() - t0
    err = proc.stderr.read()
    if proc.returncode != 0:
        die("`%s` exited %d: %s" % (" ".join(cmd), proc.returncode, err.strip()[-2000:]))
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    if len(ends) != a.steps or len(rows) != a.steps:
        die("attn's log has %d lines (%d stamped), not %d" % (len(rows), len(ends), a.steps))
    return statistics.median(ends[i] - ends[i - 1] for i in range(a.skip, a.steps)), wall, rows[-1]["reward_mean"]


class TRLPPOSide:
    """TRL's PPOTrainer (trl.experimental.ppo, TRL <= 1.12.0): policy and reference from d/sft,
    reward and value models from d/rm, one rollout and one PPO epoch of one mini-batch per step."""

    def __init__(self, sft, rm, prompt_ids, a):
        import datasets
        import torch
        import transformers
        from datasets import Dataset
        datasets.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        warnings.filterwarnings("ignore")
        torch.set_num_threads(a.threads)
        self.torch, self.sft, self.rm, self.a = torch, sft, rm, a
        self.ds = Dataset.from_dict({"input_ids": prompt_ids})

    def run(self, out):
        torch, a = self.torch, self.a
        from transformers import (AutoModelForSequenceClassification, GPT2LMHeadModel, PreTrainedTokenizerFast,
                                  TrainerCallback)
        from transformers.trainer_callback import PrinterCallback
        from trl.experimental.ppo import PPOConfig, PPOTrainer

        ends, Clock = step_clock(TrainerCallback)

        t0 = time.perf_counter()
        torch.manual_seed(a.seed)
        tok = PreTrainedTokenizerFast(tokenizer_file=str(self.sft / "tokenizer.json"), eos_token=EOS, pad_token=EOS)
        policy = GPT2LMHeadModel.from_pretrained(str(self.sft), torch_dtype=torch.float32)
        ref = GPT2LMHeadModel.from_pretrained(str(self.sft), torch_dtype=torch.float32)
        reward = AutoModelForSequenceClassification.from_pretrained(str(self.rm), num_labels=1,
                                                                    torch_dtype=torch.float32)
        value = AutoModelForSequenceClassification.from_pretrained(str(self.rm), num_labels=1,
                                                                   torch_dtype=torch.float32)
        for m in (policy, ref, reward, value):
            m.config.pad_token_id = tok.pad_token_id
        cfg = PPOConfig(
            output_dir=str(out), per_device_train_batch_size=a.batch, gradient_accumulation_steps=1,
            num_mini_batches=1, num_ppo_epochs=1, total_episodes=a.batch * a.steps,
            local_rollout_forward_batch_size=a.batch, response_length=a.max_new, stop_token="eos", temperature=1.0,
            missing_eos_penalty=None, num_sample_generations=0, whiten_rewards=False, kl_estimator="k1",
            kl_coef=0.05, cliprange=0.2, cliprange_value=0.2, vf_coef=0.1, gamma=1.0, lam=0.95,
            learning_rate=a.lr, lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.1, adam_beta1=0.9,
            adam_beta2=0.95, adam_epsilon=1e-8, max_grad_norm=1.0, optim="adamw_torch", use_cpu=True, bf16=False,
            fp16=False, gradient_checkpointing=False, dataloader_num_workers=0, dataloader_pin_memory=False,
            report_to="none", logging_strategy="no", save_strategy="no", eval_strategy="no", disable_tqdm=True,
            seed=a.seed)
        trainer = PPOTrainer(args=cfg, processing_class=tok, model=policy, ref_model=ref, reward_model=reward,
                             value_model=value, train_dataset=self.ds, eval_dataset=self.ds, callbacks=[Clock()])
        trainer.remove_callback(PrinterCallback)
        trainer.train()
        wall = time.perf_counter() - t0
        if len(ends) != a.steps:
            die("TRL ran %d PPO steps, not %d" % (len(ends), a.steps))
        dts = [ends[i] - ends[i - 1] for i in range(a.skip, a.steps)]
        return statistics.median(dts), wall, float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", default="dpo", choices=("dpo", "ppo"),
                   help="ppo needs TRL <= 1.12.0 (trl.experimental.ppo; TRL 1.13.0 removed PPOTrainer)")
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--heads", type=int, default=6)
    p.add_argument("--width", type=int, default=384)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--vocab", type=int, default=4096, help="BPE vocabulary size")
    p.add_argument("--batch", type=int, default=8, help="pairs per step")
    p.add_argument("--steps", type=int, default=12, help="steps per run")
    p.add_argument("--skip", type=int, default=2, help="untimed steps at the start of a run")
    p.add_argument("--rounds", type=int, default=3, help="interleaved runs of each engine")
    p.add_argument("--prompt-tokens", type=int, default=16)
    p.add_argument("--min-completion", type=int, default=32, help="completion tokens, eos included")
    p.add_argument("--max-completion", type=int, default=48)
    p.add_argument("--max-new", type=int, default=32, help="ppo: tokens per sampled completion at most")
    p.add_argument("--beta", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=5e-6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--trl-ref", default="precompute", choices=("precompute", "live"),
                   help="TRL's reference log-probs: precompute_ref_log_probs=True (attn's way) or the reference "
                        "model in every step")
    p.add_argument("--workdir", help="where the model, data and runs go (default: a temporary folder)")
    p.add_argument("--smoke", action="store_true", help="a tiny shape, 4 steps, 1 round (under a minute)")
    p.add_argument("--spincount", default="1000",
                   help="GOMP_SPINCOUNT for both engines (attn's default 1000; 'unset': libgomp's own)")
    a = p.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")  # TRL's reference-pass progress bar
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # trl.experimental.ppo's import warning
    if a.spincount == "unset":
        os.environ.pop("GOMP_SPINCOUNT", None)
    else:
        os.environ["GOMP_SPINCOUNT"] = a.spincount
    if "torch" in sys.modules:
        die("torch was loaded before GOMP_SPINCOUNT was set")
    if a.smoke:
        a.layers, a.heads, a.width, a.vocab, a.batch, a.steps, a.skip, a.rounds = 2, 2, 64, 512, 4, 4, 1, 1
        a.min_completion, a.max_completion, a.max_new = 16, 24, 8
    if min(a.layers, a.heads, a.width, a.batch, a.steps, a.rounds, a.threads, a.prompt_tokens) < 1 or a.skip < 0 \
            or a.skip >= a.steps or a.width % a.heads or not 2 <= a.min_completion <= a.max_completion:
        p.error("need positive shapes, --skip < --steps, --width divisible by --heads and "
                "2 <= --min-completion <= --max-completion")
    if a.prompt_tokens + max(a.max_completion, a.max_new) > a.context or a.max_new < 1:
        p.error("--prompt-tokens + --max-completion (and + --max-new) must fit --context; --max-new >= 1")
    if not os.access(REPO / "attn", os.X_OK):
        die("attn is not built (make attn)")
    try:
        import trl  # noqa: F401
    except ImportError:
        die("trl is not installed (pip install -r bench/requirements.txt)")
    if a.mode == "ppo":
        try:
            import trl.experimental.ppo  # noqa: F401
        except ImportError:
            die("trl %s has no PPOTrainer (TRL 1.13.0 removed trl.experimental.ppo): run --mode ppo with a "
                "Python that has trl==1.12.0" % trl.__version__)

    tmp = None
    workdir = Path(a.workdir) if a.workdir else Path(tmp := tempfile.mkdtemp(prefix="bench_trl_"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        text, sft = make_model(workdir, a)
        data = workdir / "pairs.jsonl"
        pairs, per_pair = make_pairs(text, sft, data, a)
        if a.mode == "dpo":
            tokens_per_step = a.batch * per_pair
            trl_side = TRLSide(sft, data, a, per_pair)
            attn_run = lambda: attn_side(sft, data, workdir / "attn_out", a, tokens_per_step)  # noqa: E731
            what = "batch %d pairs of %d tokens; TRL reference: %s" % (a.batch, per_pair, a.trl_ref)
            unit = "last loss attn %.4f, TRL mean loss %.4f"
        else:
            from tokenizers import Tokenizer
            tk = Tokenizer.from_file(str(sft / "tokenizer.json"))
            rm = make_rm(sft, data, workdir, a)
            prompts = workdir / "prompts.jsonl"
            prompts.write_text("".join(json.dumps({"prompt": q["prompt"]}) + "\n" for q in pairs), encoding="utf-8")
            trl_side = TRLPPOSide(sft, rm, [tk.encode(q["prompt"], add_special_tokens=False).ids for q in pairs], a)
            attn_run = lambda: attn_ppo_side(sft, rm, prompts, workdir / "attn_out", a)  # noqa: E731
            tokens_per_step = a.batch * (a.prompt_tokens + a.max_new)  # at most: a completion may stop at eos
            what = "batch %d prompts of %d tokens, completions of at most %d tokens, 1 PPO epoch" \
                % (a.batch, a.prompt_tokens, a.max_new)
            unit = "last mean reward attn %.4f"
        import torch
        import transformers
        print("%s: attn %s; trl %s, transformers %s, torch %s; %d threads; GPT-2 %d layers, width %d, %d heads, "
              "context %d, vocab %d; %s; %d steps a run (the first %d untimed); GOMP_SPINCOUNT %s"
              % (a.mode.upper(), run([REPO / "attn", "--version"]).split("\n")[0].split()[-1], trl.__version__,
                 transformers.__version__, torch.__version__, a.threads, a.layers, a.width, a.heads, a.context,
                 a.vocab, what, a.steps, a.skip, a.spincount), flush=True)
        r = {"attn_step": [], "trl_step": [], "attn_run": [], "trl_run": []}
        for rnd in range(a.rounds):
            s, w, al = attn_run()
            r["attn_step"].append(s)
            r["attn_run"].append(w)
            s, w, tl = trl_side.run(workdir / "trl_out")
            r["trl_step"].append(s)
            r["trl_run"].append(w)
            print(("  round %d: step attn %.3f s TRL %.3f s; run attn %.1f s TRL %.1f s; " + unit)
                  % ((rnd + 1, r["attn_step"][-1], r["trl_step"][-1], r["attn_run"][-1], r["trl_run"][-1], al)
                     + ((tl,) if a.mode == "dpo" else ())), flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp)
    med = {k: statistics.median(v) for k, v in r.items()}
    print()
    print("%-12s %10s %10s %12s" % (a.mode.upper(), "attn", "TRL", "TRL / attn"))
    print("%-12s %10.3f %10.3f %12.2f"
          % ("step s", med["attn_step"], med["trl_step"], med["trl_step"] / med["attn_step"]))
    print("%-12s %10.1f %10.1f %12.2f" % ("run s", med["attn_run"], med["trl_run"], med["trl_run"] / med["attn_run"]))
    print("%-12s %10.0f %10.0f" % ("tokens/s", tokens_per_step / med["attn_step"], tokens_per_step / med["trl_step"]))
    print(json.dumps({"bench": a.mode, "threads": a.threads, "layers": a.layers, "heads": a.heads, "width": a.width,
                      "context": a.context, "vocab": a.vocab, "batch": a.batch, "tokens_per_step": tokens_per_step,
                      "steps": a.steps, "skip": a.skip, "rounds": a.rounds,
                      **({"trl_ref": a.trl_ref} if a.mode == "dpo" else {"max_new": a.max_new}),
                      "gomp_spincount": a.spincount, "trl": trl.__version__,
                      **{k + "_s": [round(x, 4) for x in v] for k, v in r.items()},
                      "step_ratio": round(med["trl_step"] / med["attn_step"], 3),
                      "run_ratio": round(med["trl_run"] / med["attn_run"], 3)}))
    print("(seconds: median of %d rounds; step: median over a run's steps after the first %d; run: the whole "
          "run%s)" % (a.rounds, a.skip, " with its reference pass" if a.mode == "dpo" else ""))

if __name__ == "__main__":
    main()
