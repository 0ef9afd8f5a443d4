"""After a deploy: the Azure ML workspace and its computes read back and compared with the
selection, field by field.

Through the SDK (REST 2020-08-01): the workspace, and each compute's size, priority, node
counts and idle scale-down. Fields 2020-08-01 does not have are read with the same client's
pipeline at 2024-10-01 (the version of the REST examples in azure-rest-api-specs):
the workspace's ``publicNetworkAccess`` and ``managedNetwork.isolationMode``, and a compute
instance's ``idleTimeBeforeShutdown``. The expected values come from the selection (sizes,
nodes, priority, idle minutes) and from the synthesized stack (names, network settings).
Azure may spell a size in capitals (``STANDARD_NC6`` in the examples): sizes compare
without case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from trainstack.azure.connect import Azure
from trainstack.select import Selection

LATER = "2024-10-01"


@dataclass(frozen=True)
class Drift:
    """One field that differs."""

    resource: str
    field: str
    expected: object
    actual: object

    def to_json(self) -> dict:
        """``{"resource", "field", "expected", "actual"}``."""
        return {"resource": self.resource, "field": self.field, "expected": self.expected,
                "actual": self.actual}


@dataclass
class Report:
    """What was compared for one profile, and what differs."""

    profile: str
    checked: int = 0
    drift: list[Drift] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        """Nothing differs."""
        return not self.drift

    def compare(self, resource: str, name: str, expected: object, actual: object) -> None:
        """Count one field, and record it when it differs."""
        self.checked += 1
        same = str(expected).lower() == str(actual).lower() \
            if isinstance(expected, str) and isinstance(actual, str) else expected == actual
        if not same:
            self.drift.append(Drift(resource, name, expected, actual))

    def to_json(self) -> dict:
        """The verify JSON object of one profile."""
        return {"profile": self.profile, "ok": self.ok, "checked": self.checked,
                "drift": [d.to_json() for d in self.drift], "note": self.note or None}


def minutes(value: object) -> int | None:
    """Whole minutes of a timedelta or an ISO 8601 duration (PT15M, PT1H30M)."""
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    if isinstance(value, str):
        m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", value)
        if m:
            return int(m[1] or 0) * 60 + int(m[2] or 0)
    return None


def _one(stack: dict, kind: str) -> dict | None:
    found = list(((stack.get("resource") or {}).get(kind) or {}).values())
    return found[0] if found else None


def run(az: Azure, profile: str, selection: Selection, stack: dict) -> Report:
    """Compare what is deployed with the selection (see the module docstring)."""
    report = Report(profile)
    workspace = _one(stack, "azurerm_machine_learning_workspace")
    group = _one(stack, "azurerm_resource_group")
    if workspace is None or group is None:
        report.note = f"{selection.service}: only Azure ML workspaces are verified"
        return report
    rg, ws = str(group["name"]), str(workspace["name"])
    raw = az.call("GET", _ws_path(az, rg, ws), LATER, missing_ok=True)
    if raw is None:
        report.compare(ws, "exists", True, False)
        return report
    sdk_ws = az.guard(lambda: az.client.workspaces.get(rg, ws))
    report.compare(ws, "provisioningState", "Succeeded", sdk_ws.provisioning_state)
    props = raw.get("properties") or {}
    public = workspace.get("public_network_access_enabled", True) is not False
    report.compare(ws, "publicNetworkAccess", "Enabled" if public else "Disabled",
                   props.get("publicNetworkAccess", "Enabled"))
    isolation = (workspace.get("managed_network") or {}).get("isolation_mode", "Disabled")
    report.compare(ws, "managedNetwork.isolationMode", isolation,
                   (props.get("managedNetwork") or {}).get("isolationMode", "Disabled"))
    _clusters(az, report, rg, ws, selection, stack)
    _instance(az, report, rg, ws, selection, stack)
    return report


def _ws_path(az: Azure, rg: str, ws: str) -> str:
    return (f"/subscriptions/{az.subscription}/resourceGroups/{rg}/providers/"
            f"Microsoft.MachineLearningServices/workspaces/{ws}")


def _compute(az: Azure, rg: str, ws: str, name: str):
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return az.client.machine_learning_compute.get(rg, ws, name)
    except ResourceNotFoundError:
        return None


def _read(az: Azure, report: Report, rg: str, ws: str, stack: dict, kind: str, want: object):
    """The stack's compute of ``kind`` as Azure has it: (name, SDK model); None when the
    stack or selection has none, or when it is missing (then recorded as drift)."""
    compute = _one(stack, kind)
    if compute is None or want is None:
        return None
    name = str(compute["name"])
    found = az.guard(lambda: _compute(az, rg, ws, name))
    if found is None:
        report.compare(name, "exists", True, False)
        return None
    return name, found.properties.properties


def _clusters(az: Azure, report: Report, rg: str, ws: str, selection: Selection,
              stack: dict) -> None:
    want = selection.training()
    read = _read(az, report, rg, ws, stack, "azurerm_machine_learning_compute_cluster", want)
    if read is None:
        return
    name, p = read
    scale = p.scale_settings
    report.compare(name, "vmSize", want.size, p.vm_size)
    report.compare(name, "vmPriority",
                   "LowPriority" if want.priority == "low-priority" else "Dedicated", p.vm_priority)
    report.compare(name, "minNodeCount", want.min_nodes, scale.min_node_count)
    report.compare(name, "maxNodeCount", want.max_nodes, scale.max_node_count)
    report.compare(name, "idle minutes before scale-down", want.idle_minutes,
                   minutes(scale.node_idle_time_before_scale_down))


def _instance(az: Azure, report: Report, rg: str, ws: str, selection: Selection,
              stack: dict) -> None:
    want = selection.development()
    read = _read(az, report, rg, ws, stack, "azurerm_machine_learning_compute_instance", want)
    if read is None:
        return
    name, p = read
    report.compare(name, "vmSize", want.size, p.vm_size)
    raw = az.call("GET", f"{_ws_path(az, rg, ws)}/computes/{name}", LATER) or {}
    idle = ((raw.get("properties") or {}).get("properties") or {}).get("idleTimeBeforeShutdown")
    report.compare(name, "idle minutes before shutdown", want.idle_minutes, minutes(idle))
