"""The ``trainstack`` command: the verbs (one module each) on one app, errors become exit codes.

Exit codes (docs/profile-v1.md): 0 success, 1 the command ran and found problems
(``select --strict`` over budget, ``validate`` errors), 2 bad input or usage, 3 a bug in
trainstack, 130 interrupted.
"""

from __future__ import annotations

from trainstack.cli import (  # noqa: F401 - each module registers its command on the app
    catalog_cmd,
    diagram_cmd,
    init_cmd,
    output,
    preflight_cmd,
    provision_cmd,
    report_cmd,
    schema_cmd,
    select_cmd,
    state_cmd,
    synth_cmd,
    validate_cmd,
    verify_cmd,
)
from trainstack.cli.app import command
from trainstack.errors import TrainstackError

INTERNAL_ERROR = 3  # a bug in trainstack, never "findings" (1) nor "bad input" (2)
INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code (see entry.py for the process)."""
    try:
        # standalone mode: usage errors print their message and exit 2
        command()(args=argv, prog_name="trainstack")
    except TrainstackError as exc:
        output.error(*exc.lines)
        return exc.exit_code
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # click turns Ctrl-C inside a command into exit 130
            output.error("interrupted")
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        output.error(str(exc.code))
        return 1
    except KeyboardInterrupt:
        output.error("interrupted")
        return INTERRUPTED
    except Exception as exc:  # a bug: say so plainly, with a documented exit code
        if _debug():
            raise
        output.error(f"internal error: {type(exc).__name__}: {exc}",
                     "  this is a bug in trainstack; run again with TRAINSTACK_DEBUG=1 for the "
                     "traceback and report it")
        return INTERNAL_ERROR
    return 0


def _debug() -> bool:
    """TRAINSTACK_DEBUG, from the settings (which may themselves be what is broken)."""
    from trainstack.settings import Settings

    try:
        return Settings.current().debug
    except TrainstackError:
        return False
