"""An independent oracle for the Azure ML training choice.

The oracle reads the packaged catalog CSV itself (not through trainstack.catalog)
and applies the feasibility rules as docs/selection.md states them, written here
from the documentation, not from the selector's code: CPU series, vCPUs, the RAM
rule of thumb, the GPU ladder, InfiniBand for multi-node runs, the priority rule
and the cost formula. For random profiles the selector must choose exactly the
size, priority, price, node count and monthly estimate the oracle computes.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from trainstack.errors import SelectionError
from trainstack.profile import parse_profile
from trainstack.select import select

CSV = ROOT / "src" / "trainstack" / "catalog" / "data" / "vm_sizes.csv"
GIB_PER_GB = 1e9 / 2**30
LARGEST_NODE_GIB = 512  # docs/selection.md COMPUTE-MEMORY: above this, Spark
GPU_MODELS_ON_THE_LADDER = {"T4", "A100", "A100-80GB", "H100"}
# docs/selection.md COMPUTE-GPU-LADDER: (GiB per GPU, GiB of GPU memory in all)
LADDER = {"small": (16, 16), "medium": (40, 40), "large": (40, 160)}


@dataclass(frozen=True)
class Row:
    size: str
    region: str
    vcpus: int
    memory: float
    gpus: int
    gpu_model: str
    gpu_memory: float  # per GPU
    aml: bool
    retired: bool
    hourly: float
    low: float | None


@cache
def rows() -> tuple[Row, ...]:
    with CSV.open(newline="") as fh:
        return tuple(
            Row(r["vm_size"], r["region"], int(r["vcpus"]), float(r["memory_gib"]),
                int(r["gpus"]), r["gpu_model"], float(r["gpu_memory_gib"]), r["aml"] == "1",
                r["retired"] == "1", float(r["hourly_usd"]),
                float(r["low_priority_usd"]) if r["low_priority_usd"] else None)
            for r in csv.DictReader(fh))


REGIONS = sorted({r.region for r in rows()})

# "current-generation D/DS/E (v2 and later) and M series" (COMPUTE-CURRENT-GEN): the
# series letters come right after "Standard_" and before the vCPU count; a constrained-vCPU
# size (E4-2s_v3) is a variant, not a series of its own.
NAME = re.compile(r"^Standard_(?P<series>[A-Z]+)(?P<vcpus>\d+)(?P<features>[a-z]*)"
                  r"(?:_v(?P<version>\d+))?$")


def current_generation_cpu(size: str) -> bool:
    m = NAME.match(size)
    if not m:
        return False
    if m["series"] == "M":
        return True
    return m["series"] in {"D", "DS", "E"} and int(m["version"] or 1) >= 2


def infiniband(size: str) -> bool:
    """ND sizes whose features include 'r' (RDMA), e.g. ND96asr_v4, ND96isr_H100_v5."""
    return bool(re.match(r"^Standard_ND\d+[a-z]*r", size))


def ram_need_gib(size_gb: float, k: int = 5) -> float:
    """COMPUTE-MEMORY: k x on-disk size + 2 GiB headroom, rounded up to 0.1 GiB."""
    return math.ceil((k * size_gb * GIB_PER_GB + 2) * 10) / 10


@dataclass(frozen=True)
class Expected:
    size: str
    priority: str
    hourly: float
    max_nodes: int
    monthly: float


def oracle(region: str, *, gpu: bool, need_gib: float = 0, model: str = "small",
           nodes: int = 1, trials: int = 1, low_allowed: bool, hours: float, runs: int
           ) -> Expected | None:
    low = low_allowed and nodes == 1  # PRIORITY-LOW: never multi-node (nor prod: caller)
    feasible = []
    for r in rows():
        if r.region != region or not r.aml or r.retired:
            continue
        if gpu:
            per, total = LADDER[model]
            ok = (r.gpus > 0 and r.gpu_model in GPU_MODELS_ON_THE_LADDER
                  and r.gpu_memory >= per and r.gpus * r.gpu_memory >= total
                  and (nodes == 1 or infiniband(r.size)))
        else:
            ok = (r.gpus == 0 and current_generation_cpu(r.size) and r.vcpus >= 4
                  and r.memory >= need_gib)
        if ok:
            on_low = low and r.low is not None
            feasible.append((r.low if on_low else r.hourly, r.size, on_low))
    if not feasible:
        return None
    price, size, on_low = min(feasible)
    max_nodes = trials * nodes
    return Expected(size, "low-priority" if on_low else "dedicated", round(price, 4), max_nodes,
                    round(max_nodes * price * hours * runs, 2))


def profile_text(region: str, env: str, data: str, training: str, constraints: str) -> str:
    return (f"apiVersion: trainstack/v1\nkind: WorkloadProfile\nname: oracle\n"
            f"environment: {env}\nregion: {region}\n"
            f"problem:\n  predicts: x\n  task: classification\n"
            f"data:\n{data}training:\n{training}constraints:\n{constraints}")


def check(text: str, expected: Expected | None, *, spark: bool = False) -> None:
    profile = parse_profile(text)
    from trainstack.catalog import load_facts

    if spark:  # beyond one node: SVC-DISTRIBUTED moves the work to Spark
        assert select(profile, load_facts()).service != "azure-ml"
        return
    if expected is None:
        try:
            select(profile, load_facts())
        except SelectionError as exc:
            assert "nearest regions" in exc.message
            return
        raise AssertionError("the oracle finds no feasible size but the selector chose one")
    s = select(profile, load_facts())
    t = s.compute[0]
    assert s.service == "azure-ml" and t.kind == "aml-cluster"
    got = (t.vm_size, t.priority, t.hourly_usd, t.max_nodes)
    assert got == (expected.size, expected.priority, expected.hourly, expected.max_nodes)
    assert t.min_nodes == 0
    assert abs(s.compute_monthly_usd - expected.monthly) <= 0.011, (s.compute_monthly_usd,
                                                                      expected)


@st.composite
def cpu_cases(draw):
    size = draw(st.one_of(st.floats(min_value=0.05, max_value=110, allow_nan=False),
                          st.sampled_from([1, 10, 25, 50, 90, 100, 101.5])))
    size = round(size, 3)
    modality = draw(st.sampled_from(["tabular", "timeseries"]))
    framework = draw(st.sampled_from(["sklearn", "automl"]))  # xgboost may go GPU: apart
    region = draw(st.sampled_from(REGIONS))
    env = draw(st.sampled_from(["dev", "test", "prod"]))
    low = draw(st.booleans())
    trials = draw(st.integers(1, 6))
    hours = draw(st.sampled_from([0.5, 1, 2, 7.5, 24]))
    runs = draw(st.integers(1, 40))
    text = profile_text(
        region, env, f"  modality: {modality}\n  size_gb: {size!r}\n",
        f"  framework: {framework}\n  concurrent_trials: {trials}\n  max_hours: {hours}\n"
        f"  runs_per_month: {runs}\n",
        f"  allow_low_priority: {str(low).lower()}\n")
    need = ram_need_gib(size)
    expected = oracle(region, gpu=False, need_gib=need, trials=trials,
                      low_allowed=low and env != "prod", hours=hours, runs=runs)
    return text, expected, need > LARGEST_NODE_GIB


@st.composite
def gpu_cases(draw):
    model = draw(st.sampled_from(["small", "medium", "large"]))
    region = draw(st.sampled_from(REGIONS))
    env = draw(st.sampled_from(["dev", "prod"]))
    nodes = draw(st.sampled_from([1, 1, 2, 4]))
    trials = draw(st.integers(1, 3))
    runs = draw(st.integers(1, 20))
    distributed = f"  distributed: true\n  nodes: {nodes}\n" if nodes > 1 else ""
    text = profile_text(
        region, env, "  modality: image\n  size_gb: 10\n",
        f"  framework: pytorch\n  model_size: {model}\n  concurrent_trials: {trials}\n"
        f"  max_hours: 3\n  runs_per_month: {runs}\n{distributed}",
        "  allow_low_priority: true\n")
    expected = oracle(region, gpu=True, model=model, nodes=nodes, trials=trials,
                      low_allowed=env != "prod", hours=3, runs=runs)
    return text, expected, False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cpu_cases())
def test_cpu_choice_matches_the_oracle(case):
    check(*case[:2], spark=case[2])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gpu_cases())
def test_gpu_choice_matches_the_oracle(case):
    check(*case[:2])


def test_medium_models_get_a_40_gb_gpu_everywhere_the_catalog_has_one():
    """The per-GPU rule: four 16 GB T4s (64 GB in all) do not hold a medium model."""
    for region in REGIONS:
        expected = oracle(region, gpu=True, model="medium", low_allowed=False, hours=1, runs=1)
        text = profile_text(region, "prod", "  modality: image\n  size_gb: 10\n",
                            "  framework: pytorch\n  model_size: medium\n  max_hours: 1\n"
                            "  runs_per_month: 1\n",
                            "  allow_low_priority: false\n")
        check(text, expected)
        if expected is not None:
            per_gpu = next(r.gpu_memory for r in rows() if r.size == expected.size)
            assert per_gpu >= 40, (region, expected.size)


def test_the_oracle_itself_on_known_sizes():
    """The oracle's name rules against sizes whose series a reader can check by eye."""
    assert current_generation_cpu("Standard_D4s_v3") and current_generation_cpu("Standard_DS3_v2")
    assert current_generation_cpu("Standard_E64is_v3") and current_generation_cpu("Standard_M128ms")
    assert not current_generation_cpu("Standard_D4")          # v1
    assert not current_generation_cpu("Standard_A4_v2")       # entry-level A
    assert not current_generation_cpu("Standard_F8s_v2")      # compute-optimized: budget only
    assert not current_generation_cpu("Standard_E4-2s_v3")    # constrained vCPU variant
    assert not current_generation_cpu("Standard_DC4s_v2")     # confidential
    assert infiniband("Standard_ND96asr_v4") and infiniband("Standard_ND96isr_H100_v5")
    assert not infiniband("Standard_NC96ads_A100_v4") and not infiniband("Standard_ND40s_v3")
    assert ram_need_gib(10) == 48.6  # 5 x 10 GB = 46.57 GiB + 2, rounded up


def _size_gb_needing(gib: float) -> float:
    """The smallest on-disk size (in MB steps) whose RAM need exceeds ``gib``."""
    size = math.floor((gib - 2) / 5 / GIB_PER_GB * 1000) / 1000
    while ram_need_gib(size) <= gib:
        size = round(size + 0.001, 3)
    return size


@pytest.mark.parametrize("memory", [16, 28, 32, 56, 64, 128, 256, 432, 504])
@pytest.mark.parametrize("over", [False, True])
def test_memory_boundaries(memory, over):
    """Data that needs exactly a node's memory fits it; 0.1 GiB more does not."""
    size = _size_gb_needing(memory)
    if not over:
        size = round(size - 0.001, 3)
    need = ram_need_gib(size)
    assert (need > memory) is over
    for region in ("westeurope", "eastus"):
        text = profile_text(region, "prod", f"  modality: tabular\n  size_gb: {size}\n",
                            "  framework: sklearn\n  max_hours: 1\n  runs_per_month: 1\n",
                            "  allow_low_priority: false\n")
        check(text, oracle(region, gpu=False, need_gib=need, low_allowed=False, hours=1, runs=1),
              spark=need > LARGEST_NODE_GIB)
