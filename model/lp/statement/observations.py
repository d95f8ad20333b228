"""Observations held within their bands while calibrating (families BandMiss and ObservationBand of
model.lp.families, where the maths are); nothing when the network holds no band."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from model.lp.families import BAND_MISS, OBSERVATION_BAND
from model.network.types import Observation


def observation_band(m: pyo.Block, o: str, side: str) -> Any:
    """S_o + BandMiss[o, short] >= low_t[o] (side low); S_o - BandMiss[o, excess] <= high_t[o] (side high),
    S_o = sum_{(k,r) in FLOWS: k matches o's filter, r passes its target} Flow[k,r]."""
    s = sum(m.Flow[f] for f in m.band_flows[o])
    if side == "low":
        return s + m.BandMiss[o, "short"] >= m.band[o].low_t
    return s - m.BandMiss[o, "excess"] <= m.band[o].high_t


def add_bands(m: pyo.Block, bands: list[Observation], penalty_usd_per_t: float) -> None:
    """bands: the observations corridor calibrate holds in their bands (model.analysis.calibrate), each
    counting the flows of its commodity filter through its target (m.tables)."""
    m.has_bands = bool(bands)
    if not m.has_bands:
        return
    m.band = {o.observation: o for o in bands}
    m.band_flows = {o.observation: m.tables.scope_flows(o.scope, o.target, o.commodity) for o in bands}
    m.BANDS = pyo.Set(initialize=[o.observation for o in bands], ordered=True, doc="Observations held in a band")
    m.BandMiss = pyo.Var(m.BANDS, ["short", "excess"], domain=pyo.NonNegativeReals, doc=BAND_MISS.summary())
    m.band_penalty_usd_per_t = pyo.Param(initialize=penalty_usd_per_t,
                                         doc="Cost of a tonne outside an observation's band, USD/t")
    m.observation_band = pyo.Constraint(m.BANDS, ["low", "high"], rule=observation_band, doc=OBSERVATION_BAND.summary())
