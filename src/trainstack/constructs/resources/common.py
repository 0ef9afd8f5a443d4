"""Resources every stack uses: resource group, client config, Log Analytics, Application
Insights, role assignments, diagnostic settings, action groups and metric alerts, and the
azapi resource action."""

from __future__ import annotations

from typing import Any, Literal

from trainstack.constructs.resources.element import AzureResource, Block, Element


class Identity(Block):
    type: Literal["SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"] = \
        "SystemAssigned"


class ClientConfig(Element, terraform_type="azurerm_client_config", data=True):
    """The identity Terraform runs as: its tenant and object id."""


class ResourceGroup(Element, terraform_type="azurerm_resource_group"):
    name: str
    location: str
    tags: dict[str, str]


class LogAnalyticsWorkspace(AzureResource, terraform_type="azurerm_log_analytics_workspace"):
    sku: str = "PerGB2018"
    retention_in_days: int = 30
    local_authentication_enabled: bool = False


class ApplicationInsights(AzureResource, terraform_type="azurerm_application_insights"):
    workspace_id: str  # workspace-based: classic Application Insights is retired
    application_type: str = "web"
    local_authentication_enabled: bool = False


class RoleAssignment(Element, terraform_type="azurerm_role_assignment"):
    scope: str
    role_definition_name: str
    principal_id: str
    # managed identities; skips a Graph lookup. None: a principal of any kind (a person or a
    # pipeline's service principal), which Azure looks up itself
    principal_type: str | None = "ServicePrincipal"
    description: str | None = None


class ManagementLock(Element, terraform_type="azurerm_management_lock"):
    """A lock on a resource: CanNotDelete keeps it from deletion (by hand or by a destroy)
    until the lock is removed on purpose."""

    name: str
    scope: str
    lock_level: Literal["CanNotDelete", "ReadOnly"] = "CanNotDelete"
    notes: str | None = None


class EnabledLog(Block):
    # exactly one of the two (checked by azurerm at apply)
    category_group: str | None = None
    category: str | None = None


class EnabledMetric(Block):
    category: str


class DiagnosticSetting(Element, terraform_type="azurerm_monitor_diagnostic_setting"):
    name: str
    target_resource_id: str
    log_analytics_workspace_id: str
    enabled_log: tuple[EnabledLog, ...] = (EnabledLog(category_group="allLogs"),)  # every log
    enabled_metric: tuple[EnabledMetric, ...] | None = None


class EmailReceiver(Block):
    name: str
    email_address: str
    use_common_alert_schema: bool = True


class ActionGroup(Element, terraform_type="azurerm_monitor_action_group"):
    name: str
    resource_group_name: str
    short_name: str  # at most 12 characters
    email_receiver: tuple[EmailReceiver, ...]
    tags: dict[str, str]


class MetricDimension(Block):
    name: str
    operator: Literal["Include", "Exclude", "StartsWith"] = "Include"
    values: tuple[str, ...]


class MetricCriteria(Block):
    metric_namespace: str
    metric_name: str
    aggregation: Literal["Average", "Count", "Minimum", "Maximum", "Total"]
    operator: Literal["Equals", "GreaterThan", "GreaterThanOrEqual", "LessThan",
                      "LessThanOrEqual"]
    threshold: float
    dimension: tuple[MetricDimension, ...] | None = None


class AlertAction(Block):
    action_group_id: str


class MetricAlert(Element, terraform_type="azurerm_monitor_metric_alert"):
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


class ResourceAction(Element, terraform_type="azapi_resource_action"):
    """azapi_resource_action: an ARM action the azurerm provider does not expose."""

    type: str
    resource_id: str
    action: str
    method: Literal["POST", "PATCH", "PUT", "DELETE", "GET", "HEAD"] = "POST"
    body: dict[str, Any]


class AzapiResource(Element, terraform_type="azapi_resource"):
    """azapi_resource: an ARM resource the azurerm provider does not have (``type`` is
    "<resource type>@<api-version>", ``body`` the ARM body without name and location)."""

    type: str
    name: str
    parent_id: str
    location: str
    identity: tuple[Identity, ...] | None = None
    body: dict[str, Any]
    tags: dict[str, str] | None = None


class AzapiResourceData(Element, terraform_type="azapi_resource", data=True):
    """An existing ARM resource read whole (``output`` holds ``response_export_values``, a
    map of names to JMESPath queries of its body), for what azurerm's data sources lack."""

    type: str
    resource_id: str
    response_export_values: dict[str, str] | None = None
