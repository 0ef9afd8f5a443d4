"""`trainstack init [DIR]`: the six-step questions, a first profile, a project (init.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from trainstack.cli import output
from trainstack.cli.app import app

Answer = Annotated[str | None, typer.Option(show_default=False)]


@app.command("init")
def init_cmd(
    directory: Annotated[Path, typer.Argument(help="Project folder (new: a whole project).")
                         ] = Path("."),
    name: Answer = None, predicts: Answer = None, task: Answer = None,
    environment: Answer = None, region: Answer = None, modality: Answer = None,
    size_gb: Answer = None, framework: Answer = None, endpoint: Answer = None,
    alert_email: Answer = None, budget: Answer = None, network: Answer = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing: the defaults for "
                                      "every answer not given as an option.")] = False,
) -> None:
    """Ask the six-step questions (or take them as options) and write a checked profile; in a
    new folder, also cdktf.json, stacks/app.py and the schema."""
    from trainstack import init

    given = {field: value for field, value in (
        ("name", name), ("problem.predicts", predicts), ("problem.task", task),
        ("environment", environment), ("region", region), ("data.modality", modality),
        ("data.size_gb", size_gb), ("training.framework", framework),
        ("deploy.endpoint", endpoint), ("monitor.alert_email", alert_email),
        ("constraints.monthly_budget_usd", budget), ("constraints.network", network))
        if value is not None}
    interactive = sys.stdin.isatty() and not yes
    answers = init.ask_all(_ask if interactive else (lambda q, c: q.default), given)
    new = not directory.exists() or not any(directory.iterdir())
    for path in init.write_project(directory, answers, new=new):
        output.note(f"wrote {path}")
    output.note("next: trainstack select " + str(directory / "profiles" /
                                                  f"{answers['name']}.yaml") + " --format table")


_step = {"now": ""}


def _ask(question, options: tuple[str, ...]) -> str:  # noqa: ANN001 - an init.Question
    """One question at the terminal; enter keeps the default."""
    if question.step != _step["now"]:
        _step["now"] = question.step
        sys.stderr.write(f"\n{question.step}\n")
    shown = f" ({'|'.join(options)})" if options and len(options) <= 20 else ""
    sys.stderr.write(f"  {question.text}{shown} [{question.default}]: ")
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line.strip() or question.default
