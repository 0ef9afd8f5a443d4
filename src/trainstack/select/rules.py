"""Selector rule ids, each with the one line that says what it decides.

Ids are stable: they appear in ``trainstack select`` output and users grep for
them. docs/selection.md explains each; tests/test_select.py has a case per rule.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "SVC-OVERRIDE": "overrides.service pins the service",
    "SVC-AI-PREBUILT": "a prebuilt Azure AI model covers the task and prebuilt is acceptable "
                       "(or the team has no ML expertise): Azure AI services",
    "SVC-KEEP-PLATFORM": "the team's existing Databricks or Synapse platform is kept",
    "SVC-SYNAPSE-NO-GPU": "a Synapse team with deep-learning training: Azure ML trains on GPU, "
                          "a linked Synapse pool prepares data",
    "SVC-DISTRIBUTED": "data that needs Spark goes to Databricks (Synapse for SQL teams); deep "
                       "learning stays on Azure ML with a linked Spark pool",
    "SVC-FULL-CONTROL": "full-control or Scala with Spark-scale data: Databricks",
    "SVC-AML-DEFAULT": "Azure Machine Learning trains the model (Python SDK, CLI, studio UI)",
    "REGION-OVERRIDE": "overrides.region pins the region",
    "COMPUTE-GPU": "image, audio and deep-learning workloads train on GPU",
    "COMPUTE-CPU": "tabular and classical-ML workloads train on CPU",
    "COMPUTE-MEMORY": "RAM = k x data size + headroom; general-purpose when it fits, "
                      "memory-optimized when memory is the constraint",
    "COMPUTE-GPU-LADDER": "T4 for small models, A100 for larger, multi-GPU A100 for large, "
                          "InfiniBand ND sizes for multi-node; H100 where offered",
    "COMPUTE-GPU-TABULAR": "large XGBoost/LightGBM data trains on a GPU node when that is "
                           "cheaper per run (assumed 3x speed-up)",
    "COMPUTE-CURRENT-GEN": "only current-generation D/E/M CPU sizes and T4/A100/H100 GPU sizes "
                           "are candidates; retired sizes never are",
    "COMPUTE-CHEAPEST": "the cheapest feasible size offered by Azure ML in the region wins; "
                        "ties break by name",
    "COMPUTE-OVERRIDE": "overrides.training_vm_size pins the training size",
    "NODES-SCALE-TO-ZERO": "clusters scale to zero nodes and scale down after an idle period",
    "NODES-MAX": "max nodes = concurrent trials x nodes per run",
    "NODES-QUOTA": "max nodes are capped by the free vCPU quota the caller supplies",
    "SPARK-SYNAPSE-SIZE": "Synapse pool: the cheapest node size x count that holds the data; "
                          "autoscale from 3, auto-pause, MemoryOptimized, Spark 3.5",
    "SPARK-DATABRICKS-NODE": "Databricks: the cheapest node type x workers (VM + DBU) that "
                             "holds the data; ML or GPU-ML runtime; auto-termination",
    "AI-KIND": "the azurerm cognitive account kind(s) that cover the task",
    "AI-SKU": "F0 only for a free prototype, else the standard pay-as-you-go SKU",
    "PRIORITY-LOW": "restartable single-node jobs use low-priority VMs when allowed",
    "PRIORITY-DEDICATED": "dedicated VMs for prod, multi-node or when low-priority is not allowed",
    "DEV-INSTANCE": "a small CPU compute instance with idle shutdown for ui/notebooks teams",
    "COST-ESTIMATE": "monthly cost = nodes x hourly price x hours per run x runs per month "
                     "(+ development instance hours)",
    "BUDGET-OK": "the estimate is within constraints.monthly_budget_usd",
    "BUDGET-LOW-PRIORITY": "over budget: low-priority nodes tried first",
    "BUDGET-CHEAPER-FAMILY": "over budget: a cheaper feasible family (compute-optimized) "
                             "tried next",
    "BUDGET-FEWER-TRIALS": "over budget: fewer concurrent trials tried next",
    "BUDGET-OVER": "still over budget: the cheapest feasible choice is kept and what to relax "
                   "is said",
}
