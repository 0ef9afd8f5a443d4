"""Every bundled profile's stack reflects its six steps (issue 12): one test per step per
profile, each asking the stack (its plain-data view, as the diagram and preflight read it)
for what that step of that service must have made, from the profile's own words. The
services: Azure ML (call-audio, churn, fraud-private, llm-finetune, vision-defects),
Synapse (claims-synapse), Databricks (clickstream), Azure AI services (invoice-ocr)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import PROFILES

from trainstack import arm
from trainstack.catalog import load_facts
from trainstack.constructs.stack import build_stack
from trainstack.profile import load_profile
from trainstack.select import select
from trainstack.settings import Settings

SERVICES = {"call-audio": "azure-ml", "churn": "azure-ml", "fraud-private": "azure-ml",
            "llm-finetune": "azure-ml", "vision-defects": "azure-ml",
            "claims-synapse": "synapse", "clickstream": "databricks",
            "invoice-ocr": "ai-services"}


class Stack:
    """One bundled profile, its selection and its stack's resources by type."""

    def __init__(self, name: str) -> None:
        path = next(p for p in PROFILES if p.stem == name)
        self.profile = load_profile(path)
        self.selection = select(self.profile, load_facts())
        spec = build_stack(self.profile, self.selection, Settings())
        self.resources: dict[str, list[dict]] = {}
        self.locals: dict[str, list[str]] = {}
        for e in spec.elements:
            if not e.is_data:
                self.resources.setdefault(e.terraform_type, []).append(e.arguments())
                self.locals.setdefault(e.terraform_type, []).append(e.local_name)
        self.outputs = spec.outputs
        self.rules = {r.rule for r in self.selection.rationale}

    def of(self, terraform_type: str) -> list[dict]:
        return self.resources.get(terraform_type, [])


_STACKS: dict[str, Stack] = {}


def stack(name: str) -> Stack:
    if name not in _STACKS:
        _STACKS[name] = Stack(name)
    return _STACKS[name]


def step1_define(s: Stack) -> None:
    """The problem decides the service, and what it makes serves the task."""
    assert s.selection.service == SERVICES[s.profile.name]
    if s.selection.service == "ai-services":
        covering = {a.kind for a in s.selection.ai_services}
        assert {c["kind"] for c in s.of("azurerm_cognitive_account")} == covering
        assert all(s.profile.problem.task in a.covers for a in s.selection.ai_services)
    if s.selection.service == "azure-ml":
        [ws] = s.of("azurerm_machine_learning_workspace")
        assert ws["description"] == f"trainstack: {s.profile.problem.predicts}"


def step2_get_data(s: Stack) -> None:
    """Where the data is, reachable by the compute's identity without a key."""
    service, location = s.selection.service, s.profile.data.location
    if service == "azure-ml":
        stores = (s.of("azurerm_machine_learning_datastore_blobstorage")
                  + s.of("azurerm_machine_learning_datastore_datalake_gen2"))
        assert len(stores) == 1 and "account_key" not in stores[0]
        roles = {(r["role_definition_name"]) for r in s.of("azurerm_role_assignment")
                 if "compute_cluster.training" in r["principal_id"]}
        assert "Storage Blob Data Contributor" in roles
    elif service == "synapse":
        [lake] = s.of("azurerm_storage_account")
        assert lake["is_hns_enabled"] is True and lake["shared_access_key_enabled"] is False
        assert any(r["role_definition_name"] == "Storage Blob Data Contributor"
                   for r in s.of("azurerm_role_assignment"))
    elif service == "databricks":
        assert location is not None and location.hierarchical_namespace
        [external] = s.of("databricks_external_location")
        assert external["url"] == (f"abfss://{location.container}@"
                                   f"{location.storage_account_id.rsplit('/', 1)[1]}"
                                   ".dfs.core.windows.net/")
        assert s.of("azurerm_databricks_access_connector")
    else:  # prebuilt models take the data in each call: keys off, Entra tokens
        assert all(c["local_auth_enabled"] is False and c["custom_subdomain_name"]
                   for c in s.of("azurerm_cognitive_account"))


def step3_prepare(s: Stack) -> None:
    """Spark where preparation needs it; otherwise the training compute prepares."""
    prep = s.selection.role("data-prep")
    if prep is not None:
        assert s.of("azurerm_synapse_spark_pool") and s.of("azurerm_machine_learning_synapse_spark")
    elif s.selection.service == "databricks":
        [cluster] = s.of("databricks_cluster")
        assert cluster["spark_version"] == s.selection.training().runtime
    elif s.selection.service == "synapse":
        [pool] = s.of("azurerm_synapse_spark_pool")
        assert pool["auto_pause"]["delay_in_minutes"] == 15
    elif s.selection.service == "azure-ml":
        assert not s.profile.data.needs_distributed_prep and s.selection.training() is not None
    else:
        assert s.selection.training() is None  # nothing is trained, nothing is prepared


def step4_train(s: Stack) -> None:
    """The selected compute, as selected."""
    t = s.selection.training()
    if s.selection.service == "azure-ml":
        [cluster] = [c for c in s.of("azurerm_machine_learning_compute_cluster")
                     if c["name"].startswith("train-")]
        assert (cluster["vm_size"], cluster["scale_settings"]["max_node_count"]) == (
            t.vm_size, t.max_nodes)
    elif s.selection.service == "synapse":
        [pool] = s.of("azurerm_synapse_spark_pool")
        assert (pool["node_size"], pool["auto_scale"]["max_node_count"]) == (
            t.node_size, t.max_nodes)
    elif s.selection.service == "databricks":
        [cluster] = s.of("databricks_cluster")
        assert cluster["node_type_id"] == t.vm_size
    else:
        assert t is None and not s.of("azurerm_machine_learning_compute_cluster")


def step5_integrate(s: Stack) -> None:
    """The endpoint deploy.endpoint asks for, or why there is none; callers' roles."""
    endpoint = s.profile.deploy.endpoint
    azapi = {r["type"].split("@")[0].rsplit("/", 1)[1] for r in s.of("azapi_resource")}
    if s.selection.service == "azure-ml":
        expected = {"online": {"onlineEndpoints"}, "batch": {"batchEndpoints"}, "none": set()}
        assert azapi == expected[endpoint]
        assert (s.selection.role("inference") is None) == (endpoint == "none")
    else:
        assert not azapi
        if endpoint != "none":
            assert "ENDPOINT-NOT-PROVISIONED" in s.rules
        if s.selection.service == "ai-services":
            callers = {r["principal_id"] for r in s.of("azurerm_role_assignment")
                       if r["role_definition_name"].startswith("Cognitive Services")}
            assert callers == set(s.profile.deploy.callers)


def step6_monitor(s: Stack) -> None:
    """Diagnostics on every resource that sends them, the budget Azure watches, alerts to
    the team, and what data drift gets."""
    targets = {d["target_resource_id"] for d in s.of("azurerm_monitor_diagnostic_setting")}
    for kind, names in s.locals.items():
        if kind in arm.DIAGNOSTICS:
            for local in names:
                assert f"${{{kind}.{local}.id}}" in targets, (kind, local)
    budget = s.profile.constraints.monthly_budget_usd
    budgets = s.of("azurerm_consumption_budget_resource_group")
    assert [b["amount"] for b in budgets] == ([budget] if budget and budget >= 1 else [])
    alerts = s.of("azurerm_monitor_metric_alert")
    emailed = s.profile.monitor.alert_email is not None and s.selection.service == "azure-ml"
    assert bool(alerts) == emailed
    assert ("MONITOR-DRIFT" in s.rules) == s.profile.monitor.data_drift


STEPS: dict[str, Callable[[Stack], None]] = {
    "1-define": step1_define, "2-get-data": step2_get_data, "3-prepare": step3_prepare,
    "4-train": step4_train, "5-integrate": step5_integrate, "6-monitor": step6_monitor,
}


def test_the_table_covers_every_bundled_profile_and_service():
    assert {p.stem for p in PROFILES} == set(SERVICES)
    assert set(SERVICES.values()) == {"azure-ml", "synapse", "databricks", "ai-services"}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_stack_reflects_the_step(name, step):
    STEPS[step](stack(name))
