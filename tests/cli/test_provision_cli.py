"""`trainstack plan | deploy | destroy | status | outputs` end to end with the real terraform
binary. The profiles are the bundled ones, loaded and selected as usual; their stacks are
replaced by terraform_data stacks (no provider can be downloaded here), written where
synth writes them, with the same local state path."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(Path(__file__).parents[1] / "provision"))
from tfdata import needs_terraform, stack_doc, write_stack

from trainstack.cli import provision_cmd
from trainstack.cli.main import run

pytestmark = needs_terraform
CHURN = ROOT / "profiles" / "churn.yaml"  # dev
FRAUD = ROOT / "profiles" / "fraud-private.yaml"  # prod


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder; ``stacks[name]`` are the terraform_data resources synth writes."""
    stacks: dict[str, dict] = {}

    def synthesize(profiles, out):
        from trainstack.settings import Settings
        from trainstack.synth import plan

        planned = plan(profiles, Settings.from_env())
        for p in planned:
            write_stack(out, p.name, stack_doc(p.name, p.profile.environment, stacks[p.name],
                                               {"where": "${terraform_data.main.output}"}))
        return planned

    monkeypatch.setattr(provision_cmd, "_synthesize", synthesize)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    stacks["churn"] = {"main": {"input": "churn-v1"}}
    stacks["fraud-private"] = {"main": {"input": "fraud-v1"}, "extra": {"input": "e"}}
    return stacks


class Terminal(io.StringIO):
    """A person at a terminal who types ``answers``, one per question."""

    def isatty(self) -> bool:
        return True


def _json(capsys) -> object:
    return json.loads(capsys.readouterr().out)


def test_plan_deploy_status_outputs_replan_and_destroy(project, capsys, tmp_path):
    assert run(["plan", "--no-preflight", str(CHURN), "--format", "json", "--detailed-exitcode"]) == 4
    planned = _json(capsys)
    assert [(p["stack"], p["status"], p["plan"]["add"]) for p in planned] == [
        ("churn", "planned", 1)]
    assert planned[0]["estimated_monthly_usd"] > 0
    assert Path(planned[0]["plan_file"]).is_file()

    assert run(["deploy", "--no-preflight", str(CHURN), "--saved", "--auto-approve", "--format", "json"]) == 0
    assert [(r["stack"], r["status"]) for r in _json(capsys)] == [("churn", "applied")]

    assert run(["status", str(CHURN), "--format", "json"]) == 0
    status = _json(capsys)[0]
    assert status["deployed"] and status["resources"] == ["terraform_data.main"]
    assert status["outputs"] == {"where": "churn-v1"} and status["last_applied"]
    assert not status["profile_changed"] and not status["stack_changed"]
    assert run(["outputs", str(CHURN)]) == 0
    assert _json(capsys) == {"churn": {"where": "churn-v1"}}

    assert run(["plan", "--no-preflight", str(CHURN), "--detailed-exitcode"]) == 0  # nothing pending
    assert "churn (dev): no changes" in capsys.readouterr().err

    assert run(["destroy", str(CHURN), "--auto-approve"]) == 0
    err = capsys.readouterr().err
    assert "churn (dev): 0 to add, 0 to change, 1 to destroy" in err
    assert "  ! destroy  terraform_data.main" in err and "destroyed: churn" in err
    assert run(["status", str(CHURN), "--format", "json"]) == 0
    assert _json(capsys)[0]["deployed"] is False
    assert (tmp_path / ".trainstack/state/dev/churn.tfstate").is_file()


def test_status_says_when_the_stack_changed_since_the_last_apply(project, capsys):
    assert run(["deploy", "--no-preflight", str(CHURN), "--auto-approve"]) == 0
    project["churn"] = {"main": {"input": "churn-v2"}}
    capsys.readouterr()
    assert run(["status", str(CHURN)]) == 0
    err = capsys.readouterr().err
    assert "the synthesized stack changed since the last apply" in err
    assert "where = churn-v1" in err
    assert run(["plan", "--no-preflight", str(CHURN)]) == 0
    assert "  ~ change   terraform_data.main" in capsys.readouterr().err


def test_deploy_needs_approval_and_a_terminal_to_give_it(project, capsys, monkeypatch):
    assert run(["deploy", "--no-preflight", str(CHURN)]) == 2  # stdin is not a terminal under pytest
    assert "pass --auto-approve" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    assert run(["deploy", "--no-preflight", str(CHURN)]) == 1
    assert "deploy cancelled: nothing was applied" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Terminal("yes\n"))
    assert run(["deploy", "--no-preflight", str(CHURN)]) == 0
    err = capsys.readouterr().err
    assert "  + add      terraform_data.main" in err
    assert "churn: Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in err
    assert err.index("Only 'yes' is accepted") < err.index("terraform_data.main: creating")
    assert "applied: churn" in err


def test_a_saved_plan_is_refused_after_its_profile_changed(project, capsys, tmp_path):
    profile = tmp_path / "churn.yaml"
    profile.write_text(CHURN.read_text())
    assert run(["plan", "--no-preflight", str(profile)]) == 0
    profile.write_text(CHURN.read_text() + "# edited after the plan\n")
    capsys.readouterr()
    assert run(["deploy", "--no-preflight", str(profile), "--saved", "--auto-approve"]) == 2
    err = capsys.readouterr().err
    assert "churn.yaml changed since the plan was made" in err and "run `trainstack plan`" in err
    assert not (tmp_path / ".trainstack/state/dev/churn.applied.json").exists()


def test_a_prod_plan_that_destroys_needs_the_name_typed_even_with_auto_approve(
        project, capsys, monkeypatch):
    assert run(["deploy", "--no-preflight", str(FRAUD), "--auto-approve"]) == 0  # creates only: no question
    project["fraud-private"] = {"main": {"input": "fraud-v1"}}  # "extra" would be destroyed
    capsys.readouterr()
    assert run(["deploy", "--no-preflight", str(FRAUD), "--auto-approve"]) == 2
    assert "type its name at a terminal, or pass --allow-replace" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Terminal("fraud\n"))
    assert run(["deploy", "--no-preflight", str(FRAUD), "--auto-approve"]) == 1
    assert "'fraud-private' was not typed" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Terminal("fraud-private\n"))
    assert run(["deploy", "--no-preflight", str(FRAUD), "--auto-approve"]) == 0
    assert "applied: fraud-private" in capsys.readouterr().err


def test_allow_replace_lets_a_prod_destroy_go_and_destroy_says_what_azure_keeps(
        project, capsys):
    assert run(["deploy", "--no-preflight", str(FRAUD), "--auto-approve"]) == 0
    assert run(["destroy", str(FRAUD), "--auto-approve"]) == 2  # prod: name or --allow-replace
    capsys.readouterr()
    assert run(["destroy", str(FRAUD), "--auto-approve", "--allow-replace",
                "--format", "json"]) == 0
    result = _json(capsys)[0]
    assert result["status"] == "destroyed"
    assert result["kept_after_destroy"] == []  # terraform_data keeps nothing in Azure


def test_one_failing_stack_does_not_stop_the_others_and_the_summary_says_which(
        project, capsys):
    project["churn"] = {"main": {"input": "c", "provisioner": [
        {"local-exec": {"command": "exit 9"}}]}}
    code = run(["deploy", "--no-preflight", str(FRAUD), str(CHURN), "--auto-approve", "--format", "json"])
    assert code == 1
    captured = capsys.readouterr()
    assert {r["stack"]: r["status"] for r in json.loads(captured.out)} == {
        "churn": "failed", "fraud-private": "applied"}
    assert "failed: churn" in captured.err and "applied: fraud-private" in captured.err
    assert "local-exec provisioner error" in captured.err


def test_a_failing_plan_applies_nothing(project, capsys, tmp_path):
    project["churn"] = {"main": {"input": "${nosuch.thing}"}}
    assert run(["deploy", "--no-preflight", str(CHURN), str(FRAUD), "--auto-approve"]) == 1
    err = capsys.readouterr().err
    assert "a plan failed: nothing was applied" in err and "not run: fraud-private" in err
    assert not (tmp_path / ".trainstack/state/prod/fraud-private.tfstate").exists()


def test_stacks_run_in_a_stable_order_and_destroy_in_reverse(project, capsys):
    assert run(["deploy", "--no-preflight", str(FRAUD), str(CHURN), "--auto-approve"]) == 0
    err = capsys.readouterr().err
    assert err.index("churn (dev)") < err.index("fraud-private (prod)")
    assert run(["destroy", str(CHURN), str(FRAUD), "--auto-approve", "--allow-replace"]) == 0
    err = capsys.readouterr().err
    assert err.index("fraud-private (prod)") < err.index("churn (dev)")


def test_a_bad_terraform_setting_is_bad_input(project, capsys):
    assert run(["plan", "--no-preflight", str(CHURN), "--terraform", "/no/such/terraform"]) == 2
    assert "is not an executable file or a command on PATH" in capsys.readouterr().err


def test_a_failing_destroy_plan_destroys_nothing(project, capsys, tmp_path):
    assert run(["deploy", "--no-preflight", str(CHURN), str(FRAUD), "--auto-approve"]) == 0
    project["churn"] = {"main": {"input": "${nosuch.thing}"}}
    capsys.readouterr()
    assert run(["destroy", str(CHURN), str(FRAUD), "--auto-approve", "--allow-replace",
                "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert {r["stack"]: r["status"] for r in json.loads(captured.out)} == {
        "churn": "failed", "fraud-private": "not run"}
    assert "a destroy plan failed: nothing was destroyed" in captured.err
    assert run(["status", str(FRAUD), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["deployed"] is True


def test_preflight_runs_first_and_a_failed_check_plans_nothing(project, capsys, tmp_path,
                                                               monkeypatch):
    from trainstack.testing import fake_azure

    with fake_azure() as fake:  # signed in, but Azure ML offers no size in the region
        for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
            monkeypatch.setenv(name, getattr(fake, name.lower().removeprefix("azure_")))
        monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", fake.subscription_id)
        assert run(["plan", str(CHURN)]) == 1
    err = capsys.readouterr().err
    assert "FAIL vm-size-offered" in err and "preflight failed: nothing was planned" in err
    assert not (tmp_path / ".trainstack" / "plans").exists()


def test_preflight_without_credentials_says_how_to_skip_it(project, capsys, monkeypatch):
    for name in ("AZURE_SUBSCRIPTION_ID", "ARM_SUBSCRIPTION_ID"):
        monkeypatch.delenv(name, raising=False)
    assert run(["deploy", str(CHURN), "--auto-approve"]) == 2
    err = capsys.readouterr().err
    assert "no Azure subscription" in err and "--no-preflight" in err
