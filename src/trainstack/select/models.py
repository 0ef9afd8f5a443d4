"""What the selector decides: frozen values that flow on to the stacks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Value):
    rule: str
    text: str


class Alternative(_Value):
    vm_size: str
    hourly_usd: float
    rejected_because: str


class ComputeChoice(_Value):
    role: Literal["training", "data-prep", "development", "inference"]
    kind: Literal["aml-cluster", "aml-instance", "synapse-spark-pool", "databricks-cluster"]
    vm_size: str
    accelerator: Literal["cpu", "gpu"]
    family: Literal["general-purpose", "memory-optimized", "compute-optimized", "gpu"]
    gpus: int
    vcpus: int
    memory_gib: float
    min_nodes: int
    max_nodes: int
    priority: Literal["dedicated", "low-priority"]
    hourly_usd: float  # per node
    # Synapse Spark pools: Small ... XXLarge (then vm_size is empty)
    node_size: str | None = None
    # Not part of the select JSON contract; used by the stacks.
    idle_minutes: int = 15  # idle scale-down, auto-termination or auto-pause
    runtime: str | None = None  # Databricks runtime / Synapse Spark version

    def contract_dict(self) -> dict[str, Any]:
        """The keys of docs/profile-v1.md, in its order."""
        size = {"node_size": self.node_size} if self.node_size else {"vm_size": self.vm_size}
        return {
            "role": self.role, "kind": self.kind, **size,
            "accelerator": self.accelerator, "family": self.family, "gpus": self.gpus,
            "vcpus": self.vcpus, "memory_gib": _number(self.memory_gib),
            "min_nodes": self.min_nodes,
            "max_nodes": self.max_nodes, "priority": self.priority,
            "hourly_usd": self.hourly_usd,
        }


def _number(value: float) -> float | int:
    """128.0 -> 128, as the contract's example writes whole GiB."""
    return int(value) if float(value).is_integer() else value


class AiServiceChoice(_Value):
    kind: str
    sku: str
    covers: tuple[str, ...]


class Selection(_Value):
    profile: str
    service: Literal["azure-ml", "databricks", "synapse", "ai-services"]
    region: str
    compute: tuple[ComputeChoice, ...]
    ai_services: tuple[AiServiceChoice, ...] = ()
    estimated_monthly_usd: float
    within_budget: bool
    rationale: tuple[Reason, ...]
    alternatives: tuple[Alternative, ...] = ()
    warnings: tuple[str, ...] = ()

    def role(self, role: str) -> ComputeChoice | None:
        return next((c for c in self.compute if c.role == role), None)

    def training(self) -> ComputeChoice | None:
        return self.role("training")

    def headline(self) -> str:
        """What trains (or serves), in a few words, for summaries."""
        t = self.training()
        if t is None:
            return " + ".join(f"{a.kind} {a.sku}" for a in self.ai_services)
        if t.node_size:
            return f"Synapse {t.node_size} x {t.min_nodes}-{t.max_nodes}"
        return f"{t.vm_size} x {t.min_nodes}-{t.max_nodes}"

    def development(self) -> ComputeChoice | None:
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
            "estimated_monthly_usd": self.estimated_monthly_usd,
            "within_budget": self.within_budget,
            "rationale": [{"rule": r.rule, "text": r.text} for r in self.rationale],
            "alternatives": [
                {"vm_size": a.vm_size, "hourly_usd": a.hourly_usd,
                 "rejected_because": a.rejected_because}
                for a in self.alternatives
            ],
            "warnings": list(self.warnings),
        }
