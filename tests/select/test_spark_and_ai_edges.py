"""Edges of the Spark, Azure AI and budget steps that the mutation run showed no test held:
a cost exactly at the budget, estimates rounded to cents before they meet the budget, the
32-node and 200-node bounds, ties, the candidate pools' filters and caches, and the exact
words of the errors. Each expected value is worked out by hand in the test's docstring or
comments (prices from the inline catalogs, services.json's Synapse and Databricks facts:
$0.143 per vCore-hour; DBUs 0.1875 per general-purpose vCPU, 0.25 per memory-optimized
vCPU, $0.30 per jobs DBU)."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
from conftest import compute_facts, vm

from trainstack.catalog import catalog_from_rows, load_facts, with_vms
from trainstack.catalog.services import SparkNodeSize
from trainstack.errors import SelectionError
from trainstack.profile import parse_profile
from trainstack.select import select, spark
from trainstack.select.budget import Priced, fit_budget, relax_text
from trainstack.select.common import Notes
from trainstack.select.models import Reason
from trainstack.select.pools import pools_of

HEAD = "apiVersion: trainstack/v1\nkind: WorkloadProfile\nname: demo\nregion: westeurope\n"
TABULAR = "problem:\n  predicts: x\n  task: classification\ndata:\n  size_gb: 1\n"

# compute estimates and their budget steps: the platform around them is priced elsewhere
pytestmark = pytest.mark.usefixtures("compute_only")


def profile(body: str = TABULAR, extra: str = ""):
    """A profile of the given sections (westeurope, name demo)."""
    return parse_profile(HEAD + textwrap.dedent(body) + textwrap.dedent(extra), "p.yaml")


def rules(selection) -> list[str]:
    return [r.rule for r in selection.rationale]


def with_synapse(**changes):
    """The packaged facts with Synapse's facts changed."""
    facts = load_facts()
    synapse = dataclasses.replace(facts.services.synapse, **changes)
    return dataclasses.replace(facts, services=dataclasses.replace(facts.services,
                                                                   synapse=synapse))


def need(monkeypatch, gib: float) -> None:
    """The Spark sizers see ``gib`` GiB of data to hold in memory."""
    monkeypatch.setattr(spark, "spark_memory_need", lambda profile: (gib, "test"))


DATABRICKS = "overrides:\n  service: databricks\n"
SYNAPSE = "overrides:\n  service: synapse\n"


# -- fit to budget ----------------------------------------------------------------------------

def step_to(monthly: float, name: str):
    """A budget step that always offers the plan ``name`` at ``monthly``."""
    return lambda current, budget, notes: Priced(name, monthly)


def test_a_start_exactly_at_the_budget_is_within_it_and_says_so():
    """$10.00 against a $10.00 budget is within (<=): BUDGET-OK, no step is tried."""
    notes = Notes()
    found, within = fit_budget(10.0, Priced("start", 10.0), [step_to(1.0, "never")], notes,
                               lambda p: "; unused")
    assert (found, within) == (Priced("start", 10.0), True)
    assert notes.rationale == [Reason(rule="BUDGET-OK",
                                      text="$10.00/month is within the $10.00 budget")]
    assert notes.warnings == []


def test_the_steps_stop_at_the_first_plan_exactly_at_the_budget():
    """Over at $20; the first step reaches $10.00 = the budget, so the second (cheaper still)
    is not taken: the plan changes no more than it must."""
    found, within = fit_budget(10.0, Priced("start", 20.0),
                               [step_to(10.0, "first"), step_to(5.0, "second")], Notes(),
                               lambda p: "; unused")
    assert (found, within) == (Priced("first", 10.0), True)


def test_relax_text_offers_every_run_that_fits_when_the_budget_is_an_exact_multiple():
    """$104/month over 10 runs is $10.40 a run; a $52 budget holds exactly 5 runs
    (5 x $10.40 = $52.00, within as fit_budget counts it: <=), so the text offers 5. It
    offered 4: 52.0 // 10.4 is 4.0 in floats."""
    assert relax_text(104.0, 52.0, 0.0, 10, []).endswith("lower training.runs_per_month to 5")


# -- Azure AI services ------------------------------------------------------------------------

def test_an_ai_estimate_is_rounded_to_cents_before_it_meets_the_budget():
    """1,234 text records at $1 per 1,000 = $1.234, estimated as $1.23: a $1.23 budget
    holds it (BUDGET-OK, no warning)."""
    s = select(profile("problem:\n  predicts: x\n  task: sentiment-analysis\n"
                       "  prebuilt_ok: true\ndata:\n  size_gb: 1\n  modality: text\n"
                       "deploy:\n  requests_per_month: 1234\n"
                       "constraints:\n  monthly_budget_usd: 1.23\n"), compute_facts(load_facts()))
    assert (s.service, s.estimated_monthly_usd, s.within_budget) == ("ai-services", 1.23, True)
    assert rules(s)[-1] == "BUDGET-OK" and s.warnings == ()


def test_the_headline_of_two_ai_accounts_joins_them_with_a_plus():
    """Custom labels on images: Custom Vision training and prediction, both S0."""
    s = select(profile("problem:\n  predicts: x\n  task: image-classification\n"
                       "  prebuilt_ok: true\n  custom_labels: true\n"
                       "data:\n  size_gb: 1\n  modality: image\n"), load_facts())
    assert s.headline() == "CustomVision.Training S0 + CustomVision.Prediction S0"


# -- the region -------------------------------------------------------------------------------

def test_an_overridden_region_the_catalog_lacks_is_blamed_on_the_override():
    """The error points at overrides.region (the line the user wrote), not at region."""
    catalog = catalog_from_rows([vm("Standard_D4s_v3", vcpus=4, mem=16)])
    with pytest.raises(SelectionError) as caught:
        select(profile(extra="overrides:\n  region: northeurope\n"), with_vms(catalog))
    assert caught.value.field == "overrides.region"
    assert "northeurope" in caught.value.message


# -- candidate pools --------------------------------------------------------------------------

def test_the_pools_of_one_facts_value_are_built_once():
    """pools_of keeps the pools of a Facts value: the second call returns the same object
    (each region is sorted once however many profiles are selected)."""
    facts = with_vms(catalog_from_rows([vm("Standard_D4s_v3")]))
    assert pools_of(facts) is pools_of(facts)
    assert pools_of(facts) is not pools_of(with_vms(catalog_from_rows([vm("Standard_D4s_v3")])))


def test_a_development_instance_may_have_exactly_14_gib():
    """Development sizes need >= 4 vCPUs and >= 14 GiB: a 14 GiB size qualifies, and being
    the cheaper it is chosen over a 16 GiB one."""
    catalog = catalog_from_rows([
        vm("Standard_D4s_v5", vcpus=4, mem=14, price=0.10, family="general-purpose"),
        vm("Standard_D4as_v5", vcpus=4, mem=16, price=0.20, family="general-purpose"),
    ])
    s = select(profile(extra="team:\n  prefers: [notebooks]\n"), with_vms(catalog))
    assert s.role("development").vm_size == "Standard_D4s_v5"


def test_regions_that_meet_a_requirement_are_looked_up_per_requirement():
    """Two profiles that fit nowhere in westeurope, selected with one Facts value: the big
    table is offered northeurope (432 GiB), the GPU job eastus (a T4) - the first answer is
    not reused for the second requirement."""
    catalog = catalog_from_rows([
        vm("Standard_D4s_v3", vcpus=4, mem=16),
        vm("Standard_E64s_v3", region="northeurope", vcpus=64, mem=432, price=4.2),
        vm("Standard_NC4as_T4_v3", region="eastus", vcpus=4, mem=28, gpus=1, gpu_model="T4",
           gpu_mem=16, price=0.53),
    ])
    facts = with_vms(catalog)
    big = profile("problem:\n  predicts: x\n  task: classification\ndata:\n  size_gb: 40\n")
    gpu = profile("problem:\n  predicts: x\n  task: image-classification\n"
                  "data:\n  size_gb: 1\n  modality: image\ntraining:\n  framework: pytorch\n")
    for p, region in ((big, "northeurope"), (gpu, "eastus")):
        with pytest.raises(SelectionError) as caught:
            select(p, facts)
        assert caught.value.message.endswith(
            f"nearest regions that offer one: {region} (got 'westeurope')")


# -- Databricks -------------------------------------------------------------------------------

def test_no_databricks_node_type_anywhere_says_none():
    """A catalog without any size Databricks offers: the error names no region."""
    catalog = catalog_from_rows([vm("Standard_B4ms", vcpus=4, mem=16)])
    with pytest.raises(SelectionError) as caught:
        select(profile(extra=DATABRICKS), with_vms(catalog))
    assert caught.value.field == "region"
    assert caught.value.message == ("no Databricks node type in westeurope fits this workload; "
                                    "nearest regions with one: none (got 'westeurope')")


def test_a_databricks_cluster_of_exactly_32_workers_is_not_demoted(monkeypatch):
    """384 GiB of data: 16 GiB nodes hold 12 GiB each -> exactly 32 workers, at
    33 x ($0.01 + 4 x 0.1875 DBU x $0.30) = $7.755/h; 128 GiB nodes need 4 workers at
    5 x ($10 + 16 x 0.25 x $0.30) = $56/h. Up to 32 workers is preferred, so 32 wins."""
    need(monkeypatch, 384.0)
    catalog = catalog_from_rows([
        vm("Standard_D4s_v5", vcpus=4, mem=16, price=0.01, low=None),
        vm("Standard_E16s_v5", vcpus=16, mem=128, price=10.0, low=None),
    ])
    s = select(profile(extra=DATABRICKS), with_vms(catalog))
    assert (s.training().vm_size, s.training().max_nodes) == ("Standard_D4s_v5", 32)


def test_databricks_clusters_equal_to_the_micro_dollar_tie_and_the_name_decides():
    """Two 4 vCPU, 16 GiB node types whose prices differ by $0.0000001: 3 nodes (2 workers +
    driver) differ by $0.0000003/h, which is no difference at the micro-dollar: the name
    decides (D4as before D4s), not the sub-micro-dollar price."""
    catalog = catalog_from_rows([
        vm("Standard_D4s_v5", vcpus=4, mem=16, price=0.1, low=None),
        vm("Standard_D4as_v5", vcpus=4, mem=16, price=0.1000001, low=None),
    ])
    s = select(profile(extra=DATABRICKS + "constraints:\n  allow_low_priority: false\n"),
               with_vms(catalog))
    assert s.training().vm_size == "Standard_D4as_v5"


def test_a_databricks_estimate_is_rounded_to_cents_before_it_meets_the_budget():
    """2 workers + driver of $0.1001 nodes: 3 x ($0.1001 + 0.75 DBU x $0.55, the all-purpose
    rate) = $1.5378/h, x 2 h x 1 run = $3.0756, estimated as $3.08: a $3.08 budget holds it."""
    catalog = catalog_from_rows([vm("Standard_D4s_v5", vcpus=4, mem=16, price=0.1001,
                                    low=None)])
    s = select(profile(extra=DATABRICKS + "training:\n  max_hours: 2\n  runs_per_month: 1\n"
                                          "constraints:\n  monthly_budget_usd: 3.08\n"
                                          "  allow_low_priority: false\n"),
               with_vms(catalog))
    assert (s.estimated_monthly_usd, s.within_budget, s.warnings) == (3.08, True, ())


def test_spot_workers_without_a_spot_price_are_not_offered_as_a_saving():
    """Over budget in prod (dedicated from the start), and the node type has no spot price:
    spot workers would cost the same, so no BUDGET-LOW-PRIORITY step is taken."""
    catalog = catalog_from_rows([vm("Standard_D4s_v5", vcpus=4, mem=16, price=1.0, low=None)])
    s = select(profile(extra=DATABRICKS + "environment: prod\n"
                                          "constraints:\n  monthly_budget_usd: 1\n"),
               with_vms(catalog))
    assert "BUDGET-LOW-PRIORITY" not in rules(s)
    assert (s.within_budget, s.training().priority) == (False, "dedicated")


# -- Synapse ----------------------------------------------------------------------------------

def test_a_synapse_pool_of_exactly_the_node_limit_is_allowed(monkeypatch):
    """64,476 GiB: XXLarge nodes (432 GiB, 324 usable) need 199 executors + 1 driver = 200
    nodes, exactly Synapse's maximum; every smaller size needs more than 200."""
    need(monkeypatch, 64476.0)
    s = select(profile(extra=SYNAPSE), load_facts())
    assert (s.training().node_size, s.training().max_nodes) == ("XXLarge", 200)


def test_a_synapse_pool_of_exactly_32_nodes_is_not_demoted(monkeypatch):
    """744 GiB: Small nodes (24 GiB usable) need 31 + 1 = 32 nodes = 128 vCores, Medium
    (48 usable) 16 + 1 = 17 nodes = 136 vCores. Up to 32 nodes is preferred: Small x 32."""
    need(monkeypatch, 744.0)
    s = select(profile(extra=SYNAPSE), load_facts())
    assert (s.training().node_size, s.training().max_nodes) == ("Small", 32)


def test_synapse_pools_of_one_price_go_to_the_fewer_nodes(monkeypatch):
    """Two node sizes (made up): Small (4 vCores, 32 GiB) and Medium (8 vCores, 128 GiB).
    100 GiB needs Small x (5 + 1) = 24 vCores or Medium x (2 + 1) = 24 vCores: the same
    price, so fewer nodes: Medium x 3."""
    need(monkeypatch, 100.0)
    facts = with_synapse(node_sizes=(SparkNodeSize("Small", 4, 32.0),
                                     SparkNodeSize("Medium", 8, 128.0)))
    s = select(profile(extra=SYNAPSE), facts)
    assert (s.training().node_size, s.training().max_nodes) == ("Medium", 3)


def test_a_synapse_node_price_is_given_to_four_decimals():
    """A Small node of 4 vCores at $0.14321/vCore-h costs $0.57284/h, shown as $0.5728."""
    s = select(profile(extra=SYNAPSE), with_synapse(usd_per_vcore_hour=0.14321))
    assert (s.training().node_size, s.training().hourly_usd) == ("Small", 0.5728)


def test_a_synapse_estimate_is_rounded_to_cents_before_it_meets_the_budget():
    """Small x 3 = 12 vCores x $0.143 = $1.716/h, x 2 h x 1 run = $3.432, estimated as
    $3.43: a $3.43 budget holds it."""
    s = select(profile(extra=SYNAPSE + "training:\n  max_hours: 2\n  runs_per_month: 1\n"
                                       "constraints:\n  monthly_budget_usd: 3.43\n"),
               compute_facts(load_facts()))
    assert (s.training().node_size, s.training().max_nodes) == ("Small", 3)
    assert (s.estimated_monthly_usd, s.within_budget, s.warnings) == (3.43, True, ())
