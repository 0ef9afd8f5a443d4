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


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_select_json_of_each_other_shape(capsys, path):
    """The private shapes' network items, rationale and estimate (NET-*)."""
    _compare(GOLDEN / "shapes" / path.stem / "select.json", _select_stdout(capsys, path))


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
                | {f"shapes/{p.stem}/select.json" for p in SHAPES}
                | {f"profiles/{p.name}" for p in SHAPES}
                | {f"cases/{c[0]}.json" for c in SELECT_CASES}
                | {f"cases/{c[0]}.err" for c in ERROR_CASES}
                | {"stacks/manifest.json", "profile.schema.json"}
                | {f"reports/report.{ext}" for ext in REPORTS.values()}
                | {f"reports/defects.{ext}" for ext in ("json", "sarif", "txt")}
                | {f"reports/handmade.{ext}" for ext in ("json", "sarif", "xml", "txt")}
                | {f"pages/fraud-private-invoice-ocr.{ext}" for ext in ("md", "html")})
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



# Selection cases beyond the bundled profiles: every budget step, the AI services variants,
# pinned sizes and located errors. (case id, profile body below the common head).
CASE_HEAD = """\
apiVersion: trainstack/v1
kind: WorkloadProfile
name: case
region: westeurope
"""
TABULAR = "problem:\n  predicts: x\n  task: classification\ndata:\n  size_gb: 2\n"
SELECT_CASES = [
    ("ai-free-tier", "problem:\n  predicts: x\n  task: ocr\n  prebuilt_ok: true\n"
     "data:\n  modality: document\n  size_gb: 1\nconstraints:\n  free_tier: true\n"
     "deploy:\n  requests_per_month: 5000\n"),
    ("ai-custom-vision", "problem:\n  predicts: x\n  task: image-classification\n"
     "  prebuilt_ok: true\n  custom_labels: true\ndata:\n  modality: image\n  size_gb: 3\n"
     "deploy:\n  requests_per_month: 250000\n"),
    ("ai-no-requests", "problem:\n  predicts: x\n  task: sentiment-analysis\n"
     "  prebuilt_ok: true\ndata:\n  modality: text\n  size_gb: 1\n"),
    ("ai-over-budget", "problem:\n  predicts: x\n  task: translation\n  prebuilt_ok: true\n"
     "data:\n  modality: text\n  size_gb: 1\ndeploy:\n  requests_per_month: 900000000\n"
     "constraints:\n  monthly_budget_usd: 10\n"),
    # billed per audio hour, not per 1,000
    ("ai-speech-hours", "problem:\n  predicts: x\n  task: speech-to-text\n  prebuilt_ok: true\n"
     "data:\n  modality: audio\n  size_gb: 1\ndeploy:\n  requests_per_month: 120\n"),
    # $1 per 1,000 records: a cost to the tenth of a cent, shown to the cent
    ("ai-text-odd-records", "problem:\n  predicts: x\n  task: sentiment-analysis\n"
     "  prebuilt_ok: true\ndata:\n  modality: text\n  size_gb: 1\n"
     "deploy:\n  requests_per_month: 1234567\n"),
    ("ai-no-expertise", "problem:\n  predicts: x\n  task: speech-to-text\n"
     "data:\n  modality: audio\n  size_gb: 1\nteam:\n  ml_expertise: none\n"),
    ("aml-over-budget-relax", TABULAR + "training:\n  framework: sklearn\n  max_hours: 10\n"
     "  runs_per_month: 30\nteam:\n  prefers: [ui]\n"
     "constraints:\n  monthly_budget_usd: 60\n  allow_low_priority: false\n"),
    ("aml-over-budget-one-run", TABULAR + "training:\n  framework: sklearn\n  max_hours: 5\n"
     "  runs_per_month: 30\nenvironment: prod\nconstraints:\n  monthly_budget_usd: 2\n"),
    ("aml-fewer-trials", TABULAR + "training:\n  framework: sklearn\n  concurrent_trials: 8\n"
     "  max_hours: 4\n  runs_per_month: 20\nconstraints:\n  monthly_budget_usd: 12\n"),
    ("aml-prod-low-priority", TABULAR + "environment: prod\ntraining:\n  framework: sklearn\n"
     "  max_hours: 4\n  runs_per_month: 20\nconstraints:\n  monthly_budget_usd: 3\n"),
    ("aml-cheaper-family", TABULAR + "training:\n  framework: sklearn\n  max_hours: 8\n"
     "  runs_per_month: 30\nconstraints:\n  monthly_budget_usd: 30\n"
     "  allow_low_priority: false\n"),
    ("aml-pinned-short", TABULAR.replace("size_gb: 2", "size_gb: 30")
     + "training:\n  framework: sklearn\noverrides:\n  training_vm_size: Standard_D2s_v3\n"),
    ("aml-gpu-tabular", TABULAR.replace("size_gb: 2", "size_gb: 40")
     + "training:\n  framework: xgboost\n  max_hours: 6\n"),
    ("aml-multi-node", "problem:\n  predicts: x\n  task: text-generation\n"
     "data:\n  modality: text\n  size_gb: 20\ntraining:\n  framework: transformers\n"
     "  distributed: true\n  nodes: 2\n  model_size: large\n"),
    # distributed on one node: no InfiniBand needed, a single multi-GPU node
    ("aml-distributed-one-node", "problem:\n  predicts: x\n  task: text-generation\n"
     "data:\n  modality: text\n  size_gb: 20\ntraining:\n  framework: transformers\n"
     "  distributed: true\n  nodes: 1\n  model_size: large\n"),
    ("aml-region-override", TABULAR + "training:\n  framework: sklearn\n"
     "overrides:\n  region: northeurope\n"),
    ("synapse-pinned-gpu", "problem:\n  predicts: x\n  task: image-classification\n"
     "data:\n  modality: image\n  size_gb: 10\ntraining:\n  framework: pytorch\n"
     "overrides:\n  service: synapse\n"),
    ("synapse-over-budget", "problem:\n  predicts: x\n  task: forecasting\n"
     "data:\n  modality: timeseries\n  size_gb: 400\n  needs_distributed_prep: true\n"
     "training:\n  framework: spark-mllib\n  max_hours: 5\n  runs_per_month: 30\n"
     "team:\n  prefers: [sql]\nconstraints:\n  monthly_budget_usd: 50\n"),
    # a budget that holds two runs: the advice counts them exactly ($240.24 a run)
    ("synapse-two-runs-fit", "problem:\n  predicts: x\n  task: forecasting\n"
     "data:\n  modality: timeseries\n  size_gb: 400\n  needs_distributed_prep: true\n"
     "training:\n  framework: spark-mllib\n  max_hours: 5\n  runs_per_month: 30\n"
     "team:\n  prefers: [sql]\nconstraints:\n  monthly_budget_usd: 481\n"),
    ("databricks-two-runs-fit", "problem:\n  predicts: x\n  task: classification\n"
     "data:\n  size_gb: 700\n  needs_distributed_prep: true\nenvironment: prod\n"
     "training:\n  framework: spark-mllib\n  max_hours: 3\n  runs_per_month: 12\n"
     "constraints:\n  monthly_budget_usd: 304\n"),
    # over budget, but spot is not allowed: the cluster stays on demand and says so
    ("databricks-over-budget-no-spot", "problem:\n  predicts: x\n  task: classification\n"
     "data:\n  size_gb: 700\n  needs_distributed_prep: true\n"
     "training:\n  framework: spark-mllib\n  max_hours: 3\n  runs_per_month: 12\n"
     "constraints:\n  monthly_budget_usd: 1500\n  allow_low_priority: false\n"),
    ("databricks-spot-for-budget", "problem:\n  predicts: x\n  task: classification\n"
     "data:\n  size_gb: 700\n  needs_distributed_prep: true\nenvironment: prod\n"
     "training:\n  framework: spark-mllib\n  max_hours: 3\n  runs_per_month: 12\n"
     "constraints:\n  monthly_budget_usd: 1500\n"),
    ("databricks-full-control", TABULAR.replace("size_gb: 2", "size_gb: 150")
     + "training:\n  framework: spark-mllib\nteam:\n  prefers: [full-control]\n"),
    # spot allowed, but a synchronous multi-node GPU run stays on dedicated nodes
    ("databricks-gpu-multinode-dedicated", "problem:\n  predicts: x\n  task: text-generation\n"
     "data:\n  modality: text\n  size_gb: 50\ntraining:\n  framework: transformers\n"
     "  distributed: true\n  nodes: 2\nconstraints:\n  allow_low_priority: true\n"
     "overrides:\n  service: databricks\n"),
    ("aml-synapse-team-gpu", "problem:\n  predicts: x\n  task: object-detection\n"
     "data:\n  modality: image\n  size_gb: 80\ntraining:\n  framework: pytorch\n"
     "team:\n  existing_platform: synapse\n"),
]
ERROR_CASES = [
    ("unknown-size-hint", TABULAR + "overrides:\n  training_vm_size: Standard_D4s_v33\n"),
    ("unknown-size-no-hint", TABULAR + "overrides:\n  training_vm_size: "
     "Standard_Xyzzy_Plugh_Frobozz_1234567\n"),
    ("retired-size", TABULAR + "overrides:\n  training_vm_size: Standard_NC6s_v3\n"),
    ("size-not-in-region", TABULAR + "overrides:\n  training_vm_size: Standard_G1\n"
     "region: northeurope\n"),
    ("no-gpu-in-region", "problem:\n  predicts: x\n  task: text-generation\n"
     "data:\n  modality: text\n  size_gb: 2\ntraining:\n  framework: transformers\n"
     "  distributed: true\n  nodes: 4\n  model_size: large\nregion: centralus\n"),
    ("databricks-no-gpu-in-region", "problem:\n  predicts: x\n  task: text-generation\n"
     "data:\n  modality: text\n  size_gb: 2\ntraining:\n  framework: transformers\n"
     "  distributed: true\n  nodes: 4\n  model_size: large\nregion: germanywestcentral\n"
     "overrides:\n  service: databricks\n"),
    ("region-without-prices", TABULAR.replace("size_gb: 2", "size_gb: 1")
     + "region: brazilsouth\n"),
    ("not-prebuilt", "problem:\n  predicts: x\n  task: regression\ndata:\n  size_gb: 1\n"
     "overrides:\n  service: ai-services\n"),
    ("beyond-one-node-pinned", TABULAR.replace("size_gb: 2", "size_gb: 150")
     + "overrides:\n  service: azure-ml\n"),
]


def _case_text(body: str) -> str:
    head = CASE_HEAD
    for line in body.splitlines():  # a top-level key in the body replaces the head's
        if line.startswith(("region:", "environment:")):
            head = "\n".join(h for h in head.splitlines()
                             if not h.startswith(line.split(":")[0] + ":")) + "\n"
    return head + body


@pytest.mark.parametrize("case", SELECT_CASES, ids=lambda c: c[0])
def test_selection_case(capsys, tmp_path, case):
    path = tmp_path / "case.yaml"
    path.write_text(_case_text(case[1]))
    _compare(GOLDEN / "cases" / f"{case[0]}.json", _select_stdout(capsys, path))


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c[0])
def test_selection_error_case(capsys, tmp_path, case):
    path = tmp_path / "case.yaml"
    path.write_text(_case_text(case[1]))
    code = main(["select", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    _compare(GOLDEN / "cases" / f"{case[0]}.err", err.replace(str(path), "case.yaml").encode())
