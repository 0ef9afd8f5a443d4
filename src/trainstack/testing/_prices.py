"""The Azure Retail Prices API in the fake (public, no credentials): what ``catalog refresh``
reads. ``GET https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview&
$filter=<field> eq '<value>' and ...`` answers ``{"Items": [...], "NextPageLink": null,
"Count": n}``: the items whose fields equal every term of the filter, among one Linux
consumption meter per VM price seeded with ``FakeAzure.set_price`` (a "Low Priority" meter
for the low-priority price) and the service meters in ``FakeAzure.service_meters``, in the
fields the API documents
(learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trainstack.testing._fake import Request, Route, error

if TYPE_CHECKING:
    from trainstack.testing import FakeAzure

PRICES = "https://prices.azure.com"
VERSION = "2023-01-01-preview"
TERM = re.compile(r"(\w+) eq '([^']*)'")


def _item(region: str, size: str, price: float, low: bool) -> dict:
    short = size.removeprefix("Standard_").replace("_", " ")
    sku = f"{short} Low Priority" if low else short
    return {"currencyCode": "USD", "retailPrice": price, "unitPrice": price,
            "armRegionName": region, "location": region, "armSkuName": size,
            "skuName": sku, "meterName": sku, "productName": "Virtual Machines Series",
            "serviceName": "Virtual Machines", "unitOfMeasure": "1 Hour",
            "type": "Consumption", "priceType": "Consumption", "isPrimaryMeterRegion": True}


def routes(fake: FakeAzure) -> list[Route]:
    """The retail prices route, answering from ``fake.prices``."""

    def prices(request: Request, match: re.Match[str]):
        if request.api_version != VERSION:
            return error(400, "InvalidApiVersion", f"api-version must be {VERSION}")
        text = request.query.get("$filter", "")
        terms = TERM.findall(text)
        if not terms or TERM.sub("", text).replace("and", "").strip():
            return error(400, "InvalidFilter", "the fake knows <field> eq '<value>' terms "
                                               "joined by and")
        every = [i for (region, size), (usd, low) in sorted(fake.prices.items())
                 for i in ([_item(region, size, usd, False)]
                           + ([_item(region, size, low, True)] if low is not None else []))]
        items = [i for i in every + fake.service_meters
                 if all(str(i.get(k)) == v for k, v in terms)]
        return 200, {}, {"BillingCurrency": "USD", "CustomerEntityId": "Default",
                         "CustomerEntityType": "Retail", "Items": items,
                         "NextPageLink": None, "Count": len(items)}

    return [Route("GET", re.compile(r"/api/retail/prices"), prices, host=PRICES)]
