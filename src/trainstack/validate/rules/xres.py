"""TS-XRES: consistency between the stack's resources."""

from __future__ import annotations

from collections.abc import Iterator

from trainstack.validate.rules.base import RuleContext, literal, stack_rule


@stack_rule("TS-XRES-001", "Every reference resolves to an element of the stack",
            "a reference to a missing element fails at plan time", "error")
def _references(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for r in ctx.stack.resources.values():
        for address in sorted(set(ctx.stack.referenced(r.body, body=True))):
            if address not in ctx.stack.resources:
                yield r.address, f"refers to {address}, which the stack does not define"


@stack_rule("TS-XRES-002", "Compute is in its workspace's region",
            "a cluster in another region than its workspace fails to create or moves data "
            "across regions", "error")
def _same_region(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for r in ctx.stack.of_type("azurerm_machine_learning_compute_cluster",
                           "azurerm_machine_learning_synapse_spark"):
        ws = ctx.stack.resolve(r.get("machine_learning_workspace_id"))
        if ws is None:
            continue
        # only literal regions are compared: a reference (say, to the workspace's own
        # location) is known at apply time, not here
        here, there = literal(r.get("location")), literal(ws.get("location"))
        if here is not None and there is not None and here != there:
            yield r.address, f"location {here} differs from the workspace's {there}"
