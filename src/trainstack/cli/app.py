"""The Typer application every verb module registers its command on."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
import typer.main

from trainstack import __version__
from trainstack.cli import output

HELP_NAMES = ["-h", "--help"]

app = typer.Typer(
    name="trainstack",
    help="Design and provision ML training infrastructure on Azure from a workload profile.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": HELP_NAMES},
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


_LIST_TYPE = re.compile(r"<list\[(\w+)\]>")


def command() -> Any:
    """The app as the click command it runs, with help in the usual shape: a flag shows no
    value type (typer 0.29 prints ``<bool>``) and a list of values shows as its element's
    type and ``...`` (``<path>...``, ``<str>...`` where typer prints ``<list[Path]>``,
    ``<list[str]>``)."""
    root = typer.main.get_command(app)
    _readable_help(root)
    return root


def _readable_help(cmd: Any) -> None:
    """``_readable`` for each parameter of ``cmd`` and of its subcommands, the help flag
    included (the command makes it when first asked, and keeps it)."""
    help_flag = cmd.get_help_option(cmd.context_class(cmd, help_option_names=HELP_NAMES))
    for param in [*cmd.params, *([help_flag] if help_flag else [])]:
        _readable(param)
    for sub in getattr(cmd, "commands", {}).values():
        _readable_help(sub)


def _readable(param: Any) -> None:
    """Adjust how one parameter's type shows in help (nothing else about it changes)."""
    if getattr(param, "is_flag", False):
        param.metavar = ""
    elif hasattr(param, "display_type_rich"):  # typer 0.29's help (older ones print click's)
        shown = param.display_type_rich

        def display_type_rich(ctx: Any) -> str | None:
            text = shown(ctx)
            return _LIST_TYPE.sub(lambda m: f"<{m[1].lower()}>...", text) if text else text

        param.display_type_rich = display_type_rich
