"""The steps of the data path, in the order they run, and the ones every analysis runs again:

    read -> validate -> scenarios -> plan (years x robust scenarios) -> network -> LP -> solve -> analyse -> tabulate

load() reads and checks a workbook and gives the plan of its cases, each with its data and network;
solve() builds and solves the LP (and, without an optimum, says why: model.analysis.infeasible);
analyse() re-solves what the tables report beside the optimum (each integer decision taken the other
way, the value of the stochastic solution: model.analysis.robust), as an explicit step after solving;
tabulate() turns the solution and those analyses into tables, reading them and solving nothing.
solve_case() is all of them, as corridor solve and compare run them. Writing is the step above
(model.pipeline).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.infeasible import no_optimum
from model.analysis.responses import port_responses
from model.analysis.robust import value_of_stochastic_solution
from model.errors import ERROR, WARNING, InputError, NoSolutionError, Problem
from model.input.allocation import for_allocation
from model.input.data import CorridorData
from model.input.read import read_input
from model.input.scenarios import apply_scenarios, check_scenarios
from model.input.schema import Allocation
from model.input.validate import check_commitments, validate
from model.input.validate.choice import dispersions
from model.lp.choice import NoConvergence, allocate
from model.lp.highs import Solution, View
from model.lp.kinds import set_resource_duals
from model.lp.mip import Difference, MipInfo, other_decision_costs
from model.lp.reach import target_ranges
from model.lp.solve import solve_plan
from model.network import Network
from model.network.build import build_network
from model.plan import BASE, Case, Plan, check_years, for_year, one_year, periods, robust_scenarios, year_problem
from model.progress import NoPhases, collector_paused
from model.results.fit import FitAnalyses, modelled
from model.results.plan import collect_plan
from model.results.tables import Results, collect, flow_tonnes


@dataclass
class Run:
    plan: Plan
    solution: Solution
    results: Results
    warnings: list[Problem]
    written: list[Path] = field(default_factory=list)  # the files written beside the result workbook
    removed: list[Path] = field(default_factory=list)  # an earlier run's files beside it, not made this time

    @property
    def data(self) -> CorridorData:
        return self.plan.data

    @property
    def net(self) -> Network:
        """The network of the first case (the only one of a single-period model)."""
        return self.plan.cases[0].net

    def view(self) -> View:
        """The solution of the single-period model."""
        return self.solution.view()

def load(path: str | Path, scenario: str | None = None, robust: str | None = None,
         allocation: str | None = None) -> tuple[Plan, list[Problem]]:
    """Read and validate a workbook, apply --scenario, and derive one Network per case of the plan
    (each year of the Periods sheet, crossed with the --robust scenarios and the base case).
    allocation (--allocation): the Settings value allocation replaced in every case (with_allocation).
    Raise InputError listing every error (and warning) at once. Returns (plan, warnings)."""
    if not Path(path).exists() and not Path(path).is_absolute():
        raise InputError(str(path), [Problem(
            f"no such file or folder in {Path.cwd()} (a relative path is read from the current folder)",
            "Give the full path, or run from the folder it is relative to: corridor solve without an INPUT solves "
            "inputs/base_case.xlsx from the top folder of the repository.")])
    data = with_allocation(read_input(path), allocation)                       # read
    problems = validate(data) + check_scenarios(data) + check_years(data)      # validate
    if scenario and not _errors(problems):                                     # scenarios
        data = with_allocation(apply_scenarios(data, scenario)[0], allocation)
        problems += _after(data, problems, f"with scenario {scenario}", scenario)
    for name in [] if _errors(problems) else observed_in(data):  # the worlds test rows were observed in
        problems += _after(apply_scenarios(data, name)[0], problems,
                           f"in scenario {name} (the Observations sheet's test rows were observed in it)", name)
    scenarios = [(BASE, 1.0)]
    if robust and not _errors(problems):                                       # plan: robust scenarios
        try:
            scenarios = robust_scenarios(data, robust)
        except InputError as exc:
            problems += exc.problems
    cases = []
    if not _errors(problems):
        for name, probability in scenarios:
            sdata = data
            if name != BASE:
                sdata = with_allocation(apply_scenarios(data, name)[0], allocation)
                sdata.scenario = f"{data.scenario}+{name}" if data.scenario else name
                sdata.overrides = data.overrides + sdata.overrides
                problems += _after(sdata, problems, f"in scenario {name}", name)
            for per in periods(data):                                          # plan: years
                ydata = for_year(sdata, per.year)
                net = build_network(ydata)                                     # network
                problems += _in_case(check_commitments(ydata, net), name if name != BASE else None, per.year)
                cases.append(Case(name, probability, per, ydata, net))
    if allocation is not None:  # the option's value, not the Settings sheet's: a problem with it names the option
        problems = [_of_option(p, allocation) for p in problems]
    if _errors(problems):
        raise InputError(str(path), problems)
    worst = (data.settings.worst_case_weight or 0.0) if robust else 0.0
    plan = Plan(data, periods(data), cases, [n for n, _ in scenarios], worst)
    return plan, _merge_years([p for p in problems if p.severity == WARNING])

def load_one_year(path: str | Path, scenario: str | None = None, year: int | None = None,
                  allocation: str | None = None) -> tuple[CorridorData, Network, list[Problem]]:
    """load() for the single-year tools (sweep, stress, calibrate, explain): (data, network,
    warnings) of the workbook with --scenario applied; of a plan (a Periods sheet), the --year
    asked for, as a single-year case (model.plan.one_year). A plan without --year, or a year it
    does not plan, is refused in one line that names the years. allocation: --allocation, as load()."""
    plan, warnings = load(path, scenario, allocation=allocation)
    years = [p.year for p in plan.periods if p.year is not None]
    wrong = year_problem(years, year)
    if wrong is not None:
        raise InputError(str(path), [wrong])
    if year is None:
        return plan.data, plan.cases[0].net, warnings
    data = one_year(plan.data, year)
    data.overrides = plan.data.overrides
    return data, build_network(data), warnings

def solve(plan: Plan, verbose: bool = False, options: dict | None = None, builder: str = "fast",
          phases=None, ranging: bool = True, keep_solver: bool = True) -> Solution:
    """The LP of the plan, built and solved (model.lp.solve); without an optimum, the error that
    explains in the workbook's rows why (model.analysis.infeasible, which re-solves to find out).
    keep_solver=False: the Solution comes without HiGHS when nothing after needs it (one case, no
    integer decisions: analyse() has nothing to re-solve), its LP, workspace and ranging let go
    once the solution and its ranging are read (the largest object at a million flows)."""
    sol = solve_plan(plan, verbose, options, ranging=ranging, builder=builder, phases=phases)
    if not sol.optimal:
        raise no_optimum(plan, sol, verbose)
    set_resource_duals(plan, sol)  # from the optimal basis, before anything re-solves or frees the live model
    sol = allocated(plan, sol)
    if not keep_solver and plan.single and sol.mip is None and not plan.cases[0].net.observations \
            and sol.choice is None:  # see observed(); a choice allocation's responses re-run it (analyse())
        return dataclasses.replace(sol, highs=None)
    return sol

def with_allocation(data: CorridorData, allocation: str | None) -> CorridorData:
    """The data with the Settings value allocation replaced by --allocation (None: as the sheet says), the one
    way the option reaches a case: every command that solves passes it to load(), never to a step of its own.
    Under choice, without the least-cost fit's premiums and calibration rules (model.input.allocation)."""
    if allocation is not None and allocation != data.settings.allocation:
        data = data.copy(settings=data.settings.replace(allocation=allocation))
    return for_allocation(data)

def _of_option(problem: Problem, allocation: str) -> Problem:
    """A problem with the setting allocation said of --allocation, which set it for this run."""
    if (problem.sheet, problem.key) != ("Settings", "allocation"):
        return problem
    return replace(problem, message=f"--allocation {allocation}: {problem.message}", sheet=None, row=None, key=None,
                   column=None)

def allocated(plan: Plan, sol: Solution) -> Solution:
    """The solution the settings ask for: the least-cost LP's (sol), or with allocation choice the logit's on
    the same rows (model.lp.choice), its decisions (what is built) the LP's."""
    if plan.data.settings.allocation != Allocation.CHOICE:
        return sol
    try:
        return allocate(plan, sol, dispersions(plan.data))
    except NoConvergence as e:
        raise NoSolutionError(f"The choice allocation did not converge ({e}): a row may hold a route at a figure "
                              "no logit split reaches. Solve with allocation least_cost to see which rows bind, or "
                              "widen the dispersion on the Dispersions sheet.") from None


@dataclass(frozen=True)
class Analyses:
    """What the result tables report beside the optimum that takes solving again, worked out by
    analyse() after solve() and before tabulate(), which only reads it: each option with an integer
    decision taken the other way (model.lp.mip.other_decision_costs; None where that is not possible)
    with what building in whole steps costs against the LP relaxation (a copy of the solve's MipInfo:
    the Solution is left as solved) and, of a robust plan, the Robust sheet and its Summary items
    (model.analysis.robust)."""

    other: dict[str, Difference | None] = field(default_factory=dict)
    mip: MipInfo | None = None
    robust: pd.DataFrame | None = None
    robust_items: tuple = ()
    found: dict[int | None, FitAnalyses] = field(default_factory=dict)  # by case (None: the single model): observed()
    responses: pd.DataFrame | None = None  # a choice allocation's Responses sheet (model.analysis.responses)

def analyse(plan: Plan, sol: Solution, verbose: bool = False, options: dict | None = None) -> Analyses:
    """The re-solves the result tables report (see Analyses), on the solved plan: each integer
    decision taken the other way (a MIP each, on a copy of the model), and of a robust plan the
    plan for the base case alone (model.analysis.robust)."""
    decided = least_cost(sol)  # the decisions are the least-cost solve's: priced against its allocation
    other, mip = other_decision_costs(plan, decided)  # with integer decisions: each one taken the other way
    found = observed(plan, sol, options)
    if plan.single or not plan.robust:
        return Analyses(other, mip, found=found, responses=port_responses(plan, sol))
    robust, items = value_of_stochastic_solution(plan, decided, verbose, options)
    return Analyses(other, mip, robust, tuple(items), found)

def observed_in(data: CorridorData) -> list[str]:
    """The scenarios the Observations sheet's rows were observed in, each once, in order."""
    table = data.tables.get("Observations")
    if table is None or "scenario" not in table.columns:
        return []
    return list(dict.fromkeys(str(v) for v in table["scenario"] if isinstance(v, str) and v))

def observed(plan: Plan, sol: Solution, options: dict | None = None) -> dict[int | None, FitAnalyses]:
    """For the Fit sheet of each case with observations: what each target can carry at least and at
    most whatever the costs (model.lp.reach: two LPs an observation, on a copy of the solved model),
    and each test row observed in a scenario predicted on the case's own data with that scenario
    applied, in the run's allocation (one solve a scenario; nan where it has no optimum)."""
    keys = [None] if plan.single else list(range(len(plan.cases)))
    cases = [(key, case.net, case.net.observations) for key, case in zip(keys, plan.cases, strict=True)
             if case.net.observations]
    if not cases or sol.highs is None:
        return {}
    ranges = target_ranges(sol, cases)
    found = {}
    for key, _, observations in cases:
        data, predicted = plan.cases[key or 0].data, dict[str, float]()
        for name in dict.fromkeys(o.scenario for o in observations if o.scenario):
            sdata = with_allocation(apply_scenarios(data, name)[0], data.settings.allocation)  # the run's allocation
            snet = build_network(sdata)
            ssol = _allocated_or_none(Plan.of_one(sdata, snet), solve_plan(Plan.of_one(sdata, snet), options=options,
                                                                            ranging=False))
            held = [o for o in snet.observations if o.scenario == name]
            got = (modelled(snet, flow_tonnes(snet, ssol.view()), held) if ssol.optimal
                   else [float("nan")] * len(held))
            predicted.update(zip((o.observation for o in held), map(float, got), strict=True))
            if ssol.optimal:  # what the target can carry in the world it was observed in, not the case's
                ranges.update({(key, o): r for (_, o), r in target_ranges(ssol, [(None, snet, held)]).items()})
            else:
                ranges = {(k, o): r for (k, o), r in ranges.items() if not (k == key and o in {h.observation
                                                                                              for h in held})}
        found[key] = FitAnalyses({o: r for (k, o), r in ranges.items() if k == key}, predicted)
    return found

def least_cost(sol: Solution) -> Solution:
    """The least-cost LP's solution of a solve (sol itself under least cost). Under allocation choice its HiGHS
    still holds it: what is built was decided there, so a decision taken the other way, or the plan made for
    the base case alone, is priced against it, never against the logit's split (which costs more by design)."""
    if sol.choice is None or sol.highs is None:
        return sol
    x = np.asarray(sol.highs.getSolution().col_value, dtype=float)
    return dataclasses.replace(sol, x=x, objective_usd=sol.choice.least_cost_usd, choice=None)

def _allocated_or_none(plan: Plan, sol: Solution) -> Solution:
    """allocated() of a solve that may have no optimum (then as it is); a choice that does not converge is
    said as no optimum (status), as a scenario without one is."""
    if not sol.optimal:
        return sol
    try:
        return allocated(plan, sol)
    except NoSolutionError:
        return dataclasses.replace(sol, status="choice allocation not converged", optimal=False)

def tabulate(plan: Plan, sol: Solution, analyses: Analyses, input_name: str | None = None) -> Results:
    """The result tables of a solved plan and its analyses (analyse()): read, never solved again."""
    if plan.single:
        results = collect(plan.data, plan.cases[0].net, sol.view(), input_name, analyses.other, analyses.mip,
                          analyses.found.get(None))
        return results if analyses.responses is None else dataclasses.replace(results, responses=analyses.responses)
    return collect_plan(plan, sol, input_name, robust=analyses.robust, robust_items=list(analyses.robust_items),
                        other=analyses.other, mip=analyses.mip,
                        found={k: f for k, f in analyses.found.items() if k is not None})

def solve_case(path: str | Path, scenario: str | None = None, robust: str | None = None, verbose: bool = False,
               options: dict | None = None, builder: str = "fast", phases=None, keep_solver: bool = True,
               allocation: str | None = None) -> Run:
    """A workbook or CSV folder through every step (load, with a scenario applied if named, as a robust
    plan over the scenarios of `robust`, 'a,b', if given, the allocation of --allocation if given; solve;
    analyse; tabulate), nothing written.
    Raises InputError or NoSolutionError with the reason. keep_solver=False: HiGHS is let go once the
    solution and its ranging are read, when nothing after needs it (solve()). The garbage collector is
    paused throughout (model.progress.collector_paused)."""
    phases = phases or NoPhases()
    with collector_paused():
        phases("reading")
        plan, warnings = load(path, scenario, robust, allocation)
        sol = solve(plan, verbose, options, builder, phases, keep_solver=keep_solver)
        results = tabulate(plan, sol, analyse(plan, sol, verbose, options), Path(path).name)
    return Run(plan, sol, results, warnings)


def _errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)

def _merge_years(problems: list[Problem]) -> list[Problem]:
    """One warning for the years it repeats in: 'in scenario s in 2026: x', 'in scenario s in 2030: x'
    -> 'in scenario s in 2026, 2030: x' (and a warning repeated word for word, once). The years and the
    scenario are the problems' own (Problem.year, .scenario), set where they were found."""
    merged: dict[tuple, list[int]] = {}
    for p in problems:
        bare = p.message.removeprefix(f"{_where(p.scenario, [p.year])}: ") if p.year is not None else p.message
        key = (p.scenario, bare, p.fix, p.sheet, p.row, p.key, p.column)
        years = merged.setdefault(key, [])
        if p.year is not None and p.year not in years:
            years.append(p.year)
    return [Problem(f"{_where(scenario, years)}: {bare}" if years else bare, fix, sheet, row, key_, column, WARNING,
                    scenario, years[0] if len(years) == 1 else None)
            for (scenario, bare, fix, sheet, row, key_, column), years in merged.items()]

def _in_case(problems: list[Problem], scenario: str | None, year: int | None) -> list[Problem]:
    """The problems found in a scenario or a year of a plan, each saying so; of the one case, as found."""
    if scenario is None and year is None:
        return problems
    return _prefixed(problems, _where(scenario, [] if year is None else [year]), scenario, year)

def _where(scenario: str | None, years: list[int]) -> str:
    """'in scenario s in 2026, 2030': the case a problem was found in, as its message begins."""
    return " ".join(w for w in (f"in scenario {scenario}" if scenario else "",
                                f"in {', '.join(map(str, years))}" if years else "") if w)

def _after(data: CorridorData, before: list[Problem], what: str, scenario: str) -> list[Problem]:
    """Problems of data (with overrides applied) not already among before, prefixed with what."""
    return _prefixed([p for p in validate(data) if p not in before], what, scenario)

def _prefixed(problems: list[Problem], what: str, scenario: str | None, year: int | None = None) -> list[Problem]:
    """The problems found in a scenario or a year, each saying so (in its message and its fields)."""
    return [replace(p, message=f"{what}: {p.message}", scenario=scenario, year=year) for p in problems]
