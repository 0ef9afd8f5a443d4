"""Azure Resource Manager routes of the fake: Azure ML's regional facts (VM sizes, usages,
quotas), resource provider registration, and the name checks of the resources whose names
are unique in all of Azure, each answered in the shape of the api-version asked for.

Shapes and api-versions, from azure-rest-api-specs (specification/<service>/resource-manager):
- machinelearningservices 2020-08-01 (what azure-mgmt-machinelearningservices 1.0.1 sends;
  its model reads VM sizes under ``amlCompute``, usages by family as
  ``vmFamily/dedicatedCores/usages`` named ``StandardDSv2Family``) and 2024-10-01
  (``value``; usages named "Standard DSv2 Family Cluster Dedicated vCPUs");
  ../shared/data/azure-rest-examples holds the 2024-10-01 examples;
- resources 2021-04-01 ``GET /subscriptions/{id}/providers/{namespace}`` (registrationState)
  and ``POST .../register``;
- storage 2023-05-01, keyvault 2024-11-01 and 2023-07-01 (deletedVaults too), containerregistry
  2023-07-01 ``checkNameAvailability`` (nameAvailable, reason, message); cognitiveservices
  2024-10-01 ``checkDomainAvailability`` (isSubdomainAvailable); synapse 2021-06-01
  ``checkNameAvailability`` (its field is ``available``).
Errors use ARM's envelope and codes: SubscriptionNotFound, InvalidAuthenticationToken,
ResourceNotFound, InvalidApiVersionParameter.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trainstack.testing._fake import Request, Route, error

if TYPE_CHECKING:
    from trainstack.testing import FakeAzure

AML = "Microsoft.MachineLearningServices"
AML_VERSIONS = frozenset({"2020-08-01", "2024-10-01"})
SUB = r"/subscriptions/(?P<sub>[^/]+)"
LOC = SUB + rf"/providers/{AML}/locations/(?P<loc>[^/]+)"


def family_label(family: str) -> str:
    """``standardNCASv3_T4Family`` -> ``Standard NCASv3_T4 Family`` (how usages name it)."""
    core = re.sub(r"(?i)^standard", "", family)
    core = re.sub(r"Family$", "", core)
    return f"Standard {core} Family"


def _usage(sub: str, loc: str, kind: str, value: str, label: str, used: int, limit: int,
           version: str) -> dict:
    if version == "2020-08-01":
        return {"id": f"/subscriptions/{sub}/providers/{AML}/locations/{loc}/usages/{value}",
                "type": f"{AML}/{kind}/usages", "unit": "Count", "currentValue": used,
                "limit": limit, "name": {"value": value, "localizedValue": label}}
    kind_2024 = {"vmFamily/dedicatedCores": "vmFamily", "vmFamily/lowPriorityCores": "vmFamily",
                 "totalDedicatedCores": "dedicatedCores",
                 "totalLowPriorityCores": "lowPriorityCores"}[kind]
    return {"id": f"/subscriptions/{sub}/usages/{label.replace(' ', '_')}",
            "type": f"{AML}/{kind_2024}/usages", "unit": "Count", "currentValue": used,
            "limit": limit, "name": {"value": label, "localizedValue": label}}


def usages_body(fake: FakeAzure, sub: str, loc: str, version: str) -> dict:
    """Every usage of a region: per family (dedicated, and low priority without a family
    limit: -1) and the regional totals."""
    region = fake.region(sub, loc)
    items = []
    for family, (used, limit) in sorted(region.dedicated.items()):
        label = family_label(family)
        value = label.replace(" ", "")
        items.append(_usage(sub, loc, "vmFamily/dedicatedCores", value,
                            f"{label} Cluster Dedicated vCPUs", used, limit, version))
        items.append(_usage(sub, loc, "vmFamily/lowPriorityCores", value,
                            f"{label} Cluster LowPriority vCPUs",
                            region.low_priority_by_family.get(family, 0), -1, version))
    items.append(_usage(sub, loc, "totalDedicatedCores", "TotalDedicatedCores",
                        "Total Cluster Dedicated Regional vCPUs", *region.total_dedicated,
                        version))
    items.append(_usage(sub, loc, "totalLowPriorityCores", "TotalLowPriorityCores",
                        "Total Cluster LowPriority Regional vCPUs", *region.total_low_priority,
                        version))
    return {"value": items}


def guard(fake: FakeAzure):
    """A decorator for ARM handlers: a token the fake's Entra ID issued, and a subscription
    it knows (else ARM's 401 InvalidAuthenticationToken / 404 SubscriptionNotFound)."""

    def authorized(handler):
        def wrapped(request: Request, match: re.Match[str]):
            header = request.headers.get("authorization", "")
            if not header.startswith("Bearer ") or header[7:] not in fake.tokens:
                return error(401, "InvalidAuthenticationToken",
                             "The access token is invalid.")
            sub = match["sub"]
            if sub not in fake.subscriptions:
                return error(404, "SubscriptionNotFound",
                             f"The subscription '{sub}' could not be found.")
            return handler(request, match)
        return wrapped
    return authorized


def routes(fake: FakeAzure) -> list[Route]:
    """The ARM routes, answering from ``fake``'s state."""
    from trainstack.testing import _synapse, _workspaces

    authorized = guard(fake)

    def vm_sizes(request: Request, match: re.Match[str]):
        sizes = [dict(s) for s in fake.region(match["sub"], match["loc"]).sizes]
        key = fake.vm_sizes_2020_key if request.api_version == "2020-08-01" else "value"
        return 200, {}, {key: sizes}

    def usages(request: Request, match: re.Match[str]):
        return 200, {}, usages_body(fake, match["sub"], match["loc"], request.api_version)

    def quotas(request: Request, match: re.Match[str]):
        body = usages_body(fake, match["sub"], match["loc"], request.api_version)
        for item in body["value"]:
            item.pop("currentValue")
            item["type"] = item["type"].replace("/usages", "/quotas")
        return 200, {}, body

    def provider(request: Request, match: re.Match[str]):
        ns = match["ns"]
        state = fake.registration(match["sub"], ns)
        if state is None:
            return error(404, "InvalidResourceNamespace",
                         f"The resource namespace '{ns}' is invalid.")
        return 200, {}, {"id": f"/subscriptions/{match['sub']}/providers/{ns}",
                         "namespace": ns, "registrationState": state,
                         "registrationPolicy": "RegistrationRequired", "resourceTypes": []}

    def register(request: Request, match: re.Match[str]):
        fake.register(match["ns"], subscription=match["sub"])
        return provider(request, match)

    return [
        Route("GET", re.compile(LOC + "/vmSizes"), authorized(vm_sizes), AML_VERSIONS),
        Route("GET", re.compile(LOC + "/usages"), authorized(usages), AML_VERSIONS),
        Route("GET", re.compile(LOC + "/[Qq]uotas"), authorized(quotas), AML_VERSIONS),
        Route("GET", re.compile(SUB + r"/providers/(?P<ns>[A-Za-z.]+)"), authorized(provider),
              frozenset({"2021-04-01"})),
        Route("POST", re.compile(SUB + r"/providers/(?P<ns>[A-Za-z.]+)/register"),
              authorized(register), frozenset({"2021-04-01"})),
        *_name_routes(fake, authorized),
        *_workspaces.routes(fake, authorized),
        *_synapse.routes(fake, authorized),
    ]


# (namespace, path, api-versions, the type the body must carry, the kind of name)
_NAME_CHECKS = (
    ("Microsoft.Storage", "checkNameAvailability", {"2023-05-01"},
     "Microsoft.Storage/storageAccounts", "storage"),
    ("Microsoft.KeyVault", "checkNameAvailability", {"2024-11-01", "2023-07-01"},
     "Microsoft.KeyVault/vaults", "vault"),
    ("Microsoft.ContainerRegistry", "checkNameAvailability", {"2023-07-01"},
     "Microsoft.ContainerRegistry/registries", "registry"),
    ("Microsoft.Synapse", "checkNameAvailability", {"2021-06-01"},
     "Microsoft.Synapse/workspaces", "synapse"),
    ("Microsoft.CognitiveServices", "checkDomainAvailability", {"2024-10-01"},
     "Microsoft.CognitiveServices/accounts", "subdomain"),
)


def _name_routes(fake: FakeAzure, authorized) -> list[Route]:
    out = []
    for ns, verb, versions, kind_type, kind in _NAME_CHECKS:
        def check(request: Request, match: re.Match[str], kind=kind, kind_type=kind_type):
            body = request.body if isinstance(request.body, dict) else {}
            name = body.get("subdomainName" if kind == "subdomain" else "name")
            if not isinstance(name, str) or body.get("type") != kind_type:
                return error(400, "InvalidRequestContent",
                             f"the request needs a name and type '{kind_type}'")
            return 200, {}, _availability(kind, name, fake.name_taken(kind, name), kind_type)
        out.append(Route("POST", re.compile(SUB + rf"/providers/{re.escape(ns)}/{verb}"),
                         authorized(check), frozenset(versions)))

    def deleted_vault(request: Request, match: re.Match[str]):
        held = fake.deleted_vaults.get((match["sub"], match["loc"].lower(), match["name"]))
        if held is None:
            return error(404, "ResourceNotFound",
                         f"The Resource 'Microsoft.KeyVault/deletedVaults/{match['name']}' "
                         "was not found.")
        return 200, {}, held
    out.append(Route("GET", re.compile(
        SUB + r"/providers/Microsoft\.KeyVault/locations/(?P<loc>[^/]+)/deletedVaults/"
        r"(?P<name>[^/]+)"), authorized(deleted_vault), frozenset({"2024-11-01", "2023-07-01"})))
    return out


def _availability(kind: str, name: str, taken: bool, kind_type: str) -> dict:
    if kind == "subdomain":
        return {"subdomainName": name, "type": kind_type, "isSubdomainAvailable": not taken,
                "reason": f"Subdomain name '{name}' is already taken." if taken else None}
    field = "available" if kind == "synapse" else "nameAvailable"
    if not taken:
        return {field: True}
    return {field: False, "reason": "AlreadyExists",
            "message": f"The name '{name}' is already in use."}
