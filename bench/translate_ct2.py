"""attn translate beside CTranslate2 on the same sentences, model and settings.

    flock /tmp/attn-bench.lock .venv/bin/python bench/translate_ct2.py MODEL [--lines 500] [--rounds 3]

MODEL is an attn Transformer translation model (recipes/translate_bible.sh's WORK/model); it is
converted once with tools/attn_to_ct2.py to CTranslate2 fp32 and int8 (MODEL.ct2/, MODEL.ct2-int8/,
kept for later runs). Each round runs, in turn, every engine with greedy search and with beam 4:
`attn translate` (the whole command: loading, tokenizing, decoding) and a child process that loads
the CTranslate2 model and translates (its time counts loading and decoding, not the Python start
or the tokenizing). Same sources (the first --lines of data/bible-en-es/test.es, wrapped as attn
wraps them), same batch size (--batch), same threads (--threads; CTranslate2 intra_threads), same
cap on target tokens (--max-len), length penalty 1. Prints per setting the median wall time over
the rounds, sentences/s, target tokens/s (tokens of the output lines, re-encoded with the model's
tokenizer), the ratio attn / engine in sentences/s from the same rounds, peak RSS of each process
(wait4's ru_maxrss), and the share of sources whose output line equals attn's."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import attn_to_ct2  # noqa: E402


def trim(s):
    """attn translate's output line: newlines become spaces, leading and trailing blanks go."""
    return s.replace("\r", " ").replace("\n", " ").strip(" \t")


def ct2_child(a):
    """Runs in a child process: load the CTranslate2 model, translate, write lines; prints JSON."""
    import ctranslate2
    import tokenizers
    tok = tokenizers.Tokenizer.from_file(str(Path(a.model) / "tokenizer.json"))
    vocab = attn_to_ct2.vocabulary(a.model)
    index = {s: i for i, s in enumerate(vocab)}
    sbos, seos, tbos, teos = attn_to_ct2.wrap(a.model)
    lines = Path(a.src).read_text().splitlines()
    src = []
    for line in lines:
        ids = tok.encode(line, add_special_tokens=False).ids
        src.append([vocab[i] for i in ([sbos] if sbos >= 0 else []) + ids + ([seos] if seos >= 0 else [])])
    cfg = json.loads((Path(a.model) / "config.json").read_text())
    special = {i for i in (sbos, seos, tbos, teos, cfg["pad_token_id"], cfg["eos_token_id"],
                           cfg["decoder_start_token_id"]) if i is not None and i >= 0}
    t0 = time.perf_counter()
    tr = ctranslate2.Translator(a.ct2, device="cpu", intra_threads=a.threads, inter_threads=1)
    res = tr.translate_batch(src, max_batch_size=a.batch, beam_size=a.beam, length_penalty=1.0,
                             max_decoding_length=a.max_len, min_decoding_length=0)
    t1 = time.perf_counter()
    out = []
    for r in res:
        ids = [index[t] for t in r.hypotheses[0]]
        out.append(trim(tok.decode([i for i in ids if i not in special], skip_special_tokens=False)))
    Path(a.out).write_text("".join(o + "\n" for o in out))
    print(json.dumps({"seconds": t1 - t0}))


def run_rusage(cmd, stdout_path=None):
    """(wall seconds, peak RSS MB, stdout bytes) of a child, its peak from GNU time's %M (a
    child forked from this process would count this process's pages it started with)."""
    rss_file = Path("/tmp/attn_translate_ct2.rss.%d" % os.getpid())
    fo = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-o", str(rss_file), "-f", "%M"] + [str(c) for c in cmd], stdout=fo,
                       stderr=subprocess.PIPE, cwd=ROOT)
    t1 = time.perf_counter()
    if stdout_path:
        fo.close()
    if p.returncode:
        sys.exit("%s exited %d: %s" % (" ".join(map(str, cmd)), p.returncode, p.stderr.decode()[-2000:]))
    kb = int(rss_file.read_text().split()[-1])
    rss_file.unlink()
    return t1 - t0, kb / 1024.0, p.stdout if not stdout_path else b""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-len", type=int, default=200)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--beams", default="1,4")
    ap.add_argument("--attn", default=str(ROOT / "attn"))
    ap.add_argument("--attn-before", help="a second attn binary, run as engine attn-before (a before/after comparison)")
    ap.add_argument("--work", default="/tmp/attn_translate_ct2")
    ap.add_argument("--ct2-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--ct2", help=argparse.SUPPRESS)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--beam", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.ct2_child:
        return ct2_child(a)

    import tokenizers
    model = Path(a.model).resolve()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    src = work / "src.txt"
    lines = (ROOT / "data/bible-en-es/test.es").read_text().splitlines()[:a.lines]
    src.write_text("".join(s + "\n" for s in lines))
    engines = {"ct2": Path(str(model) + ".ct2"), "ct2-int8": Path(str(model) + ".ct2-int8")}
    for name, d in engines.items():
        if not (d / "model.bin").exists():
            attn_to_ct2.convert(model, d, "int8" if name.endswith("int8") else None)
    tok = tokenizers.Tokenizer.from_file(str(model / "tokenizer.json"))

    def count_tokens(path):
        return sum(len(tok.encode(s, add_special_tokens=False).ids) for s in path.read_text().splitlines())

    beams = [int(b) for b in a.beams.split(",")]
    names = ["attn"] + (["attn-before"] if a.attn_before else []) + ["ct2", "ct2-int8"]
    times, rss, outs = {}, {}, {}
    for rnd in range(a.rounds):
        for beam in beams:
            for eng in names:
                out = work / ("%s-b%d.txt" % (eng, beam))
                if eng.startswith("attn"):
                    cmd = [a.attn if eng == "attn" else a.attn_before, "translate", "-m", str(model), "--batch", str(a.batch), "--beam", str(beam),
                           "--max-len", str(a.max_len), "--threads", str(a.threads), str(src)]
                    sec, mb, _ = run_rusage(cmd, out)
                else:
                    cmd = [sys.executable, __file__, str(model), "--ct2-child", "--ct2", str(engines[eng]), "--src",
                           str(src), "--out", str(out), "--beam", str(beam), "--batch", str(a.batch), "--threads",
                           str(a.threads), "--max-len", str(a.max_len)]
                    _, mb, o = run_rusage(cmd)
                    sec = json.loads(o.decode().strip().splitlines()[-1])["seconds"]
                times.setdefault((eng, beam), []).append(sec)
                rss[(eng, beam)] = max(rss.get((eng, beam), 0), mb)
                outs[(eng, beam)] = out
                print("round %d beam %d %-8s %.2f s  %.0f MB" % (rnd + 1, beam, eng, sec, mb), flush=True)
    n = len(lines)
    print("\n%d sentences, %d threads, batch %d, max-len %d, %d rounds (median wall time; ratio = attn / engine "
          "sentences/s per round, min-max)" % (n, a.threads, a.batch, a.max_len, a.rounds))
    print("%-5s %-9s %8s %8s %10s %8s %14s %s" % ("beam", "engine", "time s", "sent/s", "tgt tok/s", "RSS MB",
                                                "attn/engine", "same lines as attn"))
    for beam in beams:
        ref = outs[("attn", beam)].read_text().splitlines()
        for eng in names:
            t = statistics.median(times[(eng, beam)])
            lines_out = outs[(eng, beam)].read_text().splitlines()
            same = sum(x == y for x, y in zip(ref, lines_out))
            ratios = [e / x for x, e in zip(times[("attn", beam)], times[(eng, beam)])]
            print("%-5d %-9s %8.2f %8.1f %10.0f %8.0f %14s %d/%d" % (
                beam, eng, t, n / t, count_tokens(outs[(eng, beam)]) / t, rss[(eng, beam)],
                "-" if eng == "attn" else "%.2f-%.2fx" % (min(ratios), max(ratios)), same, n))


if __name__ == "__main__":
    main()
