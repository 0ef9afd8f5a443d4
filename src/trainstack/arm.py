"""Facts about Azure Resource Manager and the azurerm provider that decide whether ``apply``
works, shared by the stack builders (constructs/) and the TS-APPLY rules (validate/).

Each fact names its source: a file of hashicorp/terraform-provider-azurerm at v5.2.0 (the
provider trainstack pins) or a Microsoft Learn page. ``terraform validate`` checks none
of them.
"""

from __future__ import annotations

from collections.abc import Iterable

# -- resource provider registration ---------------------------------------------------------
# azurerm 5.x registers no resource provider unless told to: `resource_provider_registrations`
# defaults to "none" (internal/provider/provider.go, DefaultFunc ProviderRegistrationsNone;
# website/docs/guides/5.0-upgrade-guide.html.markdown, "Resource Provider Registration
# Changes"). A resource whose namespace is not registered fails at apply with
# MissingSubscriptionRegistration
# (learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-register-resource-provider).
# `resource_providers_to_register` is added to the chosen set, and registration runs at every
# provider start, registering only what is NotRegistered (internal/resourceproviders/
# registration.go). Names are case-sensitive: Azure lists Insights as `microsoft.insights`
# and a name it does not list is skipped with only a log line (requiring_registration.go;
# required.go: "resource providers are case-sensitive").

REGISTRATION_SETTING = "resource_provider_registrations"
EXTRA_SETTING = "resource_providers_to_register"

# Registered on every subscription by Azure itself (Learn, "Resource providers for Azure
# services", footnote 1 "Registered by default"; MicrosoftDocs/azure-docs
# articles/azure-resource-manager/management/azure-services-resource-providers.md): never
# listed, never a finding. Of those, the ones trainstack's resources use.
ALWAYS_REGISTERED = frozenset({"Microsoft.Resources", "Microsoft.Authorization",
                               "Microsoft.Consumption"})

# The namespaces azurerm calls for each resource type: the "API Providers" section of each
# resource's page (website/docs/r/<name>.html.markdown) at v5.2.0.
NAMESPACES: dict[str, tuple[str, ...]] = {
    "azurerm_resource_group": ("Microsoft.Resources",),
    "azurerm_role_assignment": ("Microsoft.Authorization",),
    "azurerm_management_lock": ("Microsoft.Authorization",),
    "azurerm_log_analytics_workspace": ("Microsoft.OperationalInsights",),
    # Azure creates a "Failure Anomalies" smart detector rule beside every component
    # (Microsoft.AlertsManagement); application_insights_resource.go reads and deletes it.
    "azurerm_application_insights": ("microsoft.insights", "Microsoft.AlertsManagement"),
    "azurerm_monitor_diagnostic_setting": ("microsoft.insights",),
    "azurerm_monitor_action_group": ("microsoft.insights",),
    "azurerm_monitor_metric_alert": ("microsoft.insights",),
    "azurerm_consumption_budget_resource_group": ("Microsoft.Consumption",),
    "azurerm_storage_account": ("Microsoft.Storage",),
    "azurerm_storage_container": ("Microsoft.Storage",),
    "azurerm_storage_data_lake_gen2_filesystem": ("Microsoft.Storage",),
    "azurerm_key_vault": ("Microsoft.KeyVault",),
    "azurerm_container_registry": ("Microsoft.ContainerRegistry",),
    # Learn, how-to-manage-workspace "Resource provider errors": Azure ML needs
    # MachineLearningServices, and Microsoft.Notebooks for the workspace's notebooks.
    "azurerm_machine_learning_workspace": ("Microsoft.MachineLearningServices",
                                           "Microsoft.Notebooks"),
    "azurerm_machine_learning_compute_cluster": ("Microsoft.MachineLearningServices",),
    "azurerm_machine_learning_compute_instance": ("Microsoft.MachineLearningServices",),
    "azurerm_machine_learning_synapse_spark": ("Microsoft.MachineLearningServices",),
    "azurerm_machine_learning_workspace_network_outbound_rule_fqdn": (
        "Microsoft.MachineLearningServices",),
    "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint": (
        "Microsoft.MachineLearningServices",),
    "azurerm_machine_learning_datastore_blobstorage": ("Microsoft.MachineLearningServices",),
    "azurerm_machine_learning_datastore_datalake_gen2": ("Microsoft.MachineLearningServices",),
    "azurerm_synapse_workspace": ("Microsoft.Synapse",),
    "azurerm_synapse_workspace_aad_admin": ("Microsoft.Synapse",),
    "azurerm_synapse_spark_pool": ("Microsoft.Synapse",),
    "azurerm_synapse_firewall_rule": ("Microsoft.Synapse",),
    "azurerm_synapse_managed_private_endpoint": ("Microsoft.Synapse",),
    "azurerm_databricks_access_connector": ("Microsoft.Databricks",),
    "azurerm_databricks_workspace": ("Microsoft.Databricks", "Microsoft.Network"),
    "azurerm_cognitive_account": ("Microsoft.CognitiveServices",),
    "azurerm_virtual_network": ("Microsoft.Network",),
    "azurerm_subnet": ("Microsoft.Network",),
    "azurerm_network_security_group": ("Microsoft.Network",),
    "azurerm_subnet_network_security_group_association": ("Microsoft.Network",),
    "azurerm_private_endpoint": ("Microsoft.Network",),
    "azurerm_private_dns_zone": ("Microsoft.Network",),
    "azurerm_private_dns_zone_virtual_network_link": ("Microsoft.Network",),
    "azurerm_nat_gateway": ("Microsoft.Network",),
    "azurerm_nat_gateway_public_ip_association": ("Microsoft.Network",),
    "azurerm_subnet_nat_gateway_association": ("Microsoft.Network",),
    "azurerm_public_ip": ("Microsoft.Network",),
    "azurerm_user_assigned_identity": ("Microsoft.ManagedIdentity",),
}

# Which of those namespaces each named set registers (internal/resourceproviders/required.go,
# v5.2.0: Core(), Extended() = core + 42, All() = extended + 20, Legacy()). Microsoft.Synapse
# and Microsoft.Notebooks are in none of them.
_CORE = {"Microsoft.Authorization", "Microsoft.ManagedIdentity", "Microsoft.Network",
         "Microsoft.Resources", "Microsoft.Storage"}
_EXTENDED = _CORE | {"Microsoft.ContainerRegistry", "Microsoft.Databricks", "microsoft.insights",
                     "Microsoft.KeyVault", "Microsoft.OperationalInsights"}
_ALL = _EXTENDED | {"Microsoft.AlertsManagement", "Microsoft.CognitiveServices",
                    "Microsoft.MachineLearningServices"}
# legacy (the 4.x default) differs from all here only in lacking Microsoft.AlertsManagement
_LEGACY = _EXTENDED | {"Microsoft.CognitiveServices", "Microsoft.MachineLearningServices"}
REGISTRATION_SETS: dict[str, frozenset[str]] = {
    "none": frozenset(), "core": frozenset(_CORE), "extended": frozenset(_EXTENDED),
    "all": frozenset(_ALL), "legacy": frozenset(_LEGACY),
}


def namespaces_for(resource_types: Iterable[str]) -> tuple[str, ...]:
    """The namespaces a stack of these resource types must have registered, sorted, without
    the ones Azure registers on every subscription."""
    needed = {ns for t in resource_types for ns in NAMESPACES.get(t, ())}
    return tuple(sorted(needed - ALWAYS_REGISTERED, key=str.lower))


# -- diagnostic settings --------------------------------------------------------------------
# What each resource type sends to Log Analytics: a category group of its logs (or, where
# Learn does not say a group works, its categories), and its metric category. A wrong name
# fails only at apply, with a 400 from Azure: azurerm checks none at plan
# (internal/services/monitor/monitor_diagnostic_setting_resource.go, v5.2.0).
# Sources: Learn, "Diagnostic settings policies" (#supported-resources: which types take
# allLogs), the supported-logs and supported-metrics references per type, and
# "Resource Manager template samples for diagnostic settings" (storage: Transaction).
# Left out: Application Insights (its destination cannot be the workspace it is based on:
# Learn, "Diagnostic settings in Azure Monitor"), private endpoints and DNS zones (not
# researched), and metrics nobody can export (Synapse, Databricks, NSGs have none).
ALL_LOGS = "allLogs"
DIAGNOSTICS: dict[str, tuple[str | tuple[str, ...] | None, str | None]] = {
    "azurerm_machine_learning_workspace": (ALL_LOGS, "AllMetrics"),
    "azurerm_key_vault": (ALL_LOGS, "AllMetrics"),
    "azurerm_container_registry": (ALL_LOGS, "AllMetrics"),
    "azurerm_log_analytics_workspace": (ALL_LOGS, "AllMetrics"),  # query audit, to itself
    # no logs at the account (they are the services'); AllMetrics is refused there
    "azurerm_storage_account": (None, "Transaction"),
    "azurerm_synapse_workspace": (ALL_LOGS, None),
    "azurerm_synapse_spark_pool": (ALL_LOGS, None),
    "azurerm_databricks_workspace": (ALL_LOGS, None),
    "azurerm_cognitive_account": (ALL_LOGS, "AllMetrics"),
    "azurerm_network_security_group": (ALL_LOGS, None),
    "azurerm_virtual_network": (ALL_LOGS, "AllMetrics"),
    "azurerm_public_ip": (ALL_LOGS, "AllMetrics"),
    "azurerm_nat_gateway": (None, "AllMetrics"),
}
# A storage account's blob service (its id: the account's + BLOB_SERVICE): the read, write
# and delete logs by name (no Learn page says the group works there) and transactions.
BLOB_SERVICE = "/blobServices/default"
BLOB_SERVICE_DIAGNOSTICS = (("StorageRead", "StorageWrite", "StorageDelete"), "Transaction")

# -- cognitive accounts ---------------------------------------------------------------------
# azurerm_cognitive_account's CustomizeDiff fails the plan when network_acls.bypass is set on
# any other kind: "`network_acls.bypass` cannot be set when `kind` is set to `%s`"
# (internal/services/cognitive/cognitive_account_resource.go, v5.2.0).
BYPASS_KINDS = frozenset({"OpenAI", "AIServices", "TextAnalytics"})


# -- private endpoints ----------------------------------------------------------------------
# A resource with public access off is reachable only through a private endpoint, and only by
# name when its private DNS zone answers for it. The sub-resources (group ids) and zones per
# resource type: learn.microsoft.com/azure/private-link/private-endpoint-dns ("Azure services
# DNS zone configuration"). Storage gets dfs too when it has the hierarchical namespace, and
# file when Azure ML keeps notebooks on it (constructs/aml.py).
BLOB = ("blob", ("privatelink.blob.core.windows.net",))
FILE = ("file", ("privatelink.file.core.windows.net",))
DFS = ("dfs", ("privatelink.dfs.core.windows.net",))
PRIVATE_LINK: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "azurerm_machine_learning_workspace": (
        ("amlworkspace", ("privatelink.api.azureml.ms", "privatelink.notebooks.azure.net")),),
    "azurerm_storage_account": (BLOB,),
    "azurerm_key_vault": (("vault", ("privatelink.vaultcore.azure.net",)),),
    "azurerm_container_registry": (("registry", ("privatelink.azurecr.io",)),),
    "azurerm_cognitive_account": (("account", ("privatelink.cognitiveservices.azure.com",)),),
    "azurerm_synapse_workspace": (
        ("Dev", ("privatelink.dev.azuresynapse.net",)),
        ("Sql", ("privatelink.sql.azuresynapse.net",)),
        ("SqlOnDemand", ("privatelink.sql.azuresynapse.net",))),
    # one databricks_ui_api endpoint serves front and back end; browser_authentication
    # carries the web sign-in (Learn, Azure Databricks "Enable Azure Private Link")
    "azurerm_databricks_workspace": (
        ("databricks_ui_api", ("privatelink.azuredatabricks.net",)),
        ("browser_authentication", ("privatelink.azuredatabricks.net",))),
}


# every zone a trainstack stack may use: what a profile may name an existing zone for
PRIVATE_DNS_ZONES = frozenset(z for e in (*(e for es in PRIVATE_LINK.values() for e in es),
                                          BLOB, FILE, DFS) for z in e[1])


def private_link(resource_type: str, *, hierarchical: bool = False
                 ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The (sub-resource, DNS zones) endpoints a closed resource of this type needs."""
    needed = PRIVATE_LINK.get(resource_type, ())
    return needed + ((DFS,) if hierarchical and resource_type == "azurerm_storage_account"
                     else ())



# -- Azure ML managed network outbound ------------------------------------------------------
# A managed network that allows only approved outbound reaches nothing on the internet but
# what Azure ML adds itself (its required service tags and private endpoints) and what FQDN
# rules allow. The first FQDN rule makes Azure deploy an Azure Firewall (Standard unless set
# otherwise) into the managed network and bill it to the subscription; FQDN rules carry ports
# 80 and 443 only (Learn, machine-learning/how-to-managed-network, "Pricing" and "Select an
# Azure Firewall version"). Package sources, by Learn's "Scenario: Access public machine
# learning packages" and "Scenario: HuggingFace models" (includes/recommended-network-
# outbound.md) unless said otherwise. azurerm never sets the firewall SKU (machine_learning_
# workspace_resource.go expands only isolation_mode), so the estimate prices Standard.
PACKAGE_FQDNS: tuple[tuple[str, str], ...] = (
    ("pypi", "pypi.org"),
    ("pythonhosted", "*.pythonhosted.org"),  # pip's wheel downloads (files.pythonhosted.org)
    ("anaconda", "anaconda.com"),
    ("anaconda-com", "*.anaconda.com"),
    ("anaconda-org", "*.anaconda.org"),
    ("pytorch", "pytorch.org"),
    ("pytorch-sub", "*.pytorch.org"),
    ("tensorflow", "*.tensorflow.org"),
    # the Hub's own API host: Learn's list names only its LFS CDN, but every download starts
    # with a request to huggingface.co (huggingface_hub's ENDPOINT default)
    ("huggingface", "huggingface.co"),
    ("huggingface-lfs", "cdn-lfs.huggingface.co"),
    ("docker", "docker.io"),
    ("docker-io", "*.docker.io"),
    ("docker-com", "*.docker.com"),
    ("docker-cdn", "production.cloudflare.docker.com"),
    ("auth0", "cdn.auth0.com"),
    # pip installs from git (git+https://github.com/...) and release assets
    ("github", "github.com"),
    ("github-content", "*.githubusercontent.com"),
)

# -- names unique in all of Azure ----------------------------------------------------------
# The argument that holds a name Azure requires to be unique across every customer (scope
# "global": learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules;
# an AI services account's custom subdomain is its DNS name, <name>.cognitiveservices.azure.com).
GLOBAL_NAMES = {
    "azurerm_storage_account": "name",
    "azurerm_key_vault": "name",
    "azurerm_container_registry": "name",
    "azurerm_synapse_workspace": "name",
    "azurerm_cognitive_account": "custom_subdomain_name",
}
