"""`--checkov` without checkov's own run: its JSON output parsed (a stored stack and inline
output) and the one subprocess it starts, replaced by a recorder. The real checkov run is in
test_validate.py (CI installs the extra)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from trainstack.errors import TrainstackError
from trainstack.validate import checkov
from trainstack.validate.checkov import parse_results, run_checkov
from trainstack.validate.model import Stack

GOLDEN = ROOT / "tests" / "golden" / "stacks"


def stored(name: str = "churn") -> Stack:
    path = GOLDEN / name / "cdk.tf.json"
    return Stack.from_document(name, str(path), json.loads(path.read_text()))


def failed(check_id: str, resource: str, stack: str = "churn", name: str | None = "a check",
           ) -> dict:
    check = {"check_id": check_id, "resource": resource,
             "file_path": f"/tmp/trainstack-checkov-x/{stack}/cdk.tf.json"}
    if name is not None:
        check["check_name"] = name
    return check


def output(*checks: dict, parsing_errors: int = 0) -> dict:
    return {"check_type": "terraform_json", "summary": {"parsing_errors": parsing_errors},
            "results": {"failed_checks": list(checks), "passed_checks": [{"check_id": "X"}]}}


def test_failed_checks_become_errors_of_this_stack_sorted_by_resource_then_rule():
    stack = stored()
    text = json.dumps(output(
        failed("CKV_AZURE_2", "resource.storage", name="second"),
        failed("CKV_AZURE_110", "resource.key_vault", name="purge protection"),
        failed("CKV_AZURE_1", "resource.storage", name="first"),
    ))
    got = [(f.rule, f.level, f.stack, f.resource, f.message, f.source, f.suppressed)
           for f in parse_results(stack, text)]
    assert got == [
        ("CKV_AZURE_110", "error", "churn", "azurerm_key_vault.key_vault", "purge protection",
         "checkov", False),
        ("CKV_AZURE_1", "error", "churn", "azurerm_storage_account.storage", "first",
         "checkov", False),
        ("CKV_AZURE_2", "error", "churn", "azurerm_storage_account.storage", "second",
         "checkov", False),
    ]


def test_addresses_map_back_exact_unique_or_left_as_checkov_gave_them():
    doc = {"resource": {
        "azurerm_storage_account": {"lake": {"name": "a"}, "storage": {"name": "b"}},
        "azurerm_key_vault": {"storage": {"name": "c"}},  # "storage" is ambiguous
    }}
    stack = Stack.from_document("s", "s/cdk.tf.json", doc)
    text = json.dumps(output(
        failed("A", "azurerm_key_vault.storage", "s"),      # graph check: the address itself
        failed("B", "resource.lake", "s"),                  # python check: one resource named so
        failed("C", "resource.storage", "s"),               # two named so: left as given
        failed("D", "module.x.resource.ghost", "s"),        # none named so: left as given
    ))
    assert {f.rule: f.resource for f in parse_results(stack, text)} == {
        "A": "azurerm_key_vault.storage", "B": "azurerm_storage_account.lake",
        "C": "resource.storage", "D": "module.x.resource.ghost"}


def test_data_sources_and_longer_names_map_back_by_their_last_part():
    doc = {"resource": {"azurerm_storage_account": {"lake": {"name": "a"}}},
           "data": {"azurerm_client_config": {"me": {}}}}
    stack = Stack.from_document("s", "s/cdk.tf.json", doc)
    text = json.dumps(output(failed("A", "resource.me", "s"),
                             failed("B", "module.lake.resource.other", "s"),
                             {"check_id": "C", "file_path": "/t/s/cdk.tf.json"}))
    assert {f.rule: f.resource for f in parse_results(stack, text)} == {
        "A": "data.azurerm_client_config.me", "B": "module.lake.resource.other", "C": ""}


def test_only_this_stacks_file_counts():
    text = json.dumps(output(failed("A", "resource.storage", stack="other"),
                             {"check_id": "B", "resource": "resource.storage"},  # no file_path
                             failed("C", "resource.storage")))
    assert [f.rule for f in parse_results(stored(), text)] == ["C"]


def test_a_check_without_a_name_is_shown_by_its_id():
    [finding] = parse_results(stored(), json.dumps(output(failed("CKV_X", "resource.storage",
                                                                  name=None))))
    assert finding.message == "CKV_X"


def test_one_report_per_framework_in_a_list_is_read_whole():
    text = json.dumps([output(failed("A", "resource.storage")),
                       output(failed("B", "resource.key_vault"))])
    assert [f.rule for f in parse_results(stored(), text)] == ["B", "A"]


@pytest.mark.parametrize("text", ["", "  \n", json.dumps({}), json.dumps([]),
                                  json.dumps({"summary": {}, "results": {}})])
def test_no_output_or_no_failed_checks_is_no_finding(text):
    assert parse_results(stored(), text) == []


def test_output_that_is_not_json_is_an_error_naming_the_stack():
    with pytest.raises(TrainstackError) as caught:
        parse_results(stored(), "Traceback (most recent call last):")
    assert str(caught.value).startswith("checkov gave no JSON for ")
    assert str(caught.value).endswith("churn/cdk.tf.json: Expecting value: line 1 column 1 "
                                      "(char 0)")


def test_parsing_errors_anywhere_are_an_error_not_a_clean_pass():
    """A file checkov could not parse was not checked: never report it as passing."""
    text = json.dumps([output(), output(parsing_errors=2), output(parsing_errors=1)])
    with pytest.raises(TrainstackError) as caught:
        parse_results(stored(), text)
    assert str(caught.value) == (f"checkov could not parse {GOLDEN / 'churn' / 'cdk.tf.json'}"
                                 " (3 parsing error(s))")


# -- the run ---------------------------------------------------------------------------------

class Recorder:
    """Stands in for subprocess.run: keeps what checkov would have been given."""

    def __init__(self, returncode: int, stdout: str = "", stderr: str = ""):
        self.result = (returncode, stdout, stderr)
        self.calls: list[dict] = []

    def __call__(self, cmd, **kwargs):
        tmp = Path(kwargs["cwd"])
        files = {p.relative_to(tmp).as_posix(): json.loads(p.read_text())
                 for p in tmp.rglob("*") if p.is_file()}
        self.calls.append({"cmd": cmd, "kwargs": kwargs, "files": files, "tmp": tmp})
        code, out, err = self.result
        return subprocess.CompletedProcess(cmd, code, out, err)


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(checkov, "available", lambda: True)


def test_checkov_gets_each_stack_without_its_terraform_block_offline_and_in_an_empty_dir(
        monkeypatch, installed):
    churn, vision = stored("churn"), stored("vision-defects")
    recorder = Recorder(0, json.dumps(output()))
    monkeypatch.setattr(subprocess, "run", recorder)
    assert run_checkov([churn, vision]) == []
    [call] = recorder.calls
    tmp = str(call["tmp"])
    assert call["tmp"].name.startswith("trainstack-checkov-")
    assert call["cmd"] == [sys.executable, "-m", "checkov.main", "-d", tmp,
                           "--framework", "terraform_json", "--skip-download", "-o", "json",
                           "--compact", "--quiet"]
    assert call["kwargs"] == {"capture_output": True, "text": True, "cwd": tmp,
                              "timeout": 1200}
    assert sorted(call["files"]) == ["churn/cdk.tf.json", "vision-defects/cdk.tf.json"]
    for stack in (churn, vision):
        copy = call["files"][f"{stack.name}/cdk.tf.json"]
        assert copy == {k: v for k, v in stack.document.items() if k != "terraform"}
        assert "terraform" in stack.document  # the stack itself is untouched
    assert not call["tmp"].exists()  # the copies are removed


def test_findings_of_every_stack_with_the_profiles_suppressions_applied(monkeypatch, installed):
    churn, vision = stored("churn"), stored("vision-defects")
    text = json.dumps(output(
        failed("CKV2_AZURE_33", "azurerm_storage_account.storage"),  # accepted by churn
        failed("CKV_AZURE_110", "resource.key_vault"),
        failed("CKV_AZURE_110", "resource.key_vault", stack="vision-defects"),
    ))
    monkeypatch.setattr(subprocess, "run", Recorder(1, text))  # 1: some checks failed
    got = [(f.stack, f.rule, f.suppressed, bool(f.reason)) for f in run_checkov([churn, vision])]
    assert got == [("churn", "CKV_AZURE_110", False, False),
                   ("churn", "CKV2_AZURE_33", True, True),
                   ("vision-defects", "CKV_AZURE_110", False, False)]


@pytest.mark.parametrize("code", [2, -9, 127])
def test_checkov_failing_is_an_error_with_the_end_of_its_stderr(monkeypatch, installed, code):
    monkeypatch.setattr(subprocess, "run", Recorder(code, "", "x" * 600 + "the reason\n"))
    with pytest.raises(TrainstackError) as caught:
        run_checkov([stored()])
    message = str(caught.value)
    assert message.startswith(f"checkov failed (exit {code}): ")
    assert message.endswith("the reason") and len(message) == len(
        f"checkov failed (exit {code}): ") + 500


def test_without_checkov_installed_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(checkov, "available", lambda: False)
    monkeypatch.setattr(subprocess, "run", Recorder(0))
    with pytest.raises(TrainstackError, match=r"^--checkov needs checkov: "
                                              r"pip install 'trainstack\[checkov\]'$"):
        run_checkov([stored()])


def test_available_is_whether_the_checkov_module_can_be_found(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if name == "checkov"
                        else None)
    assert checkov.available() is True
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert checkov.available() is False
