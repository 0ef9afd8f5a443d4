"""The selector: a workload profile becomes a service, compute and a cost.

A pure function of the profile, the facts (VM catalog and service facts) and a
context of live facts (quotas, availability) that the caller supplies: no I/O. The
service is decided first (service.py); then that service's flow runs its steps,
candidates -> cost -> fit to budget (aml_flow.py, spark.py, ai.py; budget.py is shared).
Every decision is recorded with its rule id (rules.py).
"""

from __future__ import annotations

from trainstack.catalog.facts import Facts
from trainstack.catalog.vm import Catalog
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select.ai import select_ai
from trainstack.select.aml_flow import select_azure_ml
from trainstack.select.common import Notes, Requirement, SelectionContext
from trainstack.select.models import Selection
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
    return Selection(
        profile=profile.name, service=decision.service, region=region, compute=tuple(compute),
        ai_services=ai, estimated_monthly_usd=round(monthly, 2), within_budget=within,
        rationale=tuple(notes.rationale), alternatives=alternatives,
        warnings=tuple(notes.warnings),
    )


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
