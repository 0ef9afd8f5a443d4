"""Step 2, get the data: an identity-based Azure ML datastore for the training data, and
the narrowest role that lets the training compute read it.

Where the data is: ``data.location`` names an existing container (or ADLS Gen2
filesystem); without it the stack makes a ``training-data`` container in the workspace's
storage. Either way it is registered as a datastore with no key and no SAS: a job reads it
as its compute's managed identity (Learn, how-to-identity-based-service-authentication,
"Access data for training jobs on compute using managed identity"), and the studio previews
it as the workspace's identity (``service_data_auth_identity``; Learn,
how-to-administrate-data-authentication). Outputs go to the workspace's storage, where the
cluster already holds Storage Blob Data Contributor (aml.py).

For an existing container the cluster's identity gets Storage Blob Data Reader on that
container only (reads and lists blobs, nothing more), and so does the workspace's identity
for previews. The identity applying the plan must be able to read the account (the provider
reads it to register the datastore: machine_learning_datastore_blobstorage_resource.go) and
to assign roles there (Owner, User Access Administrator or Role Based Access Control
Administrator on the account). A
private workspace's managed network reaches the account through a private endpoint of its
own (an outbound rule), created after the package-source rules (TS-APPLY-012).
"""

from __future__ import annotations

from trainstack.constructs import resources as r
from trainstack.constructs.base import StackBuilder

DATASTORE = "training_data"
READER = "Storage Blob Data Reader"


def add_training_data(b: StackBuilder, workspace: r.MachineLearningWorkspace,
                      cluster: r.ComputeCluster, storage: r.StorageAccount) -> None:
    """The training data's datastore in ``workspace``, readable by ``cluster``."""
    location = b.profile.data.location
    if location is None:
        container = r.StorageContainer(local_name="training_data_container", name="training-data",
                                       storage_account_id=storage.ref())
        b.add(container)
        container_id: str = container.ref()
    else:
        container_id = f"{location.storage_account_id}/blobServices/default/containers/" \
                       f"{location.container}"
    described = (f"trainstack: training data of {b.profile.name} "
                 f"({'an existing container' if location else 'made by the stack'})")
    datastore: r.DatastoreBlob | r.DatastoreDataLakeGen2
    if location is not None and location.hierarchical_namespace:
        datastore = r.DatastoreDataLakeGen2(
            local_name=DATASTORE, name=DATASTORE, workspace_id=workspace.ref(),
            storage_container_id=container_id,
            service_data_identity="WorkspaceSystemAssignedIdentity", description=described,
            tags=b.tags)
    else:
        datastore = r.DatastoreBlob(
            local_name=DATASTORE, name=DATASTORE, workspace_id=workspace.ref(),
            storage_container_id=container_id,
            service_data_auth_identity="WorkspaceSystemAssignedIdentity", description=described,
            tags=b.tags)
    b.add(datastore)
    b.output("training_datastore", datastore.ref("name"), "Azure ML datastore of the training data")
    if location is None:
        return
    b.add(r.RoleAssignment(
        local_name="training_data_read", scope=container_id, role_definition_name=READER,
        principal_id=cluster.ref("identity[0].principal_id"),
        description="the training cluster reads the training data"))
    b.add(r.RoleAssignment(
        local_name="workspace_data_preview", scope=container_id, role_definition_name=READER,
        principal_id=workspace.ref("identity[0].principal_id"),
        description="the studio previews the training data as the workspace"))
    if b.selection.network.outbound:  # a managed network reaches it by a private endpoint
        rules = [e.address for e in b.elements if isinstance(e, r.WorkspaceOutboundFqdn)]
        b.add(r.WorkspaceOutboundPrivateEndpoint(
            local_name="outbound_training_data", name="allow-training-data",
            workspace_id=workspace.ref(), service_resource_id=location.storage_account_id,
            sub_resource_target="dfs" if location.hierarchical_namespace else "blob",
            depends_on=tuple(rules[-1:]) or None))
