"""The Azure Machine Learning training stack for a selection.

Builds a StackSpec (plain data) of: resource group; storage account, key vault
(RBAC, purge protection), Log Analytics + workspace-based Application
Insights, container registry; the Azure ML workspace (system-assigned
identity, public network access off and a managed network for private
profiles); the training cluster with the selected size and scale settings; and
a development compute instance with idle shutdown when the team asked for one.
"""

from __future__ import annotations

from trainstack.constructs import resources as r
from trainstack.constructs.spec import (
    AZAPI,
    AZURERM,
    BackendSpec,
    OutputSpec,
    ProviderSpec,
    StackSpec,
)
from trainstack.naming import names_for
from trainstack.profile.models import WorkloadProfile
from trainstack.select.models import Selection
from trainstack.settings import Settings

AML_API_VERSION = "2024-10-01"


def tags_for(profile: WorkloadProfile) -> dict[str, str]:
    return {
        "environment": profile.environment,
        "managed-by": "trainstack",
        "workload": profile.name,
    }


def _iso_minutes(minutes: int) -> str:
    return f"PT{minutes}M"


def backend_for(stack_name: str, settings: Settings) -> BackendSpec:
    state = settings.state
    if state.kind == "azurerm":
        return BackendSpec(
            kind="azurerm",
            config={
                "resource_group_name": state.resource_group_name,
                "storage_account_name": state.storage_account_name,
                "container_name": state.container_name,
                "key": f"{stack_name}.tfstate",
                "use_azuread_auth": True,  # Entra ID, not storage account keys
            },
        )
    # Relative, so the synthesized JSON does not depend on where it was written.
    return BackendSpec(kind="local", config={"path": f"terraform.{stack_name}.tfstate"})


def build_aml_stack(profile: WorkloadProfile, selection: Selection, settings: Settings) -> StackSpec:
    """The StackSpec for an azure-ml selection. Pure: no I/O, no engine."""
    if selection.service != "azure-ml":
        raise ValueError(f"build_aml_stack needs an azure-ml selection, got {selection.service}")
    training = selection.training()
    if training is None:
        raise ValueError("an azure-ml selection has a training compute")
    dev = selection.development()
    private = profile.constraints.network == "private"
    region = selection.region
    names = names_for(profile.name, profile.environment, region, training.accelerator,
                      settings.name_salt)
    tags = tags_for(profile)

    client = r.ClientConfig(local_name="current")
    rg = r.ResourceGroup(local_name="rg", name=names.resource_group, location=region, tags=tags)
    common = {"resource_group_name": rg.ref("name"), "location": region, "tags": tags}

    storage = r.StorageAccount(
        local_name="storage",
        name=names.storage_account,
        # prod survives a zone outage; dev/test data is reproducible
        account_replication_type="ZRS" if profile.environment == "prod" else "LRS",
        public_network_access_enabled=not private,
        network_rules=r.NetworkRules(default_action="Deny", bypass=("AzureServices",))
        if private else None,
        blob_properties=r.BlobProperties(
            versioning_enabled=True,
            delete_retention_policy=r.RetentionPolicy(days=7),
            container_delete_retention_policy=r.RetentionPolicy(days=7),
        ),
        **common,
    )
    key_vault = r.KeyVault(
        local_name="key_vault",
        name=names.key_vault,
        tenant_id=client.ref("tenant_id"),
        public_network_access_enabled=not private,
        network_acls=r.KeyVaultNetworkAcls(bypass="AzureServices", default_action="Deny")
        if private else None,
        **common,
    )
    logs = r.LogAnalyticsWorkspace(
        local_name="logs", name=names.log_analytics,
        retention_in_days=90 if profile.environment == "prod" else 30, **common,
    )
    insights = r.ApplicationInsights(
        local_name="insights", name=names.app_insights, workspace_id=logs.ref(), **common,
    )
    registry = r.ContainerRegistry(
        local_name="registry",
        name=names.container_registry,
        # Private endpoints (the managed network's) need Premium.
        sku="Premium" if private else "Basic",
        public_network_access_enabled=not private,
        **common,
    )
    workspace = r.MachineLearningWorkspace(
        local_name="workspace",
        name=names.workspace,
        application_insights_id=insights.ref(),
        key_vault_id=key_vault.ref(),
        storage_account_id=storage.ref(),
        container_registry_id=registry.ref(),
        identity=r.Identity(),
        public_network_access_enabled=not private,
        managed_network=r.ManagedNetwork(isolation_mode="AllowOnlyApprovedOutbound")
        if private else None,
        # Behind a private registry, images are built on the cluster.
        image_build_compute_name=names.training_cluster if private else None,
        description=f"trainstack: {profile.problem.predicts}",
        friendly_name=f"{profile.name} ({profile.environment})",
        **common,
    )
    cluster = r.ComputeCluster(
        local_name="training",
        name=names.training_cluster,
        location=region,
        machine_learning_workspace_id=workspace.ref(),
        vm_size=training.vm_size,
        vm_priority="LowPriority" if training.priority == "low-priority" else "Dedicated",
        scale_settings=r.ScaleSettings(
            min_node_count=training.min_nodes,
            max_node_count=training.max_nodes,
            scale_down_nodes_after_idle_duration=_iso_minutes(training.idle_minutes),
        ),
        identity=r.Identity(),
        node_public_ip_enabled=not private,
        description=f"training: {training.vm_size} x 0-{training.max_nodes}",
        tags=tags,
    )
    diagnostics = r.DiagnosticSetting(
        local_name="workspace_diagnostics",
        name=f"diag-{names.workspace}",
        target_resource_id=workspace.ref(),
        log_analytics_workspace_id=logs.ref(),
        enabled_log=(r.EnabledLog(category_group="allLogs"),),
        enabled_metric=(r.EnabledMetric(category="AllMetrics"),),
    )
    cluster_principal = cluster.ref("identity[0].principal_id")
    # Least privilege for jobs that run as the cluster's identity: read and write
    # data in the workspace's storage, pull images from its registry.
    roles = [
        r.RoleAssignment(
            local_name="training_storage_data", scope=storage.ref(),
            role_definition_name="Storage Blob Data Contributor", principal_id=cluster_principal,
            description="training cluster reads data and writes outputs",
        ),
        r.RoleAssignment(
            local_name="training_registry_pull", scope=registry.ref(),
            role_definition_name="AcrPull", principal_id=cluster_principal,
            description="training cluster pulls environment images",
        ),
    ]
    elements: list[r.Element] = [client, rg, storage, key_vault, logs, insights, registry,
                                 workspace, diagnostics, cluster, *roles]
    elements += _alerts(profile, rg, workspace, tags)
    outputs = {
        "resource_group_name": OutputSpec(rg.ref("name"), "Resource group of the workload"),
        "workspace_name": OutputSpec(workspace.ref("name"), "Azure ML workspace name"),
        "workspace_id": OutputSpec(workspace.ref(), "Azure ML workspace resource id"),
        "training_cluster_name": OutputSpec(cluster.ref("name"), "Training compute cluster"),
    }
    providers = [ProviderSpec("azurerm", *AZURERM, config=_azurerm_config(private))]

    if dev is not None:
        instance = r.ComputeInstance(
            local_name="development",
            name=names.dev_instance,
            machine_learning_workspace_id=workspace.ref(),
            virtual_machine_size=dev.vm_size,
            identity=r.Identity(),
            # The instance belongs to whoever applies the plan; hand it on with
            # a re-apply by that user, not with shared credentials.
            assign_to_user=r.AssignToUser(
                object_id=client.ref("object_id"), tenant_id=client.ref("tenant_id")
            ),
            node_public_ip_enabled=not private,
            description=f"development: {dev.vm_size}, shuts down after {dev.idle_minutes} idle minutes",
            tags=tags,
        )
        # azurerm has no idle-shutdown argument for compute instances
        # (hashicorp/terraform-provider-azurerm#20973); the ARM action sets it.
        idle = r.ResourceAction(
            local_name="development_idle_shutdown",
            type=f"Microsoft.MachineLearningServices/workspaces/computes@{AML_API_VERSION}",
            resource_id=instance.ref(),
            action="updateIdleShutdownSetting",
            body={"idleTimeBeforeShutdown": _iso_minutes(dev.idle_minutes)},
        )
        elements += [instance, idle]
        outputs["development_instance_name"] = OutputSpec(
            instance.ref("name"), "Development compute instance"
        )
        providers.append(ProviderSpec("azapi", *AZAPI))

    return StackSpec(
        name=profile.name,
        providers=tuple(providers),
        elements=tuple(elements),
        backend=backend_for(profile.name, settings),
        outputs=outputs,
    )


def _alerts(profile: WorkloadProfile, rg: r.ResourceGroup, workspace: r.MachineLearningWorkspace,
            tags: dict[str, str]) -> list[r.Element]:
    """Step 6: mail the team when a training run fails."""
    email = profile.monitor.alert_email
    if email is None:
        return []
    group = r.ActionGroup(
        local_name="alerts", name=f"ag-{profile.name}-{profile.environment}",
        resource_group_name=rg.ref("name"), short_name=f"ts{profile.name}"[:12],
        email_receiver=(r.EmailReceiver(name="ml-team", email_address=email),), tags=tags,
    )
    failed = r.MetricAlert(
        local_name="failed_runs", name=f"alert-{profile.name}-{profile.environment}-failed-runs",
        resource_group_name=rg.ref("name"), scopes=(workspace.ref(),),
        description="A training run failed in the Azure ML workspace",
        severity=2, frequency="PT15M", window_size="PT1H",
        criteria=(r.MetricCriteria(
            metric_namespace="Microsoft.MachineLearningServices/workspaces",
            metric_name="Failed Runs", aggregation="Total", operator="GreaterThan", threshold=0,
        ),),
        action=(r.AlertAction(action_group_id=group.ref()),), tags=tags,
    )
    return [group, failed]


def _azurerm_config(private: bool) -> dict:
    features: dict = {
        # Soft-deleted vaults and workspaces come back on re-create instead of
        # failing on the name; purge protection forbids purging anyway.
        "key_vault": [{"purge_soft_delete_on_destroy": False, "recover_soft_deleted_key_vaults": True}],
        "machine_learning": [{"purge_soft_deleted_workspace_on_destroy": False}],
    }
    if private:
        # With public access off the runner cannot reach the storage data plane.
        features["storage"] = [{"data_plane_available": False}]
    return {"features": [features], "storage_use_azuread": True}
