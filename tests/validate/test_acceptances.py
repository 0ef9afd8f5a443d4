"""Named acceptances (`accept:` in a profile, trainstack/acceptances.py): a profile written
from scratch for each service passes the README's CI gate (`validate --checkov --pack
strict`) with no hand-written suppression; a preset fits only the profiles it names and
suppresses only its own checks on its own resource types."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import MINIMAL, profile_text
from trainstack.acceptances import PREFIX, PRESETS, suppressions
from trainstack.cli.main import run
from trainstack.errors import ProfileError

PUBLIC_AML = "accept: [public-network, platform-managed-keys, azure-ml-defaults, " \
             "single-region, no-queues, basic-registry]\n"
SCRATCH = {  # what a new user writes (or `trainstack init` writes), one per service
    "aml-public": profile_text(PUBLIC_AML, name="aml-public"),
    "aml-private": profile_text(
        "environment: prod\nconstraints:\n  network: private\n"
        "accept: [platform-managed-keys, azure-ml-defaults, single-region, no-queues]\n",
        name="aml-private"),
    "dbx-public": profile_text(
        "data:\n  size_gb: 600\n  needs_distributed_prep: true\ntraining:\n"
        "  framework: spark-mllib\nteam:\n  prefers: [notebooks]\n"
        "  existing_platform: databricks\naccept: [public-network, platform-managed-keys]\n",
        name="dbx-public").replace("data:\n  size_gb: 1\n", ""),
    "ocr-public": profile_text(
        "accept: [public-network, platform-managed-keys]\n", name="ocr-public").replace(
        "task: classification", "task: ocr\n  prebuilt_ok: true").replace(
        "data:\n  size_gb: 1\n", "data:\n  size_gb: 1\n  modality: document\n"),
    "synapse-private": profile_text(
        "data:\n  size_gb: 300\n  needs_distributed_prep: true\n  modality: tabular\n"
        "training:\n  framework: spark-mllib\nteam:\n  prefers: [sql]\n"
        "  existing_platform: synapse\nconstraints:\n  network: private\n"
        "accept: [platform-managed-keys, single-region, no-queues, spark-only-synapse]\n",
        name="synapse-private").replace("data:\n  size_gb: 1\n", ""),
}


@pytest.mark.node
@pytest.mark.skipif(importlib.util.find_spec("checkov") is None,
                    reason="checkov is not installed (pip install -e '.[checkov]')")
def test_a_profile_from_scratch_for_each_service_passes_the_ci_gate(tmp_path, capsys):
    paths = []
    for name, text in SCRATCH.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        paths.append(str(path))
    assert run(["synth", *paths, "--out", str(tmp_path / "out"), "-q"]) == 0
    services = {}
    for path in paths:
        assert run(["select", path]) == 0
        import json

        services[path] = json.loads(capsys.readouterr().out)["service"]
    assert sorted(set(services.values())) == ["ai-services", "azure-ml", "databricks",
                                              "synapse"]
    code = run(["validate", str(tmp_path / "out"), "--checkov", "--pack", "strict"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 error(s)" in out


def test_a_preset_covers_its_checks_on_its_resource_types_only():
    found = suppressions(["single-region"], [("azurerm_storage_account", "lake"),
                                             ("azurerm_container_registry", "cr"),
                                             ("azurerm_key_vault", "kv")])
    assert [(s["rule"], s["resource"]) for s in found] == [
        ("CKV_AZURE_206", "azurerm_storage_account.lake"),
        ("CKV_AZURE_165", "azurerm_container_registry.cr")]
    assert all(s["reason"].startswith(f"{PREFIX} single-region: ") for s in found)
    assert all(len(reason) >= 10 for p in PRESETS.values() for _, _, reason in p.checks)


def test_a_preset_fits_only_the_profiles_it_names(write_profile):
    from trainstack.profile import load_profile_document

    bad = write_profile(profile_text("constraints:\n  network: private\n"
                                     "accept: [public-network]\n"))
    with pytest.raises(ProfileError, match="accept: public-network fits network: public"):
        load_profile_document(bad)
    prod = write_profile(profile_text("environment: prod\naccept: [basic-registry]\n"))
    with pytest.raises(ProfileError, match="accept: basic-registry does not fit environment"):
        load_profile_document(prod)
    typo = write_profile(MINIMAL + "accept: [public-netwrk]\n")
    with pytest.raises(ProfileError, match="did you mean 'public-network'"):
        load_profile_document(typo)


def test_a_suppression_that_matches_nothing_is_reported_and_an_error_when_strict(
        tmp_path, capsys):
    import json

    from conftest import ROOT

    stack = json.loads((ROOT / "tests" / "golden" / "stacks" / "churn" / "cdk.tf.json")
                       .read_text())
    stack["//"]["trainstack"]["suppressions"].append(
        {"rule": "TS-SEC-007", "resource": "azurerm_storage_account.storage",
         "reason": "left over from a stack that was fixed"})
    folder = tmp_path / "out" / "stacks" / "churn"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(stack))
    assert run(["validate", str(tmp_path / "out"), "--format", "json"]) == 0
    [stale] = [f for f in json.loads(capsys.readouterr().out)["findings"]
               if f["rule"] == "TS-META-005"]
    assert stale["level"] == "warning" and stale["message"] == (
        "the suppression of TS-SEC-007 on azurerm_storage_account.storage matches no "
        "finding: remove it, or it will hide the next one")
    assert run(["validate", str(tmp_path / "out"), "--pack", "strict"]) == 1
    capsys.readouterr()


@pytest.mark.node
def test_presets_suppressions_are_not_judged_when_their_check_does_not_fire(tmp_path,
                                                                            capsys):
    path = tmp_path / "p.yaml"
    path.write_text(profile_text(PUBLIC_AML, name="presets"))
    assert run(["synth", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert run(["validate", str(tmp_path / "out"), "--pack", "strict", "--format",
                "json"]) == 0
    import json

    findings = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in findings if f["rule"] == "TS-META-005"]
    assert any(f["suppressed"] and f["reason"].startswith(PREFIX) for f in findings)


def test_the_bundled_profiles_accept_by_preset_only():
    """The examples users copy show the preferred way: presets, no hand-written suppression
    (CI runs them through the gate; .ci/run)."""
    from conftest import ROOT
    from trainstack.profile import load_profile

    paths = sorted((ROOT / "profiles").glob("*.yaml")) + sorted(
        (ROOT / "tests" / "golden" / "profiles").glob("*.yaml"))
    assert len(paths) == 14
    for path in paths:
        profile = load_profile(path)
        assert profile.accept, path
        assert profile.suppressions == [], path
