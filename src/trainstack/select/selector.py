"""The selector: a workload profile becomes a service, compute and a cost.

A pure function of the profile, the catalogs and a context of live facts
(quotas, availability) that the caller supplies: no I/O. The service is decided
first (service.py), then each service sizes its compute (aml.py, spark.py,
ai.py), then cost and budget. Every decision is recorded with its rule id.
"""

from __future__ import annotations

import math
from dataclasses import replace

from trainstack.catalog.facts import Facts
from trainstack.catalog.services import ServiceFacts
from trainstack.catalog.vm import Catalog, VmSize
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select import aml, spark
from trainstack.select.ai import ai_services
from trainstack.select.common import (
    Costed,
    Notes,
    Requirement,
    SelectionContext,
    costed,
    is_multi_node,
    low_priority_allowed,
    run_hours,
)
from trainstack.select.models import (
    Alternative,
    AmlCluster,
    AmlInstance,
    ComputeChoice,
    Selection,
)
from trainstack.select.pools import Pools, pools_of
from trainstack.select.rules import Rule
from trainstack.select.service import decide_service

# Re-exported for tests and callers that build requirements themselves.
__all__ = ["Requirement", "SelectionContext", "select"]


def select(profile: WorkloadProfile, facts: Facts,
           context: SelectionContext | None = None) -> Selection:
    """Choose service, compute and cost for a profile from the facts (VM catalog and
    service facts) and the live context the caller knows. Pure: no I/O."""
    context = context or SelectionContext()
    pools = pools_of(facts)
    services = facts.services
    notes = Notes()
    region = _region(profile, facts.vms, notes)
    decision = decide_service(profile, services, notes)
    if decision.service == "ai-services":
        return _ai(profile, region, services, notes)
    if decision.service == "synapse":
        return _synapse(profile, region, services, notes)
    if decision.service == "databricks":
        return _databricks(profile, pools, region, context, notes)
    return _azure_ml(profile, pools, region, services, context, notes, decision.spark_prep)


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
        notes.why(Rule.REGION_OVERRIDE, f"overrides.region pins {region} (profile says {profile.region})")
    return region


def _selection(profile: WorkloadProfile, service: str, region: str, compute: list[ComputeChoice],
               monthly: float, within: bool, notes: Notes,
               alternatives: tuple[Alternative, ...] = (), ai: tuple = ()) -> Selection:
    return Selection(
        profile=profile.name, service=service, region=region, compute=tuple(compute),
        ai_services=ai, estimated_monthly_usd=round(monthly, 2), within_budget=within,
        rationale=tuple(notes.rationale), alternatives=alternatives,
        warnings=tuple(notes.warnings),
    )


# -- Azure Machine Learning ----------------------------------------------------------------

def _azure_ml(profile: WorkloadProfile, pools: Pools, region: str, services: ServiceFacts,
              context: SelectionContext, notes: Notes, spark_prep: bool) -> Selection:
    catalog = pools.facts.vms
    field = "overrides.region" if profile.overrides.region else "region"
    req = aml.training_requirement(profile, notes)
    low = low_priority_allowed(profile, notes)
    trials = profile.training.concurrent_trials
    per_run = profile.training.nodes_per_run
    hours = profile.training.max_hours
    pinned = (aml.pinned_size(profile, catalog, region, req, notes)
              if profile.overrides.training_vm_size else None)

    def choose(low: bool, wider: bool = False) -> aml.Ranked:
        """The size at these prices; ``req`` is read when called (GPU-tabular may change it)."""
        if pinned is not None:
            return aml.Ranked(costed(pinned, low), (), 1)
        use = replace(req, budget_series=True) if wider else req
        return aml.rank(pools, region, use, low, context, field)

    ranked = choose(low)
    if pinned is None and req.accelerator == "cpu":
        ranked, req, hours = _gpu_for_tabular(profile, pools, region, ranked, low, context,
                                              req, notes)
    if low and not ranked.best.low_priority:
        notes.warn(f"{ranked.best.vm.vm_size} has no low-priority price in {region}: "
                   "dedicated nodes")
    dev = aml.dev_instance(profile, pools, region, notes)
    prep = spark.synapse_pool(profile, services.synapse, notes, role="data-prep") \
        if spark_prep else None
    fixed = dev.hourly_usd * aml.DEV_HOURS_PER_MONTH if dev else 0.0
    prep_hourly = prep.hourly_cluster_usd if prep else 0.0  # the pool runs alongside each run

    def monthly(c: Costed, trials: int) -> float:
        per_run_usd = (trials * per_run * c.hourly * hours
                       + prep_hourly * profile.training.max_hours)
        return round(per_run_usd * profile.training.runs_per_month + fixed, 2)

    budget = profile.constraints.monthly_budget_usd
    cost = monthly(ranked.best, trials)
    within = True
    if budget is not None and cost > budget:
        if (not ranked.best.low_priority and profile.constraints.allow_low_priority
                and not is_multi_node(profile)):
            cheaper = choose(True)
            if cheaper.best.low_priority:
                new = monthly(cheaper.best, trials)
                notes.why(Rule.BUDGET_LOW_PRIORITY,
                          f"${cost:,.2f}/month is over the ${budget:,.2f} budget: low-priority "
                          f"{cheaper.best.vm.vm_size} nodes bring it to ${new:,.2f}")
                ranked, cost = cheaper, new
        if cost > budget and pinned is None and req.accelerator == "cpu":
            wider = choose(ranked.best.low_priority, wider=True)
            if wider.best.hourly < ranked.best.hourly:
                new = monthly(wider.best, trials)
                notes.why(Rule.BUDGET_CHEAPER_FAMILY,
                          f"over budget: {wider.best.vm.vm_size} ({wider.best.vm.family}) is a "
                          f"cheaper feasible family than {ranked.best.vm.vm_size}: "
                          f"${new:,.2f}/month")
                ranked, cost = wider, new
        while cost > budget and trials > 1:
            fewer = trials - 1
            new = monthly(ranked.best, fewer)
            if new <= budget or fewer == 1:
                notes.why(Rule.BUDGET_FEWER_TRIALS,
                          f"over budget: {fewer} concurrent trial(s) instead of "
                          f"{profile.training.concurrent_trials} (${new:,.2f}/month)")
                notes.warn(f"training.concurrent_trials reduced from "
                           f"{profile.training.concurrent_trials} to {fewer} to fit the budget")
            trials, cost = fewer, new
        if cost > budget:
            relax = []
            if not profile.constraints.allow_low_priority and not is_multi_node(profile):
                relax.append("set constraints.allow_low_priority: true")
            if dev is not None:
                relax.append("drop ui/notebooks from team.prefers to remove the development "
                             "instance")
            within = _over_budget(profile, cost, budget, fixed, notes, relax)
    elif budget is not None:
        notes.why(Rule.BUDGET_OK, f"${cost:,.2f}/month is within the ${budget:,.2f} budget")

    best = ranked.best
    max_nodes = trials * per_run
    quota = context.quota_vcpus.get(best.vm.vm_size)
    if quota is not None and quota < max_nodes * best.vm.vcpus:
        capped = max(quota // best.vm.vcpus, per_run)
        notes.why(Rule.NODES_QUOTA, f"quota: {quota} free vCPUs hold {quota // best.vm.vcpus} "
                                 f"{best.vm.vm_size} node(s); max nodes {max_nodes} -> {capped}")
        notes.warn(f"request more {best.vm.vm_size} quota in {region} for "
                   f"{max_nodes} parallel nodes")
        max_nodes = capped
    if pinned is None:
        notes.why(Rule.COMPUTE_CURRENT_GEN,
                  f"{ranked.candidates} Azure ML size(s) considered in {region}; older "
                  "series and retired sizes are not candidates")
        notes.why(Rule.COMPUTE_CHEAPEST, aml.cheapest_text(best, req, hours))
    notes.why(Rule.NODES_SCALE_TO_ZERO,
              f"the training cluster scales from 0 nodes and releases idle nodes after "
              f"{aml.CLUSTER_IDLE_MINUTES} minutes, so nothing is billed between runs")
    notes.why(Rule.NODES_MAX, f"max {max_nodes} node(s) = {trials} concurrent trial(s) x "
                           f"{per_run} node(s) per run")
    parts = [f"{trials * per_run} node(s) x ${best.hourly:.4f}/h x {hours:g} h x "
             f"{profile.training.runs_per_month} runs"]
    if dev is not None:
        parts.append(f"{dev.vm_size} ${dev.hourly_usd:.4f}/h x {aml.DEV_HOURS_PER_MONTH} h")
    if prep is not None:
        parts.append(f"Synapse pool ${prep.hourly_cluster_usd:.4f}/h x {run_hours(profile):g} h")
    notes.why(Rule.COST_ESTIMATE, f"{' + '.join(parts)} = ${cost:,.2f}/month (prices of "
                               f"{best.vm.price_date}, {best.vm.price_source})")

    vm = best.vm
    compute: list[ComputeChoice] = [AmlCluster(
        role="training", vm_size=vm.vm_size, accelerator=vm.accelerator,
        family=vm.family, gpus=vm.gpus, vcpus=vm.vcpus, memory_gib=vm.memory_gib, min_nodes=0,
        max_nodes=max_nodes, priority="low-priority" if best.low_priority else "dedicated",
        hourly_usd=round(best.hourly, 4), idle_minutes=aml.CLUSTER_IDLE_MINUTES,
    )]
    if prep is not None:
        compute.append(prep.compute)
    if dev is not None:
        compute.append(_dev_choice(dev))
    return _selection(profile, "azure-ml", region, compute, cost, within, notes,
                      ranked.alternatives)


def _gpu_for_tabular(profile: WorkloadProfile, pools: Pools, region: str, ranked: aml.Ranked,
                     low: bool, context: SelectionContext, req: Requirement, notes: Notes
                     ) -> tuple[aml.Ranked, Requirement, float]:
    """COMPUTE-GPU-TABULAR: switch to a GPU node when cheaper per run, else list it."""
    hours = profile.training.max_hours
    found = aml.gpu_for_tabular(profile, pools, region, ranked, low, context)
    if found is None:
        return ranked, req, hours
    gpu, gpu_req, wins = found
    speedup = aml.GPU_TABULAR_SPEEDUP
    if not wins:
        lost = Alternative(
            vm_size=gpu.vm.vm_size, hourly_usd=round(gpu.hourly, 4),
            rejected_because=f"GPU for large {profile.training.framework} data: "
                             f"${gpu.hourly / speedup:.4f} per CPU-hour of work at an assumed "
                             f"{speedup:g}x speed-up, more than {ranked.best.vm.vm_size}")
        return replace(ranked, alternatives=(*ranked.alternatives, lost)), req, hours
    hours = round(hours / speedup, 2)
    notes.why(Rule.COMPUTE_GPU_TABULAR,
        f"large tabular data with {profile.training.framework}: {gpu.vm.vm_size} "
        f"(${gpu.hourly:.4f}/h) at an assumed {speedup:g}x speed-up costs less per run than "
        f"{ranked.best.vm.vm_size} (${ranked.best.hourly:.4f}/h); run time taken as {hours:g} h",
    )
    return replace(ranked, best=gpu), gpu_req, hours


def _dev_choice(dev: VmSize) -> AmlInstance:
    return AmlInstance(
        role="development", vm_size=dev.vm_size, accelerator="cpu",
        family=dev.family, gpus=0, vcpus=dev.vcpus, memory_gib=dev.memory_gib, min_nodes=1,
        max_nodes=1, priority="dedicated", hourly_usd=round(dev.hourly_usd, 4),
        idle_minutes=aml.DEV_IDLE_MINUTES,
    )


def _over_budget(profile: WorkloadProfile, cost: float, budget: float, fixed: float,
                 notes: Notes, relax: list[str]) -> bool:
    """BUDGET-OVER: keep the cheapest feasible choice and say what to relax."""
    per_run = (cost - fixed) / profile.training.runs_per_month
    runs_fit = int((budget - fixed) // per_run) if per_run > 0 else 0
    first = [f"raise constraints.monthly_budget_usd to at least ${math.ceil(cost):,}"]
    if runs_fit >= 1:
        first.append(f"lower training.runs_per_month to {runs_fit}")
    notes.why(Rule.BUDGET_OVER,
              f"${cost:,.2f}/month is over the ${budget:,.2f} budget even with the cheapest "
              f"feasible choice; to fit: {'; or '.join(first + relax)}")
    notes.warn(f"over budget: ${cost:,.2f}/month > ${budget:,.2f}")
    return False


# -- Spark services ------------------------------------------------------------------------

def _synapse(profile: WorkloadProfile, region: str, services: ServiceFacts,
             notes: Notes) -> Selection:
    plan = spark.synapse_pool(profile, services.synapse, notes)
    notes.why(Rule.PRIORITY_DEDICATED, "dedicated nodes: Synapse Spark pools have no "
                                    "low-priority or spot option")
    cost = round(plan.hourly_cluster_usd * run_hours(profile), 2)
    within = _budget_check(profile, cost, notes, [
        "use Databricks (overrides.service: databricks) for spot workers",
        "a smaller data sample for iterative runs",
    ])
    notes.why(Rule.COST_ESTIMATE,
              f"{plan.compute.max_nodes} x {plan.compute.node_size} nodes "
              f"({plan.compute.vcpus} vCores) x ${services.synapse.usd_per_vcore_hour}/vCore-h x "
              f"{run_hours(profile):g} h (at the autoscale maximum; the pool itself costs "
              f"nothing while paused) = ${cost:,.2f}/month")
    return _selection(profile, "synapse", region, [plan.compute], cost, within, notes,
                      plan.alternatives)


def _databricks(profile: WorkloadProfile, pools: Pools, region: str,
                context: SelectionContext, notes: Notes) -> Selection:
    spot = low_priority_allowed(profile, notes, spot_word="spot")
    plan = spark.databricks_cluster(profile, pools, region, context, notes, spot)
    cost = round(plan.hourly_cluster_usd * run_hours(profile), 2)
    budget = profile.constraints.monthly_budget_usd
    if (budget is not None and cost > budget and not spot
            and profile.constraints.allow_low_priority and not is_multi_node(profile)):
        cheaper = spark.databricks_cluster(profile, pools, region, context, Notes(), True)
        new = round(cheaper.hourly_cluster_usd * run_hours(profile), 2)
        if new < cost:
            notes.why(Rule.BUDGET_LOW_PRIORITY, f"${cost:,.2f}/month is over the ${budget:,.2f} "
                                             f"budget: spot workers bring it to ${new:,.2f}")
            plan, cost = cheaper, new
    within = _budget_check(profile, cost, notes, [])
    c = plan.compute
    notes.why(Rule.COST_ESTIMATE,
              f"cluster at {c.max_nodes} worker(s) + driver: ${plan.hourly_cluster_usd:.4f}/h "
              f"(VMs + DBUs) x {run_hours(profile):g} h = ${cost:,.2f}/month")
    return _selection(profile, "databricks", region, [c], cost, within, notes, plan.alternatives)


def _budget_check(profile: WorkloadProfile, cost: float, notes: Notes, relax: list[str]) -> bool:
    budget = profile.constraints.monthly_budget_usd
    if budget is None:
        return True
    if cost <= budget:
        notes.why(Rule.BUDGET_OK, f"${cost:,.2f}/month is within the ${budget:,.2f} budget")
        return True
    return _over_budget(profile, cost, budget, 0.0, notes, relax)


# -- Azure AI services ---------------------------------------------------------------------

def _ai(profile: WorkloadProfile, region: str, services: ServiceFacts, notes: Notes) -> Selection:
    choices, cost = ai_services(profile, services.ai, notes)
    budget = profile.constraints.monthly_budget_usd
    within = True
    if budget is not None:
        if cost <= budget:
            notes.why(Rule.BUDGET_OK, f"${cost:,.2f}/month is within the ${budget:,.2f} budget")
        else:
            notes.why(Rule.BUDGET_OVER, f"${cost:,.2f}/month is over the ${budget:,.2f} budget: "
                                     "lower deploy.requests_per_month or raise the budget")
            notes.warn(f"over budget: ${cost:,.2f}/month > ${budget:,.2f}")
            within = False
    return _selection(profile, "ai-services", region, [], cost, within, notes, ai=choices)
