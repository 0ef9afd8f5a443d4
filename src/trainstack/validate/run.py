"""The whole `trainstack validate` run: read the stacks, the rules of a pack, then checkov and
terraform when asked, merged into one sorted report (the profile's suppressions apply to
trainstack's and checkov's findings; terraform's cannot be suppressed)."""

from __future__ import annotations

from pathlib import Path

from trainstack.catalog.facts import Facts
from trainstack.validate.engine import load_stacks, pack_named, validate
from trainstack.validate.model import Finding, Report


def validate_directory(directory: Path, pack: str, facts: Facts, *, checkov: bool = False,
                       terraform: bool = False) -> Report:
    """Validate every stack under ``directory``: trainstack's rules, plus checkov's checks
    and ``terraform validate`` when asked (each optional tool adds findings or notes)."""
    chosen = pack_named(pack)  # a bad pack name is exit 2 before anything is read
    report = validate(load_stacks(directory), chosen, facts)
    if checkov:
        from trainstack.validate.checkov import run_checkov

        report.findings += run_checkov(report.stacks)
    if terraform:
        from trainstack.validate.terraform import run_terraform

        for stack in report.stacks:
            report.findings += run_terraform(stack, report.notes)
    report.findings += _unmatched_suppressions(report, chosen, checkov=checkov)
    report.findings.sort(key=lambda f: (f.stack, f.resource, f.rule, f.message))
    return report


def _unmatched_suppressions(report: Report, pack, *, checkov: bool) -> list[Finding]:  # noqa: ANN001
    """TS-META-005 for each hand-written suppression that accepted no finding of this run
    (a checkov id only when checkov ran; presets' suppressions are never reported: a preset
    covers checks that may not fire on every stack)."""
    from trainstack.acceptances import PREFIX

    rule_id = "TS-META-005"
    if rule_id not in pack.rules:
        return []
    out = []
    for stack in report.stacks:
        accepted = {(f.rule, f.resource) for f in report.findings
                    if f.stack == stack.name and f.suppressed}
        for s in stack.meta.suppressions:
            if s.reason.startswith(PREFIX) or (s.rule.startswith("CKV") and not checkov):
                continue
            if s.rule.startswith("TS-") and s.rule not in report.rules:
                continue  # the rule's own check names it
            if any(rule == s.rule and (s.resource is None or res == s.resource)
                   for rule, res in accepted):
                continue
            where = f" on {s.resource}" if s.resource else ""
            out.append(Finding(rule=rule_id, level=pack.level(rule_id), stack=stack.name,
                               resource="", message=f"the suppression of {s.rule}{where} "
                               "matches no finding: remove it, or it will hide the next one"))
    return out
