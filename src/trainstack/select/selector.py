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

from trainstack.catalog.facts import Facts
from trainstack.catalog.vm import Catalog
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select.ai import select_ai
from trainstack.select.aml_flow import select_azure_ml
from trainstack.select.common import Notes, Requirement, SelectionContext
from trainstack.select.models import Selection
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
    network = select_network(profile, decision.service, decision.spark_prep, len(ai),
                             facts.services.network, notes)
    monthly, within = _with_network(profile, monthly, within, network.monthly_usd, notes)
    return Selection(
        profile=profile.name, service=decision.service, region=region, compute=tuple(compute),
        ai_services=ai, network=network, estimated_monthly_usd=round(monthly, 2),
        within_budget=within,
        rationale=tuple(notes.rationale), alternatives=alternatives,
        warnings=tuple(notes.warnings),
    )


def _with_network(profile: WorkloadProfile, monthly: float, within: bool, network: float,
                  notes: Notes) -> tuple[float, bool]:
    """NET-COST: the estimate with the network's fixed cost, and whether that fits the budget.
    The compute steps cannot offset a fixed cost, so they are not re-run for it."""
    if network == 0:
        return monthly, within
    total = round(monthly + network, 2)
    budget = profile.constraints.monthly_budget_usd
    fits = budget is None or total <= budget
    notes.why(Rule.NET_COST, f"${monthly:,.2f} compute + ${network:,.2f} network = "
                             f"${total:,.2f}/month"
                             + (f", within the ${budget:,.2f} budget" if budget and fits else ""))
    if within and not fits:
        notes.why(Rule.BUDGET_OVER,
                  f"compute fits the ${budget:,.2f} budget, but with the network's fixed "
                  f"${network:,.2f}/month the total ${total:,.2f} does not: raise "
                  f"constraints.monthly_budget_usd to at least ${math.ceil(total):,}")
        notes.warn(f"over budget: ${total:,.2f}/month > ${budget:,.2f}")
        within = False
    elif not fits:
        # compute's own advice counted compute only
        notes.why(Rule.BUDGET_OVER,
                  f"the network's fixed ${network:,.2f}/month comes on top of compute: a "
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
