"""The step after a private Synapse stack applies: the workspace's managed private endpoint to
its lake, made on the workspace's data plane and approved on the lake, through the real
azure-core pipeline and azure-identity credential against trainstack.testing.fake_azure.
Facts and sources: src/trainstack/azure/synapse_lake.py."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT
from trainstack.azure import connect
from trainstack.azure.synapse_lake import MPE_NAME, Lake, connect_lake, lake_of
from trainstack.testing.fixture import azure  # noqa: F401 - the fixture

GOLDEN = ROOT / "tests" / "golden" / "stacks"
LAKE = Lake("synw-claims-synapse-test-e84afb", "rg-claims-synapse-test-swedencentral",
            "stdlclaimssynapsete84afb")


def _stack(name: str) -> dict:
    return json.loads((GOLDEN / name / "cdk.tf.json").read_text())


def test_only_a_private_synapse_stack_has_a_lake_to_connect():
    assert lake_of(_stack("claims-synapse")) == LAKE  # managed network, public access off
    assert lake_of(_stack("call-audio")) is None  # a public pool Azure ML attaches
    assert lake_of(_stack("churn")) is None


def _connect(fake):  # noqa: ANN001, ANN202
    return connect.connect(None)


def test_the_endpoint_is_made_then_its_pending_connection_approved(azure):  # noqa: F811
    azure.operation_polls = 2
    slept = []
    done = connect_lake(_connect(azure), LAKE, sleep=slept.append)
    assert done[0] == f"managed private endpoint {MPE_NAME} to {LAKE.account} (dfs): provisioned"
    assert done[1].startswith(f"connection {LAKE.account}.") and done[1].endswith(": approved")
    assert len(slept) == 2  # polled while it was provisioning
    endpoint = azure.managed_endpoints[(LAKE.workspace, MPE_NAME)]["properties"]
    assert endpoint["privateLinkResourceId"] == LAKE.account_id(azure.subscription_id)
    assert endpoint["groupId"] == "dfs"
    [conn] = azure.storage_connections[(azure.subscription_id, LAKE.resource_group.lower(),
                                        LAKE.account)]
    state = conn["properties"]["privateLinkServiceConnectionState"]
    assert state["status"] == "Approved" and LAKE.workspace in state["description"]
    # the data plane got a token, and the approval went through Resource Manager
    assert any(c.url.startswith(f"https://{LAKE.workspace}.dev.azuresynapse.net/")
               for c in azure.calls)


def test_running_it_again_changes_nothing(azure):  # noqa: F811
    az = _connect(azure)
    connect_lake(az, LAKE, sleep=lambda s: None)
    again = connect_lake(az, LAKE, sleep=lambda s: None)
    assert again[1].endswith(": already approved")
    assert len(azure.storage_connections[(azure.subscription_id,
                                          LAKE.resource_group.lower(), LAKE.account)]) == 1


def test_only_the_connection_from_this_endpoint_is_approved(azure):  # noqa: F811
    key = (azure.subscription_id, LAKE.resource_group.lower(), LAKE.account)
    azure.storage_connections[key] = [{"name": "someone-else", "properties": {
        "privateEndpoint": {"id": "/subscriptions/x/resourceGroups/y/providers/"
                                  "Microsoft.Network/privateEndpoints/pe-other"},
        "privateLinkServiceConnectionState": {"status": "Pending"}}}]
    connect_lake(_connect(azure), LAKE, sleep=lambda s: None)
    states = {c["name"]: c["properties"]["privateLinkServiceConnectionState"]["status"]
              for c in azure.storage_connections[key]}
    assert states["someone-else"] == "Pending"
    assert sorted(states.values()) == ["Approved", "Pending"]


def test_a_workspace_the_runner_cannot_reach_is_an_error(azure):  # noqa: F811
    azure.fail_next("GET", r"/managedVirtualNetworks/", status=403, code="Forbidden",
                    message="public network access is disabled")
    with pytest.raises(connect.AzureError, match="HTTP 403"):
        connect_lake(_connect(azure), LAKE, sleep=lambda s: None)


def test_deploy_runs_it_after_the_apply_and_reports_a_failure(azure, tmp_path,  # noqa: F811
                                                             monkeypatch):
    from trainstack.azure import synapse_lake
    from trainstack.cli.provision_cmd import _after_apply

    monkeypatch.setattr(synapse_lake, "POLL_SECONDS", 0.0)
    from trainstack.provision.commands import Result
    from trainstack.provision.layout import StackPaths
    from trainstack.provision.plans import Origin
    from trainstack.provision.runner import Target

    paths = StackPaths("claims-synapse", "test", tmp_path / "cdktf.out")
    paths.stack_dir.mkdir(parents=True)
    shutil.copy(GOLDEN / "claims-synapse" / "cdk.tf.json", paths.stack_file)
    result = Result(Target(paths, Origin("p.yaml", "a", "b", "test")), "applied")
    _after_apply([result])
    assert result.status == "applied" and result.after_apply[1].endswith(": approved")
    azure.fail_next("GET", r"/managedVirtualNetworks/", status=403, code="Forbidden")
    failed = Result(Target(paths, Origin("p.yaml", "a", "b", "test")), "applied")
    azure.managed_endpoints.clear()
    _after_apply([failed])
    assert failed.status == "failed"
    assert failed.error[0].startswith("applied, but the Synapse workspace cannot reach its lake")
    assert "docs/guide.md, Synapse stacks" in failed.error[1]
