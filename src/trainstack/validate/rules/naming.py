"""TS-NAME: Azure's naming rules and the Cloud Adoption Framework prefixes."""

from __future__ import annotations

from collections.abc import Iterator

from trainstack.naming import ABBREVIATIONS, NAME_RULES
from trainstack.validate.model import Resource
from trainstack.validate.rules.base import RuleContext, literal, resource_rule


@resource_rule("TS-NAME-001", "Names follow the Azure rules of their resource type",
               "Azure rejects invalid names at apply time, after part of the plan ran",
               "error", NAME_RULES)
def _name_valid(r: Resource, ctx: RuleContext) -> Iterator[str]:
    name = literal(r.get("name"))
    if name is not None and not NAME_RULES[r.type].match(name):
        yield f"name {name!r} breaks the {r.type} rule {NAME_RULES[r.type].pattern}"


@resource_rule("TS-NAME-002", "Names start with the Cloud Adoption Framework abbreviation",
               "consistent prefixes make resources recognisable in the portal, cost reports "
               "and policies", "warning", ABBREVIATIONS)
def _name_caf(r: Resource, ctx: RuleContext) -> Iterator[str]:
    name, prefix = literal(r.get("name")), ABBREVIATIONS[r.type]
    if name is not None and not name.startswith(prefix):
        yield f"name {name!r} does not start with the CAF abbreviation '{prefix}'"
