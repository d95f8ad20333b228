"""Variants of the shipped base year, for the promise that calibrate and frontier --exact work on
any of them: every leg cost of a mode or of a country scaled (by 0.8 or 1.2), and seeded variants
that also change a few capacities and switch a few routes on or off."""

from __future__ import annotations

import random

from model.input.data import CorridorData

SCALES = (0.8, 1.2)


def scaled_legs(data: CorridorData, factor: float, mode: str | None = None,
                countries: tuple[str, ...] = ()) -> CorridorData:
    """A copy with the cost of every leg of the mode (if given) that starts or ends in one of the
    countries (if given) multiplied by factor."""
    out = data.copy(deep=True)
    legs = out.tables["Legs"]
    country = out.tables["Nodes"].set_index("node")["country"]
    chosen = legs["mode"].eq(mode) if mode else legs["mode"].notna()
    if countries:
        chosen &= legs["from"].map(country).isin(countries) | legs["to"].map(country).isin(countries)
    assert chosen.any(), (mode, countries)
    legs.loc[chosen, "cost_usd_per_t"] *= factor
    return out


def seeded(data: CorridorData, seed: int) -> CorridorData:
    """Three Capacities rows scaled by 0.5 to 1.5, four routes switched on or off, and the legs of two
    modes or countries chosen at random 20% cheaper or dearer."""
    rng = random.Random(seed)
    out = data.copy(deep=True)
    cap = out.tables["Capacities"]
    for i in rng.sample(range(len(cap)), 3):
        cap.loc[cap.index[i], "capacity_t"] *= rng.choice([0.5, 0.8, 1.2, 1.5])
    routes = out.tables["Routes"]
    for i in rng.sample(range(len(routes)), 4):
        routes.loc[routes.index[i], "enabled"] = not bool(routes.loc[routes.index[i], "enabled"])
    modes = sorted(set(out.tables["Legs"]["mode"]))
    countries = sorted(set(out.tables["Nodes"]["country"]) - {"KZ"})
    for _ in range(2):
        if rng.random() < 0.5:
            out = scaled_legs(out, rng.choice(SCALES), mode=rng.choice(modes))
        else:
            out = scaled_legs(out, rng.choice(SCALES), countries=(rng.choice(countries),))
    return out
