"""Baseline for synth_bench.py: the same stack through the prebuilt azurerm bindings.

Usage: python benchmarks/prebuilt_stack.py PROFILE OUTDIR

It runs trainstack's own load -> select -> build steps, then renders every
azurerm element with its class from ``cdktf-cdktf-provider-azurerm`` (the
path trainstack avoids), passing the same arguments. Elements of providers
with no binding installed here (azapi) go through the CDK core, as in
trainstack. Needs: pip install 'trainstack[bench]'.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import cdktf  # noqa: E402

from trainstack.settings import Settings  # noqa: E402
from trainstack.synth import plan  # noqa: E402

PREBUILT = "cdktf_cdktf_provider_azurerm"


def binding(terraform_type: str, data: bool):
    module = terraform_type.removeprefix("azurerm_")
    if data:
        module = f"data_azurerm_{module}"
    cls = "".join(part.capitalize() for part in module.split("_"))
    return getattr(importlib.import_module(f"{PREBUILT}.{module}"), cls)


def main(profile: str, outdir: str) -> None:
    (planned,) = plan([Path(profile)], Settings())
    spec = planned.spec(Settings())
    app = cdktf.App(outdir=outdir)
    stack = cdktf.TerraformStack(app, spec.name)
    provider = importlib.import_module(f"{PREBUILT}.provider")
    azurerm = provider.AzurermProvider(stack, "azurerm", features=[{}], storage_use_azuread=True)
    azurerm.add_override("features", spec.providers[0].config["features"])
    cdktf.LocalBackend(stack, path=f"terraform.{spec.name}.tfstate")
    for element in spec.elements:
        if element.terraform_type.startswith("azurerm_"):
            cls = binding(element.terraform_type, element.is_data)
            params = inspect.signature(cls.__init__).parameters
            args = element.arguments()
            # Typed where the binding can take it; azurerm 5.x arguments the 4.x
            # bindings lack, and lists of blocks (which need struct instances), go
            # in as overrides, so both paths emit the same JSON.
            typed = {k: v for k, v in args.items()
                     if k in params and not (isinstance(v, list) and v and isinstance(v[0], dict))}
            # a required list of blocks: an empty list to construct, its value as an override
            required = {k: [] for k in set(args) - set(typed)
                        if k in params and params[k].default is inspect.Parameter.empty}
            made = cls(stack, element.local_name, **typed, **required)
            for key in sorted(set(args) - set(typed)):
                made.add_override(key, args[key])
        else:
            raw = cdktf.TerraformResource(stack, element.local_name,
                                          terraform_resource_type=element.terraform_type)
            for key, value in element.arguments().items():
                raw.add_override(key, value)
    for name, output in spec.outputs.items():
        cdktf.TerraformOutput(stack, name, value=output.value, description=output.description)
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
