"""TS-APPLY-001 and -011 read the provider and backend blocks in every shape Terraform's JSON
syntax allows (an object or an array of objects, aliased configurations) and resolve a local
state path as terraform does: built from inline JSON, judged through the real rule engine."""

from __future__ import annotations

import pytest

from trainstack.catalog import load_facts
from trainstack.validate import validate
from trainstack.validate.model import Stack

FACTS = load_facts()
VAULT = {"azurerm_key_vault": {"kv": {"name": "kv-x", "location": "westeurope"}}}
REGISTERS_VAULTS = {"resource_provider_registrations": "none",
                    "resource_providers_to_register": ["Microsoft.KeyVault"]}


def findings(doc: dict, rule: str, path: str = "x/cdk.tf.json") -> list[tuple[str, str]]:
    report = validate([Stack.from_document("x", path, doc)], "baseline", FACTS)
    return [(f.resource, f.message) for f in report.findings if f.rule == rule]


@pytest.mark.parametrize("provider", [
    {"azurerm": REGISTERS_VAULTS},                      # one configuration as an object
    {"azurerm": [REGISTERS_VAULTS]},                    # ... or an array of one
    [{"azurerm": [REGISTERS_VAULTS]}],                  # the provider block as an array
    [{"azapi": {}}, {"azurerm": REGISTERS_VAULTS}],     # another provider first
    ["not a block", {"azurerm": REGISTERS_VAULTS}],     # junk is skipped, not fatal
    {"azurerm": ["junk", REGISTERS_VAULTS]},
    {"azurerm": [{"alias": "other"}, REGISTERS_VAULTS]},  # the default one counts
])
def test_the_default_azurerm_configuration_is_found_in_every_shape(provider):
    assert findings({"provider": provider, "resource": VAULT}, "TS-APPLY-001") == []


def test_an_aliased_configuration_is_not_the_default():
    only_aliased = {"azurerm": [{"alias": "other", **REGISTERS_VAULTS}]}
    assert findings({"provider": only_aliased, "resource": VAULT}, "TS-APPLY-001") == [
        ("azurerm_key_vault.kv", "needs Microsoft.KeyVault registered; add it to the azurerm "
                                 "provider's resource_providers_to_register")]


def test_without_a_named_set_azurerm_5_registers_none():
    """resource_provider_registrations left out: the 5.x default, "none"; the list alone
    is what gets registered."""
    doc = {"provider": {"azurerm": {"resource_providers_to_register": ["Microsoft.KeyVault"]}},
           "resource": VAULT}
    assert findings(doc, "TS-APPLY-001") == []


def test_an_expression_in_the_list_cannot_be_judged():
    doc = {"provider": {"azurerm": {"resource_providers_to_register": ["${var.rps}"]}},
           "resource": VAULT}
    (only,) = findings(doc, "TS-APPLY-001")
    assert only[1].startswith("the azurerm provider's resource_provider_registrations / "
                              "resource_providers_to_register, known only when terraform")


def test_a_set_azurerm_does_not_know_is_named():
    doc = {"provider": {"azurerm": {"resource_provider_registrations": "most"}},
           "resource": VAULT}
    (only,) = findings(doc, "TS-APPLY-001")
    assert only[1].startswith("resource_provider_registrations 'most' (not a set azurerm 5.x "
                              "knows)")


STATE_UP_TWO = {"terraform": {"backend": {"local": {"path": "../../dev/x.tfstate"}}}}


def test_state_two_levels_up_is_inside_the_output_of_the_stacks_layout():
    """<out>/stacks/x/../../dev/x.tfstate is <out>/dev/x.tfstate: inside the output."""
    assert [r for r, _ in findings(STATE_UP_TWO, "TS-APPLY-011", "out/stacks/x/cdk.tf.json")
            ] == [""]


def test_state_two_levels_up_leaves_a_stack_folder_outside_that_layout():
    """A lone stack folder (not under stacks/) is its own output: two levels up is outside."""
    assert findings(STATE_UP_TWO, "TS-APPLY-011", "proj/x/cdk.tf.json") == []


def test_state_at_the_filesystem_root_output():
    """An output folder that is "/" itself: everything is inside it."""
    doc = {"terraform": {"backend": {"local": {"path": "../../dev/x.tfstate"}}}}
    assert [r for r, _ in findings(doc, "TS-APPLY-011", "/stacks/x/cdk.tf.json")] == [""]


def test_an_isolation_mode_that_is_not_text_cannot_be_judged():
    """TS-APPLY-012/013 read managed_network.isolation_mode; a number there is reported as
    what could not be judged, by name."""
    doc = {"resource": {"azurerm_machine_learning_workspace": {"w": {
        "managed_network": {"isolation_mode": 7}}}}}
    found = findings(doc, "TS-APPLY-012", "x/cdk.tf.json")
    assert found and all("managed_network.isolation_mode" in message for _, message in found)


def test_a_comment_in_the_backend_block_is_not_the_backend():
    """The "//" key of a backend block is a comment (cdktf writes metadata there): the
    backend is the other key."""
    good = {"terraform": {"backend": {"//": {"note": "x"}, "local": {
        "path": "../../../.trainstack/state/dev/x.tfstate"}}}, "//": {"trainstack": {
            "environment": "dev"}}}
    assert findings(good, "TS-APPLY-011", "out/stacks/x/cdk.tf.json") == []
    inside = {"terraform": {"backend": {"//": {"note": "x"}, "local": {"path": "x.tfstate"}}}}
    assert [r for r, _ in findings(inside, "TS-APPLY-011", "out/stacks/x/cdk.tf.json")] == [""]


def test_helpers_read_missing_and_odd_blocks_as_defaults():
    """first_object: a list without an object is an empty block; feature: a flag the stack
    does not set is the provider's default, whatever that is."""
    from trainstack.validate.rules.apply import feature, first_object
    assert first_object(["x", 1]) == {} and first_object([]) == {} and first_object(None) == {}
    stack = Stack.from_document("x", "x/cdk.tf.json", {"provider": {"azurerm": [
        {"features": [{"resource_group": [{}]}]}]}})
    assert feature(stack, "resource_group", "prevent_deletion_if_contains_resources", 7) == 7
    assert feature(stack, "other", "flag", "d") == "d"
