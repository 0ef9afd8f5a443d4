"""`trainstack plan`, `deploy`, `status`, `plan` again and `destroy` of a bundled profile, for
real: the installed command, the real terraform, the real azurerm provider, against the local
stand-in for Azure Resource Manager in ../shared/terraform (emulator.sh; its README says what
it proves and what it cannot). Slow (the provider's own fixed waits: minutes), so marked.

The mirror there holds azurerm 5.2.0; the stacks pin ~> 5.10.0, so the run sets
TRAINSTACK_AZURERM_VERSION, the setting a user with such a mirror sets (docs/guide.md).
vision-defects uses only azurerm resources, which the stand-in serves. Its training data is
given as an existing container (data.location), in an account the test first puts into the
stand-in: the provider reads that account when it registers the datastore.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

SHARED_TF = ROOT.parent / "shared" / "terraform"
EXE = shutil.which("trainstack", path=str(Path(sys.executable).parent)) or "trainstack"
BUNDLED = ROOT / "profiles" / "vision-defects.yaml"
DATA_ACCOUNT = ("/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-data/"
                "providers/Microsoft.Storage/storageAccounts/stvisiondata01")

pytestmark = [
    pytest.mark.slow, pytest.mark.node,
    pytest.mark.skipif(not (SHARED_TF / "emulator.sh").exists() or shutil.which("terraform") is None,
                       reason="needs ../shared/terraform (azurerm provider and emulator) and "
                              "terraform"),
]


@pytest.fixture
def azure(tmp_path):
    """The stand-in running; the environment that points terraform at it."""
    config = subprocess.run([str(SHARED_TF / "setup.sh")], capture_output=True, text=True,
                            check=True, timeout=300).stdout.strip()
    emulator = tmp_path / "emulator"
    subprocess.run([str(SHARED_TF / "emulator.sh"), "start", str(emulator)], check=True,
                   capture_output=True, timeout=120)
    exports = dict(re.findall(r"(\w+)=(\S+)", "\n".join(
        line.removeprefix("export ") for line in
        (emulator / "env.sh").read_text().splitlines())))
    try:
        yield {**os.environ, **exports, "TF_CLI_CONFIG_FILE": config,
               "TRAINSTACK_AZURERM_VERSION": "= 5.2.0", "TRAINSTACK_DEBUG": "",
               "XDG_CACHE_HOME": str(tmp_path / "cache")}
    finally:
        subprocess.run([str(SHARED_TF / "emulator.sh"), "stop", str(emulator)], check=False,
                       timeout=60)


def _with_existing_data(tmp_path: Path, env: dict) -> Path:
    """The bundled profile with its data in an existing container, and that account in the
    stand-in (as it would be in Azure); without its batch endpoint, an azapi resource: the
    stand-in serves azurerm's requests, and no azapi provider can be downloaded here."""
    import ssl
    import urllib.request

    port = env["ARM_METADATA_HOSTNAME"].rsplit(":", 1)[1]
    request = urllib.request.Request(
        f"https://127.0.0.1:{port}{DATA_ACCOUNT}?api-version=2023-05-01", method="PUT",
        data=json.dumps({"location": "eastus2", "kind": "StorageV2",
                         "sku": {"name": "Standard_LRS"}, "properties": {}}).encode(),
        headers={"Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=env["SSL_CERT_FILE"])
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        assert answer.status == 200
    profile = tmp_path / "vision-defects.yaml"
    text = BUNDLED.read_text()
    assert "deploy:\n  endpoint: batch\n" in text
    profile.write_text(text.replace("data:\n", (
        f"data:\n  location:\n    storage_account_id: {DATA_ACCOUNT}\n"
        "    container: images\n"), 1).replace("  endpoint: batch\n", "  endpoint: none\n"))
    return profile


def test_plan_deploy_status_replan_destroy_of_a_bundled_profile(azure, tmp_path):
    PROFILE = _with_existing_data(tmp_path, azure)

    def trainstack(*args: str) -> tuple[subprocess.CompletedProcess, float]:
        start = time.monotonic()
        done = subprocess.run([EXE, *args], capture_output=True, text=True, cwd=tmp_path, check=False,
                              env=azure, timeout=900)
        return done, time.monotonic() - start

    # the stand-in serves Azure Resource Manager for terraform, not the Azure ML APIs the
    # preflight checks ask (tests/azure test those against trainstack.testing.fake_azure)
    planned, t_plan = trainstack("plan", str(PROFILE), "--format", "json", "--no-preflight")
    assert planned.returncode == 0, planned.stderr
    [plan] = json.loads(planned.stdout)
    assert plan["status"] == "planned" and plan["plan"]["add"] == 19  # budget, data, diagnostics

    deployed, t_deploy = trainstack("deploy", str(PROFILE), "--saved", "--auto-approve",
                                    "--no-preflight")
    assert deployed.returncode == 0, deployed.stderr
    assert "azurerm_machine_learning_workspace.workspace: created in" in deployed.stderr
    assert "applied: vision-defects" in deployed.stderr

    status, t_status = trainstack("status", str(PROFILE), "--format", "json")
    assert status.returncode == 0, status.stderr
    [row] = json.loads(status.stdout)
    assert row["deployed"] and len(row["resources"]) == 19 and row["last_applied"]
    assert row["outputs"]["training_cluster_name"] == "train-gpu"
    assert row["urls"]["azure_ml_studio"] == (
        "https://ml.azure.com/?wsid=" + row["outputs"]["workspace_id"])
    assert not row["profile_changed"] and not row["stack_changed"]

    again, t_replan = trainstack("plan", str(PROFILE), "--detailed-exitcode", "--no-preflight")
    assert again.returncode == 0, again.stderr  # 4 would mean the deployed stack drifts
    assert "vision-defects (test): no changes" in again.stderr

    gone, t_destroy = trainstack("destroy", str(PROFILE), "--auto-approve")
    assert gone.returncode == 0, gone.stderr
    assert "destroyed: vision-defects" in gone.stderr
    assert "Azure ML workspace mlw-vision-defects-test: purged" in gone.stderr
    after, _ = trainstack("status", str(PROFILE), "--format", "json")
    assert json.loads(after.stdout)[0]["deployed"] is False
    print(f"\ntimings (s): plan {t_plan:.1f}, deploy {t_deploy:.1f}, status {t_status:.1f}, "
          f"re-plan {t_replan:.1f}, destroy {t_destroy:.1f}")
