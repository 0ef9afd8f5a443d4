"""How a rule is declared: the registry, the two decorators, the "attribute must be" helper
and the packaged tables of such rules.

A resource rule sees one resource and a ``RuleContext`` (the stack and the facts); a stack
rule sees the context. Both yield messages. A check that cannot judge raises, before it
yields anything, ``NotApplicable`` (the rule does not concern this stack: not counted as a
check) or ``Unknown`` (the value is an expression only known at apply time: a finding at
the rule's level says it cannot be shown to hold) instead of testing for ``${`` by hand.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from trainstack.catalog.facts import Facts
from trainstack.tftemplate import TemplateError, literal_value
from trainstack.validate.model import Level, Resource, Rule, Stack

RULES: dict[str, Rule] = {}

POLICY = "https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies"


@dataclass(frozen=True)
class RuleContext:
    """What every rule may read: the stack under validation and the facts (VM catalog and
    service facts) passed in by the caller."""

    stack: Stack
    facts: Facts


class NotApplicable(Exception):  # noqa: N818 - an answer, not an error
    """The rule does not concern this stack or resource (e.g. a private-network rule on a
    public profile)."""


class Unknown(Exception):  # noqa: N818 - an answer, not an error
    """The value the rule judges is an expression Terraform resolves at apply time."""


def resource_rule(rule_id: str, what: str, why: str, level: Level, types: Iterable[str] | None,
                  help_uri: str | None = None):  # noqa: ANN201 - a decorator
    """Register ``fn(resource, ctx) -> messages`` for resources of ``types`` (None: all)."""
    def register(fn: Callable[[Resource, RuleContext], Iterable[str]]):  # noqa: ANN202
        RULES[rule_id] = Rule(rule_id, what, why, level, tuple(types) if types else None,
                              resource_check=fn, help_uri=help_uri)
        return fn
    return register


def stack_rule(rule_id: str, what: str, why: str, level: Level):  # noqa: ANN201 - a decorator
    """Register ``fn(ctx) -> (resource address or "", message)`` pairs for the whole stack."""
    def register(fn: Callable[[RuleContext], Iterable[tuple[str, str]]]):  # noqa: ANN202
        RULES[rule_id] = Rule(rule_id, what, why, level, stack_check=fn)
        return fn
    return register


def literal(value: Any) -> str | None:
    """The text a string argument evaluates to, or None when it evaluates anything (a string
    is read as the template Terraform reads: ``"$${x}"`` is the text ``${x}``)."""
    if not isinstance(value, str):
        return None
    try:
        return literal_value(value)
    except TemplateError:
        return None


def is_expression(value: Any) -> bool:
    """A string that Terraform evaluates (an interpolation or directive), not plain text."""
    return isinstance(value, str) and literal(value) is None


def attribute_rule(rule_id: str, what: str, why: str, level: Level, types: Iterable[str],
                   attribute: str, must_be: Any, default: Any,
                   help_uri: str | None = None) -> None:
    """"``attribute`` must be ``must_be``" for every resource of ``types``; an argument left
    out takes the provider's ``default``. An expression there is Unknown."""
    shown = json.dumps(must_be)

    def check(r: Resource, ctx: RuleContext) -> Iterator[str]:
        value = r.get(attribute, default)
        if is_expression(value):
            raise Unknown(f"{attribute} is {value!r}")
        if not (type(value) is type(must_be) and value == must_be):
            yield f"{attribute} is not {shown}"

    resource_rule(rule_id, what, why, level, types, help_uri)(check)


def covered_rule(rule_id: str, what: str, why: str, level: Level, target: str, *,
                 covered_by: str, through: str, when_set: str | None = None,
                 when_equal: dict[str, Any] | None = None, message: str,
                 help_uri: str | None = None) -> None:
    """"every ``target`` resource is referenced by a ``covered_by`` resource through its
    ``through`` argument" - among the ``covered_by`` resources whose ``when_set`` argument is
    set and whose ``when_equal`` arguments have those values (a diagnostic setting with logs
    on, the idle-shutdown action)."""
    def accepts(r: Resource) -> bool:
        return ((when_set is None or bool(r.get(when_set)))
                and all(r.get(k) == v for k, v in (when_equal or {}).items()))

    def check(ctx: RuleContext) -> Iterator[tuple[str, str]]:
        for r in ctx.stack.without(target, covered_by, through, where=accepts):
            yield r.address, message

    RULES[rule_id] = Rule(rule_id, what, why, level, stack_check=check, help_uri=help_uri)


def declared_rules(table: str) -> None:
    """Register every rule of the packaged TOML ``table`` (a file beside this module): rules
    of one shape are declared as data, one table each - an ``attribute`` table is an
    ``attribute_rule``, a ``covered_by`` table a ``covered_rule``."""
    text = resources.files(__package__).joinpath(table).read_text(encoding="utf-8")
    for rule_id, row in tomllib.loads(text).items():
        common = (rule_id, row["what"], row["why"], row["level"])
        help_uri = POLICY if row.get("policy") else None
        if "attribute" in row:
            attribute_rule(*common, row["types"], attribute=row["attribute"],
                           must_be=row["must_be"], default=row.get("default"),
                           help_uri=help_uri)
        else:
            covered_rule(*common, row["target"], covered_by=row["covered_by"],
                         through=row["through"], when_set=row.get("when_set"),
                         when_equal=row.get("when_equal"), message=row["message"],
                         help_uri=help_uri)
