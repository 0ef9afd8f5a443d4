"""Selector rule ids, each with the one line that says what it decides.

Ids are stable: they appear in ``trainstack select`` output and users grep for
them. docs/selection.md explains each; tests/test_select.py has a case per rule.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "SVC-OVERRIDE": "overrides.service pins the service",
    "SVC-AML-DEFAULT": "Azure Machine Learning trains the model (Python SDK, CLI, studio UI)",
    "REGION-OVERRIDE": "overrides.region pins the region",
    "COMPUTE-GPU": "image, audio and deep-learning workloads train on GPU",
    "COMPUTE-CPU": "tabular and classical-ML workloads train on CPU",
    "COMPUTE-MEMORY": "RAM = k x data size + headroom; general-purpose when it fits, "
                      "memory-optimized when memory is the constraint",
    "COMPUTE-GPU-LADDER": "T4 for small models, A100 for larger, multi-GPU A100 for large, "
                          "InfiniBand ND sizes for multi-node; H100 where offered",
    "COMPUTE-CURRENT-GEN": "only current-generation D/E/M CPU sizes and T4/A100/H100 GPU sizes "
                           "are candidates; retired sizes never are",
    "COMPUTE-CHEAPEST": "the cheapest feasible size offered by Azure ML in the region wins; "
                        "ties break by name",
    "COMPUTE-OVERRIDE": "overrides.training_vm_size pins the training size",
    "NODES-SCALE-TO-ZERO": "clusters scale to zero nodes and scale down after an idle period",
    "NODES-MAX": "max nodes = concurrent trials x nodes per run",
    "PRIORITY-LOW": "restartable single-node jobs use low-priority VMs when allowed",
    "PRIORITY-DEDICATED": "dedicated VMs for prod, multi-node or when low-priority is not allowed",
    "DEV-INSTANCE": "a small CPU compute instance with idle shutdown for ui/notebooks teams",
    "COST-ESTIMATE": "monthly cost = nodes x hourly price x hours per run x runs per month "
                     "(+ development instance hours)",
    "BUDGET-OK": "the estimate is within constraints.monthly_budget_usd",
    "BUDGET-LOW-PRIORITY": "over budget: low-priority nodes tried first",
    "BUDGET-FEWER-TRIALS": "over budget: fewer concurrent trials tried next",
    "BUDGET-OVER": "still over budget: the cheapest feasible choice is kept and what to relax "
                   "is said",
}
