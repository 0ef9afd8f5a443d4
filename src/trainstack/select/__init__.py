"""Pure selection: profile + catalog -> Selection (service, compute, cost, rationale)."""

from trainstack.select.models import Selection
from trainstack.select.rules import RULES
from trainstack.select.selector import select

__all__ = ["RULES", "Selection", "select"]
