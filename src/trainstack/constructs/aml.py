"""The Azure Machine Learning workspace, training cluster and development instance.

Adds to a StackBuilder: storage account, key vault (RBAC, purge protection),
workspace-based Application Insights, container registry; the Azure ML
workspace (system-assigned identity, public network access off and a managed
network for private profiles, with FQDN rules for package sources where only approved
outbound is allowed, diagnostics); the training cluster with the
selected size and scale settings and least-privilege roles for its identity;
a development compute instance with idle shutdown when the team asked for one;
and failure alerts when the profile gives an address.
"""

from __future__ import annotations

from trainstack import alerts, arm
from trainstack.constructs import data_access
from trainstack.constructs import resources as r
from trainstack.constructs.base import StackBuilder, disposable, iso_minutes
from trainstack.select.cost import REDUNDANCY, REGISTRY_SKU
from trainstack.select.models import AmlCluster, AmlInstance

AML_API_VERSION = "2024-10-01"
# the managed network's isolation mode for the selection's outbound choice (NET-OUTBOUND)
ISOLATION = {"internet": "AllowInternetOutbound", "approved-only": "AllowOnlyApprovedOutbound"}


Workspace = r.MachineLearningWorkspace | r.AzapiResourceData  # made, or read


def add_aml(b: StackBuilder, training: AmlCluster) -> Workspace:
    """The workspace and everything it needs (or the existing one the profile names), plus
    the training cluster."""
    if b.profile.existing.aml_workspace_id:
        workspace, storage = _existing_workspace(b, b.profile.existing.aml_workspace_id)
    else:
        workspace, storage = _workspace(b)
        b.output("workspace_name", workspace.ref("name"), "Azure ML workspace name")
    b.aml_storage = storage
    cluster = _training_cluster(b, workspace, storage, training)
    data_access.add_training_data(b, workspace, cluster, storage)
    b.output("workspace_id", workspace.ref(), "Azure ML workspace resource id")
    _alerts(b, workspace, training)
    return workspace


def _existing_workspace(b: StackBuilder, workspace_id: str
                        ) -> tuple[r.AzapiResourceData, r.Known]:
    """The profile's existing workspace, read whole: azurerm's data source has its identity
    but not its storage account (machine_learning_workspace_data_source.go, v5.2.0), which
    the training data and the clusters' data roles need; azapi reads both
    (``properties.storageAccount``, azure-rest-api-specs machinelearningservices 2024-10-01).
    The stack changes nothing of the workspace: not its network, registry or diagnostics."""
    workspace = r.AzapiResourceData(
        local_name="aml_workspace",
        type=f"Microsoft.MachineLearningServices/workspaces@{AML_API_VERSION}",
        resource_id=workspace_id,
        response_export_values={"storage_account_id": "properties.storageAccount"})
    b.add(workspace)
    b.use_azapi()
    return workspace, r.Known(workspace.ref("output.storage_account_id"))


def _workspace(b: StackBuilder) -> tuple[r.MachineLearningWorkspace, r.StorageAccount]:
    """Storage, key vault, Application Insights, registry and the workspace, with its
    diagnostics."""
    names, private, profile = b.names, b.private, b.profile
    storage = _storage(b)
    key_vault = _key_vault(b)
    insights = r.ApplicationInsights(
        local_name="insights", name=names.app_insights, workspace_id=b.logs().ref(), **b.common,
    )
    registry = _registry(b)
    workspace = r.MachineLearningWorkspace(
        local_name="workspace",
        name=names.workspace,
        application_insights_id=insights.ref(),
        key_vault_id=key_vault.ref(),
        storage_account_id=storage.ref(),
        container_registry_id=registry.ref(),
        public_network_access_enabled=not private,
        managed_network=r.ManagedNetwork(isolation_mode=ISOLATION[b.selection.network.outbound])
        if b.selection.network.outbound else None,
        # Less diagnostic data to Microsoft, encrypted scratch disks. Only at creation:
        # changing it later replaces the workspace (ForceNew in azurerm
        # machine_learning_workspace_resource.go), so a prod private workspace starts with it
        # (TS-APPLY-009).
        high_business_impact=True if private and profile.environment == "prod" else None,
        # Behind a private registry, images are built on the cluster.
        image_build_compute_name=names.training_cluster if private else None,
        storage_account_access_type=None if profile.constraints.storage_shared_keys
        else "Identity",
        description=f"trainstack: {profile.problem.predicts}",
        friendly_name=f"{profile.name} ({profile.environment})",
        **b.common,
    )
    made = [e for e in (storage, key_vault, insights, registry, workspace)
            if isinstance(e, r.Element)]  # not an existing registry
    b.add(*made)
    if private:
        # reachable from the network by name: the workspace, and what the studio and the
        # SDK reach directly (the managed network makes its own endpoints for Azure ML)
        b.private_endpoints(workspace)
        b.private_endpoints(storage, arm.FILE)  # notebooks live on the file share
        b.private_endpoints(key_vault)
        if isinstance(registry, r.ContainerRegistry):
            b.private_endpoints(registry)
    if b.selection.network.outbound == "approved-only":
        _package_sources(b, workspace)
    if not profile.constraints.storage_shared_keys:
        _entra_only_storage_roles(b, storage)
    return workspace, storage


# Learn, how-to-disable-local-auth-storage ("Scenarios for role assignments"): with shared
# keys off, people reach the workspace storage with their own identity: the studio's data
# views and datastores need Storage Blob Data Contributor, notebooks and compute instances
# Storage File Data Privileged Contributor on the file share.
ENTRA_ONLY_USER_ROLES = ("Storage Blob Data Contributor",
                         "Storage File Data Privileged Contributor")


def _entra_only_storage_roles(b: StackBuilder, storage: r.StorageAccount) -> None:
    """The identity applying the stack (the development instance's user) gets the data
    roles a workspace whose storage takes no key needs; others are granted the same."""
    for role in ENTRA_ONLY_USER_ROLES:
        local = "deployer_" + role.lower().replace("storage ", "").replace(" ", "_")
        b.add(r.RoleAssignment(
            local_name=local, scope=storage.ref(), role_definition_name=role,
            principal_id=b.client.ref("object_id"), principal_type=None,
            description="the applying identity uses the studio and notebooks without keys"))


def _registry(b: StackBuilder) -> r.ContainerRegistry | r.Known:
    """The workspace's registry: the existing one the profile names, or Basic (Premium,
    closed, for a private profile: private endpoints need Premium)."""
    existing = b.profile.existing.container_registry_id
    if existing:
        return r.Known(existing)
    private = b.private
    return r.ContainerRegistry(
        local_name="registry", name=b.names.container_registry,
        sku=REGISTRY_SKU[private],
        public_network_access_enabled=not private,
        data_endpoint_enabled=True if private else None,
        retention_policy_in_days=7 if private else None,
        zone_redundancy_enabled=True if private else None,  # every catalog region has zones
        **b.common,
    )


def _package_sources(b: StackBuilder, workspace: r.MachineLearningWorkspace) -> None:
    """FQDN outbound rules for the package sources (trainstack/arm.py), one after another:
    rules of one workspace created in parallel overwrite each other and some are lost while
    terraform reports them created (Azure/terraform-provider-azapi#453, the same
    workspaces/outboundRules API azurerm calls; TS-APPLY-012, -013)."""
    previous: r.Element | None = None
    for name, fqdn in arm.PACKAGE_FQDNS:
        rule = r.WorkspaceOutboundFqdn(
            local_name=f"outbound_{name.replace('-', '_')}", name=f"allow-{name}",
            workspace_id=workspace.ref(), destination_fqdn=fqdn,
            depends_on=(previous.address,) if previous else None)
        b.add(rule)
        previous = rule


def _storage(b: StackBuilder) -> r.StorageAccount:
    """The workspace's storage: versioned blobs, 7-day soft delete, ZRS in prod; Entra ID
    only when the profile turns shared keys off (the workspace's system datastores then
    authenticate with identities: Learn, how-to-disable-local-auth-storage, a preview)."""
    private, profile = b.private, b.profile
    return r.StorageAccount(
        shared_access_key_enabled=profile.constraints.storage_shared_keys,
        local_name="storage",
        name=b.names.storage_account,
        # prod survives a zone outage; dev/test data is reproducible
        account_replication_type=REDUNDANCY[profile.environment == "prod"],
        public_network_access_enabled=not private,
        network_rules=r.NetworkRules(default_action="Deny", bypass=("AzureServices",))
        if private else None,
        blob_properties=r.BlobProperties(
            versioning_enabled=True,
            delete_retention_policy=r.RetentionPolicy(days=7),
            container_delete_retention_policy=r.RetentionPolicy(days=7),
        ),
        **b.common,
    )


def _key_vault(b: StackBuilder) -> r.KeyVault:
    """The workspace's key vault: Azure RBAC and purge protection (defaults of the model)."""
    return r.KeyVault(
        local_name="key_vault",
        name=b.names.key_vault,
        tenant_id=b.client.ref("tenant_id"),
        # the name stays held this long after a destroy (purge protection forbids purging;
        # learn.microsoft.com/azure/key-vault/general/soft-delete-overview): the minimum, 7,
        # where stacks are destroyed freely
        soft_delete_retention_days=7 if disposable(b.profile.environment) else 90,
        public_network_access_enabled=not b.private,
        network_acls=r.KeyVaultNetworkAcls(bypass="AzureServices", default_action="Deny")
        if b.private else None,
        **b.common,
    )


def _training_cluster(b: StackBuilder, workspace: Workspace,
                      storage: r.StorageAccount | r.Known, training: AmlCluster
                      ) -> r.ComputeCluster:
    """The cluster of the selected size, scaling from zero, and its least-privilege roles."""
    names, private = b.names, b.private
    cluster = r.ComputeCluster(
        local_name="training",
        name=b.in_shared_workspace(names.training_cluster),
        location=b.region,
        machine_learning_workspace_id=workspace.ref(),
        vm_size=training.vm_size,
        vm_priority="LowPriority" if training.priority == "low-priority" else "Dedicated",
        scale_settings=r.ScaleSettings(
            min_node_count=training.min_nodes,
            max_node_count=training.max_nodes,
            scale_down_nodes_after_idle_duration=iso_minutes(training.idle_minutes),
        ),
        identity=r.Identity(),
        node_public_ip_enabled=not private,
        description=f"training: {training.vm_size} x 0-{training.max_nodes}",
        tags=b.tags,
    )
    b.add(cluster)
    principal = cluster.ref("identity[0].principal_id")
    # Least privilege for jobs that run as the cluster's identity: read and write data in
    # the workspace's storage (Azure grants no storage role to compute identities: Learn,
    # how-to-identity-based-service-authentication, "Access data for training jobs on
    # compute using managed identity"). Not AcrPull on the registry: Azure grants it to
    # the cluster's identity itself ("A managed identity is automatically granted ACRPull
    # role on workspace ACR", same page), and a second assignment of the same role,
    # principal and scope fails the apply with RoleAssignmentExists (TS-APPLY-007).
    b.role("training_storage_data", storage, "Storage Blob Data Contributor", principal,
           "training cluster reads data and writes outputs")
    b.output("training_cluster_name", cluster.ref("name"), "Training compute cluster")
    return cluster


def add_dev_instance(b: StackBuilder, workspace: Workspace,
                     dev: AmlInstance) -> None:
    """The team's compute instance, assigned to the deploying user, with idle shutdown."""
    instance = r.ComputeInstance(
        local_name="development",
        name=b.names.dev_instance,
        machine_learning_workspace_id=workspace.ref(),
        virtual_machine_size=dev.vm_size,
        identity=r.Identity(),
        # The instance belongs to whoever applies the plan; hand it on with
        # a re-apply by that user, not with shared credentials.
        assign_to_user=r.AssignToUser(
            object_id=b.client.ref("object_id"), tenant_id=b.client.ref("tenant_id")
        ),
        node_public_ip_enabled=not b.private,
        description=f"development: {dev.vm_size}, shuts down after {dev.idle_minutes} idle minutes",
        tags=b.tags,
    )
    # azurerm has no idle-shutdown argument for compute instances
    # (hashicorp/terraform-provider-azurerm#20973); the ARM action sets it.
    idle = r.ResourceAction(
        local_name="development_idle_shutdown",
        type=f"Microsoft.MachineLearningServices/workspaces/computes@{AML_API_VERSION}",
        resource_id=instance.ref(),
        action="updateIdleShutdownSetting",
        body={"idleTimeBeforeShutdown": iso_minutes(dev.idle_minutes)},
    )
    b.add(instance, idle)
    # Idle shutdown acts as the instance's identity and never fires unless that identity
    # has Contributor on the workspace (Learn, how-to-create-compute-instance, "Configure
    # idle shutdown"); without it the instance bills around the clock (TS-APPLY-006).
    b.role("development_idle_shutdown_role", workspace, "Contributor",
           instance.ref("identity[0].principal_id"),
           "idle shutdown stops the instance as its own identity")
    b.use_azapi()
    b.output("development_instance_name", instance.ref("name"), "Development compute instance")


def _alerts(b: StackBuilder, workspace: Workspace,
            training: AmlCluster) -> None:
    """Step 6: mail the team when a training run fails, when a cluster nears its quota or
    has an unusable node, and when low-priority nodes are preempted (low-priority only)."""
    profile = b.profile
    email = profile.monitor.alert_email
    if email is None:
        return
    group = r.ActionGroup(
        local_name="alerts", name=f"ag-{profile.name}-{profile.environment}",
        resource_group_name=b.rg.ref("name"), short_name=f"ts{profile.name}"[:12],
        email_receiver=(r.EmailReceiver(name="ml-team", email_address=email),), tags=b.tags,
    )
    b.add(group)
    b.action_group = group
    for alert in alerts.workspace_alerts(training.priority == "low-priority"):
        b.metric_alert(alert, alerts.WORKSPACE, workspace.ref())
