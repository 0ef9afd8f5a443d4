"""`trainstack report PROFILE...`: one page per selection (report.py), Markdown or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import PageFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

PageChoice = enum_of("PageChoice", PageFormat)
MARKDOWN = PageChoice("markdown")


@app.command("report")
def report_cmd(
    profiles: Annotated[list[Path], typer.Argument(help="Workload profile YAML files.")],
    fmt: Annotated[PageChoice, typer.Option("--format", "-f", help="markdown (a pull-request "
                                            "comment) or html.")] = MARKDOWN,
    output_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the page here (default: stdout).")] = None,
    validation: Annotated[bool, typer.Option(
        "--validate/--no-validate", help="Synthesize each stack and add its validation "
                                         "summary (baseline pack).")] = True,
) -> None:
    """The decision trail, alternatives, cost and validation of each selection, as one page."""
    from trainstack import report
    from trainstack.catalog import load_facts
    from trainstack.settings import Settings
    from trainstack.synth import plan

    facts, settings = load_facts(), Settings.current()
    planned = plan(profiles, settings, facts)
    checked = _validated(profiles, settings, facts) if validation else {}
    pages = [(p.selection, checked.get(p.name)) for p in planned]
    text = report.markdown(pages) if fmt.value == "markdown" else report.page_html(pages)
    if output_file is not None:
        output.write_file(output_file, text)
        output.note(f"wrote {output_file}")
    else:
        output.emit_text(text)


def _validated(profiles: list[Path], settings, facts) -> dict[str, dict]:  # noqa: ANN001
    """Each stack synthesized into a temporary folder and validated (baseline pack)."""
    import tempfile

    from trainstack import report
    from trainstack.synth import synth
    from trainstack.validate import validate
    from trainstack.validate.engine import load_stacks

    with tempfile.TemporaryDirectory(prefix="trainstack-report-") as tmp:
        out = Path(tmp) / "out"
        done = synth(profiles, out, settings, facts)
        return {p.name: report.validation_of(validate(load_stacks(out / "stacks" / p.name),
                                                      "baseline", facts))
                for p in done}
