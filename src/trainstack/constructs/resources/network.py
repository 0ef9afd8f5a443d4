"""Networking: virtual networks, subnets, NSGs, private DNS zones and private endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from trainstack.constructs.resources.element import AzureResource, Block, Element


@dataclass(frozen=True, kw_only=True)
class VirtualNetwork(AzureResource):
    terraform_type: ClassVar[str] = "azurerm_virtual_network"
    address_space: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ServiceDelegation(Block):
    name: str
    actions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Delegation(Block):
    name: str
    service_delegation: ServiceDelegation


@dataclass(frozen=True, kw_only=True)
class Subnet(Element):
    terraform_type: ClassVar[str] = "azurerm_subnet"
    name: str
    resource_group_name: str
    virtual_network_name: str
    address_prefixes: tuple[str, ...]
    default_outbound_access_enabled: bool = False
    delegation: tuple[Delegation, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class NetworkSecurityGroup(AzureResource):
    terraform_type: ClassVar[str] = "azurerm_network_security_group"


@dataclass(frozen=True, kw_only=True)
class SubnetNsgAssociation(Element):
    terraform_type: ClassVar[str] = "azurerm_subnet_network_security_group_association"
    subnet_id: str
    network_security_group_id: str


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZone(Element):
    terraform_type: ClassVar[str] = "azurerm_private_dns_zone"
    name: str
    resource_group_name: str
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZoneLink(Element):
    terraform_type: ClassVar[str] = "azurerm_private_dns_zone_virtual_network_link"
    name: str
    private_dns_zone_id: str
    virtual_network_id: str
    registration_enabled: bool = False
    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class PrivateServiceConnection(Block):
    name: str
    private_connection_resource_id: str
    subresource_names: tuple[str, ...]
    is_manual_connection: bool = False


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZoneGroup(Block):
    name: str
    private_dns_zone_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PrivateEndpoint(AzureResource):
    terraform_type: ClassVar[str] = "azurerm_private_endpoint"
    subnet_id: str
    private_service_connection: PrivateServiceConnection
    private_dns_zone_group: PrivateDnsZoneGroup