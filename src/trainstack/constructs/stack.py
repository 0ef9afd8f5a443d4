"""One profile's stack: the parts its selection needs, composed on a StackBuilder."""

from __future__ import annotations

from trainstack.constructs.base import StackBuilder
from trainstack.constructs.parts import PARTS
from trainstack.constructs.spec import StackSpec
from trainstack.profile.models import WorkloadProfile
from trainstack.select.models import Selection
from trainstack.settings import Settings


def build_stack(profile: WorkloadProfile, selection: Selection, settings: Settings) -> StackSpec:
    """The StackSpec for a selection: every part adds what the selection asks of it. Pure: no
    I/O, no engine."""
    b = StackBuilder(profile, selection, settings)
    for part in PARTS:
        part(b)
    return b.build()
