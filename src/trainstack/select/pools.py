"""Candidate pools: the catalog's sizes grouped and sorted the way the selector scans them.

Built from one ``Facts`` value on first use and kept for as long as that value lives,
so repeated selections (many profiles, benchmarks) sort each region's sizes once. Pure:
a pool is a function of the facts and its key.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Literal, TypeVar

from trainstack.catalog.facts import Facts
from trainstack.catalog.vm import VmSize
from trainstack.select.common import (
    BUDGET_CPU_SERIES,
    CPU_SERIES,
    TRAINING_GPUS,
    Costed,
    Requirement,
    costed,
)

Accelerator = Literal["cpu", "gpu"]
T = TypeVar("T")


def _aml_relevant(vm: VmSize, accelerator: Accelerator) -> bool:
    """Sizes the Azure ML ranking looks at: training series (and retired ones, which it
    lists as alternatives but never picks)."""
    if not vm.aml:
        return False
    if accelerator == "cpu":
        return not vm.gpus and (vm.retired or bool(CPU_SERIES.match(vm.vm_size))
                                or bool(BUDGET_CPU_SERIES.match(vm.vm_size)))
    return vm.gpus > 0 and (vm.retired or vm.gpu_model in TRAINING_GPUS)


class Pools:
    """The candidate pools of one ``Facts`` value."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._aml: dict[tuple[str, Accelerator, bool], tuple[Costed, ...]] = {}
        self._aml_live: dict[tuple[str, Accelerator, bool], int] = {}
        self._feasible_regions: dict[Requirement, frozenset[str]] = {}
        self._dev: dict[str, VmSize | None] = {}
        self._databricks: dict[str, tuple[VmSize, ...]] = {}

    @staticmethod
    def _get(cache: dict, key: object, build: Callable[[], T]) -> T:
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = build()
            return value

    def aml(self, region: str, accelerator: Accelerator, low: bool) -> tuple[Costed, ...]:
        """Azure ML sizes of one kind in a region at dedicated or low-priority prices,
        cheapest first (ties by name)."""
        def build() -> tuple[Costed, ...]:
            rows = (costed(vm, low) for vm in self.facts.vms.in_region(region)
                    if _aml_relevant(vm, accelerator))
            return tuple(sorted(rows, key=lambda c: (c.hourly, c.vm.vm_size)))
        return self._get(self._aml, (region, accelerator, low), build)

    def aml_live(self, region: str, accelerator: Accelerator, low: bool) -> int:
        """How many sizes of ``aml(...)`` are not retired (the 'considered' count)."""
        return self._get(self._aml_live, (region, accelerator, low),
                         lambda: sum(1 for c in self.aml(region, accelerator, low)
                                     if not c.vm.retired))

    def feasible_regions(self, req: Requirement) -> frozenset[str]:
        """Regions where Azure ML offers a live size that meets ``req``."""
        return self._get(self._feasible_regions, req, lambda: frozenset(
            vm.region for vm in self.facts.vms.rows
            if vm.aml and not vm.retired and req.shortfall(vm) is None))

    def dev_size(self, region: str) -> VmSize | None:
        """The cheapest small general-purpose size for a development instance: >= 4 vCPUs,
        >= 14 GiB, current generation, offered by Azure ML."""
        def cheapest() -> VmSize | None:
            options = [vm for vm in self.facts.vms.in_region(region)
                       if vm.aml and not vm.retired and not vm.gpus
                       and vm.family == "general-purpose" and CPU_SERIES.match(vm.vm_size)
                       and vm.vcpus >= 4 and vm.memory_gib >= 14]
            return min(options, key=lambda vm: (vm.hourly_usd, vm.vm_size), default=None)
        return self._get(self._dev, region, cheapest)

    def databricks(self, region: str) -> tuple[VmSize, ...]:
        """Live sizes in a region that Databricks supports as node types, cheapest first."""
        facts = self.facts.services.databricks
        return self._get(self._databricks, region, lambda: tuple(sorted(
            (vm for vm in self.facts.vms.in_region(region)
             if not vm.retired and facts.supports(vm.vm_size)),
            key=lambda vm: (vm.hourly_usd, vm.vm_size))))


_POOLS: weakref.WeakKeyDictionary[Facts, Pools] = weakref.WeakKeyDictionary()


def pools_of(facts: Facts) -> Pools:
    """The pools of ``facts``, built on first use and dropped with the value."""
    pools = _POOLS.get(facts)
    if pools is None:
        pools = _POOLS[facts] = Pools(facts)
    return pools
