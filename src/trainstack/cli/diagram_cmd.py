"""`trainstack diagram PROFILE`: a picture of what the stack builds (diagram.py), in Mermaid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import DiagramFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

DiagramChoice = enum_of("DiagramChoice", DiagramFormat)
MERMAID = DiagramChoice("mermaid")


@app.command("diagram")
def diagram_cmd(
    profile: Annotated[Path, typer.Argument(help="Workload profile YAML file.")],
    fmt: Annotated[DiagramChoice, typer.Option(
        "--format", "-f", help="mermaid (text; GitHub and Azure DevOps draw it) or svg.")
    ] = MERMAID,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="mermaid: wrap it in a ```mermaid block, for a Markdown page.")
    ] = False,
    output_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write it here (default: stdout).")] = None,
) -> None:
    """The stack's resources, grouped, with their references, roles and compute."""
    from trainstack import diagram
    from trainstack.catalog import load_facts
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings = Settings.current()
    [planned] = plan([profile], settings, load_facts())
    view = planned.spec(settings).view()
    if fmt.value == "svg":
        text = diagram.svg(planned.selection, view)
    else:
        text = diagram.mermaid(planned.selection, view)
        text = f"```mermaid\n{text}```\n" if markdown else text
    if output_file is not None:
        output.write_file(output_file, text)
        output.note(f"wrote {output_file}")
    else:
        output.emit_text(text)
