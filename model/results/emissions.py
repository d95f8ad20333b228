"""The Emissions sheet: the CO2e of the cargo moved, in total and by corridor, country, commodity and
route, from the Flows table (each flow's tonnes x the CO2e a tonne emits on its route,
model.network.emissions)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from model.input.schema import Scope
from model.network import Network

EMISSIONS_COLUMNS = ["by", "name", "tonnes_t", "co2e_t", "co2e_kg_per_t", "share_of_co2e", "code"]
# The blocks of the sheet, in order: the total, then each grouping.
EMISSION_GROUPS = ("total", "corridor", "country", "commodity", "route")


def emissions_table(flows: pd.DataFrame, net: Network, listed: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per total, corridor, country, commodity and route used: tonnes, tonnes of CO2e, kg
    CO2e per tonne and share of the total CO2e, each block by CO2e, largest first. A country
    counts the whole route's CO2e of the cargo that passes it (as the Countries sheet counts its
    tonnes), so the country rows add to more than the total. listed: the flows the Flows sheet lists, where
    it lists fewer than carry cargo (route choice: model.results.choice.SHOWN_T): a route row for their
    routes alone, the totals of every flow."""
    f = flows[["commodity", "route", "corridor", "tonnes_t", "co2e_t"]]
    total_t, total_co2 = float(f["tonnes_t"].sum()), float(f["co2e_t"].sum())
    blocks = [pd.DataFrame({"by": ["total"], "name": ["all cargo"], "tonnes_t": [total_t], "co2e_t": [total_co2]})]
    countries = [net.countries_of[r] for r in f["route"]]  # the routes used: a few hundred of half a million
    frames = {"corridor": f, "country": f.assign(country=pd.Series(countries, index=f.index, dtype=object))
              .explode("country"),
              "commodity": f, "route": f}
    for by in EMISSION_GROUPS[1:]:
        frame = frames[by]
        g = frame.groupby(by, sort=False)[["tonnes_t", "co2e_t"]].sum().reset_index().rename(columns={by: "name"})
        g = g.sort_values(["co2e_t", "tonnes_t"], ascending=False, kind="stable")
        if by == Scope.ROUTE and listed is not None:  # the route block: a grouping named as the scope
            g = g[g["name"].isin(set(listed["route"]))]
        blocks.append(g.assign(by=by))
    out = pd.concat(blocks, ignore_index=True)
    words: dict[str, Callable[[str], str | None]] = {"country": net.names.country.get, "commodity": net.names.cargo,
             "route": lambda r: f"{r}: {net.names.path(net.routes[r].nodes)}" if r in net.routes else r}
    out["code"] = out["name"]  # the corridor, country code, commodity id or route id, for filtering and check
    out["name"] = [words[by](n) or n if by in words else n for by, n in zip(out["by"], out["name"], strict=True)]
    out["co2e_kg_per_t"] = (out["co2e_t"] * 1000.0 / out["tonnes_t"].where(out["tonnes_t"] > 0)).fillna(0.0)
    out["share_of_co2e"] = out["co2e_t"] / total_co2 if total_co2 > 0 else 0.0
    return out[EMISSIONS_COLUMNS]
