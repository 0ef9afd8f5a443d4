"""Step 6, cost: the resource group's consumption budget is the profile's monthly budget.

Oracles: the numbers written in each profile; terraform itself for the start date
expression (it must give the first day of the current month, as Azure requires of a
monthly budget); the provider schema for the body.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from conftest import MINIMAL
from test_stacks import by_type, schema_clean, spec_for

from trainstack.constructs.literal import Fixed, terraform_value
from trainstack.tftemplate import FIRST_OF_THIS_MONTH

TERRAFORM = shutil.which("terraform")
BUDGET = "azurerm_consumption_budget_resource_group"


def _budget(extra: str) -> list[dict]:
    _, spec = spec_for(MINIMAL + extra)
    schema_clean(spec)
    return by_type(spec).get(BUDGET, [])


def test_the_budget_is_the_profiles_with_actual_and_forecast_notifications():
    (budget,) = _budget("constraints:\n  monthly_budget_usd: 1234.5\n"
                        "monitor:\n  alert_email: team@example.com\n")
    assert budget["amount"] == 1234.5 and budget["time_grain"] == "Monthly"
    assert budget["resource_group_id"] == "${azurerm_resource_group.rg.id}"
    assert budget["name"] == "budget-demo-dev"
    assert [(n["threshold_type"], n["operator"], n["threshold"])
            for n in budget["notification"]] == [
        ("Actual", "GreaterThanOrEqualTo", 80), ("Actual", "GreaterThanOrEqualTo", 100),
        ("Forecasted", "GreaterThan", 100)]
    for n in budget["notification"]:
        assert n["contact_emails"] == ["team@example.com"] and n["contact_roles"] == ["Owner"]
    # the start is written by terraform at apply, and kept afterwards
    assert budget["time_period"] == {"start_date": f"${{{FIRST_OF_THIS_MONTH}}}"}
    assert budget["lifecycle"] == {"ignore_changes": ["time_period"]}


def test_without_an_alert_email_the_owners_are_told():
    (budget,) = _budget("constraints:\n  monthly_budget_usd: 50\n")
    assert all("contact_emails" not in n and n["contact_roles"] == ["Owner"]
               for n in budget["notification"])


@pytest.mark.parametrize("extra", ["", "constraints:\n  monthly_budget_usd: 0.99\n"])
def test_no_budget_without_one_azure_can_hold(extra):
    assert _budget(extra) == []


def test_a_budget_of_one_is_held():
    assert [b["amount"] for b in _budget("constraints:\n  monthly_budget_usd: 1\n")] == [1.0]


def test_only_the_fixed_expressions_pass_unescaped():
    assert terraform_value(Fixed(FIRST_OF_THIS_MONTH)) == f"${{{FIRST_OF_THIS_MONTH}}}"
    with pytest.raises(ValueError, match="not one of trainstack's fixed expressions"):
        Fixed('file("/etc/passwd")')
    # the same text from anywhere else is escaped into a literal
    assert terraform_value(f"${{{FIRST_OF_THIS_MONTH}}}").startswith("$${")


@pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH")
def test_terraform_reads_the_start_as_the_first_of_this_month(tmp_path):
    before = datetime.datetime.now(datetime.UTC)
    run = subprocess.run([TERRAFORM, "console"], input=FIRST_OF_THIS_MONTH, cwd=tmp_path,
                         capture_output=True, text=True, check=True, timeout=60)
    after = datetime.datetime.now(datetime.UTC)
    firsts = {f"{t:%Y-%m}-01T00:00:00Z" for t in (before, after)}
    assert run.stdout.strip().strip('"') in firsts
