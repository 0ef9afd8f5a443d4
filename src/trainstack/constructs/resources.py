"""Typed models of the Terraform resources trainstack emits.

These are plain frozen dataclasses whose field names are the provider's
argument names, so a resource is built with keyword checking and rendered to
its JSON body without importing any provider bindings (the prebuilt ones cost
6-16 s and up to 1 GB per process). ``engine.py`` turns them into CDK
elements; the provider-schema test checks every rendered body.

Conventions: ``None`` means "not set" (the provider default applies); a
``Block`` field renders as a nested object (nesting ``single``), a tuple of
blocks as a list (nesting ``list``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from trainstack.constructs.literal import Ref


def ref(terraform_type: str, local_name: str, attribute: str, *, data: bool = False) -> Ref:
    """A Terraform interpolation of another element's attribute: the only kind of
    string that reaches Terraform as an expression (constructs/literal.py)."""
    prefix = "data." if data else ""
    return Ref(f"${{{prefix}{terraform_type}.{local_name}.{attribute}}}")


def _render(value: Any) -> Any:
    if isinstance(value, Block):
        return value.arguments()
    if isinstance(value, tuple):
        return [_render(v) for v in value]
    if isinstance(value, dict):
        return {k: _render(v) for k, v in sorted(value.items())}
    return value


@dataclass(frozen=True, kw_only=True)
class Block:
    """A nested configuration block."""

    def arguments(self) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):
            if not f.metadata.get("argument", True):
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = _render(value)
        return out


@dataclass(frozen=True, kw_only=True)
class Element(Block):
    """A resource or data source: a Block with a type and a local name."""

    terraform_type: ClassVar[str]
    is_data: ClassVar[bool] = False
    # the Terraform local name (resource "type" "<local_name>"), not an argument
    local_name: str = dataclasses.field(metadata={"argument": False})

    @property
    def address(self) -> str:
        return f"{'data.' if self.is_data else ''}{self.terraform_type}.{self.local_name}"

    def ref(self, attribute: str = "id") -> Ref:
        return ref(self.terraform_type, self.local_name, attribute, data=self.is_data)


# -- shared blocks -----------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Identity(Block):
    type: str = "SystemAssigned"


@dataclass(frozen=True, kw_only=True)
class NetworkRules(Block):  # azurerm_storage_account.network_rules
    default_action: str
    bypass: tuple[str, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class KeyVaultNetworkAcls(Block):  # azurerm_key_vault.network_acls
    bypass: str
    default_action: str


@dataclass(frozen=True, kw_only=True)
class BlobProperties(Block):
    versioning_enabled: bool | None = None
    delete_retention_policy: RetentionPolicy | None = None
    container_delete_retention_policy: RetentionPolicy | None = None


@dataclass(frozen=True, kw_only=True)
class RetentionPolicy(Block):
    days: int


# -- resources -----------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ClientConfig(Element):
    terraform_type: ClassVar[str] = "azurerm_client_config"
    is_data: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class ResourceGroup(Element):
    terraform_type: ClassVar[str] = "azurerm_resource_group"
    name: str
    location: str
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class StorageAccount(Element):
    terraform_type: ClassVar[str] = "azurerm_storage_account"
    name: str
    resource_group_name: str
    location: str
    account_tier: str = "Standard"  # Azure ML does not support Premium
    account_replication_type: str = "LRS"
    account_kind: str = "StorageV2"
    min_tls_version: str = "TLS1_2"
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
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class SasPolicy(Block):
    expiration_period: str = "01.00:00:00"
    expiration_action: str = "Log"


@dataclass(frozen=True, kw_only=True)
class KeyVault(Element):
    terraform_type: ClassVar[str] = "azurerm_key_vault"
    name: str
    resource_group_name: str
    location: str
    tenant_id: str
    sku_name: str = "standard"
    rbac_authorization_enabled: bool = True
    purge_protection_enabled: bool = True
    soft_delete_retention_days: int = 90
    public_network_access_enabled: bool | None = None
    network_acls: KeyVaultNetworkAcls | None = None
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class LogAnalyticsWorkspace(Element):
    terraform_type: ClassVar[str] = "azurerm_log_analytics_workspace"
    name: str
    resource_group_name: str
    location: str
    sku: str = "PerGB2018"
    retention_in_days: int = 30
    local_authentication_enabled: bool = False
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ApplicationInsights(Element):
    terraform_type: ClassVar[str] = "azurerm_application_insights"
    name: str
    resource_group_name: str
    location: str
    workspace_id: str  # workspace-based: classic Application Insights is retired
    application_type: str = "web"
    local_authentication_enabled: bool = False
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ContainerRegistry(Element):
    terraform_type: ClassVar[str] = "azurerm_container_registry"
    name: str
    resource_group_name: str
    location: str
    sku: str = "Basic"
    admin_enabled: bool = False
    public_network_access_enabled: bool | None = None
    # Premium only: dedicated data endpoints and a purge of untagged manifests
    data_endpoint_enabled: bool | None = None
    retention_policy_in_days: int | None = None
    zone_redundancy_enabled: bool | None = None
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ManagedNetwork(Block):
    isolation_mode: str


@dataclass(frozen=True, kw_only=True)
class MachineLearningWorkspace(Element):
    terraform_type: ClassVar[str] = "azurerm_machine_learning_workspace"
    name: str
    resource_group_name: str
    location: str
    application_insights_id: str
    key_vault_id: str
    storage_account_id: str
    container_registry_id: str
    identity: Identity
    public_network_access_enabled: bool
    managed_network: ManagedNetwork | None = None
    image_build_compute_name: str | None = None
    description: str | None = None
    friendly_name: str | None = None
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ScaleSettings(Block):
    min_node_count: int
    max_node_count: int
    scale_down_nodes_after_idle_duration: str


@dataclass(frozen=True, kw_only=True)
class ComputeCluster(Element):
    terraform_type: ClassVar[str] = "azurerm_machine_learning_compute_cluster"
    name: str
    location: str
    machine_learning_workspace_id: str
    vm_size: str
    vm_priority: str  # Dedicated | LowPriority
    scale_settings: ScaleSettings
    identity: Identity
    local_auth_enabled: bool = False
    ssh_public_access_enabled: bool = False
    node_public_ip_enabled: bool = True
    description: str | None = None
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class AssignToUser(Block):
    object_id: str
    tenant_id: str


@dataclass(frozen=True, kw_only=True)
class ComputeInstance(Element):
    terraform_type: ClassVar[str] = "azurerm_machine_learning_compute_instance"
    name: str
    machine_learning_workspace_id: str
    virtual_machine_size: str
    identity: Identity
    assign_to_user: AssignToUser | None = None
    authorization_type: str = "personal"
    local_auth_enabled: bool = False
    node_public_ip_enabled: bool = True
    description: str | None = None
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ResourceAction(Element):
    """azapi_resource_action: an ARM action the azurerm provider does not expose."""

    terraform_type: ClassVar[str] = "azapi_resource_action"
    type: str
    resource_id: str
    action: str
    method: str = "POST"
    body: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RoleAssignment(Element):
    terraform_type: ClassVar[str] = "azurerm_role_assignment"
    scope: str
    role_definition_name: str
    principal_id: str
    principal_type: str = "ServicePrincipal"  # managed identities; skips a Graph lookup
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class EnabledLog(Block):
    category_group: str


@dataclass(frozen=True, kw_only=True)
class EnabledMetric(Block):
    category: str


@dataclass(frozen=True, kw_only=True)
class DiagnosticSetting(Element):
    terraform_type: ClassVar[str] = "azurerm_monitor_diagnostic_setting"
    name: str
    target_resource_id: str
    log_analytics_workspace_id: str
    enabled_log: tuple[EnabledLog, ...]
    enabled_metric: tuple[EnabledMetric, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class EmailReceiver(Block):
    name: str
    email_address: str
    use_common_alert_schema: bool = True


@dataclass(frozen=True, kw_only=True)
class ActionGroup(Element):
    terraform_type: ClassVar[str] = "azurerm_monitor_action_group"
    name: str
    resource_group_name: str
    short_name: str  # at most 12 characters
    email_receiver: tuple[EmailReceiver, ...]
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class MetricCriteria(Block):
    metric_namespace: str
    metric_name: str
    aggregation: str
    operator: str
    threshold: float


@dataclass(frozen=True, kw_only=True)
class AlertAction(Block):
    action_group_id: str


@dataclass(frozen=True, kw_only=True)
class MetricAlert(Element):
    terraform_type: ClassVar[str] = "azurerm_monitor_metric_alert"
    name: str
    resource_group_name: str
    scopes: tuple[str, ...]
    description: str
    severity: int
    frequency: str
    window_size: str
    criteria: tuple[MetricCriteria, ...]
    action: tuple[AlertAction, ...]
    tags: dict[str, str]


# -- Synapse -----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class DataLakeFilesystem(Element):
    terraform_type: ClassVar[str] = "azurerm_storage_data_lake_gen2_filesystem"
    name: str
    storage_account_id: str


@dataclass(frozen=True, kw_only=True)
class SynapseWorkspace(Element):
    terraform_type: ClassVar[str] = "azurerm_synapse_workspace"
    name: str
    resource_group_name: str
    location: str
    storage_data_lake_gen2_filesystem_id: str
    identity: Identity
    azuread_authentication_only: bool = True  # no SQL password anywhere
    managed_virtual_network_enabled: bool
    # only with a managed virtual network: outbound data only to approved tenants
    data_exfiltration_protection_enabled: bool | None = None
    public_network_access_enabled: bool
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class SynapseAadAdmin(Element):
    terraform_type: ClassVar[str] = "azurerm_synapse_workspace_aad_admin"
    synapse_workspace_id: str
    login: str
    object_id: str
    tenant_id: str


@dataclass(frozen=True, kw_only=True)
class SynapseFirewallRule(Element):
    terraform_type: ClassVar[str] = "azurerm_synapse_firewall_rule"
    name: str
    synapse_workspace_id: str
    start_ip_address: str
    end_ip_address: str


@dataclass(frozen=True, kw_only=True)
class AutoScale(Block):
    min_node_count: int
    max_node_count: int


@dataclass(frozen=True, kw_only=True)
class AutoPause(Block):
    delay_in_minutes: int


@dataclass(frozen=True, kw_only=True)
class SynapseSparkPool(Element):
    terraform_type: ClassVar[str] = "azurerm_synapse_spark_pool"
    name: str
    synapse_workspace_id: str
    node_size_family: str
    node_size: str
    spark_version: str
    auto_scale: AutoScale
    auto_pause: AutoPause
    session_level_packages_enabled: bool = True
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class MachineLearningSynapseSpark(Element):
    """Attaches a Synapse Spark pool to an Azure ML workspace."""

    terraform_type: ClassVar[str] = "azurerm_machine_learning_synapse_spark"
    name: str
    machine_learning_workspace_id: str
    location: str
    synapse_spark_pool_id: str
    identity: Identity
    local_auth_enabled: bool = False
    description: str | None = None
    tags: dict[str, str]


# -- Databricks --------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class DatabricksCustomParameters(Block):
    no_public_ip: bool = True  # secure cluster connectivity: no public IPs on nodes
    virtual_network_id: str | None = None
    public_subnet_name: str | None = None
    private_subnet_name: str | None = None
    public_subnet_network_security_group_association_id: str | None = None
    private_subnet_network_security_group_association_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class DatabricksWorkspace(Element):
    terraform_type: ClassVar[str] = "azurerm_databricks_workspace"
    name: str
    resource_group_name: str
    location: str
    sku: str = "premium"  # RBAC, Unity Catalog, private link; standard retires 2026-10
    managed_resource_group_name: str
    public_network_access_enabled: bool
    network_security_group_rules_required: str | None = None
    custom_parameters: DatabricksCustomParameters
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class DatabricksCurrentUser(Element):
    terraform_type: ClassVar[str] = "databricks_current_user"
    is_data: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class ClusterAutoscale(Block):
    min_workers: int
    max_workers: int


@dataclass(frozen=True, kw_only=True)
class AzureAttributes(Block):
    availability: str  # SPOT_WITH_FALLBACK_AZURE | ON_DEMAND_AZURE
    first_on_demand: int = 1  # the driver stays on demand
    spot_bid_max_price: float = -1  # pay up to the on-demand price, never more


@dataclass(frozen=True, kw_only=True)
class DatabricksCluster(Element):
    terraform_type: ClassVar[str] = "databricks_cluster"
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


# -- networking (private Databricks) -------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class VirtualNetwork(Element):
    terraform_type: ClassVar[str] = "azurerm_virtual_network"
    name: str
    resource_group_name: str
    location: str
    address_space: tuple[str, ...]
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class ServiceDelegation(Block):
    name: str
    actions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Delegation(Block):
    name: str
    service_delegation: ServiceDelegation


@dataclass(frozen=True, kw_only=True)
class Subnet(Element):
    terraform_type: ClassVar[str] = "azurerm_subnet"
    name: str
    resource_group_name: str
    virtual_network_name: str
    address_prefixes: tuple[str, ...]
    default_outbound_access_enabled: bool = False
    delegation: tuple[Delegation, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class NetworkSecurityGroup(Element):
    terraform_type: ClassVar[str] = "azurerm_network_security_group"
    name: str
    resource_group_name: str
    location: str
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class SubnetNsgAssociation(Element):
    terraform_type: ClassVar[str] = "azurerm_subnet_network_security_group_association"
    subnet_id: str
    network_security_group_id: str


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZone(Element):
    terraform_type: ClassVar[str] = "azurerm_private_dns_zone"
    name: str
    resource_group_name: str
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZoneLink(Element):
    terraform_type: ClassVar[str] = "azurerm_private_dns_zone_virtual_network_link"
    name: str
    private_dns_zone_id: str
    virtual_network_id: str
    registration_enabled: bool = False
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class PrivateServiceConnection(Block):
    name: str
    private_connection_resource_id: str
    subresource_names: tuple[str, ...]
    is_manual_connection: bool = False


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZoneGroup(Block):
    name: str
    private_dns_zone_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PrivateEndpoint(Element):
    terraform_type: ClassVar[str] = "azurerm_private_endpoint"
    name: str
    resource_group_name: str
    location: str
    subnet_id: str
    private_service_connection: PrivateServiceConnection
    private_dns_zone_group: PrivateDnsZoneGroup
    tags: dict[str, str]


# -- Azure AI services -------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CognitiveNetworkAcls(Block):
    default_action: str
    bypass: str | None = None


@dataclass(frozen=True, kw_only=True)
class CognitiveAccount(Element):
    terraform_type: ClassVar[str] = "azurerm_cognitive_account"
    name: str
    resource_group_name: str
    location: str
    kind: str
    sku_name: str
    custom_subdomain_name: str  # Entra ID auth and private endpoints need it
    identity: Identity
    local_auth_enabled: bool = False  # no keys: Entra ID only
    public_network_access_enabled: bool
    network_acls: CognitiveNetworkAcls | None = None
    tags: dict[str, str]
