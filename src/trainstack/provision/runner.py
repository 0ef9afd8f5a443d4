"""init, plan, apply a saved plan, and read state: one stack at a time, over the real binary.

Each step raises an error a user can act on: TerraformError (exit 1) when terraform ran
and failed, with its error diagnostics and the log's path; TrainstackError (exit 2) when
the providers cannot be downloaded (nothing was changed) or a saved plan is stale.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from trainstack.errors import TrainstackError
from trainstack.provision import plans
from trainstack.provision import terraform as tfbin
from trainstack.provision.events import Outcome, Progress, diagnostic_line
from trainstack.provision.layout import StackPaths

# terraform's messages when it cannot reach a provider registry (init's "Failed to query
# available provider packages" / "Failed to install provider"), e.g. offline or behind a
# proxy that blocks registry.terraform.io.
_NO_PROVIDER = re.compile(r"Failed to (query available provider packages|install provider|"
                          r"resolve provider packages)|could not connect to registry")
_LOCK_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Created):\s*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Target:
    """One stack to provision, and what it was synthesized from."""

    paths: StackPaths
    origin: plans.Origin
    prod: bool = False
    monthly_usd: float | None = None

    @property
    def name(self) -> str:
        """The stack's name."""
        return self.paths.name


@dataclass
class Session:
    """How terraform runs for this command: which binary, environment, where progress goes."""

    tf: tfbin.Terraform
    command: str  # the trainstack verb: each stack gets one log per command run
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    plugin_cache: Path = Path(".trainstack/plugins")
    stream: TextIO | None = None
    live: bool = False
    logs: dict[str, Path] = field(default_factory=dict)

    def run(self, target: Target, args: list[str], *, keep_output: bool = True,
            on_event: Callable[[dict], None] | None = None) -> tuple[tfbin.Completed, Path]:
        """Run terraform for ``target``'s stack; the completed run and its log's path.
        ``keep_output=False``: the output holds values (``show -json``, ``output -json``
        print sensitive ones in clear) and only its exit code goes to the log."""
        paths = target.paths
        env = tfbin.base_env(self.env, self.plugin_cache, paths.data_dir)
        log = self.logs.setdefault(target.name, paths.log_file(self.command))
        return tfbin.run(self.tf, args, cwd=paths.stack_dir, env=env, log=log,
                         on_event=on_event, keep_output=keep_output), log


def _failure(target: Target, what: str, done: tfbin.Completed, log: Path,
             outcome: Outcome | None = None) -> tfbin.TerraformError:
    """The error for a failed run: terraform's error lines, a held lock, the log."""
    lines = [f"{target.name}: terraform {what} failed (exit {done.code})"]
    errors = (outcome.errors if outcome and outcome.errors
              else [diagnostic_line(e) for e in done.events
                    if (e.get("diagnostic") or {}).get("severity") == "error"])
    if not errors:  # a command without -json: its "Error:" paragraphs, else its last lines
        errors = _error_paragraphs(done.lines) or [ln for ln in done.lines if ln.strip()][-6:]
    lines += [f"  {line}" for line in errors]
    holder = lock_holder(done)
    if holder:
        lines.append(f"  the state is locked by {holder.get('Who', '?')} since "
                     f"{holder.get('Created', '?')} ({holder.get('Operation', '?')}); if that "
                     f"run is over, release it: terraform -chdir={target.paths.stack_dir} "
                     f"force-unlock {holder.get('ID', '<lock id>')}")
    lines.append(f"  full output: {log}")
    return tfbin.TerraformError(*lines)


def lock_holder(done: tfbin.Completed) -> dict[str, str] | None:
    """The "Lock Info" of a state-lock error (who holds it, since when, its id), or None."""
    texts = [str((e.get("diagnostic") or {}).get("detail", "")) for e in done.events]
    text = "\n".join(texts) + "\n" + done.text()
    if "Error acquiring the state lock" not in text:
        return None
    return {key: value.strip() for key, value in _LOCK_FIELD.findall(text)}


def init(session: Session, target: Target) -> None:
    """``terraform init`` with the kept lock file; the lock file kept again after."""
    paths = target.paths
    if not paths.stack_file.is_file():
        raise TrainstackError(f"{paths.stack_file}: no synthesized stack to run terraform on")
    paths.restore_lock_file()
    done, log = session.run(target, ["init", "-input=false", "-no-color"])
    if done.code != 0:
        if _NO_PROVIDER.search(done.text()):
            raise TrainstackError(
                f"{target.name}: terraform could not download the stack's providers; nothing "
                "was planned or changed",
                *(f"  {line}" for line in _error_paragraphs(done.lines)[:2]),
                "  offline or behind a proxy: mirror the providers on a connected machine "
                "(terraform providers mirror DIR) and point TF_CLI_CONFIG_FILE at a "
                "configuration with a filesystem_mirror (docs/guide.md, Offline)",
                f"  full output: {log}")
        raise _failure(target, "init", done, log)
    paths.keep_lock_file()


def plan(session: Session, target: Target, *, destroy: bool = False) -> plans.PlanSummary:
    """init, ``terraform plan -out``, then what the saved plan would do; the plan's record
    ties it to the profile and stack it was made from."""
    init(session, target)
    paths = target.paths
    paths.plan_file.parent.mkdir(parents=True, exist_ok=True)
    paths.plan_record.unlink(missing_ok=True)  # a failed plan leaves no record behind
    args = ["plan", "-input=false", "-json", "-lock-timeout=0s", f"-out={paths.plan_file}"]
    done, log = session.run(target, args + (["-destroy"] if destroy else []))
    if done.code != 0:
        paths.plan_file.unlink(missing_ok=True)
        raise _failure(target, "plan", done, log)
    shown, log = session.run(target, ["show", "-json", "-no-color", str(paths.plan_file)],
                             keep_output=False)
    document = _json_document(shown)
    if shown.code != 0 or document is None:
        raise _failure(target, "show", shown, log)
    summary = plans.summarize(document)
    plans.write_record(paths.plan_record, plans.PLAN_FORMAT, target.name, target.origin,
                       destroy=destroy, detail=summary.detail(), changes=summary.changes)
    return summary


def apply_saved(session: Session, target: Target, *, destroy: bool = False) -> Outcome:
    """Apply exactly the saved plan, refusing it when the profile or stack changed since."""
    paths = target.paths
    record = plans.read_record(paths.plan_record, plans.PLAN_FORMAT)
    reason = plans.stale_reason(record, target.origin, destroy=destroy)
    if reason is None and not paths.plan_file.is_file():
        reason = "the saved plan file is missing"
    if reason:
        raise TrainstackError(f"{target.name}: not applied: {reason}",
                              "  run `trainstack plan` again, check what it shows, then deploy")
    progress = Progress(session.stream, stack=target.name, live=session.live) \
        if session.stream else None
    args = ["apply", "-input=false", "-json", "-lock-timeout=0s", str(paths.plan_file)]
    try:
        done, log = session.run(target, args, on_event=progress)
    finally:
        if progress:
            progress.close()
    # terraform will not apply a plan twice; a failed apply leaves partial state to re-plan
    paths.plan_file.unlink(missing_ok=True)
    paths.plan_record.unlink(missing_ok=True)
    outcome = progress.outcome if progress else Outcome()
    if done.code != 0:
        raise _failure(target, "destroy" if destroy else "apply", done, log, outcome)
    plans.write_record(paths.applied_record, plans.APPLIED_FORMAT, target.name, target.origin,
                       destroyed=destroy, summary=outcome.summary)
    return outcome


def state(session: Session, target: Target) -> tuple[list[dict], dict]:
    """The managed resources in the stack's state (address, type, name) and its outputs
    (sensitive values hidden)."""
    init(session, target)
    shown, log = session.run(target, ["show", "-json", "-no-color"], keep_output=False)
    document = _json_document(shown)
    if shown.code != 0 or document is None:
        raise _failure(target, "show", shown, log)
    root = (document.get("values") or {}).get("root_module") or {}
    resources = [{"address": r.get("address"), "type": r.get("type"), "name": r.get("name")}
                 for r in root.get("resources") or [] if r.get("mode") == "managed"]
    out, log = session.run(target, ["output", "-json", "-no-color"], keep_output=False)
    raw = _json_document(out)
    if out.code != 0 or raw is None:
        raise _failure(target, "output", out, log)
    outputs = {k: ("(sensitive)" if v.get("sensitive") else v.get("value"))
               for k, v in sorted(raw.items()) if isinstance(v, dict)}
    return resources, outputs


def _error_paragraphs(lines: list[str]) -> list[str]:
    """terraform's plain-text errors ("Error: <summary>" and the paragraph after it), each
    joined into one line."""
    found, current = [], None
    for line in lines:
        text = line.strip().strip("\u2502\u2577\u2575").strip()
        if text.startswith("Error: "):
            current = [text]
            found.append(current)
        elif current is not None and text:
            current.append(text)
        elif current is not None and len(current) > 1:
            current = None  # the blank line after the paragraph ends it
    return [" ".join(parts) for parts in found]


def _json_document(done: tfbin.Completed) -> dict | None:
    """The JSON object a ``-json`` command printed (on one line or pretty), skipping any
    warning terraform wrote before it; None when there is none."""
    for start, line in enumerate(done.lines):
        if line.startswith("{"):
            try:
                value = json.loads("\n".join(done.lines[start:]))
            except ValueError:
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
            return value if isinstance(value, dict) else None
    return None
