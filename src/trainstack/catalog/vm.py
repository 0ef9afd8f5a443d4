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
from importlib.resources.abc import Traversable
from pathlib import Path

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
    low_priority_source: str = ""  # how the low-priority price was found (or derived)
    spec_source: str = ""  # where the specs come from

    @property
    def accelerator(self) -> str:
        """The accelerator: "gpu" for sizes with GPUs, else "cpu"."""
        return "gpu" if self.gpus else "cpu"

    @property
    def total_gpu_memory_gib(self) -> float:
        """GPU memory of all the node's GPUs together."""
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
        """Every region the catalog has prices for."""
        return frozenset(self._by_region)

    @property
    def size_names(self) -> frozenset[str]:
        """Every VM size name in the catalog."""
        return frozenset(self._by_size)

    def in_region(self, region: str) -> tuple[VmSize, ...]:
        """The rows of one region."""
        return self._by_region.get(region, ())

    def get(self, vm_size: str, region: str) -> VmSize | None:
        """One size in one region, or None."""
        return self._by_size.get(vm_size, {}).get(region)

    def regions_offering(self, vm_size: str, *, aml_only: bool = True) -> frozenset[str]:
        """Regions where the size is offered (by Azure ML, by default) and not retired."""
        return frozenset(
            region
            for region, row in self._by_size.get(vm_size, {}).items()
            if (row.aml or not aml_only) and not row.retired
        )


# The one CSV schema of vm_sizes.csv: what tools/build_catalog.py and `catalog refresh`
# write and what loading reads, in this order.
COLUMNS = (
    "vm_size", "region", "vcpus", "memory_gib", "gpus", "gpu_model", "gpu_memory_gib", "family",
    "aml", "retired", "hourly_usd", "low_priority_usd", "price_source", "price_date",
    "low_priority_source", "spec_source",
)


def _parse_rows(lines: Iterable[str]) -> tuple[VmSize, ...]:
    reader = csv.reader(lines)
    header = next(reader)
    at = [header.index(c) for c in COLUMNS]  # by name, so column order may change
    (size, region, vcpus, mem, gpus, gpu_model, gpu_mem, family, aml, retired, hourly, low,
     source, date, low_source, spec_source) = at
    return tuple(
        VmSize(r[size], r[region], int(r[vcpus]), float(r[mem]), int(r[gpus]), r[gpu_model],
               float(r[gpu_mem]), r[family], r[aml] == "1", r[retired] == "1", float(r[hourly]),
               float(r[low]) if r[low] else None, r[source], r[date], r[low_source],
               r[spec_source])
        for r in reader
    )


def csv_row(r: VmSize) -> list[str | int]:
    """One VmSize as a row of COLUMNS: numbers in their shortest form (12 significant
    digits; ``:g`` would keep 6, and retail prices have more)."""
    return [r.vm_size, r.region, r.vcpus, _number(r.memory_gib), r.gpus, r.gpu_model,
            _number(r.gpu_memory_gib), r.family, int(r.aml), int(r.retired),
            _number(r.hourly_usd),
            "" if r.low_priority_usd is None else _number(r.low_priority_usd), r.price_source,
            r.price_date, r.low_priority_source, r.spec_source]


def _number(value: float) -> str:
    """5700.0 -> "5700", 107.0928 -> "107.0928" (``:g`` would round to 107.093)."""
    return f"{value:.12g}"


def catalog_from_rows(rows: Iterable[VmSize]) -> Catalog:
    """A catalog of the given rows (tests build small ones inline)."""
    return Catalog(rows=tuple(rows))


@functools.cache
def load_catalog() -> Catalog:
    """The catalog, read once per process on first use: the copy `catalog refresh` wrote
    (TRAINSTACK_CATALOG_DIR, by default the user cache) when there is one, else the one
    packaged with trainstack."""
    from trainstack.settings import catalog_dir_from_env

    return read_catalog(catalog_source(catalog_dir_from_env()))


REFRESHED_FROM = "refreshed-from.json"  # which packaged catalog a refresh started from


def packaged_fingerprint() -> str:
    """The SHA-256 of the packaged vm_sizes.csv: a refresh records it, and a refreshed copy
    is used only while trainstack packages the same catalog (an upgrade brings new sizes,
    flags and specs that an older refresh does not have)."""
    import hashlib

    data = resources.files("trainstack.catalog") / "data" / "vm_sizes.csv"
    return hashlib.sha256(data.read_bytes()).hexdigest()


def catalog_source(refreshed: Path) -> Traversable:
    """Where the catalog is read from: ``refreshed`` when a complete refresh of the
    packaged catalog is there, else the packaged one."""
    try:
        marker = json.loads((refreshed / REFRESHED_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    if (isinstance(marker, dict) and marker.get("sha256") == packaged_fingerprint()
            and (refreshed / "vm_sizes.csv").is_file() and (refreshed / "sources.json").is_file()):
        return refreshed
    return resources.files("trainstack.catalog") / "data"


def read_catalog(data: Traversable) -> Catalog:
    """vm_sizes.csv and sources.json of one folder, checked against each other; a folder
    that does not hold a catalog is an error naming it."""
    from trainstack.errors import TrainstackError

    try:
        with (data / "vm_sizes.csv").open(newline="", encoding="utf-8") as fh:
            rows = _parse_rows(fh)
        sources = json.loads((data / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError, StopIteration) as exc:
        raise TrainstackError(f"{data}: not a readable trainstack catalog ({exc}); run "
                              "`trainstack catalog refresh` again or delete the folder") from None
    check_sources(rows, sources, str(data))
    return Catalog(rows=rows, sources=sources)


def check_sources(rows: Iterable[VmSize], sources: dict, where: str) -> None:
    """Every row's sources (prices, low-priority prices, specs) are described: `catalog
    refresh` writes sources.json first, so this holds at every moment of a refresh, even
    one killed half way."""
    named = {s for r in rows for s in (r.price_source, r.low_priority_source, r.spec_source)}
    missing = sorted(named - {""} - set(sources))
    if missing:
        from trainstack.errors import TrainstackError

        raise TrainstackError(f"{where}: vm_sizes.csv names price sources that sources.json "
                              f"does not describe: {', '.join(missing)}; run `trainstack "
                              "catalog refresh` again or reinstall trainstack")
