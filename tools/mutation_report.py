"""Summarise a `mutmut run`: kill rate, and the survivors grouped by function and cause.

Usage (from the folder where `mutmut run` ran):
    python tools/mutation_report.py > benchmarks/results/mutation-<date>.txt
    python tools/mutation_report.py --diffs    # and each survivor's changed lines

Survivors in functions that run only when a module is imported (rule and pack
registration) or only in child processes are the tool's blind spots (docs/testing.md);
they are counted and listed apart from the rest.
"""

from __future__ import annotations

import collections
import subprocess
import sys

# Functions mutmut cannot observe: they run at import time, before its fork server
# selects a mutant, or only in a child process that imports the unmutated package.
IMPORT_TIME = {"attribute_rule", "covered_rule", "declared_rules", "attribute_rules",
               "resource_rule", "stack_rule", "_schema_rule", "_metadata_problems", "_pack"}
CHILD_PROCESS: set[str] = set()  # synth_in_place has in-process tests since 2026-11-29


def function_of(mutant: str) -> tuple[str, str]:
    """(module, function) of a mutant name like trainstack.select.aml.x_rank__mutmut_3."""
    qualified = mutant.split("__mutmut_")[0]
    module, _, name = qualified.rpartition(".")
    name = name.removeprefix("x_").replace("xǁ", "").replace("ǁ", ".")
    return module, name


def main() -> None:
    out = subprocess.run(["mutmut", "results", "--all", "true"], capture_output=True,
                         text=True, check=False).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        if "__mutmut_" in line and ":" in line:
            name, _, state = line.strip().rpartition(": ")
            status[name] = state.strip()
    counts = collections.Counter(status.values())
    blind = {m for m, s in status.items() if s in ("survived", "no tests")
             and function_of(m)[1].split(".")[-1] in IMPORT_TIME | CHILD_PROCESS}
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    checked = sum(v for k, v in counts.items() if k != "not checked")
    print(f"kill rate over the {checked} mutants checked: {killed}/{checked} = "
          f"{killed / checked:.1%}")
    seen = checked - len(blind)
    print(f"without the tool's blind spots ({len(blind)} mutants in code that runs only at "
          f"import time or in a child process): {killed}/{seen} = {killed / seen:.1%}")
    groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for mutant, state in sorted(status.items()):
        if state in ("survived", "no tests", "suspicious"):
            groups[function_of(mutant)].append(mutant.split("__mutmut_")[1])
    for numbers in groups.values():
        numbers.sort(key=int)
    print("\nsurvivors by function (mutant numbers; `mutmut show <name>` shows one):")
    for (module, name), numbers in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        cause = ("import time" if name.split(".")[-1] in IMPORT_TIME else
                 "child process" if name.split(".")[-1] in CHILD_PROCESS else "")
        print(f"  {module}.{name}: {len(numbers)}{f' ({cause})' if cause else ''}: "
              f"{', '.join(numbers)}")
    if "--diffs" in sys.argv:
        print("\neach survivor's change (- the code, + the mutant):")
        for mutant, state in sorted(status.items()):
            if state in ("survived", "no tests", "suspicious"):
                print(f"{mutant} ({state})")
                print(changed_lines(mutant))


def changed_lines(mutant: str) -> str:
    """The removed and added lines of `mutmut show <mutant>`."""
    shown = subprocess.run(["mutmut", "show", mutant], capture_output=True, text=True,
                           check=False).stdout
    return "\n".join("    " + line for line in shown.splitlines()
                     if line[:2] in ("- ", "+ ") and line[:4] not in ("--- ", "+++ "))


if __name__ == "__main__":
    sys.exit(main())
