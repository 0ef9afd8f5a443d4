"""Write docs/diagrams.md: the diagram of every bundled profile (`trainstack diagram`).

    TRAINSTACK_NAME_SALT=trainstack-tests python tools/write_diagrams.py

tests/cli/test_diagram.py checks that the file is what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page() -> str:
    """The Markdown page."""
    from trainstack import diagram
    from trainstack.catalog import load_facts
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings, facts = Settings.from_env(), load_facts()
    intro = ("`trainstack diagram PROFILE --markdown` for each profile in `profiles/` (names "
             "with the tests' salt). Arrows are references; dotted arrows are role "
             "assignments, from the identity to its scope.\n")
    parts = ["# What each bundled profile builds\n", intro]
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        [p] = plan([path], settings, facts)
        parts.append(f"## {p.name}\n\n{p.selection.headline()}\n\n```mermaid\n"
                     f"{diagram.mermaid(p.selection, p.spec(settings).view())}```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    (ROOT / "docs" / "diagrams.md").write_text(page(), encoding="utf-8")
    sys.exit(0)
