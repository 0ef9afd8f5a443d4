"""The stack's "//".trainstack metadata read as untrusted input: every malformed field and
refused suppression is named, in words a person reads (inline JSON, no Node)."""

from __future__ import annotations

import pytest

from trainstack.validate.metadata import read_metadata
from trainstack.validate.reader import StackError

OK = {"profile": "p", "environment": "dev", "service": "azure-ml", "region": "westeurope",
      "network": "public", "estimated_monthly_usd": 1.5, "monthly_budget_usd": "none",
      "suppressions": []}
REASON = "a reason long enough"


def meta(**changes):
    return read_metadata({"//": {"trainstack": {**OK, **changes}}}, "s/cdk.tf.json")


def test_valid_metadata_has_no_problem():
    m = meta()
    assert m.present and m.problems == () and m.refused == ()
    assert m.get("estimated_monthly_usd") == 1.5 and m.get("monthly_budget_usd") == "none"


@pytest.mark.parametrize("document", [{}, {"//": "text"}, {"//": {"other": 1}}])
def test_no_metadata_is_not_present(document):
    assert read_metadata(document, "x").present is False


def test_metadata_that_is_not_an_object_is_an_error_naming_the_file():
    with pytest.raises(StackError, match=r"^s/cdk\.tf\.json: //\.trainstack: the trainstack "
                                         r"metadata must be an object \(got list\)$"):
        read_metadata({"//": {"trainstack": []}}, "s/cdk.tf.json")


@pytest.mark.parametrize("field,value,problem", [
    ("environment", "Dev", "metadata field 'environment': input should be 'dev', 'test' or "
                           "'prod' (got 'Dev')"),
    ("network", ["public"], "metadata field 'network': input should be 'public' or 'private' "
                            "(got ['public']); TS-SEC-011 cannot run"),
    ("estimated_monthly_usd", "1", "metadata field 'estimated_monthly_usd': input should be a "
                                   "valid number (got '1'); TS-COST-001 cannot run"),
    ("estimated_monthly_usd", -1, "metadata field 'estimated_monthly_usd': input should be "
                                  "greater than or equal to 0 (got -1); TS-COST-001 cannot run"),
    # a union: pydantic's tag for the branch (constrained-float) is not shown as a field
    ("monthly_budget_usd", 0, "metadata field 'monthly_budget_usd': input should be greater "
                              "than 0 (got 0); TS-COST-001 cannot run"),
    ("region", "mars", "metadata field 'region': must be an Azure region name (got 'mars'); "
                       "TS-SKU-003 cannot run"),
    ("profile", "x" * 80, "metadata field 'profile': string should have at most 64 characters "
                          f"(got '{'x' * 59}...)"),
    ("suppressions", {}, "metadata field 'suppressions': input should be a valid list (got {}); "
                         "every suppression cannot run"),
])
def test_each_malformed_field_is_named_with_what_it_stops(field, value, problem):
    m = meta(**{field: value})
    assert m.problems == (problem,)
    assert m.get(field) is None


def test_a_missing_field_is_named_with_what_it_stops():
    raw = {k: v for k, v in OK.items() if k != "region"}
    m = read_metadata({"//": {"trainstack": raw}}, "x")
    assert m.problems == ("metadata field 'region' is missing; TS-SKU-003 cannot run",)


def test_the_value_shown_is_cut_at_60_characters():
    assert meta(environment="e" * 58).problems[0].endswith(f"(got '{'e' * 58}')")
    assert meta(environment="e" * 59).problems[0].endswith(f"(got '{'e' * 59}...)")


def test_each_refused_suppression_says_why_in_order():
    m = meta(suppressions=[
        {"rule": "TS-SEC-001"},
        {"rule": "TS-SEC-001", "reason": "short"},
        {"rule": "TS-META-001", "reason": REASON},
        "text",
        {"rule": "TS-SEC-001", "reason": REASON, "extra": 1},
        {"rule": "TS-SEC-001", "resource": "azurerm_key_vault.kv", "reason": REASON},
    ])
    assert m.refused == (
        "suppression 1 is not applied: reason: field required",
        "suppression 2 is not applied: reason: string should have at least 10 characters",
        # the rule id keeps its capitals
        "suppression 3 is not applied: rule: TS-META-001 cannot be suppressed: it reports "
        "that validation itself could not run as it should",
        "suppression 4 is not applied: input should be a valid dictionary or instance of "
        "Suppression",
        "suppression 5 is not applied: extra: extra inputs are not permitted",
    )
    [applied] = m.suppressions
    assert (applied.rule, applied.resource) == ("TS-SEC-001", "azurerm_key_vault.kv")
