"""TS-META: the stack's own metadata, which other rules rely on (never suppressed)."""

from __future__ import annotations

from collections.abc import Iterator

from trainstack.validate.rules.base import RuleContext, stack_rule


@stack_rule("TS-META-001", "The stack carries trainstack's metadata",
            "rules that need the profile's region, network, budget and suppressions read them "
            "from the stack's \"//\".trainstack comment; deleting it must not turn them off",
            "error")
def _meta_present(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    if not ctx.stack.meta.present:
        yield "", ("no \"//\".trainstack metadata: TS-SEC-011, TS-COST-001 and TS-SKU-003 "
                   "cannot run and no suppression applies; synthesize the stack with trainstack "
                   "(or restore the comment)")


def _metadata_problems(rule_id: str, what: str, why: str, problems: str) -> None:
    """A rule that reports each problem the metadata reader listed under ``problems``."""
    def check(ctx: RuleContext) -> Iterator[tuple[str, str]]:
        for problem in getattr(ctx.stack.meta, problems):
            yield "", problem
    stack_rule(rule_id, what, why, "error")(check)


_metadata_problems("TS-META-002", "The metadata's fields are present and well-formed",
                   "a missing or malformed field would silently turn off the rules that need "
                   "it", "problems")
_metadata_problems("TS-META-003", "Suppressions in the stack follow the profile's rules",
                   "a suppression added to the JSON by hand is held to the rules of one in a "
                   "profile: a rule id, a resource address, a reason of 10 characters or more; "
                   "findings about validation itself cannot be suppressed", "refused")


@stack_rule("TS-META-004", "Validation reads every file terraform reads in the stack folder",
            "terraform reads every *.tf and *.tf.json file of the folder; validation reads the "
            "JSON ones (cdk.tf.json, additions, overrides) but not HCL, so a *.tf file could "
            "change the stack unseen", "error")
def _unread_files(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for name in ctx.stack.unread:
        yield "", (f"{name} is HCL, which validation does not read, and terraform applies it "
                   "with the stack; write it as .tf.json or move it out of the folder")


@stack_rule("TS-META-005", "Every suppression names a rule that exists and matches a finding",
            "a suppression of a rule that does not exist (a typo) accepts nothing, and one "
            "that matches no finding is left over from a fixed stack: either would hide the "
            "next real finding of that rule behind a reason written for another", "warning")
def _suppressions_that_accept_nothing(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    from trainstack.validate.rules import RULES

    for s in ctx.stack.meta.suppressions:
        if s.rule.startswith("TS-") and s.rule not in RULES:
            yield "", (f"the suppression of {s.rule} names no trainstack rule "
                       "(docs/validation.md lists them): correct it or remove it")
