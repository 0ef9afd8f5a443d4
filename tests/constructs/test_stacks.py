"""Stacks per service: what each provisions, checked on the stack spec (no engine).

The synthesized examples are checked end to end in test_synth.py; here variants
(public/private, spot/dedicated, single node) are built directly and every
element is checked against the provider schemas too.
"""

from __future__ import annotations

import pytest
from conftest import MINIMAL, ROOT

from trainstack.catalog import load_facts
from trainstack.constructs.stack import build_stack
from trainstack.profile import parse_profile
from trainstack.provider_schema import check_element
from trainstack.select import select
from trainstack.settings import Settings


def spec_for(text: str):
    profile = parse_profile(text)
    selection = select(profile, load_facts())
    return selection, build_stack(profile, selection, Settings())


def by_type(spec) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for e in spec.elements:
        out.setdefault(e.terraform_type, []).append(e.arguments())
    return out


def schema_clean(spec) -> None:
    for e in spec.elements:
        assert check_element(e.terraform_type, e.arguments(), data=e.is_data) == [], e.address


def variant(extra: str, *, private: bool = False) -> str:
    return MINIMAL + extra + ("constraints:\n  network: private\n" if private else "")


SYNAPSE = "team:\n  existing_platform: synapse\n"
DATABRICKS = "team:\n  existing_platform: databricks\n"
AI = "deploy:\n  requests_per_month: 1000\n"


@pytest.mark.parametrize("private", [False, True])
def test_synapse_stack(private):
    selection, spec = spec_for(variant(SYNAPSE, private=private))
    schema_clean(spec)
    t = by_type(spec)
    (pool,) = t["azurerm_synapse_spark_pool"]
    assert pool["node_size_family"] == "MemoryOptimized" and pool["spark_version"] == "3.5"
    assert pool["auto_scale"]["min_node_count"] == 3
    assert pool["auto_scale"]["max_node_count"] == selection.training().max_nodes
    assert pool["auto_pause"] == {"delay_in_minutes": 15}
    assert pool["node_size"] == selection.training().node_size
    (ws,) = t["azurerm_synapse_workspace"]
    assert ws["identity"] == {"type": "SystemAssigned"} and ws["azuread_authentication_only"]
    (lake,) = t["azurerm_storage_account"]
    assert lake["is_hns_enabled"] is True
    # the filesystem through Resource Manager, not the data plane (TS-APPLY-003)
    assert "azurerm_storage_data_lake_gen2_filesystem" not in t
    (container,) = t["azurerm_storage_container"]
    assert container["name"] == "data" and container["container_access_type"] == "private"
    assert ws["storage_data_lake_gen2_filesystem_id"] == (
        f"https://{lake['name']}.dfs.core.windows.net/data")
    assert ws["depends_on"] == ["azurerm_storage_container.datalake_fs"]
    assert ws["public_network_access_enabled"] is (not private)
    assert ws["managed_virtual_network_enabled"] is private
    assert lake["public_network_access_enabled"] is (not private)
    # no "Allow Azure services" rule on a workspace Azure ML does not attach (TS-SEC-016)
    assert "azurerm_synapse_firewall_rule" not in t
    roles = {r["role_definition_name"] for r in t["azurerm_role_assignment"]}
    assert roles == {"Storage Blob Data Contributor"}


@pytest.mark.parametrize("private", [False, True])
def test_databricks_stack(private):
    selection, spec = spec_for(variant(DATABRICKS, private=private))
    schema_clean(spec)
    t = by_type(spec)
    (ws,) = t["azurerm_databricks_workspace"]
    assert ws["sku"] == "premium" and ws["public_network_access_enabled"] is (not private)
    assert ws["custom_parameters"]["no_public_ip"] is True
    (cluster,) = t["databricks_cluster"]
    c = selection.training()
    assert cluster["node_type_id"] == c.vm_size
    assert cluster["spark_version"].endswith("-cpu-ml-scala2.12")
    assert cluster["autotermination_minutes"] == 30
    assert cluster["autoscale"] == {"min_workers": c.min_nodes, "max_workers": c.max_nodes}
    assert cluster["azure_attributes"]["availability"] == "SPOT_WITH_FALLBACK_AZURE"
    assert cluster["azure_attributes"]["first_on_demand"] == 1
    assert cluster["data_security_mode"] == "SINGLE_USER"
    providers = {p.name: p for p in spec.providers}
    assert providers["databricks"].config["host"].endswith(".workspace_url}")
    if private:
        assert ws["network_security_group_rules_required"] == "NoAzureDatabricksRules"
        assert ws["custom_parameters"]["virtual_network_id"].startswith("${azurerm_virtual_network")
        # UI/API and the web sign-in, both answered by one zone (Learn, Databricks Private Link)
        assert sorted(p["private_service_connection"]["subresource_names"][0]
                      for p in t["azurerm_private_endpoint"]) == [
            "browser_authentication", "databricks_ui_api"]
        (zone,) = t["azurerm_private_dns_zone"]
        assert zone["name"] == "privatelink.azuredatabricks.net"
        assert len(t["azurerm_subnet"]) == 3
        # the two injected subnets and the endpoints' subnet each have an NSG
        assert len(t["azurerm_subnet_network_security_group_association"]) == 3
    else:
        assert "azurerm_virtual_network" not in t


def test_databricks_gpu_single_node_and_dedicated_in_prod():
    text = variant(DATABRICKS + "training:\n  framework: pytorch\n").replace(
        "region: westeurope", "region: eastus") + "environment: prod\n"
    selection, spec = spec_for(text)
    schema_clean(spec)
    (cluster,) = by_type(spec)["databricks_cluster"]
    assert cluster["spark_version"].endswith("-gpu-ml-scala2.12")
    assert cluster["num_workers"] == 0 and "autoscale" not in cluster
    assert cluster["spark_conf"]["spark.databricks.cluster.profile"] == "singleNode"
    assert cluster["azure_attributes"]["availability"] == "ON_DEMAND_AZURE"
    assert selection.training().gpus >= 1


@pytest.mark.parametrize("private", [False, True])
def test_ai_services_stack(private):
    text = variant(AI, private=private).replace(
        "task: classification", "task: translation\n  prebuilt_ok: true")
    selection, spec = spec_for(text)
    schema_clean(spec)
    (account,) = by_type(spec)["azurerm_cognitive_account"]
    assert account["kind"] == "TextTranslation" and account["sku_name"] == "S1"
    assert account["custom_subdomain_name"] == account["name"]
    assert account["local_auth_enabled"] is False
    assert account["identity"] == {"type": "SystemAssigned"}
    assert account["public_network_access_enabled"] is (not private)
    assert ("network_acls" in account) is private
    assert "azurerm_machine_learning_workspace" not in by_type(spec)
    assert selection.compute == ()


def test_custom_vision_gets_training_and_prediction_accounts():
    text = variant("constraints:\n  free_tier: true\n").replace(
        "task: classification", "task: object-detection\n  prebuilt_ok: true\n  custom_labels: true")
    selection, spec = spec_for(text)
    kinds = {(a["kind"], a["sku_name"]) for a in by_type(spec)["azurerm_cognitive_account"]}
    assert kinds == {("CustomVision.Training", "F0"), ("CustomVision.Prediction", "F0")}
    names = [a["name"] for a in by_type(spec)["azurerm_cognitive_account"]]
    assert len(set(names)) == 2


def test_aml_with_spark_prep_links_a_synapse_pool():
    text = MINIMAL.replace("size_gb: 1", "size_gb: 300\n  modality: image\n  "
                                         "needs_distributed_prep: true")
    selection, spec = spec_for(text)
    schema_clean(spec)
    t = by_type(spec)
    assert selection.service == "azure-ml" and selection.role("data-prep") is not None
    (link,) = t["azurerm_machine_learning_synapse_spark"]
    assert link["synapse_spark_pool_id"] == "${azurerm_synapse_spark_pool.spark.id}"
    assert link["machine_learning_workspace_id"] == "${azurerm_machine_learning_workspace.workspace.id}"
    assert link["local_auth_enabled"] is False
    assert any(r["principal_id"] == "${azurerm_machine_learning_synapse_spark.spark_link."
               "identity[0].principal_id}" for r in t["azurerm_role_assignment"])
    assert len(t["azurerm_storage_account"]) == 2  # workspace storage + data lake


def test_databricks_and_synapse_names_follow_rules():
    from trainstack.naming import NAME_RULES

    for extra in (SYNAPSE, DATABRICKS):
        _, spec = spec_for(variant(extra, private=True))
        for e in spec.elements:
            rule = NAME_RULES.get(e.terraform_type)
            if rule and "name" in e.arguments():
                assert rule.match(e.arguments()["name"]), (e.address, e.arguments()["name"])


def test_every_resource_model_is_a_frozen_keyword_only_dataclass_with_its_type():
    """Declared as ``class X(Element, terraform_type=...)``: Block makes each subclass a
    frozen, keyword-only dataclass, so a wrong or positional argument fails at build time."""
    import dataclasses

    from trainstack.constructs import resources as r

    group = r.ResourceGroup(local_name="rg", name="rg-x", location="eastus2", tags={})
    assert group.address == "azurerm_resource_group.rg"
    assert r.ClientConfig(local_name="me").address == "data.azurerm_client_config.me"
    with pytest.raises(dataclasses.FrozenInstanceError):
        group.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.ResourceGroup("rg", "rg-x", "eastus2", {})  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.ResourceGroup(local_name="rg", name="rg-x", location="eastus2", tags={}, bogus=1)
    models = [v for v in vars(r).values() if isinstance(v, type) and issubclass(v, r.Block)]
    assert len(models) > 30 and all(dataclasses.is_dataclass(m) for m in models)
    elements = [m for m in models if issubclass(m, r.Element) and "terraform_type" in vars(m)]
    assert all(m.terraform_type.startswith(("azurerm_", "azapi_", "databricks_"))
               for m in elements) and len(elements) > 25


def test_local_names_are_unique_in_each_stack():
    """Each element is a construct of its stack, whose ids must differ whatever their types
    (constructs: "There is already a Construct with name ..."): the prebuilt-bindings
    benchmark builds the stacks that way, and cdktf users read the paths."""
    from conftest import PROFILES

    from trainstack.profile import load_profile

    shapes = sorted((ROOT / "tests" / "golden" / "profiles").glob("*.yaml"))
    for path in [*PROFILES, *shapes]:
        profile = load_profile(path)
        spec = build_stack(profile, select(profile, load_facts()), Settings())
        names = [e.local_name for e in spec.elements]
        assert len(names) == len(set(names)), (path.name, sorted(
            n for n in set(names) if names.count(n) > 1))
