"""Spark compute: Synapse Spark pools and Databricks clusters.

Both size the cluster from the memory the data needs: usable memory per node
is taken as 75% of the node's (the rest is Spark's overhead and the OS), and
the cheapest node size x count that holds the data wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from trainstack.catalog.services import DatabricksFacts, SparkNodeSize, SynapseFacts
from trainstack.catalog.vm import VmSize
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select.budget import Priced, fit_budget, relax_text
from trainstack.select.common import (
    TRAINING_GPUS,
    Notes,
    Requirement,
    SelectionContext,
    gpu_requirement,
    is_multi_node,
    low_priority_allowed,
    needs_gpu,
    run_hours,
    spark_memory_need,
)
from trainstack.select.models import Alternative, DatabricksCluster, SynapsePool
from trainstack.select.pools import Pools
from trainstack.select.rules import Rule

USABLE = 0.75  # share of a node's memory Spark executors can use
PREFERRED_MAX_WORKERS = 32  # beyond this, shuffle and driver overhead grow: prefer bigger nodes
DATABRICKS_AUTOTERMINATE_MINUTES = 30
DATABRICKS_MAX_WORKERS = 100
MIN_WORKER_GIB = 14
DBU_RATE = "all-purpose"  # the cluster kind the stack creates (constructs/databricks.py)  # smaller nodes spend most of their memory on Spark itself


@dataclass(frozen=True)
class SparkPlan:
    compute: SynapsePool | DatabricksCluster
    hourly_cluster_usd: float  # all nodes at max size, compute (+ DBUs)
    alternatives: tuple[Alternative, ...]


def _ranked_alternatives(options: list[tuple[float, int, str]], best: float, unit: str
                         ) -> tuple[Alternative, ...]:
    """The next three (hourly, count, label) options and why each lost to ``best``."""
    out = []
    for hourly, count, label in options[1:4]:
        if count > PREFERRED_MAX_WORKERS and hourly <= best:
            why = f"{count} {unit}: more than {PREFERRED_MAX_WORKERS}"
        elif hourly > best:
            why = f"costs ${hourly - best:.4f}/h more"
        else:
            why = f"same price; fewer {unit} win ties"
        out.append(Alternative(vm_size=label, hourly_usd=round(hourly, 4), rejected_because=why))
    return tuple(out)


def _nodes_for(need_gib: float, node_gib: float, minimum: int) -> int:
    return max(minimum, math.ceil(need_gib / (node_gib * USABLE)))


# -- Synapse ---------------------------------------------------------------------------

def synapse_pool(profile: WorkloadProfile, facts: SynapseFacts, notes: Notes, *,
                 role: str = "training") -> SparkPlan:
    """SPARK-SYNAPSE-SIZE: the node size and autoscale range of a Synapse Spark pool."""
    need, basis = spark_memory_need(profile)
    options: list[tuple[float, int, SparkNodeSize]] = []
    for size in facts.node_sizes:
        # the minimum 3 nodes are one driver and two executors
        nodes = _nodes_for(need, size.memory_gib, facts.min_nodes - 1) + 1
        if nodes > facts.max_nodes:
            continue
        options.append((nodes * size.vcores * facts.usd_per_vcore_hour, nodes, size))
    if not options:
        raise SelectionError("data.size_gb", f"the data needs about {need:g} GiB in memory, more "
                             f"than {facts.max_nodes} Synapse nodes hold (got "
                             f"{profile.data.size_gb:g})")
    # pools of at most PREFERRED_MAX_WORKERS nodes first, then price, then fewer nodes
    options.sort(key=lambda o: (o[1] > PREFERRED_MAX_WORKERS, round(o[0], 6), o[1]))
    hourly, nodes, size = options[0]
    notes.why(Rule.SPARK_SYNAPSE_SIZE,
        f"the data needs ~{need:g} GiB in memory ({basis}): {size.name} nodes ({size.vcores} "
        f"vCores, {size.memory_gib:g} GiB) x {nodes} hold it at {USABLE:.0%} usable, the "
        f"cheapest pool of up to {PREFERRED_MAX_WORKERS} nodes; autoscale "
        f"{facts.min_nodes}-{nodes} nodes, auto-pause after {facts.auto_pause_minutes} min, "
        f"{facts.node_family}, Spark {facts.spark_version} "
        "(3.4 support ended 2026-03-31; GPU pools were retired 2024-07-08)",
    )
    alts = _ranked_alternatives([(h, n, f"Synapse {s.name} x {n}") for h, n, s in options],
                                hourly, "nodes")
    compute = SynapsePool(
        role=role, node_size=size.name, node_family=facts.node_family,
        accelerator="cpu", family="memory-optimized", gpus=0, vcpus=size.vcores,
        memory_gib=size.memory_gib, min_nodes=facts.min_nodes,
        max_nodes=max(nodes, facts.min_nodes),
        priority="dedicated", hourly_usd=round(size.vcores * facts.usd_per_vcore_hour, 4),
        idle_minutes=facts.auto_pause_minutes, runtime=facts.spark_version,
    )
    return SparkPlan(compute, hourly, alts)


# -- Databricks ------------------------------------------------------------------------

def _node_hourly(vm: VmSize, facts: DatabricksFacts, spot: bool) -> float:
    """VM price (spot where the catalog has a low-priority price) + DBUs at the all-purpose
    rate: the stack creates an all-purpose cluster (``databricks_cluster``), and jobs that run
    on it are billed as all-purpose compute (the jobs rate is for job clusters a job creates)."""
    vm_price = vm.low_priority_usd if spot and vm.low_priority_usd is not None else vm.hourly_usd
    return vm_price + facts.dbu_per_hour(vm.family, vm.vcpus) * facts.dbu_usd[DBU_RATE]


def _cluster_hourly(vm: VmSize, workers: int, facts: DatabricksFacts, spot: bool) -> float:
    """The driver stays on demand (first_on_demand = 1); workers may be spot."""
    return _node_hourly(vm, facts, False) + workers * _node_hourly(vm, facts, spot)


def databricks_cluster(profile: WorkloadProfile, pools: Pools, region: str,
                       context: SelectionContext, notes: Notes, spot: bool) -> SparkPlan:
    """SPARK-DATABRICKS-NODE: node type, workers and ML runtime of a Databricks cluster."""
    facts = pools.facts.services.databricks
    gpu, why = needs_gpu(profile)
    pool = [vm for vm in pools.databricks(region)
            if vm.vm_size not in context.unavailable_sizes]
    if gpu:
        req, ladder = gpu_requirement(profile)
        notes.why(Rule.COMPUTE_GPU, f"GPU: {why}; Databricks GPU nodes with the ML GPU runtime")
        notes.why(Rule.COMPUTE_GPU_LADDER, ladder)
        options, runtime, shape = _gpu_options(profile, pool, req, facts, spot)
    else:
        notes.why(Rule.COMPUTE_CPU, f"CPU: {why} on Spark executors")
        options, runtime, shape = _cpu_options(profile, pool, facts, spot)
    if not options:
        elsewhere = {vm.region for vm in pools.facts.vms.rows if facts.supports(vm.vm_size)
                     and (not gpu or (vm.gpus and req.shortfall(vm) is None))}
        near = ", ".join(nearest(region, elsewhere)[:3]) or "none"
        raise SelectionError("region", f"no Databricks node type in {region} fits this "
                             f"workload; nearest regions with one: {near} (got '{region}')")
    # clusters of at most PREFERRED_MAX_WORKERS first, then price, then name
    options.sort(key=lambda o: (o[1] > PREFERRED_MAX_WORKERS, round(o[0], 6), o[2].vm_size))
    hourly, workers, vm = options[0]
    dbu = facts.dbu_per_hour(vm.family, vm.vcpus)
    notes.why(Rule.SPARK_DATABRICKS_NODE,
        f"{vm.vm_size} ({vm.family}, {vm.vcpus} vCPUs, {vm.memory_gib:g} GiB"
        + (f", {vm.gpus} x {vm.gpu_model}" if vm.gpus else "")
        + f"), {shape.format(w=workers)}: the cheapest cluster at VM + {dbu:g} DBU/h x "
        f"${facts.dbu_usd[DBU_RATE]:.2f} (all-purpose compute, premium: the cluster the stack "
        f"creates); runtime {runtime} "
        f"({facts.runtime_lts} ML), auto-terminates after {DATABRICKS_AUTOTERMINATE_MINUTES} "
        "idle minutes",
    )
    alts = _ranked_alternatives([(h, w, f"{v.vm_size} x {w} + driver") for h, w, v in options],
                                hourly, "workers")
    spot_used = spot and vm.low_priority_usd is not None and workers > 0
    compute = DatabricksCluster(
        role="training", vm_size=vm.vm_size,
        accelerator="gpu" if vm.gpus else "cpu", family=vm.family, gpus=vm.gpus,
        vcpus=vm.vcpus, memory_gib=vm.memory_gib,
        min_nodes=workers if (gpu or workers == 0) else 1, max_nodes=workers,
        priority="low-priority" if spot_used else "dedicated",
        hourly_usd=round(_node_hourly(vm, facts, spot_used), 4),
        idle_minutes=DATABRICKS_AUTOTERMINATE_MINUTES, runtime=runtime,
    )
    return SparkPlan(compute, hourly, alts)



Option = tuple[float, int, VmSize]  # cluster USD/h, workers, node type


def _gpu_options(profile: WorkloadProfile, pool: list[VmSize], req: Requirement,
                 facts: DatabricksFacts, spot: bool) -> tuple[list[Option], str, str]:
    """GPU node types that meet the ladder step: single node, or a fixed multi-node size."""
    workers = profile.training.nodes_per_run if is_multi_node(profile) else 0
    options = [(_cluster_hourly(vm, workers, facts, spot), workers, vm) for vm in pool
               if vm.gpus and vm.gpu_model in TRAINING_GPUS and req.shortfall(vm) is None]
    shape = ("single node (the driver trains)" if workers == 0 else
             f"{workers} workers + driver, fixed size for synchronous training")
    return options, facts.gpu_ml_runtime, shape


def _cpu_options(profile: WorkloadProfile, pool: list[VmSize], facts: DatabricksFacts,
                 spot: bool) -> tuple[list[Option], str, str]:
    """CPU node types and the workers each needs to hold the data at USABLE memory."""
    need, basis = spark_memory_need(profile)
    options = []
    for vm in pool:
        if vm.gpus or vm.memory_gib < MIN_WORKER_GIB:
            continue
        workers = _nodes_for(need, vm.memory_gib, 2)
        if workers <= DATABRICKS_MAX_WORKERS:
            options.append((_cluster_hourly(vm, workers, facts, spot), workers, vm))
    shape = (f"autoscale 1-{{w}} workers + driver (the data needs ~{need:g} GiB: {basis}; "
             f"clusters of up to {PREFERRED_MAX_WORKERS} workers preferred)")
    return options, facts.cpu_ml_runtime, shape


# -- the flows: size -> cost -> fit to budget ----------------------------------------------

def select_synapse(profile: WorkloadProfile, facts: SynapseFacts, notes: Notes
                   ) -> tuple[list[SynapsePool], float, bool, tuple[Alternative, ...]]:
    """A Synapse pool for training: compute, monthly estimate, within budget, alternatives."""
    plan = synapse_pool(profile, facts, notes)
    notes.why(Rule.PRIORITY_DEDICATED, "dedicated nodes: Synapse Spark pools have no "
                                       "low-priority or spot option")
    budget = profile.constraints.monthly_budget_usd
    found, within = fit_budget(
        budget, Priced(plan, round(plan.hourly_cluster_usd * run_hours(profile), 2)), [], notes,
        lambda p: relax_text(p.monthly, budget or 0.0, 0.0, profile.training.runs_per_month, [
            "use Databricks (overrides.service: databricks) for spot workers",
            "a smaller data sample for iterative runs"]))
    pool = found.plan.compute
    assert isinstance(pool, SynapsePool)
    notes.why(Rule.COST_ESTIMATE,
              f"{pool.max_nodes} x {pool.node_size} nodes ({pool.vcpus} vCores) x "
              f"${facts.usd_per_vcore_hour}/vCore-h x {run_hours(profile):g} h (at the "
              f"autoscale maximum; the pool itself costs nothing while paused) = "
              f"${found.monthly:,.2f}/month")
    return [pool], found.monthly, within, plan.alternatives


def select_databricks(profile: WorkloadProfile, pools: Pools, region: str,
                      context: SelectionContext, notes: Notes
                      ) -> tuple[list[DatabricksCluster], float, bool, tuple[Alternative, ...]]:
    """A Databricks cluster: compute, monthly estimate, within budget, alternatives."""
    spot = low_priority_allowed(profile, notes, spot_word="spot")
    plan = databricks_cluster(profile, pools, region, context, notes, spot)

    def priced(p: SparkPlan) -> Priced[SparkPlan]:
        return Priced(p, round(p.hourly_cluster_usd * run_hours(profile), 2))

    def spot_workers(p: Priced[SparkPlan], budget: float, notes: Notes
                     ) -> Priced[SparkPlan] | None:
        """BUDGET-LOW-PRIORITY: spot workers (the driver stays on demand)."""
        if spot or not profile.constraints.allow_low_priority or is_multi_node(profile):
            return None
        cheaper = priced(databricks_cluster(profile, pools, region, context, Notes(), True))
        if cheaper.monthly >= p.monthly:
            return None
        notes.why(Rule.BUDGET_LOW_PRIORITY, f"${p.monthly:,.2f}/month is over the "
                                            f"${budget:,.2f} budget: spot workers bring it "
                                            f"to ${cheaper.monthly:,.2f}")
        return cheaper

    budget = profile.constraints.monthly_budget_usd
    found, within = fit_budget(
        budget, priced(plan), [spot_workers], notes,
        lambda p: relax_text(p.monthly, budget or 0.0, 0.0, profile.training.runs_per_month,
                             []))
    cluster = found.plan.compute
    assert isinstance(cluster, DatabricksCluster)
    notes.why(Rule.COST_ESTIMATE,
              f"cluster at {cluster.max_nodes} worker(s) + driver: "
              f"${found.plan.hourly_cluster_usd:.4f}/h (VMs + DBUs) x {run_hours(profile):g} h "
              f"= ${found.monthly:,.2f}/month")
    return [cluster], found.monthly, within, found.plan.alternatives
