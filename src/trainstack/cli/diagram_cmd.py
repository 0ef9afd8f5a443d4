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
        "--format", "-f",
        help="mermaid (text; GitHub and Azure DevOps draw it), svg, or png "
             "(pip install 'trainstack[png]').")
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
    if fmt.value == "png":
        _write_png(diagram.png(planned.selection, view), output_file)
        return
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


def _write_png(data: bytes, output_file: Path | None) -> None:
    """To the file, or to stdout when it is not a terminal (a PNG would garble one)."""
    import sys

    from trainstack.atomic import write_atomic
    from trainstack.errors import TrainstackError

    if output_file is not None:
        write_atomic(output_file, data, what="diagram")
        output.note(f"wrote {output_file}")
    elif sys.stdout.isatty():
        raise TrainstackError("a PNG is not for a terminal: give --output FILE, or redirect "
                              "stdout to a file")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
