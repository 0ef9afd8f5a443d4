"""What a profile names that already exists in Azure, by resource id: the container that
holds the training data, an enterprise network's subnet and private DNS zones.

Ids are written into the stacks as they are given, so their patterns admit ASCII only.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, model_validator

from trainstack import arm
from trainstack.profile.section import Section

GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GROUP = rf"/subscriptions/{GUID}/resourceGroups/[A-Za-z0-9_.()-]{{0,89}}[A-Za-z0-9_()-]"
STORAGE_ACCOUNT_ID_PATTERN = (rf"^{GROUP}/providers/Microsoft\.Storage/storageAccounts/"
                              r"[a-z0-9]{3,24}$")
# Azure's container names: 3-63 lower-case letters, digits and single hyphens, starting and
# ending with a letter or digit (Learn, "Naming and referencing containers, blobs, and
# metadata"); "--" is refused below (the schema's regex has no look-ahead)
CONTAINER_PATTERN = r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"


class DataLocation(Section):
    """Step 2: where the training data is, when it already exists."""

    storage_account_id: str = Field(pattern=STORAGE_ACCOUNT_ID_PATTERN, description=(
        "Resource id of the storage account that holds the data."))
    container: str = Field(pattern=CONTAINER_PATTERN, description=(
        "Blob container (or ADLS Gen2 filesystem) with the training data."))
    hierarchical_namespace: bool = Field(default=False, description=(
        "The account is ADLS Gen2 (hierarchical namespace): registered as a Data Lake "
        "Gen2 datastore instead of a blob one."))

    @model_validator(mode="after")
    def _no_double_hyphen(self) -> DataLocation:
        if "--" in self.container:
            raise ValueError("container: no two hyphens in a row (Azure's container names)")
        return self


# Azure resource ids of what an enterprise network already has (hub-and-spoke). The id
# segments follow learn.microsoft.com/azure/azure-resource-manager/management/
# resource-name-rules (Microsoft.Network: virtual network 2-64 and subnet 1-80 characters of
# alphanumerics, underscores, periods and hyphens; resource groups 1-90 of those and
# parentheses), ASCII only: an id is written into the stack as it is given.
SUBNET_ID_PATTERN = (rf"^{GROUP}/providers/Microsoft\.Network/virtualNetworks/"
                     r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]/subnets/"
                     r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$")
ZONE_ID_PATTERN = rf"^{GROUP}/providers/Microsoft\.Network/privateDnsZones/[a-z0-9.-]{{1,253}}$"
PrivateLinkZone = Literal[tuple(sorted(arm.PRIVATE_DNS_ZONES))]  # type: ignore[valid-type]


VNET_ID_PATTERN = (rf"^{GROUP}/providers/Microsoft\.Network/virtualNetworks/"
                   r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$")
# Learn (vnet-inject): each Databricks subnet "should use a CIDR block that is at least /26"
DATABRICKS_SUBNET_MAX_PREFIX = 26
CIDR_PATTERN = r"^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$"  # IPv4; the validator checks the rest


class DatabricksSubnets(Section):
    """The address ranges of the two subnets the stack makes for Databricks in an existing
    virtual network (each workspace needs a pair of its own: Learn, vnet-inject)."""

    host: str = Field(pattern=CIDR_PATTERN,
                      description="The host (public) subnet's range, /26 or larger.")
    container: str = Field(pattern=CIDR_PATTERN,
                           description="The container (private) subnet's range, /26 or larger.")

    @model_validator(mode="after")
    def _ranges(self) -> DatabricksSubnets:
        nets = []
        for role in ("host", "container"):
            text = getattr(self, role)
            try:
                net = ipaddress.IPv4Network(text, strict=True)
            except ValueError:
                raise ValueError(f"{role}: must be an IPv4 range with its host bits zero, "
                                 f"like 10.20.1.0/26 (got '{text[:40]}')") from None
            if net.prefixlen > DATABRICKS_SUBNET_MAX_PREFIX:
                raise ValueError(f"{role}: Databricks needs /{DATABRICKS_SUBNET_MAX_PREFIX} or "
                                 f"larger (got /{net.prefixlen})")
            nets.append(net)
        if nets[0].overlaps(nets[1]):
            raise ValueError("host and container ranges overlap")
        return self


class ExistingNetwork(Section):
    """What the stack uses instead of creating it: a subnet for the private endpoints, the
    hub's private DNS zones by name (each linked to the spoke by whoever owns it), and a
    virtual network Databricks is injected into."""

    subnet_id: str | None = Field(default=None, pattern=SUBNET_ID_PATTERN, description=(
        "Subnet for the private endpoints; the stack then makes no virtual network for them."))
    private_dns_zone_ids: dict[PrivateLinkZone, str] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Existing private DNS zones, by zone name.")
    virtual_network_id: str | None = Field(default=None, pattern=VNET_ID_PATTERN, description=(
        "Databricks: the virtual network (same region and subscription) the stack makes the "
        "workspace's two subnets in, instead of a network of its own."))
    databricks_subnets: DatabricksSubnets | None = Field(default=None, description=(
        "With virtual_network_id: the two subnets' address ranges."))

    @model_validator(mode="after")
    def _virtual_network_complete(self) -> ExistingNetwork:
        if self.virtual_network_id and not (self.databricks_subnets and self.subnet_id):
            raise ValueError("virtual_network_id needs databricks_subnets (the ranges of the "
                             "two subnets the stack makes there) and subnet_id (where the "
                             "private endpoints go)")
        if self.databricks_subnets and not self.virtual_network_id:
            raise ValueError("databricks_subnets needs virtual_network_id")
        return self

    @model_validator(mode="after")
    def _zone_ids_name_their_zone(self) -> ExistingNetwork:
        for zone, zone_id in self.private_dns_zone_ids.items():
            if re.fullmatch(ZONE_ID_PATTERN, zone_id) is None:
                raise ValueError(f"private_dns_zone_ids.{zone}: must be the resource id of a "
                                 f"private DNS zone (/subscriptions/<id>/resourceGroups/<rg>/"
                                 f"providers/Microsoft.Network/privateDnsZones/{zone})")
            if zone_id.rsplit("/", 1)[1] != zone:
                raise ValueError(f"private_dns_zone_ids.{zone}: the id names the zone "
                                 f"'{zone_id.rsplit('/', 1)[1]}', not '{zone}'")
        return self


def _id_pattern(provider_type: str, name: str) -> str:
    """The resource id of one resource of ``provider_type`` ("Microsoft.X/things")."""
    namespace, kind = provider_type.split("/")
    return rf"^{GROUP}/providers/{re.escape(namespace)}/{kind}/{name}$"


# name rules: Learn, resource-name-rules (Azure ML workspace 3-33, Databricks 3-64,
# Synapse 1-50 lower-case, Log Analytics 4-63, container registry 5-50 alphanumerics)
AML_WORKSPACE_ID = _id_pattern("Microsoft.MachineLearningServices/workspaces",
                               r"[A-Za-z0-9][A-Za-z0-9_-]{2,32}")
DATABRICKS_WORKSPACE_ID = _id_pattern("Microsoft.Databricks/workspaces", r"[A-Za-z0-9_-]{3,64}")
SYNAPSE_WORKSPACE_ID = _id_pattern("Microsoft.Synapse/workspaces",
                                   r"[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?")
LOG_ANALYTICS_ID = _id_pattern("Microsoft.OperationalInsights/workspaces",
                               r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]")
REGISTRY_ID = _id_pattern("Microsoft.ContainerRegistry/registries", r"[A-Za-z0-9]{5,50}")


class Existing(Section):
    """What already exists and the stack uses instead of creating it, by resource id: the
    workspace to attach compute to, the Log Analytics workspace diagnostics go to, the
    registry a new Azure ML workspace uses. The stack reads what it needs of them (data
    sources) and changes nothing of theirs."""

    aml_workspace_id: str | None = Field(default=None, pattern=AML_WORKSPACE_ID, description=(
        "An Azure ML workspace: the stack attaches its clusters, datastore and endpoint to it."))
    databricks_workspace_id: str | None = Field(
        default=None, pattern=DATABRICKS_WORKSPACE_ID, description=(
            "A Databricks workspace (team.existing_platform: databricks): the stack makes its "
            "cluster there."))
    synapse_workspace_id: str | None = Field(
        default=None, pattern=SYNAPSE_WORKSPACE_ID, description=(
            "A Synapse workspace (team.existing_platform: synapse): the stack makes its Spark "
            "pool there."))
    log_analytics_workspace_id: str | None = Field(
        default=None, pattern=LOG_ANALYTICS_ID, description=(
            "The Log Analytics workspace diagnostics go to (and Application Insights is based "
            "on) instead of one the stack makes."))
    container_registry_id: str | None = Field(default=None, pattern=REGISTRY_ID, description=(
        "The container registry a new Azure ML workspace uses instead of one the stack makes."))

    @model_validator(mode="after")
    def _registry_is_for_a_new_workspace(self) -> Existing:
        if self.container_registry_id and self.aml_workspace_id:
            raise ValueError("container_registry_id is for an Azure ML workspace the stack "
                             "makes: an existing workspace keeps its own registry")
        return self
