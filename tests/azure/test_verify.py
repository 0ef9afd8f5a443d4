"""`trainstack verify`: the deployed workspace and computes read back through the real SDK
from trainstack.testing.fake_azure and compared with the selection.

fraud-private selects (tests/golden/select/fraud-private.json): Standard_E4_v3 x 0-2,
dedicated, idle scale-down after 15 min; a Standard_D4_v3 development instance that shuts
down after 60 idle minutes; public network access off; managed network allowing approved
outbound only."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from trainstack.cli.main import run
from trainstack.testing.fixture import azure  # noqa: F401 - the fixture

FRAUD = ROOT / "profiles" / "fraud-private.yaml"


def _deployed_names() -> dict[str, str]:
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings = Settings.from_env()
    [p] = plan([FRAUD], settings)
    res = p.spec(settings).view()["resource"]

    def name(kind: str) -> str:
        return next(iter(res[kind].values()))["name"]

    return {"rg": name("azurerm_resource_group"),
            "ws": name("azurerm_machine_learning_workspace"),
            "cluster": name("azurerm_machine_learning_compute_cluster"),
            "instance": name("azurerm_machine_learning_compute_instance")}


@pytest.fixture
def deployed(azure):  # noqa: F811
    """fraud-private as its stack deploys it."""
    n = _deployed_names()
    azure.add_workspace(n["rg"], n["ws"], "northeurope", properties={
        "publicNetworkAccess": "Disabled",
        "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}})
    azure.add_compute(n["rg"], n["ws"], n["cluster"], {
        "computeType": "AmlCompute", "properties": {
            "vmSize": "STANDARD_E4_V3", "vmPriority": "Dedicated",  # Azure's capitals
            "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2,
                              "nodeIdleTimeBeforeScaleDown": "PT15M"}}})
    azure.add_compute(n["rg"], n["ws"], n["instance"], {
        "computeType": "ComputeInstance", "properties": {
            "vmSize": "Standard_D4_v3", "idleTimeBeforeShutdown": "PT60M"}})
    return azure, n


def _verify(capsys) -> tuple[int, dict, str]:  # noqa: ANN001
    code = run(["verify", str(FRAUD), "--format", "json"])
    captured = capsys.readouterr()
    [report] = json.loads(captured.out)
    return code, report, captured.err


def test_a_stack_deployed_as_selected_has_no_drift(deployed, capsys):
    code, report, _ = _verify(capsys)
    assert (code, report["ok"], report["drift"]) == (0, True, [])
    assert report["checked"] == 10  # workspace 3 (state, public access, isolation), cluster 5,
    # instance 2
    fake, _ = deployed
    versions = {c.url.split("api-version=")[-1] for c in fake.calls if "/workspaces/" in c.url}
    assert versions == {"2020-08-01", "2024-10-01"}  # the SDK, and the later fields


@pytest.mark.parametrize("change, resource, field, expected, actual", [
    (lambda f, n: f.workspaces[_ws(f, n)]["properties"].update(publicNetworkAccess="Enabled"),
     "ws", "publicNetworkAccess", "Disabled", "Enabled"),
    (lambda f, n: f.workspaces[_ws(f, n)]["properties"].update(
        managedNetwork={"isolationMode": "AllowInternetOutbound"}),
     "ws", "managedNetwork.isolationMode", "AllowOnlyApprovedOutbound", "AllowInternetOutbound"),
    (lambda f, n: _props(f, n, "cluster").update(vmPriority="LowPriority"),
     "cluster", "vmPriority", "Dedicated", "LowPriority"),
    (lambda f, n: _props(f, n, "cluster")["scaleSettings"].update(maxNodeCount=8),
     "cluster", "maxNodeCount", 2, 8),
    (lambda f, n: _props(f, n, "cluster")["scaleSettings"].update(
        nodeIdleTimeBeforeScaleDown="PT2H"),
     "cluster", "idle minutes before scale-down", 15, 120),
    (lambda f, n: _props(f, n, "cluster").update(vmSize="Standard_E8_v3"),
     "cluster", "vmSize", "Standard_E4_v3", "Standard_E8_v3"),
    (lambda f, n: _props(f, n, "instance").pop("idleTimeBeforeShutdown"),
     "instance", "idle minutes before shutdown", 60, None),
])
def test_each_field_that_differs_is_reported(deployed, capsys, change, resource, field,
                                             expected, actual):
    fake, names = deployed
    change(fake, names)
    code, report, _ = _verify(capsys)
    assert code == 1 and report["ok"] is False
    assert report["drift"] == [{"resource": names[resource], "field": field,
                                "expected": expected, "actual": actual}]


def test_nothing_deployed_is_drift(azure, capsys):  # noqa: F811
    code, report, _ = _verify(capsys)
    assert code == 1
    assert report["drift"] == [{"resource": _deployed_names()["ws"], "field": "exists",
                                "expected": True, "actual": False}]


def test_a_deleted_compute_is_drift_and_the_table_says_so(deployed, capsys):
    fake, names = deployed
    del fake.computes[_key(fake, names, names["cluster"])]
    assert run(["verify", str(FRAUD)]) == 1
    err = capsys.readouterr().err
    assert "fraud-private: DRIFT in 1 of" in err
    assert f"  {names['cluster']} exists: selected True, deployed False" in err


def _ws(fake, names: dict) -> tuple[str, ...]:  # noqa: ANN001
    return (fake.subscription_id, names["rg"].lower(), names["ws"].lower())


def _key(fake, names: dict, compute: str) -> tuple[str, ...]:  # noqa: ANN001
    return (*_ws(fake, names), compute.lower())


def _props(fake, names: dict, which: str) -> dict:  # noqa: ANN001
    return fake.computes[_key(fake, names, names[which])]["properties"]["properties"]
