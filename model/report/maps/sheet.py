"""The result workbook's Map sheet (model.report.result_book): what the map shows, its nodes and its
used legs as tables, and the map itself as a picture beside them. model.report.read_results reads the tables
back (map_blocks), so that a result workbook alone is enough to redraw the map and write the report."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from model.report.cells import header, number_format
from model.report.result_book import BOLD, NOTE, Cells, ResultBook
from model.results.maps import MAP_LEG_COLUMNS, MAP_NODE_COLUMNS, MapTables

MAP_SHEET = "Map"
NODES_TITLE, LEGS_TITLE = "Nodes of the map", "Legs used, one row per leg and corridor"
# how large the picture shows in Excel (the image keeps its 1600 x 1000 px; a taller one, its shape)
PICTURE_PX = (960, 600)


@dataclass
class MapSheet:
    """What the Map sheet holds: the tables, and the picture if one was drawn (else why not)."""

    tables: MapTables
    picture: bytes | None = None  # the PNG's bytes
    picture_file: str | None = None  # the PNG's name beside the workbook
    why_not: str = ""  # why there is no picture, when there is none


def map_sheet(wb: ResultBook, sheet: MapSheet) -> None:
    """Add the Map sheet: a note, the about rows (title, subtitle, the case of a plan), the nodes and
    the legs; the picture to the right of the tables, if drawn, else why not in the note."""
    tables, picture, picture_file = sheet.tables, sheet.picture, sheet.picture_file
    why_not = sheet.why_not or ("" if picture else "No picture: no node on the routes used has lat and lon.")
    ws = wb.create_sheet(MAP_SHEET)
    cells = Cells(ws)
    note = ("The map of this result" + (f" (also {picture_file}, beside this workbook)" if picture_file else "")
            + ": the nodes and the legs used, drawn from the two tables below; the corridor totals and full "
            "capacities are those of the Corridors and Capacity sheets. corridor map redraws it from this workbook, "
            "corridor report writes the HTML report." + (f" {why_not}" if why_not else ""))
    for j, width in enumerate((14, 34, 10, 10, 30, 12, 14, 12, 8), start=1):
        ws.width(j, width)
    ws.append([cells.styled(note, style=NOTE)])
    ws.append([])
    for item, value in tables.about():
        ws.append([cells.styled(item, style=BOLD), cells.styled(value)])
    for title, df, columns in ((NODES_TITLE, tables.nodes, MAP_NODE_COLUMNS), (LEGS_TITLE, tables.legs,
                                                                               MAP_LEG_COLUMNS)):
        ws.append([])
        ws.append([cells.styled(title, style=BOLD)])
        ws.append(cells.header([header(c) for c in columns]))
        formats = [number_format(c) for c in columns]
        for values in df[columns].itertuples(index=False, name=None):
            ws.append(cells.row(values, formats))
    if picture:
        from PIL import Image

        with Image.open(io.BytesIO(picture)) as image:
            width, dpi = image.width, image.info.get("dpi", (96, 96))[0] or 96
        scale = PICTURE_PX[0] / width * dpi / 96  # XlsxWriter shows a picture at its dpi; scaled alike, its own shape
        ws.ws.insert_image(f"{get_column_letter(len(MAP_NODE_COLUMNS) + 2)}3", "map.png",
                           {"image_data": io.BytesIO(picture), "x_scale": scale, "y_scale": scale})


def map_blocks(raw: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The Map sheet read with no header (pandas, header=None) -> {"Map": item, value; "Map nodes":
    MAP_NODE_COLUMNS; "Map legs": MAP_LEG_COLUMNS}. The sheet is read in the order map_sheet writes
    it: note, blank, about rows up to a blank row, then each table's title, header and rows up to a
    blank row (or the end)."""
    first = raw.iloc[:, 0].tolist()

    def blank(i: int) -> bool:
        return i >= len(first) or raw.iloc[i].isna().all()

    i = 2
    about = []
    while not blank(i):
        about.append((str(first[i]), raw.iat[i, 1] if raw.shape[1] > 1 else None))
        i += 1
    out = {"Map": pd.DataFrame(about, columns=["item", "value"])}
    for name, columns in (("Map nodes", MAP_NODE_COLUMNS), ("Map legs", MAP_LEG_COLUMNS)):
        head = i + 2  # the blank row, the table's title, then its header
        end = head + 1
        while not blank(end):
            end += 1
        table = raw.iloc[head + 1:end, :len(columns)].copy()
        if table.shape[1] < len(columns):  # a column cut off: left out, for the reader's check to name
            columns = columns[:table.shape[1]]
        # a column is known by its header, as map_sheet wrote it: one renamed or moved is left under the
        # text found, for the reader's check to name as missing (not read as another column's numbers)
        found = [str(v).strip() for v in raw.iloc[head, :len(columns)]] if head < len(raw) else []
        table.columns = [c if i < len(found) and found[i] == header(c) else f"{found[i] if i < len(found) else ''}"
                         f" (column {i + 1})" for i, c in enumerate(columns)]
        columns = [c for c in columns if c in table.columns]
        for c in columns:
            if number_format(c) or c in ("lat", "lon"):
                numbers = pd.to_numeric(table[c], errors="coerce")
                if not (numbers.isna() & table[c].notna()).any():  # text is left as found, for the check to name
                    table[c] = numbers
        out[name] = table.reset_index(drop=True)
        out[name].attrs.update(first_row=head + 2, sheet=MAP_SHEET)  # for messages: its first row, as Excel counts
        i = end
    return out
