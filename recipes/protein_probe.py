#!/usr/bin/env python3
"""recipes/protein_probe.py — a linear probe (multinomial logistic regression, L2) for protein
family classification, in NumPy.

    protein_probe.py --fit-fasta FIT.fa --test-fasta TEST.fa [--emb NAME FIT.npy TEST.npy]... [--out TABLE.md]

Each FASTA record's family is the first word of its header (">globins4 17"). Every feature set is
standardised with the fit set's mean and standard deviation, then a multinomial logistic regression
minimising mean cross-entropy + (l2 / 2) |W|^2 (the bias not penalised) is fitted by full-batch
gradient descent with a fixed step and iteration count (the same for every feature set), and the
held-out accuracy on TEST is reported. Feature sets: "composition" (the 20 standard residues'
frequencies in each sequence, always included) and each --emb (rows in FASTA order, e.g. `attn
embed -o FIT.npy` mean residue embeddings)."""
import argparse
import sys

import numpy as np

RESIDUES = "ACDEFGHIKLMNPQRSTVWY"


def read_fasta(path):
    names, seqs = [], []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                names.append(line[1:])
                seqs.append("")
            elif line:
                seqs[-1] += line
    return names, seqs


def composition(seqs):
    """(n, 20): each standard residue's frequency among the sequence's residues."""
    out = np.zeros((len(seqs), len(RESIDUES)))
    for i, s in enumerate(seqs):
        s = s.upper()
        for j, r in enumerate(RESIDUES):
            out[i, j] = s.count(r)
        out[i] /= max(1, len(s))
    return out


def fit(x, y, n_classes, l2=1e-3, lr=0.5, iters=2000):
    """W (d, k), b (k) minimising mean cross-entropy + l2/2 |W|^2 by gradient descent."""
    n, d = x.shape
    w, b = np.zeros((d, n_classes)), np.zeros(n_classes)
    onehot = np.eye(n_classes)[y]
    for _ in range(iters):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        w -= lr * (x.T @ g + l2 * w)
        b -= lr * g.sum(axis=0)
    return w, b


def probe(fit_x, fit_y, test_x, test_y, n_classes, l2=1e-3):
    """Held-out accuracy of the probe fitted on standardised fit_x."""
    mu, sd = fit_x.mean(axis=0), fit_x.std(axis=0) + 1e-8
    w, b = fit((fit_x - mu) / sd, fit_y, n_classes, l2=l2)
    pred = np.argmax(((test_x - mu) / sd) @ w + b, axis=1)
    return float(np.mean(pred == test_y))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fit-fasta", required=True)
    ap.add_argument("--test-fasta", required=True)
    ap.add_argument("--emb", nargs=3, action="append", default=[], metavar=("NAME", "FIT_NPY", "TEST_NPY"))
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--out", help="write the table (Markdown) here too")
    a = ap.parse_args(argv)
    fit_names, fit_seqs = read_fasta(a.fit_fasta)
    test_names, test_seqs = read_fasta(a.test_fasta)
    families = sorted({n.split()[0] for n in fit_names})
    label = {f: i for i, f in enumerate(families)}
    fit_y = np.array([label[n.split()[0]] for n in fit_names])
    test_y = np.array([label[n.split()[0]] for n in test_names])
    sets = [("composition (20 residue frequencies)", composition(fit_seqs), composition(test_seqs))]
    for name, f, t in a.emb:
        fx, tx = np.load(f).astype(np.float64), np.load(t).astype(np.float64)
        if fx.shape[0] != len(fit_seqs) or tx.shape[0] != len(test_seqs):
            sys.exit("protein_probe: %s: %d/%d rows for %d/%d sequences" % (name, fx.shape[0], tx.shape[0],
                                                                           len(fit_seqs), len(test_seqs)))
        sets.append((name, fx, tx))
    lines = ["| features | dim | held-out accuracy |", "|---|---:|---:|"]
    for name, fx, tx in sets:
        acc = probe(fx, fit_y, tx, test_y, len(families), a.l2)
        lines.append("| %s | %d | %.3f |" % (name, fx.shape[1], acc))
    lines.append("")
    lines.append("%d families (%s); %d sequences to fit, %d held out; chance %.3f." % (
        len(families), ", ".join(families), len(fit_y), len(test_y), np.bincount(test_y).max() / len(test_y)))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
