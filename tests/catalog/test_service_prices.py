"""`catalog refresh` of the service facts' prices (issue 12): every price in the estimate has
a source and date, and the refresh updates the service prices like the VM prices, offline
against recorded-shape answers of the Azure Retail Prices API."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from trainstack.catalog import service_prices
from trainstack.catalog.refresh import RETAIL_PRICES_URL, Fetcher
from trainstack.errors import TrainstackError

# what the API answers for each meter, as infracost's goldens record them (East US):
# (meterName, unitOfMeasure, tierMinimumUnits, retailPrice)
ANSWERS = {
    "platform.registry_usd_per_day.Basic": ("Basic Registry Unit", "1/Day", 0, 0.2),
    "platform.registry_usd_per_day.Standard": ("Standard Registry Unit", "1/Day", 0, 0.7),
    "platform.registry_usd_per_day.Premium": ("Premium Registry Unit", "1/Day", 0, 1.7),
    "platform.log_analytics_usd_per_gb": ("Analytics Logs Data Ingestion", "1 GB", 5, 2.76),
    "network.firewall_standard_usd_per_hour": ("Standard Deployment", "1 Hour", 0, 1.3),
    "databricks.dbu_usd.all-purpose": ("Premium All-purpose Compute DBU", "1 Hour", 0, 0.6),
}


def item(meter: str, unit: str, tier: float, price: float, **extra) -> dict:
    return {"armSkuName": "", "skuName": "x", "productName": "x", "meterName": meter,
            "unitOfMeasure": unit, "tierMinimumUnits": tier, "retailPrice": price, **extra}


def answer(answers: dict[str, tuple]) -> None:
    """Answer each meter's filter with its items (none for the meters not in ``answers``)."""
    by_filter: dict[str, list[str]] = {}
    for m in service_prices.METERS:  # meters of one query (Log Analytics) answer together
        by_filter.setdefault(service_prices.odata_filter(m), []).append(m.path)

    def reply(request):
        query = parse_qs(urlsplit(request.url).query)
        items = [item(*a) for path in by_filter[query["$filter"][0]]
                 for a in answers.get(path, [])]
        return 200, {}, json.dumps({"Items": items, "NextPageLink": None})

    responses.add_callback(responses.GET, RETAIL_PRICES_URL, callback=reply)


def run(answers: dict[str, list[tuple]]):
    answer(answers)
    return service_prices.fetch(Fetcher())


@responses.activate
def test_each_meter_is_read_at_its_tier_and_unit_and_the_rest_kept():
    answers = {path: [a] for path, a in ANSWERS.items()}
    # the free tier of Log Analytics (0-5 GB) is not the price
    answers["platform.log_analytics_usd_per_gb"].append(
        ("Analytics Logs Data Ingestion", "1 GB", 0, 0.0))
    # a Databricks meter in another unit than hours stays as packaged
    answers["databricks.dbu_usd.jobs"] = [("Premium Jobs Compute DBU", "1/Month", 0, 9.0)]
    prices, kept = run(answers)
    assert prices == {path: a[3] for path, a in ANSWERS.items()}
    assert kept["databricks.dbu_usd.jobs"] == "answered in 1/Month, not 1 Hour"
    assert kept["platform.metric_alert_usd_per_month"] == \
        "no meter 'Alerts Metric Monitored' at tier 10"
    assert set(prices) | set(kept) == {m.path for m in service_prices.METERS}


@responses.activate
def test_a_tier_that_is_not_a_number_matches_nothing():
    prices, kept = run({"platform.registry_usd_per_day.Basic": [
        ("Basic Registry Unit", "1/Day", "0", 0.2), ("Basic Registry Unit", "1/Day", True, 0.3)]})
    assert "platform.registry_usd_per_day.Basic" in kept and not prices


@pytest.mark.parametrize("price,said", [(float("nan"), "NaN is not a JSON number"),
                                        (-1, "retailPrice must be a finite number"),
                                        ("1", "retailPrice must be a finite number")])
@responses.activate
def test_a_price_that_is_not_a_finite_number_stops_the_refresh(price, said):
    with pytest.raises(TrainstackError) as info:
        run({"platform.registry_usd_per_day.Basic": [("Basic Registry Unit", "1/Day", 0, price)]})
    assert "platform.registry_usd_per_day.Basic" in str(info.value) and said in str(info.value)


@responses.activate
def test_refreshed_prices_reach_the_estimate_with_their_source(tmp_path: Path, monkeypatch):
    from conftest import parse

    from trainstack.catalog import services
    from trainstack.catalog.facts import Facts
    from trainstack.catalog.vm import load_catalog
    from trainstack.select import select

    prices, kept = run({path: [a] for path, a in ANSWERS.items()})
    written = service_prices.write(prices, kept, tmp_path, "2026-11-30")
    assert written == tmp_path / "service_prices.json"
    monkeypatch.setenv("TRAINSTACK_CATALOG_DIR", str(tmp_path))
    services.load_services.cache_clear()
    try:
        facts = Facts(vms=load_catalog(), services=services.load_services())
    finally:
        services.load_services.cache_clear()
    assert facts.services.platform.registry_usd_per_day == {
        "Basic": 0.2, "Standard": 0.7, "Premium": 1.7}
    assert facts.services.platform.source == service_prices.SOURCE_ID
    source = facts.services.sources[service_prices.SOURCE_ID]
    assert source["date"] == "2026-11-30" and "metric_alert" in source["origin"]
    s = select(parse(""), facts)
    [registry] = [i for i in s.cost_breakdown if i.item.startswith("container registry")]
    assert (registry.unit_usd, registry.source) == (0.2, service_prices.SOURCE_ID)


def test_an_overlay_for_another_services_json_or_with_odd_values_changes_nothing():
    data = json.loads((Path(service_prices.__file__).parent / "data" / "services.json")
                      .read_text())
    good = {"services_sha256": service_prices.packaged_services_fingerprint(),
            "date": "2026-11-30", "prices": {"network.nat_gateway_usd_per_hour": 0.05}}
    assert service_prices.overlay(data, good)["network"]["nat_gateway_usd_per_hour"] == 0.05
    for bad in ({**good, "services_sha256": "0" * 64},
                {**good, "prices": {"network.hours_per_month": 1}},
                {**good, "prices": {"network.nat_gateway_usd_per_hour": True}},
                {**good, "prices": {"network.nat_gateway_usd_per_hour": -1}},
                {**good, "prices": ["x"]}, ["not", "an", "object"]):
        assert service_prices.overlay(data, bad) == data


def test_each_filter_asks_for_consumption_prices_in_east_us_but_dns_zones_anywhere():
    meters = {m.path: m for m in service_prices.METERS}
    assert service_prices.odata_filter(meters["platform.registry_usd_per_day.Basic"]) == (
        "serviceName eq 'Container Registry' and skuName eq 'Basic' and priceType eq "
        "'Consumption' and armRegionName eq 'eastus'")
    # Azure DNS is priced by zone ("Zone 1"), not by region (infracost dns_zone.go)
    assert service_prices.odata_filter(meters["network.private_dns_zone_usd_per_month"]) == (
        "serviceName eq 'Azure DNS' and priceType eq 'Consumption'")


def test_pick_reads_an_item_without_a_tier_as_the_first_tier_and_names_every_unit():
    meter = next(m for m in service_prices.METERS if m.path.endswith("Basic"))
    no_tier = {k: v for k, v in item("Basic Registry Unit", "1/Day", 0, 0.2).items()
               if k != "tierMinimumUnits"}
    assert service_prices.pick(meter, [no_tier]) == (0.2, "")
    assert service_prices.pick(meter, [item("Basic Registry Unit", "1/Month", 0, 5.0),
                                       item("Basic Registry Unit", "1 Hour", 0, 0.01)]) == (
        None, "answered in 1 Hour, 1/Month, not 1/Day")


def test_write_records_what_it_refreshed_from_where():
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        path = service_prices.write({"network.nat_gateway_usd_per_hour": 0.05},
                                    {"synapse.usd_per_vcore_hour": "no meter"}, Path(out),
                                    "2026-11-30")
        assert json.loads(path.read_text()) == {
            "services_sha256": service_prices.packaged_services_fingerprint(),
            "date": "2026-11-30", "region": "eastus",
            "prices": {"network.nat_gateway_usd_per_hour": 0.05},
            "kept": {"synapse.usd_per_vcore_hour": "no meter"}}


def test_an_overlay_of_every_price_says_so_and_takes_zero_and_odd_kept_lists():
    data = json.loads((Path(service_prices.__file__).parent / "data" / "services.json")
                      .read_text())
    every = {m.path: 0.0 for m in service_prices.METERS}
    out = service_prices.overlay(data, {
        "services_sha256": service_prices.packaged_services_fingerprint(), "prices": every,
        "kept": 5})
    assert out["network"]["nat_gateway_usd_per_hour"] == 0.0
    assert all(out[section]["source"] == service_prices.SOURCE_ID
               for section in ("platform", "network", "databricks", "synapse"))
    source = out["sources"][service_prices.SOURCE_ID]
    assert source["date"] == ""  # none was written
    assert source["origin"].endswith("every service price refreshed")
    assert source["what"] == "the service facts' list prices (" + ", ".join(sorted(every)) + ")"
    assert data["network"]["nat_gateway_usd_per_hour"] != 0.0  # the packaged data untouched


def test_the_overlay_names_the_prices_it_kept():
    data = json.loads((Path(service_prices.__file__).parent / "data" / "services.json")
                      .read_text())
    out = service_prices.overlay(data, {
        "services_sha256": service_prices.packaged_services_fingerprint(), "date": "d",
        "prices": {"network.nat_gateway_usd_per_hour": 0.05},
        "kept": {"synapse.usd_per_vcore_hour": "no meter", "databricks.dbu_usd.jobs": "unit"}})
    assert out["sources"][service_prices.SOURCE_ID]["origin"].endswith(
        "kept as packaged: databricks.dbu_usd.jobs, synapse.usd_per_vcore_hour")
