"""terraform's machine-readable UI (``-json``), read into progress a person can follow.

The messages are documented in "Machine-readable UI" of the terraform docs
(developer.hashicorp.com/terraform/internals/machine-readable-ui): ``apply_start``,
``apply_progress`` (every 10 s while an operation runs), ``apply_complete``,
``apply_errored``, ``diagnostic``, ``change_summary``. Only those are shown; the raw
output is in the run's log.

On a terminal, the "still creating" line of the slowest operation is rewritten in place;
elsewhere (CI logs, pipes) every message is its own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from trainstack.text import printable

_DOING = {"create": "creating", "update": "updating", "delete": "destroying",
          "read": "reading", "replace": "replacing", "noop": "checking"}
_DONE = {"create": "created", "update": "updated", "delete": "destroyed", "read": "read",
         "replace": "replaced", "noop": "checked"}
_ERASE = "\r\x1b[2K"


@dataclass
class Outcome:
    """What happened to the resources of one run."""

    done: dict[str, str] = field(default_factory=dict)  # address -> "created in 3 s"
    failed: dict[str, str] = field(default_factory=dict)  # address -> error summary
    errors: list[str] = field(default_factory=list)  # every error diagnostic, one line each
    summary: str = ""  # terraform's "Apply complete! Resources: ..." line


def _address(event: dict) -> str:
    hook = event.get("hook") or {}
    resource = hook.get("resource") or {}
    return printable(str(resource.get("addr", "?")))


def _action(event: dict) -> str:
    return str((event.get("hook") or {}).get("action", "noop"))


def _seconds(event: dict) -> str:
    value = (event.get("hook") or {}).get("elapsed_seconds")
    return f"{value} s" if isinstance(value, int) else "?"


def diagnostic_line(event: dict) -> str:
    """One line for an error or warning diagnostic: where, what, and its first detail."""
    diag = event.get("diagnostic") or {}
    address = diag.get("address")
    summary = str(diag.get("summary", "")).strip()
    detail = str(diag.get("detail", "")).strip().split("\n")[0]
    text = f"{address}: {summary}" if address else summary
    return printable(f"{text}: {detail}" if detail and detail != summary else text)


class Progress:
    """Writes a run's progress to ``stream`` as its events arrive (see module docstring)."""

    def __init__(self, stream: TextIO, *, stack: str, live: bool) -> None:
        self.stream = stream
        self.stack = printable(stack)
        self.live = live
        self.outcome = Outcome()
        self._pending = False  # a rewritable line is on screen

    def _line(self, text: str) -> None:
        if self._pending:
            self.stream.write(_ERASE)
            self._pending = False
        self.stream.write(f"{self.stack}: {text}\n")
        self.stream.flush()

    def _status(self, text: str) -> None:
        if not self.live:
            self._line(text)
            return
        self.stream.write(f"{_ERASE}{self.stack}: {text}")
        self.stream.flush()
        self._pending = True

    def __call__(self, event: dict) -> None:
        """Handle one UI message."""
        kind = event.get("type")
        if kind == "apply_start":
            self._line(f"{_address(event)}: {_DOING.get(_action(event), 'changing')}")
        elif kind == "apply_progress":
            doing = _DOING.get(_action(event), "changing")
            self._status(f"{_address(event)}: still {doing} after {_seconds(event)}")
        elif kind == "apply_complete":
            text = f"{_DONE.get(_action(event), 'changed')} in {_seconds(event)}"
            self.outcome.done[_address(event)] = text
            self._line(f"{_address(event)}: {text}")
        elif kind == "apply_errored":
            self.outcome.failed[_address(event)] = f"failed after {_seconds(event)}"
            self._line(f"{_address(event)}: FAILED after {_seconds(event)}")
        elif kind == "diagnostic":
            self._diagnostic(event)
        elif kind == "change_summary":
            self.outcome.summary = printable(str(event.get("@message", "")))

    def _diagnostic(self, event: dict) -> None:
        severity = (event.get("diagnostic") or {}).get("severity")
        line = diagnostic_line(event)
        if severity == "error":
            self.outcome.errors.append(line)
            address = (event.get("diagnostic") or {}).get("address")
            if address and address in self.outcome.failed:
                self.outcome.failed[address] = line
            self._line(f"error: {line}")
        elif severity == "warning":
            self._line(f"warning: {line}")

    def close(self) -> None:
        """End a rewritable line, if one is on screen."""
        if self._pending:
            self.stream.write("\n")
            self.stream.flush()
            self._pending = False
