"""Write inputs/plan_case.xlsx: the calibrated 2023 base year planned over 2026-2039, with investments allowed.

    python inputs/make_plan_case.py

The base case (inputs/base_case/*.csv) is the source of every figure; this adds only what a plan
needs, each change cited on the Sources sheet (S51-S53):
- Periods 2026 (standing for 2026-2029), 2030 (2030-2034), 2035 (2035-2039), discounted at 8%.
- The Trans-Afghan railway routes enabled, with no capacity before 2030, 3 Mt/yr at opening and
  15 Mt/yr from 2035 (S48).
- Earliest start and lead time of each investment option (S51), and investments allowed.
- Probabilities of the disruption scenarios, for corridor solve --robust (S52).
- The 2025 cap on non-oil cargo through Russia (Policies RU_CAP 0.5, S47) in force in every plan year:
  the 2023 base year holds it at 1.0 (not yet in force) and sets it only in scenario russia_cap_2025 (S70).
- What happened in 2025 and stays (S97): no cargo to India through Pakistan's ports (S92), the Afghan-Pakistan
  crossings shut in autumn (S91), the CPC debottlenecked to 72.5 Mt for Kazakh crude (S95); Khunjerab at
  12 kt a month in winter, as in December 2025 (S90). The base year's scenarios of other years (year_2022,
  year_2025), made for its held-out observations, are not carried.
Demand and supply stay at the 2023 base-year volumes in every year: there is no sourced forecast by
market. The implied premiums of the calibration (Surcharges) stay, as the hidden costs shippers
face; the Observations of 2023 do not (they describe 2023, not the plan's years), nor the calibration rules
that hold them (Settings calibration_rules FALSE).
A test keeps the shipped workbook equal to what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from model.input.data import ROW  # noqa: E402
from model.input.read import read_input  # noqa: E402
from model.report.input_workbook import write_input_workbook  # noqa: E402

TAR = "TAR"  # route ids of the Trans-Afghan railway contain -TAR
# option -> (first year work can start, years to service); E: S51
TIMING = {"CPC_DEBOTTLENECK": (2026, 2), "KAZ_TERMINAL_KHI": (2026, 2), "GWD_TERMINAL": (2026, 3),
          "KHJ_UPGRADE": (2026, 4), "DOSTYK_THIRD_RAILWAY": (2026, 1), "AKTAU_KURYK": (2026, 2),
          "CASPIAN_CROSSING": (2026, 3)}
KHJ_WINTER_T = 48_000  # Khunjerab in winter on the 2025 network: 12 kt a month, as in December 2025 (S90)
CPC_2025_T = 72_500_000  # the CPC's capacity for Kazakh crude after debottlenecking (S95)
OTHER_YEARS = ("year_2022", "year_2025")  # the base year's worlds of its held-out observations
RU_CAP = 0.5  # the 2025 policy (S47), in force from 2025: every plan year
PROBABILITY = {"russia_closed": 0.05, "torkham_closed": 0.2, "cpc_half": 0.1}  # E: S52
SOURCES = [
    {"id": "S51", "item": "Investment timing", "value": "earliest start 2026; lead times 1-4 years (CPC and "
     "terminals 2-3, Khunjerab/KKH 4, third KZ-CN railway in service 2027, Aktau/Kuryk 2028)", "year": 2026,
     "source": "E: from the project dates of S18 and S19; terminals at typical 2-3 year build times",
     "confidence": "E", "used_for": "Investments first_year, lead_time_years (low/high: lead time, years)", "low": 1,
     "high": 4},
    {"id": "S52", "item": "Scenario probabilities (per year)", "value": "Russia closed 5%, Torkham closed 20%, "
     "CPC at half capacity 10%", "year": 2026, "source": "E: Torkham closed for weeks in 2024-26 several times; "
     "one CPC outage in 2025; sanctions risk judged low", "confidence": "E", "used_for": "Scenarios probability "
     "(low/high: Torkham closed, per year)", "low": 0.1, "high": 0.4},
    {"id": "S97", "item": "The 2025 network in the plan's years", "value": "India closed to goods through Pakistan; "
     "Torkham and Chaman shut in Oct-Nov; CPC 72.5 Mt for Kazakh crude; Khunjerab 48 kt in winter", "year": 2026,
     "source": "E: the events of 2025 (S91, S92, S95) taken to last: the India closure and the CPC's capacity are in "
     "force; the border closures recurred in 2024, 2025 and 2026 (S91); Khunjerab as in December 2025 (S90)",
     "confidence": "E",
     "used_for": "Routes *KHI-MSA, *GWD-MSA disabled; Capacities TOR, CHM autumn 0; Capacities CPT; Capacities KHJ "
     "winter",
     "low": 1, "high": 4},  # months a year the crossings are shut (S91)
    {"id": "S53", "item": "Plan years and discount rate", "value": "2026 (4 years), 2030 (5), 2035 (5); 8%/yr",
     "year": 2026, "source": "E: planning convention; 8% as in the capital recovery of S50; the 2025 Russia cap "
     "(S47) applies to every plan year", "confidence": "E", "used_for": "Periods, Settings discount_rate, Policies "
     "RU_CAP 0.5 (low/high: the discount rate, per year)", "low": 0.04, "high": 0.12},
]


def plan_tables(base: Path) -> tuple[dict[str, pd.DataFrame], dict, pd.DataFrame]:
    data = read_input(base)
    tables = {name: df.drop(columns=[ROW]) for name, df in data.tables.items()}
    settings = data.settings.given()
    settings.update(scenario_name="Kazakhstan export corridors, plan 2026-2039 (2023 base-year volumes)",
                    allow_investments=True, discount_rate=0.08,
                    calibration_rules=False)  # the rules hold 2023's observations, which the plan does not carry
    tables["Periods"] = pd.DataFrame([
        {"year": 2026, "weight": 4, "description": "2026-2029: today's network, Trans-Afghan railway not open"},
        {"year": 2030, "weight": 5, "description": "2030-2034: Trans-Afghan railway open at 3 Mt/yr (S48)"},
        {"year": 2035, "weight": 5, "description": "2035-2039: Trans-Afghan railway at 15 Mt/yr (S48)"}])
    routes = tables["Routes"]
    routes.loc[routes["route"].str.contains(f"-{TAR}"), "enabled"] = True
    tables["Capacities"] = pd.concat([tables["Capacities"], pd.DataFrame([
        {"element": "HRT>PSH", "capacity_t": 0, "year": 2026},
        {"element": "HRT>PSH", "capacity_t": 15_000_000, "year": 2035},
        {"element": "HRT", "capacity_t": 15_000_000, "year": 2035}])], ignore_index=True)
    routes.loc[routes["route"].str.endswith(("KHI-MSA", "GWD-MSA")), "enabled"] = False  # S92
    cap = tables["Capacities"]
    closed = cap["element"].isin(["TOR", "CHM"]) & cap["season"].eq("autumn")
    cap.loc[closed, "capacity_t"] = 0.0  # S91
    cap.loc[cap["element"].eq("KHJ") & cap["season"].eq("winter"), "capacity_t"] = KHJ_WINTER_T  # S90
    cpc = cap["element"].eq("CPT")
    cap.loc[cpc, "capacity_t"] = cap.loc[cpc, "capacity_t"] * CPC_2025_T / cap.loc[cpc & cap["season"].isna(),
                                                                                "capacity_t"].iloc[0]  # S95
    sc = tables["Scenarios"]
    tables["Scenarios"] = sc[~sc["scenario"].isin(OTHER_YEARS)].reset_index(drop=True).copy()
    inv = tables["Investments"]
    inv["first_year"] = inv["option"].map(lambda o: TIMING[o][0])
    inv["lead_time_years"] = inv["option"].map(lambda o: TIMING[o][1])
    pol = tables["Policies"]
    pol.loc[pol["rule"] == "RU_CAP", "value"] = RU_CAP
    tables["Observations"] = tables["Observations"].iloc[0:0]  # 2023's, not the plan's years
    sc = tables["Scenarios"]
    first = ~sc["scenario"].duplicated()
    sc.loc[first, "probability"] = sc.loc[first, "scenario"].map(PROBABILITY)
    sources = pd.concat([data.sources, pd.DataFrame(SOURCES)], ignore_index=True)
    return tables, settings, sources


def main() -> None:
    tables, settings, sources = plan_tables(HERE / "base_case")
    # This script regenerates the shipped workbook: it replaces it (force), and never another file.
    out = write_input_workbook({**tables, "Sources": sources}, HERE / "plan_case.xlsx", settings=settings,
                               kind="plan-case", inputs=[HERE / "base_case"], force=True)
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
