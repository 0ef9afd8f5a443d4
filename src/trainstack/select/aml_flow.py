"""Azure Machine Learning, step by step: requirement -> candidates -> cost -> fit to budget ->
compute. Candidate lists and their rules live in aml.py; budget steps share budget.py."""

from __future__ import annotations

from dataclasses import dataclass, replace

from trainstack.catalog.services import ServiceFacts
from trainstack.catalog.vm import VmSize
from trainstack.profile.models import WorkloadProfile
from trainstack.select import aml, spark
from trainstack.select.budget import Priced, Step, fit_budget, relax_text
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
from trainstack.select.models import Alternative, AmlCluster, AmlInstance, ComputeChoice
from trainstack.select.pools import Pools
from trainstack.select.rules import Rule


@dataclass(frozen=True)
class Plan:
    """The training cluster's ranked size and how many trials run at once."""

    ranked: aml.Ranked
    trials: int


@dataclass
class Workload:
    """One Azure ML selection's inputs and the candidates found for them."""

    profile: WorkloadProfile
    pools: Pools
    region: str
    context: SelectionContext
    req: Requirement
    pinned: VmSize | None
    hours: float  # per run (a third when a GPU node replaces CPU for tabular data)
    fixed: float = 0.0  # the development instance, per month
    prep_hourly: float = 0.0  # the linked Synapse pool runs alongside each run

    def choose(self, low: bool, wider: bool = False) -> aml.Ranked:
        """COMPUTE-CHEAPEST at dedicated or low-priority prices (``wider``: admit the budget
        families); the pinned size when there is one."""
        if self.pinned is not None:
            return aml.Ranked(costed(self.pinned, low), (), 1)
        use = replace(self.req, budget_series=True) if wider else self.req
        field = "overrides.region" if self.profile.overrides.region else "region"
        return aml.rank(self.pools, self.region, use, low, self.context, field)

    def monthly(self, best: Costed, trials: int) -> float:
        """COST-ESTIMATE: nodes x price x hours x runs, the pool alongside, the instance."""
        t = self.profile.training
        per_run_usd = trials * t.nodes_per_run * best.hourly * self.hours \
            + self.prep_hourly * t.max_hours
        return round(per_run_usd * t.runs_per_month + self.fixed, 2)

    def priced(self, ranked: aml.Ranked, trials: int) -> Priced[Plan]:
        """The plan and its monthly cost."""
        return Priced(Plan(ranked, trials), self.monthly(ranked.best, trials))


def select_azure_ml(profile: WorkloadProfile, pools: Pools, region: str,
                    services: ServiceFacts, context: SelectionContext, notes: Notes,
                    spark_prep: bool) -> tuple[list[ComputeChoice], float, bool,
                                               tuple[Alternative, ...]]:
    """The training cluster (and development instance, data-preparation pool), the monthly
    estimate, whether it fits the budget, and the alternatives."""
    req = aml.training_requirement(profile, notes)
    low = low_priority_allowed(profile, notes)
    pinned = (aml.pinned_size(profile, pools.facts.vms, region, req, notes)
              if profile.overrides.training_vm_size else None)
    w = Workload(profile, pools, region, context, req, pinned, profile.training.max_hours)
    ranked = w.choose(low)
    if pinned is None and req.accelerator == "cpu":
        ranked = _gpu_for_tabular(w, ranked, low, notes)
    if low and not ranked.best.low_priority:
        notes.warn(f"{ranked.best.vm.vm_size} has no low-priority price in {region}: "
                   "dedicated nodes")
    dev = aml.dev_instance(profile, pools, region, notes)
    prep = (spark.synapse_pool(profile, services.synapse, notes, role="data-prep")
            if spark_prep else None)
    w.fixed = dev.hourly_usd * aml.DEV_HOURS_PER_MONTH if dev else 0.0
    w.prep_hourly = prep.hourly_cluster_usd if prep else 0.0
    budget = profile.constraints.monthly_budget_usd
    found, within = fit_budget(
        budget, w.priced(ranked, profile.training.concurrent_trials), _budget_steps(w), notes,
        lambda p: relax_text(p.monthly, budget or 0.0, w.fixed, profile.training.runs_per_month,
                             _relax(profile, dev)))
    cluster = _cluster(w, found, notes)
    _explain_cost(w, found, cluster, dev, prep, notes)
    compute: list[ComputeChoice] = [cluster]
    if prep is not None:
        compute.append(prep.compute)
    if dev is not None:
        compute.append(_dev_choice(dev))
    return compute, found.monthly, within, found.plan.ranked.alternatives


def _gpu_for_tabular(w: Workload, ranked: aml.Ranked, low: bool, notes: Notes) -> aml.Ranked:
    """COMPUTE-GPU-TABULAR: switch to a GPU node when cheaper per run, else list it."""
    profile = w.profile
    found = aml.gpu_for_tabular(profile, w.pools, w.region, ranked, low, w.context)
    if found is None:
        return ranked
    gpu, gpu_req, wins = found
    speedup = aml.GPU_TABULAR_SPEEDUP
    if not wins:
        lost = Alternative(
            vm_size=gpu.vm.vm_size, hourly_usd=round(gpu.hourly, 4),
            rejected_because=f"GPU for large {profile.training.framework} data: "
                             f"${gpu.hourly / speedup:.4f} per CPU-hour of work at an assumed "
                             f"{speedup:g}x speed-up, more than {ranked.best.vm.vm_size}")
        return replace(ranked, alternatives=(*ranked.alternatives, lost))
    w.hours = round(w.hours / speedup, 2)
    w.req = gpu_req  # budget steps re-rank on GPU from here on
    notes.why(Rule.COMPUTE_GPU_TABULAR,
              f"large tabular data with {profile.training.framework}: {gpu.vm.vm_size} "
              f"(${gpu.hourly:.4f}/h) at an assumed {speedup:g}x speed-up costs less per run "
              f"than {ranked.best.vm.vm_size} (${ranked.best.hourly:.4f}/h); run time taken "
              f"as {w.hours:g} h")
    return replace(ranked, best=gpu)


def _budget_steps(w: Workload) -> list[Step[Plan]]:
    """BUDGET-LOW-PRIORITY, BUDGET-CHEAPER-FAMILY, BUDGET-FEWER-TRIALS, in this order."""
    profile = w.profile

    def low_priority(p: Priced[Plan], budget: float, notes: Notes) -> Priced[Plan] | None:
        best = p.plan.ranked.best
        if (best.low_priority or not profile.constraints.allow_low_priority
                or is_multi_node(profile)):
            return None
        cheaper = w.choose(True)
        if not cheaper.best.low_priority:
            return None
        new = w.priced(cheaper, p.plan.trials)
        notes.why(Rule.BUDGET_LOW_PRIORITY,
                  f"${p.monthly:,.2f}/month is over the ${budget:,.2f} budget: low-priority "
                  f"{cheaper.best.vm.vm_size} nodes bring it to ${new.monthly:,.2f}")
        return new

    def cheaper_family(p: Priced[Plan], budget: float, notes: Notes) -> Priced[Plan] | None:
        if w.pinned is not None or w.req.accelerator != "cpu":
            return None
        best = p.plan.ranked.best
        wider = w.choose(best.low_priority, wider=True)
        if wider.best.hourly >= best.hourly:
            return None
        new = w.priced(wider, p.plan.trials)
        notes.why(Rule.BUDGET_CHEAPER_FAMILY,
                  f"over budget: {wider.best.vm.vm_size} ({wider.best.vm.family}) is a cheaper "
                  f"feasible family than {best.vm.vm_size}: ${new.monthly:,.2f}/month")
        return new

    def fewer_trials(p: Priced[Plan], budget: float, notes: Notes) -> Priced[Plan] | None:
        trials = p.plan.trials
        if trials <= 1:
            return None
        new = p
        while new.monthly > budget and new.plan.trials > 1:
            new = w.priced(p.plan.ranked, new.plan.trials - 1)
        asked = profile.training.concurrent_trials
        notes.why(Rule.BUDGET_FEWER_TRIALS, f"over budget: {new.plan.trials} concurrent "
                                            f"trial(s) instead of {asked} "
                                            f"(${new.monthly:,.2f}/month)")
        notes.warn(f"training.concurrent_trials reduced from {asked} to {new.plan.trials} to "
                   "fit the budget")
        return new

    return [low_priority, cheaper_family, fewer_trials]


def _relax(profile: WorkloadProfile, dev: VmSize | None) -> list[str]:
    """BUDGET-OVER: what the profile itself could change."""
    relax = []
    if not profile.constraints.allow_low_priority and not is_multi_node(profile):
        relax.append("set constraints.allow_low_priority: true")
    if dev is not None:
        relax.append("drop ui/notebooks from team.prefers to remove the development instance")
    return relax


def _cluster(w: Workload, found: Priced[Plan], notes: Notes) -> AmlCluster:
    """NODES-QUOTA, COMPUTE-CURRENT-GEN, COMPUTE-CHEAPEST, NODES-*: the training cluster."""
    profile, best = w.profile, found.plan.ranked.best
    trials, per_run = found.plan.trials, profile.training.nodes_per_run
    max_nodes = trials * per_run
    quota = w.context.quota_vcpus.get(best.vm.vm_size)
    if quota is not None and quota < max_nodes * best.vm.vcpus:
        capped = max(quota // best.vm.vcpus, per_run)
        notes.why(Rule.NODES_QUOTA, f"quota: {quota} free vCPUs hold "
                                    f"{quota // best.vm.vcpus} {best.vm.vm_size} node(s); "
                                    f"max nodes {max_nodes} -> {capped}")
        notes.warn(f"request more {best.vm.vm_size} quota in {w.region} for "
                   f"{max_nodes} parallel nodes")
        max_nodes = capped
    if w.pinned is None:
        notes.why(Rule.COMPUTE_CURRENT_GEN,
                  f"{found.plan.ranked.candidates} Azure ML size(s) considered in {w.region}; "
                  "older series and retired sizes are not candidates")
        notes.why(Rule.COMPUTE_CHEAPEST, aml.cheapest_text(best, w.req, w.hours))
    notes.why(Rule.NODES_SCALE_TO_ZERO,
              f"the training cluster scales from 0 nodes and releases idle nodes after "
              f"{aml.CLUSTER_IDLE_MINUTES} minutes, so nothing is billed between runs")
    wanted = trials * per_run
    notes.why(Rule.NODES_MAX, f"max {max_nodes} node(s) = {trials} concurrent trial(s) x "
                              f"{per_run} node(s) per run" if max_nodes == wanted else
              f"max {max_nodes} node(s): {trials} concurrent trial(s) x {per_run} node(s) per "
              f"run need {wanted}, the quota holds {max_nodes}; the trials run in turns")
    vm = best.vm
    return AmlCluster(
        role="training", vm_size=vm.vm_size, accelerator=vm.accelerator, family=vm.family,
        gpus=vm.gpus, vcpus=vm.vcpus, memory_gib=vm.memory_gib, min_nodes=0,
        max_nodes=max_nodes, priority="low-priority" if best.low_priority else "dedicated",
        hourly_usd=round(best.hourly, 4), idle_minutes=aml.CLUSTER_IDLE_MINUTES,
    )


def _explain_cost(w: Workload, found: Priced[Plan], cluster: AmlCluster, dev: VmSize | None,
                  prep: spark.SparkPlan | None, notes: Notes) -> None:
    """COST-ESTIMATE: the formula with this selection's numbers and the prices' source."""
    best, t = found.plan.ranked.best, w.profile.training
    parts = [f"{found.plan.trials * t.nodes_per_run} node(s) x ${best.hourly:.4f}/h x "
             f"{w.hours:g} h x {t.runs_per_month} runs"]
    if dev is not None:
        parts.append(f"{dev.vm_size} ${dev.hourly_usd:.4f}/h x {aml.DEV_HOURS_PER_MONTH} h")
    if prep is not None:
        parts.append(f"Synapse pool ${prep.hourly_cluster_usd:.4f}/h x "
                     f"{run_hours(w.profile):g} h")
    notes.why(Rule.COST_ESTIMATE, f"{' + '.join(parts)} = ${found.monthly:,.2f}/month (prices "
                                  f"of {best.vm.price_date}, {best.vm.price_source})")


def _dev_choice(dev: VmSize) -> AmlInstance:
    return AmlInstance(
        role="development", vm_size=dev.vm_size, accelerator="cpu", family=dev.family, gpus=0,
        vcpus=dev.vcpus, memory_gib=dev.memory_gib, min_nodes=1, max_nodes=1,
        priority="dedicated", hourly_usd=round(dev.hourly_usd, 4),
        idle_minutes=aml.DEV_IDLE_MINUTES,
    )
