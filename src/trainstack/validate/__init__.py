"""Plan validation for CI: rules over synthesized Terraform JSON, packs, suppressions, reports."""

from trainstack.validate.engine import PACKS, load_stacks, validate
from trainstack.validate.model import Finding, Report, Rule, Stack
from trainstack.validate.rules import RULES

__all__ = ["PACKS", "RULES", "Finding", "Report", "Rule", "Stack", "load_stacks", "validate"]
