"""`trainstack report`: one page per selection, Markdown or HTML, stored byte for byte; text is
escaped for where it goes."""

from __future__ import annotations

import os

import pytest

from conftest import ROOT
from trainstack.cli.main import run

PAGES = ROOT / "tests" / "golden" / "pages"
PROFILES = [str(ROOT / "profiles" / f"{p}.yaml") for p in ("fraud-private", "invoice-ocr")]


@pytest.mark.node
@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("html", "html")])
def test_the_pages_of_two_profiles_are_the_stored_ones(fmt, suffix, tmp_path, capsys):
    out = tmp_path / f"page.{suffix}"
    assert run(["report", *PROFILES, "--format", fmt, "--output", str(out)]) == 0
    stored = PAGES / f"fraud-private-invoice-ocr.{suffix}"
    if os.environ.get("TRAINSTACK_UPDATE_GOLDEN"):
        stored.write_bytes(out.read_bytes())
    assert out.read_bytes() == stored.read_bytes()


def test_without_validation_the_page_needs_no_engine(capsys):
    assert run(["report", PROFILES[0], "--no-validate"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("## fraud-private: azure-ml in northeurope, $1,342.63/month")
    assert ("| Azure Firewall Standard (managed network) | network | 1 item-months | 912.5 | "
            "912.50 | network-2026 |") in page
    assert "| total |  |  |  | 1,342.63 |  |" in page
    assert "### Decision trail" in page and "| NET-OUTBOUND |" in page
    assert "### Validation" not in page


def test_text_cannot_forge_markup():
    from trainstack.report import _md

    assert _md("a|b") == "a\\|b"
    assert _md("<script>x</script>") == "\\<script\\>x\\</script\\>"
    assert _md("[link](http://x)") == "\\[link\\](http://x)"
    assert _md("line\nbreak") == "line\\\\x0abreak"  # one line; the escape shown as text


def test_html_escapes_every_cell():
    from trainstack import report
    from trainstack.catalog import load_facts
    from trainstack.profile import load_profile_document
    from trainstack.synth import select_document

    selection = select_document(load_profile_document(ROOT / "profiles" / "churn.yaml"),
                                 load_facts())
    page = report.page_html([(selection, {"summary": "<b>x</b>",
                                          "findings": [["R", "error", "a&b", "<img src=x>"]]})])
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    assert "<b>x</b>" not in page and "a&amp;b" in page
    assert page.count("<table>") == page.count("</table>")
