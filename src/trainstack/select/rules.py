"""Selector rule ids, each with the one line that says what it decides.

Ids are stable: they appear in ``trainstack select`` output and users grep for
them. ``Rule`` is the one list: the selector writes its members, docs/selection.md
explains each (a test keeps the two equal), tests/select/test_select.py has a case per
rule.
"""

from __future__ import annotations

from enum import StrEnum


class Rule(StrEnum):
    """A selector rule id, as it appears in the rationale."""

    SVC_OVERRIDE = "SVC-OVERRIDE"
    SVC_AI_PREBUILT = "SVC-AI-PREBUILT"
    SVC_KEEP_PLATFORM = "SVC-KEEP-PLATFORM"
    SVC_SYNAPSE_NO_GPU = "SVC-SYNAPSE-NO-GPU"
    SVC_DISTRIBUTED = "SVC-DISTRIBUTED"
    SVC_FULL_CONTROL = "SVC-FULL-CONTROL"
    SVC_AML_DEFAULT = "SVC-AML-DEFAULT"
    REGION_OVERRIDE = "REGION-OVERRIDE"
    COMPUTE_GPU = "COMPUTE-GPU"
    COMPUTE_CPU = "COMPUTE-CPU"
    COMPUTE_MEMORY = "COMPUTE-MEMORY"
    COMPUTE_GPU_LADDER = "COMPUTE-GPU-LADDER"
    COMPUTE_GPU_TABULAR = "COMPUTE-GPU-TABULAR"
    COMPUTE_CURRENT_GEN = "COMPUTE-CURRENT-GEN"
    COMPUTE_CHEAPEST = "COMPUTE-CHEAPEST"
    COMPUTE_OVERRIDE = "COMPUTE-OVERRIDE"
    NODES_SCALE_TO_ZERO = "NODES-SCALE-TO-ZERO"
    NODES_MAX = "NODES-MAX"
    NODES_QUOTA = "NODES-QUOTA"
    SPARK_SYNAPSE_SIZE = "SPARK-SYNAPSE-SIZE"
    SPARK_DATABRICKS_NODE = "SPARK-DATABRICKS-NODE"
    AI_KIND = "AI-KIND"
    AI_SKU = "AI-SKU"
    PRIORITY_LOW = "PRIORITY-LOW"
    PRIORITY_DEDICATED = "PRIORITY-DEDICATED"
    DEV_INSTANCE = "DEV-INSTANCE"
    COST_ESTIMATE = "COST-ESTIMATE"
    BUDGET_OK = "BUDGET-OK"
    BUDGET_LOW_PRIORITY = "BUDGET-LOW-PRIORITY"
    BUDGET_CHEAPER_FAMILY = "BUDGET-CHEAPER-FAMILY"
    BUDGET_FEWER_TRIALS = "BUDGET-FEWER-TRIALS"
    BUDGET_OVER = "BUDGET-OVER"
    NET_PRIVATE_ENDPOINTS = "NET-PRIVATE-ENDPOINTS"
    NET_OUTBOUND = "NET-OUTBOUND"
    NET_EGRESS = "NET-EGRESS"
    ENDPOINT_ONLINE = "ENDPOINT-ONLINE"
    ENDPOINT_BATCH = "ENDPOINT-BATCH"
    ENDPOINT_NOT_PROVISIONED = "ENDPOINT-NOT-PROVISIONED"
    COST_TOTAL = "COST-TOTAL"
    MONITOR_DRIFT = "MONITOR-DRIFT"


RULES: dict[Rule, str] = {
    Rule.SVC_OVERRIDE: "overrides.service pins the service",
    Rule.SVC_AI_PREBUILT: "a prebuilt Azure AI model covers the task and prebuilt is acceptable "
                       "(or the team has no ML expertise): Azure AI services",
    Rule.SVC_KEEP_PLATFORM: "the team's existing Databricks or Synapse platform is kept",
    Rule.SVC_SYNAPSE_NO_GPU: "a Synapse team with deep-learning training: Azure ML trains on GPU, "
                          "a linked Synapse pool prepares data",
    Rule.SVC_DISTRIBUTED: "data that needs Spark goes to Databricks (Synapse for SQL teams); deep "
                       "learning stays on Azure ML with a linked Spark pool",
    Rule.SVC_FULL_CONTROL: "full-control or Scala with Spark-scale data: Databricks",
    Rule.SVC_AML_DEFAULT: "Azure Machine Learning trains the model (Python SDK, CLI, studio UI)",
    Rule.REGION_OVERRIDE: "overrides.region pins the region",
    Rule.COMPUTE_GPU: "image, audio and deep-learning workloads train on GPU",
    Rule.COMPUTE_CPU: "tabular and classical-ML workloads train on CPU",
    Rule.COMPUTE_MEMORY: "RAM = k x data size + headroom; general-purpose when it fits, "
                      "memory-optimized when memory is the constraint",
    Rule.COMPUTE_GPU_LADDER: "T4 for small models, A100 for larger, multi-GPU A100 for large, "
                          "InfiniBand ND sizes for multi-node; H100 where offered",
    Rule.COMPUTE_GPU_TABULAR: "large XGBoost/LightGBM data trains on a GPU node when that is "
                           "cheaper per run (assumed 3x speed-up)",
    Rule.COMPUTE_CURRENT_GEN: "only current-generation D/E/M CPU sizes and T4/A100/H100 GPU sizes "
                           "are candidates; retired sizes never are",
    Rule.COMPUTE_CHEAPEST: "the cheapest feasible size offered by Azure ML in the region wins; "
                        "ties break by name",
    Rule.COMPUTE_OVERRIDE: "overrides.training_vm_size pins the training size",
    Rule.NODES_SCALE_TO_ZERO: "clusters scale to zero nodes and scale down after an idle period",
    Rule.NODES_MAX: "max nodes = concurrent trials x nodes per run",
    Rule.NODES_QUOTA: "max nodes are capped by the free vCPU quota the caller supplies",
    Rule.SPARK_SYNAPSE_SIZE: "Synapse pool: the cheapest node size x count that holds the data; "
                          "autoscale from 3, auto-pause, MemoryOptimized, Spark 3.5",
    Rule.SPARK_DATABRICKS_NODE: "Databricks: the cheapest node type x workers (VM + DBU) that "
                             "holds the data; ML or GPU-ML runtime; auto-termination",
    Rule.AI_KIND: "the azurerm cognitive account kind(s) that cover the task",
    Rule.AI_SKU: "F0 only for a free prototype, else the standard pay-as-you-go SKU",
    Rule.PRIORITY_LOW: "restartable single-node jobs use low-priority VMs when allowed",
    Rule.PRIORITY_DEDICATED: "dedicated VMs for prod, multi-node or when low-priority is not "
                             "allowed",
    Rule.DEV_INSTANCE: "a small CPU compute instance with idle shutdown for ui/notebooks teams",
    Rule.COST_ESTIMATE: "monthly cost = nodes x hourly price x hours per run x runs per month "
                     "(+ development instance hours)",
    Rule.BUDGET_OK: "the estimate is within constraints.monthly_budget_usd",
    Rule.BUDGET_LOW_PRIORITY: "over budget: low-priority nodes tried first",
    Rule.BUDGET_CHEAPER_FAMILY: "over budget: a cheaper feasible family (compute-optimized) "
                             "tried next",
    Rule.BUDGET_FEWER_TRIALS: "over budget: fewer concurrent trials tried next",
    Rule.BUDGET_OVER: "still over budget: the cheapest feasible choice is kept and what to relax "
                   "is said",
    Rule.NET_PRIVATE_ENDPOINTS: "a private profile reaches every closed resource through a "
                                "private endpoint with its private DNS zone",
    Rule.NET_OUTBOUND: "the Azure ML managed network allows internet outbound outside prod; "
                       "prod allows only approved outbound, with FQDN rules for package "
                       "sources and the firewall Azure deploys for them",
    Rule.NET_EGRESS: "no-public-IP Databricks clusters leave through a NAT gateway",
    Rule.ENDPOINT_ONLINE: "deploy.endpoint online: a managed online endpoint with Entra "
                          "(key-less) auth on the cheapest size it runs on that holds the model, "
                          "CPU unless the model trained on GPU for images, audio or text; "
                          "instances billed around the clock",
    Rule.ENDPOINT_BATCH: "deploy.endpoint batch: a batch endpoint with a scoring cluster that "
                         "scales from zero, priced at deploy.batch_hours_per_month",
    Rule.ENDPOINT_NOT_PROVISIONED: "the endpoint is not part of this stack (the Azure AI "
                                   "services account serves calls itself; Databricks and "
                                   "Synapse stacks have no Azure ML workspace)",
    Rule.MONITOR_DRIFT: "monitor.data_drift: an Azure ML model monitor is a step after training "
                        "(it needs registered data assets), not infrastructure; it does not run "
                        "in a managed network that allows only approved outbound",
    Rule.COST_TOTAL: "the estimate is every line of cost_breakdown: compute, the network's "
                     "fixed prices, the platform around the compute (registry, storage, Log "
                     "Analytics, alert rules) and the endpoint; the fixed lines count against "
                     "the budget",
}
