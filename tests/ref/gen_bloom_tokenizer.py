#!/usr/bin/env python3
"""Writes tests/ref/bloom_tok/: a small byte-level BPE tokenizer.json with BLOOM's exact pipeline
(bigscience/bloom's tokenizer.json: no normalizer; pre_tokenizer Sequence [Split on
" ?[^(\\s|[.,!?…。，、।۔،])]+" Isolated, ByteLevel without prefix space or regex]; ByteLevel
post-processor and decoder; BPE without unk, dropout, prefix or suffix; <unk> <s> </s> <pad> as
ids 0-3), trained by `tokenizers` on the start of Persuasion, and the ids `tokenizers` gives for
texts.txt (one text per line, their \\n escapes expanded) in ids.txt, one line each.

    .venv/bin/python tests/ref/gen_bloom_tokenizer.py      (or: make fixtures)
"""
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "ref" / "bloom_tok"
SPLIT = " ?[^(\\s|[.,!?…。，、।۔،])]+"
TEXTS = [
    "Hello, world! How are you?",
    "  two spaces,  then a tab\tand a newline\nend.",
    "(parens) | pipes | and... ellipses… 。中文，标点、 हिन्दी। اردو۔ عربي،",
    "Sir Walter Elliot, of Kellynch Hall, in Somersetshire, was a man who,",
    "  leading spaces and trailing   ",
    "!!?? ..,, a.b,c!d?e(f)g|h",
    "\u00a0nbsp\u2003em space\u3000ideographic space x",
    "numbers 12345 and 3.14, emoji 🙂🙂 and café",
    "",
]


def bloom_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.post_processor = processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=False)
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=False)
    return tok


def main():
    text = (REPO / "data" / "austen" / "persuasion.txt").read_text(encoding="utf-8")[:60000]
    tok = bloom_tokenizer()
    specials = [AddedToken(t, special=True) for t in ("<unk>", "<s>", "</s>", "<pad>")]
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([text] + TEXTS, trainer=trainer)
    OUT.mkdir(parents=True, exist_ok=True)
    tok.save(str(OUT / "tokenizer.json"))
    (OUT / "texts.txt").write_text("".join(t.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\n"
                                           for t in TEXTS), encoding="utf-8")
    (OUT / "ids.txt").write_text("".join(" ".join(map(str, tok.encode(t).ids)) + "\n" for t in TEXTS))


if __name__ == "__main__":
    main()
