"""The documentation's Markdown: the README and the pages of docs/ (docs/reference/ aside: copies of the
public sources the base case was built from, not statements of ours). The tests that hold the
documentation true (figures, commands, links) read it from here, so a page added to docs/ is held
to the same checks as the README."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def pages() -> list[Path]:
    """README.md, then every Markdown page of docs/ but the reference copies, in a fixed order."""
    return [README] + sorted(p for p in DOCS.rglob("*.md") if "reference" not in p.relative_to(DOCS).parts)


def documentation() -> str:
    """Every page's text, one after another (a quoted figure or command may sit on any page)."""
    return "\n\n".join(p.read_text(encoding="utf-8") for p in pages())
