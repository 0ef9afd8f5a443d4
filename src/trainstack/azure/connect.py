"""Who trainstack is on Azure, and the client it talks through.

Credential: the service principal terraform uses when ``ARM_TENANT_ID`` / ``ARM_CLIENT_ID`` /
``ARM_CLIENT_SECRET`` are set (and ``AZURE_*`` are not), else ``azure-identity``'s
``DefaultAzureCredential`` (environment service principal, workload identity, managed
identity, Azure CLI, ...). Subscription: ``--subscription``, then
``AZURE_SUBSCRIPTION_ID``, then ``ARM_SUBSCRIPTION_ID`` (the one terraform reads).
Client: ``azure-mgmt-machinelearningservices`` (REST api-version 2020-08-01), whose
pipeline (authentication, retries, timeouts) also carries the few other ARM calls
(``Azure.call``) instead of more SDK packages.

Retries: azure-core's policy, bounded here to 3 retries with exponential backoff; it
honours ``Retry-After`` on 429 and 5xx. Each call has a 10 s connect and 60 s read
timeout. Errors become TrainstackError lines that say what to do, with the value of every
secret-looking environment variable hidden.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trainstack.errors import TrainstackError

RETRIES = 3
BACKOFF = 0.8  # seconds, doubled each retry (azure-core RetryPolicy)
CONNECT_TIMEOUT, READ_TIMEOUT = 10, 60
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class AzureError(TrainstackError):
    """Azure answered with an error trainstack cannot work around (exit 1)."""

    exit_code = 1


def subscription_id(explicit: str | None, env: Mapping[str, str]) -> str:
    """The subscription to check, or an exit-2 error that says what to set."""
    for source, value in (("--subscription", explicit),
                          ("AZURE_SUBSCRIPTION_ID", env.get("AZURE_SUBSCRIPTION_ID")),
                          ("ARM_SUBSCRIPTION_ID", env.get("ARM_SUBSCRIPTION_ID"))):
        if value:
            if not _GUID.fullmatch(value.strip()):
                raise TrainstackError(f"{source}: a subscription id is a GUID "
                                      f"(got {value!r})")
            return value.strip().lower()
    raise TrainstackError("no Azure subscription: pass --subscription, or set "
                          "AZURE_SUBSCRIPTION_ID (or ARM_SUBSCRIPTION_ID, which terraform reads)")


@dataclass
class Azure:
    """A signed-in view of one subscription."""

    subscription: str
    client: Any  # MachineLearningServicesMgmtClient
    env: Mapping[str, str]
    credential: Any = None  # the azure-identity credential (for data planes: synapse_lake)

    def call(self, method: str, path: str, api_version: str, body: dict | None = None,
             *, missing_ok: bool = False) -> dict | None:
        """An ARM call through the client's pipeline: the JSON answer (None for a 404 when
        ``missing_ok``); errors raised as for the SDK's own calls."""
        from azure.core.rest import HttpRequest

        url = f"https://management.azure.com{path}"
        request = HttpRequest(method, url, params={"api-version": api_version}, json=body)
        response = self.guard(lambda: self.client._client.send_request(
            request, connection_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT))
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise AzureError(f"{method} {path}: {_arm_error(response)}")
        return response.json() if response.content else {}

    def guard(self, action):
        """Run an SDK call; its failures become errors a user can act on."""
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

        try:
            return action()
        except ClientAuthenticationError as exc:
            raise TrainstackError(*_login_help(scrub(str(exc), self.env))) from None
        except HttpResponseError as exc:
            raise AzureError(scrub(_sdk_error(exc), self.env)) from None


def connect(explicit_subscription: str | None, env: Mapping[str, str] | None = None) -> Azure:
    """Sign in (DefaultAzureCredential) and make the management client."""
    env = os.environ if env is None else env
    sub = subscription_id(explicit_subscription, env)
    try:
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise TrainstackError(f"the Azure SDK is missing ({exc.name}): "
                              "pip install azure-identity azure-mgmt-machinelearningservices"
                              ) from None
    # azure-identity logs each failed credential as a warning; the error below says it all
    if not env.get("TRAINSTACK_DEBUG"):
        logging.getLogger("azure").setLevel(logging.CRITICAL)
    credential = _terraform_principal(env) or \
        DefaultAzureCredential(exclude_interactive_browser_credential=True)
    client = MachineLearningServicesMgmtClient(
        credential, sub, retry_total=RETRIES, retry_backoff_factor=BACKOFF,
        connection_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
    return Azure(sub, client, env, credential)


def _terraform_principal(env: Mapping[str, str]):  # noqa: ANN202 - a credential or None
    """The service principal terraform's azurerm provider signs in with (ARM_TENANT_ID,
    ARM_CLIENT_ID, ARM_CLIENT_SECRET), when those are set and AZURE_* are not: the same
    identity for the checks as for the deploy."""
    if env.get("AZURE_CLIENT_ID") or not all(
            env.get(k) for k in ("ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET")):
        return None
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(env["ARM_TENANT_ID"], env["ARM_CLIENT_ID"],
                                  env["ARM_CLIENT_SECRET"])


def scrub(text: str, env: Mapping[str, str]) -> str:
    """``text`` with every secret-looking environment value hidden."""
    from trainstack.provision.terraform import scrub as hide
    from trainstack.provision.terraform import secret_values

    return hide(text, secret_values(env))


def _arm_error(response: Any) -> str:
    try:
        err = response.json().get("error") or {}
        return f"{err.get('code', response.status_code)}: {err.get('message', '')}".strip()
    except (ValueError, AttributeError):
        return f"HTTP {response.status_code}"


def _sdk_error(exc: Any) -> str:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or getattr(exc, "status_code", "")
    message = getattr(error, "message", None) or str(exc).split("\n")[0]
    return f"{code}: {message}"


def _login_help(message: str) -> tuple[str, ...]:
    tried = [line.strip() for line in message.splitlines() if line.strip()][:12]
    how = ("  sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
           "AZURE_CLIENT_SECRET (a service principal), or use a workload identity "
           "(AZURE_FEDERATED_TOKEN_FILE) or a managed identity")
    return ("no Azure credential worked; trainstack tried, in order:",
            *(f"  {line}" for line in tried), how)
