"""Stored expected outputs: what `trainstack select` prints and what `trainstack synth` writes.

Every bundled profile and a table of Spark sizing cases are run through the real
command and compared byte for byte with the files under tests/golden/. A change
to the selector, the stacks or the JSON formatting shows up here as a diff.

The stored files change only on purpose: run

    TRAINSTACK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

review `git diff tests/golden`, and commit the new files with the change that
explains them.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from conftest import PROFILES
from trainstack.cli.entry import main

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("TRAINSTACK_UPDATE_GOLDEN") == "1"
# Stack shapes the bundled profiles do not cover (private Databricks, ...): their stacks
# are stored under shapes/, apart from the bundled ones that other tests validate.
SHAPES = sorted((GOLDEN / "profiles").glob("*.yaml"))

# Spark sizing: (case id, service, profile body). Sizes cross the node boundaries of the
# Synapse node ladder and the Databricks catalog, for tables, text and images, CPU and GPU.
SPARK_BASE = """\
apiVersion: trainstack/v1
kind: WorkloadProfile
name: {name}
region: {region}
problem:
  predicts: "a Spark sizing case"
  task: {task}
data:
  modality: {modality}
  size_gb: {size_gb}
training:
  framework: {framework}
  max_hours: 2
  runs_per_month: 10
{extra}overrides:
  service: {service}
"""

SPARK_CASES = [
    # Synapse: the pool's node size and autoscale maximum follow the data's memory need
    ("synapse-tabular-1gb", "synapse", "tabular", 1, "spark-mllib", "classification", ""),
    ("synapse-tabular-40gb", "synapse", "tabular", 40, "spark-mllib", "classification", ""),
    ("synapse-tabular-300gb", "synapse", "tabular", 300, "spark-mllib", "regression", ""),
    ("synapse-tabular-2000gb", "synapse", "tabular", 2000, "spark-mllib", "regression", ""),
    ("synapse-text-100gb", "synapse", "text", 100, "spark-mllib", "classification", ""),
    ("synapse-image-500gb", "synapse", "image", 500, "spark-mllib", "classification", ""),
    ("synapse-timeseries-8000gb", "synapse", "timeseries", 8000, "spark-mllib",
     "forecasting", ""),
    # Databricks CPU: node type and workers; spot workers where allowed
    ("databricks-tabular-5gb", "databricks", "tabular", 5, "spark-mllib", "classification",
     ""),
    ("databricks-tabular-600gb", "databricks", "tabular", 600, "spark-mllib",
     "classification", "constraints:\n  allow_low_priority: true\n"),
    ("databricks-tabular-3000gb", "databricks", "tabular", 3000, "xgboost", "regression", ""),
    ("databricks-text-200gb", "databricks", "text", 200, "spark-mllib", "classification", ""),
    ("databricks-budget-spot", "databricks", "tabular", 600, "spark-mllib", "classification",
     "constraints:\n  allow_low_priority: true\n  monthly_budget_usd: 100\n"),
    # Databricks GPU: single node by model size, and multi-node fixed-size clusters
    ("databricks-gpu-small", "databricks", "image", 50, "pytorch", "classification", ""),
    ("databricks-gpu-medium", "databricks", "image", 50, "pytorch", "classification",
     "training:\n  model_size: medium\n"),
    ("databricks-gpu-multinode", "databricks", "text", 50, "transformers", "text-generation",
     "training:\n  distributed: true\n  nodes: 2\n"),
]


def _spark_profile(case) -> str:  # noqa: ANN001 - a SPARK_CASES row
    name, service, modality, size_gb, framework, task, extra = case
    text = SPARK_BASE.format(name="sizing", region="westeurope", task=task, modality=modality,
                             size_gb=size_gb, framework=framework, service=service, extra="")
    if extra.startswith("training:"):
        # merge into the training block rather than repeating the key
        lines = extra.splitlines()[1:]
        text = text.replace("  runs_per_month: 10\n",
                            "  runs_per_month: 10\n" + "".join(f"{line}\n" for line in lines))
    else:
        text = text.replace("overrides:\n", extra + "overrides:\n")
    return text


def _compare(path: Path, actual: bytes) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.is_file(), (f"no stored output {path.relative_to(GOLDEN.parent)}; run "
                            "TRAINSTACK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py")
    expected = path.read_bytes()
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(
            expected.decode().splitlines(keepends=True), actual.decode().splitlines(keepends=True),
            "stored", "now"))[:80])
        pytest.fail(f"{path.relative_to(GOLDEN.parent)} changed (regenerate on purpose with "
                    f"TRAINSTACK_UPDATE_GOLDEN=1):\n{diff}")


def _select_stdout(capsys, path: Path) -> bytes:
    code = main(["select", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    return out.encode()


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_select_json_of_each_bundled_profile(capsys, path):
    _compare(GOLDEN / "select" / f"{path.stem}.json", _select_stdout(capsys, path))


@pytest.mark.parametrize("case", SPARK_CASES, ids=lambda c: c[0])
def test_spark_sizing(capsys, tmp_path, case):
    path = tmp_path / f"{case[0]}.yaml"
    path.write_text(_spark_profile(case))
    out = _select_stdout(capsys, path)
    assert json.loads(out)["service"] == case[1]
    _compare(GOLDEN / "spark" / f"{case[0]}.json", out)


def test_every_stored_output_has_a_case():
    """A renamed profile or case leaves no stale file behind."""
    expected = ({f"select/{p.stem}.json" for p in PROFILES}
                | {f"spark/{c[0]}.json" for c in SPARK_CASES}
                | {f"stacks/{p.stem}/cdk.tf.json" for p in PROFILES}
                | {f"shapes/{p.stem}/cdk.tf.json" for p in SHAPES}
                | {f"profiles/{p.name}" for p in SHAPES}
                | {"stacks/manifest.json", "profile.schema.json"}
                | {f"reports/report.{ext}" for ext in REPORTS.values()})
    stored = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file()}
    stored.discard("README.md")
    if not UPDATE:
        assert stored == expected


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden") / "cdktf.out"
    code = main(["synth", *map(str, PROFILES), "--out", str(out), "--quiet"])
    assert code == 0
    return out


@pytest.mark.node
@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_stack_of_each_bundled_profile(synthesized, path):
    rel = Path("stacks") / path.stem / "cdk.tf.json"
    _compare(GOLDEN / rel, (synthesized / rel).read_bytes())


@pytest.mark.node
def test_stacks_of_other_shapes(tmp_path):
    out = tmp_path / "cdktf.out"
    assert main(["synth", *map(str, SHAPES), "--out", str(out), "--quiet"]) == 0
    for path in SHAPES:
        _compare(GOLDEN / "shapes" / path.stem / "cdk.tf.json",
                 (out / "stacks" / path.stem / "cdk.tf.json").read_bytes())


@pytest.mark.node
def test_manifest(synthesized):
    _compare(GOLDEN / "stacks" / "manifest.json", (synthesized / "manifest.json").read_bytes())


def test_profile_schema(capsys):
    """`trainstack schema`, the file editors and CI read (README: profile.schema.json)."""
    assert main(["schema"]) == 0
    _compare(GOLDEN / "profile.schema.json", capsys.readouterr().out.encode())


REPORTS = {"json": "json", "sarif": "sarif", "junit": "xml"}


@pytest.mark.parametrize("fmt", sorted(REPORTS))
def test_validation_report_of_the_stored_stacks(tmp_path, capsys, monkeypatch, fmt):
    """The reports CI systems read, for the stored stacks (paths relative to the run)."""
    import shutil

    shutil.copytree(GOLDEN / "stacks", tmp_path / "out" / "stacks",
                    ignore=shutil.ignore_patterns("manifest.json"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "out", "--format", fmt]) == 0
    _compare(GOLDEN / "reports" / f"report.{REPORTS[fmt]}", capsys.readouterr().out.encode())


@pytest.mark.node
def test_many_stacks_through_several_engine_apps_are_the_same(tmp_path, monkeypatch):
    """Past STACKS_PER_APP the engine runs several apps and trainstack merges their
    manifests: the stacks and the manifest are the stored ones all the same."""
    from trainstack.constructs import engine

    monkeypatch.setattr(engine, "STACKS_PER_APP", 3)  # 8 profiles: apps of 3, 3 and 2
    out = tmp_path / "cdktf.out"
    assert main(["synth", *map(str, PROFILES), "--out", str(out), "--quiet"]) == 0
    for path in PROFILES:
        rel = Path("stacks") / path.stem / "cdk.tf.json"
        assert (out / rel).read_bytes() == (GOLDEN / rel).read_bytes(), rel
    assert (out / "manifest.json").read_bytes() == \
        (GOLDEN / "stacks" / "manifest.json").read_bytes()
    assert not list(out.glob(".trainstack-part-*"))
