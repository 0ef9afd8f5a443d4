"""Read-only views of the catalog for `trainstack catalog list|show` (pure)."""

from __future__ import annotations

from typing import Any

from trainstack.catalog.vm import Catalog
from trainstack.errors import TrainstackError, did_you_mean


def list_sizes(catalog: Catalog, *, region: str | None = None, gpu: bool = False,
               include_all: bool = False) -> list[dict[str, Any]]:
    """One row per size (per size and region with ``region``), sorted by price."""
    if region is not None and region not in catalog.regions:
        hint = did_you_mean(region, sorted(catalog.regions))
        raise TrainstackError(f"--region: not a catalog region (got '{region}')"
                              + (f"; did you mean '{hint}'?" if hint else ""))
    rows = catalog.in_region(region) if region else catalog.rows
    rows = [r for r in rows if (include_all or (r.aml and not r.retired)) and (r.gpus or not gpu)]
    if region:
        out = [{
            "vm_size": r.vm_size, "family": r.family, "vcpus": r.vcpus,
            "memory_gib": r.memory_gib, "gpus": r.gpus, "gpu_model": r.gpu_model or None,
            "hourly_usd": r.hourly_usd, "low_priority_usd": r.low_priority_usd,
            "aml": r.aml, "retired": r.retired,
        } for r in rows]
        return sorted(out, key=lambda d: (d["hourly_usd"], d["vm_size"]))
    sizes: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = sizes.setdefault(r.vm_size, {
            "vm_size": r.vm_size, "family": r.family, "vcpus": r.vcpus,
            "memory_gib": r.memory_gib, "gpus": r.gpus, "gpu_model": r.gpu_model or None,
            "regions": 0, "min_hourly_usd": r.hourly_usd, "retired": r.retired,
        })
        entry["regions"] += 1
        entry["min_hourly_usd"] = min(entry["min_hourly_usd"], r.hourly_usd)
    return sorted(sizes.values(), key=lambda d: (d["min_hourly_usd"], d["vm_size"]))


def show_size(catalog: Catalog, size: str) -> dict[str, Any]:
    """Specs of one size and its price in every catalog region."""
    rows = sorted((r for r in catalog.rows if r.vm_size == size), key=lambda r: r.region)
    if not rows:
        hint = did_you_mean(size, sorted(catalog.size_names))
        raise TrainstackError(f"catalog show: unknown VM size (got '{size}')"
                              + (f"; did you mean '{hint}'?" if hint else ""))
    first = rows[0]
    return {
        "vm_size": size, "family": first.family, "vcpus": first.vcpus,
        "memory_gib": first.memory_gib, "gpus": first.gpus, "gpu_model": first.gpu_model or None,
        "gpu_memory_gib": first.gpu_memory_gib or None, "retired": first.retired,
        "regions": [{
            "region": r.region, "hourly_usd": r.hourly_usd,
            "low_priority_usd": r.low_priority_usd, "aml": r.aml,
            "price_source": r.price_source, "price_date": r.price_date,
        } for r in rows],
        "sources": {r.price_source: catalog.sources.get(r.price_source, {}) for r in rows},
    }
