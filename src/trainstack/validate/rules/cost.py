"""TS-COST: the estimate against the budget, and idle cost."""

from __future__ import annotations

from collections.abc import Iterator

from trainstack.validate.model import Resource
from trainstack.validate.rules.base import RuleContext, resource_rule, stack_rule


@stack_rule("TS-COST-001", "The estimated monthly cost fits the profile's budget",
            "a plan over budget should be a decision, not a surprise on the invoice", "error")
def _budget(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    meta = ctx.stack.meta
    cost, budget = meta.get("estimated_monthly_usd"), meta.get("monthly_budget_usd")
    if isinstance(cost, (int, float)) and isinstance(budget, (int, float)) and cost > budget:
        yield "", f"estimated ${cost:,.2f}/month is over the ${budget:,.2f} budget"


@resource_rule("TS-COST-002", "Training clusters scale to zero",
               "a minimum above 0 bills idle nodes around the clock; checkov CKV_AZURE_150",
               "warning", ["azurerm_machine_learning_compute_cluster"])
def _scale_to_zero(r: Resource, ctx: RuleContext) -> Iterator[str]:
    minimum = r.block("scale_settings").get("min_node_count")
    if isinstance(minimum, (int, float)) and minimum > 0:
        yield f"min_node_count is {minimum:g}, not 0"


BUDGET_TYPE = "azurerm_consumption_budget_resource_group"


@stack_rule("TS-COST-003", "Azure watches the profile's monthly budget",
            "the selector fitted the compute into constraints.monthly_budget_usd; a "
            "consumption budget of the same amount on the resource group has Azure mail the "
            "team when actual or forecast cost reaches it (Azure holds no budget under 1)",
            "warning")
def _budget_watched(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    budget = ctx.stack.meta.get("monthly_budget_usd")
    if not isinstance(budget, (int, float)) or isinstance(budget, bool) or budget < 1:
        return
    budgets = list(ctx.stack.of_type(BUDGET_TYPE))
    if not budgets:
        yield "", (f"no {BUDGET_TYPE}: nothing in Azure watches the ${budget:,.2f} monthly "
                   "budget")
    for r in budgets:
        amount, grain = r.body.get("amount"), r.body.get("time_grain", "Monthly")
        if isinstance(amount, (int, float)) and abs(amount - budget) >= 0.005:
            yield r.address, f"amount is {amount:,.2f}, the profile's budget is {budget:,.2f}"
        if isinstance(grain, str) and grain != "Monthly":
            yield r.address, f"time_grain is {grain}: the profile's budget is monthly"
