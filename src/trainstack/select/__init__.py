"""Pure selection: profile + catalogs + context -> Selection (service, compute, cost)."""

from trainstack.select.common import Requirement, SelectionContext
from trainstack.select.models import Selection
from trainstack.select.rules import RULES
from trainstack.select.selector import select

__all__ = ["RULES", "Requirement", "Selection", "SelectionContext", "select"]
