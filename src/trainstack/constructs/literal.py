"""What reaches Terraform: every string literal unless trainstack wrote it as a reference.

Terraform evaluates ``${...}`` and ``%{...}`` in every string of a ``.tf.json``
file, object keys included (trainstack/tftemplate.py). Profiles are untrusted,
and free text from one (``problem.predicts``, ``monitor.alert_email``) ends up
in arguments; unescaped, ``${file("/home/runner/.ssh/id_rsa")}`` in a
description would make ``terraform plan`` read a file on the CI runner and
print it.

So the rule is structural, not a filter: a string is an expression only if it
is a ``Ref``, which only ``resources.ref`` makes (``${type.name.attribute}``), a ``Joined``
(a ``Ref`` then escaped text), or a ``Fixed``, one of the constant expressions in
``tftemplate.FIXED_EXPRESSIONS``;
every other string, wherever it came from, is escaped into a literal here.
``engine.py`` passes every resource argument, provider setting, backend
setting and output through ``terraform_value``: the one place, so a new
resource or a new profile field cannot forget it.

The stack's ``"//"`` metadata is a comment Terraform never evaluates; it is
passed through ``comment_value``, which only keeps CDK token markers out.
"""

from __future__ import annotations

import math
from typing import Any

from trainstack.errors import SynthError
from trainstack.tftemplate import FIXED_EXPRESSIONS, escape, is_stack_reference

# The CDK engine resolves "${TfToken[KEY]}" / "#{TfToken[KEY]}" / "&{TfToken[KEY]}" in any
# string it is given, escaped or not (cdktf lib/tokens/private/encoding.js), so such text
# cannot reach Terraform literally through it. Profiles refuse it (profile/models.py).
CDK_TOKEN_MARKERS = ("${TfToken[", "#{TfToken[", "&{TfToken[")


class Ref(str):
    """A Terraform expression trainstack wrote: a reference to one of the stack's elements."""

    __slots__ = ()

    def __new__(cls, expression: str) -> Ref:
        if not (expression.startswith("${") and expression.endswith("}")
                and is_stack_reference(expression[2:-1])):
            raise ValueError(f"not a reference to a stack element: {expression!r}")
        return super().__new__(cls, expression)


class Fixed(str):
    """One of the fixed expressions trainstack writes whole (tftemplate.FIXED_EXPRESSIONS),
    never made from profile text."""

    __slots__ = ()

    def __new__(cls, expression: str) -> Fixed:
        if expression not in FIXED_EXPRESSIONS.values():
            raise ValueError(f"not one of trainstack's fixed expressions: {expression!r}")
        return super().__new__(cls, f"${{{expression}}}")


class Joined(str):
    """A reference followed by literal text trainstack writes (a sub-resource's id:
    ``${azurerm_storage_account.storage.id}/blobServices/default``); the text is escaped."""

    __slots__ = ()

    def __new__(cls, reference: Ref, suffix: str) -> Joined:
        if not isinstance(reference, Ref):
            raise ValueError(f"not a reference to a stack element: {reference!r}")
        _no_token_markers(suffix)
        return super().__new__(cls, f"{reference}{escape(suffix)}")


def terraform_value(value: Any) -> Any:
    """``value`` as Terraform JSON: references (alone or followed by escaped text) and fixed
    expressions as written, every other string literal."""
    if isinstance(value, (Ref, Fixed, Joined)):
        return str(value)
    if isinstance(value, str):
        _no_token_markers(value)
        return escape(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SynthError(f"a number Terraform cannot take: {value}")
        return value
    if isinstance(value, dict):
        return {terraform_value(_key(k)): terraform_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [terraform_value(v) for v in value]
    raise TypeError(f"not a Terraform JSON value: {type(value).__name__}")


def comment_value(value: Any) -> Any:
    """A value for the stack's ``"//"`` comment: unescaped (never evaluated), token-free."""
    if isinstance(value, str):
        _no_token_markers(value)
        return str(value)
    if isinstance(value, dict):
        return {comment_value(_key(k)): comment_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [comment_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise SynthError(f"a number Terraform cannot take: {value}")
    return value


def _key(key: Any) -> str:
    if isinstance(key, Ref) or not isinstance(key, str):
        raise TypeError(f"an object key must be literal text (got {key!r})")
    return key


def _no_token_markers(text: str) -> None:
    for marker in CDK_TOKEN_MARKERS:
        if marker in text:
            raise SynthError(f"the text {text[:60]!r} holds the CDK token marker {marker!r}, "
                             "which the engine would resolve instead of writing it")
