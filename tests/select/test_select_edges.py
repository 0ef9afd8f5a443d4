"""The selector's edges, one behaviour each: exact messages where nothing fits, Spark worker
counts at their bounds, the order of alternatives, and what a budget warning proposes.
Inline catalogs (conftest.vm) or the packaged facts; no I/O beyond them."""

from __future__ import annotations

import pytest
from conftest import MINIMAL, vm
from conftest import parse as _parse

from trainstack.catalog import catalog_from_rows, load_facts, with_vms
from trainstack.errors import SelectionError
from trainstack.select import select, spark
from trainstack.select.budget import relax_text
from trainstack.select.models import Alternative


def parse(extra: str = ""):  # conftest's MINIMAL (1 GB of tables) with extra sections
    return _parse(extra)


def parse_40gb():  # 40 GB of tables: ~188 GiB in memory
    from trainstack.profile import parse_profile

    return parse_profile(MINIMAL.replace("size_gb: 1", "size_gb: 40"), "p.yaml")


def test_no_region_of_the_catalog_meets_the_requirement():
    catalog = catalog_from_rows([vm("Standard_D4s_v3", vcpus=4, mem=16)])
    with pytest.raises(SelectionError) as caught:
        select(parse_40gb(), with_vms(catalog))
    assert caught.value.field == "region"
    assert str(caught.value).endswith("nearest regions that offer one: no catalog region "
                                      "(got 'westeurope')")


def test_a_pinned_size_offered_nowhere_live_says_so():
    catalog = catalog_from_rows([
        vm("Standard_D4s_v3", vcpus=4, mem=16),
        vm("Standard_E4s_v3", region="northeurope", vcpus=4, mem=32, retired=True)])
    with pytest.raises(SelectionError) as caught:
        select(parse("overrides:\n  training_vm_size: Standard_E4s_v3\n"), with_vms(catalog))
    assert str(caught.value).endswith(
        "Standard_E4s_v3 is not offered in westeurope (got 'Standard_E4s_v3'); nearest regions "
        "that offer it: none in the catalog")


def test_a_pinned_size_azure_ml_does_not_list_is_kept_with_a_warning():
    catalog = catalog_from_rows([vm("Standard_D4s_v3", vcpus=4, mem=16),
                                 vm("Standard_E4s_v3", vcpus=4, mem=32, aml=False)])
    s = select(parse("overrides:\n  training_vm_size: Standard_E4s_v3\n"), with_vms(catalog))
    assert s.training().vm_size == "Standard_E4s_v3"
    assert ("Standard_E4s_v3 is not in the catalog's list of Azure ML sizes for westeurope; "
            "check `az ml compute list-sizes` before deploying") in s.warnings


# -- Spark --------------------------------------------------------------------------------------

def test_alternatives_say_why_each_lost():
    options = [(1.0, 10, "best"), (1.0, 33, "more-than-32"), (1.0, 32, "tie-at-32"),
               (1.5, 5, "dearer"), (2.0, 5, "not-shown")]
    def alt(size, hourly, why):
        return Alternative(vm_size=size, hourly_usd=hourly, rejected_because=why)

    assert spark._ranked_alternatives(options, 1.0, "nodes") == (
        alt("more-than-32", 1.0, "33 nodes: more than 32"),
        alt("tie-at-32", 1.0, "same price; fewer nodes win ties"),
        alt("dearer", 1.5, "costs $0.5000/h more"),
    )
    # a cluster over 32 workers that is also dearer lost on price
    assert spark._ranked_alternatives([(1.0, 2, "a"), (1.2, 40, "b")], 1.0, "workers") == (
        alt("b", 1.2, "costs $0.2000/h more"),)


@pytest.mark.parametrize("need,workers", [(1.0, [2]), (12.0 * 100, [100]),
                                          (12.0 * 100 + 0.1, [])])
def test_databricks_cpu_workers_are_at_least_2_and_at_most_100(monkeypatch, need, workers):
    """16 GiB nodes hold 12 GiB of data each (75%): 2 workers at the least, 100 at most."""
    monkeypatch.setattr(spark, "spark_memory_need", lambda profile: (need, "test"))
    node = vm("Standard_E2ds_v5", vcpus=2, mem=16, price=0.1)
    options, _, _ = spark._cpu_options(parse(""), [node], load_facts().services.databricks,
                                       spot=False)
    assert [w for _, w, _ in options] == workers


# -- budget warnings ------------------------------------------------------------------------------

def test_relax_text_proposes_fewer_runs_only_when_one_fits():
    assert relax_text(100.0, 60.0, 0.0, 10, []) == (
        " even with the cheapest feasible choice; to fit: raise "
        "constraints.monthly_budget_usd to at least $100; or lower training.runs_per_month to 6")
    # fixed costs first: (60 - 20) // 8 = 5 runs
    assert relax_text(100.0, 60.0, 20.0, 10, ["x"]).endswith(
        "to at least $100; or lower training.runs_per_month to 5; or x")
    # nothing per run (all of it fixed): no runs to drop
    assert relax_text(50.0, 40.0, 50.0, 10, []) == (
        " even with the cheapest feasible choice; to fit: raise "
        "constraints.monthly_budget_usd to at least $50")


def test_a_cheaper_databricks_cluster_of_more_than_32_workers_is_listed_with_why(monkeypatch):
    """Clusters of up to 32 workers are preferred: a cheaper one of 40 small nodes loses and
    the alternative says so in workers."""
    monkeypatch.setattr(spark, "spark_memory_need", lambda profile: (480.0, "test"))
    catalog = catalog_from_rows([
        vm("Standard_D4s_v5", vcpus=4, mem=16, price=0.01, low=None),
        vm("Standard_E16s_v5", vcpus=16, mem=128, price=1.0, low=None),
    ])
    s = select(parse("overrides:\n  service: databricks\n"), with_vms(catalog))
    assert (s.training().vm_size, s.training().max_nodes) == ("Standard_E16s_v5", 5)
    [alt] = s.alternatives
    assert (alt.vm_size, alt.rejected_because) == ("Standard_D4s_v5 x 40 + driver",
                                                   "40 workers: more than 32")


def _retired_alternatives(text: str) -> list[str]:
    from trainstack.profile import parse_profile

    s = select(parse_profile(text, "p.yaml"), load_facts())
    return [a.vm_size for a in s.alternatives
            if a.rejected_because.startswith("retired")]


GPU_PROFILE = ("apiVersion: trainstack/v1\nkind: WorkloadProfile\n"
               "name: gpu\nregion: eastus\nproblem:\n  predicts: x\n  task: object-detection\n"
               "data:\n  modality: image\n  size_gb: 80\ntraining:\n  framework: pytorch\n")


def test_a_retired_size_is_listed_only_when_it_would_have_fit():
    """docs/selection.md COMPUTE-CHEAPEST: 'the cheapest retired size that would have fit'.
    A V100 16 GB (Standard_NC6s_v3, retired) holds a small vision model, as the chosen T4
    16 GB does; it cannot hold a large model's 40 GiB per GPU, so it is not offered as a
    near miss there (it was, before: the alternatives named it whatever the requirement)."""
    assert _retired_alternatives(GPU_PROFILE) == ["Standard_NC6s_v3"]
    assert _retired_alternatives(GPU_PROFILE + "  model_size: large\n") == []


# -- pinned by the 2026-11-30 full mutation run's survivors -------------------------------------

def test_a_size_a_twentieth_of_a_cent_dearer_is_dearer_not_the_same_price():
    """0.0001 - 0.00005 is exactly 0.00005 in floats: the first price step that shows at
    four decimals is 'costs more', not a tie (aml.rank: extra >= 0.00005)."""
    catalog = catalog_from_rows([
        vm("Standard_D4s_v3", vcpus=4, mem=16, price=0.00005, low=None),
        vm("Standard_D8s_v3", vcpus=8, mem=32, price=0.0001, low=None)])
    s = select(parse("constraints:\n  allow_low_priority: false\n"), with_vms(catalog))
    assert s.compute[0].size == "Standard_D4s_v3"
    assert [(a.vm_size, a.rejected_because) for a in s.alternatives] == [
        ("Standard_D8s_v3", "costs $0.0001/h more than Standard_D4s_v3")]


def test_relax_text_counts_runs_of_less_than_a_dollar_exactly():
    """$1/month over 10 runs is $0.10 a run; 0.3 // 0.1 is 2.0 in floats, yet 3 runs cost
    $0.30: the correction applies to cheap runs too (budget.relax_text: per_run > 0)."""
    assert relax_text(1.0, 0.3, 0.0, 10, []).endswith("lower training.runs_per_month to 3")


def test_relax_text_counts_a_run_in_cents_as_the_estimate_does():
    """A run of $52.004 is $52.00 in the estimate (cents), so a $52 budget holds one run."""
    assert relax_text(520.04, 52.0, 0.0, 10, []).endswith(
        "lower training.runs_per_month to 1")


def test_a_gpu_off_the_training_ladder_is_no_region_to_suggest():
    """An A10 (24 GiB, not retired) meets the memory but is off the ladder (T4, A100, H100):
    its region is not offered as one where a fitting size exists (Requirement.shortfall
    judges the ladder unless told not to)."""
    catalog = catalog_from_rows([
        vm("Standard_D4s_v3", vcpus=4, mem=16),
        vm("Standard_NV36ads_A10_v5", region="northeurope", vcpus=36, mem=440, gpus=1,
           gpu_model="A10", gpu_mem=24)])
    with pytest.raises(SelectionError) as caught:
        select(parse("training:\n  framework: pytorch\n"), with_vms(catalog))
    assert "northeurope" not in str(caught.value)
