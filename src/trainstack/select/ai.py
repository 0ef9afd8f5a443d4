"""Azure AI services: the cognitive account kinds and SKUs that cover the task."""

from __future__ import annotations

from trainstack.catalog.services import AiFacts
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.select.budget import Priced, fit_budget
from trainstack.select.common import Notes
from trainstack.select.models import AiServiceChoice
from trainstack.select.rules import Rule


def ai_services(profile: WorkloadProfile, facts: AiFacts, notes: Notes
                ) -> tuple[tuple[AiServiceChoice, ...], float]:
    """AI-KIND and AI-SKU: accounts to create, and the usage estimate per month."""
    task = profile.problem.task
    kind = facts.kind_for(task, custom_labels=profile.problem.custom_labels)
    if kind is None:
        raise SelectionError(
            "problem.task",
            f"no prebuilt Azure AI model covers {task}; tabular, forecasting, recommendation, "
            f"clustering and anomaly detection on tabular data need training (got '{task}')",
        )
    kinds = [kind]
    if kind == "CustomVision.Training":
        kinds.append("CustomVision.Prediction")  # train on your labels, serve predictions
    choices = []
    for name in kinds:
        info = facts.kinds[name]
        free = profile.constraints.free_tier and info.free_sku is not None
        sku = info.free_sku if free else info.default_sku
        choices.append(AiServiceChoice(kind=name, sku=sku, covers=(task,)))
    label = " + ".join(kinds)
    notes.why(Rule.AI_KIND, f"{task} -> {label} ({facts.kinds[kind].name})"
              + ("; custom labels: Custom Vision trains on your images, prediction serves it"
                 if kind.startswith("CustomVision") else ""))
    skus = ", ".join(f"{c.kind} {c.sku}" for c in choices)
    if profile.constraints.free_tier:
        notes.why(Rule.AI_SKU, f"constraints.free_tier: the free F0 tier for a prototype ({skus}); "
                            "F0 is rate-limited and one per subscription and kind")
    else:
        notes.why(Rule.AI_SKU, f"standard pay-as-you-go tier ({skus}): no fixed monthly fee")
    requests = profile.deploy.requests_per_month
    serving = facts.kinds[kinds[-1]]
    if requests is None:
        notes.warn(f"deploy.requests_per_month is not set: {serving.name} is billed per "
                   f"{serving.unit} (${serving.usd_per_unit:g}), estimated here as $0")
        return tuple(choices), 0.0
    if profile.constraints.free_tier:
        return tuple(choices), 0.0
    per_unit = 1000 if serving.unit.startswith("1,000") else 1
    monthly = round(requests / per_unit * serving.usd_per_unit, 2)
    notes.why(Rule.COST_ESTIMATE, f"{requests:,} requests/month at ${serving.usd_per_unit:g} per "
                               f"{serving.unit} = ${monthly:,.2f}/month (list prices, "
                               f"{facts.source})")
    return tuple(choices), monthly


def select_ai(profile: WorkloadProfile, facts: AiFacts, notes: Notes
              ) -> tuple[tuple[AiServiceChoice, ...], float, bool]:
    """The accounts, their usage estimate, and whether it fits the budget."""
    choices, monthly = ai_services(profile, facts, notes)
    found, within = fit_budget(profile.constraints.monthly_budget_usd, Priced(choices, monthly),
                               [], notes,
                               lambda p: ": lower deploy.requests_per_month or raise the budget")
    return found.plan, found.monthly, within
