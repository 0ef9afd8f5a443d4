"""Terraform state is never lost to synth, and dev and prod never share one (issue 9, class 11).

The loss this pins: state kept next to the stack's JSON (``terraform.<stack>.tfstate``, the
old default) was one ``rm -rf cdktf.out`` - or a synth that no longer lists the stack - away
from gone. Real terraform writes the state here (a built-in ``terraform_data`` resource in
place of the stack's Azure resources, so no provider is needed) through the stack's own
backend block.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from trainstack.synth import synth

TERRAFORM = shutil.which("terraform")
CHURN = ROOT / "profiles" / "churn.yaml"


def _apply_in(folder: Path) -> None:
    """terraform init + apply of the stack in ``folder``, its resources replaced by one
    terraform_data (offline: no provider), through the backend synth wrote."""
    stack = json.loads((folder / "cdk.tf.json").read_text())
    (folder / "cdk.tf.json").unlink()  # a stand-in for what terraform would have created
    (folder / "main.tf.json").write_text(json.dumps({
        "terraform": {"backend": stack["terraform"]["backend"]},
        "resource": {"terraform_data": {"trained": {"input": "state that must survive"}}},
    }))
    for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        done = subprocess.run([TERRAFORM, *args], cwd=folder, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(TERRAFORM is None, reason="needs the terraform CLI")
@pytest.mark.node
def test_state_survives_a_deleted_output_and_a_synth_without_the_stack(tmp_path):
    project = tmp_path / "project"
    out = project / "cdktf.out"
    synth([CHURN], out)
    _apply_in(out / "stacks" / "churn")
    state = project / ".trainstack" / "state" / "dev" / "churn.tfstate"
    assert "state that must survive" in state.read_text()
    # nothing of it inside the output (.terraform/terraform.tfstate is init's record of
    # the backend's settings, not state)
    assert [p for p in out.rglob("*.tfstate") if ".terraform" not in p.parts] == []

    shutil.rmtree(out)  # the output is disposable
    synth([ROOT / "profiles" / "vision-defects.yaml"], out)  # a run without the churn stack
    synth([CHURN], out)
    assert "state that must survive" in state.read_text()


@pytest.mark.node
def test_dev_and_prod_of_one_profile_keep_separate_state(tmp_path):
    prod = tmp_path / "churn.yaml"
    # (a Basic registry is accepted outside prod only: acceptances.py)
    prod.write_text(CHURN.read_text().replace("environment: dev", "environment: prod")
                    .replace("  - basic-registry\n", ""))
    backends = {}
    for env, path in (("dev", CHURN), ("prod", prod)):
        synth([path], tmp_path / env)
        doc = json.loads((tmp_path / env / "stacks" / "churn" / "cdk.tf.json").read_text())
        backends[env] = doc["terraform"]["backend"]["local"]["path"]
    assert backends == {"dev": "../../../.trainstack/state/dev/churn.tfstate",
                        "prod": "../../../.trainstack/state/prod/churn.tfstate"}
