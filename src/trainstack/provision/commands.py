"""plan, deploy, destroy and status of several stacks: order, approval, and what happened.

Stacks run in a stable order, by name (destroy: the reverse). Each stack is its own
resource group and state, so none depends on another: a stack that fails is reported and
the others go on; the summary says which applied, which failed and which did not run.
deploy plans every stack before it applies any, and applies nothing when a plan failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from trainstack.errors import TrainstackError
from trainstack.provision import plans, runner
from trainstack.provision.kept import after_destroy
from trainstack.provision.terraform import TerraformError

CHANGES_PENDING = 4  # `plan --detailed-exitcode`: 2 is taken by "bad input"


class NotApproved(TrainstackError):
    """The person at the terminal said no (or typed the wrong name): nothing applied."""

    exit_code = 1


@dataclass
class Approval:
    """How deploy and destroy get a yes: --auto-approve, or a person at a terminal."""

    auto: bool = False
    allow_replace: bool = False
    interactive: bool = False
    ask: Callable[[str], str | None] = lambda question: None

    def confirm(self, verb: str, count: int) -> None:
        """"yes" to apply ``count`` stacks' plans, unless --auto-approve."""
        if self.auto:
            return
        if not self.interactive:
            raise TrainstackError(f"{verb} needs approval and standard input is not a terminal: "
                                  "check the plans above and pass --auto-approve")
        answer = self.ask(f"{verb} {count} stack(s) as planned above? Only 'yes' is accepted: ")
        if (answer or "").strip() != "yes":
            raise NotApproved(f"{verb} cancelled: nothing was applied")

    def confirm_destructive(self, verb: str, target: runner.Target,
                            summary: plans.PlanSummary) -> None:
        """A prod stack whose plan destroys or replaces: its name typed, even with
        --auto-approve, unless --allow-replace."""
        if not (target.prod and summary.destructive) or self.allow_replace:
            return
        what = f"destroys {len(summary.destroy)} and replaces {len(summary.replace)} resource(s)"
        if not self.interactive:
            raise TrainstackError(f"{target.name} is prod and its plan {what}: type its name at a "
                                  "terminal, or pass --allow-replace if that is intended")
        answer = self.ask(f"{target.name} is prod and its plan {what}. Type the profile name "
                          f"to {verb} it anyway: ")
        if (answer or "").strip() != target.name:
            raise NotApproved(f"{verb} cancelled: '{target.name}' was not typed; nothing was "
                              "applied")


@dataclass
class Result:
    """What happened to one stack."""

    target: runner.Target
    status: str  # planned, no changes, applied, destroyed, failed, not run
    summary: plans.PlanSummary | None = None
    error: tuple[str, ...] = ()
    kept: list[str] = field(default_factory=list)
    applied: str = ""  # terraform's closing line ("Apply complete! Resources: ...")
    after_apply: list[str] = field(default_factory=list)  # steps done once it applied

    def to_json(self) -> dict:
        """One stack in ``--format json``."""
        t = self.target
        return {"stack": t.name, "environment": t.origin.environment,
                "profile": t.origin.profile, "status": self.status,
                "estimated_monthly_usd": t.monthly_usd,
                "plan": self.summary.to_json() if self.summary else None,
                "plan_file": str(t.paths.plan_file) if self.status == "planned" else None,
                "error": list(self.error), "after_apply": self.after_apply,
                "kept_after_destroy": self.kept}


def describe(result: Result) -> list[str]:
    """A plan for a person: counts, the estimate, and every destroy and replace marked."""
    t, s = result.target, result.summary
    head = f"{t.name} ({t.origin.environment})"
    if s is None:
        return [f"{head}: {result.status}", *result.error]
    counts = s.counts()
    text = (f"{head}: {counts['add']} to add, {counts['change']} to change, "
            f"{counts['destroy']} to destroy, {counts['replace']} to replace")
    if t.monthly_usd is not None:
        text += f"; selection estimate ${t.monthly_usd:,.2f}/month"
    lines = [text if s.changes else f"{head}: no changes"]
    lines += [f"  + add      {a}" for a in s.add]
    lines += [f"  ~ change   {a}" for a in s.change]
    lines += [f"  ! destroy  {a}" for a in s.destroy]
    lines += [f"  ! replace  {a}" for a in s.replace]
    return lines


def plan_each(session: runner.Session, targets: list[runner.Target], *,
              destroy: bool = False) -> list[Result]:
    """Plan every stack; a failure is recorded and the others still plan."""
    results = []
    for target in targets:
        try:
            summary = runner.plan(session, target, destroy=destroy)
            results.append(Result(target, "planned" if summary.changes else "no changes",
                                  summary))
        except TerraformError as exc:
            results.append(Result(target, "failed", error=exc.lines))
    return results


def saved_plans(targets: list[runner.Target]) -> list[Result]:
    """The plans `trainstack plan` saved, each checked against its profile and stack now."""
    results, stale = [], []
    for target in targets:
        record = plans.read_record(target.paths.plan_record, plans.PLAN_FORMAT)
        reason = plans.stale_reason(record, target.origin, destroy=False)
        if reason:
            stale.append(f"  {target.name}: {reason}")
            continue
        summary = plans.PlanSummary.from_json(record.get("detail"))
        results.append(Result(target, "planned" if summary.changes else "no changes", summary))
    if stale:
        raise TrainstackError("deploy --saved: not applied, the saved plans do not match:", *stale,
                              "  run `trainstack plan` again, check it, then deploy")
    return results


def apply_each(session: runner.Session, results: list[Result], approval: Approval, *,
               destroy: bool = False) -> None:
    """Ask once, then apply each planned stack in order; failures do not stop the others."""
    verb = "destroy" if destroy else "deploy"
    pending = [r for r in results if r.status == "planned"]
    if not pending:
        return
    approval.confirm(verb, len(pending))
    for r in pending:
        approval.confirm_destructive(verb, r.target, r.summary)
    for r in pending:
        doc = _stack_doc(r.target) if destroy else {}
        try:
            r.applied = runner.apply_saved(session, r.target, destroy=destroy).summary
        except TerraformError as exc:
            r.status, r.error = "failed", exc.lines
            continue
        r.status = "destroyed" if destroy else "applied"
        if destroy:
            r.kept = after_destroy(doc)


def _stack_doc(target: runner.Target) -> dict:
    try:
        return json.loads(target.paths.stack_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def closing(results: list[Result]) -> list[str]:
    """The summary: which stacks applied, failed, did not run."""
    by: dict[str, list[str]] = {}
    for r in results:
        by.setdefault(r.status, []).append(r.target.name)
    return [f"{status}: {', '.join(names)}" for status, names in by.items()]


def status_of(session: runner.Session, target: runner.Target) -> dict:
    """What is deployed for a stack (from its state), its URLs, when it was last applied
    and whether its profile or stack changed since."""
    record = plans.read_record(target.paths.applied_record, plans.APPLIED_FORMAT)
    local = target.paths.state_file
    backend_local = _stack_doc(target).get("terraform", {}).get("backend", {}).get("local")
    if backend_local is not None and not local.is_file():
        resources, outputs = [], {}
    else:
        resources, outputs = runner.state(session, target)
    deployed = bool(resources)
    return {
        "stack": target.name, "environment": target.origin.environment,
        "profile": target.origin.profile, "deployed": deployed,
        "resources": [r["address"] for r in resources], "outputs": outputs,
        "urls": urls(outputs),
        "last_applied": record.get("time") if record and not record.get("destroyed") else None,
        "profile_changed": bool(record) and deployed
        and record.get("profile_sha256") != target.origin.profile_sha256,
        "stack_changed": bool(record) and deployed
        and record.get("stack_sha256") != target.origin.stack_sha256,
    }


def urls(outputs: dict) -> dict[str, str]:
    """Where to open what was deployed, from the stack's outputs: Azure ML studio (its
    ``wsid`` link, the workspace's resource id) and the Databricks workspace."""
    found = {}
    if isinstance(outputs.get("workspace_id"), str):
        found["azure_ml_studio"] = f"https://ml.azure.com/?wsid={outputs['workspace_id']}"
    if isinstance(outputs.get("databricks_workspace_url"), str):
        found["databricks"] = f"https://{outputs['databricks_workspace_url']}"
    return found
