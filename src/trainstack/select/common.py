"""What every service's selection shares: the workload's needs, notes, prices.

All pure. ``Requirement`` says what one node must have; ``Notes`` collects the
rationale (rule id + text) and warnings in decision order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from trainstack.catalog.vm import VmSize
from trainstack.profile.models import WorkloadProfile
from trainstack.select.models import Reason
from trainstack.select.rules import Rule

GB_TO_GIB = 1e9 / 2**30
HEADROOM_GIB = 2.0  # OS and runtime
LARGEST_NODE_GIB = 512.0  # beyond this, data preparation must go distributed (Spark)
MIN_CPU_VCPUS = 4
DEEP_LEARNING = frozenset({"pytorch", "tensorflow", "transformers"})
GPU_MODALITIES = frozenset({"image", "audio"})
GPU_TABULAR_FRAMEWORKS = frozenset({"xgboost", "lightgbm"})
TRAINING_GPUS = frozenset({"T4", "A100", "A100-80GB", "H100"})
# Current-generation training series: D/DS/E v2 and later, and M.
CPU_SERIES = re.compile(r"^Standard_(D|DS|E)\d+[a-z]*_v[2-9]$|^Standard_M\d+[a-z]*$")
# Cheaper families admitted only to fit a budget: compute-optimized F v2 and FX.
BUDGET_CPU_SERIES = re.compile(r"^Standard_F\d+[a-z]*_v2$|^Standard_FX\d+[a-z]*$")
INFINIBAND = re.compile(r"^Standard_ND\d+[a-z]*r[a-z]*_")  # the 'r' marks RDMA/InfiniBand
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
    budget_series: bool = False  # admit BUDGET_CPU_SERIES too

    def shortfall(self, vm: VmSize, *, ladder: bool = True) -> str | None:
        """Why a size cannot do the job, or None when it can. ``ladder=False`` judges the
        hardware alone (a retired GPU model is off the ladder because it is retired)."""
        if self.accelerator == "cpu":
            if vm.gpus:
                return "a GPU size; this workload trains on CPU"
            if not (CPU_SERIES.match(vm.vm_size)
                    or (self.budget_series and BUDGET_CPU_SERIES.match(vm.vm_size))):
                return "not a current-generation D/E/M training size"
            if vm.vcpus < self.min_vcpus:
                return f"{vm.vcpus} vCPUs < {self.min_vcpus} needed"
            if vm.memory_gib < self.min_memory_gib:
                return f"{vm.memory_gib:g} GiB memory < {self.min_memory_gib:g} GiB needed"
            return None
        if not vm.gpus:
            return "no GPU; this workload trains on GPU"
        if ladder and vm.gpu_model not in TRAINING_GPUS:
            return f"{vm.gpu_model} GPUs are not on the training ladder (T4, A100, H100)"
        if vm.gpu_memory_gib < self.min_gpu_memory_gib:
            return f"{vm.gpu_memory_gib:g} GiB per GPU < {self.min_gpu_memory_gib:g} GiB needed"
        if vm.total_gpu_memory_gib < self.min_total_gpu_memory_gib:
            return (f"{vm.total_gpu_memory_gib:g} GiB GPU memory in all "
                    f"< {self.min_total_gpu_memory_gib:g} GiB needed")
        if vm.memory_gib < self.min_memory_gib:
            return f"{vm.memory_gib:g} GiB memory < {self.min_memory_gib:g} GiB needed"
        if self.infiniband and not INFINIBAND.match(vm.vm_size):
            return "no InfiniBand; multi-node training needs an ND ...r size"
        return None

    def describe(self) -> str:
        """The requirement in words, for rationale and errors."""
        if self.accelerator == "cpu":
            return f"CPU, >= {self.min_vcpus} vCPUs, >= {self.min_memory_gib:g} GiB"
        text = f"GPU with >= {self.min_gpu_memory_gib:g} GiB per GPU"
        if self.min_total_gpu_memory_gib > self.min_gpu_memory_gib:
            text += f", >= {self.min_total_gpu_memory_gib:g} GiB in all"
        if self.min_memory_gib:
            text += f", >= {self.min_memory_gib:g} GiB host memory"
        return text + (", InfiniBand" if self.infiniband else "")


@dataclass(frozen=True)
class Costed:
    """A size at dedicated or low-priority prices."""

    vm: VmSize
    low_priority: bool

    @property
    def hourly(self) -> float:
        """USD per node-hour at the chosen priority."""
        return self.vm.price(self.low_priority)


def costed(vm: VmSize, low_priority: bool) -> Costed:
    """Low-priority only where the size has a low-priority price."""
    return Costed(vm, low_priority and vm.low_priority_usd is not None)


@dataclass
class Notes:
    """Collects rationale and warnings in decision order."""

    rationale: list[Reason] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def why(self, rule: Rule, text: str) -> None:
        """Record a decision and the rule that made it."""
        self.rationale.append(Reason(rule=rule, text=text))

    def warn(self, text: str) -> None:
        """Record a warning for the selection."""
        self.warnings.append(text)


@dataclass(frozen=True)
class SelectionContext:
    """Live facts the caller knows and the selector must not look up.

    ``quota_vcpus``: free vCPUs per VM size in the target region (from the Azure
    ML usages/quotas APIs, mapped to sizes by the caller); a size missing from
    the map is not limited. ``unavailable_sizes``: sizes the region cannot
    provide now (capacity restrictions), never chosen.
    """

    quota_vcpus: Mapping[str, int] = field(default_factory=dict)
    unavailable_sizes: frozenset[str] = frozenset()


def needs_gpu(profile: WorkloadProfile) -> tuple[bool, str]:
    """Whether training is deep learning on GPU, and why (COMPUTE-GPU / COMPUTE-CPU)."""
    framework, modality = profile.training.framework, profile.data.modality
    if framework in DEEP_LEARNING:
        return True, f"{framework} is a deep-learning framework"
    if modality in GPU_MODALITIES:
        return True, f"{modality} models are deep networks"
    if modality == "text" and framework == "automl":
        return True, "AutoML for text (NLP) trains transformer models"
    return False, f"{modality} data with {framework}"


def memory_need(profile: WorkloadProfile) -> tuple[float, str]:
    """GiB of RAM the data needs in memory (with headroom), and how it was estimated."""
    k = 10 if profile.data.modality in ("text", "document") else 5
    need = k * profile.data.size_gb * GB_TO_GIB
    basis = f"{k} x {profile.data.size_gb:g} GB on disk"
    if profile.data.rows and profile.data.columns:
        dense = profile.data.rows * profile.data.columns * 8 * 2 / 2**30
        if dense > need:
            need, basis = dense, (f"{profile.data.rows:,} rows x {profile.data.columns} columns "
                                  "x 8 bytes, twice for working copies")
    return math.ceil((need + HEADROOM_GIB) * 10) / 10, basis


def spark_memory_need(profile: WorkloadProfile) -> tuple[float, str]:
    """GiB a Spark cluster should hold: the in-memory estimate for tables and text;
    for images and audio, files are decoded partition by partition, so about once
    their size (Spark spills the rest)."""
    if profile.data.modality in ("image", "audio"):
        need = profile.data.size_gb * GB_TO_GIB + HEADROOM_GIB
        return (math.ceil(need * 10) / 10,
                f"{profile.data.size_gb:g} GB of {profile.data.modality} files decoded in "
                "partitions")
    return memory_need(profile)


def model_size(profile: WorkloadProfile) -> str:
    """The model size: the profile's, else large for text generation, small otherwise."""
    return profile.training.model_size or (
        "large" if profile.problem.task == "text-generation" else "small")


def gpu_requirement(profile: WorkloadProfile) -> tuple[Requirement, str]:
    """The GPU ladder step for the model size, and the text that explains it."""
    size = model_size(profile)
    per_gpu, total = GPU_NEEDS[size]
    multi_node = profile.training.distributed and profile.training.nodes_per_run > 1
    text = {
        "small": "a small model or fine-tuning fits one 16 GB GPU (T4 and up)",
        "medium": "a larger model needs a 40 GB+ GPU (A100 and up)",
        "large": f"a large model needs {total} GB+ of GPU memory on large GPUs "
                 "(multi-GPU A100 or H100)",
    }[size]
    if multi_node:
        text += "; multi-node runs need InfiniBand (ND A100 v4 / ND H100 v5)"
    req = Requirement(accelerator="gpu", min_gpu_memory_gib=per_gpu,
                      min_total_gpu_memory_gib=total, infiniband=multi_node)
    return req, f"model size {size}: {text}"


def is_multi_node(profile: WorkloadProfile) -> bool:
    """Whether one run spans several nodes (distributed, nodes > 1)."""
    return profile.training.distributed and profile.training.nodes_per_run > 1


def low_priority_allowed(profile: WorkloadProfile, notes: Notes, *, spot_word: str = "low-priority"
                         ) -> bool:
    """PRIORITY-LOW / PRIORITY-DEDICATED."""
    if not profile.constraints.allow_low_priority:
        notes.why(Rule.PRIORITY_DEDICATED,
                  "dedicated nodes: constraints.allow_low_priority is false")
        return False
    if is_multi_node(profile):
        notes.why(Rule.PRIORITY_DEDICATED,
                  "dedicated nodes: a synchronous multi-node run fails when one node is evicted")
        return False
    if profile.environment == "prod":
        notes.why(Rule.PRIORITY_DEDICATED,
                  "dedicated nodes: prod training has deadlines that eviction would break")
        return False
    notes.why(Rule.PRIORITY_LOW,
              f"{spot_word} nodes (up to ~80-90% cheaper): the jobs are restartable and "
              "constraints.allow_low_priority is true")
    return True


def run_hours(profile: WorkloadProfile) -> float:
    """Billable hours of training per month for one node."""
    return profile.training.max_hours * profile.training.runs_per_month
