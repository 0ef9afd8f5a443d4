"""Azure ML workspaces and computes in the fake: create (long-running), get, list, delete.

From the machinelearningservices swagger and examples (2020-08-01 and 2024-10-01;
../shared/data/azure-rest-examples): a workspace PUT answers 202 with ``Location`` and
``Retry-After``, the operation is polled at ``Location`` (202 while it runs, then 200 with
the workspace, which azure-core's Location polling takes as the result), and the workspace's ``properties.provisioningState`` reads ``Succeeded``; a compute PUT
answers 201 with ``Azure-AsyncOperation``, whose body is ``{"status": "InProgress"}`` until
``Succeeded``. DELETE answers 202 with ``Location``. A missing resource is 404
``ResourceNotFound``. ``FakeAzure.operation_polls`` sets how many polls an operation
stays in progress.

2020-08-01 has no ``publicNetworkAccess`` or ``managedNetwork`` and no instance idle
shutdown: a 2020-08-01 GET leaves them out, a 2024-10-01 GET includes them, as Azure does.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from trainstack.testing._arm import AML, AML_VERSIONS, SUB
from trainstack.testing._fake import ARM, Request, Route, error

if TYPE_CHECKING:
    from trainstack.testing import FakeAzure

WS = SUB + rf"/resourceGroups/(?P<rg>[^/]+)/providers/{AML}/workspaces/(?P<ws>[^/]+)"
COMPUTE = WS + r"/computes/(?P<name>[^/]+)"
_NEW_IN_2024 = {"workspace": ("publicNetworkAccess", "managedNetwork"),
                "compute": ("idleTimeBeforeShutdown",)}
_ids = itertools.count(1)


def _key(match: re.Match[str], *parts: str) -> tuple[str, ...]:
    return tuple(match[p].lower() for p in parts)


def _shaped(resource: dict, kind: str, version: str | None) -> dict:
    """A stored resource as the api-version asked for shows it."""
    if version != "2020-08-01":
        return resource
    props = dict(resource.get("properties") or {})
    inner = dict(props.get("properties") or {}) if kind == "compute" else props
    for name in _NEW_IN_2024[kind]:
        inner.pop(name, None)
    if kind == "compute":
        props["properties"] = inner
    return {**resource, "properties": inner if kind == "workspace" else props}


class _Handlers:
    """The handlers over ``fake.workspaces``, ``fake.computes`` and ``fake.operations``."""

    def __init__(self, fake: FakeAzure) -> None:
        self.fake = fake

    def operation(self, request: Request, match: re.Match[str]):
        """Poll a long-running operation."""
        op = self.fake.operations.get(match["op"])
        if op is None:
            return error(404, "ResourceNotFound", "The operation was not found.")
        if op["polls"] > 0:
            op["polls"] -= 1
            return (202, {"Retry-After": "0"}, "") if op["style"] == "location" \
                else (200, {}, {"status": "InProgress"})
        if op["style"] == "location":  # done: the resource made (none after a delete)
            return 200, {}, op.get("result") or ""
        return 200, {}, {"status": "Succeeded"}

    def started(self, sub: str, style: str, result: dict | None = None) -> dict[str, str]:
        """A new operation; the headers that point at it."""
        op = f"op{next(_ids)}"
        self.fake.operations[op] = {"polls": self.fake.operation_polls, "style": style,
                                    "result": result}
        url = f"{ARM}/subscriptions/{sub}/providers/{AML}/locations/any/operations/{op}" \
              "?api-version=2020-08-01"
        header = "Location" if style == "location" else "Azure-AsyncOperation"
        return {header: url, "Retry-After": "0"}

    def put_ws(self, request: Request, match: re.Match[str]):
        """Create or update a workspace (202 + Location); 409 MissingSubscriptionRegistration
        while the subscription has not registered Microsoft.MachineLearningServices (Learn,
        azure-resource-manager/troubleshooting/error-register-resource-provider)."""
        if self.fake.registration(match["sub"], AML) != "Registered":
            return error(409, "MissingSubscriptionRegistration",
                         f"The subscription is not registered to use namespace '{AML}'. See "
                         "https://aka.ms/rps-not-found for how to register subscriptions.")
        body = request.body if isinstance(request.body, dict) else {}
        made = self.fake.add_workspace(match["rg"], match["ws"], body.get("location", "eastus"),
                                       properties=body.get("properties") or {},
                                       subscription=match["sub"])
        return 202, self.started(match["sub"], "location",
                                 _shaped(made, "workspace", request.api_version)), ""

    def get_ws(self, request: Request, match: re.Match[str]):
        """Read a workspace."""
        found = self.fake.workspaces.get(_key(match, "sub", "rg", "ws"))
        if found is None:
            return error(404, "ResourceNotFound", f"The Resource '{AML}/workspaces/"
                         f"{match['ws']}' under resource group '{match['rg']}' was not found.")
        return 200, {}, _shaped(found, "workspace", request.api_version)

    def delete_ws(self, request: Request, match: re.Match[str]):
        """Delete a workspace (202 + Location)."""
        self.fake.workspaces.pop(_key(match, "sub", "rg", "ws"), None)
        return 202, self.started(match["sub"], "location"), ""

    def put_compute(self, request: Request, match: re.Match[str]):
        """Create or update a compute (201 + Azure-AsyncOperation)."""
        if _key(match, "sub", "rg", "ws") not in self.fake.workspaces:
            return self.get_ws(request, match)
        body = request.body if isinstance(request.body, dict) else {}
        key = _key(match, "sub", "rg", "ws", "name")
        self.fake.computes[key] = self.fake.compute_body(match, body.get("properties") or {},
                                                         body.get("location", "eastus"))
        return 201, self.started(match["sub"], "async"), self.fake.computes[key]

    def get_compute(self, request: Request, match: re.Match[str]):
        """Read a compute."""
        found = self.fake.computes.get(_key(match, "sub", "rg", "ws", "name"))
        if found is None:
            return error(404, "ResourceNotFound",
                         f"The Resource '{AML}/workspaces/{match['ws']}/computes/"
                         f"{match['name']}' was not found.")
        return 200, {}, _shaped(found, "compute", request.api_version)

    def list_computes(self, request: Request, match: re.Match[str]):
        """The computes of a workspace (``value``)."""
        prefix = _key(match, "sub", "rg", "ws")
        return 200, {}, {"value": [_shaped(c, "compute", request.api_version)
                                   for k, c in sorted(self.fake.computes.items())
                                   if k[:3] == prefix]}

    def delete_compute(self, request: Request, match: re.Match[str]):
        """Delete a compute (202 + Location)."""
        self.fake.computes.pop(_key(match, "sub", "rg", "ws", "name"), None)
        return 202, self.started(match["sub"], "location"), ""


def routes(fake: FakeAzure, authorized) -> list[Route]:
    """Workspace, compute and operation routes over ``fake.workspaces`` / ``fake.computes``."""
    h = _Handlers(fake)
    ops = re.compile(SUB + rf"/providers/{AML}/locations/[^/]+/operations/(?P<op>[^/]+)")
    table = [("GET", ops, h.operation), ("PUT", WS, h.put_ws), ("GET", WS, h.get_ws),
             ("DELETE", WS, h.delete_ws), ("GET", WS + "/computes", h.list_computes),
             ("PUT", COMPUTE, h.put_compute), ("GET", COMPUTE, h.get_compute),
             ("DELETE", COMPUTE, h.delete_compute)]
    return [Route(method, re.compile(path) if isinstance(path, str) else path,
                  authorized(handler), AML_VERSIONS) for method, path, handler in table]
