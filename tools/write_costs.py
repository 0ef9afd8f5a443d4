"""Write the cost breakdown of every bundled profile into docs/guide.md, between its
``costs:start`` and ``costs:end`` markers (`trainstack select`'s ``cost_breakdown``).

    python tools/write_costs.py

tests/select/test_cost.py checks that the guide holds what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide.md"
BLOCK = re.compile(r"(<!-- costs:start[^\n]*-->\n).*?(<!-- costs:end -->)", re.DOTALL)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("_", "\\_")


def tables() -> str:
    """One table per bundled profile, then the sources its prices come from."""
    from trainstack.catalog import load_facts
    from trainstack.profile import load_profile
    from trainstack.select import select

    facts = load_facts()
    used: set[str] = set()
    parts = []
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        s = select(load_profile(path), facts)
        parts.append(f"### {s.profile}: ${s.estimated_monthly_usd:,.2f}/month\n\n"
                     "| item | category | quantity | $/unit | $/month | source |\n"
                     "|---|---|---|---|---|---|\n"
                     + "".join(f"| {_cell(i.item)} | {i.category} | {i.quantity:,.4g} {i.unit} "
                               f"| {i.unit_usd:g} | {i.monthly_usd:,.2f} | {i.source} |\n"
                               for i in s.cost_breakdown))
        used |= {i.source for i in s.cost_breakdown}
    sources = {**facts.services.sources, **facts.vms.sources}
    parts.append("Price sources:\n\n" + "".join(
        f"- `{k}` ({sources[k]['date']}): {_cell(sources[k]['origin'])}\n" for k in sorted(used)))
    return "\n".join(parts)


def guide() -> str:
    """docs/guide.md with the block rewritten."""
    text = GUIDE.read_text(encoding="utf-8")
    return BLOCK.sub(lambda m: m.group(1) + "\n" + tables() + "\n" + m.group(2), text)


if __name__ == "__main__":
    GUIDE.write_text(guide(), encoding="utf-8")
    sys.exit(0)
