"""`--terraform`: `terraform init -backend=false` + `terraform validate` per stack.

Needs the terraform binary and a registry that serves the providers. When the
providers cannot be installed (no network, a mirror without them) this says so
plainly and validation goes on with the schema rules, which check the same
arguments against the packaged provider schemas.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from trainstack.validate.model import Finding, Stack

RULE = "TS-TF-001"


TIMEOUT_SECONDS = 600  # per terraform command; provider downloads can be slow


def run_terraform(stack: Stack, notes: list[str]) -> list[Finding]:
    """`terraform init` + `terraform validate` of one stack; diagnostics as findings, or a
    note on why it could not run."""
    exe = shutil.which("terraform")
    if exe is None:
        notes.append("--terraform: terraform is not on PATH; skipped `terraform validate`")
        return []
    with tempfile.TemporaryDirectory(prefix="trainstack-tf-") as tmp:
        work = Path(tmp)
        shutil.copy(stack.path, work / "cdk.tf.json")
        try:
            init = subprocess.run([exe, "init", "-backend=false", "-input=false", "-no-color"],
                                  cwd=work, capture_output=True, text=True,
                                  timeout=TIMEOUT_SECONDS)
            if init.returncode != 0:
                reason = next((line.strip() for line in init.stderr.splitlines()
                               if "Error:" in line or "Failed" in line), "terraform init failed")
                notes.append(f"--terraform: {stack.name}: the providers could not be installed "
                             f"({reason}); `terraform validate` did not run - the TS-SCHEMA "
                             "rules checked the stack against the packaged provider schemas "
                             "instead")
                return []
            done = subprocess.run([exe, "validate", "-json", "-no-color"], cwd=work,
                                  capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            notes.append(f"--terraform: {stack.name}: `terraform {exc.cmd[1]}` did not finish "
                         f"within {TIMEOUT_SECONDS} s; `terraform validate` did not run - the "
                         "TS-SCHEMA rules checked the stack against the packaged provider "
                         "schemas instead")
            return []
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [Finding(RULE, "error", stack.name, "", done.stderr.strip() or "validate failed",
                        source="terraform")]
    findings = []
    for d in result.get("diagnostics", []):
        level = "error" if d.get("severity") == "error" else "warning"
        where = d.get("address", "")
        findings.append(Finding(RULE, level, stack.name, where,
                                f"{d.get('summary', '')}: {d.get('detail', '')}".strip(": "),
                                source="terraform"))
    return findings
