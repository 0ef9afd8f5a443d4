"""`trainstack select PROFILE`: the selection and its rationale, as JSON or a table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import OutputFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

Format = enum_of("Format", OutputFormat)


@app.command("select")
def select_cmd(
    profiles: Annotated[list[Path], typer.Argument(
        help="Workload profile YAML files (- reads one from standard input).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = "json",
    strict: Annotated[bool, typer.Option(help="Exit 1 when an estimate is over budget.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing (with --strict: "
                                        "only the exit code says).")] = False,
) -> None:
    """Select the service and compute for each profile and explain every choice (one JSON
    object for one profile, an array of them for several)."""
    from trainstack.catalog import load_facts
    from trainstack.profile import load_profile_document
    from trainstack.synth import select_document

    facts = load_facts()
    selections = [select_document(load_profile_document(p), facts) for p in profiles]
    if not quiet and format.value == "json":
        docs = [s.contract_dict() for s in selections]
        output.emit_json(docs[0] if len(docs) == 1 else docs)
    elif not quiet:
        for selection in selections:
            output.selection_table(selection)
    if strict and not all(s.within_budget for s in selections):
        raise typer.Exit(1)
