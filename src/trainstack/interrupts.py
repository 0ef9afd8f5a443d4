"""Ctrl-C that is never lost.

Python raises KeyboardInterrupt wherever the main thread happens to be; inside a
callback from native code (pydantic-core builds validators lazily) the exception is
printed as "Exception ignored" and the program goes on. The console script therefore
also records that an interrupt came: synth checks the record before it swaps the new
output in, and the command's exit code is 130 whatever swallowed the exception.
"""

from __future__ import annotations

import signal
from types import FrameType

_received = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def install() -> None:
    """Record every Ctrl-C (and raise KeyboardInterrupt, as Python's default handler does)."""
    signal.signal(signal.SIGINT, _on_sigint)


def received() -> bool:
    """Whether a Ctrl-C came since ``install``."""
    return _received


def check() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C came, even one that something swallowed: called
    before a step that cannot be taken back (synth's swap)."""
    if _received:
        raise KeyboardInterrupt


def ignore_from_now() -> None:
    """The command is over: a late Ctrl-C must not interrupt the exit handlers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
