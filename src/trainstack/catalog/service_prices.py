"""`catalog refresh` for the service facts' list prices (services.json): the registry,
storage, Log Analytics and alert prices of the platform, the network's fixed prices,
Databricks DBUs and Synapse vCores, read from the Azure Retail Prices API like the VM
prices (catalog/refresh.py: the same page reader, limits and deadline).

Each price is one meter, selected as infracost's Azure resources select it (serviceName,
productName, skuName, meterName and the tier's tierMinimumUnits;
infracost/infracost internal/resources/azure and internal/providers/terraform/azure), in
East US, the region the packaged prices are from. A meter the API does not answer, or
answers in another unit than the catalog's number is in, keeps its packaged price, and the
refresh says which. The refreshed prices are written beside the refreshed VM catalog
(``service_prices.json``) with the fingerprint of the packaged services.json they update:
an upgrade of trainstack, which may bring other facts, ignores an older refresh.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from trainstack.atomic import write_atomic

SOURCE_ID = "azure-retail-prices-services"
FILE = "service_prices.json"
REGION = "eastus"


@dataclass(frozen=True)
class Meter:
    """Where a price goes in services.json (dotted path), the API filter that finds its
    meter, the meterName it must have (a regular expression, matched whole), the unit the
    catalog's number is in, and the tier to take (tierMinimumUnits)."""

    path: str
    odata: str
    meter: str
    unit: str
    tier: float = 0.0
    regional: bool = True


def _blob(product: str, sku: str) -> str:
    return f"serviceName eq 'Storage' and productName eq '{product}' and skuName eq '{sku}'"


METERS = (
    *(Meter(f"platform.registry_usd_per_day.{sku}",
            f"serviceName eq 'Container Registry' and skuName eq '{sku}'",
            f"{sku} Registry Unit", "1/Day") for sku in ("Basic", "Standard", "Premium")),
    Meter("platform.storage_usd_per_gb_month.LRS", _blob("Blob Storage", "Hot LRS"),
          "Hot LRS Data Stored", "1 GB/Month"),
    Meter("platform.storage_usd_per_gb_month.ZRS", _blob("General Block Blob v2", "Hot ZRS"),
          "Hot ZRS Data Stored", "1 GB/Month"),
    *(Meter(f"platform.datalake_usd_per_gb_month.{r}",
            _blob("General Block Blob v2 Hierarchical Namespace", f"Hot {r}"),
            f"Hot {r} Data Stored", "1 GB/Month") for r in ("LRS", "ZRS")),
    # the priced tier starts after the free 5 GB a month
    Meter("platform.log_analytics_usd_per_gb",
          "serviceName eq 'Log Analytics' and skuName eq 'Analytics Logs'",
          ".*Data Ingestion", "1 GB", tier=5),
    Meter("platform.log_retention_usd_per_gb_month",
          "serviceName eq 'Log Analytics' and skuName eq 'Analytics Logs'",
          ".*Data Retention", "1 GB/Month"),
    # the priced tier starts after the free 10 time series
    Meter("platform.metric_alert_usd_per_month",
          "serviceName eq 'Azure Monitor' and meterName eq 'Alerts Metric Monitored'",
          "Alerts Metric Monitored", "1/Month", tier=10),
    Meter("network.private_endpoint_usd_per_hour",
          "serviceName eq 'Virtual Network' and productName eq 'Virtual Network Private Link'",
          "Standard Private Endpoint", "1 Hour"),
    Meter("network.private_dns_zone_usd_per_month", "serviceName eq 'Azure DNS'",
          "Private Zones?", "1/Month", regional=False),
    Meter("network.nat_gateway_usd_per_hour", "serviceName eq 'NAT Gateway'",
          "Standard Gateway", "1 Hour"),
    Meter("network.public_ip_usd_per_hour",
          "serviceName eq 'Virtual Network' and productName eq 'IP Addresses' "
          "and skuName eq 'Standard'", "Standard IPv4 Static Public IP", "1 Hour"),
    Meter("network.firewall_standard_usd_per_hour",
          "serviceName eq 'Azure Firewall' and skuName eq 'Standard'", "Standard Deployment",
          "1 Hour"),
    *(Meter(f"databricks.dbu_usd.{kind}",
            f"serviceName eq 'Azure Databricks' and skuName eq 'Premium {sku}'", ".*",
            "1 Hour") for kind, sku in (("all-purpose", "All-purpose Compute"),
                                        ("jobs", "Jobs Compute"))),
    Meter("synapse.usd_per_vcore_hour",
          "serviceName eq 'Azure Synapse Analytics' and productName eq 'Azure Synapse "
          "Analytics Serverless Apache Spark Pool - Memory Optimized' and skuName eq 'vCore'",
          ".*", "1 Hour"),
)


def odata_filter(meter: Meter) -> str:
    """The whole $filter of one meter: its own terms, consumption prices, the region."""
    region = f" and armRegionName eq '{REGION}'" if meter.regional else ""
    return f"{meter.odata} and priceType eq 'Consumption'{region}"


def pick(meter: Meter, answered: list[dict[str, Any]]) -> tuple[float | None, str]:
    """The meter's price among the items the API answered (the cheapest when several
    match, for determinism), or None and why the packaged price stays."""
    named = [i for i in answered if re.fullmatch(meter.meter, i["meterName"])
             and _tier(i.get("tierMinimumUnits")) == meter.tier]
    if not named:
        return None, f"no meter '{meter.meter}' at tier {meter.tier:g}"
    units = {i["unitOfMeasure"] for i in named}
    fitting = [i for i in named if i["unitOfMeasure"] == meter.unit]
    if not fitting:
        return None, f"answered in {', '.join(sorted(units))}, not {meter.unit}"
    return min(float(i["retailPrice"]) for i in fitting), ""


def _tier(value: Any) -> float | None:
    """An item's tierMinimumUnits (absent: 0); anything but a number matches no tier."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def packaged_services_fingerprint() -> str:
    """The SHA-256 of the packaged services.json, which a refresh records."""
    data = resources.files("trainstack.catalog") / "data" / "services.json"
    return hashlib.sha256(data.read_bytes()).hexdigest()


def fetch(fetcher: Any) -> tuple[dict[str, float], dict[str, str]]:
    """The prices the API answered, by path, and why the others stay as packaged."""
    from trainstack.catalog.refresh import items

    prices: dict[str, float] = {}
    kept: dict[str, str] = {}
    for meter in METERS:
        price, why = pick(meter, list(items(fetcher, meter.path, odata_filter(meter))))
        if price is None:
            kept[meter.path] = why
        else:
            prices[meter.path] = price
    return prices, kept


def write(prices: dict[str, float], kept: dict[str, str], out_dir: Path, date: str) -> Path:
    """service_prices.json beside the refreshed catalog, atomically."""
    body = {"services_sha256": packaged_services_fingerprint(), "date": date,
            "region": REGION, "prices": dict(sorted(prices.items())),
            "kept": dict(sorted(kept.items()))}
    path = out_dir / FILE
    write_atomic(path, json.dumps(body, indent=2) + "\n", what="service prices")
    return path


def overlay(data: dict, refreshed: dict) -> dict:
    """services.json's data with the refreshed prices in, each section that got one naming
    the refresh as its source; ``refreshed`` as ``write`` wrote it. Anything else (another
    trainstack's services.json, a value that is not a price) leaves ``data`` as it is."""
    if not isinstance(refreshed, dict) or \
            refreshed.get("services_sha256") != packaged_services_fingerprint():
        return data
    prices = refreshed.get("prices")
    known = {m.path for m in METERS}
    if not isinstance(prices, dict) or not set(prices) <= known or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e6
            for v in prices.values()):
        return data
    out = json.loads(json.dumps(data))  # a deep copy
    for path, value in prices.items():
        *parents, leaf = path.split(".")
        node = out
        for key in parents:
            node = node[key]
        node[leaf] = float(value)
        out[parents[0]]["source"] = SOURCE_ID
    kept = refreshed.get("kept") if isinstance(refreshed.get("kept"), dict) else {}
    out["sources"][SOURCE_ID] = {
        "date": str(refreshed.get("date", "")),
        "origin": f"Azure Retail Prices API, {REGION}, list prices in USD (catalog refresh); "
                  + (f"kept as packaged: {', '.join(sorted(kept))}" if kept else
                     "every service price refreshed"),
        "what": "the service facts' list prices (" + ", ".join(sorted(prices)) + ")",
    }
    return out
