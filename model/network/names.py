"""Names beside codes: the words a reader of a result knows a node, a country, a commodity, a leg or
a route by, from the Nodes, Countries and Commodities sheets (the code where a row has no name).

Every sheet of the result keeps its codes, for filtering and for corridor check; these are the
columns a reader reads first.

The other way too: what a planner types where a code goes (a frontier target, the focus setting, a
sweep's key, explain's --commodity) is read by its code or its name, case aside (lookup,
Names.resolve), and what matches nothing is answered with the codes whose code or name looks like it,
each with its name beside it (suggestions, did_you_mean). One module, so that an output and an
input say a thing the same way."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from model.input.data import CorridorData
from model.input.schema import Blank, Scope

ARROW = " → "


def _names(df: pd.DataFrame, key: str) -> dict[str, str]:
    if key not in df.columns or "name" not in df.columns:
        return {}
    out = {}
    for code, name in zip(df[key], df["name"], strict=True):
        if isinstance(code, str):
            out[code] = name.strip() if isinstance(name, str) and name.strip() else code
    return out


@dataclass(frozen=True)
class Names:
    node: dict[str, str]
    country: dict[str, str]
    commodity: dict[str, str]

    @classmethod
    def of(cls, data: CorridorData) -> Names:
        t = data.tables
        return cls(_names(t["Nodes"], "node"), _names(t["Countries"], "country"),
                   _names(t["Commodities"], "commodity"))

    def place(self, node: str) -> str:
        """A node's name, without the 'Market: ' the base case puts before a market's."""
        name = self.node.get(node, node)
        return name.removeprefix("Market: ")

    def path(self, path: str | Iterable[str]) -> str:
        """A route (its nodes, or 'A>B>C') in words: 'Taraz → Chaman → Karachi → South Asia'."""
        nodes = path.split(">") if isinstance(path, str) else list(path)
        return ARROW.join(self.place(n.strip()) for n in nodes)

    def element(self, element: str) -> str:
        """A node or a leg (FROM>TO) in words; a leg whose nodes have no names as written (A>M)."""
        if ">" in element and any(self.node.get(n.strip(), n.strip()) != n.strip() for n in element.split(">")):
            return self.path(element)
        return self.place(element)

    def cargo(self, commodity: str) -> str:
        return self.commodity.get(commodity, commodity)

    def cargoes(self, commodity: str | None) -> str:
        """A commodity filter in words: 'crude' -> 'Crude oil and condensate', 'dry_bulk,grain' as
        written (cargo classes have no names), None -> 'all cargo'."""
        if not commodity or commodity == Blank.ALL:
            return "all cargo"
        return ", ".join(self.cargo(c.strip()) for c in str(commodity).split(","))

    def target(self, scope: str, target: str) -> str:
        """What a rule, an observation or a surcharge applies to, in words: 'country Pakistan',
        'leg Aktau → Alat', 'corridor Middle Corridor', 'each country'."""
        if target == "*":
            return f"each {scope}"
        if scope == Scope.COUNTRY:
            return f"country {self.country.get(target, target)}"
        if scope in (Scope.NODE, Scope.LEG):
            return f"{scope} {self.element(target)}"
        return f"{scope} {target}"

    def choices(self, scope: str, codes: Iterable[str]) -> dict[str, str]:
        """{code: name} of the codes of a scope (country, node, leg, commodity; a corridor is its own
        name, a route its id): what a reader may name them by."""
        by_scope: dict[str, Callable[[str, str], str]] = {
            "country": self.country.get, "node": self.node.get, "commodity": self.commodity.get,
            "leg": lambda c, _: self.path(c)}
        words: Callable[[str, str], str] = by_scope.get(scope, lambda c, _: c)
        return {c: words(c, c) for c in codes}

    def resolve(self, scope: str, text: str, codes: Iterable[str]) -> str | None:
        """The code of codes (of a scope) that text names by its code or its name, case aside; a leg
        also by its two nodes' names ('Aktau / Kuryk ports > Baku / Alat port'). A route only by its
        id. None when none does."""
        codes = list(codes)
        if scope == Scope.ROUTE:
            return text if text in codes else None
        code = lookup(text, self.choices(scope, codes))
        if code is None and scope == Scope.LEG:
            ends = re.split(r"\s*(?:->|>|→)\s*", text.strip())
            nodes = self.choices("node", {n for leg in codes for n in leg.split(">")})
            if len(ends) == 2 and all(ends):
                code = ">".join(str(lookup(e, nodes)) for e in ends)
                code = code if code in codes else None
        return code

    def countries(self, codes: str) -> str:
        """'KZ-UZ-AF-PK' -> 'Kazakhstan, Uzbekistan, Afghanistan, Pakistan'."""
        return ", ".join(self.country.get(c, c) for c in str(codes).split("-") if c)


def _fold(text: object) -> str:
    """How a reader compares two names: case, surrounding and repeated spaces aside."""
    return " ".join(str(text).split()).casefold()


def _readings(code: str, name: str) -> set[str]:
    """What a reader may type for a code: the code, its name, a market's name without 'Market: '."""
    return {_fold(code), _fold(name), _fold(str(name).removeprefix("Market: "))}


def lookup(text: str, known: Mapping[str, str]) -> str | None:
    """The code that text names, from {code: name}: the code itself, else the one code whose name it
    is (case and spaces aside; a market's name with or without 'Market: '). None when no code, or
    more than one, reads so."""
    if text in known:
        return text
    folded = _fold(text)
    codes = [c for c in known if _fold(c) == folded] or [c for c, n in known.items() if folded in _readings(c, n)]
    return codes[0] if len(set(codes)) == 1 else None


def suggestions(text: str, known: Mapping[str, str], n: int = 3) -> list[str]:
    """The codes of {code: name} that text was most likely meant to be, best first: a code or a name
    spelt alike (difflib), a word of a name it begins ('Pak' for Pakistan) or spells closely
    ('CHN' for China). One score per code, the best of its readings."""
    folded = _fold(text)
    if not folded:
        return []
    scored = []
    for code, name in known.items():
        words = re.findall(r"\w+", _fold(name))
        ratio = max(difflib.SequenceMatcher(None, folded, r).ratio() for r in [*_readings(code, name), *words])
        if len(folded) >= 3 and any(r.startswith(folded) for r in [*_readings(code, name), *words]):
            ratio = max(ratio, 0.95)  # the beginning of its code, its name or a word of it
        if ratio >= 0.6:  # ties go to the code spelt closer
            scored.append((-ratio, -difflib.SequenceMatcher(None, folded, _fold(code)).ratio(), code))
    scored.sort()
    return [code for score, _, code in scored if score <= scored[0][0] + 0.05][:n] if scored else []


def did_you_mean(text: str, known: Mapping[str, str]) -> str:
    """". Did you mean 'MCN' (Market: China / East Asia) or 'CHM' (Chaman (AF-PK))?", or ''."""
    close = suggestions(text, known)
    shown = [f"'{c}'" + (f" ({known[c]})" if known[c] and known[c] != c else "") for c in close]
    if not shown:
        return ""
    return ". Did you mean " + (shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]) + "?"


FOCUS_SCOPES = ("corridor", "country")


def parse_focus(focus: str, countries: Mapping[str, str], corridors: Iterable[str]) -> tuple[str, str | None, str]:
    """The setting focus, 'country PK', 'country pakistan' or 'corridor middle corridor', as (scope,
    the country's code or the corridor's name as written on the sheet, or None if it names none,
    the name as given); scope '' when it is neither a country nor a corridor. countries: {code: name}."""
    scope, _, name = str(focus).strip().partition(" ")
    scope, name = scope.lower(), name.strip()
    if scope not in FOCUS_SCOPES or not name:
        return "", None, name
    known = dict(countries) if scope == Scope.COUNTRY else {c: c for c in corridors}
    return scope, lookup(name, known), name


def beside(code: str, name: str) -> str:
    """A code with its name beside it, for a column of codes ('CPT CPC marine terminal (Novorossiysk)');
    the code alone where the name is the code or blank."""
    name = str(name).strip() if isinstance(name, str) else ""
    return f"{code} {name}" if name and name != code else str(code)


def names_in(table: pd.DataFrame | None, code: str = "commodity", name: str = "cargo") -> dict[str, str]:
    """{code: name} from a result table that holds both columns (the Routes sheet's commodity and
    cargo, the Countries sheet's country and name), for outputs drawn from the result workbook."""
    if table is None or code not in table.columns or name not in table.columns:
        return {}
    pairs = table[[code, name]].drop_duplicates()  # a few commodities over half a million routes: pair them once
    return {str(c): str(n) for c, n in zip(pairs[code].tolist(), pairs[name].tolist(), strict=True)
            if isinstance(n, str) and n.strip()}
