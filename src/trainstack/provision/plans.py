"""What a saved plan would do (from ``terraform show -json``), and the records that tie a plan
and an apply to the profile and stack they were made from.

A saved plan is applied only when the profile and the synthesized stack are byte for byte
the ones it was made from (their SHA-256 digests are in its record); terraform itself
refuses a plan whose state changed meanwhile ("Saved plan is stale").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from trainstack.atomic import write_atomic
from trainstack.text import printable

PLAN_FORMAT = "trainstack-plan/1"
APPLIED_FORMAT = "trainstack-applied/1"


@dataclass(frozen=True)
class PlanSummary:
    """The resource changes of a plan, by kind; addresses sorted."""

    add: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    destroy: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()
    outputs_changed: bool = False

    @property
    def destructive(self) -> bool:
        """Whether anything would be deleted or replaced."""
        return bool(self.destroy or self.replace)

    @property
    def changes(self) -> bool:
        """Whether applying would change anything (outputs included, as terraform's
        ``-detailed-exitcode`` counts them)."""
        return bool(self.add or self.change or self.destroy or self.replace
                    or self.outputs_changed)

    def counts(self) -> dict[str, int]:
        """``{"add": n, "change": n, "destroy": n, "replace": n}``."""
        return {"add": len(self.add), "change": len(self.change),
                "destroy": len(self.destroy), "replace": len(self.replace)}

    def detail(self) -> dict:
        """Every address by kind, for the plan's record."""
        return {"add": list(self.add), "change": list(self.change),
                "destroy": list(self.destroy), "replace": list(self.replace),
                "outputs_changed": self.outputs_changed}

    @classmethod
    def from_json(cls, value: object) -> PlanSummary:
        """Read ``detail()`` back from a record (a file on disk: anything malformed makes
        the plan count as destructive, so that prod still asks)."""
        if not isinstance(value, dict):
            return cls(replace=("(unreadable plan record)",))
        kinds = {}
        for kind in ("add", "change", "destroy", "replace"):
            items = value.get(kind, [])
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                return cls(replace=("(unreadable plan record)",))
            kinds[kind] = tuple(items)
        return cls(**kinds, outputs_changed=value.get("outputs_changed") is True)

    def to_json(self) -> dict:
        """The summary for ``plan --format json``."""
        return {**self.counts(), "changes": self.changes, "destructive": self.destructive,
                "destroyed": list(self.destroy), "replaced": list(self.replace)}


def summarize(shown: dict) -> PlanSummary:
    """Read ``terraform show -json PLANFILE``: managed resources only (data sources are read,
    not changed); ["delete", "create"] and ["create", "delete"] are replacements."""
    kinds: dict[str, list[str]] = {"add": [], "change": [], "destroy": [], "replace": []}
    for rc in shown.get("resource_changes") or []:
        if rc.get("mode", "managed") != "managed":
            continue
        actions = list((rc.get("change") or {}).get("actions") or [])
        address = printable(str(rc.get("address", "?")))
        if "delete" in actions and "create" in actions:
            kinds["replace"].append(address)
        elif actions == ["create"]:
            kinds["add"].append(address)
        elif actions == ["update"]:
            kinds["change"].append(address)
        elif actions == ["delete"]:
            kinds["destroy"].append(address)
    outputs = any((c.get("actions") or ["no-op"]) != ["no-op"]
                  for c in (shown.get("output_changes") or {}).values() if isinstance(c, dict))
    return PlanSummary(**{k: tuple(sorted(v)) for k, v in kinds.items()},
                       outputs_changed=outputs)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (empty string when it is missing)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def now_text() -> str:
    """The current UTC time, to the second, ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Origin:
    """What a plan or an apply was made from."""

    profile: str
    profile_sha256: str
    stack_sha256: str
    environment: str
    terraform: str = ""
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The record's common fields."""
        return {"profile": self.profile, "profile_sha256": self.profile_sha256,
                "stack_sha256": self.stack_sha256, "environment": self.environment,
                "terraform": self.terraform, **self.extra}


def write_record(path: Path, kind: str, stack: str, origin: Origin, **fields: object) -> None:
    """A plan or applied record, written atomically."""
    value = {"format": kind, "stack": stack, **origin.to_json(), "time": now_text(), **fields}
    write_atomic(path, json.dumps(value, indent=2) + "\n", what="record")


def read_record(path: Path, kind: str) -> dict | None:
    """A record of ``kind``, or None when there is none (or it is not one of ours)."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) and value.get("format") == kind else None


def stale_reason(record: dict | None, origin: Origin, *, destroy: bool) -> str | None:
    """Why a saved plan may not be applied now, or None when it may."""
    if record is None:
        return "there is no saved plan (run `trainstack plan` first)"
    if bool(record.get("destroy")) != destroy:
        return ("the saved plan is a destroy plan" if record.get("destroy")
                else "the saved plan is not a destroy plan")
    if record.get("environment") != origin.environment:
        return "the saved plan is for another environment"
    if record.get("profile_sha256") != origin.profile_sha256:
        return f"the profile {origin.profile} changed since the plan was made"
    if record.get("stack_sha256") != origin.stack_sha256:
        return "the synthesized stack changed since the plan was made (a new trainstack, " \
               "catalog or setting)"
    return None
