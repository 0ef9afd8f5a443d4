"""Storage accounts (and their data lake filesystems), key vaults and container registries."""

from __future__ import annotations

import dataclasses
from typing import Literal

from trainstack.constructs.resources.element import AzureResource, Block, Element


class NetworkRules(Block):  # azurerm_storage_account.network_rules
    default_action: Literal["Allow", "Deny"]
    bypass: tuple[str, ...] | None = None


class KeyVaultNetworkAcls(Block):  # azurerm_key_vault.network_acls
    bypass: Literal["AzureServices", "None"]
    default_action: Literal["Allow", "Deny"]


class BlobProperties(Block):
    versioning_enabled: bool | None = None
    delete_retention_policy: RetentionPolicy | None = None
    container_delete_retention_policy: RetentionPolicy | None = None


class RetentionPolicy(Block):
    days: int


class StorageAccount(AzureResource, terraform_type="azurerm_storage_account"):
    account_tier: Literal["Standard", "Premium"] = "Standard"  # Azure ML does not support Premium
    account_replication_type: Literal["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"] = "LRS"
    account_kind: Literal["StorageV2", "BlobStorage", "BlockBlobStorage", "FileStorage",
                          "Storage"] = "StorageV2"
    min_tls_version: Literal["TLS1_0", "TLS1_1", "TLS1_2"] = "TLS1_2"
    https_traffic_only_enabled: bool = True
    allow_nested_items_to_be_public: bool = False
    cross_tenant_replication_enabled: bool = False
    # Azure ML still reads some artifacts with the account key; identity-only
    # access is opt-in (docs/guide.md), so shared keys stay on.
    shared_access_key_enabled: bool = True
    local_user_enabled: bool = False  # no SFTP/local users: Entra ID and keys only
    is_hns_enabled: bool | None = None
    public_network_access_enabled: bool | None = None
    network_rules: NetworkRules | None = None
    blob_properties: BlobProperties | None = None
    # SAS tokens someone makes expire within a day (and the expiry is logged)
    sas_policy: SasPolicy | None = dataclasses.field(default_factory=lambda: SasPolicy())


class SasPolicy(Block):
    expiration_period: str = "01.00:00:00"
    expiration_action: Literal["Log", "Block"] = "Log"


class KeyVault(AzureResource, terraform_type="azurerm_key_vault"):
    tenant_id: str
    sku_name: str = "standard"
    rbac_authorization_enabled: bool = True
    purge_protection_enabled: bool = True
    soft_delete_retention_days: int = 90
    public_network_access_enabled: bool | None = None
    network_acls: KeyVaultNetworkAcls | None = None


class ContainerRegistry(AzureResource, terraform_type="azurerm_container_registry"):
    sku: Literal["Basic", "Standard", "Premium"] = "Basic"
    admin_enabled: bool = False
    public_network_access_enabled: bool | None = None
    # Premium only: dedicated data endpoints and a purge of untagged manifests
    data_endpoint_enabled: bool | None = None
    retention_policy_in_days: int | None = None
    zone_redundancy_enabled: bool | None = None


class StorageContainer(Element, terraform_type="azurerm_storage_container"):
    """A blob container, created through Azure Resource Manager (by ``storage_account_id``):
    no storage data plane, so neither shared keys nor network access to the account are
    needed (internal/services/storage/storage_container_resource.go, azurerm 5.x). On an
    account with the hierarchical namespace it is the ADLS Gen2 filesystem of that name."""

    name: str
    storage_account_id: str
    container_access_type: Literal["private"] = "private"
