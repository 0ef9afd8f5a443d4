"""Process entry points: start-up and shutdown work that only a real process needs.

``main`` is the importable entry (tests call it); ``console`` is the console
script, which also skips interpreter teardown once output is flushed.
"""

from __future__ import annotations

import atexit
import os
import sys

INTERRUPTED = 130  # 128 + SIGINT, as shells report it
SETTLE_SECONDS = 30.0  # a cold engine start takes 1-3 s; a hung one must not hang the exit


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's) and return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        # `synth` spends most of a cold run starting the CDK engine (node + jsii);
        # start it before the CLI itself is imported so the two overlap.
        if args[:1] == ["synth"] and not any(a.split("=")[0] == "--engine" for a in args):
            from trainstack.constructs import engine

            engine.preload(os.environ.get("TRAINSTACK_ENGINE", "cdktf"))
        from trainstack.cli.main import run
    except KeyboardInterrupt:  # Ctrl-C while starting up: nothing was written yet
        sys.stderr.write("error: interrupted\n")
        return INTERRUPTED
    return run(args)


def console() -> None:
    """The ``trainstack`` command."""
    from trainstack import interrupts

    interrupts.install()
    try:
        code = main()
    except KeyboardInterrupt:  # between the command's end and the line below
        code = INTERRUPTED
    interrupts.ignore_from_now()
    if interrupts.received() and code != INTERRUPTED:
        # the interrupt was swallowed inside the command (see interrupts.py)
        sys.stderr.write("error: interrupted\n")
        code = INTERRUPTED
    if code == INTERRUPTED:
        _quiet_shutdown()
    # Tearing down the interpreter (the engine's large generated modules) costs
    # ~0.1 s and does nothing a finished CLI needs: flush, run the exit hooks
    # (they stop the engine's node process and remove its temp files), and go.
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _quiet_shutdown() -> None:
    """After a Ctrl-C, finish shutting down without printing more than "interrupted".

    - The engine may still be starting in its thread (the interrupt came at start-up): let
      it finish, so that its exit hook stops node and removes its files; removing them
      while jsii still writes them fails ("Directory not empty").
    - A terminal's Ctrl-C reaches every process of its group, node included; jsii's
      runtime shuts down on SIGINT, and jsii's exit hook then reports a BrokenPipeError
      writing its goodbye to it. Nothing the user can act on, and the command already
      said it was interrupted: the rest of the shutdown writes to /dev/null.
    """
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    engine = sys.modules.get("trainstack.constructs.engine")
    if engine is not None:
        engine.settle(timeout=SETTLE_SECONDS)
