"""Issue 13's findings from a new user's first hour, each pinned: the help a user asks for
with -h, the extra that installs checkov named in full, validate taking one stack, and synth
saying which files it wrote."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
from trainstack.cli.main import run

GOLDEN = ROOT / "tests" / "golden" / "stacks"


@pytest.mark.parametrize("argv", [["-h"], ["validate", "-h"], ["plan", "-h"]])
def test_dash_h_is_help(argv, capsys):
    assert run(argv) == 0
    assert "Usage: trainstack" in capsys.readouterr().out


COMMANDS = [["synth"], ["select"], ["validate"], ["plan"], ["deploy"], ["destroy"], ["status"],
            ["outputs"], ["preflight"], ["verify"], ["report"], ["diagram"], ["init"], ["schema"],
            ["catalog", "list"], ["catalog", "refresh"], ["state", "bootstrap"], []]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "trainstack")
def test_help_shows_types_in_the_usual_shape(command, capsys):
    assert run([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Usage: trainstack" in text
    assert "<list[" not in text  # typer 0.29 wrote a list of paths as <list[Path]>
    assert "<bool>" not in text  # and a flag as taking a <bool>


def test_a_list_shows_as_its_element_type_repeated(capsys):
    assert run(["synth", "--help"]) == 0
    assert "<path>..." in capsys.readouterr().out
    assert run(["catalog", "refresh", "--help"]) == 0
    assert "<str>..." in capsys.readouterr().out


def test_the_checkov_extra_is_named_in_full(capsys):
    assert run(["validate", "--help"]) == 0
    assert "'trainstack[checkov]'" in capsys.readouterr().out  # rich took [checkov] as markup


@pytest.mark.parametrize("which", ["folder", "file"])
def test_validate_takes_one_stack_by_its_folder_or_its_file(which, tmp_path, capsys):
    stack = tmp_path / "churn"
    shutil.copytree(GOLDEN / "churn", stack)
    target = stack if which == "folder" else stack / "cdk.tf.json"
    assert run(["validate", str(target), "--format", "json"]) == 0
    assert '"stacks": 1' in capsys.readouterr().out


def test_validate_of_a_file_that_is_no_stack_is_bad_input(tmp_path, capsys):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert run(["validate", str(other)]) == 2
    assert "not a stack: give a synth output folder" in capsys.readouterr().err


@pytest.mark.node
def test_synth_says_which_files_it_wrote(tmp_path, capsys):
    out = tmp_path / "o"
    assert run(["synth", str(ROOT / "profiles" / "churn.yaml"),
                str(ROOT / "profiles" / "vision-defects.yaml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"wrote {out}/stacks/churn/cdk.tf.json" in text
    assert f"wrote {out}/stacks/vision-defects/cdk.tf.json" in text
    assert "<stack>" not in text


def test_a_key_that_belongs_in_another_section_is_suggested_there(write_profile, capsys):
    from conftest import profile_text

    path = write_profile(profile_text("training:\n  vm_size: Standard_D4s_v3\n"))
    assert run(["select", str(path)]) == 2
    err = capsys.readouterr().err
    assert "training.vm_size: unknown field; did you mean 'overrides.training_vm_size'?" in err
    path = write_profile(profile_text("training:\n  model_sise: small\n"))
    assert run(["select", str(path)]) == 2
    assert "did you mean 'model_size'?" in capsys.readouterr().err


@pytest.mark.parametrize("tail, where, opened", [
    ("data:\n  size_gb: [1, 2\n  rows: 3\n", "data.size_gb", "a flow sequence that began at line"),
    ("team:\n  prefers: {a: 1\nextra: 2\n", "team.prefers", "a flow mapping that began at line"),
    ('monitor:\n  alert_email: "ops@example.com\n', "quote", "a quoted scalar that began at line"),
])
def test_a_yaml_error_also_says_where_the_unclosed_construct_began(tail, where, opened,
                                                                    write_profile, capsys):
    from conftest import MINIMAL

    path = write_profile(MINIMAL.replace("data:\n  size_gb: 1\n", "") + tail)
    first = len(MINIMAL.replace("data:\n  size_gb: 1\n", "").splitlines()) + 2  # the opener
    assert run(["select", str(path)]) == 2
    err = capsys.readouterr().err
    assert "YAML syntax error" in err
    assert f"{opened} {first}, column" in err, (where, err)


@pytest.mark.parametrize("columns", ["50", "80", "200"])
def test_tables_are_never_cut_at_any_width(columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", columns)
    assert run(["catalog", "list", "--region", "westeurope", "--gpu"]) == 0
    assert run(["select", str(ROOT / "profiles" / "churn.yaml"), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    assert "Standard_NC24ads_A100_v4" in out and "Standard_E16a_v4" in out
    assert max(len(line) for line in out.splitlines()) <= int(columns)
    if columns == "200":
        assert "┃ size " in out  # wide enough: a table
    if columns == "50":
        assert "  size: Standard_NC24ads_A100_v4" in out  # narrow: one record per row


def test_select_reads_a_profile_from_standard_input(monkeypatch, capsys):
    import io
    import json
    import sys

    text = (ROOT / "profiles" / "churn.yaml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert run(["select", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"] == "churn"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"name: ab\\n")))
    assert run(["select", "-"]) == 2
    assert "<stdin>:1: apiVersion: is required" in capsys.readouterr().err


def test_select_takes_several_profiles_and_prints_an_array(capsys):
    import json

    assert run(["select", str(ROOT / "profiles" / "churn.yaml"),
                str(ROOT / "profiles" / "clickstream.yaml")]) == 0
    assert [s["profile"] for s in json.loads(capsys.readouterr().out)] == ["churn", "clickstream"]


def test_quiet_select_and_validate_print_nothing_and_keep_their_exit_codes(tmp_path, capsys):
    from conftest import profile_text

    over = tmp_path / "over.yaml"
    over.write_text(profile_text("training:\n  max_hours: 100\n  runs_per_month: 30\n"
                                 "constraints:\n  monthly_budget_usd: 1\n"))
    assert run(["select", str(over), "-q", "--strict"]) == 1
    assert run(["select", str(ROOT / "profiles" / "churn.yaml"), "-q"]) == 0
    stack = tmp_path / "churn"
    shutil.copytree(GOLDEN / "churn", stack)
    assert run(["validate", str(stack), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_reports_are_written_with_the_users_umask(tmp_path, capsys):
    import os
    import stat

    stack = tmp_path / "churn"
    shutil.copytree(GOLDEN / "churn", stack)
    old = os.umask(0o022)
    try:
        assert run(["validate", str(stack), "--format", "sarif", "--output",
                    str(tmp_path / "r.sarif")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.sarif").stat().st_mode) == 0o644  # not 0600
