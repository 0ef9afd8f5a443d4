"""Run the rules over synthesized stacks: packs give levels, suppressions keep an audit trail.

Validation reads only the synthesized output (``stacks/*/cdk.tf.json``), so it
runs as its own CI step, on any machine, after any engine. A rule that raises
becomes a TS-ENGINE-001 finding instead of stopping the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from trainstack.errors import TrainstackError
from trainstack.validate.model import Finding, Level, Report, Stack
from trainstack.validate.rules import RULES

PACKS = ("baseline", "strict")
ENGINE_RULE = "TS-ENGINE-001"


def level_in(pack: str, baseline: Level) -> Level:
    """baseline: each rule's own level; strict: every warning is an error."""
    if pack == "strict" and baseline == "warning":
        return "error"
    return baseline


def load_stacks(directory: Path) -> list[Stack]:
    """Every stacks/*/cdk.tf.json under ``directory``; exit 2 when there is none."""
    if not directory.is_dir():
        raise TrainstackError(f"{directory}: no such directory (run `trainstack synth` first, "
                              "or pass the synth output directory)")
    files = sorted(directory.glob("stacks/*/cdk.tf.json"))
    if not files:
        raise TrainstackError(f"{directory}: no stacks/*/cdk.tf.json to validate")
    stacks = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TrainstackError(f"{path}: cannot read the stack ({exc})") from None
        if not isinstance(document, dict):
            raise TrainstackError(f"{path}: not a Terraform JSON object")
        stacks.append(Stack.from_document(path.parent.name, str(path), document))
    return stacks


def validate(stacks: list[Stack], pack: str = "baseline") -> Report:
    if pack not in PACKS:
        raise TrainstackError(f"--pack: one of {', '.join(PACKS)} (got '{pack}')")
    report = Report(pack=pack, stacks=stacks, findings=[], rules=dict(RULES))
    for stack in stacks:
        raw: list[tuple[str, str, str]] = []  # (rule, resource, message)
        for rule in RULES.values():
            if rule.stack_check is not None:
                report.checks_run += 1
                report.evaluations.append((stack.name, rule.id, ""))
                raw += _run(rule.id, "", lambda r=rule: list(r.stack_check(stack)))
                continue
            for res in stack.resources.values():
                if rule.types is not None and res.type not in rule.types:
                    continue
                report.checks_run += 1
                report.evaluations.append((stack.name, rule.id, res.address))
                raw += [(rule_id, res.address, msg) for rule_id, _, msg in _run(
                    rule.id, res.address,
                    lambda r=rule, x=res: [("", m) for m in r.resource_check(x, stack)])]
        report.findings += suppress(stack, [
            Finding(rule=rule_id, level="error" if rule_id == ENGINE_RULE
                    else level_in(pack, RULES[rule_id].level),
                    stack=stack.name, resource=address, message=message)
            for rule_id, address, message in raw
        ])
    report.findings.sort(key=lambda f: (f.stack, f.resource, f.rule, f.message))
    return report


def _run(rule_id: str, address: str, call) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """Call a rule; a crash is reported as a finding, not raised."""
    try:
        return [(rule_id, where or address, message) for where, message in call()]
    except Exception as exc:  # a rule must never stop validation
        return [(ENGINE_RULE, address, f"rule {rule_id} crashed: {type(exc).__name__}: {exc}")]


def suppress(stack: Stack, findings: Iterable[Finding]) -> list[Finding]:
    """Mark findings the profile accepted (rule + optional resource, with a reason)."""
    entries = [s for s in stack.metadata.get("suppressions", []) if isinstance(s, dict)]
    out = []
    for f in findings:
        match = next((s for s in entries if s.get("rule") == f.rule
                      and s.get("resource") in (None, f.resource)), None)
        if match is not None:
            f = Finding(**{**f.__dict__, "suppressed": True, "reason": str(match.get("reason"))})
        out.append(f)
    return out
