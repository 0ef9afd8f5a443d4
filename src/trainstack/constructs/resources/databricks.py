"""Azure Databricks: the workspace (azurerm) and the cluster and current user (databricks)."""

from __future__ import annotations

from typing import Literal

from trainstack.constructs.resources.common import Identity
from trainstack.constructs.resources.element import AzureResource, Block, Element


class DatabricksCustomParameters(Block):
    no_public_ip: bool = True  # secure cluster connectivity: no public IPs on nodes
    virtual_network_id: str | None = None
    public_subnet_name: str | None = None
    private_subnet_name: str | None = None
    public_subnet_network_security_group_association_id: str | None = None
    private_subnet_network_security_group_association_id: str | None = None


class DatabricksWorkspace(AzureResource, terraform_type="azurerm_databricks_workspace"):
    # premium: RBAC, Unity Catalog, private link; standard retires 2026-10
    sku: Literal["standard", "premium", "trial"] = "premium"
    managed_resource_group_name: str
    public_network_access_enabled: bool
    network_security_group_rules_required: str | None = None
    custom_parameters: DatabricksCustomParameters


class DatabricksWorkspaceData(Element, terraform_type="azurerm_databricks_workspace", data=True):
    """An existing workspace, read for its URL (the databricks provider's host)."""

    name: str
    resource_group_name: str


class DatabricksCurrentUser(Element, terraform_type="databricks_current_user", data=True):
    """The workspace user Terraform runs as (the single user of its clusters)."""


class ClusterAutoscale(Block):
    min_workers: int
    max_workers: int


class AzureAttributes(Block):
    availability: Literal["SPOT_AZURE", "ON_DEMAND_AZURE", "SPOT_WITH_FALLBACK_AZURE"]
    first_on_demand: int = 1  # the driver stays on demand
    spot_bid_max_price: float = -1  # pay up to the on-demand price, never more


class DatabricksCluster(Element, terraform_type="databricks_cluster"):
    cluster_name: str
    spark_version: str
    node_type_id: str
    autotermination_minutes: int
    azure_attributes: AzureAttributes
    autoscale: ClusterAutoscale | None = None
    num_workers: int | None = None
    data_security_mode: str = "SINGLE_USER"  # ML runtimes run in dedicated access mode
    single_user_name: str
    spark_conf: dict[str, str] | None = None
    custom_tags: dict[str, str]


class AccessConnector(AzureResource, terraform_type="azurerm_databricks_access_connector"):
    """The managed identity Unity Catalog reaches Azure storage with."""

    identity: Identity  # omitted, the connector has no identity at all


class AzureManagedIdentity(Block):
    access_connector_id: str


class StorageCredential(Element, terraform_type="databricks_storage_credential"):
    name: str
    azure_managed_identity: AzureManagedIdentity
    read_only: bool | None = None
    comment: str | None = None


class ExternalLocation(Element, terraform_type="databricks_external_location"):
    name: str
    url: str
    credential_name: str
    read_only: bool | None = None
    comment: str | None = None
