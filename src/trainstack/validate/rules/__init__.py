"""The built-in rules, one module per category. Ids are stable; docs/validation.md lists them
with their sources.

TS-SCHEMA (provider schema conformance), TS-NAME (Azure naming rules), TS-SKU (values the
schema does not constrain), TS-SEC (security baseline; -014/-015 what Terraform would
evaluate or run), TS-COST (budget and idle cost), TS-XRES (cross-resource consistency),
TS-META (the stack's own metadata; cannot be suppressed), TS-APPLY (what Azure or the
provider rejects at plan, apply or destroy though `terraform validate` passes). Importing the package registers
them all in ``RULES``.
"""

from trainstack.validate.rules import (  # noqa: F401 - each module registers its rules
    apply,
    cost,
    egress,
    evaluation,
    meta,
    naming,
    reach,
    schema,
    security,
    sku,
    xres,
)
from trainstack.validate.rules.base import (
    RULES,
    NotApplicable,
    RuleContext,
    Unknown,
    literal,
)

__all__ = ["RULES", "NotApplicable", "RuleContext", "Unknown", "literal"]
