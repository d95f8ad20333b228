"""The focus's tonnes in two parts, as every uncertainty figure of the focus names them: the tonnes through a focus
country to other markets (transit: through its ports or across its land, the answer to "does a route through
Pakistan carry cargo?") and the tonnes for its own market (cargo to Pakistan, which passes Pakistan too). Counted
together they mislead: Pakistan's own 1,900 t on the base case make "through Pakistan" carry cargo in every draw
whatever its ports do. A corridor is not a place with a market: its tonnes are one part, all of them through it.

TRANSIT and OWN end the quantities' names ('through country PK to other markets (focus)_t', 'to country PK's own market
(focus)_t'), built by part_name(); part_of tells which part a quantity is."""

from __future__ import annotations

import numpy as np

from model.input.schema import Scope

FOCUS = "(focus)_t"  # the end of the focus tonnes' names, as a sweep's (model.analysis.params.watched_tonnes)
TRANSIT, OWN = "transit", "own"  # the two parts
FOCUS_KIND = "focus"  # the Used table's kind of a part's row


def part_name(focus: tuple[str, str], part: str) -> str:
    """The quantity's name of a part of the focus's tonnes: 'through country PK to other markets (focus)_t',
    "to country PK's own market (focus)_t"; a corridor's (its one part) as a sweep names it, 'through corridor X
    (focus)_t'."""
    scope, key = focus
    if scope != Scope.COUNTRY:
        return f"through {scope} {key} {FOCUS}"
    if part == TRANSIT:
        return f"through {scope} {key} to other markets {FOCUS}"
    return f"to {scope} {key}'s own market {FOCUS}"


def words(quantity: str) -> str:
    """A part's name in words: 'through country PK to other markets', "to country PK's own market"."""
    return quantity.removesuffix(FOCUS).strip()


def part_of(quantity: str) -> str | None:
    """TRANSIT or OWN for a quantity of the focus's tonnes (a corridor's: TRANSIT), None for any other."""
    if not quantity.endswith(FOCUS):
        return None
    return OWN if quantity.endswith(f"'s own market {FOCUS}") else TRANSIT


def cargo_words(quantity: str) -> str:
    """What it means that a part of the focus's tonnes has some, in words: "its own market's cargo moves", 'a route
    through it to another market carries cargo' (a country's transit), 'it carries cargo' (a corridor's)."""
    if part_of(quantity) == OWN:
        return "its own market's cargo moves"
    return "a route through it to another market carries cargo" if quantity.endswith(f"to other markets {FOCUS}") \
        else "it carries cargo"


def ends_in(net, country: str, routes: list[str]) -> np.ndarray:
    """Whether each route ends at a node of the country: cargo for its own market (RouteTable.market_countries,
    as the Routes sheet's market_country column reads it)."""
    at = np.fromiter((net.routes.position(r) for r in routes), dtype=np.int64, count=len(routes))
    return np.asarray(net.routes.market_countries(net.node_country, at) == country, dtype=bool)


def own_columns(live, focus: tuple[str, str] | None, columns: np.ndarray) -> np.ndarray:
    """Of the flow columns through the focus (columns: positions in the live model), whether each carries cargo
    for the focus country's own market; all False for a corridor or no focus."""
    if focus is None or focus[0] != Scope.COUNTRY or not len(columns):
        return np.zeros(len(columns), dtype=bool)
    routes = [live.route_names[i] for i in live.route_of_col[columns].tolist()]
    return ends_in(live.net, focus[1], routes)
