"""A stack as plain data: what ``engine.py`` renders into a CDK stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from trainstack.constructs.literal import Ref
from trainstack.constructs.resources import Element

TERRAFORM_REQUIRED_VERSION = ">= 1.5.0, < 2.0.0"


@dataclass(frozen=True)
class ProviderSpec:
    name: str  # local name, e.g. "azurerm"
    source: str  # registry address, e.g. "hashicorp/azurerm"
    version: str  # constraint, e.g. "~> 5.10.0"
    config: dict[str, Any] = field(default_factory=dict)


AZURERM = "hashicorp/azurerm", "~> 5.10.0"
AZAPI = "azure/azapi", "~> 2.13.0"
DATABRICKS = "databricks/databricks", "~> 1.138.0"


@dataclass(frozen=True)
class BackendSpec:
    kind: Literal["local", "azurerm"]
    config: dict[str, Any]


@dataclass(frozen=True)
class OutputSpec:
    value: Ref
    description: str


@dataclass(frozen=True)
class StackSpec:
    name: str
    providers: tuple[ProviderSpec, ...]
    elements: tuple[Element, ...]
    backend: BackendSpec
    outputs: dict[str, OutputSpec]
    required_version: str = TERRAFORM_REQUIRED_VERSION
    # written to the stack's "//" comment as "trainstack": what validation needs
    # from the profile (region, budget, estimate, suppressions) without the profile
    metadata: dict[str, Any] = field(default_factory=dict)

    def view(self) -> dict:
        """The resources' arguments and the providers' settings as plain data, in the
        shape of the stack's JSON (``resource`` and ``provider``), without the engine:
        what preflight, verify and the diagram read."""
        out: dict = {"provider": {p.name: [p.config] for p in self.providers}, "resource": {}}
        for element in self.elements:
            if not element.is_data:
                out["resource"].setdefault(element.terraform_type, {})[element.local_name] = \
                    element.arguments()
        return out
