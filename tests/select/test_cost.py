"""The whole estimate, line by line (issue 12): every bundled profile's and shape's
``cost_breakdown`` sums to ``estimated_monthly_usd``, names a dated source, and its platform
lines are recomputed here from the packaged prices (read as plain JSON, not through the
code under test)."""

from __future__ import annotations

import json

import pytest
from conftest import PROFILES, ROOT, parse
from test_select import scenario_profile

from trainstack.catalog import load_facts
from trainstack.profile import load_profile
from trainstack.select import select

SHAPES = sorted((ROOT / "tests" / "golden" / "profiles").glob("*.yaml"))
DATA = ROOT / "src" / "trainstack" / "catalog" / "data"
SERVICES = json.loads((DATA / "services.json").read_text())
PLATFORM = SERVICES["platform"]
SOURCES = {**SERVICES["sources"], **json.loads((DATA / "sources.json").read_text())}
DAYS = 730 / 24


def lines(selection, category=None):
    return [i for i in selection.cost_breakdown if category in (None, i.category)]


def line(selection, starts: str):
    [found] = [i for i in selection.cost_breakdown if i.item.startswith(starts)]
    return found


@pytest.mark.parametrize("path", [*PROFILES, *SHAPES], ids=lambda p: p.stem)
def test_the_lines_sum_to_the_estimate_and_each_names_a_dated_source(path):
    s = select(load_profile(path), load_facts())
    assert s.cost_breakdown
    assert sum(i.monthly_usd for i in s.cost_breakdown) == pytest.approx(
        s.estimated_monthly_usd, abs=0.005)
    for i in s.cost_breakdown:
        assert i.source in SOURCES and SOURCES[i.source]["date"], i
        assert i.monthly_usd == pytest.approx(i.quantity * i.unit_usd, abs=0.011) or \
            i.category == "compute", i  # compute lines carry the flow's own rounding
    # the select JSON has them in its contract order
    d = s.contract_dict()
    assert list(d["cost_breakdown"][0]) == ["item", "category", "quantity", "unit", "unit_usd",
                                            "monthly_usd", "source"]
    # Log Analytics is always there: every stack sends its diagnostics to it
    assert line(s, "Log Analytics ingestion").unit == "GB"


def test_a_public_dev_azure_ml_stack_pays_a_basic_registry_the_data_storage_and_its_logs():
    s = select(parse("monitor:\n  alert_email: ml@example.com\n"), load_facts())
    registry = line(s, "container registry")
    assert registry.item == "container registry (Basic)"
    assert registry.monthly_usd == round(DAYS * PLATFORM["registry_usd_per_day"]["Basic"], 2)
    storage = line(s, "workspace storage")
    assert "LRS" in storage.item
    assert storage.monthly_usd == round(s_size(s) * PLATFORM["storage_usd_per_gb_month"]["LRS"], 2)
    node_hours = sum(i.quantity for i in s.cost_breakdown
                     if i.unit in ("node-hours", "instance-hours", "hours", "pool-hours"))
    gb = PLATFORM["logs_base_gb_per_month"] + node_hours * PLATFORM["logs_gb_per_node_hour"]
    assert line(s, "Log Analytics ingestion").monthly_usd == round(
        gb * PLATFORM["log_analytics_usd_per_gb"], 2)
    # dev keeps logs 30 days, inside the 31 the ingestion price includes
    assert not [i for i in s.cost_breakdown if "retention" in i.item]
    # failed runs, quota, unusable nodes, and preempted nodes (low-priority training)
    alerts = line(s, "metric alert rules")
    assert s.training().priority == "low-priority"
    assert (alerts.quantity, alerts.monthly_usd) == (4, 0.4)


def s_size(selection) -> float:
    return line(selection, "workspace storage").quantity


def test_private_pays_premium_prod_pays_zrs_and_retention():
    s = select(parse("environment: prod\nconstraints:\n  network: private\n"), load_facts())
    assert line(s, "container registry").item == "container registry (Premium)"
    assert line(s, "container registry").monthly_usd == round(
        DAYS * PLATFORM["registry_usd_per_day"]["Premium"], 2)
    assert "ZRS" in line(s, "workspace storage").item
    ingested = line(s, "Log Analytics ingestion").quantity
    retention = line(s, "Log Analytics retention")
    assert retention.item == "Log Analytics retention, 90 days"
    # 59 days past the 31 included, in GB-months
    assert retention.quantity == pytest.approx(ingested * 59 / 30, abs=1e-3)
    assert retention.unit_usd == PLATFORM["log_retention_usd_per_gb_month"]
    # no alert email, no alert rules
    assert not [i for i in s.cost_breakdown if i.item == "metric alert rules"]


def test_data_the_stack_does_not_hold_is_not_priced():
    s = select(scenario_profile(
        "data:\n  size_gb: 50\n  location:\n    storage_account_id: /subscriptions/"
        "00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/"
        "storageAccounts/lake\n    container: raw\n"), load_facts())
    assert s.service == "azure-ml"
    assert not [i for i in s.cost_breakdown if "storage" in i.item]


def test_synapse_pays_its_lake_at_the_hierarchical_namespace_price():
    s = select(parse("team:\n  existing_platform: synapse\n"), load_facts())
    lake = line(s, "data lake")
    assert lake.unit_usd == PLATFORM["datalake_usd_per_gb_month"]["LRS"]
    assert not [i for i in s.cost_breakdown if "registry" in i.item]


def test_databricks_dbus_are_priced_at_the_all_purpose_rate_beside_the_vms():
    """The stack creates an all-purpose cluster (databricks_cluster); jobs that run on it bill
    at the all-purpose rate (databricks provider clusters_api.go creates it with
    /clusters/create; its jobs docs call an existing cluster "interactive")."""
    s = select(parse("team:\n  existing_platform: databricks\n"), load_facts())
    t = s.training()
    dbu = line(s, "Databricks DBUs")
    assert dbu.unit_usd == SERVICES["databricks"]["dbu_usd"]["all-purpose"] == 0.55
    per_node = SERVICES["databricks"]["dbu_per_vcpu"][t.family] * t.vcpus
    hours = 2 * 20  # the profile's defaults: max_hours x runs_per_month
    assert dbu.quantity == pytest.approx((t.max_nodes + 1) * per_node * hours)
    vms = line(s, "training cluster VMs")
    assert vms.monthly_usd + dbu.monthly_usd == pytest.approx(s.compute_monthly_usd, abs=0.011)
    assert not [i for i in s.cost_breakdown if "registry" in i.item or "storage" in i.item]


def test_ai_services_usage_is_its_own_line():
    s = select(scenario_profile("problem:\n  predicts: x\n  task: translation\n"
                                "  prebuilt_ok: true\ndeploy:\n  requests_per_month: 20000\n"),
               load_facts())
    usage = line(s, "Azure AI Translator usage")
    price = SERVICES["ai_services"]["kinds"]["TextTranslation"]["usd_per_unit"]
    assert (usage.category, usage.quantity, usage.monthly_usd) == ("usage", 20, 20 * price)
    assert s.compute_monthly_usd == usage.monthly_usd


@pytest.mark.parametrize("path", [*PROFILES, *SHAPES], ids=lambda p: p.stem)
def test_the_total_s_words_add_up_to_the_estimate(path):
    """COST-TOTAL's "$a compute + $b endpoint + ... = $t" is arithmetic that holds."""
    import re

    s = select(load_profile(path), load_facts())
    [text] = [r.text for r in s.rationale if r.rule == "COST-TOTAL"]
    parts, total = text.split(" = ")
    amounts = [float(a.replace(",", "")) for a in re.findall(r"\$([\d,]+\.\d\d)", parts)]
    assert round(sum(amounts), 2) == float(total.split("/")[0].lstrip("$").replace(",", ""))
    assert total.startswith(f"${s.estimated_monthly_usd:,.2f}/month")


def test_the_fixed_lines_count_against_the_budget():
    """Compute alone fits, the platform's fixed lines do not: over budget, and said so."""
    free = select(parse(""), load_facts())
    budget = round(free.compute_monthly_usd + 0.5, 2)
    s = select(parse(f"constraints:\n  monthly_budget_usd: {budget}\n"), load_facts())
    assert s.compute_monthly_usd <= budget < s.estimated_monthly_usd
    assert not s.within_budget
    [total] = [r.text for r in s.rationale if r.rule == "COST-TOTAL"]
    assert total.startswith(f"${s.compute_monthly_usd:,.2f} compute + ")
    assert "platform" in total


def test_the_guide_shows_each_bundled_profiles_breakdown_as_select_prints_it():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import write_costs

    assert (ROOT / "docs" / "guide.md").read_text(encoding="utf-8") == write_costs.guide()
    text = write_costs.tables()
    for path in PROFILES:
        s = select(load_profile(path), load_facts())
        assert f"### {s.profile}: ${s.estimated_monthly_usd:,.2f}/month" in text
    for source in ("platform-2026", "network-2026", "karpenter-2026-06", "databricks-2025"):
        assert f"- `{source}` (" in text
