"""`trainstack catalog refresh`: rebuild the price snapshot from the Azure Retail Prices API.

The only code in trainstack that fetches. The API is public (no credentials):
``GET https://prices.azure.com/api/retail/prices`` with an OData ``$filter``,
paged through ``NextPageLink``. Linux consumption meters give the on-demand
price; "Low Priority" meters give the Azure ML low-priority price (Spot and
Windows meters are skipped). Specs and everything else in the catalog stay as
they are; rows whose size has no meter keep their previous price and source.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from trainstack.catalog.vm import Catalog, VmSize
from trainstack.errors import TrainstackError

RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices"
API_VERSION = "2023-01-01-preview"
SOURCE_ID = "azure-retail-prices"
MAX_PAGES = 500  # a region's VM meters fit in ~20 pages of 1,000; a guard, not a limit
CSV_COLUMNS = (
    "vm_size", "region", "vcpus", "memory_gib", "gpus", "gpu_model", "gpu_memory_gib", "family",
    "aml", "retired", "hourly_usd", "low_priority_usd", "price_source", "price_date",
)


@dataclass(frozen=True)
class RegionPrices:
    region: str
    on_demand: dict[str, float]  # vm size -> USD/hour
    low_priority: dict[str, float]


def region_filter(region: str) -> str:
    return (f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' "
            "and priceType eq 'Consumption'")


def fetch_region(region: str, get: Callable[..., object] | None = None) -> RegionPrices:
    """Every Linux VM price of one region, following the API's pages."""
    if get is None:
        import requests  # only `catalog refresh` needs it

        session = requests.Session()
        get = session.get
    on_demand: dict[str, float] = {}
    low: dict[str, float] = {}
    url: str | None = RETAIL_PRICES_URL
    params: dict[str, str] | None = {"api-version": API_VERSION, "$filter": region_filter(region)}
    pages = 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise TrainstackError(f"catalog refresh: {region}: more than {MAX_PAGES} pages; "
                                  "the API answered in an unexpected way")
        try:
            response = get(url, params=params, timeout=60)
            response.raise_for_status()
            page = response.json()
        except Exception as exc:  # network, HTTP and JSON errors alike: say where
            raise TrainstackError(f"catalog refresh: {region}: {exc}") from None
        for item in page.get("Items", []):
            _take(item, on_demand, low)
        url, params = page.get("NextPageLink"), None  # the next link carries the query
    return RegionPrices(region, on_demand, low)


def _take(item: dict, on_demand: dict[str, float], low: dict[str, float]) -> None:
    size = item.get("armSkuName") or ""
    meter = f"{item.get('skuName', '')} {item.get('meterName', '')}"
    if (not size.startswith("Standard_") or item.get("unitOfMeasure") != "1 Hour"
            or "Windows" in item.get("productName", "") or "Spot" in meter):
        return
    price = float(item.get("retailPrice", 0))
    if price <= 0:
        return
    target = low if "Low Priority" in meter else on_demand
    target[size] = min(price, target.get(size, price))


def refreshed_rows(rows: Iterable[VmSize], prices: Iterable[RegionPrices], date: str
                   ) -> tuple[VmSize, ...]:
    """Rows with new prices where the API had a meter; the others as they were."""
    by_region = {p.region: p for p in prices}
    out = []
    for row in rows:
        p = by_region.get(row.region)
        if p is None or row.vm_size not in p.on_demand:
            out.append(row)
            continue
        low = p.low_priority.get(row.vm_size) if row.aml else None
        if low is not None and low >= p.on_demand[row.vm_size]:
            low = None
        out.append(replace(row, hourly_usd=p.on_demand[row.vm_size],
                           low_priority_usd=low if low is not None else row.low_priority_usd,
                           price_source=SOURCE_ID, price_date=date))
    return tuple(out)


def write_catalog(rows: Iterable[VmSize], sources: dict, out_dir: Path, date: str) -> Path:
    """Write vm_sizes.csv and sources.json atomically (temp file + rename)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in sorted(rows, key=lambda r: (r.vm_size, r.region)):
        writer.writerow([
            r.vm_size, r.region, r.vcpus, f"{r.memory_gib:g}", r.gpus, r.gpu_model,
            f"{r.gpu_memory_gib:g}", r.family, int(r.aml), int(r.retired), f"{r.hourly_usd:g}",
            "" if r.low_priority_usd is None else f"{r.low_priority_usd:g}", r.price_source,
            r.price_date,
        ])
    sources = {**sources, SOURCE_ID: {
        "what": "on-demand Linux and Azure ML low-priority hourly prices (USD)",
        "date": date,
        "origin": f"Azure Retail Prices API ({RETAIL_PRICES_URL}, api-version {API_VERSION})",
    }}
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(out_dir / "vm_sizes.csv", buffer.getvalue())
    _atomic_write(out_dir / "sources.json", json.dumps(sources, indent=2, sort_keys=True) + "\n")
    return out_dir / "vm_sizes.csv"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def refresh(catalog: Catalog, regions: Iterable[str], out_dir: Path, date: str,
            get: Callable[..., object] | None = None) -> tuple[Path, dict[str, int]]:
    """Fetch every region, then write once: a failure leaves the old files as they were."""
    fetched = [fetch_region(region, get) for region in regions]
    rows = refreshed_rows(catalog.rows, fetched, date)
    counts = {p.region: len(p.on_demand) for p in fetched}
    return write_catalog(rows, catalog.sources, out_dir, date), counts
