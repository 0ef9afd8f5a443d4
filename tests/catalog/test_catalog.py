"""The packaged VM catalog: coverage, provenance, retirements, laziness."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from trainstack.catalog import load_catalog

REQUIRED_REGIONS = {"eastus", "eastus2", "westus2", "westeurope", "northeurope"}
RAW = ROOT.parent / "shared" / "data" / "vm-catalog"


def test_required_regions_are_covered_with_aml_sizes():
    catalog = load_catalog()
    assert REQUIRED_REGIONS <= catalog.regions
    for region in REQUIRED_REGIONS:
        rows = [r for r in catalog.in_region(region) if r.aml and not r.retired]
        families = {r.family for r in rows}
        assert {"general-purpose", "memory-optimized", "gpu"} <= families, region
        assert len(rows) > 100, region


def test_every_row_has_specs_prices_source_and_date():
    catalog = load_catalog()
    for row in catalog.rows:
        assert row.vcpus > 0 and row.memory_gib > 0 and row.hourly_usd > 0
        assert row.price_source in catalog.sources
        assert row.price_date
        if row.low_priority_usd is not None:
            assert 0 < row.low_priority_usd < row.hourly_usd
        if row.gpus:
            assert row.gpu_model and row.gpu_memory_gib > 0 and row.family == "gpu"


def test_sources_say_where_and_when():
    for source in load_catalog().sources.values():
        assert source["origin"] and source["date"] and source["what"]


@pytest.mark.parametrize(
    "size", ["Standard_NC6s_v3", "Standard_NC12s_v3", "Standard_NC24s_v3", "Standard_NC24rs_v3"]
)
def test_ncv3_is_retired_everywhere(size):
    rows = [r for r in load_catalog().rows if r.vm_size == size]
    assert rows and all(r.retired for r in rows)
    assert load_catalog().regions_offering(size) == frozenset()


def test_known_specs():
    c = load_catalog()
    t4 = c.get("Standard_NC4as_T4_v3", "westeurope")
    assert (t4.vcpus, t4.gpus, t4.gpu_model, t4.gpu_memory_gib) == (4, 1, "T4", 16)
    a100 = c.get("Standard_NC24ads_A100_v4", "eastus")
    assert (a100.gpus, a100.gpu_memory_gib) == (1, 80)
    h100 = c.get("Standard_ND96isr_H100_v5", "eastus")
    assert h100.gpus == 8  # the raw data says 12; corrected from the size page
    e16 = c.get("Standard_E16s_v3", "westeurope")
    assert (e16.vcpus, e16.memory_gib, e16.family) == (16, 128, "memory-optimized")
    d4 = c.get("Standard_D4s_v3", "westeurope")
    assert d4.family == "general-purpose"


def test_catalog_is_loaded_lazily_and_once():
    code = (
        "import sys, trainstack.catalog as c, trainstack.select, trainstack.profile;"
        "assert c.load_catalog.cache_info().currsize == 0;"
        "a = c.load_catalog(); b = c.load_catalog(); assert a is b; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


@pytest.mark.skipif(not RAW.is_dir(), reason="raw catalog data (../shared) is not beside this clone")
def test_packaged_catalog_rebuilds_byte_identically(tmp_path: Path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_catalog.py"), str(RAW),
                    str(tmp_path)], check=True, capture_output=True)
    packaged = ROOT / "src" / "trainstack" / "catalog" / "data"
    for name in ("vm_sizes.csv", "sources.json"):
        assert (tmp_path / name).read_bytes() == (packaged / name).read_bytes(), name



@pytest.mark.parametrize("old_low,api_low,new_price,expected", [
    (0.2, None, 1.0, (0.2, "old")),      # no new meter: the old saving is kept
    (0.2, 0.3, 1.0, (0.3, "azure-retail-prices")),  # the API's own price wins
    (0.5, None, 0.4, (None, "")),        # the old price no longer saves anything: dropped
    (0.2, 0.5, 0.4, (0.2, "old")),       # the API's is no saving either; the old one is
    (0.5, 0.6, 0.4, (None, "")),
    (None, None, 1.0, (None, "")),
])
def test_a_refresh_never_keeps_a_low_priority_price_at_or_above_on_demand(
        old_low, api_low, new_price, expected):
    from dataclasses import replace

    from conftest import vm
    from trainstack.catalog.refresh import SOURCE_ID, RegionPrices, refreshed_rows
    row = replace(vm("Standard_D4s_v5", low=old_low, price=1.0),
                  low_priority_source="old" if old_low is not None else "")
    prices = RegionPrices("westeurope", {"Standard_D4s_v5": new_price},
                          {} if api_low is None else {"Standard_D4s_v5": api_low})
    (new,) = refreshed_rows([row], [prices], "2026-11-30")
    want_low, want_source = expected
    assert new.hourly_usd == new_price
    assert (new.low_priority_usd, new.low_priority_source) == (
        want_low, SOURCE_ID if want_source == "azure-retail-prices" else want_source)
