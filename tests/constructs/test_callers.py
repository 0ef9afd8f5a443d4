"""Step 2/5: the callers a profile names (deploy.callers) can call its Azure AI services
accounts with Entra ID (keys are off): each gets the account's data role, as the
principal of any kind it is (no principal type, so Azure looks it up)."""

from __future__ import annotations

import pytest
from conftest import MINIMAL, parse
from test_stacks import by_type, schema_clean, spec_for

from trainstack.errors import ProfileError

CALLERS = ["11111111-2222-3333-4444-555555555555", "AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee"]


def _profile(task: str, callers: list[str]) -> str:
    return MINIMAL.replace("task: classification", f"task: {task}\n  prebuilt_ok: true") + (
        f"deploy:\n  requests_per_month: 1000\n  callers: [{', '.join(callers)}]\n")


@pytest.mark.parametrize("task, kind, role", [
    ("translation", "TextTranslation", "Cognitive Services User"),
    ("text-generation", "OpenAI", "Cognitive Services OpenAI User"),
])
def test_each_caller_gets_the_data_role_of_each_account(task, kind, role):
    _, spec = spec_for(_profile(task, CALLERS))
    schema_clean(spec)
    t = by_type(spec)
    (account,) = t["azurerm_cognitive_account"]
    assert account["kind"] == kind and account["local_auth_enabled"] is False
    local = kind.lower()
    grants = [g for g in t["azurerm_role_assignment"]
              if g["scope"] == f"${{azurerm_cognitive_account.{local}.id}}"]
    assert [(g["principal_id"], g["role_definition_name"]) for g in grants] == [
        (c, role) for c in CALLERS]
    assert all("principal_type" not in g for g in grants)


def test_without_callers_no_grant():
    _, spec = spec_for(_profile("translation", []))
    assert "azurerm_role_assignment" not in by_type(spec)


@pytest.mark.parametrize("callers, message", [
    (["not-a-guid"], "deploy.callers.0"),
    ([CALLERS[0], CALLERS[0].upper()], "callers: each object id once"),
    ([f"{i:08d}-0000-0000-0000-000000000000" for i in range(17)], "deploy.callers"),
])
def test_callers_must_be_object_ids_each_once(callers, message):
    with pytest.raises(ProfileError, match=message):
        parse(f"deploy:\n  callers: [{', '.join(callers)}]\n")
