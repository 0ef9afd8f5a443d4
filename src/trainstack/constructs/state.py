"""The stack that holds the other stacks' state: ``trainstack state bootstrap``.

A resource group, a storage account and a blob container for the azurerm backend, kept
the way Learn's "Store Terraform state in Azure Storage" and the backend's documentation
ask (developer.hashicorp.com/terraform/language/backend/azurerm, "Microsoft Entra ID"):

- Entra ID only: shared keys off, so neither terraform nor a person can fall back to
  the account key; the deploying identity gets Storage Blob Data Contributor on the
  container, the data role the backend needs to read, write and lease the state blob;
- every state version kept: blob versioning, and 30 days of soft delete for blobs and
  containers (Learn, storage/blobs/versioning-overview, soft-delete-blob-overview);
- geo-redundant (GRS, offered in every region), TLS 1.2, no public blobs;
- a CanNotDelete lock on the account (Learn, azure-resource-manager/management/
  lock-resources): deleting the state takes removing the lock first, on purpose.

Its own state is local, in ``.trainstack/state/bootstrap/`` (it cannot live in the account
it creates).
"""

from __future__ import annotations

from trainstack import arm
from trainstack.constructs import resources as r
from trainstack.constructs.spec import AZURERM, BackendSpec, OutputSpec, ProviderSpec, StackSpec

STATE_RETENTION_DAYS = 30
BOOTSTRAP_ENVIRONMENT = "bootstrap"


def state_stack(name: str, resource_group: str, account: str, container: str, region: str,
                azurerm_version: str | None = None) -> StackSpec:
    """The state account's stack (see the module docstring)."""
    tags = {"managed-by": "trainstack", "purpose": "terraform-state"}
    client = r.ClientConfig(local_name="current")
    rg = r.ResourceGroup(local_name="rg", name=resource_group, location=region, tags=tags)
    storage = r.StorageAccount(
        local_name="state", name=account, resource_group_name=rg.ref("name"),
        location=region, tags=tags, account_replication_type="GRS",
        shared_access_key_enabled=False,  # Entra ID only (the backend's use_azuread_auth)
        blob_properties=r.BlobProperties(
            versioning_enabled=True,
            delete_retention_policy=r.RetentionPolicy(days=STATE_RETENTION_DAYS),
            container_delete_retention_policy=r.RetentionPolicy(days=STATE_RETENTION_DAYS)),
    )
    box = r.StorageContainer(local_name="state", name=container, storage_account_id=storage.ref())
    elements: list[r.Element] = [
        client, rg, storage, box,
        r.RoleAssignment(local_name="deployer_state", scope=box.ref(),
                         role_definition_name="Storage Blob Data Contributor",
                         principal_id=client.ref("object_id"), principal_type=None,
                         description="terraform's azurerm backend reads, writes and leases "
                                     "the state blobs with Entra ID"),
        r.ManagementLock(local_name="state", name="keep-terraform-state", scope=storage.ref(),
                         notes="Terraform state of trainstack stacks: remove on purpose only"),
    ]
    provider = ProviderSpec("azurerm", AZURERM[0], azurerm_version or AZURERM[1], config={
        "features": [{"resource_group": [{"prevent_deletion_if_contains_resources": True}]}],
        "storage_use_azuread": True,
        arm.REGISTRATION_SETTING: "none",
        arm.EXTRA_SETTING: list(arm.namespaces_for(e.terraform_type for e in elements
                                                   if not e.is_data)),
    })
    # relative to .trainstack/bootstrap/stacks/<name>/, where terraform runs
    backend = BackendSpec(kind="local", config={
        "path": f"../../../state/{BOOTSTRAP_ENVIRONMENT}/{name}.tfstate"})
    return StackSpec(
        name=name, providers=(provider,), elements=tuple(elements), backend=backend,
        outputs={
            "resource_group_name": OutputSpec(rg.ref("name"), "TRAINSTACK_STATE_RESOURCE_GROUP"),
            "storage_account_name": OutputSpec(storage.ref("name"),
                                               "TRAINSTACK_STATE_STORAGE_ACCOUNT"),
            "container_name": OutputSpec(box.ref("name"), "TRAINSTACK_STATE_CONTAINER"),
        },
    )
