"""Validate 1,000 synthesized stacks (no checkov): wall time of one cold CLI run.

Usage: python benchmarks/validate_bench.py [--stacks 1000] [--runs 3]

The bundled examples are synthesized once; their stacks are copied round-robin
into N stack directories (each a different stack name), then
`trainstack validate DIR --format json --output FILE` runs in a new process,
so the time includes Python start-up, loading the catalog and every rule.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stacks", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run([sys.executable, "-m", "trainstack", "synth",
                        *map(str, sorted((ROOT / "profiles").glob("*.yaml"))), "--out", str(base),
                        "-q"], check=True, cwd=ROOT)
        sources = sorted(base.glob("stacks/*/cdk.tf.json"))
        many = Path(tmp) / "many"
        for i in range(args.stacks):
            src = sources[i % len(sources)]
            dest = many / "stacks" / f"{src.parent.name}-{i:04d}" / "cdk.tf.json"
            dest.parent.mkdir(parents=True)
            shutil.copy(src, dest)
        per_stack = [sum(len(items) for items in json.loads(p.read_text())["resource"].values())
                     for p in sources]
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "trainstack", "validate", str(many),
                                   "--format", "json", "--output", str(Path(tmp) / "r.json")],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(done.stderr)
        summary = json.loads((Path(tmp) / "r.json").read_text())["summary"]
    print(f"stacks: {summary['stacks']}, resources and data sources: {summary['resources']}, "
          f"checks: {summary['checks']} (copies of the {len(sources)} example stacks, "
          f"{min(per_stack)}-{max(per_stack)} resources each)")
    print(f"wall s per run: median {statistics.median(times):.2f} "
          f"({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
