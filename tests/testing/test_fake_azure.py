"""trainstack.testing.fake_azure on its own: the real SDK clients and credentials against it,
the shapes of each api-version, Entra ID's refusals, ARM's errors, injected faults, and a
call it does not know failing the test loudly."""

from __future__ import annotations

import pytest
import requests

from trainstack.testing import UnknownAzureCall, fake_azure

ARM = "https://management.azure.com"
T4 = "standardNCASv3_T4Family"


def _token(fake) -> str:  # noqa: ANN001
    from azure.identity import ClientSecretCredential

    credential = ClientSecretCredential(fake.tenant_id, fake.client_id, fake.client_secret)
    return credential.get_token("https://management.azure.com/.default").token


def _get(fake, path: str, version: str, token: str | None = None) -> requests.Response:  # noqa: ANN001
    token = token or _token(fake)
    return requests.get(f"{ARM}{path}", params={"api-version": version},
                        headers={"Authorization": f"Bearer {token}"}, timeout=5)


def _loc(fake, what: str) -> str:  # noqa: ANN001
    return (f"/subscriptions/{fake.subscription_id}/providers/"
            f"Microsoft.MachineLearningServices/locations/eastus/{what}")


def test_the_real_sdk_reads_sizes_and_usages_in_the_2020_08_01_shape():
    from azure.identity import ClientSecretCredential
    from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient

    with fake_azure() as fake:
        fake.offer("eastus", "Standard_NC4as_T4_v3", family=T4, vcpus=4, gpus=1, memory_gb=28)
        fake.set_quota("eastus", T4, used=8, limit=24, low_priority_used=4)
        client = MachineLearningServicesMgmtClient(
            ClientSecretCredential(fake.tenant_id, fake.client_id, fake.client_secret),
            fake.subscription_id)
        [size] = client.virtual_machine_sizes.list("eastus").aml_compute
        usages = {(u.name.value, u.type.split("/", 1)[1]): (u.current_value, u.limit)
                  for u in client.usages.list("eastus")}
    assert (size.name, size.family, size.v_cp_us, size.low_priority_capable) == (
        "Standard_NC4as_T4_v3", T4, 4, True)
    assert usages == {
        ("StandardNCASv3_T4Family", "vmFamily/dedicatedCores/usages"): (8, 24),
        ("StandardNCASv3_T4Family", "vmFamily/lowPriorityCores/usages"): (4, -1),
        ("TotalDedicatedCores", "totalDedicatedCores/usages"): (0, 100),
        ("TotalLowPriorityCores", "totalLowPriorityCores/usages"): (0, 100)}
    assert all(c.url.startswith(("https://login.microsoftonline.com/", ARM))
               for c in fake.calls)


def test_a_later_api_version_gets_the_later_shape():
    with fake_azure() as fake:
        fake.offer("eastus", "Standard_D4s_v3", family="standardDSv3Family", vcpus=4,
                   memory_gb=16)
        fake.set_quota("eastus", "standardDSv3Family", used=2, limit=24)
        sizes = _get(fake, _loc(fake, "vmSizes"), "2024-10-01").json()
        usages = _get(fake, _loc(fake, "usages"), "2024-10-01").json()["value"]
    assert list(sizes) == ["value"] and sizes["value"][0]["name"] == "Standard_D4s_v3"
    family = next(u for u in usages if u["limit"] == 24)
    assert family["name"]["value"] == "Standard DSv3 Family Cluster Dedicated vCPUs"
    assert family["type"] == "Microsoft.MachineLearningServices/vmFamily/usages"
    assert "Total Cluster LowPriority Regional vCPUs" in {u["name"]["value"] for u in usages}


def test_an_api_version_the_route_does_not_have_is_refused_as_arm_does():
    with fake_azure() as fake:
        answer = _get(fake, _loc(fake, "vmSizes"), "2019-01-01")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidApiVersionParameter"
    assert "2020-08-01,2024-10-01" in answer.json()["error"]["message"]


def test_arm_refuses_a_missing_or_foreign_token_and_an_unknown_subscription():
    with fake_azure() as fake:
        no_token = _get(fake, _loc(fake, "usages"), "2020-08-01", token="made-up")
        other = _get(fake, "/subscriptions/99999999-0000-0000-0000-000000000000/providers/"
                     "Microsoft.MachineLearningServices/locations/eastus/usages", "2020-08-01")
    assert (no_token.status_code, no_token.json()["error"]["code"]) == (
        401, "InvalidAuthenticationToken")
    assert (other.status_code, other.json()["error"]["code"]) == (404, "SubscriptionNotFound")


def test_entra_refuses_a_wrong_secret_and_an_unknown_application():
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import ClientSecretCredential

    with fake_azure() as fake:
        for client, secret, code in ((fake.client_id, "wrong", "AADSTS7000215"),
                                     ("11111111-0000-0000-0000-000000000000", "x",
                                      "AADSTS700016")):
            credential = ClientSecretCredential(fake.tenant_id, client, secret)
            with pytest.raises(ClientAuthenticationError, match=code):
                credential.get_token("https://management.azure.com/.default")


def test_faults_are_served_first_then_the_route_again():
    with fake_azure() as fake:
        fake.fail_next("GET", r"/usages$", status=429, code="TooManyRequests", retry_after=7,
                       times=2)
        token = _token(fake)
        first = _get(fake, _loc(fake, "usages"), "2020-08-01", token)
        second = _get(fake, _loc(fake, "usages"), "2020-08-01", token)
        third = _get(fake, _loc(fake, "usages"), "2020-08-01", token)
    assert [r.status_code for r in (first, second, third)] == [429, 429, 200]
    assert first.headers["Retry-After"] == "7"
    assert first.json() == {"error": {"code": "TooManyRequests", "message": "TooManyRequests"}}


@pytest.mark.parametrize("ns, verb, version, body, field", [
    ("Microsoft.Storage", "checkNameAvailability", "2023-05-01",
     {"name": "stx", "type": "Microsoft.Storage/storageAccounts"}, "nameAvailable"),
    ("Microsoft.KeyVault", "checkNameAvailability", "2024-11-01",
     {"name": "stx", "type": "Microsoft.KeyVault/vaults"}, "nameAvailable"),
    ("Microsoft.ContainerRegistry", "checkNameAvailability", "2023-07-01",
     {"name": "stx", "type": "Microsoft.ContainerRegistry/registries"}, "nameAvailable"),
    ("Microsoft.Synapse", "checkNameAvailability", "2021-06-01",
     {"name": "stx", "type": "Microsoft.Synapse/workspaces"}, "available"),
    ("Microsoft.CognitiveServices", "checkDomainAvailability", "2024-10-01",
     {"subdomainName": "stx", "type": "Microsoft.CognitiveServices/accounts"},
     "isSubdomainAvailable"),
])
def test_name_checks_answer_free_then_taken_in_each_services_shape(ns, verb, version, body,
                                                                   field):
    kind = {"Microsoft.Storage": "storage", "Microsoft.KeyVault": "vault",
            "Microsoft.ContainerRegistry": "registry", "Microsoft.Synapse": "synapse",
            "Microsoft.CognitiveServices": "subdomain"}[ns]
    with fake_azure() as fake:
        token = _token(fake)
        url = f"{ARM}/subscriptions/{fake.subscription_id}/providers/{ns}/{verb}"

        def ask(payload: dict) -> requests.Response:
            return requests.post(url, params={"api-version": version}, json=payload,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=5)

        free = ask(body).json()
        fake.take_name(kind, "STX")  # names are compared without case
        taken = ask(body).json()
        wrong_type = ask({**body, "type": "Microsoft.Other/things"})
    assert free[field] is True and taken[field] is False
    assert wrong_type.status_code == 400


def test_a_call_it_does_not_know_fails_the_block_naming_it():
    with pytest.raises(UnknownAzureCall, match=r"GET https://management\.azure\.com/nope"):
        with fake_azure():
            answer = requests.get(f"{ARM}/nope", timeout=5)
            assert answer.status_code == 501
    with pytest.raises(UnknownAzureCall, match="example.org"):
        with fake_azure():
            requests.get("https://example.org/", timeout=5)  # nothing leaves the process


def test_registration_of_a_provider_and_the_ones_azure_always_registers():
    with fake_azure() as fake:
        token = _token(fake)
        base = f"/subscriptions/{fake.subscription_id}/providers"
        before = _get(fake, f"{base}/Microsoft.Synapse", "2021-04-01", token).json()
        registered = requests.post(f"{ARM}{base}/Microsoft.Synapse/register",
                                   params={"api-version": "2021-04-01"},
                                   headers={"Authorization": f"Bearer {token}"}, timeout=5)
        always = _get(fake, f"{base}/Microsoft.Resources", "2021-04-01", token).json()
    assert before["registrationState"] == "NotRegistered"
    assert registered.json()["registrationState"] == "Registered"
    assert always["registrationState"] == "Registered"


from trainstack.testing.fixture import azure  # noqa: E402, F401 - the fixture, as users get it


def test_the_fixture_signs_the_process_in(azure):  # noqa: F811
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token("https://management.azure.com/.default")
    assert token.token in azure.tokens
    assert _get(azure, _loc(azure, "usages"), "2020-08-01", token.token).status_code == 200


def test_long_running_creates_and_deletes_through_the_real_sdk():
    from azure.core.exceptions import ResourceNotFoundError
    from azure.identity import ClientSecretCredential
    from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient
    from azure.mgmt.machinelearningservices import models as m

    with fake_azure() as fake:
        fake.operation_polls = 2
        fake.register("Microsoft.MachineLearningServices")
        client = MachineLearningServicesMgmtClient(
            ClientSecretCredential(fake.tenant_id, fake.client_id, fake.client_secret),
            fake.subscription_id, polling_interval=0)
        ws = client.workspaces.begin_create_or_update("rg", "mlw", m.Workspace(
            location="eastus", key_vault="/kv", storage_account="/st",
            application_insights="/ai")).result()
        cluster = m.AmlCompute(properties=m.AmlComputeProperties(
            vm_size="Standard_D4s_v3", vm_priority="LowPriority",
            scale_settings=m.ScaleSettings(max_node_count=4, min_node_count=0,
                                           node_idle_time_before_scale_down="PT15M")))
        made = client.machine_learning_compute.begin_create_or_update(
            "rg", "mlw", "train", m.ComputeResource(location="eastus", properties=cluster)
        ).result()
        listed = [c.name for c in client.machine_learning_compute.list_by_workspace("rg", "mlw")]
        client.machine_learning_compute.begin_delete(
            "rg", "mlw", "train", underlying_resource_action="Delete").result()
        with pytest.raises(ResourceNotFoundError, match="ResourceNotFound"):
            client.machine_learning_compute.get("rg", "mlw", "train")
        polls = [c.status for c in fake.calls if "/operations/" in c.url]
    assert (ws.name, ws.provisioning_state) == ("mlw", "Succeeded")
    assert made.properties.properties.scale_settings.max_node_count == 4
    assert listed == ["train"]
    assert polls.count(202) == 4  # two polls in progress each for the workspace and delete


def test_fields_2020_08_01_lacks_are_left_out_of_its_answers():
    with fake_azure() as fake:
        fake.add_workspace("rg", "mlw", "eastus", properties={
            "publicNetworkAccess": "Disabled",
            "managedNetwork": {"isolationMode": "AllowInternetOutbound"}})
        fake.add_compute("rg", "mlw", "ci", {"computeType": "ComputeInstance", "properties": {
            "vmSize": "Standard_D4_v3", "idleTimeBeforeShutdown": "PT60M"}})
        token = _token(fake)
        base = f"/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers/" \
               "Microsoft.MachineLearningServices/workspaces/mlw"
        old_ws = _get(fake, base, "2020-08-01", token).json()["properties"]
        new_ws = _get(fake, base, "2024-10-01", token).json()["properties"]
        old_ci = _get(fake, base + "/computes/ci", "2020-08-01", token).json()
        new_ci = _get(fake, base + "/computes/ci", "2024-10-01", token).json()
    assert "publicNetworkAccess" not in old_ws and "managedNetwork" not in old_ws
    assert new_ws["publicNetworkAccess"] == "Disabled"
    assert "idleTimeBeforeShutdown" not in old_ci["properties"]["properties"]
    assert new_ci["properties"]["properties"]["idleTimeBeforeShutdown"] == "PT60M"


def test_creating_under_an_unregistered_namespace_is_missing_subscription_registration():
    from azure.core.exceptions import HttpResponseError
    from azure.identity import ClientSecretCredential
    from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient
    from azure.mgmt.machinelearningservices import models as m

    with fake_azure() as fake:
        client = MachineLearningServicesMgmtClient(
            ClientSecretCredential(fake.tenant_id, fake.client_id, fake.client_secret),
            fake.subscription_id, polling_interval=0)
        with pytest.raises(HttpResponseError, match="MissingSubscriptionRegistration"):
            client.workspaces.begin_create_or_update("rg", "mlw", m.Workspace(
                location="eastus", key_vault="/kv", storage_account="/st",
                application_insights="/ai")).result()
