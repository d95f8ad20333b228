"""Every file the maps make, written through the command's Outputs (model.report.output): the map PNG
beside a result workbook, the report page, the comparison's panels; and `corridor map` and
`corridor report`, which make them again from a result workbook alone.

A map PNG is recognised as corridor's by its Software text, a report by its <meta name="generator">;
the map beside a result is the same picture whether corridor solve or corridor map drew it, so each
of the two replaces the other's (and likewise solve --html and corridor report)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from model.errors import WARNING, InputError, Problem, short_list
from model.report.maps.data import map_data, report_data
from model.report.maps.palette import corridor_colours
from model.report.output import Outputs, mark
from model.results.maps import MapTables

# The kinds of command whose map or report beside a result is the same file.
MAP_WRITERS, REPORT_WRITERS = ("solve", "map"), ("solve", "report")


def map_png_path(result: Path) -> Path:
    """<result>_map.png beside the result workbook."""
    return Path(result).with_name(Path(result).stem + "_map.png")


def report_path(result: Path) -> Path:
    """<result>.html beside the result workbook."""
    return Path(result).with_suffix(".html")


def map_warnings(tables: MapTables) -> list[Problem]:
    """The nodes the map leaves out for want of coordinates, as one warning (the whole map when no
    node on the legs used has any)."""
    missing = tables.unplaced
    if not missing:
        return []
    if not tables.placed:
        return [Problem("no node on the routes used has lat and lon, so no map is drawn",
                        "Enter lat and lon (degrees) for the nodes on the Nodes sheet to have a map.",
                        sheet="Nodes", column="lat, lon", severity=WARNING)]
    return [Problem(f"{len(missing)} node(s) on the routes used have no lat and lon: {short_list(missing)}; the map "
                    "leaves them and their legs out", "Enter their lat and lon (degrees) on the Nodes sheet.",
                    sheet="Nodes", column="lat, lon", severity=WARNING)]


def write_map_png(outputs: Outputs, tables: MapTables, path: Path) -> bytes | None:
    """Draw the map and write it to path (the caller's Outputs commits it); its PNG bytes, or None
    when no node on the legs used has coordinates (nothing is drawn or written then)."""
    if not tables.placed:
        return None
    from model.report.maps.png import draw_map  # Pillow: imported only to draw

    target = outputs.claim(path, also=MAP_WRITERS)
    picture = draw_map(map_data(tables), mark(outputs.kind))
    target.write_bytes(picture)
    return picture


def write_report(outputs: Outputs, tables: MapTables, sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """The report page (map, Summary rows, corridor charts, bottlenecks) of a result, to path."""
    from model.report.maps.page import render_html

    target = outputs.claim(path, also=REPORT_WRITERS)
    page = render_html(report_data(map_data(tables), sheets, tables.case), mark(outputs.kind))
    target.write_text(page, encoding="utf-8")
    return Path(path)


def write_panels(outputs: Outputs, panels: list[tuple[str, MapTables]], title: str, path: Path) -> Path | None:
    """One map per case, side by side (corridor compare), to path; None when nothing can be placed."""
    if not any(t.placed for _, t in panels):
        outputs.retire(path)  # an earlier comparison's panels would stand beside this one (model.report.output)
        return None
    from model.report.maps.png import draw_panels

    target = outputs.claim(path)
    colours = corridor_colours({c for _, t in panels for c in list(t.corridors["corridor"]) + list(t.legs["corridor"])})
    data = []
    for name, t in panels:
        data.append(replace(map_data(t, colours), panel=name, headline=t.headline))
    target.write_bytes(draw_panels(data, title, mark(outputs.kind)))
    return Path(path)


def _read_map(result: Path, report: bool = False) -> tuple[MapTables, dict[str, pd.DataFrame]]:
    """The Map sheet's tables and the other sheets of a result workbook (all that the map, or the
    report, reads of them checked: model.report.maps.sheet.map_problems); InputError if it is none."""
    from model.report.read_results import read_result_workbook

    fix = "Pass a result workbook written by 'corridor solve'."
    sheets = read_result_workbook(result, fix)
    if "Map nodes" in sheets:
        from model.report.read_results import map_problems

        problems = map_problems(sheets, report)
        if problems:
            raise InputError(str(result), problems)
    tables = MapTables.from_sheets(sheets)
    if tables is None and "Summary" not in sheets:
        raise InputError(str(result), [Problem("has no Summary or Map sheet; it is not a result workbook", fix)])
    if tables is None:
        raise InputError(str(result), [Problem(
            "the workbook has no Map sheet", "Solve the case again with this version of corridor-model (corridor "
            "solve writes the Map sheet), then draw from the new result workbook.", sheet="Map")])
    return tables, sheets


def map_from_result(result: Path, output: Path | None, force: bool = False) -> tuple[list[Problem], str]:
    """corridor map: the map of a result workbook, drawn again from its Map sheet; (warnings, text)."""
    output = output or map_png_path(result)
    with Outputs("map", [result], force) as outputs:
        outputs.check(output, also=MAP_WRITERS)
        tables, _ = _read_map(result)
        drawn = write_map_png(outputs, tables, output)
    return map_warnings(tables), (f"Map: {output}" if drawn else "No map drawn (see the warning).")


def report_from_result(result: Path, output: Path | None, force: bool = False) -> tuple[list[Problem], str]:
    """corridor report: the report page of a result workbook; (warnings, text)."""
    output = output or report_path(result)
    with Outputs("report", [result], force) as outputs:
        outputs.check(output, also=REPORT_WRITERS)
        tables, sheets = _read_map(result, report=True)
        write_report(outputs, tables, sheets, output)
    return map_warnings(tables), f"Report: {output}"
