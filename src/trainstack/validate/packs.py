"""Packs: which rules run, and at what level. A pack is a value, so a new pack (a team's own,
or one per environment) is one more entry in ``PACKS``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from trainstack.choices import PackName
from trainstack.validate.model import Level, Rule
from trainstack.validate.rules import RULES


@dataclass(frozen=True)
class Pack:
    """A named set of rules with the level each is reported at."""

    name: PackName | str  # the shipped packs are PackName; a team may define its own
    levels: Mapping[str, Level]  # rule id -> level; rules not listed do not run

    @property
    def rules(self) -> tuple[str, ...]:
        """The ids of the rules this pack runs."""
        return tuple(self.levels)

    def level(self, rule_id: str) -> Level:
        """The level this pack reports a rule's findings at."""
        return self.levels[rule_id]


def _pack(name: PackName, rules: Mapping[str, Rule], strict: bool) -> Pack:
    levels: dict[str, Level] = {
        rule_id: "error" if strict and rule.level == "warning" else rule.level
        for rule_id, rule in rules.items()
    }
    return Pack(name, MappingProxyType(levels))


BASELINE = _pack("baseline", RULES, strict=False)  # every rule at its own level
STRICT = _pack("strict", RULES, strict=True)  # every rule; warnings are errors (the CI gate)

PACKS: Mapping[str, Pack] = MappingProxyType({p.name: p for p in (BASELINE, STRICT)})
