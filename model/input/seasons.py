"""The seasons of a case as its input states them (the Seasons sheet, and the season column of
Capacities and Demand): each season's share of the year, and each seasonal limit and demand with the
figure that holds in the season, worked out once for validation, the network and the result check.

A row without a season is annual, as without seasons; the annual rows are the ones the annual
families read (annual_rows). The LP's seasonal rows are model.lp.families.seasons'.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from model.input.data import ROW, SEASON, CorridorData, present, records

SHARE_TOLERANCE = 1e-6  # how far the shares may sum from 1


def annual_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a Capacities or Demand table without a season (all of them where no row has one)."""
    if SEASON not in df.columns or not len(df) or df[SEASON].isna().all():
        return df
    return df[df[SEASON].isna()]


@dataclass(frozen=True)
class SeasonalLimit:
    """A capacity in one season: its own Capacities row, or the annual row times the season's share."""

    row: int  # the Capacities row the figure comes from
    season: str
    element: str
    cargo_class: str | None
    capacity_t: float  # tonnes in the season
    share: float  # the season's share of the year: what an investment adds in it is Build x share
    own: bool  # the season's own row (else the annual figure x share)
    annual_row: int | None = None  # the annual Capacities row of its element and class, if any


@dataclass(frozen=True)
class SeasonalDemand:
    """A demand in one season: its own Demand row, or the annual rest shared by the seasons' shares."""

    row: int  # the Demand row the figure comes from
    season: str
    annual_row: int  # the annual Demand row whose flows it counts
    demand_t: float  # tonnes in the season
    own: bool


@dataclass(frozen=True)
class Seasons:
    """The seasons of one case (None where it has none: season_table)."""

    share: dict[str, float]  # season -> share of the year, in sheet order
    limits: list[SeasonalLimit]  # per (element, class) with any capacity row, per season, in sheet order
    demands: list[SeasonalDemand]  # per annual Demand row, per season
    orphans: list[dict]  # seasonal Demand rows without an annual row (an error: validation)
    # (annual Demand row, sum of its seasons' rows) where that is more, or less with every season given
    excess: list[tuple[dict, float]]


def season_table(data: CorridorData) -> Seasons | None:
    """The case's seasons, or None without a Seasons sheet (or one without rows): the annual model."""
    t = data.tables
    if "Seasons" not in t or not len(t["Seasons"]):
        return None
    share = {s[SEASON]: float(s["share"]) for s in records(t["Seasons"]) if present(s[SEASON]) and present(s["share"])}
    limits: list[SeasonalLimit] = []
    groups: dict[tuple, dict] = {}
    for c in records(t["Capacities"]):
        g = groups.setdefault((c["element"], c["cargo_class"] or None), {})
        g[c.get(SEASON) or None] = c
    for (element, cls), rows in groups.items():
        annual = rows.get(None)
        for s, part in share.items():
            own = rows.get(s)
            annual_row = None if annual is None else annual[ROW]
            if own is not None:
                limits.append(SeasonalLimit(own[ROW], s, element, cls, float(own["capacity_t"]), part, True,
                                            annual_row))
            elif annual is not None:
                limits.append(SeasonalLimit(annual[ROW], s, element, cls, float(annual["capacity_t"]) * part, part,
                                            False, annual_row))
    demands: list[SeasonalDemand] = []
    by_key: dict[tuple, dict] = {}
    for d in records(t["Demand"]):
        by_key.setdefault((d["commodity"], d["origin"] or None, d["market"]), {})[d.get(SEASON) or None] = d
    orphans, excess = [], []
    for rows in by_key.values():
        annual = rows.get(None)
        own = {s: rows[s] for s in share if s in rows}
        if annual is None:
            orphans += [r for s, r in rows.items() if s is not None]
            continue
        given = sum(float(r["demand_t"]) for r in own.values())
        rest = float(annual["demand_t"]) - given
        if rest < -SHARE_TOLERANCE * max(1.0, given) or (
                all(s in own for s in share) and rest > SHARE_TOLERANCE * max(1.0, given)):
            excess.append((annual, given))
        figures = season_figures(float(annual["demand_t"]), {s: float(r["demand_t"]) for s, r in own.items()}, share)
        demands += [SeasonalDemand(own[s][ROW] if s in own else annual[ROW], s, annual[ROW], t, s in own)
                    for s, t in figures.items()]
    return Seasons(share, limits, demands, orphans, excess)


def season_figures(annual_t: float, own: dict[str, float], share: dict[str, float]) -> dict[str, float]:
    """Season -> its tonnes of an annual figure: a season's own figure where given, else the rest of the
    annual figure (annual - the own figures, at least 0) in proportion to the shares of the seasons without."""
    rest = max(annual_t - sum(own.values()), 0.0)
    free = sum(p for s, p in share.items() if s not in own)
    return {s: own[s] if s in own else rest * p / free if free else 0.0 for s, p in share.items()}
