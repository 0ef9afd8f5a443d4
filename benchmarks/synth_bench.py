"""Cold `trainstack synth` vs the same stack through prebuilt provider bindings.

Usage:
    python benchmarks/synth_bench.py [--runs N] [--profile PROFILE] [--prebuilt-python PY]
    python benchmarks/synth_bench.py --many 100,500,1000 [--runs N]

``--many``: one `trainstack synth` of N profiles (the bundled churn and vision-defects
profiles under N names) for each N, in one session; the marginal cost per stack is the
slope between the smallest and the largest N, so start-up cancels out.

Each run is a new process (cold: Python start, imports, the jsii node
process, synthesis). Measured per run: wall time, and peak memory of Python
and node together = the sum over the process tree of each process's peak
resident set (VmHWM from /proc, sampled every 5 ms; an upper bound on the
simultaneous peak). Both paths run in the same session, alternating, so
machine noise hits both; the result to read is the ratio.

PREBUILT-PY is a Python with trainstack and `trainstack[bench]`
(cdktf-cdktf-provider-azurerm) installed; default: this interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def _hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _role(pid: int) -> str:
    """Which process of a synth this is: python, jsii's node wrapper, or the node engine."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().decode(errors="replace")
    except OSError:
        return "other"
    if "jsii-runtime.js" in args:
        return "node wrapper"
    return "node engine" if "node" in args.split("\0")[0] else "python"


def measure_by_process(cmd: list[str]) -> tuple[float, dict[str, float]]:
    """(wall seconds, peak MiB of each kind of process: python, node wrapper, node engine)
    of one command."""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    roles: dict[int, str] = {}
    while proc.poll() is None:
        todo = [proc.pid]
        while todo:
            pid = todo.pop()
            hwm = _hwm_kib(pid)
            if hwm is not None:
                peaks[pid] = max(peaks.get(pid, 0), hwm)
                roles.setdefault(pid, _role(pid))
            todo += _children(pid)
        time.sleep(0.005)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()}")
    by_role: dict[str, float] = {}
    for pid, kib in peaks.items():
        by_role[roles[pid]] = by_role.get(roles[pid], 0.0) + kib / 1024
    return wall, by_role


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak MiB summed over the process tree) of one command."""
    wall, by_role = measure_by_process(cmd)
    return wall, sum(by_role.values())


def many_profiles(directory: Path, count: int) -> list[str]:
    """``count`` copies of the churn (Azure ML, CPU) and vision-defects (GPU) profiles,
    alternating, each under its own name."""
    sources = [(ROOT / "profiles" / f"{n}.yaml").read_text() for n in ("churn", "vision-defects")]
    paths = []
    for i in range(count):
        text = sources[i % 2]
        name_line = next(line for line in text.splitlines() if line.startswith("name:"))
        path = directory / f"p{i:04d}.yaml"
        path.write_text(text.replace(name_line, f"name: p{i:04d}", 1))
        paths.append(str(path))
    return paths


def many(counts: list[int], runs: int) -> None:
    """Wall time and peak memory of one synth of N profiles, for each N; the marginal cost."""
    results: dict[int, list[tuple[float, float]]] = {n: [] for n in counts}
    parts: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    with tempfile.TemporaryDirectory() as tmp:
        paths = many_profiles(Path(tmp), max(counts))
        for run in range(runs):
            for n in counts:
                out = f"{tmp}/out-{n}-{run}"
                wall, by_role = measure_by_process([sys.executable, "-m", "trainstack",
                                                    "synth", *paths[:n], "-q", "--out", out])
                results[n].append((wall, sum(by_role.values())))
                parts[n].append(by_role)
    print(f"profiles: churn + vision-defects under N names; runs: {runs} each; medians")
    print("| profiles | wall s | peak MiB (python+node) | python | node wrapper | node engine |")
    print("|---|---|---|---|---|---|")
    med = {n: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
           for n, rows in results.items()}
    for n in counts:
        each = [statistics.median(p.get(role, 0.0) for p in parts[n])
                for role in ("python", "node wrapper", "node engine")]
        print(f"| {n} | {med[n][0]:.2f} | {med[n][1]:.0f} | "
              + " | ".join(f"{v:.0f}" for v in each) + " |")
    low, high = min(counts), max(counts)
    if high > low:
        slope = (med[high][0] - med[low][0]) / (high - low)
        print(f"\nmarginal cost: {slope * 1000:.1f} ms per stack ({low} -> {high} profiles)")
    print("all runs (wall s, MiB):")
    for n, rows in results.items():
        print(f"  {n}: " + ", ".join(f"({w:.2f}, {m:.0f})" for w, m in rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", default="profiles/churn.yaml")
    ap.add_argument("--prebuilt-python", default=sys.executable)
    ap.add_argument("--many", help="comma-separated profile counts, e.g. 100,500,1000")
    args = ap.parse_args()
    if args.many:
        many([int(n) for n in args.many.split(",")], args.runs)
        return

    trainstack = [sys.executable, "-m", "trainstack", "synth", args.profile, "-q", "--out"]
    prebuilt = [args.prebuilt_python, "benchmarks/prebuilt_stack.py", args.profile]
    results: dict[str, list[tuple[float, float]]] = {"trainstack": [], "prebuilt": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            results["trainstack"].append(measure([*trainstack, f"{tmp}/ts{i}"]))
            results["prebuilt"].append(measure([*prebuilt, f"{tmp}/pb{i}"]))

    def med(name: str, k: int) -> float:
        return statistics.median(r[k] for r in results[name])

    print(f"profile: {args.profile}; runs: {args.runs} each, alternating; medians")
    print("| path | wall s | peak MiB (python+node) |")
    print("|---|---|---|")
    for name in results:
        print(f"| {name} | {med(name, 0):.2f} | {med(name, 1):.0f} |")
    print(f"\nspeed-up: {med('prebuilt', 0) / med('trainstack', 0):.1f}x faster; "
          f"memory: {med('prebuilt', 1) / med('trainstack', 1):.1f}x less")
    print("all runs (wall s, MiB):")
    for name, rows in results.items():
        print(f"  {name}: " + ", ".join(f"({w:.2f}, {m:.0f})" for w, m in rows))


if __name__ == "__main__":
    main()
