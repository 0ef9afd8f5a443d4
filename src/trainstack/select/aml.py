"""Azure Machine Learning compute: the training cluster and a development instance.

Candidates come from the facts' pools (pools.py: built once, sorted by price), so one
selection scans only the sizes up to the cheapest feasible one and a few after.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainstack.catalog.vm import Catalog, VmSize
from trainstack.errors import SelectionError, did_you_mean
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select.common import (
    GPU_TABULAR_FRAMEWORKS,
    LARGEST_NODE_GIB,
    MIN_CPU_VCPUS,
    Costed,
    Notes,
    Requirement,
    SelectionContext,
    gpu_requirement,
    memory_need,
    needs_gpu,
)
from trainstack.select.models import Alternative
from trainstack.select.pools import Pools
from trainstack.select.rules import Rule

DEV_HOURS_PER_MONTH = 176  # 8 h x 22 working days; idle shutdown stops the rest
DEV_IDLE_MINUTES = 60
CLUSTER_IDLE_MINUTES = 15
MAX_ALTERNATIVES = 6
GPU_TABULAR_SPEEDUP = 3.0  # assumed run-time ratio of a CPU node to a GPU node (XGBoost/LightGBM)
GPU_TABULAR_MIN_GIB = 64.0  # "larger tabular datasets": below this CPU is always enough


@dataclass(frozen=True)
class Ranked:
    """The cheapest feasible size and what was said about the others."""

    best: Costed
    alternatives: tuple[Alternative, ...]
    candidates: int  # sizes considered in the region


def cpu_requirement(profile: WorkloadProfile, notes: Notes, why: str) -> Requirement:
    """COMPUTE-CPU and COMPUTE-MEMORY: what a CPU training node needs."""
    need, basis = memory_need(profile)
    notes.why(Rule.COMPUTE_CPU, f"CPU: {why} trains well on CPU cores")
    if need > LARGEST_NODE_GIB:
        raise SelectionError(
            "data.size_gb",
            f"the data needs about {need:g} GiB in memory ({basis}), more than one node "
            f"holds ({LARGEST_NODE_GIB:g} GiB); set data.needs_distributed_prep: true for "
            f"Spark preparation (got {profile.data.size_gb:g})",
        )
    fits_gp = need <= MIN_CPU_VCPUS * 4
    notes.why(Rule.COMPUTE_MEMORY,
        f"needs about {need:g} GiB RAM ({basis} + headroom); "
        + ("a general-purpose size (~4 GiB/vCPU) holds it" if fits_gp else
           "memory is the constraint, so memory-optimized sizes (~8 GiB/vCPU) compete "
           "with larger general-purpose ones on price"),
    )
    return Requirement(accelerator="cpu", min_vcpus=MIN_CPU_VCPUS, min_memory_gib=need)


def training_requirement(profile: WorkloadProfile, notes: Notes) -> Requirement:
    """What a training node needs: the GPU ladder step or the CPU memory rule."""
    gpu, why = needs_gpu(profile)
    if not gpu:
        return cpu_requirement(profile, notes, why)
    notes.why(Rule.COMPUTE_GPU, f"GPU: {why}; training data streams from storage in batches")
    req, ladder = gpu_requirement(profile)
    notes.why(Rule.COMPUTE_GPU_LADDER, ladder)
    return req


# -- ranking -----------------------------------------------------------------------------

def _why_not(vm: VmSize, req: Requirement, context: SelectionContext) -> str | None:
    if vm.retired:
        return "retired; Azure no longer offers it"
    if vm.vm_size in context.unavailable_sizes:
        return "not available in the region now (capacity restriction)"
    quota = context.quota_vcpus.get(vm.vm_size)
    if quota is not None and quota < vm.vcpus:
        return f"quota: {quota} free vCPUs < {vm.vcpus} for one node"
    return req.shortfall(vm)


def rank(pools: Pools, region: str, req: Requirement, low: bool,
         context: SelectionContext, field: str) -> Ranked:
    """COMPUTE-CHEAPEST over the region's pool; SelectionError when nothing fits."""
    candidates = pools.aml(region, req.accelerator, low)
    cheaper: list[tuple[Costed, str]] = []
    retired: tuple[Costed, str] | None = None
    best: Costed | None = None
    after: list[Costed] = []
    for c in candidates:
        why = _why_not(c.vm, req, context)
        if best is None:
            if why is None:
                best = c
            elif c.vm.retired:  # listed only when it would have fit (docs/selection.md)
                if retired is None and req.shortfall(c.vm, ladder=False) is None:
                    retired = (c, why)
            elif why.startswith("not a current-generation"):
                continue  # budget-only series, not worth listing
            else:
                cheaper.append((c, why))
        elif why is None:
            after.append(c)
            if len(after) >= MAX_ALTERNATIVES:
                break
        elif c.vm.retired and retired is None and req.shortfall(c.vm, ladder=False) is None:
            retired = (c, why)
    if best is None:
        raise SelectionError(field, _nothing_feasible(pools, region, req))
    alts = [Alternative(vm_size=c.vm.vm_size, hourly_usd=round(c.hourly, 4), rejected_because=w)
            for c, w in cheaper[-3:]]
    if retired is not None:
        alts.append(Alternative(vm_size=retired[0].vm.vm_size,
                                hourly_usd=round(retired[0].hourly, 4),
                                rejected_because=retired[1]))
    for c in after[: max(MAX_ALTERNATIVES - len(alts), 0)]:
        extra = c.hourly - best.hourly
        because = (f"costs ${extra:.4f}/h more than {best.vm.vm_size}" if extra >= 0.00005 else
                   f"same price as {best.vm.vm_size}; ties break by name")
        alts.append(Alternative(vm_size=c.vm.vm_size, hourly_usd=round(c.hourly, 4),
                                rejected_because=because))
    return Ranked(best, tuple(alts), pools.aml_live(region, req.accelerator, low))


def _nothing_feasible(pools: Pools, region: str, req: Requirement) -> str:
    elsewhere = pools.feasible_regions(req)
    where = ", ".join(nearest(region, elsewhere)[:3]) if elsewhere else "no catalog region"
    return (f"no size offered by Azure ML in {region} meets the requirement "
            f"({req.describe()}); nearest regions that offer one: {where} (got '{region}')")


def pinned_size(profile: WorkloadProfile, catalog: Catalog, region: str, req: Requirement,
                notes: Notes) -> VmSize:
    """COMPUTE-OVERRIDE: the pinned size, if the region can provide it."""
    size = profile.overrides.training_vm_size or ""
    field = "overrides.training_vm_size"
    if size not in catalog.size_names:
        hint = did_you_mean(size, sorted(catalog.size_names))
        raise SelectionError(
            field,
            f"unknown VM size (got '{size}')" + (f"; did you mean '{hint}'?" if hint else ""),
        )
    vm = catalog.get(size, region)
    if vm is not None and vm.retired:
        raise SelectionError(field, f"{size} is retired and can no longer be deployed "
                                    f"(got '{size}')")
    if vm is None:
        offering = catalog.regions_offering(size, aml_only=False)
        near = ", ".join(nearest(region, offering)[:3]) or "none in the catalog"
        raise SelectionError(
            field,
            f"{size} is not offered in {region} (got '{size}'); nearest regions that offer it: "
            f"{near}",
        )
    if not vm.aml:
        notes.warn(f"{size} is not in the catalog's list of Azure ML sizes for {region}; check "
                   "`az ml compute list-sizes` before deploying")
    shortfall = req.shortfall(vm)
    if shortfall:
        notes.warn(f"overrides.training_vm_size {size}: {shortfall}")
    notes.why(Rule.COMPUTE_OVERRIDE, f"overrides.training_vm_size pins {size}")
    return vm


def gpu_for_tabular(profile: WorkloadProfile, pools: Pools, region: str, cpu: Ranked,
                    low: bool, context: SelectionContext
                    ) -> tuple[Costed, Requirement, bool] | None:
    """COMPUTE-GPU-TABULAR: the GPU node large XGBoost/LightGBM data could use, and
    whether it costs less per run than the CPU choice (at the assumed speed-up)."""
    if profile.training.framework not in GPU_TABULAR_FRAMEWORKS:
        return None
    need, _ = memory_need(profile)
    if need < GPU_TABULAR_MIN_GIB:
        return None
    # The dense data (about half the RAM estimate) must fit in GPU memory.
    req = Requirement(accelerator="gpu", min_gpu_memory_gib=16,
                      min_total_gpu_memory_gib=need / 2, min_memory_gib=need)
    for c in pools.aml(region, "gpu", low):
        if _why_not(c.vm, req, context) is None:
            return c, req, c.hourly / GPU_TABULAR_SPEEDUP < cpu.best.hourly
    return None


def dev_instance(profile: WorkloadProfile, pools: Pools, region: str,
                 notes: Notes) -> VmSize | None:
    """DEV-INSTANCE: a small CPU compute instance for ui/notebooks teams."""
    if not {"ui", "notebooks"} & set(profile.team.prefers):
        return None
    dev = pools.dev_size(region)
    if dev is None:
        notes.warn(f"no small general-purpose size in {region} for a development instance")
        return None
    wanted = "/".join(p for p in profile.team.prefers if p in ("ui", "notebooks"))
    notes.why(Rule.DEV_INSTANCE,
        f"the team prefers {wanted}: a {dev.vm_size} compute instance ({dev.vcpus} vCPUs, "
        f"{dev.memory_gib:g} GiB) that shuts down after {DEV_IDLE_MINUTES} idle minutes; "
        f"costed at {DEV_HOURS_PER_MONTH} h/month",
    )
    return dev


def cheapest_text(chosen: Costed, req: Requirement, hours: float) -> str:
    """The COMPUTE-CHEAPEST rationale for the chosen size."""
    vm = chosen.vm
    spec = f"{vm.vcpus} vCPUs, {vm.memory_gib:g} GiB"
    if vm.gpus:
        spec += f", {vm.gpus} x {vm.gpu_model} ({vm.gpu_memory_gib:g} GiB each)"
    return (f"{vm.vm_size} ({vm.family}; {spec}) is the cheapest size that meets "
            f"{req.describe()}: ${chosen.hourly:.4f}/h "
            f"{'low-priority' if chosen.low_priority else 'dedicated'}, "
            f"${chosen.hourly * hours:.2f} per {hours:g} h run")
