"""What the selector decides: frozen values that flow on to the stacks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Value):
    rule: str
    text: str


class Alternative(_Value):
    vm_size: str
    hourly_usd: float
    rejected_because: str


Role = Literal["training", "data-prep", "development", "inference"]
Family = Literal["general-purpose", "memory-optimized", "compute-optimized", "gpu"]
SynapseNodeSize = Literal["Small", "Medium", "Large", "XLarge", "XXLarge", "XXXLarge"]


class _Compute(_Value):
    """What every compute choice has: its role, the node's shape, nodes, priority, price."""

    role: Role
    accelerator: Literal["cpu", "gpu"]
    family: Family
    gpus: int
    vcpus: int
    memory_gib: float
    min_nodes: int
    max_nodes: int
    priority: Literal["dedicated", "low-priority"]
    hourly_usd: float  # per node
    # Not part of the select JSON contract; used by the stacks.
    idle_minutes: int  # idle scale-down, auto-termination or auto-pause (no default: each
    # service says its own)

    def contract_dict(self) -> dict[str, Any]:
        """The keys of docs/profile-v1.md, in its order."""
        return {
            "role": self.role, "kind": self.kind,  # type: ignore[attr-defined]
            **self._size_field(),  # type: ignore[attr-defined]
            "accelerator": self.accelerator, "family": self.family, "gpus": self.gpus,
            "vcpus": self.vcpus, "memory_gib": _number(self.memory_gib),
            "min_nodes": self.min_nodes,
            "max_nodes": self.max_nodes, "priority": self.priority,
            "hourly_usd": self.hourly_usd,
        }


class _OnVms(_Compute):
    """Compute whose nodes are Azure VMs of one size."""

    vm_size: str

    @property
    def size(self) -> str:
        """The node size as Azure names it."""
        return self.vm_size

    def _size_field(self) -> dict[str, str]:
        return {"vm_size": self.vm_size}


class AmlCluster(_OnVms):
    """An Azure ML compute cluster (training)."""

    kind: Literal["aml-cluster"] = "aml-cluster"


class AmlInstance(_OnVms):
    """An Azure ML compute instance (development)."""

    kind: Literal["aml-instance"] = "aml-instance"


class AmlOnlineEndpoint(_OnVms):
    """A managed online endpoint's deployment (inference): ``min_nodes`` = ``max_nodes`` =
    its instances, billed around the clock."""

    kind: Literal["aml-online-endpoint"] = "aml-online-endpoint"


class SynapsePool(_Compute):
    """A Synapse Spark pool (training, or data preparation for Azure ML)."""

    kind: Literal["synapse-spark-pool"] = "synapse-spark-pool"
    node_size: SynapseNodeSize
    node_family: str  # MemoryOptimized: the only family Synapse still has
    runtime: str  # Spark version

    @property
    def size(self) -> str:
        """The node size as Synapse names it."""
        return self.node_size

    def _size_field(self) -> dict[str, str]:
        return {"node_size": self.node_size}


class DatabricksCluster(_OnVms):
    """A Databricks job cluster (``vm_size`` is its node type)."""

    kind: Literal["databricks-cluster"] = "databricks-cluster"
    runtime: str  # Databricks ML runtime


ComputeChoice = Annotated[AmlCluster | AmlInstance | AmlOnlineEndpoint | SynapsePool
                          | DatabricksCluster,
                          Field(discriminator="kind")]


def _number(value: float) -> float | int:
    """128.0 -> 128, as the contract's example writes whole GiB."""
    return int(value) if float(value).is_integer() else value


class AiServiceChoice(_Value):
    kind: str
    sku: str
    covers: tuple[str, ...]


class NetworkItem(_Value):
    """One priced line of the network: what, how many, per month."""

    item: str
    quantity: int
    monthly_usd: float


class NetworkChoice(_Value):
    """How the stack is networked, and the fixed monthly cost of that."""

    mode: Literal["public", "private"] = "public"
    # the Azure ML managed network's outbound mode, when a private stack has a workspace
    outbound: Literal["internet", "approved-only"] | None = None
    egress: Literal["nat-gateway"] | None = None  # for VNet-injected Databricks clusters
    private_endpoints: int = 0
    private_dns_zones: int = 0
    items: tuple[NetworkItem, ...] = ()

    @property
    def monthly_usd(self) -> float:
        """The network's fixed cost per month."""
        return round(sum((i.monthly_usd for i in self.items), 0.0), 2)  # a float, 0.0 too

    def contract_dict(self) -> dict[str, Any]:
        """The ``network`` object of the select JSON."""
        return {
            "mode": self.mode, "outbound": self.outbound, "egress": self.egress,
            "private_endpoints": self.private_endpoints,
            "private_dns_zones": self.private_dns_zones, "monthly_usd": self.monthly_usd,
            "items": [{"item": i.item, "quantity": i.quantity, "monthly_usd": i.monthly_usd}
                      for i in self.items],
        }


CostCategory = Literal["compute", "usage", "network", "platform", "endpoint"]


class CostItem(_Value):
    """One priced line of the monthly estimate: what, how much of it, at what list price,
    and the catalog source of that price (catalog/data/*.json "sources")."""

    item: str
    category: CostCategory
    quantity: float
    unit: str
    unit_usd: float
    monthly_usd: float
    source: str

    def contract_dict(self) -> dict[str, Any]:
        """One ``cost_breakdown`` entry of the select JSON."""
        return {"item": self.item, "category": self.category,
                "quantity": _number(round(self.quantity, 4)), "unit": self.unit,
                "unit_usd": self.unit_usd, "monthly_usd": self.monthly_usd,
                "source": self.source}


class Selection(_Value):
    profile: str
    service: Literal["azure-ml", "databricks", "synapse", "ai-services"]
    region: str
    compute: tuple[ComputeChoice, ...]
    ai_services: tuple[AiServiceChoice, ...] = ()
    network: NetworkChoice = NetworkChoice()
    estimated_monthly_usd: float
    # what the estimate is made of, item by item; sums to estimated_monthly_usd
    cost_breakdown: tuple[CostItem, ...] = ()
    within_budget: bool
    rationale: tuple[Reason, ...]
    alternatives: tuple[Alternative, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def compute_monthly_usd(self) -> float:
        """What the service's own flow priced and fit to the budget: its compute (or, for
        Azure AI services, usage) lines, without the endpoint, network and platform."""
        return round(sum((i.monthly_usd for i in self.cost_breakdown
                          if i.category in ("compute", "usage")), 0.0), 2)

    def role(self, role: str) -> ComputeChoice | None:
        """The compute with this role, if the selection has one."""
        return next((c for c in self.compute if c.role == role), None)

    def training(self) -> ComputeChoice | None:
        """The compute that trains (none for Azure AI services)."""
        return self.role("training")

    def headline(self) -> str:
        """What trains (or serves), in a few words, for summaries."""
        t = self.training()
        if t is None:
            return " + ".join(f"{a.kind} {a.sku}" for a in self.ai_services)
        if isinstance(t, SynapsePool):
            return f"Synapse {t.node_size} x {t.min_nodes}-{t.max_nodes}"
        return f"{t.size} x {t.min_nodes}-{t.max_nodes}"

    def development(self) -> ComputeChoice | None:
        """The development instance, if the team gets one."""
        return self.role("development")

    def contract_dict(self) -> dict[str, Any]:
        """The ``trainstack select --format json`` object, keys in contract order."""
        return {
            "profile": self.profile,
            "service": self.service,
            "region": self.region,
            "compute": [c.contract_dict() for c in self.compute],
            "ai_services": [
                {"kind": a.kind, "sku": a.sku, "covers": list(a.covers)} for a in self.ai_services
            ],
            "network": self.network.contract_dict(),
            "estimated_monthly_usd": self.estimated_monthly_usd,
            "cost_breakdown": [i.contract_dict() for i in self.cost_breakdown],
            "within_budget": self.within_budget,
            "rationale": [{"rule": r.rule, "text": r.text} for r in self.rationale],
            "alternatives": [
                {"vm_size": a.vm_size, "hourly_usd": a.hourly_usd,
                 "rejected_because": a.rejected_because}
                for a in self.alternatives
            ],
            "warnings": list(self.warnings),
        }
