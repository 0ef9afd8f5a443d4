"""What Azure says, read through the SDK and the ARM pipeline, as plain values.

Sources (azure-rest-api-specs, specification/<service>/resource-manager; notes in the tests):
- VM sizes: ``GET .../locations/{loc}/vmSizes`` (machinelearningservices 2020-08-01: the list
  is ``amlCompute``; later versions: ``value``);
- usages: ``GET .../locations/{loc}/usages``: per VM family, dedicated vCPUs used of the
  family's limit, low-priority vCPUs with no family limit (-1), and the regional totals
  "Total Cluster Dedicated Regional vCPUs" / "Total Cluster LowPriority Regional vCPUs";
  2020-08-01 names families like the size list (``StandardNCASv3_T4Family``), later
  versions by label ("Standard NCASv3_T4 Family Cluster Dedicated vCPUs");
- providers: ``GET /subscriptions/{id}/providers/{namespace}`` (2021-04-01),
  ``registrationState``;
- names: ``checkNameAvailability`` of Microsoft.Storage (2023-05-01), Microsoft.KeyVault
  (2024-11-01), Microsoft.ContainerRegistry (2023-07-01), Microsoft.Synapse (2021-06-01:
  the field is ``available``), ``checkDomainAvailability`` of Microsoft.CognitiveServices
  (2024-10-01); a vault soft-deleted in this subscription:
  ``GET .../Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}`` (2024-11-01).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trainstack.azure.connect import Azure


@dataclass(frozen=True)
class Offered:
    """A VM size Azure ML offers in a region."""

    name: str
    family: str  # Azure's quota family, e.g. standardNCASv3_T4Family
    vcpus: int
    low_priority: bool


@dataclass(frozen=True)
class Quota:
    """vCPU usage and limits of a region: (used, limit) per family (dedicated) and totals."""

    dedicated: dict[str, tuple[int, int]] = field(default_factory=dict)  # family, lower case
    total_dedicated: tuple[int, int] | None = None
    total_low_priority: tuple[int, int] | None = None

    def headroom(self, family: str, low_priority: bool) -> int | None:
        """Free vCPUs for a family at a priority (None: Azure reported no limit)."""
        limits = [self.total_low_priority] if low_priority else \
            [self.dedicated.get(family.lower()), self.total_dedicated]
        free = [limit - used for used, limit in (x for x in limits if x) if limit >= 0]
        return min(free) if free else None


def offered_sizes(az: Azure, location: str) -> dict[str, Offered]:
    """The sizes Azure ML offers in ``location``, by name."""
    result = az.guard(lambda: az.client.virtual_machine_sizes.list(location))
    items = result.aml_compute
    if items is None:  # a service answering in the later shape (``value``)
        raw = az.call("GET", f"/subscriptions/{az.subscription}/providers/"
                             f"Microsoft.MachineLearningServices/locations/{location}/vmSizes",
                      "2020-08-01") or {}
        return {s["name"]: Offered(s["name"], s.get("family", ""), int(s.get("vCPUs", 0)),
                                   bool(s.get("lowPriorityCapable")))
                for s in raw.get("value", []) if isinstance(s, dict) and "name" in s}
    return {s.name: Offered(s.name, s.family or "", s.v_cp_us or 0, bool(s.low_priority_capable))
            for s in items}


_LABEL = re.compile(r"^(?P<family>.+?) Cluster (?P<kind>Dedicated|LowPriority) vCPUs$")


def quota(az: Azure, location: str) -> Quota:
    """The region's vCPU usage and limits (both api-version shapes, see the docstring)."""
    usages = az.guard(lambda: list(az.client.usages.list(location)))
    dedicated, totals = {}, {}
    for u in usages:
        label = (u.name.localized_value or u.name.value or "") if u.name else ""
        pair = (int(u.current_value or 0), int(u.limit if u.limit is not None else -1))
        if label == "Total Cluster Dedicated Regional vCPUs":
            totals["dedicated"] = pair
        elif label == "Total Cluster LowPriority Regional vCPUs":
            totals["low"] = pair
        elif "vmFamily" in (u.type or ""):
            match = _LABEL.match(label)
            if match and match["kind"] == "Dedicated":
                dedicated[match["family"].replace(" ", "").lower()] = pair
    return Quota(dedicated, totals.get("dedicated"), totals.get("low"))


def registration(az: Azure, namespace: str) -> str:
    """A resource provider's registration state on the subscription."""
    body = az.call("GET", f"/subscriptions/{az.subscription}/providers/{namespace}",
                   "2021-04-01") or {}
    return str(body.get("registrationState", "Unknown"))


# kind -> (namespace, verb, api-version, type, request field, answer field)
NAME_CHECKS = {
    "storage": ("Microsoft.Storage", "checkNameAvailability", "2023-05-01",
                "Microsoft.Storage/storageAccounts", "name", "nameAvailable"),
    "vault": ("Microsoft.KeyVault", "checkNameAvailability", "2024-11-01",
              "Microsoft.KeyVault/vaults", "name", "nameAvailable"),
    "registry": ("Microsoft.ContainerRegistry", "checkNameAvailability", "2023-07-01",
                 "Microsoft.ContainerRegistry/registries", "name", "nameAvailable"),
    "synapse": ("Microsoft.Synapse", "checkNameAvailability", "2021-06-01",
                "Microsoft.Synapse/workspaces", "name", "available"),
    "subdomain": ("Microsoft.CognitiveServices", "checkDomainAvailability", "2024-10-01",
                  "Microsoft.CognitiveServices/accounts", "subdomainName", "isSubdomainAvailable"),
}


def name_free(az: Azure, kind: str, name: str) -> tuple[bool, str]:
    """Whether a globally unique name is free, and Azure's reason when it is not."""
    ns, verb, version, kind_type, ask, answer = NAME_CHECKS[kind]
    body = az.call("POST", f"/subscriptions/{az.subscription}/providers/{ns}/{verb}", version,
                   {ask: name, "type": kind_type}) or {}
    free = body.get(answer) is True
    return free, "" if free else str(body.get("message") or body.get("reason") or "taken")


def deleted_vault(az: Azure, location: str, name: str) -> dict | None:
    """The soft-deleted vault of this subscription that holds ``name``, if there is one."""
    return az.call("GET", f"/subscriptions/{az.subscription}/providers/Microsoft.KeyVault/"
                          f"locations/{location}/deletedVaults/{name}", "2024-11-01",
                   missing_ok=True)
