"""TS-APPLY rules about the way out: an Azure ML managed network that allows only approved
outbound (TS-APPLY-012, -013) and no-public-IP Databricks clusters (TS-APPLY-014).
docs/validation.md lists the sources; the package sources are in trainstack/arm.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from trainstack.validate.model import Resource
from trainstack.validate.rules.apply import first_object, points_at
from trainstack.validate.rules.base import NotApplicable, RuleContext, Unknown, resource_rule

FQDN_RULE = "azurerm_machine_learning_workspace_network_outbound_rule_fqdn"
OUTBOUND_RULES = (FQDN_RULE,
                  "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint",
                  "azurerm_machine_learning_workspace_network_outbound_rule_service_tag")


def _approved_only(r: Resource) -> bool:
    mode = first_object(r.get("managed_network")).get("isolation_mode")
    if mode is not None and not isinstance(mode, str):
        raise Unknown(f"managed_network.isolation_mode {mode!r}")
    return mode == "AllowOnlyApprovedOutbound"


def _rules_of(ctx: RuleContext, workspace: Resource, types: tuple[str, ...]) -> list[Resource]:
    return [o for t in types for o in ctx.stack.of_type(t)
            if points_at(ctx, o.get("workspace_id"), workspace)]


@resource_rule("TS-APPLY-012", "A managed network that allows only approved outbound lets "
               "packages in", "only approved outbound reaches nothing on the internet but "
               "what outbound rules allow: without an FQDN rule pip, conda and image builds "
               "fail on every compute (learn.microsoft.com/azure/machine-learning/"
               "how-to-managed-network, 'Scenario: Access public machine learning packages'); "
               "outside prod AllowInternetOutbound avoids the firewall FQDN rules bring",
               "warning", ["azurerm_machine_learning_workspace"])
def _package_sources(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if not _approved_only(r):
        raise NotApplicable
    if not _rules_of(ctx, r, (FQDN_RULE,)):
        yield ("the managed network allows only approved outbound and no FQDN outbound rule "
               "opens a package source (pypi.org, *.anaconda.org, ...): package installs "
               "fail; add azurerm_machine_learning_workspace_network_outbound_rule_fqdn "
               "rules, or AllowInternetOutbound outside prod")


@resource_rule("TS-APPLY-013", "A workspace's outbound rules are created one at a time",
               "outbound rules of one workspace created in parallel overwrite each other: "
               "terraform reports every rule created while Azure keeps only some "
               "(Azure/terraform-provider-azapi#453 on the workspaces/outboundRules API that "
               "azurerm's outbound rule resources call too); depends_on from each rule to "
               "the one before makes them a chain", "error",
               ["azurerm_machine_learning_workspace"])
def _rules_in_sequence(r: Resource, ctx: RuleContext) -> Iterator[str]:
    rules = _rules_of(ctx, r, OUTBOUND_RULES)
    if len(rules) < 2:
        raise NotApplicable
    addresses = {o.address for o in rules}
    waits_for: dict[str, set[str]] = {}
    for o in rules:
        deps = o.get("depends_on")
        deps = deps if isinstance(deps, list) else []
        waits_for[o.address] = {d for d in deps if isinstance(d, str)} & addresses
    first = sorted(a for a, deps in waits_for.items() if not deps)
    waited_on: dict[str, list[str]] = {}
    for address, deps in waits_for.items():
        for dep in deps:
            waited_on.setdefault(dep, []).append(address)
    # a chain has one first rule and no rule that two others wait for
    together = set(first[1:]) | {a for ws in waited_on.values() if len(ws) > 1 for a in ws}
    if together:
        yield (f"{len(rules)} outbound rules, and {', '.join(sorted(together))} would be "
               f"created at the same time as another: chain them with depends_on, each on "
               f"the one before")


@resource_rule("TS-APPLY-014", "No-public-IP Databricks clusters in an injected network have "
               "a way out", "cluster nodes without public IPs reach the control plane, "
               "storage and package sources through an egress device; with VNet injection "
               "Azure creates none (azurerm databricks_workspace: nat_gateway_name applies "
               "only to a workspace with a managed virtual network), and subnets created "
               "from API 2025-07-01 have no default outbound access: a NAT gateway (or a "
               "route table to a firewall) on both injected subnets", "error",
               ["azurerm_databricks_workspace"])
def _databricks_egress(r: Resource, ctx: RuleContext) -> Iterator[str]:
    params = first_object(r.get("custom_parameters"))
    if not params.get("virtual_network_id") or params.get("no_public_ip", True) is False:
        raise NotApplicable  # a managed network gets Azure's NAT gateway; public IPs leave
    for role in ("public_subnet_name", "private_subnet_name"):
        subnet = ctx.stack.resolve(params.get(role))
        if subnet is None:
            raise Unknown(f"custom_parameters.{role} {params.get(role)!r}")
        ways = [a for t in ("azurerm_subnet_nat_gateway_association",
                            "azurerm_subnet_route_table_association")
                for a in ctx.stack.of_type(t) if points_at(ctx, a.get("subnet_id"), subnet)]
        if not ways:
            yield (f"{subnet.address} ({role}) has no NAT gateway or route table: the "
                   f"no-public-IP cluster nodes cannot leave the network")
