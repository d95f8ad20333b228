"""MkDocs hooks (mkdocs.yml `hooks:`): the pages generated from the code, at build time.

- docs/user-guide/input.md: the marker `<!-- input-reference ... -->` becomes the input reference,
  every sheet and column of model.input.schema.SHEETS and every key of SETTINGS.
- docs/formulation.md: the marker `<!-- families ... -->` becomes one section per family of the LP
  (model.lp.families), from the family class's docstring: its first line a summary, the rest
  Markdown with $$ maths; the marker `<!-- cost-of-a-tonne ... -->` becomes the statement of a
  tonne's cost, model.network.costs's docstring; the marker `<!-- choice-program ... -->` becomes the
  choice allocation's program and its dual, model.lp.choice.dual's docstring (Markdown with $$ maths).
- docs/reference/*.md: the dollar signs of prices kept as text (arithmatex would read $...$ as maths).

Only the Markdown handed to MkDocs changes; nothing is written into docs/. A page whose marker is
missing fails the build, so a generated section cannot silently drop out of the site.
"""

from __future__ import annotations

import inspect
import re

from mkdocs.exceptions import PluginError

INPUT_MARKER = re.compile(r"<!-- input-reference[^>]*-->")
FAMILIES_MARKER = re.compile(r"<!-- families[^>]*-->")
COST_MARKER = re.compile(r"<!-- cost-of-a-tonne[^>]*-->")
CHOICE_MARKER = re.compile(r"<!-- choice-program[^>]*-->")


def _cell(text: object) -> str:
    """A value as a Markdown table cell: pipes escaped, line breaks joined."""
    return " ".join(str(text).split()).replace("|", "\\|")


def input_reference() -> str:
    from model.input.schema import SETTINGS, SHEETS, bounds_text

    out = []
    for sheet in SHEETS:
        out += [f"### {sheet.name}", ""]
        need = "Required sheet." if sheet.required else "Optional sheet."
        key = f" Key: {', '.join(f'`{k}`' for k in sheet.key)}." if sheet.key else ""
        out += [f"{_cell(sheet.description)} {need}{key}", ""]
        if sheet.free_columns:
            out += ["Any columns" + (": those below are read as they say." if sheet.columns else "."), ""]
            if not sheet.columns:
                continue
        out += ["| column | type | unit | default | required | bounds | note |",
                "|---|---|---|---|---|---|---|"]
        for col in sheet.columns:
            kind = " / ".join(col.choices) if col.choices else col.type
            default = "" if col.default is None else col.default
            note = col.description + (f" Must name {col.ref}." if col.ref else "")
            out.append(f"| `{col.name}` | {_cell(kind)} | {_cell(col.unit)} | {_cell(default)} | "
                       f"{'yes' if col.required else ''} | {_cell(bounds_text(col.min, col.max))} | {_cell(note)} |")
        out.append("")
    out += ["### Settings keys", "", "The rows of the Settings sheet (`key`, `value`).", "",
            "| key | type | unit | default | bounds | note |", "|---|---|---|---|---|---|"]
    for s in SETTINGS:
        default = "" if s.default is None else s.default
        out.append(f"| `{s.key}` | {_cell(s.type)} | {_cell(s.unit)} | {_cell(default)} | "
                   f"{_cell(bounds_text(s.min, s.max))} | {_cell(s.description)} |")
    return "\n".join(out) + "\n"


def _families():
    """Every family once: CASE_FAMILIES in the order the LP emits them, then the rest."""
    from model.lp.families import CASE_FAMILIES, FAMILIES

    seen = list(CASE_FAMILIES)
    seen += [f for f in FAMILIES.values() if f not in seen]
    return seen


def formulation() -> str:
    out = []
    for family in _families():
        doc = inspect.getdoc(type(family)) or ""
        summary, _, body = doc.partition("\n")
        if not summary.strip():
            raise PluginError(f"docs/hooks.py: the family {type(family).__name__} has no docstring")
        out += [f"### `{family.name}`", "", f"*{type(family).__name__}*: {summary.strip()}", "", body.strip(), ""]
    return "\n".join(out)


def cost_of_a_tonne() -> str:
    """The statement of a tonne's cost, model.network.costs's docstring, as it stands (a text block)."""
    import model.network.costs

    return "```text\n" + inspect.cleandoc(model.network.costs.__doc__ or "") + "\n```\n"


def choice_program() -> str:
    """The choice allocation's program, its dual and how it is solved: model.lp.choice.dual's docstring, less
    its first line (the section's heading says it)."""
    import model.lp.choice.dual

    return inspect.cleandoc(model.lp.choice.dual.__doc__ or "").partition("\n")[2].strip() + "\n"


def _replace(markdown: str, marker: re.Pattern, make, page) -> str:
    if not marker.search(markdown):
        raise PluginError(f"docs/hooks.py: {page.file.src_path} has lost its marker {marker.pattern}")
    return marker.sub(lambda _: make(), markdown, count=1)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.startswith("reference/"):
        # Copies of public sources, prices in dollars ($4.6–7bn ... $6.7bn): not maths for arithmatex.
        return markdown.replace("$", "\\$")
    if page.file.src_uri == "user-guide/input.md":
        return _replace(markdown, INPUT_MARKER, input_reference, page)
    if page.file.src_uri == "formulation.md":
        markdown = _replace(markdown, COST_MARKER, cost_of_a_tonne, page)
        markdown = _replace(markdown, CHOICE_MARKER, choice_program, page)
        return _replace(markdown, FAMILIES_MARKER, formulation, page)
    return markdown
