"""init, plan, apply, state and destroy with the real terraform binary, on stacks of the
built-in ``terraform_data`` resource (no provider to download): real plan files, state,
locks, failures from a provisioner that fails, and Ctrl-C during a provisioner that sleeps."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tfdata import needs_terraform, session, stack_doc, target, write_stack

from trainstack.errors import TrainstackError
from trainstack.provision import plans, runner
from trainstack.provision.terraform import TerraformError

pytestmark = needs_terraform


@pytest.fixture
def out(tmp_path):
    return tmp_path / "cdktf.out"


def test_plan_apply_state_replan_and_destroy(tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "hello"}},
                                       {"url": "${terraform_data.a.output}"}))
    s, t = session(tmp_path, io.StringIO()), target(out, "demo")
    summary = runner.plan(s, t)
    assert summary.add == ("terraform_data.a",) and summary.changes
    record = json.loads(t.paths.plan_record.read_text())
    assert record["stack_sha256"] == plans.sha256_file(t.paths.stack_file)
    assert record["detail"]["add"] == ["terraform_data.a"] and record["destroy"] is False

    outcome = runner.apply_saved(s, t)
    assert outcome.done == {"terraform_data.a": "created in 0 s"}
    assert t.paths.state_file.is_file()  # outside the output folder
    assert not t.paths.plan_file.exists() and not t.paths.plan_record.exists()
    applied = json.loads(t.paths.applied_record.read_text())
    assert applied["format"] == plans.APPLIED_FORMAT and applied["destroyed"] is False

    resources, outputs = runner.state(s, t)
    assert [r["address"] for r in resources] == ["terraform_data.a"]
    assert outputs == {"url": "hello"}
    assert not runner.plan(s, t).changes  # nothing drifts after an apply

    gone = runner.plan(s, t, destroy=True)
    assert gone.destroy == ("terraform_data.a",) and gone.destructive
    runner.apply_saved(s, t, destroy=True)
    assert runner.state(s, t) == ([], {})
    assert json.loads(t.paths.applied_record.read_text())["destroyed"] is True
    # nothing of terraform's landed in the output folder but the stack itself
    assert sorted(p.name for p in t.paths.stack_dir.iterdir()) == ["cdk.tf.json"]


def test_a_saved_plan_is_not_applied_after_the_stack_or_profile_changed(tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "one"}}))
    s = session(tmp_path)
    runner.plan(s, target(out, "demo"))
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "two"}}))
    with pytest.raises(TrainstackError, match="synthesized stack changed since the plan"):
        runner.apply_saved(s, target(out, "demo"))
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "one"}}))
    with pytest.raises(TrainstackError, match="profile demo.yaml changed since"):
        runner.apply_saved(s, target(out, "demo", profile_sha="edited"))
    runner.apply_saved(s, target(out, "demo"))  # as planned: applies
    assert runner.state(s, target(out, "demo"))[0]


def test_a_failing_resource_fails_the_apply_with_its_error_and_no_applied_record(tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {
        "ok": {"input": "x"},
        "bad": {"input": "y", "provisioner": [{"local-exec": {
            "command": "echo quota exceeded >&2; exit 7"}}]}}))
    s, t = session(tmp_path, io.StringIO()), target(out, "demo")
    runner.plan(s, t)
    with pytest.raises(TerraformError) as caught:
        runner.apply_saved(s, t)
    text = "\n".join(caught.value.lines)
    assert caught.value.exit_code == 1
    assert "demo: terraform apply failed (exit 1)" in text
    assert "terraform_data.bad: local-exec provisioner error" in text and "quota exceeded" in text
    assert "full output: " in text and str(t.paths.root / "logs") in text
    assert not t.paths.applied_record.exists()
    # the state keeps what was made (a tainted "bad" is re-created by the next plan)
    assert "terraform_data.ok" in {r["address"] for r in runner.state(s, t)[0]}
    again = runner.plan(s, t)
    assert again.replace == ("terraform_data.bad",)


def test_a_plan_that_fails_leaves_no_plan_behind(tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "${nosuch.thing}"}}))
    s, t = session(tmp_path), target(out, "demo")
    with pytest.raises(TerraformError, match="terraform plan failed"):
        runner.plan(s, t)
    assert not t.paths.plan_file.exists() and not t.paths.plan_record.exists()


def test_secrets_in_the_environment_never_reach_the_screen_or_the_log(tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "x", "provisioner": [
        {"local-exec": {"command": "echo leaked $ARM_CLIENT_SECRET; exit 1"}}]}}))
    screen = io.StringIO()
    s = session(tmp_path, screen, env={"ARM_CLIENT_SECRET": "Sup3r-S3cret-Value"})
    t = target(out, "demo")
    runner.plan(s, t)
    with pytest.raises(TerraformError) as caught:
        runner.apply_saved(s, t)
    logs = "".join(p.read_text() for p in (t.paths.root / "logs").rglob("*.log"))
    assert "leaked ***" in logs
    for text in (logs, screen.getvalue(), "\n".join(caught.value.lines)):
        assert "Sup3r-S3cret-Value" not in text


def test_sensitive_values_terraform_shows_in_clear_are_kept_out_of_logs_and_outputs(
        tmp_path, out):
    # `show -json` and `output -json` print sensitive values in clear; plan and apply do not
    write_stack(out, "demo", stack_doc("demo", "dev", {"a": {"input": "value-in-state"}},
                                       {"v": {"value": "${terraform_data.a.output}",
                                              "sensitive": True}}))
    s, t = session(tmp_path), target(out, "demo")
    runner.plan(s, t)
    runner.apply_saved(s, t)
    assert runner.state(s, t)[1] == {"v": "(sensitive)"}
    logs = "".join(p.read_text() for p in (t.paths.root / "logs").rglob("*.log"))
    assert "output not kept: it holds values" in logs
    assert "value-in-state" not in logs


def test_a_locked_state_names_who_holds_it_and_how_to_release_it(tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {"slow": {"input": "x", "provisioner": [
        {"local-exec": {"command": "sleep 6"}}]}}))
    s, t = session(tmp_path), target(out, "demo")
    runner.plan(s, t)
    env = {**s.env, "TF_DATA_DIR": str(t.paths.data_dir)}
    holder = subprocess.Popen(["terraform", f"-chdir={t.paths.stack_dir}", "apply",
                               "-input=false", "-auto-approve", str(t.paths.plan_file)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)  # terraform holds the lock while the provisioner sleeps
        with pytest.raises(TerraformError) as caught:
            runner.plan(session(tmp_path), t)
    finally:
        holder.wait(timeout=60)
    text = "\n".join(caught.value.lines)
    assert "the state is locked by " in text and "@" in text
    assert f"terraform -chdir={t.paths.stack_dir} force-unlock " in text
    assert "force-unlock <lock id>" not in text  # the real id, read from terraform's message


_INTERRUPT_SCRIPT = """
import io, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from tfdata import session, target
from trainstack.provision import runner
from trainstack.provision.terraform import TerraformInterrupted
out = Path({out!r})
s = session(out.parent, sys.stdout)
try:
    runner.apply_saved(s, target(out, "demo"))
except TerraformInterrupted as exc:
    print("INTERRUPTED", *exc.lines, sep="\\n")
    sys.exit(exc.exit_code)
"""


def test_ctrl_c_is_passed_on_once_terraform_stops_cleanly_and_the_next_run_carries_on(
        tmp_path, out):
    write_stack(out, "demo", stack_doc("demo", "dev", {
        "first": {"input": "x", "provisioner": [{"local-exec": {"command": "sleep 4"}}]},
        "second": {"input": "y", "depends_on": ["terraform_data.first"]}}))
    s, t = session(tmp_path), target(out, "demo")
    runner.plan(s, t)
    script = _INTERRUPT_SCRIPT.format(tests=str(Path(__file__).parent), out=str(out))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**s.env, "PYTHONUNBUFFERED": "1"})
    assert child.stdout is not None
    for line in child.stdout:
        if "terraform_data.first: creating" in line:
            break
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    rest = child.stdout.read()
    assert child.wait(timeout=60) == 130
    assert "INTERRUPTED" in rest and "stopped after the operations in flight" in rest
    # terraform finished the operation in flight, wrote it to state, and started nothing new
    addresses = {r["address"] for r in runner.state(s, t)[0]}
    assert "terraform_data.second" not in addresses
    resumed = runner.plan(s, t)  # the lock was released: a new plan carries on
    assert "terraform_data.second" in resumed.add
    runner.apply_saved(s, t)
    assert {r["address"] for r in runner.state(s, t)[0]} == {"terraform_data.first",
                                                             "terraform_data.second"}


def test_a_missing_stack_is_bad_input(tmp_path, out):
    with pytest.raises(TrainstackError, match="no synthesized stack"):
        runner.plan(session(tmp_path), target(out, "absent"))
    assert not os.path.exists(out)
