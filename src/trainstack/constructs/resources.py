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


def ref(terraform_type: str, local_name: str, attribute: str, *, data: bool = False) -> str:
    """A Terraform interpolation of another element's attribute."""
    prefix = "data." if data else ""
    return f"${{{prefix}{terraform_type}.{local_name}.{attribute}}}"


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

    def ref(self, attribute: str = "id") -> str:
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
    public_network_access_enabled: bool | None = None
    network_rules: NetworkRules | None = None
    blob_properties: BlobProperties | None = None
    tags: dict[str, str]


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
    enabled_metric: tuple[EnabledMetric, ...]


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
