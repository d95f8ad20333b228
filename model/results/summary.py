"""The Summary sheet as a typed object, and where a result came from (provenance, built once).

Code reads summary.objective_usd, never a row by its label; rows() gives the sheet's
(item, value, unit) rows, in the order a reader wants them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from model import __version__
from model.input.settings import Settings
from model.network.costs import COST_PARTS, RESOURCE_PARTS, CostPart
from model.results.choice import ChoiceFacts
from model.results.fit import FitSummary
from model.results.investments import Decisions
from model.results.money import INVESTMENT_LABEL, PENALTY_LABEL, RESOURCE_LABEL, UNMET_LABEL, Money

# Labels of the Summary rows that other tools read back from a written workbook (corridor check).
OBJECTIVE_LABEL, SHIPPED_LABEL, INPUT_SHA_LABEL = "objective", "shipped", "input SHA-256"
CO2E_LABEL = "CO2e emitted"
AVERAGE_LABEL = "average resource cost"
PART_LABELS = {part: label for part, (label, _) in COST_PARTS.items()}
# How a Summary figure is shown, by its unit: (Excel number format, Python format), the workbook's
# cell and the report page's text alike.
UNIT_FORMATS = {"USD/yr": ("#,##0", "{:,.0f}"), "USD": ("#,##0", "{:,.0f}"), "t/yr": ("#,##0", "{:,.0f}"),
                "USD/t": ("#,##0.00", "{:,.2f}"), "s": ("0.000", "{:.3f}"), "per year": ("0.00%", "{:.2%}"),
                "share": ("0.0%", "{:.1%}"), "t CO2e/yr": ("#,##0", "{:,.0f}"), "kg CO2e/t": ("#,##0.0", "{:,.1f}"),
                "USD/t CO2e": ("#,##0.00", "{:,.2f}")}

IDENTITIES_LABEL = "identities (within tolerance whatever the costs, not counted)"
RANGE_PREFIX = "range: "  # a headline's range over the Uncertainty sheet's draws (solve --uncertainty N)
RANGES_DRAWN_LABEL = "ranges drawn over"  # what those draws varied, in words
# The Ranges sheet (Results.ranges): a headline's median and 5-95% range in its unit (brief.RANGE_UNITS), the base
# case's own value (every input at its base value, solved as a draw is), the draws that gave it a value, for the
# focus's tonnes the share of the draws with cargo (probability), and the input that moves it most in words with its
# figure (drivers.main_driver) and its change per standard deviation (in the unit; blank unless a linear fit
# explains enough of the spread).
RANGE_COLUMNS = ["headline", "unit", "median", "p5", "p95", "base", "draws", "probability", "moved_most_by",
                 "change_per_sd"]

@dataclass(frozen=True)
class Provenance:
    """What a result was computed from, by which version, and when (one format everywhere)."""

    input_file: str
    input_sha256: str
    model_version: str
    run_at_utc: str

    @classmethod
    def of(cls, input_path: str | Path, sha256: str) -> Provenance:
        return cls(str(input_path), sha256, __version__,
                   dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"))

    def rows(self) -> list[tuple[str, object, str]]:
        return [("input file", self.input_file, ""), (INPUT_SHA_LABEL, self.input_sha256, ""),
                ("model version", self.model_version, ""), ("run at (UTC)", self.run_at_utc, "")]


@dataclass
class Summary:
    """The figures of one solve (a single period) or of a plan."""

    scenario: str  # the case's name (setting scenario_name, else the input file's name)
    applied: str | None  # the scenarios applied with --scenario, 'a+b'
    overrides: list[str]
    status: str
    objective_usd: float
    parts_usd: dict[str, float] = field(default_factory=dict)  # part of COST_PARTS -> USD/yr
    unmet_penalty_usd: float = 0.0
    investment_usd: float = 0.0
    shipped_t: float = 0.0
    unmet_t: float = 0.0
    co2e_t: float = 0.0  # well-to-wheel CO2e of the cargo moved, t/yr (model.network.emissions)
    co2e_leaves_out: tuple[str, ...] = ()  # legs without distance_km, whose CO2e is not counted
    flow_variables: int = 0
    solver: str = ""
    method: str = ""
    solve_seconds: float = 0.0
    phases: str = ""  # run time by phase, when run by the pipeline
    fit: FitSummary = field(default_factory=FitSummary)  # how well it reproduces the Observations sheet
    provenance: Provenance | None = None
    settings: Settings | None = None
    # a plan of several years and/or scenarios
    plan: bool = False
    objective_means: str = ""
    years: str = ""
    robust_scenarios: str = ""
    robust: list[tuple[str, object, str]] = field(default_factory=list)  # value of the stochastic solution
    decisions: Decisions = field(default_factory=Decisions)  # integer decisions (options built whole)
    choice: ChoiceFacts | None = None  # allocation choice: the logit's dispersions and solve (model.results.choice)
    ranges: tuple[tuple[str, str], ...] = ()  # (headline, its range in words): solve --uncertainty N
    ranges_drawn: str = ""  # what the ranges were drawn over, in words (the figures: Results.ranges)

    @property
    def money(self) -> Money:
        """The objective in its kinds: resource cost, calibration premiums, unmet tonnes and penalty."""
        s = self.settings
        return Money(dict(self.parts_usd), self.investment_usd, self.unmet_t,
                     None if s is None else s.unmet_penalty_usd_per_t)

    @property
    def average_usd_per_t(self) -> float:
        """Resource cost of a tonne shipped, on average (the premiums are not money)."""
        return sum(self.parts_usd.get(p, 0.0) for p in RESOURCE_PARTS) / self.shipped_t if self.shipped_t else 0.0

    @property
    def co2e_kg_per_t(self) -> float:
        """Average CO2e of a tonne shipped, kg/t."""
        return self.co2e_t * 1000.0 / self.shipped_t if self.shipped_t else 0.0

    def choice_lines(self) -> list[str]:
        """The console's line on a choice allocation (model.results.choice); none under least cost."""
        return [self.choice.text(self.objective_usd, self.plan)] if self.choice else []

    def range_texts(self) -> list[str]:
        """The console's lines of each headline's range (solve --uncertainty N); none without."""
        return [f"{label}: {text}" for label, text in self.ranges]

    @property
    def value_header(self) -> str:
        """The console's heading of a bottleneck's value: a saving, or under route choice a toll."""
        return "toll USD/t" if self.choice else "saves USD/t"  # a policy rule's under least cost: in words

    def co2e_rows(self) -> list[tuple[str, object, str]]:
        """The CO2e total and its average per tonne (one period; a plan's are on its Plan sheet), and
        the legs it leaves out (if any)."""
        rows: list[tuple[str, object, str]] = [] if self.plan else [(CO2E_LABEL, self.co2e_t, "t CO2e/yr"),
                                     ("average CO2e", self.co2e_kg_per_t, "kg CO2e/t")]
        if self.co2e_leaves_out:
            rows.append(("CO2e leaves out", f"{len(self.co2e_leaves_out)} leg(s) without distance_km: "
                         + ", ".join(self.co2e_leaves_out), ""))
        return rows

    def rows(self) -> list[tuple[str, object, str]]:
        """(item, value, unit) rows of the Summary sheet."""
        head = [("scenario", self.scenario, ""),
                ("scenario overrides", self.applied or "none (the workbook as it is)", ""),
                *[(f"override {i}", text, "") for i, text in enumerate(self.overrides, start=1)],
                ("status", self.status, "")]
        if self.plan:
            figures = [(OBJECTIVE_LABEL, self.objective_usd, "USD"), ("objective means", self.objective_means, ""),
                       ("years", self.years, ""), ("robust scenarios", self.robust_scenarios, ""), *self.robust,
                       *self.co2e_rows()]
        else:
            # the kinds apart (model.results.money): resource cost and its parts, then the premiums, the
            # unmet tonnes and their penalty, and the objective that adds them up
            figures = [(RESOURCE_LABEL, self.money.resource_usd, "USD/yr"),
                       *[(PART_LABELS[name], self.parts_usd.get(name, 0.0), "USD/yr") for name in RESOURCE_PARTS],
                       (INVESTMENT_LABEL, self.investment_usd, "USD/yr"),
                       (PART_LABELS[CostPart.PREMIUM.word], self.parts_usd.get(CostPart.PREMIUM.word, 0.0), "USD/yr"),
                       (UNMET_LABEL, self.unmet_t, "t/yr"), (PENALTY_LABEL, self.unmet_penalty_usd, "USD/yr"),
                       (OBJECTIVE_LABEL, self.objective_usd, "USD/yr"), (SHIPPED_LABEL, self.shipped_t, "t/yr"),
                       (AVERAGE_LABEL, self.average_usd_per_t, "USD/t"), *self.co2e_rows()]
        figures += self.decisions.rows() + (self.choice.rows(self.plan) if self.choice else [])
        figures += [(RANGE_PREFIX + label, text, "") for label, text in self.ranges]
        figures += [(RANGES_DRAWN_LABEL, self.ranges_drawn, "")] if self.ranges_drawn else []
        if self.fit.text():  # the fit rows that are not identities; the identities; the test rows (model.results.fit)
            figures += [("observations within tolerance", f"{self.fit.within} of {self.fit.count} "
                         + ("informative" if self.fit.ranged else "(identities not worked out)"), ""),
                        ("weighted absolute error (fit)", self.fit.wape, "share"),
                        ("largest misses", "; ".join(self.fit.misses) or "none", ""),
                        (IDENTITIES_LABEL, self.fit.identities, "")]
            if self.fit.tested:
                figures += [("predicted out of sample", f"{self.fit.predicted} of {self.fit.tested}", ""),
                            ("weighted absolute error (out of sample)", self.fit.test_wape, "share")]
        run = [("flow variables", self.flow_variables, ""), ("solver", self.solver, ""), ("method", self.method, ""),
               ("solve time", self.solve_seconds, "s")]
        if self.phases:
            run.append(("run time by phase", self.phases, ""))
        s = self.settings
        settings = [] if s is None else [
            ("carrying_cost_rate", s.carrying_cost_rate, "per year"),
            ("unmet_penalty_usd_per_t", "hard demand (no penalty)" if s.hard_demand else s.unmet_penalty_usd_per_t,
             "USD/t"),
            ("allow_investments", s.allow_investments, ""),
            ("carbon_price_usd_per_t_co2", s.carbon_price_usd_per_t_co2 or 0.0, "USD/t CO2e"),
            ("focus", s.focus or "none", "")]
        if self.plan and s is not None:
            settings.append(("discount_rate", s.discount_rate or 0.0, "per year"))
        return head + figures + run + settings + (self.provenance.rows() if self.provenance else [])
