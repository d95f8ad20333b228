"""The families of investments: the capacity an option adds (Build), its whole steps (Modules) and
whether it is opened at all (Opened), with the rows that tie them (build_in_modules,
build_needs_opening) and, in a plan, the row that keeps capacity once built (build_grows).

Build is continuous. An option built whole (lumpy) or in modules gets an integer Modules column,
one with a fixed cost a binary Opened column: those two families are the model's only integer
columns, and a model without them is an LP.

Every family here is indexed by option o in the single-period model and by (option, year) in a
plan, where it is shared by the plan's cases (a robust plan's first stage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from model.input.settings import Settings
from model.lp.arrays import LPArrays
from model.lp.families.base import EQ, GE, LE, Cell, Change, Coefficient, ColumnBounds, ColumnCost, Family, Structural
from model.network import Network, Option

if TYPE_CHECKING:
    from model.plan import Period, Plan


class Build(Family):
    r"""Annual capacity added by investment option o (in a plan: in service in year y), t/yr.

    **Sets.** $B$ the investment options (Investments). **Parameters.** $\mathit{max\_added\_t}_o$,
    $a_o$ `annualised_cost_usd_per_t`, `first_year` and `lead_time_years` (Investments);
    `allow_investments` (Settings).

    $$
    0 \le \mathrm{Build}_o \le \mathit{max\_added\_t}_o \qquad o \in B, \text{ cost } a_o \text{ USD/t a year}
    $$

    Held at 0 when `allow_investments` is FALSE (its reduced cost then still says what it would be
    worth) and, in a plan, before `first_year` + `lead_time_years`; weighted and discounted by year in
    a plan, and shared by every case of it.
    """

    name = "Build"
    inputs = (("Investments", "max_added_t"), ("Investments", "annualised_cost_usd_per_t"))

    def single(self, a: LPArrays, options: list[Option], allow: bool) -> Callable[[str], int]:
        """The single-period model's Build[o]: option -> its column, made when first asked for (a
        capacity row asks as it is emitted; the options no row asks for are made last)."""
        by_id, made = {o.option: o for o in options}, {}  # type: dict[str, Option], dict[str, int]

        def column(o: str) -> int:
            if o not in made:
                opt = by_id[o]
                made[o] = a.add_column(self.name, o, opt.annualised_cost_usd_per_t, 0.0,
                                       opt.max_added_t if allow else 0.0)
            return made[o]

        return column

    def plan(self, a: LPArrays, plan: Plan) -> dict[tuple[str, int], int]:
        """A plan's Build[o, y], shared by its cases: (option, year) -> column."""
        allow = plan.data.settings.allow_investments
        out: dict[tuple[str, int], int] = {}
        for o in plan.options:
            for per in plan.periods:
                out[(o.option, per.index)] = a.add_column(
                    self.name, (o.option, per.index), per.weight * per.discount * o.annualised_cost_usd_per_t,
                    0.0, o.max_added_t if allow and available(plan, o, per) else 0.0)
        return out

    def label(self, net: Network, index: Any) -> str:
        o, year = index if isinstance(index, tuple) else (index, None)
        return f"capacity added by option {o}" + (f" in service in {year}" if year else "")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        o = net.option_by_id[cell.key]
        if cell.column == "max_added_t":
            return [ColumnBounds(self.name, o.option, 0.0, value if settings.allow_investments else 0.0)]
        return [ColumnCost(self.name, o.option, value)]


def available(plan: Plan, o: Option, per: Period) -> bool:
    """Whether option o can be in service in period per of the plan (from first_year + lead time)."""
    return not plan.multi_year or o.in_service_from is None or per.index >= o.in_service_from


def _option_of(index: Any, by_id: dict[str, Option]) -> Option:
    return by_id[index[0] if isinstance(index, tuple) else index]


class Modules(Family):
    r"""Whole steps of capacity of option o in service (in a plan: in year y): an integer.

    **Sets.** $B^{\text{whole}}$ the options built in whole steps (lumpy, or with a `module_t`).
    **Parameters.** $m_o$ the most steps: 1 for a lumpy option, as many `module_t` as fit in
    `max_added_t` for a modular one.

    $$
    \mathrm{Modules}_o \in \{0, 1, \dots, m_o\} \qquad o \in B^{\text{whole}}, \text{ cost } 0
    $$

    0 wherever Build is held at 0; the capacity is paid through Build. One of the model's two integer
    families: a model without them is an LP.
    """

    name = "Modules"
    inputs = (("Investments", "max_added_t"), ("Investments", "module_t"))

    def emit(self, a: LPArrays, options: list[Option], build: dict[Any, int]) -> dict[Any, int]:  # type: ignore[override]  # not a case's family: emit_decisions calls it
        """Modules for each Build column (key -> column) of an option built in whole steps."""
        by_id, out = {o.option: o for o in options}, {}  # type: dict[str, Option], dict[Any, int]
        for key, j in build.items():
            o = _option_of(key, by_id)
            if o.whole:
                out[key] = a.add_column(self.name, key, 0.0, 0.0, float(o.max_units) if a.col_upper[j] > 0 else 0.0)
                a.integer.append(out[key])
        return out

    def label(self, net: Network, index: Any) -> str:
        o, year = index if isinstance(index, tuple) else (index, None)
        return f"whole modules of option {o}" + (f" in service in {year}" if year else "")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        o = net.option_by_id[cell.key]
        if not o.whole and cell.column == "max_added_t":
            return []  # no Modules column, and none appears
        if not o.whole or (cell.column == "module_t" and value <= 0):
            raise Structural(cell.label)  # the column appears or goes
        unit = value if o.lumpy or cell.column == "module_t" else o.module_t
        most = value if cell.column == "max_added_t" else o.max_added_t
        units = (1 if o.lumpy else int(most / unit + 1e-9)) if most > 0 and settings.allow_investments else 0  # type: ignore[operator]  # whole: a module_t
        return [Coefficient(BUILD_IN_MODULES_NAME, o.option, self.name, o.option, -unit),  # type: ignore[operator]  # whole: a module_t
                ColumnBounds(self.name, o.option, 0.0, float(units))]


class Opened(Family):
    r"""Whether option o has any capacity in service (in a plan: in year y): 0 or 1.

    **Sets.** $B^{\text{fixed}}$ the options with a fixed cost. **Parameters.** $\phi_o$
    `fixed_cost_usd_per_yr` (Investments).

    $$
    \mathrm{Opened}_o \in \{0, 1\} \qquad o \in B^{\text{fixed}}, \text{ cost } \phi_o \text{ USD a year}
    $$

    0 wherever Build is held at 0; weighted and discounted by year in a plan.
    """

    name = "Opened"
    inputs = (("Investments", "fixed_cost_usd_per_yr"), ("Investments", "max_added_t"))

    def emit(self, a: LPArrays, options: list[Option], build: dict[Any, int],  # type: ignore[override]  # emit_decisions calls it
             factor: Callable[[Any], float]) -> dict[Any, int]:
        """Opened for each Build column (key -> column) of an option with a fixed cost; factor(key):
        what one USD of that year's cost weighs in the objective."""
        by_id, out = {o.option: o for o in options}, {}  # type: dict[str, Option], dict[Any, int]
        for key, j in build.items():
            o = _option_of(key, by_id)
            if o.opens:
                out[key] = a.add_column(self.name, key, factor(key) * o.fixed_cost_usd_per_yr, 0.0,
                                        1.0 if a.col_upper[j] > 0 else 0.0)
                a.integer.append(out[key])
        return out

    def label(self, net: Network, index: Any) -> str:
        o, year = index if isinstance(index, tuple) else (index, None)
        return f"option {o} opened" + (f" in {year}" if year else "")

    def changes(self, net: Network, settings: Settings, cell: Cell, value: float) -> list[Change]:
        o = net.option_by_id[cell.key]
        if not o.opens and cell.column == "max_added_t":
            return []  # no Opened column, and none appears
        if not o.opens or (cell.column == "fixed_cost_usd_per_yr" and value <= 0):
            raise Structural(cell.label)  # the column appears or goes
        if cell.column == "fixed_cost_usd_per_yr":
            return [ColumnCost(self.name, o.option, value)]
        return [Coefficient(BUILD_NEEDS_OPENING_NAME, o.option, self.name, o.option, -value),
                ColumnBounds(self.name, o.option, 0.0, 1.0 if value > 0 and settings.allow_investments else 0.0)]


BUILD_IN_MODULES_NAME, BUILD_NEEDS_OPENING_NAME = "build_in_modules", "build_needs_opening"


class BuildInModules(Family):
    r"""Capacity of an option built in whole steps is a whole number of steps.

    **Parameters.** $\mathit{unit\_t}_o$: `max_added_t` for a lumpy option, `module_t` for a modular one.

    $$
    \mathrm{Build}_o - \mathit{unit\_t}_o \, \mathrm{Modules}_o = 0 \qquad o \in B^{\text{whole}}
    $$

    In a plan, for each $(o, y)$. Tonnes per year on both sides.
    """

    name = BUILD_IN_MODULES_NAME

    def emit(self, a: LPArrays, options: list[Option], build: dict[Any, int],  # type: ignore[override]  # emit_decisions calls it
             modules: dict[Any, int]) -> None:
        by_id = {o.option: o for o in options}
        for key, m in modules.items():
            a.add_row(self.name, key, EQ, [build[key], m], [1.0, -_option_of(key, by_id).unit_t], 0.0)  # type: ignore[operator]  # modules: whole

    def label(self, net: Network, index: Any) -> str:
        o, year = index if isinstance(index, tuple) else (index, None)
        return f"option {o}'s capacity{' in ' + str(year) if year else ''} is a whole number of its steps"


class BuildNeedsOpening(Family):
    r"""An option with a fixed cost adds capacity only if opened.

    $$
    \mathrm{Build}_o - \mathit{max\_added\_t}_o \, \mathrm{Opened}_o \le 0 \qquad o \in B^{\text{fixed}}
    $$

    In a plan, for each $(o, y)$. Tonnes per year on both sides: the fixed cost is paid for any
    capacity at all.
    """

    name = BUILD_NEEDS_OPENING_NAME

    def emit(self, a: LPArrays, options: list[Option], build: dict[Any, int],  # type: ignore[override]  # emit_decisions calls it
             opened: dict[Any, int]) -> None:
        by_id = {o.option: o for o in options}
        for key, j in opened.items():
            a.add_row(self.name, key, LE, [build[key], j], [1.0, -_option_of(key, by_id).max_added_t], 0.0)

    def label(self, net: Network, index: Any) -> str:
        o, year = index if isinstance(index, tuple) else (index, None)
        return f"option {o} adds capacity{' in ' + str(year) if year else ''} only if opened (its fixed cost paid)"


class BuildGrows(Family):
    r"""Capacity once built stays.

    **Sets.** $Y$ the planned years, $y^-$ the year before $y$.

    $$
    \mathrm{Build}_{o,y} - \mathrm{Build}_{o,y^-} \ge 0 \qquad o \in B,\ y \in Y \setminus \{y_0\}
    $$

    Tonnes per year on both sides. With whole steps, $\mathrm{Modules}_{o,y}$ grows with it: a lumpy
    option is built once and stays.
    """

    name = "build_grows"

    def emit_plan(self, a: LPArrays, plan: Plan, build: dict[tuple[str, int], int]) -> None:
        years = [p.index for p in plan.periods]
        for o in plan.options:
            for before, year in zip(years, years[1:], strict=False):
                a.add_row(self.name, (o.option, year), GE, [build[(o.option, year)], build[(o.option, before)]],
                          [1.0, -1.0], 0.0)

    def label(self, net: Network, index: Any) -> str:
        o, year = index
        return f"option {o}'s capacity in {year} is at least what it had before"
