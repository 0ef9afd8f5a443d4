"""One profile's stack: the selection's service(s), composed on a StackBuilder."""

from __future__ import annotations

from trainstack.constructs.ai import add_ai_services
from trainstack.constructs.aml import add_aml, add_dev_instance
from trainstack.constructs.base import StackBuilder
from trainstack.constructs.databricks import add_databricks
from trainstack.constructs.spec import StackSpec
from trainstack.constructs.synapse import add_synapse, link_to_aml
from trainstack.profile.models import WorkloadProfile
from trainstack.select.models import ComputeChoice, Selection
from trainstack.settings import Settings


def build_stack(profile: WorkloadProfile, selection: Selection, settings: Settings) -> StackSpec:
    """The StackSpec for a selection. Pure: no I/O, no engine."""
    b = StackBuilder(profile, selection, settings)
    training = selection.training()
    if selection.service == "azure-ml":
        if training is None:
            raise ValueError("an azure-ml selection has a training compute")
        workspace = add_aml(b, training)
        prep = selection.role("data-prep")
        if prep is not None:
            link_to_aml(b, workspace, add_synapse(b, prep))
        dev = selection.development()
        if dev is not None:
            add_dev_instance(b, workspace, dev)
    elif selection.service == "synapse":
        add_synapse(b, _required(training, selection))
    elif selection.service == "databricks":
        add_databricks(b, _required(training, selection))
    else:
        add_ai_services(b, selection.ai_services)
    return b.build()


def _required(choice: ComputeChoice | None, selection: Selection) -> ComputeChoice:
    if choice is None:
        raise ValueError(f"a {selection.service} selection has a training compute")
    return choice
