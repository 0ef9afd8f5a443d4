"""Ctrl-C that is never lost, and never hangs the process.

Python raises KeyboardInterrupt wherever the main thread happens to be. Two places
make that unsafe:

- inside a callback from native code (pydantic-core builds validators lazily) the
  exception is printed as "Exception ignored" and the program goes on;
- inside the import system's own bookkeeping (``<frozen importlib._bootstrap>``:
  module locks and their weakref callbacks) the exception can leave a module lock
  held, and the next import of that module (here: the engine, imported by a
  second thread) waits for ever.

So the handler records that an interrupt came, and raises KeyboardInterrupt only
when the main thread is not inside the import system; there it retries a few
milliseconds later (SIGALRM), at the first bytecode outside it. Synth checks the
record before it swaps the new output in, and the command's exit code is 130
whatever swallowed the exception.

A Ctrl-C before ``install`` runs - while the interpreter itself starts, tens of
milliseconds - gets Python's own behaviour (a KeyboardInterrupt traceback); nothing has
been written then.
"""

from __future__ import annotations

import signal
from types import FrameType

_received = False
RETRY_SECONDS = 0.005
_UNSAFE_PREFIX = "<frozen importlib"


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _received
    _received = True
    _raise_when_safe(frame)


def _on_retry(signum: int, frame: FrameType | None) -> None:
    if _received:
        _raise_when_safe(frame)


def _raise_when_safe(frame: FrameType | None) -> None:
    if frame is not None and frame.f_code.co_filename.startswith(_UNSAFE_PREFIX):
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        return
    raise KeyboardInterrupt


def install() -> None:
    """Record every Ctrl-C and raise KeyboardInterrupt, as Python's default handler does,
    but never inside the import system (see the module's docstring)."""
    signal.signal(signal.SIGALRM, _on_retry)
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
    """The command is over: a late Ctrl-C (or a pending retry) must not interrupt the exit
    handlers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
