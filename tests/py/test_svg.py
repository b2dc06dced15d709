"""The SVG figures attn writes (src/eval/svg.c) parse as XML and carry their labels:
`attn plot` (line plot from a TSV table) and `attn align` (alignment heatmap of a tiny
random RNNsearch, tests/ref/rnnsearch_tiny, with a WordPiece vocab.txt beside it)."""
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

from conftest import REF_DIR, attn_bin

SVG = "{http://www.w3.org/2000/svg}"


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def group(root, gid):
    for g in root.iter(SVG + "g"):
        if g.get("id") == gid:
            return g
    raise AssertionError("no <g id=%r>" % gid)


def test_line_plot_is_xml_with_labels_series_and_legend(tmp_path):
    table = tmp_path / "t.tsv"
    # a label with XML specials, one with invalid UTF-8 (must become U+FFFD)
    table.write_bytes(b"len\tRNNsearch-50\tRNNencdec <50> & co\n"
                      b"0-10\t21.5\t18.2\n10-20\tnan\t15\n20-30\t20.25\t\n\xff30+\t19\t6.5\n")
    out = tmp_path / "p.svg"
    subprocess.run([str(attn_bin()), "plot", str(table), "--svg", str(out), "--title", "BLEU \"by\" length",
                    "--x-title", "source length", "--y-title", "BLEU"], check=True)
    root = ET.parse(out).getroot()
    assert root.tag == SVG + "svg" and float(root.get("width")) > 100 and float(root.get("height")) > 100
    t = texts(root)
    for want in ["BLEU \"by\" length", "source length", "BLEU", "0-10", "10-20", "20-30", "\ufffd30+",
                 "RNNsearch-50", "RNNencdec <50> & co"]:
        assert want in t, (want, t)
    # y ticks 0..25 in steps of 5 (largest value 21.5 rounds up to 25)
    for tick in ["0", "5", "10", "15", "20", "25"]:
        assert tick in t
    series = [g for g in root.iter(SVG + "g") if g.get("class") == "series"]
    assert len(series) == 2
    # series 0 has a gap at 10-20: two polylines; series 1 has a gap at 20-30
    lines0 = series[0].findall(SVG + "polyline")
    assert [len(p.get("points").split()) for p in lines0] == [1, 2]
    assert len(series[1].findall(SVG + "polyline")) == 2
    assert series[0].findall(SVG + "polyline")[0].get("stroke") != series[1].findall(SVG + "polyline")[0].get("stroke")
    legend = texts(group(root, "legend"))
    assert legend == ["RNNsearch-50", "RNNencdec <50> & co"]



def test_line_plot_makes_room_for_long_titles(tmp_path):
    """A long axis title under a narrow plot (three short x labels) and a
    long figure title: both text boxes (estimated at the widths attn's SVG
    code assumes, 7 px per 12 px character) stay inside the figure."""
    table = tmp_path / "t.tsv"
    table.write_text("len\tA\tB\n1-5\t3\t2\n6-9\t2\t1\n10+\t1\t0\n")
    out = tmp_path / "p.svg"
    x_title = "source sentence length (words), thirds of the test set"
    title = "BLEU by source length on the synthetic reordering task"
    subprocess.run([str(attn_bin()), "plot", str(table), "--svg", str(out), "--title", title,
                    "--x-title", x_title, "--y-title", "BLEU"], check=True)
    root = ET.parse(out).getroot()
    width = float(root.get("width"))
    for el in root.iter(SVG + "text"):
        if el.text not in (x_title, title):
            continue
        size = float(el.get("font-size", "12"))
        half = len(el.text) * 7 * size / 12 / 2
        x = float(el.get("x"))
        assert x - half >= 0 and x + half <= width, (el.text, x, half, width)


def test_alignment_heatmap_matches_the_json_weights(tmp_path):
    model = tmp_path / "m"
    model.mkdir()
    for f in ["config.json", "model.safetensors"]:
        shutil.copy(REF_DIR / "rnnsearch_tiny" / f, model / f)
    (model / "vocab.txt").write_text("\n".join(["[PAD]", "[CLS]", "[SEP]", "[UNK]", "the", "dog", "cat", "runs",
                                                "night", "&", "quote", "el", "noche", "perro", "gato", "corre",
                                                "la", "<", "."]) + "\n")
    svg, js = tmp_path / "a.svg", tmp_path / "a.json"
    subprocess.run([str(attn_bin()), "align", "-m", str(model), "--src", "el perro & la < noche corre .",
                    "--svg", str(svg), "--json", str(js), "--max-len", "5", "--title", "tiny & random"],
                   check=True, capture_output=True)
    d = json.loads(js.read_text())
    root = ET.parse(svg).getroot()
    src, tgt, w = d["source_tokens"], d["target_tokens"], d["attention"]
    assert src == ["el", "perro", "&", "la", "<", "noche", "corre", "."]
    assert texts(group(root, "source-words")) == src
    assert texts(group(root, "target-words")) == tgt
    assert "tiny & random" in texts(root)
    cells = group(root, "weights").findall(SVG + "rect")
    assert len(cells) == len(src) * len(tgt) and len(w) == len(tgt)
    for i, row in enumerate(w):
        assert abs(sum(row) - 1) < 1e-4
        for j, a in enumerate(row):
            cell = cells[i * len(src) + j]
            shade = round(255 * (1 - a))
            assert cell.get("fill") == "rgb(%d,%d,%d)" % (shade, shade, shade)
            assert cell.find(SVG + "title").text == "%s / %s: %.3f" % (src[j], tgt[i], a)
    legend = group(root, "legend")
    assert texts(legend) == ["1.0", "0.5", "0.0"]
    assert any(r.get("fill") == "url(#weight-scale)" for r in legend.iter(SVG + "rect"))
