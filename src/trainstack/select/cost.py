"""COST-*: the monthly estimate, item by item (the select JSON's ``cost_breakdown``).

Every billable thing the stack creates is a line: the compute (its node-hours at the
catalog's VM, vCore or DBU price), Azure AI services usage, the network's fixed prices,
the platform around the compute (container registry tier, the data's storage, Log
Analytics ingestion, metric alert rules) and the inference endpoint's instances. Each
line names the catalog source of its price (catalog/data/*.json, with its date), and the
lines sum to ``estimated_monthly_usd``. What is billed only by use and not estimated
(key vault operations, storage transactions, data processed by private endpoints) is
said in docs/guide.md, not priced as zero.
"""

from __future__ import annotations

from trainstack.catalog.facts import Facts
from trainstack.catalog.services import PlatformFacts
from trainstack.profile.models import WorkloadProfile
from trainstack.select.aml import DEV_HOURS_PER_MONTH
from trainstack.select.common import run_hours
from trainstack.select.models import (
    AiServiceChoice,
    AmlCluster,
    AmlInstance,
    ComputeChoice,
    CostItem,
    DatabricksCluster,
    NetworkChoice,
    SynapsePool,
)
from trainstack.select.spark import DBU_RATE


def line(item: str, category: str, quantity: float, unit: str, unit_usd: float, source: str,
         monthly: float | None = None) -> CostItem:
    """One line: ``monthly`` defaults to quantity x unit price, rounded to cents."""
    return CostItem(item=item, category=category, quantity=round(quantity, 4), unit=unit,
                    unit_usd=unit_usd, source=source,
                    monthly_usd=round(quantity * unit_usd if monthly is None else monthly, 2))


def total(items: list[CostItem] | tuple[CostItem, ...]) -> float:
    """The estimate: the lines' sum, in cents."""
    return round(sum((i.monthly_usd for i in items), 0.0), 2)


# What the stack makes and this module prices, decided once (constructs/base.py, aml.py,
# synapse.py use them): Log Analytics retention and storage redundancy by whether the
# environment is prod (prod survives a zone outage; dev/test data is reproducible), and the
# registry tier by whether the profile is private (private endpoints need Premium).
LOG_RETENTION_DAYS = {True: 90, False: 30}
REDUNDANCY = {True: "ZRS", False: "LRS"}
REGISTRY_SKU = {True: "Premium", False: "Basic"}
NODE_UNITS = ("node-hours", "instance-hours", "hours", "pool-hours")


def node_hours(items: list[CostItem]) -> float:
    """The compute's running hours a month (a pool's hours count once): what the Log
    Analytics estimate scales with."""
    return sum(i.quantity for i in items if i.unit in NODE_UNITS)


def _vm_source(facts: Facts, size: str, region: str) -> str:
    vm = facts.vms.get(size, region)
    return vm.price_source if vm is not None else "unknown"


def compute_items(profile: WorkloadProfile, compute: list[ComputeChoice], monthly: float,
                  facts: Facts, region: str) -> list[CostItem]:
    """The compute lines of a training service's ``monthly`` (what its flow priced and fit to
    the budget): the development instance and data-preparation pool at their hours, the
    training compute the rest, so the lines sum to ``monthly`` exactly."""
    items: list[CostItem] = []
    hours = run_hours(profile)
    for c in compute:
        if isinstance(c, AmlInstance):
            items.append(line(f"development instance {c.vm_size}", "compute",
                              DEV_HOURS_PER_MONTH, "hours", c.hourly_usd,
                              _vm_source(facts, c.vm_size, region)))
        elif isinstance(c, SynapsePool) and c.role == "data-prep":
            items.append(line(f"data-preparation Spark pool, {c.max_nodes} x {c.node_size}",
                              "compute", hours, "pool-hours", round(c.max_nodes * c.hourly_usd, 4),
                              facts.services.synapse.source))
    rest = round(monthly - total(items), 2)
    training = next(c for c in compute if c.role == "training")
    if isinstance(training, SynapsePool):
        vcore_hours = training.max_nodes * training.vcpus * hours
        items.insert(0, line(f"training Spark pool, up to {training.max_nodes} x "
                             f"{training.node_size}", "compute", vcore_hours, "vCore-hours",
                             facts.services.synapse.usd_per_vcore_hour,
                             facts.services.synapse.source, rest))
    elif isinstance(training, DatabricksCluster):
        dbx = facts.services.databricks
        dbus = (training.max_nodes + 1) * dbx.dbu_per_hour(training.family, training.vcpus) * hours
        dbu_item = line(f"Databricks DBUs ({DBU_RATE} compute, premium tier)", "compute", dbus,
                        "DBUs", dbx.dbu_usd[DBU_RATE], dbx.source)
        vms = round(rest - dbu_item.monthly_usd, 2)
        nodes_hours = (training.max_nodes + 1) * hours
        items[:0] = [line(f"training cluster VMs {training.vm_size}, driver + up to "
                          f"{training.max_nodes} worker(s)", "compute", nodes_hours, "node-hours",
                          round(vms / nodes_hours, 4) if nodes_hours else 0.0,
                          _vm_source(facts, training.vm_size, region), vms), dbu_item]
    elif isinstance(training, AmlCluster):
        # the hours the flow priced (with the trials the budget allowed), to a tenth
        nodes_hours = round(rest / training.hourly_usd, 1) if training.hourly_usd else 0.0
        items.insert(0, line(f"training cluster {training.vm_size} ({training.priority})",
                             "compute", nodes_hours, "node-hours", training.hourly_usd,
                             _vm_source(facts, training.vm_size, region), rest))
    return items


def ai_items(profile: WorkloadProfile, choices: tuple[AiServiceChoice, ...], monthly: float,
             facts: Facts) -> list[CostItem]:
    """The usage line of the Azure AI services account that serves the calls."""
    ai = facts.services.ai
    serving = ai.kinds[choices[-1].kind]
    requests = profile.deploy.requests_per_month or 0
    per_unit = 1000 if serving.unit.startswith("1,000") else 1
    price = 0.0 if profile.constraints.free_tier else serving.usd_per_unit
    return [line(f"{serving.name} usage ({choices[-1].sku})", "usage", requests / per_unit,
                 serving.unit, price, ai.source, monthly)]


def network_items(network: NetworkChoice, source: str) -> list[CostItem]:
    """The network's fixed lines (select/network.py priced them); none of what the stack
    makes none of (no endpoint to close when what is closed exists already)."""
    return [line(i.item, "network", i.quantity, "item-months",
                 round(i.monthly_usd / i.quantity, 4), source, i.monthly_usd)
            for i in network.items if i.quantity]


def platform_items(profile: WorkloadProfile, service: str, node_hours: float,
                   alert_rules: int, facts: PlatformFacts) -> list[CostItem]:
    """What the stack creates around the compute and bills by the month: the Azure ML
    container registry, the storage the stack's own container or lake holds the data in,
    the Log Analytics ingestion of its diagnostics, and its metric alert rules; not what the
    profile names as existing (its registry, its lake, its workspace's retention)."""
    items: list[CostItem] = []
    days = facts.hours_per_month / 24
    private = profile.constraints.network == "private"
    redundancy = REDUNDANCY[profile.environment == "prod"]
    existing = profile.existing
    if service == "azure-ml" and not (existing.aml_workspace_id or existing.container_registry_id):
        tier = REGISTRY_SKU[private]
        items.append(line(f"container registry ({tier})", "platform", days, "days",
                          facts.registry_usd_per_day[tier], facts.source))
    holds_data = (service == "azure-ml" and profile.data.location is None) or (
        service == "synapse" and not existing.synapse_workspace_id)
    if holds_data:
        lake = service == "synapse"
        prices = facts.datalake_usd_per_gb_month if lake else facts.storage_usd_per_gb_month
        where = "data lake (ADLS Gen2" if lake else "workspace storage (blob"
        items.append(line(f"{where}, hot, {redundancy}): the training data", "platform",
                          profile.data.size_gb, "GB-months", prices[redundancy], facts.source))
    gb = facts.logs_base_gb_per_month + node_hours * facts.logs_gb_per_node_hour
    items.append(line("Log Analytics ingestion (estimated from the run volume)"
                      + (", to the existing workspace" if existing.log_analytics_workspace_id
                         else ""), "platform", gb,
                      "GB", facts.log_analytics_usd_per_gb, facts.source))
    retention = LOG_RETENTION_DAYS[profile.environment == "prod"]
    # an existing workspace keeps data as its owner set it
    if retention > facts.log_free_retention_days and not existing.log_analytics_workspace_id:
        # in steady state a month's data is kept (retention - free) days beyond the free ones
        kept = gb * (retention - facts.log_free_retention_days) / 30
        items.append(line(f"Log Analytics retention, {retention} days", "platform", kept,
                          "GB-months", facts.log_retention_usd_per_gb_month, facts.source))
    if alert_rules:
        items.append(line("metric alert rules", "platform", alert_rules, "rules",
                          facts.metric_alert_usd_per_month, facts.source))
    return items
