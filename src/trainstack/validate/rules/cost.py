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
