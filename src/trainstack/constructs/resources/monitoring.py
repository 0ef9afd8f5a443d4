"""Cost monitoring: the consumption budget of a resource group (azurerm 5.2.0,
internal/services/consumption/consumption_budget_base.go and
consumption_budget_resource_group_resource.go)."""

from __future__ import annotations

from typing import Literal

from trainstack.constructs.resources.element import Block, Element


class BudgetTimePeriod(Block):
    # RFC 3339, the first day of a month (validate/time_period.go); ForceNew
    start_date: str


class BudgetNotification(Block):
    # percent of the amount, an integer 0-1000; notifications are keyed by
    # "<threshold_type>_<operator>_<threshold>_Percent", so each must differ in one of them
    threshold: int
    operator: Literal["EqualTo", "GreaterThan", "GreaterThanOrEqualTo"]
    threshold_type: Literal["Actual", "Forecasted"]
    contact_emails: tuple[str, ...] | None = None
    contact_roles: tuple[str, ...] | None = None


class ConsumptionBudgetResourceGroup(Element,
                                     terraform_type="azurerm_consumption_budget_resource_group"):
    name: str
    resource_group_id: str
    amount: float  # at least 1, in the billing account's currency
    time_grain: Literal["Monthly", "Quarterly", "Annually", "BillingMonth", "BillingQuarter",
                        "BillingAnnual"] = "Monthly"
    time_period: BudgetTimePeriod
    notification: tuple[BudgetNotification, ...]
