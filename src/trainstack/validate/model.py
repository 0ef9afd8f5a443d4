"""Validation values: rules, the stack a rule looks at, findings, the report.

A rule is a small pure function with a stable id, a one-line "what" and a
"why". Resource rules see one resource (plus its stack); stack rules see the
whole stack. They yield messages; the engine turns them into findings, gives
them the pack's level and applies the profile's suppressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from trainstack.tftemplate import referenced_addresses
from trainstack.validate.metadata import Metadata, read_metadata

Level = Literal["error", "warning", "note"]
LEVELS: tuple[Level, ...] = ("error", "warning", "note")


@dataclass(frozen=True)
class Resource:
    """One resource or data source of a synthesized stack."""

    type: str
    name: str
    body: dict[str, Any]
    is_data: bool = False

    @property
    def address(self) -> str:
        """The Terraform address (type.name, data.type.name)."""
        return f"{'data.' if self.is_data else ''}{self.type}.{self.name}"

    def get(self, key: str, default: Any = None) -> Any:
        """An argument of the body."""
        return self.body.get(key, default)

    def block(self, key: str) -> dict[str, Any]:
        """A nested block as one object, whether written as an object or a list of one."""
        value = self.body.get(key)
        if isinstance(value, list):
            return value[0] if value and isinstance(value[0], dict) else {}
        return value if isinstance(value, dict) else {}


@dataclass
class Stack:
    """A synthesized stack: its JSON, its resources and trainstack's metadata.

    ``from_document`` reads every shape Terraform's JSON syntax allows
    (validate/reader.py); references are found by reading each string as the
    template Terraform reads (trainstack/tftemplate.py), so an escaped ``$${``
    is text, not a reference.
    """

    name: str
    path: str  # as given to the user, e.g. cdktf.out/stacks/churn/cdk.tf.json
    document: dict[str, Any]
    resources: dict[str, Resource] = field(default_factory=dict)  # by address
    # the valid "//".trainstack fields (``meta.get``); its problems are TS-META findings
    meta: Metadata = field(default_factory=lambda: Metadata(present=False))
    files: tuple[str, ...] = ()  # other *.tf.json files of the folder, read with cdk.tf.json
    unread: tuple[str, ...] = ()  # files terraform reads that validation cannot (HCL *.tf)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # rules' shared work

    @classmethod
    def from_document(cls, name: str, path: str, document: dict[str, Any]) -> Stack:
        """A stack read from one Terraform JSON document, in every shape Terraform reads."""
        from trainstack.validate.reader import StackError, labelled_blocks

        stack = cls(name=name, path=path, document=document, meta=read_metadata(document, path))
        for kind, is_data in (("resource", False), ("data", True)):
            for terraform_type, local, body in labelled_blocks(document, kind, path):
                r = Resource(terraform_type, local, body, is_data)
                if r.address in stack.resources:
                    raise StackError(f"{path}: {kind}.{terraform_type}.{local}: defined twice "
                                     "(terraform reports a duplicate)")
                stack.resources[r.address] = r
        stack.resources = dict(sorted(stack.resources.items(),
                                      key=lambda kv: (kv[1].is_data, kv[1].type, kv[1].name)))
        return stack

    @classmethod
    def from_files(cls, name: str, path: str, document: dict[str, Any],
                   extras: list[tuple[str, dict[str, Any]]], unread: list[str]) -> Stack:
        """A stack of several files, merged as terraform merges a module's files: other
        files add blocks (a resource defined twice is an error), override files
        (``override.tf.json``, ``*_override.tf.json``) replace the top-level arguments of
        the resources they name (developer.hashicorp.com/terraform/language/files/override).
        The metadata comes from cdk.tf.json alone."""
        from trainstack.validate.reader import StackError, labelled_blocks

        merged = dict(document)
        overrides = []
        for file_name, extra in extras:
            if file_name == "override.tf.json" or file_name.endswith("_override.tf.json"):
                overrides.append((file_name, extra))
                continue
            for key, value in extra.items():
                if key != "//":
                    merged[key] = _combined(merged.get(key), value)
        stack = cls.from_document(name, path, merged)  # merged "//" is cdk.tf.json's own
        for file_name, extra in overrides:
            where = f"{Path(path).parent / file_name}"
            for kind, is_data in (("resource", False), ("data", True)):
                for terraform_type, local, body in labelled_blocks(extra, kind, where):
                    address = f"{'data.' if is_data else ''}{terraform_type}.{local}"
                    base = stack.resources.get(address)
                    if base is None:
                        raise StackError(f"{where}: {kind}.{terraform_type}.{local}: overrides "
                                         "nothing (terraform reports a missing base resource)")
                    stack.resources[address] = Resource(terraform_type, local,
                                                        {**base.body, **body}, is_data)
            for key, value in extra.items():  # outputs, locals, providers: read for TS-SEC-014
                if key not in ("//", "resource", "data"):
                    stack.document[key] = _combined(stack.document.get(key), value)
        stack.files = tuple(file_name for file_name, _ in extras)
        stack.unread = tuple(unread)
        return stack

    def of_type(self, *types: str) -> Iterator[Resource]:
        """The resources of the given types the stack manages (not the data sources that
        read existing ones: their owner configured those, outside the stack)."""
        return (r for r in self.resources.values() if r.type in types and not r.is_data)

    def referenced(self, value: Any, body: bool = False) -> Iterator[str]:
        """Addresses a value refers to through ${...} interpolations (``body``: value is a
        block body, whose own ``"//"`` is a comment; anywhere else ``"//"`` is evaluated)."""
        if isinstance(value, str):
            if "{" in value:
                yield from referenced_addresses(value)
        elif isinstance(value, dict):
            for key, v in value.items():
                if key != "//" or not body:
                    # Terraform evaluates object keys too ({"${x.y.id}": ...} in a map)
                    if isinstance(key, str) and "{" in key:
                        yield from referenced_addresses(key)
                    yield from self.referenced(v)
        elif isinstance(value, list):
            for v in value:
                yield from self.referenced(v, body)

    def resolve(self, value: Any) -> Resource | None:
        """The resource a reference like ${type.name.id} points at."""
        for address in self.referenced(value):
            return self.resources.get(address)
        return None

    def without(self, resource_type: str, pointed_at_by: str, argument: str,
                where: Callable[[Resource], bool] = bool) -> Iterator[Resource]:
        """The resources of ``resource_type`` that no ``pointed_at_by`` resource (among those
        ``where`` accepts) references through ``argument``: e.g. workspaces without a
        diagnostic setting."""
        covered = {t.address for r in self.of_type(pointed_at_by)
                   if where(r) and (t := self.resolve(r.get(argument))) is not None}
        return (r for r in self.of_type(resource_type) if r.address not in covered)


def _combined(first: Any, second: Any) -> Any:
    """Two values of one top-level key, as the array form Terraform reads as both."""
    if first is None:
        return second
    return (first if isinstance(first, list) else [first]) + (
        second if isinstance(second, list) else [second])


ResourceCheck = Callable[[Resource, Stack], Iterable[str]]
StackCheck = Callable[[Stack], Iterable[tuple[str, str]]]  # (resource address, message)


@dataclass(frozen=True)
class Rule:
    id: str
    what: str
    why: str
    level: Level  # in the baseline pack
    types: tuple[str, ...] | None = None  # resource types a resource rule applies to (None: all)
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    help_uri: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    level: Level
    stack: str
    resource: str  # address, or "" for the stack as a whole
    message: str
    suppressed: bool = False
    reason: str | None = None  # why it was suppressed
    source: str = "trainstack"  # or "checkov"

    def as_dict(self) -> dict[str, Any]:
        """The finding as the JSON report writes it."""
        out = {"rule": self.rule, "level": self.level, "stack": self.stack,
               "resource": self.resource, "message": self.message, "suppressed": self.suppressed}
        if self.reason is not None:
            out["reason"] = self.reason
        if self.source != "trainstack":
            out["source"] = self.source
        return out


@dataclass
class Report:
    pack: str
    stacks: list[Stack]
    findings: list[Finding]
    rules: dict[str, Rule]
    checks_run: int = 0
    # (stack, rule id, resource) of every check made: the JUnit report's test cases
    evaluations: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. what --terraform could not do

    @property
    def failed(self) -> bool:
        """Whether an unsuppressed error is left."""
        return any(f.level == "error" and not f.suppressed for f in self.findings)

    def summary(self) -> dict[str, Any]:
        """Counts of stacks, resources, checks, errors, warnings and suppressions."""
        live = [f for f in self.findings if not f.suppressed]
        return {
            "stacks": len(self.stacks),
            "resources": sum(len(s.resources) for s in self.stacks),
            "checks": self.checks_run,
            "errors": sum(1 for f in live if f.level == "error"),
            "warnings": sum(1 for f in live if f.level == "warning"),
            "suppressed": sum(1 for f in self.findings if f.suppressed),
            "passed": not self.failed,
        }
