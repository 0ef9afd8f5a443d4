"""Step 2, get the data (Azure ML): the training data is an identity-based datastore and the
training cluster holds the narrowest role that reads it.

Oracles: the profile's own text (the account id and container it names), the provider's
rules as written in its source (machine_learning_datastore_blobstorage_resource.go's
CustomizeDiff: no key and no SAS needs a workspace identity), the provider schema; the real
provider's plan and apply run on the bundled stacks (tests/test_real_provider.py).
"""

from __future__ import annotations

import pytest
from conftest import MINIMAL
from test_stacks import by_type, schema_clean, spec_for

from trainstack.errors import ProfileError
from trainstack.profile import parse_profile

ACCOUNT = ("/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-data/"
           "providers/Microsoft.Storage/storageAccounts/stdata01")
CONTAINER_ID = f"{ACCOUNT}/blobServices/default/containers/raw"
BLOB = "azurerm_machine_learning_datastore_blobstorage"
LAKE = "azurerm_machine_learning_datastore_datalake_gen2"
RULE = "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint"


def _located(hns: bool = False, private: bool = False) -> str:
    return MINIMAL.replace("  size_gb: 1\n", (
        f"  size_gb: 1\n  location:\n    storage_account_id: {ACCOUNT}\n    container: raw\n"
        f"    hierarchical_namespace: {str(hns).lower()}\n")) + (
        "environment: prod\nconstraints:\n  network: private\n" if private else "")


def test_without_a_location_the_stack_makes_the_container_and_its_datastore():
    _, spec = spec_for(MINIMAL)
    schema_clean(spec)
    t = by_type(spec)
    (container,) = t["azurerm_storage_container"]
    assert container == {"name": "training-data", "container_access_type": "private",
                         "storage_account_id": "${azurerm_storage_account.storage.id}"}
    (store,) = t[BLOB]
    assert store["storage_container_id"] == "${azurerm_storage_container.training_data_container.id}"
    # no key, no SAS: the provider's CustomizeDiff then needs a workspace identity
    assert store["service_data_auth_identity"] == "WorkspaceSystemAssignedIdentity"
    assert not {"account_key", "shared_access_signature"} & set(store)
    # the cluster reads and writes there through its role on the whole workspace storage
    roles = {(g["role_definition_name"], g["scope"]) for g in t["azurerm_role_assignment"]}
    assert ("Storage Blob Data Contributor", "${azurerm_storage_account.storage.id}") in roles
    assert not any(g["role_definition_name"] == "Storage Blob Data Reader"
                   for g in t["azurerm_role_assignment"])
    assert spec.outputs["training_datastore"].value == f"${{{BLOB}.training_data.name}}"


@pytest.mark.parametrize("hns, kind, identity", [(False, BLOB, "service_data_auth_identity"),
                                                (True, LAKE, "service_data_identity")])
def test_an_existing_container_is_registered_and_only_read(hns, kind, identity):
    _, spec = spec_for(_located(hns))
    schema_clean(spec)
    t = by_type(spec)
    assert "azurerm_storage_container" not in t
    (store,) = t[kind]
    assert store["storage_container_id"] == CONTAINER_ID
    assert store[identity] == "WorkspaceSystemAssignedIdentity"
    assert not {"account_key", "shared_access_signature", "client_secret"} & set(store)
    readers = sorted((g["principal_id"], g["principal_type"]) for g in
                     t["azurerm_role_assignment"] if g["scope"] == CONTAINER_ID)
    assert readers == [
        ("${azurerm_machine_learning_compute_cluster.training.identity[0].principal_id}",
         "ServicePrincipal"),
        ("${azurerm_machine_learning_workspace.workspace.identity[0].principal_id}",
         "ServicePrincipal")]
    assert all(g["role_definition_name"] == "Storage Blob Data Reader"
               for g in t["azurerm_role_assignment"] if g["scope"] == CONTAINER_ID)
    assert RULE not in t  # public: no managed network


@pytest.mark.parametrize("hns, target", [(False, "blob"), (True, "dfs")])
def test_a_managed_network_reaches_the_account_by_its_own_private_endpoint(hns, target):
    _, spec = spec_for(_located(hns, private=True))
    schema_clean(spec)
    (rule,) = by_type(spec)[RULE]
    assert rule["service_resource_id"] == ACCOUNT and rule["sub_resource_target"] == target
    assert rule["name"] == "allow-training-data" and rule["spark_enabled"] is False
    assert f"{RULE}.outbound_training_data" in {e.address for e in spec.elements}
    # after the package-source rules: rules of one workspace made in parallel are lost
    fqdn = [e.address for e in spec.elements
            if e.terraform_type.endswith("outbound_rule_fqdn")]
    assert fqdn and rule["depends_on"] == [fqdn[-1]]


@pytest.mark.parametrize("field, value, message", [
    ("storage_account_id", ("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/"
                            "storageAccounts/st01"), "data.location.storage_account_id"),
    ("storage_account_id", f"{ACCOUNT}/blobServices/default", "storage_account_id"),
    ("container", "Raw", "data.location.container"),
    ("container", "ab", "data.location.container"),
    ("container", "a--b", "no two hyphens in a row"),
])
def test_a_location_names_an_account_and_a_container_azure_accepts(field, value, message):
    good = {"storage_account_id": ACCOUNT, "container": "raw"} | {field: value}
    text = MINIMAL.replace("  size_gb: 1\n", "  size_gb: 1\n  location:\n" + "".join(
        f"    {k}: {v}\n" for k, v in good.items()))
    with pytest.raises(ProfileError, match=message):
        parse_profile(text)


def test_shared_keys_off_makes_the_workspace_storage_entra_only():
    """Learn (how-to-disable-local-auth-storage): the workspace's system datastores in
    identity mode, then shared keys off on its storage; people then need Storage Blob Data
    Contributor and Storage File Data Privileged Contributor there."""
    from conftest import MINIMAL
    from test_stacks import by_type, schema_clean, spec_for

    _, spec = spec_for(MINIMAL + "constraints:\n  storage_shared_keys: false\n")
    schema_clean(spec)
    types = by_type(spec)
    [storage] = types["azurerm_storage_account"]
    [workspace] = types["azurerm_machine_learning_workspace"]
    assert storage["shared_access_key_enabled"] is False
    assert workspace["storage_account_access_type"] == "Identity"
    mine = sorted(r["role_definition_name"] for r in types["azurerm_role_assignment"]
                  if r["principal_id"] == "${data.azurerm_client_config.current.object_id}")
    assert mine == ["Storage Blob Data Contributor", "Storage File Data Privileged Contributor"]
    _, default = spec_for(MINIMAL)
    types = by_type(default)
    assert types["azurerm_storage_account"][0]["shared_access_key_enabled"] is True
    assert "storage_account_access_type" not in types["azurerm_machine_learning_workspace"][0]


def test_shared_keys_off_is_for_a_workspace_the_stack_makes():
    import pytest
    from conftest import MINIMAL
    from test_stacks import spec_for

    from trainstack.errors import SelectionError

    with pytest.raises(SelectionError) as info:
        spec_for(MINIMAL + "team:\n  existing_platform: databricks\nconstraints:\n"
                 "  storage_shared_keys: false\n")
    assert info.value.field == "constraints.storage_shared_keys"
