"""`catalog refresh` against answers the API should never give (issue 7), offline.

Each case stopped the refresh with a traceback, wrote NaN into the catalog, looped, or
followed a link anywhere before the page reader was bounded.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
import requests
import responses

from conftest import ROOT
from trainstack.catalog import load_catalog
from trainstack.catalog.refresh import RETAIL_PRICES_URL, Fetcher, fetch_region, refresh
from trainstack.catalog.vm import _parse_rows, check_sources
from trainstack.errors import TrainstackError
from trainstack.limits import (
    REFRESH_ATTEMPTS,
    REFRESH_BACKOFF_MAX_SECONDS,
    REFRESH_DEADLINE_SECONDS,
    REPORT_PAGE_MAX_BYTES,
)

PAGE_2 = "https://prices.azure.com/api/retail/prices?$skip=1000"


def item(**overrides) -> dict:  # noqa: ANN003
    base = {"armSkuName": "Standard_D4s_v3", "retailPrice": 0.25, "skuName": "D4s v3",
            "meterName": "D4s v3", "productName": "Virtual Machines Dsv3 Series",
            "unitOfMeasure": "1 Hour"}
    return {**base, **overrides}


class Clock:
    """A fake clock that sleep advances: retries and deadlines without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def fetcher(clock: Clock | None = None) -> Fetcher:
    clock = clock or Clock()
    return Fetcher(sleep=clock.sleep, clock=clock)


@pytest.mark.parametrize(("page", "message"), [
    ({"Items": [item(retailPrice="0.25")]}, "item 1: retailPrice must be a finite number"),
    ({"Items": [item(retailPrice=None)]}, "retailPrice must be a finite number"),
    ({"Items": [item(retailPrice=-1)]}, "retailPrice must be a finite number from 0 to"),
    ({"Items": [item(retailPrice=True)]}, "retailPrice must be a finite number"),
    ({"Items": [item(retailPrice=1e308)]}, "retailPrice must be a finite number from 0 to "
                                           "1,000,000 (got 1e+308)"),
    ({"Items": [item(armSkuName=None)]}, "item 1: armSkuName must be a string (got null)"),
    ({"Items": [item(), item(unitOfMeasure=1)]}, "item 2: unitOfMeasure must be a string"),
    ({"Items": ["Standard_D4s_v3"]}, "item 1: must be an object (got a string)"),
    ({"Items": None}, "page 1: 'Items' must be an array (got null)"),
    ({}, "'Items' must be an array (got null)"),
    ([], "page 1 is not a JSON object (got an array)"),
    ({"Items": [], "NextPageLink": 5}, "NextPageLink must be a string"),
])
@responses.activate
def test_malformed_pages_are_refused_and_nothing_is_written(tmp_path, page, message):
    responses.add(responses.GET, RETAIL_PRICES_URL, json=page)
    (tmp_path / "vm_sizes.csv").write_text("previous")
    with pytest.raises(TrainstackError) as info:
        refresh(load_catalog(), ["westeurope"], tmp_path, "2026-11-29", fetcher=fetcher())
    assert message in str(info.value) and "nothing was written" in str(info.value)
    assert (tmp_path / "vm_sizes.csv").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vm_sizes.csv"]


@pytest.mark.parametrize("body", ['{"Items": [{"retailPrice": NaN}]}',
                                  '{"Items": [{"retailPrice": Infinity}]}'])
@responses.activate
def test_nan_and_infinity_never_reach_the_catalog(body):
    responses.add(responses.GET, RETAIL_PRICES_URL, body=body)
    with pytest.raises(TrainstackError, match="is not JSON"):
        fetch_region("westeurope", fetcher=fetcher())


@responses.activate
def test_an_overflowing_price_is_not_finite_and_is_refused():
    responses.add(responses.GET, RETAIL_PRICES_URL,
                  body='{"Items": [' + json.dumps(item())[:-1].replace('0.25', '1e400') + "}]}")
    with pytest.raises(TrainstackError, match="retailPrice must be a finite number"):
        fetch_region("westeurope", fetcher=fetcher())


@responses.activate
def test_a_price_of_thousands_of_digits_is_refused():
    responses.add(responses.GET, RETAIL_PRICES_URL,
                  body='{"Items": [{"retailPrice": ' + "9" * 4000 + "}]}")
    with pytest.raises(TrainstackError, match="is not JSON .*a number of 4,000 digits"):
        fetch_region("westeurope", fetcher=fetcher())


@responses.activate
def test_a_page_that_arrives_too_slowly_hits_the_deadline():
    """The deadline also covers a body that drips in (checked between reads)."""
    clock = Clock()

    class Drip:
        status_code = 200
        headers: dict = {}

        def iter_content(self, chunk_size):  # noqa: ANN001, ANN202
            for _ in range(10_000):
                clock.now += 1.0
                yield b" "

    fetch = Fetcher(get=lambda *a, **k: Drip(), sleep=clock.sleep, clock=clock)
    with pytest.raises(TrainstackError, match="page 1 was still arriving"):
        fetch_region("westeurope", fetcher=fetch)
    assert clock.now <= REFRESH_DEADLINE_SECONDS + 1


@pytest.mark.parametrize("link", ["https://evil.example/api/retail/prices?$skip=1000",
                                  "http://prices.azure.com/api/retail/prices?$skip=1000",
                                  "https://prices.azure.com.evil.example/x",
                                  "https://prices.azure.com:8443/api/retail/prices",
                                  "file:///etc/passwd"])
@responses.activate
def test_a_next_page_link_to_another_host_is_not_followed(link):
    responses.add(responses.GET, RETAIL_PRICES_URL, json={"Items": [], "NextPageLink": link})
    with pytest.raises(TrainstackError, match="points away from prices.azure.com"):
        fetch_region("westeurope", fetcher=fetcher())
    assert len(responses.calls) == 1


@responses.activate
def test_a_next_page_link_that_repeats_is_refused():
    responses.add(responses.GET, RETAIL_PRICES_URL, json={"Items": [], "NextPageLink": PAGE_2})
    responses.add(responses.GET, PAGE_2, json={"Items": [item()], "NextPageLink": PAGE_2})
    with pytest.raises(TrainstackError, match="page 2: NextPageLink repeats an earlier page"):
        fetch_region("westeurope", fetcher=fetcher())
    assert len(responses.calls) == 2


@responses.activate
def test_429_and_5xx_are_retried_with_backoff_then_succeed():
    clock = Clock()
    responses.add(responses.GET, RETAIL_PRICES_URL, status=429, headers={"Retry-After": "3"})
    responses.add(responses.GET, RETAIL_PRICES_URL, status=503)
    responses.add(responses.GET, RETAIL_PRICES_URL, status=502)
    responses.add(responses.GET, RETAIL_PRICES_URL, json={"Items": [item()]})
    prices = fetch_region("westeurope", fetcher=fetcher(clock))
    assert prices.on_demand == {"Standard_D4s_v3": 0.25}
    assert clock.slept == [3.0, 2.0, 4.0]  # Retry-After, then the doubling backoff


@responses.activate
def test_retries_are_bounded():
    clock = Clock()
    responses.add(responses.GET, RETAIL_PRICES_URL, status=500)
    with pytest.raises(TrainstackError, match=f"HTTP 500 after {REFRESH_ATTEMPTS} attempts"):
        fetch_region("westeurope", fetcher=fetcher(clock))
    assert len(responses.calls) == REFRESH_ATTEMPTS
    assert len(clock.slept) == REFRESH_ATTEMPTS - 1
    assert max(clock.slept) <= REFRESH_BACKOFF_MAX_SECONDS


@responses.activate
def test_a_huge_retry_after_is_capped():
    clock = Clock()
    responses.add(responses.GET, RETAIL_PRICES_URL, status=429, headers={"Retry-After": "1e9"})
    responses.add(responses.GET, RETAIL_PRICES_URL, json={"Items": []})
    fetch_region("westeurope", fetcher=fetcher(clock))
    assert clock.slept == [REFRESH_BACKOFF_MAX_SECONDS]


@responses.activate
def test_dropped_connections_are_retried():
    clock = Clock()
    responses.add(responses.GET, RETAIL_PRICES_URL, body=requests.ConnectionError("reset"))
    responses.add(responses.GET, RETAIL_PRICES_URL, json={"Items": [item()]})
    assert fetch_region("westeurope", fetcher=fetcher(clock)).on_demand
    assert clock.slept == [1.0]


@responses.activate
def test_pagination_has_an_overall_deadline():
    """Endless distinct pages, each slow: the deadline ends it, nothing is written."""
    clock = Clock()

    def slow_page(request):  # noqa: ANN001, ANN202
        clock.now += 30.0
        n = int(request.url.rsplit("=", 1)[-1]) if "skip" in request.url else 0
        return 200, {}, json.dumps({"Items": [item()],
                                    "NextPageLink": f"{RETAIL_PRICES_URL}?$skip={n + 1}"})

    responses.add_callback(responses.GET, RETAIL_PRICES_URL, callback=slow_page)
    with pytest.raises(TrainstackError, match=f"longer than {REFRESH_DEADLINE_SECONDS:g} s"):
        fetch_region("westeurope", fetcher=fetcher(clock))
    assert len(responses.calls) == REFRESH_DEADLINE_SECONDS // 30


@responses.activate
def test_one_deadline_covers_every_region(tmp_path):
    clock = Clock()

    def slow(request):  # noqa: ANN001, ANN202
        clock.now += REFRESH_DEADLINE_SECONDS / 2 + 1
        return 200, {}, json.dumps({"Items": [item()]})

    responses.add_callback(responses.GET, RETAIL_PRICES_URL, callback=slow)
    with pytest.raises(TrainstackError, match="longer than"):
        refresh(load_catalog(), ["westeurope", "northeurope", "eastus"], tmp_path, "2026-11-29",
                fetcher=fetcher(clock))
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_an_oversized_page_is_refused():
    responses.add(responses.GET, RETAIL_PRICES_URL, body=b" " * (REPORT_PAGE_MAX_BYTES + 1))
    with pytest.raises(TrainstackError, match="is over"):
        fetch_region("westeurope", fetcher=fetcher())


def test_a_catalog_whose_rows_name_undescribed_sources_is_refused():
    rows = load_catalog().rows[:3]
    with pytest.raises(TrainstackError, match="does not describe: karpenter-2026-06"):
        check_sources(rows, {}, "data")


_KILL_BETWEEN = """\
import os, signal, sys, json
from pathlib import Path
import responses
import trainstack.catalog.refresh as r
from trainstack.catalog import load_catalog

real = r.write_atomic
def write(path, text, what="file"):
    real(path, text, what=what)
    if Path(path).name == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)
r.write_atomic = write
with responses.RequestsMock() as rsps:
    rsps.add(responses.GET, r.RETAIL_PRICES_URL, json={"Items": [{
        "armSkuName": "Standard_D4s_v3", "retailPrice": 0.5, "skuName": "D4s v3",
        "meterName": "D4s v3", "productName": "Virtual Machines Dsv3 Series",
        "unitOfMeasure": "1 Hour"}]})
    r.refresh(load_catalog(), ["westeurope"], Path(sys.argv[1]), "2026-11-29")
"""


@pytest.mark.parametrize("killed_after", ["sources.json", "vm_sizes.csv"])
def test_a_refresh_killed_between_the_two_files_leaves_a_consistent_catalog(tmp_path,
                                                                            killed_after):
    data = ROOT / "src" / "trainstack" / "catalog" / "data"
    for name in ("vm_sizes.csv", "sources.json"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    done = subprocess.run([sys.executable, "-c", _KILL_BETWEEN, str(tmp_path), killed_after],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ})
    assert done.returncode == -9, done.stderr
    rows = _parse_rows((tmp_path / "vm_sizes.csv").read_text().splitlines())
    sources = json.loads((tmp_path / "sources.json").read_text())
    check_sources(rows, sources, str(tmp_path))  # every row's source is described
    d4 = next(r for r in rows if (r.vm_size, r.region) == ("Standard_D4s_v3", "westeurope"))
    assert d4.hourly_usd == (0.5 if killed_after == "vm_sizes.csv" else
                             load_catalog().get("Standard_D4s_v3", "westeurope").hourly_usd)
    assert all(math.isfinite(r.hourly_usd) for r in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sources.json", "vm_sizes.csv"]
