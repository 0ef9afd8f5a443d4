"""Packaged catalog data and pure queries over it."""

from trainstack.catalog.vm import Catalog, VmSize, catalog_from_rows, load_catalog

__all__ = ["Catalog", "VmSize", "catalog_from_rows", "load_catalog"]
