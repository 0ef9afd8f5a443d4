"""Edges of validation's reports and metadata that the mutation run showed no test held: the
line a SARIF result points at when the stack file holds non-ASCII text and the process's
locale is ASCII, the line of an address longer than type.name, and Metadata.get's default.
Inline JSON; one child process (for the locale)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import trainstack
from trainstack.validate.metadata import Metadata
from trainstack.validate.model import Finding, Report, Stack
from trainstack.validate.report import to_sarif


def start_lines(sarif: str) -> list[int]:
    return [r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in json.loads(sarif)["runs"][0]["results"]]


def test_sarif_finds_the_line_in_a_utf8_stack_file_under_an_ascii_locale(tmp_path):
    """cdk.tf.json is UTF-8 (JSON's encoding) whatever the locale: with the C locale, locale
    coercion and UTF-8 mode off (Python's own encoding is then ASCII), a stack holding "Zoë"
    is still read and the resource found on line 4:
    1 {  2 "resource": {  3 "azurerm_storage_account": {  4 "lake": {"""
    document = {"resource": {"azurerm_storage_account": {
        "lake": {"name": "lake", "tags": {"owner": "Zoë"}}}}}
    path = tmp_path / "cdk.tf.json"
    path.write_bytes(json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"))
    code = textwrap.dedent(f"""
        import json, locale
        from trainstack.validate.model import Finding, Report, Stack
        from trainstack.validate.report import to_sarif
        document = json.loads(open({str(path)!r}, encoding="utf-8").read())
        stack = Stack.from_document("s", {str(path)!r}, document)
        report = Report(pack="baseline", stacks=[stack], rules={{}}, findings=[
            Finding("TS-X", "error", "s", "azurerm_storage_account.lake", "m")])
        sarif = json.loads(to_sarif(report))
        line = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        print(locale.getpreferredencoding(False), line["region"]["startLine"])
    """)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0",
           "PYTHONUTF8": "0", "PYTHONPATH": str(Path(trainstack.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    encoding, line = done.stdout.split()
    if encoding.lower().replace("-", "") in ("utf8", "cp65001"):
        pytest.skip("this platform's locale encoding is always UTF-8")
    assert line == "4"


def test_an_address_inside_a_module_is_not_placed_on_the_modules_line(tmp_path):
    """checkov may name a resource inside a module (module.lake.resource.other); that
    resource is not in this file, so its result points at line 1, not at the line of the
    module block "lake" (line 3)."""
    document = {"module": {"lake": {"source": "./lake"}}}
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(document, indent=2))
    stack = Stack.from_document("s", str(path), document)
    report = Report(pack="baseline", stacks=[stack], rules={}, findings=[
        Finding("CKV_X_1", "error", "s", "module.lake.resource.other", "m", source="checkov")])
    assert start_lines(to_sarif(report)) == [1]


def test_metadata_get_gives_the_default_asked_for_a_missing_field():
    """A field the metadata lacks (or had malformed) is the caller's default, not None."""
    meta = Metadata(present=True, values={"region": "westeurope"})
    assert meta.get("network", "public") == "public"
    assert meta.get("region", "eastus") == "westeurope"
    assert meta.get("network") is None
