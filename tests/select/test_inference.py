"""Step 5: the inference compute of deploy.endpoint, chosen and priced (issue 12).

The oracle below filters the packaged catalog (read as CSV) by Learn's managed online
endpoint SKU list, written out here by hand (reference-managed-online-endpoints-vm-sku-list),
not through the code under test."""

from __future__ import annotations

import csv
import re

import pytest
from conftest import ROOT
from test_select import scenario_profile

from trainstack.catalog import load_facts
from trainstack.errors import SelectionError
from trainstack.select import select
from trainstack.select.models import AmlCluster, AmlOnlineEndpoint

# Learn's list: the D/Das/DS/E/F CPU families and T4/A100/H100 GPUs, as Azure ML names them
LEARN_ONLINE = re.compile(
    r"^Standard_(D(2|4|8|16|32|48|64|96)as?_v4|DS[1-5]_v2|E(2|4|8|16|20|32|48|64)s_v3"
    r"|F(2|4|8|16|32|48|64|72)s_v2|NC(4|8|16|64)as_T4_v3|NC(24|48|96)ads_A100_v4"
    r"|NC(40ads|80adis)_H100_v5|ND96amsr_A100_v4|ND96asr_v4|ND96isr?_H100_v5)$")
ROWS = list(csv.DictReader((ROOT / "src" / "trainstack" / "catalog" / "data" / "vm_sizes.csv")
                           .open(encoding="utf-8")))


def oracle(region: str, *, gpu_gib: float | None = None) -> str:
    """The cheapest live Azure ML size in Learn's list with >= 8 GiB (and that much GPU
    memory, for a GPU), ties by name."""
    def fits(row: dict) -> bool:
        gpus = int(row["gpus"])
        if row["region"] != region or row["aml"] != "1" or row["retired"] == "1":
            return False
        if not LEARN_ONLINE.match(row["vm_size"]) or float(row["memory_gib"]) < 8:
            return False
        if gpu_gib is None:
            return gpus == 0
        return gpus > 0 and gpus * float(row["gpu_memory_gib"]) >= gpu_gib
    best = min((r for r in ROWS if fits(r)), key=lambda r: (float(r["hourly_usd"]), r["vm_size"]))
    return best["vm_size"]


def run(extra: str):
    return select(scenario_profile(extra), load_facts())


def test_an_online_endpoint_for_a_tabular_model_runs_on_the_cheapest_fitting_cpu():
    s = run("deploy:\n  endpoint: online\n")
    e = s.role("inference")
    assert isinstance(e, AmlOnlineEndpoint) and e.accelerator == "cpu"
    assert e.vm_size == oracle(s.region)
    assert (e.min_nodes, e.max_nodes, e.priority) == (1, 1, "dedicated")
    [cost] = [i for i in s.cost_breakdown if i.category == "endpoint"]
    assert (cost.quantity, cost.unit) == (730, "instance-hours")
    assert cost.monthly_usd == round(730 * e.hourly_usd, 2)
    assert e.contract_dict()["kind"] == "aml-online-endpoint"


def test_prod_serves_on_three_instances_unless_the_profile_says():
    assert run("environment: prod\ndeploy:\n  endpoint: online\n").role("inference").max_nodes == 3
    five = run("environment: prod\ndeploy:\n  endpoint: online\n  instances: 5\n")
    assert (five.role("inference").min_nodes, five.role("inference").max_nodes) == (5, 5)


def test_a_model_trained_on_gpu_for_images_serves_on_a_gpu_big_enough_for_it():
    s = run("problem:\n  predicts: x\n  task: image-classification\ndata:\n  modality: image\n"
            "  size_gb: 20\ntraining:\n  framework: pytorch\ndeploy:\n  endpoint: online\n")
    assert s.training().accelerator == "gpu"
    e = s.role("inference")
    assert e.accelerator == "gpu" and e.vm_size == oracle(s.region, gpu_gib=16)
    assert "with >= 8 GiB and 16 GiB of GPU memory;" in next(
        r.text for r in s.rationale if r.rule == "ENDPOINT-ONLINE")


def test_tabular_data_scores_on_cpu_even_when_a_gpu_trained_it():
    s = run("training:\n  framework: xgboost\noverrides:\n  training_vm_size: "
            "Standard_NC4as_T4_v3\ndeploy:\n  endpoint: online\n")
    assert s.training().accelerator == "gpu"
    assert s.role("inference").accelerator == "cpu"
    assert "tabular models score on CPU (the GPU sped up training)" in next(
        r.text for r in s.rationale if r.rule == "ENDPOINT-ONLINE")


@pytest.mark.parametrize("allow,priority", [(True, "low-priority"), (False, "dedicated")])
def test_a_batch_endpoint_gets_a_scoring_cluster_priced_at_its_hours(allow, priority):
    s = run(f"constraints:\n  allow_low_priority: {str(allow).lower()}\n"
            "deploy:\n  endpoint: batch\n  batch_hours_per_month: 12\n")
    c = s.role("inference")
    assert isinstance(c, AmlCluster) and (c.min_nodes, c.max_nodes) == (0, 1)
    assert c.priority == priority
    [cost] = [i for i in s.cost_breakdown if i.item.startswith("batch scoring")]
    assert (cost.category, cost.quantity, cost.monthly_usd) == (
        "endpoint", 12, round(12 * c.hourly_usd, 2))
    vm = load_facts().vms.get(c.vm_size, s.region)
    # the price's own source: a low-priority price may be derived (derived-aml-us-ratio)
    assert cost.source == (vm.low_priority_source or vm.price_source if allow
                           else vm.price_source)
    assert f", {priority} (a batch job restarts)" in next(
        r.text for r in s.rationale if r.rule == "ENDPOINT-BATCH")
    # not part of the training flow's own number, and said in the total's words
    assert s.compute_monthly_usd == round(s.estimated_monthly_usd - sum(
        i.monthly_usd for i in s.cost_breakdown if i.category != "compute"), 2)
    [total] = [r.text for r in s.rationale if r.rule == "COST-TOTAL"]
    assert f"${cost.monthly_usd:,.2f} endpoint" in total


@pytest.mark.parametrize("extra", [
    "team:\n  existing_platform: databricks\n",
    "team:\n  existing_platform: synapse\n",
    "problem:\n  predicts: x\n  task: translation\n  prebuilt_ok: true\n",
])
def test_other_services_provision_no_endpoint_and_say_so(extra):
    s = run(extra + "deploy:\n  endpoint: online\n")
    assert s.role("inference") is None
    [why] = [r.text for r in s.rationale if r.rule == "ENDPOINT-NOT-PROVISIONED"]
    assert why.endswith("the Azure AI services account serves the calls itself"
                        if s.service == "ai-services" else
                        "stacks have no Azure ML workspace: register the model in one, or serve "
                        "it from the platform (docs/guide.md, step 5)")
    assert not [i for i in s.cost_breakdown if i.category == "endpoint"]


def test_no_endpoint_no_inference():
    s = run("deploy:\n  endpoint: none\n")
    assert s.role("inference") is None
    assert not [r for r in s.rationale if r.rule.startswith("ENDPOINT")]


@pytest.mark.parametrize("endpoint,said", [("online", "no GPU size for a managed online "),
                                           ("batch", "no GPU size for a batch ")])
def test_a_region_without_a_gpu_for_the_endpoint_says_which(endpoint, said):
    from conftest import vm

    from trainstack.catalog import catalog_from_rows, with_vms

    catalog = catalog_from_rows([
        vm("Standard_D4s_v3", price=0.2, low=0.04),
        vm("Standard_NC4as_T4_v3", vcpus=4, mem=28, gpus=1, price=0.5, low=0.1, gpu_model="T4",
           gpu_mem=16, family="gpu")])
    profile = scenario_profile("problem:\n  predicts: x\n  task: image-classification\n"
                               "data:\n  modality: image\n  size_gb: 20\ntraining:\n"
                               "  framework: pytorch\n  model_size: large\n"
                               f"deploy:\n  endpoint: {endpoint}\n"
                               "overrides:\n  training_vm_size: Standard_NC4as_T4_v3\n")
    with pytest.raises(SelectionError) as info:
        select(profile, with_vms(catalog))
    assert said in info.value.message and f"(got '{endpoint}')" in info.value.message


def test_a_region_without_a_fitting_size_is_a_clear_error():
    from conftest import vm

    from trainstack.catalog import catalog_from_rows, with_vms

    catalog = catalog_from_rows([vm("Standard_D4s_v3", price=0.2, low=0.04)])
    with pytest.raises(SelectionError) as info:
        select(scenario_profile("deploy:\n  endpoint: online\n"), with_vms(catalog))
    assert info.value.field == "deploy.endpoint"
    assert "no CPU size for a managed online endpoint in westeurope" in info.value.message


def test_data_drift_in_an_approved_only_network_is_a_warning():
    """Learn (concept-model-monitoring): model monitoring does not support the
    AllowOnlyApprovedOutbound managed network isolation setting."""
    prod = run("environment: prod\nconstraints:\n  network: private\nmonitor:\n"
               "  data_drift: true\n")
    assert prod.network.outbound == "approved-only"
    assert any(w.startswith("monitor.data_drift: Azure ML model monitors do not run")
               for w in prod.warnings)
    dev = run("constraints:\n  network: private\nmonitor:\n  data_drift: true\n")
    assert dev.network.outbound == "internet" and not dev.warnings
    assert "MONITOR-DRIFT" in [r.rule for r in dev.rationale]
    off = run("environment: prod\nconstraints:\n  network: private\n")
    assert "MONITOR-DRIFT" not in [r.rule for r in off.rationale]
