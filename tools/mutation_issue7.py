# ruff: noqa: E501  (the mutation table quotes source lines whole)
"""Hand-picked mutations of the hostile-input defences (issue 7): each must make a test fail.

Usage: .venv/bin/python tools/mutation_issue7.py [--only N]

Each mutation replaces one exact snippet in one source file, runs the test files that
cover it, and restores the file (also on Ctrl-C). A mutation that no test notices is
"SURVIVED": a gap in the tests. Results: benchmarks/results/mutation-issue7-*.txt.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "trainstack"

# (file, snippet, replacement, tests)
MUTATIONS = [
    ("tftemplate.py", 'text.replace("${", "$${").replace("%{", "%%{")',
     'text.replace("${", "$${")', "tests/test_literal.py"),
    ("constructs/literal.py", "        return escape(value)\n", "        return value\n",
     "tests/test_literal.py"),
    ("tftemplate.py", "(bool(match.group(1)) or match.group(2) not in RESERVED_ROOTS)", "True",
     "tests/test_literal.py tests/test_hostile_stacks.py"),
    ("constructs/literal.py", "            raise SynthError(f\"the text {text[:60]!r} holds",
     "            return\n            raise SynthError(f\"the text {text[:60]!r} holds",
     "tests/test_literal.py"),
    ("validate/reader.py", "            out[key] = (first if isinstance(first, list) else [first]) + (",
     "            out[key] = value or (", "tests/test_hostile_stacks.py"),
    ("validate/reader.py", '    raise _Refused(f"{name} is not a JSON number',
     '    return 0.0\n    raise _Refused(f"{name} is not a JSON number', "tests/test_hostile_stacks.py"),
    ("validate/reader.py", "    if isinstance(value, list) and all(isinstance(v, dict) for v in value):\n        return list(value)",
     "    if isinstance(value, list):\n        return []", "tests/test_hostile_stacks.py"),
    ("validate/metadata.py", '        if name not in raw:\n            problems.append',
     '        if name not in raw:\n            continue\n            problems.append',
     "tests/test_hostile_stacks.py"),
    ("validate/metadata.py", "            suppressions.append(Suppression.model_validate(entry))",
     "            suppressions.append(Suppression.model_construct(**entry) if isinstance(entry, dict) else 1/0)",
     "tests/test_hostile_stacks.py"),
    ("validate/rules.py", "        if not r.is_data and \"provisioner\" in r.body:",
     "        if False:", "tests/test_hostile_stacks.py"),
    ("validate/engine.py", '            extras.append((path.name, read_document(path)))',
     "            pass", "tests/test_hostile_stacks.py"),
    ("validate/rules.py", '            if k == "//" and body:', '            if k == "//":',
     "tests/test_hostile_stacks.py"),
    ("profile/models.py", "    if rule.startswith(UNSUPPRESSIBLE_PREFIXES):", "    if False:",
     "tests/test_hostile_stacks.py"),
    ("validate/rules.py", 'return isinstance(value, str) and value != "" and not is_reference_only(value)',
     'return isinstance(value, str) and value != "" and "${" not in value',
     "tests/test_hostile_stacks.py"),
    ("validate/rules.py", "            elif part.kind == \"interpolation\" and LITERAL_ARGUMENTS.intersection(",
     "            elif False and LITERAL_ARGUMENTS.intersection(", "tests/test_hostile_stacks.py"),
    ("validate/rules.py", "    if not stack.meta.present:", "    if False:",
     "tests/test_hostile_stacks.py tests/test_validate.py"),
    ("tftemplate.py", "        if len(mark) == 3:  # $${ or %%{: a literal ${ or %{",
     "        if False:", "tests/test_literal.py tests/test_hostile_stacks.py"),
    ("profile/yaml_reader.py", '            if key_tag == f"{_CORE}merge":', "            if False:",
     "tests/test_hostile_profiles.py"),
    ("profile/yaml_reader.py", "        if self.nodes > PROFILE_MAX_NODES:", "        if False:",
     "tests/test_hostile_profiles.py"),
    ("profile/yaml_reader.py", "            if isinstance(value, float) and not math.isfinite(value):",
     "            if False:", "tests/test_hostile_profiles.py"),
    ("profile/models.py", "Number = Annotated[float, Field(allow_inf_nan=False)]",
     "Number = Annotated[float, Field()]", "tests/test_hostile_profiles.py"),
    ("profile/models.py", "    bad = _UNSAFE_TEXT.search(value)", "    bad = None",
     "tests/test_hostile_profiles.py"),
    ("inputs.py", "        if not stat.S_ISREG(info.st_mode):", "        if stat.S_ISDIR(info.st_mode):",
     "tests/test_hostile_profiles.py"),
    ("text.py", '    if all(" " <= c < "\\x7f" for c in text):  # the common case, fast',
     "    if True:", "tests/test_hostile_profiles.py tests/test_hostile_stacks.py"),
    ("text.py", "    return _NOT_XML.sub(lambda m: _escaped(m.group()), text)", "    return text",
     "tests/test_hostile_stacks.py"),
    ("outdir.py", "        _link_or_copy(path, target)\n", "        pass\n", "tests/test_outdir.py"),
    ("outdir.py", "        if path.is_file() and sha256(path) != expected:", "        if False:",
     "tests/test_outdir.py"),
    ("outdir.py", "            elif not (outdir / rel).exists() and not (outdir / rel).is_symlink() \\\n",
     "            elif False and not (outdir / rel).exists() \\\n", "tests/test_outdir.py"),
    ("outdir.py", "            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)", "            pass",
     "tests/test_outdir.py"),
    ("outdir.py", "            os.rename(retired, outdir)  # killed between the two renames: the old output returns",
     "            pass", "tests/test_outdir.py"),
    ("outdir.py", "    if marker is None:\n        if any(outdir.iterdir()):",
     "    if marker is None:\n        if False:", "tests/test_outdir.py"),
    ("catalog/refresh.py", "    if link in seen:", "    if False:", "tests/test_refresh_hostile.py"),
    ("catalog/refresh.py", "    if parts.scheme != \"https\" or parts.hostname != api.hostname",
     "    if False and parts.hostname != api.hostname", "tests/test_refresh_hostile.py"),
    ("catalog/refresh.py", "            or not 0 <= price <= REFRESH_PRICE_MAX_USD:",
     "            or price < 0:", "tests/test_refresh_hostile.py"),
    ("catalog/refresh.py", "        if remaining <= 0:", "        if False:", "tests/test_refresh_hostile.py"),
    ("catalog/refresh.py", '    write_atomic(out_dir / "sources.json"', '    0 and write_atomic(out_dir / "sources.json"',
     "tests/test_refresh_hostile.py"),
    ("cli/main.py", "        return INTERNAL_ERROR", "        return 1", "tests/test_hostile_profiles.py"),
    ("atomic.py", "        tmp.unlink(missing_ok=True)\n        raise TrainstackError", "        raise TrainstackError",
     "tests/test_outdir.py"),
]


def run(index: int, mutation: tuple[str, str, str, str]) -> str:
    name, old, new, tests = mutation
    path = SRC / name
    original = path.read_text()
    if original.count(old) != 1:
        return f"{index:2} {name}: snippet found {original.count(old)} times - FIX THE LIST"
    try:
        path.write_text(original.replace(old, new))
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                               "no:cacheprovider", "-W", "ignore", *tests.split()], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        verdict = "killed" if done.returncode != 0 else "SURVIVED"
    except subprocess.TimeoutExpired:  # the tests hang without the defence: noticed
        verdict = "killed"
    finally:
        path.write_text(original)
    return f"{index:2} {verdict:8} {name}: {old.strip()[:70]!r}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", type=int, default=None)
    args = ap.parse_args()
    results = []
    for i, mutation in enumerate(MUTATIONS, 1):
        if args.only is None or args.only == i:
            line = run(i, mutation)
            print(line, flush=True)
            results.append(line)
    survived = sum("SURVIVED" in r for r in results)
    print(f"{len(results)} mutations, {len(results) - survived} killed, {survived} survived")


if __name__ == "__main__":
    main()
