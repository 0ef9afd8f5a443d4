"""What trainstack's provisioning adds to terraform's own time.

    .venv/bin/python benchmarks/provision_bench.py --runs 5

Each run provisions the same stack of 20 ``terraform_data`` resources (built in: no
provider download, so terraform's own work is all there is) twice, alternately:

- **terraform**: the commands trainstack runs, by hand: init, plan -out, show -json,
  apply of the plan, then plan -destroy -out and its apply;
- **trainstack**: the same through ``trainstack.provision.runner`` (plan, apply_saved,
  plan destroy, apply_saved): logs, secret scrubbing, progress, records, lock file.

Prints the wall time of each and their ratio (trainstack / terraform); read the ratio,
not the absolute numbers (2 shared cores, noisy).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from trainstack.provision import plans, runner, terraform
from trainstack.provision.layout import StackPaths

RESOURCES = {f"r{i:02d}": {"input": f"value {i}"} for i in range(20)}


def _stack(out: Path) -> StackPaths:
    paths = StackPaths("bench", "dev", out)
    paths.stack_dir.mkdir(parents=True, exist_ok=True)
    paths.stack_file.write_text(json.dumps({
        "terraform": {"backend": {"local": {"path": "../../../.trainstack/state/dev/bench.tfstate"}}},
        "resource": {"terraform_data": RESOURCES}}), encoding="utf-8")
    return paths


def by_hand(tmp: Path, env: dict[str, str]) -> float:
    """The terraform commands alone."""
    paths = _stack(tmp / "cdktf.out")
    env = {**env, "TF_DATA_DIR": str(paths.data_dir), "TF_IN_AUTOMATION": "1"}
    plan = str(tmp / "p.tfplan")
    steps = [["init", "-input=false", "-no-color"],
             ["plan", "-input=false", "-json", f"-out={plan}"], ["show", "-json", plan],
             ["apply", "-input=false", "-json", plan],
             ["init", "-input=false", "-no-color"],
             ["plan", "-destroy", "-input=false", "-json", f"-out={plan}"], ["show", "-json", plan],
             ["apply", "-input=false", "-json", plan]]
    start = time.perf_counter()
    for args in steps:
        subprocess.run(["terraform", f"-chdir={paths.stack_dir}", *args], env=env,
                       capture_output=True, check=True)
    return time.perf_counter() - start


def through_trainstack(tmp: Path, env: dict[str, str]) -> float:
    """The same through the runner."""
    paths = _stack(tmp / "cdktf.out")
    session = runner.Session(terraform.find(None, env), "bench", env=env,
                             plugin_cache=tmp / "plugins", stream=io.StringIO())
    digest = plans.sha256_file(paths.stack_file)
    target = runner.Target(paths, plans.Origin("bench.yaml", digest, digest, "dev"))
    start = time.perf_counter()
    runner.plan(session, target)
    runner.apply_saved(session, target)
    runner.plan(session, target, destroy=True)
    runner.apply_saved(session, target, destroy=True)
    return time.perf_counter() - start


def main() -> None:
    """Alternate the two and print the medians and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    tf_times, ts_times = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            tf_times.append(by_hand(Path(a), env))
            ts_times.append(through_trainstack(Path(b), env))
    version = terraform.find(None, env).version_text
    tf, ts = statistics.median(tf_times), statistics.median(ts_times)
    print(f"terraform {version}, {len(RESOURCES)} terraform_data resources, {runs} runs each")
    print(f"terraform by hand : median {tf:.2f} s  ({', '.join(f'{t:.2f}' for t in tf_times)})")
    print(f"through trainstack: median {ts:.2f} s  ({', '.join(f'{t:.2f}' for t in ts_times)})")
    print(f"ratio trainstack / terraform: {ts / tf:.2f}")


if __name__ == "__main__":
    main()
