"""Networking: virtual networks, subnets, NSGs, private DNS zones, private endpoints and NAT
gateways."""

from __future__ import annotations

from typing import Literal

from trainstack.constructs.resources.element import AzureResource, Block, Element


class VirtualNetwork(AzureResource, terraform_type="azurerm_virtual_network"):
    address_space: tuple[str, ...]


class ServiceDelegation(Block):
    name: str
    actions: tuple[str, ...]


class Delegation(Block):
    name: str
    service_delegation: ServiceDelegation


class Subnet(Element, terraform_type="azurerm_subnet"):
    name: str
    resource_group_name: str
    virtual_network_name: str
    address_prefixes: tuple[str, ...]
    default_outbound_access_enabled: bool = False
    delegation: tuple[Delegation, ...] | None = None


class NetworkSecurityGroup(AzureResource, terraform_type="azurerm_network_security_group"):
    """Rules come from the services that own the subnet (Databricks adds its own)."""


class SubnetNsgAssociation(
        Element, terraform_type="azurerm_subnet_network_security_group_association"):
    subnet_id: str
    network_security_group_id: str


class PrivateDnsZone(Element, terraform_type="azurerm_private_dns_zone"):
    name: str
    resource_group_name: str
    tags: dict[str, str]


class PrivateDnsZoneLink(Element, terraform_type="azurerm_private_dns_zone_virtual_network_link"):
    name: str
    private_dns_zone_id: str
    virtual_network_id: str
    registration_enabled: bool = False
    tags: dict[str, str]


class PrivateServiceConnection(Block):
    name: str
    private_connection_resource_id: str
    subresource_names: tuple[str, ...]
    is_manual_connection: bool = False


class PrivateDnsZoneGroup(Block):
    name: str
    private_dns_zone_ids: tuple[str, ...]


class PrivateEndpoint(AzureResource, terraform_type="azurerm_private_endpoint"):
    subnet_id: str
    private_service_connection: PrivateServiceConnection
    private_dns_zone_group: PrivateDnsZoneGroup

class PublicIp(AzureResource, terraform_type="azurerm_public_ip"):
    allocation_method: Literal["Static", "Dynamic"] = "Static"
    sku: Literal["Basic", "Standard"] = "Standard"
    zones: tuple[str, ...] | None = None


class NatGateway(AzureResource, terraform_type="azurerm_nat_gateway"):
    sku_name: Literal["Standard", "StandardV2"] = "Standard"
    zones: tuple[str, ...] | None = None


class NatGatewayPublicIp(Element, terraform_type="azurerm_nat_gateway_public_ip_association"):
    nat_gateway_id: str
    public_ip_address_id: str


class SubnetNatGateway(Element, terraform_type="azurerm_subnet_nat_gateway_association"):
    subnet_id: str
    nat_gateway_id: str
