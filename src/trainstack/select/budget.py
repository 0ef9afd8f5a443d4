"""Fit to budget: one procedure for every service.

The caller prices its cheapest feasible plan and lists its budget steps in order
(low-priority nodes, a cheaper family, fewer trials; spot workers for Databricks;
none for Synapse and AI services). Within budget from the start: BUDGET-OK. Over:
each step in turn may offer a cheaper plan and say why in the rationale, until the
plan fits; still over: BUDGET-OVER with what to relax, and a warning.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from trainstack.select.common import Notes
from trainstack.select.rules import Rule

T = TypeVar("T")


@dataclass(frozen=True)
class Priced(Generic[T]):
    """A service's plan and what it costs per month."""

    plan: T
    monthly: float


# A budget step: given the plan so far and the budget, a cheaper plan (having written its
# rationale to the notes), or None when the step does not apply or does not help.
Step = Callable[[Priced[T], float, Notes], Priced[T] | None]


def fit_budget(budget: float | None, start: Priced[T], steps: Sequence[Step[T]],
               notes: Notes, to_fit: Callable[[Priced[T]], str]) -> tuple[Priced[T], bool]:
    """The plan that fits ``budget`` (or the cheapest the steps reach) and whether it fits.
    ``to_fit`` completes the BUDGET-OVER text after "... over the $B budget"."""
    if budget is None:
        return start, True
    if start.monthly <= budget:
        notes.why(Rule.BUDGET_OK, f"${start.monthly:,.2f}/month is within the ${budget:,.2f} "
                                  "budget")
        return start, True
    current = start
    for step in steps:
        if current.monthly <= budget:
            break
        current = step(current, budget, notes) or current
    if current.monthly <= budget:
        return current, True
    notes.why(Rule.BUDGET_OVER, f"${current.monthly:,.2f}/month is over the ${budget:,.2f} "
                                f"budget{to_fit(current)}")
    notes.warn(f"over budget: ${current.monthly:,.2f}/month > ${budget:,.2f}")
    return current, False


def relax_text(monthly: float, budget: float, fixed: float, runs_per_month: int,
               relax: Sequence[str]) -> str:
    """" even with the cheapest feasible choice; to fit: ..." for training services: raise
    the budget, run less often (when one run fits), or the service's own ``relax``."""
    per_run = (monthly - fixed) / runs_per_month
    runs_fit = int((budget - fixed) // per_run) if per_run > 0 else 0
    # Floats: 52.0 // 10.4 is 4.0 (10.4 is stored a hair above), yet 5 runs cost $52.00,
    # which fits as the estimate is counted (in cents). The floor is at most one short.
    if per_run > 0 and round(fixed + (runs_fit + 1) * per_run, 2) <= budget:
        runs_fit += 1
    ways = [f"raise constraints.monthly_budget_usd to at least ${math.ceil(monthly):,}"]
    if runs_fit >= 1:
        ways.append(f"lower training.runs_per_month to {runs_fit}")
    return f" even with the cheapest feasible choice; to fit: {'; or '.join([*ways, *relax])}"
