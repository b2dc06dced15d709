"""recipes/protein_probe.py, the linear probe of recipes/protein_probe.sh: composition features are
residue frequencies, the logistic regression separates separable classes on held-out points and
not noise, and the command line reads FASTA families and .npy embeddings in FASTA order."""
import importlib.util

import numpy as np

from conftest import REPO


def load_probe():
    spec = importlib.util.spec_from_file_location("protein_probe", REPO / "recipes" / "protein_probe.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_composition_and_probe():
    pp = load_probe()
    c = pp.composition(["AAC", "wy"])
    assert c.shape == (2, 20)
    assert np.allclose(c[0, pp.RESIDUES.index("A")], 2 / 3) and np.allclose(c[0, pp.RESIDUES.index("C")], 1 / 3)
    assert np.allclose(c[1, pp.RESIDUES.index("W")], 0.5) and np.allclose(c.sum(axis=1), 1.0)
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 5)) * 3
    y_fit, y_test = rng.integers(0, 3, 90), rng.integers(0, 3, 60)
    x_fit = centers[y_fit] + rng.normal(size=(90, 5))
    x_test = centers[y_test] + rng.normal(size=(60, 5))
    assert pp.probe(x_fit, y_fit, x_test, y_test, 3) >= 0.9
    # labels unrelated to the features: near chance on held-out points
    assert pp.probe(rng.normal(size=(90, 5)), y_fit, rng.normal(size=(600, 5)), rng.integers(0, 3, 600), 3) < 0.5


def test_command_line(tmp_path, capsys):
    pp = load_probe()
    fit, test = tmp_path / "fit.fa", tmp_path / "test.fa"
    fit.write_text(">a 1\nAAAAC\n>b 2\nWWWWY\n>a 3\nAACAA\n>b 4\nWYWWW\n")
    test.write_text(">b 5\nYWWWW\n>a 6\nCAAAA\n")
    np.save(tmp_path / "f.npy", np.array([[1.0], [-1.0], [1.1], [-0.9]], dtype=np.float32))
    np.save(tmp_path / "t.npy", np.array([[-1.2], [0.8]], dtype=np.float32))
    pp.main(["--fit-fasta", str(fit), "--test-fasta", str(test), "--emb", "toy", str(tmp_path / "f.npy"),
             str(tmp_path / "t.npy"), "--out", str(tmp_path / "t.md")])
    table = (tmp_path / "t.md").read_text()
    assert "| composition (20 residue frequencies) | 20 | 1.000 |" in table
    assert "| toy | 1 | 1.000 |" in table
    assert "2 families (a, b); 4 sequences to fit, 2 held out" in table
