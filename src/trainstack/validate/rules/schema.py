"""TS-SCHEMA: every resource conforms to the provider schema trainstack packages."""

from __future__ import annotations

from collections.abc import Iterator

from trainstack.provider_schema import SCHEMA_FILES, Problem, check_element, provider_of
from trainstack.validate.model import Resource
from trainstack.validate.rules.base import RuleContext, resource_rule


def _problems(r: Resource, ctx: RuleContext) -> list[Problem]:
    key = ("schema", r.address)
    if key not in ctx.stack.cache:
        ctx.stack.cache[key] = (check_element(r.type, r.body, data=r.is_data)
                            if provider_of(r.type) in SCHEMA_FILES else [])
    return ctx.stack.cache[key]


def _schema_rule(rule_id: str, kind: str, what: str, why: str) -> None:
    def check(r: Resource, ctx: RuleContext) -> Iterator[str]:
        for p in _problems(r, ctx):
            if p.kind == kind:
                yield str(p)
    resource_rule(rule_id, what, why, "error", None)(check)


_schema_rule("TS-SCHEMA-001", "unknown-argument", "No argument the provider does not know",
             "terraform plan rejects unknown arguments; usually a typo or a renamed argument "
             "(azurerm 5.x renamed many)")
_schema_rule("TS-SCHEMA-002", "missing", "Every required argument and block is set",
             "terraform plan fails on a missing required argument")
_schema_rule("TS-SCHEMA-003", "type", "Every argument has the type the provider expects",
             "a string where a number or boolean belongs fails at plan or behaves unexpectedly")
_schema_rule("TS-SCHEMA-004", "nesting", "Blocks are nested as the provider expects",
             "a single-nested block given twice, or a value where a block belongs, fails at plan")
_schema_rule("TS-SCHEMA-005", "unknown-type", "Only resource types the provider has",
             "an unknown resource type cannot be planned")
