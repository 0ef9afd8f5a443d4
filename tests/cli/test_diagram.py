"""`trainstack diagram`: every resource of the stack is drawn, in its group, compute with its
size and price, role assignments as labelled arrows; docs/diagrams.md is current."""

from __future__ import annotations

import re
import sys

from conftest import ROOT
from trainstack.cli.main import run

sys.path.insert(0, str(ROOT / "tools"))


def test_every_resource_is_drawn_and_roles_are_labelled_arrows(capsys):
    assert run(["diagram", str(ROOT / "profiles" / "fraud-private.yaml")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("flowchart LR\n")
    nodes = re.findall(r'^    (\S+)\["', text, re.M)
    assert len(nodes) == len(set(nodes)) > 20
    assert 'machine_learning_compute_cluster: train-cpu<br/>Standard_E4_v3 x 0-2, dedicated, ' \
           '$0.2820/h' in text
    assert '-. "Storage Blob Data Contributor" .->' in text
    assert "private_endpoint__" in text and "subgraph network" in text
    # every arrow joins two drawn nodes
    for a, b in re.findall(r"^  (\S+) (?:-->|-\. \"[^\"]+\" \.->) (\S+)$", text, re.M):
        assert a in nodes and b in nodes, (a, b)


def test_labels_cannot_break_the_chart():
    from trainstack.diagram import _label

    assert _label('a"b<c>') == "a#quot;b#lt;c#gt;"


def test_the_docs_page_is_current():
    import write_diagrams

    assert (ROOT / "docs" / "diagrams.md").read_text() == write_diagrams.page()


def test_markdown_wraps_it_in_a_mermaid_block(capsys):
    assert run(["diagram", str(ROOT / "profiles" / "churn.yaml"), "--markdown"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("```mermaid\nflowchart LR\n") and text.endswith("```\n")


def test_svg_is_well_formed_with_a_box_per_resource(tmp_path, capsys):
    import xml.etree.ElementTree as ET

    out = tmp_path / "d.svg"
    assert run(["diagram", str(ROOT / "profiles" / "fraud-private.yaml"), "--format", "svg",
                "--output", str(out)]) == 0
    root = ET.fromstring(out.read_text())
    ns = "{http://www.w3.org/2000/svg}"
    boxes = [r for r in root.iter(f"{ns}rect") if r.get("rx") == "6"]
    assert run(["diagram", str(ROOT / "profiles" / "fraud-private.yaml")]) == 0
    nodes = re.findall(r'^    (\S+)\["', capsys.readouterr().out, re.M)
    assert len(boxes) == len(nodes)
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "Storage Blob Data Contributor" in texts
    assert any(t and t.startswith("Standard_E4_v3 x 0-2") for t in texts)


def test_png_draws_the_same_layout(tmp_path):
    from PIL import Image

    from trainstack.catalog import load_facts
    from trainstack.diagram import BOX_H, BOX_W, layout
    from trainstack.settings import Settings
    from trainstack.synth import plan

    out = tmp_path / "d.png"
    profile = ROOT / "profiles" / "fraud-private.yaml"
    assert run(["diagram", str(profile), "--format", "png", "--output", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(out).convert("RGB")
    settings = Settings.current()
    [planned] = plan([profile], settings, load_facts())
    chart = layout(planned.selection, planned.spec(settings).view())
    assert image.size == (chart.width * 2, chart.height * 2)
    outline, white, grey = (0x57, 0x60, 0x6A), (255, 255, 255), (0xF6, 0xF8, 0xFA)
    for x, y, _ in chart.boxes:  # each box: its outline, white inside, the group's grey outside
        # (sampled at nine places: arrows may cross a few of them)
        xs = [2 * x + 2 * BOX_W * k // 10 for k in range(1, 10)]
        assert sum(image.getpixel((px, 2 * y)) == outline for px in xs) >= 6
        assert sum(image.getpixel((px, 2 * y + 2 * BOX_H - 3)) == white for px in xs) >= 6
        assert sum(image.getpixel((px, 2 * y - 6)) == grey for px in xs) >= 6
    first_box = chart.boxes[0]
    pixels = image.crop((2 * first_box[0], 2 * first_box[1], 2 * (first_box[0] + BOX_W),
                         2 * (first_box[1] + BOX_H))).tobytes()
    dark = sum(1 for i in range(0, len(pixels), 3) if sum(pixels[i:i + 3]) < 200)
    assert dark > 200  # the label was drawn inside the first box
    first = out.read_bytes()
    assert run(["diagram", str(profile), "--format", "png", "--output", str(out)]) == 0
    assert out.read_bytes() == first  # deterministic


def test_png_is_not_written_to_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert run(["diagram", str(ROOT / "profiles" / "churn.yaml"), "--format", "png"]) == 2
    assert "a PNG is not for a terminal" in capsys.readouterr().err


def test_png_without_pillow_names_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "PIL", None)
    assert run(["diagram", str(ROOT / "profiles" / "churn.yaml"), "--format", "png",
                "--output", str(tmp_path / "d.png")]) == 2
    assert "pip install 'trainstack[png]'" in capsys.readouterr().err
    assert not (tmp_path / "d.png").exists()


def test_png_goes_to_a_pipe():
    import subprocess

    run_ = subprocess.run([sys.executable, "-m", "trainstack", "diagram",
                           str(ROOT / "profiles" / "churn.yaml"), "--format", "png"],
                          capture_output=True, check=False)
    assert run_.returncode == 0, run_.stderr
    assert run_.stdout.startswith(b"\x89PNG\r\n\x1a\n") and run_.stdout.endswith(b"IEND\xaeB`\x82")
