"""`trainstack state bootstrap`: the state storage stack it synthesizes, the checks on its
names, and (with ../shared/terraform) a real validate, plan, and - slow - apply of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from trainstack.cli.main import run
from trainstack.provider_schema import check_stack

SHARED_TF = ROOT.parent / "shared" / "terraform"
pytestmark = [pytest.mark.node,
              pytest.mark.skipif(shutil.which("terraform") is None,
                                 reason="terraform is not installed")]
NAME = "state-sttfstatetests"
ARGS = ["state", "bootstrap", "--region", "westeurope", "--resource-group", "rg-tfstate",
        "--storage-account", "sttfstatetests"]


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """A project folder where no provider can be downloaded (a mirror refusing connections)."""
    config = tmp_path / "offline.tfrc"
    config.write_text('provider_installation {\n  network_mirror {\n'
                      '    url = "https://127.0.0.1:9/"\n  }\n}\n')
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _stack(project: Path) -> dict:
    path = project / ".trainstack" / "bootstrap" / "stacks" / NAME / "cdk.tf.json"
    return json.loads(path.read_text())


def test_the_state_stack_is_entra_only_versioned_locked_and_grants_the_deployer(
        offline, capsys):
    assert run(ARGS) == 2  # synthesized, then terraform cannot download azurerm here
    assert "could not download the stack's providers" in capsys.readouterr().err
    doc = _stack(offline)
    assert check_stack(doc) == []  # every argument exists in azurerm 5.10.0's schema
    res = doc["resource"]
    account = res["azurerm_storage_account"]["state"]
    assert account["name"] == "sttfstatetests"
    assert account["shared_access_key_enabled"] is False
    assert account["account_replication_type"] == "GRS"
    blob = account["blob_properties"]
    assert blob["versioning_enabled"] is True
    assert blob["delete_retention_policy"] == {"days": 30}
    assert blob["container_delete_retention_policy"] == {"days": 30}
    container = {k: v for k, v in res["azurerm_storage_container"]["state"].items() if k != "//"}
    assert container == {"name": "tfstate", "container_access_type": "private",
                         "storage_account_id": "${azurerm_storage_account.state.id}"}
    role = res["azurerm_role_assignment"]["deployer_state"]
    assert role["scope"] == "${azurerm_storage_container.state.id}"
    assert role["role_definition_name"] == "Storage Blob Data Contributor"
    assert role["principal_id"] == "${data.azurerm_client_config.current.object_id}"
    assert "principal_type" not in role  # a person or a pipeline: Azure looks it up
    lock = res["azurerm_management_lock"]["state"]
    assert (lock["scope"], lock["lock_level"]) == ("${azurerm_storage_account.state.id}",
                                                    "CanNotDelete")
    provider = doc["provider"]["azurerm"][0]
    assert provider["storage_use_azuread"] is True
    assert provider["resource_providers_to_register"] == ["Microsoft.Storage"]
    # its own state is local, under .trainstack/state/bootstrap/, outside its output
    stack_dir = offline / ".trainstack" / "bootstrap" / "stacks" / NAME
    path = doc["terraform"]["backend"]["local"]["path"]
    assert (stack_dir / path).resolve() == \
        (offline / ".trainstack" / "state" / "bootstrap" / f"{NAME}.tfstate").resolve()


@pytest.mark.parametrize("bad, message", [
    (["--storage-account", "Not_Valid"], "storage_account_name"),
    (["--container", "a--b"], "cannot contain '--'"),
    (["--region", "mars"], "--region: must be an Azure region name"),
])
def test_bad_names_are_bad_input_before_anything_runs(offline, capsys, bad, message):
    assert run([*ARGS, *bad]) == 2
    assert message in capsys.readouterr().err
    assert not (offline / ".trainstack" / "logs").exists()


def _shared_env() -> dict[str, str]:
    config = subprocess.run([str(SHARED_TF / "setup.sh")], capture_output=True, text=True,
                            check=True, timeout=300).stdout.strip()
    return {**os.environ, "TF_CLI_CONFIG_FILE": config, "CHECKPOINT_DISABLE": "1"}


@pytest.mark.skipif(not (SHARED_TF / "setup.sh").exists(), reason="needs ../shared/terraform")
def test_the_real_provider_validates_and_plans_the_state_stack(offline):
    run(ARGS)
    stack_dir = offline / ".trainstack" / "bootstrap" / "stacks" / NAME
    for script in ("validate-stack.sh", "plan-stack.sh"):
        done = subprocess.run([str(SHARED_TF / script), str(stack_dir)], capture_output=True,
                              text=True, env=_shared_env(), timeout=600, check=False)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_TF / "emulator.sh").exists(), reason="needs ../shared/terraform")
def test_bootstrap_applies_for_real_and_prints_the_settings(tmp_path):
    import re
    import sys

    emulator = tmp_path / "emulator"
    subprocess.run([str(SHARED_TF / "emulator.sh"), "start", str(emulator)], check=True,
                   capture_output=True, timeout=120)
    exports = dict(re.findall(r"(\w+)=(\S+)", (emulator / "env.sh").read_text()))
    exe = shutil.which("trainstack", path=str(Path(sys.executable).parent)) or "trainstack"
    try:
        done = subprocess.run([exe, *ARGS, "--auto-approve"], capture_output=True, text=True,
                              cwd=tmp_path, timeout=900, check=False,
                              env={**_shared_env(), **exports,
                                   "TRAINSTACK_AZURERM_VERSION": "= 5.2.0",
                                   "XDG_CACHE_HOME": str(tmp_path / "cache")})
    finally:
        subprocess.run([str(SHARED_TF / "emulator.sh"), "stop", str(emulator)], check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == ("export TRAINSTACK_STATE_BACKEND=azurerm\n"
                           "export TRAINSTACK_STATE_RESOURCE_GROUP=rg-tfstate\n"
                           "export TRAINSTACK_STATE_STORAGE_ACCOUNT=sttfstatetests\n"
                           "export TRAINSTACK_STATE_CONTAINER=tfstate\n")
    assert "azurerm_management_lock.state: created in" in done.stderr
    assert (tmp_path / ".trainstack/state/bootstrap" / f"{NAME}.tfstate").is_file()
