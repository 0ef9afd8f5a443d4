"""Step 6: the metric alerts a stack sets up, as data: the selector prices them (one rule
each, select/cost.py) and the stack creates them (constructs/aml.py, constructs/endpoints.py).

Metrics of Microsoft.MachineLearningServices/workspaces (Learn, "Supported metrics for
Microsoft.MachineLearningServices/workspaces"; the Azure Monitor Baseline Alerts enable these
for ML workspaces). Azure has no "allocation failed" metric: a cluster short of quota shows as
quota near 100%, a node Azure cannot use as an unusable node.
"""

from __future__ import annotations

from typing import NamedTuple

WORKSPACE = "Microsoft.MachineLearningServices/workspaces"


class Alert(NamedTuple):
    local: str  # the alert's local name in the stack
    suffix: str  # the end of its Azure name
    what: str  # its description: what happened
    metric: str
    aggregation: str
    operator: str
    threshold: float
    # only the series of one dimension's value, e.g. ("statusCodeClass", "5xx")
    dimension: tuple[str, str] | None = None


WORKSPACE_ALERTS = (
    Alert("failed_runs", "failed-runs", "A training run failed in the Azure ML workspace",
          "Failed Runs", "Total", "GreaterThan", 0),
    Alert("quota", "quota", ("A cluster uses 90% or more of its VM family's quota: new nodes "
                             "may not be allocated"),
          "Quota Utilization Percentage", "Maximum", "GreaterThanOrEqual", 90),
    Alert("unusable_nodes", "unusable-nodes", "A cluster node is unusable (Azure recycles it)",
          "Unusable Nodes", "Maximum", "GreaterThan", 0),
)
PREEMPTED = Alert("preempted_nodes", "preempted-nodes",
                  "Low-priority nodes were preempted: runs restart or wait", "Preempted Nodes",
                  "Maximum", "GreaterThan", 0)


def workspace_alerts(low_priority: bool) -> tuple[Alert, ...]:
    """The Azure ML workspace's alerts: preempted nodes only where nodes are low-priority."""
    return WORKSPACE_ALERTS + ((PREEMPTED,) if low_priority else ())


# Managed online endpoints (Learn, "Supported metrics for
# Microsoft.MachineLearningServices/workspaces/onlineEndpoints": RequestLatency_P99 in
# milliseconds, RequestsPerMinute with the statusCodeClass dimension).
ONLINE_ENDPOINT = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
LATENCY_MS = 1000  # a second at the 99th percentile: slow for an online model
ENDPOINT_ALERTS = (
    Alert("endpoint_errors", "endpoint-errors",
          "The online endpoint answered with server errors (5xx)",
          "RequestsPerMinute", "Average", "GreaterThan", 0, ("statusCodeClass", "5xx")),
    Alert("endpoint_latency", "endpoint-latency",
          f"The online endpoint's 99th-percentile latency is over {LATENCY_MS} ms",
          "RequestLatency_P99", "Average", "GreaterThan", LATENCY_MS),
)