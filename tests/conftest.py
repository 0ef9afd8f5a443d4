"""Shared fixtures: the repository's profiles, a minimal profile, an inline catalog."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from trainstack.catalog import VmSize, catalog_from_rows

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# Tests (and the processes they start) read the packaged catalog, never a copy that
# `catalog refresh` left in this machine's cache.
os.environ["TRAINSTACK_CATALOG_DIR"] = str(ROOT / ".no-refreshed-catalog-in-tests")
# Stored stacks carry salted names, as a user's must (TS-APPLY-010), whatever subscription
# or salt the machine running the tests has in its environment.
os.environ["TRAINSTACK_NAME_SALT"] = "trainstack-tests"
os.environ.pop("ARM_SUBSCRIPTION_ID", None)

MINIMAL = """\
apiVersion: trainstack/v1
kind: WorkloadProfile
name: demo
region: westeurope
problem:
  predicts: "something useful"
  task: classification
data:
  size_gb: 1
"""


def profile_text(extra: str = "", **replace: str) -> str:
    """MINIMAL with top-level scalars replaced (region="northeurope") plus extra YAML."""
    text = MINIMAL
    for key, value in replace.items():
        text = "\n".join(
            f"{key}: {value}" if line.startswith(f"{key}:") else line for line in text.splitlines()
        ) + "\n"
    return text + textwrap.dedent(extra)


def parse(extra: str = "", **replace: str):
    from trainstack.profile import parse_profile

    return parse_profile(profile_text(extra, **replace), "p.yaml")


@pytest.fixture
def write_profile(tmp_path):
    def write(text: str, name: str = "p.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def vm(size: str, region: str = "westeurope", *, vcpus: int = 4, mem: float = 16, gpus: int = 0,
       gpu_model: str = "", gpu_mem: float = 0, family: str | None = None, aml: bool = True,
       retired: bool = False, price: float = 1.0, low: float | None = 0.2) -> VmSize:
    if family is None:
        family = "gpu" if gpus else ("memory-optimized" if mem / vcpus >= 7 else "general-purpose")
    return VmSize(
        vm_size=size, region=region, vcpus=vcpus, memory_gib=mem, gpus=gpus, gpu_model=gpu_model,
        gpu_memory_gib=gpu_mem, family=family, aml=aml, retired=retired, hourly_usd=price,
        low_priority_usd=low, price_source="test", price_date="2026-01-01",
    )


def small_rows() -> list[VmSize]:
    """Five-ish rows per kind of decision, in westeurope plus one other region."""
    return [
        vm("Standard_D4s_v3", vcpus=4, mem=16, price=0.20, low=0.04),
        vm("Standard_D8s_v3", vcpus=8, mem=32, price=0.40, low=0.08),
        vm("Standard_D16s_v3", vcpus=16, mem=64, price=0.80, low=0.16),
        vm("Standard_E4s_v3", vcpus=4, mem=32, price=0.26, low=0.05),
        vm("Standard_E8s_v3", vcpus=8, mem=64, price=0.52, low=0.10),
        vm("Standard_E64s_v3", vcpus=64, mem=432, price=4.20, low=0.84),
        vm("Standard_NC4as_T4_v3", vcpus=4, mem=28, gpus=1, gpu_model="T4", gpu_mem=16,
           price=0.53, low=0.06),
        vm("Standard_NC24ads_A100_v4", vcpus=24, mem=220, gpus=1, gpu_model="A100-80GB",
           gpu_mem=80, price=3.67, low=0.49),
        vm("Standard_NC48ads_A100_v4", vcpus=48, mem=440, gpus=2, gpu_model="A100-80GB",
           gpu_mem=80, price=7.35, low=0.98),
        vm("Standard_ND96asr_v4", vcpus=96, mem=900, gpus=8, gpu_model="A100", gpu_mem=40,
           price=27.2, low=None),
        vm("Standard_NC6s_v3", vcpus=6, mem=112, gpus=1, gpu_model="V100", gpu_mem=16,
           price=0.10, low=0.01, retired=True),
        vm("Standard_D8s_v3", region="northeurope", vcpus=8, mem=32, price=0.41, low=0.08),
        vm("Standard_M8ms", region="northeurope", vcpus=8, mem=218, price=2.0, low=0.3),
    ]


@pytest.fixture
def small_catalog():
    """The small rows as a catalog."""
    return catalog_from_rows(small_rows())


def free_platform(services):
    """The service facts with the platform's prices (registry, storage, Log Analytics,
    alerts) at zero: for tests of the compute estimate and its budget steps, whose numbers
    are the compute's alone."""
    import dataclasses

    p = services.platform
    free = dataclasses.replace(
        p, registry_usd_per_day=dict.fromkeys(p.registry_usd_per_day, 0.0),
        storage_usd_per_gb_month=dict.fromkeys(p.storage_usd_per_gb_month, 0.0),
        datalake_usd_per_gb_month=dict.fromkeys(p.datalake_usd_per_gb_month, 0.0),
        log_analytics_usd_per_gb=0.0, log_retention_usd_per_gb_month=0.0,
        metric_alert_usd_per_month=0.0)
    return dataclasses.replace(services, platform=free)


@pytest.fixture
def compute_only(monkeypatch):
    """``with_vms`` catalogs come with a free platform (see ``free_platform``)."""
    from trainstack.catalog import facts, services

    monkeypatch.setattr(facts, "load_services", lambda: free_platform(services.load_services()))


def compute_facts(facts):
    """``facts`` with a free platform (see ``free_platform``)."""
    from trainstack.catalog.facts import Facts

    return Facts(vms=facts.vms, services=free_platform(facts.services))
