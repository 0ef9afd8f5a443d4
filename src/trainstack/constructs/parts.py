"""The parts a stack is composed of.

Each part reads the selection and adds what it needs to the builder, or nothing.
``build_stack`` runs them in order. A feature that cuts across services (network, data
access, monitoring, an endpoint) is one more part; what every part needs the same way
(diagnostics, role assignments, private endpoints with their DNS) is a builder helper.
"""

from __future__ import annotations

from collections.abc import Callable

from trainstack.constructs import ai, aml, databricks, endpoints, monitoring, synapse
from trainstack.constructs.base import StackBuilder
from trainstack.select.models import AmlCluster, AmlInstance, DatabricksCluster, SynapsePool

Part = Callable[[StackBuilder], None]


def training(b: StackBuilder) -> None:
    """The service that trains: an Azure ML workspace and cluster, a Synapse workspace and
    pool, or a Databricks workspace and cluster, by the kind of the training compute."""
    compute = b.selection.training()
    if isinstance(compute, AmlCluster):
        b.aml_workspace = aml.add_aml(b, compute)
    elif isinstance(compute, SynapsePool):
        synapse.add_synapse(b, compute)
    elif isinstance(compute, DatabricksCluster):
        databricks.add_databricks(b, compute)


def data_preparation(b: StackBuilder) -> None:
    """A Synapse Spark pool that prepares data for Azure ML, attached to its workspace."""
    prep = b.selection.role("data-prep")
    if isinstance(prep, SynapsePool):
        synapse.link_to_aml(b, b.require_aml_workspace(),
                            synapse.add_synapse(b, prep, for_aml=True))


def development(b: StackBuilder) -> None:
    """The team's compute instance in the Azure ML workspace."""
    dev = b.selection.development()
    if isinstance(dev, AmlInstance):
        aml.add_dev_instance(b, b.require_aml_workspace(), dev)


def endpoint(b: StackBuilder) -> None:
    """Step 5: the online or batch endpoint in the Azure ML workspace."""
    if b.selection.role("inference") is not None:
        assert b.aml_storage is not None
        endpoints.add_endpoint(b, b.require_aml_workspace(), b.aml_storage)


def ai_services(b: StackBuilder) -> None:
    """Azure AI services accounts for a prebuilt model."""
    if b.selection.ai_services:
        ai.add_ai_services(b, b.selection.ai_services)


def cost_monitoring(b: StackBuilder) -> None:
    """Step 6: the resource group's budget, the profile's monthly budget."""
    monitoring.add_budget(b)


PARTS: tuple[Part, ...] = (training, data_preparation, development, endpoint, ai_services,
                           cost_monitoring)
