"""Selector v1: a workload profile becomes an Azure ML training design.

A pure function of the profile and a catalog value (no I/O): the request is
derived, candidates are enumerated, checked, costed and ranked in separate
steps, and every decision is recorded with its rule id (see rules.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from trainstack.catalog.vm import Catalog, VmSize
from trainstack.errors import SelectionError, did_you_mean
from trainstack.profile.models import WorkloadProfile
from trainstack.regions import nearest
from trainstack.select.models import Alternative, ComputeChoice, Reason, Selection

GB_TO_GIB = 1e9 / 2**30
HEADROOM_GIB = 2.0  # OS and runtime
LARGEST_NODE_GIB = 512.0  # beyond this, data preparation must go distributed (Spark)
MIN_CPU_VCPUS = 4
DEEP_LEARNING = frozenset({"pytorch", "tensorflow", "transformers"})
GPU_MODALITIES = frozenset({"image", "audio"})
TRAINING_GPUS = frozenset({"T4", "A100", "A100-80GB", "H100"})
CPU_SERIES = re.compile(r"^Standard_(D|DS|E)\d+[a-z]*_v[2-9]$|^Standard_M\d+[a-z]*$")
INFINIBAND = re.compile(r"^Standard_ND\d+[a-z]*r[a-z]*_")  # the 'r' marks RDMA/InfiniBand
DEV_HOURS_PER_MONTH = 176  # 8 h x 22 working days; idle shutdown stops the rest
DEV_IDLE_MINUTES = 60
CLUSTER_IDLE_MINUTES = 15
SPARK_SERVICE_HINT = "Databricks or Synapse"
MAX_ALTERNATIVES = 6
# Tasks a prebuilt Azure AI Services model covers (azurerm cognitive account kinds).
PREBUILT_KINDS = {
    "object-detection": "ComputerVision", "image-classification": "ComputerVision",
    "ocr": "ComputerVision", "document-extraction": "FormRecognizer",
    "sentiment-analysis": "TextAnalytics", "named-entity-recognition": "TextAnalytics",
    "text-classification": "TextAnalytics", "translation": "TextTranslation",
    "speech-to-text": "SpeechServices", "text-generation": "OpenAI",
}

# GPU memory needed per model size: (per GPU GiB, total GiB)
GPU_NEEDS = {"small": (16, 16), "medium": (40, 40), "large": (40, 160)}


@dataclass(frozen=True)
class Requirement:
    """What one training node must have."""

    accelerator: str  # "cpu" | "gpu"
    min_vcpus: int = 1
    min_memory_gib: float = 0.0
    min_gpu_memory_gib: float = 0.0  # per GPU
    min_total_gpu_memory_gib: float = 0.0
    infiniband: bool = False

    def shortfall(self, vm: VmSize) -> str | None:
        """Why a size cannot do the job, or None when it can."""
        if self.accelerator == "cpu":
            if vm.gpus:
                return "a GPU size; this workload trains on CPU"
            if not CPU_SERIES.match(vm.vm_size):
                return "not a current-generation D/E/M training size"
            if vm.vcpus < self.min_vcpus:
                return f"{vm.vcpus} vCPUs < {self.min_vcpus} needed"
            if vm.memory_gib < self.min_memory_gib:
                return f"{vm.memory_gib:g} GiB memory < {self.min_memory_gib:g} GiB needed"
            return None
        if not vm.gpus:
            return "no GPU; this workload trains on GPU"
        if vm.gpu_model not in TRAINING_GPUS:
            return f"{vm.gpu_model} GPUs are not on the training ladder (T4, A100, H100)"
        if vm.gpu_memory_gib < self.min_gpu_memory_gib:
            return f"{vm.gpu_memory_gib:g} GiB per GPU < {self.min_gpu_memory_gib:g} GiB needed"
        if vm.total_gpu_memory_gib < self.min_total_gpu_memory_gib:
            return (f"{vm.total_gpu_memory_gib:g} GiB GPU memory in all "
                    f"< {self.min_total_gpu_memory_gib:g} GiB needed")
        if self.infiniband and not INFINIBAND.match(vm.vm_size):
            return "no InfiniBand; multi-node training needs an ND ...r size"
        return None


@dataclass(frozen=True)
class _Costed:
    vm: VmSize
    low_priority: bool

    @property
    def hourly(self) -> float:
        return self.vm.price(self.low_priority)


class _Notes:
    """Collects rationale and warnings in decision order."""

    def __init__(self) -> None:
        self.rationale: list[Reason] = []
        self.warnings: list[str] = []

    def why(self, rule: str, text: str) -> None:
        self.rationale.append(Reason(rule=rule, text=text))


def select(profile: WorkloadProfile, catalog: Catalog) -> Selection:
    """Choose service, compute and cost for a profile. Pure: no I/O."""
    notes = _Notes()
    region = _region(profile, catalog, notes)
    _service(profile, notes)
    requirement = _requirement(profile, notes)
    low_priority = _priority(profile, notes)
    trials = profile.training.concurrent_trials
    nodes_per_run = profile.training.nodes_per_run
    pinned = (_override_size(profile, catalog, region, requirement, notes)
              if profile.overrides.training_vm_size else None)

    def choose(low: bool) -> tuple[_Costed, list[Alternative], int]:
        """The training size at dedicated or low-priority prices."""
        if pinned is not None:
            return _costed(pinned, low), [], 1
        return _rank(catalog, region, requirement, low, profile)

    chosen, alternatives, feasible = choose(low_priority)
    if low_priority and not chosen.low_priority:
        notes.warnings.append(f"{chosen.vm.vm_size} has no low-priority price in {region}: "
                              "dedicated nodes")
    dev = _dev_instance(profile, catalog, region, notes)
    budget = profile.constraints.monthly_budget_usd
    monthly = _monthly(chosen.hourly, trials * nodes_per_run, profile, dev)

    within = True
    if budget is not None and monthly > budget:
        multi_node = profile.training.distributed and nodes_per_run > 1
        if not chosen.low_priority and profile.constraints.allow_low_priority and not multi_node:
            cheaper, cheaper_alts, cheaper_feasible = choose(True)
            if cheaper.low_priority:
                new = _monthly(cheaper.hourly, trials * nodes_per_run, profile, dev)
                notes.why("BUDGET-LOW-PRIORITY",
                          f"${monthly:,.2f}/month is over the ${budget:,.2f} budget: low-priority "
                          f"{cheaper.vm.vm_size} nodes bring it to ${new:,.2f}")
                chosen, alternatives, feasible, monthly = cheaper, cheaper_alts, cheaper_feasible, new
        trials, monthly, within = _fit_budget(profile, chosen, trials, nodes_per_run, dev, monthly,
                                              notes, budget)
    elif budget is not None:
        notes.why("BUDGET-OK", f"${monthly:,.2f}/month is within the ${budget:,.2f} budget")
    low_priority = chosen.low_priority
    if pinned is None:
        notes.why(
            "COMPUTE-CURRENT-GEN",
            f"{feasible} feasible size(s) offered by Azure ML in {region}; older series and "
            "retired sizes are not candidates",
        )
        notes.why("COMPUTE-CHEAPEST", _cheapest_text(chosen, requirement, profile))

    max_nodes = trials * nodes_per_run
    notes.why(
        "NODES-SCALE-TO-ZERO",
        f"the training cluster scales from 0 nodes and releases idle nodes after "
        f"{CLUSTER_IDLE_MINUTES} minutes, so nothing is billed between runs",
    )
    notes.why(
        "NODES-MAX",
        f"max {max_nodes} node(s) = {trials} concurrent trial(s) x {nodes_per_run} node(s) per run",
    )
    _cost_text(chosen, max_nodes, profile, dev, monthly, notes)

    vm = chosen.vm
    compute = [
        ComputeChoice(
            role="training", kind="aml-cluster", vm_size=vm.vm_size,
            accelerator=vm.accelerator, family=vm.family, gpus=vm.gpus, vcpus=vm.vcpus,
            memory_gib=vm.memory_gib, min_nodes=0, max_nodes=max_nodes,
            priority="low-priority" if low_priority else "dedicated",
            hourly_usd=round(chosen.hourly, 4), idle_minutes=CLUSTER_IDLE_MINUTES,
        )
    ]
    if dev is not None:
        compute.append(
            ComputeChoice(
                role="development", kind="aml-instance", vm_size=dev.vm_size,
                accelerator="cpu", family=dev.family, gpus=0, vcpus=dev.vcpus,
                memory_gib=dev.memory_gib, min_nodes=1, max_nodes=1, priority="dedicated",
                hourly_usd=round(dev.hourly_usd, 4), idle_minutes=DEV_IDLE_MINUTES,
            )
        )
    return Selection(
        profile=profile.name,
        service="azure-ml",
        region=region,
        compute=tuple(compute),
        estimated_monthly_usd=monthly,
        within_budget=within,
        rationale=tuple(notes.rationale),
        alternatives=tuple(alternatives),
        warnings=tuple(notes.warnings),
    )


# -- service and region --------------------------------------------------------------

def _region(profile: WorkloadProfile, catalog: Catalog, notes: _Notes) -> str:
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
        notes.why("REGION-OVERRIDE", f"overrides.region pins {region} (profile says {profile.region})")
    return region


def _service(profile: WorkloadProfile, notes: _Notes) -> None:
    pinned = profile.overrides.service
    if pinned is not None and pinned != "azure-ml":
        raise SelectionError(
            "overrides.service",
            f"this version of trainstack provisions azure-ml only (got '{pinned}')",
        )
    if pinned == "azure-ml":
        notes.why("SVC-OVERRIDE", "overrides.service pins azure-ml")
        return
    # Signals that the full rule set routes elsewhere: say so rather than hide it.
    prebuilt = PREBUILT_KINDS.get(profile.problem.task)
    if prebuilt and (profile.problem.prebuilt_ok or profile.team.ml_expertise == "none"):
        notes.warnings.append(
            f"problem.task {profile.problem.task} is covered by a prebuilt Azure AI model "
            f"({prebuilt}), which usually saves the training entirely; this version "
            f"provisions Azure ML only"
        )
    if profile.team.existing_platform != "none":
        notes.warnings.append(
            f"team.existing_platform is {profile.team.existing_platform}: keeping the work on "
            f"that platform is usually better; this version provisions Azure ML only"
        )
    if profile.data.needs_distributed_prep:
        notes.warnings.append(
            f"data.needs_distributed_prep: Spark preparation ({SPARK_SERVICE_HINT}) is not "
            f"provisioned by this version; training runs on Azure ML"
        )
    notes.why(
        "SVC-AML-DEFAULT",
        "Azure Machine Learning trains the model: managed clusters that scale to zero, "
        "with the Python SDK, CLI and studio UI",
    )


# -- what a node needs -------------------------------------------------------------

def _needs_gpu(profile: WorkloadProfile) -> tuple[bool, str]:
    framework, modality = profile.training.framework, profile.data.modality
    if framework in DEEP_LEARNING:
        return True, f"{framework} is a deep-learning framework"
    if modality in GPU_MODALITIES:
        return True, f"{modality} models are deep networks"
    if modality == "text" and framework == "automl":
        return True, "AutoML for text (NLP) trains transformer models"
    return False, f"{modality} data with {framework}"


def _requirement(profile: WorkloadProfile, notes: _Notes) -> Requirement:
    gpu, why = _needs_gpu(profile)
    if gpu:
        size = profile.training.model_size or (
            "large" if profile.problem.task == "text-generation" else "small"
        )
        per_gpu, total = GPU_NEEDS[size]
        notes.why("COMPUTE-GPU", f"GPU: {why}; training data streams from storage in batches")
        ib = profile.training.distributed and profile.training.nodes_per_run > 1
        ladder = {
            "small": "a small model or fine-tuning fits one 16 GB GPU (T4 and up)",
            "medium": "a larger model needs a 40 GB+ GPU (A100 and up)",
            "large": f"a large model needs {total} GB+ of GPU memory on large GPUs "
                     "(multi-GPU A100 or H100)",
        }[size]
        if ib:
            ladder += "; multi-node runs need InfiniBand (ND A100 v4 / ND H100 v5)"
        notes.why("COMPUTE-GPU-LADDER", f"model size {size}: {ladder}")
        return Requirement(
            accelerator="gpu", min_gpu_memory_gib=per_gpu, min_total_gpu_memory_gib=total,
            infiniband=ib,
        )

    k = 10 if profile.data.modality in ("text", "document") else 5
    need = k * profile.data.size_gb * GB_TO_GIB
    basis = f"{k} x {profile.data.size_gb:g} GB on disk"
    if profile.data.rows and profile.data.columns:
        dense = profile.data.rows * profile.data.columns * 8 * 2 / 2**30
        if dense > need:
            need, basis = dense, (f"{profile.data.rows:,} rows x {profile.data.columns} columns "
                                  "x 8 bytes, twice for working copies")
    need = math.ceil((need + HEADROOM_GIB) * 10) / 10
    notes.why("COMPUTE-CPU", f"CPU: {why} trains well on CPU cores")
    if need > LARGEST_NODE_GIB:
        raise SelectionError(
            "data.size_gb",
            f"the data needs about {need:g} GiB in memory ({basis}), more than one node "
            f"holds ({LARGEST_NODE_GIB:g} GiB); it needs distributed preparation with Spark "
            f"({SPARK_SERVICE_HINT}), which this version does not provision "
            f"(got {profile.data.size_gb:g})",
        )
    fits_gp = need <= MIN_CPU_VCPUS * 4
    notes.why(
        "COMPUTE-MEMORY",
        f"needs about {need:g} GiB RAM ({basis} + {HEADROOM_GIB:g} GiB headroom); "
        + ("a general-purpose size (~4 GiB/vCPU) holds it" if fits_gp else
           "memory is the constraint, so memory-optimized sizes (~8 GiB/vCPU) compete "
           "with larger general-purpose ones on price"),
    )
    return Requirement(accelerator="cpu", min_vcpus=MIN_CPU_VCPUS, min_memory_gib=need)


def _priority(profile: WorkloadProfile, notes: _Notes) -> bool:
    c, t = profile.constraints, profile.training
    multi_node = t.distributed and t.nodes_per_run > 1
    if not c.allow_low_priority:
        notes.why("PRIORITY-DEDICATED", "dedicated nodes: constraints.allow_low_priority is false")
        return False
    if multi_node:
        notes.why("PRIORITY-DEDICATED",
                  "dedicated nodes: a synchronous multi-node run fails when one node is evicted")
        return False
    if profile.environment == "prod":
        notes.why("PRIORITY-DEDICATED",
                  "dedicated nodes: prod training has deadlines that eviction would break")
        return False
    notes.why("PRIORITY-LOW",
              "low-priority nodes (up to ~80-90% cheaper): the jobs are restartable and "
              "constraints.allow_low_priority is true")
    return True


# -- candidates ----------------------------------------------------------------------

def _costed(vm: VmSize, low_priority: bool) -> _Costed:
    return _Costed(vm, low_priority and vm.low_priority_usd is not None)


def _rank(
    catalog: Catalog, region: str, req: Requirement, low_priority: bool,
    profile: WorkloadProfile,
) -> tuple[_Costed, list[Alternative], int]:
    """The cheapest feasible size, why the nearest others lost, and how many were feasible."""
    feasible: list[_Costed] = []
    rejected: list[tuple[_Costed, str]] = []
    for vm in catalog.in_region(region):
        if not vm.aml:
            continue
        costed = _costed(vm, low_priority)
        why_not = "retired; Azure no longer offers it" if vm.retired else req.shortfall(vm)
        if why_not is None:
            feasible.append(costed)
        elif (vm.accelerator == req.accelerator and
              (CPU_SERIES.match(vm.vm_size) or (vm.gpus and vm.gpu_model in TRAINING_GPUS)
               or vm.retired)):
            rejected.append((costed, why_not))
    order = lambda c: (c.hourly, c.vm.vm_size)  # noqa: E731 - the ranking key, named once
    feasible.sort(key=order)
    if not feasible:
        field = "overrides.region" if profile.overrides.region else "region"
        raise SelectionError(field, _nothing_feasible(catalog, region, req))
    best = feasible[0]
    cheaper = sorted((r for r in rejected if order(r[0]) < order(best)), key=lambda r: order(r[0]))
    alts = [Alternative(vm_size=c.vm.vm_size, hourly_usd=round(c.hourly, 4), rejected_because=w)
            for c, w in cheaper[-3:]]
    retired = sorted((r for r in rejected if r[0].vm.retired), key=lambda r: order(r[0]))
    alts += [Alternative(vm_size=c.vm.vm_size, hourly_usd=round(c.hourly, 4), rejected_because=w)
             for c, w in retired[:1] if all(a.vm_size != c.vm.vm_size for a in alts)]
    for c in feasible[1:]:
        if len(alts) >= MAX_ALTERNATIVES:
            break
        extra = c.hourly - best.hourly
        because = (f"costs ${extra:.4f}/h more than {best.vm.vm_size}" if extra >= 0.00005 else
                   f"same price as {best.vm.vm_size}; ties break by name")
        alts.append(Alternative(vm_size=c.vm.vm_size, hourly_usd=round(c.hourly, 4),
                                rejected_because=because))
    return best, alts, len(feasible)


def _nothing_feasible(catalog: Catalog, region: str, req: Requirement) -> str:
    elsewhere = {
        vm.region for vm in catalog.rows
        if vm.aml and not vm.retired and req.shortfall(vm) is None
    }
    where = ", ".join(nearest(region, elsewhere)[:3]) if elsewhere else "no catalog region"
    return (f"no size offered by Azure ML in {region} meets the requirement "
            f"({_describe(req)}); nearest regions that offer one: {where} (got '{region}')")


def _describe(req: Requirement) -> str:
    if req.accelerator == "cpu":
        return f"CPU, >= {req.min_vcpus} vCPUs, >= {req.min_memory_gib:g} GiB"
    text = f"GPU with >= {req.min_gpu_memory_gib:g} GiB per GPU"
    if req.min_total_gpu_memory_gib > req.min_gpu_memory_gib:
        text += f", >= {req.min_total_gpu_memory_gib:g} GiB in all"
    return text + (", InfiniBand" if req.infiniband else "")


def _override_size(
    profile: WorkloadProfile, catalog: Catalog, region: str, req: Requirement, notes: _Notes,
) -> VmSize:
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
        raise SelectionError(field, f"{size} is retired and can no longer be deployed (got '{size}')")
    if vm is None:
        offering = catalog.regions_offering(size, aml_only=False)
        near = ", ".join(nearest(region, offering)[:3]) or "none in the catalog"
        raise SelectionError(
            field,
            f"{size} is not offered in {region} (got '{size}'); nearest regions that offer it: "
            f"{near}",
        )
    if not vm.aml:
        notes.warnings.append(
            f"{size} is not in the catalog's list of Azure ML sizes for {region}; check "
            "`az ml compute list-sizes` before deploying"
        )
    shortfall = req.shortfall(vm)
    if shortfall:
        notes.warnings.append(f"overrides.training_vm_size {size}: {shortfall}")
    notes.why("COMPUTE-OVERRIDE", f"overrides.training_vm_size pins {size}")
    return vm


# -- development instance -------------------------------------------------------------

def _dev_instance(
    profile: WorkloadProfile, catalog: Catalog, region: str, notes: _Notes
) -> VmSize | None:
    if not {"ui", "notebooks"} & set(profile.team.prefers):
        return None
    options = sorted(
        (vm for vm in catalog.in_region(region)
         if vm.aml and not vm.retired and not vm.gpus and vm.family == "general-purpose"
         and CPU_SERIES.match(vm.vm_size) and vm.vcpus >= 4 and vm.memory_gib >= 14),
        key=lambda vm: (vm.hourly_usd, vm.vm_size),
    )
    if not options:
        notes.warnings.append(f"no small general-purpose size in {region} for a development instance")
        return None
    dev = options[0]
    notes.why(
        "DEV-INSTANCE",
        f"the team prefers {'/'.join(p for p in profile.team.prefers if p in ('ui', 'notebooks'))}: "
        f"a {dev.vm_size} compute instance ({dev.vcpus} vCPUs, {dev.memory_gib:g} GiB) that shuts "
        f"down after {DEV_IDLE_MINUTES} idle minutes; costed at {DEV_HOURS_PER_MONTH} h/month",
    )
    return dev


# -- cost and budget -------------------------------------------------------------------

def _monthly(hourly: float, nodes: int, profile: WorkloadProfile, dev: VmSize | None) -> float:
    t = profile.training
    total = nodes * hourly * t.max_hours * t.runs_per_month
    if dev is not None:
        total += dev.hourly_usd * DEV_HOURS_PER_MONTH
    return round(total, 2)


def _cost_text(chosen: _Costed, nodes: int, profile: WorkloadProfile, dev: VmSize | None,
               monthly: float, notes: _Notes) -> None:
    t = profile.training
    text = (f"{nodes} node(s) x ${chosen.hourly:.4f}/h x {t.max_hours:g} h x "
            f"{t.runs_per_month} runs")
    if dev is not None:
        text += f" + {dev.vm_size} ${dev.hourly_usd:.4f}/h x {DEV_HOURS_PER_MONTH} h"
    notes.why("COST-ESTIMATE", f"{text} = ${monthly:,.2f}/month "
                               f"(prices of {chosen.vm.price_date}, {chosen.vm.price_source})")


def _fit_budget(
    profile: WorkloadProfile, chosen: _Costed, trials: int, nodes_per_run: int,
    dev: VmSize | None, monthly: float, notes: _Notes, budget: float,
) -> tuple[int, float, bool]:
    """Over budget after the priority step: fewer trials, then say what to relax."""
    t = profile.training
    multi_node = t.distributed and nodes_per_run > 1
    while monthly > budget and trials > 1:
        fewer = trials - 1
        new = _monthly(chosen.hourly, fewer * nodes_per_run, profile, dev)
        if new <= budget or fewer == 1:
            notes.why("BUDGET-FEWER-TRIALS",
                      f"over budget: {fewer} concurrent trial(s) instead of {t.concurrent_trials} "
                      f"(${new:,.2f}/month)")
            notes.warnings.append(
                f"training.concurrent_trials reduced from {t.concurrent_trials} to {fewer} "
                "to fit the budget"
            )
        trials, monthly = fewer, new
    if monthly <= budget:
        return trials, monthly, True
    dev_cost = dev.hourly_usd * DEV_HOURS_PER_MONTH if dev else 0.0
    per_run = (monthly - dev_cost) / t.runs_per_month
    runs_fit = int((budget - dev_cost) // per_run) if per_run > 0 else 0
    relax = [f"raise constraints.monthly_budget_usd to at least ${math.ceil(monthly):,}"]
    if runs_fit >= 1:
        relax.append(f"lower training.runs_per_month to {runs_fit}")
    if not profile.constraints.allow_low_priority and not multi_node:
        relax.append("set constraints.allow_low_priority: true")
    if dev is not None:
        relax.append("drop ui/notebooks from team.prefers to remove the development instance")
    notes.why("BUDGET-OVER",
              f"${monthly:,.2f}/month is over the ${budget:,.2f} budget even with the cheapest "
              f"feasible choice; to fit: {'; or '.join(relax)}")
    notes.warnings.append(f"over budget: ${monthly:,.2f}/month > ${budget:,.2f}")
    return trials, monthly, False


def _cheapest_text(chosen: _Costed, req: Requirement, profile: WorkloadProfile) -> str:
    vm = chosen.vm
    hours = profile.training.max_hours
    spec = f"{vm.vcpus} vCPUs, {vm.memory_gib:g} GiB"
    if vm.gpus:
        spec += f", {vm.gpus} x {vm.gpu_model} ({vm.gpu_memory_gib:g} GiB each)"
    return (f"{vm.vm_size} ({vm.family}; {spec}) is the cheapest size that meets "
            f"{_describe(req)}: ${chosen.hourly:.4f}/h "
            f"{'low-priority' if chosen.low_priority else 'dedicated'}, "
            f"${chosen.hourly * hours:.2f} per {hours:g} h run")
