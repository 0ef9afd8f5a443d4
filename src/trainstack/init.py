"""`trainstack init [DIR]`: a first profile from the six questions of building a model, and, in a
new folder, a project a cdktf user recognises.

The questions follow the steps (define the problem, get the data, prepare it, train,
integrate, monitor) and take their choices and defaults from the profile model itself, so a
value the model accepts is offered and nothing else is. The answers are written as a profile
with the schema line, checked by the same loader as any profile before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from trainstack.atomic import write_atomic
from trainstack.errors import TrainstackError
from trainstack.profile import parse_profile
from trainstack.profile.models import WorkloadProfile


@dataclass(frozen=True)
class Question:
    """One question: the dotted field it answers, the step it belongs to, what to ask."""

    field: str
    step: str
    text: str
    default: str


QUESTIONS = (
    Question("name", "1. define the problem", "name of the workload", "my-model"),
    Question("problem.predicts", "1. define the problem", "what does the model predict",
             "which customers will churn next month"),
    Question("problem.task", "1. define the problem", "task", "classification"),
    Question("environment", "1. define the problem", "environment", "dev"),
    Question("region", "1. define the problem", "Azure region", "westeurope"),
    Question("data.modality", "2. get the data", "kind of data", "tabular"),
    Question("data.size_gb", "2. get the data", "size of the training data in GB", "10"),
    Question("data.source", "2. get the data", "where the data is", "blob"),
    Question("data.needs_distributed_prep", "3. prepare it",
             "does preparation need Spark (true/false)", "false"),
    Question("training.framework", "4. train", "framework", "automl"),
    Question("training.max_hours", "4. train", "hours per training run", "2"),
    Question("training.runs_per_month", "4. train", "runs per month", "20"),
    Question("deploy.endpoint", "5. integrate", "serve predictions as", "none"),
    Question("monitor.alert_email", "6. monitor", "email for failure alerts (empty: none)", ""),
    Question("constraints.monthly_budget_usd", "6. monitor",
             "monthly budget in USD (empty: none)", ""),
    Question("constraints.network", "6. monitor", "network", "public"),
)


def choices(field: str) -> tuple[str, ...]:
    """The values the profile model allows for a field (its Literal), or () for free text."""
    model: Any = WorkloadProfile
    annotation: Any = None
    for part in field.split("."):
        annotation = model.model_fields[part].annotation
        model = annotation
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    values = get_args(args[0]) if len(args) == 1 else args
    return tuple(str(v) for v in values if isinstance(v, str))


def profile_text(answers: dict[str, str], schema: str) -> str:
    """The profile YAML of the answers, by step, with the schema line."""
    sections: dict[str, list[str]] = {}
    top: list[str] = []
    for q in QUESTIONS:
        value = answers.get(q.field, q.default)
        if value == "":
            continue
        section, _, key = q.field.rpartition(".")
        line = f"{key}: {_scalar(q.field, value)}"
        (sections.setdefault(section, []) if section else top).append(line)
    out = [f"# yaml-language-server: $schema={schema}", "apiVersion: trainstack/v1",
           "kind: WorkloadProfile", *top]
    for section, lines in sections.items():
        out += [f"{section}:", *(f"  {line}" for line in lines)]
    out += ["team:", "  prefers: [python-sdk]"]
    out += [f"accept: [{', '.join(accepted(answers))}]  # reasoned acceptances: "
            "docs/validation.md"]
    return "\n".join(out) + "\n"


def accepted(answers: dict[str, str]) -> list[str]:
    """The acceptance presets that fit the answers (trainstack/acceptances.py): a public
    profile accepts being public, and outside prod a Basic registry."""
    from trainstack.acceptances import PRESETS

    network = answers.get("constraints.network") or "public"
    environment = answers.get("environment") or "dev"
    return [name for name, p in PRESETS.items()
            if (p.network is None or p.network == network)
            and p.not_environment != environment]


def _scalar(field: str, value: str) -> str:
    """A YAML scalar: numbers and booleans as they are, text quoted (JSON is YAML)."""
    if field.endswith(("size_gb", "max_hours", "runs_per_month", "monthly_budget_usd")) \
            and re.fullmatch(r"\d+(\.\d+)?", value):
        return value
    if field.endswith("needs_distributed_prep") and value in ("true", "false"):
        return value
    return json.dumps(value)


def ask_all(ask: Callable[[Question, tuple[str, ...]], str], given: dict[str, str]) -> dict:
    """Every answer: the given ones, else asked (``ask`` returns the default on enter)."""
    return {q.field: given[q.field] if q.field in given else ask(q, choices(q.field))
            for q in QUESTIONS}


CDKTF_JSON = {"app": "sh stacks/app.sh", "language": "python", "output": "cdktf.out",
              "codeMakerOutput": "imports", "sendCrashReports": "false",
              "terraformProviders": [], "terraformModules": [], "context": {}}
APP_PY = '''"""Entry point for `cdktf synth` (cdktf.json): every profile in profiles/."""

import glob
import sys
from pathlib import Path

from trainstack.cli.output import error
from trainstack.errors import TrainstackError
from trainstack.synth import synth_in_place

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    profiles = sorted(ROOT / p for p in glob.glob("profiles/*.yaml", root_dir=ROOT))
    try:
        synth_in_place(profiles, ROOT / "cdktf.out")
    except TrainstackError as exc:
        error(*exc.lines)
        sys.exit(exc.exit_code)
'''
APP_SH = '''#!/bin/sh
# cdktf.json's "app": stacks/app.py with the project's .venv when there is one.
here=$(dirname "$0")
if [ -x "$here/../.venv/bin/python" ]; then exec "$here/../.venv/bin/python" "$here/app.py"; fi
exec python3 "$here/app.py"
'''
GITIGNORE = ".venv/\ncdktf.out/\n.trainstack/\nnode_modules/\n"


def write_project(directory: Path, answers: dict[str, str], *, new: bool) -> list[Path]:
    """Check the profile, then write it (and, in a new folder, the project); the paths."""
    from trainstack.profile.schema import profile_json_schema

    name = answers.get("name") or "my-model"
    profile_path = directory / "profiles" / f"{name}.yaml"
    text = profile_text(answers, "../profile.schema.json")
    parse_profile(text, str(profile_path))  # exit 2, naming the field, before any write
    if profile_path.exists():
        raise TrainstackError(f"{profile_path}: already exists; choose another name")
    files = {profile_path: text}
    schema = directory / "profile.schema.json"
    if not schema.exists():
        files[schema] = profile_json_schema()
    if new:
        files[directory / "cdktf.json"] = json.dumps(CDKTF_JSON, indent=2) + "\n"
        files[directory / "stacks" / "app.py"] = APP_PY
        files[directory / "stacks" / "app.sh"] = APP_SH
        files[directory / ".gitignore"] = GITIGNORE
    for path, content in files.items():
        write_atomic(path, content, what="file")
    return list(files)
