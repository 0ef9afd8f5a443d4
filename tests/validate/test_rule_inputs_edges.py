"""What the rules read of a stack, exact at the edges (inline JSON, no Node): which "//" keys
are comments and which are evaluated (TS-SEC-013, TS-SEC-014, TS-XRES-001 and
``Stack.referenced``), the address and path a TS-SEC-014 finding names for each kind of
top-level block, and how the reader lists, orders and refuses resources."""

from __future__ import annotations

import pytest

from trainstack.catalog import load_facts
from trainstack.validate import Pack, validate
from trainstack.validate.model import Stack
from trainstack.validate.reader import StackError, read_document
from trainstack.validate.rules.security import _secret_keys

FACTS = load_facts()
PATH = "s/cdk.tf.json"
FILE = '${file("/etc/passwd")}'  # an interpolation trainstack never writes
NOT_A_REFERENCE = "is not a reference to one of the stack's elements"
SECRET = "holds a literal secret; use a managed identity or a secret reference"


def stack(document: dict) -> Stack:
    return Stack.from_document("s", PATH, document)


def findings(document: dict, rule_id: str) -> list[tuple[str, str, str]]:
    """(rule, resource, message) of every finding when only ``rule_id`` runs; a rule that
    crashes shows up as a TS-ENGINE-001 finding."""
    report = validate([stack(document)], Pack("one-rule", {rule_id: "error"}), FACTS)
    return [(f.rule, f.resource, f.message) for f in report.findings]


def vault(**body: object) -> dict:
    return {"resource": {"azurerm_key_vault": {"kv": {"name": "kv", **body}}}}


# -- TS-SEC-014: "//" is a comment only directly in a block body ---------------------------------

def test_a_comment_directly_in_a_resource_body_is_not_evaluated():
    """Terraform ignores "//" at the top of a resource body, so an interpolation in it is
    never evaluated and is not a finding."""
    assert findings(vault(**{"//": FILE}), "TS-SEC-014") == []


def test_a_comment_in_each_configuration_of_a_provider_list_is_not_evaluated():
    """A provider given as an array of configurations: each one is a block body, whose own
    "//" is a comment."""
    document = {**vault(), "provider": {"azurerm": [
        {"//": FILE, "features": {}}, {"alias": "b", "features": {}, "//": FILE}]}}
    assert findings(document, "TS-SEC-014") == []


def test_a_comment_key_in_a_list_inside_an_argument_is_evaluated():
    """Below the top of a body "//" may be an ordinary key that Terraform evaluates; inside
    a list it is still read as evaluated (flagged rather than missed)."""
    assert findings(vault(network_acls=[{"//": FILE}]), "TS-SEC-014") == [
        ("TS-SEC-014", "azurerm_key_vault.kv", f"network_acls[0].//: {FILE} {NOT_A_REFERENCE}")]


def test_the_top_level_comment_of_the_document_is_not_evaluated():
    """The document's own "//" (where trainstack keeps its metadata) is a comment."""
    document = {**vault(), "//": {"note": FILE, "trainstack": {"profile": FILE}}}
    assert findings(document, "TS-SEC-014") == []


# -- TS-SEC-014: the address and path each kind of block is reported under ----------------------

def test_a_data_source_is_evaluated_once_under_its_own_address():
    """Data sources are read with the resources (data.type.name); the top-level "data" key is
    not read a second time as a plain block."""
    document = {"data": {"azurerm_client_config": {"me": {"tenant": "${var.tenant}"}}}}
    assert findings(document, "TS-SEC-014") == [
        ("TS-SEC-014", "data.azurerm_client_config.me",
         f"tenant: ${{var.tenant}} {NOT_A_REFERENCE}")]


def test_outputs_are_read_under_their_labels_around_comments():
    """A "//" among the outputs is a comment and the outputs after it are still read; each
    output is reported as output.<label> with paths inside its body, whose own "//" is a
    comment too."""
    document = {"output": {"//": FILE, "leak": {"//": FILE, "value": '${file("/etc/shadow")}'}}}
    assert findings(document, "TS-SEC-014") == [
        ("TS-SEC-014", "output.leak", f'value: ${{file("/etc/shadow")}} {NOT_A_REFERENCE}')]


def test_locals_are_read_whole_under_their_own_names():
    """A local's value is read whole (its "//" is an ordinary key) and reported under the
    address "locals" with the local's name as the start of the path."""
    document = {"locals": {"x": FILE, "m": {"//": "${var.y}"}}}
    assert findings(document, "TS-SEC-014") == [
        ("TS-SEC-014", "locals", f"m.//: ${{var.y}} {NOT_A_REFERENCE}"),
        ("TS-SEC-014", "locals", f"x: {FILE} {NOT_A_REFERENCE}")]


def test_the_terraform_block_is_reported_under_terraform_with_the_setting_path():
    """The terraform block's settings are read whole under the address "terraform"."""
    document = {"terraform": {"backend": {"local": {"path": FILE}}}}
    assert findings(document, "TS-SEC-014") == [
        ("TS-SEC-014", "terraform", f"backend.local.path: {FILE} {NOT_A_REFERENCE}")]


def test_a_block_written_as_a_bare_string_is_evaluated_with_an_empty_path():
    """A top-level key whose value is a string is evaluated and reported under the key with
    an empty path; a reference there is fine (and does not crash the literal-text check)."""
    assert findings({"output": FILE}, "TS-SEC-014") == [
        ("TS-SEC-014", "output", f": {FILE} {NOT_A_REFERENCE}")]
    assert findings({**vault(), "output": "${azurerm_key_vault.kv.id}"}, "TS-SEC-014") == []


def test_a_reference_into_a_literal_argument_written_as_a_list_is_flagged():
    """An index in the path does not hide the argument: tags[0] is still tags, text
    trainstack writes literally."""
    message = ("tags[0].owner: interpolates ${azurerm_key_vault.kv.name} into text trainstack "
               "writes literally")
    assert findings(vault(tags=[{"owner": "${azurerm_key_vault.kv.name}"}]), "TS-SEC-014") == [
        ("TS-SEC-014", "azurerm_key_vault.kv", message)]


# -- TS-SEC-013: where a literal secret is looked for -------------------------------------------

def test_a_comment_directly_in_a_resource_body_holds_no_secret():
    """The "//" of a resource body is a comment: a password written in it is not a finding."""
    assert findings(vault(**{"//": {"admin_password": "hunter2"}}), "TS-SEC-013") == []


def test_a_secret_in_a_list_of_blocks_is_found_under_its_full_path():
    """A nested block written as an array is searched, and the finding names the path from
    the top of the body."""
    assert findings(vault(ssh=[{"admin_password": "hunter2"}]), "TS-SEC-013") == [
        ("TS-SEC-013", "azurerm_key_vault.kv", f"ssh.admin_password {SECRET}")]


def test_a_comment_key_inside_a_list_of_blocks_is_searched():
    """Below the top of the body "//" is read as evaluated, inside a list too."""
    assert findings(vault(ssh=[{"//": {"admin_password": "hunter2"}}]), "TS-SEC-013") == [
        ("TS-SEC-013", "azurerm_key_vault.kv", f"ssh.//.admin_password {SECRET}")]


def test_a_body_given_as_an_array_of_one_object_keeps_its_comment_for_secrets():
    """_secret_keys on a block body written as an array of one object (a shape Terraform
    reads): the object's own "//" is a comment, as in a body written as an object."""
    assert list(_secret_keys([{"//": {"password": "hunter2"}, "password": "x"}])) == ["password"]


# -- Stack.referenced and TS-XRES-001 --------------------------------------------------------------

def test_only_the_comment_at_the_top_of_a_body_hides_a_reference():
    """TS-XRES-001 reads a resource body: its own "//" is a comment, a "//" inside an
    argument's value is evaluated, so a missing element referenced there is a finding."""
    document = vault(**{"//": "${azurerm_missing.x.id}", "tags": {"//": "${azurerm_gone.y.id}"}})
    assert findings(document, "TS-XRES-001") == [
        ("TS-XRES-001", "azurerm_key_vault.kv",
         "refers to azurerm_gone.y, which the stack does not define")]


def test_referenced_reads_a_comment_key_as_evaluated_unless_told_it_is_a_body():
    """``body`` defaults to False: a value's "//" is evaluated; with body=True only the top
    "//" is a comment."""
    s = stack({})
    assert list(s.referenced({"//": "${azurerm_a.x.id}"})) == ["azurerm_a.x"]
    assert list(s.referenced({"//": "${azurerm_a.x.id}"}, body=True)) == []
    assert list(s.referenced({"t": {"//": "${azurerm_a.x.id}"}}, body=True)) == ["azurerm_a.x"]


def test_references_in_a_list_argument_are_followed():
    """A reference inside a list (ip_rules, depends_on ...) is read: one to a missing
    element is a TS-XRES-001 finding."""
    assert findings(vault(ip_rules=["${azurerm_gone.y.id}"]), "TS-XRES-001") == [
        ("TS-XRES-001", "azurerm_key_vault.kv",
         "refers to azurerm_gone.y, which the stack does not define")]


def test_a_body_given_as_an_array_of_one_object_keeps_its_comment_for_references():
    """referenced(body=True) on a block body written as an array of one object: the object's
    own "//" is a comment, as in a body written as an object."""
    s = stack({})
    assert list(s.referenced([{"//": "${azurerm_a.x.id}", "v": "${azurerm_b.y.id}"}],
                             body=True)) == ["azurerm_b.y"]


# -- reading resources: order, comments, duplicates, the file -----------------------------------

def test_resources_come_before_data_sources_each_by_type_then_name():
    """The order rules see: resources first, then data sources, each by type then name
    (not by address, which would put data.* before time_sleep.*)."""
    document = {"resource": {"time_sleep": {"wait": {}}, "azurerm_b": {"a": {}},
                             "azurerm_a": {"z": {}, "b": {}}},
                "data": {"azurerm_client_config": {"me": {}}}}
    assert list(stack(document).resources) == [
        "azurerm_a.b", "azurerm_a.z", "azurerm_b.a", "time_sleep.wait",
        "data.azurerm_client_config.me"]


def test_comments_among_resource_types_and_names_are_skipped_not_the_end():
    """A "//" among the types or among the names is a comment: it is not read as a block,
    and the types and names after it are still read."""
    document = {"resource": {"//": "types", "azurerm_a": {"//": "names", "x": {}, "y": {}},
                             "azurerm_b": {"z": {}}},
                "data": {"//": ["types"], "azurerm_c": {"//": 1, "me": {}}}}
    assert list(stack(document).resources) == [
        "azurerm_a.x", "azurerm_a.y", "azurerm_b.z", "data.azurerm_c.me"]


def test_one_address_defined_twice_is_refused_naming_it():
    """Two blocks of one address (here in two items of the resource array): exit 2 with the
    address and what terraform would say."""
    document = {"resource": [{"azurerm_a": {"x": {}}}, {"azurerm_a": {"x": {"n": 1}}}]}
    with pytest.raises(StackError) as caught:
        stack(document)
    assert str(caught.value) == (f"{PATH}: resource.azurerm_a.x: defined twice "
                                 "(terraform reports a duplicate)")


@pytest.mark.parametrize("bodies", [[], [{}, {}]])
def test_an_address_with_no_body_or_two_bodies_is_refused_naming_it(bodies):
    """A body written as an array must hold exactly one object."""
    with pytest.raises(StackError) as caught:
        stack({"resource": {"azurerm_a": {"x": bodies}}})
    assert str(caught.value) == (f"{PATH}: resource.azurerm_a.x: {len(bodies)} bodies for one "
                                 "address (terraform reports a duplicate)")


def test_a_stack_file_that_is_not_utf8_is_a_stack_error_naming_the_stack(tmp_path):
    """read_document refuses bytes that are not UTF-8 with a StackError that calls the file
    the stack."""
    path = tmp_path / "cdk.tf.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(StackError) as caught:
        read_document(path)
    assert str(caught.value) == f"{path}: the stack is not UTF-8 text (byte 7 is 0xff)"


def test_a_reference_in_an_object_key_to_a_missing_element_is_reported():
    """Terraform evaluates the keys of an object expression ({"${x.y.id}" = ...} in a map),
    so a key that refers to an element the stack lacks fails at plan: TS-XRES-001 says so."""
    doc = {"resource": {"azurerm_resource_group": {"rg": {
        "name": "rg-x", "location": "westeurope",
        "tags": {"${azurerm_missing.y.id}": "v"}}}}}
    stack = Stack.from_document("s", "s/cdk.tf.json", doc)
    assert list(stack.referenced(doc["resource"]["azurerm_resource_group"]["rg"], body=True)) \
        == ["azurerm_missing.y"]
    report = validate([stack], "baseline", load_facts())
    assert ("TS-XRES-001", "azurerm_resource_group.rg") in {
        (f.rule, f.resource) for f in report.findings}
