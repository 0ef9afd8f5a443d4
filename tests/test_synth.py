"""Synthesis: every example gives a schema-clean, deterministic, secure stack."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROFILES, ROOT, profile_text
from trainstack.errors import ProfileError, SynthError, TrainstackError
from trainstack.naming import NAME_RULES
from trainstack.provider_schema import check_element, check_stack, load_provider_schema
from trainstack.settings import Settings
from trainstack.synth import synth

pytestmark = pytest.mark.node  # these tests run the CDK engine (Node.js)

TAGS = {"workload", "environment", "managed-by"}


def stack_files(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text())
            for p in sorted(out.glob("stacks/*/cdk.tf.json"))}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synth(PROFILES, out, Settings.from_env())  # the tests' salt (conftest)
    return out, stack_files(out)


def resources(stack: dict) -> dict[str, dict]:
    return {f"{t}.{n}": body for t, items in stack["resource"].items() for n, body in items.items()}


def one(stack: dict, terraform_type: str, name: str | None = None) -> dict:
    items = stack["resource"][terraform_type]
    if name is not None:
        return items[name]
    (body,) = items.values()
    return body


def every(stacks: dict[str, dict], terraform_type: str):
    """(stack, local name, body) of every resource of one type in all stacks."""
    for stack_name, stack in stacks.items():
        for local, body in stack["resource"].get(terraform_type, {}).items():
            yield stack_name, local, body


AML = [p.stem for p in PROFILES if p.stem in
       ("churn", "fraud-private", "vision-defects", "llm-finetune", "call-audio")]


def test_every_profile_gives_a_stack(synthesized):
    out, stacks = synthesized
    assert sorted(stacks) == sorted(p.stem for p in PROFILES)
    assert (out / "manifest.json").is_file()


def test_output_is_byte_identical_for_the_same_input(synthesized, tmp_path):
    out, _ = synthesized
    again = tmp_path / "again"
    synth(PROFILES, again, Settings.from_env())
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


def test_no_absolute_paths_in_output(synthesized):
    out, _ = synthesized
    for path in out.rglob("*.json"):
        assert str(out) not in path.read_text() and str(ROOT) not in path.read_text()


@pytest.mark.parametrize("name", [p.stem for p in PROFILES])
def test_every_resource_is_clean_against_the_provider_schemas(synthesized, name):
    stack = synthesized[1][name]
    assert check_stack(stack) == []
    checked = sum(len(v) for v in stack["resource"].values()) + sum(
        len(v) for v in stack["data"].values())
    assert checked >= 5


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda b: b.update(vm_sise="x"), "vm_sise: unknown argument"),
        (lambda b: b.pop("vm_priority"), "vm_priority: required argument missing"),
        (lambda b: b.pop("scale_settings"), "scale_settings: required block missing"),
        (lambda b: b["scale_settings"].update(max_node_count="4"),
         "scale_settings.max_node_count: must be a number, got string"),
        (lambda b: b.update(local_auth_enabled="false"),
         "local_auth_enabled: must be a boolean, got string"),
        (lambda b: b.update(scale_settings=[b["scale_settings"], b["scale_settings"]]),
         "scale_settings: at most one scale_settings block (got 2)"),
        (lambda b: b.update(identity="SystemAssigned"), "identity: must be a block (object)"),
        (lambda b: b.update(tags=["a"]), "tags: must be a map, got list"),
        (lambda b: b["scale_settings"].update(idle="PT1M"), "scale_settings.idle: unknown argument"),
    ],
)
def test_the_schema_check_catches_each_kind_of_defect(synthesized, mutate, expected):
    body = copy.deepcopy(one(synthesized[1]["churn"], "azurerm_machine_learning_compute_cluster"))
    mutate(body)
    problems = [str(p) for p in check_element("azurerm_machine_learning_compute_cluster", body)]
    assert any(p.startswith(expected) for p in problems), problems


def test_schema_check_knows_unknown_types():
    assert "unknown resource type" in str(check_element("azurerm_not_a_thing", {})[0])


def test_packaged_schemas_are_the_shared_ones():
    assert load_provider_schema("azurerm")["provider_version"] == "5.10.0"
    assert load_provider_schema("azapi")["provider_version"] == "2.13.0"
    assert load_provider_schema("databricks")["provider_version"] == "1.138.0"


def test_the_aml_stack_has_every_piece(synthesized):
    stack = synthesized[1]["churn"]
    types = set(stack["resource"])
    assert {
        "azurerm_resource_group", "azurerm_storage_account", "azurerm_key_vault",
        "azurerm_log_analytics_workspace", "azurerm_application_insights",
        "azurerm_container_registry", "azurerm_machine_learning_workspace",
        "azurerm_machine_learning_compute_cluster", "azurerm_monitor_diagnostic_setting",
        "azurerm_role_assignment",
    } <= types
    appi = one(stack, "azurerm_application_insights")
    assert appi["workspace_id"] == "${azurerm_log_analytics_workspace.logs.id}"
    ws = one(stack, "azurerm_machine_learning_workspace")
    for ref in ("application_insights_id", "key_vault_id", "storage_account_id",
                "container_registry_id"):
        assert ws[ref].startswith("${azurerm_") and ws[ref].endswith(".id}")


def test_training_cluster_matches_the_selection(synthesized):
    from trainstack.catalog import load_facts
    from trainstack.profile import load_profile
    from trainstack.select import select

    for path in PROFILES:
        selection = select(load_profile(path), load_facts())
        if selection.service != "azure-ml":
            continue
        t = selection.training()
        cluster = one(synthesized[1][path.stem], "azurerm_machine_learning_compute_cluster",
                      "training")
        assert cluster["vm_size"] == t.vm_size
        assert cluster["vm_priority"] == ("LowPriority" if t.priority == "low-priority"
                                          else "Dedicated")
        assert cluster["scale_settings"] == {
            "min_node_count": 0, "max_node_count": t.max_nodes,
            "scale_down_nodes_after_idle_duration": "PT15M",
        }
        assert cluster["location"] == selection.region
        assert cluster["local_auth_enabled"] is False
        assert cluster["identity"] == {"type": "SystemAssigned"}


def test_development_instance_only_when_the_team_wants_one(synthesized):
    stacks = synthesized[1]
    assert "azurerm_machine_learning_compute_instance" in stacks["churn"]["resource"]
    assert "azurerm_machine_learning_compute_instance" not in stacks["vision-defects"]["resource"]
    action = one(stacks["churn"], "azapi_resource_action")
    assert action["action"] == "updateIdleShutdownSetting"
    assert action["body"] == {"idleTimeBeforeShutdown": "PT60M"}
    assert "azapi" in stacks["churn"]["terraform"]["required_providers"]
    # vision-defects has no instance, and azapi only for its batch endpoint
    assert "azapi_resource_action" not in stacks["vision-defects"]["resource"]
    assert list(stacks["vision-defects"]["resource"]["azapi_resource"]) == ["batch_endpoint"]


def test_private_profile_turns_public_access_off(synthesized):
    private, public = synthesized[1]["fraud-private"], synthesized[1]["churn"]
    ws = one(private, "azurerm_machine_learning_workspace")
    assert ws["public_network_access_enabled"] is False
    assert ws["managed_network"] == {"isolation_mode": "AllowOnlyApprovedOutbound"}
    assert ws["image_build_compute_name"] == "train-cpu"
    for t in ("azurerm_storage_account", "azurerm_key_vault", "azurerm_container_registry"):
        assert one(private, t)["public_network_access_enabled"] is False, t
    assert one(private, "azurerm_container_registry")["sku"] == "Premium"
    assert one(private, "azurerm_machine_learning_compute_cluster")["node_public_ip_enabled"] is False
    assert one(public, "azurerm_machine_learning_workspace")["public_network_access_enabled"] is True


SECRET_ARGUMENTS = {
    "admin_password", "password", "client_secret", "account_key", "access_key",
    "primary_access_key", "shared_access_signature", "sas_token", "connection_string",
    "instrumentation_key", "key_value", "client_certificate_password",
}


def _all_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_keys(item)


def test_secure_defaults(synthesized):
    stacks = synthesized[1]
    vaults = list(every(stacks, "azurerm_key_vault"))
    assert len(vaults) == len(AML)  # one per Azure ML workspace
    for _, _, kv in vaults:
        assert kv["rbac_authorization_enabled"] is True and kv["purge_protection_enabled"] is True
    storage = list(every(stacks, "azurerm_storage_account"))
    assert len(storage) >= len(AML) + 1
    for _, _, st in storage:
        assert st["min_tls_version"] == "TLS1_2" and st["allow_nested_items_to_be_public"] is False
        assert st["https_traffic_only_enabled"] is True
    registries = list(every(stacks, "azurerm_container_registry"))
    assert len(registries) == len(AML)
    for _, _, acr in registries:
        assert acr["admin_enabled"] is False
    identities = [body["identity"] for t in (
        "azurerm_machine_learning_workspace", "azurerm_machine_learning_compute_cluster",
        "azurerm_synapse_workspace", "azurerm_cognitive_account",
        "azurerm_machine_learning_synapse_spark") for _, _, body in every(stacks, t)]
    assert len(identities) >= 2 * len(AML) + 3
    assert all(i == {"type": "SystemAssigned"} for i in identities)
    accounts = list(every(stacks, "azurerm_cognitive_account"))
    assert len(accounts) >= 1  # invoice-ocr
    for _, _, account in accounts:
        assert account["local_auth_enabled"] is False
    workspaces = list(every(stacks, "azurerm_synapse_workspace"))
    assert len(workspaces) >= 2  # claims-synapse, and call-audio for data preparation
    for _, _, syn in workspaces:
        assert syn["azuread_authentication_only"] is True
    for name, stack in stacks.items():
        keys = set(_all_keys(stack))
        assert not keys & SECRET_ARGUMENTS, name
        assert "sensitive" not in json.dumps(stack["output"]), name


def test_every_taggable_resource_is_tagged(synthesized):
    schema = load_provider_schema("azurerm")["resources"]
    for name, stack in synthesized[1].items():
        for address, body in resources(stack).items():
            terraform_type = address.split(".")[0]
            if "tags" in schema.get(terraform_type, {}).get("attributes", {}):
                assert TAGS <= set(body.get("tags", {})), address
                assert body["tags"]["workload"] == name


def test_names_follow_azure_rules(synthesized):
    for stack in synthesized[1].values():
        for address, body in resources(stack).items():
            rule = NAME_RULES.get(address.split(".")[0])
            if rule:
                assert rule.match(body["name"]), (address, body["name"])


def test_terraform_and_provider_pins_and_local_state(synthesized):
    for name, stack in synthesized[1].items():
        tf = stack["terraform"]
        assert tf["required_providers"]["azurerm"] == {"source": "hashicorp/azurerm",
                                                       "version": "~> 5.10.0"}
        assert re.match(r">= 1\.\d", tf["required_version"])
        env = stack["//"]["trainstack"]["environment"]
        # outside the output folder (three levels up from <out>/stacks/<name>), per environment
        assert tf["backend"] == {"local": {
            "path": f"../../../.trainstack/state/{env}/{name}.tfstate"}}


def test_alerts_follow_the_monitor_section(synthesized):
    assert "azurerm_monitor_metric_alert" in synthesized[1]["fraud-private"]["resource"]
    group = one(synthesized[1]["fraud-private"], "azurerm_monitor_action_group")
    assert group["email_receiver"][0]["email_address"] == "fraud-oncall@example.com"
    assert len(group["short_name"]) <= 12
    assert "azurerm_monitor_action_group" not in synthesized[1]["vision-defects"]["resource"]


def test_azurerm_remote_state_through_settings(tmp_path):
    settings = Settings.from_env({
        "TRAINSTACK_STATE_BACKEND": "azurerm",
        "TRAINSTACK_STATE_RESOURCE_GROUP": "rg-tfstate",
        "TRAINSTACK_STATE_STORAGE_ACCOUNT": "sttfstate001",
    })
    synth([PROFILES[0]], tmp_path / "out", settings)
    stack = next(iter(stack_files(tmp_path / "out").values()))
    assert stack["terraform"]["backend"] == {"azurerm": {
        "container_name": "tfstate", "key": f"dev/{PROFILES[0].stem}.tfstate",
        "resource_group_name": "rg-tfstate", "storage_account_name": "sttfstate001",
        "use_azuread_auth": True,
    }}


def test_azurerm_backend_without_an_account_is_a_settings_error():
    with pytest.raises(TrainstackError) as info:
        Settings.from_env({"TRAINSTACK_STATE_BACKEND": "azurerm"})
    assert "TRAINSTACK_STATE_STORAGE_ACCOUNT" in str(info.value)


def test_a_provider_mirror_version_replaces_the_azurerm_pin_and_nothing_else(tmp_path):
    settings = Settings.from_env({"TRAINSTACK_AZURERM_VERSION": "= 5.2.0"})
    synth([PROFILES[0]], tmp_path / "out", settings)
    stack = next(iter(stack_files(tmp_path / "out").values()))
    assert stack["terraform"]["required_providers"]["azurerm"] == {
        "source": "hashicorp/azurerm", "version": "= 5.2.0"}
    synth([PROFILES[0]], tmp_path / "default", Settings.from_env({}))
    default = next(iter(stack_files(tmp_path / "default").values()))
    assert default["terraform"]["required_providers"]["azurerm"]["version"] == "~> 5.10.0"
    stack["terraform"]["required_providers"] = default["terraform"]["required_providers"]
    assert stack == default


@pytest.mark.parametrize("value", ['${file("/etc/passwd")}', "= 5.2.0\n", "latest",
                                   "~> 5.10.0 # x", ">= 1, < 2, != 3, != 4, != 5"])
def test_an_azurerm_version_that_is_not_a_plain_constraint_is_a_settings_error(value):
    with pytest.raises(TrainstackError, match="TRAINSTACK_AZURERM_VERSION must be a terraform "
                                              "version constraint"):
        Settings.from_env({"TRAINSTACK_AZURERM_VERSION": value})


def test_name_salt_changes_global_names(tmp_path):
    churn = next(p for p in PROFILES if p.stem == "churn")
    synth([churn], tmp_path / "a", Settings())
    synth([churn], tmp_path / "b", Settings(name_salt="contoso"))
    a, b = (one(next(iter(stack_files(tmp_path / d).values())), "azurerm_storage_account")["name"]
            for d in "ab")
    assert a != b


# -- atomic output -----------------------------------------------------------------------

def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_bad_profile_leaves_earlier_output_untouched(tmp_path, write_profile):
    out = tmp_path / "out"
    synth([PROFILES[0]], out, Settings())
    before = snapshot(out)
    bad = write_profile(profile_text().replace("size_gb: 1", "size_gb: -1"))
    with pytest.raises(ProfileError):
        synth([PROFILES[1], bad], out, Settings())
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_engine_failure_leaves_earlier_output_untouched(tmp_path, monkeypatch):
    from trainstack.constructs import engine

    out = tmp_path / "out"
    synth([PROFILES[0]], out, Settings())
    before = snapshot(out)

    def half_written(specs, outdir, name):
        (outdir / "stacks" / "x").mkdir(parents=True)
        (outdir / "stacks" / "x" / "cdk.tf.json").write_text("{")
        raise RuntimeError("engine crashed")

    monkeypatch.setattr(engine, "synth", half_written)
    with pytest.raises(SynthError, match="the cdktf engine failed: engine crashed"):
        synth(PROFILES, out, Settings.from_env())  # the tests' salt (conftest)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_new_output_replaces_the_old(tmp_path):
    out = tmp_path / "out"
    synth(PROFILES[:2], out, Settings())
    synth(PROFILES[2:3], out, Settings())
    assert sorted(stack_files(out)) == [PROFILES[2].stem]


def test_two_profiles_with_one_name_are_refused(tmp_path, write_profile):
    twin = write_profile(PROFILES[0].read_text(), "twin.yaml")
    with pytest.raises(TrainstackError) as info:
        synth([PROFILES[0], twin], tmp_path / "out", Settings())
    assert "stack names must be unique" in str(info.value)
    assert not (tmp_path / "out").exists()


# -- engines ----------------------------------------------------------------------------

def _run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainstack", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=ROOT)


def _without_engine_version(stack: dict) -> dict:
    stack = copy.deepcopy(stack)
    stack["//"]["metadata"].pop("version")
    return stack


@pytest.mark.skipif(importlib.util.find_spec("cdktn") is None and not os.environ.get("CI"),
                    reason="the cdktn extra is not installed (CI installs it)")
def test_cdktn_engine_gives_the_same_stacks(synthesized, tmp_path):
    run = _run_cli("synth", *map(str, PROFILES), "--out", str(tmp_path / "out"), "-q",
                   env={"TRAINSTACK_ENGINE": "cdktn"})
    assert run.returncode == 0, run.stderr
    stacks = stack_files(tmp_path / "out")
    assert {n: s["//"]["metadata"]["version"] for n, s in stacks.items()} == {
        n: importlib.metadata.version("cdktn") for n in stacks}
    for name, stack in stacks.items():
        assert _without_engine_version(stack) == _without_engine_version(synthesized[1][name])


def test_missing_engine_is_a_clear_error():
    from trainstack.constructs.engine import load_engine
    from trainstack.errors import SynthError

    with pytest.raises(SynthError) as info:
        load_engine("pulumi")
    assert "unknown engine 'pulumi'" in str(info.value)


def test_engine_is_imported_in_exactly_one_module():
    importers = []
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text()
        if re.search(r"^\s*(import|from)\s+(cdktf|cdktn)\b", text, re.M) or re.search(
                r"import_module\(", text):
            importers.append(path.relative_to(ROOT / "src").as_posix())
    assert importers == ["trainstack/constructs/engine.py"]


def test_prebuilt_provider_bindings_are_never_imported():
    for path in (ROOT / "src").rglob("*.py"):
        assert not re.search(r"(cdktf_cdktf_provider_|cdktn_provider_)", path.read_text()), path


@pytest.mark.parametrize("kind", ["file", "foreign-dir"])
def test_synth_never_replaces_what_is_not_its_output(tmp_path, kind):
    from trainstack.errors import SynthError

    target = tmp_path / "target"
    if kind == "file":
        target.write_text("precious")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("precious")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(SynthError) as info:
        synth([PROFILES[0]], target, Settings())
    assert "choose another --out" in str(info.value)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_synth_without_node_is_a_clear_error(monkeypatch):
    from trainstack.constructs.engine import load_engine
    from trainstack.errors import SynthError

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JSII_NODE", raising=False)
    with pytest.raises(SynthError) as info:
        load_engine("cdktf")
    assert "needs Node.js" in str(info.value)


def test_a_bug_building_a_stack_is_a_bug_not_an_engine_failure(tmp_path, monkeypatch):
    """Stack specs are built while the engine renders; an exception there is trainstack's
    (exit 3 from the CLI), not reported as the engine's failure (exit 2)."""
    import trainstack.synth as synth_module

    def broken(self, settings):
        raise KeyError("a bug")
    monkeypatch.setattr(synth_module.Planned, "spec", broken)
    with pytest.raises(KeyError, match="a bug"):
        synth(PROFILES[:1], tmp_path / "out", Settings())
    assert not (tmp_path / "out").exists()


def test_in_place_synthesis_for_cdktf_writes_the_stored_stacks(tmp_path):
    """stacks/app.py (`cdktf synth`) renders with the same engine into its own folder."""
    from trainstack.synth import synth_in_place

    chosen = [p for p in PROFILES if p.stem in ("churn", "claims-synapse")]
    synth_in_place(chosen, tmp_path / "cdktf.out")
    for path in chosen:
        rel = Path("stacks") / path.stem / "cdk.tf.json"
        assert (tmp_path / "cdktf.out" / rel).read_bytes() == (
            ROOT / "tests" / "golden" / rel).read_bytes()


def test_the_name_salt_comes_from_the_setting_or_else_the_subscription():
    """TRAINSTACK_NAME_SALT wins; without it the subscription the stacks are applied to
    (lower case: the same GUID must give the same names however it is written)."""
    sub = "1A2B3C4D-0000-0000-0000-00000000ABCD"
    assert Settings.from_env({"TRAINSTACK_NAME_SALT": "contoso",
                              "ARM_SUBSCRIPTION_ID": sub}).name_salt == "contoso"
    assert Settings.from_env({"ARM_SUBSCRIPTION_ID": sub}).name_salt == sub.lower()
    assert Settings.from_env({}).name_salt == ""
