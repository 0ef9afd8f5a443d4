"""`trainstack diagram PROFILE`: a picture of what the stack builds (diagram.py), in Mermaid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.cli import output
from trainstack.cli.app import app


@app.command("diagram")
def diagram_cmd(
    profile: Annotated[Path, typer.Argument(help="Workload profile YAML file.")],
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Wrap it in a ```mermaid block, for a Markdown page.")] = False,
) -> None:
    """The stack's resources, grouped, with their references, roles and compute: Mermaid."""
    from trainstack import diagram
    from trainstack.azure.preflight import stack_view
    from trainstack.catalog import load_facts
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings = Settings.current()
    [planned] = plan([profile], settings, load_facts())
    text = diagram.mermaid(planned.selection, stack_view(planned.spec(settings)))
    output.emit_text(f"```mermaid\n{text}```\n" if markdown else text)
