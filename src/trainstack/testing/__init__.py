"""A fake of the Azure APIs trainstack calls, for tests: yours and ours. In the style of moto.

    from trainstack.testing import fake_azure

    def test_my_pipeline_stops_on_missing_quota(monkeypatch):
        with fake_azure() as azure:
            monkeypatch.setenv("AZURE_TENANT_ID", azure.tenant_id)
            monkeypatch.setenv("AZURE_CLIENT_ID", azure.client_id)
            monkeypatch.setenv("AZURE_CLIENT_SECRET", azure.client_secret)
            monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", azure.subscription_id)
            azure.offer("eastus", "Standard_NC4as_T4_v3", family="standardNCASv3_T4Family",
                        vcpus=4, gpus=1, memory_gb=28)
            azure.set_quota("eastus", "standardNCASv3_T4Family", used=0, limit=0)
            ...  # run `trainstack preflight`, or your own code using the Azure SDK

Everything the process sends over HTTP (through ``requests``, which the Azure SDK uses) is
answered here, from memory; nothing leaves the process. What it serves: the Entra ID
token endpoints the real ``azure-identity`` credentials call (a service principal with a
client secret), the Azure Resource Manager routes in ``_arm.py`` and ``_workspaces.py``,
answered in the shape of the api-version asked for, and the public Retail Prices API.
Seed it with ``offer``, ``set_quota``, ``set_total_quota``, ``take_name``,
``soft_delete_vault``, ``register``, ``add_workspace``, ``add_compute``, ``set_price``;
inject failures with ``fail_next`` (any status and ARM error code, ``Retry-After`` too).
A call it does not know is answered 501 and, when the ``with`` block ends, raises
``UnknownAzureCall`` naming it. ``calls`` records every call. A pytest fixture that also
signs the process in: ``trainstack.testing.fixture``.
Needs ``responses`` (``pip install "trainstack[testing]"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from trainstack.testing._fake import Call, Dispatcher, Fault, UnknownAzureCall

__all__ = ["Call", "FakeAzure", "UnknownAzureCall", "fake_azure"]

SUBSCRIPTION = "00000000-0000-0000-0000-00000000f4ce"
TENANT = "00000000-0000-0000-0000-0000000000aa"
CLIENT = "00000000-0000-0000-0000-0000000000cc"
# Registered on every subscription (Learn, "Resource providers for Azure services").
ALWAYS_REGISTERED = ("Microsoft.Resources", "Microsoft.Authorization", "Microsoft.Consumption")


@dataclass
class Region:
    """One subscription's view of one region: sizes offered and quota per family."""

    sizes: list[dict] = field(default_factory=list)
    dedicated: dict[str, tuple[int, int]] = field(default_factory=dict)  # family: used, limit
    low_priority_by_family: dict[str, int] = field(default_factory=dict)  # family: used
    total_dedicated: tuple[int, int] = (0, 100)
    total_low_priority: tuple[int, int] = (0, 100)


class FakeAzure:
    """The fake's state and the helpers that seed it (see the module docstring)."""

    def __init__(self, subscription_id: str = SUBSCRIPTION, tenant_id: str = TENANT,
                 client_id: str = CLIENT, client_secret: str = "fake-client-secret-value"
                 ) -> None:
        self.subscription_id, self.tenant_id = subscription_id, tenant_id
        self.client_id, self.client_secret = client_id, client_secret
        self.subscriptions: set[str] = {subscription_id}
        self.principals: dict[tuple[str, str], str] = {(tenant_id, client_id): client_secret}
        self.tokens: set[str] = set()
        self._regions: dict[tuple[str, str], Region] = {}
        self._registrations: dict[tuple[str, str], str] = {}
        self._taken: dict[str, set[str]] = {}
        self.deleted_vaults: dict[tuple[str, str, str], dict] = {}
        self.workspaces: dict[tuple[str, ...], dict] = {}
        self.computes: dict[tuple[str, ...], dict] = {}
        self.operations: dict[str, dict] = {}
        self.operation_polls = 1  # polls a long-running operation stays in progress
        # The key of the 2020-08-01 vmSizes answer: the SDK's model reads amlCompute, the
        # specs' examples show value; which one the live service sends is not settled, so a
        # test can have either (trainstack reads both: azure/facts.py).
        self.vm_sizes_2020_key = "amlCompute"
        self.prices: dict[tuple[str, str], tuple[float, float | None]] = {}
        # other services' meters (registry, storage, ...), whole Retail Prices API items
        self.service_meters: list[dict] = []
        self.managed_endpoints: dict[tuple[str, str], dict] = {}  # (workspace, name)
        self.storage_connections: dict[tuple[str, str, str], list[dict]] = {}
        self._dispatcher = Dispatcher()
        from trainstack.testing import _arm, _entra, _prices

        self._dispatcher.add(_entra.routes(self))
        self._dispatcher.add(_arm.routes(self))
        self._dispatcher.add(_prices.routes(self))

    # -- what happened ---------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """Every call answered, in order."""
        return self._dispatcher.calls

    @property
    def unknown_calls(self) -> list[str]:
        """Calls no route knew (each also fails the ``with`` block)."""
        return self._dispatcher.unknown

    # -- seeding ---------------------------------------------------------------------------
    def region(self, subscription: str, location: str) -> Region:
        """The state of one region of a subscription (made on first use)."""
        return self._regions.setdefault((subscription, location.lower()), Region())

    def offer(self, location: str, vm_size: str, *, family: str, vcpus: int,
              memory_gb: float, gpus: int = 0, low_priority: bool = True,
              subscription: str | None = None) -> None:
        """Offer a VM size for Azure ML compute in a region (the vmSizes list)."""
        self.region(subscription or self.subscription_id, location).sizes.append({
            "name": vm_size, "family": family, "vCPUs": vcpus, "gpus": gpus,
            "osVhdSizeMB": 1047552, "maxResourceVolumeMB": vcpus * 8192,
            "memoryGB": float(memory_gb), "lowPriorityCapable": low_priority,
            "premiumIO": True, "supportedComputeTypes": ["AmlCompute", "ComputeInstance"]})

    def set_quota(self, location: str, family: str, *, used: int = 0, limit: int,
                  low_priority_used: int = 0, subscription: str | None = None) -> None:
        """A VM family's dedicated vCPU quota (and low-priority vCPUs in use) in a region."""
        region = self.region(subscription or self.subscription_id, location)
        region.dedicated[family] = (used, limit)
        region.low_priority_by_family[family] = low_priority_used

    def set_total_quota(self, location: str, *, dedicated: tuple[int, int] | None = None,
                        low_priority: tuple[int, int] | None = None,
                        subscription: str | None = None) -> None:
        """The regional totals, (used, limit) vCPUs, dedicated and low priority."""
        region = self.region(subscription or self.subscription_id, location)
        region.total_dedicated = dedicated or region.total_dedicated
        region.total_low_priority = low_priority or region.total_low_priority

    def register(self, namespace: str, state: str = "Registered", *,
                 subscription: str | None = None) -> None:
        """A resource provider's registration state on a subscription."""
        self._registrations[(subscription or self.subscription_id, namespace.lower())] = state

    def registration(self, subscription: str, namespace: str) -> str | None:
        """The registration state Azure would report (unknown namespaces: None)."""
        if namespace in ALWAYS_REGISTERED:
            return "Registered"
        if not re.fullmatch(r"[Mm]icrosoft\.[A-Za-z]+", namespace):
            return None
        return self._registrations.get((subscription, namespace.lower()), "NotRegistered")

    def take_name(self, kind: str, name: str) -> None:
        """Someone, somewhere in Azure, holds this name: ``storage``, ``vault``,
        ``registry``, ``synapse`` or ``subdomain``."""
        self._taken.setdefault(kind, set()).add(name.lower())

    def name_taken(self, kind: str, name: str) -> bool:
        """Whether a global name is held."""
        return name.lower() in self._taken.get(kind, set())

    def soft_delete_vault(self, name: str, location: str, *, purge_protection: bool = True,
                          deleted: str = "2026-11-20T10:00:00Z",
                          scheduled_purge: str = "2027-02-18T10:00:00Z",
                          subscription: str | None = None) -> None:
        """A soft-deleted key vault of this subscription that holds ``name``."""
        sub = subscription or self.subscription_id
        self.take_name("vault", name)
        self.deleted_vaults[(sub, location.lower(), name)] = {
            "id": f"/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{location}/"
                  f"deletedVaults/{name}",
            "name": name, "type": "Microsoft.KeyVault/deletedVaults",
            "properties": {"vaultId": f"/subscriptions/{sub}/resourceGroups/rg/providers/"
                                      f"Microsoft.KeyVault/vaults/{name}",
                           "location": location, "deletionDate": deleted,
                           "scheduledPurgeDate": scheduled_purge,
                           "purgeProtectionEnabled": purge_protection, "tags": {}}}

    def add_workspace(self, resource_group: str, name: str, location: str, *,
                      properties: dict | None = None, subscription: str | None = None) -> dict:
        """An Azure ML workspace (as a finished create leaves it); ``properties`` as in the
        2024-10-01 REST shape (``publicNetworkAccess``, ``managedNetwork``, ...)."""
        sub = subscription or self.subscription_id
        rid = (f"/subscriptions/{sub}/resourceGroups/{resource_group}/providers/"
               f"Microsoft.MachineLearningServices/workspaces/{name}")
        body = {"id": rid, "name": name, "location": location,
                "type": "Microsoft.MachineLearningServices/workspaces",
                "identity": {"type": "SystemAssigned"}, "sku": {"name": "Basic", "tier": "Basic"},
                "properties": {"friendlyName": name, "provisioningState": "Succeeded",
                               "publicNetworkAccess": "Enabled", **(properties or {})}}
        self.workspaces[(sub.lower(), resource_group.lower(), name.lower())] = body
        return body

    def add_compute(self, resource_group: str, workspace: str, name: str, properties: dict,
                    *, location: str = "eastus", subscription: str | None = None) -> dict:
        """A compute of a workspace; ``properties`` is the REST ``properties`` object
        (``computeType`` and its own ``properties``: vmSize, vmPriority, scaleSettings,
        idleTimeBeforeShutdown ...)."""
        sub = subscription or self.subscription_id
        match = {"sub": sub, "rg": resource_group, "ws": workspace, "name": name}
        body = self.compute_body(match, properties, location)
        self.computes[(sub.lower(), resource_group.lower(), workspace.lower(),
                       name.lower())] = body
        return body

    @staticmethod
    def compute_body(match, properties: dict, location: str) -> dict:
        """A compute resource as Azure returns it (provisioningState Succeeded)."""
        rid = (f"/subscriptions/{match['sub']}/resourceGroups/{match['rg']}/providers/"
               f"Microsoft.MachineLearningServices/workspaces/{match['ws']}/computes/"
               f"{match['name']}")
        return {"id": rid, "name": match["name"], "location": location,
                "type": "Microsoft.MachineLearningServices/workspaces/computes",
                "properties": {**properties, "provisioningState": "Succeeded"}}

    def set_price(self, region: str, vm_size: str, usd: float,
                  low_priority_usd: float | None = None) -> None:
        """A Linux on-demand (and low-priority) hourly price in the Retail Prices API."""
        self.prices[(region, vm_size)] = (usd, low_priority_usd)

    def fail_next(self, method: str, path: str, *, status: int, code: str, message: str = "",
                  times: int = 1, retry_after: int | None = None) -> None:
        """The next ``times`` calls of ``method`` to a path matching the regex ``path`` fail
        with ``status`` and ARM error ``code`` (e.g. 429 with ``retry_after``, 403
        AuthorizationFailed, 409 MissingSubscriptionRegistration, 500)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._dispatcher.faults.append(Fault(method, re.compile(path), status, code,
                                             message or code, times, headers))


@contextmanager
def fake_azure(**kwargs: str) -> Iterator[FakeAzure]:
    """Serve every HTTP call of the process from a new FakeAzure until the block ends."""
    import responses

    fake = FakeAzure(**kwargs)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            mock.add_callback(method, re.compile(r".*"), callback=fake._dispatcher)
        yield fake
    if fake.unknown_calls:
        raise UnknownAzureCall("trainstack.testing.fake_azure got calls it does not know: "
                               + "; ".join(fake.unknown_calls))
