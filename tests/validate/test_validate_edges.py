"""Validation at its edges, one behaviour each (inline JSON, no Node): nested blocks in
either shape, what an override file may not add, reading limits, the report's pass line,
literal secrets, and what `validate_directory` runs only when asked."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from trainstack.catalog import load_facts
from trainstack.errors import TrainstackError
from trainstack.limits import NUMBER_MAX_CHARS
from trainstack.validate import run as run_module
from trainstack.validate.engine import pack_named, validate
from trainstack.validate.model import Finding, Report, Resource, Stack
from trainstack.validate.reader import StackError, parse_json
from trainstack.validate.report import _line_of, to_table
from trainstack.validate.rules.evaluation import _short
from trainstack.validate.rules.security import _is_literal_secret

GOLDEN = ROOT / "tests" / "golden" / "stacks"


@pytest.mark.parametrize("body,block", [
    ({"identity": {"type": "SystemAssigned"}}, {"type": "SystemAssigned"}),
    ({"identity": [{"type": "A"}, {"type": "B"}]}, {"type": "A"}),
    ({"identity": []}, {}),
    ({"identity": ["SystemAssigned"]}, {}),
    ({"identity": "SystemAssigned"}, {}),
    ({}, {}),
])
def test_a_nested_block_is_read_as_an_object_or_the_first_of_a_list(body, block):
    assert Resource("azurerm_x", "n", body).block("identity") == block


# -- files of a stack folder ------------------------------------------------------------------

def base() -> dict:
    return {"resource": {"azurerm_key_vault": {"kv": {"name": "kv"}}},
            "data": {"azurerm_client_config": {"me": {}}}, "output": {"a": {"value": "1"}}}


def test_an_override_file_changes_resources_but_does_not_add_them_to_the_document():
    override = {"resource": {"azurerm_key_vault": {"kv": {"sku_name": "premium"}}},
                "data": {"azurerm_client_config": {"me": {"provider": "azurerm.x"}}}}
    stack = Stack.from_files("s", "s/cdk.tf.json", base(), [("override.tf.json", override)], [])
    assert stack.document["resource"] == base()["resource"]
    assert stack.document["data"] == base()["data"]
    assert stack.resources["azurerm_key_vault.kv"].body == {"name": "kv", "sku_name": "premium"}


def test_outputs_of_three_files_are_all_kept():
    extras = [("a.tf.json", {"output": {"b": {"value": "2"}}}),
              ("b.tf.json", {"output": [{"c": {"value": "3"}}, {"d": {"value": "4"}}]})]
    stack = Stack.from_files("s", "s/cdk.tf.json", base(), extras, [])
    assert stack.document["output"] == [{"a": {"value": "1"}}, {"b": {"value": "2"}},
                                        {"c": {"value": "3"}}, {"d": {"value": "4"}}]


def test_a_malformed_override_names_the_override_file():
    with pytest.raises(StackError, match=r"^s/x_override\.tf\.json: resource"):
        Stack.from_files("s", "s/cdk.tf.json", base(),
                         [("x_override.tf.json", {"resource": "not blocks"})], [])


def test_dotfiles_in_a_stack_folder_are_not_read(tmp_path):
    """terraform skips files whose names start with a dot; so does validation."""
    from trainstack.validate.engine import read_stack_folder

    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "cdk.tf.json").write_text(json.dumps(base()))
    (folder / ".hidden.tf.json").write_text(json.dumps({"resource": {"azurerm_x": {"y": {}}}}))
    stack = read_stack_folder(folder, folder / "cdk.tf.json")
    assert stack.files == () and "azurerm_x.y" not in stack.resources


# -- reading limits -------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [("5", 5), ('"x"', "x"), ("null", None), ("[]", [])])
def test_a_document_that_is_not_an_object_still_parses(text, value):
    assert parse_json(text, "f") == value


def test_numbers_up_to_the_limit_are_read_and_longer_ones_refused():
    at_limit = "1" * NUMBER_MAX_CHARS
    assert parse_json(f'{{"n": {at_limit}}}', "f") == {"n": int(at_limit)}
    assert parse_json(f'{{"n": 1.{"5" * (NUMBER_MAX_CHARS - 2)}}}', "f")["n"] > 1
    with pytest.raises(StackError) as caught:
        parse_json(f'{{"n": 1.{"5" * (NUMBER_MAX_CHARS - 1)}}}', "f")
    assert str(caught.value) == (f"f: a number of {NUMBER_MAX_CHARS + 1} characters is too "
                                 f"large (at most {NUMBER_MAX_CHARS})")
    with pytest.raises(StackError) as caught:
        parse_json(f'{{"n": 1{at_limit}}}', "f")
    assert str(caught.value) == (f"f: a number of {NUMBER_MAX_CHARS + 1} digits is too large "
                                 f"(at most {NUMBER_MAX_CHARS})")


def test_an_unknown_pack_lists_the_packs():
    with pytest.raises(TrainstackError) as caught:
        pack_named("lenient")
    assert str(caught.value) == "--pack: one of baseline, strict (got 'lenient')"


# -- reports ----------------------------------------------------------------------------------

def test_the_table_says_passed_when_no_error_is_left():
    stack = Stack.from_document("s", "s/cdk.tf.json", base())
    report = Report(pack="baseline", stacks=[stack], findings=[
        Finding("TS-B", "warning", "s", "azurerm_key_vault.kv", "only a warning"),
        Finding("TS-A", "error", "s", "", "accepted", suppressed=True, reason="a reason")],
        rules={}, checks_run=3)
    assert to_table(report).splitlines()[-1] == (
        "1 stack(s), 2 resource(s), 3 check(s): 0 error(s), 1 warning(s), 1 suppressed - "
        "PASSED")


def test_the_line_of_a_data_source_is_under_its_own_type(tmp_path):
    document = {"data": {"azurerm_a": {"current": {}}, "azurerm_client_config": {"current": {}}}}
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(document, indent=2))
    lines = path.read_text().splitlines()
    assert _line_of(str(path), "data.azurerm_client_config.current", {}) == 1 + next(
        i for i, line in enumerate(lines) if "azurerm_client_config" in line) + 1


def test_long_text_in_a_finding_is_cut_at_80_characters():
    assert _short("x" * 80) == "x" * 80
    assert _short("x" * 81) == "x" * 80 + "..."


# -- literal secrets -----------------------------------------------------------------------------

@pytest.mark.parametrize("value,secret", [
    (True, False), (False, False), (None, False), ("", False),
    ("${azurerm_key_vault.kv.id}", False), ("hunter2", True), (0, True), (1.5, True),
])
def test_what_counts_as_a_literal_secret(value, secret):
    assert _is_literal_secret(value) is secret


# -- what runs only when asked ------------------------------------------------------------------

@pytest.fixture
def stacks_dir(tmp_path):
    for name in ("churn", "vision-defects"):
        (tmp_path / "stacks" / name).mkdir(parents=True)
        (tmp_path / "stacks" / name / "cdk.tf.json").write_bytes(
            (GOLDEN / name / "cdk.tf.json").read_bytes())
    return tmp_path


def test_checkov_and_terraform_run_only_when_asked(stacks_dir, monkeypatch):
    from trainstack.validate import checkov, terraform

    def never(*args, **kwargs):
        raise AssertionError("ran without being asked")
    monkeypatch.setattr(checkov, "run_checkov", never)
    monkeypatch.setattr(terraform, "run_terraform", never)
    report = run_module.validate_directory(stacks_dir, "baseline", load_facts())
    assert report.notes == [] and {s.name for s in report.stacks} == {"churn",
                                                                       "vision-defects"}


def test_checkov_and_terraform_findings_join_the_rules_findings(stacks_dir, monkeypatch):
    from trainstack.validate import checkov, terraform

    seen = {}

    def fake_checkov(stacks):
        seen["checkov"] = [s.name for s in stacks]
        return [Finding("CKV_X", "error", "churn", "", "from checkov", source="checkov")]

    def fake_terraform(stack, notes):
        seen.setdefault("terraform", []).append(stack.name)
        return [Finding("TS-TF-001", "error", stack.name, "", "from terraform",
                        source="terraform")]
    monkeypatch.setattr(checkov, "run_checkov", fake_checkov)
    monkeypatch.setattr(terraform, "run_terraform", fake_terraform)
    facts = load_facts()
    alone = validate([Stack.from_document(n, n, json.loads(
        (GOLDEN / n / "cdk.tf.json").read_text())) for n in ("churn", "vision-defects")],
        "baseline", facts).findings
    # a hand-written checkov suppression beside the presets' ones
    path = stacks_dir / "stacks" / "churn" / "cdk.tf.json"
    doc = json.loads(path.read_text())
    doc["//"]["trainstack"]["suppressions"].append({
        "rule": "CKV_AZURE_1", "resource": "azurerm_storage_account.storage",
        "reason": "written by hand; this checkov does not report it"})
    path.write_text(json.dumps(doc))
    report = run_module.validate_directory(stacks_dir, "baseline", facts, checkov=True,
                                           terraform=True)
    assert seen == {"checkov": ["churn", "vision-defects"],
                    "terraform": ["churn", "vision-defects"]}
    # this checkov reported none of the ids suppressed: the hand-written suppression now
    # matches nothing (TS-META-005); the presets' are not judged (acceptances.py)
    stale = [f for f in report.findings if f.rule == "TS-META-005"]
    assert [f.stack for f in stale] == ["churn"]
    assert "matches no finding" in stale[0].message
    assert "CKV_AZURE_1 on azurerm_storage_account.storage" in stale[0].message
    assert len(report.findings) == len(alone) + 3 + 1
    assert [(f.stack, f.rule) for f in report.findings if f.source != "trainstack"] == [
        ("churn", "CKV_X"), ("churn", "TS-TF-001"), ("vision-defects", "TS-TF-001")]
    assert report.findings == sorted(report.findings,
                                     key=lambda f: (f.stack, f.resource, f.rule, f.message))
