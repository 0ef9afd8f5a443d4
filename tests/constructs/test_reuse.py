"""Reuse what exists (issue 12): a profile that names an existing Azure ML, Databricks or
Synapse workspace, Log Analytics workspace or registry gets a stack that reads them (data
sources) and attaches to them instead of creating them; and step 2's lake access for
Databricks (Unity Catalog) and Synapse (the workspace identity)."""

from __future__ import annotations

import pytest
from conftest import MINIMAL
from test_stacks import schema_clean, spec_for

from trainstack.errors import SelectionError
from trainstack.profile import parse_profile

SUB = "/subscriptions/00000000-0000-0000-0000-000000000004/resourceGroups/rg-shared/providers"
AML = f"{SUB}/Microsoft.MachineLearningServices/workspaces/mlw-shared"
DBW = f"{SUB}/Microsoft.Databricks/workspaces/dbw-shared"
SYN = f"{SUB}/Microsoft.Synapse/workspaces/synw-shared"
LOGS = f"{SUB}/Microsoft.OperationalInsights/workspaces/log-shared"
ACR = f"{SUB}/Microsoft.ContainerRegistry/registries/crshared"
LAKE = f"{SUB}/Microsoft.Storage/storageAccounts/stlake"
CONTAINER = f"{LAKE}/blobServices/default/containers/raw"
WS = "${data.azapi_resource.aml_workspace.id}"
WS_STORAGE = "${data.azapi_resource.aml_workspace.output.storage_account_id}"
PRIVATE = "constraints:\n  network: private\n"


def location(hns: bool) -> str:
    return (f"data:\n  size_gb: 1\n  location:\n    storage_account_id: {LAKE}\n"
            f"    container: raw\n    hierarchical_namespace: {str(hns).lower()}\n")


def stack(extra: str, base: str = MINIMAL):
    """The selection, the spec and its resources by type (data sources apart)."""
    selection, spec = spec_for(base + extra)
    schema_clean(spec)
    types: dict[str, list[dict]] = {}
    for e in spec.elements:
        if not e.is_data:
            types.setdefault(e.terraform_type, []).append(e.arguments())
    return selection, spec, types


def data_sources(spec) -> dict[str, dict]:
    return {e.address: e.arguments() for e in spec.elements if e.is_data}


def without_data(text: str) -> str:
    return text.replace("data:\n  size_gb: 1\n", "")


def test_an_existing_azure_ml_workspace_is_read_and_attached_to_not_made():
    selection, spec, types = stack(f"existing:\n  aml_workspace_id: {AML}\n"
                                   "deploy:\n  endpoint: batch\n"
                                   "monitor:\n  alert_email: team@example.com\n" + PRIVATE)
    for made in ("azurerm_machine_learning_workspace", "azurerm_storage_account",
                 "azurerm_key_vault", "azurerm_container_registry",
                 "azurerm_application_insights", "azurerm_private_endpoint"):
        assert made not in types, made
    read = data_sources(spec)["data.azapi_resource.aml_workspace"]
    assert read == {"type": "Microsoft.MachineLearningServices/workspaces@2024-10-01",
                    "resource_id": AML,
                    "response_export_values": {"storage_account_id": "properties.storageAccount"}}
    sfx = spec_names(selection)
    clusters = {c["name"]: c for c in types["azurerm_machine_learning_compute_cluster"]}
    # unique in a workspace other stacks share
    assert set(clusters) == {f"train-cpu-{sfx}", f"score-cpu-{sfx}"}
    assert all(c["machine_learning_workspace_id"] == WS for c in clusters.values())
    [store] = types["azurerm_machine_learning_datastore_blobstorage"]
    assert store["name"] == f"training_data_{sfx}" and store["workspace_id"] == WS
    [container] = types["azurerm_storage_container"]
    assert container["storage_account_id"] == WS_STORAGE
    scopes = {r["scope"] for r in types["azurerm_role_assignment"]}
    assert scopes == {WS_STORAGE}
    assert {a["scopes"][0] for a in types["azurerm_monitor_metric_alert"]} == {WS}
    # its network is its owner's: no outbound rules, no firewall priced, no endpoints
    assert "azurerm_machine_learning_workspace_network_outbound_rule_fqdn" not in types
    assert selection.network.items[0].quantity == 0 and selection.network.outbound is None
    # nothing to close, nothing priced: no zero lines in the breakdown
    assert not [i for i in selection.cost_breakdown if i.category == "network"]
    assert not [i for i in selection.cost_breakdown if "registry" in i.item]
    assert "workspace_name" not in spec.outputs and "workspace_id" in spec.outputs


def spec_names(selection) -> str:
    from trainstack.naming import suffix
    from trainstack.settings import Settings

    return suffix("demo", "dev", selection.region, Settings().name_salt)


def test_an_existing_log_analytics_workspace_takes_the_diagnostics():
    _, _, types = stack(f"existing:\n  log_analytics_workspace_id: {LOGS}\n")
    assert "azurerm_log_analytics_workspace" not in types
    assert {d["log_analytics_workspace_id"] for d in types["azurerm_monitor_diagnostic_setting"]} \
        == {LOGS}
    assert types["azurerm_application_insights"][0]["workspace_id"] == LOGS


def test_an_existing_registry_serves_a_new_workspace():
    selection, _, types = stack(f"existing:\n  container_registry_id: {ACR}\n" + PRIVATE)
    assert "azurerm_container_registry" not in types
    assert types["azurerm_machine_learning_workspace"][0]["container_registry_id"] == ACR
    # the registry's own private endpoint is its owner's: 4 for the workspace and storage and
    # vault, not the registry's
    assert not [e for e in types["azurerm_private_endpoint"] if "registry" in e["name"]]
    assert len(types["azurerm_private_endpoint"]) == selection.network.private_endpoints
    assert not [i for i in selection.cost_breakdown if "registry" in i.item]


def test_an_existing_databricks_workspace_is_read_for_its_url():
    selection, spec, types = stack(f"team:\n  existing_platform: databricks\n"
                                   f"existing:\n  databricks_workspace_id: {DBW}\n" + PRIVATE)
    assert "azurerm_databricks_workspace" not in types and "azurerm_nat_gateway" not in types
    assert "azurerm_virtual_network" not in types
    assert data_sources(spec)["data.azurerm_databricks_workspace.databricks"] == {
        "name": "dbw-shared", "resource_group_name": "rg-shared"}
    [provider] = [p for p in spec.providers if p.name == "databricks"]
    assert provider.config["host"] == "${data.azurerm_databricks_workspace.databricks.workspace_url}"
    me = data_sources(spec)["data.databricks_current_user.me"]
    assert "depends_on" not in me
    assert selection.network.items[0].quantity == 0 and selection.network.egress is None


def test_an_existing_synapse_workspace_gets_the_pool_and_reads_the_data_as_itself():
    selection, spec, types = stack(
        f"team:\n  existing_platform: synapse\nexisting:\n  synapse_workspace_id: {SYN}\n",
        without_data(MINIMAL) + location(hns=True))
    for made in ("azurerm_synapse_workspace", "azurerm_storage_account",
                 "azurerm_synapse_workspace_aad_admin", "azurerm_synapse_managed_private_endpoint"):
        assert made not in types, made
    assert types["azurerm_synapse_spark_pool"][0]["synapse_workspace_id"] == SYN
    assert data_sources(spec)["data.azurerm_synapse_workspace.synapse"] == {
        "name": "synw-shared", "resource_group_name": "rg-shared"}
    [role] = types["azurerm_role_assignment"]
    assert (role["scope"], role["role_definition_name"], role["principal_id"]) == (
        CONTAINER, "Storage Blob Data Reader",
        "${data.azurerm_synapse_workspace.synapse.identity[0].principal_id}")
    assert not [i for i in selection.cost_breakdown if "lake" in i.item]


@pytest.mark.parametrize("hns,subresource", [(True, "dfs"), (False, "blob")])
def test_a_private_synapse_workspace_reads_the_data_through_a_managed_private_endpoint(
        hns, subresource):
    _, _, types = stack("team:\n  existing_platform: synapse\n" + PRIVATE,
                        without_data(MINIMAL) + location(hns))
    reads = [r for r in types["azurerm_role_assignment"] if r["scope"] == CONTAINER]
    assert [(r["role_definition_name"], r["principal_id"]) for r in reads] == [
        ("Storage Blob Data Reader", "${azurerm_synapse_workspace.synapse.identity[0].principal_id}")]
    [pep] = types["azurerm_synapse_managed_private_endpoint"]
    assert (pep["target_resource_id"], pep["subresource_name"]) == (LAKE, subresource)


def test_databricks_reads_the_data_through_unity_catalog():
    selection, spec, types = stack("team:\n  existing_platform: databricks\n",
                                   without_data(MINIMAL) + location(hns=True))
    [connector] = types["azurerm_databricks_access_connector"]
    assert connector["identity"] == {"type": "SystemAssigned"}
    [role] = [r for r in types["azurerm_role_assignment"] if r["scope"] == CONTAINER]
    assert role["role_definition_name"] == "Storage Blob Data Contributor"
    assert role["principal_id"] == \
        "${azurerm_databricks_access_connector.lake_connector.identity[0].principal_id}"
    assert role["principal_type"] == "ServicePrincipal"
    [credential] = types["databricks_storage_credential"]
    assert credential["azure_managed_identity"] == {
        "access_connector_id": "${azurerm_databricks_access_connector.lake_connector.id}"}
    [external] = types["databricks_external_location"]
    assert external["url"] == "abfss://raw@stlake.dfs.core.windows.net/"
    assert external["read_only"] is True
    assert external["credential_name"] == "${databricks_storage_credential.lake.name}"
    for element in (credential, external):  # Unity Catalog checks its access on creation
        assert element["depends_on"] == ["azurerm_role_assignment.lake_connector_data"]


def test_databricks_refuses_a_location_without_a_hierarchical_namespace():
    with pytest.raises(SelectionError) as info:
        spec_for(without_data(MINIMAL) + location(hns=False)
                 + "team:\n  existing_platform: databricks\n")
    assert info.value.field == "data.location.hierarchical_namespace"


@pytest.mark.parametrize("extra,field", [
    (f"existing:\n  databricks_workspace_id: {DBW}\n", "existing_platform"),
    (f"existing:\n  aml_workspace_id: {AML}\n  container_registry_id: {ACR}\n",
     "container_registry_id is for an Azure ML workspace the stack makes"),
    (f"existing:\n  aml_workspace_id: {DBW}\n", "aml_workspace_id"),
    ("existing:\n  log_analytics_workspace_id: /subscriptions/x/resourceGroups/rg/providers/"
     "Microsoft.OperationalInsights/workspaces/log\n", "log_analytics_workspace_id"),
])
def test_bad_existing_ids_are_refused_with_their_field(extra, field):
    from trainstack.errors import ProfileError

    with pytest.raises(ProfileError) as info:
        parse_profile(MINIMAL + extra, "p.yaml")
    assert field in str(info.value)


def test_an_existing_workspace_the_selection_does_not_use_is_an_error():
    with pytest.raises(SelectionError) as info:
        spec_for(MINIMAL + f"team:\n  existing_platform: databricks\nexisting:\n"
                 f"  aml_workspace_id: {AML}\n")
    assert info.value.field == "existing.aml_workspace_id"
    assert "databricks serves this profile" in info.value.message


VNET = f"{SUB.replace('rg-shared', 'rg-hub')}/Microsoft.Network/virtualNetworks/vnet-spoke"
PEP_SUBNET = f"{VNET}/subnets/snet-pep"


def existing_vnet(host: str = "10.20.1.0/26", container: str = "10.20.2.0/26") -> str:
    return (f"team:\n  existing_platform: databricks\nconstraints:\n  network: private\n"
            f"  existing_network:\n    subnet_id: {PEP_SUBNET}\n"
            f"    virtual_network_id: {VNET}\n    databricks_subnets:\n"
            f"      host: {host}\n      container: {container}\n")


def test_databricks_is_injected_into_an_existing_virtual_network():
    selection, _, types = stack(existing_vnet())
    assert "azurerm_virtual_network" not in types
    subnets = {s["name"]: s for s in types["azurerm_subnet"]}
    assert set(subnets) == {"snet-demo-dev-dbw-host", "snet-demo-dev-dbw-container"}
    for s, prefix in zip(subnets.values(), ("10.20.1.0/26", "10.20.2.0/26"), strict=True):
        assert (s["resource_group_name"], s["virtual_network_name"]) == ("rg-hub", "vnet-spoke")
        assert s["address_prefixes"] == [prefix]
        assert s["delegation"][0]["service_delegation"]["name"] == "Microsoft.Databricks/workspaces"
    [workspace] = types["azurerm_databricks_workspace"]
    assert workspace["custom_parameters"]["virtual_network_id"] == VNET
    assert all(p["subnet_id"] == PEP_SUBNET for p in types["azurerm_private_endpoint"])
    assert selection.network.egress == "nat-gateway" and "azurerm_nat_gateway" in types


@pytest.mark.parametrize("host,container,said", [
    ("10.20.1.0/27", "10.20.2.0/26", "host: Databricks needs /26 or larger (got /27)"),
    ("10.20.1.0/25", "10.20.1.0/26", "host and container ranges overlap"),
    ("10.20.1.1/26", "10.20.2.0/26", "host: must be an IPv4 range with its host bits zero"),
    ("fd00::/64", "10.20.2.0/26",
     "p.yaml:18: constraints.existing_network.databricks_subnets.host: must match"),
])
def test_the_injected_subnets_ranges_are_checked(host, container, said):
    from trainstack.errors import ProfileError

    with pytest.raises(ProfileError) as info:
        parse_profile(MINIMAL + existing_vnet(host, container), "p.yaml")
    assert said in str(info.value)


def test_an_existing_virtual_network_needs_its_ranges_and_an_endpoint_subnet():
    from trainstack.errors import ProfileError

    with pytest.raises(ProfileError) as info:
        parse_profile(MINIMAL + "constraints:\n  network: private\n  existing_network:\n"
                      f"    virtual_network_id: {VNET}\n", "p.yaml")
    assert "virtual_network_id needs databricks_subnets" in str(info.value)
    with pytest.raises(SelectionError) as sel:
        spec_for(MINIMAL + existing_vnet().replace("team:\n  existing_platform: databricks\n",
                                                   ""))
    assert sel.value.field == "constraints.existing_network.virtual_network_id"
