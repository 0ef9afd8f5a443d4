"""The Azure ML selection at its boundaries, one behaviour each: memory needs that land exactly
on a threshold, quotas that hold exactly the nodes asked for, budgets met to the cent, the
exact words of warnings and reasons, and the steps that fit a budget.

Expected values are worked out by hand from docs/selection.md and the inline catalogs below
(price x nodes x hours x runs; 5 or 10 x the size in GB x 0.9313 GiB/GB + 2 GiB, rounded up to
a tenth), never from the selector's own helpers. Written for the survivors of the mutation run
of 2026-11-29 (notes: which mutant each test is for)."""

from __future__ import annotations

import textwrap

import pytest
from conftest import MINIMAL, small_rows, vm

from trainstack.catalog import catalog_from_rows, with_vms
from trainstack.errors import SelectionError
from trainstack.profile import parse_profile
from trainstack.select import SelectionContext, select

HEAD = MINIMAL.split("data:")[0]  # apiVersion ... problem, in westeurope

# compute estimates and their budget steps: the platform around them is priced elsewhere
pytestmark = pytest.mark.usefixtures("compute_only")


def profile(data: str = "size_gb: 1", extra: str = ""):
    """A profile with a data section of ``data`` (one 'key: value' a line) and extra YAML."""
    body = "data:\n" + "".join(f"  {line}\n" for line in data.splitlines())
    return parse_profile(HEAD + body + textwrap.dedent(extra), "p.yaml")


def rule_text(selection, rule: str) -> str:
    [text] = [r.text for r in selection.rationale if r.rule == rule]
    return text


def rules(selection) -> list[str]:
    return [r.rule for r in selection.rationale]


CPU_SIZES = {"Standard_D4s_v3", "Standard_D8s_v3", "Standard_E4s_v3", "Standard_E8s_v3",
             "Standard_NC4as_T4_v3"}


def cpu_catalog(*extra):
    """General-purpose D and memory-optimized E sizes in westeurope (dedicated/low-priority),
    and the T4 size: the small catalog's rows of those sizes."""
    return catalog_from_rows([*(r for r in small_rows()
                                if r.vm_size in CPU_SIZES and r.region == "westeurope"),
                              *extra])


def tabular_gpu_catalog(gpu_ram_gib: float = 110.0):
    """One CPU size that holds 64 GiB ($0.50/h) and one GPU size with 2 x 16 GB T4s at
    $1.20/h ($0.40 per CPU-hour of work at the assumed 3x speed-up: cheaper). No
    low-priority prices."""
    return catalog_from_rows([
        vm("Standard_E8s_v3", vcpus=8, mem=64, price=0.50, low=None),
        vm("Standard_NC16as_T4_v3", vcpus=16, mem=gpu_ram_gib, gpus=2, gpu_model="T4",
           gpu_mem=16, price=1.20, low=None),
    ])


# 13.3 GB of tables: 5 x 13.3 x 0.9313 + 2 = 63.93 -> 64.0 GiB, the GPU-for-tabular threshold
XGBOOST_64_GIB = "size_gb: 13.3"


# -- the memory rule ----------------------------------------------------------------------------

def test_document_data_needs_ten_times_its_size_in_memory():
    """COMPUTE-MEMORY: k = 10 for documents as for text: 2.5 GB -> 10 x 2.5 x 0.9313 + 2 =
    25.3 GiB, more than the 16 GiB of a D4s_v3, so the 32 GiB E4s_v3 trains."""
    s = select(profile("modality: document\nsize_gb: 2.5", "training:\n  framework: sklearn\n"),
               with_vms(cpu_catalog()))
    assert s.training().vm_size == "Standard_E4s_v3"
    assert rule_text(s, "COMPUTE-MEMORY").startswith(
        "needs about 25.3 GiB RAM (10 x 2.5 GB on disk + headroom); ")


@pytest.mark.parametrize("shape", ["rows: 100000000", "columns: 30"])
def test_rows_or_columns_alone_keep_the_on_disk_estimate(shape):
    """The dense estimate needs both rows and columns; either alone (the profile allows it)
    leaves the on-disk one: 5 x 1 x 0.9313 + 2 = 6.7 GiB."""
    s = select(profile(f"size_gb: 1\n{shape}"), with_vms(cpu_catalog()))
    assert rule_text(s, "COMPUTE-MEMORY") == (
        "needs about 6.7 GiB RAM (5 x 1 GB on disk + headroom); a general-purpose size "
        "(~4 GiB/vCPU) holds it")


def test_a_dense_estimate_equal_to_the_on_disk_one_keeps_the_on_disk_basis():
    """rows x columns x 8 bytes x 2 replaces the on-disk estimate only when larger: 25M rows x
    25 columns x 16 bytes = 10^10 bytes, exactly 5 x 2 GB; the basis stays on disk."""
    s = select(profile("size_gb: 2\nrows: 25000000\ncolumns: 25"), with_vms(cpu_catalog()))
    # 10^10 / 2^30 = 9.313 + 2 = 11.3 -> 11.4 GiB (rounded up to a tenth)
    assert rule_text(s, "COMPUTE-MEMORY").startswith(
        "needs about 11.4 GiB RAM (5 x 2 GB on disk + headroom); ")


def test_a_need_of_exactly_16_gib_is_held_by_a_general_purpose_size():
    """3 GB: 5 x 3 x 0.9313 + 2 = 15.97 -> 16.0 GiB, what a 4-vCPU general-purpose size
    holds (4 GiB/vCPU): the rationale says so, and the D4s_v3 (16 GiB) trains."""
    s = select(profile("size_gb: 3.0"), with_vms(cpu_catalog()))
    assert s.training().vm_size == "Standard_D4s_v3"
    assert rule_text(s, "COMPUTE-MEMORY") == (
        "needs about 16 GiB RAM (5 x 3 GB on disk + headroom); a general-purpose size "
        "(~4 GiB/vCPU) holds it")


def test_data_needing_exactly_512_gib_still_trains_on_one_node():
    """One node holds up to 512 GiB: 109.52 GB -> 5 x 109.52 x 0.9313 + 2 = 511.99 ->
    512.0 GiB stays on Azure ML, on the one size that holds it."""
    catalog = cpu_catalog(vm("Standard_M64s", vcpus=64, mem=1024, price=6.0, low=None))
    s = select(profile("size_gb: 109.52", "constraints:\n  allow_low_priority: false\n"),
               with_vms(catalog))
    assert (s.service, s.training().vm_size) == ("azure-ml", "Standard_M64s")
    assert rule_text(s, "COMPUTE-MEMORY").startswith("needs about 512 GiB RAM (5 x 109.52 GB")


# -- CPU or GPU -----------------------------------------------------------------------------------

def test_automl_on_text_trains_on_gpu_and_says_why():
    """COMPUTE-GPU: AutoML on text trains transformer models, in these words."""
    s = select(profile("modality: text\nsize_gb: 1"), with_vms(cpu_catalog()))
    assert s.training().vm_size == "Standard_NC4as_T4_v3"
    assert rule_text(s, "COMPUTE-GPU") == (
        "GPU: AutoML for text (NLP) trains transformer models; training data streams from "
        "storage in batches")


@pytest.mark.parametrize(("framework", "size", "reason"), [
    ("sklearn", "Standard_NC4as_T4_v3", "a GPU size; this workload trains on CPU"),
    ("sklearn", "Standard_F4s_v2", "not a current-generation D/E/M training size"),
    ("pytorch", "Standard_D4s_v3", "no GPU; this workload trains on GPU"),
])
def test_a_pinned_size_that_falls_short_is_kept_with_the_exact_reason(framework, size, reason):
    """COMPUTE-OVERRIDE: the pinned size trains; the warning gives the shortfall word for
    word (a GPU size for CPU work, an older or budget-only series, no GPU for GPU work)."""
    catalog = cpu_catalog(vm("Standard_F4s_v2", vcpus=4, mem=8, family="compute-optimized",
                             price=0.17, low=0.03))
    s = select(profile(extra=f"training:\n  framework: {framework}\n"
                             f"overrides:\n  training_vm_size: {size}\n"), with_vms(catalog))
    assert s.training().vm_size == size
    assert f"overrides.training_vm_size {size}: {reason}" in s.warnings


# -- GPU for large tabular data -------------------------------------------------------------------

def test_a_gpu_node_whose_ram_equals_the_need_can_train_large_tabular_data():
    """The GPU node needs RAM >= the need: 64 GiB of RAM for a 64 GiB need is enough, and at
    $1.20/h / 3 = $0.40 < $0.50/h it replaces the CPU node."""
    s = select(profile(XGBOOST_64_GIB, "training:\n  framework: xgboost\n"),
               with_vms(tabular_gpu_catalog(gpu_ram_gib=64.0)))
    assert s.training().vm_size == "Standard_NC16as_T4_v3"
    assert "COMPUTE-GPU-TABULAR" in rules(s)


def test_the_gpu_for_tabular_requirement_is_described_in_full():
    """COMPUTE-CHEAPEST names every part of the GPU-for-tabular requirement: 16 GB per GPU,
    half the 64 GiB need in GPU memory, and the whole need in host memory."""
    s = select(profile(XGBOOST_64_GIB, "training:\n  framework: xgboost\n"),
               with_vms(tabular_gpu_catalog()))
    assert ("is the cheapest size that meets GPU with >= 16 GiB per GPU, >= 32 GiB in all, "
            ">= 64 GiB host memory: $1.2000/h dedicated") in rule_text(s, "COMPUTE-CHEAPEST")


def test_a_gpu_run_takes_a_third_of_the_hours_to_the_hundredth():
    """A GPU node that wins takes a third of the run time, to the hundredth of an hour:
    4 h -> 1.33 h; 1 node x $1.20 x 1.33 h x 20 runs = $31.92."""
    s = select(profile(XGBOOST_64_GIB, "training:\n  framework: xgboost\n  max_hours: 4\n"),
               with_vms(tabular_gpu_catalog()))
    assert s.training().vm_size == "Standard_NC16as_T4_v3"
    assert rule_text(s, "COMPUTE-GPU-TABULAR").endswith("run time taken as 1.33 h")
    assert s.estimated_monthly_usd == 31.92


def test_a_pinned_cpu_size_is_not_replaced_by_a_gpu_for_tabular_data():
    """COMPUTE-OVERRIDE wins over COMPUTE-GPU-TABULAR: the pinned E8s_v3 trains although a
    GPU node would cost less per run; 1 x $0.50 x 2 h x 20 runs = $20."""
    s = select(profile(XGBOOST_64_GIB, "training:\n  framework: xgboost\n"
                                       "overrides:\n  training_vm_size: Standard_E8s_v3\n"),
               with_vms(tabular_gpu_catalog()))
    assert s.training().vm_size == "Standard_E8s_v3"
    assert "COMPUTE-GPU-TABULAR" not in rules(s)
    assert s.estimated_monthly_usd == 20.0


# -- candidates, quota, capacity ------------------------------------------------------------------

def test_an_unavailable_size_is_listed_with_the_exact_reason():
    """A size the caller marks unavailable is an alternative with this reason."""
    ctx = SelectionContext(unavailable_sizes=frozenset({"Standard_D4s_v3"}))
    s = select(profile(), with_vms(cpu_catalog()), ctx)
    [alt] = [a for a in s.alternatives if a.vm_size == "Standard_D4s_v3"]
    assert alt.rejected_because == "not available in the region now (capacity restriction)"


def test_quota_of_exactly_one_node_keeps_the_size():
    """4 free vCPUs hold one 4-vCPU node: the D4s_v3 stays the choice, uncapped."""
    ctx = SelectionContext(quota_vcpus={"Standard_D4s_v3": 4})
    s = select(profile(), with_vms(cpu_catalog()), ctx)
    assert (s.training().vm_size, s.training().max_nodes) == ("Standard_D4s_v3", 1)
    assert "NODES-QUOTA" not in rules(s)


def test_quota_that_holds_every_node_does_not_cap():
    """2 trials x 1 node x 4 vCPUs = 8 vCPUs, exactly the quota: no cap and no warning."""
    ctx = SelectionContext(quota_vcpus={"Standard_D4s_v3": 8})
    s = select(profile(extra="training:\n  concurrent_trials: 2\n"), with_vms(cpu_catalog()), ctx)
    assert s.training().max_nodes == 2
    assert "NODES-QUOTA" not in rules(s)
    assert not any("quota" in w for w in s.warnings)


def test_quota_caps_max_nodes_to_whole_nodes():
    """10 free vCPUs hold two 4-vCPU nodes (not 2.5): 4 trials are capped to 2 nodes."""
    ctx = SelectionContext(quota_vcpus={"Standard_D4s_v3": 10})
    s = select(profile(extra="training:\n  concurrent_trials: 4\n"), with_vms(cpu_catalog()), ctx)
    assert s.training().max_nodes == 2
    assert rule_text(s, "NODES-QUOTA") == (
        "quota: 10 free vCPUs hold 2 Standard_D4s_v3 node(s); max nodes 4 -> 2")
    # NODES-MAX said "max 2 node(s) = 4 concurrent trial(s) x 1 node(s) per run" here
    assert rule_text(s, "NODES-MAX") == (
        "max 2 node(s): 4 concurrent trial(s) x 1 node(s) per run need 4, the quota holds 2; "
        "the trials run in turns")


def test_a_retired_size_beyond_the_sixth_next_feasible_size_is_not_listed():
    """Alternatives: up to 6 next feasible sizes; the scan stops at the sixth, so a retired
    size dearer than all of them is not listed."""
    catalog = catalog_from_rows([
        vm("Standard_D4s_v3", vcpus=4, mem=16, price=0.20, low=None),
        vm("Standard_E4s_v3", vcpus=4, mem=32, price=0.26, low=None),
        vm("Standard_D8s_v3", vcpus=8, mem=32, price=0.40, low=None),
        vm("Standard_E8s_v3", vcpus=8, mem=64, price=0.52, low=None),
        vm("Standard_D16s_v3", vcpus=16, mem=64, price=0.80, low=None),
        vm("Standard_D32s_v3", vcpus=32, mem=128, price=1.60, low=None),
        vm("Standard_E64s_v3", vcpus=64, mem=432, price=4.20, low=None),
        vm("Standard_D64_v2", vcpus=64, mem=256, price=5.00, low=None, retired=True),
    ])
    s = select(profile(extra="constraints:\n  allow_low_priority: false\n"), with_vms(catalog))
    assert s.training().vm_size == "Standard_D4s_v3"
    assert [(a.vm_size, a.rejected_because) for a in s.alternatives] == [
        ("Standard_E4s_v3", "costs $0.0600/h more than Standard_D4s_v3"),
        ("Standard_D8s_v3", "costs $0.2000/h more than Standard_D4s_v3"),
        ("Standard_E8s_v3", "costs $0.3200/h more than Standard_D4s_v3"),
        ("Standard_D16s_v3", "costs $0.6000/h more than Standard_D4s_v3"),
        ("Standard_D32s_v3", "costs $1.4000/h more than Standard_D4s_v3"),
        ("Standard_E64s_v3", "costs $4.0000/h more than Standard_D4s_v3"),
    ]


def test_nothing_feasible_in_an_overridden_region_names_overrides_region():
    """When overrides.region picks the region and nothing there fits, the error is about
    overrides.region (the field the user would change), not region."""
    catalog = catalog_from_rows([vm("Standard_D4s_v3"), vm("Standard_D4s_v3", "northeurope")])
    p = profile(extra="training:\n  framework: pytorch\noverrides:\n  region: northeurope\n")
    with pytest.raises(SelectionError) as caught:
        select(p, with_vms(catalog))
    assert caught.value.field == "overrides.region"


# -- priority and the development instance --------------------------------------------------------

def test_low_priority_without_a_low_priority_price_warns_in_exact_words():
    """Low-priority allowed but the size has no low-priority price: dedicated, and said so."""
    catalog = catalog_from_rows([vm("Standard_D4s_v3", price=0.20, low=None)])
    s = select(profile(), with_vms(catalog))
    assert s.training().priority == "dedicated"
    assert ("Standard_D4s_v3 has no low-priority price in westeurope: dedicated nodes"
            in s.warnings)


def test_no_development_size_in_the_region_is_a_warning():
    """A notebooks team in a region without a small general-purpose size gets no instance
    and this warning."""
    catalog = catalog_from_rows([vm("Standard_E4s_v3", vcpus=4, mem=32, price=0.26, low=0.05)])
    s = select(profile(extra="team:\n  prefers: [notebooks]\n"), with_vms(catalog))
    assert s.development() is None
    assert "no small general-purpose size in westeurope for a development instance" in s.warnings


def test_the_development_rationale_names_both_preferences():
    """DEV-INSTANCE: both ui and notebooks are named, in the profile's order, as 'a/b'."""
    s = select(profile(extra="team:\n  prefers: [notebooks, ui]\n"), with_vms(cpu_catalog()))
    assert rule_text(s, "DEV-INSTANCE") == (
        "the team prefers notebooks/ui: a Standard_D4s_v3 compute instance (4 vCPUs, 16 GiB) "
        "that shuts down after 60 idle minutes; costed at 176 h/month")


def test_the_development_instance_price_is_stated_to_four_decimals():
    """Like every compute choice, the instance's hourly_usd has 4 decimals, whatever the
    catalog's price has (retail prices may have more: $0.12346 -> $0.1235)."""
    catalog = catalog_from_rows([vm("Standard_D4s_v3", price=0.12346, low=0.04)])
    s = select(profile(extra="team:\n  prefers: [ui]\n"), with_vms(catalog))
    assert s.development().hourly_usd == 0.1235


# -- cost and budget ------------------------------------------------------------------------------

def test_the_monthly_cost_is_rounded_once_to_cents():
    """$1.2349/h x 1 h x 1 run = $1.2349 -> $1.23 (not $1.235 first, then $1.24)."""
    catalog = catalog_from_rows([vm("Standard_D4s_v3", price=1.2349, low=None)])
    s = select(profile(extra="training:\n  max_hours: 1\n  runs_per_month: 1\n"
                             "constraints:\n  allow_low_priority: false\n"), with_vms(catalog))
    assert s.estimated_monthly_usd == 1.23
    assert rule_text(s, "COST-ESTIMATE").startswith(
        "1 node(s) x $1.2349/h x 1 h x 1 runs = $1.23/month")


def test_fewer_trials_go_down_to_one_and_no_further():
    """BUDGET-FEWER-TRIALS from 2 trials: 1 trial costs 1 x $0.20 x 2 h x 20 = $8, still over
    $5: one trial is kept, over budget, and the warning says 2 -> 1."""
    s = select(profile(extra="training:\n  concurrent_trials: 2\nconstraints:\n"
                             "  monthly_budget_usd: 5\n  allow_low_priority: false\n"),
               with_vms(cpu_catalog()))
    assert s.training().max_nodes == 1
    assert (s.estimated_monthly_usd, s.within_budget) == (8.0, False)
    assert "training.concurrent_trials reduced from 2 to 1 to fit the budget" in s.warnings


def test_fewer_trials_stop_at_a_cost_equal_to_the_budget():
    """3 trials x $8 = $24 over a $16 budget; 2 trials cost exactly $16, which fits: 2 stay."""
    s = select(profile(extra="training:\n  concurrent_trials: 3\nconstraints:\n"
                             "  monthly_budget_usd: 16\n  allow_low_priority: false\n"),
               with_vms(cpu_catalog()))
    assert s.training().max_nodes == 2
    assert (s.estimated_monthly_usd, s.within_budget) == (16.0, True)


def test_the_cheaper_family_step_keeps_low_priority_prices():
    """Low-priority D4s_v3: $0.04 x 2 h x 20 = $1.60 > $1.50. BUDGET-CHEAPER-FAMILY compares
    families at the same (low-priority) prices: the F4s_v2 at $0.0338 -> $1.352, within."""
    catalog = cpu_catalog(vm("Standard_F4s_v2", vcpus=4, mem=8, family="compute-optimized",
                             price=0.169, low=0.0338))
    s = select(profile(extra="constraints:\n  monthly_budget_usd: 1.5\n"), with_vms(catalog))
    t = s.training()
    assert (t.vm_size, t.priority, t.hourly_usd) == ("Standard_F4s_v2", "low-priority", 0.0338)
    assert (s.estimated_monthly_usd, s.within_budget) == (1.35, True)
    assert "BUDGET-CHEAPER-FAMILY" in rules(s)


def test_the_cheaper_family_step_never_applies_to_gpu_training():
    """BUDGET-CHEAPER-FAMILY is for CPU training only. The catalog here makes a GPU size
    cheaper at dedicated prices than the chosen one (its low-priority price is above its
    dedicated one), and the step still does not run for GPU work."""
    catalog = catalog_from_rows([
        vm("Standard_NC4as_T4_v3", vcpus=4, mem=28, gpus=1, gpu_model="T4", gpu_mem=16,
           price=1.00, low=None),
        vm("Standard_NC8as_T4_v3", vcpus=8, mem=56, gpus=1, gpu_model="T4", gpu_mem=16,
           price=0.90, low=1.10),
    ])
    s = select(profile(extra="training:\n  framework: pytorch\nconstraints:\n"
                             "  monthly_budget_usd: 30\n"), with_vms(catalog))
    assert "BUDGET-CHEAPER-FAMILY" not in rules(s)
