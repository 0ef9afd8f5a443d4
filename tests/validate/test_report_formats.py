"""The four report formats of one hand-made report that has every kind of finding the
built-in rules' table does not make: checkov's and terraform's rules (no trainstack rule
behind them), a data source, the stack as a whole, two errors in one check, a warning and a
note without an error, a suppressed finding, a missing file, and notes. Stored outputs in
tests/golden/reports/handmade.*; TRAINSTACK_UPDATE_GOLDEN=1 rewrites them on purpose."""

from __future__ import annotations

import json
import os

import pytest
from conftest import ROOT

from trainstack.validate.model import Finding, Report, Rule, Stack
from trainstack.validate.report import FORMATS, _line_of

GOLDEN = ROOT / "tests" / "golden" / "reports"
DOCUMENT = {
    "data": {"azurerm_client_config": {"current": {}}},
    "resource": {
        "azurerm_key_vault": {"vault": {"name": "kv"}},
        "azurerm_storage_account": {"lake": {"name": "lake"}, "vault": {"name": "sa"}},
    },
}


def report(tmp_path) -> Report:
    folder = tmp_path / "stacks" / "s"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(DOCUMENT, indent=2))
    s = Stack.from_document("s", "stacks/s/cdk.tf.json", DOCUMENT)
    gone = Stack.from_document("gone", "stacks/gone/cdk.tf.json", {})  # its file is missing
    rules = {"TS-A": Rule("TS-A", "an error rule", "because", "error"),
             "TS-B": Rule("TS-B", "a warning rule", "", "warning", help_uri="https://x/b"),
             "TS-C": Rule("TS-C", "a note rule", "noted", "note")}
    f = Finding
    findings = [
        f("TS-A", "error", "s", "azurerm_storage_account.vault", "first problem"),
        f("TS-A", "error", "s", "azurerm_storage_account.vault", "second problem"),
        f("TS-A", "error", "s", "data.azurerm_client_config.current", "on a data source",
          suppressed=True, reason="accepted here"),
        f("TS-B", "warning", "s", "azurerm_key_vault.vault", "a warning only"),
        f("TS-C", "note", "s", "", "about the whole stack"),
        f("CKV_AZURE_1", "error", "s", "azurerm_storage_account.lake", "checkov's check",
          source="checkov"),
        f("TF-VALIDATE", "error", "gone", "", "terraform's diagnostic", source="terraform"),
        # two warnings in one check; a second skipped check; a suppression without a reason
        f("TS-B", "warning", "s", "azurerm_storage_account.lake", "warned once"),
        f("TS-B", "warning", "s", "azurerm_storage_account.lake", "warned twice"),
        f("TS-C", "note", "s", "azurerm_key_vault.vault", "noted", suppressed=True),
        # a stack the report does not list (its path is the conventional one)
        f("TS-A", "error", "orphan", "", "of a stack not listed"),
    ]
    evaluations = [("s", "TS-A", "azurerm_storage_account.lake"),
                   ("s", "TS-A", "azurerm_storage_account.vault"),
                   ("s", "TS-B", "azurerm_key_vault.vault"), ("gone", "TS-A", "")]
    return Report(pack="baseline", stacks=[s, gone], findings=findings, rules=rules,
                  checks_run=9, evaluations=evaluations,
                  notes=["--terraform: a note for the end"])


@pytest.mark.parametrize("fmt,suffix", [("json", "json"), ("sarif", "sarif"),
                                        ("junit", "xml"), ("table", "txt")])
def test_each_format_of_the_handmade_report(tmp_path, monkeypatch, fmt, suffix):
    monkeypatch.chdir(tmp_path)
    text = FORMATS[fmt](report(tmp_path))
    stored = GOLDEN / f"handmade.{suffix}"
    if os.environ.get("TRAINSTACK_UPDATE_GOLDEN") == "1":
        stored.write_text(text)
    assert text == stored.read_text()


def test_rules_without_a_trainstack_rule_are_described_by_their_first_finding(tmp_path,
                                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    sarif = json.loads(FORMATS["sarif"](report(tmp_path)))
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == ["CKV_AZURE_1", "TF-VALIDATE", "TS-A", "TS-B", "TS-C"]
    assert rules["CKV_AZURE_1"]["shortDescription"] == {"text": "checkov's check"}
    assert rules["CKV_AZURE_1"]["fullDescription"] == {"text": "reported by checkov"}
    assert rules["TF-VALIDATE"]["defaultConfiguration"] == {"level": "error"}
    assert rules["TS-B"]["fullDescription"] == {"text": "a warning rule"}  # no why: the what
    assert rules["TS-B"]["helpUri"] == "https://x/b" and "helpUri" not in rules["TS-A"]


@pytest.mark.parametrize("address,line", [
    ("azurerm_storage_account.vault", 17),   # the storage account, not the key vault "vault"
    ("azurerm_key_vault.vault", 9),
    ("azurerm_storage_account.lake", 14),
    ("data.azurerm_client_config.current", 4),
    ("azurerm_storage_account.missing", 1),
    ("", 1),
])
def test_line_of_a_resource_in_its_file(tmp_path, address, line):
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(DOCUMENT, indent=2))
    assert _line_of(str(path), address, {}) == line
    assert _line_of(str(tmp_path / "absent.json"), address, {}) == 1


def test_line_of_reads_each_file_once(tmp_path):
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(DOCUMENT, indent=2))
    cache: dict[str, list[str]] = {}
    assert _line_of(str(path), "azurerm_key_vault.vault", cache) == 9
    path.write_text("{}")  # changed after the first read: the cached lines still answer
    assert _line_of(str(path), "azurerm_storage_account.lake", cache) == 14
    assert list(cache) == [str(path)]
