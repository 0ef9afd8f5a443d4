"""trainstack validate: each rule has a compliant and a non-compliant fixture.

The compliant fixtures are the bundled examples' stored stacks (tests/golden/stacks,
no Node needed); each non-compliant fixture is one of them with one defect injected.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PROFILES, ROOT

from trainstack.catalog import load_facts
from trainstack.cli.entry import main
from trainstack.validate import RULES, load_stacks, validate
from trainstack.validate.model import Stack
from trainstack.validate.report import to_json, to_junit, to_sarif

FACTS = load_facts()


GOLDEN = ROOT / "tests" / "golden" / "stacks"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """A synth output folder holding the stored stacks of the bundled profiles."""
    out = tmp_path_factory.mktemp("validate") / "cdktf.out"
    shutil.copytree(GOLDEN, out / "stacks", ignore=shutil.ignore_patterns("manifest.json"))
    return out


@pytest.fixture(scope="module")
def documents(out) -> dict[str, dict]:
    return {s.name: s.document for s in load_stacks(out)}


def res(doc: dict, terraform_type: str, name: str | None = None) -> dict:
    items = doc["resource"][terraform_type]
    return items[name] if name else next(iter(items.values()))


def _set(path: str, value) -> Callable[[dict], None]:
    """A mutation: set resource.<type>.<first or named>.<arg> (dots for nesting)."""
    rtype, *rest = path.split(".")

    def mutate(doc: dict) -> None:
        node = res(doc, rtype)
        for key in rest[:-1]:
            node = node[key]
        node[rest[-1]] = value
    return mutate


def _delete(rtype: str, key: str) -> Callable[[dict], None]:
    return lambda doc: res(doc, rtype).pop(key)


def _meta(key: str, value) -> Callable[[dict], None]:
    return lambda doc: doc["//"]["trainstack"].__setitem__(key, value)


def _drop_all(rtype: str) -> Callable[[dict], None]:
    return lambda doc: doc["resource"].pop(rtype)


def _add(rtype: str, name: str, body: dict) -> Callable[[dict], None]:
    return lambda doc: doc["resource"].setdefault(rtype, {}).__setitem__(name, body)


# rule -> (stack to start from, defect, resource the finding must name)
def _inject_databricks(doc: dict) -> None:
    """clickstream's workspace injected into two subnets that have no way out."""
    for role in ("host", "container"):
        doc["resource"].setdefault("azurerm_subnet", {})[role] = {
            "name": f"snet-{role}", "resource_group_name": "rg", "virtual_network_name": "v",
            "address_prefixes": ["10.0.0.0/24"]}
    res(doc, "azurerm_databricks_workspace")["custom_parameters"] = {
        "virtual_network_id": "${azurerm_virtual_network.v.id}",
        "public_subnet_name": "${azurerm_subnet.host.name}",
        "private_subnet_name": "${azurerm_subnet.container.name}"}


DEFECTS: dict[str, tuple[str, Callable[[dict], None], str]] = {
    "TS-SCHEMA-001": ("churn", _set("azurerm_key_vault.enable_rbac_authorization", True),
                      "azurerm_key_vault.key_vault"),
    "TS-SCHEMA-002": ("churn", _delete("azurerm_machine_learning_compute_cluster", "vm_size"),
                      "azurerm_machine_learning_compute_cluster.training"),
    "TS-SCHEMA-003": ("churn", _set("azurerm_storage_account.min_tls_version", 12),
                      "azurerm_storage_account.storage"),
    "TS-SCHEMA-004": ("churn", _set("azurerm_machine_learning_workspace.identity",
                                    [{"type": "SystemAssigned"}, {"type": "SystemAssigned"}]),
                      "azurerm_machine_learning_workspace.workspace"),
    "TS-SCHEMA-005": ("churn", _add("azurerm_ml_thing", "x", {"name": "x"}), "azurerm_ml_thing.x"),
    "TS-NAME-001": ("churn", _set("azurerm_storage_account.name", "St_Churn"),
                    "azurerm_storage_account.storage"),
    "TS-NAME-002": ("churn", _set("azurerm_key_vault.name", "vault-churn-dev-1"),
                    "azurerm_key_vault.key_vault"),
    "TS-SKU-001": ("churn", _set("azurerm_machine_learning_compute_cluster.vm_priority", "Spot"),
                   "azurerm_machine_learning_compute_cluster.training"),
    "TS-SKU-002": ("vision-defects", lambda doc: res(
                       doc, "azurerm_machine_learning_compute_cluster", "training").__setitem__(
                       "vm_size", "Standard_NC6s_v3"),
                   "azurerm_machine_learning_compute_cluster.training"),
    "TS-SKU-003": ("fraud-private", _set("azurerm_machine_learning_compute_cluster.vm_size",
                                         "Standard_ND96amsr_A100_v4"),
                   "azurerm_machine_learning_compute_cluster.training"),
    "TS-SKU-004": ("claims-synapse", _set("azurerm_synapse_spark_pool.spark_version", "3.4"),
                   "azurerm_synapse_spark_pool.spark"),
    "TS-SKU-005": ("invoice-ocr", _set("azurerm_cognitive_account.sku_name", "S3"),
                   "azurerm_cognitive_account.formrecognizer"),
    "TS-SKU-006": ("clickstream", _set("azurerm_databricks_workspace.sku", "standard"),
                   "azurerm_databricks_workspace.databricks"),
    "TS-SEC-001": ("fraud-private",
                   _set("azurerm_machine_learning_workspace.public_network_access_enabled", True),
                   "azurerm_machine_learning_workspace.workspace"),
    "TS-SEC-002": ("churn", _set("azurerm_machine_learning_compute_instance.local_auth_enabled",
                                 True), "azurerm_machine_learning_compute_instance.development"),
    "TS-SEC-003": ("churn", _delete("azurerm_machine_learning_compute_cluster", "identity"),
                   "azurerm_machine_learning_compute_cluster.training"),
    "TS-SEC-004": ("churn", _set("azurerm_key_vault.purge_protection_enabled", False),
                   "azurerm_key_vault.key_vault"),
    "TS-SEC-005": ("churn", _set("azurerm_key_vault.rbac_authorization_enabled", False),
                   "azurerm_key_vault.key_vault"),
    "TS-SEC-006": ("churn", _set("azurerm_storage_account.min_tls_version", "TLS1_0"),
                   "azurerm_storage_account.storage"),
    "TS-SEC-007": ("churn", _set("azurerm_storage_account.allow_nested_items_to_be_public", True),
                   "azurerm_storage_account.storage"),
    "TS-SEC-008": ("churn", _drop_all("azurerm_monitor_diagnostic_setting"),
                   "azurerm_machine_learning_workspace.workspace"),
    "TS-SEC-009": ("invoice-ocr", _set("azurerm_cognitive_account.local_auth_enabled", True),
                   "azurerm_cognitive_account.formrecognizer"),
    "TS-SEC-010": ("churn", _set("azurerm_container_registry.admin_enabled", True),
                   "azurerm_container_registry.registry"),
    "TS-SEC-011": ("fraud-private", _set("azurerm_key_vault.public_network_access_enabled", True),
                   "azurerm_key_vault.key_vault"),
    "TS-SEC-012": ("churn", _drop_all("azapi_resource_action"),
                   "azurerm_machine_learning_compute_instance.development"),
    "TS-SEC-017": ("churn", _set("azapi_resource.body", {"properties": {"authMode": "Key"}}),
                   "azapi_resource.online_endpoint"),
    "TS-SEC-013": ("churn", _set("azurerm_machine_learning_compute_cluster.ssh",
                                 {"admin_username": "azureuser", "admin_password": "hunter2!"}),
                   "azurerm_machine_learning_compute_cluster.training"),
    "TS-COST-001": ("churn", _meta("monthly_budget_usd", 10), ""),
    "TS-COST-002": ("churn", _set("azurerm_machine_learning_compute_cluster.scale_settings."
                                  "min_node_count", 2),
                    "azurerm_machine_learning_compute_cluster.training"),
    "TS-COST-003": ("churn", _set("azurerm_consumption_budget_resource_group.amount", 20),
                    "azurerm_consumption_budget_resource_group.budget"),
    "TS-XRES-001": ("churn", _set("azurerm_machine_learning_workspace.key_vault_id",
                                  "${azurerm_key_vault.other.id}"),
                    "azurerm_machine_learning_workspace.workspace"),
    "TS-XRES-002": ("churn", _set("azurerm_machine_learning_compute_cluster.location",
                                  "northeurope"),
                    "azurerm_machine_learning_compute_cluster.training"),
    "TS-SEC-014": ("churn", _set("azurerm_machine_learning_workspace.description",
                                 '${file("/home/runner/.ssh/id_rsa")}'),
                   "azurerm_machine_learning_workspace.workspace"),
    "TS-SEC-015": ("churn", _add("terraform_data", "run",
                                 {"provisioner": [{"local-exec": {"command": "env"}}]}),
                   "terraform_data.run"),
    "TS-APPLY-001": ("churn", lambda doc: doc["provider"]["azurerm"][0].pop(
        "resource_providers_to_register"), "azurerm_application_insights.insights"),
    "TS-APPLY-002": ("churn", lambda doc: doc["provider"]["azurerm"][0].__setitem__(
        "features", [{}]), "azurerm_application_insights.insights"),
    "TS-APPLY-003": ("claims-synapse", _add(
        "azurerm_storage_data_lake_gen2_filesystem", "raw",
        {"name": "raw", "storage_account_id": "${azurerm_storage_account.datalake.id}"}),
        "azurerm_storage_data_lake_gen2_filesystem.raw"),
    "TS-APPLY-004": ("invoice-ocr", _set("azurerm_cognitive_account.network_acls.bypass",
                                         "AzureServices"),
                     "azurerm_cognitive_account.formrecognizer"),
    "TS-APPLY-005": ("clickstream", lambda doc: doc["data"]["databricks_current_user"]["me"].pop(
        "depends_on"), "data.databricks_current_user.me"),
    "TS-APPLY-006": ("churn", lambda doc: doc["resource"]["azurerm_role_assignment"].pop(
        "development_idle_shutdown_role"), "azurerm_machine_learning_compute_instance.development"),
    "TS-APPLY-007": ("churn", _add("azurerm_role_assignment", "pull", {
        "scope": "${azurerm_container_registry.registry.id}", "role_definition_name": "AcrPull",
        "principal_id": "${azurerm_machine_learning_compute_cluster.training.identity[0]"
                        ".principal_id}"}), "azurerm_role_assignment.pull"),
    "TS-APPLY-008": ("invoice-ocr", lambda doc: doc["resource"]["azurerm_private_endpoint"].pop(
        "formrecognizer_account"), "azurerm_cognitive_account.formrecognizer"),
    "TS-APPLY-009": ("fraud-private", lambda doc: doc["resource"][
        "azurerm_machine_learning_workspace"]["workspace"].pop("high_business_impact"),
        "azurerm_machine_learning_workspace.workspace"),
    "TS-APPLY-010": ("churn", _set("azurerm_key_vault.name", "kv-churn-dev-717405"),
                     "azurerm_key_vault.key_vault"),
    "TS-APPLY-011": ("churn", lambda doc: doc["terraform"].pop("backend"), ""),
    "TS-SEC-016": ("call-audio", _set("azurerm_synapse_firewall_rule.end_ip_address",
                                      "255.255.255.255"),
                   "azurerm_synapse_firewall_rule.synapse_azure_services"),
    "TS-APPLY-012": ("fraud-private", lambda doc: doc["resource"].pop(
        "azurerm_machine_learning_workspace_network_outbound_rule_fqdn"),
        "azurerm_machine_learning_workspace.workspace"),
    "TS-APPLY-013": ("fraud-private", lambda doc: doc["resource"][
        "azurerm_machine_learning_workspace_network_outbound_rule_fqdn"]["outbound_github"].pop(
        "depends_on"), "azurerm_machine_learning_workspace.workspace"),
    "TS-APPLY-014": ("clickstream", _inject_databricks, "azurerm_databricks_workspace.databricks"),
    "TS-META-004": ("churn", lambda doc: None, ""),  # a stack folder with a *.tf file: below
    "TS-META-001": ("churn", lambda doc: doc["//"].pop("trainstack"), ""),
    "TS-META-002": ("fraud-private", _meta("network", "internet"), ""),
    "TS-META-003": ("churn", _meta("suppressions", [{"rule": "TS-SEC-001", "reason": "ok"}]),
                    ""),
    "TS-META-005": ("churn", _meta("suppressions", [
        {"rule": "TS-SEC-999", "reason": "a rule that was never written"}]), ""),
}


def run(doc: dict, name: str, pack: str = "baseline", unread: tuple[str, ...] = ()):
    stack = Stack.from_document(name, f"{name}/cdk.tf.json", doc)
    stack.unread = unread
    return validate([stack], pack, FACTS)


def test_bundled_profiles_validate_clean(out):
    for pack in ("baseline", "strict"):
        report = validate(load_stacks(out), pack, FACTS)
        live = [f.as_dict() for f in report.findings if not f.suppressed]
        assert live == [], pack
        assert not report.failed and report.summary()["checks"] > 500


def test_every_rule_has_a_defect_fixture():
    assert set(DEFECTS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(DEFECTS))
def test_rule_flags_its_defect_and_passes_the_original(documents, rule):
    stack, mutate, resource = DEFECTS[rule]
    clean = run(copy.deepcopy(documents[stack]), stack)
    assert not any(f.rule == rule and not f.suppressed for f in clean.findings)
    doc = copy.deepcopy(documents[stack])
    doc["//"]["trainstack"]["suppressions"] = []  # the defect must show, not be accepted
    mutate(doc)
    report = run(doc, stack, "strict", ("main.tf",) if rule == "TS-META-004" else ())
    hits = [f for f in report.findings if f.rule == rule]
    assert hits, [f.as_dict() for f in report.findings]
    assert hits[0].resource == resource and hits[0].level == "error" and report.failed
    assert RULES[rule].what and RULES[rule].why


def test_suppression_by_rule_and_resource_keeps_an_audit_trail(documents):
    doc = copy.deepcopy(documents["churn"])
    doc["resource"]["azurerm_key_vault"]["key_vault"]["purge_protection_enabled"] = False
    doc["//"]["trainstack"]["suppressions"] = [
        {"rule": "TS-SEC-004", "resource": "azurerm_key_vault.key_vault",
         "reason": "sandbox vault, deleted weekly"}]
    report = run(doc, "churn")
    (f,) = [f for f in report.findings if f.rule == "TS-SEC-004"]
    assert f.suppressed and f.reason == "sandbox vault, deleted weekly" and not report.failed
    # a suppression for another resource does not apply
    doc["//"]["trainstack"]["suppressions"][0]["resource"] = "azurerm_key_vault.other"
    assert run(doc, "churn").failed


def test_a_crashing_rule_becomes_a_finding(documents, monkeypatch):
    from trainstack.validate import rules as rules_module
    from trainstack.validate.model import Rule

    from trainstack.validate.packs import BASELINE, Pack

    def boom(r, ctx):
        raise KeyError("oops")

    monkeypatch.setitem(rules_module.RULES, "TS-SEC-099", Rule(
        "TS-SEC-099", "crashes", "test", "error", ("azurerm_key_vault",), resource_check=boom))
    pack = Pack("test", {**BASELINE.levels, "TS-SEC-099": "error"})  # + a rule that crashes
    report = run(copy.deepcopy(documents["churn"]), "churn", pack)
    (f,) = [f for f in report.findings if f.rule == "TS-ENGINE-001"]
    assert "TS-SEC-099 crashed: KeyError" in f.message and f.level == "error" and report.failed


def test_strict_pack_raises_warnings_to_errors(documents):
    doc = copy.deepcopy(documents["churn"])
    doc["//"]["trainstack"]["suppressions"] = []
    base, strict = run(doc, "churn"), run(doc, "churn", "strict")
    assert {f.level for f in base.findings if f.rule == "TS-SEC-001"} == {"warning"}
    assert not base.failed
    assert {f.level for f in strict.findings if f.rule == "TS-SEC-001"} == {"error"}
    assert strict.failed


def test_validation_reads_only_the_synthesized_json(out, tmp_path):
    """Copied anywhere, without profiles, it gives the same report."""
    copy_dir = tmp_path / "elsewhere"
    shutil.copytree(out, copy_dir)
    first = json.loads(to_json(validate(load_stacks(out), "baseline", FACTS)))
    second = json.loads(to_json(validate(load_stacks(copy_dir), "baseline", FACTS)))
    assert first == second


# -- CLI and exit codes -------------------------------------------------------------------

def cli(capsys, *args: str):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_exit_codes(capsys, out, tmp_path, documents):
    assert cli(capsys, "validate", str(out))[0] == 0
    bad = tmp_path / "bad"
    (bad / "stacks" / "churn").mkdir(parents=True)
    doc = copy.deepcopy(documents["churn"])
    doc["resource"]["azurerm_key_vault"]["key_vault"]["rbac_authorization_enabled"] = False
    (bad / "stacks" / "churn" / "cdk.tf.json").write_text(json.dumps(doc))
    code, stdout, _ = cli(capsys, "validate", str(bad), "--format", "json")
    assert code == 1
    report = json.loads(stdout)
    assert {"rule": "TS-SEC-005", "level": "error", "stack": "churn",
            "resource": "azurerm_key_vault.key_vault",
            "message": "rbac_authorization_enabled is not true", "suppressed": False} \
        in report["findings"]
    assert report["summary"]["passed"] is False
    code, _, err = cli(capsys, "validate", str(tmp_path / "missing"))
    assert code == 2 and "no such directory" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    assert cli(capsys, "validate", str(tmp_path / "empty"))[0] == 2
    (bad / "stacks" / "churn" / "cdk.tf.json").write_text("{not json")
    code, _, err = cli(capsys, "validate", str(bad))
    assert code == 2 and "cdk.tf.json:1: not JSON" in err


def test_cli_writes_reports_to_files(capsys, out, tmp_path):
    for fmt in ("json", "sarif", "junit", "table"):
        target = tmp_path / f"report.{fmt}"
        code, stdout, err = cli(capsys, "validate", str(out), "-f", fmt, "--output", str(target))
        assert code == 0 and stdout == "" and "report:" in err
        assert target.read_text().strip()


SARIF_SCHEMA = ROOT / "node_modules" / "@microsoft" / "jest-sarif" / "lib" / "schemas" / \
    "sarif-2.1.0-rtm.5.json"


@pytest.mark.skipif(not SARIF_SCHEMA.exists() and not os.environ.get("CI"),
                    reason="the SARIF schema comes from npm (npm ci; CI installs it)")
def test_sarif_report_is_valid_sarif_2_1_0(out, documents):
    import jsonschema

    doc = copy.deepcopy(documents["churn"])
    doc["resource"]["azurerm_key_vault"]["key_vault"]["purge_protection_enabled"] = False
    report = validate(load_stacks(out) + [Stack.from_document("broken", "broken.json", doc)],
                      "baseline", FACTS)
    sarif = json.loads(to_sarif(report))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    run_ = sarif["runs"][0]
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert set(RULES) <= set(ids)
    results = run_["results"]
    assert any(r["ruleId"] == "TS-SEC-004" and r["level"] == "error" for r in results)
    suppressed = [r for r in results if r.get("suppressions")]
    assert suppressed and all(r["suppressions"][0]["justification"] for r in suppressed)
    located = next(r for r in results if r["ruleId"] == "TS-SEC-001" and
                   r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                   != "broken.json")
    assert located["locations"][0]["physicalLocation"]["region"]["startLine"] > 1


def test_junit_report_matches_the_junit_structure_and_reads_back(out, documents):
    import xmlschema
    from junitparser import JUnitXml

    doc = copy.deepcopy(documents["churn"])
    doc["resource"]["azurerm_key_vault"]["key_vault"]["purge_protection_enabled"] = False
    report = validate(load_stacks(out) + [Stack.from_document("broken", "broken.json", doc)],
                      "baseline", FACTS)
    text = to_junit(report)
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit.xsd"))
    schema.validate(text)
    assert not schema.is_valid(text.replace(' failures="', ' failed="', 1))  # the check bites
    xml = JUnitXml.fromstring(text)
    suites = {s.name: s for s in xml}
    assert set(suites) == {s.name for s in report.stacks}
    assert suites["broken"].failures >= 1 and suites["churn"].failures == 0
    assert suites["churn"].skipped >= 1  # the accepted TS-SEC-001
    assert sum(s.tests for s in xml) >= report.checks_run


# -- checkov ---------------------------------------------------------------------------------

def test_checkov_results_map_to_addresses_and_suppressions(documents):
    from trainstack.validate.checkov import parse_results

    stack = Stack.from_document("churn", "churn/cdk.tf.json", copy.deepcopy(documents["churn"]))
    text = json.dumps({"check_type": "terraform_json", "summary": {"parsing_errors": 0},
                       "results": {"failed_checks": [
                           {"check_id": "CKV_AZURE_110", "check_name": "purge protection",
                            "resource": "resource.key_vault",
                            "file_path": "/tmp/x/churn/cdk.tf.json"},
                           {"check_id": "CKV2_AZURE_33", "check_name": "private endpoint",
                            "resource": "azurerm_storage_account.storage",
                            "file_path": "/tmp/x/churn/cdk.tf.json"},
                           {"check_id": "CKV_AZURE_1", "check_name": "other stack",
                            "resource": "resource.key_vault",
                            "file_path": "/tmp/x/other/cdk.tf.json"},
                       ]}})
    findings = parse_results(stack, text)
    assert [(f.rule, f.resource, f.source) for f in findings] == [
        ("CKV_AZURE_110", "azurerm_key_vault.key_vault", "checkov"),
        ("CKV2_AZURE_33", "azurerm_storage_account.storage", "checkov"),
    ]


@pytest.mark.skipif(__import__("importlib").util.find_spec("checkov") is None
                    and not os.environ.get("CI"),
                    reason="checkov is an optional extra (CI installs it)")
def test_bundled_profiles_pass_checkov_with_reasons(capsys, out):
    code, stdout, err = cli(capsys, "validate", str(out), "--checkov", "-f", "json")
    report = json.loads(stdout)
    checkov = [f for f in report["findings"] if f.get("source") == "checkov"]
    assert code == 0, err
    assert checkov and all(f["suppressed"] for f in checkov)
    assert all(len(f["reason"]) >= 10 for f in checkov)
    # and a defect checkov knows is reported
    from trainstack.validate.checkov import run_checkov

    doc = json.loads((out / "stacks" / "churn" / "cdk.tf.json").read_text())
    doc["resource"]["azurerm_key_vault"]["key_vault"]["purge_protection_enabled"] = False
    stack = Stack.from_document("churn", "x", doc)
    assert any(f.rule == "CKV_AZURE_110" and not f.suppressed for f in run_checkov([stack]))


@pytest.mark.skipif(shutil.which("terraform") is None, reason="needs the terraform binary")
def test_terraform_option_without_providers_says_plainly_why_not(capsys, out, tmp_path,
                                                                 monkeypatch):
    """Offline (a provider mirror that holds nothing, so no registry is asked): every stack
    gets a note naming the init failure, validation goes on, and the exit code is the rules'."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    config = tmp_path / "terraformrc"
    config.write_text('provider_installation {\n  filesystem_mirror {\n'
                      f'    path = "{mirror}"\n    include = ["*/*/*"]\n  }}\n}}\n')
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    monkeypatch.setenv("CHECKPOINT_DISABLE", "1")
    code, stdout, err = cli(capsys, "validate", str(out), "--terraform", "-f", "json")
    report = json.loads(stdout)
    assert code == 0, err
    stacks = {p.stem for p in PROFILES}
    assert len(report["notes"]) == len(stacks)
    for note in report["notes"]:
        assert note.startswith("--terraform: ") and "could not be installed" in note
        assert "the TS-SCHEMA rules checked the stack" in note
    assert not [f for f in report["findings"] if f["rule"] == "TS-TF-001"]


def test_terraform_diagnostics_become_findings(monkeypatch, documents):
    import subprocess as sp

    from trainstack.validate import terraform as tf

    def fake_run(cmd, **kwargs):
        if "validate" in cmd:
            out = json.dumps({"valid": False, "diagnostics": [{
                "severity": "error", "summary": "Unsupported argument", "detail": "x",
                "address": "azurerm_key_vault.key_vault"}]})
            return sp.CompletedProcess(cmd, 1, out, "")
        return sp.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(tf.shutil, "which", lambda name: "/usr/bin/terraform")
    monkeypatch.setattr(tf.subprocess, "run", fake_run)
    stack = Stack.from_document("churn", str(ROOT / "cdktf.json"), documents["churn"])
    notes: list[str] = []
    (f,) = tf.run_terraform(stack, notes)
    assert (f.rule, f.level, f.resource) == ("TS-TF-001", "error", "azurerm_key_vault.key_vault")
    assert f.message == "Unsupported argument: x" and notes == []


def test_every_rule_is_documented():
    text = (ROOT / "docs" / "validation.md").read_text()
    for rule in [*RULES, "TS-ENGINE-001", "TS-TF-001"]:
        assert f"`{rule}`" in text, rule


@pytest.mark.parametrize(("node_size", "flagged"),
                         [("Medium", False), ("XXXLarge", False), ("Huge", True)])
def test_spark_node_sizes_come_from_the_catalog(documents, node_size, flagged):
    doc = copy.deepcopy(documents["claims-synapse"])
    res(doc, "azurerm_synapse_spark_pool")["node_size"] = node_size
    hits = [f for f in run(doc, "claims-synapse").findings if f.rule == "TS-SKU-004"]
    assert bool(hits) is flagged


def test_rules_read_nothing_themselves():
    """The catalog and service facts reach every rule through its context (RuleContext.facts):
    no rule module loads data or reads files. The one reader allowed is ``declared_rules``,
    which reads rule declarations (security.toml) once at import, never a fact."""
    import ast

    for path in (ROOT / "src" / "trainstack" / "validate" / "rules").glob("*.py"):
        tree = ast.parse(path.read_text())
        tree.body = [n for n in tree.body  # (mutmut renames it x_declared_rules__mutmut_N)
                     if not (isinstance(n, ast.FunctionDef) and "declared_rules" in n.name)]
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        called = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
                  for n in ast.walk(tree) if isinstance(n, ast.Call)
                  and isinstance(n.func, (ast.Name, ast.Attribute))}
        loaders = {"load_catalog", "load_services", "load_facts", "open", "read_text"}
        assert not (names | called) & loaders, (path.name, (names | called) & loaders)


def test_a_rule_that_cannot_judge_a_reference_fails_closed(documents):
    """An expression where a rule expects a literal is 'unknown': a finding at the rule's
    level (an error for TS-SEC-004) that says it cannot be shown to hold."""
    doc = copy.deepcopy(documents["churn"])
    doc["resource"]["azurerm_key_vault"]["key_vault"]["purge_protection_enabled"] = \
        "${azurerm_resource_group.rg.managed_by}"
    report = run(doc, "churn")
    (f,) = [f for f in report.findings if f.rule == "TS-SEC-004"]
    assert (f.level, f.resource) == ("error", "azurerm_key_vault.key_vault") and report.failed
    assert f.message == ("purge_protection_enabled is '${azurerm_resource_group.rg.managed_by}'"
                         ", known only when terraform applies: cannot be shown to meet the rule")


def test_a_rule_that_does_not_apply_is_not_counted(documents):
    public = run(copy.deepcopy(documents["churn"]), "churn")
    assert not [e for e in public.evaluations if e[1] == "TS-SEC-011"]
    private = run(copy.deepcopy(documents["fraud-private"]), "fraud-private")
    assert len([e for e in private.evaluations if e[1] == "TS-SEC-011"]) == 4


# -- --terraform against a stand-in terraform binary on PATH -----------------------------------

FAKE_TERRAFORM = """#!/bin/sh
echo "$@" >> "$FAKE_LOG"
case "$1" in
  init)
    cp cdk.tf.json "$FAKE_COPY"
    printf '%b' "$FAKE_INIT_STDERR" >&2
    exit "$FAKE_INIT_RC" ;;
  validate)
    test -f cdk.tf.json || { echo "validate ran outside the stack's copy"; exit 1; }
    sleep "${FAKE_VALIDATE_SLEEP:-0}"
    printf '%b' "$FAKE_VALIDATE_STDOUT"
    printf '%b' "$FAKE_VALIDATE_STDERR" >&2
    exit 1 ;;
esac
"""


@pytest.fixture
def fake_terraform(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "terraform"
    exe.write_text(FAKE_TERRAFORM)
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    env = {"FAKE_LOG": tmp_path / "log", "FAKE_COPY": tmp_path / "copy.json",
           "FAKE_INIT_RC": "0", "FAKE_INIT_STDERR": "", "FAKE_VALIDATE_STDOUT": "",
           "FAKE_VALIDATE_STDERR": ""}

    def configure(**values: str) -> Path:
        for key, value in {**env, **values}.items():
            monkeypatch.setenv(key, str(value))
        return tmp_path
    return configure


def _terraform_run(documents):
    from trainstack.validate.terraform import run_terraform

    stack = Stack.from_document("churn", str(GOLDEN / "churn" / "cdk.tf.json"),
                                documents["churn"])
    notes: list[str] = []
    return run_terraform(stack, notes), notes


def test_terraform_runs_init_then_validate_on_a_copy_of_the_stack(fake_terraform, documents):
    diagnostics = {"valid": False, "diagnostics": [
        {"severity": "error", "summary": "Unsupported argument", "detail": "An argument named "
         "\"x\" is not expected here.", "address": "azurerm_key_vault.key_vault"},
        {"severity": "warning", "summary": "Deprecated", "detail": ""},
    ]}
    tmp = fake_terraform(FAKE_VALIDATE_STDOUT=json.dumps(diagnostics))
    findings, notes = _terraform_run(documents)
    assert (tmp / "log").read_text().splitlines() == [
        "init -backend=false -input=false -no-color", "validate -json -no-color"]
    assert (tmp / "copy.json").read_bytes() == (GOLDEN / "churn" / "cdk.tf.json").read_bytes()
    assert notes == []
    assert [(f.rule, f.level, f.stack, f.resource, f.message, f.source) for f in findings] == [
        ("TS-TF-001", "error", "churn", "azurerm_key_vault.key_vault",
         'Unsupported argument: An argument named "x" is not expected here.', "terraform"),
        ("TS-TF-001", "warning", "churn", "", "Deprecated", "terraform"),
    ]


def test_terraform_without_diagnostics_finds_nothing(fake_terraform, documents):
    fake_terraform(FAKE_VALIDATE_STDOUT=json.dumps({"valid": True, "diagnostics": []}))
    assert _terraform_run(documents) == ([], [])


@pytest.mark.parametrize("stderr, reason", [
    ("Initializing...\\n\\nError: Failed to query available provider packages\\n",
     "Error: Failed to query available provider packages"),
    ("Initializing...\\n  Failed to install provider\\n", "Failed to install provider"),
    ("Initializing...\\nError: Invalid provider registry host\\n",
     "Error: Invalid provider registry host"),
    ("something else\\n", "terraform init failed"),
])
def test_terraform_init_failure_is_a_note_naming_the_reason(fake_terraform, documents, stderr,
                                                            reason):
    tmp = fake_terraform(FAKE_INIT_RC="1", FAKE_INIT_STDERR=stderr)
    findings, notes = _terraform_run(documents)
    assert findings == []
    assert notes == [f"--terraform: churn: the providers could not be installed ({reason}); "
                     "`terraform validate` did not run - the TS-SCHEMA rules checked the stack "
                     "against the packaged provider schemas instead"]
    assert (tmp / "log").read_text().splitlines() == ["init -backend=false -input=false -no-color"]


@pytest.mark.parametrize("stderr, message", [("boom: no json\\n", "boom: no json"),
                                             ("", "validate failed")])
def test_terraform_validate_without_json_is_a_finding(fake_terraform, documents, stderr,
                                                      message):
    fake_terraform(FAKE_VALIDATE_STDOUT="not json", FAKE_VALIDATE_STDERR=stderr)
    (finding,), notes = _terraform_run(documents)
    assert (finding.rule, finding.level, finding.resource, finding.message, finding.source) == \
        ("TS-TF-001", "error", "", message, "terraform")
    assert notes == []


def test_terraform_not_on_path_is_a_note(monkeypatch, documents, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _terraform_run(documents) == ([], [
        "--terraform: terraform is not on PATH; skipped `terraform validate`"])


def test_terraform_that_hangs_is_a_note_not_a_crash(fake_terraform, documents, monkeypatch):
    from trainstack.validate import terraform

    monkeypatch.setattr(terraform, "TIMEOUT_SECONDS", 1)
    fake_terraform(FAKE_VALIDATE_SLEEP="5", FAKE_VALIDATE_STDOUT="{}")
    findings, notes = _terraform_run(documents)
    assert findings == []
    assert notes == ["--terraform: churn: `terraform validate` did not finish within 1 s; "
                     "`terraform validate` did not run - the TS-SCHEMA rules checked the stack "
                     "against the packaged provider schemas instead"]
