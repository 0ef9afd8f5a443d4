"""Selections per second over the full packaged catalog.

Usage: python benchmarks/select_bench.py [--seconds S]

Workload: every decision-table scenario (tests/select/test_decision_table.py) in every
catalog region (16), i.e. all four services, CPU and GPU ladders, budgets and
overrides, against the real catalog (11,452 rows). Profiles are parsed once;
what is timed is `select()` alone, after one warm-up pass that builds the
catalog's per-region indexes (a real run pays that once per process: it is
reported separately).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # conftest
sys.path.insert(0, str(ROOT / "tests" / "select"))

from test_decision_table import TABLE, profile  # noqa: E402

from trainstack.catalog import load_facts  # noqa: E402
from trainstack.errors import SelectionError  # noqa: E402
from trainstack.select import select  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="time per measured round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    facts = load_facts()
    catalog = facts.vms
    load_s = time.perf_counter() - t0
    rows = [changes for _, changes, _ in TABLE if "overrides.region" not in changes]
    profiles = [profile({**changes, "region": region})
                for changes in rows for region in sorted(catalog.regions)]

    def run_all() -> int:
        done = 0
        for p in profiles:
            try:
                select(p, facts)
            except SelectionError:
                pass  # e.g. no GPU size in a region: a real, fast answer
            done += 1
        return done

    t0 = time.perf_counter()
    run_all()
    warm_s = time.perf_counter() - t0
    rates = []
    for _ in range(args.rounds):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            n += run_all()
        rates.append(n / (time.perf_counter() - start))
    print(f"scenarios: {len(profiles)} ({len(rows)} table rows x {len(catalog.regions)} regions); "
          f"catalog rows: {len(catalog.rows)}")
    print(f"catalog load: {load_s * 1000:.0f} ms; first pass (builds indexes): "
          f"{warm_s * 1000:.0f} ms for {len(profiles)} selections")
    print(f"selections/s: median {statistics.median(rates):,.0f} "
          f"(rounds: {', '.join(f'{r:,.0f}' for r in rates)})")


if __name__ == "__main__":
    main()
