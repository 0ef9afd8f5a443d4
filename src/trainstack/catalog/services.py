"""Packaged facts about the Spark services and Azure AI services (services.json).

Synapse Spark node sizes and vCore price, Databricks node series, DBU rates and
ML runtimes, Azure AI services kinds with SKUs, covered tasks and usage
prices, the fixed prices of a private network, and the platform's prices (registry,
storage, Log Analytics, alerts). Read lazily, once; never fetched here (`catalog refresh`
writes refreshed prices beside the refreshed catalog: catalog/service_prices.py).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class SparkNodeSize:
    name: str  # Small ... XXLarge
    vcores: int
    memory_gib: float


@dataclass(frozen=True)
class SynapseFacts:
    node_sizes: tuple[SparkNodeSize, ...]  # ascending; what the sizer chooses from
    isolated_node_size: SparkNodeSize  # valid, but only with compute isolation
    node_family: str
    spark_version: str
    min_nodes: int
    max_nodes: int
    auto_pause_minutes: int
    usd_per_vcore_hour: float
    source: str


@dataclass(frozen=True)
class DatabricksFacts:
    node_series: tuple[re.Pattern[str], ...]
    dbu_per_vcpu: dict[str, float]  # by VM family
    dbu_usd: dict[str, float]  # by workload: jobs, all-purpose
    cpu_ml_runtime: str
    gpu_ml_runtime: str
    runtime_lts: str
    source: str

    def supports(self, vm_size: str) -> bool:
        """Whether Databricks offers the VM size as a node type."""
        return any(p.match(vm_size) for p in self.node_series)

    def dbu_per_hour(self, family: str, vcpus: int) -> float:
        """DBUs per hour of one node of this family and size."""
        return round(self.dbu_per_vcpu[family] * vcpus, 4)


@dataclass(frozen=True)
class AiKind:
    kind: str  # azurerm_cognitive_account kind
    name: str
    covers: tuple[str, ...]
    skus: tuple[str, ...]
    default_sku: str
    free_sku: str | None
    unit: str
    usd_per_unit: float


@dataclass(frozen=True)
class AiFacts:
    kinds: dict[str, AiKind]
    custom_vision_tasks: frozenset[str]
    source: str

    def kind_for(self, task: str, *, custom_labels: bool = False) -> str | None:
        """The prebuilt kind that covers a task (CustomVision for custom labels)."""
        if custom_labels and task in self.custom_vision_tasks:
            return "CustomVision.Training"
        for kind in sorted(self.kinds):
            if task in self.kinds[kind].covers and not kind.startswith("CustomVision"):
                return kind
        return None


@dataclass(frozen=True)
class NetworkFacts:
    """List prices of what a private network costs whether or not anything runs."""

    hours_per_month: int
    private_endpoint_usd_per_hour: float
    private_dns_zone_usd_per_month: float
    nat_gateway_usd_per_hour: float
    public_ip_usd_per_hour: float
    firewall_standard_usd_per_hour: float
    source: str


@dataclass(frozen=True)
class PlatformFacts:
    """List prices of what the stack creates around the compute, and the assumptions that
    turn the run volume into Log Analytics gigabytes (each with its source)."""

    hours_per_month: int
    registry_usd_per_day: dict[str, float]  # by SKU: Basic, Standard, Premium
    storage_usd_per_gb_month: dict[str, float]  # blob hot tier, by redundancy: LRS, ZRS
    datalake_usd_per_gb_month: dict[str, float]  # hierarchical namespace, hot tier
    log_analytics_usd_per_gb: float  # Analytics logs, pay-as-you-go ingestion
    log_retention_usd_per_gb_month: float  # kept beyond the included days
    log_free_retention_days: int
    logs_base_gb_per_month: float  # the stack's resources' logs and metrics, idle
    logs_gb_per_node_hour: float  # what a running node adds
    metric_alert_usd_per_month: float  # one rule on one time series
    source: str


@dataclass(frozen=True)
class EndpointFacts:
    """Azure ML endpoints: the sizes a managed online endpoint runs on, and the instances
    trainstack deploys by default."""

    online_sizes: tuple[re.Pattern[str], ...]
    min_memory_gib: float  # smaller sizes may stop the container for want of memory
    gpu_memory_gib: dict[str, float]  # total GPU memory a model of each size needs
    instances: dict[str, int]  # online instances: "prod" and "other" environments
    batch_nodes: dict[str, int]  # the batch cluster's maximum nodes, likewise
    max_instances: int
    source: str

    def online(self, vm_size: str) -> bool:
        """Whether managed online endpoints run on this size."""
        return any(p.match(vm_size) for p in self.online_sizes)


@dataclass(frozen=True)
class ServiceFacts:
    synapse: SynapseFacts
    databricks: DatabricksFacts
    ai: AiFacts
    network: NetworkFacts
    platform: PlatformFacts
    endpoints: EndpointFacts
    sources: dict[str, dict[str, str]]


def parse_services(data: dict) -> ServiceFacts:
    """The service facts from the parsed services.json."""
    syn, dbx, ai = data["synapse"], data["databricks"], data["ai_services"]
    sizes = sorted(
        (SparkNodeSize(name, v["vcores"], float(v["memory_gib"]))
         for name, v in syn["node_sizes"].items()),
        key=lambda s: s.vcores,
    )
    return ServiceFacts(
        synapse=SynapseFacts(
            node_sizes=tuple(sizes),
            isolated_node_size=SparkNodeSize(syn["isolated_node_size"]["name"],
                                             syn["isolated_node_size"]["vcores"],
                                             float(syn["isolated_node_size"]["memory_gib"])),
            node_family=syn["node_family"],
            spark_version=syn["spark_version"], min_nodes=syn["min_nodes"],
            max_nodes=syn["max_nodes"], auto_pause_minutes=syn["auto_pause_minutes"],
            usd_per_vcore_hour=syn["usd_per_vcore_hour"], source=syn["source"],
        ),
        databricks=DatabricksFacts(
            node_series=tuple(re.compile(p) for p in dbx["node_series"]),
            dbu_per_vcpu=dict(dbx["dbu_per_vcpu"]), dbu_usd=dict(dbx["dbu_usd"]),
            cpu_ml_runtime=dbx["runtime"]["cpu_ml"], gpu_ml_runtime=dbx["runtime"]["gpu_ml"],
            runtime_lts=dbx["runtime"]["lts"], source=dbx["source"],
        ),
        ai=AiFacts(
            kinds={k: AiKind(k, v["name"], tuple(v["covers"]), tuple(v["skus"]),
                             v["default_sku"], v["free_sku"], v["unit"], v["usd_per_unit"])
                   for k, v in ai["kinds"].items()},
            custom_vision_tasks=frozenset(ai["custom_vision_tasks"]),
            source=ai["source"],
        ),
        network=NetworkFacts(**data["network"]),
        platform=PlatformFacts(**data["platform"]),
        endpoints=EndpointFacts(**{**data["endpoints"], "online_sizes": tuple(
            re.compile(p) for p in data["endpoints"]["online_sizes"])}),
        sources=data["sources"],
    )


@functools.cache
def load_services() -> ServiceFacts:
    """The packaged service facts, with the prices `catalog refresh` wrote beside the
    refreshed VM catalog when they refresh this same services.json; read once per process."""
    from trainstack.catalog import service_prices
    from trainstack.settings import catalog_dir_from_env

    text = (resources.files("trainstack.catalog") / "data" / "services.json").read_text("utf-8")
    data = json.loads(text)
    try:
        refreshed = json.loads((catalog_dir_from_env() / service_prices.FILE)
                               .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return parse_services(data)
    return parse_services(service_prices.overlay(data, refreshed))
