"""Which constraint or variable each row and column of the LP is: typed keys, never strings.

A column is ColKey(family, index, case): the family's name (a Pyomo component name, e.g. 'Flow'),
its index ((commodity, route) for a flow) and the case of a plan it belongs to (its position in
plan.cases; None for the single-period model and for what every case shares, such as Build).
A row is RowKey(family, index, case, sense) with sense 1 for <=, -1 for >=, 0 for =.
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Generator, Hashable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload


class ColKey(NamedTuple):
    family: str
    index: Any  # a family's own index: a code, a (commodity, route), a row number...
    case: int | None = None


class RowKey(NamedTuple):
    family: str
    index: Any  # a family's own index: a code, a (commodity, route), a row number...
    case: int | None = None
    sense: int = 0  # 1: <=, -1: >=, 0: =


class ColumnKeys(Sequence[ColKey]):
    """The ColKey of each column, kept as blocks: add_block(family, keys, case) stands for
    ColKey(family, k, case) for every k of keys without a tuple each, so a million flows cost no
    memory here. Reads as the list of keys it stands for (iteration, [j], len, index)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._blocks: list[tuple[str, Sequence[Any], int | None]] = []
        self._len = 0

    def add(self, family: str, index: Hashable, case: int | None = None) -> int:
        return self.add_block(family, (index,), case)

    def add_block(self, family: str, keys: Sequence[Any], case: int | None = None) -> int:
        """Append ColKey(family, k, case) for each k of keys; returns the position of the first."""
        start = self._len
        if len(keys):
            self._starts.append(start)
            self._blocks.append((family, keys, case))
            self._len += len(keys)
        return start

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, j: int) -> ColKey: ...
    @overload
    def __getitem__(self, j: slice) -> list[ColKey]: ...

    def __getitem__(self, j: int | slice) -> ColKey | list[ColKey]:
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(self._len))]
        if j < 0:
            j += self._len
        if not 0 <= j < self._len:
            raise IndexError(j)
        b = bisect_right(self._starts, j) - 1
        family, keys, case = self._blocks[b]
        return ColKey(family, keys[j - self._starts[b]], case)

    def __iter__(self) -> Iterator[ColKey]:
        for family, keys, case in self._blocks:
            for k in keys:
                yield ColKey(family, k, case)

    def index(self, entry: Any, start: int = 0, stop: int | None = None) -> int:
        family, key, case = entry if len(entry) == 3 else (*entry, None)
        for first, (f, keys, c) in zip(self._starts, self._blocks, strict=True):
            if f == family and c == case and key in keys:
                return first + list(keys).index(key)
        raise ValueError(f"{entry!r} is not a column")

    def runs(self) -> Generator[tuple[tuple[str, int | None], int, Sequence[Any]]]:
        """((family, case), start, keys) for each block, in order."""
        return (((f, c), start, keys) for start, (f, keys, c) in zip(self._starts, self._blocks, strict=True))


class Span(Mapping[Any, int]):
    """index -> position for a family whose indexes are keys, at positions start, start + 1, ...:
    the dict is made only when an index is looked up. A million flows read by position
    (model.results) need no dict of a million keys."""

    __slots__ = ("keys_", "start", "_dict")

    def __init__(self, keys: Sequence[Any], start: int):
        self.keys_, self.start = keys, start
        self._dict: dict[Any, int] | None = None

    @property
    def stop(self) -> int:
        return self.start + len(self.keys_)

    def _map(self) -> dict[Any, int]:
        if self._dict is None:
            self._dict = {k: self.start + i for i, k in enumerate(self.keys_)}
        return self._dict

    def __getitem__(self, key: Any) -> int:
        return self._map()[key]

    def get(self, key: Any, default: Any = None) -> Any:
        return self._map().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._map()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)

    def holds_in_order(self, keys: Sequence[Any]) -> bool:
        """True when the indexes are these very objects, in this order."""
        return keys is self.keys_ or (len(keys) == len(self.keys_) and all(map(operator.is_, self.keys_, keys)))


def positions(names: Sequence[ColKey | RowKey]) -> dict[tuple[str, int | None], Mapping[Any, int]]:
    """(family, case) -> {index: position} for the keys of columns (ColumnKeys) or rows (RowKey list), in
    order: a Span for a family whose entries are one run of positions, else a dict."""
    blocks = names.runs() if isinstance(names, ColumnKeys) else (
        ((key.family, key.case), j, (key.index,)) for j, key in enumerate(names))
    # (family, case) -> [start, keys, keys is a list of our own]
    runs: dict[tuple[str, int | None], list[list[Any]]] = {}
    for name, start, keys in blocks:
        parts = runs.setdefault(name, [])
        last = parts[-1] if parts else None
        if last is not None and last[0] + len(last[1]) == start:  # the run goes on
            if not last[2]:
                last[1], last[2] = list(last[1]), True
            last[1].extend(keys)
        else:
            parts.append([start, keys, False])
    out: dict[tuple[str, int | None], Mapping[Any, int]] = {}
    for name, parts in runs.items():
        if len(parts) == 1:
            out[name] = Span(parts[0][1], parts[0][0])
        else:
            out[name] = {k: start + i for start, keys, _ in parts for i, k in enumerate(keys)}
    return out
