"""The ONNX Runtime side of bench/embed.sh.

  bench_embed_ort.py export --model DIR [--onnx M.onnx]
      Exports the model's transformer (transformers' AutoModel, fp32, dynamic batch and
      sequence axes, opset 17) with torch.onnx.export to M.onnx (default
      build/bench/minilm.onnx; kept when present and newer than the checkpoint); prints M.

  bench_embed_ort.py encode --model DIR --file FILE --threads N --batch B --out E.npy [--onnx M.onnx]
      Opens M.onnx (without importing PyTorch) in an ONNX Runtime
      InferenceSession on the CPU with graph optimisations ORT_ENABLE_ALL,
      intra_op_num_threads=N and inter_op_num_threads=1, runs one warm-up batch (untimed),
      then times the encoding of every line of FILE: tokenizing (the checkpoint's tokenizer.json
      with the tokenizers library, truncated to max_seq_length), batches of B lines in order of length as
      sentence-transformers forms them (each padded to its longest), mean pooling over the
      real tokens and L2 normalisation. Prints one JSON line: {"impl": "onnxruntime",
      "sentences": n, "seconds": s, "sentences_per_s": r, "peak_rss_mb": m} (m: this
      process's peak resident set, ru_maxrss). The embeddings go to E.npy (float32), in
      input order."""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

from bench_embed_torch import encode_parser, read_lines  # the PyTorch side's; it imports PyTorch only to encode


def max_seq_length(model_dir):
    path = os.path.join(model_dir, "sentence_bert_config.json")
    if os.path.exists(path):
        with open(path) as f:
            return int(json.load(f).get("max_seq_length", 512))
    return 512


def export(model_dir, path):
    import torch
    from transformers import AutoModel
    class Encoder(torch.nn.Module):  # positional inputs, one output: the last hidden states
        def __init__(self):
            super().__init__()
            self.bert = AutoModel.from_pretrained(model_dir).eval()

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    model = Encoder().eval()
    ids = torch.ones(2, 8, dtype=torch.long)
    mask = torch.ones(2, 8, dtype=torch.long)
    types = torch.zeros(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, types), tmp, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes}, opset_version=17, dynamo=False)
    os.replace(tmp, path)


def export_cmd(args):
    weights = os.path.join(args.model, "model.safetensors")
    if not os.path.exists(args.onnx) or os.path.getmtime(args.onnx) < os.path.getmtime(weights):
        os.makedirs(os.path.dirname(os.path.abspath(args.onnx)), exist_ok=True)
        export(args.model, args.onnx)
    print(args.onnx)


def encode(args):
    import onnxruntime as ort
    from tokenizers import Tokenizer
    if not os.path.exists(args.onnx):
        print(f"bench_embed_ort.py: no {args.onnx}: run the export command first", file=sys.stderr)
        return 1
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(args.onnx, so, providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tok.enable_truncation(max_seq_length(args.model))
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    lines = read_lines(args.file)

    def run(batch):
        enc = tok.encode_batch(batch)
        t = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
             "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
             "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64)}
        feed = {k: v for k, v in t.items() if k in names}
        h = sess.run(None, feed)[0]
        m = t["attention_mask"].astype(np.float32)[:, :, None]
        e = (h * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return e / np.clip(np.linalg.norm(e, axis=1, keepdims=True), 1e-12, None)

    run(lines[: args.batch])
    t0 = time.perf_counter()
    # sentence-transformers' order: longest first by character length, restored at the end
    order = np.argsort([-len(s) for s in lines], kind="stable")
    parts = []
    for b0 in range(0, len(lines), args.batch):
        parts.append(run([lines[i] for i in order[b0 : b0 + args.batch]]))
    emb = np.concatenate(parts, 0)
    res = np.empty_like(emb)
    res[order] = emb
    sec = time.perf_counter() - t0
    np.save(args.out, res.astype(np.float32))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": "onnxruntime", "onnxruntime": ort.__version__, "threads": args.threads,
                      "sentences": len(lines), "seconds": round(sec, 6), "sentences_per_s": round(len(lines) / sec, 2),
                      "peak_rss_mb": round(rss, 1)}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    x = sub.add_parser("export")
    x.add_argument("--model", required=True)
    x.add_argument("--onnx", default="build/bench/minilm.onnx")
    e = encode_parser(sub)
    e.add_argument("--onnx", default="build/bench/minilm.onnx")
    args = p.parse_args()
    return export_cmd(args) or 0 if args.cmd == "export" else encode(args) or 0


if __name__ == "__main__":
    sys.exit(main())
