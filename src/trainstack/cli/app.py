"""The Typer application every verb module registers its command on."""

from __future__ import annotations

from typing import Annotated

import typer

from trainstack import __version__
from trainstack.cli import output

app = typer.Typer(
    name="trainstack",
    help="Design and provision ML training infrastructure on Azure from a workload profile.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        output.note(f"trainstack {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """trainstack: workload profile -> service and compute selection -> Terraform JSON."""
