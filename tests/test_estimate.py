"""corridor calibrate --estimate (model.analysis.estimate): a dispersion that made the observations is
estimated back within its standard error; a class no observation moves is not identified; bad input
is refused in words with exit code 2, and the input is never modified."""

from __future__ import annotations

import hashlib
import math
from datetime import date

import numpy as np
import pytest
from cases import legs, nodes, write_case

from model import pipeline
from model.analysis.estimate import ESTIMATE_SOURCE, estimate
from model.cli import main
from model.input.read import read_input

# Coal (dry_bulk) from A: 1,000 t to M over three routes at 10, 15 and 22 USD/t, and 1,000 t to P over
# three at 8, 14 and 18; and 100 t of wheat (grain) from B to N on its one route. With a dispersion of
# 8 USD/t each market's coal splits as e^(-c/8) over its routes' costs: to M e^-1.25 = 0.28650,
# e^-1.875 = 0.15335, e^-2.75 = 0.06393 (sum 0.50378): 568.7, 304.4 and 126.9 t; to P e^-1 = 0.36788,
# e^-1.75 = 0.17377, e^-2.25 = 0.10540 (sum 0.64705): 568.5, 268.6 and 162.9 t.
TRUE_DISPERSION = 8.0
COSTS = {"M": np.array([10.0, 15.0, 22.0]), "P": np.array([8.0, 14.0, 18.0])}
SHARES = {m: np.exp(-c / TRUE_DISPERSION) / np.exp(-c / TRUE_DISPERSION).sum() for m, c in COSTS.items()}
ROUTES = ("M1", "M2", "M3", "P1", "P2", "P3")


def three_routes(observations: list[dict] | None = None, dispersion: float = TRUE_DISPERSION) -> dict:
    tables = {
        "Countries": [{"country": "XX", "risk_premium_pct": 0}],
        "Nodes": nodes(("A", "origin"), ("B", "origin"), ("H", "hub"), ("K", "hub"), ("M", "market"),
                       ("P", "market"), ("N", "market")),
        "Legs": legs(("A", "M", 10, 0), ("A", "H", 10, 0), ("H", "M", 5, 0), ("A", "K", 12, 0), ("K", "M", 10, 0),
                     ("A", "P", 8, 0), ("H", "P", 4, 0), ("K", "P", 6, 0), ("B", "N", 4, 0)),
        "Commodities": [{"commodity": "coal", "cargo_class": "dry_bulk", "value_usd_per_t": 0},
                        {"commodity": "wheat", "cargo_class": "grain", "value_usd_per_t": 0}],
        "Routes": [{"route": "M1", "corridor": "Direct", "path": "A>M"},
                   {"route": "M2", "corridor": "Via H", "path": "A>H>M"},
                   {"route": "M3", "corridor": "Via K", "path": "A>K>M"},
                   {"route": "P1", "corridor": "Direct", "path": "A>P"},
                   {"route": "P2", "corridor": "Via H", "path": "A>H>P"},
                   {"route": "P3", "corridor": "Via K", "path": "A>K>P"},
                   {"route": "W", "corridor": "Wheat", "path": "B>N"}],
        "Demand": [{"commodity": "coal", "market": "M", "demand_t": 1000},
                   {"commodity": "coal", "market": "P", "demand_t": 1000},
                   {"commodity": "wheat", "market": "N", "demand_t": 100}],
        "Dispersions": [{"cargo_class": "dry_bulk", "dispersion_usd_per_t": dispersion},
                        {"cargo_class": "grain", "dispersion_usd_per_t": dispersion}],
    }
    if observations is not None:
        tables["Observations"] = observations
    return tables


def observation(name: str, scope: str, target: str, t: float, pct: float = 5.0, role: str = "fit") -> dict:
    return {"observation": name, "scope": scope, "target": target, "observed_t": t, "tolerance_pct": pct,
            "source": "made by a choice solve", "role": role}


def made_observations(tmp_path, noise: float = 0.01, seed: int = 0) -> list[dict]:
    """The routes' tonnes as the choice allocation at 8 USD/t gives them (checked against the shares worked
    out above), each times 1 + noise x N(0, 1) with a fixed seed; and the wheat into N, which no
    dispersion moves (its one route carries all 100 t)."""
    run = pipeline.run(write_case(tmp_path / "made", three_routes(), {"allocation": "choice"}))
    f = run.results.flows
    tonnes = np.array([float(f.loc[f["route"] == r, "tonnes_t"].sum()) for r in ROUTES])
    assert tonnes == pytest.approx(1000 * np.concatenate([SHARES["M"], SHARES["P"]]), abs=1e-3)
    noisy = tonnes * (1 + noise * np.random.default_rng(seed).standard_normal(len(ROUTES)))
    return [*(observation(r, "route", r, float(t)) for r, t in zip(ROUTES, noisy, strict=True)),
            observation("wheat", "node", "N", 100.0)]


def test_a_dispersion_that_made_the_observations_is_estimated_back(tmp_path):
    # the input starts at 20 USD/t, not at the 8 that made the observations
    case = write_case(tmp_path, three_routes(made_observations(tmp_path), dispersion=20.0))
    est = estimate(case)
    dry = est.classes.set_index("cargo_class").loc["dry_bulk"]
    se = dry["standard_error_usd_per_t"]
    assert math.isfinite(se) and 0 < se < TRUE_DISPERSION / 10
    assert abs(dry["dispersion_usd_per_t"] - TRUE_DISPERSION) <= 3 * se
    assert dry["status"] == "estimated" and dry["observations"] == ", ".join(ROUTES)
    # at the estimate the choice allocation reproduces each route within its 5% tolerance, which least cost
    # (each market's 1,000 t on its direct route) does not
    fit = est.fit.set_index("observation")
    assert fit.loc[list(ROUTES), "within_tolerance_choice"].all()
    assert fit.loc[["M1", "P1"], "least_cost_t"].tolist() == pytest.approx([1000, 1000])
    assert (est.fit_score.count, est.fit_score.within_least_cost, est.fit_score.within_choice) == (6, 0, 6)


@pytest.mark.heavy  # 20 estimates
def test_the_standard_error_is_the_spread_of_the_estimates(tmp_path):
    # The same case made with 20 draws of the noise (seeds 0-19). A standard error that is right covers
    # the true 8 USD/t within one standard error about 68% of the time: 13.6 of 20, and fewer than 9 or all
    # 20 happen less than 2% of the time (binomial 20, 0.68); and the estimates spread as the standard
    # errors say. (Without s^2 in cov, or with the weights left out, the standard errors would be 5 times
    # too wide here: noise 1% against tolerances of 5%; all 20 would cover 8.)
    estimates, errors = [], []
    for seed in range(20):
        case = write_case(tmp_path / str(seed), three_routes(made_observations(tmp_path / str(seed), seed=seed),
                                                             dispersion=20.0))
        dry = estimate(case).classes.set_index("cargo_class").loc["dry_bulk"]
        estimates.append(dry["dispersion_usd_per_t"])
        errors.append(dry["standard_error_usd_per_t"])
    covered = sum(abs(e - TRUE_DISPERSION) <= se for e, se in zip(estimates, errors, strict=True))
    assert 9 <= covered <= 19
    assert 0.5 <= np.std(estimates, ddof=1) / np.mean(errors) <= 2


def test_without_noise_the_dispersion_is_found_exactly(tmp_path):
    # observations that are the model's own tonnes at 8 USD/t: the least-squares optimum is 8, the residuals
    # 0, and so the standard error (s^2 = 0)
    case = write_case(tmp_path, three_routes(made_observations(tmp_path, noise=0.0), dispersion=20.0))
    dry = estimate(case).classes.set_index("cargo_class").loc["dry_bulk"]
    assert dry["dispersion_usd_per_t"] == pytest.approx(TRUE_DISPERSION, rel=1e-4)
    assert dry["standard_error_usd_per_t"] == pytest.approx(0, abs=1e-3)


def test_a_class_no_observation_moves_is_not_identified_and_gets_no_figure(tmp_path):
    # the wheat has one route: its observation is an identity (100 t whatever the costs), not counted,
    # and nothing else the grain class carries is observed
    case = write_case(tmp_path, three_routes(made_observations(tmp_path)))
    est = estimate(case, today=date(2026, 12, 7))
    grain = est.classes.set_index("cargo_class").loc["grain"]
    assert grain["status"].startswith("not identified: no fit observation moves it")
    assert math.isnan(grain["dispersion_usd_per_t"]) and math.isnan(grain["standard_error_usd_per_t"])
    assert est.identities == ["wheat"]
    assert est.written["cargo_class"].tolist() == ["dry_bulk"]
    assert est.written["source"].tolist() == [f"{ESTIMATE_SOURCE} 2026-12-07"]
    # the output keeps the input's own grain row, and has the estimate in place of its dry_bulk row
    rows = est.data.tables["Dispersions"].set_index("cargo_class")
    assert rows.loc["grain", "dispersion_usd_per_t"] == pytest.approx(TRUE_DISPERSION)
    assert rows.loc["dry_bulk", "source"].startswith(ESTIMATE_SOURCE)


def test_held_out_rows_are_predicted_under_choice_and_not_fitted(tmp_path):
    # P3 held out: the dispersion is fitted on the other routes, and P3 predicted at it
    made = made_observations(tmp_path, noise=0.0)
    made[5]["role"] = "test"
    est = estimate(write_case(tmp_path, three_routes(made, dispersion=20.0)))
    fit = est.fit.set_index("observation")
    assert fit.loc["P3", "counted"] == "test (held out)"
    assert fit.loc["P3", "choice_t"] == pytest.approx(1000 * SHARES["P"][2], rel=1e-3)  # 162.9 t
    assert fit.loc["P3", "least_cost_t"] == pytest.approx(0)
    assert (est.test_score.count, est.test_score.within_least_cost, est.test_score.within_choice) == (1, 0, 1)


@pytest.mark.parametrize(("observations", "expected"), [
    ([observation("M1", "route", "M1", 500, role="test")],
     "has no fit observations to calibrate to: every row of the Observations sheet has role test (held out)"),
    ([observation("wheat", "node", "N", 100.0)],
     "has no informative fit observations: every fit row is held within its band by the model's rows whatever the "
     "costs (an identity)"),
])
def test_estimating_without_a_fit_observation_is_refused_in_words(tmp_path, capsys, observations, expected):
    case = write_case(tmp_path, three_routes(observations))
    out = tmp_path / "estimated.xlsx"
    assert main(["calibrate", str(case), "--estimate", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Observations" in err and "Traceback" not in err
    assert not out.exists()


def test_the_input_is_not_modified_and_the_output_reads_back(tmp_path, capsys):
    case = write_case(tmp_path, three_routes(made_observations(tmp_path), dispersion=20.0), xlsx=True)
    before = hashlib.sha256(case.read_bytes()).hexdigest()
    out = tmp_path / "estimated.xlsx"
    assert main(["calibrate", str(case), "--estimate", "-o", str(out)]) == 0
    assert hashlib.sha256(case.read_bytes()).hexdigest() == before
    text = capsys.readouterr().out
    assert "dry_bulk" in text and "not identified" in text and "Left out, as under route choice" in text
    data = read_input(out)
    assert not data.problems  # not even a warning: the Estimation sheets are declared
    assert set(data.notes) == {"Estimation", "EstimationFit"}
    rows = data.tables["Dispersions"].set_index("cargo_class")
    assert rows.loc["dry_bulk", "dispersion_usd_per_t"] == pytest.approx(TRUE_DISPERSION, rel=0.2)
    assert rows.loc["dry_bulk", "standard_error_usd_per_t"] > 0


def test_what_is_held_and_not_estimated_is_said(tmp_path):
    # one Surcharges row of calibrate's (left out, as under route choice) and one of the planner's (held): the
    # sheet and console say so
    surcharges = [{"scope": "route", "target": "M3", "usd_per_t": 1.0, "source": "corridor calibrate"},
                  {"scope": "route", "target": "P3", "usd_per_t": 2.0, "source": "a toll"}]
    tables = {**three_routes(made_observations(tmp_path), dispersion=20.0), "Surcharges": surcharges}
    est = estimate(write_case(tmp_path, tables))
    said = ("Left out, as under route choice: the least-cost fit's 1 calibration premiums (Surcharges rows written by "
            "corridor calibrate) and 0 calibration rules; held as the input has them: 1 other Surcharges rows.")
    assert est.held == said
    assert said in est.classes["status"].tolist()


def test_choice_without_dispersions_says_how_to_estimate_them(tmp_path, capsys):
    # allocation choice and no Dispersions sheet: the input is refused (exit 2), and the fix says to estimate
    # under least cost, since calibrate --estimate reads the input as it is
    tables = three_routes(made_observations(tmp_path))
    del tables["Dispersions"]
    case = write_case(tmp_path, tables, {"allocation": "choice"})
    assert main(["calibrate", str(case), "--estimate", "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "set allocation to least_cost and run corridor calibrate --estimate" in capsys.readouterr().err


def test_each_class_is_scored_on_the_rows_it_moves(tmp_path):
    # dry_bulk moves the six route rows: 0 of 6 within tolerance under least cost (every market's coal on its
    # direct route), 6 of 6 under choice; grain moves none, and has no score
    est = estimate(write_case(tmp_path, three_routes(made_observations(tmp_path), dispersion=20.0)))
    c = est.classes.set_index("cargo_class")
    assert (c.loc["dry_bulk", "within_least_cost"], c.loc["dry_bulk", "within_choice"]) == ("0 of 6", "6 of 6")
    assert (c.loc["grain", "within_least_cost"], c.loc["grain", "within_choice"]) == ("", "")
    # least cost puts each market's 1,000 t on its route 1, missing it by 1,000 - 568.7 (M) and 1,000 - 568.5 (P)
    # t, and as much again on routes 2 and 3, which it leaves empty: the weighted error is
    # 2 x (431.3 + 431.5) / 2,000 observed = 0.863 (the 1% noise aside)
    assert c.loc["dry_bulk", "weighted_error_least_cost"] == pytest.approx(
        2 * 1000 * (2 - SHARES["M"][0] - SHARES["P"][0]) / 2000, rel=0.05)


def test_observations_of_the_least_cost_split_are_a_flat_fit_and_write_nothing(tmp_path):
    # each market's 1,000 t observed on its cheapest route alone: the closer to least cost the better, down to
    # where the other routes' shares are nothing (below about 0.3 USD/t: e^(-5/0.3) = 6e-8 of M's tonnes on
    # M2): a flat fit, not an estimate: said, and no Dispersions row
    observations = [{"observation": r, "scope": "route", "target": r, "observed_t": 1000.0 if r[1] == "1" else 0.0,
                     "tolerance_t": 10.0, "source": "least cost"} for r in ROUTES]
    est = estimate(write_case(tmp_path, three_routes(observations, dispersion=20.0)))
    dry = est.classes.set_index("cargo_class").loc["dry_bulk"]
    assert dry["status"].startswith("not determined: the observations it moves do not change near the estimate")
    assert dry["dispersion_usd_per_t"] < 1 and math.isnan(dry["standard_error_usd_per_t"]) and not dry["written"]
    assert est.written.empty
    assert est.data.tables["Dispersions"].set_index("cargo_class").loc["dry_bulk", "dispersion_usd_per_t"] == 20.0


def test_the_program_read_once_gives_what_allocate_gives(tmp_path):
    # the estimate reads the choice program once, at the input's dispersions, and puts each trial's dispersions in
    # its groups' theta: at other dispersions it must give what model.lp.choice.allocate gives reading afresh
    from model.analysis.estimate import _allocation
    from model.lp.choice import allocate
    from model.results.tables import flow_tonnes
    from model.steps import load, solve

    plan, _ = load(write_case(tmp_path, three_routes(dispersion=20.0)))
    sol = solve(plan, ranging=False)
    tried = {"dry_bulk": 5.0, "grain": 50.0}
    again, afresh = _allocation(plan, sol, {"dry_bulk": 20.0, "grain": 20.0})(tried), allocate(plan, sol, tried)
    assert np.asarray(again.x) == pytest.approx(np.asarray(afresh.x), abs=1e-6)
    assert np.asarray(again.y) == pytest.approx(np.asarray(afresh.y), abs=1e-6)
    # and it is the logit at 5 USD/t: M1's share e^-2 / (e^-2 + e^-3 + e^-4.4) = 0.7034
    net = plan.cases[0].net
    tonnes = dict(zip(list(net.flows), flow_tonnes(net, again.view()), strict=True))
    assert tonnes[("coal", "M1")] == pytest.approx(1000 / (1 + math.exp(-1) + math.exp(-2.4)), abs=1e-3)  # 703.4


def test_a_held_out_row_observed_in_a_scenario_is_predicted_under_choice_in_it(tmp_path):
    # The observations are the model's own at 8 USD/t (no noise), so the estimate is 8. Held out: M1 observed in
    # the scenario dear_direct, where A>M costs 15: M1 and M2 both cost 15 and M3 22, so under choice at 8 USD/t
    # M1 carries 1,000 / (2 + e^(-7/8)) = 1,000 / 2.4169 = 413.8 t; under least cost M1 and M2 tie at 15 and the
    # LP takes one of them whole, so only choice lands within 5% of 413.8.
    made = made_observations(tmp_path, noise=0.0)
    held_out = {**observation("T", "route", "M1", 413.8, role="test"), "scenario": "dear_direct"}
    scenarios = [{"scenario": "dear_direct", "sheet": "Legs", "key": "A>M", "column": "cost_usd_per_t", "value": 15}]
    est = estimate(write_case(tmp_path, {**three_routes([*made, held_out], dispersion=20.0), "Scenarios": scenarios}))
    t = est.fit.set_index("observation").loc["T"]
    assert t["observed_in"] == "dear_direct" and t["counted"] == "test (held out)"
    assert t["choice_t"] == pytest.approx(1000 / (2 + math.exp(-7 / 8)), rel=1e-3)
    assert bool(t["within_tolerance_choice"]) and not bool(t["within_tolerance_least_cost"])


POOLED_TRUTH = 6.0  # USD/t: the one dispersion wheat (grain) and ore (metals) share


def shared_routes(observations: list[dict] | None = None, dispersions: list[dict] | None = None) -> dict:
    """three_routes' coal, and 100 t of wheat and 200 t of ore from B to N over two routes they share: W1 (B>N,
    4 USD/t) and W2 (B>Q>N, 3 + 4 = 7 USD/t)."""
    tables = three_routes(observations)
    tables["Nodes"] = [*tables["Nodes"], *nodes(("Q", "hub"))]
    tables["Legs"] = [*tables["Legs"], *legs(("B", "Q", 3, 0), ("Q", "N", 4, 0))]
    tables["Commodities"] = [*tables["Commodities"],
                             {"commodity": "ore", "cargo_class": "metals", "value_usd_per_t": 0}]
    tables["Routes"] = [*[r for r in tables["Routes"] if r["route"] != "W"],
                        {"route": "W1", "corridor": "Direct", "path": "B>N"},
                        {"route": "W2", "corridor": "Via Q", "path": "B>Q>N"}]
    tables["Demand"] = [*tables["Demand"], {"commodity": "ore", "market": "N", "demand_t": 200}]
    tables["Dispersions"] = dispersions or [{"cargo_class": None, "dispersion_usd_per_t": 20.0}]
    return tables


def test_classes_identified_only_together_share_a_pooled_dispersion(tmp_path):
    # Made by a choice solve with coal (dry_bulk) at 8 USD/t and wheat and ore at one pooled 6 USD/t (a blank
    # cargo_class row): W1 carries 1 / (1 + e^(-3/6)) = 62.25% of each, 186.7 of the 300 t. Observed: coal's six
    # routes, and W1 and W2 in all (wheat and ore together), each x (1 + 1% N(0, 1)). coal is identified alone;
    # wheat and ore only together (W1's tonnes are 100 s(d_grain) + 200 s(d_metals), and W2's are 300 less:
    # one equation for two dispersions), so they are pooled and estimated jointly with coal.
    made = pipeline.run(write_case(tmp_path / "made", shared_routes(dispersions=[
        {"cargo_class": "dry_bulk", "dispersion_usd_per_t": TRUE_DISPERSION},
        {"cargo_class": None, "dispersion_usd_per_t": POOLED_TRUTH}]), {"allocation": "choice"}))
    f = made.results.flows
    routes = [*ROUTES, "W1", "W2"]
    tonnes = np.array([float(f.loc[f["route"] == r, "tonnes_t"].sum()) for r in routes])
    assert tonnes[6] == pytest.approx(300 / (1 + math.exp(-3 / POOLED_TRUTH)), abs=1e-3)  # 186.7
    noisy = tonnes * (1 + 0.01 * np.random.default_rng(0).standard_normal(len(routes)))
    case = write_case(tmp_path / "case", shared_routes([observation(r, "route", r, float(t))
                                                       for r, t in zip(routes, noisy, strict=True)]))
    est = estimate(case, today=date(2026, 12, 7))
    c = est.classes.set_index("cargo_class")
    for cls in ("grain", "metals"):
        assert c.loc[cls, "status"].startswith("pooled: not identified alone") and not c.loc[cls, "written"]
    assert c.loc["dry_bulk", "status"] == "estimated"
    assert c.loc["(pooled)", "status"] == "pooled dispersion of grain, metals (the blank cargo_class row): estimated"
    written = est.written.set_index(est.written["cargo_class"].fillna("(blank)"))
    assert sorted(written.index) == ["(blank)", "dry_bulk"]
    for row, truth in (("dry_bulk", TRUE_DISPERSION), ("(blank)", POOLED_TRUTH)):
        d, se = written.loc[row, ["dispersion_usd_per_t", "standard_error_usd_per_t"]]
        assert 0 < se < truth / 5 and abs(d - truth) <= se
    assert math.isfinite(c.loc["dry_bulk", "correlation_(pooled)"])
    # the output's Dispersions sheet: the coal row and the blank row in place of the input's blank row
    rows = est.data.tables["Dispersions"]
    assert rows["cargo_class"].isna().sum() == 1 and rows["cargo_class"].dropna().tolist() == ["dry_bulk"]
