"""After a private Synapse stack applies: the managed private endpoint from the workspace's
managed network to its data lake, made and approved, so its Spark pools can read the lake.

Why here and not in the stack (notes beside each step):
- Azure Resource Manager has no resource type for a Synapse managed private endpoint; it is
  made on the workspace's data plane (``PUT https://<workspace>.dev.azuresynapse.net/
  managedVirtualNetworks/default/managedPrivateEndpoints/<name>?api-version=2021-06-01``,
  token audience ``https://dev.azuresynapse.net``; azurerm's
  ``azurerm_synapse_managed_private_endpoint`` calls the same API), which a private
  workspace answers only from inside its network;
- it is created "Pending", for the lake's owner to approve (Learn, *Synapse managed private
  endpoints*), and azurerm has no resource that approves a private endpoint connection
  (hashicorp/terraform-provider-azurerm#13107, open); the approval is an ARM call:
  ``PUT .../storageAccounts/<lake>/privateEndpointConnections/<connection>`` with
  ``privateLinkServiceConnectionState.status = Approved`` (azure-rest-api-specs, storage
  2023-05-01, StorageAccountPutPrivateEndpointConnection.json), which needs
  ``Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action`` (in
  Contributor and Owner, not in Network Contributor).
- The storage side names the connection itself; the one to approve is the pending connection
  whose private endpoint's id ends with the managed private endpoint's name (how Synapse
  names the endpoint it makes: observed, not documented; so only a pending connection that
  matches is approved, and nothing else).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from trainstack.azure.connect import Azure, AzureError

MPE_NAME = "lake-dfs"
SYNAPSE_DATA_PLANE = "https://dev.azuresynapse.net/.default"
DATA_PLANE_VERSION = "2021-06-01"
STORAGE_VERSION = "2023-05-01"
POLLS, POLL_SECONDS = 60, 5.0


@dataclass(frozen=True)
class Lake:
    """A private Synapse workspace and the lake its managed network must reach."""

    workspace: str
    resource_group: str
    account: str

    def account_id(self, subscription: str) -> str:
        """The lake's resource id."""
        return (f"/subscriptions/{subscription}/resourceGroups/{self.resource_group}/providers/"
                f"Microsoft.Storage/storageAccounts/{self.account}")


def lake_of(stack: dict) -> Lake | None:
    """The lake to connect, for a stack with a private (managed network, public access off)
    Synapse workspace; None for any other stack."""
    res = stack.get("resource") or {}
    ws = next(iter((res.get("azurerm_synapse_workspace") or {}).values()), None)
    lake = (res.get("azurerm_storage_account") or {}).get("datalake")
    group = (res.get("azurerm_resource_group") or {}).get("rg")
    if not (ws and lake and group) or not ws.get("managed_virtual_network_enabled") \
            or ws.get("public_network_access_enabled") is not False:
        return None
    return Lake(str(ws["name"]), str(group["name"]), str(lake["name"]))


def connect_lake(az: Azure, lake: Lake, *, sleep=time.sleep) -> list[str]:  # noqa: ANN001
    """Make the managed private endpoint (if it is not there) and approve its connection on
    the lake; what was done, one line each. Raises AzureError when a step fails."""
    done = [_ensure_endpoint(az, lake, sleep)]
    done.append(_approve(az, lake))
    return done


def _data_plane(az: Azure):  # noqa: ANN202 - an azure.core PipelineClient
    from azure.core import PipelineClient
    from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy

    from trainstack.azure import connect

    return PipelineClient(
        base_url="https://dev.azuresynapse.net",
        policies=[RetryPolicy(retry_total=connect.RETRIES,
                              retry_backoff_factor=connect.BACKOFF),
                  BearerTokenCredentialPolicy(az.credential, SYNAPSE_DATA_PLANE)])


def _ensure_endpoint(az: Azure, lake: Lake, sleep) -> str:  # noqa: ANN001
    from azure.core.rest import HttpRequest

    from trainstack.azure import connect

    client = _data_plane(az)
    url = (f"https://{lake.workspace}.dev.azuresynapse.net/managedVirtualNetworks/default/"
           f"managedPrivateEndpoints/{MPE_NAME}")
    params = {"api-version": DATA_PLANE_VERSION}
    timeouts = {"connection_timeout": connect.CONNECT_TIMEOUT,
                "read_timeout": connect.READ_TIMEOUT}

    def send(method: str, body: dict | None = None):  # noqa: ANN202
        return az.guard(lambda: client.send_request(
            HttpRequest(method, url, params=params, json=body), **timeouts))

    answer = send("GET")
    if answer.status_code == 404:
        answer = send("PUT", {"properties": {
            "privateLinkResourceId": lake.account_id(az.subscription), "groupId": "dfs"}})
    for _ in range(POLLS):
        if answer.status_code >= 400:
            raise AzureError(f"{lake.workspace}: the managed private endpoint to the lake: "
                             f"HTTP {answer.status_code} {answer.text()[:300]}")
        state = ((answer.json() or {}).get("properties") or {}).get("provisioningState")
        if state == "Succeeded":
            return f"managed private endpoint {MPE_NAME} to {lake.account} (dfs): provisioned"
        if state in ("Failed", "Canceled"):
            raise AzureError(f"{lake.workspace}: managed private endpoint {MPE_NAME}: {state}")
        sleep(POLL_SECONDS)
        answer = send("GET")
    raise AzureError(f"{lake.workspace}: managed private endpoint {MPE_NAME} still not "
                     f"provisioned after {POLLS * POLL_SECONDS:.0f} s")


def _approve(az: Azure, lake: Lake) -> str:
    base = f"{lake.account_id(az.subscription)}/privateEndpointConnections"
    listed = az.call("GET", base, STORAGE_VERSION) or {}
    for conn in listed.get("value") or []:
        props = conn.get("properties") or {}
        endpoint = str((props.get("privateEndpoint") or {}).get("id", ""))
        state = (props.get("privateLinkServiceConnectionState") or {}).get("status")
        if not endpoint.lower().endswith(MPE_NAME.lower()):
            continue
        if state == "Approved":
            return f"connection {conn.get('name')} on {lake.account}: already approved"
        if state == "Pending":
            az.call("PUT", f"{base}/{conn.get('name')}", STORAGE_VERSION, {"properties": {
                "privateLinkServiceConnectionState": {
                    "status": "Approved",
                    "description": f"Synapse workspace {lake.workspace} reads its data lake"}}})
            return f"connection {conn.get('name')} on {lake.account}: approved"
    raise AzureError(f"{lake.account}: no pending private endpoint connection from "
                     f"{lake.workspace}'s managed private endpoint {MPE_NAME} to approve")
