"""The greenhouse gases of a tonne: the one statement of them.

A tonne of cargo on route r emits, in tonnes of CO2e (well to wheel):
  co2_t_per_t[r] = sum over the route's legs l of distance_km[l] * co2_g_per_tkm[l] / 1e6
                 + sum over the route's nodes n (at each pass) of co2_kg_per_t[n] / 1000
co2_g_per_tkm is the leg's own figure, or when blank the default for its mode below. A leg without
distance_km adds nothing: where emissions are priced or capped that is an error at the leg's row
(model.input.validate.commitments), elsewhere a warning that the reported CO2e leaves the leg out. The
carbon cost of a tonne is carbon_price_usd_per_t_co2 * co2_t_per_t (model.network.costs).
"""

from __future__ import annotations

import math

# Default well-to-wheel intensity by mode, g CO2e per tonne-km, for a leg whose co2_g_per_tkm is blank.
# Each figure, its source and how it was derived is a row of the base case's Sources sheet (S72).
DEFAULT_CO2E_G_PER_TKM = {
    # E: no rail default could be read from GLEC; UK government (DEFRA) rail freight factor 0.03 kg CO2 per
    # tonne-km (DEFRA Guidelines for Company Reporting, table 2, quoted in Hansard HC Deb 4 June 2007, "Freight
    # Transport") for the tank-to-wheel part, plus the well-to-tank part of the UK Government GHG conversion
    # factors 2025, "Rail freight train", 0.00691 kg CO2e/tkm: 30 + 6.91 = 36.9.
    "rail": 36.9,
    # DEFRA/DECC 2012 GHG Conversion Factors for Company Reporting, Annex 7, Table 7e: diesel HGV,
    # articulated > 33 t, UK average load (62% laden), grand total (direct 0.08473 + indirect 0.01800)
    # = 0.10273 kg CO2e/tkm. (GLEC v3.0 Table 8 gives 0.022 kg/tkm well-to-tank for a 34-40 t articulated
    # truck, a consistent upstream share.)
    "road": 102.7,
    # GLEC Framework v3.0 (Smart Freight Centre, 2023), Table 12: bulk carrier 35,000-59,999 dwt, HFO,
    # tank-to-wheel 0.0054 kg CO2e/tkm; made well-to-wheel with the HFO ratio of the same framework's
    # Table 14 (Ferry-RoPax 2,000-4,999 GT, HFO: WTW 0.2586 / TTW 0.2233 = 1.158): 5.4 x 1.158 = 6.25.
    "sea": 6.25,
    # E: no GLEC default for pipelines. Thunder Said Energy, "Pipelines: the energy economics": about 0.8 kg
    # CO2 per barrel moved 500 km; at 0.136 t per barrel, 0.8 / (0.136 x 500) = 0.0118 kg/tkm.
    "pipeline": 11.8,
    # GLEC Framework v3.0, Table 14: Ferry-RoPax 10,000-19,999 GT, MDO, well-to-wheel 0.1248 kg CO2e/tkm
    # (the size class of the Caspian rail ferries is an estimate).
    "ferry": 124.8,
}


def leg_co2e_t_per_t(distance_km: float | None, co2_g_per_tkm: float | None, mode: str) -> float:
    """Tonnes of CO2e a tonne emits on one leg: distance x intensity (the mode's default when the
    intensity is blank); 0 when the distance is blank (see the module docstring)."""
    if distance_km is None or distance_km != distance_km:
        return 0.0
    g = co2_g_per_tkm if co2_g_per_tkm is not None and not math.isnan(co2_g_per_tkm) \
        else DEFAULT_CO2E_G_PER_TKM[mode]
    return float(distance_km) * float(g) / 1e6


def node_co2e_t_per_t(co2_kg_per_t: float | None) -> float:
    """Tonnes of CO2e a tonne emits at one pass of a node (0 when blank)."""
    return 0.0 if co2_kg_per_t is None or co2_kg_per_t != co2_kg_per_t else float(co2_kg_per_t) / 1000.0

