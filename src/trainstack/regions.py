"""Azure public-cloud region names, with approximate datacenter coordinates.

Coordinates (degrees) are the ones Azure publishes in ``az account
list-locations`` metadata, rounded; they are used only to rank regions by
distance when suggesting the nearest region that offers a VM size.
"""

from __future__ import annotations

import math

# name: (latitude, longitude)
REGION_COORDINATES: dict[str, tuple[float, float]] = {
    "australiacentral": (-35.3, 149.1),
    "australiaeast": (-33.9, 151.2),
    "australiasoutheast": (-37.8, 145.0),
    "brazilsouth": (-23.6, -46.6),
    "canadacentral": (43.7, -79.4),
    "canadaeast": (46.8, -71.2),
    "centralindia": (18.6, 73.9),
    "centralus": (41.6, -93.6),
    "eastasia": (22.3, 114.2),
    "eastus": (37.4, -79.8),
    "eastus2": (36.7, -78.4),
    "francecentral": (46.3, 2.4),
    "germanywestcentral": (50.1, 8.7),
    "israelcentral": (31.3, 35.0),
    "italynorth": (45.5, 9.2),
    "japaneast": (35.7, 139.8),
    "japanwest": (34.7, 135.5),
    "koreacentral": (37.6, 127.0),
    "koreasouth": (35.2, 129.0),
    "mexicocentral": (20.6, -100.4),
    "northcentralus": (41.9, -87.6),
    "northeurope": (53.3, -6.3),
    "norwayeast": (59.9, 10.8),
    "polandcentral": (52.2, 21.0),
    "qatarcentral": (25.6, 51.4),
    "southafricanorth": (-25.7, 28.2),
    "southcentralus": (29.4, -98.5),
    "southeastasia": (1.3, 103.8),
    "southindia": (12.9, 80.2),
    "spaincentral": (40.4, -3.7),
    "swedencentral": (60.7, 17.1),
    "switzerlandnorth": (47.5, 8.6),
    "uaenorth": (25.3, 55.3),
    "uksouth": (50.9, -0.8),
    "ukwest": (53.4, -3.1),
    "westcentralus": (40.9, -110.2),
    "westeurope": (52.4, 4.9),
    "westus": (37.8, -122.4),
    "westus2": (47.2, -119.9),
    "westus3": (33.4, -112.1),
}

AZURE_REGIONS: frozenset[str] = frozenset(REGION_COORDINATES)


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two regions' datacenters."""
    (lat1, lon1), (lat2, lon2) = REGION_COORDINATES[a], REGION_COORDINATES[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest(region: str, candidates: set[str] | frozenset[str]) -> list[str]:
    """Candidates ordered by distance from ``region`` (ties by name)."""
    return sorted(candidates, key=lambda c: (distance_km(region, c), c))
