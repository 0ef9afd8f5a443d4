"""Everything trainstack knows about Azure as one value: the VM catalog and the service facts.

``load_facts()`` is where the packaged data is read; the selector and the validation
rules receive the value and never read anything themselves. Live facts read from a
subscription (quota, availability) will arrive the same way, as inputs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from trainstack.catalog.services import ServiceFacts, load_services
from trainstack.catalog.vm import Catalog, load_catalog


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cache key
class Facts:
    """The VM catalog (sizes, specs, prices per region) and the service facts (Synapse,
    Databricks, Azure AI services)."""

    vms: Catalog
    services: ServiceFacts


@functools.cache
def load_facts() -> Facts:
    """The catalog (a refreshed copy when there is one, else the packaged one) and the
    service facts, read once per process on first use."""
    return Facts(vms=load_catalog(), services=load_services())


def with_vms(vms: Catalog) -> Facts:
    """The packaged service facts with another VM catalog (an inline one in tests, or a
    refreshed one)."""
    return Facts(vms=vms, services=load_services())
