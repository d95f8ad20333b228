"""The Responses sheet of a choice allocation (model.analysis.responses works it out): what the focus
attracts at today's costs, the tonnes each USD/t cut at its ports adds, where they come from (by
corridor), and the focus's tonnes over a range of cuts; and the brief's line on it, read from the sheet
alone (so a page drawn later from the workbook says what the workbook says)."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

RESPONSE_COLUMNS = ["what", "name", "corridor", "cut_usd_per_t", "tonnes_t", "change_t_per_usd_per_t",
                    "via_focus_t_per_usd_per_t", "port"]
NOT_DELIVERED = "(not delivered)"  # the diversion row of the demand left unmet, beside the corridors


class ResponseRow(StrEnum):
    """What a row of the Responses sheet holds (its column what)."""

    ATTRACTED = "attracted today"  # name: the focus; tonnes_t: its tonnes at today's costs
    PER_CUT = "per USD/t cut"  # name: a port (port: its code); change_t_per_usd_per_t: the focus's tonnes per USD/t cut
    DIVERSION = "diversion"  # a port's cut: each corridor's change per USD/t, and the part through the focus
    CURVE = "curve"  # a port (or all the focus's ports at once) cut by cut_usd_per_t: the focus's tonnes_t
    HELD = "held by"  # name: a row with a toll that the focus's routes pass (a capacity, a rule, a supply)


def responses_line(sheet: pd.DataFrame | None) -> str:
    """The brief's line: 'Under route choice Pakistan attracts 0.18 Mt a year; each USD/t cut at Gwadar
    port adds 5.9 t, at Karachi port 23.1 t (...)'; '' without a Responses sheet."""
    if sheet is None or not len(sheet):
        return ""
    what = sheet["what"].astype(str)
    today = sheet[what == ResponseRow.ATTRACTED]
    if not len(today):
        return ""
    focus, tonnes = str(today["name"].iloc[0]), float(today["tonnes_t"].iloc[0])
    cuts = sheet[what == ResponseRow.PER_CUT]
    parts = [f"at {name}" + (" adds " if i == 0 else " ") + (amount_words(float(t)) if t == t else "(not reached)")
             for i, (name, t) in enumerate(zip(cuts["name"], cuts["change_t_per_usd_per_t"], strict=True))]
    line = f"Under route choice {focus} attracts {amount_words(tonnes)} a year"
    if parts:
        line += ("; each USD/t cut " + ", ".join(parts) + " (central difference of the choice allocation with the "
                 "port's handling 1 USD/t up and down; where they come from and a curve of cuts: Responses sheet)")
    held = sheet[what == ResponseRow.HELD]["name"].astype(str).tolist()
    if held:
        line += "; limits that bind on its routes, whose tolls take up a cut as far as they hold: " + _listed(held)
    return line + "."


def amount_words(t: float) -> str:
    """Tonnes in words at the size a negotiator reads them: '1.29 Mt', '23.1 kt', '5.9 t'."""
    size = abs(t)
    if size < 0.05:
        return "0.0 t"  # round-off either side of nothing
    if size >= 1e6:
        return f"{t / 1e6:,.2f} Mt".replace("-", "−")
    if size >= 1e3:
        return f"{t / 1e3:,.1f} kt".replace("-", "−")
    return f"{t:,.1f} t".replace("-", "−")


def _listed(names: list[str]) -> str:
    """Up to five names, then '(+N more)'."""
    shown = names[:5]
    return "; ".join(shown) + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")
