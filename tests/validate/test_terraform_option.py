"""`--terraform` with terraform replaced by a recorder: the commands, their limits and where
they run, and every shape of `terraform validate -json` output. (A real terraform without
providers: test_validate.py.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from trainstack.validate import terraform as tf
from trainstack.validate.model import Stack

STORED = ROOT / "tests" / "golden" / "stacks" / "churn" / "cdk.tf.json"


class Terraform:
    """Stands in for subprocess.run: init succeeds, validate prints ``stdout``."""

    def __init__(self, stdout: str, stderr: str = ""):
        self.stdout, self.stderr = stdout, stderr
        self.calls: list[tuple[list[str], dict, Path, bytes]] = []

    def __call__(self, cmd, **kwargs):
        work = Path(kwargs["cwd"])
        self.calls.append((cmd, kwargs, work, (work / "cdk.tf.json").read_bytes()))
        if cmd[1] == "init":
            return subprocess.CompletedProcess(cmd, 0, "", "")
        return subprocess.CompletedProcess(cmd, 1, self.stdout, self.stderr)


def run(monkeypatch, stdout: str, stderr: str = "") -> tuple[list, Terraform, list[str]]:
    fake = Terraform(stdout, stderr)
    monkeypatch.setattr(tf.shutil, "which", lambda name: "/opt/tf/terraform")
    monkeypatch.setattr(tf.subprocess, "run", fake)
    stack = Stack.from_document("churn", str(STORED), json.loads(STORED.read_text()))
    notes: list[str] = []
    return tf.run_terraform(stack, notes), fake, notes


def test_init_then_validate_on_a_copy_in_a_temporary_folder_each_with_a_time_limit(monkeypatch):
    findings, fake, notes = run(monkeypatch, json.dumps({"valid": True, "diagnostics": []}))
    assert findings == [] and notes == []
    (init, init_kw, work, copied), (validate, validate_kw, work2, _) = fake.calls
    assert init == ["/opt/tf/terraform", "init", "-backend=false", "-input=false", "-no-color"]
    assert validate == ["/opt/tf/terraform", "validate", "-json", "-no-color"]
    for kwargs in (init_kw, validate_kw):
        assert kwargs == {"cwd": work, "capture_output": True, "text": True,
                          "timeout": tf.TIMEOUT_SECONDS}
    assert tf.TIMEOUT_SECONDS == 600
    assert work == work2 and work.name.startswith("trainstack-tf-") and not work.exists()
    assert copied == STORED.read_bytes()


def test_each_diagnostic_is_a_finding_with_its_level_address_and_words(monkeypatch):
    diagnostics = [
        {"severity": "error", "summary": "Unsupported argument", "detail": "no such thing",
         "address": "azurerm_key_vault.key_vault"},
        {"severity": "warning", "summary": "Deprecated"},
        {"severity": "error", "detail": "only a detail"},
        {"severity": "something-else"},
        {"severity": "error", "summary": "Xen X", "detail": "X"},  # only ": " is trimmed
    ]
    findings, _, _ = run(monkeypatch, json.dumps({"valid": False, "diagnostics": diagnostics}))
    assert [(f.rule, f.level, f.stack, f.resource, f.message, f.source) for f in findings] == [
        ("TS-TF-001", "error", "churn", "azurerm_key_vault.key_vault",
         "Unsupported argument: no such thing", "terraform"),
        ("TS-TF-001", "warning", "churn", "", "Deprecated", "terraform"),
        ("TS-TF-001", "error", "churn", "", "only a detail", "terraform"),
        ("TS-TF-001", "warning", "churn", "", "", "terraform"),
        ("TS-TF-001", "error", "churn", "", "Xen X: X", "terraform"),
    ]


def test_output_without_diagnostics_is_no_finding(monkeypatch):
    assert run(monkeypatch, json.dumps({"valid": True}))[0] == []


@pytest.mark.parametrize("stderr,message", [("  Error: the plugin crashed  \n",
                                             "Error: the plugin crashed"),
                                            ("", "validate failed")])
def test_output_that_is_not_json_is_one_error_of_the_stack(monkeypatch, stderr, message):
    [finding] = run(monkeypatch, "panic: runtime error", stderr)[0]
    assert (finding.rule, finding.level, finding.stack, finding.resource, finding.message,
            finding.source) == ("TS-TF-001", "error", "churn", "", message, "terraform")
