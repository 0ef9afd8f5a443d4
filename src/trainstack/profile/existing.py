"""What a profile names that already exists in Azure, by resource id: the container that
holds the training data, an enterprise network's subnet and private DNS zones.

Ids are written into the stacks as they are given, so their patterns admit ASCII only.
"""

from __future__ import annotations

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


class ExistingNetwork(Section):
    """What the stack uses instead of creating it: a subnet for the private endpoints, and
    the hub's private DNS zones by name (each linked to the spoke by whoever owns it)."""

    subnet_id: str | None = Field(default=None, pattern=SUBNET_ID_PATTERN, description=(
        "Subnet for the private endpoints; the stack then makes no virtual network for them."))
    private_dns_zone_ids: dict[PrivateLinkZone, str] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Existing private DNS zones, by zone name.")

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
