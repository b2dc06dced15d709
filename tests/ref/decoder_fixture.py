"""The reference capture every decoder family's fixture shares.

write_decoder_fixture saves a causal LM with transformers (config.json +
model.safetensors) and beside it fixture.safetensors:

  input_ids    int32 (2, 8)
  targets      int32 (2, 8)      next tokens; targets[0,3] = targets[1,7] = -100 (ignored)
  logits       f32 (2, 8, V)     model(input_ids).logits
  loss         f32 (1,)          mean cross-entropy over non-ignored targets
  grad.<name>  f32               d loss / d param, transformers' names
  prompt       int32 (1, 4)
  greedy       int32 (1, 10)     model.generate(prompt, greedy, 10 new tokens, no end token)

Token ids are drawn from [first_id, V) with `gen`, in this order, so a
generator that calls it the same way writes the same bytes.
"""
import os
import shutil
import sys

import torch
import torch.nn.functional as F
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_gpt2_fixture import save_canonical  # noqa: E402  byte-reproducible safetensors

B, T, NEW = 2, 8, 10


def write_decoder_fixture(model, out_dir, gen, *, first_id, pad_id, seed, generator):
    V = model.config.vocab_size
    model.eval()
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    out = {}
    seq = torch.randint(first_id, V, (B, T + 1), generator=gen, dtype=torch.int64)
    input_ids, targets = seq[:, :T].contiguous(), seq[:, 1:].contiguous()
    targets[0, 3] = -100
    targets[1, 7] = -100
    model.zero_grad(set_to_none=True)
    logits = model(input_ids).logits
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    out["input_ids"] = input_ids.to(torch.int32)
    out["targets"] = targets.to(torch.int32)
    out["logits"] = logits.detach().float().contiguous()
    out["loss"] = loss.detach().float().reshape(1)
    for pname, p in model.named_parameters():
        out["grad." + pname] = p.grad.detach().float().contiguous()
    prompt = torch.randint(first_id, V, (1, 4), generator=gen, dtype=torch.int64)
    with torch.no_grad():
        seqs = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=NEW, do_sample=False,
                              eos_token_id=None, pad_token_id=pad_id)
    out["prompt"] = prompt.to(torch.int32)
    out["greedy"] = seqs[:, 4:].to(torch.int32).contiguous()
    metadata = {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(seed),
                "generator": generator}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f)" % (out_dir, out["loss"].item()), file=sys.stderr)


def deterministic(seed):
    """Seeds torch, one thread, deterministic kernels; the generator for the fixtures' values."""
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    return torch.Generator().manual_seed(seed)
