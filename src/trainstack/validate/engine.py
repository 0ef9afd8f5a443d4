"""Run the rules over synthesized stacks: packs give levels, suppressions keep an audit trail.

Validation reads only the synthesized output (``stacks/*/cdk.tf.json``), so it
runs as its own CI step, on any machine, after any engine. A rule that raises
becomes a TS-ENGINE-001 finding instead of stopping the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from trainstack.errors import TrainstackError
from trainstack.validate.model import Finding, Level, Report, Resource, Rule, Stack
from trainstack.validate.reader import read_document
from trainstack.validate.rules import RULES

PACKS = ("baseline", "strict")
ENGINE_RULE = "TS-ENGINE-001"


def level_in(pack: str, baseline: Level) -> Level:
    """baseline: each rule's own level; strict: every warning is an error."""
    if pack == "strict" and baseline == "warning":
        return "error"
    return baseline


def load_stacks(directory: Path) -> list[Stack]:
    """Every stacks/*/cdk.tf.json under ``directory``; exit 2 when there is none.

    A dangling or looping symbolic link (a stack folder or its cdk.tf.json) is an
    error rather than a stack silently left out; a folder without cdk.tf.json is no
    stack (synth keeps the state of a stack it no longer writes).
    """
    if not directory.is_dir():
        raise TrainstackError(f"{directory}: no such directory (run `trainstack synth` first, "
                              "or pass the synth output directory)")
    stacks_dir = directory / "stacks"
    if not stacks_dir.is_dir():
        raise TrainstackError(f"{directory}: no stacks/*/cdk.tf.json to validate")
    stacks = []
    for entry in sorted(stacks_dir.iterdir()):
        if entry.is_symlink() and not entry.exists():
            raise TrainstackError(f"{entry}: a symbolic link to nothing (dangling or looping); "
                                  "remove it or point it at a stack")
        if not entry.is_dir():
            continue
        document_path = entry / "cdk.tf.json"
        if not document_path.exists() and not document_path.is_symlink():
            continue  # not a stack: e.g. the state synth kept of a stack no longer synthesized
        stacks.append(read_stack_folder(entry, document_path))
    if not stacks:
        raise TrainstackError(f"{directory}: no stacks/*/cdk.tf.json to validate")
    return stacks


def read_stack_folder(folder: Path, document_path: Path) -> Stack:
    """The stack as terraform sees the folder: cdk.tf.json and every other *.tf.json in
    it (hand-written additions and override files); *.tf files (HCL) are listed as unread
    (TS-META-004), since terraform reads them too."""
    extras, hcl = [], []
    for path in sorted(folder.iterdir()):
        if path.name == "cdk.tf.json" or path.name.startswith("."):
            continue  # terraform skips dotfiles too
        if path.name.endswith(".tf.json"):
            extras.append((path.name, read_document(path)))
        elif path.name.endswith(".tf"):
            hcl.append(path.name)
    return Stack.from_files(folder.name, str(document_path), read_document(document_path),
                            extras, hcl)


def validate(stacks: list[Stack], pack: str = "baseline") -> Report:
    if pack not in PACKS:
        raise TrainstackError(f"--pack: one of {', '.join(PACKS)} (got '{pack}')")
    report = Report(pack=pack, stacks=stacks, findings=[], rules=dict(RULES))
    for stack in stacks:
        raw: list[tuple[str, str, str]] = []  # (rule, resource, message)
        for rule in RULES.values():
            targets = [None] if rule.stack_check is not None else [
                r for r in stack.resources.values() if rule.types is None or r.type in rule.types]
            for res in targets:
                report.checks_run += 1
                report.evaluations.append((stack.name, rule.id, res.address if res else ""))
                raw += _run(rule, stack, res)
        report.findings += suppress(stack, [
            Finding(rule=rule_id, level="error" if rule_id == ENGINE_RULE
                    else level_in(pack, RULES[rule_id].level),
                    stack=stack.name, resource=address, message=message)
            for rule_id, address, message in raw
        ])
    report.findings.sort(key=lambda f: (f.stack, f.resource, f.rule, f.message))
    return report


def _run(rule: Rule, stack: Stack, res: Resource | None) -> list[tuple[str, str, str]]:
    """(rule, resource, message) of one check; a rule that crashes gives a finding instead."""
    address = res.address if res is not None else ""
    try:
        if res is None:
            return [(rule.id, where, message) for where, message in rule.stack_check(stack)]
        return [(rule.id, address, message) for message in rule.resource_check(res, stack)]
    except Exception as exc:  # a rule must never stop validation
        return [(ENGINE_RULE, address, f"rule {rule.id} crashed: {type(exc).__name__}: {exc}")]


def suppress(stack: Stack, findings: Iterable[Finding]) -> list[Finding]:
    """Mark findings the profile accepted (rule + optional resource, with a reason).

    Only suppressions that pass the profile's own model are applied (validate/metadata.py);
    the others are TS-META-003 findings.
    """
    out = []
    for f in findings:
        match = next((s for s in stack.meta.suppressions if s.rule == f.rule
                      and s.resource in (None, f.resource)), None)
        if match is not None:  # the model refuses suppressions of TS-META-*/TS-ENGINE-*
            f = Finding(**{**f.__dict__, "suppressed": True, "reason": match.reason})
        out.append(f)
    return out
