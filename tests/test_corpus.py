"""A corpus of broken workbooks, each built in code from the valid base case with one fault, as a
planner would make it. Each asserts the exact message, exit code 2, and that no output appeared."""

from __future__ import annotations

import pytest
from conftest import BASE_XLSX
from corpus import (
    append_row,
    broken_copy,
    copy_row,
    delete_column,
    delete_rows,
    delete_sheet,
    duplicate_sheet,
    edits,
    formula,
    merge,
    rename_header,
    set_cell,
    shared_copy,
)

from model.cli import main

CASES = [
    (
        "node kind",
        set_cell("Nodes", 3, "kind", "harbour"),
        "Nodes, row 3 (EKB), kind: expected one of origin, border, port, hub, market, found 'harbour'. Choose one of: origin, border, port, hub, market.",
    ),
    (
        "blank node id",
        set_cell("Nodes", 20, "node", None),
        "Nodes, row 20, node: is blank; a value is required. Enter node: node id, used in paths, capacities and tariffs.",
    ),
    (
        "unknown country",
        set_cell("Nodes", 3, "country", "KZZ"),
        "Nodes, row 3 (EKB), country: unknown country 'KZZ'. Did you mean 'KZ'? Add the country to the Countries sheet or correct the code.",
    ),
    (
        "latitude",
        set_cell("Nodes", 3, "lat", 95),
        "Nodes, row 3 (EKB), lat: must be <= 90, found 95. Type a number in degrees, at least -90 and at most 90.",
    ),
    (
        "negative handling",  # a charge below 0 is a subsidy (a warning), but not below -1,000,000 USD/t
        set_cell("Nodes", 10, "handling_usd_per_t", -5_000_000),
        "Nodes, row 10 (RUB), handling_usd_per_t: must be >= -1,000,000, found -5,000,000. Type a number in USD/t, at least -1,000,000 and at most 1,000,000.",
    ),
    (
        "duplicate node",
        copy_row("Nodes", 2),
        "Nodes, row 54 (ATY): duplicate of row 2: node must be unique. Delete one of the two rows or merge them.",
    ),
    (
        "cost as text",
        set_cell("Legs", 2, "cost_usd_per_t", "ten"),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: expected a number, found text 'ten'. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "negative cost",
        set_cell("Legs", 2, "cost_usd_per_t", -10),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: must be >= 0, found -10. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "blank transit",
        set_cell("Legs", 2, "transit_days", None),
        "Legs, row 2 (EKB>RUB), transit_days: is blank; a value is required. Enter transit_days: time in transit on the leg.",
    ),
    (
        "mode",
        set_cell("Legs", 2, "mode", "train"),
        "Legs, row 2 (EKB>RUB), mode: expected one of rail, road, sea, pipeline, ferry, found 'train'. Choose one of: rail, road, sea, pipeline, ferry.",
    ),
    (
        "leg to unknown node",
        set_cell("Legs", 2, "to", "RUBB"),
        "Legs, row 2 (EKB>RUBB), to: unknown node 'RUBB'. Did you mean 'RUB'? Add the node to the Nodes sheet or correct the id.",
    ),
    (
        "duplicate leg",
        copy_row("Legs", 2),
        "Legs, row 136 (EKB>RUB): duplicate of row 2: from and to must be unique. Delete one of the two rows or merge them.",
    ),
    (
        "leg to itself",
        set_cell("Legs", 2, "to", "EKB"),
        "Legs, row 2 (EKB>EKB): a leg must join two different nodes. Correct 'from' or 'to'.",
    ),
    (
        "ambiguous separator",
        set_cell("Legs", 2, "cost_usd_per_t", "1,0"),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: expected a number, found text '1,0'. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "percent in USD",
        set_cell("Legs", 2, "cost_usd_per_t", "12%"),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: found '12%' with a percent sign in a column measured in USD/t. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "infinite",
        set_cell("Legs", 2, "cost_usd_per_t", "inf"),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: expected a finite number, found inf. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "tariff element",
        set_cell("Tariffs", 2, "element", "EKB>RUX"),
        "Tariffs, row 2 (EKB>RUX, container), element: unknown node or leg 'EKB>RUX'. Did you mean 'EKB>RUB'? Name a node id, or a leg as FROM>TO exactly as on the Legs sheet.",
    ),
    (
        "tariff class",
        set_cell("Tariffs", 2, "cargo_class", "containers"),
        "Tariffs, row 2 (EKB>RUB, containers), cargo_class: unknown cargo class 'containers'. Did you mean 'container'? Use a class from the Commodities sheet: container, dry_bulk, grain, liquid_bulk, metals.",
    ),
    (
        "negative value",
        set_cell("Commodities", 3, "value_usd_per_t", -1),
        "Commodities, row 3 (coal), value_usd_per_t: must be >= 0, found -1. Type a number in USD/t, at least 0 and at most 10,000,000.",
    ),
    (
        "duplicate commodity",
        copy_row("Commodities", 3),
        "Commodities, row 12 (coal): duplicate of row 3: commodity must be unique. Delete one of the two rows or merge them.",
    ),
    (
        "path ends at port",
        set_cell("Routes", 2, "path", "ATY>CPT"),
        "Routes, row 2 (ATY-CPC-MSE), path: path ends at 'CPT', a port; a route must end at a market. End the path at a node of kind 'market'.",
    ),
    (
        "path starts at port",
        set_cell("Routes", 2, "path", "CPT>MTR"),
        "Routes, row 2 (ATY-CPC-MSE), path: path starts at 'CPT', a port; a route must start at an origin. Start the path at a node of kind 'origin'.",
    ),
    (
        "path step not a leg",
        set_cell("Routes", 2, "path", "ATY>MTR"),
        "Routes, row 2 (ATY-CPC-MSE), path: step ATY>MTR of the path is not a leg. Add a row from=ATY, to=MTR to the Legs sheet, or correct the path.",
    ),
    (
        "path unknown node",
        set_cell("Routes", 2, "path", "ATY>CTP>MTR"),
        "Routes, row 2 (ATY-CPC-MSE), path: unknown node 'CTP'. Did you mean 'CPT'? Add the node to the Nodes sheet or correct the path.",
    ),
    (
        "enabled",
        set_cell("Routes", 2, "enabled", "maybe"),
        "Routes, row 2 (ATY-CPC-MSE), enabled: expected TRUE or FALSE, found 'maybe'. Type TRUE or FALSE.",
    ),
    (
        "route class",
        set_cell("Routes", 2, "cargo_classes", "liquid"),
        "Routes, row 2 (ATY-CPC-MSE), cargo_classes: unknown cargo class 'liquid'. Did you mean 'liquid_bulk'? List classes from the Commodities sheet, separated by commas, or leave blank for all.",
    ),
    (
        "duplicate route",
        copy_row("Routes", 2),
        "Routes, row 473 (ATY-CPC-MSE): duplicate of row 2: route must be unique. Delete one of the two rows or merge them.",
    ),
    (
        "negative capacity",
        set_cell("Capacities", 2, "capacity_t", -1),
        "Capacities, row 2 (CPT), capacity_t: must be >= 0, found -1. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "capacity element",
        set_cell("Capacities", 2, "element", "CPTT"),
        "Capacities, row 2 (CPTT), element: unknown node or leg 'CPTT'. Did you mean 'CPT'? Name a node id, or a leg as FROM>TO exactly as on the Legs sheet.",
    ),
    (
        "capacity with unit",
        set_cell("Capacities", 2, "capacity_t", "56 Mt"),
        "Capacities, row 2 (CPT), capacity_t: expected a number, found text '56 Mt'. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "supply min above max",
        set_cell("Supply", 2, "min_t", 80_000_000),
        "Supply, row 2 (crude, ATY), min_t: min_t 80,000,000 is above max_t 70,500,000. Lower min_t or raise max_t.",
    ),
    (
        "supply from a market",
        set_cell("Supply", 2, "origin", "MEU"),
        "Supply, row 2 (crude, MEU), origin: node 'MEU' is of kind 'market', expected a node of kind 'origin'. Name an origin node, or change the node's kind on the Nodes sheet.",
    ),
    (
        "supply commodity",
        set_cell("Supply", 2, "commodity", "oil"),
        "Supply, row 2 (oil, ATY), commodity: unknown commodity 'oil'. Did you mean 'crude' (Crude oil and condensate)? Add it to the Commodities sheet or correct the id.",
    ),
    (
        "demand at an origin",
        set_cell("Demand", 2, "market", "ATY"),
        "Demand, row 2 (crude, ATY), market: node 'ATY' is of kind 'origin', expected a node of kind 'market'. Name a market node, or change the node's kind on the Nodes sheet.",
    ),
    (
        "negative demand",
        set_cell("Demand", 2, "demand_t", -5),
        "Demand, row 2 (crude, MEU), demand_t: must be >= 0, found -5. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "demand origin mixed",
        append_row("Demand", {"commodity": "crude", "origin": "ATY", "market": "MEU", "demand_t": 1000}),
        "Demand, row 2 (crude, MEU), origin: demand for crude at MEU is given both for any origin (row 2) and for named origins (row 46), so a tonne could count twice. Either name the origin on every row for this commodity and market, or on none.",
    ),
    (
        "demand no route",
        set_cell("Demand", 2, "market", "MAF"),
        "Demand, row 2 (crude, MAF): no route can serve this demand: the routes from any origin to MAF (KOS-AF-MAF, KOS-TMAF-MAF, TRZ-AF-MAF, TRZ-TMAF-MAF) do not carry cargo class 'liquid_bulk'. Add or enable a route, add the class to a route's cargo_classes, or set unmet_penalty_usd_per_t in Settings to allow undelivered tonnes.",
    ),
    (
        "share above one",
        set_cell("Policies", 2, "value", 50),
        "Policies, row 2 (RU_CAP), value: a share must be between 0 and 1, found 50. Write 0.5 for 50%, or use kind 'max_t' for tonnes.",
    ),
    (
        "policy target",
        set_cell("Policies", 2, "target", "RUS"),
        "Policies, row 2 (RU_CAP), target: unknown country 'RUS'. Did you mean 'RU'? Name a country that exists, or * for each country separately.",
    ),
    (
        "policy commodity",
        set_cell("Policies", 2, "commodity", "dry_bulk,grains"),
        "Policies, row 2 (RU_CAP), commodity: unknown commodity or cargo class 'grains'. Did you mean 'grain'? Name commodity ids or cargo classes (comma separated), or leave blank for all.",
    ),
    (
        "policy kind",
        set_cell("Policies", 2, "kind", "cap"),
        "Policies, row 2 (RU_CAP), kind: expected one of max_share, min_share, max_t, min_t, max_co2_t, found 'cap'. Choose one of: max_share, min_share, max_t, min_t, max_co2_t.",
    ),
    (
        "carrying cost as percent number",
        set_cell("Settings", 3, "value", 12),
        "Settings, row 3 (carrying_cost_rate), value: must be <= 10, found 12 (write 0.12 for 12%). Type a number (per year), or leave it blank for the default.",
    ),
    (
        "carrying cost text",
        set_cell("Settings", 3, "value", "eight"),
        "Settings, row 3 (carrying_cost_rate), value: expected a number, found text 'eight'. Type a number (per year), or leave it blank for the default.",
    ),
    (
        "setting twice",
        copy_row("Settings", 3),
        "Settings, row 15 (carrying_cost_rate), key: setting 'carrying_cost_rate' is given twice (also row 3). Keep one of the two rows.",
    ),
    # Ids that look right and match nothing: a look-alike letter of another script, an invisible
    # character, another case. The message shows the character and suggests the id meant; before,
    # it suggested an id that looked identical to the value, or nothing.
    (
        "Cyrillic letter in a path",
        set_cell("Routes", 2, "path", "\u0410TY>CPT>MSE"),
        "Routes, row 2 (ATY-CPC-MSE), path: unknown node '\u0410TY' (contains Cyrillic \u0410, U+0410). Did you mean 'ATY'? Add the node to the Nodes sheet or correct the path.",
    ),
    (
        "Greek letter in a path",
        set_cell("Routes", 2, "path", "ATY>C\u03a1T>MSE"),
        "Routes, row 2 (ATY-CPC-MSE), path: unknown node 'C\u03a1T' (contains Greek \u03a1, U+03A1). Did you mean 'CPT'? Add the node to the Nodes sheet or correct the path.",
    ),
    (
        "Cyrillic letter in a country",
        set_cell("Nodes", 3, "country", "\u041aZ"),
        "Nodes, row 3 (EKB), country: unknown country '\u041aZ' (contains Cyrillic \u041a, U+041A). Did you mean 'KZ'? Add the country to the Countries sheet or correct the code.",
    ),
    (
        "zero-width space in a leg's node",
        set_cell("Legs", 2, "to", "RUB\u200b"),
        "Legs, row 2 (EKB>RUB\\u200b), to: unknown node 'RUB\\u200b' (contains an invisible zero-width space, U+200B). Did you mean 'RUB'? Add the node to the Nodes sheet or correct the id.",
    ),
    (
        "lowercase node in a leg",
        set_cell("Legs", 2, "from", "ekb"),
        "Legs, row 2 (ekb>RUB), from: unknown node 'ekb'. Did you mean 'EKB'? Add the node to the Nodes sheet or correct the id.",
    ),
    (
        "lowercase capacity element",
        set_cell("Capacities", 2, "element", "cpt"),
        "Capacities, row 2 (cpt), element: unknown node or leg 'cpt'. Did you mean 'CPT'? Name a node id, or a leg as FROM>TO exactly as on the Legs sheet.",
    ),
    (
        "Cyrillic letter in a tariff's leg",
        set_cell("Tariffs", 2, "element", "EKB>RU\u0412"),
        "Tariffs, row 2 (EKB>RU\u0412, container), element: unknown node or leg 'EKB>RU\u0412' (contains Cyrillic \u0412, U+0412). Did you mean 'EKB>RUB'? Name a node id, or a leg as FROM>TO exactly as on the Legs sheet.",
    ),
    (
        "capitalised cargo class",
        set_cell("Tariffs", 2, "cargo_class", "Container"),
        "Tariffs, row 2 (EKB>RUB, Container), cargo_class: unknown cargo class 'Container'. Did you mean 'container'? Use a class from the Commodities sheet: container, dry_bulk, grain, liquid_bulk, metals.",
    ),
    (
        "route class in another case",
        set_cell("Routes", 2, "cargo_classes", "Liquid_Bulk"),
        "Routes, row 2 (ATY-CPC-MSE), cargo_classes: unknown cargo class 'Liquid_Bulk'. Did you mean 'liquid_bulk'? List classes from the Commodities sheet, separated by commas, or leave blank for all.",
    ),
    (
        "Cyrillic letter in a commodity",
        set_cell("Demand", 2, "commodity", "\u0441rude"),
        "Demand, row 2 (\u0441rude, MEU), commodity: unknown commodity '\u0441rude' (contains Cyrillic \u0441, U+0441). Did you mean 'crude'? Add it to the Commodities sheet or correct the id.",
    ),
    (
        "byte order mark in an origin",
        set_cell("Supply", 2, "origin", "\ufeffATY"),
        "Supply, row 2 (crude, \\ufeffATY), origin: unknown node '\\ufeffATY' (contains an invisible byte order mark, U+FEFF). Did you mean 'ATY'? Name a node of kind 'origin' from the Nodes sheet.",
    ),
    (
        "soft hyphen in a policy target",
        set_cell("Policies", 2, "target", "R\u00adU"),
        "Policies, row 2 (RU_CAP), target: unknown country 'R\\u00adU' (contains an invisible soft hyphen, U+00AD). Did you mean 'RU'? Name a country that exists, or * for each country separately.",
    ),
    (
        "Cyrillic letter in a policy's commodity list",
        set_cell("Policies", 2, "commodity", "dry_bulk,gr\u0430in,metals,container"),
        "Policies, row 2 (RU_CAP), commodity: unknown commodity or cargo class 'gr\u0430in' (contains Cyrillic \u0430, U+0430). Did you mean 'grain'? Name commodity ids or cargo classes (comma separated), or leave blank for all.",
    ),
    (
        "no-break space in an investment's element",
        set_cell("Investments", 3, "element", "K\u00a0HI"),
        "Investments, row 3 (KAZ_TERMINAL_KHI), element: unknown node or leg 'K\\u00a0HI' (contains a no-break space, U+00A0). Did you mean 'KHI'? Name a node id, or a leg as FROM>TO exactly as on the Legs sheet.",
    ),
    # Numbers no planner could mean: 1e18 or 1e20 (HiGHS's infinity) used to pass validation and end
    # as "HiGHS stopped without an optimum (status: Unknown)" naming no row.
    (
        "demand of 1e20",
        set_cell("Demand", 2, "demand_t", 1e20),
        "Demand, row 2 (crude, MEU), demand_t: must be <= 10,000,000,000, found 1e+20. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "demand of 1e308 typed as text",
        set_cell("Demand", 2, "demand_t", "1e308"),
        "Demand, row 2 (crude, MEU), demand_t: must be <= 10,000,000,000, found 1e+308. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "leg cost of 1e18",
        set_cell("Legs", 2, "cost_usd_per_t", 1e18),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: must be <= 1,000,000, found 1e+18. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "tariff of 1e20",
        set_cell("Tariffs", 2, "cost_usd_per_t", 1e20),
        "Tariffs, row 2 (EKB>RUB, container), cost_usd_per_t: must be <= 1,000,000, found 1e+20. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "handling cost a thousand times too large",
        set_cell("Nodes", 10, "handling_usd_per_t", 5_000_000),
        "Nodes, row 10 (RUB), handling_usd_per_t: must be <= 1,000,000, found 5,000,000. Type a number in USD/t, at least -1,000,000 and at most 1,000,000.",
    ),
    (
        "dwell in hours",
        set_cell("Nodes", 10, "dwell_days", 4000),
        "Nodes, row 10 (RUB), dwell_days: must be <= 3650, found 4000. Type a number in days, at least 0 and at most 3650.",
    ),
    (
        "transit of 1e20 days",
        set_cell("Legs", 2, "transit_days", 1e20),
        "Legs, row 2 (EKB>RUB), transit_days: must be <= 3650, found 1e+20. Type a number in days, at least 0 and at most 3650.",
    ),
    (
        "distance in metres",
        set_cell("Legs", 2, "distance_km", 1_450_000),
        "Legs, row 2 (EKB>RUB), distance_km: must be <= 40,000, found 1,450,000. Type a number in km, at least 0 and at most 40,000.",
    ),
    (
        "cargo value of 1e20",
        set_cell("Commodities", 3, "value_usd_per_t", 1e20),
        "Commodities, row 3 (coal), value_usd_per_t: must be <= 10,000,000, found 1e+20. Type a number in USD/t, at least 0 and at most 10,000,000.",
    ),
    (
        "capacity in grams",
        set_cell("Capacities", 2, "capacity_t", 56e12),
        "Capacities, row 2 (CPT), capacity_t: must be <= 10,000,000,000, found 56,000,000,000,000. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "supply of 1e20",
        set_cell("Supply", 2, "max_t", 1e20),
        "Supply, row 2 (crude, ATY), max_t: must be <= 10,000,000,000, found 1e+20. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "policy tonnes of 1e20",
        set_cell("Policies", 2, "value", 1e20),
        "Policies, row 2 (RU_CAP), value: must be <= 10,000,000,000, found 1e+20. Type a number in share 0-1, t/yr or t CO2e/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "investment cost of 1e20",
        set_cell("Investments", 2, "annualised_cost_usd_per_t", 1e20),
        "Investments, row 2 (CPC_DEBOTTLENECK), annualised_cost_usd_per_t: must be <= 1,000,000, found 1e+20. Type a number in USD/t, at least 0 and at most 1,000,000.",
    ),
    (
        "investment size of 1e20",
        set_cell("Investments", 2, "max_added_t", 1e20),
        "Investments, row 2 (CPC_DEBOTTLENECK), max_added_t: must be <= 10,000,000,000, found 1e+20. Type a number in t/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "lead time in months",
        set_cell("Investments", 2, "lead_time_years", 60),
        "Investments, row 2 (CPC_DEBOTTLENECK), lead_time_years: must be <= 50, found 60. Type a number in years, at least 0 and at most 50.",
    ),
    (
        "penalty of 1e20",
        set_cell("Settings", 5, "value", 1e20),
        "Settings, row 5 (unmet_penalty_usd_per_t), value: must be <= 10,000,000, found 1e+20. Type a number (USD/t), or leave it blank for the default.",
    ),
    # Emissions: the intensity of a leg, the CO2e of handling, the carbon price, a CO2e cap, and the
    # distance every priced or capped leg needs.
    (
        "negative CO2e intensity",
        set_cell("Legs", 2, "co2_g_per_tkm", -3),
        "Legs, row 2 (EKB>RUB), co2_g_per_tkm: must be >= 0, found -3. Type a number in g CO2e/tkm, at least 0 and at most 10,000.",
    ),
    (
        "CO2e intensity in milligrams",
        set_cell("Legs", 2, "co2_g_per_tkm", 62000),
        "Legs, row 2 (EKB>RUB), co2_g_per_tkm: must be <= 10,000, found 62,000. Type a number in g CO2e/tkm, at least 0 and at most 10,000.",
    ),
    (
        "handling CO2e as text",
        set_cell("Nodes", 10, "co2_kg_per_t", "two"),
        "Nodes, row 10 (RUB), co2_kg_per_t: expected a number, found text 'two'. Type a number in kg CO2e/t, at least 0 and at most 1000.",
    ),
    (
        "negative carbon price",
        set_cell("Settings", 12, "value", -5),
        "Settings, row 12 (carbon_price_usd_per_t_co2), value: must be >= 0, found -5. Type a number (USD/t CO2e), or leave it blank for the default.",
    ),
    (
        "carbon price as text",
        set_cell("Settings", 12, "value", "fifty"),
        "Settings, row 12 (carbon_price_usd_per_t_co2), value: expected a number, found text 'fifty'. Type a number (USD/t CO2e), or leave it blank for the default.",
    ),
    (
        "negative CO2e cap",
        edits(set_cell("Policies", 2, "kind", "max_co2_t"), set_cell("Policies", 2, "value", -1)),
        "Policies, row 2 (RU_CAP), value: must be >= 0, found -1. Type a number in share 0-1, t/yr or t CO2e/yr, at least 0 and at most 10,000,000,000.",
    ),
    (
        "carbon price on a leg without distance",
        edits(set_cell("Settings", 12, "value", 50), set_cell("Legs", 2, "distance_km", None)),
        "Legs, row 2 (EKB>RUB), distance_km: is blank; a length in km is needed, since CO2e is priced or capped (carbon_price_usd_per_t_co2 is 50) and enabled route(s) EKB-RBS-MCN, EKB-RUB-MEU, EKB-RBS-MEU, EKB-RBS-MTR, EKB-RU-MRU use this leg. Enter the leg's length in km (its CO2e is distance_km x co2_g_per_tkm); or set carbon_price_usd_per_t_co2 to 0 and remove the max_co2_t rules.",
    ),
    (
        "CO2e cap over a leg without distance",
        edits(set_cell("Policies", 2, "kind", "max_co2_t"), set_cell("Policies", 2, "value", 5e6),
              set_cell("Legs", 9, "distance_km", None)),
        "Legs, row 9 (KOS>DOS), distance_km: is blank; a length in km is needed, since CO2e is priced or capped (max_co2_t rule RU_CAP (Policies row 2) caps it) and enabled route(s) KOS-DOS-MCN, KOS-DOSLYG-MEU use this leg. Enter the leg's length in km (its CO2e is distance_km x co2_g_per_tkm); or set carbon_price_usd_per_t_co2 to 0 and remove the max_co2_t rules.",
    ),
    (
        "missing sheet",
        delete_sheet("Demand"),
        "required sheet 'Demand' is missing. Add a sheet named 'Demand' (tonnes that must reach each market); 'corridor template' writes one with its headers.",
    ),
    (
        "missing column",
        delete_column("Legs", "transit_days"),
        "Legs, transit_days: required column 'transit_days' is missing. Add a header cell 'transit_days' in row 1 (time in transit on the leg).",
    ),
    (
        "duplicate header",
        rename_header("Legs", "distance_km", "cost_usd_per_t"),
        "Legs, row 1: column 'cost_usd_per_t' appears twice (columns 4 and 5). Delete or rename one of them.",
    ),
    (
        "merged cells",
        merge("Routes", "B5:B6"),
        "Routes, row 5: cells B5:B6 are merged; every row of a table needs its own values. Unmerge them (Home > Merge & Center > Unmerge Cells) and fill in each row.",
    ),
    (
        "formula without value",
        formula("Legs", "E2", "=D2*0.025"),
        "Legs, row 2 (EKB>RUB), cost_usd_per_t: cell E2 holds the formula =D2*0.025 but no saved value: the file was last saved by a program that does not store computed values. Open the file in Excel or LibreOffice and save it, or type the value into the cell.",
    ),
    (
        "hidden stale copy of a sheet",
        duplicate_sheet("Demand", "DEMAND ", hidden=True),
        "Demand: 2 sheets are read as 'Demand': 'Demand' and 'DEMAND ' (hidden); the model will not guess which one holds the data. Delete or rename one of them (to see a hidden sheet, right-click any sheet tab and choose Unhide).",
    ),
    (
        "visible copy of a sheet",
        duplicate_sheet("Legs", "Legs "),
        "Legs: 2 sheets are read as 'Legs': 'Legs' and 'Legs '; the model will not guess which one holds the data. Delete or rename one of them.",
    ),
    (
        "empty sheet",
        delete_rows("Commodities"),
        "Commodities: sheet has no rows; the model needs at least one (what is shipped). Fill in the Commodities sheet below its header row.",
    ),
    (
        "supply minimum impossible",
        append_row("Supply", {"commodity": "copper", "origin": "ATY", "max_t": 1, "min_t": 1}),
        "Supply, row 13 (copper, ATY), min_t: min_t 1 t cannot be shipped: no demand row takes copper from ATY over an enabled route. Lower min_t to 0, or add demand and a route for this commodity from this origin.",
    ),
    (
        "policy minimum impossible",
        append_row(
            "Policies",
            {"rule": "GWD_MIN", "kind": "min_t", "scope": "node", "target": "GWD", "commodity": "crude", "value": 1e6},
        ),
        "Policies, row 12 (GWD_MIN), target: requires 1,000,000 t through node 'GWD', but no flow of crude can pass it. Check the target and commodity, or add a route through the target that serves a demand row.",
    ),
]


@pytest.mark.slow  # 93 workbooks; test_validation states one fault per message in the fast loop
@pytest.mark.parametrize("name, edit, message", CASES, ids=[c[0] for c in CASES])
def test_broken_workbook(tmp_path, capsys, corpus_copies, name, edit, message):
    path = shared_copy(BASE_XLSX, corpus_copies, name, edit)
    out = tmp_path / "out" / "result.xlsx"
    assert main(["solve", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"\n  {message}\n" in err + "\n"
    assert "Traceback" not in err
    assert not out.exists() and not out.parent.exists()


def test_corpus_size():
    # Every class of fault keeps its cases (sheet-level, cell types and bounds, references with
    # look-alike and invisible characters, paths, rules, file structure); the names are unique so
    # that none hides another, and the documentation (docs/user-guide/trust.md) states the count.
    from doc_pages import documentation

    names = [c[0] for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 80
    assert f"holds {len(CASES)} broken copies of the base-case workbook" in " ".join(
        documentation().split())


def test_an_unedited_copy_is_the_base_workbook_saved_again(tmp_path):
    # broken_copy starts each copy from one pickled parse of the base workbook: without an edit it
    # must write what load_workbook and save write, part for part (the save time in docProps aside).
    import zipfile

    from openpyxl import load_workbook

    (tmp_path / "other").mkdir()
    broken_copy(BASE_XLSX, tmp_path / "other", lambda wb: wb["Legs"].append(["changed"]))  # touches no later copy
    copy = broken_copy(BASE_XLSX, tmp_path, lambda wb: None)
    direct = tmp_path / "direct.xlsx"
    load_workbook(BASE_XLSX).save(direct)
    with zipfile.ZipFile(copy) as a, zipfile.ZipFile(direct) as b:
        assert a.namelist() == b.namelist()
        assert {n for n in a.namelist() if a.read(n) != b.read(n)} <= {"docProps/core.xml"}
