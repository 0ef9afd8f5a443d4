"""The selector: a workload profile becomes a service, compute and a cost.

A pure function of the profile, the facts (VM catalog and service facts) and a
context of live facts (quotas, availability) that the caller supplies: no I/O. The
service is decided first (service.py); then that service's flow runs its steps,
candidates -> cost -> fit to budget (aml_flow.py, spark.py, ai.py; budget.py is shared);
last the network and its fixed cost (network.py).
Every decision is recorded with its rule id (rules.py).
"""

from __future__ import annotations

import math

from trainstack import alerts
from trainstack.catalog.facts import Facts
from trainstack.catalog.vm import Catalog
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select import cost
from trainstack.select.ai import select_ai
from trainstack.select.aml_flow import select_azure_ml
from trainstack.select.common import Notes, Requirement, SelectionContext
from trainstack.select.inference import select_inference
from trainstack.select.models import AmlOnlineEndpoint, CostItem, Selection
from trainstack.select.network import select_network
from trainstack.select.pools import pools_of
from trainstack.select.rules import Rule
from trainstack.select.service import decide_service
from trainstack.select.spark import select_databricks, select_synapse

# Re-exported for tests and callers that build requirements themselves.
__all__ = ["Requirement", "SelectionContext", "select"]


def select(profile: WorkloadProfile, facts: Facts,
           context: SelectionContext | None = None) -> Selection:
    """Choose service, compute and cost for a profile from the facts (VM catalog and
    service facts) and the live context the caller knows. Pure: no I/O."""
    context = context or SelectionContext()
    pools = pools_of(facts)
    notes = Notes()
    region = _region(profile, facts.vms, notes)
    decision = decide_service(profile, facts.services, notes)
    _fits_the_service(profile, decision.service, decision.spark_prep)
    ai: tuple = ()
    alternatives: tuple = ()
    if decision.service == "ai-services":
        ai, monthly, within = select_ai(profile, facts.services.ai, notes)
        compute: list = []
    elif decision.service == "synapse":
        compute, monthly, within, alternatives = select_synapse(
            profile, facts.services.synapse, notes)
    elif decision.service == "databricks":
        compute, monthly, within, alternatives = select_databricks(
            profile, pools, region, context, notes)
    else:
        compute, monthly, within, alternatives = select_azure_ml(
            profile, pools, region, facts.services, context, notes, decision.spark_prep)
    items = (cost.ai_items(profile, ai, monthly, facts) if ai else
             cost.compute_items(profile, compute, monthly, facts, region))
    inference, endpoint_items = select_inference(profile, decision.service,
                                                 next(iter(compute), None), facts, region, notes)
    if inference is not None:
        compute.append(inference)
    network = select_network(profile, decision.service, decision.spark_prep, len(ai),
                             facts.services.network, notes)
    _data_drift(profile, decision.service, network.outbound, notes)
    fixed = [*endpoint_items, *cost.network_items(network, facts.services.network.source)]
    fixed += cost.platform_items(profile, decision.service, cost.node_hours(items + fixed),
                                 _alert_rules(profile, decision.service, compute),
                                 facts.services.platform)
    items += fixed
    monthly, within = _with_fixed(profile, monthly, within, fixed, notes,
                                  "usage" if ai else "compute")
    return Selection(
        profile=profile.name, service=decision.service, region=region, compute=tuple(compute),
        ai_services=ai, network=network, estimated_monthly_usd=cost.total(items),
        cost_breakdown=tuple(items), within_budget=within,
        rationale=tuple(notes.rationale), alternatives=alternatives,
        warnings=tuple(notes.warnings),
    )


def _fits_the_service(profile: WorkloadProfile, service: str, spark_prep: bool) -> None:
    """What the profile names for one service is used by the service chosen: an existing
    workspace, registry or network; keys off on a workspace's storage; a lake Unity
    Catalog can read."""
    uses = {"aml_workspace_id": (service == "azure-ml", "Azure ML"),
            "databricks_workspace_id": (service == "databricks", "Databricks"),
            "synapse_workspace_id": (service == "synapse" or spark_prep, "Synapse")}
    for field, (used, name) in uses.items():
        value = getattr(profile.existing, field)
        if value and not used:
            raise SelectionError(f"existing.{field}", f"names an existing {name} workspace, "
                                 f"but {service} serves this profile and uses no {name} "
                                 f"workspace (got '{value}')")
    if not profile.constraints.storage_shared_keys and (
            service != "azure-ml" or profile.existing.aml_workspace_id):
        raise SelectionError("constraints.storage_shared_keys", "turns keys off on the storage "
                             "of an Azure ML workspace the stack makes; this profile makes "
                             "none (got false)")
    network = profile.constraints.existing_network
    if network is not None and network.virtual_network_id and service != "databricks":
        raise SelectionError("constraints.existing_network.virtual_network_id", "is for "
                             f"Databricks' injected subnets; {service} serves this profile "
                             "(its private endpoints go in subnet_id)")
    location = profile.data.location
    if service == "databricks" and location is not None and not location.hierarchical_namespace:
        raise SelectionError("data.location.hierarchical_namespace", "Databricks reads the "
                             "data through Unity Catalog, whose external locations need an "
                             "ADLS Gen2 account (hierarchical namespace; Learn, "
                             "storage-credentials): name one (got false)")
    if profile.existing.container_registry_id and service != "azure-ml":
        raise SelectionError("existing.container_registry_id", "a registry is for an Azure ML "
                             f"workspace the stack makes; {service} serves this profile (got "
                             f"'{profile.existing.container_registry_id}')")


def _data_drift(profile: WorkloadProfile, service: str, outbound: str | None,
                notes: Notes) -> None:
    """MONITOR-DRIFT: what monitor.data_drift gets, and when Azure ML cannot run it."""
    if not profile.monitor.data_drift:
        return
    if service != "azure-ml":
        notes.why(Rule.MONITOR_DRIFT, f"monitor.data_drift: {service} stacks have no Azure ML "
                                      "model monitor; monitor drift on the platform")
        return
    notes.why(Rule.MONITOR_DRIFT, "monitor.data_drift: the model monitor is created after "
                                  "training, from registered data assets (docs/guide.md, step 6)")
    if outbound == "approved-only":
        notes.warn("monitor.data_drift: Azure ML model monitors do not run in a managed network "
                   "that allows only approved outbound (Learn, concept-model-monitoring), which "
                   "this prod private workspace has: run the monitor from another workspace, or "
                   "set data_drift: false")


def _alert_rules(profile: WorkloadProfile, service: str, compute: list) -> int:
    """How many metric alert rules the stack makes (trainstack/alerts.py): Azure ML's, when
    the profile gives an address to mail."""
    if service != "azure-ml" or profile.monitor.alert_email is None:
        return 0
    training, online = compute[0], any(isinstance(c, AmlOnlineEndpoint) for c in compute)
    return len(alerts.workspace_alerts(training.priority == "low-priority")) + (
        len(alerts.ENDPOINT_ALERTS) if online else 0)


def _with_fixed(profile: WorkloadProfile, monthly: float, within: bool, fixed: list[CostItem],
                notes: Notes, first: str) -> tuple[float, bool]:
    """COST-TOTAL: the estimate with the fixed lines (endpoint, network, platform), and whether
    that fits the budget. The compute steps cannot offset a fixed cost, so they are not re-run
    for it."""
    parts = {c: cost.total([i for i in fixed if i.category == c])
             for c in ("endpoint", "network", "platform")}
    if not any(parts.values()):
        return monthly, within
    total = round(cost.total(fixed) + monthly, 2)
    budget = profile.constraints.monthly_budget_usd
    fits = budget is None or total <= budget
    notes.why(Rule.COST_TOTAL, f"${monthly:,.2f} {first} + "
              + " + ".join(f"${v:,.2f} {c}" for c, v in parts.items() if v)
              + f" = ${total:,.2f}/month"
              + (f", within the ${budget:,.2f} budget" if budget and fits else ""))
    if within and not fits:
        notes.why(Rule.BUDGET_OVER,
                  f"compute fits the ${budget:,.2f} budget, but with the fixed "
                  f"${total - monthly:,.2f}/month the total ${total:,.2f} does not: raise "
                  f"constraints.monthly_budget_usd to at least ${math.ceil(total):,}")
        notes.warn(f"over budget: ${total:,.2f}/month > ${budget:,.2f}")
        within = False
    elif not fits:
        # compute's own advice counted compute only
        notes.why(Rule.BUDGET_OVER,
                  f"the fixed ${total - monthly:,.2f}/month comes on top of compute: a "
                  f"budget that holds both is at least ${math.ceil(total):,}")
    return total, within


def _region(profile: WorkloadProfile, catalog: Catalog, notes: Notes) -> str:
    region = profile.target_region
    field = "overrides.region" if profile.overrides.region else "region"
    if region not in catalog.regions:
        near = nearest(region, catalog.regions)[:3]
        raise SelectionError(
            field,
            f"the catalog has no prices for {region} (got '{region}'); nearest regions it "
            f"covers: {', '.join(near)}",
        )
    if profile.overrides.region and profile.overrides.region != profile.region:
        notes.why(Rule.REGION_OVERRIDE,
                  f"overrides.region pins {region} (profile says {profile.region})")
    return region
