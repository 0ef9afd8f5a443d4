"""The command line as a user meets it: output streams, exit codes, messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROFILES, ROOT, profile_text
from trainstack.cli.entry import main


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_select_json_is_the_only_stdout(capsys):
    code, out, err = cli(capsys, "select", str(PROFILES[0]), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["profile"] == PROFILES[0].stem and data["service"] == "azure-ml"
    assert err == ""


def test_select_defaults_to_json(capsys):
    code, out, _ = cli(capsys, "select", str(PROFILES[0]))
    assert code == 0 and json.loads(out)["compute"]


def test_select_table_shows_the_same_content(capsys):
    code, out, _ = cli(capsys, "select", str(PROFILES[0]), "--format", "table")
    data = json.loads(cli(capsys, "select", str(PROFILES[0]))[1])
    assert code == 0
    assert data["compute"][0]["vm_size"] in out
    for reason in data["rationale"]:
        assert reason["rule"] in out


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_select_table_for_every_service(capsys, path):
    code, out, err = cli(capsys, "select", str(path), "--format", "table")
    data = json.loads(cli(capsys, "select", str(path))[1])
    assert code == 0 and err == ""
    assert data["service"] in out
    for c in data["compute"]:
        assert (c.get("vm_size") or c["node_size"]) in out
    for a in data["ai_services"]:
        assert a["kind"] in out
    # a private profile's network lines, priced; a public one shows no network table
    assert ("Network (private)" in out) == (data["network"]["mode"] == "private")
    for item in data["network"]["items"]:
        assert item["item"] in out and f"{item['monthly_usd']:,.2f}" in out


def test_bad_profile_exit_2_with_contract_message_and_no_traceback(capsys, write_profile):
    path = write_profile(profile_text().replace("size_gb: 1", "size_gb: -3"))
    code, out, err = cli(capsys, "select", str(path))
    assert code == 2 and out == ""
    assert err == f"error: {path}:9: data.size_gb: must be greater than 0 (got -3)\n"


def test_selection_error_points_at_the_profile_line(capsys, write_profile):
    path = write_profile(profile_text("overrides:\n  training_vm_size: Standard_E8s_v33\n"))
    code, _, err = cli(capsys, "select", str(path))
    assert code == 2
    assert err.startswith(f"error: {path}:11: overrides.training_vm_size: unknown VM size")
    assert "did you mean 'Standard_E8s_v3'?" in err


def test_missing_file_exit_2(capsys, tmp_path):
    code, _, err = cli(capsys, "select", str(tmp_path / "none.yaml"))
    assert code == 2 and "no such file" in err


def test_usage_error_exit_2(capsys):
    code, _, err = cli(capsys, "select", str(PROFILES[0]), "--format", "xml")
    assert code == 2 and "xml" in err


def test_strict_over_budget_exit_1(capsys, write_profile):
    path = write_profile(profile_text("constraints:\n  monthly_budget_usd: 0.5\n"
                                      "  allow_low_priority: false\n"))
    code, out, _ = cli(capsys, "select", str(path), "--strict")
    assert code == 1 and json.loads(out)["within_budget"] is False
    assert cli(capsys, "select", str(path))[0] == 0


def test_schema_prints_json_schema(capsys):
    code, out, _ = cli(capsys, "schema")
    assert code == 0 and json.loads(out)["title"] == "trainstack WorkloadProfile v1"


@pytest.mark.node
def test_synth_writes_and_summarises(capsys, tmp_path):
    code, out, err = cli(capsys, "synth", str(PROFILES[0]), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert (tmp_path / "o" / "stacks" / PROFILES[0].stem / "cdk.tf.json").is_file()
    assert PROFILES[0].stem in out


@pytest.mark.node
def test_synth_bad_profile_writes_nothing(capsys, tmp_path, write_profile):
    bad = write_profile(profile_text().replace("task: classification", "task: clasification"))
    code, out, err = cli(capsys, "synth", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and "did you mean" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_version(capsys):
    code, _, err = cli(capsys, "--version")
    assert code == 0 and err.startswith("trainstack ")


@pytest.mark.node
def test_console_script_end_to_end(tmp_path):
    """The installed `trainstack` command, as the README runs it."""
    exe = shutil.which("trainstack") or str(Path(sys.executable).parent / "trainstack")
    run = subprocess.run([exe, "synth", *map(str, PROFILES), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "end-of-life" not in run.stderr.lower()  # the jsii banner is silenced
    assert len(list((tmp_path / "o").glob("stacks/*/cdk.tf.json"))) == len(PROFILES)


@pytest.mark.node
def test_cdktf_app_entry_point_writes_the_same_stacks(tmp_path):
    """stacks/app.py is what `cdktf synth` runs (cdktf.json "app")."""
    run = subprocess.run([sys.executable, "stacks/app.py"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "CDKTF_OUTDIR": str(tmp_path / "cdk")})
    assert run.returncode == 0, run.stderr
    main(["synth", *map(str, PROFILES), "--out", str(tmp_path / "ts"), "-q"])
    for path in PROFILES:
        rel = Path("stacks") / path.stem / "cdk.tf.json"
        assert (tmp_path / "cdk" / rel).read_bytes() == (tmp_path / "ts" / rel).read_bytes()


@pytest.mark.node
def test_cdktf_app_entry_point_reports_bad_profiles(tmp_path, write_profile):
    bad = write_profile(profile_text().replace("size_gb: 1", "size_gb: 0"))
    run = subprocess.run([sys.executable, "stacks/app.py"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "CDKTF_OUTDIR": str(tmp_path / "cdk"),
                                         "TRAINSTACK_PROFILES": str(bad)})
    assert run.returncode == 2
    assert "data.size_gb: must be greater than 0 (got 0)" in run.stderr
    assert "Traceback" not in run.stderr


CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"


@pytest.mark.node
@pytest.mark.skipif(not CDKTF.exists() and not os.environ.get("CI"),
                    reason="cdktf-cli not installed (npm ci; CI installs it)")
def test_cdktf_synth_through_cdktf_json_matches_trainstack_synth(tmp_path):
    # as the README writes it: the virtual environment not activated (cdktf.json runs
    # stacks/app.sh, which finds .venv itself)
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1", "PATH": path}
    run = subprocess.run([str(CDKTF), "synth", "--output", str(tmp_path / "cdk")], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    main(["synth", *map(str, PROFILES), "--out", str(tmp_path / "ts"), "-q"])
    for path in PROFILES:
        rel = Path("stacks") / path.stem / "cdk.tf.json"
        assert (tmp_path / "cdk" / rel).read_bytes() == (tmp_path / "ts" / rel).read_bytes()
    # the folder cdktf wrote is one trainstack recognises, and may replace
    (tmp_path / "cdk" / "stacks" / "churn" / "terraform.churn.tfstate").write_text("{}")
    assert main(["synth", *map(str, PROFILES), "--out", str(tmp_path / "cdk"), "-q"]) == 0
    assert (tmp_path / "cdk" / "stacks" / "churn" / "terraform.churn.tfstate").read_text() == "{}"


def test_the_cli_offers_what_the_models_take():
    """The choices of each option are the Literals the models are typed with."""
    from typing import get_args

    from trainstack import choices
    from trainstack.cli import select_cmd, synth_cmd, validate_cmd
    from trainstack.validate import PACKS
    from trainstack.validate.report import FORMATS

    assert get_args(choices.PackName) == tuple(PACKS)
    assert get_args(choices.ReportFormat) == tuple(FORMATS)
    assert [c.value for c in validate_cmd.PackChoice] == list(PACKS)
    assert [c.value for c in validate_cmd.ReportFormatChoice] == list(FORMATS)
    assert [c.value for c in synth_cmd.EngineChoice] == ["cdktf", "cdktn"]
    assert [c.value for c in synth_cmd.BackendChoice] == ["local", "azurerm"]
    assert [c.value for c in select_cmd.Format] == ["json", "table"]
