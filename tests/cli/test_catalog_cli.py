"""`trainstack catalog list|show|refresh`; refresh runs offline against `responses`."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import responses
from conftest import ROOT

from trainstack.catalog import catalog_from_rows, load_catalog, load_facts, with_vms
from trainstack.catalog.refresh import RETAIL_PRICES_URL, Fetcher, fetch_region, refresh
from trainstack.catalog.vm import _parse_rows
from trainstack.cli.entry import main
from trainstack.errors import TrainstackError


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_by_region_is_sorted_and_filtered(capsys):
    code, out, _ = cli(capsys, "catalog", "list", "--region", "westeurope", "--gpu", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert all(r["gpus"] > 0 and r["aml"] and not r["retired"] for r in rows)
    assert [r["hourly_usd"] for r in rows] == sorted(r["hourly_usd"] for r in rows)
    assert "Standard_NC6s_v3" not in {r["vm_size"] for r in rows}  # retired


def test_list_all_regions_aggregates_per_size(capsys):
    code, out, _ = cli(capsys, "catalog", "list", "-f", "json")
    rows = json.loads(out)
    sizes = [r["vm_size"] for r in rows]
    assert code == 0 and len(sizes) == len(set(sizes))
    d4 = next(r for r in rows if r["vm_size"] == "Standard_D4s_v3")
    assert d4["regions"] >= 10


def test_list_table_and_bad_region(capsys):
    code, out, _ = cli(capsys, "catalog", "list", "--region", "westeurope")
    assert code == 0 and "Standard_D4s_v3" in out
    code, _, err = cli(capsys, "catalog", "list", "--region", "westeuorpe")
    assert code == 2 and "did you mean 'westeurope'?" in err


def test_show_gives_every_region_with_sources(capsys):
    code, out, _ = cli(capsys, "catalog", "show", "Standard_NC4as_T4_v3", "-f", "json")
    d = json.loads(out)
    assert code == 0 and d["gpus"] == 1 and d["gpu_model"] == "T4" and d["gpu_memory_gib"] == 16
    assert {"westeurope", "eastus"} <= {r["region"] for r in d["regions"]}
    assert all(r["price_source"] in d["sources"] for r in d["regions"])
    code, out, _ = cli(capsys, "catalog", "show", "Standard_NC6s_v3")
    assert code == 0 and "RETIRED" in out


def test_show_unknown_size_suggests(capsys):
    code, _, err = cli(capsys, "catalog", "show", "Standard_D4s_v33")
    assert code == 2 and "did you mean 'Standard_D4s_v3'?" in err


# -- refresh, offline -------------------------------------------------------------------

def item(size: str, price: float, sku: str = "D4s v3", product: str = "Virtual Machines Dsv3 Series",
         unit: str = "1 Hour") -> dict:
    return {"armSkuName": size, "retailPrice": price, "skuName": sku, "meterName": sku,
            "productName": product, "unitOfMeasure": unit, "armRegionName": "westeurope",
            "type": "Consumption"}


PAGE_2 = "https://prices.azure.com/api/retail/prices?$skip=1000"


def register(rsps) -> None:
    rsps.add(responses.GET, RETAIL_PRICES_URL, json={
        "Items": [
            item("Standard_D4s_v3", 0.25),
            item("Standard_D4s_v3", 0.05, sku="D4s v3 Low Priority"),
            item("Standard_D4s_v3", 0.04, sku="D4s v3 Spot"),  # spot: skipped
            item("Standard_D4s_v3", 0.40, product="Virtual Machines Dsv3 Series Windows"),
        ],
        "NextPageLink": PAGE_2,
    }, match=[responses.matchers.query_param_matcher({
        "api-version": "2023-01-01-preview",
        "$filter": "serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope' "
                   "and priceType eq 'Consumption'",
    })])
    rsps.add(responses.GET, PAGE_2, json={
        "Items": [item("Standard_E8s_v3", 0.61, sku="E8s v3"),
                  item("Standard_E8s_v3", 1.0, unit="1/Month")],  # not hourly: skipped
        "NextPageLink": None,
    })
    # the service meters (tests/catalog/test_service_prices.py): none answered here
    rsps.add(responses.GET, RETAIL_PRICES_URL, json={"Items": []})


@responses.activate
def test_fetch_region_follows_pages_and_keeps_linux_hourly_meters():
    register(responses)
    prices = fetch_region("westeurope")
    assert prices.on_demand == {"Standard_D4s_v3": 0.25, "Standard_E8s_v3": 0.61}
    assert prices.low_priority == {"Standard_D4s_v3": 0.05}
    assert len(responses.calls) == 2


@responses.activate
def test_http_errors_are_reported_with_the_region():
    responses.add(responses.GET, RETAIL_PRICES_URL, status=503)
    with pytest.raises(TrainstackError) as info:
        fetch_region("westeurope", fetcher=Fetcher(sleep=lambda s: None))
    assert "westeurope" in str(info.value) and "503" in str(info.value)
    responses.replace(responses.GET, RETAIL_PRICES_URL, status=404)
    with pytest.raises(TrainstackError, match="page 1: HTTP 404; nothing was written"):
        fetch_region("westeurope", fetcher=Fetcher(sleep=lambda s: None))


@responses.activate
def test_refresh_rewrites_prices_and_sources_only(tmp_path: Path):
    register(responses)
    catalog = load_catalog()
    path, counts = refresh(catalog, ["westeurope"], tmp_path, "2026-11-28")
    assert counts == {"westeurope": 2, "service prices": 0}
    rows = {(r.vm_size, r.region): r for r in _parse_rows(path.read_text().splitlines())}
    d4 = rows[("Standard_D4s_v3", "westeurope")]
    assert (d4.hourly_usd, d4.low_priority_usd, d4.price_source, d4.price_date) == (
        0.25, 0.05, "azure-retail-prices", "2026-11-28")
    e8 = rows[("Standard_E8s_v3", "westeurope")]
    old = catalog.get("Standard_E8s_v3", "westeurope")
    assert e8.hourly_usd == 0.61 and e8.low_priority_usd == old.low_priority_usd
    # other regions and other sizes keep their prices, specs never change
    assert rows[("Standard_D4s_v3", "eastus")] == catalog.get("Standard_D4s_v3", "eastus")
    assert len(rows) == len(catalog.rows)
    sources = json.loads((tmp_path / "sources.json").read_text())
    assert sources["azure-retail-prices"]["date"] == "2026-11-28"
    assert set(catalog.sources) <= set(sources)


@responses.activate
def test_failed_refresh_leaves_the_catalog_as_it_was(tmp_path: Path):
    (tmp_path / "vm_sizes.csv").write_text("previous")
    responses.add(responses.GET, RETAIL_PRICES_URL, body="not json")
    with pytest.raises(TrainstackError):
        refresh(load_catalog(), ["westeurope"], tmp_path, "2026-11-28")
    assert (tmp_path / "vm_sizes.csv").read_text() == "previous"


@responses.activate
def test_refresh_cli_writes_where_asked(capsys, tmp_path: Path):
    register(responses)
    code, _, err = cli(capsys, "catalog", "refresh", "--region", "westeurope",
                       "--out", str(tmp_path))
    assert code == 0, err
    assert "westeurope: 2 VM prices" in err
    with (tmp_path / "vm_sizes.csv").open() as fh:
        assert next(csv.reader(fh))[0] == "vm_size"
    code, _, err = cli(capsys, "catalog", "refresh", "--region", "marsnorth", "--out",
                       str(tmp_path))
    assert code == 2 and "not catalog regions: marsnorth" in err


def test_refreshed_catalog_loads_and_selects(tmp_path: Path):
    """A refreshed file is a catalog the selector can use."""
    from conftest import MINIMAL

    from trainstack.catalog.refresh import write_catalog
    from trainstack.profile import parse_profile
    from trainstack.select import select

    path = write_catalog(load_catalog().rows, load_catalog().sources, tmp_path, "2026-11-28")
    catalog = catalog_from_rows(_parse_rows(path.read_text().splitlines()))
    assert catalog.rows == load_catalog().rows  # every column read back as it was written
    packaged = select(parse_profile(MINIMAL), load_facts()).contract_dict()
    assert select(parse_profile(MINIMAL), with_vms(catalog)).contract_dict() == packaged


def test_only_the_refresh_module_fetches_and_only_azure_signs_in():
    fetchers, signers = [], []
    for path in sorted((ROOT / "src").rglob("*.py")):
        text, name = path.read_text(), path.relative_to(ROOT / "src").as_posix()
        # urllib.parse only parses (the fake of Azure reads the URLs it is sent)
        if re.search(r"^\s*(import|from)\s+(requests|urllib(?!\.parse)|http\.client|socket)\b",
                     text, re.M):
            fetchers.append(name)
        if re.search(r"^\s*(import|from)\s+azure\.(identity|mgmt)\b", text, re.M):
            signers.append(name)
    assert fetchers == ["trainstack/catalog/refresh.py"]
    # the Azure SDK (its own HTTP client) is used by trainstack/azure/ alone
    assert signers == ["trainstack/azure/connect.py"]


def test_refresh_writes_the_one_csv_schema(tmp_path: Path):
    """`catalog refresh` writes every column the packaged file has (sources included), in
    the same form: the packaged rows written back are the packaged file, byte for byte."""
    from importlib import resources

    from trainstack.catalog.refresh import write_catalog

    packaged = resources.files("trainstack.catalog") / "data" / "vm_sizes.csv"
    path = write_catalog(load_catalog().rows, load_catalog().sources, tmp_path, "2026-11-29")
    assert path.read_bytes() == packaged.read_bytes()


def test_a_refreshed_catalog_is_preferred_and_the_package_is_never_written(tmp_path: Path):
    from trainstack.catalog.refresh import write_catalog
    from trainstack.catalog.vm import catalog_source, read_catalog

    assert catalog_source(tmp_path / "none").name == "data"  # nothing refreshed: packaged
    rows = tuple(replace(r, hourly_usd=r.hourly_usd * 2) for r in load_catalog().rows)
    write_catalog(rows, load_catalog().sources, tmp_path, "2026-11-29")
    assert catalog_source(tmp_path) == tmp_path
    assert read_catalog(catalog_source(tmp_path)).rows == rows


def test_a_refresh_of_another_packaged_catalog_is_not_used(tmp_path: Path):
    """After an upgrade the packaged catalog differs from the one a refresh started from:
    the refreshed copy is ignored rather than hiding new sizes and flags."""
    from trainstack.catalog.refresh import write_catalog
    from trainstack.catalog.vm import REFRESHED_FROM, catalog_source

    write_catalog(load_catalog().rows, load_catalog().sources, tmp_path, "2026-11-29")
    assert catalog_source(tmp_path) == tmp_path
    (tmp_path / REFRESHED_FROM).write_text('{"sha256": "an older package"}\n')
    assert catalog_source(tmp_path).name == "data"
    (tmp_path / REFRESHED_FROM).unlink()  # a refresh killed before its last file
    assert catalog_source(tmp_path).name == "data"


def test_a_broken_refreshed_catalog_is_an_error_naming_the_folder(tmp_path: Path):
    from trainstack.catalog.vm import read_catalog
    from trainstack.errors import TrainstackError

    (tmp_path / "vm_sizes.csv").write_text("vm_size,region\n")
    (tmp_path / "sources.json").write_text("{}")
    with pytest.raises(TrainstackError, match=f"{tmp_path}: not a readable trainstack catalog"):
        read_catalog(tmp_path)
