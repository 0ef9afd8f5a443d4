"""`trainstack catalog refresh`: rebuild the price snapshot from the Azure Retail Prices API.

The only code in trainstack that fetches. The API is public (no credentials):
``GET https://prices.azure.com/api/retail/prices`` with an OData ``$filter``,
paged through ``NextPageLink``. Linux consumption meters give the on-demand
price; "Low Priority" meters give the Azure ML low-priority price (Spot and
Windows meters are skipped). Specs and everything else in the catalog stay as
they are; rows whose size has no meter keep their previous price and source.

An answer is untrusted input like any other: a page that is not what the API
documents (wrong types, nulls, prices that are not finite non-negative numbers,
NaN, a body over the size limit) stops the refresh with a message and nothing
written. Pages are followed only on the API's own host and never twice; the
whole refresh has a deadline; 429 and 5xx answers (and dropped connections) are
retried with exponential backoff a bounded number of times, honouring
``Retry-After``. Limits: trainstack/limits.py.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trainstack.atomic import write_atomic
from trainstack.catalog import service_prices
from trainstack.catalog.vm import (
    COLUMNS,
    REFRESHED_FROM,
    Catalog,
    VmSize,
    csv_row,
    packaged_fingerprint,
)
from trainstack.errors import TrainstackError
from trainstack.limits import (
    NUMBER_MAX_CHARS,
    REFRESH_ATTEMPTS,
    REFRESH_BACKOFF_MAX_SECONDS,
    REFRESH_BACKOFF_SECONDS,
    REFRESH_DEADLINE_SECONDS,
    REFRESH_PRICE_MAX_USD,
    REPORT_PAGE_MAX_BYTES,
)
from trainstack.text import json_kind

RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices"
API_VERSION = "2023-01-01-preview"
SOURCE_ID = "azure-retail-prices"
MAX_PAGES = 500  # a region's VM meters fit in ~20 pages of 1,000; a guard, not a limit
_TEXT_FIELDS = ("armSkuName", "skuName", "meterName", "productName", "unitOfMeasure")


@dataclass(frozen=True)
class RegionPrices:
    region: str
    on_demand: dict[str, float]  # vm size -> USD/hour
    low_priority: dict[str, float]


@dataclass
class Fetcher:
    """How pages are fetched: the HTTP call, the clock and sleep (tests replace them)."""

    get: Callable[..., Any] | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    deadline: float | None = None  # on ``clock``; set by ``refresh`` for all regions

    def __post_init__(self) -> None:
        if self.get is None:
            import requests  # only `catalog refresh` needs it

            self.get = requests.Session().get
        if self.deadline is None:
            self.deadline = self.clock() + REFRESH_DEADLINE_SECONDS


def region_filter(region: str) -> str:
    """The Retail Prices API filter for one region's Linux VM meters."""
    return (f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' "
            "and priceType eq 'Consumption'")


def fetch_region(region: str, get: Callable[..., Any] | None = None, *,
                 fetcher: Fetcher | None = None) -> RegionPrices:
    """Every Linux VM price of one region, following the API's pages."""
    on_demand: dict[str, float] = {}
    low: dict[str, float] = {}
    for item in items(fetcher or Fetcher(get=get), region, region_filter(region)):
        _take(item, on_demand, low)
    return RegionPrices(region, on_demand, low)


def items(fetcher: Fetcher, label: str, odata_filter: str) -> Iterator[dict[str, Any]]:
    """Every item the API answers for one ``$filter``, page after page, each checked
    (``label`` names the query in errors: a region, a service meter)."""
    url: str | None = RETAIL_PRICES_URL
    params: dict[str, str] | None = {"api-version": API_VERSION, "$filter": odata_filter}
    seen: set[str] = set()
    pages = 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise _error(label, f"more than {MAX_PAGES} pages; the API answered in an "
                                "unexpected way")
        page = _page(fetcher, label, url, params, pages)
        found = page.get("Items")
        if not isinstance(found, list):
            raise _error(label, f"page {pages}: 'Items' must be an array (got {json_kind(found)})")
        for i, item in enumerate(found):
            yield _checked(item, label, f"page {pages}, item {i + 1}")
        url, params = _next_link(page.get("NextPageLink"), label, pages, seen), None


def _error(region: str, message: str) -> TrainstackError:
    return TrainstackError(f"catalog refresh: {region}: {message}; nothing was written")


def _page(fetcher: Fetcher, region: str, url: str, params: dict[str, str] | None,
          number: int) -> dict[str, Any]:
    """One page, retried on 429, 5xx and dropped connections; a JSON object or an error."""
    import requests

    assert fetcher.get is not None and fetcher.deadline is not None
    delay = REFRESH_BACKOFF_SECONDS
    for attempt in range(1, REFRESH_ATTEMPTS + 1):
        remaining = fetcher.deadline - fetcher.clock()
        if remaining <= 0:
            raise _error(region, f"the refresh took longer than {REFRESH_DEADLINE_SECONDS:g} s")
        last = attempt == REFRESH_ATTEMPTS
        try:
            response = fetcher.get(url, params=params, timeout=min(60.0, remaining), stream=True)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if last:
                raise _error(region, f"page {number}: {type(exc).__name__} after {attempt} "
                                     "attempts") from None
            fetcher.sleep(min(delay, max(0.0, remaining)))
            delay = min(delay * 2, REFRESH_BACKOFF_MAX_SECONDS)
            continue
        except requests.RequestException as exc:
            raise _error(region, f"page {number}: {exc}") from None
        status = response.status_code
        if status == 429 or 500 <= status < 600:
            if last:
                raise _error(region, f"page {number}: HTTP {status} after {attempt} attempts")
            wait = _retry_after(response.headers.get("Retry-After"), delay)
            fetcher.sleep(min(wait, max(0.0, remaining)))
            delay = min(delay * 2, REFRESH_BACKOFF_MAX_SECONDS)
            continue
        if status != 200:
            raise _error(region, f"page {number}: HTTP {status}")
        return _json_object(_body(response, fetcher, region, number), region, number)
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(header: str | None, backoff: float) -> float:
    try:
        seconds = float(header) if header is not None else backoff
    except ValueError:  # an HTTP date: use the backoff
        seconds = backoff
    if not math.isfinite(seconds) or seconds < 0:
        seconds = backoff
    return min(seconds, REFRESH_BACKOFF_MAX_SECONDS)


def _body(response: Any, fetcher: Fetcher, region: str, number: int) -> bytes:
    """The body, within the size limit and the deadline (checked between reads; one read
    waits at most the request's timeout, itself no longer than what is left)."""
    assert fetcher.deadline is not None
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        size += len(chunk)
        if size > REPORT_PAGE_MAX_BYTES:
            raise _error(region, f"page {number} is over {REPORT_PAGE_MAX_BYTES:,} bytes")
        if fetcher.clock() > fetcher.deadline:
            raise _error(region, f"the refresh took longer than {REFRESH_DEADLINE_SECONDS:g} s "
                                 f"(page {number} was still arriving)")
        chunks.append(chunk)
    return b"".join(chunks)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text) > NUMBER_MAX_CHARS:
        raise ValueError(f"a number of {len(text):,} digits")
    return int(text)


def _json_object(body: bytes, region: str, number: int) -> dict[str, Any]:
    try:
        page = json.loads(body, parse_constant=_no_constant, parse_int=_bounded_int)
    except (ValueError, RecursionError) as exc:
        raise _error(region, f"page {number} is not JSON ({' '.join(str(exc).split())[:200]})"
                     ) from None
    if not isinstance(page, dict):
        raise _error(region, f"page {number} is not a JSON object (got {json_kind(page)})")
    return page


def _next_link(link: Any, region: str, number: int, seen: set[str]) -> str | None:
    """The next page's address: on the API's own host, over https, never one seen before."""
    if link is None or link == "":
        return None
    if not isinstance(link, str):
        raise _error(region, f"page {number}: NextPageLink must be a string "
                             f"(got {json_kind(link)})")
    parts, api = urlsplit(link), urlsplit(RETAIL_PRICES_URL)
    if parts.scheme != "https" or parts.hostname != api.hostname or parts.port not in (None, 443):
        raise _error(region, f"page {number}: NextPageLink points away from {api.hostname} "
                             f"({link[:120]!r}); refusing to follow it")
    if link in seen:
        raise _error(region, f"page {number}: NextPageLink repeats an earlier page; the pages "
                             "would never end")
    seen.add(link)
    return link


def _checked(item: Any, region: str, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _error(region, f"{where}: must be an object (got {json_kind(item)})")
    for key in _TEXT_FIELDS:
        if not isinstance(item.get(key), str):
            raise _error(region, f"{where}: {key} must be a string "
                                 f"(got {json_kind(item.get(key))})")
    price = item.get("retailPrice")
    # the range check also refuses NaN (no comparison holds) and infinity
    if isinstance(price, bool) or not isinstance(price, (int, float)) \
            or not 0 <= price <= REFRESH_PRICE_MAX_USD:
        raise _error(region, f"{where}: retailPrice must be a finite number from 0 to "
                             f"{REFRESH_PRICE_MAX_USD:,} (got {str(price)[:40]})")
    return item


def _take(item: dict, on_demand: dict[str, float], low: dict[str, float]) -> None:
    size = item["armSkuName"]
    meter = f"{item['skuName']} {item['meterName']}"
    if (not size.startswith("Standard_") or item["unitOfMeasure"] != "1 Hour"
            or "Windows" in item["productName"] or "Spot" in meter):
        return
    price = float(item["retailPrice"])
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
        on_demand = p.on_demand[row.vm_size]
        low = p.low_priority.get(row.vm_size) if row.aml else None
        if low is not None and low >= on_demand:
            low = None
        if low is not None:
            low_source = SOURCE_ID
        elif row.low_priority_usd is not None and row.low_priority_usd < on_demand:
            low, low_source = row.low_priority_usd, row.low_priority_source  # still a saving
        else:
            # an old low-priority price at or above the new on-demand one is no saving: the
            # selector would otherwise prefer low-priority nodes that cost more
            low, low_source = None, ""
        out.append(replace(row, hourly_usd=on_demand, low_priority_usd=low,
                           low_priority_source=low_source, price_source=SOURCE_ID,
                           price_date=date))
    return tuple(out)


AVAILABILITY_ID = "azure-ml-vm-sizes"


def with_availability(rows: Iterable[VmSize], offered: dict[str, set[str]]
                      ) -> tuple[VmSize, ...]:
    """Rows whose ``aml`` flag is what the Azure ML vmSizes API answered for their region
    (rows of other regions as they were)."""
    return tuple(replace(r, aml=r.vm_size in offered[r.region]) if r.region in offered else r
                 for r in rows)


def availability_source(offered: dict[str, set[str]], date: str, subscription: str) -> dict:
    """The sources.json entry of a live availability refresh."""
    return {AVAILABILITY_ID: {
        "what": "which sizes Azure ML offers per region (the aml column) in "
                + ", ".join(sorted(offered)),
        "date": date,
        "origin": "Azure ML vmSizes API (Microsoft.MachineLearningServices, api-version "
                  f"2020-08-01), subscription {subscription}",
    }}


def write_catalog(rows: Iterable[VmSize], sources: dict, out_dir: Path, date: str) -> Path:
    """Write vm_sizes.csv and sources.json atomically (temp file + rename)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in sorted(rows, key=lambda r: (r.vm_size, r.region)):
        writer.writerow(csv_row(r))
    sources = {**sources, SOURCE_ID: {
        "what": "on-demand Linux and Azure ML low-priority hourly prices (USD)",
        "date": date,
        "origin": f"Azure Retail Prices API ({RETAIL_PRICES_URL}, api-version {API_VERSION})",
    }}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrainstackError(f"catalog refresh: cannot create {out_dir} "
                              f"({exc.strerror or exc})") from None
    # The two files are replaced in an order that keeps every moment consistent: the
    # sources first (a superset of the old ones), then the rows that name them. A run
    # killed between the two leaves the old rows with sources that describe them all.
    write_atomic(out_dir / "sources.json", json.dumps(sources, indent=2, sort_keys=True) + "\n",
                 what="catalog sources")
    write_atomic(out_dir / "vm_sizes.csv", buffer.getvalue(), what="catalog")
    # last: only a complete refresh, of the catalog this trainstack packages, is read
    write_atomic(out_dir / REFRESHED_FROM, json.dumps({"sha256": packaged_fingerprint()}) + "\n",
                 what="catalog marker")
    return out_dir / "vm_sizes.csv"


def refresh(catalog: Catalog, regions: Iterable[str], out_dir: Path, date: str,
            get: Callable[..., Any] | None = None, *, fetcher: Fetcher | None = None,
            availability: Callable[[str], set[str]] | None = None, subscription: str = ""
            ) -> tuple[Path, dict[str, int]]:
    """Fetch every region (prices; with ``availability``, the sizes Azure ML offers there
    too) and the service prices, then write once: a failure leaves the old files as they
    were."""
    fetcher = fetcher or Fetcher(get=get)  # one deadline for every region
    regions = list(regions)
    fetched = [fetch_region(region, fetcher=fetcher) for region in regions]
    prices, kept = service_prices.fetch(fetcher)
    rows = refreshed_rows(catalog.rows, fetched, date)
    counts = {p.region: len(p.on_demand) for p in fetched}
    counts["service prices"] = len(prices)
    sources = catalog.sources
    if availability is not None:
        offered = {region: availability(region) for region in regions}
        rows = with_availability(rows, offered)
        sources = {**sources, **availability_source(offered, date, subscription)}
    path = write_catalog(rows, sources, out_dir, date)
    service_prices.write(prices, kept, out_dir, date)
    return path, counts
