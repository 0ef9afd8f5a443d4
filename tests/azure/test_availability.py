"""`trainstack catalog refresh --availability`: prices from the (fake) Retail Prices API and,
signed in, which sizes Azure ML offers per region from the (fake) vmSizes API, merged into the
refreshed catalog with their date and source; the selector then reads it."""

from __future__ import annotations

import csv
import datetime
import json

from trainstack.cli.main import run
from trainstack.testing.fixture import azure  # noqa: F401 - the fixture

T4 = "standardNCASv3_T4Family"


def _rows(path) -> dict[tuple[str, str], dict]:  # noqa: ANN001
    with open(path, newline="") as f:
        return {(r["vm_size"], r["region"]): r for r in csv.DictReader(f)}


def test_availability_sets_the_aml_column_of_the_refreshed_regions_only(azure, tmp_path,  # noqa: F811
                                                                         capsys):
    azure.offer("eastus2", "Standard_NC4as_T4_v3", family=T4, vcpus=4, gpus=1, memory_gb=28)
    azure.set_price("eastus2", "Standard_NC4as_T4_v3", 0.55, 0.07)
    out = tmp_path / "catalog"
    code = run(["catalog", "refresh", "--region", "eastus2", "--out", str(out),
                "--availability"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"from subscription {azure.subscription_id}" in err
    rows = _rows(out / "vm_sizes.csv")
    t4 = rows[("Standard_NC4as_T4_v3", "eastus2")]
    assert (t4["aml"], t4["hourly_usd"], t4["low_priority_usd"]) == ("1", "0.55", "0.07")
    assert rows[("Standard_NC8as_T4_v3", "eastus2")]["aml"] == "0"  # not offered now
    assert rows[("Standard_NC8as_T4_v3", "eastus")]["aml"] == "1"  # not refreshed: kept
    source = json.loads((out / "sources.json").read_text())["azure-ml-vm-sizes"]
    assert source["date"] == datetime.date.today().isoformat()
    assert azure.subscription_id in source["origin"] and "eastus2" in source["what"]


def test_the_selector_reads_the_refreshed_availability(azure, tmp_path, capsys,  # noqa: F811
                                                       monkeypatch):
    from conftest import ROOT

    azure.offer("eastus2", "Standard_NC8as_T4_v3", family=T4, vcpus=8, gpus=1, memory_gb=56)
    out = tmp_path / "catalog"
    assert run(["catalog", "refresh", "--region", "eastus2", "--out", str(out),
                "--availability"]) == 0
    monkeypatch.setenv("TRAINSTACK_CATALOG_DIR", str(out))
    from trainstack.catalog import facts as catalog_facts
    from trainstack.catalog import vm

    def forget() -> None:  # the process reads the catalog once
        catalog_facts.load_facts.cache_clear()
        vm.load_catalog.cache_clear()

    forget()
    try:
        capsys.readouterr()
        assert run(["select", str(ROOT / "profiles" / "vision-defects.yaml")]) == 0
        selection = json.loads(capsys.readouterr().out)
    finally:
        forget()
    assert selection["compute"][0]["vm_size"] == "Standard_NC8as_T4_v3"


def test_without_availability_no_sign_in_is_needed(tmp_path, capsys, monkeypatch):
    from trainstack.testing import fake_azure

    for name in ("AZURE_CLIENT_SECRET", "AZURE_SUBSCRIPTION_ID", "ARM_SUBSCRIPTION_ID"):
        monkeypatch.delenv(name, raising=False)
    with fake_azure() as fake:
        fake.set_price("eastus2", "Standard_NC4as_T4_v3", 0.6)
        assert run(["catalog", "refresh", "--region", "eastus2", "--out",
                    str(tmp_path / "c")]) == 0
    assert all("login.microsoftonline.com" not in c.url for c in fake.calls)


def test_the_service_prices_are_refreshed_and_priced_from(azure, tmp_path, capsys,  # noqa: F811
                                                          monkeypatch):
    """The registry's meter in the fake's Retail Prices API (in the fields the API answers
    and infracost selects by) reaches the estimate, named by its source; a meter the API
    does not have keeps its packaged price, and the refresh says how many it read."""
    from conftest import ROOT

    azure.service_meters.append({
        "currencyCode": "USD", "retailPrice": 0.2, "unitPrice": 0.2, "armRegionName": "eastus",
        "location": "US East", "armSkuName": "", "skuName": "Basic",
        "meterName": "Basic Registry Unit", "productName": "Container Registry",
        "serviceName": "Container Registry", "unitOfMeasure": "1/Day",
        "type": "Consumption", "priceType": "Consumption", "tierMinimumUnits": 0.0})
    out = tmp_path / "catalog"
    assert run(["catalog", "refresh", "--region", "eastus2", "--out", str(out)]) == 0
    assert "service prices: 1 of 18 refreshed" in capsys.readouterr().err
    written = json.loads((out / "service_prices.json").read_text())
    assert written["prices"] == {"platform.registry_usd_per_day.Basic": 0.2}
    assert written["kept"]["platform.registry_usd_per_day.Premium"].startswith("no meter")
    monkeypatch.setenv("TRAINSTACK_CATALOG_DIR", str(out))
    from trainstack.catalog import facts as catalog_facts
    from trainstack.catalog import services, vm

    def forget() -> None:  # the process reads the catalog once
        catalog_facts.load_facts.cache_clear()
        vm.load_catalog.cache_clear()
        services.load_services.cache_clear()

    forget()
    try:
        assert run(["select", str(ROOT / "profiles" / "churn.yaml"), "--format", "json"]) == 0
        chosen = json.loads(capsys.readouterr().out)
    finally:
        forget()
    [registry] = [i for i in chosen["cost_breakdown"] if i["item"].startswith("container")]
    assert (registry["unit_usd"], registry["source"]) == (0.2, "azure-retail-prices-services")
