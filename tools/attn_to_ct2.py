"""Converts a Transformer translation model saved by attn (transformers' Marian layout:
config.json, model.safetensors, tokenizer.json, translate.json) to a CTranslate2 model
directory, through CTranslate2's converter API.

    python tools/attn_to_ct2.py MODEL OUT [--quantization int8]

ct2-transformers-converter assumes OPUS-MT's conventions for Marian models: the decoder
starts from a zero embedding, and <pad> is the vocabulary's last row, which it drops. attn's
models start the decoder from their decoder_start_token_id (</s> for models trained on pair
data) and keep <pad> at its tokenizer id, so the stock converter rejects them (or, with the
row dropped, would translate differently). This loader keeps every row, starts the decoder
from the model's start token's embedding, and takes the vocabulary (one token string per id)
from tokenizer.json, so CTranslate2 sees the token ids attn uses.

CTranslate2 takes token strings: wrap each source as attn translate does (translate.json's
src_bos / src_eos around the tokenizer's ids) and map ids to strings with vocabulary(MODEL)
(see bench/translate_ct2.py)."""
import argparse
import json
import sys
from pathlib import Path


def vocabulary(model_dir):
    """The token string of every id of tokenizer.json (model vocabulary and added tokens);
    an id that has none gets a placeholder that is no token."""
    tok = json.loads((Path(model_dir) / "tokenizer.json").read_text())
    by_id = {}
    vocab = tok["model"].get("vocab", {})
    if isinstance(vocab, dict):
        by_id.update({i: s for s, i in vocab.items()})
    else:  # unigram: [[piece, score], ...]
        by_id.update({i: p[0] for i, p in enumerate(vocab)})
    for a in tok.get("added_tokens", []):
        by_id[a["id"]] = a["content"]
    cfg = json.loads((Path(model_dir) / "config.json").read_text())
    n = cfg["vocab_size"]
    tokens = [by_id.get(i, "<attn_unused_%d>" % i) for i in range(n)]
    if len(set(tokens)) != n:
        raise ValueError("%s: tokenizer.json maps two ids to one string" % model_dir)
    return tokens


def wrap(model_dir):
    """translate.json's (src_bos, src_eos, tgt_bos, tgt_eos); -1 for none."""
    w = json.loads((Path(model_dir) / "translate.json").read_text())
    return w["src_bos"], w["src_eos"], w["tgt_bos"], w["tgt_eos"]


def convert(model_dir, out_dir, quantization=None, force=True):
    import ctranslate2
    import torch
    import transformers
    from ctranslate2.converters import transformers as ct2t

    model_dir = str(model_dir)
    cfg = json.loads((Path(model_dir) / "config.json").read_text())
    if cfg.get("model_type") != "marian":
        raise ValueError("%s: a Marian-layout model (attn train --arch transformer) expected, got model_type %r"
                         % (model_dir, cfg.get("model_type")))
    tokens = vocabulary(model_dir)

    class AttnMarianLoader(ct2t.BartLoader):
        """BART's loader with Marian's post-norm layers and no embedding norm, every
        vocabulary row kept and the decoder started from decoder_start_token_id."""

        @property
        def architecture_name(self):
            return "MarianMTModel"

        def get_model_spec(self, model):
            model.config.normalize_before = False
            model.config.normalize_embedding = False
            return super().get_model_spec(model)

        def get_vocabulary(self, model, tokenizer):
            return tokens

        def set_config(self, config, model, tokenizer):
            c = model.config
            config.decoder_start_token = tokens[c.decoder_start_token_id]
            config.eos_token = tokens[c.eos_token_id]
            config.bos_token = tokens[c.bos_token_id] if c.bos_token_id is not None else tokens[c.eos_token_id]
            config.unk_token = "<unk>" if "<unk>" in tokens else tokens[c.pad_token_id]

    class AttnConverter(ctranslate2.converters.Converter):
        def _load(self):
            with torch.no_grad():
                model = transformers.MarianMTModel.from_pretrained(model_dir, dtype=torch.float32).eval()
                return AttnMarianLoader()(model, None)

    return AttnConverter().convert(str(out_dir), quantization=quantization, force=force)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="attn model directory (Marian layout)")
    ap.add_argument("out", help="CTranslate2 model directory to write (replaced if it exists)")
    ap.add_argument("--quantization", default=None, help="CTranslate2 weight type: int8, int8_float32, float16, ...")
    a = ap.parse_args()
    try:
        convert(a.model, a.out, a.quantization)
    except (OSError, ValueError, KeyError) as e:
        print("attn_to_ct2.py: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
