"""`trainstack preflight` through the real azure-identity credential and the real Azure ML SDK
client, against trainstack.testing.fake_azure: each failure the issue names is caught, a
quota shortage leads to a fallback, and nothing fits says what to request.

vision-defects selects Standard_NC4as_T4_v3 x 4, low priority, in eastus2, and a batch scoring
cluster of one such node (20 vCPUs of the
regional low-priority quota; tests/golden/select/vision-defects.json)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from trainstack.cli.main import run
from trainstack.testing import fake_azure

VISION = str(ROOT / "profiles" / "vision-defects.yaml")
T4 = "standardNCASv3_T4Family"


@pytest.fixture
def azure(monkeypatch, tmp_path):
    """A fake Azure that offers the T4 sizes in eastus2 with room for them, the process
    signed in as its service principal."""
    monkeypatch.chdir(tmp_path)
    with fake_azure() as fake:
        for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
            monkeypatch.setenv(name, getattr(fake, name.lower().removeprefix("azure_")))
        monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", fake.subscription_id)
        for vcpus in (4, 8, 16, 64):
            fake.offer("eastus2", f"Standard_NC{vcpus}as_T4_v3", family=T4, vcpus=vcpus,
                       gpus=1 if vcpus < 64 else 4, memory_gb=vcpus * 7)
        fake.set_quota("eastus2", T4, used=0, limit=64)
        for ns in ("Microsoft.MachineLearningServices", "Microsoft.Storage",
                   "Microsoft.KeyVault", "Microsoft.ContainerRegistry",
                   "Microsoft.OperationalInsights", "microsoft.insights",
                   "Microsoft.AlertsManagement", "Microsoft.Notebooks"):
            fake.register(ns)
        yield fake


def _preflight(capsys, *extra: str) -> tuple[int, list[dict], str]:
    code = run(["preflight", VISION, "--format", "json", *extra])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else [], captured.err


def _checks(report: dict, check_id: str) -> list[dict]:
    return [c for c in report["checks"] if c["id"] == check_id]


def test_everything_in_place_passes(azure, capsys):
    code, [report], _ = _preflight(capsys)
    assert code == 0 and report["ok"] is True and report["reselected"] is None
    assert report["profile"] == "vision-defects"
    assert _checks(report, "vm-size-offered") == [{
        "id": "vm-size-offered", "status": "pass", "resource": "Standard_NC4as_T4_v3",
        "message": "offered in eastus2 at low priority"}]
    [quota] = _checks(report, "quota")
    assert quota["resource"] == f"{T4} (low-priority)"
    # the training cluster's 4 nodes and the batch scoring cluster's 1, 4 vCPUs each
    assert quota["message"] == "20 vCPUs needed, 100 free in eastus2"
    assert {c["status"] for c in _checks(report, "provider-registered")} == {"pass"}
    names = {c["resource"] for c in _checks(report, "name-free")}
    assert any(n.startswith("stvisiondefects") for n in names) and len(names) == 3
    # the real credential got a token from the fake Entra ID, then every call used it
    assert [c.url.split("?")[0].rsplit("/", 1)[-1] for c in azure.calls[:2]] == [
        "openid-configuration", "token"]


def test_a_size_the_region_does_not_offer_fails_and_the_next_size_is_the_fallback(
        azure, capsys):
    region = azure.region(azure.subscription_id, "eastus2")
    region.sizes = [s for s in region.sizes if s["name"] != "Standard_NC4as_T4_v3"]
    code, [report], err = _preflight(capsys)
    assert code == 1 and report["ok"] is False
    [size] = _checks(report, "vm-size-offered")
    assert size["status"] == "fail"
    assert size["message"] == "Standard_NC4as_T4_v3 is not offered for Azure ML compute in eastus2"
    assert report["reselected"]["compute"][0]["vm_size"] == "Standard_NC8as_T4_v3"
    assert any(a["vm_size"] == "Standard_NC4as_T4_v3" and "not available" in
               a["rejected_because"] for a in report["reselected"]["alternatives"])


def test_low_priority_on_a_size_that_cannot_run_it_fails(azure, capsys):
    region = azure.region(azure.subscription_id, "eastus2")
    region.sizes[0]["lowPriorityCapable"] = False
    code, [report], _ = _preflight(capsys)
    assert code == 1
    assert _checks(report, "vm-size-offered")[0]["message"] == (
        "Standard_NC4as_T4_v3 cannot run at low priority in eastus2")


def test_a_quota_shortage_fails_and_the_fallback_caps_the_nodes(azure, capsys):
    azure.set_total_quota("eastus2", low_priority=(90, 100))  # 10 free < 4 nodes x 4 vCPUs
    code, [report], _ = _preflight(capsys)
    assert code == 1
    [quota] = _checks(report, "quota")
    assert quota["status"] == "fail"
    assert quota["message"] == (
        "20 vCPUs needed at most, 10 free in eastus2: request a low-priority vCPU quota "
        f"increase of 10 for {T4} (Azure portal, Quotas, Machine learning)")
    fallback = report["reselected"]["compute"][0]
    assert (fallback["vm_size"], fallback["max_nodes"]) == ("Standard_NC4as_T4_v3", 2)
    assert any(r["rule"] == "NODES-QUOTA" for r in report["reselected"]["rationale"])


def test_no_quota_anywhere_means_no_fallback_and_what_to_request(azure, capsys):
    azure.set_total_quota("eastus2", low_priority=(0, 0), dedicated=(0, 0))
    code = run(["preflight", VISION])
    err = capsys.readouterr().err
    assert code == 1
    assert "vision-defects: NOT READY" in err
    assert "request a low-priority vCPU quota increase of 20" in err
    assert "nothing else fits this profile with what Azure said" in err
    assert "    the selector: " in err  # its reason, e.g. the nearest regions that fit


def test_dedicated_quota_counts_the_family_limit_and_the_regional_total(azure):
    from trainstack.azure import facts as live

    q = live.Quota(dedicated={T4.lower(): (40, 64)}, total_dedicated=(90, 100),
                   total_low_priority=(0, 20))
    assert q.headroom(T4, low_priority=False) == 10  # the regional total binds
    assert q.headroom(T4, low_priority=True) == 20  # no family limit for low priority
    assert live.Quota().headroom(T4, False) is None


def test_a_taken_name_fails_and_a_soft_deleted_vault_is_recovered(azure, capsys):
    code, [report], _ = _preflight(capsys)
    names = {c["resource"] for c in _checks(report, "name-free")}
    storage = next(n for n in names if n.startswith("st"))
    vault = next(n for n in names if n.startswith("kv-"))
    azure.take_name("storage", storage)
    azure.soft_delete_vault(vault, "eastus2")
    code, [report], _ = _preflight(capsys)
    assert code == 1
    by_name = {c["resource"]: c for c in _checks(report, "name-free")}
    assert by_name[storage]["status"] == "fail"
    assert "already in use" in by_name[storage]["message"]
    assert "TRAINSTACK_NAME_SALT" in by_name[storage]["message"]
    assert by_name[vault]["status"] == "warn"
    assert "soft-deleted vault of this subscription holds it (purged 2027-02-18" in \
        by_name[vault]["message"]


def test_an_unregistered_provider_is_a_warning_the_stack_resolves(azure, capsys):
    azure.register("Microsoft.MachineLearningServices", "NotRegistered")
    code, [report], _ = _preflight(capsys)
    assert code == 0
    [ml] = [c for c in _checks(report, "provider-registered")
            if c["resource"] == "Microsoft.MachineLearningServices"]
    assert ml["status"] == "warn" and ml["message"].startswith("NotRegistered: the stack")


def test_throttling_is_retried_after_the_time_azure_asks(azure, capsys):
    azure.fail_next("GET", r"/usages$", status=429, code="TooManyRequests", retry_after=1)
    code, [report], _ = _preflight(capsys)
    assert code == 0
    usages = [c for c in azure.calls if c.url.split("?")[0].endswith("/usages")]
    assert [c.status for c in usages] == [429, 200]


def test_a_server_that_keeps_failing_is_an_error_after_bounded_retries(azure, capsys,
                                                                       monkeypatch):
    from trainstack.azure import connect

    monkeypatch.setattr(connect, "BACKOFF", 0.01)
    azure.fail_next("GET", r"/vmSizes$", status=500, code="InternalServerError", times=99,
                    message="The server had an error")
    code, reports, err = _preflight(capsys)
    assert code == 1 and reports == []
    assert "error: InternalServerError: The server had an error" in err
    tries = [c for c in azure.calls if c.url.split("?")[0].endswith("/vmSizes")]
    assert len(tries) == 1 + connect.RETRIES


def test_no_permission_is_reported_with_azures_message(azure, capsys):
    azure.fail_next("GET", r"/usages$", status=403, code="AuthorizationFailed",
                    message="The client does not have authorization to perform action "
                            "'Microsoft.MachineLearningServices/locations/usages/read'")
    code, _, err = _preflight(capsys)
    assert code == 1
    assert "AuthorizationFailed: The client does not have authorization" in err


def test_secrets_and_tokens_never_reach_the_output(azure, capsys):
    azure.fail_next("GET", r"/usages$", status=400, code="BadRequest",
                    message=f"echo of the request: secret={azure.client_secret}")
    code, _, err = _preflight(capsys)
    assert code == 1
    assert azure.client_secret not in err and "secret=***" in err
    code, out, err = _preflight(capsys)
    assert code == 0 and azure.tokens
    text = json.dumps(out) + err
    assert not any(token in text for token in azure.tokens)
    assert azure.client_secret not in text


def test_a_taken_ai_services_subdomain_fails(azure, capsys):
    code, [report], _ = _preflight_of(capsys, "invoice-ocr")
    [subdomain] = _checks(report, "name-free")
    assert code == 0 and subdomain["status"] == "pass"
    assert _checks(report, "quota") == []  # nothing runs on VMs: no size or quota checks
    azure.take_name("subdomain", subdomain["resource"])
    code, [report], _ = _preflight_of(capsys, "invoice-ocr")
    assert code == 1
    assert _checks(report, "name-free")[0]["message"].startswith(
        f"Subdomain name '{subdomain['resource']}' is already taken.")


def _preflight_of(capsys, profile: str) -> tuple[int, list[dict], str]:
    code = run(["preflight", str(ROOT / "profiles" / f"{profile}.yaml"), "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else [], captured.err


def test_a_wrong_secret_says_which_credentials_were_tried_and_how_to_sign_in(
        azure, capsys, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-the-secret")
    code, _, err = _preflight(capsys)
    assert code == 2
    assert "no Azure credential worked" in err and "az login" in err
    assert "AADSTS7000215" in err and "not-the-secret" not in err


def test_no_credentials_at_all_is_exit_2(azure, capsys, monkeypatch):
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, azd or pwsh to ask
    code, _, err = _preflight(capsys)
    assert code == 2
    assert "EnvironmentCredential" in err and "ManagedIdentityCredential" in err


def test_no_subscription_is_exit_2_with_what_to_set(azure, capsys, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    monkeypatch.delenv("ARM_SUBSCRIPTION_ID", raising=False)
    assert run(["preflight", VISION]) == 2
    assert "pass --subscription, or set AZURE_SUBSCRIPTION_ID" in capsys.readouterr().err
    assert run(["preflight", VISION, "--subscription", "not-a-guid"]) == 2
    assert "a subscription id is a GUID" in capsys.readouterr().err


def test_an_unknown_subscription_is_azures_error(azure, capsys):
    code, _, err = _preflight(capsys, "--subscription", "11111111-2222-3333-4444-555555555555")
    assert code == 1 and "SubscriptionNotFound" in err


def test_terraforms_arm_service_principal_signs_in_too(azure, capsys, monkeypatch):
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.setenv(f"ARM_{name}", getattr(azure, name.lower()))
        monkeypatch.delenv(f"AZURE_{name}")
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    monkeypatch.setenv("ARM_SUBSCRIPTION_ID", azure.subscription_id)
    code, [report], _ = _preflight(capsys)
    assert code == 0 and report["ok"]


def test_every_call_to_azure_has_a_connect_and_a_read_timeout(azure, capsys):
    from trainstack.azure import connect

    code, _, _ = _preflight(capsys)
    arm = [c for c in azure.calls if c.url.startswith("https://management.azure.com/")]
    assert code == 0 and arm
    assert {tuple(c.timeout) for c in arm} == {(connect.CONNECT_TIMEOUT, connect.READ_TIMEOUT)}


@pytest.mark.parametrize("key", ["amlCompute", "value"])
def test_offered_sizes_are_read_in_either_shape_of_the_answer(azure, key):
    from trainstack.azure import facts as live
    from trainstack.azure.connect import connect

    azure.vm_sizes_2020_key = key
    azure.offer("eastus2", "Standard_D4s_v3", family="standardDSv3Family", vcpus=4,
                memory_gb=16, low_priority=False)
    sizes = live.offered_sizes(connect(None), "eastus2")
    assert sizes["Standard_D4s_v3"] == live.Offered("Standard_D4s_v3", "standardDSv3Family", 4,
                                                    False)
    assert sizes["Standard_NC64as_T4_v3"] == live.Offered("Standard_NC64as_T4_v3", T4, 64, True)
    assert set(sizes) == {"Standard_D4s_v3", *(f"Standard_NC{v}as_T4_v3" for v in (4, 8, 16, 64))}
    assert live.offered_sizes(connect(None), "westus") == {}


def test_quota_reads_families_and_regional_totals(azure):
    from trainstack.azure import facts as live
    from trainstack.azure.connect import connect

    azure.set_quota("eastus2", "standardDSv3Family", used=8, limit=24, low_priority_used=4)
    azure.set_total_quota("eastus2", dedicated=(30, 100), low_priority=(4, 50))
    q = live.quota(connect(None), "eastus2")
    # per family: dedicated only (low priority has no family limit), keyed as the catalog
    assert q.dedicated == {T4.lower(): (0, 64), "standarddsv3family": (8, 24)}
    assert (q.total_dedicated, q.total_low_priority) == ((30, 100), (4, 50))
    assert q.headroom("standardDSv3Family", low_priority=False) == 16
    assert q.headroom("standardDSv3Family", low_priority=True) == 46
