"""The whole `trainstack validate` run: read the stacks, the rules of a pack, then checkov and
terraform when asked, merged into one sorted report (the profile's suppressions apply to
trainstack's and checkov's findings; terraform's cannot be suppressed)."""

from __future__ import annotations

from pathlib import Path

from trainstack.catalog.facts import Facts
from trainstack.validate.engine import load_stacks, pack_named, validate
from trainstack.validate.model import Report


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
    report.findings.sort(key=lambda f: (f.stack, f.resource, f.rule, f.message))
    return report
