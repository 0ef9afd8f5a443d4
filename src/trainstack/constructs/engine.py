"""The one module that imports the CDK-for-Terraform engine.

``cdktf`` (HashiCorp, deprecated 2025-12-10, still the default users asked
for) and its maintained fork ``cdktn`` (CDK Terrain, ``trainstack[cdktn]``)
have the same API; settings pick one. Resources are emitted through the CDK
core (TerraformResource + overrides) from trainstack's own typed models, never
through prebuilt provider bindings, which take 6-16 s and up to 1 GB to import.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import threading
import time
import zlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from trainstack.constructs import engine_json
from trainstack.errors import SynthError

if TYPE_CHECKING:  # not at run time: `preload` should start before anything heavy loads
    from trainstack.constructs.spec import StackSpec

ENGINES = {"cdktf": "cdktf", "cdktn": "cdktn"}
_EXTRA = {"cdktf": "pip install trainstack", "cdktn": "pip install 'trainstack[cdktn]'"}


def load_engine(name: str) -> ModuleType:
    """Import the named engine; a missing one is a clear error naming the install."""
    if name not in ENGINES:
        raise SynthError(f"unknown engine '{name}' (allowed: {', '.join(ENGINES)})")
    # jsii runs the engine's core in Node.js; without it the import fails deep inside.
    if not (os.environ.get("JSII_NODE") or shutil.which("node")):
        raise SynthError(
            "synthesis needs Node.js (>= 18) on PATH: the CDK engine runs its core in node "
            "(install it, or point JSII_NODE at a node binary)"
        )
    # jsii prints an end-of-life banner on Node 20 unless told not to.
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    # jsii starts node with this process's environment.
    os.environ["NODE_OPTIONS"] = node_options(os.environ.get("NODE_OPTIONS", ""))
    try:
        return importlib.import_module(ENGINES[name])
    except ImportError as exc:
        raise SynthError(
            f"the {name} engine is not installed ({exc}); install it with: {_EXTRA[name]}"
        ) from None
    except Exception as exc:  # jsii start-up failures surface as many exception types
        raise SynthError(f"the {name} engine could not start: {exc}") from None


_IGNORE_SIGINT = Path(__file__).parent / "node" / "ignore_sigint.cjs"
_BOUNDED_HEAP = Path(__file__).parent / "node" / "bounded_heap.cjs"


def node_options(current: str) -> str:
    """``current`` NODE_OPTIONS plus the scripts that have the engine's node processes ignore
    SIGINT (node/ignore_sigint.cjs) and collect garbage as they write stacks
    (node/bounded_heap.cjs), quoted as node parses NODE_OPTIONS."""
    for script in (_IGNORE_SIGINT, _BOUNDED_HEAP):
        quoted = str(script).replace("\\", "\\\\").replace('"', '\\"')
        option = f'--require "{quoted}"'
        current = current if option in current else f"{current} {option}".strip()
    return current


def settle(timeout: float) -> None:
    """Wait (at most ``timeout`` seconds in all) for engines still starting in the background.

    Called before the exit hooks run: jsii writes its runtime into a temporary folder while
    it starts, and that folder's exit-time removal racing with those writes fails with
    "Directory not empty" (a traceback after a Ctrl-C at start-up)."""
    deadline = time.monotonic() + timeout
    for thread in list(_preloading.values()):
        thread.join(max(0.0, deadline - time.monotonic()))


def preload(name: str) -> threading.Thread:
    """Start importing the engine in the background; ``synth`` uses it when ready.

    Errors are not raised here: ``load_engine`` raises them again, with the
    install hint, when ``synth`` asks for the engine.
    """

    if name in _preloading:
        return _preloading[name]

    def load() -> None:
        try:
            load_engine(name)
        except SynthError:
            pass

    thread = threading.Thread(target=load, name=f"load-{name}", daemon=True)
    _preloading[name] = thread
    thread.start()
    return thread


_preloading: dict[str, threading.Thread] = {}


def synth(specs: Iterable[StackSpec], outdir: Path, engine: str = "cdktf") -> None:
    """Render the stacks with the engine and write ``outdir/stacks/<name>/cdk.tf.json`` and
    ``outdir/manifest.json``. Each spec is built as its stack is rendered."""
    cdk = load_engine(engine)
    # stack_traces off: no JS stack trace captured per construct (time, and
    # nothing of it reaches the JSON).
    app = cdk.App(outdir=str(outdir), stack_traces=False)
    bodies = [_render(cdk, app, spec) for spec in specs]
    app.synth()
    for name, body in bodies:
        _add_body(outdir / "stacks" / name / "cdk.tf.json", body, open_empty=engine == "cdktf")


def _add_body(path: Path, body: bytes, open_empty: bool) -> None:
    """Merge a stack's body into the document the engine wrote for it, as the engine merges
    its elements' fragments and metadata (cdktf lib/terraform-stack.js ``toTerraform``: the
    body's keys, providers, resources, data sources and outputs, are not among the
    engine's own, ``//`` and ``terraform``) and write it back in the engine's format.

    Handing each body to the engine instead costs a jsii round trip that serialises every
    value to node and back, ~3 ms per stack, and the engine's node process holds all of them
    until it writes (benchmarks/README.md, "Many profiles")."""
    fragment, overrides = json.loads(zlib.decompress(body))
    document = json.loads(path.read_text(encoding="utf-8"))
    if set(fragment) & set(document):
        raise SynthError(f"{path}: the engine wrote {sorted(set(fragment) & set(document))}, "
                         "which the stack body also writes")
    document.update(fragment)
    if overrides:
        document["//"]["metadata"].setdefault("overrides", {}).update(overrides)
    path.write_text(engine_json.dumps(document, open_empty=open_empty), encoding="utf-8")


def _body(spec: StackSpec) -> tuple[dict, dict[str, list[str]]]:
    """The stack's providers, resources, data sources and outputs as the engine writes them,
    and what the engine records in the stack's metadata as ``overrides`` for elements made
    through the CDK core: the arguments set per type (in element order, as it concatenates
    them). Elements are written with the same construct paths and ids the engine gives."""
    from trainstack.constructs.literal import terraform_value as tf

    fragment: dict = {}
    overrides: dict[str, list[str]] = {}
    for provider in spec.providers:  # one configuration each, empty when it needs none
        fragment.setdefault("provider", {})[provider.name] = [
            {key: tf(value) for key, value in sorted(provider.config.items())}]
        if provider.config:
            overrides[provider.name] = sorted(provider.config)
    for item in spec.elements:
        arguments = item.arguments()
        body = {key: tf(value) for key, value in sorted(arguments.items())}
        body["//"] = {"metadata": {"path": f"{spec.name}/{item.local_name}",
                                   "uniqueId": item.local_name}}
        kind = "data" if item.is_data else "resource"
        fragment.setdefault(kind, {}).setdefault(item.terraform_type, {})[item.local_name] = body
        if arguments:
            overrides.setdefault(item.terraform_type, []).extend(sorted(arguments))
    for name, output in sorted(spec.outputs.items()):
        fragment.setdefault("output", {})[name] = {"description": tf(output.description),
                                                   "value": tf(output.value)}
    return fragment, overrides


def _render(cdk: ModuleType, app: object, spec: StackSpec) -> tuple[str, bytes]:
    """One stack in a handful of engine calls: the stack, its ``terraform`` settings and
    ``"//"`` comment as two overrides, and the backend. Returns the stack's name and its
    body (``_body``), kept zlib-compressed until the engine has written the stack: Python's
    peak for 1,000 stacks is ~40 MiB lower than with the bodies as JSON text."""
    # Every value given to the engine goes through `literal`: strings are literal
    # unless trainstack wrote them as references (constructs/literal.py).
    from trainstack.constructs.literal import comment_value
    from trainstack.constructs.literal import terraform_value as tf

    stack = cdk.TerraformStack(app, spec.name)
    stack.add_override("terraform", tf({
        "required_version": spec.required_version,
        "required_providers": {p.name: {"source": p.source, "version": p.version}
                               for p in spec.providers},
    }))
    comment: dict = {"outputs": {spec.name: {name: name for name in sorted(spec.outputs)}}}
    if spec.metadata:
        comment["trainstack"] = comment_value(spec.metadata)
    stack.add_override("//", comment)
    if spec.backend.kind == "azurerm":
        cdk.AzurermBackend(stack, **tf(spec.backend.config))
    else:
        cdk.LocalBackend(stack, **tf(spec.backend.config))
    fragment, overrides = _body(spec)
    return spec.name, zlib.compress(json.dumps([_as_sent(fragment), overrides]).encode(), 1)


def _as_sent(value: object) -> object:
    """``value`` as it would reach the engine through jsii, which passes no ``null``: a key
    whose value is None is left out, and so is a None in a list (what the engine wrote when
    it was given the bodies; tests/constructs/test_engine_json.py)."""
    if isinstance(value, dict):
        return {key: _as_sent(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_as_sent(item) for item in value if item is not None]
    return value
