"""Terraform's string templates, as Terraform reads every string of a ``.tf.json`` file.

In Terraform's JSON syntax every string in an expression position is a template
(developer.hashicorp.com/terraform/language/syntax/json, "Expression Mapping"):
``${ expr }`` interpolates, ``%{ directive }`` runs a directive (``if``,
``for``), and ``$${`` / ``%%{`` are the escapes for a literal ``${`` / ``%{``
(developer.hashicorp.com/terraform/language/expressions/strings). Object keys
are templates too. Only a ``"//"`` property is a comment and is never evaluated.

``escape`` is what makes a text literal; ``parse`` is how validation decides
"literal or expression" - by reading the template as Terraform does, never by
looking for ``${``. Both are checked against the real terraform binary in the
tests (tests/test_literal.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

# Namespaces that are not resources: var.x, local.x, path.module, ...
RESERVED_ROOTS = frozenset({"var", "local", "path", "terraform", "module", "each", "count",
                            "self", "data"})

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_STEP = rf"(?:\.{_NAME}|\[\s*[0-9]+\s*\]|\[\s*\"[A-Za-z0-9_.-]*\"\s*\])"
# A bare traversal: a.b, a.b.c[0].d, data.t.n.attr, var.x - no call, operator or literal
TRAVERSAL = re.compile(rf"^{_NAME}{_STEP}*$")
# A reference to a resource or data source of the stack: (data.)type.name(.attr...)
RESOURCE_REFERENCE = re.compile(rf"^(data\.)?({_NAME})\.({_NAME}){_STEP}*$")

# The one other expression trainstack writes, whole, in one place: the first day of the
# month of the apply, for a consumption budget's start. Azure takes a monthly budget only
# from the first of the current month (API: "Past start date should be selected within the
# timegrain period"), so a literal date written at synth time would be refused after that
# month and would make synth depend on the clock (constructs/monitoring.py).
FIRST_OF_THIS_MONTH = "formatdate(\"YYYY-MM-'01T00:00:00Z'\", timestamp())"
# (resource type, argument path) -> the fixed expression trainstack writes there
FIXED_EXPRESSIONS = {
    ("azurerm_consumption_budget_resource_group", "time_period.start_date"):
        FIRST_OF_THIS_MONTH,
}
_TRAVERSALS_IN = re.compile(rf"(?<![A-Za-z0-9_.\-\]])(data\.)?({_NAME})\.({_NAME})")


def is_stack_reference(expression: str) -> bool:
    """``(data.)type.name(.attr...)``: a reference to one of the stack's resources or data
    sources (not ``var.x``, ``local.x``, ``path.cwd`` ...): the only expression trainstack
    writes."""
    match = RESOURCE_REFERENCE.match(expression)
    return match is not None and (bool(match.group(1)) or match.group(2) not in RESERVED_ROOTS)


class TemplateError(ValueError):
    """A string Terraform cannot read as a template (e.g. an unterminated ``${``)."""


@dataclass(frozen=True)
class Part:
    kind: Literal["text", "interpolation", "directive"]
    value: str  # the literal text (escapes resolved), or the expression's source


def escape(text: str) -> str:
    """The template whose value is exactly ``text``: nothing in it is evaluated."""
    return text.replace("${", "$${").replace("%{", "%%{")


def parse(template: str) -> tuple[Part, ...]:
    """The parts of a template, in order; adjacent literal text is one part."""
    if "{" not in template:  # the common case: nothing to evaluate, nothing escaped
        return (Part("text", template),) if template else ()
    return _parse_cached(template)


@functools.lru_cache(maxsize=1 << 16)
def _parse_cached(template: str) -> tuple[Part, ...]:
    try:
        return tuple(_parse(template))
    except RecursionError:
        raise TemplateError("quoted strings and interpolations nest too deeply") from None


_MARK = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_EXPRESSION_STOP = re.compile(r'["{}]')
_STRING_STOP = re.compile(r'[\\"$%]')


def _parse(template: str) -> list[Part]:
    parts: list[Part] = []
    text: list[str] = []
    i = 0
    while True:
        match = _MARK.search(template, i)
        if match is None:
            text.append(template[i:])
            break
        text.append(template[i:match.start()])
        mark = match.group()
        if len(mark) == 3:  # $${ or %%{: a literal ${ or %{
            text.append(mark[1:])
            i = match.end()
            continue
        if any(text):
            parts.append(Part("text", "".join(text)))
        text = []
        end = _expression_end(template, match.end())
        source = template[match.end():end].strip()
        source = source.removeprefix("~").removesuffix("~").strip()
        parts.append(Part("interpolation" if mark[0] == "$" else "directive", source))
        i = end + 1
    if any(text):
        parts.append(Part("text", "".join(text)))
    return parts


def literal_value(template: str) -> str | None:
    """The value of a template that evaluates nothing; None when it interpolates."""
    parts = parse(template)
    if any(p.kind != "text" for p in parts):
        return None
    return "".join(p.value for p in parts)


def is_reference_only(template: str) -> bool:
    """True when the template is nothing but interpolations of bare traversals
    (``${azurerm_x.y.id}``, ``${var.password}``): no literal text, no call, no literal."""
    try:
        parts = parse(template)
    except TemplateError:
        return False
    return bool(parts) and all(p.kind == "interpolation" and TRAVERSAL.match(p.value)
                               for p in parts)


def referenced_addresses(template: str) -> tuple[str, ...]:
    """Addresses of resources and data sources a template refers to, in order."""
    if "{" not in template:
        return ()
    return _referenced_cached(template)


@functools.lru_cache(maxsize=1 << 16)
def _referenced_cached(template: str) -> tuple[str, ...]:
    try:
        parts = parse(template)
    except TemplateError:
        return ()
    out: list[str] = []
    for part in parts:
        if part.kind == "text":
            continue
        try:
            expression = _without_strings(part.value)
        except (TemplateError, RecursionError):
            continue
        for data, rtype, name in _TRAVERSALS_IN.findall(expression):
            if data or rtype not in RESERVED_ROOTS:
                out.append(f"{data}{rtype}.{name}")
    return tuple(out)


def _expression_end(s: str, i: int) -> int:
    """Index of the ``}`` that closes the expression starting at ``i``."""
    depth = 0
    while True:
        match = _EXPRESSION_STOP.search(s, i)
        if match is None:
            raise TemplateError("an interpolation or directive is not closed with '}'")
        c, i = match.group(), match.start()
        if c == '"':
            i = _string_end(s, i + 1)
            continue
        if c == "{":
            depth += 1
        elif depth == 0:
            return i
        else:
            depth -= 1
        i += 1


def _string_end(s: str, i: int) -> int:
    """Index just after the ``"`` closing a quoted string inside an expression."""
    while True:
        match = _STRING_STOP.search(s, i)
        if match is None:
            raise TemplateError("a quoted string inside an interpolation is not closed")
        c, i = match.group(), match.start()
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif s.startswith(("$${", "%%{"), i):
            i += 3
        elif s.startswith(("${", "%{"), i):
            i = _expression_end(s, i + 2) + 1
        else:
            i += 1


def _without_strings(expression: str) -> str:
    """The expression with its quoted strings blanked (their nested templates kept)."""
    out: list[str] = []
    i = 0
    while i < len(expression):
        if expression[i] == '"':
            end = _string_end(expression, i + 1)
            inner = expression[i + 1:end - 1]
            nested = [p.value for p in parse(inner) if p.kind != "text"] if "{" in inner else []
            out.append(" " + " ".join(nested) + " ")
            i = end
        else:
            out.append(expression[i])
            i += 1
    return "".join(out)
