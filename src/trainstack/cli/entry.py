"""Process entry points: start-up and shutdown work that only a real process needs.

``main`` is the importable entry (tests call it); ``console`` is the console
script, which also skips interpreter teardown once output is flushed.
"""

from __future__ import annotations

import atexit
import os
import sys

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


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
    # Tearing down the interpreter (the engine's large generated modules) costs
    # ~0.1 s and does nothing a finished CLI needs: flush, run the exit hooks
    # (they stop the engine's node process and remove its temp files), and go.
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)
