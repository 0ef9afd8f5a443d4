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
