"""The notes on the headers of result sheets: what an analyst's column means (COLUMN_NOTES), and where a
sheet gives a column a meaning of its own (SHEET_COLUMN_NOTES). Plain data, read by model.report.cells."""

from __future__ import annotations

# The analyst's columns, and the codes kept beside the names, explained in their header's note.
COLUMN_NOTES = {
    "resource_cost_usd_per_t": "What a tonne on this route costs in resource cost: what is paid (transport, handling, "
                               "surcharges) and what time, risk and carbon cost. The money figure.",
    "resource_cost_usd": "Resource cost a year of the tonnes on this route (resource cost per tonne times tonnes).",
    "cost_usd_per_t": "The model's cost per tonne: the resource cost plus the calibration premiums (behaviour, not "
                      "money). What the model compares routes by; for money, read the resource cost.",
    "cost_usd": "The model's cost a year of these tonnes, calibration premiums included; for money, read the "
                "resource cost.",
    "reduced_cost_usd_per_t": "How much cheaper per tonne this route must become before the model uses it (0 for "
                              "a route in use). HiGHS's reduced cost of the flow.",
    "break_even_cost_usd_per_t": "The cost per tonne at which this route starts to carry cargo (its cost minus the "
                                 "reduced cost).",
    "cost_range_low_usd_per_t": "The allocation stays the same while this route's cost per tonne stays between the "
                                "low and the high of its range (HiGHS cost ranging).",
    "cost_range_high_usd_per_t": "See cost range low: above this cost per tonne the allocation changes.",
    "valid_from_t": "The shadow price (or marginal cost) holds while this limit stays between valid from and valid "
                    "to (HiGHS bound ranging).",
    "valid_to_t": "See valid from: beyond this the shadow price (or marginal cost) changes.",
    "valid_for_more_t": "How many more tonnes the saving per tonne holds for.",
    "input_row": "The row of the input sheet this line comes from (the row number in Excel).",
    "shadow_price_usd_per_t": "What one more tonne a year of this capacity would save a year (USD per tonne).",
    "marginal_cost_usd_per_t": "What one more tonne of demand at this market would cost (USD per tonne).",
    "saving_usd_per_t": "What allowing one more tonne (or requiring one less) would save a year, per tonne; where "
                        "set_by says so, the value is set by the unmet-demand penalty chosen in Settings (it "
                        "delivers a stranded tonne), not a cost saved.",
    "resource_saving_usd_per_t": "The same, in resource cost alone (what is paid, and what time, risk and carbon "
                                 "cost): it differs from the saving where calibration premiums (behaviour) or the "
                                 "unmet-demand penalty enter the model's value. Blank where the basis does not "
                                 "give it.",
    "set_by": "cost: the value is a cost saved. unmet-demand penalty: demand goes unmet and the value is of the "
              "order of the penalty chosen in Settings, so it is the penalty's, not a cost.",
    "premium_usd_per_t": "Calibration premiums (the Surcharges rows corridor calibrate wrote): behaviour, not money, "
                         "so not part of the resource cost.",
    "commodity": "The commodity's code (Commodities sheet), for filtering.",
    "origin": "The origin's node code (Nodes sheet).",
    "market": "The market's node code (Nodes sheet).",
    "route": "The route's id (Routes sheet).",
    "countries": "The countries the route crosses, by code, in path order.",
    "market_country": "The country of the route's market, by code: cargo for that country's own market, not "
                      "transit through it to another.",
    "element": "The node, or the leg FROM>TO, by code (Capacities sheet).",
    "limit_value": "The limit as a number, in the unit of the next column.",
    "via": "The route's nodes in order, by name.",
    # route choice (model.results.choice)
    "share_of_demand": "Route choice: the route's tonnes as a share of its demand row's tonnes (a logit in "
                       "generalised cost).",
    "tolls_usd_per_t": "Route choice: what the full rows the route passes charge a tonne (their shadow prices: "
                       "capacities, rules, supplies), USD per tonne.",
    "generalised_cost_usd_per_t": "Route choice: cost per tonne plus tolls, what the logit splits by.",
    "above_cheapest_usd_per_t": "Route choice: how far the route's generalised cost is above the cheapest route of "
                                "its demand row; a route d USD/t above carries exp(-d / dispersion) times its tonnes.",
}
# A column whose meaning on a sheet differs from COLUMN_NOTES's, by (sheet, column).
SHEET_COLUMN_NOTES = {
    ("Investments", "reduced_cost_usd_per_t"):
        "How much cheaper per tonne a year this option must become before building (more of) it pays: 0 for an "
        "option built within its limit; negative where building more would pay, but the option is at its limit or "
        "not allowed. HiGHS's reduced cost of the build decision (blank for an option built whole: see the cost of "
        "the decision taken the other way).",
    ("Responses", "change_t_per_usd_per_t"):
        "Tonnes a year per USD/t cut at the port: of the focus (per USD/t cut), of the corridor (diversion: negative "
        "where the cargo comes from). A central difference of the choice allocation, the handling 1 USD/t down and up.",
    ("Responses", "via_focus_t_per_usd_per_t"):
        "The part of the corridor's change on routes through the focus: these add up to the focus's tonnes per "
        "USD/t cut.",
    ("Responses", "tonnes_t"): "Tonnes a year through the focus (a route through it counted once).",
    ("Responses", "cut_usd_per_t"): "How much lower the port's handling is than on the Nodes sheet, USD/t.",
}
# What deciding an option the other way changes (a plan's: the _total columns, over the whole plan, discounted).
_OTHER_DECISION = {
    "other_decision_usd":
        "For an option built whole, in modules or with a fixed cost: what deciding it the other way (built: not at "
        "all; not built: built) would change in resource cost (what is paid, and what time, risk and carbon cost), "
        "the rest re-optimised. 'not possible' where nothing may be built.",
    "other_decision_objective_usd":
        "The same change in the model's objective, which also counts calibration premiums (behaviour, not paid) and "
        "unmet tonnes at the penalty chosen in Settings: what the model decided by, not a cost.",
    "other_decision_unmet_t": "The same change in unmet demand, in tonnes.",
}
SHEET_COLUMN_NOTES.update({("Investments", name + suffix): note for name, note in _OTHER_DECISION.items()
                           for suffix in ("", "_total")})


def result_note(sheet: str, column) -> str | None:
    """The note on a result column's header: the sheet's own (SHEET_COLUMN_NOTES), else the column's."""
    return SHEET_COLUMN_NOTES.get((sheet, str(column)), COLUMN_NOTES.get(str(column)))
