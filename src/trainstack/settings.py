"""How trainstack runs (not what it builds): state backend, naming salt, engine.

Read from environment variables, with CLI flags taking precedence:

=================================== ==========================================
TRAINSTACK_STATE_BACKEND            ``local`` (default) or ``azurerm``
TRAINSTACK_STATE_RESOURCE_GROUP     azurerm backend: resource group of the
                                    state storage account
TRAINSTACK_STATE_STORAGE_ACCOUNT    azurerm backend: storage account name
TRAINSTACK_STATE_CONTAINER          azurerm backend: blob container (default
                                    ``tfstate``)
TRAINSTACK_NAME_SALT                mixed into the globally unique name
                                    suffix; set one per organisation
ARM_SUBSCRIPTION_ID                 the salt when TRAINSTACK_NAME_SALT is
                                    unset: the subscription the stacks are
                                    applied to (terraform reads it too)
TRAINSTACK_ENGINE                   ``cdktf`` (default) or ``cdktn``
TRAINSTACK_AZURERM_VERSION          the azurerm version constraint the stacks
                                    pin (default ``~> 5.10.0``), for a
                                    provider mirror that holds another
TRAINSTACK_CATALOG_DIR              where ``catalog refresh`` writes and where
                                    the catalog is read from first (default:
                                    ``$XDG_CACHE_HOME/trainstack/catalog``)
TRAINSTACK_DEBUG                    any value: tracebacks for internal errors
=================================== ==========================================

Read once per process (``Settings.current()``); tests build their own with ``from_env``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from trainstack.choices import Engine, StateBackendKind
from trainstack.errors import TrainstackError

_STORAGE_NAME = r"^[a-z0-9]{3,24}$"
# Azure's resource group rule (the azurerm provider's validator): 1-90 characters of
# letters, digits, underscores, parentheses, hyphens and periods, not ending in a period.
_RESOURCE_GROUP_NAME = r"^[-\w._()]{0,89}[-\w_()]$"
_CONTAINER_NAME = r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"  # and no "--" (checked below)
# A terraform version constraint ("= 5.2.0", "~> 5.10.0", ">= 5.2, < 6"): operators and
# numbers only, so the setting cannot carry anything else into the stacks.
_ONE_CONSTRAINT = r"(?:(?:=|!=|>=?|<=?|~>) ?)?\d{1,4}(?:\.\d{1,4}){0,2}"
_VERSION_CONSTRAINT = rf"^{_ONE_CONSTRAINT}(?:, ?{_ONE_CONSTRAINT}){{0,3}}$"


class StateBackend(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: StateBackendKind = "local"
    resource_group_name: str | None = Field(default=None, pattern=_RESOURCE_GROUP_NAME)
    storage_account_name: str | None = Field(default=None, pattern=_STORAGE_NAME)
    container_name: str = Field(default="tfstate", pattern=_CONTAINER_NAME)

    @model_validator(mode="after")
    def _azurerm_needs_account(self) -> StateBackend:
        if "--" in self.container_name:
            raise ValueError("a blob container name cannot contain '--'")
        if self.kind == "azurerm" and not (self.resource_group_name and self.storage_account_name):
            raise ValueError(
                "the azurerm state backend needs TRAINSTACK_STATE_RESOURCE_GROUP and "
                "TRAINSTACK_STATE_STORAGE_ACCOUNT"
            )
        return self


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    state: StateBackend = Field(default_factory=StateBackend)
    name_salt: str = ""
    engine: Engine = "cdktf"
    azurerm_version: str | None = None
    catalog_dir: Path = Field(default_factory=lambda: default_catalog_dir(os.environ))
    debug: bool = False

    @field_validator("azurerm_version")
    @classmethod
    def _constraint(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(_VERSION_CONSTRAINT, value):
            raise ValueError("TRAINSTACK_AZURERM_VERSION must be a terraform version "
                             "constraint such as '= 5.2.0' or '~> 5.10.0'")
        return value

    @classmethod
    def current(cls) -> Settings:
        """The process's settings, read from the environment once."""
        return _current()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str | None) -> Settings:
        """Settings from environment variables; non-None keyword overrides win."""
        env = os.environ if env is None else env
        values = {
            "kind": env.get("TRAINSTACK_STATE_BACKEND", "local"),
            "resource_group_name": env.get("TRAINSTACK_STATE_RESOURCE_GROUP"),
            "storage_account_name": env.get("TRAINSTACK_STATE_STORAGE_ACCOUNT"),
            "container_name": env.get("TRAINSTACK_STATE_CONTAINER", "tfstate"),
            # names unique to the organisation (its salt) or at least to the subscription
            # they are applied to; with neither, synth warns and TS-APPLY-010 fails
            "name_salt": env.get("TRAINSTACK_NAME_SALT")
            or env.get("ARM_SUBSCRIPTION_ID", "").strip().lower(),
            "engine": env.get("TRAINSTACK_ENGINE", "cdktf"),
            "azurerm_version": env.get("TRAINSTACK_AZURERM_VERSION") or None,
            "catalog_dir": str(catalog_dir_from_env(env)),
            "debug": "1" if env.get("TRAINSTACK_DEBUG") else "",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(
                state=StateBackend(
                    kind=values["kind"],
                    resource_group_name=values["resource_group_name"],
                    storage_account_name=values["storage_account_name"],
                    container_name=values["container_name"],
                ),
                name_salt=values["name_salt"],
                engine=values["engine"],
                azurerm_version=values["azurerm_version"],
                catalog_dir=Path(values["catalog_dir"]),
                debug=bool(values["debug"]),
            )
        except ValidationError as exc:
            raise TrainstackError(
                *(f"settings: {'.'.join(map(str, e['loc'])) or 'state'}: "
                  f"{re.sub(r'^Value error, ', '', e['msg'])} (got {e['input']!r})"
                  for e in exc.errors())
            ) from None


def catalog_dir_from_env(env: Mapping[str, str] | None = None) -> Path:
    """TRAINSTACK_CATALOG_DIR, else the user cache: read on its own, so that loading the
    catalog does not depend on the other settings being valid."""
    env = os.environ if env is None else env
    return Path(env.get("TRAINSTACK_CATALOG_DIR") or default_catalog_dir(env))


def default_catalog_dir(env: Mapping[str, str]) -> Path:
    """The user cache (XDG): where a refreshed catalog lives when nothing else is set."""
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(cache) / "trainstack" / "catalog"


@functools.cache
def _current() -> Settings:
    return Settings.from_env()
