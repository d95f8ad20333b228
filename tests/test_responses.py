"""What a negotiator reads off a choice allocation (model.analysis.responses): the focus's tonnes, the
tonnes per USD/t cut at its ports, where they come from, the curve of cuts, and leg sensitivity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cases import legs, nodes, solved_and_checked, transport_case, write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import pipeline
from model.analysis.responses import ChoiceAt, focus_ports, leg_sensitivity
from model.input.validate.choice import dispersions
from model.lp.choice import allocate
from model.results.responses import NOT_DELIVERED, ResponseRow, responses_line

CHOICE = {"allocation": "choice", "focus": "country PP"}


def port_case(port_cost: float = 10.0, other_cost: float = 20.0, dispersion: float = 10.0, **tables):
    """100 t of coal A -> M on two routes: PORT through port P in country PP (legs 4 + 4 and P's handling 2:
    port_cost in all), LAND through hub R in XX (legs other_cost - 5 and 5)."""
    return transport_case(
        Countries=[{"country": "XX", "risk_premium_pct": 0}, {"country": "PP", "risk_premium_pct": 0}],
        Nodes=nodes(("A", "origin"), ("P", "port", {"country": "PP", "handling_usd_per_t": 2}), ("R", "hub"),
                    ("M", "market")),
        Legs=legs(("A", "P", port_cost / 2 - 1, 0), ("P", "M", port_cost / 2 - 1, 0), ("A", "R", other_cost - 5, 0),
                  ("R", "M", 5, 0)),
        Routes=[{"route": "PORT", "corridor": "Port", "path": "A>P>M"},
                {"route": "LAND", "corridor": "Land", "path": "A>R>M"}],
        Dispersions=[{"cargo_class": "dry_bulk", "dispersion_usd_per_t": dispersion}], **tables)


def share(z: float) -> float:
    """The logit's share of the cheaper of two routes z / theta USD/t apart."""
    return 1 / (1 + math.exp(-z))


def rows(run, what: ResponseRow):
    r = run.results.responses
    return r[r["what"] == what]


def test_the_port_attracts_its_logit_share_and_a_cut_adds_theta_s_one_minus_s(tmp_path):
    # theta = 0.1 per USD/t, 10 against 20 USD/t: PORT's share s = 1 / (1 + e^-1) = 0.73106, 73.106 t.
    # d(tonnes on P)/d(cut at P) = 100 theta s (1 - s) = 100 x 0.1 x 0.7311 x 0.2689 = 1.966 t per USD/t.
    # The central difference of +-1 USD/t: 100 (s(1.1) - s(0.9)) / 2 = 100 (0.750260 - 0.710950) / 2 = 1.9655.
    run = solved_and_checked(tmp_path, port_case(), settings=CHOICE)
    today = rows(run, ResponseRow.ATTRACTED).iloc[0]
    assert today["name"] == "PP" and today["tonnes_t"] == pytest.approx(100 * share(1.0), abs=1e-4)  # 73.106
    cut = rows(run, ResponseRow.PER_CUT).iloc[0]
    assert cut["port"] == "P"
    assert cut["change_t_per_usd_per_t"] == pytest.approx(100 * (share(1.1) - share(0.9)) / 2, abs=1e-5)  # 1.9655
    assert cut["change_t_per_usd_per_t"] == pytest.approx(100 * 0.1 * share(1.0) * (1 - share(1.0)), abs=1e-3)  # 1.966
    # where they come from: LAND loses what PORT gains; the part through the focus adds up to the response
    diversion = rows(run, ResponseRow.DIVERSION).set_index("corridor")
    assert diversion.loc["Port", "change_t_per_usd_per_t"] == pytest.approx(cut["change_t_per_usd_per_t"], abs=1e-6)
    assert diversion.loc["Land", "change_t_per_usd_per_t"] == pytest.approx(-cut["change_t_per_usd_per_t"], abs=1e-6)
    assert diversion["via_focus_t_per_usd_per_t"].sum() == pytest.approx(cut["change_t_per_usd_per_t"], abs=1e-6)
    assert diversion.loc["Land", "via_focus_t_per_usd_per_t"] == 0
    # the curve: a cut of c USD/t puts the routes 10 + c apart: 100 / (1 + e^-(1 + 0.1 c)); at 10: 88.080 t
    curve = rows(run, ResponseRow.CURVE).set_index("cut_usd_per_t")["tonnes_t"]
    for c in (0.0, 10.0, 50.0, 150.0):
        assert curve[c] == pytest.approx(100 * share(1 + 0.1 * c), abs=1e-4)
    line = responses_line(run.results.responses)
    assert line.startswith("Under route choice PP attracts 73.1 t a year; each USD/t cut at P adds 2.0 t")
    assert line in _brief_lines(run)


def _brief_lines(run) -> list[str]:
    from model.results.brief import brief_of

    return brief_of(run.results.sheets()).headline


def test_diversion_adds_up_with_the_tonnes_left_unmet(tmp_path):
    # With an unmet penalty of 25 USD/t not delivering is a third alternative (10, 20, 25 USD/t): a cut at P
    # draws from LAND and from the unmet tonnes; each row's total stays 100 t, so the changes add to 0 and
    # the parts through the focus add to the response.
    run = solved_and_checked(tmp_path, port_case(), settings={**CHOICE, "unmet_penalty_usd_per_t": 25})
    diversion = rows(run, ResponseRow.DIVERSION)
    response = rows(run, ResponseRow.PER_CUT)["change_t_per_usd_per_t"].iloc[0]
    assert NOT_DELIVERED in diversion["corridor"].tolist()
    assert diversion["change_t_per_usd_per_t"].sum() == pytest.approx(0, abs=1e-6)
    assert diversion["via_focus_t_per_usd_per_t"].sum() == pytest.approx(response, abs=1e-6)
    # the logit's shares of exp(-1), exp(-2), exp(-2.5): the cut's derivative 100 theta s_P (1 - s_P)
    weights = np.exp(-0.1 * np.array([10.0, 20.0, 25.0]))
    s = weights[0] / weights.sum()
    assert response == pytest.approx(100 * 0.1 * s * (1 - s), rel=1e-3)


def test_a_binding_limit_on_the_focus_holds_it_and_is_named(tmp_path):
    # At most 50 t through PP (the logit alone would send 73.1 t): the rule's toll takes up a 1 USD/t cut,
    # so the focus stays at 50 t and the brief names the rule.
    cap = {"Policies": [{"rule": "PP_MAX", "kind": "max_t", "scope": "country", "target": "PP", "value": 50}]}
    run = solved_and_checked(tmp_path, port_case(**cap), settings=CHOICE)
    assert rows(run, ResponseRow.ATTRACTED)["tonnes_t"].iloc[0] == pytest.approx(50, abs=1e-4)
    assert rows(run, ResponseRow.PER_CUT)["change_t_per_usd_per_t"].iloc[0] == pytest.approx(0, abs=1e-5)
    held = rows(run, ResponseRow.HELD)["name"].tolist()
    assert len(held) == 1 and "PP_MAX" in held[0]
    assert "PP_MAX" in responses_line(run.results.responses)


def test_least_cost_has_no_responses(tmp_path):
    run = solved_and_checked(tmp_path, port_case(), settings={"focus": "country PP"})
    assert "Responses" not in run.results.sheets()
    assert not any("Under route choice" in line for line in _brief_lines(run))


def test_the_sheet_the_brief_and_the_page_carry_the_responses(tmp_path):
    from model.report.read_results import read_results

    case = write_case(tmp_path, port_case(), CHOICE)
    run = pipeline.run(case, tmp_path / "result.xlsx", html=True, draw_map=False)
    sheets = read_results(tmp_path / "result.xlsx")
    assert responses_line(sheets["Responses"]) == responses_line(run.results.responses)
    page = (tmp_path / "result.html").read_text()
    assert "Under route choice" in page and "<polyline" in page


def test_repricing_the_program_gives_the_allocation_read_again(tmp_path):
    # ChoiceAt reads the program once and changes its costs; allocate reads the changed LP afresh
    case = write_case(tmp_path, port_case(Capacities=[{"element": "P", "capacity_t": 80}]), CHOICE)
    plan, _ = pipeline.load(case)
    sol = pipeline.solve(plan)
    (port,) = focus_ports(plan, "country", "PP")
    with ChoiceAt.of(plan, sol) as at:
        for cut in (0.0, 5.0, 30.0):
            x = at.x({port.cell: port.cell.base - cut})
            again = allocate(plan, sol, dispersions(plan.data)).x
            assert np.max(np.abs(x - again)) < 1e-6
    assert float(x[at.live.flow_cols].max()) == pytest.approx(80, abs=1e-4)  # at a 30 USD/t cut P is full


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(port=st.floats(5, 40), other=st.floats(5, 40), dispersion=st.floats(1, 30),
       capacity=st.one_of(st.none(), st.floats(10, 90)))
def test_a_larger_cut_never_attracts_fewer_tonnes(tmp_path_factory, port, other, dispersion, capacity):
    # The choice allocation's tonnes are the gradient of a concave function of the costs (its optimal
    # value), so their derivative along any change of costs d is d' H d with H negative semidefinite:
    # cutting the cost of the routes through P never lowers the tonnes through P (here, the focus's).
    tables = port_case(port, other, dispersion, **({"Capacities": [{"element": "P", "capacity_t": capacity}]}
                                                    if capacity else {}))
    case = write_case(tmp_path_factory.mktemp("curve"), tables, CHOICE)
    run = pipeline.run(case)
    curve = rows(run, ResponseRow.CURVE)["tonnes_t"].to_numpy()
    assert np.all(np.diff(curve) >= -1e-6)
    assert rows(run, ResponseRow.PER_CUT)["change_t_per_usd_per_t"].iloc[0] >= -1e-6


def test_leg_sensitivity_under_choice_is_the_logits_change(tmp_path):
    # +1 USD/t on A>P: PORT's share from s(1) to s(0.9), 100 (0.731059 - 0.710950) = 2.011 t move; on A>R:
    # to s(1.1), 100 (0.750260 - 0.731059) = 1.920 t. The largest: a leg of PORT (A>P, the first).
    case = write_case(tmp_path, port_case(), CHOICE)
    plan, _ = pipeline.load(case)
    found = leg_sensitivity(plan, pipeline.solve(plan))
    moved = dict(zip(found.moved["leg"], found.moved["moved_t"], strict=True))
    assert moved["A>P"] == pytest.approx(100 * (share(1.0) - share(0.9)), abs=1e-5)
    assert moved["P>M"] == pytest.approx(moved["A>P"], abs=1e-6)
    assert moved["A>R"] == pytest.approx(100 * (share(1.1) - share(1.0)), abs=1e-5)
    assert (found.leg, found.largest_t) == ("A>P", pytest.approx(moved["A>P"]))


def test_leg_sensitivity_under_least_cost_jumps_at_a_near_tie(tmp_path):
    # PORT at 10 USD/t, LAND at 10.5: least cost sends all 100 t by PORT; +1 on A>P makes it 11 > 10.5,
    # and all 100 t move; +1 on LAND's legs moves nothing.
    case = write_case(tmp_path, port_case(10.0, 10.5), {"focus": "country PP"})
    plan, _ = pipeline.load(case)
    found = leg_sensitivity(plan, pipeline.solve(plan))
    moved = dict(zip(found.moved["leg"], found.moved["moved_t"], strict=True))
    assert moved["A>P"] == pytest.approx(100) and moved["A>R"] == pytest.approx(0)
    assert (found.leg, found.largest_t) == ("A>P", pytest.approx(100))


def test_a_corridor_focus_reads_the_ports_its_routes_pass(tmp_path):
    # focus corridor Port: its routes pass P, so the same 73.106 t and 1.9655 t per USD/t as country PP
    run = solved_and_checked(tmp_path, port_case(), settings={**CHOICE, "focus": "corridor Port"})
    assert rows(run, ResponseRow.ATTRACTED)["tonnes_t"].iloc[0] == pytest.approx(100 * share(1.0), abs=1e-4)
    cut = rows(run, ResponseRow.PER_CUT).iloc[0]
    assert cut["port"] == "P"
    assert cut["change_t_per_usd_per_t"] == pytest.approx(100 * (share(1.1) - share(0.9)) / 2, abs=1e-5)


def test_the_solves_highs_holds_its_optimum_after_the_responses(tmp_path):
    # The responses change costs in the solve's own HiGHS; what reads it after (explain) finds the LP's
    # optimum as solved: its status optimal, its duals and values the same.
    import highspy

    case = write_case(tmp_path, port_case(Capacities=[{"element": "P", "capacity_t": 60}]), CHOICE)
    plan, _ = pipeline.load(case)
    sol = pipeline.solve(plan)
    h = sol.highs
    duals, values = np.array(h.getSolution().row_dual), np.array(h.getSolution().col_value)
    assert len(pipeline.analyse(plan, sol).responses)
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert np.array_equal(np.array(h.getSolution().row_dual), duals)
    assert np.array_equal(np.array(h.getSolution().col_value), values)


@pytest.mark.parametrize("column, value, expected", [
    (5, "lots", "Responses, row 4, tonnes (t/yr): expected a number or blank, found 'lots'"),
    (1, "what it is", "Responses, row 3: the column 'what' is missing"),
])
def test_a_hand_edited_responses_sheet_is_refused_by_report(tmp_path, capsys, column, value, expected):
    # The report page reads the Responses sheet back (the brief's line, the curve): a hand-edited cell is
    # named with its sheet, row and column, not a traceback. Row 3 is the header, row 4 'attracted today'.
    from openpyxl import load_workbook

    from model.cli import main

    case = write_case(tmp_path / "in", port_case(), CHOICE)
    result, bad = tmp_path / "result.xlsx", tmp_path / "bad.xlsx"
    assert main(["solve", str(case), "-o", str(result), "--no-map"]) == 0
    wb = load_workbook(result)
    wb["Responses"].cell(3 if value == "what it is" else 4, column).value = value
    wb.save(bad)
    code = main(["report", str(bad)])
    text = "".join(capsys.readouterr())
    assert code == 2 and expected in text and "Traceback" not in text, text
    assert not (tmp_path / "bad.html").exists()
