"""Typed models of the Terraform resources trainstack emits, one module per domain.

Plain frozen dataclasses whose field names are the provider's argument names, so a
resource is built with keyword checking and rendered to its JSON body without importing
any provider bindings (the prebuilt ones cost 6-16 s and up to 1 GB per process).
``engine.py`` turns them into CDK elements; the provider-schema test checks every
rendered body. Enumerated arguments are typed as ``Literal`` with the values the provider
accepts.

Conventions: ``None`` means "not set" (the provider default applies); a ``Block`` field
renders as a nested object (nesting ``single``), a tuple of blocks as a list (nesting
``list``).
"""

from trainstack.constructs.literal import Ref
from trainstack.constructs.resources.aml import (
    AssignToUser,
    ComputeCluster,
    ComputeInstance,
    DatastoreBlob,
    DatastoreDataLakeGen2,
    MachineLearningSynapseSpark,
    MachineLearningWorkspace,
    ManagedNetwork,
    ScaleSettings,
    WorkspaceOutboundFqdn,
    WorkspaceOutboundPrivateEndpoint,
)
from trainstack.constructs.resources.cognitive import (
    CognitiveAccount,
    CognitiveNetworkAcls,
)
from trainstack.constructs.resources.common import (
    ActionGroup,
    AlertAction,
    ApplicationInsights,
    ClientConfig,
    DiagnosticSetting,
    EmailReceiver,
    EnabledLog,
    EnabledMetric,
    Identity,
    LogAnalyticsWorkspace,
    ManagementLock,
    MetricAlert,
    MetricCriteria,
    ResourceAction,
    ResourceGroup,
    RoleAssignment,
)
from trainstack.constructs.resources.databricks import (
    AzureAttributes,
    ClusterAutoscale,
    DatabricksCluster,
    DatabricksCurrentUser,
    DatabricksCustomParameters,
    DatabricksWorkspace,
)
from trainstack.constructs.resources.element import Block, Element, Lifecycle, ref
from trainstack.constructs.resources.monitoring import (
    BudgetNotification,
    BudgetTimePeriod,
    ConsumptionBudgetResourceGroup,
)
from trainstack.constructs.resources.network import (
    Delegation,
    NatGateway,
    NatGatewayPublicIp,
    NetworkSecurityGroup,
    PrivateDnsZone,
    PrivateDnsZoneGroup,
    PrivateDnsZoneLink,
    PrivateEndpoint,
    PrivateServiceConnection,
    PublicIp,
    ServiceDelegation,
    Subnet,
    SubnetNatGateway,
    SubnetNsgAssociation,
    VirtualNetwork,
)
from trainstack.constructs.resources.storage import (
    BlobProperties,
    ContainerRegistry,
    KeyVault,
    KeyVaultNetworkAcls,
    NetworkRules,
    RetentionPolicy,
    SasPolicy,
    StorageAccount,
    StorageContainer,
)
from trainstack.constructs.resources.synapse import (
    AutoPause,
    AutoScale,
    SynapseAadAdmin,
    SynapseFirewallRule,
    SynapseSparkPool,
    SynapseWorkspace,
)

__all__ = [
    "ActionGroup",
    "AlertAction",
    "ApplicationInsights",
    "AssignToUser",
    "AutoPause",
    "AutoScale",
    "AzureAttributes",
    "BlobProperties",
    "Block",
    "BudgetNotification",
    "BudgetTimePeriod",
    "ClientConfig",
    "ClusterAutoscale",
    "CognitiveAccount",
    "CognitiveNetworkAcls",
    "ConsumptionBudgetResourceGroup",
    "ComputeCluster",
    "ComputeInstance",
    "ContainerRegistry",
    "DatabricksCluster",
    "DatabricksCurrentUser",
    "DatabricksCustomParameters",
    "DatabricksWorkspace",
    "DatastoreBlob",
    "DatastoreDataLakeGen2",
    "Delegation",
    "DiagnosticSetting",
    "Element",
    "EmailReceiver",
    "EnabledLog",
    "EnabledMetric",
    "Identity",
    "KeyVault",
    "KeyVaultNetworkAcls",
    "Lifecycle",
    "LogAnalyticsWorkspace",
    "ManagementLock",
    "MachineLearningSynapseSpark",
    "MachineLearningWorkspace",
    "ManagedNetwork",
    "MetricAlert",
    "MetricCriteria",
    "NatGateway",
    "NatGatewayPublicIp",
    "NetworkRules",
    "NetworkSecurityGroup",
    "PrivateDnsZone",
    "PrivateDnsZoneGroup",
    "PrivateDnsZoneLink",
    "PrivateEndpoint",
    "PrivateServiceConnection",
    "PublicIp",
    "Ref",
    "ResourceAction",
    "ResourceGroup",
    "RetentionPolicy",
    "RoleAssignment",
    "SasPolicy",
    "ScaleSettings",
    "ServiceDelegation",
    "StorageAccount",
    "StorageContainer",
    "Subnet",
    "SubnetNatGateway",
    "SubnetNsgAssociation",
    "SynapseAadAdmin",
    "SynapseFirewallRule",
    "SynapseSparkPool",
    "SynapseWorkspace",
    "VirtualNetwork",
    "WorkspaceOutboundFqdn",
    "WorkspaceOutboundPrivateEndpoint",
    "ref",
]
