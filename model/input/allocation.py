"""What allocation choice leaves out of the input: the least-cost fit's residuals and devices.

corridor calibrate (least cost) fits the observed flows with premiums (Surcharges rows whose source is
CALIBRATION_SOURCE, each a few cents to a few dollars that tip one cheapest route over another) and with
calibration rules (Policies rows with calibration TRUE, which pin what no premium can). Both are the
residuals and devices of a least-cost fit: under a logit a premium of a cent splits two routes evenly
and a rule holds a flow the dispersions are meant to explain. Under allocation choice the calibration is
the Dispersions sheet's, so those rows are left out, here, once, for every command (model.steps.load
applies it to every case it builds); least cost keeps them.
"""

from __future__ import annotations

import pandas as pd

from model.input.data import CorridorData, LeftOut
from model.input.schema import Allocation

CALIBRATION_SOURCE = "corridor calibrate"  # the source corridor calibrate writes on its Surcharges rows (premiums)


def least_cost_fit(data: CorridorData) -> dict[str, pd.Series]:
    """The rows of the least-cost fit, by sheet: the Surcharges rows corridor calibrate wrote (source
    CALIBRATION_SOURCE) and the calibration rules of the Policies sheet (calibration TRUE)."""
    surcharges, policies = data.tables["Surcharges"], data.tables["Policies"]
    return {"Surcharges": surcharges["source"].eq(CALIBRATION_SOURCE),
            "Policies": policies["calibration"].map(lambda v: v is True)}


def without_rows(data: CorridorData, rows: dict[str, pd.Series]) -> CorridorData:
    """A copy of the data without the rows marked, by sheet."""
    tables = dict(data.tables)
    for sheet, m in rows.items():
        tables[sheet] = tables[sheet].loc[~m.to_numpy()].reset_index(drop=True)
    return data.copy(tables=tables)


def for_allocation(data: CorridorData) -> CorridorData:
    """The data as its allocation reads it: under choice without the least-cost fit's rows (data.left_out
    says how many; done once, a second call changes nothing); under least cost as it is."""
    if data.settings.allocation != Allocation.CHOICE or data.left_out is not None:
        return data
    fit = least_cost_fit(data)
    out = without_rows(data, fit)
    out.left_out = LeftOut(int(fit["Surcharges"].sum()), int(fit["Policies"].sum()))
    return out
