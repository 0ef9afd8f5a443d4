"""trainstack writes stack bodies after the engine, in the engine's own format, byte for byte.

Oracles independent of the code under test: the engines themselves (cdktf 0.21's
json-stable-stringify, cdktn 0.24's safe-stable-stringify, each running in node) given
the same values as an element of a stack, and node's own JSON.stringify for numbers.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import shutil
import subprocess
import zlib

import pytest

from trainstack.constructs import engine_json
from trainstack.constructs.engine import _add_body, _as_sent, load_engine
from trainstack.errors import SynthError

ENGINES = ["cdktf"] + (["cdktn"] if importlib.util.find_spec("cdktn") or os.environ.get("CI")
                       else [])

NUMBERS = [0, -0.0, 1, -1, 1.0, 2.5, 0.1, 1 / 3, 2330.38, 1e-4, 1e-5, 1e-6, 1e-7, 1.5e-7,
           123e-20, 1e15, 1e16, 1e17, 1e20, 1e21, 1.5e21, 1e300, 5e-324, 1.7976931348623157e308,
           2**53, 2**53 + 1, -(2**53) - 1, 2**63, 10**20, 10**21, 123456789.125, -0.5]
STRINGS = ["", "a", "é€", '"quoted"', "back\\slash", "\b\f\n\r\t", "\x00\x01\x1f\x7f",
           "\u2028\u2029", "\ud7ff", "\ud800", "\udfff", "\ue000", "a\ud83d", "\U0001f600", "\ufeff\uffff",
           "{}", "[]", "x: {}", "{},", "[],", "  {}", "${var}", "$${literal}"]


def _random_value(rng: random.Random, depth: int) -> object:
    """Any JSON value the bodies could hold, weighted to the cases where Python's json and
    JavaScript's stringifiers differ."""
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        return rng.choice([*NUMBERS, *STRINGS, True, False, None, rng.uniform(-1e6, 1e6),
                           rng.randint(-(2**60), 2**60), rng.random() * 10 ** rng.randint(-9, 25)])
    if roll < 0.7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = [rng.choice([*STRINGS, "b", "B", "_", "a b", "\U0001f600k", "\uff10k", "10", "9"])
            for _ in range(rng.randint(0, 5))]
    return {key: _random_value(rng, depth + 1) for key in keys}


def _bodies() -> list[dict]:
    rng = random.Random(20261130)
    edge = [{"resource": {"t": {"n": {"v": value}}}} for value in [*NUMBERS, *STRINGS]]
    edge += [{"resource": {}}, {"output": {"o": {"value": []}}}, {"data": {"d": {"e": [{}]}}},
             {"provider": {"azurerm": [{"features": [{}]}]}},
             {"resource": {"\U0001f600": 1, "\uffff": 2, "a": 3, "\ud800": 4}}]
    return edge + [{"resource": {"t": _random_value(rng, 0)}} for _ in range(300)]


def _through_the_engine(engine: str, bodies: list[dict], tmp_path) -> list[str]:
    """Each body as an element of its own stack, rendered and written by the engine."""
    cdk = load_engine(engine)

    class Body(cdk.TerraformElement):
        def __init__(self, scope: object, fragment: dict) -> None:
            super().__init__(scope, "body")
            self._fragment = fragment

        def to_terraform(self) -> dict:
            return self._fragment

    app = cdk.App(outdir=str(tmp_path), stack_traces=False)
    for index, body in enumerate(bodies):
        Body(cdk.TerraformStack(app, f"s{index}"), body)
    app.synth()
    return [(tmp_path / "stacks" / f"s{i}" / "cdk.tf.json").read_text(encoding="utf-8")
            for i in range(len(bodies))]


@pytest.mark.node
@pytest.mark.parametrize("engine", ENGINES)
def test_bodies_are_written_as_the_engine_writes_them(engine, tmp_path):
    bodies = _bodies()
    written = _through_the_engine(engine, bodies, tmp_path)
    for body, text in zip(bodies, written, strict=True):
        engines_own = {k: v for k, v in json.loads(text).items() if k in ("//", "terraform")}
        ours = engine_json.dumps({**engines_own, **_as_sent(body)}, open_empty=engine == "cdktf")
        assert ours == text, body


@pytest.mark.node
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_numbers_read_as_javascript_writes_them():
    values = [*NUMBERS, *(random.Random(3).random() * 10 ** e for e in range(-12, 26))]
    floats = [float(v) for v in values if math.isfinite(float(v))]
    script = "process.stdout.write(JSON.stringify(JSON.parse(process.argv[1]).map(String)))"
    run = subprocess.run(["node", "-e", script, json.dumps(floats)], capture_output=True,
                         text=True, check=True)
    assert [engine_json.js_number(v) for v in floats] == json.loads(run.stdout)


def test_what_json_stringify_writes_for_numbers_json_has_not():
    # JSON.stringify(Infinity) and (NaN) are "null"; trainstack refuses them before this
    assert [engine_json.js_number(v) for v in (math.inf, -math.inf, math.nan)] == ["null"] * 3


def test_known_javascript_number_texts():
    # ECMAScript Number::toString examples (worked by hand, not by the code under test)
    assert [engine_json.js_number(v) for v in (1.0, -0.0, 1e21, 1e-7, 1e-6, 123e-20, 1e20,
                                               0.5, 2**53 + 1)] == [
        "1", "0", "1e+21", "1e-7", "0.000001", "1.23e-18", "100000000000000000000", "0.5",
        "9007199254740992"]


@pytest.mark.parametrize("open_empty, expected", [
    (True, '{\n  "a": {\n  },\n  "b": [\n    [\n    ],\n    {\n    }\n  ],\n  "c": "{}"\n}'),
    (False, '{\n  "a": {},\n  "b": [\n    [],\n    {}\n  ],\n  "c": "{}"\n}'),
])
def test_empty_containers_in_each_engine_style(open_empty, expected):
    assert engine_json.dumps({"c": "{}", "b": [[], {}], "a": {}}, open_empty=open_empty) == expected


def test_the_fast_and_the_ported_path_agree():
    for body in _bodies():
        for open_empty in (True, False):
            prepared, _ = engine_json._prepare(body)
            assert engine_json.dumps(body, open_empty=open_empty) == engine_json._stringify(
                prepared, 0, open_empty), body


def _engine_wrote(tmp_path, document: dict):
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_body_joins_what_the_engine_wrote(tmp_path):
    path = _engine_wrote(tmp_path, {"//": {"metadata": {"overrides": {"stack": ["terraform"]}}},
                                    "terraform": {"required_version": ">= 1.5"}})
    body = zlib.compress(json.dumps([{"resource": {"t": {"n": {"a": 1.0}}}},
                                     {"t": ["a"]}]).encode())
    _add_body(path, body, open_empty=True)
    assert json.loads(path.read_text()) == {
        "//": {"metadata": {"overrides": {"stack": ["terraform"], "t": ["a"]}}},
        "resource": {"t": {"n": {"a": 1}}}, "terraform": {"required_version": ">= 1.5"}}
    assert '"a": 1\n' in path.read_text()


def test_a_body_never_overwrites_what_the_engine_wrote(tmp_path):
    path = _engine_wrote(tmp_path, {"//": {"metadata": {}}, "terraform": {"backend": {}}})
    body = zlib.compress(json.dumps([{"terraform": {}}, {}]).encode())
    with pytest.raises(SynthError, match=r"the engine wrote \['terraform'\]"):
        _add_body(path, body, open_empty=False)
