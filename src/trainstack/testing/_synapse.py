"""Synapse managed private endpoints (the workspace's data plane) and private endpoint
connections of storage accounts (Resource Manager), in the fake.

- ``https://<workspace>.dev.azuresynapse.net/managedVirtualNetworks/default/
  managedPrivateEndpoints/<name>?api-version=2021-06-01``: GET (404 when there is none) and
  PUT ``{"properties": {"privateLinkResourceId", "groupId"}}``; the endpoint is
  ``Provisioning`` for ``FakeAzure.operation_polls`` reads, then ``Succeeded`` (the shape of
  the data-plane model in azure-rest-api-specs, synapse/data-plane 2021-06-01);
- making one adds a ``Pending`` connection to the target storage account, whose private
  endpoint id ends with ``<workspace>.<name>`` (as Synapse names the endpoint it makes);
- ``GET .../storageAccounts/<account>/privateEndpointConnections`` and ``PUT .../<name>``
  (storage 2023-05-01) list and approve them.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from trainstack.testing._arm import SUB
from trainstack.testing._fake import Request, Route, error

if TYPE_CHECKING:
    from trainstack.testing import FakeAzure

_ids = itertools.count(1)
ACCOUNT = SUB + (r"/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.Storage/storageAccounts/"
                 r"(?P<account>[^/]+)/privateEndpointConnections")


def routes(fake: FakeAzure, authorized) -> list[Route]:  # noqa: ANN001
    """The data-plane and storage routes."""

    def mpe(request: Request, match: re.Match[str]):  # noqa: ANN202
        if request.headers.get("authorization", "")[7:] not in fake.tokens:
            return 401, {}, {"code": "Unauthorized", "message": "no valid token"}
        workspace = re.match(r"https://([^.]+)\.", request.url)[1]
        key = (workspace.lower(), match["name"].lower())
        if request.method == "PUT":
            props = (request.body or {}).get("properties") or {}
            fake.managed_endpoints[key] = {"name": match["name"], "properties": {
                **props, "provisioningState": "Provisioning",
                "connectionState": {"status": "Pending"}}, "_polls": fake.operation_polls}
            _pending(fake, str(props.get("privateLinkResourceId", "")), workspace,
                     match["name"])
        found = fake.managed_endpoints.get(key)
        if found is None:
            return 404, {}, {"code": "NotFound",
                             "message": f"Managed private endpoint {match['name']} not found"}
        if found["_polls"] > 0:
            found["_polls"] -= 1
        else:
            found["properties"]["provisioningState"] = "Succeeded"
        return 200, {}, {k: v for k, v in found.items() if k != "_polls"}

    def listed(request: Request, match: re.Match[str]):  # noqa: ANN202
        return 200, {}, {"value": fake.storage_connections.get(_account_key(match), [])}

    def approve(request: Request, match: re.Match[str]):  # noqa: ANN202
        for conn in fake.storage_connections.get(_account_key(match), []):
            if conn["name"] == match["name"]:
                state = (((request.body or {}).get("properties") or {})
                         .get("privateLinkServiceConnectionState") or {})
                conn["properties"]["privateLinkServiceConnectionState"].update(state)
                return 200, {}, conn
        return error(404, "PrivateEndpointConnectionNotFound",
                     f"Private endpoint connection {match['name']} not found.")

    versions = frozenset({"2023-05-01"})
    return [
        Route("GET", re.compile(r"/managedVirtualNetworks/default/managedPrivateEndpoints/"
                                r"(?P<name>[^/]+)"), mpe, frozenset({"2021-06-01"}),
              host=r"https://[a-z0-9-]+\.dev\.azuresynapse\.net", host_regex=True),
        Route("PUT", re.compile(r"/managedVirtualNetworks/default/managedPrivateEndpoints/"
                                r"(?P<name>[^/]+)"), mpe, frozenset({"2021-06-01"}),
              host=r"https://[a-z0-9-]+\.dev\.azuresynapse\.net", host_regex=True),
        Route("GET", re.compile(ACCOUNT), authorized(listed), versions),
        Route("PUT", re.compile(ACCOUNT + r"/(?P<name>[^/]+)"), authorized(approve), versions),
    ]


def _account_key(match: re.Match[str]) -> tuple[str, str, str]:
    return match["sub"].lower(), match["rg"].lower(), match["account"].lower()


def _pending(fake: FakeAzure, target: str, workspace: str, name: str) -> None:
    found = re.fullmatch(r"/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/"
                         r"Microsoft\.Storage/storageAccounts/([^/]+)", target, re.I)
    if found is None:
        return
    key = tuple(part.lower() for part in found.groups())
    conn = f"{found[3]}.{next(_ids):08x}-fake"
    fake.storage_connections.setdefault(key, []).append({
        "id": f"{target}/privateEndpointConnections/{conn}", "name": conn,
        "type": "Microsoft.Storage/storageAccounts/privateEndpointConnections",
        "properties": {
            "privateEndpoint": {"id": "/subscriptions/00000000-0000-0000-0000-00000000d00d/"
                                      f"resourceGroups/managed-{workspace}/providers/"
                                      f"Microsoft.Network/privateEndpoints/{workspace}.{name}"},
            "privateLinkServiceConnectionState": {"status": "Pending", "description": "",
                                                  "actionRequired": "None"},
            "provisioningState": "Succeeded"}})
