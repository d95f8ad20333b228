"""corridor stress: every closure solved by model.analysis.stress, then its workbook and chart written."""

from __future__ import annotations

import time
from pathlib import Path

from model.analysis.stress import stress_test
from model.commands.sweep import case_about


def stress_to_workbook(src: Path, output: Path, mode: str, elements: str, penalty: float,
                       progress: bool = True, force: bool = False, keep_decisions: bool = False,
                       scenario: str | None = None, year: int | None = None, allocation: str | None = None) -> str:
    """corridor stress: every closure (of the kinds of element listed, comma separated, or of each
    corridor), the workbook and its chart; returns the text to print."""
    from model.errors import InputError, Problem
    from model.input.raw import file_sha256
    from model.report import console
    from model.report.books import about_table, write_stress
    from model.report.charts import stress_png
    from model.report.output import Outputs
    from model.results.summary import Provenance

    with Outputs("stress", [src], force) as outputs:
        outputs.check(output)
        if not 0 <= penalty <= 1e7:  # NaN fails too
            raise InputError("--penalty", [Problem(f"must be between 0 and 10,000,000 USD/t, found {penalty:g}",
                                                   "Give what a stranded tonne costs, e.g. --penalty 1000.")])
        kinds = {k.strip() for k in elements.split(",")}
        bad = kinds - {"ports", "borders", "hubs", "legs"}
        if bad:
            raise InputError("--elements", [Problem(f"unknown kind(s) {', '.join(sorted(bad))}",
                                                    "Use a comma list of ports, borders, hubs, legs.")])
        start = time.perf_counter()
        table, meta = stress_test(src, mode, kinds, penalty, progress=progress, keep_decisions=keep_decisions,
                                  scenario=scenario, year=year, allocation=allocation)
        about = about_table(Provenance.of(src, file_sha256(src)), [*case_about(scenario, year, meta["allocation"]),
            ("closed in turn", "each corridor" if mode == "corridors" else ", ".join(sorted(kinds))),
            ("stranded tonnes priced at (the penalty, a price chosen, not a cost)",
             f"{meta['penalty_usd_per_t']:,.0f} USD/t"),
            ("base resource cost (USD/yr)", meta["base_cost_usd"]),
            *([("base resource cost with calibration_rules off (USD/yr)", meta["base_cost_rules_off_usd"])]
              if "base_cost_rules_off_usd" in meta else []), ("closures", meta["closures"]),
            *([("integer decisions", meta["integer decisions"])] if "integer decisions" in meta else []),
            ("seconds", round(time.perf_counter() - start, 3))])
        write_stress(outputs, output, about, table)
        png = stress_png(outputs, table, output.with_suffix(""))
    return console.stress_text(table, output, png)
