"""corridor compare: the scenarios solved side by side by model.analysis.compare, then the workbook, its chart
and the maps' panels written."""

from __future__ import annotations

from pathlib import Path

from model.analysis.compare import compare
from model.input.schema import Blank
from model.plan import BASE


def compare_to_workbook(src: Path, scenarios: str | None, output: Path, force: bool = False,
                        allocation: str | None = None) -> str:
    """corridor compare: the base case and the scenarios (a comma list, or all), the workbook and
    its chart; returns the text to print."""
    from model.errors import InputError, Problem
    from model.input.data import scenario_names
    from model.input.read import read_input
    from model.input.scenarios import unknown_scenarios
    from model.report import console
    from model.report.books import write_compare
    from model.report.charts import compare_png
    from model.report.maps.files import map_png_path, write_panels
    from model.report.output import Outputs

    with Outputs("compare", [src], force) as outputs:
        outputs.check(output)
        outputs.check(map_png_path(output))
        data = read_input(src)
        known = scenario_names(data)
        wanted = known if scenarios in (None, Blank.ALL) else [s.strip() for s in scenarios.split(",") if s.strip()]
        if not wanted:
            raise InputError(str(src), [Problem("the Scenarios sheet names no scenario",
                                                "Add override rows to the Scenarios sheet, or pass --scenarios.")])
        unknown = unknown_scenarios([part.strip() for w in wanted for part in w.split("+")], known)
        if unknown:  # a typo would otherwise be compared as a failed case, with exit 0
            raise InputError(str(src), [Problem(f"--scenarios names '{part}', which is not on the Scenarios "
                                                f"sheet{mean}",
                                                f"Scenarios on the sheet: {', '.join(known) or 'none'}.")
                                        for part, mean in unknown])
        maps: dict = {}
        table, about = compare(src, wanted, maps, allocation=allocation)
        write_compare(outputs, output, table, about)
        png = compare_png(outputs, table, output.with_suffix(""))
        drawn = write_panels(outputs, list(maps.items()), f"Each scenario's flows: {Path(src).name}",
                             map_png_path(output))
    return console.compare_text(table, about, [BASE] + wanted, output, png, data.settings.focus) + (
        f"\nMap: {drawn}" if drawn else "")
