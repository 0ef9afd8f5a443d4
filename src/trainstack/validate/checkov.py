"""`--checkov`: run checkov on each stack and merge its failed checks as findings.

Facts this relies on (checkov 3.3): ``--skip-download`` (otherwise it calls a
server), ``--framework terraform_json`` (``terraform`` scans no .tf.json and
exits 0), ``-o json``; and checkov ignores skips written in cdktf's "//"
metadata, so the profile's suppressions are applied here, to its results.
Python checks (CKV_) name the resource ``resource.<name>``, graph checks
(CKV2_) ``<type>.<name>``: both are mapped back to the stack's addresses.
Checkov 3.3.30's terraform_json parser crashes on the ``terraform`` block's
``required_version`` string ("this method receives only dicts") and then scans
nothing, so checkov gets a copy of the stack without that block; it has no
checks for it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from trainstack.errors import TrainstackError
from trainstack.validate.engine import suppress
from trainstack.validate.model import Finding, Stack


def available() -> bool:
    """Whether checkov is installed."""
    return importlib.util.find_spec("checkov") is not None


def run_checkov(stacks: list[Stack]) -> list[Finding]:
    """One checkov run over copies of every stack; findings per stack, suppressions applied."""
    if not available():
        raise TrainstackError("--checkov needs checkov: pip install 'trainstack[checkov]'")
    with tempfile.TemporaryDirectory(prefix="trainstack-checkov-") as tmp:
        for stack in stacks:
            copy = {k: v for k, v in stack.document.items() if k != "terraform"}
            target = Path(tmp) / stack.name / "cdk.tf.json"
            target.parent.mkdir()
            target.write_text(json.dumps(copy, indent=2), encoding="utf-8")
        cmd = [sys.executable, "-m", "checkov.main", "-d", tmp, "--framework", "terraform_json",
               "--skip-download", "-o", "json", "--compact", "--quiet"]
        # cwd: an empty directory, so no stray .checkov.yaml is picked up
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=1200)
    if done.returncode not in (0, 1):
        raise TrainstackError(f"checkov failed (exit {done.returncode}): "
                              f"{done.stderr.strip()[-500:]}")
    findings = []
    for stack in stacks:
        findings += suppress(stack, parse_results(stack, done.stdout))
    return findings


def parse_results(stack: Stack, text: str) -> list[Finding]:
    """Failed checks of checkov's JSON output for this stack's file, as findings (errors)."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise TrainstackError(f"checkov gave no JSON for {stack.path}: {exc}") from None
    reports = data if isinstance(data, list) else [data]
    errors = sum(r.get("summary", {}).get("parsing_errors", 0) for r in reports)
    if errors:
        raise TrainstackError(f"checkov could not parse {stack.path} ({errors} parsing error(s))")
    by_name: dict[str, list[str]] = {}
    for address in stack.resources:
        by_name.setdefault(address.split(".")[-1], []).append(address)
    findings = []
    for rep in reports:
        for check in rep.get("results", {}).get("failed_checks", []):
            if Path(check.get("file_path", "")).parent.name != stack.name:
                continue
            findings.append(Finding(
                rule=check["check_id"], level="error", stack=stack.name,
                resource=_address(check.get("resource", ""), stack, by_name),
                message=check.get("check_name", check["check_id"]), source="checkov",
            ))
    return sorted(findings, key=lambda f: (f.resource, f.rule))


def _address(resource: str, stack: Stack, by_name: dict[str, list[str]]) -> str:
    if resource in stack.resources:
        return resource
    name = resource.split(".")[-1]
    candidates = by_name.get(name, [])
    return candidates[0] if len(candidates) == 1 else resource
