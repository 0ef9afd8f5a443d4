"""Errors a user can act on. The CLI turns them into messages and exit codes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TrainstackError(Exception):
    """A problem with the user's input or environment: exit code 2, no traceback."""

    exit_code = 2

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


class ProfileError(TrainstackError):
    """A workload profile that cannot be read or does not validate."""


class SelectionError(TrainstackError):
    """A profile that validates but asks for something the catalog cannot give.

    ``field`` is the dotted profile path at fault; the CLI turns it into
    ``file:line: field: message`` using the profile's line map.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SynthError(TrainstackError):
    """Synthesis could not produce its output."""


def did_you_mean(value: object, allowed: Iterable[str]) -> str | None:
    """The nearest allowed value to a misspelt one, or None."""
    if not isinstance(value, str):
        return None
    choices = list(allowed)
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return lowered[value.lower()]
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def continued(message: str) -> str:
    """A pydantic message continued after "field: ": its first letter lowered ("Input
    should be" -> "input should be"), unless it starts a name ("TS-META-001 cannot ...")."""
    return message[:1].lower() + message[1:] if message[1:2].islower() else message
