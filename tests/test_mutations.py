"""Random edits of a valid case: the only outcomes are a solved model, an input error or an
explained infeasibility; never any other exception, never an output after a failure."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from cases import transport_case, write_case
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from model.cli import main

VALID = transport_case(
    Tariffs=[{"element": "A>M", "cargo_class": "dry_bulk", "cost_usd_per_t": 1.5}],
    Capacities=[{"element": "A>M", "capacity_t": 60}, {"element": "R", "cargo_class": "dry_bulk", "capacity_t": 80}],
    Supply=[{"commodity": "coal", "origin": "A", "max_t": 150, "min_t": 10}],
    Policies=[{"rule": "DIV", "kind": "max_share", "scope": "corridor", "target": "*", "value": 0.9}],
)
IDS = ["A", "R", "M", "A>M", "R>M", "A>R", "coal", "dry_bulk", "RAIL", "ROAD", "Rail", "XX", "*"]

values = st.one_of(
    st.none(), st.just(""), st.text(max_size=8),
    st.integers(-10**6, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(IDS + ["TRUE", "FALSE", "1,000", "50%", "-1", "nan", "inf", "1e308", "1e20", "0", " ", "A>>M",
                           "=1+1"]),
)


@st.composite
def mutated(draw):
    tables = {name: [dict(row) for row in rows] for name, rows in VALID.items()}
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["cell", "cell", "cell", "column", "row", "sheet"]))
        name = draw(st.sampled_from(sorted(tables)))
        rows = tables[name]
        if action == "cell" and rows:
            row = draw(st.integers(0, len(rows) - 1))
            column = draw(st.sampled_from(sorted(rows[row]) + ["extra"]))
            rows[row][column] = draw(values)
        elif action == "column" and rows and rows[0]:
            column = draw(st.sampled_from(sorted(rows[0])))
            for row in rows:
                row.pop(column, None)
        elif action == "row":
            if rows and draw(st.booleans()):
                rows.pop(draw(st.integers(0, len(rows) - 1)))
            elif rows:
                rows.append(dict(rows[0]))
        elif action == "sheet":
            renamed = draw(st.sampled_from([None, name.lower(), f" {name.upper()} ", name + "s"]))
            rows = tables.pop(name)
            if renamed is not None:
                tables[renamed.strip() if renamed.strip() != name else name] = rows
    penalty = draw(st.sampled_from([None, 0, 100, -5, "x"]))
    return tables, ({"unmet_penalty_usd_per_t": penalty} if penalty is not None else None)


@pytest.mark.slow
@pytest.mark.heavy  # 80 mutated cases solved
# 80 examples in CI; MUTATION_EXAMPLES=3000 for a longer hunt (3,000 passed locally).
@settings(max_examples=int(os.environ.get("MUTATION_EXAMPLES", "80")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
# Found by this test (a draw of demand_t=1e20 ended as "HiGHS stopped without an optimum", naming no
# row): kept as explicit examples, so that every run tries them whatever hypothesis draws.
@example(({**VALID, "Demand": [{**VALID["Demand"][0], "demand_t": 1e20}]}, None))
@example(({**VALID, "Legs": [{**VALID["Legs"][0], "cost_usd_per_t": 1e18}] + VALID["Legs"][1:]}, None))
def test_only_solved_input_error_or_explained_infeasibility(case):
    tables, setting = case
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        path = write_case(folder, {k: v for k, v in tables.items() if v or v == []}, setting)
        out = folder / "result.xlsx"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["solve", str(path), "-o", str(out)])
        text = err.getvalue()
        assert code in (0, 2, 3), text
        assert "internal error" not in text and "Traceback" not in text
        assert out.exists() == (code == 0)
        if code == 3:
            assert "No allocation satisfies every constraint" in text
