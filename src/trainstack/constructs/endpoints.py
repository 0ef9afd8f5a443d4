"""Step 5, integrate: the endpoint the model is deployed to (``deploy.endpoint``).

azurerm has no Azure ML endpoint resource (the 5.x schema and its machinelearning package
register none), so both kinds are ``azapi_resource`` at the workspace's API version
(azure-rest-api-specs, machinelearningservices stable/2024-10-01, mfe.json):
- online: a managed online endpoint with Entra (key-less) auth (``authMode: AADToken``;
  callers need the score action, e.g. "AzureML Data Scientist" or a custom role), public
  network access off for a private profile (then it answers only through the workspace's
  private endpoint: Learn, how-to-secure-online-endpoint), a system-assigned identity (Azure
  ML grants it the registry and storage roles its deployments pull with: Learn,
  how-to-disable-local-auth-storage, "Scenarios for role assignments"), its logs to Log
  Analytics and alerts on server errors and latency;
- batch: a batch endpoint (Entra auth is the only kind batch endpoints take: Learn,
  how-to-authenticate-batch-endpoint) and the cluster its deployments score on, scaling from
  zero, with the data role on the workspace storage (inputs in, predictions out).
The model deployment is not infrastructure: docs/guide.md (step 5) shows the CLI step that
creates it once a model is registered. Deleting an endpoint deletes its deployments (Learn,
how-to-deploy-online-endpoints).
"""

from __future__ import annotations

from trainstack import alerts, arm
from trainstack.constructs import resources as r
from trainstack.constructs.aml import AML_API_VERSION
from trainstack.constructs.base import StackBuilder, iso_minutes
from trainstack.select.models import AmlCluster, AmlOnlineEndpoint

ONLINE = f"Microsoft.MachineLearningServices/workspaces/onlineEndpoints@{AML_API_VERSION}"
BATCH = f"Microsoft.MachineLearningServices/workspaces/batchEndpoints@{AML_API_VERSION}"


def add_endpoint(b: StackBuilder, workspace: r.Element,
                 storage: r.StorageAccount | r.Known) -> None:
    """The selection's inference compute as an online or batch endpoint."""
    compute = b.selection.role("inference")
    if isinstance(compute, AmlOnlineEndpoint):
        _online(b, workspace, compute)
    elif isinstance(compute, AmlCluster):
        _batch(b, workspace, storage, compute)


def _online(b: StackBuilder, workspace: r.Element,
            compute: AmlOnlineEndpoint) -> None:
    """A managed online endpoint, key-less, its logs and alerts."""
    profile = b.profile
    endpoint = r.AzapiResource(
        local_name="online_endpoint", type=ONLINE, name=b.names.online_endpoint,
        parent_id=workspace.ref(), location=b.region, identity=(r.Identity(),),
        body={"kind": "Managed", "properties": {
            "authMode": "AADToken",
            "publicNetworkAccess": "Disabled" if b.private else "Enabled",
            "description": f"trainstack: {profile.name} ({profile.environment}), "
                           f"{compute.vm_size} x {compute.max_nodes}",
        }},
        tags=b.tags)
    b.add(endpoint)
    b.use_azapi()
    # Learn lists allLogs for online endpoints (AmlOnlineEndpointConsoleLog, EventLog,
    # TrafficLog); their metrics are not exported by diagnostic settings
    b.diagnostics("online_endpoint_diagnostics", b.names.online_endpoint, endpoint.ref(),
                  (arm.ALL_LOGS, None))
    if b.action_group is not None:
        for alert in alerts.ENDPOINT_ALERTS:
            b.metric_alert(alert, alerts.ONLINE_ENDPOINT, endpoint.ref())
    b.output("online_endpoint_name", endpoint.ref("name"),
             f"Managed online endpoint (deploy the model to it on {compute.vm_size} x "
             f"{compute.max_nodes}: docs/guide.md, step 5)")


def _batch(b: StackBuilder, workspace: r.Element, storage: r.StorageAccount | r.Known,
           compute: AmlCluster) -> None:
    """A batch endpoint and the cluster it scores on."""
    cluster = r.ComputeCluster(
        local_name="scoring", name=b.in_shared_workspace(f"score-{compute.accelerator}"),
        location=b.region,
        machine_learning_workspace_id=workspace.ref(), vm_size=compute.vm_size,
        vm_priority="LowPriority" if compute.priority == "low-priority" else "Dedicated",
        scale_settings=r.ScaleSettings(
            min_node_count=0, max_node_count=compute.max_nodes,
            scale_down_nodes_after_idle_duration=iso_minutes(compute.idle_minutes)),
        identity=r.Identity(), node_public_ip_enabled=not b.private,
        description=f"batch scoring: {compute.vm_size} x 0-{compute.max_nodes}", tags=b.tags)
    endpoint = r.AzapiResource(
        local_name="batch_endpoint", type=BATCH, name=b.names.batch_endpoint,
        parent_id=workspace.ref(), location=b.region,
        body={"properties": {
            "authMode": "AADToken",
            "description": f"trainstack: {b.profile.name} ({b.profile.environment}), scores "
                           f"on {cluster.name}",
        }},
        tags=b.tags)
    b.add(cluster, endpoint)
    # the scoring job runs as the cluster's identity: it reads inputs from and writes
    # predictions to the workspace storage (the same reason as the training cluster's role)
    b.role("scoring_storage_data", storage, "Storage Blob Data Contributor",
           cluster.ref("identity[0].principal_id"), "batch scoring reads inputs, writes outputs")
    b.output("batch_endpoint_name", endpoint.ref("name"), "Batch endpoint")
    b.output("scoring_cluster_name", cluster.ref("name"), "Batch scoring cluster")
    b.use_azapi()
