"""Microsoft Entra ID, as far as azure-identity's credentials reach it: enough for the real
``ClientSecretCredential`` / ``EnvironmentCredential`` / ``DefaultAzureCredential`` classes
to get (or be refused) a token.

What they call (azure-identity 1.27 over MSAL 1.39, observed under ``responses``):
``GET https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration``, then
``POST .../<tenant>/oauth2/v2.0/token`` (client credentials grant); after a refused token,
MSAL's instance discovery ``GET .../common/discovery/instance``; and, for
``DefaultAzureCredential`` without environment credentials, the managed identity probe of
the instance metadata service (``169.254.169.254``), which here finds no identity.
The error bodies are Entra's (``invalid_client`` with AADSTS7000215 for a wrong secret,
AADSTS700016 for an unknown application).
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from trainstack.testing._fake import Request, Route

if TYPE_CHECKING:
    from trainstack.testing import FakeAzure

LOGIN = "https://login.microsoftonline.com"
IMDS = "http://169.254.169.254"


def _openid(request: Request, match: re.Match[str]) -> tuple[int, dict, dict]:
    tenant = match["tenant"]
    base = f"{LOGIN}/{tenant}"
    return 200, {}, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                     "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                     "issuer": f"{base}/v2.0"}


def _discovery(request: Request, match: re.Match[str]) -> tuple[int, dict, dict]:
    return 200, {}, {
        "tenant_discovery_endpoint": f"{LOGIN}/common/v2.0/.well-known/openid-configuration",
        "metadata": [{"preferred_network": "login.microsoftonline.com",
                      "preferred_cache": "login.windows.net",
                      "aliases": ["login.microsoftonline.com", "login.windows.net"]}]}


def _refused(error: str, description: str) -> tuple[int, dict, dict]:
    code = int(re.match(r"AADSTS(\d+):", description)[1])
    return 401, {}, {"error": error, "error_description": description, "error_codes": [code]}


def routes(fake: FakeAzure) -> list[Route]:
    """The Entra routes, answering from ``fake``'s service principals."""

    def token(request: Request, match: re.Match[str]) -> tuple[int, dict, dict]:
        form = {k: v[-1] for k, v in parse_qs(request.body or "").items()} \
            if isinstance(request.body, str) else {}
        tenant, client = match["tenant"], form.get("client_id", "")
        if form.get("grant_type") != "client_credentials":
            return 400, {}, {"error": "unsupported_grant_type",
                             "error_description": "AADSTS70003: the fake supports the client "
                                                  "credentials grant only"}
        expected = fake.principals.get((tenant, client))
        if expected is None:
            return _refused("unauthorized_client", f"AADSTS700016: Application with identifier "
                            f"'{client}' was not found in the directory '{tenant}'.")
        if form.get("client_secret") != expected:
            return _refused("invalid_client", "AADSTS7000215: Invalid client secret provided. "
                            "Ensure the secret being sent in the request is the client secret "
                            "value, not the client secret ID.")
        issued = f"fake-arm-token-{secrets.token_hex(8)}"
        fake.tokens.add(issued)
        return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                         "access_token": issued}

    def imds(request: Request, match: re.Match[str]) -> tuple[int, dict, dict]:
        # what IMDS answers on a machine without a managed identity
        return 400, {}, {"error": "invalid_request",
                         "error_description": "Identity not found"}

    tenant = r"/(?P<tenant>[^/]+)"
    return [
        Route("GET", re.compile(tenant + r"/v2\.0/\.well-known/openid-configuration"), _openid,
              host=LOGIN),
        Route("POST", re.compile(tenant + r"/oauth2/v2\.0/token"), token, host=LOGIN),
        Route("GET", re.compile(r"/common/discovery/instance"), _discovery, host=LOGIN),
        Route("GET", re.compile(r"/metadata/identity/oauth2/token"), imds, host=IMDS),
    ]
