"""The one module that imports the CDK-for-Terraform engine.

``cdktf`` (HashiCorp, deprecated 2025-12-10, still the default users asked
for) and its maintained fork ``cdktn`` (CDK Terrain, ``trainstack[cdktn]``)
have the same API; settings pick one. Resources are emitted through the CDK
core (TerraformResource + overrides) from trainstack's own typed models, never
through prebuilt provider bindings, which take 6-16 s and up to 1 GB to import.
"""

from __future__ import annotations

import importlib
import os
import shutil
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

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
    try:
        return importlib.import_module(ENGINES[name])
    except ImportError as exc:
        raise SynthError(
            f"the {name} engine is not installed ({exc}); install it with: {_EXTRA[name]}"
        ) from None
    except Exception as exc:  # jsii start-up failures surface as many exception types
        raise SynthError(f"the {name} engine could not start: {exc}") from None


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


def synth(specs: list[StackSpec], outdir: Path, engine: str = "cdktf") -> None:
    """Render the stacks with the engine and write ``outdir/stacks/<name>/cdk.tf.json``."""
    cdk = load_engine(engine)
    # stack_traces off: no JS stack trace captured per construct (time, and
    # nothing of it reaches the JSON).
    app = cdk.App(outdir=str(outdir), stack_traces=False)
    for spec in specs:
        _render(cdk, app, spec)
    app.synth()


def _render(cdk: ModuleType, app: object, spec: StackSpec) -> None:
    # Every value given to the engine goes through `literal`: strings are literal
    # unless trainstack wrote them as references (constructs/literal.py).
    from trainstack.constructs.literal import comment_value
    from trainstack.constructs.literal import terraform_value as tf

    stack = cdk.TerraformStack(app, spec.name)
    stack.add_override("terraform.required_version", tf(spec.required_version))
    if spec.metadata:
        stack.add_override("//.trainstack", comment_value(spec.metadata))
    for provider in spec.providers:
        element = cdk.TerraformProvider(
            stack, f"provider-{provider.name}",  # construct ids are shared with resources
            terraform_resource_type=provider.name,
            terraform_provider_source=provider.source,
        )
        for key, value in sorted(provider.config.items()):
            element.add_override(key, tf(value))
        stack.add_override(
            f"terraform.required_providers.{provider.name}",
            tf({"source": provider.source, "version": provider.version}),
        )
    if spec.backend.kind == "azurerm":
        cdk.AzurermBackend(stack, **tf(spec.backend.config))
    else:
        cdk.LocalBackend(stack, **tf(spec.backend.config))
    for item in spec.elements:
        cls = cdk.TerraformDataSource if item.is_data else cdk.TerraformResource
        element = cls(stack, item.local_name, terraform_resource_type=item.terraform_type)
        for key, value in sorted(item.arguments().items()):
            element.add_override(key, tf(value))
    for name, output in sorted(spec.outputs.items()):
        cdk.TerraformOutput(stack, name, value=tf(output.value),
                            description=tf(output.description))
