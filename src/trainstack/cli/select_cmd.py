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
    profile: Annotated[Path, typer.Argument(help="Workload profile YAML file.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = "json",
    strict: Annotated[bool, typer.Option(help="Exit 1 when the estimate is over budget.")] = False,
) -> None:
    """Select the service and compute for a profile and explain every choice."""
    from trainstack.catalog import load_facts
    from trainstack.profile import load_profile_document
    from trainstack.synth import select_document

    selection = select_document(load_profile_document(profile), load_facts())
    if format.value == "json":
        output.emit_json(selection.contract_dict())
    else:
        output.selection_table(selection)
    if strict and not selection.within_budget:
        raise typer.Exit(1)
