"""The network a stack gets, and what it costs every month whether anything runs or not.

A public profile gets none. A private profile closes every resource that has a public
endpoint and reaches it through private endpoints, each with its private DNS zone
(NET-PRIVATE-ENDPOINTS); an Azure ML workspace's managed network allows internet outbound
outside prod, and in prod only approved outbound with rules for the package sources, which
makes Azure deploy a firewall (NET-OUTBOUND); VNet-injected Databricks clusters have no
public IPs and leave through a NAT gateway (NET-EGRESS). The constructs make exactly what is
counted here (tests/select/test_network.py compares every synthesized stack with it).
"""

from __future__ import annotations

from typing import NamedTuple

from trainstack import arm
from trainstack.catalog.services import NetworkFacts
from trainstack.profile.existing import Existing
from trainstack.profile.models import WorkloadProfile
from trainstack.select.common import Notes
from trainstack.select.models import NetworkChoice, NetworkItem
from trainstack.select.rules import Rule


class Closed(NamedTuple):
    """A resource a private stack closes: its type, whether it is a hierarchical-namespace
    (ADLS Gen2) account, and endpoints beyond its type's (trainstack/arm.py)."""

    resource_type: str
    hierarchical: bool = False
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


# What each part of a private stack closes (constructs/aml.py, synapse.py, databricks.py,
# ai.py): Azure ML keeps notebooks on its storage's file share, so that gets file too.
AML_CLOSED = (Closed("azurerm_machine_learning_workspace"),
              Closed("azurerm_storage_account", extra=(arm.FILE,)),
              Closed("azurerm_key_vault"), Closed("azurerm_container_registry"))
SYNAPSE_CLOSED = (Closed("azurerm_synapse_workspace"),
                  Closed("azurerm_storage_account", hierarchical=True))
DATABRICKS_CLOSED = (Closed("azurerm_databricks_workspace"),)
AI_CLOSED = Closed("azurerm_cognitive_account")


def closed_resources(service: str, spark_prep: bool, ai_accounts: int,
                     existing: Existing | None = None) -> tuple[Closed, ...]:
    """What a private stack of this shape closes: not what exists already (the profile's
    ``existing``: its owner closes it)."""
    existing = existing or Existing()
    synapse = () if existing.synapse_workspace_id else SYNAPSE_CLOSED
    if service == "azure-ml":
        aml = () if existing.aml_workspace_id else tuple(
            c for c in AML_CLOSED if not (existing.container_registry_id
                                          and c.resource_type == "azurerm_container_registry"))
        return aml + (synapse if spark_prep else ())
    if service == "synapse":
        return synapse
    if service == "databricks":
        return () if existing.databricks_workspace_id else DATABRICKS_CLOSED
    return (AI_CLOSED,) * ai_accounts


def endpoints_of(closed: tuple[Closed, ...], existing_zones: frozenset[str] = frozenset()
                 ) -> tuple[int, int]:
    """How many private endpoints those resources need, and how many distinct private DNS
    zones the stack makes for them (none for the zones the profile names)."""
    endpoints = [e for c in closed
                 for e in (*arm.private_link(c.resource_type, hierarchical=c.hierarchical),
                           *c.extra)]
    zones = {z for _, names in endpoints for z in names} - existing_zones
    return len(endpoints), len(zones)


def select_network(profile: WorkloadProfile, service: str, spark_prep: bool, ai_accounts: int,
                   facts: NetworkFacts, notes: Notes) -> NetworkChoice:
    """NET-*: the network of the stack and its fixed monthly cost."""
    if profile.constraints.network != "private":
        return NetworkChoice()
    month = facts.hours_per_month
    existing = profile.constraints.existing_network
    endpoints, zones = endpoints_of(
        closed_resources(service, spark_prep, ai_accounts, profile.existing),
        frozenset(existing.private_dns_zone_ids) if existing else frozenset())
    items = [
        NetworkItem(item="private endpoint", quantity=endpoints,
                    monthly_usd=round(endpoints * facts.private_endpoint_usd_per_hour * month, 2)),
        NetworkItem(item="private DNS zone", quantity=zones,
                    monthly_usd=round(zones * facts.private_dns_zone_usd_per_month, 2)),
    ]
    notes.why(Rule.NET_PRIVATE_ENDPOINTS,
              f"private: public access off on every resource; "
              f"{_count(endpoints, 'private endpoint')} "
              f"(${facts.private_endpoint_usd_per_hour:.2f}/hour each) and "
              f"{_count(zones, 'private DNS zone')} "
              f"(${facts.private_dns_zone_usd_per_month:.2f}/month each) reach them")
    outbound = _outbound(profile, service, facts, items, notes)
    egress = None if profile.existing.databricks_workspace_id else \
        _egress(service, facts, items, notes)
    return NetworkChoice(mode="private", outbound=outbound, egress=egress,
                         private_endpoints=endpoints, private_dns_zones=zones,
                         items=tuple(items))


def _outbound(profile: WorkloadProfile, service: str, facts: NetworkFacts,
              items: list[NetworkItem], notes: Notes) -> str | None:
    """The Azure ML managed network's outbound mode; the firewall it brings in prod."""
    if service != "azure-ml":
        return None
    if profile.existing.aml_workspace_id:
        notes.why(Rule.NET_OUTBOUND, "the existing Azure ML workspace keeps its own managed "
                                     "network: the stack changes nothing of it")
        return None
    if profile.environment != "prod":
        notes.why(Rule.NET_OUTBOUND,
                  f"{profile.environment}: the managed network allows internet outbound "
                  "(no firewall to pay for; prod allows only approved outbound)")
        return "internet"
    monthly = round(facts.firewall_standard_usd_per_hour * facts.hours_per_month, 2)
    items.append(NetworkItem(item="Azure Firewall Standard (managed network)", quantity=1,
                             monthly_usd=monthly))
    notes.why(Rule.NET_OUTBOUND,
              f"prod: the managed network allows only approved outbound; "
              f"{len(arm.PACKAGE_FQDNS)} FQDN rules open the package sources (PyPI, conda, "
              f"PyTorch, TensorFlow, Hugging Face, Docker Hub, GitHub), and Azure deploys a "
              f"Standard firewall for them: ${monthly:,.2f}/month "
              f"(${facts.firewall_standard_usd_per_hour:.2f}/hour, plus data processed)")
    return "approved-only"


def _egress(service: str, facts: NetworkFacts, items: list[NetworkItem],
            notes: Notes) -> str | None:
    """VNet-injected Databricks: a NAT gateway and its static public IP."""
    if service != "databricks":
        return None
    gateway = round(facts.nat_gateway_usd_per_hour * facts.hours_per_month, 2)
    address = round(facts.public_ip_usd_per_hour * facts.hours_per_month, 2)
    items += [NetworkItem(item="NAT gateway", quantity=1, monthly_usd=gateway),
              NetworkItem(item="static public IP (NAT gateway)", quantity=1,
                          monthly_usd=address)]
    notes.why(Rule.NET_EGRESS,
              f"the injected cluster subnets have no public IPs and no default outbound "
              f"access: a NAT gateway with one static public IP is their egress, "
              f"${gateway + address:,.2f}/month (plus data processed)")
    return "nat-gateway"


def _count(n: int, noun: str) -> str:
    """'1 private endpoint', '5 private endpoints'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
