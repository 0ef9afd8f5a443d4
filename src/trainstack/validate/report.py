"""Reports for people and CI systems: table, JSON, SARIF 2.1.0, JUnit XML.

All are deterministic for the same findings (sorted, no timestamps), so reports
can be diffed and committed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from trainstack import __version__
from trainstack.choices import ReportFormat
from trainstack.text import printable, xml_safe
from trainstack.validate.model import Finding, Report, Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/trainstack/trainstack/blob/main/docs/validation.md"


def to_json(report: Report) -> str:
    """The JSON report: findings, summary, notes."""
    return json.dumps({
        "tool": "trainstack", "version": __version__, "pack": report.pack,
        "findings": [f.as_dict() for f in report.findings],
        "summary": report.summary(),
        "notes": report.notes,
    }, indent=2, sort_keys=False) + "\n"


def _rules_used(report: Report) -> list[Rule]:
    """trainstack's rules, plus checkov's and terraform's that produced findings."""
    ids = sorted({f.rule for f in report.findings} | set(report.rules))
    first = {}
    for f in report.findings:
        first.setdefault(f.rule, f)
    return [report.rules.get(i) or Rule(i, first[i].message, f"reported by {first[i].source}",
                                        "error") for i in ids]


def _line_of(path: str, address: str, cache: dict[str, list[str]]) -> int:
    """The line of a resource in its cdk.tf.json (1 when it cannot be found)."""
    if not address:
        return 1
    if path not in cache:
        try:
            cache[path] = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError:
            cache[path] = []
    lines = cache[path]
    parts = address.removeprefix("data.").split(".")
    rtype, name = parts[0], parts[-1]
    in_type = False
    for i, line in enumerate(lines, 1):
        if re.match(rf'^\s*"{re.escape(rtype)}": \{{', line):
            in_type = True
        elif in_type and re.match(rf'^\s*"{re.escape(name)}": \{{', line):
            return i
    return 1


def to_sarif(report: Report) -> str:
    """The SARIF 2.1.0 report (GitHub code scanning and other CI systems)."""
    rules = _rules_used(report)
    index = {r.id: i for i, r in enumerate(rules)}
    paths = {s.name: s.path for s in report.stacks}
    cache: dict[str, list[str]] = {}
    results = []
    for f in report.findings:
        path = paths.get(f.stack, f"stacks/{f.stack}/cdk.tf.json")
        result: dict[str, Any] = {
            "ruleId": f.rule, "ruleIndex": index[f.rule], "level": f.level,
            "message": {"text": f"{f.resource + ': ' if f.resource else ''}{f.message}"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": Path(path).as_posix()},
                    "region": {"startLine": _line_of(path, f.resource, cache)},
                },
                "logicalLocations": [{"fullyQualifiedName": f.resource or f.stack,
                                      "kind": "resource" if f.resource else "module"}],
            }],
        }
        if f.suppressed:
            result["suppressions"] = [{"kind": "external", "justification": f.reason or ""}]
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trainstack", "version": __version__, "informationUri": INFO_URI,
                "rules": [{
                    "id": r.id, "name": r.id.replace("-", ""),
                    "shortDescription": {"text": r.what},
                    "fullDescription": {"text": r.why or r.what},
                    "defaultConfiguration": {"level": r.level},
                    **({"helpUri": r.help_uri} if r.help_uri else {}),
                } for r in rules],
            }},
            "results": results,
            "properties": {"pack": report.pack, "summary": report.summary()},
        }],
    }
    return json.dumps(sarif, indent=2) + "\n"


def to_junit(report: Report) -> str:
    """One test suite per stack, one test case per check made (rule x resource)."""
    by_case: dict[tuple[str, str, str], list[Finding]] = {}
    for f in report.findings:
        by_case.setdefault((f.stack, f.rule, f.resource), []).append(f)
    root = ET.Element("testsuites", name="trainstack validate")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for stack in report.stacks:
        cases = sorted({(r, a) for s, r, a in report.evaluations if s == stack.name}
                       | {(f.rule, f.resource) for f in report.findings if f.stack == stack.name})
        suite = ET.SubElement(root, "testsuite", name=xml_safe(stack.name))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for rule, address in cases:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=xml_safe(f"{stack.name}.{rule}"),
                                 name=xml_safe(address or stack.name), time="0")
            found = by_case.get((stack.name, rule, address), [])
            errors = [f for f in found if f.level == "error" and not f.suppressed]
            if errors:
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=xml_safe(errors[0].message),
                                        type=xml_safe(rule))
                failure.text = xml_safe("\n".join(f.message for f in errors))
            elif found and all(f.suppressed for f in found):
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=xml_safe(f"suppressed: {found[0].reason}"))
            elif found:
                out = ET.SubElement(case, "system-out")
                out.text = xml_safe("\n".join(f"{f.level}: {f.message}" for f in found))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_table(report: Report) -> str:
    """Plain text (also what the CLI prints through rich)."""
    lines = []
    for f in report.findings:
        state = f"suppressed ({f.reason})" if f.suppressed else f.level
        lines.append(printable(f"{f.rule:14} {state:10} {f.stack}/{f.resource or '-'}: "
                               f"{f.message}"))
    s = report.summary()
    lines.append(f"{s['stacks']} stack(s), {s['resources']} resource(s), {s['checks']} check(s): "
                 f"{s['errors']} error(s), {s['warnings']} warning(s), {s['suppressed']} "
                 f"suppressed - {'PASSED' if s['passed'] else 'FAILED'}")
    return "\n".join(lines + [printable(n) for n in report.notes]) + "\n"


FORMATS: dict[ReportFormat, Callable[[Report], str]] = {
    "table": to_table, "json": to_json, "sarif": to_sarif, "junit": to_junit}
