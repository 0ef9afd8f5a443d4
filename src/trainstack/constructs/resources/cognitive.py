"""Azure AI services: cognitive accounts."""

from __future__ import annotations

from typing import Literal

from trainstack.constructs.resources.common import Identity
from trainstack.constructs.resources.element import AzureResource, Block


class CognitiveNetworkAcls(Block):
    default_action: Literal["Allow", "Deny"]
    bypass: str | None = None


class CognitiveAccount(AzureResource, terraform_type="azurerm_cognitive_account"):
    kind: str
    sku_name: str
    custom_subdomain_name: str  # Entra ID auth and private endpoints need it
    identity: Identity
    local_auth_enabled: bool = False  # no keys: Entra ID only
    public_network_access_enabled: bool
    network_acls: CognitiveNetworkAcls | None = None