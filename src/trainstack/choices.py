"""The closed sets of words the command line and the models share, as ``Literal`` types.

Light on purpose (no pydantic, no engine): the CLI derives its choices from these at
start-up, and the models (settings, packs, reports) are typed with the same Literals, so
a value added in one place is offered everywhere (tests/cli/test_cli.py keeps them
equal).
"""

from __future__ import annotations

from enum import Enum
from typing import Literal, get_args

Engine = Literal["cdktf", "cdktn"]
StateBackendKind = Literal["local", "azurerm"]
PackName = Literal["baseline", "strict"]
ReportFormat = Literal["table", "json", "sarif", "junit"]
OutputFormat = Literal["json", "table"]
PageFormat = Literal["markdown", "html"]
DiagramFormat = Literal["mermaid", "svg", "png"]


def enum_of(name: str, literal: object) -> type[Enum]:
    """A str Enum of a Literal's values, for typer's choices."""
    values = get_args(literal)
    return Enum(name, {v: v for v in values}, type=str)  # type: ignore[return-value]
