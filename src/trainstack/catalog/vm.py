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


_COLUMNS = (
    "vm_size", "region", "vcpus", "memory_gib", "gpus", "gpu_model", "gpu_memory_gib", "family",
    "aml", "retired", "hourly_usd", "low_priority_usd", "price_source", "price_date",
)


def _parse_rows(lines: Iterable[str]) -> tuple[VmSize, ...]:
    reader = csv.reader(lines)
    header = next(reader)
    at = [header.index(c) for c in _COLUMNS]  # by name, so column order may change
    (size, region, vcpus, mem, gpus, gpu_model, gpu_mem, family, aml, retired, hourly, low,
     source, date) = at
    return tuple(
        VmSize(r[size], r[region], int(r[vcpus]), float(r[mem]), int(r[gpus]), r[gpu_model],
               float(r[gpu_mem]), r[family], r[aml] == "1", r[retired] == "1", float(r[hourly]),
               float(r[low]) if r[low] else None, r[source], r[date])
        for r in reader
    )


def catalog_from_rows(rows: Iterable[VmSize]) -> Catalog:
    return Catalog(rows=tuple(rows))


@functools.cache
def load_catalog() -> Catalog:
    """The packaged catalog, read once per process on first use."""
    data = resources.files("trainstack.catalog") / "data"
    with (data / "vm_sizes.csv").open(newline="", encoding="utf-8") as fh:
        rows = _parse_rows(fh)
    sources = json.loads((data / "sources.json").read_text(encoding="utf-8"))
    check_sources(rows, sources, str(data))
    return Catalog(rows=rows, sources=sources)


def check_sources(rows: Iterable[VmSize], sources: dict, where: str) -> None:
    """Every row's price source is described: `catalog refresh` writes sources.json first,
    so this holds at every moment of a refresh, even one killed half way."""
    missing = sorted({r.price_source for r in rows} - set(sources))
    if missing:
        from trainstack.errors import TrainstackError

        raise TrainstackError(f"{where}: vm_sizes.csv names price sources that sources.json "
                              f"does not describe: {', '.join(missing)}; run `trainstack "
                              "catalog refresh` again or reinstall trainstack")
