"""The engine of the fake: every HTTP request the process makes goes through ``responses`` to
one dispatcher, which answers from in-memory state or fails loudly.

A route is a method, a path pattern, the api-versions it accepts and a handler. The
dispatcher checks the api-version the way Azure Resource Manager does (an unknown one is
``InvalidApiVersionParameter``), applies injected faults first, and records every call.
A request no route knows is answered 501 and recorded; leaving the ``with`` block then
raises ``UnknownAzureCall`` naming each one, so a test never passes on a call the fake
did not understand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

ARM = "https://management.azure.com"
Handler = Callable[["Request", re.Match[str]], tuple[int, dict[str, str], Any]]


class UnknownAzureCall(AssertionError):
    """The code under test called something the fake does not implement."""


@dataclass(frozen=True)
class Request:
    """One request as a handler sees it."""

    method: str
    url: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON, the raw text, or None

    @property
    def api_version(self) -> str | None:
        """The ``api-version`` query parameter."""
        return self.query.get("api-version")


@dataclass(frozen=True)
class Route:
    """What the fake answers: ``method`` on ``host`` + a path matching ``pattern``."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    api_versions: frozenset[str] = frozenset()  # empty: the route takes none (token calls)
    host: str = ARM  # the scheme and host, or a regex of them (``host_regex``)
    host_regex: bool = False


@dataclass
class Fault:
    """An injected failure: the next ``times`` calls matching it get ``status``."""

    method: str
    pattern: re.Pattern[str]
    status: int
    code: str
    message: str
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """A call the fake answered (or could not), with the timeout the client set on it."""

    method: str
    url: str
    status: int
    timeout: Any = None  # what requests was given: (connect, read) seconds, or None


def error(status: int, code: str, message: str,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """Azure Resource Manager's error envelope (Learn, azure-resource-manager/templates/
    common-deployment-errors; the ``CloudError`` shape of every ARM spec)."""
    return status, dict(headers or {}), {"error": {"code": code, "message": message}}


def _parse(request: Any) -> Request:
    parts = urlsplit(request.url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    raw = request.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    body: Any = raw
    if isinstance(raw, str) and raw[:1] in "{[":
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
    return Request(request.method, request.url, parts.path, query,
                   {k.lower(): v for k, v in request.headers.items()}, body)


class Dispatcher:
    """Routes, faults and the record of calls."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.unknown: list[str] = []

    def add(self, routes: Iterable[Route]) -> None:
        """Serve these routes too."""
        self.routes.extend(routes)

    def __call__(self, prepared: Any) -> tuple[int, dict[str, str], str]:
        request = _parse(prepared)
        status, headers, body = self._answer(request)
        timeout = (getattr(prepared, "req_kwargs", None) or {}).get("timeout")
        self.calls.append(Call(request.method, request.url, status, timeout))
        text = body if isinstance(body, str) else json.dumps(body)
        return status, {"Content-Type": "application/json", **headers}, text

    def _answer(self, request: Request) -> tuple[int, dict[str, str], Any]:
        host = "{0.scheme}://{0.netloc}".format(urlsplit(request.url))
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and \
                    fault.pattern.search(request.path):
                fault.times -= 1
                return error(fault.status, fault.code, fault.message, fault.headers)
        known_path = False
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            same_host = re.fullmatch(route.host, host) if route.host_regex else route.host == host
            if not same_host or match is None:
                continue
            known_path = True
            if route.method != request.method:
                continue
            if route.api_versions and request.api_version not in route.api_versions:
                return error(400, "InvalidApiVersionParameter",
                             f"The api-version '{request.api_version}' is invalid. The "
                             f"supported versions are '{','.join(sorted(route.api_versions))}'.")
            return route.handler(request, match)
        what = f"{request.method} {request.url}"
        self.unknown.append(what + (" (known path, other method)" if known_path else ""))
        return error(501, "FakeAzureUnknownCall",
                     f"trainstack.testing.fake_azure does not implement {what}")
