"""Azure AI services: cognitive accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from trainstack.constructs.resources.common import Identity
from trainstack.constructs.resources.element import AzureResource, Block


@dataclass(frozen=True, kw_only=True)
class CognitiveNetworkAcls(Block):
    default_action: Literal["Allow", "Deny"]
    bypass: str | None = None


@dataclass(frozen=True, kw_only=True)
class CognitiveAccount(AzureResource):
    terraform_type: ClassVar[str] = "azurerm_cognitive_account"
    kind: str
    sku_name: str
    custom_subdomain_name: str  # Entra ID auth and private endpoints need it
    identity: Identity
    local_auth_enabled: bool = False  # no keys: Entra ID only
    public_network_access_enabled: bool
    network_acls: CognitiveNetworkAcls | None = None