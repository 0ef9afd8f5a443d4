"""TS-SEC-014 and TS-SEC-015: what Terraform would evaluate or run beyond the stack's own
resources (interpolations trainstack never writes; external programs, provisioners, modules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trainstack.tftemplate import FIXED_EXPRESSIONS, TemplateError, is_stack_reference, parse
from trainstack.validate.model import Stack
from trainstack.validate.rules.base import RuleContext, stack_rule

# Arguments trainstack always writes as literal text (profile words, names, tags): an
# interpolation here was not written by trainstack.
LITERAL_ARGUMENTS = frozenset({"description", "friendly_name", "display_name", "tags",
                               "custom_tags", "email_address", "short_name", "login", "name",
                               "cluster_name"})
_SHOWN = 80


def _strings(value: Any, path: str, body: bool = True) -> Iterator[tuple[str, str]]:
    """(path, string) of every string Terraform evaluates: values and keys.

    ``"//"`` is a comment only where Terraform reads a block body; inside an argument's
    value (``tags``, an output's value, a local) it is an ordinary key that is evaluated.
    Without the provider schema a nested object could be either, so below the top of a
    body every ``"//"`` is read as evaluated (flagged rather than missed).
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "//" and body:
                continue
            where = f"{path}.{key}" if path else key
            yield where, key
            yield from _strings(item, where, False)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]", body)
    elif isinstance(value, str):
        yield path, value


def _evaluated(stack: Stack) -> Iterator[tuple[str, str, str]]:
    """(address, path, string) over the whole document: resources, data sources and every
    other block (provider, output, locals, variable, module, terraform)."""
    for r in stack.resources.values():
        for path, text in _strings(r.body, ""):
            yield r.address, path, text
    for kind, value in stack.document.items():
        if kind in ("//", "resource", "data"):
            continue
        blocks = value if isinstance(value, list) else [value]
        for block in blocks:
            if isinstance(block, dict):
                for label, body in block.items():
                    if label == "//":
                        continue
                    address = f"{kind}.{label}" if kind not in ("locals", "terraform") else kind
                    yield address, label, label
                    # output/provider/variable/module bodies are block bodies; a local's
                    # value and the terraform block's settings are read whole
                    for path, text in _strings(body, label if address == kind else "",
                                               address != kind):
                        yield address, path, text
            elif isinstance(block, str):
                yield kind, "", block


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


@stack_rule("TS-SEC-014", "Strings interpolate nothing but references to the stack's elements",
            "Terraform evaluates ${...} and %{...} in every string of a .tf.json file. "
            "trainstack writes profile text literally ($${, %%{) and interpolates only "
            "references to the stack's own resources (and one fixed expression: a budget "
            "starts on the first of the month of its apply), so a function call (file(), "
            "templatefile()), a variable, a directive, or an interpolation into a name, tag or "
            "description was put there by hand or by an injection, and can read the CI "
            "runner's files into a plan", "error")
def _interpolations(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for address, path, text in _evaluated(ctx.stack):
        if "{" not in text or _fixed(address, path, text):
            continue
        try:
            parts = parse(text)
        except TemplateError as exc:
            yield address, f"{path}: Terraform cannot read {_short(text)!r}: {exc}"
            continue
        for part in parts:
            if part.kind == "directive":
                yield address, f"{path}: template directive %{{{_short(part.value)}}}"
            elif part.kind == "interpolation" and not is_stack_reference(part.value):
                yield address, (f"{path}: ${{{_short(part.value)}}} is not a reference to one "
                                "of the stack's elements")
            elif part.kind == "interpolation" and LITERAL_ARGUMENTS.intersection(
                    _path_keys(path)):
                yield address, (f"{path}: interpolates ${{{_short(part.value)}}} into text "
                                "trainstack writes literally")


def _fixed(address: str, path: str, text: str) -> bool:
    """One of trainstack's fixed expressions, whole, exactly where it writes it
    (tftemplate.FIXED_EXPRESSIONS; its block written as an object or a list of one)."""
    expression = FIXED_EXPRESSIONS.get((address.split(".")[0], path.replace("[0].", ".")))
    return expression is not None and text == f"${{{expression}}}"


def _path_keys(path: str) -> set[str]:
    return {part.split("[")[0] for part in path.split(".")}



# Data sources that act during `terraform plan`: `external` runs a program on the runner,
# `http` fetches a URL (and can send what it reads elsewhere).
PLAN_TIME_DATA_SOURCES = {"external": "runs a program on the runner during plan",
                          "http": "fetches a URL during plan"}


@stack_rule("TS-SEC-015", "Nothing runs on the runner but the providers",
            "trainstack stacks use only the azurerm, azapi and databricks providers; an "
            "`external` or `http` data source, a provisioner (local-exec, remote-exec, file) "
            "or a module (code from elsewhere) runs or fetches things on the CI runner that "
            "no rule can see", "error")
def _runs_code(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for r in ctx.stack.resources.values():
        if r.is_data and r.type in PLAN_TIME_DATA_SOURCES:
            yield r.address, f"data source {r.type} {PLAN_TIME_DATA_SOURCES[r.type]}"
        if not r.is_data and "provisioner" in r.body:
            yield r.address, "a provisioner runs commands when the resource is created or destroyed"
    modules = ctx.stack.document.get("module")
    for block in modules if isinstance(modules, list) else [modules]:
        if isinstance(block, dict):
            for label in block:
                if label != "//":
                    yield f"module.{label}", "a module brings code validation does not read"
