"""Step 6, Azure ML: the alerts a team with an address gets, on metrics Azure defines for
ML workspaces (names and aggregations as Learn lists them in "Supported metrics for
Microsoft.MachineLearningServices/workspaces", written out here, not read from the code)."""

from __future__ import annotations

import pytest
from conftest import MINIMAL
from test_stacks import by_type, schema_clean, spec_for

EMAIL = "monitor:\n  alert_email: team@example.com\n"
BASE = {("Failed Runs", "Total", "GreaterThan", 0),
        ("Quota Utilization Percentage", "Maximum", "GreaterThanOrEqual", 90),
        ("Unusable Nodes", "Maximum", "GreaterThan", 0)}
PREEMPTED = ("Preempted Nodes", "Maximum", "GreaterThan", 0)


def _alerts(extra: str) -> tuple[object, list[dict]]:
    selection, spec = spec_for(MINIMAL + extra)
    schema_clean(spec)
    return selection, by_type(spec).get("azurerm_monitor_metric_alert", [])


@pytest.mark.parametrize("extra, low_priority", [
    (EMAIL, True),
    (EMAIL + "constraints:\n  allow_low_priority: false\n", False),
])
def test_failures_quota_and_unusable_nodes_and_preemption_when_low_priority(extra, low_priority):
    selection, alerts = _alerts(extra)
    assert (selection.training().priority == "low-priority") is low_priority
    criteria = {(a["criteria"][0]["metric_name"], a["criteria"][0]["aggregation"],
                 a["criteria"][0]["operator"], a["criteria"][0]["threshold"]) for a in alerts}
    assert criteria == BASE | ({PREEMPTED} if low_priority else set())
    for alert in alerts:
        assert alert["scopes"] == ["${azurerm_machine_learning_workspace.workspace.id}"]
        assert alert["criteria"][0]["metric_namespace"] == \
            "Microsoft.MachineLearningServices/workspaces"
        assert alert["action"] == [
            {"action_group_id": "${azurerm_monitor_action_group.alerts.id}"}]
    assert len({a["name"] for a in alerts}) == len(alerts)


def test_no_address_no_alerts():
    assert _alerts("")[1] == []
