"""The two kinds of value every resource model is built from: ``Block`` and ``Element``.

These are plain frozen dataclasses whose field names are the provider's
argument names, so a resource is built with keyword checking and rendered to
its JSON body without importing any provider bindings (the prebuilt ones cost
6-16 s and up to 1 GB per process). ``engine.py`` turns them into CDK
elements; the provider-schema test checks every rendered body.

Conventions: ``None`` means "not set" (the provider default applies); a
``Block`` field renders as a nested object (nesting ``single``), a tuple of
blocks as a list (nesting ``list``). Every subclass is made a frozen, keyword-only
dataclass when it is declared; an element names its type in the class header:
``class ResourceGroup(Element, terraform_type="azurerm_resource_group")``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, dataclass_transform

from trainstack.constructs.literal import Ref


def ref(terraform_type: str, local_name: str, attribute: str, *, data: bool = False) -> Ref:
    """A Terraform interpolation of another element's attribute: the only kind of
    string that reaches Terraform as an expression (constructs/literal.py)."""
    prefix = "data." if data else ""
    return Ref(f"${{{prefix}{terraform_type}.{local_name}.{attribute}}}")


def _render(value: Any) -> Any:
    if isinstance(value, Block):
        return value.arguments()
    if isinstance(value, tuple):
        return [_render(v) for v in value]
    if isinstance(value, dict):
        return {k: _render(v) for k, v in sorted(value.items())}
    return value


@dataclass_transform(frozen_default=True, kw_only_default=True)
@dataclass(frozen=True, kw_only=True)
class Block:
    """A nested configuration block."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True, kw_only=True)(cls)

    def arguments(self) -> dict[str, Any]:
        """The block's arguments as Terraform JSON, unset ones left out."""
        out = {}
        for f in dataclasses.fields(self):
            if not f.metadata.get("argument", True):
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = _render(value)
        return out


class Lifecycle(Block):
    """The ``lifecycle`` meta-argument: arguments Terraform leaves as they were applied."""

    ignore_changes: tuple[str, ...]


class Element(Block):
    """A resource or data source: a Block with a type and a local name."""

    terraform_type: ClassVar[str]
    is_data: ClassVar[bool] = False
    # the Terraform local name (resource "type" "<local_name>"), not an argument
    local_name: str = dataclasses.field(metadata={"argument": False})
    # addresses (type.name) this element must wait for though it does not reference them
    depends_on: tuple[str, ...] | None = None
    lifecycle: Lifecycle | None = None

    def __init_subclass__(cls, *, terraform_type: str | None = None, data: bool = False,
                          **kwargs: Any) -> None:
        if terraform_type is not None:  # None: a base for other elements
            cls.terraform_type = terraform_type
            cls.is_data = data
        super().__init_subclass__(**kwargs)

    @property
    def address(self) -> str:
        """The Terraform address (type.name, data.type.name)."""
        return f"{'data.' if self.is_data else ''}{self.terraform_type}.{self.local_name}"

    def ref(self, attribute: str = "id") -> Ref:
        """A reference to one of the element's attributes."""
        return ref(self.terraform_type, self.local_name, attribute, data=self.is_data)


class AzureResource(Element):
    """An Azure resource in the stack's resource group: the arguments they all take."""

    name: str
    resource_group_name: str
    location: str
    tags: dict[str, str]


@dataclass(frozen=True)
class Known:
    """A resource the stack uses but does not manage, by its id: written as the profile gave
    it, or an attribute of a data source. Stands where an element would (``ref()``)."""

    id: str

    def ref(self, attribute: str = "id") -> str:
        """The id; a known resource has no other attribute the stack can read."""
        if attribute != "id":
            raise ValueError(f"a known resource has only its id, not {attribute}")
        return self.id
