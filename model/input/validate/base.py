"""What the checks share: the rows of a sheet as dicts (made once), a row's place for a message,
and how an unknown id is reported (look-alike and invisible characters shown, the id meant suggested)."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping

from model.errors import Problem
from model.input.data import ROW, CorridorData, records, row_key
from model.input.schema import SHEETS_BY_NAME
from model.network.names import suggestions


def _records(data: CorridorData, sheet: str) -> list[dict]:
    """The rows of a sheet as dicts, made once per table (several checks read the same sheet)."""
    df = data.tables[sheet]
    hit = data.derived.records.get(sheet)
    if hit is None or hit[0] is not df:
        hit = data.derived.records[sheet] = (df, records(df))
    return hit[1]


def _key(sheet: str, rec: dict) -> str:
    return row_key(SHEETS_BY_NAME[sheet], rec)


class _Where(Mapping):
    """The sheet, row and key of a record, for Problem(..., **where); the key is worked out only
    when a problem is reported."""

    def __init__(self, sheet: str, rec: dict):
        self.sheet, self.rec = sheet, rec

    def __iter__(self):
        return iter(("sheet", "row", "key"))

    def __len__(self) -> int:
        return 3

    def __getitem__(self, name):
        if name == "sheet":
            return self.sheet
        if name == "row":
            return self.rec[ROW]
        if name == "key":
            return _key(self.sheet, self.rec) or None
        raise KeyError(name)


# Letters of other scripts that look like Latin ones (Cyrillic, with Kazakh's Ү and Һ, and Greek),
# and the characters a reader cannot see or tell from a space. An id typed with one of them looks
# right on screen and matches nothing: the message shows the character and suggests the id it
# was meant to be.
_LOOKALIKE = str.maketrans(
    "АВЕКМНОРСТХУЅІЈԚԜҮҺаеорсухѕіјһԁԛԝӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧορνικαυ",
    "ABEKMHOPCTXYSIJQWYHaeopcyxsijhdqwlABEZHIKMNOPTYXopvikau")
_INVISIBLE = {"\u200b": "zero-width space", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
              "\u2060": "word joiner", "\ufeff": "byte order mark", "\u00ad": "soft hyphen",
              "\u200e": "left-to-right mark", "\u200f": "right-to-left mark"}


def _hidden(ch: str) -> bool:
    """A character that shows as nothing, or as a space without being one."""
    return ch in _INVISIBLE or unicodedata.category(ch) in ("Cf", "Cc") or \
        (unicodedata.category(ch) == "Zs" and ch != " ")


def _odd_characters(text: str) -> str:
    """' (contains Cyrillic А, U+0410)' or ' (contains an invisible zero-width space, U+200B)': what a
    reader of text cannot see; '' when it has nothing of the kind."""
    found = []
    for ch in dict.fromkeys(text):
        if ch.translate(_LOOKALIKE) != ch:
            found.append(f"{unicodedata.name(ch).split()[0].title()} {ch}, U+{ord(ch):04X}")
        elif _hidden(ch):
            name = _INVISIBLE.get(ch) or unicodedata.name(ch, "control character").lower()
            found.append(f"{'an invisible' if unicodedata.category(ch) != 'Zs' else 'a'} {name}, U+{ord(ch):04X}")
    return f" (contains {' and '.join(found)})" if found else ""


def _shown(text: str) -> str:
    """Text as a message quotes it: characters that show as nothing or as a space written as \\u200b."""
    return "".join(f"\\u{ord(ch):04x}" if _hidden(ch) else ch for ch in text)


def _skeleton(text: str) -> str:
    """What an id looks like to a reader: look-alike letters read as Latin, without invisible
    characters or spaces of any kind, and case ignored."""
    return "".join(ch for ch in text if ch != " " and not _hidden(ch)).translate(_LOOKALIKE).casefold()


def _suggestion(value: str, known) -> str | None:
    """The known id that value was meant to be: one that looks the same (differs only in case,
    look-alike letters or invisible characters), else the closest spelling."""
    names = sorted(str(k) for k in known)
    looks = _skeleton(value)
    same = [k for k in names if _skeleton(k) == looks]
    if same:
        return same[0]
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(what: str, value: str, known, sheet: str, rec: dict, column: str, fix: str,
             names: Mapping[str, str] | None = None) -> Problem:
    """'unknown node 'АTY' (contains Cyrillic А, U+0410). Did you mean 'ATY'?', for every reference
    column (nodes, countries, legs, elements, classes, commodities, path steps, policy targets).
    names ({code: name}): where no id looks like the value, the id whose name does ('Pakistan' for a
    country: Did you mean 'PK' (Pakistan)?)."""
    value = str(value)
    close, named = _suggestion(value, known), ""
    if close is None and names:
        by_name = suggestions(value, {k: names.get(k, k) for k in known})
        close = by_name[0] if by_name else None
        named = f" ({names[close]})" if close and names.get(close, close) != close else ""
    hint = f" Did you mean '{_shown(close)}'{_odd_characters(close)}{named}?" if close else ""
    return Problem(f"unknown {what} '{_shown(value)}'{_odd_characters(value)}.{hint}", fix, sheet=sheet,
                   row=rec[ROW], key=_shown(_key(sheet, rec)) or None, column=column)


