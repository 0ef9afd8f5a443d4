"""Azure Machine Learning: the workspace, compute clusters and instances, attached Spark."""

from __future__ import annotations

from typing import Literal

from trainstack.constructs.resources.common import Identity
from trainstack.constructs.resources.element import AzureResource, Block, Element


class ManagedNetwork(Block):
    isolation_mode: Literal["Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound"]


class MachineLearningWorkspace(AzureResource, terraform_type="azurerm_machine_learning_workspace"):
    application_insights_id: str
    key_vault_id: str
    storage_account_id: str
    container_registry_id: str
    identity: Identity = Identity()  # system-assigned: no credentials stored anywhere
    public_network_access_enabled: bool
    managed_network: ManagedNetwork | None = None
    high_business_impact: bool | None = None
    image_build_compute_name: str | None = None
    # the system datastores' auth: "Identity" keeps no account key in them
    storage_account_access_type: Literal["AccessKey", "Identity"] | None = None
    description: str | None = None
    friendly_name: str | None = None


class WorkspaceOutboundFqdn(
        Element, terraform_type="azurerm_machine_learning_workspace_network_outbound_rule_fqdn"):
    name: str
    workspace_id: str
    destination_fqdn: str


class WorkspaceOutboundPrivateEndpoint(
        Element, terraform_type="azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint"):
    """A private endpoint from the workspace's managed network to another resource."""

    name: str
    workspace_id: str
    service_resource_id: str
    sub_resource_target: Literal["vault", "amlworkspace", "blob", "table", "queue", "file", "web",
                                 "dfs", "redisCache"]
    spark_enabled: bool = False


class _Datastore(Element):
    """What both datastore types take (their identity argument is named differently)."""

    name: str
    workspace_id: str
    storage_container_id: str
    description: str | None = None
    tags: dict[str, str]


IdentityForPreviews = Literal["WorkspaceSystemAssignedIdentity", "WorkspaceUserAssignedIdentity"]


class DatastoreBlob(_Datastore, terraform_type="azurerm_machine_learning_datastore_blobstorage"):
    """An Azure ML datastore over a blob container. Without a key or SAS the provider's
    CustomizeDiff requires an identity here: the workspace's, for studio previews; jobs use
    their compute's identity (machine_learning_datastore_blobstorage_resource.go, v5.2.0;
    Learn, how-to-administrate-data-authentication)."""

    service_data_auth_identity: IdentityForPreviews


class DatastoreDataLakeGen2(_Datastore,
                            terraform_type="azurerm_machine_learning_datastore_datalake_gen2"):
    """An Azure ML datastore over an ADLS Gen2 filesystem; without a service principal's
    secret it is identity-based (machine_learning_datastore_datalake_gen2_resource.go)."""

    service_data_identity: IdentityForPreviews


class ScaleSettings(Block):
    min_node_count: int
    max_node_count: int
    scale_down_nodes_after_idle_duration: str


class ComputeCluster(Element, terraform_type="azurerm_machine_learning_compute_cluster"):
    name: str
    location: str
    machine_learning_workspace_id: str
    vm_size: str
    vm_priority: Literal["Dedicated", "LowPriority"]
    scale_settings: ScaleSettings
    identity: Identity
    local_auth_enabled: bool = False
    ssh_public_access_enabled: bool = False
    node_public_ip_enabled: bool = True
    description: str | None = None
    tags: dict[str, str]


class AssignToUser(Block):
    object_id: str
    tenant_id: str


class ComputeInstance(Element, terraform_type="azurerm_machine_learning_compute_instance"):
    name: str
    machine_learning_workspace_id: str
    virtual_machine_size: str
    identity: Identity
    assign_to_user: AssignToUser | None = None
    authorization_type: Literal["personal"] = "personal"
    local_auth_enabled: bool = False
    node_public_ip_enabled: bool = True
    description: str | None = None
    tags: dict[str, str]


class MachineLearningSynapseSpark(Element, terraform_type="azurerm_machine_learning_synapse_spark"):
    """Attaches a Synapse Spark pool to an Azure ML workspace."""

    name: str
    machine_learning_workspace_id: str
    location: str
    synapse_spark_pool_id: str
    identity: Identity
    local_auth_enabled: bool = False
    description: str | None = None
    tags: dict[str, str]
