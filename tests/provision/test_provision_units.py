"""The pieces of provisioning that need no terraform run: progress from recorded UI output of
the real binary (tools/record_terraform_ui.py), plan summaries, plan records, what destroy
keeps, finding the binary and hiding secrets."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from trainstack.errors import TrainstackError
from trainstack.provision import plans, terraform
from trainstack.provision.events import Progress
from trainstack.provision.kept import after_destroy
from trainstack.provision.layout import StackPaths

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parents[1] / "golden" / "stacks"


def _replay(case: str, live: bool = False) -> tuple[Progress, str]:
    stream = io.StringIO()
    progress = Progress(stream, stack="demo", live=live)
    for line in (DATA / f"{case}.jsonl").read_text(encoding="utf-8").splitlines():
        progress(json.loads(line))
    progress.close()
    return progress, stream.getvalue()


def test_progress_of_a_recorded_apply_names_each_resource_start_and_end():
    progress, text = _replay("apply-ok")
    assert text.splitlines() == [
        "demo: terraform_data.a: creating", "demo: terraform_data.a: created in 0 s",
        "demo: terraform_data.b: creating", "demo: terraform_data.b: created in 0 s"]
    assert progress.outcome.done == {"terraform_data.a": "created in 0 s",
                                     "terraform_data.b": "created in 0 s"}
    assert progress.outcome.summary == "Apply complete! Resources: 2 added, 0 changed, 0 destroyed."
    assert not progress.outcome.failed and not progress.outcome.errors


def test_a_slow_resource_shows_still_creating_as_lines_in_a_log_and_in_place_on_a_terminal():
    _, plain = _replay("apply-slow")
    assert "demo: terraform_data.slow: still creating after 10 s\n" in plain
    _, live = _replay("apply-slow", live=True)
    # rewritten in place (carriage return, erase line), then erased by the next line
    assert "\r\x1b[2Kdemo: terraform_data.slow: still creating after 10 s" in live
    assert "still creating after 10 s\n" not in live
    assert live.endswith("demo: terraform_data.slow: created in 12 s\n")


def test_a_failed_provisioner_is_reported_with_terraforms_own_error():
    progress, text = _replay("apply-failed")
    assert "demo: terraform_data.bad: FAILED after 0 s" in text
    assert progress.outcome.failed["terraform_data.bad"].startswith(
        "terraform_data.bad: local-exec provisioner error: Error running command")
    assert progress.outcome.errors == [progress.outcome.failed["terraform_data.bad"]]
    assert "the service said no" in progress.outcome.errors[0]
    assert progress.outcome.done == {"terraform_data.ok": "created in 0 s"}


def test_a_destroy_says_destroying_and_destroyed():
    _, text = _replay("destroy-ok")
    assert text.count(": destroying") == 2 and text.count(": destroyed in") == 2
    assert "creating" not in text


def test_hostile_addresses_are_shown_escaped():
    stream = io.StringIO()
    Progress(stream, stack="x", live=False)({"type": "apply_start", "hook": {
        "resource": {"addr": "a\x1b[2Jb\nforged"}, "action": "create"}})
    assert "\x1b" not in stream.getvalue() and stream.getvalue().count("\n") == 1


def _change(address: str, *actions: str, mode: str = "managed") -> dict:
    return {"address": address, "mode": mode, "change": {"actions": list(actions)}}


def test_summaries_sort_changes_by_kind_and_mark_replacements_and_deletions():
    shown = {"resource_changes": [
        _change("b.new", "create"), _change("a.new", "create"), _change("c.edit", "update"),
        _change("d.gone", "delete"), _change("e.swap", "delete", "create"),
        _change("f.swap", "create", "delete"), _change("g.same", "no-op"),
        _change("data.h.read", "read", mode="data"), _change("i.read", "read")],
        "output_changes": {"x": {"actions": ["no-op"]}}}
    s = plans.summarize(shown)
    assert s.add == ("a.new", "b.new") and s.change == ("c.edit",)
    assert s.destroy == ("d.gone",) and s.replace == ("e.swap", "f.swap")
    assert s.destructive and s.changes and not s.outputs_changed
    assert s.counts() == {"add": 2, "change": 1, "destroy": 1, "replace": 2}


@pytest.mark.parametrize("shown, changes, destructive", [
    ({}, False, False),
    ({"resource_changes": [_change("a.b", "no-op")]}, False, False),
    ({"output_changes": {"url": {"actions": ["create"]}}}, True, False),
    ({"resource_changes": [_change("a.b", "update")]}, True, False),
    ({"resource_changes": [_change("a.b", "delete")]}, True, True),
])
def test_what_counts_as_a_change_and_as_destructive(shown, changes, destructive):
    s = plans.summarize(shown)
    assert (s.changes, s.destructive) == (changes, destructive)


def test_a_summary_survives_its_record_and_a_damaged_record_counts_as_destructive():
    s = plans.PlanSummary(add=("a.b",), replace=("c.d",), outputs_changed=True)
    assert plans.PlanSummary.from_json(json.loads(json.dumps(s.detail()))) == s
    for damaged in (None, [], {"add": "a.b"}, {"destroy": [1]}):
        back = plans.PlanSummary.from_json(damaged)
        assert back.destructive and back.changes


def _origin(**change: str) -> plans.Origin:
    values = {"profile": "p.yaml", "profile_sha256": "p1", "stack_sha256": "s1",
              "environment": "dev"}
    values.update(change)
    return plans.Origin(**values)


def test_a_saved_plan_is_refused_when_anything_it_was_made_from_changed(tmp_path):
    record = tmp_path / "r.json"
    plans.write_record(record, plans.PLAN_FORMAT, "demo", _origin(), destroy=False)
    saved = plans.read_record(record, plans.PLAN_FORMAT)
    assert plans.stale_reason(saved, _origin(), destroy=False) is None
    assert "profile p.yaml changed" in plans.stale_reason(
        saved, _origin(profile_sha256="p2"), destroy=False)
    assert "stack changed" in plans.stale_reason(saved, _origin(stack_sha256="s2"),
                                                 destroy=False)
    assert "environment" in plans.stale_reason(saved, _origin(environment="prod"),
                                               destroy=False)
    assert "not a destroy plan" in plans.stale_reason(saved, _origin(), destroy=True)
    assert "no saved plan" in plans.stale_reason(None, _origin(), destroy=False)
    assert plans.read_record(record, plans.APPLIED_FORMAT) is None  # another kind
    (tmp_path / "bad.json").write_text("{not json")
    assert plans.read_record(tmp_path / "bad.json", plans.PLAN_FORMAT) is None


def _golden(name: str) -> dict:
    return json.loads((GOLDEN / name / "cdk.tf.json").read_text(encoding="utf-8"))


def test_destroy_of_a_prod_stack_keeps_names_and_says_for_how_long():
    # fraud-private is prod: azurerm's defaults keep soft-deleted workspaces and vaults
    # (constructs/base.py destroy_features; internal/features/defaults.go, v5.2.0)
    lines = after_destroy(_golden("fraud-private"))
    text = "\n".join(lines)
    assert "soft-deleted for 90 days with purge protection" in text
    assert "Azure ML workspace" in text and "soft-deleted for 14 days" in text
    assert "Log Analytics workspace" in text and "recovers it" in text
    assert "resource group" in text and "not deleted while" in text


def test_destroy_of_a_dev_stack_purges_the_workspace_and_frees_its_name():
    text = "\n".join(after_destroy(_golden("churn")))
    assert "purged, its name is free at once" in text
    assert "soft-deleted for 7 days with purge protection" in text
    assert "resource group" not in text and "Log Analytics workspace" in text
    assert "deleted for good" in text


def test_destroy_of_a_prod_ai_services_account_says_how_to_purge_it():
    doc = {"resource": {"azurerm_cognitive_account": {"ocr": {"name": "ai-x"}}},
           "provider": {"azurerm": [{"features": [{"cognitive_account": [
               {"purge_soft_delete_on_destroy": False}]}]}]}}
    expected = ("AI services account ai-x: soft-deleted for 48 hours, holding its name; purge: "
                "az cognitiveservices account purge --name ai-x --resource-group <group> "
                "--location <region>")
    assert after_destroy(doc) == [expected]
    assert after_destroy({"resource": {"azurerm_cognitive_account": {"ocr": {"name": "ai-x"}}}}
                         ) == ["AI services account ai-x: purged"]  # the provider's default


def test_paths_keep_everything_outside_the_output_beside_the_local_state(tmp_path):
    paths = StackPaths("demo", "prod", tmp_path / "cdktf.out")
    root = tmp_path / ".trainstack"
    assert paths.state_file == root / "state/prod/demo.tfstate"
    assert paths.kept_lock_file == root / "state/prod/demo.terraform.lock.hcl"
    assert paths.data_dir == root / "work/prod/demo"
    assert paths.plan_file == root / "plans/prod/demo.tfplan"
    assert paths.stack_dir == tmp_path / "cdktf.out/stacks/demo"
    # the stack's own backend path, relative to its folder, is the same file
    backend = "../../../.trainstack/state/prod/demo.tfstate"
    assert (paths.stack_dir / backend).resolve() == paths.state_file.resolve()


def test_the_lock_file_is_kept_next_to_state_and_put_back_after_a_new_output(tmp_path):
    paths = StackPaths("demo", "dev", tmp_path / "cdktf.out")
    paths.stack_dir.mkdir(parents=True)
    (paths.stack_dir / ".terraform.lock.hcl").write_text("# providers v1\n")
    paths.keep_lock_file()
    assert paths.kept_lock_file.read_text() == "# providers v1\n"
    (paths.stack_dir / ".terraform.lock.hcl").unlink()  # the output was deleted
    paths.restore_lock_file()
    assert (paths.stack_dir / ".terraform.lock.hcl").read_text() == "# providers v1\n"


def _script(directory: Path, name: str, version_json: str) -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{version_json}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_an_old_terraform_is_refused_with_what_to_do(tmp_path):
    # the one case the real binary cannot play: a version this machine does not have
    _script(tmp_path, "terraform", '{"terraform_version": "1.4.6"}')
    with pytest.raises(TrainstackError, match=r"terraform 1\.4\.6; the stacks need >= 1\.5"):
        terraform.find(None, {"PATH": str(tmp_path)})


def test_opentofu_is_found_when_terraform_is_not(tmp_path):
    _script(tmp_path, "tofu", '{"terraform_version": "1.8.3"}')
    found = terraform.find(None, {"PATH": str(tmp_path)})
    assert (found.name, found.version) == ("tofu", (1, 8, 3))


def test_no_binary_and_a_bad_setting_are_errors_that_say_what_to_set(tmp_path):
    with pytest.raises(TrainstackError, match="neither 'terraform' nor 'tofu'"):
        terraform.find(None, {"PATH": str(tmp_path)})
    with pytest.raises(TrainstackError, match="from TRAINSTACK_TERRAFORM"):
        terraform.find(None, {"PATH": str(tmp_path), "TRAINSTACK_TERRAFORM": "nope"})
    _script(tmp_path, "weird", "not json")
    with pytest.raises(TrainstackError, match="did not report its version"):
        terraform.find(str(tmp_path / "weird"), {"PATH": ""})


@pytest.mark.skipif(not any((Path(p) / "terraform").is_file()
                            for p in os.environ.get("PATH", "").split(os.pathsep)),
                    reason="terraform is not installed")
def test_the_installed_terraform_is_found_and_recent_enough():
    found = terraform.find(None)
    assert found.version >= terraform.MIN_VERSION


def test_secret_values_are_hidden_raw_and_json_escaped():
    env = {"ARM_CLIENT_SECRET": 'p"ss\\w0rd', "ARM_OIDC_TOKEN": "eyJ0eXAi.abc",
           "ARM_USE_OIDC": "true", "PATH": "/usr/bin", "MY_API_KEY": "k-123456",
           "SHORT_TOKEN": "abc"}
    secrets = terraform.secret_values(env)
    line = 'token eyJ0eXAi.abc and "p\\"ss\\\\w0rd" and p"ss\\w0rd k-123456 true abc'
    assert terraform.scrub(line, secrets) == 'token *** and "***" and *** *** true abc'
