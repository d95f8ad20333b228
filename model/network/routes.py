"""The Routes sheet's paths as arrays, parsed once for validation and the network; and the enabled
routes of a network held on those arrays, a Route object made only when one is asked for.

A large case has half a million routes over a few hundred nodes: one code per step of a path
(int32) instead of a tuple of node ids and a Route object per route, and every fact the checks,
the network and the results need (first and last node, the legs, countries, the route's words)
worked out per distinct node, leg or sequence and gathered by position.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from model.input.schema import Scope
from model.network.types import Route

if TYPE_CHECKING:
    from model.input.data import CorridorData


def within_paths(count: np.ndarray) -> np.ndarray:
    """For paths laid end to end (count[i] nodes each): whether each pair of neighbouring places,
    i and i + 1, is a step of one path (False where one path ends and the next begins)."""
    inside = np.ones(max(int(np.sum(count)) - 1, 0), dtype=bool)
    ends = (np.cumsum(count) - 1)[:-1]
    inside[ends[ends < len(inside)]] = False
    return inside


@dataclass
class PathTable:
    """The paths of a Routes table: for each row with a path (rows, positions in the table), the
    codes of its nodes in order, codes[start[i]:start[i] + length[i]], into nodes (each distinct
    id once, interned, in order of first appearance). A path reads as model.input.schema.path_nodes
    reads it: split at '>', each id stripped."""

    rows: npt.NDArray[np.int64]
    nodes: list[str]
    codes: npt.NDArray[np.int32]
    start: npt.NDArray[np.int64]
    length: npt.NDArray[np.int64]

    @classmethod
    def of(cls, paths: np.ndarray) -> PathTable:
        paths = np.asarray(paths, dtype=object)
        rows = np.flatnonzero(pd.notna(paths) & (paths != "")) if len(paths) else np.zeros(0, dtype=np.int64)
        texts = [str(p) for p in paths[rows]]
        joined = ">".join(texts)
        tokens = joined.split(">") if texts else []
        if re.search(r"\s", joined):
            tokens = list(map(str.strip, tokens))
        length = np.fromiter(map(str.count, texts, repeat(">")), dtype=np.int64, count=len(texts)) + 1
        start = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(length[:-1], out=start[1:])
        codes, uniques = pd.factorize(np.asarray(tokens, dtype=object)) if tokens else (np.zeros(0, int), [])
        return cls(rows, list(map(sys.intern, map(str, uniques))), codes.astype(np.int32), start, length)

    def path(self, i: int) -> tuple[str, ...]:
        """The nodes of the i-th path."""
        s = self.start[i]
        return tuple(self.nodes[c] for c in self.codes[s:s + self.length[i]].tolist())

    @property
    def first(self) -> np.ndarray:
        return self.codes[self.start]

    @property
    def last(self) -> np.ndarray:
        return self.codes[self.start + self.length - 1]

    def steps(self) -> tuple[np.ndarray, np.ndarray]:
        """(from, to) node codes of every step of every path, path after path."""
        inside = within_paths(self.length)
        return self.codes[:-1][inside], self.codes[1:][inside]

    def step_pairs(self) -> set[tuple[str, str]]:
        """Every distinct (from, to) step."""
        a, b = self.steps()
        n = max(len(self.nodes), 1)
        pairs = pd.unique(a.astype(np.int64) * n + b)  # hashed: numpy's unique sorts or hashes slower
        nodes = self.nodes
        return {(nodes[p // n], nodes[p % n]) for p in pairs.tolist()}

    def revisits(self) -> bool:
        """Some path passes a node more than once."""
        owner = np.repeat(np.arange(len(self.length), dtype=np.int64), self.length)
        key = owner * max(len(self.nodes), 1) + self.codes
        return bool(pd.Series(key).duplicated().any())


def path_table(data: CorridorData, routes: pd.DataFrame | None = None) -> PathTable:
    """The PathTable of data's Routes sheet, made once and kept with the data while the table is
    the same object (validation, the network of each year and scenario read it)."""
    routes = data.tables["Routes"] if routes is None else routes
    hit = data.derived.path_table
    if hit is None or hit[0] is not routes:
        hit = data.derived.path_table = (routes, PathTable.of(routes["path"].to_numpy(dtype=object)))
    return hit[1]


class RouteTable(Mapping[str, Route]):
    """The enabled routes in route order, route id -> Route: held as arrays over a PathTable (the
    rows of the enabled routes), a Route made when first asked for."""

    def __init__(self, ids: list[str], corridors: list[str], classes: list[frozenset[str] | None], table: PathTable,
                 at: np.ndarray, leg_ids: dict[tuple[str, str], str]):
        self.ids, self.corridors, self.classes = ids, corridors, classes
        self.table, self.at, self.leg_ids = table, at, leg_ids  # at: each route's path in the table
        self._made: dict[str, Route] = {}
        self._position: pd.Index | None = None
        self._whole: bool | None = None

    def position(self, r: str) -> int:
        """A route's position in route order (KeyError if it is not an enabled route)."""
        if self._position is None:  # a hashed index in C: a tenth of a dict's time and memory
            self._position = pd.Index(self.ids, dtype=object)
        return self._position.get_loc(r)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, r: object) -> bool:
        try:
            self.position(r)  # type: ignore[arg-type]  # any key: not a route id answers False
        except (KeyError, TypeError):
            return False
        return True

    def __getitem__(self, r: str) -> Route:
        route = self._made.get(r)
        if route is None:
            i = self.position(r)
            route = self._made[r] = Route(r, self.corridors[i], self.table.path(self.at[i]), self.classes[i],
                                          self.leg_ids)
        return route

    # ------------------------------------------------ arrays, in route order

    @property
    def node_start(self) -> np.ndarray:
        return self.table.start[self.at]

    @property
    def node_count(self) -> np.ndarray:
        return self.table.length[self.at]

    def node_codes(self) -> np.ndarray:
        """The node codes (into table.nodes) of every route's path, route after route."""
        if self._whole is None:
            self._whole = len(self.at) == len(self.table.start) and bool(np.all(self.at == np.arange(len(self.at))))
        if self._whole:
            return self.table.codes
        start, count = self.node_start, self.node_count
        offsets = np.repeat(start - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
        return self.table.codes[np.arange(int(count.sum())) + offsets]

    @property
    def origin_code(self) -> np.ndarray:
        return self.table.codes[self.node_start]

    @property
    def market_code(self) -> np.ndarray:
        return self.table.codes[self.node_start + self.node_count - 1]

    def market_countries(self, node_country: Mapping[str, Any], at: np.ndarray | None = None) -> np.ndarray:
        """The country code of each route's market (its last node; '' for a node without one), in route order, or
        of the routes at positions `at`. A route to a market in a country carries cargo for that country's own
        market: it passes the country, but is not transit through it to another market."""
        by_node = np.array([c if isinstance(c := node_country.get(n), str) else "" for n in self.table.nodes],
                           dtype=object)
        return by_node[self.market_code if at is None else self.market_code[at]]

    def node_words(self, words: list[str], sep: str) -> list[str]:
        """Each route's nodes, as words (words[node code]) joined by sep."""
        codes, count = self.node_codes(), self.node_count
        out = np.empty(len(self.ids), dtype=object)
        begin = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        word = np.asarray(words, dtype=object)
        for n in sorted(pd.unique(count).tolist()):  # routes of the same length, a column per position
            which = np.flatnonzero(count == n)
            columns = [word[codes[begin[which] + j]] for j in range(n)]
            out[which] = list(map(sep.join, zip(*columns, strict=True)))
        return out.tolist()

    def members(self, elements: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The routes that pass each of the given nodes and legs (node ids, 'A>B' as the Legs sheet
        writes a leg): (their positions, ascending; how many times each passes), in one pass over
        the steps of every path."""
        code_of = {c: i for i, c in enumerate(self.table.nodes)}
        wanted: list[str] = []
        keys: list[int] = []
        where: list[str] = []  # (element, key) of the nodes and legs some route passes
        for e in dict.fromkeys(elements):
            if e in code_of:
                wanted.append(e), keys.append(code_of[e]), where.append("node")  # type: ignore[func-returns-value]  # three appends on one line
            elif ">" in e:
                x, _, y = e.partition(">")
                if x in code_of and y in code_of:
                    wanted.append(e), keys.append(code_of[x] * self._width + code_of[y]), where.append("leg")  # type: ignore[func-returns-value]  # three appends on one line
        out = {}
        for scope in (Scope.NODE, Scope.LEG):
            these = [(e, k) for e, k, w in zip(wanted, keys, where, strict=True) if w == scope]
            if not these:
                continue
            key_of_cell, owner_of_cell = self._places(scope)
            lookup = pd.Series(np.arange(len(these)), index=[k for _, k in these])
            j = lookup.reindex(key_of_cell).to_numpy()
            hit = np.flatnonzero(~np.isnan(j))
            j = j[hit].astype(np.int64)
            order = np.argsort(j, kind="stable")
            bounds = np.searchsorted(j[order], np.arange(len(these) + 1))
            for m, (e, _) in enumerate(these):
                cells = np.sort(owner_of_cell[hit[order[bounds[m]:bounds[m + 1]]]])
                at, count = np.unique(cells, return_counts=True) if len(cells) else (cells, cells)
                out[e] = (at.astype(np.int64), count.astype(np.int16))
        none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int16))
        return {e: out.get(e, none) for e in elements}

    def through(self, scope: str) -> dict[str, np.ndarray]:
        """node (or leg) -> positions of the routes that pass it, ascending."""
        nodes, n, width = self.table.nodes, len(self), self._width
        codes, owner = self._places(scope)
        pairs = np.sort(pd.unique(codes * n + owner)) if n else np.zeros(0, dtype=np.int64)
        keys, at = pairs // n if n else pairs, pairs % n if n else pairs
        bounds = np.flatnonzero(np.diff(keys)) + 1
        out = {}
        for group in np.split(np.arange(len(pairs)), bounds) if len(pairs) else []:
            key = int(keys[group[0]])
            name = nodes[key] if scope == Scope.NODE else self.leg_ids.get(
                (nodes[key // width], nodes[key % width]), f"{nodes[key // width]}>{nodes[key % width]}")
            out[name] = at[group]
        return out

    @property
    def _width(self) -> int:
        """How a leg is keyed: its from node's code x _width + its to node's code."""
        return max(len(self.table.nodes), 1)

    def _places(self, scope: str) -> tuple[np.ndarray, np.ndarray]:
        """(key, route position) of every place of every path, path after path: each node (scope
        "node", keyed by its code) or each step from a node to the next ("leg", keyed as _width says)."""
        codes, count = self.node_codes().astype(np.int64), self.node_count
        owner = np.repeat(np.arange(len(self.ids), dtype=np.int64), count)
        if scope == Scope.NODE:
            return codes, owner
        steps = np.flatnonzero(within_paths(count))
        return codes[steps] * self._width + codes[steps + 1], owner[steps]


class CountriesOf(Mapping[str, tuple[str, ...]]):
    """route -> the countries it crosses, in path order, once each: one tuple per distinct
    sequence (a few dozen) and a code per route, instead of a dict of half a million entries."""

    def __init__(self, routes: RouteTable, sequences: list[tuple[str, ...]], code: np.ndarray):
        self.routes, self.sequences, self.code = routes, sequences, code

    def __getitem__(self, r: str) -> tuple[str, ...]:
        return self.sequences[self.code[self.routes.position(r)]]

    def __len__(self) -> int:
        return len(self.code)

    def __iter__(self) -> Iterator[str]:
        return iter(self.routes)

    def values(self) -> list[tuple[str, ...]]:  # type: ignore[override]  # a list in route order, not a view
        """Each route's countries, in route order."""
        seqs = self.sequences
        return [seqs[c] for c in self.code.tolist()]

    def each(self, f: Callable[[tuple[str, ...]], Any], dtype: npt.DTypeLike = object) -> np.ndarray:
        """f(countries) of every route, in route order, worked out once per distinct sequence."""
        per_sequence = np.empty(len(self.sequences), dtype=dtype)
        per_sequence[:] = [f(seq) for seq in self.sequences]
        return per_sequence[self.code]

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:  # type: ignore[override]  # an iterator, not a view
        return zip(self.routes, self.values(), strict=True)


class FlowList(Sequence[tuple[str, str]]):
    """The flows (commodity, route) in flow order, each made from the per-flow arrays when it is
    read: no tuple per flow held (at a million flows they would be a large part of the build's memory)."""

    def __init__(self, commodities: list[str], route_ids: list[str], flow_commodity: np.ndarray,
                 flow_route: np.ndarray):
        self.commodities, self.route_ids = commodities, route_ids
        self.flow_commodity, self.flow_route = flow_commodity, flow_route

    def __len__(self) -> int:
        return len(self.flow_route)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str]]: ...

    def __getitem__(self, i: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(i, slice):
            return list(zip(map(self.commodities.__getitem__, self.flow_commodity[i].tolist()),
                            map(self.route_ids.__getitem__, self.flow_route[i].tolist()), strict=True))
        return self.commodities[self.flow_commodity[i]], self.route_ids[self.flow_route[i]]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return zip(map(self.commodities.__getitem__, self.flow_commodity.tolist()),
                   map(self.route_ids.__getitem__, self.flow_route.tolist()), strict=True)
