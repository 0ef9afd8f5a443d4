"""Azure Synapse Analytics: workspace, ADLS Gen2 data lake and a Spark pool.

The workspace has a system-assigned identity and Entra-ID-only authentication
(no SQL password); its identity may read and write the data lake; the Spark
pool is MemoryOptimized, Spark 3.5, autoscaling from 3 nodes with auto-pause.
A public pool that Azure ML attaches lets Azure services through the firewall;
private profiles get a managed virtual network and no public network access.
"""

from __future__ import annotations

from typing import NamedTuple

from trainstack.constructs import data_access
from trainstack.constructs import resources as r
from trainstack.constructs.base import StackBuilder, group_and_name
from trainstack.select.cost import REDUNDANCY
from trainstack.select.models import SynapsePool


class SynapseParts(NamedTuple):
    workspace: r.SynapseWorkspace | r.Known
    lake: r.StorageAccount | None  # None: an existing workspace's, not the stack's
    spark: r.SynapseSparkPool


DATALAKE_FILESYSTEM = "data"


def dfs_url(account: str, filesystem: str) -> str:
    """The ADLS Gen2 URL of a filesystem in Azure's public cloud, the only one trainstack's
    regions are in."""
    return f"https://{account}.dfs.core.windows.net/{filesystem}"


def _lake(b: StackBuilder) -> r.StorageAccount:
    """The ADLS Gen2 data lake: hierarchical namespace, identities only (no shared keys)."""
    names, private = b.names, b.private
    return r.StorageAccount(
        local_name="datalake", name=names.datalake,
        account_replication_type=REDUNDANCY[b.profile.environment == "prod"],
        is_hns_enabled=True,  # ADLS Gen2: Synapse needs the hierarchical namespace
        shared_access_key_enabled=False,  # Synapse and Azure ML reach it with identities
        public_network_access_enabled=not private,
        network_rules=r.NetworkRules(default_action="Deny", bypass=("AzureServices",))
        if private else None,
        blob_properties=r.BlobProperties(
            delete_retention_policy=r.RetentionPolicy(days=7),
            container_delete_retention_policy=r.RetentionPolicy(days=7),
        ),
        **b.common,
    )


def add_synapse(b: StackBuilder, pool: SynapsePool, *, for_aml: bool = False) -> SynapseParts:
    """The data lake, Synapse workspace, Entra admin and Spark pool, with roles and diagnostics
    (``for_aml``: the pool prepares data for Azure ML, which attaches it); or the pool alone
    in the existing workspace the profile names."""
    if b.profile.existing.synapse_workspace_id:
        return _in_existing(b, pool, b.profile.existing.synapse_workspace_id)
    names, private = b.names, b.private
    lake = _lake(b)
    # The filesystem as a blob container, through Azure Resource Manager: the ADLS Gen2
    # filesystem resource goes through the storage data plane, which needs shared keys or a
    # data role granted to the deploying identity first, and network access to an account
    # a private profile closes (TS-APPLY-003; azurerm storage_data_lake_gen2_filesystem_
    # resource.go, hashicorp/terraform-provider-azurerm#6659).
    filesystem = r.StorageContainer(local_name="datalake_fs", name=DATALAKE_FILESYSTEM,
                                    storage_account_id=lake.ref())
    workspace = r.SynapseWorkspace(
        local_name="synapse", name=names.synapse_workspace,
        # the filesystem's dfs URL (Synapse splits it into account URL and filesystem,
        # synapse_workspace_resource.go expandArmWorkspaceDataLakeStorageAccountDetails);
        # written out, so the order comes from depends_on
        storage_data_lake_gen2_filesystem_id=dfs_url(names.datalake, DATALAKE_FILESYSTEM),
        depends_on=(filesystem.address,), identity=r.Identity(),
        managed_virtual_network_enabled=private, public_network_access_enabled=not private,
        data_exfiltration_protection_enabled=True if private else None,
        **b.common,
    )
    admin = r.SynapseAadAdmin(
        local_name="synapse_admin", synapse_workspace_id=workspace.ref(),
        login="trainstack-deployer", object_id=b.client.ref("object_id"),
        tenant_id=b.client.ref("tenant_id"),
    )
    spark = _spark_pool(b, pool, workspace.ref())
    b.add(lake, filesystem, workspace, admin, spark)
    if private:
        b.private_endpoints(workspace)  # Dev (Studio, Spark), Sql, SqlOnDemand
        b.private_endpoints(lake, hierarchical=True)
    if not private and for_aml:
        # Azure ML submits its Spark jobs to the pool from its own service. The rule admits
        # every Azure tenant's resources, not only this subscription's (Learn, "Azure SQL
        # Database and Azure Synapse Analytics network access controls"), so only a pool
        # Azure ML uses gets it; whether Azure ML needs it is not documented (TS-SEC-016).
        # People add their own address ranges (docs/guide.md).
        b.add(r.SynapseFirewallRule(
            local_name="synapse_azure_services", name="AllowAllWindowsAzureIps",
            synapse_workspace_id=workspace.ref(), start_ip_address="0.0.0.0",
            end_ip_address="0.0.0.0",
        ))
    b.role("synapse_datalake", lake, "Storage Blob Data Contributor",
           workspace.ref("identity[0].principal_id"), "Synapse reads and writes its data lake")
    data_access.add_synapse_lake(b, workspace.ref(), workspace.ref("identity[0].principal_id"),
                                 managed_network=private)
    b.output("synapse_workspace_name", workspace.ref("name"), "Synapse workspace")
    b.output("spark_pool_name", spark.ref("name"), "Synapse Spark pool")
    return SynapseParts(workspace, lake, spark)


def _spark_pool(b: StackBuilder, pool: SynapsePool, workspace_id: str) -> r.SynapseSparkPool:
    """The selected pool: autoscale and auto-pause."""
    return r.SynapseSparkPool(
        local_name="spark", name=b.names.spark_pool, synapse_workspace_id=workspace_id,
        node_size_family=pool.node_family, node_size=pool.node_size,
        spark_version=pool.runtime,
        auto_scale=r.AutoScale(min_node_count=pool.min_nodes, max_node_count=pool.max_nodes),
        auto_pause=r.AutoPause(delay_in_minutes=pool.idle_minutes),
        tags=b.tags,
    )


def _in_existing(b: StackBuilder, pool: SynapsePool, workspace_id: str) -> SynapseParts:
    """The pool in the profile's workspace, whose lake, network, admins and firewall stay as
    its owner made them; its identity (azurerm synapse_workspace_data_source.go exports it)
    reads data.location when the profile names one (no managed private endpoint: whether the
    workspace has a managed network is its owner's)."""
    spark = _spark_pool(b, pool, workspace_id)
    b.add(spark)
    if b.profile.data.location is not None:
        group, name = group_and_name(workspace_id)
        existing = r.SynapseWorkspaceData(local_name="synapse", name=name,
                                          resource_group_name=group)
        b.add(existing)
        data_access.add_synapse_lake(b, workspace_id, existing.ref("identity[0].principal_id"),
                                     managed_network=False)
    b.output("spark_pool_name", spark.ref("name"), "Synapse Spark pool")
    return SynapseParts(r.Known(workspace_id), None, spark)


def link_to_aml(b: StackBuilder, workspace: r.Element, synapse: SynapseParts) -> None:
    """Attach the Spark pool to Azure ML, so AML jobs prepare data on it."""
    link = r.MachineLearningSynapseSpark(
        local_name="spark_link", name=b.in_shared_workspace(b.names.aml_spark_link),
        machine_learning_workspace_id=workspace.ref(), location=b.region,
        synapse_spark_pool_id=synapse.spark.ref(), identity=r.Identity(),
        description="Synapse Spark pool for data preparation", tags=b.tags,
    )
    b.add(link)
    if synapse.lake is not None:  # an existing workspace's lake is its owner's to share
        b.role("spark_link_datalake", synapse.lake, "Storage Blob Data Contributor",
               link.ref("identity[0].principal_id"),
               "Azure ML's Spark jobs read and write the lake")
    b.output("aml_spark_compute_name", link.ref("name"), "Spark pool attached to Azure ML")
