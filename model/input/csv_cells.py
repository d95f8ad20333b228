"""CSV files corridor writes, and the CSV cells it reads: text a spreadsheet would run is escaped
(OWASP's advice on CSV injection) and read back as it was, so convert's round trip keeps it."""

from __future__ import annotations

import pandas as pd

# Text a spreadsheet runs as a formula when it opens a CSV file (OWASP, CSV injection): a cell that
# begins with one of these. A CSV cell of such text is written with a ' before it, which Excel
# shows as text and corridor's CSV reader removes (from_csv_text), so convert's round trip keeps
# the text; a number (-5) is written as a number, never escaped.
CSV_RUNS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A value as a CSV cell: text a spreadsheet would run gets a ' before it (as does text that
    already begins with ' before such a character, so that reading it back is exact)."""
    if isinstance(value, str) and value.lstrip("'")[:1] in CSV_RUNS and value[:1] in (*CSV_RUNS, "'"):
        return "'" + value
    return value


def from_csv_text(value):
    """A CSV cell as the text it stands for: the ' that csv_text put before it removed."""
    if isinstance(value, str) and value[:1] == "'" and value.lstrip("'")[:1] in CSV_RUNS:
        return value[1:]
    return value


def write_csv(df: pd.DataFrame, path) -> None:
    """A table as a CSV file, every text cell escaped (csv_text): every CSV file corridor writes."""
    text = df.select_dtypes(include=["object", "string"]).columns
    if len(text):
        df = df.copy()
        for c in text:
            df[c] = df[c].map(csv_text)
    df.to_csv(path, index=False)
