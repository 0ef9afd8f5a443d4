"""Azure Databricks: a premium workspace and the training cluster.

The workspace uses secure cluster connectivity (no public IPs on nodes). A
private profile injects it into its own virtual network, turns public network
access off and reaches the UI/API through a private endpoint with its DNS
zone. The cluster (databricks provider) runs the ML or GPU-ML runtime in
dedicated (single-user) access mode, autoscales, terminates when idle and puts
workers on spot VMs when the selection allows.
"""

from __future__ import annotations

from trainstack.constructs import data_access
from trainstack.constructs import resources as r
from trainstack.constructs.base import StackBuilder, group_and_name
from trainstack.select.models import DatabricksCluster

DELEGATION = r.Delegation(name="databricks", service_delegation=r.ServiceDelegation(
    name="Microsoft.Databricks/workspaces",
    actions=("Microsoft.Network/virtualNetworks/subnets/join/action",
             "Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action",
             "Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action"),
))


def add_databricks(b: StackBuilder, cluster: DatabricksCluster) -> None:
    """The premium workspace (VNet-injected and private for private profiles), or the
    existing one the profile names, and the training cluster."""
    existing = b.profile.existing.databricks_workspace_id
    workspace = _existing_workspace(b, existing) if existing else _workspace(b)
    b.use_databricks(workspace)

    # Read at plan time; before the workspace exists its provider has no host and the
    # first plan fails ("default auth: cannot configure default credentials"). The
    # databricks provider's guide (docs/guides/azure-workspace.md, "Data resources and
    # Authentication is not configured errors") prescribes this depends_on.
    me = r.DatabricksCurrentUser(local_name="me",
                                 depends_on=None if existing else (workspace.address,))
    spot = cluster.priority == "low-priority"
    single_node = cluster.max_nodes == 0
    training = r.DatabricksCluster(
        local_name="training",
        cluster_name=f"{b.profile.name}-training",
        spark_version=cluster.runtime,
        node_type_id=cluster.vm_size,
        autotermination_minutes=cluster.idle_minutes,
        azure_attributes=r.AzureAttributes(
            availability="SPOT_WITH_FALLBACK_AZURE" if spot else "ON_DEMAND_AZURE"),
        autoscale=None if single_node or cluster.min_nodes == cluster.max_nodes else
        r.ClusterAutoscale(min_workers=cluster.min_nodes, max_workers=cluster.max_nodes),
        num_workers=0 if single_node else (
            cluster.max_nodes if cluster.min_nodes == cluster.max_nodes else None),
        single_user_name=me.ref("user_name"),
        spark_conf={"spark.databricks.cluster.profile": "singleNode", "spark.master": "local[*]"}
        if single_node else None,
        custom_tags={**b.tags, **({"ResourceClass": "SingleNode"} if single_node else {})},
    )
    b.add(me, training)
    b.output("databricks_workspace_url", workspace.ref("workspace_url"), "Databricks workspace URL")
    b.output("databricks_cluster_id", training.ref(), "Training cluster id")
    data_access.add_databricks_lake(b)


def _workspace(b: StackBuilder) -> r.DatabricksWorkspace:
    """A premium workspace; VNet-injected, closed and reached by a private endpoint for a
    private profile."""
    names = b.names
    params = _private_network(b) if b.private else r.DatabricksCustomParameters()
    workspace = r.DatabricksWorkspace(
        local_name="databricks", name=names.databricks_workspace,
        managed_resource_group_name=names.databricks_managed_rg,
        public_network_access_enabled=not b.private,
        # with public access off, Azure manages no NSG rules for the control plane
        network_security_group_rules_required="NoAzureDatabricksRules" if b.private else None,
        custom_parameters=params, **b.common,
    )
    b.add(workspace)
    if b.private:
        b.private_endpoints(workspace)  # UI/API and the web sign-in (trainstack/arm.py)
    return workspace


def _existing_workspace(b: StackBuilder, workspace_id: str) -> r.DatabricksWorkspaceData:
    """The profile's workspace, read for its URL (azurerm databricks_workspace_data_source.go
    exports workspace_url): its network and settings stay as its owner made them."""
    group, name = group_and_name(workspace_id)
    workspace = r.DatabricksWorkspaceData(local_name="databricks", name=name,
                                          resource_group_name=group)
    b.add(workspace)
    return workspace


def _private_network(b: StackBuilder) -> r.DatabricksCustomParameters:
    """VNet injection: public (host) and private (container) subnets with one NSG, in the
    stack's network or in the existing one the profile names (subnets of a network in
    another resource group take that group: azurerm subnet.html.markdown, v5.2.0)."""
    existing = b.profile.constraints.existing_network
    ranges = existing.databricks_subnets if existing else None
    if existing is not None and existing.virtual_network_id and ranges is not None:
        vnet_id: str = existing.virtual_network_id
        group, vnet_name = group_and_name(vnet_id)
        prefixes = {"host": ranges.host, "container": ranges.container}
        # a network others share: each workspace's pair of its own (Learn, vnet-inject)
        label = f"snet-{b.profile.name}-{b.profile.environment}-dbw"
    else:
        vnet = b.vnet()
        vnet_id, group, vnet_name = vnet.ref(), b.rg.ref("name"), vnet.ref("name")
        prefixes = {"host": "10.139.0.0/22", "container": "10.139.4.0/22"}
        label = "snet-dbw"
    nsg = r.NetworkSecurityGroup(local_name="databricks_nsg",
                                 name=f"nsg-{b.profile.name}-{b.profile.environment}-dbw",
                                 **b.common)
    subnets = {}
    for role, prefix in prefixes.items():
        subnets[role] = r.Subnet(
            local_name=f"databricks_{role}", name=f"{label}-{role}",
            resource_group_name=group, virtual_network_name=vnet_name,
            address_prefixes=(prefix,), delegation=(DELEGATION,),
        )
    links = {role: r.SubnetNsgAssociation(local_name=f"databricks_{role}_nsg",
                                          subnet_id=subnet.ref(),
                                          network_security_group_id=nsg.ref())
             for role, subnet in subnets.items()}
    b.add(nsg, *subnets.values(), *links.values())
    if b.selection.network.egress == "nat-gateway":
        _nat_gateway(b, subnets)
    return r.DatabricksCustomParameters(
        virtual_network_id=vnet_id,
        public_subnet_name=subnets["host"].ref("name"),
        private_subnet_name=subnets["container"].ref("name"),
        public_subnet_network_security_group_association_id=links["host"].ref(),
        private_subnet_network_security_group_association_id=links["container"].ref(),
    )


def _nat_gateway(b: StackBuilder, subnets: dict[str, r.Subnet]) -> None:
    """Egress for the no-public-IP cluster nodes (NET-EGRESS): a NAT gateway with a static
    public IP on both injected subnets. Their subnets have no default outbound access
    (resources/network.py), and with VNet injection Azure makes no gateway (azurerm
    databricks_workspace's nat_gateway_name: "only for workspace with managed virtual
    network"). One zone for both, as azurerm's nat_gateway_public_ip_association example
    does: a zonal gateway takes an address of its own zone (TS-APPLY-014)."""
    names = f"{b.profile.name}-{b.profile.environment}-dbw"
    address = r.PublicIp(local_name="databricks_egress_ip", name=f"pip-{names}-nat",
                         zones=("1",), **b.common)
    gateway = r.NatGateway(local_name="databricks_egress", name=f"ng-{names}", zones=("1",),
                           **b.common)
    b.add(address, gateway,
          r.NatGatewayPublicIp(local_name="databricks_egress_ip_link",
                               nat_gateway_id=gateway.ref(),
                               public_ip_address_id=address.ref()),
          *(r.SubnetNatGateway(local_name=f"databricks_{role}_egress", subnet_id=subnet.ref(),
                               nat_gateway_id=gateway.ref())
            for role, subnet in subnets.items()))
