"""Step 5, integrate: the online or batch endpoint of deploy.endpoint (issue 12).

The ARM types and values are written out here as azure-rest-api-specs
(machinelearningservices stable/2024-10-01, mfe.json) and Learn name them:
authMode AADToken is the key-less Entra mode, publicNetworkAccess Enabled/Disabled, and the
metrics of Microsoft.MachineLearningServices/workspaces/onlineEndpoints."""

from __future__ import annotations

import pytest
from conftest import MINIMAL
from test_stacks import by_type, schema_clean, spec_for

ONLINE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2024-10-01"
BATCH = "Microsoft.MachineLearningServices/workspaces/batchEndpoints@2024-10-01"
WORKSPACE = "${azurerm_machine_learning_workspace.workspace.id}"
EMAIL = "monitor:\n  alert_email: team@example.com\n"


def _stack(extra: str):
    selection, spec = spec_for(MINIMAL + extra)
    schema_clean(spec)
    return selection, spec, by_type(spec)


@pytest.mark.parametrize("private", [False, True])
def test_an_online_endpoint_is_key_less_and_closed_with_a_private_profile(private):
    extra = "deploy:\n  endpoint: online\n" + (
        "constraints:\n  network: private\n" if private else "")
    selection, spec, types = _stack(extra)
    [endpoint] = types["azapi_resource"]
    assert endpoint["type"] == ONLINE and endpoint["parent_id"] == WORKSPACE
    assert endpoint["location"] == selection.region
    assert endpoint["identity"] == [{"type": "SystemAssigned"}]
    assert endpoint["body"]["kind"] == "Managed"
    props = endpoint["body"]["properties"]
    assert props["authMode"] == "AADToken"
    assert props["publicNetworkAccess"] == ("Disabled" if private else "Enabled")
    assert "azapi" in {p.name for p in spec.providers}
    # its logs go to the stack's Log Analytics workspace, by category group
    [diag] = [d for d in types["azurerm_monitor_diagnostic_setting"]
              if d["target_resource_id"] == "${azapi_resource.online_endpoint.id}"]
    assert diag["enabled_log"] == [{"category_group": "allLogs"}]
    assert "online_endpoint_name" in spec.outputs


def test_an_online_endpoint_alerts_on_server_errors_and_latency():
    _, _, types = _stack("deploy:\n  endpoint: online\n" + EMAIL)
    mine = [a for a in types["azurerm_monitor_metric_alert"]
            if a["scopes"] == ["${azapi_resource.online_endpoint.id}"]]
    criteria = {c["metric_name"]: c for a in mine for c in a["criteria"]}
    assert set(criteria) == {"RequestsPerMinute", "RequestLatency_P99"}
    for c in criteria.values():
        assert c["metric_namespace"] == \
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
    assert criteria["RequestsPerMinute"]["dimension"] == [
        {"name": "statusCodeClass", "operator": "Include", "values": ["5xx"]}]
    assert (criteria["RequestLatency_P99"]["operator"],
            criteria["RequestLatency_P99"]["threshold"]) == ("GreaterThan", 1000)
    assert "dimension" not in criteria["RequestLatency_P99"]


def test_no_email_no_endpoint_alerts():
    _, _, types = _stack("deploy:\n  endpoint: online\n")
    assert "azurerm_monitor_metric_alert" not in types


def test_a_batch_endpoint_scores_on_its_own_cluster_with_the_data_role():
    selection, spec, types = _stack("deploy:\n  endpoint: batch\n")
    scoring = selection.role("inference")
    [endpoint] = types["azapi_resource"]
    assert endpoint["type"] == BATCH and endpoint["parent_id"] == WORKSPACE
    assert endpoint["body"]["properties"]["authMode"] == "AADToken"
    assert "identity" not in endpoint
    clusters = {c["name"]: c for c in types["azurerm_machine_learning_compute_cluster"]}
    cluster = clusters[f"score-{scoring.accelerator}"]
    assert cluster["vm_size"] == scoring.vm_size
    assert cluster["scale_settings"] == {"min_node_count": 0, "max_node_count": scoring.max_nodes,
                                         "scale_down_nodes_after_idle_duration": "PT10M"}
    assert cluster["vm_priority"] == ("LowPriority" if scoring.priority == "low-priority"
                                      else "Dedicated")
    roles = [r for r in types["azurerm_role_assignment"] if r["principal_id"] ==
             "${azurerm_machine_learning_compute_cluster.scoring.identity[0].principal_id}"]
    assert [(r["scope"], r["role_definition_name"]) for r in roles] == [
        ("${azurerm_storage_account.storage.id}", "Storage Blob Data Contributor")]
    assert {"batch_endpoint_name", "scoring_cluster_name"} <= set(spec.outputs)


def test_a_workspace_without_an_endpoint_has_no_azapi_resource():
    _, _, types = _stack("deploy:\n  endpoint: none\n")
    assert "azapi_resource" not in types


@pytest.mark.parametrize("extra,priority,public_ip", [
    ("", "LowPriority", True),
    ("constraints:\n  allow_low_priority: false\n", "Dedicated", True),
    ("constraints:\n  network: private\n", "LowPriority", False),
])
def test_the_scoring_cluster_takes_the_selections_priority_and_the_networks_ips(
        extra, priority, public_ip):
    _, _, types = _stack("deploy:\n  endpoint: batch\n" + extra)
    [scoring] = [c for c in types["azurerm_machine_learning_compute_cluster"]
                 if c["name"].startswith("score-")]
    assert scoring["vm_priority"] == priority
    assert scoring["node_public_ip_enabled"] is public_ip
