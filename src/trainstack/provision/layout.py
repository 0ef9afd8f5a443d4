"""Where a stack's terraform files live: all of it outside the synthesized output.

``.trainstack/`` in the folder that holds the output folder (the project folder for the
default ``cdktf.out``), the same place the stacks' local backend keeps state
(``constructs/base.py`` ``backend_for``)::

    .trainstack/state/<env>/<stack>.tfstate              local state (the stack's backend)
    .trainstack/state/<env>/<stack>.terraform.lock.hcl   provider versions, kept with state
    .trainstack/state/<env>/<stack>.applied.json         what was last applied, and when
    .trainstack/work/<env>/<stack>/                      terraform's data folder (TF_DATA_DIR)
    .trainstack/plans/<env>/<stack>.tfplan               the saved plan ...
    .trainstack/plans/<env>/<stack>.plan.json            ... and what it was made from
    .trainstack/logs/<env>/<stack>/<time>-<verb>.log      the raw output of each run

Re-synthesizing or deleting the output folder touches none of it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trainstack.constructs.base import STATE_DIR

LOCK_FILE = ".terraform.lock.hcl"  # terraform writes it in the folder it runs in


@dataclass(frozen=True)
class StackPaths:
    """The files of one stack in one environment."""

    name: str
    environment: str
    outdir: Path  # the synthesized output folder (``cdktf.out``)
    state_root: Path | None = None  # the state stack's: its output is inside .trainstack

    @property
    def root(self) -> Path:
        """``.trainstack`` beside the output folder."""
        if self.state_root is not None:
            return self.state_root.resolve()
        return self.outdir.resolve().parent / Path(STATE_DIR).parent

    @property
    def stack_dir(self) -> Path:
        """Where the stack's ``cdk.tf.json`` is and terraform runs."""
        return self.outdir.resolve() / "stacks" / self.name

    @property
    def stack_file(self) -> Path:
        """The synthesized stack."""
        return self.stack_dir / "cdk.tf.json"

    def _under(self, kind: str) -> Path:
        return self.root / kind / self.environment

    @property
    def state_file(self) -> Path:
        """Local state (when the stack's backend is local)."""
        return self._under("state") / f"{self.name}.tfstate"

    @property
    def kept_lock_file(self) -> Path:
        """The dependency lock file, kept next to the state."""
        return self._under("state") / f"{self.name}{LOCK_FILE}"

    @property
    def applied_record(self) -> Path:
        """What was last applied (profile and stack digests, time)."""
        return self._under("state") / f"{self.name}.applied.json"

    @property
    def data_dir(self) -> Path:
        """terraform's data folder: providers, backend settings."""
        return self._under("work") / self.name

    @property
    def plan_file(self) -> Path:
        """The saved plan."""
        return self._under("plans") / f"{self.name}.tfplan"

    @property
    def plan_record(self) -> Path:
        """What the saved plan was made from."""
        return self._under("plans") / f"{self.name}.plan.json"

    def log_file(self, verb: str, now: datetime | None = None) -> Path:
        """A new log file for one run of ``verb``."""
        now = now or datetime.now(UTC)
        stamp = now.strftime("%Y%m%dT%H%M%S.%fZ")
        return self._under("logs") / self.name / f"{stamp}-{verb}.log"

    def restore_lock_file(self) -> None:
        """Put the kept lock file in the stack folder before ``init``, so the providers
        chosen at the first init are used again (a re-synthesized output has none)."""
        if self.kept_lock_file.is_file():
            shutil.copyfile(self.kept_lock_file, self.stack_dir / LOCK_FILE)

    def keep_lock_file(self) -> None:
        """Copy the lock file ``init`` wrote or confirmed to the state folder."""
        written = self.stack_dir / LOCK_FILE
        if written.is_file():
            self.kept_lock_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(written, self.kept_lock_file)
