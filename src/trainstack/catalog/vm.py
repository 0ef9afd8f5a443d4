"""The VM catalog: Azure VM sizes with specs and per-region prices.

The data is packaged with trainstack (``data/vm_sizes.csv``, built by
``tools/build_catalog.py`` from sourced snapshots) and read lazily on first use;
nothing here fetches. Queries are pure functions of a ``Catalog`` value, so
tests can build a five-row catalog inline.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

Family = str  # "general-purpose" | "memory-optimized" | "compute-optimized" | "gpu"


@dataclass(frozen=True, slots=True)
class VmSize:
    """One VM size in one region."""

    vm_size: str
    region: str
    vcpus: int
    memory_gib: float
    gpus: int
    gpu_model: str
    gpu_memory_gib: float  # per GPU
    family: Family
    aml: bool  # Azure Machine Learning offers this size in this region
    retired: bool
    hourly_usd: float
    low_priority_usd: float | None  # None: no low-priority price / not capable
    price_source: str
    price_date: str

    @property
    def accelerator(self) -> str:
        return "gpu" if self.gpus else "cpu"

    @property
    def total_gpu_memory_gib(self) -> float:
        return self.gpus * self.gpu_memory_gib

    def price(self, low_priority: bool) -> float:
        """Hourly USD for dedicated or low-priority nodes."""
        if low_priority:
            if self.low_priority_usd is None:
                raise ValueError(f"{self.vm_size} has no low-priority price in {self.region}")
            return self.low_priority_usd
        return self.hourly_usd


@dataclass(frozen=True)
class Catalog:
    """A table of VmSize rows, indexed by region and by size name."""

    rows: tuple[VmSize, ...]
    sources: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    @functools.cached_property
    def _by_region(self) -> dict[str, tuple[VmSize, ...]]:
        out: dict[str, list[VmSize]] = {}
        for row in self.rows:
            out.setdefault(row.region, []).append(row)
        return {k: tuple(v) for k, v in out.items()}

    @functools.cached_property
    def _by_size(self) -> dict[str, dict[str, VmSize]]:
        out: dict[str, dict[str, VmSize]] = {}
        for row in self.rows:
            out.setdefault(row.vm_size, {})[row.region] = row
        return out

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(self._by_region)

    @property
    def size_names(self) -> frozenset[str]:
        return frozenset(self._by_size)

    def in_region(self, region: str) -> tuple[VmSize, ...]:
        return self._by_region.get(region, ())

    def get(self, vm_size: str, region: str) -> VmSize | None:
        return self._by_size.get(vm_size, {}).get(region)

    def regions_offering(self, vm_size: str, *, aml_only: bool = True) -> frozenset[str]:
        """Regions where the size is offered (by Azure ML, by default) and not retired."""
        return frozenset(
            region
            for region, row in self._by_size.get(vm_size, {}).items()
            if (row.aml or not aml_only) and not row.retired
        )


def _parse_row(raw: dict[str, str]) -> VmSize:
    return VmSize(
        vm_size=raw["vm_size"],
        region=raw["region"],
        vcpus=int(raw["vcpus"]),
        memory_gib=float(raw["memory_gib"]),
        gpus=int(raw["gpus"]),
        gpu_model=raw["gpu_model"],
        gpu_memory_gib=float(raw["gpu_memory_gib"]),
        family=raw["family"],
        aml=raw["aml"] == "1",
        retired=raw["retired"] == "1",
        hourly_usd=float(raw["hourly_usd"]),
        low_priority_usd=float(raw["low_priority_usd"]) if raw["low_priority_usd"] else None,
        price_source=raw["price_source"],
        price_date=raw["price_date"],
    )


def catalog_from_rows(rows: Iterable[VmSize]) -> Catalog:
    return Catalog(rows=tuple(rows))


@functools.cache
def load_catalog() -> Catalog:
    """The packaged catalog, read once per process on first use."""
    data = resources.files("trainstack.catalog") / "data"
    with (data / "vm_sizes.csv").open(newline="", encoding="utf-8") as fh:
        rows = tuple(_parse_row(r) for r in csv.DictReader(fh))
    sources = json.loads((data / "sources.json").read_text(encoding="utf-8"))
    return Catalog(rows=rows, sources=sources)
