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
from trainstack.profile.existing import DataLocation

DATASTORE = "training_data"
READER = "Storage Blob Data Reader"


def container_of(location: DataLocation) -> str:
    """The ARM id of the location's container (what a role on the container is scoped to)."""
    return f"{location.storage_account_id}/blobServices/default/containers/{location.container}"


def add_training_data(b: StackBuilder, workspace: r.Element, cluster: r.ComputeCluster,
                      storage: r.StorageAccount | r.Known) -> None:
    """The training data's datastore in ``workspace``, readable by ``cluster``."""
    location = b.profile.data.location
    if location is None:
        container = r.StorageContainer(local_name="training_data_container", name="training-data",
                                       storage_account_id=storage.ref())
        b.add(container)
        container_id: str = container.ref()
    else:
        container_id = container_of(location)
    described = (f"trainstack: training data of {b.profile.name} "
                 f"({'an existing container' if location else 'made by the stack'})")
    datastore: r.DatastoreBlob | r.DatastoreDataLakeGen2
    name = b.in_shared_workspace(DATASTORE, "_")
    if location is not None and location.hierarchical_namespace:
        datastore = r.DatastoreDataLakeGen2(
            local_name=DATASTORE, name=name, workspace_id=workspace.ref(),
            storage_container_id=container_id,
            service_data_identity="WorkspaceSystemAssignedIdentity", description=described,
            tags=b.tags)
    else:
        datastore = r.DatastoreBlob(
            local_name=DATASTORE, name=name, workspace_id=workspace.ref(),
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


def add_databricks_lake(b: StackBuilder) -> None:
    """Databricks reads ``data.location`` through Unity Catalog, the one key-less way Learn
    documents (a classic cluster needs a service principal secret, a SAS or the account
    key; credential passthrough is deprecated): an access connector, whose managed identity
    gets Storage Blob Data Contributor on the container (the role the databricks provider's
    Unity Catalog guide grants; Learn: "assigning it permissions on the storage container"),
    a storage credential over it and a read-only external location at the container's
    ``abfss://`` URL (Learn, storage-credentials: external locations need a hierarchical
    namespace, which the selector checks). The single-user training cluster is a Unity
    Catalog cluster. Creating a storage credential over a managed identity needs a
    Databricks account admin (Learn): docs/guide.md says who runs the apply."""
    location = b.profile.data.location
    if location is None:
        return
    profile = b.profile
    container = container_of(location)
    connector = r.AccessConnector(local_name="lake_connector",
                                  name=f"ac-{profile.name}-{profile.environment}",
                                  identity=r.Identity(), **b.common)
    role = r.RoleAssignment(
        local_name="lake_connector_data", scope=container,
        role_definition_name="Storage Blob Data Contributor",
        principal_id=connector.ref("identity[0].principal_id"),
        description="Unity Catalog reaches the training data as the access connector")
    # unique in the metastore, which every workspace of the region shares
    uc_name = f"{profile.name}_{profile.environment}_{b.names.suffix}".replace("-", "_")
    credential = r.StorageCredential(
        local_name="lake", name=uc_name,
        azure_managed_identity=r.AzureManagedIdentity(access_connector_id=connector.ref()),
        comment=f"trainstack: the training data of {profile.name} ({profile.environment})",
        depends_on=(role.address,))  # Unity Catalog checks its access when it is created
    account = location.storage_account_id.rsplit("/", 1)[1]
    external = r.ExternalLocation(
        local_name="training_data", name=uc_name,
        url=f"abfss://{location.container}@{account}.dfs.core.windows.net/",
        credential_name=credential.ref("name"), read_only=True,
        comment="trainstack: training data, read-only", depends_on=(role.address,))
    b.add(connector, role, credential, external)
    b.output("training_data_url", external.ref("url"), "Unity Catalog external location of "
             "the training data (read-only)")


def add_synapse_lake(b: StackBuilder, workspace_id: str, principal: str,
                     managed_network: bool) -> None:
    """Synapse reads ``data.location`` as its workspace identity, which batch jobs and
    pipelines run as (Learn, apache-spark-secure-credentials-with-tokenlibrary): Storage Blob
    Data Reader on that container; a workspace with a managed virtual network reaches the
    account through a managed private endpoint, which the account's owner approves."""
    location = b.profile.data.location
    if location is None:
        return
    b.add(r.RoleAssignment(
        local_name="synapse_training_data_read", scope=container_of(location),
        role_definition_name=READER, principal_id=principal,
        description="Synapse jobs read the training data as the workspace"))
    if managed_network:
        b.add(r.SynapseManagedPrivateEndpoint(
            local_name="synapse_training_data", name="training-data",
            synapse_workspace_id=workspace_id, target_resource_id=location.storage_account_id,
            subresource_name="dfs" if location.hierarchical_namespace else "blob"))
