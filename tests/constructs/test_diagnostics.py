"""Step 6: every resource that sends logs or metrics has a diagnostic setting to the stack's
Log Analytics workspace, with a category group or categories and a metric category its type
takes. The oracle is written out here from Learn (the per-type supported-logs and
supported-metrics references, and "Diagnostic settings policies", which lists the types
that take allLogs), not read from trainstack/arm.py."""

from __future__ import annotations

import pytest
from conftest import MINIMAL
from test_stacks import DATABRICKS, SYNAPSE, by_type, schema_clean, spec_for, variant

LEARN = {  # type: (logs, metric category); "allLogs" is the category group
    "azurerm_machine_learning_workspace": ("allLogs", "AllMetrics"),
    "azurerm_key_vault": ("allLogs", "AllMetrics"),
    "azurerm_container_registry": ("allLogs", "AllMetrics"),
    "azurerm_log_analytics_workspace": ("allLogs", "AllMetrics"),
    "azurerm_storage_account": (None, "Transaction"),  # no account logs; AllMetrics refused
    "azurerm_synapse_workspace": ("allLogs", None),  # no exportable metric
    "azurerm_synapse_spark_pool": ("allLogs", None),
    "azurerm_databricks_workspace": ("allLogs", None),  # no metrics at all
    "azurerm_cognitive_account": ("allLogs", "AllMetrics"),
    "azurerm_network_security_group": ("allLogs", None),
    "azurerm_virtual_network": ("allLogs", "AllMetrics"),
    "azurerm_public_ip": ("allLogs", "AllMetrics"),
    "azurerm_nat_gateway": (None, "AllMetrics"),
}
BLOB = (("StorageRead", "StorageWrite", "StorageDelete"), "Transaction")
AI = "deploy:\n  requests_per_month: 1000\n"


def _settings(spec) -> dict[str, dict]:
    return {s["target_resource_id"]: s
            for s in by_type(spec).get("azurerm_monitor_diagnostic_setting", [])}


def _sent(setting: dict) -> tuple:
    logs = setting.get("enabled_log")
    groups = [log["category_group"] for log in logs or () if "category_group" in log]
    categories = tuple(log["category"] for log in logs or () if "category" in log)
    metric = [m["category"] for m in setting.get("enabled_metric") or ()]
    return (groups[0] if groups else categories or None), (metric[0] if metric else None)


@pytest.mark.parametrize("text", [
    MINIMAL, variant("", private=True), variant(SYNAPSE), variant(SYNAPSE, private=True),
    variant(DATABRICKS), variant(DATABRICKS, private=True),
    MINIMAL.replace("task: classification", "task: translation\n  prebuilt_ok: true") + AI,
], ids=["aml", "aml-private", "synapse", "synapse-private", "databricks",
        "databricks-private", "ai"])
def test_every_resource_that_sends_logs_or_metrics_has_its_setting(text):
    _, spec = spec_for(text)
    schema_clean(spec)
    settings = _settings(spec)
    logs = "${azurerm_log_analytics_workspace.logs.id}"
    assert all(s["log_analytics_workspace_id"] == logs for s in settings.values())
    expected = {}
    for e in spec.elements:
        if e.is_data or e.terraform_type not in LEARN:
            continue
        expected[e.ref()] = LEARN[e.terraform_type]
        if e.terraform_type == "azurerm_storage_account":
            expected[f"{e.ref()}/blobServices/default"] = BLOB
    assert {target: _sent(s) for target, s in settings.items()} == expected
    assert len({s["name"] for s in settings.values()}) == len(settings)
    # its destination cannot be the workspace it is based on (Learn, diagnostic settings)
    assert not any("application_insights" in target for target in settings)
