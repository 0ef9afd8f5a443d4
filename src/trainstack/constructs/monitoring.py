"""Step 6, cost: a consumption budget on the stack's resource group.

The amount is the profile's ``constraints.monthly_budget_usd``, the number the selector
fitted the compute into, so what Azure watches and what trainstack checked are the same
(TS-COST-003). Notifications (azurerm 5.2.0, consumption_budget_base.go; Learn, "Tutorial:
Create and manage budgets"): actual cost at 80% and at 100% of the amount, and forecast
cost over 100%, to the profile's ``monitor.alert_email`` and to the resource group's
owners. Azure evaluates budgets every 24 hours on cost data 8-24 hours old: a budget
tells, it does not stop anything.
"""

from __future__ import annotations

from trainstack.constructs import resources as r
from trainstack.constructs.base import StackBuilder
from trainstack.constructs.literal import Fixed
from trainstack.tftemplate import FIRST_OF_THIS_MONTH

# (threshold %, type, operator): each distinct, since the provider keys notifications by
# "<type>_<operator>_<threshold>_Percent" (consumption_budget_base.go) and would merge two
NOTIFICATIONS = ((80, "Actual", "GreaterThanOrEqualTo"),
                 (100, "Actual", "GreaterThanOrEqualTo"),
                 (100, "Forecasted", "GreaterThan"))
# the provider's floor for `amount` (FloatAtLeast(1.0), consumption_budget_base.go)
MIN_AMOUNT = 1.0


def add_budget(b: StackBuilder) -> None:
    """The resource group's monthly budget, when the profile sets one Azure can hold (at
    least ``MIN_AMOUNT``)."""
    amount = b.profile.constraints.monthly_budget_usd
    if amount is None or amount < MIN_AMOUNT:  # below 1 Azure holds no budget (TS-COST-003)
        return
    email = b.profile.monitor.alert_email
    budget = r.ConsumptionBudgetResourceGroup(
        local_name="budget", name=f"budget-{b.profile.name}-{b.profile.environment}",
        resource_group_id=b.rg.ref(), amount=float(amount),
        # The start is the first day of the month of the first apply, written by terraform
        # (a monthly budget must start in the current month; tftemplate.FIRST_OF_THIS_MONTH);
        # kept afterwards: start_date is ForceNew, and Azure refuses to change it.
        time_period=r.BudgetTimePeriod(start_date=Fixed(FIRST_OF_THIS_MONTH)),
        lifecycle=r.Lifecycle(ignore_changes=("time_period",)),
        notification=tuple(r.BudgetNotification(
            threshold=threshold, threshold_type=kind, operator=operator,
            contact_emails=(email,) if email else None, contact_roles=("Owner",),
        ) for threshold, kind, operator in NOTIFICATIONS),
    )
    b.add(budget)
    b.output("budget_id", budget.ref(), "Consumption budget of the resource group")
