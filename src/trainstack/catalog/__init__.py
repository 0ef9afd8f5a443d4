"""Packaged catalog data and pure queries over it."""

from trainstack.catalog.facts import Facts, load_facts, with_vms
from trainstack.catalog.vm import Catalog, VmSize, catalog_from_rows, load_catalog

__all__ = ["Catalog", "Facts", "VmSize", "catalog_from_rows", "load_catalog", "load_facts",
           "with_vms"]
