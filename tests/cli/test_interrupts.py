"""Ctrl-C is raised at once, except inside the import system, where raising it can leave a
module lock held and hang the next import (seen in CI: synth interrupted while the engine
was being imported by its preload thread waited for ever). There it is retried a moment
later, at the first bytecode outside the import system."""

from __future__ import annotations

import signal
import sys

import pytest

from trainstack import interrupts


def _frame_in(filename: str):
    namespace: dict = {}
    exec(compile("import sys\nframe = sys._getframe()", filename, "exec"), {}, namespace)
    return namespace["frame"]


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(interrupts, "_received", False)
    previous = signal.signal(signal.SIGALRM, lambda *_: None)  # a retry must not kill pytest
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_an_interrupt_in_ordinary_code_raises_at_once(fresh):
    with pytest.raises(KeyboardInterrupt):
        interrupts._on_sigint(signal.SIGINT, sys._getframe())
    assert interrupts.received()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("where", ["<frozen importlib._bootstrap>",
                                   "<frozen importlib._bootstrap_external>"])
def test_an_interrupt_inside_the_import_system_is_recorded_and_retried(fresh, where):
    interrupts._on_sigint(signal.SIGINT, _frame_in(where))  # no exception here
    assert interrupts.received()
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    assert 0 < remaining <= interrupts.RETRY_SECONDS and interval == 0
    # the retry, still inside the import system: deferred again
    signal.setitimer(signal.ITIMER_REAL, 0)
    interrupts._on_retry(signal.SIGALRM, _frame_in(where))
    assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    # the retry, out of it: raised
    with pytest.raises(KeyboardInterrupt):
        interrupts._on_retry(signal.SIGALRM, sys._getframe())


def test_a_retry_without_an_interrupt_does_nothing(fresh):
    interrupts._on_retry(signal.SIGALRM, sys._getframe())


def test_a_signal_without_a_frame_raises(fresh):
    with pytest.raises(KeyboardInterrupt):
        interrupts._on_sigint(signal.SIGINT, None)


def test_after_the_command_nothing_interrupts_the_exit(fresh):
    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGALRM, interrupts._on_retry)
        signal.setitimer(signal.ITIMER_REAL, 10)
        interrupts.ignore_from_now()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGALRM) is signal.SIG_IGN
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGINT, previous)
