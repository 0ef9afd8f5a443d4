"""Plan validation for CI: rules over synthesized Terraform JSON, packs, suppressions, reports."""

from trainstack.validate.engine import load_stacks, validate
from trainstack.validate.model import Finding, Report, Rule, Stack
from trainstack.validate.packs import PACKS, Pack
from trainstack.validate.rules import RULES
from trainstack.validate.run import validate_directory

__all__ = ["PACKS", "RULES", "Finding", "Pack", "Report", "Rule", "Stack", "load_stacks",
           "validate", "validate_directory"]
