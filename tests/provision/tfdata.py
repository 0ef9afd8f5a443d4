"""Stacks made only of terraform's built-in ``terraform_data`` resource, for running the real
terraform binary with no provider to download (the provisioning tests)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trainstack.provision import plans, runner, terraform
from trainstack.provision.layout import StackPaths

needs_terraform = pytest.mark.skipif(shutil.which("terraform") is None,
                                     reason="terraform is not installed on this machine")


def stack_doc(name: str, environment: str, resources: dict, outputs: dict | None = None) -> dict:
    """A stack like trainstack's: local state outside the output, terraform_data inside."""
    doc = {"terraform": {"backend": {"local": {
        "path": f"../../../.trainstack/state/{environment}/{name}.tfstate"}}},
        "resource": {"terraform_data": resources}}
    if outputs:
        doc["output"] = {k: v if isinstance(v, dict) else {"value": v}
                         for k, v in outputs.items()}
    return doc


def write_stack(out: Path, name: str, doc: dict) -> Path:
    """Write ``out/stacks/<name>/cdk.tf.json``."""
    path = out / "stacks" / name / "cdk.tf.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def target(out: Path, name: str, environment: str = "dev", profile_sha: str = "p",
           prod: bool = False) -> runner.Target:
    """A target for a stack already written under ``out``."""
    paths = StackPaths(name, environment, out)
    origin = plans.Origin(f"{name}.yaml", profile_sha, plans.sha256_file(paths.stack_file),
                          environment)
    return runner.Target(paths, origin, prod=prod, monthly_usd=12.5)


def session(tmp: Path, stream=None, env: dict | None = None) -> runner.Session:
    """A session on the installed terraform, no CLI configuration, a private plugin cache."""
    import os

    base = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", **(env or {})}
    return runner.Session(terraform.find(None, base), "test", env=base,
                          plugin_cache=tmp / "plugins", stream=stream)
