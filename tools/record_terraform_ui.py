"""Record terraform's machine-readable UI (``-json``) for the progress tests.

    python tools/record_terraform_ui.py tests/provision/data

Runs the real binary on terraform_data stacks (built in, no provider download): an apply
that creates, one that waits long enough for ``apply_progress`` messages, one whose
provisioner fails, and a destroy. Writes ``<case>.jsonl``: the raw output, unedited.
Re-record on purpose (a new terraform), then check the tests still read it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CASES = {
    "apply-ok": {"a": {"input": "one"}, "b": {"input": "two", "depends_on": ["terraform_data.a"]}},
    "apply-slow": {"slow": {"input": "x", "provisioner": [
        {"local-exec": {"command": "sleep 12"}}]}},
    "apply-failed": {"ok": {"input": "fine"}, "bad": {"input": "x", "provisioner": [
        {"local-exec": {"command": "echo the service said no >&2; exit 3"}}]}},
}


def _tf(work: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": "/dev/null"}
    return subprocess.run(["terraform", f"-chdir={work}", *args], capture_output=True,
                          text=True, env=env, check=False)


def record(outdir: Path) -> None:
    """Write one .jsonl per case into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    for case, resources in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "main.tf.json").write_text(json.dumps(
                {"resource": {"terraform_data": resources}}), encoding="utf-8")
            _tf(work, "init", "-input=false")
            done = _tf(work, "apply", "-input=false", "-json", "-auto-approve")
            (outdir / f"{case}.jsonl").write_text(done.stdout, encoding="utf-8")
            if case == "apply-ok":
                done = _tf(work, "apply", "-destroy", "-input=false", "-json", "-auto-approve")
                (outdir / "destroy-ok.jsonl").write_text(done.stdout, encoding="utf-8")


if __name__ == "__main__":
    record(Path(sys.argv[1]))
