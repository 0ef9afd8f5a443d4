"""Run the rules over synthesized stacks: packs give levels, suppressions keep an audit trail.

Validation reads only the synthesized output (``stacks/*/cdk.tf.json``), so it
runs as its own CI step, on any machine, after any engine. A rule that raises
becomes a TS-ENGINE-001 finding instead of stopping the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from trainstack.catalog.facts import Facts
from trainstack.errors import TrainstackError
from trainstack.validate.model import Finding, Report, Resource, Rule, Stack
from trainstack.validate.packs import PACKS, Pack
from trainstack.validate.reader import read_document
from trainstack.validate.rules import RULES, NotApplicable, RuleContext, Unknown

ENGINE_RULE = "TS-ENGINE-001"


def load_stacks(directory: Path) -> list[Stack]:
    """Every stacks/*/cdk.tf.json under ``directory`` (a synth output folder), or the one
    stack ``directory`` names (its folder, or its cdk.tf.json); exit 2 when there is none.

    A dangling or looping symbolic link (a stack folder or its cdk.tf.json) is an
    error rather than a stack silently left out; a folder without cdk.tf.json is no
    stack (synth keeps the state of a stack it no longer writes).
    """
    if directory.is_file() and directory.name == "cdk.tf.json":
        return [read_stack_folder(directory.parent, directory)]
    if directory.is_dir() and (directory / "cdk.tf.json").is_file():
        return [read_stack_folder(directory, directory / "cdk.tf.json")]
    if directory.is_file():
        raise TrainstackError(f"{directory}: not a stack: give a synth output folder, a stack "
                              "folder, or its cdk.tf.json")
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


def pack_named(name: str) -> Pack:
    """The pack called ``name``; exit 2 naming the packs there are."""
    try:
        return PACKS[name]
    except KeyError:
        raise TrainstackError(f"--pack: one of {', '.join(PACKS)} (got '{name}')") from None


def validate(stacks: list[Stack], pack: str | Pack, facts: Facts) -> Report:
    """Every rule of ``pack`` over every stack, with ``facts`` (the VM catalog and service
    facts) in each rule's context; findings sorted, suppressions applied."""
    pack = pack if isinstance(pack, Pack) else pack_named(pack)
    report = Report(pack=pack.name, stacks=stacks, findings=[], rules=dict(RULES))
    for stack in stacks:
        ctx = RuleContext(stack=stack, facts=facts)
        raw: list[tuple[str, str, str]] = []  # (rule, resource, message)
        for rule_id in pack.rules:
            rule = RULES[rule_id]
            targets = [None] if rule.stack_check is not None else [
                # a rule for a type judges that type's resources, not data sources that read
                # an existing one (configured by its owner, outside the stack)
                r for r in stack.resources.values()
                if rule.types is None or (r.type in rule.types and not r.is_data)]
            for res in targets:
                raw += _run(rule, ctx, res, report)
        report.findings += suppress(stack, [
            Finding(rule=rule_id, level="error" if rule_id == ENGINE_RULE
                    else pack.level(rule_id),
                    stack=stack.name, resource=address, message=message)
            for rule_id, address, message in raw
        ])
    report.findings.sort(key=lambda f: (f.stack, f.resource, f.rule, f.message))
    return report


def _run(rule: Rule, ctx: RuleContext, res: Resource | None,
         report: Report) -> list[tuple[str, str, str]]:
    """(rule, resource, message) of one check, counted in the report; a rule that does not
    apply is not counted, one that cannot judge a value gives a finding at its level saying
    so (fail closed), and one that crashes gives a TS-ENGINE-001 finding."""
    address = res.address if res is not None else ""
    try:
        if res is None:
            out = [(rule.id, where, message) for where, message in rule.stack_check(ctx)]
        else:
            out = [(rule.id, address, message) for message in rule.resource_check(res, ctx)]
    except NotApplicable:
        return []
    except Unknown as exc:  # fail closed: what cannot be shown to hold is a finding
        out = [(rule.id, address, f"{exc}, known only when terraform applies: cannot be "
                                  "shown to meet the rule")]
    except Exception as exc:  # a rule must never stop validation
        out = [(ENGINE_RULE, address, f"rule {rule.id} crashed: {type(exc).__name__}: {exc}")]
    report.checks_run += 1
    report.evaluations.append((ctx.stack.name, rule.id, address))
    return out


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
