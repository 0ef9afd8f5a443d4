"""A stack folder as terraform reads it (Stack.from_files): other *.tf.json files add
blocks, override files replace arguments, and the metadata comes from cdk.tf.json alone
(developer.hashicorp.com/terraform/language/files/override). Inline JSON, no Node."""

from __future__ import annotations

import pytest

from trainstack.validate.model import Stack
from trainstack.validate.reader import StackError

PATH = "out/stacks/s/cdk.tf.json"
META = {"trainstack": {"profile": "s"}}


def base() -> dict:
    return {"//": META,
            "resource": {"azurerm_key_vault": {"kv": {"name": "kv", "purge_protection_enabled":
                                                      True, "sku_name": "standard"}}},
            "data": {"azurerm_client_config": {"me": {}}},
            "output": {"a": {"value": "1"}}}


def test_other_files_add_blocks_after_an_override_file_too():
    """Files come sorted; an override file before an ordinary one must not end the reading."""
    extras = [("a_override.tf.json", {"resource": {"azurerm_key_vault": {"kv": {
                  "sku_name": "premium"}}}}),
              ("b.tf.json", {"resource": {"azurerm_storage_account": {"sa": {"name": "x"}}},
                             "output": {"b": {"value": "2"}}})]
    stack = Stack.from_files("s", PATH, base(), extras, ["c.tf"])
    assert sorted(stack.resources) == ["azurerm_key_vault.kv", "azurerm_storage_account.sa",
                                       "data.azurerm_client_config.me"]
    assert stack.resources["azurerm_key_vault.kv"].body == {
        "name": "kv", "purge_protection_enabled": True, "sku_name": "premium"}
    assert stack.document["output"] == [{"a": {"value": "1"}}, {"b": {"value": "2"}}]
    assert stack.files == ("a_override.tf.json", "b.tf.json")
    assert stack.unread == ("c.tf",)


def test_the_metadata_of_other_files_is_ignored():
    """Only cdk.tf.json's "//" says what the stack is: another file cannot change it."""
    other = {"//": {"trainstack": {"profile": "forged", "network": "public"}},
             "locals": {"x": 1}}
    stack = Stack.from_files("s", PATH, base(), [("extra.tf.json", other)], [])
    assert stack.document["//"] == META
    assert stack.meta.present and stack.meta.get("profile") == "s"
    assert stack.document["locals"] == {"x": 1}


def test_a_metadata_error_names_the_stacks_own_file():
    document = {**base(), "//": {"trainstack": ["not", "an", "object"]}}
    with pytest.raises(StackError, match=r"^out/stacks/s/cdk\.tf\.json: //\.trainstack: "):
        Stack.from_files("s", PATH, document, [("x.tf.json", {})], [])


def test_an_override_of_a_data_source_replaces_its_arguments():
    override = {"data": {"azurerm_client_config": {"me": {"provider": "azurerm.other"}}}}
    stack = Stack.from_files("s", PATH, base(), [("override.tf.json", override)], [])
    me = stack.resources["data.azurerm_client_config.me"]
    assert me.is_data is True and me.body == {"provider": "azurerm.other"}
    assert me.address == "data.azurerm_client_config.me"


@pytest.mark.parametrize("kind,block,address", [
    ("resource", {"azurerm_key_vault": {"other": {"sku_name": "premium"}}},
     "resource.azurerm_key_vault.other"),
    ("data", {"azurerm_subscription": {"current": {}}}, "data.azurerm_subscription.current"),
])
def test_an_override_of_nothing_is_an_error_naming_its_file(kind, block, address):
    with pytest.raises(StackError) as caught:
        Stack.from_files("s", PATH, base(), [("x_override.tf.json", {kind: block})], [])
    assert str(caught.value) == (f"out/stacks/s/x_override.tf.json: {address}: overrides "
                                 "nothing (terraform reports a missing base resource)")


def test_an_override_file_adds_outputs_locals_and_providers_but_not_its_comment():
    override = {"//": {"trainstack": {"profile": "forged"}},
                "output": {"o": {"value": "${azurerm_key_vault.kv.id}"}},
                "provider": {"azurerm": [{"features": {}}]}}
    stack = Stack.from_files("s", PATH, base(), [("override.tf.json", override)], [])
    assert stack.document["//"] == META
    assert stack.document["output"] == [{"a": {"value": "1"}},
                                        {"o": {"value": "${azurerm_key_vault.kv.id}"}}]
    assert stack.document["provider"] == {"azurerm": [{"features": {}}]}
    assert stack.resources["azurerm_key_vault.kv"].body["sku_name"] == "standard"
    assert stack.files == ("override.tf.json",)
