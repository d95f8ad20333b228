"""Names beside codes: the words a reader of a result knows a node, a country, a commodity, a leg or
a route by, from the Nodes, Countries and Commodities sheets (the code where a row has no name).

Every sheet of the result keeps its codes, for filtering and for corridor check; these are the
columns a reader reads first."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from model.data import CorridorData

ARROW = " → "


def _names(df: pd.DataFrame, key: str) -> dict[str, str]:
    if key not in df.columns or "name" not in df.columns:
        return {}
    out = {}
    for code, name in zip(df[key], df["name"]):
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

    def path(self, path) -> str:
        """A route (its nodes, or 'A>B>C') in words: 'Taraz → Chaman → Karachi → South Asia'."""
        nodes = path.split(">") if isinstance(path, str) else list(path)
        return ARROW.join(self.place(n.strip()) for n in nodes)

    def element(self, element: str) -> str:
        """A node or a leg (FROM>TO) in words."""
        return self.path(element) if ">" in element else self.place(element)

    def cargo(self, commodity: str) -> str:
        return self.commodity.get(commodity, commodity)

    def target(self, scope: str, target: str) -> str:
        """What a rule, an observation or a surcharge applies to, in words: 'country Pakistan',
        'leg Aktau → Alat', 'corridor Middle Corridor', 'each country'."""
        if target == "*":
            return f"each {scope}"
        if scope == "country":
            return f"country {self.country.get(target, target)}"
        if scope in ("node", "leg"):
            return f"{scope} {self.element(target)}"
        return f"{scope} {target}"

    def countries(self, codes: str) -> str:
        """'KZ-UZ-AF-PK' -> 'Kazakhstan, Uzbekistan, Afghanistan, Pakistan'."""
        return ", ".join(self.country.get(c, c) for c in str(codes).split("-") if c)
