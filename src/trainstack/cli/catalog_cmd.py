"""`trainstack catalog list|show|refresh`: look up the VM catalog and refresh its prices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import OutputFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

Format = enum_of("Format", OutputFormat)

catalog_app = typer.Typer(help="Look up and refresh the packaged VM catalog.",
                          no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("list")
def catalog_list(
    region: Annotated[str | None, typer.Option(
        help="Only this region (prices per region).")] = None,
    gpu: Annotated[bool, typer.Option("--gpu", help="Only GPU sizes.")] = False,
    all_sizes: Annotated[bool, typer.Option(
        "--all", help="Also sizes Azure ML does not offer, and retired ones.")] = False,
    format: Annotated[Format, typer.Option("--format", "-f")] = "table",
) -> None:
    """VM sizes Azure ML offers: specs and prices (per region with --region)."""
    from trainstack.catalog import load_catalog
    from trainstack.catalog.queries import list_sizes

    rows = list_sizes(load_catalog(), region=region, gpu=gpu, include_all=all_sizes)
    if format.value == "json":
        output.emit_json(rows)
    else:
        output.catalog_rows(rows, region)


@catalog_app.command("show")
def catalog_show(
    size: Annotated[str, typer.Argument(help="A VM size, e.g. Standard_NC4as_T4_v3.")],
    format: Annotated[Format, typer.Option("--format", "-f")] = "table",
) -> None:
    """One VM size: specs, and per region: price, low-priority price, Azure ML, source."""
    from trainstack.catalog import load_catalog
    from trainstack.catalog.queries import show_size

    detail = show_size(load_catalog(), size)
    if format.value == "json":
        output.emit_json(detail)
    else:
        output.catalog_detail(detail)


@catalog_app.command("refresh")
def catalog_refresh(
    region: Annotated[list[str] | None, typer.Option(
        help="Region to refresh (repeatable; default: every catalog region).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Directory for vm_sizes.csv and sources.json (default: TRAINSTACK_CATALOG_DIR, "
             "else the user cache; the installed package is never written).")] = None,
    availability: Annotated[bool, typer.Option(
        "--availability", help="Also ask Azure (signed in) which sizes Azure ML offers in "
                               "each region.")] = False,
    subscription: Annotated[str | None, typer.Option(
        help="With --availability: the subscription (default: AZURE_SUBSCRIPTION_ID, then "
             "ARM_SUBSCRIPTION_ID).")] = None,
) -> None:
    """Rebuild the price snapshot from the Azure Retail Prices API (public, no credentials)."""
    import datetime

    from trainstack.catalog import load_catalog, service_prices
    from trainstack.catalog.refresh import refresh
    from trainstack.errors import TrainstackError
    from trainstack.settings import Settings

    catalog = load_catalog()
    regions = region or sorted(catalog.regions)
    unknown = sorted(set(regions) - catalog.regions)
    if unknown:
        raise TrainstackError(f"catalog refresh: not catalog regions: {', '.join(unknown)} "
                              f"(catalog regions: {', '.join(sorted(catalog.regions))})")
    target = out or Settings.current().catalog_dir
    today = datetime.date.today().isoformat()
    offered, sub = None, ""
    if availability:
        from trainstack.azure import connect, facts

        az = connect.connect(subscription)
        sub = az.subscription

        def offered(name: str) -> set[str]:
            return set(facts.offered_sizes(az, name))

    path, counts = refresh(catalog, regions, target, today, availability=offered,
                           subscription=sub)
    services = counts.pop("service prices")
    for name, count in sorted(counts.items()):
        output.note(f"{name}: {count} VM prices")
    output.note(f"service prices: {services} of {len(service_prices.METERS)} refreshed, the "
                "rest kept as packaged (service_prices.json says which and why)")
    if availability:
        output.note(f"Azure ML availability of every size in {len(regions)} region(s), "
                    f"from subscription {sub}")
    output.note(f"wrote {path}")
    if out is not None and out != Settings.current().catalog_dir:
        output.note(f"trainstack reads a refreshed catalog from {Settings.current().catalog_dir}"
                    " (TRAINSTACK_CATALOG_DIR); point it at this folder to use these prices")
